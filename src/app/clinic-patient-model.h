/* clinic-patient-model.h — the registry as a list model that pages itself
 *
 * A GListModel of ClinicPatientRow over clinic_patients_search(): one
 * search run fetches the first page and the count; later rows are read a
 * page at a time when the view asks for them, and only a few pages are
 * kept. Large counts are capped and grow as the view nears the end, so a
 * keystroke never counts 20,000 rows.
 */

#pragma once

#include <gio/gio.h>

#include "clinic-patients.h"

G_BEGIN_DECLS

#define CLINIC_TYPE_PATIENT_ROW (clinic_patient_row_get_type ())

G_DECLARE_FINAL_TYPE (ClinicPatientRow, clinic_patient_row, CLINIC, PATIENT_ROW, GObject)

/* (transfer none) NULL when the row could not be read. */
const ClinicPatient *clinic_patient_row_get_patient (ClinicPatientRow *self);

#define CLINIC_TYPE_PATIENT_MODEL (clinic_patient_model_get_type ())

G_DECLARE_FINAL_TYPE (ClinicPatientModel, clinic_patient_model, CLINIC, PATIENT_MODEL, GObject)

ClinicPatientModel *clinic_patient_model_new       (ClinicSession              *session);

/* Runs a new search (@query and @filter are copied). FALSE with @error
 * when it cannot run; the model is then empty. */
gboolean            clinic_patient_model_search    (ClinicPatientModel         *self,
                                                    const char                 *query,
                                                    const ClinicPatientFilter  *filter,
                                                    GError                    **error);

/* The number of matches, and whether there are more than that (the
 * count stopped at its limit). */
guint               clinic_patient_model_get_count (ClinicPatientModel         *self,
                                                    gboolean                   *more);

G_END_DECLS
