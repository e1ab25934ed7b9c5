/* clinic-placeholder-section.h — a section whose feature comes later
 *
 * An honest empty state (icon, title, one sentence) for a section the
 * product has but this version does not fill yet. Never shows made-up
 * data.
 */

#pragma once

#include "clinic-section.h"

G_BEGIN_DECLS

#define CLINIC_TYPE_PLACEHOLDER_SECTION (clinic_placeholder_section_get_type ())

G_DECLARE_FINAL_TYPE (ClinicPlaceholderSection, clinic_placeholder_section, CLINIC, PLACEHOLDER_SECTION, ClinicSection)

/* Returns: (transfer floating) */
GtkWidget *clinic_placeholder_section_new (ClinicSession *session,
                                           const char    *title,
                                           const char    *icon_name,
                                           const char    *description);

G_END_DECLS
