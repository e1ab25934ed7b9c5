/* clinic-audit-model.h — the audit trail as a list that pages itself
 *
 * A GListModel of ClinicAuditRow that fetches windows of entries from
 * clinic_audit_list() (newest first) as the view comes near the end of
 * what it has: the whole table is never loaded. The core keeps no count,
 * so n-items grows a window at a time while more entries exist.
 */

#pragma once

#include <gio/gio.h>

#include "clinic-audit.h"

G_BEGIN_DECLS

/* One entry of the trail, for the view's factories. */
#define CLINIC_TYPE_AUDIT_ROW (clinic_audit_row_get_type ())

G_DECLARE_FINAL_TYPE (ClinicAuditRow, clinic_audit_row, CLINIC, AUDIT_ROW, GObject)

/* (transfer none) */
const ClinicAuditEntry *clinic_audit_row_get_entry (ClinicAuditRow *self);

#define CLINIC_TYPE_AUDIT_MODEL (clinic_audit_model_get_type ())

G_DECLARE_FINAL_TYPE (ClinicAuditModel, clinic_audit_model, CLINIC, AUDIT_MODEL, GObject)

ClinicAuditModel *clinic_audit_model_new        (ClinicSession           *session,
                                                 guint                    window);

/* Starts again from the newest entry with @filter (copied; NULL: all).
 * FALSE with @error when the first window cannot be read; the model is
 * then empty. */
gboolean          clinic_audit_model_set_filter (ClinicAuditModel        *self,
                                                 const ClinicAuditFilter *filter,
                                                 GError                 **error);

/* Reads the next window now (the view does this by itself as it scrolls).
 * Returns the number of entries added. */
guint             clinic_audit_model_fetch_more (ClinicAuditModel        *self,
                                                 GError                 **error);

gboolean          clinic_audit_model_has_more   (ClinicAuditModel        *self);

G_END_DECLS
