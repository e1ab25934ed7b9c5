/* clinic-shell.h — the view a signed-in user works in
 *
 * A sidebar of sections and the section shown beside it, built for the
 * session's role: which sections appear follows from one table in
 * clinic-shell.c (section → permission it needs, and whether patients
 * see it). Built-in roles are just permission sets; a custom role sees
 * what its permissions allow.
 *
 * The shell's header bar menu uses the window's actions: win.lock
 * (Ctrl+L), win.sign-out, win.switch-user, win.start-kiosk (needs
 * CLINIC_PERMISSION_KIOSK_START), win.show-help-overlay, app.about.
 */

#pragma once

#include <adwaita.h>

#include "clinic-session.h"

G_BEGIN_DECLS

#define CLINIC_TYPE_SHELL (clinic_shell_get_type ())

G_DECLARE_FINAL_TYPE (ClinicShell, clinic_shell, CLINIC, SHELL, AdwBin)

/* Returns: (transfer floating): the view for @session's role. */
ClinicShell   *clinic_shell_new             (ClinicSession *session);

ClinicSession *clinic_shell_get_session     (ClinicShell   *self);

/* The id of the section shown ("dashboard", "appointments", "audit", …),
 * so the window can return to it after a lock and keep it in GSettings
 * ("last-view"). Setting an id the role may not see shows the first
 * section instead. */
const char    *clinic_shell_get_section     (ClinicShell   *self);
void           clinic_shell_set_section     (ClinicShell   *self,
                                             const char    *section);

/* The ids of the sections this shell shows, in order. (transfer none) */
const char *const *clinic_shell_get_sections (ClinicShell  *self);

/* In kiosk mode (a patient at the shared PC) the shell hides everything
 * that leads out of the patient's own pages and shows a "Done" button
 * that activates win.kiosk-done. */
void           clinic_shell_set_kiosk       (ClinicShell   *self,
                                             gboolean       kiosk);
gboolean       clinic_shell_get_kiosk       (ClinicShell   *self);

G_END_DECLS
