/* clinic-pdf-document.c — a PDF file shown as a ClinicDocument */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <poppler.h>

#include "clinic-pdf-document.h"

struct _ClinicPdfDocument
{
  ClinicDocument   parent_instance;

  PopplerDocument *pdf;
};

G_DEFINE_FINAL_TYPE (ClinicPdfDocument, clinic_pdf_document, CLINIC_TYPE_DOCUMENT)

/* The PDF places everything itself: one page of paper per PDF page. */
static guint
clinic_pdf_document_layout (ClinicDocument *document,
                            double          width,
                            double          height)
{
  ClinicPdfDocument *self = CLINIC_PDF_DOCUMENT (document);

  return MAX (1, poppler_document_get_n_pages (self->pdf));
}

static void
clinic_pdf_document_draw_page (ClinicDocument *document,
                               cairo_t        *cr,
                               guint           page_index,
                               double          width,
                               double          height)
{
  ClinicPdfDocument *self = CLINIC_PDF_DOCUMENT (document);
  g_autoptr(GObject) page_object = NULL;
  PopplerPage *page;
  double page_width = 0;
  double page_height = 0;
  double scale;

  if ((int) page_index >= poppler_document_get_n_pages (self->pdf))
    return;
  /* This poppler has no autoptr for its pages. */
  page_object = G_OBJECT (poppler_document_get_page (self->pdf, (int) page_index));
  if (page_object == NULL)
    return;
  page = POPPLER_PAGE (page_object);

  /* Scaled to fit the paper and centred on it, whatever size it was
   * made for (a scanned letter on A4, a lab sheet on US Letter). */
  poppler_page_get_size (page, &page_width, &page_height);
  if (page_width <= 0 || page_height <= 0)
    return;
  scale = MIN (width / page_width, height / page_height);
  cairo_translate (cr, (width - page_width * scale) / 2, (height - page_height * scale) / 2);
  cairo_scale (cr, scale, scale);
  poppler_page_render_for_printing (page, cr);
}

static void
clinic_pdf_document_dispose (GObject *object)
{
  ClinicPdfDocument *self = CLINIC_PDF_DOCUMENT (object);

  g_clear_object (&self->pdf);

  G_OBJECT_CLASS (clinic_pdf_document_parent_class)->dispose (object);
}

static void
clinic_pdf_document_class_init (ClinicPdfDocumentClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  ClinicDocumentClass *document_class = CLINIC_DOCUMENT_CLASS (klass);

  object_class->dispose = clinic_pdf_document_dispose;
  document_class->layout = clinic_pdf_document_layout;
  document_class->draw_page = clinic_pdf_document_draw_page;
}

static void
clinic_pdf_document_init (ClinicPdfDocument *self)
{
}

ClinicDocument *
clinic_pdf_document_new (GBytes      *pdf,
                         const char  *title,
                         GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  ClinicPdfDocument *self;
  PopplerDocument *document;

  g_return_val_if_fail (pdf != NULL, NULL);

  document = poppler_document_new_from_bytes (pdf, NULL, &local_error);
  if (document == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("The PDF cannot be shown: %s."), local_error->message);
      return NULL;
    }

  self = g_object_new (CLINIC_TYPE_PDF_DOCUMENT, NULL);
  self->pdf = document;
  clinic_document_set_title (CLINIC_DOCUMENT (self), title);

  return CLINIC_DOCUMENT (self);
}
