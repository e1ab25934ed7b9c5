/* clinic-fault-vfs.c - test VFS for I/O faults and power loss
 *
 * The power-loss model follows SQLite's own crash tests (test6.c): data
 * written since a file's last xSync may or may not have reached the disk,
 * sector by sector, and a sector being written may be torn.  Instead of
 * holding unsynced data in memory we write through and keep, per file, an
 * undo log of the bytes each write replaced: the running process sees its
 * own writes (as through the OS cache), and power_loss() rebuilds the
 * synced image from the log and mixes the two per sector.
 */

#include "clinic-fault-vfs.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SECTOR 512

typedef struct
{
  gint64  offset;
  gint64  old_size;   /* file size before this write or truncate */
  gsize   len;        /* bytes of ORIG: the part of the range that existed */
  guint8 *orig;
} UndoEntry;

typedef struct
{
  char   *path;
  GArray *undo;       /* UndoEntry, oldest first */
} FaultNode;

typedef struct
{
  sqlite3_vfs  base;
  sqlite3_vfs *real;
  char         name[64];
} FaultVfs;

typedef struct
{
  sqlite3_file  base;
  sqlite3_file *real;
  FaultVfs     *vfs;
  char         *path;     /* NULL for nameless temp files: not tracked */
} FaultFile;

static GMutex lock;
static struct
{
  gint64        points;        /* points of the armed kinds */
  gint64        all_points;    /* every point, for crash_at */
  gint64        fail_at;
  ClinicFaultOp fail_ops;
  int           fail_errcode;
  gboolean      persistent;
  gboolean      hit;
  gint64        crash_at;
  gint64        syncs;
  gint64        crash_at_sync;
  gboolean      dead;
  gboolean      tracking;
  GHashTable   *nodes;         /* path -> FaultNode */
} state;

static const sqlite3_io_methods fault_io_methods;

#define ROUND8(x) (((x) + 7) & ~(gsize) 7)

static void
undo_entry_clear (gpointer data)
{
  UndoEntry *e = data;

  g_free (e->orig);
}

static void
fault_node_free (gpointer data)
{
  FaultNode *node = data;

  g_array_unref (node->undo);
  g_free (node->path);
  g_free (node);
}

static GHashTable *
nodes (void)
{
  if (state.nodes == NULL)
    state.nodes = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, fault_node_free);
  return state.nodes;
}

static int
ioerr_for (ClinicFaultOp op)
{
  switch (op)
    {
    case CLINIC_FAULT_READ:
      return SQLITE_IOERR_READ;
    case CLINIC_FAULT_WRITE:
      return SQLITE_IOERR_WRITE;
    case CLINIC_FAULT_SYNC:
      return SQLITE_IOERR_FSYNC;
    case CLINIC_FAULT_TRUNCATE:
      return SQLITE_IOERR_TRUNCATE;
    case CLINIC_FAULT_ANY:
    default:
      return SQLITE_IOERR;
    }
}

/* Counts one I/O point of kind OP; returns the error to fail it with, or
 * SQLITE_OK to let it through. */
static int
io_point (ClinicFaultOp op)
{
  int rc = SQLITE_OK;

  g_mutex_lock (&lock);
  if (state.dead)
    {
      rc = ioerr_for (op);
      goto out;
    }
  state.all_points++;
  if (op == CLINIC_FAULT_SYNC)
    state.syncs++;
  if ((state.crash_at > 0 && state.all_points >= state.crash_at)
      || (op == CLINIC_FAULT_SYNC && state.crash_at_sync > 0
          && state.syncs >= state.crash_at_sync))
    {
      state.dead = TRUE;
      rc = ioerr_for (op);
      goto out;
    }
  if ((state.fail_ops & op) == 0)
    goto out;
  state.points++;
  if (state.fail_at > 0
      && (state.points == state.fail_at || (state.persistent && state.points > state.fail_at)))
    {
      state.hit = TRUE;
      if (state.fail_errcode == SQLITE_FULL && op == CLINIC_FAULT_WRITE)
        rc = SQLITE_FULL;
      else if (state.fail_errcode == SQLITE_FULL && op == CLINIC_FAULT_TRUNCATE)
        rc = SQLITE_FULL;
      else
        rc = ioerr_for (op);
    }
out:
  g_mutex_unlock (&lock);
  return rc;
}

/* Before a write or truncate of [OFFSET, OFFSET+LEN): save what is there. */
static int
remember_original (FaultFile *f,
                   gint64     offset,
                   gint64     len)
{
  sqlite3_int64 size = 0;
  UndoEntry e = { 0 };
  FaultNode *node;
  int rc;

  if (f->path == NULL)
    return SQLITE_OK;
  g_mutex_lock (&lock);
  if (!state.tracking)
    {
      g_mutex_unlock (&lock);
      return SQLITE_OK;
    }
  g_mutex_unlock (&lock);

  rc = f->real->pMethods->xFileSize (f->real, &size);
  if (rc != SQLITE_OK)
    return rc;
  e.offset = offset;
  e.old_size = size;
  if (offset < size)
    {
      e.len = (gsize) MIN (len, size - offset);
      e.orig = g_malloc (e.len);
      rc = f->real->pMethods->xRead (f->real, e.orig, (int) e.len, offset);
      if (rc != SQLITE_OK)
        {
          g_free (e.orig);
          return rc;
        }
    }

  g_mutex_lock (&lock);
  node = g_hash_table_lookup (nodes (), f->path);
  if (node == NULL)
    {
      node = g_new0 (FaultNode, 1);
      node->path = g_strdup (f->path);
      node->undo = g_array_new (FALSE, FALSE, sizeof (UndoEntry));
      g_array_set_clear_func (node->undo, undo_entry_clear);
      g_hash_table_insert (nodes (), node->path, node);
    }
  g_array_append_val (node->undo, e);
  g_mutex_unlock (&lock);
  return SQLITE_OK;
}

static void
forget_unsynced (const char *path)
{
  if (path == NULL)
    return;
  g_mutex_lock (&lock);
  if (state.nodes != NULL)
    g_hash_table_remove (state.nodes, path);
  g_mutex_unlock (&lock);
}

static int
fault_close (sqlite3_file *file)
{
  FaultFile *f = (FaultFile *) file;
  int rc = f->real->pMethods->xClose (f->real);

  g_free (f->path);
  f->path = NULL;
  return rc;
}

static int
fault_read (sqlite3_file  *file,
            void          *buf,
            int            amt,
            sqlite3_int64  off)
{
  FaultFile *f = (FaultFile *) file;
  int rc = io_point (CLINIC_FAULT_READ);

  if (rc != SQLITE_OK)
    {
      /* A failed read must not look like data: leave a recognisable
       * pattern, so a caller that swallows the error uses visible junk. */
      memset (buf, 0xa5, amt);
      return rc;
    }
  return f->real->pMethods->xRead (f->real, buf, amt, off);
}

static int
fault_write (sqlite3_file  *file,
             const void    *buf,
             int            amt,
             sqlite3_int64  off)
{
  FaultFile *f = (FaultFile *) file;
  int rc = io_point (CLINIC_FAULT_WRITE);

  if (rc != SQLITE_OK)
    return rc;
  rc = remember_original (f, off, amt);
  if (rc != SQLITE_OK)
    return rc;
  return f->real->pMethods->xWrite (f->real, buf, amt, off);
}

static int
fault_truncate (sqlite3_file  *file,
                sqlite3_int64  size)
{
  FaultFile *f = (FaultFile *) file;
  sqlite3_int64 cur = 0;
  int rc = io_point (CLINIC_FAULT_TRUNCATE);

  if (rc != SQLITE_OK)
    return rc;
  rc = f->real->pMethods->xFileSize (f->real, &cur);
  if (rc == SQLITE_OK && cur > size)
    rc = remember_original (f, size, cur - size);
  if (rc != SQLITE_OK)
    return rc;
  return f->real->pMethods->xTruncate (f->real, size);
}

static int
fault_sync (sqlite3_file *file,
            int           flags)
{
  FaultFile *f = (FaultFile *) file;
  int rc = io_point (CLINIC_FAULT_SYNC);

  if (rc != SQLITE_OK)
    return rc;
  rc = f->real->pMethods->xSync (f->real, flags);
  if (rc == SQLITE_OK)
    forget_unsynced (f->path);   /* durable from here on */
  return rc;
}

static int
fault_file_size (sqlite3_file  *file,
                 sqlite3_int64 *size)
{
  FaultFile *f = (FaultFile *) file;

  return f->real->pMethods->xFileSize (f->real, size);
}

static int
fault_lock (sqlite3_file *file,
            int           level)
{
  FaultFile *f = (FaultFile *) file;

  return f->real->pMethods->xLock (f->real, level);
}

static int
fault_unlock (sqlite3_file *file,
              int           level)
{
  FaultFile *f = (FaultFile *) file;

  return f->real->pMethods->xUnlock (f->real, level);
}

static int
fault_check_reserved_lock (sqlite3_file *file,
                           int          *out)
{
  FaultFile *f = (FaultFile *) file;

  return f->real->pMethods->xCheckReservedLock (f->real, out);
}

static int
fault_file_control (sqlite3_file *file,
                    int           op,
                    void         *arg)
{
  FaultFile *f = (FaultFile *) file;
  int rc = f->real->pMethods->xFileControl (f->real, op, arg);

  if (op == SQLITE_FCNTL_VFSNAME && rc == SQLITE_OK)
    *(char **) arg = sqlite3_mprintf ("%s/%z", f->vfs->name, *(char **) arg);
  return rc;
}

static int
fault_sector_size (sqlite3_file *file)
{
  FaultFile *f = (FaultFile *) file;

  return f->real->pMethods->xSectorSize (f->real);
}

static int
fault_device_characteristics (sqlite3_file *file)
{
  FaultFile *f = (FaultFile *) file;

  return f->real->pMethods->xDeviceCharacteristics (f->real);
}

static int
fault_shm_map (sqlite3_file  *file,
               int            page,
               int            size,
               int            extend,
               void volatile **out)
{
  FaultFile *f = (FaultFile *) file;

  return f->real->pMethods->xShmMap (f->real, page, size, extend, out);
}

static int
fault_shm_lock (sqlite3_file *file,
                int           offset,
                int           n,
                int           flags)
{
  FaultFile *f = (FaultFile *) file;

  return f->real->pMethods->xShmLock (f->real, offset, n, flags);
}

static void
fault_shm_barrier (sqlite3_file *file)
{
  FaultFile *f = (FaultFile *) file;

  f->real->pMethods->xShmBarrier (f->real);
}

static int
fault_shm_unmap (sqlite3_file *file,
                 int           delete_flag)
{
  FaultFile *f = (FaultFile *) file;

  return f->real->pMethods->xShmUnmap (f->real, delete_flag);
}

/* Version 2: no mmap, so every write passes through xWrite and is seen. */
static const sqlite3_io_methods fault_io_methods = {
  2,
  fault_close,
  fault_read,
  fault_write,
  fault_truncate,
  fault_sync,
  fault_file_size,
  fault_lock,
  fault_unlock,
  fault_check_reserved_lock,
  fault_file_control,
  fault_sector_size,
  fault_device_characteristics,
  fault_shm_map,
  fault_shm_lock,
  fault_shm_barrier,
  fault_shm_unmap,
  NULL,
  NULL,
};

#define REAL(vfs) (((FaultVfs *) (vfs))->real)

static int
fault_open (sqlite3_vfs  *vfs,
            const char   *name,
            sqlite3_file *file,
            int           flags,
            int          *out_flags)
{
  FaultFile *f = (FaultFile *) file;
  gboolean dead;
  int rc;

  memset (f, 0, sizeof *f);
  f->real = (sqlite3_file *) ((char *) f + ROUND8 (sizeof (FaultFile)));
  f->vfs = (FaultVfs *) vfs;
  g_mutex_lock (&lock);
  dead = state.dead;
  g_mutex_unlock (&lock);
  if (dead)
    return SQLITE_CANTOPEN;

  rc = REAL (vfs)->xOpen (REAL (vfs), name, f->real, flags, out_flags);
  if (rc != SQLITE_OK)
    {
      if (f->real->pMethods != NULL)
        f->real->pMethods->xClose (f->real);
      return rc;
    }
  if (name != NULL && (flags & SQLITE_OPEN_DELETEONCLOSE) == 0)
    f->path = g_strdup (name);
  f->base.pMethods = &fault_io_methods;
  return SQLITE_OK;
}

static int
fault_delete (sqlite3_vfs *vfs,
              const char  *name,
              int          sync_dir)
{
  gboolean dead;
  int rc;

  g_mutex_lock (&lock);
  dead = state.dead;
  g_mutex_unlock (&lock);
  if (dead)
    return SQLITE_IOERR_DELETE;
  rc = REAL (vfs)->xDelete (REAL (vfs), name, sync_dir);
  if (rc == SQLITE_OK)
    forget_unsynced (name);
  return rc;
}

static int
fault_access (sqlite3_vfs *vfs,
              const char  *name,
              int          flags,
              int         *out)
{
  return REAL (vfs)->xAccess (REAL (vfs), name, flags, out);
}

static int
fault_full_pathname (sqlite3_vfs *vfs,
                     const char  *name,
                     int          n,
                     char        *out)
{
  return REAL (vfs)->xFullPathname (REAL (vfs), name, n, out);
}

static void *
fault_dl_open (sqlite3_vfs *vfs,
               const char  *name)
{
  return REAL (vfs)->xDlOpen (REAL (vfs), name);
}

static void
fault_dl_error (sqlite3_vfs *vfs,
                int          n,
                char        *msg)
{
  REAL (vfs)->xDlError (REAL (vfs), n, msg);
}

static void (*fault_dl_sym (sqlite3_vfs *vfs,
                            void        *handle,
                            const char  *sym)) (void)
{
  return REAL (vfs)->xDlSym (REAL (vfs), handle, sym);
}

static void
fault_dl_close (sqlite3_vfs *vfs,
                void        *handle)
{
  REAL (vfs)->xDlClose (REAL (vfs), handle);
}

static int
fault_randomness (sqlite3_vfs *vfs,
                  int          n,
                  char        *out)
{
  return REAL (vfs)->xRandomness (REAL (vfs), n, out);
}

static int
fault_sleep (sqlite3_vfs *vfs,
             int          usec)
{
  return REAL (vfs)->xSleep (REAL (vfs), usec);
}

static int
fault_current_time (sqlite3_vfs *vfs,
                    double      *out)
{
  return REAL (vfs)->xCurrentTime (REAL (vfs), out);
}

static int
fault_get_last_error (sqlite3_vfs *vfs,
                      int          n,
                      char        *out)
{
  return REAL (vfs)->xGetLastError ? REAL (vfs)->xGetLastError (REAL (vfs), n, out) : 0;
}

static int
fault_current_time_int64 (sqlite3_vfs   *vfs,
                          sqlite3_int64 *out)
{
  return REAL (vfs)->xCurrentTimeInt64 (REAL (vfs), out);
}

int
clinic_fault_vfs_register (const char *name,
                           const char *base_vfs_name)
{
  static GMutex register_lock;
  sqlite3_vfs *real, *existing;
  FaultVfs *fv;
  int rc;

  g_mutex_lock (&register_lock);
  existing = sqlite3_vfs_find (name);
  if (existing != NULL)
    {
      rc = existing->xOpen == fault_open ? SQLITE_OK : SQLITE_ERROR;
      goto out;
    }
  real = sqlite3_vfs_find (base_vfs_name);
  if (real == NULL)
    {
      rc = SQLITE_NOTFOUND;
      goto out;
    }
  fv = g_new0 (FaultVfs, 1);
  g_strlcpy (fv->name, name, sizeof fv->name);
  fv->real = real;
  fv->base.iVersion = 2;
  fv->base.szOsFile = (int) ROUND8 (sizeof (FaultFile)) + real->szOsFile;
  fv->base.mxPathname = real->mxPathname;
  fv->base.zName = fv->name;
  fv->base.xOpen = fault_open;
  fv->base.xDelete = fault_delete;
  fv->base.xAccess = fault_access;
  fv->base.xFullPathname = fault_full_pathname;
  fv->base.xDlOpen = fault_dl_open;
  fv->base.xDlError = fault_dl_error;
  fv->base.xDlSym = fault_dl_sym;
  fv->base.xDlClose = fault_dl_close;
  fv->base.xRandomness = fault_randomness;
  fv->base.xSleep = fault_sleep;
  fv->base.xCurrentTime = fault_current_time;
  fv->base.xGetLastError = fault_get_last_error;
  fv->base.xCurrentTimeInt64 = fault_current_time_int64;
  rc = sqlite3_vfs_register (&fv->base, 0);
  if (rc != SQLITE_OK)
    g_free (fv);
out:
  g_mutex_unlock (&register_lock);
  return rc;
}

void
clinic_fault_vfs_reset (void)
{
  g_mutex_lock (&lock);
  state.points = state.all_points = 0;
  state.fail_at = 0;
  state.fail_ops = CLINIC_FAULT_ANY;
  state.fail_errcode = SQLITE_IOERR;
  state.persistent = FALSE;
  state.hit = FALSE;
  state.crash_at = 0;
  state.syncs = 0;
  state.crash_at_sync = 0;
  state.dead = FALSE;
  state.tracking = FALSE;
  g_clear_pointer (&state.nodes, g_hash_table_unref);
  g_mutex_unlock (&lock);
}

void
clinic_fault_vfs_fail_at (gint64        n,
                          ClinicFaultOp ops,
                          int           errcode,
                          gboolean      persistent)
{
  g_mutex_lock (&lock);
  state.points = 0;
  state.fail_at = n;
  state.fail_ops = ops;
  state.fail_errcode = errcode;
  state.persistent = persistent;
  state.hit = FALSE;
  g_mutex_unlock (&lock);
}

gint64
clinic_fault_vfs_get_points (void)
{
  gint64 n;

  g_mutex_lock (&lock);
  n = state.points;
  g_mutex_unlock (&lock);
  return n;
}

gboolean
clinic_fault_vfs_fault_hit (void)
{
  gboolean hit;

  g_mutex_lock (&lock);
  hit = state.hit;
  g_mutex_unlock (&lock);
  return hit;
}

void
clinic_fault_vfs_track_unsynced (gboolean on)
{
  g_mutex_lock (&lock);
  state.tracking = on;
  g_mutex_unlock (&lock);
}

void
clinic_fault_vfs_crash_at (gint64 n)
{
  g_mutex_lock (&lock);
  state.all_points = 0;
  state.crash_at = n;
  g_mutex_unlock (&lock);
}

void
clinic_fault_vfs_crash_at_sync (gint64 n)
{
  g_mutex_lock (&lock);
  state.syncs = 0;
  state.crash_at_sync = n;
  g_mutex_unlock (&lock);
}

gboolean
clinic_fault_vfs_is_dead (void)
{
  gboolean dead;

  g_mutex_lock (&lock);
  dead = state.dead;
  g_mutex_unlock (&lock);
  return dead;
}

/* Rewrites one file as the disk may hold it after the power cut. */
static gboolean
apply_power_loss (FaultNode       *node,
                  ClinicCrashMode  mode,
                  GRand           *rand)
{
  g_autofree guint8 *cur = NULL;
  g_autofree guint8 *synced = NULL;
  g_autofree guint8 *out = NULL;
  gint64 cur_size, syn_size, cap, out_size;
  struct stat st;
  int fd;

  if (node->undo->len == 0)
    return FALSE;
  fd = open (node->path, O_RDWR);
  if (fd < 0)
    return FALSE;   /* deleted: deletion counts as durable */
  if (fstat (fd, &st) != 0)
    {
      close (fd);
      return FALSE;
    }
  cur_size = st.st_size;
  cap = cur_size;
  for (guint i = 0; i < node->undo->len; i++)
    {
      UndoEntry *e = &g_array_index (node->undo, UndoEntry, i);

      cap = MAX (cap, MAX (e->old_size, e->offset + (gint64) e->len));
    }
  cur = g_malloc0 (cap + SECTOR);
  synced = g_malloc0 (cap + SECTOR);
  if (cur_size > 0 && pread (fd, cur, cur_size, 0) != cur_size)
    {
      close (fd);
      return FALSE;
    }

  /* Undo newest to oldest: what the last sync left on disk. */
  memcpy (synced, cur, cur_size);
  syn_size = cur_size;
  for (guint i = node->undo->len; i-- > 0;)
    {
      UndoEntry *e = &g_array_index (node->undo, UndoEntry, i);

      if (e->len > 0)
        memcpy (synced + e->offset, e->orig, e->len);
      syn_size = e->old_size;
    }
  if (syn_size < cap)
    memset (synced + syn_size, 0, cap - syn_size);
  if (cur_size < cap)
    memset (cur + cur_size, 0, cap - cur_size);

  if (mode == CLINIC_CRASH_DROP)
    out_size = syn_size;
  else
    out_size = g_rand_boolean (rand) ? cur_size : syn_size;
  out = g_malloc0 (MAX (out_size, 1) + SECTOR);

  for (gint64 s = 0; s < out_size; s += SECTOR)
    {
      gint64 n = MIN (SECTOR, out_size - s);
      int choice = mode == CLINIC_CRASH_DROP ? 1 : g_rand_int_range (rand, 0, 4);

      if (memcmp (cur + s, synced + s, n) == 0 || choice == 0)
        {
          memcpy (out + s, cur + s, n);
        }
      else if (choice == 2)
        {
          gint64 k = g_rand_int_range (rand, 1, SECTOR);   /* torn sector */

          k = MIN (k, n);
          memcpy (out + s, cur + s, k);
          memcpy (out + s + k, synced + s + k, n - k);
        }
      else
        {
          memcpy (out + s, synced + s, n);
        }
    }

  if ((out_size > 0 && pwrite (fd, out, out_size, 0) != out_size)
      || ftruncate (fd, out_size) != 0)
    g_warning ("power loss: rewriting %s failed: %s", node->path, g_strerror (errno));
  close (fd);
  return TRUE;
}

guint
clinic_fault_vfs_power_loss (ClinicCrashMode mode,
                             guint32         seed)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (seed);
  g_autoptr (GList) list = NULL;
  guint changed = 0;

  g_mutex_lock (&lock);
  if (state.nodes != NULL)
    {
      /* Sorted, so a seed gives the same outcome every run. */
      list = g_hash_table_get_keys (state.nodes);
      list = g_list_sort (list, (GCompareFunc) g_strcmp0);
      for (GList *l = list; l != NULL; l = l->next)
        changed += apply_power_loss (g_hash_table_lookup (state.nodes, l->data), mode, rand);
    }
  g_clear_pointer (&state.nodes, g_hash_table_unref);
  state.dead = FALSE;
  state.crash_at = 0;
  state.crash_at_sync = 0;
  state.tracking = FALSE;
  g_mutex_unlock (&lock);
  return changed;
}
