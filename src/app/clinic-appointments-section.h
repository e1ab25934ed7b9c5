/* clinic-appointments-section.h — the appointment book as a table, the
 * waitlist, and the patients' own appointments at the kiosk
 *
 * Staff see a table (ID#, doctor, visit type, date, time, status, actions)
 * of a date range (today at first), filtered by doctor and status, with
 * each row's status changes in its menu, a cancel that can be undone, the
 * waitlist entries a cancelled slot could go to, and a doctor's day list
 * to print. A patient sees their upcoming appointments, cancels them
 * (the core decides how late), and books a free time themselves.
 */

#pragma once

#include "clinic-section.h"

G_BEGIN_DECLS

#define CLINIC_TYPE_APPOINTMENTS_SECTION (clinic_appointments_section_get_type ())

G_DECLARE_FINAL_TYPE (ClinicAppointmentsSection, clinic_appointments_section, CLINIC,
                      APPOINTMENTS_SECTION, ClinicSection)

/* The appointments the table shows, by start: a GtkStringList of their
 * ID#s. (transfer none) */
GListModel *clinic_appointments_section_get_model      (ClinicAppointmentsSection *self);

/* Shows the appointments of local days @from .. @to (ISO, inclusive) and
 * reloads; the same as typing them into the filter. */
void        clinic_appointments_section_set_range      (ClinicAppointmentsSection *self,
                                                        const char                *from,
                                                        const char                *to);

/* Reads the appointments again (table, waitlist, own appointments). */
void        clinic_appointments_section_reload         (ClinicAppointmentsSection *self);

/* The print preview of the day list of the doctor chosen in the filter,
 * for the first day of the range; NULL (with the reason shown) when no
 * doctor is chosen. */
GtkWindow  *clinic_appointments_section_print_day_list (ClinicAppointmentsSection *self);

G_END_DECLS
