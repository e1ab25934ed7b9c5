/* test-i18n.c — with LANGUAGE=de the window speaks German
 *
 * meson runs this with LANGUAGE=de and CLINIC_LOCALEDIR pointing at the
 * translations built in the tree.
 */

#include "config.h"

#include <glib/gstdio.h>

#include <glib/gi18n.h>

#include "clinic-sign-in-page.h"
#include "clinic-test-ui.h"
#include "clinic-window.h"

static void
test_german_window (void)
{
  g_autofree char *dir = g_dir_make_tmp ("clinic-i18n-XXXXXX", NULL);
  g_autofree char *database = g_build_filename (dir, "clinic.db", NULL);
  ClinicApplication *app = clinic_test_app_new (database);
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (app));
  GtkWidget *page = clinic_test_find_widget (GTK_WIDGET (window), CLINIC_TYPE_SIGN_IN_PAGE);
  GtkWidget *button = clinic_test_find_button (page, "sign-in.submit");
  GtkWidget *row = clinic_test_find_widget (page, ADW_TYPE_PASSWORD_ENTRY_ROW);
  GtkWidget *user_row = clinic_test_find_widget (page, ADW_TYPE_ENTRY_ROW);

  g_assert_cmpstr (g_getenv ("LANGUAGE"), ==, "de");

  /* Straight from the catalogue, then as the widgets show it. */
  g_assert_cmpstr (_("Sign In to Clinic"), ==, "Bei Clinic anmelden");
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (button)), ==, "_Anmelden");
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (user_row)), ==, "Benutzername");
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), ==, "Passwort");

  gtk_editable_set_text (GTK_EDITABLE (user_row), "empfang");
  gtk_editable_set_text (GTK_EDITABLE (row), "geheim");
  gtk_widget_activate_action (page, "sign-in.submit", NULL);
  g_assert_true (g_str_has_prefix (clinic_sign_in_page_get_error (CLINIC_SIGN_IN_PAGE (page)),
                                   "Unter »"));

  clinic_test_wait_for_draw (GTK_WIDGET (window));
  g_free (clinic_test_save_screenshot (GTK_WIDGET (window), "window-sign-in-de"));

  g_object_add_weak_pointer (G_OBJECT (window), (gpointer *) &window);
  gtk_window_destroy (window);
  clinic_test_spin (20);
  g_assert_null (window);
  g_object_unref (app);
  g_rmdir (dir);
}

int
main (int   argc,
      char *argv[])
{
  clinic_test_ui_init (&argc, &argv);

  g_test_add_func ("/i18n/german-window", test_german_window);

  return g_test_run ();
}
