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

/* Steps @stmt (from clinic_db_prepare) that returns no rows, and resets
 * it; FALSE with @error (clinic_db_set_sqlite_error) otherwise. */
gboolean         clinic_db_step_done           (ClinicDb      *self,
                                                sqlite3_stmt  *stmt,
                                                GError       **error);

/* Steps @stmt (from clinic_db_prepare) to its end, adding what
 * @read_row makes of each row to @into, and resets it; FALSE with @error
 * (rows added so far stay in @into) when a step fails. */
typedef gpointer (*ClinicDbRowReader) (sqlite3_stmt *stmt);

gboolean         clinic_db_collect             (ClinicDb          *self,
                                                sqlite3_stmt      *stmt,
                                                GPtrArray         *into,
                                                ClinicDbRowReader  read_row,
                                                GError           **error);

/* Turns SQLite's @rc (with @handle's message) into a ClinicDbError a
 * person understands: DAMAGED naming the page for a failed page check,
 * DISK_FULL, READ_ONLY, BUSY, NOT_CLINIC ... @path names the database. */
/* clinic_db_set_sqlite_error() for a failure @rc on @self's own
 * connection: what every core module reports when a statement fails. */
void             clinic_db_set_error           (ClinicDb    *self,
                                                int          rc,
                                                GError     **error);

/* Column @column of @stmt's current row as a new string; "" for NULL. */
char            *clinic_db_column_text         (sqlite3_stmt *stmt,
                                                int           column);

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

/* Opens a staged copy (a restore's, a rekey's) under @dk, without the
 * process lock (the caller holds the real database's exclusive lock) and
 * without credentials. */
ClinicDb        *clinic_db_open_staged         (const char       *path,
                                                const ClinicKey  *dk,
                                                GError          **error);

/* A second ClinicDb on the same database and key, with a connection and
 * a shared process lock of its own, for long work in a worker thread
 * (ClinicDb connections are not shared between threads). Call it from
 * the thread that owns @self; the new one belongs to whichever thread
 * uses it, one at a time. */
ClinicDb        *clinic_db_open_another        (ClinicDb         *self,
                                                GError          **error);
/* For the files beside the database (backups, attachments): the
 * ClinicDbError for a failed system call on @file (DISK_FULL, READ_ONLY,
 * FAILED), always FALSE; and write(2) of all of @data. */
gboolean         clinic_db_set_io_error        (GError     **error,
                                                const char  *file,
                                                int          saved_errno);
gboolean         clinic_db_write_all           (int          fd,
                                                const void  *data,
                                                gsize        len,
                                                const char  *file,
                                                GError     **error);

/* fsync of a folder, so a rename in it is durable. */
gboolean         clinic_db_sync_folder         (const char  *folder,
                                                GError     **error);

/* Key slots, for the users module (clinic-users.h is what a user calls).
 * Each writes the slots file atomically under the key-file lock. */
gboolean    clinic_db_add_staff_key       (ClinicDb                 *self,
                                           const char               *user,
                                           const char               *password,
                                           const ClinicKdfLimits    *limits,
                                           GError                  **error);
gboolean    clinic_db_change_password     (ClinicDb                 *self,
                                           const char               *user,
                                           const char               *old_password,
                                           const char               *new_password,
                                           const ClinicKdfLimits    *limits,
                                           GError                  **error);
gboolean    clinic_db_remove_staff_key    (ClinicDb                 *self,
                                           const char               *user,
                                           GError                  **error);

/* Without opening the database (kept for the tests of the key file; the
 * users module's clinic_users_change_own_password is what people use). */
/*
 * clinic_db_change_password_offline:
 *
 * Changes @user's password in the slots file of the database at @path
 * without opening the database (clinicctl passwd): the old password must
 * open the user's slot. Lock-out applies as for sign-in.
 */
gboolean    clinic_db_change_password_at  (const char               *path,
                                           const char               *user,
                                           const char               *old_password,
                                           const char               *new_password,
                                           const ClinicKdfLimits    *limits,
                                           GError                  **error);

/* --- Whole-database operations without a session (clinic-storage.h has
 * the ones a user calls) --- */

/*
 * clinic_db_backup:
 *
 * Writes a consistent copy of the open database, taken while others go on
 * working, to @file: one encrypted file holding the database pages (as
 * encrypted on disk), the key slots file, so the backup opens with the
 * passwords and the recovery key valid now, and a MAC over all of it under
 * the backup sub-key. The file is written beside its final name, read back
 * and checked, then renamed into place: @file is either the whole checked
 * backup or untouched.
 */
gboolean    clinic_db_backup              (ClinicDb                 *self,
                                           const char               *file,
                                           GCancellable             *cancellable,
                                           GError                  **error);

/*
 * clinic_db_verify:
 *
 * Checks every page's tag of the database file (after a checkpoint), and
 * PRAGMA integrity_check and foreign_key_check. Returns TRUE when all is
 * well; FALSE with @error (DAMAGED) naming the first bad page otherwise.
 * @report (out) (optional) (transfer full): lines for a person to read.
 */
gboolean    clinic_db_verify              (ClinicDb                 *self,
                                           char                    **report,
                                           GError                  **error);

/*
 * clinic_db_rekey:
 *
 * Makes a new database key, re-encrypts every page under it and reseals
 * it to every staff slot (no passwords needed). Refused (BUSY) while
 * another Clinic program has the database open. Crash-safe: the database
 * opens afterwards with the old key or the new one and loses nothing.
 * @recovery_key (out) (transfer full): the new recovery key, to show once.
 */
gboolean    clinic_db_rekey               (ClinicDb                 *self,
                                           char                    **recovery_key,
                                           GError                  **error);

G_END_DECLS
