/* clinic-chart.c — the patient's chart
 *
 * Every write is one transaction with its audit entry. Signing stores the
 * SHA-256 of a length-prefixed encoding of what was signed, in the row and
 * in the audit chain (whose entries are MAC'd and chained), so a signed
 * note changed behind Clinic's back no longer matches either.
 */

#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>
#include <sqlite3.h>

#include "clinic-audit-private.h"
#include "clinic-chart.h"
#include "clinic-db-private.h"
#include "clinic-error.h"
#include "clinic-patients-private.h"

#define FIELD_MAX_CHARS 500
#define TEXT_MAX_CHARS  20000

/* --- Records ---------------------------------------------------------------- */

ClinicInsurancePolicy *
clinic_insurance_policy_new (void)
{
  ClinicInsurancePolicy *p = g_new0 (ClinicInsurancePolicy, 1);

  p->payer = g_strdup ("");
  p->member_id = g_strdup ("");
  p->group_number = g_strdup ("");
  p->valid_from = g_strdup ("");
  p->valid_until = g_strdup ("");
  p->is_primary = TRUE;
  return p;
}

void
clinic_insurance_policy_free (ClinicInsurancePolicy *p)
{
  if (p == NULL)
    return;
  g_free (p->payer);
  g_free (p->member_id);
  g_free (p->group_number);
  g_free (p->valid_from);
  g_free (p->valid_until);
  g_free (p);
}

void
clinic_allergy_free (ClinicAllergy *a)
{
  if (a == NULL)
    return;
  g_free (a->substance);
  g_free (a->reaction);
  g_free (a->recorded_by);
  g_free (a);
}

ClinicChartItem *
clinic_chart_item_new (ClinicChartItemKind kind)
{
  ClinicChartItem *item = g_new0 (ClinicChartItem, 1);

  item->kind = kind;
  item->name = g_strdup ("");
  item->detail = g_strdup ("");
  item->start_date = g_strdup ("");
  item->end_date = g_strdup ("");
  return item;
}

void
clinic_chart_item_free (ClinicChartItem *item)
{
  if (item == NULL)
    return;
  g_free (item->name);
  g_free (item->detail);
  g_free (item->start_date);
  g_free (item->end_date);
  g_free (item->recorded_by);
  g_free (item);
}

void
clinic_note_addendum_free (ClinicNoteAddendum *a)
{
  if (a == NULL)
    return;
  g_free (a->author_name);
  g_free (a->body);
  g_free (a);
}

ClinicVisitNote *
clinic_visit_note_new (void)
{
  ClinicVisitNote *n = g_new0 (ClinicVisitNote, 1);

  n->encounter_date = g_strdup ("");
  n->subjective = g_strdup ("");
  n->objective = g_strdup ("");
  n->assessment = g_strdup ("");
  n->plan = g_strdup ("");
  n->free_text = g_strdup ("");
  n->addenda = g_ptr_array_new_with_free_func ((GDestroyNotify) clinic_note_addendum_free);
  return n;
}

void
clinic_visit_note_free (ClinicVisitNote *n)
{
  if (n == NULL)
    return;
  g_free (n->author_name);
  g_free (n->encounter_date);
  g_free (n->subjective);
  g_free (n->objective);
  g_free (n->assessment);
  g_free (n->plan);
  g_free (n->free_text);
  g_free (n->signature);
  g_clear_pointer (&n->addenda, g_ptr_array_unref);
  g_free (n);
}

ClinicPrescription *
clinic_prescription_new (void)
{
  ClinicPrescription *p = g_new0 (ClinicPrescription, 1);

  p->drug = g_strdup ("");
  p->strength = g_strdup ("");
  p->dose = g_strdup ("");
  p->route = g_strdup ("");
  p->frequency = g_strdup ("");
  p->duration = g_strdup ("");
  p->quantity = g_strdup ("");
  p->instructions = g_strdup ("");
  p->prescribed_on = g_strdup ("");
  return p;
}

ClinicPrescription *
clinic_prescription_copy (const ClinicPrescription *src)
{
  ClinicPrescription *p = g_new0 (ClinicPrescription, 1);

  *p = *src;
  p->prescriber_name = g_strdup (src->prescriber_name);
  p->drug = g_strdup (src->drug);
  p->strength = g_strdup (src->strength);
  p->dose = g_strdup (src->dose);
  p->route = g_strdup (src->route);
  p->frequency = g_strdup (src->frequency);
  p->duration = g_strdup (src->duration);
  p->quantity = g_strdup (src->quantity);
  p->instructions = g_strdup (src->instructions);
  p->prescribed_on = g_strdup (src->prescribed_on);
  p->signature = g_strdup (src->signature);
  return p;
}

void
clinic_prescription_free (ClinicPrescription *p)
{
  if (p == NULL)
    return;
  g_free (p->prescriber_name);
  g_free (p->drug);
  g_free (p->strength);
  g_free (p->dose);
  g_free (p->route);
  g_free (p->frequency);
  g_free (p->duration);
  g_free (p->quantity);
  g_free (p->instructions);
  g_free (p->prescribed_on);
  g_free (p->signature);
  g_free (p);
}

void
clinic_timeline_event_free (ClinicTimelineEvent *e)
{
  if (e == NULL)
    return;
  g_free (e->date);
  g_free (e->title);
  g_free (e->detail);
  g_free (e);
}

void
clinic_chart_free (ClinicChart *chart)
{
  if (chart == NULL)
    return;
  g_clear_pointer (&chart->allergies, g_ptr_array_unref);
  g_clear_pointer (&chart->conditions, g_ptr_array_unref);
  g_clear_pointer (&chart->medications, g_ptr_array_unref);
  g_clear_pointer (&chart->notes, g_ptr_array_unref);
  g_clear_pointer (&chart->prescriptions, g_ptr_array_unref);
  g_clear_pointer (&chart->insurance, g_ptr_array_unref);
  g_clear_pointer (&chart->timeline, g_ptr_array_unref);
  g_free (chart);
}

/* --- Names --------------------------------------------------------------------- */

static const char *const severity_keys[] = { "unknown", "mild", "moderate", "severe" };

const char *
clinic_severity_to_string (ClinicSeverity severity)
{
  switch (severity)
    {
    case CLINIC_SEVERITY_MILD:
      return _("Mild");
    case CLINIC_SEVERITY_MODERATE:
      return _("Moderate");
    case CLINIC_SEVERITY_SEVERE:
      return _("Severe");
    case CLINIC_SEVERITY_UNKNOWN:
    default:
      return _("Severity unknown");
    }
}

const char *
clinic_insurance_status_to_string (ClinicInsuranceStatus status)
{
  switch (status)
    {
    case CLINIC_INSURANCE_ACTIVE:
      return _("Active");
    case CLINIC_INSURANCE_EXPIRES_SOON:
      return _("Expires soon");
    case CLINIC_INSURANCE_EXPIRED:
      return _("Expired");
    case CLINIC_INSURANCE_NONE:
    default:
      return _("No insurance");
    }
}

/* --- Helpers -------------------------------------------------------------------- */

static char *
today_iso (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();

  return g_date_time_format (now, "%Y-%m-%d");
}

static char *
iso_day_of (gint64 unix_time)
{
  g_autoptr(GDateTime) t = g_date_time_new_from_unix_local (unix_time);

  return t != NULL ? g_date_time_format (t, "%Y-%m-%d") : g_strdup ("");
}

static gint64
now_seconds (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

/* @value trimmed is neither too long nor (when @required) empty. */
static gboolean
check_field (const char  *value,
             const char  *label,
             gboolean     required,
             glong        max_chars,
             GError     **error)
{
  g_autofree char *trimmed = g_strstrip (g_strdup (value != NULL ? value : ""));

  if (!g_utf8_validate (trimmed, -1, NULL))
    {
      g_set_error (error, CLINIC_ERROR, CLINIC_ERROR_INVALID,
                   _("%s is not valid text."), label);
      return FALSE;
    }
  if (required && *trimmed == '\0')
    {
      g_set_error (error, CLINIC_ERROR, CLINIC_ERROR_INVALID, _("%s is required."), label);
      return FALSE;
    }
  if (g_utf8_strlen (trimmed, -1) > max_chars)
    {
      g_set_error (error, CLINIC_ERROR, CLINIC_ERROR_INVALID,
                   _("%s is too long (at most %ld characters)."), label, max_chars);
      return FALSE;
    }
  return TRUE;
}

/* An optional date ("" allowed) in ISO or the locale's format; *iso is the
 * ISO form. */
static gboolean
check_date (const char  *value,
            const char  *label,
            gboolean     required,
            char       **iso,
            GError     **error)
{
  g_autofree char *trimmed = g_strstrip (g_strdup (value != NULL ? value : ""));

  if (*trimmed == '\0' && !required)
    {
      *iso = g_strdup ("");
      return TRUE;
    }
  *iso = clinic_patient_parse_date (trimmed);
  if (*iso == NULL)
    {
      g_set_error (error, CLINIC_ERROR, CLINIC_ERROR_INVALID,
                   _("%s is not a date. Write it as YYYY-MM-DD, for example 2026-03-14."),
                   label);
      return FALSE;
    }
  return TRUE;
}

static void
bind_trimmed (sqlite3_stmt *stmt,
              const char   *name,
              const char   *value)
{
  g_autofree char *trimmed = g_strstrip (g_strdup (value != NULL ? value : ""));

  sqlite3_bind_text (stmt, sqlite3_bind_parameter_index (stmt, name), trimmed, -1,
                     SQLITE_TRANSIENT);
}

static void
bind_int (sqlite3_stmt *stmt,
          const char   *name,
          gint64        value)
{
  sqlite3_bind_int64 (stmt, sqlite3_bind_parameter_index (stmt, name), value);
}

/* Runs @sql with ?1 = @id and returns the first column of its row as an
 * integer in *value; FALSE with NOT_FOUND (@what) when there is no row. */
static gboolean
lookup_int (ClinicDb    *db,
            const char  *sql,
            gint64       id,
            const char  *what,
            gint64      *value,
            GError     **error)
{
  sqlite3_stmt *stmt = clinic_db_prepare (db, sql, error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      *value = sqlite3_column_int64 (stmt, 0);
      sqlite3_reset (stmt);
      return TRUE;
    }
  sqlite3_reset (stmt);
  if (rc == SQLITE_DONE)
    g_set_error_literal (error, CLINIC_ERROR, CLINIC_ERROR_NOT_FOUND, what);
  else
    clinic_db_set_error (db, rc, error);
  return FALSE;
}

static gboolean
check_patient (ClinicDb  *db,
               gint64     patient_id,
               GError   **error)
{
  gint64 id;

  return lookup_int (db, "SELECT id FROM patients WHERE id = ?1", patient_id,
                     _("There is no such patient."), &id, error);
}

static gboolean
audit (ClinicDb       *db,
       ClinicSession  *session,
       const char     *action,
       const char     *object_type,
       gint64          object_id,
       gint64          patient_id,
       const char     *new_value,
       GError        **error)
{
  g_autofree char *object = g_strdup_printf ("%" G_GINT64_FORMAT, object_id);

  return clinic_audit_append (db, session, NULL, 0, action, object_type, object, patient_id,
                              NULL, new_value, error);
}

/* Steps an INSERT and returns the new row's id, 0 on error. */
static gint64
step_insert (ClinicDb      *db,
             sqlite3_stmt  *stmt,
             GError       **error)
{
  if (!clinic_db_step_done (db, stmt, error))
    return 0;
  return sqlite3_last_insert_rowid (clinic_db_get_handle (db));
}

/* --- Signatures ----------------------------------------------------------------- */

static void
sign_field (GChecksum  *sum,
            const char *text)
{
  guint8 len[8];
  guint64 n = text != NULL ? strlen (text) : 0;

  for (int i = 0; i < 8; i++)
    len[i] = (n >> (8 * i)) & 0xff;
  g_checksum_update (sum, len, sizeof len);
  if (n > 0)
    g_checksum_update (sum, (const guchar *) text, n);
}

static void
sign_int (GChecksum *sum,
          gint64     value)
{
  g_autofree char *text = g_strdup_printf ("%" G_GINT64_FORMAT, value);

  sign_field (sum, text);
}

/* The SHA-256 (hex) of @kind and the NULL-terminated @fields, after the
 * row's @id, @patient_id, @author_id and @signed_at. */
static char *
signature_of (const char          *kind,
              gint64               id,
              gint64               patient_id,
              gint64               author_id,
              gint64               signed_at,
              const char *const   *fields)
{
  g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);

  sign_field (sum, kind);
  sign_int (sum, id);
  sign_int (sum, patient_id);
  sign_int (sum, author_id);
  sign_int (sum, signed_at);
  for (; *fields != NULL; fields++)
    sign_field (sum, *fields);
  return g_strdup (g_checksum_get_string (sum));
}

static char *
note_signature (const ClinicVisitNote *n,
                gint64                 signed_at)
{
  const char *fields[] = { n->encounter_date, n->subjective, n->objective, n->assessment,
                           n->plan, n->free_text, NULL };

  return signature_of ("note", n->id, n->patient_id, n->author_id, signed_at, fields);
}

static char *
prescription_signature (const ClinicPrescription *p,
                        gint64                    signed_at)
{
  g_autofree char *refills = g_strdup_printf ("%d", p->refills);
  const char *fields[] = { p->drug, p->strength, p->dose, p->route, p->frequency, p->duration,
                           p->quantity, refills, p->instructions, p->prescribed_on, NULL };

  return signature_of ("prescription", p->id, p->patient_id, p->prescriber_id, signed_at, fields);
}

/* --- Insurance ----------------------------------------------------------------- */

static gboolean
add_days_iso (const char *iso,
              int         days,
              char        out[11])
{
  GDate d;
  unsigned y, m, dd;

  if (sscanf (iso, "%4u-%2u-%2u", &y, &m, &dd) != 3 || !g_date_valid_dmy (dd, m, y))
    return FALSE;
  g_date_clear (&d, 1);
  g_date_set_dmy (&d, dd, m, y);
  g_date_add_days (&d, days);
  g_snprintf (out, 11, "%04u-%02u-%02u", g_date_get_year (&d), g_date_get_month (&d),
              g_date_get_day (&d));
  return TRUE;
}

ClinicInsuranceStatus
clinic_insurance_status_for (GPtrArray                    *policies,
                             const char                   *date,
                             const ClinicInsurancePolicy **covering)
{
  const ClinicInsurancePolicy *best = NULL;
  const ClinicInsurancePolicy *ended = NULL;
  char soon[11];

  g_return_val_if_fail (date != NULL, CLINIC_INSURANCE_NONE);

  if (covering != NULL)
    *covering = NULL;
  if (policies == NULL || !add_days_iso (date, CLINIC_INSURANCE_SOON_DAYS, soon))
    return CLINIC_INSURANCE_NONE;

  /* The policy covering @date that lasts longest, a primary one first. */
  for (guint i = 0; i < policies->len; i++)
    {
      const ClinicInsurancePolicy *p = policies->pdata[i];
      gboolean covers = strcmp (p->valid_from, date) <= 0
                        && (*p->valid_until == '\0' || strcmp (date, p->valid_until) <= 0);

      if (!covers)
        {
          if (*p->valid_until != '\0' && strcmp (p->valid_until, date) < 0)
            ended = p;
          continue;
        }
      if (best == NULL
          || (p->is_primary && !best->is_primary)
          || (p->is_primary == best->is_primary
              && (*p->valid_until == '\0'
                  || (*best->valid_until != '\0' && strcmp (p->valid_until, best->valid_until) > 0))))
        best = p;
    }

  if (best != NULL)
    {
      if (covering != NULL)
        *covering = best;
      if (*best->valid_until != '\0' && strcmp (best->valid_until, soon) < 0)
        return CLINIC_INSURANCE_EXPIRES_SOON;
      return CLINIC_INSURANCE_ACTIVE;
    }
  if (ended != NULL)
    {
      if (covering != NULL)
        *covering = ended;
      return CLINIC_INSURANCE_EXPIRED;
    }
  return CLINIC_INSURANCE_NONE;
}

static GPtrArray *
read_insurance (ClinicDb  *db,
                gint64     patient_id,
                GError   **error)
{
  g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func ((GDestroyNotify) clinic_insurance_policy_free);
  sqlite3_stmt *stmt;
  int rc;

  stmt = clinic_db_prepare (db,
                            "SELECT id, payer, member_id, group_number, valid_from, valid_until,"
                            " copay_cents, is_primary FROM insurance_policies WHERE patient_id = ?1"
                            " ORDER BY valid_from DESC, id DESC",
                            error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, patient_id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      ClinicInsurancePolicy *p = g_new0 (ClinicInsurancePolicy, 1);

      p->id = sqlite3_column_int64 (stmt, 0);
      p->patient_id = patient_id;
      p->payer = clinic_db_column_text (stmt, 1);
      p->member_id = clinic_db_column_text (stmt, 2);
      p->group_number = clinic_db_column_text (stmt, 3);
      p->valid_from = clinic_db_column_text (stmt, 4);
      p->valid_until = clinic_db_column_text (stmt, 5);
      p->copay_cents = sqlite3_column_int64 (stmt, 6);
      p->is_primary = sqlite3_column_int (stmt, 7) != 0;
      g_ptr_array_add (list, p);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      clinic_db_set_error (db, rc, error);
      return NULL;
    }
  return g_steal_pointer (&list);
}

static gboolean
may_read_insurance (ClinicSession  *session,
                    gint64          patient_id,
                    GError        **error)
{
  return clinic_session_require (session, CLINIC_PERMISSION_PATIENTS_CONTACT_READ, error)
         && clinic_patients_check_scope (session, patient_id, error);
}

GPtrArray *
clinic_insurance_list (ClinicSession  *session,
                       gint64          patient_id,
                       GError        **error)
{
  ClinicDb *db;

  if (!may_read_insurance (session, patient_id, error))
    return NULL;
  db = clinic_session_get_db (session);
  if (!check_patient (db, patient_id, error))
    return NULL;
  return read_insurance (db, patient_id, error);
}

ClinicInsuranceStatus
clinic_insurance_status (ClinicSession  *session,
                         gint64          patient_id,
                         const char     *date,
                         GError        **error)
{
  g_autoptr(GPtrArray) policies = NULL;
  g_autofree char *day = NULL;

  if (date == NULL)
    day = today_iso ();
  else if ((day = clinic_patient_parse_date (date)) == NULL)
    {
      g_set_error (error, CLINIC_ERROR, CLINIC_ERROR_INVALID,
                   _("“%s” is not a date. Write it as YYYY-MM-DD, for example 2026-03-14."), date);
      return CLINIC_INSURANCE_NONE;
    }
  policies = clinic_insurance_list (session, patient_id, error);
  if (policies == NULL)
    return CLINIC_INSURANCE_NONE;
  return clinic_insurance_status_for (policies, day, NULL);
}

gint64
clinic_insurance_save (ClinicSession                *session,
                       const ClinicInsurancePolicy  *policy,
                       GError                      **error)
{
  g_autofree char *from = NULL;
  g_autofree char *until = NULL;
  sqlite3_stmt *stmt;
  ClinicDb *db;
  gint64 id = 0;

  g_return_val_if_fail (policy != NULL, 0);

  if (!clinic_session_require_staff (session, CLINIC_PERMISSION_PATIENTS_CONTACT_WRITE, error))
    return 0;
  if (!check_field (policy->payer, _("The insurer"), TRUE, FIELD_MAX_CHARS, error)
      || !check_field (policy->member_id, _("The member ID"), TRUE, FIELD_MAX_CHARS, error)
      || !check_field (policy->group_number, _("The group number"), FALSE, FIELD_MAX_CHARS, error)
      || !check_date (policy->valid_from, _("“Valid from”"), TRUE, &from, error)
      || !check_date (policy->valid_until, _("“Valid until”"), FALSE, &until, error))
    return 0;
  if (*until != '\0' && strcmp (until, from) < 0)
    {
      g_set_error_literal (error, CLINIC_ERROR, CLINIC_ERROR_INVALID,
                           _("The policy ends before it starts."));
      return 0;
    }
  if (policy->copay_cents < 0 || policy->copay_cents > 100000000)
    {
      g_set_error_literal (error, CLINIC_ERROR, CLINIC_ERROR_INVALID,
                           _("The copay cannot be negative."));
      return 0;
    }

  db = clinic_session_get_db (session);
  if (!clinic_db_begin_write (db, error))
    return 0;
  if (!check_patient (db, policy->patient_id, error))
    goto fail;
  if (policy->id != 0)
    {
      gint64 owner;

      if (!lookup_int (db, "SELECT patient_id FROM insurance_policies WHERE id = ?1", policy->id,
                       _("There is no such insurance policy."), &owner, error))
        goto fail;
      if (owner != policy->patient_id)
        {
          g_set_error_literal (error, CLINIC_ERROR, CLINIC_ERROR_INVALID,
                               _("The insurance policy belongs to another patient."));
          goto fail;
        }
      stmt = clinic_db_prepare (db,
                                "UPDATE insurance_policies SET payer = :payer, member_id = :member,"
                                " group_number = :group, valid_from = :from, valid_until = :until,"
                                " copay_cents = :copay, is_primary = :primary, updated_at = :now"
                                " WHERE id = :id",
                                error);
    }
  else
    stmt = clinic_db_prepare (db,
                              "INSERT INTO insurance_policies (patient_id, payer, member_id,"
                              " group_number, valid_from, valid_until, copay_cents, is_primary,"
                              " created_at, updated_at) VALUES (:patient, :payer, :member, :group,"
                              " :from, :until, :copay, :primary, :now, :now)",
                              error);
  if (stmt == NULL)
    goto fail;
  bind_int (stmt, ":patient", policy->patient_id);
  bind_int (stmt, ":id", policy->id);
  bind_trimmed (stmt, ":payer", policy->payer);
  bind_trimmed (stmt, ":member", policy->member_id);
  bind_trimmed (stmt, ":group", policy->group_number);
  bind_trimmed (stmt, ":from", from);
  bind_trimmed (stmt, ":until", until);
  bind_int (stmt, ":copay", policy->copay_cents);
  bind_int (stmt, ":primary", policy->is_primary ? 1 : 0);
  bind_int (stmt, ":now", now_seconds ());
  if (policy->id != 0)
    id = clinic_db_step_done (db, stmt, error) ? policy->id : 0;
  else
    id = step_insert (db, stmt, error);
  if (id == 0
      || !audit (db, session, policy->id != 0 ? "insurance.changed" : "insurance.added",
                 "insurance", id, policy->patient_id, NULL, error)
      || !clinic_db_commit (db, error))
    goto fail;
  return id;

fail:
  clinic_db_rollback (db);
  return 0;
}

/* --- Allergies --------------------------------------------------------------------- */

static gboolean
require_chart_write (ClinicSession  *session,
                     GError        **error)
{
  return clinic_session_require_staff (session, CLINIC_PERMISSION_CHART_WRITE, error);
}

static GPtrArray *
read_allergies (ClinicDb            *db,
                gint64               patient_id,
                ClinicAllergyState  *state,
                GError             **error)
{
  g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func ((GDestroyNotify) clinic_allergy_free);
  sqlite3_stmt *stmt;
  gint64 nka;
  int rc;

  if (!lookup_int (db, "SELECT no_known_allergies FROM patients WHERE id = ?1", patient_id,
                   _("There is no such patient."), &nka, error))
    return NULL;

  stmt = clinic_db_prepare (db,
                            "SELECT a.id, a.substance, a.reaction, a.severity, a.recorded_at,"
                            " u.display_name FROM allergies a JOIN users u ON u.id = a.recorded_by"
                            " WHERE a.patient_id = ?1 AND a.status = 'active'"
                            " ORDER BY a.recorded_at, a.id",
                            error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, patient_id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      ClinicAllergy *a = g_new0 (ClinicAllergy, 1);
      const char *severity = (const char *) sqlite3_column_text (stmt, 3);

      a->id = sqlite3_column_int64 (stmt, 0);
      a->patient_id = patient_id;
      a->substance = clinic_db_column_text (stmt, 1);
      a->reaction = clinic_db_column_text (stmt, 2);
      for (guint i = 0; i < G_N_ELEMENTS (severity_keys); i++)
        if (g_strcmp0 (severity, severity_keys[i]) == 0)
          a->severity = i;
      a->recorded_at = sqlite3_column_int64 (stmt, 4);
      a->recorded_by = clinic_db_column_text (stmt, 5);
      g_ptr_array_add (list, a);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      clinic_db_set_error (db, rc, error);
      return NULL;
    }
  if (state != NULL)
    *state = list->len > 0 ? CLINIC_ALLERGIES_RECORDED
             : nka ? CLINIC_ALLERGIES_NONE_KNOWN : CLINIC_ALLERGIES_NOT_RECORDED;
  return g_steal_pointer (&list);
}

GPtrArray *
clinic_chart_list_allergies (ClinicSession       *session,
                             gint64               patient_id,
                             ClinicAllergyState  *state,
                             GError             **error)
{
  if (!clinic_session_require_staff (session, CLINIC_PERMISSION_CHART_READ, error))
    return NULL;
  return read_allergies (clinic_session_get_db (session), patient_id, state, error);
}

gint64
clinic_chart_add_allergy (ClinicSession   *session,
                          gint64           patient_id,
                          const char      *substance,
                          const char      *reaction,
                          ClinicSeverity   severity,
                          GError         **error)
{
  sqlite3_stmt *stmt;
  ClinicDb *db;
  gint64 id;

  if (!require_chart_write (session, error)
      || !check_field (substance, _("The substance"), TRUE, FIELD_MAX_CHARS, error)
      || !check_field (reaction, _("The reaction"), FALSE, FIELD_MAX_CHARS, error))
    return 0;
  if ((guint) severity >= G_N_ELEMENTS (severity_keys))
    {
      g_set_error_literal (error, CLINIC_ERROR, CLINIC_ERROR_INVALID, _("Unknown severity."));
      return 0;
    }

  db = clinic_session_get_db (session);
  if (!clinic_db_begin_write (db, error))
    return 0;
  if (!check_patient (db, patient_id, error))
    goto fail;
  stmt = clinic_db_prepare (db,
                            "INSERT INTO allergies (patient_id, substance, reaction, severity,"
                            " recorded_at, recorded_by) VALUES (:patient, :substance, :reaction,"
                            " :severity, :now, :user)",
                            error);
  if (stmt == NULL)
    goto fail;
  bind_int (stmt, ":patient", patient_id);
  bind_trimmed (stmt, ":substance", substance);
  bind_trimmed (stmt, ":reaction", reaction);
  bind_trimmed (stmt, ":severity", severity_keys[severity]);
  bind_int (stmt, ":now", now_seconds ());
  bind_int (stmt, ":user", clinic_session_get_user_id (session));
  if ((id = step_insert (db, stmt, error)) == 0)
    goto fail;
  /* A recorded allergy ends "no known allergies". */
  stmt = clinic_db_prepare (db, "UPDATE patients SET no_known_allergies = 0 WHERE id = ?1", error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_int64 (stmt, 1, patient_id);
  if (!clinic_db_step_done (db, stmt, error)
      || !audit (db, session, "allergy.added", "allergy", id, patient_id, NULL, error)
      || !clinic_db_commit (db, error))
    goto fail;
  return id;

fail:
  clinic_db_rollback (db);
  return 0;
}

gboolean
clinic_chart_retract_allergy (ClinicSession  *session,
                              gint64          allergy_id,
                              GError        **error)
{
  sqlite3_stmt *stmt;
  ClinicDb *db;
  gint64 patient_id;

  if (!require_chart_write (session, error))
    return FALSE;
  db = clinic_session_get_db (session);
  if (!clinic_db_begin_write (db, error))
    return FALSE;
  if (!lookup_int (db, "SELECT patient_id FROM allergies WHERE id = ?1 AND status = 'active'",
                   allergy_id, _("There is no such allergy in the chart."), &patient_id, error))
    goto fail;
  stmt = clinic_db_prepare (db, "UPDATE allergies SET status = 'entered-in-error' WHERE id = ?1",
                            error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_int64 (stmt, 1, allergy_id);
  if (!clinic_db_step_done (db, stmt, error)
      || !audit (db, session, "allergy.retracted", "allergy", allergy_id, patient_id, NULL, error)
      || !clinic_db_commit (db, error))
    goto fail;
  return TRUE;

fail:
  clinic_db_rollback (db);
  return FALSE;
}

gboolean
clinic_chart_set_no_known_allergies (ClinicSession  *session,
                                     gint64          patient_id,
                                     GError        **error)
{
  sqlite3_stmt *stmt;
  ClinicDb *db;
  gint64 count;

  if (!require_chart_write (session, error))
    return FALSE;
  db = clinic_session_get_db (session);
  if (!clinic_db_begin_write (db, error))
    return FALSE;
  if (!check_patient (db, patient_id, error)
      || !lookup_int (db, "SELECT count(*) FROM allergies WHERE patient_id = ?1 AND status = 'active'",
                      patient_id, "", &count, error))
    goto fail;
  if (count > 0)
    {
      g_set_error_literal (error, CLINIC_ERROR, CLINIC_ERROR_CONFLICT,
                           _("Allergies are recorded for this patient. Mark them as entered in error first if they are wrong."));
      goto fail;
    }
  stmt = clinic_db_prepare (db, "UPDATE patients SET no_known_allergies = 1 WHERE id = ?1", error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_int64 (stmt, 1, patient_id);
  if (!clinic_db_step_done (db, stmt, error)
      || !audit (db, session, "allergy.none-known", "patient", patient_id, patient_id, NULL, error)
      || !clinic_db_commit (db, error))
    goto fail;
  return TRUE;

fail:
  clinic_db_rollback (db);
  return FALSE;
}

/* --- Conditions and medications ------------------------------------------------------ */

typedef struct
{
  const char *table;
  const char *name_column;
  const char *detail_column;
  const char *start_column;
  const char *end_column;      /* NULL: no end date */
  const char *ended_status;
  const char *object_type;
} ItemTable;

static const ItemTable item_tables[] = {
  [CLINIC_CHART_CONDITION] = { "conditions", "name", "notes", "onset", NULL, "resolved", "condition" },
  [CLINIC_CHART_MEDICATION] = { "medications", "drug", "dosage", "started", "stopped", "stopped", "medication" },
};

static const ItemTable *
item_table (ClinicChartItemKind   kind,
            GError              **error)
{
  if ((guint) kind >= G_N_ELEMENTS (item_tables))
    {
      g_set_error_literal (error, CLINIC_ERROR, CLINIC_ERROR_INVALID, _("Unknown kind of chart entry."));
      return NULL;
    }
  return &item_tables[kind];
}

static GPtrArray *
read_items (ClinicDb             *db,
            ClinicChartItemKind   kind,
            gint64                patient_id,
            GError              **error)
{
  g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func ((GDestroyNotify) clinic_chart_item_free);
  const ItemTable *t = &item_tables[kind];
  g_autofree char *sql = NULL;
  sqlite3_stmt *stmt;
  int rc;

  sql = g_strdup_printf ("SELECT x.id, x.%s, x.%s, x.%s, %s, x.status, x.recorded_at, u.display_name"
                         " FROM %s x JOIN users u ON u.id = x.recorded_by"
                         " WHERE x.patient_id = ?1 AND x.status <> 'entered-in-error'"
                         " ORDER BY x.status = 'active' DESC, x.%s DESC, x.id DESC",
                         t->name_column, t->detail_column, t->start_column,
                         t->end_column != NULL ? t->end_column : "''", t->table, t->start_column);
  stmt = clinic_db_prepare (db, sql, error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, patient_id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      ClinicChartItem *item = g_new0 (ClinicChartItem, 1);

      item->id = sqlite3_column_int64 (stmt, 0);
      item->patient_id = patient_id;
      item->kind = kind;
      item->name = clinic_db_column_text (stmt, 1);
      item->detail = clinic_db_column_text (stmt, 2);
      item->start_date = clinic_db_column_text (stmt, 3);
      item->end_date = clinic_db_column_text (stmt, 4);
      item->status = g_strcmp0 ((const char *) sqlite3_column_text (stmt, 5), "active") == 0
                     ? CLINIC_ITEM_ACTIVE : CLINIC_ITEM_ENDED;
      item->recorded_at = sqlite3_column_int64 (stmt, 6);
      item->recorded_by = clinic_db_column_text (stmt, 7);
      g_ptr_array_add (list, item);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      clinic_db_set_error (db, rc, error);
      return NULL;
    }
  return g_steal_pointer (&list);
}

gint64
clinic_chart_add_item (ClinicSession          *session,
                       const ClinicChartItem  *item,
                       GError                **error)
{
  g_autofree char *start = NULL;
  g_autofree char *sql = NULL;
  g_autofree char *action = NULL;
  const ItemTable *t;
  sqlite3_stmt *stmt;
  ClinicDb *db;
  gint64 id;

  g_return_val_if_fail (item != NULL, 0);

  if (!require_chart_write (session, error) || (t = item_table (item->kind, error)) == NULL)
    return 0;
  if (!check_field (item->name, item->kind == CLINIC_CHART_CONDITION ? _("The condition") : _("The drug"),
                    TRUE, FIELD_MAX_CHARS, error)
      || !check_field (item->detail, item->kind == CLINIC_CHART_CONDITION ? _("The notes") : _("The dosage"),
                       FALSE, TEXT_MAX_CHARS, error)
      || !check_date (item->start_date,
                      item->kind == CLINIC_CHART_CONDITION ? _("The onset") : _("The start date"),
                      FALSE, &start, error))
    return 0;

  db = clinic_session_get_db (session);
  if (!clinic_db_begin_write (db, error))
    return 0;
  if (!check_patient (db, item->patient_id, error))
    goto fail;
  sql = g_strdup_printf ("INSERT INTO %s (patient_id, %s, %s, %s, recorded_at, recorded_by)"
                         " VALUES (:patient, :name, :detail, :start, :now, :user)",
                         t->table, t->name_column, t->detail_column, t->start_column);
  stmt = clinic_db_prepare (db, sql, error);
  if (stmt == NULL)
    goto fail;
  bind_int (stmt, ":patient", item->patient_id);
  bind_trimmed (stmt, ":name", item->name);
  bind_trimmed (stmt, ":detail", item->detail);
  bind_trimmed (stmt, ":start", start);
  bind_int (stmt, ":now", now_seconds ());
  bind_int (stmt, ":user", clinic_session_get_user_id (session));
  action = g_strconcat (t->object_type, ".added", NULL);
  if ((id = step_insert (db, stmt, error)) == 0
      || !audit (db, session, action, t->object_type, id, item->patient_id, NULL, error)
      || !clinic_db_commit (db, error))
    goto fail;
  return id;

fail:
  clinic_db_rollback (db);
  return 0;
}

gboolean
clinic_chart_end_item (ClinicSession          *session,
                       ClinicChartItemKind     kind,
                       gint64                  item_id,
                       ClinicChartItemStatus   status,
                       const char             *date,
                       GError                **error)
{
  g_autofree char *day = NULL;
  g_autofree char *select = NULL;
  g_autofree char *update = NULL;
  g_autofree char *action = NULL;
  const ItemTable *t;
  sqlite3_stmt *stmt;
  ClinicDb *db;
  gint64 patient_id;

  if (!require_chart_write (session, error) || (t = item_table (kind, error)) == NULL)
    return FALSE;
  if (status != CLINIC_ITEM_ENDED && status != CLINIC_ITEM_ENTERED_IN_ERROR)
    {
      g_set_error_literal (error, CLINIC_ERROR, CLINIC_ERROR_INVALID,
                           _("A chart entry can only be ended or marked as entered in error."));
      return FALSE;
    }
  if (date == NULL)
    day = today_iso ();
  else if (!check_date (date, _("The end date"), TRUE, &day, error))
    return FALSE;

  db = clinic_session_get_db (session);
  if (!clinic_db_begin_write (db, error))
    return FALSE;
  select = g_strdup_printf ("SELECT patient_id FROM %s WHERE id = ?1 AND status = 'active'", t->table);
  if (!lookup_int (db, select, item_id, _("There is no such active entry in the chart."), &patient_id, error))
    goto fail;
  if (status == CLINIC_ITEM_ENTERED_IN_ERROR)
    update = g_strdup_printf ("UPDATE %s SET status = 'entered-in-error' WHERE id = :id", t->table);
  else if (t->end_column != NULL)
    update = g_strdup_printf ("UPDATE %s SET status = '%s', %s = :day WHERE id = :id",
                              t->table, t->ended_status, t->end_column);
  else
    update = g_strdup_printf ("UPDATE %s SET status = '%s' WHERE id = :id", t->table, t->ended_status);
  stmt = clinic_db_prepare (db, update, error);
  if (stmt == NULL)
    goto fail;
  bind_int (stmt, ":id", item_id);
  if (sqlite3_bind_parameter_index (stmt, ":day") > 0)
    bind_trimmed (stmt, ":day", day);
  action = g_strconcat (t->object_type,
                        status == CLINIC_ITEM_ENTERED_IN_ERROR ? ".retracted" : ".ended", NULL);
  if (!clinic_db_step_done (db, stmt, error)
      || !audit (db, session, action, t->object_type, item_id, patient_id, NULL, error)
      || !clinic_db_commit (db, error))
    goto fail;
  return TRUE;

fail:
  clinic_db_rollback (db);
  return FALSE;
}

/* The last steps of signing a draft of @table ("visit_notes",
 * "prescriptions"): the signature stored, the audit entry
 * ("<object_type>.signed" with the signature), the commit. */
static gboolean
store_signature (ClinicDb       *db,
                 ClinicSession  *session,
                 const char     *table,
                 const char     *object_type,
                 gint64          id,
                 gint64          patient_id,
                 gint64          signed_at,
                 const char     *signature,
                 GError        **error)
{
  g_autofree char *sql = g_strdup_printf ("UPDATE %s SET signed_at = ?2, signature = ?3 WHERE id = ?1", table);
  g_autofree char *action = g_strconcat (object_type, ".signed", NULL);
  sqlite3_stmt *stmt = clinic_db_prepare (db, sql, error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, id);
  sqlite3_bind_int64 (stmt, 2, signed_at);
  sqlite3_bind_text (stmt, 3, signature, -1, SQLITE_TRANSIENT);
  return clinic_db_step_done (db, stmt, error)
         && audit (db, session, action, object_type, id, patient_id, signature, error)
         && clinic_db_commit (db, error);
}

/* The last steps of discarding an unsigned draft of @table: deleted,
 * audited "<object_type>.discarded", committed. */
static gboolean
delete_draft (ClinicDb       *db,
              ClinicSession  *session,
              const char     *table,
              const char     *object_type,
              gint64          id,
              gint64          patient_id,
              GError        **error)
{
  g_autofree char *sql = g_strdup_printf ("DELETE FROM %s WHERE id = ?1 AND signed_at IS NULL", table);
  g_autofree char *action = g_strconcat (object_type, ".discarded", NULL);
  sqlite3_stmt *stmt = clinic_db_prepare (db, sql, error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, id);
  return clinic_db_step_done (db, stmt, error)
         && audit (db, session, action, object_type, id, patient_id, NULL, error)
         && clinic_db_commit (db, error);
}

/* --- Visit notes ----------------------------------------------------------------- */

#define NOTE_COLUMNS \
  "n.id, n.patient_id, n.author_id, u.display_name, n.encounter_date, n.subjective," \
  " n.objective, n.assessment, n.plan, n.free_text, n.created_at, n.signed_at, n.signature"

static ClinicVisitNote *
note_from_row (sqlite3_stmt *stmt)
{
  ClinicVisitNote *n = g_new0 (ClinicVisitNote, 1);

  n->id = sqlite3_column_int64 (stmt, 0);
  n->patient_id = sqlite3_column_int64 (stmt, 1);
  n->author_id = sqlite3_column_int64 (stmt, 2);
  n->author_name = clinic_db_column_text (stmt, 3);
  n->encounter_date = clinic_db_column_text (stmt, 4);
  n->subjective = clinic_db_column_text (stmt, 5);
  n->objective = clinic_db_column_text (stmt, 6);
  n->assessment = clinic_db_column_text (stmt, 7);
  n->plan = clinic_db_column_text (stmt, 8);
  n->free_text = clinic_db_column_text (stmt, 9);
  n->created_at = sqlite3_column_int64 (stmt, 10);
  n->signed_at = sqlite3_column_int64 (stmt, 11);
  n->signature = sqlite3_column_type (stmt, 12) == SQLITE_NULL ? NULL : clinic_db_column_text (stmt, 12);
  n->addenda = g_ptr_array_new_with_free_func ((GDestroyNotify) clinic_note_addendum_free);
  return n;
}

static ClinicVisitNote *
fetch_note (ClinicDb  *db,
            gint64     note_id,
            GError   **error)
{
  sqlite3_stmt *stmt;
  ClinicVisitNote *n = NULL;
  int rc;

  stmt = clinic_db_prepare (db, "SELECT " NOTE_COLUMNS " FROM visit_notes n"
                            " JOIN users u ON u.id = n.author_id WHERE n.id = ?1", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, note_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    n = note_from_row (stmt);
  sqlite3_reset (stmt);
  if (rc == SQLITE_DONE)
    g_set_error_literal (error, CLINIC_ERROR, CLINIC_ERROR_NOT_FOUND, _("There is no such visit note."));
  else if (rc != SQLITE_ROW)
    clinic_db_set_error (db, rc, error);
  return n;
}

static GPtrArray *
read_notes (ClinicDb  *db,
            gint64     patient_id,
            GError   **error)
{
  g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func ((GDestroyNotify) clinic_visit_note_free);
  g_autoptr(GHashTable) by_id = g_hash_table_new (g_int64_hash, g_int64_equal);
  sqlite3_stmt *stmt;
  int rc;

  stmt = clinic_db_prepare (db, "SELECT " NOTE_COLUMNS " FROM visit_notes n"
                            " JOIN users u ON u.id = n.author_id WHERE n.patient_id = ?1"
                            " ORDER BY n.encounter_date DESC, n.id DESC", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, patient_id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      ClinicVisitNote *n = note_from_row (stmt);

      g_ptr_array_add (list, n);
      g_hash_table_insert (by_id, &n->id, n);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    goto sql_fail;

  stmt = clinic_db_prepare (db,
                            "SELECT a.id, a.note_id, a.author_id, u.display_name, a.created_at, a.body"
                            " FROM note_addenda a JOIN visit_notes n ON n.id = a.note_id"
                            " JOIN users u ON u.id = a.author_id WHERE n.patient_id = ?1"
                            " ORDER BY a.created_at, a.id",
                            error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, patient_id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      ClinicNoteAddendum *a = g_new0 (ClinicNoteAddendum, 1);
      ClinicVisitNote *n;

      a->id = sqlite3_column_int64 (stmt, 0);
      a->note_id = sqlite3_column_int64 (stmt, 1);
      a->author_id = sqlite3_column_int64 (stmt, 2);
      a->author_name = clinic_db_column_text (stmt, 3);
      a->created_at = sqlite3_column_int64 (stmt, 4);
      a->body = clinic_db_column_text (stmt, 5);
      n = g_hash_table_lookup (by_id, &a->note_id);
      if (n != NULL)
        g_ptr_array_add (n->addenda, a);
      else
        clinic_note_addendum_free (a);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    goto sql_fail;
  return g_steal_pointer (&list);

sql_fail:
  clinic_db_set_error (db, rc, error);
  return NULL;
}

/* The draft @id, written by the session's user: anything else is refused
 * with a sentence saying why. */
static ClinicVisitNote *
own_draft_note (ClinicSession  *session,
                ClinicDb       *db,
                gint64          note_id,
                GError        **error)
{
  g_autoptr(ClinicVisitNote) n = fetch_note (db, note_id, error);

  if (n == NULL)
    return NULL;
  if (n->signed_at != 0)
    {
      g_set_error_literal (error, CLINIC_ERROR, CLINIC_ERROR_LOCKED,
                           _("This visit note is signed and can no longer be changed. Add an addendum instead."));
      return NULL;
    }
  if (n->author_id != clinic_session_get_user_id (session))
    {
      g_set_error (error, CLINIC_ERROR, CLINIC_ERROR_PERMISSION_DENIED,
                   _("Only the author, %s, can change or sign this draft."), n->author_name);
      return NULL;
    }
  return g_steal_pointer (&n);
}

gint64
clinic_chart_save_note (ClinicSession          *session,
                        const ClinicVisitNote  *note,
                        GError                **error)
{
  g_autofree char *day = NULL;
  sqlite3_stmt *stmt;
  ClinicDb *db;
  gint64 id;

  g_return_val_if_fail (note != NULL, 0);

  if (!require_chart_write (session, error)
      || !check_date (note->encounter_date, _("The date of the visit"), TRUE, &day, error)
      || !check_field (note->subjective, _("“Subjective”"), FALSE, TEXT_MAX_CHARS, error)
      || !check_field (note->objective, _("“Objective”"), FALSE, TEXT_MAX_CHARS, error)
      || !check_field (note->assessment, _("“Assessment”"), FALSE, TEXT_MAX_CHARS, error)
      || !check_field (note->plan, _("“Plan”"), FALSE, TEXT_MAX_CHARS, error)
      || !check_field (note->free_text, _("The note"), FALSE, TEXT_MAX_CHARS, error))
    return 0;

  db = clinic_session_get_db (session);
  if (!clinic_db_begin_write (db, error))
    return 0;
  if (!check_patient (db, note->patient_id, error))
    goto fail;
  if (note->id != 0)
    {
      g_autoptr(ClinicVisitNote) old = own_draft_note (session, db, note->id, error);

      if (old == NULL)
        goto fail;
      if (old->patient_id != note->patient_id)
        {
          g_set_error_literal (error, CLINIC_ERROR, CLINIC_ERROR_INVALID,
                               _("The visit note belongs to another patient."));
          goto fail;
        }
      stmt = clinic_db_prepare (db,
                                "UPDATE visit_notes SET encounter_date = :day, subjective = :s,"
                                " objective = :o, assessment = :a, plan = :p, free_text = :text,"
                                " updated_at = :now WHERE id = :id",
                                error);
    }
  else
    stmt = clinic_db_prepare (db,
                              "INSERT INTO visit_notes (patient_id, author_id, encounter_date,"
                              " subjective, objective, assessment, plan, free_text, created_at,"
                              " updated_at) VALUES (:patient, :user, :day, :s, :o, :a, :p, :text,"
                              " :now, :now)",
                              error);
  if (stmt == NULL)
    goto fail;
  bind_int (stmt, ":id", note->id);
  bind_int (stmt, ":patient", note->patient_id);
  bind_int (stmt, ":user", clinic_session_get_user_id (session));
  bind_trimmed (stmt, ":day", day);
  bind_trimmed (stmt, ":s", note->subjective);
  bind_trimmed (stmt, ":o", note->objective);
  bind_trimmed (stmt, ":a", note->assessment);
  bind_trimmed (stmt, ":p", note->plan);
  bind_trimmed (stmt, ":text", note->free_text);
  bind_int (stmt, ":now", now_seconds ());
  if (note->id != 0)
    id = clinic_db_step_done (db, stmt, error) ? note->id : 0;
  else
    id = step_insert (db, stmt, error);
  if (id == 0
      || !audit (db, session, note->id != 0 ? "note.changed" : "note.drafted", "note", id,
                 note->patient_id, NULL, error)
      || !clinic_db_commit (db, error))
    goto fail;
  return id;

fail:
  clinic_db_rollback (db);
  return 0;
}

gboolean
clinic_chart_sign_note (ClinicSession  *session,
                        gint64          note_id,
                        GError        **error)
{
  g_autoptr(ClinicVisitNote) n = NULL;
  g_autofree char *signature = NULL;
  ClinicDb *db;
  gint64 now = now_seconds ();

  if (!require_chart_write (session, error))
    return FALSE;
  db = clinic_session_get_db (session);
  if (!clinic_db_begin_write (db, error))
    return FALSE;
  if ((n = own_draft_note (session, db, note_id, error)) == NULL)
    goto fail;
  if (*n->subjective == '\0' && *n->objective == '\0' && *n->assessment == '\0'
      && *n->plan == '\0' && *n->free_text == '\0')
    {
      g_set_error_literal (error, CLINIC_ERROR, CLINIC_ERROR_INVALID,
                           _("The visit note is empty. Write something before signing it."));
      goto fail;
    }
  signature = note_signature (n, now);
  if (!store_signature (db, session, "visit_notes", "note", note_id, n->patient_id, now, signature, error))
    goto fail;
  return TRUE;

fail:
  clinic_db_rollback (db);
  return FALSE;
}

gboolean
clinic_chart_discard_note (ClinicSession  *session,
                           gint64          note_id,
                           GError        **error)
{
  g_autoptr(ClinicVisitNote) n = NULL;
  ClinicDb *db;

  if (!require_chart_write (session, error))
    return FALSE;
  db = clinic_session_get_db (session);
  if (!clinic_db_begin_write (db, error))
    return FALSE;
  if ((n = own_draft_note (session, db, note_id, error)) == NULL
      || !delete_draft (db, session, "visit_notes", "note", note_id, n->patient_id, error))
    goto fail;
  return TRUE;

fail:
  clinic_db_rollback (db);
  return FALSE;
}

gint64
clinic_chart_add_addendum (ClinicSession  *session,
                           gint64          note_id,
                           const char     *body,
                           GError        **error)
{
  g_autoptr(ClinicVisitNote) n = NULL;
  g_autofree char *signature = NULL;
  g_autofree char *trimmed = NULL;
  sqlite3_stmt *stmt;
  ClinicDb *db;
  gint64 now = now_seconds ();
  gint64 id;

  if (!require_chart_write (session, error)
      || !check_field (body, _("The addendum"), TRUE, TEXT_MAX_CHARS, error))
    return 0;
  trimmed = g_strstrip (g_strdup (body));

  db = clinic_session_get_db (session);
  if (!clinic_db_begin_write (db, error))
    return 0;
  if ((n = fetch_note (db, note_id, error)) == NULL)
    goto fail;
  if (n->signed_at == 0)
    {
      g_set_error_literal (error, CLINIC_ERROR, CLINIC_ERROR_INVALID,
                           _("The note is still a draft: change it instead of adding an addendum."));
      goto fail;
    }
  {
    const char *fields[] = { trimmed, NULL };

    signature = signature_of ("addendum", note_id, n->patient_id,
                              clinic_session_get_user_id (session), now, fields);
  }
  stmt = clinic_db_prepare (db,
                            "INSERT INTO note_addenda (note_id, author_id, created_at, body, signature)"
                            " VALUES (?1, ?2, ?3, ?4, ?5)",
                            error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_int64 (stmt, 1, note_id);
  sqlite3_bind_int64 (stmt, 2, clinic_session_get_user_id (session));
  sqlite3_bind_int64 (stmt, 3, now);
  sqlite3_bind_text (stmt, 4, trimmed, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 5, signature, -1, SQLITE_TRANSIENT);
  if ((id = step_insert (db, stmt, error)) == 0
      || !audit (db, session, "note.addendum", "note", note_id, n->patient_id, signature, error)
      || !clinic_db_commit (db, error))
    goto fail;
  return id;

fail:
  clinic_db_rollback (db);
  return 0;
}

/* --- Prescriptions ------------------------------------------------------------------ */

#define PRESCRIPTION_COLUMNS \
  "r.id, r.patient_id, r.prescriber_id, u.display_name, r.drug, r.strength, r.dose, r.route," \
  " r.frequency, r.duration, r.quantity, r.refills, r.instructions, r.prescribed_on," \
  " r.signed_at, r.signature"

static gpointer
prescription_from_row (sqlite3_stmt *stmt)
{
  ClinicPrescription *p = g_new0 (ClinicPrescription, 1);

  p->id = sqlite3_column_int64 (stmt, 0);
  p->patient_id = sqlite3_column_int64 (stmt, 1);
  p->prescriber_id = sqlite3_column_int64 (stmt, 2);
  p->prescriber_name = clinic_db_column_text (stmt, 3);
  p->drug = clinic_db_column_text (stmt, 4);
  p->strength = clinic_db_column_text (stmt, 5);
  p->dose = clinic_db_column_text (stmt, 6);
  p->route = clinic_db_column_text (stmt, 7);
  p->frequency = clinic_db_column_text (stmt, 8);
  p->duration = clinic_db_column_text (stmt, 9);
  p->quantity = clinic_db_column_text (stmt, 10);
  p->refills = sqlite3_column_int (stmt, 11);
  p->instructions = clinic_db_column_text (stmt, 12);
  p->prescribed_on = clinic_db_column_text (stmt, 13);
  p->signed_at = sqlite3_column_int64 (stmt, 14);
  p->signature = sqlite3_column_type (stmt, 15) == SQLITE_NULL ? NULL : clinic_db_column_text (stmt, 15);
  return p;
}

static GPtrArray *
read_prescriptions (ClinicDb    *db,
                    const char  *where,
                    gint64       id,
                    GError     **error)
{
  g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func ((GDestroyNotify) clinic_prescription_free);
  g_autofree char *sql = NULL;
  sqlite3_stmt *stmt;

  sql = g_strdup_printf ("SELECT " PRESCRIPTION_COLUMNS " FROM prescriptions r"
                         " JOIN users u ON u.id = r.prescriber_id WHERE %s"
                         " ORDER BY r.prescribed_on DESC, r.id DESC", where);
  stmt = clinic_db_prepare (db, sql, error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, id);
  if (!clinic_db_collect (db, stmt, list, prescription_from_row, error))
    return NULL;
  return g_steal_pointer (&list);
}

static ClinicPrescription *
own_draft_prescription (ClinicSession  *session,
                        ClinicDb       *db,
                        gint64          id,
                        GError        **error)
{
  g_autoptr(GPtrArray) found = read_prescriptions (db, "r.id = ?1", id, error);
  ClinicPrescription *p;

  if (found == NULL)
    return NULL;
  if (found->len == 0)
    {
      g_set_error_literal (error, CLINIC_ERROR, CLINIC_ERROR_NOT_FOUND, _("There is no such prescription."));
      return NULL;
    }
  p = found->pdata[0];
  if (p->signed_at != 0)
    {
      g_set_error_literal (error, CLINIC_ERROR, CLINIC_ERROR_LOCKED,
                           _("This prescription is signed and can no longer be changed. Write a new one instead."));
      return NULL;
    }
  if (p->prescriber_id != clinic_session_get_user_id (session))
    {
      g_set_error (error, CLINIC_ERROR, CLINIC_ERROR_PERMISSION_DENIED,
                   _("Only the prescriber, %s, can change or sign this draft."), p->prescriber_name);
      return NULL;
    }
  return g_ptr_array_steal_index (found, 0);
}

static gboolean
require_prescribe (ClinicSession  *session,
                   GError        **error)
{
  return clinic_session_require_staff (session, CLINIC_PERMISSION_PRESCRIPTIONS_WRITE, error);
}

gint64
clinic_chart_save_prescription (ClinicSession             *session,
                                const ClinicPrescription  *p,
                                GError                   **error)
{
  g_autofree char *day = NULL;
  sqlite3_stmt *stmt;
  ClinicDb *db;
  gint64 id;

  g_return_val_if_fail (p != NULL, 0);

  if (!require_prescribe (session, error))
    return 0;
  if (p->prescribed_on == NULL || *p->prescribed_on == '\0')
    day = today_iso ();
  else if (!check_date (p->prescribed_on, _("The date of the prescription"), TRUE, &day, error))
    return 0;
  if (!check_field (p->drug, _("The drug"), TRUE, FIELD_MAX_CHARS, error)
      || !check_field (p->strength, _("The strength"), FALSE, FIELD_MAX_CHARS, error)
      || !check_field (p->dose, _("The dose"), TRUE, FIELD_MAX_CHARS, error)
      || !check_field (p->route, _("The route"), FALSE, FIELD_MAX_CHARS, error)
      || !check_field (p->frequency, _("The frequency"), TRUE, FIELD_MAX_CHARS, error)
      || !check_field (p->duration, _("The duration"), FALSE, FIELD_MAX_CHARS, error)
      || !check_field (p->quantity, _("The quantity"), FALSE, FIELD_MAX_CHARS, error)
      || !check_field (p->instructions, _("The instructions"), FALSE, TEXT_MAX_CHARS, error))
    return 0;
  if (p->refills < 0 || p->refills > 99)
    {
      g_set_error_literal (error, CLINIC_ERROR, CLINIC_ERROR_INVALID,
                           _("Refills must be a number from 0 to 99."));
      return 0;
    }

  db = clinic_session_get_db (session);
  if (!clinic_db_begin_write (db, error))
    return 0;
  if (!check_patient (db, p->patient_id, error))
    goto fail;
  if (p->id != 0)
    {
      g_autoptr(ClinicPrescription) old = own_draft_prescription (session, db, p->id, error);

      if (old == NULL)
        goto fail;
      if (old->patient_id != p->patient_id)
        {
          g_set_error_literal (error, CLINIC_ERROR, CLINIC_ERROR_INVALID,
                               _("The prescription belongs to another patient."));
          goto fail;
        }
      stmt = clinic_db_prepare (db,
                                "UPDATE prescriptions SET drug = :drug, strength = :strength,"
                                " dose = :dose, route = :route, frequency = :frequency,"
                                " duration = :duration, quantity = :quantity, refills = :refills,"
                                " instructions = :instructions, prescribed_on = :day,"
                                " updated_at = :now WHERE id = :id",
                                error);
    }
  else
    stmt = clinic_db_prepare (db,
                              "INSERT INTO prescriptions (patient_id, prescriber_id, drug, strength,"
                              " dose, route, frequency, duration, quantity, refills, instructions,"
                              " prescribed_on, created_at, updated_at) VALUES (:patient, :user,"
                              " :drug, :strength, :dose, :route, :frequency, :duration, :quantity,"
                              " :refills, :instructions, :day, :now, :now)",
                              error);
  if (stmt == NULL)
    goto fail;
  bind_int (stmt, ":id", p->id);
  bind_int (stmt, ":patient", p->patient_id);
  bind_int (stmt, ":user", clinic_session_get_user_id (session));
  bind_trimmed (stmt, ":drug", p->drug);
  bind_trimmed (stmt, ":strength", p->strength);
  bind_trimmed (stmt, ":dose", p->dose);
  bind_trimmed (stmt, ":route", p->route);
  bind_trimmed (stmt, ":frequency", p->frequency);
  bind_trimmed (stmt, ":duration", p->duration);
  bind_trimmed (stmt, ":quantity", p->quantity);
  bind_int (stmt, ":refills", p->refills);
  bind_trimmed (stmt, ":instructions", p->instructions);
  bind_trimmed (stmt, ":day", day);
  bind_int (stmt, ":now", now_seconds ());
  if (p->id != 0)
    id = clinic_db_step_done (db, stmt, error) ? p->id : 0;
  else
    id = step_insert (db, stmt, error);
  if (id == 0
      || !audit (db, session, p->id != 0 ? "prescription.changed" : "prescription.drafted",
                 "prescription", id, p->patient_id, NULL, error)
      || !clinic_db_commit (db, error))
    goto fail;
  return id;

fail:
  clinic_db_rollback (db);
  return 0;
}

gboolean
clinic_chart_sign_prescription (ClinicSession  *session,
                                gint64          prescription_id,
                                GError        **error)
{
  g_autoptr(ClinicPrescription) p = NULL;
  g_autofree char *signature = NULL;
  ClinicDb *db;
  gint64 now = now_seconds ();

  if (!require_prescribe (session, error))
    return FALSE;
  db = clinic_session_get_db (session);
  if (!clinic_db_begin_write (db, error))
    return FALSE;
  if ((p = own_draft_prescription (session, db, prescription_id, error)) == NULL)
    goto fail;
  signature = prescription_signature (p, now);
  if (!store_signature (db, session, "prescriptions", "prescription", prescription_id, p->patient_id, now,
                        signature, error))
    goto fail;
  return TRUE;

fail:
  clinic_db_rollback (db);
  return FALSE;
}

gboolean
clinic_chart_discard_prescription (ClinicSession  *session,
                                   gint64          prescription_id,
                                   GError        **error)
{
  g_autoptr(ClinicPrescription) p = NULL;
  ClinicDb *db;

  if (!require_prescribe (session, error))
    return FALSE;
  db = clinic_session_get_db (session);
  if (!clinic_db_begin_write (db, error))
    return FALSE;
  if ((p = own_draft_prescription (session, db, prescription_id, error)) == NULL
      || !delete_draft (db, session, "prescriptions", "prescription", prescription_id, p->patient_id, error))
    goto fail;
  return TRUE;

fail:
  clinic_db_rollback (db);
  return FALSE;
}

/* --- The whole chart and its timeline ----------------------------------------------- */

static void
add_event (GPtrArray       *timeline,
           const char      *date,
           gint64           time,
           ClinicEventKind  kind,
           gint64           ref_id,
           const char      *title,
           const char      *detail)
{
  ClinicTimelineEvent *e = g_new0 (ClinicTimelineEvent, 1);

  e->date = g_strdup (date != NULL && *date != '\0' ? date : "");
  e->time = time;
  e->kind = kind;
  e->ref_id = ref_id;
  e->title = g_strdup (title);
  e->detail = g_strdup (detail != NULL ? detail : "");
  g_ptr_array_add (timeline, e);
}

static int
compare_events (gconstpointer a,
                gconstpointer b)
{
  const ClinicTimelineEvent *x = *(ClinicTimelineEvent **) a;
  const ClinicTimelineEvent *y = *(ClinicTimelineEvent **) b;
  int c = strcmp (y->date, x->date);

  if (c != 0)
    return c;
  return (y->time > x->time) - (y->time < x->time);
}

static char *
first_line (const char *text,
            gsize       max_chars)
{
  g_autofree char *line = g_strndup (text, strcspn (text, "\n"));

  if (g_utf8_strlen (line, -1) > (glong) max_chars)
    {
      char *cut = g_utf8_offset_to_pointer (line, max_chars);

      *cut = '\0';
      return g_strconcat (line, "…", NULL);
    }
  return g_steal_pointer (&line);
}

static GPtrArray *
build_timeline (ClinicChart *chart,
                gint64       registered_at)
{
  GPtrArray *timeline = g_ptr_array_new_with_free_func ((GDestroyNotify) clinic_timeline_event_free);
  g_autofree char *registered = iso_day_of (registered_at);

  add_event (timeline, registered, registered_at, CLINIC_EVENT_REGISTERED, chart->patient_id,
             _("Registered"), NULL);
  for (guint i = 0; i < chart->insurance->len; i++)
    {
      ClinicInsurancePolicy *p = chart->insurance->pdata[i];
      g_autofree char *detail = g_strdup_printf (_("Member ID %s"), p->member_id);

      add_event (timeline, p->valid_from, 0, CLINIC_EVENT_INSURANCE, p->id, p->payer, detail);
    }
  for (guint i = 0; i < chart->allergies->len; i++)
    {
      ClinicAllergy *a = chart->allergies->pdata[i];
      g_autofree char *day = iso_day_of (a->recorded_at);
      g_autofree char *title = g_strdup_printf (_("Allergy: %s"), a->substance);

      add_event (timeline, day, a->recorded_at, CLINIC_EVENT_ALLERGY, a->id, title, a->reaction);
    }
  for (guint i = 0; i < chart->conditions->len; i++)
    {
      ClinicChartItem *c = chart->conditions->pdata[i];
      g_autofree char *day = *c->start_date != '\0' ? g_strdup (c->start_date) : iso_day_of (c->recorded_at);
      g_autofree char *title = g_strdup_printf (_("Condition: %s"), c->name);

      add_event (timeline, day, c->recorded_at, CLINIC_EVENT_CONDITION, c->id, title, c->detail);
    }
  for (guint i = 0; i < chart->medications->len; i++)
    {
      ClinicChartItem *m = chart->medications->pdata[i];
      g_autofree char *day = *m->start_date != '\0' ? g_strdup (m->start_date) : iso_day_of (m->recorded_at);
      g_autofree char *title = g_strdup_printf (_("Medication started: %s"), m->name);

      add_event (timeline, day, m->recorded_at, CLINIC_EVENT_MEDICATION, m->id, title, m->detail);
      if (*m->end_date != '\0')
        {
          g_autofree char *stopped = g_strdup_printf (_("Medication stopped: %s"), m->name);

          add_event (timeline, m->end_date, 0, CLINIC_EVENT_MEDICATION, m->id, stopped, NULL);
        }
    }
  for (guint i = 0; i < chart->notes->len; i++)
    {
      ClinicVisitNote *n = chart->notes->pdata[i];
      const char *body = *n->assessment != '\0' ? n->assessment
                         : *n->subjective != '\0' ? n->subjective : n->free_text;
      g_autofree char *line = first_line (body, 80);
      g_autofree char *title = n->signed_at != 0 ? g_strdup_printf (_("Visit note by %s"), n->author_name)
                                                 : g_strdup_printf (_("Draft visit note by %s"), n->author_name);

      add_event (timeline, n->encounter_date, n->created_at, CLINIC_EVENT_NOTE, n->id, title, line);
      for (guint j = 0; j < n->addenda->len; j++)
        {
          ClinicNoteAddendum *a = n->addenda->pdata[j];
          g_autofree char *day = iso_day_of (a->created_at);
          g_autofree char *a_line = first_line (a->body, 80);
          g_autofree char *a_title = g_strdup_printf (_("Addendum by %s"), a->author_name);

          add_event (timeline, day, a->created_at, CLINIC_EVENT_ADDENDUM, n->id, a_title, a_line);
        }
    }
  for (guint i = 0; i < chart->prescriptions->len; i++)
    {
      ClinicPrescription *p = chart->prescriptions->pdata[i];
      g_autofree char *title = g_strdup_printf (_("Prescription: %s %s"), p->drug, p->strength);
      g_autofree char *detail = g_strdup_printf ("%s, %s", p->dose, p->frequency);

      g_strstrip (title);
      add_event (timeline, p->prescribed_on, p->signed_at, CLINIC_EVENT_PRESCRIPTION, p->id,
                 title, detail);
    }

  g_ptr_array_sort (timeline, compare_events);
  return timeline;
}

/* Documents filed in the chart (clinic-documents.c) join the timeline. */
static gboolean
add_document_events (ClinicDb     *db,
                     ClinicChart  *chart,
                     GError      **error)
{
  sqlite3_stmt *stmt;
  int rc;

  stmt = clinic_db_prepare (db, "SELECT id, title, added_at FROM patient_documents WHERE patient_id = ?1",
                            error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, chart->patient_id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 added = sqlite3_column_int64 (stmt, 2);
      g_autofree char *day = iso_day_of (added);
      g_autofree char *title = g_strdup_printf (_("Document: %s"), (const char *) sqlite3_column_text (stmt, 1));

      add_event (chart->timeline, day, added, CLINIC_EVENT_DOCUMENT, sqlite3_column_int64 (stmt, 0), title, NULL);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      clinic_db_set_error (db, rc, error);
      return FALSE;
    }
  g_ptr_array_sort (chart->timeline, compare_events);
  return TRUE;
}

ClinicChart *
clinic_chart_load (ClinicSession  *session,
                   gint64          patient_id,
                   GError        **error)
{
  g_autoptr(ClinicChart) chart = NULL;
  g_autofree char *object_id = NULL;
  ClinicDb *db;
  gint64 registered_at;
  gboolean ok;

  if (!clinic_session_require_staff (session, CLINIC_PERMISSION_CHART_READ, error))
    return NULL;
  db = clinic_session_get_db (session);

  /* One read transaction, so the sections agree with each other. */
  if (!clinic_db_exec (db, "BEGIN", error))
    return NULL;
  chart = g_new0 (ClinicChart, 1);
  chart->patient_id = patient_id;
  ok = lookup_int (db, "SELECT created_at FROM patients WHERE id = ?1", patient_id,
                   _("There is no such patient."), &registered_at, error)
       && (chart->allergies = read_allergies (db, patient_id, &chart->allergy_state, error)) != NULL
       && (chart->conditions = read_items (db, CLINIC_CHART_CONDITION, patient_id, error)) != NULL
       && (chart->medications = read_items (db, CLINIC_CHART_MEDICATION, patient_id, error)) != NULL
       && (chart->notes = read_notes (db, patient_id, error)) != NULL
       && (chart->prescriptions = read_prescriptions (db, "r.patient_id = ?1", patient_id, error)) != NULL;
  /* Insurance is contact data: shown to those who may read it. */
  if (ok)
    chart->insurance = clinic_session_has_permission (session, CLINIC_PERMISSION_PATIENTS_CONTACT_READ)
                       ? read_insurance (db, patient_id, error)
                       : g_ptr_array_new_with_free_func ((GDestroyNotify) clinic_insurance_policy_free);
  if (ok && chart->insurance != NULL)
    {
      chart->timeline = build_timeline (chart, registered_at);
      ok = add_document_events (db, chart, error);
    }
  clinic_db_rollback (db);
  if (!ok || chart->insurance == NULL)
    return NULL;

  object_id = g_strdup_printf ("%" G_GINT64_FORMAT, patient_id);
  if (!clinic_audit_record (db, session, NULL, "chart.opened", "patient", object_id, patient_id,
                            NULL, NULL, error))
    return NULL;
  return g_steal_pointer (&chart);
}
