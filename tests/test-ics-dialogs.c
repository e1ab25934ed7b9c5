/* test-ics-dialogs.c — Export Calendar… and Import Calendar…: what they
 * export and import through the core, their refusals shown, screenshots
 * and every control named */

#include "config.h"

#include <string.h>
#include <glib/gstdio.h>

#include "clinic-appointments.h"
#include "clinic-db.h"
#include "clinic-ics-dialogs.h"
#include "clinic-keys.h"
#include "clinic-patients.h"
#include "clinic-schedule.h"
#include "clinic-settings.h"
#include "clinic-test-db.h"
#include "clinic-test-ui.h"
#include "clinic-users.h"

#define PASSWORD "quiet river under old stone"

static ClinicDb      *db;
static ClinicSession *admin;
static char          *dir;
static GTimeZone     *tz;
static gint64         weber;
static gint64         checkup;
static char          *chart;

static gint64
at (const char *local)
{
  g_autoptr(GError) error = NULL;
  gint64 t = 0;

  g_assert_true (clinic_parse_local_time (tz, local, &t, &error));
  return t;
}

static void
make_clinic (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClinicVisitType) type = clinic_visit_type_new ();
  g_autoptr(ClinicPatient) paula = clinic_test_patient_new ("Schmidt", "Paula", "1987-04-23", "");
  g_autoptr(ClinicPatient) stored = NULL;
  g_autoptr(GArray) hours = g_array_new (FALSE, TRUE, sizeof (ClinicHoursBlock));
  ClinicKdfLimits limits = CLINIC_KDF_LIMITS_TEST;
  ClinicCredentials credentials = { .user = "admin", .password = PASSWORD, .limits = &limits };
  ClinicBooking b = { 0 };
  gint64 patient;

  db = clinic_test_clinic_new ("clinic-ics-dialogs-XXXXXX", &credentials, &dir, &admin);
  tz = clinic_schedule_get_timezone (db);
  weber = clinic_users_create (admin, "weber", "Dr. Weber", CLINIC_USER_STAFF, 2, PASSWORD, &limits, &error);
  g_assert_no_error (error);
  g_assert_true (clinic_providers_set (admin, weber, TRUE, &error));
  for (int d = 1; d <= 5; d++)
    {
      ClinicHoursBlock block = { d, 8 * 60, 17 * 60, 0 };

      g_array_append_val (hours, block);
    }
  g_assert_true (clinic_schedule_set_hours (admin, weber, hours, &error));
  g_free (type->name);
  type->name = g_strdup ("Check-up");
  type->duration_min = 30;
  checkup = clinic_visit_types_save (admin, type, &error);
  g_assert_no_error (error);
  patient = clinic_patients_create (admin, paula, FALSE, &error);
  g_assert_no_error (error);
  stored = clinic_patients_get (admin, patient, &error);
  chart = g_strdup (stored->chart_number);

  b.patient_id = patient;
  b.provider_id = weber;
  b.visit_type_id = checkup;
  b.starts_at = at ("2027-01-12 09:00");
  g_assert_cmpint (clinic_appointments_book (admin, &b, &error), >, 0);
  b.starts_at = at ("2027-01-13 10:00");
  g_assert_cmpint (clinic_appointments_book (admin, &b, &error), >, 0);
  g_assert_no_error (error);
}

static void
test_export_dialog (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (dir, "weber.ics", NULL);
  g_autofree char *text = NULL;
  GtkWindow *window = clinic_ics_export_dialog_new (NULL, admin);
  GtkWidget *from = clinic_test_find_widget_by_name (GTK_WIDGET (window), "from_row");
  GtkWidget *to = clinic_test_find_widget_by_name (GTK_WIDGET (window), "to_row");
  GtkWidget *doctor = clinic_test_find_widget_by_name (GTK_WIDGET (window), "doctor_row");
  GtkWidget *detail = clinic_test_find_widget_by_name (GTK_WIDGET (window), "detail_row");
  GtkWidget *error_revealer = clinic_test_find_widget_by_name (GTK_WIDGET (window), "error_revealer");

  gtk_window_present (window);
  clinic_test_wait_for_draw (GTK_WIDGET (window));
  clinic_test_assert_all_named (GTK_WIDGET (window), FALSE);
  /* All doctors first, then each; busy only unless chosen otherwise. */
  g_assert_cmpuint (g_list_model_get_n_items (adw_combo_row_get_model (ADW_COMBO_ROW (doctor))), ==, 2);
  g_assert_cmpuint (adw_combo_row_get_selected (ADW_COMBO_ROW (detail)), ==, 0);
  g_free (clinic_test_save_screenshot (GTK_WIDGET (window), "ics-export-dialog"));

  /* A day that is not one: refused, shown, no file. */
  gtk_editable_set_text (GTK_EDITABLE (from), "12.01.2027");
  g_assert_cmpint (clinic_ics_export_dialog_export_to (CLINIC_ICS_EXPORT_DIALOG (window), path, &error), ==, -1);
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_true (gtk_revealer_get_reveal_child (GTK_REVEALER (error_revealer)));
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));

  /* Dr. Weber's January, initials. */
  gtk_editable_set_text (GTK_EDITABLE (from), "2027-01-01");
  gtk_editable_set_text (GTK_EDITABLE (to), "2027-01-31");
  adw_combo_row_set_selected (ADW_COMBO_ROW (doctor), 1);
  adw_combo_row_set_selected (ADW_COMBO_ROW (detail), 1);
  g_assert_cmpint (clinic_ics_export_dialog_export_to (CLINIC_ICS_EXPORT_DIALOG (window), path, &error), ==, 2);
  g_assert_no_error (error);
  g_assert_false (gtk_revealer_get_reveal_child (GTK_REVEALER (error_revealer)));
  g_assert_true (g_file_get_contents (path, &text, NULL, &error));
  g_assert_nonnull (strstr (text, "SUMMARY:Check-up – P. S."));
  g_assert_nonnull (strstr (text, "DTSTART;TZID=Europe/Berlin:20270112T090000"));
  gtk_window_destroy (window);
}

static void
on_imported (GtkWindow *window,
             gint64     n,
             gint64    *out)
{
  *out = n;
}

static void
test_import_dialog (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (dir, "import.ics", NULL);
  g_autofree char *clash = NULL;
  g_autofree char *fine = NULL;
  g_autoptr(GPtrArray) after = NULL;
  GtkWindow *window = clinic_ics_import_dialog_new (NULL, admin);
  GtkListBox *events = clinic_ics_import_dialog_get_events (CLINIC_ICS_IMPORT_DIALOG (window));
  GtkListBoxRow *row;
  gint64 imported = -1;

  gtk_window_present (window);
  clinic_test_wait_for_draw (GTK_WIDGET (window));
  clinic_test_assert_all_named (GTK_WIDGET (window), FALSE);
  /* Nothing to import before a file is chosen. */
  g_assert_false (gtk_widget_get_sensitive (clinic_test_find_button (GTK_WIDGET (window), "ics-import.import")));
  g_assert_false (gtk_widget_get_sensitive (clinic_test_find_button (GTK_WIDGET (window), "ics-import.blocked")));

  /* One event over Paula's visit, one free: listed with their states;
   * neither Import can run (the first overlaps either way). */
  clash = g_strdup_printf ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//EN\r\n"
                           "BEGIN:VEVENT\r\nUID:one@test\r\nDTSTART;TZID=Europe/Berlin:20270112T091500\r\n"
                           "X-CLINIC-CHART-NUMBER:%s\r\nX-CLINIC-VISIT-TYPE:Check-up\r\nEND:VEVENT\r\n"
                           "BEGIN:VEVENT\r\nUID:two@test\r\nDTSTART;TZID=Europe/Berlin:20270114T110000\r\n"
                           "X-CLINIC-CHART-NUMBER:%s\r\nX-CLINIC-VISIT-TYPE:Check-up\r\nEND:VEVENT\r\n"
                           "END:VCALENDAR\r\n", chart, chart);
  g_assert_true (g_file_set_contents (path, clash, -1, &error));
  g_assert_true (clinic_ics_import_dialog_load (CLINIC_ICS_IMPORT_DIALOG (window), path, &error));
  g_assert_no_error (error);
  row = gtk_list_box_get_row_at_index (events, 0);
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), ==, "2027-01-12 09:15");
  g_assert_true (g_str_has_prefix (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), "Conflict: "));
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (row), "error"));
  row = gtk_list_box_get_row_at_index (events, 1);
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), ==, "New");
  g_assert_null (gtk_list_box_get_row_at_index (events, 2));
  g_assert_nonnull (clinic_test_find_label (GTK_WIDGET (window), "1 of them cannot be imported"));
  clinic_test_wait_for_draw (GTK_WIDGET (window));
  clinic_test_assert_all_named (GTK_WIDGET (window), FALSE);
  g_free (clinic_test_save_screenshot (GTK_WIDGET (window), "ics-import-dialog-conflict"));
  g_assert_false (gtk_widget_get_sensitive (clinic_test_find_button (GTK_WIDGET (window), "ics-import.import")));
  g_assert_false (gtk_widget_get_sensitive (clinic_test_find_button (GTK_WIDGET (window), "ics-import.blocked")));
  gtk_widget_activate_action (GTK_WIDGET (window), "ics-import.import", NULL);
  after = clinic_appointments_list (admin, at ("2027-01-01 00:00"), at ("2027-02-01 00:00"), weber, &error);
  g_assert_cmpuint (after->len, ==, 2);
  g_clear_pointer (&after, g_ptr_array_unref);

  /* A hostile file: its reason shown, nothing listed. */
  g_assert_true (g_file_set_contents (path, "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:x\r\nEND:VEVENT\r\n"
                                      "END:VCALENDAR\r\n", -1, &error));
  g_assert_false (clinic_ics_import_dialog_load (CLINIC_ICS_IMPORT_DIALOG (window), path, &error));
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_nonnull (clinic_test_find_label (GTK_WIDGET (window), "no start (DTSTART)"));
  g_assert_null (gtk_list_box_get_row_at_index (events, 0));

  /* The free event imports with one typed in another calendar program,
   * whose patient is found by name alone: marked for a person to check.
   * The window closes. */
  fine = g_strdup_printf ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//EN\r\n"
                          "BEGIN:VEVENT\r\nUID:two@test\r\nDTSTART;TZID=Europe/Berlin:20270114T110000\r\n"
                          "X-CLINIC-CHART-NUMBER:%s\r\nX-CLINIC-VISIT-TYPE:Check-up\r\nEND:VEVENT\r\n"
                          "BEGIN:VEVENT\r\nUID:three@google.com\r\nDTSTART:20270115T090000Z\r\n"
                          "SUMMARY:paula schmidt\r\nX-CLINIC-VISIT-TYPE:Check-up\r\nEND:VEVENT\r\n"
                          "END:VCALENDAR\r\n", chart);
  g_assert_true (g_file_set_contents (path, fine, -1, &error));
  g_assert_true (clinic_ics_import_dialog_load (CLINIC_ICS_IMPORT_DIALOG (window), path, &error));
  row = gtk_list_box_get_row_at_index (events, 0);
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), ==, "New");
  g_assert_false (gtk_widget_has_css_class (GTK_WIDGET (row), "warning"));
  row = gtk_list_box_get_row_at_index (events, 1);
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), ==,
                   "New — matched by name only (“paula schmidt”, no date of birth): check that this is the right patient");
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (row), "warning"));
  g_assert_false (gtk_widget_has_css_class (GTK_WIDGET (row), "error"));
  clinic_test_wait_for_draw (GTK_WIDGET (window));
  g_free (clinic_test_save_screenshot (GTK_WIDGET (window), "ics-import-dialog-ready"));
  g_assert_true (gtk_widget_get_sensitive (clinic_test_find_button (GTK_WIDGET (window), "ics-import.import")));
  g_assert_true (gtk_widget_get_sensitive (clinic_test_find_button (GTK_WIDGET (window), "ics-import.blocked")));
  g_object_ref (window);
  g_signal_connect (window, "imported", G_CALLBACK (on_imported), &imported);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "ics-import.import", NULL));
  g_assert_cmpint (imported, ==, 2);
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (window)));
  g_object_unref (window);
  after = clinic_appointments_list (admin, at ("2027-01-01 00:00"), at ("2027-02-01 00:00"), weber, &error);
  g_assert_cmpuint (after->len, ==, 4);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  clinic_test_ui_init (&argc, &argv);
  clinic_keys_allow_test_limits (TRUE);
  make_clinic ();

  g_test_add_func ("/ics-dialogs/export", test_export_dialog);
  g_test_add_func ("/ics-dialogs/import", test_import_dialog);
  status = g_test_run ();

  g_clear_object (&admin);
  g_clear_object (&db);
  g_clear_pointer (&tz, g_time_zone_unref);
  clinic_test_remove_tree (dir);
  g_free (dir);
  g_free (chart);
  return status;
}
