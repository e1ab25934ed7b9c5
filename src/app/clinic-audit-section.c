/* clinic-audit-section.c — the audit trail, for those who may read it
 *
 * The list pages itself from the core (ClinicAuditModel); dates typed in
 * the filter are days in the clinic's time zone. The core checks
 * CLINIC_PERMISSION_AUDIT on every read; exporting is not yet audited by
 * the core (a later change makes the export itself an audited call).
 */

#include "config.h"

#include <stdio.h>
#include <string.h>

#include <glib/gi18n.h>

#include "clinic-app-utils.h"
#include "clinic-audit-model.h"
#include "clinic-audit-section.h"
#include "clinic-settings.h"

#define WINDOW 200

typedef enum
{
  COLUMN_TIME,
  COLUMN_USER,
  COLUMN_ACTION,
  COLUMN_RECORD,
  COLUMN_CHANGE,
  N_COLUMNS
} Column;

struct _ClinicAuditSection
{
  ClinicSection         parent_instance;

  ClinicAuditModel     *model;
  GTimeZone            *zone;
  GtkFileChooserNative *chooser;

  /* Template widgets */
  GtkEntry             *user_entry;
  GtkEntry             *action_entry;
  GtkEntry             *patient_entry;
  GtkEntry             *from_entry;
  GtkEntry             *to_entry;
  GtkRevealer          *error_revealer;
  GtkLabel             *error_label;
  GtkStack             *view_stack;
  GtkColumnView        *column_view;
};

G_DEFINE_FINAL_TYPE (ClinicAuditSection, clinic_audit_section, CLINIC_TYPE_SECTION)

static char *
format_time (ClinicAuditSection *self,
             gint64              time)
{
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (time);
  g_autoptr(GDateTime) local = g_date_time_to_timezone (utc, self->zone);

  return g_date_time_format (local, "%Y-%m-%d %H:%M:%S");
}

static char *
column_text (ClinicAuditSection     *self,
             const ClinicAuditEntry *entry,
             Column                  column)
{
  switch (column)
    {
    case COLUMN_TIME:
      return format_time (self, entry->time);

    case COLUMN_USER:
      return g_strdup (entry->user_name);

    case COLUMN_ACTION:
      return g_strdup (entry->action);

    case COLUMN_RECORD:
      if (entry->object_type == NULL)
        return g_strdup ("");
      return g_strjoin (" ", entry->object_type,
                        entry->object_id != NULL ? entry->object_id : "", NULL);

    case COLUMN_CHANGE:
      if (entry->old_value == NULL && entry->new_value == NULL)
        return g_strdup ("");
      if (entry->old_value == NULL)
        return g_strdup (entry->new_value);
      /* Translators: an old value becoming a new one, in the audit list. */
      return g_strdup_printf (_("%s → %s"), entry->old_value,
                              entry->new_value != NULL ? entry->new_value : "");

    case N_COLUMNS:
    default:
      g_assert_not_reached ();
    }
}

static char *
cell_text (gpointer  item,
           int       column,
           gpointer  data)
{
  return column_text (data, clinic_audit_row_get_entry (item), column);
}

static void
add_column (ClinicAuditSection *self,
            Column              column,
            const char         *title,
            gboolean            expand)
{
  clinic_column_view_add_text_column (self->column_view, title, column, expand, column >= COLUMN_RECORD,
                                      cell_text, self);
}

/* A day typed as YYYY-MM-DD, as the Unix time its first second starts in
 * the clinic's zone; plus @days. */
static gboolean
parse_day (ClinicAuditSection *self,
           const char         *text,
           int                 days,
           gint64             *time)
{
  int year, month, day;
  char end;
  g_autoptr(GDateTime) start = NULL;
  g_autoptr(GDateTime) shifted = NULL;

  if (sscanf (text, "%4d-%2d-%2d%c", &year, &month, &day, &end) != 3 ||
      !g_date_valid_dmy (day, month, year))
    return FALSE;

  start = g_date_time_new (self->zone, year, month, day, 0, 0, 0);
  if (start == NULL)
    return FALSE;
  shifted = g_date_time_add_days (start, days);
  *time = g_date_time_to_unix (shifted);

  return TRUE;
}

static gboolean
read_filter (ClinicAuditSection *self,
             ClinicAuditFilter  *filter,
             GError            **error)
{
  const char *from = gtk_editable_get_text (GTK_EDITABLE (self->from_entry));
  const char *to = gtk_editable_get_text (GTK_EDITABLE (self->to_entry));
  const char *user = gtk_editable_get_text (GTK_EDITABLE (self->user_entry));
  const char *action = gtk_editable_get_text (GTK_EDITABLE (self->action_entry));
  const char *patient = gtk_editable_get_text (GTK_EDITABLE (self->patient_entry));

  *filter = (ClinicAuditFilter) { 0 };
  filter->user_name = user[0] != '\0' ? user : NULL;
  filter->action = action[0] != '\0' ? action : NULL;

  if (patient[0] != '\0')
    {
      guint64 number = 0;

      if (!g_ascii_string_to_unsigned (patient, 10, 1, G_MAXINT64, &number, NULL))
        {
          g_set_error (error, CLINIC_ERROR, CLINIC_ERROR_INVALID,
                       _("“%s” is not a patient number; it has only digits."), patient);
          return FALSE;
        }
      filter->patient_id = (gint64) number;
    }

  if (from[0] != '\0' && !parse_day (self, from, 0, &filter->from_time))
    {
      g_set_error (error, CLINIC_ERROR, CLINIC_ERROR_INVALID,
                   _("“%s” is not a date; write it like 2024-05-03."), from);
      return FALSE;
    }

  /* The "to" day is included: the filter ends where the next day begins. */
  if (to[0] != '\0' && !parse_day (self, to, 1, &filter->to_time))
    {
      g_set_error (error, CLINIC_ERROR, CLINIC_ERROR_INVALID,
                   _("“%s” is not a date; write it like 2024-05-03."), to);
      return FALSE;
    }

  return TRUE;
}

static void
update_view (ClinicAuditSection *self)
{
  gtk_stack_set_visible_child_name (self->view_stack,
                                    g_list_model_get_n_items (G_LIST_MODEL (self->model)) > 0
                                    ? "list" : "empty");
}

static void
clinic_audit_section_filter (GtkWidget  *widget,
                             const char *action_name,
                             GVariant   *parameter)
{
  ClinicAuditSection *self = CLINIC_AUDIT_SECTION (widget);
  ClinicAuditFilter filter;
  g_autoptr(GError) error = NULL;

  if (read_filter (self, &filter, &error))
    clinic_audit_model_set_filter (self->model, &filter, &error);

  clinic_section_show_error (self->error_revealer, self->error_label, error);
  update_view (self);
}

static void
on_filter_activate (ClinicAuditSection *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "audit.filter", NULL);
}

static void
clinic_audit_section_verify (GtkWidget  *widget,
                             const char *action_name,
                             GVariant   *parameter)
{
  ClinicAuditSection *self = CLINIC_AUDIT_SECTION (widget);
  ClinicSession *session = clinic_section_get_session (CLINIC_SECTION (self));
  GtkRoot *root = gtk_widget_get_root (widget);
  g_autoptr(GError) error = NULL;
  g_autofree char *report = NULL;
  g_autofree char *body = NULL;
  GtkWidget *dialog;
  gboolean whole;

  whole = clinic_audit_verify (session, NULL, &report, &error);
  if (whole)
    body = g_strdup (report);
  else
    body = g_strjoin ("\n\n", error->message, report != NULL ? report : "", NULL);

  dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                   whole ? _("Audit Trail Verified")
                                         : _("Audit Trail Damaged"),
                                   g_strstrip (body));
  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "close");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "close");
  gtk_window_present (GTK_WINDOW (dialog));
}

gboolean
clinic_audit_section_export (ClinicAuditSection *self,
                             GFile              *file,
                             GError            **error)
{
  ClinicSession *session = clinic_section_get_session (CLINIC_SECTION (self));
  g_autoptr(GFileOutputStream) stream = NULL;
  ClinicAuditFilter filter;

  g_return_val_if_fail (CLINIC_IS_AUDIT_SECTION (self), FALSE);
  g_return_val_if_fail (G_IS_FILE (file), FALSE);

  if (!read_filter (self, &filter, error))
    return FALSE;

  stream = g_file_replace (file, NULL, FALSE, G_FILE_CREATE_PRIVATE, NULL, error);
  if (stream == NULL)
    return FALSE;

  /* The core writes it, so the permission check and the audit entry for
   * this export of patient data are the core's. */
  if (!clinic_audit_export_csv (session, &filter, self->zone, G_OUTPUT_STREAM (stream), error))
    {
      g_output_stream_close (G_OUTPUT_STREAM (stream), NULL, NULL);
      g_file_delete (file, NULL, NULL);
      return FALSE;
    }

  return g_output_stream_close (G_OUTPUT_STREAM (stream), NULL, error);
}

static void
on_export_response (ClinicAuditSection   *self,
                    int                   response,
                    GtkFileChooserNative *chooser)
{
  g_autoptr(GError) error = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));

      clinic_audit_section_export (self, file, &error);
      clinic_section_show_error (self->error_revealer, self->error_label, error);
    }

  g_clear_object (&self->chooser);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "audit.export", TRUE);
}

static void
clinic_audit_section_export_action (GtkWidget  *widget,
                                    const char *action_name,
                                    GVariant   *parameter)
{
  ClinicAuditSection *self = CLINIC_AUDIT_SECTION (widget);
  GtkRoot *root = gtk_widget_get_root (widget);
  g_autoptr(GDateTime) now = g_date_time_new_now (self->zone);
  g_autofree char *name = g_date_time_format (now, "clinic-audit-%Y-%m-%d.csv");

  self->chooser = gtk_file_chooser_native_new (_("Export Audit Entries"),
                                               GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                               GTK_FILE_CHOOSER_ACTION_SAVE,
                                               _("_Export"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (self->chooser), name);
  g_signal_connect_object (self->chooser, "response",
                           G_CALLBACK (on_export_response), self, G_CONNECT_SWAPPED);
  gtk_widget_action_set_enabled (widget, "audit.export", FALSE);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

GListModel *
clinic_audit_section_get_model (ClinicAuditSection *self)
{
  g_return_val_if_fail (CLINIC_IS_AUDIT_SECTION (self), NULL);

  return G_LIST_MODEL (self->model);
}

static void
clinic_audit_section_session_set (ClinicSection *section)
{
  ClinicAuditSection *self = CLINIC_AUDIT_SECTION (section);
  ClinicSession *session = clinic_section_get_session (section);
  ClinicSettings *settings = clinic_settings_get_for_db (clinic_session_get_db (session));
  g_autofree char *zone = clinic_settings_get (settings, "clinic.timezone");
  g_autoptr(GtkNoSelection) selection = NULL;
  g_autoptr(GError) error = NULL;

  self->zone = g_time_zone_new_identifier (zone);
  if (self->zone == NULL)
    self->zone = g_time_zone_new_local ();

  self->model = clinic_audit_model_new (session, WINDOW);
  selection = gtk_no_selection_new (g_object_ref (G_LIST_MODEL (self->model)));
  gtk_column_view_set_model (self->column_view, GTK_SELECTION_MODEL (selection));

  add_column (self, COLUMN_TIME, _("Time"), FALSE);
  add_column (self, COLUMN_USER, _("User"), FALSE);
  add_column (self, COLUMN_ACTION, _("Action"), FALSE);
  add_column (self, COLUMN_RECORD, _("Record"), FALSE);
  add_column (self, COLUMN_CHANGE, _("Change"), TRUE);

  clinic_audit_model_set_filter (self->model, NULL, &error);
  clinic_section_show_error (self->error_revealer, self->error_label, error);
  update_view (self);
}

static void
clinic_audit_section_dispose (GObject *object)
{
  ClinicAuditSection *self = CLINIC_AUDIT_SECTION (object);

  if (self->chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);
  gtk_widget_dispose_template (GTK_WIDGET (object), CLINIC_TYPE_AUDIT_SECTION);
  g_clear_object (&self->model);
  g_clear_pointer (&self->zone, g_time_zone_unref);

  G_OBJECT_CLASS (clinic_audit_section_parent_class)->dispose (object);
}

static void
clinic_audit_section_class_init (ClinicAuditSectionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  clinic_ensure_resources ();

  object_class->dispose = clinic_audit_section_dispose;
  CLINIC_SECTION_CLASS (klass)->session_set = clinic_audit_section_session_set;

  gtk_widget_class_set_template_from_resource (widget_class, "/com/example/Clinic/ui/clinic-audit-section.ui");
  gtk_widget_class_bind_template_child (widget_class, ClinicAuditSection, user_entry);
  gtk_widget_class_bind_template_child (widget_class, ClinicAuditSection, action_entry);
  gtk_widget_class_bind_template_child (widget_class, ClinicAuditSection, patient_entry);
  gtk_widget_class_bind_template_child (widget_class, ClinicAuditSection, from_entry);
  gtk_widget_class_bind_template_child (widget_class, ClinicAuditSection, to_entry);
  gtk_widget_class_bind_template_child (widget_class, ClinicAuditSection, error_revealer);
  gtk_widget_class_bind_template_child (widget_class, ClinicAuditSection, error_label);
  gtk_widget_class_bind_template_child (widget_class, ClinicAuditSection, view_stack);
  gtk_widget_class_bind_template_child (widget_class, ClinicAuditSection, column_view);
  gtk_widget_class_bind_template_callback (widget_class, on_filter_activate);

  gtk_widget_class_install_action (widget_class, "audit.filter", NULL,
                                   clinic_audit_section_filter);
  gtk_widget_class_install_action (widget_class, "audit.verify", NULL,
                                   clinic_audit_section_verify);
  gtk_widget_class_install_action (widget_class, "audit.export", NULL,
                                   clinic_audit_section_export_action);
}

static void
clinic_audit_section_init (ClinicAuditSection *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}
