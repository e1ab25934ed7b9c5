/* clinic-demo.h — a synthetic clinic for demos and benchmarks
 *
 * Made through the core's own calls (the same checks and audit as the
 * window), from a seeded generator: the same seed gives the same clinic.
 */

#pragma once

#include "clinic-session.h"

G_BEGIN_DECLS

typedef struct
{
  const char *role_key;      /* "admin", "doctor", "frontdesk", "patient" */
  const char *user;
  const char *display_name;
  const char *password;
} ClinicDemoLogin;

/* One login per built-in role; the first is the administrator who
 * creates the database. (transfer none, @n_logins gets the count) */
const ClinicDemoLogin *clinic_demo_get_logins (guint *n_logins);

/* Creates the demo clinic at @path (which must not exist): the logins
 * above and @n_patients patients with varied names, ages, phones,
 * insurance and treatment plans; the patient login is linked to the
 * first patient. Returns the recovery key (free with sodium_memzero +
 * g_free), NULL on error. */
char *clinic_demo_create (const char  *path,
                          guint        n_patients,
                          guint32      seed,
                          GError     **error);

/* What a demo clinic holds beyond its patients. */
typedef struct
{
  guint   n_patients;
  /* Doctors taking appointments: Dr. Weber (the doctor login) and
   * n_doctors - 1 more (accounts without a printed password). */
  guint   n_doctors;
  /* Appointments over the months around today; -1: about a year's worth
   * (half past, half to come) for the doctors. */
  gint64  n_appointments;
  guint32 seed;
} ClinicDemoOptions;

#define CLINIC_DEMO_DOCTORS 3

/* As clinic_demo_create(), with the schedules, visit types and
 * appointments of @options. */
char *clinic_demo_create_full (const char               *path,
                               const ClinicDemoOptions  *options,
                               GError                  **error);

G_END_DECLS
