/* clinic-error.h — errors every core entry point can give
 *
 * Module-specific failures have their own domains (CLINIC_DB_ERROR,
 * CLINIC_KEYS_ERROR, ...); what any entry point may answer is here.
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define CLINIC_ERROR (clinic_error_quark ())

/**
 * ClinicError:
 * @CLINIC_ERROR_PERMISSION_DENIED: the session lacks the permission, or
 *   the row is outside what the session may see (another patient's)
 * @CLINIC_ERROR_NOT_FOUND: no such record
 * @CLINIC_ERROR_INVALID: a value is not acceptable; the message says why
 * @CLINIC_ERROR_CONFLICT: the change clashes with what is there (a name
 *   taken, a role still in use)
 * @CLINIC_ERROR_SIGNED_OUT: the session has ended
 * @CLINIC_ERROR_LOCKED: the record was signed and can no longer change
 *   (a visit note takes an addendum instead)
 */
typedef enum
{
  CLINIC_ERROR_PERMISSION_DENIED,
  CLINIC_ERROR_NOT_FOUND,
  CLINIC_ERROR_INVALID,
  CLINIC_ERROR_CONFLICT,
  CLINIC_ERROR_SIGNED_OUT,
  CLINIC_ERROR_LOCKED,
} ClinicError;

GQuark clinic_error_quark (void);

G_END_DECLS
