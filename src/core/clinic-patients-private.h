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

G_END_DECLS
