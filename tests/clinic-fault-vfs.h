/* clinic-fault-vfs.h - test VFS for I/O faults and power loss
 *
 * Sits under the cipher VFS (cipher -> fault -> unix), so faults and
 * crashes hit the encrypted bytes exactly as a disk would.  One global
 * state: tests drive one scenario at a time.
 */

#pragma once

#include <glib.h>
#include <sqlite3.h>

G_BEGIN_DECLS

typedef enum
{
  CLINIC_FAULT_READ     = 1 << 0,
  CLINIC_FAULT_WRITE    = 1 << 1,
  CLINIC_FAULT_SYNC     = 1 << 2,
  CLINIC_FAULT_TRUNCATE = 1 << 3,
  CLINIC_FAULT_ANY      = 0xf,
} ClinicFaultOp;

typedef enum
{
  CLINIC_CRASH_DROP,    /* every write since the file's last sync is lost */
  CLINIC_CRASH_RANDOM,  /* per 512-byte sector: kept, lost or torn (a prefix kept) */
} ClinicCrashMode;

/* Registers a VFS called NAME over BASE_VFS_NAME (NULL: default).
 * Idempotent for the same NAME. */
int      clinic_fault_vfs_register      (const char *name,
                                         const char *base_vfs_name);

/* Counters to zero, no fault armed, not dead, no unsynced data tracked. */
void     clinic_fault_vfs_reset         (void);

/* Read, write, sync and truncate calls of the kinds in OPS are I/O points,
 * counted from 1 since the last reset.  Makes point N fail with ERRCODE
 * (SQLITE_IOERR or SQLITE_FULL; the op's extended IOERR code is used for
 * IOERR, and FULL is turned into IOERR for reads and syncs).  PERSISTENT:
 * every later point fails too.  N <= 0 disarms. */
void     clinic_fault_vfs_fail_at       (gint64        n,
                                         ClinicFaultOp ops,
                                         int           errcode,
                                         gboolean      persistent);
gint64   clinic_fault_vfs_get_points    (void);
gboolean clinic_fault_vfs_fault_hit     (void);

/* Power loss.  While tracking, every write/truncate of a named file keeps
 * an undo record of the bytes it replaced, until that file's next xSync.
 * The writes go through to the real file, so this process reads them back
 * as it would from an OS cache. */
void     clinic_fault_vfs_track_unsynced (gboolean on);

/* At the Nth I/O point (any kind) the machine dies: that call and every
 * later read, write, sync, truncate, delete and open fail. */
void     clinic_fault_vfs_crash_at      (gint64 n);
/* Same, at the Nth xSync (the sync itself does not happen). */
void     clinic_fault_vfs_crash_at_sync (gint64 n);
gboolean clinic_fault_vfs_is_dead       (void);

/* Call after closing every connection on the dead VFS: rewrites each
 * tracked file to what a disk could hold after the power cut (MODE, with
 * SEED for CLINIC_CRASH_RANDOM), forgets the undo records, and comes back
 * to life with tracking off.  Returns how many files it changed. */
guint    clinic_fault_vfs_power_loss    (ClinicCrashMode mode,
                                         guint32         seed);

G_END_DECLS
