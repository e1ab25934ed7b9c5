/* clinic-lockout.h: failed sign-ins counted before the database is open
 *
 * Copyright 2024 The Clinic authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define CLINIC_LOCKOUT_ERROR (clinic_lockout_error_quark ())

/**
 * ClinicLockoutError:
 * @CLINIC_LOCKOUT_ERROR_LOCKED_OUT: the user must wait; the message says how
 *   long in minutes and the call also returns the wait in seconds
 * @CLINIC_LOCKOUT_ERROR_IO: the lock-out file could not be read or written
 */
typedef enum
{
  CLINIC_LOCKOUT_ERROR_LOCKED_OUT,
  CLINIC_LOCKOUT_ERROR_IO,
} ClinicLockoutError;

GQuark clinic_lockout_error_quark (void);

/*
 * ClinicLockoutPolicy:
 * @max_failures: failures within @window_seconds that lock the user out
 * @window_seconds: how far back failures count
 * @base_wait_seconds: the first wait; each further lock-out doubles it
 * @max_wait_seconds: the cap on the wait
 *
 * After a lock-out the failures start again from zero.  The doubling is
 * forgotten after a successful sign-in, a clear, or a day without a
 * lock-out.
 */
typedef struct
{
  guint max_failures;
  guint window_seconds;
  guint base_wait_seconds;
  guint max_wait_seconds;
} ClinicLockoutPolicy;

/* 5 failures in 15 minutes → 15 minutes, then 30, then 60 at most. */
#define CLINIC_LOCKOUT_POLICY_DEFAULT \
  ((ClinicLockoutPolicy) { 5, 15 * 60, 15 * 60, 60 * 60 })

typedef enum
{
  CLINIC_LOCKOUT_EVENT_FAILURE,    /* a failed sign-in */
  CLINIC_LOCKOUT_EVENT_LOCKED,     /* the user was locked out, @wait_seconds */
  CLINIC_LOCKOUT_EVENT_FILE_RESET, /* the file was damaged and started anew;
                                    * @user is empty */
} ClinicLockoutEventKind;

typedef struct
{
  gint64                 time;         /* Unix seconds */
  char                  *user;         /* as normalised, see below */
  ClinicLockoutEventKind kind;
  guint                  wait_seconds; /* for CLINIC_LOCKOUT_EVENT_LOCKED */
} ClinicLockoutEvent;

void clinic_lockout_event_free (ClinicLockoutEvent *event);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ClinicLockoutEvent, clinic_lockout_event_free)

/*
 * All functions work on the lock-out file @path (clinic.db.lockout beside the
 * database).  Each call holds an exclusive flock() on the companion file
 * "@path.lock" while it reads and replaces @path (temporary file, fsync,
 * rename, fsync of the folder), so the window and clinicctl, in any number
 * of processes, count together.  They block while another process holds
 * the lock, which is only ever for one read and one write.
 *
 * User names are compared as clinic_user_name_normalize() leaves them
 * (trimmed, NFC, case kept), the same way sign-in finds key slots, and cut
 * to 256 bytes; unknown names are counted like known ones, so the file
 * tells no one which names exist.
 *
 * If a call fails with CLINIC_LOCKOUT_ERROR_IO (folder read-only, disk
 * full), refuse the sign-in and show the message: going on would switch
 * the lock-out off.
 *
 * A missing file means no failures.  A damaged file (it cannot be parsed)
 * is moved aside to "@path.damaged", started anew with a FILE_RESET event
 * for the audit trail, and a warning is logged; see clinic-lockout.c for why
 * that is not a way around the lock-out.
 *
 * @policy NULL means CLINIC_LOCKOUT_POLICY_DEFAULT.  @now_unix is the
 * current time in Unix seconds (g_get_real_time () / G_USEC_PER_SEC), a
 * parameter so tests can move the clock.
 */

/* Returns TRUE if @user may try to sign in.  Otherwise FALSE with
 * CLINIC_LOCKOUT_ERROR_LOCKED_OUT ("Try again in 12 minutes.") and the
 * remaining wait in *@wait_seconds (0 when TRUE is returned). */
gboolean   clinic_lockout_check          (const char                *path,
                                          const char                *user,
                                          const ClinicLockoutPolicy *policy,
                                          gint64                     now_unix,
                                          guint                     *wait_seconds,
                                          GError                   **error);

/* Records a failed sign-in for @user; the failure that reaches
 * @policy->max_failures starts the wait.  A failure while already locked
 * out is recorded as an event but does not extend the wait. */
gboolean   clinic_lockout_record_failure (const char                *path,
                                          const char                *user,
                                          const ClinicLockoutPolicy *policy,
                                          gint64                     now_unix,
                                          GError                   **error);

/* @user signed in: forgets their failures and doubling.  Events stay until
 * clinic_lockout_take_events(). */
gboolean   clinic_lockout_record_success (const char                *path,
                                          const char                *user,
                                          gint64                     now_unix,
                                          GError                   **error);

/* Lifts @user's lock-out (NULL: everyone's), for an administrator or after
 * opening with the recovery key; the caller audits it.  Events stay. */
gboolean   clinic_lockout_clear          (const char                *path,
                                          const char                *user,
                                          GError                   **error);

/* Returns the events not yet copied to the audit trail, oldest first, and
 * removes them from the file: call once the database is open and write them
 * to the audit trail.  A GPtrArray of ClinicLockoutEvent, empty when there
 * are none; NULL only with @error set.  The file keeps at most the newest
 * 10000 events. */
GPtrArray *clinic_lockout_take_events    (const char                *path,
                                          GError                   **error);

G_END_DECLS
