/* clinic-patient-documents.h — the documents in a patient's chart
 *
 * Lists the patient's documents (title, type, date, size, who added
 * them), adds one from a file (Add Document…: a PDF or a picture),
 * removes one after asking, and opens one: a PDF in the in-app preview
 * (drawn by poppler from memory, printable), a picture scaled to its
 * window. Read-only, without Add and Remove, for a session that may not
 * write the chart. Everything goes through clinic-documents.h; errors
 * show as toasts in plain words.
 */

#pragma once

#include <adwaita.h>

#include "clinic-patients.h"
#include "clinic-session.h"

G_BEGIN_DECLS

#define CLINIC_TYPE_PATIENT_DOCUMENTS (clinic_patient_documents_get_type ())

G_DECLARE_FINAL_TYPE (ClinicPatientDocuments, clinic_patient_documents, CLINIC, PATIENT_DOCUMENTS,
                      AdwBin)

GtkWidget *clinic_patient_documents_new    (ClinicSession          *session,
                                            gint64                  patient_id);

/* Reads the list again (after a change made elsewhere). */
void       clinic_patient_documents_reload (ClinicPatientDocuments *self);

/* Opens document @document_id as activating its row does, and returns
 * the window that shows it (NULL, with a toast, when it cannot be read).
 * (transfer none) */
GtkWindow *clinic_patient_documents_open   (ClinicPatientDocuments *self,
                                            gint64                  document_id);

/* The patient's photo as a texture for a chart header or a picker row;
 * NULL when there is none, or the session may not see it. (transfer full) */
GdkTexture *clinic_patient_photo_texture   (ClinicSession          *session,
                                            gint64                  patient_id);

/* An avatar of @size pixels for a patient row or picker: the photo when
 * one is on file (patient->has_photo), else the initials of the name. */
GtkWidget  *clinic_patient_avatar_new      (ClinicSession          *session,
                                            const ClinicPatient    *patient,
                                            int                     size);
/* Shows @patient in an avatar made by clinic_patient_avatar_new(). */
void        clinic_patient_avatar_update   (GtkWidget              *avatar,
                                            ClinicSession          *session,
                                            const ClinicPatient    *patient);

G_END_DECLS
