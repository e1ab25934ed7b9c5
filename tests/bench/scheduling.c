/* bench-scheduling — the appointment book at clinic scale
 *
 * On a demo clinic of --patients (100,000), --doctors (20) and
 * --appointments (1,000,000) made by `clinicctl demo` (or an existing one,
 * --demo-clinic PATH, since making it takes a while): free slots of one
 * doctor over four weeks, the front desk's day of every doctor, booking
 * with the conflict check (with the clinic's synchronous=FULL, and again
 * with synchronous=NORMAL to show what the fsync costs), and the
 * registry's page with its visit columns and filters. Prints figures;
 * never passes or fails on time.
 */

#include "config.h"

#include <sodium.h>

#include "clinic-appointments.h"
#include "clinic-db-private.h"
#include "clinic-db.h"
#include "clinic-demo.h"
#include "clinic-patients.h"
#include "clinic-schedule.h"
#include "clinic-session.h"

static gint opt_patients = 100000;
static gint opt_doctors = 20;
static gint64 opt_appointments = 1000000;
static gint opt_runs = 50;
static char *opt_clinicctl = NULL;
static char *opt_demo_clinic = NULL;

static double
now_ms (void)
{
  return g_get_monotonic_time () / 1000.0;
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

static void
report (const char *what,
        GArray     *times,
        const char *target)
{
  double *t = (double *) times->data;

  g_array_sort (times, compare_doubles);
  g_print ("%-44s n=%-4u p50 %8.2f ms   p95 %8.2f ms   max %8.2f ms   (target %s)\n", what, times->len,
           t[times->len / 2], t[(guint) (times->len * 0.95)], t[times->len - 1], target);
}

static ClinicSession *
sign_in (ClinicDb   *db,
         const char *role)
{
  g_autoptr(GError) error = NULL;
  const ClinicDemoLogin *logins;
  guint n;
  ClinicSession *session;

  logins = clinic_demo_get_logins (&n);
  for (guint i = 0; i < n; i++)
    if (g_str_equal (logins[i].role_key, role))
      {
        session = clinic_session_sign_in (db, logins[i].user, logins[i].password, &error);
        g_assert_no_error (error);
        return session;
      }
  g_assert_not_reached ();
}

static char *
iso_day (GTimeZone *tz,
         int        add_days)
{
  g_autoptr(GDateTime) now = g_date_time_new_now (tz);
  g_autoptr(GDateTime) day = g_date_time_add_days (now, add_days);

  return g_date_time_format (day, "%Y-%m-%d");
}

static gint64
day_start (GTimeZone *tz,
           int        add_days)
{
  g_autoptr(GDateTime) now = g_date_time_new_now (tz);
  g_autoptr(GDateTime) day = g_date_time_add_days (now, add_days);

  return clinic_local_to_unix (tz, g_date_time_get_year (day), g_date_time_get_month (day),
                               g_date_time_get_day_of_month (day), 0);
}

static void
bench_availability (ClinicSession *desk,
                    GTimeZone     *tz,
                    gint64         doctor,
                    gint64         type)
{
  g_autoptr(GArray) times = g_array_new (FALSE, FALSE, sizeof (double));
  guint slots = 0;

  for (int i = 0; i < opt_runs; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *from = iso_day (tz, i % 7);
      g_autofree char *to = iso_day (tz, i % 7 + 27);
      g_autoptr(GArray) free_slots = NULL;
      double t0 = now_ms (), t;

      free_slots = clinic_schedule_availability (desk, doctor, type, from, to, &error);
      g_assert_no_error (error);
      t = now_ms () - t0;
      slots = free_slots->len;
      g_array_append_val (times, t);
    }
  report ("availability, one doctor, 4 weeks", times, "< 5 ms");
  g_print ("  (%u free slots in the last run)\n", slots);
}

static void
bench_day (ClinicSession *desk,
           GTimeZone     *tz)
{
  g_autoptr(GArray) times = g_array_new (FALSE, FALSE, sizeof (double));
  guint rows = 0;

  for (int i = 0; i < opt_runs; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) day = NULL;
      /* Weekdays of the coming weeks and the past ones alike. */
      int offset = (i % 20) - 10;
      double t0 = now_ms (), t;

      day = clinic_appointments_list (desk, day_start (tz, offset), day_start (tz, offset + 1), 0, &error);
      g_assert_no_error (error);
      t = now_ms () - t0;
      rows = MAX (rows, day->len);
      g_array_append_val (times, t);
    }
  report ("front-desk day, every doctor (list)", times, "< 30 ms");
  g_print ("  (up to %u appointments a day)\n", rows);
}

static void
bench_booking (ClinicSession *desk,
               GTimeZone     *tz,
               gint64         doctor,
               gint64         type,
               const char    *label)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) times = g_array_new (FALSE, FALSE, sizeof (double));
  g_autofree char *from = iso_day (tz, 1);
  g_autofree char *to = iso_day (tz, 60);
  g_autoptr(GArray) slots = clinic_schedule_availability (desk, doctor, type, from, to, &error);
  g_autoptr(GPtrArray) patients = NULL;
  ClinicPatientFilter filter;

  g_assert_no_error (error);
  /* Active patients (a booking for an inactive one is refused). */
  clinic_patient_filter_init (&filter);
  filter.sort = CLINIC_PATIENT_SORT_NAME;
  patients = clinic_patients_search (desk, "", &filter, 0, opt_runs, NULL, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < slots->len && i < patients->len; i++)
    {
      const ClinicSlot *slot = &g_array_index (slots, ClinicSlot, i);
      const ClinicPatient *p = g_ptr_array_index (patients, i);
      ClinicBooking b = { p->id, doctor, type, 0, slot->starts_at, 0, "Benchmark", NULL, NULL };
      double t0 = now_ms (), t;
      gint64 id = clinic_appointments_book (desk, &b, &error);

      g_assert_no_error (error);
      g_assert_cmpint (id, >, 0);
      t = now_ms () - t0;
      g_array_append_val (times, t);
    }
  if (times->len > 0)
    report (label, times, "< 5 ms");
}

static void
bench_registry (ClinicSession *desk,
                gint64         doctor,
                gint64         type)
{
  const struct
  {
    const char *label;
    const char *query;
    gint64      doctor;
    gint64      type;
    guint       offset;
  } cases[] = {
    { "registry page 1, visit columns", "", 0, 0, 0 },
    { "registry page 50, visit columns", "", 0, 0, 5000 },
    { "registry \"schm\", visit columns", "schm", 0, 0, 0 },
    { "registry filtered by doctor, page 1", "", 1, 0, 0 },
    { "registry filtered by doctor+type, page 1", "", 1, 1, 0 },
  };

  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      g_autoptr(GArray) times = g_array_new (FALSE, FALSE, sizeof (double));
      guint total = 0;

      for (int i = 0; i < MAX (opt_runs / 5, 3); i++)
        {
          g_autoptr(GError) error = NULL;
          g_autoptr(GPtrArray) rows = NULL;
          ClinicPatientFilter filter;
          double t0 = now_ms (), t;

          /* As the registry asks: a page of 100 and the count up to 1,000. */
          clinic_patient_filter_init (&filter);
          filter.count_limit = 1000;
          filter.provider_id = cases[c].doctor ? doctor : 0;
          filter.visit_type_id = cases[c].type ? type : 0;
          rows = clinic_patients_search (desk, cases[c].query, &filter, cases[c].offset, 100, &total, &error);
          g_assert_no_error (error);
          t = now_ms () - t0;
          g_array_append_val (times, t);
        }
      report (cases[c].label, times, "a keystroke");
      g_print ("  (%u%s found)\n", total, total > 1000 ? "+" : "");
    }
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GOptionContext) ctx = g_option_context_new ("- the appointment book at clinic scale");
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autoptr(ClinicDb) db = NULL;
  g_autoptr(ClinicSession) desk = NULL;
  g_autoptr(GPtrArray) providers = NULL;
  g_autoptr(GPtrArray) types = NULL;
  g_autoptr(GTimeZone) tz = NULL;
  const ClinicDemoLogin *logins;
  gint64 doctor, type = 0;
  guint n_logins;
  double t0;
  GOptionEntry entries[] = {
    { "patients", 0, 0, G_OPTION_ARG_INT, &opt_patients, "Patients in the clinic (default 100000)", "N" },
    { "doctors", 0, 0, G_OPTION_ARG_INT, &opt_doctors, "Doctors (default 20)", "N" },
    { "appointments", 0, 0, G_OPTION_ARG_INT64, &opt_appointments, "Appointments (default 1000000)", "N" },
    { "runs", 0, 0, G_OPTION_ARG_INT, &opt_runs, "Runs of each measurement (default 50)", "N" },
    { "clinicctl", 0, 0, G_OPTION_ARG_FILENAME, &opt_clinicctl, "The clinicctl that makes the demo clinic", "PATH" },
    { "demo-clinic", 0, 0, G_OPTION_ARG_FILENAME, &opt_demo_clinic,
      "An existing demo clinic to use (it is booked into)", "PATH" },
    { NULL }
  };

  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }
  g_assert_true (sodium_init () >= 0);
  opt_runs = MAX (opt_runs, 3);

  if (opt_demo_clinic != NULL)
    path = g_strdup (opt_demo_clinic);
  else
    {
      g_autofree char *patients = g_strdup_printf ("%d", opt_patients);
      g_autofree char *doctors = g_strdup_printf ("%d", opt_doctors);
      g_autofree char *appointments = g_strdup_printf ("%" G_GINT64_FORMAT, opt_appointments);
      const char *args[] = { opt_clinicctl ? opt_clinicctl : "clinicctl", "demo", "--patients", patients,
                             "--doctors", doctors, "--appointments", appointments, "--database", NULL, NULL };
      int status = 0;

      dir = g_dir_make_tmp ("clinic-bench-scheduling-XXXXXX", &error);
      g_assert_no_error (error);
      path = g_build_filename (dir, "clinic.db", NULL);
      args[9] = path;
      /* In a process of its own, as a person makes it. */
      t0 = now_ms ();
      if (!g_spawn_sync (NULL, (char **) args, NULL, G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL
                         | (opt_clinicctl ? 0 : G_SPAWN_SEARCH_PATH), NULL, NULL, NULL, NULL, &status, &error)
          || !g_spawn_check_wait_status (status, &error))
        g_error ("clinicctl demo: %s", error->message);
      g_print ("demo clinic, %d patients, %d doctors, %" G_GINT64_FORMAT " appointments: %.1f s\n",
               opt_patients, opt_doctors, opt_appointments, (now_ms () - t0) / 1000.0);
    }

  logins = clinic_demo_get_logins (&n_logins);
  db = clinic_db_open (path, &(ClinicCredentials) { logins[0].user, logins[0].password, NULL, NULL }, &error);
  g_assert_no_error (error);
  desk = sign_in (db, "frontdesk");
  tz = clinic_schedule_get_timezone (db);
  providers = clinic_providers_list (desk, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (providers->len, >, 0);
  doctor = ((ClinicProvider *) g_ptr_array_index (providers, 0))->user_id;
  types = clinic_visit_types_list (desk, FALSE, &error);
  g_assert_no_error (error);
  /* The shortest visit type: the most slots to compute. */
  {
    int shortest = G_MAXINT;

    for (guint i = 0; i < types->len; i++)
      {
        const ClinicVisitType *t = g_ptr_array_index (types, i);

        if (t->duration_min < shortest)
          {
            shortest = t->duration_min;
            type = t->id;
          }
      }
  }
  g_print ("%u doctors, %u visit types\n", providers->len, types->len);

  bench_availability (desk, tz, doctor, type);
  bench_day (desk, tz);
  bench_booking (desk, tz, doctor, type, "booking with conflict check (sync=FULL)");
  /* The same with the commit's fsync left to the checkpoint: what the
   * check itself costs. Never how Clinic runs. */
  g_assert_true (clinic_db_exec (db, "PRAGMA synchronous = NORMAL", &error));
  bench_booking (desk, tz, ((ClinicProvider *) g_ptr_array_index (providers, providers->len - 1))->user_id, type,
                 "booking with conflict check (sync=NORMAL)");
  g_assert_true (clinic_db_exec (db, "PRAGMA synchronous = FULL", &error));
  bench_registry (desk, doctor, type);

  g_clear_object (&desk);
  g_clear_object (&db);
  if (dir != NULL)
    {
      g_autofree char *rm = g_strdup_printf ("rm -rf '%s'", dir);

      if (system (rm) != 0)
        g_printerr ("could not remove %s\n", dir);
    }
  g_free (opt_clinicctl);
  g_free (opt_demo_clinic);
  return 0;
}
