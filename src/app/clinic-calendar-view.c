/* clinic-calendar-view.c — the appointment book drawn as a calendar */

#include "config.h"

#include <stdio.h>
#include <glib/gi18n.h>

#include "clinic-appointments.h"
#include "clinic-calendar-view.h"
#include "clinic-schedule.h"

#define HEADER_HEIGHT   36
#define AXIS_WIDTH      56
#define PX_PER_HOUR     56
#define MIN_COLUMN      96
#define MONTH_HEADER    22
#define MONTH_ROW       20
#define MONTH_MIN_CELL  72
#define EDGE            6     /* the bottom edge of a block that resizes */
#define SNAP_MIN        CLINIC_SLOT_STEP_MIN

/* A stretch of one column's day, in minutes after local midnight. */
typedef struct
{
  int                  start_min;
  int                  end_min;
  ClinicExceptionKind  kind;
  const char          *reason;    /* the exception's, or NULL */
} Shade;

/* A doctor's day (day and week views) or a day of the month. */
typedef struct
{
  gint64  provider_id;
  int     y, m, d;
  char   *title;
  GArray *work;       /* Shade: working hours and extra hours */
  GArray *blocked;    /* Shade: days off and blocked time */
  guint   hidden;     /* month view: blocks that did not fit */
} Column;

typedef struct
{
  GtkWidget         *button;
  GtkLabel          *label;
  ClinicAppointment *appointment;
  char              *name;       /* the accessible name, also the tooltip */
  int                column;
  int                start_min;
  int                end_min;
  int                lane;
  int                lanes;
  GdkRGBA            color;
} Block;

struct _ClinicCalendarView
{
  GtkWidget           parent_instance;

  ClinicSession      *session;
  GTimeZone          *tz;
  ClinicCalendarMode  mode;
  gint64              provider_id;
  int                 y, m, d;

  GArray             *columns;      /* Column */
  GPtrArray          *blocks;       /* Block */
  GPtrArray          *providers;    /* ClinicProvider */
  GPtrArray          *exceptions;   /* ClinicScheduleException, for the reasons */
  int                 first_min;    /* the grid's hours */
  int                 last_min;

  /* The keyboard's slot when the grid itself has the focus. */
  int                 cursor_column;
  int                 cursor_min;
  guint               clock_id;     /* redraws the current-time line */

  /* A drag in progress. */
  Block              *drag_block;
  gboolean            drag_resize;
  gboolean            dragging;
  double              drag_x, drag_y;
  double              drag_dx, drag_dy;
};

G_DEFINE_FINAL_TYPE (ClinicCalendarView, clinic_calendar_view, GTK_TYPE_WIDGET)

enum { BOOK_SLOT, ACTIVATED, MOVED, REFUSED, CANCEL_REQUESTED, RELOADED, SERIES_MOVE_REQUESTED, N_SIGNALS };
static guint signals[N_SIGNALS];

static void
column_clear (gpointer data)
{
  Column *c = data;

  g_free (c->title);
  g_clear_pointer (&c->work, g_array_unref);
  g_clear_pointer (&c->blocked, g_array_unref);
}

static void
block_free (gpointer data)
{
  Block *b = data;

  clinic_appointment_free (b->appointment);
  g_free (b->name);
  if (b->button != NULL)
    gtk_widget_unparent (b->button);
  g_free (b);
}

static Column *
column_at (ClinicCalendarView *self,
           int                 i)
{
  return &g_array_index (self->columns, Column, i);
}

/* --- Dates ----------------------------------------------------------- */

static GDateTime *
local_date (ClinicCalendarView *self,
            int                 y,
            int                 m,
            int                 d)
{
  return g_date_time_new (self->tz, y, m, d, 12, 0, 0);
}

static void
date_parts (GDateTime *dt,
            int       *y,
            int       *m,
            int       *d)
{
  g_date_time_get_ymd (dt, y, m, d);
}

/* The first day shown and the number of days. */
static GDateTime *
period_start (ClinicCalendarView *self,
              int                *days)
{
  g_autoptr(GDateTime) day = local_date (self, self->y, self->m, self->d);

  switch (self->mode)
    {
    case CLINIC_CALENDAR_WEEK:
      *days = 7;
      return g_date_time_add_days (day, 1 - g_date_time_get_day_of_week (day));
    case CLINIC_CALENDAR_MONTH:
      {
        g_autoptr(GDateTime) first = local_date (self, self->y, self->m, 1);

        *days = 42;
        return g_date_time_add_days (first, 1 - g_date_time_get_day_of_week (first));
      }
    case CLINIC_CALENDAR_DAY:
    default:
      *days = 1;
      return g_steal_pointer (&day);
    }
}

static int
minute_of_day (ClinicCalendarView *self,
               gint64              t)
{
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (t);
  g_autoptr(GDateTime) local = g_date_time_to_timezone (utc, self->tz);

  return g_date_time_get_hour (local) * 60 + g_date_time_get_minute (local);
}

static gint64
column_unix (ClinicCalendarView *self,
             const Column       *c,
             int                 minute)
{
  return clinic_local_to_unix (self->tz, c->y, c->m, c->d, minute);
}

/* --- Geometry -------------------------------------------------------- */

static double
px_per_min (void)
{
  return PX_PER_HOUR / 60.0;
}

static double
column_width (ClinicCalendarView *self)
{
  int width = gtk_widget_get_width (GTK_WIDGET (self));
  guint n = self->mode == CLINIC_CALENDAR_MONTH ? 7 : MAX (self->columns->len, 1);

  if (self->mode == CLINIC_CALENDAR_MONTH)
    return width / 7.0;
  return MAX (width - AXIS_WIDTH, 0) / (double) n;
}

static double
month_row_height (ClinicCalendarView *self)
{
  return (gtk_widget_get_height (GTK_WIDGET (self)) - HEADER_HEIGHT) / 6.0;
}

static double
y_of_minute (ClinicCalendarView *self,
             int                 minute)
{
  return HEADER_HEIGHT + (minute - self->first_min) * px_per_min ();
}

static void
clinic_calendar_view_measure (GtkWidget      *widget,
                              GtkOrientation  orientation,
                              int             for_size,
                              int            *minimum,
                              int            *natural,
                              int            *minimum_baseline,
                              int            *natural_baseline)
{
  ClinicCalendarView *self = CLINIC_CALENDAR_VIEW (widget);

  /* The blocks are measured when placed; they never size the grid. */
  for (guint i = 0; i < self->blocks->len; i++)
    {
      Block *b = g_ptr_array_index (self->blocks, i);
      int min, nat;

      gtk_widget_measure (b->button, orientation, -1, &min, &nat, NULL, NULL);
    }

  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      if (self->mode == CLINIC_CALENDAR_MONTH)
        *minimum = 7 * MONTH_MIN_CELL;
      else
        *minimum = AXIS_WIDTH + MIN_COLUMN * MAX (self->columns->len, 1);
      *natural = *minimum;
    }
  else
    {
      if (self->mode == CLINIC_CALENDAR_MONTH)
        *minimum = HEADER_HEIGHT + 6 * (MONTH_HEADER + 2 * MONTH_ROW);
      else
        *minimum = HEADER_HEIGHT + (int) ((self->last_min - self->first_min) * px_per_min ()) + 1;
      *natural = *minimum;
    }
}

static void
allocate_block (ClinicCalendarView *self,
                Block              *b,
                double              x,
                double              y,
                double              w,
                double              h)
{
  int min_w, min_h;

  gtk_widget_measure (b->button, GTK_ORIENTATION_HORIZONTAL, -1, &min_w, NULL, NULL, NULL);
  gtk_widget_measure (b->button, GTK_ORIENTATION_VERTICAL, MAX ((int) w, min_w), &min_h, NULL, NULL, NULL);
  gtk_widget_size_allocate (b->button,
                            &(GtkAllocation) { (int) x, (int) y, MAX ((int) w, min_w), MAX ((int) h, min_h) },
                            -1);
}

/* Where the drag has taken @b: column and minutes, snapped. */
static void
dragged_place (ClinicCalendarView *self,
               Block              *b,
               int                *column,
               int                *start_min,
               int                *end_min)
{
  int delta = (int) (self->drag_dy / px_per_min ());
  int shift = (int) ((self->drag_dx + (self->drag_dx >= 0 ? 0.5 : -0.5) * column_width (self))
                     / MAX (column_width (self), 1));

  delta = (delta / SNAP_MIN) * SNAP_MIN;
  *column = b->column;
  *start_min = b->start_min;
  *end_min = b->end_min;
  if (self->drag_resize)
    *end_min = MAX (b->end_min + delta, b->start_min + SNAP_MIN);
  else
    {
      *column = CLAMP (b->column + shift, 0, (int) self->columns->len - 1);
      *start_min += delta;
      *end_min += delta;
    }
}

static void
clinic_calendar_view_size_allocate (GtkWidget *widget,
                                    int        width,
                                    int        height,
                                    int        baseline)
{
  ClinicCalendarView *self = CLINIC_CALENDAR_VIEW (widget);
  double col_w = column_width (self);

  if (self->mode == CLINIC_CALENDAR_MONTH)
    {
      double row_h = month_row_height (self);
      g_autofree int *used = g_new0 (int, MAX (self->columns->len, 1));

      for (guint i = 0; i < self->columns->len; i++)
        column_at (self, i)->hidden = 0;
      for (guint i = 0; i < self->blocks->len; i++)
        {
          Block *b = g_ptr_array_index (self->blocks, i);
          int slot = used[b->column]++;
          int fits = MAX ((int) ((row_h - MONTH_HEADER - MONTH_ROW) / MONTH_ROW), 1);

          /* The last line of a full cell says how many more there are. */
          gtk_widget_set_child_visible (b->button, slot < fits);
          if (slot >= fits)
            {
              column_at (self, b->column)->hidden++;
              continue;
            }
          allocate_block (self, b, (b->column % 7) * col_w + 2,
                          HEADER_HEIGHT + (b->column / 7) * row_h + MONTH_HEADER + slot * MONTH_ROW,
                          col_w - 4, MONTH_ROW - 1);
        }
      return;
    }

  for (guint i = 0; i < self->blocks->len; i++)
    {
      Block *b = g_ptr_array_index (self->blocks, i);
      int column = b->column, start = b->start_min, end = b->end_min;
      double lane_w = (col_w - 6) / MAX (b->lanes, 1);
      double x;

      if (b == self->drag_block && self->dragging)
        dragged_place (self, b, &column, &start, &end);
      x = AXIS_WIDTH + column * col_w + 2 + b->lane * lane_w;
      gtk_widget_set_child_visible (b->button, TRUE);
      allocate_block (self, b, x, y_of_minute (self, start), lane_w - 1,
                      (end - start) * px_per_min () - 1);
    }
}

/* --- Drawing --------------------------------------------------------- */

static void
get_fg (GtkWidget *widget,
        GdkRGBA   *color)
{
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  gtk_style_context_get_color (gtk_widget_get_style_context (widget), color);
  G_GNUC_END_IGNORE_DEPRECATIONS
}

static GdkRGBA
with_alpha (const GdkRGBA *c,
            float          alpha)
{
  return (GdkRGBA) { c->red, c->green, c->blue, alpha };
}

static void
draw_text (GtkSnapshot   *snapshot,
           PangoLayout   *layout,
           const char    *text,
           double         x,
           double         y,
           double         width,
           const GdkRGBA *color)
{
  pango_layout_set_text (layout, text, -1);
  pango_layout_set_width (layout, (int) (MAX (width, 1) * PANGO_SCALE));
  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (x, y));
  gtk_snapshot_append_layout (snapshot, layout, color);
  gtk_snapshot_restore (snapshot);
}

static void
shade (GtkSnapshot   *snapshot,
       const GdkRGBA *color,
       double         x,
       double         y,
       double         w,
       double         h)
{
  if (w > 0 && h > 0)
    gtk_snapshot_append_color (snapshot, color, &GRAPHENE_RECT_INIT (x, y, w, h));
}

static gboolean
is_today (ClinicCalendarView *self,
          const Column       *c)
{
  g_autoptr(GDateTime) now = g_date_time_new_now (self->tz);
  int y, m, d;

  date_parts (now, &y, &m, &d);
  return c->y == y && c->m == m && c->d == d;
}

static void
snapshot_month (ClinicCalendarView *self,
                GtkSnapshot        *snapshot,
                PangoLayout        *layout,
                const GdkRGBA      *fg)
{
  GdkRGBA line = with_alpha (fg, 0.15), dim = with_alpha (fg, 0.5), off = with_alpha (fg, 0.05);
  GdkRGBA today = { 0.21, 0.52, 0.89, 0.15 };
  double col_w = column_width (self), row_h = month_row_height (self);
  g_autoptr(GDateTime) monday = g_date_time_new (self->tz, 2024, 1, 1, 12, 0, 0);

  for (int i = 0; i < 7; i++)
    {
      g_autoptr(GDateTime) day = g_date_time_add_days (monday, i);
      g_autofree char *name = g_date_time_format (day, "%A");

      draw_text (snapshot, layout, name, i * col_w + 6, 10, col_w - 12, &dim);
    }
  for (guint i = 0; i < self->columns->len; i++)
    {
      Column *c = column_at (self, i);
      double x = (i % 7) * col_w, y = HEADER_HEIGHT + (i / 7) * row_h;
      g_autofree char *number = g_strdup_printf ("%d", c->d);

      if (c->m != self->m || c->work->len == 0)
        shade (snapshot, &off, x, y, col_w, row_h);
      if (is_today (self, c))
        shade (snapshot, &today, x, y, col_w, row_h);
      if (c->blocked->len > 0 && g_array_index (c->blocked, Shade, 0).kind == CLINIC_EXCEPTION_OFF)
        {
          const char *reason = g_array_index (c->blocked, Shade, 0).reason;

          draw_text (snapshot, layout, reason != NULL ? reason : _("Day off"), x + 28, y + 3, col_w - 32, &dim);
        }
      draw_text (snapshot, layout, number, x + 6, y + 3, 24, c->m == self->m ? fg : &dim);
      if (c->hidden > 0)
        {
          /* Translators: the month view's cell has more appointments than it shows */
          g_autofree char *more = g_strdup_printf (ngettext ("%u more", "%u more", c->hidden), c->hidden);

          draw_text (snapshot, layout, more, x + 6, y + row_h - MONTH_ROW, col_w - 12, &dim);
        }
      shade (snapshot, &line, x, y, col_w, 1);
      shade (snapshot, &line, x, y, 1, row_h);
    }
}

static void
snapshot_grid (ClinicCalendarView *self,
               GtkSnapshot        *snapshot,
               PangoLayout        *layout,
               const GdkRGBA      *fg)
{
  GdkRGBA line = with_alpha (fg, 0.15), half = with_alpha (fg, 0.06), dim = with_alpha (fg, 0.6);
  GdkRGBA off = with_alpha (fg, 0.07), blocked = { 0.55, 0.55, 0.6, 0.35 };
  GdkRGBA now_color = { 0.88, 0.11, 0.14, 1.0 };
  double col_w = column_width (self);
  int height = gtk_widget_get_height (GTK_WIDGET (self));
  double bottom = y_of_minute (self, self->last_min);

  for (guint i = 0; i < self->columns->len; i++)
    {
      Column *c = column_at (self, i);
      double x = AXIS_WIDTH + i * col_w;

      /* Off-hours shaded, working hours left light. */
      shade (snapshot, &off, x, HEADER_HEIGHT, col_w, bottom - HEADER_HEIGHT);
      for (guint k = 0; k < c->work->len; k++)
        {
          Shade *s = &g_array_index (c->work, Shade, k);
          int from = MAX (s->start_min, self->first_min), to = MIN (s->end_min, self->last_min);
          GdkRGBA light = { 1, 1, 1, 0.55 };

          shade (snapshot, &light, x, y_of_minute (self, from), col_w, (to - from) * px_per_min ());
        }
      for (guint k = 0; k < c->blocked->len; k++)
        {
          Shade *s = &g_array_index (c->blocked, Shade, k);
          int from = MAX (s->start_min, self->first_min), to = MIN (s->end_min, self->last_min);
          double y = y_of_minute (self, from);

          if (to <= from)
            continue;
          shade (snapshot, &blocked, x + 1, y, col_w - 2, (to - from) * px_per_min ());
          draw_text (snapshot, layout,
                     s->reason != NULL && *s->reason != '\0' ? s->reason
                     : s->kind == CLINIC_EXCEPTION_OFF ? _("Day off") : _("Blocked"),
                     x + 6, y + 2, col_w - 12, &dim);
        }
      draw_text (snapshot, layout, c->title, x + 6, 10, col_w - 12, is_today (self, c) ? &now_color : fg);
      shade (snapshot, &line, x, 0, 1, height);
    }

  for (int minute = self->first_min; minute <= self->last_min; minute += 30)
    {
      double y = y_of_minute (self, minute);

      if (minute % 60 == 0)
        {
          g_autofree char *label = g_strdup_printf ("%02d:00", minute / 60);

          shade (snapshot, &line, 0, y, gtk_widget_get_width (GTK_WIDGET (self)), 1);
          draw_text (snapshot, layout, label, 6, y + 2, AXIS_WIDTH - 8, &dim);
        }
      else
        shade (snapshot, &half, AXIS_WIDTH, y, gtk_widget_get_width (GTK_WIDGET (self)) - AXIS_WIDTH, 1);
    }
  shade (snapshot, &line, 0, HEADER_HEIGHT - 1, gtk_widget_get_width (GTK_WIDGET (self)), 1);

  /* The current time across today's columns. */
  for (guint i = 0; i < self->columns->len; i++)
    {
      Column *c = column_at (self, i);
      int now = minute_of_day (self, g_get_real_time () / G_USEC_PER_SEC);

      if (is_today (self, c) && now >= self->first_min && now <= self->last_min)
        shade (snapshot, &now_color, AXIS_WIDTH + i * col_w, y_of_minute (self, now) - 1, col_w, 2);
    }

  /* The keyboard's slot: Enter books there. */
  if (gtk_widget_has_visible_focus (GTK_WIDGET (self)) && self->cursor_column < (int) self->columns->len)
    {
      GdkRGBA accent = { 0.21, 0.52, 0.89, 1.0 };
      GskRoundedRect outline;
      float widths[4] = { 2, 2, 2, 2 };
      GdkRGBA colors[4] = { accent, accent, accent, accent };

      gsk_rounded_rect_init_from_rect (&outline,
                                       &GRAPHENE_RECT_INIT (AXIS_WIDTH + self->cursor_column * col_w + 1,
                                                            y_of_minute (self, self->cursor_min),
                                                            col_w - 2, SNAP_MIN * px_per_min ()), 3);
      gtk_snapshot_append_border (snapshot, &outline, widths, colors);
    }
}

static void
clinic_calendar_view_snapshot (GtkWidget   *widget,
                               GtkSnapshot *snapshot)
{
  ClinicCalendarView *self = CLINIC_CALENDAR_VIEW (widget);
  g_autoptr(PangoLayout) layout = gtk_widget_create_pango_layout (widget, NULL);
  GdkRGBA fg, warning = { 0.88, 0.11, 0.14, 1.0 };

  get_fg (widget, &fg);
  pango_layout_set_ellipsize (layout, PANGO_ELLIPSIZE_END);
  if (self->mode == CLINIC_CALENDAR_MONTH)
    snapshot_month (self, snapshot, layout, &fg);
  else
    snapshot_grid (self, snapshot, layout, &fg);

  /* Each block's colour under its button; booked-anyway ones get a red
   * edge, so the exception stands out on the page. */
  for (guint i = 0; i < self->blocks->len; i++)
    {
      Block *b = g_ptr_array_index (self->blocks, i);
      graphene_rect_t bounds;
      GskRoundedRect rect;

      if (!gtk_widget_get_child_visible (b->button)
          || !gtk_widget_compute_bounds (b->button, widget, &bounds))
        continue;
      gsk_rounded_rect_init_from_rect (&rect, &bounds, 4);
      gtk_snapshot_push_rounded_clip (snapshot, &rect);
      gtk_snapshot_append_color (snapshot, &b->color, &bounds);
      if (b->appointment->override_reason != NULL && *b->appointment->override_reason != '\0')
        gtk_snapshot_append_color (snapshot, &warning,
                                   &GRAPHENE_RECT_INIT (bounds.origin.x, bounds.origin.y, 4, bounds.size.height));
      gtk_snapshot_pop (snapshot);
      gtk_widget_snapshot_child (widget, b->button, snapshot);
    }
}

/* --- Blocks ---------------------------------------------------------- */

static Block *
block_of (ClinicCalendarView *self,
          GtkWidget          *widget)
{
  for (guint i = 0; i < self->blocks->len; i++)
    {
      Block *b = g_ptr_array_index (self->blocks, i);

      if (b->button == widget || gtk_widget_is_ancestor (widget, b->button))
        return b;
    }
  return NULL;
}

gint64
clinic_calendar_view_block_get_id (GtkWidget *block)
{
  const gint64 *id = g_object_get_data (G_OBJECT (block), "clinic-appointment-id");

  return id != NULL ? *id : 0;
}

static void
on_block_clicked (GtkButton          *button,
                  ClinicCalendarView *self)
{
  Block *b = block_of (self, GTK_WIDGET (button));

  if (b != NULL)
    g_signal_emit (self, signals[ACTIVATED], 0, b->appointment->id);
}

static void
describe_block (ClinicCalendarView *self,
                Block              *b)
{
  ClinicAppointment *a = b->appointment;
  g_autofree char *start = clinic_format_local_time (self->tz, a->starts_at);
  g_autofree char *end = clinic_format_local_time (self->tz, a->ends_at);
  const char *status = clinic_appointment_status_to_string (a->status);
  gboolean anyway = a->override_reason != NULL && *a->override_reason != '\0';
  g_autofree char *text = NULL;
  g_autofree char *name = NULL;
  double luminance;

  if (self->mode == CLINIC_CALENDAR_MONTH)
    text = g_strdup_printf ("%s %s", start + 11, a->patient_name);
  else
    /* Translators: an appointment's block: start time, patient, visit type */
    text = g_strdup_printf (_("%s %s\n%s"), start + 11, a->patient_name, a->visit_type);
  if (anyway)
    {
      /* Translators: marks an appointment booked despite a conflict */
      char *marked = g_strdup_printf (_("%s (booked anyway)"), text);

      g_free (text);
      text = marked;
    }
  if (a->series_id != 0)
    {
      /* Translators: marks a date of a recurring series on the calendar */
      char *marked = g_strdup_printf (_("%s ↻"), text);

      g_free (text);
      text = marked;
    }
  gtk_label_set_text (b->label, text);

  /* Translators: an appointment's accessible name: patient, date and start
   * time, end time, doctor, visit type, status */
  name = g_strdup_printf (_("%s, %s to %s, %s, %s, %s"), a->patient_name, start, end + 11,
                          a->provider_name, a->visit_type, status);
  if (anyway)
    {
      /* Translators: the accessible name of an appointment booked anyway, and why */
      char *marked = g_strdup_printf (_("%s, booked anyway: %s"), name, a->override_reason);

      g_free (name);
      name = marked;
    }
  if (a->series_id != 0)
    {
      /* Translators: the accessible name of a date of a recurring series */
      char *marked = g_strdup_printf (_("%s, recurring"), name);

      g_free (name);
      name = marked;
    }
  gtk_accessible_update_property (GTK_ACCESSIBLE (b->button), GTK_ACCESSIBLE_PROPERTY_LABEL, name, -1);
  g_free (b->name);
  b->name = g_steal_pointer (&name);

  if (a->color == NULL || !gdk_rgba_parse (&b->color, a->color))
    b->color = (GdkRGBA) { 0.6, 0.6, 0.6, 1 };
  if (a->status == CLINIC_APPOINTMENT_COMPLETED || a->status == CLINIC_APPOINTMENT_NO_SHOW)
    b->color.alpha = 0.5;
  luminance = 0.299 * b->color.red + 0.587 * b->color.green + 0.114 * b->color.blue;
  gtk_widget_remove_css_class (b->button, luminance < 0.55 ? "on-light" : "on-dark");
  gtk_widget_add_css_class (b->button, luminance < 0.55 ? "on-dark" : "on-light");
}

/* The tooltip is made when asked for: setting 300 tooltips up front
 * costs more than the rest of a day's reload together. */
static gboolean
on_query_tooltip (GtkWidget          *button,
                  int                 x,
                  int                 y,
                  gboolean            keyboard,
                  GtkTooltip         *tooltip,
                  ClinicCalendarView *self)
{
  Block *b = block_of (self, button);

  if (b == NULL || b->name == NULL)
    return FALSE;
  gtk_tooltip_set_text (tooltip, b->name);
  return TRUE;
}

static Block *
block_new (ClinicCalendarView *self)
{
  Block *b = g_new0 (Block, 1);

  b->label = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (b->label, 0);
  gtk_label_set_yalign (b->label, 0);
  gtk_label_set_ellipsize (b->label, PANGO_ELLIPSIZE_END);
  b->button = gtk_button_new ();
  gtk_button_set_child (GTK_BUTTON (b->button), GTK_WIDGET (b->label));
  gtk_widget_add_css_class (b->button, "calendar-block");
  gtk_widget_set_overflow (b->button, GTK_OVERFLOW_HIDDEN);
  g_signal_connect (b->button, "clicked", G_CALLBACK (on_block_clicked), self);
  gtk_widget_set_has_tooltip (b->button, TRUE);
  g_signal_connect (b->button, "query-tooltip", G_CALLBACK (on_query_tooltip), self);
  gtk_widget_set_parent (b->button, GTK_WIDGET (self));
  return b;
}

static int
compare_blocks (gconstpointer a,
                gconstpointer b)
{
  const Block *x = *(Block **) a, *y = *(Block **) b;

  if (x->column != y->column)
    return x->column - y->column;
  if (x->start_min != y->start_min)
    return x->start_min - y->start_min;
  return x->appointment->id < y->appointment->id ? -1 : x->appointment->id > y->appointment->id;
}

/* Blocks that overlap in a column share its width, side by side. */
static void
assign_lanes (ClinicCalendarView *self)
{
  guint group = 0;
  int group_end = -1;
  int lane_end[8] = { 0 };
  int lanes = 0;

  for (guint i = 0; i <= self->blocks->len; i++)
    {
      Block *b = i < self->blocks->len ? g_ptr_array_index (self->blocks, i) : NULL;

      if (b == NULL || b->start_min >= group_end
          || b->column != ((Block *) g_ptr_array_index (self->blocks, group))->column)
        {
          for (guint k = group; k < i; k++)
            ((Block *) g_ptr_array_index (self->blocks, k))->lanes = lanes;
          if (b == NULL)
            break;
          group = i;
          group_end = -1;
          lanes = 0;
        }
      b->lane = 0;
      while (b->lane < lanes && lane_end[b->lane] > b->start_min && b->lane < 7)
        b->lane++;
      lane_end[b->lane] = b->end_min;
      lanes = MAX (lanes, b->lane + 1);
      group_end = MAX (group_end, b->end_min);
    }
}

/* --- Loading --------------------------------------------------------- */

static gboolean
sees_all (ClinicCalendarView *self)
{
  return clinic_session_has_permission (self->session, CLINIC_PERMISSION_SCHEDULE_ALL);
}

static gboolean
load_providers (ClinicCalendarView  *self,
                GError             **error)
{
  g_autoptr(GPtrArray) all = clinic_providers_list (self->session, FALSE, error);
  gint64 me = clinic_session_get_user_id (self->session);

  if (all == NULL)
    return FALSE;
  g_clear_pointer (&self->providers, g_ptr_array_unref);
  self->providers = g_ptr_array_new_with_free_func ((GDestroyNotify) clinic_provider_free);
  for (guint i = 0; i < all->len; i++)
    {
      ClinicProvider *p = g_ptr_array_index (all, i);

      /* A doctor who may see only their own book sees their column. */
      if (sees_all (self) || p->user_id == me)
        g_ptr_array_add (self->providers, g_ptr_array_steal_index (all, i--));
    }
  return TRUE;
}

static const char *
provider_name (ClinicCalendarView *self,
               gint64              id)
{
  for (guint i = 0; self->providers != NULL && i < self->providers->len; i++)
    {
      ClinicProvider *p = g_ptr_array_index (self->providers, i);

      if (p->user_id == id)
        return p->display_name;
    }
  return "";
}

static void
add_hours (ClinicCalendarView *self,
           Column             *c,
           GArray             *hours,
           GDateTime          *day)
{
  int weekday = g_date_time_get_day_of_week (day);

  for (guint k = 0; hours != NULL && k < hours->len; k++)
    {
      ClinicHoursBlock *h = &g_array_index (hours, ClinicHoursBlock, k);
      Shade s = { h->start_min, h->end_min, CLINIC_EXCEPTION_EXTRA, NULL };

      if (h->weekday == weekday)
        g_array_append_val (c->work, s);
    }
}

static void
add_exceptions (ClinicCalendarView *self,
                Column             *c,
                GPtrArray          *exceptions)
{
  gint64 day_start = column_unix (self, c, 0), day_end = column_unix (self, c, 24 * 60);

  for (guint k = 0; exceptions != NULL && k < exceptions->len; k++)
    {
      ClinicScheduleException *e = g_ptr_array_index (exceptions, k);
      Shade s;

      if (e->ends_at <= day_start || e->starts_at >= day_end
          || (e->provider_id != 0 && e->provider_id != c->provider_id))
        continue;
      s.kind = e->kind;
      s.reason = e->reason;
      s.start_min = e->starts_at <= day_start ? 0 : minute_of_day (self, e->starts_at);
      s.end_min = e->ends_at >= day_end ? 24 * 60 : minute_of_day (self, e->ends_at);
      if (e->kind == CLINIC_EXCEPTION_EXTRA)
        g_array_append_val (c->work, s);
      else
        g_array_prepend_val (c->blocked, s);
      if (e->kind == CLINIC_EXCEPTION_OFF)
        g_array_set_size (c->work, 0);
    }
}

static void
add_column (ClinicCalendarView *self,
            gint64              provider_id,
            GDateTime          *day,
            char               *title)
{
  Column c = { 0 };

  c.provider_id = provider_id;
  date_parts (day, &c.y, &c.m, &c.d);
  c.title = title;
  c.work = g_array_new (FALSE, FALSE, sizeof (Shade));
  c.blocked = g_array_new (FALSE, FALSE, sizeof (Shade));
  g_array_append_val (self->columns, c);
}

gboolean
clinic_calendar_view_reload (ClinicCalendarView  *self,
                             GError             **error)
{
  g_autoptr(GDateTime) first = NULL;
  g_autoptr(GPtrArray) appointments = NULL;
  g_autoptr(GHashTable) hours = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free,
                                                       (GDestroyNotify) g_array_unref);
  gint64 from, to;
  int days;
  guint used = 0;

  g_return_val_if_fail (CLINIC_IS_CALENDAR_VIEW (self), FALSE);

  if (!load_providers (self, error))
    return FALSE;
  if (self->mode != CLINIC_CALENDAR_DAY)
    {
      gboolean known = FALSE;

      for (guint i = 0; i < self->providers->len; i++)
        known |= ((ClinicProvider *) g_ptr_array_index (self->providers, i))->user_id == self->provider_id;
      if (!known)
        self->provider_id = self->providers->len > 0
          ? ((ClinicProvider *) g_ptr_array_index (self->providers, 0))->user_id : 0;
    }

  first = period_start (self, &days);
  {
    int y, m, d, ly, lm, ld;
    g_autoptr(GDateTime) last = g_date_time_add_days (first, days);

    date_parts (first, &y, &m, &d);
    date_parts (last, &ly, &lm, &ld);
    from = clinic_local_to_unix (self->tz, y, m, d, 0);
    to = clinic_local_to_unix (self->tz, ly, lm, ld, 0);
  }

  /* Each doctor's week and exceptions once, the appointments in one
   * query for the whole period. */
  g_clear_pointer (&self->exceptions, g_ptr_array_unref);
  self->exceptions = g_ptr_array_new_with_free_func ((GDestroyNotify) clinic_schedule_exception_free);
  for (guint i = 0; i < self->providers->len; i++)
    {
      ClinicProvider *p = g_ptr_array_index (self->providers, i);
      GArray *week;
      GPtrArray *exceptions;

      if (self->mode != CLINIC_CALENDAR_DAY && p->user_id != self->provider_id)
        continue;
      week = clinic_schedule_get_hours (self->session, p->user_id, error);
      if (week == NULL)
        return FALSE;
      g_hash_table_insert (hours, g_memdup2 (&p->user_id, sizeof (gint64)), week);
      exceptions = clinic_schedule_list_exceptions (self->session, p->user_id, from, to, error);
      if (exceptions == NULL)
        return FALSE;
      g_ptr_array_extend_and_steal (self->exceptions, exceptions);
    }
  appointments = clinic_appointments_list (self->session, from, to,
                                           self->mode == CLINIC_CALENDAR_DAY ? 0 : self->provider_id, error);
  if (appointments == NULL)
    return FALSE;

  g_array_set_size (self->columns, 0);
  if (self->mode == CLINIC_CALENDAR_DAY)
    for (guint i = 0; i < self->providers->len; i++)
      {
        ClinicProvider *p = g_ptr_array_index (self->providers, i);

        add_column (self, p->user_id, first, g_strdup (p->display_name));
      }
  else
    for (int i = 0; i < days && self->provider_id != 0; i++)
      {
        g_autoptr(GDateTime) day = g_date_time_add_days (first, i);

        add_column (self, self->provider_id, day,
                    self->mode == CLINIC_CALENDAR_WEEK ? g_date_time_format (day, "%a %-d %b") : NULL);
      }
  for (guint i = 0; i < self->columns->len; i++)
    {
      Column *c = column_at (self, i);
      g_autoptr(GDateTime) day = local_date (self, c->y, c->m, c->d);

      add_hours (self, c, g_hash_table_lookup (hours, &c->provider_id), day);
      add_exceptions (self, c, self->exceptions);
    }

  /* Reuse the buttons there are; a day of 20 doctors reloads often. */
  self->first_min = 7 * 60;
  self->last_min = 19 * 60;
  for (guint i = 0; i < appointments->len; i++)
    {
      ClinicAppointment *a = g_ptr_array_index (appointments, i);
      Block *b;
      int column = -1;

      if (!clinic_appointment_status_is_active (a->status) && a->status != CLINIC_APPOINTMENT_NO_SHOW)
        continue;
      {
        g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (a->starts_at);
        g_autoptr(GDateTime) local = g_date_time_to_timezone (utc, self->tz);
        int y, m, d;

        date_parts (local, &y, &m, &d);
        for (guint k = 0; k < self->columns->len && column < 0; k++)
          {
            Column *c = column_at (self, k);

            if (c->y == y && c->m == m && c->d == d
                && (self->mode != CLINIC_CALENDAR_DAY || c->provider_id == a->provider_id))
              column = k;
          }
      }
      if (column < 0)
        continue;
      if (used < self->blocks->len)
        {
          b = g_ptr_array_index (self->blocks, used);
          clinic_appointment_free (b->appointment);
        }
      else
        {
          b = block_new (self);
          g_ptr_array_add (self->blocks, b);
        }
      used++;
      b->appointment = g_ptr_array_steal_index (appointments, i--);
      if (b->appointment->provider_name == NULL || *b->appointment->provider_name == '\0')
        {
          g_free (b->appointment->provider_name);
          b->appointment->provider_name = g_strdup (provider_name (self, b->appointment->provider_id));
        }
      b->column = column;
      b->start_min = minute_of_day (self, b->appointment->starts_at);
      b->end_min = b->start_min + (int) ((b->appointment->ends_at - b->appointment->starts_at) / 60);
      g_object_set_data_full (G_OBJECT (b->button), "clinic-appointment-id",
                              g_memdup2 (&b->appointment->id, sizeof (gint64)), g_free);
      describe_block (self, b);
      self->first_min = MIN (self->first_min, (b->start_min / 60) * 60);
      self->last_min = MAX (self->last_min, MIN (((b->end_min + 59) / 60) * 60, 24 * 60));
    }
  g_ptr_array_set_size (self->blocks, used);
  for (guint i = 0; i < self->columns->len; i++)
    {
      Column *c = column_at (self, i);

      for (guint k = 0; k < c->work->len; k++)
        {
          Shade *s = &g_array_index (c->work, Shade, k);

          self->first_min = MIN (self->first_min, (s->start_min / 60) * 60);
          self->last_min = MAX (self->last_min, MIN (((s->end_min + 59) / 60) * 60, 24 * 60));
        }
    }
  g_ptr_array_sort (self->blocks, compare_blocks);
  assign_lanes (self);
  self->cursor_column = MIN (self->cursor_column, MAX ((int) self->columns->len - 1, 0));
  self->cursor_min = CLAMP (self->cursor_min, self->first_min, self->last_min - SNAP_MIN);

  self->drag_block = NULL;
  self->dragging = FALSE;
  gtk_widget_queue_resize (GTK_WIDGET (self));
  g_signal_emit (self, signals[RELOADED], 0);
  return TRUE;
}

/* --- Slots, moves and drags ------------------------------------------- */

gboolean
clinic_calendar_view_slot_at (ClinicCalendarView *self,
                              double              x,
                              double              y,
                              gint64             *provider_id,
                              gint64             *start)
{
  double col_w = column_width (self);
  int column, minute;
  Column *c;

  g_return_val_if_fail (CLINIC_IS_CALENDAR_VIEW (self), FALSE);

  if (self->mode == CLINIC_CALENDAR_MONTH || x < AXIS_WIDTH || y < HEADER_HEIGHT || col_w <= 0)
    return FALSE;
  column = (int) ((x - AXIS_WIDTH) / col_w);
  minute = self->first_min + (int) ((y - HEADER_HEIGHT) / px_per_min ());
  if (column >= (int) self->columns->len || minute >= self->last_min)
    return FALSE;
  minute = (minute / SNAP_MIN) * SNAP_MIN;
  c = column_at (self, column);
  *provider_id = c->provider_id;
  *start = column_unix (self, c, minute);
  return TRUE;
}

gboolean
clinic_calendar_view_point_at (ClinicCalendarView *self,
                               gint64              provider_id,
                               gint64              start,
                               double             *x,
                               double             *y)
{
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (start);
  g_autoptr(GDateTime) local = g_date_time_to_timezone (utc, self->tz);
  int yy, m, d;

  g_return_val_if_fail (CLINIC_IS_CALENDAR_VIEW (self), FALSE);

  date_parts (local, &yy, &m, &d);
  for (guint i = 0; i < self->columns->len && self->mode != CLINIC_CALENDAR_MONTH; i++)
    {
      Column *c = column_at (self, i);

      if (c->y == yy && c->m == m && c->d == d && c->provider_id == provider_id)
        {
          *x = AXIS_WIDTH + (i + 0.5) * column_width (self);
          *y = y_of_minute (self, minute_of_day (self, start)) + 1;
          return TRUE;
        }
    }
  return FALSE;
}

gboolean
clinic_calendar_view_move (ClinicCalendarView  *self,
                           gint64               id,
                           gint64               starts_at,
                           gint64               ends_at,
                           gint64               provider_id,
                           GError             **error)
{
  g_autoptr(ClinicAppointment) before = NULL;
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (CLINIC_IS_CALENDAR_VIEW (self), FALSE);

  before = clinic_appointments_get (self->session, id, &local_error);
  if (before == NULL
      || !clinic_appointments_reschedule (self->session, id, starts_at, ends_at, provider_id, NULL,
                                          &local_error))
    {
      /* Snap back: the blocks are placed from what the core holds. */
      self->dragging = FALSE;
      self->drag_block = NULL;
      gtk_widget_queue_allocate (GTK_WIDGET (self));
      g_signal_emit (self, signals[REFUSED], 0, local_error->message);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  g_signal_emit (self, signals[MOVED], 0, id, before->starts_at, before->ends_at, before->provider_id);
  return clinic_calendar_view_reload (self, error);
}

static gboolean
finish_drag (ClinicCalendarView *self)
{
  Block *b = self->drag_block;
  int column, start, end;
  Column *c;
  gint64 starts_at, ends_at;

  if (b == NULL || !self->dragging)
    {
      self->drag_block = NULL;
      self->dragging = FALSE;
      return FALSE;
    }
  dragged_place (self, b, &column, &start, &end);
  if (column == b->column && start == b->start_min && end == b->end_min)
    {
      self->drag_block = NULL;
      self->dragging = FALSE;
      gtk_widget_queue_allocate (GTK_WIDGET (self));
      return FALSE;
    }
  c = column_at (self, column);
  starts_at = column_unix (self, c, start);
  ends_at = starts_at + (gint64) (end - start) * 60;
  if (b->appointment->series_id != 0 && end - start == b->end_min - b->start_min)
    {
      gboolean handled = FALSE;

      /* A date of a series moved whole: which of its dates move is asked
       * first; the block goes back until they are moved. */
      g_signal_emit (self, signals[SERIES_MOVE_REQUESTED], 0, b->appointment->id, starts_at, ends_at,
                     c->provider_id, &handled);
      if (handled)
        {
          self->drag_block = NULL;
          self->dragging = FALSE;
          gtk_widget_queue_allocate (GTK_WIDGET (self));
          return TRUE;
        }
    }
  return clinic_calendar_view_move (self, b->appointment->id, starts_at, ends_at, c->provider_id, NULL);
}

static gboolean
begin_drag (ClinicCalendarView *self,
            double              x,
            double              y)
{
  GtkWidget *picked = gtk_widget_pick (GTK_WIDGET (self), x, y, GTK_PICK_DEFAULT);
  Block *b = picked != NULL && picked != GTK_WIDGET (self) ? block_of (self, picked) : NULL;
  graphene_rect_t bounds;

  self->drag_block = NULL;
  self->dragging = FALSE;
  if (b == NULL || self->mode == CLINIC_CALENDAR_MONTH
      || !gtk_widget_compute_bounds (b->button, GTK_WIDGET (self), &bounds))
    return FALSE;
  self->drag_block = b;
  self->drag_resize = y >= bounds.origin.y + bounds.size.height - EDGE;
  self->drag_x = x;
  self->drag_y = y;
  self->drag_dx = self->drag_dy = 0;
  return TRUE;
}

static void
update_drag (ClinicCalendarView *self,
             double              dx,
             double              dy)
{
  self->drag_dx = dx;
  self->drag_dy = dy;
  self->dragging = TRUE;
  gtk_widget_queue_allocate (GTK_WIDGET (self));
}

gboolean
clinic_calendar_view_drag (ClinicCalendarView *self,
                           double              x1,
                           double              y1,
                           double              x2,
                           double              y2)
{
  g_return_val_if_fail (CLINIC_IS_CALENDAR_VIEW (self), FALSE);

  if (!begin_drag (self, x1, y1))
    return FALSE;
  update_drag (self, x2 - x1, y2 - y1);
  return finish_drag (self);
}

static void
on_drag_begin (GtkGestureDrag     *gesture,
               double              x,
               double              y,
               ClinicCalendarView *self)
{
  if (!begin_drag (self, x, y))
    gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_DENIED);
}

static void
on_drag_update (GtkGestureDrag     *gesture,
                double              dx,
                double              dy,
                ClinicCalendarView *self)
{
  if (self->drag_block == NULL)
    return;
  /* A small wobble is still a click on the block. */
  if (!self->dragging && ABS (dx) < 4 && ABS (dy) < 4)
    return;
  gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
  update_drag (self, dx, dy);
}

static void
on_drag_end (GtkGestureDrag     *gesture,
             double              dx,
             double              dy,
             ClinicCalendarView *self)
{
  if (self->dragging)
    update_drag (self, dx, dy);
  finish_drag (self);
}

static void
on_click_released (GtkGestureClick    *gesture,
                   int                 n_press,
                   double              x,
                   double              y,
                   ClinicCalendarView *self)
{
  GtkWidget *picked = gtk_widget_pick (GTK_WIDGET (self), x, y, GTK_PICK_DEFAULT);
  gint64 provider_id, start;

  if (picked != GTK_WIDGET (self) || n_press != 1)
    return;
  if (self->mode == CLINIC_CALENDAR_MONTH)
    {
      double col_w = column_width (self), row_h = month_row_height (self);
      int column = (int) (x / MAX (col_w, 1)), row = (int) ((y - HEADER_HEIGHT) / MAX (row_h, 1));
      Column *c;
      g_autofree char *date = NULL;

      if (y < HEADER_HEIGHT || column > 6 || row * 7 + column >= (int) self->columns->len)
        return;
      /* A day of the month opens that day. */
      c = column_at (self, row * 7 + column);
      date = g_strdup_printf ("%04d-%02d-%02d", c->y, c->m, c->d);
      clinic_calendar_view_set_date (self, date);
      clinic_calendar_view_set_mode (self, CLINIC_CALENDAR_DAY);
      clinic_calendar_view_reload (self, NULL);
      return;
    }
  if (clinic_calendar_view_slot_at (self, x, y, &provider_id, &start))
    {
      /* The keyboard goes on from the slot clicked. */
      self->cursor_column = (int) ((x - AXIS_WIDTH) / column_width (self));
      self->cursor_min = self->first_min + (int) ((y - HEADER_HEIGHT) / px_per_min ());
      self->cursor_min -= self->cursor_min % SNAP_MIN;
      g_signal_emit (self, signals[BOOK_SLOT], 0, provider_id, start);
    }
}

/* --- Keyboard -------------------------------------------------------- */

static int
focused_index (ClinicCalendarView *self)
{
  GtkWidget *focus = gtk_widget_get_focus_child (GTK_WIDGET (self));

  for (guint i = 0; focus != NULL && i < self->blocks->len; i++)
    if (((Block *) g_ptr_array_index (self->blocks, i))->button == focus)
      return i;
  return -1;
}

static gboolean
focus_block (ClinicCalendarView *self,
             int                 index)
{
  if (index < 0 || index >= (int) self->blocks->len)
    return FALSE;
  return gtk_widget_grab_focus (((Block *) g_ptr_array_index (self->blocks, index))->button);
}

/* The grid itself has the focus: arrows move over the slots, Enter
 * books the one under the cursor, as a click would. */
static gboolean
move_cursor (ClinicCalendarView *self,
             guint               keyval)
{
  int n = self->columns->len;

  switch (keyval)
    {
    case GDK_KEY_Up:
      self->cursor_min = MAX (self->cursor_min - SNAP_MIN, self->first_min);
      break;
    case GDK_KEY_Down:
      self->cursor_min = MIN (self->cursor_min + SNAP_MIN, self->last_min - SNAP_MIN);
      break;
    case GDK_KEY_Left:
      self->cursor_column = MAX (self->cursor_column - 1, 0);
      break;
    case GDK_KEY_Right:
      self->cursor_column = MIN (self->cursor_column + 1, MAX (n - 1, 0));
      break;
    case GDK_KEY_Return:
    case GDK_KEY_KP_Enter:
    case GDK_KEY_space:
      if (self->cursor_column < n)
        {
          Column *c = column_at (self, self->cursor_column);

          g_signal_emit (self, signals[BOOK_SLOT], 0, c->provider_id, column_unix (self, c, self->cursor_min));
        }
      return TRUE;
    default:
      return FALSE;
    }
  gtk_widget_queue_draw (GTK_WIDGET (self));
  return TRUE;
}

/* Where the keyboard's slot is: column and minutes after midnight. */
void
clinic_calendar_view_get_cursor (ClinicCalendarView *self,
                                 int                *column,
                                 int                *minute)
{
  g_return_if_fail (CLINIC_IS_CALENDAR_VIEW (self));
  *column = self->cursor_column;
  *minute = self->cursor_min;
}

static gboolean
on_key_pressed (GtkEventControllerKey *controller,
                guint                  keyval,
                guint                  keycode,
                GdkModifierType        state,
                ClinicCalendarView    *self)
{
  int i = focused_index (self);

  if ((state & (GDK_CONTROL_MASK | GDK_ALT_MASK)) != 0)
    return FALSE;
  if (gtk_widget_is_focus (GTK_WIDGET (self)) && self->mode != CLINIC_CALENDAR_MONTH)
    return move_cursor (self, keyval);

  switch (keyval)
    {
    case GDK_KEY_Up:
      return focus_block (self, i < 0 ? 0 : i - 1) || i >= 0;
    case GDK_KEY_Down:
      return focus_block (self, i + 1) || i >= 0;
    case GDK_KEY_Left:
    case GDK_KEY_Right:
      {
        int step = keyval == GDK_KEY_Left ? -1 : 1;
        int column = i < 0 ? -1 : ((Block *) g_ptr_array_index (self->blocks, i))->column;

        /* The first block of the next column that has one. */
        for (int k = i < 0 ? 0 : i; k >= 0 && k < (int) self->blocks->len; k += step)
          {
            Block *b = g_ptr_array_index (self->blocks, k);

            if (b->column != column)
              {
                while (step < 0 && k > 0
                       && ((Block *) g_ptr_array_index (self->blocks, k - 1))->column == b->column)
                  k--;
                return focus_block (self, k);
              }
          }
        return i >= 0;
      }
    case GDK_KEY_Escape:
      /* Back from the blocks to the grid's slots. */
      return i >= 0 && gtk_widget_grab_focus (GTK_WIDGET (self));
    case GDK_KEY_Delete:
    case GDK_KEY_KP_Delete:
      if (i < 0)
        return FALSE;
      g_signal_emit (self, signals[CANCEL_REQUESTED], 0,
                     ((Block *) g_ptr_array_index (self->blocks, i))->appointment->id);
      return TRUE;
    default:
      return FALSE;
    }
}

/* --- The rest -------------------------------------------------------- */

GtkWidget *
clinic_calendar_view_get_block (ClinicCalendarView *self,
                                gint64              id)
{
  g_return_val_if_fail (CLINIC_IS_CALENDAR_VIEW (self), NULL);

  for (guint i = 0; i < self->blocks->len; i++)
    {
      Block *b = g_ptr_array_index (self->blocks, i);

      if (b->appointment->id == id)
        return b->button;
    }
  return NULL;
}

guint
clinic_calendar_view_get_n_blocks (ClinicCalendarView *self)
{
  g_return_val_if_fail (CLINIC_IS_CALENDAR_VIEW (self), 0);
  return self->blocks->len;
}

void
clinic_calendar_view_set_mode (ClinicCalendarView *self,
                               ClinicCalendarMode  mode)
{
  g_return_if_fail (CLINIC_IS_CALENDAR_VIEW (self));
  self->mode = mode;
}

ClinicCalendarMode
clinic_calendar_view_get_mode (ClinicCalendarView *self)
{
  g_return_val_if_fail (CLINIC_IS_CALENDAR_VIEW (self), CLINIC_CALENDAR_DAY);
  return self->mode;
}

void
clinic_calendar_view_set_provider (ClinicCalendarView *self,
                                   gint64              provider_id)
{
  g_return_if_fail (CLINIC_IS_CALENDAR_VIEW (self));
  self->provider_id = provider_id;
}

gint64
clinic_calendar_view_get_provider (ClinicCalendarView *self)
{
  g_return_val_if_fail (CLINIC_IS_CALENDAR_VIEW (self), 0);
  return self->provider_id;
}

void
clinic_calendar_view_set_date (ClinicCalendarView *self,
                               const char         *date)
{
  int y, m, d;

  g_return_if_fail (CLINIC_IS_CALENDAR_VIEW (self));

  if (date != NULL && sscanf (date, "%d-%d-%d", &y, &m, &d) == 3 && g_date_valid_dmy (d, m, y))
    {
      self->y = y;
      self->m = m;
      self->d = d;
    }
}

char *
clinic_calendar_view_get_date (ClinicCalendarView *self)
{
  g_return_val_if_fail (CLINIC_IS_CALENDAR_VIEW (self), NULL);
  return g_strdup_printf ("%04d-%02d-%02d", self->y, self->m, self->d);
}

char *
clinic_calendar_view_get_title (ClinicCalendarView *self)
{
  g_autoptr(GDateTime) day = NULL;

  g_return_val_if_fail (CLINIC_IS_CALENDAR_VIEW (self), NULL);

  day = local_date (self, self->y, self->m, self->d);
  switch (self->mode)
    {
    case CLINIC_CALENDAR_WEEK:
      {
        g_autofree char *week = g_date_time_format (day, "%V");
        g_autofree char *year = g_date_time_format (day, "%G");

        /* Translators: the week view's title: ISO week number, year, doctor */
        return g_strdup_printf (_("Week %s, %s — %s"), week, year, provider_name (self, self->provider_id));
      }
    case CLINIC_CALENDAR_MONTH:
      {
        g_autofree char *month = g_date_time_format (day, "%B %Y");

        /* Translators: the month view's title: month and year, doctor */
        return g_strdup_printf (_("%s — %s"), month, provider_name (self, self->provider_id));
      }
    case CLINIC_CALENDAR_DAY:
    default:
      return g_date_time_format (day, "%A, %x");
    }
}

gboolean
clinic_calendar_view_shift (ClinicCalendarView  *self,
                            int                  direction,
                            GError             **error)
{
  g_autoptr(GDateTime) day = NULL;
  g_autoptr(GDateTime) moved = NULL;

  g_return_val_if_fail (CLINIC_IS_CALENDAR_VIEW (self), FALSE);

  if (direction == 0)
    day = g_date_time_new_now (self->tz);
  else
    day = local_date (self, self->y, self->m, self->d);
  switch (direction == 0 ? CLINIC_CALENDAR_DAY : self->mode)
    {
    case CLINIC_CALENDAR_WEEK:
      moved = g_date_time_add_weeks (day, direction);
      break;
    case CLINIC_CALENDAR_MONTH:
      moved = g_date_time_add_months (day, direction);
      break;
    case CLINIC_CALENDAR_DAY:
    default:
      moved = g_date_time_add_days (day, direction);
      break;
    }
  date_parts (moved, &self->y, &self->m, &self->d);
  return clinic_calendar_view_reload (self, error);
}

GdkTexture *
clinic_calendar_view_render (ClinicCalendarView *self)
{
  g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  int width = gtk_widget_get_width (GTK_WIDGET (self));
  int height = gtk_widget_get_height (GTK_WIDGET (self));
  GtkNative *native = gtk_widget_get_native (GTK_WIDGET (self));

  g_return_val_if_fail (CLINIC_IS_CALENDAR_VIEW (self), NULL);
  g_return_val_if_fail (native != NULL && width > 0 && height > 0, NULL);

  /* Drawn afresh, not the node GTK cached from the last frame. */
  clinic_calendar_view_snapshot (GTK_WIDGET (self), snapshot);
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  if (node == NULL)
    return NULL;
  return gsk_renderer_render_texture (gtk_native_get_renderer (native), node,
                                      &GRAPHENE_RECT_INIT (0, 0, width, height));
}

static gboolean
on_clock (gpointer data)
{
  gtk_widget_queue_draw (GTK_WIDGET (data));
  return G_SOURCE_CONTINUE;
}

static void
clinic_calendar_view_map (GtkWidget *widget)
{
  ClinicCalendarView *self = CLINIC_CALENDAR_VIEW (widget);

  GTK_WIDGET_CLASS (clinic_calendar_view_parent_class)->map (widget);
  /* The current-time line moves a pixel about a minute. */
  if (self->clock_id == 0)
    self->clock_id = g_timeout_add_seconds (60, on_clock, self);
}

static void
clinic_calendar_view_unmap (GtkWidget *widget)
{
  ClinicCalendarView *self = CLINIC_CALENDAR_VIEW (widget);

  g_clear_handle_id (&self->clock_id, g_source_remove);
  GTK_WIDGET_CLASS (clinic_calendar_view_parent_class)->unmap (widget);
}

static void
clinic_calendar_view_dispose (GObject *object)
{
  ClinicCalendarView *self = CLINIC_CALENDAR_VIEW (object);

  g_clear_handle_id (&self->clock_id, g_source_remove);
  g_clear_pointer (&self->blocks, g_ptr_array_unref);
  g_clear_pointer (&self->providers, g_ptr_array_unref);
  g_clear_pointer (&self->exceptions, g_ptr_array_unref);
  g_clear_object (&self->session);

  G_OBJECT_CLASS (clinic_calendar_view_parent_class)->dispose (object);
}

static void
clinic_calendar_view_finalize (GObject *object)
{
  ClinicCalendarView *self = CLINIC_CALENDAR_VIEW (object);

  g_array_unref (self->columns);
  g_clear_pointer (&self->tz, g_time_zone_unref);

  G_OBJECT_CLASS (clinic_calendar_view_parent_class)->finalize (object);
}

static void
clinic_calendar_view_class_init (ClinicCalendarViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = clinic_calendar_view_dispose;
  object_class->finalize = clinic_calendar_view_finalize;
  widget_class->measure = clinic_calendar_view_measure;
  widget_class->size_allocate = clinic_calendar_view_size_allocate;
  widget_class->snapshot = clinic_calendar_view_snapshot;
  widget_class->map = clinic_calendar_view_map;
  widget_class->unmap = clinic_calendar_view_unmap;

  /* An empty slot was clicked: doctor, start. */
  signals[BOOK_SLOT] = g_signal_new ("book-slot", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                     0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_INT64, G_TYPE_INT64);
  /* An appointment's block was activated (click, Enter). */
  signals[ACTIVATED] = g_signal_new ("appointment-activated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                     0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_INT64);
  /* A move or resize was accepted: id, and the old start, end, doctor. */
  signals[MOVED] = g_signal_new ("moved", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                 0, NULL, NULL, NULL, G_TYPE_NONE, 4,
                                 G_TYPE_INT64, G_TYPE_INT64, G_TYPE_INT64, G_TYPE_INT64);
  /* A move or resize was refused: the core's sentence. */
  signals[REFUSED] = g_signal_new ("refused", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
  /* Delete on a block. */
  signals[CANCEL_REQUESTED] = g_signal_new ("cancel-requested", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                            0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_INT64);
  /* A date of a recurring series was dragged to a new time (not
   * resized): id, new start, end, doctor. A handler that returns TRUE
   * asks which dates of the series move and moves them; otherwise only
   * this one moves, as any appointment does. */
  signals[SERIES_MOVE_REQUESTED] = g_signal_new ("series-move-requested", G_TYPE_FROM_CLASS (klass),
                                                 G_SIGNAL_RUN_LAST, 0, g_signal_accumulator_true_handled,
                                                 NULL, NULL, G_TYPE_BOOLEAN, 4,
                                                 G_TYPE_INT64, G_TYPE_INT64, G_TYPE_INT64, G_TYPE_INT64);
  /* The shown period was loaded. */
  signals[RELOADED] = g_signal_new ("reloaded", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                    0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_css_name (widget_class, "calendar-view");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GRID);
}

static void
clinic_calendar_view_init (ClinicCalendarView *self)
{
  GtkGesture *drag = gtk_gesture_drag_new ();
  GtkGesture *click = gtk_gesture_click_new ();
  GtkEventController *keys = gtk_event_controller_key_new ();

  self->columns = g_array_new (FALSE, TRUE, sizeof (Column));
  g_array_set_clear_func (self->columns, column_clear);
  self->blocks = g_ptr_array_new_with_free_func (block_free);
  self->first_min = 7 * 60;
  self->last_min = 19 * 60;
  self->cursor_min = 8 * 60;
  gtk_widget_set_focusable (GTK_WIDGET (self), TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Calendar: arrow keys choose a time, Enter books it"), -1);

  /* Capture: the drag sees presses on the blocks before their click. */
  gtk_event_controller_set_propagation_phase (GTK_EVENT_CONTROLLER (drag), GTK_PHASE_CAPTURE);
  g_signal_connect (drag, "drag-begin", G_CALLBACK (on_drag_begin), self);
  g_signal_connect (drag, "drag-update", G_CALLBACK (on_drag_update), self);
  g_signal_connect (drag, "drag-end", G_CALLBACK (on_drag_end), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drag));

  g_signal_connect (click, "released", G_CALLBACK (on_click_released), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (click));

  g_signal_connect (keys, "key-pressed", G_CALLBACK (on_key_pressed), self);
  gtk_widget_add_controller (GTK_WIDGET (self), keys);
}

ClinicCalendarView *
clinic_calendar_view_new (ClinicSession *session)
{
  ClinicCalendarView *self;
  g_autoptr(GDateTime) now = NULL;

  g_return_val_if_fail (CLINIC_IS_SESSION (session), NULL);

  self = g_object_new (CLINIC_TYPE_CALENDAR_VIEW, NULL);
  self->session = g_object_ref (session);
  self->tz = clinic_schedule_get_timezone (clinic_session_get_db (session));
  now = g_date_time_new_now (self->tz);
  date_parts (now, &self->y, &self->m, &self->d);
  if (!clinic_session_has_permission (session, CLINIC_PERMISSION_SCHEDULE_ALL))
    self->provider_id = clinic_session_get_user_id (session);
  return self;
}
