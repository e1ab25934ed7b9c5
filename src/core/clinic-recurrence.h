/* clinic-recurrence.h — recurring appointments
 *
 * A series is an RFC 5545 RRULE expanded with libical from its first
 * occurrence's local wall time in the clinic's time zone (floating
 * time: libical 3.0 iterates forward from the start only, and knows
 * nothing of the clinic's zone); each occurrence's wall time becomes an
 * instant with clinic_local_to_unix(): a time that does not exist on a
 * DST day moves forward by the gap, one that happens twice takes the
 * first. Occurrences are ordinary appointments rows with a series_id, so
 * conflict checks, views and lists see them.
 *
 * Permissions: as booking (SCHEDULE_ALL, or SCHEDULE_OWN for a doctor's
 * own appointments); patients do not book series.
 */

#pragma once

#include "clinic-appointments.h"

G_BEGIN_DECLS

typedef enum
{
  CLINIC_REPEAT_WEEKLY,            /* on the first date's weekday */
  CLINIC_REPEAT_MONTHLY_BY_DATE,   /* on the first date's day of month */
  CLINIC_REPEAT_MONTHLY_BY_WEEKDAY /* e.g. the 2nd Tuesday, as the first date */
} ClinicRepeat;

typedef struct
{
  ClinicRepeat  repeat;
  int           interval;  /* every N weeks or months, 1 … 52 */
  int           count;     /* N times (with @until NULL) */
  const char   *until;     /* "YYYY-MM-DD", the last local day (with @count 0) */
} ClinicRecurrence;

/* At most this many occurrences in one series. */
#define CLINIC_SERIES_MAX 260

/* The RRULE of @rule for a series starting on local day @first
 * ("YYYY-MM-DD HH:MM"); CLINIC_ERROR_INVALID with a sentence for a bad
 * rule. */
char      *clinic_recurrence_to_rrule  (const ClinicRecurrence  *rule,
                                        const char              *first,
                                        GError                 **error);

/* The starts (gint64 Unix seconds) of the series @rrule from the local
 * wall time @first ("YYYY-MM-DD HH:MM") in @tz. Refused: a rule libical
 * does not read, one without COUNT or UNTIL, more than CLINIC_SERIES_MAX
 * occurrences. (element-type gint64) */
GArray    *clinic_recurrence_expand    (const char              *rrule,
                                        const char              *first,
                                        GTimeZone               *tz,
                                        GError                 **error);

typedef struct
{
  gint64    starts_at;
  gint64    ends_at;
  char     *local;     /* the intended wall time, "YYYY-MM-DD HH:MM" */
  gboolean  free;      /* bookable as asked */
  char     *problem;   /* why not (the booking's sentence), else NULL */
} ClinicOccurrence;

void       clinic_occurrence_free      (ClinicOccurrence *occurrence);

/* The occurrences of a series of @first (its starts_at the first one's)
 * repeating as @rule, each checked as a booking would be (overlap,
 * working hours, blocked time, the past). Nothing is written.
 * (element-type ClinicOccurrence) */
GPtrArray *clinic_recurrence_preview   (ClinicSession           *session,
                                        const ClinicBooking     *first,
                                        const ClinicRecurrence  *rule,
                                        GError                 **error);

/* Books the series in one transaction: every occurrence, or none. With
 * @skip_conflicts, occurrences that cannot be booked are left out (at
 * least one must remain); without, any of them refuses the series with
 * "date: sentence" (CLINIC_ERROR_CONFLICT). Returns the series id, 0 on
 * error; @n_booked (may be NULL) gets the number booked. Audited per
 * occurrence as a booking and once "appointments.series-booked". */
gint64     clinic_recurrence_book      (ClinicSession           *session,
                                        const ClinicBooking     *first,
                                        const ClinicRecurrence  *rule,
                                        gboolean                 skip_conflicts,
                                        guint                   *n_booked,
                                        GError                 **error);

typedef enum
{
  CLINIC_SERIES_THIS,       /* the occurrence only */
  CLINIC_SERIES_FOLLOWING,  /* it and the later ones of its series */
  CLINIC_SERIES_ALL         /* every occurrence still to come */
} ClinicSeriesScope;

/* The appointments of @scope around appointment @id that are still to
 * happen and still booked or confirmed, by start. (element-type gint64) */
GArray    *clinic_recurrence_scope     (ClinicSession           *session,
                                        gint64                   id,
                                        ClinicSeriesScope        scope,
                                        GError                 **error);

/* Cancels the occurrences of @scope with @reason, all or none; their
 * ID#s in @cancelled (may be NULL; element-type gint64), as cancelled in
 * the transaction, for an undo. */
gboolean   clinic_recurrence_cancel    (ClinicSession           *session,
                                        gint64                   id,
                                        ClinicSeriesScope        scope,
                                        const char              *reason,
                                        GArray                 **cancelled,
                                        GError                 **error);

/* Moves the occurrences of @scope by @shift_days local days and, when
 * @minute_of_day >= 0, to that local time of day (else each keeps its
 * own), same length, each checked as a booking; all or none. */
gboolean   clinic_recurrence_reschedule (ClinicSession          *session,
                                         gint64                  id,
                                         ClinicSeriesScope       scope,
                                         int                     shift_days,
                                         int                     minute_of_day,
                                         GError                **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ClinicOccurrence, clinic_occurrence_free)

G_END_DECLS
