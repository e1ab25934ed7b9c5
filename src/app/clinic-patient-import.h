/* clinic-patient-import.h — importing a patient list from CSV
 *
 * Four steps in one modal window: the file; which column is which field
 * (pre-filled from the headers Clinic recognises, with sample values and
 * a preview of the first rows); every row checked, with the rows at
 * fault listed (line, column, reason) and the rows that look like
 * registered patients counted; then the import itself, all of it or, if
 * the person accepts it, the valid rows only. Reading the file, the check
 * and the import run in worker threads on a session of their own
 * (clinic_session_new_for_thread), with progress and Cancel; the window's
 * own session never leaves the main thread. "imported" carries the
 * number of patients registered.
 */

#pragma once

#include <adwaita.h>

#include "clinic-session.h"

G_BEGIN_DECLS

#define CLINIC_TYPE_PATIENT_IMPORT (clinic_patient_import_get_type ())

G_DECLARE_FINAL_TYPE (ClinicPatientImport, clinic_patient_import, CLINIC, PATIENT_IMPORT, AdwWindow)

ClinicPatientImport *clinic_patient_import_new             (GtkWindow           *parent,
                                                            ClinicSession       *session);

/* Reads @file as choosing it in the file chooser does (in a worker
 * thread); then the mapping page shows, or the reason it cannot. */
void                 clinic_patient_import_open_file       (ClinicPatientImport *self,
                                                            GFile               *file);

/* "file", "mapping", "check", "import" or "done". */
const char          *clinic_patient_import_get_page        (ClinicPatientImport *self);

/* TRUE while a worker thread reads, checks or imports. */
gboolean             clinic_patient_import_is_busy         (ClinicPatientImport *self);

/* The message shown above the page (an error, a cancelled import), or
 * NULL. */
const char          *clinic_patient_import_get_message     (ClinicPatientImport *self);

/* (transfer none) The row choosing the field of the file's @column, or
 * NULL; its item 0 is "Ignore", then clinic_patient_csv_fields() in
 * order. */
AdwComboRow         *clinic_patient_import_get_column_row  (ClinicPatientImport *self,
                                                            guint                column);

/* (transfer none) The preview's rows and the list of rows at fault: each
 * item a GtkStringList, one string per column shown (preview: "Line",
 * each mapped field, "Check"; errors: line, column, reason). */
GListModel          *clinic_patient_import_get_preview     (ClinicPatientImport *self);
GListModel          *clinic_patient_import_get_errors      (ClinicPatientImport *self);

/* Writes the rows at fault as CSV (Line, Column, Reason) to @file, as
 * "Save Error List…" does. */
gboolean             clinic_patient_import_save_errors     (ClinicPatientImport *self,
                                                            GFile               *file,
                                                            GError             **error);

G_END_DECLS
