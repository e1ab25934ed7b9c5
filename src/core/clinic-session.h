/* clinic-session.h — who is acting
 *
 * Every core entry point that reads or changes clinic data takes a
 * ClinicSession: the signed-in user, their role and permissions. The core
 * checks the permission before touching data, scopes a patient session to
 * that patient's rows, and writes the audit entry in the same transaction
 * as the change. Hiding a button is a courtesy; this is the guard.
 */

#pragma once

#include "clinic-db.h"
#include "clinic-error.h"
#include "clinic-permissions.h"

G_BEGIN_DECLS

typedef enum
{
  CLINIC_USER_STAFF,
  CLINIC_USER_PATIENT,
} ClinicUserKind;

#define CLINIC_TYPE_SESSION (clinic_session_get_type ())

G_DECLARE_FINAL_TYPE (ClinicSession, clinic_session, CLINIC, SESSION, GObject)

/*
 * clinic_session_start:
 *
 * The session of whoever opened @db: the staff user whose password opened
 * it (clinic_db_open), or — opened with the recovery key — a recovery
 * session with every permission, for an administrator to repair key slots
 * and passwords. Copies the sign-in failures counted before the database
 * was open into the audit trail, then audits "sign-in" (or
 * "sign-in.recovery-key"). Errors: PERMISSION_DENIED for a disabled user,
 * NOT_FOUND when the key slot's user has no user record.
 */
ClinicSession  *clinic_session_start            (ClinicDb          *db,
                                                 GError           **error);

/*
 * clinic_session_sign_in:
 *
 * Signs @user in on the already open @db (lock screen, switching user,
 * the kiosk) by their password hash inside the database. The lock-out
 * rules apply as at a cold start. One message for an unknown name and a
 * wrong password (CLINIC_DB_ERROR_WRONG_CREDENTIALS), same time cost.
 * Audits "sign-in" or "sign-in.failed".
 */
ClinicSession  *clinic_session_sign_in          (ClinicDb          *db,
                                                 const char        *user,
                                                 const char        *password,
                                                 GError           **error);

/* Ends the session (audits "sign-out"); later calls with it fail with
 * CLINIC_ERROR_SIGNED_OUT. */
void            clinic_session_sign_out         (ClinicSession     *self);

/* Records "lock" when the screen locks with this session behind it; from
 * then on the session is refused everything (CLINIC_ERROR_SIGNED_OUT), so
 * nothing left open acts in its name. Unlocking is a new sign-in. */
void            clinic_session_note_locked      (ClinicSession     *self);

/*
 * clinic_session_new_for_thread:
 *
 * The same user, role and permissions as @self, acting on a connection of
 * its own to the same database: for long work (an import) in a worker
 * thread while the window goes on using @self. Call it from the thread
 * that owns @self; the copy then belongs to the worker. The copy is a
 * snapshot: locking or signing out @self later does not reach it, so
 * make it when the work starts. Not audited itself (it reads nothing);
 * what it does is audited under the user's name. Errors: SIGNED_OUT when
 * @self is signed out or locked; a ClinicDbError when the database cannot
 * be opened again.
 */
ClinicSession  *clinic_session_new_for_thread   (ClinicSession     *self,
                                                 GError           **error);

ClinicDb       *clinic_session_get_db           (ClinicSession     *self);
gint64          clinic_session_get_user_id      (ClinicSession     *self);   /* 0: recovery */
const char     *clinic_session_get_user_name    (ClinicSession     *self);
const char     *clinic_session_get_display_name (ClinicSession     *self);
ClinicUserKind  clinic_session_get_kind         (ClinicSession     *self);
gint64          clinic_session_get_role_id      (ClinicSession     *self);
/* "administrator", "doctor", "front-desk", "patient", or NULL (custom). */
const char     *clinic_session_get_role_builtin (ClinicSession     *self);
/* For a patient session: their patient record (0 until linked). */
gint64          clinic_session_get_patient_id   (ClinicSession     *self);
gboolean        clinic_session_is_active        (ClinicSession     *self);
gboolean        clinic_session_is_recovery      (ClinicSession     *self);

/* The permissions of the role, read at sign-in and again after any change
 * to roles (so a change takes effect at once). */
gboolean        clinic_session_has_permission   (ClinicSession     *self,
                                                 ClinicPermission   permission);

/* TRUE when the session is active and has @permission; otherwise FALSE
 * with CLINIC_ERROR_PERMISSION_DENIED (or SIGNED_OUT). Patient sessions
 * pass only for what their role grants on their own rows. */
gboolean        clinic_session_require          (ClinicSession     *self,
                                                 ClinicPermission   permission,
                                                 GError           **error);

/* As clinic_session_require(), and a patient session is refused whatever
 * its role grants: for calls that are staff work by nature. */
gboolean        clinic_session_require_staff    (ClinicSession     *self,
                                                 ClinicPermission   permission,
                                                 GError           **error);

/* Re-reads the role's permissions and the user's state (after a change by
 * an administrator). */
gboolean        clinic_session_refresh          (ClinicSession     *self,
                                                 GError           **error);

G_END_DECLS
