/* clinic-exceptions-window.h — the exceptions to the doctors' weeks
 *
 * Days off and holidays, blocked time and extra hours, from today on (or
 * all, with "Show past ones"), of everyone, of the whole clinic, or of one
 * doctor (with the clinic's own, which are theirs too). Each row has its
 * kind, its time in the clinic's zone, whose it is and why, and a Remove
 * button (Delete removes the selected row); a toast offers Undo, which
 * adds the same exception again. Add Exception… opens the form.
 */

#pragma once

#include <adwaita.h>

#include "clinic-session.h"

G_BEGIN_DECLS

/* The filter that shows every doctor's exceptions and the clinic's. */
#define CLINIC_EXCEPTIONS_ALL ((gint64) -1)

#define CLINIC_TYPE_EXCEPTIONS_WINDOW (clinic_exceptions_window_get_type ())

G_DECLARE_FINAL_TYPE (ClinicExceptionsWindow, clinic_exceptions_window, CLINIC, EXCEPTIONS_WINDOW, AdwWindow)

/* A new window showing @provider_id's exceptions (0: the whole clinic's,
 * CLINIC_EXCEPTIONS_ALL: everyone's); emits "changed" after each removal
 * or undo and after the Add Exception form closes. (transfer none: the
 * window belongs to GTK's toplevel list; present it) */
GtkWindow  *clinic_exceptions_window_new        (GtkWindow               *parent,
                                                 ClinicSession           *session,
                                                 gint64                   provider_id);

/* Whose exceptions are shown, as the dropdown chooses it. */
void        clinic_exceptions_window_set_filter (ClinicExceptionsWindow  *self,
                                                 gint64                   provider_id);
void        clinic_exceptions_window_set_show_past (ClinicExceptionsWindow *self,
                                                    gboolean                show_past);
/* The exceptions shown, as rows in order. */
guint       clinic_exceptions_window_get_n_rows (ClinicExceptionsWindow  *self);
gint64      clinic_exceptions_window_get_row_id (ClinicExceptionsWindow  *self,
                                                 guint                    index);
/* Removes exception @id as its Remove button does; FALSE after showing
 * the refusal. */
gboolean    clinic_exceptions_window_remove     (ClinicExceptionsWindow  *self,
                                                 gint64                   id);
/* What the toast's Undo does: adds the last removed exception again. */
gboolean    clinic_exceptions_window_undo       (ClinicExceptionsWindow  *self);
/* The refusal shown, or NULL. */
const char *clinic_exceptions_window_get_error  (ClinicExceptionsWindow  *self);

G_END_DECLS
