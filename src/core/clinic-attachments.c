/* clinic-attachments.c — encrypted files beside the database
 *
 * A file of the attachments folder:
 *
 *   offset  size  field
 *        0     8  magic "CLNCATT\1"
 *        8    24  secretstream header (crypto_secretstream_xchacha20poly1305)
 *       32   ...  chunks: CHUNK bytes of content each, encrypted (+17 bytes);
 *                 the last one (shorter, or empty for an empty file) carries
 *                 the FINAL tag, and nothing may follow it
 *
 * The key is the attachments sub-key of the database key; every chunk has
 * the magic and the file's id as associated data. So the header is
 * authenticated with the first chunk, the order of the chunks by the
 * stream itself, the end by the FINAL tag, and the file's place by its
 * id: a file renamed to another id, or one from another database, does
 * not open.
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <sodium.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clinic-attachments.h"
#include "clinic-db-private.h"
#include "clinic-error.h"
#include "clinic-paths.h"

#define MAGIC        "CLNCATT\1"
#define MAGIC_LEN    8
#define HEADER_LEN   crypto_secretstream_xchacha20poly1305_HEADERBYTES
#define CHUNK        (64 * 1024)
#define ABYTES       crypto_secretstream_xchacha20poly1305_ABYTES
#define AD_LEN       (MAGIC_LEN + CLINIC_ATTACHMENT_ID_LENGTH)

G_STATIC_ASSERT (crypto_secretstream_xchacha20poly1305_KEYBYTES == CLINIC_KEY_SIZE);

gboolean
clinic_attachment_id_is_valid (const char *name)
{
  if (name == NULL || strlen (name) != CLINIC_ATTACHMENT_ID_LENGTH)
    return FALSE;

  for (const char *p = name; *p != '\0'; p++)
    if (!g_ascii_isdigit (*p) && !(*p >= 'a' && *p <= 'f'))
      return FALSE;

  return TRUE;
}

static ClinicKey *
attachments_key (const ClinicKey *dk)
{
  return clinic_key_derive (dk, 1, CLINIC_KEY_CONTEXT_ATTACHMENTS);
}

static void
make_ad (guint8      ad[AD_LEN],
         const char *id)
{
  memcpy (ad, MAGIC, MAGIC_LEN);
  memcpy (ad + MAGIC_LEN, id, CLINIC_ATTACHMENT_ID_LENGTH);
}

static gboolean
set_damaged (GError     **error,
             const char  *id)
{
  g_set_error (error, CLINIC_DB_ERROR, CLINIC_DB_ERROR_DAMAGED,
               _("The attachment %s is damaged, cut off, or not from this database."), id);
  return FALSE;
}

/* Up to @len bytes, fewer only at the end of the file; -1 on error. */
static gssize
read_up_to (int     fd,
            guint8 *data,
            gsize   len)
{
  gsize done = 0;

  while (done < len)
    {
      ssize_t n = read (fd, data + done, len - done);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return -1;
      if (n == 0)
        break;
      done += (gsize) n;
    }

  return (gssize) done;
}

/* --- Writing ----------------------------------------------------------- */

/* Content goes in by pieces; a chunk is sealed only when more follows, so
 * the last one can carry the FINAL tag whatever the length. */
typedef struct
{
  int    fd;
  char  *path;
  crypto_secretstream_xchacha20poly1305_state state;
  guint8 ad[AD_LEN];
  guint8 *plain;
  gsize   fill;
  guint8 *sealed;
} Writer;

static gboolean
writer_open (Writer           *w,
             const char       *dir,
             const char       *id,
             const ClinicKey  *dk,
             GError          **error)
{
  g_autoptr(ClinicKey) key = attachments_key (dk);
  guint8 header[MAGIC_LEN + HEADER_LEN];

  memset (w, 0, sizeof *w);
  w->path = g_build_filename (dir, id, NULL);
  w->fd = open (w->path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (w->fd < 0)
    {
      clinic_db_set_io_error (error, w->path, errno);
      g_clear_pointer (&w->path, g_free);
      return FALSE;
    }

  make_ad (w->ad, id);
  w->plain = sodium_malloc (CHUNK);
  w->sealed = g_malloc (CHUNK + ABYTES);
  memcpy (header, MAGIC, MAGIC_LEN);
  crypto_secretstream_xchacha20poly1305_init_push (&w->state, header + MAGIC_LEN,
                                                   clinic_key_get_data (key));

  return clinic_db_write_all (w->fd, header, sizeof header, w->path, error);
}

static gboolean
writer_seal (Writer   *w,
             guint8    tag,
             GError  **error)
{
  unsigned long long len = 0;

  crypto_secretstream_xchacha20poly1305_push (&w->state, w->sealed, &len, w->plain, w->fill,
                                              w->ad, AD_LEN, tag);
  w->fill = 0;

  return clinic_db_write_all (w->fd, w->sealed, (gsize) len, w->path, error);
}

static gboolean
writer_push (Writer        *w,
             const guint8  *data,
             gsize          len,
             GError       **error)
{
  while (len > 0)
    {
      gsize take;

      if (w->fill == CHUNK &&
          !writer_seal (w, crypto_secretstream_xchacha20poly1305_TAG_MESSAGE, error))
        return FALSE;

      take = MIN (len, CHUNK - w->fill);
      memcpy (w->plain + w->fill, data, take);
      w->fill += take;
      data += take;
      len -= take;
    }

  return TRUE;
}

static void
writer_clear (Writer *w)
{
  if (w->fd >= 0)
    close (w->fd);
  w->fd = -1;
  g_clear_pointer (&w->plain, sodium_free);
  g_clear_pointer (&w->sealed, g_free);
  g_clear_pointer (&w->path, g_free);
  sodium_memzero (&w->state, sizeof w->state);
}

/* Seals the last chunk and syncs the file; on failure the file goes. */
static gboolean
writer_finish (Writer   *w,
               GError  **error)
{
  gboolean ok = writer_seal (w, crypto_secretstream_xchacha20poly1305_TAG_FINAL, error);

  if (ok && fsync (w->fd) != 0)
    ok = clinic_db_set_io_error (error, w->path, errno);
  if (!ok)
    g_unlink (w->path);
  writer_clear (w);

  return ok;
}

static void
writer_abort (Writer *w)
{
  if (w->path != NULL)
    g_unlink (w->path);
  writer_clear (w);
}

/* --- Reading ----------------------------------------------------------- */

typedef gboolean (*ChunkFunc) (const guint8  *data,
                               gsize          len,
                               gpointer       user_data,
                               GError       **error);

/* Opens @id in @dir under @dk and hands every chunk, checked, to @func.
 * A chunk reaches @func only after its tag has been checked; that the
 * file is whole is known only when this returns TRUE. */
static gboolean
decrypt_file (const char       *dir,
              const char       *id,
              const ClinicKey  *dk,
              ChunkFunc         func,
              gpointer          user_data,
              GError          **error)
{
  g_autoptr(ClinicKey) key = NULL;
  g_autofree char *path = NULL;
  g_autofree guint8 *sealed = NULL;
  crypto_secretstream_xchacha20poly1305_state state;
  guint8 header[MAGIC_LEN + HEADER_LEN];
  guint8 ad[AD_LEN];
  guint8 *plain = NULL;
  gboolean ok = FALSE;
  int fd;

  if (!clinic_attachment_id_is_valid (id))
    return set_damaged (error, id != NULL ? id : "?");

  path = g_build_filename (dir, id, NULL);
  fd = open (path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0)
    {
      if (errno == ENOENT)
        g_set_error (error, CLINIC_DB_ERROR, CLINIC_DB_ERROR_DAMAGED,
                     _("The file of the attachment %s is missing from “%s”."), id, dir);
      else
        g_set_error (error, CLINIC_DB_ERROR, CLINIC_DB_ERROR_FAILED,
                     _("The attachment file “%s” could not be read: %s."), path,
                     g_strerror (errno));
      return FALSE;
    }

  key = attachments_key (dk);
  make_ad (ad, id);
  if (read_up_to (fd, header, sizeof header) != (gssize) sizeof header ||
      memcmp (header, MAGIC, MAGIC_LEN) != 0 ||
      crypto_secretstream_xchacha20poly1305_init_pull (&state, header + MAGIC_LEN,
                                                       clinic_key_get_data (key)) != 0)
    {
      set_damaged (error, id);
      goto out;
    }

  sealed = g_malloc (CHUNK + ABYTES);
  plain = sodium_malloc (CHUNK);
  for (;;)
    {
      gssize n = read_up_to (fd, sealed, CHUNK + ABYTES);
      unsigned long long len = 0;
      guint8 tag = 0;

      if (n < 0)
        {
          g_set_error (error, CLINIC_DB_ERROR, CLINIC_DB_ERROR_FAILED,
                       _("The attachment file “%s” could not be read: %s."), path,
                       g_strerror (errno));
          goto out;
        }
      /* An end without the FINAL tag is a file cut short. */
      if ((gsize) n < ABYTES ||
          crypto_secretstream_xchacha20poly1305_pull (&state, plain, &len, &tag, sealed, (gsize) n,
                                                      ad, AD_LEN) != 0)
        {
          set_damaged (error, id);
          goto out;
        }

      if (tag == crypto_secretstream_xchacha20poly1305_TAG_FINAL)
        {
          guint8 more;

          /* Nothing may follow the end. */
          if (read_up_to (fd, &more, 1) != 0)
            {
              set_damaged (error, id);
              goto out;
            }
          ok = func (plain, (gsize) len, user_data, error);
          goto out;
        }

      if (tag != crypto_secretstream_xchacha20poly1305_TAG_MESSAGE ||
          (gsize) n != CHUNK + ABYTES)
        {
          set_damaged (error, id);
          goto out;
        }
      if (!func (plain, (gsize) len, user_data, error))
        goto out;
    }

out:
  close (fd);
  g_clear_pointer (&plain, sodium_free);
  sodium_memzero (&state, sizeof state);
  return ok;
}

static gboolean
append_chunk (const guint8  *data,
              gsize          len,
              gpointer       user_data,
              GError       **error)
{
  g_byte_array_append (user_data, data, (guint) len);
  return TRUE;
}

static gboolean
count_chunk (const guint8  *data,
             gsize          len,
             gpointer       user_data,
             GError       **error)
{
  *(guint64 *) user_data += len;
  return TRUE;
}

static gboolean
push_chunk (const guint8  *data,
            gsize          len,
            gpointer       user_data,
            GError       **error)
{
  return writer_push (user_data, data, len, error);
}

/* --- In the database's transactions ------------------------------------ */

/* The attachments folder of @db, made (and its making synced) if need
 * be. (transfer full) */
static char *
ensure_folder (ClinicDb  *db,
               GError   **error)
{
  g_autofree char *dir = clinic_paths_get_files_dir (clinic_db_get_path (db));
  g_autofree char *parent = NULL;

  if (g_file_test (dir, G_FILE_TEST_IS_DIR))
    return g_steal_pointer (&dir);

  if (g_mkdir (dir, 0700) != 0 && errno != EEXIST)
    {
      clinic_db_set_io_error (error, dir, errno);
      return NULL;
    }
  parent = g_path_get_dirname (dir);
  if (!clinic_db_sync_folder (parent, error))
    return NULL;

  return g_steal_pointer (&dir);
}

static char *
new_id (void)
{
  guint8 raw[CLINIC_ATTACHMENT_ID_LENGTH / 2];
  char hex[CLINIC_ATTACHMENT_ID_LENGTH + 1];

  randombytes_buf (raw, sizeof raw);
  sodium_bin2hex (hex, sizeof hex, raw, sizeof raw);

  return g_strdup (hex);
}

static gboolean
write_file (const char       *dir,
            const char       *id,
            const ClinicKey  *dk,
            GBytes           *content,
            GError          **error)
{
  Writer w;
  gsize len = 0;
  const guint8 *data = g_bytes_get_data (content, &len);

  if (!writer_open (&w, dir, id, dk, error) ||
      !writer_push (&w, data, len, error))
    {
      writer_abort (&w);
      return FALSE;
    }

  return writer_finish (&w, error);
}

char *
clinic_attachments_store (ClinicDb    *db,
                          GBytes      *content,
                          const char  *media_type,
                          gint64       user_id,
                          GError     **error)
{
  g_autofree char *dir = NULL;
  g_autofree char *id = NULL;
  sqlite3_stmt *stmt;

  g_return_val_if_fail (CLINIC_IS_DB (db), NULL);
  g_return_val_if_fail (content != NULL && media_type != NULL, NULL);

  dir = ensure_folder (db, error);
  if (dir == NULL)
    return NULL;

  id = new_id ();
  if (!write_file (dir, id, clinic_db_get_key (db), content, error))
    return NULL;

  if (!clinic_db_sync_folder (dir, error))
    goto fail;

  stmt = clinic_db_prepare (db,
                            "INSERT INTO attachments (id, size, media_type, created_at, created_by) "
                            "VALUES (?1, ?2, ?3, ?4, ?5)",
                            error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_text (stmt, 1, id, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, (sqlite3_int64) g_bytes_get_size (content));
  sqlite3_bind_text (stmt, 3, media_type, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 4, g_get_real_time () / G_USEC_PER_SEC);
  if (user_id > 0)
    sqlite3_bind_int64 (stmt, 5, user_id);
  if (!clinic_db_step_done (db, stmt, error))
    goto fail;

  return g_steal_pointer (&id);

fail:
  clinic_attachments_discard (db, id);
  return NULL;
}

void
clinic_attachments_remove_file (ClinicDb   *db,
                                const char *id)
{
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;

  g_return_if_fail (CLINIC_IS_DB (db));

  if (!clinic_attachment_id_is_valid (id))
    return;

  dir = clinic_paths_get_files_dir (clinic_db_get_path (db));
  path = g_build_filename (dir, id, NULL);
  /* A file that stays is an orphan: harmless, and verify reports it. */
  if (g_unlink (path) != 0 && errno != ENOENT)
    g_warning ("An attachment file could not be removed: %s", g_strerror (errno));
  else
    clinic_db_sync_folder (dir, NULL);
}

void
clinic_attachments_discard (ClinicDb   *db,
                            const char *id)
{
  clinic_attachments_remove_file (db, id);
}

gboolean
clinic_attachments_delete_row (ClinicDb    *db,
                               const char  *id,
                               GError     **error)
{
  sqlite3_stmt *stmt = clinic_db_prepare (db, "DELETE FROM attachments WHERE id = ?1", error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, id, -1, SQLITE_TRANSIENT);

  return clinic_db_step_done (db, stmt, error);
}

GBytes *
clinic_attachments_read (ClinicDb    *db,
                         const char  *id,
                         GError     **error)
{
  g_autofree char *dir = NULL;
  g_autoptr(GByteArray) content = g_byte_array_new ();

  g_return_val_if_fail (CLINIC_IS_DB (db), NULL);

  dir = clinic_paths_get_files_dir (clinic_db_get_path (db));
  if (!decrypt_file (dir, id, clinic_db_get_key (db), append_chunk, content, error))
    {
      sodium_memzero (content->data, content->len);
      return NULL;
    }

  return g_byte_array_free_to_bytes (g_steal_pointer (&content));
}

/* --- On folders -------------------------------------------------------- */

GPtrArray *
clinic_attachments_list_rows (sqlite3  *handle,
                              GError  **error)
{
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  sqlite3_stmt *stmt = NULL;
  int rc;

  rc = sqlite3_prepare_v2 (handle, "SELECT id FROM attachments ORDER BY id", -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
      g_ptr_array_add (ids, g_strdup ((const char *) sqlite3_column_text (stmt, 0)));
  sqlite3_finalize (stmt);

  if (rc != SQLITE_DONE)
    {
      clinic_db_set_sqlite_error (error, handle, rc, sqlite3_db_filename (handle, "main"));
      return NULL;
    }

  return g_steal_pointer (&ids);
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

GPtrArray *
clinic_attachments_list_folder (const char *dir)
{
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    if (clinic_attachment_id_is_valid (name))
      g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_names);

  return names;
}

gboolean
clinic_attachments_check_file (const char       *dir,
                               const char       *id,
                               const ClinicKey  *dk,
                               guint64          *size,
                               GError          **error)
{
  guint64 total = 0;

  if (!decrypt_file (dir, id, dk, count_chunk, &total, error))
    return FALSE;
  if (size != NULL)
    *size = total;

  return TRUE;
}

gboolean
clinic_attachments_check_folder (const char       *dir,
                                 const ClinicKey  *dk,
                                 GError          **error)
{
  g_autoptr(GPtrArray) names = clinic_attachments_list_folder (dir);

  for (guint i = 0; i < names->len; i++)
    if (!clinic_attachments_check_file (dir, g_ptr_array_index (names, i), dk, NULL, error))
      return FALSE;

  return TRUE;
}

void
clinic_attachments_remove_folder (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  if (d == NULL)
    return;
  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *child = g_build_filename (dir, name, NULL);

      g_unlink (child);
    }
  g_rmdir (dir);
}

/* Copies @id from @dir to @staged_dir byte for byte, synced. */
static gboolean
copy_raw (const char  *dir,
          const char  *staged_dir,
          const char  *id,
          GError     **error)
{
  g_autofree char *from = g_build_filename (dir, id, NULL);
  g_autofree char *to = g_build_filename (staged_dir, id, NULL);
  g_autofree char *contents = NULL;
  gsize len = 0;
  gboolean ok;
  int fd;

  if (!g_file_get_contents (from, &contents, &len, NULL))
    return TRUE;  /* gone meanwhile: an orphan less */

  fd = open (to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0)
    return clinic_db_set_io_error (error, to, errno);
  ok = clinic_db_write_all (fd, (const guint8 *) contents, len, to, error);
  if (ok && fsync (fd) != 0)
    ok = clinic_db_set_io_error (error, to, errno);
  close (fd);

  return ok;
}

gboolean
clinic_attachments_stage_rekey (sqlite3          *handle,
                                const char       *dir,
                                const char       *staged_dir,
                                const ClinicKey  *old_dk,
                                const ClinicKey  *new_dk,
                                GError          **error)
{
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GPtrArray) names = NULL;
  g_autoptr(GHashTable) has_row = g_hash_table_new (g_str_hash, g_str_equal);
  g_autofree char *parent = g_path_get_dirname (staged_dir);

  rows = clinic_attachments_list_rows (handle, error);
  if (rows == NULL)
    return FALSE;
  for (guint i = 0; i < rows->len; i++)
    g_hash_table_add (has_row, g_ptr_array_index (rows, i));

  clinic_attachments_remove_folder (staged_dir);
  if (g_mkdir (staged_dir, 0700) != 0)
    return clinic_db_set_io_error (error, staged_dir, errno);

  names = clinic_attachments_list_folder (dir);
  for (guint i = 0; i < names->len; i++)
    {
      const char *id = g_ptr_array_index (names, i);
      g_autoptr(GError) local_error = NULL;
      Writer w;

      if (!writer_open (&w, staged_dir, id, new_dk, error))
        {
          writer_abort (&w);
          return FALSE;
        }
      /* Read back under the new key before the marker trusts it. */
      if (decrypt_file (dir, id, old_dk, push_chunk, &w, &local_error))
        {
          if (!writer_finish (&w, error) ||
              !clinic_attachments_check_file (staged_dir, id, new_dk, NULL, error))
            return FALSE;
          continue;
        }
      writer_abort (&w);

      if (g_hash_table_contains (has_row, id))
        {
          g_propagate_prefixed_error (error, g_steal_pointer (&local_error),
                                      _("The keys cannot be changed while an attachment is damaged (see “clinicctl verify”): "));
          return FALSE;
        }
      if (!copy_raw (dir, staged_dir, id, error))
        return FALSE;
    }

  return clinic_db_sync_folder (staged_dir, error) && clinic_db_sync_folder (parent, error);
}

gboolean
clinic_attachments_verify (sqlite3          *handle,
                           const char       *dir,
                           const ClinicKey  *dk,
                           GString          *report,
                           GError          **error)
{
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GPtrArray) names = NULL;
  g_autoptr(GHashTable) has_row = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GError) first_error = NULL;
  guint64 bytes = 0;
  guint checked = 0;
  guint orphans = 0;

  rows = clinic_attachments_list_rows (handle, error);
  if (rows == NULL)
    return FALSE;

  for (guint i = 0; i < rows->len; i++)
    {
      const char *id = g_ptr_array_index (rows, i);
      g_autoptr(GError) local_error = NULL;
      guint64 size = 0;

      g_hash_table_add (has_row, (gpointer) id);
      if (clinic_attachments_check_file (dir, id, dk, &size, &local_error))
        {
          checked++;
          bytes += size;
          continue;
        }
      g_string_append_printf (report, _("attachment %s: %s\n"), id, local_error->message);
      if (first_error == NULL)
        first_error = g_steal_pointer (&local_error);
    }

  g_string_append_printf (report, _("attachments checked: %u of %u (%llu bytes)\n"),
                          checked, rows->len, (unsigned long long) bytes);

  names = clinic_attachments_list_folder (dir);
  for (guint i = 0; i < names->len; i++)
    if (!g_hash_table_contains (has_row, g_ptr_array_index (names, i)))
      {
        g_string_append_printf (report, _("attachment file without a row (kept): %s\n"),
                                (const char *) g_ptr_array_index (names, i));
        orphans++;
      }
  if (orphans > 0)
    g_string_append_printf (report, _("attachment files without a row: %u (an addition cut short leaves one; nothing reads them)\n"),
                            orphans);

  if (first_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&first_error));
      return FALSE;
    }

  return TRUE;
}
