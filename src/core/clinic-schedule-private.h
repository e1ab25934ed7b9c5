/* clinic-schedule-private.h — what the appointments code shares with the
 * schedule's */

#pragma once

#include <glib.h>

#include "clinic-db.h"
#include "clinic-schedule.h"

G_BEGIN_DECLS

/* An interval [start, end) in Unix seconds; lists of them are kept
 * sorted and disjoint. */
typedef struct
{
  gint64 start;
  gint64 end;
} ClinicSpan;

gboolean         clinic_schedule_require_read     (ClinicSession  *session,
                                                   GError        **error);
gboolean         clinic_schedule_require_staff_read (ClinicSession *session,
                                                    GError       **error);
gboolean         clinic_schedule_require_provider (ClinicSession  *session,
                                                   gint64          provider_id,
                                                   GError        **error);
gboolean         clinic_schedule_check_provider   (ClinicDb       *db,
                                                   gint64          provider_id,
                                                   GError        **error);
/* TRUE when room @room_id exists and is not retired; NOT_FOUND or
 * INVALID (naming the room) otherwise. */
gboolean         clinic_schedule_check_room       (ClinicDb       *db,
                                                   gint64          room_id,
                                                   GError        **error);
/* The room of @provider_id's working-hours block that @start falls in
 * (local weekday and time in @tz); 0 when none has one. */
gboolean         clinic_schedule_hours_room       (ClinicDb       *db,
                                                   GTimeZone      *tz,
                                                   gint64          provider_id,
                                                   gint64          start,
                                                   gint64         *room_id,
                                                   GError        **error);
/* The rooms by name, retired ones too with @include_inactive.
 * (element-type ClinicRoom) */
GPtrArray       *clinic_schedule_read_rooms       (ClinicDb       *db,
                                                   gboolean        include_inactive,
                                                   GError        **error);
ClinicVisitType *clinic_schedule_fetch_visit_type (ClinicDb       *db,
                                                   gint64          id,
                                                   GError        **error);
/* May @session book a new visit of @type? Not once it is retired (its
 * appointments keep it), nor at the kiosk unless patients may book it. */
gboolean         clinic_schedule_check_bookable   (ClinicSession          *session,
                                                   const ClinicVisitType  *type,
                                                   GError                **error);
GArray          *clinic_schedule_read_hours       (ClinicDb       *db,
                                                   gint64          provider_id,
                                                   GError        **error);
GPtrArray       *clinic_schedule_read_exceptions  (ClinicDb       *db,
                                                   gint64          provider_id,
                                                   gint64          from,
                                                   gint64          to,
                                                   GError        **error);
/* (element-type ClinicSpan) */
GArray          *clinic_schedule_working_spans    (ClinicDb       *db,
                                                   GTimeZone      *tz,
                                                   gint64          provider_id,
                                                   GDate          *first,
                                                   GDate          *last,
                                                   GError        **error);

G_END_DECLS
