/* clinic-users-section.c — who may sign in
 *
 * Passwords typed here go straight to the core and leave the widgets as
 * soon as they have been used. New key slots use the core's default
 * (MODERATE) Argon2id limits, so adding a staff member takes a moment.
 */

#include "config.h"

#include <string.h>

#include <sodium.h>

#include <glib/gi18n.h>

#include "clinic-app-utils.h"
#include "clinic-storage.h"
#include "clinic-users.h"
#include "clinic-users-section.h"

struct _ClinicUsersSection
{
  ClinicSection  parent_instance;

  GPtrArray     *roles;        /* ClinicRole, in the role row's order */

  /* Template widgets */
  GtkRevealer   *error_revealer;
  GtkLabel      *error_label;
  GtkListBox    *users_list;
  AdwEntryRow   *name_row;
  AdwEntryRow   *display_name_row;
  AdwComboRow   *role_row;
  AdwEntryRow   *password_row;
  AdwEntryRow   *again_row;
};

G_DEFINE_FINAL_TYPE (ClinicUsersSection, clinic_users_section, CLINIC_TYPE_SECTION)

static void clinic_users_section_reload (ClinicUsersSection *self);

static ClinicSession *
session_of (ClinicUsersSection *self)
{
  return clinic_section_get_session (CLINIC_SECTION (self));
}

static void
show_error (ClinicUsersSection *self,
            const GError       *error)
{
  clinic_section_show_error (self->error_revealer, self->error_label, error);
}

static const char *
text_of (AdwEntryRow *row)
{
  return gtk_editable_get_text (GTK_EDITABLE (row));
}

static GtkWindow *
parent_window (ClinicUsersSection *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  return GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL;
}

static void
clinic_users_section_update_actions (ClinicUsersSection *self)
{
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "users.add",
                                 text_of (self->name_row)[0] != '\0' &&
                                 text_of (self->display_name_row)[0] != '\0' &&
                                 text_of (self->password_row)[0] != '\0' &&
                                 self->roles != NULL && self->roles->len > 0);
}

static void
on_form_changed (ClinicUsersSection *self)
{
  clinic_users_section_update_actions (self);
}

/* --- Changing the database key after a staff member leaves ------------- */

static void
show_recovery_key (ClinicUsersSection *self,
                   const char         *key)
{
  GtkWidget *dialog;
  GtkWidget *label;

  dialog = adw_message_dialog_new (parent_window (self), _("New Recovery Key"),
                                   _("The database has a new key. The printed recovery sheet no longer opens it: write this key down or print a new sheet now, and destroy the old one. Backups made before today still open with the old key."));
  label = gtk_label_new (key);
  gtk_label_set_selectable (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_justify (GTK_LABEL (label), GTK_JUSTIFY_CENTER);
  gtk_widget_add_css_class (label, "monospace");
  gtk_widget_add_css_class (label, "title-4");
  gtk_accessible_update_property (GTK_ACCESSIBLE (label),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Recovery key"), -1);
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), label);
  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("I Have Written It Down"));
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "close");
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
on_rekey_response (AdwMessageDialog   *dialog,
                   const char         *response,
                   ClinicUsersSection *self)
{
  g_autoptr(GError) error = NULL;
  char *key = NULL;

  if (g_strcmp0 (response, "rekey") != 0)
    return;

  if (!clinic_storage_rekey (session_of (self), &key, &error))
    {
      show_error (self, error);
      return;
    }

  show_recovery_key (self, key);
  sodium_memzero (key, strlen (key));
  g_free (key);
}

static void
offer_rekey (ClinicUsersSection *self,
             const char         *display_name)
{
  GtkWidget *dialog;

  dialog = adw_message_dialog_new (parent_window (self), _("Change the Database Key?"), NULL);
  /* Translators: %s is the name of the staff member just disabled. */
  adw_message_dialog_format_body (ADW_MESSAGE_DIALOG (dialog),
                                  _("%s can no longer sign in. But a copy of the key file made before today would still open the database with their old password. Changing the key makes such copies useless; it gives the clinic a new recovery key, which you must write down or print."),
                                  display_name);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "later", _("_Not Now"),
                                    "rekey", _("_Change Key"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "rekey",
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "rekey");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "later");
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_rekey_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* --- Asking for a new password (enable, reset) ------------------------- */

typedef enum
{
  ASK_RESET,
  ASK_ENABLE,
} AskKind;

static void
on_password_response (AdwMessageDialog   *dialog,
                      const char         *response,
                      ClinicUsersSection *self)
{
  GtkEditable *first = g_object_get_data (G_OBJECT (dialog), "first");
  GtkEditable *second = g_object_get_data (G_OBJECT (dialog), "second");
  gint64 user_id = *(gint64 *) g_object_get_data (G_OBJECT (dialog), "user-id");
  AskKind kind = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (dialog), "kind"));
  g_autoptr(GError) error = NULL;

  if (g_strcmp0 (response, "apply") != 0)
    return;

  if (g_strcmp0 (gtk_editable_get_text (first), gtk_editable_get_text (second)) != 0)
    g_set_error_literal (&error, CLINIC_ERROR, CLINIC_ERROR_INVALID,
                         _("The new password and its repetition differ."));
  else if (kind == ASK_RESET)
    clinic_users_reset_password (session_of (self), user_id,
                                 gtk_editable_get_text (first), NULL, &error);
  else
    clinic_users_set_disabled (session_of (self), user_id, FALSE,
                               gtk_editable_get_text (first), NULL, &error);

  gtk_editable_set_text (first, "");
  gtk_editable_set_text (second, "");
  show_error (self, error);
  clinic_users_section_reload (self);
}

static void
ask_password (ClinicUsersSection *self,
              const ClinicUser   *user,
              AskKind             kind)
{
  GtkWidget *dialog;
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *first = gtk_password_entry_new ();
  GtkWidget *second = gtk_password_entry_new ();

  dialog = adw_message_dialog_new (parent_window (self),
                                   kind == ASK_RESET ? _("Reset Password")
                                                     : _("Enable User"),
                                   NULL);
  /* Translators: %s is a person's name. */
  adw_message_dialog_format_body (ADW_MESSAGE_DIALOG (dialog),
                                  _("Choose a new password for %s and tell it to them in person."),
                                  user->display_name);
  gtk_password_entry_set_show_peek_icon (GTK_PASSWORD_ENTRY (first), TRUE);
  g_object_set (first, "placeholder-text", _("New Password"), NULL);
  g_object_set (second, "placeholder-text", _("New Password Again"), NULL);
  gtk_accessible_update_property (GTK_ACCESSIBLE (first),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("New Password"), -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (second),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("New Password Again"), -1);
  gtk_box_append (GTK_BOX (box), first);
  gtk_box_append (GTK_BOX (box), second);
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), box);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "apply", kind == ASK_RESET ? _("_Reset Password")
                                                               : _("_Enable"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "apply",
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data (G_OBJECT (dialog), "first", first);
  g_object_set_data (G_OBJECT (dialog), "second", second);
  g_object_set_data_full (G_OBJECT (dialog), "user-id",
                          g_memdup2 (&user->id, sizeof user->id), g_free);
  g_object_set_data (G_OBJECT (dialog), "kind", GINT_TO_POINTER (kind));
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_password_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* --- The list ---------------------------------------------------------- */

static void
on_reset_clicked (GtkButton          *button,
                  ClinicUsersSection *self)
{
  ask_password (self, g_object_get_data (G_OBJECT (button), "user"), ASK_RESET);
}

static void
on_disable_clicked (GtkButton          *button,
                    ClinicUsersSection *self)
{
  const ClinicUser *user = g_object_get_data (G_OBJECT (button), "user");
  g_autoptr(GError) error = NULL;
  g_autofree char *display_name = NULL;
  gboolean staff;

  if (user->disabled)
    {
      ask_password (self, user, ASK_ENABLE);
      return;
    }

  display_name = g_strdup (user->display_name);
  staff = user->kind == CLINIC_USER_STAFF;
  if (!clinic_users_set_disabled (session_of (self), user->id, TRUE, NULL, NULL, &error))
    {
      show_error (self, error);
      return;
    }

  show_error (self, NULL);
  /* The reload frees @user. */
  clinic_users_section_reload (self);
  if (staff)
    offer_rekey (self, display_name);
}

static void
on_unlock_clicked (GtkButton          *button,
                   ClinicUsersSection *self)
{
  ClinicUser *user = g_object_get_data (G_OBJECT (button), "user");
  g_autoptr(GError) error = NULL;

  if (!clinic_users_clear_lockout (session_of (self), user->id, &error))
    {
      show_error (self, error);
      return;
    }

  show_error (self, NULL);
  /* The reload frees @user. */
  clinic_users_section_reload (self);
}

static GtkWidget *
make_user_row (ClinicUsersSection *self,
               ClinicUser         *user)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *reset = gtk_button_new_with_mnemonic (_("_Reset Password…"));
  GtkWidget *disable = gtk_button_new_with_mnemonic (user->disabled ? _("_Enable…")
                                                                    : _("_Disable"));
  g_autofree char *subtitle = NULL;
  g_autofree char *reset_label = NULL;
  g_autofree char *disable_label = NULL;

  /* Translators: sign-in name · role · kind of account [· Disabled]. */
  subtitle = g_strdup_printf ("%s · %s · %s%s%s", user->name, user->role_name,
                              user->kind == CLINIC_USER_STAFF ? _("Staff") : _("Patient"),
                              user->disabled ? " · " : "",
                              user->disabled ? _("Disabled") : "");
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), user->display_name);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  if (user->disabled)
    gtk_widget_add_css_class (row, "dim-label");

  /* Translators: %s is a person's name, for a screen reader. */
  reset_label = g_strdup_printf (_("Reset the password of %s"), user->display_name);
  disable_label = g_strdup_printf (user->disabled ? _("Enable %s") : _("Disable %s"),
                                   user->display_name);
  gtk_accessible_update_property (GTK_ACCESSIBLE (reset),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, reset_label, -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (disable),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, disable_label, -1);
  gtk_widget_set_valign (reset, GTK_ALIGN_CENTER);
  gtk_widget_set_valign (disable, GTK_ALIGN_CENTER);
  gtk_widget_set_sensitive (reset, !user->disabled);
  gtk_widget_set_sensitive (disable, user->id != clinic_session_get_user_id (session_of (self)));
  if (!user->disabled)
    gtk_widget_add_css_class (disable, "destructive-action");

  g_object_set_data_full (G_OBJECT (row), "user", user, (GDestroyNotify) clinic_user_free);
  g_object_set_data (G_OBJECT (reset), "user", user);
  g_object_set_data (G_OBJECT (disable), "user", user);
  g_signal_connect_object (reset, "clicked", G_CALLBACK (on_reset_clicked), self, 0);
  g_signal_connect_object (disable, "clicked", G_CALLBACK (on_disable_clicked), self, 0);
  if (user->lockout_wait > 0)
    {
      GtkWidget *unlock = gtk_button_new_with_mnemonic (_("_Lift Lock-Out"));
      g_autofree char *unlock_label = NULL;
      g_autofree char *waiting = NULL;

      /* Translators: shown under a user locked out by failed sign-ins. */
      waiting = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                              "%s · locked out for %u more minute",
                                              "%s · locked out for %u more minutes",
                                              (user->lockout_wait + 59) / 60),
                                 subtitle, (user->lockout_wait + 59) / 60);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), waiting);
      /* Translators: %s is a person's name, for a screen reader. */
      unlock_label = g_strdup_printf (_("Lift the lock-out of %s"), user->display_name);
      gtk_accessible_update_property (GTK_ACCESSIBLE (unlock),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, unlock_label, -1);
      gtk_widget_set_valign (unlock, GTK_ALIGN_CENTER);
      g_object_set_data (G_OBJECT (unlock), "user", user);
      g_signal_connect_object (unlock, "clicked", G_CALLBACK (on_unlock_clicked), self, 0);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), unlock);
    }
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), reset);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), disable);

  return row;
}

static void
clinic_users_section_reload (ClinicUsersSection *self)
{
  g_autoptr(GPtrArray) users = NULL;
  g_autoptr(GtkStringList) role_names = gtk_string_list_new (NULL);
  g_autoptr(GError) error = NULL;
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->users_list))) != NULL)
    gtk_list_box_remove (self->users_list, child);

  users = clinic_users_list (session_of (self), &error);
  if (users == NULL)
    {
      show_error (self, error);
      return;
    }

  /* Each row owns its user from here on. */
  for (guint i = 0; i < users->len; i++)
    {
      gtk_list_box_append (self->users_list, make_user_row (self, g_ptr_array_index (users, i)));
      g_ptr_array_index (users, i) = NULL;
    }
  g_ptr_array_set_free_func (users, NULL);

  g_clear_pointer (&self->roles, g_ptr_array_unref);
  self->roles = clinic_roles_list (session_of (self), &error);
  if (self->roles == NULL)
    {
      show_error (self, error);
      return;
    }
  for (guint i = 0; i < self->roles->len; i++)
    gtk_string_list_append (role_names, ((ClinicRole *) g_ptr_array_index (self->roles, i))->name);
  adw_combo_row_set_model (self->role_row, G_LIST_MODEL (role_names));
  clinic_users_section_update_actions (self);
}

static void
clinic_users_section_add (GtkWidget  *widget,
                          const char *action_name,
                          GVariant   *parameter)
{
  ClinicUsersSection *self = CLINIC_USERS_SECTION (widget);
  guint selected = adw_combo_row_get_selected (self->role_row);
  g_autoptr(GError) error = NULL;
  const ClinicRole *role;
  ClinicUserKind kind;
  gint64 created;

  if (selected == GTK_INVALID_LIST_POSITION || selected >= self->roles->len)
    return;
  role = g_ptr_array_index (self->roles, selected);
  kind = g_strcmp0 (role->builtin, "patient") == 0 ? CLINIC_USER_PATIENT : CLINIC_USER_STAFF;

  if (g_strcmp0 (text_of (self->password_row), text_of (self->again_row)) != 0)
    {
      g_set_error_literal (&error, CLINIC_ERROR, CLINIC_ERROR_INVALID,
                           _("The password and its repetition differ."));
      show_error (self, error);
      return;
    }

  created = clinic_users_create (session_of (self), text_of (self->name_row),
                                 text_of (self->display_name_row), kind, role->id,
                                 text_of (self->password_row), NULL, &error);

  /* The password leaves the widgets once used, whatever the answer. */
  gtk_editable_set_text (GTK_EDITABLE (self->password_row), "");
  gtk_editable_set_text (GTK_EDITABLE (self->again_row), "");
  if (created == 0)
    {
      show_error (self, error);
      return;
    }

  gtk_editable_set_text (GTK_EDITABLE (self->name_row), "");
  gtk_editable_set_text (GTK_EDITABLE (self->display_name_row), "");
  show_error (self, NULL);
  clinic_users_section_reload (self);
}

static void
clinic_users_section_session_set (ClinicSection *section)
{
  clinic_users_section_reload (CLINIC_USERS_SECTION (section));
}

static void
clinic_users_section_dispose (GObject *object)
{
  ClinicUsersSection *self = CLINIC_USERS_SECTION (object);

  gtk_widget_dispose_template (GTK_WIDGET (object), CLINIC_TYPE_USERS_SECTION);
  g_clear_pointer (&self->roles, g_ptr_array_unref);

  G_OBJECT_CLASS (clinic_users_section_parent_class)->dispose (object);
}

static void
clinic_users_section_class_init (ClinicUsersSectionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  clinic_ensure_resources ();

  object_class->dispose = clinic_users_section_dispose;
  CLINIC_SECTION_CLASS (klass)->session_set = clinic_users_section_session_set;

  gtk_widget_class_set_template_from_resource (widget_class, "/com/example/Clinic/ui/clinic-users-section.ui");
  gtk_widget_class_bind_template_child (widget_class, ClinicUsersSection, error_revealer);
  gtk_widget_class_bind_template_child (widget_class, ClinicUsersSection, error_label);
  gtk_widget_class_bind_template_child (widget_class, ClinicUsersSection, users_list);
  gtk_widget_class_bind_template_child (widget_class, ClinicUsersSection, name_row);
  gtk_widget_class_bind_template_child (widget_class, ClinicUsersSection, display_name_row);
  gtk_widget_class_bind_template_child (widget_class, ClinicUsersSection, role_row);
  gtk_widget_class_bind_template_child (widget_class, ClinicUsersSection, password_row);
  gtk_widget_class_bind_template_child (widget_class, ClinicUsersSection, again_row);
  gtk_widget_class_bind_template_callback (widget_class, on_form_changed);

  gtk_widget_class_install_action (widget_class, "users.add", NULL,
                                   clinic_users_section_add);
}

static void
clinic_users_section_init (ClinicUsersSection *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  clinic_users_section_update_actions (self);
}
