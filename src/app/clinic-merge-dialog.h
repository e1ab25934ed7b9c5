/* clinic-merge-dialog.h — merging a duplicate patient record
 *
 * Opened on a patient of the registry: the person picks the other record
 * (likely duplicates first, or searched; each shown with date of birth
 * and chart number), sees both records side by side with what would move,
 * and confirms with a destructive Merge. The core does the merge in one
 * transaction (clinic-patient-merge.h).
 */

#pragma once

#include <adwaita.h>

#include "clinic-patients.h"

G_BEGIN_DECLS

#define CLINIC_TYPE_MERGE_DIALOG (clinic_merge_dialog_get_type ())

G_DECLARE_FINAL_TYPE (ClinicMergeDialog, clinic_merge_dialog, CLINIC, MERGE_DIALOG, AdwWindow)

/* A dialog for merging another record into @keep (as listed; copied),
 * listing the records that look like it first. Emits "merged" (gint64
 * kept id, gint64 merged id, gint64 rows moved) and closes after a
 * merge. */
ClinicMergeDialog *clinic_merge_dialog_new     (GtkWindow           *parent,
                                                ClinicSession       *session,
                                                const ClinicPatient *keep);

/* The candidates listed now (the rows' titles and subtitles are the
 * records' names, dates of birth and chart numbers). (transfer none) */
GtkListBox        *clinic_merge_dialog_get_candidates (ClinicMergeDialog *self);

/* Shows the preview of merging @merge_id (as activating its row does);
 * FALSE with the error shown when the core refuses. */
gboolean           clinic_merge_dialog_choose  (ClinicMergeDialog *self,
                                                gint64             merge_id);

/* Runs a search for candidates now, as typing @query would. */
void               clinic_merge_dialog_search  (ClinicMergeDialog *self,
                                                const char        *query);

G_END_DECLS
