/* clinic-paths.h — where Clinic keeps its files
 *
 * The database is one file; everything that belongs to it sits beside it
 * under the same name plus a suffix, so copying or backing up the folder
 * moves all of it together.
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The folder for the clinic's data: g_get_user_data_dir()/com.example.Clinic.
 * Returns: (transfer full): an absolute path. */
char       *clinic_paths_get_default_data_dir (void);

/* The database used when no --database is given.
 * Returns: (transfer full): an absolute path ending in clinic.db. */
char       *clinic_paths_get_default_database (void);

/* Turns a --database argument into the absolute, normalised path the rest
 * of Clinic uses. A relative @path is taken relative to @cwd (or to the
 * process's working folder when @cwd is NULL). A leading "~/" is the home
 * folder, since the shell does not expand it in "--database=~/x".
 * Returns: (transfer full): an absolute path, or NULL with @error set when
 * @path is empty or names a folder. */
char       *clinic_paths_resolve_database     (const char  *path,
                                               const char  *cwd,
                                               GError     **error);

/* The files that live beside a database. Each returns (transfer full). */
char       *clinic_paths_get_keys_file        (const char  *database);
char       *clinic_paths_get_lockout_file     (const char  *database);
char       *clinic_paths_get_files_dir        (const char  *database);

/* The folder of compiled translations: @fallback (the installed folder)
 * unless CLINIC_LOCALEDIR names another, which ./dev.sh and the tests use to
 * run from the build tree. Returns: (transfer none). */
const char *clinic_paths_get_locale_dir       (const char  *fallback);

#define CLINIC_PATHS_ERROR (clinic_paths_error_quark ())

typedef enum
{
  CLINIC_PATHS_ERROR_EMPTY,
  CLINIC_PATHS_ERROR_IS_FOLDER,
} ClinicPathsError;

GQuark      clinic_paths_error_quark          (void);

G_END_DECLS
