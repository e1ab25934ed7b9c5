/* clinic-users-private.h — what the core's own modules use of the
 * user accounts
 *
 * Never included from src/app. No permission checks and no audit here:
 * the caller has made the checks and writes the audit entry, inside the
 * write transaction it holds (clinic-registration.c makes a patient
 * account this way, in the same transaction as the patient record).
 */

#pragma once

#include "clinic-db-private.h"
#include "clinic-users.h"

G_BEGIN_DECLS

/* Checks a new account's sign-in name, name to show and password by the
 * rules of clinic_users_create() (the password policy of the settings
 * for @kind). Needs no transaction. On success *@out_name holds the
 * normalised sign-in name and *@out_label the trimmed name to show
 * (transfer full); CLINIC_ERROR_INVALID otherwise. */
gboolean  clinic_users_check_new  (ClinicDb        *db,
                                   const char      *name,
                                   const char      *display_name,
                                   ClinicUserKind   kind,
                                   const char      *password,
                                   char           **out_name,
                                   char           **out_label,
                                   GError         **error);

/* Inside the caller's write transaction: inserts the account with the
 * checked @user_name and @label and the Argon2id @hash; a patient account
 * takes the patient role (@role_id 0) and, when @patient_id > 0, that
 * record. CONFLICT for a taken name, INVALID for a role that does not fit
 * @kind. No key slot (the caller adds one for staff). Returns the id, 0
 * on error. */
gint64    clinic_users_insert_row (ClinicDb        *db,
                                   const char      *user_name,
                                   const char      *label,
                                   ClinicUserKind   kind,
                                   gint64           role_id,
                                   const char      *hash,
                                   gint64           patient_id,
                                   GError         **error);

G_END_DECLS
