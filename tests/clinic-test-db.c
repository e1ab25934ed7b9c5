/* clinic-test-db.c — helpers shared by the database tests */

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "clinic-test-db.h"
#include "clinic-settings.h"
#include "clinic-users.h"

void
clinic_test_remove_tree (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *child = g_build_filename (dir, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        clinic_test_remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (dir);
}

void
clinic_test_exec (ClinicDb   *db,
                  const char *sql)
{
  g_autoptr(GError) error = NULL;

  clinic_db_exec (db, sql, &error);
  g_assert_no_error (error);
}

gint64
clinic_test_query_int (ClinicDb   *db,
                       const char *sql)
{
  g_autoptr(GError) error = NULL;
  sqlite3_stmt *stmt = clinic_db_prepare (db, sql, &error);
  gint64 value;

  g_assert_no_error (error);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  value = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);

  return value;
}

static char *
expected_tail (const char *phone)
{
  g_autoptr(GString) digits = g_string_new (NULL);
  GString *tail = g_string_new (NULL);

  for (const char *s = phone; *s; s++)
    if (g_ascii_isdigit (*s))
      g_string_append_c (digits, *s);
  for (gsize i = digits->len; digits->len >= 6 && i > 0 && tail->len < 8; i--)
    g_string_append_c (tail, digits->str[i - 1]);
  return g_string_free (tail, FALSE);
}

guint
clinic_test_assert_phone_tails (ClinicDb *db)
{
  g_autoptr(GError) error = NULL;
  sqlite3_stmt *stmt = clinic_db_prepare (db, "SELECT phone, phone2, phone_tail_rev, phone2_tail_rev"
                                              " FROM patients ORDER BY id", &error);
  guint rows = 0;
  int rc;

  g_assert_no_error (error);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      g_autofree char *tail = expected_tail ((const char *) sqlite3_column_text (stmt, 0));
      g_autofree char *tail2 = expected_tail ((const char *) sqlite3_column_text (stmt, 1));

      g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 2), ==, tail);
      g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 3), ==, tail2);
      rows++;
    }
  g_assert_cmpint (rc, ==, SQLITE_DONE);
  sqlite3_reset (stmt);
  return rows;
}

void
clinic_test_assert_whole (ClinicDb *db)
{
  g_autoptr(GError) error = NULL;
  sqlite3_stmt *stmt = clinic_db_prepare (db, "PRAGMA integrity_check", &error);

  g_assert_no_error (error);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 0), ==, "ok");
  sqlite3_reset (stmt);
}

ClinicPatient *
clinic_test_patient_new (const char *family,
                         const char *given,
                         const char *birth_date,
                         const char *phone)
{
  ClinicPatient *p = clinic_patient_new ();

  g_free (p->family_name);
  p->family_name = g_strdup (family);
  g_free (p->given_names);
  p->given_names = g_strdup (given);
  g_free (p->birth_date);
  p->birth_date = g_strdup (birth_date);
  g_free (p->phone);
  p->phone = g_strdup (phone);
  return p;
}

char *
clinic_test_dump_tables (ClinicDb *db)
{
  GString *dump = g_string_new (NULL);
  sqlite3 *handle = clinic_db_get_handle (db);
  sqlite3_stmt *tables;

  g_assert_cmpint (sqlite3_prepare_v2 (handle,
                                       "SELECT name FROM sqlite_schema WHERE type = 'table'"
                                       " AND sql NOT LIKE 'CREATE VIRTUAL%' ORDER BY name",
                                       -1, &tables, NULL), ==, SQLITE_OK);
  while (sqlite3_step (tables) == SQLITE_ROW)
    {
      const char *table = (const char *) sqlite3_column_text (tables, 0);
      g_autofree char *sql = g_strdup_printf ("SELECT * FROM \"%s\"", table);
      sqlite3_stmt *stmt;

      g_assert_cmpint (sqlite3_prepare_v2 (handle, sql, -1, &stmt, NULL), ==, SQLITE_OK);
      while (sqlite3_step (stmt) == SQLITE_ROW)
        {
          g_string_append (dump, table);
          for (int c = 0; c < sqlite3_column_count (stmt); c++)
            {
              const guint8 *bytes = sqlite3_column_blob (stmt, c);

              g_string_append_c (dump, '|');
              if (sqlite3_column_type (stmt, c) == SQLITE_NULL)
                g_string_append (dump, "<null>");
              for (int b = 0; b < sqlite3_column_bytes (stmt, c); b++)
                g_string_append_printf (dump, "%02x", bytes[b]);
            }
          g_string_append_c (dump, '\n');
        }
      sqlite3_finalize (stmt);
    }
  sqlite3_finalize (tables);
  return g_string_free (dump, FALSE);
}

static gboolean
file_contains (const char *path,
               const char *needle)
{
  g_autofree char *contents = NULL;
  gsize len = 0;

  if (!g_file_get_contents (path, &contents, &len, NULL))
    return FALSE;

  return memmem (contents, len, needle, strlen (needle)) != NULL;
}

void
clinic_test_assert_no_plaintext (const char         *dir,
                                 const char * const *needles,
                                 const char         *when)
{
  g_autoptr(GDir) d = NULL;
  const char *name;
  guint files = 0;

  if (!g_file_test (dir, G_FILE_TEST_IS_DIR))
    {
      for (gsize n = 0; needles[n] != NULL; n++)
        if (file_contains (dir, needles[n]))
          g_error ("Plaintext found in %s %s", dir, when);
      return;
    }

  d = g_dir_open (dir, 0, NULL);
  g_assert_nonnull (d);
  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *child = g_build_filename (dir, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        {
          clinic_test_assert_no_plaintext (child, needles, when);
          continue;
        }
      files++;
      for (gsize n = 0; needles[n] != NULL; n++)
        if (file_contains (child, needles[n]))
          g_error ("Plaintext found in %s %s", child, when);
    }
  g_test_message ("%u files scanned in %s %s", files, dir, when);
}

gint64
clinic_test_role_id (ClinicSession *admin,
                     const char    *builtin)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) roles = clinic_roles_list (admin, &error);

  g_assert_no_error (error);
  for (guint i = 0; i < roles->len; i++)
    {
      ClinicRole *role = g_ptr_array_index (roles, i);

      if (g_strcmp0 (role->builtin, builtin) == 0)
        return role->id;
    }
  g_assert_not_reached ();
}

ClinicDb *
clinic_test_clinic_new (const char               *tmpl,
                        const ClinicCredentials  *creds,
                        char                    **dir,
                        ClinicSession           **admin)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *recovery = NULL;
  ClinicDb *created, *db;

  *dir = g_dir_make_tmp (tmpl, &error);
  g_assert_no_error (error);
  path = g_build_filename (*dir, "clinic.db", NULL);
  created = clinic_db_create (path, "Lindenhof Practice", creds, &recovery, &error);
  g_assert_no_error (error);
  g_object_unref (created);
  db = clinic_db_open (path, creds, &error);
  g_assert_no_error (error);
  *admin = clinic_session_start (db, &error);
  g_assert_no_error (error);
  g_assert_true (clinic_settings_set (clinic_settings_get_for_db (db), *admin, "clinic.timezone",
                                      "Europe/Berlin", &error));
  g_assert_no_error (error);
  return db;
}
