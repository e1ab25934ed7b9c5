/* test-users.c — users, roles and the permission matrix: staff and
 * patient accounts with their key slots, names and passwords, roles and
 * their permissions taking effect at refresh, the lock-out protections,
 * disabling, enabling and passwords, and that every call checks the
 * permission and audits exactly once. */

#include "config.h"

#include <glib/gstdio.h>
#include <sodium.h>
#include <string.h>

#include "clinic-test-db.h"
#include "clinic-audit.h"
#include "clinic-paths.h"
#include "clinic-session.h"
#include "clinic-users.h"

#define ADMIN_PW  "quiet river under old stone"
#define PW_A      "amber fields after summer rain"
#define PW_B      "seven lanterns over the harbour"
#define PW_C      "copper kettle on a cold morning"
#define LIMITS    (&CLINIC_KDF_LIMITS_TEST)

#define ROLE_ADMINISTRATOR 1
#define ROLE_DOCTOR        2
#define ROLE_FRONT_DESK    3
#define ROLE_PATIENT       4

typedef struct
{
  char          *dir;
  char          *path;
  char          *recovery;
  ClinicDb      *db;
  ClinicSession *session;   /* the administrator who opened it */
} Fixture;

static const ClinicCredentials admin = { "admin", ADMIN_PW, NULL, &CLINIC_KDF_LIMITS_TEST };

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClinicDb) created = NULL;

  f->dir = g_dir_make_tmp ("clinic-users-XXXXXX", &error);
  g_assert_no_error (error);
  f->path = g_build_filename (f->dir, "clinic.db", NULL);
  created = clinic_db_create (f->path, "Lindenhof Practice", &admin, &f->recovery, &error);
  g_assert_no_error (error);
  g_clear_object (&created);

  f->db = clinic_db_open (f->path, &admin, &error);
  g_assert_no_error (error);
  f->session = clinic_session_start (f->db, &error);
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_clear_object (&f->session);
  g_clear_object (&f->db);
  clinic_test_remove_tree (f->dir);
  if (f->recovery != NULL)
    sodium_memzero (f->recovery, strlen (f->recovery));
  g_free (f->recovery);
  g_free (f->path);
  g_free (f->dir);
}

/* --- Helpers ----------------------------------------------------------- */

static char *
query_text (ClinicDb   *db,
            const char *sql)
{
  g_autoptr(GError) error = NULL;
  sqlite3_stmt *stmt = clinic_db_prepare (db, sql, &error);
  char *value;

  g_assert_no_error (error);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  value = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_reset (stmt);

  return value;
}

static gint64
audit_count (Fixture *f)
{
  return clinic_test_query_int (f->db, "SELECT count(*) FROM audit_log");
}

/* Exactly one entry more than @before, the newest being @action on
 * @object_id with @old_value/@new_value (NULL: not checked). */
static void
assert_audited (Fixture    *f,
                gint64      before,
                const char *action,
                gint64      object_id,
                const char *old_value,
                const char *new_value)
{
  g_autofree char *got_action = NULL;
  g_autofree char *got_id = NULL;
  g_autofree char *want_id = g_strdup_printf ("%" G_GINT64_FORMAT, object_id);

  g_assert_cmpint (audit_count (f), ==, before + 1);
  got_action = query_text (f->db, "SELECT action FROM audit_log ORDER BY seq DESC LIMIT 1");
  got_id = query_text (f->db, "SELECT object_id FROM audit_log ORDER BY seq DESC LIMIT 1");
  g_assert_cmpstr (got_action, ==, action);
  g_assert_cmpstr (got_id, ==, want_id);
  if (old_value != NULL)
    {
      g_autofree char *got = query_text (f->db, "SELECT old_value FROM audit_log ORDER BY seq DESC LIMIT 1");
      g_assert_cmpstr (got, ==, old_value);
    }
  if (new_value != NULL)
    {
      g_autofree char *got = query_text (f->db, "SELECT new_value FROM audit_log ORDER BY seq DESC LIMIT 1");
      g_assert_cmpstr (got, ==, new_value);
    }
}

/* A fingerprint of everything this module may change: the three tables,
 * the audit trail's length and the key file's bytes. */
static char *
state_checksum (Fixture *f)
{
  g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
  g_autofree char *keys_path = clinic_paths_get_keys_file (f->path);
  g_autofree char *keys = NULL;
  gsize keys_len = 0;
  static const char *queries[] = {
    "SELECT coalesce (group_concat (x, '|'), '') FROM (SELECT id || ',' || name || ',' || display_name "
    "  || ',' || role_id || ',' || kind || ',' || password_hash || ',' || disabled AS x "
    "  FROM users ORDER BY id)",
    "SELECT coalesce (group_concat (x, '|'), '') FROM (SELECT id || ',' || name || ',' || "
    "  coalesce (builtin, '-') AS x FROM roles ORDER BY id)",
    "SELECT coalesce (group_concat (x, '|'), '') FROM (SELECT role_id || ',' || permission AS x "
    "  FROM role_permissions ORDER BY role_id, permission)",
    "SELECT count(*) FROM audit_log",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (queries); i++)
    {
      g_autofree char *text = query_text (f->db, queries[i]);

      g_checksum_update (sum, (const guchar *) text, -1);
      g_checksum_update (sum, (const guchar *) "\n", 1);
    }

  g_assert_true (g_file_get_contents (keys_path, &keys, &keys_len, NULL));
  g_checksum_update (sum, (const guchar *) keys, keys_len);

  return g_strdup (g_checksum_get_string (sum));
}

static gint64
make_user (Fixture        *f,
           const char     *name,
           ClinicUserKind  kind,
           gint64          role_id,
           const char     *password)
{
  g_autoptr(GError) error = NULL;
  gint64 id;

  id = clinic_users_create (f->session, name, name, kind, role_id, password, LIMITS, &error);
  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);

  return id;
}

/* Opens the database file with @user's password (their key slot). */
static ClinicDb *
open_as (Fixture     *f,
         const char  *user,
         const char  *password,
         GError     **error)
{
  ClinicCredentials credentials = { user, password, NULL, &CLINIC_KDF_LIMITS_TEST };

  return clinic_db_open (f->path, &credentials, error);
}

static void
assert_opens (Fixture    *f,
              const char *user,
              const char *password)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClinicDb) db = open_as (f, user, password, &error);

  g_assert_no_error (error);
  g_assert_nonnull (db);
}

static void
assert_does_not_open (Fixture    *f,
                      const char *user,
                      const char *password)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClinicDb) db = open_as (f, user, password, &error);

  g_assert_error (error, CLINIC_DB_ERROR, CLINIC_DB_ERROR_WRONG_CREDENTIALS);
  g_assert_null (db);
}

static ClinicSession *
sign_in (Fixture    *f,
         const char *user,
         const char *password)
{
  g_autoptr(GError) error = NULL;
  ClinicSession *session = clinic_session_sign_in (f->db, user, password, &error);

  g_assert_no_error (error);
  g_assert_nonnull (session);

  return session;
}

static ClinicUser *
find_user (GPtrArray  *users,
           const char *name)
{
  for (guint i = 0; i < users->len; i++)
    {
      ClinicUser *user = g_ptr_array_index (users, i);

      if (g_strcmp0 (user->name, name) == 0)
        return user;
    }

  return NULL;
}

/* --- Creating users ---------------------------------------------------- */

static void
test_staff_create (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClinicDb) db = NULL;
  g_autoptr(ClinicSession) opened = NULL;
  g_autoptr(ClinicSession) signed_in = NULL;
  g_autoptr(GPtrArray) users = NULL;
  ClinicUser *user;
  gint64 before = audit_count (f);
  gint64 id;

  id = clinic_users_create (f->session, "  anna ", "Dr. Anna Berg", CLINIC_USER_STAFF, ROLE_DOCTOR,
                            PW_A, LIMITS, &error);
  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);
  assert_audited (f, before, "user.created", id, NULL, "anna");

  /* The key slot: her password opens the database file itself. */
  db = open_as (f, "anna", PW_A, &error);
  g_assert_no_error (error);
  opened = clinic_session_start (db, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (clinic_session_get_role_builtin (opened), ==, "doctor");
  g_assert_true (clinic_session_has_permission (opened, CLINIC_PERMISSION_CHART_READ));
  g_assert_false (clinic_session_has_permission (opened, CLINIC_PERMISSION_USERS));

  /* The hash: she signs in on the open database (lock screen). */
  signed_in = sign_in (f, "anna", PW_A);
  g_assert_cmpint (clinic_session_get_kind (signed_in), ==, CLINIC_USER_STAFF);
  g_assert_cmpint (clinic_session_get_user_id (signed_in), ==, id);

  users = clinic_users_list (f->session, &error);
  g_assert_no_error (error);
  user = find_user (users, "anna");
  if (user == NULL)
    g_error ("anna is not in the list of users");
  g_assert_cmpstr (user->display_name, ==, "Dr. Anna Berg");
  g_assert_cmpstr (user->role_name, ==, "Doctor");
  g_assert_cmpint (user->kind, ==, CLINIC_USER_STAFF);
  g_assert_false (user->disabled);
  g_assert_nonnull (find_user (users, "admin"));

  {
    g_autoptr(ClinicUser) by_name = clinic_users_lookup_by_name (f->session, " anna", &error);

    g_assert_no_error (error);
    g_assert_cmpint (by_name->id, ==, id);
  }
}

static void
test_patient_create (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClinicSession) patient = NULL;
  g_autofree char *keys_path = clinic_paths_get_keys_file (f->path);
  g_autofree char *keys_before = NULL;
  g_autofree char *keys_after = NULL;
  gint64 before = audit_count (f);
  gint64 id;

  g_assert_true (g_file_get_contents (keys_path, &keys_before, NULL, NULL));
  id = make_user (f, "paula", CLINIC_USER_PATIENT, 0, PW_B);
  assert_audited (f, before, "user.created", id, NULL, "paula");

  /* No key slot: the key file is untouched, the password opens nothing. */
  g_assert_true (g_file_get_contents (keys_path, &keys_after, NULL, NULL));
  g_assert_cmpstr (keys_before, ==, keys_after);
  assert_does_not_open (f, "paula", PW_B);

  patient = sign_in (f, "paula", PW_B);
  g_assert_cmpint (clinic_session_get_kind (patient), ==, CLINIC_USER_PATIENT);
  g_assert_cmpstr (clinic_session_get_role_builtin (patient), ==, "patient");
  before = audit_count (f);  /* the sign-in is audited */

  /* The patient role and patient accounts go together. */
  clinic_users_create (f->session, "pia", "Pia", CLINIC_USER_PATIENT, ROLE_DOCTOR, PW_B, LIMITS,
                       &error);
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_INVALID);
  g_clear_error (&error);
  clinic_users_create (f->session, "sam", "Sam", CLINIC_USER_STAFF, ROLE_PATIENT, PW_B, LIMITS,
                       &error);
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_INVALID);
  g_clear_error (&error);
  clinic_users_set_role (f->session, id, ROLE_DOCTOR, &error);
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_INVALID);
  g_assert_cmpint (audit_count (f), ==, before);
}

static void
test_names (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *sum = NULL;
  g_autofree char *after = NULL;
  g_autofree char *long_name = g_strnfill (65, 'x');
  g_autofree char *longest = g_strnfill (64, 'y');
  static const struct { const char *name; const char *display; } bad[] = {
    { "", "Empty" }, { "   ", "Blank" }, { "an\tna", "Tab" }, { "an\nna", "Newline" },
    { "anna", "" }, { "anna", " " }, { "anna", "Line\nbreak" },
  };

  make_user (f, "anna", CLINIC_USER_STAFF, ROLE_DOCTOR, PW_A);
  sum = state_checksum (f);

  /* Taken, also once normalised. */
  clinic_users_create (f->session, "anna", "Another Anna", CLINIC_USER_STAFF, ROLE_DOCTOR, PW_B,
                       LIMITS, &error);
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_CONFLICT);
  g_clear_error (&error);
  clinic_users_create (f->session, " anna  ", "Another Anna", CLINIC_USER_PATIENT, 0, PW_B,
                       LIMITS, &error);
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_CONFLICT);
  g_clear_error (&error);

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      clinic_users_create (f->session, bad[i].name, bad[i].display, CLINIC_USER_STAFF,
                           ROLE_DOCTOR, PW_B, LIMITS, &error);
      g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_INVALID);
      g_clear_error (&error);
    }
  clinic_users_create (f->session, long_name, "Long", CLINIC_USER_STAFF, ROLE_DOCTOR, PW_B,
                       LIMITS, &error);
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_INVALID);
  g_clear_error (&error);

  after = state_checksum (f);
  g_assert_cmpstr (sum, ==, after);

  /* 64 characters are fine. */
  make_user (f, longest, CLINIC_USER_PATIENT, 0, PW_B);
}

static void
test_weak_password (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *sum = state_checksum (f);
  g_autofree char *after = NULL;
  static const char *weak[] = { "short", "password1234", "bartholomew99" };

  for (gsize i = 0; i < G_N_ELEMENTS (weak); i++)
    {
      clinic_users_create (f->session, "bartholomew", "Bart", CLINIC_USER_STAFF, ROLE_DOCTOR,
                           weak[i], LIMITS, &error);
      g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_INVALID);
      g_clear_error (&error);
    }

  after = state_checksum (f);
  g_assert_cmpstr (sum, ==, after);
}

/* --- Roles ------------------------------------------------------------- */

static void
test_roles (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) roles = NULL;
  gint64 before = audit_count (f);
  gint64 nurse, user;

  nurse = clinic_roles_create (f->session, " Nurse ", &error);
  g_assert_no_error (error);
  g_assert_cmpint (nurse, >, 0);
  assert_audited (f, before, "role.created", nurse, NULL, "Nurse");

  clinic_roles_create (f->session, "NURSE", &error);
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_CONFLICT);
  g_clear_error (&error);
  clinic_roles_create (f->session, "  ", &error);
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_INVALID);
  g_clear_error (&error);

  before = audit_count (f);
  g_assert_true (clinic_roles_rename (f->session, nurse, "Nurse practitioner", &error));
  g_assert_no_error (error);
  assert_audited (f, before, "role.renamed", nurse, "Nurse", "Nurse practitioner");

  clinic_roles_rename (f->session, nurse, "doctor", &error);
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_CONFLICT);
  g_clear_error (&error);

  /* Built-in roles may be renamed, not deleted. */
  before = audit_count (f);
  g_assert_true (clinic_roles_rename (f->session, ROLE_FRONT_DESK, "Reception", &error));
  g_assert_no_error (error);
  assert_audited (f, before, "role.renamed", ROLE_FRONT_DESK, "Front desk", "Reception");
  clinic_roles_delete (f->session, ROLE_DOCTOR, &error);
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_CONFLICT);
  g_clear_error (&error);

  roles = clinic_roles_list (f->session, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (roles->len, ==, 5);
  g_assert_cmpstr (((ClinicRole *) roles->pdata[0])->builtin, ==, "administrator");
  g_assert_true (((ClinicRole *) roles->pdata[0])->permissions[CLINIC_PERMISSION_USERS]);
  g_assert_cmpuint (((ClinicRole *) roles->pdata[0])->n_users, ==, 1);
  g_assert_cmpstr (((ClinicRole *) roles->pdata[2])->name, ==, "Reception");
  g_assert_cmpstr (((ClinicRole *) roles->pdata[4])->name, ==, "Nurse practitioner");
  g_assert_null (((ClinicRole *) roles->pdata[4])->builtin);
  for (guint i = 0; i < CLINIC_N_PERMISSIONS; i++)
    g_assert_false (((ClinicRole *) roles->pdata[4])->permissions[i]);

  /* A role someone holds (even a disabled someone) stays. */
  user = make_user (f, "nina", CLINIC_USER_STAFF, nurse, PW_A);
  g_assert_true (clinic_users_set_disabled (f->session, user, TRUE, NULL, LIMITS, &error));
  g_assert_no_error (error);
  clinic_roles_delete (f->session, nurse, &error);
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_CONFLICT);
  g_assert_nonnull (strstr (error->message, "1"));
  g_clear_error (&error);

  g_assert_true (clinic_roles_set_permission (f->session, nurse, CLINIC_PERMISSION_CHART_READ,
                                              TRUE, &error));
  g_assert_true (clinic_users_set_role (f->session, user, ROLE_DOCTOR, &error));
  g_assert_no_error (error);
  before = audit_count (f);
  g_assert_true (clinic_roles_delete (f->session, nurse, &error));
  g_assert_no_error (error);
  assert_audited (f, before, "role.deleted", nurse, "Nurse practitioner", NULL);
  g_assert_cmpint (clinic_test_query_int (f->db, "SELECT count(*) FROM role_permissions WHERE role_id = 5"),
                   ==, 0);

  clinic_roles_delete (f->session, nurse, &error);
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_NOT_FOUND);
}

static void
test_permission_matrix (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClinicSession) nina = NULL;
  gint64 nurse, before;

  nurse = clinic_roles_create (f->session, "Nurse", &error);
  g_assert_no_error (error);
  make_user (f, "nina", CLINIC_USER_STAFF, nurse, PW_A);
  nina = sign_in (f, "nina", PW_A);
  g_assert_false (clinic_session_has_permission (nina, CLINIC_PERMISSION_CHART_READ));

  before = audit_count (f);
  g_assert_true (clinic_roles_set_permission (f->session, nurse, CLINIC_PERMISSION_CHART_READ,
                                              TRUE, &error));
  g_assert_no_error (error);
  assert_audited (f, before, "role.permission-granted", nurse, NULL, "chart.read");

  /* The session reads its permissions at sign-in and at refresh, which
   * the window calls after every change here. */
  g_assert_false (clinic_session_has_permission (nina, CLINIC_PERMISSION_CHART_READ));
  g_assert_true (clinic_session_refresh (nina, &error));
  g_assert_true (clinic_session_has_permission (nina, CLINIC_PERMISSION_CHART_READ));
  g_assert_true (clinic_session_require (nina, CLINIC_PERMISSION_CHART_READ, &error));
  g_assert_no_error (error);

  /* Granting what is granted changes nothing and audits nothing. */
  before = audit_count (f);
  g_assert_true (clinic_roles_set_permission (f->session, nurse, CLINIC_PERMISSION_CHART_READ,
                                              TRUE, &error));
  g_assert_cmpint (audit_count (f), ==, before);

  g_assert_true (clinic_roles_set_permission (f->session, nurse, CLINIC_PERMISSION_CHART_READ,
                                              FALSE, &error));
  g_assert_no_error (error);
  assert_audited (f, before, "role.permission-revoked", nurse, NULL, "chart.read");
  g_assert_true (clinic_session_refresh (nina, &error));
  g_assert_false (clinic_session_has_permission (nina, CLINIC_PERMISSION_CHART_READ));
  g_assert_false (clinic_session_require (nina, CLINIC_PERMISSION_CHART_READ, &error));
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_PERMISSION_DENIED);
  g_clear_error (&error);

  /* A built-in role's matrix is editable too. */
  g_assert_true (clinic_roles_set_permission (f->session, ROLE_DOCTOR, CLINIC_PERMISSION_BILLING,
                                              TRUE, &error));
  g_assert_cmpint (clinic_test_query_int (f->db, "SELECT count(*) FROM role_permissions "
                                                 "WHERE role_id = 2 AND permission = 'billing'"),
                   ==, 1);
}

/* --- Lock-out protection ----------------------------------------------- */

static void
expect_conflict (gboolean  ok,
                 GError  **error)
{
  g_assert_false (ok);
  g_assert_error (*error, CLINIC_ERROR, CLINIC_ERROR_CONFLICT);
  g_clear_error (error);
}

static void
test_last_admin (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *sum = NULL;
  g_autofree char *after = NULL;
  gint64 admin_id = clinic_session_get_user_id (f->session);
  gint64 bert, keeper_role, kim;

  /* The only user who manages users can neither lose the permission nor
   * the role nor the account. */
  sum = state_checksum (f);
  expect_conflict (clinic_roles_set_permission (f->session, ROLE_ADMINISTRATOR,
                                                CLINIC_PERMISSION_USERS, FALSE, &error), &error);
  expect_conflict (clinic_users_set_role (f->session, admin_id, ROLE_DOCTOR, &error), &error);
  expect_conflict (clinic_users_set_disabled (f->session, admin_id, TRUE, NULL, LIMITS, &error),
                   &error);
  after = state_checksum (f);
  g_assert_cmpstr (sum, ==, after);

  /* Not even with the recovery key, though that session has every
   * permission: it counts as nobody. */
  {
    ClinicCredentials key = { NULL, NULL, f->recovery, NULL };
    g_autoptr(ClinicDb) db = clinic_db_open (f->path, &key, &error);
    g_autoptr(ClinicSession) recovery = NULL;

    g_assert_no_error (error);
    recovery = clinic_session_start (db, &error);
    g_assert_no_error (error);
    expect_conflict (clinic_users_set_disabled (recovery, admin_id, TRUE, NULL, LIMITS, &error),
                     &error);
  }

  /* A second administrator, disabled: still nobody else. */
  bert = make_user (f, "bert", CLINIC_USER_STAFF, ROLE_ADMINISTRATOR, PW_A);
  g_assert_true (clinic_users_set_disabled (f->session, bert, TRUE, NULL, LIMITS, &error));
  g_assert_no_error (error);
  expect_conflict (clinic_users_set_role (f->session, admin_id, ROLE_DOCTOR, &error), &error);

  /* A patient never counts, whatever their role may do. */
  make_user (f, "pat", CLINIC_USER_PATIENT, 0, PW_B);
  g_assert_true (clinic_roles_set_permission (f->session, ROLE_PATIENT, CLINIC_PERMISSION_USERS,
                                              TRUE, &error));
  expect_conflict (clinic_roles_set_permission (f->session, ROLE_ADMINISTRATOR,
                                                CLINIC_PERMISSION_USERS, FALSE, &error), &error);

  /* Someone in a custom role that manages users: now the administrators'
   * role may lose it. */
  keeper_role = clinic_roles_create (f->session, "Practice manager", &error);
  g_assert_no_error (error);
  g_assert_true (clinic_roles_set_permission (f->session, keeper_role, CLINIC_PERMISSION_USERS,
                                              TRUE, &error));
  kim = make_user (f, "kim", CLINIC_USER_STAFF, keeper_role, PW_C);
  g_assert_true (clinic_roles_set_permission (f->session, ROLE_ADMINISTRATOR,
                                              CLINIC_PERMISSION_USERS, FALSE, &error));
  g_assert_no_error (error);
  /* ... and then the custom role may not. */
  expect_conflict (clinic_roles_set_permission (f->session, keeper_role, CLINIC_PERMISSION_USERS,
                                                FALSE, &error), &error);
  expect_conflict (clinic_users_set_disabled (f->session, kim, TRUE, NULL, LIMITS, &error), &error);
}

static void
test_disable_self (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  gint64 admin_id = clinic_session_get_user_id (f->session);

  /* Even with another administrator around. */
  make_user (f, "bert", CLINIC_USER_STAFF, ROLE_ADMINISTRATOR, PW_A);
  expect_conflict (clinic_users_set_disabled (f->session, admin_id, TRUE, NULL, LIMITS, &error),
                   &error);
  g_assert_cmpint (clinic_test_query_int (f->db, "SELECT disabled FROM users WHERE name = 'admin'"),
                   ==, 0);
}

/* --- Disabling, enabling, passwords ------------------------------------ */

static void
test_disable_enable (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClinicSession) carl = NULL;
  g_autoptr(ClinicSession) again = NULL;
  g_autofree char *sum = NULL;
  g_autofree char *after = NULL;
  gint64 before, id;

  id = make_user (f, "carl", CLINIC_USER_STAFF, ROLE_DOCTOR, PW_A);
  carl = sign_in (f, "carl", PW_A);

  before = audit_count (f);
  g_assert_true (clinic_users_set_disabled (f->session, id, TRUE, NULL, LIMITS, &error));
  g_assert_no_error (error);
  assert_audited (f, before, "user.disabled", id, NULL, NULL);

  /* The slot is gone, sign-in is refused, the open session ends. */
  assert_does_not_open (f, "carl", PW_A);
  g_assert_null (clinic_session_sign_in (f->db, "carl", PW_A, &error));
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_PERMISSION_DENIED);
  g_clear_error (&error);
  g_assert_false (clinic_session_refresh (carl, &error));
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_SIGNED_OUT);
  g_clear_error (&error);
  g_assert_false (clinic_session_is_active (carl));

  /* Disabling again changes nothing; a password reset is refused. */
  sum = state_checksum (f);
  g_assert_true (clinic_users_set_disabled (f->session, id, TRUE, NULL, LIMITS, &error));
  g_assert_no_error (error);
  expect_conflict (clinic_users_reset_password (f->session, id, PW_B, LIMITS, &error), &error);

  /* Enabling needs a new password that passes the policy. */
  g_assert_false (clinic_users_set_disabled (f->session, id, FALSE, NULL, LIMITS, &error));
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (clinic_users_set_disabled (f->session, id, FALSE, "short", LIMITS, &error));
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_INVALID);
  g_clear_error (&error);
  after = state_checksum (f);
  g_assert_cmpstr (sum, ==, after);

  before = audit_count (f);
  g_assert_true (clinic_users_set_disabled (f->session, id, FALSE, PW_B, LIMITS, &error));
  g_assert_no_error (error);
  assert_audited (f, before, "user.enabled", id, NULL, NULL);
  assert_does_not_open (f, "carl", PW_A);
  assert_opens (f, "carl", PW_B);
  again = sign_in (f, "carl", PW_B);

  expect_conflict (clinic_users_set_disabled (f->session, id, FALSE, PW_C, LIMITS, &error), &error);
}

static void
test_disable_patient (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClinicSession) again = NULL;
  g_autofree char *keys_path = clinic_paths_get_keys_file (f->path);
  g_autofree char *keys_before = NULL;
  g_autofree char *keys_after = NULL;
  gint64 id = make_user (f, "paula", CLINIC_USER_PATIENT, 0, PW_B);

  g_assert_true (g_file_get_contents (keys_path, &keys_before, NULL, NULL));
  g_assert_true (clinic_users_set_disabled (f->session, id, TRUE, NULL, LIMITS, &error));
  g_assert_no_error (error);
  g_assert_null (clinic_session_sign_in (f->db, "paula", PW_B, &error));
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_PERMISSION_DENIED);
  g_clear_error (&error);

  g_assert_true (clinic_users_set_disabled (f->session, id, FALSE, PW_C, LIMITS, &error));
  g_assert_no_error (error);
  again = sign_in (f, "paula", PW_C);
  g_assert_true (g_file_get_contents (keys_path, &keys_after, NULL, NULL));
  g_assert_cmpstr (keys_before, ==, keys_after);
}

static void
test_reset_password (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClinicSession) dora = NULL;
  g_autoptr(ClinicSession) paul = NULL;
  g_autofree char *keys_path = clinic_paths_get_keys_file (f->path);
  g_autofree char *keys_before = NULL;
  g_autofree char *keys_after = NULL;
  g_autofree char *sum = NULL;
  g_autofree char *after = NULL;
  gint64 staff, patient, before;

  staff = make_user (f, "dora", CLINIC_USER_STAFF, ROLE_FRONT_DESK, PW_A);
  patient = make_user (f, "paul", CLINIC_USER_PATIENT, 0, PW_A);

  before = audit_count (f);
  g_assert_true (clinic_users_reset_password (f->session, staff, PW_B, LIMITS, &error));
  g_assert_no_error (error);
  assert_audited (f, before, "user.password-reset", staff, NULL, NULL);
  assert_does_not_open (f, "dora", PW_A);
  assert_opens (f, "dora", PW_B);
  dora = sign_in (f, "dora", PW_B);

  g_assert_true (g_file_get_contents (keys_path, &keys_before, NULL, NULL));
  before = audit_count (f);
  g_assert_true (clinic_users_reset_password (f->session, patient, PW_C, LIMITS, &error));
  g_assert_no_error (error);
  assert_audited (f, before, "user.password-reset", patient, NULL, NULL);
  g_assert_true (g_file_get_contents (keys_path, &keys_after, NULL, NULL));
  g_assert_cmpstr (keys_before, ==, keys_after);
  g_assert_null (clinic_session_sign_in (f->db, "paul", PW_A, &error));
  g_assert_error (error, CLINIC_DB_ERROR, CLINIC_DB_ERROR_WRONG_CREDENTIALS);
  g_clear_error (&error);
  paul = sign_in (f, "paul", PW_C);

  sum = state_checksum (f);
  g_assert_false (clinic_users_reset_password (f->session, staff, "password1234", LIMITS, &error));
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (clinic_users_reset_password (f->session, 999, PW_C, LIMITS, &error));
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_NOT_FOUND);
  after = state_checksum (f);
  g_assert_cmpstr (sum, ==, after);
}

static void
test_change_own_password (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClinicSession) eve = NULL;
  g_autoptr(ClinicSession) pat = NULL;
  g_autoptr(ClinicSession) again = NULL;
  g_autofree char *sum = NULL;
  g_autofree char *after = NULL;
  gint64 id, patient, before;

  id = make_user (f, "eve", CLINIC_USER_STAFF, ROLE_DOCTOR, PW_A);
  eve = sign_in (f, "eve", PW_A);

  /* A wrong current password, or a weak new one: nothing changes. */
  sum = state_checksum (f);
  g_assert_false (clinic_users_change_own_password (eve, PW_C, PW_B, LIMITS, &error));
  g_assert_error (error, CLINIC_DB_ERROR, CLINIC_DB_ERROR_WRONG_CREDENTIALS);
  g_clear_error (&error);
  g_assert_false (clinic_users_change_own_password (eve, PW_A, "short", LIMITS, &error));
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_INVALID);
  g_clear_error (&error);
  after = state_checksum (f);
  g_assert_cmpstr (sum, ==, after);

  /* No USERS permission needed for oneself. */
  before = audit_count (f);
  g_assert_true (clinic_users_change_own_password (eve, PW_A, PW_B, LIMITS, &error));
  g_assert_no_error (error);
  assert_audited (f, before, "user.password-changed", id, NULL, NULL);
  assert_does_not_open (f, "eve", PW_A);
  assert_opens (f, "eve", PW_B);
  again = sign_in (f, "eve", PW_B);

  /* A patient: the hash only. */
  patient = make_user (f, "pat", CLINIC_USER_PATIENT, 0, PW_A);
  pat = sign_in (f, "pat", PW_A);
  before = audit_count (f);
  g_assert_true (clinic_users_change_own_password (pat, PW_A, PW_C, LIMITS, &error));
  g_assert_no_error (error);
  assert_audited (f, before, "user.password-changed", patient, NULL, NULL);
  g_clear_object (&again);
  again = sign_in (f, "pat", PW_C);

  /* Signed out: nothing. */
  clinic_session_sign_out (eve);
  g_assert_false (clinic_users_change_own_password (eve, PW_B, PW_C, LIMITS, &error));
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_SIGNED_OUT);
}

static void
test_display_name (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  gint64 id = make_user (f, "anna", CLINIC_USER_STAFF, ROLE_DOCTOR, PW_A);
  gint64 before = audit_count (f);

  g_assert_true (clinic_users_set_display_name (f->session, id, "Dr. Anna Berg", &error));
  g_assert_no_error (error);
  assert_audited (f, before, "user.renamed", id, "anna", "Dr. Anna Berg");

  before = audit_count (f);
  g_assert_true (clinic_users_set_role (f->session, id, ROLE_FRONT_DESK, &error));
  g_assert_no_error (error);
  assert_audited (f, before, "user.role-changed", id, "Doctor", "Front desk");

  g_assert_false (clinic_users_set_display_name (f->session, id, "", &error));
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_INVALID);
}

/* --- Permission checks ------------------------------------------------- */

/* Every entry point that needs USERS, with @session lacking it: refused
 * with @code and nothing changed, key file included. */
static void
assert_every_call_refused (Fixture       *f,
                           ClinicSession *session,
                           gint64         user_id,
                           gint64         role_id,
                           int            code)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *sum = state_checksum (f);
  g_autofree char *after = NULL;

#define REFUSED(call) \
  G_STMT_START { \
    g_assert_false ((call) != 0); \
    g_assert_error (error, CLINIC_ERROR, code); \
    g_clear_error (&error); \
  } G_STMT_END

  REFUSED (clinic_roles_list (session, &error) != NULL);
  REFUSED (clinic_roles_create (session, "Nurse", &error));
  REFUSED (clinic_roles_rename (session, role_id, "Nurses", &error));
  REFUSED (clinic_roles_delete (session, role_id, &error));
  REFUSED (clinic_roles_set_permission (session, ROLE_DOCTOR, CLINIC_PERMISSION_USERS, TRUE, &error));
  REFUSED (clinic_roles_set_permission (session, ROLE_ADMINISTRATOR, CLINIC_PERMISSION_AUDIT, FALSE, &error));
  REFUSED (clinic_users_list (session, &error) != NULL);
  REFUSED (clinic_users_lookup_by_name (session, "admin", &error) != NULL);
  REFUSED (clinic_users_create (session, "mallory", "Mallory", CLINIC_USER_STAFF, ROLE_ADMINISTRATOR,
                                PW_C, LIMITS, &error));
  REFUSED (clinic_users_create (session, "mallory", "Mallory", CLINIC_USER_PATIENT, 0, PW_C, LIMITS,
                                &error));
  REFUSED (clinic_users_set_role (session, user_id, ROLE_ADMINISTRATOR, &error));
  REFUSED (clinic_users_set_display_name (session, user_id, "Someone else", &error));
  REFUSED (clinic_users_set_disabled (session, user_id, TRUE, NULL, LIMITS, &error));
  REFUSED (clinic_users_set_disabled (session, user_id, FALSE, PW_C, LIMITS, &error));
  REFUSED (clinic_users_reset_password (session, user_id, PW_C, LIMITS, &error));
  REFUSED (clinic_users_reset_password (session, clinic_session_get_user_id (f->session), PW_C,
                                        LIMITS, &error));

#undef REFUSED

  after = state_checksum (f);
  g_assert_cmpstr (sum, ==, after);
}

static void
test_permission_denied (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClinicSession) doctor = NULL;
  g_autoptr(ClinicSession) patient = NULL;
  gint64 nurse, victim;

  nurse = clinic_roles_create (f->session, "Nurse", &error);
  g_assert_no_error (error);
  victim = make_user (f, "victor", CLINIC_USER_STAFF, ROLE_FRONT_DESK, PW_A);
  make_user (f, "doc", CLINIC_USER_STAFF, ROLE_DOCTOR, PW_B);
  make_user (f, "pat", CLINIC_USER_PATIENT, 0, PW_C);

  doctor = sign_in (f, "doc", PW_B);
  assert_every_call_refused (f, doctor, victim, nurse, CLINIC_ERROR_PERMISSION_DENIED);

  /* A patient session is refused even when its role grants USERS. */
  g_assert_true (clinic_roles_set_permission (f->session, ROLE_PATIENT, CLINIC_PERMISSION_USERS,
                                              TRUE, &error));
  g_assert_no_error (error);
  patient = sign_in (f, "pat", PW_C);
  g_assert_true (clinic_session_has_permission (patient, CLINIC_PERMISSION_USERS));
  assert_every_call_refused (f, patient, victim, nurse, CLINIC_ERROR_PERMISSION_DENIED);

  /* A permission revoked: refused after the refresh. */
  g_assert_true (clinic_roles_set_permission (f->session, ROLE_DOCTOR, CLINIC_PERMISSION_USERS,
                                              TRUE, &error));
  g_assert_true (clinic_session_refresh (doctor, &error));
  {
    g_autoptr(GPtrArray) listed = clinic_users_list (doctor, &error);

    g_assert_no_error (error);
    g_assert_nonnull (listed);
  }
  g_assert_true (clinic_roles_set_permission (f->session, ROLE_DOCTOR, CLINIC_PERMISSION_USERS,
                                              FALSE, &error));
  g_assert_true (clinic_session_refresh (doctor, &error));
  assert_every_call_refused (f, doctor, victim, nurse, CLINIC_ERROR_PERMISSION_DENIED);

  /* Signed out. */
  clinic_session_sign_out (doctor);
  assert_every_call_refused (f, doctor, victim, nurse, CLINIC_ERROR_SIGNED_OUT);
}

/* Failed sign-ins show in the list of users, and an administrator lifts
 * the wait (audited). */
static void
test_lockout_shown_and_lifted (Fixture       *f,
                               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) users = NULL;
  g_autoptr(ClinicSession) anna = NULL;
  ClinicUser *user;
  gint64 id;

  id = clinic_users_create (f->session, "anna", "Dr. Anna Berg", CLINIC_USER_STAFF, ROLE_DOCTOR,
                            "amber fields after summer rain", LIMITS, &error);
  g_assert_no_error (error);

  for (int i = 0; i < 5; i++)
    {
      g_assert_null (clinic_session_sign_in (f->db, "anna", "not her password", &error));
      g_clear_error (&error);
    }
  g_assert_null (clinic_session_sign_in (f->db, "anna", "amber fields after summer rain", &error));
  g_assert_error (error, CLINIC_DB_ERROR, CLINIC_DB_ERROR_LOCKED_OUT);
  g_clear_error (&error);

  users = clinic_users_list (f->session, &error);
  g_assert_no_error (error);
  user = find_user (users, "anna");
  if (user == NULL)
    g_error ("anna is not listed");
  g_assert_cmpuint (user->lockout_wait, >, 14 * 60);
  g_assert_cmpuint (user->lockout_wait, <=, 15 * 60);
  user = find_user (users, "admin");
  if (user == NULL)
    g_error ("admin is not listed");
  g_assert_cmpuint (user->lockout_wait, ==, 0);

  g_assert_true (clinic_users_clear_lockout (f->session, id, &error));
  g_assert_no_error (error);
  anna = clinic_session_sign_in (f->db, "anna", "amber fields after summer rain", &error);
  g_assert_no_error (error);
  g_assert_cmpint (clinic_test_query_int (f->db, "SELECT count(*) FROM audit_log WHERE action = 'user.lockout-cleared'"), ==, 1);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_assert_true (sodium_init () >= 0);
  clinic_keys_allow_test_limits (TRUE);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("/users/staff/create", test_staff_create);
  ADD ("/users/patient/create", test_patient_create);
  ADD ("/users/names", test_names);
  ADD ("/users/weak-password", test_weak_password);
  ADD ("/users/display-name-and-role", test_display_name);
  ADD ("/roles/create-rename-delete", test_roles);
  ADD ("/roles/permission-matrix", test_permission_matrix);
  ADD ("/users/last-admin", test_last_admin);
  ADD ("/users/disable-self", test_disable_self);
  ADD ("/users/disable-enable", test_disable_enable);
  ADD ("/users/disable-patient", test_disable_patient);
  ADD ("/users/reset-password", test_reset_password);
  ADD ("/users/change-own-password", test_change_own_password);
  ADD ("/users/permission-denied", test_permission_denied);
  ADD ("/users/lockout-shown-and-lifted", test_lockout_shown_and_lifted);

#undef ADD

  return g_test_run ();
}
