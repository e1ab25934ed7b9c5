/* test-patient-merge.c — merging a duplicate patient record into another
 *
 * The central test does not know the schema: it lists every foreign key
 * that points at patients (PRAGMA foreign_key_list over all tables), puts
 * a row on the record to be merged away in each of those tables, merges,
 * and finds no row left on that record anywhere. A table a later issue
 * adds is covered by itself; if a row cannot be made for it generically
 * (a CHECK, another foreign key), the test says which table needs a
 * filler here.
 */

#include "config.h"

#include <locale.h>
#include <string.h>
#include <sodium.h>

#include "clinic-appointments.h"
#include "clinic-audit.h"
#include "clinic-db.h"
#include "clinic-documents.h"
#include "clinic-error.h"
#include "clinic-keys.h"
#include "clinic-patient-merge.h"
#include "clinic-patients.h"
#include "clinic-schedule.h"
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
  gint64         keep;
  gint64         merge;
} Fixture;

static const ClinicCredentials admin_creds = { "admin", PASSWORD, NULL, &CLINIC_KDF_LIMITS_TEST };

/* Tables only this test has: an ordinary child table, one that may hold a
 * row once per patient, and one with two columns pointing at patients. */
static const char test_schema[] =
  "CREATE TABLE test_visits (id INTEGER PRIMARY KEY, patient_id INTEGER NOT NULL"
  "  REFERENCES patients (id), note TEXT NOT NULL) STRICT;"
  "CREATE TABLE test_chart_summary (patient_id INTEGER PRIMARY KEY REFERENCES patients (id),"
  "  summary TEXT NOT NULL) STRICT;"
  "CREATE TABLE test_referrals (id INTEGER PRIMARY KEY, patient_id INTEGER NOT NULL"
  "  REFERENCES patients (id), referred_by INTEGER REFERENCES patients (id),"
  "  kind TEXT NOT NULL CHECK (kind IN ('in', 'out'))) STRICT;";

static gint64
add (Fixture       *f,
     ClinicPatient *p)
{
  g_autoptr(GError) error = NULL;
  gint64 id = clinic_patients_create (f->admin, p, TRUE, &error);

  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);
  clinic_patient_free (p);
  return id;
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *recovery = NULL;
  ClinicPatient *keep, *merge;
  ClinicDb *created;

  f->dir = g_dir_make_tmp ("clinic-merge-XXXXXX", &error);
  g_assert_no_error (error);
  f->path = g_build_filename (f->dir, "clinic.db", NULL);
  created = clinic_db_create (f->path, "Lindenhof Practice", &admin_creds, &recovery, &error);
  g_assert_no_error (error);
  g_object_unref (created);
  f->db = clinic_db_open (f->path, &admin_creds, &error);
  g_assert_no_error (error);
  f->admin = clinic_session_start (f->db, &error);
  g_assert_no_error (error);
  clinic_test_exec (f->db, test_schema);

  /* One person registered twice: the first time without a phone, the
   * second time without the address. */
  keep = clinic_test_patient_new ("Brandt", "Lena", "1988-04-12", "");
  g_free (keep->address);
  keep->address = g_strdup ("Lindenstraße 4, Berlin");
  g_free (keep->treatment);
  keep->treatment = g_strdup ("Physiotherapy twice a week");
  f->keep = add (f, keep);
  merge = clinic_test_patient_new ("Brandt", "Lena", "1988-04-12", "030 555 0177");
  g_free (merge->email);
  merge->email = g_strdup ("lena@example.org");
  g_free (merge->address);
  merge->address = g_strdup ("Old address 1");
  f->merge = add (f, merge);
  add (f, clinic_test_patient_new ("Other", "Otto", "1950-01-01", "040 123 4567"));
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

/* --- The schema, read as the test's own code ---------------------------- */

typedef struct
{
  char *table;
  char *column;
} Link;

static void
link_clear (gpointer data)
{
  Link *link = data;

  g_free (link->table);
  g_free (link->column);
}

/* Every (table, column) with a foreign key to patients. */
static GArray *
list_links (ClinicDb *db)
{
  GArray *links = g_array_new (FALSE, FALSE, sizeof (Link));
  sqlite3_stmt *stmt;

  g_array_set_clear_func (links, link_clear);
  g_assert_cmpint (sqlite3_prepare_v2 (clinic_db_get_handle (db),
                                       "SELECT m.name, f.\"from\" FROM sqlite_schema m,"
                                       " pragma_foreign_key_list (m.name) f WHERE m.type = 'table'"
                                       " AND f.\"table\" = 'patients' COLLATE NOCASE ORDER BY 1, 2",
                                       -1, &stmt, NULL), ==, SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      Link link = { g_strdup ((const char *) sqlite3_column_text (stmt, 0)),
                    g_strdup ((const char *) sqlite3_column_text (stmt, 1)) };
      g_array_append_val (links, link);
    }
  sqlite3_finalize (stmt);
  return links;
}

static gint64
count_on (ClinicDb    *db,
          const char  *table,
          const char  *column,
          gint64       id)
{
  g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM \"%s\" WHERE \"%s\" = %" G_GINT64_FORMAT,
                                          table, column, id);

  return clinic_test_query_int (db, sql);
}

/* A value for a NOT NULL column without a default, from its declared
 * type; text columns named for a day get an ISO date, which the schema's
 * CHECKs ask of them. */
static const char *
sample_value (const char *type,
              const char *name)
{
  g_autofree char *upper = g_ascii_strup (type ? type : "", -1);

  if (strstr (upper, "INT") != NULL)
    return "1";
  if (strstr (upper, "REAL") != NULL || strstr (upper, "FLOA") != NULL)
    return "1.0";
  if (strstr (upper, "BLOB") != NULL)
    return "x'00'";
  if (strstr (name, "date") != NULL || g_str_has_suffix (name, "_on") || g_str_has_suffix (name, "_from")
      || g_str_has_suffix (name, "_until") || g_str_equal (name, "onset"))
    return "'2026-01-01'";
  return "'x'";
}

/* Puts a row on @patient_id in @table.@column without knowing the table:
 * every other column that must have a value gets one by its type, a
 * column pointing at another table gets that table's first row. */
static gboolean
insert_generic (ClinicDb    *db,
                const char  *table,
                const char  *column,
                gint64       patient_id,
                char       **message)
{
  g_autoptr(GString) names = g_string_new (NULL);
  g_autoptr(GString) values = g_string_new (NULL);
  g_autofree char *sql = g_strdup_printf ("SELECT c.name, c.type, c.\"notnull\", c.dflt_value, c.pk,"
                                          " f.\"table\", f.\"to\" FROM pragma_table_info ('%s') c"
                                          " LEFT JOIN pragma_foreign_key_list ('%s') f ON f.\"from\" = c.name",
                                          table, table);
  g_autofree char *insert = NULL;
  sqlite3 *handle = clinic_db_get_handle (db);
  sqlite3_stmt *stmt;
  gboolean ok;

  g_assert_cmpint (sqlite3_prepare_v2 (handle, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      const char *name = (const char *) sqlite3_column_text (stmt, 0);
      const char *type = (const char *) sqlite3_column_text (stmt, 1);
      gboolean notnull = sqlite3_column_int (stmt, 2);
      gboolean has_default = sqlite3_column_type (stmt, 3) != SQLITE_NULL;
      gboolean pk = sqlite3_column_int (stmt, 4) > 0;
      const char *parent = (const char *) sqlite3_column_text (stmt, 5);
      g_autofree char *value = NULL;

      if (g_strcmp0 (name, column) == 0)
        value = g_strdup_printf ("%" G_GINT64_FORMAT, patient_id);
      else if (parent != NULL)
        value = g_strdup_printf ("(SELECT min(rowid) FROM \"%s\")", parent);
      else if (notnull && !has_default && !pk)
        value = g_strdup (sample_value (type, name));
      else
        continue;
      g_string_append_printf (names, "%s\"%s\"", names->len ? ", " : "", name);
      g_string_append_printf (values, "%s%s", values->len ? ", " : "", value);
    }
  sqlite3_finalize (stmt);

  insert = g_strdup_printf ("INSERT INTO \"%s\" (%s) VALUES (%s)", table, names->str, values->str);
  ok = sqlite3_exec (handle, insert, NULL, NULL, message) == SQLITE_OK;
  return ok;
}

/* A row on @patient_id in @table.@column: the tables whose rows need more
 * than the generic filler are named here. */
static void
fill_link (Fixture    *f,
           const char *table,
           const char *column,
           gint64      patient_id)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;

  if (g_str_equal (table, "patients") && g_str_equal (column, "merged_into"))
    {
      /* A record merged into this one earlier: the pointer follows the
       * second merge instead of forming a chain. */
      gint64 earlier = add (f, clinic_test_patient_new ("Brand", "Lena", "1988-04-12", ""));

      g_assert_true (clinic_patients_merge (f->admin, patient_id, earlier, &error));
      g_assert_no_error (error);
      return;
    }
  if (g_str_equal (table, "test_referrals"))
    {
      /* Its CHECK wants a kind the generic filler cannot guess. */
      gboolean referrer = g_str_equal (column, "referred_by");
      g_autofree char *sql = g_strdup_printf ("INSERT INTO test_referrals (patient_id, referred_by, kind)"
                                              " VALUES (%" G_GINT64_FORMAT ", %" G_GINT64_FORMAT ", 'out')",
                                              referrer ? f->keep : patient_id, referrer ? patient_id : f->keep);
      clinic_test_exec (f->db, sql);
      return;
    }
  if (g_str_equal (table, "patient_documents") || g_str_equal (table, "patient_photos"))
    {
      /* Their rows point at encrypted files: made through the core. */
      static const char pdf[] = "%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n";
      static const guint8 png[] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R' };

      if (g_str_equal (table, "patient_documents"))
        {
          g_autoptr(GBytes) bytes = g_bytes_new_static (pdf, sizeof pdf - 1);

          g_assert_cmpint (clinic_documents_add (f->admin, patient_id, "Letter", "application/pdf", bytes,
                                                 &error), >, 0);
        }
      else
        {
          g_autoptr(GBytes) bytes = g_bytes_new_static (png, sizeof png);

          g_assert_true (clinic_patients_set_photo (f->admin, patient_id, bytes, &error));
        }
      g_assert_no_error (error);
      return;
    }
  if (g_str_equal (table, "appointments") || g_str_equal (table, "waitlist"))
    {
      /* They need a doctor and a visit type; an appointment's times are
       * checked, so it is made through the core (a past one, imported). */
      g_autoptr(ClinicVisitType) type = clinic_visit_types_lookup (f->admin, "Check-up", NULL);
      gint64 doctor = clinic_session_get_user_id (f->admin);

      g_assert_true (clinic_providers_set (f->admin, doctor, TRUE, &error));
      if (type == NULL)
        {
          type = clinic_visit_type_new ();
          g_free (type->name);
          type->name = g_strdup ("Check-up");
          type->id = clinic_visit_types_save (f->admin, type, &error);
        }
      g_assert_no_error (error);
      if (g_str_equal (table, "appointments"))
        {
          g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func ((GDestroyNotify) clinic_appointment_free);
          ClinicAppointment *a = g_new0 (ClinicAppointment, 1);

          a->patient_id = patient_id;
          a->provider_id = doctor;
          a->visit_type_id = type->id;
          a->starts_at = 1500000000 + patient_id * 3600;
          a->status = CLINIC_APPOINTMENT_COMPLETED;
          g_ptr_array_add (list, a);
          g_assert_cmpint (clinic_appointments_import (f->admin, list, NULL, NULL, &error), ==, 1);
          g_assert_no_error (error);
          return;
        }
    }
  if (!insert_generic (f->db, table, column, patient_id, &message))
    g_error ("The table %s.%s refers to patients, and a row for it cannot be made generically (%s): "
             "give it a filler in fill_link() of tests/test-patient-merge.c",
             table, column, message);
}

/* --- Tests --------------------------------------------------------------- */

static void
test_every_foreign_key_moves (Fixture       *f,
                              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) links = list_links (f->db);
  g_autoptr(ClinicMergePreview) preview = NULL;
  g_autoptr(ClinicPatient) merged = NULL;
  g_autofree char *expected_audit = NULL;
  g_autofree gint64 *before_keep = NULL;
  gint64 account;
  guint seen = 0;

  /* The tables the schema has today are among them (and this test's own). */
  for (guint i = 0; i < links->len; i++)
    {
      Link *link = &g_array_index (links, Link, i);

      g_test_message ("refers to patients: %s.%s", link->table, link->column);
      seen += (g_str_equal (link->table, "patients") && g_str_equal (link->column, "merged_into"))
              + g_str_equal (link->table, "test_visits") + g_str_equal (link->table, "test_chart_summary")
              + g_str_equal (link->table, "test_referrals");
    }
  g_assert_cmpuint (seen, ==, 5);   /* test_referrals twice */

  /* A row on the record merged away in every one of them, and the patient
   * account (users.patient_id has no foreign key: it came first). */
  for (guint i = 0; i < links->len; i++)
    {
      Link *link = &g_array_index (links, Link, i);

      fill_link (f, link->table, link->column, f->merge);
      g_assert_cmpint (count_on (f->db, link->table, link->column, f->merge), >=, 1);
    }
  account = clinic_users_create (f->admin, "lena", "Lena Brandt", CLINIC_USER_PATIENT, 0, PASSWORD,
                                 &CLINIC_KDF_LIMITS_TEST, &error);
  g_assert_no_error (error);
  g_assert_true (clinic_patients_link_account (f->admin, f->merge, account, &error));
  g_assert_no_error (error);

  preview = clinic_patients_merge_preview (f->admin, f->keep, f->merge, &error);
  g_assert_no_error (error);
  g_assert_null (preview->blocker);
  g_assert_cmpint (preview->links->len, ==, links->len + 1);
  before_keep = g_new0 (gint64, preview->links->len);
  for (guint i = 0; i < preview->links->len; i++)
    {
      ClinicMergeLink *link = g_ptr_array_index (preview->links, i);

      g_assert_false (link->conflict);
      g_assert_cmpint (link->count, ==, count_on (f->db, link->table, link->column, f->merge));
      g_assert_cmpint (link->count, >=, 1);
      before_keep[i] = count_on (f->db, link->table, link->column, f->keep);
    }

  g_assert_true (clinic_patients_merge (f->admin, f->keep, f->merge, &error));
  g_assert_no_error (error);

  /* No row is left on the record merged away, in any table that points
   * at patients (listed again: the merge must not have added any), and
   * each preview count is what moved. */
  g_clear_pointer (&links, g_array_unref);
  links = list_links (f->db);
  for (guint i = 0; i < links->len; i++)
    {
      Link *link = &g_array_index (links, Link, i);

      g_assert_cmpint (count_on (f->db, link->table, link->column, f->merge), ==, 0);
    }
  g_assert_cmpint (count_on (f->db, "users", "patient_id", f->merge), ==, 0);
  for (guint i = 0; i < preview->links->len; i++)
    {
      ClinicMergeLink *link = g_ptr_array_index (preview->links, i);
      gint64 extra = g_str_equal (link->table, "patients") ? 1 : 0;   /* the merged record itself */

      g_assert_cmpint (count_on (f->db, link->table, link->column, f->keep), ==,
                       before_keep[i] + link->count + extra);
    }

  /* The record merged away stays, inactive, pointing at the survivor; it
   * can be opened (for the audit) and is no longer offered as a duplicate
   * of anything. */
  merged = clinic_patients_get (f->admin, f->merge, &error);
  g_assert_no_error (error);
  g_assert_cmpint (merged->status, ==, CLINIC_PATIENT_INACTIVE);
  g_assert_cmpstr (merged->merged_into, ==, "C000001");
  {
    g_autoptr(GPtrArray) dups = clinic_patients_find_duplicates (f->admin, merged, &error);

    g_assert_no_error (error);
    for (guint i = 0; i < dups->len; i++)
      g_assert_null (((ClinicPatient *) g_ptr_array_index (dups, i))->merged_into);
  }
  /* It stays inactive. */
  g_assert_false (clinic_patients_set_status (f->admin, f->merge, CLINIC_PATIENT_ACTIVE, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);

  /* The account now signs in to the survivor. */
  {
    g_autoptr(ClinicSession) lena = clinic_session_sign_in (f->db, "lena", PASSWORD, &error);

    g_assert_no_error (error);
    g_assert_cmpint (clinic_session_get_patient_id (lena), ==, f->keep);
  }

  /* One audit entry names both records and what moved. */
  expected_audit = g_strdup_printf ("merged=%" G_GINT64_FORMAT " kept=%" G_GINT64_FORMAT "; moved%%test_visits.patient_id=1%%",
                                    f->merge, f->keep);
  {
    g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM audit_log WHERE action = 'patients.merged'"
                                            " AND patient_id = %" G_GINT64_FORMAT " AND object_id = '%" G_GINT64_FORMAT "'"
                                            " AND new_value LIKE '%s' AND new_value LIKE '%%users.patient_id=1%%'",
                                            f->keep, f->merge, expected_audit);

    g_assert_cmpint (clinic_test_query_int (f->db, sql), ==, 1);
  }
  clinic_test_assert_whole (f->db);
  g_assert_cmpint (clinic_test_query_int (f->db, "SELECT count(*) FROM pragma_foreign_key_check"), ==, 0);
}

static void
test_fills_empty_fields (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClinicMergePreview) preview = NULL;
  g_autoptr(ClinicPatient) kept = NULL;
  g_autoptr(GPtrArray) found = NULL;
  g_autoptr(GPtrArray) all = NULL;
  ClinicPatientFilter filter;
  guint fills = 0;

  preview = clinic_patients_merge_preview (f->admin, f->keep, f->merge, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < preview->fields->len; i++)
    {
      ClinicMergeField *field = g_ptr_array_index (preview->fields, i);

      if (g_str_equal (field->field, "phone") || g_str_equal (field->field, "email"))
        {
          g_assert_true (field->fill);
          fills++;
        }
      else
        /* The address differs, but the survivor has one: never overwritten. */
        g_assert_false (field->fill);
    }
  g_assert_cmpuint (fills, ==, 2);

  g_assert_true (clinic_patients_merge (f->admin, f->keep, f->merge, &error));
  g_assert_no_error (error);
  kept = clinic_patients_get (f->admin, f->keep, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (kept->phone, ==, "030 555 0177");
  g_assert_cmpstr (kept->email, ==, "lena@example.org");
  g_assert_cmpstr (kept->address, ==, "Lindenstraße 4, Berlin");
  g_assert_cmpstr (kept->treatment, ==, "Physiotherapy twice a week");
  g_assert_null (kept->merged_into);

  /* The search index follows: the phone finds the survivor only, and the
   * merged record is out of the default search but there on request. */
  found = clinic_patients_search (f->admin, "5550177", NULL, 0, 10, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (found->len, ==, 1);
  g_assert_cmpint (((ClinicPatient *) g_ptr_array_index (found, 0))->id, ==, f->keep);
  g_clear_pointer (&found, g_ptr_array_unref);
  found = clinic_patients_search (f->admin, "brandt", NULL, 0, 10, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (found->len, ==, 1);
  clinic_patient_filter_init (&filter);
  filter.include_inactive = TRUE;
  all = clinic_patients_search (f->admin, "brandt", &filter, 0, 10, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (all->len, ==, 2);
  clinic_test_exec (f->db, "INSERT INTO patients_names_fts (patients_names_fts) VALUES ('integrity-check')");
  clinic_test_exec (f->db, "INSERT INTO patients_phone_fts (patients_phone_fts) VALUES ('integrity-check')");
}

/* A failure part way (here a trigger that refuses, in a table the merge
 * reaches after others) leaves every table as it was. */
static void
test_rolls_back_on_failure (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;

  clinic_test_exec (f->db,
                    "CREATE TABLE test_zz_locked (id INTEGER PRIMARY KEY, patient_id INTEGER NOT NULL"
                    "  REFERENCES patients (id)) STRICT;"
                    "CREATE TRIGGER test_zz_locked_refuses BEFORE UPDATE OF patient_id ON test_zz_locked"
                    " BEGIN SELECT RAISE (ABORT, 'injected failure'); END;");
  clinic_test_exec (f->db, "INSERT INTO test_visits (patient_id, note) VALUES (2, 'a'), (2, 'b');"
                           "INSERT INTO test_zz_locked (patient_id) VALUES (2)");
  g_assert_cmpint (f->merge, ==, 2);

  before = clinic_test_dump_tables (f->db);
  g_assert_false (clinic_patients_merge (f->admin, f->keep, f->merge, &error));
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_CONFLICT);
  g_test_message ("%s", error->message);
  after = clinic_test_dump_tables (f->db);
  g_assert_cmpstr (before, ==, after);
}

static void
test_once_per_patient_conflict (Fixture       *f,
                                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClinicMergePreview) preview = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  gboolean flagged = FALSE;

  clinic_test_exec (f->db, "INSERT INTO test_chart_summary VALUES (1, 'kept'), (2, 'merged')");
  preview = clinic_patients_merge_preview (f->admin, f->keep, f->merge, &error);
  g_assert_no_error (error);
  g_assert_nonnull (preview->blocker);
  for (guint i = 0; i < preview->links->len; i++)
    {
      ClinicMergeLink *link = g_ptr_array_index (preview->links, i);

      if (g_str_equal (link->table, "test_chart_summary"))
        flagged = link->conflict && link->count == 1;
      else
        g_assert_false (link->conflict);
    }
  g_assert_true (flagged);

  before = clinic_test_dump_tables (f->db);
  g_assert_false (clinic_patients_merge (f->admin, f->keep, f->merge, &error));
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_CONFLICT);
  g_assert_cmpstr (error->message, ==, preview->blocker);
  after = clinic_test_dump_tables (f->db);
  g_assert_cmpstr (before, ==, after);

  /* Only one of them has the row: it moves. */
  clinic_test_exec (f->db, "DELETE FROM test_chart_summary WHERE patient_id = 1");
  g_clear_error (&error);
  g_assert_true (clinic_patients_merge (f->admin, f->keep, f->merge, &error));
  g_assert_no_error (error);
  g_assert_cmpint (clinic_test_query_int (f->db, "SELECT patient_id FROM test_chart_summary"), ==, 1);
}

/* Both records with an account: refused until the merged-away record's
 * account is disabled, which then stays with it. */
static void
test_two_accounts (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClinicMergePreview) preview = NULL;
  gint64 a, b;

  a = clinic_users_create (f->admin, "lena1", "Lena", CLINIC_USER_PATIENT, 0, PASSWORD,
                           &CLINIC_KDF_LIMITS_TEST, &error);
  g_assert_no_error (error);
  b = clinic_users_create (f->admin, "lena2", "Lena", CLINIC_USER_PATIENT, 0, PASSWORD,
                           &CLINIC_KDF_LIMITS_TEST, &error);
  g_assert_no_error (error);
  g_assert_true (clinic_patients_link_account (f->admin, f->keep, a, &error));
  g_assert_true (clinic_patients_link_account (f->admin, f->merge, b, &error));
  g_assert_no_error (error);

  preview = clinic_patients_merge_preview (f->admin, f->keep, f->merge, &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (preview->blocker, "C000002"));
  g_assert_false (clinic_patients_merge (f->admin, f->keep, f->merge, &error));
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_CONFLICT);
  g_clear_error (&error);

  g_assert_true (clinic_users_set_disabled (f->admin, b, TRUE, NULL, &CLINIC_KDF_LIMITS_TEST, &error));
  g_assert_no_error (error);
  g_assert_true (clinic_patients_merge (f->admin, f->keep, f->merge, &error));
  g_assert_no_error (error);
  g_assert_cmpint (count_on (f->db, "users", "patient_id", f->keep), ==, 1);
  g_assert_cmpint (count_on (f->db, "users", "patient_id", f->merge), ==, 1);
}

static void
test_refusals (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClinicSession) frontdesk = NULL;
  g_autoptr(GPtrArray) roles = NULL;
  gint64 third = 3;

  g_assert_null (clinic_patients_merge_preview (f->admin, f->keep, f->keep, &error));
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (clinic_patients_merge (f->admin, f->keep, f->keep, &error));
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (clinic_patients_merge (f->admin, f->keep, 99, &error));
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_null (clinic_patients_merge_preview (f->admin, 99, f->merge, &error));
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_NOT_FOUND);
  g_clear_error (&error);

  g_assert_true (clinic_patients_merge (f->admin, f->keep, f->merge, &error));
  g_assert_no_error (error);
  /* Merged already, and no chains: nothing is merged into a merged record. */
  g_assert_false (clinic_patients_merge (f->admin, f->keep, f->merge, &error));
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_CONFLICT);
  g_clear_error (&error);
  g_assert_false (clinic_patients_merge (f->admin, third, f->merge, &error));
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_CONFLICT);
  g_clear_error (&error);
  g_assert_false (clinic_patients_merge (f->admin, f->merge, third, &error));
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_CONFLICT);
  g_assert_nonnull (strstr (error->message, "C000001"));
  g_clear_error (&error);

  /* The front desk registers patients but does not merge them (the
   * built-in role lacks patients.merge). */
  roles = clinic_roles_list (f->admin, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < roles->len; i++)
    {
      ClinicRole *role = g_ptr_array_index (roles, i);

      if (g_strcmp0 (role->builtin, "front-desk") == 0)
        clinic_users_create (f->admin, "frontdesk", "Jonas", CLINIC_USER_STAFF, role->id, PASSWORD,
                             &CLINIC_KDF_LIMITS_TEST, &error);
    }
  g_assert_no_error (error);
  frontdesk = clinic_session_sign_in (f->db, "frontdesk", PASSWORD, &error);
  g_assert_no_error (error);
  g_assert_null (clinic_patients_merge_preview (frontdesk, f->keep, third, &error));
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_PERMISSION_DENIED);
}

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "C.UTF-8");
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_assert_true (sodium_init () >= 0);
  clinic_keys_allow_test_limits (TRUE);

#define ADD(path, fn) g_test_add ("/patient-merge/" path, Fixture, NULL, fixture_set_up, fn, fixture_tear_down)
  ADD ("every-foreign-key-moves", test_every_foreign_key_moves);
  ADD ("fills-empty-fields", test_fills_empty_fields);
  ADD ("rolls-back-on-failure", test_rolls_back_on_failure);
  ADD ("once-per-patient-conflict", test_once_per_patient_conflict);
  ADD ("two-accounts", test_two_accounts);
  ADD ("refusals", test_refusals);
#undef ADD
  return g_test_run ();
}
