/* clinic-cli-calendar.c — clinicctl export ics and import ics: the same
 * core calls as the calendar dialogs */

#include "config.h"

#include <stdio.h>
#include <string.h>
#include <glib/gi18n-lib.h>

#include "clinic-cli-private.h"
#include "clinic-error.h"
#include "clinic-ics.h"
#include "clinic-patients.h"
#include "clinic-schedule.h"

static gboolean
usage (GError     **error,
       const char  *message)
{
  g_set_error_literal (error, CLINIC_CLI_ERROR, CLINIC_CLI_ERROR_USAGE, message);
  return FALSE;
}

/* The start of local day @text (YYYY-MM-DD), or of the day after it. */
static gboolean
parse_day (GTimeZone   *tz,
           const char  *text,
           gboolean     day_after,
           gint64      *instant,
           GError     **error)
{
  unsigned y, m, d;
  char tail;

  if (sscanf (text, "%4u-%2u-%2u%c", &y, &m, &d, &tail) != 3 || strlen (text) != 10 || !g_date_valid_dmy (d, m, y))
    {
      g_set_error (error, CLINIC_ERROR, CLINIC_ERROR_INVALID,
                   _("“%s” is not a date. Write it as YYYY-MM-DD, for example 2026-03-14."), text);
      return FALSE;
    }
  *instant = clinic_local_to_unix (tz, y, m, d, day_after ? 1440 : 0);
  return TRUE;
}

gboolean
clinic_cli_command_export (ClinicCliContext  *context,
                           int                argc,
                           char             **argv,
                           GError           **error)
{
  g_autoptr(ClinicSession) session = NULL;
  g_autoptr(GTimeZone) tz = NULL;
  g_autofree char *doctor = NULL;
  g_autofree char *from = NULL;
  g_autofree char *to = NULL;
  g_autofree char *detail_key = NULL;
  ClinicIcsDetail detail = CLINIC_ICS_BUSY;
  gint64 provider_id = 0, start, end, n;
  GOptionEntry entries[] = {
    { "doctor", 0, 0, G_OPTION_ARG_STRING, &doctor, NULL, NULL },
    { "from", 0, 0, G_OPTION_ARG_STRING, &from, NULL, NULL },
    { "to", 0, 0, G_OPTION_ARG_STRING, &to, NULL, NULL },
    { "detail", 0, 0, G_OPTION_ARG_STRING, &detail_key, NULL, NULL },
    { NULL }
  };

  if (!clinic_cli_parse_options (&argc, &argv, entries, 2, error))
    return FALSE;
  if (!g_str_equal (argv[1], "ics"))
    {
      g_set_error (error, CLINIC_CLI_ERROR, CLINIC_CLI_ERROR_USAGE,
                   _("Clinic cannot export “%s”; “export ics FILE.ics” it can."), argv[1]);
      return FALSE;
    }
  if (detail_key != NULL && !clinic_ics_detail_from_key (detail_key, &detail))
    return usage (error, _("--detail is one of busy, initials or full."));
  if ((from == NULL) != (to == NULL))
    return usage (error, _("Give both --from DATE and --to DATE, or neither (a year from today)."));
  session = clinic_cli_start_session (context, error);
  if (session == NULL
      || (doctor != NULL && (provider_id = clinic_providers_lookup (session, doctor, error)) == 0))
    return FALSE;
  tz = clinic_schedule_get_timezone (clinic_session_get_db (session));
  if (from != NULL)
    {
      if (!parse_day (tz, from, FALSE, &start, error) || !parse_day (tz, to, TRUE, &end, error))
        return FALSE;
    }
  else
    {
      g_autoptr(GDateTime) now = g_date_time_new_now (tz);

      start = clinic_local_to_unix (tz, g_date_time_get_year (now), g_date_time_get_month (now),
                                    g_date_time_get_day_of_month (now), 0);
      end = clinic_local_to_unix (tz, g_date_time_get_year (now) + 1, g_date_time_get_month (now),
                                  MIN (g_date_time_get_day_of_month (now), 28), 0);
    }
  n = clinic_ics_export (session, provider_id, start, end, detail, argv[2], error);
  if (n < 0)
    return FALSE;
  clinic_cli_print (context, "%" G_GINT64_FORMAT "\n", n);
  return TRUE;
}

static const char *
state_key (ClinicIcsEventState state)
{
  switch (state)
    {
    case CLINIC_ICS_EVENT_UPDATE:
      return "update";
    case CLINIC_ICS_EVENT_CONFLICT:
      return "conflict";
    case CLINIC_ICS_EVENT_UNMATCHED:
      return "unmatched";
    case CLINIC_ICS_EVENT_SKIPPED:
      return "skipped";
    case CLINIC_ICS_EVENT_NEW:
    default:
      return "new";
    }
}

gboolean
clinic_cli_command_import_ics (ClinicCliContext  *context,
                               int                argc,
                               char             **argv,
                               GError           **error)
{
  g_autoptr(ClinicSession) session = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(GTimeZone) tz = NULL;
  g_autofree char *doctor = NULL;
  g_autofree char *chart = NULL;
  g_autofree char *type = NULL;
  g_autofree char *data = NULL;
  gboolean blocked = FALSE, dry_run = FALSE;
  ClinicIcsImport options = { 0 };
  gsize length = 0;
  gint64 n;
  GOptionEntry entries[] = {
    { "doctor", 0, 0, G_OPTION_ARG_STRING, &doctor, NULL, NULL },
    { "patient", 0, 0, G_OPTION_ARG_STRING, &chart, NULL, NULL },
    { "type", 0, 0, G_OPTION_ARG_STRING, &type, NULL, NULL },
    { "blocked", 0, 0, G_OPTION_ARG_NONE, &blocked, NULL, NULL },
    { "dry-run", 0, 0, G_OPTION_ARG_NONE, &dry_run, NULL, NULL },
    { NULL }
  };

  if (!clinic_cli_parse_options (&argc, &argv, entries, 2, error))
    return FALSE;
  if (doctor == NULL)
    return usage (error, _("Name the doctor whose calendar this is with --doctor USER."));
  if (!g_file_get_contents (argv[2], &data, &length, error))
    return FALSE;
  session = clinic_cli_start_session (context, error);
  if (session == NULL || (options.provider_id = clinic_providers_lookup (session, doctor, error)) == 0)
    return FALSE;
  if (chart != NULL)
    {
      g_autoptr(ClinicPatient) patient = clinic_patients_get_by_chart_number (session, chart, error);

      if (patient == NULL)
        return FALSE;
      options.patient_id = patient->id;
    }
  if (type != NULL)
    {
      g_autoptr(ClinicVisitType) t = clinic_visit_types_lookup (session, type, error);

      if (t == NULL)
        return FALSE;
      options.visit_type_id = t->id;
    }
  options.blocked = blocked;

  /* The report: one event a line, its state, its time, and why. */
  events = clinic_ics_preview (session, data, length, &options, error);
  if (events == NULL)
    return FALSE;
  tz = clinic_schedule_get_timezone (clinic_session_get_db (session));
  for (guint i = 0; i < events->len; i++)
    {
      const ClinicIcsEvent *e = events->pdata[i];
      g_autofree char *start = clinic_format_local_time (tz, e->starts_at);

      clinic_cli_print (context, "%u\t%s\t%s\t%s\n", i + 1, state_key (e->state), start,
                        e->problem != NULL ? e->problem
                        : e->by_name_only ? _("Matched by name only (no date of birth); check the patient.")
                        : "");
    }
  if (dry_run)
    return TRUE;
  n = clinic_ics_import (session, data, length, &options, error);
  if (n < 0)
    return FALSE;
  {
    g_autofree char *count = g_strdup_printf ("%" G_GINT64_FORMAT, n);

    g_printerr (_("Events imported: %s\n"), count);
  }
  return TRUE;
}
