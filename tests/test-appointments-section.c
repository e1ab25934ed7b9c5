/* test-appointments-section.c — the appointments section on screen
 *
 * Over a real database: the front desk's table of a day with its
 * filters, a status change, a cancel with its reason, the waitlist match
 * it offers and its undo, the waitlist page, and the day list's print
 * preview; a patient's own appointments at the kiosk, self-booking a free
 * time, and a cancel refused too late and allowed in time. Every control
 * is named; screenshots go to the test output folder.
 */

#include "config.h"

#include <sodium.h>

#include "clinic-appointments-section.h"
#include "clinic-appointments.h"
#include "clinic-document-preview.h"
#include "clinic-patients.h"
#include "clinic-schedule.h"
#include "clinic-settings.h"
#include "clinic-test-db.h"
#include "clinic-test-ui.h"
#include "clinic-users.h"
#include "clinic-waitlist.h"

#define PASSWORD "lantern over the quiet bay"

static const ClinicCredentials creds = { "admin", PASSWORD, NULL, &CLINIC_KDF_LIMITS_TEST };

typedef struct
{
  char          *dir;
  ClinicDb      *db;
  ClinicSession *admin;
  ClinicSession *front;
  GTimeZone     *tz;
  gint64         paula;
  gint64         otto;
  gint64         weber;
  gint64         lang;
  gint64         checkup;
  gint64         long_visit;
} Fixture;

static gint64
add_type (Fixture    *f,
          const char *name,
          int         minutes,
          gboolean    bookable)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClinicVisitType) t = clinic_visit_type_new ();
  gint64 id;

  g_free (t->name);
  t->name = g_strdup (name);
  t->duration_min = minutes;
  t->patient_bookable = bookable;
  id = clinic_visit_types_save (f->admin, t, &error);
  g_assert_no_error (error);
  return id;
}

/* A doctor who works every day 8–17, so free times are always near. */
static gint64
add_doctor (Fixture    *f,
            const char *name,
            const char *display)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) week = g_array_new (FALSE, TRUE, sizeof (ClinicHoursBlock));
  gint64 id = clinic_users_create (f->admin, name, display, CLINIC_USER_STAFF, 2, PASSWORD,
                                   &CLINIC_KDF_LIMITS_TEST, &error);

  g_assert_no_error (error);
  g_assert_true (clinic_providers_set (f->admin, id, TRUE, &error));
  for (int day = 1; day <= 7; day++)
    {
      ClinicHoursBlock block = { day, 8 * 60, 17 * 60, 0 };

      g_array_append_val (week, block);
    }
  g_assert_true (clinic_schedule_set_hours (f->admin, id, week, &error));
  g_assert_no_error (error);
  return id;
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClinicPatient) paula = clinic_test_patient_new ("Schmidt", "Paula", "1987-04-23", "0171 555");
  g_autoptr(ClinicPatient) otto = clinic_test_patient_new ("Berg", "Otto", "1950-01-02", "");
  gint64 account;

  f->db = clinic_test_clinic_new ("clinic-appointments-section-XXXXXX", &creds, &f->dir, &f->admin);
  f->tz = clinic_schedule_get_timezone (f->db);
  f->paula = clinic_patients_create (f->admin, paula, FALSE, &error);
  f->otto = clinic_patients_create (f->admin, otto, FALSE, &error);
  g_assert_no_error (error);
  f->weber = add_doctor (f, "weber", "Dr. Weber");
  f->lang = add_doctor (f, "lang", "Dr. Lang");
  clinic_users_create (f->admin, "jonas", "Jonas Front", CLINIC_USER_STAFF, 3, PASSWORD,
                       &CLINIC_KDF_LIMITS_TEST, &error);
  g_assert_no_error (error);
  f->checkup = add_type (f, "Check-up", 30, TRUE);
  f->long_visit = add_type (f, "Long consultation", 60, FALSE);
  account = clinic_users_create (f->admin, "paula", "Paula Schmidt", CLINIC_USER_PATIENT, 0, PASSWORD,
                                 &CLINIC_KDF_LIMITS_TEST, &error);
  g_assert_true (clinic_patients_link_account (f->admin, f->paula, account, &error));
  g_assert_no_error (error);
  f->front = clinic_session_sign_in (f->db, "jonas", PASSWORD, &error);
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_clear_object (&f->front);
  g_clear_object (&f->admin);
  g_clear_object (&f->db);
  g_clear_pointer (&f->tz, g_time_zone_unref);
  clinic_test_remove_tree (f->dir);
  g_free (f->dir);
}

static gint64
at (Fixture    *f,
    const char *local)
{
  g_autoptr(GError) error = NULL;
  gint64 t = 0;

  g_assert_true (clinic_parse_local_time (f->tz, local, &t, &error));
  g_assert_no_error (error);
  return t;
}

static gint64
book (Fixture    *f,
      gint64      patient,
      gint64      doctor,
      const char *local)
{
  g_autoptr(GError) error = NULL;
  ClinicBooking b = { patient, doctor, f->checkup, 0, at (f, local), 0, "Back pain", NULL, NULL };
  gint64 id = clinic_appointments_book (f->front, &b, &error);

  g_assert_no_error (error);
  return id;
}

static ClinicAppointmentsSection *
show_section (ClinicSession *session)
{
  GtkWidget *window = gtk_window_new ();
  GtkWidget *section = g_object_new (CLINIC_TYPE_APPOINTMENTS_SECTION, "session", session, NULL);

  gtk_window_set_default_size (GTK_WINDOW (window), 1100, 640);
  gtk_window_set_child (GTK_WINDOW (window), section);
  gtk_window_present (GTK_WINDOW (window));
  clinic_test_wait_for_draw (window);
  return CLINIC_APPOINTMENTS_SECTION (section);
}

static GtkWidget *
child_named (ClinicAppointmentsSection *section,
             const char                *id)
{
  GtkWidget *widget = clinic_test_find_widget_by_name (GTK_WIDGET (section), id);

  g_assert_nonnull (widget);
  return widget;
}

static ClinicAppointmentStatus
status_of (Fixture *f,
           gint64   id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClinicAppointment) a = clinic_appointments_get (f->admin, id, &error);

  g_assert_no_error (error);
  if (a == NULL)
    g_error ("appointment %" G_GINT64_FORMAT " is gone", id);
  return a->status;
}

/* Answers the cancel dialog that is open with @reason. */
static void
answer_cancel (const char *reason)
{
  GtkWindow *dialog = clinic_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG);
  GtkWidget *entry;

  g_assert_nonnull (dialog);
  clinic_test_wait_for_draw (GTK_WIDGET (dialog));
  clinic_test_assert_all_named (GTK_WIDGET (dialog), TRUE);
  entry = clinic_test_find_widget (GTK_WIDGET (dialog), GTK_TYPE_ENTRY);
  g_assert_nonnull (entry);
  g_assert_false (adw_message_dialog_get_response_enabled (ADW_MESSAGE_DIALOG (dialog), "cancel-appointment"));
  clinic_test_type (entry, reason);
  g_assert_true (adw_message_dialog_get_response_enabled (ADW_MESSAGE_DIALOG (dialog), "cancel-appointment"));
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "cancel-appointment");
  gtk_window_destroy (dialog);
}

static const char *
label_text (ClinicAppointmentsSection *section,
            const char                *id)
{
  return gtk_label_get_text (GTK_LABEL (child_named (section, id)));
}

static guint
count_rows (GtkWidget *list)
{
  guint n = 0;

  for (GtkWidget *row = gtk_widget_get_first_child (list); row != NULL; row = gtk_widget_get_next_sibling (row))
    if (GTK_IS_LIST_BOX_ROW (row))
      n++;
  return n;
}

static void
test_front_desk (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClinicWaitlistEntry) wait = clinic_waitlist_entry_new ();
  ClinicAppointmentsSection *section;
  GListModel *model;
  GtkWindow *preview_window;
  GtkWidget *preview;
  g_autofree char *shot = NULL;
  g_autofree char *first_text = NULL;
  gint64 first, second;

  first = book (f, f->paula, f->weber, "2040-01-04 09:00");
  /* Dr. Lang's in a room, which the Doctor column shows. */
  {
    g_autoptr(ClinicRoom) room = clinic_room_new ();
    ClinicBooking b = { f->otto, f->lang, f->checkup, 0, at (f, "2040-01-04 10:00"), 0, "Back pain", NULL, NULL };

    g_free (room->name);
    room->name = g_strdup ("Room 3");
    b.room_id = clinic_rooms_save (f->admin, room, &error);
    g_assert_no_error (error);
    second = clinic_appointments_book (f->front, &b, &error);
    g_assert_no_error (error);
  }
  book (f, f->otto, f->weber, "2040-01-05 09:00");
  wait->patient_id = f->otto;
  wait->provider_id = f->weber;
  wait->visit_type_id = f->checkup;
  g_assert_cmpint (clinic_waitlist_add (f->front, wait, &error), >, 0);
  g_assert_no_error (error);

  section = show_section (f->front);
  model = clinic_appointments_section_get_model (section);
  /* Today at first, which has none of these. */
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 0);
  clinic_test_assert_all_named (gtk_widget_get_ancestor (GTK_WIDGET (section), GTK_TYPE_WINDOW), TRUE);

  /* The day, by time; then filtered by doctor and by status. */
  clinic_appointments_section_set_range (section, "2040-01-04", "2040-01-04");
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 2);
  first_text = g_strdup_printf ("%" G_GINT64_FORMAT, first);
  g_assert_cmpstr (gtk_string_list_get_string (GTK_STRING_LIST (model), 0), ==, first_text);
  g_assert_cmpstr (label_text (section, "count_label"), ==, "2 appointments");
  clinic_appointments_section_set_range (section, "2040-01-04", "2040-01-05");
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 3);
  gtk_drop_down_set_selected (GTK_DROP_DOWN (child_named (section, "doctor_dropdown")), 2); /* Dr. Weber */
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 2);
  gtk_drop_down_set_selected (GTK_DROP_DOWN (child_named (section, "doctor_dropdown")), 0);
  clinic_appointments_section_set_range (section, "2040-01-04", "");
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 2);
  clinic_test_wait_for_draw (GTK_WIDGET (section));
  g_assert_nonnull (clinic_test_find_label (GTK_WIDGET (section), "Dr. Lang · Room 3"));
  g_assert_nonnull (clinic_test_find_label (GTK_WIDGET (section), "09:00–09:30"));
  clinic_test_assert_all_named (gtk_widget_get_ancestor (GTK_WIDGET (section), GTK_TYPE_WINDOW), TRUE);
  shot = clinic_test_save_screenshot (GTK_WIDGET (section), "appointments-front-desk");
  g_clear_pointer (&shot, g_free);

  /* A row's status change goes through the core; one that the status
   * does not allow is refused with the core's reason. */
  gtk_widget_activate_action (GTK_WIDGET (section), "appointments.confirm", "x", second);
  g_assert_cmpint (status_of (f, second), ==, CLINIC_APPOINTMENT_CONFIRMED);
  gtk_widget_activate_action (GTK_WIDGET (section), "appointments.complete", "x", second);
  g_assert_cmpint (status_of (f, second), ==, CLINIC_APPOINTMENT_CONFIRMED);
  g_assert_true (gtk_revealer_get_reveal_child (GTK_REVEALER (child_named (section, "error_revealer"))));
  gtk_drop_down_set_selected (GTK_DROP_DOWN (child_named (section, "status_dropdown")),
                              1 + CLINIC_APPOINTMENT_CONFIRMED);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 1);
  gtk_drop_down_set_selected (GTK_DROP_DOWN (child_named (section, "status_dropdown")), 0);

  /* Cancel asks for a reason, offers the waitlist match and an undo. */
  gtk_widget_activate_action (GTK_WIDGET (section), "appointments.cancel", "x", first);
  answer_cancel ("Ill");
  g_assert_cmpint (status_of (f, first), ==, CLINIC_APPOINTMENT_CANCELLED);
  g_assert_true (gtk_revealer_get_reveal_child (GTK_REVEALER (child_named (section, "matches_revealer"))));
  g_assert_cmpstr (label_text (section, "matches_label"), ==, "1 patient on the waitlist matches this slot.");
  clinic_test_wait_for_draw (GTK_WIDGET (section));
  shot = clinic_test_save_screenshot (GTK_WIDGET (section), "appointments-cancelled");
  g_clear_pointer (&shot, g_free);
  gtk_widget_activate_action (GTK_WIDGET (section), "appointments.show-matches", NULL);
  {
    GtkWindow *dialog = clinic_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG);

    g_assert_nonnull (dialog);
    g_assert_nonnull (clinic_test_find_label (GTK_WIDGET (dialog), "Berg, Otto"));
    clinic_test_wait_for_draw (GTK_WIDGET (dialog));
    clinic_test_assert_all_named (GTK_WIDGET (dialog), TRUE);
    gtk_window_destroy (dialog);
  }
  gtk_widget_activate_action (GTK_WIDGET (section), "appointments.undo-cancel", "@ax", g_variant_new_fixed_array (G_VARIANT_TYPE_INT64, &first, 1, sizeof first));
  g_assert_cmpint (status_of (f, first), ==, CLINIC_APPOINTMENT_BOOKED);
  g_assert_false (gtk_revealer_get_reveal_child (GTK_REVEALER (child_named (section, "matches_revealer"))));

  /* The day list of a doctor, in the print preview. */
  g_assert_null (clinic_appointments_section_print_day_list (section));
  gtk_drop_down_set_selected (GTK_DROP_DOWN (child_named (section, "doctor_dropdown")), 2);
  preview_window = clinic_appointments_section_print_day_list (section);
  g_assert_nonnull (preview_window);
  preview = clinic_test_find_widget (GTK_WIDGET (preview_window), CLINIC_TYPE_DOCUMENT_PREVIEW);
  g_assert_cmpuint (clinic_document_preview_get_n_pages (CLINIC_DOCUMENT_PREVIEW (preview)), ==, 1);
  g_assert_cmpstr (clinic_document_get_title (clinic_document_preview_get_document (CLINIC_DOCUMENT_PREVIEW (preview))),
                   ==, "Day list Dr. Weber — 2040-01-04");
  clinic_test_wait_for_draw (GTK_WIDGET (preview_window));
  clinic_test_assert_all_named (GTK_WIDGET (preview_window), TRUE);
  shot = clinic_test_save_screenshot (GTK_WIDGET (preview_window), "appointments-day-list");
  g_clear_pointer (&shot, g_free);
  gtk_window_destroy (preview_window);

  /* The waitlist page: the entry, one added by chart number, one taken off. */
  gtk_stack_set_visible_child_name (GTK_STACK (child_named (section, "stack")), "waitlist");
  g_assert_cmpuint (count_rows (child_named (section, "waitlist_list")), ==, 1);
  clinic_test_type (child_named (section, "wait_chart_entry"), "C000001");
  clinic_test_type (child_named (section, "wait_preferred_entry"), "mornings");
  gtk_drop_down_set_selected (GTK_DROP_DOWN (child_named (section, "wait_urgency_dropdown")), CLINIC_WAITLIST_URGENT);
  gtk_widget_activate_action (GTK_WIDGET (section), "appointments.waitlist-add", NULL);
  g_assert_cmpuint (count_rows (child_named (section, "waitlist_list")), ==, 2);
  g_assert_cmpint (clinic_test_query_int (f->db, "SELECT urgency FROM waitlist WHERE patient_id = 1"), ==, 2);
  clinic_test_wait_for_draw (GTK_WIDGET (section));
  clinic_test_assert_all_named (gtk_widget_get_ancestor (GTK_WIDGET (section), GTK_TYPE_WINDOW), TRUE);
  shot = clinic_test_save_screenshot (GTK_WIDGET (section), "appointments-waitlist");
  gtk_widget_activate_action (GTK_WIDGET (section), "appointments.waitlist-remove", "x",
                              clinic_test_query_int (f->db, "SELECT id FROM waitlist WHERE patient_id = 1"));
  g_assert_cmpuint (count_rows (child_named (section, "waitlist_list")), ==, 1);

  gtk_window_destroy (GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (section))));
}

static void
test_patient_kiosk (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClinicSession) patient = clinic_session_sign_in (f->db, "paula", PASSWORD, &error);
  ClinicAppointmentsSection *section;
  GtkWidget *slots, *button;
  g_autofree char *shot = NULL;
  gint64 id;

  g_assert_no_error (error);
  /* Someone else's appointment never shows. */
  book (f, f->otto, f->weber, "2040-01-04 09:00");
  section = show_section (patient);
  g_assert_false (gtk_widget_get_visible (child_named (section, "staff_bar")));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (child_named (section, "stack"))), ==, "mine");
  g_assert_nonnull (clinic_test_find_label (child_named (section, "mine_list"), "no upcoming appointments"));
  /* Only the visit types patients may book. */
  g_assert_cmpuint (g_list_model_get_n_items (gtk_drop_down_get_model (GTK_DROP_DOWN (child_named (section,
                                                                                                   "book_type_dropdown")))),
                    ==, 1);
  clinic_test_assert_all_named (gtk_widget_get_ancestor (GTK_WIDGET (section), GTK_TYPE_WINDOW), TRUE);
  shot = clinic_test_save_screenshot (GTK_WIDGET (section), "appointments-patient-empty");
  g_clear_pointer (&shot, g_free);

  /* Free times of the next four weeks; booking the first one. */
  gtk_stack_set_visible_child_name (GTK_STACK (child_named (section, "stack")), "self-book");
  gtk_drop_down_set_selected (GTK_DROP_DOWN (child_named (section, "book_doctor_dropdown")), 2); /* Dr. Weber */
  gtk_widget_activate_action (GTK_WIDGET (section), "appointments.find-slots", NULL);
  slots = child_named (section, "slots_list");
  g_assert_cmpuint (count_rows (slots), >, 10);
  clinic_test_wait_for_draw (GTK_WIDGET (section));
  clinic_test_assert_all_named (gtk_widget_get_ancestor (GTK_WIDGET (section), GTK_TYPE_WINDOW), TRUE);
  shot = clinic_test_save_screenshot (GTK_WIDGET (section), "appointments-patient-free-times");
  g_clear_pointer (&shot, g_free);
  button = clinic_test_find_button (slots, "appointments.book-slot");
  g_assert_nonnull (button);
  g_signal_emit_by_name (button, "clicked");
  g_assert_cmpint (clinic_test_query_int (f->db, "SELECT count(*) FROM appointments WHERE patient_id = 1"
                                                 " AND provider_id = (SELECT id FROM users WHERE name = 'weber')"
                                                 " AND created_by = (SELECT id FROM users WHERE name = 'paula')"), ==, 1);
  id = clinic_test_query_int (f->db, "SELECT id FROM appointments WHERE patient_id = 1");
  gtk_stack_set_visible_child_name (GTK_STACK (child_named (section, "stack")), "mine");
  g_assert_cmpuint (count_rows (child_named (section, "mine_list")), ==, 1);
  g_assert_null (clinic_test_find_label (child_named (section, "mine_list"), "no upcoming appointments"));

  /* Too late to cancel here (the setting): refused, with the reason. */
  g_assert_true (clinic_settings_set (clinic_settings_get_for_db (f->db), f->admin,
                                      "appointments.patient-cancel-hours", "168", &error));
  g_assert_no_error (error);
  g_signal_emit_by_name (clinic_test_find_button (child_named (section, "mine_list"), "appointments.cancel"), "clicked");
  answer_cancel ("Feeling better");
  g_assert_cmpint (status_of (f, id), ==, CLINIC_APPOINTMENT_BOOKED);
  g_assert_nonnull (strstr (label_text (section, "error_label"), "too soon to cancel"));
  clinic_test_wait_for_draw (GTK_WIDGET (section));
  shot = clinic_test_save_screenshot (GTK_WIDGET (section), "appointments-patient-too-late");
  g_clear_pointer (&shot, g_free);

  /* In time: cancelled, and gone from the list. */
  g_assert_true (clinic_settings_set (clinic_settings_get_for_db (f->db), f->admin,
                                      "appointments.patient-cancel-hours", "0", &error));
  gtk_widget_activate_action (GTK_WIDGET (section), "appointments.cancel", "x", id);
  answer_cancel ("Feeling better");
  g_assert_cmpint (status_of (f, id), ==, CLINIC_APPOINTMENT_CANCELLED);
  g_assert_nonnull (clinic_test_find_label (child_named (section, "mine_list"), "no upcoming appointments"));

  gtk_window_destroy (GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (section))));
}

int
main (int   argc,
      char *argv[])
{
  g_setenv ("LANGUAGE", "en", TRUE);
  clinic_test_ui_init (&argc, &argv);
  g_assert_cmpint (sodium_init (), >=, 0);
  clinic_keys_allow_test_limits (TRUE);

  g_test_add ("/appointments-section/front-desk", Fixture, NULL, fixture_set_up, test_front_desk,
              fixture_tear_down);
  g_test_add ("/appointments-section/patient-kiosk", Fixture, NULL, fixture_set_up, test_patient_kiosk,
              fixture_tear_down);
  return g_test_run ();
}
