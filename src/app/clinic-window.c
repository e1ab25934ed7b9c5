/* clinic-window.c — the main window
 *
 * One window: the sign-in page until someone signs in, then the view of
 * their role. The window remembers its size on this PC (GSettings), never
 * anything about the clinic.
 */

#include "config.h"

#include <glib/gi18n.h>

#include "clinic-app-utils.h"
#include "clinic-sign-in-page.h"
#include "clinic-window.h"

struct _ClinicWindow
{
  AdwApplicationWindow  parent_instance;

  GSettings            *settings;

  /* Template widgets */
  AdwWindowTitle       *window_title;
  GtkMenuButton        *primary_menu_button;
  GtkStack             *stack;
  ClinicSignInPage     *sign_in_page;
};

G_DEFINE_FINAL_TYPE (ClinicWindow, clinic_window, ADW_TYPE_APPLICATION_WINDOW)

ClinicWindow *
clinic_window_new (ClinicApplication *app)
{
  ClinicWindow *self;

  g_return_val_if_fail (CLINIC_IS_APPLICATION (app), NULL);

  self = g_object_new (CLINIC_TYPE_WINDOW,
                       "application", app,
                       NULL);
  clinic_sign_in_page_set_database_path (self->sign_in_page,
                                         clinic_application_get_database_path (app));
  /* Start typing the user name at once. */
  gtk_widget_grab_focus (GTK_WIDGET (self->sign_in_page));

  return self;
}

const char *
clinic_window_get_visible_page (ClinicWindow *self)
{
  g_return_val_if_fail (CLINIC_IS_WINDOW (self), NULL);

  return gtk_stack_get_visible_child_name (self->stack);
}

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

  /* The default size is the unmaximized size, which is what a later
   * unmaximize should return to. */
  gtk_window_get_default_size (window, &width, &height);

  g_settings_delay (self->settings);
  g_settings_set_int (self->settings, "window-width", width);
  g_settings_set_int (self->settings, "window-height", height);
  g_settings_set_boolean (self->settings, "window-maximized",
                          gtk_window_is_maximized (window));
  g_settings_apply (self->settings);

  return GTK_WINDOW_CLASS (clinic_window_parent_class)->close_request (window);
}

static void
clinic_window_dispose (GObject *object)
{
  ClinicWindow *self = CLINIC_WINDOW (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), CLINIC_TYPE_WINDOW);
  g_clear_object (&self->settings);

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
  gtk_widget_class_bind_template_child (widget_class, ClinicWindow, primary_menu_button);
  gtk_widget_class_bind_template_child (widget_class, ClinicWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, ClinicWindow, sign_in_page);
}

static void
clinic_window_init (ClinicWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  clinic_menu_button_set_accessible_label (self->primary_menu_button, _("Main Menu"));

  self->settings = g_settings_new (APPLICATION_ID);
  clinic_window_restore_state (self);
}
