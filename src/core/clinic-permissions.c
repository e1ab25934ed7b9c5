/* clinic-permissions.c — the fixed catalogue of permissions */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "clinic-error.h"
#include "clinic-permissions.h"

G_DEFINE_QUARK (clinic-error-quark, clinic_error)

static const struct
{
  const char *id;
  const char *title;
} catalogue[CLINIC_N_PERMISSIONS] = {
  [CLINIC_PERMISSION_PATIENTS_CONTACT_READ]  = { "patients.contact.read",  N_("See patients’ names and contact details") },
  [CLINIC_PERMISSION_PATIENTS_CONTACT_WRITE] = { "patients.contact.write", N_("Register patients and change their contact details") },
  [CLINIC_PERMISSION_CHART_READ]             = { "chart.read",             N_("Read the clinical chart") },
  [CLINIC_PERMISSION_CHART_WRITE]            = { "chart.write",            N_("Write visit notes, allergies and other chart entries") },
  [CLINIC_PERMISSION_PRESCRIPTIONS_WRITE]    = { "prescriptions.write",    N_("Prescribe") },
  [CLINIC_PERMISSION_PATIENTS_MERGE]         = { "patients.merge",         N_("Merge duplicate patients") },
  [CLINIC_PERMISSION_PATIENTS_ALL]           = { "patients.all",           N_("Work with every patient, not only one’s own") },
  [CLINIC_PERMISSION_SCHEDULE_OWN]           = { "schedule.own",           N_("See and manage one’s own appointments") },
  [CLINIC_PERMISSION_SCHEDULE_ALL]           = { "schedule.all",           N_("See and manage everyone’s appointments") },
  [CLINIC_PERMISSION_SCHEDULE_OVERRIDE]      = { "schedule.override",      N_("Book outside working hours or over another booking") },
  [CLINIC_PERMISSION_BILLING]                = { "billing",                N_("Invoices, payments and refunds") },
  [CLINIC_PERMISSION_REPORTS]                = { "reports",                N_("Reports") },
  [CLINIC_PERMISSION_MESSAGES]               = { "messages",               N_("Messages") },
  [CLINIC_PERMISSION_SETTINGS]               = { "settings",               N_("Change the clinic’s settings") },
  [CLINIC_PERMISSION_USERS]                  = { "users",                  N_("Manage users, roles and permissions") },
  [CLINIC_PERMISSION_AUDIT]                  = { "audit",                  N_("Read and check the audit trail") },
  [CLINIC_PERMISSION_EXPORT]                 = { "export",                 N_("Export and print patient data") },
  [CLINIC_PERMISSION_BACKUPS]                = { "backups",                N_("Back up, restore, verify and change the database keys") },
  [CLINIC_PERMISSION_KIOSK_START]            = { "kiosk.start",            N_("Start the patient kiosk") },
};

const char *
clinic_permission_get_id (ClinicPermission permission)
{
  g_return_val_if_fail (permission < CLINIC_N_PERMISSIONS, NULL);

  return catalogue[permission].id;
}

const char *
clinic_permission_get_title (ClinicPermission permission)
{
  g_return_val_if_fail (permission < CLINIC_N_PERMISSIONS, NULL);

  return _(catalogue[permission].title);
}

gboolean
clinic_permission_from_id (const char       *id,
                           ClinicPermission *permission)
{
  for (guint i = 0; i < CLINIC_N_PERMISSIONS; i++)
    if (g_strcmp0 (catalogue[i].id, id) == 0)
      {
        *permission = (ClinicPermission) i;
        return TRUE;
      }

  return FALSE;
}
