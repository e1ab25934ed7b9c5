/* clinic-recovery-sheet.h — the page that holds the database's recovery key */

#pragma once

#include "clinic-document.h"

G_BEGIN_DECLS

#define CLINIC_TYPE_RECOVERY_SHEET (clinic_recovery_sheet_get_type ())

G_DECLARE_FINAL_TYPE (ClinicRecoverySheet, clinic_recovery_sheet, CLINIC, RECOVERY_SHEET,
                      ClinicDocument)

/*
 * clinic_recovery_sheet_new:
 * @clinic_name: the clinic's name, as the letterhead shows it
 * @database_path: the database file the key opens (any bytes; shown as
 *   the file system's display name)
 * @created: when the database, or its current keys, were made
 * @recovery_key: 14 groups of 5 characters joined by '-', as
 *   clinic_recovery_key_format() returns it
 *
 * One page on A4 and on Letter that says what the key is, shows it in
 * numbered groups, tells how to keep it and leaves room to sign.
 *
 * The sheet keeps its own copy of @recovery_key and wipes it when it is
 * finalized; the caller wipes its own. Pango and cairo hold the groups
 * while a page is being laid out or drawn: keep the sheet only as long as
 * it is shown or printed.
 *
 * Returns: (transfer full): a new sheet, or NULL if @recovery_key is not
 * in that form (a programmer error).
 */
ClinicRecoverySheet *clinic_recovery_sheet_new               (const char          *clinic_name,
                                                              const char          *database_path,
                                                              GDateTime           *created,
                                                              const char          *recovery_key);

/* Returns: (transfer none). */
const char          *clinic_recovery_sheet_get_clinic_name   (ClinicRecoverySheet *self);

/* Returns: (transfer none). */
const char          *clinic_recovery_sheet_get_database_path (ClinicRecoverySheet *self);

/* Returns: (transfer none). */
GDateTime           *clinic_recovery_sheet_get_created       (ClinicRecoverySheet *self);

G_END_DECLS
