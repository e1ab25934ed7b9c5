/* storage.c - plain SQLite against the cipher VFS, same workload
 *
 * Not a pass/fail test: prints a table.  Both sides use 4096-byte pages
 * with 40 reserved bytes (so page counts match), temp_store=MEMORY,
 * mmap_size=0, secure_delete=ON, synchronous=FULL.  Runs alternate plain
 * and cipher (order flipped each run); each figure is the median of --runs.
 *
 * Regimes:
 *   clinic   page cache 64 MiB (cache_size=-65536, what Clinic sets),
 *            database --size-mb (default 100)
 *   starved  page cache 1/16 of the database (database >= 8x cache)
 *
 *   demo     Clinic's own page cache and pragmas over a copy of a demo
 *            clinic (--demo-clinic PATH, made by `clinicctl demo
 *            --patients 100000`): registry searches through the FTS5
 *            index, charts opened, registry pages, and one-row write
 *            transactions as the front desk makes them (WAL only)
 *
 *   storage [--regime clinic|starved|both] [--mode wal|delete|both]
 *           [--size-mb N] [--runs N] [--only plain|cipher]
 *   storage --demo-clinic PATH [--runs N]
 *
 * --only is for `valgrind --tool=callgrind` comparisons of one side.
 */

#include "clinic-aead.h"
#include "clinic-db-private.h"
#include "clinic-demo.h"
#include "clinic-vfs.h"

#include <glib.h>
#include <glib/gstdio.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

enum { PH_INSERT, PH_LOOKUP, PH_SCAN, PH_UPDATE, PH_DELETE, N_PHASES };
static const char *phase_names[N_PHASES] = { "insert", "lookup", "range scan", "update", "delete" };

typedef struct
{
  double             load_ms;           /* building the database: not in the total */
  double             ms[N_PHASES];
  double             total;
  unsigned long long sealed, opened, wal_hits;
} RunResult;

static int opt_size_mb = 100;
static int opt_runs = 5;
static char *opt_regime = NULL;
static char *opt_mode = NULL;
static char *opt_only = NULL;
static char *opt_demo = NULL;

static void
exec_or_die (sqlite3    *db,
             const char *sql)
{
  char *err = NULL;

  if (sqlite3_exec (db, sql, NULL, NULL, &err) != SQLITE_OK)
    g_error ("%s: %s", sql, err);
}

static double
now_ms (void)
{
  return g_get_monotonic_time () / 1000.0;
}

static void
remove_db (const char *path)
{
  static const char *suffixes[] = { "", "-journal", "-wal", "-shm" };

  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *p = g_strconcat (path, suffixes[i], NULL);

      g_unlink (p);
    }
}

/* Rows FIRST..LAST by STMT, 1000 per transaction, patients drawn from
 * 0..PATIENTS-1. */
static void
insert_rows (sqlite3      *db,
             sqlite3_stmt *stmt,
             GRand        *rand,
             int           first,
             int           last,
             int           patients)
{
  for (int i = first; i <= last; i++)
    {
      if ((i - first) % 1000 == 0)
        exec_or_die (db, "BEGIN");
      sqlite3_bind_int (stmt, 1, i);
      sqlite3_bind_int (stmt, 2, g_rand_int_range (rand, 0, patients));
      sqlite3_bind_int (stmt, 3, i % 3650);
      if (sqlite3_step (stmt) != SQLITE_DONE)
        g_error ("insert: %s", sqlite3_errmsg (db));
      sqlite3_reset (stmt);
      if ((i - first) % 1000 == 999 || i == last)
        exec_or_die (db, "COMMIT");
    }
}

static void
run_workload (const char *dir,
              gboolean    cipher,
              gboolean    wal,
              int         cache_kib,
              RunResult  *out)
{
  g_autofree char *path = g_build_filename (dir, cipher ? "cipher.db" : "plain.db", NULL);
  g_autofree char *pragmas = NULL;
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  GRand *rand = g_rand_new_with_seed (42);
  ClinicVfsStats st0, st1;
  int rows = (int) ((gint64) opt_size_mb * 1024 * 1024 / 480);
  int reserve = CLINIC_VFS_RESERVE;
  double t;

  remove_db (path);
  if (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
                       cipher ? CLINIC_VFS_NAME : "unix") != SQLITE_OK)
    g_error ("open %s: %s", path, sqlite3_errmsg (db));
  if (cipher)
    {
      if (clinic_vfs_prepare_connection (db) != SQLITE_OK)
        g_error ("prepare: %s", sqlite3_errmsg (db));
    }
  else
    {
      sqlite3_file_control (db, "main", SQLITE_FCNTL_RESERVE_BYTES, &reserve);
      exec_or_die (db, "PRAGMA page_size=4096; PRAGMA temp_store=MEMORY; "
                   "PRAGMA mmap_size=0; PRAGMA secure_delete=ON");
    }
  pragmas = g_strdup_printf ("PRAGMA journal_mode=%s; PRAGMA synchronous=FULL; "
                             "PRAGMA cache_size=-%d", wal ? "WAL" : "DELETE", cache_kib);
  exec_or_die (db, pragmas);
  exec_or_die (db, "CREATE TABLE visit (id INTEGER PRIMARY KEY, patient TEXT, "
               "day INTEGER, note BLOB)");
  exec_or_die (db, "CREATE INDEX visit_patient ON visit (patient)");

  /* The database the workload runs on: --size-mb of rows, 1000 per
   * transaction.  Timed and printed, but not part of the total: it is a
   * bulk load, which Clinic does once (demo, migration of old records),
   * and every page of it is sealed twice in WAL mode (log, checkpoint). */
  t = now_ms ();
  sqlite3_prepare_v2 (db, "INSERT INTO visit (id, patient, day, note) "
                      "VALUES (?1, printf('patient-%08d', ?2), ?3, randomblob(360))",
                      -1, &stmt, NULL);
  insert_rows (db, stmt, rand, 1, rows, rows);
  if (wal)
    exec_or_die (db, "PRAGMA wal_checkpoint(TRUNCATE)");
  out->load_ms = now_ms () - t;
  clinic_vfs_get_stats (&st0);

  /* Insert: a tenth more rows. */
  t = now_ms ();
  insert_rows (db, stmt, rand, rows + 1, rows + rows / 10, rows);
  sqlite3_finalize (stmt);
  out->ms[PH_INSERT] = now_ms () - t;

  /* Indexed lookups on the secondary index. */
  t = now_ms ();
  sqlite3_prepare_v2 (db, "SELECT sum(length(note)) FROM visit WHERE patient = "
                      "printf('patient-%08d', ?1)", -1, &stmt, NULL);
  for (int i = 0; i < rows / 2; i++)
    {
      sqlite3_bind_int (stmt, 1, g_rand_int_range (rand, 0, rows));
      if (sqlite3_step (stmt) != SQLITE_ROW)
        g_error ("lookup: %s", sqlite3_errmsg (db));
      sqlite3_reset (stmt);
    }
  sqlite3_finalize (stmt);
  out->ms[PH_LOOKUP] = now_ms () - t;

  /* Range scans by primary key. */
  t = now_ms ();
  sqlite3_prepare_v2 (db, "SELECT count(*), sum(day), sum(length(note)) FROM visit "
                      "WHERE id BETWEEN ?1 AND ?1 + 2000", -1, &stmt, NULL);
  for (int i = 0; i < 200; i++)
    {
      sqlite3_bind_int (stmt, 1, g_rand_int_range (rand, 0, rows));
      if (sqlite3_step (stmt) != SQLITE_ROW)
        g_error ("scan: %s", sqlite3_errmsg (db));
      sqlite3_reset (stmt);
    }
  sqlite3_finalize (stmt);
  out->ms[PH_SCAN] = now_ms () - t;

  /* Updates of random rows, 1000 per transaction. */
  t = now_ms ();
  sqlite3_prepare_v2 (db, "UPDATE visit SET day = day + 1, note = randomblob(360) "
                      "WHERE id = ?1", -1, &stmt, NULL);
  for (int i = 1; i <= rows / 4; i++)
    {
      if (i % 1000 == 1)
        exec_or_die (db, "BEGIN");
      sqlite3_bind_int (stmt, 1, g_rand_int_range (rand, 1, rows + 1));
      if (sqlite3_step (stmt) != SQLITE_DONE)
        g_error ("update: %s", sqlite3_errmsg (db));
      sqlite3_reset (stmt);
      if (i % 1000 == 0 || i == rows / 4)
        exec_or_die (db, "COMMIT");
    }
  sqlite3_finalize (stmt);
  out->ms[PH_UPDATE] = now_ms () - t;

  /* Deletes: 50 ranges of 0.2 % each. */
  t = now_ms ();
  sqlite3_prepare_v2 (db, "DELETE FROM visit WHERE id BETWEEN ?1 AND ?1 + ?2", -1, &stmt, NULL);
  for (int i = 0; i < 50; i++)
    {
      sqlite3_bind_int (stmt, 1, g_rand_int_range (rand, 1, rows + 1));
      sqlite3_bind_int (stmt, 2, rows / 500);
      if (sqlite3_step (stmt) != SQLITE_DONE)
        g_error ("delete: %s", sqlite3_errmsg (db));
      sqlite3_reset (stmt);
    }
  sqlite3_finalize (stmt);
  if (wal)
    exec_or_die (db, "PRAGMA wal_checkpoint(TRUNCATE)");
  out->ms[PH_DELETE] = now_ms () - t;

  clinic_vfs_get_stats (&st1);
  out->sealed = st1.pages_sealed - st0.pages_sealed;
  out->opened = st1.pages_opened - st0.pages_opened;
  out->wal_hits = st1.wal_cache_hits - st0.wal_cache_hits;
  out->total = 0;
  for (int p = 0; p < N_PHASES; p++)
    out->total += out->ms[p];
  sqlite3_close (db);
  remove_db (path);
  g_rand_free (rand);
}

static int
cmp_double (const void *a,
            const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

static double
median (double *v,
        int     n)
{
  qsort (v, n, sizeof *v, cmp_double);
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* The floor: one seal (with its random nonce) and one open of a page,
 * with the calls and sizes the VFS makes, in this process.  AEAD is the
 * VFS's (clinic-aead.c: libcrypto's ChaCha20-Poly1305 under libsodium's
 * HChaCha20 subkey) or, when NULL, libsodium's own, which the issue's
 * 3.8 us figure was measured with. */
static void
measure_floor (ClinicAead *aead,
               double     *seal_us,
               double     *open_us)
{
  unsigned char key[32], page[4096], out[4096], ad[5] = { 1, 0, 0, 0, 1 }, nonces[64 * 24];
  const int n = 20000;
  double t;

  randombytes_buf (key, sizeof key);
  randombytes_buf (page, sizeof page);
  t = now_ms ();
  for (int i = 0; i < n; i++)
    {
      /* Nonces as the VFS draws them: 64 per getrandom(). */
      if (i % 64 == 0)
        randombytes_buf (nonces, sizeof nonces);
      memcpy (out + 4056, nonces + (i % 64) * 24, 24);
      clinic_aead_seal (aead, out, out + 4080, page, 4056, ad, 5, out + 4056, key);
    }
  *seal_us = (now_ms () - t) * 1000.0 / n;
  t = now_ms ();
  for (int i = 0; i < n; i++)
    {
      memcpy (page, out, 4096);
      if (clinic_aead_open (aead, page, page, 4056, page + 4080, ad, 5, page + 4056, key) != 0)
        g_error ("floor: open failed");
    }
  *open_us = (now_ms () - t) * 1000.0 / n;
}

/* The VFS's AEAD and libsodium's, each per page. */
static void
measure_floors (double  us[4])
{
  ClinicAead *aead = clinic_aead_new ();

  measure_floor (aead, &us[0], &us[1]);
  clinic_aead_free (aead);
  measure_floor (NULL, &us[2], &us[3]);
}

static void
print_floor (double             us[4],
             unsigned long long sealed,
             unsigned long long opened,
             double             overhead_ms)
{
  double floor_ms = (sealed * us[0] + opened * us[1]) / 1000.0;
  double sodium_ms = (sealed * us[2] + opened * us[3]) / 1000.0;

  printf ("AEAD (%s): seal %.2f us, open %.2f us per page; floor %.1f ms; ",
          clinic_aead_engine (), us[0], us[1], floor_ms);
  if (overhead_ms <= 0 || floor_ms <= 0)
    {
      /* A multiple of the floor means nothing when plain was slower. */
      printf ("overhead cipher - plain %.1f ms: none beyond run-to-run noise\n", overhead_ms);
      printf ("  libsodium's AEAD alone: seal %.2f us, open %.2f us per page\n", us[2], us[3]);
      return;
    }
  printf ("overhead cipher - plain %.1f ms = %.2f x floor\n", overhead_ms, overhead_ms / floor_ms);
  printf ("  libsodium's AEAD alone: seal %.2f us, open %.2f us per page; "
          "that floor %.1f ms; overhead = %.2f x it\n",
          us[2], us[3], sodium_ms, sodium_ms > 0 ? overhead_ms / sodium_ms : 0.0);
}

/* --- The demo clinic ------------------------------------------------------ */

enum { DP_SEARCH, DP_CHART, DP_PAGE, DP_WRITE, DP_CHECKPOINT, N_DEMO_PHASES };
static const char *demo_phase_names[N_DEMO_PHASES] = {
  "search", "chart open", "registry page", "write txn", "checkpoint"
};

/* Copies the demo clinic (decrypted by ClinicDb's connection) into @path,
 * plain or under the cipher VFS. */
static sqlite3 *
copy_demo (sqlite3    *source,
           const char *path,
           gboolean    cipher)
{
  sqlite3 *db = NULL;
  sqlite3_backup *backup;

  remove_db (path);
  if (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
                       cipher ? CLINIC_VFS_NAME : "unix") != SQLITE_OK)
    g_error ("open %s: %s", path, sqlite3_errmsg (db));
  if (cipher && clinic_vfs_prepare_connection (db) != SQLITE_OK)
    g_error ("prepare: %s", sqlite3_errmsg (db));
  backup = sqlite3_backup_init (db, "main", source, "main");
  if (backup == NULL || sqlite3_backup_step (backup, -1) != SQLITE_DONE)
    g_error ("copy of the demo clinic: %s", sqlite3_errmsg (db));
  sqlite3_backup_finish (backup);
  /* As Clinic runs (clinic-db.c). */
  exec_or_die (db, "PRAGMA temp_store=MEMORY; PRAGMA mmap_size=0; PRAGMA secure_delete=ON; "
               "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA cache_size=-65536; "
               "PRAGMA foreign_keys=ON; PRAGMA trusted_schema=OFF");
  return db;
}

static void
prepare_or_die (sqlite3       *db,
                const char    *sql,
                sqlite3_stmt **stmt)
{
  if (sqlite3_prepare_v2 (db, sql, -1, stmt, NULL) != SQLITE_OK)
    g_error ("%s: %s", sql, sqlite3_errmsg (db));
}

static void
step_all (sqlite3_stmt *stmt)
{
  int rc;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    ;
  if (rc != SQLITE_DONE)
    g_error ("step: %s", sqlite3_errmsg (sqlite3_db_handle (stmt)));
  sqlite3_reset (stmt);
}

static void
run_demo (sqlite3    *source,
          const char *dir,
          gboolean    cipher,
          GPtrArray  *prefixes,
          gint64      n_patients,
          double      ms[N_DEMO_PHASES],
          double     *total,
          unsigned long long *sealed,
          unsigned long long *opened)
{
  g_autofree char *path = g_build_filename (dir, cipher ? "cipher.db" : "plain.db", NULL);
  GRand *rand = g_rand_new_with_seed (7);
  sqlite3 *db = copy_demo (source, path, cipher);
  sqlite3_stmt *stmt, *chart[4], *write[2];
  ClinicVfsStats st0, st1;
  double t;

  /* Start cold, as a freshly opened Clinic does. */
  sqlite3_close (db);
  if (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE, cipher ? CLINIC_VFS_NAME : "unix") != SQLITE_OK)
    g_error ("reopen %s", path);
  if (cipher && clinic_vfs_prepare_connection (db) != SQLITE_OK)
    g_error ("prepare: %s", sqlite3_errmsg (db));
  exec_or_die (db, "PRAGMA temp_store=MEMORY; PRAGMA mmap_size=0; PRAGMA secure_delete=ON; "
               "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA cache_size=-65536; "
               "PRAGMA foreign_keys=ON; PRAGMA trusted_schema=OFF");
  clinic_vfs_get_stats (&st0);

  /* Typing in the registry: a prefix, best matches first, a page of them. */
  t = now_ms ();
  prepare_or_die (db, "SELECT p.id, p.family_name, p.given_names, p.birth_date, p.phone"
                  " FROM patients_names_fts f JOIN patients p ON p.id = f.rowid"
                  " WHERE patients_names_fts MATCH ?1 ORDER BY bm25 (patients_names_fts, 4.0, 1.0)"
                  " LIMIT 100", &stmt);
  for (int i = 0; i < 1000; i++)
    {
      sqlite3_bind_text (stmt, 1, prefixes->pdata[g_rand_int_range (rand, 0, prefixes->len)], -1, SQLITE_STATIC);
      step_all (stmt);
    }
  sqlite3_finalize (stmt);
  ms[DP_SEARCH] = now_ms () - t;

  /* Opening charts: the record and its clinical rows. */
  t = now_ms ();
  prepare_or_die (db, "SELECT * FROM patients WHERE id = ?1", &chart[0]);
  prepare_or_die (db, "SELECT * FROM allergies WHERE patient_id = ?1", &chart[1]);
  prepare_or_die (db, "SELECT * FROM visit_notes WHERE patient_id = ?1 ORDER BY encounter_date DESC", &chart[2]);
  prepare_or_die (db, "SELECT * FROM insurance_policies WHERE patient_id = ?1", &chart[3]);
  for (int i = 0; i < 2000; i++)
    {
      gint64 id = g_rand_int_range (rand, 1, n_patients + 1);

      for (int k = 0; k < 4; k++)
        {
          sqlite3_bind_int64 (chart[k], 1, id);
          step_all (chart[k]);
        }
    }
  for (int k = 0; k < 4; k++)
    sqlite3_finalize (chart[k]);
  ms[DP_CHART] = now_ms () - t;

  /* Scrolling the registry: pages of 100 in name order. */
  t = now_ms ();
  prepare_or_die (db, "SELECT id, chart_number, family_name, given_names, birth_date, phone, treatment"
                  " FROM patients WHERE status = 'active' ORDER BY sort_key LIMIT 100 OFFSET ?1", &stmt);
  for (int i = 0; i < 100; i++)
    {
      sqlite3_bind_int64 (stmt, 1, g_rand_int_range (rand, 0, MAX (n_patients - 100, 1)));
      step_all (stmt);
    }
  sqlite3_finalize (stmt);
  ms[DP_PAGE] = now_ms () - t;

  /* The front desk's changes: one record and one audit row per
   * transaction, each committed with a full sync. */
  t = now_ms ();
  prepare_or_die (db, "UPDATE patients SET phone = printf('030 %07d', ?2), updated_at = ?3 WHERE id = ?1", &write[0]);
  prepare_or_die (db, "INSERT INTO audit_log (time, user_name, action, object_type, object_id, patient_id, hash)"
                  " VALUES (?2, 'bench', 'patient.updated', 'patient', ?1, ?1, randomblob (32))", &write[1]);
  for (int i = 0; i < 500; i++)
    {
      gint64 id = g_rand_int_range (rand, 1, n_patients + 1);

      exec_or_die (db, "BEGIN IMMEDIATE");
      for (int k = 0; k < 2; k++)
        {
          sqlite3_bind_int64 (write[k], 1, id);
          sqlite3_bind_int64 (write[k], 2, g_rand_int_range (rand, 0, 9999999));
          if (k == 0)
            sqlite3_bind_int64 (write[k], 3, 1800000000 + i);
          step_all (write[k]);
        }
      exec_or_die (db, "COMMIT");
    }
  sqlite3_finalize (write[0]);
  sqlite3_finalize (write[1]);
  ms[DP_WRITE] = now_ms () - t;

  t = now_ms ();
  exec_or_die (db, "PRAGMA wal_checkpoint(TRUNCATE)");
  ms[DP_CHECKPOINT] = now_ms () - t;

  clinic_vfs_get_stats (&st1);
  *sealed = st1.pages_sealed - st0.pages_sealed;
  *opened = st1.pages_opened - st0.pages_opened;
  *total = 0;
  for (int p = 0; p < N_DEMO_PHASES; p++)
    *total += ms[p];
  sqlite3_close (db);
  remove_db (path);
  g_rand_free (rand);
}

static void
bench_demo (const char *dir)
{
  const ClinicDemoLogin *logins;
  g_autoptr(GError) error = NULL;
  g_autoptr(ClinicDb) clinic = NULL;
  g_autoptr(GPtrArray) prefixes = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *cpath = g_build_filename (dir, "cipher.db", NULL);
  double v[2][N_DEMO_PHASES + 1][64], sealed[64], opened[64];
  double us[4], p_total, c_total;
  unsigned char key[32];
  sqlite3_stmt *stmt;
  gint64 n_patients = 0, pages = 0;
  guint n_logins;

  logins = clinic_demo_get_logins (&n_logins);
  {
    ClinicCredentials creds = { logins[0].user, logins[0].password, NULL, NULL };

    clinic = clinic_db_open (opt_demo, &creds, &error);
  }
  if (clinic == NULL)
    g_error ("%s: %s", opt_demo, error->message);

  /* What people type: 1 to 4 letters of family names in the clinic. */
  prepare_or_die (clinic_db_get_handle (clinic),
                  "SELECT family_name, (SELECT count(*) FROM patients), (SELECT page_count FROM pragma_page_count)"
                  " FROM patients WHERE id % 97 = 0", &stmt);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      const char *name = (const char *) sqlite3_column_text (stmt, 0);
      glong len = g_utf8_strlen (name, -1);

      n_patients = sqlite3_column_int64 (stmt, 1);
      pages = sqlite3_column_int64 (stmt, 2);
      if (g_unichar_isalpha (g_utf8_get_char (name)))
        {
          g_autofree char *part = g_utf8_substring (name, 0, MIN (len, 1 + prefixes->len % 4));

          g_ptr_array_add (prefixes, g_strdup_printf ("\"%s\"*", part));
        }
    }
  sqlite3_finalize (stmt);
  if (prefixes->len == 0)
    g_error ("%s has no patients: make it with clinicctl demo --patients 100000", opt_demo);

  randombytes_buf (key, sizeof key);
  clinic_vfs_set_key (cpath, key);
  sodium_memzero (key, sizeof key);
  for (int r = 0; r < opt_runs; r++)
    for (int k = 0; k < 2; k++)
      {
        gboolean c = (k == 0) == (r % 2 == 1);
        unsigned long long s_pages = 0, o_pages = 0;
        double ms[N_DEMO_PHASES], total;

        run_demo (clinic_db_get_handle (clinic), dir, c, prefixes, n_patients, ms, &total, &s_pages, &o_pages);
        for (int p = 0; p < N_DEMO_PHASES; p++)
          v[c][p][r] = ms[p];
        v[c][N_DEMO_PHASES][r] = total;
        if (c)
          {
            sealed[r] = s_pages;
            opened[r] = o_pages;
          }
      }
  clinic_vfs_forget_key (cpath);
  measure_floors (us);

  printf ("\n== Demo clinic as Clinic runs (WAL, page cache 65536 KiB): %" G_GINT64_FORMAT
          " patients, %.1f MB, %d runs (median) ==\n", n_patients, pages * 4096.0 / 1e6, opt_runs);
  printf ("%-14s %12s %12s %8s\n", "phase", "plain ms", "cipher ms", "ratio");
  for (int p = 0; p <= N_DEMO_PHASES; p++)
    {
      double a = median (v[0][p], opt_runs), b = median (v[1][p], opt_runs);

      printf ("%-14s %12.1f %12.1f %8.2f\n", p == N_DEMO_PHASES ? "TOTAL" : demo_phase_names[p],
              a, b, a > 0 ? b / a : 0.0);
    }
  p_total = median (v[0][N_DEMO_PHASES], opt_runs);
  c_total = median (v[1][N_DEMO_PHASES], opt_runs);
  printf ("pages sealed %.0f, opened %.0f\n", median (sealed, opt_runs), median (opened, opt_runs));
  print_floor (us, median (sealed, opt_runs), median (opened, opt_runs), c_total - p_total);
  fflush (stdout);
}

static void
bench (const char *dir,
       gboolean    starved,
       gboolean    wal)
{
  int cache_kib = starved ? MAX (opt_size_mb * 1024 / 16, 256) : 65536;
  g_autofree RunResult *plain = g_new0 (RunResult, opt_runs);
  g_autofree RunResult *cipher = g_new0 (RunResult, opt_runs);
  gboolean do_plain = opt_only == NULL || g_str_equal (opt_only, "plain");
  gboolean do_cipher = opt_only == NULL || g_str_equal (opt_only, "cipher");
  double v[2][N_PHASES + 5][64];
  double us[4] = { 0 }, p_total, c_total;
  unsigned char key[32];
  g_autofree char *cpath = g_build_filename (dir, "cipher.db", NULL);

  randombytes_buf (key, sizeof key);
  clinic_vfs_set_key (cpath, key);
  sodium_memzero (key, sizeof key);

  for (int r = 0; r < opt_runs; r++)
    {
      gboolean cipher_first = r % 2 == 1;

      for (int k = 0; k < 2; k++)
        {
          gboolean c = (k == 0) == cipher_first;

          if ((c && do_cipher) || (!c && do_plain))
            run_workload (dir, c, wal, cache_kib, c ? &cipher[r] : &plain[r]);
        }
    }
  clinic_vfs_forget_key (cpath);
  /* With --only (callgrind), keep the instruction count the workload's. */
  if (opt_only == NULL)
    measure_floors (us);

  for (int r = 0; r < opt_runs; r++)
    {
      for (int p = 0; p < N_PHASES; p++)
        {
          v[0][p][r] = plain[r].ms[p];
          v[1][p][r] = cipher[r].ms[p];
        }
      v[0][N_PHASES][r] = plain[r].total;
      v[1][N_PHASES][r] = cipher[r].total;
      v[1][N_PHASES + 1][r] = cipher[r].sealed;
      v[1][N_PHASES + 2][r] = cipher[r].opened;
      v[1][N_PHASES + 3][r] = cipher[r].wal_hits;
      v[0][N_PHASES + 4][r] = plain[r].load_ms;
      v[1][N_PHASES + 4][r] = cipher[r].load_ms;
    }

  printf ("\n== %s regime, %s, database ~%d MB, page cache %d KiB, %d runs (median) ==\n",
          starved ? "cache-starved" : "Clinic", wal ? "WAL" : "DELETE", opt_size_mb,
          cache_kib, opt_runs);
  printf ("%-12s %12s %12s %8s\n", "phase", "plain ms", "cipher ms", "ratio");
  for (int p = 0; p <= N_PHASES; p++)
    {
      double a = median (v[0][p], opt_runs), b = median (v[1][p], opt_runs);

      printf ("%-12s %12.1f %12.1f %8.2f\n", p == N_PHASES ? "TOTAL" : phase_names[p],
              a, b, a > 0 ? b / a : 0.0);
    }
  p_total = median (v[0][N_PHASES], opt_runs);
  c_total = median (v[1][N_PHASES], opt_runs);
  {
    double sealed = median (v[1][N_PHASES + 1], opt_runs);
    double opened = median (v[1][N_PHASES + 2], opt_runs);
    double a = median (v[0][N_PHASES + 4], opt_runs), b = median (v[1][N_PHASES + 4], opt_runs);

    printf ("(load: the %d MB the workload runs on, built before it: plain %.1f ms, cipher %.1f ms, "
            "ratio %.2f; not in the total)\n", opt_size_mb, a, b, a > 0 ? b / a : 0.0);
    printf ("pages sealed %.0f, opened %.0f (WAL frames read back without opening: %.0f)\n",
            sealed, opened, median (v[1][N_PHASES + 3], opt_runs));
    if (opt_only == NULL)
      print_floor (us, sealed, opened, c_total - p_total);
  }
  fflush (stdout);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr (GOptionContext) ctx = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = NULL;
  GOptionEntry entries[] = {
    { "size-mb", 0, 0, G_OPTION_ARG_INT, &opt_size_mb, "Database size in MB (default 100)", "N" },
    { "runs", 0, 0, G_OPTION_ARG_INT, &opt_runs, "Runs per side (default 5)", "N" },
    { "regime", 0, 0, G_OPTION_ARG_STRING, &opt_regime, "clinic, starved or both", "R" },
    { "mode", 0, 0, G_OPTION_ARG_STRING, &opt_mode, "wal, delete or both", "M" },
    { "only", 0, 0, G_OPTION_ARG_STRING, &opt_only, "plain or cipher", "SIDE" },
    { "demo-clinic", 0, 0, G_OPTION_ARG_FILENAME, &opt_demo, "A demo clinic to measure instead", "PATH" },
    { NULL }
  };

  ctx = g_option_context_new ("- storage benchmark: plain SQLite vs the cipher VFS");
  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }
  opt_runs = CLAMP (opt_runs, 1, 64);
  if (clinic_vfs_register () != SQLITE_OK)
    g_error ("cannot register the cipher VFS");
  dir = g_dir_make_tmp ("clinic-bench-XXXXXX", &error);
  g_assert_no_error (error);

  if (opt_demo != NULL)
    {
      bench_demo (dir);
      g_rmdir (dir);
      g_free (opt_demo);
      return 0;
    }
  for (int s = 0; s < 2; s++)
    for (int w = 1; w >= 0; w--)
      {
        if (opt_regime != NULL && !g_str_equal (opt_regime, "both")
            && g_str_equal (opt_regime, "starved") != (s == 1))
          continue;
        if (opt_mode != NULL && !g_str_equal (opt_mode, "both")
            && g_str_equal (opt_mode, "wal") != (w == 1))
          continue;
        bench (dir, s == 1, w == 1);
      }
  g_rmdir (dir);
  g_free (opt_regime);
  g_free (opt_mode);
  g_free (opt_only);
  return 0;
}
