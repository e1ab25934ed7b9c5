/* clinic-sign-in-page.c — the page everyone starts on
 *
 * At a cold start the page opens the encrypted database with the user's
 * password (or the recovery key). Argon2id at MODERATE takes about a
 * second, so clinic_db_open runs in a worker thread while the form waits,
 * insensitive, with a spinner on its button; the ClinicDb it returns is
 * used from the main thread only. Once the database is open (the window
 * is locked, someone switches user, a patient at the kiosk) the page
 * signs in against the hashes inside it, which is quick.
 *
 * Every error is shown in the page, never in a dialog; the password
 * leaves the field as soon as it has been used.
 */

#include "config.h"

#include <glib/gi18n.h>
#include <sodium.h>

#include "clinic-app-utils.h"
#include "clinic-lockout.h"
#include "clinic-paths.h"
#include "clinic-sign-in-page.h"

/* How often the lock-out countdown is brought up to date; it shows
 * minutes, so a few updates a minute keep it right to the minute. */
#define COUNTDOWN_INTERVAL_SECONDS 15

struct _ClinicSignInPage
{
  AdwBin            parent_instance;

  char             *database_path;
  ClinicDb         *db;
  ClinicSignInMode  mode;
  ClinicKiosk      *kiosk;
  GCancellable     *cancellable;

  /* The account that must wait, and until when (Unix seconds). */
  char             *locked_out_user;
  gint64            locked_out_until;
  guint             countdown_id;

  guint             busy : 1;
  guint             use_recovery_key : 1;

  /* Template widgets */
  GtkImage         *icon;
  GtkLabel         *title_label;
  GtkLabel         *description_label;
  GtkWidget        *password_group;
  AdwEntryRow      *user_row;
  AdwEntryRow      *password_row;
  GtkWidget        *recovery_group;
  AdwEntryRow      *recovery_row;
  GtkRevealer      *error_revealer;
  GtkLabel         *error_label;
  GtkButton        *sign_in_button;
  GtkSpinner       *spinner;
  GtkButton        *recovery_button;
  GtkButton        *password_button;
  GtkButton        *leave_kiosk_button;
  GtkButton        *cancel_button;
  GtkButton        *register_button;
  GtkLabel         *database_label;
};

G_DEFINE_FINAL_TYPE (ClinicSignInPage, clinic_sign_in_page, ADW_TYPE_BIN)

enum {
  SIGNED_IN,
  REGISTER,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void clinic_sign_in_page_update_countdown (ClinicSignInPage *self);

static char *
dup_entered_user (ClinicSignInPage *self)
{
  return g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->user_row))));
}

static gboolean
is_locked_out (ClinicSignInPage *self)
{
  g_autofree char *user = NULL;

  if (self->locked_out_user == NULL)
    return FALSE;

  user = dup_entered_user (self);
  return g_strcmp0 (user, self->locked_out_user) == 0;
}

/* Read afresh each time the page is shown: the setting may have changed
 * (clinicctl) since the kiosk started. */
static gboolean
can_register (ClinicSignInPage *self)
{
  return self->mode == CLINIC_SIGN_IN_MODE_KIOSK && self->kiosk != NULL && !self->busy &&
         clinic_kiosk_can_register (self->kiosk);
}

static void
clinic_sign_in_page_update_actions (ClinicSignInPage *self)
{
  gboolean can_submit;

  if (self->use_recovery_key)
    {
      g_autofree char *key = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->recovery_row))));

      can_submit = key[0] != '\0';
    }
  else
    {
      g_autofree char *user = dup_entered_user (self);
      const char *password = gtk_editable_get_text (GTK_EDITABLE (self->password_row));

      can_submit = user[0] != '\0' && password[0] != '\0' && !is_locked_out (self);
    }

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "sign-in.submit", can_submit && !self->busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "sign-in.use-recovery-key",
                                 !self->busy && self->db == NULL && !self->use_recovery_key &&
                                 self->mode == CLINIC_SIGN_IN_MODE_START);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "sign-in.use-password",
                                 !self->busy && self->use_recovery_key);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "sign-in.leave-kiosk",
                                 self->mode == CLINIC_SIGN_IN_MODE_KIOSK);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "sign-in.cancel-leave-kiosk",
                                 self->mode == CLINIC_SIGN_IN_MODE_KIOSK_LEAVE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "sign-in.register", can_register (self));
}

/* Which parts of the page show, and what it says, for the mode. */
static void
clinic_sign_in_page_update_view (ClinicSignInPage *self)
{
  gboolean start = self->mode == CLINIC_SIGN_IN_MODE_START;

  gtk_widget_set_visible (self->password_group, !self->use_recovery_key);
  gtk_widget_set_visible (self->recovery_group, self->use_recovery_key);
  gtk_widget_set_visible (GTK_WIDGET (self->recovery_button),
                          start && self->db == NULL && !self->use_recovery_key);
  gtk_widget_set_visible (GTK_WIDGET (self->password_button), self->use_recovery_key);
  gtk_widget_set_visible (GTK_WIDGET (self->leave_kiosk_button),
                          self->mode == CLINIC_SIGN_IN_MODE_KIOSK);
  gtk_widget_set_visible (GTK_WIDGET (self->cancel_button),
                          self->mode == CLINIC_SIGN_IN_MODE_KIOSK_LEAVE);
  gtk_widget_set_visible (GTK_WIDGET (self->register_button), can_register (self));
  gtk_widget_set_visible (GTK_WIDGET (self->database_label), start);

  if (self->use_recovery_key)
    {
      gtk_label_set_text (self->title_label, _("Open with the Recovery Key"));
      gtk_label_set_text (self->description_label,
                          _("Type the recovery key from the sheet printed when the clinic was set up. Dashes and spaces do not matter."));
    }
  else if (start)
    {
      gtk_label_set_text (self->title_label, _("Sign In to Clinic"));
      gtk_label_set_text (self->description_label,
                          _("Enter the user name and password you were given for this clinic."));
    }
}

void
clinic_sign_in_page_show_error (ClinicSignInPage *self,
                                const char       *message)
{
  g_return_if_fail (CLINIC_IS_SIGN_IN_PAGE (self));

  gtk_label_set_text (self->error_label, message != NULL ? message : "");
  gtk_revealer_set_reveal_child (self->error_revealer, message != NULL);
}

const char *
clinic_sign_in_page_get_error (ClinicSignInPage *self)
{
  g_return_val_if_fail (CLINIC_IS_SIGN_IN_PAGE (self), NULL);

  if (!gtk_revealer_get_reveal_child (self->error_revealer))
    return NULL;

  return gtk_label_get_text (self->error_label);
}

gboolean
clinic_sign_in_page_get_busy (ClinicSignInPage *self)
{
  g_return_val_if_fail (CLINIC_IS_SIGN_IN_PAGE (self), FALSE);

  return self->busy;
}

void
clinic_sign_in_page_set_database_path (ClinicSignInPage *self,
                                       const char       *path)
{
  g_autofree char *text = NULL;

  g_return_if_fail (CLINIC_IS_SIGN_IN_PAGE (self));

  g_free (self->database_path);
  self->database_path = g_strdup (path);

  /* Translators: %s is the path of the database file. */
  text = g_strdup_printf (_("Database: %s"), path != NULL ? path : "");
  gtk_label_set_text (self->database_label, text);
}

void
clinic_sign_in_page_set_db (ClinicSignInPage *self,
                            ClinicDb         *db)
{
  g_return_if_fail (CLINIC_IS_SIGN_IN_PAGE (self));

  g_set_object (&self->db, db);
  if (db != NULL)
    self->use_recovery_key = FALSE;
  clinic_sign_in_page_update_view (self);
  clinic_sign_in_page_update_actions (self);
}

void
clinic_sign_in_page_set_kiosk (ClinicSignInPage *self,
                               ClinicKiosk      *kiosk)
{
  g_return_if_fail (CLINIC_IS_SIGN_IN_PAGE (self));

  g_set_object (&self->kiosk, kiosk);
  clinic_sign_in_page_update_view (self);
  clinic_sign_in_page_update_actions (self);
}

ClinicSignInMode
clinic_sign_in_page_get_mode (ClinicSignInPage *self)
{
  g_return_val_if_fail (CLINIC_IS_SIGN_IN_PAGE (self), CLINIC_SIGN_IN_MODE_START);

  return self->mode;
}

void
clinic_sign_in_page_set_mode (ClinicSignInPage *self,
                              ClinicSignInMode  mode,
                              const char       *user_name,
                              const char       *display_name)
{
  g_return_if_fail (CLINIC_IS_SIGN_IN_PAGE (self));

  self->mode = mode;
  self->use_recovery_key = FALSE;

  gtk_editable_set_text (GTK_EDITABLE (self->password_row), "");
  gtk_editable_set_text (GTK_EDITABLE (self->recovery_row), "");
  gtk_editable_set_text (GTK_EDITABLE (self->user_row),
                         mode == CLINIC_SIGN_IN_MODE_LOCKED && user_name != NULL ? user_name : "");
  clinic_sign_in_page_show_error (self, NULL);

  switch (mode)
    {
    case CLINIC_SIGN_IN_MODE_LOCKED:
      {
        g_autofree char *text = NULL;

        gtk_image_set_from_icon_name (self->icon, "system-lock-screen-symbolic");
        gtk_label_set_text (self->title_label, _("Locked"));
        /* Translators: %s is the display name of the user who locked
         * Clinic, for example “Anna Berg”. */
        text = g_strdup_printf (_("Sign in to continue as %s, or switch user."),
                                display_name != NULL ? display_name : user_name);
        gtk_label_set_text (self->description_label, text);
      }
      break;

    case CLINIC_SIGN_IN_MODE_KIOSK:
      gtk_image_set_from_icon_name (self->icon, "com.example.Clinic");
      gtk_label_set_text (self->title_label, _("Welcome"));
      gtk_label_set_text (self->description_label,
                          _("Sign in with your patient account to see your appointments, invoices and messages."));
      break;

    case CLINIC_SIGN_IN_MODE_KIOSK_LEAVE:
      gtk_image_set_from_icon_name (self->icon, "system-lock-screen-symbolic");
      gtk_label_set_text (self->title_label, _("Leave Kiosk Mode"));
      gtk_label_set_text (self->description_label,
                          _("A staff member who may start the kiosk signs in to leave it."));
      break;

    case CLINIC_SIGN_IN_MODE_START:
    default:
      gtk_image_set_from_icon_name (self->icon, "com.example.Clinic");
      break;
    }

  gtk_image_set_pixel_size (self->icon, mode == CLINIC_SIGN_IN_MODE_START ||
                                        mode == CLINIC_SIGN_IN_MODE_KIOSK ? 96 : 64);
  clinic_sign_in_page_update_view (self);
  clinic_sign_in_page_update_countdown (self);
  clinic_sign_in_page_update_actions (self);
  gtk_widget_grab_focus (GTK_WIDGET (self));
}

static void
clinic_sign_in_page_set_busy (ClinicSignInPage *self,
                              gboolean          busy)
{
  self->busy = !!busy;
  /* The fields are about to turn insensitive: take the focus away first,
   * so the one typed in is told it lost it. */
  if (busy && gtk_widget_get_root (GTK_WIDGET (self)) != NULL)
    gtk_root_set_focus (gtk_widget_get_root (GTK_WIDGET (self)), NULL);
  gtk_spinner_set_spinning (self->spinner, busy);
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), busy);
  gtk_widget_set_sensitive (self->password_group, !busy);
  gtk_widget_set_sensitive (self->recovery_group, !busy);
  clinic_sign_in_page_update_actions (self);
}

/* --- Lock-out countdown ------------------------------------------------- */

static void
show_countdown_message (ClinicSignInPage *self,
                        gint64            now)
{
  guint minutes = (guint) ((self->locked_out_until - now + 59) / 60);
  g_autofree char *message = NULL;

  message = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                          "Too many failed attempts. Try again in %u minute.",
                                          "Too many failed attempts. Try again in %u minutes.",
                                          minutes),
                             minutes);
  clinic_sign_in_page_show_error (self, message);
}

static gboolean
on_countdown (gpointer user_data)
{
  ClinicSignInPage *self = user_data;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  if (now >= self->locked_out_until)
    {
      g_clear_pointer (&self->locked_out_user, g_free);
      self->countdown_id = 0;
      clinic_sign_in_page_show_error (self, NULL);
      clinic_sign_in_page_update_actions (self);
      return G_SOURCE_REMOVE;
    }

  if (is_locked_out (self))
    show_countdown_message (self, now);

  return G_SOURCE_CONTINUE;
}

static void
clinic_sign_in_page_update_countdown (ClinicSignInPage *self)
{
  if (self->locked_out_user != NULL && is_locked_out (self))
    show_countdown_message (self, g_get_real_time () / G_USEC_PER_SEC);
}

/* The wait comes from the lock-out file the core keeps beside the
 * database: the error message says it in words, the countdown needs it
 * as a number. */
static void
start_countdown (ClinicSignInPage *self,
                 const char       *user,
                 const char       *fallback_message)
{
  g_autofree char *lockout = clinic_paths_get_lockout_file (self->database_path);
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  guint wait = 0;

  clinic_lockout_check (lockout, user, NULL, now, &wait, NULL);
  if (wait == 0)
    {
      clinic_sign_in_page_show_error (self, fallback_message);
      return;
    }

  g_free (self->locked_out_user);
  self->locked_out_user = g_strdup (user);
  self->locked_out_until = now + wait;
  show_countdown_message (self, now);

  if (self->countdown_id == 0)
    self->countdown_id = g_timeout_add_seconds (COUNTDOWN_INTERVAL_SECONDS, on_countdown, self);
}

/* --- Signing in ---------------------------------------------------------- */

static void
clear_secrets (ClinicSignInPage *self)
{
  gtk_editable_set_text (GTK_EDITABLE (self->password_row), "");
  gtk_editable_set_text (GTK_EDITABLE (self->recovery_row), "");
}

static void
handle_error (ClinicSignInPage *self,
              const char       *user,
              const GError     *error)
{
  /* The failure that reaches the limit starts the wait: say so now,
   * rather than at the next try. */
  if ((g_error_matches (error, CLINIC_DB_ERROR, CLINIC_DB_ERROR_LOCKED_OUT) ||
       g_error_matches (error, CLINIC_DB_ERROR, CLINIC_DB_ERROR_WRONG_CREDENTIALS)) &&
      user != NULL)
    start_countdown (self, user, error->message);
  else
    clinic_sign_in_page_show_error (self, error->message);

  if (self->use_recovery_key)
    gtk_widget_grab_focus (GTK_WIDGET (self->recovery_row));
  else if (gtk_widget_get_sensitive (GTK_WIDGET (self->password_row)))
    gtk_widget_grab_focus (GTK_WIDGET (self->password_row));
}

/* Accounts that do not belong in the kiosk's modes are refused after the
 * password check, so the answer says nothing about unknown names. */
static gboolean
accept_session (ClinicSignInPage  *self,
                ClinicSession     *session,
                GError           **error)
{
  if (self->mode == CLINIC_SIGN_IN_MODE_KIOSK &&
      clinic_session_get_kind (session) != CLINIC_USER_PATIENT)
    {
      g_set_error_literal (error, CLINIC_ERROR, CLINIC_ERROR_PERMISSION_DENIED,
                           _("This is the patients’ kiosk. Staff members choose “Leave Kiosk” first."));
      return FALSE;
    }

  /* A patient's own account belongs to the kiosk only: on the staff
   * sign-in and lock pages it would get a window with a menu, a quit and
   * names in notifications. */
  if ((self->mode == CLINIC_SIGN_IN_MODE_START || self->mode == CLINIC_SIGN_IN_MODE_LOCKED) &&
      clinic_session_get_kind (session) == CLINIC_USER_PATIENT)
    {
      g_set_error_literal (error, CLINIC_ERROR, CLINIC_ERROR_PERMISSION_DENIED,
                           _("Patients sign in at the kiosk. Ask the front desk to start it."));
      return FALSE;
    }

  if (self->mode == CLINIC_SIGN_IN_MODE_KIOSK_LEAVE &&
      (clinic_session_get_kind (session) != CLINIC_USER_STAFF ||
       !clinic_session_has_permission (session, CLINIC_PERMISSION_KIOSK_START)))
    {
      g_set_error_literal (error, CLINIC_ERROR, CLINIC_ERROR_PERMISSION_DENIED,
                           _("Only a staff member who may start the kiosk can leave it."));
      return FALSE;
    }

  return TRUE;
}

static void
finish_sign_in (ClinicSignInPage *self,
                ClinicSession    *session)
{
  g_autoptr(GError) error = NULL;

  if (!accept_session (self, session, &error))
    {
      clinic_session_sign_out (session);
      clear_secrets (self);
      handle_error (self, NULL, error);
      return;
    }

  clear_secrets (self);
  clinic_sign_in_page_show_error (self, NULL);
  g_signal_emit (self, signals[SIGNED_IN], 0, session);
}

typedef struct
{
  char            *path;
  char            *user;
  char            *password;
  char            *recovery_key;
} OpenData;

static void
wipe_string (char *text)
{
  if (text != NULL)
    sodium_memzero (text, strlen (text));
  g_free (text);
}

static void
open_data_free (gpointer data)
{
  OpenData *open = data;

  g_free (open->path);
  g_free (open->user);
  wipe_string (open->password);
  wipe_string (open->recovery_key);
  g_free (open);
}

static void
open_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  OpenData *open = task_data;
  ClinicCredentials credentials = { 0 };
  GError *error = NULL;
  ClinicDb *db;

  credentials.user = open->user;
  credentials.password = open->password;
  credentials.recovery_key = open->recovery_key;

  db = clinic_db_open (open->path, &credentials, &error);
  if (db == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, db, g_object_unref);
}

static void
open_done (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  ClinicSignInPage *self = CLINIC_SIGN_IN_PAGE (source);
  OpenData *open = g_task_get_task_data (G_TASK (result));
  g_autoptr(ClinicDb) db = NULL;
  g_autoptr(ClinicSession) session = NULL;
  g_autoptr(GError) error = NULL;

  db = g_task_propagate_pointer (G_TASK (result), &error);

  /* The page went away meanwhile: the database closes with @db. */
  if (g_cancellable_is_cancelled (self->cancellable))
    return;

  clinic_sign_in_page_set_busy (self, FALSE);

  if (db == NULL)
    {
      clear_secrets (self);
      handle_error (self, open->user, error);
      return;
    }

  session = clinic_session_start (db, &error);
  if (session == NULL)
    {
      clear_secrets (self);
      handle_error (self, NULL, error);
      return;
    }

  finish_sign_in (self, session);
}

static void
clinic_sign_in_page_submit (GtkWidget  *widget,
                            const char *action_name,
                            GVariant   *parameter)
{
  ClinicSignInPage *self = CLINIC_SIGN_IN_PAGE (widget);
  g_autofree char *user = dup_entered_user (self);
  const char *password = gtk_editable_get_text (GTK_EDITABLE (self->password_row));

  if (self->busy)
    return;

  if (self->db == NULL)
    {
      g_autoptr(GTask) task = NULL;
      OpenData *open;

      if (self->database_path == NULL ||
          !g_file_test (self->database_path, G_FILE_TEST_EXISTS))
        {
          g_autofree char *message = NULL;

          message = g_strdup_printf (_("There is no clinic database at “%s”."),
                                     self->database_path != NULL ? self->database_path : "");
          clear_secrets (self);
          clinic_sign_in_page_show_error (self, message);
          gtk_widget_grab_focus (GTK_WIDGET (self->password_row));
          return;
        }

      open = g_new0 (OpenData, 1);
      open->path = g_strdup (self->database_path);
      if (self->use_recovery_key)
        open->recovery_key = g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->recovery_row)));
      else
        {
          open->user = g_strdup (user);
          open->password = g_strdup (password);
        }

      clinic_sign_in_page_show_error (self, NULL);
      clinic_sign_in_page_set_busy (self, TRUE);

      task = g_task_new (self, self->cancellable, open_done, NULL);
      g_task_set_source_tag (task, clinic_sign_in_page_submit);
      g_task_set_task_data (task, open, open_data_free);
      g_task_run_in_thread (task, open_thread);
      return;
    }

  /* The database is open: the hashes inside it answer at once. */
  {
    g_autoptr(ClinicSession) session = NULL;
    g_autoptr(GError) error = NULL;

    session = clinic_session_sign_in (self->db, user, password, &error);
    if (session == NULL)
      {
        clear_secrets (self);
        handle_error (self, user, error);
        return;
      }

    finish_sign_in (self, session);
  }
}

static void
clinic_sign_in_page_use_recovery_key (GtkWidget  *widget,
                                      const char *action_name,
                                      GVariant   *parameter)
{
  ClinicSignInPage *self = CLINIC_SIGN_IN_PAGE (widget);

  self->use_recovery_key = TRUE;
  clear_secrets (self);
  clinic_sign_in_page_show_error (self, NULL);
  clinic_sign_in_page_update_view (self);
  clinic_sign_in_page_update_actions (self);
  gtk_widget_grab_focus (GTK_WIDGET (self->recovery_row));
}

static void
clinic_sign_in_page_use_password (GtkWidget  *widget,
                                  const char *action_name,
                                  GVariant   *parameter)
{
  ClinicSignInPage *self = CLINIC_SIGN_IN_PAGE (widget);

  self->use_recovery_key = FALSE;
  clear_secrets (self);
  clinic_sign_in_page_show_error (self, NULL);
  clinic_sign_in_page_update_view (self);
  clinic_sign_in_page_update_actions (self);
  gtk_widget_grab_focus (GTK_WIDGET (self->user_row));
}

static void
clinic_sign_in_page_leave_kiosk (GtkWidget  *widget,
                                 const char *action_name,
                                 GVariant   *parameter)
{
  clinic_sign_in_page_set_mode (CLINIC_SIGN_IN_PAGE (widget), CLINIC_SIGN_IN_MODE_KIOSK_LEAVE,
                                NULL, NULL);
}

static void
clinic_sign_in_page_cancel_leave_kiosk (GtkWidget  *widget,
                                        const char *action_name,
                                        GVariant   *parameter)
{
  clinic_sign_in_page_set_mode (CLINIC_SIGN_IN_PAGE (widget), CLINIC_SIGN_IN_MODE_KIOSK,
                                NULL, NULL);
}

static void
clinic_sign_in_page_register (GtkWidget  *widget,
                              const char *action_name,
                              GVariant   *parameter)
{
  ClinicSignInPage *self = CLINIC_SIGN_IN_PAGE (widget);

  if (!can_register (self))
    return;

  clear_secrets (self);
  clinic_sign_in_page_show_error (self, NULL);
  g_signal_emit (self, signals[REGISTER], 0);
}

static void
on_user_activated (ClinicSignInPage *self)
{
  gtk_widget_grab_focus (GTK_WIDGET (self->password_row));
}

static void
on_password_activated (ClinicSignInPage *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "sign-in.submit", NULL);
}

static void
on_text_changed (ClinicSignInPage *self)
{
  clinic_sign_in_page_update_actions (self);
}

static void
on_user_changed (ClinicSignInPage *self)
{
  /* Another name is not locked out: its message would mislead. */
  if (self->locked_out_user != NULL)
    {
      if (is_locked_out (self))
        clinic_sign_in_page_update_countdown (self);
      else
        clinic_sign_in_page_show_error (self, NULL);
    }
  clinic_sign_in_page_update_actions (self);
}

static gboolean
clinic_sign_in_page_grab_focus (GtkWidget *widget)
{
  ClinicSignInPage *self = CLINIC_SIGN_IN_PAGE (widget);
  const char *user = gtk_editable_get_text (GTK_EDITABLE (self->user_row));

  if (self->use_recovery_key)
    return gtk_widget_grab_focus (GTK_WIDGET (self->recovery_row));
  if (user[0] != '\0')
    return gtk_widget_grab_focus (GTK_WIDGET (self->password_row));

  return gtk_widget_grab_focus (GTK_WIDGET (self->user_row));
}

static void
clinic_sign_in_page_dispose (GObject *object)
{
  ClinicSignInPage *self = CLINIC_SIGN_IN_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->countdown_id, g_source_remove);
  g_clear_object (&self->db);
  g_clear_object (&self->kiosk);
  gtk_widget_dispose_template (GTK_WIDGET (object), CLINIC_TYPE_SIGN_IN_PAGE);

  G_OBJECT_CLASS (clinic_sign_in_page_parent_class)->dispose (object);
}

static void
clinic_sign_in_page_finalize (GObject *object)
{
  ClinicSignInPage *self = CLINIC_SIGN_IN_PAGE (object);

  g_free (self->database_path);
  g_free (self->locked_out_user);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (clinic_sign_in_page_parent_class)->finalize (object);
}

static void
clinic_sign_in_page_class_init (ClinicSignInPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  clinic_ensure_resources ();

  object_class->dispose = clinic_sign_in_page_dispose;
  object_class->finalize = clinic_sign_in_page_finalize;
  widget_class->grab_focus = clinic_sign_in_page_grab_focus;

  signals[SIGNED_IN] =
    g_signal_new ("signed-in",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, CLINIC_TYPE_SESSION);
  signals[REGISTER] =
    g_signal_new ("register",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class, "/com/example/Clinic/ui/clinic-sign-in-page.ui");
  gtk_widget_class_bind_template_child (widget_class, ClinicSignInPage, icon);
  gtk_widget_class_bind_template_child (widget_class, ClinicSignInPage, title_label);
  gtk_widget_class_bind_template_child (widget_class, ClinicSignInPage, description_label);
  gtk_widget_class_bind_template_child (widget_class, ClinicSignInPage, password_group);
  gtk_widget_class_bind_template_child (widget_class, ClinicSignInPage, user_row);
  gtk_widget_class_bind_template_child (widget_class, ClinicSignInPage, password_row);
  gtk_widget_class_bind_template_child (widget_class, ClinicSignInPage, recovery_group);
  gtk_widget_class_bind_template_child (widget_class, ClinicSignInPage, recovery_row);
  gtk_widget_class_bind_template_child (widget_class, ClinicSignInPage, error_revealer);
  gtk_widget_class_bind_template_child (widget_class, ClinicSignInPage, error_label);
  gtk_widget_class_bind_template_child (widget_class, ClinicSignInPage, sign_in_button);
  gtk_widget_class_bind_template_child (widget_class, ClinicSignInPage, spinner);
  gtk_widget_class_bind_template_child (widget_class, ClinicSignInPage, recovery_button);
  gtk_widget_class_bind_template_child (widget_class, ClinicSignInPage, password_button);
  gtk_widget_class_bind_template_child (widget_class, ClinicSignInPage, leave_kiosk_button);
  gtk_widget_class_bind_template_child (widget_class, ClinicSignInPage, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, ClinicSignInPage, register_button);
  gtk_widget_class_bind_template_child (widget_class, ClinicSignInPage, database_label);
  gtk_widget_class_bind_template_callback (widget_class, on_user_activated);
  gtk_widget_class_bind_template_callback (widget_class, on_password_activated);
  gtk_widget_class_bind_template_callback (widget_class, on_text_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_user_changed);

  gtk_widget_class_install_action (widget_class, "sign-in.submit", NULL,
                                   clinic_sign_in_page_submit);
  gtk_widget_class_install_action (widget_class, "sign-in.use-recovery-key", NULL,
                                   clinic_sign_in_page_use_recovery_key);
  gtk_widget_class_install_action (widget_class, "sign-in.use-password", NULL,
                                   clinic_sign_in_page_use_password);
  gtk_widget_class_install_action (widget_class, "sign-in.leave-kiosk", NULL,
                                   clinic_sign_in_page_leave_kiosk);
  gtk_widget_class_install_action (widget_class, "sign-in.cancel-leave-kiosk", NULL,
                                   clinic_sign_in_page_cancel_leave_kiosk);
  gtk_widget_class_install_action (widget_class, "sign-in.register", NULL,
                                   clinic_sign_in_page_register);
}

static void
clinic_sign_in_page_init (ClinicSignInPage *self)
{
  self->cancellable = g_cancellable_new ();
  gtk_widget_init_template (GTK_WIDGET (self));
  clinic_sign_in_page_update_view (self);
  clinic_sign_in_page_update_actions (self);
}
