/* clinic-patients.c — the patient registry
 *
 * The record, its validation, duplicates, and the registry's search. The
 * search is SQL only: name parts through an FTS5 index that folds accents
 * and indexes prefixes, phone numbers through an FTS5 trigram index over
 * their digits (so any three or more digits match, whatever the
 * formatting), chart numbers and dates of birth through plain indexes.
 */

#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>
#include <sqlite3.h>

#include "clinic-audit-private.h"
#include "clinic-db-private.h"
#include "clinic-error.h"
#include "clinic-patients-private.h"

#define NAME_MAX_CHARS   100
#define FIELD_MAX_CHARS  500
#define NOTES_MAX_CHARS  10000
#define PHONE_MIN_DIGITS 3
#define PHONE_MAX_DIGITS 20
#define RANK_LIMIT       5000   /* matches ranked by relevance; more are listed by name */

static const char *const sex_names[] = { "unknown", "female", "male", "other" };
static const char *const status_names[] = { "active", "inactive", "deceased" };

#define PATIENT_COLUMNS \
  "p.id, p.chart_number, p.family_name, p.given_names, p.birth_date, p.sex, p.phone, " \
  "p.phone2, p.email, p.address, p.emergency_contact, p.language, p.notes, " \
  "p.national_id, p.insurance_id, p.treatment, p.status, p.created_at, p.updated_at, " \
  "(SELECT m.chart_number FROM patients m WHERE m.id = p.merged_into), " \
  "EXISTS (SELECT 1 FROM patient_photos ph WHERE ph.patient_id = p.id)"

const char *
clinic_sex_to_string (ClinicSex sex)
{
  g_return_val_if_fail (sex <= CLINIC_SEX_OTHER, "unknown");
  return sex_names[sex];
}

const char *
clinic_patient_status_to_string (ClinicPatientStatus status)
{
  g_return_val_if_fail (status <= CLINIC_PATIENT_DECEASED, "active");
  return status_names[status];
}

static int
lookup_name (const char        *text,
             const char *const *names,
             int                n)
{
  for (int i = 0; i < n; i++)
    if (g_strcmp0 (text, names[i]) == 0)
      return i;
  return 0;
}

ClinicPatient *
clinic_patient_new (void)
{
  ClinicPatient *p = g_new0 (ClinicPatient, 1);

  p->chart_number = g_strdup ("");
  p->family_name = g_strdup ("");
  p->given_names = g_strdup ("");
  p->birth_date = g_strdup ("");
  p->phone = g_strdup ("");
  p->phone2 = g_strdup ("");
  p->email = g_strdup ("");
  p->address = g_strdup ("");
  p->emergency_contact = g_strdup ("");
  p->language = g_strdup ("");
  p->notes = g_strdup ("");
  p->national_id = g_strdup ("");
  p->insurance_id = g_strdup ("");
  p->treatment = g_strdup ("");
  return p;
}

ClinicPatient *
clinic_patient_copy (const ClinicPatient *src)
{
  ClinicPatient *p = g_new0 (ClinicPatient, 1);

  *p = *src;
  p->chart_number = g_strdup (src->chart_number);
  p->family_name = g_strdup (src->family_name);
  p->given_names = g_strdup (src->given_names);
  p->birth_date = g_strdup (src->birth_date);
  p->phone = g_strdup (src->phone);
  p->phone2 = g_strdup (src->phone2);
  p->email = g_strdup (src->email);
  p->address = g_strdup (src->address);
  p->emergency_contact = g_strdup (src->emergency_contact);
  p->language = g_strdup (src->language);
  p->notes = g_strdup (src->notes);
  p->national_id = g_strdup (src->national_id);
  p->insurance_id = g_strdup (src->insurance_id);
  p->treatment = g_strdup (src->treatment);
  p->merged_into = g_strdup (src->merged_into);
  p->visit_type = g_strdup (src->visit_type);
  return p;
}

void
clinic_patient_free (ClinicPatient *p)
{
  if (p == NULL)
    return;
  g_free (p->chart_number);
  g_free (p->family_name);
  g_free (p->given_names);
  g_free (p->birth_date);
  g_free (p->phone);
  g_free (p->phone2);
  g_free (p->email);
  g_free (p->address);
  g_free (p->emergency_contact);
  g_free (p->language);
  g_free (p->notes);
  g_free (p->national_id);
  g_free (p->insurance_id);
  g_free (p->treatment);
  g_free (p->merged_into);
  g_free (p->visit_type);
  g_free (p);
}

/* --- Dates ---------------------------------------------------------------- */

/* A valid calendar date in strict ISO form "YYYY-MM-DD". */
static gboolean
parse_iso_date (const char *text,
                GDate      *date)
{
  unsigned y, m, d;
  char tail;

  if (text == NULL || strlen (text) != 10 || text[4] != '-' || text[7] != '-')
    return FALSE;
  for (int i = 0; i < 10; i++)
    if (i != 4 && i != 7 && !g_ascii_isdigit (text[i]))
      return FALSE;
  if (sscanf (text, "%4u-%2u-%2u%c", &y, &m, &d, &tail) != 3)
    return FALSE;
  if (y < 1 || m < 1 || m > 12 || d < 1 || !g_date_valid_dmy (d, m, y))
    return FALSE;
  g_date_clear (date, 1);
  g_date_set_dmy (date, d, m, y);
  return TRUE;
}

static char *
format_iso_date (const GDate *date)
{
  return g_strdup_printf ("%04u-%02u-%02u", g_date_get_year (date),
                          g_date_get_month (date), g_date_get_day (date));
}

static void
get_today (GDate *date)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();

  g_date_clear (date, 1);
  g_date_set_dmy (date, g_date_time_get_day_of_month (now),
                  g_date_time_get_month (now), g_date_time_get_year (now));
}

/* Whether @date is after today (the local date). The local date costs a
 * look at the time zone (a file system call in GLib), which an import
 * would pay for each of 100,000 dates of birth; the UTC date is cheap
 * and never more than a day from any local one (UTC-12 to UTC+14), so
 * only a date from the day before UTC's today on needs the local one. */
static gboolean
may_be_future (const GDate *date)
{
  GDate epoch, today;
  guint32 utc_today;

  g_date_clear (&epoch, 1);
  g_date_set_dmy (&epoch, 1, G_DATE_JANUARY, 1970);
  utc_today = g_date_get_julian (&epoch) + (guint32) (g_get_real_time () / G_USEC_PER_SEC / 86400);
  if (g_date_get_julian (date) + 1 < utc_today)
    return FALSE;
  get_today (&today);
  return g_date_compare (date, &today) > 0;
}

char *
clinic_patient_parse_date (const char *text)
{
  g_autofree char *trimmed = NULL;
  GDate date;
  gboolean digit = FALSE;

  if (text == NULL)
    return NULL;
  trimmed = g_strstrip (g_strdup (text));
  if (parse_iso_date (trimmed, &date))
    return format_iso_date (&date);

  /* The locale's format, as GDate reads it ("12.03.1984", "3/12/1984").
   * GDate takes a lone number or a month name as a date too; a date of
   * birth needs day, month and a four-digit year. */
  for (const char *s = trimmed; *s; s++)
    {
      if (g_ascii_isdigit (*s))
        digit = TRUE;
      else if (!strchr ("./- ", *s))
        return NULL;
    }
  if (!digit)
    return NULL;
  g_date_clear (&date, 1);
  g_date_set_parse (&date, trimmed);
  if (!g_date_valid (&date) || g_date_get_year (&date) < 1000)
    return NULL;
  {
    g_autofree char *year = g_strdup_printf ("%u", g_date_get_year (&date));
    if (strstr (trimmed, year) == NULL)
      return NULL;
  }
  return format_iso_date (&date);
}

int
clinic_patient_age (const ClinicPatient *patient,
                    const char          *on)
{
  GDate birth, day;
  int age;

  if (!parse_iso_date (patient->birth_date, &birth))
    return -1;
  if (on == NULL)
    get_today (&day);
  else if (!parse_iso_date (on, &day))
    return -1;
  age = (int) g_date_get_year (&day) - (int) g_date_get_year (&birth);
  if (g_date_get_month (&day) < g_date_get_month (&birth)
      || (g_date_get_month (&day) == g_date_get_month (&birth)
          && g_date_get_day (&day) < g_date_get_day (&birth)))
    age--;
  return MAX (age, 0);
}

static gboolean
all_digits (const char *s)
{
  if (*s == '\0')
    return FALSE;
  for (; *s; s++)
    if (!g_ascii_isdigit (*s))
      return FALSE;
  return TRUE;
}

/* The chart number of patient number @n: "C" and six digits or more. */
static char *
chart_number_for (gint64 n)
{
  return g_strdup_printf ("C%06" G_GINT64_FORMAT, n);
}

/* --- Validation ----------------------------------------------------------- */

static char *
phone_digits (const char *phone)
{
  GString *digits = g_string_new (NULL);

  for (const char *s = phone; s != NULL && *s; s++)
    if (g_ascii_isdigit (*s))
      g_string_append_c (digits, *s);
  return g_string_free (digits, FALSE);
}

/* @text as names compare: decomposed, marks dropped, case-folded. */
static char *
fold_name (const char *text)
{
  g_autofree char *decomposed = g_utf8_normalize (text != NULL ? text : "", -1, G_NORMALIZE_NFKD);
  g_autoptr(GString) plain = g_string_new (NULL);

  for (const char *c = decomposed; c != NULL && *c; c = g_utf8_next_char (c))
    {
      gunichar u = g_utf8_get_char (c);

      if (g_unichar_type (u) != G_UNICODE_NON_SPACING_MARK)
        g_string_append_unichar (plain, u);
    }
  return g_utf8_casefold (plain->str, -1);
}

/* Family and given names for sorting, folded; \x01 between them sorts
 * "Meyer, Zoë" before "Meyers". */
static char *
sort_key (const char *family,
          const char *given)
{
  g_autofree char *f = fold_name (family);
  g_autofree char *g = fold_name (given);

  return g_strconcat (f, "\x01", g, NULL);
}

/* The checks below get their @label (and @missing) untranslated, marked
 * with N_(), and translate it only for an error: an import checks
 * 100,000 records, and a catalogue lookup per field of each added up. */
static gboolean
check_text (const char  *value,
            const char  *label,
            glong        max_chars,
            gboolean     single_line,
            GError     **error)
{
  if (value == NULL || !g_utf8_validate (value, -1, NULL))
    {
      g_set_error (error, CLINIC_ERROR, CLINIC_ERROR_INVALID,
                   _("%s contains characters that are not text."), _(label));
      return FALSE;
    }
  if (g_utf8_strlen (value, -1) > max_chars)
    {
      g_set_error (error, CLINIC_ERROR, CLINIC_ERROR_INVALID,
                   _("%s is too long (at most %ld characters)."), _(label), max_chars);
      return FALSE;
    }
  for (const char *s = value; *s; s++)
    if ((guchar) *s < 0x20 && !(!single_line && (*s == '\n' || *s == '\t')))
      {
        g_set_error (error, CLINIC_ERROR, CLINIC_ERROR_INVALID,
                     _("%s contains characters that are not text."), _(label));
        return FALSE;
      }
  return TRUE;
}

static gboolean
check_required (const char  *value,
                const char  *label,
                const char  *missing,
                GError     **error)
{
  g_autofree char *trimmed = NULL;

  if (!check_text (value, label, NAME_MAX_CHARS, TRUE, error))
    return FALSE;
  trimmed = g_strstrip (g_strdup (value));
  if (*trimmed == '\0')
    {
      g_set_error_literal (error, CLINIC_ERROR, CLINIC_ERROR_INVALID, _(missing));
      return FALSE;
    }
  return TRUE;
}

static gboolean
check_phone (const char  *phone,
             const char  *label,
             GError     **error)
{
  g_autofree char *digits = NULL;
  gsize n;

  if (!check_text (phone, label, 40, TRUE, error))
    return FALSE;
  if (*phone == '\0')
    return TRUE;
  for (const char *s = phone; *s; s++)
    if (!g_ascii_isdigit (*s) && !strchr (" +()-./", *s))
      {
        g_set_error (error, CLINIC_ERROR, CLINIC_ERROR_INVALID,
                     _("The phone number “%s” may hold only digits, spaces and + ( ) - . /"), phone);
        return FALSE;
      }
  digits = phone_digits (phone);
  n = strlen (digits);
  if (n < PHONE_MIN_DIGITS || n > PHONE_MAX_DIGITS)
    {
      g_set_error (error, CLINIC_ERROR, CLINIC_ERROR_INVALID,
                   _("The phone number “%s” needs between %d and %d digits."),
                   phone, PHONE_MIN_DIGITS, PHONE_MAX_DIGITS);
      return FALSE;
    }
  return TRUE;
}

static gboolean
check_email (const char  *email,
             GError     **error)
{
  const char *at, *dot;

  if (!check_text (email, N_("The email address"), 254, TRUE, error))
    return FALSE;
  if (*email == '\0')
    return TRUE;
  at = strchr (email, '@');
  dot = at ? strrchr (at, '.') : NULL;
  if (at == NULL || at == email || strchr (at + 1, '@') != NULL || strpbrk (email, " \t,;<>") != NULL
      || dot == NULL || dot == at + 1 || dot[1] == '\0')
    {
      g_set_error (error, CLINIC_ERROR, CLINIC_ERROR_INVALID,
                   _("“%s” is not an email address (it looks like name@example.org)."), email);
      return FALSE;
    }
  return TRUE;
}

gboolean
clinic_patient_validate (const ClinicPatient  *p,
                         GError              **error)
{
  GDate birth, earliest;

  g_return_val_if_fail (p != NULL, FALSE);

  if (!check_required (p->family_name, N_("The family name"), N_("Enter the family name."), error)
      || !check_required (p->given_names, N_("The given name"), N_("Enter the given names."), error))
    return FALSE;

  if (p->birth_date == NULL || *p->birth_date == '\0')
    {
      g_set_error_literal (error, CLINIC_ERROR, CLINIC_ERROR_INVALID, _("Enter the date of birth."));
      return FALSE;
    }
  if (!parse_iso_date (p->birth_date, &birth))
    {
      g_set_error (error, CLINIC_ERROR, CLINIC_ERROR_INVALID,
                   _("The date of birth “%s” is not a date (use YYYY-MM-DD)."), p->birth_date);
      return FALSE;
    }
  g_date_clear (&earliest, 1);
  g_date_set_dmy (&earliest, 1, 1, 1880);
  if (may_be_future (&birth) || g_date_compare (&birth, &earliest) < 0)
    {
      g_set_error (error, CLINIC_ERROR, CLINIC_ERROR_INVALID,
                   _("The date of birth “%s” is in the future or too long ago."), p->birth_date);
      return FALSE;
    }
  if (p->sex > CLINIC_SEX_OTHER || p->status > CLINIC_PATIENT_DECEASED)
    {
      g_set_error_literal (error, CLINIC_ERROR, CLINIC_ERROR_INVALID, _("The record is not valid."));
      return FALSE;
    }

  return check_phone (p->phone, N_("The phone number"), error)
      && check_phone (p->phone2, N_("The second phone number"), error)
      && check_email (p->email, error)
      && check_text (p->address, N_("The address"), FIELD_MAX_CHARS, FALSE, error)
      && check_text (p->emergency_contact, N_("The emergency contact"), FIELD_MAX_CHARS, TRUE, error)
      && check_text (p->language, N_("The preferred language"), NAME_MAX_CHARS, TRUE, error)
      && check_text (p->national_id, N_("The national id"), NAME_MAX_CHARS, TRUE, error)
      && check_text (p->insurance_id, N_("The insurance id"), NAME_MAX_CHARS, TRUE, error)
      && check_text (p->notes, N_("The notes"), NOTES_MAX_CHARS, FALSE, error)
      && (p->treatment == NULL
          || check_text (p->treatment, N_("The treatment plan"), FIELD_MAX_CHARS, FALSE, error));
}

/* --- Rows ----------------------------------------------------------------- */

static ClinicPatient *
read_patient (sqlite3_stmt  *stmt,
              gboolean       chart)
{
  ClinicPatient *p = g_new0 (ClinicPatient, 1);

  p->id = sqlite3_column_int64 (stmt, 0);
  p->chart_number = clinic_db_column_text (stmt, 1);
  p->family_name = clinic_db_column_text (stmt, 2);
  p->given_names = clinic_db_column_text (stmt, 3);
  p->birth_date = clinic_db_column_text (stmt, 4);
  p->sex = lookup_name ((const char *) sqlite3_column_text (stmt, 5), sex_names, G_N_ELEMENTS (sex_names));
  p->phone = clinic_db_column_text (stmt, 6);
  p->phone2 = clinic_db_column_text (stmt, 7);
  p->email = clinic_db_column_text (stmt, 8);
  p->address = clinic_db_column_text (stmt, 9);
  p->emergency_contact = clinic_db_column_text (stmt, 10);
  p->language = clinic_db_column_text (stmt, 11);
  p->notes = clinic_db_column_text (stmt, 12);
  p->national_id = clinic_db_column_text (stmt, 13);
  p->insurance_id = clinic_db_column_text (stmt, 14);
  p->treatment = chart ? clinic_db_column_text (stmt, 15) : NULL;
  p->status = lookup_name ((const char *) sqlite3_column_text (stmt, 16), status_names,
                           G_N_ELEMENTS (status_names));
  p->created_at = sqlite3_column_int64 (stmt, 17);
  p->updated_at = sqlite3_column_int64 (stmt, 18);
  p->merged_into = g_strdup ((const char *) sqlite3_column_text (stmt, 19));
  p->has_photo = sqlite3_column_int (stmt, 20) != 0;
  return p;
}

static gboolean
may_read_chart (ClinicSession *session)
{
  return clinic_session_has_permission (session, CLINIC_PERMISSION_CHART_READ);
}

/* Visits (the registry's visit columns and filters) are the schedule's:
 * any schedule permission reads them. */
static gboolean
may_read_visits (ClinicSession *session)
{
  return clinic_session_has_permission (session, CLINIC_PERMISSION_SCHEDULE_ALL)
         || clinic_session_has_permission (session, CLINIC_PERMISSION_SCHEDULE_OWN);
}

gboolean
clinic_patients_check_scope (ClinicSession  *session,
                             gint64          patient_id,
                             GError        **error)
{
  if (clinic_session_get_kind (session) == CLINIC_USER_PATIENT
      && clinic_session_get_patient_id (session) != patient_id)
    {
      g_set_error_literal (error, CLINIC_ERROR, CLINIC_ERROR_PERMISSION_DENIED,
                           _("You can only see your own record."));
      return FALSE;
    }
  return TRUE;
}

static ClinicPatient *
fetch_one (ClinicDb       *db,
           const char     *where,
           gint64          id,
           const char     *text,
           gboolean        chart,
           GError        **error)
{
  g_autofree char *sql = g_strdup_printf ("SELECT " PATIENT_COLUMNS " FROM patients p WHERE %s", where);
  sqlite3_stmt *stmt = clinic_db_prepare (db, sql, error);
  ClinicPatient *p = NULL;
  int rc;

  if (stmt == NULL)
    return NULL;
  if (text != NULL)
    sqlite3_bind_text (stmt, 1, text, -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_int64 (stmt, 1, id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    p = read_patient (stmt, chart);
  else if (rc == SQLITE_DONE)
    g_set_error_literal (error, CLINIC_ERROR, CLINIC_ERROR_NOT_FOUND, _("There is no such patient."));
  else
    clinic_db_set_error (db, rc, error);
  sqlite3_reset (stmt);
  return p;
}

static char *
describe (const ClinicPatient *p)
{
  /* TRANSLATORS: a patient named in a message: name, date of birth, chart number */
  return g_strdup_printf (_("%s, %s (born %s, chart %s)"), p->family_name, p->given_names,
                          p->birth_date, p->chart_number);
}

/* The two search indexes follow the row: fts_remove() before a change
 * (an external-content FTS5 table deletes by the old values), fts_add()
 * after it, in the same transaction. @last: 0 for the row @id alone. */
static gboolean
fts_run (ClinicDb    *db,
         const char  *sql,
         gint64       id,
         gint64       last,
         GError     **error)
{
  sqlite3_stmt *stmt = clinic_db_prepare (db, sql, error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, id);
  if (last != 0)
    sqlite3_bind_int64 (stmt, 2, last);
  if (!clinic_db_step_done (db, stmt, error))
    return FALSE;
  return TRUE;
}

static gboolean
fts_remove (ClinicDb  *db,
            gint64     id,
            GError   **error)
{
  return fts_run (db, "INSERT INTO patients_names_fts (patients_names_fts, rowid, family_name, given_names)"
                      " SELECT 'delete', id, family_name, given_names FROM patients WHERE id = ?1",
                  id, 0, error)
      && fts_run (db, "INSERT INTO patients_phone_fts (patients_phone_fts, rowid, phone_digits)"
                      " SELECT 'delete', id, phone_digits FROM patients WHERE id = ?1",
                  id, 0, error);
}

/* The rows @first to @last (ids) into both indexes. An import adds its
 * rows a thousand at a time: FTS5 writes its pending entries out as a
 * new segment at the end of every statement, so one statement per row
 * made 100,000 one-row segments to merge (2.9 s of a 100,000-row
 * import; batched, 0.3 s). */
static gboolean
fts_add_range (ClinicDb  *db,
               gint64     first,
               gint64     last,
               GError   **error)
{
  return fts_run (db, "INSERT INTO patients_names_fts (rowid, family_name, given_names)"
                      " SELECT id, family_name, given_names FROM patients WHERE id BETWEEN ?1 AND ?2",
                  first, last, error)
      && fts_run (db, "INSERT INTO patients_phone_fts (rowid, phone_digits)"
                      " SELECT id, phone_digits FROM patients WHERE id BETWEEN ?1 AND ?2",
                  first, last, error);
}

static gboolean
fts_add (ClinicDb  *db,
         gint64     id,
         GError   **error)
{
  return fts_add_range (db, id, id, error);
}

/* --- Duplicates ----------------------------------------------------------- */

/* The last 8 digits of @phone read backwards, last digit first ("" when
 * it has fewer than 6): what the columns phone_tail_rev and
 * phone2_tail_rev hold (008-phone-tails.sql), and what a record looking
 * for its duplicates compares them with. */
static char *
phone_tail_rev (const char *phone)
{
  g_autofree char *digits = phone_digits (phone);
  gsize n = strlen (digits);
  char *tail;

  if (n < 6)
    return g_strdup ("");
  tail = g_strndup (digits + (n > 8 ? n - 8 : 0), MIN (n, 8));
  return g_strreverse (tail);
}

/* Phone numbers compare by their last 8 digits ("030 1234567" is
 * "+49 30 1234567"): one number's tail (6 digits at least, 8 at most)
 * must be the end of the other. With the tails stored backwards that is
 * a range of the column's index: @tail itself up to @tail followed by
 * ':', the character after '9'. */
#define PHONE_ENDS_IN(column, tail) \
  "(" tail " != '' AND " column " >= " tail " AND " column " < " tail " || ':')"

/* The duplicate rule, once: a record that is not @id and not merged
 * away, with the same name (any ASCII case) and date of birth, or a phone
 * number ending in @tail or @tail2 (from phone_tail_rev()). Each argument
 * is an SQL expression: parameters for one record (bind_probe()), the
 * columns of the candidates' table for a whole list (find_registered()). */
#define DUPLICATE_WHERE(id, birth, family, given, tail, tail2) \
  " p.id != " id " AND p.merged_into IS NULL AND (" \
  "  (p.birth_date = " birth " AND p.family_name = " family " COLLATE NOCASE" \
  "   AND p.given_names = " given " COLLATE NOCASE)" \
  "  OR " PHONE_ENDS_IN ("p.phone_tail_rev", tail) \
  "  OR " PHONE_ENDS_IN ("p.phone2_tail_rev", tail) \
  "  OR " PHONE_ENDS_IN ("p.phone_tail_rev", tail2) \
  "  OR " PHONE_ENDS_IN ("p.phone2_tail_rev", tail2) ")"

#define DUPLICATE_OF_PROBE DUPLICATE_WHERE ("?1", "?2", "?3", "?4", "?5", "?6")

static void
bind_probe (sqlite3_stmt        *stmt,
            const ClinicPatient *p)
{
  g_autofree char *t1 = phone_tail_rev (p->phone);
  g_autofree char *t2 = phone_tail_rev (p->phone2);
  g_autofree char *family = g_strstrip (g_strdup (p->family_name));
  g_autofree char *given = g_strstrip (g_strdup (p->given_names));

  sqlite3_bind_int64 (stmt, 1, p->id);
  sqlite3_bind_text (stmt, 2, p->birth_date, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, family, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 4, given, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 5, t1, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 6, t2, -1, SQLITE_TRANSIENT);
}

static GPtrArray *
find_duplicates (ClinicDb             *db,
                 const ClinicPatient  *p,
                 gboolean              chart,
                 GError              **error)
{
  g_autoptr(GPtrArray) found = g_ptr_array_new_with_free_func ((GDestroyNotify) clinic_patient_free);
  sqlite3_stmt *stmt;
  int rc;

  stmt = clinic_db_prepare (db, "SELECT " PATIENT_COLUMNS " FROM patients p WHERE" DUPLICATE_OF_PROBE
                                " ORDER BY p.id LIMIT 20",
                            error);
  if (stmt == NULL)
    return NULL;
  bind_probe (stmt, p);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (found, read_patient (stmt, chart));
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      clinic_db_set_error (db, rc, error);
      return NULL;
    }
  return g_steal_pointer (&found);
}

/* The positions in @patients (0-based) of the records that look like a
 * registered patient, as find_duplicates() decides, without reading
 * those patients. Records of @patients itself are not compared with
 * each other. NULL on error, cancelled included. */
static GArray *
find_registered (ClinicDb            *db,
                 GPtrArray           *patients,
                 ClinicProgressFunc   progress,
                 gpointer             user_data,
                 GCancellable        *cancellable,
                 GError             **error)
{
  g_autoptr(GArray) found = g_array_new (FALSE, FALSE, sizeof (guint));
  sqlite3_stmt *stmt;

  stmt = clinic_db_prepare (db, "SELECT 1 FROM patients p WHERE" DUPLICATE_OF_PROBE " LIMIT 1", error);
  if (stmt == NULL)
    return NULL;
  for (guint i = 0; i < patients->len; i++)
    {
      ClinicPatient probe = *(const ClinicPatient *) g_ptr_array_index (patients, i);
      int rc;

      if (i % 1000 == 0 && g_cancellable_set_error_if_cancelled (cancellable, error))
        return NULL;
      probe.id = 0;
      bind_probe (stmt, &probe);
      rc = sqlite3_step (stmt);
      sqlite3_reset (stmt);
      if (rc == SQLITE_ROW)
        g_array_append_val (found, i);
      else if (rc != SQLITE_DONE)
        {
          clinic_db_set_error (db, rc, error);
          return NULL;
        }
      if (progress != NULL && (i % 1000 == 999 || i + 1 == patients->len))
        progress (i + 1, patients->len, user_data);
    }
  return g_steal_pointer (&found);
}

GPtrArray *
clinic_patients_find_duplicates (ClinicSession        *session,
                                 const ClinicPatient  *patient,
                                 GError              **error)
{
  g_return_val_if_fail (patient != NULL, NULL);

  if (!clinic_session_require_staff (session, CLINIC_PERMISSION_PATIENTS_CONTACT_READ, error))
    return NULL;
  return find_duplicates (clinic_session_get_db (session), patient, may_read_chart (session), error);
}

GArray *
clinic_patients_find_registered (ClinicSession       *session,
                                 GPtrArray           *patients,
                                 ClinicProgressFunc   progress,
                                 gpointer             user_data,
                                 GCancellable        *cancellable,
                                 GError             **error)
{
  g_autoptr(GArray) found = NULL;
  ClinicDb *db;

  g_return_val_if_fail (patients != NULL, NULL);

  if (!clinic_session_require_staff (session, CLINIC_PERMISSION_PATIENTS_CONTACT_READ, error))
    return NULL;
  db = clinic_session_get_db (session);
  /* One read transaction: one snapshot for the whole list, and one WAL
   * read lock instead of one per record. */
  if (!clinic_db_exec (db, "BEGIN", error))
    return NULL;
  found = find_registered (db, patients, progress, user_data, cancellable, error);
  if (found == NULL)
    {
      clinic_db_rollback (db);
      return NULL;
    }
  if (!clinic_db_commit (db, error))
    {
      clinic_db_rollback (db);
      return NULL;
    }
  return g_steal_pointer (&found);
}

/* --- Create, read, update ------------------------------------------------- */

static char *
joined_digits (const ClinicPatient *p)
{
  g_autofree char *d1 = phone_digits (p->phone);
  g_autofree char *d2 = phone_digits (p->phone2);

  if (*d1 && *d2)
    return g_strconcat (d1, " ", d2, NULL);
  return g_strconcat (d1, d2, NULL);
}

static gboolean
audit_patient (ClinicDb       *db,
               ClinicSession  *session,
               const char     *action,
               gint64          id,
               const char     *old_value,
               const char     *new_value,
               GError        **error)
{
  g_autofree char *object_id = g_strdup_printf ("%" G_GINT64_FORMAT, id);

  return clinic_audit_append (db, session, NULL, 0, action, "patient", object_id, id,
                              old_value, new_value, error);
}

/* Binds the record's own fields (the named parameters both the INSERT and
 * the UPDATE use); the names are stored trimmed, with the derived
 * sort key, phone digits and phone tails beside them. */
static void
bind_record (sqlite3_stmt        *stmt,
             const ClinicPatient *p,
             const char          *treatment,
             gint64               now)
{
  g_autofree char *family = g_strstrip (g_strdup (p->family_name));
  g_autofree char *given = g_strstrip (g_strdup (p->given_names));
  const struct { const char *name; const char *value; } texts[] = {
    { ":family", family }, { ":given", given }, { ":birth", p->birth_date },
    { ":sex", clinic_sex_to_string (p->sex) }, { ":phone", p->phone }, { ":phone2", p->phone2 },
    { ":email", p->email }, { ":address", p->address }, { ":emergency", p->emergency_contact },
    { ":language", p->language }, { ":notes", p->notes }, { ":national", p->national_id },
    { ":insurance", p->insurance_id }, { ":treatment", treatment ? treatment : "" },
  };
  g_autofree char *digits = joined_digits (p);
  g_autofree char *tail = phone_tail_rev (p->phone);
  g_autofree char *tail2 = phone_tail_rev (p->phone2);
  g_autofree char *key = sort_key (family, given);

  for (guint i = 0; i < G_N_ELEMENTS (texts); i++)
    sqlite3_bind_text (stmt, sqlite3_bind_parameter_index (stmt, texts[i].name), texts[i].value, -1,
                       SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, sqlite3_bind_parameter_index (stmt, ":digits"), digits, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, sqlite3_bind_parameter_index (stmt, ":tail"), tail, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, sqlite3_bind_parameter_index (stmt, ":tail2"), tail2, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, sqlite3_bind_parameter_index (stmt, ":key"), key, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, sqlite3_bind_parameter_index (stmt, ":now"), now);
}

/* Inserts @patient as the next chart number inside the caller's write
 * transaction, without its search entries (fts_add_range() adds them,
 * before the transaction ends). Returns the id, 0 on error. */
static gint64
insert_row (ClinicDb             *db,
            const ClinicPatient  *patient,
            const char           *treatment,
            GError              **error)
{
  g_autofree char *chart_number = NULL;
  sqlite3_stmt *stmt;
  gint64 id;
  int rc;

  stmt = clinic_db_prepare (db, "SELECT coalesce (max (id), 0) + 1 FROM patients", error);
  if (stmt == NULL)
    return 0;
  rc = sqlite3_step (stmt);
  id = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW)
    {
      clinic_db_set_error (db, rc, error);
      return 0;
    }

  chart_number = chart_number_for (id);
  stmt = clinic_db_prepare (db,
                            "INSERT INTO patients (id, chart_number, family_name, given_names,"
                            " birth_date, sex, phone, phone2, phone_digits, phone_tail_rev,"
                            " phone2_tail_rev, email, address, emergency_contact, language, notes,"
                            " national_id, insurance_id, treatment, status, created_at, updated_at,"
                            " sort_key)"
                            " VALUES (:id, :chart, :family, :given, :birth, :sex, :phone, :phone2,"
                            " :digits, :tail, :tail2, :email, :address, :emergency, :language, :notes,"
                            " :national, :insurance, :treatment, :status, :now, :now, :key)",
                            error);
  if (stmt == NULL)
    return 0;
  bind_record (stmt, patient, treatment, g_get_real_time () / G_USEC_PER_SEC);
  sqlite3_bind_int64 (stmt, sqlite3_bind_parameter_index (stmt, ":id"), id);
  sqlite3_bind_text (stmt, sqlite3_bind_parameter_index (stmt, ":chart"), chart_number, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, sqlite3_bind_parameter_index (stmt, ":status"),
                     clinic_patient_status_to_string (patient->status), -1, SQLITE_STATIC);
  if (!clinic_db_step_done (db, stmt, error))
    return 0;
  return id;
}

gint64
clinic_patients_create (ClinicSession        *session,
                        const ClinicPatient  *patient,
                        gboolean              allow_duplicate,
                        GError              **error)
{
  g_autoptr(GPtrArray) dups = NULL;
  g_autofree char *chart_number = NULL;
  const char *treatment;
  ClinicDb *db;
  gint64 id;

  g_return_val_if_fail (patient != NULL, 0);

  if (!clinic_session_require_staff (session, CLINIC_PERMISSION_PATIENTS_CONTACT_WRITE, error)
      || !clinic_patient_validate (patient, error))
    return 0;

  treatment = patient->treatment ? patient->treatment : "";
  if (*treatment != '\0' && !clinic_session_require (session, CLINIC_PERMISSION_CHART_WRITE, error))
    return 0;

  db = clinic_session_get_db (session);
  if (!clinic_db_begin_write (db, error))
    return 0;

  if (!allow_duplicate)
    {
      ClinicPatient probe = *patient;

      probe.id = 0;
      dups = find_duplicates (db, &probe, FALSE, error);
      if (dups == NULL)
        goto fail;
      if (dups->len > 0)
        {
          g_autofree char *who = describe (g_ptr_array_index (dups, 0));

          g_set_error (error, CLINIC_ERROR, CLINIC_ERROR_CONFLICT,
                       _("This may be a patient who is already registered: %s."), who);
          goto fail;
        }
    }

  id = insert_row (db, patient, treatment, error);
  if (id == 0 || !fts_add (db, id, error))
    goto fail;

  chart_number = chart_number_for (id);
  if (!audit_patient (db, session, "patient.created", id, NULL, chart_number, error)
      || !clinic_db_commit (db, error))
    goto fail;
  return id;

fail:
  clinic_db_rollback (db);
  return 0;
}

gint64
clinic_patients_import (ClinicSession        *session,
                        GPtrArray            *patients,
                        ClinicProgressFunc    progress,
                        gpointer              user_data,
                        GError              **error)
{
  return clinic_patients_import_full (session, patients, CLINIC_IMPORT_DEFAULT, progress, user_data,
                                      NULL, NULL, error);
}

gint64
clinic_patients_import_full (ClinicSession        *session,
                             GPtrArray            *patients,
                             ClinicImportFlags     flags,
                             ClinicProgressFunc    progress,
                             gpointer              user_data,
                             GCancellable         *cancellable,
                             guint                *n_skipped,
                             GError              **error)
{
  g_autoptr(GArray) skip = NULL;
  g_autofree char *count = NULL;
  gboolean any_treatment = FALSE;
  guint next_skip = 0, imported = 0, total;
  gint64 id, batch_first = 0;
  ClinicDb *db;

  g_return_val_if_fail (patients != NULL, -1);

  if (n_skipped != NULL)
    *n_skipped = 0;
  if (!clinic_session_require_staff (session, CLINIC_PERMISSION_PATIENTS_CONTACT_WRITE, error))
    return -1;
  /* Everything is checked before anything is written. */
  for (guint i = 0; i < patients->len; i++)
    {
      const ClinicPatient *p = g_ptr_array_index (patients, i);
      g_autoptr(GError) invalid = NULL;

      if (!clinic_patient_validate (p, &invalid))
        {
          g_set_error (error, CLINIC_ERROR, CLINIC_ERROR_INVALID, _("Row %u: %s"), i + 1, invalid->message);
          return -1;
        }
      any_treatment |= p->treatment != NULL && *p->treatment != '\0';
    }
  if (any_treatment && !clinic_session_require (session, CLINIC_PERMISSION_CHART_WRITE, error))
    return -1;

  db = clinic_session_get_db (session);
  if (!clinic_db_begin_write (db, error))
    return -1;
  /* The records that look registered are found inside the write
   * transaction, before the first insert: against the registry as it is
   * now, not against rows of this same import. */
  if (flags & CLINIC_IMPORT_SKIP_REGISTERED)
    {
      skip = find_registered (db, patients, NULL, NULL, cancellable, error);
      if (skip == NULL)
        goto fail;
    }
  total = patients->len - (skip ? skip->len : 0);
  for (guint i = 0; i < patients->len; i++)
    {
      const ClinicPatient *p = g_ptr_array_index (patients, i);

      if (skip != NULL && next_skip < skip->len && g_array_index (skip, guint, next_skip) == i)
        {
          next_skip++;
          continue;
        }
      if (imported % 1000 == 0 && g_cancellable_set_error_if_cancelled (cancellable, error))
        goto fail;
      id = insert_row (db, p, p->treatment, error);
      if (id == 0)
        goto fail;
      if (imported % 1000 == 0)
        batch_first = id;
      imported++;
      /* The rows of the batch have the ids from batch_first to id: the
       * write transaction lets no one else insert in between. */
      if (imported % 1000 == 0 || imported == total)
        {
          if (!fts_add_range (db, batch_first, id, error))
            goto fail;
          if (progress != NULL)
            progress (imported, total, user_data);
        }
    }
  /* The last chance to change one's mind: nothing is committed yet. */
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    goto fail;
  count = g_strdup_printf ("%u", imported);
  if (!clinic_audit_append (db, session, NULL, 0, "patients.imported", "patient", NULL, 0, NULL, count, error)
      || !clinic_db_commit (db, error))
    goto fail;
  if (n_skipped != NULL)
    *n_skipped = skip ? skip->len : 0;
  return imported;

fail:
  clinic_db_rollback (db);
  return -1;
}

gboolean
clinic_patients_link_account (ClinicSession  *session,
                              gint64          patient_id,
                              gint64          user_id,
                              GError        **error)
{
  g_autoptr(ClinicPatient) p = NULL;
  g_autofree char *user = NULL;
  sqlite3_stmt *stmt;
  ClinicDb *db;
  gint64 holder = 0;
  int rc, changed;

  if (!clinic_session_require_staff (session, CLINIC_PERMISSION_USERS, error))
    return FALSE;

  db = clinic_session_get_db (session);
  if (!clinic_db_begin_write (db, error))
    return FALSE;
  p = fetch_one (db, "p.id = ?1", patient_id, NULL, FALSE, error);
  if (p == NULL)
    goto fail;

  stmt = clinic_db_prepare (db, "SELECT id FROM users WHERE patient_id = ?1 AND id != ?2", error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_int64 (stmt, 1, patient_id);
  sqlite3_bind_int64 (stmt, 2, user_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    holder = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      clinic_db_set_error (db, rc, error);
      goto fail;
    }
  if (holder != 0)
    {
      g_set_error_literal (error, CLINIC_ERROR, CLINIC_ERROR_CONFLICT,
                           _("This patient already has an account."));
      goto fail;
    }

  stmt = clinic_db_prepare (db, "UPDATE users SET patient_id = ?1 WHERE id = ?2 AND kind = 'patient'", error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_int64 (stmt, 1, patient_id);
  sqlite3_bind_int64 (stmt, 2, user_id);
  rc = sqlite3_step (stmt);
  changed = sqlite3_changes (clinic_db_get_handle (db));
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      clinic_db_set_error (db, rc, error);
      goto fail;
    }
  if (changed != 1)
    {
      g_set_error_literal (error, CLINIC_ERROR, CLINIC_ERROR_NOT_FOUND,
                           _("There is no such patient account."));
      goto fail;
    }

  user = g_strdup_printf ("%" G_GINT64_FORMAT, user_id);
  if (!audit_patient (db, session, "patient.account-linked", patient_id, NULL, user, error)
      || !clinic_db_commit (db, error))
    goto fail;
  return TRUE;

fail:
  clinic_db_rollback (db);
  return FALSE;
}

static ClinicPatient *
get_patient (ClinicSession  *session,
             const char     *where,
             gint64          id,
             const char     *text,
             GError        **error)
{
  g_autoptr(ClinicPatient) p = NULL;
  g_autofree char *object_id = NULL;
  ClinicDb *db;

  if (!clinic_session_require (session, CLINIC_PERMISSION_PATIENTS_CONTACT_READ, error))
    return NULL;
  db = clinic_session_get_db (session);
  p = fetch_one (db, where, id, text, may_read_chart (session), error);
  if (p == NULL || !clinic_patients_check_scope (session, p->id, error))
    return NULL;

  object_id = g_strdup_printf ("%" G_GINT64_FORMAT, p->id);
  if (!clinic_audit_record (db, session, NULL, "patient.opened", "patient", object_id, p->id,
                            NULL, NULL, error))
    return NULL;
  return g_steal_pointer (&p);
}

ClinicPatient *
clinic_patients_get (ClinicSession  *session,
                     gint64          id,
                     GError        **error)
{
  return get_patient (session, "p.id = ?1", id, NULL, error);
}

ClinicPatient *
clinic_patients_get_by_chart_number (ClinicSession  *session,
                                     const char     *chart_number,
                                     GError        **error)
{
  g_autofree char *upper = NULL;

  g_return_val_if_fail (chart_number != NULL, NULL);
  upper = g_ascii_strup (chart_number, -1);
  g_strstrip (upper);
  /* "c12" and "C000012" name the same chart. */
  if (upper[0] == 'C' && all_digits (upper + 1) && strlen (upper) <= 13)
    {
      gint64 n = g_ascii_strtoll (upper + 1, NULL, 10);

      g_free (upper);
      upper = chart_number_for (n);
    }
  return get_patient (session, "p.chart_number = ?1", 0, upper, error);
}

/* Adds @field to @changed when the two differ. */
static void
note_change (GString    *changed,
             const char *field,
             const char *before,
             const char *after)
{
  if (g_strcmp0 (before ? before : "", after ? after : "") == 0)
    return;
  if (changed->len > 0)
    g_string_append (changed, ", ");
  g_string_append (changed, field);
}

ClinicPatient *
clinic_patients_fetch_row (ClinicDb  *db,
                           gint64     id,
                           gboolean   chart,
                           GError   **error)
{
  return fetch_one (db, "p.id = ?1", id, NULL, chart, error);
}

gboolean
clinic_patients_store_row (ClinicDb             *db,
                           const ClinicPatient  *patient,
                           const char           *treatment,
                           GError              **error)
{
  sqlite3_stmt *stmt;

  if (!fts_remove (db, patient->id, error))
    return FALSE;
  stmt = clinic_db_prepare (db,
                            "UPDATE patients SET family_name = :family, given_names = :given,"
                            " birth_date = :birth, sex = :sex, phone = :phone, phone2 = :phone2,"
                            " phone_digits = :digits, phone_tail_rev = :tail, phone2_tail_rev = :tail2,"
                            " email = :email, address = :address,"
                            " emergency_contact = :emergency, language = :language, notes = :notes,"
                            " national_id = :national, insurance_id = :insurance,"
                            " treatment = :treatment, updated_at = :now, sort_key = :key"
                            " WHERE id = :id",
                            error);
  if (stmt == NULL)
    return FALSE;
  bind_record (stmt, patient, treatment, g_get_real_time () / G_USEC_PER_SEC);
  sqlite3_bind_int64 (stmt, sqlite3_bind_parameter_index (stmt, ":id"), patient->id);
  return clinic_db_step_done (db, stmt, error) && fts_add (db, patient->id, error);
}

gboolean
clinic_patients_update (ClinicSession        *session,
                        const ClinicPatient  *patient,
                        GError              **error)
{
  g_autoptr(ClinicPatient) old = NULL;
  g_autoptr(GString) contact = g_string_new (NULL);
  g_autoptr(GString) record = g_string_new (NULL);
  g_autofree char *family = NULL;
  g_autofree char *given = NULL;
  g_autofree char *changed = NULL;
  gboolean treatment_changed;
  ClinicDb *db;

  g_return_val_if_fail (patient != NULL, FALSE);

  if (!clinic_session_require (session, CLINIC_PERMISSION_PATIENTS_CONTACT_WRITE, error)
      || !clinic_patients_check_scope (session, patient->id, error)
      || !clinic_patient_validate (patient, error))
    return FALSE;

  db = clinic_session_get_db (session);
  if (!clinic_db_begin_write (db, error))
    return FALSE;
  old = fetch_one (db, "p.id = ?1", patient->id, NULL, TRUE, error);
  if (old == NULL)
    goto fail;

  family = g_strstrip (g_strdup (patient->family_name));
  given = g_strstrip (g_strdup (patient->given_names));
  note_change (record, "family_name", old->family_name, family);
  note_change (record, "given_names", old->given_names, given);
  note_change (record, "birth_date", old->birth_date, patient->birth_date);
  note_change (record, "sex", clinic_sex_to_string (old->sex), clinic_sex_to_string (patient->sex));
  note_change (record, "notes", old->notes, patient->notes);
  note_change (record, "national_id", old->national_id, patient->national_id);
  note_change (record, "insurance_id", old->insurance_id, patient->insurance_id);
  note_change (contact, "phone", old->phone, patient->phone);
  note_change (contact, "phone2", old->phone2, patient->phone2);
  note_change (contact, "email", old->email, patient->email);
  note_change (contact, "address", old->address, patient->address);
  note_change (contact, "emergency_contact", old->emergency_contact, patient->emergency_contact);
  note_change (contact, "language", old->language, patient->language);
  /* A NULL treatment (a session that cannot read it) leaves it alone. */
  treatment_changed = patient->treatment != NULL && g_strcmp0 (old->treatment, patient->treatment) != 0;

  if (clinic_session_get_kind (session) == CLINIC_USER_PATIENT && (record->len > 0 || treatment_changed))
    {
      g_set_error_literal (error, CLINIC_ERROR, CLINIC_ERROR_PERMISSION_DENIED,
                           _("You can change your contact details only; the front desk can change the rest."));
      goto fail;
    }
  if (treatment_changed && !clinic_session_require (session, CLINIC_PERMISSION_CHART_WRITE, error))
    goto fail;

  if (record->len > 0 && contact->len > 0)
    g_string_append (record, ", ");
  g_string_append (record, contact->str);
  if (treatment_changed)
    g_string_append (record, record->len > 0 ? ", treatment" : "treatment");
  if (record->len == 0)
    {
      clinic_db_rollback (db);
      return TRUE;
    }

  if (!clinic_patients_store_row (db, patient, treatment_changed ? patient->treatment : old->treatment,
                                  error))
    goto fail;

  changed = g_string_free (g_steal_pointer (&record), FALSE);
  if (!audit_patient (db, session, "patient.updated", patient->id, NULL, changed, error)
      || !clinic_db_commit (db, error))
    goto fail;
  return TRUE;

fail:
  clinic_db_rollback (db);
  return FALSE;
}

gboolean
clinic_patients_set_status (ClinicSession        *session,
                            gint64                id,
                            ClinicPatientStatus   status,
                            GError              **error)
{
  g_autoptr(ClinicPatient) old = NULL;
  sqlite3_stmt *stmt;
  ClinicDb *db;

  if (!clinic_session_require_staff (session, CLINIC_PERMISSION_PATIENTS_CONTACT_WRITE, error))
    return FALSE;
  if (status > CLINIC_PATIENT_DECEASED)
    {
      g_set_error_literal (error, CLINIC_ERROR, CLINIC_ERROR_INVALID, _("The record is not valid."));
      return FALSE;
    }

  db = clinic_session_get_db (session);
  if (!clinic_db_begin_write (db, error))
    return FALSE;
  old = fetch_one (db, "p.id = ?1", id, NULL, FALSE, error);
  if (old == NULL)
    goto fail;
  if (old->status == status)
    {
      clinic_db_rollback (db);
      return TRUE;
    }

  stmt = clinic_db_prepare (db, "UPDATE patients SET status = ?2, updated_at = ?3 WHERE id = ?1", error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_int64 (stmt, 1, id);
  sqlite3_bind_text (stmt, 2, clinic_patient_status_to_string (status), -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 3, g_get_real_time () / G_USEC_PER_SEC);
  if (!clinic_db_step_done (db, stmt, error))
    goto fail;
  if (!audit_patient (db, session, "patient.status", id, clinic_patient_status_to_string (old->status),
                      clinic_patient_status_to_string (status), error)
      || !clinic_db_commit (db, error))
    goto fail;
  return TRUE;

fail:
  clinic_db_rollback (db);
  return FALSE;
}

/* --- Search --------------------------------------------------------------- */

void
clinic_patient_filter_init (ClinicPatientFilter *filter)
{
  memset (filter, 0, sizeof *filter);
  filter->min_age = -1;
  filter->max_age = -1;
  filter->sort = CLINIC_PATIENT_SORT_RELEVANCE;
}

typedef struct
{
  char *text;
} Binding;

static void
binding_clear (gpointer data)
{
  g_free (((Binding *) data)->text);
}

static int
add_text (GArray     *bindings,
          const char *text)
{
  Binding b = { g_strdup (text) };

  g_array_append_val (bindings, b);
  return bindings->len;
}


/* The ISO date @years before today (for the age bounds). */
static char *
years_ago (int  years,
           int  extra_days)
{
  GDate day;

  get_today (&day);
  g_date_subtract_years (&day, years);
  if (extra_days > 0)
    g_date_add_days (&day, extra_days);
  return format_iso_date (&day);
}

/* Turns the query and filter into the WHERE clause (and the FTS join):
 * each word must match one of a patient's keys. */
static gboolean
build_search (ClinicSession              *session,
              const char                 *query,
              const ClinicPatientFilter  *filter,
              GString                    *where,
              GArray                     *bindings,
              int                        *names_param,
              GArray                     *fts_params,
              gboolean                   *selective,
              GError                    **error)
{
  g_autofree char *trimmed = g_strstrip (g_strdup (query ? query : ""));
  g_autofree char *as_date = NULL;
  g_auto(GStrv) words = NULL;
  g_autoptr(GString) names = g_string_new (NULL);

  /* A query of digits and phone punctuation alone is one phone number,
   * spaces and all ("030 123 45"), unless it is a date. */
  if (*trimmed != '\0' && strspn (trimmed, "0123456789 +()-./") == strlen (trimmed)
      && (as_date = clinic_patient_parse_date (trimmed)) == NULL)
    {
      words = g_new0 (char *, 2);
      words[0] = phone_digits (trimmed);
    }
  else
    words = g_strsplit_set (trimmed, " \t\n,;", -1);
  GString *statuses = g_string_new ("'active'");

  if (filter->include_inactive)
    g_string_append (statuses, ", 'inactive'");
  if (filter->include_deceased)
    g_string_append (statuses, ", 'deceased'");
  /* "+": never the status index; nearly every row is active, and walking
   * the index of the chosen order is what keeps a page cheap. */
  g_string_append_printf (where, "+p.status IN (%s)", statuses->str);
  g_string_free (statuses, TRUE);

  for (guint i = 0; words[i] != NULL; i++)
    {
      const char *w = words[i];
      g_autofree char *date = NULL;
      g_autofree char *digits = NULL;

      if (*w == '\0')
        continue;

      if (strpbrk (w, "-./") != NULL && (date = clinic_patient_parse_date (w)) != NULL)
        {
          g_string_append_printf (where, " AND p.birth_date = ?%d", add_text (bindings, date));
          *selective = TRUE;
          continue;
        }

      if ((w[0] == 'C' || w[0] == 'c') && all_digits (w + 1) && strlen (w + 1) <= 12)
        {
          g_autofree char *chart = chart_number_for (g_ascii_strtoll (w + 1, NULL, 10));
          g_string_append_printf (where, " AND p.chart_number = ?%d", add_text (bindings, chart));
          *selective = TRUE;
          continue;
        }

      digits = phone_digits (w);
      if (*digits != '\0' && strspn (w, "0123456789 +()-./") == strlen (w))
        {
          /* Digits: a phone number (3 or more, anywhere in it) or a chart number. */
          g_autofree char *chart = chart_number_for (g_ascii_strtoll (digits, NULL, 10));
          int c = add_text (bindings, strlen (digits) <= 12 ? chart : "");

          if (strlen (digits) >= PHONE_MIN_DIGITS)
            {
              g_autofree char *phrase = g_strdup_printf ("\"%s\"", digits);
              int m = add_text (bindings, phrase);

              g_string_append_printf (where,
                                      " AND (p.chart_number = ?%d OR @p.id IN (SELECT rowid FROM"
                                      " patients_phone_fts WHERE patients_phone_fts MATCH ?%d))", c, m);
              g_array_append_val (fts_params, m);
            }
          else
            {
              g_string_append_printf (where, " AND p.chart_number = ?%d", c);
              *selective = TRUE;
            }
          continue;
        }

      /* A name part, by prefix: a quoted FTS5 string with its quotes
       * doubled, then '*'. */
      {
        g_autofree char *escaped = NULL;
        g_auto(GStrv) parts = g_strsplit (w, "\"", -1);

        escaped = g_strjoinv ("\"\"", parts);
        if (names->len > 0)
          g_string_append_c (names, ' ');
        g_string_append_printf (names, "\"%s\"*", escaped);
      }
    }

  if (names->len > 0)
    {
      *names_param = add_text (bindings, names->str);
      g_string_append_printf (where,
                              " AND @p.id IN (SELECT rowid FROM patients_names_fts"
                              " WHERE patients_names_fts MATCH ?%d)", *names_param);
      g_array_append_val (fts_params, *names_param);
    }

  if (filter->min_age >= 0)
    {
      g_autofree char *latest = years_ago (filter->min_age, 0);
      g_string_append_printf (where, " AND p.birth_date <= ?%d", add_text (bindings, latest));
    }
  if (filter->max_age >= 0)
    {
      g_autofree char *earliest = years_ago (filter->max_age + 1, 1);
      g_string_append_printf (where, " AND p.birth_date >= ?%d", add_text (bindings, earliest));
    }
  if ((filter->provider_id != 0 || filter->visit_type_id != 0) && !may_read_visits (session))
    {
      /* Sets the refusal's sentence: the session has neither. */
      clinic_session_require (session, CLINIC_PERMISSION_SCHEDULE_ALL, error);
      return FALSE;
    }
  /* The doctor and visit-type filters. With a visit type, the patients
   * with such a visit are few: read them as one set from 012's partial
   * indexes. A doctor alone has tens of thousands: then one EXISTS per row
   * walked, from the appointments_patient index, finds a page sooner
   * (measured: 9 ms against 142 ms, and 22 ms against 39 ms). */
  if (filter->provider_id != 0 || filter->visit_type_id != 0)
    {
      if (filter->visit_type_id != 0)
        g_string_append (where, " AND p.id IN (SELECT a.patient_id FROM appointments a"
                                " WHERE a.status NOT IN ('cancelled', 'no-show')");
      else
        g_string_append (where, " AND EXISTS (SELECT 1 FROM appointments a INDEXED BY appointments_patient"
                                " WHERE a.patient_id = p.id"
                                " AND a.status NOT IN ('cancelled', 'no-show')");
      if (filter->provider_id != 0)
        g_string_append_printf (where, " AND a.provider_id = %" G_GINT64_FORMAT, filter->provider_id);
      if (filter->visit_type_id != 0)
        g_string_append_printf (where, " AND a.visit_type_id = %" G_GINT64_FORMAT, filter->visit_type_id);
      g_string_append_c (where, ')');
    }
  if (filter->treatment != NULL && *filter->treatment != '\0')
    {
      if (!clinic_session_require (session, CLINIC_PERMISSION_CHART_READ, error))
        return FALSE;
      g_string_append_printf (where, " AND instr (lower (p.treatment), lower (?%d)) > 0",
                              add_text (bindings, filter->treatment));
    }
  return TRUE;
}

static const char *
order_by (const ClinicPatientFilter *filter,
          gboolean                   ranked,
          gboolean                   chart)
{
  static const char *const asc[] = {
    [CLINIC_PATIENT_SORT_NAME] = "p.sort_key, p.id",
    [CLINIC_PATIENT_SORT_AGE] = "p.birth_date DESC, p.id",
    [CLINIC_PATIENT_SORT_BIRTH_DATE] = "p.birth_date, p.id",
    [CLINIC_PATIENT_SORT_PHONE] = "p.phone_digits, p.id",
    [CLINIC_PATIENT_SORT_CHART_NUMBER] = "p.chart_number",
    [CLINIC_PATIENT_SORT_TREATMENT] = "p.treatment COLLATE NOCASE, p.id",
  };
  static const char *const desc[] = {
    [CLINIC_PATIENT_SORT_NAME] = "p.sort_key DESC, p.id DESC",
    [CLINIC_PATIENT_SORT_AGE] = "p.birth_date, p.id DESC",
    [CLINIC_PATIENT_SORT_BIRTH_DATE] = "p.birth_date DESC, p.id DESC",
    [CLINIC_PATIENT_SORT_PHONE] = "p.phone_digits DESC, p.id DESC",
    [CLINIC_PATIENT_SORT_CHART_NUMBER] = "p.chart_number DESC",
    [CLINIC_PATIENT_SORT_TREATMENT] = "p.treatment COLLATE NOCASE DESC, p.id DESC",
  };
  ClinicPatientSort sort = filter->sort;

  /* Without the chart, sorting by treatment would reveal it. */
  if (sort > CLINIC_PATIENT_SORT_TREATMENT || (sort == CLINIC_PATIENT_SORT_TREATMENT && !chart))
    sort = CLINIC_PATIENT_SORT_NAME;
  if (sort == CLINIC_PATIENT_SORT_RELEVANCE)
    return ranked ? "f.rank, p.sort_key, p.id"
                  : asc[CLINIC_PATIENT_SORT_NAME];
  return filter->descending ? desc[sort] : asc[sort];
}

/* The registry's visit columns of @p: the latest past visit and the next
 * one (neither cancelled nor a no-show), and the type of the next, else of
 * the last. Run for the rows of a page only: two walks of the
 * appointments_patient index, a row or two each. */
static gboolean
read_visits (ClinicDb       *db,
             ClinicPatient  *p,
             gint64          now,
             GError        **error)
{
  static const char *const sql[] = {
    "SELECT a.starts_at, t.name FROM appointments a JOIN visit_types t ON t.id = a.visit_type_id"
    " WHERE a.patient_id = ?1 AND a.starts_at < ?2 AND a.status NOT IN ('cancelled', 'no-show')"
    " ORDER BY a.starts_at DESC LIMIT 1",
    "SELECT a.starts_at, t.name FROM appointments a JOIN visit_types t ON t.id = a.visit_type_id"
    " WHERE a.patient_id = ?1 AND a.starts_at >= ?2 AND a.status NOT IN ('cancelled', 'no-show')"
    " ORDER BY a.starts_at LIMIT 1",
  };

  for (guint i = 0; i < G_N_ELEMENTS (sql); i++)
    {
      sqlite3_stmt *stmt = clinic_db_prepare (db, sql[i], error);
      int rc;

      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_int64 (stmt, 1, p->id);
      sqlite3_bind_int64 (stmt, 2, now);
      rc = sqlite3_step (stmt);
      if (rc == SQLITE_ROW)
        {
          *(i == 0 ? &p->last_visit : &p->next_visit) = sqlite3_column_int64 (stmt, 0);
          /* The next visit's type wins over the last's. */
          g_free (p->visit_type);
          p->visit_type = clinic_db_column_text (stmt, 1);
        }
      sqlite3_reset (stmt);
      if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        {
          clinic_db_set_error (db, rc, error);
          return FALSE;
        }
    }
  return TRUE;
}

static gboolean
bind_all (sqlite3_stmt *stmt,
          GArray       *bindings)
{
  for (guint i = 0; i < bindings->len; i++)
    {
      Binding *b = &g_array_index (bindings, Binding, i);

      if (sqlite3_bind_text (stmt, i + 1, b->text, -1, SQLITE_STATIC) != SQLITE_OK)
        return FALSE;
    }
  return TRUE;
}

GPtrArray *
clinic_patients_search (ClinicSession              *session,
                        const char                 *query,
                        const ClinicPatientFilter  *filter,
                        guint                       offset,
                        guint                       limit,
                        guint                      *total,
                        GError                    **error)
{
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) clinic_patient_free);
  g_autoptr(GArray) bindings = g_array_new (FALSE, FALSE, sizeof (Binding));
  g_autoptr(GString) where = g_string_new (NULL);
  g_autofree char *from = NULL;
  g_autofree char *sql = NULL;
  ClinicPatientFilter defaults;
  gboolean ranked = FALSE, chart;
  g_autoptr(GArray) fts_params = g_array_new (FALSE, FALSE, sizeof (int));
  g_autofree char *where_set = NULL;
  g_autofree char *where_walk = NULL;
  gboolean selective = FALSE;
  int names_param = 0;
  guint name_matches = RANK_LIMIT + 1, fewest = RANK_LIMIT + 1;
  sqlite3_stmt *stmt = NULL;
  sqlite3 *handle;
  ClinicDb *db;
  int rc;

  /* The registry is staff work; a patient reaches their own record through
   * clinic_patients_get(). */
  if (!clinic_session_require_staff (session, CLINIC_PERMISSION_PATIENTS_CONTACT_READ, error))
    return NULL;
  if (filter == NULL)
    {
      clinic_patient_filter_init (&defaults);
      filter = &defaults;
    }
  g_array_set_clear_func (bindings, binding_clear);
  chart = may_read_chart (session);
  if (!build_search (session, query, filter, where, bindings, &names_param, fts_params, &selective, error))
    return NULL;
  /* "@p.id IN (FTS)": plain, SQLite looks the matches up by id (good for
   * few, and for counting); with "+", it walks the index of the order and
   * checks each row against the matches (good for many: the first page of
   * "s…" is at the start of the name index). */
  {
    g_auto(GStrv) parts = g_strsplit (where->str, "@p.id", -1);

    where_set = g_strjoinv ("p.id", parts);
    where_walk = g_strjoinv ("+p.id", parts);
  }

  db = clinic_session_get_db (session);
  handle = clinic_db_get_handle (db);

  if (total != NULL)
    {
      if (filter->count_limit > 0)
        sql = g_strdup_printf ("SELECT count(*) FROM (SELECT 1 FROM patients p WHERE %s LIMIT %u)",
                               where_set, filter->count_limit + 1);
      else
        sql = g_strdup_printf ("SELECT count(*) FROM patients p WHERE %s", where_set);
      rc = sqlite3_prepare_v2 (handle, sql, -1, &stmt, NULL);
      if (rc == SQLITE_OK && bind_all (stmt, bindings))
        rc = sqlite3_step (stmt);
      if (rc != SQLITE_ROW)
        goto sql_error;
      *total = (guint) sqlite3_column_int64 (stmt, 0);
      sqlite3_finalize (stmt);
      stmt = NULL;
      g_clear_pointer (&sql, g_free);
    }

  /* How many patients each typed name or number matches (counted up to
   * RANK_LIMIT + 1) decides the plan and the order (below). It depends
   * on the query alone, so every page of one search run is cut from the
   * same order. */
  for (guint i = 0; i < fts_params->len; i++)
    {
      int param = g_array_index (fts_params, int, i);
      guint n;

      rc = sqlite3_prepare_v2 (handle, param == names_param
                                       ? "SELECT count(*) FROM (SELECT rowid FROM patients_names_fts"
                                         " WHERE patients_names_fts MATCH ?1 LIMIT ?2)"
                                       : "SELECT count(*) FROM (SELECT rowid FROM patients_phone_fts"
                                         " WHERE patients_phone_fts MATCH ?1 LIMIT ?2)", -1, &stmt, NULL);
      if (rc == SQLITE_OK)
        {
          sqlite3_bind_text (stmt, 1, g_array_index (bindings, Binding, param - 1).text, -1, SQLITE_STATIC);
          sqlite3_bind_int (stmt, 2, RANK_LIMIT + 1);
          rc = sqlite3_step (stmt);
        }
      if (rc != SQLITE_ROW)
        goto sql_error;
      n = (guint) sqlite3_column_int64 (stmt, 0);
      sqlite3_finalize (stmt);
      stmt = NULL;
      if (param == names_param)
        name_matches = n;
      fewest = MIN (fewest, n);
    }

  /* Best matches first (BM25, the family name weighing more) when a name
   * was typed and the matches are few enough to rank at typing speed; a
   * prefix that matches thousands ("s") lists them by name, from the
   * index. The FTS table drives the ranked query (CROSS JOIN keeps that
   * order of the loops), so SQLite never runs the MATCH once per row. */
  ranked = names_param > 0 && filter->sort == CLINIC_PATIENT_SORT_RELEVANCE && name_matches <= RANK_LIMIT;
  if (ranked)
    from = g_strdup_printf ("(SELECT rowid AS id, bm25 (patients_names_fts, 4.0, 1.0) AS rank"
                            " FROM patients_names_fts WHERE patients_names_fts MATCH ?%d) f"
                            " CROSS JOIN patients p ON p.id = f.id", names_param);
  else
    from = g_strdup ("patients p");

  sql = g_strdup_printf ("SELECT " PATIENT_COLUMNS " FROM %s WHERE %s ORDER BY %s LIMIT %u OFFSET %u",
                         from, ranked || selective || fewest <= RANK_LIMIT ? where_set : where_walk,
                         order_by (filter, ranked, chart), limit, offset);
  rc = sqlite3_prepare_v2 (handle, sql, -1, &stmt, NULL);
  if (rc != SQLITE_OK || !bind_all (stmt, bindings))
    goto sql_error;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (rows, read_patient (stmt, chart));
  if (rc != SQLITE_DONE)
    goto sql_error;
  sqlite3_finalize (stmt);
  stmt = NULL;

  if (may_read_visits (session))
    {
      gint64 now = g_get_real_time () / G_USEC_PER_SEC;

      for (guint i = 0; i < rows->len; i++)
        if (!read_visits (db, g_ptr_array_index (rows, i), now, error))
          return NULL;
    }

  if (offset == 0)
    {
      g_autofree char *found = total ? g_strdup_printf ("%u", *total) : g_strdup_printf ("%u+", rows->len);
      if (!clinic_audit_record (db, session, NULL, "patients.searched", "search", found, 0,
                                NULL, query ? query : "", error))
        return NULL;
    }
  return g_steal_pointer (&rows);

sql_error:
  clinic_db_set_error (db, rc == SQLITE_OK ? sqlite3_errcode (handle) : rc, error);
  sqlite3_finalize (stmt);
  return NULL;
}

/* --- For the core's own modules (clinic-patients-private.h) ------------ */

gint64
clinic_patients_insert_new (ClinicDb             *db,
                            const ClinicPatient  *patient,
                            GError              **error)
{
  ClinicPatient fresh = *patient;

  fresh.status = CLINIC_PATIENT_ACTIVE;
  return insert_row (db, &fresh, "", error);
}

gboolean
clinic_patients_has_duplicate (ClinicDb             *db,
                               const ClinicPatient  *patient,
                               gboolean             *found,
                               GError              **error)
{
  g_autoptr(GPtrArray) one = g_ptr_array_new ();
  g_autoptr(GArray) registered = NULL;

  /* The import's check (one record against the registry), which reads
   * no patient out. */
  g_ptr_array_add (one, (gpointer) patient);
  registered = find_registered (db, one, NULL, NULL, NULL, error);
  if (registered == NULL)
    return FALSE;
  *found = registered->len > 0;
  return TRUE;
}

/* @text folded, with its words one space apart. */
static char *
fold_words (const char *text)
{
  g_autofree char *folded = fold_name (text);
  g_auto(GStrv) words = g_strsplit_set (folded, " \t\r\n", -1);
  g_autoptr(GString) out = g_string_new (NULL);

  for (guint i = 0; words[i] != NULL; i++)
    if (*words[i] != '\0')
      g_string_append_printf (out, "%s%s", out->len > 0 ? " " : "", words[i]);
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* A word the name index has a token for (a lone "-" or "&" has none,
 * and an empty FTS5 phrase would match nothing). */
static gboolean
has_letter_or_digit (const char *word)
{
  for (const char *c = word; *c != '\0'; c = g_utf8_next_char (c))
    if (g_unichar_isalnum (g_utf8_get_char (c)))
      return TRUE;
  return FALSE;
}

/* Whether the registered @family, @given is the name @name as
 * clinic_patients_match_name() reads it; @family_asked and @given_asked
 * (folded) for "Family, Given", else @name folded whole. */
static gboolean
same_name (const char *family,
           const char *given,
           const char *whole_asked,
           const char *family_asked,
           const char *given_asked)
{
  g_autofree char *f = fold_words (family);
  g_autofree char *g = fold_words (given);
  g_autofree char *given_first = NULL;
  g_autofree char *family_first = NULL;

  if (family_asked != NULL)
    return strcmp (f, family_asked) == 0 && strcmp (g, given_asked) == 0;
  given_first = g_strconcat (g, " ", f, NULL);
  family_first = g_strconcat (f, " ", g, NULL);
  return strcmp (whole_asked, given_first) == 0 || strcmp (whole_asked, family_first) == 0;
}

GArray *
clinic_patients_match_name (ClinicDb    *db,
                            const char  *name,
                            const char  *birth_date,
                            GError     **error)
{
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GString) query = g_string_new (NULL);
  g_autofree char *whole = fold_words (name);
  g_autofree char *family = NULL;
  g_autofree char *given = NULL;
  g_auto(GStrv) words = NULL;
  const char *comma = strchr (name, ',');
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (name != NULL, NULL);

  if (comma != NULL)
    {
      g_autofree char *family_part = g_strndup (name, comma - name);

      family = fold_words (family_part);
      given = fold_words (comma + 1);
    }
  /* Every word of the name as a whole FTS5 token (no prefix), quotes
   * doubled: the index folds case and accents as fold_name() does, so
   * it narrows the registry to the few that are then compared whole. */
  words = g_strsplit_set (name, " \t\r\n,", -1);
  for (guint i = 0; words[i] != NULL; i++)
    if (has_letter_or_digit (words[i]))
      {
        g_auto(GStrv) parts = g_strsplit (words[i], "\"", -1);
        g_autofree char *escaped = g_strjoinv ("\"\"", parts);

        g_string_append_printf (query, "%s\"%s\"", query->len > 0 ? " " : "", escaped);
      }
  if (query->len == 0)
    return g_steal_pointer (&ids);

  /* A date of birth names the person whatever their record's state; a
   * name alone only among the patients the clinic sees now. Never a
   * record merged into another, nor a deceased patient. */
  stmt = clinic_db_prepare (db,
                            birth_date != NULL
                            ? "SELECT p.id, p.family_name, p.given_names FROM patients p"
                              " WHERE p.id IN (SELECT rowid FROM patients_names_fts WHERE patients_names_fts MATCH ?1)"
                              " AND p.merged_into IS NULL AND p.status != 'deceased' AND p.birth_date = ?2"
                              " ORDER BY p.id"
                            : "SELECT p.id, p.family_name, p.given_names FROM patients p"
                              " WHERE p.id IN (SELECT rowid FROM patients_names_fts WHERE patients_names_fts MATCH ?1)"
                              " AND p.merged_into IS NULL AND p.status = 'active' ORDER BY p.id",
                            error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, query->str, -1, SQLITE_TRANSIENT);
  if (birth_date != NULL)
    sqlite3_bind_text (stmt, 2, birth_date, -1, SQLITE_TRANSIENT);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    if (same_name ((const char *) sqlite3_column_text (stmt, 1), (const char *) sqlite3_column_text (stmt, 2),
                   whole, family, given))
      {
        gint64 id = sqlite3_column_int64 (stmt, 0);

        g_array_append_val (ids, id);
      }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      clinic_db_set_error (db, rc, error);
      return NULL;
    }
  return g_steal_pointer (&ids);
}
