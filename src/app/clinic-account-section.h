/* clinic-account-section.h — the signed-in person's own account
 *
 * Their name and role, and changing their own password (the old one is
 * asked for; staff change key slot and hash together in the core).
 */

#pragma once

#include "clinic-section.h"

G_BEGIN_DECLS

#define CLINIC_TYPE_ACCOUNT_SECTION (clinic_account_section_get_type ())

G_DECLARE_FINAL_TYPE (ClinicAccountSection, clinic_account_section, CLINIC, ACCOUNT_SECTION, ClinicSection)

G_END_DECLS
