/* clinic-prescription-sheet.c — a signed prescription on paper */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "clinic-prescription-sheet.h"

struct _ClinicPrescriptionSheet
{
  ClinicDocument      parent_instance;

  char               *clinic_name;
  char               *clinic_address;
  char               *clinic_phone;
  ClinicPatient      *patient;
  ClinicPrescription *prescription;
  char               *allergies;     /* one line, or NULL when not recorded */
  ClinicAllergyState  allergy_state;
};

G_DEFINE_FINAL_TYPE (ClinicPrescriptionSheet, clinic_prescription_sheet, CLINIC_TYPE_DOCUMENT)

static void
add_if_set (ClinicDocument *document,
            const char     *key,
            const char     *value)
{
  if (value != NULL && *value != '\0')
    clinic_document_add_key_value (document, key, value);
}

static char *
format_time (gint64 unix_time)
{
  g_autoptr(GDateTime) t = g_date_time_new_from_unix_local (unix_time);

  /* Translators: when a prescription was signed; see g_date_time_format(). */
  return t != NULL ? g_date_time_format (t, _("%-d %B %Y, %H:%M")) : g_strdup ("");
}

static void
clinic_prescription_sheet_build (ClinicDocument *document)
{
  ClinicPrescriptionSheet *self = CLINIC_PRESCRIPTION_SHEET (document);
  const ClinicPrescription *rx = self->prescription;
  const ClinicPatient *p = self->patient;
  g_autofree char *name = g_strdup_printf ("%s %s", p->given_names, p->family_name);
  g_autofree char *medicine = g_strdup_printf ("%s %s", rx->drug, rx->strength);
  g_autofree char *refills = g_strdup_printf ("%d", rx->refills);
  const char *captions[] = { _("Prescriber’s signature"), _("Date"), NULL };

  g_strstrip (medicine);
  clinic_document_add_letterhead (document, self->clinic_name, self->clinic_address, self->clinic_phone);
  clinic_document_add_title (document, _("Prescription"), rx->prescribed_on);

  if (rx->signed_at == 0)
    clinic_document_add_notice (document, TRUE, _("Draft — not valid"),
                                _("This prescription has not been signed. It may not be dispensed."));

  clinic_document_add_heading (document, _("Patient"));
  clinic_document_add_key_value (document, _("Name"), name);
  clinic_document_add_key_value (document, _("Date of birth"), p->birth_date);
  clinic_document_add_key_value (document, _("Chart number"), p->chart_number);
  add_if_set (document, _("Address"), p->address);
  add_if_set (document, _("Insurance ID"), p->insurance_id);

  switch (self->allergy_state)
    {
    case CLINIC_ALLERGIES_RECORDED:
      clinic_document_add_notice (document, TRUE, _("Allergies"), self->allergies);
      break;
    case CLINIC_ALLERGIES_NONE_KNOWN:
      clinic_document_add_key_value (document, _("Allergies"), _("No known allergies"));
      break;
    case CLINIC_ALLERGIES_NOT_RECORDED:
    default:
      clinic_document_add_key_value (document, _("Allergies"), _("Not recorded"));
      break;
    }

  clinic_document_add_heading (document, _("Medicine"));
  clinic_document_add_paragraph (document, CLINIC_TEXT_HEADING, medicine);
  add_if_set (document, _("Dose"), rx->dose);
  add_if_set (document, _("Route"), rx->route);
  add_if_set (document, _("Frequency"), rx->frequency);
  add_if_set (document, _("Duration"), rx->duration);
  add_if_set (document, _("Quantity"), rx->quantity);
  clinic_document_add_key_value (document, _("Refills"), refills);
  add_if_set (document, _("Instructions"), rx->instructions);

  clinic_document_add_heading (document, _("Prescriber"));
  clinic_document_add_key_value (document, _("Name"), rx->prescriber_name);
  if (rx->signed_at != 0)
    {
      g_autofree char *when = format_time (rx->signed_at);
      g_autofree char *fingerprint = g_strndup (rx->signature != NULL ? rx->signature : "", 16);

      clinic_document_add_key_value (document, _("Signed in Clinic"), when);
      clinic_document_add_key_value (document, _("Signature ID"), fingerprint);
    }
  clinic_document_add_space (document, 24);
  clinic_document_add_sign_lines (document, captions);
}

static void
clinic_prescription_sheet_finalize (GObject *object)
{
  ClinicPrescriptionSheet *self = CLINIC_PRESCRIPTION_SHEET (object);

  g_free (self->clinic_name);
  g_free (self->clinic_address);
  g_free (self->clinic_phone);
  g_clear_pointer (&self->patient, clinic_patient_free);
  g_clear_pointer (&self->prescription, clinic_prescription_free);
  g_free (self->allergies);
  G_OBJECT_CLASS (clinic_prescription_sheet_parent_class)->finalize (object);
}

static void
clinic_prescription_sheet_class_init (ClinicPrescriptionSheetClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = clinic_prescription_sheet_finalize;
  CLINIC_DOCUMENT_CLASS (klass)->build = clinic_prescription_sheet_build;
}

static void
clinic_prescription_sheet_init (ClinicPrescriptionSheet *self)
{
}

ClinicPrescriptionSheet *
clinic_prescription_sheet_new (const ClinicLetterhead   *letterhead,
                               const ClinicPatient      *patient,
                               const ClinicPrescription *prescription,
                               GPtrArray                *allergies,
                               ClinicAllergyState        allergy_state)
{
  ClinicPrescriptionSheet *self;
  g_autoptr(GString) list = g_string_new (NULL);
  g_autofree char *title = NULL;

  g_return_val_if_fail (letterhead != NULL && patient != NULL && prescription != NULL, NULL);

  self = g_object_new (CLINIC_TYPE_PRESCRIPTION_SHEET, NULL);
  self->clinic_name = g_strdup (letterhead->name != NULL ? letterhead->name : "");
  self->clinic_address = g_strdup (letterhead->address);
  self->clinic_phone = g_strdup (letterhead->phone);
  self->patient = clinic_patient_copy (patient);
  self->prescription = clinic_prescription_copy (prescription);
  self->allergy_state = allergy_state;
  for (guint i = 0; allergies != NULL && i < allergies->len; i++)
    {
      const ClinicAllergy *a = allergies->pdata[i];

      if (list->len > 0)
        g_string_append (list, "; ");
      /* Translators: an allergy on a prescription: substance (severity) */
      g_string_append_printf (list, _("%s (%s)"), a->substance, clinic_severity_to_string (a->severity));
      if (*a->reaction != '\0')
        g_string_append_printf (list, " — %s", a->reaction);
    }
  self->allergies = g_string_free (g_steal_pointer (&list), FALSE);

  /* Translators: the title of a prescription document: drug, patient */
  title = g_strdup_printf (_("Prescription %s — %s %s"), prescription->drug, patient->given_names,
                           patient->family_name);
  clinic_document_set_title (CLINIC_DOCUMENT (self), title);
  return self;
}
