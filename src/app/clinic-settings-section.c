/* clinic-settings-section.c — the clinic's settings, one row each
 *
 * Nothing here knows a setting by name but the group titles: the rows come
 * from the specs table, the rules and messages from the core.
 */

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "clinic-app-utils.h"
#include "clinic-settings.h"
#include "clinic-settings-section.h"

typedef struct
{
  ClinicSettingsSection   *self;
  const ClinicSettingSpec *spec;
  GtkWidget               *row;
  GtkWidget               *editor;
  GtkWidget               *reset_button;
  char                    *error;
} SettingRow;

struct _ClinicSettingsSection
{
  ClinicSection       parent_instance;

  ClinicSettings     *settings;
  GHashTable         *rows;      /* key → SettingRow */
  /* Set while a row is filled from the settings, so that is not taken
   * for a person's change. */
  gboolean            updating;

  /* The bin's child, not bound: gtk_widget_dispose_template() would
   * unparent it behind AdwBin's back. */
  AdwPreferencesPage *page;
};

G_DEFINE_FINAL_TYPE (ClinicSettingsSection, clinic_settings_section, CLINIC_TYPE_SECTION)

static void
setting_row_free (gpointer data)
{
  SettingRow *row = data;

  g_free (row->error);
  g_free (row);
}

static const char *
spec_text (const char *msgid)
{
  return msgid != NULL && msgid[0] != '\0' ? g_dgettext (GETTEXT_PACKAGE, msgid) : "";
}

static const char *
group_title (const char *prefix)
{
  if (g_strcmp0 (prefix, "clinic") == 0)
    return _("Clinic");
  if (g_strcmp0 (prefix, "appointments") == 0)
    return _("Appointments");
  if (g_strcmp0 (prefix, "documents") == 0)
    return _("Documents");
  if (g_strcmp0 (prefix, "security") == 0)
    return _("Security");
  if (g_strcmp0 (prefix, "registration") == 0)
    return _("Registration at the Kiosk");

  return _("Other");
}

static const char *
choice_label (const char *word)
{
  /* The words are stored values; people read these. */
  if (g_strcmp0 (word, "a4") == 0)
    return _("A4");
  if (g_strcmp0 (word, "letter") == 0)
    return _("Letter");
  if (g_strcmp0 (word, "busy") == 0)
    return _("Busy only");
  if (g_strcmp0 (word, "initials") == 0)
    return _("Visit type and initials");
  if (g_strcmp0 (word, "full") == 0)
    return _("Everything (name, chart number, reason)");

  return word;
}

static void
show_row_error (SettingRow   *row,
                const GError *error)
{
  const char *description = spec_text (row->spec->description);

  g_clear_pointer (&row->error, g_free);
  if (error != NULL)
    row->error = g_strdup (error->message);

  if (ADW_IS_ENTRY_ROW (row->row))
    {
      /* An entry row has no subtitle: its title carries the message. */
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row->row),
                                     row->error != NULL ? row->error
                                                        : spec_text (row->spec->title));
      gtk_widget_set_tooltip_text (row->row, description);
    }
  else
    adw_action_row_set_subtitle (ADW_ACTION_ROW (row->row),
                                 row->error != NULL ? row->error : description);

  if (row->error != NULL)
    gtk_widget_add_css_class (row->row, "error");
  else
    gtk_widget_remove_css_class (row->row, "error");
}

/* Puts the stored value into the row's editor. */
static void
load_row (SettingRow *row)
{
  ClinicSettingsSection *self = row->self;
  g_autofree char *value = clinic_settings_get (self->settings, row->spec->key);

  self->updating = TRUE;

  switch (row->spec->type)
    {
    case CLINIC_SETTING_INT:
      gtk_spin_button_set_value (GTK_SPIN_BUTTON (row->editor),
                                 (double) g_ascii_strtoll (value, NULL, 10));
      break;

    case CLINIC_SETTING_BOOL:
      gtk_switch_set_active (GTK_SWITCH (row->editor), g_strcmp0 (value, "true") == 0);
      break;

    case CLINIC_SETTING_CHOICE:
      for (guint i = 0; row->spec->choices[i] != NULL; i++)
        if (g_strcmp0 (row->spec->choices[i], value) == 0)
          adw_combo_row_set_selected (ADW_COMBO_ROW (row->editor), i);
      break;

    case CLINIC_SETTING_STRING:
    case CLINIC_SETTING_TIMEZONE:
    case CLINIC_SETTING_CURRENCY:
    default:
      gtk_editable_set_text (GTK_EDITABLE (row->editor), value);
      break;
    }

  gtk_widget_set_sensitive (row->reset_button,
                            !clinic_settings_is_default (self->settings, row->spec->key));
  self->updating = FALSE;
}

static char *
editor_value (SettingRow *row)
{
  switch (row->spec->type)
    {
    case CLINIC_SETTING_INT:
      return g_strdup_printf ("%" G_GINT64_FORMAT,
                              (gint64) gtk_spin_button_get_value (GTK_SPIN_BUTTON (row->editor)));

    case CLINIC_SETTING_BOOL:
      return g_strdup (gtk_switch_get_active (GTK_SWITCH (row->editor)) ? "true" : "false");

    case CLINIC_SETTING_CHOICE:
      {
        guint selected = adw_combo_row_get_selected (ADW_COMBO_ROW (row->editor));

        if (selected == GTK_INVALID_LIST_POSITION)
          return NULL;
        return g_strdup (row->spec->choices[selected]);
      }

    case CLINIC_SETTING_STRING:
    case CLINIC_SETTING_TIMEZONE:
    case CLINIC_SETTING_CURRENCY:
    default:
      return g_strdup (gtk_editable_get_text (GTK_EDITABLE (row->editor)));
    }
}

static void
apply_row (SettingRow *row)
{
  ClinicSettingsSection *self = row->self;
  ClinicSession *session = clinic_section_get_session (CLINIC_SECTION (self));
  g_autofree char *value = NULL;
  g_autofree char *stored = NULL;
  g_autoptr(GError) error = NULL;

  if (self->updating)
    return;

  value = editor_value (row);
  stored = clinic_settings_get (self->settings, row->spec->key);
  /* Nothing to do; a message about a refused value stays until the next
   * change (the spin button reports its value again after a revert). */
  if (value == NULL || g_strcmp0 (value, stored) == 0)
    return;

  if (!clinic_settings_set (self->settings, session, row->spec->key, value, &error))
    {
      show_row_error (row, error);
      /* A text stays as typed, to be corrected; a number, switch or
       * choice goes back to what is in force. */
      if (ADW_IS_ENTRY_ROW (row->editor))
        return;
      load_row (row);
      return;
    }

  show_row_error (row, NULL);
}

static void
on_reset_clicked (GtkButton  *button,
                  SettingRow *row)
{
  ClinicSettingsSection *self = row->self;
  ClinicSession *session = clinic_section_get_session (CLINIC_SECTION (self));
  g_autoptr(GError) error = NULL;

  if (!clinic_settings_reset (self->settings, session, row->spec->key, &error))
    show_row_error (row, error);
  else
    {
      show_row_error (row, NULL);
      load_row (row);
    }
}

static void
on_setting_changed (ClinicSettingsSection *self,
                    const char            *key)
{
  SettingRow *row = g_hash_table_lookup (self->rows, key);

  if (row == NULL)
    return;

  load_row (row);
  show_row_error (row, NULL);
}

static void
on_entry_apply (AdwEntryRow *entry,
                SettingRow  *row)
{
  apply_row (row);
}

static void
on_focus_leave (GtkEventControllerFocus *controller,
                SettingRow              *row)
{
  apply_row (row);
}

static void
on_spin_changed (GtkSpinButton *spin,
                 SettingRow    *row)
{
  apply_row (row);
}

static void
on_switch_active (GtkSwitch  *sw,
                  GParamSpec *pspec,
                  SettingRow *row)
{
  apply_row (row);
}

static void
on_combo_selected (AdwComboRow *combo,
                   GParamSpec  *pspec,
                   SettingRow  *row)
{
  apply_row (row);
}

static GtkWidget *
make_reset_button (SettingRow *row)
{
  GtkWidget *button = gtk_button_new_from_icon_name ("edit-undo-symbolic");
  /* Translators: %s is a setting's title. */
  g_autofree char *label = g_strdup_printf (_("Reset “%s” to Default"),
                                            spec_text (row->spec->title));

  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (button, _("Reset to Default"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
  gtk_widget_add_css_class (button, "flat");
  g_signal_connect (button, "clicked", G_CALLBACK (on_reset_clicked), row);

  return button;
}

static SettingRow *
make_row (ClinicSettingsSection   *self,
          const ClinicSettingSpec *spec)
{
  SettingRow *row = g_new0 (SettingRow, 1);
  const char *title = spec_text (spec->title);
  const char *description = spec_text (spec->description);

  row->self = self;
  row->spec = spec;

  switch (spec->type)
    {
    case CLINIC_SETTING_INT:
      {
        /* The range is wider than the rule on purpose: a number out of
         * range gets the core's sentence, not a silent clamp. */
        double upper = MAX ((double) spec->max, 9999.0);

        row->row = adw_action_row_new ();
        row->editor = gtk_spin_button_new_with_range (0, MIN (upper, 1e9), 1);
        gtk_spin_button_set_numeric (GTK_SPIN_BUTTON (row->editor), TRUE);
        gtk_widget_set_valign (row->editor, GTK_ALIGN_CENTER);
        adw_action_row_add_suffix (ADW_ACTION_ROW (row->row), row->editor);
        g_signal_connect (row->editor, "value-changed", G_CALLBACK (on_spin_changed), row);
      }
      break;

    case CLINIC_SETTING_BOOL:
      row->row = adw_action_row_new ();
      row->editor = gtk_switch_new ();
      gtk_widget_set_valign (row->editor, GTK_ALIGN_CENTER);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row->row), row->editor);
      adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row->row), row->editor);
      g_signal_connect (row->editor, "notify::active", G_CALLBACK (on_switch_active), row);
      break;

    case CLINIC_SETTING_CHOICE:
      {
        g_autoptr(GtkStringList) list = gtk_string_list_new (NULL);

        for (guint i = 0; spec->choices[i] != NULL; i++)
          gtk_string_list_append (list, choice_label (spec->choices[i]));
        row->row = adw_combo_row_new ();
        row->editor = row->row;
        adw_combo_row_set_model (ADW_COMBO_ROW (row->row), G_LIST_MODEL (list));
        g_signal_connect (row->row, "notify::selected", G_CALLBACK (on_combo_selected), row);
      }
      break;

    case CLINIC_SETTING_STRING:
    case CLINIC_SETTING_TIMEZONE:
    case CLINIC_SETTING_CURRENCY:
    default:
      {
        GtkEventController *focus = gtk_event_controller_focus_new ();

        row->row = adw_entry_row_new ();
        row->editor = row->row;
        adw_entry_row_set_show_apply_button (ADW_ENTRY_ROW (row->row), TRUE);
        if (spec->flags & CLINIC_SETTING_FLAG_PHONE)
          adw_entry_row_set_input_purpose (ADW_ENTRY_ROW (row->row), GTK_INPUT_PURPOSE_PHONE);
        else if (spec->flags & CLINIC_SETTING_FLAG_EMAIL)
          adw_entry_row_set_input_purpose (ADW_ENTRY_ROW (row->row), GTK_INPUT_PURPOSE_EMAIL);
        g_signal_connect (row->row, "apply", G_CALLBACK (on_entry_apply), row);
        g_signal_connect (focus, "leave", G_CALLBACK (on_focus_leave), row);
        gtk_widget_add_controller (row->row, focus);
      }
      break;
    }

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row->row), title);
  if (ADW_IS_ACTION_ROW (row->row))
    {
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row->row), description);
      adw_action_row_set_title_lines (ADW_ACTION_ROW (row->row), 2);
    }
  else
    gtk_widget_set_tooltip_text (row->row, description);

  if (row->editor != row->row)
    gtk_accessible_update_property (GTK_ACCESSIBLE (row->editor),
                                    GTK_ACCESSIBLE_PROPERTY_LABEL, title,
                                    GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, description,
                                    -1);

  row->reset_button = make_reset_button (row);
  if (ADW_IS_ENTRY_ROW (row->row))
    adw_entry_row_add_suffix (ADW_ENTRY_ROW (row->row), row->reset_button);
  else
    adw_action_row_add_suffix (ADW_ACTION_ROW (row->row), row->reset_button);

  return row;
}

static void
clinic_settings_section_session_set (ClinicSection *section)
{
  ClinicSettingsSection *self = CLINIC_SETTINGS_SECTION (section);
  ClinicSession *session = clinic_section_get_session (section);
  AdwPreferencesGroup *group = NULL;
  g_autofree char *group_prefix = NULL;
  const ClinicSettingSpec *specs;
  guint n_specs = 0;

  self->settings = g_object_ref (clinic_settings_get_for_db (clinic_session_get_db (session)));
  specs = clinic_settings_list_specs (&n_specs);

  for (guint i = 0; i < n_specs; i++)
    {
      const char *dot = strchr (specs[i].key, '.');
      g_autofree char *prefix = g_strndup (specs[i].key, dot != NULL ? dot - specs[i].key : 0);
      SettingRow *row;

      /* Kept by the program itself (the last backup), not preferences. */
      if (g_strcmp0 (prefix, "backup") == 0)
        continue;

      if (group == NULL || g_strcmp0 (prefix, group_prefix) != 0)
        {
          group = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
          adw_preferences_group_set_title (group, group_title (prefix));
          adw_preferences_page_add (self->page, group);
          g_free (group_prefix);
          group_prefix = g_strdup (prefix);
        }

      row = make_row (self, &specs[i]);
      adw_preferences_group_add (group, row->row);
      g_hash_table_insert (self->rows, (gpointer) specs[i].key, row);
      load_row (row);
    }

  g_signal_connect_object (self->settings, "changed",
                           G_CALLBACK (on_setting_changed), self, G_CONNECT_SWAPPED);
}

GtkWidget *
clinic_settings_section_get_editor (ClinicSettingsSection *self,
                                    const char            *key)
{
  SettingRow *row;

  g_return_val_if_fail (CLINIC_IS_SETTINGS_SECTION (self), NULL);

  row = g_hash_table_lookup (self->rows, key);
  return row != NULL ? row->editor : NULL;
}

const char *
clinic_settings_section_get_error (ClinicSettingsSection *self,
                                   const char            *key)
{
  SettingRow *row;

  g_return_val_if_fail (CLINIC_IS_SETTINGS_SECTION (self), NULL);

  row = g_hash_table_lookup (self->rows, key);
  return row != NULL ? row->error : NULL;
}

static void
clinic_settings_section_dispose (GObject *object)
{
  ClinicSettingsSection *self = CLINIC_SETTINGS_SECTION (object);

  if (self->settings != NULL)
    g_signal_handlers_disconnect_by_data (self->settings, self);
  /* Entries losing focus as they go are not a person's change. */
  self->updating = TRUE;
  gtk_widget_dispose_template (GTK_WIDGET (object), CLINIC_TYPE_SETTINGS_SECTION);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (clinic_settings_section_parent_class)->dispose (object);
}

static void
clinic_settings_section_finalize (GObject *object)
{
  ClinicSettingsSection *self = CLINIC_SETTINGS_SECTION (object);

  g_hash_table_unref (self->rows);

  G_OBJECT_CLASS (clinic_settings_section_parent_class)->finalize (object);
}

static void
clinic_settings_section_class_init (ClinicSettingsSectionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  clinic_ensure_resources ();

  object_class->dispose = clinic_settings_section_dispose;
  object_class->finalize = clinic_settings_section_finalize;
  CLINIC_SECTION_CLASS (klass)->session_set = clinic_settings_section_session_set;

  gtk_widget_class_set_template_from_resource (widget_class, "/com/example/Clinic/ui/clinic-settings-section.ui");
}

static void
clinic_settings_section_init (ClinicSettingsSection *self)
{
  self->rows = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, setting_row_free);
  gtk_widget_init_template (GTK_WIDGET (self));
  self->page = ADW_PREFERENCES_PAGE (adw_bin_get_child (ADW_BIN (self)));
}
