/* clinic-registration-form.h — a new patient registers at the kiosk */

#pragma once

#include <adwaita.h>

#include "clinic-kiosk.h"

G_BEGIN_DECLS

#define CLINIC_TYPE_REGISTRATION_FORM (clinic_registration_form_get_type ())

G_DECLARE_FINAL_TYPE (ClinicRegistrationForm, clinic_registration_form, CLINIC, REGISTRATION_FORM, AdwBin)

/*
 * ClinicRegistrationForm::finished:
 *
 * The patient cancelled, or read what happens next and pressed Done: the
 * kiosk goes back to its sign-in page (and drops the form, which holds
 * what was typed).
 */

/* A form that registers through @kiosk (clinic_patients_self_register).
 * Actions: registration.submit, registration.cancel. */
GtkWidget  *clinic_registration_form_new       (ClinicKiosk            *kiosk);

/* The message shown under the form, or NULL. (transfer none) */
const char *clinic_registration_form_get_error (ClinicRegistrationForm *self);

/* TRUE once the registration went through and the page says what
 * happens next. */
gboolean    clinic_registration_form_get_done  (ClinicRegistrationForm *self);

G_END_DECLS
