/* test-settings.c — the clinic's settings: the table of settings and their
 * defaults, validation, changing and resetting with audit and
 * notification, permissions, and changes made by another program. */

#include "config.h"

#include <glib/gstdio.h>
#include <sodium.h>
#include <string.h>

#include "clinic-test-db.h"
#include "clinic-audit-private.h"
#include "clinic-session.h"
#include "clinic-settings.h"

#define PASSWORD       "correct horse battery"
#define CLERK_PASSWORD "staple paper clip"

#define IDLE_KEY "security.idle-lock-minutes"

typedef struct
{
  char           *dir;
  char           *path;
  ClinicDb       *db;
  ClinicSession  *session;   /* the administrator who opened it */
  ClinicSettings *settings;
} Fixture;

static const ClinicCredentials admin = { "admin", PASSWORD, NULL, &CLINIC_KDF_LIMITS_TEST };

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClinicDb) created = NULL;
  char *recovery = NULL;

  f->dir = g_dir_make_tmp ("clinic-settings-XXXXXX", &error);
  g_assert_no_error (error);
  f->path = g_build_filename (f->dir, "clinic.db", NULL);

  created = clinic_db_create (f->path, "Lindenhof Practice", &admin, &recovery, &error);
  g_assert_no_error (error);
  sodium_memzero (recovery, strlen (recovery));
  g_free (recovery);
  g_clear_object (&created);

  f->db = clinic_db_open (f->path, &admin, &error);
  g_assert_no_error (error);
  f->session = clinic_session_start (f->db, &error);
  g_assert_no_error (error);
  f->settings = clinic_settings_get_for_db (f->db);
  g_assert_nonnull (f->settings);
  g_object_add_weak_pointer (G_OBJECT (f->settings), (gpointer *) &f->settings);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_clear_object (&f->session);
  g_clear_object (&f->db);
  /* The settings go with their database. */
  g_assert_null (f->settings);
  clinic_test_remove_tree (f->dir);
  g_free (f->path);
  g_free (f->dir);
}

/* --- Helpers ----------------------------------------------------------- */

/* The first column of the first row of @sql as text; NULL for no row or
 * a NULL. */
static char *
query_text (ClinicDb   *db,
            const char *sql)
{
  g_autoptr(GError) error = NULL;
  sqlite3_stmt *stmt = clinic_db_prepare (db, sql, &error);
  char *text = NULL;

  g_assert_no_error (error);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    text = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_reset (stmt);

  return text;
}

static gint64
count_audit (ClinicDb   *db,
             const char *key)
{
  g_autofree char *sql =
    g_strdup_printf ("SELECT count(*) FROM audit_log WHERE action = 'settings.changed'"
                     " AND object_type = 'setting' AND object_id = '%s'", key);

  return clinic_test_query_int (db, sql);
}

static gint64
count_rows (ClinicDb   *db,
            const char *key)
{
  g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM settings WHERE key = '%s'", key);

  return clinic_test_query_int (db, sql);
}

/* The newest "settings.changed" entry for @key. */
static void
assert_last_audit (ClinicDb   *db,
                   const char *key,
                   const char *user_name,
                   const char *old_value,
                   const char *new_value)
{
  g_autofree char *where =
    g_strdup_printf ("FROM audit_log WHERE action = 'settings.changed' AND object_id = '%s'"
                     " ORDER BY seq DESC LIMIT 1", key);
  g_autofree char *sql_old = g_strconcat ("SELECT old_value ", where, NULL);
  g_autofree char *sql_new = g_strconcat ("SELECT new_value ", where, NULL);
  g_autofree char *sql_user = g_strconcat ("SELECT user_name ", where, NULL);
  g_autofree char *sql_type = g_strconcat ("SELECT object_type ", where, NULL);
  g_autofree char *got_old = query_text (db, sql_old);
  g_autofree char *got_new = query_text (db, sql_new);
  g_autofree char *got_user = query_text (db, sql_user);
  g_autofree char *got_type = query_text (db, sql_type);

  g_assert_cmpstr (got_old, ==, old_value);
  g_assert_cmpstr (got_new, ==, new_value);
  g_assert_cmpstr (got_user, ==, user_name);
  g_assert_cmpstr (got_type, ==, "setting");
}

static void
assert_valid (const char *key,
              const char *value,
              const char *expected)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *normal = clinic_settings_validate (key, value, &error);

  g_assert_no_error (error);
  g_assert_cmpstr (normal, ==, expected);
}

static void
assert_invalid (const char *key,
                const char *value)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *normal = clinic_settings_validate (key, value, &error);

  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_INVALID);
  g_assert_null (normal);
  g_assert_nonnull (error->message);
  g_assert_cmpuint (strlen (error->message), >, 0);
}

/* A staff user whose role may do several things, but not change settings. */
static ClinicSession *
sign_in_clerk (ClinicDb *db)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *sql = NULL;
  char hash[crypto_pwhash_STRBYTES];
  ClinicSession *session;

  g_assert_cmpint (crypto_pwhash_str (hash, CLERK_PASSWORD, strlen (CLERK_PASSWORD),
                                      crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN), ==, 0);
  sql = g_strdup_printf ("INSERT INTO roles (id, name, builtin, created_at) VALUES (50, 'Clerk', NULL, 0);"
                         "INSERT INTO role_permissions (role_id, permission) VALUES"
                         "  (50, 'patients.contact.read'), (50, 'audit'), (50, 'users');"
                         "INSERT INTO users (name, display_name, role_id, kind, password_hash, created_at)"
                         "  VALUES ('clerk', 'Clerk', 50, 'staff', '%s', 0)", hash);
  clinic_test_exec (db, sql);

  session = clinic_session_sign_in (db, "clerk", CLERK_PASSWORD, &error);
  g_assert_no_error (error);
  g_assert_nonnull (session);
  g_assert_false (clinic_session_has_permission (session, CLINIC_PERMISSION_SETTINGS));

  return session;
}

typedef struct
{
  ClinicDb *db;
  guint     count;
  char     *key;
  char     *value_seen;         /* read through the settings in the handler */
  gboolean  outside_transaction;
  gint64    audit_entries_seen; /* for the key, counted in the handler */
} Recorder;

static void
on_changed (ClinicSettings *settings,
            const char     *key,
            gpointer        user_data)
{
  Recorder *r = user_data;

  r->count++;
  g_free (r->key);
  r->key = g_strdup (key);
  g_free (r->value_seen);
  r->value_seen = clinic_settings_get (settings, key);
  r->outside_transaction = sqlite3_get_autocommit (clinic_db_get_handle (r->db));
  r->audit_entries_seen = count_audit (r->db, key);
}

static void
recorder_clear (Recorder *r)
{
  g_clear_pointer (&r->key, g_free);
  g_clear_pointer (&r->value_seen, g_free);
}

/* --- The table of settings -------------------------------------------- */

static void
test_specs (void)
{
  static const char *const expected_keys[] = {
    "clinic.name", "clinic.address", "clinic.phone", "clinic.email", "clinic.currency",
    "clinic.timezone", "documents.paper", "security.idle-lock-minutes",
    "security.min-password-length", "security.min-patient-password-length",
    "security.lockout-failures", "security.lockout-window-minutes",
    "security.lockout-wait-minutes", "security.lockout-max-wait-minutes",
    "security.kiosk-idle-minutes", "security.lock-with-desktop",
  };
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  const ClinicSettingSpec *specs;
  guint n_specs = 0;

  specs = clinic_settings_list_specs (&n_specs);
  g_assert_cmpuint (n_specs, >=, G_N_ELEMENTS (expected_keys));

  for (gsize i = 0; i < G_N_ELEMENTS (expected_keys); i++)
    g_assert_nonnull (clinic_settings_lookup_spec (expected_keys[i]));
  g_assert_null (clinic_settings_lookup_spec ("clinic.colour"));

  for (guint i = 0; i < n_specs; i++)
    {
      const ClinicSettingSpec *spec = &specs[i];
      g_autoptr(GError) error = NULL;
      g_autofree char *normal = NULL;

      g_test_message ("%s", spec->key);
      g_assert_true (g_hash_table_add (seen, (gpointer) spec->key));
      g_assert_true (clinic_settings_lookup_spec (spec->key) == spec);
      g_assert_nonnull (strchr (spec->key, '.'));
      g_assert_nonnull (spec->title);
      g_assert_cmpuint (strlen (spec->title), >, 0);
      g_assert_nonnull (spec->description);
      g_assert_true (g_str_has_suffix (spec->description, "."));
      g_assert_nonnull (spec->invalid_message);
      g_assert_true (g_str_has_suffix (spec->invalid_message, "."));
      g_assert_nonnull (spec->default_value);

      /* Every default passes its own validation unchanged; a required
       * text has no usable default, and the migration or set-up fills it. */
      normal = clinic_settings_validate (spec->key, spec->default_value, &error);
      if (spec->type == CLINIC_SETTING_STRING && (spec->flags & CLINIC_SETTING_FLAG_REQUIRED))
        {
          g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_INVALID);
          g_assert_cmpstr (spec->default_value, ==, "");
        }
      else
        {
          g_assert_no_error (error);
          g_assert_cmpstr (normal, ==, spec->default_value);
        }

      /* A range is in the message's own words. */
      if (spec->type == CLINIC_SETTING_INT)
        {
          g_autofree char *min = g_strdup_printf ("%" G_GINT64_FORMAT, spec->min);
          g_autofree char *max = g_strdup_printf ("%" G_GINT64_FORMAT, spec->max);

          g_assert_cmpint (spec->min, <=, spec->max);
          g_assert_nonnull (strstr (spec->invalid_message, min));
          g_assert_nonnull (strstr (spec->invalid_message, max));
        }
      if (spec->type == CLINIC_SETTING_CHOICE)
        g_assert_true (g_strv_contains ((const char *const *) spec->choices, spec->default_value));
    }
}

static void
test_defaults (Fixture       *f,
               gconstpointer  data)
{
  static const struct
  {
    const char *key;
    const char *value;
  } defaults[] = {
    { "clinic.address",                       "" },
    { "clinic.phone",                         "" },
    { "clinic.email",                         "" },
    { "clinic.currency",                      "EUR" },
    { "documents.paper",                      "a4" },
    { "security.idle-lock-minutes",           "5" },
    { "security.min-password-length",         "10" },
    { "security.min-patient-password-length", "8" },
    { "security.lockout-failures",            "5" },
    { "security.lockout-window-minutes",      "15" },
    { "security.lockout-wait-minutes",        "15" },
    { "security.lockout-max-wait-minutes",    "60" },
    { "security.kiosk-idle-minutes",          "2" },
    { "security.lock-with-desktop",           "true" },
  };
  g_autoptr(GTimeZone) local = g_time_zone_new_local ();
  g_autoptr(GTimeZone) known = NULL;
  g_autofree char *name = NULL;
  g_autofree char *zone = NULL;
  const ClinicSettingSpec *specs;
  guint n_specs;

  g_assert_true (clinic_settings_get_for_db (f->db) == f->settings);

  for (gsize i = 0; i < G_N_ELEMENTS (defaults); i++)
    {
      g_autofree char *value = clinic_settings_get (f->settings, defaults[i].key);

      g_assert_cmpstr (value, ==, defaults[i].value);
      g_assert_cmpstr (clinic_settings_lookup_spec (defaults[i].key)->default_value, ==, defaults[i].value);
      g_assert_true (clinic_settings_is_default (f->settings, defaults[i].key));
    }

  /* Every setting reads as its default in a new clinic, but the name,
   * which the set-up gave. */
  specs = clinic_settings_list_specs (&n_specs);
  for (guint i = 0; i < n_specs; i++)
    {
      g_autofree char *value = clinic_settings_get (f->settings, specs[i].key);

      if (strcmp (specs[i].key, "clinic.name") != 0)
        g_assert_cmpstr (value, ==, specs[i].default_value);
    }

  g_assert_cmpint (clinic_settings_get_int (f->settings, "security.idle-lock-minutes"), ==, 5);
  g_assert_cmpint (clinic_settings_get_int (f->settings, "security.min-password-length"), ==, 10);
  g_assert_cmpint (clinic_settings_get_int (f->settings, "security.min-patient-password-length"), ==, 8);
  g_assert_cmpint (clinic_settings_get_int (f->settings, "security.lockout-failures"), ==, 5);
  g_assert_cmpint (clinic_settings_get_int (f->settings, "security.lockout-window-minutes"), ==, 15);
  g_assert_cmpint (clinic_settings_get_int (f->settings, "security.lockout-wait-minutes"), ==, 15);
  g_assert_cmpint (clinic_settings_get_int (f->settings, "security.lockout-max-wait-minutes"), ==, 60);
  g_assert_cmpint (clinic_settings_get_int (f->settings, "security.kiosk-idle-minutes"), ==, 2);
  g_assert_true (clinic_settings_get_boolean (f->settings, "security.lock-with-desktop"));

  /* The computer's own zone, or UTC when GLib cannot name it. */
  zone = clinic_settings_get (f->settings, "clinic.timezone");
  known = g_time_zone_new_identifier (zone);
  g_assert_nonnull (known);
  if (g_strcmp0 (zone, "UTC") != 0)
    g_assert_cmpstr (zone, ==, g_time_zone_get_identifier (local));

  /* The name given at creation is a setting like the others. */
  name = clinic_settings_get (f->settings, "clinic.name");
  g_assert_cmpstr (name, ==, "Lindenhof Practice");
  g_assert_false (clinic_settings_is_default (f->settings, "clinic.name"));
}

/* --- Validation -------------------------------------------------------- */

static void
test_validate_strings (void)
{
  g_autofree char *name_120 = g_strnfill (120, 'x');
  g_autofree char *name_121 = g_strnfill (121, 'x');
  g_autofree char *address_500 = g_strnfill (500, 'a');
  g_autofree char *address_501 = g_strnfill (501, 'a');
  g_autoptr(GError) error = NULL;
  g_autofree char *normal = NULL;

  assert_valid ("clinic.name", "  Praxis am Lindenhof  ", "Praxis am Lindenhof");
  assert_valid ("clinic.name", "Zahnärzte Müller & Söhne", "Zahnärzte Müller & Söhne");
  assert_valid ("clinic.name", name_120, name_120);
  assert_invalid ("clinic.name", "");
  assert_invalid ("clinic.name", "   ");
  assert_invalid ("clinic.name", NULL);
  assert_invalid ("clinic.name", name_121);
  assert_invalid ("clinic.name", "Two\nlines");
  assert_invalid ("clinic.name", "Tab\there");
  assert_invalid ("clinic.name", "bad \xff utf-8");

  normal = clinic_settings_validate ("clinic.name", "", &error);
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_INVALID);
  g_assert_cmpstr (error->message, ==, "The clinic’s name cannot be empty and can have at most 120 characters.");
  g_clear_error (&error);

  /* A character is a character, not a byte: 120 umlauts fit. */
  {
    g_autoptr(GString) umlauts = g_string_new (NULL);

    for (int i = 0; i < 120; i++)
      g_string_append (umlauts, "ü");
    assert_valid ("clinic.name", umlauts->str, umlauts->str);
  }

  assert_valid ("clinic.address", "", "");
  assert_valid ("clinic.address", "Lindenallee 4\r\n10115 Berlin\n", "Lindenallee 4\n10115 Berlin");
  assert_valid ("clinic.address", address_500, address_500);
  assert_invalid ("clinic.address", address_501);
  assert_invalid ("clinic.address", "Bell\a");

  assert_valid ("clinic.phone", "", "");
  assert_valid ("clinic.phone", " +49 (30) 123-456/7 ", "+49 (30) 123-456/7");
  assert_invalid ("clinic.phone", "call me");
  assert_invalid ("clinic.phone", "+-()");
  assert_invalid ("clinic.phone", "0123456789 0123456789 0123456789 0123456789");

  assert_valid ("clinic.email", "", "");
  assert_valid ("clinic.email", " info@lindenhof-praxis.de ", "info@lindenhof-praxis.de");
  assert_valid ("clinic.email", "Info.Desk@Lindenhof.DE", "Info.Desk@lindenhof.de");
  assert_valid ("clinic.email", "empfang@praxis-müller.de", "empfang@praxis-müller.de");
  assert_invalid ("clinic.email", "info");
  assert_invalid ("clinic.email", "info@");
  assert_invalid ("clinic.email", "@lindenhof.de");
  assert_invalid ("clinic.email", "info@localhost");
  assert_invalid ("clinic.email", "info@@lindenhof.de");
  assert_invalid ("clinic.email", "in fo@lindenhof.de");
  assert_invalid ("clinic.email", "info@lindenhof..de");
  assert_invalid ("clinic.email", "info@lindenhof.de.");
  assert_invalid ("clinic.email", "info@lindenhof.d");
  assert_invalid ("clinic.email", "<info@lindenhof.de>");
}

static void
test_validate_int (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *normal = NULL;

  assert_valid (IDLE_KEY, "1", "1");
  assert_valid (IDLE_KEY, "120", "120");
  assert_valid (IDLE_KEY, " 007 ", "7");
  assert_invalid (IDLE_KEY, "0");
  assert_invalid (IDLE_KEY, "121");
  assert_invalid (IDLE_KEY, "-5");
  assert_invalid (IDLE_KEY, "");
  assert_invalid (IDLE_KEY, "five");
  assert_invalid (IDLE_KEY, "5.5");
  assert_invalid (IDLE_KEY, "5 minutes");
  assert_invalid (IDLE_KEY, "99999999999999999999999");

  normal = clinic_settings_validate (IDLE_KEY, "121", &error);
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_INVALID);
  g_assert_cmpstr (error->message, ==, "The idle time before locking must be between 1 and 120 minutes.");
  g_clear_error (&error);

  assert_valid ("security.min-password-length", "8", "8");
  assert_invalid ("security.min-password-length", "7");
  assert_valid ("security.min-password-length", "64", "64");
  assert_invalid ("security.min-password-length", "65");
  assert_valid ("security.min-patient-password-length", "6", "6");
  assert_invalid ("security.min-patient-password-length", "5");
  assert_invalid ("security.lockout-failures", "2");
  assert_invalid ("security.lockout-failures", "21");
  assert_valid ("security.lockout-window-minutes", "1440", "1440");
  assert_invalid ("security.lockout-window-minutes", "1441");
  assert_invalid ("security.lockout-wait-minutes", "0");
  assert_invalid ("security.lockout-max-wait-minutes", "1441");
  assert_valid ("security.kiosk-idle-minutes", "30", "30");
  assert_invalid ("security.kiosk-idle-minutes", "31");

  normal = clinic_settings_validate ("security.kiosk-idle-minutes", "31", &error);
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_INVALID);
  g_assert_cmpstr (error->message, ==, "The idle time before the kiosk starts over must be between 1 and 30 minutes.");
}

static void
test_validate_bool (void)
{
  static const char *const yes[] = { "true", "TRUE", " yes ", "On", "1" };
  static const char *const no[] = { "false", "No", "off", "0" };

  for (gsize i = 0; i < G_N_ELEMENTS (yes); i++)
    assert_valid ("security.lock-with-desktop", yes[i], "true");
  for (gsize i = 0; i < G_N_ELEMENTS (no); i++)
    assert_valid ("security.lock-with-desktop", no[i], "false");

  assert_invalid ("security.lock-with-desktop", "maybe");
  assert_invalid ("security.lock-with-desktop", "");
  assert_invalid ("security.lock-with-desktop", "2");
}

static void
test_validate_choice (void)
{
  assert_valid ("documents.paper", "a4", "a4");
  assert_valid ("documents.paper", "A4", "a4");
  assert_valid ("documents.paper", " Letter ", "letter");
  assert_invalid ("documents.paper", "a5");
  assert_invalid ("documents.paper", "");
  assert_invalid ("documents.paper", "a4 letter");
}

static void
test_validate_timezone (void)
{
  assert_valid ("clinic.timezone", "Europe/Berlin", "Europe/Berlin");
  assert_valid ("clinic.timezone", " America/New_York ", "America/New_York");
  assert_valid ("clinic.timezone", "America/Port-au-Prince", "America/Port-au-Prince");
  assert_valid ("clinic.timezone", "UTC", "UTC");
  assert_invalid ("clinic.timezone", "Mars/Olympus");
  assert_invalid ("clinic.timezone", "europe/berlin");
  assert_invalid ("clinic.timezone", "Europe");
  assert_invalid ("clinic.timezone", "");
  assert_invalid ("clinic.timezone", "Europe/Berlin ; DROP");
  /* GLib takes these; they are no place's name. */
  assert_invalid ("clinic.timezone", "/usr/share/zoneinfo/Europe/Berlin");
  assert_invalid ("clinic.timezone", "CET-1CEST,M3.5.0,M10.5.0/3");
  assert_invalid ("clinic.timezone", "../../etc/passwd");
}

static void
test_validate_currency (void)
{
  assert_valid ("clinic.currency", "EUR", "EUR");
  assert_valid ("clinic.currency", "eur", "EUR");
  assert_valid ("clinic.currency", " chf ", "CHF");
  assert_valid ("clinic.currency", "usd", "USD");
  assert_valid ("clinic.currency", "AED", "AED");
  assert_valid ("clinic.currency", "ZWG", "ZWG");
  assert_invalid ("clinic.currency", "XYZ");
  assert_invalid ("clinic.currency", "EURO");
  assert_invalid ("clinic.currency", "EU");
  assert_invalid ("clinic.currency", "");
  assert_invalid ("clinic.currency", "€");
  /* Funds, metals and test codes are not money a clinic bills in. */
  assert_invalid ("clinic.currency", "XAU");
  assert_invalid ("clinic.currency", "XTS");
}

static void
test_validate_unknown_key (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *normal = clinic_settings_validate ("clinic.colour", "blue", &error);

  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_NOT_FOUND);
  g_assert_cmpstr (error->message, ==, "There is no setting called “clinic.colour”.");
  g_assert_null (normal);
}

/* --- Changing ---------------------------------------------------------- */

static void
test_set_and_get (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;
  g_autofree char *paper = NULL;
  g_autofree char *currency = NULL;
  g_autofree char *by = NULL;

  g_assert_true (clinic_settings_set (f->settings, f->session, IDLE_KEY, " 10 ", &error));
  g_assert_no_error (error);
  g_assert_cmpint (clinic_settings_get_int (f->settings, IDLE_KEY), ==, 10);
  g_assert_false (clinic_settings_is_default (f->settings, IDLE_KEY));

  /* The row says who and when. */
  g_assert_cmpint (clinic_test_query_int (f->db, "SELECT changed_by FROM settings WHERE key = '" IDLE_KEY "'"),
                   ==, clinic_session_get_user_id (f->session));
  g_assert_cmpint (clinic_test_query_int (f->db, "SELECT changed_at FROM settings WHERE key = '" IDLE_KEY "'"),
                   >, g_get_real_time () / G_USEC_PER_SEC - 60);
  by = query_text (f->db, "SELECT value FROM settings WHERE key = '" IDLE_KEY "'");
  g_assert_cmpstr (by, ==, "10");

  g_assert_true (clinic_settings_set (f->settings, f->session, "clinic.name", "Praxis am Lindenhof", &error));
  g_assert_no_error (error);
  name = clinic_settings_get (f->settings, "clinic.name");
  g_assert_cmpstr (name, ==, "Praxis am Lindenhof");

  g_assert_true (clinic_settings_set (f->settings, f->session, "security.lock-with-desktop", "off", &error));
  g_assert_no_error (error);
  g_assert_false (clinic_settings_get_boolean (f->settings, "security.lock-with-desktop"));

  g_assert_true (clinic_settings_set (f->settings, f->session, "documents.paper", "Letter", &error));
  g_assert_no_error (error);
  paper = clinic_settings_get (f->settings, "documents.paper");
  g_assert_cmpstr (paper, ==, "letter");

  g_assert_true (clinic_settings_set (f->settings, f->session, "clinic.currency", "chf", &error));
  g_assert_no_error (error);
  currency = clinic_settings_get (f->settings, "clinic.currency");
  g_assert_cmpstr (currency, ==, "CHF");

  /* What was written is what a fresh connection reads. */
  g_clear_object (&f->session);
  g_clear_object (&f->db);
  g_assert_null (f->settings);
  f->db = clinic_db_open (f->path, &admin, &error);
  g_assert_no_error (error);
  f->settings = clinic_settings_get_for_db (f->db);
  g_object_add_weak_pointer (G_OBJECT (f->settings), (gpointer *) &f->settings);
  g_assert_cmpint (clinic_settings_get_int (f->settings, IDLE_KEY), ==, 10);
  g_assert_false (clinic_settings_get_boolean (f->settings, "security.lock-with-desktop"));
  g_clear_pointer (&currency, g_free);
  currency = clinic_settings_get (f->settings, "clinic.currency");
  g_assert_cmpstr (currency, ==, "CHF");
}

static void
test_set_unchanged (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  Recorder r = { .db = f->db };
  gint64 audit_rows = clinic_test_query_int (f->db, "SELECT count(*) FROM audit_log");

  g_signal_connect (f->settings, "changed", G_CALLBACK (on_changed), &r);

  /* The default, set while the default holds: nothing is written. */
  g_assert_true (clinic_settings_set (f->settings, f->session, IDLE_KEY, "5", &error));
  g_assert_no_error (error);
  g_assert_cmpint (count_rows (f->db, IDLE_KEY), ==, 0);
  g_assert_true (clinic_settings_is_default (f->settings, IDLE_KEY));

  /* The name it has, written differently. */
  g_assert_true (clinic_settings_set (f->settings, f->session, "clinic.name", " Lindenhof Practice ", &error));
  g_assert_no_error (error);

  g_assert_true (clinic_settings_set (f->settings, f->session, IDLE_KEY, "10", &error));
  g_assert_no_error (error);
  g_assert_cmpuint (r.count, ==, 1);
  g_assert_true (clinic_settings_set (f->settings, f->session, IDLE_KEY, "010", &error));
  g_assert_no_error (error);

  /* Resetting what is already the default changes nothing either. */
  g_assert_true (clinic_settings_reset (f->settings, f->session, "documents.paper", &error));
  g_assert_no_error (error);

  g_assert_cmpuint (r.count, ==, 1);
  g_assert_cmpint (count_audit (f->db, IDLE_KEY), ==, 1);
  g_assert_cmpint (count_audit (f->db, "clinic.name"), ==, 0);
  g_assert_cmpint (count_audit (f->db, "documents.paper"), ==, 0);
  g_assert_cmpint (clinic_test_query_int (f->db, "SELECT count(*) FROM audit_log"), ==, audit_rows + 1);

  g_signal_handlers_disconnect_by_data (f->settings, &r);
  recorder_clear (&r);
}

static void
test_changed_signal (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  Recorder idle = { .db = f->db };
  Recorder name = { .db = f->db };
  Recorder any = { .db = f->db };

  g_signal_connect (f->settings, "changed::" IDLE_KEY, G_CALLBACK (on_changed), &idle);
  g_signal_connect (f->settings, "changed::clinic.name", G_CALLBACK (on_changed), &name);
  g_signal_connect (f->settings, "changed", G_CALLBACK (on_changed), &any);

  g_assert_true (clinic_settings_set (f->settings, f->session, IDLE_KEY, "15", &error));
  g_assert_no_error (error);

  /* Once, for this key only, after the commit: the new value and its
   * audit entry are there to read, and no transaction is open. */
  g_assert_cmpuint (idle.count, ==, 1);
  g_assert_cmpstr (idle.key, ==, IDLE_KEY);
  g_assert_cmpstr (idle.value_seen, ==, "15");
  g_assert_true (idle.outside_transaction);
  g_assert_cmpint (idle.audit_entries_seen, ==, 1);
  g_assert_cmpuint (name.count, ==, 0);
  g_assert_cmpuint (any.count, ==, 1);
  g_assert_cmpstr (any.key, ==, IDLE_KEY);

  g_assert_true (clinic_settings_reset (f->settings, f->session, IDLE_KEY, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (idle.count, ==, 2);
  g_assert_cmpstr (idle.value_seen, ==, "5");
  g_assert_true (idle.outside_transaction);
  g_assert_cmpuint (name.count, ==, 0);

  g_signal_handlers_disconnect_by_data (f->settings, &idle);
  g_signal_handlers_disconnect_by_data (f->settings, &name);
  g_signal_handlers_disconnect_by_data (f->settings, &any);
  recorder_clear (&idle);
  recorder_clear (&name);
  recorder_clear (&any);
}

static void
test_reset (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *paper = NULL;

  g_assert_true (clinic_settings_set (f->settings, f->session, "documents.paper", "letter", &error));
  g_assert_no_error (error);
  g_assert_cmpint (count_rows (f->db, "documents.paper"), ==, 1);

  g_assert_true (clinic_settings_reset (f->settings, f->session, "documents.paper", &error));
  g_assert_no_error (error);
  paper = clinic_settings_get (f->settings, "documents.paper");
  g_assert_cmpstr (paper, ==, "a4");
  g_assert_true (clinic_settings_is_default (f->settings, "documents.paper"));
  g_assert_cmpint (count_rows (f->db, "documents.paper"), ==, 0);

  g_assert_cmpint (count_audit (f->db, "documents.paper"), ==, 2);
  assert_last_audit (f->db, "documents.paper", "admin", "letter", "a4");

  g_assert_false (clinic_settings_reset (f->settings, f->session, "clinic.colour", &error));
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_NOT_FOUND);
}

static void
test_invalid_set_changes_nothing (Fixture       *f,
                                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  Recorder r = { .db = f->db };
  gint64 audit_rows;

  g_assert_true (clinic_settings_set (f->settings, f->session, IDLE_KEY, "20", &error));
  g_assert_no_error (error);
  audit_rows = clinic_test_query_int (f->db, "SELECT count(*) FROM audit_log");
  g_signal_connect (f->settings, "changed", G_CALLBACK (on_changed), &r);

  g_assert_false (clinic_settings_set (f->settings, f->session, IDLE_KEY, "500", &error));
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_INVALID);
  g_assert_cmpstr (error->message, ==, "The idle time before locking must be between 1 and 120 minutes.");
  g_clear_error (&error);

  g_assert_false (clinic_settings_set (f->settings, f->session, "clinic.name", "", &error));
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_INVALID);
  g_clear_error (&error);

  g_assert_false (clinic_settings_set (f->settings, f->session, "clinic.colour", "blue", &error));
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_NOT_FOUND);
  g_clear_error (&error);

  g_assert_cmpint (clinic_settings_get_int (f->settings, IDLE_KEY), ==, 20);
  g_assert_cmpint (clinic_test_query_int (f->db, "SELECT value FROM settings WHERE key = '" IDLE_KEY "'"), ==, 20);
  g_assert_cmpint (clinic_test_query_int (f->db, "SELECT count(*) FROM audit_log"), ==, audit_rows);
  g_assert_cmpint (count_rows (f->db, "clinic.colour"), ==, 0);
  g_assert_cmpuint (r.count, ==, 0);
  /* No transaction was left open. */
  g_assert_true (sqlite3_get_autocommit (clinic_db_get_handle (f->db)));

  g_signal_handlers_disconnect_by_data (f->settings, &r);
  recorder_clear (&r);
}

static void
test_permission (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(ClinicSession) clerk = sign_in_clerk (f->db);
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;
  Recorder r = { .db = f->db };

  g_signal_connect (f->settings, "changed", G_CALLBACK (on_changed), &r);

  g_assert_false (clinic_settings_set (f->settings, clerk, IDLE_KEY, "60", &error));
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_PERMISSION_DENIED);
  g_clear_error (&error);

  g_assert_false (clinic_settings_set (f->settings, clerk, "clinic.name", "Clerk’s Clinic", &error));
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_PERMISSION_DENIED);
  g_clear_error (&error);

  /* Refused before anything about the value is said. */
  g_assert_false (clinic_settings_set (f->settings, clerk, IDLE_KEY, "500", &error));
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_PERMISSION_DENIED);
  g_clear_error (&error);

  g_assert_false (clinic_settings_reset (f->settings, clerk, "clinic.name", &error));
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_PERMISSION_DENIED);
  g_clear_error (&error);

  g_assert_cmpint (count_rows (f->db, IDLE_KEY), ==, 0);
  g_assert_cmpint (clinic_settings_get_int (f->settings, IDLE_KEY), ==, 5);
  name = clinic_settings_get (f->settings, "clinic.name");
  g_assert_cmpstr (name, ==, "Lindenhof Practice");
  g_assert_cmpint (clinic_test_query_int (f->db, "SELECT count(*) FROM audit_log WHERE action = 'settings.changed'"), ==, 0);
  g_assert_cmpuint (r.count, ==, 0);

  /* Reading needs no permission. */
  g_assert_true (clinic_settings_get_boolean (f->settings, "security.lock-with-desktop"));

  g_signal_handlers_disconnect_by_data (f->settings, &r);
  recorder_clear (&r);
}

static void
test_audit (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (clinic_settings_set (f->settings, f->session, IDLE_KEY, "30", &error));
  g_assert_no_error (error);
  assert_last_audit (f->db, IDLE_KEY, "admin", "5", "30");

  g_assert_true (clinic_settings_set (f->settings, f->session, IDLE_KEY, "45", &error));
  g_assert_no_error (error);
  assert_last_audit (f->db, IDLE_KEY, "admin", "30", "45");

  g_assert_true (clinic_settings_set (f->settings, f->session, "clinic.name", "Praxis am Lindenhof", &error));
  g_assert_no_error (error);
  assert_last_audit (f->db, "clinic.name", "admin", "Lindenhof Practice", "Praxis am Lindenhof");

  g_assert_true (clinic_settings_reset (f->settings, f->session, IDLE_KEY, &error));
  g_assert_no_error (error);
  assert_last_audit (f->db, IDLE_KEY, "admin", "45", "5");
  g_assert_cmpint (count_audit (f->db, IDLE_KEY), ==, 3);

  /* The entries are part of the chain like any other. */
  g_assert_true (clinic_audit_verify (f->session, NULL, NULL, &error));
  g_assert_no_error (error);

  /* And the audit view lists them, newest first. */
  {
    ClinicAuditFilter filter = { .action = "settings.changed" };
    g_autoptr(GPtrArray) entries = clinic_audit_list (f->session, &filter, 0, 10, &error);
    ClinicAuditEntry *newest;

    g_assert_no_error (error);
    g_assert_cmpuint (entries->len, ==, 4);
    newest = g_ptr_array_index (entries, 0);
    g_assert_cmpstr (newest->object_id, ==, IDLE_KEY);
    g_assert_cmpstr (newest->old_value, ==, "45");
    g_assert_cmpstr (newest->new_value, ==, "5");
    g_assert_cmpint (newest->user_id, ==, clinic_session_get_user_id (f->session));
  }
}

static void
test_other_connection (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClinicDb) db2 = NULL;
  g_autoptr(ClinicSession) session2 = NULL;
  g_autofree char *name = NULL;
  ClinicSettings *settings2;
  Recorder r = { .db = f->db };

  /* The window has read its settings... */
  g_assert_cmpint (clinic_settings_get_int (f->settings, IDLE_KEY), ==, 5);
  g_signal_connect (f->settings, "changed", G_CALLBACK (on_changed), &r);

  /* ...when clinicctl, with a connection of its own, changes one. */
  db2 = clinic_db_open (f->path, &admin, &error);
  g_assert_no_error (error);
  session2 = clinic_session_start (db2, &error);
  g_assert_no_error (error);
  settings2 = clinic_settings_get_for_db (db2);
  g_assert_true (settings2 != f->settings);
  g_assert_true (clinic_settings_set (settings2, session2, IDLE_KEY, "30", &error));
  g_assert_no_error (error);

  g_assert_cmpint (clinic_settings_get_int (f->settings, IDLE_KEY), ==, 30);
  g_assert_cmpuint (r.count, ==, 1);
  g_assert_cmpstr (r.key, ==, IDLE_KEY);
  g_assert_cmpstr (r.value_seen, ==, "30");

  /* clinic_settings_refresh() notices it without a read. */
  g_assert_true (clinic_settings_set (settings2, session2, "clinic.name", "Praxis am Lindenhof", &error));
  g_assert_no_error (error);
  clinic_settings_refresh (f->settings);
  g_assert_cmpuint (r.count, ==, 2);
  g_assert_cmpstr (r.key, ==, "clinic.name");
  name = clinic_settings_get (f->settings, "clinic.name");
  g_assert_cmpstr (name, ==, "Praxis am Lindenhof");
  clinic_settings_refresh (f->settings);
  g_assert_cmpuint (r.count, ==, 2);

  /* A reset there is seen here too. */
  g_assert_true (clinic_settings_reset (settings2, session2, IDLE_KEY, &error));
  g_assert_no_error (error);
  g_assert_cmpint (clinic_settings_get_int (f->settings, IDLE_KEY), ==, 5);
  g_assert_true (clinic_settings_is_default (f->settings, IDLE_KEY));
  g_assert_cmpuint (r.count, ==, 3);

  /* The pair rule here sees the other program's wait. */
  g_assert_true (clinic_settings_set (settings2, session2, "security.lockout-max-wait-minutes", "120", &error));
  g_assert_no_error (error);
  g_assert_true (clinic_settings_set (settings2, session2, "security.lockout-wait-minutes", "90", &error));
  g_assert_no_error (error);
  g_assert_false (clinic_settings_set (f->settings, f->session, "security.lockout-max-wait-minutes", "80", &error));
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_INVALID);
  g_clear_error (&error);

  g_signal_handlers_disconnect_by_data (f->settings, &r);
  recorder_clear (&r);
  g_clear_object (&session2);
}

static void
test_hand_edited_value (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClinicDb) db2 = NULL;
  g_autofree char *paper = NULL;

  /* The warnings are the point here; with structured logging GLib 2.74
   * cannot expect them in-process, so the test runs in a child whose
   * standard error is read afterwards. */
  if (!g_test_subprocess ())
    {
      g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
      g_test_trap_assert_passed ();
      g_test_trap_assert_stderr ("*" IDLE_KEY "*lots*");
      g_test_trap_assert_stderr ("*security.lock-with-desktop*sometimes*");
      return;
    }
  g_log_set_always_fatal (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL);

  g_assert_cmpint (clinic_settings_get_int (f->settings, IDLE_KEY), ==, 5);

  /* Someone edits rows by hand, past the settings object. */
  db2 = clinic_db_open (f->path, &admin, &error);
  g_assert_no_error (error);
  clinic_test_exec (db2, "INSERT INTO settings (key, value, changed_at) VALUES"
                         " ('" IDLE_KEY "', 'lots', 0), ('security.lock-with-desktop', 'sometimes', 0),"
                         " ('documents.paper', 'A4', 0), ('some.future-setting', 'x', 0)");

  /* Each bad row reads as the default, warned about once. */
  g_assert_cmpint (clinic_settings_get_int (f->settings, IDLE_KEY), ==, 5);
  g_assert_true (clinic_settings_get_boolean (f->settings, "security.lock-with-desktop"));
  g_assert_cmpint (clinic_settings_get_int (f->settings, IDLE_KEY), ==, 5);

  /* A value that only needs normalising is taken. */
  paper = clinic_settings_get (f->settings, "documents.paper");
  g_assert_cmpstr (paper, ==, "a4");

  /* Setting the default over a bad row replaces the row, audited. */
  g_assert_true (clinic_settings_set (f->settings, f->session, IDLE_KEY, "5", &error));
  g_assert_no_error (error);
  g_assert_cmpint (clinic_test_query_int (f->db, "SELECT value FROM settings WHERE key = '" IDLE_KEY "'"), ==, 5);
  assert_last_audit (f->db, IDLE_KEY, "admin", "lots", "5");

  /* Resetting one removes it. */
  g_assert_true (clinic_settings_reset (f->settings, f->session, "security.lock-with-desktop", &error));
  g_assert_no_error (error);
  g_assert_cmpint (count_rows (f->db, "security.lock-with-desktop"), ==, 0);
  assert_last_audit (f->db, "security.lock-with-desktop", "admin", "sometimes", "true");
}

static void
test_lockout_pair (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  /* The longest wait (60) may not fall below the first wait (15). */
  g_assert_false (clinic_settings_set (f->settings, f->session, "security.lockout-max-wait-minutes", "10", &error));
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_true (clinic_settings_is_default (f->settings, "security.lockout-max-wait-minutes"));

  g_assert_false (clinic_settings_set (f->settings, f->session, "security.lockout-wait-minutes", "61", &error));
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_INVALID);
  g_clear_error (&error);

  /* Equal is fine. */
  g_assert_true (clinic_settings_set (f->settings, f->session, "security.lockout-wait-minutes", "60", &error));
  g_assert_no_error (error);
  g_assert_true (clinic_settings_set (f->settings, f->session, "security.lockout-max-wait-minutes", "120", &error));
  g_assert_no_error (error);
  g_assert_true (clinic_settings_set (f->settings, f->session, "security.lockout-wait-minutes", "120", &error));
  g_assert_no_error (error);
  g_assert_false (clinic_settings_set (f->settings, f->session, "security.lockout-max-wait-minutes", "119", &error));
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_INVALID);
  g_clear_error (&error);

  /* Resetting the longest wait to 60 would put it under the wait of 120. */
  g_assert_false (clinic_settings_reset (f->settings, f->session, "security.lockout-max-wait-minutes", &error));
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_cmpint (clinic_settings_get_int (f->settings, "security.lockout-max-wait-minutes"), ==, 120);

  /* In the other order it works. */
  g_assert_true (clinic_settings_reset (f->settings, f->session, "security.lockout-wait-minutes", &error));
  g_assert_no_error (error);
  g_assert_true (clinic_settings_reset (f->settings, f->session, "security.lockout-max-wait-minutes", &error));
  g_assert_no_error (error);
  g_assert_cmpint (clinic_settings_get_int (f->settings, "security.lockout-wait-minutes"), ==, 15);
  g_assert_cmpint (clinic_settings_get_int (f->settings, "security.lockout-max-wait-minutes"), ==, 60);
}

static void
test_set_initial (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *currency = NULL;
  g_autofree char *phone = NULL;
  gint64 audit_rows = clinic_test_query_int (f->db, "SELECT count(*) FROM audit_log");
  Recorder r = { .db = f->db };

  /* Read once, so the copy exists before the rows change under it. */
  currency = clinic_settings_get (f->settings, "clinic.currency");
  g_assert_cmpstr (currency, ==, "EUR");
  g_signal_connect (f->settings, "changed", G_CALLBACK (on_changed), &r);

  g_assert_true (clinic_db_begin_write (f->db, &error));
  g_assert_no_error (error);
  g_assert_true (clinic_settings_set_initial (f->db, "clinic.currency", "chf", &error));
  g_assert_no_error (error);
  g_assert_true (clinic_settings_set_initial (f->db, "clinic.phone", "+41 44 123 45 67", &error));
  g_assert_no_error (error);
  g_assert_false (clinic_settings_set_initial (f->db, "clinic.currency", "XYZ", &error));
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (clinic_settings_set_initial (f->db, "clinic.colour", "blue", &error));
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_true (clinic_db_commit (f->db, &error));
  g_assert_no_error (error);

  g_clear_pointer (&currency, g_free);
  currency = clinic_settings_get (f->settings, "clinic.currency");
  g_assert_cmpstr (currency, ==, "CHF");
  phone = clinic_settings_get (f->settings, "clinic.phone");
  g_assert_cmpstr (phone, ==, "+41 44 123 45 67");
  g_assert_cmpint (clinic_test_query_int (f->db, "SELECT changed_by IS NULL FROM settings WHERE key = 'clinic.currency'"), ==, 1);

  /* Set-up is not audited or announced: nobody is signed in yet. */
  g_assert_cmpint (clinic_test_query_int (f->db, "SELECT count(*) FROM audit_log"), ==, audit_rows);
  g_assert_cmpuint (r.count, ==, 0);

  /* A rolled-back set-up leaves nothing. */
  g_assert_true (clinic_db_begin_write (f->db, &error));
  g_assert_true (clinic_settings_set_initial (f->db, "clinic.currency", "USD", &error));
  g_assert_no_error (error);
  clinic_db_rollback (f->db);
  g_clear_pointer (&currency, g_free);
  currency = clinic_settings_get (f->settings, "clinic.currency");
  g_assert_cmpstr (currency, ==, "CHF");

  g_signal_handlers_disconnect_by_data (f->settings, &r);
  recorder_clear (&r);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_assert_true (sodium_init () >= 0);
  clinic_keys_allow_test_limits (TRUE);

#define ADD(name, func) \
  g_test_add ("/settings/" name, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  g_test_add_func ("/settings/specs", test_specs);
  g_test_add_func ("/settings/validate/strings", test_validate_strings);
  g_test_add_func ("/settings/validate/int", test_validate_int);
  g_test_add_func ("/settings/validate/bool", test_validate_bool);
  g_test_add_func ("/settings/validate/choice", test_validate_choice);
  g_test_add_func ("/settings/validate/timezone", test_validate_timezone);
  g_test_add_func ("/settings/validate/currency", test_validate_currency);
  g_test_add_func ("/settings/validate/unknown-key", test_validate_unknown_key);
  ADD ("defaults", test_defaults);
  ADD ("set-and-get", test_set_and_get);
  ADD ("set-unchanged", test_set_unchanged);
  ADD ("changed-signal", test_changed_signal);
  ADD ("reset", test_reset);
  ADD ("invalid-set-changes-nothing", test_invalid_set_changes_nothing);
  ADD ("permission", test_permission);
  ADD ("audit", test_audit);
  ADD ("other-connection", test_other_connection);
  ADD ("hand-edited-value", test_hand_edited_value);
  ADD ("lockout-pair", test_lockout_pair);
  ADD ("set-initial", test_set_initial);

  return g_test_run ();
}
