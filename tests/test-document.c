/* test-document.c — documents as PDF: size, pages, text, errors (headless) */

#include "config.h"

#include <glib/gstdio.h>
#include <locale.h>
#include <math.h>
#include <poppler.h>
#include <string.h>
#include <unistd.h>

#include "clinic-document.h"
#include "clinic-day-list.h"
#include "clinic-prescription-sheet.h"
#include "clinic-recovery-sheet.h"

/* poppler-glib 22.12 declares no cleanup functions of its own. */
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PopplerDocument, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PopplerPage, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PopplerFontInfo, poppler_font_info_free)

#define TEST_KEY "VWT26-DG478-D06YT-K3PQ9-MN2XA-7HJRB-C5EZW-Q8T4V-1GS9F-YB6KD-P0RMX-2WNHC-T7ZJ3-A4EV8"
#define WARNING_SENTENCE "This key opens the clinic's database without any password. " \
                         "Whoever holds this sheet holds all patient data."

typedef struct
{
  char *dir;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("clinic-document-XXXXXX", &error);
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GDir) dir = g_dir_open (f->dir, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (f->dir, name, NULL);

      g_unlink (path);
    }
  g_assert_cmpint (g_rmdir (f->dir), ==, 0);
  g_free (f->dir);
}

static GDateTime *
fixed_date (void)
{
  g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();

  return g_date_time_new (utc, 2024, 5, 3, 9, 30, 0);
}

static ClinicRecoverySheet *
sheet_new (const char *clinic_name)
{
  g_autoptr(GDateTime) created = fixed_date ();
  ClinicRecoverySheet *sheet;

  sheet = clinic_recovery_sheet_new (clinic_name, "/var/lib/clinic/clinic.db", created, TEST_KEY);
  g_assert_nonnull (sheet);
  clinic_document_set_print_date (CLINIC_DOCUMENT (sheet), created);

  return sheet;
}

/* The page's text with every run of blanks one space and typographic
 * apostrophes plain, so a sentence wrapped over two lines still matches. */
static char *
page_text (PopplerPage *page)
{
  g_autofree char *text = poppler_page_get_text (page);
  GString *out = g_string_new (NULL);
  gboolean blank = FALSE;

  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_isspace (c))
        {
          blank = TRUE;
          continue;
        }
      if (blank && out->len > 0)
        g_string_append_c (out, ' ');
      blank = FALSE;
      if (c == 0x2019)
        c = '\'';
      g_string_append_unichar (out, c);
    }

  return g_string_free (out, FALSE);
}

static char *
without_blanks (const char *text)
{
  GString *out = g_string_new (NULL);

  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    if (!g_unichar_isspace (g_utf8_get_char (p)))
      g_string_append_unichar (out, g_utf8_get_char (p));

  return g_string_free (out, FALSE);
}

static gboolean
contains_ignoring_blanks (const char *haystack,
                          const char *needle)
{
  g_autofree char *h = without_blanks (haystack);
  g_autofree char *n = without_blanks (needle);

  return strstr (h, n) != NULL;
}

static PopplerDocument *
open_pdf (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *uri = g_filename_to_uri (path, NULL, &error);
  PopplerDocument *pdf;

  g_assert_no_error (error);
  pdf = poppler_document_new_from_file (uri, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (pdf);

  return pdf;
}

/* Every character lies on the paper, inside a margin of @inset points. */
static void
assert_text_inside (PopplerPage *page,
                    double       inset)
{
  g_autofree PopplerRectangle *boxes = NULL;
  guint n_boxes = 0;
  double width, height;

  poppler_page_get_size (page, &width, &height);
  g_assert_true (poppler_page_get_text_layout (page, &boxes, &n_boxes));
  g_assert_cmpuint (n_boxes, >, 100);

  for (guint i = 0; i < n_boxes; i++)
    {
      /* Line ends come as empty boxes; skip them. */
      if (boxes[i].x2 - boxes[i].x1 <= 0)
        continue;
      g_assert_cmpfloat (boxes[i].x1, >=, inset);
      g_assert_cmpfloat (boxes[i].y1, >=, inset);
      g_assert_cmpfloat (boxes[i].x2, <=, width - inset);
      g_assert_cmpfloat (boxes[i].y2, <=, height - inset);
    }
}

static void
save_png (ClinicDocument *document,
          ClinicPaper     paper,
          guint           page_index,
          const char     *name)
{
  const char *dir = g_getenv ("CLINIC_TEST_OUTPUT");
  double width, height;
  double scale = 2.0;  /* 144 dpi: sharp enough to judge the type */
  cairo_surface_t *surface;
  cairo_t *cr;

  clinic_paper_get_size (paper, &width, &height);
  surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24,
                                        (int) ceil (width * scale), (int) ceil (height * scale));
  cr = cairo_create (surface);
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_paint (cr);
  cairo_scale (cr, scale, scale);
  clinic_document_draw_page (document, cr, page_index, width, height);
  g_assert_cmpint (cairo_status (cr), ==, CAIRO_STATUS_SUCCESS);
  cairo_destroy (cr);

  if (dir != NULL)
    {
      g_autofree char *file_name = g_strconcat (name, ".png", NULL);
      g_autofree char *path = g_build_filename (dir, file_name, NULL);

      g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
      g_assert_cmpint (cairo_surface_write_to_png (surface, path), ==, CAIRO_STATUS_SUCCESS);
      g_test_message ("Page image: %s", path);
    }

  cairo_surface_destroy (surface);
}

/* --- The recovery sheet ------------------------------------------------ */

static void
check_sheet_pdf (Fixture     *f,
                 ClinicPaper  paper,
                 const char  *clinic_name)
{
  g_autoptr(ClinicRecoverySheet) sheet = sheet_new (clinic_name);
  g_autoptr(GError) error = NULL;
  g_autoptr(PopplerDocument) pdf = NULL;
  g_autoptr(PopplerPage) page = NULL;
  g_autofree char *path = g_build_filename (f->dir, "sheet.pdf", NULL);
  g_autofree char *text = NULL;
  g_autofree char *title = NULL;
  g_autofree char *creator = NULL;
  g_auto(GStrv) groups = g_strsplit (TEST_KEY, "-", -1);
  double expected_width, expected_height, width, height;
  GStatBuf st;

  g_assert_true (clinic_document_write_pdf (CLINIC_DOCUMENT (sheet), path, paper, &error));
  g_assert_no_error (error);

  /* Patient data: for the owner's eyes only. */
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);

  pdf = open_pdf (path);
  g_assert_cmpint (poppler_document_get_n_pages (pdf), ==, 1);

  page = poppler_document_get_page (pdf, 0);
  clinic_paper_get_size (paper, &expected_width, &expected_height);
  poppler_page_get_size (page, &width, &height);
  g_assert_cmpfloat_with_epsilon (width, paper == CLINIC_PAPER_A4 ? 595 : 612, 1.0);
  g_assert_cmpfloat_with_epsilon (height, paper == CLINIC_PAPER_A4 ? 842 : 792, 1.0);
  g_assert_cmpfloat_with_epsilon (width, expected_width, 0.01);

  text = page_text (page);
  g_test_message ("Page text: %s", text);
  /* A long name wraps, maybe after a hyphen: compare without blanks. */
  g_assert_true (contains_ignoring_blanks (text, clinic_name));
  g_assert_nonnull (strstr (text, WARNING_SENTENCE));
  g_assert_nonnull (strstr (text, "/var/lib/clinic/clinic.db"));
  g_assert_nonnull (strstr (text, "3 May 2024"));
  g_assert_nonnull (strstr (text, "Page 1 of 1"));
  /* Every group, in the order a person types them. */
  g_assert_cmpuint (g_strv_length (groups), ==, 14);
  {
    const char *previous = text;

    for (guint i = 0; groups[i] != NULL; i++)
      {
        const char *found = strstr (text, groups[i]);

        g_assert_nonnull (found);
        g_assert_true (found > previous);
        previous = found;
      }
  }

  /* A printer that cannot reach the last 5 mm still prints it all. */
  assert_text_inside (page, 14);

  title = poppler_document_get_title (pdf);
  creator = poppler_document_get_creator (pdf);
  g_assert_cmpstr (title, ==, clinic_document_get_title (CLINIC_DOCUMENT (sheet)));
  g_assert_nonnull (strstr (title, clinic_name));
  g_assert_true (g_str_has_prefix (creator, "Clinic "));
  g_assert_cmpint (poppler_document_get_creation_date (pdf), ==, 1714728600);

  /* Fonts are in the file, so it prints the same on any computer. */
  {
    g_autoptr(PopplerFontInfo) fonts = poppler_font_info_new (pdf);
    PopplerFontsIter *iter = NULL;
    guint n_fonts = 0;

    g_assert_true (poppler_font_info_scan (fonts, 1, &iter));
    do
      {
        g_assert_true (poppler_fonts_iter_is_embedded (iter));
        n_fonts++;
      }
    while (poppler_fonts_iter_next (iter));
    poppler_fonts_iter_free (iter);
    g_assert_cmpuint (n_fonts, >=, 2);  /* sans and monospace */
  }
}

static void
test_sheet_a4 (Fixture       *f,
               gconstpointer  data)
{
  check_sheet_pdf (f, CLINIC_PAPER_A4, "Riverside Family Practice");
}

static void
test_sheet_letter (Fixture       *f,
                   gconstpointer  data)
{
  check_sheet_pdf (f, CLINIC_PAPER_LETTER, "Riverside Family Practice");
}

static void
test_sheet_long_name (Fixture       *f,
                      gconstpointer  data)
{
  const char *name = "Zahnärztliche Gemeinschaftspraxis Dr. Müller-Lüdenscheidt, Dr. Østergaard "
                     "und Kolleginnen am Marktplatz — Kieferorthopädie, Implantologie und "
                     "Kinderzahnheilkunde";
  g_autoptr(ClinicRecoverySheet) sheet = sheet_new (name);
  double width, height;

  /* Wrapped, not clipped, and still one page on either paper. */
  for (guint p = 0; p < CLINIC_N_PAPERS; p++)
    {
      clinic_paper_get_size (p, &width, &height);
      g_assert_cmpuint (clinic_document_get_n_pages (CLINIC_DOCUMENT (sheet), width, height), ==, 1);
    }

  check_sheet_pdf (f, CLINIC_PAPER_LETTER, name);
  check_sheet_pdf (f, CLINIC_PAPER_A4, name);
  save_png (CLINIC_DOCUMENT (sheet), CLINIC_PAPER_LETTER, 0, "recovery-sheet-long-name-letter");
}

static void
test_sheet_png (void)
{
  g_autoptr(ClinicRecoverySheet) sheet = sheet_new ("Riverside Family Practice");

  save_png (CLINIC_DOCUMENT (sheet), CLINIC_PAPER_A4, 0, "recovery-sheet-a4");
  save_png (CLINIC_DOCUMENT (sheet), CLINIC_PAPER_LETTER, 0, "recovery-sheet-letter");
}

static void
test_sheet_rejects_bad_key (void)
{
  g_autoptr(GDateTime) created = fixed_date ();
  const char *bad[] = {
    "VWT26-DG478",                           /* too short */
    "VWT26-DG478-D06YT-K3PQ9-MN2XA-7HJRB-C5EZW-Q8T4V-1GS9F-YB6KD-P0RMX-2WNHC-T7ZJ3-A4EVL",
    "VWT26 DG478-D06YT-K3PQ9-MN2XA-7HJRB-C5EZW-Q8T4V-1GS9F-YB6KD-P0RMX-2WNHC-T7ZJ3-A4EV8",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_test_expect_message (G_LOG_DOMAIN, G_LOG_LEVEL_CRITICAL, "*should not be reached*");
      g_assert_null (clinic_recovery_sheet_new ("Clinic", "/tmp/clinic.db", created, bad[i]));
      g_test_assert_expected_messages ();
    }
}

static gboolean
dir_is_empty (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);

  return dir != NULL && g_dir_read_name (dir) == NULL;
}

static void
test_write_missing_folder (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(ClinicRecoverySheet) sheet = sheet_new ("Riverside Family Practice");
  g_autoptr(GError) error = NULL;
  g_autofree char *folder = g_build_filename (f->dir, "no-such-folder", NULL);
  g_autofree char *path = g_build_filename (folder, "sheet.pdf", NULL);

  g_assert_false (clinic_document_write_pdf (CLINIC_DOCUMENT (sheet), path,
                                             CLINIC_PAPER_A4, &error));
  g_assert_error (error, CLINIC_DOCUMENT_ERROR, CLINIC_DOCUMENT_ERROR_NOT_FOUND);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "no-such-folder"));
  g_assert_nonnull (strstr (error->message, "sheet.pdf"));
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (folder, G_FILE_TEST_EXISTS));
  g_assert_true (dir_is_empty (f->dir));
}

/* A folder nobody may write in, root included: sysfs refuses new files
 * (EACCES, or EROFS where it is mounted read-only). */
static void
test_write_read_only_folder (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(ClinicRecoverySheet) sheet = sheet_new ("Riverside Family Practice");
  g_autoptr(GError) error = NULL;
  const char *path = "/sys/clinic-recovery-sheet.pdf";

  g_assert_true (g_file_test ("/sys", G_FILE_TEST_IS_DIR));
  g_assert_false (clinic_document_write_pdf (CLINIC_DOCUMENT (sheet), path,
                                             CLINIC_PAPER_A4, &error));
  g_assert_error (error, CLINIC_DOCUMENT_ERROR, CLINIC_DOCUMENT_ERROR_PERMISSION_DENIED);
  g_assert_nonnull (strstr (error->message, "/sys"));
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
}

static void
test_write_replaces (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(ClinicRecoverySheet) sheet = sheet_new ("Riverside Family Practice");
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) dir = NULL;
  g_autofree char *path = g_build_filename (f->dir, "sheet.pdf", NULL);
  g_autofree char *contents = NULL;
  const char *name;
  gsize length;

  g_assert_true (g_file_set_contents (path, "old", -1, &error));
  g_assert_true (clinic_document_write_pdf (CLINIC_DOCUMENT (sheet), path,
                                            CLINIC_PAPER_A4, &error));
  g_assert_no_error (error);

  g_assert_true (g_file_get_contents (path, &contents, &length, &error));
  g_assert_true (g_str_has_prefix (contents, "%PDF-"));

  /* The temporary file beside it is gone. */
  dir = g_dir_open (f->dir, 0, &error);
  g_assert_no_error (error);
  while ((name = g_dir_read_name (dir)) != NULL)
    g_assert_cmpstr (name, ==, "sheet.pdf");
}

/* In memory, the same PDF as on disk: pages and text; nothing written. */
static void
test_render_pdf (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(ClinicRecoverySheet) sheet = sheet_new ("Riverside Family Practice");
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) pdf = clinic_document_render_pdf (CLINIC_DOCUMENT (sheet), CLINIC_PAPER_A4, &error);
  g_autoptr(PopplerDocument) document = NULL;
  g_autoptr(GDir) dir = NULL;
  PopplerPage *page;
  g_autofree char *text = NULL;

  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (g_bytes_get_data (pdf, NULL), "%PDF-"));
  document = poppler_document_new_from_bytes (pdf, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (poppler_document_get_n_pages (document), ==, 1);
  page = poppler_document_get_page (document, 0);
  text = poppler_page_get_text (page);
  g_object_unref (page);
  g_assert_true (contains_ignoring_blanks (text, "Riverside Family Practice"));

  dir = g_dir_open (f->dir, 0, &error);
  g_assert_no_error (error);
  g_assert_null (g_dir_read_name (dir));
}

/* --- The layout kit, with a document of many pages ---------------------- */

#define TEST_TYPE_REPORT (test_report_get_type ())
G_DECLARE_FINAL_TYPE (TestReport, test_report, TEST, REPORT, ClinicDocument)

struct _TestReport
{
  ClinicDocument parent_instance;
  guint          n_paragraphs;
};

G_DEFINE_FINAL_TYPE (TestReport, test_report, CLINIC_TYPE_DOCUMENT)

static void
test_report_build (ClinicDocument *document)
{
  TestReport *self = TEST_REPORT (document);
  const char *captions[] = { "Doctor", "Date", NULL };

  clinic_document_add_letterhead (document, "Riverside Family Practice",
                                  "12 River Road\nSpringfield", "+1 555 0100");
  clinic_document_add_title (document, "Visits in May", "All doctors");
  clinic_document_add_key_value (document, "Period", "1 May 2024 – 31 May 2024");
  clinic_document_add_notice (document, FALSE, "Note", "Cancelled visits are not counted.");

  for (guint i = 0; i < self->n_paragraphs; i++)
    {
      g_autofree char *heading = g_strdup_printf ("Section %u", i + 1);
      g_autoptr(GString) text = g_string_new (NULL);

      for (guint w = 0; w < 120; w++)
        g_string_append_printf (text, "word%u ", w);
      g_string_append_printf (text, "end-of-paragraph-%u", i + 1);

      clinic_document_add_heading (document, heading);
      clinic_document_add_paragraph (document, CLINIC_TEXT_BODY, text->str);
      clinic_document_add_list_item (document, "•", "A point in a list, with a marker.");
    }

  clinic_document_add_sign_lines (document, captions);
}

static void
test_report_class_init (TestReportClass *klass)
{
  CLINIC_DOCUMENT_CLASS (klass)->build = test_report_build;
}

static void
test_report_init (TestReport *self)
{
}

static void
count_changes (guint *changed)
{
  (*changed)++;
}

static void
test_flow_pages (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GDateTime) printed = fixed_date ();
  g_autoptr(TestReport) report = g_object_new (TEST_TYPE_REPORT,
                                               "title", "Visits",
                                               "print-date", printed,
                                               NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(PopplerDocument) pdf = NULL;
  g_autofree char *path = g_build_filename (f->dir, "report.pdf", NULL);
  g_autoptr(GString) all = g_string_new (NULL);
  guint changed = 0;
  int n_pages;

  g_signal_connect_swapped (report, "changed", G_CALLBACK (count_changes), &changed);

  report->n_paragraphs = 1;
  clinic_document_invalidate (CLINIC_DOCUMENT (report));
  g_assert_cmpuint (changed, ==, 1);
  g_assert_cmpuint (clinic_document_get_n_pages (CLINIC_DOCUMENT (report), 595.276, 841.89), ==, 1);

  report->n_paragraphs = 14;
  clinic_document_invalidate (CLINIC_DOCUMENT (report));
  g_assert_true (clinic_document_write_pdf (CLINIC_DOCUMENT (report), path,
                                            CLINIC_PAPER_LETTER, &error));
  g_assert_no_error (error);

  pdf = open_pdf (path);
  n_pages = poppler_document_get_n_pages (pdf);
  g_assert_cmpint (n_pages, >=, 3);

  for (int i = 0; i < n_pages; i++)
    {
      g_autoptr(PopplerPage) page = poppler_document_get_page (pdf, i);
      g_autofree char *text = page_text (page);
      g_autofree char *footer = g_strdup_printf ("Page %d of %d", i + 1, n_pages);

      g_assert_nonnull (strstr (text, footer));
      g_assert_nonnull (strstr (text, "3 May 2024"));
      assert_text_inside (page, 14);
      g_string_append (all, text);
      g_string_append_c (all, ' ');
    }

  /* Every paragraph arrives whole, in order, across the page breaks. */
  for (guint i = 0; i < report->n_paragraphs; i++)
    {
      g_autofree char *end = g_strdup_printf ("end-of-paragraph-%u", i + 1);

      g_assert_nonnull (strstr (all->str, end));
    }
  g_assert_nonnull (strstr (all->str, "word0 word1 word2"));

  save_png (CLINIC_DOCUMENT (report), CLINIC_PAPER_LETTER, 0, "document-report-page-1");
  save_png (CLINIC_DOCUMENT (report), CLINIC_PAPER_LETTER, 1, "document-report-page-2");
}

/* A signed prescription as a PDF that poppler reads back: the patient
 * named with date of birth and chart number, the medicine, the allergies,
 * the prescriber; a draft says it is not valid. */
static void
test_prescription_sheet (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClinicPatient) patient = clinic_patient_new ();
  g_autoptr(ClinicPrescription) rx = clinic_prescription_new ();
  g_autoptr(GPtrArray) allergies = g_ptr_array_new_with_free_func ((GDestroyNotify) clinic_allergy_free);
  ClinicAllergy *allergy = g_new0 (ClinicAllergy, 1);
  ClinicLetterhead letterhead = { "Lindenhof Practice", "Lindenstraße 4, 10115 Berlin", "030 555 0100" };
  g_autofree char *path = g_build_filename (f->dir, "rx.pdf", NULL);
  g_autoptr(PopplerDocument) pdf = NULL;
  g_autoptr(PopplerPage) page = NULL;
  g_autofree char *text = NULL;

#define SET(obj, field, value) g_free (obj->field); obj->field = g_strdup (value)
  SET (patient, family_name, "Schmidt");
  SET (patient, given_names, "Paula");
  SET (patient, birth_date, "1987-04-23");
  SET (patient, chart_number, "C000001");
  SET (rx, drug, "Amoxicillin");
  SET (rx, strength, "500 mg");
  SET (rx, dose, "1 capsule");
  SET (rx, frequency, "3 times a day");
  SET (rx, duration, "7 days");
  SET (rx, prescribed_on, "2026-11-25");
#undef SET
  rx->prescriber_name = g_strdup ("Dr. Anna Weber");
  rx->refills = 2;
  rx->signed_at = 1795000000;
  rx->signature = g_strdup ("4e0ef794ec9bcdc6aa");
  allergy->substance = g_strdup ("Penicillin");
  allergy->reaction = g_strdup ("Hives");
  allergy->recorded_by = g_strdup ("Dr. Anna Weber");
  allergy->severity = CLINIC_SEVERITY_SEVERE;
  g_ptr_array_add (allergies, allergy);

  {
    g_autoptr(ClinicPrescriptionSheet) sheet = clinic_prescription_sheet_new (&letterhead, patient, rx, allergies,
                                                                              CLINIC_ALLERGIES_RECORDED);

    g_assert_true (clinic_document_write_pdf (CLINIC_DOCUMENT (sheet), path, CLINIC_PAPER_A4, &error));
    g_assert_no_error (error);
    save_png (CLINIC_DOCUMENT (sheet), CLINIC_PAPER_A4, 0, "prescription-sheet-a4");
  }
  pdf = open_pdf (path);
  g_assert_cmpint (poppler_document_get_n_pages (pdf), ==, 1);
  page = poppler_document_get_page (pdf, 0);
  text = page_text (page);
  for (const char *const *want = (const char *const[]) { "Lindenhof Practice", "Paula Schmidt", "1987-04-23",
                                                         "C000001", "Amoxicillin 500 mg", "1 capsule",
                                                         "3 times a day", "Penicillin", "Hives",
                                                         "Dr. Anna Weber", "4e0ef794ec9bcdc6", NULL };
       *want != NULL; want++)
    if (!contains_ignoring_blanks (text, *want))
      g_error ("The prescription sheet lacks “%s”: %s", *want, text);
  g_assert_null (strstr (text, "not valid"));

  /* A draft is marked; no known allergies are said so. */
  rx->signed_at = 0;
  {
    g_autoptr(ClinicPrescriptionSheet) draft = clinic_prescription_sheet_new (&letterhead, patient, rx, NULL,
                                                                              CLINIC_ALLERGIES_NONE_KNOWN);

    g_assert_true (clinic_document_write_pdf (CLINIC_DOCUMENT (draft), path, CLINIC_PAPER_LETTER, &error));
    g_assert_no_error (error);
  }
  g_clear_object (&page);
  g_clear_object (&pdf);
  g_free (text);
  pdf = open_pdf (path);
  page = poppler_document_get_page (pdf, 0);
  text = page_text (page);
  g_assert_true (contains_ignoring_blanks (text, "not valid"));
  g_assert_true (contains_ignoring_blanks (text, "No known allergies"));
}

/* A doctor's day list as a PDF that poppler reads back: each appointment
 * with its time in the clinic's zone, the patient's name, date of birth
 * and chart number, the visit type, reason and status; a long day runs
 * onto more pages; an empty day says so. */
static ClinicAppointment *
day_entry (gint64                   start,
           const char              *name,
           const char              *birth,
           const char              *chart,
           const char              *reason,
           ClinicAppointmentStatus  status)
{
  ClinicAppointment *a = g_new0 (ClinicAppointment, 1);

  a->starts_at = start;
  a->ends_at = start + 1800;
  a->status = status;
  a->patient_name = g_strdup (name);
  a->patient_birth = g_strdup (birth);
  a->patient_chart = g_strdup (chart);
  a->visit_type = g_strdup ("Check-up");
  a->reason = g_strdup (reason);
  return a;
}

static void
test_day_list (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GTimeZone) berlin = g_time_zone_new_identifier ("Europe/Berlin");
  g_autoptr(GPtrArray) day = g_ptr_array_new_with_free_func ((GDestroyNotify) clinic_appointment_free);
  ClinicLetterhead letterhead = { "Lindenhof Practice", "Lindenstraße 4, 10115 Berlin", "030 555 0100" };
  g_autofree char *path = g_build_filename (f->dir, "day.pdf", NULL);
  g_autoptr(PopplerDocument) pdf = NULL;
  g_autoptr(PopplerPage) page = NULL;
  g_autofree char *text = NULL;
  gint64 nine = 1799827200; /* 2027-01-13 09:00 in Berlin (08:00 UTC) */

  g_assert_nonnull (berlin);
  g_ptr_array_add (day, day_entry (nine, "Schmidt, Paula", "1987-04-23", "C000001", "Back pain",
                                   CLINIC_APPOINTMENT_CONFIRMED));
  g_ptr_array_add (day, day_entry (nine + 1800, "Berg, Otto", "1950-01-02", "C000002", "",
                                   CLINIC_APPOINTMENT_BOOKED));
  {
    g_autoptr(ClinicDayList) list = clinic_day_list_new (&letterhead, "Dr. Weber", "2027-01-13", day, berlin);

    g_assert_cmpstr (clinic_document_get_title (CLINIC_DOCUMENT (list)), ==, "Day list Dr. Weber — 2027-01-13");
    g_assert_true (clinic_document_write_pdf (CLINIC_DOCUMENT (list), path, CLINIC_PAPER_A4, &error));
    g_assert_no_error (error);
    save_png (CLINIC_DOCUMENT (list), CLINIC_PAPER_A4, 0, "day-list-a4");
  }
  pdf = open_pdf (path);
  g_assert_cmpint (poppler_document_get_n_pages (pdf), ==, 1);
  page = poppler_document_get_page (pdf, 0);
  text = page_text (page);
  for (const char *const *want = (const char *const[]) { "Lindenhof Practice", "Day list", "Dr. Weber",
                                                         "2027-01-13", "09:00–09:30", "Schmidt, Paula",
                                                         "1987-04-23", "C000001", "Back pain", "Confirmed",
                                                         "09:30–10:00", "Berg, Otto", "1950-01-02", "C000002",
                                                         "Check-up", "Booked", NULL };
       *want != NULL; want++)
    if (!contains_ignoring_blanks (text, *want))
      g_error ("The day list lacks “%s”: %s", *want, text);
  g_assert_true (strstr (text, "Schmidt") < strstr (text, "Berg"));

  /* Forty appointments take more than one page; none is lost. */
  for (int i = 2; i < 40; i++)
    g_ptr_array_add (day, day_entry (nine + i * 1800, "Kurz, Ida", "2001-02-03", "C000003", "Follow-up",
                                     CLINIC_APPOINTMENT_BOOKED));
  {
    g_autoptr(ClinicDayList) list = clinic_day_list_new (&letterhead, "Dr. Weber", "2027-01-13", day, berlin);

    g_assert_true (clinic_document_write_pdf (CLINIC_DOCUMENT (list), path, CLINIC_PAPER_A4, &error));
    g_assert_no_error (error);
  }
  g_clear_object (&page);
  g_clear_object (&pdf);
  pdf = open_pdf (path);
  g_assert_cmpint (poppler_document_get_n_pages (pdf), >, 1);
  {
    guint found = 0;

    for (int i = 0; i < poppler_document_get_n_pages (pdf); i++)
      {
        g_autoptr(PopplerPage) p = poppler_document_get_page (pdf, i);
        g_autofree char *t = page_text (p);

        for (const char *at = t; (at = strstr (at, "Kurz, Ida")) != NULL; at++)
          found++;
      }
    g_assert_cmpuint (found, ==, 38);
  }

  /* An empty day. */
  g_ptr_array_set_size (day, 0);
  {
    g_autoptr(ClinicDayList) list = clinic_day_list_new (&letterhead, "Dr. Weber", "2027-01-14", day, berlin);

    g_assert_true (clinic_document_write_pdf (CLINIC_DOCUMENT (list), path, CLINIC_PAPER_LETTER, &error));
    g_assert_no_error (error);
  }
  g_clear_object (&page);
  g_clear_object (&pdf);
  g_free (text);
  pdf = open_pdf (path);
  page = poppler_document_get_page (pdf, 0);
  text = page_text (page);
  g_assert_true (contains_ignoring_blanks (text, "No appointments on this day."));
}

static void
test_paper (void)
{
  double width, height;

  clinic_paper_get_size (CLINIC_PAPER_A4, &width, &height);
  g_assert_cmpfloat_with_epsilon (width, 595.28, 0.01);
  g_assert_cmpfloat_with_epsilon (height, 841.89, 0.01);
  clinic_paper_get_size (CLINIC_PAPER_LETTER, &width, &height);
  g_assert_cmpfloat (width, ==, 612);
  g_assert_cmpfloat (height, ==, 792);

  g_assert_cmpstr (clinic_paper_get_pwg_name (CLINIC_PAPER_A4), ==, "iso_a4");
  g_assert_cmpstr (clinic_paper_get_pwg_name (CLINIC_PAPER_LETTER), ==, "na_letter");
  g_assert_cmpstr (clinic_paper_get_display_name (CLINIC_PAPER_LETTER), ==, "US Letter");
  g_assert_cmpint (clinic_paper_get_default (), <, CLINIC_N_PAPERS);
}

int
main (int   argc,
      char *argv[])
{
  /* English, whatever the machine's language: the test reads the text. */
  g_setenv ("LANGUAGE", "en", TRUE);
  setlocale (LC_ALL, "C.UTF-8");
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/document/paper", test_paper);
  g_test_add ("/document/day-list", Fixture, NULL,
              fixture_set_up, test_day_list, fixture_tear_down);
  g_test_add ("/document/prescription-sheet", Fixture, NULL,
              fixture_set_up, test_prescription_sheet, fixture_tear_down);
  g_test_add ("/document/recovery-sheet/a4", Fixture, NULL,
              fixture_set_up, test_sheet_a4, fixture_tear_down);
  g_test_add ("/document/recovery-sheet/letter", Fixture, NULL,
              fixture_set_up, test_sheet_letter, fixture_tear_down);
  g_test_add ("/document/recovery-sheet/long-name", Fixture, NULL,
              fixture_set_up, test_sheet_long_name, fixture_tear_down);
  g_test_add_func ("/document/recovery-sheet/png", test_sheet_png);
  g_test_add_func ("/document/recovery-sheet/rejects-bad-key", test_sheet_rejects_bad_key);
  g_test_add ("/document/write-pdf/missing-folder", Fixture, NULL,
              fixture_set_up, test_write_missing_folder, fixture_tear_down);
  g_test_add ("/document/write-pdf/read-only-folder", Fixture, NULL,
              fixture_set_up, test_write_read_only_folder, fixture_tear_down);
  g_test_add ("/document/write-pdf/replaces", Fixture, NULL,
              fixture_set_up, test_write_replaces, fixture_tear_down);
  g_test_add ("/document/render-pdf", Fixture, NULL,
              fixture_set_up, test_render_pdf, fixture_tear_down);
  g_test_add ("/document/flow/pages", Fixture, NULL,
              fixture_set_up, test_flow_pages, fixture_tear_down);

  return g_test_run ();
}
