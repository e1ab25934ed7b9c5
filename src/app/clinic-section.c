/* clinic-section.c — what every section of the shell has in common */

#include "config.h"

#include "clinic-section.h"

typedef struct
{
  ClinicSession *session;
} ClinicSectionPrivate;

enum
{
  PROP_0,
  PROP_SESSION,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_TYPE_WITH_PRIVATE (ClinicSection, clinic_section, ADW_TYPE_BIN)

ClinicSession *
clinic_section_get_session (ClinicSection *self)
{
  ClinicSectionPrivate *priv = clinic_section_get_instance_private (self);

  g_return_val_if_fail (CLINIC_IS_SECTION (self), NULL);

  return priv->session;
}

void
clinic_section_show_error (GtkRevealer  *revealer,
                           GtkLabel     *label,
                           const GError *error)
{
  if (error != NULL)
    gtk_label_set_text (label, error->message);
  gtk_revealer_set_reveal_child (revealer, error != NULL);
}

static void
clinic_section_constructed (GObject *object)
{
  ClinicSection *self = CLINIC_SECTION (object);
  ClinicSectionPrivate *priv = clinic_section_get_instance_private (self);

  G_OBJECT_CLASS (clinic_section_parent_class)->constructed (object);

  if (priv->session != NULL && CLINIC_SECTION_GET_CLASS (self)->session_set != NULL)
    CLINIC_SECTION_GET_CLASS (self)->session_set (self);
}

static void
clinic_section_dispose (GObject *object)
{
  ClinicSection *self = CLINIC_SECTION (object);
  ClinicSectionPrivate *priv = clinic_section_get_instance_private (self);

  g_clear_object (&priv->session);

  G_OBJECT_CLASS (clinic_section_parent_class)->dispose (object);
}

static void
clinic_section_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  ClinicSection *self = CLINIC_SECTION (object);
  ClinicSectionPrivate *priv = clinic_section_get_instance_private (self);

  switch (prop_id)
    {
    case PROP_SESSION:
      g_value_set_object (value, priv->session);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
clinic_section_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  ClinicSection *self = CLINIC_SECTION (object);
  ClinicSectionPrivate *priv = clinic_section_get_instance_private (self);

  switch (prop_id)
    {
    case PROP_SESSION:
      priv->session = g_value_dup_object (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
clinic_section_class_init (ClinicSectionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = clinic_section_constructed;
  object_class->dispose = clinic_section_dispose;
  object_class->get_property = clinic_section_get_property;
  object_class->set_property = clinic_section_set_property;

  properties[PROP_SESSION] =
    g_param_spec_object ("session", NULL, NULL,
                         CLINIC_TYPE_SESSION,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
clinic_section_init (ClinicSection *self)
{
}
