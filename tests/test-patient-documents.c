/* test-patient-documents.c — the documents of a patient's chart, on screen
 *
 * Over a real database: a PDF and a picture added through the core show
 * as rows; each opens (the PDF in the in-app preview, drawn by poppler,
 * the picture scaled); Remove asks first and then removes; a session
 * that may only read the chart sees no Add nor Remove; every control is
 * named. Screenshots go to the test output folder.
 */

#include "config.h"

#include <sodium.h>

#include "clinic-document-preview.h"
#include "clinic-documents.h"
#include "clinic-patient-documents.h"
#include "clinic-patients.h"
#include "clinic-recovery-sheet.h"
#include "clinic-test-db.h"
#include "clinic-test-ui.h"
#include "clinic-users.h"

#define PASSWORD "lantern over the quiet bay"

static const ClinicCredentials creds = { "admin", PASSWORD, NULL, &CLINIC_KDF_LIMITS_TEST };

typedef struct
{
  char          *dir;
  ClinicDb      *db;
  ClinicSession *admin;
  gint64         patient_id;
  gint64         pdf_id;
  gint64         png_id;
  GBytes        *png;
} Fixture;

#define TEST_KEY "VWT26-DG478-D06YT-K3PQ9-MN2XA-7HJRB-C5EZW-Q8T4V-1GS9F-YB6KD-P0RMX-2WNHC-T7ZJ3-A4EV8"

/* A one-page PDF from the document module (a recovery sheet with a made-up
 * key will do: any PDF the clinic might scan). */
static GBytes *
make_pdf (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(ClinicRecoverySheet) sheet = clinic_recovery_sheet_new ("Harbour Practice", "/srv/clinic.db",
                                                                     now, TEST_KEY);
  GBytes *pdf = clinic_document_render_pdf (CLINIC_DOCUMENT (sheet), CLINIC_PAPER_A4, &error);

  g_assert_no_error (error);
  return pdf;
}

/* A 200 × 120 picture, blue with a white square. */
static GBytes *
make_png (void)
{
  g_autoptr(GBytes) pixels = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  guint8 *data = g_malloc (200 * 120 * 3);

  for (guint y = 0; y < 120; y++)
    for (guint x = 0; x < 200; x++)
      {
        gboolean square = x >= 70 && x < 130 && y >= 30 && y < 90;
        guint8 *p = data + (y * 200 + x) * 3;

        p[0] = square ? 255 : 26;
        p[1] = square ? 255 : 77;
        p[2] = square ? 255 : 178;
      }
  pixels = g_bytes_new_take (data, 200 * 120 * 3);
  texture = gdk_memory_texture_new (200, 120, GDK_MEMORY_R8G8B8, pixels, 200 * 3);

  return gdk_texture_save_to_png_bytes (texture);
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *recovery = NULL;
  g_autofree char *path = NULL;
  g_autoptr(ClinicPatient) p = clinic_test_patient_new ("Schmidt", "Paula", "1975-04-12", "030 555 0142");
  g_autoptr(GBytes) pdf = make_pdf ();
  ClinicDb *created;

  f->dir = g_dir_make_tmp ("clinic-patient-documents-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (f->dir, "clinic.db", NULL);
  created = clinic_db_create (path, "Harbour Practice", &creds, &recovery, &error);
  g_assert_no_error (error);
  g_object_unref (created);
  f->db = clinic_db_open (path, &creds, &error);
  g_assert_no_error (error);
  f->admin = clinic_session_start (f->db, &error);
  g_assert_no_error (error);
  f->patient_id = clinic_patients_create (f->admin, p, FALSE, &error);
  g_assert_no_error (error);

  f->png = make_png ();
  f->pdf_id = clinic_documents_add (f->admin, f->patient_id, "Referral letter", "application/pdf", pdf, &error);
  g_assert_no_error (error);
  f->png_id = clinic_documents_add (f->admin, f->patient_id, "Wound, 3 days after", NULL, f->png, &error);
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_clear_object (&f->admin);
  g_clear_object (&f->db);
  g_clear_pointer (&f->png, g_bytes_unref);
  clinic_test_remove_tree (f->dir);
  g_free (f->dir);
}

static GtkWidget *
show_documents (ClinicSession *session,
                gint64         patient_id)
{
  GtkWidget *window = gtk_window_new ();
  GtkWidget *documents = clinic_patient_documents_new (session, patient_id);

  gtk_widget_set_margin_top (documents, 12);
  gtk_widget_set_margin_bottom (documents, 12);
  gtk_widget_set_margin_start (documents, 12);
  gtk_widget_set_margin_end (documents, 12);
  gtk_window_set_default_size (GTK_WINDOW (window), 640, 360);
  gtk_window_set_child (GTK_WINDOW (window), documents);
  gtk_window_present (GTK_WINDOW (window));
  clinic_test_wait_for_draw (window);

  return documents;
}

static guint
count_rows (GtkWidget *documents)
{
  GtkWidget *list = clinic_test_find_widget (documents, GTK_TYPE_LIST_BOX);
  guint n = 0;

  for (GtkWidget *row = gtk_widget_get_first_child (list); row != NULL; row = gtk_widget_get_next_sibling (row))
    if (GTK_IS_LIST_BOX_ROW (row))
      n++;

  return n;
}

/* The buttons under @root whose tooltip is @tooltip. */
static guint
count_buttons (GtkWidget  *root,
               const char *tooltip)
{
  guint n = GTK_IS_BUTTON (root) && g_strcmp0 (gtk_widget_get_tooltip_text (root), tooltip) == 0
            && gtk_widget_get_visible (root);

  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    n += count_buttons (child, tooltip);

  return n;
}

static GtkWidget *
find_button (GtkWidget  *root,
             const char *tooltip)
{
  if (GTK_IS_BUTTON (root) && g_strcmp0 (gtk_widget_get_tooltip_text (root), tooltip) == 0)
    return root;

  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_button (child, tooltip);

      if (found != NULL)
        return found;
    }

  return NULL;
}

static void
test_list_and_open (Fixture       *f,
                    gconstpointer  data)
{
  GtkWidget *documents = show_documents (f->admin, f->patient_id);
  GtkWindow *pdf_window;
  GtkWindow *png_window;
  GtkWidget *preview;
  GtkWidget *picture;
  g_autofree char *shot = NULL;

  g_assert_cmpuint (count_rows (documents), ==, 2);
  g_assert_cmpuint (count_buttons (documents, "Remove"), ==, 2);
  g_assert_true (gtk_widget_get_visible (find_button (documents, "Attach a PDF or a picture to the chart")));
  clinic_test_assert_all_named (gtk_widget_get_ancestor (documents, GTK_TYPE_WINDOW), TRUE);
  shot = clinic_test_save_screenshot (documents, "patient-documents");
  g_clear_pointer (&shot, g_free);

  /* The PDF: in the preview, its one page, drawn by poppler. */
  pdf_window = clinic_patient_documents_open (CLINIC_PATIENT_DOCUMENTS (documents), f->pdf_id);
  g_assert_nonnull (pdf_window);
  g_assert_cmpstr (gtk_window_get_title (pdf_window), ==, "Referral letter");
  preview = clinic_test_find_widget (GTK_WIDGET (pdf_window), CLINIC_TYPE_DOCUMENT_PREVIEW);
  g_assert_nonnull (preview);
  g_assert_cmpuint (clinic_document_preview_get_n_pages (CLINIC_DOCUMENT_PREVIEW (preview)), ==, 1);
  clinic_test_wait_for_draw (GTK_WIDGET (pdf_window));
  clinic_test_assert_all_named (GTK_WIDGET (pdf_window), TRUE);
  shot = clinic_test_save_screenshot (GTK_WIDGET (pdf_window), "patient-document-pdf");
  g_clear_pointer (&shot, g_free);

  /* The picture: scaled, whole. */
  png_window = clinic_patient_documents_open (CLINIC_PATIENT_DOCUMENTS (documents), f->png_id);
  g_assert_nonnull (png_window);
  picture = clinic_test_find_widget (GTK_WIDGET (png_window), GTK_TYPE_PICTURE);
  g_assert_nonnull (picture);
  g_assert_cmpint (gtk_picture_get_content_fit (GTK_PICTURE (picture)), ==, GTK_CONTENT_FIT_CONTAIN);
  g_assert_cmpint (gdk_paintable_get_intrinsic_width (gtk_picture_get_paintable (GTK_PICTURE (picture))), ==, 200);
  clinic_test_wait_for_draw (GTK_WIDGET (png_window));
  shot = clinic_test_save_screenshot (GTK_WIDGET (png_window), "patient-document-picture");

  /* Each opening is audited. */
  g_assert_cmpint (clinic_test_query_int (f->db, "SELECT count(*) FROM audit_log WHERE action = 'document.read'"),
                   ==, 2);

  gtk_window_destroy (png_window);
  gtk_window_destroy (pdf_window);
  gtk_window_destroy (GTK_WINDOW (gtk_widget_get_root (documents)));
}

static void
test_remove_asks_first (Fixture       *f,
                        gconstpointer  data)
{
  GtkWidget *documents = show_documents (f->admin, f->patient_id);
  GtkWidget *remove = find_button (documents, "Remove");
  GtkWindow *dialog;

  g_assert_nonnull (remove);
  g_signal_emit_by_name (remove, "clicked");
  clinic_test_spin (100);
  dialog = clinic_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG);
  g_assert_nonnull (dialog);
  clinic_test_assert_all_named (GTK_WIDGET (dialog), TRUE);

  /* Cancel keeps it. */
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  clinic_test_spin (100);
  g_assert_cmpuint (count_rows (documents), ==, 2);

  g_signal_emit_by_name (find_button (documents, "Remove"), "clicked");
  clinic_test_spin (100);
  dialog = clinic_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG);
  g_assert_nonnull (dialog);
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "remove");
  clinic_test_spin (100);
  g_assert_cmpuint (count_rows (documents), ==, 1);
  g_assert_cmpint (clinic_test_query_int (f->db, "SELECT count(*) FROM patient_documents"), ==, 1);

  gtk_window_destroy (GTK_WINDOW (gtk_widget_get_root (documents)));
}

/* A role that reads the chart but may not write it. */
static void
test_read_only (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClinicSession) reader = NULL;
  GtkWidget *documents;
  gint64 role;

  role = clinic_roles_create (f->admin, "Chart readers", &error);
  g_assert_no_error (error);
  clinic_roles_set_permission (f->admin, role, CLINIC_PERMISSION_CHART_READ, TRUE, &error);
  g_assert_no_error (error);
  clinic_users_create (f->admin, "reader", "Rita Reader", CLINIC_USER_STAFF, role, PASSWORD,
                       &CLINIC_KDF_LIMITS_TEST, &error);
  g_assert_no_error (error);
  reader = clinic_session_sign_in (f->db, "reader", PASSWORD, &error);
  g_assert_no_error (error);

  documents = show_documents (reader, f->patient_id);
  g_assert_cmpuint (count_rows (documents), ==, 2);
  g_assert_cmpuint (count_buttons (documents, "Remove"), ==, 0);
  g_assert_false (gtk_widget_get_visible (find_button (documents, "Attach a PDF or a picture to the chart")));
  clinic_test_assert_all_named (gtk_widget_get_ancestor (documents, GTK_TYPE_WINDOW), TRUE);

  gtk_window_destroy (GTK_WINDOW (gtk_widget_get_root (documents)));
}

static void
test_photo_texture (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GdkTexture) none = clinic_patient_photo_texture (f->admin, f->patient_id);
  g_autoptr(GdkTexture) photo = NULL;

  g_assert_null (none);
  clinic_patients_set_photo (f->admin, f->patient_id, f->png, &error);
  g_assert_no_error (error);
  photo = clinic_patient_photo_texture (f->admin, f->patient_id);
  g_assert_nonnull (photo);
  g_assert_cmpint (gdk_texture_get_width (photo), ==, 200);
  g_assert_cmpint (gdk_texture_get_height (photo), ==, 120);
}

int
main (int   argc,
      char *argv[])
{
  clinic_test_ui_init (&argc, &argv);
  g_assert_true (sodium_init () >= 0);
  clinic_keys_allow_test_limits (TRUE);

  g_test_add ("/patient-documents/list-and-open", Fixture, NULL, fixture_set_up, test_list_and_open,
              fixture_tear_down);
  g_test_add ("/patient-documents/remove-asks-first", Fixture, NULL, fixture_set_up,
              test_remove_asks_first, fixture_tear_down);
  g_test_add ("/patient-documents/read-only", Fixture, NULL, fixture_set_up, test_read_only,
              fixture_tear_down);
  g_test_add ("/patient-documents/photo-texture", Fixture, NULL, fixture_set_up, test_photo_texture,
              fixture_tear_down);

  return g_test_run ();
}
