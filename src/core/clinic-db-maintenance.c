/* clinic-db-maintenance.c — backup, restore, verify and rekey
 *
 * A backup file is one container:
 *
 *   offset  size  field
 *        0     8  magic "CLNCBKP\0"
 *        8     4  format version, 2 (little endian)
 *       12     4  zero
 *       16    16  key id of the database key (public, clinic_key_get_id)
 *       32     8  created, Unix seconds
 *       40     8  length S of the key slots file
 *       48     8  length D of the database image
 *       56     8  audit anchor: the sequence number of the newest entry
 *       64    32  audit anchor: that entry's hash (the chain's head)
 *       96     8  number N of attachment files
 *      104     8  length A of the attachments part
 *      112    16  zero
 *      128     S  the key slots file, as it was
 *    128+S     D  the database, pages encrypted under the database key
 *  128+S+D     A  N attachments, each: its id (32 hex digits), its length
 *                 L (8 bytes), and the L bytes of its file as stored (still
 *                 encrypted under the attachments sub-key)
 * 128+S+D+A   32  BLAKE2b-256 of everything before, keyed with the backup
 *                 sub-key of the database key
 *
 * Version 1 (read, no longer written) had no attachments: its header ends
 * at 96, and the slots follow there.
 *
 * So a backup opens with the passwords (slots) and the recovery key valid
 * when it was made, nothing in it is readable without one of them, and a
 * changed byte anywhere fails the MAC before anything is written.
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <sodium.h>
#include <string.h>
#include <unistd.h>

#include "clinic-attachments.h"
#include "clinic-audit-private.h"
#include "clinic-storage.h"
#include "clinic-error.h"
#include "clinic-db-private.h"
#include "clinic-lockout.h"
#include "clinic-paths.h"
#include "clinic-vfs.h"

#define BACKUP_MAGIC      "CLNCBKP"
#define BACKUP_VERSION    2
#define BACKUP_HEADER_V1  96
#define BACKUP_HEADER     128
#define ENTRY_HEADER      (CLINIC_ATTACHMENT_ID_LENGTH + 8)
#define BACKUP_MAC        crypto_generichash_BYTES          /* 32 */
#define MAX_SLOTS_SIZE    (16 * 1024 * 1024)
#define COPY_CHUNK        (256 * 1024)

/* --- Small helpers ----------------------------------------------------- */

static void
put_le (guint8  *p,
        guint64  v,
        guint    n)
{
  for (guint i = 0; i < n; i++)
    p[i] = (guint8) (v >> (8 * i));
}

static guint64
get_le (const guint8 *p,
        guint         n)
{
  guint64 v = 0;

  for (guint i = 0; i < n; i++)
    v |= (guint64) p[i] << (8 * i);

  return v;
}

static void
cleanup_database_files (const char *path)
{
  static const char *suffixes[] = { "", "-wal", "-shm", "-journal" };

  for (gsize i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *file = g_strconcat (path, suffixes[i], NULL);

      g_unlink (file);
    }
}

gboolean
clinic_db_set_io_error (GError     **error,
                        const char  *file,
                        int          saved_errno)
{
  g_set_error (error, CLINIC_DB_ERROR,
               saved_errno == ENOSPC ? CLINIC_DB_ERROR_DISK_FULL :
               saved_errno == EACCES || saved_errno == EROFS ? CLINIC_DB_ERROR_READ_ONLY :
               CLINIC_DB_ERROR_FAILED,
               _("“%s” could not be written: %s."), file, g_strerror (saved_errno));
  return FALSE;
}

gboolean
clinic_db_write_all (int          fd,
                     const void  *data,
                     gsize        len,
                     const char  *file,
                     GError     **error)
{
  const guint8 *p = data;

  while (len > 0)
    {
      ssize_t n = write (fd, p, len);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return clinic_db_set_io_error (error, file, errno);
      p += n;
      len -= (gsize) n;
    }

  return TRUE;
}

static gboolean
read_exact (int          fd,
            void        *data,
            gsize        len,
            const char  *file,
            GError     **error)
{
  guint8 *p = data;

  while (len > 0)
    {
      ssize_t n = read (fd, p, len);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          g_set_error (error, CLINIC_DB_ERROR, CLINIC_DB_ERROR_BAD_BACKUP,
                       _("“%s” is not a whole Clinic backup: it ends too early."), file);
          return FALSE;
        }
      p += n;
      len -= (gsize) n;
    }

  return TRUE;
}

/* Checks a database image under @dk: every page readable and
 * PRAGMA integrity_check "ok". */
static gboolean
check_database_file (const char       *path,
                     const ClinicKey  *dk,
                     GError          **error)
{
  sqlite3 *handle = clinic_db_open_connection (path, dk, FALSE, error);
  sqlite3_stmt *stmt = NULL;
  int rc;
  gboolean ok = FALSE;

  if (handle == NULL)
    return FALSE;

  rc = sqlite3_prepare_v2 (handle, "PRAGMA integrity_check", -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      const char *result = (const char *) sqlite3_column_text (stmt, 0);

      ok = g_strcmp0 (result, "ok") == 0;
      if (!ok)
        g_set_error (error, CLINIC_DB_ERROR, CLINIC_DB_ERROR_DAMAGED,
                     _("The copy of the database failed its check: %s."), result);
    }
  else
    clinic_db_set_sqlite_error (error, handle, rc, path);

  sqlite3_finalize (stmt);
  clinic_db_close_handle (handle, path);
  return ok;
}

/* Copies the live database into a new single-file image at @dest, under
 * @dk, with SQLite's online backup: other connections go on writing, and
 * the copy restarts by itself if they change a page it has copied. */
static gboolean
copy_database (ClinicDb         *self,
               const char       *dest,
               const ClinicKey  *dk,
               GCancellable     *cancellable,
               GError          **error)
{
  sqlite3 *target;
  sqlite3_backup *backup;
  int rc;

  cleanup_database_files (dest);
  target = clinic_db_open_connection (dest, dk, TRUE, error);
  if (target == NULL)
    return FALSE;

  /* One self-contained file: no WAL beside the copy. */
  rc = sqlite3_exec (target, "PRAGMA journal_mode=DELETE", NULL, NULL, NULL);
  if (rc != SQLITE_OK)
    {
      clinic_db_set_sqlite_error (error, target, rc, dest);
      clinic_db_close_handle (target, dest);
      return FALSE;
    }

  backup = sqlite3_backup_init (target, "main", clinic_db_get_handle (self), "main");
  if (backup == NULL)
    {
      clinic_db_set_sqlite_error (error, target, sqlite3_errcode (target), dest);
      clinic_db_close_handle (target, dest);
      return FALSE;
    }

  do
    {
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        {
          sqlite3_backup_finish (backup);
          clinic_db_close_handle (target, dest);
          return FALSE;
        }

      rc = sqlite3_backup_step (backup, 1024);
      if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
        sqlite3_sleep (20);
    }
  while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED);

  sqlite3_backup_finish (backup);
  if (rc != SQLITE_DONE)
    {
      clinic_db_set_sqlite_error (error, target, rc, dest);
      clinic_db_close_handle (target, dest);
      return FALSE;
    }

  clinic_db_close_handle (target, dest);
  return TRUE;
}

/* Streams @src into @fd, feeding @mac. */
static gboolean
append_file (int                        fd,
             const char                *out_name,
             const char                *src,
             goffset                    expected,
             crypto_generichash_state  *mac,
             GError                   **error)
{
  g_autofree guint8 *buf = g_malloc (COPY_CHUNK);
  int in = open (src, O_RDONLY | O_CLOEXEC);
  goffset total = 0;

  if (in < 0)
    return clinic_db_set_io_error (error, src, errno);

  for (;;)
    {
      ssize_t n = read (in, buf, COPY_CHUNK);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int saved = errno;

          close (in);
          return clinic_db_set_io_error (error, src, saved);
        }
      if (n == 0)
        break;

      crypto_generichash_update (mac, buf, (gsize) n);
      if (!clinic_db_write_all (fd, buf, (gsize) n, out_name, error))
        {
          close (in);
          return FALSE;
        }
      total += n;
    }

  close (in);
  if (total != expected)
    {
      g_set_error (error, CLINIC_DB_ERROR, CLINIC_DB_ERROR_FAILED,
                   _("“%s” changed while it was being copied."), src);
      return FALSE;
    }

  return TRUE;
}

/* --- Reading a backup -------------------------------------------------- */

typedef struct
{
  guint8   raw[BACKUP_HEADER];
  gsize    raw_len;             /* BACKUP_HEADER, or BACKUP_HEADER_V1 */
  guint8   key_id[CLINIC_KEY_ID_SIZE];
  gint64   created;
  guint64  slots_len;
  guint64  db_len;
  gint64   anchor_seq;
  guint8   anchor_head[32];
  guint64  n_files;
  guint64  files_len;
  guint8  *slots;
} BackupHeader;

static void
backup_header_clear (BackupHeader *header)
{
  g_clear_pointer (&header->slots, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (BackupHeader, backup_header_clear)

static gboolean
bad_backup (GError     **error,
            const char  *file)
{
  g_set_error (error, CLINIC_DB_ERROR, CLINIC_DB_ERROR_BAD_BACKUP,
               _("“%s” is not a Clinic backup, or it is damaged."), file);
  return FALSE;
}

static gboolean
read_backup_header (int            fd,
                    const char    *file,
                    BackupHeader  *header,
                    GError       **error)
{
  guint8 *raw = header->raw;
  struct stat st;
  guint64 version;

  if (fstat (fd, &st) != 0)
    return clinic_db_set_io_error (error, file, errno);

  if (st.st_size < BACKUP_HEADER_V1 + BACKUP_MAC)
    return bad_backup (error, file);

  if (!read_exact (fd, raw, BACKUP_HEADER_V1, file, error))
    return FALSE;

  if (memcmp (raw, BACKUP_MAGIC "\0", 8) != 0)
    return bad_backup (error, file);

  /* Backups made before attachments existed still restore. */
  version = get_le (raw + 8, 4);
  if (version == 1)
    header->raw_len = BACKUP_HEADER_V1;
  else if (version == BACKUP_VERSION)
    {
      header->raw_len = BACKUP_HEADER;
      if (st.st_size < BACKUP_HEADER + BACKUP_MAC ||
          !read_exact (fd, raw + BACKUP_HEADER_V1, BACKUP_HEADER - BACKUP_HEADER_V1, file, error))
        return st.st_size < BACKUP_HEADER + BACKUP_MAC ? bad_backup (error, file) : FALSE;
      header->n_files = get_le (raw + 96, 8);
      header->files_len = get_le (raw + 104, 8);
    }
  else
    {
      g_set_error (error, CLINIC_DB_ERROR, CLINIC_DB_ERROR_TOO_NEW,
                   _("“%s” was made by another version of Clinic and cannot be restored by this one."),
                   file);
      return FALSE;
    }

  memcpy (header->key_id, raw + 16, CLINIC_KEY_ID_SIZE);
  header->created = (gint64) get_le (raw + 32, 8);
  header->slots_len = get_le (raw + 40, 8);
  header->db_len = get_le (raw + 48, 8);
  header->anchor_seq = (gint64) get_le (raw + 56, 8);
  memcpy (header->anchor_head, raw + 64, 32);

  /* The lengths must add up to the file exactly: nothing missing, nothing
   * appended. */
  if (header->slots_len > MAX_SLOTS_SIZE ||
      header->db_len % CLINIC_VFS_PAGE_SIZE != 0 || header->db_len == 0 ||
      header->db_len > (guint64) st.st_size || header->files_len > (guint64) st.st_size ||
      header->n_files > header->files_len / ENTRY_HEADER ||
      (guint64) st.st_size != header->raw_len + header->slots_len + header->db_len +
                              header->files_len + BACKUP_MAC)
    return bad_backup (error, file);

  header->slots = g_malloc (header->slots_len + 1);
  return read_exact (fd, header->slots, header->slots_len, file, error);
}

/* Copies @len bytes of the backup at its current offset to @out, feeding
 * @state. */
static gboolean
copy_part (int                        fd,
           const char                *file,
           int                        out,
           const char                *dest,
           guint64                    len,
           crypto_generichash_state  *state,
           guint8                    *buf,
           GError                   **error)
{
  while (len > 0)
    {
      gsize want = (gsize) MIN (len, COPY_CHUNK);

      if (!read_exact (fd, buf, want, file, error) ||
          !clinic_db_write_all (out, buf, want, dest, error))
        return FALSE;
      crypto_generichash_update (state, buf, want);
      len -= want;
    }

  return TRUE;
}

/* Writes the attachments part of the backup into a new folder @files_dir,
 * each file synced, feeding @state. */
static gboolean
extract_files (int                        fd,
               const char                *file,
               const BackupHeader        *header,
               const char                *files_dir,
               crypto_generichash_state  *state,
               guint8                    *buf,
               GError                   **error)
{
  guint64 left = header->files_len;

  clinic_attachments_remove_folder (files_dir);
  if (g_mkdir (files_dir, 0700) != 0)
    return clinic_db_set_io_error (error, files_dir, errno);

  for (guint64 i = 0; i < header->n_files; i++)
    {
      guint8 entry[ENTRY_HEADER];
      char id[CLINIC_ATTACHMENT_ID_LENGTH + 1];
      g_autofree char *path = NULL;
      guint64 len;
      gboolean ok;
      int out;

      if (left < ENTRY_HEADER || !read_exact (fd, entry, sizeof entry, file, error))
        return left < ENTRY_HEADER ? bad_backup (error, file) : FALSE;
      crypto_generichash_update (state, entry, sizeof entry);
      left -= ENTRY_HEADER;

      memcpy (id, entry, CLINIC_ATTACHMENT_ID_LENGTH);
      id[CLINIC_ATTACHMENT_ID_LENGTH] = '\0';
      len = get_le (entry + CLINIC_ATTACHMENT_ID_LENGTH, 8);
      if (!clinic_attachment_id_is_valid (id) || len > left)
        return bad_backup (error, file);

      /* O_EXCL: an id twice is a damaged backup, not a file replaced. */
      path = g_build_filename (files_dir, id, NULL);
      out = open (path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
      if (out < 0)
        return errno == EEXIST ? bad_backup (error, file) : clinic_db_set_io_error (error, path, errno);
      ok = copy_part (fd, file, out, path, len, state, buf, error);
      if (ok && fsync (out) != 0)
        ok = clinic_db_set_io_error (error, path, errno);
      close (out);
      if (!ok)
        return FALSE;
      left -= len;
    }

  if (left != 0)
    return bad_backup (error, file);

  return clinic_db_sync_folder (files_dir, error);
}

/* Writes the database image of the backup to @dest and its attachments
 * into the folder @files_dir (all fsynced) while checking the MAC under
 * @dk over exactly the bytes used: the header and key file already read,
 * and the rest as it is copied. One pass, so the file cannot be changed
 * between the check and the copy. On a mismatch @dest and @files_dir are
 * removed. */
static gboolean
extract_checked (int                  fd,
                 const char          *file,
                 const BackupHeader  *header,
                 const ClinicKey     *dk,
                 const char          *dest,
                 const char          *files_dir,
                 GError             **error)
{
  g_autoptr(ClinicKey) mac_key = clinic_key_derive (dk, 1, CLINIC_KEY_CONTEXT_BACKUPS);
  g_autofree guint8 *buf = g_malloc (COPY_CHUNK);
  crypto_generichash_state state;
  guint8 expected[BACKUP_MAC];
  guint8 actual[BACKUP_MAC];
  int out;

  if (lseek (fd, (off_t) (header->raw_len + header->slots_len), SEEK_SET) < 0)
    return clinic_db_set_io_error (error, file, errno);

  crypto_generichash_init (&state, clinic_key_get_data (mac_key), CLINIC_KEY_SIZE, BACKUP_MAC);
  crypto_generichash_update (&state, header->raw, header->raw_len);
  crypto_generichash_update (&state, header->slots, header->slots_len);

  cleanup_database_files (dest);
  out = open (dest, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (out < 0)
    return clinic_db_set_io_error (error, dest, errno);

  if (!copy_part (fd, file, out, dest, header->db_len, &state, buf, error) ||
      !extract_files (fd, file, header, files_dir, &state, buf, error))
    goto fail;
  crypto_generichash_final (&state, actual, sizeof actual);

  if (!read_exact (fd, expected, sizeof expected, file, error))
    goto fail;

  if (sodium_memcmp (actual, expected, BACKUP_MAC) != 0)
    {
      g_set_error (error, CLINIC_DB_ERROR, CLINIC_DB_ERROR_BAD_BACKUP,
                   _("The backup “%s” is damaged or has been changed: its check does not match."),
                   file);
      goto fail;
    }

  if (fsync (out) != 0)
    {
      clinic_db_set_io_error (error, dest, errno);
      goto fail;
    }

  close (out);
  return TRUE;

fail:
  close (out);
  g_unlink (dest);
  clinic_attachments_remove_folder (files_dir);
  return FALSE;
}

/* Opens a backup file and checks it completely under @dk: header, MAC,
 * the database image (extracted to @check_path) and every attachment
 * (extracted to @check_files); the caller removes or uses both. */
static gboolean
check_backup_file (const char       *file,
                   const ClinicKey  *dk,
                   const char       *check_path,
                   const char       *check_files,
                   GError          **error)
{
  g_auto(BackupHeader) header = { { 0 }, };
  guint8 id[CLINIC_KEY_ID_SIZE];
  gboolean ok;
  int fd = open (file, O_RDONLY | O_CLOEXEC);

  if (fd < 0)
    {
      g_set_error (error, CLINIC_DB_ERROR, CLINIC_DB_ERROR_BAD_BACKUP,
                   _("The backup “%s” could not be opened: %s."), file, g_strerror (errno));
      return FALSE;
    }

  clinic_key_get_id (dk, id);
  ok = read_backup_header (fd, file, &header, error) &&
       (memcmp (id, header.key_id, sizeof id) == 0 || bad_backup (error, file)) &&
       extract_checked (fd, file, &header, dk, check_path, check_files, error);
  close (fd);

  return ok &&
         check_database_file (check_path, dk, error) &&
         clinic_attachments_check_folder (check_files, dk, error);
}

/* --- Backup ------------------------------------------------------------ */

/* @file with its folder resolved (symbolic links, "..", relative), so two
 * spellings of one file compare equal; the file itself need not exist.
 * (transfer full) */
static char *
resolve_path (const char *file)
{
  g_autofree char *absolute = g_canonicalize_filename (file, NULL);
  g_autofree char *dir = g_path_get_dirname (absolute);
  g_autofree char *base = g_path_get_basename (absolute);
  g_autofree char *real_dir = realpath (dir, NULL);

  return g_build_filename (real_dir != NULL ? real_dir : dir, base, NULL);
}

/* TRUE when writing @file would replace the database at @database or one
 * of the files that belong to it (found in review: "dir/./clinic.db" got
 * past a plain string comparison and the backup replaced the database). */
static gboolean
is_database_file (const char *database,
                  const char *file)
{
  static const char *suffixes[] = {
    "", "-wal", "-shm", "-journal", ".keys", ".keys.lock", ".lock", ".lockout",
    ".lockout.lock", ".new", ".new-wal", ".keys.new", ".swap", ".anchor",
    ".pre-restore", ".pre-restore-wal", ".pre-restore.keys", ".recovery-key-outdated",
    ".files", ".files.new", ".files.old", ".pre-restore.files",
  };
  g_autofree char *target = resolve_path (file);
  g_autofree char *base = resolve_path (database);
  g_autofree char *target_dir = g_path_get_dirname (target);
  g_autofree char *files_dir = g_strconcat (base, ".files", NULL);
  GStatBuf target_st;
  gboolean target_exists = g_stat (target, &target_st) == 0;

  /* A backup among the attachments would be taken for one. */
  if (g_strcmp0 (target_dir, files_dir) == 0)
    return TRUE;

  for (gsize i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *sibling = g_strconcat (base, suffixes[i], NULL);
      GStatBuf st;

      if (g_strcmp0 (sibling, target) == 0)
        return TRUE;
      /* A hard link or another mount of the same file. */
      if (target_exists && g_stat (sibling, &st) == 0 &&
          st.st_dev == target_st.st_dev && st.st_ino == target_st.st_ino)
        return TRUE;
    }

  return FALSE;
}

/* The attachments the database image at @image names, with the size of
 * each one's file in @files_dir; a file missing there (verify reports it)
 * is left out, so the restored database misses it just the same. */
static GPtrArray *
list_backup_files (const char       *image,
                   const ClinicKey  *dk,
                   const char       *files_dir,
                   GArray           *sizes,
                   guint64          *total,
                   GError          **error)
{
  sqlite3 *handle = clinic_db_open_connection (image, dk, FALSE, error);
  g_autoptr(GPtrArray) ids = NULL;

  if (handle == NULL)
    return NULL;
  ids = clinic_attachments_list_rows (handle, error);
  clinic_db_close_handle (handle, image);
  if (ids == NULL)
    return NULL;

  *total = 0;
  for (guint i = 0; i < ids->len;)
    {
      g_autofree char *path = g_build_filename (files_dir, g_ptr_array_index (ids, i), NULL);
      struct stat st;

      if (stat (path, &st) != 0)
        {
          g_ptr_array_remove_index (ids, i);
          continue;
        }
      g_array_append_val (sizes, st.st_size);
      *total += ENTRY_HEADER + (guint64) st.st_size;
      i++;
    }

  return g_steal_pointer (&ids);
}

gboolean
clinic_db_backup (ClinicDb      *self,
                  const char    *file,
                  GCancellable  *cancellable,
                  GError       **error)
{
  g_autofree char *dir = NULL;
  g_autofree char *image = NULL;
  g_autofree char *partial = NULL;
  g_autofree char *check = NULL;
  g_autofree char *check_files = NULL;
  g_autofree char *files_dir = NULL;
  g_autofree char *keys_path = NULL;
  g_autofree char *slots = NULL;
  g_autoptr(ClinicKey) mac_key = NULL;
  g_autoptr(GPtrArray) ids = NULL;
  g_autoptr(GArray) sizes = g_array_new (FALSE, FALSE, sizeof (goffset));
  guint64 files_len = 0;
  const ClinicKey *dk;
  crypto_generichash_state mac;
  guint8 header[BACKUP_HEADER] = { 0 };
  guint8 tag[BACKUP_MAC];
  ClinicAuditAnchor anchor = { 0, };
  gsize slots_len = 0;
  struct stat st;
  gboolean ok = FALSE;
  int fd = -1;

  g_return_val_if_fail (CLINIC_IS_DB (self), FALSE);
  g_return_val_if_fail (file != NULL, FALSE);

  if (!clinic_db_ensure_open (self, error))
    return FALSE;

  dk = clinic_db_get_key (self);
  dir = g_path_get_dirname (file);
  image = g_strconcat (file, ".partial-db", NULL);
  partial = g_strconcat (file, ".partial", NULL);
  check = g_strconcat (file, ".check-db", NULL);
  check_files = g_strconcat (file, ".check-files", NULL);
  keys_path = clinic_paths_get_keys_file (clinic_db_get_path (self));
  files_dir = clinic_paths_get_files_dir (clinic_db_get_path (self));

  if (is_database_file (clinic_db_get_path (self), file))
    {
      g_set_error_literal (error, CLINIC_DB_ERROR, CLINIC_DB_ERROR_INVALID,
                           _("A backup cannot replace the database it is made from, nor one of the files beside it. Choose another name or folder."));
      return FALSE;
    }

  if (!g_file_get_contents (keys_path, &slots, &slots_len, NULL))
    {
      g_set_error (error, CLINIC_DB_ERROR, CLINIC_DB_ERROR_SLOTS_MISSING,
                   _("The key file “%s” is missing, so a backup would not open with any password. An administrator adds the staff passwords back first."),
                   keys_path);
      return FALSE;
    }

  /* The chain's head goes into the audit trail's own anchors, the anchor
   * file and this backup's header, before the copy, so the backup holds
   * the anchor that names it. */
  if (!clinic_audit_make_anchor (self, "backup", &anchor, error) ||
      !copy_database (self, image, dk, cancellable, error))
    goto out;

  /* The attachments of the copy, not of the live database: a file added
   * since has no row in it, and files never change once written. */
  ids = list_backup_files (image, dk, files_dir, sizes, &files_len, error);
  if (ids == NULL)
    goto out;

  if (stat (image, &st) != 0)
    {
      clinic_db_set_io_error (error, image, errno);
      goto out;
    }

  memcpy (header, BACKUP_MAGIC "\0", 8);
  put_le (header + 8, BACKUP_VERSION, 4);
  clinic_key_get_id (dk, header + 16);
  put_le (header + 32, (guint64) (g_get_real_time () / G_USEC_PER_SEC), 8);
  put_le (header + 40, slots_len, 8);
  put_le (header + 48, (guint64) st.st_size, 8);
  put_le (header + 56, (guint64) anchor.seq, 8);
  memcpy (header + 64, anchor.head, 32);
  put_le (header + 96, ids->len, 8);
  put_le (header + 104, files_len, 8);

  mac_key = clinic_key_derive (dk, 1, CLINIC_KEY_CONTEXT_BACKUPS);
  crypto_generichash_init (&mac, clinic_key_get_data (mac_key), CLINIC_KEY_SIZE, BACKUP_MAC);

  g_unlink (partial);
  fd = open (partial, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      clinic_db_set_io_error (error, partial, errno);
      goto out;
    }

  crypto_generichash_update (&mac, header, sizeof header);
  crypto_generichash_update (&mac, (const guint8 *) slots, slots_len);
  if (!clinic_db_write_all (fd, header, sizeof header, partial, error) ||
      !clinic_db_write_all (fd, slots, slots_len, partial, error) ||
      !append_file (fd, partial, image, st.st_size, &mac, error))
    goto out;

  for (guint i = 0; i < ids->len; i++)
    {
      const char *id = g_ptr_array_index (ids, i);
      g_autofree char *path = g_build_filename (files_dir, id, NULL);
      goffset size = g_array_index (sizes, goffset, i);
      guint8 entry[ENTRY_HEADER];

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        goto out;
      memcpy (entry, id, CLINIC_ATTACHMENT_ID_LENGTH);
      put_le (entry + CLINIC_ATTACHMENT_ID_LENGTH, (guint64) size, 8);
      crypto_generichash_update (&mac, entry, sizeof entry);
      if (!clinic_db_write_all (fd, entry, sizeof entry, partial, error) ||
          !append_file (fd, partial, path, size, &mac, error))
        goto out;
    }

  crypto_generichash_final (&mac, tag, sizeof tag);
  if (!clinic_db_write_all (fd, tag, sizeof tag, partial, error))
    goto out;

  if (fsync (fd) != 0)
    {
      clinic_db_set_io_error (error, partial, errno);
      goto out;
    }
  close (fd);
  fd = -1;

  /* Read back what is on disk, not what was meant to be. */
  if (!check_backup_file (partial, dk, check, check_files, error))
    {
      g_prefix_error (error, _("The backup was written but failed its check: "));
      goto out;
    }

  if (g_rename (partial, file) != 0)
    {
      clinic_db_set_io_error (error, file, errno);
      goto out;
    }

  ok = clinic_db_sync_folder (dir, error);

out:
  if (fd >= 0)
    close (fd);
  cleanup_database_files (image);
  cleanup_database_files (check);
  clinic_attachments_remove_folder (check_files);
  g_unlink (partial);
  if (slots != NULL)
    sodium_memzero (slots, slots_len);

  return ok;
}

gboolean
clinic_db_read_backup_anchor (const char         *file,
                              ClinicAuditAnchor  *anchor,
                              GError            **error)
{
  g_auto(BackupHeader) header = { { 0 }, };
  int fd = open (file, O_RDONLY | O_CLOEXEC);
  gboolean ok;

  if (fd < 0)
    {
      g_set_error (error, CLINIC_DB_ERROR, CLINIC_DB_ERROR_BAD_BACKUP,
                   _("The backup “%s” could not be opened: %s."), file, g_strerror (errno));
      return FALSE;
    }

  ok = read_backup_header (fd, file, &header, error);
  close (fd);
  if (!ok)
    return FALSE;

  anchor->seq = header.anchor_seq;
  memcpy (anchor->head, header.anchor_head, sizeof anchor->head);
  return TRUE;
}

/* --- Restore ----------------------------------------------------------- */

/* A restore puts the backup's users back in charge, so it is theirs to
 * allow: the password given must belong to a user of the backup whose
 * role may restore (or it is the recovery key, which holds everything).
 * The restore is audited inside the restored copy, before it takes the
 * database's place. */
static gboolean
admit_restore (const char               *staged,
               const ClinicKey          *dk,
               const ClinicCredentials  *credentials,
               const char               *file,
               GError                  **error)
{
  g_autoptr(ClinicDb) db = clinic_db_open_staged (staged, dk, error);
  g_autofree char *user = NULL;
  g_autofree char *base = g_path_get_basename (file);
  ClinicAuditActor actor = { 0, "recovery-key" };
  sqlite3_stmt *stmt;

  if (db == NULL)
    return FALSE;

  if (credentials->recovery_key == NULL)
    {
      user = clinic_user_name_normalize (credentials->user);
      stmt = clinic_db_prepare (db,
                                "SELECT u.id FROM users u JOIN role_permissions p ON p.role_id = u.role_id "
                                "WHERE u.name = ?1 AND u.disabled = 0 AND u.kind = 'staff' "
                                "AND p.permission = 'backups'",
                                error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_text (stmt, 1, user, -1, SQLITE_TRANSIENT);
      if (sqlite3_step (stmt) != SQLITE_ROW)
        {
          sqlite3_reset (stmt);
          g_set_error (error, CLINIC_ERROR, CLINIC_ERROR_PERMISSION_DENIED,
                       _("%s may not restore backups: in this backup their role does not allow it."),
                       user);
          return FALSE;
        }
      actor.user_id = sqlite3_column_int64 (stmt, 0);
      actor.user_name = user;
      sqlite3_reset (stmt);
    }

  return clinic_audit_record (db, NULL, &actor, "database.restored", "backup", base, 0,
                              NULL, NULL, error);
}

gboolean
clinic_db_restore (const char               *path,
                   const char               *file,
                   const ClinicCredentials  *credentials,
                   GError                  **error)
{
  g_autofree char *dir = NULL;
  g_autofree char *staged_db = NULL;
  g_autofree char *staged_keys = NULL;
  g_autofree char *staged_files = NULL;
  g_autofree char *files_dir = NULL;
  g_autofree char *lockout_path = NULL;
  g_autoptr(ClinicKeySlots) slots = NULL;
  g_autoptr(ClinicKey) dk = NULL;
  g_autoptr(GError) local_error = NULL;
  g_auto(BackupHeader) header = { { 0 }, };
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  guint8 id[CLINIC_KEY_ID_SIZE];
  gboolean ok = FALSE;
  int lock_fd;
  int fd = -1;

  g_return_val_if_fail (path != NULL && file != NULL && credentials != NULL, FALSE);

  dir = g_path_get_dirname (path);
  staged_db = g_strconcat (path, ".new", NULL);
  staged_keys = g_strconcat (path, ".keys.new", NULL);
  staged_files = g_strconcat (path, ".files.new", NULL);
  files_dir = clinic_paths_get_files_dir (path);
  lockout_path = clinic_paths_get_lockout_file (path);

  if (g_mkdir_with_parents (dir, 0700) != 0)
    return clinic_db_set_io_error (error, dir, errno);

  /* Nobody else may have the database open while it is replaced. */
  lock_fd = clinic_db_lock_open (path, TRUE, error);
  if (lock_fd < 0)
    return FALSE;

  fd = open (file, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    {
      g_set_error (error, CLINIC_DB_ERROR, CLINIC_DB_ERROR_BAD_BACKUP,
                   _("The backup “%s” could not be opened: %s."), file, g_strerror (errno));
      goto out;
    }

  if (!read_backup_header (fd, file, &header, error))
    goto out;

  g_unlink (staged_keys);
  if (!g_file_set_contents_full (staged_keys, (const char *) header.slots, (gssize) header.slots_len,
                                 G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE,
                                 0600, &local_error))
    {
      g_set_error_literal (error, CLINIC_DB_ERROR, CLINIC_DB_ERROR_FAILED, local_error->message);
      goto out;
    }

  slots = clinic_key_slots_load (staged_keys, &local_error);
  if (slots == NULL)
    {
      g_set_error (error, CLINIC_DB_ERROR, CLINIC_DB_ERROR_BAD_BACKUP,
                   _("The key file inside the backup “%s” is damaged."), file);
      goto out;
    }

  if (credentials->recovery_key != NULL)
    {
      dk = clinic_recovery_key_parse (credentials->recovery_key, &local_error);
      if (dk == NULL)
        {
          g_set_error_literal (error, CLINIC_DB_ERROR, CLINIC_DB_ERROR_RECOVERY_KEY,
                               local_error->message);
          goto out;
        }
      if (!clinic_key_slots_check_key (slots, dk, NULL))
        {
          g_set_error (error, CLINIC_DB_ERROR, CLINIC_DB_ERROR_RECOVERY_KEY,
                       _("This recovery key does not open the backup “%s”: it belongs to another database or to a time before or after a change of keys."),
                       file);
          goto out;
        }
    }
  else
    {
      guint wait = 0;

      if (!clinic_lockout_check (lockout_path, credentials->user, NULL, now, &wait, &local_error))
        {
          g_set_error_literal (error, CLINIC_DB_ERROR, CLINIC_DB_ERROR_LOCKED_OUT,
                               local_error->message);
          goto out;
        }

      dk = clinic_key_slots_unlock (slots, credentials->user, credentials->password, &local_error);
      if (dk == NULL)
        {
          if (g_error_matches (local_error, CLINIC_KEYS_ERROR, CLINIC_KEYS_ERROR_WRONG_CREDENTIALS))
            {
              clinic_lockout_record_failure (lockout_path, credentials->user, NULL, now, NULL);
              g_set_error_literal (error, CLINIC_DB_ERROR, CLINIC_DB_ERROR_WRONG_CREDENTIALS,
                                   _("The user name or password is not right for this backup."));
            }
          else
            g_set_error_literal (error, CLINIC_DB_ERROR, CLINIC_DB_ERROR_BAD_BACKUP,
                                 local_error->message);
          goto out;
        }
      clinic_lockout_record_success (lockout_path, credentials->user, now, NULL);
    }

  clinic_key_get_id (dk, id);
  if (memcmp (id, header.key_id, sizeof id) != 0)
    {
      bad_backup (error, file);
      goto out;
    }

  /* Everything is checked before anything at @path is touched. */
  if (!extract_checked (fd, file, &header, dk, staged_db, staged_files, error) ||
      !check_database_file (staged_db, dk, error) ||
      !clinic_attachments_check_folder (staged_files, dk, error) ||
      !admit_restore (staged_db, dk, credentials, file, error))
    goto out;

  /* The swap moves the current attachments aside only if their folder is
   * there (after a crash it may be moved already), so it must be there
   * now, even empty, for an older .pre-restore.files to be replaced. */
  if (g_mkdir (files_dir, 0700) != 0 && errno != EEXIST)
    {
      clinic_db_set_io_error (error, files_dir, errno);
      goto out;
    }

  ok = clinic_db_swap_in_staged (path, CLINIC_DB_SWAP_RESTORE, error);

out:
  if (fd >= 0)
    close (fd);
  if (!ok)
    {
      cleanup_database_files (staged_db);
      /* Once the swap has its marker, the next open finishes it; only an
       * unstarted swap leaves files to clear. */
      {
        g_autofree char *marker = g_strconcat (path, ".swap", NULL);

        if (!g_file_test (marker, G_FILE_TEST_EXISTS))
          {
            g_unlink (staged_keys);
            clinic_attachments_remove_folder (staged_files);
          }
      }
    }
  close (lock_fd);

  return ok;
}

/* --- Verify ------------------------------------------------------------ */

gboolean
clinic_db_verify (ClinicDb   *self,
                  char      **report,
                  GError    **error)
{
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(GError) local_error = NULL;
  g_autofree char *keys_path = NULL;
  g_autoptr(ClinicKeySlots) slots = NULL;
  g_autofree guint8 *page = g_malloc (CLINIC_VFS_PAGE_SIZE);
  sqlite3 *handle;
  sqlite3_file *file = NULL;
  sqlite3_stmt *stmt = NULL;
  const char *path;
  sqlite3_int64 size = 0;
  gint64 n_pages;
  guint problems = 0;
  int rc;

  g_return_val_if_fail (CLINIC_IS_DB (self), FALSE);

  if (!clinic_db_ensure_open (self, error))
    return FALSE;

  handle = clinic_db_get_handle (self);
  path = clinic_db_get_path (self);

  /* Move what the WAL holds into the file, so every page is checked where
   * it will live; a reader elsewhere may keep part of it back, which is
   * fine: those pages are still read through the cipher below. */
  sqlite3_exec (handle, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL);

  rc = sqlite3_exec (handle, "BEGIN; SELECT count(*) FROM sqlite_schema;", NULL, NULL, NULL);
  if (rc == SQLITE_OK)
    rc = sqlite3_file_control (handle, "main", SQLITE_FCNTL_FILE_POINTER, &file);
  if (rc == SQLITE_OK && (file == NULL || file->pMethods == NULL))
    rc = SQLITE_ERROR;
  if (rc == SQLITE_OK)
    rc = file->pMethods->xFileSize (file, &size);
  if (rc != SQLITE_OK)
    {
      clinic_db_set_sqlite_error (error, handle, rc, path);
      sqlite3_exec (handle, "ROLLBACK", NULL, NULL, NULL);
      return FALSE;
    }

  /* Every page through the cipher: its tag and page-1 format checks. */
  n_pages = size / CLINIC_VFS_PAGE_SIZE;
  for (gint64 i = 0; i < n_pages; i++)
    {
      clinic_vfs_clear_last_failure ();
      rc = file->pMethods->xRead (file, page, CLINIC_VFS_PAGE_SIZE, i * CLINIC_VFS_PAGE_SIZE);
      if (rc != SQLITE_OK)
        {
          if (problems++ == 0)
            {
              if (rc == SQLITE_IOERR_DATA)
                g_set_error (&local_error, CLINIC_DB_ERROR, CLINIC_DB_ERROR_DAMAGED,
                             _("The database “%s” is damaged or has been tampered with: page %u failed its check."),
                             path, (guint) (i + 1));
              else
                clinic_db_set_sqlite_error (&local_error, handle, rc, path);
            }
          g_string_append_printf (text, _("page %u: failed its check\n"), (guint) (i + 1));
        }
    }
  sqlite3_exec (handle, "COMMIT", NULL, NULL, NULL);
  sodium_memzero (page, CLINIC_VFS_PAGE_SIZE);

  g_string_append_printf (text, _("pages checked: %lld (%lld bytes)\n"),
                          (long long) n_pages, (long long) size);

  if (problems == 0)
    {
      guint lines = 0;

      rc = sqlite3_prepare_v2 (handle, "PRAGMA integrity_check", -1, &stmt, NULL);
      while (stmt != NULL && (rc = sqlite3_step (stmt)) == SQLITE_ROW)
        {
          const char *line = (const char *) sqlite3_column_text (stmt, 0);

          if (g_strcmp0 (line, "ok") != 0)
            {
              if (problems++ == 0)
                g_set_error (&local_error, CLINIC_DB_ERROR, CLINIC_DB_ERROR_DAMAGED,
                             _("The database “%s” is damaged: %s."), path, line);
              g_string_append_printf (text, "integrity: %s\n", line);
            }
          lines++;
        }
      sqlite3_finalize (stmt);
      if (rc != SQLITE_DONE && problems == 0)
        {
          clinic_db_set_sqlite_error (&local_error, handle, rc, path);
          problems++;
        }
      else if (problems == 0)
        g_string_append (text, _("integrity check: ok\n"));

      stmt = NULL;
      rc = sqlite3_prepare_v2 (handle, "PRAGMA foreign_key_check", -1, &stmt, NULL);
      while (stmt != NULL && (rc = sqlite3_step (stmt)) == SQLITE_ROW)
        {
          if (problems++ == 0)
            g_set_error (&local_error, CLINIC_DB_ERROR, CLINIC_DB_ERROR_DAMAGED,
                         _("The database “%s” has a row in “%s” that points to nothing."),
                         path, (const char *) sqlite3_column_text (stmt, 0));
          g_string_append_printf (text, "foreign key: %s row %lld\n",
                                  (const char *) sqlite3_column_text (stmt, 0),
                                  (long long) sqlite3_column_int64 (stmt, 1));
        }
      sqlite3_finalize (stmt);
      if (problems == 0)
        g_string_append (text, _("references between tables: ok\n"));
    }

  /* Every attachment opened whole; files without a row are listed. */
  {
    g_autofree char *files_dir = clinic_paths_get_files_dir (path);
    g_autoptr(GError) files_error = NULL;

    if (!clinic_attachments_verify (handle, files_dir, clinic_db_get_key (self), text,
                                    &files_error) &&
        problems++ == 0)
      g_propagate_error (&local_error, g_steal_pointer (&files_error));
  }

  keys_path = clinic_paths_get_keys_file (path);
  slots = clinic_key_slots_load (keys_path, NULL);
  if (slots == NULL)
    g_string_append_printf (text, _("key file: missing (only the recovery key opens the database)\n"));
  else if (!clinic_key_slots_check_key (slots, clinic_db_get_key (self), NULL))
    {
      if (problems++ == 0)
        g_set_error (&local_error, CLINIC_DB_ERROR, CLINIC_DB_ERROR_DAMAGED,
                     _("The key file “%s” belongs to another database."), keys_path);
      g_string_append (text, _("key file: belongs to another database\n"));
    }
  else
    g_string_append_printf (text, _("key file: %u staff passwords open the database\n"),
                            clinic_key_slots_get_n_users (slots));

  if (report != NULL)
    *report = g_strdup (text->str);

  if (problems > 0)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  return TRUE;
}

/* --- Rekey ------------------------------------------------------------- */

gboolean
clinic_db_rekey (ClinicDb  *self,
                 char     **recovery_key,
                 GError   **error)
{
  g_autofree char *staged_db = NULL;
  g_autofree char *staged_keys = NULL;
  g_autofree char *staged_files = NULL;
  g_autofree char *files_dir = NULL;
  g_autofree char *keys_path = NULL;
  g_autoptr(ClinicKey) new_dk = NULL;
  g_autoptr(ClinicKey) old_dk = NULL;
  g_autoptr(ClinicKeySlots) slots = NULL;
  g_autoptr(GError) local_error = NULL;
  const char *path;
  int lock_fd;
  gboolean closed = FALSE;
  gboolean ok = FALSE;

  g_return_val_if_fail (CLINIC_IS_DB (self), FALSE);
  g_return_val_if_fail (recovery_key != NULL, FALSE);

  if (!clinic_db_ensure_open (self, error))
    return FALSE;

  path = clinic_db_get_path (self);
  lock_fd = clinic_db_get_lock_fd (self);
  staged_db = g_strconcat (path, ".new", NULL);
  staged_keys = g_strconcat (path, ".keys.new", NULL);
  staged_files = g_strconcat (path, ".files.new", NULL);
  files_dir = clinic_paths_get_files_dir (path);
  keys_path = clinic_paths_get_keys_file (path);

  if (!clinic_db_lock_change (lock_fd, TRUE, error))
    return FALSE;

  old_dk = clinic_key_copy (clinic_db_get_key (self));
  new_dk = clinic_key_new_random ();

  slots = clinic_key_slots_load (keys_path, &local_error);
  if (slots == NULL && g_error_matches (local_error, CLINIC_KEYS_ERROR, CLINIC_KEYS_ERROR_SLOTS_MISSING))
    {
      g_clear_error (&local_error);
      slots = clinic_key_slots_new (old_dk);
    }
  if (slots == NULL ||
      !clinic_key_slots_reseal (slots, old_dk, new_dk, &local_error))
    {
      g_set_error_literal (error, CLINIC_DB_ERROR, CLINIC_DB_ERROR_DAMAGED, local_error->message);
      goto out;
    }

  /* Every page and every attachment re-encrypted into staged copies,
   * then checked under the new key, before the marker makes the change
   * final. */
  if (!copy_database (self, staged_db, new_dk, NULL, error) ||
      !check_database_file (staged_db, new_dk, error) ||
      !clinic_attachments_stage_rekey (clinic_db_get_handle (self), files_dir, staged_files,
                                       old_dk, new_dk, error))
    goto out;

  g_unlink (staged_keys);
  if (!clinic_key_slots_save (slots, staged_keys, &local_error))
    {
      g_set_error_literal (error, CLINIC_DB_ERROR, CLINIC_DB_ERROR_FAILED, local_error->message);
      goto out;
    }

  clinic_db_close_connection (self);
  closed = TRUE;

  if (!clinic_db_swap_in_staged (path, CLINIC_DB_SWAP_REKEY, error))
    goto out;

  ok = TRUE;

out:
  if (!ok)
    {
      g_autofree char *marker = g_strconcat (path, ".swap", NULL);

      if (!g_file_test (marker, G_FILE_TEST_EXISTS))
        {
          cleanup_database_files (staged_db);
          g_unlink (staged_keys);
          clinic_attachments_remove_folder (staged_files);
        }
      else
        {
          /* Past the marker the new copy is complete and checked, and the
           * next open finishes the swap: going on with the old file would
           * lose whatever is written now. So finish it here, or stop. */
          g_autoptr(GError) retry_error = NULL;

          if (clinic_db_swap_in_staged (path, CLINIC_DB_SWAP_REKEY, &retry_error))
            {
              g_clear_error (error);
              ok = TRUE;
            }
          else
            {
              g_clear_error (error);
              g_set_error (error, CLINIC_DB_ERROR, CLINIC_DB_ERROR_CLOSED,
                           _("The change of keys could not be finished (%s). Close Clinic and start it again: it will finish the change."),
                           retry_error->message);
              clinic_db_lock_change (lock_fd, FALSE, NULL);
              return FALSE;
            }
        }
    }

  if (closed && !clinic_db_reopen_with_key (self, ok ? new_dk : old_dk, ok ? error : NULL))
    ok = FALSE;

  clinic_db_lock_change (lock_fd, FALSE, NULL);

  if (ok)
    {
      g_autofree char *outdated = g_strconcat (path, ".recovery-key-outdated", NULL);

      g_unlink (outdated);
      *recovery_key = clinic_recovery_key_format (new_dk);
    }

  return ok;
}
