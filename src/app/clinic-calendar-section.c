/* clinic-calendar-section.c — the calendar of the appointment book */

#include "config.h"

#include <glib/gi18n.h>

#include "clinic-app-utils.h"
#include "clinic-appointments.h"
#include "clinic-booking-dialog.h"
#include "clinic-cancel-dialog.h"
#include "clinic-calendar-section.h"
#include "clinic-chart-window.h"
#include "clinic-exceptions-window.h"
#include "clinic-ics-dialogs.h"
#include "clinic-rooms-window.h"
#include "clinic-schedule-forms.h"
#include "clinic-schedule.h"
#include "clinic-visit-types-window.h"

typedef enum
{
  UNDO_NONE,
  UNDO_MOVE,
  UNDO_CANCEL,
  UNDO_SERIES_MOVE,
} UndoKind;

struct _ClinicCalendarSection
{
  ClinicSection        parent_instance;

  GtkLabel            *title_label;
  GtkDropDown         *doctor_dropdown;
  GtkStringList       *doctor_list;
  GtkToggleButton     *day_toggle;
  GtkToggleButton     *week_toggle;
  GtkToggleButton     *month_toggle;
  GtkRevealer         *error_revealer;
  GtkLabel            *error_label;
  GtkScrolledWindow   *scroller;
  GtkMenuButton       *calendar_menu_button;
  AdwToastOverlay     *toast_overlay;

  ClinicCalendarView  *view;
  GPtrArray           *providers;   /* ClinicProvider, as in doctor_list */
  GTimeZone           *tz;
  gboolean             updating;

  /* What the newest toast's Undo does. */
  UndoKind             undo;
  gint64               undo_id;
  gint64               undo_start;
  gint64               undo_end;
  gint64               undo_provider;
  GArray              *undo_ids;       /* gint64: the dates cancelled */
  ClinicSeriesScope    undo_scope;     /* a series move: which dates, */
  int                  undo_days;      /* by how many days back */
  int                  undo_minute;    /* to which time (-1: their own) */

  /* The details shown. */
  GtkPopover          *details;
  gint64               details_id;
  GtkEditable         *reason_entry;
  GtkEditable         *note_entry;
};

G_DEFINE_FINAL_TYPE (ClinicCalendarSection, clinic_calendar_section, CLINIC_TYPE_SECTION)

static ClinicSession *
session_of (ClinicCalendarSection *self)
{
  return clinic_section_get_session (CLINIC_SECTION (self));
}

static void
show_error (ClinicCalendarSection *self,
            const GError          *error)
{
  clinic_section_show_error (self->error_revealer, self->error_label, error);
}

ClinicCalendarView *
clinic_calendar_section_get_view (ClinicCalendarSection *self)
{
  g_return_val_if_fail (CLINIC_IS_CALENDAR_SECTION (self), NULL);
  return self->view;
}

/* Header controls follow the view: after a reload, a month-day click. */
static void
on_reloaded (ClinicCalendarSection *self)
{
  g_autofree char *title = clinic_calendar_view_get_title (self->view);
  ClinicCalendarMode mode = clinic_calendar_view_get_mode (self->view);
  gint64 provider = clinic_calendar_view_get_provider (self->view);

  self->updating = TRUE;
  gtk_label_set_text (self->title_label, title);
  gtk_toggle_button_set_active (mode == CLINIC_CALENDAR_DAY ? self->day_toggle
                                : mode == CLINIC_CALENDAR_WEEK ? self->week_toggle : self->month_toggle, TRUE);
  gtk_widget_set_sensitive (GTK_WIDGET (self->doctor_dropdown), mode != CLINIC_CALENDAR_DAY);
  for (guint i = 0; i < self->providers->len; i++)
    if (((ClinicProvider *) g_ptr_array_index (self->providers, i))->user_id == provider)
      gtk_drop_down_set_selected (self->doctor_dropdown, i);
  self->updating = FALSE;
}

static void
reload (ClinicCalendarSection *self)
{
  g_autoptr(GError) error = NULL;

  clinic_calendar_view_reload (self->view, &error);
  show_error (self, error);
}

static void
shift (ClinicCalendarSection *self,
       int                    direction)
{
  g_autoptr(GError) error = NULL;

  clinic_calendar_view_shift (self->view, direction, &error);
  show_error (self, error);
}

static void
on_mode_toggled (ClinicCalendarSection *self,
                 GtkToggleButton       *button)
{
  if (self->updating || !gtk_toggle_button_get_active (button))
    return;
  clinic_calendar_view_set_mode (self->view,
                                 button == self->week_toggle ? CLINIC_CALENDAR_WEEK
                                 : button == self->month_toggle ? CLINIC_CALENDAR_MONTH
                                 : CLINIC_CALENDAR_DAY);
  reload (self);
}

static void
on_doctor_changed (ClinicCalendarSection *self)
{
  guint i = gtk_drop_down_get_selected (self->doctor_dropdown);

  if (self->updating || i >= self->providers->len)
    return;
  clinic_calendar_view_set_provider (self->view,
                                     ((ClinicProvider *) g_ptr_array_index (self->providers, i))->user_id);
  reload (self);
}

/* --- Undo ------------------------------------------------------------ */

gboolean
clinic_calendar_section_undo (ClinicCalendarSection *self)
{
  g_autoptr(GError) error = NULL;
  gboolean done = FALSE;

  g_return_val_if_fail (CLINIC_IS_CALENDAR_SECTION (self), FALSE);

  if (self->undo == UNDO_MOVE)
    done = clinic_appointments_reschedule (session_of (self), self->undo_id, self->undo_start, self->undo_end,
                                           self->undo_provider, NULL, &error);
  else if (self->undo == UNDO_CANCEL)
    done = clinic_cancel_undo (session_of (self), self->undo_ids, &error);
  else if (self->undo == UNDO_SERIES_MOVE)
    done = clinic_recurrence_reschedule (session_of (self), self->undo_id, self->undo_scope, self->undo_days,
                                         self->undo_minute, &error);
  self->undo = UNDO_NONE;
  show_error (self, error);
  if (done)
    reload (self);
  return done;
}

static void
on_undo_clicked (AdwToast              *toast,
                 ClinicCalendarSection *self)
{
  clinic_calendar_section_undo (self);
}

static void
offer_undo (ClinicCalendarSection *self,
            const char            *message)
{
  AdwToast *toast = adw_toast_new (message);

  adw_toast_set_button_label (toast, _("_Undo"));
  g_signal_connect_object (toast, "button-clicked", G_CALLBACK (on_undo_clicked), self, 0);
  clinic_toast_overlay_add (self->toast_overlay, toast);
}

static void
on_moved (ClinicCalendarSection *self,
          gint64                 id,
          gint64                 old_start,
          gint64                 old_end,
          gint64                 old_provider)
{
  self->undo = UNDO_MOVE;
  self->undo_id = id;
  self->undo_start = old_start;
  self->undo_end = old_end;
  self->undo_provider = old_provider;
  show_error (self, NULL);
  offer_undo (self, _("Appointment moved"));
}

static void on_refused (ClinicCalendarSection *self,
                        const char            *message);

/* The local date (as a Julian day) and minute of the day of @t. */
static void
local_day_minute (GTimeZone *tz,
                  gint64     t,
                  guint32   *julian,
                  int       *minute)
{
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (t);
  g_autoptr(GDateTime) local = g_date_time_to_timezone (utc, tz);
  g_autoptr(GDate) date = g_date_new_dmy (g_date_time_get_day_of_month (local),
                                          g_date_time_get_month (local), g_date_time_get_year (local));

  *julian = g_date_get_julian (date);
  *minute = g_date_time_get_hour (local) * 60 + g_date_time_get_minute (local);
}

gboolean
clinic_calendar_section_move_dates (ClinicCalendarSection *self,
                                    gint64                 id,
                                    ClinicSeriesScope      scope,
                                    gint64                 starts_at)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClinicAppointment) a = NULL;
  g_autoptr(GArray) ids = NULL;
  g_autofree char *text = NULL;
  guint32 old_day, new_day;
  int old_minute, new_minute, days;

  g_return_val_if_fail (CLINIC_IS_CALENDAR_SECTION (self), FALSE);

  a = clinic_appointments_get (session_of (self), id, &error);
  if (a == NULL)
    {
      show_error (self, error);
      return FALSE;
    }
  if (scope == CLINIC_SERIES_THIS)
    return clinic_calendar_view_move (self->view, id, starts_at, starts_at + (a->ends_at - a->starts_at),
                                      a->provider_id, NULL);

  /* The series moves by whole days and to the new time of day, each
   * date keeping its own wall time when only the day changed. */
  local_day_minute (self->tz, a->starts_at, &old_day, &old_minute);
  local_day_minute (self->tz, starts_at, &new_day, &new_minute);
  days = (int) new_day - (int) old_day;
  ids = clinic_recurrence_scope (session_of (self), id, scope, &error);
  if (ids == NULL
      || !clinic_recurrence_reschedule (session_of (self), id, scope, days,
                                        new_minute != old_minute ? new_minute : -1, &error))
    {
      on_refused (self, error->message);
      return FALSE;
    }
  self->undo = UNDO_SERIES_MOVE;
  self->undo_id = id;
  self->undo_scope = scope;
  self->undo_days = -days;
  self->undo_minute = new_minute != old_minute ? old_minute : -1;
  show_error (self, NULL);
  reload (self);
  text = g_strdup_printf (ngettext ("%u appointment of the series moved",
                                    "%u appointments of the series moved", ids->len), ids->len);
  offer_undo (self, text);
  return TRUE;
}

static void
on_move_response (AdwMessageDialog      *dialog,
                  const char            *response,
                  ClinicCalendarSection *self)
{
  static const char *const scopes[] = { "this", "following", "all" };
  gint64 *move = g_object_get_data (G_OBJECT (dialog), "clinic-move");

  for (guint i = 0; i < G_N_ELEMENTS (scopes); i++)
    if (g_strcmp0 (response, scopes[i]) == 0)
      clinic_calendar_section_move_dates (self, move[0], (ClinicSeriesScope) i, move[1]);
}

/* A date of a series was dragged: ask which dates move, unless the
 * doctor changed (a series keeps its doctor) or nothing follows it. */
static gboolean
on_series_move_requested (ClinicCalendarSection *self,
                          gint64                 id,
                          gint64                 starts_at,
                          gint64                 ends_at,
                          gint64                 provider_id)
{
  g_autoptr(ClinicAppointment) a = clinic_appointments_get (session_of (self), id, NULL);
  g_autoptr(GArray) all = NULL;
  AdwMessageDialog *dialog;
  gint64 move[2] = { id, starts_at };

  if (a == NULL || (provider_id != 0 && provider_id != a->provider_id))
    return FALSE;
  all = clinic_recurrence_scope (session_of (self), id, CLINIC_SERIES_ALL, NULL);
  if (all == NULL || all->len <= 1)
    return FALSE;
  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))),
                                                       _("Move a Recurring Appointment?"),
                                                       _("This appointment is one date of a series. Move only it, or the later dates too by the same days and to the same time?")));
  adw_message_dialog_add_responses (dialog, "keep", _("_Don’t Move"), "this", _("_Only This One"),
                                    "following", _("This and _Following"), "all", _("_All Still to Come"), NULL);
  adw_message_dialog_set_default_response (dialog, "this");
  adw_message_dialog_set_close_response (dialog, "keep");
  g_object_set_data_full (G_OBJECT (dialog), "clinic-move", g_memdup2 (move, sizeof move), g_free);
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_move_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
  return TRUE;
}

static void
on_refused (ClinicCalendarSection *self,
            const char            *message)
{
  clinic_toast_overlay_add (self->toast_overlay, adw_toast_new (message));
}

gboolean
clinic_calendar_section_cancel_dates (ClinicCalendarSection *self,
                                      gint64                 id,
                                      ClinicSeriesScope      scope,
                                      const char            *reason)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) ids = NULL;
  g_autofree char *text = NULL;

  g_return_val_if_fail (CLINIC_IS_CALENDAR_SECTION (self), FALSE);

  ids = clinic_cancel_appointments (session_of (self), id, scope, reason, &error);
  if (ids == NULL)
    {
      show_error (self, error);
      return FALSE;
    }
  if (self->details != NULL)
    gtk_popover_popdown (self->details);
  self->undo = UNDO_CANCEL;
  g_clear_pointer (&self->undo_ids, g_array_unref);
  self->undo_ids = g_array_ref (ids);
  show_error (self, NULL);
  reload (self);
  if (ids->len == 1)
    text = g_strdup (_("Appointment cancelled"));
  else
    text = g_strdup_printf (ngettext ("%u appointment of the series cancelled",
                                      "%u appointments of the series cancelled", ids->len), ids->len);
  offer_undo (self, text);
  return TRUE;
}

gboolean
clinic_calendar_section_cancel (ClinicCalendarSection *self,
                                gint64                 id,
                                const char            *reason)
{
  return clinic_calendar_section_cancel_dates (self, id, CLINIC_SERIES_THIS, reason);
}

static void
on_cancel_response (AdwMessageDialog      *dialog,
                    const char            *response,
                    ClinicCalendarSection *self)
{
  if (g_strcmp0 (response, CLINIC_CANCEL_RESPONSE) == 0)
    clinic_calendar_section_cancel_dates (self, clinic_cancel_dialog_get_id (dialog),
                                          clinic_cancel_dialog_get_scope (dialog),
                                          clinic_cancel_dialog_get_reason (dialog));
}

AdwMessageDialog *
clinic_calendar_section_ask_cancel (ClinicCalendarSection *self,
                                    gint64                 id)
{
  AdwMessageDialog *dialog;

  g_return_val_if_fail (CLINIC_IS_CALENDAR_SECTION (self), NULL);

  dialog = clinic_cancel_dialog_new (GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))), session_of (self), id);
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_cancel_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
  return dialog;
}

static void
on_cancel_requested (ClinicCalendarSection *self,
                     gint64                 id)
{
  clinic_calendar_section_ask_cancel (self, id);
}

/* --- Booking --------------------------------------------------------- */

static void
on_booked (ClinicCalendarSection *self,
           gint64                 id)
{
  reload (self);
  clinic_toast_overlay_add (self->toast_overlay, adw_toast_new (_("Appointment booked")));
}

static void
on_series_booked (ClinicCalendarSection *self,
                  gint64                 series,
                  guint                  n_booked)
{
  g_autofree char *text = g_strdup_printf (ngettext ("%u appointment of the series booked",
                                                     "%u appointments of the series booked", n_booked),
                                           n_booked);

  reload (self);
  clinic_toast_overlay_add (self->toast_overlay, adw_toast_new (text));
}

GtkWindow *
clinic_calendar_section_book (ClinicCalendarSection *self,
                              gint64                 provider_id,
                              gint64                 start)
{
  GtkWindow *dialog;

  g_return_val_if_fail (CLINIC_IS_CALENDAR_SECTION (self), NULL);

  dialog = clinic_booking_dialog_new (GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))), session_of (self),
                                      provider_id != 0 ? provider_id : clinic_calendar_view_get_provider (self->view),
                                      start);
  g_signal_connect_object (dialog, "booked", G_CALLBACK (on_booked), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (dialog, "series-booked", G_CALLBACK (on_series_booked), self, G_CONNECT_SWAPPED);
  gtk_window_present (dialog);
  return dialog;
}

static void
on_book_slot (ClinicCalendarSection *self,
              gint64                 provider_id,
              gint64                 start)
{
  clinic_calendar_section_book (self, provider_id, start);
}

/* --- Details --------------------------------------------------------- */

static void
details_status (ClinicCalendarSection *self,
                ClinicAppointmentStatus status)
{
  g_autoptr(GError) error = NULL;

  if (!clinic_appointments_set_status (session_of (self), self->details_id, status, &error))
    {
      clinic_toast_overlay_add (self->toast_overlay, adw_toast_new (error->message));
      return;
    }
  gtk_popover_popdown (self->details);
  reload (self);
}

static void
on_status_clicked (GtkButton             *button,
                   ClinicCalendarSection *self)
{
  details_status (self, GPOINTER_TO_INT (g_object_get_data (G_OBJECT (button), "status")));
}

static void
on_details_cancel (ClinicCalendarSection *self)
{
  clinic_calendar_section_ask_cancel (self, self->details_id);
}

static void
on_details_chart (ClinicCalendarSection *self)
{
  g_autoptr(ClinicAppointment) a = clinic_appointments_get (session_of (self), self->details_id, NULL);
  g_autoptr(ClinicPatient) patient = NULL;
  g_autoptr(GError) error = NULL;

  if (a == NULL)
    return;
  patient = clinic_patients_get (session_of (self), a->patient_id, &error);
  show_error (self, error);
  if (patient == NULL)
    return;
  gtk_popover_popdown (self->details);
  gtk_window_present (GTK_WINDOW (clinic_chart_window_new (GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))),
                                                           session_of (self), patient)));
}

static void
on_details_save (ClinicCalendarSection *self)
{
  g_autoptr(GError) error = NULL;

  if (!clinic_appointments_edit (session_of (self), self->details_id, gtk_editable_get_text (self->reason_entry),
                                 gtk_editable_get_text (self->note_entry), &error))
    {
      clinic_toast_overlay_add (self->toast_overlay, adw_toast_new (error->message));
      return;
    }
  gtk_popover_popdown (self->details);
  reload (self);
}

static GtkWidget *
details_label (const char *text,
               const char *css_class)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_selectable (GTK_LABEL (label), FALSE);
  if (css_class != NULL)
    gtk_widget_add_css_class (label, css_class);
  return label;
}

static GtkWidget *
details_button (ClinicCalendarSection *self,
                GtkWidget             *box,
                const char            *label,
                GCallback              callback,
                int                    status)
{
  GtkWidget *button = gtk_button_new_with_mnemonic (label);

  if (status >= 0)
    {
      g_object_set_data (G_OBJECT (button), "status", GINT_TO_POINTER (status));
      g_signal_connect (button, "clicked", callback, self);
    }
  else
    g_signal_connect_swapped (button, "clicked", callback, self);
  gtk_flow_box_append (GTK_FLOW_BOX (box), button);
  return button;
}

static GtkWidget *
details_entry (const char *label,
               const char *text)
{
  GtkWidget *entry = gtk_entry_new ();

  gtk_editable_set_text (GTK_EDITABLE (entry), text != NULL ? text : "");
  gtk_entry_set_placeholder_text (GTK_ENTRY (entry), label);
  gtk_accessible_update_property (GTK_ACCESSIBLE (entry), GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
  return entry;
}

static void
on_details_room (GtkDropDown           *dropdown,
                 GParamSpec            *pspec,
                 ClinicCalendarSection *self)
{
  GArray *ids = g_object_get_data (G_OBJECT (dropdown), "room-ids");
  guint i = gtk_drop_down_get_selected (dropdown);
  g_autoptr(GError) error = NULL;

  if (ids == NULL || i >= ids->len)
    return;
  if (!clinic_appointments_set_room (session_of (self), self->details_id, g_array_index (ids, gint64, i), &error))
    {
      /* Back to the room it keeps. */
      guint kept = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (dropdown), "room-index"));

      clinic_toast_overlay_add (self->toast_overlay, adw_toast_new (error->message));
      g_signal_handlers_block_by_func (dropdown, on_details_room, self);
      gtk_drop_down_set_selected (dropdown, kept);
      g_signal_handlers_unblock_by_func (dropdown, on_details_room, self);
      return;
    }
  g_object_set_data (G_OBJECT (dropdown), "room-index", GUINT_TO_POINTER (i));
  reload (self);
}

/* A Room choice in the details of a booked or confirmed appointment of a
 * clinic with rooms, for staff; FALSE when there is none to offer. */
static gboolean
details_room_choice (ClinicCalendarSection   *self,
                     GtkWidget               *box,
                     const ClinicAppointment *a)
{
  g_autoptr(GPtrArray) rooms = NULL;
  g_autoptr(GtkStringList) names = NULL;
  GArray *ids;
  GtkWidget *row, *label, *dropdown;
  guint selected = 0;
  gint64 none = 0;

  if (clinic_session_get_kind (session_of (self)) == CLINIC_USER_PATIENT
      || (a->status != CLINIC_APPOINTMENT_BOOKED && a->status != CLINIC_APPOINTMENT_CONFIRMED))
    return FALSE;
  rooms = clinic_rooms_list (session_of (self), FALSE, NULL);
  if (rooms == NULL || rooms->len == 0)
    return FALSE;
  names = gtk_string_list_new (NULL);
  ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  gtk_string_list_append (names, _("No room"));
  g_array_append_val (ids, none);
  for (guint i = 0; i < rooms->len; i++)
    {
      const ClinicRoom *r = rooms->pdata[i];

      gtk_string_list_append (names, r->name);
      g_array_append_val (ids, r->id);
      if (r->id == a->room_id)
        selected = ids->len - 1;
    }
  if (a->room_id != 0 && selected == 0)
    {
      /* A retired room the appointment keeps. */
      g_autofree char *kept = g_strdup_printf (_("%s (retired)"), a->room_name);

      gtk_string_list_append (names, kept);
      g_array_append_val (ids, a->room_id);
      selected = ids->len - 1;
    }
  row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  label = gtk_label_new_with_mnemonic (_("_Room"));
  dropdown = gtk_drop_down_new (G_LIST_MODEL (g_steal_pointer (&names)), NULL);
  gtk_label_set_mnemonic_widget (GTK_LABEL (label), dropdown);
  gtk_accessible_update_property (GTK_ACCESSIBLE (dropdown), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Room"), -1);
  gtk_drop_down_set_selected (GTK_DROP_DOWN (dropdown), selected);
  g_object_set_data_full (G_OBJECT (dropdown), "room-ids", ids, (GDestroyNotify) g_array_unref);
  g_object_set_data (G_OBJECT (dropdown), "room-index", GUINT_TO_POINTER (selected));
  g_signal_connect (dropdown, "notify::selected", G_CALLBACK (on_details_room), self);
  gtk_box_append (GTK_BOX (row), label);
  gtk_box_append (GTK_BOX (row), dropdown);
  gtk_box_append (GTK_BOX (box), row);
  return TRUE;
}

GtkPopover *
clinic_calendar_section_show_details (ClinicCalendarSection *self,
                                      gint64                 id)
{
  static const struct { const char *label; ClinicAppointmentStatus status; } moves[] = {
    { N_("C_onfirm"), CLINIC_APPOINTMENT_CONFIRMED },
    { N_("_Arrived"), CLINIC_APPOINTMENT_ARRIVED },
    { N_("_Start"), CLINIC_APPOINTMENT_IN_PROGRESS },
    { N_("Co_mplete"), CLINIC_APPOINTMENT_COMPLETED },
    { N_("_No-show"), CLINIC_APPOINTMENT_NO_SHOW },
  };
  g_autoptr(ClinicAppointment) a = NULL;
  g_autoptr(GPtrArray) history = NULL;
  g_autoptr(GError) error = NULL;
  GtkWidget *block = clinic_calendar_view_get_block (self->view, id);
  GtkWidget *box, *buttons, *save;
  graphene_rect_t bounds;
  g_autofree char *start = NULL;
  g_autofree char *end = NULL;
  g_autofree char *when = NULL;
  g_autofree char *who = NULL;
  g_autofree char *what = NULL;

  g_return_val_if_fail (CLINIC_IS_CALENDAR_SECTION (self), NULL);

  if (block == NULL)
    return NULL;
  a = clinic_appointments_get (session_of (self), id, &error);
  if (a != NULL)
    history = clinic_appointments_history (session_of (self), id, &error);
  show_error (self, error);
  if (a == NULL || history == NULL)
    return NULL;

  if (self->details != NULL)
    gtk_popover_popdown (self->details);
  self->details_id = id;
  self->details = GTK_POPOVER (gtk_popover_new ());
  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  gtk_widget_set_size_request (box, 360, -1);
  start = clinic_format_local_time (self->tz, a->starts_at);
  end = clinic_format_local_time (self->tz, a->ends_at);
  /* Translators: the appointment details: date of birth, chart number */
  who = g_strdup_printf (_("Born %s · %s"), a->patient_birth, a->patient_chart);
  /* Translators: the appointment details: start, end time, doctor, visit type */
  when = g_strdup_printf (_("%s to %s · %s · %s"), start, end + 11, a->provider_name, a->visit_type);
  /* Translators: the appointment details: its status */
  what = g_strdup_printf (_("Status: %s"), clinic_appointment_status_to_string (a->status));
  gtk_box_append (GTK_BOX (box), details_label (a->patient_name, "heading"));
  gtk_box_append (GTK_BOX (box), details_label (who, NULL));
  gtk_box_append (GTK_BOX (box), details_label (when, NULL));
  if (!details_room_choice (self, box, a) && *a->room_name != '\0')
    {
      /* Translators: the appointment details: the room it is in */
      g_autofree char *room = g_strdup_printf (_("Room: %s"), a->room_name);

      gtk_box_append (GTK_BOX (box), details_label (room, NULL));
    }
  gtk_box_append (GTK_BOX (box), details_label (what, NULL));
  if (a->override_reason != NULL && *a->override_reason != '\0')
    {
      /* Translators: the appointment details: why it was booked despite a conflict */
      g_autofree char *anyway = g_strdup_printf (_("Booked anyway: %s"), a->override_reason);

      gtk_box_append (GTK_BOX (box), details_label (anyway, "error"));
    }

  buttons = gtk_flow_box_new ();
  gtk_flow_box_set_selection_mode (GTK_FLOW_BOX (buttons), GTK_SELECTION_NONE);
  gtk_flow_box_set_max_children_per_line (GTK_FLOW_BOX (buttons), 4);
  for (guint i = 0; i < G_N_ELEMENTS (moves); i++)
    details_button (self, buttons, _(moves[i].label), G_CALLBACK (on_status_clicked), moves[i].status);
  details_button (self, buttons, _("_Cancel…"), G_CALLBACK (on_details_cancel), -1);
  details_button (self, buttons, _("Open C_hart"), G_CALLBACK (on_details_chart), -1);
  gtk_box_append (GTK_BOX (box), buttons);

  self->reason_entry = GTK_EDITABLE (details_entry (_("Reason for the visit"), a->reason));
  self->note_entry = GTK_EDITABLE (details_entry (_("Note"), a->note));
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->reason_entry));
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->note_entry));
  save = gtk_button_new_with_mnemonic (_("_Save Reason and Note"));
  gtk_widget_set_halign (save, GTK_ALIGN_END);
  g_signal_connect_swapped (save, "clicked", G_CALLBACK (on_details_save), self);
  gtk_box_append (GTK_BOX (box), save);

  gtk_box_append (GTK_BOX (box), details_label (_("History"), "heading"));
  for (guint i = 0; i < history->len; i++)
    {
      ClinicAppointmentChange *c = g_ptr_array_index (history, i);
      g_autofree char *at = clinic_format_local_time (self->tz, c->at);
      g_autofree char *line = g_strdup_printf ("%s · %s · %s%s%s", at, c->user_name, c->action,
                                               c->detail != NULL && *c->detail != '\0' ? " · " : "",
                                               c->detail != NULL ? c->detail : "");

      gtk_box_append (GTK_BOX (box), details_label (line, "caption"));
    }

  gtk_popover_set_child (self->details, box);
  /* Beside the block, not inside it: the block's text colours would
   * reach the popover's labels through the style sheet. */
  gtk_widget_set_parent (GTK_WIDGET (self->details), GTK_WIDGET (self));
  if (gtk_widget_compute_bounds (block, GTK_WIDGET (self), &bounds))
    gtk_popover_set_pointing_to (self->details,
                                 &(GdkRectangle) { (int) bounds.origin.x, (int) bounds.origin.y,
                                                   (int) bounds.size.width, (int) bounds.size.height });
  g_signal_connect (self->details, "closed", G_CALLBACK (gtk_widget_unparent), NULL);
  g_object_add_weak_pointer (G_OBJECT (self->details), (gpointer *) &self->details);
  gtk_popover_popup (self->details);
  return self->details;
}

static void
on_activated (ClinicCalendarSection *self,
              gint64                 id)
{
  clinic_calendar_section_show_details (self, id);
}

/* --- Actions and the rest ---------------------------------------------- */

static void
previous_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  shift (CLINIC_CALENDAR_SECTION (widget), -1);
}

static void
next_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  shift (CLINIC_CALENDAR_SECTION (widget), 1);
}

static void
today_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  shift (CLINIC_CALENDAR_SECTION (widget), 0);
}

static void
new_action (GtkWidget  *widget,
            const char *action_name,
            GVariant   *parameter)
{
  clinic_calendar_section_book (CLINIC_CALENDAR_SECTION (widget), 0, 0);
}

static GtkWindow *
root_window (ClinicCalendarSection *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  return GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL;
}

static void
on_ics_imported (ClinicCalendarSection *self)
{
  g_autoptr(GError) error = NULL;

  clinic_calendar_view_reload (self->view, &error);
}

/* The doctor the calendar shows (in the day view, the first column's). */
static const ClinicProvider *
current_provider (ClinicCalendarSection *self)
{
  gint64 id = clinic_calendar_view_get_provider (self->view);

  for (guint i = 0; self->providers != NULL && i < self->providers->len; i++)
    if (((ClinicProvider *) self->providers->pdata[i])->user_id == id)
      return self->providers->pdata[i];
  return self->providers != NULL && self->providers->len > 0 ? self->providers->pdata[0] : NULL;
}

static void
present_and_reload (ClinicCalendarSection *self,
                    GtkWindow             *form)
{
  /* The view follows once the form has saved and closed. */
  g_signal_connect_object (form, "destroy", G_CALLBACK (on_ics_imported), self, G_CONNECT_SWAPPED);
  gtk_window_present (form);
}

static void
hours_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  ClinicCalendarSection *self = CLINIC_CALENDAR_SECTION (widget);
  const ClinicProvider *p = current_provider (self);

  if (p != NULL)
    present_and_reload (self, clinic_hours_form_new (root_window (self), session_of (self), p->user_id,
                                                     p->display_name));
}

static void
exception_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  ClinicCalendarSection *self = CLINIC_CALENDAR_SECTION (widget);
  const ClinicProvider *p = current_provider (self);

  if (p != NULL)
    present_and_reload (self, clinic_exception_form_new (root_window (self), session_of (self), p->user_id,
                                                         p->display_name));
}

static void
visit_type_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  ClinicCalendarSection *self = CLINIC_CALENDAR_SECTION (widget);

  present_and_reload (self, clinic_visit_type_form_new (root_window (self), session_of (self)));
}

/* The Visit Types and Exceptions windows stay open while the calendar
 * behind them follows each change. */
static void
present_and_follow (ClinicCalendarSection *self,
                    GtkWindow             *window)
{
  g_signal_connect_object (window, "changed", G_CALLBACK (on_ics_imported), self, G_CONNECT_SWAPPED);
  gtk_window_present (window);
}

static void
visit_types_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  ClinicCalendarSection *self = CLINIC_CALENDAR_SECTION (widget);

  present_and_follow (self, clinic_visit_types_window_new (root_window (self), session_of (self)));
}

static void
exceptions_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  ClinicCalendarSection *self = CLINIC_CALENDAR_SECTION (widget);
  const ClinicProvider *p = current_provider (self);

  present_and_follow (self, clinic_exceptions_window_new (root_window (self), session_of (self),
                                                          p != NULL ? p->user_id : CLINIC_EXCEPTIONS_ALL));
}

static void
rooms_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  ClinicCalendarSection *self = CLINIC_CALENDAR_SECTION (widget);

  present_and_reload (self, clinic_rooms_window_new (root_window (self), session_of (self)));
}

static void
export_ics_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  ClinicCalendarSection *self = CLINIC_CALENDAR_SECTION (widget);

  gtk_window_present (clinic_ics_export_dialog_new (root_window (self), session_of (self)));
}

static void
import_ics_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  ClinicCalendarSection *self = CLINIC_CALENDAR_SECTION (widget);
  GtkWindow *dialog = clinic_ics_import_dialog_new (root_window (self), session_of (self));

  g_signal_connect_object (dialog, "imported", G_CALLBACK (on_ics_imported), self, G_CONNECT_SWAPPED);
  gtk_window_present (dialog);
}

static void
clinic_calendar_section_session_set (ClinicSection *section)
{
  ClinicCalendarSection *self = CLINIC_CALENDAR_SECTION (section);
  ClinicSession *session = session_of (self);
  g_autoptr(GError) error = NULL;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "calendar.visit-type",
                                 clinic_session_has_permission (session, CLINIC_PERMISSION_SETTINGS));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "calendar.visit-types",
                                 clinic_session_has_permission (session, CLINIC_PERMISSION_SETTINGS));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "calendar.rooms",
                                 clinic_session_has_permission (session, CLINIC_PERMISSION_SETTINGS));

  self->tz = clinic_schedule_get_timezone (clinic_session_get_db (session));
  self->view = clinic_calendar_view_new (session);
  gtk_scrolled_window_set_child (self->scroller, GTK_WIDGET (self->view));
  g_signal_connect_object (self->view, "reloaded", G_CALLBACK (on_reloaded), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->view, "book-slot", G_CALLBACK (on_book_slot), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->view, "appointment-activated", G_CALLBACK (on_activated), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->view, "moved", G_CALLBACK (on_moved), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->view, "refused", G_CALLBACK (on_refused), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->view, "series-move-requested", G_CALLBACK (on_series_move_requested), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->view, "cancel-requested", G_CALLBACK (on_cancel_requested), self,
                           G_CONNECT_SWAPPED);

  /* The doctor chooser lists who the view may show. */
  self->providers = clinic_providers_list (session, FALSE, &error);
  if (self->providers == NULL)
    self->providers = g_ptr_array_new ();
  for (guint i = 0; i < self->providers->len; i++)
    {
      ClinicProvider *p = g_ptr_array_index (self->providers, i);

      if (!clinic_session_has_permission (session, CLINIC_PERMISSION_SCHEDULE_ALL)
          && p->user_id != clinic_session_get_user_id (session))
        {
          g_ptr_array_remove_index (self->providers, i--);
          continue;
        }
      gtk_string_list_append (self->doctor_list, p->display_name);
    }
  g_signal_connect_swapped (self->doctor_dropdown, "notify::selected", G_CALLBACK (on_doctor_changed), self);
  gtk_widget_set_visible (GTK_WIDGET (self->doctor_dropdown), self->providers->len > 1);
  show_error (self, error);
  if (error == NULL)
    reload (self);
}

static void
clinic_calendar_section_dispose (GObject *object)
{
  ClinicCalendarSection *self = CLINIC_CALENDAR_SECTION (object);

  if (self->details != NULL)
    gtk_popover_popdown (self->details);
  gtk_widget_dispose_template (GTK_WIDGET (object), CLINIC_TYPE_CALENDAR_SECTION);
  g_clear_pointer (&self->providers, g_ptr_array_unref);
  g_clear_pointer (&self->tz, g_time_zone_unref);
  g_clear_pointer (&self->undo_ids, g_array_unref);

  G_OBJECT_CLASS (clinic_calendar_section_parent_class)->dispose (object);
}

static void
clinic_calendar_section_class_init (ClinicCalendarSectionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  ClinicSectionClass *section_class = CLINIC_SECTION_CLASS (klass);

  clinic_ensure_resources ();
  object_class->dispose = clinic_calendar_section_dispose;
  section_class->session_set = clinic_calendar_section_session_set;

  gtk_widget_class_set_template_from_resource (widget_class, "/com/example/Clinic/ui/clinic-calendar-section.ui");
  gtk_widget_class_bind_template_child (widget_class, ClinicCalendarSection, title_label);
  gtk_widget_class_bind_template_child (widget_class, ClinicCalendarSection, doctor_dropdown);
  gtk_widget_class_bind_template_child (widget_class, ClinicCalendarSection, doctor_list);
  gtk_widget_class_bind_template_child (widget_class, ClinicCalendarSection, day_toggle);
  gtk_widget_class_bind_template_child (widget_class, ClinicCalendarSection, week_toggle);
  gtk_widget_class_bind_template_child (widget_class, ClinicCalendarSection, month_toggle);
  gtk_widget_class_bind_template_child (widget_class, ClinicCalendarSection, error_revealer);
  gtk_widget_class_bind_template_child (widget_class, ClinicCalendarSection, error_label);
  gtk_widget_class_bind_template_child (widget_class, ClinicCalendarSection, scroller);
  gtk_widget_class_bind_template_child (widget_class, ClinicCalendarSection, calendar_menu_button);
  gtk_widget_class_bind_template_callback (widget_class, on_mode_toggled);

  gtk_widget_class_install_action (widget_class, "calendar.previous", NULL, previous_action);
  gtk_widget_class_install_action (widget_class, "calendar.next", NULL, next_action);
  gtk_widget_class_install_action (widget_class, "calendar.today", NULL, today_action);
  gtk_widget_class_install_action (widget_class, "calendar.new", NULL, new_action);
  gtk_widget_class_install_action (widget_class, "calendar.export-ics", NULL, export_ics_action);
  gtk_widget_class_install_action (widget_class, "calendar.hours", NULL, hours_action);
  gtk_widget_class_install_action (widget_class, "calendar.exception", NULL, exception_action);
  gtk_widget_class_install_action (widget_class, "calendar.visit-type", NULL, visit_type_action);
  gtk_widget_class_install_action (widget_class, "calendar.visit-types", NULL, visit_types_action);
  gtk_widget_class_install_action (widget_class, "calendar.exceptions", NULL, exceptions_action);
  gtk_widget_class_install_action (widget_class, "calendar.rooms", NULL, rooms_action);
  gtk_widget_class_install_action (widget_class, "calendar.import-ics", NULL, import_ics_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Left, GDK_CONTROL_MASK, "calendar.previous", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Page_Up, 0, "calendar.previous", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Right, GDK_CONTROL_MASK, "calendar.next", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Page_Down, 0, "calendar.next", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_t, 0, "calendar.today", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_n, GDK_CONTROL_MASK, "calendar.new", NULL);
}

static void
clinic_calendar_section_init (ClinicCalendarSection *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  /* The bin's own child (not a template child: AdwBin unparents it). */
  self->toast_overlay = ADW_TOAST_OVERLAY (adw_bin_get_child (ADW_BIN (self)));
  clinic_menu_button_set_accessible_label (self->calendar_menu_button, _("Calendar Files"));
}
