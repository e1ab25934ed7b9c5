/* clinic-documents.c — documents in the patient's chart, and the photo */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <sodium.h>
#include <string.h>

#include "clinic-attachments.h"
#include "clinic-audit-private.h"
#include "clinic-db-private.h"
#include "clinic-documents.h"
#include "clinic-error.h"
#include "clinic-patients-private.h"

#define TITLE_MAX_CHARS 200

G_DEFINE_BOXED_TYPE (ClinicPatientDocument, clinic_patient_document, clinic_patient_document_copy, clinic_patient_document_free)

ClinicPatientDocument *
clinic_patient_document_copy (const ClinicPatientDocument *document)
{
  ClinicPatientDocument *copy = g_new0 (ClinicPatientDocument, 1);

  *copy = *document;
  copy->title = g_strdup (document->title);
  copy->media_type = g_strdup (document->media_type);
  copy->added_by = g_strdup (document->added_by);

  return copy;
}

void
clinic_patient_document_free (ClinicPatientDocument *document)
{
  if (document == NULL)
    return;
  g_free (document->title);
  g_free (document->media_type);
  g_free (document->added_by);
  g_free (document);
}

gboolean
clinic_patient_document_is_pdf (const ClinicPatientDocument *document)
{
  return g_strcmp0 (document->media_type, "application/pdf") == 0;
}

/* --- Checks ------------------------------------------------------------ */

/* The media type of @data by its signature, or NULL. Not
 * g_content_type_guess(): that needs the shared MIME database, found
 * through XDG_DATA_DIRS, which a confined or test environment may not
 * have, and the four formats accepted have fixed signatures. */
static const char *
sniff_type (const guint8 *data,
            gsize         len)
{
  /* PDF readers look for the header within the first 1024 bytes. */
  if (memmem (data, MIN (len, 1024), "%PDF-", 5) != NULL)
    return "application/pdf";
  if (len >= 8 && memcmp (data, "\x89PNG\r\n\x1a\n", 8) == 0)
    return "image/png";
  if (len >= 3 && memcmp (data, "\xff\xd8\xff", 3) == 0)
    return "image/jpeg";
  if (len >= 12 && memcmp (data, "RIFF", 4) == 0 && memcmp (data + 8, "WEBP", 4) == 0)
    return "image/webp";

  return NULL;
}

/* The media type of @content as its bytes say (never its name), if it is
 * one of those accepted; NULL with the reason otherwise. */
static char *
sniff (GBytes      *content,
       gboolean     images_only,
       gsize        max_size,
       GError     **error)
{
  gsize len = 0;
  const guint8 *data = g_bytes_get_data (content, &len);
  const char *type;

  if (len == 0)
    {
      g_set_error_literal (error, CLINIC_ERROR, CLINIC_ERROR_INVALID, _("The file is empty."));
      return NULL;
    }
  if (len > max_size)
    {
      g_autofree char *size = g_format_size_full (len, G_FORMAT_SIZE_IEC_UNITS);

      g_set_error (error, CLINIC_ERROR, CLINIC_ERROR_INVALID,
                   _("The file is too large (%s): at most %u MiB can be attached."), size,
                   (guint) (max_size / (1024 * 1024)));
      return NULL;
    }

  type = sniff_type (data, len);
  if (type != NULL && !(images_only && g_str_equal (type, "application/pdf")))
    return g_strdup (type);

  g_set_error_literal (error, CLINIC_ERROR, CLINIC_ERROR_INVALID,
                       images_only
                       ? _("The file is not a picture Clinic can show: use a PNG, JPEG or WebP image.")
                       : _("The file is neither a PDF nor a picture Clinic can show: use a PDF, or a PNG, JPEG or WebP image."));
  return NULL;
}

/* The title as it will be kept: trimmed, one line, not empty, not too
 * long. (transfer full) */
static char *
check_title (const char  *title,
             GError     **error)
{
  g_autofree char *trimmed = NULL;

  if (title == NULL || !g_utf8_validate (title, -1, NULL))
    {
      g_set_error_literal (error, CLINIC_ERROR, CLINIC_ERROR_INVALID,
                           _("Enter a title for the document."));
      return NULL;
    }

  trimmed = g_strstrip (g_strdup (title));
  for (char *p = trimmed; *p != '\0'; p++)
    if ((guchar) *p < 0x20)
      *p = ' ';

  if (*trimmed == '\0')
    {
      g_set_error_literal (error, CLINIC_ERROR, CLINIC_ERROR_INVALID,
                           _("Enter a title for the document."));
      return NULL;
    }
  if (g_utf8_strlen (trimmed, -1) > TITLE_MAX_CHARS)
    {
      g_set_error (error, CLINIC_ERROR, CLINIC_ERROR_INVALID,
                   _("The title is too long: at most %d characters."), TITLE_MAX_CHARS);
      return NULL;
    }

  return g_steal_pointer (&trimmed);
}

static gboolean
patient_exists (ClinicDb  *db,
                gint64     patient_id,
                GError   **error)
{
  sqlite3_stmt *stmt = clinic_db_prepare (db, "SELECT 1 FROM patients WHERE id = ?1", error);
  gboolean found;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, patient_id);
  found = sqlite3_step (stmt) == SQLITE_ROW;
  sqlite3_reset (stmt);

  if (!found)
    g_set_error_literal (error, CLINIC_ERROR, CLINIC_ERROR_NOT_FOUND, _("There is no such patient."));
  return found;
}

static char *
id_string (gint64 id)
{
  return g_strdup_printf ("%" G_GINT64_FORMAT, id);
}

/* What the audit entry says of a file: type and size, never its title. */
static char *
describe (const char *media_type,
          gsize       size)
{
  return g_strdup_printf ("%s, %" G_GSIZE_FORMAT " bytes", media_type, size);
}

/* --- Documents --------------------------------------------------------- */

gint64
clinic_documents_add (ClinicSession  *session,
                      gint64          patient_id,
                      const char     *title,
                      const char     *media_type,
                      GBytes         *content,
                      GError        **error)
{
  g_autofree char *clean_title = NULL;
  g_autofree char *sniffed = NULL;
  g_autofree char *attachment = NULL;
  g_autofree char *object_id = NULL;
  g_autofree char *what = NULL;
  sqlite3_stmt *stmt;
  ClinicDb *db;
  gint64 id = 0;
  gint64 user_id;

  if (!clinic_session_require_staff (session, CLINIC_PERMISSION_CHART_WRITE, error))
    return 0;
  g_return_val_if_fail (content != NULL, 0);

  clean_title = check_title (title, error);
  if (clean_title == NULL)
    return 0;
  sniffed = sniff (content, FALSE, CLINIC_DOCUMENT_MAX_SIZE, error);
  if (sniffed == NULL)
    return 0;
  if (media_type != NULL && !g_str_equal (media_type, sniffed))
    {
      g_set_error (error, CLINIC_ERROR, CLINIC_ERROR_INVALID,
                   _("The file is not what its type says: its content is %s."), sniffed);
      return 0;
    }

  db = clinic_session_get_db (session);
  user_id = clinic_session_get_user_id (session);
  if (!clinic_db_begin_write (db, error))
    return 0;
  if (!patient_exists (db, patient_id, error))
    goto fail;

  attachment = clinic_attachments_store (db, content, sniffed, user_id, error);
  if (attachment == NULL)
    goto fail;

  stmt = clinic_db_prepare (db,
                            "INSERT INTO patient_documents "
                            "(patient_id, attachment_id, title, media_type, added_at, added_by) "
                            "VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                            error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_int64 (stmt, 1, patient_id);
  sqlite3_bind_text (stmt, 2, attachment, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, clean_title, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 4, sniffed, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 5, g_get_real_time () / G_USEC_PER_SEC);
  if (user_id > 0)
    sqlite3_bind_int64 (stmt, 6, user_id);
  if (!clinic_db_step_done (db, stmt, error))
    goto fail;
  id = sqlite3_last_insert_rowid (clinic_db_get_handle (db));

  object_id = id_string (id);
  what = describe (sniffed, g_bytes_get_size (content));
  if (!clinic_audit_append (db, session, NULL, 0, "document.added", "document", object_id,
                            patient_id, NULL, what, error)
      || !clinic_db_commit (db, error))
    goto fail;

  return id;

fail:
  clinic_db_rollback (db);
  /* The row never committed: its file goes too. */
  if (attachment != NULL)
    clinic_attachments_discard (db, attachment);
  return 0;
}

GPtrArray *
clinic_documents_list (ClinicSession  *session,
                       gint64          patient_id,
                       GError        **error)
{
  g_autoptr(GPtrArray) list = NULL;
  sqlite3_stmt *stmt;
  ClinicDb *db;
  int rc;

  if (!clinic_session_require (session, CLINIC_PERMISSION_CHART_READ, error)
      || !clinic_patients_check_scope (session, patient_id, error))
    return NULL;

  db = clinic_session_get_db (session);
  if (!patient_exists (db, patient_id, error))
    return NULL;

  stmt = clinic_db_prepare (db,
                            "SELECT d.id, d.title, d.media_type, a.size, d.added_at, "
                            "       coalesce (u.display_name, '') "
                            "FROM patient_documents d "
                            "JOIN attachments a ON a.id = d.attachment_id "
                            "LEFT JOIN users u ON u.id = d.added_by "
                            "WHERE d.patient_id = ?1 ORDER BY d.added_at DESC, d.id DESC",
                            error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, patient_id);

  list = g_ptr_array_new_with_free_func ((GDestroyNotify) clinic_patient_document_free);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      ClinicPatientDocument *d = g_new0 (ClinicPatientDocument, 1);

      d->id = sqlite3_column_int64 (stmt, 0);
      d->patient_id = patient_id;
      d->title = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
      d->media_type = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
      d->size = sqlite3_column_int64 (stmt, 3);
      d->added_at = sqlite3_column_int64 (stmt, 4);
      d->added_by = g_strdup ((const char *) sqlite3_column_text (stmt, 5));
      g_ptr_array_add (list, d);
    }
  if (rc != SQLITE_DONE)
    {
      clinic_db_set_error (db, rc, error);
      sqlite3_reset (stmt);
      return NULL;
    }
  sqlite3_reset (stmt);

  return g_steal_pointer (&list);
}

/* The patient and attachment of document @id; NOT_FOUND if there is none. */
static gboolean
lookup_document (ClinicDb  *db,
                 gint64     id,
                 gint64    *patient_id,
                 char     **attachment,
                 char     **media_type,
                 GError   **error)
{
  sqlite3_stmt *stmt = clinic_db_prepare (db,
                                          "SELECT patient_id, attachment_id, media_type "
                                          "FROM patient_documents WHERE id = ?1",
                                          error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, id);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      sqlite3_reset (stmt);
      g_set_error_literal (error, CLINIC_ERROR, CLINIC_ERROR_NOT_FOUND, _("There is no such document."));
      return FALSE;
    }
  *patient_id = sqlite3_column_int64 (stmt, 0);
  *attachment = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
  if (media_type != NULL)
    *media_type = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
  sqlite3_reset (stmt);

  return TRUE;
}

GBytes *
clinic_documents_read (ClinicSession  *session,
                       gint64          document_id,
                       GError        **error)
{
  g_autoptr(GBytes) content = NULL;
  g_autofree char *attachment = NULL;
  g_autofree char *object_id = NULL;
  ClinicDb *db;
  gint64 patient_id = 0;

  if (!clinic_session_require (session, CLINIC_PERMISSION_CHART_READ, error))
    return NULL;

  db = clinic_session_get_db (session);
  if (!lookup_document (db, document_id, &patient_id, &attachment, NULL, error)
      || !clinic_patients_check_scope (session, patient_id, error))
    return NULL;

  content = clinic_attachments_read (db, attachment, error);
  if (content == NULL)
    return NULL;

  object_id = id_string (document_id);
  if (!clinic_audit_record (db, session, NULL, "document.read", "document", object_id, patient_id,
                            NULL, NULL, error))
    return NULL;

  return g_steal_pointer (&content);
}

gboolean
clinic_documents_remove (ClinicSession  *session,
                         gint64          document_id,
                         GError        **error)
{
  g_autofree char *attachment = NULL;
  g_autofree char *media_type = NULL;
  g_autofree char *object_id = NULL;
  sqlite3_stmt *stmt;
  ClinicDb *db;
  gint64 patient_id = 0;

  if (!clinic_session_require_staff (session, CLINIC_PERMISSION_CHART_WRITE, error))
    return FALSE;

  db = clinic_session_get_db (session);
  if (!clinic_db_begin_write (db, error))
    return FALSE;
  if (!lookup_document (db, document_id, &patient_id, &attachment, &media_type, error))
    goto fail;

  stmt = clinic_db_prepare (db, "DELETE FROM patient_documents WHERE id = ?1", error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_int64 (stmt, 1, document_id);
  object_id = id_string (document_id);
  if (!clinic_db_step_done (db, stmt, error)
      || !clinic_attachments_delete_row (db, attachment, error)
      || !clinic_audit_append (db, session, NULL, 0, "document.removed", "document", object_id,
                               patient_id, media_type, NULL, error)
      || !clinic_db_commit (db, error))
    goto fail;

  /* Only now: had the deletion not committed, the row would still need it. */
  clinic_attachments_remove_file (db, attachment);
  return TRUE;

fail:
  clinic_db_rollback (db);
  return FALSE;
}

/* --- The photo --------------------------------------------------------- */

/* The attachment of @patient_id's photo, or NULL (no error) for none. */
static char *
photo_attachment (ClinicDb  *db,
                  gint64     patient_id,
                  GError   **error)
{
  sqlite3_stmt *stmt = clinic_db_prepare (db,
                                          "SELECT attachment_id FROM patient_photos WHERE patient_id = ?1",
                                          error);
  char *attachment = NULL;

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, patient_id);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    attachment = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_reset (stmt);

  return attachment;
}

gboolean
clinic_patients_set_photo (ClinicSession  *session,
                           gint64          patient_id,
                           GBytes         *image,
                           GError        **error)
{
  g_autofree char *sniffed = NULL;
  g_autofree char *old = NULL;
  g_autofree char *attachment = NULL;
  g_autofree char *object_id = NULL;
  g_autofree char *what = NULL;
  g_autoptr(GError) local_error = NULL;
  sqlite3_stmt *stmt;
  ClinicDb *db;
  gint64 user_id;

  if (!clinic_session_require_staff (session, CLINIC_PERMISSION_PATIENTS_CONTACT_WRITE, error))
    return FALSE;

  if (image != NULL)
    {
      sniffed = sniff (image, TRUE, CLINIC_PHOTO_MAX_SIZE, error);
      if (sniffed == NULL)
        return FALSE;
    }

  db = clinic_session_get_db (session);
  user_id = clinic_session_get_user_id (session);
  if (!clinic_db_begin_write (db, error))
    return FALSE;
  if (!patient_exists (db, patient_id, error))
    goto fail;

  old = photo_attachment (db, patient_id, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      goto fail;
    }
  if (old == NULL && image == NULL)
    {
      clinic_db_rollback (db);
      return TRUE;
    }

  stmt = clinic_db_prepare (db, "DELETE FROM patient_photos WHERE patient_id = ?1", error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_int64 (stmt, 1, patient_id);
  if (!clinic_db_step_done (db, stmt, error)
      || (old != NULL && !clinic_attachments_delete_row (db, old, error)))
    goto fail;

  if (image != NULL)
    {
      attachment = clinic_attachments_store (db, image, sniffed, user_id, error);
      if (attachment == NULL)
        goto fail;
      stmt = clinic_db_prepare (db,
                                "INSERT INTO patient_photos (patient_id, attachment_id, set_at, set_by) "
                                "VALUES (?1, ?2, ?3, ?4)",
                                error);
      if (stmt == NULL)
        goto fail;
      sqlite3_bind_int64 (stmt, 1, patient_id);
      sqlite3_bind_text (stmt, 2, attachment, -1, SQLITE_STATIC);
      sqlite3_bind_int64 (stmt, 3, g_get_real_time () / G_USEC_PER_SEC);
      if (user_id > 0)
        sqlite3_bind_int64 (stmt, 4, user_id);
      if (!clinic_db_step_done (db, stmt, error))
        goto fail;
      what = describe (sniffed, g_bytes_get_size (image));
    }

  object_id = id_string (patient_id);
  if (!clinic_audit_append (db, session, NULL, 0,
                            image != NULL ? "patient.photo-set" : "patient.photo-removed",
                            "patient", object_id, patient_id, NULL, what, error)
      || !clinic_db_commit (db, error))
    goto fail;

  if (old != NULL)
    clinic_attachments_remove_file (db, old);
  return TRUE;

fail:
  clinic_db_rollback (db);
  if (attachment != NULL)
    clinic_attachments_discard (db, attachment);
  return FALSE;
}

GBytes *
clinic_patients_dup_photo (ClinicSession  *session,
                           gint64          patient_id,
                           GError        **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *attachment = NULL;
  ClinicDb *db;

  if (!clinic_session_require (session, CLINIC_PERMISSION_PATIENTS_CONTACT_READ, error)
      || !clinic_patients_check_scope (session, patient_id, error))
    return NULL;

  /* Not audited: the photo is shown wherever the patient is, and opening
   * the record is the audited act. */
  db = clinic_session_get_db (session);
  attachment = photo_attachment (db, patient_id, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  if (attachment == NULL)
    return NULL;

  return clinic_attachments_read (db, attachment, error);
}
