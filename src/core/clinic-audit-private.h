/* clinic-audit-private.h — what the core's own modules use of the audit
 * trail
 *
 * Never included from src/app.
 */

#pragma once

#include "clinic-audit.h"
#include "clinic-db-private.h"

G_BEGIN_DECLS

/*
 * clinic_audit_append:
 *
 * Appends one entry inside the write transaction the caller has open on
 * @db (CLINIC_AUDIT_ERROR_NOT_IN_WRITE otherwise, also for a deferred
 * BEGIN that has not written yet). @session (nullable: then @actor must be
 * given) names the user; an @actor given wins over @session. @time 0 means
 * now. Values are stored as given; a user_id or @patient_id of 0 is stored
 * as NULL. CLINIC_ERROR_INVALID for an empty user name.
 */
gboolean   clinic_audit_append        (ClinicDb               *db,
                                       ClinicSession          *session,
                                       const ClinicAuditActor *actor,
                                       gint64                  time,
                                       const char             *action,
                                       const char             *object_type,
                                       const char             *object_id,
                                       gint64                  patient_id,
                                       const char             *old_value,
                                       const char             *new_value,
                                       GError                **error);

/* As clinic_audit_append() in a transaction of its own. */
gboolean   clinic_audit_record        (ClinicDb               *db,
                                       ClinicSession          *session,
                                       const ClinicAuditActor *actor,
                                       const char             *action,
                                       const char             *object_type,
                                       const char             *object_id,
                                       gint64                  patient_id,
                                       const char             *old_value,
                                       const char             *new_value,
                                       GError                **error);

/* The newest entry's number and hash (seq 0 and zeros when empty). */
gboolean   clinic_audit_get_head      (ClinicDb               *db,
                                       gint64                 *seq,
                                       guint8                  head[32],
                                       GError                **error);

/* Records the current head as an anchor of @kind ("backup", "day-close")
 * inside the database and in the anchor file beside it
 * (clinic.db.anchor, MAC'd), and returns it (@anchor nullable) for the
 * backup or the printed day-close to carry. Runs its own BEGIN IMMEDIATE:
 * call it with no transaction open, so it never names an entry that could
 * still be rolled back. */
gboolean   clinic_audit_make_anchor   (ClinicDb               *db,
                                       const char             *kind,
                                       ClinicAuditAnchor      *anchor,
                                       GError                **error);


/*
 * clinic_audit_verify_db:
 *
 * clinic_audit_verify() without the permission check, for callers that
 * have made it already (or run as the system: clinicctl with the recovery
 * key, the tests). Reads the anchor file, then walks the chain once in seq
 * order with one statement, so memory does not grow with the trail; the
 * anchors (one per backup or day-close) are held in memory. Runs in a read
 * transaction of its own unless one is open already.
 */
gboolean  clinic_audit_verify_db        (ClinicDb                *db,
                                         const ClinicAuditAnchor *extra,
                                         char                   **report,
                                         GError                 **error);

/* The anchor file beside the database: clinic_db_get_path() + ".anchor".
 * (transfer full) */
char     *clinic_audit_get_anchor_file  (ClinicDb                *db);

G_END_DECLS
