/* clinic-registrations-window.h — the front desk confirms or rejects
 * the registrations made at the kiosk */

#pragma once

#include <adwaita.h>

#include "clinic-session.h"

G_BEGIN_DECLS

#define CLINIC_TYPE_REGISTRATIONS_WINDOW (clinic_registrations_window_get_type ())

G_DECLARE_FINAL_TYPE (ClinicRegistrationsWindow, clinic_registrations_window, CLINIC, REGISTRATIONS_WINDOW, AdwWindow)

/*
 * ClinicRegistrationsWindow::changed:
 *
 * A registration was confirmed or rejected (the Patients section counts
 * again).
 */

/* Lists the waiting registrations (clinic_registrations_list_pending),
 * each with Confirm (action registrations.confirm, the account's id as
 * an int64 target) and Reject… (registrations.reject, which asks why). */
GtkWidget *clinic_registrations_window_new           (GtkWindow                 *parent,
                                                      ClinicSession             *session);

/* How many registrations the window lists now. */
guint      clinic_registrations_window_get_n_listed  (ClinicRegistrationsWindow *self);

G_END_DECLS
