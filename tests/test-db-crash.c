/* test-db-crash.c — a process killed at any moment loses nothing it was
 * told was committed, and a rekey or restore killed midway leaves a
 * database that opens, with one of the two keys, and is whole.
 *
 * SIGKILL leaves the OS page cache intact, so these prove the logic of
 * transactions and of the file swaps; power loss itself (unsynced writes
 * dropped or torn) is simulated under the cipher VFS in test-vfs.
 *
 * CLINIC_CRASH_ROUNDS sets the number of kills of the writer (default 200;
 * the slow suite runs more).
 */

#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <sodium.h>
#include <sys/wait.h>
#include <unistd.h>

#include "clinic-test-db.h"
#include "clinic-paths.h"

#define PASSWORD "correct horse battery"

static const ClinicCredentials creds = { "admin", PASSWORD, NULL, &CLINIC_KDF_LIMITS_TEST };

static guint
rounds (guint fallback)
{
  const char *env = g_getenv ("CLINIC_CRASH_ROUNDS");

  return env != NULL ? (guint) g_ascii_strtoull (env, NULL, 10) : fallback;
}

static char *
make_clinic (char **dir_out)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *recovery = NULL;
  char *dir = g_dir_make_tmp ("clinic-crash-XXXXXX", NULL);
  char *path = g_build_filename (dir, "clinic.db", NULL);
  ClinicDb *db = clinic_db_create (path, "Crash Clinic", &creds, &recovery, &error);

  g_assert_no_error (error);
  clinic_db_exec (db, "CREATE TABLE visits (id INTEGER PRIMARY KEY, note TEXT NOT NULL)", &error);
  g_assert_no_error (error);
  g_object_unref (db);
  *dir_out = dir;

  return path;
}

/* The writer: commits one row per transaction and reports each id only
 * after COMMIT has returned. */
G_GNUC_NORETURN static void
writer (const char *path,
        gint64      first_id,
        int         report_fd)
{
  ClinicDb *db = clinic_db_open (path, &creds, NULL);
  sqlite3_stmt *insert;

  if (db == NULL)
    _exit (2);
  insert = clinic_db_prepare (db, "INSERT INTO visits (id, note) VALUES (?1, ?2)", NULL);

  for (gint64 id = first_id; ; id++)
    {
      char note[64];

      g_snprintf (note, sizeof note, "visit %" G_GINT64_FORMAT " with a longer note", id);
      if (!clinic_db_begin_write (db, NULL))
        _exit (3);
      sqlite3_reset (insert);
      sqlite3_bind_int64 (insert, 1, id);
      sqlite3_bind_text (insert, 2, note, -1, SQLITE_STATIC);
      if (sqlite3_step (insert) != SQLITE_DONE || !clinic_db_commit (db, NULL))
        _exit (4);
      if (write (report_fd, &id, sizeof id) != sizeof id)
        _exit (5);
    }
}

static void
test_sigkill_writer (void)
{
  g_autofree char *dir = NULL;
  g_autofree char *path = make_clinic (&dir);
  g_autoptr(GHashTable) committed = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  guint n = rounds (200);
  gint64 next_id = 1;

  for (guint round = 0; round < n; round++)
    {
      g_autoptr(GError) error = NULL;
      ClinicDb *db;
      int report[2];
      gint64 id;
      pid_t pid;
      int status;

      g_assert_cmpint (pipe (report), ==, 0);
      pid = fork ();
      g_assert_cmpint (pid, >=, 0);
      if (pid == 0)
        {
          close (report[0]);
          writer (path, next_id, report[1]);
        }
      close (report[1]);

      /* Anywhere from before the first commit to dozens of commits in. */
      g_usleep (g_random_int_range (0, 25000));
      kill (pid, SIGKILL);
      waitpid (pid, &status, 0);
      g_assert_true (WIFSIGNALED (status) || (WIFEXITED (status) && WEXITSTATUS (status) == 0));

      while (read (report[0], &id, sizeof id) == sizeof id)
        {
          g_hash_table_add (committed, g_memdup2 (&id, sizeof id));
          next_id = MAX (next_id, id + 1);
        }
      close (report[0]);

      db = clinic_db_open (path, &creds, &error);
      g_assert_no_error (error);
      {
        sqlite3_stmt *stmt = clinic_db_prepare (db, "SELECT count(*) FROM visits WHERE id = ?1", &error);
        GHashTableIter iter;
        gpointer key;

        /* Every id the writer was told was committed is there. */
        g_hash_table_iter_init (&iter, committed);
        while (g_hash_table_iter_next (&iter, &key, NULL))
          {
            sqlite3_reset (stmt);
            sqlite3_bind_int64 (stmt, 1, *(gint64 *) key);
            g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
            if (sqlite3_column_int (stmt, 0) != 1)
              g_error ("Round %u: committed visit %" G_GINT64_FORMAT " is lost", round, *(gint64 *) key);
          }
        sqlite3_reset (stmt);
      }
      if (round % 20 == 0 || round == n - 1)
        clinic_test_assert_whole (db);
      /* Ids after the last reported one may have committed unreported; the
       * next writer starts above whatever is there. */
      {
        sqlite3_stmt *stmt = clinic_db_prepare (db, "SELECT coalesce(max(id), 0) FROM visits", &error);

        g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
        next_id = MAX (next_id, sqlite3_column_int64 (stmt, 0) + 1);
        sqlite3_reset (stmt);
      }
      g_object_unref (db);
    }

  g_test_message ("%u kills, %u transactions reported committed, none lost",
                  n, g_hash_table_size (committed));
  g_assert_cmpuint (g_hash_table_size (committed), >, 0);
  clinic_test_remove_tree (dir);
}

static void
fill (const char *path,
      int         rows)
{
  g_autoptr(GError) error = NULL;
  ClinicDb *db = clinic_db_open (path, &creds, &error);

  g_assert_no_error (error);
  clinic_db_exec (db, "BEGIN IMMEDIATE", &error);
  for (int i = 0; i < rows; i++)
    clinic_db_exec (db, "INSERT INTO visits (note) VALUES (hex(randomblob(200)))", &error);
  clinic_db_exec (db, "COMMIT", &error);
  g_assert_no_error (error);
  g_object_unref (db);
}

/* A rekey killed at a random moment: the database opens with the staff
 * password (the key file matches whichever key won), is whole, and has
 * every row. */
static void
test_sigkill_rekey (void)
{
  g_autofree char *dir = NULL;
  g_autofree char *path = make_clinic (&dir);
  guint n = rounds (200) / 5;
  guint finished = 0;
  guint staging = 0;
  guint swapping = 0;

  fill (path, 2000);

  for (guint round = 0; round < n; round++)
    {
      g_autoptr(GError) error = NULL;
      gboolean mid_swap;
      ClinicDb *db;
      pid_t pid = fork ();
      int status;

      g_assert_cmpint (pid, >=, 0);
      if (pid == 0)
        {
          ClinicDb *child = clinic_db_open (path, &creds, NULL);
          char *recovery = NULL;

          if (child == NULL)
            _exit (2);
          for (;;)
            if (!clinic_db_rekey (child, &recovery, NULL))
              _exit (3);
        }

      g_usleep (g_random_int_range (2000, 60000));
      kill (pid, SIGKILL);
      waitpid (pid, &status, 0);
      if (WIFEXITED (status))
        g_error ("The rekeying child failed with status %d", WEXITSTATUS (status));

      /* Where the kill landed: while the new copy was written, or between
       * the marker and the last rename. */
      {
        g_autofree char *marker = g_strconcat (path, ".swap", NULL);
        g_autofree char *staged = g_strconcat (path, ".new", NULL);

        mid_swap = g_file_test (marker, G_FILE_TEST_EXISTS);
        if (mid_swap)
          swapping++;
        else if (g_file_test (staged, G_FILE_TEST_EXISTS))
          staging++;
      }

      db = clinic_db_open (path, &creds, &error);
      g_assert_no_error (error);
      /* A swap finished here installed a key whose recovery sheet nobody
       * saw: the database says so until the next completed rekey. */
      if (mid_swap)
        g_assert_true (clinic_db_is_recovery_key_outdated (db));
      g_assert_cmpint (clinic_test_query_int (db, "SELECT count(*) FROM visits"), ==, 2000);
      clinic_test_assert_whole (db);
      {
        g_autofree char *marker = g_strconcat (path, ".swap", NULL);
        g_autofree char *staged = g_strconcat (path, ".new", NULL);

        g_assert_false (g_file_test (marker, G_FILE_TEST_EXISTS));
        g_assert_false (g_file_test (staged, G_FILE_TEST_EXISTS));
      }
      g_object_unref (db);
      finished++;
    }

  g_test_message ("%u rekeys killed at random moments (%u while copying, %u mid-swap); all opened whole",
                  finished, staging, swapping);
  /* The kills must really land inside rekeys, or this proves nothing. */
  g_assert_cmpuint (staging + swapping, >, 0);
  clinic_test_remove_tree (dir);
}

/* A restore killed at a random moment: afterwards the database is either
 * the one before or the backup, whole, never a mixture. */
static void
test_sigkill_restore (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *path = make_clinic (&dir);
  g_autofree char *backup = g_build_filename (dir, "b.clinicbackup", NULL);
  guint n = rounds (200) / 5;
  guint swapping = 0;
  guint staging = 0;
  ClinicDb *db;

  fill (path, 500);
  db = clinic_db_open (path, &creds, &error);
  g_assert_no_error (error);
  clinic_db_backup (db, backup, NULL, &error);
  g_assert_no_error (error);
  g_object_unref (db);
  fill (path, 100);

  for (guint round = 0; round < n; round++)
    {
      gint64 count;
      pid_t pid = fork ();
      int status;

      if (pid == 0)
        _exit (clinic_db_restore (path, backup, &creds, NULL) ? 0 : 3);

      g_usleep (g_random_int_range (0, 20000));
      kill (pid, SIGKILL);
      waitpid (pid, &status, 0);
      if (WIFEXITED (status) && WEXITSTATUS (status) != 0)
        g_error ("The restoring child failed with status %d", WEXITSTATUS (status));
      {
        g_autofree char *marker = g_strconcat (path, ".swap", NULL);
        g_autofree char *staged = g_strconcat (path, ".keys.new", NULL);

        if (g_file_test (marker, G_FILE_TEST_EXISTS))
          swapping++;
        else if (g_file_test (staged, G_FILE_TEST_EXISTS))
          staging++;
      }

      db = clinic_db_open (path, &creds, &error);
      g_assert_no_error (error);
      count = clinic_test_query_int (db, "SELECT count(*) FROM visits");
      g_assert_true (count == 500 || count == 600);
      clinic_test_assert_whole (db);
      g_object_unref (db);

      /* Back to the later state for the next round. */
      if (count == 500)
        fill (path, 100);
    }

  g_test_message ("%u restores killed (%u while checking the backup, %u mid-swap); each opened "
                  "as before or as restored", n, staging, swapping);
  g_assert_cmpuint (staging + swapping, >, 0);

  clinic_test_remove_tree (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_assert_true (sodium_init () >= 0);
  clinic_keys_allow_test_limits (TRUE);

  g_test_add_func ("/db-crash/sigkill-writer", test_sigkill_writer);
  g_test_add_func ("/db-crash/sigkill-rekey", test_sigkill_rekey);
  g_test_add_func ("/db-crash/sigkill-restore", test_sigkill_restore);

  return g_test_run ();
}
