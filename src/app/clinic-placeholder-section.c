/* clinic-placeholder-section.c — a section whose feature comes later */

#include "config.h"

#include "clinic-app-utils.h"
#include "clinic-placeholder-section.h"

struct _ClinicPlaceholderSection
{
  ClinicSection  parent_instance;

  /* The bin's child, not bound: gtk_widget_dispose_template() would
   * unparent it behind AdwBin's back. */
  AdwStatusPage *status_page;
};

G_DEFINE_FINAL_TYPE (ClinicPlaceholderSection, clinic_placeholder_section, CLINIC_TYPE_SECTION)

GtkWidget *
clinic_placeholder_section_new (ClinicSession *session,
                                const char    *title,
                                const char    *icon_name,
                                const char    *description)
{
  ClinicPlaceholderSection *self;

  self = g_object_new (CLINIC_TYPE_PLACEHOLDER_SECTION, "session", session, NULL);
  adw_status_page_set_title (self->status_page, title);
  adw_status_page_set_icon_name (self->status_page, icon_name);
  adw_status_page_set_description (self->status_page, description);

  return GTK_WIDGET (self);
}

static void
clinic_placeholder_section_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), CLINIC_TYPE_PLACEHOLDER_SECTION);

  G_OBJECT_CLASS (clinic_placeholder_section_parent_class)->dispose (object);
}

static void
clinic_placeholder_section_class_init (ClinicPlaceholderSectionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  clinic_ensure_resources ();

  object_class->dispose = clinic_placeholder_section_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, "/com/example/Clinic/ui/clinic-placeholder-section.ui");
}

static void
clinic_placeholder_section_init (ClinicPlaceholderSection *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->status_page = ADW_STATUS_PAGE (adw_bin_get_child (ADW_BIN (self)));
}
