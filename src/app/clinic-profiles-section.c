/* clinic-profiles-section.c — roles and the permissions they grant */

#include "config.h"

#include <glib/gi18n.h>

#include "clinic-app-utils.h"
#include "clinic-profiles-section.h"
#include "clinic-users.h"

struct _ClinicProfilesSection
{
  ClinicSection  parent_instance;

  /* "ROLE-ID:PERMISSION" → GtkSwitch (the list's) */
  GHashTable    *switches;
  gboolean       reverting;

  /* Template widgets */
  GtkRevealer   *error_revealer;
  GtkLabel      *error_label;
  GtkListBox    *roles_list;
  AdwEntryRow   *new_role_row;
};

G_DEFINE_FINAL_TYPE (ClinicProfilesSection, clinic_profiles_section, CLINIC_TYPE_SECTION)

static void clinic_profiles_section_reload (ClinicProfilesSection *self);

static ClinicSession *
session_of (ClinicProfilesSection *self)
{
  return clinic_section_get_session (CLINIC_SECTION (self));
}

static void
show_error (ClinicProfilesSection *self,
            const GError          *error)
{
  clinic_section_show_error (self->error_revealer, self->error_label, error);
}

static void
on_switch_active (GtkSwitch             *sw,
                  GParamSpec            *pspec,
                  ClinicProfilesSection *self)
{
  gint64 role_id = GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (sw), "role-id"));
  ClinicPermission permission = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (sw), "permission"));
  gboolean granted = gtk_switch_get_active (sw);
  g_autoptr(GError) error = NULL;

  if (self->reverting)
    return;

  if (!clinic_roles_set_permission (session_of (self), role_id, permission, granted, &error))
    {
      /* The switch shows what is in force, not what was refused. */
      self->reverting = TRUE;
      gtk_switch_set_active (sw, !granted);
      self->reverting = FALSE;
    }
  else
    {
      /* A change to one's own role takes effect in the core at once. */
      clinic_session_refresh (session_of (self), &error);
    }

  show_error (self, error);
}

static void
on_rename_apply (AdwEntryRow           *row,
                 ClinicProfilesSection *self)
{
  gint64 role_id = GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (row), "role-id"));
  g_autoptr(GError) error = NULL;

  if (clinic_roles_rename (session_of (self), role_id,
                           gtk_editable_get_text (GTK_EDITABLE (row)), &error))
    clinic_profiles_section_reload (self);
  else
    show_error (self, error);
}

static void
on_delete_response (AdwMessageDialog      *dialog,
                    const char            *response,
                    ClinicProfilesSection *self)
{
  gint64 role_id = GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (dialog), "role-id"));
  g_autoptr(GError) error = NULL;

  if (g_strcmp0 (response, "delete") != 0)
    return;

  if (clinic_roles_delete (session_of (self), role_id, &error))
    clinic_profiles_section_reload (self);
  else
    show_error (self, error);
}

static void
on_delete_clicked (GtkButton             *button,
                   ClinicProfilesSection *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  const char *name = g_object_get_data (G_OBJECT (button), "role-name");
  GtkWidget *dialog;

  dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                   _("Delete Role?"), NULL);
  /* Translators: %s is a role's name. */
  adw_message_dialog_format_body (ADW_MESSAGE_DIALOG (dialog),
                                  _("The role “%s” will be removed. Nobody holds it now."),
                                  name);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "delete", _("_Delete"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "delete",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data (G_OBJECT (dialog), "role-id",
                     g_object_get_data (G_OBJECT (button), "role-id"));
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_delete_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static GtkWidget *
make_role_row (ClinicProfilesSection *self,
               const ClinicRole      *role)
{
  GtkWidget *expander = adw_expander_row_new ();
  gpointer role_id = GSIZE_TO_POINTER ((gsize) role->id);
  g_autofree char *subtitle = NULL;
  guint granted = 0;

  for (guint p = 0; p < CLINIC_N_PERMISSIONS; p++)
    granted += role->permissions[p] ? 1 : 0;

  /* Translators: the first %u counts users, the second permissions. */
  subtitle = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                           "%u user · %u of %u permissions",
                                           "%u users · %u of %u permissions",
                                           role->n_users),
                              role->n_users, granted, (guint) CLINIC_N_PERMISSIONS);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (expander), role->name);
  adw_expander_row_set_subtitle (ADW_EXPANDER_ROW (expander), subtitle);

  if (role->builtin != NULL)
    {
      GtkWidget *tag = gtk_label_new (_("Built-in"));

      gtk_widget_add_css_class (tag, "dim-label");
      gtk_widget_add_css_class (tag, "caption");
      gtk_widget_set_valign (tag, GTK_ALIGN_CENTER);
      adw_expander_row_add_action (ADW_EXPANDER_ROW (expander), tag);
    }

  /* A rename row for every role (built-in ones may be renamed too). */
  {
    GtkWidget *rename = adw_entry_row_new ();

    adw_preferences_row_set_title (ADW_PREFERENCES_ROW (rename), _("Name"));
    gtk_editable_set_text (GTK_EDITABLE (rename), role->name);
    adw_entry_row_set_show_apply_button (ADW_ENTRY_ROW (rename), TRUE);
    g_object_set_data (G_OBJECT (rename), "role-id", role_id);
    g_signal_connect_object (rename, "apply", G_CALLBACK (on_rename_apply), self, 0);

    if (role->builtin == NULL)
      {
        GtkWidget *delete = gtk_button_new_from_icon_name ("user-trash-symbolic");
        /* Translators: %s is a role's name. */
        g_autofree char *label = g_strdup_printf (_("Delete Role “%s”"), role->name);

        gtk_widget_set_valign (delete, GTK_ALIGN_CENTER);
        gtk_widget_set_tooltip_text (delete, _("Delete Role…"));
        gtk_accessible_update_property (GTK_ACCESSIBLE (delete),
                                        GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
        gtk_widget_add_css_class (delete, "flat");
        gtk_widget_set_sensitive (delete, role->n_users == 0);
        g_object_set_data (G_OBJECT (delete), "role-id", role_id);
        g_object_set_data_full (G_OBJECT (delete), "role-name", g_strdup (role->name), g_free);
        g_signal_connect_object (delete, "clicked", G_CALLBACK (on_delete_clicked), self, 0);
        adw_entry_row_add_suffix (ADW_ENTRY_ROW (rename), delete);
      }

    adw_expander_row_add_row (ADW_EXPANDER_ROW (expander), rename);
  }

  for (guint p = 0; p < CLINIC_N_PERMISSIONS; p++)
    {
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *sw = gtk_switch_new ();
      const char *title = clinic_permission_get_title (p);

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
      adw_action_row_set_title_lines (ADW_ACTION_ROW (row), 3);
      gtk_switch_set_active (GTK_SWITCH (sw), role->permissions[p]);
      gtk_widget_set_valign (sw, GTK_ALIGN_CENTER);
      gtk_accessible_update_property (GTK_ACCESSIBLE (sw),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, title, -1);
      g_object_set_data (G_OBJECT (sw), "role-id", role_id);
      g_object_set_data (G_OBJECT (sw), "permission", GINT_TO_POINTER (p));
      g_signal_connect_object (sw, "notify::active", G_CALLBACK (on_switch_active), self, 0);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), sw);
      adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), sw);
      adw_expander_row_add_row (ADW_EXPANDER_ROW (expander), row);

      g_hash_table_insert (self->switches,
                           g_strdup_printf ("%" G_GINT64_FORMAT ":%u", role->id, p), sw);
    }

  return expander;
}

static void
clinic_profiles_section_reload (ClinicProfilesSection *self)
{
  g_autoptr(GPtrArray) roles = NULL;
  g_autoptr(GError) error = NULL;
  GtkWidget *child;

  g_hash_table_remove_all (self->switches);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->roles_list))) != NULL)
    gtk_list_box_remove (self->roles_list, child);

  roles = clinic_roles_list (session_of (self), &error);
  if (roles == NULL)
    {
      show_error (self, error);
      return;
    }

  for (guint i = 0; i < roles->len; i++)
    gtk_list_box_append (self->roles_list, make_role_row (self, g_ptr_array_index (roles, i)));
}

static void
on_new_role_apply (ClinicProfilesSection *self)
{
  g_autoptr(GError) error = NULL;

  if (clinic_roles_create (session_of (self),
                           gtk_editable_get_text (GTK_EDITABLE (self->new_role_row)),
                           &error) != 0)
    {
      gtk_editable_set_text (GTK_EDITABLE (self->new_role_row), "");
      clinic_profiles_section_reload (self);
    }

  show_error (self, error);
}

GtkSwitch *
clinic_profiles_section_get_switch (ClinicProfilesSection *self,
                                    gint64                 role_id,
                                    ClinicPermission       permission)
{
  g_autofree char *key = NULL;

  g_return_val_if_fail (CLINIC_IS_PROFILES_SECTION (self), NULL);

  key = g_strdup_printf ("%" G_GINT64_FORMAT ":%u", role_id, permission);
  return g_hash_table_lookup (self->switches, key);
}

const char *
clinic_profiles_section_get_error (ClinicProfilesSection *self)
{
  g_return_val_if_fail (CLINIC_IS_PROFILES_SECTION (self), NULL);

  if (!gtk_revealer_get_reveal_child (self->error_revealer))
    return NULL;

  return gtk_label_get_text (self->error_label);
}

static void
clinic_profiles_section_session_set (ClinicSection *section)
{
  clinic_profiles_section_reload (CLINIC_PROFILES_SECTION (section));
}

static void
clinic_profiles_section_dispose (GObject *object)
{
  ClinicProfilesSection *self = CLINIC_PROFILES_SECTION (object);

  g_hash_table_remove_all (self->switches);
  gtk_widget_dispose_template (GTK_WIDGET (object), CLINIC_TYPE_PROFILES_SECTION);

  G_OBJECT_CLASS (clinic_profiles_section_parent_class)->dispose (object);
}

static void
clinic_profiles_section_finalize (GObject *object)
{
  ClinicProfilesSection *self = CLINIC_PROFILES_SECTION (object);

  g_hash_table_unref (self->switches);

  G_OBJECT_CLASS (clinic_profiles_section_parent_class)->finalize (object);
}

static void
clinic_profiles_section_class_init (ClinicProfilesSectionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  clinic_ensure_resources ();

  object_class->dispose = clinic_profiles_section_dispose;
  object_class->finalize = clinic_profiles_section_finalize;
  CLINIC_SECTION_CLASS (klass)->session_set = clinic_profiles_section_session_set;

  gtk_widget_class_set_template_from_resource (widget_class, "/com/example/Clinic/ui/clinic-profiles-section.ui");
  gtk_widget_class_bind_template_child (widget_class, ClinicProfilesSection, error_revealer);
  gtk_widget_class_bind_template_child (widget_class, ClinicProfilesSection, error_label);
  gtk_widget_class_bind_template_child (widget_class, ClinicProfilesSection, roles_list);
  gtk_widget_class_bind_template_child (widget_class, ClinicProfilesSection, new_role_row);
  gtk_widget_class_bind_template_callback (widget_class, on_new_role_apply);
}

static void
clinic_profiles_section_init (ClinicProfilesSection *self)
{
  self->switches = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  gtk_widget_init_template (GTK_WIDGET (self));
}
