/* clinic-ics.c — appointments to and from iCalendar (.ics) files, with
 * libical */

#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <glib/gi18n-lib.h>
#include <libical/ical.h>
#include <sqlite3.h>

#include "clinic-appointments-private.h"
#include "clinic-audit-private.h"
#include "clinic-db-private.h"
#include "clinic-error.h"
#include "clinic-file.h"
#include "clinic-ics-private.h"
#include "clinic-patients-private.h"
#include "clinic-schedule-private.h"
#include "clinic-settings.h"

#define PRODID "-//Clinic//Clinic Appointments//EN"
#define X_CHART "X-CLINIC-CHART-NUMBER"
#define X_TYPE "X-CLINIC-VISIT-TYPE"
#define X_REASON "X-CLINIC-REASON"
#define X_BIRTH "X-CLINIC-BIRTH-DATE"
#define TZID_MAX 100
#define BLOCK_REASON_MAX 200

static const char *const detail_keys[] = { "busy", "initials", "full" };

const char *
clinic_ics_detail_to_key (ClinicIcsDetail detail)
{
  g_return_val_if_fail ((guint) detail < G_N_ELEMENTS (detail_keys), "busy");
  return detail_keys[detail];
}

gboolean
clinic_ics_detail_from_key (const char      *key,
                            ClinicIcsDetail *detail)
{
  for (guint i = 0; i < G_N_ELEMENTS (detail_keys); i++)
    if (g_strcmp0 (key, detail_keys[i]) == 0)
      {
        *detail = i;
        return TRUE;
      }
  return FALSE;
}

void
clinic_ics_event_free (ClinicIcsEvent *e)
{
  if (e == NULL)
    return;
  g_free (e->uid);
  g_free (e->summary);
  g_free (e->description);
  g_free (e->chart_number);
  g_free (e->visit_type);
  g_free (e->reason);
  g_free (e->patient_name);
  g_free (e->birth_date);
  g_free (e->location);
  g_free (e->problem);
  g_free (e);
}

/* libical aborts on its own errors unless told otherwise; the clinic
 * reads its answers instead. */
static void
ical_init (void)
{
  static gsize done = 0;

  if (g_once_init_enter (&done))
    {
      icalerror_set_errors_are_fatal (0);
      g_once_init_leave (&done, 1);
    }
}

/* --- Writing ----------------------------------------------------------------------- */

/* "P. S." of "Schmidt, Paula": given names first, as people are called. */
static char *
initials (const char *name)
{
  g_auto(GStrv) parts = g_strsplit (name != NULL ? name : "", ", ", 2);
  g_autoptr(GString) out = g_string_new (NULL);

  for (int k = 1; k >= 0; k--)
    if (g_strv_length (parts) > (guint) k && *g_strstrip (parts[k]) != '\0')
      {
        gunichar c = g_unichar_toupper (g_utf8_get_char (parts[k]));

        if (out->len > 0)
          g_string_append_c (out, ' ');
        g_string_append_unichar (out, c);
        g_string_append_c (out, '.');
      }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static void
add_x (icalcomponent *event,
       const char    *name,
       const char    *value)
{
  icalproperty *p;

  if (value == NULL || *value == '\0')
    return;
  p = icalproperty_new_x (value);
  icalproperty_set_x_name (p, name);
  icalcomponent_add_property (event, p);
}

/* A DTSTART or DTEND property of @instant: local time with TZID in
 * @zone, or UTC without one. */
static icalproperty *
time_property (icalproperty_kind  kind,
               gint64             instant,
               icaltimezone      *zone,
               GTimeZone         *tz,
               const char        *tzid)
{
  struct icaltimetype t = icaltime_null_time ();
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (instant);
  g_autoptr(GDateTime) local = zone != NULL ? g_date_time_to_timezone (utc, tz) : g_date_time_ref (utc);
  icalproperty *p;

  /* A wall time near a DST change is read differently by different
   * programs (libical, for one, takes the second of two equal times,
   * where RFC 5545 says the first): such times are written in UTC,
   * which every reader agrees on. */
  if (zone != NULL
      && g_time_zone_get_offset (tz, g_time_zone_find_interval (tz, G_TIME_TYPE_UNIVERSAL, instant - 7200))
         != g_time_zone_get_offset (tz, g_time_zone_find_interval (tz, G_TIME_TYPE_UNIVERSAL, instant + 7200)))
    {
      g_clear_pointer (&local, g_date_time_unref);
      local = g_date_time_ref (utc);
      zone = NULL;
    }

  t.year = g_date_time_get_year (local);
  t.month = g_date_time_get_month (local);
  t.day = g_date_time_get_day_of_month (local);
  t.hour = g_date_time_get_hour (local);
  t.minute = g_date_time_get_minute (local);
  t.second = g_date_time_get_second (local);
  t.zone = zone != NULL ? zone : icaltimezone_get_utc_timezone ();
  p = kind == ICAL_DTSTART_PROPERTY ? icalproperty_new_dtstart (t) : icalproperty_new_dtend (t);
  if (zone != NULL)
    icalproperty_add_parameter (p, icalparameter_new_tzid (tzid));
  return p;
}

char *
clinic_ics_format (GPtrArray        *appointments,
                   const int        *sequences,
                   const char       *tzid,
                   const char       *uid_domain,
                   ClinicIcsDetail   detail,
                   gint64            now,
                   GError          **error)
{
  icaltimezone *zone = NULL;
  g_autoptr(GTimeZone) tz = NULL;
  icalcomponent *calendar;
  char *text;
  char *copy;

  g_return_val_if_fail (appointments != NULL && uid_domain != NULL, NULL);

  ical_init ();
  if ((guint) detail >= G_N_ELEMENTS (detail_keys))
    {
      g_set_error_literal (error, CLINIC_ERROR, CLINIC_ERROR_INVALID, _("Unknown calendar detail."));
      return NULL;
    }
  if (tzid != NULL && *tzid != '\0' && strcmp (tzid, "UTC") != 0)
    zone = icaltimezone_get_builtin_timezone (tzid);
  if (zone != NULL)
    tz = g_time_zone_new_identifier (tzid);
  if (tz == NULL)
    zone = NULL;

  calendar = icalcomponent_vanew (ICAL_VCALENDAR_COMPONENT, icalproperty_new_version ("2.0"),
                                  icalproperty_new_prodid (PRODID), icalproperty_new_calscale ("GREGORIAN"),
                                  icalproperty_new_method (ICAL_METHOD_PUBLISH), NULL);
  if (zone != NULL)
    {
      /* libical's zone, named as the clinic names it: its own TZID has a
       * private prefix other programs would not know. */
      icalcomponent *vtimezone = icalcomponent_new_clone (icaltimezone_get_component (zone));
      icalproperty *id = icalcomponent_get_first_property (vtimezone, ICAL_TZID_PROPERTY);

      if (id != NULL)
        icalproperty_set_tzid (id, tzid);
      icalcomponent_add_component (calendar, vtimezone);
    }

  for (guint i = 0; i < appointments->len; i++)
    {
      const ClinicAppointment *a = appointments->pdata[i];
      icalcomponent *event = icalcomponent_new_vevent ();
      g_autofree char *uid = g_strdup_printf ("appt-%" G_GINT64_FORMAT "@%s", a->id, uid_domain);
      g_autofree char *summary = NULL;
      gboolean active = clinic_appointment_status_is_active (a->status);

      icalcomponent_add_property (event, icalproperty_new_uid (uid));
      icalcomponent_add_property (event, icalproperty_new_dtstamp (icaltime_from_timet_with_zone (
                                    (time_t) now, 0, icaltimezone_get_utc_timezone ())));
      icalcomponent_add_property (event, time_property (ICAL_DTSTART_PROPERTY, a->starts_at, zone, tz, tzid));
      icalcomponent_add_property (event, time_property (ICAL_DTEND_PROPERTY, a->ends_at, zone, tz, tzid));
      /* Changes since the booking: a calendar program keeps the newest. */
      icalcomponent_add_property (event, icalproperty_new_sequence (sequences != NULL ? sequences[i] : 0));
      icalcomponent_add_property (event, icalproperty_new_status (
                                    !active ? ICAL_STATUS_CANCELLED
                                    : a->status == CLINIC_APPOINTMENT_BOOKED ? ICAL_STATUS_TENTATIVE
                                    : ICAL_STATUS_CONFIRMED));
      icalcomponent_add_property (event, icalproperty_new_transp (active ? ICAL_TRANSP_OPAQUE
                                                                  : ICAL_TRANSP_TRANSPARENT));
      /* The room, for those who see more than "busy": the calendar
       * program shows it as the event's place. */
      if (detail != CLINIC_ICS_BUSY && a->room_name != NULL && *a->room_name != '\0')
        icalcomponent_add_property (event, icalproperty_new_location (a->room_name));
      switch (detail)
        {
        case CLINIC_ICS_BUSY:
          icalcomponent_add_property (event, icalproperty_new_summary (_("Busy")));
          icalcomponent_add_property (event, icalproperty_new_class (ICAL_CLASS_PRIVATE));
          break;
        case CLINIC_ICS_INITIALS:
          {
            g_autofree char *short_name = initials (a->patient_name);

            summary = g_strdup_printf ("%s – %s", a->visit_type, short_name);
            icalcomponent_add_property (event, icalproperty_new_summary (summary));
            icalcomponent_add_property (event, icalproperty_new_class (ICAL_CLASS_PRIVATE));
            add_x (event, X_TYPE, a->visit_type);
          }
          break;
        case CLINIC_ICS_FULL:
        default:
          {
            g_autoptr(GString) description = g_string_new (NULL);

            summary = g_strdup_printf ("%s: %s", a->visit_type, a->patient_name);
            icalcomponent_add_property (event, icalproperty_new_summary (summary));
            icalcomponent_add_property (event, icalproperty_new_class (ICAL_CLASS_CONFIDENTIAL));
            g_string_append_printf (description, _("Chart number: %s"), a->patient_chart);
            /* The date of birth lets another clinic, whose chart numbers
             * are its own, find the patient by name and birth. */
            if (a->patient_birth != NULL && *a->patient_birth != '\0')
              {
                g_string_append_c (description, '\n');
                g_string_append_printf (description, _("Date of birth: %s"), a->patient_birth);
              }
            if (a->reason != NULL && *a->reason != '\0')
              {
                g_string_append_c (description, '\n');
                g_string_append_printf (description, _("Reason: %s"), a->reason);
              }
            icalcomponent_add_property (event, icalproperty_new_description (description->str));
            add_x (event, X_CHART, a->patient_chart);
            add_x (event, X_BIRTH, a->patient_birth);
            add_x (event, X_TYPE, a->visit_type);
            add_x (event, X_REASON, a->reason);
          }
          break;
        }
      icalcomponent_add_component (calendar, event);
    }

  text = icalcomponent_as_ical_string_r (calendar);
  icalcomponent_free (calendar);
  if (text == NULL)
    {
      g_set_error_literal (error, CLINIC_ERROR, CLINIC_ERROR_INVALID, _("The calendar could not be written."));
      return NULL;
    }
  copy = g_strdup (text);
  free (text);
  return copy;
}

/* --- Reading ------------------------------------------------------------------------ */

/* Bounds what libical is given: components counted and their nesting
 * measured from the BEGIN and END lines (folded lines start with a
 * space and are neither). */
static gboolean
check_shape (const char  *text,
             GError     **error)
{
  const char *line = text;
  guint components = 0;
  int depth = 0;

  while (line != NULL && *line != '\0')
    {
      const char *next = strchr (line, '\n');

      if (g_ascii_strncasecmp (line, "BEGIN:", 6) == 0)
        {
          if (++components > CLINIC_ICS_MAX_COMPONENTS)
            {
              g_set_error (error, CLINIC_ERROR, CLINIC_ERROR_INVALID,
                           _("The calendar has more than %d entries."), CLINIC_ICS_MAX_COMPONENTS);
              return FALSE;
            }
          if (++depth > CLINIC_ICS_MAX_DEPTH)
            {
              g_set_error_literal (error, CLINIC_ERROR, CLINIC_ERROR_INVALID,
                                   _("The calendar’s entries are nested too deep."));
              return FALSE;
            }
        }
      else if (g_ascii_strncasecmp (line, "END:", 4) == 0)
        depth--;
      line = next != NULL ? next + 1 : NULL;
    }
  return TRUE;
}

/* The UTC offset of @zone at @instant. */
static int
zone_offset_at (icaltimezone *zone,
                gint64        instant)
{
  struct icaltimetype t = icaltime_from_timet_with_zone ((time_t) instant, 0, icaltimezone_get_utc_timezone ());

  return icaltimezone_get_utc_offset_of_utc_time (zone, &t, NULL);
}

/* The instant of wall time @t in @zone as RFC 5545 reads it: the first of
 * two equal times, a time in a gap with the offset before the gap. (What
 * libical 3.0 does itself is the other way round.) Like
 * clinic_local_to_unix(), for any zone a file defines. */
static gint64
wall_to_unix (icaltimezone        *zone,
              struct icaltimetype  t)
{
  g_autoptr(GDateTime) wall = g_date_time_new_utc (t.year, t.month, t.day, t.hour, t.minute, t.second);
  gint64 naive = g_date_time_to_unix (wall);
  int before = zone_offset_at (zone, naive - 2 * 86400);
  int after = zone_offset_at (zone, naive + 2 * 86400);
  int offsets[2] = { MAX (before, after), MIN (before, after) };
  gint64 best = G_MAXINT64;

  for (int i = 0; i < 2; i++)
    {
      gint64 candidate = naive - offsets[i];

      if (zone_offset_at (zone, candidate) == offsets[i] && candidate < best)
        best = candidate;
    }
  return best != G_MAXINT64 ? best : naive - before;
}

/* The instant of @t (a DATE-TIME or DATE of @prop in @event): in its
 * zone, UTC, or the clinic's @tz for floating and all-day times. FALSE
 * with a reason for a TZID nobody defines. */
static gboolean
to_instant (icalproperty        *prop,
            struct icaltimetype  t,
            GTimeZone           *tz,
            guint                number,
            gint64              *instant,
            GError             **error)
{
  const char *tzid = icalproperty_get_parameter_as_string (prop, "TZID");

  if (icaltime_is_null_time (t) || !icaltime_is_valid_time (t) || t.year < 1900 || t.year > 2200)
    {
      g_set_error (error, CLINIC_ERROR, CLINIC_ERROR_INVALID, _("Event %u has a date that cannot be read."), number);
      return FALSE;
    }
  if (tzid != NULL && (t.zone == NULL || strlen (tzid) > TZID_MAX))
    {
      g_set_error (error, CLINIC_ERROR, CLINIC_ERROR_INVALID,
                   _("Event %u is in a time zone the file does not define."), number);
      return FALSE;
    }
  if (t.is_date || t.zone == NULL)
    *instant = clinic_local_to_unix (tz, t.year, t.month, t.day, t.is_date ? 0 : t.hour * 60 + t.minute);
  else if (icaltime_is_utc (t))
    *instant = icaltime_as_timet (t);
  else
    *instant = wall_to_unix ((icaltimezone *) t.zone, t);
  return TRUE;
}

static char *
x_value (icalcomponent *event,
         const char    *name)
{
  for (icalproperty *p = icalcomponent_get_first_property (event, ICAL_X_PROPERTY); p != NULL;
       p = icalcomponent_get_next_property (event, ICAL_X_PROPERTY))
    if (g_ascii_strcasecmp (icalproperty_get_x_name (p), name) == 0)
      return g_strstrip (g_strdup (icalproperty_get_x (p) != NULL ? icalproperty_get_x (p) : ""));
  return g_strdup ("");
}

/* A date of birth as people write it: ISO "1980-02-03", "03.02.1980"
 * (day first, as wherever dots are written), "19800203", or the
 * locale's own form; "" when it is none of them. */
static char *
parse_birth_date (const char *text)
{
  unsigned d = 0, m = 0, y = 0;
  char tail;
  gboolean read;

  read = (sscanf (text, "%2u.%2u.%4u%c", &d, &m, &y, &tail) == 3 && strlen (text) <= 10)
         || (strlen (text) == 8 && strspn (text, "0123456789") == 8 && sscanf (text, "%4u%2u%2u", &y, &m, &d) == 3);
  if (read)
    return y >= 1000 && m >= 1 && m <= 12 && d >= 1 && d <= 31 && g_date_valid_dmy (d, m, y)
           ? g_strdup_printf ("%04u-%02u-%02u", y, m, d) : g_strdup ("");
  {
    char *iso = clinic_patient_parse_date (text);

    return iso != NULL ? iso : g_strdup ("");
  }
}

/* The text after "@label:" when @line starts with it (any case), else
 * NULL. */
static const char *
after_label (const char *line,
             const char *label)
{
  gsize n = strlen (label);
  const char *rest;

  if (n == 0 || g_ascii_strncasecmp (line, label, n) != 0)
    return NULL;
  rest = line + n;
  while (*rest == ' ')
    rest++;
  if (*rest != ':')
    return NULL;
  rest++;
  while (g_ascii_isspace (*rest))
    rest++;
  return rest;
}

/* Whether @line is "LABEL: value" for one of @labels (NULL-terminated)
 * or the translated @own label; the value, or NULL. */
static const char *
labelled (const char         *line,
          const char *const  *labels,
          const char         *own)
{
  const char *value = after_label (line, own);

  for (guint i = 0; value == NULL && labels[i] != NULL; i++)
    value = after_label (line, labels[i]);
  return value;
}

/* The patient's name and date of birth an event gives: an
 * X-CLINIC-BIRTH-DATE (our own export), or a line of the DESCRIPTION
 * such as "Date of birth: 1980-02-03"; the name from a "Patient:" or
 * "Name:" line, else the SUMMARY, after the visit type that our export
 * puts first ("Check-up: Doe, Jane"). */
static void
read_patient (ClinicIcsEvent *e,
              const char     *x_birth)
{
  static const char *const birth_labels[] = {
    "Date of birth", "DOB", "D.O.B.", "Birth date", "Birthdate", "Born", "Birthday",
    "Geburtsdatum", "Geb.", "geb", "Geboren", NULL
  };
  static const char *const name_labels[] = { "Patient", "Patient name", "Name", NULL };
  g_auto(GStrv) lines = g_strsplit (e->description, "\n", -1);
  g_autofree char *birth = NULL;
  g_autofree char *name = NULL;

  if (*x_birth != '\0')
    birth = parse_birth_date (x_birth);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *line = g_strstrip (lines[i]);
      const char *value;

      if (birth == NULL && (value = labelled (line, birth_labels, C_("calendar label", "Date of birth"))) != NULL)
        {
          g_auto(GStrv) words = g_strsplit (value, " ", 2);

          birth = parse_birth_date (words[0] != NULL ? words[0] : "");
        }
      else if (name == NULL && (value = labelled (line, name_labels, C_("calendar label", "Patient"))) != NULL
               && *value != '\0')
        name = g_strdup (value);
    }
  if (name == NULL)
    {
      const char *summary = e->summary;
      gsize type = strlen (e->visit_type);
      const char *colon;

      if (type > 0 && strncmp (summary, e->visit_type, type) == 0 && summary[type] == ':')
        summary += type + 1;
      else if ((colon = strstr (summary, ": ")) != NULL)
        summary = colon + 1;
      name = g_strdup (summary);
    }
  e->patient_name = g_strstrip (g_steal_pointer (&name));
  e->birth_date = birth != NULL ? g_steal_pointer (&birth) : g_strdup ("");
}

static ClinicIcsEvent *
read_event (icalcomponent  *event,
            GTimeZone      *tz,
            guint           number,
            GError        **error)
{
  g_autoptr(ClinicIcsEvent) e = g_new0 (ClinicIcsEvent, 1);
  icalproperty *start = icalcomponent_get_first_property (event, ICAL_DTSTART_PROPERTY);
  icalproperty *end = icalcomponent_get_first_property (event, ICAL_DTEND_PROPERTY);
  icalproperty *duration = icalcomponent_get_first_property (event, ICAL_DURATION_PROPERTY);
  const char *uid = icalcomponent_get_uid (event);
  struct icaltimetype t;

  if (uid == NULL || *uid == '\0' || strlen (uid) > 255)
    {
      g_set_error (error, CLINIC_ERROR, CLINIC_ERROR_INVALID, _("Event %u has no UID."), number);
      return NULL;
    }
  if (start == NULL)
    {
      g_set_error (error, CLINIC_ERROR, CLINIC_ERROR_INVALID, _("Event %u has no start (DTSTART)."), number);
      return NULL;
    }
  e->uid = g_strdup (uid);
  t = icalcomponent_get_dtstart (event);
  e->all_day = t.is_date;
  if (!to_instant (start, t, tz, number, &e->starts_at, error))
    return NULL;
  if (end != NULL)
    {
      if (!to_instant (end, icalcomponent_get_dtend (event), tz, number, &e->ends_at, error))
        return NULL;
    }
  else if (duration != NULL)
    e->ends_at = e->starts_at + icaldurationtype_as_int (icalproperty_get_duration (duration));
  else if (e->all_day)
    e->ends_at = e->starts_at + 86400;
  if (e->ends_at != 0 && e->ends_at <= e->starts_at)
    {
      g_set_error (error, CLINIC_ERROR, CLINIC_ERROR_INVALID, _("Event %u ends before it starts."), number);
      return NULL;
    }
  e->cancelled = icalcomponent_get_status (event) == ICAL_STATUS_CANCELLED;
  e->confirmed = icalcomponent_get_status (event) == ICAL_STATUS_CONFIRMED;
  e->summary = g_strdup (icalcomponent_get_summary (event) != NULL ? icalcomponent_get_summary (event) : "");
  e->description = g_strdup (icalcomponent_get_description (event) != NULL
                             ? icalcomponent_get_description (event) : "");
  e->location = g_strdup (icalcomponent_get_location (event) != NULL ? icalcomponent_get_location (event) : "");
  e->chart_number = x_value (event, X_CHART);
  e->visit_type = x_value (event, X_TYPE);
  e->reason = x_value (event, X_REASON);
  {
    g_autofree char *birth = x_value (event, X_BIRTH);

    read_patient (e, birth);
  }
  return g_steal_pointer (&e);
}

GPtrArray *
clinic_ics_parse (const char  *data,
                  gsize        length,
                  GTimeZone   *tz,
                  GError     **error)
{
  g_autoptr(GPtrArray) events = g_ptr_array_new_with_free_func ((GDestroyNotify) clinic_ics_event_free);
  g_autofree char *text = NULL;
  icalcomponent *root;
  const char *body;
  guint number = 0;

  g_return_val_if_fail (data != NULL || length == 0, NULL);

  ical_init ();
  if (length > CLINIC_ICS_MAX_BYTES)
    {
      g_set_error (error, CLINIC_ERROR, CLINIC_ERROR_INVALID,
                   _("The calendar file is larger than %d MB."), CLINIC_ICS_MAX_BYTES / (1024 * 1024));
      return NULL;
    }
  if (!g_utf8_validate_len (data, length, NULL))
    {
      g_set_error_literal (error, CLINIC_ERROR, CLINIC_ERROR_INVALID,
                           _("The calendar file is not text (UTF-8)."));
      return NULL;
    }
  text = g_strndup (data, length);
  body = text;
  if (g_str_has_prefix (body, "\xEF\xBB\xBF"))
    body += 3;
  while (g_ascii_isspace (*body))
    body++;
  if (g_ascii_strncasecmp (body, "BEGIN:VCALENDAR", 15) != 0)
    {
      g_set_error_literal (error, CLINIC_ERROR, CLINIC_ERROR_INVALID,
                           _("This is not an iCalendar file (it does not begin with BEGIN:VCALENDAR)."));
      return NULL;
    }
  if (!check_shape (body, error))
    return NULL;

  root = icalparser_parse_string (body);
  if (root == NULL || icalcomponent_isa (root) != ICAL_VCALENDAR_COMPONENT)
    {
      if (root != NULL)
        icalcomponent_free (root);
      g_set_error_literal (error, CLINIC_ERROR, CLINIC_ERROR_INVALID,
                           _("The calendar file cannot be read: it is not one well-formed calendar."));
      return NULL;
    }
  /* libical keeps going past bad lines and notes them; a file it had to
   * repair is refused rather than half read. */
  if (icalcomponent_count_errors (root) > 0)
    {
      icalcomponent_free (root);
      g_set_error_literal (error, CLINIC_ERROR, CLINIC_ERROR_INVALID,
                           _("The calendar file has lines that are not iCalendar."));
      return NULL;
    }
  for (icalcomponent *event = icalcomponent_get_first_component (root, ICAL_VEVENT_COMPONENT); event != NULL;
       event = icalcomponent_get_next_component (root, ICAL_VEVENT_COMPONENT))
    {
      ClinicIcsEvent *e = read_event (event, tz, ++number, error);

      if (e == NULL)
        {
          icalcomponent_free (root);
          return NULL;
        }
      g_ptr_array_add (events, e);
    }
  icalcomponent_free (root);
  if (events->len == 0)
    {
      g_set_error_literal (error, CLINIC_ERROR, CLINIC_ERROR_INVALID, _("The calendar file has no events."));
      return NULL;
    }
  return g_steal_pointer (&events);
}

/* --- Export --------------------------------------------------------------------------- */

static char *
uid_domain (ClinicDb  *db,
            GError   **error)
{
  sqlite3_stmt *stmt = clinic_db_prepare (db, "SELECT uid_domain FROM calendar_identity WHERE id = 1", error);
  char *domain = NULL;
  int rc;

  if (stmt == NULL)
    return NULL;
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    domain = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW)
    clinic_db_set_error (db, rc == SQLITE_DONE ? SQLITE_CORRUPT : rc, error);
  return domain;
}

/* The Olson name of the clinic's zone, for the TZID. */
static char *
clinic_tzid (ClinicDb *db)
{
  g_autofree char *id = clinic_settings_get (clinic_settings_get_for_db (db), "clinic.timezone");
  g_autoptr(GTimeZone) tz = NULL;

  if (id != NULL && *id != '\0')
    return g_steal_pointer (&id);
  tz = clinic_schedule_get_timezone (db);
  return g_strdup (g_time_zone_get_identifier (tz));
}

/* Each appointment's SEQUENCE: its changes after the booking. */
static int *
read_sequences (ClinicDb   *db,
                GPtrArray  *list,
                GError    **error)
{
  g_autofree int *sequences = g_new0 (int, list->len + 1);
  sqlite3_stmt *stmt = clinic_db_prepare (db,
                                          "SELECT count(*) FROM appointment_history WHERE appointment_id = ?1",
                                          error);

  if (stmt == NULL)
    return NULL;
  for (guint i = 0; i < list->len; i++)
    {
      int rc;

      sqlite3_bind_int64 (stmt, 1, ((const ClinicAppointment *) list->pdata[i])->id);
      rc = sqlite3_step (stmt);
      if (rc == SQLITE_ROW)
        sequences[i] = MAX (0, sqlite3_column_int (stmt, 0) - 1);
      sqlite3_reset (stmt);
      if (rc != SQLITE_ROW)
        {
          clinic_db_set_error (db, rc, error);
          return NULL;
        }
    }
  return g_steal_pointer (&sequences);
}

gint64
clinic_ics_export (ClinicSession    *session,
                   gint64            provider_id,
                   gint64            from,
                   gint64            to,
                   ClinicIcsDetail   detail,
                   const char       *path,
                   GError          **error)
{
  g_autoptr(GPtrArray) list = NULL;
  g_autofree char *domain = NULL;
  g_autofree char *tzid = NULL;
  g_autofree char *text = NULL;
  g_autofree char *count = NULL;
  g_autofree int *sequences = NULL;
  g_autoptr(GError) local = NULL;
  ClinicDb *db;

  g_return_val_if_fail (path != NULL, -1);

  if (!clinic_schedule_require_staff_read (session, error))
    return -1;
  if (detail != CLINIC_ICS_BUSY && !clinic_session_require_staff (session, CLINIC_PERMISSION_EXPORT, error))
    return -1;
  if (to <= from)
    {
      g_set_error_literal (error, CLINIC_ERROR, CLINIC_ERROR_INVALID, _("The range must end after it starts."));
      return -1;
    }
  list = clinic_appointments_list (session, from, to, provider_id, error);
  if (list == NULL)
    return -1;
  db = clinic_session_get_db (session);
  domain = uid_domain (db, error);
  if (domain == NULL)
    return -1;
  tzid = clinic_tzid (db);
  sequences = read_sequences (db, list, error);
  if (sequences == NULL)
    return -1;
  text = clinic_ics_format (list, sequences, tzid, domain, detail, g_get_real_time () / G_USEC_PER_SEC, error);
  if (text == NULL)
    return -1;
  if (!clinic_file_replace (path, text, strlen (text), &local))
    {
      g_propagate_prefixed_error (error, g_steal_pointer (&local), _("The calendar could not be saved: "));
      return -1;
    }
  count = g_strdup_printf ("%u events, %s", list->len, detail_keys[detail]);
  if (!clinic_db_begin_write (db, error))
    return -1;
  if (!clinic_audit_append (db, session, NULL, 0, "calendar.exported", "appointments", NULL, 0, NULL, count,
                            error)
      || !clinic_db_commit (db, error))
    {
      clinic_db_rollback (db);
      return -1;
    }
  return list->len;
}

/* --- The calendar folder ---------------------------------------------------------------- */

/* A file name of @user_name: the sign-in name, anything unusual as "_". */
static char *
file_name_of (const char *user_name)
{
  g_autoptr(GString) name = g_string_new (NULL);

  for (const char *c = user_name; *c != '\0'; c++)
    g_string_append_c (name, g_ascii_isalnum (*c) || *c == '-' || *c == '_' ? *c : '_');
  g_string_append (name, ".ics");
  return g_string_free (g_steal_pointer (&name), FALSE);
}

/* The ids and sign-in names of the active doctors. */
static gboolean
read_providers (ClinicDb   *db,
                GArray     *ids,
                GPtrArray  *names,
                GError    **error)
{
  sqlite3_stmt *stmt = clinic_db_prepare (db,
                                          "SELECT u.id, u.name FROM providers p JOIN users u ON u.id = p.user_id"
                                          " WHERE p.active AND NOT u.disabled ORDER BY u.id",
                                          error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 id = sqlite3_column_int64 (stmt, 0);

      g_array_append_val (ids, id);
      g_ptr_array_add (names, g_strdup ((const char *) sqlite3_column_text (stmt, 1)));
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      clinic_db_set_error (db, rc, error);
      return FALSE;
    }
  return TRUE;
}

gboolean
clinic_ics_write_folder (ClinicDb  *db,
                         GError   **error)
{
  ClinicSettings *settings = clinic_settings_get_for_db (db);
  g_autofree char *folder = clinic_settings_get (settings, "calendar.export-folder");
  g_autofree char *detail_key = clinic_settings_get (settings, "calendar.export-detail");
  g_autofree char *domain = NULL;
  g_autofree char *tzid = NULL;
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  ClinicIcsDetail detail = CLINIC_ICS_BUSY;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  if (folder == NULL || *g_strstrip (folder) == '\0')
    return TRUE;
  if (!g_path_is_absolute (folder) || !g_file_test (folder, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, CLINIC_ERROR, CLINIC_ERROR_INVALID,
                   _("The calendar folder “%s” is not a folder; the calendars were not written."), folder);
      return FALSE;
    }
  clinic_ics_detail_from_key (detail_key, &detail);
  if ((domain = uid_domain (db, error)) == NULL || !read_providers (db, ids, names, error))
    return FALSE;
  tzid = clinic_tzid (db);
  for (guint i = 0; i < ids->len; i++)
    {
      g_autoptr(GPtrArray) list = NULL;
      g_autofree int *sequences = NULL;
      g_autofree char *text = NULL;
      g_autofree char *name = file_name_of (names->pdata[i]);
      g_autofree char *path = g_build_filename (folder, name, NULL);

      list = clinic_appointments_read_range (db, now - CLINIC_ICS_FOLDER_PAST_DAYS * 86400,
                                             now + CLINIC_ICS_FOLDER_DAYS * 86400,
                                             g_array_index (ids, gint64, i), error);
      if (list == NULL
          || (sequences = read_sequences (db, list, error)) == NULL
          || (text = clinic_ics_format (list, sequences, tzid, domain, detail, now, error)) == NULL
          || !clinic_file_replace (path, text, strlen (text), error))
        return FALSE;
    }
  return TRUE;
}

void
clinic_ics_after_change (ClinicDb *db)
{
  g_autoptr(GError) error = NULL;

  /* The change is made and stays made; a folder that cannot be written
   * is said, not fatal. The message names the folder, never a patient. */
  if (!clinic_ics_write_folder (db, &error))
    g_message ("%s", error->message);
}

/* --- Import --------------------------------------------------------------------------- */

/* The id that @sql finds for @key (?1) and @key2 (?2, unless NULL);
 * 0 for none, -1 on error. */
static gint64
lookup_id (ClinicDb    *db,
           const char  *sql,
           const char  *key,
           const char  *key2,
           GError     **error)
{
  sqlite3_stmt *stmt = clinic_db_prepare (db, sql, error);
  gint64 id = 0;
  int rc;

  if (stmt == NULL)
    return -1;
  sqlite3_bind_text (stmt, 1, key, -1, SQLITE_TRANSIENT);
  if (key2 != NULL)
    sqlite3_bind_text (stmt, 2, key2, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    id = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      clinic_db_set_error (db, rc, error);
      return -1;
    }
  return id;
}

static void
set_state (ClinicIcsEvent       *e,
           ClinicIcsEventState   state,
           const char           *problem)
{
  e->state = state;
  g_free (e->problem);
  e->problem = g_strdup (problem);
}

/* Sets @e's patient from its name and date of birth, or *@problem to
 * why none (no patient of that name, or more than one). FALSE only for
 * an error of the database. */
static gboolean
match_patient (ClinicDb        *db,
               ClinicIcsEvent  *e,
               char           **problem,
               GError         **error)
{
  gboolean born = *e->birth_date != '\0';
  g_autoptr(GArray) ids = clinic_patients_match_name (db, e->patient_name, born ? e->birth_date : NULL, error);

  if (ids == NULL)
    return FALSE;
  if (ids->len == 1)
    {
      e->patient_id = g_array_index (ids, gint64, 0);
      e->by_name_only = !born;
    }
  else if (ids->len == 0 && born)
    *problem = g_strdup_printf (_("No patient named “%s” born %s; choose one."), e->patient_name, e->birth_date);
  else if (ids->len == 0)
    *problem = g_strdup_printf (_("No active patient is named “%s” (the event gives no date of birth); choose one."),
                                e->patient_name);
  else if (born)
    *problem = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u patient named “%s” born %s matches; pick one.",
                                             "%u patients named “%s” born %s match; pick one.", ids->len),
                                ids->len, e->patient_name, e->birth_date);
  else
    *problem = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                             "%u active patient is named “%s” (the event gives no date of birth); pick one.",
                                             "%u active patients are named “%s” (the event gives no date of birth); pick one.",
                                             ids->len),
                                ids->len, e->patient_name);
  return TRUE;
}

/* Gives each event its state, in the open transaction or read. FALSE
 * only for an error of the database. */
static gboolean
classify (ClinicDb               *db,
          GTimeZone              *tz,
          GPtrArray              *events,
          const ClinicIcsImport  *o,
          GError                **error)
{
  g_autoptr(GPtrArray) rooms = NULL;   /* read once, when an event names a place */

  for (guint i = 0; i < events->len; i++)
    {
      ClinicIcsEvent *e = events->pdata[i];
      g_autoptr(GError) local = NULL;
      g_autoptr(ClinicVisitType) type = NULL;

      set_state (e, CLINIC_ICS_EVENT_NEW, NULL);
      if (o->blocked)
        {
          if (e->cancelled)
            set_state (e, CLINIC_ICS_EVENT_SKIPPED, NULL);
          else if (!clinic_appointments_check_overlap (db, tz, o->provider_id, 0, e->starts_at, e->ends_at != 0
                                                       ? e->ends_at : e->starts_at + 60, 0, &local))
            set_state (e, CLINIC_ICS_EVENT_CONFLICT, local->message);
          continue;
        }

      e->existing_id = lookup_id (db, "SELECT id FROM appointments WHERE ical_uid = ?1", e->uid, NULL, error);
      if (e->existing_id < 0)
        return FALSE;
      if (e->existing_id != 0)
        {
          g_autoptr(ClinicAppointment) earlier = clinic_appointments_fetch (db, e->existing_id, error);

          if (earlier == NULL)
            return FALSE;
          /* Nothing changed since the earlier import: nothing to do, even
           * for a visit now in the past. */
          if (e->cancelled ? !clinic_appointment_status_is_active (earlier->status)
              : earlier->starts_at == e->starts_at
                && (e->ends_at == 0 || earlier->ends_at == e->ends_at))
            {
              set_state (e, CLINIC_ICS_EVENT_SKIPPED, NULL);
              continue;
            }
        }
      if (e->cancelled)
        {
          set_state (e, e->existing_id != 0 ? CLINIC_ICS_EVENT_UPDATE : CLINIC_ICS_EVENT_SKIPPED, NULL);
          continue;
        }
      if (e->all_day)
        {
          set_state (e, CLINIC_ICS_EVENT_CONFLICT,
                     _("An all-day event is not an appointment; import it as blocked time."));
          continue;
        }

      e->patient_id = o->patient_id;
      e->by_name_only = FALSE;
      /* A chart number with a date of birth that is not its patient's
       * is another clinic's: that clinic's C000003 is someone else here. */
      if (e->patient_id == 0 && *e->chart_number != '\0')
        e->patient_id = *e->birth_date == '\0'
          ? lookup_id (db, "SELECT id FROM patients WHERE chart_number = ?1", e->chart_number, NULL, error)
          : lookup_id (db, "SELECT id FROM patients WHERE chart_number = ?1 AND birth_date = ?2", e->chart_number,
                       e->birth_date, error);
      if (e->patient_id < 0)
        return FALSE;
      /* A chart number of another clinic, or none: the name and date of
       * birth, when they name exactly one patient. */
      if (e->patient_id == 0 && *e->patient_name != '\0')
        {
          g_autofree char *problem = NULL;

          if (!match_patient (db, e, &problem, error))
            return FALSE;
          if (problem != NULL)
            {
              set_state (e, CLINIC_ICS_EVENT_UNMATCHED, problem);
              continue;
            }
        }
      e->visit_type_id = o->visit_type_id;
      if (e->visit_type_id == 0 && *e->visit_type != '\0')
        e->visit_type_id = lookup_id (db, "SELECT id FROM visit_types WHERE name = ?1 COLLATE NOCASE",
                                      e->visit_type, NULL, error);
      if (e->visit_type_id < 0)
        return FALSE;
      if (e->patient_id == 0)
        {
          set_state (e, CLINIC_ICS_EVENT_UNMATCHED, _("No patient of the clinic matches this event; choose one."));
          continue;
        }
      if (e->visit_type_id == 0)
        {
          set_state (e, CLINIC_ICS_EVENT_UNMATCHED, _("No visit type matches this event; choose one."));
          continue;
        }
      /* A LOCATION naming one of the clinic's rooms (as the rooms'
       * own lookup matches names) books that room; any other place (a
       * meeting room elsewhere) is left to the doctor's hours, as for a
       * booking without a room. */
      e->room_id = 0;
      if (*e->location != '\0')
        {
          g_autofree char *place = g_strstrip (g_strdup (e->location));
          const ClinicRoom *room;

          if (rooms == NULL && (rooms = clinic_schedule_read_rooms (db, FALSE, error)) == NULL)
            return FALSE;
          if ((room = clinic_rooms_find (rooms, place)) != NULL)
            e->room_id = room->id;
        }
      if (e->ends_at == 0)
        {
          type = clinic_schedule_fetch_visit_type (db, e->visit_type_id, error);
          if (type == NULL)
            return FALSE;
          e->ends_at = e->starts_at + (gint64) type->duration_min * 60;
        }
      if (e->existing_id != 0)
        {
          /* A move of an earlier import is checked as any move. */
          set_state (e, CLINIC_ICS_EVENT_UPDATE, NULL);
          if (!clinic_appointments_check_slot (db, o->provider_id, 0, e->starts_at, e->ends_at, e->existing_id,
                                               FALSE, &local))
            set_state (e, CLINIC_ICS_EVENT_CONFLICT, local->message);
        }
      else
        {
          gint64 room = 0;

          if (!clinic_appointments_resolve_room (db, o->provider_id, e->room_id, e->starts_at, &room, &local)
              || !clinic_appointments_check_overlap (db, tz, o->provider_id, room, e->starts_at, e->ends_at, 0,
                                                     &local))
            set_state (e, CLINIC_ICS_EVENT_CONFLICT, local->message);
        }
    }
  return TRUE;
}

static GPtrArray *
preview_in (ClinicSession          *session,
            ClinicDb               *db,
            const char             *data,
            gsize                   length,
            const ClinicIcsImport  *o,
            GError                **error)
{
  g_autoptr(GTimeZone) tz = clinic_schedule_get_timezone (db);
  g_autoptr(GPtrArray) events = NULL;

  g_return_val_if_fail (o != NULL, NULL);

  if (!clinic_session_require_staff (session, CLINIC_PERMISSION_SCHEDULE_ALL, error)
      || !clinic_schedule_check_provider (db, o->provider_id, error))
    return NULL;
  events = clinic_ics_parse (data, length, tz, error);
  if (events == NULL || !classify (db, tz, events, o, error))
    return NULL;
  return g_steal_pointer (&events);
}

GPtrArray *
clinic_ics_preview (ClinicSession          *session,
                    const char             *data,
                    gsize                   length,
                    const ClinicIcsImport  *options,
                    GError                **error)
{
  return preview_in (session, clinic_session_get_db (session), data, length, options, error);
}

static gboolean
insert_block (ClinicSession         *session,
              ClinicDb              *db,
              const ClinicIcsEvent  *e,
              gint64                 provider_id,
              GError               **error)
{
  g_autofree char *reason = g_utf8_substring (e->summary, 0, MIN (g_utf8_strlen (e->summary, -1),
                                                                   BLOCK_REASON_MAX));
  sqlite3_stmt *stmt = clinic_db_prepare (db,
                                          "INSERT INTO schedule_exceptions (provider_id, kind, starts_at, ends_at,"
                                          " reason, created_at, created_by) VALUES (?1, 'block', ?2, ?3, ?4, ?5, ?6)",
                                          error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, provider_id);
  sqlite3_bind_int64 (stmt, 2, e->starts_at);
  /* A moment in time blocks at least a minute. */
  sqlite3_bind_int64 (stmt, 3, e->ends_at != 0 ? e->ends_at : e->starts_at + 60);
  sqlite3_bind_text (stmt, 4, g_strstrip (reason), -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 5, g_get_real_time () / G_USEC_PER_SEC);
  sqlite3_bind_int64 (stmt, 6, clinic_session_get_user_id (session));
  return clinic_db_step_done (db, stmt, error);
}

gint64
clinic_ics_import (ClinicSession          *session,
                   const char             *data,
                   gsize                   length,
                   const ClinicIcsImport  *o,
                   GError                **error)
{
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(GPtrArray) fresh = g_ptr_array_new_with_free_func ((GDestroyNotify) clinic_appointment_free);
  g_autoptr(GTimeZone) tz = NULL;
  ClinicDb *db = clinic_session_get_db (session);
  gint64 done = 0;

  g_return_val_if_fail (o != NULL, -1);

  if (!clinic_session_require_staff (session, CLINIC_PERMISSION_SCHEDULE_ALL, error))
    return -1;
  tz = clinic_schedule_get_timezone (db);
  /* Classified again in the write transaction: the book may have
   * changed since the preview. */
  if (!clinic_db_begin_write (db, error))
    return -1;
  events = preview_in (session, db, data, length, o, error);
  if (events == NULL)
    goto fail;
  for (guint i = 0; i < events->len; i++)
    {
      const ClinicIcsEvent *e = events->pdata[i];

      if (e->state == CLINIC_ICS_EVENT_CONFLICT || e->state == CLINIC_ICS_EVENT_UNMATCHED)
        {
          g_autofree char *when = clinic_format_local_time (tz, e->starts_at);

          g_set_error (error, CLINIC_ERROR, CLINIC_ERROR_CONFLICT, _("Event %u (%s): %s Nothing was imported."),
                       i + 1, when, e->problem);
          goto fail;
        }
    }

  for (guint i = 0; i < events->len; i++)
    {
      const ClinicIcsEvent *e = events->pdata[i];

      if (e->state == CLINIC_ICS_EVENT_SKIPPED)
        continue;
      if (o->blocked)
        {
          if (!insert_block (session, db, e, o->provider_id, error))
            goto fail;
        }
      else if (e->state == CLINIC_ICS_EVENT_UPDATE)
        {
          if (e->cancelled ? !clinic_appointments_cancel_locked (session, db, e->existing_id,
                                                                 _("Cancelled in an imported calendar"), error)
              : !clinic_appointments_reschedule_locked (session, db, e->existing_id, e->starts_at, e->ends_at,
                                                        error))
            goto fail;
        }
      else
        {
          ClinicAppointment *a = g_new0 (ClinicAppointment, 1);

          a->patient_id = e->patient_id;
          a->provider_id = o->provider_id;
          a->visit_type_id = e->visit_type_id;
          a->room_id = e->room_id;
          a->starts_at = e->starts_at;
          a->ends_at = e->ends_at;
          a->status = e->confirmed ? CLINIC_APPOINTMENT_CONFIRMED : CLINIC_APPOINTMENT_BOOKED;
          a->reason = g_strdup (e->reason);
          a->ical_uid = g_strdup (e->uid);
          g_ptr_array_add (fresh, a);
          continue;
        }
      done++;
    }
  if (fresh->len > 0 && clinic_appointments_import_locked (session, db, fresh, NULL, NULL, error) < 0)
    goto fail;
  done += fresh->len;
  if (o->blocked)
    {
      g_autofree char *count = g_strdup_printf ("%" G_GINT64_FORMAT, done);
      g_autofree char *object = g_strdup_printf ("%" G_GINT64_FORMAT, o->provider_id);

      if (!clinic_audit_append (db, session, NULL, 0, "calendar.imported-blocks", "provider", object, 0, NULL,
                                count, error))
        goto fail;
    }
  if (!clinic_db_commit (db, error))
    goto fail;
  clinic_ics_after_change (db);
  return done;

fail:
  clinic_db_rollback (db);
  return -1;
}
