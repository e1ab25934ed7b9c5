/* clinic-prescription-sheet.h — a signed prescription on paper */

#pragma once

#include "clinic-chart.h"
#include "clinic-document.h"
#include "clinic-patients.h"

G_BEGIN_DECLS

#define CLINIC_TYPE_PRESCRIPTION_SHEET (clinic_prescription_sheet_get_type ())

G_DECLARE_FINAL_TYPE (ClinicPrescriptionSheet, clinic_prescription_sheet, CLINIC,
                      PRESCRIPTION_SHEET, ClinicDocument)

/* What the letterhead shows; from the clinic's settings. */
typedef struct
{
  const char *name;
  const char *address;
  const char *phone;
} ClinicLetterhead;

/*
 * clinic_prescription_sheet_new:
 * @letterhead: the clinic's name, address and phone number
 * @patient: who the prescription is for (name, date of birth, chart
 *   number and address are printed)
 * @prescription: a signed prescription
 * @allergies: (nullable): the patient's active ClinicAllergy records
 * @allergy_state: whether allergies were recorded at all
 *
 * One page: letterhead, patient, the medicine with dose, route, frequency,
 * duration, quantity, refills and instructions, the allergies (or that
 * none are known, or that they were not recorded), and the prescriber's
 * signature with the date and the signature's fingerprint. A draft prints
 * with a "not valid" notice instead.
 *
 * The sheet copies what it needs.
 */
ClinicPrescriptionSheet *clinic_prescription_sheet_new (const ClinicLetterhead   *letterhead,
                                                        const ClinicPatient      *patient,
                                                        const ClinicPrescription *prescription,
                                                        GPtrArray                *allergies,
                                                        ClinicAllergyState        allergy_state);

G_END_DECLS
