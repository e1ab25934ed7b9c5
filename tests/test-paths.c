/* test-paths.c — where Clinic keeps its files */

#include "config.h"

#include <glib/gstdio.h>

#include "clinic-paths.h"

static void
test_default_database (void)
{
  g_autofree char *path = clinic_paths_get_default_database ();
  g_autofree char *expected = g_build_filename (g_get_user_data_dir (),
                                                "com.example.Clinic", "clinic.db", NULL);

  g_assert_cmpstr (path, ==, expected);
  g_assert_true (g_path_is_absolute (path));
}

static void
test_resolve_relative (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = clinic_paths_resolve_database ("data/../clinic.db", "/srv/clinic", &error);

  g_assert_no_error (error);
  g_assert_cmpstr (path, ==, "/srv/clinic/clinic.db");
}

static void
test_resolve_absolute (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = clinic_paths_resolve_database ("/srv//clinic/./x.db", "/elsewhere", &error);

  g_assert_no_error (error);
  g_assert_cmpstr (path, ==, "/srv/clinic/x.db");
}

static void
test_resolve_home (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = clinic_paths_resolve_database ("~/clinic.db", "/elsewhere", &error);
  g_autofree char *expected = g_build_filename (g_get_home_dir (), "clinic.db", NULL);

  g_assert_no_error (error);
  g_assert_cmpstr (path, ==, expected);
}

static void
test_resolve_cwd_default (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *cwd = g_get_current_dir ();
  g_autofree char *path = clinic_paths_resolve_database ("x.db", NULL, &error);
  g_autofree char *expected = g_build_filename (cwd, "x.db", NULL);

  g_assert_no_error (error);
  g_assert_cmpstr (path, ==, expected);
}

static void
test_resolve_errors (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("clinic-paths-XXXXXX", NULL);
  char *path;

  path = clinic_paths_resolve_database ("", NULL, &error);
  g_assert_null (path);
  g_assert_error (error, CLINIC_PATHS_ERROR, CLINIC_PATHS_ERROR_EMPTY);
  g_clear_error (&error);

  path = clinic_paths_resolve_database (dir, NULL, &error);
  g_assert_null (path);
  g_assert_error (error, CLINIC_PATHS_ERROR, CLINIC_PATHS_ERROR_IS_FOLDER);
  g_assert_nonnull (strstr (error->message, dir));
  g_clear_error (&error);

  path = clinic_paths_resolve_database ("not-yet/", "/tmp", &error);
  g_assert_null (path);
  g_assert_error (error, CLINIC_PATHS_ERROR, CLINIC_PATHS_ERROR_IS_FOLDER);

  g_rmdir (dir);
}

static void
test_companion_files (void)
{
  g_autofree char *keys = clinic_paths_get_keys_file ("/srv/c.db");
  g_autofree char *lockout = clinic_paths_get_lockout_file ("/srv/c.db");
  g_autofree char *files = clinic_paths_get_files_dir ("/srv/c.db");

  g_assert_cmpstr (keys, ==, "/srv/c.db.keys");
  g_assert_cmpstr (lockout, ==, "/srv/c.db.lockout");
  g_assert_cmpstr (files, ==, "/srv/c.db.files");
}

static void
test_locale_dir (void)
{
  g_unsetenv ("CLINIC_LOCALEDIR");
  g_assert_cmpstr (clinic_paths_get_locale_dir ("/usr/share/locale"), ==, "/usr/share/locale");
  g_setenv ("CLINIC_LOCALEDIR", "", TRUE);
  g_assert_cmpstr (clinic_paths_get_locale_dir ("/usr/share/locale"), ==, "/usr/share/locale");
  g_setenv ("CLINIC_LOCALEDIR", "/build/po", TRUE);
  g_assert_cmpstr (clinic_paths_get_locale_dir ("/usr/share/locale"), ==, "/build/po");
  g_unsetenv ("CLINIC_LOCALEDIR");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/paths/default-database", test_default_database);
  g_test_add_func ("/paths/resolve-relative", test_resolve_relative);
  g_test_add_func ("/paths/resolve-absolute", test_resolve_absolute);
  g_test_add_func ("/paths/resolve-home", test_resolve_home);
  g_test_add_func ("/paths/resolve-cwd-default", test_resolve_cwd_default);
  g_test_add_func ("/paths/resolve-errors", test_resolve_errors);
  g_test_add_func ("/paths/companion-files", test_companion_files);
  g_test_add_func ("/paths/locale-dir", test_locale_dir);

  return g_test_run ();
}
