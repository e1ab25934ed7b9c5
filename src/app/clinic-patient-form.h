/* clinic-patient-form.h — registering a patient at the front desk
 *
 * One form: the required fields first, contact details, identifiers.
 * The core checks everything; its sentence shows above the form. A
 * record that looks like a registered patient asks before registering
 * anyway. "registered" carries the new patient's id.
 */

#pragma once

#include <adwaita.h>

#include "clinic-session.h"

G_BEGIN_DECLS

#define CLINIC_TYPE_PATIENT_FORM (clinic_patient_form_get_type ())

G_DECLARE_FINAL_TYPE (ClinicPatientForm, clinic_patient_form, CLINIC, PATIENT_FORM, AdwWindow)

ClinicPatientForm *clinic_patient_form_new      (GtkWindow         *parent,
                                                 ClinicSession     *session);

/* Registers what the form holds, as the Register button does; with
 * @anyway, also a record that looks like a registered patient. Returns
 * the new id, 0 when it was refused (the reason shows in the form, or a
 * question about the duplicate opens). */
gint64             clinic_patient_form_register (ClinicPatientForm *self,
                                                 gboolean           anyway);

/* (transfer none) The entry row of @field ("family_name", "phone" …). */
AdwEntryRow       *clinic_patient_form_get_row  (ClinicPatientForm *self,
                                                 const char        *field);

G_END_DECLS
