/* clinic-sign-in-page.c — the page everyone starts on
 *
 * Until the encrypted database exists (set-up assistant, sign-in against
 * key slots), the page collects a user name and password and says plainly
 * that there is nothing to sign in to yet. The form, its keyboard flow and
 * its error area are the ones the real sign-in keeps.
 */

#include "config.h"

#include "clinic-app-utils.h"

#include <glib/gi18n.h>

#include "clinic-sign-in-page.h"

struct _ClinicSignInPage
{
  AdwBin          parent_instance;

  char           *database_path;

  /* Template widgets */
  AdwEntryRow    *user_row;
  AdwEntryRow    *password_row;
  GtkRevealer    *error_revealer;
  GtkLabel       *error_label;
  GtkLabel       *database_label;
};

G_DEFINE_FINAL_TYPE (ClinicSignInPage, clinic_sign_in_page, ADW_TYPE_BIN)

static void
clinic_sign_in_page_update_actions (ClinicSignInPage *self)
{
  const char *user = gtk_editable_get_text (GTK_EDITABLE (self->user_row));
  const char *password = gtk_editable_get_text (GTK_EDITABLE (self->password_row));
  g_autofree char *trimmed = g_strstrip (g_strdup (user));

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "sign-in.submit",
                                 trimmed[0] != '\0' && password[0] != '\0');
}

static void
clinic_sign_in_page_show_error (ClinicSignInPage *self,
                                const char       *message)
{
  gtk_label_set_text (self->error_label, message != NULL ? message : "");
  gtk_revealer_set_reveal_child (self->error_revealer, message != NULL);
}

const char *
clinic_sign_in_page_get_error (ClinicSignInPage *self)
{
  g_return_val_if_fail (CLINIC_IS_SIGN_IN_PAGE (self), NULL);

  if (!gtk_revealer_get_reveal_child (self->error_revealer))
    return NULL;

  return gtk_label_get_text (self->error_label);
}

void
clinic_sign_in_page_set_database_path (ClinicSignInPage *self,
                                       const char       *path)
{
  g_autofree char *text = NULL;

  g_return_if_fail (CLINIC_IS_SIGN_IN_PAGE (self));

  g_free (self->database_path);
  self->database_path = g_strdup (path);

  /* Translators: %s is the path of the database file. */
  text = g_strdup_printf (_("Database: %s"), path != NULL ? path : "");
  gtk_label_set_text (self->database_label, text);
}

static void
clinic_sign_in_page_submit (GtkWidget  *widget,
                            const char *action_name,
                            GVariant   *parameter)
{
  ClinicSignInPage *self = CLINIC_SIGN_IN_PAGE (widget);
  g_autofree char *message = NULL;

  if (self->database_path == NULL ||
      !g_file_test (self->database_path, G_FILE_TEST_EXISTS))
    message = g_strdup_printf (_("There is no clinic database at “%s” yet."),
                               self->database_path != NULL ? self->database_path : "");
  else
    message = g_strdup (_("This version of Clinic cannot open a clinic database yet."));

  /* The password leaves memory as soon as it has been used. */
  gtk_editable_set_text (GTK_EDITABLE (self->password_row), "");
  clinic_sign_in_page_show_error (self, message);
  gtk_widget_grab_focus (GTK_WIDGET (self->password_row));
}

static void
on_user_activated (ClinicSignInPage *self)
{
  gtk_widget_grab_focus (GTK_WIDGET (self->password_row));
}

static void
on_password_activated (ClinicSignInPage *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "sign-in.submit", NULL);
}

static void
on_text_changed (ClinicSignInPage *self)
{
  clinic_sign_in_page_update_actions (self);
}

static gboolean
clinic_sign_in_page_grab_focus (GtkWidget *widget)
{
  ClinicSignInPage *self = CLINIC_SIGN_IN_PAGE (widget);

  return gtk_widget_grab_focus (GTK_WIDGET (self->user_row));
}

static void
clinic_sign_in_page_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), CLINIC_TYPE_SIGN_IN_PAGE);

  G_OBJECT_CLASS (clinic_sign_in_page_parent_class)->dispose (object);
}

static void
clinic_sign_in_page_finalize (GObject *object)
{
  ClinicSignInPage *self = CLINIC_SIGN_IN_PAGE (object);

  g_free (self->database_path);

  G_OBJECT_CLASS (clinic_sign_in_page_parent_class)->finalize (object);
}

static void
clinic_sign_in_page_class_init (ClinicSignInPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  clinic_ensure_resources ();

  object_class->dispose = clinic_sign_in_page_dispose;
  object_class->finalize = clinic_sign_in_page_finalize;
  widget_class->grab_focus = clinic_sign_in_page_grab_focus;

  gtk_widget_class_set_template_from_resource (widget_class, "/com/example/Clinic/ui/clinic-sign-in-page.ui");
  gtk_widget_class_bind_template_child (widget_class, ClinicSignInPage, user_row);
  gtk_widget_class_bind_template_child (widget_class, ClinicSignInPage, password_row);
  gtk_widget_class_bind_template_child (widget_class, ClinicSignInPage, error_revealer);
  gtk_widget_class_bind_template_child (widget_class, ClinicSignInPage, error_label);
  gtk_widget_class_bind_template_child (widget_class, ClinicSignInPage, database_label);
  gtk_widget_class_bind_template_callback (widget_class, on_user_activated);
  gtk_widget_class_bind_template_callback (widget_class, on_password_activated);
  gtk_widget_class_bind_template_callback (widget_class, on_text_changed);

  gtk_widget_class_install_action (widget_class, "sign-in.submit", NULL,
                                   clinic_sign_in_page_submit);
}

static void
clinic_sign_in_page_init (ClinicSignInPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  clinic_sign_in_page_update_actions (self);
}
