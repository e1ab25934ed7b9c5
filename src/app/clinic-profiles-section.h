/* clinic-profiles-section.h — roles and the permissions they grant
 *
 * The permission matrix: a row per role, a switch per permission. Each
 * change goes through clinic_roles_set_permission(), which may refuse
 * (the clinic would lock itself out); the switch then goes back and the
 * reason is shown. Custom roles can be added, renamed and deleted.
 */

#pragma once

#include "clinic-section.h"

G_BEGIN_DECLS

#define CLINIC_TYPE_PROFILES_SECTION (clinic_profiles_section_get_type ())

G_DECLARE_FINAL_TYPE (ClinicProfilesSection, clinic_profiles_section, CLINIC, PROFILES_SECTION, ClinicSection)

/* The switch of @permission in the row of @role_id, or NULL. (transfer none) */
GtkSwitch  *clinic_profiles_section_get_switch (ClinicProfilesSection *self,
                                                gint64                 role_id,
                                                ClinicPermission       permission);

/* The message shown after a refused change, or NULL. (transfer none) */
const char *clinic_profiles_section_get_error  (ClinicProfilesSection *self);

G_END_DECLS
