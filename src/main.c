/* main.c — the clinic program: everything else lives in libclinic-app so
 * the tests run the same code. */

#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>

#include "clinic-application.h"
#include "clinic-keys.h"
#include "clinic-paths.h"

int
main (int   argc,
      char *argv[])
{
  g_autoptr(ClinicApplication) app = NULL;
  g_autoptr(GError) error = NULL;

  /* Before anything holds a key: no core file, no ptrace by others. */
  if (!clinic_process_harden (&error))
    {
      g_printerr ("clinic: %s\n", error->message);
      return 1;
    }

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, clinic_paths_get_locale_dir (LOCALEDIR));
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  app = clinic_application_new ();

  return g_application_run (G_APPLICATION (app), argc, argv);
}
