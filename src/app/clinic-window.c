/* clinic-window.c — the main window
 *
 * One window: the set-up assistant while there is no database, the
 * sign-in page until someone signs in, then the view of their role (the
 * shell). Locking, switching user, signing out and the patient kiosk all
 * move between these pages; the database, once opened, stays open with
 * the application through all of them.
 *
 * Whenever the shell is not in use by a signed-in staff member (locked,
 * nobody signed in, the kiosk), the shell is not on screen at all and the
 * application is in privacy mode, so notifications carry no names.
 *
 * The window remembers its size on this PC (GSettings), never anything
 * about the clinic.
 */

#include "config.h"

#include <glib/gi18n.h>

#include "clinic-app-utils.h"
#include "clinic-registration-form.h"
#include "clinic-settings.h"
#include "clinic-setup-assistant.h"
#include "clinic-shell.h"
#include "clinic-sign-in-page.h"
#include "clinic-window.h"

/* How often idleness is checked; the settings count in minutes. */
#define IDLE_CHECK_INTERVAL_SECONDS 10

struct _ClinicWindow
{
  AdwApplicationWindow  parent_instance;

  GSettings            *settings;
  GCancellable         *cancellable;

  /* Who is signed in, and their view. At the kiosk, the patient. */
  ClinicSession        *session;
  ClinicShell          *shell;
  gboolean              locked;
  gboolean              kiosk;
  /* While the kiosk runs: its right to register new patients (made from
   * the session of whoever started it), and the form when one is open. */
  ClinicKiosk          *kiosk_seat;
  GtkWidget            *registration;
  gboolean              told_recovery_key_outdated;

  /* Idleness */
  ClinicWindowClock     clock;
  gint64                last_activity;
  guint                 idle_check_id;

  /* The desktop's screen saver */
  GDBusConnection      *bus;
  guint                 screensaver_subscription;

  /* Template widgets */
  AdwWindowTitle       *window_title;
  GtkWidget            *header_bar;
  GtkMenuButton        *primary_menu_button;
  AdwToastOverlay      *toast_overlay;
  GtkStack             *stack;
  AdwBin               *setup_bin;
  ClinicSignInPage     *sign_in_page;
  AdwBin               *shell_bin;
};

G_DEFINE_FINAL_TYPE (ClinicWindow, clinic_window, ADW_TYPE_APPLICATION_WINDOW)

static ClinicApplication *
get_app (ClinicWindow *self)
{
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));

  return app != NULL ? CLINIC_APPLICATION (app) : NULL;
}

static ClinicDb *
get_db (ClinicWindow *self)
{
  ClinicApplication *app = get_app (self);

  return app != NULL ? clinic_application_get_db (app) : NULL;
}

static gint64
clinic_window_now (ClinicWindow *self)
{
  return self->clock != NULL ? self->clock () : g_get_monotonic_time ();
}

/* --- State --------------------------------------------------------------- */

static void
clinic_window_update_actions (ClinicWindow *self)
{
  gboolean staff_in = self->session != NULL && !self->locked && !self->kiosk;
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));
  GAction *action;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.lock", staff_in);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.switch-user", staff_in);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.sign-out", staff_in);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.start-kiosk",
                                 staff_in &&
                                 clinic_session_has_permission (self->session,
                                                                CLINIC_PERMISSION_KIOSK_START));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.kiosk-done",
                                 self->kiosk && self->session != NULL);

  /* The kiosk has no way out but a staff password: no quitting, no
   * shortcuts window over it. */
  action = g_action_map_lookup_action (G_ACTION_MAP (self), "show-help-overlay");
  if (G_IS_SIMPLE_ACTION (action))
    g_simple_action_set_enabled (G_SIMPLE_ACTION (action), !self->kiosk);
  if (app != NULL)
    {
      action = g_action_map_lookup_action (G_ACTION_MAP (app), "quit");
      if (G_IS_SIMPLE_ACTION (action))
        g_simple_action_set_enabled (G_SIMPLE_ACTION (action), !self->kiosk);
    }

  if (CLINIC_IS_APPLICATION (app))
    clinic_application_set_privacy_mode (CLINIC_APPLICATION (app), !staff_in);
}

static void
clinic_window_update_title (ClinicWindow *self)
{
  ClinicDb *db = get_db (self);
  g_autofree char *clinic_name = NULL;

  if (db != NULL)
    clinic_name = clinic_db_dup_clinic_name (db, NULL);
  adw_window_title_set_subtitle (self->window_title, clinic_name);
}

static void
show_page (ClinicWindow *self,
           const char   *name)
{
  gboolean shell = g_strcmp0 (name, "shell") == 0;

  /* The shell brings its own header bar; the kiosk shows none. */
  gtk_widget_set_visible (self->header_bar, !shell && !self->kiosk);
  /* Hidden, not only behind another stack page: nothing of the shell is
   * drawn, focusable or read out while the window is locked. */
  gtk_widget_set_visible (GTK_WIDGET (self->shell_bin), shell);
  gtk_stack_set_visible_child_name (self->stack, name);

  if (!shell)
    gtk_widget_grab_focus (GTK_WIDGET (gtk_stack_get_visible_child (self->stack)));
}

static void
clear_shell (ClinicWindow *self)
{
  if (self->shell != NULL && !self->kiosk)
    g_settings_set_string (self->settings, "last-view", clinic_shell_get_section (self->shell));

  adw_bin_set_child (self->shell_bin, NULL);
  self->shell = NULL;
}

/* Dialogs are windows of their own above this one: locking or ending the
 * session closes them, or a passer-by could read a recovery key in one or
 * reset a password with the session behind the lock. */
static void
close_dialogs (ClinicWindow *self)
{
  GList *toplevels = gtk_window_list_toplevels ();

  for (GList *l = toplevels; l != NULL; l = l->next)
    {
      GtkWindow *window = l->data;

      if (window != GTK_WINDOW (self) &&
          gtk_window_get_transient_for (window) == GTK_WINDOW (self))
        gtk_window_destroy (window);
    }
  g_list_free (toplevels);
}

static void
end_session (ClinicWindow *self)
{
  close_dialogs (self);
  clear_shell (self);
  if (self->session != NULL)
    clinic_session_sign_out (self->session);
  g_clear_object (&self->session);
}

static void
show_session (ClinicWindow  *self,
              ClinicSession *session,
              const char    *section)
{
  g_set_object (&self->session, session);
  self->locked = FALSE;

  self->shell = clinic_shell_new (session);
  clinic_shell_set_kiosk (self->shell, self->kiosk);
  if (section != NULL)
    clinic_shell_set_section (self->shell, section);
  adw_bin_set_child (self->shell_bin, GTK_WIDGET (self->shell));

  show_page (self, "shell");
  clinic_window_update_actions (self);
  self->last_activity = clinic_window_now (self);
  gtk_widget_grab_focus (GTK_WIDGET (self->shell));
}

static void
show_sign_in (ClinicWindow     *self,
              ClinicSignInMode  mode,
              gboolean          fill_in_user)
{
  const char *user = NULL;
  const char *display = NULL;

  if (mode == CLINIC_SIGN_IN_MODE_LOCKED && self->session != NULL)
    {
      user = fill_in_user ? clinic_session_get_user_name (self->session) : NULL;
      display = clinic_session_get_display_name (self->session);
    }

  clinic_sign_in_page_set_db (self->sign_in_page, get_db (self));
  clinic_sign_in_page_set_kiosk (self->sign_in_page, self->kiosk ? self->kiosk_seat : NULL);
  clinic_sign_in_page_set_mode (self->sign_in_page, mode, user, display);
  show_page (self, "sign-in");
  clinic_window_update_actions (self);
}

/* The registration form goes with everything typed into it. */
static void
close_registration (ClinicWindow *self)
{
  if (self->registration == NULL)
    return;

  gtk_stack_remove (self->stack, self->registration);
  self->registration = NULL;
}

static void
on_registration_finished (ClinicWindow *self)
{
  close_registration (self);
  show_sign_in (self, CLINIC_SIGN_IN_MODE_KIOSK, FALSE);
}

static void
on_register (ClinicWindow *self)
{
  if (!self->kiosk || self->kiosk_seat == NULL || self->session != NULL)
    return;

  close_registration (self);
  self->registration = clinic_registration_form_new (self->kiosk_seat);
  g_signal_connect_object (self->registration, "finished",
                           G_CALLBACK (on_registration_finished), self, G_CONNECT_SWAPPED);
  gtk_stack_add_named (self->stack, self->registration, "register");
  self->last_activity = clinic_window_now (self);
  show_page (self, "register");
}

/* Things an administrator must hear once after the database opened. */
static void
tell_about_keys (ClinicWindow  *self,
                 ClinicSession *session)
{
  ClinicDb *db = clinic_session_get_db (session);

  if (clinic_session_is_recovery (session))
    {
      AdwToast *toast;

      toast = adw_toast_new (_("Opened with the recovery key. An administrator should now set new passwords for the users who need them."));
      adw_toast_set_timeout (toast, 0);
      clinic_toast_overlay_add (self->toast_overlay, toast);
    }

  if (!self->told_recovery_key_outdated &&
      clinic_db_is_recovery_key_outdated (db) &&
      clinic_session_has_permission (session, CLINIC_PERMISSION_USERS))
    {
      GtkWidget *dialog;

      self->told_recovery_key_outdated = TRUE;
      dialog = adw_message_dialog_new (GTK_WINDOW (self),
                                       _("The Recovery Key Is Out of Date"),
                                       _("A change of keys was interrupted and has been finished now, so the printed recovery key no longer opens the database. Change the keys again (clinicctl rekey) to get a new recovery key."));
      adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
      gtk_window_present (GTK_WINDOW (dialog));
    }
}

static void
on_signed_in (ClinicWindow     *self,
              ClinicSession    *session,
              ClinicSignInPage *page)
{
  ClinicApplication *app = get_app (self);
  ClinicSignInMode mode = clinic_sign_in_page_get_mode (page);
  g_autofree char *section = NULL;

  if (app != NULL && clinic_application_get_db (app) == NULL)
    {
      clinic_application_set_db (app, clinic_session_get_db (session));
      clinic_window_update_title (self);
      tell_about_keys (self, session);
    }

  switch (mode)
    {
    case CLINIC_SIGN_IN_MODE_LOCKED:
      if (self->session != NULL &&
          clinic_session_is_active (self->session) &&
          clinic_session_get_user_id (self->session) == clinic_session_get_user_id (session) &&
          g_strcmp0 (clinic_session_get_user_name (self->session),
                     clinic_session_get_user_name (session)) == 0)
        {
          /* The same person: back to the section they left, in a view
           * built afresh for the new session, so a change to their role
           * made meanwhile (Profiles, clinicctl) takes effect now. The
           * locked session is signed out: its sign-in and sign-out pair up
           * in the audit trail, and anything still holding it is refused. */
          section = g_settings_get_string (self->settings, "last-view");
          end_session (self);
          show_session (self, session, section[0] != '\0' ? section : NULL);
          return;
        }
      /* Someone else: the one behind the lock is signed out. */
      end_session (self);
      break;

    case CLINIC_SIGN_IN_MODE_KIOSK:
      show_session (self, session, NULL);
      return;

    case CLINIC_SIGN_IN_MODE_KIOSK_LEAVE:
      self->kiosk = FALSE;
      close_registration (self);
      if (self->kiosk_seat != NULL)
        clinic_kiosk_stop (self->kiosk_seat);
      g_clear_object (&self->kiosk_seat);
      clinic_sign_in_page_set_kiosk (page, NULL);
      gtk_window_set_deletable (GTK_WINDOW (self), TRUE);
      gtk_window_unfullscreen (GTK_WINDOW (self));
      break;

    case CLINIC_SIGN_IN_MODE_START:
    default:
      end_session (self);
      break;
    }

  section = g_settings_get_string (self->settings, "last-view");
  show_session (self, session, section[0] != '\0' ? section : NULL);
}

static void
on_setup_finished (ClinicWindow  *self,
                   ClinicSession *session)
{
  ClinicApplication *app = get_app (self);

  if (app != NULL)
    clinic_application_set_db (app, clinic_session_get_db (session));
  clinic_window_update_title (self);
  adw_window_title_set_title (self->window_title, _("Clinic"));

  show_session (self, session, NULL);
  adw_bin_set_child (self->setup_bin, NULL);
}

/* --- Actions ------------------------------------------------------------- */

static void
clinic_window_lock (ClinicWindow *self,
                    gboolean      switch_user)
{
  if (self->session == NULL || self->locked || self->kiosk)
    return;

  self->locked = TRUE;
  clinic_session_note_locked (self->session);
  close_dialogs (self);
  /* Nothing of the view stays behind the lock, not even hidden: forms
   * with half-typed passwords or patient data go. The section is kept in
   * "last-view" for the unlock. */
  clear_shell (self);
  /* Switching user is the same page with the name left empty for
   * whoever comes next. */
  show_sign_in (self, CLINIC_SIGN_IN_MODE_LOCKED, !switch_user);
}

static void
action_lock (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  clinic_window_lock (CLINIC_WINDOW (widget), FALSE);
}

static void
action_switch_user (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  clinic_window_lock (CLINIC_WINDOW (widget), TRUE);
}

static void
action_sign_out (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  ClinicWindow *self = CLINIC_WINDOW (widget);

  if (self->kiosk)
    return;

  end_session (self);
  self->locked = FALSE;
  show_sign_in (self, CLINIC_SIGN_IN_MODE_START, FALSE);
}

static void
action_start_kiosk (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  ClinicWindow *self = CLINIC_WINDOW (widget);
  g_autoptr(GError) error = NULL;

  if (self->session == NULL || self->locked || self->kiosk ||
      !clinic_session_has_permission (self->session, CLINIC_PERMISSION_KIOSK_START))
    return;

  /* The kiosk's one right of its own (registering new patients) comes
   * from this staff member, before their session ends. */
  g_clear_object (&self->kiosk_seat);
  self->kiosk_seat = clinic_kiosk_start (self->session, &error);
  if (self->kiosk_seat == NULL)
    {
      clinic_toast_overlay_add (self->toast_overlay, adw_toast_new (error->message));
      return;
    }

  /* The staff member's session ends: whoever leaves the kiosk signs in
   * anew. */
  end_session (self);
  self->kiosk = TRUE;
  /* No close button either (the close request is refused anyway). */
  gtk_window_set_deletable (GTK_WINDOW (self), FALSE);
  gtk_window_fullscreen (GTK_WINDOW (self));
  show_sign_in (self, CLINIC_SIGN_IN_MODE_KIOSK, FALSE);
}

static void
action_kiosk_done (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  ClinicWindow *self = CLINIC_WINDOW (widget);

  if (!self->kiosk)
    return;

  end_session (self);
  show_sign_in (self, CLINIC_SIGN_IN_MODE_KIOSK, FALSE);
}

/* --- Idleness ------------------------------------------------------------ */

static gboolean
on_input_event (ClinicWindow             *self,
                GdkEvent                 *event,
                GtkEventControllerLegacy *controller)
{
  GdkEventType type = gdk_event_get_event_type (event);

  /* Entering, leaving and focus changes happen without anyone there. */
  if (type == GDK_MOTION_NOTIFY || type == GDK_BUTTON_PRESS || type == GDK_BUTTON_RELEASE ||
      type == GDK_KEY_PRESS || type == GDK_KEY_RELEASE || type == GDK_SCROLL ||
      type == GDK_TOUCH_BEGIN || type == GDK_TOUCH_UPDATE ||
      type == GDK_TOUCHPAD_SWIPE || type == GDK_TOUCHPAD_PINCH)
    self->last_activity = clinic_window_now (self);

  return GDK_EVENT_PROPAGATE;
}

gboolean
clinic_window_check_idle (ClinicWindow *self)
{
  ClinicDb *db;
  ClinicSettings *settings;
  const char *key;
  gint64 minutes;

  g_return_val_if_fail (CLINIC_IS_WINDOW (self), FALSE);

  db = get_db (self);
  if (db == NULL || self->locked)
    return FALSE;
  /* Nobody signed in: only a registration form left half filled in at
   * the kiosk has anything to time out. */
  if (self->session == NULL && (!self->kiosk || self->registration == NULL))
    return FALSE;

  key = self->kiosk ? "security.kiosk-idle-minutes" : "security.idle-lock-minutes";
  settings = clinic_settings_get_for_db (db);
  minutes = clinic_settings_get_int (settings, key);
  if (clinic_window_now (self) - self->last_activity < minutes * 60 * G_USEC_PER_SEC)
    return FALSE;

  if (self->kiosk && self->session == NULL)
    on_registration_finished (self);
  else if (self->kiosk)
    gtk_widget_activate_action (GTK_WIDGET (self), "win.kiosk-done", NULL);
  else
    clinic_window_lock (self, FALSE);

  return TRUE;
}

static gboolean
on_idle_check (gpointer user_data)
{
  clinic_window_check_idle (user_data);

  return G_SOURCE_CONTINUE;
}

void
clinic_window_set_idle_clock_for_testing (ClinicWindow      *self,
                                          ClinicWindowClock  clock)
{
  g_return_if_fail (CLINIC_IS_WINDOW (self));

  self->clock = clock;
  self->last_activity = clinic_window_now (self);
}

/* --- The desktop's lock -------------------------------------------------- */

static void
on_screensaver_active_changed (GDBusConnection *connection,
                               const char      *sender_name,
                               const char      *object_path,
                               const char      *interface_name,
                               const char      *signal_name,
                               GVariant        *parameters,
                               gpointer         user_data)
{
  ClinicWindow *self = user_data;
  ClinicDb *db = get_db (self);
  gboolean active = FALSE;

  if (!g_variant_is_of_type (parameters, G_VARIANT_TYPE ("(b)")))
    return;

  g_variant_get (parameters, "(b)", &active);
  if (active && db != NULL &&
      clinic_settings_get_boolean (clinic_settings_get_for_db (db), "security.lock-with-desktop"))
    clinic_window_lock (self, FALSE);
}

static void
on_bus_ready (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  GWeakRef *weak = user_data;
  g_autoptr(ClinicWindow) self = g_weak_ref_get (weak);
  g_autoptr(GDBusConnection) bus = NULL;

  g_weak_ref_clear (weak);
  g_free (weak);

  /* No session bus (a bare X session, a test): nothing to follow, and
   * nothing worth a warning. */
  bus = g_bus_get_finish (result, NULL);
  if (bus == NULL || self == NULL || g_cancellable_is_cancelled (self->cancellable))
    return;

  self->bus = g_steal_pointer (&bus);
  self->screensaver_subscription =
    g_dbus_connection_signal_subscribe (self->bus,
                                        "org.gnome.ScreenSaver",
                                        "org.gnome.ScreenSaver",
                                        "ActiveChanged",
                                        "/org/gnome/ScreenSaver",
                                        NULL,
                                        G_DBUS_SIGNAL_FLAGS_NONE,
                                        on_screensaver_active_changed,
                                        self, NULL);
}

/* --- Public -------------------------------------------------------------- */

ClinicWindow *
clinic_window_new (ClinicApplication *app)
{
  ClinicWindow *self;
  const char *path;

  g_return_val_if_fail (CLINIC_IS_APPLICATION (app), NULL);

  self = g_object_new (CLINIC_TYPE_WINDOW,
                       "application", app,
                       NULL);
  path = clinic_application_get_database_path (app);
  clinic_sign_in_page_set_database_path (self->sign_in_page, path);
  clinic_window_update_title (self);

  if (clinic_application_get_db (app) == NULL && !g_file_test (path, G_FILE_TEST_EXISTS))
    {
      GtkWidget *assistant = clinic_setup_assistant_new (path,
                                                         clinic_application_get_kdf_limits (app));

      g_signal_connect_object (assistant, "finished", G_CALLBACK (on_setup_finished),
                               self, G_CONNECT_SWAPPED);
      adw_bin_set_child (self->setup_bin, assistant);
      adw_window_title_set_title (self->window_title, _("Set Up Clinic"));
      show_page (self, "setup");
    }
  else
    show_sign_in (self, CLINIC_SIGN_IN_MODE_START, FALSE);

  clinic_window_update_actions (self);

  /* Start typing at once. */
  gtk_widget_grab_focus (GTK_WIDGET (gtk_stack_get_visible_child (self->stack)));

  return self;
}

const char *
clinic_window_get_visible_page (ClinicWindow *self)
{
  g_return_val_if_fail (CLINIC_IS_WINDOW (self), NULL);

  return gtk_stack_get_visible_child_name (self->stack);
}

ClinicSession *
clinic_window_get_session (ClinicWindow *self)
{
  g_return_val_if_fail (CLINIC_IS_WINDOW (self), NULL);

  return self->session;
}

GtkWidget *
clinic_window_get_shell (ClinicWindow *self)
{
  g_return_val_if_fail (CLINIC_IS_WINDOW (self), NULL);

  return GTK_WIDGET (self->shell);
}

gboolean
clinic_window_get_locked (ClinicWindow *self)
{
  g_return_val_if_fail (CLINIC_IS_WINDOW (self), FALSE);

  return self->locked;
}

gboolean
clinic_window_get_kiosk (ClinicWindow *self)
{
  g_return_val_if_fail (CLINIC_IS_WINDOW (self), FALSE);

  return self->kiosk;
}

/* --- GObject ------------------------------------------------------------- */

static void
clinic_window_restore_state (ClinicWindow *self)
{
  int width = g_settings_get_int (self->settings, "window-width");
  int height = g_settings_get_int (self->settings, "window-height");

  gtk_window_set_default_size (GTK_WINDOW (self), width, height);

  if (g_settings_get_boolean (self->settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));
}

static gboolean
clinic_window_close_request (GtkWindow *window)
{
  ClinicWindow *self = CLINIC_WINDOW (window);
  int width, height;

  /* The kiosk is left only with a staff password. */
  if (self->kiosk)
    return TRUE;

  /* The default size is the unmaximized size, which is what a later
   * unmaximize should return to. */
  gtk_window_get_default_size (window, &width, &height);

  g_settings_delay (self->settings);
  g_settings_set_int (self->settings, "window-width", width);
  g_settings_set_int (self->settings, "window-height", height);
  g_settings_set_boolean (self->settings, "window-maximized",
                          gtk_window_is_maximized (window));
  g_settings_apply (self->settings);

  end_session (self);

  return GTK_WINDOW_CLASS (clinic_window_parent_class)->close_request (window);
}

static void
clinic_window_dispose (GObject *object)
{
  ClinicWindow *self = CLINIC_WINDOW (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->idle_check_id, g_source_remove);
  if (self->bus != NULL && self->screensaver_subscription != 0)
    g_dbus_connection_signal_unsubscribe (self->bus, self->screensaver_subscription);
  self->screensaver_subscription = 0;
  g_clear_object (&self->bus);

  if (self->session != NULL)
    clinic_session_sign_out (self->session);
  g_clear_object (&self->session);
  self->shell = NULL;
  g_clear_object (&self->kiosk_seat);
  self->registration = NULL;

  gtk_widget_dispose_template (GTK_WIDGET (self), CLINIC_TYPE_WINDOW);
  g_clear_object (&self->settings);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (clinic_window_parent_class)->dispose (object);
}

static void
clinic_window_class_init (ClinicWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  clinic_ensure_resources ();

  object_class->dispose = clinic_window_dispose;
  window_class->close_request = clinic_window_close_request;

  g_type_ensure (CLINIC_TYPE_SIGN_IN_PAGE);

  gtk_widget_class_set_template_from_resource (widget_class, "/com/example/Clinic/ui/clinic-window.ui");
  gtk_widget_class_bind_template_child (widget_class, ClinicWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, ClinicWindow, header_bar);
  gtk_widget_class_bind_template_child (widget_class, ClinicWindow, primary_menu_button);
  gtk_widget_class_bind_template_child (widget_class, ClinicWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, ClinicWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, ClinicWindow, setup_bin);
  gtk_widget_class_bind_template_child (widget_class, ClinicWindow, sign_in_page);
  gtk_widget_class_bind_template_child (widget_class, ClinicWindow, shell_bin);
  gtk_widget_class_bind_template_callback (widget_class, on_signed_in);
  gtk_widget_class_bind_template_callback (widget_class, on_input_event);

  gtk_widget_class_install_action (widget_class, "win.lock", NULL, action_lock);
  gtk_widget_class_install_action (widget_class, "win.switch-user", NULL, action_switch_user);
  gtk_widget_class_install_action (widget_class, "win.sign-out", NULL, action_sign_out);
  gtk_widget_class_install_action (widget_class, "win.start-kiosk", NULL, action_start_kiosk);
  gtk_widget_class_install_action (widget_class, "win.kiosk-done", NULL, action_kiosk_done);
}

static void
clinic_window_init (ClinicWindow *self)
{
  self->cancellable = g_cancellable_new ();

  gtk_widget_init_template (GTK_WIDGET (self));
  g_signal_connect_object (self->sign_in_page, "register",
                           G_CALLBACK (on_register), self, G_CONNECT_SWAPPED);
  clinic_menu_button_set_accessible_label (self->primary_menu_button, _("Main Menu"));

  self->settings = g_settings_new (APPLICATION_ID);
  clinic_window_restore_state (self);

  self->last_activity = clinic_window_now (self);
  self->idle_check_id = g_timeout_add_seconds (IDLE_CHECK_INTERVAL_SECONDS, on_idle_check, self);
  {
    /* Weak: the window may close before the bus answers. */
    GWeakRef *weak = g_new0 (GWeakRef, 1);

    g_weak_ref_init (weak, self);
    g_bus_get (G_BUS_TYPE_SESSION, self->cancellable, on_bus_ready, weak);
  }

  clinic_window_update_actions (self);
}
