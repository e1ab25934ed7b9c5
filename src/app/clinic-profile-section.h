/* clinic-profile-section.h — a patient's own record, at the kiosk
 *
 * Name, date of birth and chart number read-only; the contact details
 * editable and saved through the core, which allows a patient nothing
 * else.
 */

#pragma once

#include "clinic-section.h"

G_BEGIN_DECLS

#define CLINIC_TYPE_PROFILE_SECTION (clinic_profile_section_get_type ())

G_DECLARE_FINAL_TYPE (ClinicProfileSection, clinic_profile_section, CLINIC, PROFILE_SECTION, ClinicSection)

/* (transfer none) The entry of a contact field ("phone", "email" …). */
AdwEntryRow *clinic_profile_section_get_row (ClinicProfileSection *self,
                                             const char           *field);

/* Saves the contact details as the button does; FALSE when refused
 * (the reason shows in the section). */
gboolean     clinic_profile_section_save    (ClinicProfileSection *self);

G_END_DECLS
