/* clinic-patients-section.h — the patient registry
 *
 * One search box that matches as you type, filters by status, age and
 * treatment, sorting in SQL, and a column view over the paged
 * ClinicPatientModel. Enter (or a double click) opens the chart.
 */

#pragma once

#include "clinic-section.h"

G_BEGIN_DECLS

#define CLINIC_TYPE_PATIENTS_SECTION (clinic_patients_section_get_type ())

G_DECLARE_FINAL_TYPE (ClinicPatientsSection, clinic_patients_section, CLINIC, PATIENTS_SECTION, ClinicSection)

/* (transfer none) The list the view shows. */
GListModel *clinic_patients_section_get_model   (ClinicPatientsSection *self);

/* Runs @query now, as typing it would (tests). */
void        clinic_patients_section_search      (ClinicPatientsSection *self,
                                                 const char            *query);

/* Opens the chart of the patient at @position; returns the window
 * (transfer none), or NULL with the error shown in the section. */
GtkWindow  *clinic_patients_section_open_chart  (ClinicPatientsSection *self,
                                                 guint                  position);

/* Opens the registration form (the New Patient button, Ctrl+N); a
 * registered patient is then shown in the list. (transfer none) */
GtkWindow  *clinic_patients_section_new_patient (ClinicPatientsSection *self);

/* Opens the Merge Duplicate dialog for the selected patient (the record
 * kept); after a merge the list shows the record kept and a toast says
 * what moved. NULL when no patient is selected. (transfer none) */
GtkWindow  *clinic_patients_section_merge_duplicate (ClinicPatientsSection *self);
/* Opens the import of a patient list from CSV (the Import button,
 * Ctrl+I); the list shows the imported patients afterwards. (transfer
 * none) */
GtkWindow  *clinic_patients_section_import      (ClinicPatientsSection *self);

G_END_DECLS
