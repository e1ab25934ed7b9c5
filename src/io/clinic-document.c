/* clinic-document.c — printable documents: one drawing for paper, PDF and preview
 *
 * Everything is measured in points with a pango context of its own:
 * resolution 72, no hinted metrics, unrounded glyph positions. The line
 * breaks are then those of the paper whatever the cairo context they are
 * drawn on (a printer at 600 dpi, a PDF, a preview at 37 %), so the preview
 * shows where each line really ends.
 */

#include "config.h"

#include <cairo-pdf.h>
#include <glib/gi18n-lib.h>
#include <langinfo.h>
#include <math.h>
#include <pango/pangocairo.h>
#include <sodium.h>
#include <string.h>

#include "clinic-document.h"
#include "clinic-file.h"

#define FONT_SANS "Cantarell,DejaVu Sans,Sans"
#define FONT_MONO "DejaVu Sans Mono,Monospace"

/* 20 mm at the sides and top; the footer lives in the bottom margin, far
 * enough from the edge for printers that cannot print the last 5 mm. */
#define MARGIN_SIDE    56.7
#define MARGIN_TOP     52.0
#define MARGIN_BOTTOM  64.0
#define FOOTER_RAISE   34.0   /* baseline of the footer above the paper's edge */

#define KEY_COLUMN     124.0  /* width of the key column of key/value rows */

typedef struct
{
  double                  height;
  double                  space_before;   /* dropped at the top of a page */
  double                  space_after;
  gboolean                keep_with_next;
  gboolean                is_space;

  /* Text that may be split between lines across pages, or NULL. */
  PangoLayout            *text;
  ClinicColor             text_color;

  ClinicDocumentDrawFunc  draw;
  gpointer                user_data;
  GDestroyNotify          destroy;
} Block;

typedef struct
{
  Block  *block;
  guint   page;
  double  y;
  int     first_line;   /* for text blocks: the lines on this page */
  int     n_lines;
} Placement;

typedef struct
{
  char         *title;
  GDateTime    *print_date;

  PangoContext *pango;

  /* The current layout */
  gboolean      valid;
  double        width;
  double        height;
  GPtrArray    *blocks;      /* Block */
  GArray       *placements;  /* Placement */
  guint         n_pages;
  GDateTime    *printed_at;  /* the date the footer shows for this layout */
} ClinicDocumentPrivate;

G_DEFINE_ABSTRACT_TYPE_WITH_PRIVATE (ClinicDocument, clinic_document, G_TYPE_OBJECT)

G_DEFINE_QUARK (clinic-document-error-quark, clinic_document_error)

enum {
  PROP_0,
  PROP_TITLE,
  PROP_PRINT_DATE,
  N_PROPS
};

enum {
  CHANGED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

/* --- Paper ------------------------------------------------------------- */

void
clinic_paper_get_size (ClinicPaper  paper,
                       double      *width_pt,
                       double      *height_pt)
{
  double width = 595.276, height = 841.89;  /* 210 × 297 mm */

  switch (paper)
    {
    case CLINIC_PAPER_LETTER:
      width = 612.0;
      height = 792.0;
      break;
    case CLINIC_PAPER_A4:
    default:
      break;
    }

  if (width_pt != NULL)
    *width_pt = width;
  if (height_pt != NULL)
    *height_pt = height;
}

const char *
clinic_paper_get_display_name (ClinicPaper paper)
{
  switch (paper)
    {
    case CLINIC_PAPER_LETTER:
      return _("US Letter");
    case CLINIC_PAPER_A4:
    default:
      return _("A4");
    }
}

const char *
clinic_paper_get_pwg_name (ClinicPaper paper)
{
  switch (paper)
    {
    case CLINIC_PAPER_LETTER:
      return "na_letter";
    case CLINIC_PAPER_A4:
    default:
      return "iso_a4";
    }
}

ClinicPaper
clinic_paper_get_default (void)
{
#ifdef _NL_PAPER_WIDTH
  /* glibc answers these two with an integer (millimetres) in the pointer. */
  union { unsigned int word; char *string; } width, height;

  width.string = nl_langinfo (_NL_PAPER_WIDTH);
  height.string = nl_langinfo (_NL_PAPER_HEIGHT);
  if (width.word == 216 && height.word == 279)
    return CLINIC_PAPER_LETTER;
#endif

  return CLINIC_PAPER_A4;
}

/* --- Colours and text -------------------------------------------------- */

void
clinic_color_set_source (cairo_t     *cr,
                         ClinicColor  color)
{
  switch (color)
    {
    case CLINIC_COLOR_MUTED:
      cairo_set_source_rgb (cr, 0.33, 0.33, 0.36);
      break;
    case CLINIC_COLOR_RULE:
      cairo_set_source_rgb (cr, 0.72, 0.72, 0.74);
      break;
    case CLINIC_COLOR_FILL:
      cairo_set_source_rgb (cr, 0.955, 0.955, 0.96);
      break;
    case CLINIC_COLOR_WARNING:
      cairo_set_source_rgb (cr, 0.65, 0.11, 0.16);
      break;
    case CLINIC_COLOR_TEXT:
    default:
      cairo_set_source_rgb (cr, 0.10, 0.10, 0.11);
      break;
    }
}

static PangoContext *
get_pango_context (ClinicDocument *self)
{
  ClinicDocumentPrivate *priv = clinic_document_get_instance_private (self);

  if (priv->pango == NULL)
    {
      PangoFontMap *font_map = pango_cairo_font_map_get_default ();
      cairo_font_options_t *options = cairo_font_options_create ();

      priv->pango = pango_font_map_create_context (font_map);
      pango_cairo_context_set_resolution (priv->pango, 72.0);
      pango_context_set_round_glyph_positions (priv->pango, FALSE);

      cairo_font_options_set_hint_metrics (options, CAIRO_HINT_METRICS_OFF);
      cairo_font_options_set_hint_style (options, CAIRO_HINT_STYLE_NONE);
      pango_cairo_context_set_font_options (priv->pango, options);
      cairo_font_options_destroy (options);
    }

  return priv->pango;
}

static PangoFontDescription *
font_for_style (ClinicTextStyle style)
{
  PangoFontDescription *font = pango_font_description_new ();
  double size = 10.5;
  PangoWeight weight = PANGO_WEIGHT_NORMAL;
  gboolean mono = FALSE;

  switch (style)
    {
    case CLINIC_TEXT_STRONG:
      weight = PANGO_WEIGHT_BOLD;
      break;
    case CLINIC_TEXT_SMALL:
      size = 8.5;
      break;
    case CLINIC_TEXT_LABEL:
      size = 8.0;
      weight = PANGO_WEIGHT_BOLD;
      break;
    case CLINIC_TEXT_HEADING:
      size = 12.5;
      weight = PANGO_WEIGHT_BOLD;
      break;
    case CLINIC_TEXT_TITLE:
      size = 22.0;
      weight = PANGO_WEIGHT_BOLD;
      break;
    case CLINIC_TEXT_CLINIC:
      size = 15.0;
      weight = PANGO_WEIGHT_BOLD;
      break;
    case CLINIC_TEXT_MONO:
      size = 10.0;
      mono = TRUE;
      break;
    case CLINIC_TEXT_MONO_LARGE:
      size = 16.0;
      mono = TRUE;
      break;
    case CLINIC_TEXT_BODY:
    default:
      break;
    }

  pango_font_description_set_family (font, mono ? FONT_MONO : FONT_SANS);
  pango_font_description_set_size (font, (int) (size * PANGO_SCALE));
  pango_font_description_set_weight (font, weight);

  return font;
}

static ClinicColor
color_for_style (ClinicTextStyle style)
{
  return style == CLINIC_TEXT_SMALL || style == CLINIC_TEXT_LABEL ? CLINIC_COLOR_MUTED
                                                                  : CLINIC_COLOR_TEXT;
}

PangoLayout *
clinic_document_create_layout (ClinicDocument  *self,
                               ClinicTextStyle  style,
                               const char      *text,
                               double           width)
{
  PangoLayout *layout;
  PangoFontDescription *font;

  g_return_val_if_fail (CLINIC_IS_DOCUMENT (self), NULL);

  layout = pango_layout_new (get_pango_context (self));
  font = font_for_style (style);
  pango_layout_set_font_description (layout, font);
  pango_font_description_free (font);

  if (style == CLINIC_TEXT_BODY || style == CLINIC_TEXT_STRONG || style == CLINIC_TEXT_SMALL)
    pango_layout_set_line_spacing (layout, 1.2f);

  if (width >= 0)
    {
      pango_layout_set_width (layout, pango_units_from_double (width));
      pango_layout_set_wrap (layout, PANGO_WRAP_WORD_CHAR);
    }

  pango_layout_set_text (layout, text != NULL ? text : "", -1);

  return layout;
}

double
clinic_document_layout_height (PangoLayout *layout)
{
  PangoRectangle logical;

  g_return_val_if_fail (PANGO_IS_LAYOUT (layout), 0);

  pango_layout_get_extents (layout, NULL, &logical);
  return pango_units_to_double (logical.y + logical.height);
}

static void
show_layout (cairo_t     *cr,
             PangoLayout *layout,
             double       x,
             double       y)
{
  cairo_move_to (cr, x, y);
  pango_cairo_show_layout (cr, layout);
}

static double
first_baseline (PangoLayout *layout)
{
  return pango_units_to_double (pango_layout_get_baseline (layout));
}

/* --- Blocks ------------------------------------------------------------ */

static void
block_free (gpointer data)
{
  Block *block = data;

  if (block->destroy != NULL)
    block->destroy (block->user_data);
  g_clear_object (&block->text);
  g_free (block);
}

static Block *
append_block (ClinicDocument *self,
              double          height)
{
  ClinicDocumentPrivate *priv = clinic_document_get_instance_private (self);
  Block *block = g_new0 (Block, 1);

  block->height = height;
  g_ptr_array_add (priv->blocks, block);

  return block;
}

void
clinic_document_add_block (ClinicDocument         *self,
                           double                  height,
                           ClinicDocumentDrawFunc  draw,
                           gpointer                user_data,
                           GDestroyNotify          destroy)
{
  Block *block;

  g_return_if_fail (CLINIC_IS_DOCUMENT (self));
  g_return_if_fail (draw != NULL);
  g_return_if_fail (height >= 0);

  block = append_block (self, height);
  block->draw = draw;
  block->user_data = user_data;
  block->destroy = destroy;
  block->space_after = 12.0;
}

void
clinic_document_add_space (ClinicDocument *self,
                           double          height)
{
  Block *block;

  g_return_if_fail (CLINIC_IS_DOCUMENT (self));

  block = append_block (self, MAX (height, 0));
  block->is_space = TRUE;
}

static Block *
append_text (ClinicDocument  *self,
             ClinicTextStyle  style,
             const char      *text)
{
  PangoLayout *layout = clinic_document_create_layout (self, style, text,
                                                       clinic_document_get_content_width (self));
  Block *block = append_block (self, clinic_document_layout_height (layout));

  block->text = layout;
  block->text_color = color_for_style (style);

  return block;
}

void
clinic_document_add_paragraph (ClinicDocument  *self,
                               ClinicTextStyle  style,
                               const char      *text)
{
  Block *block;

  g_return_if_fail (CLINIC_IS_DOCUMENT (self));

  block = append_text (self, style, text);
  block->space_after = 8.0;
}

void
clinic_document_add_heading (ClinicDocument *self,
                             const char     *text)
{
  Block *block;

  g_return_if_fail (CLINIC_IS_DOCUMENT (self));

  block = append_text (self, CLINIC_TEXT_HEADING, text);
  block->space_before = 10.0;
  block->space_after = 8.0;
  block->keep_with_next = TRUE;
}

/* Letterhead */

typedef struct
{
  PangoLayout *name;
  PangoLayout *details;  /* NULL without address and phone */
} Letterhead;

static void
letterhead_free (gpointer data)
{
  Letterhead *head = data;

  g_clear_object (&head->name);
  g_clear_object (&head->details);
  g_free (head);
}

static void
letterhead_draw (ClinicDocument *self,
                 cairo_t        *cr,
                 double          x,
                 double          y,
                 double          width,
                 double          height,
                 gpointer        user_data)
{
  Letterhead *head = user_data;

  show_layout (cr, head->name, x, y);

  if (head->details != NULL)
    {
      clinic_color_set_source (cr, CLINIC_COLOR_MUTED);
      show_layout (cr, head->details, x, y + clinic_document_layout_height (head->name) + 3);
    }

  clinic_color_set_source (cr, CLINIC_COLOR_RULE);
  cairo_set_line_width (cr, 0.75);
  cairo_move_to (cr, x, y + height - 0.375);
  cairo_line_to (cr, x + width, y + height - 0.375);
  cairo_stroke (cr);
}

void
clinic_document_add_letterhead (ClinicDocument *self,
                                const char     *name,
                                const char     *address,
                                const char     *phone)
{
  Letterhead *head;
  double width, height;
  g_autoptr(GString) details = g_string_new (NULL);

  g_return_if_fail (CLINIC_IS_DOCUMENT (self));

  width = clinic_document_get_content_width (self);
  head = g_new0 (Letterhead, 1);
  head->name = clinic_document_create_layout (self, CLINIC_TEXT_CLINIC, name, width);
  /* A name longer than three lines is a mistake; it must not push the
   * document onto a second page. */
  pango_layout_set_height (head->name, -3);
  pango_layout_set_ellipsize (head->name, PANGO_ELLIPSIZE_END);
  height = clinic_document_layout_height (head->name);

  if (address != NULL && address[0] != '\0')
    g_string_append (details, address);
  if (phone != NULL && phone[0] != '\0')
    {
      if (details->len > 0)
        g_string_append_c (details, '\n');
      /* Translators: the clinic's phone number in the letterhead. */
      g_string_append_printf (details, _("Phone %s"), phone);
    }
  if (details->len > 0)
    {
      head->details = clinic_document_create_layout (self, CLINIC_TEXT_SMALL, details->str, width);
      height += 3 + clinic_document_layout_height (head->details);
    }

  /* Room under the text, then the hairline. */
  height += 12;
  clinic_document_add_block (self, height, letterhead_draw, head, letterhead_free);
  clinic_document_add_space (self, 22);
}

/* Title */

typedef struct
{
  PangoLayout *title;
  PangoLayout *subtitle;
} Title;

static void
title_free (gpointer data)
{
  Title *title = data;

  g_clear_object (&title->title);
  g_clear_object (&title->subtitle);
  g_free (title);
}

static void
title_draw (ClinicDocument *self,
            cairo_t        *cr,
            double          x,
            double          y,
            double          width,
            double          height,
            gpointer        user_data)
{
  Title *title = user_data;

  show_layout (cr, title->title, x, y);
  if (title->subtitle != NULL)
    {
      clinic_color_set_source (cr, CLINIC_COLOR_MUTED);
      show_layout (cr, title->subtitle, x, y + clinic_document_layout_height (title->title) + 4);
    }
}

void
clinic_document_add_title (ClinicDocument *self,
                           const char     *title,
                           const char     *subtitle)
{
  Title *data;
  double width, height;
  ClinicDocumentPrivate *priv = clinic_document_get_instance_private (self);

  g_return_if_fail (CLINIC_IS_DOCUMENT (self));

  width = clinic_document_get_content_width (self);
  data = g_new0 (Title, 1);
  data->title = clinic_document_create_layout (self, CLINIC_TEXT_TITLE, title, width);
  height = clinic_document_layout_height (data->title);
  if (subtitle != NULL && subtitle[0] != '\0')
    {
      data->subtitle = clinic_document_create_layout (self, CLINIC_TEXT_BODY, subtitle, width);
      height += 4 + clinic_document_layout_height (data->subtitle);
    }

  clinic_document_add_block (self, height, title_draw, data, title_free);
  ((Block *) g_ptr_array_index (priv->blocks, priv->blocks->len - 1))->space_after = 18;
  ((Block *) g_ptr_array_index (priv->blocks, priv->blocks->len - 1))->keep_with_next = TRUE;
}

/* List item */

typedef struct
{
  PangoLayout *marker;
  PangoLayout *text;
  double       indent;
} ListItem;

static void
list_item_free (gpointer data)
{
  ListItem *item = data;

  g_clear_object (&item->marker);
  g_clear_object (&item->text);
  g_free (item);
}

static void
list_item_draw (ClinicDocument *self,
                cairo_t        *cr,
                double          x,
                double          y,
                double          width,
                double          height,
                gpointer        user_data)
{
  ListItem *item = user_data;

  show_layout (cr, item->text, x + item->indent, y);
  clinic_color_set_source (cr, CLINIC_COLOR_MUTED);
  show_layout (cr, item->marker, x, y + first_baseline (item->text) - first_baseline (item->marker));
}

void
clinic_document_add_list_item (ClinicDocument *self,
                               const char     *marker,
                               const char     *text)
{
  ClinicDocumentPrivate *priv = clinic_document_get_instance_private (self);
  ListItem *item;
  double width;

  g_return_if_fail (CLINIC_IS_DOCUMENT (self));

  width = clinic_document_get_content_width (self);
  item = g_new0 (ListItem, 1);
  item->indent = 18;
  item->marker = clinic_document_create_layout (self, CLINIC_TEXT_STRONG, marker, -1);
  item->text = clinic_document_create_layout (self, CLINIC_TEXT_BODY, text, width - item->indent);

  clinic_document_add_block (self, clinic_document_layout_height (item->text),
                             list_item_draw, item, list_item_free);
  ((Block *) g_ptr_array_index (priv->blocks, priv->blocks->len - 1))->space_after = 6;
}

/* Key and value */

typedef struct
{
  PangoLayout *key;
  PangoLayout *value;
} KeyValue;

static void
key_value_free (gpointer data)
{
  KeyValue *row = data;

  g_clear_object (&row->key);
  g_clear_object (&row->value);
  g_free (row);
}

static void
key_value_draw (ClinicDocument *self,
                cairo_t        *cr,
                double          x,
                double          y,
                double          width,
                double          height,
                gpointer        user_data)
{
  KeyValue *row = user_data;
  double key_y = y + first_baseline (row->value) - first_baseline (row->key);

  show_layout (cr, row->value, x + KEY_COLUMN, y);
  clinic_color_set_source (cr, CLINIC_COLOR_MUTED);
  show_layout (cr, row->key, x, key_y);
}

void
clinic_document_add_key_value (ClinicDocument *self,
                               const char     *key,
                               const char     *value)
{
  ClinicDocumentPrivate *priv = clinic_document_get_instance_private (self);
  KeyValue *row;
  double width, height;

  g_return_if_fail (CLINIC_IS_DOCUMENT (self));

  width = clinic_document_get_content_width (self);
  row = g_new0 (KeyValue, 1);
  row->key = clinic_document_create_layout (self, CLINIC_TEXT_LABEL, key, KEY_COLUMN - 12);
  row->value = clinic_document_create_layout (self, CLINIC_TEXT_BODY, value, width - KEY_COLUMN);
  height = MAX (clinic_document_layout_height (row->value),
                first_baseline (row->value) - first_baseline (row->key)
                + clinic_document_layout_height (row->key));

  clinic_document_add_block (self, height, key_value_draw, row, key_value_free);
  ((Block *) g_ptr_array_index (priv->blocks, priv->blocks->len - 1))->space_after = 5;
}

/* Notice */

#define NOTICE_BAR     3.0
#define NOTICE_PADDING 12.0

typedef struct
{
  gboolean     warning;
  PangoLayout *title;
  PangoLayout *text;
} Notice;

static void
notice_free (gpointer data)
{
  Notice *notice = data;

  g_clear_object (&notice->title);
  g_clear_object (&notice->text);
  g_free (notice);
}

static void
notice_draw (ClinicDocument *self,
             cairo_t        *cr,
             double          x,
             double          y,
             double          width,
             double          height,
             gpointer        user_data)
{
  Notice *notice = user_data;
  double text_x = x + NOTICE_BAR + NOTICE_PADDING;
  double text_y = y + NOTICE_PADDING;

  clinic_color_set_source (cr, CLINIC_COLOR_FILL);
  cairo_rectangle (cr, x, y, width, height);
  cairo_fill (cr);

  clinic_color_set_source (cr, notice->warning ? CLINIC_COLOR_WARNING : CLINIC_COLOR_MUTED);
  cairo_rectangle (cr, x, y, NOTICE_BAR, height);
  cairo_fill (cr);

  if (notice->title != NULL)
    {
      if (notice->warning)
        clinic_color_set_source (cr, CLINIC_COLOR_WARNING);
      else
        clinic_color_set_source (cr, CLINIC_COLOR_TEXT);
      show_layout (cr, notice->title, text_x, text_y);
      text_y += clinic_document_layout_height (notice->title) + 3;
    }

  if (notice->text != NULL)
    {
      clinic_color_set_source (cr, CLINIC_COLOR_TEXT);
      show_layout (cr, notice->text, text_x, text_y);
    }
}

void
clinic_document_add_notice (ClinicDocument *self,
                            gboolean        warning,
                            const char     *title,
                            const char     *text)
{
  ClinicDocumentPrivate *priv = clinic_document_get_instance_private (self);
  Notice *notice;
  double width, height;

  g_return_if_fail (CLINIC_IS_DOCUMENT (self));

  width = clinic_document_get_content_width (self) - NOTICE_BAR - 2 * NOTICE_PADDING;
  notice = g_new0 (Notice, 1);
  notice->warning = warning;
  height = 2 * NOTICE_PADDING;
  if (title != NULL && title[0] != '\0')
    {
      notice->title = clinic_document_create_layout (self, CLINIC_TEXT_STRONG, title, width);
      height += clinic_document_layout_height (notice->title);
    }
  if (text != NULL && text[0] != '\0')
    {
      notice->text = clinic_document_create_layout (self, CLINIC_TEXT_BODY, text, width);
      height += clinic_document_layout_height (notice->text);
      if (notice->title != NULL)
        height += 3;
    }

  clinic_document_add_block (self, height, notice_draw, notice, notice_free);
  ((Block *) g_ptr_array_index (priv->blocks, priv->blocks->len - 1))->space_after = 18;
}

/* Lines to sign on */

#define SIGN_ROOM 34.0  /* room above the line for a hand */
#define SIGN_GAP  24.0

typedef struct
{
  GPtrArray *captions;  /* PangoLayout */
} SignLines;

static void
sign_lines_free (gpointer data)
{
  SignLines *lines = data;

  g_ptr_array_unref (lines->captions);
  g_free (lines);
}

static void
sign_lines_draw (ClinicDocument *self,
                 cairo_t        *cr,
                 double          x,
                 double          y,
                 double          width,
                 double          height,
                 gpointer        user_data)
{
  SignLines *lines = user_data;
  guint n = lines->captions->len;
  double column = (width - SIGN_GAP * (n - 1)) / n;

  for (guint i = 0; i < n; i++)
    {
      double left = x + i * (column + SIGN_GAP);

      clinic_color_set_source (cr, CLINIC_COLOR_TEXT);
      cairo_set_line_width (cr, 0.75);
      cairo_move_to (cr, left, y + SIGN_ROOM);
      cairo_line_to (cr, left + column, y + SIGN_ROOM);
      cairo_stroke (cr);

      clinic_color_set_source (cr, CLINIC_COLOR_MUTED);
      show_layout (cr, g_ptr_array_index (lines->captions, i), left, y + SIGN_ROOM + 4);
    }
}

void
clinic_document_add_sign_lines (ClinicDocument  *self,
                                const char     **captions)
{
  SignLines *lines;
  guint n;
  double width, column, caption_height = 0;

  g_return_if_fail (CLINIC_IS_DOCUMENT (self));
  g_return_if_fail (captions != NULL && captions[0] != NULL);

  n = g_strv_length ((char **) captions);
  width = clinic_document_get_content_width (self);
  column = (width - SIGN_GAP * (n - 1)) / n;

  lines = g_new0 (SignLines, 1);
  lines->captions = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < n; i++)
    {
      PangoLayout *caption = clinic_document_create_layout (self, CLINIC_TEXT_SMALL,
                                                            captions[i], column);

      caption_height = MAX (caption_height, clinic_document_layout_height (caption));
      g_ptr_array_add (lines->captions, caption);
    }

  clinic_document_add_block (self, SIGN_ROOM + 4 + caption_height,
                             sign_lines_draw, lines, sign_lines_free);
}

/* --- Layout ------------------------------------------------------------ */

void
clinic_document_get_margins (ClinicDocument *self,
                             double         *top,
                             double         *right,
                             double         *bottom,
                             double         *left)
{
  g_return_if_fail (CLINIC_IS_DOCUMENT (self));

  if (top != NULL)
    *top = MARGIN_TOP;
  if (right != NULL)
    *right = MARGIN_SIDE;
  if (bottom != NULL)
    *bottom = MARGIN_BOTTOM;
  if (left != NULL)
    *left = MARGIN_SIDE;
}

double
clinic_document_get_content_width (ClinicDocument *self)
{
  ClinicDocumentPrivate *priv = clinic_document_get_instance_private (self);

  g_return_val_if_fail (CLINIC_IS_DOCUMENT (self), 0);

  return MAX (priv->width - 2 * MARGIN_SIDE, 72.0);
}

static int
text_n_lines (const Block *block)
{
  return pango_layout_get_line_count (block->text);
}

/* Top and bottom of line @index of @layout, in points from the layout's top. */
static void
text_line_range (PangoLayout *layout,
                 int          index,
                 double      *top,
                 double      *bottom)
{
  PangoLayoutIter *iter = pango_layout_get_iter (layout);
  PangoRectangle logical;

  for (int i = 0; i < index; i++)
    pango_layout_iter_next_line (iter);
  pango_layout_iter_get_line_extents (iter, NULL, &logical);
  pango_layout_iter_free (iter);

  *top = pango_units_to_double (logical.y);
  *bottom = pango_units_to_double (logical.y + logical.height);
}

/* Height of lines @first .. @first + @n - 1 of a text block. */
static double
text_lines_height (const Block *block,
                   int          first,
                   int          n)
{
  double top, bottom, unused;

  text_line_range (block->text, first, &top, &unused);
  text_line_range (block->text, first + n - 1, &unused, &bottom);

  return bottom - top;
}

/* How many of the lines from @first fit in @room points. */
static int
text_lines_fitting (const Block *block,
                    int          first,
                    double       room)
{
  PangoLayoutIter *iter = pango_layout_get_iter (block->text);
  double top = 0;
  int n = 0;

  for (int i = 0; ; i++)
    {
      if (i >= first)
        {
          PangoRectangle logical;

          pango_layout_iter_get_line_extents (iter, NULL, &logical);
          if (i == first)
            top = pango_units_to_double (logical.y);
          if (pango_units_to_double (logical.y + logical.height) - top > room)
            break;
          n++;
        }
      if (!pango_layout_iter_next_line (iter))
        break;
    }
  pango_layout_iter_free (iter);

  return n;
}

static void
place (ClinicDocumentPrivate *priv,
       Block                 *block,
       guint                  page,
       double                 y,
       int                    first_line,
       int                    n_lines)
{
  Placement placement = { block, page, y, first_line, n_lines };

  g_array_append_val (priv->placements, placement);
}

/* What must fit below a block that keeps with the next one: the next
 * block, or the first two lines of it when it is text. */
static double
height_kept_with (ClinicDocumentPrivate *priv,
                  guint                  index)
{
  Block *block = g_ptr_array_index (priv->blocks, index);
  double height = block->height;

  if (!block->keep_with_next)
    return height;

  for (guint next = index + 1; next < priv->blocks->len; next++)
    {
      Block *following = g_ptr_array_index (priv->blocks, next);

      if (following->is_space)
        {
          height += following->height;
          continue;
        }

      height += block->space_after + following->space_before;
      if (following->text != NULL)
        height += text_lines_height (following, 0, MIN (2, text_n_lines (following)));
      else
        height += following->height;
      break;
    }

  return height;
}

static guint
clinic_document_real_layout (ClinicDocument *self,
                             double          width,
                             double          height)
{
  ClinicDocumentPrivate *priv = clinic_document_get_instance_private (self);
  ClinicDocumentClass *klass = CLINIC_DOCUMENT_GET_CLASS (self);
  double top = MARGIN_TOP;
  double bottom = height - MARGIN_BOTTOM;
  double y = top;
  guint page = 0;

  if (klass->build != NULL)
    klass->build (self);

  for (guint i = 0; i < priv->blocks->len; i++)
    {
      Block *block = g_ptr_array_index (priv->blocks, i);
      int first_line = 0;

      if (block->is_space)
        {
          if (y > top)
            y += block->height;
          continue;
        }

      if (y > top)
        y += block->space_before;

      if (block->text == NULL || block->keep_with_next)
        {
          if (y > top && y + height_kept_with (priv, i) > bottom)
            {
              page++;
              y = top;
            }
          place (priv, block, page, y, 0, block->text != NULL ? text_n_lines (block) : 0);
          y += block->height + block->space_after;
          continue;
        }

      /* Text flows on from page to page, at least two lines a page where
       * the paragraph has them, so no line stands alone. */
      while (first_line < text_n_lines (block))
        {
          int rest = text_n_lines (block) - first_line;
          int fit = text_lines_fitting (block, first_line, bottom - y);

          if (fit < rest)
            {
              if (rest - fit == 1 && fit > 2)
                fit--;
              if (fit < MIN (2, rest) && y > top)
                fit = 0;
              if (fit == 0 && y == top)
                fit = 1;  /* a page too small for one line: draw it anyway */
            }

          if (fit > 0)
            {
              place (priv, block, page, y, first_line, fit);
              y += text_lines_height (block, first_line, fit);
              first_line += fit;
            }

          if (first_line < text_n_lines (block))
            {
              page++;
              y = top;
            }
        }
      y += block->space_after;
    }

  return page + 1;
}

static void
ensure_layout (ClinicDocument *self,
               double          width,
               double          height)
{
  ClinicDocumentPrivate *priv = clinic_document_get_instance_private (self);
  guint n_pages;

  if (priv->valid && fabs (priv->width - width) < 0.01 && fabs (priv->height - height) < 0.01)
    return;

  g_ptr_array_set_size (priv->blocks, 0);
  g_array_set_size (priv->placements, 0);
  priv->width = width;
  priv->height = height;

  g_clear_pointer (&priv->printed_at, g_date_time_unref);
  priv->printed_at = priv->print_date != NULL ? g_date_time_ref (priv->print_date)
                                              : g_date_time_new_now_local ();

  n_pages = CLINIC_DOCUMENT_GET_CLASS (self)->layout (self, width, height);
  priv->n_pages = MAX (n_pages, 1);
  priv->valid = TRUE;
}

void
clinic_document_invalidate (ClinicDocument *self)
{
  ClinicDocumentPrivate *priv = clinic_document_get_instance_private (self);

  g_return_if_fail (CLINIC_IS_DOCUMENT (self));

  priv->valid = FALSE;
  g_signal_emit (self, signals[CHANGED], 0);
}

guint
clinic_document_get_n_pages (ClinicDocument *self,
                             double          width_pt,
                             double          height_pt)
{
  ClinicDocumentPrivate *priv = clinic_document_get_instance_private (self);

  g_return_val_if_fail (CLINIC_IS_DOCUMENT (self), 0);
  g_return_val_if_fail (width_pt > 0 && height_pt > 0, 0);

  ensure_layout (self, width_pt, height_pt);

  return priv->n_pages;
}

/* --- Drawing ----------------------------------------------------------- */

static void
draw_text_lines (cairo_t   *cr,
                 Placement *placement,
                 double     x)
{
  Block *block = placement->block;
  PangoLayoutIter *iter = pango_layout_get_iter (block->text);
  double first_top = 0;

  clinic_color_set_source (cr, block->text_color);

  for (int i = 0; i < placement->first_line + placement->n_lines; i++)
    {
      if (i >= placement->first_line)
        {
          PangoRectangle logical;
          double baseline = pango_units_to_double (pango_layout_iter_get_baseline (iter));

          pango_layout_iter_get_line_extents (iter, NULL, &logical);
          if (i == placement->first_line)
            first_top = pango_units_to_double (logical.y);

          cairo_move_to (cr, x + pango_units_to_double (logical.x),
                         placement->y + baseline - first_top);
          pango_cairo_show_layout_line (cr, pango_layout_iter_get_line_readonly (iter));
        }
      if (!pango_layout_iter_next_line (iter))
        break;
    }

  pango_layout_iter_free (iter);
}

void
clinic_document_draw_footer (ClinicDocument *self,
                             cairo_t        *cr,
                             guint           page_index,
                             guint           n_pages,
                             double          width,
                             double          height)
{
  ClinicDocumentPrivate *priv = clinic_document_get_instance_private (self);
  g_autoptr(PangoLayout) left = NULL;
  g_autoptr(PangoLayout) right = NULL;
  g_autofree char *date = NULL;
  g_autofree char *page = NULL;
  double content = width - 2 * MARGIN_SIDE;
  double right_width, y;
  PangoRectangle logical;

  g_return_if_fail (CLINIC_IS_DOCUMENT (self));

  /* Translators: date and time a document was printed, in its footer;
   * see g_date_time_format() for the codes. */
  date = g_date_time_format (priv->printed_at, _("%-d %B %Y, %H:%M"));
  /* Translators: the footer of a printed page: page number, number of
   * pages, and the date printed. */
  page = g_strdup_printf (_("Page %u of %u · Printed %s"), page_index + 1, n_pages, date);

  right = clinic_document_create_layout (self, CLINIC_TEXT_SMALL, page, -1);
  pango_layout_get_extents (right, NULL, &logical);
  right_width = pango_units_to_double (logical.width);

  left = clinic_document_create_layout (self, CLINIC_TEXT_SMALL, priv->title, -1);
  pango_layout_set_width (left, pango_units_from_double (MAX (content - right_width - 18, 36)));
  pango_layout_set_ellipsize (left, PANGO_ELLIPSIZE_END);

  y = height - FOOTER_RAISE;

  clinic_color_set_source (cr, CLINIC_COLOR_RULE);
  cairo_set_line_width (cr, 0.5);
  cairo_move_to (cr, MARGIN_SIDE, y - 12);
  cairo_line_to (cr, width - MARGIN_SIDE, y - 12);
  cairo_stroke (cr);

  clinic_color_set_source (cr, CLINIC_COLOR_MUTED);
  show_layout (cr, left, MARGIN_SIDE, y - first_baseline (left));
  show_layout (cr, right, width - MARGIN_SIDE - right_width, y - first_baseline (right));
}

static void
clinic_document_real_draw_page (ClinicDocument *self,
                                cairo_t        *cr,
                                guint           page_index,
                                double          width,
                                double          height)
{
  ClinicDocumentPrivate *priv = clinic_document_get_instance_private (self);
  double content = clinic_document_get_content_width (self);

  for (guint i = 0; i < priv->placements->len; i++)
    {
      Placement *placement = &g_array_index (priv->placements, Placement, i);
      Block *block = placement->block;

      if (placement->page != page_index)
        continue;

      cairo_save (cr);
      clinic_color_set_source (cr, CLINIC_COLOR_TEXT);
      if (block->text != NULL)
        draw_text_lines (cr, placement, MARGIN_SIDE);
      else if (block->draw != NULL)
        block->draw (self, cr, MARGIN_SIDE, placement->y, content, block->height,
                     block->user_data);
      cairo_restore (cr);
    }

  clinic_document_draw_footer (self, cr, page_index, priv->n_pages, width, height);
}

void
clinic_document_draw_page (ClinicDocument *self,
                           cairo_t        *cr,
                           guint           page_index,
                           double          width_pt,
                           double          height_pt)
{
  ClinicDocumentPrivate *priv = clinic_document_get_instance_private (self);

  g_return_if_fail (CLINIC_IS_DOCUMENT (self));
  g_return_if_fail (cr != NULL);
  g_return_if_fail (width_pt > 0 && height_pt > 0);

  ensure_layout (self, width_pt, height_pt);
  if (page_index >= priv->n_pages)
    return;

  cairo_save (cr);
  clinic_color_set_source (cr, CLINIC_COLOR_TEXT);
  CLINIC_DOCUMENT_GET_CLASS (self)->draw_page (self, cr, page_index, width_pt, height_pt);
  cairo_restore (cr);
}

/* --- PDF --------------------------------------------------------------- */

static cairo_status_t
append_to_bytes (void                *closure,
                 const unsigned char *data,
                 unsigned int         length)
{
  g_byte_array_append (closure, data, length);
  return CAIRO_STATUS_SUCCESS;
}

static void
set_write_error (GError     **error,
                 GError      *file_error,
                 const char  *path)
{
  g_autofree char *folder = g_path_get_dirname (path);
  g_autofree char *folder_name = g_filename_display_name (folder);
  g_autofree char *base = g_path_get_basename (path);
  g_autofree char *name = g_filename_display_name (base);

  switch (file_error->code)
    {
    case G_FILE_ERROR_NOENT:
    case G_FILE_ERROR_NOTDIR:
      g_set_error (error, CLINIC_DOCUMENT_ERROR, CLINIC_DOCUMENT_ERROR_NOT_FOUND,
                   _("The folder “%s” does not exist, so “%s” was not saved."),
                   folder_name, name);
      return;
    case G_FILE_ERROR_ACCES:
    case G_FILE_ERROR_PERM:
    case G_FILE_ERROR_ROFS:
      g_set_error (error, CLINIC_DOCUMENT_ERROR, CLINIC_DOCUMENT_ERROR_PERMISSION_DENIED,
                   _("Clinic may not write in the folder “%s”, so “%s” was not saved."),
                   folder_name, name);
      return;
    case G_FILE_ERROR_NOSPC:
      g_set_error (error, CLINIC_DOCUMENT_ERROR, CLINIC_DOCUMENT_ERROR_DISK_FULL,
                   _("The disk is full, so “%s” was not saved. Free some space and try again."),
                   name);
      return;
    default:
      /* Translators: the second %s is the system's own reason. */
      g_set_error (error, CLINIC_DOCUMENT_ERROR, CLINIC_DOCUMENT_ERROR_FAILED,
                   _("“%s” could not be saved (%s)."), name, file_error->message);
      return;
    }
}

/* Draws every page of @self on @paper into a PDF in memory; NULL with
 * @status set when cairo fails (and nothing of it left in memory). */
static GByteArray *
render_pdf (ClinicDocument  *self,
            ClinicPaper      paper,
            cairo_status_t  *status)
{
  ClinicDocumentPrivate *priv = clinic_document_get_instance_private (self);
  g_autoptr(GByteArray) bytes = NULL;
  g_autofree char *created = NULL;
  cairo_surface_t *surface;
  cairo_t *cr;
  double width, height;
  guint n_pages;

  clinic_paper_get_size (paper, &width, &height);
  n_pages = clinic_document_get_n_pages (self, width, height);

  bytes = g_byte_array_sized_new (64 * 1024);
  surface = cairo_pdf_surface_create_for_stream (append_to_bytes, bytes, width, height);
  cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_TITLE,
                                  priv->title != NULL ? priv->title : "");
  cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_CREATOR, "Clinic " PACKAGE_VERSION);
  created = g_date_time_format (priv->printed_at, "%Y-%m-%dT%H:%M:%S%:z");
  cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_CREATE_DATE, created);

  cr = cairo_create (surface);
  for (guint i = 0; i < n_pages; i++)
    {
      clinic_document_draw_page (self, cr, i, width, height);
      cairo_show_page (cr);
    }
  *status = cairo_status (cr);
  cairo_destroy (cr);
  cairo_surface_finish (surface);
  if (*status == CAIRO_STATUS_SUCCESS)
    *status = cairo_surface_status (surface);
  cairo_surface_destroy (surface);

  if (*status != CAIRO_STATUS_SUCCESS)
    {
      sodium_memzero (bytes->data, bytes->len);
      return NULL;
    }

  return g_steal_pointer (&bytes);
}

GBytes *
clinic_document_render_pdf (ClinicDocument  *self,
                            ClinicPaper      paper,
                            GError         **error)
{
  cairo_status_t status = CAIRO_STATUS_SUCCESS;
  GByteArray *bytes;

  g_return_val_if_fail (CLINIC_IS_DOCUMENT (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  bytes = render_pdf (self, paper, &status);
  if (bytes == NULL)
    {
      g_set_error (error, CLINIC_DOCUMENT_ERROR, CLINIC_DOCUMENT_ERROR_RENDER,
                   /* Translators: %s is cairo's own reason. */
                   _("The document could not be drawn (%s)."), cairo_status_to_string (status));
      return NULL;
    }

  return g_byte_array_free_to_bytes (bytes);
}

gboolean
clinic_document_write_pdf (ClinicDocument  *self,
                           const char      *path,
                           ClinicPaper      paper,
                           GError         **error)
{
  g_autoptr(GByteArray) bytes = NULL;
  g_autoptr(GError) local_error = NULL;
  cairo_status_t status = CAIRO_STATUS_SUCCESS;
  gboolean ok;

  g_return_val_if_fail (CLINIC_IS_DOCUMENT (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  /* The whole file is made in memory first, so that what reaches the disk
   * is one atomic replacement. */
  bytes = render_pdf (self, paper, &status);
  if (bytes == NULL)
    {
      g_autofree char *base = g_path_get_basename (path);
      g_autofree char *name = g_filename_display_name (base);

      g_set_error (error, CLINIC_DOCUMENT_ERROR, CLINIC_DOCUMENT_ERROR_RENDER,
                   /* Translators: the second %s is cairo's own reason. */
                   _("“%s” could not be drawn (%s)."), name, cairo_status_to_string (status));
      return FALSE;
    }

  ok = clinic_file_replace (path, bytes->data, bytes->len, &local_error);

  /* The document may hold secrets (the recovery sheet holds the key). */
  sodium_memzero (bytes->data, bytes->len);

  if (!ok)
    {
      set_write_error (error, local_error, path);
      return FALSE;
    }

  return TRUE;
}

/* --- Properties -------------------------------------------------------- */

const char *
clinic_document_get_title (ClinicDocument *self)
{
  ClinicDocumentPrivate *priv = clinic_document_get_instance_private (self);

  g_return_val_if_fail (CLINIC_IS_DOCUMENT (self), NULL);

  return priv->title != NULL ? priv->title : "";
}

void
clinic_document_set_title (ClinicDocument *self,
                           const char     *title)
{
  ClinicDocumentPrivate *priv = clinic_document_get_instance_private (self);

  g_return_if_fail (CLINIC_IS_DOCUMENT (self));

  if (g_strcmp0 (priv->title, title) == 0)
    return;

  g_free (priv->title);
  priv->title = g_strdup (title);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TITLE]);
  clinic_document_invalidate (self);
}

GDateTime *
clinic_document_get_print_date (ClinicDocument *self)
{
  ClinicDocumentPrivate *priv = clinic_document_get_instance_private (self);

  g_return_val_if_fail (CLINIC_IS_DOCUMENT (self), NULL);

  return priv->print_date;
}

void
clinic_document_set_print_date (ClinicDocument *self,
                                GDateTime      *print_date)
{
  ClinicDocumentPrivate *priv = clinic_document_get_instance_private (self);

  g_return_if_fail (CLINIC_IS_DOCUMENT (self));

  if (priv->print_date == print_date ||
      (priv->print_date != NULL && print_date != NULL &&
       g_date_time_equal (priv->print_date, print_date)))
    return;

  g_clear_pointer (&priv->print_date, g_date_time_unref);
  if (print_date != NULL)
    priv->print_date = g_date_time_ref (print_date);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PRINT_DATE]);
  clinic_document_invalidate (self);
}

static void
clinic_document_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  ClinicDocument *self = CLINIC_DOCUMENT (object);

  switch (prop_id)
    {
    case PROP_TITLE:
      g_value_set_string (value, clinic_document_get_title (self));
      break;
    case PROP_PRINT_DATE:
      g_value_set_boxed (value, clinic_document_get_print_date (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
clinic_document_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  ClinicDocument *self = CLINIC_DOCUMENT (object);

  switch (prop_id)
    {
    case PROP_TITLE:
      clinic_document_set_title (self, g_value_get_string (value));
      break;
    case PROP_PRINT_DATE:
      clinic_document_set_print_date (self, g_value_get_boxed (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
clinic_document_dispose (GObject *object)
{
  ClinicDocumentPrivate *priv = clinic_document_get_instance_private (CLINIC_DOCUMENT (object));

  /* Blocks hold layouts that hold the context. */
  g_array_set_size (priv->placements, 0);
  g_ptr_array_set_size (priv->blocks, 0);
  priv->valid = FALSE;
  g_clear_object (&priv->pango);

  G_OBJECT_CLASS (clinic_document_parent_class)->dispose (object);
}

static void
clinic_document_finalize (GObject *object)
{
  ClinicDocumentPrivate *priv = clinic_document_get_instance_private (CLINIC_DOCUMENT (object));

  g_free (priv->title);
  g_clear_pointer (&priv->print_date, g_date_time_unref);
  g_clear_pointer (&priv->printed_at, g_date_time_unref);
  g_ptr_array_unref (priv->blocks);
  g_array_unref (priv->placements);

  G_OBJECT_CLASS (clinic_document_parent_class)->finalize (object);
}

static void
clinic_document_class_init (ClinicDocumentClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = clinic_document_get_property;
  object_class->set_property = clinic_document_set_property;
  object_class->dispose = clinic_document_dispose;
  object_class->finalize = clinic_document_finalize;

  klass->layout = clinic_document_real_layout;
  klass->draw_page = clinic_document_real_draw_page;

  properties[PROP_TITLE] =
    g_param_spec_string ("title", NULL, NULL,
                         NULL,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  properties[PROP_PRINT_DATE] =
    g_param_spec_boxed ("print-date", NULL, NULL,
                        G_TYPE_DATE_TIME,
                        G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * ClinicDocument::changed:
   *
   * What the document shows has changed; pages drawn before are stale.
   */
  signals[CHANGED] =
    g_signal_new ("changed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);
}

static void
clinic_document_init (ClinicDocument *self)
{
  ClinicDocumentPrivate *priv = clinic_document_get_instance_private (self);

  priv->blocks = g_ptr_array_new_with_free_func (block_free);
  priv->placements = g_array_new (FALSE, FALSE, sizeof (Placement));
  priv->width = 595.276;
  priv->height = 841.89;
}
