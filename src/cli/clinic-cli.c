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
#include "clinic-cli-private.h"
#include "clinic-db.h"
#include "clinic-session.h"
#include "clinic-settings.h"
#include "clinic-storage.h"
#include "clinic-paths.h"
#include "clinic-demo.h"
#include "clinic-patient-csv.h"
#include "clinic-patients.h"
#include "clinic-users.h"

G_DEFINE_QUARK (clinic-cli-error-quark, clinic_cli_error)

static gboolean command_help    (ClinicCliContext *context, int argc, char **argv, GError **error);
static gboolean command_version (ClinicCliContext *context, int argc, char **argv, GError **error);
static gboolean command_init    (ClinicCliContext *context, int argc, char **argv, GError **error);
static gboolean command_verify  (ClinicCliContext *context, int argc, char **argv, GError **error);
static gboolean command_backup  (ClinicCliContext *context, int argc, char **argv, GError **error);
static gboolean command_restore (ClinicCliContext *context, int argc, char **argv, GError **error);
static gboolean command_rekey   (ClinicCliContext *context, int argc, char **argv, GError **error);
static gboolean command_passwd  (ClinicCliContext *context, int argc, char **argv, GError **error);
static gboolean command_users   (ClinicCliContext *context, int argc, char **argv, GError **error);
static gboolean command_roles   (ClinicCliContext *context, int argc, char **argv, GError **error);
static gboolean command_settings (ClinicCliContext *context, int argc, char **argv, GError **error);
static gboolean command_audit   (ClinicCliContext *context, int argc, char **argv, GError **error);
static gboolean command_demo    (ClinicCliContext *context, int argc, char **argv, GError **error);
static gboolean command_patients (ClinicCliContext *context, int argc, char **argv, GError **error);
static gboolean command_import  (ClinicCliContext *context, int argc, char **argv, GError **error);

/* Commands are added here as the layers below them land. */
static const ClinicCliCommand commands[] = {
  { "init", N_("--clinic-name NAME --admin USER [--admin-name FULL-NAME]"),
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
  { "users", N_("list | add NAME --display-name TEXT --role ROLE [--patient] | disable NAME | enable NAME | passwd-reset NAME | unlock NAME"),
    N_("List, add, disable or enable users, reset a password, or lift a lock-out (reads your password first, then the user’s new one)"),
    command_users },
  { "roles", N_("list"), N_("List the roles and their permissions"), command_roles },
  { "settings", N_("list | get KEY | set KEY VALUE | reset KEY"),
    N_("Show or change the clinic’s settings"), command_settings },
  { "audit", N_("list [--by USER] [--action ACTION] [--patient ID] [--from DATE] [--to DATE] [--limit N] | verify [--anchor BACKUP]"),
    N_("List the audit trail, newest first, or check that it is whole"), command_audit },
  { "demo", N_("[--patients N] [--doctors N] [--appointments N] [--seed N]"),
    N_("Create a demo clinic with synthetic patients at --database (prints the demo logins)"),
    command_demo },
  { "patients", N_("search QUERY [--inactive] [--deceased] [--limit N] | show CHART-NUMBER"),
    N_("Find patients as the registry does, or show one patient"), command_patients },
  { "import", N_("patients FILE.csv [--map HEADER=FIELD]… [--valid-only] | ics FILE.ics --doctor USER [--patient CHART-NUMBER] [--type VISIT-TYPE] [--blocked] [--dry-run]"),
    N_("Register the patients of a CSV file (all rows, or with --valid-only those without errors), or import a calendar file as appointments or blocked time (prints a report; imports only without conflicts)"),
    command_import },
  { "export", N_("ics FILE.ics [--doctor USER] [--from DATE --to DATE] [--detail busy|initials|full]"),
    N_("Write appointments to an iCalendar file (busy only unless --detail says more; prints the number of events)"),
    clinic_cli_command_export },
  { "visit-types", N_("list"), N_("List the visit types: name, minutes, colour, who may book"),
    clinic_cli_command_visit_types },
  { "rooms", N_("list [--all] | add NAME | retire NAME | reactivate NAME | rename NAME NEW-NAME"),
    N_("List the rooms (name first; --all with the retired ones), or add, retire, reactivate or rename one"),
    clinic_cli_command_rooms },
  { "availability", N_("--doctor USER --type VISIT-TYPE --from DATE --to DATE"),
    N_("List the free times of a doctor (or, without --doctor, of every doctor), one a line"),
    clinic_cli_command_availability },
  { "appointments", N_("book --doctor USER --patient CHART-NUMBER --type VISIT-TYPE --start 'YYYY-MM-DD HH:MM' [--room ROOM] [--reason TEXT] [--anyway REASON] [--repeat weekly|monthly-date|monthly-weekday [--every N] --count N|--until DATE [--skip-conflicts]] | list --date DATE [--doctor USER] | cancel ID --reason TEXT [--series this|following|all] | series ID | confirm ID | arrive ID | complete ID | no-show ID"),
    N_("Book, list, cancel and follow appointments, one or a recurring series (book prints the ID# of each appointment booked; series lists the ones of a series still to come)"),
    clinic_cli_command_appointments },
  { "help", N_("[COMMAND]"), N_("Show the commands, or the help of one command"), command_help },
  { "version", "", N_("Show the version of clinicctl"), command_version },
};

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

/* Asks for a new password; on a terminal twice, to catch a typo. */
static ClinicSecret *
read_new_password (ClinicCliContext  *context,
                   const char        *prompt,
                   GError           **error)
{
  g_autoptr(ClinicSecret) password = read_secret (context, prompt, error);
  g_autoptr(ClinicSecret) again = NULL;

  /* The rules for a password (length, dictionary) are the core's, which
   * differ for staff and patients; here only the typing is checked. */
  if (password == NULL)
    return NULL;

  if (!context->password_stdin && !context->recovery_key_stdin)
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

/* Opens the database and starts the session of whoever opened it: every
 * command acts through the same permission checks and audit as the
 * window. */
static ClinicSession *
start_session (ClinicCliContext  *context,
               GError           **error)
{
  g_autoptr(ClinicDb) db = open_database (context, error);

  if (db == NULL)
    return NULL;

  return clinic_session_start (db, error);
}

ClinicSession *
clinic_cli_start_session (ClinicCliContext  *context,
                          GError           **error)
{
  return start_session (context, error);
}

gboolean
clinic_cli_parse_options (int            *argc,
                          char         ***argv,
                          GOptionEntry   *entries,
                          int             n_positional,
                          GError        **error)
{
  return parse_command_options (argc, argv, entries, n_positional, error);
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
  g_autofree char *admin_name = NULL;
  g_autoptr(ClinicSecret) password = NULL;
  g_autoptr(ClinicDb) db = NULL;
  g_autofree char *prompt = NULL;
  char *recovery = NULL;
  GOptionEntry entries[] = {
    { "clinic-name", 0, 0, G_OPTION_ARG_STRING, &clinic_name, NULL, NULL },
    { "admin", 0, 0, G_OPTION_ARG_STRING, &admin, NULL, NULL },
    { "admin-name", 0, 0, G_OPTION_ARG_STRING, &admin_name, NULL, NULL },
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

  /* The administrator's full name, as the set-up assistant asks for it. */
  if (admin_name != NULL)
    {
      g_autoptr(ClinicSession) session = clinic_session_start (db, error);

      if (session == NULL ||
          !clinic_users_set_display_name (session, clinic_session_get_user_id (session),
                                          admin_name, error))
        {
          sodium_memzero (recovery, strlen (recovery));
          g_free (recovery);
          return FALSE;
        }
      clinic_session_sign_out (session);
    }

  print_recovery_key (context, recovery);
  return TRUE;
}

static gboolean
command_verify (ClinicCliContext  *context,
                int                argc,
                char             **argv,
                GError           **error)
{
  g_autoptr(ClinicSession) session = NULL;
  g_autofree char *report = NULL;
  gboolean ok;

  if (!parse_command_options (&argc, &argv, (GOptionEntry[]) { { NULL } }, 0, error))
    return FALSE;

  session = start_session (context, error);
  if (session == NULL)
    return FALSE;

  ok = clinic_storage_verify (session, &report, error);
  if (report != NULL)
    clinic_cli_print (context, "%s", report);

  clinic_session_sign_out (session);
  return ok;
}

static gboolean
command_backup (ClinicCliContext  *context,
                int                argc,
                char             **argv,
                GError           **error)
{
  g_autoptr(ClinicSession) session = NULL;
  g_autofree char *file = NULL;
  gboolean ok;

  if (!parse_command_options (&argc, &argv, (GOptionEntry[]) { { NULL } }, 1, error))
    return FALSE;

  file = clinic_paths_resolve_database (argv[1], NULL, error);
  if (file == NULL)
    return FALSE;

  session = start_session (context, error);
  if (session == NULL)
    return FALSE;

  ok = clinic_storage_backup (session, file, NULL, error);
  if (ok)
    clinic_cli_print (context, "%s\n", file);
  clinic_session_sign_out (session);
  return ok;
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
  g_autoptr(ClinicSession) session = NULL;
  char *recovery = NULL;
  gboolean ok;

  if (!parse_command_options (&argc, &argv, (GOptionEntry[]) { { NULL } }, 0, error))
    return FALSE;

  session = start_session (context, error);
  if (session == NULL)
    return FALSE;

  ok = clinic_storage_rekey (session, &recovery, error);
  clinic_session_sign_out (session);
  if (!ok)
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

  /* The current password opens the database as that user, and the
   * change goes through the same core call (and audit) as the window's
   * Account page. */
  {
    ClinicCredentials credentials = { argv[1], current, NULL, NULL };
    g_autoptr(ClinicDb) db = clinic_db_open (context->database, &credentials, error);
    g_autoptr(ClinicSession) session = NULL;
    gboolean ok;

    if (db == NULL)
      return FALSE;
    session = clinic_session_start (db, error);
    if (session == NULL)
      return FALSE;

    ok = clinic_users_change_own_password (session, current, fresh, NULL, error);
    clinic_session_sign_out (session);
    if (!ok)
      return FALSE;
  }

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

/* --- Users and roles (clinic-users.h) ---------------------------------- */

/* Asks for another user's new password: on a terminal twice. The length
 * and dictionary rules are the core's (they differ for patients). */
static ClinicSecret *
read_user_password (ClinicCliContext  *context,
                    const char        *user,
                    GError           **error)
{
  g_autofree char *prompt = g_strdup_printf (_("New password for %s"), user);

  return read_new_password (context, prompt, error);
}

/* A role named by its id or its name (any case). */
static gint64
find_role (ClinicSession  *session,
           const char     *word,
           GError        **error)
{
  g_autoptr(GPtrArray) roles = clinic_roles_list (session, error);
  g_autofree char *folded = g_utf8_casefold (word, -1);

  if (roles == NULL)
    return 0;

  for (guint i = 0; i < roles->len; i++)
    {
      ClinicRole *role = g_ptr_array_index (roles, i);
      g_autofree char *id = g_strdup_printf ("%" G_GINT64_FORMAT, role->id);
      g_autofree char *name = g_utf8_casefold (role->name, -1);

      if (g_str_equal (word, id) || g_str_equal (folded, name))
        return role->id;
    }

  g_set_error (error, CLINIC_CLI_ERROR, CLINIC_CLI_ERROR_FAILED,
               _("There is no role called “%s”; “clinicctl roles list” shows them."), word);
  return 0;
}

static gboolean
users_list (ClinicCliContext  *context,
            GError           **error)
{
  g_autoptr(ClinicDb) db = NULL;
  g_autoptr(ClinicSession) session = start_session (context, error);
  g_autoptr(GPtrArray) users = NULL;

  if (session == NULL)
    return FALSE;

  users = clinic_users_list (session, error);
  if (users == NULL)
    return FALSE;

  for (guint i = 0; i < users->len; i++)
    {
      ClinicUser *user = g_ptr_array_index (users, i);

      clinic_cli_print (context, "%" G_GINT64_FORMAT "\t%s\t%s\t%s\t%s\t%s\n",
                        user->id, user->name, user->display_name, user->role_name,
                        user->kind == CLINIC_USER_PATIENT ? "patient" : "staff",
                        user->disabled ? "disabled" : "active");
    }

  return TRUE;
}

static gboolean
users_add (ClinicCliContext  *context,
           int                argc,
           char             **argv,
           GError           **error)
{
  g_autofree char *display_name = NULL;
  g_autofree char *role = NULL;
  gboolean patient = FALSE;
  GOptionEntry entries[] = {
    { "display-name", 0, 0, G_OPTION_ARG_STRING, &display_name, NULL, NULL },
    { "role", 0, 0, G_OPTION_ARG_STRING, &role, NULL, NULL },
    { "patient", 0, 0, G_OPTION_ARG_NONE, &patient, NULL, NULL },
    { NULL }
  };
  g_autoptr(ClinicSession) session = NULL;
  g_autoptr(ClinicSecret) password = NULL;
  gint64 role_id = 0;
  gint64 id;

  if (!parse_command_options (&argc, &argv, entries, 1, error))
    return FALSE;

  if (role == NULL && !patient)
    {
      g_set_error_literal (error, CLINIC_CLI_ERROR, CLINIC_CLI_ERROR_USAGE,
                           _("“users add” needs “--role ROLE” for a staff member, or “--patient”."));
      return FALSE;
    }

  /* Your own password first (it opens the database), then theirs. */
  session = start_session (context, error);
  if (session == NULL)
    return FALSE;
  if (role != NULL && (role_id = find_role (session, role, error)) == 0)
    return FALSE;

  password = read_user_password (context, argv[1], error);
  if (password == NULL)
    return FALSE;

  id = clinic_users_create (session, argv[1], display_name != NULL ? display_name : argv[1],
                            patient ? CLINIC_USER_PATIENT : CLINIC_USER_STAFF, role_id,
                            password, NULL, error);
  if (id == 0)
    return FALSE;

  clinic_cli_print (context, "%" G_GINT64_FORMAT "\t%s\n", id, argv[1]);
  return TRUE;
}

/* disable, enable and passwd-reset: one user, named by sign-in name. */
static gboolean
users_change (ClinicCliContext  *context,
              int                argc,
              char             **argv,
              GError           **error)
{
  g_autoptr(ClinicSession) session = NULL;
  g_autoptr(ClinicUser) user = NULL;
  g_autoptr(ClinicSecret) password = NULL;
  const char *verb = argv[0];

  if (!parse_command_options (&argc, &argv, (GOptionEntry[]) { { NULL } }, 1, error))
    return FALSE;

  session = start_session (context, error);
  if (session == NULL)
    return FALSE;
  user = clinic_users_lookup_by_name (session, argv[1], error);
  if (user == NULL)
    return FALSE;

  if (g_str_equal (verb, "disable"))
    {
      if (!clinic_users_set_disabled (session, user->id, TRUE, NULL, NULL, error))
        return FALSE;
      clinic_cli_print (context, _("%s is disabled.\n"), user->name);
      if (user->kind == CLINIC_USER_STAFF)
        clinic_cli_print (context,
                          _("Run “clinicctl rekey” now: a copy of the old key file would still open the database with %s’s password.\n"),
                          user->name);
      return TRUE;
    }

  if (g_str_equal (verb, "unlock"))
    {
      if (!clinic_users_clear_lockout (session, user->id, error))
        return FALSE;
      clinic_cli_print (context, _("%s may sign in again at once.\n"), user->name);
      return TRUE;
    }

  password = read_user_password (context, user->name, error);
  if (password == NULL)
    return FALSE;

  if (g_str_equal (verb, "enable"))
    {
      if (!clinic_users_set_disabled (session, user->id, FALSE, password, NULL, error))
        return FALSE;
      clinic_cli_print (context, _("%s is enabled again, with the new password.\n"), user->name);
      return TRUE;
    }

  if (!clinic_users_reset_password (session, user->id, password, NULL, error))
    return FALSE;
  clinic_cli_print (context, _("The password of %s was reset.\n"), user->name);
  return TRUE;
}

/* users list | add NAME … | disable NAME | enable NAME | passwd-reset NAME.
 * Passwords are read in this order: yours (to open the database), then
 * the user's new one. */
static gboolean
command_users (ClinicCliContext  *context,
               int                argc,
               char             **argv,
               GError           **error)
{
  const char *verb = argc > 1 ? argv[1] : NULL;

  if (g_strcmp0 (verb, "list") == 0)
    {
      int n_words = argc - 1;
      char **words = argv + 1;

      if (!parse_command_options (&n_words, &words, (GOptionEntry[]) { { NULL } }, 0, error))
        return FALSE;
      return users_list (context, error);
    }
  if (g_strcmp0 (verb, "add") == 0)
    return users_add (context, argc - 1, argv + 1, error);
  if (g_strcmp0 (verb, "disable") == 0 || g_strcmp0 (verb, "enable") == 0 ||
      g_strcmp0 (verb, "passwd-reset") == 0 || g_strcmp0 (verb, "unlock") == 0)
    return users_change (context, argc - 1, argv + 1, error);

  g_set_error_literal (error, CLINIC_CLI_ERROR, CLINIC_CLI_ERROR_USAGE,
                       _("“users” needs one of: list, add, disable, enable, passwd-reset, unlock; “clinicctl help users” shows them."));
  return FALSE;
}

/* roles list: id, name, built-in or custom, permissions. */
static gboolean
command_roles (ClinicCliContext  *context,
               int                argc,
               char             **argv,
               GError           **error)
{
  g_autoptr(ClinicSession) session = NULL;
  g_autoptr(GPtrArray) roles = NULL;
  int n_words = argc - 1;
  char **words = argv + 1;

  if (argc < 2 || !g_str_equal (argv[1], "list"))
    {
      g_set_error_literal (error, CLINIC_CLI_ERROR, CLINIC_CLI_ERROR_USAGE,
                           _("“roles” needs “list”."));
      return FALSE;
    }
  if (!parse_command_options (&n_words, &words, (GOptionEntry[]) { { NULL } }, 0, error))
    return FALSE;

  session = start_session (context, error);
  if (session == NULL)
    return FALSE;
  roles = clinic_roles_list (session, error);
  if (roles == NULL)
    return FALSE;

  for (guint i = 0; i < roles->len; i++)
    {
      ClinicRole *role = g_ptr_array_index (roles, i);
      g_autoptr(GString) permissions = g_string_new (NULL);

      for (guint p = 0; p < CLINIC_N_PERMISSIONS; p++)
        if (role->permissions[p])
          g_string_append_printf (permissions, "%s%s", permissions->len > 0 ? "," : "",
                                  clinic_permission_get_id ((ClinicPermission) p));

      clinic_cli_print (context, "%" G_GINT64_FORMAT "\t%s\t%s\t%s\n", role->id, role->name,
                        role->builtin != NULL ? "built-in" : "custom", permissions->str);
    }

  return TRUE;
}

/* --- settings ---------------------------------------------------------- */

/* settings list: key, value, "default" or "set", title. */
static gboolean
settings_list (ClinicCliContext  *context,
               ClinicSettings    *settings)
{
  const ClinicSettingSpec *specs;
  guint n_specs = 0;

  specs = clinic_settings_list_specs (&n_specs);
  for (guint i = 0; i < n_specs; i++)
    {
      g_autofree char *value = clinic_settings_get (settings, specs[i].key);
      g_autofree char *shown = g_strescape (value, "");

      clinic_cli_print (context, "%s\t%s\t%s\t%s\n", specs[i].key, shown,
                        clinic_settings_is_default (settings, specs[i].key) ? "default" : "set",
                        g_dgettext (GETTEXT_PACKAGE, specs[i].title));
    }

  return TRUE;
}

static gboolean
command_settings (ClinicCliContext  *context,
                  int                argc,
                  char             **argv,
                  GError           **error)
{
  g_autoptr(ClinicSession) session = NULL;
  ClinicSettings *settings;
  const char *verb = argc > 1 ? argv[1] : "";
  int n_words = argc - 1;
  char **words = argv + 1;
  int positional;
  gboolean ok = TRUE;

  if (g_str_equal (verb, "list"))
    positional = 0;
  else if (g_str_equal (verb, "get") || g_str_equal (verb, "reset"))
    positional = 1;
  else if (g_str_equal (verb, "set"))
    positional = 2;
  else
    {
      g_set_error_literal (error, CLINIC_CLI_ERROR, CLINIC_CLI_ERROR_USAGE,
                           _("“settings” needs one of: list, get KEY, set KEY VALUE, reset KEY."));
      return FALSE;
    }

  if (!parse_command_options (&n_words, &words, (GOptionEntry[]) { { NULL } }, positional, error))
    return FALSE;

  /* An unknown key is a mistake in the words, found before any password
   * is asked for. */
  if (positional > 0 && clinic_settings_lookup_spec (words[1]) == NULL)
    {
      g_set_error (error, CLINIC_CLI_ERROR, CLINIC_CLI_ERROR_USAGE,
                   _("There is no setting called “%s”; “clinicctl settings list” shows them."),
                   words[1]);
      return FALSE;
    }

  session = start_session (context, error);
  if (session == NULL)
    return FALSE;
  settings = clinic_settings_get_for_db (clinic_session_get_db (session));

  if (g_str_equal (verb, "list"))
    ok = settings_list (context, settings);
  else if (g_str_equal (verb, "get"))
    {
      g_autofree char *value = clinic_settings_get (settings, words[1]);

      clinic_cli_print (context, "%s\n", value);
    }
  else if (g_str_equal (verb, "set"))
    ok = clinic_settings_set (settings, session, words[1], words[2], error);
  else
    ok = clinic_settings_reset (settings, session, words[1], error);

  clinic_session_sign_out (session);
  return ok;
}

/* --- audit ------------------------------------------------------------- */

/* A date as the clinic writes it (YYYY-MM-DD) at midnight in the clinic's
 * time zone, as Unix seconds; @days is added (1: the day after, for an
 * inclusive "to"). */
static gboolean
parse_clinic_date (ClinicSettings  *settings,
                   const char      *text,
                   int              days,
                   gint64          *out,
                   GError         **error)
{
  g_autofree char *zone_name = clinic_settings_get (settings, "clinic.timezone");
  g_autoptr(GTimeZone) zone = g_time_zone_new_identifier (zone_name);
  g_autoptr(GDateTime) date = NULL;
  g_autoptr(GDateTime) moved = NULL;
  int y, m, d;
  char tail;

  if (zone == NULL)
    zone = g_time_zone_new_utc ();

  if (sscanf (text, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3 ||
      !g_date_valid_dmy ((GDateDay) d, (GDateMonth) m, (GDateYear) y))
    {
      g_set_error (error, CLINIC_CLI_ERROR, CLINIC_CLI_ERROR_USAGE,
                   _("“%s” is not a date; write it like 2026-11-25."), text);
      return FALSE;
    }

  date = g_date_time_new (zone, y, m, d, 0, 0, 0);
  moved = g_date_time_add_days (date, days);
  *out = g_date_time_to_unix (moved);
  return TRUE;
}

static gboolean
audit_list (ClinicCliContext  *context,
            int                argc,
            char             **argv,
            GError           **error)
{
  g_autoptr(ClinicSession) session = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GTimeZone) zone = NULL;
  g_autofree char *user = NULL;
  g_autofree char *action = NULL;
  g_autofree char *from = NULL;
  g_autofree char *to = NULL;
  g_autofree char *zone_name = NULL;
  gint64 patient = 0;
  int limit = 100;
  ClinicAuditFilter filter = { NULL, };
  ClinicSettings *settings;
  GOptionEntry entries_spec[] = {
    { "by", 0, 0, G_OPTION_ARG_STRING, &user, NULL, NULL },
    { "action", 0, 0, G_OPTION_ARG_STRING, &action, NULL, NULL },
    { "patient", 0, 0, G_OPTION_ARG_INT64, &patient, NULL, NULL },
    { "from", 0, 0, G_OPTION_ARG_STRING, &from, NULL, NULL },
    { "to", 0, 0, G_OPTION_ARG_STRING, &to, NULL, NULL },
    { "limit", 0, 0, G_OPTION_ARG_INT, &limit, NULL, NULL },
    { NULL }
  };

  if (!parse_command_options (&argc, &argv, entries_spec, 0, error))
    return FALSE;
  if (limit < 0)
    {
      g_set_error_literal (error, CLINIC_CLI_ERROR, CLINIC_CLI_ERROR_USAGE,
                           _("“--limit” must be 0 (everything) or more."));
      return FALSE;
    }

  session = start_session (context, error);
  if (session == NULL)
    return FALSE;
  settings = clinic_settings_get_for_db (clinic_session_get_db (session));

  filter.user_name = user;
  filter.action = action;
  filter.patient_id = patient;
  if ((from != NULL && !parse_clinic_date (settings, from, 0, &filter.from_time, error)) ||
      (to != NULL && !parse_clinic_date (settings, to, 1, &filter.to_time, error)))
    return FALSE;

  entries = clinic_audit_list (session, &filter, 0, (guint) limit, error);
  if (entries == NULL)
    return FALSE;

  zone_name = clinic_settings_get (settings, "clinic.timezone");
  zone = g_time_zone_new_identifier (zone_name);
  if (zone == NULL)
    zone = g_time_zone_new_utc ();

  for (guint i = 0; i < entries->len; i++)
    {
      ClinicAuditEntry *entry = g_ptr_array_index (entries, i);
      g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (entry->time);
      g_autoptr(GDateTime) local = g_date_time_to_timezone (utc, zone);
      g_autofree char *when = g_date_time_format (local, "%Y-%m-%d %H:%M");
      g_autofree char *object = NULL;
      g_autofree char *patient_text = entry->patient_id > 0
                                      ? g_strdup_printf ("%" G_GINT64_FORMAT, entry->patient_id)
                                      : g_strdup ("");

      if (entry->object_type != NULL)
        object = g_strdup_printf ("%s:%s", entry->object_type,
                                  entry->object_id != NULL ? entry->object_id : "");
      else
        object = g_strdup ("");

      clinic_cli_print (context, "%" G_GINT64_FORMAT "\t%s\t%s\t%s\t%s\t%s\n",
                        entry->seq, when, entry->user_name, entry->action, object, patient_text);
    }

  clinic_session_sign_out (session);
  return TRUE;
}

static gboolean
audit_verify (ClinicCliContext  *context,
              int                argc,
              char             **argv,
              GError           **error)
{
  g_autoptr(ClinicSession) session = NULL;
  g_autofree char *anchor_file = NULL;
  g_autofree char *report = NULL;
  ClinicAuditAnchor anchor;
  gboolean ok;
  GOptionEntry entries_spec[] = {
    { "anchor", 0, 0, G_OPTION_ARG_FILENAME, &anchor_file, NULL, NULL },
    { NULL }
  };

  if (!parse_command_options (&argc, &argv, entries_spec, 0, error))
    return FALSE;

  /* A backup carries the head of the chain as it was: the trail must
   * still lead through it. */
  if (anchor_file != NULL && !clinic_db_read_backup_anchor (anchor_file, &anchor, error))
    return FALSE;

  session = start_session (context, error);
  if (session == NULL)
    return FALSE;

  ok = clinic_audit_verify (session, anchor_file != NULL ? &anchor : NULL, &report, error);
  if (report != NULL)
    clinic_cli_print (context, "%s", report);
  clinic_session_sign_out (session);

  return ok;
}

static gboolean
command_audit (ClinicCliContext  *context,
               int                argc,
               char             **argv,
               GError           **error)
{
  const char *verb = argc > 1 ? argv[1] : "";

  if (g_str_equal (verb, "list"))
    return audit_list (context, argc - 1, argv + 1, error);
  if (g_str_equal (verb, "verify"))
    return audit_verify (context, argc - 1, argv + 1, error);

  g_set_error_literal (error, CLINIC_CLI_ERROR, CLINIC_CLI_ERROR_USAGE,
                       _("“audit” needs “list” or “verify”."));
  return FALSE;
}

/* --- demo --------------------------------------------------------------- */

/* demo [--patients N] [--seed N]: a new database, no questions asked;
 * prints ROLE<TAB>USER<TAB>PASSWORD a line, the recovery key on stderr. */
static gboolean
command_demo (ClinicCliContext  *context,
              int                argc,
              char             **argv,
              GError           **error)
{
  const ClinicDemoLogin *logins;
  char *recovery;
  gint n_patients = 200, seed = 1, n_doctors = CLINIC_DEMO_DOCTORS;
  gint64 n_appointments = -1;
  guint n_logins;
  ClinicDemoOptions options;
  GOptionEntry entries[] = {
    { "patients", 0, 0, G_OPTION_ARG_INT, &n_patients, NULL, NULL },
    { "doctors", 0, 0, G_OPTION_ARG_INT, &n_doctors, NULL, NULL },
    { "appointments", 0, 0, G_OPTION_ARG_INT64, &n_appointments, NULL, NULL },
    { "seed", 0, 0, G_OPTION_ARG_INT, &seed, NULL, NULL },
    { NULL }
  };

  if (!parse_command_options (&argc, &argv, entries, 0, error))
    return FALSE;
  if (n_patients < 0 || n_patients > 10000000)
    {
      g_set_error_literal (error, CLINIC_CLI_ERROR, CLINIC_CLI_ERROR_USAGE,
                           _("“--patients” takes a number from 0 to 10000000."));
      return FALSE;
    }

  if (n_doctors < 1 || n_doctors > 200)
    {
      g_set_error_literal (error, CLINIC_CLI_ERROR, CLINIC_CLI_ERROR_USAGE,
                           _("“--doctors” takes a number from 1 to 200."));
      return FALSE;
    }
  if (n_appointments < -1 || n_appointments > 20000000)
    {
      g_set_error_literal (error, CLINIC_CLI_ERROR, CLINIC_CLI_ERROR_USAGE,
                           _("“--appointments” takes a number from 0 to 20000000."));
      return FALSE;
    }

  options.n_patients = (guint) n_patients;
  options.n_doctors = (guint) n_doctors;
  options.n_appointments = n_appointments;
  options.seed = (guint32) seed;
  recovery = clinic_demo_create_full (context->database, &options, error);
  if (recovery == NULL)
    return FALSE;

  logins = clinic_demo_get_logins (&n_logins);
  for (guint i = 0; i < n_logins; i++)
    clinic_cli_print (context, "%s\t%s\t%s\n", logins[i].role_key, logins[i].user, logins[i].password);
  g_printerr (_("Recovery key of the demo clinic: %s\n"), recovery);
  sodium_memzero (recovery, strlen (recovery));
  g_free (recovery);
  return TRUE;
}

/* --- patients ----------------------------------------------------------- */

static void
print_patient_line (ClinicCliContext    *context,
                    const ClinicPatient *p)
{
  clinic_cli_print (context, "%s\t%s, %s\t%s\t%s\t%s\n", p->chart_number, p->family_name, p->given_names,
                    p->birth_date, p->phone, clinic_patient_status_to_string (p->status));
}

static gboolean
patients_search (ClinicCliContext  *context,
                 int                argc,
                 char             **argv,
                 GError           **error)
{
  g_autoptr(ClinicSession) session = NULL;
  g_autoptr(GPtrArray) found = NULL;
  ClinicPatientFilter filter;
  gboolean inactive = FALSE, deceased = FALSE;
  gint limit = 50;
  guint total = 0;
  GOptionEntry entries[] = {
    { "inactive", 0, 0, G_OPTION_ARG_NONE, &inactive, NULL, NULL },
    { "deceased", 0, 0, G_OPTION_ARG_NONE, &deceased, NULL, NULL },
    { "limit", 0, 0, G_OPTION_ARG_INT, &limit, NULL, NULL },
    { NULL }
  };

  if (!parse_command_options (&argc, &argv, entries, 1, error))
    return FALSE;
  if (limit < 1)
    {
      g_set_error_literal (error, CLINIC_CLI_ERROR, CLINIC_CLI_ERROR_USAGE,
                           _("“--limit” takes a number above 0."));
      return FALSE;
    }

  session = start_session (context, error);
  if (session == NULL)
    return FALSE;
  clinic_patient_filter_init (&filter);
  filter.include_inactive = inactive;
  filter.include_deceased = deceased;
  found = clinic_patients_search (session, argv[1], &filter, 0, (guint) limit, &total, error);
  if (found == NULL)
    return FALSE;
  for (guint i = 0; i < found->len; i++)
    print_patient_line (context, g_ptr_array_index (found, i));
  if (total > found->len)
    g_printerr (_("%u more; narrow the search or raise “--limit”.\n"), total - found->len);
  return TRUE;
}

static gboolean
patients_show (ClinicCliContext  *context,
               int                argc,
               char             **argv,
               GError           **error)
{
  g_autoptr(ClinicSession) session = NULL;
  g_autoptr(ClinicPatient) p = NULL;

  if (!parse_command_options (&argc, &argv, (GOptionEntry[]) { { NULL } }, 1, error))
    return FALSE;
  session = start_session (context, error);
  if (session == NULL)
    return FALSE;
  p = clinic_patients_get_by_chart_number (session, argv[1], error);
  if (p == NULL)
    return FALSE;

  {
    const struct { const char *key; const char *value; } fields[] = {
      { "chart_number", p->chart_number }, { "family_name", p->family_name },
      { "given_names", p->given_names }, { "birth_date", p->birth_date },
      { "sex", clinic_sex_to_string (p->sex) }, { "status", clinic_patient_status_to_string (p->status) },
      { "phone", p->phone }, { "phone2", p->phone2 }, { "email", p->email }, { "address", p->address },
      { "emergency_contact", p->emergency_contact }, { "language", p->language },
      { "national_id", p->national_id }, { "insurance_id", p->insurance_id },
      { "treatment", p->treatment }, { "notes", p->notes },
    };

    for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
      {
        g_autofree char *one_line = NULL;

        /* Not readable by this session (the chart): left out. */
        if (fields[i].value == NULL)
          continue;
        one_line = g_strdelimit (g_strdup (fields[i].value), "\n\t", ' ');
        clinic_cli_print (context, "%s\t%s\n", fields[i].key, one_line);
      }
  }
  return TRUE;
}

static gboolean
command_patients (ClinicCliContext  *context,
                  int                argc,
                  char             **argv,
                  GError           **error)
{
  const char *verb = argc > 1 ? argv[1] : NULL;

  if (g_strcmp0 (verb, "search") == 0)
    return patients_search (context, argc - 1, argv + 1, error);
  if (g_strcmp0 (verb, "show") == 0)
    return patients_show (context, argc - 1, argv + 1, error);

  g_set_error_literal (error, CLINIC_CLI_ERROR, CLINIC_CLI_ERROR_USAGE,
                       _("“patients” needs one of: search, show; “clinicctl help patients” shows them."));
  return FALSE;
}

/* --- import -------------------------------------------------------------- */

/* import patients FILE.csv [--map HEADER=FIELD]… [--valid-only]: every
 * row with an error is listed (line, column, reason) on stderr; then
 * nothing is registered unless --valid-only says to take the rest. */
static gboolean
command_import (ClinicCliContext  *context,
                int                argc,
                char             **argv,
                GError           **error)
{
  g_auto(GStrv) maps = NULL;
  g_autofree char *data = NULL;
  g_autoptr(ClinicCsv) csv = NULL;
  g_autoptr(ClinicPatientCsv) read = NULL;
  g_autoptr(ClinicSession) session = NULL;
  gboolean valid_only = FALSE;
  gint64 imported;
  gsize len = 0;
  GOptionEntry entries[] = {
    { "map", 0, 0, G_OPTION_ARG_STRING_ARRAY, &maps, NULL, NULL },
    { "valid-only", 0, 0, G_OPTION_ARG_NONE, &valid_only, NULL, NULL },
    { NULL }
  };

  if (argc > 1 && g_str_equal (argv[1], "ics"))
    return clinic_cli_command_import_ics (context, argc, argv, error);
  if (!parse_command_options (&argc, &argv, entries, 2, error))
    return FALSE;
  if (!g_str_equal (argv[1], "patients"))
    {
      g_set_error (error, CLINIC_CLI_ERROR, CLINIC_CLI_ERROR_USAGE,
                   _("Clinic cannot import “%s” yet; “import patients FILE.csv” and “import ics FILE.ics” it can."), argv[1]);
      return FALSE;
    }

  /* The file is read and checked before the database is opened. */
  if (!g_file_get_contents (argv[2], &data, &len, error))
    return FALSE;
  csv = clinic_csv_parse (data, len, error);
  if (csv == NULL)
    return FALSE;
  read = clinic_patient_csv_read (csv, (const char *const *) maps, error);
  if (read == NULL)
    return FALSE;

  for (guint i = 0; i < read->errors->len; i++)
    {
      ClinicCsvRowError *e = g_ptr_array_index (read->errors, i);

      if (e->column != NULL)
        g_printerr (_("line %u, column “%s”: %s\n"), e->line, e->column, e->reason);
      else
        g_printerr (_("line %u: %s\n"), e->line, e->reason);
    }
  if (read->errors->len > 0 && !valid_only)
    {
      g_set_error (error, CLINIC_CLI_ERROR, CLINIC_CLI_ERROR_FAILED,
                   ngettext ("%u row has an error (listed above); nothing was imported. Correct it, or add --valid-only to import the other %u rows.",
                             "%u rows have errors (listed above); nothing was imported. Correct them, or add --valid-only to import the other %u rows.",
                             read->errors->len),
                   read->errors->len, read->patients->len);
      return FALSE;
    }

  session = start_session (context, error);
  if (session == NULL)
    return FALSE;
  imported = clinic_patients_import (session, read->patients, NULL, NULL, error);
  if (imported < 0)
    return FALSE;
  clinic_cli_print (context, ngettext ("%u patient imported.\n", "%u patients imported.\n", (gulong) imported),
                    (guint) imported);
  return TRUE;
}
