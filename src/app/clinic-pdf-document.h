/* clinic-pdf-document.h — a PDF file shown as a ClinicDocument
 *
 * Wraps a PDF (a patient's document) read by poppler-glib, so the in-app
 * preview shows, prints and saves it as it does the documents Clinic
 * draws itself: each PDF page is scaled to fit the paper shown. The PDF
 * is read from memory (the decrypted attachment); nothing is written to
 * disk to show it.
 */

#pragma once

#include "clinic-document.h"

G_BEGIN_DECLS

#define CLINIC_TYPE_PDF_DOCUMENT (clinic_pdf_document_get_type ())

G_DECLARE_FINAL_TYPE (ClinicPdfDocument, clinic_pdf_document, CLINIC, PDF_DOCUMENT, ClinicDocument)

/* NULL with a G_IO_ERROR when poppler cannot read @pdf. */
ClinicDocument *clinic_pdf_document_new (GBytes      *pdf,
                                         const char  *title,
                                         GError     **error);

G_END_DECLS
