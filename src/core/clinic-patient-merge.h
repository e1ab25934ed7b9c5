/* clinic-patient-merge.h — merging a duplicate patient record into another
 *
 * Two records of one person (registered twice) become one: every row that
 * points at the record merged away moves to the record kept, found at run
 * time from the schema (every foreign key that references patients, so a
 * table added later is carried without a change here), plus the patient
 * account (users.patient_id, which predates the patients table and has no
 * foreign key). The survivor's EMPTY contact fields are filled from the
 * other record; nothing is overwritten. The record merged away is never
 * deleted: it stays, inactive, pointing at the survivor (merged_into), so
 * it can still be opened for the audit. The audit trail itself is never
 * rewritten: its entries keep the patient they were written for.
 *
 * Both calls need patients.merge and a staff session.
 */

#pragma once

#include "clinic-patients.h"

G_BEGIN_DECLS

typedef struct
{
  char     *table;       /* "documents"; "users" for the patient account */
  char     *column;      /* "patient_id" */
  char     *label;       /* "Documents", translated; a generic label for an unknown table */
  gint64    count;       /* rows of the record merged away that move */
  gboolean  conflict;    /* both records have a row that may exist once per patient */
} ClinicMergeLink;

typedef struct
{
  const char *field;     /* "phone" (static) */
  char       *label;     /* "Phone", translated */
  char       *keep_value;
  char       *merge_value;
  gboolean    fill;      /* empty on the record kept: the other's value is copied */
} ClinicMergeField;

typedef struct
{
  ClinicPatient *keep;     /* the record kept (treatment NULL without chart.read) */
  ClinicPatient *merge;    /* the record merged away */
  GPtrArray     *links;    /* ClinicMergeLink: every linked table, also those with nothing to move */
  GPtrArray     *fields;   /* ClinicMergeField: the fields in which the two differ */
  char          *blocker;  /* why the merge cannot be done as things are, or NULL */
} ClinicMergePreview;

#define CLINIC_TYPE_MERGE_PREVIEW (clinic_merge_preview_get_type ())

GType               clinic_merge_preview_get_type (void) G_GNUC_CONST;
ClinicMergePreview *clinic_merge_preview_copy     (const ClinicMergePreview *preview);
void                clinic_merge_preview_free     (ClinicMergePreview       *preview);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ClinicMergePreview, clinic_merge_preview_free)

/* The sum of the links' counts: how many rows the merge moves. */
gint64              clinic_merge_preview_count_moved (const ClinicMergePreview *preview);

/*
 * clinic_patients_merge_preview:
 *
 * What merging @merge_id into @keep_id would do, changing nothing: both
 * records, per linked table the rows that would move, and the fields that
 * differ (which of them would be filled). A merge that cannot be done as
 * things are (both records have a row of a once-per-patient table, or
 * both have an active patient account) is described, with ->blocker set.
 * Errors: INVALID for the same id twice, NOT_FOUND for an unknown id,
 * CONFLICT when either record has been merged already. Audited
 * "patients.merge-previewed" (it shows both records). (transfer full)
 */
ClinicMergePreview *clinic_patients_merge_preview (ClinicSession  *session,
                                                   gint64          keep_id,
                                                   gint64          merge_id,
                                                   GError        **error);

/*
 * clinic_patients_merge:
 *
 * Merges @merge_id into @keep_id in one transaction: every linked row
 * moves (exactly the preview's counts), the survivor's empty fields are
 * filled, the other record becomes inactive with merged_into set, and one
 * audit entry "patients.merged" names both ids and the counts. All of it
 * or nothing: on any error nothing has changed. Errors as for the
 * preview, and CONFLICT with the preview's blocker.
 */
gboolean            clinic_patients_merge         (ClinicSession  *session,
                                                   gint64          keep_id,
                                                   gint64          merge_id,
                                                   GError        **error);

G_END_DECLS
