/* clinic-permissions.h — the fixed catalogue of permissions
 *
 * A role is a set of these. The ids are stored in role_permissions and
 * never change meaning; new permissions are added at the end.
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  CLINIC_PERMISSION_PATIENTS_CONTACT_READ,
  CLINIC_PERMISSION_PATIENTS_CONTACT_WRITE,
  CLINIC_PERMISSION_CHART_READ,
  CLINIC_PERMISSION_CHART_WRITE,
  CLINIC_PERMISSION_PRESCRIPTIONS_WRITE,
  CLINIC_PERMISSION_PATIENTS_MERGE,
  CLINIC_PERMISSION_PATIENTS_ALL,
  CLINIC_PERMISSION_SCHEDULE_OWN,
  CLINIC_PERMISSION_SCHEDULE_ALL,
  CLINIC_PERMISSION_SCHEDULE_OVERRIDE,
  CLINIC_PERMISSION_BILLING,
  CLINIC_PERMISSION_REPORTS,
  CLINIC_PERMISSION_MESSAGES,
  CLINIC_PERMISSION_SETTINGS,
  CLINIC_PERMISSION_USERS,
  CLINIC_PERMISSION_AUDIT,
  CLINIC_PERMISSION_EXPORT,
  CLINIC_PERMISSION_BACKUPS,
  CLINIC_PERMISSION_KIOSK_START,
  CLINIC_N_PERMISSIONS
} ClinicPermission;

/* The stable id ("chart.read"). (transfer none) */
const char *clinic_permission_get_id    (ClinicPermission  permission);

/* What it allows, in a sentence for the Profiles matrix. (transfer none,
 * translated) */
const char *clinic_permission_get_title (ClinicPermission  permission);

/* The permission with @id; FALSE for an unknown id. */
gboolean    clinic_permission_from_id   (const char       *id,
                                         ClinicPermission *permission);

G_END_DECLS
