/* test-db-faults.c — the whole database layer under I/O faults and power
 * loss, with the fault VFS under the cipher VFS (cipher → fault → unix).
 *
 * I/O faults: a write transaction is run with SQLITE_IOERR or SQLITE_FULL
 * at each of its I/O points in turn; afterwards the database opens, is
 * whole, and the transaction happened entirely or not at all.
 *
 * Power loss: writes since the last sync are dropped or torn at a random
 * moment; afterwards every transaction whose COMMIT returned is there.
 * CLINIC_POWER_ROUNDS sets the rounds (default 40; the slow suite more).
 */

#include "config.h"

#include <glib/gstdio.h>
#include <sodium.h>

#include "clinic-db-private.h"
#include "clinic-fault-vfs.h"
#include "clinic-paths.h"
#include "clinic-vfs.h"

#define PASSWORD "correct horse battery"
#define FAULT_VFS  "fault"
#define CIPHER_VFS "clinic-cipher-fault"

static const ClinicCredentials creds = { "admin", PASSWORD, NULL, &CLINIC_KDF_LIMITS_TEST };

typedef struct
{
  char *dir;
  char *path;
} Fixture;

static void
remove_tree (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *child = g_build_filename (dir, name, NULL);

      g_unlink (child);
    }
  g_rmdir (dir);
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *recovery = NULL;
  ClinicDb *db;

  clinic_fault_vfs_reset ();
  f->dir = g_dir_make_tmp ("clinic-faults-XXXXXX", NULL);
  f->path = g_build_filename (f->dir, "clinic.db", NULL);
  db = clinic_db_create (f->path, "Fault Clinic", &creds, &recovery, &error);
  g_assert_no_error (error);
  clinic_db_exec (db, "CREATE TABLE visits (id INTEGER PRIMARY KEY, batch INTEGER NOT NULL, "
                      "note TEXT NOT NULL, done INTEGER NOT NULL DEFAULT 0)", &error);
  g_assert_no_error (error);
  clinic_db_exec (db, "CREATE INDEX visits_batch ON visits (batch)", &error);
  g_assert_no_error (error);
  g_object_unref (db);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  clinic_fault_vfs_reset ();
  remove_tree (f->dir);
  g_free (f->path);
  g_free (f->dir);
}

static ClinicDb *
open_ok (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  ClinicDb *db = clinic_db_open (f->path, &creds, &error);

  g_assert_no_error (error);
  return db;
}

static gint64
query_int (ClinicDb   *db,
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

static void
assert_whole (ClinicDb *db)
{
  g_autoptr(GError) error = NULL;
  sqlite3_stmt *stmt = clinic_db_prepare (db, "PRAGMA integrity_check", &error);

  g_assert_no_error (error);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 0), ==, "ok");
  sqlite3_reset (stmt);
}

/* One write transaction of several statements, big enough to spill
 * pages: 60 inserts of batch @batch, an update of them all, and the
 * deletion of a third. */
static gboolean
run_transaction (ClinicDb  *db,
                 int        batch,
                 GError   **error)
{
  g_autofree char *insert = g_strdup_printf (
    "WITH RECURSIVE n (i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 60) "
    "INSERT INTO visits (batch, note) SELECT %d, hex(randomblob(300)) FROM n", batch);
  g_autofree char *update = g_strdup_printf ("UPDATE visits SET done = 1 WHERE batch = %d", batch);
  g_autofree char *delete = g_strdup_printf ("DELETE FROM visits WHERE batch = %d AND id %% 3 = 0", batch);

  if (!clinic_db_begin_write (db, error))
    return FALSE;

  if (!clinic_db_exec (db, insert, error) ||
      !clinic_db_exec (db, update, error) ||
      !clinic_db_exec (db, delete, error) ||
      !clinic_db_commit (db, error))
    {
      clinic_db_rollback (db);
      return FALSE;
    }

  return TRUE;
}

/* A batch is all there (60 rows, minus the deleted third, all done) or not
 * there at all. */
static gboolean
batch_applied (ClinicDb *db,
               int       batch)
{
  g_autofree char *count_sql = g_strdup_printf ("SELECT count(*) FROM visits WHERE batch = %d", batch);
  g_autofree char *done_sql = g_strdup_printf ("SELECT count(*) FROM visits WHERE batch = %d AND done = 1 "
                                               "AND id %% 3 <> 0", batch);
  gint64 count = query_int (db, count_sql);

  if (count == 0)
    return FALSE;

  g_assert_cmpint (query_int (db, done_sql), ==, count);
  g_assert_cmpint (count, >=, 38);
  g_assert_cmpint (count, <=, 42);

  return TRUE;
}

static void
check_every_point (Fixture *f,
                   int      errcode,
                   gboolean persistent)
{
  g_autoptr(GArray) applied = g_array_new (FALSE, TRUE, sizeof (gboolean));
  ClinicDb *db;
  gint64 points;
  guint failed = 0;
  guint disk_full = 0;
  gboolean yes = TRUE;
  int batch = 1;

  /* Count the I/O points of one transaction. */
  db = open_ok (f);
  clinic_fault_vfs_reset ();
  g_assert_true (run_transaction (db, batch++, NULL));
  points = clinic_fault_vfs_get_points ();
  g_object_unref (db);
  g_assert_cmpint (points, >, 5);
  g_array_append_val (applied, yes);  /* batch 0: unused */
  g_array_append_val (applied, yes);  /* batch 1 */

  for (gint64 n = 1; n <= points; n++, batch++)
    {
      g_autoptr(GError) error = NULL;
      gboolean ok;
      gboolean there;

      db = open_ok (f);
      clinic_fault_vfs_reset ();
      clinic_fault_vfs_fail_at (n, CLINIC_FAULT_ANY, errcode, persistent);
      ok = run_transaction (db, batch, &error);
      clinic_fault_vfs_fail_at (0, CLINIC_FAULT_ANY, errcode, FALSE);

      if (!ok)
        {
          failed++;
          g_assert_nonnull (error);
          g_assert_true (error->domain == CLINIC_DB_ERROR);
          if (g_error_matches (error, CLINIC_DB_ERROR, CLINIC_DB_ERROR_DISK_FULL))
            disk_full++;
        }
      g_object_unref (db);

      /* Whatever happened, the next open finds a whole database, with
       * this batch entirely there or entirely absent (batch_applied checks
       * the "entirely"), and every earlier batch as it was. A commit whose
       * last sync failed may still be found on disk: that is "entirely". */
      clinic_fault_vfs_reset ();
      db = open_ok (f);
      assert_whole (db);
      there = batch_applied (db, batch);
      if (ok && !there)
        g_error ("Point %" G_GINT64_FORMAT ": a committed batch is missing", n);
      g_array_append_val (applied, there);
      for (int b = 1; b < batch; b++)
        g_assert_cmpint (batch_applied (db, b), ==, g_array_index (applied, gboolean, b));
      g_object_unref (db);
    }

  g_test_message ("%" G_GINT64_FORMAT " I/O points, %u transactions failed (%u as disk full)",
                  points, failed, disk_full);
  g_assert_cmpuint (failed, >, 0);
  if (errcode == SQLITE_FULL)
    g_assert_cmpuint (disk_full, >, 0);
}

static void
test_ioerr_every_point (Fixture       *f,
                        gconstpointer  data)
{
  check_every_point (f, SQLITE_IOERR, FALSE);
}

static void
test_full_every_point (Fixture       *f,
                       gconstpointer  data)
{
  check_every_point (f, SQLITE_FULL, FALSE);
}

static void
test_ioerr_persistent_every_point (Fixture       *f,
                                   gconstpointer  data)
{
  check_every_point (f, SQLITE_IOERR, TRUE);
}

static guint
power_rounds (void)
{
  const char *env = g_getenv ("CLINIC_POWER_ROUNDS");

  return env != NULL ? (guint) g_ascii_strtoull (env, NULL, 10) : 40;
}

static void
power_loss_rounds (Fixture    *f,
                   const char *journal_mode)
{
  g_autoptr(GArray) committed = g_array_new (FALSE, FALSE, sizeof (int));
  g_autofree char *mode_sql = g_strdup_printf ("PRAGMA journal_mode=%s", journal_mode);
  guint n = power_rounds ();
  guint changed_files = 0;
  int batch = 1;

  for (guint round = 0; round < n; round++)
    {
      ClinicCrashMode mode = round % 3 == 0 ? CLINIC_CRASH_DROP : CLINIC_CRASH_RANDOM;
      ClinicDb *db = open_ok (f);

      g_assert_true (clinic_db_exec (db, mode_sql, NULL));
      clinic_fault_vfs_reset ();
      clinic_fault_vfs_track_unsynced (TRUE);
      clinic_fault_vfs_crash_at (g_random_int_range (1, 400));

      while (!clinic_fault_vfs_is_dead ())
        {
          if (run_transaction (db, batch, NULL))
            g_array_append_val (committed, batch);
          batch++;
        }
      g_object_unref (db);

      changed_files += clinic_fault_vfs_power_loss (mode, g_random_int ());

      db = open_ok (f);
      assert_whole (db);
      for (guint i = 0; i < committed->len; i++)
        if (!batch_applied (db, g_array_index (committed, int, i)))
          g_error ("Round %u: batch %d was committed before the power cut and is lost",
                   round, g_array_index (committed, int, i));
      g_object_unref (db);
    }

  g_test_message ("%u power cuts (%s), %u transactions committed before them, %u files cut short; none lost",
                  n, journal_mode, committed->len, changed_files);
  g_assert_cmpuint (committed->len, >, 0);
  g_assert_cmpuint (changed_files, >, 0);
}

static void
test_power_loss_wal (Fixture       *f,
                     gconstpointer  data)
{
  power_loss_rounds (f, "WAL");
}

static void
test_power_loss_rollback (Fixture       *f,
                          gconstpointer  data)
{
  power_loss_rounds (f, "DELETE");
}

/* The power fails during a rekey: afterwards the database opens with the
 * staff password, whole, with every row. */
static void
test_power_loss_rekey (Fixture       *f,
                       gconstpointer  data)
{
  ClinicDb *db = open_ok (f);
  guint n = power_rounds () / 2;
  guint completed = 0;
  gint64 points;
  gint64 rows;

  for (int b = 1; b <= 20; b++)
    g_assert_true (run_transaction (db, b, NULL));
  rows = query_int (db, "SELECT count(*) FROM visits");

  /* How many I/O points a whole rekey has, so the cuts fall anywhere in
   * it: copying, checking the copy, swapping, reopening. */
  {
    g_autofree char *recovery = NULL;

    clinic_fault_vfs_reset ();
    g_assert_true (clinic_db_rekey (db, &recovery, NULL));
    points = clinic_fault_vfs_get_points ();
  }
  g_object_unref (db);

  for (guint round = 0; round < n; round++)
    {
      g_autofree char *recovery = NULL;

      db = open_ok (f);
      clinic_fault_vfs_reset ();
      clinic_fault_vfs_track_unsynced (TRUE);
      clinic_fault_vfs_crash_at (g_random_int_range (1, (gint32) points + 20));
      if (clinic_db_rekey (db, &recovery, NULL))
        completed++;
      g_object_unref (db);
      clinic_fault_vfs_power_loss (round % 2 ? CLINIC_CRASH_DROP : CLINIC_CRASH_RANDOM,
                                   g_random_int ());

      db = open_ok (f);
      assert_whole (db);
      g_assert_cmpint (query_int (db, "SELECT count(*) FROM visits"), ==, rows);
      g_object_unref (db);
    }

  g_test_message ("%u rekeys of %" G_GINT64_FORMAT " I/O points with a power cut at a random one "
                  "(%u finished first)", n, points, completed);
  g_assert_cmpuint (completed, <, n);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_assert_true (sodium_init () >= 0);
  clinic_keys_allow_test_limits (TRUE);

  g_assert_cmpint (clinic_fault_vfs_register (FAULT_VFS, NULL), ==, SQLITE_OK);
  g_assert_cmpint (clinic_vfs_register_over (CIPHER_VFS, FAULT_VFS), ==, SQLITE_OK);
  clinic_db_set_vfs_for_testing (CIPHER_VFS);

#define ADD(name, func) \
  g_test_add ("/db-faults/" name, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("ioerr-every-point", test_ioerr_every_point);
  ADD ("full-every-point", test_full_every_point);
  ADD ("ioerr-persistent-every-point", test_ioerr_persistent_every_point);
  ADD ("power-loss-wal", test_power_loss_wal);
  ADD ("power-loss-rollback", test_power_loss_rollback);
  ADD ("power-loss-rekey", test_power_loss_rekey);

  return g_test_run ();
}
