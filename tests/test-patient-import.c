/* test-patient-import.c — the import dialog driven through its actions:
 * mapping pre-filled from the headers, the preview, every row at fault
 * listed, the valid rows imported when the person accepts it, and files
 * that cannot be read said so in words */

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "clinic-patient-csv.h"
#include "clinic-patient-import.h"
#include "clinic-patient-model.h"
#include "clinic-patients.h"
#include "clinic-patients-section.h"
#include "clinic-shell.h"
#include "clinic-test-db.h"
#include "clinic-test-ui.h"

#define ADMIN_PASSWORD "quiet river under old stone"

static ClinicDb      *db;
static ClinicSession *admin;
static char          *dir;

static void
make_clinic (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autoptr(ClinicPatient) registered = clinic_test_patient_new ("Müller", "Hans Peter", "1980-02-03", "");
  ClinicKdfLimits limits = CLINIC_KDF_LIMITS_TEST;
  ClinicCredentials credentials = { .user = "admin", .password = ADMIN_PASSWORD, .limits = &limits };
  char *recovery = NULL;

  dir = g_dir_make_tmp ("clinic-import-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (dir, "clinic.db", NULL);
  db = clinic_db_create (path, "Lindenhof Practice", &credentials, &recovery, &error);
  g_assert_no_error (error);
  g_free (recovery);
  admin = clinic_session_start (db, &error);
  g_assert_no_error (error);
  g_assert_cmpint (clinic_patients_create (admin, registered, FALSE, &error), >, 0);
  g_assert_no_error (error);
}

static GFile *
write_file (const char *name,
            const char *contents,
            gssize      len)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, contents, len, &error);
  g_assert_no_error (error);
  return g_file_new_for_path (path);
}

static void
wait_idle (ClinicPatientImport *dialog)
{
  while (clinic_patient_import_is_busy (dialog))
    g_main_context_iteration (NULL, TRUE);
  clinic_test_spin (50);
}

static const char *
cell (GListModel *model,
      guint       row,
      guint       column)
{
  g_autoptr(GtkStringList) strings = g_list_model_get_item (model, row);

  g_assert_nonnull (strings);
  return gtk_string_list_get_string (strings, column);
}

static guint
field_choice (const char *field)
{
  const char *const *fields = clinic_patient_csv_fields ();

  for (guint f = 0; fields[f] != NULL; f++)
    if (g_str_equal (fields[f], field))
      return f + 1;
  g_assert_not_reached ();
}

static gboolean
button_sensitive (GtkWidget  *root,
                  const char *action)
{
  GtkWidget *button = clinic_test_find_button (root, action);

  g_assert_nonnull (button);
  return gtk_widget_get_sensitive (button) && gtk_widget_get_visible (button);
}

static void
screenshot (GtkWindow  *window,
            int         width,
            int         height,
            const char *name)
{
  g_autofree char *path = NULL;

  gtk_window_set_default_size (window, width, height);
  clinic_test_wait_for_draw (GTK_WIDGET (window));
  clinic_test_spin (100);
  path = clinic_test_save_screenshot (GTK_WIDGET (window), name);
  g_test_message ("%s", path);
}

/* A label under @root, shown, whose text holds @text. */
static gboolean
label_shown (GtkWidget  *root,
             const char *text)
{
  if (GTK_IS_LABEL (root) && gtk_widget_is_visible (root)
      && strstr (gtk_label_get_text (GTK_LABEL (root)), text) != NULL)
    return TRUE;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (label_shown (child, text))
      return TRUE;
  return FALSE;
}

typedef struct
{
  GtkWindow             *window;
  ClinicShell           *shell;
  ClinicPatientsSection *section;
} View;

static void
view_open (View *view)
{
  GtkStack *stack;

  view->window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_title (view->window, "Clinic");
  gtk_window_set_default_size (view->window, 1000, 700);
  view->shell = clinic_shell_new (admin);
  gtk_window_set_child (view->window, GTK_WIDGET (view->shell));
  gtk_window_present (view->window);
  clinic_shell_set_section (view->shell, "patients");
  stack = GTK_STACK (clinic_test_find_widget (GTK_WIDGET (view->shell), GTK_TYPE_STACK));
  view->section = CLINIC_PATIENTS_SECTION (gtk_stack_get_child_by_name (stack, "patients"));
  clinic_test_wait_for_draw (GTK_WIDGET (view->window));
}

/* Good rows, rows at fault (no family name, an impossible date, an
 * address that is none) and one patient already registered. */
static const char good_and_bad[] =
  "Nachname;Vorname;Geburtsdatum;E-Mail;Telefon;Lieblingsfarbe\n"
  "Becker;Lena;1984-03-12;lena@example.org;030 1112233;blau\n"
  "Hoffmann;Paul;1979-04-12;;;grün\n"
  ";Mia;2001-05-06;;;rot\n"
  "Schäfer;Jan;1990-02-30;;;gelb\n"
  "Koch;Eva;1975-01-01;eva at example;;lila\n"
  "Richter;Tom;1988-08-08;;;weiß\n"
  "Müller;Hans Peter;1980-02-03;;;schwarz\n";

static void
test_import_valid_rows (void)
{
  g_autoptr(GFile) file = write_file ("patients.csv", good_and_bad, -1);
  g_autoptr(GFile) saved = NULL;
  g_autofree char *saved_path = g_build_filename (dir, "errors.csv", NULL);
  g_autofree char *errors_text = NULL;
  g_autoptr(GError) error = NULL;
  gint64 before = clinic_test_query_int (db, "SELECT count(*) FROM patients");
  ClinicPatientImport *dialog;
  GListModel *preview, *errors, *registry;
  GtkWidget *skip;
  View view;

  view_open (&view);
  /* Ctrl+I's action opens the dialog over the window. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view.section), "patients.import", NULL));
  dialog = CLINIC_PATIENT_IMPORT (clinic_test_find_toplevel (CLINIC_TYPE_PATIENT_IMPORT));
  g_assert_nonnull (dialog);
  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &dialog);
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (dialog)) == view.window);
  g_assert_true (gtk_window_get_modal (GTK_WINDOW (dialog)));
  clinic_test_wait_for_draw (GTK_WIDGET (dialog));
  g_assert_cmpstr (clinic_patient_import_get_page (dialog), ==, "file");
  clinic_test_assert_all_named (GTK_WIDGET (dialog), TRUE);

  /* The mapping: recognised headers pre-filled, the unknown one ignored. */
  clinic_patient_import_open_file (dialog, file);
  wait_idle (dialog);
  g_assert_cmpstr (clinic_patient_import_get_page (dialog), ==, "mapping");
  g_assert_null (clinic_patient_import_get_message (dialog));
  g_assert_cmpuint (adw_combo_row_get_selected (clinic_patient_import_get_column_row (dialog, 0)), ==,
                    field_choice ("family_name"));
  g_assert_cmpuint (adw_combo_row_get_selected (clinic_patient_import_get_column_row (dialog, 2)), ==,
                    field_choice ("birth_date"));
  g_assert_cmpuint (adw_combo_row_get_selected (clinic_patient_import_get_column_row (dialog, 3)), ==,
                    field_choice ("email"));
  g_assert_cmpuint (adw_combo_row_get_selected (clinic_patient_import_get_column_row (dialog, 5)), ==, 0);
  g_assert_null (clinic_patient_import_get_column_row (dialog, 6));
  /* Sample values as the subtitle. */
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (clinic_patient_import_get_column_row (dialog, 0))),
                   ==, "Becker · Hoffmann · Schäfer");

  /* The preview: line, the five mapped fields, the verdict. */
  preview = clinic_patient_import_get_preview (dialog);
  g_assert_cmpuint (g_list_model_get_n_items (preview), ==, 7);
  g_assert_cmpstr (cell (preview, 0, 0), ==, "2");
  g_assert_cmpstr (cell (preview, 0, 1), ==, "Becker");
  g_assert_cmpstr (cell (preview, 0, 3), ==, "1984-03-12");
  g_assert_cmpstr (cell (preview, 0, 6), ==, "OK");
  g_assert_cmpstr (cell (preview, 3, 3), ==, "1990-02-30");
  g_assert_true (g_str_has_prefix (cell (preview, 3, 6), "Geburtsdatum: "));

  /* The colour column as notes: the preview follows the mapping. */
  adw_combo_row_set_selected (clinic_patient_import_get_column_row (dialog, 5), field_choice ("notes"));
  g_assert_cmpstr (cell (preview, 0, 6), ==, "blau");
  g_assert_cmpstr (cell (preview, 0, 7), ==, "OK");

  /* No column for the date of birth: said inline, and no way on. */
  adw_combo_row_set_selected (clinic_patient_import_get_column_row (dialog, 2), 0);
  g_assert_false (button_sensitive (GTK_WIDGET (dialog), "import.next"));
  g_assert_true (label_shown (GTK_WIDGET (dialog), "No column gives the field “Date of birth”"));
  adw_combo_row_set_selected (clinic_patient_import_get_column_row (dialog, 2), field_choice ("birth_date"));
  g_assert_true (button_sensitive (GTK_WIDGET (dialog), "import.next"));
  screenshot (GTK_WINDOW (dialog), 1280, 800, "import-mapping");
  clinic_test_assert_all_named (GTK_WIDGET (dialog), TRUE);
  screenshot (GTK_WINDOW (dialog), 560, 480, "import-mapping-small");

  /* Every row checked: three at fault, listed with line, column, reason. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "import.next", NULL));
  wait_idle (dialog);
  g_assert_cmpstr (clinic_patient_import_get_page (dialog), ==, "check");
  errors = clinic_patient_import_get_errors (dialog);
  g_assert_cmpuint (g_list_model_get_n_items (errors), ==, 3);
  g_assert_cmpstr (cell (errors, 0, 0), ==, "4");
  g_assert_cmpstr (cell (errors, 0, 1), ==, "Nachname");
  g_assert_nonnull (strstr (cell (errors, 0, 2), "family name"));
  g_assert_cmpstr (cell (errors, 1, 0), ==, "5");
  g_assert_cmpstr (cell (errors, 1, 1), ==, "Geburtsdatum");
  g_assert_nonnull (strstr (cell (errors, 1, 2), "1990-02-30"));
  g_assert_cmpstr (cell (errors, 2, 0), ==, "6");
  g_assert_cmpstr (cell (errors, 2, 1), ==, "E-Mail");
  g_assert_true (label_shown (GTK_WIDGET (dialog), "4 rows valid, 3 rows with errors"));
  /* Import All is not offered while rows are at fault; the valid ones
   * are, without the one that looks registered. */
  g_assert_false (button_sensitive (GTK_WIDGET (dialog), "import.import-all"));
  g_assert_true (button_sensitive (GTK_WIDGET (dialog), "import.import-valid"));
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (clinic_test_find_button (GTK_WIDGET (dialog), "import.import-valid"))),
                   ==, "Import 3 _Valid Rows");
  skip = clinic_test_find_widget (GTK_WIDGET (dialog), GTK_TYPE_CHECK_BUTTON);
  g_assert_true (gtk_widget_get_visible (skip));
  g_assert_true (gtk_check_button_get_active (GTK_CHECK_BUTTON (skip)));
  g_assert_nonnull (strstr (gtk_check_button_get_label (GTK_CHECK_BUTTON (skip)), "1 row"));
  screenshot (GTK_WINDOW (dialog), 1280, 800, "import-errors");
  clinic_test_assert_all_named (GTK_WIDGET (dialog), TRUE);
  screenshot (GTK_WINDOW (dialog), 560, 480, "import-errors-small");

  /* The error list as CSV. */
  saved = g_file_new_for_path (saved_path);
  g_assert_true (clinic_patient_import_save_errors (dialog, saved, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (saved_path, &errors_text, NULL, NULL));
  g_assert_true (g_str_has_prefix (errors_text, "Line,Column,Reason\r\n4,Nachname,"));
  g_assert_nonnull (strstr (errors_text, "\r\n5,Geburtsdatum,"));

  /* The valid rows: exactly those, and the registry shows them. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "import.import-valid", NULL));
  wait_idle (dialog);
  g_assert_null (clinic_patient_import_get_message (dialog));
  g_assert_cmpstr (clinic_patient_import_get_page (dialog), ==, "done");
  clinic_test_assert_all_named (GTK_WIDGET (dialog), TRUE);
  screenshot (GTK_WINDOW (dialog), 960, 680, "import-done");
  g_assert_cmpint (clinic_test_query_int (db, "SELECT count(*) FROM patients"), ==, before + 3);
  g_assert_cmpint (clinic_test_query_int (db, "SELECT count(*) FROM patients WHERE family_name IN"
                                              " ('Becker', 'Hoffmann', 'Richter')"), ==, 3);
  g_assert_cmpint (clinic_test_query_int (db, "SELECT count(*) FROM patients WHERE family_name = 'Müller'"), ==, 1);
  g_assert_cmpint (clinic_test_query_int (db, "SELECT count(*) FROM patients WHERE notes = 'blau'"), ==, 1);
  g_assert_cmpint (clinic_test_query_int (db, "SELECT count(*) FROM audit_log WHERE action = 'patients.imported'"
                                              " AND new_value = '3' AND user_name = 'admin'"), ==, 1);
  registry = clinic_patients_section_get_model (view.section);
  g_assert_cmpuint (g_list_model_get_n_items (registry), ==, before + 3);
  clinic_patients_section_search (view.section, "richter");
  g_assert_cmpuint (g_list_model_get_n_items (registry), ==, 1);

  gtk_window_destroy (GTK_WINDOW (dialog));
  clinic_test_spin (50);
  g_assert_null (dialog);
  gtk_window_destroy (view.window);
  clinic_test_spin (50);
}

/* Files that cannot be imported: the reason in words, still on the
 * first page, nothing registered. */
static void
test_bad_files (void)
{
  static const struct { const char *name; const char *contents; gssize len; const char *expected; } cases[] = {
    { "latin1.csv", "Nachname;Vorname;Geburtsdatum\nM\xfcller;Hans;1980-02-03\n", -1, "UTF-8" },
    { "empty.csv", "", 0, "empty" },
    { "header-only.csv", "Nachname;Vorname;Geburtsdatum\n", -1, "no rows" },
    { "missing.csv", NULL, 0, "No such file" },
  };
  gint64 before = clinic_test_query_int (db, "SELECT count(*) FROM patients");
  ClinicPatientImport *dialog = clinic_patient_import_new (NULL, admin);

  gtk_window_present (GTK_WINDOW (dialog));
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GFile) file = NULL;
      const char *message;

      if (cases[i].contents != NULL)
        file = write_file (cases[i].name, cases[i].contents, cases[i].len);
      else
        {
          g_autofree char *path = g_build_filename (dir, cases[i].name, NULL);

          file = g_file_new_for_path (path);
        }
      clinic_patient_import_open_file (dialog, file);
      wait_idle (dialog);
      g_assert_cmpstr (clinic_patient_import_get_page (dialog), ==, "file");
      message = clinic_patient_import_get_message (dialog);
      g_assert_nonnull (message);
      g_test_message ("%s: %s", cases[i].name, message);
      g_assert_nonnull (strstr (message, cases[i].name));
      g_assert_nonnull (strstr (message, cases[i].expected));
      if (i == 0)
        screenshot (GTK_WINDOW (dialog), 960, 680, "import-not-utf8");
    }
  clinic_test_assert_all_named (GTK_WIDGET (dialog), TRUE);
  g_assert_false (button_sensitive (GTK_WIDGET (dialog), "import.next"));
  g_assert_cmpint (clinic_test_query_int (db, "SELECT count(*) FROM patients"), ==, before);
  gtk_window_destroy (GTK_WINDOW (dialog));
  clinic_test_spin (50);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  clinic_test_ui_init (&argc, &argv);
  clinic_keys_allow_test_limits (TRUE);
  make_clinic ();

  g_test_add_func ("/patient-import/valid-rows", test_import_valid_rows);
  g_test_add_func ("/patient-import/bad-files", test_bad_files);

  status = g_test_run ();

  g_clear_object (&admin);
  g_clear_object (&db);
  clinic_test_remove_tree (dir);
  g_free (dir);
  return status;
}
