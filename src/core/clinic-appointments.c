/* clinic-appointments.c — booking, changing and listing appointments */

#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>
#include <sqlite3.h>

#include "clinic-appointments-private.h"
#include "clinic-audit-private.h"
#include "clinic-db-private.h"
#include "clinic-error.h"
#include "clinic-ics-private.h"
#include "clinic-schedule-private.h"
#include "clinic-settings.h"

#define TEXT_MAX_CHARS 2000

static const char *const status_keys[] = {
  "booked", "confirmed", "arrived", "in-progress", "completed", "cancelled", "no-show",
};

G_STATIC_ASSERT (G_N_ELEMENTS (status_keys) == CLINIC_N_APPOINTMENT_STATUSES);

const char *
clinic_appointment_status_to_key (ClinicAppointmentStatus status)
{
  g_return_val_if_fail ((guint) status < CLINIC_N_APPOINTMENT_STATUSES, "booked");
  return status_keys[status];
}

const char *
clinic_appointment_status_to_string (ClinicAppointmentStatus status)
{
  switch (status)
    {
    case CLINIC_APPOINTMENT_CONFIRMED:
      return _("Confirmed");
    case CLINIC_APPOINTMENT_ARRIVED:
      return _("Arrived");
    case CLINIC_APPOINTMENT_IN_PROGRESS:
      return _("In progress");
    case CLINIC_APPOINTMENT_COMPLETED:
      return _("Completed");
    case CLINIC_APPOINTMENT_CANCELLED:
      return _("Cancelled");
    case CLINIC_APPOINTMENT_NO_SHOW:
      return _("No-show");
    case CLINIC_APPOINTMENT_BOOKED:
    default:
      return _("Booked");
    }
}

gboolean
clinic_appointment_status_is_active (ClinicAppointmentStatus status)
{
  return status != CLINIC_APPOINTMENT_CANCELLED && status != CLINIC_APPOINTMENT_NO_SHOW;
}

void
clinic_appointment_free (ClinicAppointment *a)
{
  if (a == NULL)
    return;
  g_free (a->reason);
  g_free (a->note);
  g_free (a->override_reason);
  g_free (a->cancel_reason);
  g_free (a->patient_name);
  g_free (a->patient_chart);
  g_free (a->patient_birth);
  g_free (a->provider_name);
  g_free (a->visit_type);
  g_free (a->color);
  g_free (a->room_name);
  g_free (a->ical_uid);
  g_free (a);
}

void
clinic_appointment_change_free (ClinicAppointmentChange *c)
{
  if (c == NULL)
    return;
  g_free (c->user_name);
  g_free (c->action);
  g_free (c->detail);
  g_free (c);
}

/* --- Helpers ----------------------------------------------------------------- */

static gint64
now_seconds (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

static gboolean
check_text (const char  *value,
            const char  *label,
            GError     **error)
{
  if (value != NULL && (!g_utf8_validate (value, -1, NULL) || g_utf8_strlen (value, -1) > TEXT_MAX_CHARS))
    {
      g_set_error (error, CLINIC_ERROR, CLINIC_ERROR_INVALID,
                   _("%s is too long (at most %d characters)."), label, TEXT_MAX_CHARS);
      return FALSE;
    }
  return TRUE;
}

#define APPOINTMENT_COLUMNS \
  "a.id, a.patient_id, a.provider_id, a.visit_type_id, coalesce (a.room_id, 0), coalesce (a.series_id, 0)," \
  " a.starts_at, a.ends_at, a.status, a.reason, a.note, a.override_reason, a.cancel_reason, a.late_cancel," \
  " p.family_name || ', ' || p.given_names, p.chart_number, p.birth_date, u.display_name, t.name, t.color," \
  " coalesce (r.name, '')"

#define APPOINTMENT_FROM \
  " FROM appointments a JOIN patients p ON p.id = a.patient_id JOIN users u ON u.id = a.provider_id" \
  " JOIN visit_types t ON t.id = a.visit_type_id LEFT JOIN rooms r ON r.id = a.room_id"

static gpointer
appointment_from_row (sqlite3_stmt *stmt)
{
  ClinicAppointment *a = g_new0 (ClinicAppointment, 1);
  const char *status = (const char *) sqlite3_column_text (stmt, 8);

  a->id = sqlite3_column_int64 (stmt, 0);
  a->patient_id = sqlite3_column_int64 (stmt, 1);
  a->provider_id = sqlite3_column_int64 (stmt, 2);
  a->visit_type_id = sqlite3_column_int64 (stmt, 3);
  a->room_id = sqlite3_column_int64 (stmt, 4);
  a->series_id = sqlite3_column_int64 (stmt, 5);
  a->starts_at = sqlite3_column_int64 (stmt, 6);
  a->ends_at = sqlite3_column_int64 (stmt, 7);
  for (guint i = 0; i < CLINIC_N_APPOINTMENT_STATUSES; i++)
    if (g_strcmp0 (status, status_keys[i]) == 0)
      a->status = i;
  a->reason = clinic_db_column_text (stmt, 9);
  a->note = clinic_db_column_text (stmt, 10);
  a->override_reason = clinic_db_column_text (stmt, 11);
  a->cancel_reason = clinic_db_column_text (stmt, 12);
  a->late_cancel = sqlite3_column_int (stmt, 13) != 0;
  a->patient_name = clinic_db_column_text (stmt, 14);
  a->patient_chart = clinic_db_column_text (stmt, 15);
  a->patient_birth = clinic_db_column_text (stmt, 16);
  a->provider_name = clinic_db_column_text (stmt, 17);
  a->visit_type = clinic_db_column_text (stmt, 18);
  a->color = clinic_db_column_text (stmt, 19);
  a->room_name = clinic_db_column_text (stmt, 20);
  return a;
}

ClinicAppointment *
clinic_appointments_fetch (ClinicDb  *db,
                           gint64     id,
                           GError   **error)
{
  sqlite3_stmt *stmt = clinic_db_prepare (db, "SELECT " APPOINTMENT_COLUMNS APPOINTMENT_FROM " WHERE a.id = ?1",
                                          error);
  ClinicAppointment *a = NULL;
  int rc;

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    a = appointment_from_row (stmt);
  sqlite3_reset (stmt);
  if (rc == SQLITE_DONE)
    {
      g_autofree char *number = g_strdup_printf ("%" G_GINT64_FORMAT, id);

      g_set_error (error, CLINIC_ERROR, CLINIC_ERROR_NOT_FOUND, _("There is no appointment with ID# %s."), number);
    }
  else if (rc != SQLITE_ROW)
    clinic_db_set_error (db, rc, error);
  return a;
}

/* May the session touch @a (or book for @patient_id with @provider_id)?
 * SCHEDULE_ALL: anything. SCHEDULE_OWN: a doctor their own, a patient
 * their own. */
gboolean
clinic_appointments_check_scope (ClinicSession  *session,
                                 gint64          patient_id,
                                 gint64          provider_id,
                                 GError        **error)
{
  if (clinic_session_has_permission (session, CLINIC_PERMISSION_SCHEDULE_ALL))
    return clinic_session_require (session, CLINIC_PERMISSION_SCHEDULE_ALL, error);
  if (!clinic_session_require (session, CLINIC_PERMISSION_SCHEDULE_OWN, error))
    return FALSE;
  if (clinic_session_get_kind (session) == CLINIC_USER_PATIENT)
    {
      if (patient_id != clinic_session_get_patient_id (session) || patient_id == 0)
        {
          g_set_error_literal (error, CLINIC_ERROR, CLINIC_ERROR_PERMISSION_DENIED,
                               _("You can only see and book your own appointments."));
          return FALSE;
        }
      return TRUE;
    }
  if (provider_id != clinic_session_get_user_id (session))
    {
      g_set_error_literal (error, CLINIC_ERROR, CLINIC_ERROR_PERMISSION_DENIED,
                           _("You can only change your own appointments; the front desk can change the others."));
      return FALSE;
    }
  return TRUE;
}

static gboolean
record (ClinicDb       *db,
        ClinicSession  *session,
        gint64          id,
        gint64          patient_id,
        const char     *action,
        const char     *detail,
        GError        **error)
{
  g_autofree char *object = g_strdup_printf ("%" G_GINT64_FORMAT, id);
  g_autofree char *audit_action = g_strconcat ("appointment.", action, NULL);
  sqlite3_stmt *stmt;

  stmt = clinic_db_prepare (db,
                            "INSERT INTO appointment_history (appointment_id, at, user_id, action, detail)"
                            " VALUES (?1, ?2, nullif (?3, 0), ?4, ?5)",
                            error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, id);
  sqlite3_bind_int64 (stmt, 2, now_seconds ());
  sqlite3_bind_int64 (stmt, 3, clinic_session_get_user_id (session));
  sqlite3_bind_text (stmt, 4, action, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 5, detail != NULL ? detail : "", -1, SQLITE_TRANSIENT);
  return clinic_db_step_done (db, stmt, error)
         && clinic_audit_append (db, session, NULL, 0, audit_action, "appointment", object, patient_id,
                                 NULL, detail, error);
}

/* --- The checks of a booking ----------------------------------------------------- */

gboolean
clinic_appointments_check_overlap (ClinicDb   *db,
                                   GTimeZone  *tz,
                                   gint64      provider_id,
                                   gint64      room_id,
                                   gint64      start,
                                   gint64      end,
                                   gint64      ignore_id,
                                   GError    **error)
{
  sqlite3_stmt *stmt;
  int rc;

  /* Another appointment of the doctor, or in the room. Appointments last a
   * day at most, so starts after start - 1 day bound the index scan. The
   * doctor's own come first: that is the clash to name when both are. */
  stmt = clinic_db_prepare (db,
                            "SELECT a.starts_at, a.ends_at, a.provider_id = ?1, r.name FROM appointments a"
                            " LEFT JOIN rooms r ON r.id = a.room_id"
                            " WHERE ((a.provider_id = ?1) OR (?2 != 0 AND a.room_id = ?2))"
                            " AND a.starts_at < ?4 AND a.starts_at > ?3 - 86400 AND a.ends_at > ?3"
                            " AND a.status NOT IN ('cancelled', 'no-show') AND a.id != ?5"
                            " ORDER BY a.provider_id = ?1 DESC, a.starts_at LIMIT 1",
                            error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, provider_id);
  sqlite3_bind_int64 (stmt, 2, room_id);
  sqlite3_bind_int64 (stmt, 3, start);
  sqlite3_bind_int64 (stmt, 4, end);
  sqlite3_bind_int64 (stmt, 5, ignore_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      g_autofree char *from = clinic_format_local_time (tz, sqlite3_column_int64 (stmt, 0));
      g_autofree char *to = clinic_format_local_time (tz, sqlite3_column_int64 (stmt, 1));
      g_autofree char *room = sqlite3_column_int (stmt, 2) ? NULL : clinic_db_column_text (stmt, 3);
      const char *to_shown = to + (strncmp (from, to, 11) == 0 ? 11 : 0);

      sqlite3_reset (stmt);
      if (room != NULL)
        g_set_error (error, CLINIC_ERROR, CLINIC_ERROR_CONFLICT,
                     _("The room “%s” is taken then by another appointment (%s to %s). "
                       "Choose another room or time."),
                     room, from, to_shown);
      else
        g_set_error (error, CLINIC_ERROR, CLINIC_ERROR_CONFLICT,
                     _("That time overlaps another appointment (%s to %s). Choose a free time."),
                     from, to_shown);
      return FALSE;
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      clinic_db_set_error (db, rc, error);
      return FALSE;
    }
  return TRUE;
}

/* The room a booking goes into: the one asked for, which must exist and
 * not be retired, or else the room of the doctor's hours block it starts
 * in, so two doctors sharing a room are never booked into it at once. */
gboolean
clinic_appointments_resolve_room (ClinicDb  *db,
                                  gint64     provider_id,
                                  gint64     room_id,
                                  gint64     start,
                                  gint64    *resolved,
                                  GError   **error)
{
  g_autoptr(GTimeZone) tz = NULL;

  *resolved = room_id;
  if (room_id != 0)
    return clinic_schedule_check_room (db, room_id, error);
  tz = clinic_schedule_get_timezone (db);
  return clinic_schedule_hours_room (db, tz, provider_id, start, resolved, error);
}

/* Refuses [@start, @end) for @provider_id (and @room_id) when it overlaps
 * another active appointment (not @ignore_id), falls outside the working
 * hours or in blocked time, or lies in the past. With @override (a
 * reason), the overlap and the hours are allowed; the past never is. */
gboolean
clinic_appointments_check_slot (ClinicDb     *db,
                                gint64        provider_id,
                                gint64        room_id,
                                gint64        start,
                                gint64        end,
                                gint64        ignore_id,
                                gboolean      override,
                                GError      **error)
{
  g_autoptr(GTimeZone) tz = clinic_schedule_get_timezone (db);

  if (end <= start || end - start > 86400)
    {
      g_set_error_literal (error, CLINIC_ERROR, CLINIC_ERROR_INVALID,
                           _("An appointment must end after it starts, within a day."));
      return FALSE;
    }
  if (start < now_seconds () - 60)
    {
      g_set_error_literal (error, CLINIC_ERROR, CLINIC_ERROR_INVALID,
                           _("That time is in the past. Choose a time from now on."));
      return FALSE;
    }
  if (override)
    return TRUE;

  if (!clinic_appointments_check_overlap (db, tz, provider_id, room_id, start, end, ignore_id, error))
    return FALSE;

  /* Inside the working hours (extra hours included, blocks taken out). */
  {
    g_autoptr(GDateTime) s_utc = g_date_time_new_from_unix_utc (start);
    g_autoptr(GDateTime) s_local = g_date_time_to_timezone (s_utc, tz);
    g_autoptr(GDateTime) e_utc = g_date_time_new_from_unix_utc (end);
    g_autoptr(GDateTime) e_local = g_date_time_to_timezone (e_utc, tz);
    g_autoptr(GArray) spans = NULL;
    GDate first, last;
    gboolean inside = FALSE;

    g_date_clear (&first, 1);
    g_date_set_dmy (&first, g_date_time_get_day_of_month (s_local), g_date_time_get_month (s_local),
                    g_date_time_get_year (s_local));
    g_date_clear (&last, 1);
    g_date_set_dmy (&last, g_date_time_get_day_of_month (e_local), g_date_time_get_month (e_local),
                    g_date_time_get_year (e_local));
    spans = clinic_schedule_working_spans (db, tz, provider_id, &first, &last, error);
    if (spans == NULL)
      return FALSE;
    for (guint i = 0; i < spans->len && !inside; i++)
      {
        const ClinicSpan *s = &g_array_index (spans, ClinicSpan, i);

        inside = s->start <= start && end <= s->end;
      }
    if (!inside)
      {
        g_autoptr(GPtrArray) exceptions = clinic_schedule_read_exceptions (db, provider_id, start, end, error);

        if (exceptions == NULL)
          return FALSE;
        for (guint i = 0; i < exceptions->len; i++)
          {
            const ClinicScheduleException *e = exceptions->pdata[i];

            if (e->kind == CLINIC_EXCEPTION_BLOCK)
              {
                g_set_error (error, CLINIC_ERROR, CLINIC_ERROR_INVALID,
                             _("That time is blocked (%s). Choose another time."), e->reason);
                return FALSE;
              }
            if (e->kind == CLINIC_EXCEPTION_OFF)
              {
                g_set_error (error, CLINIC_ERROR, CLINIC_ERROR_INVALID,
                             _("The doctor is not working that day (%s)."),
                             *e->reason != '\0' ? e->reason : _("day off"));
                return FALSE;
              }
          }
        g_set_error_literal (error, CLINIC_ERROR, CLINIC_ERROR_INVALID,
                             _("That time is outside the doctor’s working hours."));
        return FALSE;
      }
  }
  return TRUE;
}

/* Checks the override: a reason, and the permission to use it. */
static gboolean
check_override (ClinicSession  *session,
                const char     *reason,
                GError        **error)
{
  g_autofree char *trimmed = NULL;

  if (reason == NULL)
    return TRUE;
  if (!clinic_session_require_staff (session, CLINIC_PERMISSION_SCHEDULE_OVERRIDE, error))
    return FALSE;
  trimmed = g_strstrip (g_strdup (reason));
  if (*trimmed == '\0')
    {
      g_set_error_literal (error, CLINIC_ERROR, CLINIC_ERROR_INVALID,
                           _("Booking anyway needs a reason, which is kept with the appointment."));
      return FALSE;
    }
  return check_text (trimmed, _("The reason for booking anyway"), error);
}

/* --- Booking -------------------------------------------------------------------- */

gint64
clinic_appointments_book_locked (ClinicSession        *session,
                                 ClinicDb             *db,
                                 const ClinicBooking  *b,
                                 gint64                series_id,
                                 GError              **error)
{
  g_autoptr(ClinicVisitType) type = NULL;
  g_autoptr(GTimeZone) tz = NULL;
  g_autofree char *override = NULL;
  g_autofree char *detail = NULL;
  g_autofree char *when = NULL;
  sqlite3_stmt *stmt;
  gint64 end, id, room_id;

  g_return_val_if_fail (b != NULL, 0);

  if (!clinic_appointments_check_scope (session, b->patient_id, b->provider_id, error)
      || !check_override (session, b->override_reason, error)
      || !check_text (b->reason, _("The reason for the visit"), error)
      || !check_text (b->note, _("The note"), error))
    return 0;
  override = b->override_reason != NULL ? g_strstrip (g_strdup (b->override_reason)) : g_strdup ("");

  type = clinic_schedule_fetch_visit_type (db, b->visit_type_id, error);
  if (type == NULL || !clinic_schedule_check_provider (db, b->provider_id, error)
      || !clinic_schedule_check_bookable (session, type, error))
    return 0;
  stmt = clinic_db_prepare (db, "SELECT status FROM patients WHERE id = ?1", error);
  if (stmt == NULL)
    return 0;
  sqlite3_bind_int64 (stmt, 1, b->patient_id);
  {
    int rc = sqlite3_step (stmt);
    gboolean active = rc == SQLITE_ROW && g_strcmp0 ((const char *) sqlite3_column_text (stmt, 0), "active") == 0;

    sqlite3_reset (stmt);
    if (rc == SQLITE_DONE)
      {
        g_set_error_literal (error, CLINIC_ERROR, CLINIC_ERROR_NOT_FOUND, _("There is no such patient."));
        return 0;
      }
    if (rc != SQLITE_ROW)
      {
        clinic_db_set_error (db, rc, error);
        return 0;
      }
    if (!active)
      {
        g_set_error_literal (error, CLINIC_ERROR, CLINIC_ERROR_INVALID,
                             _("The patient’s record is not active; make it active before booking."));
        return 0;
      }
  }

  end = b->ends_at != 0 ? b->ends_at : b->starts_at + (gint64) type->duration_min * 60;
  if (!clinic_appointments_resolve_room (db, b->provider_id, b->room_id, b->starts_at, &room_id, error)
      || !clinic_appointments_check_slot (db, b->provider_id, room_id, b->starts_at, end, 0,
                                          b->override_reason != NULL, error))
    return 0;

  stmt = clinic_db_prepare (db,
                            "INSERT INTO appointments (patient_id, provider_id, visit_type_id, room_id,"
                            " starts_at, ends_at, reason, note, override_reason, created_at, created_by,"
                            " updated_at, series_id) VALUES (?1, ?2, ?3, nullif (?4, 0), ?5, ?6, ?7, ?8, ?9, ?10,"
                            " ?11, ?10, nullif (?12, 0))",
                            error);
  if (stmt == NULL)
    return 0;
  sqlite3_bind_int64 (stmt, 1, b->patient_id);
  sqlite3_bind_int64 (stmt, 2, b->provider_id);
  sqlite3_bind_int64 (stmt, 3, b->visit_type_id);
  sqlite3_bind_int64 (stmt, 4, room_id);
  sqlite3_bind_int64 (stmt, 5, b->starts_at);
  sqlite3_bind_int64 (stmt, 6, end);
  sqlite3_bind_text (stmt, 7, b->reason != NULL ? b->reason : "", -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 8, b->note != NULL ? b->note : "", -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 9, override, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 10, now_seconds ());
  sqlite3_bind_int64 (stmt, 11, clinic_session_get_user_id (session));
  sqlite3_bind_int64 (stmt, 12, series_id);
  if (!clinic_db_step_done (db, stmt, error))
    return 0;
  id = sqlite3_last_insert_rowid (clinic_db_get_handle (db));

  tz = clinic_schedule_get_timezone (db);
  when = clinic_format_local_time (tz, b->starts_at);
  /* No names in the audit: the time, and why it was booked anyway. */
  detail = *override != '\0' ? g_strdup_printf ("%s; booked anyway: %s", when, override) : g_strdup (when);
  if (!record (db, session, id, b->patient_id, *override != '\0' ? "booked-anyway" : "booked", detail, error))
    return 0;
  return id;
}

gint64
clinic_appointments_book (ClinicSession        *session,
                          const ClinicBooking  *b,
                          GError              **error)
{
  ClinicDb *db = clinic_session_get_db (session);
  gint64 id;

  if (!clinic_db_begin_write (db, error))
    return 0;
  id = clinic_appointments_book_locked (session, db, b, 0, error);
  if (id == 0 || !clinic_db_commit (db, error))
    {
      clinic_db_rollback (db);
      return 0;
    }
  clinic_ics_after_change (db);
  return id;
}

/* Reads @id for a change by the session, in the open transaction. */
static ClinicAppointment *
fetch_for_change (ClinicSession  *session,
                  ClinicDb       *db,
                  gint64          id,
                  GError        **error)
{
  g_autoptr(ClinicAppointment) a = clinic_appointments_fetch (db, id, error);

  if (a == NULL || !clinic_appointments_check_scope (session, a->patient_id, a->provider_id, error))
    return NULL;
  return g_steal_pointer (&a);
}

static gboolean
reschedule_in (ClinicSession  *session,
               ClinicDb       *db,
               gint64          id,
               gint64          starts_at,
               gint64          ends_at,
               gint64          provider_id,
               const char     *override_reason,
               GError        **error)
{
  g_autoptr(ClinicAppointment) a = NULL;
  g_autoptr(GTimeZone) tz = NULL;
  g_autofree char *detail = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autofree char *override = NULL;
  sqlite3_stmt *stmt;
  gint64 end;

  if (!clinic_schedule_require_read (session, error) || !check_override (session, override_reason, error))
    return FALSE;
  override = override_reason != NULL ? g_strstrip (g_strdup (override_reason)) : NULL;
  if ((a = fetch_for_change (session, db, id, error)) == NULL)
    return FALSE;
  if (provider_id == 0)
    provider_id = a->provider_id;
  if (provider_id != a->provider_id
      && (!clinic_appointments_check_scope (session, a->patient_id, provider_id, error)
          || !clinic_schedule_check_provider (db, provider_id, error)))
    return FALSE;
  if (!clinic_appointment_status_is_active (a->status) || a->status == CLINIC_APPOINTMENT_COMPLETED)
    {
      g_set_error (error, CLINIC_ERROR, CLINIC_ERROR_INVALID,
                   _("An appointment that is “%s” cannot be moved."),
                   clinic_appointment_status_to_string (a->status));
      return FALSE;
    }
  end = ends_at != 0 ? ends_at : starts_at + (a->ends_at - a->starts_at);
  if (!clinic_appointments_check_slot (db, provider_id, a->room_id, starts_at, end, a->id, override != NULL, error))
    return FALSE;

  stmt = clinic_db_prepare (db,
                            "UPDATE appointments SET starts_at = ?2, ends_at = ?3, provider_id = ?4,"
                            " override_reason = CASE WHEN ?5 IS NULL THEN override_reason ELSE ?5 END,"
                            " updated_at = ?6 WHERE id = ?1",
                            error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, id);
  sqlite3_bind_int64 (stmt, 2, starts_at);
  sqlite3_bind_int64 (stmt, 3, end);
  sqlite3_bind_int64 (stmt, 4, provider_id);
  if (override != NULL)
    sqlite3_bind_text (stmt, 5, override, -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_null (stmt, 5);
  sqlite3_bind_int64 (stmt, 6, now_seconds ());
  if (!clinic_db_step_done (db, stmt, error))
    return FALSE;

  tz = clinic_schedule_get_timezone (db);
  before = clinic_format_local_time (tz, a->starts_at);
  after = clinic_format_local_time (tz, starts_at);
  detail = provider_id != a->provider_id
           ? g_strdup_printf ("%s → %s, provider %" G_GINT64_FORMAT " → %" G_GINT64_FORMAT, before, after,
                              a->provider_id, provider_id)
           : g_strdup_printf ("%s → %s", before, after);
  if (override != NULL)
    {
      char *with = g_strdup_printf ("%s; moved anyway: %s", detail, override);

      g_free (detail);
      detail = with;
    }
  if (!record (db, session, id, a->patient_id, "rescheduled", detail, error))
    return FALSE;
  return TRUE;
}

gboolean
clinic_appointments_cancel_locked (ClinicSession  *session,
                                   ClinicDb       *db,
                                   gint64          id,
                                   const char     *reason,
                                   GError        **error)
{
  g_autoptr(ClinicAppointment) a = NULL;
  g_autofree char *trimmed = g_strstrip (g_strdup (reason != NULL ? reason : ""));
  ClinicSettings *settings = clinic_settings_get_for_db (db);
  sqlite3_stmt *stmt;
  gint64 now = now_seconds ();
  gboolean late;

  if (!clinic_schedule_require_read (session, error))
    return FALSE;
  if (*trimmed == '\0')
    {
      g_set_error_literal (error, CLINIC_ERROR, CLINIC_ERROR_INVALID,
                           _("Give a reason for the cancellation."));
      return FALSE;
    }
  if (!check_text (trimmed, _("The reason for the cancellation"), error))
    return FALSE;

  if ((a = fetch_for_change (session, db, id, error)) == NULL)
    return FALSE;
  if (a->status == CLINIC_APPOINTMENT_CANCELLED || a->status == CLINIC_APPOINTMENT_COMPLETED
      || a->status == CLINIC_APPOINTMENT_NO_SHOW)
    {
      g_set_error (error, CLINIC_ERROR, CLINIC_ERROR_INVALID, _("An appointment that is “%s” cannot be cancelled."),
                   clinic_appointment_status_to_string (a->status));
      return FALSE;
    }
  if (clinic_session_get_kind (session) == CLINIC_USER_PATIENT
      && a->starts_at - now < clinic_settings_get_int (settings, "appointments.patient-cancel-hours") * 3600)
    {
      g_set_error_literal (error, CLINIC_ERROR, CLINIC_ERROR_PERMISSION_DENIED,
                           _("This appointment is too soon to cancel here. Please call the front desk."));
      return FALSE;
    }
  late = a->starts_at - now < clinic_settings_get_int (settings, "appointments.late-cancel-hours") * 3600;

  stmt = clinic_db_prepare (db,
                            "UPDATE appointments SET status = 'cancelled', cancel_reason = ?2, late_cancel = ?3,"
                            " updated_at = ?4 WHERE id = ?1",
                            error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, id);
  sqlite3_bind_text (stmt, 2, trimmed, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int (stmt, 3, late ? 1 : 0);
  sqlite3_bind_int64 (stmt, 4, now);
  if (!clinic_db_step_done (db, stmt, error)
      || !record (db, session, id, a->patient_id, late ? "cancelled-late" : "cancelled", trimmed, error))
    return FALSE;
  return TRUE;
}

/* Ends the write transaction of a public call around a locked step:
 * committed when the step was @done, else rolled back whole. */
static gboolean
in_transaction (ClinicDb  *db,
                gboolean   done,
                GError   **error)
{
  if (done && clinic_db_commit (db, error))
    {
      clinic_ics_after_change (db);
      return TRUE;
    }
  clinic_db_rollback (db);
  return FALSE;
}

gboolean
clinic_appointments_reschedule_locked (ClinicSession  *session,
                                       ClinicDb       *db,
                                       gint64          id,
                                       gint64          starts_at,
                                       gint64          ends_at,
                                       GError        **error)
{
  return reschedule_in (session, db, id, starts_at, ends_at, 0, NULL, error);
}

gboolean
clinic_appointments_reschedule (ClinicSession  *session,
                                gint64          id,
                                gint64          starts_at,
                                gint64          ends_at,
                                gint64          provider_id,
                                const char     *override_reason,
                                GError        **error)
{
  ClinicDb *db = clinic_session_get_db (session);

  if (!clinic_db_begin_write (db, error))
    return FALSE;
  return in_transaction (db, reschedule_in (session, db, id, starts_at, ends_at, provider_id, override_reason,
                                            error), error);
}

gboolean
clinic_appointments_cancel (ClinicSession  *session,
                            gint64          id,
                            const char     *reason,
                            GError        **error)
{
  ClinicDb *db = clinic_session_get_db (session);

  if (!clinic_db_begin_write (db, error))
    return FALSE;
  return in_transaction (db, clinic_appointments_cancel_locked (session, db, id, reason, error), error);
}

/* Which status may follow which: the way a visit goes, plus confirming
 * and the undo of a cancellation. */
static gboolean
transition_allowed (ClinicAppointmentStatus from,
                    ClinicAppointmentStatus to)
{
  switch (to)
    {
    case CLINIC_APPOINTMENT_CONFIRMED:
      return from == CLINIC_APPOINTMENT_BOOKED;
    case CLINIC_APPOINTMENT_ARRIVED:
      return from == CLINIC_APPOINTMENT_BOOKED || from == CLINIC_APPOINTMENT_CONFIRMED;
    case CLINIC_APPOINTMENT_IN_PROGRESS:
      return from == CLINIC_APPOINTMENT_ARRIVED || from == CLINIC_APPOINTMENT_CONFIRMED
             || from == CLINIC_APPOINTMENT_BOOKED;
    case CLINIC_APPOINTMENT_COMPLETED:
      return from == CLINIC_APPOINTMENT_IN_PROGRESS || from == CLINIC_APPOINTMENT_ARRIVED;
    case CLINIC_APPOINTMENT_NO_SHOW:
      return from == CLINIC_APPOINTMENT_BOOKED || from == CLINIC_APPOINTMENT_CONFIRMED;
    case CLINIC_APPOINTMENT_BOOKED:
      return from == CLINIC_APPOINTMENT_CANCELLED || from == CLINIC_APPOINTMENT_NO_SHOW;
    case CLINIC_APPOINTMENT_CANCELLED:
    default:
      return FALSE;
    }
}

gboolean
clinic_appointment_status_allows (ClinicAppointmentStatus from,
                                  ClinicAppointmentStatus to)
{
  /* A cancellation goes through clinic_appointments_cancel(), which
   * refuses these same ones. */
  if (to == CLINIC_APPOINTMENT_CANCELLED)
    return from != CLINIC_APPOINTMENT_CANCELLED && from != CLINIC_APPOINTMENT_COMPLETED
           && from != CLINIC_APPOINTMENT_NO_SHOW;
  return transition_allowed (from, to);
}

gboolean
clinic_appointments_set_status (ClinicSession            *session,
                                gint64                    id,
                                ClinicAppointmentStatus   status,
                                GError                  **error)
{
  g_autoptr(ClinicAppointment) a = NULL;
  sqlite3_stmt *stmt;
  ClinicDb *db;

  if (!clinic_schedule_require_read (session, error))
    return FALSE;
  if ((guint) status >= CLINIC_N_APPOINTMENT_STATUSES || status == CLINIC_APPOINTMENT_CANCELLED)
    {
      g_set_error_literal (error, CLINIC_ERROR, CLINIC_ERROR_INVALID,
                           _("Cancel an appointment with its reason instead."));
      return FALSE;
    }
  /* Patients confirm their own appointments and nothing else. */
  if (clinic_session_get_kind (session) == CLINIC_USER_PATIENT && status != CLINIC_APPOINTMENT_CONFIRMED)
    {
      g_set_error_literal (error, CLINIC_ERROR, CLINIC_ERROR_PERMISSION_DENIED,
                           _("The front desk records arrivals and visits."));
      return FALSE;
    }

  db = clinic_session_get_db (session);
  if (!clinic_db_begin_write (db, error))
    return FALSE;
  if ((a = fetch_for_change (session, db, id, error)) == NULL)
    goto fail;
  if (!transition_allowed (a->status, status))
    {
      g_set_error (error, CLINIC_ERROR, CLINIC_ERROR_INVALID,
                   _("An appointment that is “%s” cannot become “%s”."),
                   clinic_appointment_status_to_string (a->status), clinic_appointment_status_to_string (status));
      goto fail;
    }
  /* Back from a cancellation: the time must still be free. */
  if (status == CLINIC_APPOINTMENT_BOOKED
      && !clinic_appointments_check_slot (db, a->provider_id, a->room_id, a->starts_at, a->ends_at, a->id,
                      *a->override_reason != '\0', error))
    goto fail;

  stmt = clinic_db_prepare (db,
                            "UPDATE appointments SET status = ?2, updated_at = ?3,"
                            " cancel_reason = CASE WHEN ?2 = 'booked' THEN '' ELSE cancel_reason END,"
                            " late_cancel = CASE WHEN ?2 = 'booked' THEN 0 ELSE late_cancel END WHERE id = ?1",
                            error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_int64 (stmt, 1, id);
  sqlite3_bind_text (stmt, 2, status_keys[status], -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 3, now_seconds ());
  return in_transaction (db, clinic_db_step_done (db, stmt, error)
                             && record (db, session, id, a->patient_id,
                                        status == CLINIC_APPOINTMENT_BOOKED ? "restored" : status_keys[status],
                                        NULL, error),
                         error);

fail:
  clinic_db_rollback (db);
  return FALSE;
}

gboolean
clinic_appointments_edit (ClinicSession  *session,
                          gint64          id,
                          const char     *reason,
                          const char     *note,
                          GError        **error)
{
  g_autoptr(ClinicAppointment) a = NULL;
  sqlite3_stmt *stmt;
  ClinicDb *db;

  if (!clinic_schedule_require_read (session, error)
      || !check_text (reason, _("The reason for the visit"), error)
      || !check_text (note, _("The note"), error))
    return FALSE;
  db = clinic_session_get_db (session);
  if (!clinic_db_begin_write (db, error))
    return FALSE;
  if ((a = fetch_for_change (session, db, id, error)) == NULL)
    goto fail;
  stmt = clinic_db_prepare (db, "UPDATE appointments SET reason = ?2, note = ?3, updated_at = ?4 WHERE id = ?1",
                            error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_int64 (stmt, 1, id);
  sqlite3_bind_text (stmt, 2, reason != NULL ? reason : "", -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, note != NULL ? note : "", -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 4, now_seconds ());
  return in_transaction (db, clinic_db_step_done (db, stmt, error)
                             && record (db, session, id, a->patient_id, "edited", NULL, error),
                         error);

fail:
  clinic_db_rollback (db);
  return FALSE;
}

gboolean
clinic_appointments_set_room (ClinicSession  *session,
                              gint64          id,
                              gint64          room_id,
                              GError        **error)
{
  g_autoptr(ClinicAppointment) a = NULL;
  g_autoptr(ClinicAppointment) after = NULL;
  g_autoptr(GTimeZone) tz = NULL;
  g_autofree char *detail = NULL;
  sqlite3_stmt *stmt;
  ClinicDb *db;

  if (!clinic_schedule_require_read (session, error))
    return FALSE;
  if (clinic_session_get_kind (session) == CLINIC_USER_PATIENT)
    {
      g_set_error_literal (error, CLINIC_ERROR, CLINIC_ERROR_PERMISSION_DENIED,
                           _("Rooms are given by the front desk."));
      return FALSE;
    }
  db = clinic_session_get_db (session);
  if (!clinic_db_begin_write (db, error))
    return FALSE;
  if ((a = fetch_for_change (session, db, id, error)) == NULL)
    goto fail;
  if (a->status != CLINIC_APPOINTMENT_BOOKED && a->status != CLINIC_APPOINTMENT_CONFIRMED)
    {
      g_set_error (error, CLINIC_ERROR, CLINIC_ERROR_INVALID,
                   _("The room of an appointment that is “%s” cannot be changed."),
                   clinic_appointment_status_to_string (a->status));
      goto fail;
    }
  if (room_id == a->room_id)
    {
      clinic_db_rollback (db);
      return TRUE;
    }
  /* Another appointment in that room then is a clash, as for a booking;
   * the doctor's own time is unchanged. */
  tz = clinic_schedule_get_timezone (db);
  if ((room_id != 0 && !clinic_schedule_check_room (db, room_id, error))
      || !clinic_appointments_check_overlap (db, tz, a->provider_id, room_id, a->starts_at, a->ends_at, a->id,
                                             error))
    goto fail;
  stmt = clinic_db_prepare (db, "UPDATE appointments SET room_id = nullif (?2, 0), updated_at = ?3 WHERE id = ?1",
                            error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_int64 (stmt, 1, id);
  sqlite3_bind_int64 (stmt, 2, room_id);
  sqlite3_bind_int64 (stmt, 3, now_seconds ());
  if (!clinic_db_step_done (db, stmt, error)
      || (after = clinic_appointments_fetch (db, id, error)) == NULL)
    goto fail;
  /* Translators: an appointment's history: the room before and after;
   * "—" is no room */
  detail = g_strdup_printf (_("%s → %s"), *a->room_name != '\0' ? a->room_name : "—",
                            *after->room_name != '\0' ? after->room_name : "—");
  return in_transaction (db, record (db, session, id, a->patient_id, "room-changed", detail, error), error);

fail:
  clinic_db_rollback (db);
  return FALSE;
}

/* --- Reading ------------------------------------------------------------------------ */

ClinicAppointment *
clinic_appointments_get (ClinicSession  *session,
                         gint64          id,
                         GError        **error)
{
  g_autoptr(ClinicAppointment) a = NULL;

  if (!clinic_schedule_require_read (session, error))
    return NULL;
  a = clinic_appointments_fetch (clinic_session_get_db (session), id, error);
  if (a == NULL || !clinic_appointments_check_scope (session, a->patient_id, a->provider_id, error))
    return NULL;
  return g_steal_pointer (&a);
}

static GPtrArray *
read_list (ClinicDb    *db,
           const char  *sql,
           gint64       p1,
           gint64       p2,
           gint64       p3,
           GError     **error)
{
  g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func ((GDestroyNotify) clinic_appointment_free);
  sqlite3_stmt *stmt = clinic_db_prepare (db, sql, error);

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, p1);
  sqlite3_bind_int64 (stmt, 2, p2);
  sqlite3_bind_int64 (stmt, 3, p3);
  if (!clinic_db_collect (db, stmt, list, appointment_from_row, error))
    return NULL;
  return g_steal_pointer (&list);
}

GPtrArray *
clinic_appointments_read_range (ClinicDb  *db,
                                gint64     from,
                                gint64     to,
                                gint64     provider_id,
                                GError   **error)
{
  return read_list (db, "SELECT " APPOINTMENT_COLUMNS APPOINTMENT_FROM
                        " WHERE a.provider_id = ?3 AND a.starts_at >= ?1 AND a.starts_at < ?2"
                        " ORDER BY a.starts_at",
                    from, to, provider_id, error);
}

GPtrArray *
clinic_appointments_list (ClinicSession  *session,
                          gint64          from,
                          gint64          to,
                          gint64          provider_id,
                          GError        **error)
{
  ClinicDb *db;

  if (!clinic_schedule_require_read (session, error))
    return NULL;
  db = clinic_session_get_db (session);
  if (clinic_session_get_kind (session) == CLINIC_USER_PATIENT)
    return read_list (db, "SELECT " APPOINTMENT_COLUMNS APPOINTMENT_FROM
                          " WHERE a.patient_id = ?3 AND a.starts_at >= ?1 AND a.starts_at < ?2"
                          " ORDER BY a.starts_at",
                      from, to, clinic_session_get_patient_id (session), error);
  if (!clinic_session_has_permission (session, CLINIC_PERMISSION_SCHEDULE_ALL))
    {
      if (provider_id != 0 && provider_id != clinic_session_get_user_id (session))
        {
          g_set_error_literal (error, CLINIC_ERROR, CLINIC_ERROR_PERMISSION_DENIED,
                               _("You can see your own appointments only."));
          return NULL;
        }
      provider_id = clinic_session_get_user_id (session);
    }
  if (provider_id != 0)
    return clinic_appointments_read_range (db, from, to, provider_id, error);
  return read_list (db, "SELECT " APPOINTMENT_COLUMNS APPOINTMENT_FROM
                        " WHERE a.starts_at >= ?1 AND a.starts_at < ?2 AND ?3 = 0"
                        " ORDER BY a.starts_at, u.display_name",
                    from, to, 0, error);
}

GPtrArray *
clinic_appointments_for_patient (ClinicSession  *session,
                                 gint64          patient_id,
                                 GError        **error)
{
  if (!clinic_schedule_require_read (session, error))
    return NULL;
  if (clinic_session_get_kind (session) == CLINIC_USER_PATIENT
      && patient_id != clinic_session_get_patient_id (session))
    {
      g_set_error_literal (error, CLINIC_ERROR, CLINIC_ERROR_PERMISSION_DENIED,
                           _("You can only see and book your own appointments."));
      return NULL;
    }
  return read_list (clinic_session_get_db (session),
                    "SELECT " APPOINTMENT_COLUMNS APPOINTMENT_FROM
                    " WHERE a.patient_id = ?1 AND (?2 OR a.provider_id = ?3) ORDER BY a.starts_at DESC",
                    patient_id,
                    clinic_session_has_permission (session, CLINIC_PERMISSION_SCHEDULE_ALL)
                    || clinic_session_get_kind (session) == CLINIC_USER_PATIENT,
                    clinic_session_get_user_id (session), error);
}

static gpointer
change_from_row (sqlite3_stmt *stmt)
{
  ClinicAppointmentChange *c = g_new0 (ClinicAppointmentChange, 1);

  c->at = sqlite3_column_int64 (stmt, 0);
  c->user_name = clinic_db_column_text (stmt, 1);
  c->action = clinic_db_column_text (stmt, 2);
  c->detail = clinic_db_column_text (stmt, 3);
  return c;
}

GPtrArray *
clinic_appointments_history (ClinicSession  *session,
                             gint64          id,
                             GError        **error)
{
  g_autoptr(ClinicAppointment) a = clinic_appointments_get (session, id, error);
  g_autoptr(GPtrArray) list = NULL;
  sqlite3_stmt *stmt;
  ClinicDb *db;

  if (a == NULL)
    return NULL;
  db = clinic_session_get_db (session);
  list = g_ptr_array_new_with_free_func ((GDestroyNotify) clinic_appointment_change_free);
  stmt = clinic_db_prepare (db,
                            "SELECT h.at, coalesce (u.display_name, ''), h.action, h.detail"
                            " FROM appointment_history h LEFT JOIN users u ON u.id = h.user_id"
                            " WHERE h.appointment_id = ?1 ORDER BY h.at, h.id",
                            error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, id);
  if (!clinic_db_collect (db, stmt, list, change_from_row, error))
    return NULL;
  return g_steal_pointer (&list);
}

/* --- Import ------------------------------------------------------------------------ */

gint64
clinic_appointments_import_locked (ClinicSession       *session,
                                   ClinicDb            *db,
                                   GPtrArray           *appointments,
                                   ClinicProgressFunc   progress,
                                   gpointer             user_data,
                                   GError             **error)
{
  g_autoptr(GHashTable) types = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free,
                                                       (GDestroyNotify) clinic_visit_type_free);
  g_autoptr(GTimeZone) tz = clinic_schedule_get_timezone (db);
  sqlite3_stmt *stmt;
  gint64 now = now_seconds ();
  guint n;

  g_return_val_if_fail (appointments != NULL, -1);

  if (!clinic_session_require_staff (session, CLINIC_PERMISSION_SCHEDULE_ALL, error))
    return -1;
  n = appointments->len;

  for (guint i = 0; i < n; i++)
    {
      const ClinicAppointment *a = appointments->pdata[i];
      GError *local = NULL;
      ClinicVisitType *type = g_hash_table_lookup (types, &a->visit_type_id);
      gint64 end, room_id = a->room_id;

      if (type == NULL)
        {
          type = clinic_schedule_fetch_visit_type (db, a->visit_type_id, &local);
          if (type != NULL)
            g_hash_table_insert (types, g_memdup2 (&a->visit_type_id, sizeof (gint64)), type);
        }
      end = a->ends_at != 0 ? a->ends_at : a->starts_at + (type != NULL ? (gint64) type->duration_min * 60 : 0);
      if (type != NULL
          && ((guint) a->status >= CLINIC_N_APPOINTMENT_STATUSES
              || !check_text (a->reason, _("The reason for the visit"), &local)
              || !check_text (a->note, _("The note"), &local)))
        {
          if (local == NULL)
            g_set_error_literal (&local, CLINIC_ERROR, CLINIC_ERROR_INVALID, _("Unknown status."));
        }
      else if (type != NULL && clinic_appointment_status_is_active (a->status))
        {
          /* Overlaps only: the past is history here, and the hours of an
           * imported visit were agreed elsewhere. */
          if (end <= a->starts_at || end - a->starts_at > 86400)
            g_set_error_literal (&local, CLINIC_ERROR, CLINIC_ERROR_INVALID,
                                 _("An appointment must end after it starts, within a day."));
          /* Without a room, the room of the doctor's hours, as a
           * booking takes it. */
          else if (room_id != 0
                   || clinic_schedule_hours_room (db, tz, a->provider_id, a->starts_at, &room_id, &local))
            clinic_appointments_check_overlap (db, tz, a->provider_id, room_id, a->starts_at, end, 0, &local);
        }
      if (local == NULL)
        {
          stmt = clinic_db_prepare (db,
                                    "INSERT INTO appointments (patient_id, provider_id, visit_type_id, room_id,"
                                    " starts_at, ends_at, status, reason, note, cancel_reason, created_at,"
                                    " created_by, updated_at, ical_uid) VALUES (?1, ?2, ?3, nullif (?4, 0), ?5,"
                                    " ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?11, ?13)",
                                    &local);
          if (stmt != NULL)
            {
              sqlite3_bind_int64 (stmt, 1, a->patient_id);
              sqlite3_bind_int64 (stmt, 2, a->provider_id);
              sqlite3_bind_int64 (stmt, 3, a->visit_type_id);
              sqlite3_bind_int64 (stmt, 4, room_id);
              sqlite3_bind_int64 (stmt, 5, a->starts_at);
              sqlite3_bind_int64 (stmt, 6, end);
              sqlite3_bind_text (stmt, 7, status_keys[a->status], -1, SQLITE_STATIC);
              sqlite3_bind_text (stmt, 8, a->reason != NULL ? a->reason : "", -1, SQLITE_TRANSIENT);
              sqlite3_bind_text (stmt, 9, a->note != NULL ? a->note : "", -1, SQLITE_TRANSIENT);
              sqlite3_bind_text (stmt, 10, a->cancel_reason != NULL ? a->cancel_reason : "", -1, SQLITE_TRANSIENT);
              sqlite3_bind_int64 (stmt, 11, now);
              sqlite3_bind_int64 (stmt, 12, clinic_session_get_user_id (session));
              if (a->ical_uid != NULL && *a->ical_uid != '\0')
                sqlite3_bind_text (stmt, 13, a->ical_uid, -1, SQLITE_TRANSIENT);
              else
                sqlite3_bind_null (stmt, 13);
              if (!clinic_db_step_done (db, stmt, &local))
                {
                  /* A patient, doctor or room that does not exist. */
                  g_clear_error (&local);
                  g_set_error_literal (&local, CLINIC_ERROR, CLINIC_ERROR_NOT_FOUND,
                                       _("its patient, doctor or room does not exist."));
                }
            }
        }
      if (local != NULL)
        {
          g_set_error (error, local->domain, local->code, _("Appointment %u: %s Nothing was imported."),
                       i + 1, local->message);
          g_error_free (local);
          return -1;
        }
      if (progress != NULL && (i + 1) % 1000 == 0)
        progress (i + 1, n, user_data);
    }

  {
    g_autofree char *count = g_strdup_printf ("%u", n);

    if (!clinic_audit_append (db, session, NULL, 0, "appointments.imported", "appointments", NULL, 0, NULL,
                              count, error))
      return -1;
  }
  if (progress != NULL)
    progress (n, n, user_data);
  return n;
}

gint64
clinic_appointments_import (ClinicSession       *session,
                            GPtrArray           *appointments,
                            ClinicProgressFunc   progress,
                            gpointer             user_data,
                            GError             **error)
{
  ClinicDb *db = clinic_session_get_db (session);
  gint64 n;

  if (!clinic_db_begin_write (db, error))
    return -1;
  n = clinic_appointments_import_locked (session, db, appointments, progress, user_data, error);
  if (n < 0 || !clinic_db_commit (db, error))
    {
      clinic_db_rollback (db);
      return -1;
    }
  clinic_ics_after_change (db);
  return n;
}
