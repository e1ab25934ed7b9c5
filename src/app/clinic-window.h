/* clinic-window.h — the main window */

#pragma once

#include <adwaita.h>

#include "clinic-application.h"

G_BEGIN_DECLS

#define CLINIC_TYPE_WINDOW (clinic_window_get_type ())

G_DECLARE_FINAL_TYPE (ClinicWindow, clinic_window, CLINIC, WINDOW, AdwApplicationWindow)

/* Returns: (transfer none): a new window owned by @app. */
ClinicWindow *clinic_window_new              (ClinicApplication *app);

/* The name of the page shown now ("sign-in", later the role views).
 * Returns: (transfer none). */
const char   *clinic_window_get_visible_page (ClinicWindow      *self);

G_END_DECLS
