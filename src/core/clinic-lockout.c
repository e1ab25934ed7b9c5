/* clinic-lockout.c: failed sign-ins counted before the database is open
 *
 * Copyright 2024 The Clinic authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/*
 * The file is a GVariant in text form, so an administrator can read it with
 * a pager:
 *
 *   (uint32 1,                                     version
 *    {'anna': ([int64 1700000000, ...],            failure times in the window
 *              uint32 1,                           lock-outs so far (doubling)
 *              int64 1700000900)},                 locked until, 0 if not
 *    [(int64 1700000000, 'anna', byte 0, uint32 0)])   events for the audit
 *
 * A damaged file is started anew rather than locking everyone out.  The
 * counts guard the keyboard of this PC, and the app gives the person at it
 * no way to change files; whoever can change or delete files in the
 * database folder can as well copy the database and guess offline, which
 * only Argon2id stops.  Failing closed instead would let that same person
 * lock out every user, the only administrator too, with one byte.  The
 * reset is not silent: it is logged, the damaged file is kept beside it,
 * and a FILE_RESET event reaches the audit trail at the next sign-in.
 */

/* The project's config.h (GETTEXT_PACKAGE) when built by meson; a hand
 * build passes -DGETTEXT_PACKAGE instead. */
#if defined __has_include
# if __has_include ("config.h")
#  include "config.h"
# endif
#endif

#include "clinic-file.h"
#include "clinic-lockout.h"
#include "clinic-keys.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

G_DEFINE_QUARK (clinic-lockout-error-quark, clinic_lockout_error)

#define LOCKOUT_VERSION   1
#define LOCKOUT_TYPE      "(ua{s(axux)}a(xsyu))"
#define MAX_EVENTS        10000
#define MAX_FILE_SIZE     (16 * 1024 * 1024)
/* The doubling is forgotten a day after the last wait ended. */
#define DOUBLING_MEMORY   (24 * 60 * 60)
/* Longer names share a counter.  The cap keeps the file small however long
 * the names typed at the sign-in screen are, so no one can grow it past
 * MAX_FILE_SIZE and have it reset as damaged. */
#define MAX_NAME_BYTES    256

typedef struct
{
  GArray *failures;     /* of gint64, oldest first */
  guint   lockouts;
  gint64  locked_until; /* 0: not locked */
} UserState;

typedef struct
{
  GHashTable *users;  /* normalised name → UserState */
  GPtrArray  *events; /* of ClinicLockoutEvent */
  gboolean    dirty;  /* must be written back */
} State;

void
clinic_lockout_event_free (ClinicLockoutEvent *event)
{
  if (event == NULL)
    return;

  g_free (event->user);
  g_free (event);
}

static UserState *
user_state_new (void)
{
  UserState *u = g_new0 (UserState, 1);

  u->failures = g_array_new (FALSE, FALSE, sizeof (gint64));
  return u;
}

static void
user_state_free (UserState *u)
{
  g_array_unref (u->failures);
  g_free (u);
}

static State *
state_new (void)
{
  State *state = g_new0 (State, 1);

  state->users = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                        (GDestroyNotify) user_state_free);
  state->events = g_ptr_array_new_with_free_func ((GDestroyNotify) clinic_lockout_event_free);
  return state;
}

static void
state_free (State *state)
{
  g_hash_table_unref (state->users);
  g_ptr_array_unref (state->events);
  g_free (state);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (State, state_free)

static UserState *
state_get_user (State      *state,
                const char *user,
                gboolean    create)
{
  UserState *u = g_hash_table_lookup (state->users, user);

  if (u == NULL && create)
    {
      u = user_state_new ();
      g_hash_table_insert (state->users, g_strdup (user), u);
    }

  return u;
}

static void
state_add_event (State                 *state,
                 gint64                 time,
                 const char            *user,
                 ClinicLockoutEventKind kind,
                 guint                  wait_seconds)
{
  ClinicLockoutEvent *event = g_new0 (ClinicLockoutEvent, 1);

  event->time = time;
  event->user = g_strdup (user);
  event->kind = kind;
  event->wait_seconds = wait_seconds;
  g_ptr_array_add (state->events, event);

  if (state->events->len > MAX_EVENTS)
    g_ptr_array_remove_range (state->events, 0, state->events->len - MAX_EVENTS);

  state->dirty = TRUE;
}

static State *
state_parse (const char *text,
             GError    **error)
{
  g_autoptr(State) state = state_new ();
  g_autoptr(GVariant) v = NULL;
  g_autoptr(GVariant) users = NULL;
  g_autoptr(GVariant) events = NULL;
  GVariantIter iter;
  const char *name;
  GVariant *times;
  guint32 version;
  guint32 lockouts;
  gint64 locked_until;
  gint64 time;
  guint8 kind;
  guint32 wait;

  v = g_variant_parse (G_VARIANT_TYPE (LOCKOUT_TYPE), text, NULL, NULL, error);
  if (v == NULL)
    return NULL;

  g_variant_get (v, "(u@a{s(axux)}@a(xsyu))", &version, &users, &events);
  if (version != LOCKOUT_VERSION)
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                   "unknown version %u", version);
      return NULL;
    }

  g_variant_iter_init (&iter, users);
  while (g_variant_iter_next (&iter, "{&s(@axux)}", &name, &times, &lockouts, &locked_until))
    {
      UserState *u = state_get_user (state, name, TRUE);
      gsize n_times;
      const gint64 *t = g_variant_get_fixed_array (times, &n_times, sizeof (gint64));

      g_array_append_vals (u->failures, t, (guint) n_times);
      u->lockouts = lockouts;
      u->locked_until = locked_until;
      g_variant_unref (times);
    }

  g_variant_iter_init (&iter, events);
  while (g_variant_iter_next (&iter, "(x&syu)", &time, &name, &kind, &wait))
    {
      if (kind > CLINIC_LOCKOUT_EVENT_FILE_RESET)
        {
          g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                       "unknown event kind %u", kind);
          return NULL;
        }
      state_add_event (state, time, name, kind, wait);
    }

  state->dirty = FALSE;
  return g_steal_pointer (&state);
}

static int
compare_names (const void *a,
               const void *b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

static char *
state_print (State *state)
{
  g_autoptr(GVariant) v = NULL;
  g_autofree const char **names = NULL;
  GVariantBuilder users;
  GVariantBuilder events;
  guint n_names;

  g_variant_builder_init (&users, G_VARIANT_TYPE ("a{s(axux)}"));

  /* Sorted, so the file reads the same for the same state. */
  names = (const char **) g_hash_table_get_keys_as_array (state->users, &n_names);
  qsort (names, n_names, sizeof *names, compare_names);
  for (guint i = 0; i < n_names; i++)
    {
      UserState *u = g_hash_table_lookup (state->users, names[i]);
      GVariant *times;

      times = g_variant_new_fixed_array (G_VARIANT_TYPE_INT64,
                                         u->failures->data, u->failures->len,
                                         sizeof (gint64));
      g_variant_builder_add (&users, "{s(@axux)}", names[i], times,
                             u->lockouts, u->locked_until);
    }

  g_variant_builder_init (&events, G_VARIANT_TYPE ("a(xsyu)"));
  for (guint i = 0; i < state->events->len; i++)
    {
      ClinicLockoutEvent *e = g_ptr_array_index (state->events, i);

      g_variant_builder_add (&events, "(xsyu)", e->time, e->user,
                             (guint8) e->kind, e->wait_seconds);
    }

  v = g_variant_ref_sink (g_variant_new ("(ua{s(axux)}a(xsyu))", LOCKOUT_VERSION,
                                         &users, &events));
  return g_variant_print (v, TRUE);
}

/* --- Files ------------------------------------------------------------- */

static gboolean
set_io_error (GError    **error,
              const char *path,
              const char *reason)
{
  g_autofree char *display = g_filename_display_name (path);

  g_set_error (error, CLINIC_LOCKOUT_ERROR, CLINIC_LOCKOUT_ERROR_IO,
               _("The sign-in record “%s” could not be used: %s"),
               display, reason);
  return FALSE;
}

/* Temporary file beside @path, fsync, rename, fsync of the folder (the
 * same steps as the key file's, clinic-file.c). */
static gboolean
replace_file (const char *path,
              const char *data,
              gsize       len,
              GError    **error)
{
  g_autoptr(GError) local_error = NULL;

  if (!clinic_file_replace (path, data, len, &local_error))
    return set_io_error (error, path, local_error->message);

  return TRUE;
}

/* One read-modify-write of the file under the lock. */
typedef struct
{
  const char *path;
  int         lock_fd;
  State      *state;
} Session;

static void
session_end (Session *session)
{
  g_clear_pointer (&session->state, state_free);

  /* Closing drops the flock. */
  if (session->lock_fd >= 0)
    close (session->lock_fd);
  session->lock_fd = -1;
}

static gboolean
session_begin (Session    *session,
               const char *path,
               gint64      now_unix,
               GError    **error)
{
  g_autofree char *lock_path = g_strconcat (path, ".lock", NULL);
  g_autoptr(GError) local_error = NULL;
  g_autofree char *text = NULL;
  gsize len;
  GStatBuf st;

  session->path = path;
  session->state = NULL;
  session->lock_fd = g_open (lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (session->lock_fd < 0)
    return set_io_error (error, path, g_strerror (errno));

  while (flock (session->lock_fd, LOCK_EX) != 0)
    {
      if (errno != EINTR)
        {
          int saved_errno = errno;

          session_end (session);
          return set_io_error (error, path, g_strerror (saved_errno));
        }
    }

  if (g_stat (path, &st) == 0 && st.st_size > MAX_FILE_SIZE)
    {
      g_set_error_literal (&local_error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                           "file too large");
    }
  else if (!g_file_get_contents (path, &text, &len, &local_error))
    {
      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        {
          session->state = state_new ();
          return TRUE;
        }

      set_io_error (error, path, local_error->message);
      session_end (session);
      return FALSE;
    }
  else if (strlen (text) == len)
    {
      session->state = state_parse (text, &local_error);
      if (session->state != NULL)
        return TRUE;
    }
  else
    {
      g_set_error_literal (&local_error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                           "file contains a NUL byte");
    }

  /* Damaged: keep it for a person to look at, start anew, tell the audit
   * trail.  See the top of this file for why this is not fail-closed. */
  {
    g_autofree char *damaged_path = g_strconcat (path, ".damaged", NULL);

    g_warning ("The sign-in record %s is damaged (%s); it was moved to %s and started anew",
               path, local_error->message, damaged_path);
    if (g_rename (path, damaged_path) != 0)
      g_unlink (path);

    session->state = state_new ();
    state_add_event (session->state, now_unix, "", CLINIC_LOCKOUT_EVENT_FILE_RESET, 0);
  }

  return TRUE;
}

static gboolean
session_commit (Session *session,
                GError **error)
{
  g_autofree char *text = NULL;

  if (!session->state->dirty)
    return TRUE;

  text = state_print (session->state);
  if (!replace_file (session->path, text, strlen (text), error))
    return FALSE;

  session->state->dirty = FALSE;
  return TRUE;
}

/* --- Policy ------------------------------------------------------------ */

static ClinicLockoutPolicy
resolve_policy (const ClinicLockoutPolicy *policy)
{
  ClinicLockoutPolicy p = policy != NULL ? *policy : CLINIC_LOCKOUT_POLICY_DEFAULT;

  p.max_failures = MAX (p.max_failures, 1);
  p.max_wait_seconds = MAX (p.max_wait_seconds, p.base_wait_seconds);
  return p;
}

static guint
wait_for_lockout (const ClinicLockoutPolicy *p,
                  guint                      lockouts)
{
  guint64 wait = p->base_wait_seconds;

  for (guint i = 0; i < lockouts && wait < p->max_wait_seconds; i++)
    wait *= 2;

  return (guint) MIN (wait, (guint64) p->max_wait_seconds);
}

/* Brings @u up to @now: failures out of the window go, an ended wait is
 * ended, the doubling is forgotten after a quiet day, and a wait that reaches
 * beyond the cap (the clock was set back) is cut to the cap. */
static void
user_state_age (State                     *state,
                UserState                 *u,
                const ClinicLockoutPolicy *p,
                gint64                     now)
{
  guint drop = 0;

  while (drop < u->failures->len &&
         g_array_index (u->failures, gint64, drop) <= now - (gint64) p->window_seconds)
    drop++;
  if (drop > 0)
    {
      g_array_remove_range (u->failures, 0, drop);
      state->dirty = TRUE;
    }

  if (u->locked_until != 0 && u->locked_until - now > (gint64) p->max_wait_seconds)
    {
      u->locked_until = now + p->max_wait_seconds;
      state->dirty = TRUE;
    }

  if (u->lockouts > 0 && u->locked_until != 0 &&
      now >= u->locked_until + DOUBLING_MEMORY)
    {
      u->lockouts = 0;
      u->locked_until = 0;
      state->dirty = TRUE;
    }
}

static gboolean
user_state_is_empty (UserState *u,
                     gint64     now)
{
  return u->failures->len == 0 && u->lockouts == 0 && u->locked_until <= now;
}

static void
set_locked_out (GError **error,
                guint    wait_seconds)
{
  guint minutes = (wait_seconds + 59) / 60;

  g_set_error (error, CLINIC_LOCKOUT_ERROR, CLINIC_LOCKOUT_ERROR_LOCKED_OUT,
               g_dngettext (GETTEXT_PACKAGE,
                            "Too many failed attempts. Try again in %u minute.",
                            "Too many failed attempts. Try again in %u minutes.",
                            minutes),
               minutes);
}

/* --- Public ------------------------------------------------------------ */

static char *
lockout_name (const char *user)
{
  char *name = clinic_user_name_normalize (user);

  if (strlen (name) > MAX_NAME_BYTES)
    {
      char *end = name + MAX_NAME_BYTES;

      /* Cut at a character boundary. */
      while (end > name && (*end & 0xc0) == 0x80)
        end--;
      *end = '\0';
    }

  return name;
}

gboolean
clinic_lockout_check (const char                *path,
                      const char                *user,
                      const ClinicLockoutPolicy *policy,
                      gint64                     now_unix,
                      guint                     *wait_seconds,
                      GError                   **error)
{
  ClinicLockoutPolicy p = resolve_policy (policy);
  g_autofree char *name = NULL;
  Session session;
  UserState *u;
  guint wait = 0;
  gboolean ok;

  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (user != NULL, FALSE);

  if (wait_seconds != NULL)
    *wait_seconds = 0;

  name = lockout_name (user);
  if (!session_begin (&session, path, now_unix, error))
    return FALSE;

  u = state_get_user (session.state, name, FALSE);
  if (u != NULL && u->locked_until > now_unix)
    {
      /* The clock was set back: the wait never exceeds the cap. */
      if (u->locked_until - now_unix > (gint64) p.max_wait_seconds)
        {
          u->locked_until = now_unix + p.max_wait_seconds;
          session.state->dirty = TRUE;
        }
      wait = (guint) (u->locked_until - now_unix);
    }

  /* Only a reset damaged file or a clock set back needs writing here. */
  ok = session_commit (&session, error);
  session_end (&session);
  if (!ok)
    return FALSE;

  if (wait > 0)
    {
      if (wait_seconds != NULL)
        *wait_seconds = wait;
      set_locked_out (error, wait);
      return FALSE;
    }

  return TRUE;
}

gboolean
clinic_lockout_record_failure (const char                *path,
                               const char                *user,
                               const ClinicLockoutPolicy *policy,
                               gint64                     now_unix,
                               GError                   **error)
{
  ClinicLockoutPolicy p = resolve_policy (policy);
  g_autofree char *name = NULL;
  Session session;
  UserState *u;
  gboolean ok;

  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (user != NULL, FALSE);

  name = lockout_name (user);
  if (!session_begin (&session, path, now_unix, error))
    return FALSE;

  u = state_get_user (session.state, name, TRUE);
  user_state_age (session.state, u, &p, now_unix);
  state_add_event (session.state, now_unix, name, CLINIC_LOCKOUT_EVENT_FAILURE, 0);

  if (u->locked_until <= now_unix)
    {
      g_array_append_val (u->failures, now_unix);

      if (u->failures->len >= p.max_failures)
        {
          guint wait = wait_for_lockout (&p, u->lockouts);

          u->locked_until = now_unix + wait;
          u->lockouts++;
          g_array_set_size (u->failures, 0);
          state_add_event (session.state, now_unix, name, CLINIC_LOCKOUT_EVENT_LOCKED, wait);
        }
    }

  /* Other users' entries age too, so names typed once do not pile up. */
  {
    GHashTableIter iter;
    gpointer value;

    g_hash_table_iter_init (&iter, session.state->users);
    while (g_hash_table_iter_next (&iter, NULL, &value))
      {
        user_state_age (session.state, value, &p, now_unix);
        if (user_state_is_empty (value, now_unix))
          g_hash_table_iter_remove (&iter);
      }
  }

  ok = session_commit (&session, error);
  session_end (&session);
  return ok;
}

gboolean
clinic_lockout_record_success (const char *path,
                               const char *user,
                               gint64      now_unix,
                               GError    **error)
{
  g_autofree char *name = NULL;
  Session session;
  gboolean ok;

  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (user != NULL, FALSE);

  name = lockout_name (user);
  if (!session_begin (&session, path, now_unix, error))
    return FALSE;

  if (g_hash_table_remove (session.state->users, name))
    session.state->dirty = TRUE;

  ok = session_commit (&session, error);
  session_end (&session);
  return ok;
}

gboolean
clinic_lockout_clear (const char *path,
                      const char *user,
                      GError    **error)
{
  Session session;
  gboolean ok;

  g_return_val_if_fail (path != NULL, FALSE);

  if (!session_begin (&session, path, g_get_real_time () / G_USEC_PER_SEC, error))
    return FALSE;

  if (user == NULL)
    {
      if (g_hash_table_size (session.state->users) > 0)
        session.state->dirty = TRUE;
      g_hash_table_remove_all (session.state->users);
    }
  else
    {
      g_autofree char *name = lockout_name (user);

      if (g_hash_table_remove (session.state->users, name))
        session.state->dirty = TRUE;
    }

  ok = session_commit (&session, error);
  session_end (&session);
  return ok;
}

GPtrArray *
clinic_lockout_take_events (const char *path,
                            GError    **error)
{
  g_autoptr(GPtrArray) events = NULL;
  Session session;
  gboolean ok;

  g_return_val_if_fail (path != NULL, NULL);

  if (!session_begin (&session, path, g_get_real_time () / G_USEC_PER_SEC, error))
    return NULL;

  events = g_steal_pointer (&session.state->events);
  session.state->events = g_ptr_array_new_with_free_func ((GDestroyNotify) clinic_lockout_event_free);
  if (events->len > 0)
    session.state->dirty = TRUE;

  /* If the write fails the events stay in the file and come again next
   * time, rather than being lost. */
  ok = session_commit (&session, error);
  session_end (&session);
  if (!ok)
    return NULL;

  return g_steal_pointer (&events);
}
