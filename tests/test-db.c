/* test-db.c — creating, opening, backing up, restoring, verifying and
 * re-keying the encrypted database, and every error a person can meet on
 * the way. */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <sodium.h>
#include <sys/wait.h>
#include <unistd.h>

#include "clinic-test-db.h"
#include "clinic-lockout.h"
#include "clinic-paths.h"
#include "clinic-vfs.h"

#define PASSWORD "correct horse battery"
#define CANARY   "CANARY-7f3a9c-PATIENT-Müller"

typedef struct
{
  char     *dir;
  char     *path;
  char     *recovery;
  ClinicDb *db;
} Fixture;

static const ClinicCredentials admin = { "admin", PASSWORD, NULL, &CLINIC_KDF_LIMITS_TEST };

static ClinicCredentials
with_password (const char *user,
               const char *password)
{
  return (ClinicCredentials) { user, password, NULL, &CLINIC_KDF_LIMITS_TEST };
}

static ClinicCredentials
with_recovery_key (const char *key)
{
  return (ClinicCredentials) { NULL, NULL, key, &CLINIC_KDF_LIMITS_TEST };
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("clinic-db-XXXXXX", &error);
  g_assert_no_error (error);
  f->path = g_build_filename (f->dir, "clinic.db", NULL);
  f->db = clinic_db_create (f->path, "Lindenhof Practice", &admin, &f->recovery, &error);
  g_assert_no_error (error);
  g_assert_nonnull (f->db);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_clear_object (&f->db);
  clinic_test_remove_tree (f->dir);
  if (f->recovery != NULL)
    sodium_memzero (f->recovery, strlen (f->recovery));
  g_free (f->recovery);
  g_free (f->path);
  g_free (f->dir);
}

static void
add_rows (ClinicDb *db,
          int       n)
{
  clinic_test_exec (db, "CREATE TABLE IF NOT EXISTS notes (id INTEGER PRIMARY KEY, body TEXT, blob BLOB)");
  clinic_test_exec (db, "BEGIN IMMEDIATE");
  for (int i = 0; i < n; i++)
    clinic_test_exec (db, "INSERT INTO notes (body, blob) VALUES ('" CANARY " ' || randomblob(8), "
                 "CAST('" CANARY "' AS BLOB))");
  clinic_test_exec (db, "COMMIT");
}

static void
flip_byte (const char *file,
           goffset     offset)
{
  int fd = open (file, O_RDWR);
  guint8 byte;

  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (pread (fd, &byte, 1, offset), ==, 1);
  byte ^= 0x5a;
  g_assert_cmpint (pwrite (fd, &byte, 1, offset), ==, 1);
  close (fd);
}

/* --- Creating and opening --------------------------------------------- */

static void
test_create_and_open (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *keys = clinic_paths_get_keys_file (f->path);
  g_autofree char *name = NULL;
  ClinicCredentials creds = with_password ("admin", PASSWORD);
  GStatBuf st;

  g_assert_true (g_file_test (f->path, G_FILE_TEST_IS_REGULAR));
  g_assert_true (g_file_test (keys, G_FILE_TEST_IS_REGULAR));
  g_assert_cmpint (g_stat (keys, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  g_assert_cmpuint (strlen (f->recovery), ==,
                    CLINIC_RECOVERY_KEY_N_GROUPS * (CLINIC_RECOVERY_KEY_GROUP_CHARS + 1) - 1);
  g_assert_cmpint (clinic_db_get_schema_version (f->db), ==, clinic_db_get_latest_schema_version ());
  g_assert_cmpint (clinic_db_get_latest_schema_version (), >=, 1);
  g_assert_false (clinic_db_opened_with_recovery_key (f->db));

  g_clear_object (&f->db);
  f->db = clinic_db_open (f->path, &creds, &error);
  g_assert_no_error (error);
  name = clinic_db_dup_clinic_name (f->db, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (name, ==, "Lindenhof Practice");
  g_assert_cmpstr (clinic_db_get_path (f->db), ==, f->path);

  /* The pragmas Clinic runs with. */
  g_assert_cmpint (clinic_test_query_int (f->db, "PRAGMA foreign_keys"), ==, 1);
  g_assert_cmpint (clinic_test_query_int (f->db, "PRAGMA synchronous"), ==, 2);
  g_assert_cmpint (clinic_test_query_int (f->db, "PRAGMA page_size"), ==, 4096);
  g_assert_cmpint (clinic_test_query_int (f->db, "PRAGMA temp_store"), ==, 2);
  g_assert_cmpint (clinic_test_query_int (f->db, "PRAGMA mmap_size"), ==, 0);
  g_assert_cmpint (clinic_test_query_int (f->db, "PRAGMA secure_delete"), ==, 1);
  {
    sqlite3_stmt *stmt = clinic_db_prepare (f->db, "PRAGMA journal_mode", &error);

    g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
    g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 0), ==, "wal");
    sqlite3_reset (stmt);
  }
}

static void
test_create_refuses (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("clinic-db-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "sub", "clinic.db", NULL);
  g_autofree char *recovery = NULL;
  ClinicCredentials blank = with_password ("   ", PASSWORD);
  ClinicDb *db;

  db = clinic_db_create (path, "  ", &admin, &recovery, &error);
  g_assert_null (db);
  g_assert_error (error, CLINIC_DB_ERROR, CLINIC_DB_ERROR_INVALID);
  g_clear_error (&error);

  /* A failed creation leaves nothing behind. */
  db = clinic_db_create (path, "Clinic", &blank, &recovery, &error);
  g_assert_null (db);
  g_assert_nonnull (error);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  g_clear_error (&error);

  /* Slots below the floor are refused unless a test asked for them. */
  clinic_keys_allow_test_limits (FALSE);
  db = clinic_db_create (path, "Clinic", &admin, &recovery, &error);
  clinic_keys_allow_test_limits (TRUE);
  g_assert_null (db);
  g_assert_error (error, CLINIC_DB_ERROR, CLINIC_DB_ERROR_INVALID);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  g_clear_error (&error);

  db = clinic_db_create (path, "Clinic", &admin, &recovery, &error);
  g_assert_no_error (error);
  g_clear_object (&db);
  g_clear_pointer (&recovery, g_free);

  db = clinic_db_create (path, "Clinic", &admin, &recovery, &error);
  g_assert_null (db);
  g_assert_error (error, CLINIC_DB_ERROR, CLINIC_DB_ERROR_EXISTS);
  g_clear_error (&error);

  /* The attachments of a database deleted by hand are in the way too: a
   * new database would take them for its own (orphans, or worse). */
  {
    g_autofree char *other = g_build_filename (dir, "other.db", NULL);
    g_autofree char *files = g_strconcat (other, ".files", NULL);

    g_assert_cmpint (g_mkdir (files, 0700), ==, 0);
    db = clinic_db_create (other, "Clinic", &admin, &recovery, &error);
    g_assert_null (db);
    g_assert_error (error, CLINIC_DB_ERROR, CLINIC_DB_ERROR_EXISTS);
    g_assert_false (g_file_test (other, G_FILE_TEST_EXISTS));
  }

  clinic_test_remove_tree (dir);
}

static void
test_wrong_password_and_unknown_user (Fixture       *f,
                                      gconstpointer  data)
{
  g_autoptr(GError) wrong = NULL;
  g_autoptr(GError) unknown = NULL;
  ClinicCredentials a = with_password ("admin", "not the password");
  ClinicCredentials b = with_password ("nobody", PASSWORD);
  guint kdf_before;

  g_clear_object (&f->db);

  kdf_before = clinic_keys_get_kdf_count ();
  g_assert_null (clinic_db_open (f->path, &a, &wrong));
  g_assert_cmpuint (clinic_keys_get_kdf_count (), ==, kdf_before + 1);
  g_assert_null (clinic_db_open (f->path, &b, &unknown));
  /* The unknown name costs an Argon2id run too, so time tells nothing. */
  g_assert_cmpuint (clinic_keys_get_kdf_count (), ==, kdf_before + 2);

  g_assert_error (wrong, CLINIC_DB_ERROR, CLINIC_DB_ERROR_WRONG_CREDENTIALS);
  g_assert_error (unknown, CLINIC_DB_ERROR, CLINIC_DB_ERROR_WRONG_CREDENTIALS);
  g_assert_cmpstr (wrong->message, ==, unknown->message);
  g_assert_cmpstr (wrong->message, ==, "The user name or password is not right.");
}

static void
test_lockout (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *lockout = clinic_paths_get_lockout_file (f->path);
  g_autoptr(GPtrArray) events = NULL;
  ClinicCredentials wrong = with_password ("admin", "guess");
  ClinicCredentials right = with_password ("admin", PASSWORD);
  ClinicDb *db;

  g_clear_object (&f->db);

  for (int i = 0; i < 5; i++)
    {
      g_assert_null (clinic_db_open (f->path, &wrong, &error));
      g_assert_error (error, CLINIC_DB_ERROR, CLINIC_DB_ERROR_WRONG_CREDENTIALS);
      g_clear_error (&error);
    }

  /* Now even the right password waits, and says for how long. */
  db = clinic_db_open (f->path, &right, &error);
  g_assert_null (db);
  g_assert_error (error, CLINIC_DB_ERROR, CLINIC_DB_ERROR_LOCKED_OUT);
  g_assert_nonnull (strstr (error->message, "minutes"));
  g_clear_error (&error);

  /* The recovery key still opens, and the counts are there to audit. */
  {
    ClinicCredentials recovery = with_recovery_key (f->recovery);

    f->db = clinic_db_open (f->path, &recovery, &error);
    g_assert_no_error (error);
  }
  events = clinic_lockout_take_events (lockout, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (events->len, >=, 5);

  clinic_lockout_clear (lockout, NULL, &error);
  g_assert_no_error (error);
  g_clear_object (&f->db);
  f->db = clinic_db_open (f->path, &right, &error);
  g_assert_no_error (error);
}

static void
test_not_a_clinic_database (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("clinic-db-XXXXXX", NULL);
  g_autofree char *plain = g_build_filename (dir, "plain.db", NULL);
  g_autofree char *junk = g_build_filename (dir, "junk.db", NULL);
  g_autofree char *missing = g_build_filename (dir, "missing.db", NULL);
  ClinicCredentials creds = with_password ("admin", PASSWORD);
  sqlite3 *handle;

  g_assert_cmpint (sqlite3_open (plain, &handle), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (handle, "CREATE TABLE t (x); INSERT INTO t VALUES (1)",
                                 NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (handle);
  g_assert_true (g_file_set_contents (junk, "not a database at all", -1, NULL));

  g_assert_null (clinic_db_open (plain, &creds, &error));
  g_assert_error (error, CLINIC_DB_ERROR, CLINIC_DB_ERROR_NOT_CLINIC);
  g_assert_nonnull (strstr (error->message, "unencrypted"));
  g_clear_error (&error);

  g_assert_null (clinic_db_open (junk, &creds, &error));
  g_assert_error (error, CLINIC_DB_ERROR, CLINIC_DB_ERROR_NOT_CLINIC);
  g_clear_error (&error);

  g_assert_null (clinic_db_open (missing, &creds, &error));
  g_assert_error (error, CLINIC_DB_ERROR, CLINIC_DB_ERROR_NOT_FOUND);

  clinic_test_remove_tree (dir);
}

static void
test_damaged_page (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  ClinicCredentials creds = with_password ("admin", PASSWORD);
  g_autofree char *report = NULL;
  g_autofree char *page_words = NULL;
  g_autofree char *report_words = NULL;
  sqlite3_stmt *stmt;
  gint64 pages;
  gint64 victim;

  add_rows (f->db, 400);
  clinic_test_exec (f->db, "PRAGMA wal_checkpoint(TRUNCATE)");
  pages = clinic_test_query_int (f->db, "PRAGMA page_count");
  g_assert_cmpint (pages, >, 10);
  g_clear_object (&f->db);

  /* A byte in the middle of the ciphertext of one of the last pages, which
   * hold the rows just added. */
  victim = pages - 1;
  flip_byte (f->path, (victim - 1) * 4096 + 1000);
  page_words = g_strdup_printf ("page %" G_GINT64_FORMAT " ", victim);
  report_words = g_strdup_printf ("page %" G_GINT64_FORMAT ":", victim);

  f->db = clinic_db_open (f->path, &creds, &error);
  g_assert_no_error (error);

  g_assert_false (clinic_db_verify (f->db, &report, &error));
  g_assert_error (error, CLINIC_DB_ERROR, CLINIC_DB_ERROR_DAMAGED);
  g_assert_nonnull (strstr (error->message, page_words));
  g_assert_nonnull (strstr (report, report_words));
  g_clear_error (&error);

  /* Reading the rows meets the page: an error naming it, no wrong data. */
  stmt = clinic_db_prepare (f->db, "SELECT count(*), sum(length(body)) FROM notes", &error);
  g_assert_no_error (error);
  {
    int rc = sqlite3_step (stmt);

    g_assert_cmpint (rc, ==, SQLITE_IOERR_DATA);
    clinic_db_set_sqlite_error (&error, clinic_db_get_handle (f->db), rc, f->path);
    g_assert_error (error, CLINIC_DB_ERROR, CLINIC_DB_ERROR_DAMAGED);
    g_assert_nonnull (strstr (error->message, page_words));
  }
  sqlite3_reset (stmt);
}

static void
test_damaged_first_page (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  ClinicCredentials creds = with_password ("admin", PASSWORD);

  g_clear_object (&f->db);
  flip_byte (f->path, 50);

  g_assert_null (clinic_db_open (f->path, &creds, &error));
  g_assert_error (error, CLINIC_DB_ERROR, CLINIC_DB_ERROR_DAMAGED);
  g_assert_nonnull (strstr (error->message, "page 1 "));
}

static void
test_too_new (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  ClinicCredentials creds = with_password ("admin", PASSWORD);

  clinic_test_exec (f->db, "PRAGMA user_version=999");
  g_clear_object (&f->db);

  g_assert_null (clinic_db_open (f->path, &creds, &error));
  g_assert_error (error, CLINIC_DB_ERROR, CLINIC_DB_ERROR_TOO_NEW);
  g_assert_nonnull (strstr (error->message, "newer"));
}

static void
test_slots_missing (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *keys = clinic_paths_get_keys_file (f->path);
  ClinicCredentials creds = with_password ("admin", PASSWORD);
  ClinicCredentials recovery = with_recovery_key (f->recovery);

  g_clear_object (&f->db);
  g_assert_cmpint (g_unlink (keys), ==, 0);

  g_assert_null (clinic_db_open (f->path, &creds, &error));
  g_assert_error (error, CLINIC_DB_ERROR, CLINIC_DB_ERROR_SLOTS_MISSING);
  g_assert_nonnull (strstr (error->message, "recovery key"));
  g_clear_error (&error);

  /* The recovery key opens it, and the administrator re-creates slots. */
  f->db = clinic_db_open (f->path, &recovery, &error);
  g_assert_no_error (error);
  g_assert_true (clinic_db_opened_with_recovery_key (f->db));
  clinic_db_add_staff_key (f->db, "admin", "a new password 1", &CLINIC_KDF_LIMITS_TEST, &error);
  g_assert_no_error (error);
  g_clear_object (&f->db);

  creds.password = "a new password 1";
  f->db = clinic_db_open (f->path, &creds, &error);
  g_assert_no_error (error);
}

static void
test_recovery_key_errors (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *other_dir = g_dir_make_tmp ("clinic-db-XXXXXX", NULL);
  g_autofree char *other_path = g_build_filename (other_dir, "other.db", NULL);
  g_autofree char *other_recovery = NULL;
  g_autofree char *typo = g_strdup (f->recovery);
  ClinicCredentials creds;
  ClinicDb *other;

  other = clinic_db_create (other_path, "Other", &admin, &other_recovery, &error);
  g_assert_no_error (error);
  g_clear_object (&other);
  g_clear_object (&f->db);

  creds = with_recovery_key (other_recovery);
  g_assert_null (clinic_db_open (f->path, &creds, &error));
  g_assert_error (error, CLINIC_DB_ERROR, CLINIC_DB_ERROR_RECOVERY_KEY);
  g_clear_error (&error);

  typo[7] = typo[7] == 'A' ? 'B' : 'A';
  creds = with_recovery_key (typo);
  g_assert_null (clinic_db_open (f->path, &creds, &error));
  g_assert_error (error, CLINIC_DB_ERROR, CLINIC_DB_ERROR_RECOVERY_KEY);
  g_assert_nonnull (strstr (error->message, "group 2"));

  clinic_test_remove_tree (other_dir);
}

/* A wrong key must never reach SQLite's WAL recovery, which cannot tell
 * frames that do not open from a torn log and would discard every change
 * they hold (found in review). A child commits into the WAL and is
 * killed; the key file is lost; another clinic's recovery key is tried
 * first, then the right one finds the change. */
static void
test_wrong_key_keeps_wal (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *other_dir = g_dir_make_tmp ("clinic-db-XXXXXX", NULL);
  g_autofree char *other_path = g_build_filename (other_dir, "other.db", NULL);
  g_autofree char *other_recovery = NULL;
  g_autofree char *keys = clinic_paths_get_keys_file (f->path);
  g_autofree char *wal = g_strconcat (f->path, "-wal", NULL);
  ClinicCredentials creds = with_password ("admin", PASSWORD);
  ClinicCredentials wrong, right = with_recovery_key (f->recovery);
  ClinicDb *other;
  int ready[2];
  char byte;
  pid_t pid;

  other = clinic_db_create (other_path, "Other", &admin, &other_recovery, &error);
  g_assert_no_error (error);
  g_clear_object (&other);
  g_clear_object (&f->db);

  g_assert_cmpint (pipe (ready), ==, 0);
  pid = fork ();
  if (pid == 0)
    {
      ClinicDb *db = clinic_db_open (f->path, &creds, NULL);

      if (db == NULL ||
          !clinic_db_exec (db, "UPDATE settings SET value = 'Committed name' WHERE key = 'clinic.name'", NULL))
        _exit (2);
      byte = 'c';
      if (write (ready[1], &byte, 1) != 1)
        _exit (3);
      pause ();
      _exit (0);
    }
  g_assert_cmpint (read (ready[0], &byte, 1), ==, 1);
  kill (pid, SIGKILL);
  waitpid (pid, NULL, 0);
  close (ready[0]);
  close (ready[1]);
  g_assert_true (g_file_test (wal, G_FILE_TEST_EXISTS));
  g_assert_cmpint (g_unlink (keys), ==, 0);

  wrong = with_recovery_key (other_recovery);
  g_assert_null (clinic_db_open (f->path, &wrong, &error));
  g_assert_error (error, CLINIC_DB_ERROR, CLINIC_DB_ERROR_RECOVERY_KEY);
  g_clear_error (&error);
  g_assert_true (g_file_test (wal, G_FILE_TEST_EXISTS));

  f->db = clinic_db_open (f->path, &right, &error);
  g_assert_no_error (error);
  {
    g_autofree char *name = clinic_db_dup_clinic_name (f->db, &error);

    g_assert_no_error (error);
    g_assert_cmpstr (name, ==, "Committed name");
  }
  clinic_test_remove_tree (other_dir);
}

static void
test_change_password (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  ClinicCredentials old_creds = with_password ("admin", PASSWORD);
  ClinicCredentials new_creds = with_password ("admin", "another long password");

  clinic_db_change_password (f->db, "admin", "wrong", "x y z w v u", &CLINIC_KDF_LIMITS_TEST, &error);
  g_assert_error (error, CLINIC_DB_ERROR, CLINIC_DB_ERROR_WRONG_CREDENTIALS);
  g_clear_error (&error);
  g_clear_object (&f->db);

  clinic_db_change_password_at (f->path, "admin", PASSWORD, "another long password",
                                &CLINIC_KDF_LIMITS_TEST, &error);
  g_assert_no_error (error);

  g_assert_null (clinic_db_open (f->path, &old_creds, &error));
  g_assert_error (error, CLINIC_DB_ERROR, CLINIC_DB_ERROR_WRONG_CREDENTIALS);
  g_clear_error (&error);
  f->db = clinic_db_open (f->path, &new_creds, &error);
  g_assert_no_error (error);
}

/* Two processes change the key file at the same time, each adding ten
 * staff passwords: all twenty are there afterwards (found in review: a
 * read-change-write without a lock loses the other's changes). */
static void
test_key_file_concurrent_changes (Fixture       *f,
                                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *keys = NULL;
  g_autoptr(ClinicKeySlots) slots = NULL;
  ClinicCredentials creds = with_password ("admin", PASSWORD);
  pid_t pids[2];

  g_clear_object (&f->db);
  for (int c = 0; c < 2; c++)
    {
      pids[c] = fork ();
      g_assert_cmpint (pids[c], >=, 0);
      if (pids[c] == 0)
        {
          ClinicDb *db = clinic_db_open (f->path, &creds, NULL);

          if (db == NULL)
            _exit (2);
          for (int i = 0; i < 10; i++)
            {
              g_autofree char *user = g_strdup_printf ("user-%d-%d", c, i);

              if (!clinic_db_add_staff_key (db, user, "a password for tests", &CLINIC_KDF_LIMITS_TEST, NULL))
                _exit (3);
            }
          /* Released, so a memory checker sees the child end clean too. */
          g_object_unref (db);
          _exit (0);
        }
    }
  for (int c = 0; c < 2; c++)
    {
      int status;

      waitpid (pids[c], &status, 0);
      g_assert_true (WIFEXITED (status));
      g_assert_cmpint (WEXITSTATUS (status), ==, 0);
    }

  /* Made only now: a child leaves by _exit() with what was made before. */
  keys = clinic_paths_get_keys_file (f->path);
  slots = clinic_key_slots_load (keys, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (clinic_key_slots_get_n_users (slots), ==, 21);
  for (int c = 0; c < 2; c++)
    for (int i = 0; i < 10; i++)
      {
        g_autofree char *user = g_strdup_printf ("user-%d-%d", c, i);

        g_assert_true (clinic_key_slots_has_user (slots, user));
      }
}

/* Another process holding the exclusive lock (a rekey or restore under
 * way): opening says so instead of reading half-changed files. */
static void
test_busy_while_keys_change (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  ClinicCredentials creds = with_password ("admin", PASSWORD);
  int to_parent[2];
  int to_child[2];
  char byte;
  pid_t pid;

  g_clear_object (&f->db);
  g_assert_cmpint (pipe (to_parent), ==, 0);
  g_assert_cmpint (pipe (to_child), ==, 0);

  pid = fork ();
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      int fd = clinic_db_lock_open (f->path, TRUE, NULL);

      byte = fd >= 0 ? 'y' : 'n';
      if (write (to_parent[1], &byte, 1) != 1 || read (to_child[0], &byte, 1) != 1)
        _exit (2);
      _exit (0);
    }

  g_assert_cmpint (read (to_parent[0], &byte, 1), ==, 1);
  g_assert_cmpint (byte, ==, 'y');

  g_assert_null (clinic_db_open (f->path, &creds, &error));
  g_assert_error (error, CLINIC_DB_ERROR, CLINIC_DB_ERROR_BUSY);
  g_clear_error (&error);

  byte = 'x';
  g_assert_cmpint (write (to_child[1], &byte, 1), ==, 1);
  waitpid (pid, NULL, 0);

  f->db = clinic_db_open (f->path, &creds, &error);
  g_assert_no_error (error);

  close (to_parent[0]); close (to_parent[1]);
  close (to_child[0]); close (to_child[1]);
}

/* --- Backup and restore ------------------------------------------------ */

static void
test_backup_restore_round_trip (Fixture       *f,
                                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *backup = g_build_filename (f->dir, "monday.clinicbackup", NULL);
  g_autofree char *kept = g_strconcat (f->path, ".pre-restore", NULL);
  ClinicCredentials creds = with_password ("admin", PASSWORD);
  ClinicCredentials recovery = with_recovery_key (f->recovery);

  add_rows (f->db, 300);
  clinic_db_backup (f->db, backup, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_file_test (backup, G_FILE_TEST_IS_REGULAR));

  add_rows (f->db, 50);
  g_assert_cmpint (clinic_test_query_int (f->db, "SELECT count(*) FROM notes"), ==, 350);

  /* Restoring replaces files another program has open: refused. */
  clinic_db_restore (f->path, backup, &creds, &error);
  g_assert_error (error, CLINIC_DB_ERROR, CLINIC_DB_ERROR_BUSY);
  g_clear_error (&error);
  g_clear_object (&f->db);

  clinic_db_restore (f->path, backup, &creds, &error);
  g_assert_no_error (error);
  g_assert_true (g_file_test (kept, G_FILE_TEST_IS_REGULAR));

  f->db = clinic_db_open (f->path, &creds, &error);
  g_assert_no_error (error);
  g_assert_cmpint (clinic_test_query_int (f->db, "SELECT count(*) FROM notes"), ==, 300);
  g_clear_object (&f->db);

  /* The recovery key of the time of the backup restores it too. */
  clinic_db_restore (f->path, backup, &recovery, &error);
  g_assert_no_error (error);
  f->db = clinic_db_open (f->path, &recovery, &error);
  g_assert_no_error (error);
  clinic_db_verify (f->db, NULL, &error);
  g_assert_no_error (error);
}

/* A backup may not replace the database or a file beside it, however the
 * name is spelled (found in review). */
static void
test_backup_refuses_own_files (Fixture       *f,
                               gconstpointer  data)
{
  g_autofree char *dotted = g_build_filename (f->dir, ".", "clinic.db", NULL);
  g_autofree char *sub = g_build_filename (f->dir, "sub", NULL);
  g_autofree char *upward = g_build_filename (sub, "..", "clinic.db.keys", NULL);
  g_autofree char *link = g_build_filename (f->dir, "link.db", NULL);
  g_autofree char *wal = g_strconcat (f->path, "-wal", NULL);
  const char *targets[] = { f->path, dotted, upward, link, wal };

  g_assert_cmpint (g_mkdir (sub, 0700), ==, 0);
  g_assert_cmpint (symlink (f->path, link), ==, 0);
  add_rows (f->db, 10);

  for (gsize i = 0; i < G_N_ELEMENTS (targets); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_false (clinic_db_backup (f->db, targets[i], NULL, &error));
      g_assert_error (error, CLINIC_DB_ERROR, CLINIC_DB_ERROR_INVALID);
    }

  /* Still the database, still whole. */
  g_assert_cmpint (clinic_test_query_int (f->db, "SELECT count(*) FROM notes"), ==, 10);
  g_assert_true (clinic_db_verify (f->db, NULL, NULL));
}

static void
test_restore_refuses_bad_backups (Fixture       *f,
                                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *backup = g_build_filename (f->dir, "b.clinicbackup", NULL);
  g_autofree char *damaged = g_build_filename (f->dir, "damaged.clinicbackup", NULL);
  g_autofree char *cut = g_build_filename (f->dir, "cut.clinicbackup", NULL);
  g_autofree char *junk = g_build_filename (f->dir, "junk.clinicbackup", NULL);
  g_autofree char *contents = NULL;
  g_autofree char *other_dir = g_dir_make_tmp ("clinic-db-XXXXXX", NULL);
  g_autofree char *other_path = g_build_filename (other_dir, "o.db", NULL);
  g_autofree char *other_backup = g_build_filename (other_dir, "o.clinicbackup", NULL);
  g_autofree char *other_recovery = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  ClinicCredentials creds = with_password ("admin", PASSWORD);
  ClinicCredentials recovery = with_recovery_key (f->recovery);
  gsize len;
  ClinicDb *other;

  add_rows (f->db, 100);
  clinic_db_backup (f->db, backup, NULL, &error);
  g_assert_no_error (error);
  clinic_test_exec (f->db, "PRAGMA wal_checkpoint(TRUNCATE)");
  g_clear_object (&f->db);
  g_assert_true (g_file_get_contents (f->path, &before, &len, NULL));

  g_assert_true (g_file_get_contents (backup, &contents, &len, NULL));
  g_assert_true (g_file_set_contents (cut, contents, (gssize) len - 4096, NULL));
  contents[len / 2] ^= 1;
  g_assert_true (g_file_set_contents (damaged, contents, (gssize) len, NULL));
  g_assert_true (g_file_set_contents (junk, "hello", -1, NULL));

  other = clinic_db_create (other_path, "Other", &admin, &other_recovery, &error);
  g_assert_no_error (error);
  clinic_db_backup (other, other_backup, NULL, &error);
  g_assert_no_error (error);
  g_clear_object (&other);

  clinic_db_restore (f->path, damaged, &creds, &error);
  g_assert_error (error, CLINIC_DB_ERROR, CLINIC_DB_ERROR_BAD_BACKUP);
  g_clear_error (&error);
  clinic_db_restore (f->path, cut, &creds, &error);
  g_assert_error (error, CLINIC_DB_ERROR, CLINIC_DB_ERROR_BAD_BACKUP);
  g_clear_error (&error);
  clinic_db_restore (f->path, junk, &creds, &error);
  g_assert_error (error, CLINIC_DB_ERROR, CLINIC_DB_ERROR_BAD_BACKUP);
  g_clear_error (&error);
  /* Another clinic's backup with this clinic's recovery key. */
  clinic_db_restore (f->path, other_backup, &recovery, &error);
  g_assert_error (error, CLINIC_DB_ERROR, CLINIC_DB_ERROR_RECOVERY_KEY);
  g_clear_error (&error);
  clinic_db_restore (f->path, backup, &(ClinicCredentials) { "admin", "wrong", NULL, NULL }, &error);
  g_assert_error (error, CLINIC_DB_ERROR, CLINIC_DB_ERROR_WRONG_CREDENTIALS);
  g_clear_error (&error);

  /* Nothing was touched. */
  g_assert_true (g_file_get_contents (f->path, &after, &len, NULL));
  g_assert_true (memcmp (before, after, len) == 0);
  f->db = clinic_db_open (f->path, &creds, &error);
  g_assert_no_error (error);
  g_assert_cmpint (clinic_test_query_int (f->db, "SELECT count(*) FROM notes"), ==, 100);

  clinic_test_remove_tree (other_dir);
}

/* --- Verify and rekey -------------------------------------------------- */

static void
test_verify_ok (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *report = NULL;

  add_rows (f->db, 200);
  g_assert_true (clinic_db_verify (f->db, &report, &error));
  g_assert_no_error (error);
  g_assert_nonnull (strstr (report, "integrity check: ok"));
  g_assert_nonnull (strstr (report, "key file: 1 staff"));
}

static void
test_rekey (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *new_recovery = NULL;
  ClinicCredentials creds = with_password ("admin", PASSWORD);
  ClinicCredentials old_recovery = with_recovery_key (f->recovery);
  ClinicDb *second;

  add_rows (f->db, 250);
  clinic_db_add_staff_key (f->db, "doctor", "doctor's password", &CLINIC_KDF_LIMITS_TEST, &error);
  g_assert_no_error (error);

  /* Refused while another connection has the database open. */
  second = clinic_db_open (f->path, &creds, &error);
  g_assert_no_error (error);
  g_assert_false (clinic_db_rekey (f->db, &new_recovery, &error));
  g_assert_error (error, CLINIC_DB_ERROR, CLINIC_DB_ERROR_BUSY);
  g_clear_error (&error);
  g_clear_object (&second);

  /* The refused upgrade kept this connection's shared lock: while it is
   * open, nobody may take the database for a restore (found in review:
   * flock() drops the lock when an upgrade fails). */
  g_assert_cmpint (clinic_db_lock_open (f->path, TRUE, &error), ==, -1);
  g_assert_error (error, CLINIC_DB_ERROR, CLINIC_DB_ERROR_BUSY);
  g_clear_error (&error);

  g_assert_true (clinic_db_rekey (f->db, &new_recovery, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (new_recovery, !=, f->recovery);

  /* The open database goes on working under the new key. */
  g_assert_cmpint (clinic_test_query_int (f->db, "SELECT count(*) FROM notes"), ==, 250);
  add_rows (f->db, 1);
  g_clear_object (&f->db);

  /* Every password still opens it; the old recovery key does not. */
  f->db = clinic_db_open (f->path, &creds, &error);
  g_assert_no_error (error);
  g_assert_cmpint (clinic_test_query_int (f->db, "SELECT count(*) FROM notes"), ==, 251);
  g_clear_object (&f->db);
  f->db = clinic_db_open (f->path, &(ClinicCredentials) { "doctor", "doctor's password", NULL, NULL }, &error);
  g_assert_no_error (error);
  g_clear_object (&f->db);

  g_assert_null (clinic_db_open (f->path, &old_recovery, &error));
  g_assert_error (error, CLINIC_DB_ERROR, CLINIC_DB_ERROR_RECOVERY_KEY);
  g_clear_error (&error);

  f->db = clinic_db_open (f->path, &(ClinicCredentials) { NULL, NULL, new_recovery, NULL }, &error);
  g_assert_no_error (error);
  g_assert_true (clinic_db_verify (f->db, NULL, &error));
  g_assert_no_error (error);
}

/* A staged file left without a marker is a swap that never started (the
 * marker is written only once the staged files are complete): the next
 * open removes it and the database is as it was. Interrupted swaps with
 * a marker are covered by the SIGKILL tests in test-db-crash. */
static void
test_leftover_staged_files (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *staged_db = g_strconcat (f->path, ".new", NULL);
  g_autofree char *staged_keys = g_strconcat (f->path, ".keys.new", NULL);
  ClinicCredentials creds = with_password ("admin", PASSWORD);

  add_rows (f->db, 10);
  g_clear_object (&f->db);

  g_assert_true (g_file_set_contents (staged_db, "half written", -1, NULL));
  g_assert_true (g_file_set_contents (staged_keys, "half written", -1, NULL));
  f->db = clinic_db_open (f->path, &creds, &error);
  g_assert_no_error (error);
  g_assert_false (g_file_test (staged_db, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (staged_keys, G_FILE_TEST_EXISTS));
  g_assert_cmpint (clinic_test_query_int (f->db, "SELECT count(*) FROM notes"), ==, 10);
}

/* --- No plaintext on disk --------------------------------------------- */

/* Every file in @dir (and below): none holds the canary. */
static void
assert_no_canary (const char *dir,
                  const char *when)
{
  static const char *const needles[] = { CANARY, "Lindenhof", NULL };

  clinic_test_assert_no_plaintext (dir, needles, when);
}

/* Puts the canary into every TEXT and BLOB column of every table, found
 * from sqlite_schema, so tables added by later migrations are covered
 * without touching this test. */
static void
fill_every_text_column (ClinicDb *db)
{
  g_autoptr(GError) error = NULL;
  sqlite3 *handle = clinic_db_get_handle (db);
  sqlite3_stmt *tables;
  guint columns = 0;
  int rc;

  g_assert_cmpint (sqlite3_prepare_v2 (handle,
                                       "SELECT name FROM sqlite_schema WHERE type = 'table' "
                                       "AND name NOT LIKE 'sqlite_%'",
                                       -1, &tables, NULL), ==, SQLITE_OK);
  clinic_test_exec (db, "BEGIN IMMEDIATE");
  while (sqlite3_step (tables) == SQLITE_ROW)
    {
      const char *table = (const char *) sqlite3_column_text (tables, 0);
      g_autofree char *info_sql = g_strdup_printf ("PRAGMA table_info(\"%s\")", table);
      sqlite3_stmt *info;

      /* Keys kept inside the database (the audit chain's): its rows are
       * labels and random bytes, and renaming them would break the
       * chain the backups below anchor. */
      if (g_str_equal (table, "secrets"))
        continue;

      g_assert_cmpint (sqlite3_prepare_v2 (handle, info_sql, -1, &info, NULL), ==, SQLITE_OK);
      while (sqlite3_step (info) == SQLITE_ROW)
        {
          const char *column = (const char *) sqlite3_column_text (info, 1);
          g_autofree char *type = g_ascii_strup ((const char *) sqlite3_column_text (info, 2), -1);
          g_autofree char *update = NULL;

          if (strstr (type, "TEXT") == NULL && strstr (type, "BLOB") == NULL &&
              strstr (type, "CHAR") == NULL && type[0] != '\0')
            continue;

          /* Unique per row (some columns are UNIQUE); a column whose CHECK
           * allows only fixed words cannot hold free text and is passed
           * over, by name, below. */
          update = g_strdup_printf ("UPDATE \"%s\" SET \"%s\" = %s",
                                    table, column,
                                    strstr (type, "BLOB") != NULL
                                    ? "CAST('" CANARY "' || hex (randomblob (8)) AS BLOB)"
                                    : "'" CANARY "' || hex (randomblob (8))");
          rc = sqlite3_exec (handle, update, NULL, NULL, NULL);
          if ((rc & 0xff) == SQLITE_CONSTRAINT)
            {
              g_test_message ("%s.%s holds only fixed values; no canary", table, column);
              continue;
            }
          g_assert_cmpint (rc, ==, SQLITE_OK);
          columns++;
        }
      sqlite3_finalize (info);
    }
  sqlite3_finalize (tables);
  clinic_test_exec (db, "COMMIT");
  g_assert_cmpuint (columns, >=, 3);
  (void) error;
}

static void
run_canary_checks (Fixture    *f,
                   const char *mode)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *backup = g_build_filename (f->dir, "canary.clinicbackup", NULL);
  g_autofree char *sql = g_strdup_printf ("PRAGMA journal_mode=%s", mode);

  clinic_test_exec (f->db, sql);
  add_rows (f->db, 50);
  fill_every_text_column (f->db);

  /* While a big write transaction is open: journal or WAL hold pages. */
  clinic_test_exec (f->db, "BEGIN IMMEDIATE");
  for (int i = 0; i < 40; i++)
    clinic_test_exec (f->db, "INSERT INTO notes (body, blob) SELECT body, blob FROM notes LIMIT 100");
  clinic_test_exec (f->db, "UPDATE notes SET body = body || ' " CANARY "'");
  /* A sort bigger than the cache, which spills when it can. */
  clinic_test_exec (f->db, "CREATE TEMP TABLE sorted AS SELECT body FROM notes ORDER BY randomblob(4)");
  assert_no_canary (f->dir, "during a write transaction");
  clinic_test_exec (f->db, "COMMIT");
  assert_no_canary (f->dir, "after commit");

  clinic_test_exec (f->db, "PRAGMA wal_checkpoint(TRUNCATE)");
  assert_no_canary (f->dir, "after a checkpoint");

  clinic_db_backup (f->db, backup, NULL, &error);
  g_assert_no_error (error);
  assert_no_canary (f->dir, "after a backup");
}

static void
test_no_plaintext_wal (Fixture       *f,
                       gconstpointer  data)
{
  run_canary_checks (f, "WAL");
}

static void
test_no_plaintext_rollback (Fixture       *f,
                            gconstpointer  data)
{
  run_canary_checks (f, "DELETE");
}

/* A child killed in the middle of a transaction leaves a hot journal or
 * WAL behind: still no plaintext, and the next open recovers. */
static void
test_no_plaintext_after_kill (Fixture       *f,
                              gconstpointer  data)
{
  const char *modes[] = { "WAL", "DELETE" };

  add_rows (f->db, 20);
  g_clear_object (&f->db);

  for (gsize m = 0; m < G_N_ELEMENTS (modes); m++)
    {
      g_autoptr(GError) error = NULL;
      ClinicCredentials creds = with_password ("admin", PASSWORD);
      int ready[2];
      char byte;
      pid_t pid;
      int status;

      g_assert_cmpint (pipe (ready), ==, 0);
      pid = fork ();
      if (pid == 0)
        {
          ClinicDb *db = clinic_db_open (f->path, &creds, NULL);
          g_autofree char *sql = g_strdup_printf ("PRAGMA journal_mode=%s", modes[m]);

          if (db == NULL ||
              !clinic_db_exec (db, sql, NULL) ||
              !clinic_db_exec (db, "BEGIN IMMEDIATE", NULL))
            _exit (2);
          for (int i = 0; i < 30; i++)
            clinic_db_exec (db, "INSERT INTO notes (body, blob) SELECT body, blob FROM notes LIMIT 50", NULL);
          clinic_db_exec (db, "UPDATE notes SET body = '" CANARY "'", NULL);
          byte = 'r';
          if (write (ready[1], &byte, 1) != 1)
            _exit (3);
          pause ();
          _exit (0);
        }

      g_assert_cmpint (read (ready[0], &byte, 1), ==, 1);
      kill (pid, SIGKILL);
      waitpid (pid, &status, 0);
      g_assert_true (WIFSIGNALED (status));
      close (ready[0]);
      close (ready[1]);

      assert_no_canary (f->dir, modes[m][0] == 'W' ? "after SIGKILL (WAL)" : "after SIGKILL (rollback)");

      f->db = clinic_db_open (f->path, &creds, &error);
      g_assert_no_error (error);
      g_assert_cmpint (clinic_test_query_int (f->db, "SELECT count(*) FROM notes"), ==, 20);
      g_assert_cmpint (clinic_test_query_int (f->db, "SELECT count(*) FROM notes WHERE body = '" CANARY "'"), ==, 0);
      g_clear_object (&f->db);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_assert_true (sodium_init () >= 0);
  clinic_keys_allow_test_limits (TRUE);

#define ADD(name, func) \
  g_test_add ("/db/" name, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("create-and-open", test_create_and_open);
  g_test_add_func ("/db/create-refuses", test_create_refuses);
  ADD ("wrong-password-and-unknown-user", test_wrong_password_and_unknown_user);
  ADD ("lockout", test_lockout);
  g_test_add_func ("/db/not-a-clinic-database", test_not_a_clinic_database);
  ADD ("damaged-page", test_damaged_page);
  ADD ("damaged-first-page", test_damaged_first_page);
  ADD ("too-new", test_too_new);
  ADD ("slots-missing", test_slots_missing);
  ADD ("recovery-key-errors", test_recovery_key_errors);
  ADD ("wrong-key-keeps-wal", test_wrong_key_keeps_wal);
  ADD ("change-password", test_change_password);
  ADD ("busy-while-keys-change", test_busy_while_keys_change);
  ADD ("key-file-concurrent-changes", test_key_file_concurrent_changes);
  ADD ("backup-restore-round-trip", test_backup_restore_round_trip);
  ADD ("backup-refuses-own-files", test_backup_refuses_own_files);
  ADD ("restore-refuses-bad-backups", test_restore_refuses_bad_backups);
  ADD ("verify-ok", test_verify_ok);
  ADD ("rekey", test_rekey);
  ADD ("leftover-staged-files", test_leftover_staged_files);
  ADD ("no-plaintext-wal", test_no_plaintext_wal);
  ADD ("no-plaintext-rollback", test_no_plaintext_rollback);
  ADD ("no-plaintext-after-kill", test_no_plaintext_after_kill);

  return g_test_run ();
}
