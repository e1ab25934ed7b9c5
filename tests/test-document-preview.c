/* test-document-preview.c — the document preview: pages, paper, zoom, keys, names */

#include "config.h"

#include <glib/gi18n.h>

#include "clinic-document-preview.h"
#include "clinic-recovery-sheet.h"
#include "clinic-test-ui.h"

#define TEST_KEY "VWT26-DG478-D06YT-K3PQ9-MN2XA-7HJRB-C5EZW-Q8T4V-1GS9F-YB6KD-P0RMX-2WNHC-T7ZJ3-A4EV8"

/* A document of a few pages, to walk through. */
#define TEST_TYPE_LONG_DOCUMENT (test_long_document_get_type ())
G_DECLARE_FINAL_TYPE (TestLongDocument, test_long_document, TEST, LONG_DOCUMENT, ClinicDocument)

struct _TestLongDocument
{
  ClinicDocument parent_instance;
};

G_DEFINE_FINAL_TYPE (TestLongDocument, test_long_document, CLINIC_TYPE_DOCUMENT)

static void
test_long_document_build (ClinicDocument *document)
{
  clinic_document_add_letterhead (document, "Riverside Family Practice",
                                  "12 River Road, Springfield", "+1 555 0100");
  clinic_document_add_title (document, "Appointments", "Week 19");
  for (guint i = 0; i < 120; i++)
    {
      g_autofree char *key = g_strdup_printf ("Monday %02u:00", 8 + i % 10);

      clinic_document_add_key_value (document, key, "A patient, with a doctor, for a visit");
    }
}

static void
test_long_document_class_init (TestLongDocumentClass *klass)
{
  CLINIC_DOCUMENT_CLASS (klass)->build = test_long_document_build;
}

static void
test_long_document_init (TestLongDocument *self)
{
}

typedef struct
{
  GtkWindow             *window;
  ClinicDocumentPreview *preview;
  ClinicDocument        *document;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();
  g_autoptr(GDateTime) created = g_date_time_new (utc, 2024, 5, 3, 9, 30, 0);

  if (GPOINTER_TO_INT (data) == 0)
    f->document = CLINIC_DOCUMENT (clinic_recovery_sheet_new ("Riverside Family Practice",
                                                              "/var/lib/clinic/clinic.db",
                                                              created, TEST_KEY));
  else
    f->document = g_object_new (TEST_TYPE_LONG_DOCUMENT, "title", "Appointments", NULL);
  clinic_document_set_print_date (f->document, created);

  f->window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_title (f->window, "Preview");
  gtk_window_set_default_size (f->window, 900, 700);
  f->preview = CLINIC_DOCUMENT_PREVIEW (clinic_document_preview_new ());
  g_object_add_weak_pointer (G_OBJECT (f->preview), (gpointer *) &f->preview);
  gtk_window_set_child (f->window, GTK_WIDGET (f->preview));

  /* Start on A4, whatever the machine's locale. */
  clinic_document_preview_set_paper (f->preview, CLINIC_PAPER_A4);
  clinic_document_preview_set_document (f->preview, f->document);

  gtk_window_present (f->window);
  clinic_test_wait_for_draw (GTK_WIDGET (f->window));
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  gtk_window_destroy (f->window);
  clinic_test_spin (50);
  /* The preview and its widgets are released, and let go of the document. */
  g_assert_null (f->preview);
  g_assert_finalize_object (f->document);
}

static GtkLabel *
find_page_label (GtkWidget *root)
{
  if (GTK_IS_LABEL (root) && g_str_has_prefix (gtk_label_get_text (GTK_LABEL (root)), "Page "))
    return GTK_LABEL (root);

  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkLabel *found = find_page_label (child);

      if (found != NULL)
        return found;
    }

  return NULL;
}

static const char *
page_label_text (Fixture *f)
{
  GtkLabel *label = find_page_label (GTK_WIDGET (f->preview));

  g_assert_nonnull (label);
  return gtk_label_get_text (label);
}

static GtkWidget *
button (Fixture    *f,
        const char *action)
{
  GtkWidget *found = clinic_test_find_button (GTK_WIDGET (f->preview), action);

  g_assert_nonnull (found);
  return found;
}

static void
assert_page_label (Fixture *f,
                   guint    page,
                   guint    n_pages)
{
  g_autofree char *expected = g_strdup_printf ("Page %u of %u", page, n_pages);

  g_assert_cmpstr (page_label_text (f), ==, expected);
}

static GtkDropDown *
paper_dropdown (Fixture *f)
{
  GtkWidget *found = clinic_test_find_widget (GTK_WIDGET (f->preview), GTK_TYPE_DROP_DOWN);

  g_assert_nonnull (found);
  return GTK_DROP_DOWN (found);
}

static void
test_recovery_sheet (Fixture       *f,
                     gconstpointer  data)
{
  double a4_width, letter_width;

  /* One page: nowhere to go, but it can be printed and saved. */
  assert_page_label (f, 1, 1);
  g_assert_cmpuint (clinic_document_preview_get_n_pages (f->preview), ==, 1);
  g_assert_false (gtk_widget_get_sensitive (button (f, "preview.previous-page")));
  g_assert_false (gtk_widget_get_sensitive (button (f, "preview.next-page")));
  g_assert_true (gtk_widget_get_sensitive (button (f, "preview.print")));
  g_assert_true (gtk_widget_get_sensitive (button (f, "preview.save-pdf")));
  g_assert_false (gtk_widget_get_sensitive (button (f, "preview.zoom-fit")));

  g_assert_cmpuint (gtk_drop_down_get_selected (paper_dropdown (f)), ==, CLINIC_PAPER_A4);
  clinic_paper_get_size (CLINIC_PAPER_A4, &a4_width, NULL);
  g_assert_cmpfloat_with_epsilon (clinic_document_get_content_width (f->document),
                                  a4_width - 2 * 56.7, 0.01);
  g_free (clinic_test_save_screenshot (GTK_WIDGET (f->window), "document-preview-a4"));

  /* Letter from the drop-down: the document is laid out again for it. */
  gtk_drop_down_set_selected (paper_dropdown (f), CLINIC_PAPER_LETTER);
  g_assert_cmpint (clinic_document_preview_get_paper (f->preview), ==, CLINIC_PAPER_LETTER);
  clinic_paper_get_size (CLINIC_PAPER_LETTER, &letter_width, NULL);
  g_assert_cmpfloat_with_epsilon (clinic_document_get_content_width (f->document),
                                  letter_width - 2 * 56.7, 0.01);
  assert_page_label (f, 1, 1);
  clinic_test_wait_for_draw (GTK_WIDGET (f->window));
  g_free (clinic_test_save_screenshot (GTK_WIDGET (f->window), "document-preview-letter"));

  clinic_test_assert_all_named (GTK_WIDGET (f->window), TRUE);
}

static void
test_navigation (Fixture       *f,
                 gconstpointer  data)
{
  guint n_pages = clinic_document_preview_get_n_pages (f->preview);
  guint letter_pages;
  GtkWidget *previous = button (f, "preview.previous-page");
  GtkWidget *next = button (f, "preview.next-page");

  g_assert_cmpuint (n_pages, >=, 2);
  assert_page_label (f, 1, n_pages);
  g_assert_false (gtk_widget_get_sensitive (previous));
  g_assert_true (gtk_widget_get_sensitive (next));

  gtk_widget_activate_action (GTK_WIDGET (f->preview), "preview.next-page", NULL);
  assert_page_label (f, 2, n_pages);
  g_assert_cmpuint (clinic_document_preview_get_page (f->preview), ==, 1);
  g_assert_true (gtk_widget_get_sensitive (previous));
  g_assert_cmpint (gtk_widget_get_sensitive (next), ==, n_pages > 2);
  clinic_test_wait_for_draw (GTK_WIDGET (f->window));
  g_free (clinic_test_save_screenshot (GTK_WIDGET (f->window), "document-preview-page-2"));

  /* The button itself, as a click would. */
  g_signal_emit_by_name (previous, "clicked");
  assert_page_label (f, 1, n_pages);
  g_assert_false (gtk_widget_get_sensitive (previous));

  clinic_document_preview_set_page (f->preview, n_pages - 1);
  assert_page_label (f, n_pages, n_pages);
  g_assert_false (gtk_widget_get_sensitive (next));
  g_assert_true (gtk_widget_get_sensitive (previous));

  /* Past the end is the last page. */
  clinic_document_preview_set_page (f->preview, n_pages + 5);
  g_assert_cmpuint (clinic_document_preview_get_page (f->preview), ==, n_pages - 1);

  /* Letter is shorter than A4: the pages are counted again, and the label
   * and the buttons follow. */
  gtk_drop_down_set_selected (paper_dropdown (f), CLINIC_PAPER_LETTER);
  letter_pages = clinic_document_get_n_pages (f->document, 612, 792);
  g_assert_cmpuint (clinic_document_preview_get_n_pages (f->preview), ==, letter_pages);
  g_assert_cmpuint (letter_pages, >=, n_pages);
  g_assert_cmpuint (clinic_document_preview_get_page (f->preview), <, letter_pages);
  {
    g_autofree char *expected = g_strdup_printf (" of %u", letter_pages);

    g_assert_true (g_str_has_suffix (page_label_text (f), expected));
  }

  /* Page Down and Page Up, with the focus inside the preview. */
  clinic_document_preview_set_page (f->preview, 0);
  gtk_widget_grab_focus (button (f, "preview.print"));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->preview), "preview.next-page", NULL));
  assert_page_label (f, 2, letter_pages);
}

static void
test_zoom (Fixture       *f,
           gconstpointer  data)
{
  GtkWidget *fit = button (f, "preview.zoom-fit");
  GtkScrolledWindow *scroller;

  GtkWidget *canvas;

  /* The scrolled window around the page, not the one in the paper list. */
  canvas = clinic_test_find_widget (GTK_WIDGET (f->preview),
                                    g_type_from_name ("ClinicDocumentPreviewCanvas"));
  g_assert_nonnull (canvas);
  scroller = GTK_SCROLLED_WINDOW (gtk_widget_get_ancestor (canvas, GTK_TYPE_SCROLLED_WINDOW));
  g_assert_false (gtk_widget_get_sensitive (fit));

  /* From "fit" up to the next step: the page no longer fits the view. */
  gtk_widget_activate_action (GTK_WIDGET (f->preview), "preview.zoom-in", NULL);
  gtk_widget_activate_action (GTK_WIDGET (f->preview), "preview.zoom-in", NULL);
  g_assert_true (gtk_widget_get_sensitive (fit));
  clinic_test_wait_for_draw (GTK_WIDGET (f->window));
  g_assert_cmpfloat (gtk_adjustment_get_upper (gtk_scrolled_window_get_vadjustment (scroller)), >,
                     gtk_adjustment_get_page_size (gtk_scrolled_window_get_vadjustment (scroller)));
  g_free (clinic_test_save_screenshot (GTK_WIDGET (f->window), "document-preview-zoomed"));

  gtk_widget_activate_action (GTK_WIDGET (f->preview), "preview.zoom-fit", NULL);
  g_assert_false (gtk_widget_get_sensitive (fit));
  clinic_test_wait_for_draw (GTK_WIDGET (f->window));
  g_assert_cmpfloat (gtk_adjustment_get_upper (gtk_scrolled_window_get_vadjustment (scroller)), <=,
                     gtk_adjustment_get_page_size (gtk_scrolled_window_get_vadjustment (scroller)));

  for (guint i = 0; i < 20; i++)
    gtk_widget_activate_action (GTK_WIDGET (f->preview), "preview.zoom-out", NULL);
  g_assert_false (gtk_widget_get_sensitive (button (f, "preview.zoom-out")));
}

/* Tab reaches every control, in the order they stand. */
static void
test_keyboard (Fixture       *f,
               gconstpointer  data)
{
  const char *actions[] = {
    "preview.previous-page", "preview.next-page",
    "preview.zoom-out", "preview.zoom-fit", "preview.zoom-in",
    "preview.save-pdf", "preview.print",
  };
  g_autoptr(GPtrArray) reached = g_ptr_array_new ();
  GtkWidget *dropdown = GTK_WIDGET (paper_dropdown (f));
  gboolean dropdown_reached = FALSE;

  /* Every button enabled: the middle page, zoomed. */
  clinic_document_preview_set_page (f->preview, 1);
  gtk_widget_activate_action (GTK_WIDGET (f->preview), "preview.zoom-in", NULL);
  clinic_test_wait_for_draw (GTK_WIDGET (f->window));

  gtk_window_set_focus (f->window, NULL);
  for (guint i = 0; i < 40; i++)
    {
      GtkWidget *focus;

      gtk_widget_child_focus (GTK_WIDGET (f->window), GTK_DIR_TAB_FORWARD);
      focus = gtk_root_get_focus (GTK_ROOT (f->window));
      if (focus == NULL)
        continue;
      g_ptr_array_add (reached, focus);
      if (gtk_widget_is_ancestor (focus, dropdown))
        dropdown_reached = TRUE;
    }

  for (guint i = 0; i < G_N_ELEMENTS (actions); i++)
    {
      GtkWidget *control = button (f, actions[i]);

      if (!gtk_widget_get_sensitive (control))
        g_error ("The button of %s is disabled", actions[i]);
      if (!g_ptr_array_find (reached, control, NULL))
        g_error ("Tab never reaches the button of %s", actions[i]);
    }
  g_assert_true (dropdown_reached);

  clinic_test_assert_all_named (GTK_WIDGET (f->window), TRUE);
}

static void
test_without_document (Fixture       *f,
                       gconstpointer  data)
{
  const char *actions[] = {
    "preview.previous-page", "preview.next-page", "preview.zoom-in", "preview.zoom-out",
    "preview.zoom-fit", "preview.print", "preview.save-pdf",
  };

  clinic_document_preview_set_document (f->preview, NULL);
  g_assert_null (clinic_document_preview_get_document (f->preview));
  assert_page_label (f, 0, 0);
  for (guint i = 0; i < G_N_ELEMENTS (actions); i++)
    g_assert_false (gtk_widget_get_sensitive (button (f, actions[i])));
  clinic_test_wait_for_draw (GTK_WIDGET (f->window));

  clinic_document_preview_set_document (f->preview, f->document);
  g_assert_true (gtk_widget_get_sensitive (button (f, "preview.print")));
}

/* A document that changes (a new key printed) is shown again at once. */
static void
test_document_changes (Fixture       *f,
                       gconstpointer  data)
{
  clinic_document_set_title (f->document, "Another title");
  assert_page_label (f, 1, clinic_document_preview_get_n_pages (f->preview));
}

int
main (int   argc,
      char *argv[])
{
  clinic_test_ui_init (&argc, &argv);

  g_test_add ("/document-preview/recovery-sheet", Fixture, GINT_TO_POINTER (0),
              fixture_set_up, test_recovery_sheet, fixture_tear_down);
  g_test_add ("/document-preview/navigation", Fixture, GINT_TO_POINTER (1),
              fixture_set_up, test_navigation, fixture_tear_down);
  g_test_add ("/document-preview/zoom", Fixture, GINT_TO_POINTER (0),
              fixture_set_up, test_zoom, fixture_tear_down);
  g_test_add ("/document-preview/keyboard", Fixture, GINT_TO_POINTER (1),
              fixture_set_up, test_keyboard, fixture_tear_down);
  g_test_add ("/document-preview/without-document", Fixture, GINT_TO_POINTER (0),
              fixture_set_up, test_without_document, fixture_tear_down);
  g_test_add ("/document-preview/document-changes", Fixture, GINT_TO_POINTER (1),
              fixture_set_up, test_document_changes, fixture_tear_down);

  return g_test_run ();
}
