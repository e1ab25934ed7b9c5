/* clinic-ics-dialogs.c — Export Calendar… and Import Calendar… */

#include "config.h"

#include <glib/gi18n.h>

#include "clinic-app-utils.h"
#include "clinic-ics-dialogs.h"
#include "clinic-ics.h"
#include "clinic-schedule.h"
#include "clinic-section.h"

/* --- Shared ------------------------------------------------------------------- */

/* Fills @row with the doctors (after "All doctors" when @with_all) and
 * returns their ids in the same order (0 for all). */
static GArray *
fill_doctors (AdwComboRow    *row,
              ClinicSession  *session,
              gboolean        with_all)
{
  g_autoptr(GPtrArray) providers = clinic_providers_list (session, FALSE, NULL);
  GtkStringList *names = gtk_string_list_new (NULL);
  GArray *ids = g_array_new (FALSE, FALSE, sizeof (gint64));

  if (with_all)
    {
      gint64 all = 0;

      gtk_string_list_append (names, _("All doctors"));
      g_array_append_val (ids, all);
    }
  for (guint i = 0; providers != NULL && i < providers->len; i++)
    {
      const ClinicProvider *p = providers->pdata[i];

      gtk_string_list_append (names, p->display_name);
      g_array_append_val (ids, p->user_id);
    }
  adw_combo_row_set_model (row, G_LIST_MODEL (names));
  g_object_unref (names);
  return ids;
}

static gint64
chosen_doctor (AdwComboRow *row,
               GArray      *ids)
{
  guint selected = adw_combo_row_get_selected (row);

  return selected < ids->len ? g_array_index (ids, gint64, selected) : 0;
}

/* --- Export --------------------------------------------------------------------- */

struct _ClinicIcsExportDialog
{
  AdwWindow             parent_instance;

  GtkRevealer          *error_revealer;
  GtkLabel             *error_label;
  AdwComboRow          *doctor_row;
  AdwEntryRow          *from_row;
  AdwEntryRow          *to_row;
  AdwComboRow          *detail_row;

  ClinicSession        *session;
  GArray               *doctor_ids;
  GtkFileChooserNative *chooser;
};

G_DEFINE_FINAL_TYPE (ClinicIcsExportDialog, clinic_ics_export_dialog, ADW_TYPE_WINDOW)

/* The start of local day @text, or of the day after it. */
static gboolean
day_start (GTimeZone   *tz,
           const char  *text,
           gboolean     day_after,
           gint64      *instant,
           GError     **error)
{
  g_autofree char *with_time = g_strdup_printf ("%s 00:00", text);

  if (!clinic_parse_local_time (tz, with_time, instant, error))
    return FALSE;
  if (day_after)
    {
      g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (*instant);
      g_autoptr(GDateTime) local = g_date_time_to_timezone (utc, tz);

      *instant = clinic_local_to_unix (tz, g_date_time_get_year (local), g_date_time_get_month (local),
                                       g_date_time_get_day_of_month (local), 1440);
    }
  return TRUE;
}

gint64
clinic_ics_export_dialog_export_to (ClinicIcsExportDialog  *self,
                                    const char             *path,
                                    GError                **error)
{
  g_autoptr(GTimeZone) tz = NULL;
  g_autoptr(GError) local = NULL;
  gint64 from = 0, to = 0, n = -1;

  g_return_val_if_fail (CLINIC_IS_ICS_EXPORT_DIALOG (self), -1);

  tz = clinic_schedule_get_timezone (clinic_session_get_db (self->session));
  if (day_start (tz, gtk_editable_get_text (GTK_EDITABLE (self->from_row)), FALSE, &from, &local)
      && day_start (tz, gtk_editable_get_text (GTK_EDITABLE (self->to_row)), TRUE, &to, &local))
    n = clinic_ics_export (self->session, chosen_doctor (self->doctor_row, self->doctor_ids), from, to,
                           (ClinicIcsDetail) adw_combo_row_get_selected (self->detail_row), path, &local);
  clinic_section_show_error (self->error_revealer, self->error_label, local);
  if (local != NULL)
    g_propagate_error (error, g_steal_pointer (&local));
  return n;
}

static void
on_export_response (ClinicIcsExportDialog *self,
                    int                    response,
                    GtkFileChooserNative  *chooser)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      g_autofree char *path = g_file_get_path (file);

      if (path != NULL && clinic_ics_export_dialog_export_to (self, path, NULL) >= 0)
        gtk_window_close (GTK_WINDOW (self));
    }
  g_clear_object (&self->chooser);
}

static void
export_choose_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  ClinicIcsExportDialog *self = CLINIC_ICS_EXPORT_DIALOG (widget);

  self->chooser = gtk_file_chooser_native_new (_("Export Calendar"), GTK_WINDOW (self),
                                               GTK_FILE_CHOOSER_ACTION_SAVE, _("_Export"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (self->chooser), "calendar.ics");
  g_signal_connect_object (self->chooser, "response", G_CALLBACK (on_export_response), self, G_CONNECT_SWAPPED);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

GtkWindow *
clinic_ics_export_dialog_new (GtkWindow     *parent,
                              ClinicSession *session)
{
  ClinicIcsExportDialog *self;
  g_autoptr(GTimeZone) tz = NULL;
  g_autoptr(GDateTime) now = NULL;
  g_autoptr(GDateTime) later = NULL;
  g_autofree char *from = NULL;
  g_autofree char *to = NULL;

  g_return_val_if_fail (CLINIC_IS_SESSION (session), NULL);

  self = g_object_new (CLINIC_TYPE_ICS_EXPORT_DIALOG, "transient-for", parent, NULL);
  self->session = g_object_ref (session);
  self->doctor_ids = fill_doctors (self->doctor_row, session, TRUE);
  /* Today and the three months after it. */
  tz = clinic_schedule_get_timezone (clinic_session_get_db (session));
  now = g_date_time_new_now (tz);
  later = g_date_time_add_months (now, 3);
  from = g_date_time_format (now, "%Y-%m-%d");
  to = g_date_time_format (later, "%Y-%m-%d");
  gtk_editable_set_text (GTK_EDITABLE (self->from_row), from);
  gtk_editable_set_text (GTK_EDITABLE (self->to_row), to);
  return GTK_WINDOW (self);
}

static void
clinic_ics_export_dialog_dispose (GObject *object)
{
  ClinicIcsExportDialog *self = CLINIC_ICS_EXPORT_DIALOG (object);

  gtk_widget_dispose_template (GTK_WIDGET (object), CLINIC_TYPE_ICS_EXPORT_DIALOG);
  g_clear_object (&self->chooser);
  g_clear_object (&self->session);
  g_clear_pointer (&self->doctor_ids, g_array_unref);

  G_OBJECT_CLASS (clinic_ics_export_dialog_parent_class)->dispose (object);
}

static void
clinic_ics_export_dialog_class_init (ClinicIcsExportDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  clinic_ensure_resources ();

  object_class->dispose = clinic_ics_export_dialog_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, "/com/example/Clinic/ui/clinic-ics-export-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, ClinicIcsExportDialog, error_revealer);
  gtk_widget_class_bind_template_child (widget_class, ClinicIcsExportDialog, error_label);
  gtk_widget_class_bind_template_child (widget_class, ClinicIcsExportDialog, doctor_row);
  gtk_widget_class_bind_template_child (widget_class, ClinicIcsExportDialog, from_row);
  gtk_widget_class_bind_template_child (widget_class, ClinicIcsExportDialog, to_row);
  gtk_widget_class_bind_template_child (widget_class, ClinicIcsExportDialog, detail_row);

  gtk_widget_class_install_action (widget_class, "ics-export.choose", NULL, export_choose_action);
}

static void
clinic_ics_export_dialog_init (ClinicIcsExportDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  clinic_window_close_on_escape (GTK_WINDOW (self));
}

/* --- Import --------------------------------------------------------------------- */

struct _ClinicIcsImportDialog
{
  AdwWindow             parent_instance;

  GtkRevealer          *error_revealer;
  GtkLabel             *error_label;
  AdwComboRow          *doctor_row;
  GtkLabel             *summary_label;
  GtkListBox           *events;

  ClinicSession        *session;
  GArray               *doctor_ids;
  GBytes               *data;       /* the file chosen, NULL before */
  GtkFileChooserNative *chooser;
};

G_DEFINE_FINAL_TYPE (ClinicIcsImportDialog, clinic_ics_import_dialog, ADW_TYPE_WINDOW)

enum { IMPORTED, N_SIGNALS };
static guint signals[N_SIGNALS];

static const char *
state_text (ClinicIcsEventState state)
{
  switch (state)
    {
    case CLINIC_ICS_EVENT_UPDATE:
      return _("Changes an earlier import");
    case CLINIC_ICS_EVENT_CONFLICT:
      return _("Conflict");
    case CLINIC_ICS_EVENT_UNMATCHED:
      return _("No patient or visit type");
    case CLINIC_ICS_EVENT_SKIPPED:
      return _("Nothing to do");
    case CLINIC_ICS_EVENT_NEW:
    default:
      return _("New");
    }
}

/* The preview as appointments, for @blocked as blocked time; NULL with
 * @error when the file or the choice is refused. */
static GPtrArray *
preview (ClinicIcsImportDialog  *self,
         gboolean                blocked,
         GError                **error)
{
  ClinicIcsImport options = { chosen_doctor (self->doctor_row, self->doctor_ids), 0, 0, blocked };
  gsize length = 0;
  const char *data = g_bytes_get_data (self->data, &length);

  return clinic_ics_preview (self->session, data, length, &options, error);
}

static gboolean
all_clear (GPtrArray *events)
{
  for (guint i = 0; events != NULL && i < events->len; i++)
    {
      const ClinicIcsEvent *e = events->pdata[i];

      if (e->state == CLINIC_ICS_EVENT_CONFLICT || e->state == CLINIC_ICS_EVENT_UNMATCHED)
        return FALSE;
    }
  return events != NULL;
}

/* Shows the events of the file for the chosen doctor and enables what
 * can be done with them. */
static gboolean
refresh (ClinicIcsImportDialog  *self,
         GError                **error)
{
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(GPtrArray) blocks = NULL;
  g_autoptr(GTimeZone) tz = clinic_schedule_get_timezone (clinic_session_get_db (self->session));
  g_autoptr(GError) local = NULL;
  g_autofree char *summary = NULL;
  GtkWidget *child;
  guint problems = 0;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->events))) != NULL)
    gtk_list_box_remove (self->events, child);
  if (self->data != NULL)
    {
      events = preview (self, FALSE, &local);
      blocks = events != NULL ? preview (self, TRUE, NULL) : NULL;
    }
  for (guint i = 0; events != NULL && i < events->len; i++)
    {
      const ClinicIcsEvent *e = events->pdata[i];
      g_autofree char *start = clinic_format_local_time (tz, e->starts_at);
      g_autofree char *subtitle = NULL;
      GtkWidget *row = adw_action_row_new ();

      if (e->problem != NULL)
        subtitle = g_strdup_printf ("%s: %s", state_text (e->state), e->problem);
      else if (e->by_name_only)
        /* No chart number and no date of birth: the name is all there
         * was, and two people may share one; the front desk looks. */
        subtitle = g_strdup_printf (_("%s — matched by name only (“%s”, no date of birth): check that this is the right patient"),
                                    state_text (e->state), e->patient_name);
      else
        subtitle = g_strdup (state_text (e->state));

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), start);
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
      if (e->state == CLINIC_ICS_EVENT_CONFLICT || e->state == CLINIC_ICS_EVENT_UNMATCHED)
        {
          gtk_widget_add_css_class (row, "error");
          problems++;
        }
      else if (e->by_name_only)
        gtk_widget_add_css_class (row, "warning");
      gtk_list_box_append (self->events, row);
    }
  if (events != NULL)
    {
      g_autofree char *count = g_strdup_printf ("%u", events->len);
      g_autofree char *trouble = g_strdup_printf ("%u", problems);

      summary = problems == 0
                ? g_strdup_printf (_("%s events, none in conflict."), count)
                : g_strdup_printf (_("%s events, %s of them cannot be imported as appointments."), count, trouble);
      gtk_label_set_text (self->summary_label, summary);
    }
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "ics-import.import", all_clear (events));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "ics-import.blocked", all_clear (blocks));
  clinic_section_show_error (self->error_revealer, self->error_label, local);
  if (local != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  return TRUE;
}

gboolean
clinic_ics_import_dialog_load (ClinicIcsImportDialog  *self,
                               const char             *path,
                               GError                **error)
{
  g_autoptr(GError) local = NULL;
  char *contents = NULL;
  gsize length = 0;

  g_return_val_if_fail (CLINIC_IS_ICS_IMPORT_DIALOG (self), FALSE);

  g_clear_pointer (&self->data, g_bytes_unref);
  if (!g_file_get_contents (path, &contents, &length, &local))
    {
      clinic_section_show_error (self->error_revealer, self->error_label, local);
      g_propagate_error (error, g_steal_pointer (&local));
      refresh (self, NULL);
      return FALSE;
    }
  self->data = g_bytes_new_take (contents, length);
  return refresh (self, error);
}

GtkListBox *
clinic_ics_import_dialog_get_events (ClinicIcsImportDialog *self)
{
  g_return_val_if_fail (CLINIC_IS_ICS_IMPORT_DIALOG (self), NULL);

  return self->events;
}

static void
on_doctor_changed (ClinicIcsImportDialog *self)
{
  if (self->data != NULL)
    refresh (self, NULL);
}

static void
on_import_response (ClinicIcsImportDialog *self,
                    int                    response,
                    GtkFileChooserNative  *chooser)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      g_autofree char *path = g_file_get_path (file);

      if (path != NULL)
        clinic_ics_import_dialog_load (self, path, NULL);
    }
  g_clear_object (&self->chooser);
}

static void
import_choose_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  ClinicIcsImportDialog *self = CLINIC_ICS_IMPORT_DIALOG (widget);
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();

  gtk_file_filter_set_name (filter, _("Calendar files"));
  gtk_file_filter_add_pattern (filter, "*.ics");
  self->chooser = gtk_file_chooser_native_new (_("Import Calendar"), GTK_WINDOW (self),
                                               GTK_FILE_CHOOSER_ACTION_OPEN, _("_Open"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->chooser), filter);
  g_signal_connect_object (self->chooser, "response", G_CALLBACK (on_import_response), self, G_CONNECT_SWAPPED);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

static void
import_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  ClinicIcsImportDialog *self = CLINIC_ICS_IMPORT_DIALOG (widget);
  ClinicIcsImport options = { chosen_doctor (self->doctor_row, self->doctor_ids), 0, 0,
                              g_str_equal (action_name, "ics-import.blocked") };
  g_autoptr(GError) error = NULL;
  gsize length = 0;
  const char *data;
  gint64 n;

  if (self->data == NULL)
    return;
  data = g_bytes_get_data (self->data, &length);
  n = clinic_ics_import (self->session, data, length, &options, &error);
  clinic_section_show_error (self->error_revealer, self->error_label, error);
  if (n < 0)
    {
      refresh (self, NULL);
      return;
    }
  g_signal_emit (self, signals[IMPORTED], 0, n);
  gtk_window_close (GTK_WINDOW (self));
}

GtkWindow *
clinic_ics_import_dialog_new (GtkWindow     *parent,
                              ClinicSession *session)
{
  ClinicIcsImportDialog *self;

  g_return_val_if_fail (CLINIC_IS_SESSION (session), NULL);

  self = g_object_new (CLINIC_TYPE_ICS_IMPORT_DIALOG, "transient-for", parent, NULL);
  self->session = g_object_ref (session);
  self->doctor_ids = fill_doctors (self->doctor_row, session, FALSE);
  g_signal_connect_object (self->doctor_row, "notify::selected", G_CALLBACK (on_doctor_changed), self,
                           G_CONNECT_SWAPPED);
  return GTK_WINDOW (self);
}

static void
clinic_ics_import_dialog_dispose (GObject *object)
{
  ClinicIcsImportDialog *self = CLINIC_ICS_IMPORT_DIALOG (object);

  gtk_widget_dispose_template (GTK_WIDGET (object), CLINIC_TYPE_ICS_IMPORT_DIALOG);
  g_clear_object (&self->chooser);
  g_clear_object (&self->session);
  g_clear_pointer (&self->doctor_ids, g_array_unref);
  g_clear_pointer (&self->data, g_bytes_unref);

  G_OBJECT_CLASS (clinic_ics_import_dialog_parent_class)->dispose (object);
}

static void
clinic_ics_import_dialog_class_init (ClinicIcsImportDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  clinic_ensure_resources ();

  object_class->dispose = clinic_ics_import_dialog_dispose;

  signals[IMPORTED] = g_signal_new ("imported", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                    G_TYPE_NONE, 1, G_TYPE_INT64);

  gtk_widget_class_set_template_from_resource (widget_class, "/com/example/Clinic/ui/clinic-ics-import-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, ClinicIcsImportDialog, error_revealer);
  gtk_widget_class_bind_template_child (widget_class, ClinicIcsImportDialog, error_label);
  gtk_widget_class_bind_template_child (widget_class, ClinicIcsImportDialog, doctor_row);
  gtk_widget_class_bind_template_child (widget_class, ClinicIcsImportDialog, summary_label);
  gtk_widget_class_bind_template_child (widget_class, ClinicIcsImportDialog, events);

  gtk_widget_class_install_action (widget_class, "ics-import.choose", NULL, import_choose_action);
  gtk_widget_class_install_action (widget_class, "ics-import.import", NULL, import_action);
  gtk_widget_class_install_action (widget_class, "ics-import.blocked", NULL, import_action);
}

static void
clinic_ics_import_dialog_init (ClinicIcsImportDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "ics-import.import", FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "ics-import.blocked", FALSE);
  clinic_window_close_on_escape (GTK_WINDOW (self));
}
