/* clinic-registration.h — patients registering themselves at the kiosk
 *
 * A new patient at the kiosk fills in a short form: a patient record and
 * a patient account linked to it are made in one transaction. When the
 * setting "registration.requires-confirmation" is on (the default) the
 * account waits: it cannot sign in until the front desk has confirmed the
 * registration (after checking who the person is), and a rejected one is
 * disabled and its record made inactive.
 *
 * Threat model: anyone standing at the kiosk may call
 * clinic_patients_self_register(). So it reads nothing out (a likely
 * duplicate of a registered patient only raises a flag for the front
 * desk; the kiosk hears nothing of it), needs a ClinicKiosk (made from a
 * staff session that may start the kiosk, never from a bare database),
 * and is rate-limited per database so that a passer-by cannot flood the
 * registry. What the kiosk can learn: whether a sign-in name is taken
 * (unavoidable when choosing one; names are not patient data).
 */

#pragma once

#include "clinic-keys.h"
#include "clinic-kiosk.h"
#include "clinic-patients.h"

G_BEGIN_DECLS

typedef enum
{
  CLINIC_REGISTRATION_PENDING,
  CLINIC_REGISTRATION_CONFIRMED,
  CLINIC_REGISTRATION_REJECTED,
} ClinicRegistrationState;

/* At most this many registrations at the kiosk in
 * CLINIC_SELF_REGISTRATION_WINDOW seconds (a family registers together;
 * a flood does not get through). */
#define CLINIC_SELF_REGISTRATION_LIMIT  6
#define CLINIC_SELF_REGISTRATION_WINDOW (10 * 60)

typedef struct
{
  gint64                   user_id;          /* the patient account: names the registration */
  char                    *user_name;
  ClinicRegistrationState  state;
  gboolean                 possible_duplicate;
  gint64                   registered_at;    /* Unix seconds */
  ClinicPatient           *patient;          /* the account's record now (a merge may
                                              * have moved it), without treatment */
} ClinicRegistration;

void clinic_registration_free (ClinicRegistration *registration);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ClinicRegistration, clinic_registration_free)

const char *clinic_registration_state_to_string (ClinicRegistrationState state);

/*
 * clinic_patients_self_register:
 * @kiosk: the running kiosk
 * @patient: the form; only the names, date of birth, phone and email are
 *   taken, every other field is ignored
 * @user_name: the sign-in name the patient chose
 * @password: their password (the patients' password policy)
 * @limits: (nullable): Argon2id limits, NULL for INTERACTIVE (tests only
 *   pass cheaper ones)
 * @state: (out) (optional): PENDING when the front desk must confirm,
 *   CONFIRMED when the account can sign in at once
 *
 * Registers a new patient and their account, linked, in one transaction
 * audited "patient.self-registered" (in the new account's name). When a
 * registered record looks like this one, the registration is flagged for
 * the front desk; nothing about that record reaches the caller.
 *
 * Errors, with nothing changed: SIGNED_OUT when the kiosk was stopped;
 * PERMISSION_DENIED when the setting "registration.self-service" is off
 * or too many registrations were made lately; INVALID for a field or a
 * password the rules refuse (the message says which); CONFLICT for a
 * sign-in name that is taken.
 */
gboolean    clinic_patients_self_register   (ClinicKiosk              *kiosk,
                                             const ClinicPatient      *patient,
                                             const char               *user_name,
                                             const char               *password,
                                             const ClinicKdfLimits    *limits,
                                             ClinicRegistrationState  *state,
                                             GError                  **error);

/* How many registrations wait for the front desk. Needs
 * patients.contact.write in a staff session; reads no patient, so it is
 * not audited. */
gboolean    clinic_registrations_count_pending (ClinicSession    *session,
                                                guint            *n_pending,
                                                GError          **error);

/* The registrations that wait, oldest first. A GPtrArray of
 * ClinicRegistration. Needs patients.contact.write in a staff session;
 * audited "registrations.listed" (one event per call). */
GPtrArray  *clinic_registrations_list_pending  (ClinicSession    *session,
                                                GError          **error);

/* The front desk confirms the registration of the account @user_id: it
 * can sign in from now on. Needs patients.contact.write in a staff
 * session. NOT_FOUND when there is no such registration, CONFLICT when it
 * was already decided. Audited "patient.registration-confirmed". */
gboolean    clinic_registrations_confirm       (ClinicSession    *session,
                                                gint64            user_id,
                                                GError          **error);

/* The front desk rejects it, saying why (@reason, 1–500 characters,
 * INVALID otherwise): the account is disabled and the record the
 * registration made becomes inactive (patients are never deleted).
 * Errors as for confirm. Audited "patient.registration-rejected" with the
 * reason, and "patient.status". */
gboolean    clinic_registrations_reject        (ClinicSession    *session,
                                                gint64            user_id,
                                                const char       *reason,
                                                GError          **error);

G_END_DECLS
