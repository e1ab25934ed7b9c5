/* test-window.c — the application starts, shows its window and behaves */

#include "config.h"

#include <glib/gstdio.h>

#include <glib/gi18n.h>

#include "clinic-keys.h"
#include "clinic-session.h"
#include "clinic-sign-in-page.h"
#include "clinic-test-ui.h"
#include "clinic-window.h"

/* One application per process: a second one could not export itself on
 * the session bus while the first is alive. Each test gets a new window. */
static ClinicApplication *app;

typedef struct
{
  char              *dir;
  char              *database;
  ClinicApplication *app;
  ClinicWindow      *window;
} Fixture;

/* A database to sign in to (with cheap Argon2id for tests), so the
 * window starts on the sign-in page rather than the set-up assistant. */
static void
make_database (const char *path)
{
  ClinicKdfLimits limits = CLINIC_KDF_LIMITS_TEST;
  ClinicCredentials admin = { "anna", "Quiet-Harbor-Lantern-42", NULL, &limits };
  g_autoptr(GError) error = NULL;
  g_autoptr(ClinicDb) db = NULL;
  char *key = NULL;

  db = clinic_db_create (path, "Praxis am Markt", &admin, &key, &error);
  g_assert_no_error (error);
  g_free (key);
}

static void
remove_tree (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  if (d == NULL)
    return;
  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        remove_tree (path);
      else
        g_unlink (path);
    }
  g_rmdir (dir);
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("clinic-window-XXXXXX", &error);
  g_assert_no_error (error);
  f->database = g_build_filename (f->dir, "clinic.db", NULL);
  make_database (f->database);
  clinic_application_set_db (app, NULL);
  clinic_application_set_database_path (app, f->database);
  f->app = g_object_ref (app);
  g_application_activate (G_APPLICATION (app));
  f->window = CLINIC_WINDOW (gtk_application_get_active_window (GTK_APPLICATION (f->app)));
  g_assert_true (CLINIC_IS_WINDOW (f->window));
  g_object_add_weak_pointer (G_OBJECT (f->window), (gpointer *) &f->window);
  clinic_test_wait_for_draw (GTK_WIDGET (f->window));
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  if (f->window != NULL)
    gtk_window_destroy (GTK_WINDOW (f->window));
  clinic_test_spin (50);
  /* The window and everything in it is released. */
  g_assert_null (f->window);
  g_object_unref (f->app);
  clinic_application_set_db (app, NULL);
  remove_tree (f->dir);
  g_free (f->database);
  g_free (f->dir);
}

static ClinicSignInPage *
sign_in_page (Fixture *f)
{
  GtkWidget *page = clinic_test_find_widget (GTK_WIDGET (f->window), CLINIC_TYPE_SIGN_IN_PAGE);

  g_assert_nonnull (page);
  return CLINIC_SIGN_IN_PAGE (page);
}

static GtkWidget *
find_by_title (GtkWidget  *root,
               GType       type,
               const char *title)
{
  if (g_type_is_a (G_OBJECT_TYPE (root), type) &&
      g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (root)), title) == 0)
    return root;

  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_by_title (child, type, title);

      if (found != NULL)
        return found;
    }

  return NULL;
}

static void
test_window_presents_sign_in (Fixture       *f,
                              gconstpointer  data)
{
  g_autofree char *png = NULL;
  GtkWidget *page = GTK_WIDGET (sign_in_page (f));
  GtkWidget *button = clinic_test_find_button (page, "sign-in.submit");
  int width, height;

  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (f->window)), ==, "Clinic");
  g_assert_cmpstr (clinic_window_get_visible_page (f->window), ==, "sign-in");
  g_assert_true (gtk_widget_get_mapped (page));
  g_assert_true (adw_application_window_get_content (ADW_APPLICATION_WINDOW (f->window)) != NULL);
  g_assert_true (gtk_application_get_active_window (GTK_APPLICATION (f->app)) == GTK_WINDOW (f->window));

  /* The size comes from the schema's defaults on a new PC. */
  gtk_window_get_default_size (GTK_WINDOW (f->window), &width, &height);
  g_assert_cmpint (width, ==, 1180);
  g_assert_cmpint (height, ==, 760);

  /* The form: two named fields and a button that starts disabled. */
  g_assert_nonnull (find_by_title (page, ADW_TYPE_ENTRY_ROW, "User Name"));
  g_assert_nonnull (find_by_title (page, ADW_TYPE_PASSWORD_ENTRY_ROW, "Password"));
  g_assert_nonnull (button);
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (button)), ==, "_Sign In");
  g_assert_false (gtk_widget_get_sensitive (button));
  g_assert_null (clinic_sign_in_page_get_error (sign_in_page (f)));

  /* Typing starts in the user name field. */
  {
    GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (f->window));
    GtkWidget *user = find_by_title (page, ADW_TYPE_ENTRY_ROW, "User Name");

    g_assert_nonnull (focus);
    g_assert_true (focus == user || gtk_widget_is_ancestor (focus, user));
  }

  png = clinic_test_save_screenshot (GTK_WIDGET (f->window), "window-sign-in");
  g_assert_true (g_file_test (png, G_FILE_TEST_IS_REGULAR));
}

static void
test_sign_in_form_flow (Fixture       *f,
                        gconstpointer  data)
{
  GtkWidget *page = GTK_WIDGET (sign_in_page (f));
  GtkWidget *user = find_by_title (page, ADW_TYPE_ENTRY_ROW, "User Name");
  GtkWidget *password = find_by_title (page, ADW_TYPE_PASSWORD_ENTRY_ROW, "Password");
  GtkWidget *button = clinic_test_find_button (page, "sign-in.submit");
  const char *error;

  /* A name of blanks does not count as a name. */
  clinic_test_type (user, "   ");
  clinic_test_type (password, "secret password");
  g_assert_false (gtk_widget_get_sensitive (button));

  clinic_test_type (user, "reception");
  g_assert_true (gtk_widget_get_sensitive (button));

  /* Enter in the user field moves to the password field. */
  gtk_widget_grab_focus (user);
  g_signal_emit_by_name (user, "entry-activated");
  g_assert_true (gtk_widget_is_ancestor (gtk_root_get_focus (GTK_ROOT (f->window)), password) ||
                 gtk_root_get_focus (GTK_ROOT (f->window)) == password);

  /* Enter in the password field signs in: the database opens in a worker
   * thread meanwhile the form waits; a wrong password gets one inline
   * message, and the password is cleared. */
  g_signal_emit_by_name (password, "entry-activated");
  g_assert_true (clinic_sign_in_page_get_busy (sign_in_page (f)));
  g_assert_false (gtk_widget_get_sensitive (button));
  {
    gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

    while (clinic_sign_in_page_get_busy (sign_in_page (f)) && g_get_monotonic_time () < deadline)
      g_main_context_iteration (NULL, TRUE);
  }
  error = clinic_sign_in_page_get_error (sign_in_page (f));
  g_assert_cmpstr (error, ==, "The user name or password is not right.");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (password)), ==, "");
  g_assert_false (gtk_widget_get_sensitive (button));

  {
    GtkRevealer *revealer = GTK_REVEALER (clinic_test_find_widget (page, GTK_TYPE_REVEALER));
    gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

    while (!gtk_revealer_get_child_revealed (revealer) && g_get_monotonic_time () < deadline)
      g_main_context_iteration (NULL, TRUE);
    g_assert_true (gtk_revealer_get_child_revealed (revealer));
  }
  clinic_test_wait_for_draw (GTK_WIDGET (f->window));
  g_free (clinic_test_save_screenshot (GTK_WIDGET (f->window), "window-sign-in-error"));
}

static void
test_window_size_saved (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GSettings) settings = g_settings_new (APPLICATION_ID);

  gtk_window_set_default_size (GTK_WINDOW (f->window), 900, 640);
  gtk_window_close (GTK_WINDOW (f->window));
  clinic_test_spin (50);
  g_assert_null (f->window);

  g_assert_cmpint (g_settings_get_int (settings, "window-width"), ==, 900);
  g_assert_cmpint (g_settings_get_int (settings, "window-height"), ==, 640);
  g_assert_false (g_settings_get_boolean (settings, "window-maximized"));
}

static void
test_about_window (Fixture       *f,
                   gconstpointer  data)
{
  GtkWindow *about;

  g_action_group_activate_action (G_ACTION_GROUP (f->app), "about", NULL);
  about = clinic_test_find_toplevel (ADW_TYPE_ABOUT_WINDOW);
  g_assert_nonnull (about);
  g_assert_cmpstr (adw_about_window_get_version (ADW_ABOUT_WINDOW (about)), ==, PACKAGE_VERSION);
  g_assert_cmpstr (adw_about_window_get_application_name (ADW_ABOUT_WINDOW (about)), ==, "Clinic");
  g_assert_true (gtk_window_get_transient_for (about) == GTK_WINDOW (f->window));
  clinic_test_wait_for_draw (GTK_WIDGET (about));
  g_free (clinic_test_save_screenshot (GTK_WIDGET (about), "about"));
  gtk_window_destroy (about);
}

static void
collect_shortcuts (GtkWidget *root,
                   GPtrArray *actions,
                   GPtrArray *accels)
{
  if (GTK_IS_SHORTCUTS_SHORTCUT (root))
    {
      g_autofree char *action = NULL;
      g_autofree char *accel = NULL;

      g_object_get (root, "action-name", &action, "accelerator", &accel, NULL);
      if (action != NULL)
        g_ptr_array_add (actions, g_steal_pointer (&action));
      if (accel != NULL)
        g_ptr_array_add (accels, g_steal_pointer (&accel));
    }

  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_shortcuts (child, actions, accels);
}

static void
test_shortcuts_window_lists_every_shortcut (Fixture       *f,
                                            gconstpointer  data)
{
  g_autoptr(GPtrArray) actions = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) accels = g_ptr_array_new_with_free_func (g_free);
  g_auto(GStrv) described = NULL;
  GtkShortcutsWindow *overlay;

  overlay = gtk_application_window_get_help_overlay (GTK_APPLICATION_WINDOW (f->window));
  g_assert_nonnull (overlay);

  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.show-help-overlay", NULL);
  clinic_test_wait_for_draw (GTK_WIDGET (overlay));
  g_free (clinic_test_save_screenshot (GTK_WIDGET (overlay), "shortcuts"));

  collect_shortcuts (GTK_WIDGET (overlay), actions, accels);
  g_assert_cmpuint (actions->len + accels->len, >, 0);

  /* Every accelerator the application sets has its row. */
  described = gtk_application_list_action_descriptions (GTK_APPLICATION (f->app));
  g_assert_cmpuint (g_strv_length (described), >, 0);
  for (guint i = 0; described[i] != NULL; i++)
    {
      g_auto(GStrv) set = gtk_application_get_accels_for_action (GTK_APPLICATION (f->app),
                                                                 described[i]);
      gboolean listed = FALSE;

      if (set == NULL || set[0] == NULL)
        continue;
      for (guint k = 0; k < actions->len && !listed; k++)
        listed = g_str_equal (g_ptr_array_index (actions, k), described[i]);
      if (!listed)
        g_error ("The shortcut for “%s” is not in the shortcuts window", described[i]);
    }

  /* Ctrl+? opens it, as the window says. */
  {
    g_auto(GStrv) set = gtk_application_get_accels_for_action (GTK_APPLICATION (f->app),
                                                               "win.show-help-overlay");
    g_assert_cmpstr (set[0], ==, "<Control>question");
  }

  gtk_window_close (GTK_WINDOW (overlay));
}

static void
test_action_quit (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GSettings) settings = g_settings_new (APPLICATION_ID);

  gtk_window_set_default_size (GTK_WINDOW (f->window), 1000, 700);
  g_action_group_activate_action (G_ACTION_GROUP (f->app), "quit", NULL);
  clinic_test_spin (50);
  /* Quitting closes the window through its close request, so the size is
   * kept for the next start. */
  g_assert_null (f->window);
  g_assert_cmpint (g_settings_get_int (settings, "window-width"), ==, 1000);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  clinic_test_ui_init (&argc, &argv);
  clinic_keys_allow_test_limits (TRUE);
  app = clinic_application_new ();
  g_application_set_flags (G_APPLICATION (app),
                           G_APPLICATION_HANDLES_COMMAND_LINE | G_APPLICATION_NON_UNIQUE);
  g_assert_true (g_application_register (G_APPLICATION (app), NULL, NULL));

  g_test_add ("/window/presents-sign-in", Fixture, NULL,
              fixture_set_up, test_window_presents_sign_in, fixture_tear_down);
  g_test_add ("/window/sign-in-form-flow", Fixture, NULL,
              fixture_set_up, test_sign_in_form_flow, fixture_tear_down);
  g_test_add ("/window/size-saved", Fixture, NULL,
              fixture_set_up, test_window_size_saved, fixture_tear_down);
  g_test_add ("/window/about", Fixture, NULL,
              fixture_set_up, test_about_window, fixture_tear_down);
  g_test_add ("/window/shortcuts-window", Fixture, NULL,
              fixture_set_up, test_shortcuts_window_lists_every_shortcut, fixture_tear_down);
  g_test_add ("/window/quit", Fixture, NULL,
              fixture_set_up, test_action_quit, fixture_tear_down);

  status = g_test_run ();
  g_object_unref (app);

  return status;
}
