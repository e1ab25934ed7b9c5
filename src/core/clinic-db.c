/* clinic-db.c — the clinic's encrypted database
 *
 * Opening is the one place where keys, slots, lock-out, the cipher VFS and
 * the schema meet, so the order matters and is kept in one function,
 * open_with_key(): process lock, unfinished swap, VFS key, connection,
 * first read (which tells a wrong key, a damaged page and a foreign file
 * apart), application id, migrations.
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <sodium.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "clinic-attachments.h"
#include "clinic-db-private.h"
#include "clinic-core-resources.h"
#include "clinic-file.h"
#include "clinic-lockout.h"
#include "clinic-password.h"
#include "clinic-paths.h"
#include "clinic-settings.h"
#include "clinic-vfs.h"

/* "Clnc" in PRAGMA application_id: a decrypted page 1 that lacks it is
 * some other SQLite database. */
#define CLINIC_APPLICATION_ID 0x436c6e63

#define SQL_RESOURCE_PATH "/com/example/Clinic/sql"

struct _ClinicDb
{
  GObject     parent_instance;

  char       *path;
  sqlite3    *handle;
  ClinicKey  *dk;
  int         lock_fd;
  gboolean    recovery;
  char       *opened_by;   /* normalised user name; NULL: recovery key */

  GHashTable *statements;  /* SQL text → sqlite3_stmt */
};

G_DEFINE_FINAL_TYPE (ClinicDb, clinic_db, G_TYPE_OBJECT)

G_DEFINE_QUARK (clinic-db-error-quark, clinic_db_error)

/* --- Errors ------------------------------------------------------------ */

void
clinic_db_set_sqlite_error (GError     **error,
                            sqlite3     *handle,
                            int          rc,
                            const char  *path)
{
  ClinicVfsFailure failure;
  const char *detail = handle != NULL ? sqlite3_errmsg (handle) : sqlite3_errstr (rc);

  switch (rc & 0xff)
    {
    case SQLITE_IOERR:
      if (rc == SQLITE_IOERR_DATA && clinic_vfs_get_last_failure (&failure))
        {
          if (failure.pgno > 0)
            g_set_error (error, CLINIC_DB_ERROR, CLINIC_DB_ERROR_DAMAGED,
                         _("The database “%s” is damaged or has been tampered with: page %u failed its check."),
                         path, failure.pgno);
          else
            g_set_error (error, CLINIC_DB_ERROR, CLINIC_DB_ERROR_DAMAGED,
                         _("The database “%s” is damaged or has been tampered with."),
                         path);
          return;
        }
      if (rc == SQLITE_IOERR_DATA)
        {
          g_set_error (error, CLINIC_DB_ERROR, CLINIC_DB_ERROR_DAMAGED,
                       _("The database “%s” is damaged or has been tampered with."), path);
          return;
        }
      g_set_error (error, CLINIC_DB_ERROR, CLINIC_DB_ERROR_FAILED,
                   _("The database “%s” could not be read or written (%s)."), path, detail);
      return;

    case SQLITE_CORRUPT:
      g_set_error (error, CLINIC_DB_ERROR, CLINIC_DB_ERROR_DAMAGED,
                   _("The database “%s” is damaged (%s)."), path, detail);
      return;

    case SQLITE_NOTADB:
      g_set_error (error, CLINIC_DB_ERROR, CLINIC_DB_ERROR_NOT_CLINIC,
                   _("“%s” is not a Clinic database."), path);
      return;

    case SQLITE_FULL:
      g_set_error (error, CLINIC_DB_ERROR, CLINIC_DB_ERROR_DISK_FULL,
                   _("The disk holding “%s” is full. Nothing was changed; free some space and try again."),
                   path);
      return;

    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_CANTOPEN:
      if (access (path, F_OK) != 0 && errno == ENOENT && (rc & 0xff) == SQLITE_CANTOPEN)
        {
          g_autofree char *dir = g_path_get_dirname (path);

          if (access (dir, W_OK) != 0)
            g_set_error (error, CLINIC_DB_ERROR, CLINIC_DB_ERROR_READ_ONLY,
                         _("Clinic may not write in the folder “%s”."), dir);
          else
            g_set_error (error, CLINIC_DB_ERROR, CLINIC_DB_ERROR_NOT_FOUND,
                         _("There is no clinic database at “%s”."), path);
          return;
        }
      g_set_error (error, CLINIC_DB_ERROR, CLINIC_DB_ERROR_READ_ONLY,
                   _("The database “%s” or its folder cannot be written."), path);
      return;

    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      g_set_error (error, CLINIC_DB_ERROR, CLINIC_DB_ERROR_BUSY,
                   _("The database “%s” is busy in another Clinic program. Try again in a moment."),
                   path);
      return;

    case SQLITE_NOMEM:
      g_set_error_literal (error, CLINIC_DB_ERROR, CLINIC_DB_ERROR_FAILED,
                           _("Clinic ran out of memory."));
      return;

    default:
      g_set_error (error, CLINIC_DB_ERROR, CLINIC_DB_ERROR_FAILED,
                   _("The database “%s” reported an error: %s."), path, detail);
      return;
    }
}

static void
set_keys_error (GError    **error,
                GError     *keys_error,
                const char *path)
{
  ClinicDbError code = CLINIC_DB_ERROR_FAILED;

  switch ((ClinicKeysError) keys_error->code)
    {
    case CLINIC_KEYS_ERROR_WRONG_CREDENTIALS:
    case CLINIC_KEYS_ERROR_INVALID_USER_NAME:
      /* One message for everything a guesser could learn from. */
      g_set_error_literal (error, CLINIC_DB_ERROR, CLINIC_DB_ERROR_WRONG_CREDENTIALS,
                           _("The user name or password is not right."));
      return;
    case CLINIC_KEYS_ERROR_SLOTS_MISSING:
      g_set_error (error, CLINIC_DB_ERROR, CLINIC_DB_ERROR_SLOTS_MISSING,
                   _("The key file of “%s” is missing, so passwords cannot open it. Open it with the recovery key; an administrator can then give everyone their password back."),
                   path);
      return;
    case CLINIC_KEYS_ERROR_RECOVERY_KEY_INVALID:
    case CLINIC_KEYS_ERROR_WRONG_DATABASE:
      code = CLINIC_DB_ERROR_RECOVERY_KEY;
      break;
    case CLINIC_KEYS_ERROR_SLOTS_DAMAGED:
      code = CLINIC_DB_ERROR_DAMAGED;
      break;
    case CLINIC_KEYS_ERROR_USER_EXISTS:
      code = CLINIC_DB_ERROR_EXISTS;
      break;
    case CLINIC_KEYS_ERROR_NO_SUCH_USER:
    case CLINIC_KEYS_ERROR_WEAK_LIMITS:
      code = CLINIC_DB_ERROR_INVALID;
      break;
    case CLINIC_KEYS_ERROR_IO:
      code = g_file_test (path, G_FILE_TEST_EXISTS) ? CLINIC_DB_ERROR_READ_ONLY
                                                     : CLINIC_DB_ERROR_FAILED;
      break;
    case CLINIC_KEYS_ERROR_FAILED:
    default:
      code = CLINIC_DB_ERROR_FAILED;
      break;
    }

  g_set_error_literal (error, CLINIC_DB_ERROR, code, keys_error->message);
}

/* --- Files and locks --------------------------------------------------- */

gboolean
clinic_db_sync_folder (const char  *folder,
                       GError     **error)
{
  g_autoptr(GError) local_error = NULL;

  if (clinic_file_sync_folder (folder, &local_error))
    return TRUE;

  g_set_error (error, CLINIC_DB_ERROR, CLINIC_DB_ERROR_FAILED,
               _("The folder “%s” could not be synchronised to disk: %s."),
               folder, local_error->message);
  return FALSE;
}

/* Open-file-description locks, not flock(): flock() converts a shared
 * lock to an exclusive one by dropping it first, so a refused upgrade
 * (another program has the database open) would leave this program with
 * no lock at all, and a later restore could swap the files under it.
 * OFD locks convert atomically and, like flock(), belong to the open file,
 * so two ClinicDb in one process still exclude each other. */
static int
ofd_lock (int      fd,
          gboolean exclusive)
{
  struct flock lock = { 0, };

  lock.l_type = exclusive ? F_WRLCK : F_RDLCK;
  lock.l_whence = SEEK_SET;
  lock.l_start = 0;
  lock.l_len = 0;

  return fcntl (fd, F_OFD_SETLK, &lock);
}

gboolean
clinic_db_lock_change (int        fd,
                       gboolean   exclusive,
                       GError   **error)
{
  if (ofd_lock (fd, exclusive) == 0)
    return TRUE;

  if (exclusive)
    g_set_error_literal (error, CLINIC_DB_ERROR, CLINIC_DB_ERROR_BUSY,
                         _("Another Clinic program has this database open. Close it first, then try again."));
  else
    g_set_error_literal (error, CLINIC_DB_ERROR, CLINIC_DB_ERROR_BUSY,
                         _("Another Clinic program is changing this database’s keys or restoring it. Try again when it has finished."));
  return FALSE;
}

int
clinic_db_lock_open (const char  *path,
                     gboolean     exclusive,
                     GError     **error)
{
  g_autofree char *lock_path = g_strconcat (path, ".lock", NULL);
  int fd = open (lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);

  if (fd < 0)
    {
      int saved = errno;

      g_set_error (error, CLINIC_DB_ERROR,
                   saved == EACCES || saved == EROFS ? CLINIC_DB_ERROR_READ_ONLY
                                                     : CLINIC_DB_ERROR_FAILED,
                   _("Clinic could not open “%s”: %s."), lock_path, g_strerror (saved));
      return -1;
    }

  if (!clinic_db_lock_change (fd, exclusive, error))
    {
      close (fd);
      return -1;
    }

  return fd;
}

static char *
sibling (const char *path,
         const char *suffix)
{
  return g_strconcat (path, suffix, NULL);
}

static void
remove_if_there (const char *path)
{
  if (g_unlink (path) != 0 && errno != ENOENT)
    g_warning ("Could not remove “%s”: %s", path, g_strerror (errno));
}

static gboolean
rename_if_there (const char  *from,
                 const char  *to,
                 GError     **error)
{
  if (g_rename (from, to) == 0 || errno == ENOENT)
    return TRUE;

  g_set_error (error, CLINIC_DB_ERROR, CLINIC_DB_ERROR_FAILED,
               _("“%s” could not be renamed to “%s”: %s."), from, to, g_strerror (errno));
  return FALSE;
}

/* Finishes a swap that a crash interrupted, or clears files of one that
 * never got as far as its marker. Runs under the exclusive lock. The
 * marker is written only after the staged files are complete and checked,
 * so with a marker the swap is rolled forward; without one, staged files
 * are leftovers and go. */
static gboolean
finish_swap (const char  *path,
             GError     **error)
{
  g_autofree char *marker = sibling (path, ".swap");
  g_autofree char *contents = NULL;
  g_autofree char *staged_db = sibling (path, ".new");
  g_autofree char *staged_keys = sibling (path, ".keys.new");
  ClinicDbSwapKind kind;

  if (!g_file_get_contents (marker, &contents, NULL, NULL))
    {
      g_autofree char *staged_wal = sibling (path, ".new-wal");
      g_autofree char *staged_journal = sibling (path, ".new-journal");

      g_autofree char *staged_files = sibling (path, ".files.new");

      remove_if_there (staged_db);
      remove_if_there (staged_wal);
      remove_if_there (staged_journal);
      remove_if_there (staged_keys);
      clinic_attachments_remove_folder (staged_files);
      return TRUE;
    }

  /* A marker that never reached the disk whole says nothing; a restore
   * keeps the old files, so that is the safe reading. */
  kind = g_str_has_prefix (contents, "rekey") ? CLINIC_DB_SWAP_REKEY : CLINIC_DB_SWAP_RESTORE;
  g_message ("Finishing an interrupted %s of %s", kind == CLINIC_DB_SWAP_RESTORE ? "restore" : "rekey", path);

  /* The new key's recovery sheet was never shown: the printed one no
   * longer opens the database, and someone must be told to make a new
   * one (clinic_db_is_recovery_key_outdated). */
  if (kind == CLINIC_DB_SWAP_REKEY)
    {
      g_autofree char *flag = sibling (path, ".recovery-key-outdated");
      g_autoptr(GError) flag_error = NULL;

      if (!clinic_file_replace (flag, "", 0, &flag_error))
        g_warning ("Could not note that the recovery key of %s is outdated: %s",
                   path, flag_error->message);
    }

  return clinic_db_swap_in_staged (path, kind, error);
}

gboolean
clinic_db_swap_in_staged (const char        *path,
                          ClinicDbSwapKind   kind,
                          GError           **error)
{
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *marker = sibling (path, ".swap");
  g_autofree char *staged_db = sibling (path, ".new");
  g_autofree char *staged_keys = sibling (path, ".keys.new");
  g_autofree char *keys = clinic_paths_get_keys_file (path);
  g_autofree char *wal = sibling (path, "-wal");
  g_autofree char *shm = sibling (path, "-shm");
  g_autofree char *journal = sibling (path, "-journal");
  g_autofree char *files = clinic_paths_get_files_dir (path);
  g_autofree char *staged_files = sibling (path, ".files.new");
  g_autofree char *old_files = sibling (path, ".files.old");

  if (!g_file_test (marker, G_FILE_TEST_EXISTS))
    {
      const char *word = kind == CLINIC_DB_SWAP_RESTORE ? "restore\n" : "rekey\n";
      g_autoptr(GError) local_error = NULL;

      if (!clinic_file_replace (marker, word, strlen (word), &local_error))
        {
          g_set_error (error, CLINIC_DB_ERROR, CLINIC_DB_ERROR_FAILED,
                       _("“%s” could not be written: %s."), marker, local_error->message);
          return FALSE;
        }
    }

  /* The staged database exists until its rename below: while it does, the
   * old files are still to be moved away (or already are). */
  if (g_file_test (staged_db, G_FILE_TEST_EXISTS))
    {
      if (kind == CLINIC_DB_SWAP_RESTORE)
        {
          g_autofree char *old_db = sibling (path, ".pre-restore");
          g_autofree char *old_wal = sibling (path, ".pre-restore-wal");
          g_autofree char *old_keys = sibling (path, ".pre-restore.keys");

          /* The old WAL goes with its database, so the kept copy stays
           * whole and the new database never sees a foreign WAL. Every
           * step must hold when repeated after a crash: the key file at
           * @keys is the old one only while the staged one still waits. */
          if (!rename_if_there (wal, old_wal, error) ||
              !rename_if_there (path, old_db, error))
            return FALSE;
          /* The audit anchor beside the database speaks of the database
           * being replaced; the restored one brings its own history. */
          {
            g_autofree char *anchor = sibling (path, ".anchor");
            g_autofree char *old_anchor = sibling (path, ".pre-restore.anchor");

            if (!rename_if_there (anchor, old_anchor, error))
              return FALSE;
          }
          if (g_file_test (staged_keys, G_FILE_TEST_EXISTS) &&
              !rename_if_there (keys, old_keys, error))
            return FALSE;
        }
      else
        {
          remove_if_there (wal);
          remove_if_there (journal);
        }
      remove_if_there (shm);

      /* The attachments' folders, before the database: while the staged
       * database waits, this is repeated after a crash, and each step
       * holds when repeated (the current folder is moved aside only while
       * the staged one waits beside it). */
      if (g_file_test (staged_files, G_FILE_TEST_IS_DIR))
        {
          g_autofree char *aside = kind == CLINIC_DB_SWAP_RESTORE
                                   ? sibling (path, ".pre-restore.files")
                                   : g_strdup (old_files);

          if (g_file_test (files, G_FILE_TEST_IS_DIR))
            {
              clinic_attachments_remove_folder (aside);
              if (!rename_if_there (files, aside, error))
                return FALSE;
            }
          if (!rename_if_there (staged_files, files, error))
            return FALSE;
        }

      if (!rename_if_there (staged_keys, keys, error) ||
          !clinic_db_sync_folder (dir, error))
        return FALSE;
      if (g_rename (staged_db, path) != 0)
        {
          g_set_error (error, CLINIC_DB_ERROR, CLINIC_DB_ERROR_FAILED,
                       _("“%s” could not be renamed to “%s”: %s."), staged_db, path,
                       g_strerror (errno));
          return FALSE;
        }
    }
  else if (!rename_if_there (staged_keys, keys, error))
    return FALSE;

  if (!clinic_db_sync_folder (dir, error))
    return FALSE;

  /* A rekey's old attachments, under the retired key. */
  clinic_attachments_remove_folder (old_files);

  remove_if_there (marker);
  return clinic_db_sync_folder (dir, error);
}

/* --- Connection -------------------------------------------------------- */

/* Tests put the cipher VFS over a fault-injecting one under another name. */
static const char *cipher_vfs_name = CLINIC_VFS_NAME;

void
clinic_db_set_vfs_for_testing (const char *name)
{
  cipher_vfs_name = name != NULL ? name : CLINIC_VFS_NAME;
}

/* The cipher VFS keeps one key per path; several connections (the
 * window's, a worker's) may share it, so it is forgotten with the last. */
G_LOCK_DEFINE_STATIC (key_users);
static GHashTable *key_users;

static void
key_user_add (const char *path)
{
  G_LOCK (key_users);
  if (key_users == NULL)
    key_users = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_hash_table_insert (key_users, g_strdup (path),
                       GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (key_users, path)) + 1));
  G_UNLOCK (key_users);
}

static void
key_user_remove (const char *path)
{
  guint n;

  G_LOCK (key_users);
  n = GPOINTER_TO_UINT (g_hash_table_lookup (key_users, path));
  if (n <= 1)
    {
      g_hash_table_remove (key_users, path);
      clinic_vfs_forget_key (path);
    }
  else
    g_hash_table_insert (key_users, g_strdup (path), GUINT_TO_POINTER (n - 1));
  G_UNLOCK (key_users);
}

void
clinic_db_close_handle (sqlite3    *handle,
                        const char *path)
{
  if (handle == NULL)
    return;

  sqlite3_close_v2 (handle);
  key_user_remove (path);
}

ClinicKey *
clinic_db_derive_page_key (const ClinicKey *dk)
{
  return clinic_key_derive (dk, 1, CLINIC_KEY_CONTEXT_PAGES);
}

static int
exec_sql (sqlite3    *handle,
          const char *sql)
{
  return sqlite3_exec (handle, sql, NULL, NULL, NULL);
}

/* What a file at @path is before anything decrypts it. A Clinic database
 * has no plaintext byte that says so (page 1 is encrypted whole), but an
 * ordinary SQLite file and a file whose size is not whole pages certainly
 * are not one. */
static gboolean
check_looks_like_clinic (const char  *path,
                         GError     **error)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFileInputStream) stream = NULL;
  g_autoptr(GFileInfo) info = NULL;
  g_autoptr(GError) local_error = NULL;
  char head[16] = { 0 };
  gsize n = 0;
  goffset size;

  info = g_file_query_info (file, G_FILE_ATTRIBUTE_STANDARD_SIZE "," G_FILE_ATTRIBUTE_STANDARD_TYPE,
                            G_FILE_QUERY_INFO_NONE, NULL, &local_error);
  if (info == NULL)
    {
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
        g_set_error (error, CLINIC_DB_ERROR, CLINIC_DB_ERROR_NOT_FOUND,
                     _("There is no clinic database at “%s”."), path);
      else
        g_set_error (error, CLINIC_DB_ERROR, CLINIC_DB_ERROR_FAILED,
                     _("“%s” could not be read: %s"), path, local_error->message);
      return FALSE;
    }

  size = g_file_info_get_size (info);
  if (g_file_info_get_file_type (info) != G_FILE_TYPE_REGULAR ||
      size < CLINIC_VFS_PAGE_SIZE || size % CLINIC_VFS_PAGE_SIZE != 0)
    {
      g_set_error (error, CLINIC_DB_ERROR, CLINIC_DB_ERROR_NOT_CLINIC,
                   _("“%s” is not a Clinic database."), path);
      return FALSE;
    }

  stream = g_file_read (file, NULL, &local_error);
  if (stream == NULL ||
      !g_input_stream_read_all (G_INPUT_STREAM (stream), head, sizeof head, &n, NULL, &local_error))
    {
      g_set_error (error, CLINIC_DB_ERROR, CLINIC_DB_ERROR_FAILED,
                   _("“%s” could not be read: %s"), path, local_error->message);
      return FALSE;
    }

  if (n == sizeof head && memcmp (head, "SQLite format 3", 16) == 0)
    {
      g_set_error (error, CLINIC_DB_ERROR, CLINIC_DB_ERROR_NOT_CLINIC,
                   _("“%s” is an ordinary, unencrypted SQLite database, not a Clinic database."),
                   path);
      return FALSE;
    }

  return TRUE;
}

sqlite3 *
clinic_db_open_connection (const char       *path,
                           const ClinicKey  *dk,
                           gboolean          create,
                           GError          **error)
{
  g_autoptr(ClinicKey) page_key = clinic_db_derive_page_key (dk);
  sqlite3 *handle = NULL;
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE;
  int rc;

  rc = clinic_vfs_register ();
  if (rc != SQLITE_OK)
    {
      g_set_error (error, CLINIC_DB_ERROR, CLINIC_DB_ERROR_FAILED,
                   _("The encryption layer could not start (%s)."), sqlite3_errstr (rc));
      return NULL;
    }

  /* The key must fit before SQLite reads anything: its WAL recovery takes
   * frames that do not open for a torn log and would throw away every
   * committed change they hold. */
  if (!create)
    {
      rc = clinic_vfs_check_key (path, clinic_key_get_data (page_key));
      if (rc == SQLITE_AUTH)
        {
          g_set_error (error, CLINIC_DB_ERROR, CLINIC_DB_ERROR_KEY_MISMATCH,
                       _("The key does not open the database “%s”: the key file or recovery key belongs to another database, or to the time before a change of keys."),
                       path);
          return NULL;
        }
      if (rc == SQLITE_NOTFOUND)
        {
          g_set_error (error, CLINIC_DB_ERROR, CLINIC_DB_ERROR_NOT_FOUND,
                       _("There is no clinic database at “%s”."), path);
          return NULL;
        }
      if (rc != SQLITE_OK)
        {
          clinic_db_set_sqlite_error (error, NULL, rc, path);
          return NULL;
        }
    }

  rc = clinic_vfs_set_key (path, clinic_key_get_data (page_key));
  if (rc != SQLITE_OK)
    {
      clinic_db_set_sqlite_error (error, NULL, rc, path);
      return NULL;
    }

  if (create)
    flags |= SQLITE_OPEN_CREATE;

  clinic_vfs_clear_last_failure ();
  rc = sqlite3_open_v2 (path, &handle, flags, cipher_vfs_name);
  if (rc == SQLITE_OK)
    rc = sqlite3_extended_result_codes (handle, 1);
  /* Before the first read: another program may be recovering the WAL or
   * committing just now, which is a moment's wait, not an error. */
  if (rc == SQLITE_OK)
    rc = sqlite3_busy_timeout (handle, 5000);
  if (rc == SQLITE_OK)
    rc = clinic_vfs_prepare_connection (handle);
  /* The first real read: page 1 is decrypted here, so a wrong key or a
   * damaged header shows up now, not in the middle of some later query. */
  if (rc == SQLITE_OK)
    rc = exec_sql (handle, "SELECT count(*) FROM sqlite_schema");
  if (rc == SQLITE_OK)
    rc = exec_sql (handle,
                   "PRAGMA journal_mode=WAL;"
                   "PRAGMA synchronous=FULL;"
                   "PRAGMA foreign_keys=ON;"
                   "PRAGMA trusted_schema=OFF;"
                   "PRAGMA cell_size_check=ON;"
                   "PRAGMA cache_size=-65536;");

  key_user_add (path);
  if (rc != SQLITE_OK)
    {
      clinic_db_set_sqlite_error (error, handle, rc, path);
      clinic_db_close_handle (handle, path);
      return NULL;
    }

  return handle;
}

/* --- Schema ------------------------------------------------------------ */

static int
migration_number (const char *name)
{
  char *end = NULL;
  guint64 n = g_ascii_strtoull (name, &end, 10);

  if (end == name || *end != '-' || n == 0 || n > G_MAXINT)
    return -1;

  return (int) n;
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return migration_number (*(const char **) a) - migration_number (*(const char **) b);
}

/* The migrations in order; validated once, since they are built in. */
static GPtrArray *
list_migrations (void)
{
  static gsize registered = 0;
  g_auto(GStrv) names = NULL;
  GPtrArray *list = g_ptr_array_new_with_free_func (g_free);

  if (g_once_init_enter (&registered))
    {
      clinic_core_register_resource ();
      g_once_init_leave (&registered, 1);
    }

  names = g_resources_enumerate_children (SQL_RESOURCE_PATH, G_RESOURCE_LOOKUP_FLAGS_NONE, NULL);
  for (guint i = 0; names != NULL && names[i] != NULL; i++)
    if (g_str_has_suffix (names[i], ".sql") && migration_number (names[i]) > 0)
      g_ptr_array_add (list, g_strdup (names[i]));

  g_ptr_array_sort (list, compare_names);
  for (guint i = 0; i < list->len; i++)
    g_assert (migration_number (g_ptr_array_index (list, i)) == (int) i + 1);

  return list;
}

int
clinic_db_get_latest_schema_version (void)
{
  g_autoptr(GPtrArray) list = list_migrations ();

  return (int) list->len;
}

static int
read_int_pragma (sqlite3    *handle,
                 const char *sql,
                 int        *value)
{
  sqlite3_stmt *stmt = NULL;
  int rc = sqlite3_prepare_v2 (handle, sql, -1, &stmt, NULL);

  if (rc == SQLITE_OK)
    {
      rc = sqlite3_step (stmt);
      if (rc == SQLITE_ROW)
        {
          *value = sqlite3_column_int (stmt, 0);
          rc = SQLITE_OK;
        }
    }
  sqlite3_finalize (stmt);

  return rc;
}

/* Applies every migration above the database's level, each in its own
 * transaction with the new level, so a crash leaves a whole level. */
static gboolean
migrate (sqlite3     *handle,
         const char  *path,
         gboolean     is_new,
         GError     **error)
{
  g_autoptr(GPtrArray) list = list_migrations ();
  int version = 0;
  int app_id = 0;
  int rc;

  if ((rc = read_int_pragma (handle, "PRAGMA user_version", &version)) != SQLITE_OK ||
      (rc = read_int_pragma (handle, "PRAGMA application_id", &app_id)) != SQLITE_OK)
    {
      clinic_db_set_sqlite_error (error, handle, rc, path);
      return FALSE;
    }

  if (!is_new && app_id != CLINIC_APPLICATION_ID)
    {
      g_set_error (error, CLINIC_DB_ERROR, CLINIC_DB_ERROR_NOT_CLINIC,
                   _("“%s” is not a Clinic database."), path);
      return FALSE;
    }

  if (version > (int) list->len)
    {
      g_set_error (error, CLINIC_DB_ERROR, CLINIC_DB_ERROR_TOO_NEW,
                   _("The database “%s” was made by a newer version of Clinic (schema %d; this version knows up to %d). Use the newer Clinic."),
                   path, version, (int) list->len);
      return FALSE;
    }

  for (guint i = (guint) version; i < list->len; i++)
    {
      const char *name = g_ptr_array_index (list, i);
      g_autofree char *resource = g_build_path ("/", SQL_RESOURCE_PATH, name, NULL);
      g_autoptr(GBytes) bytes = g_resources_lookup_data (resource, G_RESOURCE_LOOKUP_FLAGS_NONE, NULL);
      g_autofree char *sql = g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
      g_autofree char *set_level = g_strdup_printf ("PRAGMA user_version=%u; PRAGMA application_id=%d;",
                                                    i + 1, CLINIC_APPLICATION_ID);

      if ((rc = exec_sql (handle, "BEGIN IMMEDIATE")) != SQLITE_OK)
        {
          clinic_db_set_sqlite_error (error, handle, rc, path);
          return FALSE;
        }

      if ((rc = exec_sql (handle, sql)) != SQLITE_OK ||
          (rc = exec_sql (handle, set_level)) != SQLITE_OK ||
          (rc = exec_sql (handle, "COMMIT")) != SQLITE_OK)
        {
          clinic_db_set_sqlite_error (error, handle, rc, path);
          g_prefix_error (error, _("Updating the database to level %u failed: "), i + 1);
          exec_sql (handle, "ROLLBACK");
          return FALSE;
        }
    }

  return TRUE;
}

/* --- Opening ----------------------------------------------------------- */

static ClinicDb *
open_with_key (const char       *path,
               ClinicKey        *dk,
               int               lock_fd,
               gboolean          create,
               GError          **error)
{
  ClinicDb *self;
  sqlite3 *handle;

  handle = clinic_db_open_connection (path, dk, create, error);
  if (handle == NULL)
    return NULL;

  if (!migrate (handle, path, create, error))
    {
      clinic_db_close_handle (handle, path);
      return NULL;
    }

  self = g_object_new (CLINIC_TYPE_DB, NULL);
  self->path = g_strdup (path);
  self->handle = handle;
  self->dk = clinic_key_copy (dk);
  self->lock_fd = lock_fd;

  return self;
}

ClinicDb *
clinic_db_open_staged (const char       *path,
                       const ClinicKey  *dk,
                       GError          **error)
{
  g_autoptr(ClinicKey) copy = clinic_key_copy (dk);

  return open_with_key (path, copy, -1, FALSE, error);
}

ClinicDb *
clinic_db_open_another (ClinicDb  *self,
                        GError   **error)
{
  ClinicDb *other;
  int lock_fd;

  g_return_val_if_fail (CLINIC_IS_DB (self), NULL);

  if (!clinic_db_ensure_open (self, error))
    return NULL;
  /* A lock of its own: a rekey or restore through @self is then refused
   * while this connection works, as it is for another program. */
  lock_fd = clinic_db_lock_open (self->path, FALSE, error);
  if (lock_fd < 0)
    return NULL;
  other = open_with_key (self->path, self->dk, lock_fd, FALSE, error);
  if (other == NULL)
    {
      close (lock_fd);
      return NULL;
    }
  other->recovery = self->recovery;
  other->opened_by = g_strdup (self->opened_by);
  return other;
}

/* Takes the shared process lock, finishing an interrupted swap on the
 * way (that needs the lock exclusive for a moment). */
static int
take_open_lock (const char  *path,
                GError     **error)
{
  g_autofree char *marker = sibling (path, ".swap");
  g_autofree char *staged = sibling (path, ".new");
  int fd;

  if (g_file_test (marker, G_FILE_TEST_EXISTS) || g_file_test (staged, G_FILE_TEST_EXISTS))
    {
      fd = clinic_db_lock_open (path, TRUE, error);
      if (fd < 0)
        return -1;
      if (!finish_swap (path, error) || !clinic_db_lock_change (fd, FALSE, error))
        {
          close (fd);
          return -1;
        }
      return fd;
    }

  return clinic_db_lock_open (path, FALSE, error);
}

ClinicDb *
clinic_db_open (const char               *path,
                const ClinicCredentials  *credentials,
                GError                  **error)
{
  g_autofree char *keys_path = NULL;
  g_autofree char *lockout_path = NULL;
  g_autoptr(ClinicKeySlots) slots = NULL;
  g_autoptr(ClinicKey) dk = NULL;
  g_autoptr(GError) local_error = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  ClinicDb *self;
  int lock_fd;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (credentials != NULL, NULL);
  g_return_val_if_fail (credentials->recovery_key != NULL ||
                        (credentials->user != NULL && credentials->password != NULL), NULL);

  keys_path = clinic_paths_get_keys_file (path);
  lockout_path = clinic_paths_get_lockout_file (path);

  lock_fd = take_open_lock (path, error);
  if (lock_fd < 0)
    return NULL;

  if (!check_looks_like_clinic (path, error))
    goto fail;

  if (credentials->recovery_key != NULL)
    {
      dk = clinic_recovery_key_parse (credentials->recovery_key, &local_error);
      if (dk == NULL)
        {
          set_keys_error (error, local_error, path);
          goto fail;
        }

      /* A key file, where there is one, says whose key this is; without
       * one the first page's check below does. */
      slots = clinic_key_slots_load (keys_path, NULL);
      if (slots != NULL && !clinic_key_slots_check_key (slots, dk, &local_error))
        {
          set_keys_error (error, local_error, path);
          goto fail;
        }
    }
  else
    {
      guint wait = 0;

      if (!clinic_lockout_check (lockout_path, credentials->user, NULL, now, &wait, &local_error))
        {
          g_set_error_literal (error, CLINIC_DB_ERROR,
                               g_error_matches (local_error, CLINIC_LOCKOUT_ERROR,
                                                CLINIC_LOCKOUT_ERROR_LOCKED_OUT)
                               ? CLINIC_DB_ERROR_LOCKED_OUT : CLINIC_DB_ERROR_FAILED,
                               local_error->message);
          goto fail;
        }

      slots = clinic_key_slots_load (keys_path, &local_error);
      if (slots == NULL)
        {
          set_keys_error (error, local_error, path);
          goto fail;
        }

      dk = clinic_key_slots_unlock (slots, credentials->user, credentials->password, &local_error);
      if (dk == NULL)
        {
          if (g_error_matches (local_error, CLINIC_KEYS_ERROR, CLINIC_KEYS_ERROR_WRONG_CREDENTIALS))
            {
              g_autoptr(GError) count_error = NULL;

              /* Not counting would switch the lock-out off: refuse and say
               * why instead. */
              if (!clinic_lockout_record_failure (lockout_path, credentials->user, NULL, now,
                                                  &count_error))
                {
                  g_set_error_literal (error, CLINIC_DB_ERROR, CLINIC_DB_ERROR_FAILED,
                                       count_error->message);
                  goto fail;
                }
            }
          set_keys_error (error, local_error, path);
          goto fail;
        }
    }

  self = open_with_key (path, dk, lock_fd, FALSE, &local_error);
  if (self == NULL)
    {
      if (credentials->recovery_key != NULL &&
          g_error_matches (local_error, CLINIC_DB_ERROR, CLINIC_DB_ERROR_KEY_MISMATCH))
        g_set_error (error, CLINIC_DB_ERROR, CLINIC_DB_ERROR_RECOVERY_KEY,
                     _("This recovery key does not open “%s”: it belongs to another database, or to the time before a change of keys."),
                     path);
      else
        g_propagate_error (error, g_steal_pointer (&local_error));
      goto fail;
    }

  self->recovery = credentials->recovery_key != NULL;
  if (!self->recovery)
    {
      self->opened_by = clinic_user_name_normalize (credentials->user);
      clinic_lockout_record_success (lockout_path, credentials->user, now, NULL);
    }

  return self;

fail:
  close (lock_fd);
  return NULL;
}

static void
remove_database_files (const char *path)
{
  static const char *suffixes[] = { "", "-wal", "-shm", "-journal", ".keys" };

  for (gsize i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *file = sibling (path, suffixes[i]);

      remove_if_there (file);
    }
}

ClinicDb *
clinic_db_create (const char               *path,
                  const char               *clinic_name,
                  const ClinicCredentials  *admin,
                  char                    **recovery_key,
                  GError                  **error)
{
  g_autofree char *dir = NULL;
  g_autofree char *keys_path = NULL;
  g_autofree char *name = NULL;
  g_autoptr(ClinicKey) dk = NULL;
  g_autoptr(ClinicKeySlots) slots = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *admin_name = NULL;
  g_autofree char *admin_hash = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  ClinicDb *self = NULL;
  sqlite3_stmt *stmt = NULL;
  int lock_fd;
  int rc;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (admin != NULL && admin->user != NULL && admin->password != NULL, NULL);
  g_return_val_if_fail (recovery_key != NULL, NULL);

  name = g_strstrip (g_strdup (clinic_name != NULL ? clinic_name : ""));
  if (name[0] == '\0')
    {
      g_set_error_literal (error, CLINIC_DB_ERROR, CLINIC_DB_ERROR_INVALID,
                           _("The clinic needs a name."));
      return NULL;
    }

  if (!clinic_password_check_policy (admin->password, 10, admin->user, &local_error))
    {
      g_set_error_literal (error, CLINIC_DB_ERROR, CLINIC_DB_ERROR_INVALID, local_error->message);
      return NULL;
    }

  keys_path = clinic_paths_get_keys_file (path);
  {
    static const char *suffixes[] = { "", "-wal", "-journal", ".keys", ".files" };

    for (gsize i = 0; i < G_N_ELEMENTS (suffixes); i++)
      {
        g_autofree char *file = sibling (path, suffixes[i]);

        if (g_file_test (file, G_FILE_TEST_EXISTS))
          {
            g_set_error (error, CLINIC_DB_ERROR, CLINIC_DB_ERROR_EXISTS,
                         _("There is already a clinic database at “%s”."), path);
            return NULL;
          }
      }
  }

  dir = g_path_get_dirname (path);
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      g_set_error (error, CLINIC_DB_ERROR,
                   errno == EACCES || errno == EROFS ? CLINIC_DB_ERROR_READ_ONLY : CLINIC_DB_ERROR_FAILED,
                   _("The folder “%s” could not be made: %s."), dir, g_strerror (errno));
      return NULL;
    }

  lock_fd = clinic_db_lock_open (path, TRUE, error);
  if (lock_fd < 0)
    return NULL;

  dk = clinic_key_new_random ();
  slots = clinic_key_slots_new (dk);
  if (!clinic_key_slots_add_user (slots, admin->user, admin->password, dk, admin->limits,
                                  &local_error))
    {
      set_keys_error (error, local_error, path);
      goto fail;
    }

  self = open_with_key (path, dk, lock_fd, TRUE, error);
  if (self == NULL)
    goto fail_files;

  /* Encrypted or not, the file is nobody else's business; SQLite gives
   * its WAL and shared-memory files the same mode. */
  if (g_chmod (path, 0600) != 0)
    {
      g_set_error (error, CLINIC_DB_ERROR, CLINIC_DB_ERROR_FAILED,
                   _("The permissions of “%s” could not be set: %s."), path, g_strerror (errno));
      goto fail_files;
    }

  /* The clinic's name and its first administrator, in one transaction. */
  admin_name = clinic_user_name_normalize (admin->user);
  admin_hash = clinic_password_hash (admin->password, admin->limits, &local_error);
  if (admin_hash == NULL)
    {
      g_set_error_literal (error, CLINIC_DB_ERROR, CLINIC_DB_ERROR_INVALID, local_error->message);
      goto fail_files;
    }

  rc = exec_sql (self->handle, "BEGIN IMMEDIATE");
  if (rc == SQLITE_OK && !clinic_settings_set_initial (self, "clinic.name", name, &local_error))
    {
      g_set_error_literal (error, CLINIC_DB_ERROR, CLINIC_DB_ERROR_INVALID, local_error->message);
      goto fail_files;
    }
  if (rc == SQLITE_OK)
    rc = sqlite3_prepare_v2 (self->handle,
                             "INSERT INTO users (name, display_name, role_id, kind, password_hash, created_at) "
                             "SELECT ?1, ?1, id, 'staff', ?2, ?3 FROM roles WHERE builtin = 'administrator'",
                             -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    {
      sqlite3_bind_text (stmt, 1, admin_name, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 2, admin_hash, -1, SQLITE_TRANSIENT);
      sqlite3_bind_int64 (stmt, 3, now);
      rc = sqlite3_step (stmt);
      rc = rc == SQLITE_DONE ? SQLITE_OK : rc;
    }
  sqlite3_finalize (stmt);
  if (rc == SQLITE_OK)
    rc = exec_sql (self->handle, "COMMIT");
  if (rc != SQLITE_OK)
    {
      clinic_db_set_sqlite_error (error, self->handle, rc, path);
      goto fail_files;
    }
  self->opened_by = g_steal_pointer (&admin_name);

  /* The key file last: a database without one is unfinished and is
   * removed below, never left for someone to find half made. */
  if (!clinic_key_slots_save (slots, keys_path, &local_error))
    {
      set_keys_error (error, local_error, path);
      goto fail_files;
    }

  if (!clinic_db_lock_change (lock_fd, FALSE, error))
    goto fail_files;

  *recovery_key = clinic_recovery_key_format (dk);
  return self;

fail_files:
  if (self != NULL)
    {
      self->lock_fd = -1;
      g_clear_object (&self);
    }
  remove_database_files (path);
fail:
  close (lock_fd);
  return NULL;
}

/* --- Accessors --------------------------------------------------------- */

const char *
clinic_db_get_path (ClinicDb *self)
{
  g_return_val_if_fail (CLINIC_IS_DB (self), NULL);

  return self->path;
}

sqlite3 *
clinic_db_get_handle (ClinicDb *self)
{
  g_return_val_if_fail (CLINIC_IS_DB (self), NULL);

  return self->handle;
}

const ClinicKey *
clinic_db_get_key (ClinicDb *self)
{
  g_return_val_if_fail (CLINIC_IS_DB (self), NULL);

  return self->dk;
}

int
clinic_db_get_lock_fd (ClinicDb *self)
{
  g_return_val_if_fail (CLINIC_IS_DB (self), -1);

  return self->lock_fd;
}

const char *
clinic_db_get_opened_by (ClinicDb *self)
{
  g_return_val_if_fail (CLINIC_IS_DB (self), NULL);

  return self->opened_by;
}

gboolean
clinic_db_is_recovery_key_outdated (ClinicDb *self)
{
  g_autofree char *flag = NULL;

  g_return_val_if_fail (CLINIC_IS_DB (self), FALSE);

  flag = sibling (self->path, ".recovery-key-outdated");
  return g_file_test (flag, G_FILE_TEST_EXISTS);
}

gboolean
clinic_db_opened_with_recovery_key (ClinicDb *self)
{
  g_return_val_if_fail (CLINIC_IS_DB (self), FALSE);

  return self->recovery;
}

int
clinic_db_get_schema_version (ClinicDb *self)
{
  int version = -1;

  g_return_val_if_fail (CLINIC_IS_DB (self), -1);

  if (self->handle != NULL)
    read_int_pragma (self->handle, "PRAGMA user_version", &version);
  return version;
}

char *
clinic_db_dup_clinic_name (ClinicDb  *self,
                           GError   **error)
{
  sqlite3_stmt *stmt;
  char *name = NULL;
  int rc;

  g_return_val_if_fail (CLINIC_IS_DB (self), NULL);

  stmt = clinic_db_prepare (self, "SELECT value FROM settings WHERE key = 'clinic.name'", error);
  if (stmt == NULL)
    return NULL;

  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    name = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  else if (rc == SQLITE_DONE)
    g_set_error_literal (error, CLINIC_DB_ERROR, CLINIC_DB_ERROR_DAMAGED,
                         _("The database has no clinic record."));
  else
    clinic_db_set_sqlite_error (error, self->handle, rc, self->path);
  sqlite3_reset (stmt);

  return name;
}

/* --- Statements and transactions -------------------------------------- */

static gboolean
check_open (ClinicDb  *self,
            GError   **error)
{
  if (self->handle != NULL)
    return TRUE;

  g_set_error_literal (error, CLINIC_DB_ERROR, CLINIC_DB_ERROR_CLOSED,
                       _("The database was closed after a change of keys that could not be finished. Close Clinic and start it again."));
  return FALSE;
}

gboolean
clinic_db_ensure_open (ClinicDb  *self,
                       GError   **error)
{
  g_return_val_if_fail (CLINIC_IS_DB (self), FALSE);

  return check_open (self, error);
}

gboolean
clinic_db_exec (ClinicDb    *self,
                const char  *sql,
                GError     **error)
{
  int rc;

  g_return_val_if_fail (CLINIC_IS_DB (self), FALSE);

  if (!check_open (self, error))
    return FALSE;

  clinic_vfs_clear_last_failure ();
  rc = exec_sql (self->handle, sql);
  if (rc != SQLITE_OK)
    {
      clinic_db_set_sqlite_error (error, self->handle, rc, self->path);
      return FALSE;
    }

  return TRUE;
}

gboolean
clinic_db_begin_write (ClinicDb  *self,
                       GError   **error)
{
  return clinic_db_exec (self, "BEGIN IMMEDIATE", error);
}

gboolean
clinic_db_commit (ClinicDb  *self,
                  GError   **error)
{
  if (clinic_db_exec (self, "COMMIT", error))
    return TRUE;

  clinic_db_rollback (self);
  return FALSE;
}

void
clinic_db_rollback (ClinicDb *self)
{
  g_return_if_fail (CLINIC_IS_DB (self));

  if (self->handle != NULL && !sqlite3_get_autocommit (self->handle))
    exec_sql (self->handle, "ROLLBACK");
}

gboolean
clinic_db_step_done (ClinicDb      *self,
                     sqlite3_stmt  *stmt,
                     GError       **error)
{
  int rc = sqlite3_step (stmt);

  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      clinic_db_set_error (self, rc, error);
      return FALSE;
    }

  return TRUE;
}

gboolean
clinic_db_collect (ClinicDb           *self,
                   sqlite3_stmt       *stmt,
                   GPtrArray          *into,
                   ClinicDbRowReader   read_row,
                   GError            **error)
{
  int rc;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (into, read_row (stmt));
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      clinic_db_set_error (self, rc, error);
      return FALSE;
    }
  return TRUE;
}

void
clinic_db_set_error (ClinicDb  *self,
                     int        rc,
                     GError   **error)
{
  clinic_db_set_sqlite_error (error, clinic_db_get_handle (self), rc, clinic_db_get_path (self));
}

char *
clinic_db_column_text (sqlite3_stmt *stmt,
                       int           column)
{
  const char *text = (const char *) sqlite3_column_text (stmt, column);

  return g_strdup (text != NULL ? text : "");
}

sqlite3_stmt *
clinic_db_prepare (ClinicDb    *self,
                   const char  *sql,
                   GError     **error)
{
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (CLINIC_IS_DB (self), NULL);

  if (!check_open (self, error))
    return NULL;

  stmt = g_hash_table_lookup (self->statements, sql);
  if (stmt != NULL)
    {
      sqlite3_reset (stmt);
      sqlite3_clear_bindings (stmt);
      return stmt;
    }

  clinic_vfs_clear_last_failure ();
  rc = sqlite3_prepare_v3 (self->handle, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL);
  if (rc != SQLITE_OK)
    {
      clinic_db_set_sqlite_error (error, self->handle, rc, self->path);
      return NULL;
    }

  g_hash_table_insert (self->statements, g_strdup (sql), stmt);
  return stmt;
}

void
clinic_db_close_connection (ClinicDb *self)
{
  g_hash_table_remove_all (self->statements);
  clinic_db_close_handle (g_steal_pointer (&self->handle), self->path);
}

gboolean
clinic_db_reopen_with_key (ClinicDb        *self,
                           const ClinicKey *dk,
                           GError         **error)
{
  sqlite3 *handle;

  g_return_val_if_fail (self->handle == NULL, FALSE);

  handle = clinic_db_open_connection (self->path, dk, FALSE, error);
  if (handle == NULL)
    return FALSE;

  self->handle = handle;
  if (self->dk != dk)
    {
      g_clear_pointer (&self->dk, clinic_key_free);
      self->dk = clinic_key_copy (dk);
    }

  return TRUE;
}

/* --- Key slots --------------------------------------------------------- */

/* The key file is read, changed and written whole; two programs doing
 * that at once (an administrator removing a user in the window while
 * clinicctl changes a password) would each write back what the other
 * changed, even bringing a removed slot back. This exclusive lock on a
 * side file (the key file itself is replaced by rename) spans the whole
 * read-change-write. Returns the fd to close, or -1 with @error. */
static int
lock_keys_file (const char  *path,
                GError     **error)
{
  g_autofree char *lock_path = g_strconcat (path, ".keys.lock", NULL);
  int fd = open (lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);

  if (fd < 0 || flock (fd, LOCK_EX) != 0)
    {
      int saved = errno;

      if (fd >= 0)
        close (fd);
      g_set_error (error, CLINIC_DB_ERROR, CLINIC_DB_ERROR_FAILED,
                   _("Clinic could not open “%s”: %s."), lock_path, g_strerror (saved));
      return -1;
    }

  return fd;
}

static gboolean
update_slots (ClinicDb     *self,
              gboolean    (*change) (ClinicKeySlots *slots, gpointer data, GError **error),
              gpointer      data,
              GError      **error)
{
  g_autofree char *keys_path = clinic_paths_get_keys_file (self->path);
  g_autoptr(ClinicKeySlots) slots = NULL;
  g_autoptr(GError) local_error = NULL;
  int keys_lock = lock_keys_file (self->path, error);
  gboolean ok = FALSE;

  if (keys_lock < 0)
    return FALSE;

  slots = clinic_key_slots_load (keys_path, &local_error);
  if (slots == NULL && g_error_matches (local_error, CLINIC_KEYS_ERROR, CLINIC_KEYS_ERROR_SLOTS_MISSING))
    {
      /* Opened with the recovery key after the file was lost: a new file
       * is started, and an administrator adds everyone back. */
      g_clear_error (&local_error);
      slots = clinic_key_slots_new (self->dk);
    }

  if (slots == NULL ||
      !clinic_key_slots_check_key (slots, self->dk, &local_error) ||
      !change (slots, data, &local_error) ||
      !clinic_key_slots_save (slots, keys_path, &local_error))
    set_keys_error (error, local_error, self->path);
  else
    ok = TRUE;

  close (keys_lock);
  return ok;
}

typedef struct
{
  ClinicDb              *db;
  const char            *user;
  const char            *password;
  const char            *new_password;
  const ClinicKdfLimits *limits;
} SlotChange;

static gboolean
add_slot (ClinicKeySlots *slots,
          gpointer        data,
          GError        **error)
{
  SlotChange *c = data;

  return clinic_key_slots_add_user (slots, c->user, c->password, c->db->dk, c->limits, error);
}

static gboolean
change_slot (ClinicKeySlots *slots,
             gpointer        data,
             GError        **error)
{
  SlotChange *c = data;

  return clinic_key_slots_change_password (slots, c->user, c->password, c->new_password,
                                           c->limits, error);
}

static gboolean
remove_slot (ClinicKeySlots *slots,
             gpointer        data,
             GError        **error)
{
  SlotChange *c = data;

  return clinic_key_slots_remove_user (slots, c->user, error);
}

gboolean
clinic_db_add_staff_key (ClinicDb               *self,
                         const char             *user,
                         const char             *password,
                         const ClinicKdfLimits  *limits,
                         GError                **error)
{
  SlotChange change = { self, user, password, NULL, limits };

  g_return_val_if_fail (CLINIC_IS_DB (self), FALSE);

  return update_slots (self, add_slot, &change, error);
}

gboolean
clinic_db_change_password (ClinicDb               *self,
                           const char             *user,
                           const char             *old_password,
                           const char             *new_password,
                           const ClinicKdfLimits  *limits,
                           GError                **error)
{
  SlotChange change = { self, user, old_password, new_password, limits };

  g_return_val_if_fail (CLINIC_IS_DB (self), FALSE);

  return update_slots (self, change_slot, &change, error);
}

gboolean
clinic_db_remove_staff_key (ClinicDb    *self,
                            const char  *user,
                            GError     **error)
{
  SlotChange change = { self, user, NULL, NULL, NULL };

  g_return_val_if_fail (CLINIC_IS_DB (self), FALSE);

  return update_slots (self, remove_slot, &change, error);
}

gboolean
clinic_db_change_password_at (const char             *path,
                              const char             *user,
                              const char             *old_password,
                              const char             *new_password,
                              const ClinicKdfLimits  *limits,
                              GError                **error)
{
  g_autofree char *keys_path = clinic_paths_get_keys_file (path);
  g_autofree char *lockout_path = clinic_paths_get_lockout_file (path);
  g_autoptr(ClinicKeySlots) slots = NULL;
  g_autoptr(GError) local_error = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  guint wait = 0;
  int keys_lock = -1;
  int lock_fd;
  gboolean ok = FALSE;

  /* Shared: a rekey must not reseal the file between our read and write. */
  lock_fd = take_open_lock (path, error);
  if (lock_fd < 0)
    return FALSE;

  if (!clinic_lockout_check (lockout_path, user, NULL, now, &wait, &local_error))
    {
      g_set_error_literal (error, CLINIC_DB_ERROR, CLINIC_DB_ERROR_LOCKED_OUT, local_error->message);
      goto out;
    }

  keys_lock = lock_keys_file (path, error);
  if (keys_lock < 0)
    goto out;

  slots = clinic_key_slots_load (keys_path, &local_error);
  if (slots == NULL)
    {
      set_keys_error (error, local_error, path);
      goto out;
    }

  if (!clinic_key_slots_change_password (slots, user, old_password, new_password, limits,
                                         &local_error))
    {
      if (g_error_matches (local_error, CLINIC_KEYS_ERROR, CLINIC_KEYS_ERROR_WRONG_CREDENTIALS))
        clinic_lockout_record_failure (lockout_path, user, NULL, now, NULL);
      set_keys_error (error, local_error, path);
      goto out;
    }

  if (!clinic_key_slots_save (slots, keys_path, &local_error))
    {
      set_keys_error (error, local_error, path);
      goto out;
    }

  clinic_lockout_record_success (lockout_path, user, now, NULL);
  ok = TRUE;

out:
  if (keys_lock >= 0)
    close (keys_lock);
  close (lock_fd);
  return ok;
}

/* --- Object ------------------------------------------------------------ */

static void
clinic_db_finalize (GObject *object)
{
  ClinicDb *self = CLINIC_DB (object);

  g_clear_pointer (&self->statements, g_hash_table_unref);
  if (self->handle != NULL)
    {
      /* A last checkpoint keeps the WAL short for the next start; its
       * failure changes nothing that was committed. */
      exec_sql (self->handle, "PRAGMA wal_checkpoint(PASSIVE)");
      clinic_db_close_handle (self->handle, self->path);
    }
  if (self->lock_fd >= 0)
    close (self->lock_fd);
  g_clear_pointer (&self->dk, clinic_key_free);
  g_free (self->opened_by);
  g_free (self->path);

  G_OBJECT_CLASS (clinic_db_parent_class)->finalize (object);
}

static void
clinic_db_class_init (ClinicDbClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = clinic_db_finalize;
}

static void
finalize_statement (gpointer stmt)
{
  sqlite3_finalize (stmt);
}

static void
clinic_db_init (ClinicDb *self)
{
  self->lock_fd = -1;
  self->statements = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                            finalize_statement);
}
