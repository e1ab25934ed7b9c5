/* clinic-patient-merge.c — merging a duplicate patient record into another
 *
 * The rows to move are found from the schema, not from a list kept here:
 * every column of every table with a foreign key to patients (PRAGMA
 * foreign_key_list), so the chart, documents, appointments and whatever
 * later issues add are carried by themselves. A table may hold a row once
 * per patient (a UNIQUE index or primary key over the patient column):
 * when both records have such a row, the merge is refused and says which,
 * since choosing between two clinical rows is a person's decision.
 */

#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>
#include <sqlite3.h>

#include "clinic-audit-private.h"
#include "clinic-db-private.h"
#include "clinic-error.h"
#include "clinic-patient-merge.h"
#include "clinic-patients-private.h"

/* --- The preview, a boxed type ----------------------------------------- */

static void
link_free (gpointer data)
{
  ClinicMergeLink *link = data;

  g_free (link->table);
  g_free (link->column);
  g_free (link->label);
  g_free (link);
}

static void
field_free (gpointer data)
{
  ClinicMergeField *field = data;

  g_free (field->label);
  g_free (field->keep_value);
  g_free (field->merge_value);
  g_free (field);
}

static ClinicMergePreview *
preview_new (void)
{
  ClinicMergePreview *preview = g_new0 (ClinicMergePreview, 1);

  preview->links = g_ptr_array_new_with_free_func (link_free);
  preview->fields = g_ptr_array_new_with_free_func (field_free);
  return preview;
}

ClinicMergePreview *
clinic_merge_preview_copy (const ClinicMergePreview *src)
{
  ClinicMergePreview *preview = preview_new ();

  preview->keep = clinic_patient_copy (src->keep);
  preview->merge = clinic_patient_copy (src->merge);
  preview->blocker = g_strdup (src->blocker);
  for (guint i = 0; i < src->links->len; i++)
    {
      const ClinicMergeLink *from = g_ptr_array_index (src->links, i);
      ClinicMergeLink *link = g_memdup2 (from, sizeof *from);

      link->table = g_strdup (from->table);
      link->column = g_strdup (from->column);
      link->label = g_strdup (from->label);
      g_ptr_array_add (preview->links, link);
    }
  for (guint i = 0; i < src->fields->len; i++)
    {
      const ClinicMergeField *from = g_ptr_array_index (src->fields, i);
      ClinicMergeField *field = g_memdup2 (from, sizeof *from);

      field->label = g_strdup (from->label);
      field->keep_value = g_strdup (from->keep_value);
      field->merge_value = g_strdup (from->merge_value);
      g_ptr_array_add (preview->fields, field);
    }
  return preview;
}

void
clinic_merge_preview_free (ClinicMergePreview *preview)
{
  if (preview == NULL)
    return;
  g_clear_pointer (&preview->keep, clinic_patient_free);
  g_clear_pointer (&preview->merge, clinic_patient_free);
  g_ptr_array_unref (preview->links);
  g_ptr_array_unref (preview->fields);
  g_free (preview->blocker);
  g_free (preview);
}

G_DEFINE_BOXED_TYPE (ClinicMergePreview, clinic_merge_preview,
                     clinic_merge_preview_copy, clinic_merge_preview_free)

gint64
clinic_merge_preview_count_moved (const ClinicMergePreview *preview)
{
  gint64 n = 0;

  g_return_val_if_fail (preview != NULL, 0);
  for (guint i = 0; i < preview->links->len; i++)
    n += ((ClinicMergeLink *) g_ptr_array_index (preview->links, i))->count;
  return n;
}

/* --- Labels ------------------------------------------------------------ */

/* Names a person understands for the tables this and the coming issues
 * bring; any other table gets a generic label with its name. */
static char *
label_for (const char *table,
           const char *column)
{
  static const struct { const char *table; const char *label; } known[] = {
    { "users",              N_("Patient account") },
    { "patients",           N_("Records merged into this one earlier") },
    { "allergies",          N_("Allergies") },
    { "conditions",         N_("Conditions") },
    { "medications",        N_("Medications") },
    { "notes",              N_("Visit notes") },
    { "visit_notes",        N_("Visit notes") },
    { "note_addenda",       N_("Addenda to visit notes") },
    { "prescriptions",      N_("Prescriptions") },
    { "insurance_policies", N_("Insurance policies") },
    { "insurance",          N_("Insurance policies") },
    { "documents",          N_("Documents") },
    { "appointments",       N_("Appointments") },
    { "invoices",           N_("Invoices") },
    { "payments",           N_("Payments") },
    { "messages",           N_("Messages") },
    { "chart_status",       N_("Chart summary") },
  };

  for (guint i = 0; i < G_N_ELEMENTS (known); i++)
    if (g_ascii_strcasecmp (known[i].table, table) == 0)
      return g_strdup (_(known[i].label));
  /* TRANSLATORS: a kind of record Clinic has no name for yet: the
   * database table and column */
  return g_strdup_printf (_("Other records (%s.%s)"), table, column);
}

/* --- Reading the schema ------------------------------------------------ */

/* An SQL identifier, quoted. */
static char *
quote (const char *name)
{
  g_auto(GStrv) parts = g_strsplit (name, "\"", -1);
  g_autofree char *doubled = g_strjoinv ("\"\"", parts);

  return g_strdup_printf ("\"%s\"", doubled);
}

/* Runs @sql (with up to two int64 parameters, 0 for none) and returns the
 * first column of its first row; -1 with @error on failure. */
static gint64
query_int (ClinicDb    *db,
           const char  *sql,
           gint64       a,
           gint64       b,
           GError     **error)
{
  sqlite3_stmt *stmt = clinic_db_prepare (db, sql, error);
  gint64 value = -1;
  int rc;

  if (stmt == NULL)
    return -1;
  if (sqlite3_bind_parameter_count (stmt) >= 1)
    sqlite3_bind_int64 (stmt, 1, a);
  if (sqlite3_bind_parameter_count (stmt) >= 2)
    sqlite3_bind_int64 (stmt, 2, b);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    value = sqlite3_column_int64 (stmt, 0);
  else
    clinic_db_set_error (db, rc, error);
  sqlite3_reset (stmt);
  return value;
}

/* Every (table, column) with a single-column foreign key to patients(id),
 * as pairs of strings: table, column, table, column ... */
static GPtrArray *
find_links (ClinicDb  *db,
            GError   **error)
{
  g_autoptr(GPtrArray) pairs = g_ptr_array_new_with_free_func (g_free);
  sqlite3_stmt *stmt;
  int rc;

  /* A key of several columns (seq > 0 in one of its rows) cannot point at
   * patients' single-column key; "to" NULL means the primary key. */
  stmt = clinic_db_prepare (db,
                            "SELECT m.name, f.\"from\", f.\"to\" FROM sqlite_schema m,"
                            " pragma_foreign_key_list (m.name) f"
                            " WHERE m.type = 'table' AND f.\"table\" = 'patients' COLLATE NOCASE"
                            " ORDER BY m.name, f.\"from\"",
                            error);
  if (stmt == NULL)
    return NULL;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *to = (const char *) sqlite3_column_text (stmt, 2);

      if (to != NULL && g_ascii_strcasecmp (to, "id") != 0)
        {
          g_set_error (error, CLINIC_ERROR, CLINIC_ERROR_CONFLICT,
                       _("The table “%s” refers to patients by “%s”, which a merge cannot carry."),
                       (const char *) sqlite3_column_text (stmt, 0), to);
          sqlite3_reset (stmt);
          return NULL;
        }
      g_ptr_array_add (pairs, g_strdup ((const char *) sqlite3_column_text (stmt, 0)));
      g_ptr_array_add (pairs, g_strdup ((const char *) sqlite3_column_text (stmt, 1)));
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      clinic_db_set_error (db, rc, error);
      return NULL;
    }
  return g_steal_pointer (&pairs);
}

/* The column lists of @table's unique keys (unique indexes, and an
 * INTEGER PRIMARY KEY, which has no index), each a GStrv. A key over an
 * expression is left out: its clash, if any, is caught when the UPDATE
 * fails. */
static GPtrArray *
unique_keys (ClinicDb    *db,
             const char  *table,
             GError     **error)
{
  g_autoptr(GPtrArray) keys = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  g_autoptr(GPtrArray) indexes = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) pk = g_ptr_array_new_with_free_func (g_free);
  gboolean pk_index = FALSE, integer_pk = FALSE;
  sqlite3_stmt *stmt;
  int rc;

  stmt = clinic_db_prepare (db, "SELECT name, origin FROM pragma_index_list (?1) WHERE \"unique\"", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, table, -1, SQLITE_TRANSIENT);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      g_ptr_array_add (indexes, g_strdup ((const char *) sqlite3_column_text (stmt, 0)));
      pk_index |= g_strcmp0 ((const char *) sqlite3_column_text (stmt, 1), "pk") == 0;
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    goto sql_error;

  for (guint i = 0; i < indexes->len; i++)
    {
      g_autoptr(GStrvBuilder) columns = g_strv_builder_new ();
      gboolean expression = FALSE;

      stmt = clinic_db_prepare (db, "SELECT name FROM pragma_index_info (?1) ORDER BY seqno", error);
      if (stmt == NULL)
        return NULL;
      sqlite3_bind_text (stmt, 1, g_ptr_array_index (indexes, i), -1, SQLITE_TRANSIENT);
      while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
        {
          if (sqlite3_column_type (stmt, 0) == SQLITE_NULL)
            expression = TRUE;
          else
            g_strv_builder_add (columns, (const char *) sqlite3_column_text (stmt, 0));
        }
      sqlite3_reset (stmt);
      if (rc != SQLITE_DONE)
        goto sql_error;
      if (!expression)
        g_ptr_array_add (keys, g_strv_builder_end (columns));
    }

  stmt = clinic_db_prepare (db, "SELECT name, type FROM pragma_table_info (?1) WHERE pk > 0 ORDER BY pk",
                            error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, table, -1, SQLITE_TRANSIENT);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      g_ptr_array_add (pk, g_strdup ((const char *) sqlite3_column_text (stmt, 0)));
      integer_pk = g_ascii_strcasecmp ((const char *) sqlite3_column_text (stmt, 1), "INTEGER") == 0;
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    goto sql_error;
  if (!pk_index && pk->len == 1 && integer_pk)
    {
      g_ptr_array_add (pk, NULL);
      g_ptr_array_add (keys, g_ptr_array_steal (pk, NULL));
    }
  return g_steal_pointer (&keys);

sql_error:
  clinic_db_set_error (db, rc, error);
  return NULL;
}

/* Whether moving @column of @table from @merge_id to @keep_id would break
 * one of its unique keys: both records have a row with the key's other
 * columns equal. */
static gboolean
would_clash (ClinicDb    *db,
             const char  *table,
             const char  *column,
             gint64       keep_id,
             gint64       merge_id,
             gboolean    *clash,
             GError     **error)
{
  g_autoptr(GPtrArray) keys = unique_keys (db, table, error);
  g_autofree char *t = quote (table);
  g_autofree char *c = quote (column);

  *clash = FALSE;
  if (keys == NULL)
    return FALSE;
  for (guint i = 0; i < keys->len && !*clash; i++)
    {
      GStrv key = g_ptr_array_index (keys, i);
      g_autoptr(GString) sql = NULL;
      gint64 n;

      if (!g_strv_contains ((const char * const *) key, column))
        continue;
      sql = g_string_new (NULL);
      g_string_append_printf (sql, "SELECT count(*) FROM %s a JOIN %s b ON b.%s = ?1", t, t, c);
      for (guint k = 0; key[k] != NULL; k++)
        if (g_strcmp0 (key[k], column) != 0)
          {
            g_autofree char *other = quote (key[k]);
            g_string_append_printf (sql, " AND a.%s = b.%s", other, other);
          }
      g_string_append_printf (sql, " WHERE a.%s = ?2", c);
      n = query_int (db, sql->str, keep_id, merge_id, error);
      if (n < 0)
        return FALSE;
      *clash = n > 0;
    }
  return TRUE;
}

/* --- Building the preview ---------------------------------------------- */

static const struct
{
  const char *field;
  const char *label;
  gsize       offset;
  gboolean    fillable;
} fields[] = {
  { "family_name",       N_("Family name"),       G_STRUCT_OFFSET (ClinicPatient, family_name),       FALSE },
  { "given_names",       N_("Given names"),       G_STRUCT_OFFSET (ClinicPatient, given_names),       FALSE },
  { "birth_date",        N_("Date of birth"),     G_STRUCT_OFFSET (ClinicPatient, birth_date),        FALSE },
  { "phone",             N_("Phone"),             G_STRUCT_OFFSET (ClinicPatient, phone),             TRUE },
  { "phone2",            N_("Second phone"),      G_STRUCT_OFFSET (ClinicPatient, phone2),            TRUE },
  { "email",             N_("Email"),             G_STRUCT_OFFSET (ClinicPatient, email),             TRUE },
  { "address",           N_("Address"),           G_STRUCT_OFFSET (ClinicPatient, address),           TRUE },
  { "emergency_contact", N_("Emergency contact"), G_STRUCT_OFFSET (ClinicPatient, emergency_contact), TRUE },
  { "language",          N_("Preferred language"), G_STRUCT_OFFSET (ClinicPatient, language),         TRUE },
  { "national_id",       N_("National id"),       G_STRUCT_OFFSET (ClinicPatient, national_id),       TRUE },
  { "insurance_id",      N_("Insurance id"),      G_STRUCT_OFFSET (ClinicPatient, insurance_id),      TRUE },
  { "notes",             N_("Notes"),             G_STRUCT_OFFSET (ClinicPatient, notes),             TRUE },
};

#define FIELD(p, i) (*(char **) G_STRUCT_MEMBER_P ((p), fields[i].offset))

static void
compare_fields (ClinicMergePreview *preview)
{
  for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
    {
      const char *keep = FIELD (preview->keep, i);
      const char *merge = FIELD (preview->merge, i);
      ClinicMergeField *field;

      if (g_strcmp0 (keep, merge) == 0)
        continue;
      field = g_new0 (ClinicMergeField, 1);
      field->field = fields[i].field;
      field->label = g_strdup (_(fields[i].label));
      field->keep_value = g_strdup (keep);
      field->merge_value = g_strdup (merge);
      field->fill = fields[i].fillable && *keep == '\0' && *merge != '\0';
      g_ptr_array_add (preview->fields, field);
    }
}

static void
add_link (ClinicMergePreview *preview,
          const char         *table,
          const char         *column,
          gint64              count,
          gboolean            conflict)
{
  ClinicMergeLink *link = g_new0 (ClinicMergeLink, 1);

  link->table = g_strdup (table);
  link->column = g_strdup (column);
  link->label = label_for (table, column);
  link->count = count;
  link->conflict = conflict;
  g_ptr_array_add (preview->links, link);
  if (conflict && preview->blocker == NULL)
    preview->blocker = g_strdup_printf (_("Both records have %s that can exist only once per patient. "
                                          "Settle which one is right in the chart first."),
                                        link->label);
}

/* The patient account: users.patient_id came before the patients table,
 * so it has no foreign key and is handled here. A record has at most one
 * account (clinic_patients_link_account), so two records with an account
 * each cannot simply become one: the merge moves the merged-away record's
 * account when the survivor has none; when both have one, the merged-away
 * record's account must be disabled first (by whoever manages users; a
 * person's login is not taken away as a side effect), and then stays
 * where it is, on the inactive record, as history. */
static gboolean
add_account_link (ClinicDb            *db,
                  ClinicMergePreview  *preview,
                  GError             **error)
{
  gint64 keep_accounts, merge_enabled, merge_accounts;

  keep_accounts = query_int (db, "SELECT count(*) FROM users WHERE patient_id = ?1", preview->keep->id, 0, error);
  if (keep_accounts < 0)
    return FALSE;
  merge_accounts = query_int (db, "SELECT count(*) FROM users WHERE patient_id = ?1",
                              preview->merge->id, 0, error);
  if (merge_accounts < 0)
    return FALSE;
  merge_enabled = query_int (db, "SELECT count(*) FROM users WHERE patient_id = ?1 AND disabled = 0",
                             preview->merge->id, 0, error);
  if (merge_enabled < 0)
    return FALSE;

  if (keep_accounts == 0)
    add_link (preview, "users", "patient_id", merge_accounts, FALSE);
  else
    {
      add_link (preview, "users", "patient_id", 0, FALSE);
      if (merge_enabled > 0 && preview->blocker == NULL)
        preview->blocker = g_strdup_printf (_("Both records have a patient account. Disable the account of "
                                              "chart %s in Users first, or keep that record instead."),
                                            preview->merge->chart_number);
    }
  return TRUE;
}

/* Everything the preview shows, read inside the caller's transaction (if
 * any), with both records whole (treatment included). */
static ClinicMergePreview *
build_preview (ClinicDb  *db,
               gint64     keep_id,
               gint64     merge_id,
               GError   **error)
{
  g_autoptr(ClinicMergePreview) preview = preview_new ();
  g_autoptr(GPtrArray) pairs = NULL;

  if (keep_id == merge_id)
    {
      g_set_error_literal (error, CLINIC_ERROR, CLINIC_ERROR_INVALID,
                           _("A record cannot be merged with itself; choose the other record."));
      return NULL;
    }
  preview->keep = clinic_patients_fetch_row (db, keep_id, TRUE, error);
  if (preview->keep == NULL)
    return NULL;
  preview->merge = clinic_patients_fetch_row (db, merge_id, TRUE, error);
  if (preview->merge == NULL)
    return NULL;
  if (preview->merge->merged_into != NULL)
    {
      g_set_error (error, CLINIC_ERROR, CLINIC_ERROR_CONFLICT,
                   _("Chart %s was merged into chart %s already."),
                   preview->merge->chart_number, preview->merge->merged_into);
      return NULL;
    }
  /* Merging into a merged record would start a chain of pointers. */
  if (preview->keep->merged_into != NULL)
    {
      g_set_error (error, CLINIC_ERROR, CLINIC_ERROR_CONFLICT,
                   _("Chart %s was merged into chart %s; merge into chart %s instead."),
                   preview->keep->chart_number, preview->keep->merged_into, preview->keep->merged_into);
      return NULL;
    }

  pairs = find_links (db, error);
  if (pairs == NULL)
    return NULL;
  for (guint i = 0; i < pairs->len; i += 2)
    {
      const char *table = g_ptr_array_index (pairs, i);
      const char *column = g_ptr_array_index (pairs, i + 1);
      g_autofree char *t = quote (table);
      g_autofree char *c = quote (column);
      g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM %s WHERE %s = ?1", t, c);
      gboolean clash = FALSE;
      gint64 n = query_int (db, sql, merge_id, 0, error);

      if (n < 0)
        return NULL;
      if (n > 0 && !would_clash (db, table, column, keep_id, merge_id, &clash, error))
        return NULL;
      add_link (preview, table, column, n, clash);
    }
  if (!add_account_link (db, preview, error))
    return NULL;

  compare_fields (preview);
  return g_steal_pointer (&preview);
}

/* --- Entry points ------------------------------------------------------ */

static gboolean
audit_merge (ClinicDb            *db,
             ClinicSession       *session,
             const char          *action,
             ClinicMergePreview  *preview,
             const char          *details,
             GError             **error)
{
  g_autofree char *object_id = g_strdup_printf ("%" G_GINT64_FORMAT, preview->merge->id);
  g_autofree char *value = g_strdup_printf ("merged=%" G_GINT64_FORMAT " kept=%" G_GINT64_FORMAT "%s%s",
                                            preview->merge->id, preview->keep->id,
                                            details ? "; " : "", details ? details : "");

  return clinic_audit_append (db, session, NULL, 0, action, "patient", object_id, preview->keep->id,
                              preview->merge->chart_number, value, error);
}

ClinicMergePreview *
clinic_patients_merge_preview (ClinicSession  *session,
                               gint64          keep_id,
                               gint64          merge_id,
                               GError        **error)
{
  g_autoptr(ClinicMergePreview) preview = NULL;
  ClinicDb *db;

  if (!clinic_session_require_staff (session, CLINIC_PERMISSION_PATIENTS_MERGE, error))
    return NULL;
  db = clinic_session_get_db (session);
  /* One write transaction: the counts are read at one moment, and the
   * audit entry goes in with them. */
  if (!clinic_db_begin_write (db, error))
    return NULL;
  preview = build_preview (db, keep_id, merge_id, error);
  if (preview == NULL
      || !audit_merge (db, session, "patients.merge-previewed", preview, NULL, error)
      || !clinic_db_commit (db, error))
    {
      clinic_db_rollback (db);
      return NULL;
    }
  if (!clinic_session_has_permission (session, CLINIC_PERMISSION_CHART_READ))
    {
      g_clear_pointer (&preview->keep->treatment, g_free);
      g_clear_pointer (&preview->merge->treatment, g_free);
    }
  return g_steal_pointer (&preview);
}

/* The survivor with its empty fields filled from the other record. */
static gboolean
fill_survivor (ClinicDb            *db,
               ClinicMergePreview  *preview,
               GString             *filled,
               GError             **error)
{
  g_autoptr(ClinicPatient) survivor = clinic_patient_copy (preview->keep);

  for (guint i = 0; i < preview->fields->len; i++)
    {
      ClinicMergeField *field = g_ptr_array_index (preview->fields, i);

      if (!field->fill)
        continue;
      for (guint f = 0; f < G_N_ELEMENTS (fields); f++)
        if (fields[f].field == field->field)
          {
            g_free (FIELD (survivor, f));
            FIELD (survivor, f) = g_strdup (field->merge_value);
          }
      g_string_append_printf (filled, "%s%s", filled->len > 0 ? "," : "", field->field);
    }
  if (filled->len == 0)
    return TRUE;
  return clinic_patient_validate (survivor, error)
      && clinic_patients_store_row (db, survivor, preview->keep->treatment, error);
}

gboolean
clinic_patients_merge (ClinicSession  *session,
                       gint64          keep_id,
                       gint64          merge_id,
                       GError        **error)
{
  g_autoptr(ClinicMergePreview) preview = NULL;
  g_autoptr(GString) details = g_string_new ("moved");
  g_autoptr(GString) filled = g_string_new (NULL);
  sqlite3_stmt *stmt;
  ClinicDb *db;

  if (!clinic_session_require_staff (session, CLINIC_PERMISSION_PATIENTS_MERGE, error))
    return FALSE;
  db = clinic_session_get_db (session);
  if (!clinic_db_begin_write (db, error))
    return FALSE;
  preview = build_preview (db, keep_id, merge_id, error);
  if (preview == NULL)
    goto fail;
  if (preview->blocker != NULL)
    {
      g_set_error_literal (error, CLINIC_ERROR, CLINIC_ERROR_CONFLICT, preview->blocker);
      goto fail;
    }

  for (guint i = 0; i < preview->links->len; i++)
    {
      ClinicMergeLink *link = g_ptr_array_index (preview->links, i);
      g_autofree char *t = quote (link->table);
      g_autofree char *c = quote (link->column);
      g_autofree char *sql = g_strdup_printf ("UPDATE %s SET %s = ?1 WHERE %s = ?2", t, c, c);
      int rc;

      if (link->count == 0)
        continue;
      stmt = clinic_db_prepare (db, sql, error);
      if (stmt == NULL)
        goto fail;
      sqlite3_bind_int64 (stmt, 1, keep_id);
      sqlite3_bind_int64 (stmt, 2, merge_id);
      rc = sqlite3_step (stmt);
      sqlite3_reset (stmt);
      if (rc != SQLITE_DONE)
        {
          /* A clash the preview could not see (a unique key over an
           * expression), a trigger that refuses: nothing is kept. */
          if ((rc & 0xff) == SQLITE_CONSTRAINT)
            g_set_error (error, CLINIC_ERROR, CLINIC_ERROR_CONFLICT,
                         _("Merging stopped at “%s” (%s); nothing was changed."), link->label,
                         sqlite3_errmsg (clinic_db_get_handle (db)));
          else
            clinic_db_set_error (db, rc, error);
          goto fail;
        }
      g_string_append_printf (details, " %s.%s=%" G_GINT64_FORMAT, link->table, link->column, link->count);
    }

  if (!fill_survivor (db, preview, filled, error))
    goto fail;

  stmt = clinic_db_prepare (db,
                            "UPDATE patients SET status = 'inactive', merged_into = ?1, updated_at = ?3"
                            " WHERE id = ?2",
                            error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_int64 (stmt, 1, keep_id);
  sqlite3_bind_int64 (stmt, 2, merge_id);
  sqlite3_bind_int64 (stmt, 3, g_get_real_time () / G_USEC_PER_SEC);
  if (!clinic_db_step_done (db, stmt, error))
    goto fail;

  if (filled->len > 0)
    g_string_append_printf (details, "; filled %s", filled->str);
  if (!audit_merge (db, session, "patients.merged", preview, details->str, error)
      || !clinic_db_commit (db, error))
    goto fail;
  return TRUE;

fail:
  clinic_db_rollback (db);
  return FALSE;
}
