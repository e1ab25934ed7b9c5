/* clinic-sign-in-page.h — the page everyone starts on */

#pragma once

#include <adwaita.h>

#include "clinic-db.h"
#include "clinic-kiosk.h"
#include "clinic-session.h"

G_BEGIN_DECLS

/**
 * ClinicSignInMode:
 * @CLINIC_SIGN_IN_MODE_START: nobody is signed in; the database is opened
 *   (cold start) or, once open, signed in to
 * @CLINIC_SIGN_IN_MODE_LOCKED: the window is locked; the user behind it
 *   or another one signs in
 * @CLINIC_SIGN_IN_MODE_KIOSK: patients sign in at the kiosk; staff
 *   accounts are refused
 * @CLINIC_SIGN_IN_MODE_KIOSK_LEAVE: a staff member who may start the
 *   kiosk signs in to leave it
 */
typedef enum
{
  CLINIC_SIGN_IN_MODE_START,
  CLINIC_SIGN_IN_MODE_LOCKED,
  CLINIC_SIGN_IN_MODE_KIOSK,
  CLINIC_SIGN_IN_MODE_KIOSK_LEAVE,
} ClinicSignInMode;

#define CLINIC_TYPE_SIGN_IN_PAGE (clinic_sign_in_page_get_type ())

G_DECLARE_FINAL_TYPE (ClinicSignInPage, clinic_sign_in_page, CLINIC, SIGN_IN_PAGE, AdwBin)

/*
 * ClinicSignInPage::signed-in:
 * @session: the new session, which the handler takes a reference to
 *
 * Someone signed in. At a cold start the database was opened (in a worker
 * thread) and the session started on it; otherwise the session was signed
 * in on the open database. In the kiosk modes the page has already
 * refused the accounts that do not belong there.
 *
 * ClinicSignInPage::register:
 *
 * A new patient at the kiosk asked for the registration form.
 */

/* Shows which database the page signs in to, and opens it at a cold
 * start. */
void              clinic_sign_in_page_set_database_path (ClinicSignInPage      *self,
                                                         const char            *path);

/* The open database, or NULL before the first sign-in (cold start: the
 * page opens it with clinic_db_open). */
void              clinic_sign_in_page_set_db            (ClinicSignInPage      *self,
                                                         ClinicDb              *db);

/* What the page is for now. @user_name and @display_name name the user
 * behind a locked window (LOCKED; ignored otherwise): the user name field
 * is filled in and the page says who it was. Clears the password and any
 * message. */
void              clinic_sign_in_page_set_mode          (ClinicSignInPage      *self,
                                                         ClinicSignInMode       mode,
                                                         const char            *user_name,
                                                         const char            *display_name);
ClinicSignInMode  clinic_sign_in_page_get_mode          (ClinicSignInPage      *self);

/* The kiosk the page runs in (NULL outside kiosk mode). In KIOSK mode,
 * while the kiosk offers registration (clinic_kiosk_can_register), the
 * page shows "New Patient? Register…" (action sign-in.register), which
 * emits ClinicSignInPage::register for the window to show the form. */
void              clinic_sign_in_page_set_kiosk         (ClinicSignInPage      *self,
                                                         ClinicKiosk           *kiosk);

/* The message shown under the form, or NULL when there is none.
 * Returns: (transfer none) (nullable). */
const char       *clinic_sign_in_page_get_error         (ClinicSignInPage      *self);

/* Shows @message (NULL hides it) in the page's error area. */
void              clinic_sign_in_page_show_error        (ClinicSignInPage      *self,
                                                         const char            *message);

/* TRUE while the database is being opened in the worker thread. */
gboolean          clinic_sign_in_page_get_busy          (ClinicSignInPage      *self);

G_END_DECLS
