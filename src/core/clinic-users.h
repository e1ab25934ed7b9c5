/* clinic-users.h — users, roles and the permission matrix
 *
 * Every call takes the acting ClinicSession, checks CLINIC_PERMISSION_USERS
 * in the core (not only by hiding a button), and writes its audit entry in
 * the same transaction as the change. Staff accounts hold a key slot in the
 * key file (their password opens the database) and an Argon2id hash inside
 * the database (lock screen); patient accounts hold only the hash.
 */

#pragma once

#include "clinic-session.h"

G_BEGIN_DECLS

typedef struct
{
  gint64  id;
  char   *name;          /* sign-in name, normalised */
  char   *display_name;
  gint64  role_id;
  char   *role_name;
  ClinicUserKind kind;
  gboolean disabled;
  gint64  patient_id;    /* patient accounts: their record, 0 until linked */
  gint64  created_at;
  guint   lockout_wait;  /* seconds left of a lock-out (clinic_users_list only) */
} ClinicUser;

void clinic_user_free (ClinicUser *user);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ClinicUser, clinic_user_free)

typedef struct
{
  gint64    id;
  char     *name;
  char     *builtin;     /* "administrator", "doctor", "front-desk", "patient" or NULL */
  gboolean  permissions[CLINIC_N_PERMISSIONS];
  guint     n_users;
} ClinicRole;

void clinic_role_free (ClinicRole *role);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ClinicRole, clinic_role_free)

/* --- Roles (the "Profiles" view) --------------------------------------- */

/* Every role, built-in first. A GPtrArray of ClinicRole. Needs USERS. */
GPtrArray  *clinic_roles_list            (ClinicSession     *session,
                                          GError           **error);

/* A new custom role with no permissions; the name must be free (CONFLICT)
 * and not empty (INVALID). Returns its id, 0 on error. Audited
 * "role.created". */
gint64      clinic_roles_create          (ClinicSession     *session,
                                          const char        *name,
                                          GError           **error);

/* Audited "role.renamed" (old → new). */
gboolean    clinic_roles_rename          (ClinicSession     *session,
                                          gint64             role_id,
                                          const char        *name,
                                          GError           **error);

/* Built-in roles cannot be deleted, nor a role anyone still holds
 * (CONFLICT, saying how many). Audited "role.deleted". */
gboolean    clinic_roles_delete          (ClinicSession     *session,
                                          gint64             role_id,
                                          GError           **error);

/* Grants or revokes one permission of the matrix; takes effect at once for
 * every session of that role (clinic_session_refresh). Refused when it
 * would leave no active user able to manage users (CONFLICT: the clinic
 * would lock itself out). Audited "role.permission-granted/-revoked". */
gboolean    clinic_roles_set_permission  (ClinicSession     *session,
                                          gint64             role_id,
                                          ClinicPermission   permission,
                                          gboolean           granted,
                                          GError           **error);

/* Changes take effect at once in the database. Sessions read their
 * permissions at sign-in, so after every successful call above or below
 * the window calls clinic_session_refresh() on each session it holds (the
 * acting one included); the core emits nothing. A call that would change
 * nothing (granting a permission already granted, the same name again)
 * succeeds without an audit entry. */

/* --- Users ------------------------------------------------------------- */

/* The user whose sign-in name is @name (normalised first), disabled or
 * not; NOT_FOUND otherwise. Needs USERS. For clinicctl, which names users
 * by sign-in name. (transfer full) */
ClinicUser *clinic_users_lookup_by_name  (ClinicSession     *session,
                                          const char        *name,
                                          GError           **error);

/* Every user (disabled ones too), by display name. A GPtrArray of
 * ClinicUser. Needs USERS. */
GPtrArray  *clinic_users_list            (ClinicSession     *session,
                                          GError           **error);

/* A new user. Staff: a key slot (Argon2id MODERATE, or @limits for tests)
 * and the in-database hash; patient: the hash only, with the patient
 * role. Password policy from the settings (length, dictionary). Returns
 * the id, 0 on error (CONFLICT for a taken name). Audited "user.created".
 *
 * @name is normalised (clinic_user_name_normalize) and must then be 1–64
 * characters without control characters; @display_name 1–120 (INVALID
 * otherwise). A patient account takes @role_id 0 (or the patient role's
 * id); any other role is INVALID for it, and the patient role is INVALID
 * for staff. Minimum length: security.min-password-length for staff,
 * security.min-patient-password-length for patients. */
gint64      clinic_users_create          (ClinicSession          *session,
                                          const char             *name,
                                          const char             *display_name,
                                          ClinicUserKind          kind,
                                          gint64                  role_id,
                                          const char             *password,
                                          const ClinicKdfLimits  *limits,
                                          GError                **error);

/* Changes the role (staff only; audited "user.role-changed") or the
 * display name (audited "user.renamed"). */
gboolean    clinic_users_set_role        (ClinicSession     *session,
                                          gint64             user_id,
                                          gint64             role_id,
                                          GError           **error);
gboolean    clinic_users_set_display_name (ClinicSession    *session,
                                           gint64            user_id,
                                           const char       *display_name,
                                           GError          **error);

/* Disables or enables an account at once: a disabled staff user's key
 * slot is removed (offer clinic_db_rekey afterwards, since a copy of the
 * old key file still opens the old key); enabling needs a new password
 * (@password, ignored when disabling). One cannot disable oneself, nor the
 * last active user who can manage users (CONFLICT). Audited
 * "user.disabled/enabled".
 *
 * The rule for callers: after disabling a STAFF account succeeds, always
 * offer a rekey (clinic_db_rekey; clinicctl prints a line recommending
 * `clinicctl rekey`). No out parameter is needed: the caller knows the
 * account's kind from clinic_users_list(). Disabling a disabled account
 * succeeds and changes nothing (no audit entry); enabling an enabled one
 * is CONFLICT. Sessions of a disabled user end at their next
 * clinic_session_refresh() (SIGNED_OUT), and clinic_session_sign_in()
 * refuses them. */
gboolean    clinic_users_set_disabled    (ClinicSession          *session,
                                          gint64                  user_id,
                                          gboolean                disabled,
                                          const char             *password,
                                          const ClinicKdfLimits  *limits,
                                          GError                **error);

/* An administrator sets a new password for someone else (key slot and
 * hash; patients: the hash). No old password is needed: the open
 * database holds the key. A disabled account is CONFLICT (enabling it
 * sets a new password). Audited "user.password-reset". */
gboolean    clinic_users_reset_password  (ClinicSession          *session,
                                          gint64                  user_id,
                                          const char             *new_password,
                                          const ClinicKdfLimits  *limits,
                                          GError                **error);

/* A user changes their own password: the old one is required (any
 * session may do this for itself, no USERS permission). Staff: key slot
 * and hash together. A wrong old password is
 * CLINIC_DB_ERROR_WRONG_CREDENTIALS, counted by the lock-out rules like a
 * failed sign-in (CLINIC_DB_ERROR_LOCKED_OUT after too many), and changes
 * nothing. A recovery-key session has no password (INVALID). Audited
 * "user.password-changed". */
gboolean    clinic_users_change_own_password (ClinicSession          *session,
                                              const char             *old_password,
                                              const char             *new_password,
                                              const ClinicKdfLimits  *limits,
                                              GError                **error);

/* An administrator lifts the wait of a user locked out by failed
 * sign-ins (the counts beside the database). Audited
 * "user.lockout-cleared". */
gboolean    clinic_users_clear_lockout   (ClinicSession          *session,
                                          gint64                  user_id,
                                          GError                **error);

G_END_DECLS
