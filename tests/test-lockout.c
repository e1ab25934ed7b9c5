/* test-lockout.c: failed sign-ins counted before the database is open
 *
 * Copyright 2024 The Clinic authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "clinic-lockout.h"

#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gstdio.h>

/* A fixed "now" so every test is deterministic. */
#define T0 ((gint64) 1700000000)

typedef struct
{
  char *dir;
  char *path; /* dir/clinic.db.lockout */
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("clinic-lockout-XXXXXX", &error);
  g_assert_no_error (error);
  f->path = g_build_filename (f->dir, "clinic.db.lockout", NULL);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GDir) dir = g_dir_open (f->dir, 0, NULL);
  const char *name;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (f->dir, name, NULL);

      g_assert_cmpint (g_unlink (child), ==, 0);
    }

  g_assert_cmpint (g_rmdir (f->dir), ==, 0);
  g_free (f->path);
  g_free (f->dir);
}

static void
fail (Fixture    *f,
      const char *user,
      gint64      now)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (clinic_lockout_record_failure (f->path, user, NULL, now, &error));
  g_assert_no_error (error);
}

static void
assert_open (Fixture    *f,
             const char *user,
             gint64      now)
{
  g_autoptr(GError) error = NULL;
  guint wait = 12345;

  g_assert_true (clinic_lockout_check (f->path, user, NULL, now, &wait, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (wait, ==, 0);
}

static void
assert_locked (Fixture    *f,
               const char *user,
               gint64      now,
               guint       expected_wait)
{
  g_autoptr(GError) error = NULL;
  guint wait = 0;

  g_assert_false (clinic_lockout_check (f->path, user, NULL, now, &wait, &error));
  g_assert_error (error, CLINIC_LOCKOUT_ERROR, CLINIC_LOCKOUT_ERROR_LOCKED_OUT);
  g_assert_cmpuint (wait, ==, expected_wait);
}

/* Fails @user five times from @now and returns the time of the fifth. */
static gint64
lock_out (Fixture    *f,
          const char *user,
          gint64      now)
{
  for (guint i = 0; i < 5; i++)
    fail (f, user, now + i);
  return now + 4;
}

static GPtrArray *
take (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *events = clinic_lockout_take_events (f->path, &error);

  g_assert_no_error (error);
  g_assert_nonnull (events);
  return events;
}

static void
test_missing_file (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GPtrArray) events = NULL;

  assert_open (f, "anna", T0);
  g_assert_false (g_file_test (f->path, G_FILE_TEST_EXISTS));
  events = take (f);
  g_assert_cmpuint (events->len, ==, 0);
  g_assert_false (g_file_test (f->path, G_FILE_TEST_EXISTS));
}

static void
test_four_failures (Fixture       *f,
                    gconstpointer  data)
{
  GStatBuf st;

  for (guint i = 0; i < 4; i++)
    {
      fail (f, "anna", T0 + i * 60);
      assert_open (f, "anna", T0 + i * 60);
    }

  g_assert_cmpint (g_stat (f->path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
}

static void
test_fifth_failure_locks (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  gint64 t = lock_out (f, "anna", T0);
  guint wait = 0;

  g_assert_false (clinic_lockout_check (f->path, "anna", NULL, t, &wait, &error));
  g_assert_error (error, CLINIC_LOCKOUT_ERROR, CLINIC_LOCKOUT_ERROR_LOCKED_OUT);
  g_assert_cmpuint (wait, ==, 15 * 60);
  g_assert_cmpstr (error->message, ==, "Too many failed attempts. Try again in 15 minutes.");
  g_clear_error (&error);

  /* Three minutes later: 12 minutes left. */
  g_assert_false (clinic_lockout_check (f->path, "anna", NULL, t + 180, &wait, &error));
  g_assert_cmpuint (wait, ==, 12 * 60);
  g_assert_cmpstr (error->message, ==, "Too many failed attempts. Try again in 12 minutes.");
  g_clear_error (&error);

  /* A last second still reads as a minute. */
  g_assert_false (clinic_lockout_check (f->path, "anna", NULL, t + 899, &wait, &error));
  g_assert_cmpuint (wait, ==, 1);
  g_assert_cmpstr (error->message, ==, "Too many failed attempts. Try again in 1 minute.");
  g_clear_error (&error);

  assert_open (f, "anna", t + 900);

  /* Others are not affected, and the name is compared trimmed, with case. */
  assert_open (f, "ben", t);
  assert_locked (f, "  anna ", t, 900);
  assert_open (f, "Anna", t);

  /* After the wait, failures count from zero again. */
  for (guint i = 0; i < 4; i++)
    fail (f, "anna", t + 900 + i);
  assert_open (f, "anna", t + 904);
}

static void
test_failure_while_locked (Fixture       *f,
                           gconstpointer  data)
{
  gint64 t = lock_out (f, "anna", T0);

  /* Does not extend the wait. */
  fail (f, "anna", t + 100);
  assert_locked (f, "anna", t + 100, 800);
}

static void
test_window (Fixture       *f,
             gconstpointer  data)
{
  /* Four failures, then one just as the first four leave the window. */
  for (guint i = 0; i < 4; i++)
    fail (f, "anna", T0);
  fail (f, "anna", T0 + 15 * 60);
  assert_open (f, "anna", T0 + 15 * 60);

  /* One second earlier they would all have counted. */
  for (guint i = 0; i < 4; i++)
    fail (f, "ben", T0);
  fail (f, "ben", T0 + 15 * 60 - 1);
  assert_locked (f, "ben", T0 + 15 * 60 - 1, 15 * 60);

  /* Failures spread wider than the window never lock. */
  for (guint i = 0; i < 20; i++)
    fail (f, "carla", T0 + i * 300);
  assert_open (f, "carla", T0 + 20 * 300);
}

static void
test_doubling (Fixture       *f,
               gconstpointer  data)
{
  const guint expected[] = { 900, 1800, 3600, 3600, 3600 };
  gint64 t = T0;

  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      t = lock_out (f, "anna", t);
      assert_locked (f, "anna", t, expected[i]);
      t += expected[i];
      assert_open (f, "anna", t);
    }

  /* A success forgets the doubling. */
  {
    g_autoptr(GError) error = NULL;

    g_assert_true (clinic_lockout_record_success (f->path, "anna", t, &error));
    g_assert_no_error (error);
  }
  t = lock_out (f, "anna", t);
  assert_locked (f, "anna", t, 900);

  /* So does a quiet day. */
  t += 900 + 24 * 60 * 60;
  t = lock_out (f, "anna", t);
  assert_locked (f, "anna", t, 900);
}

static void
test_success_resets (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) events = NULL;

  for (guint i = 0; i < 4; i++)
    fail (f, "anna", T0 + i);
  g_assert_true (clinic_lockout_record_success (f->path, " anna", T0 + 5, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < 4; i++)
    fail (f, "anna", T0 + 10 + i);
  assert_open (f, "anna", T0 + 14);

  /* The failures before the success are still there for the audit. */
  events = take (f);
  g_assert_cmpuint (events->len, ==, 8);
}

static void
test_clear (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  gint64 t;

  lock_out (f, "anna", T0);
  t = lock_out (f, "ben", T0);

  g_assert_true (clinic_lockout_clear (f->path, "anna", &error));
  g_assert_no_error (error);
  assert_open (f, "anna", t);
  assert_locked (f, "ben", t, 900);

  g_assert_true (clinic_lockout_clear (f->path, NULL, &error));
  g_assert_no_error (error);
  assert_open (f, "ben", t);

  /* Clearing what is not there is fine. */
  g_assert_true (clinic_lockout_clear (f->path, "nobody", &error));
  g_assert_no_error (error);
}

static void
test_events (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(GPtrArray) again = NULL;
  ClinicLockoutEvent *e;

  lock_out (f, "anna", T0);
  fail (f, "ben", T0 + 10);

  events = take (f);
  g_assert_cmpuint (events->len, ==, 7);
  for (guint i = 0; i < 5; i++)
    {
      e = g_ptr_array_index (events, i);
      g_assert_cmpint (e->time, ==, T0 + i);
      g_assert_cmpstr (e->user, ==, "anna");
      g_assert_cmpint (e->kind, ==, CLINIC_LOCKOUT_EVENT_FAILURE);
    }
  e = g_ptr_array_index (events, 5);
  g_assert_cmpint (e->kind, ==, CLINIC_LOCKOUT_EVENT_LOCKED);
  g_assert_cmpstr (e->user, ==, "anna");
  g_assert_cmpint (e->time, ==, T0 + 4);
  g_assert_cmpuint (e->wait_seconds, ==, 900);
  e = g_ptr_array_index (events, 6);
  g_assert_cmpint (e->kind, ==, CLINIC_LOCKOUT_EVENT_FAILURE);
  g_assert_cmpstr (e->user, ==, "ben");

  /* Taken once. */
  again = take (f);
  g_assert_cmpuint (again->len, ==, 0);

  /* Taking the events does not lift the lock-out. */
  assert_locked (f, "anna", T0 + 4, 900);
}

/* Names are not code: anything a person types goes into the file and comes
 * back the same. */
static void
test_odd_names (Fixture       *f,
                gconstpointer  data)
{
  const char *names[] = { "o'brien", "a \"quoted\" name", "back\\slash", "}{)(][",
                          "Zoë", "名前", "tab\there", "new\nline" };
  g_autoptr(GPtrArray) events = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    fail (f, names[i], T0);

  events = take (f);
  g_assert_cmpuint (events->len, ==, G_N_ELEMENTS (names));
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    g_assert_cmpstr (((ClinicLockoutEvent *) g_ptr_array_index (events, i))->user, ==, names[i]);

  g_assert_true (clinic_lockout_clear (f->path, "}{)(][", NULL));
  lock_out (f, "}{)(][", T0);
  assert_locked (f, "}{)(][", T0 + 4, 900);
}

/* Names typed at the sign-in screen cannot grow the file without bound
 * (which would get it reset as damaged). */
static void
test_long_names (Fixture       *f,
                 gconstpointer  data)
{
  g_autofree char *long_a = NULL;
  g_autofree char *long_b = NULL;
  g_autoptr(GPtrArray) events = NULL;
  GStatBuf st;

  long_a = g_strnfill (100000, 'a');
  long_b = g_strconcat (long_a, "b", NULL);

  for (guint i = 0; i < 20; i++)
    {
      g_autofree char *name = g_strdup_printf ("%u%s", i, long_a);

      fail (f, name, T0);
    }
  g_assert_cmpint (g_stat (f->path, &st), ==, 0);
  g_assert_cmpint (st.st_size, <, 20 * 1000);

  /* Names alike in their first 256 bytes share a counter. */
  events = take (f);
  for (guint i = 0; i < 3; i++)
    fail (f, long_a, T0 + i);
  for (guint i = 0; i < 2; i++)
    fail (f, long_b, T0 + 3 + i);
  assert_locked (f, long_a, T0 + 4, 900);

  /* Multi-byte characters are cut whole. */
  {
    g_autoptr(GString) accents = g_string_new ("x");

    for (guint i = 0; i < 300; i++)
      g_string_append (accents, "\xc3\xa9");
    fail (f, accents->str, T0);
    g_clear_pointer (&events, g_ptr_array_unref);
    events = take (f);
    g_assert_true (g_utf8_validate (((ClinicLockoutEvent *) g_ptr_array_index (events, events->len - 1))->user, -1, NULL));
    g_assert_cmpuint (strlen (((ClinicLockoutEvent *) g_ptr_array_index (events, events->len - 1))->user), ==, 255);
  }
}

static void
test_clock_set_back (Fixture       *f,
                     gconstpointer  data)
{
  gint64 t = lock_out (f, "anna", T0);

  /* The clock jumps back three hours: the wait stays within the cap. */
  assert_locked (f, "anna", t - 3 * 60 * 60, 60 * 60);
  assert_open (f, "anna", t - 3 * 60 * 60 + 60 * 60);
}

#define N_CHILD_FAILURES 20

static void
test_concurrent (Fixture       *f,
                 gconstpointer  data)
{
  ClinicLockoutPolicy policy = { 2 * N_CHILD_FAILURES + 1, 24 * 60 * 60, 900, 3600 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) events = NULL;
  pid_t children[2];
  guint wait;

  for (guint c = 0; c < G_N_ELEMENTS (children); c++)
    {
      children[c] = fork ();
      g_assert_cmpint (children[c], >=, 0);
      if (children[c] == 0)
        {
          for (guint i = 0; i < N_CHILD_FAILURES; i++)
            if (!clinic_lockout_record_failure (f->path, "anna", &policy, T0 + i, NULL))
              _exit (1);
          _exit (0);
        }
    }

  for (guint c = 0; c < G_N_ELEMENTS (children); c++)
    {
      int status;

      g_assert_cmpint (waitpid (children[c], &status, 0), ==, children[c]);
      g_assert_true (WIFEXITED (status));
      g_assert_cmpint (WEXITSTATUS (status), ==, 0);
    }

  /* 40 counted: not yet locked, and the 41st locks. */
  g_assert_true (clinic_lockout_check (f->path, "anna", &policy, T0 + 30, &wait, &error));
  g_assert_no_error (error);
  g_assert_true (clinic_lockout_record_failure (f->path, "anna", &policy, T0 + 30, &error));
  g_assert_no_error (error);
  g_assert_false (clinic_lockout_check (f->path, "anna", &policy, T0 + 30, &wait, &error));
  g_assert_error (error, CLINIC_LOCKOUT_ERROR, CLINIC_LOCKOUT_ERROR_LOCKED_OUT);
  g_clear_error (&error);

  events = take (f);
  g_assert_cmpuint (events->len, ==, 2 * N_CHILD_FAILURES + 2);
}

static void
write_damaged (Fixture    *f,
               const char *contents,
               gssize      len)
{
  g_autoptr(GError) error = NULL;

  g_file_set_contents (f->path, contents, len, &error);
  g_assert_no_error (error);
}

static void
test_damaged_cases (Fixture *f)
{
  static const char nul_inside[] = "(uint32 1, @a{s(axux)} {}, @a(xsyu) [])\0junk";
  const struct { const char *text; gssize len; } cases[] = {
    { "this is not a lock-out file", -1 },
    { "(uint32 2, @a{s(axux)} {}, @a(xsyu) [])", -1 },
    { "(uint32 1, @a{s(axux)} {}, [(int64 5, 'x', byte 9, uint32 0)])", -1 },
    { "", -1 },
    { nul_inside, sizeof nul_inside },
  };
  g_autofree char *damaged_path = g_strconcat (f->path, ".damaged", NULL);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GPtrArray) events = NULL;
      g_autofree char *kept = NULL;
      gsize kept_len;
      gint64 t;
      ClinicLockoutEvent *e;

      t = lock_out (f, "anna", T0);
      assert_locked (f, "anna", t, 900);

      write_damaged (f, cases[i].text, cases[i].len);
      assert_open (f, "anna", t);

      g_assert_true (g_file_get_contents (damaged_path, &kept, &kept_len, NULL));
      g_assert_cmpmem (kept, kept_len, cases[i].text,
                       cases[i].len < 0 ? strlen (cases[i].text) : (gsize) cases[i].len);

      events = take (f);
      g_assert_cmpuint (events->len, ==, 1);
      e = g_ptr_array_index (events, 0);
      g_assert_cmpint (e->kind, ==, CLINIC_LOCKOUT_EVENT_FILE_RESET);
      g_assert_cmpint (e->time, ==, t);

      /* Counting works again at once. */
      t = lock_out (f, "anna", t);
      assert_locked (f, "anna", t, 900);
      g_assert_true (clinic_lockout_clear (f->path, NULL, NULL));
      g_clear_pointer (&events, g_ptr_array_unref);
      events = take (f);
      g_assert_cmpuint (g_unlink (damaged_path), ==, 0);
    }
}

/* A damaged file starts anew (see clinic-lockout.c for why), loudly: a
 * warning, the old file kept aside, and an event for the audit trail.
 *
 * Runs in a subprocess that is allowed to warn: with G_LOG_USE_STRUCTURED,
 * GLib 2.74's g_test_expect_message() does not see structured messages. */
static void
test_damaged (Fixture       *f,
              gconstpointer  data)
{
  if (!g_test_subprocess ())
    {
      g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
      g_test_trap_assert_passed ();
      g_test_trap_assert_stderr ("*clinic.db.lockout is damaged*");
      return;
    }

  g_log_set_always_fatal (G_LOG_FATAL_MASK);
  test_damaged_cases (f);
}

static void
test_readable (Fixture       *f,
               gconstpointer  data)
{
  g_autofree char *text = NULL;

  fail (f, "anna", T0);
  g_assert_true (g_file_get_contents (f->path, &text, NULL, NULL));
  g_assert_nonnull (strstr (text, "'anna'"));
  g_assert_nonnull (strstr (text, "1700000000"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

#define ADD(name, fn) \
  g_test_add (name, Fixture, NULL, fixture_set_up, fn, fixture_tear_down)
  ADD ("/lockout/missing-file", test_missing_file);
  ADD ("/lockout/four-failures", test_four_failures);
  ADD ("/lockout/fifth-failure-locks", test_fifth_failure_locks);
  ADD ("/lockout/failure-while-locked", test_failure_while_locked);
  ADD ("/lockout/window", test_window);
  ADD ("/lockout/doubling", test_doubling);
  ADD ("/lockout/success-resets", test_success_resets);
  ADD ("/lockout/clear", test_clear);
  ADD ("/lockout/events", test_events);
  ADD ("/lockout/odd-names", test_odd_names);
  ADD ("/lockout/long-names", test_long_names);
  ADD ("/lockout/clock-set-back", test_clock_set_back);
  ADD ("/lockout/concurrent", test_concurrent);
  ADD ("/lockout/damaged", test_damaged);
  ADD ("/lockout/readable", test_readable);
#undef ADD

  return g_test_run ();
}
