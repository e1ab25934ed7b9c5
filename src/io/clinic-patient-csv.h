/* clinic-patient-csv.h — a patient list from another system, as CSV
 *
 * Maps the file's columns to patient fields (by the headers it
 * recognises, in English and German, and by the caller's own mapping),
 * turns each row into a ClinicPatient and checks it, listing every row
 * that fails with its column and the reason. Registering the rows is the
 * core's clinic_patients_import(), all of them or none.
 */

#pragma once

#include "clinic-csv.h"
#include "clinic-patients.h"

G_BEGIN_DECLS

/* The fields a column can fill ("family_name", "given_names",
 * "birth_date", "sex", "phone", "phone2", "email", "address",
 * "emergency_contact", "language", "notes", "national_id",
 * "insurance_id"), NULL-terminated. (transfer none) */
const char *const *clinic_patient_csv_fields (void);

/* The field's name for people ("Family name" …), translated; NULL for
 * a field Clinic does not know. (transfer none) */
const char        *clinic_patient_csv_field_title (const char *field);

/* The value of @field in @patient as a preview shows it (the sex in
 * words, translated; "" when not recorded); NULL for an unknown field.
 * (transfer none) */
const char        *clinic_patient_csv_field_value (const ClinicPatient *patient,
                                                   const char          *field);

/* The field a header names ("Nachname", "Last Name", "DOB" …), or NULL. */
const char        *clinic_patient_csv_guess_field (const char *header);

typedef struct
{
  guint  line;      /* in the file, 1-based */
  char  *column;    /* the header of the column at fault, or NULL */
  char  *reason;
} ClinicCsvRowError;

void clinic_csv_row_error_free (ClinicCsvRowError *error);

typedef struct
{
  GPtrArray *patients;   /* ClinicPatient, the rows that are fine, in file order */
  GArray    *lines;      /* guint: the line in the file of each of @patients */
  GPtrArray *errors;     /* ClinicCsvRowError */
  char     **mapping;    /* for each column of the file, its field or NULL */
  guint      n_columns;
} ClinicPatientCsv;

void clinic_patient_csv_free (ClinicPatientCsv *result);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ClinicPatientCsv, clinic_patient_csv_free)

/* Reads @csv with the columns mapped by their headers, then by @overrides
 * ("HEADER=FIELD" each; FIELD empty or "-" leaves the column out).
 * Fails (CLINIC_ERROR_INVALID) for an unknown field or header in
 * @overrides, or when no column gives the family name, the given names
 * or the date of birth. */
ClinicPatientCsv *clinic_patient_csv_read (const ClinicCsv    *csv,
                                           const char *const  *overrides,
                                           GError            **error);

/* As clinic_patient_csv_read(), with each column's field chosen by the
 * caller (the import dialog): @mapping has one entry per column of the
 * header, NULL or "" leaving the column out. Reads at most @max_rows
 * rows after the header (0: all; a preview reads a few). @progress is
 * called every 1000 rows and at the end (rows read of rows to read);
 * @cancellable is checked as it goes (G_IO_ERROR_CANCELLED). Fails
 * (CLINIC_ERROR_INVALID, in words for the person mapping) for an unknown
 * field, two columns giving one field, or no column giving the family
 * name, the given names or the date of birth. Thread safe: reads only
 * @csv and @mapping. */
ClinicPatientCsv *clinic_patient_csv_read_mapped (const ClinicCsv     *csv,
                                                  const char *const   *mapping,
                                                  guint                max_rows,
                                                  ClinicProgressFunc   progress,
                                                  gpointer             user_data,
                                                  GCancellable        *cancellable,
                                                  GError             **error);

G_END_DECLS
