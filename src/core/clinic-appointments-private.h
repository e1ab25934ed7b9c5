/* clinic-appointments-private.h — the booking's checks and steps, shared
 * with recurring series and calendar imports so that every way into the
 * book is checked by one implementation */

#pragma once

#include "clinic-appointments.h"
#include "clinic-db.h"

G_BEGIN_DECLS

/* Refuses [@start, @end) for @provider_id (and @room_id) when it overlaps
 * another active appointment (not @ignore_id), falls outside the working
 * hours or in blocked time, or lies in the past. With @override, only the
 * past and the length are checked. */
gboolean           clinic_appointments_check_slot  (ClinicDb             *db,
                                                    gint64                provider_id,
                                                    gint64                room_id,
                                                    gint64                start,
                                                    gint64                end,
                                                    gint64                ignore_id,
                                                    gboolean              override,
                                                    GError              **error);

/* Books @booking inside the caller's write transaction (with @series_id,
 * 0 for none): every check of clinic_appointments_book(). */
gint64             clinic_appointments_book_locked (ClinicSession        *session,
                                                    ClinicDb             *db,
                                                    const ClinicBooking  *booking,
                                                    gint64                series_id,
                                                    GError              **error);

/* Moves and cancels inside the caller's write transaction, checked as
 * clinic_appointments_reschedule() and clinic_appointments_cancel(). */
gboolean           clinic_appointments_reschedule_locked (ClinicSession  *session,
                                                          ClinicDb       *db,
                                                          gint64          id,
                                                          gint64          starts_at,
                                                          gint64          ends_at,
                                                          GError        **error);
gboolean           clinic_appointments_cancel_locked (ClinicSession  *session,
                                                      ClinicDb       *db,
                                                      gint64          id,
                                                      const char     *reason,
                                                      GError        **error);

/* Refuses (CLINIC_ERROR_CONFLICT, naming the other's time) an overlap of
 * [@start, @end) with another active appointment of @provider_id or in
 * @room_id, not @ignore_id. */
gboolean           clinic_appointments_check_overlap (ClinicDb           *db,
                                                      GTimeZone          *tz,
                                                      gint64              provider_id,
                                                      gint64              room_id,
                                                      gint64              start,
                                                      gint64              end,
                                                      gint64              ignore_id,
                                                      GError            **error);

/* The room a booking of @provider_id at @start goes into: @room_id
 * (checked to exist and not be retired), or with 0 the room of the
 * doctor's hours block @start falls in (0 when it names none). */
gboolean           clinic_appointments_resolve_room (ClinicDb           *db,
                                                     gint64              provider_id,
                                                     gint64              room_id,
                                                     gint64              start,
                                                     gint64             *resolved,
                                                     GError            **error);

/* clinic_appointments_import() inside the caller's write transaction. */
gint64             clinic_appointments_import_locked (ClinicSession       *session,
                                                      ClinicDb            *db,
                                                      GPtrArray           *appointments,
                                                      ClinicProgressFunc   progress,
                                                      gpointer             user_data,
                                                      GError             **error);

/* May the session book for @patient_id with @provider_id (or change such
 * an appointment)? */
gboolean           clinic_appointments_check_scope (ClinicSession        *session,
                                                    gint64                patient_id,
                                                    gint64                provider_id,
                                                    GError              **error);

/* The appointments of @provider_id starting in [@from, @to), no
 * permission check (the calendar folder). */
GPtrArray         *clinic_appointments_read_range  (ClinicDb             *db,
                                                    gint64                from,
                                                    gint64                to,
                                                    gint64                provider_id,
                                                    GError              **error);

/* The appointment @id as stored, NOT_FOUND otherwise; no permission
 * check. */
ClinicAppointment *clinic_appointments_fetch       (ClinicDb             *db,
                                                    gint64                id,
                                                    GError              **error);

G_END_DECLS
