/* clinic-patients.h — the patient registry
 *
 * Every call takes the acting ClinicSession and checks it in the core:
 * reading needs patients.contact.read, changing needs
 * patients.contact.write, and the treatment plan (clinical) is shown only
 * to sessions with chart.read and changed only with chart.write. A patient
 * session reaches its own record and nothing else. Patients are never
 * deleted; they become inactive or deceased.
 */

#pragma once

#include "clinic-session.h"

G_BEGIN_DECLS

typedef enum
{
  CLINIC_SEX_UNKNOWN,
  CLINIC_SEX_FEMALE,
  CLINIC_SEX_MALE,
  CLINIC_SEX_OTHER,
} ClinicSex;

typedef enum
{
  CLINIC_PATIENT_ACTIVE,
  CLINIC_PATIENT_INACTIVE,
  CLINIC_PATIENT_DECEASED,
} ClinicPatientStatus;

typedef struct
{
  gint64               id;
  char                *chart_number;       /* "C000123", given by the core */
  char                *family_name;
  char                *given_names;
  char                *birth_date;         /* ISO 8601, "1984-03-12" */
  ClinicSex            sex;
  char                *phone;
  char                *phone2;
  char                *email;
  char                *address;
  char                *emergency_contact;
  char                *language;
  char                *notes;
  char                *national_id;
  char                *insurance_id;
  char                *treatment;          /* NULL when the session may not read the chart */
  ClinicPatientStatus  status;
  gint64               created_at;
  gint64               updated_at;
  char                *merged_into;        /* the chart number this record was merged
                                            * into (clinic-patient-merge.h), or NULL */
  gboolean             has_photo;          /* a photo is on file (clinic-documents.h) */
  /* Visits, filled by clinic_patients_search() only, for sessions with a
   * schedule permission (0 / NULL elsewhere): */
  gint64               last_visit;         /* start of the latest past visit that took
                                            * place or may still, 0: none */
  gint64               next_visit;         /* start of the next active appointment, 0: none */
  char                *visit_type;         /* the next visit's type, else the last's, or NULL */
} ClinicPatient;

/* An empty record: every string "", sex unknown, active. */
ClinicPatient *clinic_patient_new    (void);
ClinicPatient *clinic_patient_copy   (const ClinicPatient *patient);
void           clinic_patient_free   (ClinicPatient       *patient);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ClinicPatient, clinic_patient_free)

/* Checks the fields a person types (names, date of birth, phones, email)
 * and says what is wrong in plain words (CLINIC_ERROR_INVALID). */
gboolean       clinic_patient_validate   (const ClinicPatient *patient,
                                          GError             **error);

/* Age in whole years on @on (ISO date; NULL: today), -1 if unknown. */
int            clinic_patient_age        (const ClinicPatient *patient,
                                          const char          *on);

const char    *clinic_sex_to_string            (ClinicSex            sex);
const char    *clinic_patient_status_to_string (ClinicPatientStatus  status);

/* Parses what a person types as a date of birth: ISO 8601 or the
 * locale's format (GDate). Returns the ISO form, or NULL. */
char          *clinic_patient_parse_date (const char          *text);

/* Registered patients that look like @patient: the same name and date of
 * birth, or the same phone number. A GPtrArray of ClinicPatient. */
GPtrArray     *clinic_patients_find_duplicates (ClinicSession        *session,
                                                const ClinicPatient  *patient,
                                                GError              **error);

/* Registers @patient (its id and chart number are ignored) and returns the
 * new id, 0 on error. Unless @allow_duplicate, a record that looks like a
 * registered one is refused with CLINIC_ERROR_CONFLICT naming it. Audited
 * "patient.created". */
gint64         clinic_patients_create   (ClinicSession        *session,
                                         const ClinicPatient  *patient,
                                         gboolean              allow_duplicate,
                                         GError              **error);

/* Called now and then during long work: @done of @total. */
typedef void (*ClinicProgressFunc) (guint    done,
                                    guint    total,
                                    gpointer user_data);

/* Registers every record of @patients (ClinicPatient) in one transaction:
 * all of them, or none. A record that does not validate fails the whole
 * import with CLINIC_ERROR_INVALID naming its row (1-based, as the
 * caller numbered @patients). No duplicate check: an import brings a
 * list from another system, whose duplicates are that system's. One
 * audit event "patients.imported" with the count. Returns the number
 * registered, or -1 on error. */
gint64         clinic_patients_import   (ClinicSession        *session,
                                         GPtrArray            *patients,
                                         ClinicProgressFunc    progress,
                                         gpointer              user_data,
                                         GError              **error);

typedef enum
{
  CLINIC_IMPORT_DEFAULT         = 0,
  /* Leave out the records that look like registered patients (as
   * clinic_patients_find_registered() tells), and import the rest. */
  CLINIC_IMPORT_SKIP_REGISTERED = 1 << 0,
} ClinicImportFlags;

/* As clinic_patients_import(), with @flags, and cancellable until the
 * commit: a cancelled import (G_IO_ERROR_CANCELLED) registers nothing.
 * @progress counts the records being registered (skipped ones left out).
 * *@n_skipped (nullable) gets the number of records left out. The audit
 * event "patients.imported" carries the number registered. */
gint64         clinic_patients_import_full (ClinicSession        *session,
                                            GPtrArray            *patients,
                                            ClinicImportFlags     flags,
                                            ClinicProgressFunc    progress,
                                            gpointer              user_data,
                                            GCancellable         *cancellable,
                                            guint                *n_skipped,
                                            GError              **error);

/* Which records of @patients (ClinicPatient) look like patients already
 * registered: the same name and date of birth, or the same phone number,
 * as clinic_patients_find_duplicates() decides. Records of the list are
 * not compared with each other. Returns the positions (guint, 0-based,
 * ascending) in @patients, or NULL on error (G_IO_ERROR_CANCELLED when
 * @cancellable fired). Needs patients.contact.read; not audited, like
 * the duplicate check of a registration: it reads no patient out. */
GArray        *clinic_patients_find_registered (ClinicSession       *session,
                                                GPtrArray           *patients,
                                                ClinicProgressFunc   progress,
                                                gpointer             user_data,
                                                GCancellable        *cancellable,
                                                GError             **error);

/* Links the patient account @user_id to the record @patient_id (the
 * account then sees that record as its own). Needs the users permission
 * and a patient account; a record has at most one account (CONFLICT).
 * Audited "patient.account-linked". */
gboolean       clinic_patients_link_account (ClinicSession    *session,
                                             gint64            patient_id,
                                             gint64            user_id,
                                             GError          **error);

/* One patient by id, or by chart number. Audited "patient.opened" (one
 * event per opened chart). A patient session gets its own record only. */
ClinicPatient *clinic_patients_get      (ClinicSession        *session,
                                         gint64                id,
                                         GError              **error);
ClinicPatient *clinic_patients_get_by_chart_number (ClinicSession  *session,
                                                    const char     *chart_number,
                                                    GError        **error);

/* Stores the editable fields of @patient (by id). The treatment plan is
 * written only when it differs and the session has chart.write (else
 * PERMISSION_DENIED). A patient session may change its own contact
 * details (phones, email, address, emergency contact, language) and
 * nothing else. Audited "patient.updated" with the changed fields. */
gboolean       clinic_patients_update   (ClinicSession        *session,
                                         const ClinicPatient  *patient,
                                         GError              **error);

/* Marks a patient active, inactive or deceased (never deleted). Audited
 * "patient.status" old → new. */
gboolean       clinic_patients_set_status (ClinicSession        *session,
                                           gint64                id,
                                           ClinicPatientStatus   status,
                                           GError              **error);

typedef enum
{
  CLINIC_PATIENT_SORT_RELEVANCE,   /* best matches first; by name without a name in
                                    * the query or with thousands of matches */
  CLINIC_PATIENT_SORT_NAME,
  CLINIC_PATIENT_SORT_AGE,
  CLINIC_PATIENT_SORT_BIRTH_DATE,
  CLINIC_PATIENT_SORT_PHONE,
  CLINIC_PATIENT_SORT_CHART_NUMBER,
  CLINIC_PATIENT_SORT_TREATMENT,
} ClinicPatientSort;

typedef struct
{
  gboolean           include_inactive;
  gboolean           include_deceased;
  int                min_age;          /* -1: no bound */
  int                max_age;          /* -1: no bound */
  const char        *treatment;        /* substring of the treatment plan, or NULL */
  ClinicPatientSort  sort;
  gboolean           descending;
  guint              count_limit;      /* count at most this many (0: all); see search */
  /* Patients with an appointment (not cancelled or no-show), past or
   * coming, with this doctor / of this visit type; 0: any. Needs a
   * schedule permission (else PERMISSION_DENIED). */
  gint64             provider_id;
  gint64             visit_type_id;
} ClinicPatientFilter;

/* A filter that finds active patients of any age, best matches first. */
void           clinic_patient_filter_init (ClinicPatientFilter *filter);

/* The registry's search. @query (may be empty) is split into words; each
 * must match: a name part by prefix without accents, 3 or more digits of
 * a phone number, a chart number, or a date of birth (ISO or the locale's
 * format). Rows @offset .. @offset + @limit in @filter's order, each with
 * its last visit, next visit and visit type (computed for the rows of the
 * page only, from the appointments_patient index); *@total
 * (nullable) gets the number of matches, or count_limit + 1 when there
 * are more than the filter's count_limit (counting every one of 20,000
 * "s…" would cost more than a keystroke may). One audit event
 * "patients.searched" per search run (@offset 0); the following pages of
 * the same run are not audited again. A GPtrArray of ClinicPatient. */
GPtrArray     *clinic_patients_search   (ClinicSession              *session,
                                         const char                 *query,
                                         const ClinicPatientFilter  *filter,
                                         guint                       offset,
                                         guint                       limit,
                                         guint                      *total,
                                         GError                    **error);

G_END_DECLS
