/* clinic-kiosk.h — the patient kiosk, as a right held by the window
 *
 * Nobody is signed in at the kiosk until a patient does, yet a new
 * patient may register there. The right to do that must come from
 * somewhere: a ClinicKiosk is made only from a staff session that may
 * start the kiosk (CLINIC_PERMISSION_KIOSK_START), audited under that
 * staff member's name, and the window holds it for as long as the kiosk
 * runs. It reaches exactly one thing of the clinic's data: registering a
 * new patient (clinic_patients_self_register() in clinic-registration.h),
 * which reads nothing out. A program that has only a ClinicDb (clinicctl,
 * a window nobody started the kiosk in) has no way to that call.
 */

#pragma once

#include "clinic-session.h"

G_BEGIN_DECLS

#define CLINIC_TYPE_KIOSK (clinic_kiosk_get_type ())

G_DECLARE_FINAL_TYPE (ClinicKiosk, clinic_kiosk, CLINIC, KIOSK, GObject)

/*
 * clinic_kiosk_start:
 *
 * The kiosk started by @session's user: needs KIOSK_START in a staff
 * session (a patient's role never grants it). The kiosk keeps @session's
 * database, not the session, so the staff member signs out right after.
 * Audited "kiosk.started". (transfer full) NULL with PERMISSION_DENIED or
 * SIGNED_OUT.
 */
ClinicKiosk *clinic_kiosk_start               (ClinicSession  *session,
                                               GError        **error);

/* Ends the kiosk (a staff member left it): from then on every call with
 * it fails with CLINIC_ERROR_SIGNED_OUT. */
void         clinic_kiosk_stop                (ClinicKiosk    *self);

gboolean     clinic_kiosk_is_active           (ClinicKiosk    *self);

/* The database the kiosk runs on. (transfer none) */
ClinicDb    *clinic_kiosk_get_db              (ClinicKiosk    *self);

/* Whether the kiosk offers registration now: the kiosk is active and the
 * setting "registration.self-service" is on. The sign-in page asks before
 * anyone has signed in; settings hold no patient data. */
gboolean     clinic_kiosk_can_register        (ClinicKiosk    *self);

G_END_DECLS
