/* test-registration.c — patients registering themselves at the kiosk, and
 * the front desk confirming or rejecting them */

#include "config.h"

#include <locale.h>
#include <string.h>
#include <sodium.h>

#include "clinic-db.h"
#include "clinic-error.h"
#include "clinic-keys.h"
#include "clinic-kiosk.h"
#include "clinic-patient-merge.h"
#include "clinic-patients.h"
#include "clinic-registration.h"
#include "clinic-session.h"
#include "clinic-settings.h"
#include "clinic-test-db.h"
#include "clinic-users.h"

#define PASSWORD "quiet river under old stone"
#define PATIENT_PASSWORD "violet harbour morning"

typedef struct
{
  char          *dir;
  char          *path;
  ClinicDb      *db;
  ClinicSession *admin;
  ClinicSession *frontdesk;
  ClinicKiosk   *kiosk;
  gint64         mueller;
} Fixture;

static const ClinicCredentials admin_creds = { "admin", PASSWORD, NULL, &CLINIC_KDF_LIMITS_TEST };

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *recovery = NULL;
  g_autoptr(ClinicPatient) mueller = clinic_test_patient_new ("Müller", "Hans", "1980-02-03",
                                                              "030 1234567");
  ClinicDb *created;

  f->dir = g_dir_make_tmp ("clinic-registration-XXXXXX", &error);
  g_assert_no_error (error);
  f->path = g_build_filename (f->dir, "clinic.db", NULL);
  created = clinic_db_create (f->path, "Lindenhof Practice", &admin_creds, &recovery, &error);
  g_assert_no_error (error);
  g_object_unref (created);
  f->db = clinic_db_open (f->path, &admin_creds, &error);
  g_assert_no_error (error);
  f->admin = clinic_session_start (f->db, &error);
  g_assert_no_error (error);

  f->mueller = clinic_patients_create (f->admin, mueller, FALSE, &error);
  g_assert_no_error (error);
  clinic_users_create (f->admin, "frontdesk", "Jonas Front", CLINIC_USER_STAFF,
                       clinic_test_role_id (f->admin, "front-desk"), PASSWORD, &CLINIC_KDF_LIMITS_TEST, &error);
  g_assert_no_error (error);
  f->frontdesk = clinic_session_sign_in (f->db, "frontdesk", PASSWORD, &error);
  g_assert_no_error (error);

  /* The front desk starts the kiosk and leaves: what the window does. */
  f->kiosk = clinic_kiosk_start (f->frontdesk, &error);
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_clear_object (&f->kiosk);
  g_clear_object (&f->frontdesk);
  g_clear_object (&f->admin);
  g_clear_object (&f->db);
  clinic_test_remove_tree (f->dir);
  g_free (f->path);
  g_free (f->dir);
}

static ClinicPatient *
form (const char *family,
      const char *given,
      const char *birth,
      const char *phone)
{
  ClinicPatient *p = clinic_test_patient_new (family, given, birth, phone);

  g_free (p->email);
  p->email = g_strdup ("jana.keller@example.org");
  return p;
}

static ClinicRegistrationState
register_ok (Fixture    *f,
             const char *family,
             const char *given,
             const char *birth,
             const char *phone,
             const char *user)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClinicPatient) p = form (family, given, birth, phone);
  ClinicRegistrationState state = CLINIC_REGISTRATION_REJECTED;

  g_assert_true (clinic_patients_self_register (f->kiosk, p, user, PATIENT_PASSWORD,
                                                &CLINIC_KDF_LIMITS_TEST, &state, &error));
  g_assert_no_error (error);
  return state;
}

static ClinicUser *
lookup (Fixture    *f,
        const char *user)
{
  g_autoptr(GError) error = NULL;
  ClinicUser *u = clinic_users_lookup_by_name (f->admin, user, &error);

  g_assert_no_error (error);
  return u;
}

static void
set_setting (Fixture    *f,
             const char *key,
             const char *value)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (clinic_settings_set (clinic_settings_get_for_db (f->db), f->admin, key, value, &error));
  g_assert_no_error (error);
}

static gint64
count_audit (Fixture    *f,
             const char *action)
{
  g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM audit_log WHERE action = '%s'", action);

  return clinic_test_query_int (f->db, sql);
}

/* A pending account cannot sign in; only the right password hears why. */
static void
test_pending_cannot_sign_in (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClinicSession) session = NULL;
  g_autoptr(ClinicUser) user = NULL;
  g_autoptr(ClinicPatient) record = NULL;
  g_autofree char *sql = NULL;

  g_assert_cmpint (register_ok (f, "Keller", "Jana", "1991-07-08", "0171 5550177", " Jana.K "),
                   ==, CLINIC_REGISTRATION_PENDING);

  /* The account and its record, linked, made together. */
  user = lookup (f, "Jana.K");
  g_assert_cmpint (user->kind, ==, CLINIC_USER_PATIENT);
  g_assert_false (user->disabled);
  g_assert_cmpstr (user->display_name, ==, "Jana Keller");
  g_assert_cmpint (user->patient_id, >, 0);
  record = clinic_patients_get (f->admin, user->patient_id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (record->family_name, ==, "Keller");
  g_assert_cmpstr (record->birth_date, ==, "1991-07-08");
  g_assert_cmpstr (record->email, ==, "jana.keller@example.org");
  g_assert_cmpint (record->status, ==, CLINIC_PATIENT_ACTIVE);

  /* Audited in the new account's name, on the new record. */
  sql = g_strdup_printf ("SELECT count(*) FROM audit_log WHERE action = 'patient.self-registered'"
                         " AND user_name = 'Jana.K' AND user_id = %" G_GINT64_FORMAT
                         " AND patient_id = %" G_GINT64_FORMAT " AND new_value IS NULL",
                         user->id, user->patient_id);
  g_assert_cmpint (clinic_test_query_int (f->db, sql), ==, 1);

  /* A wrong password: the one message everyone gets. */
  session = clinic_session_sign_in (f->db, "Jana.K", "not the password at all", &error);
  g_assert_null (session);
  g_assert_error (error, CLINIC_DB_ERROR, CLINIC_DB_ERROR_WRONG_CREDENTIALS);
  g_assert_null (strstr (error->message, "front desk"));
  g_clear_error (&error);

  /* The right one: told to wait for the front desk. */
  session = clinic_session_sign_in (f->db, "Jana.K", PATIENT_PASSWORD, &error);
  g_assert_null (session);
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_PERMISSION_DENIED);
  g_assert_cmpstr (error->message, ==, "Your registration is waiting for confirmation at the front desk.");
}

static void
test_confirm_enables (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClinicSession) session = NULL;
  g_autoptr(ClinicUser) user = NULL;
  guint n = 99;

  register_ok (f, "Keller", "Jana", "1991-07-08", "0171 5550177", "jana");
  user = lookup (f, "jana");
  g_assert_true (clinic_registrations_count_pending (f->frontdesk, &n, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, 1);

  g_assert_true (clinic_registrations_confirm (f->frontdesk, user->id, &error));
  g_assert_no_error (error);
  g_assert_cmpint (count_audit (f, "patient.registration-confirmed"), ==, 1);
  g_assert_true (clinic_registrations_count_pending (f->frontdesk, &n, &error));
  g_assert_cmpuint (n, ==, 0);

  session = clinic_session_sign_in (f->db, "jana", PATIENT_PASSWORD, &error);
  g_assert_no_error (error);
  g_assert_nonnull (session);
  g_assert_cmpint (clinic_session_get_kind (session), ==, CLINIC_USER_PATIENT);
  g_assert_cmpint (clinic_session_get_patient_id (session), ==, user->patient_id);

  /* Decided once: a second decision is a conflict, and no registration
   * is not found. */
  g_assert_false (clinic_registrations_confirm (f->frontdesk, user->id, &error));
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_CONFLICT);
  g_clear_error (&error);
  g_assert_false (clinic_registrations_reject (f->frontdesk, user->id, "Too late", &error));
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_CONFLICT);
  g_clear_error (&error);
  g_assert_false (clinic_registrations_confirm (f->frontdesk, 4242, &error));
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_NOT_FOUND);
}

static void
test_reject_disables (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClinicSession) session = NULL;
  g_autoptr(ClinicUser) user = NULL;
  g_autoptr(ClinicUser) after = NULL;
  g_autoptr(ClinicPatient) record = NULL;
  g_autofree char *before = NULL;
  g_autofree char *dump = NULL;

  register_ok (f, "Keller", "Jana", "1991-07-08", "0171 5550177", "jana");
  user = lookup (f, "jana");

  /* A reason is needed; without one nothing changes. */
  before = clinic_test_dump_tables (f->db);
  g_assert_false (clinic_registrations_reject (f->frontdesk, user->id, "   ", &error));
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_INVALID);
  g_clear_error (&error);
  dump = clinic_test_dump_tables (f->db);
  g_assert_cmpstr (before, ==, dump);

  g_assert_true (clinic_registrations_reject (f->frontdesk, user->id, " Nobody came to the desk ", &error));
  g_assert_no_error (error);

  after = lookup (f, "jana");
  g_assert_true (after->disabled);
  record = clinic_patients_get (f->admin, user->patient_id, &error);
  g_assert_no_error (error);
  g_assert_cmpint (record->status, ==, CLINIC_PATIENT_INACTIVE);
  g_assert_cmpint (clinic_test_query_int (f->db,
                                          "SELECT count(*) FROM audit_log WHERE action = 'patient.registration-rejected'"
                                          " AND user_name = 'frontdesk' AND new_value = 'Nobody came to the desk'"),
                   ==, 1);
  g_assert_cmpint (count_audit (f, "patient.status"), ==, 1);

  session = clinic_session_sign_in (f->db, "jana", PATIENT_PASSWORD, &error);
  g_assert_null (session);
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_PERMISSION_DENIED);
  g_assert_nonnull (strstr (error->message, "disabled"));
}

/* With the setting off, the account signs in at once; with self-service
 * off, nobody registers at the kiosk. */
static void
test_settings (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClinicSession) session = NULL;
  g_autoptr(ClinicPatient) p = form ("Brandt", "Ole", "2001-01-02", "");
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  guint n = 99;

  set_setting (f, "registration.requires-confirmation", "false");
  g_assert_cmpint (register_ok (f, "Keller", "Jana", "1991-07-08", "0171 5550177", "jana"),
                   ==, CLINIC_REGISTRATION_CONFIRMED);
  session = clinic_session_sign_in (f->db, "jana", PATIENT_PASSWORD, &error);
  g_assert_no_error (error);
  g_assert_nonnull (session);
  g_assert_true (clinic_registrations_count_pending (f->frontdesk, &n, &error));
  g_assert_cmpuint (n, ==, 0);

  g_assert_true (clinic_kiosk_can_register (f->kiosk));
  set_setting (f, "registration.self-service", "false");
  g_assert_false (clinic_kiosk_can_register (f->kiosk));
  before = clinic_test_dump_tables (f->db);
  g_assert_false (clinic_patients_self_register (f->kiosk, p, "ole", PATIENT_PASSWORD,
                                                 &CLINIC_KDF_LIMITS_TEST, NULL, &error));
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_PERMISSION_DENIED);
  g_clear_error (&error);

  /* A stopped kiosk registers nobody either. */
  set_setting (f, "registration.self-service", "true");
  g_free (before);
  before = clinic_test_dump_tables (f->db);
  clinic_kiosk_stop (f->kiosk);
  g_assert_false (clinic_kiosk_can_register (f->kiosk));
  g_assert_false (clinic_patients_self_register (f->kiosk, p, "ole", PATIENT_PASSWORD,
                                                 &CLINIC_KDF_LIMITS_TEST, NULL, &error));
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_SIGNED_OUT);
  after = clinic_test_dump_tables (f->db);
  g_assert_cmpstr (before, ==, after);
}

/* A likely duplicate is flagged for the front desk; the kiosk hears
 * nothing of the other record. */
static void
test_duplicate_flagged (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(ClinicPatient) p = form ("Müller", "Hans", "1980-02-03", "");
  ClinicRegistrationState state = CLINIC_REGISTRATION_REJECTED;
  ClinicRegistration *dup = NULL, *plain = NULL;

  /* The same outcome, and no error, as for anyone else. */
  g_assert_true (clinic_patients_self_register (f->kiosk, p, "hans", PATIENT_PASSWORD,
                                                &CLINIC_KDF_LIMITS_TEST, &state, &error));
  g_assert_no_error (error);
  g_assert_cmpint (state, ==, CLINIC_REGISTRATION_PENDING);
  /* Same phone as Hans Müller's (last digits), another name. */
  register_ok (f, "Keller", "Jana", "1991-07-08", "+49 30 1234567", "jana");
  register_ok (f, "Brandt", "Ole", "2001-01-02", "0160 7654321", "ole");

  list = clinic_registrations_list_pending (f->frontdesk, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 3);
  for (guint i = 0; i < list->len; i++)
    {
      ClinicRegistration *r = g_ptr_array_index (list, i);

      g_assert_cmpint (r->state, ==, CLINIC_REGISTRATION_PENDING);
      g_assert_nonnull (r->patient);
      g_assert_null (r->patient->treatment);
      if (g_strcmp0 (r->user_name, "hans") == 0)
        dup = r;
      else if (g_strcmp0 (r->user_name, "ole") == 0)
        plain = r;
      else
        g_assert_true (r->possible_duplicate);
    }
  g_assert_nonnull (dup);
  g_assert_true (dup->possible_duplicate);
  g_assert_cmpint (dup->patient->id, !=, f->mueller);
  g_assert_cmpstr (dup->patient->chart_number, !=, "");
  g_assert_nonnull (plain);
  g_assert_false (plain->possible_duplicate);
  g_assert_cmpint (count_audit (f, "registrations.listed"), ==, 1);
  g_assert_cmpint (clinic_test_query_int (f->db,
                                          "SELECT count(*) FROM audit_log WHERE action = 'patient.self-registered'"
                                          " AND new_value = 'possible-duplicate'"),
                   ==, 2);
}

/* The front desk merges the flagged record into the registered one, then
 * rejects the registration: the registered patient stays active. */
static void
test_reject_after_merge (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClinicUser) user = NULL;
  g_autoptr(ClinicUser) moved = NULL;
  g_autoptr(ClinicPatient) kept = NULL;
  g_autoptr(ClinicPatient) merged = NULL;

  register_ok (f, "Müller", "Hans", "1980-02-03", "", "hans");
  user = lookup (f, "hans");
  g_assert_true (clinic_patients_merge (f->admin, f->mueller, user->patient_id, &error));
  g_assert_no_error (error);
  moved = lookup (f, "hans");
  g_assert_cmpint (moved->patient_id, ==, f->mueller);

  g_assert_true (clinic_registrations_reject (f->frontdesk, user->id, "Not Hans", &error));
  g_assert_no_error (error);
  kept = clinic_patients_get (f->admin, f->mueller, &error);
  g_assert_no_error (error);
  g_assert_cmpint (kept->status, ==, CLINIC_PATIENT_ACTIVE);
  merged = clinic_patients_get (f->admin, user->patient_id, &error);
  g_assert_no_error (error);
  g_assert_cmpint (merged->status, ==, CLINIC_PATIENT_INACTIVE);
  g_assert_cmpint (count_audit (f, "patient.status"), ==, 0);
}

/* Bad input changes nothing and says what is wrong. */
static void
test_bad_input (Fixture       *f,
                gconstpointer  data)
{
  static const struct {
    const char *family, *given, *birth, *phone, *email, *user, *password;
    int code;
  } cases[] = {
    { "",       "Jana", "1991-07-08", "", "",               "jana",  PATIENT_PASSWORD, CLINIC_ERROR_INVALID },
    { "Keller", "Jana", "08.07.1991x", "", "",              "jana",  PATIENT_PASSWORD, CLINIC_ERROR_INVALID },
    { "Keller", "Jana", "2999-01-01", "", "",               "jana",  PATIENT_PASSWORD, CLINIC_ERROR_INVALID },
    { "Keller", "Jana", "1991-07-08", "call me", "",        "jana",  PATIENT_PASSWORD, CLINIC_ERROR_INVALID },
    { "Keller", "Jana", "1991-07-08", "", "jana@",          "jana",  PATIENT_PASSWORD, CLINIC_ERROR_INVALID },
    { "Keller", "Jana", "1991-07-08", "", "",               "",      PATIENT_PASSWORD, CLINIC_ERROR_INVALID },
    { "Keller", "Jana", "1991-07-08", "", "",               "jana",  "short",          CLINIC_ERROR_INVALID },
    { "Keller", "Jana", "1991-07-08", "", "",               "jana",  "password123",    CLINIC_ERROR_INVALID },
    { "Keller", "Jana", "1991-07-08", "", "",               "admin", PATIENT_PASSWORD, CLINIC_ERROR_CONFLICT },
  };
  g_autofree char *before = clinic_test_dump_tables (f->db);

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(ClinicPatient) p = clinic_test_patient_new (cases[i].family, cases[i].given,
                                                            cases[i].birth, cases[i].phone);
      g_autofree char *after = NULL;

      g_free (p->email);
      p->email = g_strdup (cases[i].email);
      g_assert_false (clinic_patients_self_register (f->kiosk, p, cases[i].user, cases[i].password,
                                                     &CLINIC_KDF_LIMITS_TEST, NULL, &error));
      g_assert_error (error, CLINIC_ERROR, cases[i].code);
      g_assert_cmpstr (error->message, !=, "");
      after = clinic_test_dump_tables (f->db);
      g_assert_cmpstr (before, ==, after);
    }

  /* Fields the kiosk's form does not ask for are not taken. */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(ClinicPatient) p = form ("Keller", "Jana", "1991-07-08", "");
    g_autoptr(ClinicUser) user = NULL;
    g_autoptr(ClinicPatient) record = NULL;

    g_free (p->notes);
    p->notes = g_strdup ("VIP, no waiting");
    g_free (p->treatment);
    p->treatment = g_strdup ("Opioids");
    p->status = CLINIC_PATIENT_DECEASED;
    g_assert_true (clinic_patients_self_register (f->kiosk, p, "jana", PATIENT_PASSWORD,
                                                  &CLINIC_KDF_LIMITS_TEST, NULL, &error));
    g_assert_no_error (error);
    user = lookup (f, "jana");
    record = clinic_patients_get (f->admin, user->patient_id, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (record->notes, ==, "");
    g_assert_cmpstr (record->treatment, ==, "");
    g_assert_cmpint (record->status, ==, CLINIC_PATIENT_ACTIVE);
  }
}

/* A flood from the kiosk is cut off, and the refusal changes nothing. */
static void
test_rate_limit (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClinicPatient) p = form ("Flood", "Last", "2000-01-01", "");
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;

  for (guint i = 0; i < CLINIC_SELF_REGISTRATION_LIMIT; i++)
    {
      g_autofree char *user = g_strdup_printf ("flood%u", i);
      g_autofree char *given = g_strdup_printf ("Number %c", 'A' + i);

      register_ok (f, "Flood", given, "2000-01-01", "", user);
    }

  before = clinic_test_dump_tables (f->db);
  g_assert_false (clinic_patients_self_register (f->kiosk, p, "flood-last", PATIENT_PASSWORD,
                                                 &CLINIC_KDF_LIMITS_TEST, NULL, &error));
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_PERMISSION_DENIED);
  after = clinic_test_dump_tables (f->db);
  g_assert_cmpstr (before, ==, after);

  /* After the window has passed, the kiosk registers again. */
  clinic_test_exec (f->db, "UPDATE self_registrations SET registered_at = registered_at - 3600");
  register_ok (f, "Flood", "Last", "2000-01-01", "", "flood-last");
}

/* The kiosk comes only from staff who may start it. */
static void
test_kiosk_start (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClinicKiosk) kiosk = NULL;

  g_assert_cmpint (count_audit (f, "kiosk.started"), ==, 1);
  clinic_session_sign_out (f->frontdesk);
  kiosk = clinic_kiosk_start (f->frontdesk, &error);
  g_assert_null (kiosk);
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_SIGNED_OUT);

  /* A kiosk outlives the session that started it. */
  register_ok (f, "Keller", "Jana", "1991-07-08", "", "jana");
}

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "C.UTF-8");
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_assert_true (sodium_init () >= 0);
  clinic_keys_allow_test_limits (TRUE);

#define ADD(path, fn) g_test_add ("/registration/" path, Fixture, NULL, fixture_set_up, fn, fixture_tear_down)
  ADD ("pending-cannot-sign-in", test_pending_cannot_sign_in);
  ADD ("confirm-enables", test_confirm_enables);
  ADD ("reject-disables", test_reject_disables);
  ADD ("settings", test_settings);
  ADD ("duplicate-flagged", test_duplicate_flagged);
  ADD ("reject-after-merge", test_reject_after_merge);
  ADD ("bad-input", test_bad_input);
  ADD ("rate-limit", test_rate_limit);
  ADD ("kiosk-start", test_kiosk_start);
#undef ADD
  return g_test_run ();
}
