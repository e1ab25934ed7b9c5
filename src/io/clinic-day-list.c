/* clinic-day-list.c — a doctor's appointments of one day, on paper */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <pango/pangocairo.h>

#include "clinic-day-list.h"

#define N_COLUMNS   4
#define CELL_GAP    8.0
#define ROW_PADDING 5.0

/* One line of the table: the texts of its cells, already laid out. */
typedef struct
{
  PangoLayout *cells[N_COLUMNS];
  gboolean     header;
} Row;

struct _ClinicDayList
{
  ClinicDocument  parent_instance;

  char           *clinic_name;
  char           *clinic_address;
  char           *clinic_phone;
  char           *doctor_name;
  char           *date;
  /* Per appointment, the texts of the cells (N_COLUMNS strings each). */
  GPtrArray      *rows;
};

G_DEFINE_FINAL_TYPE (ClinicDayList, clinic_day_list, CLINIC_TYPE_DOCUMENT)

/* Time | patient | visit | status, as parts of the content width. */
static const double column_share[N_COLUMNS] = { 0.16, 0.36, 0.32, 0.16 };

static void
row_free (gpointer data)
{
  Row *row = data;

  for (guint i = 0; i < N_COLUMNS; i++)
    g_clear_object (&row->cells[i]);
  g_free (row);
}

static void
draw_row (ClinicDocument *document,
          cairo_t        *cr,
          double          x,
          double          y,
          double          width,
          double          height,
          gpointer        user_data)
{
  Row *row = user_data;
  double cx = x;

  if (row->header)
    {
      clinic_color_set_source (cr, CLINIC_COLOR_FILL);
      cairo_rectangle (cr, x, y, width, height);
      cairo_fill (cr);
    }
  for (guint i = 0; i < N_COLUMNS; i++)
    {
      clinic_color_set_source (cr, row->header ? CLINIC_COLOR_MUTED : CLINIC_COLOR_TEXT);
      cairo_move_to (cr, cx + (i == 0 ? 2 : 0), y + ROW_PADDING);
      pango_cairo_show_layout (cr, row->cells[i]);
      cx += width * column_share[i];
    }
  clinic_color_set_source (cr, CLINIC_COLOR_RULE);
  cairo_set_line_width (cr, 0.5);
  cairo_move_to (cr, x, y + height - 0.25);
  cairo_line_to (cr, x + width, y + height - 0.25);
  cairo_stroke (cr);
}

static void
add_row (ClinicDocument     *document,
         const char *const  *texts,
         gboolean            header)
{
  double width = clinic_document_get_content_width (document);
  Row *row = g_new0 (Row, 1);
  double height = 0;

  row->header = header;
  for (guint i = 0; i < N_COLUMNS; i++)
    {
      row->cells[i] = clinic_document_create_layout (document, header ? CLINIC_TEXT_LABEL : CLINIC_TEXT_BODY,
                                                     texts[i], width * column_share[i] - CELL_GAP);
      height = MAX (height, clinic_document_layout_height (row->cells[i]));
    }
  clinic_document_add_block (document, height + 2 * ROW_PADDING, draw_row, row, row_free);
}

static void
clinic_day_list_build (ClinicDocument *document)
{
  ClinicDayList *self = CLINIC_DAY_LIST (document);
  const char *header[N_COLUMNS] = { _("Time"), _("Patient"), _("Visit"), _("Status") };
  g_autofree char *subtitle = g_strdup_printf ("%s — %s", self->doctor_name, self->date);

  clinic_document_add_letterhead (document, self->clinic_name, self->clinic_address, self->clinic_phone);
  clinic_document_add_title (document, _("Day list"), subtitle);
  if (self->rows->len == 0)
    {
      clinic_document_add_paragraph (document, CLINIC_TEXT_BODY, _("No appointments on this day."));
      return;
    }
  add_row (document, header, TRUE);
  for (guint i = 0; i < self->rows->len; i++)
    add_row (document, g_ptr_array_index (self->rows, i), FALSE);
}

static void
clinic_day_list_finalize (GObject *object)
{
  ClinicDayList *self = CLINIC_DAY_LIST (object);

  g_free (self->clinic_name);
  g_free (self->clinic_address);
  g_free (self->clinic_phone);
  g_free (self->doctor_name);
  g_free (self->date);
  g_clear_pointer (&self->rows, g_ptr_array_unref);
  G_OBJECT_CLASS (clinic_day_list_parent_class)->finalize (object);
}

static void
clinic_day_list_class_init (ClinicDayListClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = clinic_day_list_finalize;
  CLINIC_DOCUMENT_CLASS (klass)->build = clinic_day_list_build;
}

static void
clinic_day_list_init (ClinicDayList *self)
{
  self->rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
}

static char *
format_clock (GTimeZone *tz,
              gint64     unix_time)
{
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (unix_time);
  g_autoptr(GDateTime) local = utc != NULL ? g_date_time_to_timezone (utc, tz) : NULL;

  return local != NULL ? g_date_time_format (local, "%H:%M") : g_strdup ("");
}

ClinicDayList *
clinic_day_list_new (const ClinicLetterhead *letterhead,
                     const char             *doctor_name,
                     const char             *date,
                     GPtrArray              *appointments,
                     GTimeZone              *tz)
{
  ClinicDayList *self;
  g_autofree char *title = NULL;

  g_return_val_if_fail (letterhead != NULL && doctor_name != NULL && date != NULL && tz != NULL, NULL);

  self = g_object_new (CLINIC_TYPE_DAY_LIST, NULL);
  self->clinic_name = g_strdup (letterhead->name != NULL ? letterhead->name : "");
  self->clinic_address = g_strdup (letterhead->address);
  self->clinic_phone = g_strdup (letterhead->phone);
  self->doctor_name = g_strdup (doctor_name);
  self->date = g_strdup (date);
  for (guint i = 0; appointments != NULL && i < appointments->len; i++)
    {
      const ClinicAppointment *a = g_ptr_array_index (appointments, i);
      g_autofree char *start = format_clock (tz, a->starts_at);
      g_autofree char *end = format_clock (tz, a->ends_at);
      char **cells = g_new0 (char *, N_COLUMNS + 1);

      cells[0] = g_strdup_printf ("%s–%s", start, end);
      /* Translators: a patient on the day list: name, then date of birth
       * and chart number on a second line */
      cells[1] = g_strdup_printf (_("%s\n%s · %s"), a->patient_name, a->patient_birth, a->patient_chart);
      cells[2] = *a->reason != '\0' ? g_strdup_printf ("%s\n%s", a->visit_type, a->reason)
                                    : g_strdup (a->visit_type);
      cells[3] = g_strdup (clinic_appointment_status_to_string (a->status));
      g_ptr_array_add (self->rows, cells);
    }

  /* Translators: the title of a day list document: doctor, date */
  title = g_strdup_printf (_("Day list %s — %s"), doctor_name, date);
  clinic_document_set_title (CLINIC_DOCUMENT (self), title);
  return self;
}
