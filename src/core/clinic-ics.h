/* clinic-ics.h — appointments to and from iCalendar (.ics) files
 *
 * Export: one VEVENT per appointment (they are rows; no RRULE), with a
 * VTIMEZONE of the clinic's zone and DTSTART/DTEND in it, a stable UID
 * ("appt-ID@" the database's own random name), DTSTAMP, SEQUENCE and
 * STATUS. What an event shows is a choice, since the file leaves the
 * clinic: "busy" (SUMMARY Busy, CLASS:PRIVATE, nothing about the
 * patient), "initials" (visit type and the patient's initials) or
 * "full" (visit type, patient name, chart number, reason).
 *
 * Import: files are read with libical after limits of their own (size,
 * number of components, nesting, UTF-8), every event needs a UID and a
 * DTSTART whose TZID the file or libical knows. Events become
 * appointments or blocked time of one doctor, all or nothing, after a
 * preview. The patient of an event is the one the caller chooses, else
 * the one of the chart number a "full" export carries, else the one
 * patient with the event's name and date of birth (what a calendar
 * program's event typed by hand carries: "Jane Doe" or "Doe, Jane" in
 * the SUMMARY or a "Patient:" line, "Date of birth: 1980-02-03" or
 * "DOB: 03.02.1980" in the DESCRIPTION), else, without a date of birth,
 * the one active patient of that exact name, marked for the front desk
 * to check. The visit type is the caller's or the event's by name.
 *
 * Permissions: exporting needs SCHEDULE_ALL (or SCHEDULE_OWN for one's
 * own appointments), and EXPORT too for "initials" and "full"; importing
 * needs SCHEDULE_ALL.
 */

#pragma once

#include "clinic-appointments.h"

G_BEGIN_DECLS

typedef enum
{
  CLINIC_ICS_BUSY,
  CLINIC_ICS_INITIALS,
  CLINIC_ICS_FULL,
} ClinicIcsDetail;

/* "busy", "initials", "full". */
const char *clinic_ics_detail_to_key   (ClinicIcsDetail   detail);
gboolean    clinic_ics_detail_from_key (const char       *key,
                                        ClinicIcsDetail  *detail);

/* Limits of what an import reads. */
#define CLINIC_ICS_MAX_BYTES      (4 * 1024 * 1024)
#define CLINIC_ICS_MAX_COMPONENTS 5000
#define CLINIC_ICS_MAX_DEPTH      4

/* The VCALENDAR text of @appointments (ClinicAppointment, as listed;
 * @sequences, when not NULL, their SEQUENCE numbers) in
 * the zone @tzid (an Olson name; UTC times when libical does not know
 * it), UIDs "appt-ID@@uid_domain". Events of cancelled and no-show
 * appointments say STATUS:CANCELLED. */
char       *clinic_ics_format          (GPtrArray        *appointments,
                                        const int        *sequences,
                                        const char       *tzid,
                                        const char       *uid_domain,
                                        ClinicIcsDetail   detail,
                                        gint64            now,
                                        GError          **error);

typedef enum
{
  CLINIC_ICS_EVENT_NEW,        /* imports as a new appointment or block */
  CLINIC_ICS_EVENT_UPDATE,     /* moves an earlier import (same UID) */
  CLINIC_ICS_EVENT_CONFLICT,   /* overlaps, or cannot be booked */
  CLINIC_ICS_EVENT_UNMATCHED,  /* no patient or visit type for it */
  CLINIC_ICS_EVENT_SKIPPED,    /* nothing to do: cancelled with nothing to
                                * cancel here, or an earlier import unchanged */
} ClinicIcsEventState;

typedef struct
{
  char                     *uid;
  gint64                    starts_at;
  gint64                    ends_at;     /* 0: not given */
  gboolean                  all_day;
  gboolean                  cancelled;   /* STATUS:CANCELLED */
  gboolean                  confirmed;   /* STATUS:CONFIRMED */
  char                     *summary;
  char                     *description;
  char                     *chart_number; /* X-CLINIC-CHART-NUMBER, or "" */
  char                     *visit_type;   /* X-CLINIC-VISIT-TYPE, or "" */
  char                     *reason;       /* X-CLINIC-REASON, or "" */
  char                     *patient_name; /* as the event names the patient, or "" */
  char                     *birth_date;   /* the patient's, ISO "1980-02-03", or "" */
  char                     *location;     /* LOCATION (our export: the room), or "" */
  /* Filled by clinic_ics_preview(): */
  ClinicIcsEventState       state;
  char                     *problem;     /* why, for a conflict or unmatched */
  gint64                    patient_id;
  gboolean                  by_name_only; /* the patient matched by name alone,
                                           * no chart number or date of birth:
                                           * for a person to check */
  gint64                    visit_type_id;
  gint64                    room_id;      /* the clinic's room LOCATION names, or 0 */
  gint64                    existing_id; /* the earlier import, for an update */
} ClinicIcsEvent;

void        clinic_ics_event_free      (ClinicIcsEvent   *event);

/* Reads the VEVENTs of an .ics file (@data, @length bytes); floating
 * times are in @tz. Refused with CLINIC_ERROR_INVALID and the reason: too
 * large, not UTF-8, too many components or nested too deep, not a
 * VCALENDAR, an event without UID or DTSTART, an unknown TZID, an end
 * before the start. (element-type ClinicIcsEvent) */
GPtrArray  *clinic_ics_parse           (const char       *data,
                                        gsize             length,
                                        GTimeZone        *tz,
                                        GError          **error);

/* Writes @provider_id's (0: every doctor's) appointments starting in
 * [@from, @to) to @path, atomically and readable by its owner only.
 * Returns the number of events, -1 on error. Audited "calendar.exported". */
gint64      clinic_ics_export          (ClinicSession    *session,
                                        gint64            provider_id,
                                        gint64            from,
                                        gint64            to,
                                        ClinicIcsDetail   detail,
                                        const char       *path,
                                        GError          **error);

typedef struct
{
  gint64    provider_id;    /* the doctor the events are for (required) */
  gint64    patient_id;     /* 0: by each event's chart number, or its
                             * patient's name and date of birth */
  gint64    visit_type_id;  /* 0: by each event's visit type name */
  gboolean  blocked;        /* import as blocked time, not appointments */
} ClinicIcsImport;

/* The events of @data with their state for @options, nothing written.
 * (element-type ClinicIcsEvent) */
GPtrArray  *clinic_ics_preview         (ClinicSession          *session,
                                        const char             *data,
                                        gsize                   length,
                                        const ClinicIcsImport  *options,
                                        GError                **error);

/* Imports @data as @options say, all or nothing: any event in conflict or
 * unmatched refuses the file (CLINIC_ERROR_CONFLICT, naming the first).
 * Cancelled events are left out, except that they cancel an earlier
 * import; confirmed ones are imported confirmed, the others booked. Returns the number of events imported or updated, -1 on
 * error. */
gint64      clinic_ics_import          (ClinicSession          *session,
                                        const char             *data,
                                        gsize                   length,
                                        const ClinicIcsImport  *options,
                                        GError                **error);

/* The calendar folder (settings "calendar.export-folder" and
 * "calendar.export-detail"): writes "USER.ics" for every active doctor
 * there, the appointments from CLINIC_ICS_FOLDER_PAST_DAYS ago to
 * CLINIC_ICS_FOLDER_DAYS ahead; TRUE and nothing written when the
 * setting is empty. Run after every change to the book (failures are
 * reported by a message, never fail the change); no session, since the
 * clinic chose the folder and what it shows. */
#define CLINIC_ICS_FOLDER_PAST_DAYS 30
#define CLINIC_ICS_FOLDER_DAYS      365

gboolean    clinic_ics_write_folder    (ClinicDb               *db,
                                        GError                **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ClinicIcsEvent, clinic_ics_event_free)

G_END_DECLS
