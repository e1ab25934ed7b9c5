/* clinic-visit-types-window.h — the clinic's visit types, kept up
 *
 * Lists every visit type, the retired ones marked so, with its colour,
 * length and whether patients may book it at the kiosk. The selected one
 * is edited beside the list and saved, retired or brought back; Add opens
 * the New Visit Type form. A retired type stays on the appointments that
 * have it and is no longer offered for new ones (the core refuses it).
 * The core's refusals are shown in the window.
 */

#pragma once

#include <adwaita.h>

#include "clinic-session.h"

G_BEGIN_DECLS

#define CLINIC_TYPE_VISIT_TYPES_WINDOW (clinic_visit_types_window_get_type ())

G_DECLARE_FINAL_TYPE (ClinicVisitTypesWindow, clinic_visit_types_window, CLINIC, VISIT_TYPES_WINDOW, AdwWindow)

/* A new window; emits "changed" after each saved change. (transfer none:
 * the window belongs to GTK's toplevel list; present it) */
GtkWindow  *clinic_visit_types_window_new       (GtkWindow               *parent,
                                                 ClinicSession           *session);

/* Selects visit type @id for editing, as clicking its row does; FALSE
 * when it is not listed. */
gboolean    clinic_visit_types_window_select    (ClinicVisitTypesWindow  *self,
                                                 gint64                   id);
/* Saves the edited fields as Save does; FALSE after showing the refusal. */
gboolean    clinic_visit_types_window_save      (ClinicVisitTypesWindow  *self);
/* Retires the selected type, or brings it back, as the button does. */
gboolean    clinic_visit_types_window_toggle_active (ClinicVisitTypesWindow *self);
/* The refusal shown, or NULL. */
const char *clinic_visit_types_window_get_error (ClinicVisitTypesWindow  *self);

/* "#rrggbb" of @rgba (its alpha left out). (transfer full) */
char       *clinic_rgba_to_hex                  (const GdkRGBA           *rgba);

G_END_DECLS
