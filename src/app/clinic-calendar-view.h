/* clinic-calendar-view.h — the appointment book drawn as a calendar
 *
 * A day with one column per doctor (the front desk; a doctor without
 * SCHEDULE_ALL sees their own column), a doctor's week, or a doctor's
 * month. The grid (hours, working hours, blocked time, the current time)
 * is drawn in snapshot(); each appointment is a child button placed by
 * size_allocate(), so it takes focus, keyboard and an accessible name.
 * Dragging a block moves it, dragging its bottom edge resizes it; the
 * core decides (clinic_appointments_reschedule) and a refused change
 * snaps back.
 */

#pragma once

#include <adwaita.h>

#include "clinic-session.h"

G_BEGIN_DECLS

typedef enum
{
  CLINIC_CALENDAR_DAY,
  CLINIC_CALENDAR_WEEK,
  CLINIC_CALENDAR_MONTH,
} ClinicCalendarMode;

#define CLINIC_TYPE_CALENDAR_VIEW (clinic_calendar_view_get_type ())

G_DECLARE_FINAL_TYPE (ClinicCalendarView, clinic_calendar_view, CLINIC, CALENDAR_VIEW, GtkWidget)

/* Shows today's day view; call clinic_calendar_view_reload() to load. */
ClinicCalendarView *clinic_calendar_view_new        (ClinicSession       *session);

void                clinic_calendar_view_set_mode   (ClinicCalendarView  *self,
                                                     ClinicCalendarMode   mode);
ClinicCalendarMode  clinic_calendar_view_get_mode   (ClinicCalendarView  *self);

/* The doctor of the week and month views (0: the first one listed). */
void                clinic_calendar_view_set_provider (ClinicCalendarView *self,
                                                       gint64              provider_id);
gint64              clinic_calendar_view_get_provider (ClinicCalendarView *self);

/* The shown day (local, in the clinic's zone) as "YYYY-MM-DD"; the week
 * and month views show the week or month around it. Setting it does not
 * load; shift() does. */
void                clinic_calendar_view_set_date   (ClinicCalendarView  *self,
                                                     const char          *date);
/* (transfer full) */
char               *clinic_calendar_view_get_date   (ClinicCalendarView  *self);
/* A title for the shown period ("Monday, 7 June 2027", "Week 23, 2027",
 * "June 2027"). (transfer full) */
char               *clinic_calendar_view_get_title  (ClinicCalendarView  *self);

/* One period back (-1), forward (+1), or today (0), then reloads. */
gboolean            clinic_calendar_view_shift      (ClinicCalendarView  *self,
                                                     int                  direction,
                                                     GError             **error);

/* Loads the shown period: the doctors, their hours and exceptions, and
 * the appointments in one query. The benchmark's "day view loaded". */
gboolean            clinic_calendar_view_reload     (ClinicCalendarView  *self,
                                                     GError             **error);

/* The child block of appointment @id, or NULL when it is not shown. */
GtkWidget          *clinic_calendar_view_get_block  (ClinicCalendarView  *self,
                                                     gint64               id);
guint               clinic_calendar_view_get_n_blocks (ClinicCalendarView *self);
/* The appointment a block stands for (from get_block()). */
gint64              clinic_calendar_view_block_get_id (GtkWidget          *block);

/* The doctor and start time of the 15-minute slot at @x, @y (widget
 * coordinates) of the day and week views; FALSE outside the grid. */
gboolean            clinic_calendar_view_slot_at    (ClinicCalendarView  *self,
                                                     double               x,
                                                     double               y,
                                                     gint64              *provider_id,
                                                     gint64              *start);
/* Where the slot of @provider_id (day view) or the day (week view) at
 * @start is drawn: the inverse of slot_at(), for tests and keyboard. */
gboolean            clinic_calendar_view_point_at   (ClinicCalendarView  *self,
                                                     gint64               provider_id,
                                                     gint64               start,
                                                     double              *x,
                                                     double              *y);

/* The slot the keyboard is on when the grid itself has the focus
 * (arrows move it, Enter books it): column and minutes after midnight. */
void                clinic_calendar_view_get_cursor (ClinicCalendarView  *self,
                                                     int                 *column,
                                                     int                 *minute);

/* What a drag does when it ends: moves appointment @id to @starts_at ..
 * @ends_at with doctor @provider_id (0: the same), asking the core. On a
 * refusal the block snaps back, "refused" is emitted with the core's
 * sentence and FALSE returned with @error; on success "moved" is emitted
 * with the old times (for an undo) and the view reloads. */
gboolean            clinic_calendar_view_move       (ClinicCalendarView  *self,
                                                     gint64               id,
                                                     gint64               starts_at,
                                                     gint64               ends_at,
                                                     gint64               provider_id,
                                                     GError             **error);

/* Drives a drag as the pointer does, from @x1, @y1 to @x2, @y2 (widget
 * coordinates): a press on a block's bottom edge resizes it. Returns
 * what the drag's end returned (FALSE when nothing was under @x1, @y1;
 * TRUE when a "series-move-requested" handler took a series' move). */
gboolean            clinic_calendar_view_drag       (ClinicCalendarView  *self,
                                                     double               x1,
                                                     double               y1,
                                                     double               x2,
                                                     double               y2);

/* The widget as drawn now, at its allocated size (the benchmark's "week
 * view drawn"). Needs the widget realized. (transfer full) */
GdkTexture         *clinic_calendar_view_render     (ClinicCalendarView  *self);

G_END_DECLS
