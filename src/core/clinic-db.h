/* clinic-db.h — the clinic's encrypted database
 *
 * One SQLite file whose pages the cipher VFS encrypts, the key slots file
 * beside it that opens it with a staff password, and the recovery key that
 * opens it without one. Creating, opening, backing up, restoring, checking
 * and re-keying it all go through here.
 */

#pragma once

#include <gio/gio.h>

#include "clinic-keys.h"

G_BEGIN_DECLS

#define CLINIC_DB_ERROR (clinic_db_error_quark ())

/**
 * ClinicDbError:
 * @CLINIC_DB_ERROR_FAILED: anything not below (the message says what)
 * @CLINIC_DB_ERROR_WRONG_CREDENTIALS: unknown user or wrong password, one
 *   message for both
 * @CLINIC_DB_ERROR_LOCKED_OUT: too many failed sign-ins; wait
 * @CLINIC_DB_ERROR_NOT_FOUND: no database at that path
 * @CLINIC_DB_ERROR_EXISTS: a database (or its key file) is already there
 * @CLINIC_DB_ERROR_NOT_CLINIC: the file is not a Clinic database
 * @CLINIC_DB_ERROR_DAMAGED: a page failed its check: damaged or tampered
 * @CLINIC_DB_ERROR_TOO_NEW: made by a newer Clinic
 * @CLINIC_DB_ERROR_SLOTS_MISSING: the key file is missing; the recovery
 *   key still opens the database
 * @CLINIC_DB_ERROR_RECOVERY_KEY: the recovery key is mistyped or belongs to
 *   another database
 * @CLINIC_DB_ERROR_DISK_FULL: no space left
 * @CLINIC_DB_ERROR_READ_ONLY: the folder or file cannot be written
 * @CLINIC_DB_ERROR_BUSY: another Clinic program has the database open, or
 *   is changing its keys
 * @CLINIC_DB_ERROR_BAD_BACKUP: not a Clinic backup, damaged, or not
 *   opened by these credentials
 * @CLINIC_DB_ERROR_INVALID: a value given is not acceptable (empty name…)
 * @CLINIC_DB_ERROR_KEY_MISMATCH: the key file's key does not open this
 *   database (a key file from another database, or from before a rekey)
 * @CLINIC_DB_ERROR_CLOSED: the database was closed after an unfinished
 *   change of keys; Clinic must be restarted
 */
typedef enum
{
  CLINIC_DB_ERROR_FAILED,
  CLINIC_DB_ERROR_WRONG_CREDENTIALS,
  CLINIC_DB_ERROR_LOCKED_OUT,
  CLINIC_DB_ERROR_NOT_FOUND,
  CLINIC_DB_ERROR_EXISTS,
  CLINIC_DB_ERROR_NOT_CLINIC,
  CLINIC_DB_ERROR_DAMAGED,
  CLINIC_DB_ERROR_TOO_NEW,
  CLINIC_DB_ERROR_SLOTS_MISSING,
  CLINIC_DB_ERROR_RECOVERY_KEY,
  CLINIC_DB_ERROR_DISK_FULL,
  CLINIC_DB_ERROR_READ_ONLY,
  CLINIC_DB_ERROR_BUSY,
  CLINIC_DB_ERROR_BAD_BACKUP,
  CLINIC_DB_ERROR_INVALID,
  CLINIC_DB_ERROR_KEY_MISMATCH,
  CLINIC_DB_ERROR_CLOSED,
} ClinicDbError;

GQuark clinic_db_error_quark (void);

/* How a database is opened: with a staff user's password (the key slots
 * file), or with the recovery key. */
typedef struct
{
  const char            *user;          /* with @password */
  const char            *password;
  const char            *recovery_key;  /* instead of user and password */
  /* Argon2id limits for slots this call writes; NULL = MODERATE. Tests
   * pass CLINIC_KDF_LIMITS_TEST (after clinic_keys_allow_test_limits). */
  const ClinicKdfLimits *limits;
} ClinicCredentials;

#define CLINIC_TYPE_DB (clinic_db_get_type ())

G_DECLARE_FINAL_TYPE (ClinicDb, clinic_db, CLINIC, DB, GObject)

/*
 * clinic_db_create:
 * @path: where the database goes; its folder is made (mode 0700) if needed
 * @clinic_name: the clinic's name, not empty
 * @admin: the first administrator's user name and password
 * @recovery_key: (out) (transfer full): the recovery key to show once;
 *   wipe it with sodium_memzero() before g_free()
 *
 * Makes a new database, its key slots file with one slot for @admin, and
 * applies every migration. Fails with EXISTS if a database, key file or
 * WAL is already at @path; on any error nothing is left behind.
 */
ClinicDb   *clinic_db_create              (const char               *path,
                                           const char               *clinic_name,
                                           const ClinicCredentials  *admin,
                                           char                    **recovery_key,
                                           GError                  **error);

/*
 * clinic_db_open:
 *
 * Opens the database at @path with @credentials: a user name and password
 * (checked against the lock-out file first, failures counted there), or
 * the recovery key (which also works when the key slots file is lost).
 * Applies pending migrations. Errors: see ClinicDbError.
 */
ClinicDb   *clinic_db_open                (const char               *path,
                                           const ClinicCredentials  *credentials,
                                           GError                  **error);

const char *clinic_db_get_path            (ClinicDb                 *self);

/* The schema level (PRAGMA user_version) and the highest this Clinic
 * knows. */
int         clinic_db_get_schema_version  (ClinicDb                 *self);
int         clinic_db_get_latest_schema_version (void);

/* The clinic's name as recorded at creation. (transfer full) */
char       *clinic_db_dup_clinic_name     (ClinicDb                 *self,
                                           GError                  **error);

/* The user whose password opened the database (normalised), or NULL when
 * the recovery key did. (transfer none) */
const char *clinic_db_get_opened_by       (ClinicDb                 *self);

/* TRUE when an interrupted change of keys was finished at this open: the
 * new recovery key was never shown, so the printed one no longer opens
 * the database. Tell an administrator to change the keys again, which
 * shows a new one and clears this. */
gboolean    clinic_db_is_recovery_key_outdated (ClinicDb            *self);

/* TRUE when this database was opened with the recovery key. */
gboolean    clinic_db_opened_with_recovery_key (ClinicDb            *self);

/* --- Whole-database operations (clinic-db-maintenance.c) ---------------
 *
 * Backup, verify and rekey of an open database are in clinic-storage.h,
 * behind the session's permission; the raw ones are in
 * clinic-db-private.h for the core itself. */

/*
 * clinic_db_restore:
 *
 * Replaces the database at @path with the backup @file, opened with
 * @credentials (a password or the recovery key valid when the backup was
 * made). The backup is checked completely — MAC, every page, integrity —
 * before anything at @path is touched; then the current files are kept as
 * @path.pre-restore (and its .keys) and the restored ones take their
 * place. Refused (BUSY) while any Clinic program has the database open; a
 * crash midway is finished on the next open. @path may not exist yet.
 */
gboolean    clinic_db_restore             (const char               *path,
                                           const char               *file,
                                           const ClinicCredentials  *credentials,
                                           GError                  **error);

G_END_DECLS
