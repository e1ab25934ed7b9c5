/* clinic-registration.c — patients registering themselves at the kiosk
 *
 * The record and the account are made with the same private helpers the
 * front desk's form and the Users view use (clinic-patients-private.h,
 * clinic-users-private.h), so the rules are the same; what this file
 * adds is the waiting state between the kiosk and the front desk, kept
 * in self_registrations (data/sql/007-self-registration.sql).
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "clinic-audit-private.h"
#include "clinic-db-private.h"
#include "clinic-password.h"
#include "clinic-patients-private.h"
#include "clinic-registration.h"
#include "clinic-settings.h"
#include "clinic-users-private.h"

#define REASON_MAX 500

static const char *const state_names[] = { "pending", "confirmed", "rejected" };

const char *
clinic_registration_state_to_string (ClinicRegistrationState state)
{
  g_return_val_if_fail (state <= CLINIC_REGISTRATION_REJECTED, "pending");

  return state_names[state];
}

void
clinic_registration_free (ClinicRegistration *registration)
{
  if (registration == NULL)
    return;

  g_free (registration->user_name);
  g_clear_pointer (&registration->patient, clinic_patient_free);
  g_free (registration);
}

static char *
trimmed (const char *text)
{
  return g_strstrip (g_strdup (text != NULL ? text : ""));
}

/* --- At the kiosk -------------------------------------------------------- */

/* Refuses (PERMISSION_DENIED) once CLINIC_SELF_REGISTRATION_LIMIT
 * registrations were made in the last CLINIC_SELF_REGISTRATION_WINDOW
 * seconds. Counted in the database, so closing and starting the kiosk
 * again does not reset it. */
static gboolean
check_rate (ClinicDb  *db,
            gint64     now,
            GError   **error)
{
  sqlite3_stmt *stmt;
  gint64 recent;
  int rc;

  stmt = clinic_db_prepare (db, "SELECT count(*) FROM self_registrations WHERE registered_at > ?1",
                            error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, now - CLINIC_SELF_REGISTRATION_WINDOW);
  rc = sqlite3_step (stmt);
  recent = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW)
    {
      clinic_db_set_error (db, rc, error);
      return FALSE;
    }

  if (recent >= CLINIC_SELF_REGISTRATION_LIMIT)
    {
      g_set_error_literal (error, CLINIC_ERROR, CLINIC_ERROR_PERMISSION_DENIED,
                           _("Many patients have registered here in the last few minutes. Please register at the front desk."));
      return FALSE;
    }
  return TRUE;
}

gboolean
clinic_patients_self_register (ClinicKiosk              *kiosk,
                               const ClinicPatient      *patient,
                               const char               *user_name,
                               const char               *password,
                               const ClinicKdfLimits    *limits,
                               ClinicRegistrationState  *state,
                               GError                  **error)
{
  g_autoptr(ClinicPatient) record = NULL;
  g_autofree char *display_name = NULL;
  g_autofree char *name = NULL;
  g_autofree char *label = NULL;
  g_autofree char *hash = NULL;
  g_autofree char *object_id = NULL;
  ClinicRegistrationState new_state;
  ClinicAuditActor actor;
  gboolean duplicate = FALSE;
  sqlite3_stmt *stmt;
  gint64 now, patient_id, user_id;
  ClinicDb *db;

  g_return_val_if_fail (CLINIC_IS_KIOSK (kiosk), FALSE);
  g_return_val_if_fail (patient != NULL, FALSE);

  if (!clinic_kiosk_is_active (kiosk))
    {
      g_set_error_literal (error, CLINIC_ERROR, CLINIC_ERROR_SIGNED_OUT,
                           _("The kiosk has been closed."));
      return FALSE;
    }
  if (!clinic_kiosk_can_register (kiosk))
    {
      g_set_error_literal (error, CLINIC_ERROR, CLINIC_ERROR_PERMISSION_DENIED,
                           _("Registering at the kiosk is switched off. Please register at the front desk."));
      return FALSE;
    }

  /* Only what the kiosk's form asks for: notes, identifiers, a treatment
   * plan or a status are the clinic's to write. */
  record = clinic_patient_new ();
  g_free (record->family_name);
  record->family_name = trimmed (patient->family_name);
  g_free (record->given_names);
  record->given_names = trimmed (patient->given_names);
  g_free (record->birth_date);
  record->birth_date = trimmed (patient->birth_date);
  g_free (record->phone);
  record->phone = trimmed (patient->phone);
  g_free (record->email);
  record->email = trimmed (patient->email);
  if (!clinic_patient_validate (record, error))
    return FALSE;

  db = clinic_kiosk_get_db (kiosk);
  display_name = g_strdup_printf ("%s %s", record->given_names, record->family_name);
  if (!clinic_users_check_new (db, user_name, display_name, CLINIC_USER_PATIENT, password,
                               &name, &label, error))
    return FALSE;

  /* Argon2id before the write lock is taken. */
  hash = clinic_password_hash (password, limits, error);
  if (hash == NULL)
    return FALSE;

  new_state = clinic_settings_get_boolean (clinic_settings_get_for_db (db),
                                           "registration.requires-confirmation")
              ? CLINIC_REGISTRATION_PENDING : CLINIC_REGISTRATION_CONFIRMED;
  now = g_get_real_time () / G_USEC_PER_SEC;

  if (!clinic_db_begin_write (db, error))
    return FALSE;

  if (!check_rate (db, now, error) ||
      !clinic_patients_has_duplicate (db, record, &duplicate, error))
    goto fail;

  patient_id = clinic_patients_insert_new (db, record, error);
  if (patient_id == 0)
    goto fail;
  user_id = clinic_users_insert_row (db, name, label, CLINIC_USER_PATIENT, 0, hash, patient_id, error);
  if (user_id == 0)
    goto fail;

  stmt = clinic_db_prepare (db,
                            "INSERT INTO self_registrations (user_id, state, created_patient,"
                            " possible_duplicate, registered_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                            error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_int64 (stmt, 1, user_id);
  sqlite3_bind_text (stmt, 2, clinic_registration_state_to_string (new_state), -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 3, patient_id);
  sqlite3_bind_int (stmt, 4, duplicate ? 1 : 0);
  sqlite3_bind_int64 (stmt, 5, now);
  if (!clinic_db_step_done (db, stmt, error))
    goto fail;

  /* Nobody is signed in at the kiosk: the new account itself acted. */
  actor.user_id = user_id;
  actor.user_name = name;
  object_id = g_strdup_printf ("%" G_GINT64_FORMAT, patient_id);
  if (!clinic_audit_append (db, NULL, &actor, now, "patient.self-registered", "patient", object_id,
                            patient_id, NULL,
                            duplicate ? "possible-duplicate" : NULL, error) ||
      !clinic_db_commit (db, error))
    goto fail;

  if (state != NULL)
    *state = new_state;
  return TRUE;

fail:
  clinic_db_rollback (db);
  return FALSE;
}

/* --- At the front desk --------------------------------------------------- */

gboolean
clinic_registrations_count_pending (ClinicSession  *session,
                                    guint          *n_pending,
                                    GError        **error)
{
  ClinicDb *db;
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (n_pending != NULL, FALSE);

  if (!clinic_session_require_staff (session, CLINIC_PERMISSION_PATIENTS_CONTACT_WRITE, error))
    return FALSE;

  db = clinic_session_get_db (session);
  stmt = clinic_db_prepare (db, "SELECT count(*) FROM self_registrations WHERE state = 'pending'",
                            error);
  if (stmt == NULL)
    return FALSE;
  rc = sqlite3_step (stmt);
  *n_pending = (guint) sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW)
    {
      clinic_db_set_error (db, rc, error);
      return FALSE;
    }
  return TRUE;
}

GPtrArray *
clinic_registrations_list_pending (ClinicSession  *session,
                                   GError        **error)
{
  g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func ((GDestroyNotify) clinic_registration_free);
  g_autoptr(GArray) patient_ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  ClinicDb *db;
  sqlite3_stmt *stmt;
  int rc;

  if (!clinic_session_require_staff (session, CLINIC_PERMISSION_PATIENTS_CONTACT_WRITE, error))
    return NULL;

  db = clinic_session_get_db (session);
  stmt = clinic_db_prepare (db,
                            "SELECT r.user_id, u.name, r.possible_duplicate, r.registered_at, u.patient_id"
                            " FROM self_registrations r JOIN users u ON u.id = r.user_id"
                            " WHERE r.state = 'pending' ORDER BY r.registered_at, r.user_id",
                            error);
  if (stmt == NULL)
    return NULL;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      ClinicRegistration *registration = g_new0 (ClinicRegistration, 1);
      gint64 patient_id = sqlite3_column_int64 (stmt, 4);

      registration->user_id = sqlite3_column_int64 (stmt, 0);
      registration->user_name = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
      registration->state = CLINIC_REGISTRATION_PENDING;
      registration->possible_duplicate = sqlite3_column_int (stmt, 2) != 0;
      registration->registered_at = sqlite3_column_int64 (stmt, 3);
      g_ptr_array_add (list, registration);
      g_array_append_val (patient_ids, patient_id);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      clinic_db_set_error (db, rc, error);
      return NULL;
    }

  for (guint i = 0; i < list->len; i++)
    {
      ClinicRegistration *registration = g_ptr_array_index (list, i);

      registration->patient = clinic_patients_fetch_row (db, g_array_index (patient_ids, gint64, i),
                                                         FALSE, error);
      if (registration->patient == NULL)
        return NULL;
    }

  /* The list shows names and dates of birth: one audit event per look,
   * like a search run. */
  if (!clinic_audit_record (db, session, NULL, "registrations.listed", "patient", NULL, 0, NULL,
                            NULL, error))
    return NULL;

  return g_steal_pointer (&list);
}

static gboolean
decide (ClinicSession            *session,
        gint64                    user_id,
        ClinicRegistrationState   to,
        const char               *reason,
        GError                  **error)
{
  g_autofree char *why = NULL;
  g_autofree char *state = NULL;
  g_autofree char *object_id = NULL;
  sqlite3_stmt *stmt;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  gint64 created = 0, patient_id = 0, decider;
  ClinicDb *db;
  int rc;

  if (!clinic_session_require_staff (session, CLINIC_PERMISSION_PATIENTS_CONTACT_WRITE, error))
    return FALSE;

  if (to == CLINIC_REGISTRATION_REJECTED)
    {
      if (reason == NULL || !g_utf8_validate (reason, -1, NULL))
        {
          g_set_error_literal (error, CLINIC_ERROR, CLINIC_ERROR_INVALID,
                               _("Say why the registration is rejected."));
          return FALSE;
        }
      why = trimmed (reason);
      if (why[0] == '\0' || g_utf8_strlen (why, -1) > REASON_MAX)
        {
          g_set_error (error, CLINIC_ERROR, CLINIC_ERROR_INVALID,
                       _("Say why the registration is rejected, in at most %u characters."),
                       REASON_MAX);
          return FALSE;
        }
    }

  db = clinic_session_get_db (session);
  if (!clinic_db_begin_write (db, error))
    return FALSE;

  stmt = clinic_db_prepare (db,
                            "SELECT r.state, r.created_patient, u.patient_id"
                            " FROM self_registrations r JOIN users u ON u.id = r.user_id"
                            " WHERE r.user_id = ?1",
                            error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_int64 (stmt, 1, user_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      state = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      created = sqlite3_column_int64 (stmt, 1);
      patient_id = sqlite3_column_int64 (stmt, 2);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      clinic_db_set_error (db, rc, error);
      goto fail;
    }
  if (state == NULL)
    {
      g_set_error_literal (error, CLINIC_ERROR, CLINIC_ERROR_NOT_FOUND,
                           _("There is no such registration."));
      goto fail;
    }
  if (g_strcmp0 (state, "pending") != 0)
    {
      g_set_error_literal (error, CLINIC_ERROR, CLINIC_ERROR_CONFLICT,
                           _("This registration has already been confirmed or rejected."));
      goto fail;
    }

  stmt = clinic_db_prepare (db,
                            "UPDATE self_registrations SET state = ?2, decided_at = ?3, decided_by = ?4,"
                            " reason = ?5 WHERE user_id = ?1",
                            error);
  if (stmt == NULL)
    goto fail;
  decider = clinic_session_get_user_id (session);
  sqlite3_bind_int64 (stmt, 1, user_id);
  sqlite3_bind_text (stmt, 2, clinic_registration_state_to_string (to), -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 3, now);
  if (decider > 0)
    sqlite3_bind_int64 (stmt, 4, decider);
  else
    sqlite3_bind_null (stmt, 4);
  sqlite3_bind_text (stmt, 5, why != NULL ? why : "", -1, SQLITE_TRANSIENT);
  if (!clinic_db_step_done (db, stmt, error))
    goto fail;

  if (to == CLINIC_REGISTRATION_REJECTED)
    {
      int changed;

      stmt = clinic_db_prepare (db, "UPDATE users SET disabled = 1 WHERE id = ?1", error);
      if (stmt == NULL)
        goto fail;
      sqlite3_bind_int64 (stmt, 1, user_id);
      if (!clinic_db_step_done (db, stmt, error))
        goto fail;

      /* Only the record the registration made: when the front desk has
       * merged it into a registered patient's meanwhile, it is inactive
       * already, and the registered patient stays as they are. */
      stmt = clinic_db_prepare (db,
                                "UPDATE patients SET status = 'inactive', updated_at = ?2"
                                " WHERE id = ?1 AND status = 'active'",
                                error);
      if (stmt == NULL)
        goto fail;
      sqlite3_bind_int64 (stmt, 1, created);
      sqlite3_bind_int64 (stmt, 2, now);
      if (!clinic_db_step_done (db, stmt, error))
        goto fail;
      changed = sqlite3_changes (clinic_db_get_handle (db));
      if (changed > 0)
        {
          g_autofree char *created_id = g_strdup_printf ("%" G_GINT64_FORMAT, created);

          if (!clinic_audit_append (db, session, NULL, now, "patient.status", "patient", created_id,
                                    created, "active", "inactive", error))
            goto fail;
        }
    }

  object_id = g_strdup_printf ("%" G_GINT64_FORMAT, user_id);
  if (!clinic_audit_append (db, session, NULL, now,
                            to == CLINIC_REGISTRATION_REJECTED ? "patient.registration-rejected"
                                                               : "patient.registration-confirmed",
                            "user", object_id, patient_id, NULL, why, error) ||
      !clinic_db_commit (db, error))
    goto fail;
  return TRUE;

fail:
  clinic_db_rollback (db);
  return FALSE;
}

gboolean
clinic_registrations_confirm (ClinicSession  *session,
                              gint64          user_id,
                              GError        **error)
{
  return decide (session, user_id, CLINIC_REGISTRATION_CONFIRMED, NULL, error);
}

gboolean
clinic_registrations_reject (ClinicSession  *session,
                             gint64          user_id,
                             const char     *reason,
                             GError        **error)
{
  return decide (session, user_id, CLINIC_REGISTRATION_REJECTED, reason, error);
}
