/* test-sign-in.c — the window's flows around the encrypted database
 *
 * Set-up assistant, sign-in and lock-out, locking (by hand, when idle,
 * with the desktop), switching user, signing out and the patient kiosk,
 * through the real window on a real database. Databases are made with
 * Argon2id test limits (clinic_keys_allow_test_limits), and the
 * application is told to use them for the slots it writes.
 */

#include "config.h"

#include <glib/gstdio.h>

#include "clinic-db.h"
#include "clinic-keys.h"
#include "clinic-patients-section.h"
#include "clinic-registration-form.h"
#include "clinic-registrations-window.h"
#include "clinic-session.h"
#include "clinic-setup-assistant.h"
#include "clinic-shell.h"
#include "clinic-sign-in-page.h"
#include "clinic-test-ui.h"
#include "clinic-users.h"
#include "clinic-window.h"

#define ANNA_PASSWORD  "Quiet-Harbor-Lantern-42"
#define BEN_PASSWORD   "Velvet-Compass-Orchard-77"
#define DORA_PASSWORD  "Granite-Meadow-Sparrow-19"
#define PAULA_PASSWORD "Amber-Tidal-Violin-58"

#define ROLE_DOCTOR     2
#define ROLE_FRONT_DESK 3
#define ROLE_PATIENT    4

static ClinicApplication *app;

typedef struct
{
  char              *dir;
  char              *database;
  ClinicWindow      *window;
} Fixture;

/* --- Helpers ----------------------------------------------------------- */

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

static GtkWidget *
find_with_class (GtkWidget  *root,
                 const char *css_class)
{
  if (gtk_widget_has_css_class (root, css_class))
    return root;

  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_with_class (child, css_class);

      if (found != NULL)
        return found;
    }

  return NULL;
}

static gint64 fake_now;
/* The recovery key of the last database made here. */
static char *last_recovery_key;

static gint64
fake_clock (void)
{
  return fake_now;
}

static void
make_database (const char *path)
{
  ClinicKdfLimits limits = CLINIC_KDF_LIMITS_TEST;
  ClinicCredentials admin = { "anna", ANNA_PASSWORD, NULL, &limits };
  g_autoptr(GError) error = NULL;
  g_autoptr(ClinicDb) db = NULL;
  g_autoptr(ClinicSession) session = NULL;
  char *key = NULL;

  db = clinic_db_create (path, "Praxis am Markt", &admin, &key, &error);
  g_assert_no_error (error);
  g_free (last_recovery_key);
  last_recovery_key = key;

  session = clinic_session_start (db, &error);
  g_assert_no_error (error);
  clinic_users_set_display_name (session, clinic_session_get_user_id (session), "Anna Berg",
                                 &error);
  g_assert_no_error (error);
  clinic_users_create (session, "ben", "Ben Keller", CLINIC_USER_STAFF, ROLE_FRONT_DESK,
                       BEN_PASSWORD, &limits, &error);
  g_assert_no_error (error);
  clinic_users_create (session, "dora", "Dora Lind", CLINIC_USER_STAFF, ROLE_DOCTOR,
                       DORA_PASSWORD, &limits, &error);
  g_assert_no_error (error);
  clinic_users_create (session, "paula", "Paula Meier", CLINIC_USER_PATIENT, ROLE_PATIENT,
                       PAULA_PASSWORD, &limits, &error);
  g_assert_no_error (error);
  clinic_session_sign_out (session);
}

static void
open_window (Fixture *f)
{
  clinic_application_set_db (app, NULL);
  clinic_application_set_database_path (app, f->database);
  g_application_activate (G_APPLICATION (app));
  f->window = CLINIC_WINDOW (gtk_application_get_active_window (GTK_APPLICATION (app)));
  g_assert_true (CLINIC_IS_WINDOW (f->window));
  g_object_add_weak_pointer (G_OBJECT (f->window), (gpointer *) &f->window);
  clinic_test_wait_for_draw (GTK_WIDGET (f->window));
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("clinic-sign-in-XXXXXX", &error);
  g_assert_no_error (error);
  f->database = g_build_filename (f->dir, "clinic.db", NULL);
  if (data == NULL)
    make_database (f->database);
  open_window (f);
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
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  if (f->window != NULL)
    gtk_window_destroy (GTK_WINDOW (f->window));
  clinic_test_spin (50);
  g_assert_null (f->window);
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

static void
wait_until_idle (ClinicSignInPage *page)
{
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

  while (clinic_sign_in_page_get_busy (page) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (clinic_sign_in_page_get_busy (page));
}

/* Types @user and @password into the page and presses Enter. */
static void
sign_in (Fixture    *f,
         const char *user,
         const char *password)
{
  GtkWidget *page = GTK_WIDGET (sign_in_page (f));
  GtkWidget *user_row = find_by_title (page, ADW_TYPE_ENTRY_ROW, "User Name");
  GtkWidget *password_row = find_by_title (page, ADW_TYPE_PASSWORD_ENTRY_ROW, "Password");

  if (user != NULL)
    clinic_test_type (user_row, user);
  clinic_test_type (password_row, password);
  g_signal_emit_by_name (password_row, "entry-activated");
  wait_until_idle (CLINIC_SIGN_IN_PAGE (page));
}

static void
assert_shell_of (Fixture    *f,
                 const char *user)
{
  GtkWidget *shell = clinic_window_get_shell (f->window);

  g_assert_cmpstr (clinic_window_get_visible_page (f->window), ==, "shell");
  g_assert_nonnull (shell);
  g_assert_true (CLINIC_IS_SHELL (shell));
  g_assert_cmpstr (clinic_session_get_user_name (clinic_shell_get_session (CLINIC_SHELL (shell))),
                   ==, user);
  clinic_test_wait_for_draw (shell);
}

static void
save (Fixture    *f,
      const char *name)
{
  clinic_test_wait_for_draw (GTK_WIDGET (f->window));
  clinic_test_spin (300);
  g_free (clinic_test_save_screenshot (GTK_WIDGET (f->window), name));
}

/* --- Set-up assistant -------------------------------------------------- */

static void
wait_assistant (ClinicSetupAssistant *assistant)
{
  gint64 deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;

  while (clinic_setup_assistant_get_busy (assistant) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (clinic_setup_assistant_get_busy (assistant));
}

static void
test_setup_assistant (Fixture       *f,
                      gconstpointer  data)
{
  GtkWidget *assistant_widget;
  ClinicSetupAssistant *assistant;
  GtkWidget *next;
  GtkWidget *key_label;
  g_auto(GStrv) groups = NULL;
  g_autofree char *key_text = NULL;
  guint n_groups = 0;
  guint check;

  g_assert_cmpstr (clinic_window_get_visible_page (f->window), ==, "setup");
  assistant_widget = clinic_test_find_widget (GTK_WIDGET (f->window), CLINIC_TYPE_SETUP_ASSISTANT);
  g_assert_nonnull (assistant_widget);
  assistant = CLINIC_SETUP_ASSISTANT (assistant_widget);
  next = clinic_test_find_button (assistant_widget, "setup.next");
  g_assert_nonnull (next);

  /* Step 1: the clinic. Next waits for a name. */
  g_assert_cmpstr (clinic_setup_assistant_get_step (assistant), ==, "clinic");
  g_assert_false (gtk_widget_get_sensitive (next));
  clinic_test_assert_all_named (GTK_WIDGET (f->window), TRUE);
  clinic_test_type (find_by_title (assistant_widget, ADW_TYPE_ENTRY_ROW, "Clinic Name"),
                    "Praxis am Markt");
  clinic_test_type (find_by_title (assistant_widget, ADW_TYPE_ENTRY_ROW, "Address"),
                    "Marktplatz 3, 79098 Freiburg");
  clinic_test_type (find_by_title (assistant_widget, ADW_TYPE_ENTRY_ROW, "Phone"),
                    "+49 761 123456");
  g_assert_true (gtk_widget_get_sensitive (next));
  save (f, "setup-1-clinic");
  gtk_widget_activate_action (assistant_widget, "setup.next", NULL);

  /* Step 2: money and time; a zone GLib does not know is refused. */
  g_assert_cmpstr (clinic_setup_assistant_get_step (assistant), ==, "locale");
  clinic_test_assert_all_named (GTK_WIDGET (f->window), TRUE);
  clinic_test_type (find_by_title (assistant_widget, ADW_TYPE_ENTRY_ROW, "Time Zone"),
                    "Mars/Olympus");
  gtk_widget_activate_action (assistant_widget, "setup.next", NULL);
  g_assert_cmpstr (clinic_setup_assistant_get_step (assistant), ==, "locale");
  g_assert_nonnull (clinic_setup_assistant_get_error (assistant));
  clinic_test_type (find_by_title (assistant_widget, ADW_TYPE_ENTRY_ROW, "Time Zone"),
                    "Europe/Berlin");
  save (f, "setup-2-locale");
  gtk_widget_activate_action (assistant_widget, "setup.next", NULL);

  /* Step 3: the administrator; the password policy answers inline. */
  g_assert_cmpstr (clinic_setup_assistant_get_step (assistant), ==, "administrator");
  clinic_test_assert_all_named (GTK_WIDGET (f->window), TRUE);
  clinic_test_type (find_by_title (assistant_widget, ADW_TYPE_ENTRY_ROW, "User Name"), "anna");
  clinic_test_type (find_by_title (assistant_widget, ADW_TYPE_ENTRY_ROW, "Full Name"), "Anna Berg");
  clinic_test_type (find_by_title (assistant_widget, ADW_TYPE_PASSWORD_ENTRY_ROW, "Password"),
                    "short");
  clinic_test_type (find_by_title (assistant_widget, ADW_TYPE_PASSWORD_ENTRY_ROW,
                                   "Repeat the Password"), "short");
  gtk_widget_activate_action (assistant_widget, "setup.next", NULL);
  g_assert_cmpstr (clinic_setup_assistant_get_step (assistant), ==, "administrator");
  g_assert_nonnull (clinic_setup_assistant_get_error (assistant));
  save (f, "setup-3-administrator-error");

  clinic_test_type (find_by_title (assistant_widget, ADW_TYPE_PASSWORD_ENTRY_ROW, "Password"),
                    ANNA_PASSWORD);
  clinic_test_type (find_by_title (assistant_widget, ADW_TYPE_PASSWORD_ENTRY_ROW,
                                   "Repeat the Password"), ANNA_PASSWORD "x");
  gtk_widget_activate_action (assistant_widget, "setup.next", NULL);
  g_assert_cmpstr (clinic_setup_assistant_get_error (assistant), ==,
                   "The two passwords are not the same.");

  clinic_test_type (find_by_title (assistant_widget, ADW_TYPE_PASSWORD_ENTRY_ROW,
                                   "Repeat the Password"), ANNA_PASSWORD);
  gtk_widget_activate_action (assistant_widget, "setup.next", NULL);
  g_assert_true (clinic_setup_assistant_get_busy (assistant));
  wait_assistant (assistant);
  g_assert_null (clinic_setup_assistant_get_error (assistant));
  g_assert_true (g_file_test (f->database, G_FILE_TEST_EXISTS));

  /* Step 4: the recovery key, 14 groups, and one of them typed back. */
  g_assert_cmpstr (clinic_setup_assistant_get_step (assistant), ==, "recovery-key");
  key_label = find_with_class (assistant_widget, "recovery-key");
  g_assert_nonnull (key_label);
  key_text = g_strdup (gtk_label_get_text (GTK_LABEL (key_label)));
  groups = g_regex_split_simple ("\\s+", key_text, 0, 0);
  for (guint i = 0; groups[i] != NULL; i++)
    if (groups[i][0] != '\0')
      {
        g_assert_cmpuint (strlen (groups[i]), ==, CLINIC_RECOVERY_KEY_GROUP_CHARS);
        n_groups++;
      }
  g_assert_cmpuint (n_groups, ==, CLINIC_RECOVERY_KEY_N_GROUPS);
  save (f, "setup-4-recovery-key");
  clinic_test_assert_all_named (GTK_WIDGET (f->window), TRUE);

  check = clinic_setup_assistant_get_check_group (assistant);
  {
    g_autofree char *right = NULL;
    g_autofree char *group_title = g_strdup_printf ("Group %u", check + 1);
    GtkWidget *row = find_by_title (assistant_widget, ADW_TYPE_ENTRY_ROW, group_title);
    g_auto(GStrv) clean = NULL;

    g_assert_nonnull (row);
    /* Two groups can only be equal by a 1 in 2^20 chance. */
    clinic_test_type (row, "00000");
    gtk_widget_activate_action (assistant_widget, "setup.finish", NULL);
    g_assert_nonnull (clinic_setup_assistant_get_error (assistant));
    g_assert_cmpstr (clinic_window_get_visible_page (f->window), ==, "setup");
    save (f, "setup-5-recovery-key-wrong-group");

    /* Lower case is fine: the key is read as a person types it. */
    clean = g_regex_split_simple ("\\s+", key_text, 0, 0);
    for (guint i = 0, n = 0; clean[i] != NULL; i++)
      if (clean[i][0] != '\0' && n++ == check)
        right = g_ascii_strdown (clean[i], -1);
    clinic_test_type (row, right);
    g_signal_emit_by_name (row, "entry-activated");
  }

  /* The administrator is signed in and sees their view. */
  assert_shell_of (f, "anna");
  g_assert_nonnull (clinic_application_get_db (app));
  g_assert_false (clinic_application_get_privacy_mode (app));
  g_assert_cmpstr (clinic_session_get_display_name (clinic_window_get_session (f->window)), ==,
                   "Anna Berg");
  save (f, "setup-6-signed-in");
}

/* --- Sign-in ----------------------------------------------------------- */

static void
test_wrong_password_then_lockout (Fixture       *f,
                                  gconstpointer  data)
{
  ClinicSignInPage *page = sign_in_page (f);
  GtkWidget *button = clinic_test_find_button (GTK_WIDGET (page), "sign-in.submit");
  const char *error;

  g_assert_cmpstr (clinic_window_get_visible_page (f->window), ==, "sign-in");
  g_assert_true (clinic_application_get_privacy_mode (app));

  sign_in (f, "anna", "not the password");
  g_assert_cmpstr (clinic_sign_in_page_get_error (page), ==, "The user name or password is not right.");
  g_assert_null (clinic_application_get_db (app));

  /* An unknown name gets the same words. */
  sign_in (f, "nobody", "not the password");
  g_assert_cmpstr (clinic_sign_in_page_get_error (page), ==, "The user name or password is not right.");
  save (f, "sign-in-wrong-password");

  for (guint i = 0; i < 4; i++)
    sign_in (f, "anna", "still not the password");

  error = clinic_sign_in_page_get_error (page);
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error, "Try again in 15 minutes."));
  /* The button waits too, even with a password typed. */
  clinic_test_type (find_by_title (GTK_WIDGET (page), ADW_TYPE_PASSWORD_ENTRY_ROW, "Password"),
                    ANNA_PASSWORD);
  g_assert_false (gtk_widget_get_sensitive (button));
  save (f, "sign-in-locked-out");

  /* Another name is not held up. */
  clinic_test_type (find_by_title (GTK_WIDGET (page), ADW_TYPE_ENTRY_ROW, "User Name"), "ben");
  g_assert_true (gtk_widget_get_sensitive (button));
  g_assert_null (clinic_sign_in_page_get_error (page));
}

static void
test_sign_in_lock_unlock (Fixture       *f,
                          gconstpointer  data)
{
  ClinicSignInPage *page = sign_in_page (f);
  g_autoptr(ClinicSession) locked = NULL;
  g_autofree char *section = NULL;
  GtkWidget *shell;
  const char *const *sections;
  const char *other_section = NULL;

  sign_in (f, "anna", ANNA_PASSWORD);
  g_assert_null (clinic_sign_in_page_get_error (page));
  assert_shell_of (f, "anna");
  g_assert_nonnull (clinic_application_get_db (app));
  g_assert_false (clinic_application_get_privacy_mode (app));

  shell = clinic_window_get_shell (f->window);
  sections = clinic_shell_get_sections (CLINIC_SHELL (shell));
  g_assert_nonnull (sections[0]);
  other_section = sections[1] != NULL ? sections[1] : sections[0];
  clinic_shell_set_section (CLINIC_SHELL (shell), other_section);
  section = g_strdup (other_section);
  locked = g_object_ref (clinic_shell_get_session (CLINIC_SHELL (shell)));
  g_object_add_weak_pointer (G_OBJECT (shell), (gpointer *) &shell);
  save (f, "shell-anna");

  /* Ctrl+L is the shortcut; the action is what it runs. */
  {
    g_auto(GStrv) accels = gtk_application_get_accels_for_action (GTK_APPLICATION (app), "win.lock");

    g_assert_cmpstr (accels[0], ==, "<Control>l");
  }
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.lock", NULL);
  g_assert_true (clinic_window_get_locked (f->window));
  g_assert_cmpstr (clinic_window_get_visible_page (f->window), ==, "sign-in");
  clinic_test_wait_for_draw (GTK_WIDGET (page));
  /* Nothing of the view is left behind the lock, not even hidden. */
  g_assert_null (shell);
  g_assert_null (clinic_window_get_shell (f->window));
  g_assert_true (clinic_application_get_privacy_mode (app));
  g_assert_cmpint (clinic_sign_in_page_get_mode (page), ==, CLINIC_SIGN_IN_MODE_LOCKED);
  g_assert_nonnull (clinic_application_get_db (app));
  /* The page says who is behind the lock, and the name is filled in. */
  g_assert_nonnull (find_with_class (GTK_WIDGET (page), "title-1"));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (find_by_title (GTK_WIDGET (page),
                                                                        ADW_TYPE_ENTRY_ROW,
                                                                        "User Name"))), ==, "anna");
  clinic_test_assert_all_named (GTK_WIDGET (f->window), TRUE);
  save (f, "locked");

  sign_in (f, NULL, "wrong");
  g_assert_cmpstr (clinic_sign_in_page_get_error (page), ==, "The user name or password is not right.");
  {
    g_autoptr(GError) error = NULL;

    /* Behind the lock the session acts no more: a dialog left open could
     * not use it. */
    g_assert_false (clinic_session_require (locked, CLINIC_PERMISSION_USERS, &error));
    g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_SIGNED_OUT);

    sign_in (f, NULL, ANNA_PASSWORD);
    g_assert_false (clinic_window_get_locked (f->window));
    /* A view built afresh for a new session (the role may have changed
     * meanwhile), on the section that was open; the old session ended. */
    shell = clinic_window_get_shell (f->window);
    assert_shell_of (f, "anna");
    g_assert_cmpstr (clinic_shell_get_section (CLINIC_SHELL (shell)), ==, section);
    g_assert_false (clinic_session_is_active (locked));
    g_assert_true (clinic_session_is_active (clinic_shell_get_session (CLINIC_SHELL (shell))));
  }
  g_assert_false (clinic_application_get_privacy_mode (app));
}

static void
test_idle_lock (Fixture       *f,
                gconstpointer  data)
{
  fake_now = 1000 * G_USEC_PER_SEC;
  clinic_window_set_idle_clock_for_testing (f->window, fake_clock);

  sign_in (f, "anna", ANNA_PASSWORD);
  assert_shell_of (f, "anna");

  /* Default: 5 idle minutes. Just under is not enough. */
  fake_now += 5 * 60 * G_USEC_PER_SEC - G_USEC_PER_SEC;
  g_assert_false (clinic_window_check_idle (f->window));
  g_assert_false (clinic_window_get_locked (f->window));

  fake_now += 2 * G_USEC_PER_SEC;
  g_assert_true (clinic_window_check_idle (f->window));
  g_assert_true (clinic_window_get_locked (f->window));
  g_assert_cmpstr (clinic_window_get_visible_page (f->window), ==, "sign-in");
  clinic_window_set_idle_clock_for_testing (f->window, NULL);
}

static void
test_desktop_lock (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDBusConnection) screensaver = NULL;
  g_autofree char *address = NULL;
  g_autoptr(GVariant) reply = NULL;
  gint64 deadline;

  sign_in (f, "anna", ANNA_PASSWORD);
  assert_shell_of (f, "anna");

  /* A stand-in for GNOME's screen saver on a connection of its own. */
  address = g_dbus_address_get_for_bus_sync (G_BUS_TYPE_SESSION, NULL, &error);
  if (address == NULL)
    {
      g_test_skip ("No session bus");
      return;
    }
  screensaver = g_dbus_connection_new_for_address_sync (address,
                                                        G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                                        G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                        NULL, NULL, &error);
  g_assert_no_error (error);
  reply = g_dbus_connection_call_sync (screensaver, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", "RequestName",
                                       g_variant_new ("(su)", "org.gnome.ScreenSaver", 4),
                                       G_VARIANT_TYPE ("(u)"), G_DBUS_CALL_FLAGS_NONE, -1,
                                       NULL, &error);
  g_assert_no_error (error);
  clinic_test_spin (100);

  g_dbus_connection_emit_signal (screensaver, NULL, "/org/gnome/ScreenSaver",
                                 "org.gnome.ScreenSaver", "ActiveChanged",
                                 g_variant_new ("(b)", TRUE), &error);
  g_assert_no_error (error);
  g_dbus_connection_flush_sync (screensaver, NULL, NULL);

  deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
  while (!clinic_window_get_locked (f->window) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, FALSE);
  g_assert_true (clinic_window_get_locked (f->window));
  g_dbus_connection_close_sync (screensaver, NULL, NULL);
}

static void
test_switch_user_and_sign_out (Fixture       *f,
                               gconstpointer  data)
{
  ClinicSignInPage *page = sign_in_page (f);
  ClinicSession *anna;

  sign_in (f, "anna", ANNA_PASSWORD);
  assert_shell_of (f, "anna");
  anna = g_object_ref (clinic_window_get_session (f->window));

  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.switch-user", NULL);
  g_assert_cmpstr (clinic_window_get_visible_page (f->window), ==, "sign-in");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (find_by_title (GTK_WIDGET (page),
                                                                        ADW_TYPE_ENTRY_ROW,
                                                                        "User Name"))), ==, "");
  save (f, "switch-user");
  sign_in (f, "ben", BEN_PASSWORD);
  assert_shell_of (f, "ben");
  g_assert_false (clinic_session_is_active (anna));
  g_object_unref (anna);
  save (f, "shell-ben");

  /* Signing out: back to the sign-in page; the database stays open. */
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.sign-out", NULL);
  g_assert_cmpstr (clinic_window_get_visible_page (f->window), ==, "sign-in");
  g_assert_null (clinic_window_get_session (f->window));
  g_assert_null (clinic_window_get_shell (f->window));
  g_assert_nonnull (clinic_application_get_db (app));
  g_assert_true (clinic_application_get_privacy_mode (app));
  sign_in (f, "anna", ANNA_PASSWORD);
  assert_shell_of (f, "anna");
}

static void
test_kiosk (Fixture       *f,
            gconstpointer  data)
{
  ClinicSignInPage *page = sign_in_page (f);

  sign_in (f, "dora", DORA_PASSWORD);
  assert_shell_of (f, "dora");
  /* A doctor may not start the kiosk. */
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.start-kiosk", NULL);
  g_assert_false (clinic_window_get_kiosk (f->window));

  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.sign-out", NULL);
  sign_in (f, "ben", BEN_PASSWORD);
  assert_shell_of (f, "ben");
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.start-kiosk", NULL);
  g_assert_true (clinic_window_get_kiosk (f->window));
  g_assert_cmpint (clinic_sign_in_page_get_mode (page), ==, CLINIC_SIGN_IN_MODE_KIOSK);
  g_assert_false (gtk_window_get_deletable (GTK_WINDOW (f->window)));
  g_assert_null (clinic_window_get_shell (f->window));
  g_assert_true (clinic_application_get_privacy_mode (app));
  clinic_test_spin (300);
  clinic_test_assert_all_named (GTK_WIDGET (f->window), TRUE);
  save (f, "kiosk-sign-in");

  /* Staff are refused at the kiosk. */
  sign_in (f, "ben", BEN_PASSWORD);
  g_assert_nonnull (clinic_sign_in_page_get_error (page));
  g_assert_nonnull (strstr (clinic_sign_in_page_get_error (page), "kiosk"));
  g_assert_null (clinic_window_get_shell (f->window));

  /* Ctrl+Q and closing the window do nothing. */
  g_assert_false (g_action_group_get_action_enabled (G_ACTION_GROUP (app), "quit"));
  g_action_group_activate_action (G_ACTION_GROUP (app), "quit", NULL);
  gtk_window_close (GTK_WINDOW (f->window));
  clinic_test_spin (50);
  g_assert_nonnull (f->window);
  g_assert_true (clinic_window_get_kiosk (f->window));

  /* A patient signs in, sees their kiosk view, and Done signs them out. */
  sign_in (f, "paula", PAULA_PASSWORD);
  assert_shell_of (f, "paula");
  g_assert_true (clinic_shell_get_kiosk (CLINIC_SHELL (clinic_window_get_shell (f->window))));
  g_assert_true (clinic_application_get_privacy_mode (app));
  save (f, "kiosk-patient");
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.kiosk-done", NULL);
  g_assert_cmpstr (clinic_window_get_visible_page (f->window), ==, "sign-in");
  g_assert_null (clinic_window_get_session (f->window));

  /* Idle at the kiosk signs the patient out too. */
  fake_now = 1000 * G_USEC_PER_SEC;
  clinic_window_set_idle_clock_for_testing (f->window, fake_clock);
  sign_in (f, "paula", PAULA_PASSWORD);
  assert_shell_of (f, "paula");
  /* Default: 2 minutes at the kiosk. */
  fake_now += 90 * G_USEC_PER_SEC;
  g_assert_false (clinic_window_check_idle (f->window));
  fake_now += 31 * G_USEC_PER_SEC;
  g_assert_true (clinic_window_check_idle (f->window));
  g_assert_cmpstr (clinic_window_get_visible_page (f->window), ==, "sign-in");
  g_assert_null (clinic_window_get_session (f->window));
  clinic_window_set_idle_clock_for_testing (f->window, NULL);

  /* Leaving needs a staff member who may start the kiosk. */
  gtk_widget_activate_action (GTK_WIDGET (page), "sign-in.leave-kiosk", NULL);
  g_assert_cmpint (clinic_sign_in_page_get_mode (page), ==, CLINIC_SIGN_IN_MODE_KIOSK_LEAVE);
  save (f, "kiosk-leave");
  sign_in (f, "paula", PAULA_PASSWORD);
  g_assert_nonnull (clinic_sign_in_page_get_error (page));
  g_assert_true (clinic_window_get_kiosk (f->window));
  sign_in (f, "dora", DORA_PASSWORD);
  g_assert_nonnull (clinic_sign_in_page_get_error (page));
  g_assert_true (clinic_window_get_kiosk (f->window));
  sign_in (f, "ben", "wrong");
  g_assert_true (clinic_window_get_kiosk (f->window));
  sign_in (f, "ben", BEN_PASSWORD);
  g_assert_false (clinic_window_get_kiosk (f->window));
  assert_shell_of (f, "ben");
  g_assert_true (g_action_group_get_action_enabled (G_ACTION_GROUP (app), "quit"));
  g_assert_false (clinic_application_get_privacy_mode (app));
}

/* --- Registering at the kiosk ------------------------------------------ */

static void
fill (GtkWidget  *form,
      GType       type,
      const char *title,
      const char *text)
{
  GtkWidget *row = find_by_title (form, type, title);

  g_assert_nonnull (row);
  gtk_editable_set_text (GTK_EDITABLE (row), "");
  clinic_test_type (row, text);
}

static void
start_kiosk (Fixture *f)
{
  sign_in (f, "ben", BEN_PASSWORD);
  assert_shell_of (f, "ben");
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.start-kiosk", NULL);
  g_assert_true (clinic_window_get_kiosk (f->window));
}

/* A new patient registers at the kiosk, is told what happens next, and
 * cannot sign in until the front desk confirms. */
static void
test_kiosk_registration (Fixture       *f,
                         gconstpointer  data)
{
  ClinicSignInPage *page = sign_in_page (f);
  GtkWidget *register_button = clinic_test_find_button (GTK_WIDGET (page), "sign-in.register");
  GtkWidget *form;
  ClinicRegistrationForm *reg;

  /* Not on the staff sign-in page. */
  g_assert_nonnull (register_button);
  g_assert_false (gtk_widget_get_visible (register_button));

  start_kiosk (f);
  g_assert_true (gtk_widget_get_visible (register_button));
  gtk_widget_activate_action (GTK_WIDGET (page), "sign-in.register", NULL);
  g_assert_cmpstr (clinic_window_get_visible_page (f->window), ==, "register");
  form = clinic_test_find_widget (GTK_WIDGET (f->window), CLINIC_TYPE_REGISTRATION_FORM);
  g_assert_nonnull (form);
  reg = CLINIC_REGISTRATION_FORM (form);
  clinic_test_spin (300);
  clinic_test_assert_all_named (GTK_WIDGET (f->window), TRUE);

  /* Clear mistakes, one at a time, on the field at fault. */
  gtk_widget_activate_action (form, "registration.submit", NULL);
  g_assert_nonnull (strstr (clinic_registration_form_get_error (reg), "family name"));
  g_assert_true (gtk_widget_has_css_class (find_by_title (form, ADW_TYPE_ENTRY_ROW, "_Family Name"), "error"));

  fill (form, ADW_TYPE_ENTRY_ROW, "_Family Name", "Keller");
  fill (form, ADW_TYPE_ENTRY_ROW, "_Given Names", "Jana");
  fill (form, ADW_TYPE_ENTRY_ROW, "_Date of Birth (for example 1984-03-12)", "1991-13-45");
  fill (form, ADW_TYPE_ENTRY_ROW, "_Phone (optional)", "0171 5550177");
  fill (form, ADW_TYPE_ENTRY_ROW, "_User Name", "jana");
  fill (form, ADW_TYPE_PASSWORD_ENTRY_ROW, "_Password", PAULA_PASSWORD "x");
  fill (form, ADW_TYPE_PASSWORD_ENTRY_ROW, "_Repeat the Password", PAULA_PASSWORD "y");
  gtk_widget_activate_action (form, "registration.submit", NULL);
  g_assert_nonnull (strstr (clinic_registration_form_get_error (reg), "date of birth"));
  g_assert_false (gtk_widget_has_css_class (find_by_title (form, ADW_TYPE_ENTRY_ROW, "_Family Name"), "error"));

  fill (form, ADW_TYPE_ENTRY_ROW, "_Date of Birth (for example 1984-03-12)", "1991-07-08");
  gtk_widget_activate_action (form, "registration.submit", NULL);
  g_assert_nonnull (strstr (clinic_registration_form_get_error (reg), "not the same"));

  /* A taken user name: said so, on the user name. */
  fill (form, ADW_TYPE_ENTRY_ROW, "_User Name", "paula");
  fill (form, ADW_TYPE_PASSWORD_ENTRY_ROW, "_Repeat the Password", PAULA_PASSWORD "x");
  gtk_widget_activate_action (form, "registration.submit", NULL);
  g_assert_nonnull (strstr (clinic_registration_form_get_error (reg), "taken"));
  g_assert_true (gtk_widget_has_css_class (find_by_title (form, ADW_TYPE_ENTRY_ROW, "_User Name"), "error"));
  g_assert_false (clinic_registration_form_get_done (reg));
  save (f, "kiosk-registration-form");

  /* Enter in the last field sends the form. */
  fill (form, ADW_TYPE_ENTRY_ROW, "_User Name", "jana");
  g_signal_emit_by_name (find_by_title (form, ADW_TYPE_PASSWORD_ENTRY_ROW, "_Repeat the Password"),
                         "entry-activated");
  g_assert_null (clinic_registration_form_get_error (reg));
  g_assert_true (clinic_registration_form_get_done (reg));
  g_assert_nonnull (clinic_test_find_label (form, "Your registration is waiting for confirmation at the front desk. Please let them know you have registered; once they have confirmed it, you can sign in here with your user name and password."));
  clinic_test_spin (300);
  clinic_test_assert_all_named (GTK_WIDGET (f->window), TRUE);
  save (f, "kiosk-registration-done");

  /* Done: back to the kiosk's sign-in, the form gone. */
  gtk_widget_activate_action (form, "registration.cancel", NULL);
  g_assert_cmpstr (clinic_window_get_visible_page (f->window), ==, "sign-in");
  g_assert_null (clinic_test_find_widget (GTK_WIDGET (f->window), CLINIC_TYPE_REGISTRATION_FORM));
  g_assert_cmpint (clinic_sign_in_page_get_mode (page), ==, CLINIC_SIGN_IN_MODE_KIOSK);

  /* Waiting for the front desk: the right password hears so. */
  sign_in (f, "jana", PAULA_PASSWORD "x");
  g_assert_cmpstr (clinic_sign_in_page_get_error (page), ==,
                   "Your registration is waiting for confirmation at the front desk.");
  g_assert_null (clinic_window_get_shell (f->window));

  /* A form left half filled in goes after the kiosk's idle time. */
  fake_now = 1000 * G_USEC_PER_SEC;
  clinic_window_set_idle_clock_for_testing (f->window, fake_clock);
  gtk_widget_activate_action (GTK_WIDGET (page), "sign-in.register", NULL);
  form = clinic_test_find_widget (GTK_WIDGET (f->window), CLINIC_TYPE_REGISTRATION_FORM);
  fill (form, ADW_TYPE_ENTRY_ROW, "_Family Name", "Halfway");
  fake_now += 121 * G_USEC_PER_SEC;
  g_assert_true (clinic_window_check_idle (f->window));
  g_assert_cmpstr (clinic_window_get_visible_page (f->window), ==, "sign-in");
  g_assert_null (clinic_test_find_widget (GTK_WIDGET (f->window), CLINIC_TYPE_REGISTRATION_FORM));
  clinic_window_set_idle_clock_for_testing (f->window, NULL);

  /* The front desk: a banner in Patients, the list, Confirm. */
  {
    GtkWidget *section, *banner, *list;
    ClinicRegistrationsWindow *window;

    gtk_widget_activate_action (GTK_WIDGET (page), "sign-in.leave-kiosk", NULL);
    sign_in (f, "ben", BEN_PASSWORD);
    g_assert_false (clinic_window_get_kiosk (f->window));
    assert_shell_of (f, "ben");
    clinic_shell_set_section (CLINIC_SHELL (clinic_window_get_shell (f->window)), "patients");
    section = clinic_test_find_widget (GTK_WIDGET (f->window), CLINIC_TYPE_PATIENTS_SECTION);
    g_assert_nonnull (section);
    banner = find_with_class (section, "registrations-banner");
    g_assert_nonnull (banner);
    g_assert_true (gtk_revealer_get_reveal_child (GTK_REVEALER (gtk_widget_get_parent (banner))));
    g_assert_nonnull (clinic_test_find_label (banner, "1 registration from the kiosk is waiting for confirmation."));
    save (f, "patients-registrations-banner");

    gtk_widget_activate_action (section, "patients.registrations", NULL);
    window = CLINIC_REGISTRATIONS_WINDOW (clinic_test_find_toplevel (CLINIC_TYPE_REGISTRATIONS_WINDOW));
    g_assert_nonnull (window);
    g_assert_cmpuint (clinic_registrations_window_get_n_listed (window), ==, 1);
    list = clinic_test_find_widget (GTK_WIDGET (window), GTK_TYPE_LIST_BOX);
    g_assert_nonnull (find_by_title (list, ADW_TYPE_ACTION_ROW, "Keller, Jana"));
    clinic_test_wait_for_draw (GTK_WIDGET (window));
    clinic_test_spin (300);
    clinic_test_assert_all_named (GTK_WIDGET (window), TRUE);
    g_free (clinic_test_save_screenshot (GTK_WIDGET (window), "registrations-window"));

    /* Confirm through the row's own button. */
    g_signal_emit_by_name (clinic_test_find_button (list, "registrations.confirm"), "clicked");
    g_assert_cmpuint (clinic_registrations_window_get_n_listed (window), ==, 0);
    g_assert_false (gtk_revealer_get_reveal_child (GTK_REVEALER (gtk_widget_get_parent (banner))));
    gtk_window_destroy (GTK_WINDOW (window));

    /* Now the patient gets in at the kiosk. */
    gtk_widget_activate_action (GTK_WIDGET (f->window), "win.start-kiosk", NULL);
    sign_in (f, "jana", PAULA_PASSWORD "x");
    assert_shell_of (f, "jana");
  }
}

static void
test_recovery_key (Fixture       *f,
                   gconstpointer  data)
{
  ClinicSignInPage *page = sign_in_page (f);
  GtkWidget *row;

  gtk_widget_activate_action (GTK_WIDGET (page), "sign-in.use-recovery-key", NULL);
  row = find_by_title (GTK_WIDGET (page), ADW_TYPE_ENTRY_ROW, "Recovery Key");
  g_assert_nonnull (row);
  g_assert_true (gtk_widget_is_visible (row));
  clinic_test_assert_all_named (GTK_WIDGET (f->window), TRUE);

  clinic_test_type (row, "0000-1111");
  g_signal_emit_by_name (row, "entry-activated");
  wait_until_idle (page);
  g_assert_nonnull (clinic_sign_in_page_get_error (page));
  save (f, "sign-in-recovery-key");

  gtk_widget_activate_action (GTK_WIDGET (page), "sign-in.use-password", NULL);
  g_assert_false (gtk_widget_is_visible (row));

  /* The right key opens the database: a recovery session, with a notice
   * that passwords want repairing. */
  gtk_widget_activate_action (GTK_WIDGET (page), "sign-in.use-recovery-key", NULL);
  clinic_test_type (row, last_recovery_key);
  g_signal_emit_by_name (row, "entry-activated");
  wait_until_idle (page);
  g_assert_null (clinic_sign_in_page_get_error (page));
  g_assert_cmpstr (clinic_window_get_visible_page (f->window), ==, "shell");
  g_assert_true (clinic_session_is_recovery (clinic_window_get_session (f->window)));
  g_assert_true (clinic_db_opened_with_recovery_key (clinic_application_get_db (app)));
  save (f, "shell-recovery-session");
}

/* A patient's own account opens nothing but the kiosk: on the staff
 * sign-in page it is refused after the password check (found in review:
 * it got a window with a menu and Quit). */
static void
test_patient_not_at_staff_sign_in (Fixture       *f,
                                   gconstpointer  data)
{
  ClinicSignInPage *page = CLINIC_SIGN_IN_PAGE (clinic_test_find_widget (GTK_WIDGET (f->window),
                                                                         CLINIC_TYPE_SIGN_IN_PAGE));

  sign_in (f, "anna", ANNA_PASSWORD);
  assert_shell_of (f, "anna");
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.sign-out", NULL);
  clinic_test_spin (20);

  sign_in (f, "paula", PAULA_PASSWORD);
  g_assert_cmpstr (clinic_window_get_visible_page (f->window), ==, "sign-in");
  g_assert_null (clinic_window_get_shell (f->window));
  g_assert_nonnull (clinic_sign_in_page_get_error (page));
  g_assert_nonnull (strstr (clinic_sign_in_page_get_error (page), "kiosk"));
}

int
main (int   argc,
      char *argv[])
{
  static const ClinicKdfLimits test_limits = CLINIC_KDF_LIMITS_TEST;
  int status;

  clinic_test_ui_init (&argc, &argv);
  clinic_keys_allow_test_limits (TRUE);

  app = clinic_application_new ();
  g_application_set_flags (G_APPLICATION (app),
                           G_APPLICATION_HANDLES_COMMAND_LINE | G_APPLICATION_NON_UNIQUE);
  clinic_application_set_kdf_limits_for_testing (app, &test_limits);
  g_assert_true (g_application_register (G_APPLICATION (app), NULL, NULL));

  g_test_add ("/sign-in/setup-assistant", Fixture, "no database",
              fixture_set_up, test_setup_assistant, fixture_tear_down);
  g_test_add ("/sign-in/wrong-password-then-lock-out", Fixture, NULL,
              fixture_set_up, test_wrong_password_then_lockout, fixture_tear_down);
  g_test_add ("/sign-in/lock-unlock", Fixture, NULL,
              fixture_set_up, test_sign_in_lock_unlock, fixture_tear_down);
  g_test_add ("/sign-in/idle-lock", Fixture, NULL,
              fixture_set_up, test_idle_lock, fixture_tear_down);
  g_test_add ("/sign-in/desktop-lock", Fixture, NULL,
              fixture_set_up, test_desktop_lock, fixture_tear_down);
  g_test_add ("/sign-in/switch-user-and-sign-out", Fixture, NULL,
              fixture_set_up, test_switch_user_and_sign_out, fixture_tear_down);
  g_test_add ("/sign-in/patient-not-at-staff-sign-in", Fixture, NULL,
              fixture_set_up, test_patient_not_at_staff_sign_in, fixture_tear_down);
  g_test_add ("/sign-in/kiosk", Fixture, NULL,
              fixture_set_up, test_kiosk, fixture_tear_down);
  g_test_add ("/sign-in/kiosk-registration", Fixture, NULL,
              fixture_set_up, test_kiosk_registration, fixture_tear_down);
  g_test_add ("/sign-in/recovery-key-form", Fixture, NULL,
              fixture_set_up, test_recovery_key, fixture_tear_down);

  status = g_test_run ();
  g_object_unref (app);
  g_free (last_recovery_key);

  return status;
}
