/* clinic-day-list.h — a doctor's appointments of one day, on paper */

#pragma once

#include "clinic-appointments.h"
#include "clinic-document.h"
#include "clinic-prescription-sheet.h"

G_BEGIN_DECLS

#define CLINIC_TYPE_DAY_LIST (clinic_day_list_get_type ())

G_DECLARE_FINAL_TYPE (ClinicDayList, clinic_day_list, CLINIC, DAY_LIST, ClinicDocument)

/*
 * clinic_day_list_new:
 * @letterhead: the clinic's name, address and phone number
 * @doctor_name: whose day it is
 * @date: the day, ISO 8601 ("2027-01-13")
 * @appointments: (element-type ClinicAppointment): the day's appointments
 *   of that doctor, by start (as clinic_appointments_list() gives them)
 * @tz: the clinic's time zone, in which the times are printed
 *
 * Letterhead, the doctor and the date, then one row per appointment:
 * time, patient name with date of birth and chart number, visit type
 * and reason, status. A day without appointments says so. The list copies
 * what it needs.
 */
ClinicDayList *clinic_day_list_new (const ClinicLetterhead *letterhead,
                                    const char             *doctor_name,
                                    const char             *date,
                                    GPtrArray              *appointments,
                                    GTimeZone              *tz);

G_END_DECLS
