/* clinicctl.c — the command-line tool's entry point */

#include "config.h"

#include <gio/gunixoutputstream.h>
#include <glib/gi18n.h>
#include <locale.h>

#include "clinic-cli.h"
#include "clinic-keys.h"
#include "clinic-paths.h"

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOutputStream) out = NULL;
  g_autoptr(GOutputStream) err = NULL;
  g_autoptr(GError) error = NULL;

  /* Before anything holds a key: no core file, no ptrace by others. */
  if (!clinic_process_harden (&error))
    {
      g_printerr ("clinicctl: %s\n", error->message);
      return 1;
    }

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, clinic_paths_get_locale_dir (LOCALEDIR));
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  out = g_unix_output_stream_new (STDOUT_FILENO, FALSE);
  err = g_unix_output_stream_new (STDERR_FILENO, FALSE);

  return clinic_cli_run (argc, argv, out, err);
}
