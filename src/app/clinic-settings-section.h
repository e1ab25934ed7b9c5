/* clinic-settings-section.h — the clinic's settings, one row each
 *
 * Built from clinic_settings_list_specs(): a row per setting, grouped by
 * the key's first word, applied through clinic_settings_set() (which
 * checks the permission, validates and audits) and kept in step with
 * "changed::KEY". A refused value shows the core's message on its row.
 */

#pragma once

#include "clinic-section.h"

G_BEGIN_DECLS

#define CLINIC_TYPE_SETTINGS_SECTION (clinic_settings_section_get_type ())

G_DECLARE_FINAL_TYPE (ClinicSettingsSection, clinic_settings_section, CLINIC, SETTINGS_SECTION, ClinicSection)

/* The widget that edits @key: a GtkEditable (AdwEntryRow), GtkSpinButton,
 * GtkSwitch or AdwComboRow; NULL for a key not shown. (transfer none) */
GtkWidget  *clinic_settings_section_get_editor (ClinicSettingsSection *self,
                                                const char            *key);

/* The message shown on @key's row after a refused value, or NULL.
 * (transfer none) */
const char *clinic_settings_section_get_error  (ClinicSettingsSection *self,
                                                const char            *key);

G_END_DECLS
