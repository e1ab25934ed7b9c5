/* clinic-recurrence.c — recurring appointments: RRULEs expanded with
 * libical in the clinic's local time, occurrences booked as rows */

#include "config.h"

#include <stdio.h>
#include <string.h>
#include <glib/gi18n-lib.h>
#include <libical/ical.h>
#include <sqlite3.h>

#include "clinic-appointments-private.h"
#include "clinic-audit-private.h"
#include "clinic-db-private.h"
#include "clinic-error.h"
#include "clinic-ics-private.h"
#include "clinic-recurrence.h"
#include "clinic-schedule-private.h"

void
clinic_occurrence_free (ClinicOccurrence *o)
{
  if (o == NULL)
    return;
  g_free (o->local);
  g_free (o->problem);
  g_free (o);
}

/* libical aborts on its own errors unless told otherwise; the clinic
 * reads its answers instead. */
static void
ical_init (void)
{
  static gsize done = 0;

  if (g_once_init_enter (&done))
    {
      icalerror_set_errors_are_fatal (0);
      g_once_init_leave (&done, 1);
    }
}

/* "YYYY-MM-DD HH:MM" into its parts, checked. */
static gboolean
parse_wall (const char  *text,
            int         *y,
            int         *m,
            int         *d,
            int         *minute,
            GError     **error)
{
  int h = 0, mi = 0, n = 0;

  if (text == NULL || sscanf (text, "%4d-%2d-%2d %2d:%2d%n", y, m, d, &h, &mi, &n) != 5
      || text[n] != '\0' || !g_date_valid_dmy (*d, *m, *y) || h > 23 || mi > 59 || h < 0 || mi < 0)
    {
      g_set_error (error, CLINIC_ERROR, CLINIC_ERROR_INVALID,
                   _("“%s” is not a date and time (YYYY-MM-DD HH:MM)."), text != NULL ? text : "");
      return FALSE;
    }
  *minute = h * 60 + mi;
  return TRUE;
}

static const char *const ical_days[] = { "", "MO", "TU", "WE", "TH", "FR", "SA", "SU" };

char *
clinic_recurrence_to_rrule (const ClinicRecurrence  *rule,
                            const char              *first,
                            GError                 **error)
{
  g_autoptr(GString) rrule = g_string_new (NULL);
  int y, m, d, minute;
  GDate date;

  g_return_val_if_fail (rule != NULL, NULL);

  if (!parse_wall (first, &y, &m, &d, &minute, error))
    return NULL;
  if (rule->interval < 1 || rule->interval > 52)
    {
      g_set_error_literal (error, CLINIC_ERROR, CLINIC_ERROR_INVALID,
                           _("A series repeats every 1 to 52 weeks or months."));
      return NULL;
    }
  if ((rule->count > 0) == (rule->until != NULL) || rule->count < 0 || rule->count > CLINIC_SERIES_MAX)
    {
      g_set_error (error, CLINIC_ERROR, CLINIC_ERROR_INVALID,
                   _("A series ends after a number of times (1 to %d) or on a date, one of the two."),
                   CLINIC_SERIES_MAX);
      return NULL;
    }
  g_date_clear (&date, 1);
  g_date_set_dmy (&date, d, m, y);
  switch (rule->repeat)
    {
    case CLINIC_REPEAT_WEEKLY:
      g_string_append_printf (rrule, "FREQ=WEEKLY;INTERVAL=%d;BYDAY=%s", rule->interval,
                              ical_days[g_date_get_weekday (&date)]);
      break;
    case CLINIC_REPEAT_MONTHLY_BY_DATE:
      /* On the 31st: months without one are skipped (RFC 5545). */
      g_string_append_printf (rrule, "FREQ=MONTHLY;INTERVAL=%d;BYMONTHDAY=%d", rule->interval, d);
      break;
    case CLINIC_REPEAT_MONTHLY_BY_WEEKDAY:
      g_string_append_printf (rrule, "FREQ=MONTHLY;INTERVAL=%d;BYDAY=%d%s", rule->interval, (d - 1) / 7 + 1,
                              ical_days[g_date_get_weekday (&date)]);
      break;
    default:
      g_set_error_literal (error, CLINIC_ERROR, CLINIC_ERROR_INVALID, _("Unknown kind of repetition."));
      return NULL;
    }
  if (rule->count > 0)
    g_string_append_printf (rrule, ";COUNT=%d", rule->count);
  else
    {
      int uy, um, ud, n = 0;

      if (sscanf (rule->until, "%4d-%2d-%2d%n", &uy, &um, &ud, &n) != 3 || rule->until[n] != '\0'
          || !g_date_valid_dmy (ud, um, uy) || uy * 10000 + um * 100 + ud < y * 10000 + m * 100 + d)
        {
          g_set_error (error, CLINIC_ERROR, CLINIC_ERROR_INVALID,
                       _("The series’ last day “%s” is not a date (YYYY-MM-DD) on or after its first."),
                       rule->until);
          return NULL;
        }
      /* Floating, like the start: the end of that local day. */
      g_string_append_printf (rrule, ";UNTIL=%04d%02d%02dT235959", uy, um, ud);
    }
  return g_string_free (g_steal_pointer (&rrule), FALSE);
}

GArray *
clinic_recurrence_expand (const char  *rrule,
                          const char  *first,
                          GTimeZone   *tz,
                          GError     **error)
{
  g_autoptr(GArray) starts = g_array_new (FALSE, FALSE, sizeof (gint64));
  struct icalrecurrencetype recur;
  struct icaltimetype start = icaltime_null_time ();
  struct icaltimetype next;
  icalrecur_iterator *it;
  int y, m, d, minute;

  ical_init ();
  if (!parse_wall (first, &y, &m, &d, &minute, error))
    return NULL;
  recur = icalrecurrencetype_from_string (rrule != NULL ? rrule : "");
  if (recur.freq == ICAL_NO_RECURRENCE)
    {
      g_set_error_literal (error, CLINIC_ERROR, CLINIC_ERROR_INVALID, _("The repetition rule cannot be read."));
      return NULL;
    }
  if (recur.count <= 0 && icaltime_is_null_time (recur.until))
    {
      g_set_error_literal (error, CLINIC_ERROR, CLINIC_ERROR_INVALID,
                           _("A series must end after a number of times or on a date."));
      return NULL;
    }

  /* Floating local time: no zone, so libical counts wall-clock days and
   * the clinic's zone is applied to each occurrence below. */
  start.year = y;
  start.month = m;
  start.day = d;
  start.hour = minute / 60;
  start.minute = minute % 60;
  start.is_date = 0;
  it = icalrecur_iterator_new (recur, start);
  if (it == NULL)
    {
      g_set_error_literal (error, CLINIC_ERROR, CLINIC_ERROR_INVALID, _("The repetition rule cannot be read."));
      return NULL;
    }
  for (next = icalrecur_iterator_next (it); !icaltime_is_null_time (next); next = icalrecur_iterator_next (it))
    {
      gint64 at;

      if (starts->len == CLINIC_SERIES_MAX)
        {
          icalrecur_iterator_free (it);
          g_set_error (error, CLINIC_ERROR, CLINIC_ERROR_INVALID,
                       _("A series has at most %d appointments."), CLINIC_SERIES_MAX);
          return NULL;
        }
      at = clinic_local_to_unix (tz, next.year, next.month, next.day, next.hour * 60 + next.minute);
      g_array_append_val (starts, at);
    }
  icalrecur_iterator_free (it);
  if (starts->len == 0)
    {
      g_set_error_literal (error, CLINIC_ERROR, CLINIC_ERROR_INVALID, _("The series has no appointments."));
      return NULL;
    }
  return g_steal_pointer (&starts);
}

/* --- Booking a series ---------------------------------------------------------- */

/* Who may book series: staff within their booking scope. */
static gboolean
check_series_scope (ClinicSession        *session,
                    gint64                patient_id,
                    gint64                provider_id,
                    GError              **error)
{
  if (!clinic_appointments_check_scope (session, patient_id, provider_id, error))
    return FALSE;
  if (clinic_session_get_kind (session) == CLINIC_USER_PATIENT)
    {
      g_set_error_literal (error, CLINIC_ERROR, CLINIC_ERROR_PERMISSION_DENIED,
                           _("Recurring appointments are booked by the front desk."));
      return FALSE;
    }
  return TRUE;
}

/* The series' occurrences with their ends and wall times, unchecked; its
 * RRULE and first wall time in @rrule and @first_local. */
static GPtrArray *
occurrences (ClinicDb                *db,
             GTimeZone               *tz,
             const ClinicBooking     *b,
             const ClinicRecurrence  *rule,
             char                   **rrule,
             char                   **first_local,
             GError                 **error)
{
  g_autoptr(ClinicVisitType) type = clinic_schedule_fetch_visit_type (db, b->visit_type_id, error);
  g_autofree char *first = NULL;
  g_autofree char *text = NULL;
  g_autoptr(GArray) starts = NULL;
  GPtrArray *list;
  gint64 length;

  if (type == NULL)
    return NULL;
  length = b->ends_at != 0 ? b->ends_at - b->starts_at : (gint64) type->duration_min * 60;
  first = clinic_format_local_time (tz, b->starts_at);
  text = clinic_recurrence_to_rrule (rule, first, error);
  if (text == NULL || (starts = clinic_recurrence_expand (text, first, tz, error)) == NULL)
    return NULL;
  list = g_ptr_array_new_with_free_func ((GDestroyNotify) clinic_occurrence_free);
  for (guint i = 0; i < starts->len; i++)
    {
      ClinicOccurrence *o = g_new0 (ClinicOccurrence, 1);

      o->starts_at = g_array_index (starts, gint64, i);
      o->ends_at = o->starts_at + length;
      o->local = clinic_format_local_time (tz, o->starts_at);
      o->free = TRUE;
      g_ptr_array_add (list, o);
    }
  *rrule = g_steal_pointer (&text);
  *first_local = g_steal_pointer (&first);
  return list;
}

/* Checks each occurrence as a booking; TRUE when the checks ran. */
static gboolean
check_occurrences (ClinicDb             *db,
                   const ClinicBooking  *b,
                   GPtrArray            *list,
                   GError              **error)
{
  for (guint i = 0; i < list->len; i++)
    {
      ClinicOccurrence *o = list->pdata[i];
      g_autoptr(GError) local = NULL;
      gint64 room_id = 0;

      /* Each occurrence in the room it would be booked into. */
      if (!clinic_appointments_resolve_room (db, b->provider_id, b->room_id, o->starts_at, &room_id, &local)
          || !clinic_appointments_check_slot (db, b->provider_id, room_id, o->starts_at, o->ends_at, 0,
                                              b->override_reason != NULL, &local))
        {
          if (local->domain != CLINIC_ERROR
              || (local->code != CLINIC_ERROR_CONFLICT && local->code != CLINIC_ERROR_INVALID))
            {
              g_propagate_error (error, g_steal_pointer (&local));
              return FALSE;
            }
          o->free = FALSE;
          o->problem = g_strdup (local->message);
        }
    }
  return TRUE;
}

GPtrArray *
clinic_recurrence_preview (ClinicSession           *session,
                           const ClinicBooking     *first,
                           const ClinicRecurrence  *rule,
                           GError                 **error)
{
  g_autoptr(GTimeZone) tz = NULL;
  g_autoptr(GPtrArray) list = NULL;
  g_autofree char *rrule = NULL;
  g_autofree char *first_local = NULL;
  ClinicDb *db;

  g_return_val_if_fail (first != NULL && rule != NULL, NULL);

  if (!check_series_scope (session, first->patient_id, first->provider_id, error))
    return NULL;
  db = clinic_session_get_db (session);
  tz = clinic_schedule_get_timezone (db);
  list = occurrences (db, tz, first, rule, &rrule, &first_local, error);
  if (list == NULL || !check_occurrences (db, first, list, error))
    return NULL;
  return g_steal_pointer (&list);
}

gint64
clinic_recurrence_book (ClinicSession           *session,
                        const ClinicBooking     *first,
                        const ClinicRecurrence  *rule,
                        gboolean                 skip_conflicts,
                        guint                   *n_booked,
                        GError                 **error)
{
  g_autoptr(GTimeZone) tz = NULL;
  g_autoptr(GPtrArray) list = NULL;
  g_autofree char *rrule = NULL;
  g_autofree char *first_local = NULL;
  g_autofree char *detail = NULL;
  const ClinicOccurrence *refused = NULL;
  sqlite3_stmt *stmt;
  ClinicDb *db;
  gint64 series;
  guint n_refused = 0, booked = 0;

  g_return_val_if_fail (first != NULL && rule != NULL, 0);

  if (n_booked != NULL)
    *n_booked = 0;
  if (!check_series_scope (session, first->patient_id, first->provider_id, error))
    return 0;
  db = clinic_session_get_db (session);
  tz = clinic_schedule_get_timezone (db);
  /* Checked in the write transaction: what the preview showed may have
   * changed since. */
  if (!clinic_db_begin_write (db, error))
    return 0;
  list = occurrences (db, tz, first, rule, &rrule, &first_local, error);
  if (list == NULL || !check_occurrences (db, first, list, error))
    goto fail;
  for (guint i = 0; i < list->len; i++)
    {
      const ClinicOccurrence *o = list->pdata[i];

      if (!o->free && n_refused++ == 0)
        refused = o;
    }
  if (refused != NULL && (!skip_conflicts || n_refused == list->len))
    {
      g_set_error (error, CLINIC_ERROR, CLINIC_ERROR_CONFLICT,
                   _("%u of the %u dates cannot be booked; the first, %s: %s"),
                   n_refused, list->len, refused->local, refused->problem);
      goto fail;
    }

  stmt = clinic_db_prepare (db,
                            "INSERT INTO appointment_series (rrule, first_local, created_at, created_by)"
                            " VALUES (?1, ?2, ?3, ?4)",
                            error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_text (stmt, 1, rrule, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, first_local, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 3, g_get_real_time () / G_USEC_PER_SEC);
  sqlite3_bind_int64 (stmt, 4, clinic_session_get_user_id (session));
  if (!clinic_db_step_done (db, stmt, error))
    goto fail;
  series = sqlite3_last_insert_rowid (clinic_db_get_handle (db));

  for (guint i = 0; i < list->len; i++)
    {
      const ClinicOccurrence *o = list->pdata[i];
      ClinicBooking b = *first;

      if (!o->free)
        continue;
      b.starts_at = o->starts_at;
      b.ends_at = o->ends_at;
      if (clinic_appointments_book_locked (session, db, &b, series, error) == 0)
        goto fail;
      booked++;
    }

  detail = g_strdup_printf ("%s; %s; %u booked, %u skipped", first_local, rrule, booked, n_refused);
  {
    g_autofree char *object = g_strdup_printf ("%" G_GINT64_FORMAT, series);

    if (!clinic_audit_append (db, session, NULL, 0, "appointments.series-booked", "series", object,
                              first->patient_id, NULL, detail, error)
        || !clinic_db_commit (db, error))
      goto fail;
  }
  clinic_ics_after_change (db);
  if (n_booked != NULL)
    *n_booked = booked;
  return series;

fail:
  clinic_db_rollback (db);
  return 0;
}

/* --- Changing a series ------------------------------------------------------------ */

/* The ids of @scope around @id, in the open transaction. */
static GArray *
scope_ids (ClinicSession      *session,
           ClinicDb           *db,
           gint64              id,
           ClinicSeriesScope   scope,
           GError            **error)
{
  g_autoptr(ClinicAppointment) a = clinic_appointments_fetch (db, id, error);
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  sqlite3_stmt *stmt;
  int rc;

  if (a == NULL || !clinic_appointments_check_scope (session, a->patient_id, a->provider_id, error))
    return NULL;
  if ((guint) scope > CLINIC_SERIES_ALL)
    {
      g_set_error_literal (error, CLINIC_ERROR, CLINIC_ERROR_INVALID, _("Unknown part of a series."));
      return NULL;
    }
  if (scope != CLINIC_SERIES_THIS && clinic_session_get_kind (session) == CLINIC_USER_PATIENT)
    {
      g_set_error_literal (error, CLINIC_ERROR, CLINIC_ERROR_PERMISSION_DENIED,
                           _("Recurring appointments are changed by the front desk."));
      return NULL;
    }
  if (scope == CLINIC_SERIES_THIS || a->series_id == 0)
    {
      g_array_append_val (ids, id);
      return g_steal_pointer (&ids);
    }
  /* Still to come and still booked: the past is history, and a visit
   * under way or cancelled is not part of a change to the series. */
  stmt = clinic_db_prepare (db,
                            "SELECT id FROM appointments WHERE series_id = ?1 AND starts_at >= ?2"
                            " AND starts_at >= ?3 AND status IN ('booked', 'confirmed') ORDER BY starts_at",
                            error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, a->series_id);
  sqlite3_bind_int64 (stmt, 2, scope == CLINIC_SERIES_FOLLOWING ? a->starts_at : G_MININT64);
  sqlite3_bind_int64 (stmt, 3, g_get_real_time () / G_USEC_PER_SEC);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 row = sqlite3_column_int64 (stmt, 0);

      g_array_append_val (ids, row);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      clinic_db_set_error (db, rc, error);
      return NULL;
    }
  if (ids->len == 0)
    {
      g_set_error_literal (error, CLINIC_ERROR, CLINIC_ERROR_INVALID,
                           _("No appointment of the series is still to come."));
      return NULL;
    }
  return g_steal_pointer (&ids);
}

GArray *
clinic_recurrence_scope (ClinicSession      *session,
                         gint64              id,
                         ClinicSeriesScope   scope,
                         GError            **error)
{
  if (!clinic_schedule_require_read (session, error))
    return NULL;
  return scope_ids (session, clinic_session_get_db (session), id, scope, error);
}

gboolean
clinic_recurrence_cancel (ClinicSession      *session,
                          gint64              id,
                          ClinicSeriesScope   scope,
                          const char         *reason,
                          GArray            **cancelled,
                          GError            **error)
{
  g_autoptr(GArray) ids = NULL;
  ClinicDb *db;

  if (!clinic_schedule_require_read (session, error))
    return FALSE;
  db = clinic_session_get_db (session);
  if (!clinic_db_begin_write (db, error))
    return FALSE;
  if ((ids = scope_ids (session, db, id, scope, error)) == NULL)
    goto fail;
  for (guint i = 0; i < ids->len; i++)
    if (!clinic_appointments_cancel_locked (session, db, g_array_index (ids, gint64, i), reason, error))
      goto fail;
  if (!clinic_db_commit (db, error))
    goto fail;
  clinic_ics_after_change (db);
  if (cancelled != NULL)
    *cancelled = g_steal_pointer (&ids);
  return TRUE;

fail:
  clinic_db_rollback (db);
  return FALSE;
}

typedef struct
{
  gint64 id;
  gint64 start;
  gint64 end;
} Move;

gboolean
clinic_recurrence_reschedule (ClinicSession      *session,
                              gint64              id,
                              ClinicSeriesScope   scope,
                              int                 shift_days,
                              int                 minute_of_day,
                              GError            **error)
{
  g_autoptr(GArray) ids = NULL;
  g_autoptr(GTimeZone) tz = NULL;
  g_autoptr(GArray) moves = NULL;
  gboolean later = FALSE;
  ClinicDb *db;

  if (!clinic_schedule_require_read (session, error))
    return FALSE;
  if (minute_of_day >= 1440 || shift_days < -366 || shift_days > 366)
    {
      g_set_error_literal (error, CLINIC_ERROR, CLINIC_ERROR_INVALID,
                           _("Move a series by at most a year, to a time of day between 00:00 and 23:59."));
      return FALSE;
    }
  db = clinic_session_get_db (session);
  tz = clinic_schedule_get_timezone (db);
  if (!clinic_db_begin_write (db, error))
    return FALSE;
  if ((ids = scope_ids (session, db, id, scope, error)) == NULL)
    goto fail;

  /* Each occurrence's new wall time, kept a wall time across DST. */
  moves = g_array_new (FALSE, FALSE, sizeof (Move));
  for (guint i = 0; i < ids->len; i++)
    {
      g_autoptr(ClinicAppointment) a = clinic_appointments_fetch (db, g_array_index (ids, gint64, i), error);
      g_autoptr(GDateTime) utc = NULL;
      g_autoptr(GDateTime) local = NULL;
      g_autoptr(GDateTime) moved = NULL;
      Move move;

      if (a == NULL)
        goto fail;
      utc = g_date_time_new_from_unix_utc (a->starts_at);
      local = g_date_time_to_timezone (utc, tz);
      moved = g_date_time_add_days (local, shift_days);
      move.id = a->id;
      move.start = clinic_local_to_unix (tz, g_date_time_get_year (moved), g_date_time_get_month (moved),
                                      g_date_time_get_day_of_month (moved),
                                      minute_of_day >= 0 ? minute_of_day
                                      : g_date_time_get_hour (local) * 60 + g_date_time_get_minute (local));
      move.end = move.start + (a->ends_at - a->starts_at);
      g_array_append_val (moves, move);
      if (i == 0)
        later = move.start > a->starts_at;
    }

  /* Moved later, the last goes first, so that no occurrence runs into
   * the old place of the next one; earlier, the first goes first. */
  for (guint k = 0; k < moves->len; k++)
    {
      const Move *move = &g_array_index (moves, Move, later ? moves->len - 1 - k : k);

      if (!clinic_appointments_reschedule_locked (session, db, move->id, move->start, move->end, error))
        goto fail;
    }
  if (!clinic_db_commit (db, error))
    goto fail;
  clinic_ics_after_change (db);
  return TRUE;

fail:
  clinic_db_rollback (db);
  return FALSE;
}
