/* clinic-document-preview.h — pages of a document as they will print */

#pragma once

#include <gtk/gtk.h>

#include "clinic-document.h"

G_BEGIN_DECLS

#define CLINIC_TYPE_DOCUMENT_PREVIEW (clinic_document_preview_get_type ())

G_DECLARE_FINAL_TYPE (ClinicDocumentPreview, clinic_document_preview, CLINIC, DOCUMENT_PREVIEW,
                      GtkWidget)

/*
 * A preview to embed (the set-up assistant shows the recovery sheet in
 * one): one page at a time, drawn by clinic_document_draw_page() as the
 * printer and the PDF get it, with page navigation, zoom, the choice of
 * paper, and two actions:
 *
 *   preview.print     GTK's print dialog, drawing with the same function
 *   preview.save-pdf  a file chooser, then clinic_document_write_pdf();
 *                     a failure shows as a toast over the preview
 *
 * and preview.previous-page, preview.next-page, preview.zoom-in,
 * preview.zoom-out, preview.zoom-fit. Keys, while the focus is inside:
 * Page Up/Down, Ctrl+P, Ctrl+Shift+S, Ctrl+plus/minus, Ctrl+0.
 */
GtkWidget      *clinic_document_preview_new          (void);

/* The document shown; NULL shows nothing and disables every action.
 * Returns: (transfer none) (nullable). */
ClinicDocument *clinic_document_preview_get_document (ClinicDocumentPreview *self);
void            clinic_document_preview_set_document (ClinicDocumentPreview *self,
                                                      ClinicDocument        *document);

/* The paper shown, offered first in the print dialog and used for PDF.
 * Starts as clinic_paper_get_default(). */
ClinicPaper     clinic_document_preview_get_paper    (ClinicDocumentPreview *self);
void            clinic_document_preview_set_paper    (ClinicDocumentPreview *self,
                                                      ClinicPaper            paper);

/* The page shown (from 0) and the number of pages on the paper shown. */
guint           clinic_document_preview_get_page     (ClinicDocumentPreview *self);
void            clinic_document_preview_set_page     (ClinicDocumentPreview *self,
                                                      guint                  page);
guint           clinic_document_preview_get_n_pages  (ClinicDocumentPreview *self);

G_END_DECLS
