/* clinic-storage.h — the whole-database operations, as a user asks for them
 *
 * Backup, verify and rekey of the open database, behind the session's
 * permission (CLINIC_PERMISSION_BACKUPS) and recorded in the audit trail.
 * A restore replaces a database nobody has open, so it takes credentials
 * valid in the backup instead: see clinic_db_restore() in clinic-db.h,
 * which checks that the user's role in the backup may restore.
 */

#pragma once

#include "clinic-audit.h"
#include "clinic-db.h"
#include "clinic-session.h"

G_BEGIN_DECLS

/* clinic_db_backup() for a session with BACKUPS; the backup carries the
 * audit chain's head as an anchor. Audited "backup.made". */
gboolean clinic_storage_backup             (ClinicSession      *session,
                                            const char         *file,
                                            GCancellable       *cancellable,
                                            GError            **error);

/* clinic_db_verify() and clinic_audit_verify() together, for a session
 * with BACKUPS (and AUDIT for the chain; without it the chain is left out
 * of the report). Audited "database.verified" with the result. */
gboolean clinic_storage_verify             (ClinicSession      *session,
                                            char              **report,
                                            GError            **error);

/* clinic_db_rekey() for a session with BACKUPS. Audited
 * "database.rekeyed" under the new key. */
gboolean clinic_storage_rekey              (ClinicSession      *session,
                                            char              **recovery_key,
                                            GError            **error);

/* The audit anchor a backup file carries (readable without its key, as
 * the anchor is not secret), for clinic_audit_verify()'s @extra. */
gboolean clinic_db_read_backup_anchor      (const char         *file,
                                            ClinicAuditAnchor  *anchor,
                                            GError            **error);

G_END_DECLS
