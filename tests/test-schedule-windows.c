/* test-schedule-windows.c — the Visit Types and Exceptions windows of the
 * calendar's menu: an edited visit type shows on the calendar, a retired
 * one is no longer offered for booking, and an exception is removed and
 * put back with Undo */

#include "config.h"

#include <string.h>

#include "clinic-appointments.h"
#include "clinic-calendar-section.h"
#include "clinic-calendar-view.h"
#include "clinic-error.h"
#include "clinic-exceptions-window.h"
#include "clinic-form-window.h"
#include "clinic-keys.h"
#include "clinic-schedule.h"
#include "clinic-settings.h"
#include "clinic-test-db.h"
#include "clinic-test-ui.h"
#include "clinic-users.h"
#include "clinic-visit-types-window.h"

#define PASSWORD "quiet river under old stone"

static const ClinicCredentials admin_creds = { "admin", PASSWORD, NULL, &CLINIC_KDF_LIMITS_TEST };

static char          *dir;
static ClinicDb      *db;
static ClinicSession *admin;
static GTimeZone     *tz;
static gint64         weber, lang, checkup, consult, visit;
static int            y, m, d;   /* a Monday two weeks ahead */

static gint64
add_type (const char *name,
          int         minutes,
          const char *color)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClinicVisitType) t = clinic_visit_type_new ();
  gint64 id;

  t->name = (g_free (t->name), g_strdup (name));
  t->color = (g_free (t->color), g_strdup (color));
  t->duration_min = minutes;
  id = clinic_visit_types_save (admin, t, &error);
  g_assert_no_error (error);
  return id;
}

static gint64
exception (gint64               provider,
           ClinicExceptionKind  kind,
           int                  day,
           int                  from_min,
           int                  to_min,
           const char          *reason)
{
  g_autoptr(GError) error = NULL;
  ClinicScheduleException e = { 0, provider, kind, 0, 0, (char *) reason };
  gint64 id;

  e.starts_at = clinic_local_to_unix (tz, y, m, d + day, from_min);
  e.ends_at = clinic_local_to_unix (tz, y, m, d + day, to_min);
  id = clinic_schedule_add_exception (admin, &e, &error);
  g_assert_no_error (error);
  return id;
}

static void
make_clinic (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClinicPatient) paula = clinic_test_patient_new ("Schmidt", "Paula", "1987-04-23", "0171 555");
  g_autoptr(GArray) blocks = g_array_new (FALSE, TRUE, sizeof (ClinicHoursBlock));
  g_autoptr(GDateTime) now = NULL;
  g_autoptr(GDateTime) later = NULL;
  g_autoptr(GDateTime) monday = NULL;
  ClinicBooking b = { 0, 0, 0, 0, 0, 0, "Back pain", "", NULL };

  db = clinic_test_clinic_new ("clinic-schedule-windows-XXXXXX", &admin_creds, &dir, &admin);
  tz = clinic_schedule_get_timezone (db);
  now = g_date_time_new_now (tz);
  later = g_date_time_add_days (now, 14);
  monday = g_date_time_add_days (later, 1 - g_date_time_get_day_of_week (later));
  g_date_time_get_ymd (monday, &y, &m, &d);
  /* Days are added to d below; keep them in one month. */
  if (d > 20)
    {
      g_autoptr(GDateTime) next = g_date_time_add_weeks (monday, 2);

      g_date_time_get_ymd (next, &y, &m, &d);
    }

  weber = clinic_users_create (admin, "weber", "Dr. Weber", CLINIC_USER_STAFF, 2, PASSWORD,
                               &CLINIC_KDF_LIMITS_TEST, &error);
  lang = clinic_users_create (admin, "lang", "Dr. Lang", CLINIC_USER_STAFF, 2, PASSWORD,
                              &CLINIC_KDF_LIMITS_TEST, &error);
  g_assert_no_error (error);
  g_assert_true (clinic_providers_set (admin, weber, TRUE, &error));
  g_assert_true (clinic_providers_set (admin, lang, TRUE, &error));
  for (int day = 1; day <= 5; day++)
    {
      ClinicHoursBlock block = { day, 8 * 60, 17 * 60, 0 };

      g_array_append_val (blocks, block);
    }
  g_assert_true (clinic_schedule_set_hours (admin, weber, blocks, &error));
  g_assert_true (clinic_schedule_set_hours (admin, lang, blocks, &error));
  g_assert_no_error (error);
  checkup = add_type ("Check-up", 30, "#3584e4");
  consult = add_type ("Long consultation", 60, "#f6d32d");

  b.patient_id = clinic_patients_create (admin, paula, FALSE, &error);
  b.provider_id = weber;
  b.visit_type_id = checkup;
  b.starts_at = clinic_local_to_unix (tz, y, m, d, 9 * 60);
  visit = clinic_appointments_book (admin, &b, &error);
  g_assert_no_error (error);
}

typedef ClinicTestCalendar View;

static void
view_open (View *v)
{
  g_autofree char *date = g_strdup_printf ("%04d-%02d-%02d", y, m, d);

  clinic_test_calendar_open (v, admin, date, weber, 1000, 700);
}

/* The share of the pixels of appointment @id's block, as the calendar
 * draws it, that have the colour @hex. */
static double
block_share_of (View       *v,
                gint64      id,
                const char *hex)
{
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree guchar *pixels = NULL;
  GtkWidget *block = clinic_calendar_view_get_block (v->view, id);
  graphene_rect_t bounds;
  GdkRGBA want;
  int width, stride, hits = 0, all = 0;

  g_assert_nonnull (block);
  g_assert_true (gdk_rgba_parse (&want, hex));
  g_assert_true (gtk_widget_compute_bounds (block, GTK_WIDGET (v->view), &bounds));
  texture = clinic_calendar_view_render (v->view);
  width = gdk_texture_get_width (texture);
  stride = width * 4;
  pixels = g_malloc ((gsize) stride * gdk_texture_get_height (texture));
  gdk_texture_download (texture, pixels, stride);
  for (int py = (int) bounds.origin.y + 2; py < (int) (bounds.origin.y + bounds.size.height) - 2; py++)
    for (int px = (int) bounds.origin.x + 2; px < (int) (bounds.origin.x + bounds.size.width) - 2; px++)
      {
        /* Cairo's byte order: blue, green, red, alpha. */
        const guchar *p = pixels + py * stride + px * 4;

        all++;
        hits += ABS (p[2] - (int) (want.red * 255 + 0.5)) <= 2 && ABS (p[1] - (int) (want.green * 255 + 0.5)) <= 2
                && ABS (p[0] - (int) (want.blue * 255 + 0.5)) <= 2;
      }
  g_assert_cmpint (all, >, 0);
  return (double) hits / all;
}

/* The visit types the booking dialog offers, comma-separated. */
static char *
offered_types (View *v)
{
  GtkWindow *dialog = clinic_calendar_section_book (v->section, weber, clinic_local_to_unix (tz, y, m, d, 11 * 60));
  GtkWidget *row = clinic_test_find_widget_by_name (GTK_WIDGET (dialog), "type_row");
  GListModel *model = adw_combo_row_get_model (ADW_COMBO_ROW (row));
  g_autoptr(GString) names = g_string_new (NULL);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    g_string_append_printf (names, "%s%s", i > 0 ? ", " : "",
                            gtk_string_list_get_string (GTK_STRING_LIST (model), i));
  gtk_window_destroy (dialog);
  clinic_test_spin (20);
  return g_string_free (g_steal_pointer (&names), FALSE);
}

static void
test_visit_types (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClinicVisitType) read = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  ClinicVisitTypesWindow *window;
  GdkRGBA red = { 0xe0 / 255.0, 0x1b / 255.0, 0x24 / 255.0, 1 };
  View v;

  view_open (&v);
  g_assert_cmpfloat (block_share_of (&v, visit, "#3584e4"), >, 0.3);
  before = offered_types (&v);
  g_assert_cmpstr (before, ==, "Check-up, Long consultation");

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (v.section), "calendar.visit-types", NULL));
  window = CLINIC_VISIT_TYPES_WINDOW (clinic_test_find_toplevel (CLINIC_TYPE_VISIT_TYPES_WINDOW));
  g_assert_nonnull (window);
  clinic_test_wait_for_draw (GTK_WIDGET (window));
  clinic_test_assert_all_named (GTK_WIDGET (window), FALSE);
  g_assert_nonnull (clinic_test_find_label (GTK_WIDGET (window), "30 minutes"));

  /* A refused value is shown in place and changes nothing. */
  g_assert_true (clinic_visit_types_window_select (window, checkup));
  gtk_editable_set_text (GTK_EDITABLE (clinic_test_find_widget_by_name (GTK_WIDGET (window), "name_entry")),
                         "long CONSULTATION");
  g_assert_false (clinic_visit_types_window_save (window));
  g_assert_nonnull (strstr (clinic_visit_types_window_get_error (window), "already"));

  /* Longer and red: the list says so, and the calendar's block turns red. */
  gtk_editable_set_text (GTK_EDITABLE (clinic_test_find_widget_by_name (GTK_WIDGET (window), "name_entry")),
                         "Check-up");
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (clinic_test_find_widget_by_name (GTK_WIDGET (window),
                                                                               "duration_spin")), 45);
  gtk_color_chooser_set_rgba (GTK_COLOR_CHOOSER (clinic_test_find_widget_by_name (GTK_WIDGET (window),
                                                                                 "color_button")), &red);
  gtk_switch_set_active (GTK_SWITCH (clinic_test_find_widget_by_name (GTK_WIDGET (window), "bookable_switch")),
                         TRUE);
  g_assert_true (clinic_visit_types_window_save (window));
  g_assert_null (clinic_visit_types_window_get_error (window));
  read = clinic_visit_types_lookup (admin, "Check-up", &error);
  g_assert_no_error (error);
  g_assert_cmpint (read->duration_min, ==, 45);
  g_assert_cmpstr (read->color, ==, "#e01b24");
  g_assert_true (read->patient_bookable);
  g_assert_nonnull (clinic_test_find_label (GTK_WIDGET (window), "45 minutes · patients may book"));
  clinic_test_spin (50);
  g_assert_cmpfloat (block_share_of (&v, visit, "#e01b24"), >, 0.3);
  g_assert_cmpfloat (block_share_of (&v, visit, "#3584e4"), <, 0.01);

  /* Retired: marked in the list, kept on its appointment, not offered. */
  g_assert_true (clinic_visit_types_window_select (window, consult));
  g_assert_true (clinic_visit_types_window_toggle_active (window));
  g_assert_nonnull (clinic_test_find_label (GTK_WIDGET (window), "60 minutes · retired"));
  g_assert_nonnull (clinic_test_find_label (GTK_WIDGET (window), "Retired: kept on its appointments"));
  clinic_test_wait_for_draw (GTK_WIDGET (window));
  g_free (clinic_test_save_screenshot (GTK_WIDGET (window), "visit-types-window"));
  after = offered_types (&v);
  g_assert_cmpstr (after, ==, "Check-up");
  g_assert_nonnull (clinic_calendar_view_get_block (v.view, visit));

  /* Reactivated, it is offered again. */
  g_assert_true (clinic_visit_types_window_toggle_active (window));
  g_free (after);
  after = offered_types (&v);
  g_assert_cmpstr (after, ==, "Check-up, Long consultation");

  /* Add opens the New Visit Type form; the list follows when it closes. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "visit-types.add", NULL));
  clinic_test_spin (50);
  {
    ClinicFormWindow *form = CLINIC_FORM_WINDOW (clinic_test_find_toplevel (CLINIC_TYPE_FORM_WINDOW));

    g_assert_nonnull (form);
    clinic_form_window_set_text (form, "name", "Vaccination");
    clinic_form_window_submit (form);
    clinic_test_spin (50);
  }
  g_assert_nonnull (clinic_test_find_label (GTK_WIDGET (window), "Vaccination"));
  g_free (after);
  after = offered_types (&v);
  g_assert_cmpstr (after, ==, "Check-up, Long consultation, Vaccination");

  gtk_window_destroy (GTK_WINDOW (window));
  clinic_test_calendar_close (&v);
}

static void
test_exceptions (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) left = NULL;
  ClinicExceptionsWindow *window;
  ClinicFormWindow *form;
  g_autofree char *from = g_strdup_printf ("%04d-%02d-%02d 14:00", y, m, d + 2);
  g_autofree char *to = g_strdup_printf ("%04d-%02d-%02d 16:00", y, m, d + 2);
  gint64 home, holiday, gone, removed;
  View v;

  home = exception (weber, CLINIC_EXCEPTION_BLOCK, 1, 8 * 60, 12 * 60, "Home visits");
  holiday = exception (0, CLINIC_EXCEPTION_OFF, 3, 0, 24 * 60, "Founding day");
  exception (lang, CLINIC_EXCEPTION_EXTRA, 4, 17 * 60, 19 * 60, "");
  {
    /* One from last year, shown only with the past ones. */
    ClinicScheduleException old = { 0, weber, CLINIC_EXCEPTION_OFF, 0, 0, (char *) "Congress" };

    old.starts_at = clinic_local_to_unix (tz, y - 1, m, 10, 0);
    old.ends_at = clinic_local_to_unix (tz, y - 1, m, 12, 0);
    g_assert_cmpint (clinic_schedule_add_exception (admin, &old, &error), >, 0);
    g_assert_no_error (error);
  }

  view_open (&v);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (v.section), "calendar.exceptions", NULL));
  window = CLINIC_EXCEPTIONS_WINDOW (clinic_test_find_toplevel (CLINIC_TYPE_EXCEPTIONS_WINDOW));
  g_assert_nonnull (window);
  clinic_test_wait_for_draw (GTK_WIDGET (window));
  clinic_test_assert_all_named (GTK_WIDGET (window), FALSE);

  /* The calendar's doctor: theirs and the clinic's, by time, in words. */
  g_assert_cmpuint (clinic_exceptions_window_get_n_rows (window), ==, 2);
  g_assert_cmpint (clinic_exceptions_window_get_row_id (window, 0), ==, home);
  g_assert_cmpint (clinic_exceptions_window_get_row_id (window, 1), ==, holiday);
  {
    g_autofree char *when = g_strdup_printf ("Blocked time · %04d-%02d-%02d 08:00 to 12:00", y, m, d + 1);
    g_autofree char *day = g_strdup_printf ("Day off or holiday · %04d-%02d-%02d", y, m, d + 3);

    g_assert_nonnull (clinic_test_find_label (GTK_WIDGET (window), when));
    g_assert_nonnull (clinic_test_find_label (GTK_WIDGET (window), day));
    g_assert_nonnull (clinic_test_find_label (GTK_WIDGET (window), "Dr. Weber · Home visits"));
    g_assert_nonnull (clinic_test_find_label (GTK_WIDGET (window), "Whole clinic · Founding day"));
  }
  clinic_exceptions_window_set_filter (window, lang);
  g_assert_cmpuint (clinic_exceptions_window_get_n_rows (window), ==, 2);
  g_assert_nonnull (clinic_test_find_label (GTK_WIDGET (window), "Extra hours"));
  clinic_exceptions_window_set_filter (window, 0);
  g_assert_cmpuint (clinic_exceptions_window_get_n_rows (window), ==, 1);
  clinic_exceptions_window_set_filter (window, CLINIC_EXCEPTIONS_ALL);
  g_assert_cmpuint (clinic_exceptions_window_get_n_rows (window), ==, 3);
  clinic_exceptions_window_set_show_past (window, TRUE);
  g_assert_cmpuint (clinic_exceptions_window_get_n_rows (window), ==, 4);
  g_assert_nonnull (clinic_test_find_label (GTK_WIDGET (window), "Congress"));
  clinic_exceptions_window_set_show_past (window, FALSE);

  /* Add Exception… from here; the list follows when the form closes. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "exceptions.add", NULL));
  clinic_test_spin (50);
  form = CLINIC_FORM_WINDOW (clinic_test_find_toplevel (CLINIC_TYPE_FORM_WINDOW));
  g_assert_nonnull (form);
  clinic_form_window_set_text (form, "from", from);
  clinic_form_window_set_text (form, "to", to);
  clinic_form_window_set_text (form, "reason", "Training");
  clinic_form_window_submit (form);
  clinic_test_spin (50);
  g_assert_cmpuint (clinic_exceptions_window_get_n_rows (window), ==, 4);
  g_assert_nonnull (clinic_test_find_label (GTK_WIDGET (window), "Dr. Weber · Training"));

  /* Removed with the key's action: gone from the list and the core, with a
   * toast to take it back. */
  gtk_list_box_select_row (GTK_LIST_BOX (clinic_test_find_widget_by_name (GTK_WIDGET (window), "list")),
                           gtk_list_box_get_row_at_index (GTK_LIST_BOX (clinic_test_find_widget_by_name (
                                                            GTK_WIDGET (window), "list")), 0));
  removed = clinic_exceptions_window_get_row_id (window, 0);
  g_assert_cmpint (removed, ==, home);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "exceptions.remove-selected", NULL));
  g_assert_cmpuint (clinic_exceptions_window_get_n_rows (window), ==, 3);
  g_assert_null (clinic_test_find_label (GTK_WIDGET (window), "Home visits"));
  left = clinic_schedule_list_exceptions (admin, weber, 0, G_MAXINT64 / 2, &error);
  for (guint i = 0; i < left->len; i++)
    g_assert_cmpint (((ClinicScheduleException *) left->pdata[i])->id, !=, home);
  g_clear_pointer (&left, g_ptr_array_unref);
  clinic_test_spin (400);
  clinic_test_wait_for_draw (GTK_WIDGET (window));
  g_assert_nonnull (clinic_test_find_label (GTK_WIDGET (window), "Exception removed"));
  clinic_test_assert_all_named (GTK_WIDGET (window), FALSE);
  g_free (clinic_test_save_screenshot (GTK_WIDGET (window), "exceptions-window"));

  /* Undo puts the same exception back. */
  g_assert_true (clinic_exceptions_window_undo (window));
  g_assert_cmpuint (clinic_exceptions_window_get_n_rows (window), ==, 4);
  g_assert_nonnull (clinic_test_find_label (GTK_WIDGET (window), "Dr. Weber · Home visits"));
  left = clinic_schedule_list_exceptions (admin, weber, 0, G_MAXINT64 / 2, &error);
  {
    gboolean back = FALSE;

    for (guint i = 0; i < left->len; i++)
      {
        const ClinicScheduleException *e = left->pdata[i];

        back |= e->provider_id == weber && e->kind == CLINIC_EXCEPTION_BLOCK
                && e->starts_at == clinic_local_to_unix (tz, y, m, d + 1, 8 * 60)
                && e->ends_at == clinic_local_to_unix (tz, y, m, d + 1, 12 * 60)
                && g_strcmp0 (e->reason, "Home visits") == 0;
      }
    g_assert_true (back);
  }
  g_assert_false (clinic_exceptions_window_undo (window));

  /* Removed elsewhere meanwhile: the core's sentence is shown in place. */
  gone = clinic_exceptions_window_get_row_id (window, 0);
  g_assert_true (clinic_schedule_remove_exception (admin, gone, &error));
  g_assert_false (clinic_exceptions_window_remove (window, gone));
  g_assert_nonnull (strstr (clinic_exceptions_window_get_error (window), "no such exception"));

  gtk_window_destroy (GTK_WINDOW (window));
  clinic_test_calendar_close (&v);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  clinic_test_ui_init (&argc, &argv);
  clinic_keys_allow_test_limits (TRUE);
  make_clinic ();

  g_test_add_func ("/schedule-windows/visit-types", test_visit_types);
  g_test_add_func ("/schedule-windows/exceptions", test_exceptions);
  status = g_test_run ();

  g_clear_object (&admin);
  g_clear_object (&db);
  g_time_zone_unref (tz);
  clinic_test_remove_tree (dir);
  g_free (dir);
  return status;
}
