/* bench-patients — the registry at clinic scale
 *
 * On a synthetic clinic of --patients N (default 100,000) made by
 * `clinicctl demo`'s generator: search as you type (every prefix of
 * queries a front desk types, each a full search with the first page and
 * the count), opening a chart, paging through the whole registry, and
 * importing N records in one go. Prints figures; never passes or fails
 * on time.
 */

#include "config.h"

#include <sodium.h>
#include <stdlib.h>
#include <sys/resource.h>

#include "clinic-db.h"
#include "clinic-demo.h"
#include "clinic-keys.h"
#include "clinic-csv.h"
#include "clinic-patient-csv.h"
#include "clinic-chart.h"
#include "clinic-documents.h"
#include "clinic-patients.h"
#include "clinic-session.h"

static gint opt_patients = 100000;
static char *opt_clinicctl = NULL;
static gboolean opt_import_only = FALSE;

static double
now_ms (void)
{
  return g_get_monotonic_time () / 1000.0;
}

static long
peak_rss_kib (void)
{
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
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
        GArray     *times)
{
  double *t = (double *) times->data;

  g_array_sort (times, compare_doubles);
  g_print ("%-34s n=%-6u p50 %7.2f ms   p95 %7.2f ms   max %7.2f ms\n", what, times->len,
           t[times->len / 2], t[(guint) (times->len * 0.95)], t[times->len - 1]);
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

static void
bench_typing (ClinicSession *desk)
{
  /* What a front desk types, one keystroke at a time. */
  const char *typed[] = {
    "schmidt", "müller anna", "muller", "yilmaz", "0171 23", "030 5", "1987-04-23",
    "23.04.1987", "C004242", "k", "hoffmann klaus", "zoe", "45678", "nguyen minh",
  };
  g_autoptr(GArray) times = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GString) slow = g_string_new (NULL);
  guint total = 0;

  for (guint q = 0; q < G_N_ELEMENTS (typed); q++)
    {
      glong len = g_utf8_strlen (typed[q], -1);

      for (glong n = 1; n <= len; n++)
        {
          g_autoptr(GError) error = NULL;
          g_autofree char *prefix = g_utf8_substring (typed[q], 0, n);
          g_autoptr(GPtrArray) rows = NULL;
          double t0 = now_ms (), t;

          ClinicPatientFilter filter;

          /* As the registry asks: the first page, and the count up to 1,000. */
          clinic_patient_filter_init (&filter);
          filter.count_limit = 1000;
          rows = clinic_patients_search (desk, prefix, &filter, 0, 50, &total, &error);
          g_assert_no_error (error);
          t = now_ms () - t0;
          g_array_append_val (times, t);
          if (t > 10.0)
            g_string_append_printf (slow, " \"%s\" %.1f ms (%u found);", prefix, t, total);
        }
    }
  report ("search per keystroke (page+count<=1000)", times);
  if (slow->len > 0)
    g_print ("  over 10 ms:%s\n", slow->str);
}

static void
bench_charts (ClinicSession *doctor,
              guint          n)
{
  g_autoptr(GArray) times = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) full = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);

  /* What the chart window reads when it opens: the record, the whole
   * clinical chart with its timeline, the documents and the photo. Every
   * other one from the demo's first 300 patients, who have histories. */
  for (guint i = 0; i < 500; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(ClinicPatient) p = NULL;
      g_autoptr(ClinicChart) chart = NULL;
      g_autoptr(GPtrArray) documents = NULL;
      g_autoptr(GBytes) photo = NULL;
      gint64 id = i % 2 ? g_rand_int_range (rand, 1, MIN (n, 300) + 1) : g_rand_int_range (rand, 1, n + 1);
      double t0 = now_ms (), t;

      p = clinic_patients_get (doctor, id, &error);
      g_assert_no_error (error);
      t = now_ms () - t0;
      g_array_append_val (times, t);
      chart = clinic_chart_load (doctor, id, &error);
      g_assert_no_error (error);
      documents = clinic_documents_list (doctor, id, &error);
      g_assert_no_error (error);
      photo = clinic_patients_dup_photo (doctor, id, &error);
      g_assert_no_error (error);
      t = now_ms () - t0;
      g_array_append_val (full, t);
    }
  report ("open a patient record (audited)", times);
  report ("open a whole chart (record, chart, documents, photo)", full);
}

static void
bench_scroll (ClinicSession *desk)
{
  g_autoptr(GArray) times = g_array_new (FALSE, FALSE, sizeof (double));
  ClinicPatientFilter filter;
  long rss_before = peak_rss_kib ();
  guint offset = 0, total = 0, rows_seen = 0;
  double t_all = now_ms ();

  clinic_patient_filter_init (&filter);
  filter.sort = CLINIC_PATIENT_SORT_NAME;
  filter.include_inactive = filter.include_deceased = TRUE;
  for (;;)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) page = NULL;
      double t0 = now_ms (), t;

      /* A page of 100 rows, as the list model fetches them; each page is
       * dropped before the next, as the model keeps only what is shown. */
      page = clinic_patients_search (desk, "", &filter, offset, 100, offset == 0 ? &total : NULL, &error);
      g_assert_no_error (error);
      t = now_ms () - t0;
      g_array_append_val (times, t);
      rows_seen += page->len;
      if (page->len < 100)
        break;
      offset += 100;
    }
  g_print ("scroll top to bottom: %u rows in %.0f ms; peak RSS %ld KiB before, %ld KiB after\n",
           rows_seen, now_ms () - t_all, rss_before, peak_rss_kib ());
  report ("  one page of 100 rows", times);
}

static void
bench_import (const char *dir,
              guint       n)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (dir, "import.db", NULL);
  g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func ((GDestroyNotify) clinic_patient_free);
  g_autofree char *recovery = clinic_demo_create (path, 0, 1, &error);
  g_autoptr(ClinicDb) db = NULL;
  g_autoptr(ClinicSession) admin = NULL;
  const ClinicDemoLogin *logins;
  guint n_logins;
  double t0;

  g_assert_no_error (error);
  logins = clinic_demo_get_logins (&n_logins);
  db = clinic_db_open (path, &(ClinicCredentials) { logins[0].user, logins[0].password, NULL, NULL }, &error);
  g_assert_no_error (error);
  admin = clinic_session_start (db, &error);
  g_assert_no_error (error);

  for (guint i = 0; i < n; i++)
    {
      ClinicPatient *p = clinic_patient_new ();

      g_free (p->family_name);
      p->family_name = g_strdup_printf ("Family%u", i);
      g_free (p->given_names);
      p->given_names = g_strdup ((i & 1) ? "Anna Maria" : "Hans");
      g_free (p->birth_date);
      p->birth_date = g_strdup_printf ("%04u-%02u-%02u", 1930 + i % 90, 1 + i % 12, 1 + i % 28);
      g_free (p->phone);
      p->phone = g_strdup_printf ("030 %07u", i);
      g_ptr_array_add (list, p);
    }
  t0 = now_ms ();
  g_assert_cmpint (clinic_patients_import (admin, list, NULL, NULL, &error), ==, n);
  g_assert_no_error (error);
  g_print ("import %u records (one transaction): %.0f ms\n", n, now_ms () - t0);
}

/* The import dialog's path, into the demo clinic as the front desk: the
 * file parsed, every row mapped and checked, the rows that look
 * registered found, then the import, each on a worker session of its own
 * (clinic_session_new_for_thread) as the dialog's threads run them. */
static void
bench_import_dialog (ClinicSession *desk,
                     guint          n)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) text = g_string_new ("Nachname;Vorname;Geburtsdatum;Telefon;E-Mail\n");
  g_autoptr(ClinicCsv) csv = NULL;
  g_autoptr(ClinicPatientCsv) read = NULL;
  g_autoptr(GArray) registered = NULL;
  g_autoptr(ClinicSession) worker = NULL;
  const char *mapping[] = { "family_name", "given_names", "birth_date", "phone", "email", NULL };
  double t0, t_parse, t_read, t_registered, t_import;
  guint skipped = 0;
  gint64 imported;

  for (guint i = 0; i < n; i++)
    g_string_append_printf (text, "Import%u;%s;%04u-%02u-%02u;089 %07u;p%u@example.org\n", i,
                            (i & 1) ? "Anna Maria" : "Hans", 1930 + i % 90, 1 + i % 12, 1 + i % 28, i, i);
  t0 = now_ms ();
  csv = clinic_csv_parse (text->str, text->len, &error);
  g_assert_no_error (error);
  t_parse = now_ms ();
  read = clinic_patient_csv_read_mapped (csv, mapping, 0, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  t_read = now_ms ();
  worker = clinic_session_new_for_thread (desk, &error);
  g_assert_no_error (error);
  registered = clinic_patients_find_registered (worker, read->patients, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_clear_object (&worker);
  t_registered = now_ms ();
  worker = clinic_session_new_for_thread (desk, &error);
  g_assert_no_error (error);
  imported = clinic_patients_import_full (worker, read->patients, CLINIC_IMPORT_SKIP_REGISTERED, NULL, NULL, NULL,
                                          &skipped, &error);
  g_assert_no_error (error);
  t_import = now_ms ();
  g_print ("import dialog path, %u CSV rows into the %u-patient clinic (%u valid, %u at fault, %u look registered, %"
           G_GINT64_FORMAT " imported):\n", n, n, read->patients->len, read->errors->len, registered->len, imported);
  g_print ("  parse %.0f ms, map+validate %.0f ms, find registered %.0f ms, import %.0f ms; total %.0f ms\n",
           t_parse - t0, t_read - t_parse, t_registered - t_read, t_import - t_registered, t_import - t0);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GOptionContext) ctx = g_option_context_new ("- the patient registry at clinic scale");
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autoptr(ClinicDb) db = NULL;
  g_autoptr(ClinicSession) desk = NULL;
  g_autoptr(ClinicSession) doctor = NULL;
  const ClinicDemoLogin *logins;
  guint n_logins;
  double t0;
  GOptionEntry entries[] = {
    { "patients", 0, 0, G_OPTION_ARG_INT, &opt_patients, "Patients in the clinic (default 100000)", "N" },
    { "clinicctl", 0, 0, G_OPTION_ARG_FILENAME, &opt_clinicctl, "The clinicctl that makes the demo clinic", "PATH" },
    { "import-only", 0, 0, G_OPTION_ARG_NONE, &opt_import_only, "Only the two imports (no search, charts, scrolling)", NULL },
    { NULL }
  };

  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }
  g_assert_true (sodium_init () >= 0);
  dir = g_dir_make_tmp ("clinic-bench-patients-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (dir, "clinic.db", NULL);

  /* Made by clinicctl in a process of its own, so the generator's memory
   * is not in this one's peak RSS. */
  t0 = now_ms ();
  {
    g_autofree char *count = g_strdup_printf ("%d", opt_patients);
    const char *args[] = { opt_clinicctl ? opt_clinicctl : "clinicctl", "demo", "--patients", count,
                           "--database", path, NULL };
    int status = 0;

    if (!g_spawn_sync (NULL, (char **) args, NULL, G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL
                       | (opt_clinicctl ? 0 : G_SPAWN_SEARCH_PATH), NULL, NULL, NULL, NULL, &status, &error)
        || !g_spawn_check_wait_status (status, &error))
      g_error ("clinicctl demo: %s", error->message);
  }
  g_print ("demo clinic with %d patients: %.0f ms (3 staff logins stretched with Argon2id included)\n",
           opt_patients, now_ms () - t0);

  logins = clinic_demo_get_logins (&n_logins);
  db = clinic_db_open (path, &(ClinicCredentials) { logins[0].user, logins[0].password, NULL, NULL }, &error);
  g_assert_no_error (error);
  desk = sign_in (db, "frontdesk");
  doctor = sign_in (db, "doctor");

  if (!opt_import_only)
    {
      bench_typing (desk);
      bench_charts (doctor, opt_patients);
      bench_scroll (desk);
    }
  bench_import_dialog (desk, opt_patients);
  g_clear_object (&desk);
  g_clear_object (&doctor);
  g_clear_object (&db);
  bench_import (dir, opt_patients);

  g_free (opt_clinicctl);
  {
    g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", dir);
    if (system (cmd) != 0)
      g_printerr ("could not remove %s\n", dir);
  }
  return 0;
}
