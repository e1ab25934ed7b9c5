/* test-shell.c — the role views: which sections each role sees, and the
 * sections that work today (settings, audit) driven through their widgets */

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include <glib/gi18n.h>

#include "clinic-appointments.h"
#include "clinic-audit-section.h"
#include "clinic-chart.h"
#include "clinic-chart-window.h"
#include "clinic-documents.h"
#include "clinic-form-window.h"
#include "clinic-merge-dialog.h"
#include "clinic-patient-merge.h"
#include "clinic-patient-form.h"
#include "clinic-patient-model.h"
#include "clinic-patients.h"
#include "clinic-patients-section.h"
#include "clinic-profile-section.h"
#include "clinic-schedule.h"
#include "clinic-settings.h"
#include "clinic-settings-section.h"
#include "clinic-shell.h"
#include "clinic-test-db.h"
#include "clinic-test-ui.h"
#include "clinic-users.h"

#define ADMIN_PASSWORD "quiet river under old stone"
#define STAFF_PASSWORD "amber falcon over misty hills"
#define PATIENT_PASSWORD "little green lantern"

/* One clinic for the whole program: making it is the slow part. */
static ClinicDb      *db;
static ClinicSession *admin;
static char          *dir;

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) folder = g_dir_open (path, 0, NULL);
  const char *name;

  while (folder != NULL && (name = g_dir_read_name (folder)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        remove_tree (child);
      else
        g_remove (child);
    }
  g_rmdir (path);
}

static void
make_clinic (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  ClinicKdfLimits limits = CLINIC_KDF_LIMITS_TEST;
  ClinicCredentials credentials = {
    .user = "admin",
    .password = ADMIN_PASSWORD,
    .limits = &limits,
  };
  char *recovery = NULL;

  /* Outside the per-test folders, which go after each test. */
  dir = g_dir_make_tmp ("clinic-shell-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (dir, "clinic.db", NULL);
  db = clinic_db_create (path, "Lindenhof Practice", &credentials, &recovery, &error);
  g_assert_no_error (error);
  g_free (recovery);

  admin = clinic_session_start (db, &error);
  g_assert_no_error (error);
}

static void
add_user (const char     *name,
          const char     *display_name,
          ClinicUserKind  kind,
          gint64          role_id,
          const char     *password)
{
  g_autoptr(GError) error = NULL;
  ClinicKdfLimits limits = CLINIC_KDF_LIMITS_TEST;
  gint64 id;

  id = clinic_users_create (admin, name, display_name, kind, role_id, password, &limits, &error);
  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);
}

static ClinicSession *
sign_in (const char *name,
         const char *password)
{
  g_autoptr(GError) error = NULL;
  ClinicSession *session = clinic_session_sign_in (db, name, password, &error);

  g_assert_no_error (error);
  return session;
}

typedef struct
{
  GtkWindow   *window;
  ClinicShell *shell;
} View;

static void
view_open (View          *view,
           ClinicSession *session)
{
  view->window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_title (view->window, "Clinic");
  gtk_window_set_default_size (view->window, 1180, 760);
  view->shell = clinic_shell_new (session);
  g_object_add_weak_pointer (G_OBJECT (view->shell), (gpointer *) &view->shell);
  gtk_window_set_child (view->window, GTK_WIDGET (view->shell));
  gtk_window_present (view->window);
  clinic_test_wait_for_draw (GTK_WIDGET (view->window));
}

static void
view_close (View *view)
{
  gtk_window_destroy (view->window);
  clinic_test_spin (50);
  /* The shell and every section in it are released. */
  g_assert_null (view->shell);
}

static void
assert_sections (ClinicShell       *shell,
                 const char *const *expected)
{
  const char *const *shown = clinic_shell_get_sections (shell);
  g_autofree char *shown_text = g_strjoinv (" ", (char **) shown);
  g_autofree char *expected_text = g_strjoinv (" ", (char **) expected);

  g_assert_cmpstr (shown_text, ==, expected_text);
}

static GtkWidget *
section_widget (ClinicShell *shell,
                const char  *id)
{
  GtkStack *stack = GTK_STACK (clinic_test_find_widget (GTK_WIDGET (shell), GTK_TYPE_STACK));
  GtkWidget *child = gtk_stack_get_child_by_name (stack, id);

  g_assert_nonnull (child);
  return child;
}

/* Shows each section, screenshots it and checks every control is named. */
static void
walk_sections (ClinicShell *shell,
               const char  *role)
{
  GtkWidget *window = GTK_WIDGET (gtk_widget_get_root (GTK_WIDGET (shell)));

  for (const char *const *id = clinic_shell_get_sections (shell); *id != NULL; id++)
    {
      g_autofree char *name = g_strdup_printf ("shell-%s-%s", role, *id);
      g_autofree char *path = NULL;

      clinic_shell_set_section (shell, *id);
      g_assert_cmpstr (clinic_shell_get_section (shell), ==, *id);
      clinic_test_wait_for_draw (window);
      path = clinic_test_save_screenshot (window, name);
      g_test_message ("%s", path);
      clinic_test_assert_all_named (window, TRUE);
    }
}

static void
test_shell_admin (void)
{
  static const char *const expected[] = {
    "dashboard", "profiles", "users", "patients", "appointments", "reminders",
    "calendar", "payments", "messages", "reports", "audit", "settings",
    "account", NULL
  };
  View view;

  view_open (&view, admin);
  assert_sections (view.shell, expected);
  g_assert_cmpstr (clinic_shell_get_section (view.shell), ==, "dashboard");

  /* A section this role may not see shows the first one. */
  clinic_shell_set_section (view.shell, "profile");
  g_assert_cmpstr (clinic_shell_get_section (view.shell), ==, "dashboard");

  /* Ctrl+3 is the third section. */
  gtk_widget_activate_action (GTK_WIDGET (view.shell), "shell.show-index", "i", 2);
  g_assert_cmpstr (clinic_shell_get_section (view.shell), ==, "users");

  walk_sections (view.shell, "admin");
  view_close (&view);
}

static void
test_shell_roles (void)
{
  static const char *const doctor[] = {
    "dashboard", "patients", "appointments", "reminders", "calendar",
    "payments", "messages", "reports", "account", NULL
  };
  static const char *const front_desk[] = {
    "dashboard", "patients", "appointments", "reminders", "calendar",
    "payments", "messages", "account", NULL
  };
  static const char *const patient[] = {
    "profile", "appointments", "payments", "messages", "account", NULL
  };
  struct {
    const char        *name;
    const char        *display_name;
    ClinicUserKind     kind;
    gint64             role_id;
    const char        *password;
    const char *const *sections;
  } cases[] = {
    { "hartmann", "Dr. Eva Hartmann", CLINIC_USER_STAFF, 2, STAFF_PASSWORD, doctor },
    { "reception", "Tom Berger", CLINIC_USER_STAFF, 3, STAFF_PASSWORD, front_desk },
    { "mia", "Mia Keller", CLINIC_USER_PATIENT, 4, PATIENT_PASSWORD, patient },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(ClinicSession) session = NULL;
      const char *role = clinic_session_get_role_builtin (admin);
      View view;

      add_user (cases[i].name, cases[i].display_name, cases[i].kind,
                cases[i].role_id, cases[i].password);
      session = sign_in (cases[i].name, cases[i].password);
      role = clinic_session_get_role_builtin (session);

      view_open (&view, session);
      assert_sections (view.shell, cases[i].sections);
      for (const char *const *id = clinic_shell_get_sections (view.shell); *id != NULL; id++)
        {
          /* The front desk and patients never see charts' neighbours. */
          g_assert_cmpstr (*id, !=, "audit");
          g_assert_cmpstr (*id, !=, "profiles");
        }
      walk_sections (view.shell, role);
      view_close (&view);
    }
}

static void
test_shell_custom_role (void)
{
  static const char *const expected[] = { "dashboard", "reports", "account", NULL };
  g_autoptr(ClinicSession) session = NULL;
  g_autoptr(GError) error = NULL;
  gint64 role_id;
  View view;

  role_id = clinic_roles_create (admin, "Controller", &error);
  g_assert_no_error (error);
  clinic_roles_set_permission (admin, role_id, CLINIC_PERMISSION_REPORTS, TRUE, &error);
  g_assert_no_error (error);
  add_user ("controller", "Ines Vogt", CLINIC_USER_STAFF, role_id, STAFF_PASSWORD);
  session = sign_in ("controller", STAFF_PASSWORD);

  view_open (&view, session);
  assert_sections (view.shell, expected);
  walk_sections (view.shell, "custom");
  view_close (&view);
}

static void
test_shell_settings (void)
{
  ClinicSettings *settings = clinic_settings_get_for_db (db);
  ClinicSettingsSection *section;
  GtkSpinButton *spin;
  View view;

  view_open (&view, admin);
  clinic_shell_set_section (view.shell, "settings");
  section = CLINIC_SETTINGS_SECTION (section_widget (view.shell, "settings"));
  spin = GTK_SPIN_BUTTON (clinic_settings_section_get_editor (section, "security.idle-lock-minutes"));
  g_assert_nonnull (spin);
  g_assert_cmpint ((int) gtk_spin_button_get_value (spin), ==, 5);

  gtk_spin_button_set_value (spin, 7);
  g_assert_cmpint (clinic_settings_get_int (settings, "security.idle-lock-minutes"), ==, 7);
  g_assert_null (clinic_settings_section_get_error (section, "security.idle-lock-minutes"));

  /* Out of range: the core's sentence on the row, the value unchanged. */
  gtk_spin_button_set_value (spin, 500);
  g_assert_cmpint (clinic_settings_get_int (settings, "security.idle-lock-minutes"), ==, 7);
  g_assert_nonnull (clinic_settings_section_get_error (section, "security.idle-lock-minutes"));
  g_assert_cmpint ((int) gtk_spin_button_get_value (spin), ==, 7);
  clinic_test_wait_for_draw (GTK_WIDGET (view.window));
  g_free (clinic_test_save_screenshot (GTK_WIDGET (view.window), "shell-admin-settings-error"));

  /* A change made elsewhere shows at once. */
  {
    g_autoptr(GError) error = NULL;

    clinic_settings_set (settings, admin, "security.idle-lock-minutes", "9", &error);
    g_assert_no_error (error);
    g_assert_cmpint ((int) gtk_spin_button_get_value (spin), ==, 9);
    g_assert_null (clinic_settings_section_get_error (section, "security.idle-lock-minutes"));
  }

  view_close (&view);
}

static void
test_shell_audit (void)
{
  ClinicAuditSection *section;
  GListModel *model;
  GtkWindow *dialog;
  GtkWidget *button;
  View view;

  view_open (&view, admin);
  clinic_shell_set_section (view.shell, "audit");
  section = CLINIC_AUDIT_SECTION (section_widget (view.shell, "audit"));
  model = clinic_audit_section_get_model (section);
  g_assert_cmpuint (g_list_model_get_n_items (model), >, 0);

  button = clinic_test_find_button (GTK_WIDGET (section), "audit.verify");
  g_assert_nonnull (button);
  gtk_widget_activate_action (button, "audit.verify", NULL);
  clinic_test_spin (50);
  dialog = clinic_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG);
  g_assert_nonnull (dialog);
  g_assert_nonnull (strstr (adw_message_dialog_get_body (ADW_MESSAGE_DIALOG (dialog)), "whole"));
  clinic_test_wait_for_draw (GTK_WIDGET (dialog));
  g_free (clinic_test_save_screenshot (GTK_WIDGET (dialog), "shell-admin-audit-verify"));
  gtk_window_destroy (dialog);

  /* The export quotes as RFC 4180 says, a line per entry after the header. */
  {
    g_autoptr(GError) error = NULL;
    g_autofree char *path = g_build_filename (dir, "audit.csv", NULL);
    g_autoptr(GFile) file = g_file_new_for_path (path);
    g_autofree char *text = NULL;

    clinic_audit_section_export (section, file, &error);
    g_assert_no_error (error);
    g_file_get_contents (path, &text, NULL, &error);
    g_assert_no_error (error);
    g_assert_true (g_str_has_prefix (text, "seq,time,user_id,user,action,"));
    g_assert_nonnull (strstr (text, ",sign-in,"));
  }

  view_close (&view);
}


/* The registry: the list pages itself, the search box narrows it as one
 * types, and a row opens the chart with the patient named in its title. */
static void
test_shell_patients (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func ((GDestroyNotify) clinic_patient_free);
  static const char *const families[] = { "Berger", "Keller", "Vogel", "Wolf", "Roth" };
  ClinicPatientsSection *section;
  GListModel *model;
  GtkWindow *chart;
  GtkWidget *column_view;
  View view;

  for (guint i = 0; i < 1200; i++)
    {
      g_autofree char *phone = g_strdup_printf ("030 %07u", i);
      g_autofree char *birth = g_strdup_printf ("%04u-%02u-%02u", 1940 + i % 70, 1 + i % 12, 1 + i % 28);

      g_ptr_array_add (list, clinic_test_patient_new (families[i % G_N_ELEMENTS (families)], i % 2 ? "Anna" : "Jonas",
                                          birth, phone));
    }
  g_ptr_array_add (list, clinic_test_patient_new ("Müller", "Hans Peter", "1980-02-03", "+49 (30) 123-4567"));
  g_assert_cmpint (clinic_patients_import (admin, list, NULL, NULL, &error), ==, 1201);
  g_assert_no_error (error);

  view_open (&view, admin);
  clinic_shell_set_section (view.shell, "patients");
  section = CLINIC_PATIENTS_SECTION (section_widget (view.shell, "patients"));
  model = clinic_patients_section_get_model (section);
  /* More than the first count: 1,000 shown as counted, more on scrolling. */
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 1000);
  {
    g_autoptr(ClinicPatientRow) deep = g_list_model_get_item (model, 999);

    g_assert_nonnull (clinic_patient_row_get_patient (deep));
    /* The count grows from an idle; on a busy machine a frame may keep
     * it waiting past a fixed pause, so wait for it (up to 3 s). */
    for (guint i = 0; i < 30 && g_list_model_get_n_items (model) < 1201; i++)
      clinic_test_spin (100);
    g_assert_cmpuint (g_list_model_get_n_items (model), ==, 1201);
  }
  clinic_test_wait_for_draw (GTK_WIDGET (view.window));
  g_free (clinic_test_save_screenshot (GTK_WIDGET (view.window), "shell-patients-registry"));

  /* Typed in the search box: accents folded, date of birth, phone digits. */
  column_view = clinic_test_find_widget (GTK_WIDGET (section), GTK_TYPE_COLUMN_VIEW);
  g_assert_nonnull (column_view);
  clinic_patients_section_search (section, "mull");
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 1);
  clinic_patients_section_search (section, "1980-02-03");
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 1);
  clinic_patients_section_search (section, "123-45");
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 1);
  clinic_patients_section_search (section, "nobody like this");
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 0);
  clinic_test_wait_for_draw (GTK_WIDGET (view.window));
  g_free (clinic_test_save_screenshot (GTK_WIDGET (view.window), "shell-patients-none"));
  clinic_patients_section_search (section, "mül");
  clinic_test_wait_for_draw (GTK_WIDGET (view.window));
  {
    AdwAvatar *avatar = ADW_AVATAR (clinic_test_find_widget (column_view, ADW_TYPE_AVATAR));

    /* Initials without a photo, the photo once there is one. */
    g_assert_nonnull (avatar);
    g_assert_null (adw_avatar_get_custom_image (avatar));
    g_assert_cmpstr (adw_avatar_get_text (avatar), ==, "Hans Peter Müller");
  }
  {
    guint32 pixels[16 * 16];
    g_autoptr(GBytes) raw = NULL;
    g_autoptr(GdkTexture) texture = NULL;
    g_autoptr(GBytes) png = NULL;
    g_autoptr(ClinicPatient) hans = NULL;
    AdwAvatar *avatar;

    for (guint i = 0; i < G_N_ELEMENTS (pixels); i++)
      pixels[i] = 0xff2ec27e;
    raw = g_bytes_new (pixels, sizeof pixels);
    texture = gdk_memory_texture_new (16, 16, GDK_MEMORY_B8G8R8A8, raw, 16 * 4);
    png = gdk_texture_save_to_png_bytes (texture);
    hans = clinic_patients_get_by_chart_number (admin, "C001201", &error);
    g_assert_no_error (error);
    g_assert_true (clinic_patients_set_photo (admin, hans->id, png, &error));
    g_assert_no_error (error);
    clinic_patients_section_search (section, "müll");
    clinic_patients_section_search (section, "mül");
    clinic_test_wait_for_draw (GTK_WIDGET (view.window));
    avatar = ADW_AVATAR (clinic_test_find_widget (column_view, ADW_TYPE_AVATAR));
    g_assert_nonnull (adw_avatar_get_custom_image (avatar));
  }
  g_free (clinic_test_save_screenshot (GTK_WIDGET (view.window), "shell-patients-search"));

  /* The chart names the patient with date of birth and chart number. */
  chart = clinic_patients_section_open_chart (section, 0);
  g_assert_nonnull (chart);
  clinic_test_wait_for_draw (GTK_WIDGET (chart));
  g_assert_nonnull (strstr (gtk_window_get_title (chart), "Müller"));
  {
    AdwViewSwitcherTitle *title = ADW_VIEW_SWITCHER_TITLE (clinic_test_find_widget (GTK_WIDGET (chart),
                                                                                    ADW_TYPE_VIEW_SWITCHER_TITLE));

    g_assert_nonnull (strstr (adw_view_switcher_title_get_subtitle (title), "1980-02-03"));
    g_assert_nonnull (strstr (adw_view_switcher_title_get_subtitle (title), "C001201"));
  }
  clinic_test_assert_all_named (GTK_WIDGET (chart), FALSE);
  g_free (clinic_test_save_screenshot (GTK_WIDGET (chart), "shell-patients-chart"));
  gtk_window_destroy (chart);

  /* Registering at the front desk: the core's sentence for a missing
   * field, then the patient, found in the list by chart number. */
  {
    ClinicPatientForm *form = CLINIC_PATIENT_FORM (clinic_patients_section_new_patient (section));
    ClinicPatientForm *again;
    GtkWindow *question;
    gint64 id;

    clinic_test_wait_for_draw (GTK_WIDGET (form));
    clinic_test_assert_all_named (GTK_WIDGET (form), FALSE);
    gtk_editable_set_text (GTK_EDITABLE (clinic_patient_form_get_row (form, "family_name")), "Neumann");
    g_assert_cmpint (clinic_patient_form_register (form, FALSE), ==, 0);
    clinic_test_wait_for_draw (GTK_WIDGET (form));
    g_free (clinic_test_save_screenshot (GTK_WIDGET (form), "shell-patients-form-error"));
    gtk_editable_set_text (GTK_EDITABLE (clinic_patient_form_get_row (form, "given_names")), "Otto");
    gtk_editable_set_text (GTK_EDITABLE (clinic_patient_form_get_row (form, "birth_date")), "1971-05-06");
    gtk_editable_set_text (GTK_EDITABLE (clinic_patient_form_get_row (form, "phone")), "0171 555 0101");
    id = clinic_patient_form_register (form, FALSE);
    g_assert_cmpint (id, >, 0);
    clinic_test_spin (50);
    g_assert_cmpuint (g_list_model_get_n_items (model), ==, 1);

    /* The same person again: asked first, registered only when told. */
    again = CLINIC_PATIENT_FORM (clinic_patients_section_new_patient (section));
    gtk_editable_set_text (GTK_EDITABLE (clinic_patient_form_get_row (again, "family_name")), "neumann");
    gtk_editable_set_text (GTK_EDITABLE (clinic_patient_form_get_row (again, "given_names")), "otto");
    gtk_editable_set_text (GTK_EDITABLE (clinic_patient_form_get_row (again, "birth_date")), "1971-05-06");
    g_assert_cmpint (clinic_patient_form_register (again, FALSE), ==, 0);
    clinic_test_spin (50);
    question = clinic_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG);
    g_assert_nonnull (question);
    g_assert_nonnull (strstr (adw_message_dialog_get_body (ADW_MESSAGE_DIALOG (question)), "Neumann"));
    clinic_test_wait_for_draw (GTK_WIDGET (question));
    g_free (clinic_test_save_screenshot (GTK_WIDGET (question), "shell-patients-duplicate"));
    adw_message_dialog_response (ADW_MESSAGE_DIALOG (question), "register");
    clinic_test_spin (50);
    g_assert_cmpint (clinic_test_find_toplevel (CLINIC_TYPE_PATIENT_FORM) == NULL, ==, TRUE);
    clinic_patients_section_search (section, "neumann otto");
    g_assert_cmpuint (g_list_model_get_n_items (model), ==, 2);
  }

  view_close (&view);
}

/* The label of the chart's allergy banner. */
static const char *
banner_text (GtkWindow *chart)
{
  GtkWidget *banner = clinic_test_find_widget_by_name (GTK_WIDGET (chart), "allergy_label");

  g_assert_nonnull (banner);
  return gtk_label_get_text (GTK_LABEL (banner));
}

static void
show_page (GtkWindow  *chart,
           const char *page,
           const char *screenshot)
{
  AdwViewStack *stack = ADW_VIEW_STACK (clinic_test_find_widget (GTK_WIDGET (chart), ADW_TYPE_VIEW_STACK));

  adw_view_stack_set_visible_child_name (stack, page);
  clinic_test_wait_for_draw (GTK_WIDGET (chart));
  clinic_test_assert_all_named (GTK_WIDGET (chart), TRUE);
  g_free (clinic_test_save_screenshot (GTK_WIDGET (chart), screenshot));
}

/* A doctor's chart: the allergy banner's three states, a note drafted and
 * signed through the forms, a prescription with the allergies on its form,
 * its printable sheet; the front desk sees details and insurance only. */
static void
test_shell_chart (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClinicPatient) p = clinic_test_patient_new ("Schneider", "Clara", "1962-08-14", "0171 444 0102");
  g_autoptr(ClinicSession) doctor = NULL;
  g_autoptr(ClinicSession) front = NULL;
  g_autoptr(ClinicPatient) stored = NULL;
  g_autoptr(ClinicInsurancePolicy) policy = clinic_insurance_policy_new ();
  ClinicChartWindow *chart;
  ClinicFormWindow *form;
  GtkWindow *print;
  gint64 id;

  add_user ("drweber", "Dr. Anna Weber", CLINIC_USER_STAFF, 2, STAFF_PASSWORD);
  add_user ("desk", "Jonas Brandt", CLINIC_USER_STAFF, 3, STAFF_PASSWORD);
  doctor = sign_in ("drweber", STAFF_PASSWORD);
  front = sign_in ("desk", STAFF_PASSWORD);
  g_free (p->treatment);
  p->treatment = g_strdup ("Physiotherapy twice a week until March.");
  id = clinic_patients_create (admin, p, TRUE, &error);
  g_assert_no_error (error);
  stored = clinic_patients_get (doctor, id, &error);
  g_assert_no_error (error);

  policy->patient_id = id;
  g_free (policy->payer);
  policy->payer = g_strdup ("Techniker Krankenkasse");
  g_free (policy->member_id);
  policy->member_id = g_strdup ("T998877");
  g_free (policy->valid_from);
  policy->valid_from = g_strdup ("2020-01-01");
  clinic_insurance_save (front, policy, &error);
  g_assert_no_error (error);

  chart = clinic_chart_window_new (NULL, doctor, stored);
  gtk_window_set_default_size (GTK_WINDOW (chart), 1100, 800);
  gtk_window_present (GTK_WINDOW (chart));
  clinic_test_wait_for_draw (GTK_WIDGET (chart));
  g_assert_nonnull (strstr (banner_text (GTK_WINDOW (chart)), "not recorded"));

  /* An allergy through its form: a missing substance is refused in the
   * form, which stays open; then recorded, and the banner names it. */
  form = CLINIC_FORM_WINDOW (clinic_chart_window_open_form (chart, "add-allergy"));
  clinic_test_wait_for_draw (GTK_WIDGET (form));
  clinic_test_assert_all_named (GTK_WIDGET (form), FALSE);
  clinic_form_window_submit (form);
  g_assert_nonnull (clinic_form_window_get_error (form));
  clinic_form_window_set_text (form, "substance", "Penicillin");
  clinic_form_window_set_text (form, "reaction", "Hives");
  clinic_form_window_submit (form);
  clinic_test_spin (50);
  g_assert_nonnull (strstr (banner_text (GTK_WINDOW (chart)), "Penicillin"));

  /* A visit note: drafted in the form, signed with the core's call, then
   * an addendum. */
  form = CLINIC_FORM_WINDOW (clinic_chart_window_open_form (chart, "new-note"));
  g_assert_nonnull (form);
  clinic_test_assert_all_named (GTK_WIDGET (form), FALSE);
  clinic_form_window_set_text (form, "subjective", "Knee pain after a fall.");
  clinic_form_window_set_text (form, "assessment", "Contusion of the left knee.");
  clinic_form_window_set_text (form, "plan", "Cooling, ibuprofen, review in one week.");
  clinic_test_wait_for_draw (GTK_WIDGET (form));
  g_free (clinic_test_save_screenshot (GTK_WIDGET (form), "shell-chart-note-form"));
  clinic_form_window_submit (form);
  clinic_test_spin (50);
  g_assert_cmpint (clinic_test_query_int (db, "SELECT count(*) FROM visit_notes WHERE signed_at IS NULL"), ==, 1);
  g_assert_true (clinic_chart_sign_note (doctor, clinic_test_query_int (db, "SELECT max(id) FROM visit_notes"),
                                         &error));
  g_assert_no_error (error);
  clinic_chart_window_reload (chart);

  /* The prescription form shows the allergies; the draft is refused
   * without a dose, then saved, signed and printed. */
  form = CLINIC_FORM_WINDOW (clinic_chart_window_open_form (chart, "new-prescription"));
  g_assert_nonnull (clinic_test_find_label (GTK_WIDGET (form), "Penicillin"));
  clinic_form_window_set_text (form, "drug", "Ibuprofen");
  clinic_form_window_set_text (form, "strength", "400 mg");
  clinic_form_window_set_text (form, "frequency", "three times a day");
  clinic_form_window_submit (form);
  g_assert_nonnull (clinic_form_window_get_error (form));
  clinic_test_wait_for_draw (GTK_WIDGET (form));
  g_free (clinic_test_save_screenshot (GTK_WIDGET (form), "shell-chart-prescription-form"));
  clinic_form_window_set_text (form, "dose", "1 tablet");
  clinic_form_window_set_text (form, "quantity", "20");
  clinic_form_window_submit (form);
  clinic_test_spin (50);
  g_assert_true (clinic_chart_sign_prescription (doctor, clinic_test_query_int (db, "SELECT max(id) FROM prescriptions"),
                                                 &error));
  g_assert_no_error (error);
  clinic_chart_window_reload (chart);

  /* A photo shows in the header; documents have a page of their own. */
  {
    guint32 pixels[16 * 16];
    g_autoptr(GBytes) raw = NULL;
    g_autoptr(GdkTexture) texture = NULL;
    g_autoptr(GBytes) png = NULL;
    AdwAvatar *avatar;

    for (guint i = 0; i < G_N_ELEMENTS (pixels); i++)
      pixels[i] = 0xff3a7bd5;
    raw = g_bytes_new (pixels, sizeof pixels);
    texture = gdk_memory_texture_new (16, 16, GDK_MEMORY_B8G8R8A8, raw, 16 * 4);
    png = gdk_texture_save_to_png_bytes (texture);
    g_assert_true (clinic_patients_set_photo (front, id, png, &error));
    g_assert_no_error (error);
    clinic_chart_window_reload (chart);
    avatar = ADW_AVATAR (clinic_test_find_widget (GTK_WIDGET (chart), ADW_TYPE_AVATAR));
    g_assert_nonnull (adw_avatar_get_custom_image (avatar));
  }
  show_page (GTK_WINDOW (chart), "documents", "shell-chart-documents");
  show_page (GTK_WINDOW (chart), "overview", "shell-chart-overview");
  show_page (GTK_WINDOW (chart), "notes", "shell-chart-notes");
  show_page (GTK_WINDOW (chart), "prescriptions", "shell-chart-prescriptions");
  show_page (GTK_WINDOW (chart), "timeline", "shell-chart-timeline");

  print = clinic_chart_window_print_prescription (chart, clinic_test_query_int (db, "SELECT max(id) FROM prescriptions"));
  g_assert_nonnull (print);
  clinic_test_wait_for_draw (GTK_WIDGET (print));
  clinic_test_assert_all_named (GTK_WIDGET (print), TRUE);
  g_free (clinic_test_save_screenshot (GTK_WIDGET (print), "shell-chart-prescription-print"));
  gtk_window_destroy (print);
  gtk_window_destroy (GTK_WINDOW (chart));

  /* The front desk: details and insurance, no clinical pages, no banner. */
  chart = clinic_chart_window_new (NULL, front, stored);
  gtk_window_present (GTK_WINDOW (chart));
  clinic_test_wait_for_draw (GTK_WIDGET (chart));
  g_assert_false (gtk_widget_get_visible (clinic_test_find_widget_by_name (GTK_WIDGET (chart), "allergy_banner")));
  g_assert_nonnull (clinic_test_find_label (GTK_WIDGET (chart), "Techniker Krankenkasse"));
  g_assert_null (clinic_test_find_label (GTK_WIDGET (chart), "Contusion of the left knee."));
  clinic_test_assert_all_named (GTK_WIDGET (chart), TRUE);
  g_free (clinic_test_save_screenshot (GTK_WIDGET (chart), "shell-chart-front-desk"));
  gtk_window_destroy (GTK_WINDOW (chart));
  clinic_test_spin (50);
}

/* A patient at the kiosk: their own record, contact details editable,
 * the rest not; and a note instead when the account is not linked yet. */
static void
test_shell_profile (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClinicPatient) p = clinic_test_patient_new ("Lindqvist", "Ida", "1992-09-14", "0176 5550123");
  g_autoptr(ClinicUser) ida = NULL;
  g_autoptr(ClinicSession) session = NULL;
  g_autoptr(ClinicPatient) stored = NULL;
  ClinicProfileSection *section;
  gint64 id;
  View view;

  add_user ("ida", "Ida Lindqvist", CLINIC_USER_PATIENT, 4, PATIENT_PASSWORD);
  session = sign_in ("ida", PATIENT_PASSWORD);
  view_open (&view, session);
  clinic_shell_set_section (view.shell, "profile");
  g_assert_cmpstr (clinic_shell_get_section (view.shell), ==, "profile");
  section = CLINIC_PROFILE_SECTION (section_widget (view.shell, "profile"));
  g_assert_false (clinic_profile_section_save (section));
  view_close (&view);
  g_clear_object (&session);

  id = clinic_patients_create (admin, p, TRUE, &error);
  g_assert_no_error (error);
  ida = clinic_users_lookup_by_name (admin, "ida", &error);
  g_assert_no_error (error);
  g_assert_true (clinic_patients_link_account (admin, id, ida->id, &error));
  g_assert_no_error (error);

  session = sign_in ("ida", PATIENT_PASSWORD);
  view_open (&view, session);
  clinic_shell_set_section (view.shell, "profile");
  section = CLINIC_PROFILE_SECTION (section_widget (view.shell, "profile"));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (clinic_profile_section_get_row (section, "phone"))),
                   ==, "0176 5550123");
  clinic_test_assert_all_named (GTK_WIDGET (section), TRUE);

  /* A wrong address is the core's sentence; a right one is saved. */
  gtk_editable_set_text (GTK_EDITABLE (clinic_profile_section_get_row (section, "email")), "ida at example");
  g_assert_false (clinic_profile_section_save (section));
  clinic_test_wait_for_draw (GTK_WIDGET (view.window));
  g_free (clinic_test_save_screenshot (GTK_WIDGET (view.window), "shell-patient-profile-error"));
  gtk_editable_set_text (GTK_EDITABLE (clinic_profile_section_get_row (section, "email")), "ida@example.org");
  g_assert_true (clinic_profile_section_save (section));
  stored = clinic_patients_get (admin, id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (stored->email, ==, "ida@example.org");
  g_assert_cmpstr (stored->family_name, ==, "Lindqvist");
  clinic_test_wait_for_draw (GTK_WIDGET (view.window));
  g_free (clinic_test_save_screenshot (GTK_WIDGET (view.window), "shell-patient-profile"));
  view_close (&view);
}

/* A label under @root whose text holds @needle (a toast's title). */
static gboolean
has_label_with (GtkWidget  *root,
                const char *needle)
{
  if (GTK_IS_LABEL (root) && strstr (gtk_label_get_text (GTK_LABEL (root)), needle) != NULL)
    return TRUE;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child; child = gtk_widget_get_next_sibling (child))
    if (has_label_with (child, needle))
      return TRUE;
  return FALSE;
}

/* Merging a duplicate from the registry: pick the other record (shown
 * with date of birth and chart number), the side-by-side preview, Merge;
 * the list then shows the record kept, and a toast says what moved. */
static void
test_shell_patients_merge (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClinicPatient) a = clinic_test_patient_new ("Brandstätter", "Lena", "1988-04-12", "");
  g_autoptr(ClinicPatient) b = clinic_test_patient_new ("Brandstätter", "Lena", "1988-04-12", "030 555 0177");
  g_autoptr(ClinicPatient) merged = NULL;
  g_autoptr(ClinicPatient) kept = NULL;
  ClinicPatientsSection *section;
  ClinicMergeDialog *dialog;
  GtkListBoxRow *candidate;
  GListModel *model;
  gint64 keep, merge;
  View view;

  keep = clinic_patients_create (admin, a, TRUE, &error);
  g_assert_no_error (error);
  merge = clinic_patients_create (admin, b, TRUE, &error);
  g_assert_no_error (error);
  kept = clinic_patients_get (admin, keep, &error);
  merged = clinic_patients_get (admin, merge, &error);
  g_assert_no_error (error);

  view_open (&view, admin);
  clinic_shell_set_section (view.shell, "patients");
  section = CLINIC_PATIENTS_SECTION (section_widget (view.shell, "patients"));
  model = clinic_patients_section_get_model (section);
  clinic_patients_section_search (section, kept->chart_number);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 1);
  g_assert_nonnull (clinic_test_find_button (GTK_WIDGET (section), "patients.merge"));

  /* The likely duplicate is offered first, named with its date of birth
   * and chart number. */
  dialog = CLINIC_MERGE_DIALOG (clinic_patients_section_merge_duplicate (section));
  g_assert_nonnull (dialog);
  clinic_test_wait_for_draw (GTK_WIDGET (dialog));
  candidate = gtk_list_box_get_row_at_index (clinic_merge_dialog_get_candidates (dialog), 0);
  g_assert_nonnull (candidate);
  g_assert_null (gtk_list_box_get_row_at_index (clinic_merge_dialog_get_candidates (dialog), 1));
  g_assert_nonnull (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (candidate)), "1988-04-12"));
  g_assert_nonnull (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (candidate)), merged->chart_number));
  clinic_test_assert_all_named (GTK_WIDGET (dialog), TRUE);
  g_free (clinic_test_save_screenshot (GTK_WIDGET (dialog), "shell-patients-merge-pick"));
  /* Searching by name finds it too. */
  clinic_merge_dialog_search (dialog, "brandst");
  g_assert_nonnull (gtk_list_box_get_row_at_index (clinic_merge_dialog_get_candidates (dialog), 0));

  /* The preview: both records side by side, what moves, what is filled. */
  g_signal_emit_by_name (clinic_merge_dialog_get_candidates (dialog), "row-activated",
                         gtk_list_box_get_row_at_index (clinic_merge_dialog_get_candidates (dialog), 0));
  clinic_test_wait_for_draw (GTK_WIDGET (dialog));
  g_assert_true (has_label_with (GTK_WIDGET (dialog), kept->chart_number));
  g_assert_true (has_label_with (GTK_WIDGET (dialog), merged->chart_number));
  g_assert_true (has_label_with (GTK_WIDGET (dialog), "030 555 0177"));
  g_assert_true (has_label_with (GTK_WIDGET (dialog), "Phone"));
  clinic_test_assert_all_named (GTK_WIDGET (dialog), TRUE);
  g_free (clinic_test_save_screenshot (GTK_WIDGET (dialog), "shell-patients-merge-preview"));
  g_assert_true (gtk_widget_has_css_class (clinic_test_find_button (GTK_WIDGET (dialog), "merge.confirm"),
                                           "destructive-action"));

  gtk_widget_activate_action (GTK_WIDGET (dialog), "merge.confirm", NULL);
  clinic_test_spin (100);
  g_assert_null (clinic_test_find_toplevel (CLINIC_TYPE_MERGE_DIALOG));
  g_assert_true (has_label_with (GTK_WIDGET (section), "Duplicate merged"));
  clinic_test_wait_for_draw (GTK_WIDGET (view.window));
  g_free (clinic_test_save_screenshot (GTK_WIDGET (view.window), "shell-patients-merged"));

  /* The record kept has the phone now; the other one is out of the
   * default list and says where it went. */
  clinic_patients_section_search (section, "brandst");
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 1);
  g_clear_pointer (&merged, clinic_patient_free);
  merged = clinic_patients_get (admin, merge, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (merged->merged_into, ==, kept->chart_number);
  g_clear_pointer (&kept, clinic_patient_free);
  kept = clinic_patients_get (admin, keep, &error);
  g_assert_cmpstr (kept->phone, ==, "030 555 0177");
  view_close (&view);
}

/* The registry's visit columns and its doctor and visit-type filters: a
 * patient with a past and a coming visit shows both with the visit type;
 * filtered by the doctor or the type, only patients with such a visit
 * remain. */
static void
test_shell_patients_visits (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClinicPatient) zander = clinic_test_patient_new ("Zander", "Ida", "1991-06-07", "0170 999 1234");
  g_autoptr(ClinicVisitType) type = clinic_visit_type_new ();
  g_autoptr(GPtrArray) visits = g_ptr_array_new_with_free_func ((GDestroyNotify) clinic_appointment_free);
  g_autoptr(GTimeZone) tz = clinic_schedule_get_timezone (db);
  ClinicPatientsSection *section;
  GListModel *model;
  gint64 doctor = clinic_session_get_user_id (admin);
  gint64 patient, type_id;
  gint64 past = 0, coming = 0;
  View view;

  patient = clinic_patients_create (admin, zander, FALSE, &error);
  g_assert_no_error (error);
  g_assert_true (clinic_providers_set (admin, doctor, TRUE, &error));
  g_free (type->name);
  type->name = g_strdup ("Vaccination");
  type->duration_min = 15;
  type_id = clinic_visit_types_save (admin, type, &error);
  g_assert_no_error (error);
  g_assert_true (clinic_parse_local_time (tz, "2020-05-04 09:00", &past, &error));
  g_assert_true (clinic_parse_local_time (tz, "2040-01-04 10:30", &coming, &error));
  for (guint i = 0; i < 2; i++)
    {
      ClinicAppointment *a = g_new0 (ClinicAppointment, 1);

      a->patient_id = patient;
      a->provider_id = doctor;
      a->visit_type_id = type_id;
      a->starts_at = i == 0 ? past : coming;
      a->status = i == 0 ? CLINIC_APPOINTMENT_COMPLETED : CLINIC_APPOINTMENT_BOOKED;
      g_ptr_array_add (visits, a);
    }
  g_assert_cmpint (clinic_appointments_import (admin, visits, NULL, NULL, &error), ==, 2);
  g_assert_no_error (error);

  view_open (&view, admin);
  clinic_shell_set_section (view.shell, "patients");
  section = CLINIC_PATIENTS_SECTION (section_widget (view.shell, "patients"));
  model = clinic_patients_section_get_model (section);
  clinic_patients_section_search (section, "zander");
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 1);
  clinic_test_wait_for_draw (GTK_WIDGET (view.window));
  g_assert_nonnull (clinic_test_find_label (GTK_WIDGET (section), "2020-05-04"));
  g_assert_nonnull (clinic_test_find_label (GTK_WIDGET (section), "2040-01-04 10:30"));
  g_assert_nonnull (clinic_test_find_label (GTK_WIDGET (section), "Vaccination"));
  clinic_test_assert_all_named (GTK_WIDGET (view.window), TRUE);
  g_free (clinic_test_save_screenshot (GTK_WIDGET (view.window), "shell-patients-visits"));

  /* Everyone without a search; the doctor's and the type's patients only. */
  clinic_patients_section_search (section, "");
  g_assert_cmpuint (g_list_model_get_n_items (model), >, 1);
  gtk_drop_down_set_selected (GTK_DROP_DOWN (clinic_test_find_widget_by_name (GTK_WIDGET (section), "doctor_filter")),
                              1);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 1);
  gtk_drop_down_set_selected (GTK_DROP_DOWN (clinic_test_find_widget_by_name (GTK_WIDGET (section), "doctor_filter")),
                              0);
  g_assert_cmpuint (g_list_model_get_n_items (model), >, 1);
  gtk_drop_down_set_selected (GTK_DROP_DOWN (clinic_test_find_widget_by_name (GTK_WIDGET (section), "type_filter")),
                              1);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 1);
  clinic_test_wait_for_draw (GTK_WIDGET (view.window));
  g_free (clinic_test_save_screenshot (GTK_WIDGET (view.window), "shell-patients-visit-filter"));

  view_close (&view);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  clinic_test_ui_init (&argc, &argv);
  clinic_keys_allow_test_limits (TRUE);
  make_clinic ();

  g_test_add_func ("/shell/admin", test_shell_admin);
  g_test_add_func ("/shell/roles", test_shell_roles);
  g_test_add_func ("/shell/custom-role", test_shell_custom_role);
  g_test_add_func ("/shell/settings", test_shell_settings);
  g_test_add_func ("/shell/audit", test_shell_audit);
  g_test_add_func ("/shell/patients", test_shell_patients);
  g_test_add_func ("/shell/profile", test_shell_profile);
  g_test_add_func ("/shell/chart", test_shell_chart);
  g_test_add_func ("/shell/patients/merge", test_shell_patients_merge);
  g_test_add_func ("/shell/patients/visits", test_shell_patients_visits);

  status = g_test_run ();

  g_clear_object (&admin);
  g_clear_object (&db);
  remove_tree (dir);
  g_free (dir);

  return status;
}
