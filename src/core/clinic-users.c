/* clinic-users.c — users, roles and the permission matrix
 *
 * Every change runs as: permission check, then one BEGIN IMMEDIATE
 * transaction holding the change, the lock-out check and the audit entry.
 *
 * The key slots file beside the database cannot join that transaction.
 * So each change that touches a slot writes it as the last step before
 * COMMIT, while the write lock is held (no other writer can slip in
 * between), and is ordered so that a failure at any step leaves the two
 * consistent, or at worst on the safe side:
 *
 *   create, enable     BEGIN, row, audit, add slot, COMMIT; if COMMIT
 *                      fails the slot is removed again.
 *   change own         BEGIN, hash, audit, change slot (old → new),
 *                      COMMIT; if COMMIT fails the slot is changed back
 *                      (new → old): both passwords are at hand.
 *   disable            BEGIN, row, audit, remove slot, COMMIT; if COMMIT
 *                      fails the slot stays removed: the account still
 *                      looks enabled but its password no longer opens the
 *                      database, which is the safe side; disabling again
 *                      finishes it.
 *   reset (staff)      BEGIN, hash, audit, remove slot, add slot, COMMIT.
 *                      The old password is not known, so neither a failed
 *                      add (no slot left) nor a failed COMMIT (the slot
 *                      has the new password, the hash the old one) can be
 *                      undone; the error says so and resetting again
 *                      finishes it.
 *
 * A slot write failing before COMMIT rolls the transaction back, so the
 * database never records a change the key file did not get.
 *
 * Permission changes take effect at once in the core (every check reads
 * the session's permissions, and the session re-reads them in
 * clinic_session_refresh()); the window calls clinic_session_refresh() on
 * the sessions it holds after each successful call here.
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "clinic-audit-private.h"
#include "clinic-db-private.h"
#include "clinic-lockout.h"
#include "clinic-password.h"
#include "clinic-paths.h"
#include "clinic-settings.h"
#include "clinic-users.h"
#include "clinic-users-private.h"

#define USER_NAME_MAX    64
#define DISPLAY_NAME_MAX 120
#define ROLE_NAME_MAX    60

void
clinic_user_free (ClinicUser *user)
{
  if (user == NULL)
    return;

  g_free (user->name);
  g_free (user->display_name);
  g_free (user->role_name);
  g_free (user);
}

void
clinic_role_free (ClinicRole *role)
{
  if (role == NULL)
    return;

  g_free (role->name);
  g_free (role->builtin);
  g_free (role);
}

/* --- Helpers ----------------------------------------------------------- */

static gboolean
has_control_characters (const char *text)
{
  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    if (g_unichar_iscntrl (g_utf8_get_char (p)))
      return TRUE;

  return FALSE;
}

/* Trims @text and checks it is 1..@max characters of valid UTF-8 without
 * control characters. (transfer full) NULL with CLINIC_ERROR_INVALID. */
static char *
check_label (const char  *text,
             guint        max,
             const char  *empty_message,
             const char  *long_message,
             GError     **error)
{
  g_autofree char *label = NULL;

  if (text == NULL || !g_utf8_validate (text, -1, NULL))
    {
      g_set_error_literal (error, CLINIC_ERROR, CLINIC_ERROR_INVALID,
                           _("The name is not valid text."));
      return NULL;
    }

  label = g_strstrip (g_strdup (text));
  if (label[0] == '\0')
    {
      g_set_error_literal (error, CLINIC_ERROR, CLINIC_ERROR_INVALID, empty_message);
      return NULL;
    }
  if (g_utf8_strlen (label, -1) > (glong) max)
    {
      g_set_error_literal (error, CLINIC_ERROR, CLINIC_ERROR_INVALID, long_message);
      return NULL;
    }
  if (has_control_characters (label))
    {
      g_set_error_literal (error, CLINIC_ERROR, CLINIC_ERROR_INVALID,
                           _("A name cannot contain tabs, line breaks or other control characters."));
      return NULL;
    }

  return g_steal_pointer (&label);
}

static char *
check_user_name (const char  *name,
                 GError     **error)
{
  g_autofree char *normalized = NULL;
  g_autofree char *too_long = NULL;

  if (name == NULL || has_control_characters (name))
    {
      g_set_error_literal (error, CLINIC_ERROR, CLINIC_ERROR_INVALID,
                           _("A sign-in name cannot contain tabs, line breaks or other control characters."));
      return NULL;
    }

  normalized = clinic_user_name_normalize (name);
  too_long = g_strdup_printf (_("A sign-in name can have at most %u characters."), USER_NAME_MAX);
  return check_label (normalized, USER_NAME_MAX, _("The sign-in name is empty."), too_long, error);
}

static char *
check_display_name (const char  *name,
                    GError     **error)
{
  g_autofree char *too_long =
    g_strdup_printf (_("A name to show can have at most %u characters."), DISPLAY_NAME_MAX);

  return check_label (name, DISPLAY_NAME_MAX, _("The name to show is empty."), too_long, error);
}

static char *
check_role_name (const char  *name,
                 GError     **error)
{
  g_autofree char *too_long =
    g_strdup_printf (_("A role name can have at most %u characters."), ROLE_NAME_MAX);

  return check_label (name, ROLE_NAME_MAX, _("A role needs a name."), too_long, error);
}

static gboolean
audit (ClinicDb       *db,
       ClinicSession  *session,
       const char     *action,
       const char     *object_type,
       gint64          object_id,
       const char     *old_value,
       const char     *new_value,
       GError        **error)
{
  g_autofree char *id = g_strdup_printf ("%" G_GINT64_FORMAT, object_id);

  return clinic_audit_append (db, session, NULL, 0, action, object_type, id, 0,
                              old_value, new_value, error);
}

/* The policy of the settings for @kind. */
static gboolean
check_password (ClinicDb        *db,
                ClinicUserKind   kind,
                const char      *password,
                const char      *user_name,
                GError         **error)
{
  ClinicSettings *settings = clinic_settings_get_for_db (db);
  gint64 min_length = clinic_settings_get_int (settings,
                                               kind == CLINIC_USER_PATIENT
                                               ? "security.min-patient-password-length"
                                               : "security.min-password-length");

  if (password == NULL)
    {
      g_set_error_literal (error, CLINIC_ERROR, CLINIC_ERROR_INVALID,
                           _("A password is needed."));
      return FALSE;
    }

  return clinic_password_check_policy (password, (guint) MAX (min_length, 1), user_name, error);
}

/* Refuses (CONFLICT) when, inside the caller's transaction, no active
 * staff user is left whose role may manage users: the clinic would have
 * locked itself out of its own Profiles view. Only the recovery key could
 * undo that. */
static gboolean
check_managers_left (ClinicDb  *db,
                     GError   **error)
{
  sqlite3_stmt *stmt;
  gint64 n;
  int rc;

  stmt = clinic_db_prepare (db,
                            "SELECT count(*) FROM users u "
                            "WHERE u.kind = 'staff' AND u.disabled = 0 AND EXISTS "
                            "  (SELECT 1 FROM role_permissions p "
                            "   WHERE p.role_id = u.role_id AND p.permission = ?1)",
                            error);
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_text (stmt, 1, clinic_permission_get_id (CLINIC_PERMISSION_USERS), -1,
                     SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  n = rc == SQLITE_ROW ? sqlite3_column_int64 (stmt, 0) : 0;
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW)
    {
      clinic_db_set_error (db, rc, error);
      return FALSE;
    }

  if (n == 0)
    {
      g_set_error_literal (error, CLINIC_ERROR, CLINIC_ERROR_CONFLICT,
                           _("This would leave nobody who can manage users, and the clinic would lock itself out. Give another active staff member a role that can manage users first."));
      return FALSE;
    }

  return TRUE;
}

/* --- Reading rows ------------------------------------------------------ */

#define USER_COLUMNS \
  "SELECT u.id, u.name, u.display_name, u.role_id, r.name, u.kind, u.disabled, " \
  "       u.patient_id, u.created_at " \
  "FROM users u JOIN roles r ON r.id = u.role_id "

static ClinicUser *
user_from_row (sqlite3_stmt *stmt)
{
  ClinicUser *user = g_new0 (ClinicUser, 1);

  user->id = sqlite3_column_int64 (stmt, 0);
  user->name = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
  user->display_name = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
  user->role_id = sqlite3_column_int64 (stmt, 3);
  user->role_name = g_strdup ((const char *) sqlite3_column_text (stmt, 4));
  user->kind = g_strcmp0 ((const char *) sqlite3_column_text (stmt, 5), "patient") == 0
               ? CLINIC_USER_PATIENT : CLINIC_USER_STAFF;
  user->disabled = sqlite3_column_int (stmt, 6) != 0;
  user->patient_id = sqlite3_column_int64 (stmt, 7);
  user->created_at = sqlite3_column_int64 (stmt, 8);

  return user;
}

static ClinicUser *
lookup_user (ClinicDb  *db,
             gint64     user_id,
             GError   **error)
{
  sqlite3_stmt *stmt = clinic_db_prepare (db, USER_COLUMNS "WHERE u.id = ?1", error);
  ClinicUser *user = NULL;
  int rc;

  if (stmt == NULL)
    return NULL;

  sqlite3_bind_int64 (stmt, 1, user_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    user = user_from_row (stmt);
  else if (rc == SQLITE_DONE)
    g_set_error_literal (error, CLINIC_ERROR, CLINIC_ERROR_NOT_FOUND,
                         _("This user does not exist (any more)."));
  else
    clinic_db_set_error (db, rc, error);
  sqlite3_reset (stmt);

  return user;
}

static gboolean
load_permissions (ClinicDb    *db,
                  ClinicRole  *role,
                  GError     **error)
{
  sqlite3_stmt *stmt;
  int rc;

  stmt = clinic_db_prepare (db, "SELECT permission FROM role_permissions WHERE role_id = ?1",
                            error);
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, role->id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      ClinicPermission permission;

      if (clinic_permission_from_id ((const char *) sqlite3_column_text (stmt, 0), &permission))
        role->permissions[permission] = TRUE;
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      clinic_db_set_error (db, rc, error);
      return FALSE;
    }

  return TRUE;
}

#define ROLE_COLUMNS \
  "SELECT r.id, r.name, r.builtin, " \
  "       (SELECT count(*) FROM users u WHERE u.role_id = r.id) " \
  "FROM roles r "

static ClinicRole *
role_from_row (sqlite3_stmt *stmt)
{
  ClinicRole *role = g_new0 (ClinicRole, 1);

  role->id = sqlite3_column_int64 (stmt, 0);
  role->name = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
  role->builtin = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
  role->n_users = (guint) sqlite3_column_int64 (stmt, 3);

  return role;
}

static ClinicRole *
lookup_role (ClinicDb  *db,
             gint64     role_id,
             GError   **error)
{
  sqlite3_stmt *stmt = clinic_db_prepare (db, ROLE_COLUMNS "WHERE r.id = ?1", error);
  g_autoptr(ClinicRole) role = NULL;
  int rc;

  if (stmt == NULL)
    return NULL;

  sqlite3_bind_int64 (stmt, 1, role_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    role = role_from_row (stmt);
  else if (rc == SQLITE_DONE)
    g_set_error_literal (error, CLINIC_ERROR, CLINIC_ERROR_NOT_FOUND,
                         _("This role does not exist (any more)."));
  else
    clinic_db_set_error (db, rc, error);
  sqlite3_reset (stmt);

  if (role == NULL || !load_permissions (db, role, error))
    return NULL;

  return g_steal_pointer (&role);
}

static gint64
lookup_patient_role (ClinicDb  *db,
                     GError   **error)
{
  sqlite3_stmt *stmt = clinic_db_prepare (db, "SELECT id FROM roles WHERE builtin = 'patient'",
                                          error);
  gint64 id = 0;
  int rc;

  if (stmt == NULL)
    return 0;

  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    id = sqlite3_column_int64 (stmt, 0);
  else if (rc == SQLITE_DONE)
    g_set_error_literal (error, CLINIC_ERROR, CLINIC_ERROR_NOT_FOUND,
                         _("The built-in patient role is missing."));
  else
    clinic_db_set_error (db, rc, error);
  sqlite3_reset (stmt);

  return id;
}

/* TRUE when @sql (one bound text and one bound id) finds a row. */
static gboolean
name_taken (ClinicDb    *db,
            const char  *sql,
            const char  *name,
            gint64       except_id,
            gboolean    *taken,
            GError     **error)
{
  sqlite3_stmt *stmt = clinic_db_prepare (db, sql, error);
  int rc;

  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_text (stmt, 1, name, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 2, except_id);
  rc = sqlite3_step (stmt);
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      clinic_db_set_error (db, rc, error);
      return FALSE;
    }

  *taken = rc == SQLITE_ROW;
  return TRUE;
}

/* --- Roles ------------------------------------------------------------- */

GPtrArray *
clinic_roles_list (ClinicSession  *session,
                   GError        **error)
{
  g_autoptr(GPtrArray) roles = NULL;
  sqlite3_stmt *stmt;
  ClinicDb *db;
  int rc;

  if (!clinic_session_require_staff (session, CLINIC_PERMISSION_USERS, error))
    return NULL;

  db = clinic_session_get_db (session);
  /* The built-in roles in their fixed order, then custom ones by name. */
  stmt = clinic_db_prepare (db,
                            ROLE_COLUMNS
                            "ORDER BY r.builtin IS NULL, "
                            "  CASE WHEN r.builtin IS NULL THEN r.name END COLLATE NOCASE, r.id",
                            error);
  if (stmt == NULL)
    return NULL;

  roles = g_ptr_array_new_with_free_func ((GDestroyNotify) clinic_role_free);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (roles, role_from_row (stmt));
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      clinic_db_set_error (db, rc, error);
      return NULL;
    }

  for (guint i = 0; i < roles->len; i++)
    if (!load_permissions (db, g_ptr_array_index (roles, i), error))
      return NULL;

  return g_steal_pointer (&roles);
}

gint64
clinic_roles_create (ClinicSession  *session,
                     const char     *name,
                     GError        **error)
{
  g_autofree char *label = NULL;
  sqlite3_stmt *stmt;
  gboolean taken = FALSE;
  ClinicDb *db;
  gint64 id;

  if (!clinic_session_require_staff (session, CLINIC_PERMISSION_USERS, error))
    return 0;

  label = check_role_name (name, error);
  if (label == NULL)
    return 0;

  db = clinic_session_get_db (session);
  if (!clinic_db_begin_write (db, error))
    return 0;

  /* roles.name is COLLATE NOCASE: "doctor" is taken by "Doctor". */
  if (!name_taken (db, "SELECT 1 FROM roles WHERE name = ?1 AND id != ?2", label, 0, &taken, error))
    goto fail;
  if (taken)
    {
      g_set_error (error, CLINIC_ERROR, CLINIC_ERROR_CONFLICT,
                   _("There is already a role called “%s”."), label);
      goto fail;
    }

  stmt = clinic_db_prepare (db, "INSERT INTO roles (name, builtin, created_at) VALUES (?1, NULL, ?2)",
                            error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_text (stmt, 1, label, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 2, g_get_real_time () / G_USEC_PER_SEC);
  if (!clinic_db_step_done (db, stmt, error))
    goto fail;
  id = sqlite3_last_insert_rowid (clinic_db_get_handle (db));

  if (!audit (db, session, "role.created", "role", id, NULL, label, error) ||
      !clinic_db_commit (db, error))
    goto fail;

  return id;

fail:
  clinic_db_rollback (db);
  return 0;
}

gboolean
clinic_roles_rename (ClinicSession  *session,
                     gint64          role_id,
                     const char     *name,
                     GError        **error)
{
  g_autofree char *label = NULL;
  g_autoptr(ClinicRole) role = NULL;
  sqlite3_stmt *stmt;
  gboolean taken = FALSE;
  ClinicDb *db;

  if (!clinic_session_require_staff (session, CLINIC_PERMISSION_USERS, error))
    return FALSE;

  label = check_role_name (name, error);
  if (label == NULL)
    return FALSE;

  db = clinic_session_get_db (session);
  if (!clinic_db_begin_write (db, error))
    return FALSE;

  role = lookup_role (db, role_id, error);
  if (role == NULL)
    goto fail;

  /* Nothing to change, nothing to audit. */
  if (g_strcmp0 (role->name, label) == 0)
    {
      clinic_db_rollback (db);
      return TRUE;
    }

  if (!name_taken (db, "SELECT 1 FROM roles WHERE name = ?1 AND id != ?2", label, role_id,
                   &taken, error))
    goto fail;
  if (taken)
    {
      g_set_error (error, CLINIC_ERROR, CLINIC_ERROR_CONFLICT,
                   _("There is already a role called “%s”."), label);
      goto fail;
    }

  stmt = clinic_db_prepare (db, "UPDATE roles SET name = ?1 WHERE id = ?2", error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_text (stmt, 1, label, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 2, role_id);
  if (!clinic_db_step_done (db, stmt, error) ||
      !audit (db, session, "role.renamed", "role", role_id, role->name, label, error) ||
      !clinic_db_commit (db, error))
    goto fail;

  return TRUE;

fail:
  clinic_db_rollback (db);
  return FALSE;
}

gboolean
clinic_roles_delete (ClinicSession  *session,
                     gint64          role_id,
                     GError        **error)
{
  g_autoptr(ClinicRole) role = NULL;
  sqlite3_stmt *stmt;
  ClinicDb *db;

  if (!clinic_session_require_staff (session, CLINIC_PERMISSION_USERS, error))
    return FALSE;

  db = clinic_session_get_db (session);
  if (!clinic_db_begin_write (db, error))
    return FALSE;

  role = lookup_role (db, role_id, error);
  if (role == NULL)
    goto fail;

  if (role->builtin != NULL)
    {
      g_set_error (error, CLINIC_ERROR, CLINIC_ERROR_CONFLICT,
                   _("“%s” is a built-in role; it can be renamed and its permissions changed, but it cannot be deleted."),
                   role->name);
      goto fail;
    }

  /* Disabled users count too: enabling them must find their role. */
  if (role->n_users > 0)
    {
      g_set_error (error, CLINIC_ERROR, CLINIC_ERROR_CONFLICT,
                   g_dngettext (GETTEXT_PACKAGE,
                                "“%s” is still the role of %u user; give them another role first.",
                                "“%s” is still the role of %u users; give them another role first.",
                                role->n_users),
                   role->name, role->n_users);
      goto fail;
    }

  /* role_permissions go with it (ON DELETE CASCADE). */
  stmt = clinic_db_prepare (db, "DELETE FROM roles WHERE id = ?1", error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_int64 (stmt, 1, role_id);
  if (!clinic_db_step_done (db, stmt, error) ||
      !audit (db, session, "role.deleted", "role", role_id, role->name, NULL, error) ||
      !clinic_db_commit (db, error))
    goto fail;

  return TRUE;

fail:
  clinic_db_rollback (db);
  return FALSE;
}

gboolean
clinic_roles_set_permission (ClinicSession     *session,
                             gint64             role_id,
                             ClinicPermission   permission,
                             gboolean           granted,
                             GError           **error)
{
  g_autoptr(ClinicRole) role = NULL;
  const char *permission_id;
  sqlite3_stmt *stmt;
  ClinicDb *db;

  g_return_val_if_fail (permission < CLINIC_N_PERMISSIONS, FALSE);

  if (!clinic_session_require_staff (session, CLINIC_PERMISSION_USERS, error))
    return FALSE;

  granted = !!granted;
  permission_id = clinic_permission_get_id (permission);
  db = clinic_session_get_db (session);
  if (!clinic_db_begin_write (db, error))
    return FALSE;

  role = lookup_role (db, role_id, error);
  if (role == NULL)
    goto fail;

  if (role->permissions[permission] == granted)
    {
      clinic_db_rollback (db);
      return TRUE;
    }

  stmt = clinic_db_prepare (db,
                            granted
                            ? "INSERT INTO role_permissions (role_id, permission) VALUES (?1, ?2)"
                            : "DELETE FROM role_permissions WHERE role_id = ?1 AND permission = ?2",
                            error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_int64 (stmt, 1, role_id);
  sqlite3_bind_text (stmt, 2, permission_id, -1, SQLITE_STATIC);
  if (!clinic_db_step_done (db, stmt, error))
    goto fail;

  if (!granted && permission == CLINIC_PERMISSION_USERS && !check_managers_left (db, error))
    goto fail;

  if (!audit (db, session, granted ? "role.permission-granted" : "role.permission-revoked",
              "role", role_id, NULL, permission_id, error) ||
      !clinic_db_commit (db, error))
    goto fail;

  return TRUE;

fail:
  clinic_db_rollback (db);
  return FALSE;
}

/* --- Users ------------------------------------------------------------- */

GPtrArray *
clinic_users_list (ClinicSession  *session,
                   GError        **error)
{
  g_autoptr(GPtrArray) users = NULL;
  sqlite3_stmt *stmt;
  ClinicDb *db;
  int rc;

  if (!clinic_session_require_staff (session, CLINIC_PERMISSION_USERS, error))
    return NULL;

  db = clinic_session_get_db (session);
  stmt = clinic_db_prepare (db, USER_COLUMNS "ORDER BY u.display_name COLLATE NOCASE, u.id",
                            error);
  if (stmt == NULL)
    return NULL;

  users = g_ptr_array_new_with_free_func ((GDestroyNotify) clinic_user_free);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (users, user_from_row (stmt));
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      clinic_db_set_error (db, rc, error);
      return NULL;
    }

  /* Who waits after failed sign-ins, for the administrator to see and
   * lift (the counts live beside the database, not in it). */
  {
    g_autofree char *lockout = clinic_paths_get_lockout_file (clinic_db_get_path (db));
    gint64 now = g_get_real_time () / G_USEC_PER_SEC;

    for (guint i = 0; i < users->len; i++)
      {
        ClinicUser *user = g_ptr_array_index (users, i);
        guint wait = 0;

        if (!clinic_lockout_check (lockout, user->name, NULL, now, &wait, NULL))
          user->lockout_wait = wait;
      }
  }

  return g_steal_pointer (&users);
}

ClinicUser *
clinic_users_lookup_by_name (ClinicSession  *session,
                             const char     *name,
                             GError        **error)
{
  g_autofree char *normalized = NULL;
  sqlite3_stmt *stmt;
  ClinicUser *user = NULL;
  ClinicDb *db;
  int rc;

  if (!clinic_session_require_staff (session, CLINIC_PERMISSION_USERS, error))
    return NULL;

  g_return_val_if_fail (name != NULL, NULL);

  normalized = clinic_user_name_normalize (name);
  db = clinic_session_get_db (session);
  stmt = clinic_db_prepare (db, USER_COLUMNS "WHERE u.name = ?1", error);
  if (stmt == NULL)
    return NULL;

  sqlite3_bind_text (stmt, 1, normalized, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    user = user_from_row (stmt);
  else if (rc == SQLITE_DONE)
    g_set_error (error, CLINIC_ERROR, CLINIC_ERROR_NOT_FOUND,
                 _("There is no user called “%s”."), normalized);
  else
    clinic_db_set_error (db, rc, error);
  sqlite3_reset (stmt);

  return user;
}

gboolean
clinic_users_check_new (ClinicDb        *db,
                        const char      *name,
                        const char      *display_name,
                        ClinicUserKind   kind,
                        const char      *password,
                        char           **out_name,
                        char           **out_label,
                        GError         **error)
{
  g_autofree char *user_name = NULL;
  g_autofree char *label = NULL;

  user_name = check_user_name (name, error);
  if (user_name == NULL)
    return FALSE;
  label = check_display_name (display_name, error);
  if (label == NULL)
    return FALSE;
  if (!check_password (db, kind, password, user_name, error))
    return FALSE;

  *out_name = g_steal_pointer (&user_name);
  *out_label = g_steal_pointer (&label);
  return TRUE;
}

gint64
clinic_users_insert_row (ClinicDb        *db,
                         const char      *user_name,
                         const char      *label,
                         ClinicUserKind   kind,
                         gint64           role_id,
                         const char      *hash,
                         gint64           patient_id,
                         GError         **error)
{
  g_autoptr(ClinicRole) role = NULL;
  sqlite3_stmt *stmt;
  gboolean taken = FALSE;

  if (kind == CLINIC_USER_PATIENT && role_id == 0)
    {
      role_id = lookup_patient_role (db, error);
      if (role_id == 0)
        return 0;
    }
  role = lookup_role (db, role_id, error);
  if (role == NULL)
    return 0;
  if (kind == CLINIC_USER_PATIENT && g_strcmp0 (role->builtin, "patient") != 0)
    {
      g_set_error_literal (error, CLINIC_ERROR, CLINIC_ERROR_INVALID,
                           _("A patient account always has the patient role."));
      return 0;
    }
  if (kind == CLINIC_USER_STAFF && g_strcmp0 (role->builtin, "patient") == 0)
    {
      g_set_error_literal (error, CLINIC_ERROR, CLINIC_ERROR_INVALID,
                           _("The patient role is only for patient accounts; choose a staff role."));
      return 0;
    }

  if (!name_taken (db, "SELECT 1 FROM users WHERE name = ?1 AND id != ?2", user_name, 0,
                   &taken, error))
    return 0;
  if (taken)
    {
      g_set_error (error, CLINIC_ERROR, CLINIC_ERROR_CONFLICT,
                   _("The sign-in name “%s” is taken; choose another one."), user_name);
      return 0;
    }

  stmt = clinic_db_prepare (db,
                            "INSERT INTO users (name, display_name, role_id, kind, password_hash, created_at,"
                            " patient_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                            error);
  if (stmt == NULL)
    return 0;
  sqlite3_bind_text (stmt, 1, user_name, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, label, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 3, role_id);
  sqlite3_bind_text (stmt, 4, kind == CLINIC_USER_PATIENT ? "patient" : "staff", -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 5, hash, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 6, g_get_real_time () / G_USEC_PER_SEC);
  if (patient_id > 0)
    sqlite3_bind_int64 (stmt, 7, patient_id);
  else
    sqlite3_bind_null (stmt, 7);
  if (!clinic_db_step_done (db, stmt, error))
    return 0;
  return sqlite3_last_insert_rowid (clinic_db_get_handle (db));
}

gint64
clinic_users_create (ClinicSession          *session,
                     const char             *name,
                     const char             *display_name,
                     ClinicUserKind          kind,
                     gint64                  role_id,
                     const char             *password,
                     const ClinicKdfLimits  *limits,
                     GError                **error)
{
  g_autofree char *user_name = NULL;
  g_autofree char *label = NULL;
  g_autofree char *hash = NULL;
  g_autoptr(GError) local_error = NULL;
  ClinicDb *db;
  gint64 id;

  if (!clinic_session_require_staff (session, CLINIC_PERMISSION_USERS, error))
    return 0;

  g_return_val_if_fail (kind == CLINIC_USER_STAFF || kind == CLINIC_USER_PATIENT, 0);

  db = clinic_session_get_db (session);
  if (!clinic_users_check_new (db, name, display_name, kind, password, &user_name, &label, error))
    return 0;

  /* Argon2id before the write lock is taken: the hash needs no database. */
  hash = clinic_password_hash (password, limits, error);
  if (hash == NULL)
    return 0;

  if (!clinic_db_begin_write (db, error))
    return 0;

  id = clinic_users_insert_row (db, user_name, label, kind, role_id, hash, 0, error);
  if (id == 0)
    goto fail;

  if (!audit (db, session, "user.created", "user", id, NULL, user_name, error))
    goto fail;

  /* The slot last before COMMIT (see the top of this file). */
  if (kind == CLINIC_USER_STAFF &&
      !clinic_db_add_staff_key (db, user_name, password, limits, error))
    goto fail;

  if (!clinic_db_commit (db, error))
    {
      if (kind == CLINIC_USER_STAFF &&
          !clinic_db_remove_staff_key (db, user_name, &local_error))
        g_warning ("The key slot of a user whose creation failed could not be removed: %s",
                   local_error->message);
      return 0;
    }

  return id;

fail:
  clinic_db_rollback (db);
  return 0;
}

gboolean
clinic_users_set_role (ClinicSession  *session,
                       gint64          user_id,
                       gint64          role_id,
                       GError        **error)
{
  g_autoptr(ClinicUser) user = NULL;
  g_autoptr(ClinicRole) role = NULL;
  sqlite3_stmt *stmt;
  ClinicDb *db;

  if (!clinic_session_require_staff (session, CLINIC_PERMISSION_USERS, error))
    return FALSE;

  db = clinic_session_get_db (session);
  if (!clinic_db_begin_write (db, error))
    return FALSE;

  user = lookup_user (db, user_id, error);
  if (user == NULL)
    goto fail;
  role = lookup_role (db, role_id, error);
  if (role == NULL)
    goto fail;

  if (user->kind == CLINIC_USER_PATIENT)
    {
      g_set_error_literal (error, CLINIC_ERROR, CLINIC_ERROR_INVALID,
                           _("A patient account always has the patient role."));
      goto fail;
    }
  if (g_strcmp0 (role->builtin, "patient") == 0)
    {
      g_set_error_literal (error, CLINIC_ERROR, CLINIC_ERROR_INVALID,
                           _("The patient role is only for patient accounts; choose a staff role."));
      goto fail;
    }
  if (user->role_id == role_id)
    {
      clinic_db_rollback (db);
      return TRUE;
    }

  stmt = clinic_db_prepare (db, "UPDATE users SET role_id = ?1 WHERE id = ?2", error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_int64 (stmt, 1, role_id);
  sqlite3_bind_int64 (stmt, 2, user_id);
  if (!clinic_db_step_done (db, stmt, error) ||
      !check_managers_left (db, error) ||
      !audit (db, session, "user.role-changed", "user", user_id, user->role_name, role->name,
              error) ||
      !clinic_db_commit (db, error))
    goto fail;

  return TRUE;

fail:
  clinic_db_rollback (db);
  return FALSE;
}

gboolean
clinic_users_set_display_name (ClinicSession  *session,
                               gint64          user_id,
                               const char     *display_name,
                               GError        **error)
{
  g_autoptr(ClinicUser) user = NULL;
  g_autofree char *label = NULL;
  sqlite3_stmt *stmt;
  ClinicDb *db;

  if (!clinic_session_require_staff (session, CLINIC_PERMISSION_USERS, error))
    return FALSE;

  label = check_display_name (display_name, error);
  if (label == NULL)
    return FALSE;

  db = clinic_session_get_db (session);
  if (!clinic_db_begin_write (db, error))
    return FALSE;

  user = lookup_user (db, user_id, error);
  if (user == NULL)
    goto fail;
  if (g_strcmp0 (user->display_name, label) == 0)
    {
      clinic_db_rollback (db);
      return TRUE;
    }

  stmt = clinic_db_prepare (db, "UPDATE users SET display_name = ?1 WHERE id = ?2", error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_text (stmt, 1, label, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 2, user_id);
  if (!clinic_db_step_done (db, stmt, error) ||
      !audit (db, session, "user.renamed", "user", user_id, user->display_name, label, error) ||
      !clinic_db_commit (db, error))
    goto fail;

  return TRUE;

fail:
  clinic_db_rollback (db);
  return FALSE;
}

/* Adds @user's slot; a slot left behind by an earlier failure (a disable
 * whose COMMIT failed never leaves one, but a restored key file might) is
 * replaced. */
static gboolean
add_slot_replacing (ClinicDb               *db,
                    const char             *user,
                    const char             *password,
                    const ClinicKdfLimits  *limits,
                    GError                **error)
{
  g_autoptr(GError) local_error = NULL;

  if (clinic_db_add_staff_key (db, user, password, limits, &local_error))
    return TRUE;

  if (!g_error_matches (local_error, CLINIC_DB_ERROR, CLINIC_DB_ERROR_EXISTS))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  return clinic_db_remove_staff_key (db, user, error) &&
         clinic_db_add_staff_key (db, user, password, limits, error);
}

/* Removes @user's slot; one already gone (a key file re-made after it was
 * lost) is what was wanted. */
static gboolean
remove_slot_if_there (ClinicDb    *db,
                      const char  *user,
                      GError     **error)
{
  g_autoptr(GError) local_error = NULL;

  if (clinic_db_remove_staff_key (db, user, &local_error))
    return TRUE;

  /* NO_SUCH_USER is reported as INVALID by clinic-db.c. */
  if (g_error_matches (local_error, CLINIC_DB_ERROR, CLINIC_DB_ERROR_INVALID))
    return TRUE;

  g_propagate_error (error, g_steal_pointer (&local_error));
  return FALSE;
}

gboolean
clinic_users_set_disabled (ClinicSession          *session,
                           gint64                  user_id,
                           gboolean                disabled,
                           const char             *password,
                           const ClinicKdfLimits  *limits,
                           GError                **error)
{
  g_autoptr(ClinicUser) user = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *hash = NULL;
  sqlite3_stmt *stmt;
  ClinicDb *db;

  if (!clinic_session_require_staff (session, CLINIC_PERMISSION_USERS, error))
    return FALSE;

  disabled = !!disabled;
  db = clinic_session_get_db (session);

  if (disabled && user_id == clinic_session_get_user_id (session))
    {
      g_set_error_literal (error, CLINIC_ERROR, CLINIC_ERROR_CONFLICT,
                           _("You cannot disable your own account."));
      return FALSE;
    }

  /* Enabling: the new password is checked and hashed before the write
   * lock; that needs the user's kind and name, read again under the lock
   * below. */
  if (!disabled)
    {
      g_autoptr(ClinicUser) peek = lookup_user (db, user_id, error);

      if (peek == NULL ||
          !check_password (db, peek->kind, password, peek->name, error))
        return FALSE;
      hash = clinic_password_hash (password, limits, error);
      if (hash == NULL)
        return FALSE;
    }

  if (!clinic_db_begin_write (db, error))
    return FALSE;

  user = lookup_user (db, user_id, error);
  if (user == NULL)
    goto fail;

  if (user->disabled == disabled)
    {
      if (disabled)
        {
          /* Already done; nothing to audit. */
          clinic_db_rollback (db);
          return TRUE;
        }
      g_set_error (error, CLINIC_ERROR, CLINIC_ERROR_CONFLICT,
                   _("The account “%s” is not disabled."), user->name);
      goto fail;
    }

  if (disabled)
    {
      stmt = clinic_db_prepare (db, "UPDATE users SET disabled = 1 WHERE id = ?1", error);
      if (stmt == NULL)
        goto fail;
      sqlite3_bind_int64 (stmt, 1, user_id);
      if (!clinic_db_step_done (db, stmt, error) ||
          !check_managers_left (db, error) ||
          !audit (db, session, "user.disabled", "user", user_id, NULL, NULL, error))
        goto fail;

      /* The slot last before COMMIT (see the top of this file). */
      if (user->kind == CLINIC_USER_STAFF && !remove_slot_if_there (db, user->name, error))
        goto fail;

      if (!clinic_db_commit (db, error))
        {
          if (user->kind == CLINIC_USER_STAFF)
            g_prefix_error (error, "%s ",
                            _("The account’s password no longer opens the database, but the account could not be marked disabled; disable it again."));
          return FALSE;
        }

      return TRUE;
    }

  stmt = clinic_db_prepare (db, "UPDATE users SET disabled = 0, password_hash = ?1 WHERE id = ?2",
                            error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_text (stmt, 1, hash, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 2, user_id);
  if (!clinic_db_step_done (db, stmt, error) ||
      !audit (db, session, "user.enabled", "user", user_id, NULL, NULL, error))
    goto fail;

  if (user->kind == CLINIC_USER_STAFF &&
      !add_slot_replacing (db, user->name, password, limits, error))
    goto fail;

  if (!clinic_db_commit (db, error))
    {
      if (user->kind == CLINIC_USER_STAFF &&
          !clinic_db_remove_staff_key (db, user->name, &local_error))
        g_warning ("The key slot of a user whose enabling failed could not be removed: %s",
                   local_error->message);
      return FALSE;
    }

  return TRUE;

fail:
  clinic_db_rollback (db);
  return FALSE;
}

gboolean
clinic_users_reset_password (ClinicSession          *session,
                             gint64                  user_id,
                             const char             *new_password,
                             const ClinicKdfLimits  *limits,
                             GError                **error)
{
  g_autoptr(ClinicUser) user = NULL;
  g_autofree char *hash = NULL;
  sqlite3_stmt *stmt;
  ClinicDb *db;

  if (!clinic_session_require_staff (session, CLINIC_PERMISSION_USERS, error))
    return FALSE;

  db = clinic_session_get_db (session);

  /* Kind and name never change, so the policy check and the hash may use
   * a read from before the write lock. */
  user = lookup_user (db, user_id, error);
  if (user == NULL ||
      !check_password (db, user->kind, new_password, user->name, error))
    return FALSE;
  hash = clinic_password_hash (new_password, limits, error);
  if (hash == NULL)
    return FALSE;

  if (!clinic_db_begin_write (db, error))
    return FALSE;

  g_clear_pointer (&user, clinic_user_free);
  user = lookup_user (db, user_id, error);
  if (user == NULL)
    goto fail;
  if (user->disabled)
    {
      /* A disabled staff account must not get a slot back this way. */
      g_set_error (error, CLINIC_ERROR, CLINIC_ERROR_CONFLICT,
                   _("The account “%s” is disabled; enabling it sets a new password."),
                   user->name);
      goto fail;
    }

  stmt = clinic_db_prepare (db, "UPDATE users SET password_hash = ?1 WHERE id = ?2", error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_text (stmt, 1, hash, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 2, user_id);
  if (!clinic_db_step_done (db, stmt, error) ||
      !audit (db, session, "user.password-reset", "user", user_id, NULL, NULL, error))
    goto fail;

  if (user->kind == CLINIC_USER_STAFF)
    {
      /* The database holds the key, so a fresh slot needs no old
       * password. A slot missing already (key file re-made after a loss,
       * opened with the recovery key) is simply added. */
      if (!remove_slot_if_there (db, user->name, error))
        goto fail;
      if (!clinic_db_add_staff_key (db, user->name, new_password, limits, error))
        {
          g_prefix_error (error, "%s ",
                          _("The old password no longer opens the database and the new one could not be stored; reset the password again."));
          goto fail;
        }
    }

  if (!clinic_db_commit (db, error))
    {
      if (user->kind == CLINIC_USER_STAFF)
        g_prefix_error (error, "%s ",
                        _("The new password opens the database already, but the lock screen still expects the old one; reset the password again."));
      return FALSE;
    }

  return TRUE;

fail:
  clinic_db_rollback (db);
  return FALSE;
}

gboolean
clinic_users_change_own_password (ClinicSession          *session,
                                  const char             *old_password,
                                  const char             *new_password,
                                  const ClinicKdfLimits  *limits,
                                  GError                **error)
{
  g_autoptr(ClinicUser) user = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *old_hash = NULL;
  g_autofree char *hash = NULL;
  g_autofree char *lockout = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  sqlite3_stmt *stmt;
  ClinicDb *db;
  guint wait = 0;
  int rc;

  g_return_val_if_fail (old_password != NULL, FALSE);

  /* Any active session, for itself: no permission needed. */
  if (session == NULL || !CLINIC_IS_SESSION (session) || !clinic_session_is_active (session))
    {
      g_set_error_literal (error, CLINIC_ERROR, CLINIC_ERROR_SIGNED_OUT,
                           _("You are signed out. Sign in again to go on."));
      return FALSE;
    }
  if (clinic_session_get_user_id (session) == 0)
    {
      g_set_error_literal (error, CLINIC_ERROR, CLINIC_ERROR_INVALID,
                           _("A session opened with the recovery key has no password to change; reset the password of a user instead."));
      return FALSE;
    }

  db = clinic_session_get_db (session);
  user = lookup_user (db, clinic_session_get_user_id (session), error);
  if (user == NULL)
    return FALSE;
  if (user->disabled)
    {
      g_set_error_literal (error, CLINIC_ERROR, CLINIC_ERROR_PERMISSION_DENIED,
                           _("This account has been disabled. An administrator can enable it again."));
      return FALSE;
    }

  /* Someone at an unlocked screen could guess the password here: the
   * same lock-out rules as at sign-in. */
  lockout = clinic_paths_get_lockout_file (clinic_db_get_path (db));
  if (!clinic_lockout_check (lockout, user->name, NULL, now, &wait, &local_error))
    {
      g_set_error_literal (error, CLINIC_DB_ERROR,
                           g_error_matches (local_error, CLINIC_LOCKOUT_ERROR, CLINIC_LOCKOUT_ERROR_LOCKED_OUT)
                           ? CLINIC_DB_ERROR_LOCKED_OUT : CLINIC_DB_ERROR_FAILED,
                           local_error->message);
      return FALSE;
    }

  stmt = clinic_db_prepare (db, "SELECT password_hash FROM users WHERE id = ?1", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, user->id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    old_hash = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW)
    {
      clinic_db_set_error (db, rc, error);
      return FALSE;
    }

  if (!clinic_password_verify (old_hash, old_password))
    {
      clinic_lockout_record_failure (lockout, user->name, NULL, now, NULL);
      g_set_error_literal (error, CLINIC_DB_ERROR, CLINIC_DB_ERROR_WRONG_CREDENTIALS,
                           _("The current password is not right."));
      return FALSE;
    }
  clinic_lockout_record_success (lockout, user->name, now, NULL);

  if (!check_password (db, user->kind, new_password, user->name, error))
    return FALSE;
  hash = clinic_password_hash (new_password, limits, error);
  if (hash == NULL)
    return FALSE;

  if (!clinic_db_begin_write (db, error))
    return FALSE;

  stmt = clinic_db_prepare (db, "UPDATE users SET password_hash = ?1 WHERE id = ?2", error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_text (stmt, 1, hash, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 2, user->id);
  if (!clinic_db_step_done (db, stmt, error) ||
      !audit (db, session, "user.password-changed", "user", user->id, NULL, NULL, error))
    goto fail;

  if (user->kind == CLINIC_USER_STAFF &&
      !clinic_db_change_password (db, user->name, old_password, new_password, limits, error))
    goto fail;

  if (!clinic_db_commit (db, error))
    {
      g_clear_error (&local_error);
      if (user->kind == CLINIC_USER_STAFF &&
          !clinic_db_change_password (db, user->name, new_password, old_password, limits,
                                      &local_error))
        g_warning ("The key slot of a password change that failed could not be changed back: %s",
                   local_error->message);
      return FALSE;
    }

  return TRUE;

fail:
  clinic_db_rollback (db);
  return FALSE;
}

gboolean
clinic_users_clear_lockout (ClinicSession  *session,
                            gint64          user_id,
                            GError        **error)
{
  g_autoptr(ClinicUser) user = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *lockout = NULL;
  ClinicDb *db;

  if (!clinic_session_require_staff (session, CLINIC_PERMISSION_USERS, error))
    return FALSE;

  db = clinic_session_get_db (session);
  if (!clinic_db_begin_write (db, error))
    return FALSE;

  user = lookup_user (db, user_id, error);
  if (user == NULL ||
      !audit (db, session, "user.lockout-cleared", "user", user_id, NULL, NULL, error))
    goto fail;

  /* The counts live beside the database, outside its transactions: they
   * are cleared while the audit entry waits, and the entry commits only
   * once they are. */
  lockout = clinic_paths_get_lockout_file (clinic_db_get_path (db));
  if (!clinic_lockout_clear (lockout, user->name, &local_error))
    {
      g_set_error_literal (error, CLINIC_ERROR, CLINIC_ERROR_CONFLICT, local_error->message);
      goto fail;
    }

  if (!clinic_db_commit (db, error))
    goto fail;

  return TRUE;

fail:
  clinic_db_rollback (db);
  return FALSE;
}
