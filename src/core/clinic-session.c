/* clinic-session.c — who is acting */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <sodium.h>
#include <string.h>

#include "clinic-audit-private.h"
#include "clinic-db-private.h"
#include "clinic-lockout.h"
#include "clinic-password.h"
#include "clinic-paths.h"
#include "clinic-session.h"

struct _ClinicSession
{
  GObject         parent_instance;

  ClinicDb       *db;
  gint64          user_id;       /* 0: recovery-key session */
  char           *user_name;
  char           *display_name;
  ClinicUserKind  kind;
  gint64          role_id;
  char           *role_builtin;
  gint64          patient_id;
  gboolean        permissions[CLINIC_N_PERMISSIONS];
  gboolean        active;
  gboolean        locked;   /* the screen is locked with this session behind it */
};

G_DEFINE_FINAL_TYPE (ClinicSession, clinic_session, G_TYPE_OBJECT)

/* The name a recovery-key session acts under in the audit trail. */
#define RECOVERY_USER "recovery-key"

/* Reads the user row and the role's permissions. FALSE with NOT_FOUND when
 * there is no such user. */
static gboolean
load_user (ClinicSession  *self,
           const char     *name,
           gboolean       *disabled,
           GError        **error)
{
  sqlite3_stmt *stmt;
  int rc;

  stmt = clinic_db_prepare (self->db,
                            "SELECT u.id, u.display_name, u.kind, u.role_id, r.builtin, "
                            "       u.patient_id, u.disabled "
                            "FROM users u JOIN roles r ON r.id = u.role_id WHERE u.name = ?1",
                            error);
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_text (stmt, 1, name, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      if (rc == SQLITE_DONE)
        g_set_error (error, CLINIC_ERROR, CLINIC_ERROR_NOT_FOUND,
                     _("There is no user called “%s”."), name);
      else
        clinic_db_set_error (self->db, rc, error);
      sqlite3_reset (stmt);
      return FALSE;
    }

  self->user_id = sqlite3_column_int64 (stmt, 0);
  /* @name may be self->user_name itself (clinic_session_refresh). */
  if (name != self->user_name)
    {
      g_free (self->user_name);
      self->user_name = g_strdup (name);
    }
  g_free (self->display_name);
  self->display_name = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
  self->kind = g_strcmp0 ((const char *) sqlite3_column_text (stmt, 2), "patient") == 0
               ? CLINIC_USER_PATIENT : CLINIC_USER_STAFF;
  self->role_id = sqlite3_column_int64 (stmt, 3);
  g_free (self->role_builtin);
  self->role_builtin = g_strdup ((const char *) sqlite3_column_text (stmt, 4));
  self->patient_id = sqlite3_column_int64 (stmt, 5);
  *disabled = sqlite3_column_int (stmt, 6) != 0;
  sqlite3_reset (stmt);

  memset (self->permissions, 0, sizeof self->permissions);
  stmt = clinic_db_prepare (self->db, "SELECT permission FROM role_permissions WHERE role_id = ?1",
                            error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, self->role_id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      ClinicPermission permission;

      /* An id this version does not know (from a newer one) grants nothing. */
      if (clinic_permission_from_id ((const char *) sqlite3_column_text (stmt, 0), &permission))
        self->permissions[permission] = TRUE;
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      clinic_db_set_error (self->db, rc, error);
      return FALSE;
    }

  return TRUE;
}

static ClinicSession *
session_new (ClinicDb *db)
{
  ClinicSession *self = g_object_new (CLINIC_TYPE_SESSION, NULL);

  self->db = g_object_ref (db);
  self->active = TRUE;

  return self;
}

/* Copies the failures counted before the database was open into the audit
 * trail, with their own times, inside the caller's transaction. */
static gboolean
audit_lockout_events (ClinicDb  *db,
                      GError   **error)
{
  g_autofree char *lockout = clinic_paths_get_lockout_file (clinic_db_get_path (db));
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(GError) local_error = NULL;

  events = clinic_lockout_take_events (lockout, &local_error);
  if (events == NULL)
    {
      /* The counts guard the keyboard; losing their copy in the audit is
       * not a reason to refuse the sign-in, but it is worth a warning. */
      g_warning ("Sign-in failures could not be read for the audit trail: %s",
                 local_error->message);
      return TRUE;
    }

  for (guint i = 0; i < events->len; i++)
    {
      ClinicLockoutEvent *event = g_ptr_array_index (events, i);
      ClinicAuditActor actor = { 0, event->user[0] != '\0' ? event->user : "-" };
      g_autofree char *wait = NULL;
      const char *action;

      switch (event->kind)
        {
        case CLINIC_LOCKOUT_EVENT_LOCKED:
          action = "sign-in.locked-out";
          wait = g_strdup_printf ("%u", event->wait_seconds);
          break;
        case CLINIC_LOCKOUT_EVENT_FILE_RESET:
          action = "sign-in.counts-reset";
          break;
        case CLINIC_LOCKOUT_EVENT_FAILURE:
        default:
          action = "sign-in.failed";
          break;
        }

      if (!clinic_audit_append (db, NULL, &actor, event->time, action, "user", NULL, 0,
                                NULL, wait, error))
        return FALSE;
    }

  return TRUE;
}

ClinicSession *
clinic_session_start (ClinicDb  *db,
                      GError   **error)
{
  g_autoptr(ClinicSession) self = NULL;
  const char *opener;
  gboolean disabled = FALSE;

  g_return_val_if_fail (CLINIC_IS_DB (db), NULL);

  self = session_new (db);
  opener = clinic_db_get_opened_by (db);

  if (opener == NULL)
    {
      /* Whoever holds the recovery key holds the database: refusing them
       * anything would protect nothing, and they must be able to repair
       * passwords and key slots. */
      self->user_name = g_strdup (RECOVERY_USER);
      self->display_name = g_strdup (_("Recovery key"));
      self->kind = CLINIC_USER_STAFF;
      for (guint i = 0; i < CLINIC_N_PERMISSIONS; i++)
        self->permissions[i] = TRUE;
    }
  else
    {
      if (!load_user (self, opener, &disabled, error))
        return NULL;
      if (disabled)
        {
          g_set_error_literal (error, CLINIC_ERROR, CLINIC_ERROR_PERMISSION_DENIED,
                               _("This account has been disabled. An administrator can enable it again."));
          return NULL;
        }
      if (self->kind != CLINIC_USER_STAFF)
        {
          g_set_error_literal (error, CLINIC_ERROR, CLINIC_ERROR_PERMISSION_DENIED,
                               _("Patient accounts cannot open the database."));
          return NULL;
        }
    }

  if (!clinic_db_begin_write (db, error))
    return NULL;

  /* The recovery key lifts every lock-out (SECURITY.md: a passer-by must
   * not shut out the only administrator for long). */
  if (opener == NULL)
    {
      g_autofree char *lockout = clinic_paths_get_lockout_file (clinic_db_get_path (db));
      g_autoptr(GError) clear_error = NULL;

      if (!clinic_lockout_clear (lockout, NULL, &clear_error))
        g_warning ("Lock-outs could not be lifted: %s", clear_error->message);
      else if (!clinic_audit_append (db, self, NULL, 0, "sign-in.lockouts-cleared", "user", NULL,
                                     0, NULL, NULL, error))
        {
          clinic_db_rollback (db);
          return NULL;
        }
    }

  if (!audit_lockout_events (db, error) ||
      !clinic_audit_append (db, self, NULL, 0,
                            opener == NULL ? "sign-in.recovery-key" : "sign-in",
                            "user", self->user_name, 0, NULL, NULL, error) ||
      !clinic_db_commit (db, error))
    {
      clinic_db_rollback (db);
      return NULL;
    }

  return g_steal_pointer (&self);
}

static void
audit_failure (ClinicDb   *db,
               const char *name)
{
  ClinicAuditActor actor = { 0, name[0] != '\0' ? name : "-" };
  g_autoptr(GError) error = NULL;

  if (!clinic_audit_record (db, NULL, &actor, "sign-in.failed", "user", NULL, 0, NULL, NULL,
                            &error))
    g_warning ("A failed sign-in could not be audited: %s", error->message);
}

/* A patient account made at the kiosk signs in only once the front desk
 * has confirmed it (clinic-registration.h); a rejected one is disabled
 * and refused above. */
static gboolean
check_registration (ClinicSession  *self,
                    GError        **error)
{
  sqlite3_stmt *stmt;
  gboolean pending;
  int rc;

  stmt = clinic_db_prepare (self->db,
                            "SELECT 1 FROM self_registrations WHERE user_id = ?1 AND state = 'pending'",
                            error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, self->user_id);
  rc = sqlite3_step (stmt);
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      clinic_db_set_error (self->db, rc, error);
      return FALSE;
    }

  pending = rc == SQLITE_ROW;
  if (pending)
    g_set_error_literal (error, CLINIC_ERROR, CLINIC_ERROR_PERMISSION_DENIED,
                         _("Your registration is waiting for confirmation at the front desk."));
  return !pending;
}

ClinicSession *
clinic_session_sign_in (ClinicDb    *db,
                        const char  *user,
                        const char  *password,
                        GError     **error)
{
  g_autoptr(ClinicSession) self = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *name = NULL;
  g_autofree char *hash = NULL;
  g_autofree char *lockout = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  sqlite3_stmt *stmt;
  gboolean disabled = FALSE;
  guint wait = 0;

  g_return_val_if_fail (CLINIC_IS_DB (db), NULL);
  g_return_val_if_fail (user != NULL && password != NULL, NULL);

  name = clinic_user_name_normalize (user);
  lockout = clinic_paths_get_lockout_file (clinic_db_get_path (db));

  if (!clinic_lockout_check (lockout, name, NULL, now, &wait, &local_error))
    {
      g_set_error_literal (error, CLINIC_DB_ERROR,
                           g_error_matches (local_error, CLINIC_LOCKOUT_ERROR, CLINIC_LOCKOUT_ERROR_LOCKED_OUT)
                           ? CLINIC_DB_ERROR_LOCKED_OUT : CLINIC_DB_ERROR_FAILED,
                           local_error->message);
      return NULL;
    }

  stmt = clinic_db_prepare (db, "SELECT password_hash FROM users WHERE name = ?1", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, name, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    hash = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_reset (stmt);

  /* An unknown name costs a hash check too (against a dummy), so neither
   * the words nor the time tell which names exist. */
  if (!clinic_password_verify (hash, password))
    {
      clinic_lockout_record_failure (lockout, name, NULL, now, NULL);
      audit_failure (db, name);
      g_set_error_literal (error, CLINIC_DB_ERROR, CLINIC_DB_ERROR_WRONG_CREDENTIALS,
                           _("The user name or password is not right."));
      return NULL;
    }

  self = session_new (db);
  if (!load_user (self, name, &disabled, error))
    return NULL;
  if (disabled)
    {
      audit_failure (db, name);
      g_set_error_literal (error, CLINIC_ERROR, CLINIC_ERROR_PERMISSION_DENIED,
                           _("This account has been disabled. An administrator can enable it again."));
      return NULL;
    }
  /* Told only after the right password, like "disabled": a wrong one
   * gets the one message above, whatever the account's state. */
  if (!check_registration (self, error))
    {
      audit_failure (db, name);
      return NULL;
    }

  clinic_lockout_record_success (lockout, name, now, NULL);
  if (!clinic_audit_record (db, self, NULL, "sign-in", "user", self->user_name, 0, NULL, NULL,
                            error))
    return NULL;

  return g_steal_pointer (&self);
}

void
clinic_session_sign_out (ClinicSession *self)
{
  g_autoptr(GError) error = NULL;

  g_return_if_fail (CLINIC_IS_SESSION (self));

  if (!self->active)
    return;

  self->active = FALSE;
  if (clinic_db_ensure_open (self->db, NULL) &&
      !clinic_audit_record (self->db, self, NULL, "sign-out", "user", self->user_name, 0,
                            NULL, NULL, &error))
    g_warning ("A sign-out could not be audited: %s", error->message);
}

void
clinic_session_note_locked (ClinicSession *self)
{
  g_autoptr(GError) error = NULL;

  g_return_if_fail (CLINIC_IS_SESSION (self));

  if (self->active &&
      !clinic_audit_record (self->db, self, NULL, "lock", "user", self->user_name, 0,
                            NULL, NULL, &error))
    g_warning ("A lock could not be audited: %s", error->message);

  /* From now on nothing acts in this session's name: a dialog left open,
   * a file chooser answered late, all are refused by the core. Unlocking
   * signs in afresh. */
  self->locked = TRUE;
}

gboolean
clinic_session_refresh (ClinicSession  *self,
                        GError        **error)
{
  gboolean disabled = FALSE;

  g_return_val_if_fail (CLINIC_IS_SESSION (self), FALSE);

  if (self->user_id == 0)
    return TRUE;

  if (!load_user (self, self->user_name, &disabled, error))
    {
      self->active = FALSE;
      return FALSE;
    }
  if (disabled)
    {
      self->active = FALSE;
      g_set_error_literal (error, CLINIC_ERROR, CLINIC_ERROR_SIGNED_OUT,
                           _("This account has been disabled and is signed out."));
      return FALSE;
    }

  return TRUE;
}

ClinicSession *
clinic_session_new_for_thread (ClinicSession  *self,
                               GError        **error)
{
  g_autoptr(ClinicDb) db = NULL;
  ClinicSession *copy;

  g_return_val_if_fail (CLINIC_IS_SESSION (self), NULL);

  /* Only a session that may act now hands its rights on. */
  if (!self->active || self->locked)
    {
      g_set_error_literal (error, CLINIC_ERROR, CLINIC_ERROR_SIGNED_OUT,
                           self->locked ? _("Clinic is locked. Sign in again to go on.")
                                        : _("You are signed out. Sign in again to go on."));
      return NULL;
    }

  db = clinic_db_open_another (self->db, error);
  if (db == NULL)
    return NULL;

  copy = session_new (db);
  copy->user_id = self->user_id;
  copy->user_name = g_strdup (self->user_name);
  copy->display_name = g_strdup (self->display_name);
  copy->kind = self->kind;
  copy->role_id = self->role_id;
  copy->role_builtin = g_strdup (self->role_builtin);
  copy->patient_id = self->patient_id;
  memcpy (copy->permissions, self->permissions, sizeof copy->permissions);
  return copy;
}

ClinicDb *
clinic_session_get_db (ClinicSession *self)
{
  g_return_val_if_fail (CLINIC_IS_SESSION (self), NULL);

  return self->db;
}

gint64
clinic_session_get_user_id (ClinicSession *self)
{
  g_return_val_if_fail (CLINIC_IS_SESSION (self), 0);

  return self->user_id;
}

const char *
clinic_session_get_user_name (ClinicSession *self)
{
  g_return_val_if_fail (CLINIC_IS_SESSION (self), NULL);

  return self->user_name;
}

const char *
clinic_session_get_display_name (ClinicSession *self)
{
  g_return_val_if_fail (CLINIC_IS_SESSION (self), NULL);

  return self->display_name;
}

ClinicUserKind
clinic_session_get_kind (ClinicSession *self)
{
  g_return_val_if_fail (CLINIC_IS_SESSION (self), CLINIC_USER_PATIENT);

  return self->kind;
}

gint64
clinic_session_get_role_id (ClinicSession *self)
{
  g_return_val_if_fail (CLINIC_IS_SESSION (self), 0);

  return self->role_id;
}

const char *
clinic_session_get_role_builtin (ClinicSession *self)
{
  g_return_val_if_fail (CLINIC_IS_SESSION (self), NULL);

  return self->role_builtin;
}

gint64
clinic_session_get_patient_id (ClinicSession *self)
{
  g_return_val_if_fail (CLINIC_IS_SESSION (self), 0);

  return self->patient_id;
}

gboolean
clinic_session_is_active (ClinicSession *self)
{
  g_return_val_if_fail (CLINIC_IS_SESSION (self), FALSE);

  return self->active;
}

gboolean
clinic_session_is_recovery (ClinicSession *self)
{
  g_return_val_if_fail (CLINIC_IS_SESSION (self), FALSE);

  return self->active && self->user_id == 0 && g_strcmp0 (self->user_name, RECOVERY_USER) == 0;
}

gboolean
clinic_session_has_permission (ClinicSession    *self,
                               ClinicPermission  permission)
{
  g_return_val_if_fail (CLINIC_IS_SESSION (self), FALSE);
  g_return_val_if_fail (permission < CLINIC_N_PERMISSIONS, FALSE);

  return self->active && !self->locked && self->permissions[permission];
}

gboolean
clinic_session_require (ClinicSession     *self,
                        ClinicPermission   permission,
                        GError           **error)
{
  g_return_val_if_fail (permission < CLINIC_N_PERMISSIONS, FALSE);

  if (self == NULL || !CLINIC_IS_SESSION (self) || !self->active)
    {
      g_set_error_literal (error, CLINIC_ERROR, CLINIC_ERROR_SIGNED_OUT,
                           _("You are signed out. Sign in again to go on."));
      return FALSE;
    }

  if (self->locked)
    {
      g_set_error_literal (error, CLINIC_ERROR, CLINIC_ERROR_SIGNED_OUT,
                           _("Clinic is locked. Sign in again to go on."));
      return FALSE;
    }

  if (!self->permissions[permission])
    {
      g_set_error (error, CLINIC_ERROR, CLINIC_ERROR_PERMISSION_DENIED,
                   _("Your role does not allow this (“%s”). An administrator can change that in Profiles."),
                   clinic_permission_get_title (permission));
      return FALSE;
    }

  return TRUE;
}

gboolean
clinic_session_require_staff (ClinicSession     *self,
                              ClinicPermission   permission,
                              GError           **error)
{
  if (!clinic_session_require (self, permission, error))
    return FALSE;

  if (self->kind != CLINIC_USER_STAFF)
    {
      g_set_error_literal (error, CLINIC_ERROR, CLINIC_ERROR_PERMISSION_DENIED,
                           _("This is for the clinic’s staff only."));
      return FALSE;
    }

  return TRUE;
}

static void
clinic_session_dispose (GObject *object)
{
  ClinicSession *self = CLINIC_SESSION (object);

  g_clear_object (&self->db);

  G_OBJECT_CLASS (clinic_session_parent_class)->dispose (object);
}

static void
clinic_session_finalize (GObject *object)
{
  ClinicSession *self = CLINIC_SESSION (object);

  g_free (self->user_name);
  g_free (self->display_name);
  g_free (self->role_builtin);

  G_OBJECT_CLASS (clinic_session_parent_class)->finalize (object);
}

static void
clinic_session_class_init (ClinicSessionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = clinic_session_dispose;
  object_class->finalize = clinic_session_finalize;
}

static void
clinic_session_init (ClinicSession *self)
{
}
