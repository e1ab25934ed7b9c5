/* clinic-storage.c — the whole-database operations, as a user asks for them */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "clinic-audit-private.h"
#include "clinic-db-private.h"
#include "clinic-storage.h"

gboolean
clinic_storage_backup (ClinicSession  *session,
                       const char     *file,
                       GCancellable   *cancellable,
                       GError        **error)
{
  ClinicDb *db;
  g_autofree char *base = NULL;

  if (!clinic_session_require_staff (session, CLINIC_PERMISSION_BACKUPS, error))
    return FALSE;

  db = clinic_session_get_db (session);
  if (!clinic_db_backup (db, file, cancellable, error))
    return FALSE;

  base = g_path_get_basename (file);
  return clinic_audit_record (db, session, NULL, "backup.made", "backup", base, 0, NULL, file,
                              error);
}

gboolean
clinic_storage_verify (ClinicSession  *session,
                       char          **report,
                       GError        **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GString) text = g_string_new (NULL);
  g_autofree char *pages_report = NULL;
  g_autofree char *chain_report = NULL;
  ClinicDb *db;
  gboolean ok;

  if (!clinic_session_require_staff (session, CLINIC_PERMISSION_BACKUPS, error))
    return FALSE;

  db = clinic_session_get_db (session);
  ok = clinic_db_verify (db, &pages_report, &local_error);
  if (pages_report != NULL)
    g_string_append (text, pages_report);

  if (ok && clinic_session_has_permission (session, CLINIC_PERMISSION_AUDIT))
    {
      ok = clinic_audit_verify (session, NULL, &chain_report, &local_error);
      if (chain_report != NULL)
        g_string_append_printf (text, _("audit trail: %s\n"), chain_report);
    }

  /* The result is recorded whatever it is; a failure to record it must
   * not hide what the check found. */
  if (!clinic_audit_record (db, session, NULL, "database.verified", "database", NULL, 0, NULL,
                            ok ? "ok" : local_error->message, NULL))
    g_warning ("The check of the database could not be audited");

  if (report != NULL)
    *report = g_strdup (text->str);

  if (!ok)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  return TRUE;
}

gboolean
clinic_storage_rekey (ClinicSession  *session,
                      char          **recovery_key,
                      GError        **error)
{
  ClinicDb *db;

  if (!clinic_session_require_staff (session, CLINIC_PERMISSION_BACKUPS, error))
    return FALSE;

  db = clinic_session_get_db (session);
  if (!clinic_db_rekey (db, recovery_key, error))
    return FALSE;

  return clinic_audit_record (db, session, NULL, "database.rekeyed", "database", NULL, 0, NULL,
                              NULL, error);
}
