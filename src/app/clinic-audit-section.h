/* clinic-audit-section.h — the audit trail, for those who may read it
 *
 * Filters (user, action, dates), the entries paged from the core, a check
 * of the whole chain, and an export of what the filter shows as CSV.
 */

#pragma once

#include "clinic-section.h"

G_BEGIN_DECLS

#define CLINIC_TYPE_AUDIT_SECTION (clinic_audit_section_get_type ())

G_DECLARE_FINAL_TYPE (ClinicAuditSection, clinic_audit_section, CLINIC, AUDIT_SECTION, ClinicSection)

/* The entries shown. (transfer none) */
GListModel *clinic_audit_section_get_model (ClinicAuditSection *self);

/* Writes the entries the filter matches to @file as CSV (RFC 4180). */
gboolean    clinic_audit_section_export    (ClinicAuditSection *self,
                                            GFile              *file,
                                            GError            **error);

G_END_DECLS
