/* clinic-chart-window.h — one patient's chart */

#pragma once

#include <adwaita.h>

#include "clinic-patients.h"
#include "clinic-session.h"

G_BEGIN_DECLS

#define CLINIC_TYPE_CHART_WINDOW (clinic_chart_window_get_type ())

G_DECLARE_FINAL_TYPE (ClinicChartWindow, clinic_chart_window, CLINIC, CHART_WINDOW, AdwWindow)

/*
 * The header names the patient with date of birth, age and chart number
 * (and the photo where there is one), the insurance badge for today and
 * the allergy banner, on every page, so nobody works in the wrong chart.
 * Pages: Overview (details, insurance, allergies, conditions, medications,
 * treatment plan), Visit Notes, Prescriptions, Timeline. A session
 * without CHART_READ (the front desk) gets the Overview's details and
 * insurance only. Every change goes through the core, which decides;
 * a refusal shows in plain words.
 */
ClinicChartWindow *clinic_chart_window_new     (GtkWindow           *parent,
                                                ClinicSession       *session,
                                                const ClinicPatient *patient);

/* Reads the chart again (audited as an opening). */
void               clinic_chart_window_reload  (ClinicChartWindow   *self);

/* Opens the form of @action ("add-allergy", "new-note", "new-prescription",
 * "add-policy", "add-condition", "add-medication", "edit-details") and
 * returns it, for tests and keyboard users alike. */
GtkWindow         *clinic_chart_window_open_form (ClinicChartWindow *self,
                                                  const char        *action);

/* The print preview of prescription @id, or NULL. */
GtkWindow         *clinic_chart_window_print_prescription (ClinicChartWindow *self,
                                                           gint64             id);

G_END_DECLS
