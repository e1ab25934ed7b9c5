/* test-a11y.c — every control a person can focus has a name
 *
 * Runs with GTK_A11Y=test. Each page of the application is built here and
 * its whole widget tree walked; later pages add a line to pages[].
 */

#include "config.h"

#include <glib/gstdio.h>

#include "clinic-db.h"
#include "clinic-exceptions-window.h"
#include "clinic-keys.h"
#include "clinic-rooms-window.h"
#include "clinic-schedule.h"
#include "clinic-sign-in-page.h"
#include "clinic-test-db.h"
#include "clinic-test-ui.h"
#include "clinic-visit-types-window.h"
#include "clinic-window.h"

static ClinicApplication *app;
static char              *dir;

static void
test_main_window (void)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (app));

  clinic_test_wait_for_draw (GTK_WIDGET (window));
  clinic_test_assert_all_named (GTK_WIDGET (window), FALSE);
}

static void
test_sign_in_page_alone (void)
{
  GtkWidget *window = gtk_window_new ();
  GtkWidget *page = g_object_new (CLINIC_TYPE_SIGN_IN_PAGE, NULL);

  gtk_window_set_child (GTK_WINDOW (window), page);
  gtk_window_present (GTK_WINDOW (window));
  clinic_test_wait_for_draw (window);
  clinic_test_assert_all_named (window, FALSE);

  /* The error area is announced when it appears: it is an alert. */
  {
    GtkWidget *revealer = clinic_test_find_widget (page, GTK_TYPE_REVEALER);

    g_assert_nonnull (revealer);
    gtk_test_accessible_assert_role (GTK_ACCESSIBLE (gtk_revealer_get_child (GTK_REVEALER (revealer))),
                                     GTK_ACCESSIBLE_ROLE_ALERT);
  }
  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_shortcuts_window (void)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (app));
  GtkShortcutsWindow *overlay =
    gtk_application_window_get_help_overlay (GTK_APPLICATION_WINDOW (window));

  gtk_window_present (GTK_WINDOW (overlay));
  clinic_test_wait_for_draw (GTK_WIDGET (overlay));
  clinic_test_assert_all_named (GTK_WIDGET (overlay), FALSE);
  gtk_window_close (GTK_WINDOW (overlay));
}

static void
test_about_window (void)
{
  GtkWindow *about;

  g_action_group_activate_action (G_ACTION_GROUP (app), "about", NULL);
  about = clinic_test_find_toplevel (ADW_TYPE_ABOUT_WINDOW);
  g_assert_nonnull (about);
  clinic_test_wait_for_draw (GTK_WIDGET (about));
  /* libadwaita's own window: its first page, the one Clinic fills in. */
  clinic_test_assert_all_named (GTK_WIDGET (about), TRUE);
  gtk_window_destroy (about);
}

/* The calendar menu's Visit Types and Exceptions windows, each with a
 * row, opened by an administrator of a clinic of their own. */
static void
test_schedule_windows (void)
{
  const ClinicCredentials creds = { "admin", "quiet river under old stone", NULL, &CLINIC_KDF_LIMITS_TEST };
  g_autoptr(GError) error = NULL;
  g_autofree char *folder = g_dir_make_tmp ("clinic-a11y-schedule-XXXXXX", &error);
  g_autofree char *path = g_build_filename (folder, "clinic.db", NULL);
  g_autofree char *recovery = NULL;
  g_autoptr(ClinicDb) db = NULL;
  g_autoptr(ClinicSession) admin = NULL;
  g_autoptr(ClinicVisitType) type = clinic_visit_type_new ();
  ClinicScheduleException holiday = { 0, 0, CLINIC_EXCEPTION_OFF, 0, 0, (char *) "Founding day" };
  GtkWindow *windows[2];

  clinic_keys_allow_test_limits (TRUE);
  g_object_unref (clinic_db_create (path, "A11y Practice", &creds, &recovery, &error));
  g_assert_no_error (error);
  db = clinic_db_open (path, &creds, &error);
  g_assert_no_error (error);
  admin = clinic_session_start (db, &error);
  g_assert_no_error (error);
  type->name = (g_free (type->name), g_strdup ("Check-up"));
  g_assert_cmpint (clinic_visit_types_save (admin, type, &error), >, 0);
  holiday.starts_at = g_get_real_time () / G_USEC_PER_SEC + 30 * 86400;
  holiday.ends_at = holiday.starts_at + 86400;
  g_assert_cmpint (clinic_schedule_add_exception (admin, &holiday, &error), >, 0);
  g_assert_no_error (error);

  windows[0] = clinic_visit_types_window_new (NULL, admin);
  windows[1] = clinic_exceptions_window_new (NULL, admin, CLINIC_EXCEPTIONS_ALL);
  for (guint i = 0; i < G_N_ELEMENTS (windows); i++)
    {
      gtk_window_present (windows[i]);
      clinic_test_wait_for_draw (GTK_WIDGET (windows[i]));
      clinic_test_assert_all_named (GTK_WIDGET (windows[i]), FALSE);
      gtk_window_destroy (windows[i]);
    }
  clinic_test_spin (20);
  g_clear_object (&admin);
  g_clear_object (&db);
  clinic_test_remove_tree (folder);
}

/* The Rooms window, with an active and a retired room: every row's name
 * field and buttons say which room they belong to. */
static void
test_rooms_window (void)
{
  const ClinicCredentials creds = { "admin", "quiet river under old stone", NULL, &CLINIC_KDF_LIMITS_TEST };
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (dir, "rooms.db", NULL);
  g_autofree char *recovery = NULL;
  g_autoptr(ClinicDb) db = NULL;
  g_autoptr(ClinicSession) admin = NULL;
  GtkWindow *window;

  clinic_keys_allow_test_limits (TRUE);
  db = clinic_db_create (path, "Lindenhof Practice", &creds, &recovery, &error);
  g_assert_no_error (error);
  admin = clinic_session_start (db, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(ClinicRoom) room = clinic_room_new ();

      g_free (room->name);
      room->name = g_strdup (i == 0 ? "Room 1" : "Old store");
      room->active = i == 0;
      g_assert_cmpint (clinic_rooms_save (admin, room, &error), >, 0);
      g_assert_no_error (error);
    }
  window = clinic_rooms_window_new (NULL, admin);
  gtk_window_present (window);
  clinic_test_wait_for_draw (GTK_WIDGET (window));
  clinic_test_assert_all_named (GTK_WIDGET (window), FALSE);
  gtk_window_destroy (window);
  clinic_test_spin (20);
}

/* The check itself can fail: an icon-only button with no name is caught,
 * and the same button with a name passes. */
static void
test_check_catches_unnamed (void)
{
  if (g_test_subprocess ())
    {
      GtkWidget *window = gtk_window_new ();
      GtkWidget *button = gtk_button_new_from_icon_name ("list-add-symbolic");

      gtk_window_set_child (GTK_WINDOW (window), button);
      gtk_window_present (GTK_WINDOW (window));
      clinic_test_wait_for_draw (window);
      clinic_test_assert_all_named (window, FALSE);
      return;
    }

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr ("*without an accessible name*GtkButton*");
}

static void
test_check_accepts_named (void)
{
  GtkWidget *window = gtk_window_new ();
  GtkWidget *button = gtk_button_new_from_icon_name ("list-add-symbolic");

  gtk_accessible_update_property (GTK_ACCESSIBLE (button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, "Add",
                                  -1);
  gtk_window_set_child (GTK_WINDOW (window), button);
  gtk_window_present (GTK_WINDOW (window));
  clinic_test_wait_for_draw (window);
  clinic_test_assert_all_named (window, FALSE);
  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *database = NULL;
  int status;

  clinic_test_ui_init (&argc, &argv);

  dir = g_dir_make_tmp ("clinic-a11y-XXXXXX", NULL);
  database = g_build_filename (dir, "clinic.db", NULL);
  app = clinic_test_app_new (database);

  g_test_add_func ("/a11y/check-catches-unnamed", test_check_catches_unnamed);
  g_test_add_func ("/a11y/check-accepts-named", test_check_accepts_named);
  g_test_add_func ("/a11y/main-window", test_main_window);
  g_test_add_func ("/a11y/sign-in-page", test_sign_in_page_alone);
  g_test_add_func ("/a11y/shortcuts-window", test_shortcuts_window);
  g_test_add_func ("/a11y/about-window", test_about_window);
  g_test_add_func ("/a11y/schedule-windows", test_schedule_windows);
  g_test_add_func ("/a11y/rooms-window", test_rooms_window);

  status = g_test_run ();

  gtk_window_destroy (gtk_application_get_active_window (GTK_APPLICATION (app)));
  clinic_test_spin (20);
  g_object_unref (app);
  clinic_test_remove_tree (dir);
  g_free (dir);

  return status;
}
