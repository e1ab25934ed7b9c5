/* clinic-booking-dialog.h — booking an appointment at the front desk
 *
 * Find the patient as you type (rows show name, date of birth and chart
 * number, so the right one is picked) or register one in place; choose
 * doctor, visit type, room (when the clinic has rooms) and time (typed, or one of the next free times);
 * reason and note. The core checks the booking; its refusal is shown in
 * the window, and a session with SCHEDULE_OVERRIDE may book anyway with
 * a reason. With Repeat on, the appointment is the first of a series
 * (every N weeks, monthly by date or weekday, N times or until a date):
 * every date is checked as it is typed and listed with the reason it
 * cannot be booked; the series is booked whole, or without the dates
 * that cannot be, when the front desk asks for that. Emits
 * "series-booked" (gint64 series id, guint n booked) instead of
 * "booked".
 */

#pragma once

#include <adwaita.h>

#include "clinic-session.h"

G_BEGIN_DECLS

#define CLINIC_TYPE_BOOKING_DIALOG (clinic_booking_dialog_get_type ())

G_DECLARE_FINAL_TYPE (ClinicBookingDialog, clinic_booking_dialog, CLINIC, BOOKING_DIALOG, AdwWindow)

/* A new dialog, prefilled with doctor @provider_id and time @start
 * (either may be 0: the first doctor, an empty time). Emits "booked"
 * (gint64 id) after a booking and closes. (transfer none: the window
 * belongs to GTK's toplevel list; present it) */
GtkWindow *clinic_booking_dialog_new           (GtkWindow            *parent,
                                                ClinicSession        *session,
                                                gint64                provider_id,
                                                gint64                start);

/* Chooses the patient (as picking a row of the search does). */
void        clinic_booking_dialog_set_patient  (ClinicBookingDialog  *self,
                                                gint64                patient_id);
gint64      clinic_booking_dialog_get_patient  (ClinicBookingDialog  *self);
gint64      clinic_booking_dialog_get_provider (ClinicBookingDialog  *self);
/* The room chosen: 0 for "No room" (the booking then takes the room of
 * the doctor's working hours, if any). Preselected from those hours
 * whenever the doctor or the time changes. */
gint64      clinic_booking_dialog_get_room     (ClinicBookingDialog  *self);
/* The typed date and time, "YYYY-MM-DD HH:MM". */
const char *clinic_booking_dialog_get_time     (ClinicBookingDialog  *self);

/* Books as the Book button does (@override_reason NULL), or as Book
 * Anyway does. Returns the new ID#, or 0 after showing the refusal. */
gint64      clinic_booking_dialog_book         (ClinicBookingDialog  *self,
                                                const char           *override_reason);
/* Whether Repeat is on. */
gboolean    clinic_booking_dialog_get_repeats  (ClinicBookingDialog  *self);
/* Checks the series' dates now (they are checked a moment after each
 * change anyway) and lists them. */
void        clinic_booking_dialog_check_dates  (ClinicBookingDialog  *self);
/* The refusal shown, or NULL. */
const char *clinic_booking_dialog_get_error    (ClinicBookingDialog  *self);

G_END_DECLS
