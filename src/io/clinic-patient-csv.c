/* clinic-patient-csv.c — a patient list from another system, as CSV */

#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "clinic-error.h"
#include "clinic-patient-csv.h"

static const char *const fields[] = {
  "family_name", "given_names", "birth_date", "sex", "phone", "phone2", "email", "address",
  "emergency_contact", "language", "notes", "national_id", "insurance_id", NULL,
};

/* Headers as other programs and people write them, folded to lower-case
 * letters and digits only. */
static const struct { const char *header; const char *field; } synonyms[] = {
  { "familyname", "family_name" }, { "lastname", "family_name" }, { "surname", "family_name" },
  { "nachname", "family_name" }, { "name", "family_name" }, { "familienname", "family_name" },
  { "givennames", "given_names" }, { "givenname", "given_names" }, { "firstname", "given_names" },
  { "firstnames", "given_names" }, { "forename", "given_names" }, { "vorname", "given_names" },
  { "vornamen", "given_names" },
  { "birthdate", "birth_date" }, { "dateofbirth", "birth_date" }, { "dob", "birth_date" },
  { "birthday", "birth_date" }, { "geburtsdatum", "birth_date" }, { "geboren", "birth_date" },
  { "sex", "sex" }, { "gender", "sex" }, { "geschlecht", "sex" },
  { "phone", "phone" }, { "telephone", "phone" }, { "tel", "phone" }, { "phonenumber", "phone" },
  { "mobile", "phone" }, { "telefon", "phone" }, { "telefonnummer", "phone" },
  { "phone2", "phone2" }, { "otherphone", "phone2" }, { "workphone", "phone2" }, { "handy", "phone2" },
  { "mobil", "phone2" }, { "telefon2", "phone2" },
  { "email", "email" }, { "emailaddress", "email" }, { "mail", "email" },
  { "address", "address" }, { "adresse", "address" }, { "anschrift", "address" },
  { "emergencycontact", "emergency_contact" }, { "notfallkontakt", "emergency_contact" },
  { "language", "language" }, { "preferredlanguage", "language" }, { "sprache", "language" },
  { "notes", "notes" }, { "note", "notes" }, { "comments", "notes" }, { "notizen", "notes" },
  { "bemerkung", "notes" },
  { "nationalid", "national_id" }, { "ssn", "national_id" }, { "ausweisnummer", "national_id" },
  { "insuranceid", "insurance_id" }, { "memberid", "insurance_id" }, { "insurancenumber", "insurance_id" },
  { "versichertennummer", "insurance_id" }, { "krankenversicherung", "insurance_id" },
};

const char *const *
clinic_patient_csv_fields (void)
{
  return fields;
}

const char *
clinic_patient_csv_field_title (const char *field)
{
  static const struct { const char *field; const char *title; } titles[] = {
    { "family_name", N_("Family name") }, { "given_names", N_("Given names") },
    { "birth_date", N_("Date of birth") }, { "sex", N_("Sex") }, { "phone", N_("Phone") },
    { "phone2", N_("Second phone") }, { "email", N_("Email") }, { "address", N_("Address") },
    { "emergency_contact", N_("Emergency contact") }, { "language", N_("Preferred language") },
    { "notes", N_("Notes") }, { "national_id", N_("National id") }, { "insurance_id", N_("Insurance id") },
  };

  for (guint i = 0; i < G_N_ELEMENTS (titles); i++)
    if (g_strcmp0 (titles[i].field, field) == 0)
      return _(titles[i].title);
  return NULL;
}

static char *
fold_header (const char *header)
{
  g_autofree char *decomposed = g_utf8_normalize (header, -1, G_NORMALIZE_NFKD);
  GString *out = g_string_new (NULL);

  for (const char *c = decomposed; c != NULL && *c; c = g_utf8_next_char (c))
    {
      gunichar u = g_utf8_get_char (c);

      if (u < 0x80 && g_ascii_isalnum ((char) u))
        g_string_append_c (out, g_ascii_tolower ((char) u));
    }
  return g_string_free (out, FALSE);
}

static const char *
known_field (const char *name)
{
  for (guint i = 0; fields[i] != NULL; i++)
    if (g_strcmp0 (fields[i], name) == 0)
      return fields[i];
  return NULL;
}

const char *
clinic_patient_csv_guess_field (const char *header)
{
  g_autofree char *folded = fold_header (header);

  for (guint i = 0; i < G_N_ELEMENTS (synonyms); i++)
    if (g_str_equal (folded, synonyms[i].header))
      return synonyms[i].field;
  return NULL;
}

void
clinic_csv_row_error_free (ClinicCsvRowError *e)
{
  if (e == NULL)
    return;
  g_free (e->column);
  g_free (e->reason);
  g_free (e);
}

void
clinic_patient_csv_free (ClinicPatientCsv *result)
{
  if (result == NULL)
    return;
  g_ptr_array_unref (result->patients);
  g_array_unref (result->lines);
  g_ptr_array_unref (result->errors);
  for (guint c = 0; result->mapping != NULL && c < result->n_columns; c++)
    g_free (result->mapping[c]);
  g_free (result->mapping);
  g_free (result);
}

static char **
slot (ClinicPatient *p,
      const char    *field)
{
  if (g_str_equal (field, "family_name")) return &p->family_name;
  if (g_str_equal (field, "given_names")) return &p->given_names;
  if (g_str_equal (field, "birth_date")) return &p->birth_date;
  if (g_str_equal (field, "phone")) return &p->phone;
  if (g_str_equal (field, "phone2")) return &p->phone2;
  if (g_str_equal (field, "email")) return &p->email;
  if (g_str_equal (field, "address")) return &p->address;
  if (g_str_equal (field, "emergency_contact")) return &p->emergency_contact;
  if (g_str_equal (field, "language")) return &p->language;
  if (g_str_equal (field, "notes")) return &p->notes;
  if (g_str_equal (field, "national_id")) return &p->national_id;
  if (g_str_equal (field, "insurance_id")) return &p->insurance_id;
  return NULL;
}

const char *
clinic_patient_csv_field_value (const ClinicPatient *patient,
                                const char          *field)
{
  char **value;

  g_return_val_if_fail (patient != NULL, NULL);

  if (g_strcmp0 (field, "sex") == 0)
    switch (patient->sex)
      {
      case CLINIC_SEX_FEMALE:
        return _("Female");
      case CLINIC_SEX_MALE:
        return _("Male");
      case CLINIC_SEX_OTHER:
        return _("Other");
      case CLINIC_SEX_UNKNOWN:
      default:
        return "";
      }
  value = field != NULL ? slot ((ClinicPatient *) patient, field) : NULL;
  return value != NULL ? *value : NULL;
}

static gboolean
parse_sex (const char *text,
           ClinicSex  *sex)
{
  g_autofree char *folded = fold_header (text);

  if (*folded == '\0' || g_str_equal (folded, "u") || g_str_equal (folded, "unknown") || g_str_equal (folded, "unbekannt"))
    *sex = CLINIC_SEX_UNKNOWN;
  else if (strchr ("fw", folded[0]) && (folded[1] == '\0' || g_str_equal (folded, "female") || g_str_equal (folded, "weiblich")))
    *sex = CLINIC_SEX_FEMALE;
  else if (folded[0] == 'm' && (folded[1] == '\0' || g_str_equal (folded, "male") || g_str_equal (folded, "mannlich")))
    *sex = CLINIC_SEX_MALE;
  else if (g_str_equal (folded, "o") || g_str_equal (folded, "d") || g_str_equal (folded, "other")
           || g_str_equal (folded, "divers") || g_str_equal (folded, "x"))
    *sex = CLINIC_SEX_OTHER;
  else
    return FALSE;
  return TRUE;
}

static void
add_error (ClinicPatientCsv *result,
           guint             line,
           const char       *column,
           const char       *reason)
{
  ClinicCsvRowError *e = g_new0 (ClinicCsvRowError, 1);

  e->line = line;
  e->column = g_strdup (column);
  e->reason = g_strdup (reason);
  g_ptr_array_add (result->errors, e);
}

/* The value of column @c in @row as a field gets it: trimmed, a date of
 * birth in ISO form when it reads as a date (left as it is otherwise,
 * for the check to name). */
static char *
field_text (const char *const *row,
            guint              n,
            guint              c,
            const char        *field)
{
  char *trimmed = g_strstrip (g_strdup (c < n ? row[c] : ""));

  if (g_str_equal (field, "birth_date") && *trimmed != '\0')
    {
      char *iso = clinic_patient_parse_date (trimmed);

      if (iso != NULL)
        {
          g_free (trimmed);
          trimmed = iso;
        }
    }
  return trimmed;
}

/* The row as a patient when every field is fine, checked once as a
 * whole; NULL for a row with any fault (or a field given by two
 * columns), which read_row_by_column() then reads again to name the
 * column at fault. Most rows of a file are fine, and checking each
 * column on its own costs a whole check per column. */
static ClinicPatient *
read_row_whole (ClinicPatientCsv *result,
                const ClinicCsv  *csv,
                guint             r)
{
  g_autoptr(ClinicPatient) p = clinic_patient_new ();
  const char *const *row = g_ptr_array_index (csv->rows, r);
  guint n = g_strv_length ((GStrv) row);
  guint32 given = 0;

  for (guint c = 0; c < result->n_columns; c++)
    {
      const char *field = result->mapping[c];
      g_autofree char *trimmed = NULL;
      char **target;
      guint i;

      if (field == NULL || *field == '\0')
        continue;
      for (i = 0; fields[i] != NULL && !g_str_equal (fields[i], field); i++)
        ;
      if (fields[i] == NULL || (given & (1u << i)) != 0)
        return NULL;
      given |= 1u << i;
      trimmed = field_text (row, n, c, field);
      if (g_str_equal (field, "sex"))
        {
          if (!parse_sex (trimmed, &p->sex))
            return NULL;
          continue;
        }
      target = slot (p, field);
      g_free (*target);
      *target = g_steal_pointer (&trimmed);
    }
  if (!clinic_patient_validate (p, NULL))
    return NULL;
  return g_steal_pointer (&p);
}

/* The row as a patient, or NULL with its first fault recorded. Fields
 * are checked one column at a time, so the fault names its column. */
static ClinicPatient *
read_row_by_column (ClinicPatientCsv *result,
                    const ClinicCsv  *csv,
                    guint             r)
{
  g_autoptr(ClinicPatient) p = clinic_patient_new ();
  g_autoptr(ClinicPatient) probe = clinic_patient_new ();
  const char *const *row = g_ptr_array_index (csv->rows, r);
  const char *const *header = g_ptr_array_index (csv->rows, 0);
  guint line = g_array_index (csv->lines, guint, r);
  guint n = g_strv_length ((GStrv) row);

  /* The probe holds valid values for the required fields, so checking it
   * with one column's value blames that column alone. */
  g_free (probe->family_name);
  probe->family_name = g_strdup ("X");
  g_free (probe->given_names);
  probe->given_names = g_strdup ("X");
  g_free (probe->birth_date);
  probe->birth_date = g_strdup ("2000-01-01");

  for (guint c = 0; c < result->n_columns; c++)
    {
      const char *field = result->mapping[c];
      g_autofree char *trimmed = NULL;
      g_autoptr(GError) invalid = NULL;
      char **target, **probe_slot, *saved;

      if (field == NULL || *field == '\0')
        continue;
      trimmed = field_text (row, n, c, field);

      if (g_str_equal (field, "sex"))
        {
          if (!parse_sex (trimmed, &p->sex))
            {
              g_autofree char *reason = g_strdup_printf (_("“%s” is not a sex Clinic knows (female, male, other or empty)."), trimmed);
              add_error (result, line, header[c], reason);
              return NULL;
            }
          continue;
        }

      probe_slot = slot (probe, field);
      saved = *probe_slot;
      *probe_slot = trimmed;
      if (!clinic_patient_validate (probe, &invalid))
        {
          *probe_slot = saved;
          add_error (result, line, header[c], invalid->message);
          return NULL;
        }
      *probe_slot = saved;
      target = slot (p, field);
      g_free (*target);
      *target = g_steal_pointer (&trimmed);
    }

  /* Required fields that were empty. */
  {
    g_autoptr(GError) invalid = NULL;

    if (!clinic_patient_validate (p, &invalid))
      {
        add_error (result, line, NULL, invalid->message);
        return NULL;
      }
  }
  return g_steal_pointer (&p);
}

static ClinicPatient *
read_row (ClinicPatientCsv *result,
          const ClinicCsv  *csv,
          guint             r)
{
  ClinicPatient *p = read_row_whole (result, csv, r);

  return p != NULL ? p : read_row_by_column (result, csv, r);
}

static const char *const needed[] = { "family_name", "given_names", "birth_date" };

/* The first field a file must give that no column of @mapping gives, or
 * NULL. */
static const char *
missing_field (char *const *mapping,
               guint        n_columns)
{
  for (guint i = 0; i < G_N_ELEMENTS (needed); i++)
    {
      gboolean mapped = FALSE;

      for (guint c = 0; c < n_columns; c++)
        mapped |= g_strcmp0 (mapping[c], needed[i]) == 0;
      if (!mapped)
        return needed[i];
    }
  return NULL;
}

static ClinicPatientCsv *
result_new (guint n_columns)
{
  ClinicPatientCsv *result = g_new0 (ClinicPatientCsv, 1);

  result->patients = g_ptr_array_new_with_free_func ((GDestroyNotify) clinic_patient_free);
  result->lines = g_array_new (FALSE, FALSE, sizeof (guint));
  result->errors = g_ptr_array_new_with_free_func ((GDestroyNotify) clinic_csv_row_error_free);
  result->mapping = g_new0 (char *, n_columns + 1);
  result->n_columns = n_columns;
  return result;
}

/* Reads the rows of @csv into @result, whose mapping is set. */
static gboolean
read_rows (ClinicPatientCsv    *result,
           const ClinicCsv     *csv,
           guint                max_rows,
           ClinicProgressFunc   progress,
           gpointer             user_data,
           GCancellable        *cancellable,
           GError             **error)
{
  guint n_rows = csv->rows->len - 1;

  if (max_rows > 0 && max_rows < n_rows)
    n_rows = max_rows;
  for (guint r = 1; r <= n_rows; r++)
    {
      ClinicPatient *p;

      if (r % 1000 == 0 && g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      p = read_row (result, csv, r);
      if (p != NULL)
        {
          g_ptr_array_add (result->patients, p);
          g_array_append_val (result->lines, g_array_index (csv->lines, guint, r));
        }
      if (progress != NULL && (r % 1000 == 0 || r == n_rows))
        progress (r, n_rows, user_data);
    }
  return TRUE;
}

ClinicPatientCsv *
clinic_patient_csv_read (const ClinicCsv    *csv,
                         const char *const  *overrides,
                         GError            **error)
{
  const char *const *header = g_ptr_array_index (csv->rows, 0);
  guint n_columns = g_strv_length ((GStrv) header);
  g_autoptr(ClinicPatientCsv) result = result_new (n_columns);
  const char *missing;

  for (guint c = 0; c < n_columns; c++)
    result->mapping[c] = g_strdup (clinic_patient_csv_guess_field (header[c]));

  for (guint i = 0; overrides != NULL && overrides[i] != NULL; i++)
    {
      const char *eq = strrchr (overrides[i], '=');
      g_autofree char *name = eq ? g_strndup (overrides[i], eq - overrides[i]) : NULL;
      const char *field = eq ? eq + 1 : NULL;
      gboolean found = FALSE;

      if (eq == NULL || (*field != '\0' && !g_str_equal (field, "-") && known_field (field) == NULL))
        {
          g_set_error (error, CLINIC_ERROR, CLINIC_ERROR_INVALID,
                       _("“%s” is not HEADER=FIELD with one of the fields: %s."), overrides[i],
                       "family_name, given_names, birth_date, sex, phone, phone2, email, address, "
                       "emergency_contact, language, notes, national_id, insurance_id");
          return NULL;
        }
      for (guint c = 0; c < n_columns; c++)
        if (g_str_equal (header[c], name))
          {
            g_free (result->mapping[c]);
            result->mapping[c] = *field == '\0' || g_str_equal (field, "-") ? NULL : g_strdup (field);
            found = TRUE;
          }
      if (!found)
        {
          g_set_error (error, CLINIC_ERROR, CLINIC_ERROR_INVALID,
                       _("The file has no column “%s”."), name);
          return NULL;
        }
    }

  missing = missing_field (result->mapping, n_columns);
  if (missing != NULL)
    {
      g_set_error (error, CLINIC_ERROR, CLINIC_ERROR_INVALID,
                   _("No column gives the field “%s”; name one with HEADER=%s."), missing, missing);
      return NULL;
    }

  if (!read_rows (result, csv, 0, NULL, NULL, NULL, error))
    return NULL;
  return g_steal_pointer (&result);
}

ClinicPatientCsv *
clinic_patient_csv_read_mapped (const ClinicCsv     *csv,
                                const char *const   *mapping,
                                guint                max_rows,
                                ClinicProgressFunc   progress,
                                gpointer             user_data,
                                GCancellable        *cancellable,
                                GError             **error)
{
  const char *const *header = g_ptr_array_index (csv->rows, 0);
  guint n_columns = g_strv_length ((GStrv) header);
  g_autoptr(ClinicPatientCsv) result = result_new (n_columns);
  const char *missing;

  for (guint c = 0; c < n_columns; c++)
    {
      const char *field = mapping[c];

      if (field == NULL || *field == '\0')
        continue;
      if (known_field (field) == NULL)
        {
          g_set_error (error, CLINIC_ERROR, CLINIC_ERROR_INVALID,
                       _("“%s” is not a patient field Clinic knows."), field);
          return NULL;
        }
      /* Two columns for one field would let the later one win unseen. */
      for (guint d = 0; d < c; d++)
        if (g_strcmp0 (result->mapping[d], field) == 0)
          {
            g_set_error (error, CLINIC_ERROR, CLINIC_ERROR_INVALID,
                         _("The columns “%s” and “%s” both give the field “%s”; choose one of them."),
                         header[d], header[c], clinic_patient_csv_field_title (field));
            return NULL;
          }
      result->mapping[c] = g_strdup (field);
    }

  missing = missing_field (result->mapping, n_columns);
  if (missing != NULL)
    {
      g_set_error (error, CLINIC_ERROR, CLINIC_ERROR_INVALID,
                   _("No column gives the field “%s”, which every patient needs; choose the column that holds it."),
                   clinic_patient_csv_field_title (missing));
      return NULL;
    }

  if (!read_rows (result, csv, max_rows, progress, user_data, cancellable, error))
    return NULL;
  return g_steal_pointer (&result);
}
