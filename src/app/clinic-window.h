/* clinic-window.h — the main window */

#pragma once

#include <adwaita.h>

#include "clinic-application.h"
#include "clinic-session.h"

G_BEGIN_DECLS

#define CLINIC_TYPE_WINDOW (clinic_window_get_type ())

G_DECLARE_FINAL_TYPE (ClinicWindow, clinic_window, CLINIC, WINDOW, AdwApplicationWindow)

/* A monotonic clock in microseconds, like g_get_monotonic_time(). */
typedef gint64 (*ClinicWindowClock) (void);

/* Returns: (transfer none): a new window owned by @app. It shows the
 * set-up assistant when there is no database at the application's path
 * yet, the sign-in page otherwise. */
ClinicWindow  *clinic_window_new              (ClinicApplication *app);

/* The name of the page shown now: "setup", "sign-in" (also when locked
 * and at the kiosk) or "shell". Returns: (transfer none). */
const char    *clinic_window_get_visible_page (ClinicWindow      *self);

/* The session whose view is shown (or hidden behind the lock), NULL when
 * nobody is signed in. Returns: (transfer none) (nullable). */
ClinicSession *clinic_window_get_session      (ClinicWindow      *self);

/* The view of the signed-in user, NULL when there is none.
 * Returns: (transfer none) (nullable). */
GtkWidget     *clinic_window_get_shell        (ClinicWindow      *self);

gboolean       clinic_window_get_locked       (ClinicWindow      *self);
gboolean       clinic_window_get_kiosk        (ClinicWindow      *self);

/* Compares the time since the last key press or pointer move with
 * security.idle-lock-minutes (or, for a patient at the kiosk,
 * security.kiosk-idle-minutes) and locks the window (signs the patient
 * out) when it is over. The window calls it itself every few seconds.
 * Returns TRUE when it locked or signed out. */
gboolean       clinic_window_check_idle       (ClinicWindow      *self);

/* Tests: the clock the idle time is measured with (NULL: the monotonic
 * clock). Counts as activity, so idleness starts from now. */
void           clinic_window_set_idle_clock_for_testing (ClinicWindow      *self,
                                                         ClinicWindowClock  clock);

G_END_DECLS
