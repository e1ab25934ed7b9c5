/* clinic-sign-in-page.h — the page everyone starts on */

#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define CLINIC_TYPE_SIGN_IN_PAGE (clinic_sign_in_page_get_type ())

G_DECLARE_FINAL_TYPE (ClinicSignInPage, clinic_sign_in_page, CLINIC, SIGN_IN_PAGE, AdwBin)

/* Shows which database the page signs in to. */
void        clinic_sign_in_page_set_database_path (ClinicSignInPage *self,
                                                   const char       *path);

/* The message shown under the form, or NULL when there is none.
 * Returns: (transfer none) (nullable). */
const char *clinic_sign_in_page_get_error         (ClinicSignInPage *self);

G_END_DECLS
