/* clinic-calendar-section.h — the calendar of the appointment book
 *
 * The day of every doctor (a doctor sees their own), or one doctor's
 * week or month, with today / previous / next, a view switcher and a
 * doctor chooser. A click on an empty slot books there; a block opens
 * its details; moves and cancellations offer an undo toast.
 */

#pragma once

#include "clinic-calendar-view.h"
#include "clinic-recurrence.h"
#include "clinic-section.h"

G_BEGIN_DECLS

#define CLINIC_TYPE_CALENDAR_SECTION (clinic_calendar_section_get_type ())

G_DECLARE_FINAL_TYPE (ClinicCalendarSection, clinic_calendar_section, CLINIC, CALENDAR_SECTION, ClinicSection)

/* (transfer none) */
ClinicCalendarView *clinic_calendar_section_get_view       (ClinicCalendarSection *self);

/* Opens the booking dialog for @provider_id at @start (0, 0: empty), as
 * a click on a slot does. (transfer none) */
GtkWindow          *clinic_calendar_section_book           (ClinicCalendarSection *self,
                                                            gint64                 provider_id,
                                                            gint64                 start);

/* Opens the details of appointment @id, as activating its block does.
 * (transfer none) The popover, or NULL when the block is not shown. */
GtkPopover         *clinic_calendar_section_show_details   (ClinicCalendarSection *self,
                                                            gint64                 id);

/* Cancels @id with @reason, as the Cancel question does, offering an
 * undo toast. */
gboolean            clinic_calendar_section_cancel         (ClinicCalendarSection *self,
                                                            gint64                 id,
                                                            const char            *reason);

/* Cancels @id, or the dates of its series that @scope names, with
 * @reason, offering one undo toast for all of them. */
gboolean            clinic_calendar_section_cancel_dates   (ClinicCalendarSection *self,
                                                            gint64                 id,
                                                            ClinicSeriesScope      scope,
                                                            const char            *reason);
/* The Cancel question for @id (with the series choice when it has later
 * dates), presented; its response cancels. (transfer none) */
AdwMessageDialog   *clinic_calendar_section_ask_cancel     (ClinicCalendarSection *self,
                                                            gint64                 id);
/* Moves @id to start at @starts_at (same length and doctor), or the
 * dates of its series that @scope names by the same number of days and
 * to the same time of day, as the answer to the question after a drag
 * does; one undo toast. */
gboolean            clinic_calendar_section_move_dates     (ClinicCalendarSection *self,
                                                            gint64                 id,
                                                            ClinicSeriesScope      scope,
                                                            gint64                 starts_at);

/* Runs the undo of the newest toast (a move back, an uncancel). */
gboolean            clinic_calendar_section_undo           (ClinicCalendarSection *self);

G_END_DECLS
