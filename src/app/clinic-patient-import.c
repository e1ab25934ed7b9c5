/* clinic-patient-import.c — importing a patient list from CSV
 *
 * Threads: a ClinicSession and its ClinicDb connection belong to the main
 * thread, and the registry goes on paging rows through them while this
 * window is open. So the check (which asks the database which rows look
 * registered) and the import each get a session of their own from
 * clinic_session_new_for_thread(), made on the main thread when the step
 * starts and used only by its worker. SQLite's WAL lets the window read
 * meanwhile; the import holds the write lock until its commit, so a write
 * from the window (an audit entry) waits for it, up to the busy timeout.
 *
 * A worker's GTask has no source object and the window is referenced by
 * the callback only, so the window is never released from a worker
 * thread; what the worker reads (the parsed file, the records) is shared
 * by reference counts.
 */

#include "config.h"

#include <string.h>
#include <glib/gi18n.h>

#include "clinic-app-utils.h"
#include "clinic-csv.h"
#include "clinic-patient-csv.h"
#include "clinic-patient-import.h"
#include "clinic-patients.h"

#define PREVIEW_ROWS 20
#define SAMPLE_ROWS  50

/* The parsed file, shared with the worker threads. */
typedef struct
{
  ClinicCsv *csv;
} SharedCsv;

static void
shared_csv_clear (gpointer data)
{
  SharedCsv *shared = data;

  g_clear_pointer (&shared->csv, clinic_csv_free);
}

static SharedCsv *
shared_csv_ref (SharedCsv *shared)
{
  return g_atomic_rc_box_acquire (shared);
}

static void
shared_csv_unref (SharedCsv *shared)
{
  g_atomic_rc_box_release_full (shared, shared_csv_clear);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SharedCsv, shared_csv_unref)

struct _ClinicPatientImport
{
  AdwWindow             parent_instance;

  ClinicSession        *session;

  AdwWindowTitle       *window_title;
  GtkWidget            *cancel_button;
  GtkWidget            *back_button;
  GtkWidget            *next_button;
  GtkRevealer          *error_revealer;
  GtkLabel             *error_label;
  GtkStack             *stack;
  GtkWidget            *choose_button;
  GtkLabel             *mapping_message;
  AdwPreferencesGroup  *columns_group;
  GtkColumnView        *preview_view;
  GtkLabel             *check_label;
  GtkProgressBar       *check_progress;
  GtkCheckButton       *skip_check;
  GtkWidget            *errors_label;
  GtkWidget            *errors_scroller;
  GtkColumnView        *errors_view;
  GtkWidget            *save_errors_button;
  GtkWidget            *import_valid_button;
  GtkWidget            *import_all_button;
  GtkProgressBar       *import_progress;
  AdwStatusPage        *done_page;
  GtkWidget            *done_button;

  GtkFileChooserNative *chooser;
  char                 *file_name;     /* for the page's description */
  SharedCsv            *csv;
  GPtrArray            *column_rows;   /* AdwComboRow, one per column (owned by the group) */
  GListStore           *preview;       /* GtkStringList per row */
  GListStore           *errors;        /* GtkStringList per row at fault */
  gboolean              mapping_ok;

  ClinicPatientCsv     *checked;       /* every row read with the mapping */
  GArray               *registered;    /* positions in checked->patients */

  GTask                *task;          /* the worker at work, or NULL */
  GCancellable         *cancellable;
  guint                 progress_source;
};

G_DEFINE_FINAL_TYPE (ClinicPatientImport, clinic_patient_import, ADW_TYPE_WINDOW)

enum { IMPORTED, N_SIGNALS };
static guint signals[N_SIGNALS];

static void update_actions (ClinicPatientImport *self);

/* --- Small things ---------------------------------------------------------- */

static void
show_message (ClinicPatientImport *self,
              const char          *message)
{
  gtk_label_set_text (self->error_label, message ? message : "");
  gtk_revealer_set_reveal_child (self->error_revealer, message != NULL);
}

static void
show_page (ClinicPatientImport *self,
           const char          *page)
{
  gtk_stack_set_visible_child_name (self->stack, page);
  update_actions (self);
}

static GtkStringList *
string_row (const char *first,
            ...)
{
  GtkStringList *row = gtk_string_list_new (NULL);
  va_list args;

  va_start (args, first);
  for (const char *s = first; s != NULL; s = va_arg (args, const char *))
    gtk_string_list_append (row, s);
  va_end (args);
  return row;
}

static char *
string_row_text (gpointer item,
                 int      column,
                 gpointer user_data)
{
  return g_strdup (gtk_string_list_get_string (item, column));
}

static void
remove_columns (GtkColumnView *view)
{
  GListModel *columns = gtk_column_view_get_columns (view);

  while (g_list_model_get_n_items (columns) > 0)
    {
      g_autoptr(GtkColumnViewColumn) column = g_list_model_get_item (columns, 0);

      gtk_column_view_remove_column (view, column);
    }
}

/* The field each column gives now, NULL where it is ignored. */
static GPtrArray *
current_mapping (ClinicPatientImport *self)
{
  const char *const *fields = clinic_patient_csv_fields ();
  GPtrArray *mapping = g_ptr_array_new_with_free_func (g_free);

  for (guint c = 0; c < self->column_rows->len; c++)
    {
      guint selected = adw_combo_row_get_selected (g_ptr_array_index (self->column_rows, c));

      g_ptr_array_add (mapping, selected > 0 && selected != GTK_INVALID_LIST_POSITION
                                ? g_strdup (fields[selected - 1]) : NULL);
    }
  g_ptr_array_add (mapping, NULL);
  return mapping;
}

static guint
n_data_rows (ClinicPatientImport *self)
{
  return self->csv != NULL ? self->csv->csv->rows->len - 1 : 0;
}

static void
clear_check (ClinicPatientImport *self)
{
  g_clear_pointer (&self->checked, clinic_patient_csv_free);
  g_clear_pointer (&self->registered, g_array_unref);
  g_list_store_remove_all (self->errors);
}

/* --- Workers ----------------------------------------------------------------- */

typedef struct
{
  SharedCsv         *csv;
  GPtrArray         *mapping;
  ClinicSession     *worker;
  GPtrArray         *patients;
  ClinicImportFlags  flags;
  GFile             *file;
  int                permille;   /* progress, written by the worker (atomic) */
  int                base;       /* the worker's step: its share of the bar */
  int                span;
} Job;

static void
job_free (Job *job)
{
  g_clear_pointer (&job->csv, shared_csv_unref);
  g_clear_pointer (&job->mapping, g_ptr_array_unref);
  g_clear_object (&job->worker);
  g_clear_pointer (&job->patients, g_ptr_array_unref);
  g_clear_object (&job->file);
  g_free (job);
}

/* A job with a session of its own for the worker, made now, on the main
 * thread; NULL with the reason shown (signed out, locked, the database
 * not reachable). */
static Job *
job_new_with_worker (ClinicPatientImport *self)
{
  g_autoptr(GError) error = NULL;
  Job *job = g_new0 (Job, 1);

  job->worker = clinic_session_new_for_thread (self->session, &error);
  if (job->worker == NULL)
    {
      job_free (job);
      show_message (self, error->message);
      return NULL;
    }
  return job;
}

/* A ClinicProgressFunc: @done of @total of the worker's current step,
 * which fills the bar from job->base over job->span thousandths. */
static void
job_progress (guint    done,
              guint    total,
              gpointer data)
{
  Job *job = data;

  g_atomic_int_set (&job->permille, job->base + (int) ((guint64) done * job->span / MAX (total, 1)));
}

static gboolean
poll_progress (gpointer data)
{
  ClinicPatientImport *self = data;
  Job *job = self->task ? g_task_get_task_data (self->task) : NULL;
  double fraction = job ? g_atomic_int_get (&job->permille) / 1000.0 : 0;

  gtk_progress_bar_set_fraction (self->check_progress, fraction);
  gtk_progress_bar_set_fraction (self->import_progress, fraction);
  return G_SOURCE_CONTINUE;
}

/* Starts @thread_func on @job; @callback gets the window back. */
static void
start_task (ClinicPatientImport *self,
            Job                 *job,
            GTaskThreadFunc      thread_func,
            GAsyncReadyCallback  callback)
{
  g_autoptr(GTask) task = NULL;

  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  task = g_task_new (NULL, self->cancellable, callback, g_object_ref (self));
  g_task_set_task_data (task, job, (GDestroyNotify) job_free);
  self->task = g_object_ref (task);
  gtk_progress_bar_set_fraction (self->check_progress, 0);
  gtk_progress_bar_set_fraction (self->import_progress, 0);
  self->progress_source = g_timeout_add (100, poll_progress, self);
  g_task_run_in_thread (task, thread_func);
  show_message (self, NULL);
  update_actions (self);
}

/* Ends the task in the callback; FALSE when the window has gone since
 * (then nothing is shown). */
static gboolean
finish_task (ClinicPatientImport *self,
             GAsyncResult        *result)
{
  g_clear_handle_id (&self->progress_source, g_source_remove);
  if (self->task == G_TASK (result))
    g_clear_object (&self->task);
  return self->stack != NULL;
}

/* --- 1. The file ------------------------------------------------------------- */

static void
load_thread (GTask        *task,
             gpointer      source,
             gpointer      data,
             GCancellable *cancellable)
{
  Job *job = data;
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  g_autoptr(ClinicCsv) csv = NULL;
  gsize len = 0;

  if (!g_file_load_contents (job->file, cancellable, &contents, &len, NULL, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_atomic_int_set (&job->permille, 500);
  csv = clinic_csv_parse (contents, len, &error);
  if (csv == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, g_steal_pointer (&csv), (GDestroyNotify) clinic_csv_free);
}

static const char *
separator_name (char separator)
{
  switch (separator)
    {
    case ';':
      return _("semicolons");
    case '\t':
      return _("tabs");
    case ',':
    default:
      return _("commas");
    }
}

/* Up to three values of @column from the first rows, for the row's
 * subtitle: what the column holds tells what it is. */
static char *
sample_values (const ClinicCsv *csv,
               guint            column)
{
  g_autoptr(GString) text = g_string_new (NULL);
  guint found = 0;

  for (guint r = 1; r < csv->rows->len && r <= SAMPLE_ROWS && found < 3; r++)
    {
      const char *const *row = g_ptr_array_index (csv->rows, r);
      g_autofree char *value = NULL;

      if (column >= g_strv_length ((GStrv) row))
        continue;
      value = g_strstrip (g_strdup (row[column]));
      if (*value == '\0')
        continue;
      if (g_utf8_strlen (value, -1) > 40)
        {
          char *cut = g_utf8_substring (value, 0, 39);

          g_free (value);
          value = g_strconcat (cut, "…", NULL);
          g_free (cut);
        }
      if (found++ > 0)
        g_string_append (text, " · ");
      g_string_append (text, value);
    }
  if (found == 0)
    return g_strdup (_("No values in the first rows"));
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static void update_preview (ClinicPatientImport *self);

static void
on_mapping_changed (ClinicPatientImport *self)
{
  update_preview (self);
}

static void
build_mapping_page (ClinicPatientImport *self)
{
  const ClinicCsv *csv = self->csv->csv;
  const char *const *header = g_ptr_array_index (csv->rows, 0);
  const char *const *fields = clinic_patient_csv_fields ();
  g_autoptr(GtkStringList) choices = gtk_string_list_new (NULL);
  g_autoptr(GHashTable) taken = g_hash_table_new (g_str_hash, g_str_equal);
  g_autofree char *description = NULL;
  guint n_rows = n_data_rows (self);

  for (guint c = 0; c < self->column_rows->len; c++)
    adw_preferences_group_remove (self->columns_group, g_ptr_array_index (self->column_rows, c));
  g_ptr_array_set_size (self->column_rows, 0);

  /* Translators: in the import's list of fields a column can give */
  gtk_string_list_append (choices, _("Ignore"));
  for (guint f = 0; fields[f] != NULL; f++)
    gtk_string_list_append (choices, clinic_patient_csv_field_title (fields[f]));

  for (guint c = 0; header[c] != NULL; c++)
    {
      AdwComboRow *row = ADW_COMBO_ROW (adw_combo_row_new ());
      const char *guess = clinic_patient_csv_guess_field (header[c]);
      g_autofree char *samples = sample_values (csv, c);
      g_autofree char *title = NULL;
      guint selected = 0;

      /* A field two headers name goes to the first of them. */
      if (guess != NULL && !g_hash_table_contains (taken, guess))
        {
          g_hash_table_add (taken, (gpointer) guess);
          for (guint f = 0; fields[f] != NULL; f++)
            if (g_str_equal (fields[f], guess))
              selected = f + 1;
        }
      title = *header[c] != '\0' ? g_strdup (header[c])
                                  /* Translators: a column of the file without a header */
                                  : g_strdup_printf (_("Column %u"), c + 1);
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), samples);
      adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 1);
      adw_combo_row_set_model (row, G_LIST_MODEL (choices));
      adw_combo_row_set_selected (row, selected);
      g_signal_connect_object (row, "notify::selected", G_CALLBACK (on_mapping_changed), self, G_CONNECT_SWAPPED);
      adw_preferences_group_add (self->columns_group, GTK_WIDGET (row));
      g_ptr_array_add (self->column_rows, row);
    }

  /* Translators: the import's mapping page: file name, number of rows,
   * and what separates the columns ("semicolons") */
  description = g_strdup_printf (ngettext ("%s · %u row · columns separated by %s",
                                           "%s · %u rows · columns separated by %s", n_rows),
                                 self->file_name, n_rows, separator_name (csv->separator));
  adw_preferences_group_set_description (self->columns_group, description);
  adw_window_title_set_subtitle (self->window_title, self->file_name);
  update_preview (self);
}

static void
load_done (GObject      *source,
           GAsyncResult *result,
           gpointer      data)
{
  g_autoptr(ClinicPatientImport) self = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(ClinicCsv) csv = g_task_propagate_pointer (G_TASK (result), &error);

  if (!finish_task (self, result))
    return;
  if (csv != NULL && csv->rows->len < 2)
    g_set_error (&error, CLINIC_CSV_ERROR, CLINIC_CSV_ERROR_EMPTY,
                 _("The file names its columns but has no rows of patients below them."));
  if (error != NULL)
    {
      g_autofree char *message = NULL;

      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          /* Translators: the file could not be imported: file name, reason */
          message = g_strdup_printf (_("“%s” cannot be imported: %s"), self->file_name, error->message);
          show_message (self, message);
        }
      show_page (self, "file");
      return;
    }

  g_clear_pointer (&self->csv, shared_csv_unref);
  self->csv = g_atomic_rc_box_new0 (SharedCsv);
  self->csv->csv = g_steal_pointer (&csv);
  clear_check (self);
  build_mapping_page (self);
  show_page (self, "mapping");
  if (self->column_rows->len > 0)
    gtk_widget_grab_focus (g_ptr_array_index (self->column_rows, 0));
}

void
clinic_patient_import_open_file (ClinicPatientImport *self,
                                 GFile               *file)
{
  Job *job;

  g_return_if_fail (CLINIC_IS_PATIENT_IMPORT (self));
  g_return_if_fail (G_IS_FILE (file));

  if (self->task != NULL)
    return;
  g_free (self->file_name);
  self->file_name = g_file_get_basename (file);
  job = g_new0 (Job, 1);
  job->file = g_object_ref (file);
  start_task (self, job, load_thread, load_done);
}

static void
on_chooser_response (GtkNativeDialog     *chooser,
                     int                  response,
                     ClinicPatientImport *self)
{
  g_autoptr(GFile) file = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
  g_clear_object (&self->chooser);
  if (file != NULL)
    clinic_patient_import_open_file (self, file);
}

static void
choose_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  ClinicPatientImport *self = CLINIC_PATIENT_IMPORT (widget);
  g_autoptr(GtkFileFilter) csv = gtk_file_filter_new ();
  g_autoptr(GtkFileFilter) any = gtk_file_filter_new ();

  if (self->chooser != NULL)
    return;
  gtk_file_filter_set_name (csv, _("CSV and text files"));
  gtk_file_filter_add_pattern (csv, "*.csv");
  gtk_file_filter_add_pattern (csv, "*.CSV");
  gtk_file_filter_add_pattern (csv, "*.txt");
  gtk_file_filter_add_pattern (csv, "*.TXT");
  gtk_file_filter_add_mime_type (csv, "text/csv");
  gtk_file_filter_set_name (any, _("All files"));
  gtk_file_filter_add_pattern (any, "*");

  self->chooser = gtk_file_chooser_native_new (_("Choose a Patient List"), GTK_WINDOW (self),
                                               GTK_FILE_CHOOSER_ACTION_OPEN, _("_Open"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->chooser), csv);
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->chooser), any);
  gtk_file_chooser_set_filter (GTK_FILE_CHOOSER (self->chooser), csv);
  g_signal_connect (self->chooser, "response", G_CALLBACK (on_chooser_response), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

/* --- 2. The mapping and its preview ------------------------------------------- */

static void
update_preview (ClinicPatientImport *self)
{
  const ClinicCsv *csv = self->csv->csv;
  g_autoptr(GPtrArray) mapping = current_mapping (self);
  g_autoptr(GError) error = NULL;
  g_autoptr(ClinicPatientCsv) read = NULL;
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func (g_object_unref);
  guint n_rows = MIN (n_data_rows (self), PREVIEW_ROWS);
  guint valid = 0, bad = 0, shown = 0;

  clear_check (self);
  read = clinic_patient_csv_read_mapped (csv, (const char *const *) mapping->pdata, PREVIEW_ROWS,
                                         NULL, NULL, NULL, &error);
  self->mapping_ok = read != NULL;
  gtk_label_set_text (self->mapping_message, error ? error->message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->mapping_message), error != NULL);

  /* Columns: the line, each mapped field in the file's order, the verdict. */
  remove_columns (self->preview_view);
  clinic_column_view_add_text_column (self->preview_view, _("Line"), shown++, FALSE, FALSE,
                                      string_row_text, self);
  for (guint c = 0; c + 1 < mapping->len; c++)
    if (mapping->pdata[c] != NULL)
      clinic_column_view_add_text_column (self->preview_view,
                                          clinic_patient_csv_field_title (mapping->pdata[c]),
                                          shown++, FALSE, TRUE, string_row_text, self);
  if (read != NULL)
    clinic_column_view_add_text_column (self->preview_view, _("Check"), shown++, TRUE, TRUE,
                                        string_row_text, self);

  /* Rows: a valid row as Clinic will store it (dates in ISO form), a row
   * at fault as the file has it, with the reason. */
  for (guint r = 1; r <= n_rows; r++)
    {
      const char *const *values = g_ptr_array_index (csv->rows, r);
      guint line = g_array_index (csv->lines, guint, r);
      guint n_values = g_strv_length ((GStrv) values);
      const ClinicPatient *patient = NULL;
      const ClinicCsvRowError *fault = NULL;
      g_autofree char *line_text = g_strdup_printf ("%u", line);
      GtkStringList *row = string_row (line_text, NULL);

      if (read != NULL && valid < read->lines->len && g_array_index (read->lines, guint, valid) == line)
        patient = g_ptr_array_index (read->patients, valid++);
      else if (read != NULL && bad < read->errors->len
               && ((ClinicCsvRowError *) g_ptr_array_index (read->errors, bad))->line == line)
        fault = g_ptr_array_index (read->errors, bad++);

      for (guint c = 0; c + 1 < mapping->len; c++)
        {
          g_autofree char *raw = NULL;

          if (mapping->pdata[c] == NULL)
            continue;
          if (patient != NULL)
            {
              gtk_string_list_append (row, clinic_patient_csv_field_value (patient, mapping->pdata[c]));
              continue;
            }
          raw = g_strstrip (g_strdup (c < n_values ? values[c] : ""));
          gtk_string_list_append (row, raw);
        }
      if (fault != NULL && fault->column != NULL)
        {
          /* Translators: the preview's verdict on a row: column, reason */
          g_autofree char *verdict = g_strdup_printf (_("%s: %s"), fault->column, fault->reason);

          gtk_string_list_append (row, verdict);
        }
      else if (fault != NULL)
        gtk_string_list_append (row, fault->reason);
      else if (read != NULL)
        /* Translators: the preview's verdict on a row that will import */
        gtk_string_list_append (row, _("OK"));
      g_ptr_array_add (rows, row);
    }
  g_list_store_splice (self->preview, 0, g_list_model_get_n_items (G_LIST_MODEL (self->preview)),
                       rows->pdata, rows->len);
  update_actions (self);
}

/* --- 3. Every row checked ----------------------------------------------------- */

typedef struct
{
  ClinicPatientCsv *read;
  GArray           *registered;
} CheckResult;

static void
check_result_free (CheckResult *result)
{
  g_clear_pointer (&result->read, clinic_patient_csv_free);
  g_clear_pointer (&result->registered, g_array_unref);
  g_free (result);
}

static void
check_thread (GTask        *task,
              gpointer      source,
              gpointer      data,
              GCancellable *cancellable)
{
  Job *job = data;
  g_autoptr(GError) error = NULL;
  CheckResult *result = g_new0 (CheckResult, 1);

  /* Reading the rows is the first half of the bar, asking the database
   * which look registered the second. */
  job->base = 0;
  job->span = 500;
  result->read = clinic_patient_csv_read_mapped (job->csv->csv, (const char *const *) job->mapping->pdata, 0,
                                                 job_progress, job, cancellable, &error);
  job->base = 500;
  if (result->read != NULL)
    result->registered = clinic_patients_find_registered (job->worker, result->read->patients,
                                                          job_progress, job, cancellable, &error);
  if (error != NULL)
    {
      check_result_free (result);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_task_return_pointer (task, result, (GDestroyNotify) check_result_free);
}

static guint
n_to_import (ClinicPatientImport *self)
{
  guint n = self->checked ? self->checked->patients->len : 0;

  if (self->registered != NULL && gtk_check_button_get_active (self->skip_check))
    n -= self->registered->len;
  return n;
}

static void
update_check_page (ClinicPatientImport *self)
{
  guint valid = self->checked ? self->checked->patients->len : 0;
  guint bad = self->checked ? self->checked->errors->len : 0;
  guint registered = self->registered ? self->registered->len : 0;
  g_autofree char *counts = NULL;
  g_autofree char *import_valid = NULL;
  g_autofree char *skip = NULL;

  if (self->task != NULL)
    gtk_label_set_text (self->check_label, _("Checking every row…"));
  else if (self->checked != NULL)
    {
      /* Translators: the check's result: "12 rows valid, 3 rows with
       * errors" is made of these two, joined by ", " */
      g_autofree char *valid_text = g_strdup_printf (ngettext ("%u row valid", "%u rows valid", valid), valid);
      g_autofree char *bad_text = g_strdup_printf (ngettext ("%u row with errors", "%u rows with errors", bad), bad);

      /* Translators: "12 rows valid", "3 rows with errors" */
      counts = g_strdup_printf (_("%s, %s"), valid_text, bad_text);
      gtk_label_set_text (self->check_label, counts);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->check_progress), self->task != NULL);
  gtk_widget_set_visible (self->errors_label, bad > 0);
  gtk_widget_set_visible (self->errors_scroller, bad > 0);

  skip = g_strdup_printf (ngettext ("_Leave out the %u row that looks like a patient already registered",
                                    "_Leave out the %u rows that look like patients already registered",
                                    registered), registered);
  gtk_check_button_set_label (self->skip_check, skip);
  gtk_widget_set_visible (GTK_WIDGET (self->skip_check), self->task == NULL && registered > 0);

  import_valid = g_strdup_printf (ngettext ("Import %u _Valid Row", "Import %u _Valid Rows", n_to_import (self)),
                                  n_to_import (self));
  gtk_button_set_label (GTK_BUTTON (self->import_valid_button), import_valid);
}

static void
on_skip_toggled (ClinicPatientImport *self)
{
  update_check_page (self);
  update_actions (self);
}

static void
check_done (GObject      *source,
            GAsyncResult *result,
            gpointer      data)
{
  g_autoptr(ClinicPatientImport) self = data;
  g_autoptr(GError) error = NULL;
  CheckResult *checked = g_task_propagate_pointer (G_TASK (result), &error);
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func (g_object_unref);

  if (!finish_task (self, result))
    {
      g_clear_pointer (&checked, check_result_free);
      return;
    }
  if (checked == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        show_message (self, error->message);
      show_page (self, "mapping");
      return;
    }

  clear_check (self);
  self->checked = g_steal_pointer (&checked->read);
  self->registered = g_steal_pointer (&checked->registered);
  check_result_free (checked);
  for (guint i = 0; i < self->checked->errors->len; i++)
    {
      ClinicCsvRowError *e = g_ptr_array_index (self->checked->errors, i);
      g_autofree char *line = g_strdup_printf ("%u", e->line);

      /* Translators: the column of a row at fault when the fault is the
       * whole row's (a required field empty) */
      g_ptr_array_add (rows, string_row (line, e->column ? e->column : _("(row)"), e->reason, NULL));
    }
  g_list_store_splice (self->errors, 0, 0, rows->pdata, rows->len);
  gtk_check_button_set_active (self->skip_check, TRUE);
  update_check_page (self);
  show_page (self, "check");
  if (gtk_widget_get_sensitive (self->import_all_button))
    gtk_widget_grab_focus (self->import_all_button);
  else if (gtk_widget_get_sensitive (self->import_valid_button))
    gtk_widget_grab_focus (self->import_valid_button);
}

static void
start_check (ClinicPatientImport *self)
{
  Job *job;

  if (self->task != NULL || !self->mapping_ok)
    return;
  job = job_new_with_worker (self);
  if (job == NULL)
    return;
  job->csv = shared_csv_ref (self->csv);
  job->mapping = current_mapping (self);
  clear_check (self);
  start_task (self, job, check_thread, check_done);
  update_check_page (self);
  show_page (self, "check");
}

/* --- 4. The import ----------------------------------------------------------- */

typedef struct
{
  gint64 imported;
  guint  skipped;
} ImportResult;

static void
import_thread (GTask        *task,
               gpointer      source,
               gpointer      data,
               GCancellable *cancellable)
{
  Job *job = data;
  g_autoptr(GError) error = NULL;
  ImportResult *result = g_new0 (ImportResult, 1);

  job->span = 1000;
  result->imported = clinic_patients_import_full (job->worker, job->patients, job->flags, job_progress, job,
                                                  cancellable, &result->skipped, &error);
  if (result->imported < 0)
    {
      g_free (result);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_task_return_pointer (task, result, g_free);
}

static void
import_done (GObject      *source,
             GAsyncResult *result,
             gpointer      data)
{
  g_autoptr(ClinicPatientImport) self = data;
  g_autoptr(GError) error = NULL;
  g_autofree ImportResult *done = g_task_propagate_pointer (G_TASK (result), &error);
  g_autofree char *title = NULL;
  g_autofree char *description = NULL;

  if (!finish_task (self, result))
    return;
  if (done == NULL)
    {
      g_autofree char *message = NULL;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        message = g_strdup (_("The import was cancelled. No patient was registered."));
      else
        /* Translators: the import failed as a whole; the core's reason */
        message = g_strdup_printf (_("No patient was registered: %s"), error->message);
      show_message (self, message);
      update_check_page (self);
      show_page (self, "check");
      return;
    }

  title = g_strdup_printf (ngettext ("%u Patient Imported", "%u Patients Imported", (gulong) done->imported),
                           (guint) done->imported);
  adw_status_page_set_title (self->done_page, title);
  if (done->skipped > 0)
    description = g_strdup_printf (ngettext ("%u row that looks like a patient already registered was left out.",
                                             "%u rows that look like patients already registered were left out.",
                                             done->skipped), done->skipped);
  adw_status_page_set_description (self->done_page, description);
  show_page (self, "done");
  gtk_widget_grab_focus (self->done_button);
  g_signal_emit (self, signals[IMPORTED], 0, (guint) done->imported);
}

static void
start_import (ClinicPatientImport *self)
{
  Job *job;

  if (self->task != NULL || self->checked == NULL)
    return;
  job = job_new_with_worker (self);
  if (job == NULL)
    return;
  job->patients = g_ptr_array_ref (self->checked->patients);
  if (self->registered != NULL && self->registered->len > 0 && gtk_check_button_get_active (self->skip_check))
    job->flags |= CLINIC_IMPORT_SKIP_REGISTERED;
  start_task (self, job, import_thread, import_done);
  show_page (self, "import");
}

/* --- Actions ----------------------------------------------------------------- */

static void
update_actions (ClinicPatientImport *self)
{
  const char *page = gtk_stack_get_visible_child_name (self->stack);
  gboolean busy = self->task != NULL;
  gboolean checking = g_strcmp0 (page, "check") == 0;
  gboolean done = g_strcmp0 (page, "done") == 0;
  guint bad = self->checked ? self->checked->errors->len : 0;
  GtkWidget *widget = GTK_WIDGET (self);

  gtk_widget_action_set_enabled (widget, "import.choose", !busy);
  gtk_widget_action_set_enabled (widget, "import.back",
                                 (g_strcmp0 (page, "mapping") == 0 || checking) && !busy);
  gtk_widget_action_set_enabled (widget, "import.next",
                                 !busy && ((g_strcmp0 (page, "mapping") == 0 && self->mapping_ok)
                                           || (g_strcmp0 (page, "file") == 0 && self->csv != NULL)));
  gtk_widget_action_set_enabled (widget, "import.import-all",
                                 checking && !busy && self->checked != NULL && bad == 0 && n_to_import (self) > 0);
  gtk_widget_action_set_enabled (widget, "import.import-valid",
                                 checking && !busy && self->checked != NULL && bad > 0 && n_to_import (self) > 0);
  gtk_widget_action_set_enabled (widget, "import.save-errors", checking && !busy && bad > 0);
  gtk_widget_action_set_enabled (widget, "import.cancel", !done);

  gtk_widget_set_visible (self->back_button, g_strcmp0 (page, "mapping") == 0 || checking);
  gtk_widget_set_visible (self->next_button, g_strcmp0 (page, "file") == 0 || g_strcmp0 (page, "mapping") == 0);
  gtk_widget_set_visible (self->cancel_button, !done);
  gtk_widget_set_visible (self->import_valid_button, self->checked != NULL && bad > 0);
  gtk_widget_set_visible (self->save_errors_button, self->checked != NULL && bad > 0);
}

static void
next_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  ClinicPatientImport *self = CLINIC_PATIENT_IMPORT (widget);

  if (g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "file") == 0)
    show_page (self, "mapping");
  else
    start_check (self);
}

static void
back_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  ClinicPatientImport *self = CLINIC_PATIENT_IMPORT (widget);
  const char *page = gtk_stack_get_visible_child_name (self->stack);

  show_message (self, NULL);
  show_page (self, g_str_equal (page, "check") ? "mapping" : "file");
}

/* Cancel stops the work at hand (nothing is kept of it); with nothing at
 * work, it closes the window. */
static void
cancel_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  ClinicPatientImport *self = CLINIC_PATIENT_IMPORT (widget);

  if (self->task != NULL)
    g_cancellable_cancel (self->cancellable);
  else
    gtk_window_close (GTK_WINDOW (self));
}

static void
import_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  start_import (CLINIC_PATIENT_IMPORT (widget));
}

/* One CSV field, quoted when it must be. */
static void
append_csv_field (GString    *out,
                  const char *value,
                  gboolean    last)
{
  if (strpbrk (value, ",\"\r\n") != NULL)
    {
      g_string_append_c (out, '"');
      for (const char *c = value; *c; c++)
        {
          if (*c == '"')
            g_string_append_c (out, '"');
          g_string_append_c (out, *c);
        }
      g_string_append_c (out, '"');
    }
  else
    g_string_append (out, value);
  g_string_append (out, last ? "\r\n" : ",");
}

gboolean
clinic_patient_import_save_errors (ClinicPatientImport  *self,
                                   GFile                *file,
                                   GError              **error)
{
  g_autoptr(GString) out = g_string_new (NULL);
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->errors));

  g_return_val_if_fail (CLINIC_IS_PATIENT_IMPORT (self), FALSE);

  append_csv_field (out, _("Line"), FALSE);
  append_csv_field (out, _("Column"), FALSE);
  append_csv_field (out, _("Reason"), TRUE);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GtkStringList) row = g_list_model_get_item (G_LIST_MODEL (self->errors), i);

      for (guint c = 0; c < 3; c++)
        append_csv_field (out, gtk_string_list_get_string (row, c), c == 2);
    }
  return g_file_replace_contents (file, out->str, out->len, NULL, FALSE, G_FILE_CREATE_PRIVATE, NULL, NULL, error);
}

static void
on_save_response (GtkNativeDialog     *chooser,
                  int                  response,
                  ClinicPatientImport *self)
{
  g_autoptr(GFile) file = NULL;
  g_autoptr(GError) error = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
  g_clear_object (&self->chooser);
  if (file != NULL && !clinic_patient_import_save_errors (self, file, &error))
    show_message (self, error->message);
}

static void
save_errors_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  ClinicPatientImport *self = CLINIC_PATIENT_IMPORT (widget);

  if (self->chooser != NULL)
    return;
  self->chooser = gtk_file_chooser_native_new (_("Save Error List"), GTK_WINDOW (self),
                                               GTK_FILE_CHOOSER_ACTION_SAVE, _("_Save"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);
  /* Translators: the suggested file name of the import's error list */
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (self->chooser), _("import-errors.csv"));
  g_signal_connect (self->chooser, "response", G_CALLBACK (on_save_response), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

/* --- For tests and the section ------------------------------------------------ */

const char *
clinic_patient_import_get_page (ClinicPatientImport *self)
{
  g_return_val_if_fail (CLINIC_IS_PATIENT_IMPORT (self), NULL);

  return gtk_stack_get_visible_child_name (self->stack);
}

gboolean
clinic_patient_import_is_busy (ClinicPatientImport *self)
{
  g_return_val_if_fail (CLINIC_IS_PATIENT_IMPORT (self), FALSE);

  return self->task != NULL;
}

const char *
clinic_patient_import_get_message (ClinicPatientImport *self)
{
  g_return_val_if_fail (CLINIC_IS_PATIENT_IMPORT (self), NULL);

  return gtk_revealer_get_reveal_child (self->error_revealer) ? gtk_label_get_text (self->error_label) : NULL;
}

AdwComboRow *
clinic_patient_import_get_column_row (ClinicPatientImport *self,
                                      guint                column)
{
  g_return_val_if_fail (CLINIC_IS_PATIENT_IMPORT (self), NULL);

  return column < self->column_rows->len ? g_ptr_array_index (self->column_rows, column) : NULL;
}

GListModel *
clinic_patient_import_get_preview (ClinicPatientImport *self)
{
  g_return_val_if_fail (CLINIC_IS_PATIENT_IMPORT (self), NULL);

  return G_LIST_MODEL (self->preview);
}

GListModel *
clinic_patient_import_get_errors (ClinicPatientImport *self)
{
  g_return_val_if_fail (CLINIC_IS_PATIENT_IMPORT (self), NULL);

  return G_LIST_MODEL (self->errors);
}

/* --- The object ---------------------------------------------------------------- */

static void
clinic_patient_import_dispose (GObject *object)
{
  ClinicPatientImport *self = CLINIC_PATIENT_IMPORT (object);

  /* A worker still at it stops; its callback finds the window gone. */
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->progress_source, g_source_remove);
  g_clear_object (&self->task);
  if (self->chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);
  gtk_widget_dispose_template (GTK_WIDGET (object), CLINIC_TYPE_PATIENT_IMPORT);
  self->stack = NULL;
  g_clear_object (&self->session);

  G_OBJECT_CLASS (clinic_patient_import_parent_class)->dispose (object);
}

static void
clinic_patient_import_finalize (GObject *object)
{
  ClinicPatientImport *self = CLINIC_PATIENT_IMPORT (object);

  clear_check (self);
  g_clear_object (&self->errors);
  g_clear_object (&self->preview);
  g_clear_pointer (&self->column_rows, g_ptr_array_unref);
  g_clear_pointer (&self->csv, shared_csv_unref);
  g_clear_object (&self->cancellable);
  g_free (self->file_name);

  G_OBJECT_CLASS (clinic_patient_import_parent_class)->finalize (object);
}

static void
clinic_patient_import_class_init (ClinicPatientImportClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  clinic_ensure_resources ();
  object_class->dispose = clinic_patient_import_dispose;
  object_class->finalize = clinic_patient_import_finalize;

  signals[IMPORTED] = g_signal_new ("imported", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                    0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_UINT);

  gtk_widget_class_set_template_from_resource (widget_class, "/com/example/Clinic/ui/clinic-patient-import.ui");
  gtk_widget_class_bind_template_child (widget_class, ClinicPatientImport, window_title);
  gtk_widget_class_bind_template_child (widget_class, ClinicPatientImport, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, ClinicPatientImport, back_button);
  gtk_widget_class_bind_template_child (widget_class, ClinicPatientImport, next_button);
  gtk_widget_class_bind_template_child (widget_class, ClinicPatientImport, error_revealer);
  gtk_widget_class_bind_template_child (widget_class, ClinicPatientImport, error_label);
  gtk_widget_class_bind_template_child (widget_class, ClinicPatientImport, stack);
  gtk_widget_class_bind_template_child (widget_class, ClinicPatientImport, choose_button);
  gtk_widget_class_bind_template_child (widget_class, ClinicPatientImport, mapping_message);
  gtk_widget_class_bind_template_child (widget_class, ClinicPatientImport, columns_group);
  gtk_widget_class_bind_template_child (widget_class, ClinicPatientImport, preview_view);
  gtk_widget_class_bind_template_child (widget_class, ClinicPatientImport, check_label);
  gtk_widget_class_bind_template_child (widget_class, ClinicPatientImport, check_progress);
  gtk_widget_class_bind_template_child (widget_class, ClinicPatientImport, skip_check);
  gtk_widget_class_bind_template_child (widget_class, ClinicPatientImport, errors_label);
  gtk_widget_class_bind_template_child (widget_class, ClinicPatientImport, errors_scroller);
  gtk_widget_class_bind_template_child (widget_class, ClinicPatientImport, errors_view);
  gtk_widget_class_bind_template_child (widget_class, ClinicPatientImport, save_errors_button);
  gtk_widget_class_bind_template_child (widget_class, ClinicPatientImport, import_valid_button);
  gtk_widget_class_bind_template_child (widget_class, ClinicPatientImport, import_all_button);
  gtk_widget_class_bind_template_child (widget_class, ClinicPatientImport, import_progress);
  gtk_widget_class_bind_template_child (widget_class, ClinicPatientImport, done_page);
  gtk_widget_class_bind_template_child (widget_class, ClinicPatientImport, done_button);
  gtk_widget_class_bind_template_callback (widget_class, on_skip_toggled);

  gtk_widget_class_install_action (widget_class, "import.choose", NULL, choose_action);
  gtk_widget_class_install_action (widget_class, "import.next", NULL, next_action);
  gtk_widget_class_install_action (widget_class, "import.back", NULL, back_action);
  gtk_widget_class_install_action (widget_class, "import.cancel", NULL, cancel_action);
  gtk_widget_class_install_action (widget_class, "import.import-all", NULL, import_action);
  gtk_widget_class_install_action (widget_class, "import.import-valid", NULL, import_action);
  gtk_widget_class_install_action (widget_class, "import.save-errors", NULL, save_errors_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "import.cancel", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Return, GDK_CONTROL_MASK, "import.next", NULL);
}

static void
clinic_patient_import_init (ClinicPatientImport *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->column_rows = g_ptr_array_new ();
  self->preview = g_list_store_new (GTK_TYPE_STRING_LIST);
  self->errors = g_list_store_new (GTK_TYPE_STRING_LIST);
  gtk_column_view_set_model (self->preview_view,
                             GTK_SELECTION_MODEL (gtk_no_selection_new (g_object_ref (G_LIST_MODEL (self->preview)))));
  gtk_column_view_set_model (self->errors_view,
                             GTK_SELECTION_MODEL (gtk_single_selection_new (g_object_ref (G_LIST_MODEL (self->errors)))));
  clinic_column_view_add_text_column (self->errors_view, _("Line"), 0, FALSE, FALSE, string_row_text, self);
  clinic_column_view_add_text_column (self->errors_view, _("Column"), 1, FALSE, TRUE, string_row_text, self);
  clinic_column_view_add_text_column (self->errors_view, _("Reason"), 2, TRUE, TRUE, string_row_text, self);
  update_actions (self);
}

ClinicPatientImport *
clinic_patient_import_new (GtkWindow     *parent,
                           ClinicSession *session)
{
  ClinicPatientImport *self = g_object_new (CLINIC_TYPE_PATIENT_IMPORT, "transient-for", parent, NULL);

  self->session = g_object_ref (session);
  gtk_widget_grab_focus (self->choose_button);
  return self;
}
