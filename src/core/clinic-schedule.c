/* clinic-schedule.c — providers, working hours, exceptions, visit types,
 * availability, and the clinic's time zone */

#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>
#include <sqlite3.h>

#include "clinic-audit-private.h"
#include "clinic-db-private.h"
#include "clinic-error.h"
#include "clinic-schedule-private.h"
#include "clinic-settings.h"

/* --- Time -------------------------------------------------------------- */

GTimeZone *
clinic_schedule_get_timezone (ClinicDb *db)
{
  g_autofree char *id = clinic_settings_get (clinic_settings_get_for_db (db), "clinic.timezone");
  GTimeZone *tz = NULL;

  if (id != NULL && *id != '\0')
    tz = g_time_zone_new_identifier (id);
  return tz != NULL ? tz : g_time_zone_new_local ();
}

/* The UTC offset (seconds) in effect at @instant. */
static gint32
offset_at (GTimeZone *tz,
           gint64     instant)
{
  return g_time_zone_get_offset (tz, g_time_zone_find_interval (tz, G_TIME_TYPE_UNIVERSAL, instant));
}

gint64
clinic_local_to_unix (GTimeZone *tz,
                      int        y,
                      int        m,
                      int        d,
                      int        minute)
{
  g_autoptr(GDateTime) wall = g_date_time_new_utc (y, m, d, 0, 0, 0);
  gint64 naive = g_date_time_to_unix (wall) + (gint64) minute * 60;
  gint32 before = offset_at (tz, naive - 2 * 86400);
  gint32 after = offset_at (tz, naive + 2 * 86400);
  gint32 offsets[2] = { MAX (before, after), MIN (before, after) };
  gint64 best = G_MAXINT64;

  /* The wall time at each offset in force near the day; the earlier
   * instant that really shows that wall time wins (a time that happens
   * twice takes its first). Around a larger offset the instant is earlier,
   * so it is tried first. */
  for (int i = 0; i < 2; i++)
    {
      gint64 candidate = naive - offsets[i];

      if (offset_at (tz, candidate) == offsets[i] && candidate < best)
        best = candidate;
    }
  if (best != G_MAXINT64)
    return best;

  /* In a gap (spring forward): the offset before the change, which lands
   * the same distance after the change as the wall time was after it. */
  return naive - MIN (before, after);
}

gboolean
clinic_parse_local_time (GTimeZone   *tz,
                         const char  *text,
                         gint64      *unix_time,
                         GError     **error)
{
  unsigned y, mo, d, h, mi;
  char sep, tail;
  g_autofree char *trimmed = g_strstrip (g_strdup (text != NULL ? text : ""));

  if (sscanf (trimmed, "%4u-%2u-%2u%c%2u:%2u%c", &y, &mo, &d, &sep, &h, &mi, &tail) != 6
      || (sep != ' ' && sep != 'T') || strlen (trimmed) != 16
      || !g_date_valid_dmy (d, mo, y) || h > 23 || mi > 59)
    {
      g_set_error (error, CLINIC_ERROR, CLINIC_ERROR_INVALID,
                   _("“%s” is not a date and time. Write it as YYYY-MM-DD HH:MM, for example 2026-03-14 09:30."),
                   trimmed);
      return FALSE;
    }
  *unix_time = clinic_local_to_unix (tz, y, mo, d, h * 60 + mi);
  return TRUE;
}

char *
clinic_format_local_time (GTimeZone *tz,
                          gint64     unix_time)
{
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (unix_time);
  g_autoptr(GDateTime) local = utc != NULL ? g_date_time_to_timezone (utc, tz) : NULL;

  return local != NULL ? g_date_time_format (local, "%Y-%m-%d %H:%M") : g_strdup ("");
}

/* --- Helpers ------------------------------------------------------------- */

static gint64
now_seconds (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

/* Any schedule permission: the front desk, doctors, patients. */
gboolean
clinic_schedule_require_read (ClinicSession  *session,
                              GError        **error)
{
  if (clinic_session_has_permission (session, CLINIC_PERMISSION_SCHEDULE_ALL))
    return clinic_session_require (session, CLINIC_PERMISSION_SCHEDULE_ALL, error);
  return clinic_session_require (session, CLINIC_PERMISSION_SCHEDULE_OWN, error);
}

/* Working hours and exceptions are the staff's business. */
gboolean
clinic_schedule_require_staff_read (ClinicSession  *session,
                                    GError        **error)
{
  if (clinic_session_get_kind (session) == CLINIC_USER_PATIENT)
    {
      g_set_error_literal (error, CLINIC_ERROR, CLINIC_ERROR_PERMISSION_DENIED,
                           _("The doctors’ working hours are for the clinic’s staff."));
      return FALSE;
    }
  return TRUE;
}

/* May the session change @provider_id's schedule? SCHEDULE_ALL, or
 * SCHEDULE_OWN for one's own. */
gboolean
clinic_schedule_require_provider (ClinicSession  *session,
                                  gint64          provider_id,
                                  GError        **error)
{
  if (clinic_session_has_permission (session, CLINIC_PERMISSION_SCHEDULE_ALL))
    return clinic_session_require_staff (session, CLINIC_PERMISSION_SCHEDULE_ALL, error);
  if (!clinic_session_require_staff (session, CLINIC_PERMISSION_SCHEDULE_OWN, error))
    return FALSE;
  if (provider_id != clinic_session_get_user_id (session))
    {
      g_set_error_literal (error, CLINIC_ERROR, CLINIC_ERROR_PERMISSION_DENIED,
                           _("You can change your own schedule only."));
      return FALSE;
    }
  return TRUE;
}

gboolean
clinic_schedule_check_provider (ClinicDb  *db,
                                gint64     provider_id,
                                GError   **error)
{
  sqlite3_stmt *stmt = clinic_db_prepare (db, "SELECT active FROM providers WHERE user_id = ?1", error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, provider_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW && sqlite3_column_int (stmt, 0) == 1)
    {
      sqlite3_reset (stmt);
      return TRUE;
    }
  sqlite3_reset (stmt);
  if (rc == SQLITE_ROW || rc == SQLITE_DONE)
    g_set_error_literal (error, CLINIC_ERROR, CLINIC_ERROR_NOT_FOUND,
                         _("There is no such doctor taking appointments."));
  else
    clinic_db_set_error (db, rc, error);
  return FALSE;
}

/* --- Providers ------------------------------------------------------------- */

void
clinic_provider_free (ClinicProvider *provider)
{
  if (provider == NULL)
    return;
  g_free (provider->user_name);
  g_free (provider->display_name);
  g_free (provider);
}

static gpointer
provider_from_row (sqlite3_stmt *stmt)
{
  ClinicProvider *p = g_new0 (ClinicProvider, 1);

  p->user_id = sqlite3_column_int64 (stmt, 0);
  p->user_name = clinic_db_column_text (stmt, 1);
  p->display_name = clinic_db_column_text (stmt, 2);
  p->active = sqlite3_column_int (stmt, 3) != 0;
  return p;
}

GPtrArray *
clinic_providers_list (ClinicSession  *session,
                       gboolean        include_inactive,
                       GError        **error)
{
  g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func ((GDestroyNotify) clinic_provider_free);
  sqlite3_stmt *stmt;
  ClinicDb *db;

  if (!clinic_schedule_require_read (session, error))
    return NULL;
  db = clinic_session_get_db (session);
  stmt = clinic_db_prepare (db,
                            "SELECT u.id, u.name, u.display_name, p.active AND NOT u.disabled"
                            " FROM providers p JOIN users u ON u.id = p.user_id"
                            " WHERE ?1 OR (p.active AND NOT u.disabled)"
                            " ORDER BY u.display_name COLLATE NOCASE, u.id",
                            error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int (stmt, 1, include_inactive ? 1 : 0);
  if (!clinic_db_collect (db, stmt, list, provider_from_row, error))
    return NULL;
  return g_steal_pointer (&list);
}

gboolean
clinic_providers_set (ClinicSession  *session,
                      gint64          user_id,
                      gboolean        active,
                      GError        **error)
{
  sqlite3_stmt *stmt;
  ClinicDb *db;
  int rc;

  if (!clinic_session_require_staff (session, CLINIC_PERMISSION_USERS, error))
    return FALSE;
  db = clinic_session_get_db (session);
  if (!clinic_db_begin_write (db, error))
    return FALSE;

  stmt = clinic_db_prepare (db, "SELECT kind FROM users WHERE id = ?1", error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_int64 (stmt, 1, user_id);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW || g_strcmp0 ((const char *) sqlite3_column_text (stmt, 0), "staff") != 0)
    {
      sqlite3_reset (stmt);
      if (rc == SQLITE_ROW || rc == SQLITE_DONE)
        g_set_error_literal (error, CLINIC_ERROR, CLINIC_ERROR_INVALID,
                             _("Only a staff account can take appointments."));
      else
        clinic_db_set_error (db, rc, error);
      goto fail;
    }
  sqlite3_reset (stmt);

  stmt = clinic_db_prepare (db,
                            "INSERT INTO providers (user_id, active, created_at) VALUES (?1, ?2, ?3)"
                            " ON CONFLICT (user_id) DO UPDATE SET active = excluded.active",
                            error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_int64 (stmt, 1, user_id);
  sqlite3_bind_int (stmt, 2, active ? 1 : 0);
  sqlite3_bind_int64 (stmt, 3, now_seconds ());
  if (!clinic_db_step_done (db, stmt, error))
    goto fail;
  {
    g_autofree char *object = g_strdup_printf ("%" G_GINT64_FORMAT, user_id);

    if (!clinic_audit_append (db, session, NULL, 0, active ? "provider.added" : "provider.stopped",
                              "user", object, 0, NULL, NULL, error))
      goto fail;
  }
  if (!clinic_db_commit (db, error))
    goto fail;
  return TRUE;

fail:
  clinic_db_rollback (db);
  return FALSE;
}

gint64
clinic_providers_lookup (ClinicSession  *session,
                         const char     *user_name,
                         GError        **error)
{
  g_autofree char *folded = NULL;
  sqlite3_stmt *stmt;
  ClinicDb *db;
  gint64 id = 0;
  int rc;

  if (!clinic_schedule_require_read (session, error))
    return 0;
  db = clinic_session_get_db (session);
  folded = g_utf8_casefold (user_name != NULL ? user_name : "", -1);
  g_strstrip (folded);
  stmt = clinic_db_prepare (db,
                            "SELECT u.id FROM providers p JOIN users u ON u.id = p.user_id"
                            " WHERE u.name = ?1 AND p.active",
                            error);
  if (stmt == NULL)
    return 0;
  sqlite3_bind_text (stmt, 1, folded, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    id = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  if (rc == SQLITE_DONE)
    g_set_error (error, CLINIC_ERROR, CLINIC_ERROR_NOT_FOUND,
                 _("“%s” is not a doctor taking appointments."), user_name);
  else if (rc != SQLITE_ROW)
    clinic_db_set_error (db, rc, error);
  return id;
}

/* --- Visit types ---------------------------------------------------------- */

ClinicVisitType *
clinic_visit_type_new (void)
{
  ClinicVisitType *t = g_new0 (ClinicVisitType, 1);

  t->name = g_strdup ("");
  t->color = g_strdup ("#3584e4");
  t->duration_min = 15;
  t->active = TRUE;
  return t;
}

void
clinic_visit_type_free (ClinicVisitType *t)
{
  if (t == NULL)
    return;
  g_free (t->name);
  g_free (t->color);
  g_free (t);
}

static gpointer
visit_type_from_row (sqlite3_stmt *stmt)
{
  ClinicVisitType *t = g_new0 (ClinicVisitType, 1);

  t->id = sqlite3_column_int64 (stmt, 0);
  t->name = clinic_db_column_text (stmt, 1);
  t->duration_min = sqlite3_column_int (stmt, 2);
  t->color = clinic_db_column_text (stmt, 3);
  t->patient_bookable = sqlite3_column_int (stmt, 4) != 0;
  t->active = sqlite3_column_int (stmt, 5) != 0;
  return t;
}

#define VISIT_TYPE_COLUMNS "id, name, duration_min, color, patient_bookable, active"

GPtrArray *
clinic_visit_types_list (ClinicSession  *session,
                         gboolean        include_inactive,
                         GError        **error)
{
  g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func ((GDestroyNotify) clinic_visit_type_free);
  gboolean patient;
  sqlite3_stmt *stmt;
  ClinicDb *db;

  if (!clinic_schedule_require_read (session, error))
    return NULL;
  patient = clinic_session_get_kind (session) == CLINIC_USER_PATIENT;
  db = clinic_session_get_db (session);
  stmt = clinic_db_prepare (db,
                            "SELECT " VISIT_TYPE_COLUMNS " FROM visit_types"
                            " WHERE (?1 OR active) AND (NOT ?2 OR (active AND patient_bookable))"
                            " ORDER BY name COLLATE NOCASE",
                            error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int (stmt, 1, include_inactive ? 1 : 0);
  sqlite3_bind_int (stmt, 2, patient ? 1 : 0);
  if (!clinic_db_collect (db, stmt, list, visit_type_from_row, error))
    return NULL;
  return g_steal_pointer (&list);
}

ClinicVisitType *
clinic_schedule_fetch_visit_type (ClinicDb  *db,
                                  gint64     id,
                                  GError   **error)
{
  sqlite3_stmt *stmt = clinic_db_prepare (db, "SELECT " VISIT_TYPE_COLUMNS " FROM visit_types WHERE id = ?1",
                                          error);
  ClinicVisitType *t = NULL;
  int rc;

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    t = visit_type_from_row (stmt);
  sqlite3_reset (stmt);
  if (rc == SQLITE_DONE)
    g_set_error_literal (error, CLINIC_ERROR, CLINIC_ERROR_NOT_FOUND, _("There is no such visit type."));
  else if (rc != SQLITE_ROW)
    clinic_db_set_error (db, rc, error);
  return t;
}

gboolean
clinic_schedule_check_bookable (ClinicSession          *session,
                                const ClinicVisitType  *type,
                                GError                **error)
{
  if (!type->active)
    {
      g_set_error (error, CLINIC_ERROR, CLINIC_ERROR_INVALID,
                   _("“%s” is retired and no longer booked. Please choose another visit type."), type->name);
      return FALSE;
    }
  if (clinic_session_get_kind (session) == CLINIC_USER_PATIENT && !type->patient_bookable)
    {
      g_set_error (error, CLINIC_ERROR, CLINIC_ERROR_INVALID, _("“%s” cannot be booked."), type->name);
      return FALSE;
    }
  return TRUE;
}

ClinicVisitType *
clinic_visit_types_lookup (ClinicSession  *session,
                           const char     *name,
                           GError        **error)
{
  g_autofree char *trimmed = g_strstrip (g_strdup (name != NULL ? name : ""));
  sqlite3_stmt *stmt;
  ClinicVisitType *t = NULL;
  ClinicDb *db;
  int rc;

  if (!clinic_schedule_require_read (session, error))
    return NULL;
  db = clinic_session_get_db (session);
  stmt = clinic_db_prepare (db, "SELECT " VISIT_TYPE_COLUMNS " FROM visit_types WHERE name = ?1 AND active",
                            error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, trimmed, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    t = visit_type_from_row (stmt);
  sqlite3_reset (stmt);
  if (rc == SQLITE_DONE)
    g_set_error (error, CLINIC_ERROR, CLINIC_ERROR_NOT_FOUND,
                 _("There is no visit type “%s”. “clinicctl visit-types list” lists them."), trimmed);
  else if (rc != SQLITE_ROW)
    clinic_db_set_error (db, rc, error);
  if (t != NULL && clinic_session_get_kind (session) == CLINIC_USER_PATIENT && !t->patient_bookable)
    {
      g_clear_pointer (&t, clinic_visit_type_free);
      g_set_error (error, CLINIC_ERROR, CLINIC_ERROR_NOT_FOUND,
                   _("“%s” cannot be booked at the kiosk. Please ask at the front desk."), trimmed);
    }
  return t;
}

static gboolean
valid_color (const char *color)
{
  if (color == NULL || strlen (color) != 7 || color[0] != '#')
    return FALSE;
  for (int i = 1; i < 7; i++)
    if (!g_ascii_isxdigit (color[i]))
      return FALSE;
  return TRUE;
}

gint64
clinic_visit_types_save (ClinicSession          *session,
                         const ClinicVisitType  *type,
                         GError                **error)
{
  g_autofree char *name = NULL;
  g_autofree char *color = NULL;
  sqlite3_stmt *stmt;
  ClinicDb *db;
  gint64 id;
  int rc;

  g_return_val_if_fail (type != NULL, 0);

  if (!clinic_session_require_staff (session, CLINIC_PERMISSION_SETTINGS, error))
    return 0;
  name = g_strstrip (g_strdup (type->name != NULL ? type->name : ""));
  if (*name == '\0' || g_utf8_strlen (name, -1) > 60 || !g_utf8_validate (name, -1, NULL))
    {
      g_set_error_literal (error, CLINIC_ERROR, CLINIC_ERROR_INVALID,
                           _("A visit type needs a name of at most 60 characters."));
      return 0;
    }
  if (type->duration_min < 5 || type->duration_min > 480 || type->duration_min % 5 != 0)
    {
      g_set_error_literal (error, CLINIC_ERROR, CLINIC_ERROR_INVALID,
                           _("A visit lasts from 5 minutes to 8 hours, in steps of 5 minutes."));
      return 0;
    }
  if (!valid_color (type->color))
    {
      g_set_error_literal (error, CLINIC_ERROR, CLINIC_ERROR_INVALID,
                           _("The colour must be written like #3584e4."));
      return 0;
    }
  color = g_ascii_strdown (type->color, -1);

  db = clinic_session_get_db (session);
  if (!clinic_db_begin_write (db, error))
    return 0;
  if (type->id != 0)
    stmt = clinic_db_prepare (db,
                              "UPDATE visit_types SET name = ?2, duration_min = ?3, color = ?4,"
                              " patient_bookable = ?5, active = ?6 WHERE id = ?1",
                              error);
  else
    stmt = clinic_db_prepare (db,
                              "INSERT INTO visit_types (name, duration_min, color, patient_bookable, active,"
                              " created_at) VALUES (?2, ?3, ?4, ?5, ?6, ?7)",
                              error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_int64 (stmt, 1, type->id);
  sqlite3_bind_text (stmt, 2, name, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int (stmt, 3, type->duration_min);
  sqlite3_bind_text (stmt, 4, color, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int (stmt, 5, type->patient_bookable ? 1 : 0);
  sqlite3_bind_int (stmt, 6, type->active ? 1 : 0);
  if (type->id == 0)
    sqlite3_bind_int64 (stmt, 7, now_seconds ());
  rc = sqlite3_step (stmt);
  sqlite3_reset (stmt);
  if ((rc & 0xff) == SQLITE_CONSTRAINT)
    {
      g_set_error (error, CLINIC_ERROR, CLINIC_ERROR_CONFLICT,
                   _("There is already a visit type called “%s”."), name);
      goto fail;
    }
  if (rc != SQLITE_DONE)
    {
      clinic_db_set_error (db, rc, error);
      goto fail;
    }
  if (type->id != 0 && sqlite3_changes (clinic_db_get_handle (db)) == 0)
    {
      g_set_error_literal (error, CLINIC_ERROR, CLINIC_ERROR_NOT_FOUND, _("There is no such visit type."));
      goto fail;
    }
  id = type->id != 0 ? type->id : sqlite3_last_insert_rowid (clinic_db_get_handle (db));
  {
    g_autofree char *object = g_strdup_printf ("%" G_GINT64_FORMAT, id);

    if (!clinic_audit_append (db, session, NULL, 0, type->id != 0 ? "visit-type.changed" : "visit-type.added",
                              "visit-type", object, 0, NULL, name, error)
        || !clinic_db_commit (db, error))
      goto fail;
  }
  return id;

fail:
  clinic_db_rollback (db);
  return 0;
}

/* --- Rooms ------------------------------------------------------------------ */

ClinicRoom *
clinic_room_new (void)
{
  ClinicRoom *room = g_new0 (ClinicRoom, 1);

  room->name = g_strdup ("");
  room->active = TRUE;
  return room;
}

void
clinic_room_free (ClinicRoom *room)
{
  if (room == NULL)
    return;
  g_free (room->name);
  g_free (room);
}

/* Rooms say where staff work; a patient has no use for them. */
static gboolean
require_rooms_read (ClinicSession  *session,
                    GError        **error)
{
  if (clinic_session_has_permission (session, CLINIC_PERMISSION_SCHEDULE_ALL))
    return clinic_session_require_staff (session, CLINIC_PERMISSION_SCHEDULE_ALL, error);
  return clinic_session_require_staff (session, CLINIC_PERMISSION_SCHEDULE_OWN, error);
}

static gpointer
room_from_row (sqlite3_stmt *stmt)
{
  ClinicRoom *room = g_new0 (ClinicRoom, 1);

  room->id = sqlite3_column_int64 (stmt, 0);
  room->name = clinic_db_column_text (stmt, 1);
  room->active = sqlite3_column_int (stmt, 2) != 0;
  return room;
}

/* Every room, by name: there are a handful, and clinic_rooms_find()
 * folds case beyond ASCII, which SQLite's NOCASE does not. */
GPtrArray *
clinic_schedule_read_rooms (ClinicDb  *db,
                            gboolean   include_inactive,
                            GError   **error)
{
  g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func ((GDestroyNotify) clinic_room_free);
  sqlite3_stmt *stmt;

  stmt = clinic_db_prepare (db,
                            "SELECT id, name, active FROM rooms WHERE ?1 OR active"
                            " ORDER BY name COLLATE NOCASE, id",
                            error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int (stmt, 1, include_inactive ? 1 : 0);
  if (!clinic_db_collect (db, stmt, list, room_from_row, error))
    return NULL;
  return g_steal_pointer (&list);
}

const ClinicRoom *
clinic_rooms_find (GPtrArray  *rooms,
                   const char *name)
{
  g_autofree char *folded = g_utf8_casefold (name, -1);

  for (guint i = 0; rooms != NULL && i < rooms->len; i++)
    {
      const ClinicRoom *room = rooms->pdata[i];
      g_autofree char *other = g_utf8_casefold (room->name, -1);

      if (g_strcmp0 (folded, other) == 0)
        return room;
    }
  return NULL;
}

GPtrArray *
clinic_rooms_list (ClinicSession  *session,
                   gboolean        include_inactive,
                   GError        **error)
{
  if (!require_rooms_read (session, error))
    return NULL;
  return clinic_schedule_read_rooms (clinic_session_get_db (session), include_inactive, error);
}

ClinicRoom *
clinic_rooms_lookup (ClinicSession  *session,
                     const char     *name,
                     GError        **error)
{
  g_autofree char *trimmed = g_strstrip (g_strdup (name != NULL ? name : ""));
  g_autoptr(GPtrArray) rooms = NULL;
  const ClinicRoom *found;
  ClinicRoom *copy;

  if (!require_rooms_read (session, error))
    return NULL;
  rooms = clinic_schedule_read_rooms (clinic_session_get_db (session), TRUE, error);
  if (rooms == NULL)
    return NULL;
  found = clinic_rooms_find (rooms, trimmed);
  if (found == NULL)
    {
      g_set_error (error, CLINIC_ERROR, CLINIC_ERROR_NOT_FOUND,
                   _("There is no room “%s”. “clinicctl rooms list” lists them."), trimmed);
      return NULL;
    }
  copy = g_new0 (ClinicRoom, 1);
  copy->id = found->id;
  copy->name = g_strdup (found->name);
  copy->active = found->active;
  return copy;
}

gint64
clinic_rooms_save (ClinicSession     *session,
                   const ClinicRoom  *room,
                   GError           **error)
{
  g_autofree char *name = NULL;
  g_autoptr(GPtrArray) rooms = NULL;
  const ClinicRoom *same;
  sqlite3_stmt *stmt;
  ClinicDb *db;
  gint64 id;

  g_return_val_if_fail (room != NULL, 0);

  if (!clinic_session_require_staff (session, CLINIC_PERMISSION_SETTINGS, error))
    return 0;
  name = g_strstrip (g_strdup (room->name != NULL ? room->name : ""));
  if (*name == '\0' || !g_utf8_validate (name, -1, NULL) || g_utf8_strlen (name, -1) > 40)
    {
      g_set_error_literal (error, CLINIC_ERROR, CLINIC_ERROR_INVALID,
                           _("A room needs a name of at most 40 characters."));
      return 0;
    }
  /* The name is a field of clinicctl's tab-separated lines and follows
   * a block of hours in the working-hours form's comma-separated list. */
  if (strpbrk (name, ",\t\n\r") != NULL)
    {
      g_set_error_literal (error, CLINIC_ERROR, CLINIC_ERROR_INVALID,
                           _("A room’s name cannot hold commas, tabs or line breaks."));
      return 0;
    }

  db = clinic_session_get_db (session);
  if (!clinic_db_begin_write (db, error))
    return 0;
  /* Read inside the write transaction, so two clerks adding "Room 1" and
   * "room 1" at once cannot both pass. */
  if ((rooms = clinic_schedule_read_rooms (db, TRUE, error)) == NULL)
    goto fail;
  same = clinic_rooms_find (rooms, name);
  if (same != NULL && same->id != room->id)
    {
      if (same->active)
        g_set_error (error, CLINIC_ERROR, CLINIC_ERROR_CONFLICT,
                     _("There is already a room called “%s”."), same->name);
      else
        g_set_error (error, CLINIC_ERROR, CLINIC_ERROR_CONFLICT,
                     _("There is already a retired room called “%s”; reactivate it instead."), same->name);
      goto fail;
    }
  if (room->id != 0)
    stmt = clinic_db_prepare (db, "UPDATE rooms SET name = ?2, active = ?3 WHERE id = ?1", error);
  else
    stmt = clinic_db_prepare (db, "INSERT INTO rooms (name, active) VALUES (?2, ?3)", error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_int64 (stmt, 1, room->id);
  sqlite3_bind_text (stmt, 2, name, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int (stmt, 3, room->active ? 1 : 0);
  if (!clinic_db_step_done (db, stmt, error))
    goto fail;
  if (room->id != 0 && sqlite3_changes (clinic_db_get_handle (db)) == 0)
    {
      g_set_error_literal (error, CLINIC_ERROR, CLINIC_ERROR_NOT_FOUND, _("There is no such room."));
      goto fail;
    }
  id = room->id != 0 ? room->id : sqlite3_last_insert_rowid (clinic_db_get_handle (db));
  {
    g_autofree char *object = g_strdup_printf ("%" G_GINT64_FORMAT, id);
    g_autofree char *detail = room->active ? g_strdup (name) : g_strconcat (name, "; retired", NULL);

    if (!clinic_audit_append (db, session, NULL, 0, room->id != 0 ? "room.changed" : "room.added",
                              "room", object, 0, NULL, detail, error)
        || !clinic_db_commit (db, error))
      goto fail;
  }
  return id;

fail:
  clinic_db_rollback (db);
  return 0;
}

gboolean
clinic_schedule_check_room (ClinicDb  *db,
                            gint64     room_id,
                            GError   **error)
{
  sqlite3_stmt *stmt = clinic_db_prepare (db, "SELECT name, active FROM rooms WHERE id = ?1", error);
  g_autofree char *name = NULL;
  gboolean active = FALSE;
  int rc;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, room_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      name = clinic_db_column_text (stmt, 0);
      active = sqlite3_column_int (stmt, 1) != 0;
    }
  sqlite3_reset (stmt);
  if (rc == SQLITE_DONE)
    {
      g_set_error_literal (error, CLINIC_ERROR, CLINIC_ERROR_NOT_FOUND, _("There is no such room."));
      return FALSE;
    }
  if (rc != SQLITE_ROW)
    {
      clinic_db_set_error (db, rc, error);
      return FALSE;
    }
  if (!active)
    {
      g_set_error (error, CLINIC_ERROR, CLINIC_ERROR_INVALID,
                   _("The room “%s” is retired. Choose another room."), name);
      return FALSE;
    }
  return TRUE;
}

gboolean
clinic_schedule_hours_room (ClinicDb    *db,
                            GTimeZone   *tz,
                            gint64       provider_id,
                            gint64       start,
                            gint64      *room_id,
                            GError     **error)
{
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (start);
  g_autoptr(GDateTime) local = g_date_time_to_timezone (utc, tz);
  int minute = g_date_time_get_hour (local) * 60 + g_date_time_get_minute (local);
  sqlite3_stmt *stmt;
  int rc;

  *room_id = 0;
  /* A retired room is left out: the hours still name it until someone
   * edits them, but nothing new goes into it. */
  stmt = clinic_db_prepare (db,
                            "SELECT h.room_id FROM working_hours h JOIN rooms r ON r.id = h.room_id"
                            " WHERE h.provider_id = ?1 AND h.weekday = ?2 AND h.start_min <= ?3"
                            " AND h.end_min > ?3 AND r.active",
                            error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, provider_id);
  sqlite3_bind_int (stmt, 2, g_date_time_get_day_of_week (local));
  sqlite3_bind_int (stmt, 3, minute);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    *room_id = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      clinic_db_set_error (db, rc, error);
      return FALSE;
    }
  return TRUE;
}

/* --- Working hours ----------------------------------------------------------- */

static int
compare_blocks (gconstpointer a,
                gconstpointer b)
{
  const ClinicHoursBlock *x = a, *y = b;

  if (x->weekday != y->weekday)
    return x->weekday - y->weekday;
  return x->start_min - y->start_min;
}

GArray *
clinic_schedule_read_hours (ClinicDb  *db,
                            gint64     provider_id,
                            GError   **error)
{
  g_autoptr(GArray) blocks = g_array_new (FALSE, TRUE, sizeof (ClinicHoursBlock));
  sqlite3_stmt *stmt;
  int rc;

  stmt = clinic_db_prepare (db,
                            "SELECT weekday, start_min, end_min, coalesce (room_id, 0) FROM working_hours"
                            " WHERE provider_id = ?1 ORDER BY weekday, start_min",
                            error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, provider_id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      ClinicHoursBlock b = {
        sqlite3_column_int (stmt, 0), sqlite3_column_int (stmt, 1),
        sqlite3_column_int (stmt, 2), sqlite3_column_int64 (stmt, 3),
      };

      g_array_append_val (blocks, b);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      clinic_db_set_error (db, rc, error);
      return NULL;
    }
  return g_steal_pointer (&blocks);
}

gint64
clinic_schedule_room_at (ClinicSession  *session,
                         gint64          provider_id,
                         gint64          start,
                         GError        **error)
{
  g_autoptr(GTimeZone) tz = NULL;
  ClinicDb *db;
  gint64 room_id = 0;

  if (!clinic_schedule_require_read (session, error) || !clinic_schedule_require_staff_read (session, error))
    return -1;
  db = clinic_session_get_db (session);
  if (!clinic_schedule_check_provider (db, provider_id, error))
    return -1;
  tz = clinic_schedule_get_timezone (db);
  return clinic_schedule_hours_room (db, tz, provider_id, start, &room_id, error) ? room_id : -1;
}

GArray *
clinic_schedule_get_hours (ClinicSession  *session,
                           gint64          provider_id,
                           GError        **error)
{
  ClinicDb *db;

  if (!clinic_schedule_require_read (session, error) || !clinic_schedule_require_staff_read (session, error))
    return NULL;
  db = clinic_session_get_db (session);
  if (!clinic_schedule_check_provider (db, provider_id, error))
    return NULL;
  return clinic_schedule_read_hours (db, provider_id, error);
}

gboolean
clinic_schedule_set_hours (ClinicSession  *session,
                           gint64          provider_id,
                           GArray         *blocks,
                           GError        **error)
{
  g_autoptr(GArray) sorted = NULL;
  g_autoptr(GString) summary = g_string_new (NULL);
  sqlite3_stmt *stmt;
  ClinicDb *db;

  g_return_val_if_fail (blocks != NULL, FALSE);

  if (!clinic_schedule_require_provider (session, provider_id, error))
    return FALSE;

  sorted = g_array_sized_new (FALSE, TRUE, sizeof (ClinicHoursBlock), blocks->len);
  g_array_append_vals (sorted, blocks->data, blocks->len);
  g_array_sort (sorted, compare_blocks);
  for (guint i = 0; i < sorted->len; i++)
    {
      const ClinicHoursBlock *b = &g_array_index (sorted, ClinicHoursBlock, i);

      if (b->weekday < 1 || b->weekday > 7 || b->start_min < 0 || b->end_min > 1440
          || b->end_min <= b->start_min)
        {
          g_set_error_literal (error, CLINIC_ERROR, CLINIC_ERROR_INVALID,
                               _("Working hours must end after they start, within one day."));
          return FALSE;
        }
      if (i > 0)
        {
          const ClinicHoursBlock *prev = &g_array_index (sorted, ClinicHoursBlock, i - 1);

          if (prev->weekday == b->weekday && prev->end_min > b->start_min)
            {
              g_set_error_literal (error, CLINIC_ERROR, CLINIC_ERROR_INVALID,
                                   _("Two blocks of working hours on the same day overlap."));
              return FALSE;
            }
        }
      g_string_append_printf (summary, "%s%d %02d:%02d-%02d:%02d", i ? ", " : "", b->weekday,
                              b->start_min / 60, b->start_min % 60, b->end_min / 60, b->end_min % 60);
      if (b->room_id != 0)
        g_string_append_printf (summary, " room %" G_GINT64_FORMAT, b->room_id);
    }

  db = clinic_session_get_db (session);
  if (!clinic_db_begin_write (db, error))
    return FALSE;
  if (!clinic_schedule_check_provider (db, provider_id, error))
    goto fail;
  for (guint i = 0; i < sorted->len; i++)
    {
      gint64 room_id = g_array_index (sorted, ClinicHoursBlock, i).room_id;

      if (room_id != 0 && !clinic_schedule_check_room (db, room_id, error))
        goto fail;
    }
  stmt = clinic_db_prepare (db, "DELETE FROM working_hours WHERE provider_id = ?1", error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_int64 (stmt, 1, provider_id);
  if (!clinic_db_step_done (db, stmt, error))
    goto fail;
  stmt = clinic_db_prepare (db,
                            "INSERT INTO working_hours (provider_id, weekday, start_min, end_min, room_id)"
                            " VALUES (?1, ?2, ?3, ?4, nullif (?5, 0))",
                            error);
  if (stmt == NULL)
    goto fail;
  for (guint i = 0; i < sorted->len; i++)
    {
      const ClinicHoursBlock *b = &g_array_index (sorted, ClinicHoursBlock, i);

      sqlite3_bind_int64 (stmt, 1, provider_id);
      sqlite3_bind_int (stmt, 2, b->weekday);
      sqlite3_bind_int (stmt, 3, b->start_min);
      sqlite3_bind_int (stmt, 4, b->end_min);
      sqlite3_bind_int64 (stmt, 5, b->room_id);
      if (!clinic_db_step_done (db, stmt, error))
        goto fail;
    }
  {
    g_autofree char *object = g_strdup_printf ("%" G_GINT64_FORMAT, provider_id);

    if (!clinic_audit_append (db, session, NULL, 0, "schedule.hours-changed", "provider", object, 0,
                              NULL, summary->str, error)
        || !clinic_db_commit (db, error))
      goto fail;
  }
  return TRUE;

fail:
  clinic_db_rollback (db);
  return FALSE;
}

/* --- Exceptions ------------------------------------------------------------------ */

static const char *const exception_kinds[] = { "off", "block", "extra" };

void
clinic_schedule_exception_free (ClinicScheduleException *e)
{
  if (e == NULL)
    return;
  g_free (e->reason);
  g_free (e);
}

ClinicScheduleException *
clinic_schedule_exception_copy (const ClinicScheduleException *e)
{
  ClinicScheduleException *copy;

  g_return_val_if_fail (e != NULL, NULL);

  copy = g_memdup2 (e, sizeof *e);
  copy->reason = g_strdup (e->reason);
  return copy;
}

gint64
clinic_schedule_add_exception (ClinicSession                  *session,
                               const ClinicScheduleException  *e,
                               GError                        **error)
{
  g_autofree char *reason = NULL;
  sqlite3_stmt *stmt;
  ClinicDb *db;
  gint64 id;

  g_return_val_if_fail (e != NULL, 0);

  /* The clinic's own exceptions (holidays) are everyone's: SCHEDULE_ALL. */
  if (e->provider_id == 0
      ? !clinic_session_require_staff (session, CLINIC_PERMISSION_SCHEDULE_ALL, error)
      : !clinic_schedule_require_provider (session, e->provider_id, error))
    return 0;
  if ((guint) e->kind >= G_N_ELEMENTS (exception_kinds) || e->ends_at <= e->starts_at
      || e->ends_at - e->starts_at > 366 * 86400)
    {
      g_set_error_literal (error, CLINIC_ERROR, CLINIC_ERROR_INVALID,
                           _("An exception must end after it starts, within a year."));
      return 0;
    }
  reason = g_strstrip (g_strdup (e->reason != NULL ? e->reason : ""));
  if (e->kind == CLINIC_EXCEPTION_BLOCK && *reason == '\0')
    {
      g_set_error_literal (error, CLINIC_ERROR, CLINIC_ERROR_INVALID,
                           _("Blocked time needs a reason, so the front desk knows why."));
      return 0;
    }
  if (g_utf8_strlen (reason, -1) > 200)
    {
      g_set_error_literal (error, CLINIC_ERROR, CLINIC_ERROR_INVALID,
                           _("The reason is too long (at most 200 characters)."));
      return 0;
    }

  db = clinic_session_get_db (session);
  if (!clinic_db_begin_write (db, error))
    return 0;
  if (e->provider_id != 0 && !clinic_schedule_check_provider (db, e->provider_id, error))
    goto fail;
  stmt = clinic_db_prepare (db,
                            "INSERT INTO schedule_exceptions (provider_id, kind, starts_at, ends_at, reason,"
                            " created_at, created_by) VALUES (nullif (?1, 0), ?2, ?3, ?4, ?5, ?6, ?7)",
                            error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_int64 (stmt, 1, e->provider_id);
  sqlite3_bind_text (stmt, 2, exception_kinds[e->kind], -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 3, e->starts_at);
  sqlite3_bind_int64 (stmt, 4, e->ends_at);
  sqlite3_bind_text (stmt, 5, reason, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 6, now_seconds ());
  sqlite3_bind_int64 (stmt, 7, clinic_session_get_user_id (session));
  if (!clinic_db_step_done (db, stmt, error))
    goto fail;
  id = sqlite3_last_insert_rowid (clinic_db_get_handle (db));
  {
    g_autofree char *object = g_strdup_printf ("%" G_GINT64_FORMAT, id);

    if (!clinic_audit_append (db, session, NULL, 0, "schedule.exception-added", "schedule-exception", object,
                              0, NULL, exception_kinds[e->kind], error)
        || !clinic_db_commit (db, error))
      goto fail;
  }
  return id;

fail:
  clinic_db_rollback (db);
  return 0;
}

gboolean
clinic_schedule_remove_exception (ClinicSession  *session,
                                  gint64          exception_id,
                                  GError        **error)
{
  sqlite3_stmt *stmt;
  ClinicDb *db;
  gint64 provider_id = -1;
  int rc;

  if (!clinic_session_has_permission (session, CLINIC_PERMISSION_SCHEDULE_ALL)
      && !clinic_session_require_staff (session, CLINIC_PERMISSION_SCHEDULE_OWN, error))
    return FALSE;
  db = clinic_session_get_db (session);
  stmt = clinic_db_prepare (db, "SELECT coalesce (provider_id, 0) FROM schedule_exceptions WHERE id = ?1", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, exception_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    provider_id = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  if (provider_id < 0)
    {
      if (rc == SQLITE_DONE)
        g_set_error_literal (error, CLINIC_ERROR, CLINIC_ERROR_NOT_FOUND, _("There is no such exception."));
      else
        clinic_db_set_error (db, rc, error);
      return FALSE;
    }
  if (provider_id == 0
      ? !clinic_session_require_staff (session, CLINIC_PERMISSION_SCHEDULE_ALL, error)
      : !clinic_schedule_require_provider (session, provider_id, error))
    return FALSE;

  if (!clinic_db_begin_write (db, error))
    return FALSE;
  stmt = clinic_db_prepare (db, "DELETE FROM schedule_exceptions WHERE id = ?1", error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_int64 (stmt, 1, exception_id);
  if (!clinic_db_step_done (db, stmt, error))
    goto fail;
  {
    g_autofree char *object = g_strdup_printf ("%" G_GINT64_FORMAT, exception_id);

    if (!clinic_audit_append (db, session, NULL, 0, "schedule.exception-removed", "schedule-exception",
                              object, 0, NULL, NULL, error)
        || !clinic_db_commit (db, error))
      goto fail;
  }
  return TRUE;

fail:
  clinic_db_rollback (db);
  return FALSE;
}

static gpointer
exception_from_row (sqlite3_stmt *stmt)
{
  ClinicScheduleException *e = g_new0 (ClinicScheduleException, 1);
  const char *kind = (const char *) sqlite3_column_text (stmt, 2);

  e->id = sqlite3_column_int64 (stmt, 0);
  e->provider_id = sqlite3_column_int64 (stmt, 1);
  for (guint k = 0; k < G_N_ELEMENTS (exception_kinds); k++)
    if (g_strcmp0 (kind, exception_kinds[k]) == 0)
      e->kind = k;
  e->starts_at = sqlite3_column_int64 (stmt, 3);
  e->ends_at = sqlite3_column_int64 (stmt, 4);
  e->reason = clinic_db_column_text (stmt, 5);
  return e;
}

GPtrArray *
clinic_schedule_read_exceptions (ClinicDb  *db,
                                 gint64     provider_id,
                                 gint64     from,
                                 gint64     to,
                                 GError   **error)
{
  g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func ((GDestroyNotify) clinic_schedule_exception_free);
  sqlite3_stmt *stmt;

  /* Exceptions last at most a year: the start bound keeps the index useful. */
  stmt = clinic_db_prepare (db,
                            "SELECT id, coalesce (provider_id, 0), kind, starts_at, ends_at, reason"
                            " FROM schedule_exceptions"
                            " WHERE (provider_id = ?1 OR provider_id IS NULL)"
                            " AND starts_at < ?3 AND starts_at > ?2 - 366 * 86400 AND ends_at > ?2"
                            " ORDER BY starts_at",
                            error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, provider_id);
  sqlite3_bind_int64 (stmt, 2, from);
  sqlite3_bind_int64 (stmt, 3, to);
  if (!clinic_db_collect (db, stmt, list, exception_from_row, error))
    return NULL;
  return g_steal_pointer (&list);
}

GPtrArray *
clinic_schedule_list_exceptions (ClinicSession  *session,
                                 gint64          provider_id,
                                 gint64          from,
                                 gint64          to,
                                 GError        **error)
{
  if (!clinic_schedule_require_read (session, error) || !clinic_schedule_require_staff_read (session, error))
    return NULL;
  return clinic_schedule_read_exceptions (clinic_session_get_db (session), provider_id, from, to, error);
}

/* --- Availability --------------------------------------------------------------------- */

static void
spans_add (GArray *spans,
           gint64  start,
           gint64  end)
{
  guint i = 0;

  if (end <= start)
    return;
  while (i < spans->len && g_array_index (spans, ClinicSpan, i).end < start)
    i++;
  while (i < spans->len && g_array_index (spans, ClinicSpan, i).start <= end)
    {
      ClinicSpan *s = &g_array_index (spans, ClinicSpan, i);

      start = MIN (start, s->start);
      end = MAX (end, s->end);
      g_array_remove_index (spans, i);
    }
  g_array_insert_val (spans, i, ((ClinicSpan) { start, end }));
}

static void
spans_subtract (GArray *spans,
                gint64  start,
                gint64  end)
{
  for (guint i = 0; i < spans->len; i++)
    {
      ClinicSpan *s = &g_array_index (spans, ClinicSpan, i);

      if (s->end <= start || s->start >= end)
        continue;
      if (s->start < start && s->end > end)
        {
          ClinicSpan tail = { end, s->end };

          s->end = start;
          g_array_insert_val (spans, i + 1, tail);
          return;
        }
      if (s->start < start)
        s->end = start;
      else if (s->end > end)
        s->start = end;
      else
        {
          g_array_remove_index (spans, i);
          i--;
        }
    }
}

/* The time @provider_id works between local days @first and @last
 * (inclusive): the weekly hours, plus extra hours, minus days off and
 * blocks. */
GArray *
clinic_schedule_working_spans (ClinicDb   *db,
                               GTimeZone  *tz,
                               gint64      provider_id,
                               GDate      *first,
                               GDate      *last,
                               GError    **error)
{
  g_autoptr(GArray) hours = clinic_schedule_read_hours (db, provider_id, error);
  g_autoptr(GArray) spans = g_array_new (FALSE, FALSE, sizeof (ClinicSpan));
  g_autoptr(GPtrArray) exceptions = NULL;
  GDate day = *first;
  gint64 from, to;

  if (hours == NULL)
    return NULL;
  from = clinic_local_to_unix (tz, g_date_get_year (first), g_date_get_month (first), g_date_get_day (first), 0);
  to = clinic_local_to_unix (tz, g_date_get_year (last), g_date_get_month (last), g_date_get_day (last), 1440);

  for (; g_date_compare (&day, last) <= 0; g_date_add_days (&day, 1))
    {
      int weekday = g_date_get_weekday (&day);  /* G_DATE_MONDAY = 1 … SUNDAY = 7 */

      for (guint i = 0; i < hours->len; i++)
        {
          const ClinicHoursBlock *b = &g_array_index (hours, ClinicHoursBlock, i);

          if (b->weekday != weekday)
            continue;
          spans_add (spans,
                     clinic_local_to_unix (tz, g_date_get_year (&day), g_date_get_month (&day),
                                           g_date_get_day (&day), b->start_min),
                     clinic_local_to_unix (tz, g_date_get_year (&day), g_date_get_month (&day),
                                           g_date_get_day (&day), b->end_min));
        }
    }

  exceptions = clinic_schedule_read_exceptions (db, provider_id, from, to, error);
  if (exceptions == NULL)
    return NULL;
  for (guint i = 0; i < exceptions->len; i++)
    {
      const ClinicScheduleException *e = exceptions->pdata[i];

      if (e->kind == CLINIC_EXCEPTION_EXTRA)
        spans_add (spans, MAX (e->starts_at, from), MIN (e->ends_at, to));
    }
  for (guint i = 0; i < exceptions->len; i++)
    {
      const ClinicScheduleException *e = exceptions->pdata[i];

      if (e->kind != CLINIC_EXCEPTION_EXTRA)
        spans_subtract (spans, e->starts_at, e->ends_at);
    }
  return g_steal_pointer (&spans);
}

/* Takes the time of @provider_id's active appointments between @from and
 * @to out of @spans; and the time other doctors' appointments hold a room
 * the provider's working hours put them in then, since a booking there
 * would take that room and be refused. */
static gboolean
subtract_appointments (ClinicDb   *db,
                       GTimeZone  *tz,
                       GArray     *spans,
                       gint64      provider_id,
                       gint64      from,
                       gint64      to,
                       GError    **error)
{
  sqlite3_stmt *stmt;
  int rc;

  stmt = clinic_db_prepare (db,
                            "SELECT starts_at, ends_at FROM appointments"
                            " WHERE provider_id = ?1 AND starts_at < ?3 AND starts_at > ?2 - 86400"
                            " AND ends_at > ?2 AND status NOT IN ('cancelled', 'no-show')",
                            error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, provider_id);
  sqlite3_bind_int64 (stmt, 2, from);
  sqlite3_bind_int64 (stmt, 3, to);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    spans_subtract (spans, sqlite3_column_int64 (stmt, 0), sqlite3_column_int64 (stmt, 1));
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      clinic_db_set_error (db, rc, error);
      return FALSE;
    }

  /* Only rooms the provider's hours name, so a clinic without shared
   * rooms reads no row here. */
  stmt = clinic_db_prepare (db,
                            "SELECT starts_at, ends_at, room_id FROM appointments"
                            " WHERE room_id IN (SELECT room_id FROM working_hours WHERE provider_id = ?1)"
                            " AND provider_id != ?1 AND starts_at < ?3 AND starts_at > ?2 - 86400"
                            " AND ends_at > ?2 AND status NOT IN ('cancelled', 'no-show')",
                            error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, provider_id);
  sqlite3_bind_int64 (stmt, 2, from);
  sqlite3_bind_int64 (stmt, 3, to);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 start = sqlite3_column_int64 (stmt, 0), end = sqlite3_column_int64 (stmt, 1);
      gint64 room = sqlite3_column_int64 (stmt, 2), at_start = 0, at_end = 0;

      if (!clinic_schedule_hours_room (db, tz, provider_id, start, &at_start, error)
          || !clinic_schedule_hours_room (db, tz, provider_id, end - 1, &at_end, error))
        {
          sqlite3_reset (stmt);
          return FALSE;
        }
      if (at_start == room || at_end == room)
        spans_subtract (spans, start, end);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      clinic_db_set_error (db, rc, error);
      return FALSE;
    }
  return TRUE;
}

static gboolean
parse_day (const char  *text,
           GDate       *date,
           GError     **error)
{
  unsigned y, m, d;
  char tail;

  if (text == NULL || sscanf (text, "%4u-%2u-%2u%c", &y, &m, &d, &tail) != 3 || strlen (text) != 10
      || !g_date_valid_dmy (d, m, y))
    {
      g_set_error (error, CLINIC_ERROR, CLINIC_ERROR_INVALID,
                   _("“%s” is not a date. Write it as YYYY-MM-DD, for example 2026-03-14."),
                   text != NULL ? text : "");
      return FALSE;
    }
  g_date_clear (date, 1);
  g_date_set_dmy (date, d, m, y);
  return TRUE;
}

static int
compare_slots (gconstpointer a,
               gconstpointer b)
{
  const ClinicSlot *x = a, *y = b;

  if (x->starts_at != y->starts_at)
    return x->starts_at < y->starts_at ? -1 : 1;
  return (x->provider_id > y->provider_id) - (x->provider_id < y->provider_id);
}

GArray *
clinic_schedule_availability (ClinicSession  *session,
                              gint64          provider_id,
                              gint64          visit_type_id,
                              const char     *from,
                              const char     *to,
                              GError        **error)
{
  g_autoptr(ClinicVisitType) type = NULL;
  g_autoptr(GTimeZone) tz = NULL;
  g_autoptr(GArray) slots = g_array_new (FALSE, FALSE, sizeof (ClinicSlot));
  g_autoptr(GArray) providers = g_array_new (FALSE, FALSE, sizeof (gint64));
  gint64 now = now_seconds ();
  GDate first, last;
  ClinicDb *db;

  if (!clinic_schedule_require_read (session, error)
      || !parse_day (from, &first, error) || !parse_day (to, &last, error))
    return NULL;
  if (g_date_compare (&first, &last) > 0 || g_date_days_between (&first, &last) > 92)
    {
      g_set_error_literal (error, CLINIC_ERROR, CLINIC_ERROR_INVALID,
                           _("Ask for free times over at most three months, the first day before the last."));
      return NULL;
    }

  db = clinic_session_get_db (session);
  type = clinic_schedule_fetch_visit_type (db, visit_type_id, error);
  if (type == NULL)
    return NULL;
  if (!clinic_schedule_check_bookable (session, type, error))
    return NULL;
  tz = clinic_schedule_get_timezone (db);

  if (provider_id != 0)
    {
      if (!clinic_schedule_check_provider (db, provider_id, error))
        return NULL;
      g_array_append_val (providers, provider_id);
    }
  else
    {
      sqlite3_stmt *stmt = clinic_db_prepare (db, "SELECT user_id FROM providers WHERE active", error);
      int rc;

      if (stmt == NULL)
        return NULL;
      while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
        {
          gint64 id = sqlite3_column_int64 (stmt, 0);

          g_array_append_val (providers, id);
        }
      sqlite3_reset (stmt);
      if (rc != SQLITE_DONE)
        {
          clinic_db_set_error (db, rc, error);
          return NULL;
        }
    }

  for (guint p = 0; p < providers->len; p++)
    {
      gint64 id = g_array_index (providers, gint64, p);
      g_autoptr(GArray) spans = clinic_schedule_working_spans (db, tz, id, &first, &last, error);
      gint64 length = (gint64) type->duration_min * 60;

      if (spans == NULL
          || (spans->len > 0
              && !subtract_appointments (db, tz, spans, id, g_array_index (spans, ClinicSpan, 0).start,
                                         g_array_index (spans, ClinicSpan, spans->len - 1).end, error)))
        return NULL;

      /* Slots on the grid of the local clock (every quarter hour), so a
       * slot starts at 9:15, not at 9:07 after an odd appointment. */
      for (guint i = 0; i < spans->len; i++)
        {
          const ClinicSpan *s = &g_array_index (spans, ClinicSpan, i);
          g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (s->start);
          g_autoptr(GDateTime) local = g_date_time_to_timezone (utc, tz);
          int minute = g_date_time_get_minute (local) % CLINIC_SLOT_STEP_MIN;
          gint64 start = s->start;

          if (minute != 0 || g_date_time_get_second (local) != 0)
            start += (CLINIC_SLOT_STEP_MIN - minute) * 60 - g_date_time_get_second (local);
          for (; start + length <= s->end; start += CLINIC_SLOT_STEP_MIN * 60)
            {
              ClinicSlot slot = { id, start, start + length };

              if (start >= now)
                g_array_append_val (slots, slot);
            }
        }
    }
  g_array_sort (slots, compare_slots);
  return g_steal_pointer (&slots);
}
