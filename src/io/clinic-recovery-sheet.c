/* clinic-recovery-sheet.c — the page that holds the database's recovery key
 *
 * Printed once at set-up and locked away. A person reads it back years
 * later, under stress, maybe over the phone: so the key is large, in a
 * monospace font, in numbered boxes of five (the set-up assistant asks for
 * "group 5" to check the print), and the page says in plain words what the
 * key can do and how to keep it.
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <pango/pangocairo.h>
#include <sodium.h>
#include <string.h>

#include "clinic-keys.h"
#include "clinic-recovery-sheet.h"

#define N_GROUPS    CLINIC_RECOVERY_KEY_N_GROUPS
#define GROUP_CHARS CLINIC_RECOVERY_KEY_GROUP_CHARS
#define N_COLUMNS   7

/* The grid of groups */
#define CELL_GAP    6.0
#define ROW_GAP     12.0
#define NUMBER_ROOM 13.0  /* the group's number above its box */
#define BOX_HEIGHT  32.0

struct _ClinicRecoverySheet
{
  ClinicDocument  parent_instance;

  char           *clinic_name;
  char           *database_path;
  GDateTime      *created;

  /* Wiped on finalize: whoever reads it holds the database. */
  char            groups[N_GROUPS][GROUP_CHARS + 1];
};

G_DEFINE_FINAL_TYPE (ClinicRecoverySheet, clinic_recovery_sheet, CLINIC_TYPE_DOCUMENT)

/* Crockford base32, as clinic_recovery_key_format() writes it. */
static gboolean
is_key_char (char c)
{
  return (c >= '0' && c <= '9') ||
         (c >= 'A' && c <= 'Z' && c != 'I' && c != 'L' && c != 'O' && c != 'U');
}

static gboolean
split_key (const char *key,
           char        groups[N_GROUPS][GROUP_CHARS + 1])
{
  if (strlen (key) != N_GROUPS * (GROUP_CHARS + 1) - 1)
    return FALSE;

  for (guint g = 0; g < N_GROUPS; g++)
    {
      const char *group = key + g * (GROUP_CHARS + 1);

      for (guint c = 0; c < GROUP_CHARS; c++)
        {
          if (!is_key_char (group[c]))
            return FALSE;
          groups[g][c] = group[c];
        }
      groups[g][GROUP_CHARS] = '\0';

      if (g + 1 < N_GROUPS && group[GROUP_CHARS] != '-')
        return FALSE;
    }

  return TRUE;
}

/* --- The key grid ------------------------------------------------------ */

typedef struct
{
  PangoLayout *numbers[N_GROUPS];
  PangoLayout *groups[N_GROUPS];
  PangoLayout *reference;  /* capitals and digits, to centre every group alike */
} KeyGrid;

/* Pango copies the text it is given; wipe those copies too before they
 * go back to the allocator. */
static void
wipe_layout_text (PangoLayout *layout)
{
  char *text = (char *) pango_layout_get_text (layout);

  sodium_memzero (text, strlen (text));
}

static void
key_grid_free (gpointer data)
{
  KeyGrid *grid = data;

  for (guint i = 0; i < N_GROUPS; i++)
    {
      if (grid->groups[i] != NULL)
        wipe_layout_text (grid->groups[i]);
      g_clear_object (&grid->groups[i]);
      g_clear_object (&grid->numbers[i]);
    }
  g_clear_object (&grid->reference);
  g_free (grid);
}

static void
rounded_rectangle (cairo_t *cr,
                   double   x,
                   double   y,
                   double   width,
                   double   height,
                   double   radius)
{
  cairo_new_sub_path (cr);
  cairo_arc (cr, x + width - radius, y + radius, radius, -G_PI / 2, 0);
  cairo_arc (cr, x + width - radius, y + height - radius, radius, 0, G_PI / 2);
  cairo_arc (cr, x + radius, y + height - radius, radius, G_PI / 2, G_PI);
  cairo_arc (cr, x + radius, y + radius, radius, G_PI, 3 * G_PI / 2);
  cairo_close_path (cr);
}

/* Centres @layout in the box, horizontally by its advance (monospace
 * cells line up from box to box) and vertically by the ink of @reference,
 * so that a Q or a 9 does not lift its group above the others. */
static void
centre_layout (cairo_t     *cr,
               PangoLayout *layout,
               PangoLayout *reference,
               double       x,
               double       y,
               double       width,
               double       height)
{
  PangoRectangle ink, logical;

  pango_layout_get_extents (layout, NULL, &logical);
  pango_layout_get_extents (reference, &ink, NULL);
  cairo_move_to (cr,
                 x + (width - pango_units_to_double (logical.width)) / 2,
                 y + (height - pango_units_to_double (ink.height)) / 2
                   - pango_units_to_double (ink.y));
  pango_cairo_show_layout (cr, layout);
}

static void
key_grid_draw (ClinicDocument *document,
               cairo_t        *cr,
               double          x,
               double          y,
               double          width,
               double          height,
               gpointer        user_data)
{
  KeyGrid *grid = user_data;
  double cell = (width - CELL_GAP * (N_COLUMNS - 1)) / N_COLUMNS;

  for (guint i = 0; i < N_GROUPS; i++)
    {
      double left = x + (i % N_COLUMNS) * (cell + CELL_GAP);
      double top = y + (i / N_COLUMNS) * (NUMBER_ROOM + BOX_HEIGHT + ROW_GAP);

      clinic_color_set_source (cr, CLINIC_COLOR_MUTED);
      centre_layout (cr, grid->numbers[i], grid->numbers[i], left, top, cell, NUMBER_ROOM - 4);

      rounded_rectangle (cr, left + 0.5, top + NUMBER_ROOM + 0.5, cell - 1, BOX_HEIGHT - 1, 3);
      clinic_color_set_source (cr, CLINIC_COLOR_FILL);
      cairo_fill_preserve (cr);
      clinic_color_set_source (cr, CLINIC_COLOR_RULE);
      cairo_set_line_width (cr, 1.0);
      cairo_stroke (cr);

      clinic_color_set_source (cr, CLINIC_COLOR_TEXT);
      centre_layout (cr, grid->groups[i], grid->reference, left, top + NUMBER_ROOM, cell,
                     BOX_HEIGHT);
    }
}

static void
add_key_grid (ClinicRecoverySheet *self)
{
  ClinicDocument *document = CLINIC_DOCUMENT (self);
  KeyGrid *grid = g_new0 (KeyGrid, 1);
  guint n_rows = (N_GROUPS + N_COLUMNS - 1) / N_COLUMNS;

  grid->reference = clinic_document_create_layout (document, CLINIC_TEXT_MONO_LARGE, "0H", -1);

  for (guint i = 0; i < N_GROUPS; i++)
    {
      char number[8];

      g_snprintf (number, sizeof number, "%u", i + 1);
      grid->numbers[i] = clinic_document_create_layout (document, CLINIC_TEXT_LABEL, number, -1);
      grid->groups[i] = clinic_document_create_layout (document, CLINIC_TEXT_MONO_LARGE,
                                                       self->groups[i], -1);
    }

  clinic_document_add_block (document,
                             n_rows * (NUMBER_ROOM + BOX_HEIGHT) + (n_rows - 1) * ROW_GAP,
                             key_grid_draw, grid, key_grid_free);
}

/* --- The page ---------------------------------------------------------- */

static char *
format_date (GDateTime *date)
{
  /* Translators: a date and time on the recovery sheet; see
   * g_date_time_format() for the codes. */
  return g_date_time_format (date, _("%-d %B %Y, %H:%M"));
}

static void
clinic_recovery_sheet_build (ClinicDocument *document)
{
  ClinicRecoverySheet *self = CLINIC_RECOVERY_SHEET (document);
  g_autofree char *path = g_filename_display_name (self->database_path);
  g_autofree char *created = format_date (self->created);
  const char *sign_captions[] = {
    _("Stored by (name)"),
    _("Signature"),
    _("Date"),
    NULL
  };

  clinic_document_add_letterhead (document, self->clinic_name,
                                  _("Clinic database recovery sheet"), NULL);

  clinic_document_add_title (document, _("Recovery Key"),
                             _("The key to the clinic’s records for the day no password can open them."));

  clinic_document_add_notice (document, TRUE,
                              _("This key opens the clinic’s database without any password. "
                                "Whoever holds this sheet holds all patient data."),
                              _("Treat it like the key to the records room: locked away, "
                                "never copied, never left on a desk."));

  add_key_grid (self);
  clinic_document_add_paragraph (document, CLINIC_TEXT_SMALL,
                                 _("Type the 14 groups in order, from 1 to 14. Capital or small "
                                   "letters, spaces and dashes make no difference. When Clinic "
                                   "asks for one group, give the group with that number."));

  clinic_document_add_heading (document, _("Keeping This Sheet"));
  clinic_document_add_list_item (document, "1",
                                 _("Keep this sheet locked away, in a safe or a locked drawer, "
                                   "away from the computer."));
  clinic_document_add_list_item (document, "2",
                                 _("Never store a photo, scan or copy of it on the clinic’s "
                                   "computer, on a phone or in an e-mail."));
  clinic_document_add_list_item (document, "3",
                                 _("When the clinic’s keys are changed, Clinic prints a new sheet "
                                   "and this one no longer opens anything. Destroy it then."));
  clinic_document_add_list_item (document, "4",
                                 _("Take it out only when no password can open the database, "
                                   "and lock it away again straight after."));

  clinic_document_add_heading (document, _("Details"));
  clinic_document_add_key_value (document, _("Database file"), path);
  clinic_document_add_key_value (document, _("Key created"), created);

  clinic_document_add_space (document, 6);
  clinic_document_add_sign_lines (document, sign_captions);
}

/* --- Object ------------------------------------------------------------ */

ClinicRecoverySheet *
clinic_recovery_sheet_new (const char *clinic_name,
                           const char *database_path,
                           GDateTime  *created,
                           const char *recovery_key)
{
  ClinicRecoverySheet *self;
  char groups[N_GROUPS][GROUP_CHARS + 1];
  g_autofree char *title = NULL;

  g_return_val_if_fail (clinic_name != NULL, NULL);
  g_return_val_if_fail (database_path != NULL, NULL);
  g_return_val_if_fail (created != NULL, NULL);
  g_return_val_if_fail (recovery_key != NULL, NULL);

  if (!split_key (recovery_key, groups))
    {
      sodium_memzero (groups, sizeof groups);
      g_return_val_if_reached (NULL);
    }

  /* Translators: the recovery sheet's title in its footer, the PDF's
   * properties and the name offered when saving; %s is the clinic. */
  title = g_strdup_printf (_("Recovery Key for %s"), clinic_name);

  self = g_object_new (CLINIC_TYPE_RECOVERY_SHEET, "title", title, NULL);
  self->clinic_name = g_strdup (clinic_name);
  self->database_path = g_strdup (database_path);
  self->created = g_date_time_ref (created);
  memcpy (self->groups, groups, sizeof groups);
  sodium_memzero (groups, sizeof groups);

  return self;
}

const char *
clinic_recovery_sheet_get_clinic_name (ClinicRecoverySheet *self)
{
  g_return_val_if_fail (CLINIC_IS_RECOVERY_SHEET (self), NULL);

  return self->clinic_name;
}

const char *
clinic_recovery_sheet_get_database_path (ClinicRecoverySheet *self)
{
  g_return_val_if_fail (CLINIC_IS_RECOVERY_SHEET (self), NULL);

  return self->database_path;
}

GDateTime *
clinic_recovery_sheet_get_created (ClinicRecoverySheet *self)
{
  g_return_val_if_fail (CLINIC_IS_RECOVERY_SHEET (self), NULL);

  return self->created;
}

static void
clinic_recovery_sheet_finalize (GObject *object)
{
  ClinicRecoverySheet *self = CLINIC_RECOVERY_SHEET (object);

  sodium_memzero (self->groups, sizeof self->groups);
  g_free (self->clinic_name);
  g_free (self->database_path);
  g_clear_pointer (&self->created, g_date_time_unref);

  G_OBJECT_CLASS (clinic_recovery_sheet_parent_class)->finalize (object);
}

static void
clinic_recovery_sheet_class_init (ClinicRecoverySheetClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  ClinicDocumentClass *document_class = CLINIC_DOCUMENT_CLASS (klass);

  object_class->finalize = clinic_recovery_sheet_finalize;
  document_class->build = clinic_recovery_sheet_build;
}

static void
clinic_recovery_sheet_init (ClinicRecoverySheet *self)
{
}
