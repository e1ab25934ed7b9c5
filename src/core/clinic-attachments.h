/* clinic-attachments.h — encrypted files beside the database (core only)
 *
 * Attachments (documents, photos) are files in the folder beside the
 * database (clinic.db.files/), named by a random id that their row in
 * `attachments` holds. Each file is a libsodium secretstream under the
 * attachments sub-key of the database key, in chunks, with the file's id
 * as associated data: a changed byte, a cut-off end, two files swapped or
 * a file from another database all fail with a clear error naming the
 * attachment.
 *
 * The order that keeps the folder and the rows in step: a new file is
 * written and synced before its row is inserted, in the transaction of
 * the record that owns it (the caller's), and the caller discards the
 * file if that transaction rolls back; a file is removed only after the
 * deletion of its row has committed. A crash can so leave a file without
 * a row (verify reports it) but never a row without its file.
 *
 * No session here: the modules that own attachments (clinic-documents.c)
 * check permissions and audit. Never included from src/app.
 */

#pragma once

#include <sqlite3.h>

#include "clinic-db.h"

G_BEGIN_DECLS

/* 32 lowercase hex digits (128 random bits). */
#define CLINIC_ATTACHMENT_ID_LENGTH 32

/* TRUE when @name has the form of an attachment id. */
gboolean  clinic_attachment_id_is_valid   (const char       *name);

/* --- Inside the database's transactions ------------------------------- */

/*
 * clinic_attachments_store:
 *
 * Writes @content encrypted into a new file in @db's attachments folder
 * (file and folder synced), then inserts its row (@media_type, @user_id,
 * 0 for none). Call it inside the caller's write transaction; if that
 * transaction does not commit, call clinic_attachments_discard(). On
 * error nothing is left behind. Returns the new id. (transfer full)
 */
char     *clinic_attachments_store        (ClinicDb         *db,
                                           GBytes           *content,
                                           const char       *media_type,
                                           gint64            user_id,
                                           GError          **error);

/* Removes the file of @id whose row never committed (after a rollback). */
void      clinic_attachments_discard      (ClinicDb         *db,
                                           const char       *id);

/* Deletes the row of @id inside the caller's write transaction. Remove
 * the file with clinic_attachments_remove_file() once that committed. */
gboolean  clinic_attachments_delete_row   (ClinicDb         *db,
                                           const char       *id,
                                           GError          **error);

/* Removes the file of @id whose row's deletion has committed. A failure
 * leaves an orphan file, which verify reports; it is not the caller's. */
void      clinic_attachments_remove_file  (ClinicDb         *db,
                                           const char       *id);

/* The content of @id, every chunk checked. CLINIC_DB_ERROR_DAMAGED naming
 * the attachment when its file is missing, changed, cut off or not this
 * database's. (transfer full) */
GBytes   *clinic_attachments_read         (ClinicDb         *db,
                                           const char       *id,
                                           GError          **error);

/* --- On folders, for backup, restore, verify and rekey ---------------- */

/* The ids in `attachments` of the database open on @handle, sorted. */
GPtrArray *clinic_attachments_list_rows   (sqlite3          *handle,
                                           GError          **error);

/* The names in @dir that have the form of an attachment id, sorted; empty
 * when @dir does not exist. */
GPtrArray *clinic_attachments_list_folder (const char       *dir);

/* Reads the file of @id in @dir under database key @dk to its end,
 * checking every chunk; @size (optional) gets the content's length. */
gboolean  clinic_attachments_check_file   (const char       *dir,
                                           const char       *id,
                                           const ClinicKey  *dk,
                                           guint64          *size,
                                           GError          **error);

/* Every file in @dir checked as above. */
gboolean  clinic_attachments_check_folder (const char       *dir,
                                           const ClinicKey  *dk,
                                           GError          **error);

/*
 * clinic_attachments_stage_rekey:
 *
 * Makes @staged_dir (removed first if it is there) hold every file of
 * @dir re-encrypted from @old_dk to @new_dk, each synced and read back
 * under @new_dk, and the folder synced. A file that does not open under @old_dk fails the call if a row
 * of @handle names it; one without a row (an orphan, which nobody could
 * read anyway) is copied as it is, so verify goes on reporting it.
 */
gboolean  clinic_attachments_stage_rekey  (sqlite3          *handle,
                                           const char       *dir,
                                           const char       *staged_dir,
                                           const ClinicKey  *old_dk,
                                           const ClinicKey  *new_dk,
                                           GError          **error);

/*
 * clinic_attachments_verify:
 *
 * Checks the attachments of the database open on @handle against @dir:
 * every row's file opens whole under @dk (a missing or damaged one is a
 * problem: @error DAMAGED naming the first), and files without a row are
 * reported (an interrupted add leaves one) but are no problem. Appends
 * lines for a person to @report.
 */
gboolean  clinic_attachments_verify       (sqlite3          *handle,
                                           const char       *dir,
                                           const ClinicKey  *dk,
                                           GString          *report,
                                           GError          **error);

/* Removes @dir and the files in it (attachment folders are flat). */
void      clinic_attachments_remove_folder (const char      *dir);

G_END_DECLS
