/* clinic-cli.c — clinicctl's grammar and its table of commands */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <stdio.h>

#include "clinic-cli.h"
#include "clinic-paths.h"

G_DEFINE_QUARK (clinic-cli-error-quark, clinic_cli_error)

static gboolean command_help    (ClinicCliContext *context, int argc, char **argv, GError **error);
static gboolean command_version (ClinicCliContext *context, int argc, char **argv, GError **error);

/* Commands are added here as the layers below them land. */
static const ClinicCliCommand commands[] = {
  { "help", N_("[COMMAND]"), N_("Show the commands, or the help of one command"), command_help },
  { "version", "", N_("Show the version of clinicctl"), command_version },
};

void
clinic_cli_print (ClinicCliContext *context,
                  const char       *format,
                  ...)
{
  g_autofree char *text = NULL;
  va_list args;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);

  g_output_stream_write_all (context->out, text, strlen (text), NULL, NULL, NULL);
}

void
clinic_cli_context_clear (ClinicCliContext *context)
{
  g_clear_pointer (&context->database, g_free);
  g_clear_pointer (&context->user, g_free);
}

static const ClinicCliCommand *
find_command (const char *name)
{
  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
    if (g_strcmp0 (commands[i].name, name) == 0)
      return &commands[i];

  return NULL;
}

static char *
usage_text (const char *database)
{
  GString *text = g_string_new (NULL);

  g_string_append (text, _("Usage:\n  clinicctl [OPTION…] COMMAND [ARGUMENT…]\n\n"));
  g_string_append (text, _("Commands:\n"));
  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      g_autofree char *left = g_strdup_printf ("%s %s", commands[i].name, commands[i].synopsis);

      g_string_append_printf (text, "  %-28s %s\n", g_strstrip (left), _(commands[i].summary));
    }

  g_string_append_printf (text, _("\nOptions (before or after the command):\n"
                           "  --database PATH         the clinic database (now: %s)\n"
                           "  --user NAME             who acts (default: the login name)\n"
                           "  --password-stdin        read passwords from standard input, one a line\n"
                           "  --recovery-key-stdin    read the recovery key from standard input\n"
                           "  --version               show the version\n"
                           "  -h, --help              show this help\n"), database);
  return g_string_free (text, FALSE);
}

static gboolean
command_help (ClinicCliContext  *context,
              int                argc,
              char             **argv,
              GError           **error)
{
  g_autofree char *text = NULL;

  if (argc > 2)
    {
      g_set_error_literal (error, CLINIC_CLI_ERROR, CLINIC_CLI_ERROR_USAGE,
                           _("“help” takes at most one command name."));
      return FALSE;
    }

  if (argc == 2)
    {
      const ClinicCliCommand *command = find_command (argv[1]);

      if (command == NULL)
        {
          g_set_error (error, CLINIC_CLI_ERROR, CLINIC_CLI_ERROR_UNKNOWN_COMMAND,
                       _("“%s” is not a clinicctl command; “clinicctl help” lists them."),
                       argv[1]);
          return FALSE;
        }

      clinic_cli_print (context, "clinicctl %s %s\n  %s\n",
                        command->name, command->synopsis, _(command->summary));
      return TRUE;
    }

  text = usage_text (context->database);
  clinic_cli_print (context, "%s", text);
  return TRUE;
}

static gboolean
command_version (ClinicCliContext  *context,
                 int                argc,
                 char             **argv,
                 GError           **error)
{
  if (argc > 1)
    {
      g_set_error_literal (error, CLINIC_CLI_ERROR, CLINIC_CLI_ERROR_USAGE,
                           _("“version” takes no arguments."));
      return FALSE;
    }

  clinic_cli_print (context, "clinicctl %s\n", PACKAGE_VERSION);
  return TRUE;
}

static void
write_error (GOutputStream *err,
             const char    *message)
{
  g_autofree char *line = g_strdup_printf ("clinicctl: %s\n", message);

  g_output_stream_write_all (err, line, strlen (line), NULL, NULL, NULL);
}

/* Pulls the global options out of @argv wherever they stand, leaving the
 * command and its own words in order. GOption alone cannot do this: it
 * would reject the command's options as unknown, or, told to ignore them,
 * could take a command option's value for a global option. So the scan is
 * by hand, but the values follow GOption's forms (--opt VALUE, --opt=VALUE). */
/* If @word is the long option @name ("--name VALUE" or "--name=VALUE"),
 * returns TRUE and sets @value (NULL when the value is the next word). */
static gboolean
match_valued_option (const char  *word,
                     const char  *name,
                     const char **value)
{
  gsize len = strlen (name);

  if (strncmp (word, "--", 2) != 0 || strncmp (word + 2, name, len) != 0)
    return FALSE;

  if (word[2 + len] == '\0')
    {
      *value = NULL;
      return TRUE;
    }

  if (word[2 + len] == '=')
    {
      *value = word + 2 + len + 1;
      return TRUE;
    }

  return FALSE;
}

/* Pulls the global options out of @words wherever they stand, leaving the
 * command and its own words in order. GOption alone cannot do this: it
 * would reject the command's options as unknown, or, told to ignore them,
 * could take a command option's value for a global option. So the scan is
 * by hand, with GOption's forms (--opt VALUE, --opt=VALUE); after "--"
 * nothing more is taken. */
static gboolean
take_global_options (ClinicCliContext  *context,
                     GPtrArray         *words,
                     gboolean          *want_help,
                     gboolean          *want_version,
                     GError           **error)
{
  static const char *valued[] = { "database", "user" };
  g_autofree char *database = NULL;
  guint i = 0;

  while (i < words->len)
    {
      const char *word = g_ptr_array_index (words, i);
      gboolean taken = FALSE;

      if (g_str_equal (word, "--"))
        {
          g_ptr_array_remove_index (words, i);
          break;
        }

      for (gsize k = 0; k < G_N_ELEMENTS (valued) && !taken; k++)
        {
          const char *value = NULL;
          char **slot = k == 0 ? &database : &context->user;

          if (!match_valued_option (word, valued[k], &value))
            continue;

          if (value == NULL)
            {
              if (i + 1 >= words->len)
                {
                  g_set_error (error, CLINIC_CLI_ERROR, CLINIC_CLI_ERROR_USAGE,
                               _("The option “--%s” needs a value."), valued[k]);
                  return FALSE;
                }
              value = g_ptr_array_index (words, i + 1);
              g_ptr_array_remove_index (words, i + 1);
            }

          g_free (*slot);
          *slot = g_strdup (value);
          taken = TRUE;
        }

      if (!taken)
        {
          if (g_str_equal (word, "--password-stdin"))
            context->password_stdin = taken = TRUE;
          else if (g_str_equal (word, "--recovery-key-stdin"))
            context->recovery_key_stdin = taken = TRUE;
          else if (g_str_equal (word, "--help") || g_str_equal (word, "-h"))
            *want_help = taken = TRUE;
          else if (g_str_equal (word, "--version"))
            *want_version = taken = TRUE;
        }

      if (taken)
        g_ptr_array_remove_index (words, i);
      else
        i++;
    }

  if (context->password_stdin && context->recovery_key_stdin)
    {
      g_set_error_literal (error, CLINIC_CLI_ERROR, CLINIC_CLI_ERROR_USAGE,
                           _("Use either “--password-stdin” or “--recovery-key-stdin”, not both."));
      return FALSE;
    }

  if (context->user != NULL && context->user[0] == '\0')
    {
      g_set_error_literal (error, CLINIC_CLI_ERROR, CLINIC_CLI_ERROR_USAGE,
                           _("The user name given with “--user” is empty."));
      return FALSE;
    }

  if (database != NULL)
    context->database = clinic_paths_resolve_database (database, NULL, error);
  else
    context->database = clinic_paths_get_default_database ();

  if (context->database == NULL)
    return FALSE;

  if (context->user == NULL)
    context->user = g_strdup (g_get_user_name ());

  return TRUE;
}

int
clinic_cli_run (int            argc,
                char         **argv,
                GOutputStream *out,
                GOutputStream *err)
{
  g_auto(ClinicCliContext) context = { NULL, };
  g_autoptr(GPtrArray) words = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  const ClinicCliCommand *command;
  gboolean want_help = FALSE;
  gboolean want_version = FALSE;
  gboolean ok;

  context.out = out;

  for (int i = 1; i < argc; i++)
    g_ptr_array_add (words, argv[i]);

  if (!take_global_options (&context, words, &want_help, &want_version, &error))
    {
      write_error (err, error->message);
      return 2;
    }

  if (want_version && words->len == 0)
    command = find_command ("version");
  else if (want_help || words->len == 0)
    {
      /* "clinicctl CMD --help" is the help of CMD. */
      if (words->len > 0)
        g_ptr_array_insert (words, 0, (gpointer) "help");
      else
        g_ptr_array_add (words, (gpointer) "help");
      command = find_command ("help");
    }
  else
    command = find_command (g_ptr_array_index (words, 0));

  if (command == NULL)
    {
      g_autofree char *message =
        g_strdup_printf (_("“%s” is not a clinicctl command; “clinicctl help” lists them."),
                         (const char *) g_ptr_array_index (words, 0));
      write_error (err, message);
      return 2;
    }

  if (words->len == 0)
    g_ptr_array_add (words, (gpointer) command->name);

  g_ptr_array_add (words, NULL);
  ok = command->handler (&context, (int) words->len - 1, (char **) words->pdata, &error);
  g_output_stream_flush (out, NULL, NULL);

  if (!ok)
    {
      write_error (err, error->message);
      if (g_error_matches (error, CLINIC_CLI_ERROR, CLINIC_CLI_ERROR_USAGE) ||
          g_error_matches (error, CLINIC_CLI_ERROR, CLINIC_CLI_ERROR_UNKNOWN_COMMAND))
        return 2;
      return 1;
    }

  return 0;
}
