/* clinic-appointments.h — booking, changing and listing appointments
 *
 * A booking is checked in the same BEGIN IMMEDIATE transaction that
 * writes it: SQLite lets one writer in at a time, so of two programs
 * racing for one slot exactly one wins and the other is told the slot is
 * taken. Refused: an overlap with another active appointment of the same
 * doctor (or room), a time outside the doctor's working hours or in
 * blocked time, a time in the past. A session with SCHEDULE_OVERRIDE may
 * book anyway with a reason, which is kept and audited.
 *
 * Permissions: SCHEDULE_ALL books and changes anyone's appointments;
 * SCHEDULE_OWN a doctor's own, or a patient's own (a patient books only
 * visit types bookable by patients, and cancels subject to the setting
 * "appointments.patient-cancel-hours"). Every change is audited and kept
 * in the appointment's history.
 */

#pragma once

#include "clinic-patients.h"
#include "clinic-session.h"

G_BEGIN_DECLS

typedef enum
{
  CLINIC_APPOINTMENT_BOOKED,
  CLINIC_APPOINTMENT_CONFIRMED,
  CLINIC_APPOINTMENT_ARRIVED,
  CLINIC_APPOINTMENT_IN_PROGRESS,
  CLINIC_APPOINTMENT_COMPLETED,
  CLINIC_APPOINTMENT_CANCELLED,
  CLINIC_APPOINTMENT_NO_SHOW,
} ClinicAppointmentStatus;

#define CLINIC_N_APPOINTMENT_STATUSES 7

/* "booked", "confirmed", … as stored and as clinicctl prints them. */
const char *clinic_appointment_status_to_key    (ClinicAppointmentStatus status);
/* "Booked", "Confirmed", …, translated. */
const char *clinic_appointment_status_to_string (ClinicAppointmentStatus status);
/* Cancelled and no-show appointments take no time. */
gboolean    clinic_appointment_status_is_active (ClinicAppointmentStatus status);
/* Whether an appointment that is @from may become @to: through
 * clinic_appointments_set_status(), or clinic_appointments_cancel() for
 * CANCELLED. For menus that offer only what the core would do. */
gboolean    clinic_appointment_status_allows    (ClinicAppointmentStatus from,
                                                 ClinicAppointmentStatus to);

typedef struct
{
  gint64                   id;
  gint64                   patient_id;
  gint64                   provider_id;
  gint64                   visit_type_id;
  gint64                   room_id;          /* 0: none */
  gint64                   series_id;        /* 0: not recurring */
  gint64                   starts_at;        /* Unix seconds */
  gint64                   ends_at;
  ClinicAppointmentStatus  status;
  char                    *reason;
  char                    *note;
  char                    *override_reason;  /* "" unless booked anyway */
  char                    *cancel_reason;
  gboolean                 late_cancel;
  /* For lists and views, joined: */
  char                    *patient_name;     /* "Family, Given" */
  char                    *patient_chart;
  char                    *patient_birth;
  char                    *provider_name;
  char                    *visit_type;
  char                    *color;
  char                    *room_name;        /* "" when none */
  /* For clinic_appointments_import() only: the UID of an imported
   * iCalendar event (NULL otherwise; not read back by lists). */
  char                    *ical_uid;
} ClinicAppointment;

void clinic_appointment_free (ClinicAppointment *appointment);

typedef struct
{
  gint64      patient_id;
  gint64      provider_id;
  gint64      visit_type_id;
  /* 0: the room of the doctor's working-hours block it starts in, if
   * that block names one; else none */
  gint64      room_id;
  gint64      starts_at;
  /* 0: the visit type's length */
  gint64      ends_at;
  const char *reason;
  const char *note;
  /* NULL: refuse conflicts; else book anyway (SCHEDULE_OVERRIDE), why */
  const char *override_reason;
} ClinicBooking;

/* Books; returns the new appointment's ID#. CLINIC_ERROR_CONFLICT for an
 * overlap (naming the other appointment's time, and the room when the
 * room is what is taken), CLINIC_ERROR_INVALID for
 * the past, outside hours or blocked time. Audited
 * "appointment.booked". */
gint64     clinic_appointments_book        (ClinicSession        *session,
                                            const ClinicBooking  *booking,
                                            GError              **error);

/* Moves @id to @starts_at (same length) and @provider_id (0: the same
 * doctor), checked like a booking; @override_reason as there. */
gboolean   clinic_appointments_reschedule  (ClinicSession        *session,
                                            gint64                id,
                                            gint64                starts_at,
                                            gint64                ends_at,
                                            gint64                provider_id,
                                            const char           *override_reason,
                                            GError              **error);

/* Cancels with a reason (required); flags it late when within the
 * setting "appointments.late-cancel-hours" of the start. */
gboolean   clinic_appointments_cancel      (ClinicSession        *session,
                                            gint64                id,
                                            const char           *reason,
                                            GError              **error);

/* Confirm, check in (arrived), start, complete, no-show; and back to
 * booked from a cancellation (the undo of a cancel, checked like a
 * booking). A move along the way a visit goes; anything else is
 * refused with the reason. */
gboolean   clinic_appointments_set_status  (ClinicSession            *session,
                                            gint64                    id,
                                            ClinicAppointmentStatus   status,
                                            GError                  **error);

/* Changes the reason for the visit and the note. */
gboolean   clinic_appointments_edit        (ClinicSession        *session,
                                            gint64                id,
                                            const char           *reason,
                                            const char           *note,
                                            GError              **error);

/* Puts booked or confirmed appointment @id in room @room_id (0: no
 * room), refused while another appointment holds that room then.
 * Staff only. Audited "appointment.room-changed". */
gboolean   clinic_appointments_set_room    (ClinicSession        *session,
                                            gint64                id,
                                            gint64                room_id,
                                            GError              **error);

ClinicAppointment *clinic_appointments_get (ClinicSession        *session,
                                            gint64                id,
                                            GError              **error);

/* Appointments starting in [@from, @to), by start then doctor; of one
 * doctor when @provider_id != 0. A patient session lists its own; a
 * doctor with SCHEDULE_OWN only lists their own. */
GPtrArray *clinic_appointments_list        (ClinicSession        *session,
                                            gint64                from,
                                            gint64                to,
                                            gint64                provider_id,
                                            GError              **error);

/* A patient's appointments, newest first (the chart, the kiosk). */
GPtrArray *clinic_appointments_for_patient (ClinicSession        *session,
                                            gint64                patient_id,
                                            GError              **error);

/* Imports @appointments (ClinicAppointment: patient, provider, visit
 * type, room (0: the room of the doctor's hours, as a booking takes it),
 * start, end, status, reason, note; ids ignored) in one
 * transaction: appointments from another system, an .ics file or the demo
 * clinic. Each is checked like a booking against the book and the ones
 * before it, except that past times are allowed (they are history) and
 * working hours are not asked (they happened, or were agreed). Any
 * refusal stops the import with "Appointment N: …" and nothing is
 * imported. Needs SCHEDULE_ALL. Audited once, "appointments.imported".
 * An appointment's @ical_uid is kept (a later .ics import updates it).
 * Returns the number imported, -1 on error. */
gint64     clinic_appointments_import      (ClinicSession        *session,
                                            GPtrArray            *appointments,
                                            ClinicProgressFunc    progress,
                                            gpointer              user_data,
                                            GError              **error);

typedef struct
{
  gint64  at;
  char   *user_name;
  char   *action;
  char   *detail;
} ClinicAppointmentChange;

void       clinic_appointment_change_free  (ClinicAppointmentChange *change);

/* The appointment's history, oldest first. */
GPtrArray *clinic_appointments_history     (ClinicSession        *session,
                                            gint64                id,
                                            GError              **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ClinicAppointment, clinic_appointment_free)

G_END_DECLS
