/* clinic-document-preview.c — pages of a document as they will print
 *
 * The page is drawn by the document's own draw function into a cairo node,
 * scaled in cairo (not in the scene graph), so the text stays sharp at any
 * zoom and the line breaks are those of the paper. Printing and PDF use
 * the same function; nothing goes through a temporary file.
 */

#include "config.h"

#include "clinic-app-utils.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <math.h>

#include "clinic-document-preview.h"

#define PAGE_PADDING 24.0            /* around the page, in pixels */
#define PX_PER_PT    (96.0 / 72.0)   /* zoom 100 %: a point on paper, a point on screen */
#define ZOOM_MIN     0.25
#define ZOOM_MAX     4.0

static const double zoom_steps[] = { 0.25, 0.33, 0.5, 0.67, 0.75, 1.0, 1.25, 1.5, 2.0, 3.0, 4.0 };

/* --- The canvas: one page on a shadow ----------------------------------- */

/* Private to this file: the page is not something a person focuses or
 * clicks, so it is drawn, and the preview's buttons do the rest. */
#define CLINIC_TYPE_DOCUMENT_PREVIEW_CANVAS (clinic_document_preview_canvas_get_type ())
G_DECLARE_FINAL_TYPE (ClinicDocumentPreviewCanvas, clinic_document_preview_canvas,
                      CLINIC, DOCUMENT_PREVIEW_CANVAS, GtkWidget)

struct _ClinicDocumentPreviewCanvas
{
  GtkWidget       parent_instance;

  ClinicDocument *document;
  double          paper_width;   /* points */
  double          paper_height;
  guint           page;
  double          zoom;          /* 0: fit the page in the widget */
};

G_DEFINE_FINAL_TYPE (ClinicDocumentPreviewCanvas, clinic_document_preview_canvas, GTK_TYPE_WIDGET)

/* Pixels per point at the current size. */
static double
canvas_get_scale (ClinicDocumentPreviewCanvas *self,
                  double                       width,
                  double                       height)
{
  double scale;

  if (self->zoom > 0)
    return self->zoom * PX_PER_PT;

  scale = MIN ((width - 2 * PAGE_PADDING) / self->paper_width,
               (height - 2 * PAGE_PADDING) / self->paper_height);

  return MAX (scale, 0.05);
}

static void
canvas_measure (GtkWidget      *widget,
                GtkOrientation  orientation,
                int             for_size,
                int            *minimum,
                int            *natural,
                int            *minimum_baseline,
                int            *natural_baseline)
{
  ClinicDocumentPreviewCanvas *self = CLINIC_DOCUMENT_PREVIEW_CANVAS (widget);
  double size = orientation == GTK_ORIENTATION_HORIZONTAL ? self->paper_width
                                                          : self->paper_height;

  if (self->zoom > 0)
    {
      *minimum = *natural = (int) ceil (size * self->zoom * PX_PER_PT + 2 * PAGE_PADDING);
      return;
    }

  /* Fitting: any size will do; half size reads well when there is room. */
  *minimum = (int) (2 * PAGE_PADDING + 60);
  *natural = (int) ceil (size * 0.5 * PX_PER_PT + 2 * PAGE_PADDING);
}

static void
canvas_snapshot (GtkWidget   *widget,
                 GtkSnapshot *snapshot)
{
  ClinicDocumentPreviewCanvas *self = CLINIC_DOCUMENT_PREVIEW_CANVAS (widget);
  double width = gtk_widget_get_width (widget);
  double height = gtk_widget_get_height (widget);
  double scale = canvas_get_scale (self, width, height);
  double page_width = round (self->paper_width * scale);
  double page_height = round (self->paper_height * scale);
  double x = round (MAX (PAGE_PADDING, (width - page_width) / 2));
  double y = round (MAX (PAGE_PADDING, (height - page_height) / 2));
  graphene_rect_t page = GRAPHENE_RECT_INIT (x, y, page_width, page_height);
  GskRoundedRect outline;
  cairo_t *cr;

  if (self->document == NULL)
    return;

  gsk_rounded_rect_init_from_rect (&outline, &page, 0);
  gtk_snapshot_append_outset_shadow (snapshot, &outline,
                                     &(GdkRGBA) { 0, 0, 0, 0.10 }, 0, 0, 1, 0);
  gtk_snapshot_append_outset_shadow (snapshot, &outline,
                                     &(GdkRGBA) { 0, 0, 0, 0.18 }, 0, 2, 0, 8);
  /* Paper is white in the dark style too. */
  gtk_snapshot_append_color (snapshot, &(GdkRGBA) { 1, 1, 1, 1 }, &page);

  cr = gtk_snapshot_append_cairo (snapshot, &page);
  cairo_translate (cr, x, y);
  cairo_scale (cr, page_width / self->paper_width, page_height / self->paper_height);
  clinic_document_draw_page (self->document, cr, self->page,
                             self->paper_width, self->paper_height);
  cairo_destroy (cr);
}

static void
canvas_dispose (GObject *object)
{
  ClinicDocumentPreviewCanvas *self = CLINIC_DOCUMENT_PREVIEW_CANVAS (object);

  g_clear_object (&self->document);

  G_OBJECT_CLASS (clinic_document_preview_canvas_parent_class)->dispose (object);
}

static void
clinic_document_preview_canvas_class_init (ClinicDocumentPreviewCanvasClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = canvas_dispose;
  widget_class->measure = canvas_measure;
  widget_class->snapshot = canvas_snapshot;

  gtk_widget_class_set_css_name (widget_class, "documentpage");
}

static void
clinic_document_preview_canvas_init (ClinicDocumentPreviewCanvas *self)
{
  clinic_paper_get_size (CLINIC_PAPER_A4, &self->paper_width, &self->paper_height);
  gtk_widget_set_hexpand (GTK_WIDGET (self), TRUE);
  gtk_widget_set_vexpand (GTK_WIDGET (self), TRUE);
}

/* --- The preview ------------------------------------------------------- */

struct _ClinicDocumentPreview
{
  GtkWidget                    parent_instance;

  ClinicDocument              *document;
  gulong                       changed_handler;
  ClinicPaper                  paper;
  guint                        page;
  guint                        n_pages;
  GtkPrintSettings            *print_settings;  /* kept from one print to the next */

  /* Template widgets */
  AdwToastOverlay             *toast_overlay;
  GtkLabel                    *page_label;
  GtkDropDown                 *paper_dropdown;
  GtkScrolledWindow           *scroller;
  ClinicDocumentPreviewCanvas *canvas;
};

G_DEFINE_FINAL_TYPE (ClinicDocumentPreview, clinic_document_preview, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_DOCUMENT,
  PROP_PAPER,
  PROP_PAGE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
clinic_document_preview_update_actions (ClinicDocumentPreview *self)
{
  GtkWidget *widget = GTK_WIDGET (self);
  gboolean has_document = self->document != NULL;
  double zoom = self->canvas->zoom;

  gtk_widget_action_set_enabled (widget, "preview.previous-page", has_document && self->page > 0);
  gtk_widget_action_set_enabled (widget, "preview.next-page",
                                 has_document && self->page + 1 < self->n_pages);
  gtk_widget_action_set_enabled (widget, "preview.zoom-in",
                                 has_document && (zoom == 0 || zoom < ZOOM_MAX));
  gtk_widget_action_set_enabled (widget, "preview.zoom-out",
                                 has_document && (zoom == 0 || zoom > ZOOM_MIN));
  gtk_widget_action_set_enabled (widget, "preview.zoom-fit", has_document && zoom > 0);
  gtk_widget_action_set_enabled (widget, "preview.print", has_document);
  gtk_widget_action_set_enabled (widget, "preview.save-pdf", has_document);
}

static void
clinic_document_preview_update (ClinicDocumentPreview *self)
{
  g_autofree char *page_text = NULL;
  g_autofree char *description = NULL;
  guint page = self->page;

  if (self->document != NULL)
    {
      double width, height;

      clinic_paper_get_size (self->paper, &width, &height);
      self->n_pages = clinic_document_get_n_pages (self->document, width, height);
      self->canvas->paper_width = width;
      self->canvas->paper_height = height;
    }
  else
    self->n_pages = 0;

  self->page = MIN (self->page, self->n_pages > 0 ? self->n_pages - 1 : 0);
  self->canvas->page = self->page;

  /* Translators: where the preview is, as in "Page 1 of 2". */
  page_text = g_strdup_printf (_("Page %u of %u"), self->n_pages > 0 ? self->page + 1 : 0,
                               self->n_pages);
  gtk_label_set_text (self->page_label, page_text);

  /* Translators: what a screen reader says for the page shown: the
   * document's title, then "Page 1 of 2". */
  description = g_strdup_printf (_("%s, %s"),
                                 self->document != NULL
                                   ? clinic_document_get_title (self->document) : "",
                                 page_text);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->canvas),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, description,
                                  -1);

  clinic_document_preview_update_actions (self);
  gtk_widget_queue_resize (GTK_WIDGET (self->canvas));
  gtk_widget_queue_draw (GTK_WIDGET (self->canvas));

  if (page != self->page)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PAGE]);
}

static void
show_toast (ClinicDocumentPreview *self,
            const char            *message,
            gboolean               is_error)
{
  AdwToast *toast = adw_toast_new (message);

  /* An error stays until it has been read and dismissed. */
  if (is_error)
    {
      adw_toast_set_timeout (toast, 0);
      adw_toast_set_priority (toast, ADW_TOAST_PRIORITY_HIGH);
    }
  clinic_toast_overlay_add (self->toast_overlay, toast);
}

/* --- Pages and zoom ---------------------------------------------------- */

static void
previous_page_activated (GtkWidget  *widget,
                         const char *action_name,
                         GVariant   *parameter)
{
  ClinicDocumentPreview *self = CLINIC_DOCUMENT_PREVIEW (widget);

  if (self->page > 0)
    clinic_document_preview_set_page (self, self->page - 1);
}

static void
next_page_activated (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  ClinicDocumentPreview *self = CLINIC_DOCUMENT_PREVIEW (widget);

  clinic_document_preview_set_page (self, self->page + 1);
}

/* The zoom shown now, as a factor of the page's real size. */
static double
current_zoom (ClinicDocumentPreview *self)
{
  GtkWidget *canvas = GTK_WIDGET (self->canvas);

  if (self->canvas->zoom > 0)
    return self->canvas->zoom;

  return canvas_get_scale (self->canvas, gtk_widget_get_width (canvas),
                           gtk_widget_get_height (canvas)) / PX_PER_PT;
}

static void
set_zoom (ClinicDocumentPreview *self,
          double                 zoom)
{
  self->canvas->zoom = zoom > 0 ? CLAMP (zoom, ZOOM_MIN, ZOOM_MAX) : 0;
  clinic_document_preview_update (self);
}

static void
zoom_in_activated (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  ClinicDocumentPreview *self = CLINIC_DOCUMENT_PREVIEW (widget);
  double zoom = current_zoom (self);

  for (guint i = 0; i < G_N_ELEMENTS (zoom_steps); i++)
    if (zoom_steps[i] > zoom + 0.01)
      {
        set_zoom (self, zoom_steps[i]);
        return;
      }

  set_zoom (self, ZOOM_MAX);
}

static void
zoom_out_activated (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  ClinicDocumentPreview *self = CLINIC_DOCUMENT_PREVIEW (widget);
  double zoom = current_zoom (self);

  for (guint i = G_N_ELEMENTS (zoom_steps); i > 0; i--)
    if (zoom_steps[i - 1] < zoom - 0.01)
      {
        set_zoom (self, zoom_steps[i - 1]);
        return;
      }

  set_zoom (self, ZOOM_MIN);
}

static void
zoom_fit_activated (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  set_zoom (CLINIC_DOCUMENT_PREVIEW (widget), 0);
}

/* --- Paper ------------------------------------------------------------- */

/* In GTK 4.8 a drop-down's name stays on the outer widget while the focus
 * lands on the button inside it, which shows only the paper's name; give
 * that button the whole sentence. */
static void
update_paper_accessible_label (ClinicDocumentPreview *self)
{
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->paper_dropdown));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      if (GTK_IS_TOGGLE_BUTTON (child))
        {
          /* Translators: the paper size button for screen readers; %s is
           * "A4" or "US Letter". */
          g_autofree char *label = g_strdup_printf (_("Paper Size: %s"),
                                                    clinic_paper_get_display_name (self->paper));

          gtk_accessible_update_property (GTK_ACCESSIBLE (child),
                                          GTK_ACCESSIBLE_PROPERTY_LABEL, label,
                                          -1);
        }
    }
}

static void
on_paper_selected (ClinicDocumentPreview *self)
{
  guint selected = gtk_drop_down_get_selected (self->paper_dropdown);

  if (selected < CLINIC_N_PAPERS)
    clinic_document_preview_set_paper (self, (ClinicPaper) selected);
}

/* --- Print ------------------------------------------------------------- */

static void
on_begin_print (GtkPrintOperation *operation,
                GtkPrintContext   *context,
                ClinicDocument    *document)
{
  /* The paper the person chose in the print dialog, which may not be the
   * one previewed; the document lays itself out for it. */
  gtk_print_operation_set_n_pages (operation,
                                   (int) clinic_document_get_n_pages (document,
                                                                      gtk_print_context_get_width (context),
                                                                      gtk_print_context_get_height (context)));
}

static void
on_draw_page (GtkPrintOperation *operation,
              GtkPrintContext   *context,
              int                page_nr,
              ClinicDocument    *document)
{
  clinic_document_draw_page (document, gtk_print_context_get_cairo_context (context),
                             (guint) page_nr,
                             gtk_print_context_get_width (context),
                             gtk_print_context_get_height (context));
}

static void
print_finished (ClinicDocumentPreview   *self,
                GtkPrintOperation       *operation,
                GtkPrintOperationResult  result,
                GError                  *error)
{
  switch (result)
    {
    case GTK_PRINT_OPERATION_RESULT_ERROR:
      {
        /* Translators: %s is the printing system's own message. */
        g_autofree char *message = g_strdup_printf (_("The document could not be printed: %s"),
                                                    error != NULL ? error->message : "");

        show_toast (self, message, TRUE);
      }
      break;

    case GTK_PRINT_OPERATION_RESULT_APPLY:
      g_set_object (&self->print_settings, gtk_print_operation_get_print_settings (operation));
      break;

    case GTK_PRINT_OPERATION_RESULT_CANCEL:
    case GTK_PRINT_OPERATION_RESULT_IN_PROGRESS:
    default:
      break;
    }
}

static void
on_print_done (GtkPrintOperation       *operation,
               GtkPrintOperationResult  result,
               gpointer                 user_data)
{
  g_autoptr(ClinicDocumentPreview) self = user_data;
  g_autoptr(GError) error = NULL;

  if (result == GTK_PRINT_OPERATION_RESULT_ERROR)
    gtk_print_operation_get_error (operation, &error);

  print_finished (self, operation, result, error);
}

static void
release_document (gpointer  data,
                  GClosure *closure)
{
  g_object_unref (data);
}

static void
print_activated (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  ClinicDocumentPreview *self = CLINIC_DOCUMENT_PREVIEW (widget);
  g_autoptr(GtkPrintOperation) operation = NULL;
  g_autoptr(GtkPageSetup) setup = NULL;
  g_autoptr(GError) error = NULL;
  GtkPaperSize *paper_size;
  GtkRoot *root;
  GtkPrintOperationResult result;

  if (self->document == NULL)
    return;

  operation = gtk_print_operation_new ();

  setup = gtk_page_setup_new ();
  paper_size = gtk_paper_size_new (clinic_paper_get_pwg_name (self->paper));
  gtk_page_setup_set_paper_size_and_default_margins (setup, paper_size);
  gtk_paper_size_free (paper_size);
  gtk_print_operation_set_default_page_setup (operation, setup);
  if (self->print_settings != NULL)
    gtk_print_operation_set_print_settings (operation, self->print_settings);

  /* The document keeps its own margins, in points from the paper's edge. */
  gtk_print_operation_set_use_full_page (operation, TRUE);
  gtk_print_operation_set_unit (operation, GTK_UNIT_POINTS);
  gtk_print_operation_set_embed_page_setup (operation, TRUE);
  gtk_print_operation_set_job_name (operation, clinic_document_get_title (self->document));
  gtk_print_operation_set_allow_async (operation, TRUE);

  /* The operation may outlive the preview (the dialog is its own window). */
  g_signal_connect_data (operation, "begin-print", G_CALLBACK (on_begin_print),
                         g_object_ref (self->document), release_document, 0);
  g_signal_connect_data (operation, "draw-page", G_CALLBACK (on_draw_page),
                         g_object_ref (self->document), release_document, 0);

  root = gtk_widget_get_root (widget);
  result = gtk_print_operation_run (operation, GTK_PRINT_OPERATION_ACTION_PRINT_DIALOG,
                                    GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, &error);

  if (result == GTK_PRINT_OPERATION_RESULT_IN_PROGRESS)
    g_signal_connect (operation, "done", G_CALLBACK (on_print_done), g_object_ref (self));
  else
    print_finished (self, operation, result, error);
}

/* --- Save as PDF ------------------------------------------------------- */

static char *
suggested_file_name (ClinicDocument *document)
{
  g_autofree char *title = g_strdup (clinic_document_get_title (document));

  /* A title is free text; a file name may hold neither '/' nor a leading dot. */
  g_strdelimit (title, "/\\", '-');
  g_strstrip (title);
  while (title[0] == '.')
    title[0] = '_';
  if (title[0] == '\0')
    return g_strdup (_("Document.pdf"));

  return g_strconcat (title, ".pdf", NULL);
}

static void
on_save_response (GtkNativeDialog *dialog,
                  int              response,
                  gpointer         user_data)
{
  g_autoptr(ClinicDocumentPreview) self = user_data;
  g_autoptr(GFile) file = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;

  if (response != GTK_RESPONSE_ACCEPT || self->document == NULL)
    goto out;

  file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
  path = file != NULL ? g_file_get_path (file) : NULL;
  if (path == NULL)
    {
      show_toast (self, _("Clinic can only save to a folder on this computer or a disk attached to it."),
                  TRUE);
      goto out;
    }

  if (!clinic_document_write_pdf (self->document, path, self->paper, &error))
    show_toast (self, error->message, TRUE);
  else
    {
      g_autofree char *base = g_path_get_basename (path);
      g_autofree char *name = g_filename_display_name (base);
      /* Translators: %s is the file name. */
      g_autofree char *message = g_strdup_printf (_("Saved as “%s”"), name);

      show_toast (self, message, FALSE);
    }

out:
  gtk_native_dialog_destroy (dialog);
  g_object_unref (dialog);
}

static void
save_pdf_activated (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  ClinicDocumentPreview *self = CLINIC_DOCUMENT_PREVIEW (widget);
  g_autoptr(GtkFileFilter) filter = NULL;
  g_autofree char *name = NULL;
  GtkFileChooserNative *dialog;
  GtkRoot *root;

  if (self->document == NULL)
    return;

  root = gtk_widget_get_root (widget);
  dialog = gtk_file_chooser_native_new (_("Save as PDF"),
                                        GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                        GTK_FILE_CHOOSER_ACTION_SAVE,
                                        _("_Save"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (dialog), TRUE);

  filter = gtk_file_filter_new ();
  gtk_file_filter_set_name (filter, _("PDF Documents"));
  gtk_file_filter_add_mime_type (filter, "application/pdf");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (dialog), filter);

  name = suggested_file_name (self->document);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (dialog), name);

  /* The dialog and the preview live until the answer comes. */
  g_signal_connect (dialog, "response", G_CALLBACK (on_save_response), g_object_ref (self));
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

/* --- Public ------------------------------------------------------------ */

GtkWidget *
clinic_document_preview_new (void)
{
  return g_object_new (CLINIC_TYPE_DOCUMENT_PREVIEW, NULL);
}

ClinicDocument *
clinic_document_preview_get_document (ClinicDocumentPreview *self)
{
  g_return_val_if_fail (CLINIC_IS_DOCUMENT_PREVIEW (self), NULL);

  return self->document;
}

static void
on_document_changed (ClinicDocumentPreview *self)
{
  clinic_document_preview_update (self);
}

void
clinic_document_preview_set_document (ClinicDocumentPreview *self,
                                      ClinicDocument        *document)
{
  g_return_if_fail (CLINIC_IS_DOCUMENT_PREVIEW (self));
  g_return_if_fail (document == NULL || CLINIC_IS_DOCUMENT (document));

  if (self->document == document)
    return;

  if (self->document != NULL)
    g_clear_signal_handler (&self->changed_handler, self->document);
  g_set_object (&self->document, document);
  g_set_object (&self->canvas->document, document);
  if (document != NULL)
    self->changed_handler = g_signal_connect_swapped (document, "changed",
                                                      G_CALLBACK (on_document_changed), self);

  self->page = 0;
  clinic_document_preview_update (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DOCUMENT]);
}

ClinicPaper
clinic_document_preview_get_paper (ClinicDocumentPreview *self)
{
  g_return_val_if_fail (CLINIC_IS_DOCUMENT_PREVIEW (self), CLINIC_PAPER_A4);

  return self->paper;
}

void
clinic_document_preview_set_paper (ClinicDocumentPreview *self,
                                   ClinicPaper            paper)
{
  g_return_if_fail (CLINIC_IS_DOCUMENT_PREVIEW (self));
  g_return_if_fail ((guint) paper < CLINIC_N_PAPERS);

  if (self->paper == paper)
    return;

  self->paper = paper;
  if (gtk_drop_down_get_selected (self->paper_dropdown) != (guint) paper)
    gtk_drop_down_set_selected (self->paper_dropdown, paper);
  update_paper_accessible_label (self);
  clinic_document_preview_update (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PAPER]);
}

guint
clinic_document_preview_get_page (ClinicDocumentPreview *self)
{
  g_return_val_if_fail (CLINIC_IS_DOCUMENT_PREVIEW (self), 0);

  return self->page;
}

void
clinic_document_preview_set_page (ClinicDocumentPreview *self,
                                  guint                  page)
{
  guint old;

  g_return_if_fail (CLINIC_IS_DOCUMENT_PREVIEW (self));

  old = self->page;
  self->page = page;
  clinic_document_preview_update (self);

  if (self->page != old)
    {
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PAGE]);
      /* A new page starts at its top. */
      gtk_adjustment_set_value (gtk_scrolled_window_get_vadjustment (self->scroller), 0);
    }
}

guint
clinic_document_preview_get_n_pages (ClinicDocumentPreview *self)
{
  g_return_val_if_fail (CLINIC_IS_DOCUMENT_PREVIEW (self), 0);

  return self->n_pages;
}

/* --- Object ------------------------------------------------------------ */

static void
clinic_document_preview_get_property (GObject    *object,
                                      guint       prop_id,
                                      GValue     *value,
                                      GParamSpec *pspec)
{
  ClinicDocumentPreview *self = CLINIC_DOCUMENT_PREVIEW (object);

  switch (prop_id)
    {
    case PROP_DOCUMENT:
      g_value_set_object (value, self->document);
      break;
    case PROP_PAPER:
      g_value_set_uint (value, self->paper);
      break;
    case PROP_PAGE:
      g_value_set_uint (value, self->page);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
clinic_document_preview_set_property (GObject      *object,
                                      guint         prop_id,
                                      const GValue *value,
                                      GParamSpec   *pspec)
{
  ClinicDocumentPreview *self = CLINIC_DOCUMENT_PREVIEW (object);

  switch (prop_id)
    {
    case PROP_DOCUMENT:
      clinic_document_preview_set_document (self, g_value_get_object (value));
      break;
    case PROP_PAPER:
      clinic_document_preview_set_paper (self, g_value_get_uint (value));
      break;
    case PROP_PAGE:
      clinic_document_preview_set_page (self, g_value_get_uint (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
clinic_document_preview_dispose (GObject *object)
{
  ClinicDocumentPreview *self = CLINIC_DOCUMENT_PREVIEW (object);

  if (self->document != NULL)
    g_clear_signal_handler (&self->changed_handler, self->document);
  g_clear_object (&self->document);
  g_clear_object (&self->print_settings);

  gtk_widget_dispose_template (GTK_WIDGET (object), CLINIC_TYPE_DOCUMENT_PREVIEW);

  G_OBJECT_CLASS (clinic_document_preview_parent_class)->dispose (object);
}

static void
clinic_document_preview_class_init (ClinicDocumentPreviewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  clinic_ensure_resources ();

  object_class->get_property = clinic_document_preview_get_property;
  object_class->set_property = clinic_document_preview_set_property;
  object_class->dispose = clinic_document_preview_dispose;

  properties[PROP_DOCUMENT] =
    g_param_spec_object ("document", NULL, NULL,
                         CLINIC_TYPE_DOCUMENT,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /* A ClinicPaper. */
  properties[PROP_PAPER] =
    g_param_spec_uint ("paper", NULL, NULL,
                       0, CLINIC_N_PAPERS - 1, CLINIC_PAPER_A4,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  properties[PROP_PAGE] =
    g_param_spec_uint ("page", NULL, NULL,
                       0, G_MAXUINT, 0,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (CLINIC_TYPE_DOCUMENT_PREVIEW_CANVAS);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/com/example/Clinic/ui/clinic-document-preview.ui");
  gtk_widget_class_bind_template_child (widget_class, ClinicDocumentPreview, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, ClinicDocumentPreview, page_label);
  gtk_widget_class_bind_template_child (widget_class, ClinicDocumentPreview, paper_dropdown);
  gtk_widget_class_bind_template_child (widget_class, ClinicDocumentPreview, scroller);
  gtk_widget_class_bind_template_child (widget_class, ClinicDocumentPreview, canvas);
  gtk_widget_class_bind_template_callback (widget_class, on_paper_selected);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "documentpreview");

  gtk_widget_class_install_action (widget_class, "preview.previous-page", NULL,
                                   previous_page_activated);
  gtk_widget_class_install_action (widget_class, "preview.next-page", NULL,
                                   next_page_activated);
  gtk_widget_class_install_action (widget_class, "preview.zoom-in", NULL, zoom_in_activated);
  gtk_widget_class_install_action (widget_class, "preview.zoom-out", NULL, zoom_out_activated);
  gtk_widget_class_install_action (widget_class, "preview.zoom-fit", NULL, zoom_fit_activated);
  gtk_widget_class_install_action (widget_class, "preview.print", NULL, print_activated);
  gtk_widget_class_install_action (widget_class, "preview.save-pdf", NULL, save_pdf_activated);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Page_Up, 0,
                                       "preview.previous-page", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Page_Down, 0,
                                       "preview.next-page", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_p, GDK_CONTROL_MASK,
                                       "preview.print", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_s, GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "preview.save-pdf", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_plus, GDK_CONTROL_MASK,
                                       "preview.zoom-in", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_equal, GDK_CONTROL_MASK,
                                       "preview.zoom-in", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_minus, GDK_CONTROL_MASK,
                                       "preview.zoom-out", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_0, GDK_CONTROL_MASK,
                                       "preview.zoom-fit", NULL);
}

static void
clinic_document_preview_init (ClinicDocumentPreview *self)
{
  g_autoptr(GtkStringList) papers = gtk_string_list_new (NULL);

  gtk_widget_init_template (GTK_WIDGET (self));

  for (guint i = 0; i < CLINIC_N_PAPERS; i++)
    gtk_string_list_append (papers, clinic_paper_get_display_name (i));
  gtk_drop_down_set_model (self->paper_dropdown, G_LIST_MODEL (papers));

  self->paper = clinic_paper_get_default ();
  gtk_drop_down_set_selected (self->paper_dropdown, self->paper);
  update_paper_accessible_label (self);
  clinic_document_preview_update (self);
}
