/* clinic-cancel-dialog.h — the question before an appointment is cancelled
 *
 * One question for the calendar and the appointments table: a reason,
 * which the core requires and keeps in the appointment's history, and,
 * when the appointment belongs to a recurring series with later dates
 * still booked, whether to cancel only it, it and the following ones, or
 * every date of the series still to come. Cancelling returns the ID#s
 * cancelled, so the caller can offer one undo for all of them.
 */

#pragma once

#include <adwaita.h>

#include "clinic-recurrence.h"

G_BEGIN_DECLS

/* The response that cancels. */
#define CLINIC_CANCEL_RESPONSE "cancel-appointment"

/* The question for appointment @id; present it and connect "response".
 * The Cancel Appointment response is enabled once a reason is typed. */
AdwMessageDialog  *clinic_cancel_dialog_new        (GtkWindow         *parent,
                                                    ClinicSession     *session,
                                                    gint64             id);
gint64             clinic_cancel_dialog_get_id     (AdwMessageDialog  *dialog);
const char        *clinic_cancel_dialog_get_reason (AdwMessageDialog  *dialog);
/* CLINIC_SERIES_THIS unless the series choice was shown and changed. */
ClinicSeriesScope  clinic_cancel_dialog_get_scope  (AdwMessageDialog  *dialog);
/* Chooses @scope as clicking its choice does (FALSE when the appointment
 * is not in a series and the choice is not shown). */
gboolean           clinic_cancel_dialog_set_scope  (AdwMessageDialog  *dialog,
                                                    ClinicSeriesScope  scope);

/* Cancels @id, or the dates of @scope around it, with @reason, all or
 * none. Returns the ID#s cancelled (element-type gint64), NULL on error. */
GArray            *clinic_cancel_appointments      (ClinicSession     *session,
                                                    gint64             id,
                                                    ClinicSeriesScope  scope,
                                                    const char        *reason,
                                                    GError           **error);
/* Books again what clinic_cancel_appointments() cancelled (the undo):
 * each ID# in turn; one whose time was taken since stays cancelled, and
 * the error says how many could not be restored and why the first. */
gboolean           clinic_cancel_undo              (ClinicSession     *session,
                                                    GArray            *ids,
                                                    GError           **error);

G_END_DECLS
