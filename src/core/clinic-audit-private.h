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
