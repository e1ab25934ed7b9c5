/* clinic-ics-dialogs.h — Export Calendar… and Import Calendar…
 *
 * Two small windows over the core's iCalendar calls (clinic-ics.h),
 * opened from the calendar views' menu. Export: a doctor or all, a range
 * of days, what the events show, then a file. Import: a file, the
 * doctor it is for, a preview of every event with its state (new,
 * update, conflict, no patient), then Import (as appointments; only
 * without conflicts) or Import as Blocked Time.
 */

#pragma once

#include <adwaita.h>

#include "clinic-session.h"

G_BEGIN_DECLS

#define CLINIC_TYPE_ICS_EXPORT_DIALOG (clinic_ics_export_dialog_get_type ())
G_DECLARE_FINAL_TYPE (ClinicIcsExportDialog, clinic_ics_export_dialog, CLINIC, ICS_EXPORT_DIALOG, AdwWindow)

#define CLINIC_TYPE_ICS_IMPORT_DIALOG (clinic_ics_import_dialog_get_type ())
G_DECLARE_FINAL_TYPE (ClinicIcsImportDialog, clinic_ics_import_dialog, CLINIC, ICS_IMPORT_DIALOG, AdwWindow)

/* The export window, modal over @parent; closes after an export. */
GtkWindow *clinic_ics_export_dialog_new       (GtkWindow              *parent,
                                               ClinicSession          *session);

/* Exports what the window shows to @path (what choosing a file does);
 * the number of events, -1 with the error also shown in the window. */
gint64     clinic_ics_export_dialog_export_to (ClinicIcsExportDialog  *self,
                                               const char             *path,
                                               GError                **error);

/* The import window, modal over @parent; emits "imported" (gint64
 * events) and closes after an import. */
GtkWindow *clinic_ics_import_dialog_new       (GtkWindow              *parent,
                                               ClinicSession          *session);

/* Reads @path and shows its preview (what choosing a file does); FALSE
 * with the error also shown in the window. */
gboolean   clinic_ics_import_dialog_load      (ClinicIcsImportDialog  *self,
                                               const char             *path,
                                               GError                **error);

/* The preview's rows, one an event. (transfer none) */
GtkListBox *clinic_ics_import_dialog_get_events (ClinicIcsImportDialog *self);

G_END_DECLS
