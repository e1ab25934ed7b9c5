/* test-cli.c — clinicctl's grammar: global options anywhere, clear errors,
 * exit statuses */

#include "config.h"

#include "clinic-cli.h"

typedef struct
{
  int   status;
  char *out;
  char *err;
} Run;

static void
run_clear (Run *run)
{
  g_free (run->out);
  g_free (run->err);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Run, run_clear)

static char *
steal_text (GOutputStream *stream)
{
  GMemoryOutputStream *memory = G_MEMORY_OUTPUT_STREAM (stream);

  g_output_stream_write_all (stream, "", 1, NULL, NULL, NULL);
  g_output_stream_close (stream, NULL, NULL);
  return g_memory_output_stream_steal_data (memory);
}

/* Runs clinicctl in-process with the words of @line (split like a shell
 * would, via g_shell_parse_argv). */
static void
run_words (Run        *run,
           const char *line)
{
  g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();
  g_autoptr(GOutputStream) err = g_memory_output_stream_new_resizable ();
  g_auto(GStrv) argv = NULL;
  g_autofree char *full = g_strconcat ("clinicctl ", line, NULL);
  int argc;

  g_assert_true (g_shell_parse_argv (full, &argc, &argv, NULL));
  run->status = clinic_cli_run (argc, argv, out, err);
  run->out = steal_text (out);
  run->err = steal_text (err);
}

static void
test_help_lists_commands (void)
{
  g_auto(Run) run = { 0, };

  run_words (&run, "--help");
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.out, "Usage:"));
  g_assert_nonnull (strstr (run.out, "\n  help"));
  g_assert_nonnull (strstr (run.out, "\n  version"));
  g_assert_nonnull (strstr (run.out, "--password-stdin"));
  g_assert_cmpstr (run.err, ==, "");
}

static void
test_no_command_is_help (void)
{
  g_auto(Run) run = { 0, };

  run_words (&run, "");
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.out, "Usage:"));
}

static void
test_version (void)
{
  g_auto(Run) a = { 0, };
  g_auto(Run) b = { 0, };

  run_words (&a, "--version");
  run_words (&b, "version");
  g_assert_cmpint (a.status, ==, 0);
  g_assert_cmpstr (a.out, ==, "clinicctl " PACKAGE_VERSION "\n");
  g_assert_cmpstr (b.out, ==, a.out);
}

static void
test_unknown_command (void)
{
  g_auto(Run) run = { 0, };

  run_words (&run, "frobnicate --database /tmp/x.db");
  g_assert_cmpint (run.status, ==, 2);
  g_assert_cmpstr (run.out, ==, "");
  /* One sentence, one line, naming the word and where to look. */
  g_assert_true (g_str_has_prefix (run.err, "clinicctl: “frobnicate” is not a clinicctl command"));
  g_assert_true (g_str_has_suffix (run.err, ".\n"));
  g_assert_true (strchr (run.err, '\n') == run.err + strlen (run.err) - 1);
}

/* The global options stand before or after the command and are taken out
 * of the command's words; "help version" proves which words reached it. */
static void
test_global_options_anywhere (void)
{
  const char *lines[] = {
    "--database /tmp/a.db --user bob help version",
    "help --database /tmp/a.db version --user=bob",
    "help version --database=/tmp/a.db --user bob",
    "--password-stdin help version --database /tmp/a.db",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (lines); i++)
    {
      g_auto(Run) run = { 0, };

      run_words (&run, lines[i]);
      g_assert_cmpint (run.status, ==, 0);
      g_assert_true (g_str_has_prefix (run.out, "clinicctl version"));
      g_assert_cmpstr (run.err, ==, "");
    }
}

static void
test_database_shown_in_help (void)
{
  g_auto(Run) run = { 0, };

  run_words (&run, "help --database /srv/clinic/../x.db");
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.out, "(now: /srv/x.db)"));
}

static void
test_usage_errors (void)
{
  const char *lines[] = {
    "help --database",
    "help --user",
    "help --user=",
    "help --database ''",
    "help --password-stdin --recovery-key-stdin",
    "version extra",
    "help a b",
    "help nosuchcommand",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (lines); i++)
    {
      g_auto(Run) run = { 0, };

      run_words (&run, lines[i]);
      g_test_message ("%s → %d %s", lines[i], run.status, run.err);
      g_assert_cmpint (run.status, ==, 2);
      g_assert_true (g_str_has_prefix (run.err, "clinicctl: "));
      g_assert_cmpstr (run.out, ==, "");
    }
}

static void
test_double_dash_stops_options (void)
{
  g_auto(Run) run = { 0, };

  /* After "--" a word that looks like an option is the command's. */
  run_words (&run, "help -- --database");
  g_assert_cmpint (run.status, ==, 2);
  g_assert_nonnull (strstr (run.err, "“--database” is not a clinicctl command"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/cli/help-lists-commands", test_help_lists_commands);
  g_test_add_func ("/cli/no-command-is-help", test_no_command_is_help);
  g_test_add_func ("/cli/version", test_version);
  g_test_add_func ("/cli/unknown-command", test_unknown_command);
  g_test_add_func ("/cli/global-options-anywhere", test_global_options_anywhere);
  g_test_add_func ("/cli/database-shown-in-help", test_database_shown_in_help);
  g_test_add_func ("/cli/usage-errors", test_usage_errors);
  g_test_add_func ("/cli/double-dash", test_double_dash_stops_options);

  return g_test_run ();
}
