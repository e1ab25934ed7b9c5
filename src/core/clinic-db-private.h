/* clinic-db-private.h — what the core's own modules use of ClinicDb
 *
 * Never included from src/app: the windows do not see SQL.
 */

#pragma once

#include <sqlite3.h>

#include "clinic-db.h"

G_BEGIN_DECLS

/* The connection of this ClinicDb; owned by it. Use from the thread that
 * opened it (long work opens a connection of its own). */
sqlite3         *clinic_db_get_handle          (ClinicDb    *self);

/* The database key; owned by @self. */
const ClinicKey *clinic_db_get_key             (ClinicDb    *self);

/* FALSE with CLINIC_DB_ERROR_CLOSED when a failed change of keys left
 * @self without a connection. */
gboolean         clinic_db_ensure_open         (ClinicDb    *self,
                                                GError     **error);

/* Runs @sql (no results). */
gboolean         clinic_db_exec                (ClinicDb    *self,
                                                const char  *sql,
                                                GError     **error);

/* BEGIN IMMEDIATE / COMMIT / ROLLBACK. Rollback never fails the caller:
 * it is what runs after an error. */
gboolean         clinic_db_begin_write         (ClinicDb    *self,
                                                GError     **error);
gboolean         clinic_db_commit              (ClinicDb    *self,
                                                GError     **error);
void             clinic_db_rollback            (ClinicDb    *self);

/* A prepared statement from the connection's cache, reset and with its
 * bindings cleared; do not finalize it. NULL with @error set when @sql
 * does not prepare. */
sqlite3_stmt    *clinic_db_prepare             (ClinicDb    *self,
                                                const char  *sql,
                                                GError     **error);

/* Turns SQLite's @rc (with @handle's message) into a ClinicDbError a
 * person understands: DAMAGED naming the page for a failed page check,
 * DISK_FULL, READ_ONLY, BUSY, NOT_CLINIC ... @path names the database. */
void             clinic_db_set_sqlite_error    (GError     **error,
                                                sqlite3     *handle,
                                                int          rc,
                                                const char  *path);

/* Opens a new connection to @path on the cipher VFS with @dk's page key,
 * with the PRAGMAs Clinic runs with (WAL, synchronous=FULL, foreign
 * keys). @create allows a new file. */
sqlite3         *clinic_db_open_connection     (const char       *path,
                                                const ClinicKey  *dk,
                                                gboolean          create,
                                                GError          **error);

/* Closes a connection from clinic_db_open_connection(). */
void             clinic_db_close_handle        (sqlite3          *handle,
                                                const char       *path);

/* For tests only: open connections on the cipher VFS registered as @name
 * (clinic_vfs_register_over), e.g. over a fault-injecting VFS; NULL goes
 * back to CLINIC_VFS_NAME. Not thread safe; call before opening. */
void             clinic_db_set_vfs_for_testing (const char       *name);

/* The page key the cipher VFS gets for a database key. */
ClinicKey       *clinic_db_derive_page_key     (const ClinicKey  *dk);

/* --- Files beside the database, for maintenance ----------------------- */

/* Atomically replaces the staged files @path.new and @path.keys.new into
 * place (restore: the old ones are kept as @path.pre-restore; rekey: they
 * are removed). A marker file makes an interrupted swap finish at the next
 * open. The caller holds the exclusive lock. */
typedef enum
{
  CLINIC_DB_SWAP_REKEY,
  CLINIC_DB_SWAP_RESTORE,
} ClinicDbSwapKind;

gboolean         clinic_db_swap_in_staged      (const char        *path,
                                                ClinicDbSwapKind   kind,
                                                GError           **error);

/* The process lock (@path.lock): every open ClinicDb holds it shared;
 * rekey and restore hold it exclusive. Returns the fd, or -1 with BUSY. */
int              clinic_db_lock_open           (const char  *path,
                                                gboolean     exclusive,
                                                GError     **error);
/* Changes the lock held on @fd; FALSE with BUSY if it cannot be had now. */
gboolean         clinic_db_lock_change         (int          fd,
                                                gboolean     exclusive,
                                                GError     **error);

/* Release and re-take this ClinicDb's connection (for rekey/restore of the
 * open database). */
void             clinic_db_close_connection    (ClinicDb    *self);
gboolean         clinic_db_reopen_with_key     (ClinicDb        *self,
                                                const ClinicKey *dk,
                                                GError         **error);
int              clinic_db_get_lock_fd         (ClinicDb    *self);

/* fsync of a folder, so a rename in it is durable. */
gboolean         clinic_db_sync_folder         (const char  *folder,
                                                GError     **error);

G_END_DECLS
