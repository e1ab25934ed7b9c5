/* clinic-profile-section.c — a patient's own record, at the kiosk */

#include "config.h"

#include <glib/gi18n.h>

#include "clinic-app-utils.h"
#include "clinic-patients.h"
#include "clinic-profile-section.h"

struct _ClinicProfileSection
{
  ClinicSection  parent_instance;

  AdwActionRow  *name_row;
  AdwActionRow  *birth_row;
  AdwActionRow  *chart_row;
  AdwEntryRow   *phone_row;
  AdwEntryRow   *phone2_row;
  AdwEntryRow   *email_row;
  AdwEntryRow   *address_row;
  AdwEntryRow   *emergency_row;
  AdwEntryRow   *language_row;
  GtkLabel      *error_label;

  ClinicPatient *patient;
};

G_DEFINE_FINAL_TYPE (ClinicProfileSection, clinic_profile_section, CLINIC_TYPE_SECTION)

typedef struct
{
  const char *field;
  gsize       row_offset;
  gsize       value_offset;
} ContactField;

static const ContactField contact_fields[] = {
  { "phone", G_STRUCT_OFFSET (ClinicProfileSection, phone_row), G_STRUCT_OFFSET (ClinicPatient, phone) },
  { "phone2", G_STRUCT_OFFSET (ClinicProfileSection, phone2_row), G_STRUCT_OFFSET (ClinicPatient, phone2) },
  { "email", G_STRUCT_OFFSET (ClinicProfileSection, email_row), G_STRUCT_OFFSET (ClinicPatient, email) },
  { "address", G_STRUCT_OFFSET (ClinicProfileSection, address_row), G_STRUCT_OFFSET (ClinicPatient, address) },
  { "emergency_contact", G_STRUCT_OFFSET (ClinicProfileSection, emergency_row),
    G_STRUCT_OFFSET (ClinicPatient, emergency_contact) },
  { "language", G_STRUCT_OFFSET (ClinicProfileSection, language_row), G_STRUCT_OFFSET (ClinicPatient, language) },
};

#define ROW_OF(self, f)    (*(AdwEntryRow **) G_STRUCT_MEMBER_P ((self), (f)->row_offset))
#define VALUE_OF(p, f)     (*(char **) G_STRUCT_MEMBER_P ((p), (f)->value_offset))

AdwEntryRow *
clinic_profile_section_get_row (ClinicProfileSection *self,
                                const char           *field)
{
  for (guint i = 0; i < G_N_ELEMENTS (contact_fields); i++)
    if (g_str_equal (contact_fields[i].field, field))
      return ROW_OF (self, &contact_fields[i]);
  return NULL;
}

static void
show (ClinicProfileSection *self)
{
  ClinicPatient *p = self->patient;
  g_autofree char *name = g_strdup_printf (_("%s, %s"), p->family_name, p->given_names);

  adw_action_row_set_subtitle (self->name_row, name);
  adw_action_row_set_subtitle (self->birth_row, p->birth_date);
  adw_action_row_set_subtitle (self->chart_row, p->chart_number);
  for (guint i = 0; i < G_N_ELEMENTS (contact_fields); i++)
    gtk_editable_set_text (GTK_EDITABLE (ROW_OF (self, &contact_fields[i])), VALUE_OF (p, &contact_fields[i]));
}

static void
show_error (ClinicProfileSection *self,
            const GError         *error)
{
  gtk_label_set_text (self->error_label, error ? error->message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), error != NULL);
}

gboolean
clinic_profile_section_save (ClinicProfileSection *self)
{
  g_autoptr(ClinicPatient) changed = NULL;
  g_autoptr(GError) error = NULL;

  g_return_val_if_fail (CLINIC_IS_PROFILE_SECTION (self), FALSE);

  if (self->patient == NULL)
    return FALSE;
  changed = clinic_patient_copy (self->patient);
  for (guint i = 0; i < G_N_ELEMENTS (contact_fields); i++)
    {
      char **value = &VALUE_OF (changed, &contact_fields[i]);

      g_free (*value);
      *value = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (ROW_OF (self, &contact_fields[i])))));
    }
  if (!clinic_patients_update (clinic_section_get_session (CLINIC_SECTION (self)), changed, &error))
    {
      show_error (self, error);
      return FALSE;
    }
  show_error (self, NULL);
  clinic_patient_free (self->patient);
  self->patient = g_steal_pointer (&changed);
  return TRUE;
}

static void
save_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  clinic_profile_section_save (CLINIC_PROFILE_SECTION (widget));
}

static void
clinic_profile_section_session_set (ClinicSection *section)
{
  ClinicProfileSection *self = CLINIC_PROFILE_SECTION (section);
  ClinicSession *session = clinic_section_get_session (section);
  gint64 id = clinic_session_get_patient_id (session);
  g_autoptr(GError) error = NULL;

  if (id != 0)
    self->patient = clinic_patients_get (session, id, &error);
  if (error != NULL)
    g_debug ("Could not read the patient's own record: %s", error->message);
  /* The template's root child, not bound: AdwBin disposes it itself. */
  gtk_stack_set_visible_child_name (GTK_STACK (adw_bin_get_child (ADW_BIN (self))),
                                    self->patient != NULL ? "profile" : "unlinked");
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "profile.save", self->patient != NULL);
  if (self->patient != NULL)
    show (self);
}

static void
clinic_profile_section_dispose (GObject *object)
{
  ClinicProfileSection *self = CLINIC_PROFILE_SECTION (object);

  gtk_widget_dispose_template (GTK_WIDGET (object), CLINIC_TYPE_PROFILE_SECTION);
  g_clear_pointer (&self->patient, clinic_patient_free);

  G_OBJECT_CLASS (clinic_profile_section_parent_class)->dispose (object);
}

static void
clinic_profile_section_class_init (ClinicProfileSectionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  clinic_ensure_resources ();

  object_class->dispose = clinic_profile_section_dispose;
  CLINIC_SECTION_CLASS (klass)->session_set = clinic_profile_section_session_set;

  gtk_widget_class_set_template_from_resource (widget_class, "/com/example/Clinic/ui/clinic-profile-section.ui");
  gtk_widget_class_bind_template_child (widget_class, ClinicProfileSection, name_row);
  gtk_widget_class_bind_template_child (widget_class, ClinicProfileSection, birth_row);
  gtk_widget_class_bind_template_child (widget_class, ClinicProfileSection, chart_row);
  gtk_widget_class_bind_template_child (widget_class, ClinicProfileSection, phone_row);
  gtk_widget_class_bind_template_child (widget_class, ClinicProfileSection, phone2_row);
  gtk_widget_class_bind_template_child (widget_class, ClinicProfileSection, email_row);
  gtk_widget_class_bind_template_child (widget_class, ClinicProfileSection, address_row);
  gtk_widget_class_bind_template_child (widget_class, ClinicProfileSection, emergency_row);
  gtk_widget_class_bind_template_child (widget_class, ClinicProfileSection, language_row);
  gtk_widget_class_bind_template_child (widget_class, ClinicProfileSection, error_label);

  gtk_widget_class_install_action (widget_class, "profile.save", NULL, save_action);
}

static void
clinic_profile_section_init (ClinicProfileSection *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}
