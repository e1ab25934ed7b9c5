/* clinic-patients-private.h — what the core's own modules use of the
 * patient registry
 *
 * Never included from src/app. No permission checks and no audit here:
 * the caller has made the checks and writes the audit entry, inside the
 * write transaction it holds.
 */

#pragma once

#include "clinic-db-private.h"
#include "clinic-patients.h"

G_BEGIN_DECLS

/* The record @id as stored, the treatment plan only with @chart; NULL with
 * CLINIC_ERROR_NOT_FOUND when there is none. */
/* A patient session reaches its own record only: FALSE with
 * PERMISSION_DENIED for any other @patient_id. */
gboolean       clinic_patients_check_scope (ClinicSession        *session,
                                            gint64                patient_id,
                                            GError              **error);

ClinicPatient *clinic_patients_fetch_row (ClinicDb             *db,
                                          gint64                id,
                                          gboolean              chart,
                                          GError              **error);

/* Writes the editable fields of @patient (by id), with @treatment as the
 * treatment plan, and keeps both search indexes in step. Inside the
 * caller's write transaction; @patient must have passed
 * clinic_patient_validate(). */
gboolean       clinic_patients_store_row (ClinicDb             *db,
                                          const ClinicPatient  *patient,
                                          const char           *treatment,
                                          GError              **error);

/* Registers @patient (its id, chart number, status and treatment plan
 * are ignored: a new active record without one) inside the caller's
 * write transaction, with its search entries. @patient must have passed
 * clinic_patient_validate(). Returns the id, 0 on error. */
gint64         clinic_patients_insert_new (ClinicDb             *db,
                                           const ClinicPatient  *patient,
                                           GError              **error);

/* *@found: whether a registered record looks like @patient, as
 * clinic_patients_find_duplicates() decides, without reading that
 * record out (the kiosk must learn nothing of it). */
gboolean       clinic_patients_has_duplicate (ClinicDb             *db,
                                              const ClinicPatient  *patient,
                                              gboolean             *found,
                                              GError              **error);

/* The patients named @name ("Family, Given", or "Given Family" /
 * "Family Given" without a comma), compared whole with case, accents
 * and spacing folded as the registry's search folds them, and born on
 * @birth_date (ISO; NULL: any date, and then active patients only);
 * never a record merged away or a deceased patient. Their ids, by id
 * (element-type gint64); the caller decides what more than one means.
 * No permission check and no audit: for the core's own matching (an
 * imported calendar's events) inside the caller's transaction. */
GArray        *clinic_patients_match_name (ClinicDb             *db,
                                           const char           *name,
                                           const char           *birth_date,
                                           GError              **error);

G_END_DECLS
