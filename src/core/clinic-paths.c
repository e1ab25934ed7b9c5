/* clinic-paths.c — where Clinic keeps its files */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "clinic-paths.h"

G_DEFINE_QUARK (clinic-paths-error-quark, clinic_paths_error)

char *
clinic_paths_get_default_data_dir (void)
{
  return g_build_filename (g_get_user_data_dir (), APPLICATION_ID, NULL);
}

char *
clinic_paths_get_default_database (void)
{
  g_autofree char *dir = clinic_paths_get_default_data_dir ();

  return g_build_filename (dir, "clinic.db", NULL);
}

char *
clinic_paths_resolve_database (const char  *path,
                               const char  *cwd,
                               GError     **error)
{
  g_autofree char *expanded = NULL;
  g_autofree char *absolute = NULL;

  g_return_val_if_fail (path != NULL, NULL);

  if (path[0] == '\0')
    {
      g_set_error_literal (error, CLINIC_PATHS_ERROR, CLINIC_PATHS_ERROR_EMPTY,
                           _("The database path is empty."));
      return NULL;
    }

  if (g_str_has_prefix (path, "~/"))
    expanded = g_build_filename (g_get_home_dir (), path + 2, NULL);
  else
    expanded = g_strdup (path);

  /* g_canonicalize_filename() folds "." and ".." and repeated slashes
   * without touching the disk, so a database that does not exist yet
   * still gets one stable name. */
  absolute = g_canonicalize_filename (expanded, cwd);

  if (g_str_has_suffix (path, "/") ||
      g_file_test (absolute, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, CLINIC_PATHS_ERROR, CLINIC_PATHS_ERROR_IS_FOLDER,
                   _("“%s” is a folder, not a database file."), absolute);
      return NULL;
    }

  return g_steal_pointer (&absolute);
}

char *
clinic_paths_get_keys_file (const char *database)
{
  g_return_val_if_fail (database != NULL, NULL);

  return g_strconcat (database, ".keys", NULL);
}

char *
clinic_paths_get_lockout_file (const char *database)
{
  g_return_val_if_fail (database != NULL, NULL);

  return g_strconcat (database, ".lockout", NULL);
}

char *
clinic_paths_get_files_dir (const char *database)
{
  g_return_val_if_fail (database != NULL, NULL);

  return g_strconcat (database, ".files", NULL);
}

const char *
clinic_paths_get_locale_dir (const char *fallback)
{
  const char *dir = g_getenv ("CLINIC_LOCALEDIR");

  if (dir != NULL && dir[0] != '\0')
    return dir;

  return fallback;
}
