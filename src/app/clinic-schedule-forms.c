/* clinic-schedule-forms.c — a doctor's week, an exception, a visit type */

#include "config.h"

#include <stdio.h>
#include <string.h>
#include <glib/gi18n.h>

#include "clinic-error.h"
#include "clinic-form-window.h"
#include "clinic-schedule-forms.h"

static const char *const weekday_keys[] = { "1", "2", "3", "4", "5", "6", "7" };

typedef struct
{
  ClinicSession *session;
  gint64         provider_id;
} FormData;

static FormData *
form_data_new (ClinicSession *session,
               gint64         provider_id)
{
  FormData *d = g_new0 (FormData, 1);

  d->session = g_object_ref (session);
  d->provider_id = provider_id;
  return d;
}

static void
form_data_free (gpointer data)
{
  FormData *d = data;

  g_object_unref (d->session);
  g_free (d);
}

/* @h:@m → minutes; -1 when it is no time of day. "24:00" is the day's
 * end. */
static int
clock_minutes (unsigned h,
               unsigned m)
{
  if (m > 59 || h > 24 || (h == 24 && m != 0))
    return -1;
  return (int) (h * 60 + m);
}

gboolean
clinic_hours_parse_day (const char  *text,
                        int          weekday,
                        GPtrArray   *rooms,
                        GArray      *blocks,
                        GError     **error)
{
  g_auto(GStrv) parts = g_strsplit (text != NULL ? text : "", ",", -1);

  for (guint i = 0; parts[i] != NULL; i++)
    {
      ClinicHoursBlock b = { weekday, -1, -1, 0 };
      unsigned h1, m1, h2, m2;
      int used = 0;

      g_strstrip (parts[i]);
      if (*parts[i] == '\0')
        continue;
      if (sscanf (parts[i], "%2u:%2u - %2u:%2u%n", &h1, &m1, &h2, &m2, &used) == 4 && used > 0)
        {
          b.start_min = clock_minutes (h1, m1);
          b.end_min = clock_minutes (h2, m2);
        }
      if (b.start_min < 0 || b.end_min < 0)
        {
          g_set_error (error, CLINIC_ERROR, CLINIC_ERROR_INVALID,
                       _("“%s” is not a block of hours. Write them like 08:00-12:00, 13:00-17:00."), parts[i]);
          return FALSE;
        }
      /* What follows the hours names the room. */
      if (parts[i][used] != '\0')
        {
          const char *name = g_strstrip (parts[i] + used);
          const ClinicRoom *room = clinic_rooms_find (rooms, name);

          if (room == NULL)
            {
              g_set_error (error, CLINIC_ERROR, CLINIC_ERROR_INVALID,
                           _("There is no room “%s”. Rooms… in the calendar’s menu lists and adds them."), name);
              return FALSE;
            }
          b.room_id = room->id;
        }
      g_array_append_val (blocks, b);
    }
  return TRUE;
}

static char *
format_day (GArray    *hours,
            GPtrArray *rooms,
            int        weekday)
{
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; hours != NULL && i < hours->len; i++)
    {
      const ClinicHoursBlock *b = &g_array_index (hours, ClinicHoursBlock, i);

      if (b->weekday != weekday)
        continue;
      g_string_append_printf (text, "%s%02d:%02d-%02d:%02d", text->len > 0 ? ", " : "",
                              b->start_min / 60, b->start_min % 60, b->end_min / 60, b->end_min % 60);
      for (guint k = 0; b->room_id != 0 && rooms != NULL && k < rooms->len; k++)
        if (((ClinicRoom *) rooms->pdata[k])->id == b->room_id)
          g_string_append_printf (text, " %s", ((ClinicRoom *) rooms->pdata[k])->name);
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static gboolean
submit_hours (ClinicFormWindow  *form,
              gpointer           data,
              GError           **error)
{
  FormData *d = data;
  g_autoptr(GArray) blocks = g_array_new (FALSE, TRUE, sizeof (ClinicHoursBlock));
  /* Retired ones too: the core then says the room is retired. */
  g_autoptr(GPtrArray) rooms = clinic_rooms_list (d->session, TRUE, error);

  if (rooms == NULL)
    return FALSE;
  for (int day = 1; day <= 7; day++)
    {
      g_autofree char *text = clinic_form_window_get_text (form, weekday_keys[day - 1]);

      if (!clinic_hours_parse_day (text, day, rooms, blocks, error))
        return FALSE;
    }
  return clinic_schedule_set_hours (d->session, d->provider_id, blocks, error);
}

GtkWindow *
clinic_hours_form_new (GtkWindow     *parent,
                       ClinicSession *session,
                       gint64         provider_id,
                       const char    *provider_name)
{
  static const char *const labels[] = {
    N_("_Monday"), N_("_Tuesday"), N_("_Wednesday"), N_("T_hursday"), N_("_Friday"), N_("_Saturday"), N_("S_unday"),
  };
  g_autoptr(GArray) hours = clinic_schedule_get_hours (session, provider_id, NULL);
  g_autoptr(GPtrArray) rooms = clinic_rooms_list (session, TRUE, NULL);
  g_autofree char *title = g_strdup_printf (_("Working Hours of %s"), provider_name);
  ClinicFormWindow *form = clinic_form_window_new (parent, title, _("_Save"), submit_hours,
                                                   form_data_new (session, provider_id), form_data_free);

  clinic_form_window_add_notice (form, _("One line a day, blocks separated by commas, like 08:00-12:00, 13:00-17:00. A room’s name after a block’s hours puts the doctor in that room, like 08:00-12:00 Room 1; a booking then takes that room. Leave a day empty when the doctor does not work."), FALSE);
  for (int day = 1; day <= 7; day++)
    {
      g_autofree char *text = format_day (hours, rooms, day);

      clinic_form_window_add_entry (form, weekday_keys[day - 1], _(labels[day - 1]), text);
    }
  return GTK_WINDOW (form);
}

static gboolean
submit_exception (ClinicFormWindow  *form,
                  gpointer           data,
                  GError           **error)
{
  FormData *d = data;
  g_autoptr(GTimeZone) tz = clinic_schedule_get_timezone (clinic_session_get_db (d->session));
  g_autofree char *from = clinic_form_window_get_text (form, "from");
  g_autofree char *to = clinic_form_window_get_text (form, "to");
  g_autofree char *reason = clinic_form_window_get_text (form, "reason");
  ClinicScheduleException e = { 0 };

  e.provider_id = clinic_form_window_get_check (form, "everyone") ? 0 : d->provider_id;
  e.kind = clinic_form_window_get_choice (form, "kind");
  e.reason = reason;
  if (!clinic_parse_local_time (tz, from, &e.starts_at, error) || !clinic_parse_local_time (tz, to, &e.ends_at, error))
    return FALSE;
  return clinic_schedule_add_exception (d->session, &e, error) != 0;
}

GtkWindow *
clinic_exception_form_new (GtkWindow     *parent,
                           ClinicSession *session,
                           gint64         provider_id,
                           const char    *provider_name)
{
  const char *kinds[] = { _("Day off or holiday"), _("Blocked time"), _("Extra hours"), NULL };
  g_autofree char *title = g_strdup_printf (_("Exception for %s"), provider_name);
  g_autofree char *everyone = g_strdup_printf (_("For the _whole clinic, not only %s"), provider_name);
  ClinicFormWindow *form = clinic_form_window_new (parent, title, _("_Add"), submit_exception,
                                                   form_data_new (session, provider_id), form_data_free);

  clinic_form_window_add_choice (form, "kind", _("_Kind"), kinds, 1);
  clinic_form_window_add_entry (form, "from", _("_From (YYYY-MM-DD HH:MM)"), NULL);
  clinic_form_window_add_entry (form, "to", _("_Until (YYYY-MM-DD HH:MM)"), NULL);
  clinic_form_window_add_entry (form, "reason", _("_Reason"), NULL);
  clinic_form_window_add_check (form, "everyone", everyone, FALSE);
  return GTK_WINDOW (form);
}

static gboolean
submit_visit_type (ClinicFormWindow  *form,
                   gpointer           data,
                   GError           **error)
{
  FormData *d = data;
  g_autoptr(ClinicVisitType) t = clinic_visit_type_new ();

  g_free (t->name);
  t->name = clinic_form_window_get_text (form, "name");
  t->duration_min = clinic_form_window_get_number (form, "minutes");
  g_free (t->color);
  t->color = clinic_form_window_get_text (form, "color");
  t->patient_bookable = clinic_form_window_get_check (form, "patients");
  return clinic_visit_types_save (d->session, t, error) != 0;
}

GtkWindow *
clinic_visit_type_form_new (GtkWindow     *parent,
                            ClinicSession *session)
{
  ClinicFormWindow *form = clinic_form_window_new (parent, _("New Visit Type"), _("_Add"), submit_visit_type,
                                                   form_data_new (session, 0), form_data_free);

  clinic_form_window_add_entry (form, "name", _("_Name"), NULL);
  clinic_form_window_add_number (form, "minutes", _("_Minutes"), 5, 480, 20);
  clinic_form_window_add_entry (form, "color", _("_Colour (like #3584e4)"), "#3584e4");
  clinic_form_window_add_check (form, "patients", _("Patients may _book it at the kiosk"), FALSE);
  return GTK_WINDOW (form);
}
