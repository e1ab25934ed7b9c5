/* clinic-document.h — printable documents: one drawing for paper, PDF and preview
 *
 * A ClinicDocument lays itself out for a page size in points and draws any
 * page on a cairo context in points. The same two calls serve
 * GtkPrintOperation, the PDF file and the in-app preview, so what a person
 * sees is what the printer gets. GTK-free (cairo, pango, GLib), so
 * clinicctl renders documents headless.
 *
 * Most documents only implement build(): they append blocks (letterhead,
 * title, headings, paragraphs, key/value rows, notices, signature lines,
 * blocks of their own) and the base class places them on pages, keeps
 * headings with what follows, splits long paragraphs between lines, and
 * draws the footer ("Page N of M", print date) on every page.
 *
 * Not thread safe: use a document from one thread at a time.
 */

#pragma once

#include <cairo.h>
#include <glib-object.h>
#include <pango/pango.h>

G_BEGIN_DECLS

/* --- Errors ------------------------------------------------------------ */

#define CLINIC_DOCUMENT_ERROR (clinic_document_error_quark ())

/**
 * ClinicDocumentError:
 * @CLINIC_DOCUMENT_ERROR_FAILED: anything else; the message says what
 * @CLINIC_DOCUMENT_ERROR_NOT_FOUND: the folder to save in does not exist
 * @CLINIC_DOCUMENT_ERROR_PERMISSION_DENIED: Clinic may not write there
 * @CLINIC_DOCUMENT_ERROR_DISK_FULL: no space left; nothing was written
 * @CLINIC_DOCUMENT_ERROR_RENDER: cairo could not draw the document
 */
typedef enum
{
  CLINIC_DOCUMENT_ERROR_FAILED,
  CLINIC_DOCUMENT_ERROR_NOT_FOUND,
  CLINIC_DOCUMENT_ERROR_PERMISSION_DENIED,
  CLINIC_DOCUMENT_ERROR_DISK_FULL,
  CLINIC_DOCUMENT_ERROR_RENDER,
} ClinicDocumentError;

GQuark clinic_document_error_quark (void);

/* --- Paper ------------------------------------------------------------- */

typedef enum
{
  CLINIC_PAPER_A4,
  CLINIC_PAPER_LETTER,
} ClinicPaper;

#define CLINIC_N_PAPERS 2

/* Size of @paper in points (1/72 inch), portrait. */
void         clinic_paper_get_size         (ClinicPaper  paper,
                                            double      *width_pt,
                                            double      *height_pt);

/* The name people read ("A4", "US Letter"), translated. */
const char  *clinic_paper_get_display_name (ClinicPaper  paper);

/* The PWG 5101.1 name ("iso_a4", "na_letter"), for gtk_paper_size_new(). */
const char  *clinic_paper_get_pwg_name     (ClinicPaper  paper);

/* The paper of the current locale (LC_PAPER): Letter in the United States,
 * Canada and a few others, A4 everywhere else. */
ClinicPaper  clinic_paper_get_default      (void);

/* --- Text styles and colours for blocks of one's own -------------------- */

typedef enum
{
  CLINIC_TEXT_BODY,       /* 10.5 pt, for paragraphs */
  CLINIC_TEXT_STRONG,     /* body, bold */
  CLINIC_TEXT_SMALL,      /* 8.5 pt, notes and captions */
  CLINIC_TEXT_LABEL,      /* 8 pt bold, the names of fields */
  CLINIC_TEXT_HEADING,    /* 12.5 pt bold */
  CLINIC_TEXT_TITLE,      /* 22 pt bold, once per document */
  CLINIC_TEXT_CLINIC,     /* 15 pt bold, the clinic's name in the letterhead */
  CLINIC_TEXT_MONO,       /* 10 pt monospace */
  CLINIC_TEXT_MONO_LARGE, /* 16 pt monospace, for codes a person types back */
} ClinicTextStyle;

typedef enum
{
  CLINIC_COLOR_TEXT,      /* near black */
  CLINIC_COLOR_MUTED,     /* grey for secondary text; still readable on a copy */
  CLINIC_COLOR_RULE,      /* hairlines and box borders */
  CLINIC_COLOR_FILL,      /* a light tint behind notices and boxes */
  CLINIC_COLOR_WARNING,   /* dark red, for what must not be overlooked */
} ClinicColor;

void clinic_color_set_source (cairo_t     *cr,
                              ClinicColor  color);

/* --- The document ------------------------------------------------------ */

#define CLINIC_TYPE_DOCUMENT (clinic_document_get_type ())

G_DECLARE_DERIVABLE_TYPE (ClinicDocument, clinic_document, CLINIC, DOCUMENT, GObject)

/**
 * ClinicDocumentDrawFunc:
 * @self: the document
 * @cr: the page, in points, with the source colour set to CLINIC_COLOR_TEXT
 * @x: left edge of the block
 * @y: top edge of the block
 * @width: width of the block (the text width of the page)
 * @height: the height given to clinic_document_add_block()
 * @user_data: the block's data
 *
 * Draws one block. @cr is saved before and restored after.
 */
typedef void (*ClinicDocumentDrawFunc) (ClinicDocument *self,
                                        cairo_t        *cr,
                                        double          x,
                                        double          y,
                                        double          width,
                                        double          height,
                                        gpointer        user_data);

/**
 * ClinicDocumentClass:
 * @build: appends the document's blocks with the clinic_document_add_*()
 *   calls; run at each layout, when clinic_document_get_content_width()
 *   is that of the new page. The usual thing to implement.
 * @layout: lays the document out for a page of @width × @height points and
 *   returns the number of pages (at least 1). The default runs @build and
 *   places the blocks on pages; override it only for documents that place
 *   everything themselves (labels, forms).
 * @draw_page: draws page @page_index (from 0) of the last layout. The
 *   default draws the placed blocks and the footer.
 */
struct _ClinicDocumentClass
{
  GObjectClass parent_class;

  void  (*build)     (ClinicDocument *self);
  guint (*layout)    (ClinicDocument *self,
                      double          width,
                      double          height);
  void  (*draw_page) (ClinicDocument *self,
                      cairo_t        *cr,
                      guint           page_index,
                      double          width,
                      double          height);

  /*< private >*/
  gpointer padding[8];
};

/* The document's title: PDF metadata, footer, print job name and the file
 * name offered when saving. Returns: (transfer none). */
const char  *clinic_document_get_title      (ClinicDocument  *self);
void         clinic_document_set_title      (ClinicDocument  *self,
                                             const char      *title);

/* When the footer says the document was printed. NULL (the default) means
 * the moment of each layout. Returns: (transfer none) (nullable). */
GDateTime   *clinic_document_get_print_date (ClinicDocument  *self);
void         clinic_document_set_print_date (ClinicDocument  *self,
                                             GDateTime       *print_date);

/* Tells the document that what it shows has changed: the next call lays
 * it out again, and ::changed is emitted so previews redraw. Subclasses
 * call it from their setters. */
void         clinic_document_invalidate     (ClinicDocument  *self);

/* Number of pages on paper of @width_pt × @height_pt points, laying the
 * document out for that size if it is not already. */
guint        clinic_document_get_n_pages    (ClinicDocument  *self,
                                             double           width_pt,
                                             double           height_pt);

/* Draws page @page_index (from 0) on @cr, whose user space is the page in
 * points with (0, 0) at its top left corner, laying the document out for
 * @width_pt × @height_pt first if needed. The paper itself is not
 * painted: a preview paints it white, a printer has it. @cr's state is
 * restored afterwards. A @page_index past the last page draws nothing. */
void         clinic_document_draw_page      (ClinicDocument  *self,
                                             cairo_t         *cr,
                                             guint            page_index,
                                             double           width_pt,
                                             double           height_pt);

/* The document as a PDF on @paper, in memory (a document to attach to a
 * chart, stored encrypted: never a file in the clear). Errors:
 * CLINIC_DOCUMENT_ERROR_RENDER. (transfer full) */
GBytes      *clinic_document_render_pdf     (ClinicDocument  *self,
                                             ClinicPaper      paper,
                                             GError         **error);

/* Writes the document as a PDF on @paper to @path, atomically: a
 * temporary file beside @path, synced and renamed over it, so @path is
 * either the old file or the whole new one, and nothing is left behind on
 * failure. Mode 0600, since documents hold patient data. Title, creator
 * and creation date are set in the PDF; fonts are embedded.
 * Errors: CLINIC_DOCUMENT_ERROR, with a sentence that names the file. */
gboolean     clinic_document_write_pdf      (ClinicDocument  *self,
                                             const char      *path,
                                             ClinicPaper      paper,
                                             GError         **error);

/* --- For subclasses: the page ------------------------------------------ */

/* Margins of the page of the current layout, in points. The footer sits in
 * the bottom margin. */
void         clinic_document_get_margins    (ClinicDocument  *self,
                                             double          *top,
                                             double          *right,
                                             double          *bottom,
                                             double          *left);

/* Width between the left and right margins of the current layout: the
 * width a block is given. Valid inside build(). */
double       clinic_document_get_content_width (ClinicDocument *self);

/* A layout of @text (UTF-8; NULL is empty) in @style, wrapped at
 * @width points (word, then character, for long paths); @width < 0 does
 * not wrap. Measured in points, at any scale the same line breaks.
 * Returns: (transfer full). */
PangoLayout *clinic_document_create_layout  (ClinicDocument  *self,
                                             ClinicTextStyle  style,
                                             const char      *text,
                                             double           width);

/* Height of @layout in points. */
double       clinic_document_layout_height  (PangoLayout     *layout);

/* Draws the footer of page @page_index of @n_pages, for subclasses that
 * override draw_page() and place things themselves. */
void         clinic_document_draw_footer    (ClinicDocument  *self,
                                             cairo_t         *cr,
                                             guint            page_index,
                                             guint            n_pages,
                                             double           width,
                                             double           height);

/* --- For subclasses: blocks, inside build() ----------------------------- */

/* The clinic's name, then its address and phone number (each may be NULL)
 * in grey, and a hairline under them. @name wraps when long, over three
 * lines at most (then ellipsized). */
void         clinic_document_add_letterhead (ClinicDocument  *self,
                                             const char      *name,
                                             const char      *address,
                                             const char      *phone);

/* The document's title, and an optional @subtitle line in grey. */
void         clinic_document_add_title      (ClinicDocument  *self,
                                             const char      *title,
                                             const char      *subtitle);

/* A section heading; never left alone at the foot of a page. */
void         clinic_document_add_heading    (ClinicDocument  *self,
                                             const char      *text);

/* A paragraph of plain text in @style; long ones continue on the next
 * page, split between lines. */
void         clinic_document_add_paragraph  (ClinicDocument  *self,
                                             ClinicTextStyle  style,
                                             const char      *text);

/* A list item: @marker ("1.", "•") hanging in the left margin of the
 * text, which wraps under itself. */
void         clinic_document_add_list_item  (ClinicDocument  *self,
                                             const char      *marker,
                                             const char      *text);

/* One row of a table of fields: @key in grey on the left, @value on the
 * right, wrapping; rows added one after the other line up. */
void         clinic_document_add_key_value  (ClinicDocument  *self,
                                             const char      *key,
                                             const char      *value);

/* A notice in a tinted box with a bar on its left, in CLINIC_COLOR_WARNING
 * when @warning: @title in bold (may be NULL), then @text. Kept whole on
 * one page. */
void         clinic_document_add_notice     (ClinicDocument  *self,
                                             gboolean         warning,
                                             const char      *title,
                                             const char      *text);

/* Lines to write on, side by side, each with its caption under it
 * ("Signature", "Date"). @captions is NULL-terminated. */
void         clinic_document_add_sign_lines (ClinicDocument  *self,
                                             const char     **captions);

/* Empty space of @height points (dropped at the top of a page). */
void         clinic_document_add_space      (ClinicDocument  *self,
                                             double           height);

/* A block drawn by @draw, @height points high and the content width
 * wide, kept whole on one page. @destroy frees @user_data when the
 * layout is dropped. */
void         clinic_document_add_block      (ClinicDocument         *self,
                                             double                  height,
                                             ClinicDocumentDrawFunc  draw,
                                             gpointer                user_data,
                                             GDestroyNotify          destroy);

G_END_DECLS
