/* clinic-kiosk.c — the patient kiosk, as a right held by the window */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "clinic-audit-private.h"
#include "clinic-db-private.h"
#include "clinic-kiosk.h"
#include "clinic-settings.h"

struct _ClinicKiosk
{
  GObject    parent_instance;

  ClinicDb  *db;
  gboolean   active;
};

G_DEFINE_FINAL_TYPE (ClinicKiosk, clinic_kiosk, G_TYPE_OBJECT)

ClinicKiosk *
clinic_kiosk_start (ClinicSession  *session,
                    GError        **error)
{
  g_autoptr(ClinicKiosk) self = NULL;
  ClinicDb *db;

  if (!clinic_session_require_staff (session, CLINIC_PERMISSION_KIOSK_START, error))
    return NULL;

  db = clinic_session_get_db (session);
  if (!clinic_audit_record (db, session, NULL, "kiosk.started", "user",
                            clinic_session_get_user_name (session), 0, NULL, NULL, error))
    return NULL;

  self = g_object_new (CLINIC_TYPE_KIOSK, NULL);
  self->db = g_object_ref (db);
  self->active = TRUE;
  return g_steal_pointer (&self);
}

void
clinic_kiosk_stop (ClinicKiosk *self)
{
  g_return_if_fail (CLINIC_IS_KIOSK (self));

  self->active = FALSE;
}

gboolean
clinic_kiosk_is_active (ClinicKiosk *self)
{
  g_return_val_if_fail (CLINIC_IS_KIOSK (self), FALSE);

  return self->active;
}

ClinicDb *
clinic_kiosk_get_db (ClinicKiosk *self)
{
  g_return_val_if_fail (CLINIC_IS_KIOSK (self), NULL);

  return self->db;
}

gboolean
clinic_kiosk_can_register (ClinicKiosk *self)
{
  g_return_val_if_fail (CLINIC_IS_KIOSK (self), FALSE);

  return self->active &&
         clinic_settings_get_boolean (clinic_settings_get_for_db (self->db),
                                      "registration.self-service");
}

static void
clinic_kiosk_dispose (GObject *object)
{
  ClinicKiosk *self = CLINIC_KIOSK (object);

  g_clear_object (&self->db);

  G_OBJECT_CLASS (clinic_kiosk_parent_class)->dispose (object);
}

static void
clinic_kiosk_class_init (ClinicKioskClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = clinic_kiosk_dispose;
}

static void
clinic_kiosk_init (ClinicKiosk *self)
{
}
