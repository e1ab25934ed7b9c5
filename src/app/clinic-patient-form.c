/* clinic-patient-form.c — registering a patient at the front desk */

#include "config.h"

#include <glib/gi18n.h>

#include "clinic-app-utils.h"
#include "clinic-error.h"
#include "clinic-patient-form.h"
#include "clinic-patients.h"

struct _ClinicPatientForm
{
  AdwWindow      parent_instance;

  ClinicSession *session;

  GtkRevealer   *error_revealer;
  GtkLabel      *error_label;
  AdwEntryRow   *family_row;
  AdwEntryRow   *given_row;
  AdwEntryRow   *birth_row;
  AdwComboRow   *sex_row;
  AdwEntryRow   *phone_row;
  AdwEntryRow   *phone2_row;
  AdwEntryRow   *email_row;
  AdwEntryRow   *address_row;
  AdwEntryRow   *emergency_row;
  AdwEntryRow   *language_row;
  AdwEntryRow   *national_row;
  AdwEntryRow   *insurance_row;
  AdwEntryRow   *notes_row;
};

G_DEFINE_FINAL_TYPE (ClinicPatientForm, clinic_patient_form, ADW_TYPE_WINDOW)

enum { REGISTERED, N_SIGNALS };
static guint signals[N_SIGNALS];

AdwEntryRow *
clinic_patient_form_get_row (ClinicPatientForm *self,
                             const char        *field)
{
  const struct { const char *field; AdwEntryRow *row; } rows[] = {
    { "family_name", self->family_row }, { "given_names", self->given_row },
    { "birth_date", self->birth_row }, { "phone", self->phone_row }, { "phone2", self->phone2_row },
    { "email", self->email_row }, { "address", self->address_row },
    { "emergency_contact", self->emergency_row }, { "language", self->language_row },
    { "national_id", self->national_row }, { "insurance_id", self->insurance_row },
    { "notes", self->notes_row },
  };

  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    if (g_str_equal (rows[i].field, field))
      return rows[i].row;
  return NULL;
}

static char *
text_of (AdwEntryRow *row)
{
  return g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (row))));
}

static void
show_error (ClinicPatientForm *self,
            const GError      *error)
{
  gtk_label_set_text (self->error_label, error ? error->message : "");
  gtk_revealer_set_reveal_child (self->error_revealer, error != NULL);
}

static gboolean
register_anyway_in_idle (gpointer data)
{
  clinic_patient_form_register (data, TRUE);
  return G_SOURCE_REMOVE;
}

static void
on_duplicate_response (AdwMessageDialog  *dialog,
                       const char        *response,
                       ClinicPatientForm *self)
{
  /* Later: registering closes this form, the question's parent, which
   * must outlive the question's own response handling. */
  if (g_strcmp0 (response, "register") == 0)
    g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, register_anyway_in_idle, g_object_ref (self), g_object_unref);
}

gint64
clinic_patient_form_register (ClinicPatientForm *self,
                              gboolean           anyway)
{
  static const ClinicSex sexes[] = { CLINIC_SEX_UNKNOWN, CLINIC_SEX_FEMALE, CLINIC_SEX_MALE, CLINIC_SEX_OTHER };
  g_autoptr(ClinicPatient) p = clinic_patient_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *typed_birth = text_of (self->birth_row);
  guint sex = adw_combo_row_get_selected (self->sex_row);
  gint64 id;

  g_return_val_if_fail (CLINIC_IS_PATIENT_FORM (self), 0);

#define TAKE(field, row) G_STMT_START { g_free (p->field); p->field = text_of (self->row); } G_STMT_END
  TAKE (family_name, family_row);
  TAKE (given_names, given_row);
  TAKE (phone, phone_row);
  TAKE (phone2, phone2_row);
  TAKE (email, email_row);
  TAKE (address, address_row);
  TAKE (emergency_contact, emergency_row);
  TAKE (language, language_row);
  TAKE (national_id, national_row);
  TAKE (insurance_id, insurance_row);
  TAKE (notes, notes_row);
#undef TAKE
  p->sex = sex < G_N_ELEMENTS (sexes) ? sexes[sex] : CLINIC_SEX_UNKNOWN;
  /* ISO or the way dates are written here; anything else goes to the
   * core as typed, whose sentence says what is wrong with it. */
  g_free (p->birth_date);
  p->birth_date = clinic_patient_parse_date (typed_birth);
  if (p->birth_date == NULL)
    p->birth_date = g_steal_pointer (&typed_birth);

  id = clinic_patients_create (self->session, p, anyway, &error);
  if (id == 0 && g_error_matches (error, CLINIC_ERROR, CLINIC_ERROR_CONFLICT) && !anyway)
    {
      AdwMessageDialog *dialog;

      show_error (self, NULL);
      dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self), _("Already Registered?"),
                                                           error->message));
      adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), "register", _("_Register Anyway"), NULL);
      adw_message_dialog_set_default_response (dialog, "cancel");
      adw_message_dialog_set_close_response (dialog, "cancel");
      g_signal_connect_object (dialog, "response", G_CALLBACK (on_duplicate_response), self, 0);
      gtk_window_present (GTK_WINDOW (dialog));
      return 0;
    }
  show_error (self, error);
  if (id == 0)
    return 0;

  g_signal_emit (self, signals[REGISTERED], 0, id);
  gtk_window_close (GTK_WINDOW (self));
  return id;
}

static void
register_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  clinic_patient_form_register (CLINIC_PATIENT_FORM (widget), FALSE);
}

static void
clinic_patient_form_dispose (GObject *object)
{
  ClinicPatientForm *self = CLINIC_PATIENT_FORM (object);

  gtk_widget_dispose_template (GTK_WIDGET (object), CLINIC_TYPE_PATIENT_FORM);
  g_clear_object (&self->session);

  G_OBJECT_CLASS (clinic_patient_form_parent_class)->dispose (object);
}

static void
clinic_patient_form_class_init (ClinicPatientFormClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  clinic_ensure_resources ();
  object_class->dispose = clinic_patient_form_dispose;

  signals[REGISTERED] = g_signal_new ("registered", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                      0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_INT64);

  gtk_widget_class_set_template_from_resource (widget_class, "/com/example/Clinic/ui/clinic-patient-form.ui");
  gtk_widget_class_bind_template_child (widget_class, ClinicPatientForm, error_revealer);
  gtk_widget_class_bind_template_child (widget_class, ClinicPatientForm, error_label);
  gtk_widget_class_bind_template_child (widget_class, ClinicPatientForm, family_row);
  gtk_widget_class_bind_template_child (widget_class, ClinicPatientForm, given_row);
  gtk_widget_class_bind_template_child (widget_class, ClinicPatientForm, birth_row);
  gtk_widget_class_bind_template_child (widget_class, ClinicPatientForm, sex_row);
  gtk_widget_class_bind_template_child (widget_class, ClinicPatientForm, phone_row);
  gtk_widget_class_bind_template_child (widget_class, ClinicPatientForm, phone2_row);
  gtk_widget_class_bind_template_child (widget_class, ClinicPatientForm, email_row);
  gtk_widget_class_bind_template_child (widget_class, ClinicPatientForm, address_row);
  gtk_widget_class_bind_template_child (widget_class, ClinicPatientForm, emergency_row);
  gtk_widget_class_bind_template_child (widget_class, ClinicPatientForm, language_row);
  gtk_widget_class_bind_template_child (widget_class, ClinicPatientForm, national_row);
  gtk_widget_class_bind_template_child (widget_class, ClinicPatientForm, insurance_row);
  gtk_widget_class_bind_template_child (widget_class, ClinicPatientForm, notes_row);

  gtk_widget_class_install_action (widget_class, "form.register", NULL, register_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Return, GDK_CONTROL_MASK, "form.register", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
clinic_patient_form_init (ClinicPatientForm *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

ClinicPatientForm *
clinic_patient_form_new (GtkWindow     *parent,
                         ClinicSession *session)
{
  ClinicPatientForm *self = g_object_new (CLINIC_TYPE_PATIENT_FORM,
                                          "transient-for", parent, NULL);

  self->session = g_object_ref (session);
  gtk_widget_grab_focus (GTK_WIDGET (self->family_row));
  return self;
}
