/* clinic-dashboard-section.c — the staff's start page
 *
 * The backup runs on the main thread, behind a spinner:
 * clinic_storage_backup() uses the ClinicDb's own connection, which belongs to the main thread,
 * and a small clinic's database copies in a moment. (Large databases want
 * a GTask with a second connection; see the report of this change.)
 */

#include "config.h"

#include <glib/gi18n.h>

#include "clinic-app-utils.h"
#include "clinic-dashboard-section.h"
#include "clinic-settings.h"
#include "clinic-storage.h"

#define KEY_LAST_TIME   "backup.last-time"
#define KEY_LAST_RESULT "backup.last-result"

struct _ClinicDashboardSection
{
  ClinicSection         parent_instance;

  ClinicSettings       *settings;
  GFile                *folder;
  GtkFileChooserNative *chooser;
  gboolean              backing_up;
  gboolean              back_up_after_choosing;
  /* When the settings cannot keep the result (no SETTINGS permission). */
  gint64                last_time;
  char                 *last_result;

  /* Template widgets */
  GtkLabel             *greeting_label;
  GtkLabel             *clinic_label;
  AdwPreferencesGroup  *backup_group;
  AdwActionRow         *folder_row;
  AdwActionRow         *status_row;
  GtkSpinner           *spinner;
  GtkRevealer          *error_revealer;
  GtkLabel             *error_label;
};

G_DEFINE_FINAL_TYPE (ClinicDashboardSection, clinic_dashboard_section, CLINIC_TYPE_SECTION)

static void
clinic_dashboard_section_update_actions (ClinicDashboardSection *self)
{
  ClinicSession *session = clinic_section_get_session (CLINIC_SECTION (self));
  gboolean may = session != NULL &&
                 clinic_session_has_permission (session, CLINIC_PERMISSION_BACKUPS);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "dashboard.back-up",
                                 may && !self->backing_up);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "dashboard.choose-folder",
                                 may && !self->backing_up && self->chooser == NULL);
}

static void
update_clinic_name (ClinicDashboardSection *self)
{
  g_autofree char *name = clinic_settings_get (self->settings, "clinic.name");

  gtk_label_set_text (self->clinic_label, name);
}

static void
update_backup_status (ClinicDashboardSection *self)
{
  g_autofree char *stored = NULL;
  g_autofree char *text = NULL;
  const char *result;
  gint64 when;

  when = clinic_settings_get_int (self->settings, KEY_LAST_TIME);
  stored = clinic_settings_get (self->settings, KEY_LAST_RESULT);
  result = stored;
  if (self->last_time > when)
    {
      when = self->last_time;
      result = self->last_result;
    }

  if (when <= 0)
    text = g_strdup (_("No backup has been made from Clinic yet."));
  else
    {
      g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (when);
      g_autoptr(GDateTime) local = g_date_time_to_local (utc);
      /* Translators: a date and time, see g_date_time_format(). */
      g_autofree char *date = g_date_time_format (local, _("%-d %B %Y, %H:%M"));

      if (g_str_has_prefix (result, "ok:"))
        /* Translators: %s is a date, then the backup file. */
        text = g_strdup_printf (_("%s — saved as %s"), date, result + 3);
      else if (g_str_has_prefix (result, "error:"))
        /* Translators: %s is a date, then why the backup failed. */
        text = g_strdup_printf (_("%s — failed: %s"), date, result + 6);
      else
        text = g_strdup (date);
    }

  adw_action_row_set_subtitle (self->status_row, text);
}

static void
update_folder (ClinicDashboardSection *self)
{
  g_autofree char *path = self->folder != NULL ? g_file_get_path (self->folder) : NULL;

  adw_action_row_set_subtitle (self->folder_row,
                               path != NULL ? path : _("Chosen when you first back up"));
}

static void
on_setting_changed (ClinicDashboardSection *self,
                    const char             *key)
{
  if (g_strcmp0 (key, "clinic.name") == 0)
    update_clinic_name (self);
  else if (g_str_has_prefix (key, "backup."))
    update_backup_status (self);
}

static void
record_result (ClinicDashboardSection *self,
               gint64                  when,
               const char             *result)
{
  ClinicSession *session = clinic_section_get_session (CLINIC_SECTION (self));
  g_autofree char *when_text = g_strdup_printf ("%" G_GINT64_FORMAT, when);

  self->last_time = when;
  g_free (self->last_result);
  self->last_result = g_strdup (result);

  /* Kept in the clinic's settings when this user may change them, so the
   * next administrator sees it too; otherwise for this run only. */
  if (clinic_session_has_permission (session, CLINIC_PERMISSION_SETTINGS))
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *clipped = g_utf8_substring (result, 0, 1000);

      if (!clinic_settings_set (self->settings, session, KEY_LAST_TIME, when_text, &error) ||
          !clinic_settings_set (self->settings, session, KEY_LAST_RESULT, clipped, &error))
        g_debug ("Could not keep the backup's result: %s", error->message);
    }

  update_backup_status (self);
}

static gboolean
run_backup (gpointer data)
{
  ClinicDashboardSection *self = data;
  ClinicSession *session = clinic_section_get_session (CLINIC_SECTION (self));
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *name = g_date_time_format (now, "clinic-%Y-%m-%d-%H%M.clinicbackup");
  g_autoptr(GFile) file = g_file_get_child (self->folder, name);
  g_autofree char *path = g_file_get_path (file);
  g_autoptr(GError) error = NULL;
  g_autofree char *result = NULL;

  if (!clinic_storage_backup (session, path, NULL, &error))
    result = g_strconcat ("error:", error->message, NULL);
  else
    result = g_strconcat ("ok:", path, NULL);

  self->backing_up = FALSE;
  gtk_spinner_stop (self->spinner);
  clinic_section_show_error (self->error_revealer, self->error_label, error);
  record_result (self, g_date_time_to_unix (now), result);
  clinic_dashboard_section_update_actions (self);

  g_object_unref (self);
  return G_SOURCE_REMOVE;
}

static void
start_backup (ClinicDashboardSection *self)
{
  self->backing_up = TRUE;
  gtk_spinner_start (self->spinner);
  clinic_section_show_error (self->error_revealer, self->error_label, NULL);
  clinic_dashboard_section_update_actions (self);

  /* Let the spinner draw before the main thread is busy copying. */
  g_timeout_add_full (G_PRIORITY_DEFAULT_IDLE, 100, run_backup, g_object_ref (self), NULL);
}

static void
on_chooser_response (ClinicDashboardSection *self,
                     int                     response,
                     GtkFileChooserNative   *chooser)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) folder = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));

      clinic_dashboard_section_set_backup_folder (self, folder);
    }

  g_clear_object (&self->chooser);
  clinic_dashboard_section_update_actions (self);

  if (response == GTK_RESPONSE_ACCEPT && self->back_up_after_choosing)
    start_backup (self);
  self->back_up_after_choosing = FALSE;
}

static void
choose_folder (ClinicDashboardSection *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  self->chooser = gtk_file_chooser_native_new (_("Choose a Backup Folder"),
                                               GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                               GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER,
                                               _("_Select"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);
  if (self->folder != NULL)
    gtk_file_chooser_set_current_folder (GTK_FILE_CHOOSER (self->chooser), self->folder, NULL);
  g_signal_connect_object (self->chooser, "response",
                           G_CALLBACK (on_chooser_response), self, G_CONNECT_SWAPPED);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
  clinic_dashboard_section_update_actions (self);
}

static void
clinic_dashboard_section_choose_folder (GtkWidget  *widget,
                                        const char *action_name,
                                        GVariant   *parameter)
{
  choose_folder (CLINIC_DASHBOARD_SECTION (widget));
}

static void
clinic_dashboard_section_back_up (GtkWidget  *widget,
                                  const char *action_name,
                                  GVariant   *parameter)
{
  ClinicDashboardSection *self = CLINIC_DASHBOARD_SECTION (widget);

  if (self->folder == NULL)
    {
      self->back_up_after_choosing = TRUE;
      choose_folder (self);
      return;
    }

  start_backup (self);
}

void
clinic_dashboard_section_set_backup_folder (ClinicDashboardSection *self,
                                            GFile                  *folder)
{
  g_return_if_fail (CLINIC_IS_DASHBOARD_SECTION (self));
  g_return_if_fail (G_IS_FILE (folder));

  g_set_object (&self->folder, folder);
  update_folder (self);
}

const char *
clinic_dashboard_section_get_backup_status (ClinicDashboardSection *self)
{
  g_return_val_if_fail (CLINIC_IS_DASHBOARD_SECTION (self), NULL);

  return adw_action_row_get_subtitle (self->status_row);
}

static void
clinic_dashboard_section_session_set (ClinicSection *section)
{
  ClinicDashboardSection *self = CLINIC_DASHBOARD_SECTION (section);
  ClinicSession *session = clinic_section_get_session (section);
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  const char *name = clinic_session_get_display_name (session);
  g_autofree char *greeting = NULL;
  int hour = g_date_time_get_hour (now);

  if (hour < 5 || hour >= 18)
    /* Translators: %s is the signed-in person's name. */
    greeting = g_strdup_printf (_("Good evening, %s"), name);
  else if (hour < 12)
    /* Translators: %s is the signed-in person's name. */
    greeting = g_strdup_printf (_("Good morning, %s"), name);
  else
    /* Translators: %s is the signed-in person's name. */
    greeting = g_strdup_printf (_("Good afternoon, %s"), name);
  gtk_label_set_text (self->greeting_label, greeting);

  self->settings = g_object_ref (clinic_settings_get_for_db (clinic_session_get_db (session)));
  g_signal_connect_object (self->settings, "changed",
                           G_CALLBACK (on_setting_changed), self, G_CONNECT_SWAPPED);
  update_clinic_name (self);

  gtk_widget_set_visible (GTK_WIDGET (self->backup_group),
                          clinic_session_has_permission (session, CLINIC_PERMISSION_BACKUPS));
  update_folder (self);
  update_backup_status (self);
  clinic_dashboard_section_update_actions (self);
}

static void
clinic_dashboard_section_dispose (GObject *object)
{
  ClinicDashboardSection *self = CLINIC_DASHBOARD_SECTION (object);

  if (self->chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);
  gtk_widget_dispose_template (GTK_WIDGET (object), CLINIC_TYPE_DASHBOARD_SECTION);
  g_clear_object (&self->settings);
  g_clear_object (&self->folder);

  G_OBJECT_CLASS (clinic_dashboard_section_parent_class)->dispose (object);
}

static void
clinic_dashboard_section_finalize (GObject *object)
{
  ClinicDashboardSection *self = CLINIC_DASHBOARD_SECTION (object);

  g_free (self->last_result);

  G_OBJECT_CLASS (clinic_dashboard_section_parent_class)->finalize (object);
}

static void
clinic_dashboard_section_class_init (ClinicDashboardSectionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  ClinicSectionClass *section_class = CLINIC_SECTION_CLASS (klass);

  clinic_ensure_resources ();

  object_class->dispose = clinic_dashboard_section_dispose;
  object_class->finalize = clinic_dashboard_section_finalize;
  section_class->session_set = clinic_dashboard_section_session_set;

  gtk_widget_class_set_template_from_resource (widget_class, "/com/example/Clinic/ui/clinic-dashboard-section.ui");
  gtk_widget_class_bind_template_child (widget_class, ClinicDashboardSection, greeting_label);
  gtk_widget_class_bind_template_child (widget_class, ClinicDashboardSection, clinic_label);
  gtk_widget_class_bind_template_child (widget_class, ClinicDashboardSection, backup_group);
  gtk_widget_class_bind_template_child (widget_class, ClinicDashboardSection, folder_row);
  gtk_widget_class_bind_template_child (widget_class, ClinicDashboardSection, status_row);
  gtk_widget_class_bind_template_child (widget_class, ClinicDashboardSection, spinner);
  gtk_widget_class_bind_template_child (widget_class, ClinicDashboardSection, error_revealer);
  gtk_widget_class_bind_template_child (widget_class, ClinicDashboardSection, error_label);

  gtk_widget_class_install_action (widget_class, "dashboard.back-up", NULL,
                                   clinic_dashboard_section_back_up);
  gtk_widget_class_install_action (widget_class, "dashboard.choose-folder", NULL,
                                   clinic_dashboard_section_choose_folder);
}

static void
clinic_dashboard_section_init (ClinicDashboardSection *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}
