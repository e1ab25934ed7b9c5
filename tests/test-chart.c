/* test-chart.c — insurance, allergies, conditions, medications, signed
 * notes with addenda, signed prescriptions, and the chart's timeline */

#include "config.h"

#include <locale.h>
#include <string.h>
#include <sodium.h>

#include "clinic-chart.h"
#include "clinic-db.h"
#include "clinic-documents.h"
#include "clinic-error.h"
#include "clinic-keys.h"
#include "clinic-patient-merge.h"
#include "clinic-patients.h"
#include "clinic-session.h"
#include "clinic-test-db.h"
#include "clinic-users.h"

#define PASSWORD "quiet river under old stone"

typedef struct
{
  char          *dir;
  char          *path;
  ClinicDb      *db;
  ClinicSession *admin;
  ClinicSession *doctor;
  ClinicSession *other_doctor;
  ClinicSession *front;
  ClinicSession *patient;
  gint64         paula;
  gint64         otto;
} Fixture;

static const ClinicCredentials admin_creds = { "admin", PASSWORD, NULL, &CLINIC_KDF_LIMITS_TEST };

static gint64
role_id (Fixture    *f,
         const char *builtin)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) roles = clinic_roles_list (f->admin, &error);

  g_assert_no_error (error);
  for (guint i = 0; i < roles->len; i++)
    {
      ClinicRole *role = g_ptr_array_index (roles, i);

      if (g_strcmp0 (role->builtin, builtin) == 0)
        return role->id;
    }
  g_assert_not_reached ();
}

static ClinicSession *
add_user (Fixture        *f,
          const char     *name,
          const char     *display,
          ClinicUserKind  kind,
          const char     *role)
{
  g_autoptr(GError) error = NULL;
  ClinicSession *session;

  clinic_users_create (f->admin, name, display, kind, role != NULL ? role_id (f, role) : 0,
                       PASSWORD, &CLINIC_KDF_LIMITS_TEST, &error);
  g_assert_no_error (error);
  if (kind == CLINIC_USER_PATIENT)
    return NULL;
  session = clinic_session_sign_in (f->db, name, PASSWORD, &error);
  g_assert_no_error (error);
  return session;
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *recovery = NULL;
  g_autoptr(ClinicPatient) paula = clinic_test_patient_new ("Schmidt", "Paula", "1987-04-23", "0171 555");
  g_autoptr(ClinicPatient) otto = clinic_test_patient_new ("Berg", "Otto", "1950-01-02", "");
  ClinicDb *created;
  gint64 account;

  f->dir = g_dir_make_tmp ("clinic-chart-XXXXXX", &error);
  g_assert_no_error (error);
  f->path = g_build_filename (f->dir, "clinic.db", NULL);
  created = clinic_db_create (f->path, "Lindenhof Practice", &admin_creds, &recovery, &error);
  g_assert_no_error (error);
  g_object_unref (created);
  f->db = clinic_db_open (f->path, &admin_creds, &error);
  g_assert_no_error (error);
  f->admin = clinic_session_start (f->db, &error);
  g_assert_no_error (error);

  f->paula = clinic_patients_create (f->admin, paula, FALSE, &error);
  g_assert_no_error (error);
  f->otto = clinic_patients_create (f->admin, otto, FALSE, &error);
  g_assert_no_error (error);

  f->doctor = add_user (f, "weber", "Dr. Weber", CLINIC_USER_STAFF, "doctor");
  f->other_doctor = add_user (f, "lang", "Dr. Lang", CLINIC_USER_STAFF, "doctor");
  f->front = add_user (f, "jonas", "Jonas Front", CLINIC_USER_STAFF, "front-desk");
  add_user (f, "paula", "Paula Schmidt", CLINIC_USER_PATIENT, NULL);
  account = clinic_test_query_int (f->db, "SELECT id FROM users WHERE name = 'paula'");
  g_assert_true (clinic_patients_link_account (f->admin, f->paula, account, &error));
  g_assert_no_error (error);
  f->patient = clinic_session_sign_in (f->db, "paula", PASSWORD, &error);
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_clear_object (&f->patient);
  g_clear_object (&f->front);
  g_clear_object (&f->other_doctor);
  g_clear_object (&f->doctor);
  g_clear_object (&f->admin);
  g_clear_object (&f->db);
  clinic_test_remove_tree (f->dir);
  g_free (f->path);
  g_free (f->dir);
}

static gint64
count (Fixture    *f,
       const char *sql)
{
  return clinic_test_query_int (f->db, sql);
}

static gint64
audits (Fixture    *f,
        const char *action)
{
  g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM audit_log WHERE action = '%s'", action);

  return count (f, sql);
}

/* --- Insurance --------------------------------------------------------------- */

static ClinicInsurancePolicy *
policy (const char *from,
        const char *until,
        gboolean    primary)
{
  ClinicInsurancePolicy *p = clinic_insurance_policy_new ();

  g_free (p->payer);
  p->payer = g_strdup ("AOK Nordost");
  g_free (p->member_id);
  p->member_id = g_strdup ("A123456789");
  g_free (p->valid_from);
  p->valid_from = g_strdup (from);
  g_free (p->valid_until);
  p->valid_until = g_strdup (until);
  p->is_primary = primary;
  return p;
}

static void
test_insurance_status_rules (void)
{
  g_autoptr(GPtrArray) none = g_ptr_array_new_with_free_func ((GDestroyNotify) clinic_insurance_policy_free);
  g_autoptr(GPtrArray) policies = g_ptr_array_new_with_free_func ((GDestroyNotify) clinic_insurance_policy_free);
  const ClinicInsurancePolicy *covering = NULL;

  g_assert_cmpint (clinic_insurance_status_for (none, "2026-05-01", &covering), ==, CLINIC_INSURANCE_NONE);
  g_assert_null (covering);

  g_ptr_array_add (policies, policy ("2025-01-01", "2026-06-30", TRUE));
  /* Before the start: nothing covers the day, nothing has ended either. */
  g_assert_cmpint (clinic_insurance_status_for (policies, "2024-12-31", NULL), ==, CLINIC_INSURANCE_NONE);
  g_assert_cmpint (clinic_insurance_status_for (policies, "2025-01-01", &covering), ==, CLINIC_INSURANCE_ACTIVE);
  g_assert_true (covering == policies->pdata[0]);
  g_assert_cmpint (clinic_insurance_status_for (policies, "2026-05-31", NULL), ==, CLINIC_INSURANCE_ACTIVE);
  /* Thirty days or fewer to go. */
  g_assert_cmpint (clinic_insurance_status_for (policies, "2026-06-01", NULL), ==, CLINIC_INSURANCE_EXPIRES_SOON);
  g_assert_cmpint (clinic_insurance_status_for (policies, "2026-06-30", NULL), ==, CLINIC_INSURANCE_EXPIRES_SOON);
  g_assert_cmpint (clinic_insurance_status_for (policies, "2026-07-01", &covering), ==, CLINIC_INSURANCE_EXPIRED);
  g_assert_true (covering == policies->pdata[0]);

  /* A follow-up policy, open-ended, takes over. */
  g_ptr_array_add (policies, policy ("2026-07-01", "", FALSE));
  g_assert_cmpint (clinic_insurance_status_for (policies, "2026-07-01", &covering), ==, CLINIC_INSURANCE_ACTIVE);
  g_assert_true (covering == policies->pdata[1]);
  /* Where both cover the day the primary one decides. */
  g_assert_cmpint (clinic_insurance_status_for (policies, "2026-06-15", &covering), ==, CLINIC_INSURANCE_EXPIRES_SOON);
  g_assert_true (covering == policies->pdata[0]);
  g_assert_cmpint (clinic_insurance_status_for (policies, "2040-01-01", NULL), ==, CLINIC_INSURANCE_ACTIVE);
}

static void
test_insurance_save (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClinicInsurancePolicy) p = policy ("2026-01-01", "2026-12-31", TRUE);
  g_autoptr(GPtrArray) list = NULL;
  gint64 id;

  p->patient_id = f->paula;
  p->copay_cents = 1000;
  id = clinic_insurance_save (f->front, p, &error);
  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);
  g_assert_cmpint (audits (f, "insurance.added"), ==, 1);

  /* The status for any day, as the front desk and the patient see it. */
  g_assert_cmpint (clinic_insurance_status (f->front, f->paula, "2026-03-01", &error), ==, CLINIC_INSURANCE_ACTIVE);
  g_assert_no_error (error);
  g_assert_cmpint (clinic_insurance_status (f->front, f->paula, "2026-12-15", &error), ==, CLINIC_INSURANCE_EXPIRES_SOON);
  g_assert_cmpint (clinic_insurance_status (f->patient, f->paula, "2027-01-01", &error), ==, CLINIC_INSURANCE_EXPIRED);
  g_assert_no_error (error);
  g_assert_cmpint (clinic_insurance_status (f->front, f->otto, "2026-03-01", &error), ==, CLINIC_INSURANCE_NONE);
  g_assert_no_error (error);
  clinic_insurance_status (f->front, f->paula, "31st of May", &error);
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_INVALID);
  g_clear_error (&error);

  /* A patient sees their own policies only, and changes none. */
  list = clinic_insurance_list (f->patient, f->paula, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 1);
  g_assert_cmpint (((ClinicInsurancePolicy *) list->pdata[0])->copay_cents, ==, 1000);
  g_assert_null (clinic_insurance_list (f->patient, f->otto, &error));
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_PERMISSION_DENIED);
  g_clear_error (&error);
  g_assert_cmpint (clinic_insurance_save (f->patient, p, &error), ==, 0);
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_PERMISSION_DENIED);
  g_clear_error (&error);

  /* Changing it. */
  p->id = id;
  g_free (p->valid_until);
  p->valid_until = g_strdup ("2027-12-31");
  g_assert_cmpint (clinic_insurance_save (f->front, p, &error), ==, id);
  g_assert_no_error (error);
  g_assert_cmpint (count (f, "SELECT count(*) FROM insurance_policies WHERE valid_until = '2027-12-31'"), ==, 1);
  g_assert_cmpint (audits (f, "insurance.changed"), ==, 1);
}

static void
test_insurance_bad_input (Fixture       *f,
                          gconstpointer  data)
{
  struct { const char *payer, *member, *from, *until; gint64 copay; int code; } cases[] = {
    { "", "A1", "2026-01-01", "", 0, CLINIC_ERROR_INVALID },
    { "AOK", "  ", "2026-01-01", "", 0, CLINIC_ERROR_INVALID },
    { "AOK", "A1", "", "", 0, CLINIC_ERROR_INVALID },
    { "AOK", "A1", "2026-02-30", "", 0, CLINIC_ERROR_INVALID },
    { "AOK", "A1", "2026-03-01", "2026-02-01", 0, CLINIC_ERROR_INVALID },
    { "AOK", "A1", "2026-03-01", "soon", 0, CLINIC_ERROR_INVALID },
    { "AOK", "A1", "2026-03-01", "", -1, CLINIC_ERROR_INVALID },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(ClinicInsurancePolicy) p = policy (cases[i].from, cases[i].until, TRUE);

      g_free (p->payer);
      p->payer = g_strdup (cases[i].payer);
      g_free (p->member_id);
      p->member_id = g_strdup (cases[i].member);
      p->copay_cents = cases[i].copay;
      p->patient_id = f->paula;
      g_assert_cmpint (clinic_insurance_save (f->front, p, &error), ==, 0);
      g_assert_error (error, CLINIC_ERROR, cases[i].code);
      g_assert_cmpstr (error->message, !=, "");
    }
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(ClinicInsurancePolicy) p = policy ("2026-01-01", "", TRUE);

    p->patient_id = 99999;
    g_assert_cmpint (clinic_insurance_save (f->front, p, &error), ==, 0);
    g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_NOT_FOUND);
  }
  g_assert_cmpint (count (f, "SELECT count(*) FROM insurance_policies"), ==, 0);
  g_assert_cmpint (audits (f, "insurance.added"), ==, 0);
}

/* --- Allergies, conditions, medications ------------------------------------------ */

static void
test_allergies_state (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = NULL;
  ClinicAllergyState state = -1;
  gint64 id;

  list = clinic_chart_list_allergies (f->doctor, f->paula, &state, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 0);
  g_assert_cmpint (state, ==, CLINIC_ALLERGIES_NOT_RECORDED);
  g_clear_pointer (&list, g_ptr_array_unref);

  g_assert_true (clinic_chart_set_no_known_allergies (f->doctor, f->paula, &error));
  g_assert_no_error (error);
  list = clinic_chart_list_allergies (f->doctor, f->paula, &state, &error);
  g_assert_cmpint (state, ==, CLINIC_ALLERGIES_NONE_KNOWN);
  g_clear_pointer (&list, g_ptr_array_unref);

  id = clinic_chart_add_allergy (f->doctor, f->paula, " Penicillin ", "Rash", CLINIC_SEVERITY_SEVERE, &error);
  g_assert_no_error (error);
  list = clinic_chart_list_allergies (f->doctor, f->paula, &state, &error);
  g_assert_cmpint (state, ==, CLINIC_ALLERGIES_RECORDED);
  g_assert_cmpuint (list->len, ==, 1);
  g_assert_cmpstr (((ClinicAllergy *) list->pdata[0])->substance, ==, "Penicillin");
  g_assert_cmpint (((ClinicAllergy *) list->pdata[0])->severity, ==, CLINIC_SEVERITY_SEVERE);
  g_assert_cmpstr (((ClinicAllergy *) list->pdata[0])->recorded_by, ==, "Dr. Weber");
  g_clear_pointer (&list, g_ptr_array_unref);

  /* "No known allergies" contradicts a recorded one. */
  g_assert_false (clinic_chart_set_no_known_allergies (f->doctor, f->paula, &error));
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_CONFLICT);
  g_clear_error (&error);

  /* Entered in error: it leaves the chart, the row stays; nobody has said
   * "none known" since, so the chart says "not recorded" again. */
  g_assert_true (clinic_chart_retract_allergy (f->doctor, id, &error));
  g_assert_no_error (error);
  list = clinic_chart_list_allergies (f->doctor, f->paula, &state, &error);
  g_assert_cmpuint (list->len, ==, 0);
  g_assert_cmpint (state, ==, CLINIC_ALLERGIES_NOT_RECORDED);
  g_assert_cmpint (count (f, "SELECT count(*) FROM allergies"), ==, 1);
  g_assert_false (clinic_chart_retract_allergy (f->doctor, id, &error));
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* Bad input changes nothing; the front desk never writes the chart. */
  g_assert_cmpint (clinic_chart_add_allergy (f->doctor, f->paula, "  ", "", CLINIC_SEVERITY_MILD, &error), ==, 0);
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_cmpint (clinic_chart_add_allergy (f->doctor, 424242, "Latex", "", CLINIC_SEVERITY_MILD, &error), ==, 0);
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_cmpint (clinic_chart_add_allergy (f->front, f->paula, "Latex", "", CLINIC_SEVERITY_MILD, &error), ==, 0);
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_PERMISSION_DENIED);
  g_clear_error (&error);
  g_assert_cmpint (count (f, "SELECT count(*) FROM allergies"), ==, 1);
  g_assert_cmpint (audits (f, "allergy.added"), ==, 1);
  g_assert_cmpint (audits (f, "allergy.retracted"), ==, 1);
  g_assert_cmpint (audits (f, "allergy.none-known"), ==, 1);
}

static void
test_conditions_medications (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClinicChartItem) condition = clinic_chart_item_new (CLINIC_CHART_CONDITION);
  g_autoptr(ClinicChartItem) drug = clinic_chart_item_new (CLINIC_CHART_MEDICATION);
  g_autoptr(ClinicChart) chart = NULL;
  gint64 c_id, m_id;

  condition->patient_id = f->paula;
  g_free (condition->name);
  condition->name = g_strdup ("Asthma");
  g_free (condition->start_date);
  condition->start_date = g_strdup ("2001-05-01");
  c_id = clinic_chart_add_item (f->doctor, condition, &error);
  g_assert_no_error (error);

  drug->patient_id = f->paula;
  g_free (drug->name);
  drug->name = g_strdup ("Salbutamol");
  g_free (drug->detail);
  drug->detail = g_strdup ("100 µg, 2 puffs as needed");
  m_id = clinic_chart_add_item (f->doctor, drug, &error);
  g_assert_no_error (error);

  /* A bad start date is refused. */
  g_free (drug->start_date);
  drug->start_date = g_strdup ("2026-13-01");
  g_assert_cmpint (clinic_chart_add_item (f->doctor, drug, &error), ==, 0);
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_INVALID);
  g_clear_error (&error);

  g_assert_true (clinic_chart_end_item (f->doctor, CLINIC_CHART_MEDICATION, m_id, CLINIC_ITEM_ENDED,
                                        "2026-02-01", &error));
  g_assert_no_error (error);
  /* Ended once; not again. */
  g_assert_false (clinic_chart_end_item (f->doctor, CLINIC_CHART_MEDICATION, m_id, CLINIC_ITEM_ENDED,
                                         NULL, &error));
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (clinic_chart_end_item (f->doctor, CLINIC_CHART_CONDITION, c_id, CLINIC_ITEM_ACTIVE,
                                         NULL, &error));
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_INVALID);
  g_clear_error (&error);

  chart = clinic_chart_load (f->doctor, f->paula, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (chart->conditions->len, ==, 1);
  g_assert_cmpstr (((ClinicChartItem *) chart->conditions->pdata[0])->start_date, ==, "2001-05-01");
  g_assert_cmpint (((ClinicChartItem *) chart->conditions->pdata[0])->status, ==, CLINIC_ITEM_ACTIVE);
  g_assert_cmpuint (chart->medications->len, ==, 1);
  g_assert_cmpint (((ClinicChartItem *) chart->medications->pdata[0])->status, ==, CLINIC_ITEM_ENDED);
  g_assert_cmpstr (((ClinicChartItem *) chart->medications->pdata[0])->end_date, ==, "2026-02-01");
  g_clear_pointer (&chart, clinic_chart_free);

  /* Entered in error leaves the chart. */
  g_assert_true (clinic_chart_end_item (f->doctor, CLINIC_CHART_CONDITION, c_id,
                                        CLINIC_ITEM_ENTERED_IN_ERROR, NULL, &error));
  chart = clinic_chart_load (f->doctor, f->paula, &error);
  g_assert_cmpuint (chart->conditions->len, ==, 0);
  g_assert_cmpint (audits (f, "condition.retracted"), ==, 1);
  g_assert_cmpint (audits (f, "medication.ended"), ==, 1);
}

/* --- Notes -------------------------------------------------------------------------- */

static gint64
draft_note (Fixture       *f,
            ClinicSession *author,
            const char    *day,
            const char    *assessment)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClinicVisitNote) n = clinic_visit_note_new ();
  gint64 id;

  n->patient_id = f->paula;
  g_free (n->encounter_date);
  n->encounter_date = g_strdup (day);
  g_free (n->subjective);
  n->subjective = g_strdup ("Cough for two weeks.");
  g_free (n->assessment);
  n->assessment = g_strdup (assessment);
  id = clinic_chart_save_note (author, n, &error);
  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);
  return id;
}

static ClinicVisitNote *
load_note (Fixture *f,
           gint64   id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClinicChart) chart = clinic_chart_load (f->doctor, f->paula, &error);

  g_assert_no_error (error);
  for (guint i = 0; i < chart->notes->len; i++)
    if (((ClinicVisitNote *) chart->notes->pdata[i])->id == id)
      return g_ptr_array_steal_index (chart->notes, i);
  return NULL;
}

static void
test_note_sign_and_lock (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClinicVisitNote) n = NULL;
  g_autoptr(ClinicVisitNote) signed_note = NULL;
  g_autofree char *content = NULL;
  gint64 id = draft_note (f, f->doctor, "2026-11-20", "Bronchitis");
  gint64 other;

  /* Another doctor reads the draft but neither changes nor signs it. */
  n = load_note (f, id);
  g_assert_nonnull (n);
  g_assert_cmpint (n->signed_at, ==, 0);
  g_assert_null (n->signature);
  g_free (n->plan);
  n->plan = g_strdup ("Rest, fluids.");
  g_assert_cmpint (clinic_chart_save_note (f->other_doctor, n, &error), ==, 0);
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_PERMISSION_DENIED);
  g_clear_error (&error);
  g_assert_false (clinic_chart_sign_note (f->other_doctor, id, &error));
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_PERMISSION_DENIED);
  g_clear_error (&error);

  /* The author changes and signs it. */
  g_assert_cmpint (clinic_chart_save_note (f->doctor, n, &error), ==, id);
  g_assert_no_error (error);
  g_assert_true (clinic_chart_sign_note (f->doctor, id, &error));
  g_assert_no_error (error);
  signed_note = load_note (f, id);
  g_assert_cmpint (signed_note->signed_at, >, 0);
  g_assert_cmpstr (signed_note->plan, ==, "Rest, fluids.");
  g_assert_nonnull (signed_note->signature);
  g_assert_cmpuint (strlen (signed_note->signature), ==, 64);
  /* The audit chain carries the same signature. */
  content = g_strdup_printf ("SELECT count(*) FROM audit_log WHERE action = 'note.signed'"
                             " AND new_value = '%s'", signed_note->signature);
  g_assert_cmpint (count (f, content), ==, 1);

  /* Locked through every entry point … */
  g_free (n->plan);
  n->plan = g_strdup ("Antibiotics.");
  g_assert_cmpint (clinic_chart_save_note (f->doctor, n, &error), ==, 0);
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_LOCKED);
  g_clear_error (&error);
  g_assert_false (clinic_chart_sign_note (f->doctor, id, &error));
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_LOCKED);
  g_clear_error (&error);
  g_assert_false (clinic_chart_discard_note (f->doctor, id, &error));
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_LOCKED);
  g_clear_error (&error);
  g_assert_false (clinic_chart_discard_note (f->admin, id, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);

  /* … and in the schema, whatever program writes. */
  g_assert_cmpint (sqlite3_exec (clinic_db_get_handle (f->db),
                                 "UPDATE visit_notes SET plan = 'x'", NULL, NULL, NULL), !=, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (clinic_db_get_handle (f->db),
                                 "UPDATE visit_notes SET signed_at = NULL", NULL, NULL, NULL), !=, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (clinic_db_get_handle (f->db),
                                 "DELETE FROM visit_notes", NULL, NULL, NULL), !=, SQLITE_OK);
  g_assert_cmpint (count (f, "SELECT count(*) FROM visit_notes WHERE plan = 'Rest, fluids.'"
                             " AND signed_at IS NOT NULL"), ==, 1);

  /* Corrections are dated addenda; a draft takes none. */
  g_assert_cmpint (clinic_chart_add_addendum (f->other_doctor, id, "Chest X-ray clear.", &error), >, 0);
  g_assert_no_error (error);
  g_assert_cmpint (clinic_chart_add_addendum (f->doctor, id, "   ", &error), ==, 0);
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_INVALID);
  g_clear_error (&error);
  other = draft_note (f, f->doctor, "2026-11-21", "Follow-up");
  g_assert_cmpint (clinic_chart_add_addendum (f->doctor, other, "Too early", &error), ==, 0);
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_INVALID);
  g_clear_error (&error);
  g_clear_pointer (&signed_note, clinic_visit_note_free);
  signed_note = load_note (f, id);
  g_assert_cmpuint (signed_note->addenda->len, ==, 1);
  g_assert_cmpstr (((ClinicNoteAddendum *) signed_note->addenda->pdata[0])->author_name, ==, "Dr. Lang");
  g_assert_cmpint (sqlite3_exec (clinic_db_get_handle (f->db),
                                 "UPDATE note_addenda SET body = 'x'", NULL, NULL, NULL), !=, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (clinic_db_get_handle (f->db),
                                 "DELETE FROM note_addenda", NULL, NULL, NULL), !=, SQLITE_OK);

  /* The author discards their own draft, which leaves no row. */
  g_assert_true (clinic_chart_discard_note (f->doctor, other, &error));
  g_assert_no_error (error);
  g_assert_cmpint (count (f, "SELECT count(*) FROM visit_notes"), ==, 1);

  /* The front desk never reaches notes. */
  g_assert_cmpint (clinic_chart_save_note (f->front, n, &error), ==, 0);
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_PERMISSION_DENIED);
  g_clear_error (&error);
  g_assert_null (clinic_chart_load (f->front, f->paula, &error));
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_PERMISSION_DENIED);
  g_clear_error (&error);
  g_assert_null (clinic_chart_load (f->patient, f->paula, &error));
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_PERMISSION_DENIED);
}

static void
test_note_bad_input (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClinicVisitNote) n = clinic_visit_note_new ();
  gint64 id;

  n->patient_id = f->paula;
  g_free (n->encounter_date);
  n->encounter_date = g_strdup ("yesterday");
  g_assert_cmpint (clinic_chart_save_note (f->doctor, n, &error), ==, 0);
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_INVALID);
  g_clear_error (&error);

  /* An empty note saves as a draft but is not signed. */
  g_free (n->encounter_date);
  n->encounter_date = g_strdup ("2026-11-20");
  id = clinic_chart_save_note (f->doctor, n, &error);
  g_assert_no_error (error);
  g_assert_false (clinic_chart_sign_note (f->doctor, id, &error));
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_cmpint (count (f, "SELECT count(*) FROM visit_notes WHERE signed_at IS NOT NULL"), ==, 0);

  /* A draft cannot move to another patient. */
  n->id = id;
  n->patient_id = f->otto;
  g_free (n->plan);
  n->plan = g_strdup ("x");
  g_assert_cmpint (clinic_chart_save_note (f->doctor, n, &error), ==, 0);
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_INVALID);
  g_assert_cmpint (count (f, "SELECT count(*) FROM visit_notes WHERE plan = 'x'"), ==, 0);
}

/* --- Prescriptions ---------------------------------------------------------------------- */

static ClinicPrescription *
amoxicillin (Fixture *f)
{
  ClinicPrescription *p = clinic_prescription_new ();

  p->patient_id = f->paula;
  g_free (p->drug);
  p->drug = g_strdup ("Amoxicillin");
  g_free (p->strength);
  p->strength = g_strdup ("500 mg");
  g_free (p->dose);
  p->dose = g_strdup ("1 capsule");
  g_free (p->route);
  p->route = g_strdup ("oral");
  g_free (p->frequency);
  p->frequency = g_strdup ("3 times a day");
  g_free (p->duration);
  p->duration = g_strdup ("7 days");
  g_free (p->quantity);
  p->quantity = g_strdup ("21");
  return p;
}

static void
test_prescription_sign_and_lock (Fixture       *f,
                                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClinicPrescription) p = amoxicillin (f);
  g_autoptr(ClinicChart) chart = NULL;
  ClinicPrescription *stored;
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *today = g_date_time_format (now, "%Y-%m-%d");
  gint64 id;

  /* The front desk does not prescribe. */
  g_assert_cmpint (clinic_chart_save_prescription (f->front, p, &error), ==, 0);
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_PERMISSION_DENIED);
  g_clear_error (&error);

  p->refills = 100;
  g_assert_cmpint (clinic_chart_save_prescription (f->doctor, p, &error), ==, 0);
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_INVALID);
  g_clear_error (&error);
  p->refills = 1;
  g_free (p->dose);
  p->dose = g_strdup ("");
  g_assert_cmpint (clinic_chart_save_prescription (f->doctor, p, &error), ==, 0);
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_cmpint (count (f, "SELECT count(*) FROM prescriptions"), ==, 0);

  g_free (p->dose);
  p->dose = g_strdup ("1 capsule");
  id = clinic_chart_save_prescription (f->doctor, p, &error);
  g_assert_no_error (error);
  g_assert_false (clinic_chart_sign_prescription (f->other_doctor, id, &error));
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_PERMISSION_DENIED);
  g_clear_error (&error);
  g_assert_true (clinic_chart_sign_prescription (f->doctor, id, &error));
  g_assert_no_error (error);

  chart = clinic_chart_load (f->doctor, f->paula, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (chart->prescriptions->len, ==, 1);
  stored = chart->prescriptions->pdata[0];
  g_assert_cmpstr (stored->drug, ==, "Amoxicillin");
  g_assert_cmpstr (stored->prescriber_name, ==, "Dr. Weber");
  g_assert_cmpint (stored->refills, ==, 1);
  g_assert_cmpstr (stored->prescribed_on, ==, today);
  g_assert_cmpint (stored->signed_at, >, 0);

  /* Locked through every entry point and in the schema. */
  p->id = id;
  g_assert_cmpint (clinic_chart_save_prescription (f->doctor, p, &error), ==, 0);
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_LOCKED);
  g_clear_error (&error);
  g_assert_false (clinic_chart_sign_prescription (f->doctor, id, &error));
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_LOCKED);
  g_clear_error (&error);
  g_assert_false (clinic_chart_discard_prescription (f->doctor, id, &error));
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_LOCKED);
  g_clear_error (&error);
  g_assert_cmpint (sqlite3_exec (clinic_db_get_handle (f->db),
                                 "UPDATE prescriptions SET refills = 5", NULL, NULL, NULL), !=, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (clinic_db_get_handle (f->db),
                                 "DELETE FROM prescriptions", NULL, NULL, NULL), !=, SQLITE_OK);
  g_assert_cmpint (count (f, "SELECT refills FROM prescriptions"), ==, 1);
  g_assert_cmpint (audits (f, "prescription.signed"), ==, 1);
  g_assert_cmpint (audits (f, "prescription.drafted"), ==, 1);
}

/* --- The chart --------------------------------------------------------------------------- */

static void
test_chart_timeline (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClinicChart) chart = NULL;
  g_autoptr(ClinicPrescription) p = amoxicillin (f);
  g_autoptr(ClinicInsurancePolicy) ins = policy ("2020-01-01", "", TRUE);
  gint64 old_note, new_note;
  gint64 opened = audits (f, "chart.opened");

  ins->patient_id = f->paula;
  clinic_insurance_save (f->front, ins, &error);
  g_assert_no_error (error);
  old_note = draft_note (f, f->doctor, "2024-03-01", "Sprained ankle");
  new_note = draft_note (f, f->doctor, "2026-10-01", "Bronchitis");
  g_free (p->prescribed_on);
  p->prescribed_on = g_strdup ("2026-10-01");
  clinic_chart_save_prescription (f->doctor, p, &error);
  g_assert_no_error (error);
  clinic_chart_add_allergy (f->doctor, f->paula, "Latex", "", CLINIC_SEVERITY_MILD, &error);
  g_assert_no_error (error);
  {
    static const char pdf[] = "%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n";
    g_autoptr(GBytes) bytes = g_bytes_new_static (pdf, sizeof pdf - 1);

    g_assert_cmpint (clinic_documents_add (f->doctor, f->paula, "Discharge letter", "application/pdf", bytes,
                                           &error), >, 0);
    g_assert_no_error (error);
  }

  chart = clinic_chart_load (f->doctor, f->paula, &error);
  g_assert_no_error (error);
  g_assert_cmpint (audits (f, "chart.opened"), ==, opened + 1);
  g_assert_cmpint (chart->allergy_state, ==, CLINIC_ALLERGIES_RECORDED);
  g_assert_cmpuint (chart->notes->len, ==, 2);
  g_assert_cmpint (((ClinicVisitNote *) chart->notes->pdata[0])->id, ==, new_note);
  g_assert_cmpint (((ClinicVisitNote *) chart->notes->pdata[1])->id, ==, old_note);
  g_assert_cmpuint (chart->insurance->len, ==, 1);

  /* Everything, newest first; the oldest is the insurance from 2020. */
  g_assert_cmpuint (chart->timeline->len, ==, 7);
  for (guint i = 1; i < chart->timeline->len; i++)
    {
      ClinicTimelineEvent *a = chart->timeline->pdata[i - 1];
      ClinicTimelineEvent *b = chart->timeline->pdata[i];

      g_assert_cmpstr (a->date, >=, b->date);
    }
  g_assert_cmpint (((ClinicTimelineEvent *) chart->timeline->pdata[6])->kind, ==, CLINIC_EVENT_INSURANCE);
  {
    gboolean seen[CLINIC_EVENT_DOCUMENT + 1] = { FALSE };

    for (guint i = 0; i < chart->timeline->len; i++)
      seen[((ClinicTimelineEvent *) chart->timeline->pdata[i])->kind] = TRUE;
    g_assert_true (seen[CLINIC_EVENT_REGISTERED]);
    g_assert_true (seen[CLINIC_EVENT_NOTE]);
    g_assert_true (seen[CLINIC_EVENT_PRESCRIPTION]);
    g_assert_true (seen[CLINIC_EVENT_ALLERGY]);
    g_assert_true (seen[CLINIC_EVENT_DOCUMENT]);
  }

  /* Another patient's chart is empty and unknown ids are an error. */
  g_clear_pointer (&chart, clinic_chart_free);
  chart = clinic_chart_load (f->doctor, f->otto, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (chart->notes->len, ==, 0);
  g_assert_cmpint (chart->allergy_state, ==, CLINIC_ALLERGIES_NOT_RECORDED);
  g_clear_pointer (&chart, clinic_chart_free);
  g_assert_null (clinic_chart_load (f->doctor, 777777, &error));
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_NOT_FOUND);
}

/* Signed notes and prescriptions are locked, yet a merge of duplicate
 * records moves them to the surviving chart, signature intact. */
static void
test_merge_moves_signed (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClinicPrescription) p = amoxicillin (f);
  g_autoptr(ClinicChart) chart = NULL;
  gint64 note = draft_note (f, f->doctor, "2026-11-20", "Bronchitis");
  gint64 rx;
  g_autofree char *signature = NULL;

  g_assert_true (clinic_chart_sign_note (f->doctor, note, &error));
  rx = clinic_chart_save_prescription (f->doctor, p, &error);
  g_assert_true (clinic_chart_sign_prescription (f->doctor, rx, &error));
  g_assert_no_error (error);
  clinic_chart_add_addendum (f->doctor, note, "Seen again.", &error);
  g_assert_no_error (error);
  signature = g_strdup_printf ("SELECT count(*) FROM visit_notes WHERE patient_id = %" G_GINT64_FORMAT
                               " AND signature IS NOT NULL", f->otto);

  g_assert_true (clinic_patients_merge (f->admin, f->otto, f->paula, &error));
  g_assert_no_error (error);
  g_assert_cmpint (count (f, signature), ==, 1);
  chart = clinic_chart_load (f->doctor, f->otto, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (chart->notes->len, ==, 1);
  g_assert_cmpuint (((ClinicVisitNote *) chart->notes->pdata[0])->addenda->len, ==, 1);
  g_assert_cmpuint (chart->prescriptions->len, ==, 1);
  g_assert_cmpint (((ClinicPrescription *) chart->prescriptions->pdata[0])->signed_at, >, 0);
}

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "C.UTF-8");
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_assert_cmpint (sodium_init (), >=, 0);
  clinic_keys_allow_test_limits (TRUE);

#define ADD(path, fn) g_test_add (path, Fixture, NULL, fixture_set_up, fn, fixture_tear_down)
  g_test_add_func ("/chart/insurance/status-rules", test_insurance_status_rules);
  ADD ("/chart/insurance/save", test_insurance_save);
  ADD ("/chart/insurance/bad-input", test_insurance_bad_input);
  ADD ("/chart/allergies/state", test_allergies_state);
  ADD ("/chart/items", test_conditions_medications);
  ADD ("/chart/notes/sign-and-lock", test_note_sign_and_lock);
  ADD ("/chart/notes/bad-input", test_note_bad_input);
  ADD ("/chart/prescriptions/sign-and-lock", test_prescription_sign_and_lock);
  ADD ("/chart/timeline", test_chart_timeline);
  ADD ("/chart/merge-moves-signed", test_merge_moves_signed);
#undef ADD

  return g_test_run ();
}
