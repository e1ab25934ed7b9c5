/* clinic-cli-schedule.c — clinicctl visit-types, rooms, availability
 * and appointments: the same core calls as the appointment book */

#include "config.h"

#include <stdio.h>
#include <string.h>
#include <glib/gi18n-lib.h>

#include "clinic-appointments.h"
#include "clinic-cli-private.h"
#include "clinic-error.h"
#include "clinic-patients.h"
#include "clinic-recurrence.h"
#include "clinic-schedule.h"

static gboolean
usage (GError     **error,
       const char  *message)
{
  g_set_error_literal (error, CLINIC_CLI_ERROR, CLINIC_CLI_ERROR_USAGE, message);
  return FALSE;
}

/* --- visit-types ---------------------------------------------------------- */

gboolean
clinic_cli_command_visit_types (ClinicCliContext  *context,
                                int                argc,
                                char             **argv,
                                GError           **error)
{
  g_autoptr(ClinicSession) session = NULL;
  g_autoptr(GPtrArray) types = NULL;

  if (argc < 2 || g_strcmp0 (argv[1], "list") != 0)
    return usage (error, _("“visit-types” needs: list."));
  argc--, argv++;
  if (!clinic_cli_parse_options (&argc, &argv, (GOptionEntry[]) { { NULL } }, 0, error))
    return FALSE;
  session = clinic_cli_start_session (context, error);
  if (session == NULL)
    return FALSE;
  types = clinic_visit_types_list (session, FALSE, error);
  if (types == NULL)
    return FALSE;
  /* The name first: what --type takes. */
  for (guint i = 0; i < types->len; i++)
    {
      const ClinicVisitType *t = types->pdata[i];

      clinic_cli_print (context, "%s\t%d\t%s\t%s\n", t->name, t->duration_min, t->color,
                        t->patient_bookable ? "patients" : "staff");
    }
  return TRUE;
}

/* --- rooms ------------------------------------------------------------------ */

static gboolean
rooms_list (ClinicCliContext  *context,
            int                argc,
            char             **argv,
            GError           **error)
{
  g_autoptr(ClinicSession) session = NULL;
  g_autoptr(GPtrArray) rooms = NULL;
  gboolean all = FALSE;
  GOptionEntry entries[] = {
    { "all", 0, 0, G_OPTION_ARG_NONE, &all, NULL, NULL },
    { NULL }
  };

  if (!clinic_cli_parse_options (&argc, &argv, entries, 0, error))
    return FALSE;
  session = clinic_cli_start_session (context, error);
  if (session == NULL || (rooms = clinic_rooms_list (session, all, error)) == NULL)
    return FALSE;
  /* The name first: what --room takes. */
  for (guint i = 0; i < rooms->len; i++)
    {
      const ClinicRoom *room = rooms->pdata[i];

      clinic_cli_print (context, "%s\t%s\n", room->name, room->active ? "active" : "retired");
    }
  return TRUE;
}

/* add NAME, retire NAME, reactivate NAME, rename NAME NEW-NAME. */
static gboolean
rooms_change (ClinicCliContext  *context,
              int                argc,
              char             **argv,
              GError           **error)
{
  g_autoptr(ClinicSession) session = NULL;
  g_autoptr(ClinicRoom) room = NULL;
  const char *verb = argv[0];
  gboolean rename = g_strcmp0 (verb, "rename") == 0;

  if (!clinic_cli_parse_options (&argc, &argv, (GOptionEntry[]) { { NULL } }, rename ? 2 : 1, error))
    return FALSE;
  session = clinic_cli_start_session (context, error);
  if (session == NULL)
    return FALSE;
  if (g_strcmp0 (verb, "add") == 0)
    {
      room = clinic_room_new ();
      g_free (room->name);
      room->name = g_strdup (argv[1]);
    }
  else
    {
      if ((room = clinic_rooms_lookup (session, argv[1], error)) == NULL)
        return FALSE;
      if (rename)
        {
          g_free (room->name);
          room->name = g_strdup (argv[2]);
        }
      else
        room->active = g_strcmp0 (verb, "reactivate") == 0;
    }
  return clinic_rooms_save (session, room, error) != 0;
}

gboolean
clinic_cli_command_rooms (ClinicCliContext  *context,
                          int                argc,
                          char             **argv,
                          GError           **error)
{
  static const char *const changes[] = { "add", "retire", "reactivate", "rename" };
  const char *verb = argc > 1 ? argv[1] : NULL;

  if (g_strcmp0 (verb, "list") == 0)
    return rooms_list (context, argc - 1, argv + 1, error);
  if (verb != NULL && g_strv_contains (changes, verb))
    return rooms_change (context, argc - 1, argv + 1, error);
  return usage (error, _("“rooms” needs one of: list, add, retire, reactivate, rename; “clinicctl help rooms” shows them."));
}

/* --- availability ---------------------------------------------------------- */

static gboolean
lookup_type (ClinicSession  *session,
             const char     *name,
             gint64         *id,
             GError        **error)
{
  g_autoptr(ClinicVisitType) t = NULL;

  if (name == NULL)
    return usage (error, _("Name the visit type with --type (“clinicctl visit-types list” lists them)."));
  t = clinic_visit_types_lookup (session, name, error);
  if (t == NULL)
    return FALSE;
  *id = t->id;
  return TRUE;
}

/* The user name of each provider, for the lines that name doctors. */
static GHashTable *
provider_names (ClinicSession  *session,
                GError        **error)
{
  g_autoptr(GPtrArray) providers = clinic_providers_list (session, TRUE, error);
  GHashTable *names;

  if (providers == NULL)
    return NULL;
  names = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
  for (guint i = 0; i < providers->len; i++)
    {
      const ClinicProvider *p = providers->pdata[i];

      g_hash_table_insert (names, g_memdup2 (&p->user_id, sizeof p->user_id), g_strdup (p->user_name));
    }
  return names;
}

gboolean
clinic_cli_command_availability (ClinicCliContext  *context,
                                 int                argc,
                                 char             **argv,
                                 GError           **error)
{
  g_autoptr(ClinicSession) session = NULL;
  g_autoptr(GArray) slots = NULL;
  g_autoptr(GHashTable) names = NULL;
  g_autoptr(GTimeZone) tz = NULL;
  g_autofree char *doctor = NULL;
  g_autofree char *type = NULL;
  g_autofree char *from = NULL;
  g_autofree char *to = NULL;
  gint64 provider_id = 0, type_id = 0;
  GOptionEntry entries[] = {
    { "doctor", 0, 0, G_OPTION_ARG_STRING, &doctor, NULL, NULL },
    { "type", 0, 0, G_OPTION_ARG_STRING, &type, NULL, NULL },
    { "from", 0, 0, G_OPTION_ARG_STRING, &from, NULL, NULL },
    { "to", 0, 0, G_OPTION_ARG_STRING, &to, NULL, NULL },
    { NULL }
  };

  if (!clinic_cli_parse_options (&argc, &argv, entries, 0, error))
    return FALSE;
  if (from == NULL || to == NULL)
    return usage (error, _("Give the days with --from DATE and --to DATE (YYYY-MM-DD)."));
  session = clinic_cli_start_session (context, error);
  if (session == NULL
      || !lookup_type (session, type, &type_id, error)
      || (doctor != NULL && (provider_id = clinic_providers_lookup (session, doctor, error)) == 0))
    return FALSE;
  slots = clinic_schedule_availability (session, provider_id, type_id, from, to, error);
  names = slots != NULL ? provider_names (session, error) : NULL;
  if (names == NULL)
    return FALSE;
  tz = clinic_schedule_get_timezone (clinic_session_get_db (session));
  for (guint i = 0; i < slots->len; i++)
    {
      const ClinicSlot *s = &g_array_index (slots, ClinicSlot, i);
      g_autofree char *start = clinic_format_local_time (tz, s->starts_at);
      g_autofree char *end = clinic_format_local_time (tz, s->ends_at);

      clinic_cli_print (context, "%s\t%s\t%s\n", start, end,
                        (const char *) g_hash_table_lookup (names, &s->provider_id));
    }
  return TRUE;
}

/* --- appointments ------------------------------------------------------------ */

/* The position of @text among @keys, the words option --@option takes. */
static gboolean
parse_choice (const char         *option,
              const char         *text,
              const char *const  *keys,
              guint               n_keys,
              guint              *index,
              GError            **error)
{
  g_autofree char *list = NULL;

  for (guint i = 0; i < n_keys; i++)
    if (g_strcmp0 (text, keys[i]) == 0)
      {
        *index = i;
        return TRUE;
      }
  list = g_strjoinv (", ", (char **) keys);
  g_set_error (error, CLINIC_CLI_ERROR, CLINIC_CLI_ERROR_USAGE, _("“--%s” takes one of %s, not “%s”."), option,
               list, text);
  return FALSE;
}

static const char *const repeat_keys[] = {
  [CLINIC_REPEAT_WEEKLY] = "weekly",
  [CLINIC_REPEAT_MONTHLY_BY_DATE] = "monthly-date",
  [CLINIC_REPEAT_MONTHLY_BY_WEEKDAY] = "monthly-weekday",
  NULL
};

static const char *const scope_keys[] = {
  [CLINIC_SERIES_THIS] = "this", [CLINIC_SERIES_FOLLOWING] = "following", [CLINIC_SERIES_ALL] = "all", NULL
};

/* Books the series and prints the ID# of every occurrence booked, by
 * start; the dates left out (with --skip-conflicts) are named on stderr,
 * so that the standard output stays one ID# a line. */
static gboolean
book_series (ClinicCliContext        *context,
             ClinicSession           *session,
             const ClinicBooking     *first,
             const ClinicRecurrence  *rule,
             gboolean                 skip_conflicts,
             GError                 **error)
{
  g_autoptr(GPtrArray) wanted = NULL;
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(GHashTable) booked = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  g_autoptr(GString) skipped = g_string_new (NULL);
  const ClinicOccurrence *last;
  gint64 series;
  guint n_booked = 0, n_skipped = 0;

  /* The dates asked for, to name the ones the booking leaves out. */
  wanted = clinic_recurrence_preview (session, first, rule, error);
  if (wanted == NULL)
    return FALSE;
  series = clinic_recurrence_book (session, first, rule, skip_conflicts, &n_booked, error);
  if (series == 0)
    return FALSE;
  last = wanted->pdata[wanted->len - 1];
  list = clinic_appointments_list (session, first->starts_at, last->ends_at + 1, first->provider_id, error);
  if (list == NULL)
    return FALSE;
  for (guint i = 0; i < list->len; i++)
    {
      const ClinicAppointment *a = list->pdata[i];

      if (a->series_id != series)
        continue;
      clinic_cli_print (context, "%" G_GINT64_FORMAT "\n", a->id);
      g_hash_table_add (booked, g_memdup2 (&a->starts_at, sizeof a->starts_at));
    }
  for (guint i = 0; i < wanted->len; i++)
    {
      const ClinicOccurrence *o = wanted->pdata[i];

      if (g_hash_table_contains (booked, &o->starts_at))
        continue;
      g_string_append_printf (skipped, "%s%s", n_skipped++ > 0 ? ", " : "", o->local);
    }
  if (n_skipped > 0)
    /* TRANSLATORS: the dates of a series that were not booked, as "YYYY-MM-DD HH:MM, …" */
    g_printerr (g_dngettext (GETTEXT_PACKAGE, "%u date not booked (it cannot be booked): %s\n",
                             "%u dates not booked (they cannot be booked): %s\n", n_skipped),
                n_skipped, skipped->str);
  return TRUE;
}

static gboolean
appointments_book (ClinicCliContext  *context,
                   int                argc,
                   char             **argv,
                   GError           **error)
{
  g_autoptr(ClinicSession) session = NULL;
  g_autoptr(ClinicPatient) patient = NULL;
  g_autoptr(GTimeZone) tz = NULL;
  g_autofree char *doctor = NULL;
  g_autofree char *chart = NULL;
  g_autofree char *type = NULL;
  g_autofree char *start = NULL;
  g_autofree char *reason = NULL;
  g_autofree char *note = NULL;
  g_autofree char *anyway = NULL;
  g_autofree char *room = NULL;
  g_autofree char *repeat = NULL;
  g_autofree char *until = NULL;
  gboolean skip_conflicts = FALSE;
  ClinicRecurrence rule = { CLINIC_REPEAT_WEEKLY, 1, 0, NULL };
  guint choice = 0;
  ClinicBooking b = { 0 };
  gint64 id;
  GOptionEntry entries[] = {
    { "doctor", 0, 0, G_OPTION_ARG_STRING, &doctor, NULL, NULL },
    { "patient", 0, 0, G_OPTION_ARG_STRING, &chart, NULL, NULL },
    { "type", 0, 0, G_OPTION_ARG_STRING, &type, NULL, NULL },
    { "start", 0, 0, G_OPTION_ARG_STRING, &start, NULL, NULL },
    { "reason", 0, 0, G_OPTION_ARG_STRING, &reason, NULL, NULL },
    { "note", 0, 0, G_OPTION_ARG_STRING, &note, NULL, NULL },
    { "anyway", 0, 0, G_OPTION_ARG_STRING, &anyway, NULL, NULL },
    { "room", 0, 0, G_OPTION_ARG_STRING, &room, NULL, NULL },
    { "repeat", 0, 0, G_OPTION_ARG_STRING, &repeat, NULL, NULL },
    { "every", 0, 0, G_OPTION_ARG_INT, &rule.interval, NULL, NULL },
    { "count", 0, 0, G_OPTION_ARG_INT, &rule.count, NULL, NULL },
    { "until", 0, 0, G_OPTION_ARG_STRING, &until, NULL, NULL },
    { "skip-conflicts", 0, 0, G_OPTION_ARG_NONE, &skip_conflicts, NULL, NULL },
    { NULL }
  };

  if (!clinic_cli_parse_options (&argc, &argv, entries, 0, error))
    return FALSE;
  if (doctor == NULL || chart == NULL || start == NULL)
    return usage (error, _("“appointments book” needs --doctor USER, --patient CHART-NUMBER, --type VISIT-TYPE and --start 'YYYY-MM-DD HH:MM'."));
  if (repeat == NULL && (rule.interval != 1 || rule.count != 0 || until != NULL || skip_conflicts))
    return usage (error, _("“--every”, “--count”, “--until” and “--skip-conflicts” describe a series: give “--repeat” too."));
  if (repeat != NULL && !parse_choice ("repeat", repeat, repeat_keys, G_N_ELEMENTS (repeat_keys) - 1,
                                       &choice, error))
    return FALSE;
  rule.repeat = choice;
  if (repeat != NULL && (rule.count != 0) == (until != NULL))
    return usage (error, _("A series ends after “--count N” times or on “--until YYYY-MM-DD”: give one of them."));
  rule.until = until;
  session = clinic_cli_start_session (context, error);
  if (session == NULL
      || (b.provider_id = clinic_providers_lookup (session, doctor, error)) == 0
      || !lookup_type (session, type, &b.visit_type_id, error))
    return FALSE;
  tz = clinic_schedule_get_timezone (clinic_session_get_db (session));
  if (!clinic_parse_local_time (tz, start, &b.starts_at, error))
    return FALSE;
  if (room != NULL)
    {
      g_autoptr(ClinicRoom) r = clinic_rooms_lookup (session, room, error);

      if (r == NULL)
        return FALSE;
      b.room_id = r->id;
    }
  patient = clinic_patients_get_by_chart_number (session, chart, error);
  if (patient == NULL)
    return FALSE;
  b.patient_id = patient->id;
  b.reason = reason;
  b.note = note;
  b.override_reason = anyway;
  if (repeat != NULL)
    return book_series (context, session, &b, &rule, skip_conflicts, error);
  id = clinic_appointments_book (session, &b, error);
  if (id == 0)
    return FALSE;
  clinic_cli_print (context, "%" G_GINT64_FORMAT "\n", id);
  return TRUE;
}

static gboolean
appointments_list (ClinicCliContext  *context,
                   int                argc,
                   char             **argv,
                   GError           **error)
{
  g_autoptr(ClinicSession) session = NULL;
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(GHashTable) names = NULL;
  g_autoptr(GTimeZone) tz = NULL;
  g_autofree char *date = NULL;
  g_autofree char *doctor = NULL;
  g_autofree char *morning = NULL;
  gint64 provider_id = 0, from, to;
  unsigned y, m, d;
  char tail;
  GOptionEntry entries[] = {
    { "date", 0, 0, G_OPTION_ARG_STRING, &date, NULL, NULL },
    { "doctor", 0, 0, G_OPTION_ARG_STRING, &doctor, NULL, NULL },
    { NULL }
  };

  if (!clinic_cli_parse_options (&argc, &argv, entries, 0, error))
    return FALSE;
  if (date == NULL)
    return usage (error, _("“appointments list” needs --date YYYY-MM-DD."));
  session = clinic_cli_start_session (context, error);
  if (session == NULL
      || (doctor != NULL && (provider_id = clinic_providers_lookup (session, doctor, error)) == 0))
    return FALSE;
  tz = clinic_schedule_get_timezone (clinic_session_get_db (session));
  if (sscanf (date, "%4u-%2u-%2u%c", &y, &m, &d, &tail) != 3 || strlen (date) != 10 || !g_date_valid_dmy (d, m, y))
    {
      g_set_error (error, CLINIC_ERROR, CLINIC_ERROR_INVALID,
                   _("“%s” is not a date. Write it as YYYY-MM-DD, for example 2026-03-14."), date);
      return FALSE;
    }
  from = clinic_local_to_unix (tz, y, m, d, 0);
  to = clinic_local_to_unix (tz, y, m, d, 1440);
  list = clinic_appointments_list (session, from, to, provider_id, error);
  names = list != NULL ? provider_names (session, error) : NULL;
  if (names == NULL)
    return FALSE;
  /* ID#, date, time, doctor, visit type, status, then who; then the
   * room when there is one (last, so the fields before keep their
   * places). */
  for (guint i = 0; i < list->len; i++)
    {
      const ClinicAppointment *a = list->pdata[i];
      g_autofree char *start = clinic_format_local_time (tz, a->starts_at);
      g_autofree char *end = clinic_format_local_time (tz, a->ends_at);

      start[10] = '\0';
      clinic_cli_print (context, "%" G_GINT64_FORMAT "\t%s\t%s-%s\t%s\t%s\t%s\t%s\t%s%s%s\n", a->id, start,
                        start + 11, end + 11, (const char *) g_hash_table_lookup (names, &a->provider_id),
                        a->visit_type, clinic_appointment_status_to_key (a->status), a->patient_chart,
                        a->patient_name, *a->room_name != '\0' ? "\t" : "", a->room_name);
    }
  return TRUE;
}

static gboolean
parse_id (const char  *text,
          gint64      *id,
          GError     **error)
{
  char *end = NULL;

  *id = g_ascii_strtoll (text, &end, 10);
  if (text == NULL || *text == '\0' || *end != '\0' || *id <= 0)
    {
      g_set_error (error, CLINIC_CLI_ERROR, CLINIC_CLI_ERROR_USAGE,
                   _("“%s” is not an appointment ID# (a number, as “appointments list” shows)."),
                   text != NULL ? text : "");
      return FALSE;
    }
  return TRUE;
}

static gboolean
appointments_cancel (ClinicCliContext  *context,
                     int                argc,
                     char             **argv,
                     GError           **error)
{
  g_autoptr(ClinicSession) session = NULL;
  g_autofree char *reason = NULL;
  g_autofree char *series = NULL;
  guint scope = CLINIC_SERIES_THIS;
  gint64 id;
  GOptionEntry entries[] = {
    { "reason", 0, 0, G_OPTION_ARG_STRING, &reason, NULL, NULL },
    { "series", 0, 0, G_OPTION_ARG_STRING, &series, NULL, NULL },
    { NULL }
  };

  if (!clinic_cli_parse_options (&argc, &argv, entries, 1, error) || !parse_id (argv[1], &id, error))
    return FALSE;
  if (reason == NULL)
    return usage (error, _("“appointments cancel” needs --reason TEXT."));
  if (series != NULL && !parse_choice ("series", series, scope_keys, G_N_ELEMENTS (scope_keys) - 1, &scope,
                                       error))
    return FALSE;
  session = clinic_cli_start_session (context, error);
  if (session == NULL)
    return FALSE;
  /* One appointment is cancelled as the book cancels it (a visit of the
   * past or under way has its own refusal there); a part of a series
   * through the series, all or none. */
  if (scope == CLINIC_SERIES_THIS)
    return clinic_appointments_cancel (session, id, reason, error);
  return clinic_recurrence_cancel (session, id, scope, reason, NULL, error);
}

/* The occurrences still to come of the series of appointment @id: ID#,
 * date, time, status. */
static gboolean
appointments_series (ClinicCliContext  *context,
                     int                argc,
                     char             **argv,
                     GError           **error)
{
  g_autoptr(ClinicSession) session = NULL;
  g_autoptr(GArray) ids = NULL;
  g_autoptr(GTimeZone) tz = NULL;
  gint64 id;

  if (!clinic_cli_parse_options (&argc, &argv, (GOptionEntry[]) { { NULL } }, 1, error)
      || !parse_id (argv[1], &id, error))
    return FALSE;
  session = clinic_cli_start_session (context, error);
  if (session == NULL)
    return FALSE;
  ids = clinic_recurrence_scope (session, id, CLINIC_SERIES_ALL, error);
  if (ids == NULL)
    return FALSE;
  tz = clinic_schedule_get_timezone (clinic_session_get_db (session));
  for (guint i = 0; i < ids->len; i++)
    {
      g_autoptr(ClinicAppointment) a = clinic_appointments_get (session, g_array_index (ids, gint64, i), error);
      g_autofree char *start = NULL;
      g_autofree char *end = NULL;

      if (a == NULL)
        return FALSE;
      start = clinic_format_local_time (tz, a->starts_at);
      end = clinic_format_local_time (tz, a->ends_at);
      start[10] = '\0';
      clinic_cli_print (context, "%" G_GINT64_FORMAT "\t%s\t%s-%s\t%s\n", a->id, start, start + 11, end + 11,
                        clinic_appointment_status_to_key (a->status));
    }
  return TRUE;
}

static gboolean
appointments_status (ClinicCliContext         *context,
                     int                       argc,
                     char                    **argv,
                     ClinicAppointmentStatus   status,
                     GError                  **error)
{
  g_autoptr(ClinicSession) session = NULL;
  gint64 id;

  if (!clinic_cli_parse_options (&argc, &argv, (GOptionEntry[]) { { NULL } }, 1, error)
      || !parse_id (argv[1], &id, error))
    return FALSE;
  session = clinic_cli_start_session (context, error);
  return session != NULL && clinic_appointments_set_status (session, id, status, error);
}

gboolean
clinic_cli_command_appointments (ClinicCliContext  *context,
                                 int                argc,
                                 char             **argv,
                                 GError           **error)
{
  static const struct { const char *verb; ClinicAppointmentStatus status; } statuses[] = {
    { "confirm", CLINIC_APPOINTMENT_CONFIRMED }, { "arrive", CLINIC_APPOINTMENT_ARRIVED },
    { "start", CLINIC_APPOINTMENT_IN_PROGRESS }, { "complete", CLINIC_APPOINTMENT_COMPLETED },
    { "no-show", CLINIC_APPOINTMENT_NO_SHOW },
  };
  const char *verb = argc > 1 ? argv[1] : NULL;

  if (g_strcmp0 (verb, "book") == 0)
    return appointments_book (context, argc - 1, argv + 1, error);
  if (g_strcmp0 (verb, "list") == 0)
    return appointments_list (context, argc - 1, argv + 1, error);
  if (g_strcmp0 (verb, "cancel") == 0)
    return appointments_cancel (context, argc - 1, argv + 1, error);
  if (g_strcmp0 (verb, "series") == 0)
    return appointments_series (context, argc - 1, argv + 1, error);
  for (guint i = 0; i < G_N_ELEMENTS (statuses); i++)
    if (g_strcmp0 (verb, statuses[i].verb) == 0)
      return appointments_status (context, argc - 1, argv + 1, statuses[i].status, error);

  return usage (error, _("“appointments” needs one of: book, list, cancel, series, confirm, arrive, start, complete, no-show; “clinicctl help appointments” shows them."));
}
