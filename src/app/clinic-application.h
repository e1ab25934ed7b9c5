/* clinic-application.h — the Clinic application object */

#pragma once

#include <adwaita.h>

#include "clinic-db.h"

G_BEGIN_DECLS

#define CLINIC_TYPE_APPLICATION (clinic_application_get_type ())

G_DECLARE_FINAL_TYPE (ClinicApplication, clinic_application, CLINIC, APPLICATION, AdwApplication)

/* Returns: (transfer full): the application, id com.example.Clinic. */
ClinicApplication *clinic_application_new               (void);

/* The database this instance works on: the --database argument made
 * absolute, or the default path. Returns: (transfer none). */
const char        *clinic_application_get_database_path (ClinicApplication *self);

/* Sets the database before the first window opens; tests use it instead of
 * a command line. */
void               clinic_application_set_database_path (ClinicApplication *self,
                                                         const char        *path);

/* The database, once someone has opened it. It stays open while Clinic
 * runs, also while the window is locked or nobody is signed in, so that
 * reminders can keep working. Used from the main thread only.
 * Returns: (transfer none) (nullable). */
ClinicDb          *clinic_application_get_db            (ClinicApplication *self);

/* Takes a reference to @db; the window calls it after the first sign-in
 * (or the set-up assistant) opened the database. */
void               clinic_application_set_db            (ClinicApplication *self,
                                                         ClinicDb          *db);

/* TRUE while the window is locked or shows the kiosk: notifications must
 * then carry no names. Notifies "privacy-mode". */
gboolean           clinic_application_get_privacy_mode  (ClinicApplication *self);
void               clinic_application_set_privacy_mode  (ClinicApplication *self,
                                                         gboolean           privacy_mode);

/* The Argon2id limits for key slots that the windows write (set-up).
 * NULL (the default) means MODERATE. Tests only: pass
 * CLINIC_KDF_LIMITS_TEST after clinic_keys_allow_test_limits (TRUE).
 * The limits are copied. Returns: (transfer none) (nullable). */
const ClinicKdfLimits *clinic_application_get_kdf_limits (ClinicApplication     *self);
void               clinic_application_set_kdf_limits_for_testing (ClinicApplication     *self,
                                                                  const ClinicKdfLimits *limits);

G_END_DECLS
