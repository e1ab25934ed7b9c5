/* clinic-documents.h — documents in the patient's chart, and the photo
 *
 * A document (a referral letter, a scanned result) is a PDF or an image
 * attached to a patient, kept encrypted in the attachments folder beside
 * the database (clinic-attachments.c). Listing and reading need
 * chart.read, adding and removing chart.write (staff only); a patient
 * session reaches its own documents only. Every addition, reading and
 * removal is audited, with ids, never titles.
 *
 * Removing a document deletes it: one filed under the wrong patient must
 * leave that chart for good; the audit trail keeps who removed which
 * document when.
 *
 * The patient's photo (shown wherever the patient is identified) is an
 * image of at most CLINIC_PHOTO_MAX_SIZE: patients.contact.write (staff)
 * sets it, patients.contact.read reads it, a patient their own.
 */

#pragma once

#include "clinic-session.h"

G_BEGIN_DECLS

/* The largest document and the largest photo accepted, in bytes. */
#define CLINIC_DOCUMENT_MAX_SIZE (50 * 1024 * 1024)
#define CLINIC_PHOTO_MAX_SIZE    (5 * 1024 * 1024)

typedef struct
{
  gint64  id;
  gint64  patient_id;
  char   *title;
  char   *media_type;     /* "application/pdf", "image/png", "image/jpeg", "image/webp" */
  gint64  size;           /* bytes */
  gint64  added_at;       /* Unix seconds, UTC */
  char   *added_by;       /* the display name of who added it; "" if unknown */
} ClinicPatientDocument;

#define CLINIC_TYPE_PATIENT_DOCUMENT (clinic_patient_document_get_type ())

GType           clinic_patient_document_get_type (void) G_GNUC_CONST;
ClinicPatientDocument *clinic_patient_document_copy     (const ClinicPatientDocument *document);
void            clinic_patient_document_free     (ClinicPatientDocument       *document);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ClinicPatientDocument, clinic_patient_document_free)

/* TRUE for a PDF; FALSE for the images. */
gboolean        clinic_patient_document_is_pdf   (const ClinicPatientDocument *document);

/*
 * clinic_documents_add:
 * @title: what the document is, as a person calls it; not empty
 * @media_type: (nullable): what the caller takes the file for; the
 *   content decides, and a file that is not what this says is refused
 * @content: the file's bytes: a PDF, PNG, JPEG or WebP image of at most
 *   CLINIC_DOCUMENT_MAX_SIZE
 *
 * Attaches @content to the patient. CLINIC_ERROR_INVALID with the reason
 * in plain words for an empty title, an empty, too large or unsupported
 * file; NOT_FOUND for an unknown patient. Returns the document's id.
 */
gint64          clinic_documents_add     (ClinicSession  *session,
                                          gint64          patient_id,
                                          const char     *title,
                                          const char     *media_type,
                                          GBytes         *content,
                                          GError        **error);

/* The patient's documents, newest first: a GPtrArray of ClinicPatientDocument.
 * NOT_FOUND for an unknown patient. */
GPtrArray      *clinic_documents_list    (ClinicSession  *session,
                                          gint64          patient_id,
                                          GError        **error);

/* The document's content, checked whole (CLINIC_DB_ERROR_DAMAGED naming
 * it otherwise). Audited as "document.read". (transfer full) */
GBytes         *clinic_documents_read    (ClinicSession  *session,
                                          gint64          document_id,
                                          GError        **error);

/* Deletes the document; its file goes once the deletion has committed. */
gboolean        clinic_documents_remove  (ClinicSession  *session,
                                          gint64          document_id,
                                          GError        **error);

/* Sets the patient's photo to @image (PNG, JPEG or WebP, at most
 * CLINIC_PHOTO_MAX_SIZE), or removes it when @image is NULL. */
gboolean        clinic_patients_set_photo (ClinicSession *session,
                                           gint64         patient_id,
                                           GBytes        *image,
                                           GError       **error);

/* The patient's photo, or NULL (no error) when there is none.
 * (transfer full) */
GBytes         *clinic_patients_dup_photo (ClinicSession *session,
                                           gint64         patient_id,
                                           GError       **error);

G_END_DECLS
