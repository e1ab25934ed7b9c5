/* clinic-registration-form.c — a new patient registers at the kiosk
 *
 * The form asks only what the kiosk may take (names, date of birth, phone,
 * email, a user name and a password); everything else is the front
 * desk's. Mistakes are shown under the form and the field at fault is
 * marked, so nobody at the kiosk meets a dialog. The core decides the
 * rules (clinic_patients_self_register); the checks here only catch what
 * a person would want to hear before anything is sent (an empty name, a
 * date that cannot be read, two passwords that differ).
 *
 * After a registration the form shows what happens next and nothing of
 * what was typed; the window drops it when the patient presses Done.
 */

#include "config.h"

#include <glib/gi18n.h>

#include "clinic-app-utils.h"
#include "clinic-registration.h"
#include "clinic-registration-form.h"

struct _ClinicRegistrationForm
{
  AdwBin        parent_instance;

  ClinicKiosk  *kiosk;
  gboolean      done;

  /* Template widgets */
  GtkStack     *stack;
  AdwEntryRow  *family_row;
  AdwEntryRow  *given_row;
  AdwEntryRow  *birth_row;
  AdwEntryRow  *phone_row;
  AdwEntryRow  *email_row;
  AdwEntryRow  *user_row;
  AdwEntryRow  *password_row;
  AdwEntryRow  *confirm_row;
  GtkRevealer  *error_revealer;
  GtkLabel     *error_label;
  GtkLabel     *done_label;
  GtkWidget    *done_button;

  /* The fields in the order a person fills them in. */
  AdwEntryRow  *rows[8];
};

G_DEFINE_FINAL_TYPE (ClinicRegistrationForm, clinic_registration_form, ADW_TYPE_BIN)

enum {
  FINISHED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static char *
row_text (AdwEntryRow *row)
{
  return g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (row))));
}

/* Shows @message under the form (NULL: none) and marks @row, if any, as
 * the field to fix, with the focus in it. */
static void
show_error (ClinicRegistrationForm *self,
            const char             *message,
            AdwEntryRow            *row)
{
  for (guint i = 0; i < G_N_ELEMENTS (self->rows); i++)
    gtk_widget_remove_css_class (GTK_WIDGET (self->rows[i]), "error");

  gtk_label_set_text (self->error_label, message != NULL ? message : "");
  gtk_revealer_set_reveal_child (self->error_revealer, message != NULL);

  if (row != NULL)
    {
      gtk_widget_add_css_class (GTK_WIDGET (row), "error");
      gtk_widget_grab_focus (GTK_WIDGET (row));
    }
}

const char *
clinic_registration_form_get_error (ClinicRegistrationForm *self)
{
  g_return_val_if_fail (CLINIC_IS_REGISTRATION_FORM (self), NULL);

  if (!gtk_revealer_get_reveal_child (self->error_revealer))
    return NULL;
  return gtk_label_get_text (self->error_label);
}

gboolean
clinic_registration_form_get_done (ClinicRegistrationForm *self)
{
  g_return_val_if_fail (CLINIC_IS_REGISTRATION_FORM (self), FALSE);

  return self->done;
}

static void
clear_secrets (ClinicRegistrationForm *self)
{
  gtk_editable_set_text (GTK_EDITABLE (self->password_row), "");
  gtk_editable_set_text (GTK_EDITABLE (self->confirm_row), "");
}

static void
show_done (ClinicRegistrationForm  *self,
           ClinicRegistrationState  state)
{
  /* Nothing typed stays behind the thank-you page. */
  for (guint i = 0; i < G_N_ELEMENTS (self->rows); i++)
    gtk_editable_set_text (GTK_EDITABLE (self->rows[i]), "");

  gtk_label_set_text (self->done_label,
                      state == CLINIC_REGISTRATION_PENDING
                      ? _("Your registration is waiting for confirmation at the front desk. Please let them know you have registered; once they have confirmed it, you can sign in here with your user name and password.")
                      : _("You can sign in now with your user name and password."));
  self->done = TRUE;
  gtk_stack_set_visible_child_name (self->stack, "done");
  gtk_widget_grab_focus (self->done_button);
}

static void
clinic_registration_form_submit (GtkWidget  *widget,
                                 const char *action_name,
                                 GVariant   *parameter)
{
  ClinicRegistrationForm *self = CLINIC_REGISTRATION_FORM (widget);
  g_autoptr(ClinicPatient) patient = clinic_patient_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *birth_text = row_text (self->birth_row);
  g_autofree char *user = row_text (self->user_row);
  const char *password = gtk_editable_get_text (GTK_EDITABLE (self->password_row));
  const char *confirm = gtk_editable_get_text (GTK_EDITABLE (self->confirm_row));
  ClinicRegistrationState state = CLINIC_REGISTRATION_PENDING;

  if (self->done)
    return;

  g_free (patient->family_name);
  patient->family_name = row_text (self->family_row);
  g_free (patient->given_names);
  patient->given_names = row_text (self->given_row);
  g_free (patient->phone);
  patient->phone = row_text (self->phone_row);
  g_free (patient->email);
  patient->email = row_text (self->email_row);

  if (patient->family_name[0] == '\0')
    {
      show_error (self, _("Please enter your family name."), self->family_row);
      return;
    }
  if (patient->given_names[0] == '\0')
    {
      show_error (self, _("Please enter your given names."), self->given_row);
      return;
    }
  g_free (patient->birth_date);
  patient->birth_date = clinic_patient_parse_date (birth_text);
  if (patient->birth_date == NULL)
    {
      patient->birth_date = g_strdup ("");
      show_error (self, _("Please enter your date of birth, for example 1984-03-12."), self->birth_row);
      return;
    }
  if (user[0] == '\0')
    {
      show_error (self, _("Please choose a user name."), self->user_row);
      return;
    }
  if (password[0] == '\0')
    {
      show_error (self, _("Please choose a password."), self->password_row);
      return;
    }
  if (g_strcmp0 (password, confirm) != 0)
    {
      gtk_editable_set_text (GTK_EDITABLE (self->confirm_row), "");
      show_error (self, _("The two passwords are not the same. Please type the password again."),
                  self->confirm_row);
      return;
    }

  if (!clinic_patients_self_register (self->kiosk, patient, user, password, NULL, &state, &error))
    {
      AdwEntryRow *row = NULL;

      /* The core says which rule was broken; the field is ours to find. */
      if (g_error_matches (error, CLINIC_ERROR, CLINIC_ERROR_CONFLICT))
        row = self->user_row;
      else if (g_error_matches (error, CLINIC_ERROR, CLINIC_ERROR_INVALID) &&
               !clinic_patient_validate (patient, NULL))
        row = self->family_row;
      else if (g_error_matches (error, CLINIC_ERROR, CLINIC_ERROR_INVALID))
        {
          clear_secrets (self);
          row = self->password_row;
        }
      show_error (self, error->message, row);
      return;
    }

  show_error (self, NULL, NULL);
  show_done (self, state);
}

static void
clinic_registration_form_cancel (GtkWidget  *widget,
                                 const char *action_name,
                                 GVariant   *parameter)
{
  g_signal_emit (widget, signals[FINISHED], 0);
}

static void
on_changed (ClinicRegistrationForm *self,
            GtkEditable            *row)
{
  gtk_widget_remove_css_class (GTK_WIDGET (row), "error");
}

/* Enter moves on to the next field, as on a paper form. */
static void
on_entry_activated (ClinicRegistrationForm *self,
                    AdwEntryRow            *row)
{
  for (guint i = 0; i + 1 < G_N_ELEMENTS (self->rows); i++)
    if (self->rows[i] == row)
      {
        gtk_widget_grab_focus (GTK_WIDGET (self->rows[i + 1]));
        return;
      }
}

static void
on_confirm_activated (ClinicRegistrationForm *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "registration.submit", NULL);
}

static gboolean
clinic_registration_form_grab_focus (GtkWidget *widget)
{
  ClinicRegistrationForm *self = CLINIC_REGISTRATION_FORM (widget);

  if (self->done)
    return gtk_widget_grab_focus (self->done_button);
  return gtk_widget_grab_focus (GTK_WIDGET (self->family_row));
}

static void
clinic_registration_form_dispose (GObject *object)
{
  ClinicRegistrationForm *self = CLINIC_REGISTRATION_FORM (object);

  g_clear_object (&self->kiosk);
  gtk_widget_dispose_template (GTK_WIDGET (object), CLINIC_TYPE_REGISTRATION_FORM);

  G_OBJECT_CLASS (clinic_registration_form_parent_class)->dispose (object);
}

static void
clinic_registration_form_class_init (ClinicRegistrationFormClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  clinic_ensure_resources ();

  object_class->dispose = clinic_registration_form_dispose;
  widget_class->grab_focus = clinic_registration_form_grab_focus;

  signals[FINISHED] =
    g_signal_new ("finished",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class, "/com/example/Clinic/ui/clinic-registration-form.ui");
  gtk_widget_class_bind_template_child (widget_class, ClinicRegistrationForm, stack);
  gtk_widget_class_bind_template_child (widget_class, ClinicRegistrationForm, family_row);
  gtk_widget_class_bind_template_child (widget_class, ClinicRegistrationForm, given_row);
  gtk_widget_class_bind_template_child (widget_class, ClinicRegistrationForm, birth_row);
  gtk_widget_class_bind_template_child (widget_class, ClinicRegistrationForm, phone_row);
  gtk_widget_class_bind_template_child (widget_class, ClinicRegistrationForm, email_row);
  gtk_widget_class_bind_template_child (widget_class, ClinicRegistrationForm, user_row);
  gtk_widget_class_bind_template_child (widget_class, ClinicRegistrationForm, password_row);
  gtk_widget_class_bind_template_child (widget_class, ClinicRegistrationForm, confirm_row);
  gtk_widget_class_bind_template_child (widget_class, ClinicRegistrationForm, error_revealer);
  gtk_widget_class_bind_template_child (widget_class, ClinicRegistrationForm, error_label);
  gtk_widget_class_bind_template_child (widget_class, ClinicRegistrationForm, done_label);
  gtk_widget_class_bind_template_child (widget_class, ClinicRegistrationForm, done_button);
  gtk_widget_class_bind_template_callback (widget_class, on_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_entry_activated);
  gtk_widget_class_bind_template_callback (widget_class, on_confirm_activated);

  gtk_widget_class_install_action (widget_class, "registration.submit", NULL,
                                   clinic_registration_form_submit);
  gtk_widget_class_install_action (widget_class, "registration.cancel", NULL,
                                   clinic_registration_form_cancel);
}

static void
clinic_registration_form_init (ClinicRegistrationForm *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->rows[0] = self->family_row;
  self->rows[1] = self->given_row;
  self->rows[2] = self->birth_row;
  self->rows[3] = self->phone_row;
  self->rows[4] = self->email_row;
  self->rows[5] = self->user_row;
  self->rows[6] = self->password_row;
  self->rows[7] = self->confirm_row;
}

GtkWidget *
clinic_registration_form_new (ClinicKiosk *kiosk)
{
  ClinicRegistrationForm *self;

  g_return_val_if_fail (CLINIC_IS_KIOSK (kiosk), NULL);

  self = g_object_new (CLINIC_TYPE_REGISTRATION_FORM, NULL);
  self->kiosk = g_object_ref (kiosk);
  return GTK_WIDGET (self);
}
