/* clinic-cli.c — clinicctl's grammar and its table of commands */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <sodium.h>
#include <stdio.h>
#include <termios.h>
#include <unistd.h>

#include "clinic-cli.h"
#include "clinic-db.h"
#include "clinic-paths.h"

G_DEFINE_QUARK (clinic-cli-error-quark, clinic_cli_error)

static gboolean command_help    (ClinicCliContext *context, int argc, char **argv, GError **error);
static gboolean command_version (ClinicCliContext *context, int argc, char **argv, GError **error);
static gboolean command_init    (ClinicCliContext *context, int argc, char **argv, GError **error);
static gboolean command_verify  (ClinicCliContext *context, int argc, char **argv, GError **error);
static gboolean command_backup  (ClinicCliContext *context, int argc, char **argv, GError **error);
static gboolean command_restore (ClinicCliContext *context, int argc, char **argv, GError **error);
static gboolean command_rekey   (ClinicCliContext *context, int argc, char **argv, GError **error);
static gboolean command_passwd  (ClinicCliContext *context, int argc, char **argv, GError **error);

/* Commands are added here as the layers below them land. */
static const ClinicCliCommand commands[] = {
  { "init", N_("--clinic-name NAME --admin USER"),
    N_("Create a new clinic database (reads the administrator's password; prints the recovery key)"),
    command_init },
  { "verify", "", N_("Check every page of the database and its integrity"), command_verify },
  { "backup", N_("FILE"), N_("Write an encrypted, checked backup of the database to FILE"), command_backup },
  { "restore", N_("FILE"),
    N_("Replace the database with the backup FILE (a password or recovery key of the backup’s time)"),
    command_restore },
  { "rekey", "", N_("Re-encrypt the database under a new key (prints the new recovery key)"),
    command_rekey },
  { "passwd", N_("USER"), N_("Change USER’s password (reads the current one, then the new one)"),
    command_passwd },
  { "help", N_("[COMMAND]"), N_("Show the commands, or the help of one command"), command_help },
  { "version", "", N_("Show the version of clinicctl"), command_version },
};

/* Passwords shorter than this are refused for staff (SECURITY.md). */
#define MIN_STAFF_PASSWORD 10
#define MAX_SECRET 1024

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

/* --- Secrets ----------------------------------------------------------- */

/* A secret lives in sodium_malloc memory and is wiped when freed. */
static void
secret_free (char *secret)
{
  if (secret != NULL)
    sodium_free (secret);
}

typedef char ClinicSecret;
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ClinicSecret, secret_free)

/* Reads one line into secure memory: from standard input with the
 * --…-stdin options (one line per secret, in the documented order), else
 * from the terminal with echo off. */
static ClinicSecret *
read_secret (ClinicCliContext  *context,
             const char        *prompt,
             GError           **error)
{
  ClinicSecret *secret = sodium_malloc (MAX_SECRET + 1);
  gboolean from_stdin = context->password_stdin || context->recovery_key_stdin;
  struct termios saved, quiet;
  gboolean restore_tty = FALSE;
  FILE *in = stdin;
  FILE *tty = NULL;
  gsize len;

  if (secret == NULL)
    {
      g_set_error_literal (error, CLINIC_CLI_ERROR, CLINIC_CLI_ERROR_FAILED,
                           _("Clinic could not get secure memory for the password."));
      return NULL;
    }

  if (!from_stdin)
    {
      tty = fopen ("/dev/tty", "r+e");
      if (tty == NULL)
        {
          sodium_free (secret);
          g_set_error (error, CLINIC_CLI_ERROR, CLINIC_CLI_ERROR_USAGE,
                       _("There is no terminal to ask for “%s”; pass it on standard input with “--password-stdin”."),
                       prompt);
          return NULL;
        }
      in = tty;
      fprintf (tty, "%s: ", prompt);
      fflush (tty);
      if (tcgetattr (fileno (tty), &saved) == 0)
        {
          quiet = saved;
          quiet.c_lflag &= ~(tcflag_t) ECHO;
          restore_tty = tcsetattr (fileno (tty), TCSAFLUSH, &quiet) == 0;
        }
    }

  if (fgets (secret, MAX_SECRET + 1, in) == NULL)
    secret[0] = '\0';

  if (tty != NULL)
    {
      if (restore_tty)
        tcsetattr (fileno (tty), TCSAFLUSH, &saved);
      fputc ('\n', tty);
      fclose (tty);
    }

  len = strlen (secret);
  if (len == MAX_SECRET && secret[len - 1] != '\n')
    {
      sodium_free (secret);
      g_set_error (error, CLINIC_CLI_ERROR, CLINIC_CLI_ERROR_USAGE,
                   _("“%s” is longer than %d characters."), prompt, MAX_SECRET);
      return NULL;
    }
  while (len > 0 && (secret[len - 1] == '\n' || secret[len - 1] == '\r'))
    secret[--len] = '\0';

  if (len == 0)
    {
      sodium_free (secret);
      g_set_error (error, CLINIC_CLI_ERROR, CLINIC_CLI_ERROR_USAGE,
                   from_stdin ? _("Standard input ended before “%s” was given.")
                              : _("“%s” was left empty."),
                   prompt);
      return NULL;
    }

  return secret;
}

static gboolean
check_new_password (const char  *password,
                    GError     **error)
{
  if (g_utf8_strlen (password, -1) < MIN_STAFF_PASSWORD)
    {
      g_set_error (error, CLINIC_CLI_ERROR, CLINIC_CLI_ERROR_FAILED,
                   _("The new password is too short: use at least %d characters (a few words make a good one)."),
                   MIN_STAFF_PASSWORD);
      return FALSE;
    }

  return TRUE;
}

/* Asks for a new password; on a terminal twice, to catch a typo. */
static ClinicSecret *
read_new_password (ClinicCliContext  *context,
                   const char        *prompt,
                   GError           **error)
{
  g_autoptr(ClinicSecret) password = read_secret (context, prompt, error);
  g_autoptr(ClinicSecret) again = NULL;

  if (password == NULL || !check_new_password (password, error))
    return NULL;

  if (!context->password_stdin)
    {
      again = read_secret (context, _("The same password again"), error);
      if (again == NULL)
        return NULL;
      if (strcmp (password, again) != 0)
        {
          g_set_error_literal (error, CLINIC_CLI_ERROR, CLINIC_CLI_ERROR_FAILED,
                               _("The two passwords are not the same; nothing was changed."));
          return NULL;
        }
    }

  return g_steal_pointer (&password);
}

/* Parses a command's own options; extra words are a usage error. */
static gboolean
parse_command_options (int            *argc,
                       char         ***argv,
                       GOptionEntry   *entries,
                       int             n_positional,
                       GError        **error)
{
  g_autoptr(GOptionContext) options = g_option_context_new (NULL);

  g_option_context_set_help_enabled (options, FALSE);
  g_option_context_add_main_entries (options, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (options, argc, argv, error))
    {
      g_autofree char *message = g_strdup ((*error)->message);

      g_clear_error (error);
      g_set_error (error, CLINIC_CLI_ERROR, CLINIC_CLI_ERROR_USAGE, "%s.", message);
      return FALSE;
    }

  if (*argc - 1 != n_positional)
    {
      g_set_error (error, CLINIC_CLI_ERROR, CLINIC_CLI_ERROR_USAGE,
                   _("“%s” takes %d argument(s); “clinicctl help %s” shows them."),
                   (*argv)[0], n_positional, (*argv)[0]);
      return FALSE;
    }

  return TRUE;
}

/* Opens the database with the password of --user, or the recovery key. */
static ClinicDb *
open_database (ClinicCliContext  *context,
               GError           **error)
{
  g_autoptr(ClinicSecret) secret = NULL;
  ClinicCredentials credentials = { NULL, };
  ClinicDb *db;

  if (context->recovery_key_stdin)
    {
      secret = read_secret (context, _("Recovery key"), error);
      credentials.recovery_key = secret;
    }
  else
    {
      g_autofree char *prompt = g_strdup_printf (_("Password for %s"), context->user);

      secret = read_secret (context, prompt, error);
      credentials.user = context->user;
      credentials.password = secret;
    }

  if (secret == NULL)
    return NULL;

  db = clinic_db_open (context->database, &credentials, error);
  if (db != NULL && clinic_db_is_recovery_key_outdated (db))
    g_printerr ("clinicctl: %s\n",
                _("An interrupted change of keys was finished: the printed recovery key no longer opens this database. Run “clinicctl rekey” to get a new one."));

  return db;
}

static void
print_recovery_key (ClinicCliContext *context,
                    char             *key)
{
  clinic_cli_print (context, "%s\n", key);
  sodium_memzero (key, strlen (key));
  g_free (key);
  g_printerr ("%s\n", _("This is the recovery key. It opens the database without any password: "
                        "print it or write it down, keep it locked away, and never store it on this PC."));
}

/* --- Commands ---------------------------------------------------------- */

static gboolean
command_init (ClinicCliContext  *context,
              int                argc,
              char             **argv,
              GError           **error)
{
  g_autofree char *clinic_name = NULL;
  g_autofree char *admin = NULL;
  g_autoptr(ClinicSecret) password = NULL;
  g_autoptr(ClinicDb) db = NULL;
  g_autofree char *prompt = NULL;
  char *recovery = NULL;
  GOptionEntry entries[] = {
    { "clinic-name", 0, 0, G_OPTION_ARG_STRING, &clinic_name, NULL, NULL },
    { "admin", 0, 0, G_OPTION_ARG_STRING, &admin, NULL, NULL },
    { NULL }
  };
  ClinicCredentials credentials = { NULL, };

  if (!parse_command_options (&argc, &argv, entries, 0, error))
    return FALSE;

  if (clinic_name == NULL || admin == NULL)
    {
      g_set_error_literal (error, CLINIC_CLI_ERROR, CLINIC_CLI_ERROR_USAGE,
                           _("“init” needs “--clinic-name NAME” and “--admin USER”."));
      return FALSE;
    }

  prompt = g_strdup_printf (_("New password for %s"), admin);
  password = read_new_password (context, prompt, error);
  if (password == NULL)
    return FALSE;

  credentials.user = admin;
  credentials.password = password;
  db = clinic_db_create (context->database, clinic_name, &credentials, &recovery, error);
  if (db == NULL)
    return FALSE;

  print_recovery_key (context, recovery);
  return TRUE;
}

static gboolean
command_verify (ClinicCliContext  *context,
                int                argc,
                char             **argv,
                GError           **error)
{
  g_autoptr(ClinicDb) db = NULL;
  g_autofree char *report = NULL;
  gboolean ok;

  if (!parse_command_options (&argc, &argv, (GOptionEntry[]) { { NULL } }, 0, error))
    return FALSE;

  db = open_database (context, error);
  if (db == NULL)
    return FALSE;

  ok = clinic_db_verify (db, &report, error);
  if (report != NULL)
    clinic_cli_print (context, "%s", report);

  return ok;
}

static gboolean
command_backup (ClinicCliContext  *context,
                int                argc,
                char             **argv,
                GError           **error)
{
  g_autoptr(ClinicDb) db = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *file = NULL;

  if (!parse_command_options (&argc, &argv, (GOptionEntry[]) { { NULL } }, 1, error))
    return FALSE;

  file = clinic_paths_resolve_database (argv[1], NULL, error);
  if (file == NULL)
    return FALSE;

  db = open_database (context, error);
  if (db == NULL || !clinic_db_backup (db, file, NULL, error))
    return FALSE;

  clinic_cli_print (context, "%s\n", file);
  return TRUE;
}

static gboolean
command_restore (ClinicCliContext  *context,
                 int                argc,
                 char             **argv,
                 GError           **error)
{
  g_autoptr(ClinicSecret) secret = NULL;
  ClinicCredentials credentials = { NULL, };

  if (!parse_command_options (&argc, &argv, (GOptionEntry[]) { { NULL } }, 1, error))
    return FALSE;

  if (context->recovery_key_stdin)
    {
      secret = read_secret (context, _("Recovery key of the backup"), error);
      credentials.recovery_key = secret;
    }
  else
    {
      g_autofree char *prompt = g_strdup_printf (_("Password for %s when the backup was made"),
                                                 context->user);

      secret = read_secret (context, prompt, error);
      credentials.user = context->user;
      credentials.password = secret;
    }

  if (secret == NULL || !clinic_db_restore (context->database, argv[1], &credentials, error))
    return FALSE;

  clinic_cli_print (context, _("Restored %s from %s; the previous database is kept as %s.pre-restore\n"),
                    context->database, argv[1], context->database);
  return TRUE;
}

static gboolean
command_rekey (ClinicCliContext  *context,
               int                argc,
               char             **argv,
               GError           **error)
{
  g_autoptr(ClinicDb) db = NULL;
  char *recovery = NULL;

  if (!parse_command_options (&argc, &argv, (GOptionEntry[]) { { NULL } }, 0, error))
    return FALSE;

  db = open_database (context, error);
  if (db == NULL || !clinic_db_rekey (db, &recovery, error))
    return FALSE;

  print_recovery_key (context, recovery);
  g_printerr ("%s\n", _("Backups made before now still open only with the old recovery key and the passwords of their time."));
  return TRUE;
}

static gboolean
command_passwd (ClinicCliContext  *context,
                int                argc,
                char             **argv,
                GError           **error)
{
  g_autoptr(ClinicSecret) current = NULL;
  g_autoptr(ClinicSecret) fresh = NULL;
  g_autofree char *prompt = NULL;

  if (!parse_command_options (&argc, &argv, (GOptionEntry[]) { { NULL } }, 1, error))
    return FALSE;

  if (context->recovery_key_stdin)
    {
      g_set_error_literal (error, CLINIC_CLI_ERROR, CLINIC_CLI_ERROR_USAGE,
                           _("“passwd” reads the current password and the new one with “--password-stdin”."));
      return FALSE;
    }

  prompt = g_strdup_printf (_("Current password for %s"), argv[1]);
  current = read_secret (context, prompt, error);
  if (current == NULL)
    return FALSE;

  g_free (prompt);
  prompt = g_strdup_printf (_("New password for %s"), argv[1]);
  fresh = read_new_password (context, prompt, error);
  if (fresh == NULL)
    return FALSE;

  if (!clinic_db_change_password_at (context->database, argv[1], current, fresh, NULL, error))
    return FALSE;

  clinic_cli_print (context, _("The password of %s was changed.\n"), argv[1]);
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
