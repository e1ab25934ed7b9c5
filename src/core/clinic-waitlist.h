/* clinic-waitlist.h — patients waiting for an earlier slot
 *
 * The front desk keeps a list of patients who would come sooner if a
 * slot came free: for a doctor (or any), a visit type, with the times
 * they prefer (free text) and an urgency. When an appointment is
 * cancelled, clinic_waitlist_matches_for() names the entries that could
 * take its slot, so the front desk can offer it.
 *
 * Permissions: staff with SCHEDULE_ALL only (patients never see the
 * list). Every change is audited ("waitlist.added", "waitlist.removed",
 * "waitlist.booked").
 */

#pragma once

#include "clinic-session.h"

G_BEGIN_DECLS

typedef enum
{
  CLINIC_WAITLIST_ROUTINE,
  CLINIC_WAITLIST_SOON,
  CLINIC_WAITLIST_URGENT,
} ClinicWaitlistUrgency;

/* "Routine", "Soon", "Urgent", translated. */
const char *clinic_waitlist_urgency_to_string (ClinicWaitlistUrgency urgency);

typedef struct
{
  gint64                 id;
  gint64                 patient_id;
  gint64                 provider_id;     /* 0: any doctor */
  gint64                 visit_type_id;
  char                  *preferred;       /* "mornings", "not Fridays" */
  ClinicWaitlistUrgency  urgency;
  gint64                 created_at;
  /* For lists, joined: */
  char                  *patient_name;    /* "Family, Given" */
  char                  *patient_chart;
  char                  *provider_name;   /* "" for any doctor */
  char                  *visit_type;
  int                    duration_min;
} ClinicWaitlistEntry;

ClinicWaitlistEntry *clinic_waitlist_entry_new  (void);
void                 clinic_waitlist_entry_free (ClinicWaitlistEntry *entry);

/* Puts @entry's patient on the list (patient, provider or 0, visit type,
 * preferred, urgency; the rest is ignored) and returns the new id.
 * CLINIC_ERROR_NOT_FOUND for an unknown patient, doctor or visit type,
 * CLINIC_ERROR_INVALID for a bad urgency or text, CLINIC_ERROR_CONFLICT
 * when the patient already waits for the same doctor and visit type. */
gint64     clinic_waitlist_add          (ClinicSession              *session,
                                         const ClinicWaitlistEntry  *entry,
                                         GError                    **error);

/* The waiting entries, most urgent first, then the longest waiting.
 * (element-type ClinicWaitlistEntry) */
GPtrArray *clinic_waitlist_list         (ClinicSession              *session,
                                         GError                    **error);

/* Takes a waiting entry off the list: removed (no longer wanted) or
 * booked (offered a slot and took it). CLINIC_ERROR_NOT_FOUND when
 * @id is not waiting. */
gboolean   clinic_waitlist_remove       (ClinicSession              *session,
                                         gint64                      id,
                                         GError                    **error);
gboolean   clinic_waitlist_mark_booked  (ClinicSession              *session,
                                         gint64                      id,
                                         GError                    **error);

/* The waiting entries that could take the slot of appointment
 * @appointment_id (cancelled or not): for its doctor or any doctor, of
 * its visit type or of any visit type that fits in its time; in the
 * order of clinic_waitlist_list(). The appointment's own patient is
 * left out. (element-type ClinicWaitlistEntry) */
GPtrArray *clinic_waitlist_matches_for  (ClinicSession              *session,
                                         gint64                      appointment_id,
                                         GError                    **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ClinicWaitlistEntry, clinic_waitlist_entry_free)

G_END_DECLS
