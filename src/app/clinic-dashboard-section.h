/* clinic-dashboard-section.h — the staff's start page
 *
 * A greeting, the clinic's name, and for those who may make backups a
 * "Back Up Now" with the last backup's date and result.
 */

#pragma once

#include "clinic-section.h"

G_BEGIN_DECLS

#define CLINIC_TYPE_DASHBOARD_SECTION (clinic_dashboard_section_get_type ())

G_DECLARE_FINAL_TYPE (ClinicDashboardSection, clinic_dashboard_section, CLINIC, DASHBOARD_SECTION, ClinicSection)

/* Sets the folder backups go to without asking (tests; the folder is
 * otherwise chosen once per run and kept in memory only). */
void clinic_dashboard_section_set_backup_folder (ClinicDashboardSection *self,
                                                 GFile                  *folder);

/* The text of the last backup's row ("Last backup: …"). (transfer none) */
const char *clinic_dashboard_section_get_backup_status (ClinicDashboardSection *self);

G_END_DECLS
