/* clinic-ics-private.h — the calendar folder's hook for the appointment
 * book */

#pragma once

#include "clinic-ics.h"

G_BEGIN_DECLS

/* Rewrites the calendar folder after a committed change of the book;
 * a failure is reported with g_message() and does not undo the change. */
void clinic_ics_after_change (ClinicDb *db);

G_END_DECLS
