/* clinic-account-section.c — the signed-in person's own account */

#include "config.h"

#include <glib/gi18n.h>

#include "clinic-account-section.h"
#include "clinic-app-utils.h"
#include "clinic-users.h"

struct _ClinicAccountSection
{
  ClinicSection     parent_instance;

  /* Template widgets */
  AdwActionRow     *name_row;
  AdwActionRow     *user_row;
  AdwActionRow     *role_row;
  AdwEntryRow      *old_row;
  AdwEntryRow      *new_row;
  AdwEntryRow      *again_row;
  GtkRevealer      *error_revealer;
  GtkLabel         *error_label;
  GtkRevealer      *done_revealer;
};

G_DEFINE_FINAL_TYPE (ClinicAccountSection, clinic_account_section, CLINIC_TYPE_SECTION)

static const char *
text_of (AdwEntryRow *row)
{
  return gtk_editable_get_text (GTK_EDITABLE (row));
}

static void
clinic_account_section_update_actions (ClinicAccountSection *self)
{
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "account.change-password",
                                 text_of (self->old_row)[0] != '\0' &&
                                 text_of (self->new_row)[0] != '\0' &&
                                 text_of (self->again_row)[0] != '\0');
}

static void
clinic_account_section_change_password (GtkWidget  *widget,
                                        const char *action_name,
                                        GVariant   *parameter)
{
  ClinicAccountSection *self = CLINIC_ACCOUNT_SECTION (widget);
  ClinicSession *session = clinic_section_get_session (CLINIC_SECTION (self));
  g_autoptr(GError) error = NULL;

  gtk_revealer_set_reveal_child (self->done_revealer, FALSE);

  if (g_strcmp0 (text_of (self->new_row), text_of (self->again_row)) != 0)
    {
      g_set_error_literal (&error, CLINIC_ERROR, CLINIC_ERROR_INVALID,
                           _("The new password and its repetition differ."));
      clinic_section_show_error (self->error_revealer, self->error_label, error);
      gtk_widget_grab_focus (GTK_WIDGET (self->again_row));
      return;
    }

  clinic_users_change_own_password (session, text_of (self->old_row),
                                    text_of (self->new_row), NULL, &error);

  /* Passwords leave the widgets as soon as they have been used, whether
   * the change went through or not. */
  gtk_editable_set_text (GTK_EDITABLE (self->old_row), "");
  gtk_editable_set_text (GTK_EDITABLE (self->new_row), "");
  gtk_editable_set_text (GTK_EDITABLE (self->again_row), "");
  clinic_section_show_error (self->error_revealer, self->error_label, error);
  gtk_revealer_set_reveal_child (self->done_revealer, error == NULL);
}

static void
on_text_changed (ClinicAccountSection *self)
{
  clinic_account_section_update_actions (self);
}

static void
on_entry_activated (ClinicAccountSection *self,
                    AdwEntryRow          *row)
{
  if (row == self->old_row)
    gtk_widget_grab_focus (GTK_WIDGET (self->new_row));
  else if (row == self->new_row)
    gtk_widget_grab_focus (GTK_WIDGET (self->again_row));
  else
    gtk_widget_activate_action (GTK_WIDGET (self), "account.change-password", NULL);
}

static void
clinic_account_section_session_set (ClinicSection *section)
{
  ClinicAccountSection *self = CLINIC_ACCOUNT_SECTION (section);
  ClinicSession *session = clinic_section_get_session (section);
  const char *builtin = clinic_session_get_role_builtin (session);
  const char *role;

  if (g_strcmp0 (builtin, "administrator") == 0)
    role = _("Administrator");
  else if (g_strcmp0 (builtin, "doctor") == 0)
    role = _("Doctor");
  else if (g_strcmp0 (builtin, "front-desk") == 0)
    role = _("Front Desk");
  else if (g_strcmp0 (builtin, "patient") == 0)
    role = _("Patient");
  else
    role = _("Custom role");

  adw_action_row_set_subtitle (self->name_row, clinic_session_get_display_name (session));
  adw_action_row_set_subtitle (self->user_row, clinic_session_get_user_name (session));
  adw_action_row_set_subtitle (self->role_row, role);
}

static void
clinic_account_section_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), CLINIC_TYPE_ACCOUNT_SECTION);

  G_OBJECT_CLASS (clinic_account_section_parent_class)->dispose (object);
}

static void
clinic_account_section_class_init (ClinicAccountSectionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  clinic_ensure_resources ();

  object_class->dispose = clinic_account_section_dispose;
  CLINIC_SECTION_CLASS (klass)->session_set = clinic_account_section_session_set;

  gtk_widget_class_set_template_from_resource (widget_class, "/com/example/Clinic/ui/clinic-account-section.ui");
  gtk_widget_class_bind_template_child (widget_class, ClinicAccountSection, name_row);
  gtk_widget_class_bind_template_child (widget_class, ClinicAccountSection, user_row);
  gtk_widget_class_bind_template_child (widget_class, ClinicAccountSection, role_row);
  gtk_widget_class_bind_template_child (widget_class, ClinicAccountSection, old_row);
  gtk_widget_class_bind_template_child (widget_class, ClinicAccountSection, new_row);
  gtk_widget_class_bind_template_child (widget_class, ClinicAccountSection, again_row);
  gtk_widget_class_bind_template_child (widget_class, ClinicAccountSection, error_revealer);
  gtk_widget_class_bind_template_child (widget_class, ClinicAccountSection, error_label);
  gtk_widget_class_bind_template_child (widget_class, ClinicAccountSection, done_revealer);
  gtk_widget_class_bind_template_callback (widget_class, on_text_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_entry_activated);

  gtk_widget_class_install_action (widget_class, "account.change-password", NULL,
                                   clinic_account_section_change_password);
}

static void
clinic_account_section_init (ClinicAccountSection *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  clinic_account_section_update_actions (self);
}
