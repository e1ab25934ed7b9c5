/* clinic-users-section.h — who may sign in
 *
 * The users (staff and patients, disabled ones too), adding one,
 * disabling or enabling, and resetting a password. After a staff member
 * is disabled it offers to change the database key (a copy of the old key
 * file would still open the old key) and shows the new recovery key.
 */

#pragma once

#include "clinic-section.h"

G_BEGIN_DECLS

#define CLINIC_TYPE_USERS_SECTION (clinic_users_section_get_type ())

G_DECLARE_FINAL_TYPE (ClinicUsersSection, clinic_users_section, CLINIC, USERS_SECTION, ClinicSection)

G_END_DECLS
