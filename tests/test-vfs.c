/* test-vfs.c - tests of the cipher VFS (src/core/clinic-vfs.c)
 *
 * Each test works in its own temporary folder.  Every bug listed in
 * docs/VFS-NOTES.md has a test here; the comments name the number.
 * Long runs (1000 power-loss iterations) only with -m slow.
 */


#include "clinic-test-db.h"
#include "clinic-vfs.h"
#include "clinic-fault-vfs.h"

#include <dirent.h>
#include <fcntl.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <sodium.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define CANARY       "PATIENT-CANARY-93f1c7"
#define FAULT_VFS    "clinic-fault"
#define CIPHER_FAULT "clinic-cipher-over-fault"

static const unsigned char key_a[32] = "0123456789abcdef0123456789abcde";
static const unsigned char key_b[32] = "fedcba9876543210fedcba987654321";

static gint torn_wal_notices;
static gint torn_journal_notices;

typedef struct
{
  char *dir;
  char *db_path;
} Fixture;

/* ------------------------------------------------------------------ */
/* Helpers                                                             */

static void
log_cb (void       *data,
        int         code,
        const char *msg)
{
  if (strstr (msg, "treated as a torn tail") != NULL)
    g_atomic_int_inc (&torn_wal_notices);
  else if (strstr (msg, "treated as torn") != NULL)
    g_atomic_int_inc (&torn_journal_notices);
  if (g_getenv ("CLINIC_VFS_TEST_LOG") != NULL)
    g_printerr ("sqlite log %d: %s\n", code, msg);
}

static void
fixture_setup (Fixture       *fx,
               gconstpointer  data)
{
  g_autoptr (GError) error = NULL;

  fx->dir = g_dir_make_tmp ("clinic-vfs-XXXXXX", &error);
  g_assert_no_error (error);
  fx->db_path = g_build_filename (fx->dir, "clinic.db", NULL);
  /* Temp files of SQLite land in our folder, so the scans see them. */
  sqlite3_free (sqlite3_temp_directory);
  sqlite3_temp_directory = sqlite3_mprintf ("%s", fx->dir);
  g_assert_cmpint (clinic_vfs_set_key (fx->db_path, key_a), ==, SQLITE_OK);
  clinic_vfs_clear_last_failure ();
  clinic_fault_vfs_reset ();
}

static void
fixture_teardown (Fixture       *fx,
                  gconstpointer  data)
{
  clinic_vfs_forget_key (fx->db_path);
  clinic_fault_vfs_reset ();
  sqlite3_free (sqlite3_temp_directory);
  sqlite3_temp_directory = NULL;
  clinic_test_remove_tree (fx->dir);
  g_free (fx->db_path);
  g_free (fx->dir);
}

static sqlite3 *
open_db_full (const char *path,
              const char *vfs,
              int         expect)
{
  sqlite3 *db = NULL;
  int rc;

  rc = sqlite3_open_v2 (path, &db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_URI, vfs);
  if (rc == SQLITE_OK)
    {
      sqlite3_extended_result_codes (db, 1);
      sqlite3_busy_timeout (db, 5000);
      if (vfs != NULL && strcmp (vfs, "unix") != 0)
        rc = clinic_vfs_prepare_connection (db);
    }
  if (expect == SQLITE_OK)
    {
      if (rc != SQLITE_OK)
        g_error ("open %s: %s (%d)", path, db ? sqlite3_errmsg (db) : "?", rc);
    }
  else if (rc != SQLITE_OK)
    {
      sqlite3_close_v2 (db);
      return NULL;
    }
  return db;
}

static sqlite3 *
open_db (const char *path)
{
  return open_db_full (path, CLINIC_VFS_NAME, SQLITE_OK);
}

static void
exec_ok (sqlite3    *db,
         const char *sql)
{
  char *err = NULL;

  if (sqlite3_exec (db, sql, NULL, NULL, &err) != SQLITE_OK)
    g_error ("%s: %s", sql, err);
}

static gint64
query_int (sqlite3    *db,
           const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  gint64 v;

  if (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL) != SQLITE_OK)
    g_error ("%s: %s", sql, sqlite3_errmsg (db));
  if (sqlite3_step (stmt) != SQLITE_ROW)
    g_error ("%s: %s", sql, sqlite3_errmsg (db));
  v = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return v;
}

/* Runs SQL to the end; returns the extended result code. */
static int
run_sql (sqlite3    *db,
         const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  const char *tail = sql;
  int rc = SQLITE_OK;

  while (rc == SQLITE_OK && tail != NULL && *tail != '\0')
    {
      rc = sqlite3_prepare_v2 (db, tail, -1, &stmt, &tail);
      if (rc != SQLITE_OK || stmt == NULL)
        break;
      while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
        ;
      if (rc == SQLITE_DONE)
        rc = SQLITE_OK;
      else
        rc = sqlite3_extended_errcode (db);
      sqlite3_finalize (stmt);
      stmt = NULL;
    }
  return rc;
}

static void
assert_integrity (sqlite3 *db)
{
  sqlite3_stmt *stmt = NULL;

  g_assert_cmpint (sqlite3_prepare_v2 (db, "PRAGMA integrity_check", -1, &stmt, NULL),
                   ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 0), ==, "ok");
  sqlite3_finalize (stmt);
}

static void
close_db (sqlite3 *db)
{
  g_assert_cmpint (sqlite3_close (db), ==, SQLITE_OK);
}

/* A schema with the canary in TEXT and BLOB columns and an index. */
static void
fill_db (sqlite3 *db,
         int      first,
         int      n)
{
  g_autofree char *sql = NULL;

  exec_ok (db, "CREATE TABLE IF NOT EXISTS patient (id INTEGER PRIMARY KEY, name TEXT, "
           "note BLOB, n INTEGER)");
  exec_ok (db, "CREATE INDEX IF NOT EXISTS patient_name ON patient (name)");
  sql = g_strdup_printf ("WITH RECURSIVE c(i) AS (SELECT %d UNION ALL SELECT i+1 FROM c "
                         "WHERE i < %d) INSERT INTO patient (id, name, note, n) "
                         "SELECT i, '" CANARY " ' || i, CAST('" CANARY "' || "
                         "hex(randomblob(100)) AS BLOB), i FROM c",
                         first, first + n - 1);
  exec_ok (db, sql);
}

static gboolean
buffer_has_canary (const guint8 *data,
                   gsize         len)
{
  return memmem (data, len, CANARY, strlen (CANARY)) != NULL
         || memmem (data, len, "PATIENT-CANARY", 14) != NULL;
}

static gboolean
file_has_canary (const char *path)
{
  g_autofree char *data = NULL;
  gsize len = 0;

  if (!g_file_get_contents (path, &data, &len, NULL))
    return FALSE;
  return buffer_has_canary ((const guint8 *) data, len);
}

/* Every file in DIR, and every deleted-but-open file of this process that
 * lived in DIR (SQLite unlinks its temp files right after opening them). */
static int
count_canary_files (const char *dir)
{
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  g_autoptr (GDir) fds = g_dir_open ("/proc/self/fd", 0, NULL);
  const char *name;
  int found = 0;

  g_assert_nonnull (d);
  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      if (file_has_canary (path))
        {
          g_test_message ("canary found in %s", path);
          found++;
        }
    }
  while (fds != NULL && (name = g_dir_read_name (fds)) != NULL)
    {
      g_autofree char *link = g_build_filename ("/proc/self/fd", name, NULL);
      g_autofree char *target = g_file_read_link (link, NULL);

      if (target != NULL && g_str_has_prefix (target, dir)
          && g_str_has_suffix (target, " (deleted)") && file_has_canary (link))
        {
          g_test_message ("canary found in %s", target);
          found++;
        }
    }
  return found;
}

static guint8 *
read_file (const char *path,
           gsize      *len)
{
  char *data = NULL;

  g_assert_true (g_file_get_contents (path, &data, len, NULL));
  return (guint8 *) data;
}

static void
write_file (const char   *path,
            const guint8 *data,
            gsize         len)
{
  g_autoptr (GError) error = NULL;

  g_file_set_contents (path, (const char *) data, len, &error);
  g_assert_no_error (error);
}

static void
patch_file (const char   *path,
            gint64        off,
            const guint8 *data,
            gsize         len)
{
  int fd = open (path, O_WRONLY);

  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (pwrite (fd, data, len, off), ==, (gssize) len);
  close (fd);
}

static gboolean
is_wal (gconstpointer data)
{
  return GPOINTER_TO_INT (data) == 1;
}

static void
set_mode (sqlite3       *db,
          gconstpointer  data)
{
  if (is_wal (data))
    {
      exec_ok (db, "PRAGMA journal_mode=WAL");
      g_assert_cmpint (query_int (db, "SELECT journal_mode = 'wal' FROM pragma_journal_mode"),
                       ==, 1);
      exec_ok (db, "PRAGMA synchronous=FULL");
    }
  else
    {
      exec_ok (db, "PRAGMA journal_mode=DELETE; PRAGMA synchronous=FULL");
    }
}

static void
copy_db_files (const char *from,
               const char *to)
{
  static const char *suffixes[] = { "", "-journal", "-wal", "-shm" };

  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *src = g_strconcat (from, suffixes[i], NULL);
      g_autofree char *dst = g_strconcat (to, suffixes[i], NULL);
      g_autofree char *data = NULL;
      gsize len;

      g_unlink (dst);
      if (g_file_get_contents (src, &data, &len, NULL))
        write_file (dst, (guint8 *) data, len);
    }
}

/* ------------------------------------------------------------------ */
/* Round trip and plaintext                                            */

/* Data survives close and reopen in both journal modes; nothing in the
 * folder holds the canary. */
static void
test_round_trip (Fixture       *fx,
                 gconstpointer  data)
{
  sqlite3 *db = open_db (fx->db_path);

  set_mode (db, data);
  fill_db (db, 1, 3000);
  exec_ok (db, "UPDATE patient SET n = n * 2 WHERE id % 3 = 0");
  exec_ok (db, "DELETE FROM patient WHERE id % 7 = 0");
  close_db (db);
  g_assert_cmpint (count_canary_files (fx->dir), ==, 0);

  db = open_db (fx->db_path);
  assert_integrity (db);
  g_assert_cmpint (query_int (db, "SELECT count(*) FROM patient"), ==, 3000 - 3000 / 7);
  g_assert_cmpint (query_int (db, "SELECT n FROM patient WHERE id = 9"), ==, 18);
  g_assert_cmpint (query_int (db, "SELECT count(*) FROM patient WHERE name = '"
                              CANARY " 100'"), ==, 1);
  g_assert_cmpint (query_int (db, "PRAGMA page_size"), ==, CLINIC_VFS_PAGE_SIZE);
  close_db (db);
}

/* Canary absent while a write transaction is open (journal or WAL on
 * disk, pages spilled), and after a checkpoint. */
static void
test_canary_open_transaction (Fixture       *fx,
                              gconstpointer  data)
{
  sqlite3 *db = open_db (fx->db_path);
  g_autofree char *side = g_strconcat (fx->db_path, is_wal (data) ? "-wal" : "-journal", NULL);

  set_mode (db, data);
  exec_ok (db, "PRAGMA cache_size=20");   /* spill dirty pages mid-transaction */
  fill_db (db, 1, 500);
  exec_ok (db, "BEGIN");
  fill_db (db, 1000, 3000);
  exec_ok (db, "UPDATE patient SET name = name || ' x' WHERE id < 400");
  g_assert_true (g_file_test (side, G_FILE_TEST_EXISTS));
  g_assert_cmpint (count_canary_files (fx->dir), ==, 0);
  exec_ok (db, "COMMIT");
  g_assert_cmpint (count_canary_files (fx->dir), ==, 0);
  if (is_wal (data))
    {
      exec_ok (db, "PRAGMA wal_checkpoint(FULL)");
      g_assert_cmpint (count_canary_files (fx->dir), ==, 0);
    }
  assert_integrity (db);
  close_db (db);
  g_assert_cmpint (count_canary_files (fx->dir), ==, 0);
}

/* A child killed with SIGKILL in the middle of a transaction leaves a hot
 * journal or WAL: no canary in it, and the database recovers. */
static void
test_canary_sigkill (Fixture       *fx,
                     gconstpointer  data)
{
  sqlite3 *db = open_db (fx->db_path);
  pid_t pid;
  int status = 0;

  set_mode (db, data);
  fill_db (db, 1, 200);
  close_db (db);

  pid = fork ();
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      db = open_db (fx->db_path);
      exec_ok (db, "PRAGMA cache_size=10");
      fill_db (db, 1000, 500);                  /* committed */
      exec_ok (db, "BEGIN");
      fill_db (db, 5000, 3000);                 /* spills: db and journal written */
      kill (getpid (), SIGKILL);
      _exit (1);
    }
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_assert_true (WIFSIGNALED (status));
  g_assert_cmpint (WTERMSIG (status), ==, SIGKILL);

  g_assert_cmpint (count_canary_files (fx->dir), ==, 0);
  db = open_db (fx->db_path);
  assert_integrity (db);
  g_assert_cmpint (query_int (db, "SELECT count(*) FROM patient"), ==, 700);
  close_db (db);
  g_assert_cmpint (count_canary_files (fx->dir), ==, 0);
}

/* Every page of the file was sealed with its own nonce: the nonces come
 * from a pool drawn 64 at a time, and a child of fork() that goes on
 * writing through its parent's connection draws its own pool instead of
 * using up the same bytes as the parent (which would repeat nonces under
 * one key). */
static void
assert_nonces_unique (const char *path)
{
  g_autofree char *data = NULL;
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_bytes_hash, g_bytes_equal,
                                                       (GDestroyNotify) g_bytes_unref, NULL);
  gsize len = 0;
  const gsize reserve = 40, nonce = 24;

  g_assert_true (g_file_get_contents (path, &data, &len, NULL));
  g_assert_cmpuint (len % CLINIC_VFS_PAGE_SIZE, ==, 0);
  g_assert_cmpuint (len / CLINIC_VFS_PAGE_SIZE, >, 64);
  for (gsize off = 0; off < len; off += CLINIC_VFS_PAGE_SIZE)
    {
      GBytes *n = g_bytes_new (data + off + CLINIC_VFS_PAGE_SIZE - reserve, nonce);

      if (!g_hash_table_add (seen, n))
        g_error ("page %" G_GSIZE_FORMAT " repeats an earlier page's nonce", off / CLINIC_VFS_PAGE_SIZE + 1);
    }
}

/* The page format is libsodium's crypto_aead_xchacha20poly1305_ietf with
 * page number and role as associated data, whichever library the VFS
 * seals with (clinic-aead.c): every page of the database and every frame
 * of the log opens with libsodium alone, given the key. */
static gboolean
page_opens_with_libsodium (const guint8  *image,
                           guint          pgno,
                           ClinicVfsRole  role,
                           guint8        *out)
{
  guint8 ad[5] = { pgno & 0xff, (pgno >> 8) & 0xff, (pgno >> 16) & 0xff, (pgno >> 24) & 0xff, role };

  return crypto_aead_xchacha20poly1305_ietf_decrypt_detached (out, NULL, image, 4056, image + 4080,
                                                              ad, sizeof ad, image + 4056, key_a) == 0;
}

static void
test_format_libsodium (Fixture       *fx,
                       gconstpointer  data)
{
  g_autofree char *wal_path = g_strconcat (fx->db_path, "-wal", NULL);
  g_autofree guint8 *file = NULL, *wal = NULL;
  sqlite3 *db = open_db (fx->db_path);
  guint8 out[4056];
  gsize len, wal_len, frames;

  exec_ok (db, "PRAGMA journal_mode=WAL; PRAGMA wal_autocheckpoint=0");
  fill_db (db, 1, 300);
  exec_ok (db, "PRAGMA wal_checkpoint(TRUNCATE)");
  exec_ok (db, "UPDATE patient SET n = n + 1 WHERE id % 5 = 0");

  file = read_file (fx->db_path, &len);
  wal = read_file (wal_path, &wal_len);
  g_assert_cmpuint (len % 4096, ==, 0);
  g_assert_cmpuint (len / 4096, >, 10);
  for (gsize i = 0; i < len / 4096; i++)
    {
      g_assert_true (page_opens_with_libsodium (file + i * 4096, (guint) i + 1, CLINIC_VFS_ROLE_MAIN_DB, out));
      if (i == 0)
        g_assert_cmpmem (out, 16, "SQLite format 3", 16);
      /* Not as another page, nor as a log frame. */
      g_assert_false (page_opens_with_libsodium (file + i * 4096, (guint) i + 2, CLINIC_VFS_ROLE_MAIN_DB, out));
      g_assert_false (page_opens_with_libsodium (file + i * 4096, (guint) i + 1, CLINIC_VFS_ROLE_WAL, out));
    }

  frames = (wal_len - 32) / (24 + 4096);
  g_assert_cmpuint (frames, >, 0);
  for (gsize i = 0; i < frames; i++)
    {
      const guint8 *h = wal + 32 + i * (24 + 4096);
      guint pgno = (guint) h[0] << 24 | h[1] << 16 | h[2] << 8 | h[3];

      g_assert_true (page_opens_with_libsodium (h + 24, pgno, CLINIC_VFS_ROLE_WAL, out));
    }
  close_db (db);
}

/* Rollback mode reads 16 bytes of page 1 at every read transaction: they
 * come from the page 1 the handle holds while its nonce and tag on disk
 * are unchanged (no page opened), and a changed page 1 on disk is read
 * and checked again, so a tampered one is an error. */
static void
test_page1_slice (Fixture       *fx,
                  gconstpointer  data)
{
  ClinicVfsStats st0, st1;
  sqlite3 *db = open_db (fx->db_path), *other;
  gint64 sum;
  guint8 b;

  exec_ok (db, "PRAGMA journal_mode=DELETE");
  fill_db (db, 1, 200);
  sum = query_int (db, "SELECT sum(n) FROM patient");

  clinic_vfs_get_stats (&st0);
  for (int i = 0; i < 50; i++)
    g_assert_cmpint (query_int (db, "SELECT sum(n) FROM patient"), ==, sum);
  clinic_vfs_get_stats (&st1);
  g_assert_cmpuint (st1.page1_cache_hits - st0.page1_cache_hits, >=, 50);
  g_assert_cmpuint (st1.pages_opened, ==, st0.pages_opened);

  /* Another connection commits: page 1 changes on disk (new nonce), the
   * first connection sees the change and the new rows. */
  other = open_db (fx->db_path);
  exec_ok (other, "INSERT INTO patient (id, name, n) VALUES (100000, 'late', 5)");
  close_db (other);
  g_assert_cmpint (query_int (db, "SELECT sum(n) FROM patient"), ==, sum + 5);

  /* A flipped bit in page 1's tag on disk: the slice is not served from
   * what the handle held, the page is read, and refused. */
  b = 0;
  {
    g_autofree guint8 *file = NULL;
    gsize len;

    file = read_file (fx->db_path, &len);
    b = file[4095] ^ 0x10;
  }
  patch_file (fx->db_path, 4095, &b, 1);
  clinic_vfs_clear_last_failure ();
  g_assert_cmpint (run_sql (db, "SELECT sum(n) FROM patient"), ==, SQLITE_IOERR_DATA);
  close_db (db);
}

static void
test_nonces_unique (Fixture       *fx,
                    gconstpointer  data)
{
  sqlite3 *db = open_db (fx->db_path);
  pid_t pid;
  int status = 0;

  exec_ok (db, "PRAGMA journal_mode=DELETE");
  fill_db (db, 1, 3000);
  assert_nonces_unique (fx->db_path);

  /* One row on an early page, then the same shape of write in a child
   * and in the parent, on different pages: with a shared pool both would
   * seal with the same nonces in the same order. */
  exec_ok (db, "UPDATE patient SET n = -1 WHERE id = 1");
  pid = fork ();
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      exec_ok (db, "UPDATE patient SET n = -2 WHERE id = 1000");
      _exit (0);
    }
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_assert_true (WIFEXITED (status) && WEXITSTATUS (status) == 0);
  exec_ok (db, "UPDATE patient SET n = -3 WHERE id = 2500");
  g_assert_cmpint (query_int (db, "SELECT n FROM patient WHERE id = 1000"), ==, -2);
  close_db (db);
  assert_nonces_unique (fx->db_path);
}

/* Sorting far more than the page cache, with temp_store=FILE too: the
 * sorter, temp b-trees and statement journals are files then, and
 * still hold no plaintext.  The same run on plain SQLite finds the canary,
 * which proves the scan looks where those files are. */
static void
sort_and_scan (sqlite3 *db,
               int     *rows)
{
  sqlite3_stmt *stmt = NULL;

  exec_ok (db, "PRAGMA cache_size=-256");
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT name, note FROM patient "
                                       "ORDER BY note DESC, name", -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  *rows = 1;
  *rows += count_canary_files (sqlite3_temp_directory) * 1000000;
  while (sqlite3_step (stmt) == SQLITE_ROW)
    (*rows)++;
  sqlite3_finalize (stmt);
}

static void
test_temp_files (Fixture       *fx,
                 gconstpointer  data)
{
  g_autofree char *plain_path = g_build_filename (fx->dir, "plain.db", NULL);
  sqlite3 *db;
  int rows;

  /* Control: plain SQLite, temp_store=FILE. */
  db = open_db_full (plain_path, "unix", SQLITE_OK);
  exec_ok (db, "PRAGMA temp_store=FILE");
  fill_db (db, 1, 20000);
  sort_and_scan (db, &rows);
  g_assert_cmpint (rows, >, 1000000);   /* the scan did find plaintext */
  close_db (db);
  g_unlink (plain_path);

  db = open_db (fx->db_path);
  fill_db (db, 1, 20000);
  for (int store = 0; store < 2; store++)
    {
      ClinicVfsStats before, after;

      exec_ok (db, store == 0 ? "PRAGMA temp_store=FILE" : "PRAGMA temp_store=MEMORY");
      clinic_vfs_get_stats (&before);
      sort_and_scan (db, &rows);
      clinic_vfs_get_stats (&after);
      g_assert_cmpint (rows, ==, 20000);
      if (store == 0)
        g_assert_cmpuint (after.temp_bytes, >, before.temp_bytes);  /* files were used */

      /* A big statement journal under a savepoint, then ROLLBACK TO. */
      exec_ok (db, "BEGIN");
      exec_ok (db, "UPDATE patient SET n = n + 1");
      exec_ok (db, "SAVEPOINT big");
      exec_ok (db, "UPDATE patient SET name = name || ' changed', n = -n");
      g_assert_cmpint (count_canary_files (fx->dir), ==, 0);
      exec_ok (db, "ROLLBACK TO big");
      exec_ok (db, "RELEASE big");
      exec_ok (db, "COMMIT");
      g_assert_cmpint (query_int (db, "SELECT count(*) FROM patient WHERE n <= 0"), ==, 0);
      g_assert_cmpint (query_int (db, "SELECT sum(n) FROM patient"),
                       ==, 20000LL * 20001 / 2 + 20000LL * (store + 1));
      assert_integrity (db);
    }
  exec_ok (db, "PRAGMA temp_store=FILE; VACUUM");
  assert_integrity (db);
  close_db (db);
  g_assert_cmpint (count_canary_files (fx->dir), ==, 0);
}

/* ------------------------------------------------------------------ */
/* Tampering                                                           */

static void
expect_data_error (const char *path,
                   guint       pgno,
                   int         role)
{
  ClinicVfsFailure fail;
  sqlite3 *db;
  int rc;

  clinic_vfs_clear_last_failure ();
  db = open_db_full (path, CLINIC_VFS_NAME, SQLITE_IOERR_DATA);
  if (db != NULL)
    {
      rc = run_sql (db, "PRAGMA integrity_check; SELECT sum(length(note)) FROM patient");
      g_assert_cmpint (rc, ==, SQLITE_IOERR_DATA);
      sqlite3_close (db);
    }
  g_assert_true (clinic_vfs_get_last_failure (&fail));
  g_assert_cmpint (fail.errcode, ==, SQLITE_IOERR_DATA);
  g_assert_cmpint (fail.role, ==, role);
  if (pgno != 0)
    g_assert_cmpuint (fail.pgno, ==, pgno);
  g_assert_true (g_str_has_prefix (fail.path, path) || strstr (fail.path, "clinic.db") != NULL);
}

/* A byte flipped anywhere in a sample of pages (body, nonce, tag) is
 * SQLITE_IOERR_DATA naming that page, never wrong data. */
static void
test_tamper_flip (Fixture       *fx,
                  gconstpointer  data)
{
  sqlite3 *db = open_db (fx->db_path);
  g_autofree guint8 *orig = NULL;
  gsize len;
  guint pages;

  fill_db (db, 1, 2000);
  close_db (db);
  orig = read_file (fx->db_path, &len);
  pages = len / CLINIC_VFS_PAGE_SIZE;
  g_assert_cmpuint (pages, >, 20);

  for (guint pgno = 1; pgno <= pages; pgno += (pgno < 4 ? 1 : 7))
    {
      static const int spots[] = { 0, 100, 2000, 4055, 4056, 4079, 4080, 4095 };
      int spot = spots[pgno % G_N_ELEMENTS (spots)];
      guint8 b = orig[(pgno - 1) * CLINIC_VFS_PAGE_SIZE + spot] ^ 0x01;

      write_file (fx->db_path, orig, len);
      patch_file (fx->db_path, (gint64) (pgno - 1) * CLINIC_VFS_PAGE_SIZE + spot, &b, 1);
      expect_data_error (fx->db_path, pgno, CLINIC_VFS_ROLE_MAIN_DB);
    }
  write_file (fx->db_path, orig, len);
  db = open_db (fx->db_path);
  assert_integrity (db);
  close_db (db);
}

/* Two pages swapped, and a page copied from another database with a
 * different key: both refused. */
static void
test_tamper_move (Fixture       *fx,
                  gconstpointer  data)
{
  g_autofree char *other = g_build_filename (fx->dir, "other.db", NULL);
  g_autofree guint8 *orig = NULL;
  g_autofree guint8 *foreign = NULL;
  gsize len, flen;
  sqlite3 *db;

  db = open_db (fx->db_path);
  fill_db (db, 1, 1000);
  close_db (db);
  g_assert_cmpint (clinic_vfs_set_key (other, key_b), ==, SQLITE_OK);
  db = open_db (other);
  fill_db (db, 1, 1000);
  close_db (db);

  orig = read_file (fx->db_path, &len);
  foreign = read_file (other, &flen);
  g_assert_cmpuint (flen, >=, 5 * CLINIC_VFS_PAGE_SIZE);

  /* Swap pages 3 and 4. */
  patch_file (fx->db_path, 2 * CLINIC_VFS_PAGE_SIZE, orig + 3 * CLINIC_VFS_PAGE_SIZE,
              CLINIC_VFS_PAGE_SIZE);
  patch_file (fx->db_path, 3 * CLINIC_VFS_PAGE_SIZE, orig + 2 * CLINIC_VFS_PAGE_SIZE,
              CLINIC_VFS_PAGE_SIZE);
  expect_data_error (fx->db_path, 0, CLINIC_VFS_ROLE_MAIN_DB);

  /* Page 4 from the other database (same page number, other key). */
  write_file (fx->db_path, orig, len);
  patch_file (fx->db_path, 3 * CLINIC_VFS_PAGE_SIZE, foreign + 3 * CLINIC_VFS_PAGE_SIZE,
              CLINIC_VFS_PAGE_SIZE);
  expect_data_error (fx->db_path, 4, CLINIC_VFS_ROLE_MAIN_DB);
  clinic_vfs_forget_key (other);
}

static void
wal_keep_on_close (sqlite3 *db)
{
  int on = 1;

  g_assert_cmpint (sqlite3_db_config (db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, &on), ==,
                   SQLITE_OK);
  g_assert_cmpint (on, ==, 1);
}

/* Byte offset of the page part of the last frame in WAL that holds PGNO. */
static gint64
wal_find_frame (const guint8 *wal,
                gsize         len,
                guint         pgno,
                gint64        frame_index_max)
{
  gint64 found = -1;

  for (gint64 i = 1; 32 + i * (24 + 4096) <= (gint64) len; i++)
    {
      const guint8 *h = wal + 32 + (i - 1) * (24 + 4096);
      guint p = (guint) h[0] << 24 | h[1] << 16 | h[2] << 8 | h[3];

      if (frame_index_max > 0 && i > frame_index_max)
        break;
      if (p == pgno)
        found = 32 + (i - 1) * (24 + 4096) + 24;
    }
  return found;
}

/* A WAL page image copied into the main database at the same page
 * number is refused: the role byte differs. */
static void
test_tamper_wal_into_main (Fixture       *fx,
                           gconstpointer  data)
{
  g_autofree char *wal_path = g_strconcat (fx->db_path, "-wal", NULL);
  g_autofree char *shm_path = g_strconcat (fx->db_path, "-shm", NULL);
  g_autofree guint8 *wal = NULL;
  gsize len;
  gint64 off;
  guint pgno;
  sqlite3 *db;

  db = open_db (fx->db_path);
  set_mode (db, GINT_TO_POINTER (1));
  fill_db (db, 1, 500);
  exec_ok (db, "PRAGMA wal_checkpoint(TRUNCATE)");
  wal_keep_on_close (db);
  exec_ok (db, "UPDATE patient SET n = 0 WHERE id = 1");
  close_db (db);

  wal = read_file (wal_path, &len);
  g_assert_cmpuint (len, >=, 32 + 24 + 4096);
  /* The first frame that is not page 1: a leaf holding row 1. */
  pgno = (guint) wal[32] << 24 | wal[33] << 16 | wal[34] << 8 | wal[35];
  if (pgno == 1 && len >= 32 + 2 * (24 + 4096))
    {
      const guint8 *h = wal + 32 + 24 + 4096;

      pgno = (guint) h[0] << 24 | h[1] << 16 | h[2] << 8 | h[3];
    }
  g_assert_cmpuint (pgno, >, 1);
  off = wal_find_frame (wal, len, pgno, 0);
  g_assert_cmpint (off, >, 0);
  g_unlink (wal_path);
  g_unlink (shm_path);
  patch_file (fx->db_path, (gint64) (pgno - 1) * CLINIC_VFS_PAGE_SIZE, wal + off,
              CLINIC_VFS_PAGE_SIZE);
  expect_data_error (fx->db_path, pgno, CLINIC_VFS_ROLE_MAIN_DB);
}

/* Builds a WAL holding transactions T1 (ids 1..300 changed), T2 and T3,
 * left on disk; returns the frame count of T1's last frame. */
static gint64
make_wal_with_three_commits (Fixture *fx)
{
  g_autofree char *wal_path = g_strconcat (fx->db_path, "-wal", NULL);
  sqlite3 *db = open_db (fx->db_path);
  sqlite3_int64 size;
  gint64 t1_end;
  gsize len;
  g_autofree guint8 *wal = NULL;

  set_mode (db, GINT_TO_POINTER (1));
  fill_db (db, 1, 500);
  exec_ok (db, "PRAGMA wal_checkpoint(TRUNCATE)");
  wal_keep_on_close (db);
  exec_ok (db, "UPDATE patient SET n = 1000 WHERE id <= 300");  /* T1 */
  wal = read_file (wal_path, &len);
  size = len;
  t1_end = (size - 32) / (24 + 4096);
  exec_ok (db, "UPDATE patient SET n = 2000 WHERE id = 400");   /* T2 */
  exec_ok (db, "UPDATE patient SET n = 3000 WHERE id = 450");   /* T3 */
  close_db (db);
  return t1_end;
}

/* Torn tail: the last frame cut short, or its page garbled, after a
 * commit: recovery keeps T1 and T2 and drops T3 quietly, as SQLite does
 * for a torn frame (VFS-NOTES §4.2). */
static void
test_wal_torn_tail (Fixture       *fx,
                    gconstpointer  data)
{
  g_autofree char *wal_path = g_strconcat (fx->db_path, "-wal", NULL);
  g_autofree char *shm_path = g_strconcat (fx->db_path, "-shm", NULL);
  g_autofree guint8 *wal = NULL;
  g_autofree guint8 *db_image = NULL;
  gsize len, db_len;
  sqlite3 *db;
  gint before;

  make_wal_with_three_commits (fx);
  wal = read_file (wal_path, &len);
  db_image = read_file (fx->db_path, &db_len);

  for (int variant = 0; variant < 2; variant++)
    {
      write_file (fx->db_path, db_image, db_len);
      g_unlink (shm_path);
      if (variant == 0)
        {
          write_file (wal_path, wal, len - 2000);       /* cut mid-page */
        }
      else
        {
          g_autofree guint8 *copy = g_memdup2 (wal, len);

          copy[len - 1000] ^= 0x40;                     /* torn sector */
          write_file (wal_path, copy, len);
        }
      before = g_atomic_int_get (&torn_wal_notices);
      db = open_db (fx->db_path);
      g_assert_cmpint (run_sql (db, "SELECT count(*) FROM patient"), ==, SQLITE_OK);
      assert_integrity (db);
      g_assert_cmpint (query_int (db, "SELECT count(*) FROM patient WHERE n = 1000"), ==, 300);
      g_assert_cmpint (query_int (db, "SELECT n FROM patient WHERE id = 400"), ==, 2000);
      g_assert_cmpint (query_int (db, "SELECT n FROM patient WHERE id = 450"), ==, 450);
      close_db (db);
      if (variant == 1)
        g_assert_cmpint (g_atomic_int_get (&torn_wal_notices), >, before);
    }
}

/* The writer reads its own frames back (checkpoint, a page its cache
 * dropped) from what it wrote, without opening them again, and only
 * while the nonce and tag on disk are the ones it wrote: a frame changed
 * under the live connection is opened, and fails, as any other. */
static void
test_wal_cache (Fixture       *fx,
                gconstpointer  data)
{
  g_autofree char *wal_path = g_strconcat (fx->db_path, "-wal", NULL);
  g_autofree guint8 *wal = NULL;
  ClinicVfsStats st0, st1;
  sqlite3 *db = open_db (fx->db_path);
  gint64 sum, off;
  gsize len;
  guint8 b;

  exec_ok (db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA wal_autocheckpoint=0");
  fill_db (db, 1, 400);
  sum = query_int (db, "SELECT sum(n) FROM patient");

  /* Served from what was written: the same rows, no page opened. */
  sqlite3_db_release_memory (db);
  clinic_vfs_get_stats (&st0);
  g_assert_cmpint (query_int (db, "SELECT sum(n) FROM patient"), ==, sum);
  clinic_vfs_get_stats (&st1);
  g_assert_cmpuint (st1.wal_cache_hits, >, st0.wal_cache_hits);
  g_assert_cmpuint (st1.pages_opened, ==, st0.pages_opened);

  /* The newest frame of a table page, its nonce changed on disk. */
  wal = read_file (wal_path, &len);
  off = -1;
  for (gint64 i = (gint64) ((len - 32) / (24 + 4096)); i >= 1 && off < 0; i--)
    {
      const guint8 *h = wal + 32 + (i - 1) * (24 + 4096);
      guint pgno = (guint) h[0] << 24 | h[1] << 16 | h[2] << 8 | h[3];

      if (pgno > 1 && wal_find_frame (wal, len, pgno, 0) == 32 + (i - 1) * (24 + 4096) + 24)
        off = 32 + (i - 1) * (24 + 4096) + 24 + (4096 - 40) + 3;
    }
  g_assert_cmpint (off, >, 0);
  b = wal[off] ^ 0x01;
  patch_file (wal_path, off, &b, 1);
  sqlite3_db_release_memory (db);
  clinic_vfs_clear_last_failure ();
  g_assert_cmpint (run_sql (db, "PRAGMA integrity_check"), ==, SQLITE_IOERR_DATA);

  /* Put back, the frame is served again; the checkpoint copies it. */
  b ^= 0x01;
  patch_file (wal_path, off, &b, 1);
  sqlite3_db_release_memory (db);
  g_assert_cmpint (query_int (db, "SELECT sum(n) FROM patient"), ==, sum);
  clinic_vfs_get_stats (&st0);
  exec_ok (db, "PRAGMA wal_checkpoint(TRUNCATE)");
  clinic_vfs_get_stats (&st1);
  g_assert_cmpuint (st1.wal_cache_hits, >, st0.wal_cache_hits);
  close_db (db);

  db = open_db (fx->db_path);
  assert_integrity (db);
  g_assert_cmpint (query_int (db, "SELECT sum(n) FROM patient"), ==, sum);
  close_db (db);
}

/* A log longer than the old 1024-frame cache: a transaction of some 2,500
 * pages after others, then the checkpoint copies every page without
 * decrypting one of them again. */
static void
test_wal_cache_long_log (Fixture       *fx,
                         gconstpointer  data)
{
  ClinicVfsStats st0, st1;
  sqlite3 *db = open_db (fx->db_path);
  gint64 frames = 0;

  exec_ok (db, "PRAGMA journal_mode=WAL; PRAGMA wal_autocheckpoint=0; PRAGMA cache_size=-200000");
  exec_ok (db, "CREATE TABLE big (id INTEGER PRIMARY KEY, b BLOB)");
  exec_ok (db, "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 500)"
           " INSERT INTO big (b) SELECT randomblob (3000) FROM n");
  exec_ok (db, "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2500)"
           " INSERT INTO big (b) SELECT randomblob (3000) FROM n");
  clinic_vfs_get_stats (&st0);
  {
    sqlite3_stmt *stmt;

    g_assert_cmpint (sqlite3_prepare_v2 (db, "PRAGMA wal_checkpoint(FULL)", -1, &stmt, NULL), ==, SQLITE_OK);
    g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
    g_assert_cmpint (sqlite3_column_int (stmt, 0), ==, 0);
    frames = sqlite3_column_int64 (stmt, 1);
    sqlite3_finalize (stmt);
  }
  clinic_vfs_get_stats (&st1);
  g_assert_cmpint (frames, >, 3000);
  g_assert_cmpuint (st1.pages_opened - st0.pages_opened, ==, 0);
  g_assert_cmpuint (st1.wal_cache_hits - st0.wal_cache_hits, >=, 3000);
  g_assert_cmpint (query_int (db, "SELECT count(*) FROM big"), ==, 3000);
  close_db (db);

  db = open_db (fx->db_path);
  assert_integrity (db);
  close_db (db);
}

/* A tampered frame of a committed transaction followed by later commits
 * must be an error, not the silent loss of T1..T3 (#39/#40); and an
 * ordinary read of a tampered frame (no recovery) is an error too. */
static void
test_wal_tampered_committed (Fixture       *fx,
                             gconstpointer  data)
{
  g_autofree char *wal_path = g_strconcat (fx->db_path, "-wal", NULL);
  g_autofree char *shm_path = g_strconcat (fx->db_path, "-shm", NULL);
  g_autofree guint8 *wal = NULL;
  gsize len;
  gint64 t1_end, off;
  guint pgno = 0;
  guint8 b;
  sqlite3 *db, *db2;

  t1_end = make_wal_with_three_commits (fx);
  g_assert_cmpint (t1_end, >=, 2);
  wal = read_file (wal_path, &len);

  /* Recovery path: a page in the middle of T1. */
  off = 32 + (t1_end / 2 - 1) * (24 + 4096) + 24 + 1234;
  b = wal[off] ^ 0x08;
  patch_file (wal_path, off, &b, 1);
  g_unlink (shm_path);
  expect_data_error (fx->db_path, 0, CLINIC_VFS_ROLE_WAL);

  /* Reader path: the WAL index is already built by a live connection. */
  write_file (wal_path, wal, len);
  g_unlink (shm_path);
  db = open_db (fx->db_path);
  g_assert_cmpint (query_int (db, "SELECT n FROM patient WHERE id = 450"), ==, 3000);
  /* A frame of T1 that is still the newest copy of its page. */
  off = -1;
  for (gint64 i = 1; i <= t1_end && off < 0; i++)
    {
      const guint8 *h = wal + 32 + (i - 1) * (24 + 4096);

      pgno = (guint) h[0] << 24 | h[1] << 16 | h[2] << 8 | h[3];
      if (pgno > 1 && wal_find_frame (wal, len, pgno, 0) == 32 + (i - 1) * (24 + 4096) + 24)
        off = 32 + (i - 1) * (24 + 4096) + 24 + 99;
    }
  g_assert_cmpint (off, >, 0);
  b = wal[off] ^ 0x80;
  patch_file (wal_path, off, &b, 1);
  db2 = open_db (fx->db_path);
  clinic_vfs_clear_last_failure ();
  g_assert_cmpint (run_sql (db2, "SELECT sum(length(note)) FROM patient"), ==, SQLITE_IOERR_DATA);
  {
    ClinicVfsFailure fail;

    g_assert_true (clinic_vfs_get_last_failure (&fail));
    g_assert_cmpint (fail.role, ==, CLINIC_VFS_ROLE_WAL);
    g_assert_cmpuint (fail.pgno, ==, pgno);
  }
  sqlite3_close (db2);
  sqlite3_close (db);
}

/* walWriteToLog splits a page at the sync point when the device lacks
 * POWERSAFE_OVERWRITE (#175 item 3): psow=0 + synchronous=FULL makes
 * SQLite pad and split; the pieces must be sealed as one page. */
/* Two connections: B restarts the log and writes frame 1 anew with
 * another page; A, whose last header write was frame 1 of an earlier log,
 * must read B's frame under B's page number, not the one it remembers
 * (the review found A reporting tampering that was not there). */
static void
test_wal_two_connections_restart (Fixture       *fx,
                                  gconstpointer  data)
{
  sqlite3 *a = open_db (fx->db_path);
  sqlite3 *b;

  exec_ok (a, "PRAGMA journal_mode=WAL; PRAGMA wal_autocheckpoint=0");
  exec_ok (a, "CREATE TABLE small (x); CREATE TABLE big (x)");
  exec_ok (a, "WITH RECURSIVE c (i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 20) "
              "INSERT INTO big SELECT randomblob (3000) FROM c");
  exec_ok (a, "PRAGMA wal_checkpoint(TRUNCATE)");
  exec_ok (a, "INSERT INTO small VALUES (1)");

  b = open_db (fx->db_path);
  exec_ok (b, "PRAGMA wal_autocheckpoint=0; PRAGMA wal_checkpoint(RESTART)");
  exec_ok (b, "UPDATE big SET x = randomblob (3000) WHERE rowid = 20");

  clinic_vfs_clear_last_failure ();
  g_assert_cmpint (query_int (a, "SELECT count(*) FROM big WHERE length (x) = 3000"), ==, 20);
  g_assert_cmpint (query_int (b, "SELECT count(*) FROM big WHERE length (x) = 3000"), ==, 20);
  exec_ok (a, "PRAGMA wal_checkpoint(TRUNCATE)");
  assert_integrity (a);
  close_db (b);
  close_db (a);
}

static void
test_wal_split_writes (Fixture       *fx,
                       gconstpointer  data)
{
  g_autofree char *uri = g_strdup_printf ("file:%s?psow=0", fx->db_path);
  ClinicVfsStats before, after;
  sqlite3 *db;

  clinic_vfs_get_stats (&before);
  db = open_db (uri);
  exec_ok (db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA wal_autocheckpoint=20");
  for (int i = 0; i < 60; i++)
    fill_db (db, 1 + i * 7, 7);
  g_assert_cmpint (count_canary_files (fx->dir), ==, 0);
  close_db (db);
  clinic_vfs_get_stats (&after);
  g_assert_cmpuint (after.wal_split_pages, >, before.wal_split_pages);

  db = open_db (uri);
  assert_integrity (db);
  g_assert_cmpint (query_int (db, "SELECT count(*) FROM patient"), ==, 420);
  close_db (db);
}

/* ------------------------------------------------------------------ */
/* Page format guards                                                  */

/* Backup from a plain database (reserve 0) into the cipher db is refused
 * and leaves the target intact (#158, #21). */
static void
test_backup_from_plain (Fixture       *fx,
                        gconstpointer  data)
{
  g_autofree char *plain_path = g_build_filename (fx->dir, "plain.db", NULL);
  sqlite3 *plain, *db;
  sqlite3_backup *backup;
  int rc;

  plain = open_db_full (plain_path, "unix", SQLITE_OK);
  fill_db (plain, 1, 50);
  db = open_db (fx->db_path);
  set_mode (db, data);
  fill_db (db, 1, 700);

  backup = sqlite3_backup_init (db, "main", plain, "main");
  if (backup != NULL)
    {
      rc = sqlite3_backup_step (backup, -1);
      g_assert_cmpint (rc, !=, SQLITE_DONE);
      sqlite3_backup_finish (backup);
    }
  close_db (plain);
  close_db (db);

  db = open_db (fx->db_path);
  assert_integrity (db);
  g_assert_cmpint (query_int (db, "SELECT count(*) FROM patient"), ==, 700);
  close_db (db);
}

/* page_size=8192 + VACUUM would write pages without room for nonce and
 * tag (#164): refused, database intact. */
static void
test_vacuum_page_size (Fixture       *fx,
                       gconstpointer  data)
{
  sqlite3 *db = open_db (fx->db_path);

  exec_ok (db, "PRAGMA journal_mode=DELETE");
  fill_db (db, 1, 700);
  exec_ok (db, "PRAGMA page_size=8192");
  g_assert_cmpint (run_sql (db, "VACUUM"), !=, SQLITE_OK);
  sqlite3_close (db);

  db = open_db (fx->db_path);
  assert_integrity (db);
  g_assert_cmpint (query_int (db, "SELECT count(*) FROM patient"), ==, 700);
  g_assert_cmpint (query_int (db, "PRAGMA page_size"), ==, CLINIC_VFS_PAGE_SIZE);
  /* A plain VACUUM still works. */
  exec_ok (db, "VACUUM");
  assert_integrity (db);
  close_db (db);
}

/* mmap asked for: the VFS offers no xFetch, reads stay decrypted (#119,
 * #156). */
static void
test_mmap_requested (Fixture       *fx,
                     gconstpointer  data)
{
  sqlite3 *db = open_db (fx->db_path);

  set_mode (db, data);
  exec_ok (db, "PRAGMA mmap_size=1000000");
  fill_db (db, 1, 1500);
  close_db (db);
  db = open_db (fx->db_path);
  exec_ok (db, "PRAGMA mmap_size=1000000");
  assert_integrity (db);
  g_assert_cmpint (query_int (db, "SELECT sum(n) FROM patient"), ==, 1500 * 1501 / 2);
  close_db (db);
}

/* ------------------------------------------------------------------ */
/* Keys and threads                                                    */

static void
test_no_key (Fixture       *fx,
             gconstpointer  data)
{
  g_autofree char *path = g_build_filename (fx->dir, "nokey.db", NULL);
  sqlite3 *db = NULL;
  int rc;

  rc = sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, CLINIC_VFS_NAME);
  g_assert_cmpint (rc, ==, SQLITE_AUTH);
  sqlite3_close (db);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));

  /* Forgetting the key closes the door again. */
  db = open_db (fx->db_path);
  fill_db (db, 1, 10);
  close_db (db);
  clinic_vfs_forget_key (fx->db_path);
  db = NULL;
  rc = sqlite3_open_v2 (fx->db_path, &db, SQLITE_OPEN_READWRITE, CLINIC_VFS_NAME);
  g_assert_cmpint (rc, ==, SQLITE_AUTH);
  sqlite3_close (db);
  clinic_vfs_set_key (fx->db_path, key_a);

  /* A connection on the default VFS is refused by the prepare step. */
  db = open_db_full (fx->db_path, "unix", SQLITE_OK);
  g_assert_cmpint (clinic_vfs_prepare_connection (db), ==, SQLITE_MISUSE);
  sqlite3_close (db);
}

/* Wrong key: page 1 fails with SQLITE_IOERR_DATA; the caller reopens with
 * the right key (#18, #19). */
static void
test_wrong_key (Fixture       *fx,
                gconstpointer  data)
{
  sqlite3 *db = open_db (fx->db_path);

  fill_db (db, 1, 100);
  close_db (db);
  clinic_vfs_set_key (fx->db_path, key_b);
  expect_data_error (fx->db_path, 1, CLINIC_VFS_ROLE_MAIN_DB);
  clinic_vfs_set_key (fx->db_path, key_a);
  db = open_db (fx->db_path);
  g_assert_cmpint (query_int (db, "SELECT count(*) FROM patient"), ==, 100);
  close_db (db);
}

typedef struct
{
  char *path;
  int   rc;
} ThreadJob;

static gpointer
thread_open_and_write (gpointer data)
{
  ThreadJob *job = data;
  unsigned char key[32];
  sqlite3 *db = NULL;

  /* Each thread registers too: the init race of #194. */
  job->rc = clinic_vfs_register ();
  if (job->rc != SQLITE_OK)
    return NULL;
  randombytes_buf (key, sizeof key);
  clinic_vfs_set_key (job->path, key);
  sodium_memzero (key, sizeof key);
  job->rc = sqlite3_open_v2 (job->path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
                             CLINIC_VFS_NAME);
  if (job->rc == SQLITE_OK)
    job->rc = clinic_vfs_prepare_connection (db);
  if (job->rc == SQLITE_OK)
    job->rc = sqlite3_exec (db, "PRAGMA journal_mode=WAL; CREATE TABLE t (a TEXT); "
                            "WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM c "
                            "WHERE i < 300) INSERT INTO t SELECT '" CANARY "' || i FROM c; "
                            "PRAGMA wal_checkpoint(TRUNCATE);", NULL, NULL, NULL);
  sqlite3_close (db);
  return NULL;
}

static void
test_threads (Fixture       *fx,
              gconstpointer  data)
{
  GThread *threads[8];
  ThreadJob jobs[8];

  for (int i = 0; i < 8; i++)
    {
      jobs[i].path = g_strdup_printf ("%s/thread-%d.db", fx->dir, i);
      jobs[i].rc = -1;
      threads[i] = g_thread_new ("open", thread_open_and_write, &jobs[i]);
    }
  for (int i = 0; i < 8; i++)
    g_thread_join (threads[i]);
  for (int i = 0; i < 8; i++)
    {
      g_assert_cmpint (jobs[i].rc, ==, SQLITE_OK);
      g_assert_false (file_has_canary (jobs[i].path));
      clinic_vfs_forget_key (jobs[i].path);
      g_free (jobs[i].path);
    }
  g_assert_cmpint (count_canary_files (fx->dir), ==, 0);
}

/* ------------------------------------------------------------------ */
/* I/O faults and power loss (cipher over fault over unix)             */

static void
register_fault_stack (void)
{
  g_assert_cmpint (clinic_fault_vfs_register (FAULT_VFS, NULL), ==, SQLITE_OK);
  g_assert_cmpint (clinic_vfs_register_over (CIPHER_FAULT, FAULT_VFS), ==, SQLITE_OK);
}

/* PR #272: a read error must reach the caller, never become success with
 * whatever the buffer held. */
static void
test_read_errors_propagate (Fixture       *fx,
                            gconstpointer  data)
{
  sqlite3 *db;
  gint64 expected;
  int errors = 0;

  register_fault_stack ();
  db = open_db (fx->db_path);
  set_mode (db, data);
  fill_db (db, 1, 1500);
  expected = query_int (db, "SELECT sum(n) + sum(length(note)) FROM patient");
  close_db (db);

  for (gint64 n = 1; n < 5000; n++)
    {
      sqlite3_stmt *stmt = NULL;
      int rc;

      clinic_fault_vfs_reset ();
      db = open_db_full (fx->db_path, CIPHER_FAULT, SQLITE_OK);
      exec_ok (db, "PRAGMA cache_size=5");
      clinic_fault_vfs_fail_at (n, CLINIC_FAULT_READ, SQLITE_IOERR, FALSE);
      rc = sqlite3_prepare_v2 (db, "SELECT sum(n) + sum(length(note)) FROM patient", -1,
                               &stmt, NULL);
      if (rc == SQLITE_OK)
        {
          rc = sqlite3_step (stmt);
          if (rc == SQLITE_ROW)
            g_assert_cmpint (sqlite3_column_int64 (stmt, 0), ==, expected);
          else
            g_assert_cmpint (sqlite3_extended_errcode (db) & 0xff, ==, SQLITE_IOERR);
        }
      sqlite3_finalize (stmt);
      sqlite3_close (db);
      if (!clinic_fault_vfs_fault_hit ())
        break;
      if (rc != SQLITE_ROW)
        errors++;
    }
  g_assert_cmpint (errors, >, 10);
}

/* A multi-statement write transaction with a fault at every I/O point in
 * turn: afterwards the database opens, is intact, and the transaction is
 * wholly there or wholly absent. */
static void
run_fault_sweep (Fixture       *fx,
                 gconstpointer  data,
                 int            errcode,
                 gboolean       persistent)
{
  g_autofree char *base = g_build_filename (fx->dir, "base.db", NULL);
  gint64 points = 0;
  int applied = 0, absent = 0;
  sqlite3 *db;

  register_fault_stack ();
  clinic_vfs_set_key (base, key_a);
  db = open_db (base);
  set_mode (db, data);
  fill_db (db, 1, 400);
  close_db (db);

  for (gint64 n = 1; n < 3000; n++)
    {
      gint64 count, sum;

      copy_db_files (base, fx->db_path);
      clinic_fault_vfs_reset ();
      db = open_db_full (fx->db_path, CIPHER_FAULT, SQLITE_OK);
      exec_ok (db, "PRAGMA cache_size=10");
      clinic_fault_vfs_fail_at (n, errcode == SQLITE_FULL ? CLINIC_FAULT_WRITE
                                                          : CLINIC_FAULT_ANY,
                                errcode, persistent);
      if (run_sql (db, "BEGIN; "
                   "INSERT INTO patient (id, name, note, n) SELECT id + 10000, name, note, n "
                   "FROM patient WHERE id <= 150; "
                   "UPDATE patient SET n = n + 1000000 WHERE id % 5 = 0; "
                   "DELETE FROM patient WHERE id % 11 = 0 AND id < 10000; "
                   "COMMIT") != SQLITE_OK)
        sqlite3_exec (db, "ROLLBACK", NULL, NULL, NULL);
      points = clinic_fault_vfs_get_points ();
      sqlite3_close (db);
      if (!clinic_fault_vfs_fault_hit ())
        break;
      clinic_fault_vfs_reset ();

      db = open_db (fx->db_path);
      assert_integrity (db);
      count = query_int (db, "SELECT count(*) FROM patient");
      sum = query_int (db, "SELECT sum(n) FROM patient");
      if (count == 400)
        {
          g_assert_cmpint (sum, ==, 400 * 401 / 2);
          absent++;
        }
      else
        {
          gint64 want = 0;

          for (int id = 1; id <= 400; id++)
            if (id % 11 != 0)
              want += id + (id % 5 == 0 ? 1000000 : 0);
          for (int id = 1; id <= 150; id++)
            want += id + (id % 5 == 0 ? 1000000 : 0);   /* copies match the UPDATE too */
          g_assert_cmpint (count, ==, 400 - 400 / 11 + 150);
          g_assert_cmpint (sum, ==, want);
          applied++;
        }
      close_db (db);
    }
  g_test_message ("fault sweep: %" G_GINT64_FORMAT " points, %d absent, %d applied",
                  points, absent, applied);
  g_assert_cmpint (absent, >, 5);
  clinic_vfs_forget_key (base);
}

static void
test_faults_ioerr (Fixture       *fx,
                   gconstpointer  data)
{
  run_fault_sweep (fx, data, SQLITE_IOERR, FALSE);
}

static void
test_faults_ioerr_persistent (Fixture       *fx,
                              gconstpointer  data)
{
  run_fault_sweep (fx, data, SQLITE_IOERR, TRUE);
}

static void
test_faults_full (Fixture       *fx,
                  gconstpointer  data)
{
  run_fault_sweep (fx, data, SQLITE_FULL, FALSE);
}

/* Power loss at a random I/O point of a run of commits: afterwards (plain
 * cipher VFS, no fault layer) the last commit that returned OK is there,
 * and integrity_check is ok.  Modes: 1 WAL/FULL, 0 DELETE/FULL,
 * 2 DELETE/NORMAL (a torn journal record can then sit within nRec). */
static void
run_power_loss (Fixture *fx,
                int      mode,
                int      iterations)
{
  g_autofree char *base = g_build_filename (fx->dir, "base.db", NULL);
  gint64 total_points;
  sqlite3 *db;

  register_fault_stack ();
  clinic_vfs_set_key (base, key_a);
  db = open_db (base);
  set_mode (db, GINT_TO_POINTER (mode == 1));
  exec_ok (db, "CREATE TABLE log (seq INTEGER PRIMARY KEY, body BLOB)");
  fill_db (db, 1, 300);
  close_db (db);

  /* One dry run to learn how many I/O points the workload has. */
  total_points = 0;
  for (int it = -1; it < iterations; it++)
    {
      guint32 seed = 1000 + it;
      GRand *rand = g_rand_new_with_seed (seed);
      int committed = 0, attempted = 0;
      gint64 max_seq, rows;

      copy_db_files (base, fx->db_path);
      clinic_fault_vfs_reset ();
      clinic_fault_vfs_track_unsynced (TRUE);
      if (it >= 0)
        clinic_fault_vfs_crash_at (g_rand_int_range (rand, 1, (gint32) total_points + 1));
      /* The cut may come at the first I/O points, while opening: then
       * nothing was attempted, and the database must still be whole. */
      db = open_db_full (fx->db_path, CIPHER_FAULT, SQLITE_IOERR);
      if (db != NULL && mode == 2)
        sqlite3_exec (db, "PRAGMA synchronous=NORMAL", NULL, NULL, NULL);
      if (db != NULL)
        sqlite3_exec (db, "PRAGMA cache_size=10", NULL, NULL, NULL);
      for (int t = 1; db != NULL && t <= 12; t++)
        {
          g_autofree char *sql = g_strdup_printf (
            "BEGIN; INSERT INTO log VALUES (%d, randomblob(%d)); "
            "UPDATE patient SET n = %d WHERE id %% 3 = %d; COMMIT", t, 500 + t * 700, t, t % 3);

          attempted = t;
          if (run_sql (db, sql) != SQLITE_OK)
            break;
          committed = t;
        }
      sqlite3_close_v2 (db);
      if (it < 0)
        {
          total_points = clinic_fault_vfs_get_points () + 1;
          g_assert_false (clinic_fault_vfs_is_dead ());
          clinic_fault_vfs_power_loss (CLINIC_CRASH_DROP, seed);
          g_rand_free (rand);
          continue;
        }
      clinic_fault_vfs_power_loss (it % 5 == 0 ? CLINIC_CRASH_DROP : CLINIC_CRASH_RANDOM, seed);

      db = open_db (fx->db_path);
      assert_integrity (db);
      max_seq = query_int (db, "SELECT coalesce(max(seq), 0) FROM log");
      rows = query_int (db, "SELECT count(*) FROM log");
      g_assert_cmpint (max_seq, >=, committed);
      g_assert_cmpint (max_seq, <=, attempted);
      g_assert_cmpint (rows, ==, max_seq);
      if (max_seq > 0)
        g_assert_cmpint (query_int (db, "SELECT count(*) FROM patient WHERE n = "
                                    "(SELECT max(seq) FROM log)"), ==, 100);
      close_db (db);
      g_rand_free (rand);
    }
  clinic_vfs_forget_key (base);
}

static void
test_power_loss (Fixture       *fx,
                 gconstpointer  data)
{
  run_power_loss (fx, GPOINTER_TO_INT (data), g_test_slow () ? 1000 : 50);
}

/* A hot journal whose last record is torn (synchronous=NORMAL writes nRec
 * before the journal sync, so it can count a torn record): playback stops
 * there as SQLite does for a bad checksum, instead of failing the open. */
static void
test_journal_torn_record (Fixture       *fx,
                          gconstpointer  data)
{
  g_autofree char *journal = g_strconcat (fx->db_path, "-journal", NULL);
  g_autofree guint8 *jdata = NULL;
  guint8 zeros[1500] = { 0 };
  gsize jlen;
  sqlite3 *db;
  gint before;
  int rc;

  register_fault_stack ();
  db = open_db (fx->db_path);
  set_mode (db, GINT_TO_POINTER (0));
  fill_db (db, 1, 800);
  close_db (db);

  clinic_fault_vfs_reset ();
  clinic_fault_vfs_crash_at_sync (1);     /* dies at the journal sync */
  db = open_db_full (fx->db_path, CIPHER_FAULT, SQLITE_OK);
  exec_ok (db, "PRAGMA synchronous=NORMAL");
  rc = run_sql (db, "BEGIN; UPDATE patient SET n = -n; COMMIT");
  g_assert_cmpint (rc, !=, SQLITE_OK);
  g_assert_true (clinic_fault_vfs_is_dead ());
  sqlite3_close (db);
  clinic_fault_vfs_reset ();

  /* The journal holds every record (write-through); tear the last one. */
  jdata = read_file (journal, &jlen);
  g_assert_cmpuint (jlen, >, 4096 + 3 * 4104);
  patch_file (journal, jlen - 4 - 1600, zeros, sizeof zeros);

  before = g_atomic_int_get (&torn_journal_notices);
  db = open_db (fx->db_path);
  assert_integrity (db);
  g_assert_cmpint (query_int (db, "SELECT sum(n) FROM patient"), ==, 800 * 801 / 2);
  close_db (db);
  g_assert_cmpint (g_atomic_int_get (&torn_journal_notices), >, before);
  g_assert_false (g_file_test (journal, G_FILE_TEST_EXISTS));
}

/* ------------------------------------------------------------------ */

static void
add (const char *path,
     gconstpointer data,
     void (*func) (Fixture *, gconstpointer))
{
  g_test_add (path, Fixture, data, fixture_setup, func, fixture_teardown);
}

int
main (int    argc,
      char **argv)
{
  static const struct
  {
    const char *name;
    int         mode;
  } modes[] = { { "wal", 1 }, { "delete", 0 } };

  g_test_init (&argc, &argv, NULL);
  sqlite3_config (SQLITE_CONFIG_LOG, log_cb, NULL);
  if (clinic_vfs_register () != SQLITE_OK)
    g_error ("cannot register the cipher VFS");

  for (guint i = 0; i < G_N_ELEMENTS (modes); i++)
    {
      gconstpointer m = GINT_TO_POINTER (modes[i].mode);
      g_autofree char *p1 = g_strdup_printf ("/vfs/round-trip/%s", modes[i].name);
      g_autofree char *p2 = g_strdup_printf ("/vfs/canary/open-transaction/%s", modes[i].name);
      g_autofree char *p3 = g_strdup_printf ("/vfs/canary/sigkill/%s", modes[i].name);
      g_autofree char *p4 = g_strdup_printf ("/vfs/guard/backup-from-plain/%s", modes[i].name);
      g_autofree char *p5 = g_strdup_printf ("/vfs/guard/mmap/%s", modes[i].name);
      g_autofree char *p6 = g_strdup_printf ("/vfs/fault/read-errors/%s", modes[i].name);
      g_autofree char *p7 = g_strdup_printf ("/vfs/fault/ioerr/%s", modes[i].name);
      g_autofree char *p8 = g_strdup_printf ("/vfs/fault/ioerr-persistent/%s", modes[i].name);
      g_autofree char *p9 = g_strdup_printf ("/vfs/fault/full/%s", modes[i].name);
      g_autofree char *p10 = g_strdup_printf ("/vfs/power-loss/%s", modes[i].name);

      add (p1, m, test_round_trip);
      add (p2, m, test_canary_open_transaction);
      add (p3, m, test_canary_sigkill);
      add (p4, m, test_backup_from_plain);
      add (p5, m, test_mmap_requested);
      add (p6, m, test_read_errors_propagate);
      add (p7, m, test_faults_ioerr);
      add (p8, m, test_faults_ioerr_persistent);
      add (p9, m, test_faults_full);
      add (p10, m, test_power_loss);
    }
  add ("/vfs/power-loss/delete-normal", GINT_TO_POINTER (2), test_power_loss);
  add ("/vfs/canary/temp-files", NULL, test_temp_files);
  add ("/vfs/nonces/unique", NULL, test_nonces_unique);
  add ("/vfs/format/libsodium", NULL, test_format_libsodium);
  add ("/vfs/page1/held-slice", NULL, test_page1_slice);
  add ("/vfs/tamper/flip", NULL, test_tamper_flip);
  add ("/vfs/tamper/swap-and-foreign", NULL, test_tamper_move);
  add ("/vfs/tamper/wal-page-into-main", NULL, test_tamper_wal_into_main);
  add ("/vfs/wal/torn-tail", NULL, test_wal_torn_tail);
  add ("/vfs/wal/tampered-committed", NULL, test_wal_tampered_committed);
  add ("/vfs/wal/writer-cache", NULL, test_wal_cache);
  add ("/vfs/wal/writer-cache-long-log", NULL, test_wal_cache_long_log);
  add ("/vfs/wal/two-connections-restart", NULL, test_wal_two_connections_restart);
  add ("/vfs/wal/split-writes", NULL, test_wal_split_writes);
  add ("/vfs/journal/torn-record", NULL, test_journal_torn_record);
  add ("/vfs/guard/vacuum-page-size", NULL, test_vacuum_page_size);
  add ("/vfs/keys/no-key", NULL, test_no_key);
  add ("/vfs/keys/wrong-key", NULL, test_wrong_key);
  add ("/vfs/threads/open-8", NULL, test_threads);

  return g_test_run ();
}
