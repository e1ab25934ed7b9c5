/* test-patients.c — the patient record, duplicates and the registry's search */

#include "config.h"

#include <locale.h>
#include <string.h>
#include <sodium.h>

#include "clinic-db.h"
#include "clinic-error.h"
#include "clinic-keys.h"
#include "clinic-patient-merge.h"
#include "clinic-patients.h"
#include "clinic-session.h"
#include "clinic-storage.h"
#include "clinic-test-db.h"
#include "clinic-users.h"

#define PASSWORD "quiet river under old stone"

typedef struct
{
  char          *dir;
  char          *path;
  ClinicDb      *db;
  ClinicSession *admin;
  gint64         mueller;
  gint64         mueller_user;
} Fixture;

static const ClinicCredentials admin_creds = { "admin", PASSWORD, NULL, &CLINIC_KDF_LIMITS_TEST };


static gint64
add (Fixture    *f,
     const char *family,
     const char *given,
     const char *birth,
     const char *phone)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClinicPatient) p = clinic_test_patient_new (family, given, birth, phone);
  gint64 id = clinic_patients_create (f->admin, p, FALSE, &error);

  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);
  return id;
}

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
sign_in (Fixture    *f,
         const char *user)
{
  g_autoptr(GError) error = NULL;
  ClinicSession *session = clinic_session_sign_in (f->db, user, PASSWORD, &error);

  g_assert_no_error (error);
  return session;
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *recovery = NULL;
  ClinicDb *created;

  f->dir = g_dir_make_tmp ("clinic-patients-XXXXXX", &error);
  g_assert_no_error (error);
  f->path = g_build_filename (f->dir, "clinic.db", NULL);
  created = clinic_db_create (f->path, "Lindenhof Practice", &admin_creds, &recovery, &error);
  g_assert_no_error (error);
  g_object_unref (created);
  f->db = clinic_db_open (f->path, &admin_creds, &error);
  g_assert_no_error (error);
  f->admin = clinic_session_start (f->db, &error);
  g_assert_no_error (error);

  f->mueller = add (f, "Müller", "Hans Peter", "1980-02-03", "+49 (30) 123-4567");
  add (f, "Mueller", "Anna", "1990-07-14", "0171 9876543");
  add (f, "Meyer", "Zoë", "2015-11-30", "");
  add (f, "Schmidt", "Martha", "1948-05-01", "030/555 12 34");
  add (f, "Özdemir", "Ayşe", "1975-09-09", "0157 222 333 44");

  clinic_users_create (f->admin, "frontdesk", "Jonas Front", CLINIC_USER_STAFF, role_id (f, "front-desk"),
                       PASSWORD, &CLINIC_KDF_LIMITS_TEST, &error);
  g_assert_no_error (error);
  clinic_users_create (f->admin, "doctor", "Dr. Weber", CLINIC_USER_STAFF, role_id (f, "doctor"),
                       PASSWORD, &CLINIC_KDF_LIMITS_TEST, &error);
  g_assert_no_error (error);
  f->mueller_user = clinic_users_create (f->admin, "hans", "Hans Müller", CLINIC_USER_PATIENT, 0,
                                         PASSWORD, &CLINIC_KDF_LIMITS_TEST, &error);
  g_assert_no_error (error);
  g_assert_true (clinic_patients_link_account (f->admin, f->mueller, f->mueller_user, &error));
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_clear_object (&f->admin);
  g_clear_object (&f->db);
  clinic_test_remove_tree (f->dir);
  g_free (f->path);
  g_free (f->dir);
}

/* The family names found for @query, in order, joined by ",". */
static char *
found (ClinicSession              *session,
       const char                 *query,
       const ClinicPatientFilter  *filter)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GString) names = g_string_new (NULL);
  guint total = 0;

  rows = clinic_patients_search (session, query, filter, 0, 100, &total, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (total, ==, rows->len);
  for (guint i = 0; i < rows->len; i++)
    {
      ClinicPatient *p = g_ptr_array_index (rows, i);

      if (i > 0)
        g_string_append_c (names, ',');
      g_string_append (names, p->family_name);
    }
  return g_string_free (g_steal_pointer (&names), FALSE);
}

/* Sorted by name, so several matches have one expected order. */
#define assert_found(f, query, expected) \
  G_STMT_START { \
    ClinicPatientFilter by_name_; \
    g_autofree char *got_ = NULL; \
    clinic_patient_filter_init (&by_name_); \
    by_name_.sort = CLINIC_PATIENT_SORT_NAME; \
    got_ = found ((f)->admin, (query), &by_name_); \
    g_assert_cmpstr (got_, ==, (expected)); \
  } G_STMT_END

static void
test_validation (void)
{
  struct { const char *field; const char *value; const char *says; } cases[] = {
    { "family", "   ", "Enter the family name" },
    { "given", "", "Enter the given names" },
    { "birth", "", "Enter the date of birth" },
    { "birth", "03.02.1980", "not a date" },
    { "birth", "1980-02-30", "not a date" },
    { "birth", "2999-01-01", "in the future" },
    { "birth", "1700-01-01", "too long ago" },
    { "phone", "12", "between 3 and 20 digits" },
    { "phone", "030 12ab", "only digits" },
    { "email", "hans.example.org", "not an email address" },
    { "email", "hans@", "not an email address" },
    { "email", "a@b@c.de", "not an email address" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(ClinicPatient) p = clinic_test_patient_new ("Müller", "Hans", "1980-02-03", "030 1234567");
      g_autoptr(GError) error = NULL;
      char **slot = g_str_equal (cases[i].field, "family") ? &p->family_name
                  : g_str_equal (cases[i].field, "given") ? &p->given_names
                  : g_str_equal (cases[i].field, "birth") ? &p->birth_date
                  : g_str_equal (cases[i].field, "phone") ? &p->phone : &p->email;

      g_free (*slot);
      *slot = g_strdup (cases[i].value);
      g_assert_false (clinic_patient_validate (p, &error));
      g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_INVALID);
      if (strstr (error->message, cases[i].says) == NULL)
        g_error ("%s=\"%s\": message \"%s\" does not say \"%s\"", cases[i].field, cases[i].value,
                 error->message, cases[i].says);
    }

  {
    g_autoptr(ClinicPatient) p = clinic_test_patient_new ("Müller", "Hans", "1980-02-03", "+49 (30) 123-4567");
    g_autoptr(GError) error = NULL;

    g_free (p->email);
    p->email = g_strdup ("hans.mueller@example.org");
    g_assert_true (clinic_patient_validate (p, &error));
    g_assert_no_error (error);
    g_assert_cmpint (clinic_patient_age (p, "2026-02-02"), ==, 45);
    g_assert_cmpint (clinic_patient_age (p, "2026-02-03"), ==, 46);
  }
}

static void
test_create_and_duplicates (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClinicPatient) same_name = clinic_test_patient_new ("müller", "hans peter", "1980-02-03", "");
  g_autoptr(ClinicPatient) same_phone = clinic_test_patient_new ("Other", "Person", "2001-01-01", "030 1234567");
  g_autoptr(ClinicPatient) got = NULL;
  g_autoptr(ClinicPatient) bad = clinic_test_patient_new ("", "Nobody", "1980-02-03", "");
  g_autoptr(GPtrArray) dups = NULL;
  gint64 before = clinic_test_query_int (f->db, "SELECT count(*) FROM patients");
  gint64 id;

  got = clinic_patients_get (f->admin, f->mueller, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (got->chart_number, ==, "C000001");
  g_assert_cmpstr (got->birth_date, ==, "1980-02-03");
  g_assert_cmpint (got->status, ==, CLINIC_PATIENT_ACTIVE);

  /* The same name and date of birth (any case), or the same phone digits. */
  dups = clinic_patients_find_duplicates (f->admin, same_name, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (dups->len, ==, 1);
  g_clear_pointer (&dups, g_ptr_array_unref);
  g_assert_cmpint (clinic_patients_create (f->admin, same_name, FALSE, &error), ==, 0);
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_CONFLICT);
  g_assert_nonnull (strstr (error->message, "C000001"));
  g_clear_error (&error);
  g_assert_cmpint (clinic_patients_create (f->admin, same_phone, FALSE, &error), ==, 0);
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_CONFLICT);
  g_clear_error (&error);

  /* Invalid input changes nothing. */
  g_assert_cmpint (clinic_patients_create (f->admin, bad, FALSE, &error), ==, 0);
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_cmpint (clinic_test_query_int (f->db, "SELECT count(*) FROM patients"), ==, before);

  /* Registering anyway is the person's choice. */
  id = clinic_patients_create (f->admin, same_phone, TRUE, &error);
  g_assert_no_error (error);
  g_assert_cmpint (id, ==, before + 1);
  g_assert_cmpint (clinic_test_query_int (f->db,
                                          "SELECT count(*) FROM audit_log WHERE action = 'patient.created'"),
                   ==, before + 1);

  /* Never deleted, from anywhere. */
  {
    char *message = NULL;
    int rc = sqlite3_exec (clinic_db_get_handle (f->db), "DELETE FROM patients", NULL, NULL, &message);

    g_assert_cmpint (rc, !=, SQLITE_OK);
    sqlite3_free (message);
    g_assert_cmpint (clinic_test_query_int (f->db, "SELECT count(*) FROM patients"), ==, before + 1);
  }
}

static void
test_search_names (Fixture       *f,
                   gconstpointer  data)
{
  /* Prefixes of any name part; a single letter already searches. */
  assert_found (f, "m", "Meyer,Mueller,Müller,Schmidt");
  assert_found (f, "pet", "Müller");
  assert_found (f, "hans pet", "Müller");
  assert_found (f, "HANS", "Müller");
  /* Without accents, either way. */
  assert_found (f, "muller", "Müller");
  assert_found (f, "müll", "Müller");
  assert_found (f, "zoe", "Meyer");
  assert_found (f, "ozdemir", "Özdemir");
  assert_found (f, "ayse", "Özdemir");
  /* Every word must match. */
  assert_found (f, "muller anna", "");
  assert_found (f, "mueller anna", "Mueller");
  /* Quotes and FTS syntax are text, not operators. */
  assert_found (f, "\"m", "Meyer,Mueller,Müller,Schmidt");
  assert_found (f, "OR", "");
  assert_found (f, "m* NEAR(", "");
}

static void
test_search_other_keys (Fixture       *f,
                        gconstpointer  data)
{
  /* Any 3 or more digits of a phone number, whatever its formatting. */
  assert_found (f, "123", "Müller,Schmidt");
  assert_found (f, "4567", "Müller");
  assert_found (f, "30 123-45", "Müller");
  assert_found (f, "(030) 555", "Schmidt");
  assert_found (f, "5551234", "Schmidt");
  assert_found (f, "98765", "Mueller");
  assert_found (f, "22233344", "Özdemir");
  assert_found (f, "999", "");
  /* The chart number, with or without its letter and zeros. */
  assert_found (f, "C000004", "Schmidt");
  assert_found (f, "c4", "Schmidt");
  assert_found (f, "C000099", "");
  /* A date of birth, ISO or the locale's format (C locale: m/d/y). */
  assert_found (f, "1948-05-01", "Schmidt");
  assert_found (f, "05/01/1948", "Schmidt");
  assert_found (f, "1948-05-02", "");
  /* Combined with a name. */
  assert_found (f, "schmidt 1948-05-01", "Schmidt");
  assert_found (f, "meyer 1948-05-01", "");
  /* Empty: everyone, by name. */
  assert_found (f, "", "Meyer,Mueller,Müller,Özdemir,Schmidt");
}

static void
test_search_filters_and_order (Fixture       *f,
                               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  ClinicPatientFilter filter;
  g_autofree char *with_inactive = NULL;
  g_autofree char *young = NULL;
  g_autofree char *by_age = NULL;
  g_autofree char *by_chart_desc = NULL;

  /* Inactive and deceased patients only when the filter asks. */
  g_assert_true (clinic_patients_set_status (f->admin, f->mueller, CLINIC_PATIENT_DECEASED, &error));
  g_assert_no_error (error);
  assert_found (f, "hans", "");
  clinic_patient_filter_init (&filter);
  filter.include_inactive = TRUE;
  with_inactive = found (f->admin, "hans", &filter);
  g_assert_cmpstr (with_inactive, ==, "");
  filter.include_deceased = TRUE;
  g_clear_pointer (&with_inactive, g_free);
  with_inactive = found (f->admin, "hans", &filter);
  g_assert_cmpstr (with_inactive, ==, "Müller");
  g_assert_cmpint (clinic_test_query_int (f->db, "SELECT count(*) FROM audit_log WHERE action = 'patient.status'"
                                                 " AND old_value = 'active' AND new_value = 'deceased'"), ==, 1);

  /* Age range: Zoë (born 2015) is the only one under 18; sort in SQL. */
  clinic_patient_filter_init (&filter);
  filter.max_age = 17;
  young = found (f->admin, "", &filter);
  g_assert_cmpstr (young, ==, "Meyer");
  clinic_patient_filter_init (&filter);
  filter.min_age = 18;
  filter.sort = CLINIC_PATIENT_SORT_AGE;
  by_age = found (f->admin, "", &filter);
  g_assert_cmpstr (by_age, ==, "Mueller,Özdemir,Schmidt");
  clinic_patient_filter_init (&filter);
  filter.sort = CLINIC_PATIENT_SORT_CHART_NUMBER;
  filter.descending = TRUE;
  by_chart_desc = found (f->admin, "", &filter);
  g_assert_cmpstr (by_chart_desc, ==, "Özdemir,Schmidt,Meyer,Mueller");

  /* Best matches first: a family name before a given name. */
  add (f, "Hansen", "Karl", "1960-01-01", "");
  {
    g_autofree char *ranked = NULL;

    clinic_patient_filter_init (&filter);
    filter.include_deceased = TRUE;
    ranked = found (f->admin, "hans", &filter);
    g_assert_cmpstr (ranked, ==, "Hansen,Müller");
  }

  /* Paging: the same order, a page at a time, and one audit event per run. */
  {
    gint64 searches = clinic_test_query_int (f->db, "SELECT count(*) FROM audit_log WHERE action = 'patients.searched'");
    g_autoptr(GPtrArray) first = clinic_patients_search (f->admin, "", NULL, 0, 2, NULL, &error);
    g_autoptr(GPtrArray) second = clinic_patients_search (f->admin, "", NULL, 2, 2, NULL, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (first->len, ==, 2);
    g_assert_cmpuint (second->len, ==, 2);
    g_assert_cmpstr (((ClinicPatient *) first->pdata[0])->family_name, ==, "Hansen");
    g_assert_cmpstr (((ClinicPatient *) second->pdata[0])->family_name, ==, "Mueller");
    g_assert_cmpint (clinic_test_query_int (f->db, "SELECT count(*) FROM audit_log WHERE action = 'patients.searched'"),
                     ==, searches + 1);
  }
}

static void
test_treatment_is_clinical (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClinicSession) desk = sign_in (f, "frontdesk");
  g_autoptr(ClinicSession) doctor = sign_in (f, "doctor");
  g_autoptr(ClinicPatient) p = NULL;
  g_autoptr(ClinicPatient) seen = NULL;
  ClinicPatientFilter filter;

  p = clinic_patients_get (doctor, f->mueller, &error);
  g_assert_no_error (error);
  g_free (p->treatment);
  p->treatment = g_strdup ("Physiotherapy, 10 sessions");
  /* The doctor may read contact details but not change them. */
  g_assert_false (clinic_patients_update (doctor, p, &error));
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_PERMISSION_DENIED);
  g_clear_error (&error);
  g_assert_true (clinic_patients_update (f->admin, p, &error));
  g_assert_no_error (error);

  /* The front desk sees no treatment, cannot filter or sort by it, and
   * cannot change it. */
  seen = clinic_patients_get (desk, f->mueller, &error);
  g_assert_no_error (error);
  g_assert_null (seen->treatment);
  clinic_patient_filter_init (&filter);
  filter.treatment = "physio";
  g_assert_null (clinic_patients_search (desk, "", &filter, 0, 10, NULL, &error));
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_PERMISSION_DENIED);
  g_clear_error (&error);
  {
    g_autofree char *names = found (f->admin, "", &filter);
    g_assert_cmpstr (names, ==, "Müller");
  }
  g_free (seen->treatment);
  seen->treatment = g_strdup ("None");
  g_assert_false (clinic_patients_update (desk, seen, &error));
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_PERMISSION_DENIED);
  g_clear_error (&error);
  /* Leaving it NULL changes the contact details only. */
  g_clear_pointer (&seen->treatment, g_free);
  g_free (seen->phone2);
  seen->phone2 = g_strdup ("0176 555 0000");
  g_assert_true (clinic_patients_update (desk, seen, &error));
  g_assert_no_error (error);
  assert_found (f, "5550000", "Müller");
  /* The old number is gone from the index. */
  g_free (seen->phone);
  seen->phone = g_strdup ("");
  g_assert_true (clinic_patients_update (desk, seen, &error));
  assert_found (f, "4567", "");
  g_assert_cmpint (clinic_test_query_int (f->db, "SELECT count(*) FROM patients WHERE treatment = 'Physiotherapy, 10 sessions'"),
                   ==, 1);
  clinic_test_exec (f->db, "INSERT INTO patients_names_fts (patients_names_fts) VALUES ('integrity-check')");
  clinic_test_exec (f->db, "INSERT INTO patients_phone_fts (patients_phone_fts) VALUES ('integrity-check')");
}

static void
test_patient_session (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClinicSession) hans = sign_in (f, "hans");
  g_autoptr(ClinicPatient) own = NULL;
  g_autoptr(ClinicPatient) other = NULL;
  gint64 opened;

  /* Their own record, nobody else's, and no registry. */
  opened = clinic_test_query_int (f->db, "SELECT count(*) FROM audit_log WHERE action = 'patient.opened'");
  own = clinic_patients_get (hans, f->mueller, &error);
  g_assert_no_error (error);
  g_assert_cmpint (clinic_test_query_int (f->db, "SELECT count(*) FROM audit_log WHERE action = 'patient.opened'"),
                   ==, opened + 1);
  other = clinic_patients_get (hans, f->mueller + 1, &error);
  g_assert_null (other);
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_PERMISSION_DENIED);
  g_clear_error (&error);
  g_assert_null (clinic_patients_search (hans, "m", NULL, 0, 10, NULL, &error));
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_PERMISSION_DENIED);
  g_clear_error (&error);

  /* Contact details: yes. Anything else: no, and nothing changes. */
  g_free (own->email);
  own->email = g_strdup ("hans@example.org");
  g_assert_true (clinic_patients_update (hans, own, &error));
  g_assert_no_error (error);
  g_free (own->family_name);
  own->family_name = g_strdup ("Mustermann");
  g_assert_false (clinic_patients_update (hans, own, &error));
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_PERMISSION_DENIED);
  g_assert_cmpint (clinic_test_query_int (f->db, "SELECT count(*) FROM patients WHERE family_name = 'Müller'"
                                                 " AND email = 'hans@example.org'"), ==, 1);
}

static void
count_progress (guint    done,
                guint    total,
                gpointer user_data)
{
  guint *calls = user_data;

  g_assert_cmpuint (done, <=, total);
  (*calls)++;
}

/* @n records "@family<i>", Ida, born 1966-06-06, phone "@area<i in 7
 * digits>", added to @list. */
static void
add_numbered (GPtrArray  *list,
              guint       n,
              const char *family,
              const char *area)
{
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *name = g_strdup_printf ("%s%u", family, i);
      g_autofree char *phone = g_strdup_printf ("%s%07u", area, i);

      g_ptr_array_add (list, clinic_test_patient_new (name, "Ida", "1966-06-06", phone));
    }
}

static void
test_import_all_or_nothing (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func ((GDestroyNotify) clinic_patient_free);
  gint64 before = clinic_test_query_int (f->db, "SELECT count(*) FROM patients");
  gint64 audit = clinic_test_query_int (f->db, "SELECT count(*) FROM audit_log");
  guint calls = 0;

  add_numbered (list, 2500, "Import", "040 ");
  /* One bad row: nothing is imported, and the error names the row. */
  g_free (((ClinicPatient *) list->pdata[1700])->birth_date);
  ((ClinicPatient *) list->pdata[1700])->birth_date = g_strdup ("1966-13-01");
  g_assert_cmpint (clinic_patients_import (f->admin, list, count_progress, &calls, &error), ==, -1);
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_INVALID);
  g_assert_true (g_str_has_prefix (error->message, "Row 1701: "));
  g_clear_error (&error);
  g_assert_cmpint (clinic_test_query_int (f->db, "SELECT count(*) FROM patients"), ==, before);
  g_assert_cmpint (clinic_test_query_int (f->db, "SELECT count(*) FROM audit_log"), ==, audit);

  g_free (((ClinicPatient *) list->pdata[1700])->birth_date);
  ((ClinicPatient *) list->pdata[1700])->birth_date = g_strdup ("1966-12-01");
  g_assert_cmpint (clinic_patients_import (f->admin, list, count_progress, &calls, &error), ==, 2500);
  g_assert_no_error (error);
  g_assert_cmpuint (calls, ==, 3);
  g_assert_cmpint (clinic_test_query_int (f->db, "SELECT count(*) FROM patients"), ==, before + 2500);
  g_assert_cmpint (clinic_test_query_int (f->db, "SELECT count(*) FROM audit_log WHERE action = 'patients.imported'"
                                                 " AND new_value = '2500'"), ==, 1);
  /* Found like any other patient. */
  assert_found (f, "import1999", "Import1999");
  assert_found (f, "040 0001999", "Import1999");
  /* Digits also name a chart number: C001999 is the 1999th patient. */
  assert_found (f, "1999", "Import1993,Import1999");
}

static void
cancel_at_2000 (guint    done,
                guint    total,
                gpointer user_data)
{
  if (done >= 2000)
    g_cancellable_cancel (user_data);
}

/* What the import dialog offers: the records that look registered are
 * found (and may be left out), and an import can be cancelled up to its
 * commit without leaving anything behind. */
static void
test_import_registered_and_cancel (Fixture       *f,
                                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func ((GDestroyNotify) clinic_patient_free);
  g_autoptr(GPtrArray) many = g_ptr_array_new_with_free_func ((GDestroyNotify) clinic_patient_free);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GArray) registered = NULL;
  gint64 before = clinic_test_query_int (f->db, "SELECT count(*) FROM patients");
  gint64 audit = clinic_test_query_int (f->db, "SELECT count(*) FROM audit_log");
  guint skipped = 99;

  /* Same name (other case) and date of birth as a registered patient;
   * the same phone as another; three new people, one of them twice. */
  g_ptr_array_add (list, clinic_test_patient_new ("müller", "hans peter", "1980-02-03", ""));
  g_ptr_array_add (list, clinic_test_patient_new ("Anders", "Nina", "1991-01-01", "+49 171 987 6543"));
  g_ptr_array_add (list, clinic_test_patient_new ("Neu", "Nora", "2001-03-04", "0160 1112223"));
  g_ptr_array_add (list, clinic_test_patient_new ("Neu", "Nora", "2001-03-04", "0160 1112223"));
  g_ptr_array_add (list, clinic_test_patient_new ("Müller", "Hans Peter", "1980-02-04", "040 5556667"));

  registered = clinic_patients_find_registered (f->admin, list, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (registered->len, ==, 2);
  g_assert_cmpuint (g_array_index (registered, guint, 0), ==, 0);
  g_assert_cmpuint (g_array_index (registered, guint, 1), ==, 1);

  /* Cancelled: nothing found, nothing registered, nothing audited. */
  g_cancellable_cancel (cancellable);
  g_assert_null (clinic_patients_find_registered (f->admin, list, NULL, NULL, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_assert_cmpint (clinic_patients_import_full (f->admin, list, CLINIC_IMPORT_SKIP_REGISTERED, NULL, NULL,
                                                cancellable, &skipped, &error), ==, -1);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_assert_cmpuint (skipped, ==, 0);
  g_assert_cmpint (clinic_test_query_int (f->db, "SELECT count(*) FROM patients"), ==, before);
  g_assert_cmpint (clinic_test_query_int (f->db, "SELECT count(*) FROM audit_log"), ==, audit);

  /* Skipping: the two that look registered stay out, the repeat within
   * the file goes in (it is that system's duplicate). */
  g_assert_cmpint (clinic_patients_import_full (f->admin, list, CLINIC_IMPORT_SKIP_REGISTERED, NULL, NULL,
                                                NULL, &skipped, &error), ==, 3);
  g_assert_no_error (error);
  g_assert_cmpuint (skipped, ==, 2);
  g_assert_cmpint (clinic_test_query_int (f->db, "SELECT count(*) FROM patients"), ==, before + 3);
  g_assert_cmpint (clinic_test_query_int (f->db, "SELECT count(*) FROM patients WHERE family_name = 'Neu'"), ==, 2);
  g_assert_cmpint (clinic_test_query_int (f->db, "SELECT count(*) FROM patients WHERE family_name = 'Anders'"), ==, 0);
  g_assert_cmpint (clinic_test_query_int (f->db, "SELECT count(*) FROM audit_log WHERE action = 'patients.imported'"
                                                 " AND new_value = '3'"), ==, 1);

  /* Cancelled midway (from the progress callback, as a Cancel button
   * would): the rows already inserted are rolled back. */
  before = clinic_test_query_int (f->db, "SELECT count(*) FROM patients");
  audit = clinic_test_query_int (f->db, "SELECT count(*) FROM audit_log");
  for (guint i = 0; i < 3000; i++)
    {
      g_autofree char *family = g_strdup_printf ("Cancelled%u", i);

      g_ptr_array_add (many, clinic_test_patient_new (family, "Ida", "1966-06-06", ""));
    }
  g_cancellable_reset (cancellable);
  g_assert_cmpint (clinic_patients_import_full (f->admin, many, CLINIC_IMPORT_DEFAULT, cancel_at_2000, cancellable,
                                                cancellable, NULL, &error), ==, -1);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (clinic_test_query_int (f->db, "SELECT count(*) FROM patients"), ==, before);
  g_assert_cmpint (clinic_test_query_int (f->db, "SELECT count(*) FROM audit_log"), ==, audit);
  clinic_test_assert_whole (f->db);
}

typedef struct
{
  ClinicSession *session;
  GPtrArray     *list;
  gint64         imported;
  GError        *error;
} ThreadImport;

static gpointer
import_thread (gpointer data)
{
  ThreadImport *job = data;

  job->imported = clinic_patients_import_full (job->session, job->list, CLINIC_IMPORT_DEFAULT, NULL, NULL, NULL,
                                               NULL, &job->error);
  return NULL;
}

/* A worker thread imports on a session of its own while the main thread
 * goes on searching with the window's session: two connections, one
 * audit trail under the same user; a rekey waits for the worker. */
static void
test_session_for_thread (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func ((GDestroyNotify) clinic_patient_free);
  g_autoptr(ClinicSession) worker = NULL;
  g_autoptr(ClinicSession) desk = sign_in (f, "frontdesk");
  g_autoptr(ClinicSession) ended = sign_in (f, "frontdesk");
  g_autoptr(GThread) thread = NULL;
  g_autofree char *key = NULL;
  ThreadImport job = { 0, };

  for (guint i = 0; i < 4000; i++)
    {
      g_autofree char *family = g_strdup_printf ("Threaded%u", i);

      g_ptr_array_add (list, clinic_test_patient_new (family, "Ida", "1966-06-06", ""));
    }

  worker = clinic_session_new_for_thread (desk, &error);
  g_assert_no_error (error);
  g_assert_true (clinic_session_get_db (worker) != f->db);
  g_assert_cmpstr (clinic_session_get_user_name (worker), ==, "frontdesk");
  g_assert_true (clinic_session_has_permission (worker, CLINIC_PERMISSION_PATIENTS_CONTACT_WRITE));
  g_assert_false (clinic_session_has_permission (worker, CLINIC_PERMISSION_USERS));

  /* While the worker's connection is open, keys cannot change under it. */
  g_assert_false (clinic_storage_rekey (f->admin, &key, &error));
  g_assert_error (error, CLINIC_DB_ERROR, CLINIC_DB_ERROR_BUSY);
  g_clear_error (&error);

  job.session = worker;
  job.list = list;
  thread = g_thread_new ("import", import_thread, &job);
  for (guint i = 0; i < 20; i++)
    assert_found (f, "müller", "Müller");
  g_thread_join (g_steal_pointer (&thread));
  g_assert_no_error (job.error);
  g_assert_cmpint (job.imported, ==, 4000);
  g_clear_object (&worker);

  assert_found (f, "threaded3999", "Threaded3999");
  g_assert_cmpint (clinic_test_query_int (f->db, "SELECT count(*) FROM audit_log WHERE action = 'patients.imported'"
                                                 " AND user_name = 'frontdesk'"),
                   ==, 1);
  clinic_test_assert_whole (f->db);

  /* Only a session that may act now hands its rights on. */
  clinic_session_note_locked (desk);
  g_assert_null (clinic_session_new_for_thread (desk, &error));
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_SIGNED_OUT);
  g_clear_error (&error);
  clinic_session_sign_out (ended);
  g_assert_null (clinic_session_new_for_thread (ended, &error));
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_SIGNED_OUT);
}

static void
test_link_account (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClinicUser) jonas = NULL;
  gint64 other;

  other = clinic_users_create (f->admin, "anna-p", "Anna Mueller", CLINIC_USER_PATIENT, 0, PASSWORD,
                               &CLINIC_KDF_LIMITS_TEST, &error);
  g_assert_no_error (error);
  /* One account per record. */
  g_assert_false (clinic_patients_link_account (f->admin, f->mueller, other, &error));
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_CONFLICT);
  g_clear_error (&error);
  /* Staff accounts are not patients' accounts. */
  jonas = clinic_users_lookup_by_name (f->admin, "frontdesk", &error);
  g_assert_no_error (error);
  g_assert_false (clinic_patients_link_account (f->admin, f->mueller + 1, jonas->id, &error));
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_true (clinic_patients_link_account (f->admin, f->mueller + 1, other, &error));
  g_assert_no_error (error);
  {
    g_autoptr(ClinicSession) anna = sign_in (f, "anna-p");
    g_autoptr(ClinicPatient) own = clinic_patients_get (anna, f->mueller + 1, &error);

    g_assert_no_error (error);
    g_assert_cmpstr (own->given_names, ==, "Anna");
  }
}

/* The phone tails of the duplicate check (008-phone-tails.sql) follow
 * every way a record is written: registered (the fixture), changed,
 * imported; and a database from before 008 gets them on opening. The
 * merge is covered in test-patient-merge.c. */
static void
test_phone_tails (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClinicPatient) p = NULL;
  g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func ((GDestroyNotify) clinic_patient_free);
  const char *phones[] = { "12345", "123456", "(0)30 / 1234-567", "+49 171 98765432", "" };
  gint64 before = clinic_test_query_int (f->db, "SELECT count(*) FROM patients");

  g_assert_cmpuint (clinic_test_assert_phone_tails (f->db), ==, before);
  g_assert_cmpint (clinic_test_query_int (f->db, "SELECT count(*) FROM patients WHERE phone_tail_rev = '76543210'"
                                                 " AND id = 1"), ==, 1);

  /* Changed: the old tail goes, the new one comes, phone2 too. */
  p = clinic_patients_get (f->admin, f->mueller, &error);
  g_assert_no_error (error);
  g_free (p->phone);
  p->phone = g_strdup ("0049 89 7654 3210");
  g_free (p->phone2);
  p->phone2 = g_strdup ("0151-222 333");
  g_assert_true (clinic_patients_update (f->admin, p, &error));
  g_assert_no_error (error);
  g_assert_cmpint (clinic_test_query_int (f->db, "SELECT count(*) FROM patients WHERE id = 1"
                                                 " AND phone_tail_rev = '01234567' AND phone2_tail_rev = '33322215'"),
                   ==, 1);

  /* Imported, in more than one batch. */
  for (guint i = 0; i < 2100; i++)
    {
      g_autofree char *family = g_strdup_printf ("Tail%u", i);
      ClinicPatient *q = clinic_test_patient_new (family, "Ida", "1966-06-06", phones[i % G_N_ELEMENTS (phones)]);

      g_free (q->phone2);
      q->phone2 = g_strdup (phones[(i + 1) % G_N_ELEMENTS (phones)]);
      g_ptr_array_add (list, q);
    }
  g_assert_cmpint (clinic_patients_import (f->admin, list, NULL, NULL, &error), ==, 2100);
  g_assert_no_error (error);
  g_assert_cmpuint (clinic_test_assert_phone_tails (f->db), ==, before + 2100);

  /* A database from before 008: the migration as shipped fills the tails
   * of the rows already there. (Run by itself: reopening at level 7 would
   * run the later migrations again too.) */
  {
    g_autoptr(GBytes) sql = g_resources_lookup_data ("/com/example/Clinic/sql/008-phone-tails.sql", 0, &error);
    g_autofree char *text = NULL;

    g_assert_no_error (error);
    text = g_strndup (g_bytes_get_data (sql, NULL), g_bytes_get_size (sql));
    clinic_test_exec (f->db, "DROP INDEX patients_phone_tail; DROP INDEX patients_phone2_tail;"
                             " ALTER TABLE patients DROP COLUMN phone_tail_rev;"
                             " ALTER TABLE patients DROP COLUMN phone2_tail_rev");
    clinic_test_exec (f->db, text);
  }
  g_assert_cmpuint (clinic_test_assert_phone_tails (f->db), ==, before + 2100);
  g_assert_cmpint (clinic_test_query_int (f->db, "SELECT count(*) FROM patients WHERE phone_tail_rev != ''"), >, 0);
  clinic_test_assert_whole (f->db);
}

/* Each of @probes (phone, phone2) against the registry, through both
 * entry points: the positions find_registered() flags, as a string
 * ("0,3"), after checking that find_duplicates() agrees on each. */
static char *
flagged (Fixture           *f,
         const char *const *probes)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func ((GDestroyNotify) clinic_patient_free);
  g_autoptr(GArray) registered = NULL;
  g_autoptr(GString) positions = g_string_new (NULL);
  guint next = 0;

  for (guint i = 0; probes[i] != NULL; i += 2)
    {
      ClinicPatient *p = clinic_test_patient_new ("Probe", "Nobody", "2002-02-02", probes[i]);

      g_free (p->phone2);
      p->phone2 = g_strdup (probes[i + 1]);
      g_ptr_array_add (list, p);
    }
  registered = clinic_patients_find_registered (f->admin, list, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < list->len; i++)
    {
      g_autoptr(GPtrArray) dups = clinic_patients_find_duplicates (f->admin, g_ptr_array_index (list, i), &error);
      gboolean is_flagged = next < registered->len && g_array_index (registered, guint, next) == i;

      g_assert_no_error (error);
      g_assert_cmpint (dups->len > 0, ==, is_flagged);
      if (is_flagged)
        {
          g_string_append_printf (positions, "%s%u", positions->len ? "," : "", i);
          next++;
        }
    }
  g_assert_cmpuint (next, ==, registered->len);
  return g_string_free (g_steal_pointer (&positions), FALSE);
}

/* The phone half of the duplicate rule: a number counts from 6 digits,
 * and matches a registered number that ends in its last 8 digits,
 * whatever the formatting, phone or second phone on either side. */
static void
test_duplicate_phones (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(ClinicPatient) two_phones = clinic_test_patient_new ("Zweifon", "Zoe", "1999-09-09", "777 1234");
  g_autoptr(GError) error = NULL;
  /* Registered: "+49 (30) 123-4567" (Müller), "0171 9876543", "030/555 12 34", "0157 222 333 44". */
  const char *probes[] = {
    "030-123 45 67", "",                 /* 0: Müller's number, other formatting */
    "", "(030) 1234567",                 /* 1: as the second phone */
    "123 4567", "",                      /* 2: 7 digits, the end of Müller's */
    "234567", "",                        /* 3: 6 digits, the end of Müller's */
    "34567", "",                         /* 4: 5 digits never count */
    "030 1234568", "",                   /* 5: another number */
    "040 7771234", "",                   /* 6: 8 digits; the registered 777 1234 has 7 */
    "7771234", "",                       /* 7: the registered 777 1234 */
    "0049 176 55544433", "",             /* 8: the registered second phone */
    "1 9876543", "0000 000",             /* 9: Mueller Anna's number, by its end */
    NULL,
  };
  g_autofree char *positions = NULL;

  g_free (two_phones->phone2);
  two_phones->phone2 = g_strdup ("0176 555 444 33");
  g_assert_cmpint (clinic_patients_create (f->admin, two_phones, FALSE, &error), >, 0);
  g_assert_no_error (error);

  positions = flagged (f, probes);
  g_assert_cmpstr (positions, ==, "0,1,2,3,7,8,9");
}

/* A record merged into another is no longer anyone's duplicate, also for
 * an import's check. */
static void
test_merged_not_registered (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func ((GDestroyNotify) clinic_patient_free);
  g_autoptr(GArray) registered = NULL;
  gint64 twice = add (f, "Zweimal", "Max", "1977-07-07", "0911 4445556");
  gint64 keep = add (f, "Einmal", "Max", "1977-07-08", "0911 9998887");
  guint skipped = 0;

  /* The same name and date of birth as the one merged away; and its phone. */
  g_ptr_array_add (list, clinic_test_patient_new ("zweimal", "max", "1977-07-07", ""));
  g_ptr_array_add (list, clinic_test_patient_new ("Anders", "Otto", "1960-01-01", "+49 911 444 5556"));
  registered = clinic_patients_find_registered (f->admin, list, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (registered->len, ==, 2);
  g_clear_pointer (&registered, g_array_unref);

  g_assert_true (clinic_patients_merge (f->admin, keep, twice, &error));
  g_assert_no_error (error);
  registered = clinic_patients_find_registered (f->admin, list, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (registered->len, ==, 0);
  g_assert_cmpint (clinic_patients_import_full (f->admin, list, CLINIC_IMPORT_SKIP_REGISTERED, NULL, NULL, NULL,
                                                &skipped, &error), ==, 2);
  g_assert_no_error (error);
  g_assert_cmpuint (skipped, ==, 0);
}

/* The import leaves out what looks registered when it writes, not what
 * looked registered when the dialog checked: a patient registered in
 * between (at the front desk, say) is not registered twice. The search
 * indexes hold every imported row. */
static void
test_import_rechecks (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func ((GDestroyNotify) clinic_patient_free);
  g_autoptr(GArray) registered = NULL;
  g_autoptr(ClinicSession) desk = sign_in (f, "frontdesk");
  gint64 before = clinic_test_query_int (f->db, "SELECT count(*) FROM patients");
  guint skipped = 0;

  add_numbered (list, 1500, "Later", "0521 ");
  /* The last row is Müller by name and date of birth. */
  g_ptr_array_add (list, clinic_test_patient_new ("müller", "HANS PETER", "1980-02-03", ""));
  registered = clinic_patients_find_registered (desk, list, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (registered->len, ==, 1);
  g_assert_cmpuint (g_array_index (registered, guint, 0), ==, 1500);

  /* Registered meanwhile: one by the same phone (other formatting), one
   * by name and date of birth. */
  add (f, "Frueher", "Ida", "1950-01-01", "+49 521 000 0700");
  add (f, "later1200", "IDA", "1966-06-06", "");
  g_assert_cmpint (clinic_patients_import_full (desk, list, CLINIC_IMPORT_SKIP_REGISTERED, NULL, NULL, NULL,
                                                &skipped, &error), ==, 1498);
  g_assert_no_error (error);
  g_assert_cmpuint (skipped, ==, 3);
  g_assert_cmpint (clinic_test_query_int (f->db, "SELECT count(*) FROM patients WHERE family_name IN"
                                                 " ('Later700', 'Later1200')"), ==, 0);
  g_assert_cmpint (clinic_test_query_int (f->db, "SELECT count(*) FROM patients"), ==, before + 2 + 1498);
  clinic_test_exec (f->db, "INSERT INTO patients_names_fts (patients_names_fts) VALUES ('integrity-check')");
  clinic_test_exec (f->db, "INSERT INTO patients_phone_fts (patients_phone_fts) VALUES ('integrity-check')");
  assert_found (f, "later1499", "Later1499");
  assert_found (f, "0521 0001499", "Later1499");
  assert_found (f, "later999", "Later999");
}

static void
test_no_plaintext (Fixture       *f,
                   gconstpointer  data)
{
  const char *needles[] = { "Özdemir", "Schmidt", "5551234", "1948-05-01", "Martha" };
  g_autoptr(GDir) dir = NULL;
  const char *name;
  guint files = 0;

  clinic_test_exec (f->db, "PRAGMA wal_checkpoint(PASSIVE)");
  dir = g_dir_open (f->dir, 0, NULL);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *file = g_build_filename (f->dir, name, NULL);
      g_autofree char *contents = NULL;
      gsize len = 0;

      if (!g_file_get_contents (file, &contents, &len, NULL))
        continue;
      files++;
      for (guint i = 0; i < G_N_ELEMENTS (needles); i++)
        g_assert_null (memmem (contents, len, needles[i], strlen (needles[i])));
    }
  g_assert_cmpuint (files, >=, 2);
}

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "C.UTF-8");
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_assert_true (sodium_init () >= 0);
  clinic_keys_allow_test_limits (TRUE);

  g_test_add_func ("/patients/validation", test_validation);
#define ADD(path, fn) g_test_add ("/patients/" path, Fixture, NULL, fixture_set_up, fn, fixture_tear_down)
  ADD ("create-and-duplicates", test_create_and_duplicates);
  ADD ("search/names", test_search_names);
  ADD ("search/phones-charts-dates", test_search_other_keys);
  ADD ("search/filters-and-order", test_search_filters_and_order);
  ADD ("treatment-is-clinical", test_treatment_is_clinical);
  ADD ("patient-session", test_patient_session);
  ADD ("import-all-or-nothing", test_import_all_or_nothing);
  ADD ("import-registered-and-cancel", test_import_registered_and_cancel);
  ADD ("session-for-thread", test_session_for_thread);
  ADD ("link-account", test_link_account);
  ADD ("duplicates/phone-tails", test_phone_tails);
  ADD ("duplicates/phones", test_duplicate_phones);
  ADD ("duplicates/merged-not-registered", test_merged_not_registered);
  ADD ("import-rechecks-registered", test_import_rechecks);
  ADD ("no-plaintext-on-disk", test_no_plaintext);
#undef ADD
  return g_test_run ();
}
