/* clinic-waitlist.c — patients waiting for an earlier slot */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <sqlite3.h>

#include "clinic-audit-private.h"
#include "clinic-db-private.h"
#include "clinic-error.h"
#include "clinic-schedule-private.h"
#include "clinic-waitlist.h"

#define PREFERRED_MAX_CHARS 500

const char *
clinic_waitlist_urgency_to_string (ClinicWaitlistUrgency urgency)
{
  switch (urgency)
    {
    case CLINIC_WAITLIST_SOON:
      return _("Soon");
    case CLINIC_WAITLIST_URGENT:
      return _("Urgent");
    case CLINIC_WAITLIST_ROUTINE:
    default:
      return _("Routine");
    }
}

ClinicWaitlistEntry *
clinic_waitlist_entry_new (void)
{
  ClinicWaitlistEntry *e = g_new0 (ClinicWaitlistEntry, 1);

  e->preferred = g_strdup ("");
  return e;
}

void
clinic_waitlist_entry_free (ClinicWaitlistEntry *e)
{
  if (e == NULL)
    return;
  g_free (e->preferred);
  g_free (e->patient_name);
  g_free (e->patient_chart);
  g_free (e->provider_name);
  g_free (e->visit_type);
  g_free (e);
}

/* The list is front-desk work: it names patients who are not the
 * session's, so a patient session is refused whatever its role says. */
static gboolean
require (ClinicSession  *session,
         GError        **error)
{
  return clinic_session_require_staff (session, CLINIC_PERMISSION_SCHEDULE_ALL, error);
}

#define ENTRY_COLUMNS \
  "w.id, w.patient_id, coalesce (w.provider_id, 0), w.visit_type_id, w.preferred, w.urgency, w.created_at," \
  " p.family_name || ', ' || p.given_names, p.chart_number, coalesce (u.display_name, ''), t.name," \
  " t.duration_min"

#define ENTRY_FROM \
  " FROM waitlist w JOIN patients p ON p.id = w.patient_id LEFT JOIN users u ON u.id = w.provider_id" \
  " JOIN visit_types t ON t.id = w.visit_type_id"

/* Most urgent first, then who has waited longest (the waitlist_waiting
 * index). */
#define ENTRY_ORDER " ORDER BY w.urgency DESC, w.created_at, w.id"

static gpointer
entry_from_row (sqlite3_stmt *stmt)
{
  ClinicWaitlistEntry *e = g_new0 (ClinicWaitlistEntry, 1);

  e->id = sqlite3_column_int64 (stmt, 0);
  e->patient_id = sqlite3_column_int64 (stmt, 1);
  e->provider_id = sqlite3_column_int64 (stmt, 2);
  e->visit_type_id = sqlite3_column_int64 (stmt, 3);
  e->preferred = clinic_db_column_text (stmt, 4);
  e->urgency = CLAMP (sqlite3_column_int (stmt, 5), 0, 2);
  e->created_at = sqlite3_column_int64 (stmt, 6);
  e->patient_name = clinic_db_column_text (stmt, 7);
  e->patient_chart = clinic_db_column_text (stmt, 8);
  e->provider_name = clinic_db_column_text (stmt, 9);
  e->visit_type = clinic_db_column_text (stmt, 10);
  e->duration_min = sqlite3_column_int (stmt, 11);
  return e;
}

static GPtrArray *
read_entries (ClinicDb      *db,
              sqlite3_stmt  *stmt,
              GError       **error)
{
  g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func ((GDestroyNotify) clinic_waitlist_entry_free);

  if (!clinic_db_collect (db, stmt, list, entry_from_row, error))
    return NULL;
  return g_steal_pointer (&list);
}

static gboolean
check_patient (ClinicDb  *db,
               gint64     patient_id,
               GError   **error)
{
  sqlite3_stmt *stmt = clinic_db_prepare (db, "SELECT 1 FROM patients WHERE id = ?1 AND merged_into IS NULL",
                                          error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, patient_id);
  rc = sqlite3_step (stmt);
  sqlite3_reset (stmt);
  if (rc == SQLITE_ROW)
    return TRUE;
  if (rc == SQLITE_DONE)
    g_set_error_literal (error, CLINIC_ERROR, CLINIC_ERROR_NOT_FOUND, _("There is no such patient."));
  else
    clinic_db_set_error (db, rc, error);
  return FALSE;
}

gint64
clinic_waitlist_add (ClinicSession              *session,
                     const ClinicWaitlistEntry  *entry,
                     GError                    **error)
{
  g_autoptr(ClinicVisitType) type = NULL;
  g_autofree char *preferred = NULL;
  g_autofree char *object = NULL;
  sqlite3_stmt *stmt;
  ClinicDb *db;
  gint64 id;
  int rc;

  g_return_val_if_fail (entry != NULL, 0);

  if (!require (session, error))
    return 0;
  preferred = g_strstrip (g_strdup (entry->preferred != NULL ? entry->preferred : ""));
  if (!g_utf8_validate (preferred, -1, NULL) || g_utf8_strlen (preferred, -1) > PREFERRED_MAX_CHARS)
    {
      g_set_error (error, CLINIC_ERROR, CLINIC_ERROR_INVALID,
                   _("The preferred times are too long (at most %d characters)."), PREFERRED_MAX_CHARS);
      return 0;
    }
  if ((guint) entry->urgency > CLINIC_WAITLIST_URGENT)
    {
      g_set_error_literal (error, CLINIC_ERROR, CLINIC_ERROR_INVALID,
                           _("The urgency must be routine, soon or urgent."));
      return 0;
    }

  db = clinic_session_get_db (session);
  if (!clinic_db_begin_write (db, error))
    return 0;
  if (!check_patient (db, entry->patient_id, error)
      || (entry->provider_id != 0 && !clinic_schedule_check_provider (db, entry->provider_id, error))
      || (type = clinic_schedule_fetch_visit_type (db, entry->visit_type_id, error)) == NULL
      || !clinic_schedule_check_bookable (session, type, error))
    goto fail;

  stmt = clinic_db_prepare (db,
                            "SELECT 1 FROM waitlist WHERE status = 'waiting' AND patient_id = ?1"
                            " AND provider_id IS nullif (?2, 0) AND visit_type_id = ?3",
                            error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_int64 (stmt, 1, entry->patient_id);
  sqlite3_bind_int64 (stmt, 2, entry->provider_id);
  sqlite3_bind_int64 (stmt, 3, entry->visit_type_id);
  rc = sqlite3_step (stmt);
  sqlite3_reset (stmt);
  if (rc == SQLITE_ROW)
    {
      g_set_error_literal (error, CLINIC_ERROR, CLINIC_ERROR_CONFLICT,
                           _("This patient is already on the waitlist for this doctor and visit type."));
      goto fail;
    }
  if (rc != SQLITE_DONE)
    {
      clinic_db_set_error (db, rc, error);
      goto fail;
    }

  stmt = clinic_db_prepare (db,
                            "INSERT INTO waitlist (patient_id, provider_id, visit_type_id, preferred, urgency,"
                            " created_at, created_by) VALUES (?1, nullif (?2, 0), ?3, ?4, ?5, ?6, ?7)",
                            error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_int64 (stmt, 1, entry->patient_id);
  sqlite3_bind_int64 (stmt, 2, entry->provider_id);
  sqlite3_bind_int64 (stmt, 3, entry->visit_type_id);
  sqlite3_bind_text (stmt, 4, preferred, -1, SQLITE_STATIC);
  sqlite3_bind_int (stmt, 5, entry->urgency);
  sqlite3_bind_int64 (stmt, 6, g_get_real_time () / G_USEC_PER_SEC);
  sqlite3_bind_int64 (stmt, 7, clinic_session_get_user_id (session));
  if (!clinic_db_step_done (db, stmt, error))
    goto fail;
  id = sqlite3_last_insert_rowid (clinic_db_get_handle (db));
  object = g_strdup_printf ("%" G_GINT64_FORMAT, id);
  /* The audit names the visit type and urgency, not the patient's words. */
  {
    g_autofree char *detail = g_strdup_printf ("%s, %s", type->name,
                                               clinic_waitlist_urgency_to_string (entry->urgency));

    if (!clinic_audit_append (db, session, NULL, 0, "waitlist.added", "waitlist", object, entry->patient_id,
                              NULL, detail, error)
        || !clinic_db_commit (db, error))
      goto fail;
  }
  return id;

fail:
  clinic_db_rollback (db);
  return 0;
}

GPtrArray *
clinic_waitlist_list (ClinicSession  *session,
                      GError        **error)
{
  sqlite3_stmt *stmt;
  ClinicDb *db;

  if (!require (session, error))
    return NULL;
  db = clinic_session_get_db (session);
  stmt = clinic_db_prepare (db, "SELECT " ENTRY_COLUMNS ENTRY_FROM " WHERE w.status = 'waiting'" ENTRY_ORDER,
                            error);
  if (stmt == NULL)
    return NULL;
  return read_entries (db, stmt, error);
}

static gboolean
take_off (ClinicSession  *session,
          gint64          id,
          const char     *status,
          GError        **error)
{
  g_autofree char *object = g_strdup_printf ("%" G_GINT64_FORMAT, id);
  g_autofree char *action = g_strconcat ("waitlist.", status, NULL);
  sqlite3_stmt *stmt;
  ClinicDb *db;
  gint64 patient_id;
  int rc;

  if (!require (session, error))
    return FALSE;
  db = clinic_session_get_db (session);
  if (!clinic_db_begin_write (db, error))
    return FALSE;
  stmt = clinic_db_prepare (db, "SELECT patient_id FROM waitlist WHERE id = ?1 AND status = 'waiting'", error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_int64 (stmt, 1, id);
  rc = sqlite3_step (stmt);
  patient_id = rc == SQLITE_ROW ? sqlite3_column_int64 (stmt, 0) : 0;
  sqlite3_reset (stmt);
  if (rc == SQLITE_DONE)
    {
      g_set_error_literal (error, CLINIC_ERROR, CLINIC_ERROR_NOT_FOUND,
                           _("This waitlist entry is no longer waiting."));
      goto fail;
    }
  if (rc != SQLITE_ROW)
    {
      clinic_db_set_error (db, rc, error);
      goto fail;
    }
  stmt = clinic_db_prepare (db, "UPDATE waitlist SET status = ?2 WHERE id = ?1", error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_int64 (stmt, 1, id);
  sqlite3_bind_text (stmt, 2, status, -1, SQLITE_STATIC);
  if (!clinic_db_step_done (db, stmt, error)
      || !clinic_audit_append (db, session, NULL, 0, action, "waitlist", object, patient_id, "waiting", status,
                               error)
      || !clinic_db_commit (db, error))
    goto fail;
  return TRUE;

fail:
  clinic_db_rollback (db);
  return FALSE;
}

gboolean
clinic_waitlist_remove (ClinicSession  *session,
                        gint64          id,
                        GError        **error)
{
  return take_off (session, id, "removed", error);
}

gboolean
clinic_waitlist_mark_booked (ClinicSession  *session,
                             gint64          id,
                             GError        **error)
{
  return take_off (session, id, "booked", error);
}

GPtrArray *
clinic_waitlist_matches_for (ClinicSession  *session,
                             gint64          appointment_id,
                             GError        **error)
{
  sqlite3_stmt *stmt;
  ClinicDb *db;
  int rc;
  gint64 provider_id, visit_type_id, patient_id, length;

  if (!require (session, error))
    return NULL;
  db = clinic_session_get_db (session);
  stmt = clinic_db_prepare (db,
                            "SELECT provider_id, visit_type_id, patient_id, ends_at - starts_at"
                            " FROM appointments WHERE id = ?1",
                            error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, appointment_id);
  rc = sqlite3_step (stmt);
  provider_id = sqlite3_column_int64 (stmt, 0);
  visit_type_id = sqlite3_column_int64 (stmt, 1);
  patient_id = sqlite3_column_int64 (stmt, 2);
  length = sqlite3_column_int64 (stmt, 3);
  sqlite3_reset (stmt);
  if (rc == SQLITE_DONE)
    {
      g_autofree char *number = g_strdup_printf ("%" G_GINT64_FORMAT, appointment_id);

      g_set_error (error, CLINIC_ERROR, CLINIC_ERROR_NOT_FOUND, _("There is no appointment with ID# %s."), number);
      return NULL;
    }
  if (rc != SQLITE_ROW)
    {
      clinic_db_set_error (db, rc, error);
      return NULL;
    }

  /* The same visit type, or any that fits in the freed time. */
  stmt = clinic_db_prepare (db,
                            "SELECT " ENTRY_COLUMNS ENTRY_FROM
                            " WHERE w.status = 'waiting' AND (w.provider_id IS NULL OR w.provider_id = ?1)"
                            " AND (w.visit_type_id = ?2 OR t.duration_min * 60 <= ?3) AND w.patient_id != ?4"
                            ENTRY_ORDER,
                            error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, provider_id);
  sqlite3_bind_int64 (stmt, 2, visit_type_id);
  sqlite3_bind_int64 (stmt, 3, length);
  sqlite3_bind_int64 (stmt, 4, patient_id);
  return read_entries (db, stmt, error);
}
