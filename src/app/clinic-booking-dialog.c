/* clinic-booking-dialog.c — booking an appointment at the front desk */

#include "config.h"

#include <glib/gi18n.h>

#include "clinic-app-utils.h"
#include "clinic-appointments.h"
#include "clinic-booking-dialog.h"
#include "clinic-patient-documents.h"
#include "clinic-error.h"
#include "clinic-patients.h"
#include "clinic-recurrence.h"
#include "clinic-schedule.h"

#define PATIENT_ROWS 8
#define SLOT_ROWS    8
#define SLOT_DAYS    14
/* How long typing may pause before the series' dates are checked. */
#define PREVIEW_DELAY_MS 250

struct _ClinicBookingDialog
{
  AdwWindow      parent_instance;

  ClinicSession *session;
  GTimeZone     *tz;
  GPtrArray     *providers;     /* ClinicProvider */
  GPtrArray     *types;         /* ClinicVisitType */
  GPtrArray     *rooms;         /* ClinicRoom, active; the list's first row is "No room" */
  gint64         patient_id;
  gint64         from;          /* the free times listed start here */
  char          *error;

  GtkRevealer   *error_revealer;
  GtkLabel      *error_label;
  GtkWidget     *anyway_button;
  GtkSearchEntry *patient_search;
  GtkListBox    *patient_list;
  GtkLabel      *patient_label;
  GtkExpander   *new_patient_expander;
  AdwEntryRow   *family_row;
  AdwEntryRow   *given_row;
  AdwEntryRow   *birth_row;
  AdwEntryRow   *phone_row;
  AdwComboRow   *doctor_row;
  GtkStringList *doctor_list;
  AdwComboRow   *type_row;
  GtkStringList *type_list;
  AdwComboRow   *room_row;
  GtkStringList *room_list;
  AdwEntryRow   *time_row;
  AdwEntryRow   *reason_row;
  AdwEntryRow   *note_row;
  GtkListBox    *slot_list;
  AdwExpanderRow *repeat_row;
  AdwComboRow   *pattern_row;
  AdwActionRow  *interval_row;
  GtkSpinButton *interval_spin;
  AdwComboRow   *end_row;
  AdwActionRow  *count_row;
  GtkSpinButton *count_spin;
  AdwEntryRow   *until_row;
  GtkSwitch     *skip_switch;
  GtkLabel      *series_label;
  GtkListBox    *occurrence_list;
  guint          preview_source;
};

G_DEFINE_FINAL_TYPE (ClinicBookingDialog, clinic_booking_dialog, ADW_TYPE_WINDOW)

enum { BOOKED, SERIES_BOOKED, N_SIGNALS };
static guint signals[N_SIGNALS];

static void
show_error (ClinicBookingDialog *self,
            const GError        *error,
            gboolean             may_override)
{
  g_clear_pointer (&self->error, g_free);
  if (error != NULL)
    self->error = g_strdup (error->message);
  gtk_label_set_text (self->error_label, error ? error->message : "");
  gtk_revealer_set_reveal_child (self->error_revealer, error != NULL);
  gtk_widget_set_visible (self->anyway_button,
                          may_override
                          && clinic_session_has_permission (self->session, CLINIC_PERMISSION_SCHEDULE_OVERRIDE));
}

static void
clear_list (GtkListBox *list)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (list))) != NULL)
    gtk_list_box_remove (list, child);
}

static GtkWidget *
text_row (const char *title,
          const char *subtitle)
{
  GtkWidget *row = adw_action_row_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  if (subtitle != NULL)
    adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
  return row;
}

/* Name, date of birth and chart number: the three that tell two
 * patients of one name apart. */
static char *
describe_patient (const ClinicPatient *p)
{
  /* Translators: a patient in the booking dialog: family, given names,
   * date of birth, chart number */
  return g_strdup_printf (_("%s, %s — born %s — %s"), p->family_name, p->given_names,
                          p->birth_date, p->chart_number);
}

void
clinic_booking_dialog_set_patient (ClinicBookingDialog *self,
                                   gint64               patient_id)
{
  g_autoptr(ClinicPatient) p = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  g_return_if_fail (CLINIC_IS_BOOKING_DIALOG (self));

  p = clinic_patients_get (self->session, patient_id, &error);
  if (p == NULL)
    {
      show_error (self, error, FALSE);
      return;
    }
  self->patient_id = patient_id;
  text = describe_patient (p);
  gtk_label_set_text (self->patient_label, text);
}

gint64
clinic_booking_dialog_get_patient (ClinicBookingDialog *self)
{
  g_return_val_if_fail (CLINIC_IS_BOOKING_DIALOG (self), 0);
  return self->patient_id;
}

static void
on_patient_activated (GtkListBox          *list,
                      GtkListBoxRow       *row,
                      ClinicBookingDialog *self)
{
  gint64 *id = g_object_get_data (G_OBJECT (row), "patient-id");

  if (id != NULL)
    clinic_booking_dialog_set_patient (self, *id);
}

static void
on_search_changed (GtkSearchEntry      *entry,
                   ClinicBookingDialog *self)
{
  const char *query = gtk_editable_get_text (GTK_EDITABLE (entry));
  g_autoptr(GPtrArray) found = NULL;
  g_autoptr(GError) error = NULL;
  ClinicPatientFilter filter;

  clear_list (self->patient_list);
  gtk_widget_set_visible (GTK_WIDGET (self->patient_list), FALSE);
  if (*query == '\0')
    return;
  clinic_patient_filter_init (&filter);
  found = clinic_patients_search (self->session, query, &filter, 0, PATIENT_ROWS, NULL, &error);
  if (found == NULL)
    {
      show_error (self, error, FALSE);
      return;
    }
  for (guint i = 0; i < found->len; i++)
    {
      ClinicPatient *p = g_ptr_array_index (found, i);
      g_autofree char *name = g_strdup_printf ("%s, %s", p->family_name, p->given_names);
      /* Translators: under a patient's name in the booking dialog */
      g_autofree char *detail = g_strdup_printf (_("Born %s · %s"), p->birth_date, p->chart_number);
      GtkWidget *row = text_row (name, detail);

      adw_action_row_add_prefix (ADW_ACTION_ROW (row),
                                 clinic_patient_avatar_new (self->session, p, 32));
      g_object_set_data_full (G_OBJECT (row), "patient-id", g_memdup2 (&p->id, sizeof (gint64)), g_free);
      gtk_list_box_append (self->patient_list, row);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->patient_list), found->len > 0);
}

static gint64
chosen_provider (ClinicBookingDialog *self)
{
  guint i = adw_combo_row_get_selected (self->doctor_row);

  return i < self->providers->len ? ((ClinicProvider *) g_ptr_array_index (self->providers, i))->user_id : 0;
}

static gint64
chosen_type (ClinicBookingDialog *self)
{
  guint i = adw_combo_row_get_selected (self->type_row);

  return i < self->types->len ? ((ClinicVisitType *) g_ptr_array_index (self->types, i))->id : 0;
}

static gint64
chosen_room (ClinicBookingDialog *self)
{
  guint i = adw_combo_row_get_selected (self->room_row);

  return i >= 1 && i <= self->rooms->len ? ((ClinicRoom *) g_ptr_array_index (self->rooms, i - 1))->id : 0;
}

gint64
clinic_booking_dialog_get_room (ClinicBookingDialog *self)
{
  g_return_val_if_fail (CLINIC_IS_BOOKING_DIALOG (self), 0);
  return chosen_room (self);
}

/* Shows the room the booking would take from the doctor's working hours
 * at the typed time ("No room" when they name none), as the core would
 * choose it; the front desk may choose another. */
static void
preselect_room (ClinicBookingDialog *self)
{
  gint64 start = 0, room_id;

  if (self->rooms->len == 0
      || !clinic_parse_local_time (self->tz, gtk_editable_get_text (GTK_EDITABLE (self->time_row)), &start, NULL)
      || (room_id = clinic_schedule_room_at (self->session, chosen_provider (self), start, NULL)) < 0)
    return;
  adw_combo_row_set_selected (self->room_row, 0);
  for (guint i = 0; i < self->rooms->len; i++)
    if (((ClinicRoom *) g_ptr_array_index (self->rooms, i))->id == room_id)
      adw_combo_row_set_selected (self->room_row, i + 1);
}

gint64
clinic_booking_dialog_get_provider (ClinicBookingDialog *self)
{
  g_return_val_if_fail (CLINIC_IS_BOOKING_DIALOG (self), 0);
  return chosen_provider (self);
}

const char *
clinic_booking_dialog_get_time (ClinicBookingDialog *self)
{
  g_return_val_if_fail (CLINIC_IS_BOOKING_DIALOG (self), NULL);
  return gtk_editable_get_text (GTK_EDITABLE (self->time_row));
}

const char *
clinic_booking_dialog_get_error (ClinicBookingDialog *self)
{
  g_return_val_if_fail (CLINIC_IS_BOOKING_DIALOG (self), NULL);
  return self->error;
}

/* The clinic's weekday of @t, "Monday", for the rows under a time. */
static char *
local_weekday (ClinicBookingDialog *self,
               gint64               t)
{
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (t);
  g_autoptr(GDateTime) local = g_date_time_to_timezone (utc, self->tz);

  return g_date_time_format (local, "%A");
}

static void
update_slots (ClinicBookingDialog *self)
{
  g_autoptr(GDateTime) first = g_date_time_new_from_unix_utc (MAX (self->from, g_get_real_time () / G_USEC_PER_SEC));
  g_autoptr(GDateTime) now = g_date_time_to_timezone (first, self->tz);
  g_autoptr(GDateTime) until = g_date_time_add_days (now, SLOT_DAYS);
  g_autofree char *from = g_date_time_format (now, "%Y-%m-%d");
  g_autofree char *to = g_date_time_format (until, "%Y-%m-%d");
  g_autoptr(GArray) slots = NULL;
  g_autoptr(GError) error = NULL;

  clear_list (self->slot_list);
  if (chosen_provider (self) == 0 || chosen_type (self) == 0)
    return;
  slots = clinic_schedule_availability (self->session, chosen_provider (self), chosen_type (self),
                                        from, to, &error);
  for (guint i = 0; slots != NULL && i < slots->len && i < SLOT_ROWS; i++)
    {
      ClinicSlot *slot = &g_array_index (slots, ClinicSlot, i);
      g_autofree char *text = clinic_format_local_time (self->tz, slot->starts_at);
      g_autofree char *weekday = local_weekday (self, slot->starts_at);
      GtkWidget *row = text_row (text, weekday);

      g_object_set_data_full (G_OBJECT (row), "slot-time", g_steal_pointer (&text), g_free);
      gtk_list_box_append (self->slot_list, row);
    }
  if (slots != NULL && slots->len == 0)
    gtk_list_box_append (self->slot_list, text_row (_("No free time in these two weeks."), NULL));
}

static void
on_slot_activated (GtkListBox          *list,
                   GtkListBoxRow       *row,
                   ClinicBookingDialog *self)
{
  const char *text = g_object_get_data (G_OBJECT (row), "slot-time");

  if (text != NULL)
    gtk_editable_set_text (GTK_EDITABLE (self->time_row), text);
}

static void
on_choice_changed (ClinicBookingDialog *self)
{
  update_slots (self);
  preselect_room (self);
}

static char *
text_of (AdwEntryRow *row)
{
  return g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (row))));
}

/* --- Repeat ---------------------------------------------------------- */

gboolean
clinic_booking_dialog_get_repeats (ClinicBookingDialog *self)
{
  g_return_val_if_fail (CLINIC_IS_BOOKING_DIALOG (self), FALSE);
  return adw_expander_row_get_enable_expansion (self->repeat_row);
}

/* The rule as the Repeat rows say it; @until keeps the typed last date
 * alive as long as the rule. */
static void
read_rule (ClinicBookingDialog *self,
           ClinicRecurrence    *rule,
           char               **until)
{
  static const ClinicRepeat patterns[] = {
    CLINIC_REPEAT_WEEKLY, CLINIC_REPEAT_MONTHLY_BY_DATE, CLINIC_REPEAT_MONTHLY_BY_WEEKDAY,
  };
  guint pattern = MIN (adw_combo_row_get_selected (self->pattern_row), G_N_ELEMENTS (patterns) - 1);
  gboolean by_date = adw_combo_row_get_selected (self->end_row) == 1;

  rule->repeat = patterns[pattern];
  rule->interval = gtk_spin_button_get_value_as_int (self->interval_spin);
  *until = by_date ? text_of (self->until_row) : NULL;
  rule->until = *until;
  rule->count = by_date ? 0 : gtk_spin_button_get_value_as_int (self->count_spin);
}

/* The booking as the form says it, without the patient check: the
 * dates of a series can be checked before the patient is chosen. */
static gboolean
read_booking (ClinicBookingDialog *self,
              ClinicBooking       *booking,
              GError             **error)
{
  if (!clinic_parse_local_time (self->tz, clinic_booking_dialog_get_time (self), &booking->starts_at, error))
    return FALSE;
  booking->patient_id = self->patient_id;
  booking->provider_id = chosen_provider (self);
  booking->visit_type_id = chosen_type (self);
  booking->room_id = chosen_room (self);
  return TRUE;
}

static void
show_occurrences (ClinicBookingDialog *self,
                  GPtrArray           *list)
{
  g_autofree char *summary = NULL;
  guint n_refused = 0;

  clear_list (self->occurrence_list);
  for (guint i = 0; i < list->len; i++)
    {
      ClinicOccurrence *o = g_ptr_array_index (list, i);
      g_autofree char *weekday = local_weekday (self, o->starts_at);
      g_autofree char *title = clinic_format_local_time (self->tz, o->starts_at);
      /* Translators: a date of a recurring series in the booking dialog:
       * weekday, then why it cannot be booked */
      g_autofree char *problem = o->free ? NULL : g_strdup_printf (_("%s — %s"), weekday, o->problem);
      GtkWidget *row = text_row (title, o->free ? weekday : problem);
      GtkWidget *icon = gtk_image_new_from_icon_name (o->free ? "object-select-symbolic"
                                                              : "dialog-warning-symbolic");

      gtk_accessible_update_property (GTK_ACCESSIBLE (icon), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      o->free ? _("Free") : _("Cannot be booked"), -1);
      adw_action_row_add_prefix (ADW_ACTION_ROW (row), icon);
      gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), FALSE);
      if (!o->free)
        {
          gtk_widget_add_css_class (row, "error");
          n_refused++;
        }
      gtk_list_box_append (self->occurrence_list, row);
    }
  if (n_refused == 0)
    summary = g_strdup_printf (ngettext ("%u date; it can be booked.",
                                         "%u dates; all can be booked.", list->len), list->len);
  else
    /* Translators: %u of %u dates of a series cannot be booked */
    summary = g_strdup_printf (ngettext ("%u of %u dates cannot be booked (marked below).",
                                         "%u of %u dates cannot be booked (marked below).", n_refused),
                               n_refused, list->len);
  gtk_label_set_text (self->series_label, summary);
  gtk_widget_set_visible (GTK_WIDGET (self->occurrence_list), list->len > 0);
}

static gboolean
update_preview (gpointer data)
{
  ClinicBookingDialog *self = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = NULL;
  g_autofree char *until = NULL;
  ClinicRecurrence rule;
  ClinicBooking booking = { 0 };

  self->preview_source = 0;
  if (!clinic_booking_dialog_get_repeats (self))
    {
      gtk_widget_set_visible (GTK_WIDGET (self->series_label), FALSE);
      gtk_widget_set_visible (GTK_WIDGET (self->occurrence_list), FALSE);
      return G_SOURCE_REMOVE;
    }
  read_rule (self, &rule, &until);
  if (read_booking (self, &booking, &error))
    list = clinic_recurrence_preview (self->session, &booking, &rule, &error);
  gtk_widget_set_visible (GTK_WIDGET (self->series_label), TRUE);
  if (list == NULL)
    {
      /* A half-typed date is not an error yet; say what is missing. */
      gtk_label_set_text (self->series_label, error->message);
      clear_list (self->occurrence_list);
      gtk_widget_set_visible (GTK_WIDGET (self->occurrence_list), FALSE);
      return G_SOURCE_REMOVE;
    }
  show_occurrences (self, list);
  return G_SOURCE_REMOVE;
}

void
clinic_booking_dialog_check_dates (ClinicBookingDialog *self)
{
  g_return_if_fail (CLINIC_IS_BOOKING_DIALOG (self));
  g_clear_handle_id (&self->preview_source, g_source_remove);
  update_preview (self);
}

static void
on_repeat_changed (ClinicBookingDialog *self)
{
  gboolean weekly = adw_combo_row_get_selected (self->pattern_row) == 0;
  gboolean by_date = adw_combo_row_get_selected (self->end_row) == 1;

  adw_action_row_set_subtitle (self->interval_row, weekly ? _("weeks") : _("months"));
  gtk_widget_set_visible (GTK_WIDGET (self->count_row), !by_date);
  gtk_widget_set_visible (GTK_WIDGET (self->until_row), by_date);
  gtk_widget_set_visible (self->anyway_button, FALSE);
  g_clear_handle_id (&self->preview_source, g_source_remove);
  self->preview_source = g_timeout_add (PREVIEW_DELAY_MS, update_preview, self);
}

static gint64
book_series (ClinicBookingDialog *self,
             ClinicBooking       *booking)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *until = NULL;
  ClinicRecurrence rule;
  guint n_booked = 0;
  gint64 series;

  read_rule (self, &rule, &until);
  series = clinic_recurrence_book (self->session, booking, &rule, gtk_switch_get_active (self->skip_switch),
                                   &n_booked, &error);
  if (series == 0)
    {
      /* A series is not booked anyway: leave out the dates instead. */
      show_error (self, error, FALSE);
      clinic_booking_dialog_check_dates (self);
      return 0;
    }
  show_error (self, NULL, FALSE);
  g_signal_emit (self, signals[SERIES_BOOKED], 0, series, n_booked);
  gtk_window_close (GTK_WINDOW (self));
  return series;
}

gint64
clinic_booking_dialog_book (ClinicBookingDialog *self,
                            const char          *override_reason)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *reason = text_of (self->reason_row);
  g_autofree char *note = text_of (self->note_row);
  ClinicBooking booking = { 0 };
  gint64 id;

  g_return_val_if_fail (CLINIC_IS_BOOKING_DIALOG (self), 0);

  if (self->patient_id == 0)
    {
      g_set_error_literal (&error, CLINIC_ERROR, CLINIC_ERROR_INVALID,
                           _("Choose the patient first: search by name, date of birth or chart number."));
      show_error (self, error, FALSE);
      return 0;
    }
  if (!read_booking (self, &booking, &error))
    {
      show_error (self, error, FALSE);
      return 0;
    }
  booking.reason = reason;
  booking.note = note;
  if (clinic_booking_dialog_get_repeats (self))
    return book_series (self, &booking);
  booking.override_reason = override_reason;
  id = clinic_appointments_book (self->session, &booking, &error);
  if (id == 0)
    {
      /* Only a conflict with the book may be overridden; a wrong entry
       * stays wrong. */
      show_error (self, error, override_reason == NULL
                  && (g_error_matches (error, CLINIC_ERROR, CLINIC_ERROR_CONFLICT)
                      || g_error_matches (error, CLINIC_ERROR, CLINIC_ERROR_INVALID)));
      return 0;
    }
  show_error (self, NULL, FALSE);
  g_signal_emit (self, signals[BOOKED], 0, id);
  gtk_window_close (GTK_WINDOW (self));
  return id;
}

static void
book_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  clinic_booking_dialog_book (CLINIC_BOOKING_DIALOG (widget), NULL);
}

static void
on_anyway_response (AdwMessageDialog    *dialog,
                    const char          *response,
                    ClinicBookingDialog *self)
{
  GtkEditable *entry = GTK_EDITABLE (adw_message_dialog_get_extra_child (dialog));
  g_autofree char *reason = g_strstrip (g_strdup (gtk_editable_get_text (entry)));

  if (g_strcmp0 (response, "book") == 0)
    clinic_booking_dialog_book (self, reason);
}

static void
book_anyway_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  ClinicBookingDialog *self = CLINIC_BOOKING_DIALOG (widget);
  AdwMessageDialog *dialog;
  GtkWidget *entry = gtk_entry_new ();

  gtk_accessible_update_property (GTK_ACCESSIBLE (entry), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Reason for booking anyway"), -1);
  gtk_entry_set_activates_default (GTK_ENTRY (entry), TRUE);
  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self), _("Book Anyway?"),
                                                       _("The booking conflicts with the book. Say why it is booked anyway; the reason is kept and shown on the calendar.")));
  adw_message_dialog_set_extra_child (dialog, entry);
  adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), "book", _("_Book Anyway"), NULL);
  adw_message_dialog_set_response_appearance (dialog, "book", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (dialog, "book");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_anyway_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
  gtk_widget_grab_focus (entry);
}

static gint64
register_patient (ClinicBookingDialog *self,
                  gboolean             anyway);

static void
on_duplicate_response (AdwMessageDialog    *dialog,
                       const char          *response,
                       ClinicBookingDialog *self)
{
  if (g_strcmp0 (response, "register") == 0)
    register_patient (self, TRUE);
}

static gint64
register_patient (ClinicBookingDialog *self,
                  gboolean             anyway)
{
  g_autoptr(ClinicPatient) p = clinic_patient_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *typed_birth = text_of (self->birth_row);
  gint64 id;

  g_free (p->family_name);
  p->family_name = text_of (self->family_row);
  g_free (p->given_names);
  p->given_names = text_of (self->given_row);
  g_free (p->phone);
  p->phone = text_of (self->phone_row);
  g_free (p->birth_date);
  p->birth_date = clinic_patient_parse_date (typed_birth);
  if (p->birth_date == NULL)
    p->birth_date = g_steal_pointer (&typed_birth);

  id = clinic_patients_create (self->session, p, anyway, &error);
  if (id == 0 && g_error_matches (error, CLINIC_ERROR, CLINIC_ERROR_CONFLICT) && !anyway)
    {
      /* The registry's question, as its own form asks it. */
      AdwMessageDialog *dialog;

      show_error (self, NULL, FALSE);
      dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self), _("Already Registered?"),
                                                           error->message));
      adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), "register", _("_Register Anyway"), NULL);
      adw_message_dialog_set_default_response (dialog, "cancel");
      adw_message_dialog_set_close_response (dialog, "cancel");
      g_signal_connect_object (dialog, "response", G_CALLBACK (on_duplicate_response), self, 0);
      gtk_window_present (GTK_WINDOW (dialog));
      return 0;
    }
  show_error (self, error, FALSE);
  if (id == 0)
    return 0;
  clinic_booking_dialog_set_patient (self, id);
  gtk_expander_set_expanded (self->new_patient_expander, FALSE);
  return id;
}

static void
register_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  register_patient (CLINIC_BOOKING_DIALOG (widget), FALSE);
}

static void
clinic_booking_dialog_dispose (GObject *object)
{
  ClinicBookingDialog *self = CLINIC_BOOKING_DIALOG (object);

  g_clear_handle_id (&self->preview_source, g_source_remove);
  gtk_widget_dispose_template (GTK_WIDGET (object), CLINIC_TYPE_BOOKING_DIALOG);
  g_clear_object (&self->session);
  g_clear_pointer (&self->providers, g_ptr_array_unref);
  g_clear_pointer (&self->types, g_ptr_array_unref);
  g_clear_pointer (&self->rooms, g_ptr_array_unref);
  g_clear_pointer (&self->tz, g_time_zone_unref);
  g_clear_pointer (&self->error, g_free);

  G_OBJECT_CLASS (clinic_booking_dialog_parent_class)->dispose (object);
}

static void
clinic_booking_dialog_class_init (ClinicBookingDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  clinic_ensure_resources ();
  object_class->dispose = clinic_booking_dialog_dispose;

  signals[BOOKED] = g_signal_new ("booked", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_INT64);
  signals[SERIES_BOOKED] = g_signal_new ("series-booked", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                         0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_INT64, G_TYPE_UINT);

  gtk_widget_class_set_template_from_resource (widget_class, "/com/example/Clinic/ui/clinic-booking-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, ClinicBookingDialog, error_revealer);
  gtk_widget_class_bind_template_child (widget_class, ClinicBookingDialog, error_label);
  gtk_widget_class_bind_template_child (widget_class, ClinicBookingDialog, anyway_button);
  gtk_widget_class_bind_template_child (widget_class, ClinicBookingDialog, patient_search);
  gtk_widget_class_bind_template_child (widget_class, ClinicBookingDialog, patient_list);
  gtk_widget_class_bind_template_child (widget_class, ClinicBookingDialog, patient_label);
  gtk_widget_class_bind_template_child (widget_class, ClinicBookingDialog, new_patient_expander);
  gtk_widget_class_bind_template_child (widget_class, ClinicBookingDialog, family_row);
  gtk_widget_class_bind_template_child (widget_class, ClinicBookingDialog, given_row);
  gtk_widget_class_bind_template_child (widget_class, ClinicBookingDialog, birth_row);
  gtk_widget_class_bind_template_child (widget_class, ClinicBookingDialog, phone_row);
  gtk_widget_class_bind_template_child (widget_class, ClinicBookingDialog, doctor_row);
  gtk_widget_class_bind_template_child (widget_class, ClinicBookingDialog, doctor_list);
  gtk_widget_class_bind_template_child (widget_class, ClinicBookingDialog, type_row);
  gtk_widget_class_bind_template_child (widget_class, ClinicBookingDialog, type_list);
  gtk_widget_class_bind_template_child (widget_class, ClinicBookingDialog, room_row);
  gtk_widget_class_bind_template_child (widget_class, ClinicBookingDialog, room_list);
  gtk_widget_class_bind_template_child (widget_class, ClinicBookingDialog, time_row);
  gtk_widget_class_bind_template_child (widget_class, ClinicBookingDialog, reason_row);
  gtk_widget_class_bind_template_child (widget_class, ClinicBookingDialog, note_row);
  gtk_widget_class_bind_template_child (widget_class, ClinicBookingDialog, slot_list);
  gtk_widget_class_bind_template_child (widget_class, ClinicBookingDialog, repeat_row);
  gtk_widget_class_bind_template_child (widget_class, ClinicBookingDialog, pattern_row);
  gtk_widget_class_bind_template_child (widget_class, ClinicBookingDialog, interval_row);
  gtk_widget_class_bind_template_child (widget_class, ClinicBookingDialog, interval_spin);
  gtk_widget_class_bind_template_child (widget_class, ClinicBookingDialog, end_row);
  gtk_widget_class_bind_template_child (widget_class, ClinicBookingDialog, count_row);
  gtk_widget_class_bind_template_child (widget_class, ClinicBookingDialog, count_spin);
  gtk_widget_class_bind_template_child (widget_class, ClinicBookingDialog, until_row);
  gtk_widget_class_bind_template_child (widget_class, ClinicBookingDialog, skip_switch);
  gtk_widget_class_bind_template_child (widget_class, ClinicBookingDialog, series_label);
  gtk_widget_class_bind_template_child (widget_class, ClinicBookingDialog, occurrence_list);
  gtk_widget_class_bind_template_callback (widget_class, on_patient_activated);
  gtk_widget_class_bind_template_callback (widget_class, on_slot_activated);

  gtk_widget_class_install_action (widget_class, "booking.book", NULL, book_action);
  gtk_widget_class_install_action (widget_class, "booking.book-anyway", NULL, book_anyway_action);
  gtk_widget_class_install_action (widget_class, "booking.register", NULL, register_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Return, GDK_CONTROL_MASK, "booking.book", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
clinic_booking_dialog_init (ClinicBookingDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  g_signal_connect (self->patient_search, "search-changed", G_CALLBACK (on_search_changed), self);
}

GtkWindow *
clinic_booking_dialog_new (GtkWindow     *parent,
                           ClinicSession *session,
                           gint64         provider_id,
                           gint64         start)
{
  ClinicBookingDialog *self;
  g_autoptr(GError) error = NULL;

  g_return_val_if_fail (CLINIC_IS_SESSION (session), NULL);

  self = g_object_new (CLINIC_TYPE_BOOKING_DIALOG, "transient-for", parent, NULL);
  self->session = g_object_ref (session);
  self->tz = clinic_schedule_get_timezone (clinic_session_get_db (session));

  self->providers = clinic_providers_list (session, FALSE, &error);
  if (self->providers == NULL)
    self->providers = g_ptr_array_new ();
  for (guint i = 0; i < self->providers->len; i++)
    {
      ClinicProvider *p = g_ptr_array_index (self->providers, i);

      gtk_string_list_append (self->doctor_list, p->display_name);
      if (p->user_id == provider_id)
        adw_combo_row_set_selected (self->doctor_row, i);
    }
  self->types = clinic_visit_types_list (session, FALSE, error == NULL ? &error : NULL);
  if (self->types == NULL)
    self->types = g_ptr_array_new ();
  for (guint i = 0; i < self->types->len; i++)
    gtk_string_list_append (self->type_list, ((ClinicVisitType *) g_ptr_array_index (self->types, i))->name);
  /* Rooms are optional: a clinic without any sees no Room row. */
  self->rooms = clinic_rooms_list (session, FALSE, error == NULL ? &error : NULL);
  if (self->rooms == NULL)
    self->rooms = g_ptr_array_new ();
  gtk_string_list_append (self->room_list, _("No room"));
  for (guint i = 0; i < self->rooms->len; i++)
    gtk_string_list_append (self->room_list, ((ClinicRoom *) g_ptr_array_index (self->rooms, i))->name);
  gtk_widget_set_visible (GTK_WIDGET (self->room_row), self->rooms->len > 0);
  show_error (self, error, FALSE);

  if (start != 0)
    {
      g_autofree char *text = clinic_format_local_time (self->tz, start);

      gtk_editable_set_text (GTK_EDITABLE (self->time_row), text);
      /* The free times from the day clicked on. */
      self->from = start;
    }
  update_slots (self);
  preselect_room (self);
  g_signal_connect_swapped (self->time_row, "changed", G_CALLBACK (preselect_room), self);
  g_signal_connect_swapped (self->doctor_row, "notify::selected", G_CALLBACK (on_choice_changed), self);
  g_signal_connect_swapped (self->type_row, "notify::selected", G_CALLBACK (on_choice_changed), self);
  /* Any change to what the series would be checks its dates again. */
  g_signal_connect_swapped (self->repeat_row, "notify::enable-expansion", G_CALLBACK (on_repeat_changed), self);
  g_signal_connect_swapped (self->pattern_row, "notify::selected", G_CALLBACK (on_repeat_changed), self);
  g_signal_connect_swapped (self->end_row, "notify::selected", G_CALLBACK (on_repeat_changed), self);
  g_signal_connect_swapped (self->interval_spin, "value-changed", G_CALLBACK (on_repeat_changed), self);
  g_signal_connect_swapped (self->count_spin, "value-changed", G_CALLBACK (on_repeat_changed), self);
  g_signal_connect_swapped (self->until_row, "changed", G_CALLBACK (on_repeat_changed), self);
  g_signal_connect_swapped (self->time_row, "changed", G_CALLBACK (on_repeat_changed), self);
  g_signal_connect_swapped (self->doctor_row, "notify::selected", G_CALLBACK (on_repeat_changed), self);
  g_signal_connect_swapped (self->type_row, "notify::selected", G_CALLBACK (on_repeat_changed), self);
  g_signal_connect_swapped (self->room_row, "notify::selected", G_CALLBACK (on_repeat_changed), self);
  gtk_widget_grab_focus (GTK_WIDGET (self->patient_search));
  return GTK_WINDOW (self);
}
