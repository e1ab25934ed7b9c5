/* test-attachments.c — attachments and the patient's documents
 *
 * Files beside the database come back byte for byte whatever their size,
 * refuse to open when changed, cut off, swapped or foreign, leave nothing
 * behind when their transaction rolls back, survive backup → restore and
 * rekey (also a rekey or restore killed at random moments), are checked
 * by verify,
 * and never hold a byte of the content in the clear.
 *
 * CLINIC_CRASH_ROUNDS sets the number of kills (default 200, of which a
 * tenth here; the slow suite runs more).
 */

#include "config.h"

#include <glib/gstdio.h>
#include <signal.h>
#include <sodium.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "clinic-attachments.h"
#include "clinic-documents.h"
#include "clinic-paths.h"
#include "clinic-storage.h"
#include "clinic-test-db.h"
#include "clinic-users.h"

#define PASSWORD "willow under the harbour light"
#define CANARY   "CANARY-4e1d-DOCUMENT-Schmidt"
#define CHUNK    (64 * 1024)

static const ClinicCredentials creds = { "admin", PASSWORD, NULL, &CLINIC_KDF_LIMITS_TEST };
static const char *const canaries[] = { CANARY, NULL };

typedef struct
{
  char          *dir;
  char          *path;
  char          *files;
  char          *recovery;
  ClinicDb      *db;
  ClinicSession *admin;
  gint64         patient_id;
} Fixture;

static void
open_db (Fixture *f)
{
  g_autoptr(GError) error = NULL;

  f->db = clinic_db_open (f->path, &creds, &error);
  g_assert_no_error (error);
  f->admin = clinic_session_start (f->db, &error);
  g_assert_no_error (error);
}

static void
close_db (Fixture *f)
{
  g_clear_object (&f->admin);
  g_clear_object (&f->db);
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClinicPatient) p = clinic_test_patient_new ("Schmidt", "Paula", "1975-04-12", "030 555 0142");
  ClinicDb *created;

  f->dir = g_dir_make_tmp ("clinic-attachments-XXXXXX", &error);
  g_assert_no_error (error);
  f->path = g_build_filename (f->dir, "clinic.db", NULL);
  f->files = clinic_paths_get_files_dir (f->path);
  created = clinic_db_create (f->path, "Harbour Practice", &creds, &f->recovery, &error);
  g_assert_no_error (error);
  g_object_unref (created);
  open_db (f);

  f->patient_id = clinic_patients_create (f->admin, p, FALSE, &error);
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  close_db (f);
  clinic_test_remove_tree (f->dir);
  g_free (f->dir);
  g_free (f->path);
  g_free (f->files);
  g_free (f->recovery);
}

/* @len bytes: @magic first, then the canary, then random bytes. */
static GBytes *
make_content (const char *magic,
              gsize       len)
{
  guint8 *data = g_malloc (MAX (len, 1));
  gsize magic_len = strlen (magic);

  randombytes_buf (data, len);
  if (len >= magic_len + strlen (CANARY))
    {
      memcpy (data, magic, magic_len);
      memcpy (data + magic_len, CANARY, strlen (CANARY));
    }

  return g_bytes_new_take (data, len);
}

static GBytes *
make_pdf (gsize len)
{
  return make_content ("%PDF-1.4\n", len);
}

static GBytes *
make_png (gsize len)
{
  return make_content ("\x89PNG\r\n\x1a\n", len);
}

/* Stores @content as an attachment in a transaction of its own. */
static char *
store (ClinicDb *db,
       GBytes   *content)
{
  g_autoptr(GError) error = NULL;
  char *id;

  clinic_db_begin_write (db, &error);
  g_assert_no_error (error);
  id = clinic_attachments_store (db, content, "application/octet-stream", 0, &error);
  g_assert_no_error (error);
  clinic_db_commit (db, &error);
  g_assert_no_error (error);

  return id;
}

static void
assert_reads_back (ClinicDb   *db,
                   const char *id,
                   GBytes     *expected)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) back = clinic_attachments_read (db, id, &error);

  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (back, expected));
}

static void
assert_damaged (ClinicDb   *db,
                const char *id,
                const char *what)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) back = clinic_attachments_read (db, id, &error);

  if (back != NULL)
    g_error ("An attachment %s still opened", what);
  g_assert_error (error, CLINIC_DB_ERROR, CLINIC_DB_ERROR_DAMAGED);
  g_assert_nonnull (strstr (error->message, id));
  g_test_message ("%s: %s", what, error->message);
}

static char *
file_of (Fixture    *f,
         const char *id)
{
  return g_build_filename (f->files, id, NULL);
}

/* --- The encrypted files ----------------------------------------------- */

static void
test_round_trip (Fixture       *f,
                 gconstpointer  data)
{
  const gsize sizes[] = {
    0, 1, 17, CHUNK - 1, CHUNK, CHUNK + 1, 2 * CHUNK - 1, 2 * CHUNK, 2 * CHUNK + 1,
    g_random_int_range (1, 10 * CHUNK), 5 * 1024 * 1024 + 3,
  };

  for (gsize i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      g_autoptr(GBytes) content = make_pdf (sizes[i]);
      g_autofree char *id = store (f->db, content);
      g_autofree char *file = file_of (f, id);
      GStatBuf st;

      g_assert_true (clinic_attachment_id_is_valid (id));
      assert_reads_back (f->db, id, content);
      /* Header, and a tag per chunk of up to 64 KiB (one, empty, for no
       * content): the last one is FINAL whatever its length. */
      g_assert_cmpint (g_stat (file, &st), ==, 0);
      g_assert_cmpint (st.st_size, ==, 32 + sizes[i] + 17 * MAX (1, (sizes[i] + CHUNK - 1) / CHUNK));
      g_assert_cmpint (st.st_mode & 0777, ==, 0600);
      g_assert_cmpint (clinic_test_query_int (f->db, "SELECT count(*) FROM attachments"), ==, i + 1);
    }
}

static void
test_tampering (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GBytes) content = make_pdf (2 * CHUNK + 100);
  g_autoptr(GBytes) other = make_pdf (500);
  g_autofree char *id = store (f->db, content);
  g_autofree char *other_id = store (f->db, other);
  g_autofree char *file = file_of (f, id);
  g_autofree char *other_file = file_of (f, other_id);
  g_autofree char *original = NULL;
  g_autofree char *other_original = NULL;
  gsize len = 0;
  gsize other_len = 0;

  g_assert_true (g_file_get_contents (file, &original, &len, NULL));
  g_assert_true (g_file_get_contents (other_file, &other_original, &other_len, NULL));

  /* One bit anywhere: the header, a middle chunk, the last tag. */
  {
    const gsize places[] = { 3, 20, 40, CHUNK + 500, len - 1 };

    for (gsize i = 0; i < G_N_ELEMENTS (places); i++)
      {
        g_autofree char *changed = g_memdup2 (original, len);

        changed[places[i]] ^= 0x04;
        g_assert_true (g_file_set_contents (file, changed, len, NULL));
        assert_damaged (f->db, id, "with a flipped bit");
      }
  }

  /* Cut off: inside the last chunk, and exactly after a whole chunk (so
   * only the missing FINAL tag tells). */
  g_assert_true (g_file_set_contents (file, original, len - 10, NULL));
  assert_damaged (f->db, id, "cut inside its last chunk");
  g_assert_true (g_file_set_contents (file, original, 32 + 2 * (CHUNK + 17), NULL));
  assert_damaged (f->db, id, "cut at a chunk boundary");
  g_assert_true (g_file_set_contents (file, original, 32, NULL));
  assert_damaged (f->db, id, "cut after its header");

  /* Something appended after the end. */
  {
    g_autofree char *longer = g_malloc (len + 1);

    memcpy (longer, original, len);
    longer[len] = 'x';
    g_assert_true (g_file_set_contents (file, longer, len + 1, NULL));
    assert_damaged (f->db, id, "with a byte appended");
  }

  /* Two files swapped: each is bound to its own id. */
  g_assert_true (g_file_set_contents (file, other_original, other_len, NULL));
  g_assert_true (g_file_set_contents (other_file, original, len, NULL));
  assert_damaged (f->db, id, "swapped with another");
  assert_damaged (f->db, other_id, "swapped with another");

  /* Missing. */
  g_assert_cmpint (g_unlink (file), ==, 0);
  assert_damaged (f->db, id, "missing");

  /* Put back, both open again: the checks above were the only trouble. */
  g_assert_true (g_file_set_contents (file, original, len, NULL));
  g_assert_true (g_file_set_contents (other_file, other_original, other_len, NULL));
  assert_reads_back (f->db, id, content);
  assert_reads_back (f->db, other_id, other);
}

/* A file from another database, under this database's id, does not open:
 * another key. */
static void
test_foreign_file (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *recovery = NULL;
  g_autofree char *other_path = g_build_filename (f->dir, "other.db", NULL);
  g_autoptr(GBytes) content = make_pdf (1000);
  g_autofree char *id = store (f->db, content);
  g_autofree char *file = file_of (f, id);
  g_autoptr(ClinicDb) other = clinic_db_create (other_path, "Other Practice", &creds, &recovery, &error);
  g_autofree char *other_dir = clinic_paths_get_files_dir (other_path);
  g_autofree char *other_id = NULL;
  g_autofree char *other_file = NULL;
  g_autofree char *foreign = NULL;
  gsize len = 0;

  g_assert_no_error (error);
  other_id = store (other, content);
  other_file = g_build_filename (other_dir, other_id, NULL);
  g_assert_true (g_file_get_contents (other_file, &foreign, &len, NULL));

  /* Renamed to the id here, the file still does not open. */
  g_assert_true (g_file_set_contents (file, foreign, len, NULL));
  assert_damaged (f->db, id, "from another database");
}

static void
test_rollback_removes_file (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) content = make_pdf (3000);
  g_autoptr(GPtrArray) left = NULL;
  g_autofree char *id = NULL;
  g_autofree char *file = NULL;

  clinic_db_begin_write (f->db, &error);
  g_assert_no_error (error);
  id = clinic_attachments_store (f->db, content, "application/pdf", 0, &error);
  g_assert_no_error (error);
  file = file_of (f, id);
  /* Written and synced before the row. */
  g_assert_true (g_file_test (file, G_FILE_TEST_EXISTS));
  clinic_db_rollback (f->db);
  clinic_attachments_discard (f->db, id);

  g_assert_false (g_file_test (file, G_FILE_TEST_EXISTS));
  g_assert_cmpint (clinic_test_query_int (f->db, "SELECT count(*) FROM attachments"), ==, 0);

  /* A document refused after its checks leaves no file either. */
  g_assert_cmpint (clinic_documents_add (f->admin, f->patient_id + 1000, "Nobody's", NULL, content,
                                         &error), ==, 0);
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_NOT_FOUND);
  left = clinic_attachments_list_folder (f->files);
  g_assert_cmpuint (left->len, ==, 0);
}

/* --- Documents --------------------------------------------------------- */

static gint64
add_document (Fixture    *f,
              const char *title,
              GBytes     *content)
{
  g_autoptr(GError) error = NULL;
  gint64 id = clinic_documents_add (f->admin, f->patient_id, title, NULL, content, &error);

  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);
  return id;
}

static void
assert_document (Fixture *f,
                 gint64   id,
                 GBytes  *expected)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) back = clinic_documents_read (f->admin, id, &error);

  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (back, expected));
}

static gint64
count_audit (Fixture    *f,
             const char *action)
{
  g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM audit_log WHERE action = '%s'", action);

  return clinic_test_query_int (f->db, sql);
}

static void
expect_invalid (Fixture    *f,
                const char *title,
                const char *media_type,
                GBytes     *content,
                const char *what)
{
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (clinic_documents_add (f->admin, f->patient_id, title, media_type, content, &error),
                   ==, 0);
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_INVALID);
  g_test_message ("%s: %s", what, error->message);
}

static void
test_documents (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) pdf = make_pdf (40000);
  g_autoptr(GBytes) png = make_png (7000);
  g_autoptr(GBytes) jpeg = g_bytes_new_static ("\xff\xd8\xff\xe0 a jpeg", 11);
  g_autoptr(GBytes) webp = g_bytes_new_static ("RIFF\x10\0\0\0WEBPVP8 ", 16);
  g_autoptr(GBytes) text = g_bytes_new_static ("plain text, not a document", 26);
  g_autoptr(GBytes) empty = g_bytes_new_static ("", 0);
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(GPtrArray) files = NULL;
  ClinicPatientDocument *d;
  gint64 pdf_id, png_id;

  pdf_id = add_document (f, "  Referral letter\n", pdf);
  png_id = add_document (f, "Wound photo", png);
  add_document (f, "JPEG", jpeg);
  add_document (f, "WebP", webp);

  list = clinic_documents_list (f->admin, f->patient_id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 4);
  /* Newest first (same second: the later id). */
  d = g_ptr_array_index (list, 3);
  g_assert_cmpint (d->id, ==, pdf_id);
  g_assert_cmpstr (d->title, ==, "Referral letter");
  g_assert_cmpstr (d->media_type, ==, "application/pdf");
  g_assert_true (clinic_patient_document_is_pdf (d));
  g_assert_cmpint (d->size, ==, 40000);
  g_assert_cmpstr (d->added_by, ==, clinic_session_get_display_name (f->admin));
  g_assert_cmpint (d->patient_id, ==, f->patient_id);
  d = g_ptr_array_index (list, 2);
  g_assert_cmpstr (d->media_type, ==, "image/png");
  g_assert_cmpstr (((ClinicPatientDocument *) g_ptr_array_index (list, 1))->media_type, ==, "image/jpeg");
  g_assert_cmpstr (((ClinicPatientDocument *) g_ptr_array_index (list, 0))->media_type, ==, "image/webp");

  assert_document (f, pdf_id, pdf);
  assert_document (f, png_id, png);
  g_assert_cmpint (count_audit (f, "document.added"), ==, 4);
  g_assert_cmpint (count_audit (f, "document.read"), ==, 2);
  /* Ids in the audit trail, never titles. */
  g_assert_cmpint (clinic_test_query_int (f->db,
                                          "SELECT count(*) FROM audit_log WHERE "
                                          "coalesce (old_value, '') || coalesce (new_value, '') || "
                                          "coalesce (object_id, '') LIKE '%Referral%'"), ==, 0);

  /* Bad input: refused with a reason, nothing stored. */
  expect_invalid (f, "Notes", NULL, text, "text");
  expect_invalid (f, "Nothing", NULL, empty, "empty");
  expect_invalid (f, "   ", NULL, pdf, "blank title");
  expect_invalid (f, "Mislabelled", "image/png", pdf, "declared type differs");
  {
    g_autofree char *long_title = g_strnfill (201, 'a');

    expect_invalid (f, long_title, NULL, pdf, "long title");
  }
  {
    gsize big_len = CLINIC_DOCUMENT_MAX_SIZE + 1;
    guint8 *big_data = g_malloc0 (big_len);
    g_autoptr(GBytes) big = NULL;

    memcpy (big_data, "%PDF-1.4", 8);
    big = g_bytes_new_take (big_data, big_len);
    expect_invalid (f, "Huge", NULL, big, "too large");
  }
  g_assert_cmpint (clinic_test_query_int (f->db, "SELECT count(*) FROM patient_documents"), ==, 4);
  files = clinic_attachments_list_folder (f->files);
  g_assert_cmpuint (files->len, ==, 4);

  /* Removal: the row, the attachment and then the file go. */
  g_assert_true (clinic_documents_remove (f->admin, pdf_id, &error));
  g_assert_no_error (error);
  g_assert_null (clinic_documents_read (f->admin, pdf_id, &error));
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (clinic_documents_remove (f->admin, pdf_id, &error));
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_cmpint (count_audit (f, "document.removed"), ==, 1);
  g_assert_cmpint (clinic_test_query_int (f->db, "SELECT count(*) FROM attachments"), ==, 3);
  g_clear_pointer (&files, g_ptr_array_unref);
  files = clinic_attachments_list_folder (f->files);
  g_assert_cmpuint (files->len, ==, 3);
  assert_document (f, png_id, png);

  /* Unknown patient. */
  g_assert_null (clinic_documents_list (f->admin, f->patient_id + 99, &error));
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_NOT_FOUND);
}

static void
test_photo (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) png = make_png (3000);
  g_autoptr(GBytes) jpeg = make_content ("\xff\xd8\xff\xe0", 5000);
  g_autoptr(GBytes) pdf = make_pdf (3000);
  g_autoptr(GBytes) big = make_png (CLINIC_PHOTO_MAX_SIZE + 1);
  g_autoptr(GBytes) none = clinic_patients_dup_photo (f->admin, f->patient_id, &error);
  g_autoptr(GPtrArray) files = NULL;

  g_assert_no_error (error);
  g_assert_null (none);

  g_assert_true (clinic_patients_set_photo (f->admin, f->patient_id, png, &error));
  g_assert_no_error (error);
  {
    g_autoptr(GBytes) back = clinic_patients_dup_photo (f->admin, f->patient_id, &error);

    g_assert_no_error (error);
    g_assert_true (g_bytes_equal (back, png));
  }

  /* Replaced: the old file goes. */
  g_assert_true (clinic_patients_set_photo (f->admin, f->patient_id, jpeg, &error));
  g_assert_no_error (error);
  {
    g_autoptr(GBytes) back = clinic_patients_dup_photo (f->admin, f->patient_id, &error);

    g_assert_no_error (error);
    g_assert_true (g_bytes_equal (back, jpeg));
  }
  files = clinic_attachments_list_folder (f->files);
  g_assert_cmpuint (files->len, ==, 1);

  /* Not a picture, too large: refused, the photo stays. */
  g_assert_false (clinic_patients_set_photo (f->admin, f->patient_id, pdf, &error));
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (clinic_patients_set_photo (f->admin, f->patient_id, big, &error));
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_INVALID);
  g_clear_error (&error);

  /* Removed. */
  g_assert_true (clinic_patients_set_photo (f->admin, f->patient_id, NULL, &error));
  g_assert_no_error (error);
  g_assert_null (clinic_patients_dup_photo (f->admin, f->patient_id, &error));
  g_assert_no_error (error);
  g_clear_pointer (&files, g_ptr_array_unref);
  files = clinic_attachments_list_folder (f->files);
  g_assert_cmpuint (files->len, ==, 0);
  g_assert_cmpint (count_audit (f, "patient.photo-set"), ==, 2);
  g_assert_cmpint (count_audit (f, "patient.photo-removed"), ==, 1);
}

/* A patient's session reads its own documents and photo, not another's. */
static void
test_patient_scope (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClinicPatient) other = clinic_test_patient_new ("Weber", "Jonas", "1990-01-01", "");
  g_autoptr(GPtrArray) roles = clinic_roles_list (f->admin, &error);
  g_autoptr(GBytes) pdf = make_pdf (2000);
  g_autoptr(GBytes) png = make_png (2000);
  g_autoptr(ClinicSession) patient = NULL;
  gint64 other_id, own_doc, other_doc, user_id;

  g_assert_no_error (error);
  other_id = clinic_patients_create (f->admin, other, FALSE, &error);
  g_assert_no_error (error);
  own_doc = add_document (f, "Own", pdf);
  other_doc = clinic_documents_add (f->admin, other_id, "Other's", NULL, pdf, &error);
  g_assert_no_error (error);
  clinic_patients_set_photo (f->admin, f->patient_id, png, &error);
  g_assert_no_error (error);
  clinic_patients_set_photo (f->admin, other_id, png, &error);
  g_assert_no_error (error);

  /* A clinic that lets patients see their chart grants chart.read. */
  for (guint i = 0; i < roles->len; i++)
    {
      ClinicRole *role = g_ptr_array_index (roles, i);

      if (g_strcmp0 (role->builtin, "patient") == 0)
        clinic_roles_set_permission (f->admin, role->id, CLINIC_PERMISSION_CHART_READ, TRUE, &error);
      g_assert_no_error (error);
    }
  user_id = clinic_users_create (f->admin, "paula", "Paula Schmidt", CLINIC_USER_PATIENT, 0, PASSWORD,
                                 &CLINIC_KDF_LIMITS_TEST, &error);
  g_assert_no_error (error);
  clinic_patients_link_account (f->admin, f->patient_id, user_id, &error);
  g_assert_no_error (error);
  patient = clinic_session_sign_in (f->db, "paula", PASSWORD, &error);
  g_assert_no_error (error);

  {
    g_autoptr(GPtrArray) list = clinic_documents_list (patient, f->patient_id, &error);
    g_autoptr(GBytes) content = NULL;
    g_autoptr(GBytes) photo = NULL;

    g_assert_no_error (error);
    g_assert_cmpuint (list->len, ==, 1);
    content = clinic_documents_read (patient, own_doc, &error);
    g_assert_no_error (error);
    g_assert_true (g_bytes_equal (content, pdf));
    photo = clinic_patients_dup_photo (patient, f->patient_id, &error);
    g_assert_no_error (error);
    g_assert_true (g_bytes_equal (photo, png));
  }

  g_assert_null (clinic_documents_list (patient, other_id, &error));
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_PERMISSION_DENIED);
  g_clear_error (&error);
  g_assert_null (clinic_documents_read (patient, other_doc, &error));
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_PERMISSION_DENIED);
  g_clear_error (&error);
  g_assert_null (clinic_patients_dup_photo (patient, other_id, &error));
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_PERMISSION_DENIED);
  g_clear_error (&error);
  /* Adding is staff work, even to one's own chart. */
  g_assert_cmpint (clinic_documents_add (patient, f->patient_id, "Mine", NULL, pdf, &error), ==, 0);
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_PERMISSION_DENIED);
}

/* --- Backup, restore, rekey, verify ------------------------------------ */

typedef struct
{
  gint64  id;
  GBytes *content;
} Kept;

static void
kept_clear (Kept *k)
{
  g_bytes_unref (k->content);
}

/* Documents of varied sizes and a photo, each holding the canary. */
static GArray *
add_some (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  GArray *kept = g_array_new (FALSE, FALSE, sizeof (Kept));
  const gsize sizes[] = { 100, CHUNK, CHUNK + 1, 300000 };
  g_autoptr(GBytes) photo = make_png (4000);

  g_array_set_clear_func (kept, (GDestroyNotify) kept_clear);
  for (gsize i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      Kept k = { 0, make_pdf (sizes[i]) };

      k.id = add_document (f, "Scan", k.content);
      g_array_append_val (kept, k);
    }
  clinic_patients_set_photo (f->admin, f->patient_id, photo, &error);
  g_assert_no_error (error);
  {
    Kept k = { 0, g_bytes_ref (photo) };

    g_array_append_val (kept, k);
  }

  return kept;
}

static void
assert_all_back (Fixture *f,
                 GArray  *kept)
{
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < kept->len; i++)
    {
      Kept *k = &g_array_index (kept, Kept, i);

      if (k->id != 0)
        assert_document (f, k->id, k->content);
      else
        {
          g_autoptr(GBytes) photo = clinic_patients_dup_photo (f->admin, f->patient_id, &error);

          g_assert_no_error (error);
          g_assert_true (g_bytes_equal (photo, k->content));
        }
    }
}

static void
test_backup_restore (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) kept = add_some (f);
  g_autofree char *backup = g_build_filename (f->dir, "docs.clinicbackup", NULL);
  g_autofree char *pre_restore = g_strconcat (f->path, ".pre-restore.files", NULL);
  g_autoptr(GBytes) later = make_pdf (5000);
  g_autoptr(GPtrArray) before = clinic_attachments_list_folder (f->files);
  g_autoptr(GPtrArray) after = NULL;
  g_autoptr(GPtrArray) aside = NULL;
  g_autoptr(GPtrArray) list = NULL;

  g_assert_true (clinic_storage_backup (f->admin, backup, NULL, &error));
  g_assert_no_error (error);
  clinic_test_assert_no_plaintext (backup, canaries, "in the backup");
  clinic_test_assert_no_plaintext (f->dir, canaries, "after a backup");

  /* A document added after the backup, and one removed: the restore
   * brings back the set of the backup. */
  add_document (f, "After the backup", later);
  g_assert_true (clinic_documents_remove (f->admin, g_array_index (kept, Kept, 0).id, &error));
  g_assert_no_error (error);
  close_db (f);

  g_assert_true (clinic_db_restore (f->path, backup, &creds, &error));
  g_assert_no_error (error);
  clinic_test_assert_no_plaintext (f->dir, canaries, "after a restore");
  open_db (f);

  assert_all_back (f, kept);
  list = clinic_documents_list (f->admin, f->patient_id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 4);
  after = clinic_attachments_list_folder (f->files);
  g_assert_cmpuint (after->len, ==, before->len);
  for (guint i = 0; i < after->len; i++)
    g_assert_cmpstr (g_ptr_array_index (after, i), ==, g_ptr_array_index (before, i));

  /* The set replaced is kept beside, as the database is. */
  aside = clinic_attachments_list_folder (pre_restore);
  g_assert_cmpuint (aside->len, ==, before->len);

  {
    g_autofree char *report = NULL;

    g_assert_true (clinic_storage_verify (f->admin, &report, &error));
    g_assert_no_error (error);
    g_assert_nonnull (strstr (report, "attachments checked: 5 of 5"));
  }
}

static void
test_rekey (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) kept = add_some (f);
  g_autoptr(GPtrArray) names = clinic_attachments_list_folder (f->files);
  g_autofree char *first = g_build_filename (f->files, g_ptr_array_index (names, 0), NULL);
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autofree char *new_key = NULL;
  g_autofree char *old_files = g_strconcat (f->path, ".files.old", NULL);
  g_autofree char *staged_files = g_strconcat (f->path, ".files.new", NULL);
  gsize before_len = 0;
  gsize after_len = 0;

  g_autofree char *orphan = g_build_filename (f->files, "00000000000000000000000000000000", NULL);
  g_autofree char *orphan_after = NULL;
  g_autofree char *report = NULL;

  /* A file without a row that opens under no key (a stray copy): the
   * rekey goes on, and leaves it for verify to report. */
  g_assert_true (g_file_set_contents (orphan, "not an attachment", -1, NULL));
  g_assert_true (g_file_get_contents (first, &before, &before_len, NULL));
  g_assert_true (clinic_storage_rekey (f->admin, &new_key, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (first, &after, &after_len, NULL));

  /* Re-encrypted: same length, other bytes; nothing left of the old set. */
  g_assert_cmpuint (before_len, ==, after_len);
  g_assert_false (memcmp (before, after, before_len) == 0);
  g_assert_false (g_file_test (old_files, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (staged_files, G_FILE_TEST_EXISTS));
  assert_all_back (f, kept);
  clinic_test_assert_no_plaintext (f->dir, canaries, "after a rekey");
  g_assert_true (g_file_get_contents (orphan, &orphan_after, NULL, NULL));
  g_assert_cmpstr (orphan_after, ==, "not an attachment");
  g_assert_true (clinic_storage_verify (f->admin, &report, &error));
  g_assert_no_error (error);
  g_assert_nonnull (strstr (report, "without a row (kept): 00000000000000000000000000000000"));

  /* And with the new key from a cold start. */
  close_db (f);
  open_db (f);
  assert_all_back (f, kept);
}

static void
test_verify (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) kept = add_some (f);
  g_autoptr(GPtrArray) names = clinic_attachments_list_folder (f->files);
  g_autofree char *report = NULL;
  g_autofree char *victim = g_build_filename (f->files, g_ptr_array_index (names, 1), NULL);
  g_autofree char *contents = NULL;
  g_autofree char *orphan = NULL;
  gsize len = 0;

  g_assert_true (clinic_storage_verify (f->admin, &report, &error));
  g_assert_no_error (error);
  g_assert_nonnull (strstr (report, "attachments checked: 5 of 5"));
  g_clear_pointer (&report, g_free);

  /* A file without a row (an add cut short): reported, kept, no failure. */
  g_assert_true (g_file_get_contents (victim, &contents, &len, NULL));
  orphan = g_build_filename (f->files, "0123456789abcdef0123456789abcdef", NULL);
  g_assert_true (g_file_set_contents (orphan, contents, len, NULL));
  g_assert_true (clinic_storage_verify (f->admin, &report, &error));
  g_assert_no_error (error);
  g_assert_nonnull (strstr (report, "without a row (kept): 0123456789abcdef0123456789abcdef"));
  g_assert_true (g_file_test (orphan, G_FILE_TEST_EXISTS));
  g_clear_pointer (&report, g_free);

  /* A row without its file: a failure naming it. */
  g_assert_cmpint (g_unlink (victim), ==, 0);
  g_assert_false (clinic_storage_verify (f->admin, &report, &error));
  g_assert_error (error, CLINIC_DB_ERROR, CLINIC_DB_ERROR_DAMAGED);
  g_assert_nonnull (strstr (error->message, g_ptr_array_index (names, 1)));
  g_assert_nonnull (strstr (report, "attachments checked: 4 of 5"));
  g_assert_nonnull (strstr (report, "missing"));
  g_clear_error (&error);
  g_clear_pointer (&report, g_free);

  /* A changed one: the same. */
  g_assert_true (g_file_set_contents (victim, contents, len - 1, NULL));
  g_assert_false (clinic_storage_verify (f->admin, &report, &error));
  g_assert_error (error, CLINIC_DB_ERROR, CLINIC_DB_ERROR_DAMAGED);
  g_assert_nonnull (strstr (report, "damaged"));
}

/* A version 1 backup (before attachments) still restores: made here from
 * a version 2 one without attachments, rewritten as version 1 and signed
 * again with the backup sub-key. */
static void
test_old_backup (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *backup = g_build_filename (f->dir, "new.clinicbackup", NULL);
  g_autofree char *old = g_build_filename (f->dir, "old.clinicbackup", NULL);
  g_autofree char *contents = NULL;
  g_autoptr(ClinicKey) dk = clinic_recovery_key_parse (f->recovery, &error);
  g_autoptr(ClinicKey) mac_key = NULL;
  g_autoptr(GByteArray) v1 = g_byte_array_new ();
  g_autoptr(GBytes) pdf = make_pdf (1000);
  guint8 mac[crypto_generichash_BYTES];
  gsize len = 0;

  g_assert_no_error (error);
  g_assert_true (clinic_storage_backup (f->admin, backup, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (backup, &contents, &len, NULL));
  g_assert_cmpint (contents[8], ==, 2);
  g_assert_cmpint (contents[96], ==, 0);  /* no attachments */

  g_byte_array_append (v1, (const guint8 *) contents, 96);
  v1->data[8] = 1;
  g_byte_array_append (v1, (const guint8 *) contents + 128, len - 128 - sizeof mac);
  mac_key = clinic_key_derive (dk, 1, CLINIC_KEY_CONTEXT_BACKUPS);
  crypto_generichash (mac, sizeof mac, v1->data, v1->len, clinic_key_get_data (mac_key), CLINIC_KEY_SIZE);
  g_byte_array_append (v1, mac, sizeof mac);
  g_assert_true (g_file_set_contents (old, (const char *) v1->data, v1->len, NULL));

  add_document (f, "Not in the old backup", pdf);
  close_db (f);
  g_assert_true (clinic_db_restore (f->path, old, &creds, &error));
  g_assert_no_error (error);
  open_db (f);
  g_assert_cmpint (clinic_test_query_int (f->db, "SELECT count(*) FROM patient_documents"), ==, 0);
  {
    g_autoptr(GPtrArray) files = clinic_attachments_list_folder (f->files);

    g_assert_cmpuint (files->len, ==, 0);
  }

  /* A damaged one is still refused. */
  v1->data[v1->len - 100] ^= 1;
  g_assert_true (g_file_set_contents (old, (const char *) v1->data, v1->len, NULL));
  close_db (f);
  g_assert_false (clinic_db_restore (f->path, old, &creds, &error));
  g_assert_error (error, CLINIC_DB_ERROR, CLINIC_DB_ERROR_BAD_BACKUP);
}

/* --- Killed during a rekey ------------------------------------------- */

static guint
rounds (guint fallback)
{
  const char *env = g_getenv ("CLINIC_CRASH_ROUNDS");

  return env != NULL ? (guint) g_ascii_strtoull (env, NULL, 10) : fallback;
}

/* After a killed restore: the documents are exactly one backup's set, each
 * reads back byte for byte, and verify finds every file of the set. */
static void
assert_one_set (Fixture *f,
                GArray  *kept,
                guint    n_small,
                guint    n_large)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = clinic_documents_list (f->admin, f->patient_id, &error);
  g_autofree char *report = NULL;

  g_assert_no_error (error);
  g_assert_true (list->len == n_small || list->len == n_large);
  for (guint i = 0; i < list->len; i++)
    {
      ClinicPatientDocument *d = g_ptr_array_index (list, i);
      gboolean found = FALSE;

      for (guint k = 0; k < kept->len && !found; k++)
        if (g_array_index (kept, Kept, k).id == d->id)
          {
            assert_document (f, d->id, g_array_index (kept, Kept, k).content);
            found = TRUE;
          }
      g_assert_true (found);
    }
  g_assert_true (clinic_storage_verify (f->admin, &report, &error));
  g_assert_no_error (error);
}

/* Kills a child that rekeys (or restores two backups in turn) over and
 * over at random moments; after each kill the database opens and every
 * document and the photo read back byte for byte, whichever key or set
 * it ended with. */
static void
test_sigkill (Fixture       *f,
              gconstpointer  data)
{
  gboolean restore = GPOINTER_TO_INT (data);
  g_autofree char *backup_a = g_build_filename (f->dir, "a.clinicbackup", NULL);
  g_autofree char *backup_b = g_build_filename (f->dir, "b.clinicbackup", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) kept = NULL;
  guint n_small;
  guint n = rounds (200) / 10;
  guint staging = 0;
  guint swapping = 0;
  gint64 one_op_us;

  kept = add_some (f);
  n_small = kept->len - 1;  /* the documents, not the photo */
  if (restore)
    {
      g_assert_true (clinic_storage_backup (f->admin, backup_a, NULL, &error));
      g_assert_no_error (error);
    }
  /* More and larger files, so a kill lands among them. */
  for (guint i = 0; i < 12; i++)
    {
      Kept k = { 0, make_pdf (g_random_int_range (1, 400000)) };

      k.id = add_document (f, "More", k.content);
      g_array_append_val (kept, k);
    }
  if (restore)
    {
      g_assert_true (clinic_storage_backup (f->admin, backup_b, NULL, &error));
      g_assert_no_error (error);
    }
  close_db (f);

  /* How long one operation takes here (an ASan build, a busy machine):
   * the kills land at random within a few of them, so some hit the staging
   * and the swap whatever the speed. */
  {
    gint64 t0 = g_get_monotonic_time ();
    pid_t pid = fork ();
    int status;

    g_assert_cmpint (pid, >=, 0);
    if (pid == 0)
      {
        ClinicDb *child = restore ? NULL : clinic_db_open (f->path, &creds, NULL);
        char *recovery = NULL;

        if (restore ? !clinic_db_restore (f->path, backup_b, &creds, NULL)
                    : child == NULL || !clinic_db_rekey (child, &recovery, NULL))
          _exit (3);
        _exit (0);
      }
    waitpid (pid, &status, 0);
    g_assert_true (WIFEXITED (status) && WEXITSTATUS (status) == 0);
    one_op_us = MAX (g_get_monotonic_time () - t0, 20000);
  }

  for (guint round = 0; round < n; round++)
    {
      g_autofree char *marker = g_strconcat (f->path, ".swap", NULL);
      g_autofree char *staged = g_strconcat (f->path, ".files.new", NULL);
      g_autofree char *old_files = g_strconcat (f->path, ".files.old", NULL);
      pid_t pid = fork ();
      int status;

      g_assert_cmpint (pid, >=, 0);
      if (pid == 0)
        {
          ClinicDb *child = restore ? NULL : clinic_db_open (f->path, &creds, NULL);
          char *recovery = NULL;

          if (!restore && child == NULL)
            _exit (2);
          for (guint i = 0; ; i++)
            if (restore ? !clinic_db_restore (f->path, i % 2 ? backup_a : backup_b, &creds, NULL)
                        : !clinic_db_rekey (child, &recovery, NULL))
              _exit (3);
        }

      g_usleep (g_random_int_range (2000, (gint32) MIN (one_op_us * 3, G_MAXINT32 / 2)));
      kill (pid, SIGKILL);
      waitpid (pid, &status, 0);
      if (WIFEXITED (status))
        g_error ("The child failed with status %d", WEXITSTATUS (status));

      if (g_file_test (marker, G_FILE_TEST_EXISTS))
        swapping++;
      else if (g_file_test (staged, G_FILE_TEST_EXISTS))
        staging++;

      open_db (f);
      if (restore)
        assert_one_set (f, kept, n_small, kept->len - 1);
      else
        assert_all_back (f, kept);
      g_assert_false (g_file_test (marker, G_FILE_TEST_EXISTS));
      g_assert_false (g_file_test (staged, G_FILE_TEST_EXISTS));
      g_assert_false (g_file_test (old_files, G_FILE_TEST_EXISTS));
      close_db (f);
    }

  g_test_message ("%u %s with attachments killed (%u while staging, %u mid-swap); all read back",
                  n, restore ? "restores" : "rekeys", staging, swapping);
  g_assert_cmpuint (staging + swapping, >, 0);
  open_db (f);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_assert_true (sodium_init () >= 0);
  clinic_keys_allow_test_limits (TRUE);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/attachments/round-trip", test_round_trip);
  ADD ("/attachments/tampering", test_tampering);
  ADD ("/attachments/foreign-file", test_foreign_file);
  ADD ("/attachments/rollback-removes-file", test_rollback_removes_file);
  ADD ("/attachments/verify", test_verify);
  ADD ("/attachments/old-backup", test_old_backup);
  ADD ("/documents/add-list-read-remove", test_documents);
  ADD ("/documents/photo", test_photo);
  ADD ("/documents/patient-scope", test_patient_scope);
  ADD ("/documents/backup-restore", test_backup_restore);
  ADD ("/documents/rekey", test_rekey);
#undef ADD
  g_test_add ("/documents/sigkill-rekey", Fixture, GINT_TO_POINTER (FALSE), fixture_set_up,
              test_sigkill, fixture_tear_down);
  g_test_add ("/documents/sigkill-restore", Fixture, GINT_TO_POINTER (TRUE), fixture_set_up,
              test_sigkill, fixture_tear_down);

  return g_test_run ();
}
