/* clinic-application.h — the Clinic application object */

#pragma once

#include <adwaita.h>

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

G_END_DECLS
