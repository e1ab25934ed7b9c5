/* clinic-schedule.h — providers, working hours, exceptions, visit types,
 * availability, and the clinic's time zone
 *
 * Working hours are minutes of the day in the clinic's time zone (setting
 * "clinic.timezone", the system's zone when unset); everything else is an
 * instant in Unix seconds. A local time that does not exist on a DST day
 * moves forward by the gap; one that exists twice takes the first.
 *
 * Permissions: reading providers, visit types and availability needs any
 * schedule permission (SCHEDULE_OWN or SCHEDULE_ALL; patients see only
 * visit types they may book); working hours and exceptions are read by
 * staff only. Changing visit types and rooms needs
 * SETTINGS; a provider's hours and exceptions need SCHEDULE_ALL, or
 * SCHEDULE_OWN for one's own.
 */

#pragma once

#include "clinic-session.h"

G_BEGIN_DECLS

/* --- Time -------------------------------------------------------------- */

/* The clinic's time zone. (transfer full) */
GTimeZone *clinic_schedule_get_timezone (ClinicDb    *db);

/* The instant of local wall time @y-@m-@d @minute (minutes after
 * midnight; 1440 is the next midnight) in @tz: the earlier one when the
 * wall time happens twice, moved forward by the gap when it does not
 * happen at all. */
gint64     clinic_local_to_unix         (GTimeZone   *tz,
                                         int          y,
                                         int          m,
                                         int          d,
                                         int          minute);

/* Parses "YYYY-MM-DD HH:MM" (or "YYYY-MM-DDTHH:MM") in @tz; FALSE with
 * CLINIC_ERROR_INVALID and a sentence when it is not one. */
gboolean   clinic_parse_local_time      (GTimeZone   *tz,
                                         const char  *text,
                                         gint64      *unix_time,
                                         GError     **error);

/* "YYYY-MM-DD HH:MM" of @unix_time in @tz. */
char      *clinic_format_local_time     (GTimeZone   *tz,
                                         gint64       unix_time);

/* --- Providers, rooms and visit types ---------------------------------- */

typedef struct
{
  gint64  user_id;
  char   *user_name;
  char   *display_name;
  gboolean active;
} ClinicProvider;

void       clinic_provider_free         (ClinicProvider *provider);

/* Active providers by display name (all with @include_inactive). */
GPtrArray *clinic_providers_list        (ClinicSession  *session,
                                         gboolean        include_inactive,
                                         GError        **error);
/* Makes the staff user @user_id a provider (or stops it); USERS. */
gboolean   clinic_providers_set         (ClinicSession  *session,
                                         gint64          user_id,
                                         gboolean        active,
                                         GError        **error);
/* The provider with sign-in name @user_name; 0 and NOT_FOUND otherwise. */
gint64     clinic_providers_lookup      (ClinicSession  *session,
                                         const char     *user_name,
                                         GError        **error);

typedef struct
{
  gint64    id;            /* 0 for a new one */
  char     *name;
  int       duration_min;
  char     *color;         /* "#rrggbb" */
  gboolean  patient_bookable;
  gboolean  active;
} ClinicVisitType;

ClinicVisitType *clinic_visit_type_new  (void);
void             clinic_visit_type_free (ClinicVisitType *type);

/* Visit types by name; patients get the active, bookable ones only. */
GPtrArray *clinic_visit_types_list      (ClinicSession          *session,
                                         gboolean                include_inactive,
                                         GError                **error);
/* Adds or changes one (SETTINGS); returns its id. */
gint64     clinic_visit_types_save      (ClinicSession          *session,
                                         const ClinicVisitType  *type,
                                         GError                **error);
/* The visit type named @name (any case), or NULL with NOT_FOUND. */
ClinicVisitType *clinic_visit_types_lookup (ClinicSession       *session,
                                            const char          *name,
                                            GError             **error);

/* A room appointments take place in. Rooms are optional: a booking
 * without one is checked against its doctor only. */
typedef struct
{
  gint64    id;            /* 0 for a new one */
  char     *name;
  gboolean  active;        /* FALSE: retired, offered for nothing new */
} ClinicRoom;

ClinicRoom      *clinic_room_new        (void);
void             clinic_room_free       (ClinicRoom *room);

/* Active rooms by name (all with @include_inactive); staff with a
 * schedule permission. (element-type ClinicRoom) */
GPtrArray *clinic_rooms_list            (ClinicSession          *session,
                                         gboolean                include_inactive,
                                         GError                **error);
/* Adds a room (@room->id 0) or renames, retires or reactivates one
 * (SETTINGS); returns its id. The name is trimmed and unique in any case
 * (CLINIC_ERROR_CONFLICT otherwise). Retiring keeps the room on the
 * appointments already booked into it; it is only not offered for new
 * ones. Audited "room.added" or "room.changed". */
gint64     clinic_rooms_save            (ClinicSession          *session,
                                         const ClinicRoom       *room,
                                         GError                **error);
/* The room of @rooms (element-type ClinicRoom; may be NULL) named @name
 * in any case (Unicode case folding), or NULL. (transfer none) */
const ClinicRoom *clinic_rooms_find     (GPtrArray              *rooms,
                                         const char             *name);
/* The room named @name (any case), retired ones too, or NULL with
 * NOT_FOUND. */
ClinicRoom *clinic_rooms_lookup         (ClinicSession          *session,
                                         const char             *name,
                                         GError                **error);

/* --- Working hours and exceptions --------------------------------------- */

typedef struct
{
  int     weekday;     /* ISO: 1 Monday … 7 Sunday */
  int     start_min;   /* minutes after local midnight */
  int     end_min;
  gint64  room_id;     /* 0: none */
} ClinicHoursBlock;

/* The provider's week, by weekday and start. (element-type ClinicHoursBlock) */
GArray    *clinic_schedule_get_hours    (ClinicSession  *session,
                                         gint64          provider_id,
                                         GError        **error);
/* The room a booking of @provider_id at @start takes when it names
 * none: that of the working-hours block @start falls in, unless
 * retired; 0 for none, -1 on error. Read as clinic_schedule_get_hours(). */
gint64     clinic_schedule_room_at      (ClinicSession  *session,
                                         gint64          provider_id,
                                         gint64          start,
                                         GError        **error);
/* Replaces the provider's week with @blocks (overlapping blocks of one day
 * are refused; a block's room must exist and not be retired). A booking
 * without a room takes the room of the block it starts in, so two
 * doctors sharing a room are not booked into it at once. Audited
 * "schedule.hours-changed". */
gboolean   clinic_schedule_set_hours    (ClinicSession  *session,
                                         gint64          provider_id,
                                         GArray         *blocks,
                                         GError        **error);

typedef enum
{
  CLINIC_EXCEPTION_OFF,     /* a day off, a holiday: no hours */
  CLINIC_EXCEPTION_BLOCK,   /* blocked time inside the hours */
  CLINIC_EXCEPTION_EXTRA,   /* extra hours outside the week */
} ClinicExceptionKind;

typedef struct
{
  gint64               id;
  gint64               provider_id;   /* 0: the whole clinic */
  ClinicExceptionKind  kind;
  gint64               starts_at;
  gint64               ends_at;
  char                *reason;
} ClinicScheduleException;

void       clinic_schedule_exception_free (ClinicScheduleException *exception);
/* A deep copy of @exception (to add it again after a removal, for one).
 * (transfer full) */
ClinicScheduleException *clinic_schedule_exception_copy (const ClinicScheduleException *exception);

gint64     clinic_schedule_add_exception  (ClinicSession                  *session,
                                           const ClinicScheduleException  *exception,
                                           GError                        **error);
gboolean   clinic_schedule_remove_exception (ClinicSession               *session,
                                             gint64                       exception_id,
                                             GError                     **error);
/* Exceptions of @provider_id (and the clinic's) overlapping [@from, @to). */
GPtrArray *clinic_schedule_list_exceptions (ClinicSession                 *session,
                                            gint64                         provider_id,
                                            gint64                         from,
                                            gint64                         to,
                                            GError                       **error);

/* --- Availability -------------------------------------------------------- */

typedef struct
{
  gint64 provider_id;
  gint64 starts_at;
  gint64 ends_at;
} ClinicSlot;

/* Free slots of @visit_type_id for @provider_id (0: every provider) from
 * local day @from to local day @to (ISO dates, inclusive): working hours
 * and extra hours, minus days off, blocks and active appointments (the
 * doctor's own, and other doctors' in the room the hours put the doctor
 * in), cut into slots of the visit type's length on a grid of
 * CLINIC_SLOT_STEP_MIN minutes, never in the past. By start, then
 * provider. (element-type ClinicSlot) */
#define CLINIC_SLOT_STEP_MIN 15

GArray    *clinic_schedule_availability (ClinicSession  *session,
                                         gint64          provider_id,
                                         gint64          visit_type_id,
                                         const char     *from,
                                         const char     *to,
                                         GError        **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ClinicProvider, clinic_provider_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ClinicVisitType, clinic_visit_type_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ClinicRoom, clinic_room_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ClinicScheduleException, clinic_schedule_exception_free)

G_END_DECLS
