/* test-scheduling.c — the clinic's clock across DST, working hours,
 * availability, and booking with every refusal */

#include "config.h"

#include <locale.h>
#include <string.h>
#include <sys/stat.h>
#include <glib/gstdio.h>
#include <sodium.h>

#include "clinic-appointments.h"
#include "clinic-db.h"
#include "clinic-error.h"
#include "clinic-ics.h"
#include "clinic-keys.h"
#include "clinic-patients.h"
#include "clinic-recurrence.h"
#include "clinic-schedule.h"
#include "clinic-session.h"
#include "clinic-settings.h"
#include "clinic-test-db.h"
#include "clinic-users.h"
#include "clinic-waitlist.h"

#define PASSWORD "quiet river under old stone"

typedef struct
{
  char          *dir;
  char          *path;
  ClinicDb      *db;
  ClinicSession *admin;
  ClinicSession *front;
  ClinicSession *doctor;
  ClinicSession *patient;
  GTimeZone     *tz;
  gint64         weber;
  gint64         lang;
  gint64         paula;
  gint64         otto;
  gint64         checkup;    /* 30 minutes, bookable by patients */
  gint64         long_visit; /* 60 minutes, front desk only */
} Fixture;

static const ClinicCredentials admin_creds = { "admin", PASSWORD, NULL, &CLINIC_KDF_LIMITS_TEST };

static gint64
add_staff (Fixture    *f,
           const char *name,
           const char *display,
           gint64      role)
{
  g_autoptr(GError) error = NULL;
  gint64 id = clinic_users_create (f->admin, name, display, CLINIC_USER_STAFF, role, PASSWORD,
                                   &CLINIC_KDF_LIMITS_TEST, &error);

  g_assert_no_error (error);
  return id;
}

static gint64
add_type (Fixture    *f,
          const char *name,
          int         minutes,
          gboolean    bookable)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClinicVisitType) t = clinic_visit_type_new ();
  gint64 id;

  g_free (t->name);
  t->name = g_strdup (name);
  t->duration_min = minutes;
  t->patient_bookable = bookable;
  id = clinic_visit_types_save (f->admin, t, &error);
  g_assert_no_error (error);
  return id;
}

/* Monday to Friday 8–12 and 13–17. */
static void
set_week (Fixture *f,
          gint64   provider)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) blocks = g_array_new (FALSE, TRUE, sizeof (ClinicHoursBlock));

  for (int day = 1; day <= 5; day++)
    {
      ClinicHoursBlock morning = { day, 8 * 60, 12 * 60, 0 };
      ClinicHoursBlock afternoon = { day, 13 * 60, 17 * 60, 0 };

      g_array_append_val (blocks, afternoon);
      g_array_append_val (blocks, morning);
    }
  g_assert_true (clinic_schedule_set_hours (f->admin, provider, blocks, &error));
  g_assert_no_error (error);
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClinicPatient) paula = clinic_test_patient_new ("Schmidt", "Paula", "1987-04-23", "0171 555");
  g_autoptr(ClinicPatient) otto = clinic_test_patient_new ("Berg", "Otto", "1950-01-02", "");
  gint64 account;

  f->db = clinic_test_clinic_new ("clinic-scheduling-XXXXXX", &admin_creds, &f->dir, &f->admin);
  f->path = g_build_filename (f->dir, "clinic.db", NULL);
  f->tz = clinic_schedule_get_timezone (f->db);

  f->paula = clinic_patients_create (f->admin, paula, FALSE, &error);
  f->otto = clinic_patients_create (f->admin, otto, FALSE, &error);
  g_assert_no_error (error);

  f->weber = add_staff (f, "weber", "Dr. Weber", 2);
  f->lang = add_staff (f, "lang", "Dr. Lang", 2);
  add_staff (f, "jonas", "Jonas Front", 3);
  g_assert_true (clinic_providers_set (f->admin, f->weber, TRUE, &error));
  g_assert_true (clinic_providers_set (f->admin, f->lang, TRUE, &error));
  g_assert_no_error (error);
  set_week (f, f->weber);
  set_week (f, f->lang);
  f->checkup = add_type (f, "Check-up", 30, TRUE);
  f->long_visit = add_type (f, "Long consultation", 60, FALSE);

  account = clinic_users_create (f->admin, "paula", "Paula Schmidt", CLINIC_USER_PATIENT, 0, PASSWORD,
                                 &CLINIC_KDF_LIMITS_TEST, &error);
  g_assert_true (clinic_patients_link_account (f->admin, f->paula, account, &error));
  g_assert_no_error (error);

  f->front = clinic_session_sign_in (f->db, "jonas", PASSWORD, &error);
  f->doctor = clinic_session_sign_in (f->db, "weber", PASSWORD, &error);
  f->patient = clinic_session_sign_in (f->db, "paula", PASSWORD, &error);
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_clear_object (&f->patient);
  g_clear_object (&f->doctor);
  g_clear_object (&f->front);
  g_clear_object (&f->admin);
  g_clear_object (&f->db);
  g_clear_pointer (&f->tz, g_time_zone_unref);
  clinic_test_remove_tree (f->dir);
  g_free (f->path);
  g_free (f->dir);
}

static gint64
at (Fixture    *f,
    const char *local)
{
  g_autoptr(GError) error = NULL;
  gint64 t = 0;

  g_assert_true (clinic_parse_local_time (f->tz, local, &t, &error));
  g_assert_no_error (error);
  return t;
}

static gint64
utc (const char *iso)
{
  g_autoptr(GTimeZone) z = g_time_zone_new_utc ();
  g_autoptr(GDateTime) t = g_date_time_new_from_iso8601 (iso, z);

  g_assert_nonnull (t);
  return g_date_time_to_unix (t);
}

/* @t as an iCalendar UTC time, "20270113T080000Z"; one of eight
 * buffers in turn, so a few can stand in one printf. */
static const char *
utc_text (gint64 t)
{
  static char buffers[8][17];
  static guint next;
  g_autoptr(GDateTime) d = g_date_time_new_from_unix_utc (t);
  g_autofree char *text = g_date_time_format (d, "%Y%m%dT%H%M%SZ");
  char *out = buffers[next++ % G_N_ELEMENTS (buffers)];

  g_strlcpy (out, text, sizeof buffers[0]);
  return out;
}

/* --- The clock --------------------------------------------------------------- */

static void
test_local_time_dst (void)
{
  g_autoptr(GTimeZone) berlin = g_time_zone_new_identifier ("Europe/Berlin");
  g_autoptr(GTimeZone) new_york = g_time_zone_new_identifier ("America/New_York");
  g_autoptr(GError) error = NULL;
  g_autofree char *back = NULL;
  gint64 t = 0;

  g_assert_nonnull (berlin);
  /* Winter: UTC+1; summer: UTC+2. */
  g_assert_cmpint (clinic_local_to_unix (berlin, 2027, 1, 15, 9 * 60), ==, utc ("2027-01-15T08:00:00Z"));
  g_assert_cmpint (clinic_local_to_unix (berlin, 2027, 7, 15, 9 * 60), ==, utc ("2027-07-15T07:00:00Z"));
  /* 28 March 2027, 2:30 does not exist (2:00 → 3:00): it moves forward
   * by the hour, to 3:30 CEST. */
  g_assert_cmpint (clinic_local_to_unix (berlin, 2027, 3, 28, 2 * 60 + 30), ==, utc ("2027-03-28T01:30:00Z"));
  g_assert_cmpint (clinic_local_to_unix (berlin, 2027, 3, 28, 3 * 60 + 30), ==, utc ("2027-03-28T01:30:00Z"));
  g_assert_cmpint (clinic_local_to_unix (berlin, 2027, 3, 28, 1 * 60 + 59), ==, utc ("2027-03-28T00:59:00Z"));
  /* 31 October 2027, 2:30 happens twice (3:00 → 2:00): the first, CEST. */
  g_assert_cmpint (clinic_local_to_unix (berlin, 2027, 10, 31, 2 * 60 + 30), ==, utc ("2027-10-31T00:30:00Z"));
  g_assert_cmpint (clinic_local_to_unix (berlin, 2027, 10, 31, 3 * 60), ==, utc ("2027-10-31T02:00:00Z"));
  /* The same rules west of Greenwich. */
  g_assert_cmpint (clinic_local_to_unix (new_york, 2027, 3, 14, 2 * 60 + 15), ==, utc ("2027-03-14T07:15:00Z"));
  g_assert_cmpint (clinic_local_to_unix (new_york, 2027, 11, 7, 1 * 60 + 30), ==, utc ("2027-11-07T05:30:00Z"));
  /* Midnight at the end of a day is the next day's. */
  g_assert_cmpint (clinic_local_to_unix (berlin, 2027, 1, 15, 1440), ==, utc ("2027-01-15T23:00:00Z"));

  g_assert_true (clinic_parse_local_time (berlin, "2027-07-15 09:30", &t, &error));
  g_assert_cmpint (t, ==, utc ("2027-07-15T07:30:00Z"));
  back = clinic_format_local_time (berlin, t);
  g_assert_cmpstr (back, ==, "2027-07-15 09:30");
  for (const char *const *bad = (const char *const[]) { "2027-07-15", "2027-02-30 09:00", "15.07.2027 09:30",
                                                        "2027-07-15 24:00", "2027-07-15 9:30", "", NULL };
       *bad != NULL; bad++)
    {
      g_assert_false (clinic_parse_local_time (berlin, *bad, &t, &error));
      g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_INVALID);
      g_clear_error (&error);
    }
}

/* --- Hours, exceptions, availability ------------------------------------------- */

static guint
count_slots_on (GArray     *slots,
                GTimeZone  *tz,
                const char *day)
{
  guint n = 0;

  for (guint i = 0; i < slots->len; i++)
    {
      g_autofree char *local = clinic_format_local_time (tz, g_array_index (slots, ClinicSlot, i).starts_at);

      if (g_str_has_prefix (local, day))
        n++;
    }
  return n;
}

static void
test_availability (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) slots = NULL;
  g_autoptr(GArray) both = NULL;
  ClinicScheduleException block = { 0, f->weber, CLINIC_EXCEPTION_BLOCK, 0, 0, (char *) "Team meeting" };
  ClinicScheduleException off = { 0, f->weber, CLINIC_EXCEPTION_OFF, 0, 0, (char *) "Training" };
  ClinicScheduleException extra = { 0, f->weber, CLINIC_EXCEPTION_EXTRA, 0, 0, (char *) "" };
  ClinicBooking booking = { f->paula, f->weber, f->checkup, 0, 0, 0, NULL, NULL, NULL };

  /* Wednesday 13 January 2027: 4 h + 4 h, 30-minute slots every 15
   * minutes: 15 in each half-day. */
  slots = clinic_schedule_availability (f->front, f->weber, f->checkup, "2027-01-13", "2027-01-13", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (slots->len, ==, 30);
  g_assert_cmpint (g_array_index (slots, ClinicSlot, 0).starts_at, ==, at (f, "2027-01-13 08:00"));
  g_assert_cmpint (g_array_index (slots, ClinicSlot, 14).starts_at, ==, at (f, "2027-01-13 11:30"));
  g_assert_cmpint (g_array_index (slots, ClinicSlot, 15).starts_at, ==, at (f, "2027-01-13 13:00"));
  g_clear_pointer (&slots, g_array_unref);

  /* A booking, a block and extra hours change that. */
  booking.starts_at = at (f, "2027-01-13 09:00");
  g_assert_cmpint (clinic_appointments_book (f->front, &booking, &error), >, 0);
  g_assert_no_error (error);
  block.starts_at = at (f, "2027-01-13 14:00");
  block.ends_at = at (f, "2027-01-13 15:00");
  g_assert_cmpint (clinic_schedule_add_exception (f->front, &block, &error), >, 0);
  extra.starts_at = at (f, "2027-01-13 17:00");
  extra.ends_at = at (f, "2027-01-13 18:00");
  g_assert_cmpint (clinic_schedule_add_exception (f->doctor, &extra, &error), >, 0);
  g_assert_no_error (error);
  slots = clinic_schedule_availability (f->front, f->weber, f->checkup, "2027-01-13", "2027-01-13", &error);
  /* Morning: 8:00–9:00 (3) and 9:30–12:00 (9); afternoon 13–14 (3) and
   * 15–18 with the extra hour (11). */
  g_assert_cmpuint (slots->len, ==, 3 + 9 + 3 + 11);
  for (guint i = 0; i < slots->len; i++)
    {
      ClinicSlot *s = &g_array_index (slots, ClinicSlot, i);

      g_assert_false (s->starts_at < at (f, "2027-01-13 09:30") && s->ends_at > at (f, "2027-01-13 09:00"));
      g_assert_false (s->starts_at < at (f, "2027-01-13 15:00") && s->ends_at > at (f, "2027-01-13 14:00"));
    }
  g_clear_pointer (&slots, g_array_unref);

  /* A day off; the weekend; any doctor. */
  off.starts_at = at (f, "2027-01-14 00:00");
  off.ends_at = at (f, "2027-01-15 00:00");
  g_assert_cmpint (clinic_schedule_add_exception (f->admin, &off, &error), >, 0);
  slots = clinic_schedule_availability (f->front, f->weber, f->checkup, "2027-01-14", "2027-01-17", &error);
  g_assert_cmpuint (count_slots_on (slots, f->tz, "2027-01-14"), ==, 0);
  g_assert_cmpuint (count_slots_on (slots, f->tz, "2027-01-15"), ==, 30);
  g_assert_cmpuint (count_slots_on (slots, f->tz, "2027-01-16"), ==, 0);
  g_assert_cmpuint (slots->len, ==, 30);
  both = clinic_schedule_availability (f->front, 0, f->long_visit, "2027-01-14", "2027-01-14", &error);
  g_assert_no_error (error);
  /* Only Dr. Lang: 60-minute visits, 13 per half-day. */
  g_assert_cmpuint (both->len, ==, 26);
  for (guint i = 0; i < both->len; i++)
    g_assert_cmpint (g_array_index (both, ClinicSlot, i).provider_id, ==, f->lang);

  /* Bad requests. */
  g_assert_null (clinic_schedule_availability (f->front, f->weber, f->checkup, "2027-01-20", "2027-01-13", &error));
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_null (clinic_schedule_availability (f->front, f->weber, f->checkup, "13.01.2027", "2027-01-13", &error));
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_null (clinic_schedule_availability (f->patient, f->weber, f->long_visit, "2027-01-13", "2027-01-13", &error));
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_INVALID);
}

static void
test_availability_dst (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) blocks = g_array_new (FALSE, TRUE, sizeof (ClinicHoursBlock));
  g_autoptr(GArray) spring = NULL;
  g_autoptr(GArray) autumn = NULL;
  g_autoptr(GArray) monday = NULL;
  ClinicHoursBlock sunday_night = { 7, 60, 4 * 60, 0 };
  ClinicHoursBlock weekday = { 1, 8 * 60, 12 * 60, 0 };

  /* Sundays 1:00–4:00: on 28 March 2027 that is two real hours, on 31
   * October four. */
  g_array_append_val (blocks, sunday_night);
  g_array_append_val (blocks, weekday);
  g_assert_true (clinic_schedule_set_hours (f->front, f->lang, blocks, &error));
  g_assert_no_error (error);

  spring = clinic_schedule_availability (f->front, f->lang, f->checkup, "2027-03-28", "2027-03-28", &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_array_index (spring, ClinicSlot, 0).starts_at, ==, utc ("2027-03-28T00:00:00Z"));
  g_assert_cmpint (g_array_index (spring, ClinicSlot, spring->len - 1).ends_at, ==, utc ("2027-03-28T02:00:00Z"));
  g_assert_cmpuint (spring->len, ==, 7);
  autumn = clinic_schedule_availability (f->front, f->lang, f->checkup, "2027-10-31", "2027-10-31", &error);
  g_assert_cmpint (g_array_index (autumn, ClinicSlot, 0).starts_at, ==, utc ("2027-10-30T23:00:00Z"));
  g_assert_cmpint (g_array_index (autumn, ClinicSlot, autumn->len - 1).ends_at, ==, utc ("2027-10-31T03:00:00Z"));
  g_assert_cmpuint (autumn->len, ==, 15);
  /* The Monday after: 8:00 on the clock, now UTC+2. */
  monday = clinic_schedule_availability (f->front, f->lang, f->checkup, "2027-03-29", "2027-03-29", &error);
  g_assert_cmpint (g_array_index (monday, ClinicSlot, 0).starts_at, ==, utc ("2027-03-29T06:00:00Z"));

  /* Booking inside those hours on both DST days works. */
  {
    ClinicBooking b = { f->otto, f->lang, f->checkup, 0, utc ("2027-03-28T01:30:00Z"), 0, NULL, NULL, NULL };

    g_assert_cmpint (clinic_appointments_book (f->front, &b, &error), >, 0);
    g_assert_no_error (error);
    b.starts_at = utc ("2027-10-31T01:30:00Z");
    g_assert_cmpint (clinic_appointments_book (f->front, &b, &error), >, 0);
    g_assert_no_error (error);
    /* 4:00 on 28 March is outside. */
    b.starts_at = utc ("2027-03-28T02:00:00Z");
    g_assert_cmpint (clinic_appointments_book (f->front, &b, &error), ==, 0);
    g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_INVALID);
  }
}

/* --- Booking ---------------------------------------------------------------------- */

static void
expect_refused (Fixture             *f,
                ClinicSession       *session,
                const ClinicBooking *b,
                int                  code,
                const char          *words)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *before = clinic_test_dump_tables (f->db);
  g_autofree char *after = NULL;

  g_assert_cmpint (clinic_appointments_book (session, b, &error), ==, 0);
  g_assert_error (error, CLINIC_ERROR, code);
  if (words != NULL && strstr (error->message, words) == NULL)
    g_error ("“%s” does not say “%s”", error->message, words);
  after = clinic_test_dump_tables (f->db);
  g_assert_cmpstr (before, ==, after);
}

static void
test_booking_refusals (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  ClinicBooking b = { f->paula, f->weber, f->checkup, 0, 0, 0, "Cough", NULL, NULL };
  ClinicScheduleException block = { 0, f->weber, CLINIC_EXCEPTION_BLOCK, 0, 0, (char *) "Home visits" };
  ClinicScheduleException off = { 0, 0, CLINIC_EXCEPTION_OFF, 0, 0, (char *) "New Year" };
  gint64 first;

  b.starts_at = at (f, "2027-01-13 10:00");
  first = clinic_appointments_book (f->front, &b, &error);
  g_assert_no_error (error);
  g_assert_cmpint (first, >, 0);

  /* Overlaps: the same doctor 15 minutes later, or exactly the same. */
  b.patient_id = f->otto;
  b.starts_at = at (f, "2027-01-13 10:15");
  expect_refused (f, f->front, &b, CLINIC_ERROR_CONFLICT, "10:00");
  b.starts_at = at (f, "2027-01-13 09:45");
  expect_refused (f, f->front, &b, CLINIC_ERROR_CONFLICT, "overlaps");
  /* Back to back is fine. */
  b.starts_at = at (f, "2027-01-13 10:30");
  g_assert_cmpint (clinic_appointments_book (f->front, &b, &error), >, 0);
  g_assert_no_error (error);

  /* Outside hours, the lunch break, a block, a holiday, the past. */
  b.starts_at = at (f, "2027-01-13 07:45");
  expect_refused (f, f->front, &b, CLINIC_ERROR_INVALID, "working hours");
  b.starts_at = at (f, "2027-01-13 11:45");
  expect_refused (f, f->front, &b, CLINIC_ERROR_INVALID, "working hours");
  b.starts_at = at (f, "2027-01-16 10:00");
  expect_refused (f, f->front, &b, CLINIC_ERROR_INVALID, "working hours");
  block.starts_at = at (f, "2027-01-20 08:00");
  block.ends_at = at (f, "2027-01-20 12:00");
  clinic_schedule_add_exception (f->front, &block, &error);
  g_assert_no_error (error);
  b.starts_at = at (f, "2027-01-20 09:00");
  expect_refused (f, f->front, &b, CLINIC_ERROR_INVALID, "Home visits");
  off.starts_at = at (f, "2027-01-01 00:00");
  off.ends_at = at (f, "2027-01-02 00:00");
  clinic_schedule_add_exception (f->front, &off, &error);
  g_assert_no_error (error);
  b.starts_at = at (f, "2027-01-01 09:00");
  expect_refused (f, f->front, &b, CLINIC_ERROR_INVALID, "New Year");
  b.starts_at = g_get_real_time () / G_USEC_PER_SEC - 86400;
  expect_refused (f, f->front, &b, CLINIC_ERROR_INVALID, "past");

  /* A doctor books their own appointments only; a patient their own, and
   * only visit types patients may book. */
  b.starts_at = at (f, "2027-01-13 11:00");
  b.provider_id = f->lang;
  expect_refused (f, f->doctor, &b, CLINIC_ERROR_PERMISSION_DENIED, NULL);
  b.provider_id = f->weber;
  b.patient_id = f->otto;
  expect_refused (f, f->patient, &b, CLINIC_ERROR_PERMISSION_DENIED, NULL);
  b.patient_id = f->paula;
  b.visit_type_id = f->long_visit;
  expect_refused (f, f->patient, &b, CLINIC_ERROR_INVALID, NULL);
  b.visit_type_id = f->checkup;
  g_assert_cmpint (clinic_appointments_book (f->patient, &b, &error), >, 0);
  g_assert_no_error (error);

  /* Book anyway: only with the permission and a reason; kept and audited. */
  b.starts_at = at (f, "2027-01-13 10:00");
  b.override_reason = "Emergency, squeeze in";
  expect_refused (f, f->front, &b, CLINIC_ERROR_PERMISSION_DENIED, NULL);
  b.override_reason = "  ";
  expect_refused (f, f->admin, &b, CLINIC_ERROR_INVALID, "reason");
  b.override_reason = "Emergency, squeeze in";
  {
    gint64 id = clinic_appointments_book (f->admin, &b, &error);
    g_autoptr(ClinicAppointment) a = NULL;

    g_assert_no_error (error);
    a = clinic_appointments_get (f->front, id, &error);
    g_assert_cmpstr (a->override_reason, ==, "Emergency, squeeze in");
    g_assert_cmpint (clinic_test_query_int (f->db, "SELECT count(*) FROM audit_log"
                                                   " WHERE action = 'appointment.booked-anyway'"), ==, 1);
  }
  /* Unknown things. */
  b.override_reason = NULL;
  b.starts_at = at (f, "2027-01-15 10:00");
  b.visit_type_id = 999;
  expect_refused (f, f->front, &b, CLINIC_ERROR_NOT_FOUND, NULL);
  b.visit_type_id = f->checkup;
  b.provider_id = 999;
  expect_refused (f, f->front, &b, CLINIC_ERROR_NOT_FOUND, NULL);
}

/* --- Rooms -------------------------------------------------------------------- */

static gint64
add_room (Fixture    *f,
          const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClinicRoom) room = clinic_room_new ();
  gint64 id;

  g_free (room->name);
  room->name = g_strdup (name);
  id = clinic_rooms_save (f->admin, room, &error);
  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);
  return id;
}

static void
expect_room_refused (Fixture    *f,
                     ClinicRoom *room,
                     int         code,
                     const char *words)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *before = clinic_test_dump_tables (f->db);
  g_autofree char *after = NULL;

  g_assert_cmpint (clinic_rooms_save (f->admin, room, &error), ==, 0);
  g_assert_error (error, CLINIC_ERROR, code);
  if (words != NULL && strstr (error->message, words) == NULL)
    g_error ("“%s” does not say “%s”", error->message, words);
  after = clinic_test_dump_tables (f->db);
  g_assert_cmpstr (before, ==, after);
}

static void
test_rooms (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClinicRoom) room = clinic_room_new ();
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(ClinicRoom) found = NULL;
  gint64 one, two;

  /* Names are trimmed, unique in any case, and not empty. */
  g_free (room->name);
  room->name = g_strdup ("  Room 1 ");
  one = clinic_rooms_save (f->admin, room, &error);
  g_assert_no_error (error);
  two = add_room (f, "Äskulap");
  g_free (room->name);
  room->name = g_strdup ("room 1");
  expect_room_refused (f, room, CLINIC_ERROR_CONFLICT, "“Room 1”");
  g_free (room->name);
  room->name = g_strdup ("äSKULAP");
  expect_room_refused (f, room, CLINIC_ERROR_CONFLICT, "already");
  g_free (room->name);
  room->name = g_strdup ("   ");
  expect_room_refused (f, room, CLINIC_ERROR_INVALID, "name");
  g_free (room->name);
  room->name = g_strnfill (41, 'x');
  expect_room_refused (f, room, CLINIC_ERROR_INVALID, "40");
  g_free (room->name);
  room->name = g_strdup ("Room 1, upstairs");
  expect_room_refused (f, room, CLINIC_ERROR_INVALID, "commas");
  g_free (room->name);
  room->name = g_strdup ("Room\t2");
  expect_room_refused (f, room, CLINIC_ERROR_INVALID, "tabs");
  room->id = 999;
  g_free (room->name);
  room->name = g_strdup ("Nowhere");
  expect_room_refused (f, room, CLINIC_ERROR_NOT_FOUND, NULL);

  /* Renaming keeps the id; its own name in another case is no clash. */
  room->id = one;
  g_free (room->name);
  room->name = g_strdup ("ROOM 1");
  g_assert_cmpint (clinic_rooms_save (f->admin, room, &error), ==, one);
  g_assert_no_error (error);
  found = clinic_rooms_lookup (f->front, "room 1", &error);
  g_assert_no_error (error);
  g_assert_cmpint (found->id, ==, one);
  g_assert_cmpstr (found->name, ==, "ROOM 1");
  g_assert_true (found->active);
  g_clear_pointer (&found, clinic_room_free);
  found = clinic_rooms_lookup (f->front, "äskulap", &error);
  g_assert_no_error (error);
  g_assert_cmpint (found->id, ==, two);
  g_clear_pointer (&found, clinic_room_free);
  g_assert_null (clinic_rooms_lookup (f->front, "Room 9", &error));
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* Lists by name; retired ones only when asked for. Patients see none. */
  list = clinic_rooms_list (f->doctor, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 2);
  g_assert_cmpstr (((ClinicRoom *) list->pdata[0])->name, ==, "ROOM 1");
  g_clear_pointer (&list, g_ptr_array_unref);
  room->active = FALSE;
  g_assert_cmpint (clinic_rooms_save (f->admin, room, &error), ==, one);
  g_assert_no_error (error);
  list = clinic_rooms_list (f->front, FALSE, &error);
  g_assert_cmpuint (list->len, ==, 1);
  g_assert_cmpint (((ClinicRoom *) list->pdata[0])->id, ==, two);
  g_clear_pointer (&list, g_ptr_array_unref);
  list = clinic_rooms_list (f->front, TRUE, &error);
  g_assert_cmpuint (list->len, ==, 2);
  g_assert_cmpint (((ClinicRoom *) list->pdata[0])->id, ==, one);
  g_assert_false (((ClinicRoom *) list->pdata[0])->active);
  g_clear_pointer (&list, g_ptr_array_unref);
  g_assert_null (clinic_rooms_list (f->patient, TRUE, &error));
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_PERMISSION_DENIED);
  g_clear_error (&error);

  /* A retired name is still taken: reactivate it instead. */
  {
    g_autoptr(ClinicRoom) again = clinic_room_new ();

    g_free (again->name);
    again->name = g_strdup ("Room 1");
    expect_room_refused (f, again, CLINIC_ERROR_CONFLICT, "reactivate");
  }
  room->active = TRUE;
  g_assert_cmpint (clinic_rooms_save (f->admin, room, &error), ==, one);
  g_assert_no_error (error);

  /* Only SETTINGS changes rooms; every change is audited. */
  g_assert_cmpint (clinic_rooms_save (f->front, room, &error), ==, 0);
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_PERMISSION_DENIED);
  g_clear_error (&error);
  g_assert_cmpint (clinic_test_query_int (f->db, "SELECT count(*) FROM audit_log WHERE action = 'room.added'"),
                   ==, 2);
  g_assert_cmpint (clinic_test_query_int (f->db, "SELECT count(*) FROM audit_log WHERE action = 'room.changed'"),
                   ==, 3);
}

/* Weber works in Room 1 in the mornings (no room in the afternoons);
 * Lang shares Room 1 on Wednesday afternoons. */
static void
test_rooms_booking (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) blocks = g_array_new (FALSE, TRUE, sizeof (ClinicHoursBlock));
  ClinicBooking b = { f->paula, f->weber, f->checkup, 0, 0, 0, "Cough", NULL, NULL };
  gint64 one = add_room (f, "Room 1");
  gint64 two = add_room (f, "Room 2");
  gint64 retired;
  gint64 id;

  for (int day = 1; day <= 5; day++)
    {
      ClinicHoursBlock morning = { day, 8 * 60, 12 * 60, one };
      ClinicHoursBlock afternoon = { day, 13 * 60, 17 * 60, 0 };

      g_array_append_val (blocks, morning);
      g_array_append_val (blocks, afternoon);
    }
  g_assert_true (clinic_schedule_set_hours (f->admin, f->weber, blocks, &error));
  g_assert_no_error (error);
  {
    g_autoptr(GArray) read = clinic_schedule_get_hours (f->front, f->weber, &error);

    g_assert_no_error (error);
    g_assert_cmpint (g_array_index (read, ClinicHoursBlock, 0).room_id, ==, one);
    g_assert_cmpint (g_array_index (read, ClinicHoursBlock, 1).room_id, ==, 0);
  }
  g_array_set_size (blocks, 0);
  {
    ClinicHoursBlock wednesday = { 3, 13 * 60, 17 * 60, one };

    g_array_append_val (blocks, wednesday);
  }
  g_assert_true (clinic_schedule_set_hours (f->admin, f->lang, blocks, &error));
  g_assert_no_error (error);

  /* Hours naming a room that does not exist, or is retired, are refused. */
  {
    g_autoptr(ClinicRoom) r = clinic_room_new ();
    g_autofree char *before = NULL;
    g_autofree char *after = NULL;

    g_free (r->name);
    r->name = g_strdup ("Old store");
    r->active = FALSE;
    retired = clinic_rooms_save (f->admin, r, &error);
    g_assert_no_error (error);
    before = clinic_test_dump_tables (f->db);
    g_array_index (blocks, ClinicHoursBlock, 0).room_id = retired;
    g_assert_false (clinic_schedule_set_hours (f->admin, f->lang, blocks, &error));
    g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_INVALID);
    g_assert_nonnull (strstr (error->message, "Old store"));
    g_clear_error (&error);
    g_array_index (blocks, ClinicHoursBlock, 0).room_id = 999;
    g_assert_false (clinic_schedule_set_hours (f->admin, f->lang, blocks, &error));
    g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_NOT_FOUND);
    g_clear_error (&error);
    after = clinic_test_dump_tables (f->db);
    g_assert_cmpstr (before, ==, after);
  }

  /* What a booking without a room would take, asked before booking. */
  g_assert_cmpint (clinic_schedule_room_at (f->front, f->weber, at (f, "2027-01-13 10:00"), &error), ==, one);
  g_assert_cmpint (clinic_schedule_room_at (f->front, f->weber, at (f, "2027-01-13 14:00"), &error), ==, 0);
  g_assert_no_error (error);

  /* A morning booking without a room takes the hours' room. */
  b.starts_at = at (f, "2027-01-13 10:00");
  id = clinic_appointments_book (f->front, &b, &error);
  g_assert_no_error (error);
  {
    g_autoptr(ClinicAppointment) a = clinic_appointments_get (f->front, id, &error);

    g_assert_cmpint (a->room_id, ==, one);
    g_assert_cmpstr (a->room_name, ==, "Room 1");
  }
  /* An afternoon one has none; an explicit room is kept. */
  b.starts_at = at (f, "2027-01-13 14:00");
  id = clinic_appointments_book (f->front, &b, &error);
  g_assert_no_error (error);
  {
    g_autoptr(ClinicAppointment) a = clinic_appointments_get (f->front, id, &error);

    g_assert_cmpint (a->room_id, ==, 0);
    g_assert_cmpstr (a->room_name, ==, "");
  }
  b.starts_at = at (f, "2027-01-13 15:00");
  b.room_id = two;
  id = clinic_appointments_book (f->front, &b, &error);
  g_assert_no_error (error);
  {
    g_autoptr(ClinicAppointment) a = clinic_appointments_get (f->front, id, &error);

    g_assert_cmpint (a->room_id, ==, two);
    g_assert_cmpstr (a->room_name, ==, "Room 2");
  }

  /* Two doctors, one room: Lang's Wednesday afternoon is in Room 1, so
   * an explicit booking of Room 1 at 15:00 for Weber clashes with nothing
   * yet, but Lang then cannot take Room 1 at 15:15. */
  b.starts_at = at (f, "2027-01-13 16:00");
  b.room_id = one;
  g_assert_cmpint (clinic_appointments_book (f->front, &b, &error), >, 0);
  g_assert_no_error (error);
  /* Lang's free times leave out what Weber holds in their shared room. */
  {
    g_autoptr(GArray) slots = clinic_schedule_availability (f->front, f->lang, f->checkup, "2027-01-13",
                                                            "2027-01-13", &error);
    gboolean half_past_three = FALSE, half_past_four = FALSE;

    g_assert_no_error (error);
    for (guint i = 0; i < slots->len; i++)
      {
        gint64 start = g_array_index (slots, ClinicSlot, i).starts_at;

        g_assert_true (start + 30 * 60 <= at (f, "2027-01-13 16:00") || start >= at (f, "2027-01-13 16:30"));
        half_past_three |= start == at (f, "2027-01-13 15:30");
        half_past_four |= start == at (f, "2027-01-13 16:30");
      }
    g_assert_true (half_past_three);
    g_assert_true (half_past_four);
  }
  b.provider_id = f->lang;
  b.room_id = 0;
  b.patient_id = f->otto;
  b.starts_at = at (f, "2027-01-13 16:15");
  expect_refused (f, f->front, &b, CLINIC_ERROR_CONFLICT, "The room “Room 1” is taken");
  /* Asking Lang for Room 2 instead: Weber's 15:00 is there until 15:30. */
  b.room_id = two;
  b.starts_at = at (f, "2027-01-13 15:15");
  expect_refused (f, f->front, &b, CLINIC_ERROR_CONFLICT, "“Room 2”");
  b.starts_at = at (f, "2027-01-13 15:30");
  g_assert_cmpint (clinic_appointments_book (f->front, &b, &error), >, 0);
  g_assert_no_error (error);
  /* The doctor's own clash is named as such, not as the room's. */
  b.provider_id = f->weber;
  b.room_id = one;
  b.starts_at = at (f, "2027-01-13 10:15");
  expect_refused (f, f->front, &b, CLINIC_ERROR_CONFLICT, "overlaps another appointment");

  /* An import without a room takes the hours' room too, and is refused
   * when that room is taken. */
  {
    g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func ((GDestroyNotify) clinic_appointment_free);
    g_autoptr(GPtrArray) day = NULL;
    ClinicAppointment *a = g_new0 (ClinicAppointment, 1);
    g_autofree char *before = NULL;
    g_autofree char *after = NULL;

    a->patient_id = f->otto;
    a->provider_id = f->weber;
    a->visit_type_id = f->checkup;
    a->starts_at = at (f, "2027-01-15 09:00");
    g_ptr_array_add (list, a);
    g_assert_cmpint (clinic_appointments_import (f->admin, list, NULL, NULL, &error), ==, 1);
    g_assert_no_error (error);
    day = clinic_appointments_list (f->front, a->starts_at, a->starts_at + 60, f->weber, &error);
    g_assert_cmpuint (day->len, ==, 1);
    g_assert_cmpint (((ClinicAppointment *) day->pdata[0])->room_id, ==, one);
    a->provider_id = f->lang;
    a->starts_at = at (f, "2027-01-13 16:15");
    before = clinic_test_dump_tables (f->db);
    g_assert_cmpint (clinic_appointments_import (f->admin, list, NULL, NULL, &error), ==, -1);
    g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_CONFLICT);
    g_assert_nonnull (strstr (error->message, "“Room 1”"));
    g_clear_error (&error);
    after = clinic_test_dump_tables (f->db);
    g_assert_cmpstr (before, ==, after);
  }

  /* A retired or unknown room cannot be booked; a retired room keeps the
   * appointments already in it. */
  b.starts_at = at (f, "2027-01-14 14:00");
  b.room_id = retired;
  expect_refused (f, f->front, &b, CLINIC_ERROR_INVALID, "Old store");
  b.room_id = 999;
  expect_refused (f, f->front, &b, CLINIC_ERROR_NOT_FOUND, NULL);
  {
    g_autoptr(ClinicRoom) r = clinic_rooms_lookup (f->front, "Room 2", &error);

    r->active = FALSE;
    g_assert_cmpint (clinic_rooms_save (f->admin, r, &error), ==, two);
    g_assert_no_error (error);
    g_assert_cmpint (clinic_test_query_int (f->db, "SELECT count(*) FROM appointments WHERE room_id = 2"
                                                   " AND status = 'booked'"), ==, 2);
  }
  /* Retiring Room 1 leaves Weber's mornings without a room to give. */
  {
    g_autoptr(ClinicRoom) r = clinic_rooms_lookup (f->front, "Room 1", &error);

    r->active = FALSE;
    g_assert_cmpint (clinic_rooms_save (f->admin, r, &error), ==, one);
    g_assert_no_error (error);
  }
  b.room_id = 0;
  b.starts_at = at (f, "2027-01-14 09:00");
  id = clinic_appointments_book (f->front, &b, &error);
  g_assert_no_error (error);
  {
    g_autoptr(ClinicAppointment) a = clinic_appointments_get (f->front, id, &error);

    g_assert_cmpint (a->room_id, ==, 0);
  }
}

static void
test_lifecycle (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClinicAppointment) a = NULL;
  g_autoptr(GPtrArray) history = NULL;
  g_autoptr(GPtrArray) day = NULL;
  ClinicBooking b = { f->paula, f->weber, f->checkup, 0, 0, 0, "Back pain", NULL, NULL };
  ClinicBooking other = { f->otto, f->weber, f->checkup, 0, 0, 0, NULL, NULL, NULL };
  gint64 id, id2;

  b.starts_at = at (f, "2027-01-13 10:00");
  id = clinic_appointments_book (f->front, &b, &error);
  other.starts_at = at (f, "2027-01-13 11:00");
  id2 = clinic_appointments_book (f->front, &other, &error);
  g_assert_no_error (error);

  /* Moved onto the other one: refused; to a free time: done. */
  g_assert_false (clinic_appointments_reschedule (f->front, id, at (f, "2027-01-13 11:15"), 0, 0, NULL, &error));
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_CONFLICT);
  g_clear_error (&error);
  g_assert_true (clinic_appointments_reschedule (f->front, id, at (f, "2027-01-13 08:30"), 0, 0, NULL, &error));
  g_assert_no_error (error);
  /* To another doctor. */
  g_assert_true (clinic_appointments_reschedule (f->front, id, at (f, "2027-01-13 08:30"), 0, f->lang, NULL, &error));
  g_assert_no_error (error);

  /* Confirm, arrive, start, complete; nothing goes backwards. */
  g_assert_true (clinic_appointments_set_status (f->patient, id, CLINIC_APPOINTMENT_CONFIRMED, &error));
  g_assert_no_error (error);
  g_assert_false (clinic_appointments_set_status (f->patient, id, CLINIC_APPOINTMENT_ARRIVED, &error));
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_PERMISSION_DENIED);
  g_clear_error (&error);
  g_assert_true (clinic_appointments_set_status (f->front, id, CLINIC_APPOINTMENT_ARRIVED, &error));
  g_assert_true (clinic_appointments_set_status (f->front, id, CLINIC_APPOINTMENT_IN_PROGRESS, &error));
  g_assert_true (clinic_appointments_set_status (f->front, id, CLINIC_APPOINTMENT_COMPLETED, &error));
  g_assert_no_error (error);
  g_assert_false (clinic_appointments_set_status (f->front, id, CLINIC_APPOINTMENT_CONFIRMED, &error));
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (clinic_appointments_cancel (f->front, id, "Too late", &error));
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_INVALID);
  g_clear_error (&error);

  /* Cancel needs a reason; undo brings it back while the time is free. */
  g_assert_false (clinic_appointments_cancel (f->front, id2, " ", &error));
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_true (clinic_appointments_cancel (f->front, id2, "Patient is ill", &error));
  g_assert_no_error (error);
  a = clinic_appointments_get (f->front, id2, &error);
  g_assert_cmpint (a->status, ==, CLINIC_APPOINTMENT_CANCELLED);
  g_assert_cmpstr (a->cancel_reason, ==, "Patient is ill");
  g_assert_false (a->late_cancel);
  g_clear_pointer (&a, clinic_appointment_free);
  other.starts_at = at (f, "2027-01-13 11:00");
  other.patient_id = f->paula;
  {
    gint64 taken = clinic_appointments_book (f->front, &other, &error);

    g_assert_no_error (error);
    g_assert_false (clinic_appointments_set_status (f->front, id2, CLINIC_APPOINTMENT_BOOKED, &error));
    g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_CONFLICT);
    g_clear_error (&error);
    g_assert_true (clinic_appointments_cancel (f->front, taken, "Booked by mistake", &error));
    g_assert_true (clinic_appointments_set_status (f->front, id2, CLINIC_APPOINTMENT_BOOKED, &error));
    g_assert_no_error (error);
  }

  history = clinic_appointments_history (f->front, id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (history->len, ==, 7);
  g_assert_cmpstr (((ClinicAppointmentChange *) history->pdata[0])->action, ==, "booked");
  g_assert_cmpstr (((ClinicAppointmentChange *) history->pdata[1])->action, ==, "rescheduled");
  g_assert_cmpstr (((ClinicAppointmentChange *) history->pdata[6])->action, ==, "completed");

  /* The day's list: the front desk sees all; Dr. Weber his own. */
  day = clinic_appointments_list (f->front, at (f, "2027-01-13 00:00"), at (f, "2027-01-14 00:00"), 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (day->len, ==, 3);
  g_assert_cmpstr (((ClinicAppointment *) day->pdata[0])->patient_chart, ==, "C000001");
  g_clear_pointer (&day, g_ptr_array_unref);
  day = clinic_appointments_list (f->doctor, at (f, "2027-01-13 00:00"), at (f, "2027-01-14 00:00"), 0, &error);
  g_assert_cmpuint (day->len, ==, 2);
  g_clear_pointer (&day, g_ptr_array_unref);
  g_assert_null (clinic_appointments_list (f->doctor, 0, G_MAXINT32, f->lang, &error));
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_PERMISSION_DENIED);
  g_clear_error (&error);
  day = clinic_appointments_list (f->patient, 0, G_MAXINT64, 0, &error);
  for (guint i = 0; i < day->len; i++)
    g_assert_cmpint (((ClinicAppointment *) day->pdata[i])->patient_id, ==, f->paula);
}

static void
test_cancel_rules (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClinicAppointment) a = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now (f->tz);
  g_autoptr(GDateTime) tomorrow = g_date_time_add_days (now, 1);
  g_autoptr(GArray) hours = g_array_new (FALSE, TRUE, sizeof (ClinicHoursBlock));
  ClinicBooking b = { f->paula, f->weber, f->checkup, 0, 0, 0, NULL, NULL, NULL };
  gint64 soon;

  /* Round the clock tomorrow, so "in 3 hours" is always inside hours. */
  for (int d = 1; d <= 7; d++)
    {
      ClinicHoursBlock all = { d, 0, 1440, 0 };

      g_array_append_val (hours, all);
    }
  g_assert_true (clinic_schedule_set_hours (f->admin, f->weber, hours, &error));
  b.starts_at = (g_date_time_to_unix (now) / 900 + 12) * 900;
  soon = clinic_appointments_book (f->front, &b, &error);
  g_assert_no_error (error);

  /* Within 24 h: the patient is sent to the front desk; the front desk
   * cancels, flagged late. */
  g_assert_false (clinic_appointments_cancel (f->patient, soon, "Cannot come", &error));
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_PERMISSION_DENIED);
  g_clear_error (&error);
  g_assert_true (clinic_appointments_cancel (f->front, soon, "Called in", &error));
  a = clinic_appointments_get (f->front, soon, &error);
  g_assert_true (a->late_cancel);
  g_assert_cmpint (clinic_test_query_int (f->db, "SELECT count(*) FROM audit_log"
                                                 " WHERE action = 'appointment.cancelled-late'"), ==, 1);

  /* Far enough ahead, the patient may. */
  b.starts_at = g_date_time_to_unix (tomorrow) + 2 * 86400;
  b.starts_at -= b.starts_at % 900;
  soon = clinic_appointments_book (f->patient, &b, &error);
  g_assert_no_error (error);
  g_assert_true (clinic_appointments_cancel (f->patient, soon, "Feeling better", &error));
  g_assert_no_error (error);
}

static void
test_hours_and_types_rules (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) blocks = g_array_new (FALSE, TRUE, sizeof (ClinicHoursBlock));
  g_autoptr(GArray) read = NULL;
  g_autoptr(ClinicVisitType) t = clinic_visit_type_new ();
  g_autoptr(GPtrArray) types = NULL;
  ClinicHoursBlock a = { 2, 9 * 60, 12 * 60, 0 }, b = { 2, 11 * 60, 14 * 60, 0 }, bad = { 8, 0, 60, 0 };

  g_array_append_val (blocks, a);
  g_array_append_val (blocks, b);
  g_assert_false (clinic_schedule_set_hours (f->admin, f->weber, blocks, &error));
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_INVALID);
  g_clear_error (&error);
  g_array_set_size (blocks, 0);
  g_array_append_val (blocks, bad);
  g_assert_false (clinic_schedule_set_hours (f->admin, f->weber, blocks, &error));
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_INVALID);
  g_clear_error (&error);
  /* A doctor sets their own week, not a colleague's. */
  g_array_set_size (blocks, 0);
  g_array_append_val (blocks, a);
  g_assert_false (clinic_schedule_set_hours (f->doctor, f->lang, blocks, &error));
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_PERMISSION_DENIED);
  g_clear_error (&error);
  g_assert_true (clinic_schedule_set_hours (f->doctor, f->weber, blocks, &error));
  read = clinic_schedule_get_hours (f->front, f->weber, &error);
  g_assert_cmpuint (read->len, ==, 1);
  g_assert_cmpint (g_array_index (read, ClinicHoursBlock, 0).start_min, ==, 9 * 60);

  /* Visit types: names unique in any case, durations in 5 minutes, colours. */
  g_free (t->name);
  t->name = g_strdup ("check-UP");
  g_assert_cmpint (clinic_visit_types_save (f->admin, t, &error), ==, 0);
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_CONFLICT);
  g_clear_error (&error);
  g_free (t->name);
  t->name = g_strdup ("Vaccination");
  t->duration_min = 7;
  g_assert_cmpint (clinic_visit_types_save (f->admin, t, &error), ==, 0);
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_INVALID);
  g_clear_error (&error);
  t->duration_min = 10;
  g_free (t->color);
  t->color = g_strdup ("red");
  g_assert_cmpint (clinic_visit_types_save (f->admin, t, &error), ==, 0);
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_cmpint (clinic_visit_types_save (f->front, t, &error), ==, 0);
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_PERMISSION_DENIED);
  g_clear_error (&error);

  types = clinic_visit_types_list (f->patient, FALSE, &error);
  g_assert_cmpuint (types->len, ==, 1);
  g_assert_cmpstr (((ClinicVisitType *) types->pdata[0])->name, ==, "Check-up");
  g_clear_pointer (&types, g_ptr_array_unref);
  types = clinic_visit_types_list (f->front, FALSE, &error);
  g_assert_cmpuint (types->len, ==, 2);
  {
    g_autoptr(ClinicVisitType) found = clinic_visit_types_lookup (f->front, "long CONSULTATION", &error);

    g_assert_no_error (error);
    g_assert_cmpint (found->id, ==, f->long_visit);
  }
  g_assert_cmpint (clinic_providers_lookup (f->front, "Weber", &error), ==, f->weber);
  g_assert_cmpint (clinic_providers_lookup (f->front, "jonas", &error), ==, 0);
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_NOT_FOUND);
}

static ClinicAppointment *
imported (gint64      patient,
          gint64      provider,
          gint64      type,
          gint64      start,
          ClinicAppointmentStatus status)
{
  ClinicAppointment *a = g_new0 (ClinicAppointment, 1);

  a->patient_id = patient;
  a->provider_id = provider;
  a->visit_type_id = type;
  a->starts_at = start;
  a->status = status;
  return a;
}

/* History comes in whole or not at all; the past is allowed, overlaps are
 * not (cancelled ones take no time). */
static void
test_import (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func ((GDestroyNotify) clinic_appointment_free);
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;

  g_ptr_array_add (list, imported (f->paula, f->weber, f->checkup, at (f, "2020-05-04 09:00"),
                                   CLINIC_APPOINTMENT_COMPLETED));
  g_ptr_array_add (list, imported (f->otto, f->weber, f->checkup, at (f, "2020-05-04 09:00"),
                                   CLINIC_APPOINTMENT_CANCELLED));
  g_ptr_array_add (list, imported (f->otto, f->weber, f->checkup, at (f, "2020-05-04 09:30"),
                                   CLINIC_APPOINTMENT_NO_SHOW));
  g_ptr_array_add (list, imported (f->otto, f->lang, f->long_visit, at (f, "2027-02-01 20:00"),
                                   CLINIC_APPOINTMENT_BOOKED));
  g_assert_cmpint (clinic_appointments_import (f->front, list, NULL, NULL, &error), ==, 4);
  g_assert_no_error (error);
  g_assert_cmpint (clinic_test_query_int (f->db, "SELECT count(*) FROM appointments"), ==, 4);
  g_assert_cmpint (clinic_test_query_int (f->db, "SELECT ends_at - starts_at FROM appointments"
                                                 " WHERE provider_id = (SELECT id FROM users WHERE name = 'lang')"), ==, 3600);

  /* An overlap with the book, or within the file, imports nothing. */
  g_ptr_array_set_size (list, 0);
  g_ptr_array_add (list, imported (f->otto, f->weber, f->checkup, at (f, "2020-05-05 09:00"),
                                   CLINIC_APPOINTMENT_COMPLETED));
  g_ptr_array_add (list, imported (f->paula, f->weber, f->checkup, at (f, "2020-05-04 09:15"),
                                   CLINIC_APPOINTMENT_COMPLETED));
  before = clinic_test_dump_tables (f->db);
  g_assert_cmpint (clinic_appointments_import (f->front, list, NULL, NULL, &error), ==, -1);
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_CONFLICT);
  g_assert_nonnull (strstr (error->message, "Appointment 2"));
  g_clear_error (&error);
  after = clinic_test_dump_tables (f->db);
  g_assert_cmpstr (before, ==, after);
  g_ptr_array_set_size (list, 0);
  g_ptr_array_add (list, imported (f->otto, 4242, f->checkup, at (f, "2020-05-05 09:00"),
                                   CLINIC_APPOINTMENT_COMPLETED));
  g_assert_cmpint (clinic_appointments_import (f->front, list, NULL, NULL, &error), ==, -1);
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_NOT_FOUND);
  g_clear_error (&error);
  /* Only the front desk's kind of session imports. */
  g_assert_cmpint (clinic_appointments_import (f->doctor, list, NULL, NULL, &error), ==, -1);
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_PERMISSION_DENIED);
}

/* The status rules a menu asks agree with what the core does. */
static void
test_status_allows (void)
{
  g_assert_true (clinic_appointment_status_allows (CLINIC_APPOINTMENT_BOOKED, CLINIC_APPOINTMENT_CONFIRMED));
  g_assert_false (clinic_appointment_status_allows (CLINIC_APPOINTMENT_CONFIRMED, CLINIC_APPOINTMENT_CONFIRMED));
  g_assert_true (clinic_appointment_status_allows (CLINIC_APPOINTMENT_ARRIVED, CLINIC_APPOINTMENT_COMPLETED));
  g_assert_false (clinic_appointment_status_allows (CLINIC_APPOINTMENT_BOOKED, CLINIC_APPOINTMENT_COMPLETED));
  g_assert_true (clinic_appointment_status_allows (CLINIC_APPOINTMENT_CONFIRMED, CLINIC_APPOINTMENT_CANCELLED));
  g_assert_true (clinic_appointment_status_allows (CLINIC_APPOINTMENT_IN_PROGRESS, CLINIC_APPOINTMENT_CANCELLED));
  g_assert_false (clinic_appointment_status_allows (CLINIC_APPOINTMENT_COMPLETED, CLINIC_APPOINTMENT_CANCELLED));
  g_assert_false (clinic_appointment_status_allows (CLINIC_APPOINTMENT_NO_SHOW, CLINIC_APPOINTMENT_CANCELLED));
  g_assert_true (clinic_appointment_status_allows (CLINIC_APPOINTMENT_CANCELLED, CLINIC_APPOINTMENT_BOOKED));
  g_assert_false (clinic_appointment_status_allows (CLINIC_APPOINTMENT_COMPLETED, CLINIC_APPOINTMENT_BOOKED));
}

/* --- The registry's visit columns and filters -------------------------------- */

static ClinicPatient *
find_row (GPtrArray *rows,
          gint64     id)
{
  for (guint i = 0; i < rows->len; i++)
    if (((ClinicPatient *) g_ptr_array_index (rows, i))->id == id)
      return g_ptr_array_index (rows, i);
  g_error ("patient %" G_GINT64_FORMAT " is not in the page", id);
}

static GPtrArray *
search (Fixture *f,
        gint64   provider_id,
        gint64   visit_type_id,
        guint   *total)
{
  g_autoptr(GError) error = NULL;
  ClinicPatientFilter filter;
  GPtrArray *rows;

  clinic_patient_filter_init (&filter);
  filter.sort = CLINIC_PATIENT_SORT_NAME;
  filter.provider_id = provider_id;
  filter.visit_type_id = visit_type_id;
  rows = clinic_patients_search (f->front, "", &filter, 0, 100, total, &error);
  g_assert_no_error (error);
  g_assert_nonnull (rows);
  return rows;
}

/* Last visit: the latest past one that was not cancelled or missed; next
 * visit: the first coming active one; the visit type of the next, else of
 * the last. The filters keep patients with such a visit. */
static void
test_registry_visits (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func ((GDestroyNotify) clinic_appointment_free);
  g_autoptr(GPtrArray) rows = NULL;
  ClinicPatient *p;
  guint total = 0;
  gint64 future = at (f, "2040-01-04 09:00");

  /* Paula: completed with Weber in 2020, missed in 2021 (not a visit),
   * a long visit with Lang coming, another check-up after it. Otto:
   * only a cancelled one (no visit at all). */
  g_ptr_array_add (list, imported (f->paula, f->weber, f->checkup, at (f, "2020-05-04 09:00"),
                                   CLINIC_APPOINTMENT_COMPLETED));
  g_ptr_array_add (list, imported (f->paula, f->weber, f->checkup, at (f, "2021-05-04 09:00"),
                                   CLINIC_APPOINTMENT_NO_SHOW));
  g_ptr_array_add (list, imported (f->paula, f->lang, f->long_visit, future, CLINIC_APPOINTMENT_BOOKED));
  g_ptr_array_add (list, imported (f->paula, f->lang, f->checkup, future + 86400, CLINIC_APPOINTMENT_BOOKED));
  g_ptr_array_add (list, imported (f->otto, f->weber, f->long_visit, future, CLINIC_APPOINTMENT_CANCELLED));
  g_assert_cmpint (clinic_appointments_import (f->front, list, NULL, NULL, &error), ==, 5);
  g_assert_no_error (error);

  rows = search (f, 0, 0, &total);
  g_assert_cmpuint (total, ==, 2);
  p = find_row (rows, f->paula);
  g_assert_cmpint (p->last_visit, ==, at (f, "2020-05-04 09:00"));
  g_assert_cmpint (p->next_visit, ==, future);
  g_assert_cmpstr (p->visit_type, ==, "Long consultation");
  p = find_row (rows, f->otto);
  g_assert_cmpint (p->last_visit, ==, 0);
  g_assert_cmpint (p->next_visit, ==, 0);
  g_assert_null (p->visit_type);
  g_clear_pointer (&rows, g_ptr_array_unref);

  /* Without a coming visit, the type is the last visit's. */
  g_assert_true (clinic_appointments_cancel (f->front, clinic_test_query_int (f->db,
                 "SELECT id FROM appointments WHERE visit_type_id = (SELECT id FROM visit_types"
                 " WHERE name = 'Long consultation') AND status = 'booked'"), "Ill", &error));
  g_assert_no_error (error);
  rows = search (f, 0, 0, NULL);
  p = find_row (rows, f->paula);
  g_assert_cmpint (p->next_visit, ==, future + 86400);
  g_assert_cmpstr (p->visit_type, ==, "Check-up");
  g_clear_pointer (&rows, g_ptr_array_unref);

  /* Filters: Weber's patients are Paula (a completed visit), not Otto
   * (cancelled only); the long visit is nobody's any more. */
  rows = search (f, f->weber, 0, &total);
  g_assert_cmpuint (total, ==, 1);
  g_assert_cmpint (((ClinicPatient *) g_ptr_array_index (rows, 0))->id, ==, f->paula);
  g_clear_pointer (&rows, g_ptr_array_unref);
  rows = search (f, f->lang, f->checkup, &total);
  g_assert_cmpuint (total, ==, 1);
  g_clear_pointer (&rows, g_ptr_array_unref);
  rows = search (f, 0, f->long_visit, &total);
  g_assert_cmpuint (total, ==, 0);
  g_assert_cmpuint (rows->len, ==, 0);
  g_clear_pointer (&rows, g_ptr_array_unref);

  /* A records clerk (contact details, no schedule) gets no visits, and
   * may not filter by them. */
  {
    g_autoptr(ClinicSession) clerk = NULL;
    ClinicPatientFilter filter;
    gint64 role = clinic_roles_create (f->admin, "Records", &error);

    g_assert_true (clinic_roles_set_permission (f->admin, role, CLINIC_PERMISSION_PATIENTS_CONTACT_READ, TRUE,
                                                &error));
    clinic_users_create (f->admin, "clerk", "Records Clerk", CLINIC_USER_STAFF, role, PASSWORD,
                         &CLINIC_KDF_LIMITS_TEST, &error);
    g_assert_no_error (error);
    clerk = clinic_session_sign_in (f->db, "clerk", PASSWORD, &error);
    g_assert_no_error (error);
    clinic_patient_filter_init (&filter);
    rows = clinic_patients_search (clerk, "schmidt", &filter, 0, 100, NULL, &error);
    g_assert_no_error (error);
    g_assert_nonnull (rows);
    g_assert_cmpuint (rows->len, ==, 1);
    p = g_ptr_array_index (rows, 0);
    g_assert_cmpint (p->last_visit, ==, 0);
    g_assert_cmpint (p->next_visit, ==, 0);
    g_assert_null (p->visit_type);
    filter.provider_id = f->weber;
    g_assert_null (clinic_patients_search (clerk, "", &filter, 0, 100, NULL, &error));
    g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_PERMISSION_DENIED);
  }
}

/* --- The waitlist ---------------------------------------------------------------- */

static gint64
wait_for (Fixture               *f,
          gint64                 patient,
          gint64                 provider,
          gint64                 type,
          ClinicWaitlistUrgency  urgency,
          GError               **error)
{
  g_autoptr(ClinicWaitlistEntry) e = clinic_waitlist_entry_new ();

  e->patient_id = patient;
  e->provider_id = provider;
  e->visit_type_id = type;
  e->urgency = urgency;
  g_free (e->preferred);
  e->preferred = g_strdup ("mornings");
  return clinic_waitlist_add (f->front, e, error);
}

static void
test_waitlist (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(GPtrArray) matches = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  ClinicBooking b = { f->paula, f->weber, f->checkup, 0, 0, 0, NULL, NULL, NULL };
  gint64 routine, urgent, lang_only, long_any, booked, quick;
  ClinicWaitlistEntry *e;

  routine = wait_for (f, f->otto, f->weber, f->checkup, CLINIC_WAITLIST_ROUTINE, &error);
  urgent = wait_for (f, f->otto, 0, f->long_visit, CLINIC_WAITLIST_URGENT, &error);
  lang_only = wait_for (f, f->paula, f->lang, f->checkup, CLINIC_WAITLIST_SOON, &error);
  g_assert_no_error (error);
  long_any = urgent;

  /* Most urgent first, then the longest waiting. */
  list = clinic_waitlist_list (f->front, &error);
  g_assert_no_error (error);
  g_assert_nonnull (list);
  g_assert_cmpuint (list->len, ==, 3);
  e = g_ptr_array_index (list, 0);
  g_assert_cmpint (e->id, ==, urgent);
  g_assert_cmpint (e->provider_id, ==, 0);
  g_assert_cmpstr (e->provider_name, ==, "");
  g_assert_cmpstr (e->visit_type, ==, "Long consultation");
  g_assert_cmpint (e->duration_min, ==, 60);
  g_assert_cmpstr (e->patient_name, ==, "Berg, Otto");
  g_assert_cmpint (((ClinicWaitlistEntry *) g_ptr_array_index (list, 1))->id, ==, lang_only);
  e = g_ptr_array_index (list, 2);
  g_assert_cmpint (e->id, ==, routine);
  g_assert_cmpstr (e->provider_name, ==, "Dr. Weber");
  g_assert_cmpstr (e->preferred, ==, "mornings");
  g_clear_pointer (&list, g_ptr_array_unref);

  /* Refusals change nothing. */
  before = clinic_test_dump_tables (f->db);
  g_assert_cmpint (wait_for (f, f->otto, f->weber, f->checkup, CLINIC_WAITLIST_SOON, &error), ==, 0);
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_CONFLICT);
  g_clear_error (&error);
  g_assert_cmpint (wait_for (f, 4242, 0, f->checkup, CLINIC_WAITLIST_SOON, &error), ==, 0);
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_cmpint (wait_for (f, f->otto, 4242, f->checkup, CLINIC_WAITLIST_SOON, &error), ==, 0);
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_cmpint (wait_for (f, f->otto, 0, 4242, CLINIC_WAITLIST_SOON, &error), ==, 0);
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_cmpint (wait_for (f, f->otto, 0, f->checkup, 3, &error), ==, 0);
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (clinic_waitlist_remove (f->front, 4242, &error));
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_NOT_FOUND);
  g_clear_error (&error);
  after = clinic_test_dump_tables (f->db);
  g_assert_cmpstr (before, ==, after);

  /* A cancelled 30-minute check-up with Weber: Otto's routine check-up
   * with Weber matches; the 60-minute visit does not fit; Paula's entry is
   * for Lang (and she is the cancelled appointment's patient anyway). */
  b.starts_at = at (f, "2040-01-04 09:00");
  booked = clinic_appointments_book (f->front, &b, &error);
  g_assert_no_error (error);
  g_assert_true (clinic_appointments_cancel (f->front, booked, "Ill", &error));
  g_assert_no_error (error);
  matches = clinic_waitlist_matches_for (f->front, booked, &error);
  g_assert_no_error (error);
  g_assert_nonnull (matches);
  g_assert_cmpuint (matches->len, ==, 1);
  g_assert_cmpint (((ClinicWaitlistEntry *) g_ptr_array_index (matches, 0))->id, ==, routine);
  g_clear_pointer (&matches, g_ptr_array_unref);

  /* A freed long visit fits the check-up too, and the any-doctor entry. */
  b.visit_type_id = f->long_visit;
  b.patient_id = f->otto;
  b.starts_at = at (f, "2040-01-04 10:00");
  booked = clinic_appointments_book (f->front, &b, &error);
  g_assert_no_error (error);
  quick = wait_for (f, f->paula, 0, f->checkup, CLINIC_WAITLIST_ROUTINE, &error);
  g_assert_no_error (error);
  matches = clinic_waitlist_matches_for (f->front, booked, &error);
  g_assert_no_error (error);
  g_assert_nonnull (matches);
  /* Otto's own entries are left out: he holds the slot. */
  g_assert_cmpuint (matches->len, ==, 1);
  g_assert_cmpint (((ClinicWaitlistEntry *) g_ptr_array_index (matches, 0))->id, ==, quick);
  g_clear_pointer (&matches, g_ptr_array_unref);

  /* Booked and removed entries leave the list, audited. */
  g_assert_true (clinic_waitlist_mark_booked (f->front, routine, &error));
  g_assert_true (clinic_waitlist_remove (f->front, long_any, &error));
  g_assert_no_error (error);
  g_assert_false (clinic_waitlist_remove (f->front, routine, &error));
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_NOT_FOUND);
  g_clear_error (&error);
  list = clinic_waitlist_list (f->front, &error);
  g_assert_nonnull (list);
  g_assert_cmpuint (list->len, ==, 2);
  g_assert_cmpint (clinic_test_query_int (f->db, "SELECT count(*) FROM audit_log WHERE action IN"
                                                 " ('waitlist.added', 'waitlist.booked', 'waitlist.removed')"), ==, 6);
  g_assert_cmpint (clinic_test_query_int (f->db, "SELECT count(*) FROM audit_log WHERE action LIKE 'waitlist.%'"
                                                 " AND (new_value LIKE '%Berg%' OR new_value LIKE '%mornings%')"), ==, 0);

  /* The doctor and the patient do not see the list. */
  g_assert_null (clinic_waitlist_list (f->doctor, &error));
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_PERMISSION_DENIED);
  g_clear_error (&error);
  g_assert_null (clinic_waitlist_list (f->patient, &error));
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_PERMISSION_DENIED);
}

/* --- Managing visit types and exceptions ------------------------------------------ */

/* Saving @t is refused with @code, its sentence names @words, and nothing
 * changes. */
static void
expect_type_refused (Fixture               *f,
                     const ClinicVisitType *t,
                     int                    code,
                     const char            *words)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *before = clinic_test_dump_tables (f->db);
  g_autofree char *after = NULL;

  g_assert_cmpint (clinic_visit_types_save (f->admin, t, &error), ==, 0);
  g_assert_error (error, CLINIC_ERROR, code);
  if (strstr (error->message, words) == NULL)
    g_error ("“%s” does not say “%s”", error->message, words);
  after = clinic_test_dump_tables (f->db);
  g_assert_cmpstr (before, ==, after);
}

/* Each bad value is refused with a sentence that says what is wrong. */
static void
test_visit_type_values (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClinicVisitType) t = clinic_visit_type_new ();
  g_autoptr(ClinicVisitType) read = NULL;
  const char *const bad_colors[] = { "", "#12345", "#1234567", "#12345g", "3584e4", "blue", NULL };

  t->name = (g_free (t->name), g_strdup ("Vaccination"));
  t->duration_min = 0;
  expect_type_refused (f, t, CLINIC_ERROR_INVALID, "5 minutes to 8 hours");
  t->duration_min = 4;
  expect_type_refused (f, t, CLINIC_ERROR_INVALID, "5 minutes to 8 hours");
  t->duration_min = 485;
  expect_type_refused (f, t, CLINIC_ERROR_INVALID, "5 minutes to 8 hours");
  t->duration_min = -30;
  expect_type_refused (f, t, CLINIC_ERROR_INVALID, "5 minutes to 8 hours");
  t->duration_min = 480;
  for (guint i = 0; bad_colors[i] != NULL; i++)
    {
      t->color = (g_free (t->color), g_strdup (bad_colors[i]));
      expect_type_refused (f, t, CLINIC_ERROR_INVALID, "#3584e4");
    }
  t->color = (g_free (t->color), g_strdup ("#E01B24"));
  t->name = (g_free (t->name), g_strdup ("   "));
  expect_type_refused (f, t, CLINIC_ERROR_INVALID, "name");
  t->name = (g_free (t->name), g_strnfill (61, 'x'));
  expect_type_refused (f, t, CLINIC_ERROR_INVALID, "60 characters");
  /* A duplicate in another case and with spaces around it, whether new
   * or renamed. */
  t->name = (g_free (t->name), g_strdup ("  CHECK-UP "));
  expect_type_refused (f, t, CLINIC_ERROR_CONFLICT, "already");
  t->name = (g_free (t->name), g_strdup ("Long consultation"));
  t->id = f->checkup;
  expect_type_refused (f, t, CLINIC_ERROR_CONFLICT, "Long consultation");
  /* An unknown one is not created by an edit. */
  t->id = 999;
  t->name = (g_free (t->name), g_strdup ("Vaccination"));
  expect_type_refused (f, t, CLINIC_ERROR_NOT_FOUND, "no such");

  /* The edges are fine; the colour is kept in small letters. */
  t->id = f->checkup;
  t->name = (g_free (t->name), g_strdup ("Check-up"));
  g_assert_cmpint (clinic_visit_types_save (f->admin, t, &error), ==, f->checkup);
  g_assert_no_error (error);
  read = clinic_visit_types_lookup (f->front, "check-up", &error);
  g_assert_no_error (error);
  g_assert_cmpint (read->duration_min, ==, 480);
  g_assert_cmpstr (read->color, ==, "#e01b24");
}

/* A retired visit type is no longer offered or booked, by the front desk,
 * the kiosk or the waitlist; the appointments that have it keep it and can
 * still be moved and cancelled; reactivated, it is booked again. */
static void
test_visit_type_retired (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) types = NULL;
  g_autoptr(GArray) slots = NULL;
  g_autoptr(ClinicVisitType) t = NULL;
  ClinicBooking b = { f->paula, f->weber, f->checkup, 0, 0, 0, "Cough", NULL, NULL };
  gint64 kept;

  b.starts_at = at (f, "2027-01-13 10:00");
  kept = clinic_appointments_book (f->front, &b, &error);
  g_assert_no_error (error);

  t = clinic_visit_types_lookup (f->admin, "Check-up", &error);
  g_assert_no_error (error);
  t->active = FALSE;
  g_assert_cmpint (clinic_visit_types_save (f->admin, t, &error), ==, f->checkup);
  g_assert_no_error (error);

  /* Listed only when asked for the retired ones too, and then as retired. */
  types = clinic_visit_types_list (f->front, FALSE, &error);
  g_assert_cmpuint (types->len, ==, 1);
  g_assert_cmpint (((ClinicVisitType *) types->pdata[0])->id, ==, f->long_visit);
  g_clear_pointer (&types, g_ptr_array_unref);
  types = clinic_visit_types_list (f->admin, TRUE, &error);
  g_assert_cmpuint (types->len, ==, 2);
  g_assert_cmpint (((ClinicVisitType *) types->pdata[0])->id, ==, f->checkup);
  g_assert_false (((ClinicVisitType *) types->pdata[0])->active);
  g_clear_pointer (&types, g_ptr_array_unref);
  types = clinic_visit_types_list (f->patient, TRUE, &error);
  g_assert_cmpuint (types->len, ==, 0);
  g_clear_pointer (&types, g_ptr_array_unref);
  g_assert_null (clinic_visit_types_lookup (f->front, "Check-up", &error));
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* Not booked, at the desk or the kiosk, and no free times offered. */
  b.starts_at = at (f, "2027-01-13 11:00");
  expect_refused (f, f->front, &b, CLINIC_ERROR_INVALID, "retired");
  expect_refused (f, f->admin, &b, CLINIC_ERROR_INVALID, "another visit type");
  expect_refused (f, f->patient, &b, CLINIC_ERROR_INVALID, "retired");
  g_assert_null (clinic_schedule_availability (f->patient, f->weber, f->checkup, "2027-01-13", "2027-01-14",
                                               &error));
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "retired"));
  g_clear_error (&error);
  g_assert_cmpint (wait_for (f, f->otto, 0, f->checkup, CLINIC_WAITLIST_ROUTINE, &error), ==, 0);
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_INVALID);
  g_clear_error (&error);

  /* The booked one keeps its type, and is moved and cancelled as before. */
  {
    g_autoptr(ClinicAppointment) a = clinic_appointments_get (f->front, kept, &error);

    g_assert_no_error (error);
    g_assert_cmpint (a->visit_type_id, ==, f->checkup);
    g_assert_cmpstr (a->visit_type, ==, "Check-up");
  }
  g_assert_true (clinic_appointments_reschedule (f->front, kept, at (f, "2027-01-14 09:00"), 0, 0, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (clinic_appointments_cancel (f->front, kept, "Feeling better", &error));
  g_assert_no_error (error);

  /* Reactivated, it is offered and booked again. */
  t->active = TRUE;
  g_assert_cmpint (clinic_visit_types_save (f->admin, t, &error), ==, f->checkup);
  slots = clinic_schedule_availability (f->patient, f->weber, f->checkup, "2027-01-13", "2027-01-13", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (slots->len, >, 0);
  g_assert_cmpint (clinic_appointments_book (f->patient, &b, &error), >, 0);
  g_assert_no_error (error);
  g_assert_cmpint (clinic_test_query_int (f->db, "SELECT count(*) FROM audit_log WHERE action = 'visit-type.changed'"),
                   ==, 2);
}

/* Taking an exception back (the Exceptions window's Undo) re-adds the
 * same kind, time, doctor and reason; both steps are audited. */
static void
test_exception_remove_and_readd (Fixture       *f,
                                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) before = NULL;
  g_autoptr(GPtrArray) after = NULL;
  ClinicScheduleException block = { 0, f->weber, CLINIC_EXCEPTION_BLOCK, 0, 0, (char *) "Home visits" };
  ClinicScheduleException holiday = { 0, 0, CLINIC_EXCEPTION_OFF, 0, 0, (char *) "New Year" };
  ClinicBooking b = { f->paula, f->weber, f->checkup, 0, 0, 0, "Cough", NULL, NULL };
  const ClinicScheduleException *e;
  gint64 id, again;

  block.starts_at = at (f, "2027-01-20 08:00");
  block.ends_at = at (f, "2027-01-20 12:00");
  holiday.starts_at = at (f, "2027-01-01 00:00");
  holiday.ends_at = at (f, "2027-01-02 00:00");
  id = clinic_schedule_add_exception (f->front, &block, &error);
  g_assert_no_error (error);
  g_assert_cmpint (clinic_schedule_add_exception (f->front, &holiday, &error), >, 0);
  g_assert_no_error (error);

  /* Listing a doctor's shows the clinic's too; the clinic's alone, only those. */
  before = clinic_schedule_list_exceptions (f->front, f->weber, 0, G_MAXINT64 / 2, &error);
  g_assert_cmpuint (before->len, ==, 2);
  g_clear_pointer (&before, g_ptr_array_unref);
  before = clinic_schedule_list_exceptions (f->front, 0, 0, G_MAXINT64 / 2, &error);
  g_assert_cmpuint (before->len, ==, 1);
  g_assert_cmpstr (((ClinicScheduleException *) before->pdata[0])->reason, ==, "New Year");
  g_clear_pointer (&before, g_ptr_array_unref);

  before = clinic_schedule_list_exceptions (f->front, f->weber, 0, G_MAXINT64 / 2, &error);
  e = before->pdata[1];
  g_assert_cmpint (e->id, ==, id);
  g_assert_true (clinic_schedule_remove_exception (f->front, id, &error));
  g_assert_no_error (error);
  b.starts_at = at (f, "2027-01-20 09:00");
  g_assert_cmpint (clinic_appointments_book (f->front, &b, &error), >, 0);
  g_assert_no_error (error);
  g_assert_false (clinic_schedule_remove_exception (f->front, id, &error));
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_NOT_FOUND);
  g_clear_error (&error);

  {
    g_autoptr(ClinicScheduleException) copy = clinic_schedule_exception_copy (e);

    /* The copy is its own: the list it came from may go first. */
    g_assert_true (copy->reason != e->reason);
    g_assert_cmpstr (copy->reason, ==, "Home visits");
    g_clear_pointer (&before, g_ptr_array_unref);
    again = clinic_schedule_add_exception (f->front, copy, &error);
    g_assert_no_error (error);
    g_assert_cmpint (again, >, id);
    after = clinic_schedule_list_exceptions (f->front, f->weber, 0, G_MAXINT64 / 2, &error);
    g_assert_cmpuint (after->len, ==, 2);
    {
      const ClinicScheduleException *r = after->pdata[1];

      g_assert_cmpint (r->id, ==, again);
      g_assert_cmpint (r->provider_id, ==, block.provider_id);
      g_assert_cmpint (r->kind, ==, block.kind);
      g_assert_cmpint (r->starts_at, ==, block.starts_at);
      g_assert_cmpint (r->ends_at, ==, block.ends_at);
      g_assert_cmpstr (r->reason, ==, block.reason);
    }
  }
  b.patient_id = f->otto;
  b.starts_at = at (f, "2027-01-20 10:00");
  expect_refused (f, f->front, &b, CLINIC_ERROR_INVALID, "Home visits");
  g_assert_cmpint (clinic_test_query_int (f->db, "SELECT count(*) FROM audit_log"
                                                 " WHERE action = 'schedule.exception-removed'"), ==, 1);
  g_assert_cmpint (clinic_test_query_int (f->db, "SELECT count(*) FROM audit_log"
                                                 " WHERE action = 'schedule.exception-added'"), ==, 3);
}

/* --- Recurring appointments ------------------------------------------------------- */

/* The local wall times of @rrule from @first, comma-separated. */
static char *
expand_local (GTimeZone  *tz,
              const char *rrule,
              const char *first)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) starts = clinic_recurrence_expand (rrule, first, tz, &error);
  g_autoptr(GString) out = g_string_new (NULL);

  g_assert_no_error (error);
  g_assert_nonnull (starts);
  for (guint i = 0; i < starts->len; i++)
    {
      g_autofree char *local = clinic_format_local_time (tz, g_array_index (starts, gint64, i));

      g_string_append_printf (out, "%s%s", i > 0 ? "," : "", local);
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static char *
rule_local (GTimeZone              *tz,
            const ClinicRecurrence *rule,
            const char             *first)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *rrule = clinic_recurrence_to_rrule (rule, first, &error);

  g_assert_no_error (error);
  return expand_local (tz, rrule, first);
}

static void
test_recurrence_expand (void)
{
  g_autoptr(GTimeZone) berlin = g_time_zone_new_identifier ("Europe/Berlin");
  g_autoptr(GError) error = NULL;
  g_autofree char *rrule = NULL;
  g_autofree char *weekly = NULL;
  g_autofree char *fortnightly = NULL;
  g_autofree char *by_date = NULL;
  g_autofree char *by_weekday = NULL;
  g_autofree char *fifth = NULL;
  g_autoptr(GArray) spring = NULL;
  g_autoptr(GArray) autumn = NULL;
  ClinicRecurrence r;

  /* Tuesday 5 January 2027, four times. */
  r = (ClinicRecurrence) { CLINIC_REPEAT_WEEKLY, 1, 4, NULL };
  rrule = clinic_recurrence_to_rrule (&r, "2027-01-05 09:00", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (rrule, ==, "FREQ=WEEKLY;INTERVAL=1;BYDAY=TU;COUNT=4");
  weekly = rule_local (berlin, &r, "2027-01-05 09:00");
  g_assert_cmpstr (weekly, ==, "2027-01-05 09:00,2027-01-12 09:00,2027-01-19 09:00,2027-01-26 09:00");

  /* Every two weeks until 16 February, that day included. */
  r = (ClinicRecurrence) { CLINIC_REPEAT_WEEKLY, 2, 0, "2027-02-16" };
  fortnightly = rule_local (berlin, &r, "2027-01-05 09:00");
  g_assert_cmpstr (fortnightly, ==, "2027-01-05 09:00,2027-01-19 09:00,2027-02-02 09:00,2027-02-16 09:00");

  /* Monthly on the 31st: February, April and June have none and are
   * skipped (RFC 5545), five times. */
  r = (ClinicRecurrence) { CLINIC_REPEAT_MONTHLY_BY_DATE, 1, 5, NULL };
  by_date = rule_local (berlin, &r, "2027-01-31 10:15");
  g_assert_cmpstr (by_date, ==,
                   "2027-01-31 10:15,2027-03-31 10:15,2027-05-31 10:15,2027-07-31 10:15,2027-08-31 10:15");

  /* The second Tuesday of the month (12 January 2027 is one) until
   * April: 9 February, 9 March, 13 April. */
  r = (ClinicRecurrence) { CLINIC_REPEAT_MONTHLY_BY_WEEKDAY, 1, 0, "2027-04-30" };
  by_weekday = rule_local (berlin, &r, "2027-01-12 14:00");
  g_assert_cmpstr (by_weekday, ==, "2027-01-12 14:00,2027-02-09 14:00,2027-03-09 14:00,2027-04-13 14:00");

  /* The fifth Friday (29 January 2027), every month: months with four
   * Fridays are skipped (April 30 is the next, then July 30). */
  r = (ClinicRecurrence) { CLINIC_REPEAT_MONTHLY_BY_WEEKDAY, 1, 3, NULL };
  fifth = rule_local (berlin, &r, "2027-01-29 08:00");
  g_assert_cmpstr (fifth, ==, "2027-01-29 08:00,2027-04-30 08:00,2027-07-30 08:00");

  /* Sundays at 2:30 across spring forward: on 28 March 2027 2:30 does
   * not exist and the visit moves to 3:30 (01:30 UTC either way). */
  spring = clinic_recurrence_expand ("FREQ=WEEKLY;BYDAY=SU;COUNT=3", "2027-03-21 02:30", berlin, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (spring->len, ==, 3);
  g_assert_cmpint (g_array_index (spring, gint64, 0), ==, utc ("2027-03-21T01:30:00Z"));
  g_assert_cmpint (g_array_index (spring, gint64, 1), ==, utc ("2027-03-28T01:30:00Z"));
  g_assert_cmpint (g_array_index (spring, gint64, 2), ==, utc ("2027-04-04T00:30:00Z"));
  {
    g_autofree char *moved = clinic_format_local_time (berlin, g_array_index (spring, gint64, 1));

    g_assert_cmpstr (moved, ==, "2027-03-28 03:30");
  }
  /* And across fall back: on 31 October 2:30 happens twice; the first
   * (summer time, 00:30 UTC) is taken. */
  autumn = clinic_recurrence_expand ("FREQ=WEEKLY;BYDAY=SU;COUNT=3", "2027-10-24 02:30", berlin, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_array_index (autumn, gint64, 0), ==, utc ("2027-10-24T00:30:00Z"));
  g_assert_cmpint (g_array_index (autumn, gint64, 1), ==, utc ("2027-10-31T00:30:00Z"));
  g_assert_cmpint (g_array_index (autumn, gint64, 2), ==, utc ("2027-11-07T01:30:00Z"));

  /* Refused rules, each with a sentence. */
  {
    const ClinicRecurrence bad[] = {
      { CLINIC_REPEAT_WEEKLY, 0, 3, NULL },
      { CLINIC_REPEAT_WEEKLY, 1, 3, "2027-03-01" },
      { CLINIC_REPEAT_WEEKLY, 1, 0, NULL },
      { CLINIC_REPEAT_WEEKLY, 1, 0, "2026-12-31" },
      { CLINIC_REPEAT_WEEKLY, 1, 0, "2027-02-30" },
      { CLINIC_REPEAT_WEEKLY, 1, CLINIC_SERIES_MAX + 1, NULL },
      { 7, 1, 3, NULL },
    };

    for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
      {
        g_autofree char *none = clinic_recurrence_to_rrule (&bad[i], "2027-01-05 09:00", &error);

        g_assert_null (none);
        g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_INVALID);
        g_assert_cmpstr (error->message, !=, "");
        g_clear_error (&error);
      }
  }
  for (const char *const *bad = (const char *const[]) { "FREQ=SOMETIMES;COUNT=3", "FREQ=WEEKLY", "",
                                                        "FREQ=DAILY;UNTIL=20400101T000000", NULL };
       *bad != NULL; bad++)
    {
      g_autoptr(GArray) none = clinic_recurrence_expand (*bad, "2027-01-05 09:00", berlin, &error);

      g_assert_null (none);
      g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_INVALID);
      g_clear_error (&error);
    }
  {
    g_autoptr(GArray) none = clinic_recurrence_expand ("FREQ=WEEKLY;COUNT=3", "2027-01-05", berlin, &error);

    g_assert_null (none);
    g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_INVALID);
    g_clear_error (&error);
  }
}

static guint
count_active (Fixture *f,
              gint64   series)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = clinic_appointments_list (f->admin, at (f, "2027-01-01 00:00"),
                                                        at (f, "2028-01-01 00:00"), 0, &error);
  guint n = 0;

  g_assert_no_error (error);
  for (guint i = 0; i < list->len; i++)
    {
      const ClinicAppointment *a = list->pdata[i];

      if (clinic_appointment_status_is_active (a->status) && (series == 0 || a->series_id == series))
        n++;
    }
  return n;
}

static void
test_recurrence_book (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) preview = NULL;
  ClinicBooking first = { f->paula, f->weber, f->checkup, 0, at (f, "2027-01-05 09:00"), 0, "Physio", NULL, NULL };
  ClinicBooking other = { f->otto, f->weber, f->checkup, 0, at (f, "2027-01-19 09:15"), 0, NULL, NULL, NULL };
  ClinicScheduleException block = { 0, f->weber, CLINIC_EXCEPTION_BLOCK, at (f, "2027-01-26 08:30"),
                                    at (f, "2027-01-26 10:00"), (char *) "Team meeting" };
  ClinicRecurrence weekly = { CLINIC_REPEAT_WEEKLY, 1, 5, NULL };
  gint64 series;
  guint booked = 99;

  /* The third Tuesday is taken by another patient, the fourth blocked. */
  g_assert_cmpint (clinic_appointments_book (f->front, &other, &error), >, 0);
  g_assert_cmpint (clinic_schedule_add_exception (f->front, &block, &error), >, 0);
  g_assert_no_error (error);

  preview = clinic_recurrence_preview (f->front, &first, &weekly, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (preview->len, ==, 5);
  for (guint i = 0; i < preview->len; i++)
    {
      const ClinicOccurrence *o = preview->pdata[i];

      g_assert_cmpint (o->ends_at - o->starts_at, ==, 30 * 60);
      g_assert_cmpint (o->free, ==, i != 2 && i != 3);
      g_assert_true (o->free == (o->problem == NULL));
    }
  g_assert_cmpstr (((ClinicOccurrence *) preview->pdata[2])->local, ==, "2027-01-19 09:00");
  g_assert_nonnull (strstr (((ClinicOccurrence *) preview->pdata[2])->problem, "overlaps another appointment"));
  g_assert_nonnull (strstr (((ClinicOccurrence *) preview->pdata[3])->problem, "Team meeting"));
  /* Nothing written by the preview. */
  g_assert_cmpuint (count_active (f, 0), ==, 1);

  /* All or nothing: refused whole, with the first refused date. */
  g_assert_cmpint (clinic_recurrence_book (f->front, &first, &weekly, FALSE, &booked, &error), ==, 0);
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_CONFLICT);
  g_assert_nonnull (strstr (error->message, "2 of the 5 dates"));
  g_assert_nonnull (strstr (error->message, "2027-01-19 09:00"));
  g_clear_error (&error);
  g_assert_cmpuint (booked, ==, 0);
  g_assert_cmpuint (count_active (f, 0), ==, 1);

  /* A patient does not book series; a doctor not for another doctor. */
  g_assert_cmpint (clinic_recurrence_book (f->patient, &first, &weekly, TRUE, NULL, &error), ==, 0);
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_PERMISSION_DENIED);
  g_clear_error (&error);
  first.provider_id = f->lang;
  g_assert_cmpint (clinic_recurrence_book (f->doctor, &first, &weekly, TRUE, NULL, &error), ==, 0);
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_PERMISSION_DENIED);
  g_clear_error (&error);
  first.provider_id = f->weber;
  g_assert_cmpuint (count_active (f, 0), ==, 1);

  /* Skipping the refused dates books the other three as one series. */
  series = clinic_recurrence_book (f->front, &first, &weekly, TRUE, &booked, &error);
  g_assert_no_error (error);
  g_assert_cmpint (series, >, 0);
  g_assert_cmpuint (booked, ==, 3);
  g_assert_cmpuint (count_active (f, series), ==, 3);
  g_assert_cmpuint (count_active (f, 0), ==, 4);

  /* Its occurrences are ordinary appointments: the next booking sees them. */
  other.patient_id = f->otto;
  other.starts_at = at (f, "2027-02-02 09:15");
  g_assert_cmpint (clinic_appointments_book (f->front, &other, &error), ==, 0);
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_CONFLICT);
  g_clear_error (&error);

  /* A series whose every date is refused books nothing. */
  g_assert_cmpint (clinic_recurrence_book (f->front, &first, &weekly, TRUE, NULL, &error), ==, 0);
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_CONFLICT);
  g_clear_error (&error);
  g_assert_cmpuint (count_active (f, 0), ==, 4);
}

/* The local starts of @series's active appointments, comma-separated. */
static char *
series_times (Fixture *f,
              gint64   series)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = clinic_appointments_list (f->admin, at (f, "2027-01-01 00:00"),
                                                        at (f, "2028-01-01 00:00"), 0, &error);
  g_autoptr(GString) out = g_string_new (NULL);

  g_assert_no_error (error);
  for (guint i = 0; i < list->len; i++)
    {
      const ClinicAppointment *a = list->pdata[i];
      g_autofree char *local = NULL;

      if (a->series_id != series || !clinic_appointment_status_is_active (a->status))
        continue;
      local = clinic_format_local_time (f->tz, a->starts_at);
      g_string_append_printf (out, "%s%s", out->len > 0 ? "," : "", local);
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static gint64
nth_of_series (Fixture *f,
               gint64   series,
               guint    n)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = clinic_appointments_list (f->admin, at (f, "2027-01-01 00:00"),
                                                        at (f, "2028-01-01 00:00"), 0, &error);

  g_assert_no_error (error);
  for (guint i = 0; i < list->len; i++)
    {
      const ClinicAppointment *a = list->pdata[i];

      if (a->series_id == series && n-- == 0)
        return a->id;
    }
  g_assert_not_reached ();
  return 0;
}

static void
test_recurrence_scopes (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  ClinicBooking first = { f->paula, f->weber, f->checkup, 0, at (f, "2027-01-05 09:00"), 0, NULL, NULL, NULL };
  ClinicBooking other = { f->otto, f->weber, f->checkup, 0, at (f, "2027-02-02 11:00"), 0, NULL, NULL, NULL };
  ClinicRecurrence weekly = { CLINIC_REPEAT_WEEKLY, 1, 5, NULL };
  g_autoptr(GArray) following = NULL;
  g_autoptr(ClinicAppointment) second = NULL;
  gint64 series, third;
  char *times;

  series = clinic_recurrence_book (f->front, &first, &weekly, FALSE, NULL, &error);
  g_assert_no_error (error);
  times = series_times (f, series);
  g_assert_cmpstr (times, ==, "2027-01-05 09:00,2027-01-12 09:00,2027-01-19 09:00,2027-01-26 09:00,"
                              "2027-02-02 09:00");
  g_free (times);

  /* This occurrence only. */
  g_assert_true (clinic_recurrence_cancel (f->front, nth_of_series (f, series, 1), CLINIC_SERIES_THIS, "Holiday",
                                           NULL, &error));
  g_assert_no_error (error);
  second = clinic_appointments_get (f->front, nth_of_series (f, series, 1), &error);
  g_assert_cmpint (second->status, ==, CLINIC_APPOINTMENT_CANCELLED);
  g_assert_cmpstr (second->cancel_reason, ==, "Holiday");
  times = series_times (f, series);
  g_assert_cmpstr (times, ==, "2027-01-05 09:00,2027-01-19 09:00,2027-01-26 09:00,2027-02-02 09:00");
  g_free (times);

  /* This and the following: the third on, an hour later. */
  third = nth_of_series (f, series, 2);
  following = clinic_recurrence_scope (f->front, third, CLINIC_SERIES_FOLLOWING, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (following->len, ==, 3);
  g_assert_true (clinic_recurrence_reschedule (f->front, third, CLINIC_SERIES_FOLLOWING, 0, 10 * 60, &error));
  g_assert_no_error (error);
  times = series_times (f, series);
  g_assert_cmpstr (times, ==, "2027-01-05 09:00,2027-01-19 10:00,2027-01-26 10:00,2027-02-02 10:00");
  g_free (times);

  /* All, a day later (Wednesdays), keeping each one's time. */
  g_assert_true (clinic_recurrence_reschedule (f->front, third, CLINIC_SERIES_ALL, 1, -1, &error));
  g_assert_no_error (error);
  times = series_times (f, series);
  g_assert_cmpstr (times, ==, "2027-01-06 09:00,2027-01-20 10:00,2027-01-27 10:00,2027-02-03 10:00");
  g_free (times);

  /* A move onto another appointment refuses the whole change. */
  other.starts_at = at (f, "2027-02-03 11:00");
  g_assert_cmpint (clinic_appointments_book (f->front, &other, &error), >, 0);
  g_assert_false (clinic_recurrence_reschedule (f->front, third, CLINIC_SERIES_ALL, 0, 11 * 60, &error));
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_CONFLICT);
  g_clear_error (&error);
  times = series_times (f, series);
  g_assert_cmpstr (times, ==, "2027-01-06 09:00,2027-01-20 10:00,2027-01-27 10:00,2027-02-03 10:00");
  g_free (times);

  /* The patient changes single visits only, not the series; a bad time
   * of day is refused. */
  g_assert_false (clinic_recurrence_cancel (f->patient, third, CLINIC_SERIES_ALL, "No", NULL, &error));
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_PERMISSION_DENIED);
  g_clear_error (&error);
  g_assert_false (clinic_recurrence_reschedule (f->front, third, CLINIC_SERIES_ALL, 0, 1440, &error));
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_INVALID);
  g_clear_error (&error);

  /* All: every one still booked, with the reason; a reason is needed. */
  g_assert_false (clinic_recurrence_cancel (f->front, third, CLINIC_SERIES_ALL, " ", NULL, &error));
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_cmpuint (count_active (f, series), ==, 4);
  {
    g_autoptr(GArray) cancelled = NULL;

    g_assert_true (clinic_recurrence_cancel (f->front, third, CLINIC_SERIES_ALL, "Therapy ended", &cancelled,
                                             &error));
    g_assert_no_error (error);
    /* The four it cancelled, for an undo. */
    g_assert_cmpuint (cancelled->len, ==, 4);
    for (guint i = 0; i < cancelled->len; i++)
      {
        g_autoptr(ClinicAppointment) a = clinic_appointments_get (f->front, g_array_index (cancelled, gint64, i),
                                                                  &error);

        g_assert_no_error (error);
        g_assert_cmpint (a->series_id, ==, series);
        g_assert_cmpint (a->status, ==, CLINIC_APPOINTMENT_CANCELLED);
      }
  }
  g_assert_cmpuint (count_active (f, series), ==, 0);
  g_assert_cmpuint (count_active (f, 0), ==, 1);
  g_assert_false (clinic_recurrence_cancel (f->front, third, CLINIC_SERIES_ALL, "Again", NULL, &error));
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_INVALID);
  g_clear_error (&error);
}

/* --- iCalendar ------------------------------------------------------------------------ */

static ClinicAppointment *
sample (gint64      id,
        gint64      start,
        const char *name,
        const char *chart,
        const char *reason,
        ClinicAppointmentStatus status)
{
  ClinicAppointment *a = g_new0 (ClinicAppointment, 1);

  a->id = id;
  a->starts_at = start;
  a->ends_at = start + 1800;
  a->status = status;
  a->reason = g_strdup (reason);
  a->patient_name = g_strdup (name);
  a->patient_chart = g_strdup (chart);
  a->visit_type = g_strdup ("Check-up");
  return a;
}

/* What an independent reader (python3-icalendar) makes of @text: per
 * event "UID start end STATUS SUMMARY", instants in Unix seconds. */
static char *
read_with_python (const char *dir,
                  const char *text)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (dir, "check.ics", NULL);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status = 0;
  const char *script =
    "import sys, icalendar\n"
    "cal = icalendar.Calendar.from_ical (open (sys.argv[1], 'rb').read ())\n"
    "assert [str (c['TZID']) for c in cal.walk ('VTIMEZONE')] == ['Europe/Berlin']\n"
    "for e in cal.walk ('VEVENT'):\n"
    "    s = e.decoded ('DTSTART'); t = e.decoded ('DTEND')\n"
    "    assert s.tzinfo is not None and e['DTSTART'].params.get ('TZID', 'UTC') in ('Europe/Berlin', 'UTC')\n"
    "    print (e['UID'], int (s.timestamp ()), int (t.timestamp ()), e['STATUS'], e['SEQUENCE'],\n"
    "           e['SUMMARY'], e['DTSTAMP'].dt.tzinfo is not None)\n";
  /* Debian's own interpreter, where python3-icalendar is installed. */
  const char *argv[] = { "/usr/bin/python3", "-c", script, path, NULL };

  g_assert_true (g_file_set_contents (path, text, -1, &error));
  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err, &status,
                               &error));
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("python3-icalendar could not read the export: %s", err);
  return g_steal_pointer (&out);
}

static void
test_ics_format (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func ((GDestroyNotify) clinic_appointment_free);
  g_autoptr(GPtrArray) events = NULL;
  g_autofree char *busy = NULL;
  g_autofree char *initials = NULL;
  g_autofree char *full = NULL;
  g_autofree char *python = NULL;
  g_autofree char *expected = NULL;
  const int sequences[] = { 0, 2, 1 };
  gint64 winter = at (f, "2027-01-12 09:00");
  gint64 summer = at (f, "2027-07-13 14:30");
  gint64 autumn = at (f, "2027-10-31 02:30");

  g_ptr_array_add (list, sample (7, winter, "Schmidt, Paula", "P-0001", "Back pain", CLINIC_APPOINTMENT_BOOKED));
  g_ptr_array_add (list, sample (8, summer, "Berg, Otto", "P-0002", "", CLINIC_APPOINTMENT_CONFIRMED));
  g_ptr_array_add (list, sample (9, autumn, "Berg, Otto", "P-0002", "", CLINIC_APPOINTMENT_CANCELLED));

  busy = clinic_ics_format (list, sequences, "Europe/Berlin", "abc.clinic.invalid", CLINIC_ICS_BUSY,
                            utc ("2026-11-25T10:00:00Z"), &error);
  g_assert_no_error (error);
  /* RFC 5545: CRLF lines, a VTIMEZONE named as the events' TZIDs,
   * wall times in it, UTC stamps. */
  g_assert_true (g_str_has_prefix (busy, "BEGIN:VCALENDAR\r\n"));
  g_assert_nonnull (strstr (busy, "\r\nVERSION:2.0\r\n"));
  g_assert_nonnull (strstr (busy, "\r\nPRODID:"));
  g_assert_nonnull (strstr (busy, "BEGIN:VTIMEZONE\r\nTZID:Europe/Berlin\r\n"));
  g_assert_nonnull (strstr (busy, "\r\nDTSTART;TZID=Europe/Berlin:20270112T090000\r\n"));
  g_assert_nonnull (strstr (busy, "\r\nDTEND;TZID=Europe/Berlin:20270112T093000\r\n"));
  g_assert_nonnull (strstr (busy, "\r\nDTSTART;TZID=Europe/Berlin:20270713T143000\r\n"));
  g_assert_nonnull (strstr (busy, "\r\nDTSTAMP:20261125T100000Z\r\n"));
  g_assert_nonnull (strstr (busy, "\r\nUID:appt-7@abc.clinic.invalid\r\n"));
  g_assert_nonnull (strstr (busy, "\r\nSTATUS:TENTATIVE\r\n"));
  g_assert_nonnull (strstr (busy, "\r\nSTATUS:CONFIRMED\r\n"));
  g_assert_nonnull (strstr (busy, "\r\nSTATUS:CANCELLED\r\n"));
  g_assert_nonnull (strstr (busy, "\r\nSEQUENCE:2\r\n"));
  g_assert_nonnull (strstr (busy, "\r\nSUMMARY:Busy\r\n"));
  g_assert_nonnull (strstr (busy, "\r\nCLASS:PRIVATE\r\n"));
  g_assert_true (g_str_has_suffix (busy, "END:VCALENDAR\r\n"));
  /* Busy says nothing of the patient. */
  for (const char *const *secret = (const char *const[]) { "Schmidt", "Paula", "P-0001", "Back pain", "Check-up",
                                                           "X-CLINIC", NULL };
       *secret != NULL; secret++)
    g_assert_null (strstr (busy, *secret));

  initials = clinic_ics_format (list, NULL, "Europe/Berlin", "abc.clinic.invalid", CLINIC_ICS_INITIALS, 0, &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (initials, "\r\nSUMMARY:Check-up – P. S.\r\n"));
  g_assert_null (strstr (initials, "Schmidt"));
  g_assert_null (strstr (initials, "P-0001"));

  full = clinic_ics_format (list, NULL, "Europe/Berlin", "abc.clinic.invalid", CLINIC_ICS_FULL, 0, &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (full, "\r\nSUMMARY:Check-up: Schmidt\\, Paula\r\n"));
  g_assert_nonnull (strstr (full, "\r\nX-CLINIC-CHART-NUMBER:P-0001\r\n"));
  g_assert_nonnull (strstr (full, "\r\nCLASS:CONFIDENTIAL\r\n"));

  /* Read back with libical: every property as written. */
  events = clinic_ics_parse (full, strlen (full), f->tz, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (events->len, ==, 3);
  for (guint i = 0; i < 3; i++)
    {
      const ClinicIcsEvent *e = events->pdata[i];
      const ClinicAppointment *a = list->pdata[i];
      g_autofree char *uid = g_strdup_printf ("appt-%" G_GINT64_FORMAT "@abc.clinic.invalid", a->id);

      g_assert_cmpstr (e->uid, ==, uid);
      g_assert_cmpint (e->starts_at, ==, a->starts_at);
      g_assert_cmpint (e->ends_at, ==, a->ends_at);
      g_assert_false (e->all_day);
      g_assert_cmpint (e->cancelled, ==, i == 2);
      g_assert_cmpstr (e->chart_number, ==, a->patient_chart);
      g_assert_cmpstr (e->visit_type, ==, "Check-up");
      g_assert_cmpstr (e->reason, ==, a->reason);
    }
  g_assert_cmpstr (((ClinicIcsEvent *) events->pdata[0])->summary, ==, "Check-up: Schmidt, Paula");
  g_assert_cmpstr (((ClinicIcsEvent *) events->pdata[0])->description, ==,
                   "Chart number: P-0001\nReason: Back pain");

  /* An independent reader agrees on every instant, across both DST
   * changes (31 October 2:30 is the first, summer-time one). */
  python = read_with_python (f->dir, busy);
  expected = g_strdup_printf ("appt-7@abc.clinic.invalid %" G_GINT64_FORMAT " %" G_GINT64_FORMAT
                              " TENTATIVE 0 Busy True\n"
                              "appt-8@abc.clinic.invalid %" G_GINT64_FORMAT " %" G_GINT64_FORMAT
                              " CONFIRMED 2 Busy True\n"
                              "appt-9@abc.clinic.invalid %" G_GINT64_FORMAT " %" G_GINT64_FORMAT
                              " CANCELLED 1 Busy True\n",
                              winter, winter + 1800, summer, summer + 1800, autumn, autumn + 1800);
  g_assert_cmpstr (python, ==, expected);
  g_assert_cmpint (autumn, ==, utc ("2027-10-31T00:30:00Z"));
}

#define VCAL_HEAD "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//EN\r\n"
#define VCAL_TAIL "END:VCALENDAR\r\n"
#define EVENT(body) "BEGIN:VEVENT\r\n" body "END:VEVENT\r\n"

/* The room of an appointment already booked: changed by staff, refused
 * while another appointment holds the new room, recorded in its
 * history; refusals change nothing. */
static void
test_room_change (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  gint64 one = add_room (f, "Room 1");
  gint64 two = add_room (f, "Room 2");
  ClinicBooking b = { f->paula, f->weber, f->checkup, one, at (f, "2027-01-13 10:00"), 0, "Cough", NULL, NULL };
  ClinicBooking c = { f->otto, f->lang, f->checkup, two, at (f, "2027-01-13 10:00"), 0, "", NULL, NULL };
  gint64 id, other;

  id = clinic_appointments_book (f->front, &b, &error);
  g_assert_no_error (error);
  other = clinic_appointments_book (f->front, &c, &error);
  g_assert_no_error (error);

  /* Room 2 is Dr. Lang's then: refused, naming it; a patient may not,
   * an unknown room is not found; nothing changes. */
  {
    g_autofree char *before = clinic_test_dump_tables (f->db);
    g_autofree char *after = NULL;

    g_assert_false (clinic_appointments_set_room (f->front, id, two, &error));
    g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_CONFLICT);
    g_assert_nonnull (strstr (error->message, "“Room 2”"));
    g_clear_error (&error);
    g_assert_false (clinic_appointments_set_room (f->patient, id, 0, &error));
    g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_PERMISSION_DENIED);
    g_clear_error (&error);
    g_assert_false (clinic_appointments_set_room (f->front, id, 999, &error));
    g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_NOT_FOUND);
    g_clear_error (&error);
    after = clinic_test_dump_tables (f->db);
    g_assert_cmpstr (before, ==, after);
  }

  /* Dr. Lang out of Room 2, Dr. Weber into it. */
  g_assert_true (clinic_appointments_set_room (f->front, other, 0, &error));
  g_assert_true (clinic_appointments_set_room (f->front, id, two, &error));
  g_assert_no_error (error);
  {
    g_autoptr(ClinicAppointment) a = clinic_appointments_get (f->front, id, &error);
    g_autoptr(GPtrArray) history = clinic_appointments_history (f->front, id, &error);
    const ClinicAppointmentChange *last = history->pdata[history->len - 1];

    g_assert_cmpint (a->room_id, ==, two);
    g_assert_cmpstr (a->room_name, ==, "Room 2");
    g_assert_cmpstr (last->action, ==, "room-changed");
    g_assert_cmpstr (last->detail, ==, "Room 1 → Room 2");
  }
  /* Once cancelled, its room stays as it was. */
  g_assert_true (clinic_appointments_cancel (f->front, id, "Ill", &error));
  g_assert_false (clinic_appointments_set_room (f->front, id, one, &error));
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_INVALID);
}

/* The room goes out as the event's LOCATION (not in "busy" files) and
 * comes back in: a LOCATION naming one of the clinic's rooms books it,
 * checked for clashes as a booking is; any other place leaves the room
 * to the doctor's hours. */
static void
test_ics_rooms (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) blocks = g_array_new (FALSE, TRUE, sizeof (ClinicHoursBlock));
  g_autofree char *dir = g_dir_make_tmp ("clinic-ics-rooms-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "weber.ics", NULL);
  g_autofree char *full = NULL;
  g_autofree char *busy = NULL;
  g_autofree char *text = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autoptr(GPtrArray) preview = NULL;
  gint64 one = add_room (f, "Room 1");
  gint64 two = add_room (f, "Room 2");
  ClinicBooking b = { f->paula, f->weber, f->checkup, two, at (f, "2027-01-13 11:00"), 0, "Cough", NULL, NULL };
  ClinicIcsImport options = { f->lang, f->otto, f->checkup, FALSE };
  gint64 start = at (f, "2027-01-13 09:00");

  for (int day = 1; day <= 5; day++)
    {
      ClinicHoursBlock morning = { day, 8 * 60, 12 * 60, one };

      g_array_append_val (blocks, morning);
    }
  g_assert_true (clinic_schedule_set_hours (f->admin, f->lang, blocks, &error));
  g_assert_no_error (error);
  g_assert_cmpint (clinic_appointments_book (f->front, &b, &error), >, 0);
  g_assert_no_error (error);

  g_assert_cmpint (clinic_ics_export (f->admin, f->weber, at (f, "2027-01-01 00:00"), at (f, "2027-02-01 00:00"),
                                      CLINIC_ICS_FULL, path, &error), ==, 1);
  g_assert_true (g_file_get_contents (path, &full, NULL, &error));
  g_assert_nonnull (strstr (full, "\r\nLOCATION:Room 2\r\n"));
  g_assert_cmpint (clinic_ics_export (f->admin, f->weber, at (f, "2027-01-01 00:00"), at (f, "2027-02-01 00:00"),
                                      CLINIC_ICS_BUSY, path, &error), ==, 1);
  g_assert_true (g_file_get_contents (path, &busy, NULL, &error));
  g_assert_null (strstr (busy, "\r\nLOCATION"));

  /* Dr. Lang's events: in Room 2 (any case), in a place that is not the
   * clinic's, and in Room 2 while Dr. Weber has it. */
  text = g_strdup_printf (VCAL_HEAD
                          EVENT ("UID:a@elsewhere\r\nDTSTAMP:20261125T100000Z\r\n"
                                 "DTSTART:%s\r\nDTEND:%s\r\nSUMMARY:Check-up\r\nLOCATION:room 2\r\n")
                          EVENT ("UID:b@elsewhere\r\nDTSTAMP:20261125T100000Z\r\n"
                                 "DTSTART:%s\r\nDTEND:%s\r\nSUMMARY:Check-up\r\nLOCATION:Boardroom\\, 3rd floor\r\n")
                          VCAL_TAIL,
                          utc_text (start), utc_text (start + 1800), utc_text (start + 3600), utc_text (start + 5400));
  preview = clinic_ics_preview (f->front, text, strlen (text), &options, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (preview->len, ==, 2);
  g_assert_cmpstr (((ClinicIcsEvent *) preview->pdata[0])->location, ==, "room 2");
  g_assert_cmpint (((ClinicIcsEvent *) preview->pdata[0])->room_id, ==, two);
  g_assert_cmpint (((ClinicIcsEvent *) preview->pdata[1])->room_id, ==, 0);
  g_assert_cmpint (clinic_ics_import (f->front, text, strlen (text), &options, &error), ==, 2);
  g_assert_no_error (error);
  {
    g_autoptr(GPtrArray) day = clinic_appointments_list (f->front, start, start + 7200, f->lang, &error);

    g_assert_cmpuint (day->len, ==, 2);
    g_assert_cmpint (((ClinicAppointment *) day->pdata[0])->room_id, ==, two);
    g_assert_cmpint (((ClinicAppointment *) day->pdata[1])->room_id, ==, one);
  }

  g_clear_pointer (&text, g_free);
  g_clear_pointer (&preview, g_ptr_array_unref);
  text = g_strdup_printf (VCAL_HEAD
                          EVENT ("UID:c@elsewhere\r\nDTSTAMP:20261125T100000Z\r\n"
                                 "DTSTART:%s\r\nDTEND:%s\r\nSUMMARY:Check-up\r\nLOCATION:Room 2\r\n")
                          VCAL_TAIL, utc_text (b.starts_at), utc_text (b.starts_at + 1800));
  preview = clinic_ics_preview (f->front, text, strlen (text), &options, &error);
  g_assert_no_error (error);
  g_assert_cmpint (((ClinicIcsEvent *) preview->pdata[0])->state, ==, CLINIC_ICS_EVENT_CONFLICT);
  g_assert_nonnull (strstr (((ClinicIcsEvent *) preview->pdata[0])->problem, "“Room 2”"));
  before = clinic_test_dump_tables (f->db);
  g_assert_cmpint (clinic_ics_import (f->front, text, strlen (text), &options, &error), ==, -1);
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_CONFLICT);
  after = clinic_test_dump_tables (f->db);
  g_assert_cmpstr (before, ==, after);
  clinic_test_remove_tree (dir);
}

static void
test_ics_hostile (Fixture       *f,
                  gconstpointer  data)
{
  static const struct
  {
    const char *text;
    const char *reason;
  } cases[] = {
    { "", "not an iCalendar file" },
    { "Name;Date\r\nPaula;2027-01-01\r\n", "not an iCalendar file" },
    { "\xff\xfe" "B\0E\0", "not text" },
    { VCAL_HEAD VCAL_TAIL, "no events" },
    { VCAL_HEAD EVENT ("UID:a\r\nSUMMARY:x\r\n") VCAL_TAIL, "no start (DTSTART)" },
    { VCAL_HEAD EVENT ("DTSTART:20270112T090000Z\r\n") VCAL_TAIL, "no UID" },
    { VCAL_HEAD EVENT ("UID:a\r\nDTSTART;TZID=Mars/Olympus:20270112T090000\r\n") VCAL_TAIL,
      "time zone the file does not define" },
    { VCAL_HEAD EVENT ("UID:a\r\nDTSTART;TZID=../../../etc/passwd:20270112T090000\r\n") VCAL_TAIL,
      "time zone the file does not define" },
    { VCAL_HEAD EVENT ("UID:a\r\nDTSTART:20270112T090000Z\r\nDTEND:20270112T080000Z\r\n") VCAL_TAIL,
      "ends before it starts" },
    { VCAL_HEAD EVENT ("UID:a\r\nDTSTART:yesterday\r\n") VCAL_TAIL, "" },
    { VCAL_HEAD EVENT ("UID:a\r\nDTSTART:99991312T250000Z\r\n") VCAL_TAIL, "" },
    { VCAL_HEAD "BEGIN:VEVENT\r\nBEGIN:VALARM\r\nBEGIN:X-A\r\nBEGIN:X-B\r\nEND:X-B\r\nEND:X-A\r\nEND:VALARM\r\n"
      "END:VEVENT\r\n" VCAL_TAIL, "nested too deep" },
    { VCAL_HEAD EVENT ("UID:a\r\nDTSTART:20270112T090000Z\r\n"), "" },
    { "BEGIN:VCALENDAR\r\nBEGIN:VCALENDAR\r\n" VCAL_TAIL VCAL_TAIL, "" },
  };
  g_autoptr(GString) many = g_string_new (VCAL_HEAD);
  g_autoptr(GString) huge = g_string_new (VCAL_HEAD);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      gsize length = i == 2 ? 6 : strlen (cases[i].text);
      g_autoptr(GPtrArray) events = clinic_ics_parse (cases[i].text, length, f->tz, &error);

      if (events != NULL)
        g_error ("case %u was read: %s", i, cases[i].text);
      g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_INVALID);
      if (strstr (error->message, cases[i].reason) == NULL)
        g_error ("case %u: “%s” does not say “%s”", i, error->message, cases[i].reason);
    }

  for (int i = 0; i <= CLINIC_ICS_MAX_COMPONENTS; i++)
    g_string_append (many, EVENT ("UID:a\r\nDTSTART:20270112T090000Z\r\n"));
  g_string_append (many, VCAL_TAIL);
  while (huge->len <= CLINIC_ICS_MAX_BYTES)
    g_string_append (huge, "X-FILL:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n");
  g_string_append (huge, VCAL_TAIL);
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(GPtrArray) events = clinic_ics_parse (many->str, many->len, f->tz, &error);

    g_assert_null (events);
    g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_INVALID);
    g_assert_nonnull (strstr (error->message, "more than 5000 entries"));
    g_clear_error (&error);
    g_assert_null (clinic_ics_parse (huge->str, huge->len, f->tz, &error));
    g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_INVALID);
    g_assert_nonnull (strstr (error->message, "larger than 4 MB"));
  }

  /* What is well-formed is read: floating and all-day times in the
   * clinic's zone, DURATION, STATUS:CANCELLED. */
  {
    const char *good = VCAL_HEAD
      EVENT ("UID:f\r\nDTSTART:20270112T090000\r\nDURATION:PT45M\r\nSUMMARY:Floating\r\n")
      EVENT ("UID:d\r\nDTSTART;VALUE=DATE:20270328\r\nSUMMARY:Congress\r\nSTATUS:CANCELLED\r\n")
      VCAL_TAIL;
    g_autoptr(GError) error = NULL;
    g_autoptr(GPtrArray) events = clinic_ics_parse (good, strlen (good), f->tz, &error);
    const ClinicIcsEvent *floating, *day;

    g_assert_no_error (error);
    g_assert_cmpuint (events->len, ==, 2);
    floating = events->pdata[0];
    day = events->pdata[1];
    g_assert_cmpint (floating->starts_at, ==, at (f, "2027-01-12 09:00"));
    g_assert_cmpint (floating->ends_at, ==, at (f, "2027-01-12 09:45"));
    g_assert_true (day->all_day);
    g_assert_true (day->cancelled);
    /* The day of the spring change is 23 hours long; a DATE counts as a
     * day from local midnight. */
    g_assert_cmpint (day->starts_at, ==, at (f, "2027-03-28 00:00"));
    g_assert_cmpstr (floating->chart_number, ==, "");
  }
}

/* The active appointments of @provider in 2027 as comparable lines. */
static char *
book_lines (ClinicSession *session,
            Fixture       *f,
            gint64         provider)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = clinic_appointments_list (session, at (f, "2027-01-01 00:00"),
                                                        at (f, "2028-01-01 00:00"), provider, &error);
  g_autoptr(GString) out = g_string_new (NULL);

  g_assert_no_error (error);
  for (guint i = 0; i < list->len; i++)
    {
      const ClinicAppointment *a = list->pdata[i];
      g_autofree char *local = clinic_format_local_time (f->tz, a->starts_at);

      if (clinic_appointment_status_is_active (a->status))
        g_string_append_printf (out, "%s +%" G_GINT64_FORMAT " %s %s %s %s %s\n", local, a->ends_at - a->starts_at,
                                a->patient_chart, a->patient_name, a->provider_name, a->visit_type, a->reason);
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static void
test_ics_round_trip (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (f->dir, "weber.ics", NULL);
  g_autofree char *text = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autofree char *again = NULL;
  g_autofree char *none = NULL;
  g_autoptr(GPtrArray) preview = NULL;
  ClinicBooking b1 = { f->paula, f->weber, f->checkup, 0, at (f, "2027-01-12 09:00"), 0, "Back pain", NULL, NULL };
  ClinicBooking b2 = { f->otto, f->weber, f->long_visit, 0, at (f, "2027-03-29 14:00"), 0, "", NULL, NULL };
  ClinicBooking b3 = { f->otto, f->weber, f->checkup, 0, at (f, "2027-11-02 08:00"), 0, "Results", NULL, NULL };
  ClinicBooking b4 = { f->paula, f->lang, f->checkup, 0, at (f, "2027-01-12 09:00"), 0, NULL, NULL, NULL };
  ClinicBooking b5 = { f->paula, f->weber, f->checkup, 0, at (f, "2027-06-01 10:00"), 0, NULL, NULL, NULL };
  ClinicIcsImport options = { 0, 0, 0, FALSE };
  struct stat st;
  gint64 first, moved, cancelled;
  gsize length = 0;
  Fixture g = { 0 };

  first = clinic_appointments_book (f->front, &b1, &error);
  g_assert_cmpint (first, >, 0);
  moved = clinic_appointments_book (f->front, &b2, &error);
  g_assert_cmpint (clinic_appointments_book (f->front, &b3, &error), >, 0);
  cancelled = clinic_appointments_book (f->front, &b5, &error);
  g_assert_cmpint (clinic_appointments_book (f->front, &b4, &error), >, 0);
  g_assert_true (clinic_appointments_cancel (f->front, cancelled, "Ill", &error));
  g_assert_no_error (error);

  /* Weber's year, in full; the file is the owner's only. */
  g_assert_cmpint (clinic_ics_export (f->admin, f->weber, at (f, "2027-01-01 00:00"), at (f, "2028-01-01 00:00"),
                                      CLINIC_ICS_FULL, path, &error), ==, 4);
  g_assert_no_error (error);
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  g_assert_true (g_file_get_contents (path, &text, &length, &error));
  before = book_lines (f->admin, f, f->weber);

  /* Into an empty clinic with the same doctors, patients and types. */
  fixture_set_up (&g, NULL);
  options.provider_id = g.weber;
  preview = clinic_ics_preview (g.front, text, length, &options, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (preview->len, ==, 4);
  for (guint i = 0; i < preview->len; i++)
    {
      const ClinicIcsEvent *e = preview->pdata[i];

      g_assert_cmpint (e->state, ==, e->cancelled ? CLINIC_ICS_EVENT_SKIPPED : CLINIC_ICS_EVENT_NEW);
    }
  g_assert_cmpint (clinic_ics_import (g.front, text, length, &options, &error), ==, 3);
  g_assert_no_error (error);
  after = book_lines (g.admin, &g, g.weber);
  g_assert_cmpstr (after, ==, before);
  none = book_lines (g.admin, &g, g.lang);
  g_assert_cmpstr (none, ==, "");

  /* The same file again changes nothing: every event is its earlier
   * import, unchanged. */
  g_clear_pointer (&preview, g_ptr_array_unref);
  preview = clinic_ics_preview (g.front, text, length, &options, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < preview->len; i++)
    g_assert_cmpint (((ClinicIcsEvent *) preview->pdata[i])->state, ==, CLINIC_ICS_EVENT_SKIPPED);
  g_assert_cmpint (clinic_ics_import (g.front, text, length, &options, &error), ==, 0);
  g_clear_pointer (&after, g_free);
  after = book_lines (g.admin, &g, g.weber);
  g_assert_cmpstr (after, ==, before);

  /* A move and a cancellation at the source follow on the next import;
   * imported appointments are ordinary ones. */
  g_assert_true (clinic_appointments_reschedule (f->front, moved, at (f, "2027-03-30 15:00"), 0, 0, NULL, &error));
  g_assert_true (clinic_appointments_cancel (f->front, first, "Better", &error));
  g_assert_no_error (error);
  g_clear_pointer (&text, g_free);
  g_assert_cmpint (clinic_ics_export (f->admin, f->weber, at (f, "2027-01-01 00:00"), at (f, "2028-01-01 00:00"),
                                      CLINIC_ICS_FULL, path, &error), ==, 4);
  g_assert_true (g_file_get_contents (path, &text, &length, &error));
  g_clear_pointer (&preview, g_ptr_array_unref);
  preview = clinic_ics_preview (g.front, text, length, &options, &error);
  g_assert_no_error (error);
  g_assert_cmpint (((ClinicIcsEvent *) preview->pdata[0])->state, ==, CLINIC_ICS_EVENT_UPDATE);
  g_assert_cmpint (((ClinicIcsEvent *) preview->pdata[1])->state, ==, CLINIC_ICS_EVENT_UPDATE);
  g_assert_cmpint (clinic_ics_import (g.front, text, length, &options, &error), ==, 2);
  g_assert_no_error (error);
  g_clear_pointer (&before, g_free);
  before = book_lines (f->admin, f, f->weber);
  again = book_lines (g.admin, &g, g.weber);
  g_assert_cmpstr (again, ==, before);
  g_assert_nonnull (strstr (again, "2027-03-30 15:00"));
  g_assert_null (strstr (again, "2027-01-12 09:00"));

  /* The front desk has no export permission: busy only. A doctor exports
   * their own. */
  g_assert_cmpint (clinic_ics_export (f->front, f->weber, at (f, "2027-01-01 00:00"), at (f, "2028-01-01 00:00"),
                                      CLINIC_ICS_INITIALS, path, &error), ==, -1);
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_PERMISSION_DENIED);
  g_clear_error (&error);
  g_assert_cmpint (clinic_ics_export (f->front, 0, at (f, "2027-01-01 00:00"), at (f, "2028-01-01 00:00"),
                                      CLINIC_ICS_BUSY, path, &error), ==, 5);
  g_assert_no_error (error);
  g_assert_cmpint (clinic_ics_export (f->doctor, f->weber, at (f, "2027-01-01 00:00"), at (f, "2028-01-01 00:00"),
                                      CLINIC_ICS_BUSY, path, &error), ==, 4);
  g_assert_no_error (error);
  g_assert_cmpint (clinic_ics_export (f->doctor, f->lang, at (f, "2027-01-01 00:00"), at (f, "2028-01-01 00:00"),
                                      CLINIC_ICS_BUSY, path, &error), ==, -1);
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_PERMISSION_DENIED);
  g_clear_error (&error);

  fixture_tear_down (&g, NULL);
}

static void
test_ics_import_refusals (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) preview = NULL;
  g_autoptr(GPtrArray) blocks = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  ClinicBooking b = { f->paula, f->weber, f->checkup, 0, at (f, "2027-01-12 09:00"), 0, NULL, NULL, NULL };
  const char *text = VCAL_HEAD
    EVENT ("UID:one@x\r\nDTSTART;TZID=Europe/Berlin:20270112T091500\r\nDTEND;TZID=Europe/Berlin:20270112T094500\r\n"
           "X-CLINIC-CHART-NUMBER:NOPE\r\nX-CLINIC-VISIT-TYPE:Check-up\r\n")
    EVENT ("UID:two@x\r\nDTSTART:20270113T090000Z\r\nSUMMARY:Dentist\r\n")
    EVENT ("UID:three@x\r\nDTSTART;VALUE=DATE:20270115\r\nSUMMARY:Congress\r\n")
    "BEGIN:VTIMEZONE\r\nTZID:Europe/Berlin\r\nBEGIN:STANDARD\r\nDTSTART:19701025T030000\r\n"
    "TZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nRRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\nEND:STANDARD\r\n"
    "BEGIN:DAYLIGHT\r\nDTSTART:19700329T020000\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\n"
    "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\nEND:DAYLIGHT\r\nEND:VTIMEZONE\r\n"
    VCAL_TAIL;
  ClinicIcsImport options = { f->weber, 0, 0, FALSE };

  g_assert_cmpint (clinic_appointments_book (f->front, &b, &error), >, 0);
  g_assert_no_error (error);
  before = book_lines (f->admin, f, 0);

  preview = clinic_ics_preview (f->front, text, strlen (text), &options, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (preview->len, ==, 3);
  g_assert_cmpint (((ClinicIcsEvent *) preview->pdata[0])->state, ==, CLINIC_ICS_EVENT_UNMATCHED);
  g_assert_cmpint (((ClinicIcsEvent *) preview->pdata[1])->state, ==, CLINIC_ICS_EVENT_UNMATCHED);
  g_assert_cmpint (((ClinicIcsEvent *) preview->pdata[2])->state, ==, CLINIC_ICS_EVENT_CONFLICT);
  g_assert_nonnull (strstr (((ClinicIcsEvent *) preview->pdata[2])->problem, "blocked time"));

  /* Choosing the patient and type: the first now overlaps Paula's visit. */
  options.patient_id = f->otto;
  options.visit_type_id = f->checkup;
  g_clear_pointer (&preview, g_ptr_array_unref);
  preview = clinic_ics_preview (f->front, text, strlen (text), &options, &error);
  g_assert_no_error (error);
  g_assert_cmpint (((ClinicIcsEvent *) preview->pdata[0])->state, ==, CLINIC_ICS_EVENT_CONFLICT);
  g_assert_nonnull (strstr (((ClinicIcsEvent *) preview->pdata[0])->problem, "overlaps another appointment"));
  g_assert_cmpint (((ClinicIcsEvent *) preview->pdata[1])->state, ==, CLINIC_ICS_EVENT_NEW);
  /* No end given: the visit type's length. */
  g_assert_cmpint (((ClinicIcsEvent *) preview->pdata[1])->ends_at, ==, at (f, "2027-01-13 10:30"));

  /* Refused whole, naming the event; nothing imported. */
  g_assert_cmpint (clinic_ics_import (f->front, text, strlen (text), &options, &error), ==, -1);
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_CONFLICT);
  g_assert_nonnull (strstr (error->message, "Event 1 (2027-01-12 09:15)"));
  g_clear_error (&error);
  after = book_lines (f->admin, f, 0);
  g_assert_cmpstr (after, ==, before);

  /* Only staff with SCHEDULE_ALL import. */
  g_assert_cmpint (clinic_ics_import (f->doctor, text, strlen (text), &options, &error), ==, -1);
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_PERMISSION_DENIED);
  g_clear_error (&error);

  /* As blocked time, the overlap with Paula's visit is a conflict too;
   * for Dr. Lang it imports as three blocks, and blocks bookings. */
  options.blocked = TRUE;
  g_assert_cmpint (clinic_ics_import (f->front, text, strlen (text), &options, &error), ==, -1);
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_CONFLICT);
  g_clear_error (&error);
  options.provider_id = f->lang;
  g_assert_cmpint (clinic_ics_import (f->front, text, strlen (text), &options, &error), ==, 3);
  g_assert_no_error (error);
  blocks = clinic_schedule_list_exceptions (f->front, f->lang, at (f, "2027-01-01 00:00"), at (f, "2027-02-01 00:00"),
                                            &error);
  g_assert_no_error (error);
  g_assert_cmpuint (blocks->len, ==, 3);
  b.provider_id = f->lang;
  b.starts_at = at (f, "2027-01-15 10:00");
  g_assert_cmpint (clinic_appointments_book (f->front, &b, &error), ==, 0);
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "Congress"));
}

static gint64
add_patient (ClinicSession *session,
             const char    *family,
             const char    *given,
             const char    *birth)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClinicPatient) p = clinic_test_patient_new (family, given, birth, "");
  gint64 id = clinic_patients_create (session, p, TRUE, &error);

  g_assert_no_error (error);
  return id;
}

static const ClinicIcsEvent *
event_at (GPtrArray *events,
          guint      i)
{
  return events->pdata[i];
}

/* Events typed by hand in another calendar program: a name and maybe a
 * date of birth, never our chart number. */
static void
test_ics_match_by_name (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) preview = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  gint64 juergen = add_patient (f->admin, "Müller", "Jürgen", "1980-02-03");
  gint64 lena = add_patient (f->admin, "Kraus", "Lena", "1970-07-07");
  const char *text = VCAL_HEAD
    /* Google-style: the name in the title, the birth in the notes; case
     * and accents as someone typed them. */
    EVENT ("UID:g1@google.com\r\nDTSTART:20270112T070000Z\r\nDTEND:20270112T073000Z\r\n"
           "SUMMARY:Jurgen MULLER\r\nDESCRIPTION:Insurance card please\\nDate of birth: 1980-02-03\r\n")
    /* Outlook-style: "Patient:" and "DOB:" lines, day first. Two
     * patients have that name and birth. */
    EVENT ("UID:o2@outlook.com\r\nDTSTART:20270112T073000Z\r\nSUMMARY:Check-up\r\n"
           "DESCRIPTION:Patient: Doe\\, Jane\\nDOB: 06.05.1975\r\n")
    /* A name alone that one active patient has. */
    EVENT ("UID:g3@google.com\r\nDTSTART:20270112T080000Z\r\nSUMMARY:otto berg\r\n")
    /* A name alone that two have. */
    EVENT ("UID:g4@google.com\r\nDTSTART:20270112T083000Z\r\nSUMMARY:Jane Doe\r\n")
    /* The right name, another birth. */
    EVENT ("UID:g5@google.com\r\nDTSTART:20270112T090000Z\r\nSUMMARY:Paula Schmidt\r\n"
           "DESCRIPTION:DOB: 24.04.1987\r\n")
    /* An inactive patient: by name and birth, yes; by name alone, no. */
    EVENT ("UID:g6@google.com\r\nDTSTART:20270112T093000Z\r\nSUMMARY:Kraus\\, Lena\r\n"
           "DESCRIPTION:Born: 19700707\r\n")
    EVENT ("UID:g7@google.com\r\nDTSTART:20270112T100000Z\r\nSUMMARY:Lena Kraus\r\n")
    VCAL_TAIL;
  const char *good = VCAL_HEAD
    EVENT ("UID:g1@google.com\r\nDTSTART:20270112T070000Z\r\nDTEND:20270112T073000Z\r\n"
           "SUMMARY:Jurgen MULLER\r\nDESCRIPTION:Date of birth: 1980-02-03\r\n")
    EVENT ("UID:g3@google.com\r\nDTSTART:20270112T080000Z\r\nSUMMARY:Check-up: Berg\\, Otto\r\n"
           "X-CLINIC-VISIT-TYPE:Check-up\r\n")
    EVENT ("UID:g6@google.com\r\nDTSTART:20270112T093000Z\r\nSUMMARY:Kraus\\, Lena\r\n"
           "DESCRIPTION:Geburtsdatum: 07.07.1970\r\n")
    VCAL_TAIL;
  ClinicIcsImport options = { f->weber, 0, f->checkup, FALSE };

  /* Two records of one name and birth (the registry allows it, asked). */
  add_patient (f->admin, "Doe", "Jane", "1975-05-06");
  add_patient (f->admin, "Doe", "Jane", "1975-05-06");
  g_assert_true (clinic_patients_set_status (f->admin, lena, CLINIC_PATIENT_INACTIVE, &error));
  g_assert_no_error (error);
  before = book_lines (f->admin, f, 0);

  preview = clinic_ics_preview (f->front, text, strlen (text), &options, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (preview->len, ==, 7);

  g_assert_cmpstr (event_at (preview, 0)->patient_name, ==, "Jurgen MULLER");
  g_assert_cmpstr (event_at (preview, 0)->birth_date, ==, "1980-02-03");
  g_assert_cmpint (event_at (preview, 0)->state, ==, CLINIC_ICS_EVENT_NEW);
  g_assert_cmpint (event_at (preview, 0)->patient_id, ==, juergen);
  g_assert_false (event_at (preview, 0)->by_name_only);

  g_assert_cmpstr (event_at (preview, 1)->patient_name, ==, "Doe, Jane");
  g_assert_cmpstr (event_at (preview, 1)->birth_date, ==, "1975-05-06");
  g_assert_cmpint (event_at (preview, 1)->state, ==, CLINIC_ICS_EVENT_UNMATCHED);
  g_assert_cmpint (event_at (preview, 1)->patient_id, ==, 0);
  g_assert_cmpstr (event_at (preview, 1)->problem, ==,
                   "2 patients named “Doe, Jane” born 1975-05-06 match; pick one.");

  g_assert_cmpint (event_at (preview, 2)->state, ==, CLINIC_ICS_EVENT_NEW);
  g_assert_cmpint (event_at (preview, 2)->patient_id, ==, f->otto);
  g_assert_true (event_at (preview, 2)->by_name_only);

  g_assert_cmpint (event_at (preview, 3)->state, ==, CLINIC_ICS_EVENT_UNMATCHED);
  g_assert_cmpstr (event_at (preview, 3)->problem, ==,
                   "2 active patients are named “Jane Doe” (the event gives no date of birth); pick one.");

  g_assert_cmpint (event_at (preview, 4)->state, ==, CLINIC_ICS_EVENT_UNMATCHED);
  g_assert_cmpstr (event_at (preview, 4)->problem, ==, "No patient named “Paula Schmidt” born 1987-04-24; choose one.");

  g_assert_cmpint (event_at (preview, 5)->state, ==, CLINIC_ICS_EVENT_NEW);
  g_assert_cmpint (event_at (preview, 5)->patient_id, ==, lena);
  g_assert_false (event_at (preview, 5)->by_name_only);
  g_assert_cmpint (event_at (preview, 6)->state, ==, CLINIC_ICS_EVENT_UNMATCHED);
  g_assert_nonnull (strstr (event_at (preview, 6)->problem, "No active patient is named “Lena Kraus”"));

  /* Any unmatched event refuses the file, naming the first; nothing is
   * booked. */
  g_assert_cmpint (clinic_ics_import (f->front, text, strlen (text), &options, &error), ==, -1);
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_CONFLICT);
  g_assert_nonnull (strstr (error->message, "Event 2 (2027-01-12 08:30): 2 patients named"));
  g_clear_error (&error);
  after = book_lines (f->admin, f, 0);
  g_assert_cmpstr (after, ==, before);

  /* The events that name one patient import for that patient; our own
   * "Type: Family, Given" title, and a German label, are read too. */
  g_clear_pointer (&preview, g_ptr_array_unref);
  preview = clinic_ics_preview (f->front, good, strlen (good), &options, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (event_at (preview, 1)->patient_name, ==, "Berg, Otto");
  g_assert_true (event_at (preview, 1)->by_name_only);
  g_assert_cmpstr (event_at (preview, 2)->birth_date, ==, "1970-07-07");
  g_assert_cmpint (clinic_ics_import (f->front, good, strlen (good), &options, &error), ==, 3);
  g_assert_no_error (error);
  g_clear_pointer (&after, g_free);
  after = book_lines (f->admin, f, f->weber);
  g_assert_cmpstr (after, ==,
                   "2027-01-12 08:00 +1800 C000003 Müller, Jürgen Dr. Weber Check-up \n"
                   "2027-01-12 09:00 +1800 C000002 Berg, Otto Dr. Weber Check-up \n"
                   "2027-01-12 10:30 +1800 C000004 Kraus, Lena Dr. Weber Check-up \n");
}

/* A "full" export carries the date of birth; in a clinic where the same
 * chart numbers are other people, the events still find their patients
 * by name and birth, never the stranger with the number. */
static void
test_ics_match_round_trip (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) preview = NULL;
  g_autofree char *path = g_build_filename (f->dir, "weber.ics", NULL);
  g_autofree char *text = NULL;
  g_autofree char *lines = NULL;
  gint64 juergen = add_patient (f->admin, "Müller", "Jürgen", "1980-02-03");
  ClinicBooking b1 = { juergen, f->weber, f->checkup, 0, at (f, "2027-01-12 09:00"), 0, "Knee", NULL, NULL };
  ClinicBooking b2 = { f->paula, f->weber, f->checkup, 0, at (f, "2027-01-12 10:00"), 0, NULL, NULL, NULL };
  ClinicIcsImport options = { 0, 0, 0, FALSE };
  gsize length = 0;
  gint64 stranger, there;
  Fixture g = { 0 };

  g_assert_cmpint (clinic_appointments_book (f->front, &b1, &error), >, 0);
  g_assert_cmpint (clinic_appointments_book (f->front, &b2, &error), >, 0);
  g_assert_no_error (error);
  g_assert_cmpint (clinic_ics_export (f->admin, f->weber, at (f, "2027-01-01 00:00"), at (f, "2028-01-01 00:00"),
                                      CLINIC_ICS_FULL, path, &error), ==, 2);
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (path, &text, &length, &error));
  /* (libical folds the line after 75 octets.) */
  g_assert_nonnull (strstr (text, "\r\nDESCRIPTION:Chart number: C000003\\nDate of birth: 1980-02-03"
                                  "\\nReason: \r\n Knee\r\n"));
  g_assert_nonnull (strstr (text, "\r\nX-CLINIC-BIRTH-DATE:1980-02-03\r\n"));

  /* The other clinic gave C000003 to someone else first. */
  fixture_set_up (&g, NULL);
  stranger = add_patient (g.admin, "Fischer", "Anna", "1999-09-09");
  there = add_patient (g.admin, "Müller", "Jürgen", "1980-02-03");
  g_assert_cmpint (stranger, !=, there);
  options.provider_id = g.weber;
  preview = clinic_ics_preview (g.front, text, length, &options, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (preview->len, ==, 2);
  g_assert_cmpint (event_at (preview, 0)->state, ==, CLINIC_ICS_EVENT_NEW);
  g_assert_cmpint (event_at (preview, 0)->patient_id, ==, there);
  g_assert_false (event_at (preview, 0)->by_name_only);
  /* Paula's chart number is hers here too, with the same birth. */
  g_assert_cmpint (event_at (preview, 1)->patient_id, ==, g.paula);
  g_assert_cmpint (clinic_ics_import (g.front, text, length, &options, &error), ==, 2);
  g_assert_no_error (error);
  lines = book_lines (g.admin, &g, g.weber);
  g_assert_cmpstr (lines, ==,
                   "2027-01-12 09:00 +1800 C000004 Müller, Jürgen Dr. Weber Check-up Knee\n"
                   "2027-01-12 10:00 +1800 C000001 Schmidt, Paula Dr. Weber Check-up \n");
  fixture_tear_down (&g, NULL);
}

static void
test_ics_folder (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *folder = g_build_filename (f->dir, "calendars", NULL);
  g_autofree char *weber = g_build_filename (folder, "weber.ics", NULL);
  g_autofree char *lang = g_build_filename (folder, "lang.ics", NULL);
  g_autofree char *text = NULL;
  g_autofree char *missing = g_build_filename (f->dir, "nowhere", NULL);
  ClinicSettings *settings = clinic_settings_get_for_db (f->db);
  ClinicBooking b = { f->paula, f->weber, f->checkup, 0, 0, 0, "Back pain", NULL, NULL };
  g_autoptr(GDateTime) now = g_date_time_new_now (f->tz);
  g_autoptr(GDateTime) soon = g_date_time_add_days (now, 7);
  struct stat st;
  gint64 id;

  /* Off by default: nothing written. */
  g_assert_true (clinic_ics_write_folder (f->db, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_mkdir (folder, 0700), ==, 0);
  g_assert_true (clinic_settings_set (settings, f->admin, "calendar.export-folder", folder, &error));
  g_assert_no_error (error);

  /* Every change to the book rewrites each doctor's file: busy only. */
  b.starts_at = clinic_local_to_unix (f->tz, g_date_time_get_year (soon), g_date_time_get_month (soon),
                                      g_date_time_get_day_of_month (soon), 10 * 60);
  b.override_reason = "Test outside the week";
  id = clinic_appointments_book (f->admin, &b, &error);
  g_assert_no_error (error);
  g_assert_true (g_file_test (lang, G_FILE_TEST_IS_REGULAR));
  g_assert_cmpint (g_stat (weber, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  g_assert_true (g_file_get_contents (weber, &text, NULL, &error));
  g_assert_nonnull (strstr (text, "SUMMARY:Busy"));
  g_assert_null (strstr (text, "Schmidt"));
  g_assert_null (strstr (text, "Check-up"));
  g_clear_pointer (&text, g_free);

  /* What the folder shows is the clinic's choice. */
  g_assert_true (clinic_settings_set (settings, f->admin, "calendar.export-detail", "initials", &error));
  g_assert_true (clinic_appointments_cancel (f->front, id, "Ill", &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (weber, &text, NULL, &error));
  g_assert_nonnull (strstr (text, "SUMMARY:Check-up – P. S."));
  g_assert_nonnull (strstr (text, "STATUS:CANCELLED"));
  g_assert_null (strstr (text, "Schmidt"));
  g_clear_pointer (&text, g_free);

  /* A folder that is gone does not fail the change; the writer says why. */
  g_assert_true (clinic_settings_set (settings, f->admin, "calendar.export-folder", missing, &error));
  g_assert_true (clinic_appointments_set_status (f->front, id, CLINIC_APPOINTMENT_BOOKED, &error));
  g_assert_no_error (error);
  g_assert_false (clinic_ics_write_folder (f->db, &error));
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "nowhere"));
}

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "C.UTF-8");
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_assert_cmpint (sodium_init (), >=, 0);
  clinic_keys_allow_test_limits (TRUE);

#define ADD(path, fn) g_test_add (path, Fixture, NULL, fixture_set_up, fn, fixture_tear_down)
  g_test_add_func ("/scheduling/local-time-dst", test_local_time_dst);
  g_test_add_func ("/scheduling/status-allows", test_status_allows);
  ADD ("/scheduling/availability", test_availability);
  ADD ("/scheduling/availability-dst", test_availability_dst);
  ADD ("/scheduling/booking-refusals", test_booking_refusals);
  ADD ("/scheduling/rooms", test_rooms);
  ADD ("/scheduling/rooms-booking", test_rooms_booking);
  ADD ("/scheduling/ics-rooms", test_ics_rooms);
  ADD ("/scheduling/room-change", test_room_change);
  ADD ("/scheduling/lifecycle", test_lifecycle);
  ADD ("/scheduling/cancel-rules", test_cancel_rules);
  ADD ("/scheduling/hours-and-types", test_hours_and_types_rules);
  ADD ("/scheduling/import", test_import);
  ADD ("/scheduling/registry-visits", test_registry_visits);
  ADD ("/scheduling/waitlist", test_waitlist);
  ADD ("/scheduling/visit-type-values", test_visit_type_values);
  ADD ("/scheduling/visit-type-retired", test_visit_type_retired);
  ADD ("/scheduling/exception-remove-and-readd", test_exception_remove_and_readd);
  g_test_add_func ("/scheduling/recurrence-expand", test_recurrence_expand);
  ADD ("/scheduling/recurrence-book", test_recurrence_book);
  ADD ("/scheduling/recurrence-scopes", test_recurrence_scopes);
  ADD ("/scheduling/ics-format", test_ics_format);
  ADD ("/scheduling/ics-hostile", test_ics_hostile);
  ADD ("/scheduling/ics-round-trip", test_ics_round_trip);
  ADD ("/scheduling/ics-import-refusals", test_ics_import_refusals);
  ADD ("/scheduling/ics-match-by-name", test_ics_match_by_name);
  ADD ("/scheduling/ics-match-round-trip", test_ics_match_round_trip);
  ADD ("/scheduling/ics-folder", test_ics_folder);
#undef ADD

  return g_test_run ();
}
