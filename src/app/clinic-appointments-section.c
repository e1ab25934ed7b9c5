/* clinic-appointments-section.c — the appointment book as a table, the
 * waitlist, and the patients' own appointments at the kiosk
 *
 * A day's appointments are few (20 doctors, some 400 rows), so the table
 * loads its whole range through clinic_appointments_list() and keeps the
 * rows in memory; a long range is cut at MAX_ROWS, which the count line
 * says.
 */

#include "config.h"

#include <stdio.h>
#include <string.h>

#include <glib/gi18n.h>

#include "clinic-app-utils.h"
#include "clinic-booking-dialog.h"
#include "clinic-cancel-dialog.h"
#include "clinic-appointments-section.h"
#include "clinic-appointments.h"
#include "clinic-chart-window.h"
#include "clinic-day-list.h"
#include "clinic-document-preview.h"
#include "clinic-schedule.h"
#include "clinic-settings.h"
#include "clinic-waitlist.h"

#define MAX_ROWS       1000
#define SELF_BOOK_DAYS 28    /* a patient sees free times of the next four weeks */
#define MAX_SLOTS      60    /* of which the first ones are listed */

typedef enum
{
  COLUMN_ID,
  COLUMN_DOCTOR,
  COLUMN_TYPE,
  COLUMN_DATE,
  COLUMN_TIME,
  COLUMN_STATUS,
  COLUMN_PATIENT,
} Column;

struct _ClinicAppointmentsSection
{
  ClinicSection     parent_instance;

  /* Template widgets */
  GtkWidget        *staff_bar;
  GtkEntry         *from_entry;
  GtkEntry         *to_entry;
  GtkDropDown      *doctor_dropdown;
  GtkStringList    *doctor_list;
  GtkDropDown      *status_dropdown;
  GtkStringList    *status_list;
  GtkWidget        *print_button;
  GtkWidget        *book_button;
  GtkRevealer      *error_revealer;
  GtkLabel         *error_label;
  GtkRevealer      *matches_revealer;
  GtkLabel         *matches_label;
  GtkLabel         *count_label;
  GtkStack         *stack;
  GtkStackPage     *list_page;
  GtkStackPage     *waitlist_page;
  GtkStackPage     *mine_page;
  GtkStackPage     *self_book_page;
  GtkColumnView    *column_view;
  GtkEntry         *wait_chart_entry;
  GtkDropDown      *wait_doctor_dropdown;
  GtkStringList    *wait_doctor_list;
  GtkDropDown      *wait_type_dropdown;
  GtkStringList    *wait_type_list;
  GtkEntry         *wait_preferred_entry;
  GtkDropDown      *wait_urgency_dropdown;
  GtkStringList    *wait_urgency_list;
  GtkListBox       *waitlist_list;
  GtkListBox       *mine_list;
  GtkDropDown      *book_doctor_dropdown;
  GtkStringList    *book_doctor_list;
  GtkDropDown      *book_type_dropdown;
  GtkStringList    *book_type_list;
  GtkListBox       *slots_list;
  AdwToastOverlay  *toast_overlay;

  GTimeZone        *tz;
  gboolean          patient;        /* a patient's session: the kiosk pages */
  gboolean          waitlist;       /* may keep the waitlist (SCHEDULE_ALL) */
  GtkStringList    *store;          /* the table's ID#s */
  GHashTable       *rows;           /* ID# → ClinicAppointment, of the table */
  GPtrArray        *providers;      /* ClinicProvider, in the dropdowns' order (after "All") */
  GPtrArray        *types;          /* ClinicVisitType, in the dropdowns' order */
  GPtrArray        *matches;        /* ClinicWaitlistEntry, for the last cancelled slot */
  gint64            match_provider;
  gint64            match_start;
};

G_DEFINE_FINAL_TYPE (ClinicAppointmentsSection, clinic_appointments_section, CLINIC_TYPE_SECTION)

static ClinicSession *
session_of (ClinicAppointmentsSection *self)
{
  return clinic_section_get_session (CLINIC_SECTION (self));
}

static void
show_error (ClinicAppointmentsSection *self,
            const GError              *error)
{
  clinic_section_show_error (self->error_revealer, self->error_label, error);
}

static GtkWindow *
parent_window (ClinicAppointmentsSection *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  return GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL;
}

static void
toast (ClinicAppointmentsSection *self,
       const char                *title)
{
  clinic_toast_overlay_add (self->toast_overlay, adw_toast_new (title));
}

/* "YYYY-MM-DD" and "HH:MM" of @t in the clinic's zone. */
static char *
local_part (ClinicAppointmentsSection *self,
            gint64                     t,
            gboolean                   time)
{
  g_autofree char *text = clinic_format_local_time (self->tz, t);

  return time ? g_strdup (text + 11) : g_strndup (text, 10);
}

/* The start of local day @iso plus @add_days; FALSE with a sentence when
 * @iso is not a date. */
static gboolean
day_start (ClinicAppointmentsSection  *self,
           const char                 *iso,
           int                         add_days,
           gint64                     *t,
           GError                    **error)
{
  int y, m, d;
  char tail;
  GDate date;

  if (sscanf (iso, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3 || !g_date_valid_dmy (d, m, y))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("“%s” is not a date. Type it as YYYY-MM-DD."), iso);
      return FALSE;
    }
  g_date_clear (&date, 1);
  g_date_set_dmy (&date, d, m, y);
  if (add_days > 0)
    g_date_add_days (&date, add_days);
  *t = clinic_local_to_unix (self->tz, g_date_get_year (&date), g_date_get_month (&date),
                             g_date_get_day (&date), 0);
  return TRUE;
}

static char *
today_iso (ClinicAppointmentsSection *self,
           int                        add_days)
{
  g_autoptr(GDateTime) now = g_date_time_new_now (self->tz);
  g_autoptr(GDateTime) day = g_date_time_add_days (now, add_days);

  return g_date_time_format (day, "%Y-%m-%d");
}

static gint64
selected_provider (GtkDropDown *dropdown,
                   GPtrArray   *providers)
{
  guint i = gtk_drop_down_get_selected (dropdown);

  /* The first entry is "All doctors" / "Any doctor". */
  if (i == GTK_INVALID_LIST_POSITION || i == 0 || providers == NULL || i > providers->len)
    return 0;
  return ((ClinicProvider *) g_ptr_array_index (providers, i - 1))->user_id;
}

static gint64
selected_type (GtkDropDown *dropdown,
               GPtrArray   *types)
{
  guint i = gtk_drop_down_get_selected (dropdown);

  if (i == GTK_INVALID_LIST_POSITION || types == NULL || i >= types->len)
    return 0;
  return ((ClinicVisitType *) g_ptr_array_index (types, i))->id;
}

static const ClinicAppointment *
row_of (ClinicAppointmentsSection *self,
        gpointer                   item)
{
  const char *id = gtk_string_object_get_string (GTK_STRING_OBJECT (item));
  gint64 key = g_ascii_strtoll (id, NULL, 10);

  return g_hash_table_lookup (self->rows, &key);
}

/* --- The booking dialog ------------------------------------------------------------------------ */

static GtkWindow *
open_booking_dialog (ClinicAppointmentsSection *self,
                     gint64                     provider_id,
                     gint64                     start)
{
  GtkWindow *dialog = clinic_booking_dialog_new (parent_window (self),
                                                 clinic_section_get_session (CLINIC_SECTION (self)),
                                                 provider_id, start);

  g_signal_connect_object (dialog, "booked", G_CALLBACK (clinic_appointments_section_reload), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (dialog, "series-booked", G_CALLBACK (clinic_appointments_section_reload), self,
                           G_CONNECT_SWAPPED);
  gtk_window_present (dialog);
  return dialog;
}

/* --- The table ---------------------------------------------------------------------------------- */

static char *
cell_text (gpointer item,
           int      column,
           gpointer data)
{
  ClinicAppointmentsSection *self = data;
  const ClinicAppointment *a = row_of (self, item);

  if (a == NULL)
    return g_strdup ("");
  switch ((Column) column)
    {
    case COLUMN_ID:
      return g_strdup_printf ("%" G_GINT64_FORMAT, a->id);
    case COLUMN_DOCTOR:
      /* Translators: the doctor cell of the appointments table with the
       * room the appointment is in */
      return *a->room_name != '\0' ? g_strdup_printf (_("%s · %s"), a->provider_name, a->room_name)
                                    : g_strdup (a->provider_name);
    case COLUMN_TYPE:
      /* Translators: the visit type of a date of a recurring series, in
       * the appointments table */
      return a->series_id != 0 ? g_strdup_printf (_("%s ↻"), a->visit_type) : g_strdup (a->visit_type);
    case COLUMN_DATE:
      return local_part (self, a->starts_at, FALSE);
    case COLUMN_TIME:
      {
        g_autofree char *start = local_part (self, a->starts_at, TRUE);
        g_autofree char *end = local_part (self, a->ends_at, TRUE);

        return g_strdup_printf ("%s–%s", start, end);
      }
    case COLUMN_PATIENT:
      /* Translators: a patient in the appointments table: name, date of
       * birth, chart number (who it is, without a doubt) */
      return g_strdup_printf (_("%s · born %s · %s"), a->patient_name, a->patient_birth, a->patient_chart);
    case COLUMN_STATUS:
      return g_strdup (clinic_appointment_status_to_string (a->status));
    default:
      return NULL;
    }
}

/* What a row's menu offers; each enabled when the core allows it from the
 * row's status. */
typedef struct
{
  const char              *action;
  const char              *label;
  ClinicAppointmentStatus  to;
} RowAction;

static const RowAction row_actions[] = {
  { "confirm", N_("_Confirm"), CLINIC_APPOINTMENT_CONFIRMED },
  { "arrive", N_("_Arrived"), CLINIC_APPOINTMENT_ARRIVED },
  { "start", N_("_Start"), CLINIC_APPOINTMENT_IN_PROGRESS },
  { "complete", N_("C_omplete"), CLINIC_APPOINTMENT_COMPLETED },
  { "no-show", N_("_No-show"), CLINIC_APPOINTMENT_NO_SHOW },
  { "cancel", N_("Ca_ncel…"), CLINIC_APPOINTMENT_CANCELLED },
};

static void
actions_cell_setup (GtkSignalListItemFactory *factory,
                    GtkListItem              *item,
                    gpointer                  data)
{
  GtkWidget *button = gtk_menu_button_new ();
  g_autoptr(GMenu) menu = g_menu_new ();

  for (guint i = 0; i < G_N_ELEMENTS (row_actions); i++)
    {
      g_autofree char *detailed = g_strconcat ("row.", row_actions[i].action, NULL);

      g_menu_append (menu, _(row_actions[i].label), detailed);
    }
  g_menu_append (menu, _("_Open Chart"), "row.open-chart");
  gtk_menu_button_set_menu_model (GTK_MENU_BUTTON (button), G_MENU_MODEL (menu));
  gtk_menu_button_set_icon_name (GTK_MENU_BUTTON (button), "view-more-symbolic");
  gtk_widget_add_css_class (button, "flat");
  gtk_list_item_set_child (item, button);
}

static void
on_row_action (GSimpleAction *action,
               GVariant      *parameter,
               gpointer       data)
{
  ClinicAppointmentsSection *self = data;
  gint64 id = GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (action), "clinic-id"));
  g_autofree char *name = g_strconcat ("appointments.", g_action_get_name (G_ACTION (action)), NULL);

  gtk_widget_activate_action (GTK_WIDGET (self), name, "x", id);
}

static void
actions_cell_bind (GtkSignalListItemFactory *factory,
                   GtkListItem              *item,
                   gpointer                  data)
{
  ClinicAppointmentsSection *self = data;
  const ClinicAppointment *a = row_of (self, gtk_list_item_get_item (item));
  GtkWidget *button = gtk_list_item_get_child (item);
  g_autoptr(GSimpleActionGroup) group = g_simple_action_group_new ();
  g_autofree char *label = NULL;
  g_autofree char *when = NULL;
  g_autofree char *number = NULL;

  if (a == NULL)
    return;
  /* One group per row: each action knows its appointment, and is
   * enabled when the appointment's status allows it. */
  for (guint i = 0; i <= G_N_ELEMENTS (row_actions); i++)
    {
      const char *name = i < G_N_ELEMENTS (row_actions) ? row_actions[i].action : "open-chart";
      g_autoptr(GSimpleAction) action = g_simple_action_new (name, NULL);

      g_object_set_data (G_OBJECT (action), "clinic-id", GSIZE_TO_POINTER ((gsize) a->id));
      g_signal_connect_object (action, "activate", G_CALLBACK (on_row_action), self, 0);
      g_simple_action_set_enabled (action, i < G_N_ELEMENTS (row_actions)
                                           ? clinic_appointment_status_allows (a->status, row_actions[i].to)
                                           : clinic_session_has_permission (session_of (self),
                                                                            CLINIC_PERMISSION_PATIENTS_CONTACT_READ));
      g_action_map_add_action (G_ACTION_MAP (group), G_ACTION (action));
    }
  gtk_widget_insert_action_group (button, "row", G_ACTION_GROUP (group));
  when = clinic_format_local_time (self->tz, a->starts_at);
  number = g_strdup_printf ("%" G_GINT64_FORMAT, a->id);
  /* Translators: the menu button of a row in the appointments table: ID#, date and time */
  label = g_strdup_printf (_("Actions for appointment %s at %s"), number, when);
  clinic_menu_button_set_accessible_label (GTK_MENU_BUTTON (button), label);
  gtk_widget_set_tooltip_text (button, _("Actions"));
}

static void
add_actions_column (ClinicAppointmentsSection *self)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
  g_autoptr(GtkColumnViewColumn) column = NULL;

  g_signal_connect (factory, "setup", G_CALLBACK (actions_cell_setup), self);
  g_signal_connect (factory, "bind", G_CALLBACK (actions_cell_bind), self);
  column = gtk_column_view_column_new (_("Actions"), factory);
  gtk_column_view_append_column (self->column_view, column);
}

static void
reload_table (ClinicAppointmentsSection *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *count = NULL;
  const char *from_text = gtk_editable_get_text (GTK_EDITABLE (self->from_entry));
  const char *to_text = gtk_editable_get_text (GTK_EDITABLE (self->to_entry));
  guint status = gtk_drop_down_get_selected (self->status_dropdown);
  guint shown = 0;
  gint64 from, to;

  g_hash_table_remove_all (self->rows);
  if (!day_start (self, from_text, 0, &from, &error)
      || !day_start (self, *to_text != '\0' ? to_text : from_text, 1, &to, &error))
    goto done;
  if (to <= from)
    {
      g_set_error_literal (&error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           _("The end of the range is before its start."));
      goto done;
    }
  list = clinic_appointments_list (session_of (self), from, to,
                                   selected_provider (self->doctor_dropdown, self->providers), &error);
  if (list == NULL)
    goto done;

  for (guint i = 0; i < list->len; i++)
    {
      ClinicAppointment *a = g_ptr_array_index (list, i);

      /* The status list starts with "Any status". */
      if (status != GTK_INVALID_LIST_POSITION && status > 0 && a->status != status - 1)
        continue;
      if (shown++ >= MAX_ROWS)
        continue;
      g_ptr_array_add (ids, g_strdup_printf ("%" G_GINT64_FORMAT, a->id));
      g_hash_table_insert (self->rows, &a->id, a);
      g_ptr_array_index (list, i) = NULL;
    }
  g_ptr_array_set_free_func (list, (GDestroyNotify) clinic_appointment_free);

done:
  g_ptr_array_add (ids, NULL);
  gtk_string_list_splice (self->store, 0, g_list_model_get_n_items (G_LIST_MODEL (self->store)),
                          (const char *const *) ids->pdata);
  show_error (self, error);
  if (shown > MAX_ROWS)
    /* Translators: the appointments table was cut short */
    count = g_strdup_printf (_("The first %u of %u appointments; choose a shorter range or a doctor to see the rest."),
                             MAX_ROWS, shown);
  else
    count = g_strdup_printf (ngettext ("%u appointment", "%u appointments", shown), shown);
  gtk_label_set_text (self->count_label, count);
}

/* --- Cancelling, with undo and the waitlist ---------------------------------------------------- */

static void
offer_matches (ClinicAppointmentsSection *self,
               gint64                     id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClinicAppointment) a = NULL;
  g_autofree char *text = NULL;

  gtk_revealer_set_reveal_child (self->matches_revealer, FALSE);
  if (!self->waitlist)
    return;
  g_clear_pointer (&self->matches, g_ptr_array_unref);
  self->matches = clinic_waitlist_matches_for (session_of (self), id, &error);
  a = clinic_appointments_get (session_of (self), id, NULL);
  if (self->matches == NULL || self->matches->len == 0 || a == NULL)
    {
      show_error (self, error);
      return;
    }
  self->match_provider = a->provider_id;
  self->match_start = a->starts_at;
  text = g_strdup_printf (ngettext ("%u patient on the waitlist matches this slot.",
                                    "%u patients on the waitlist match this slot.", self->matches->len),
                          self->matches->len);
  gtk_label_set_text (self->matches_label, text);
  gtk_revealer_set_reveal_child (self->matches_revealer, TRUE);
}

static void
cancel_with_reason (ClinicAppointmentsSection *self,
                    gint64                     id,
                    ClinicSeriesScope          scope,
                    const char                *reason)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) ids = NULL;
  AdwToast *undo;
  g_autofree char *title = NULL;
  g_autofree char *number = g_strdup_printf ("%" G_GINT64_FORMAT, id);

  ids = clinic_cancel_appointments (session_of (self), id, scope, reason, &error);
  if (ids == NULL)
    {
      show_error (self, error);
      return;
    }
  show_error (self, NULL);
  if (ids->len == 1)
    /* Translators: a toast; %s is the appointment's ID# */
    title = g_strdup_printf (_("Appointment %s cancelled"), number);
  else
    title = g_strdup_printf (ngettext ("%u appointment of the series cancelled",
                                       "%u appointments of the series cancelled", ids->len), ids->len);
  undo = adw_toast_new (title);
  adw_toast_set_button_label (undo, _("_Undo"));
  adw_toast_set_action_name (undo, "appointments.undo-cancel");
  adw_toast_set_action_target_value (undo, g_variant_new_fixed_array (G_VARIANT_TYPE_INT64, ids->data, ids->len,
                                                                      sizeof (gint64)));
  clinic_toast_overlay_add (self->toast_overlay, undo);
  clinic_appointments_section_reload (self);
  offer_matches (self, id);
}

static void
on_cancel_response (AdwMessageDialog          *dialog,
                    const char                *response,
                    ClinicAppointmentsSection *self)
{
  if (g_strcmp0 (response, CLINIC_CANCEL_RESPONSE) == 0)
    cancel_with_reason (self, clinic_cancel_dialog_get_id (dialog), clinic_cancel_dialog_get_scope (dialog),
                        clinic_cancel_dialog_get_reason (dialog));
}

static void
cancel_action (GtkWidget  *widget,
               const char *name,
               GVariant   *parameter)
{
  ClinicAppointmentsSection *self = CLINIC_APPOINTMENTS_SECTION (widget);
  AdwMessageDialog *dialog = clinic_cancel_dialog_new (parent_window (self), session_of (self),
                                                       g_variant_get_int64 (parameter));

  g_signal_connect_object (dialog, "response", G_CALLBACK (on_cancel_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
undo_cancel_action (GtkWidget  *widget,
                    const char *name,
                    GVariant   *parameter)
{
  ClinicAppointmentsSection *self = CLINIC_APPOINTMENTS_SECTION (widget);
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  gsize n = 0;
  const gint64 *values = g_variant_get_fixed_array (parameter, &n, sizeof (gint64));

  g_array_append_vals (ids, values, n);
  clinic_cancel_undo (session_of (self), ids, &error);
  gtk_revealer_set_reveal_child (self->matches_revealer, FALSE);
  clinic_appointments_section_reload (self);
  if (error != NULL)
    show_error (self, error);
}

static void
on_match_book (GtkButton                 *button,
               ClinicAppointmentsSection *self)
{
  GtkWidget *dialog = GTK_WIDGET (gtk_widget_get_root (GTK_WIDGET (button)));

  gtk_window_close (GTK_WINDOW (dialog));
  open_booking_dialog (self, self->match_provider, self->match_start);
}

static void
show_matches_action (GtkWidget  *widget,
                     const char *name,
                     GVariant   *parameter)
{
  ClinicAppointmentsSection *self = CLINIC_APPOINTMENTS_SECTION (widget);
  GtkWidget *dialog, *list;

  if (self->matches == NULL)
    return;
  dialog = adw_message_dialog_new (parent_window (self), _("Waitlist Matches"),
                                   _("These patients wait for a slot like the one just freed, the most urgent first."));
  list = gtk_list_box_new ();
  gtk_list_box_set_selection_mode (GTK_LIST_BOX (list), GTK_SELECTION_NONE);
  gtk_widget_add_css_class (list, "boxed-list");
  gtk_accessible_update_property (GTK_ACCESSIBLE (list), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Waitlist matches"), -1);
  for (guint i = 0; i < self->matches->len; i++)
    {
      const ClinicWaitlistEntry *e = g_ptr_array_index (self->matches, i);
      GtkWidget *row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
      GtkWidget *text = gtk_label_new (NULL);
      GtkWidget *book = gtk_button_new_with_mnemonic (_("_Book…"));
      g_autofree char *line = g_strdup_printf ("%s — %s · %s%s%s", e->patient_name, e->visit_type,
                                               clinic_waitlist_urgency_to_string (e->urgency),
                                               *e->preferred != '\0' ? " · " : "", e->preferred);
      g_autofree char *label = g_strdup_printf (_("Book %s"), e->patient_name);

      /* Plain ellipsized lines: wrapping rows inside a message dialog
       * measure inconsistently in GTK 4.8. */
      gtk_label_set_text (GTK_LABEL (text), line);
      gtk_label_set_ellipsize (GTK_LABEL (text), PANGO_ELLIPSIZE_END);
      gtk_label_set_xalign (GTK_LABEL (text), 0);
      gtk_widget_set_hexpand (text, TRUE);
      gtk_widget_set_margin_start (row, 12);
      gtk_widget_set_margin_end (row, 6);
      gtk_widget_set_margin_top (row, 6);
      gtk_widget_set_margin_bottom (row, 6);
      gtk_accessible_update_property (GTK_ACCESSIBLE (book), GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
      g_signal_connect_object (book, "clicked", G_CALLBACK (on_match_book), self, 0);
      gtk_box_append (GTK_BOX (row), text);
      gtk_box_append (GTK_BOX (row), book);
      gtk_list_box_append (GTK_LIST_BOX (list), row);
    }
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), list);
  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
dismiss_matches_action (GtkWidget  *widget,
                        const char *name,
                        GVariant   *parameter)
{
  gtk_revealer_set_reveal_child (CLINIC_APPOINTMENTS_SECTION (widget)->matches_revealer, FALSE);
}

/* --- Status changes, the chart ------------------------------------------------------------------ */

static void
status_action (GtkWidget  *widget,
               const char *name,
               GVariant   *parameter)
{
  ClinicAppointmentsSection *self = CLINIC_APPOINTMENTS_SECTION (widget);
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (row_actions); i++)
    if (g_str_has_suffix (name, row_actions[i].action) && name[strlen (name) - strlen (row_actions[i].action) - 1] == '.')
      {
        clinic_appointments_set_status (session_of (self), g_variant_get_int64 (parameter), row_actions[i].to,
                                        &error);
        break;
      }
  /* Reloading clears the error line; the refusal, if any, shows after. */
  clinic_appointments_section_reload (self);
  if (error != NULL)
    show_error (self, error);
}

static void
open_chart_action (GtkWidget  *widget,
                   const char *name,
                   GVariant   *parameter)
{
  ClinicAppointmentsSection *self = CLINIC_APPOINTMENTS_SECTION (widget);
  g_autoptr(GError) error = NULL;
  g_autoptr(ClinicPatient) patient = NULL;
  gint64 id = g_variant_get_int64 (parameter);
  const ClinicAppointment *a = g_hash_table_lookup (self->rows, &id);

  if (a == NULL)
    return;
  patient = clinic_patients_get (session_of (self), a->patient_id, &error);
  show_error (self, error);
  if (patient != NULL)
    gtk_window_present (GTK_WINDOW (clinic_chart_window_new (parent_window (self), session_of (self), patient)));
}

static void
book_action (GtkWidget  *widget,
             const char *name,
             GVariant   *parameter)
{
  ClinicAppointmentsSection *self = CLINIC_APPOINTMENTS_SECTION (widget);

  open_booking_dialog (self, selected_provider (self->doctor_dropdown, self->providers), 0);
}

static void
filter_action (GtkWidget  *widget,
               const char *name,
               GVariant   *parameter)
{
  reload_table (CLINIC_APPOINTMENTS_SECTION (widget));
}

static void
on_filter_activate (ClinicAppointmentsSection *self)
{
  if (self->store != NULL && !self->patient)
    reload_table (self);
}

/* --- The day list --------------------------------------------------------------------------------- */

GtkWindow *
clinic_appointments_section_print_day_list (ClinicAppointmentsSection *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(ClinicDayList) day_list = NULL;
  g_autofree char *clinic_name = NULL;
  g_autofree char *address = NULL;
  g_autofree char *phone = NULL;
  ClinicSettings *settings;
  ClinicLetterhead letterhead;
  const char *day = gtk_editable_get_text (GTK_EDITABLE (self->from_entry));
  gint64 provider = selected_provider (self->doctor_dropdown, self->providers);
  guint index = gtk_drop_down_get_selected (self->doctor_dropdown);
  GtkWidget *window, *box, *header, *preview;
  gint64 from, to;

  g_return_val_if_fail (CLINIC_IS_APPOINTMENTS_SECTION (self), NULL);

  if (provider == 0)
    {
      g_set_error_literal (&error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           _("Choose a doctor to print their day list."));
      show_error (self, error);
      return NULL;
    }
  if (!day_start (self, day, 0, &from, &error) || !day_start (self, day, 1, &to, &error)
      || (list = clinic_appointments_list (session_of (self), from, to, provider, &error)) == NULL)
    {
      show_error (self, error);
      return NULL;
    }
  show_error (self, NULL);

  settings = clinic_settings_get_for_db (clinic_session_get_db (session_of (self)));
  clinic_name = clinic_settings_get (settings, "clinic.name");
  address = clinic_settings_get (settings, "clinic.address");
  phone = clinic_settings_get (settings, "clinic.phone");
  letterhead.name = clinic_name;
  letterhead.address = address != NULL && *address != '\0' ? address : NULL;
  letterhead.phone = phone != NULL && *phone != '\0' ? phone : NULL;
  day_list = clinic_day_list_new (&letterhead, gtk_string_list_get_string (self->doctor_list, index), day, list,
                                  self->tz);

  window = adw_window_new ();
  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  header = adw_header_bar_new ();
  preview = clinic_document_preview_new ();
  clinic_document_preview_set_document (CLINIC_DOCUMENT_PREVIEW (preview), CLINIC_DOCUMENT (day_list));
  gtk_widget_set_vexpand (preview, TRUE);
  gtk_box_append (GTK_BOX (box), header);
  gtk_box_append (GTK_BOX (box), preview);
  adw_window_set_content (ADW_WINDOW (window), box);
  gtk_window_set_title (GTK_WINDOW (window), _("Print Day List"));
  gtk_window_set_default_size (GTK_WINDOW (window), 720, 860);
  gtk_window_set_modal (GTK_WINDOW (window), TRUE);
  gtk_window_set_transient_for (GTK_WINDOW (window), parent_window (self));
  clinic_window_close_on_escape (GTK_WINDOW (window));
  gtk_window_present (GTK_WINDOW (window));
  return GTK_WINDOW (window);
}

static void
print_day_list_action (GtkWidget  *widget,
                       const char *name,
                       GVariant   *parameter)
{
  clinic_appointments_section_print_day_list (CLINIC_APPOINTMENTS_SECTION (widget));
}

/* --- The waitlist ---------------------------------------------------------------------------------- */

static GtkWidget *
row_button (const char *mnemonic,
            const char *label,
            const char *action,
            gint64      id)
{
  GtkWidget *button = gtk_button_new_with_mnemonic (mnemonic);

  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), action);
  gtk_actionable_set_action_target_value (GTK_ACTIONABLE (button), g_variant_new_int64 (id));
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
  return button;
}

static void
clear_list_box (GtkListBox *list)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (list))) != NULL)
    gtk_list_box_remove (list, child);
}

static void
empty_row (GtkListBox *list,
           const char *text)
{
  GtkWidget *row = adw_action_row_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), text);
  gtk_list_box_append (list, row);
}

static void
reload_waitlist (ClinicAppointmentsSection *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = NULL;

  clear_list_box (self->waitlist_list);
  if (!self->waitlist)
    return;
  list = clinic_waitlist_list (session_of (self), &error);
  if (list == NULL)
    {
      show_error (self, error);
      return;
    }
  if (list->len == 0)
    empty_row (self->waitlist_list, _("Nobody is waiting."));
  for (guint i = 0; i < list->len; i++)
    {
      const ClinicWaitlistEntry *e = g_ptr_array_index (list, i);
      GtkWidget *row = adw_action_row_new ();
      g_autofree char *title = g_strdup_printf ("%s (%s)", e->patient_name, e->patient_chart);
      g_autofree char *subtitle = g_strdup_printf ("%s · %s · %s%s%s", e->visit_type,
                                                   *e->provider_name != '\0' ? e->provider_name : _("Any doctor"),
                                                   clinic_waitlist_urgency_to_string (e->urgency),
                                                   *e->preferred != '\0' ? " · " : "", e->preferred);
      g_autofree char *booked = g_strdup_printf (_("%s has been booked"), e->patient_name);
      g_autofree char *removed = g_strdup_printf (_("Take %s off the waitlist"), e->patient_name);

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), row_button (_("_Booked"), booked,
                                                                   "appointments.waitlist-booked", e->id));
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), row_button (_("_Remove"), removed,
                                                                   "appointments.waitlist-remove", e->id));
      gtk_list_box_append (self->waitlist_list, row);
    }
}

static void
waitlist_add_action (GtkWidget  *widget,
                     const char *name,
                     GVariant   *parameter)
{
  ClinicAppointmentsSection *self = CLINIC_APPOINTMENTS_SECTION (widget);
  g_autoptr(GError) error = NULL;
  g_autoptr(ClinicPatient) patient = NULL;
  g_autoptr(ClinicWaitlistEntry) entry = clinic_waitlist_entry_new ();
  guint urgency = gtk_drop_down_get_selected (self->wait_urgency_dropdown);

  patient = clinic_patients_get_by_chart_number (session_of (self),
                                                 gtk_editable_get_text (GTK_EDITABLE (self->wait_chart_entry)),
                                                 &error);
  if (patient == NULL)
    {
      show_error (self, error);
      return;
    }
  entry->patient_id = patient->id;
  entry->provider_id = selected_provider (self->wait_doctor_dropdown, self->providers);
  entry->visit_type_id = selected_type (self->wait_type_dropdown, self->types);
  entry->urgency = urgency == GTK_INVALID_LIST_POSITION ? CLINIC_WAITLIST_ROUTINE : urgency;
  g_free (entry->preferred);
  entry->preferred = g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->wait_preferred_entry)));
  if (clinic_waitlist_add (session_of (self), entry, &error) == 0)
    {
      show_error (self, error);
      return;
    }
  show_error (self, NULL);
  gtk_editable_set_text (GTK_EDITABLE (self->wait_chart_entry), "");
  gtk_editable_set_text (GTK_EDITABLE (self->wait_preferred_entry), "");
  toast (self, _("Added to the waitlist"));
  reload_waitlist (self);
}

static void
waitlist_take_off_action (GtkWidget  *widget,
                          const char *name,
                          GVariant   *parameter)
{
  ClinicAppointmentsSection *self = CLINIC_APPOINTMENTS_SECTION (widget);
  g_autoptr(GError) error = NULL;
  gint64 id = g_variant_get_int64 (parameter);
  gboolean ok = g_str_equal (name, "appointments.waitlist-booked")
                ? clinic_waitlist_mark_booked (session_of (self), id, &error)
                : clinic_waitlist_remove (session_of (self), id, &error);

  show_error (self, ok ? NULL : error);
  reload_waitlist (self);
}

/* --- The patient's own appointments and self-booking --------------------------------------------- */

static void
reload_mine (ClinicAppointmentsSection *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  guint shown = 0;

  clear_list_box (self->mine_list);
  /* The core lists a patient's own appointments only. */
  list = clinic_appointments_list (session_of (self), now, now + 366 * 86400, 0, &error);
  if (list == NULL)
    {
      show_error (self, error);
      return;
    }
  for (guint i = 0; i < list->len; i++)
    {
      const ClinicAppointment *a = g_ptr_array_index (list, i);
      GtkWidget *row;
      g_autofree char *when = NULL;
      g_autofree char *subtitle = NULL;
      g_autofree char *label = NULL;

      if (!clinic_appointment_status_is_active (a->status))
        continue;
      row = adw_action_row_new ();
      when = clinic_format_local_time (self->tz, a->starts_at);
      subtitle = g_strdup_printf ("%s · %s · %s", a->provider_name, a->visit_type,
                                  clinic_appointment_status_to_string (a->status));
      /* Translators: the cancel button of one's own appointment; %s is its date and time */
      label = g_strdup_printf (_("Cancel the appointment at %s"), when);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), when);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), row_button (_("_Cancel…"), label,
                                                                   "appointments.cancel", a->id));
      gtk_list_box_append (self->mine_list, row);
      shown++;
    }
  if (shown == 0)
    empty_row (self->mine_list, _("You have no upcoming appointments."));
}

static void
find_slots_action (GtkWidget  *widget,
                   const char *name,
                   GVariant   *parameter)
{
  ClinicAppointmentsSection *self = CLINIC_APPOINTMENTS_SECTION (widget);
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) slots = NULL;
  g_autofree char *from = today_iso (self, 0);
  g_autofree char *to = today_iso (self, SELF_BOOK_DAYS - 1);
  gint64 provider = selected_provider (self->book_doctor_dropdown, self->providers);
  gint64 type = selected_type (self->book_type_dropdown, self->types);

  clear_list_box (self->slots_list);
  if (type == 0)
    return;
  slots = clinic_schedule_availability (session_of (self), provider, type, from, to, &error);
  if (slots == NULL)
    {
      show_error (self, error);
      return;
    }
  show_error (self, NULL);
  if (slots->len == 0)
    empty_row (self->slots_list, _("No free times in the next four weeks."));
  for (guint i = 0; i < slots->len && i < MAX_SLOTS; i++)
    {
      const ClinicSlot *slot = &g_array_index (slots, ClinicSlot, i);
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *button;
      g_autofree char *when = clinic_format_local_time (self->tz, slot->starts_at);
      g_autofree char *label = g_strdup_printf (_("Book %s"), when);
      const char *doctor = "";

      for (guint p = 0; p < self->providers->len; p++)
        if (((ClinicProvider *) g_ptr_array_index (self->providers, p))->user_id == slot->provider_id)
          doctor = ((ClinicProvider *) g_ptr_array_index (self->providers, p))->display_name;
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), when);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), doctor);
      button = row_button (_("_Book"), label, "appointments.book-slot", slot->starts_at);
      /* The provider rides along in the target: (start, provider). */
      gtk_actionable_set_action_target_value (GTK_ACTIONABLE (button),
                                              g_variant_new ("(xx)", slot->starts_at, slot->provider_id));
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
      gtk_list_box_append (self->slots_list, row);
    }
}

static void
book_slot_action (GtkWidget  *widget,
                  const char *name,
                  GVariant   *parameter)
{
  ClinicAppointmentsSection *self = CLINIC_APPOINTMENTS_SECTION (widget);
  g_autoptr(GError) error = NULL;
  ClinicBooking booking = { 0 };
  g_autofree char *title = NULL;

  g_variant_get (parameter, "(xx)", &booking.starts_at, &booking.provider_id);
  booking.patient_id = clinic_session_get_patient_id (session_of (self));
  booking.visit_type_id = selected_type (self->book_type_dropdown, self->types);
  if (clinic_appointments_book (session_of (self), &booking, &error) == 0)
    {
      show_error (self, error);
      return;
    }
  show_error (self, NULL);
  {
    g_autofree char *when = clinic_format_local_time (self->tz, booking.starts_at);

    title = g_strdup_printf (_("Booked for %s"), when);
  }
  toast (self, title);
  reload_mine (self);
  find_slots_action (widget, NULL, NULL);
}

/* --- The section ----------------------------------------------------------------------------------- */

GListModel *
clinic_appointments_section_get_model (ClinicAppointmentsSection *self)
{
  g_return_val_if_fail (CLINIC_IS_APPOINTMENTS_SECTION (self), NULL);
  return G_LIST_MODEL (self->store);
}

void
clinic_appointments_section_set_range (ClinicAppointmentsSection *self,
                                       const char                *from,
                                       const char                *to)
{
  g_return_if_fail (CLINIC_IS_APPOINTMENTS_SECTION (self));
  gtk_editable_set_text (GTK_EDITABLE (self->from_entry), from);
  gtk_editable_set_text (GTK_EDITABLE (self->to_entry), to != NULL ? to : "");
  reload_table (self);
}

void
clinic_appointments_section_reload (ClinicAppointmentsSection *self)
{
  g_return_if_fail (CLINIC_IS_APPOINTMENTS_SECTION (self));
  if (self->patient)
    reload_mine (self);
  else
    {
      reload_table (self);
      reload_waitlist (self);
    }
}

static void
fill_choices (ClinicAppointmentsSection *self)
{
  g_autoptr(GError) error = NULL;

  self->providers = clinic_providers_list (session_of (self), FALSE, &error);
  if (self->providers == NULL)
    self->providers = g_ptr_array_new_with_free_func ((GDestroyNotify) clinic_provider_free);
  /* Patients get the visit types they may book only (the core decides). */
  self->types = clinic_visit_types_list (session_of (self), FALSE, error == NULL ? &error : NULL);
  if (self->types == NULL)
    self->types = g_ptr_array_new_with_free_func ((GDestroyNotify) clinic_visit_type_free);
  show_error (self, error);

  gtk_string_list_append (self->doctor_list, _("All doctors"));
  gtk_string_list_append (self->wait_doctor_list, _("Any doctor"));
  gtk_string_list_append (self->book_doctor_list, _("Any doctor"));
  for (guint i = 0; i < self->providers->len; i++)
    {
      const ClinicProvider *p = g_ptr_array_index (self->providers, i);

      gtk_string_list_append (self->doctor_list, p->display_name);
      gtk_string_list_append (self->wait_doctor_list, p->display_name);
      gtk_string_list_append (self->book_doctor_list, p->display_name);
    }
  for (guint i = 0; i < self->types->len; i++)
    {
      const ClinicVisitType *t = g_ptr_array_index (self->types, i);

      gtk_string_list_append (self->wait_type_list, t->name);
      gtk_string_list_append (self->book_type_list, t->name);
    }
  gtk_string_list_append (self->status_list, _("Any status"));
  for (guint i = 0; i < CLINIC_N_APPOINTMENT_STATUSES; i++)
    gtk_string_list_append (self->status_list, clinic_appointment_status_to_string (i));
  for (guint i = CLINIC_WAITLIST_ROUTINE; i <= CLINIC_WAITLIST_URGENT; i++)
    gtk_string_list_append (self->wait_urgency_list, clinic_waitlist_urgency_to_string (i));
}

static void
clinic_appointments_section_session_set (ClinicSection *section)
{
  ClinicAppointmentsSection *self = CLINIC_APPOINTMENTS_SECTION (section);
  ClinicSession *session = clinic_section_get_session (section);
  g_autofree char *today = NULL;
  GtkWidget *widget = GTK_WIDGET (self);

  self->tz = clinic_schedule_get_timezone (clinic_session_get_db (session));
  self->patient = clinic_session_get_kind (session) == CLINIC_USER_PATIENT;
  self->waitlist = !self->patient && clinic_session_has_permission (session, CLINIC_PERMISSION_SCHEDULE_ALL);

  /* The signal handlers of the dropdowns run on_filter_activate(), which
   * waits for the store. */
  fill_choices (self);
  self->store = gtk_string_list_new (NULL);
  gtk_column_view_set_model (self->column_view,
                             GTK_SELECTION_MODEL (gtk_single_selection_new (g_object_ref (G_LIST_MODEL (self->store)))));
  clinic_column_view_add_text_column (self->column_view, _("ID#"), COLUMN_ID, FALSE, FALSE, cell_text, self);
  clinic_column_view_add_text_column (self->column_view, _("Doctor"), COLUMN_DOCTOR, TRUE, FALSE, cell_text, self);
  clinic_column_view_add_text_column (self->column_view, _("Visit Type"), COLUMN_TYPE, TRUE, FALSE, cell_text, self);
  clinic_column_view_add_text_column (self->column_view, _("Date"), COLUMN_DATE, FALSE, FALSE, cell_text, self);
  clinic_column_view_add_text_column (self->column_view, _("Time"), COLUMN_TIME, FALSE, FALSE, cell_text, self);
  clinic_column_view_add_text_column (self->column_view, _("Status"), COLUMN_STATUS, FALSE, FALSE, cell_text, self);
  clinic_column_view_add_text_column (self->column_view, _("Patient"), COLUMN_PATIENT, TRUE, TRUE, cell_text, self);
  add_actions_column (self);
  /* The rows' list inside the column view takes the focus; an empty day
   * leaves it without text, so it gets the table's name. */
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->column_view));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (GTK_IS_LIST_VIEW (child))
      gtk_accessible_update_property (GTK_ACCESSIBLE (child), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      _("Appointments"), -1);

  gtk_widget_set_visible (self->staff_bar, !self->patient);
  gtk_widget_set_visible (GTK_WIDGET (self->count_label), !self->patient);
  gtk_stack_page_set_visible (self->list_page, !self->patient);
  gtk_stack_page_set_visible (self->waitlist_page, self->waitlist);
  gtk_stack_page_set_visible (self->mine_page, self->patient);
  gtk_stack_page_set_visible (self->self_book_page, self->patient);
  gtk_stack_set_visible_child_name (self->stack, self->patient ? "mine" : "list");

  /* Only the front desk books for others and prints day lists. */
  gtk_widget_action_set_enabled (widget, "appointments.book", !self->patient);
  gtk_widget_action_set_enabled (widget, "appointments.print-day-list", !self->patient);
  gtk_widget_action_set_enabled (widget, "appointments.waitlist-add", self->waitlist);
  gtk_widget_action_set_enabled (widget, "appointments.book-slot", self->patient);
  gtk_widget_action_set_enabled (widget, "appointments.find-slots", self->patient);

  today = today_iso (self, 0);
  gtk_editable_set_text (GTK_EDITABLE (self->from_entry), today);
  gtk_editable_set_text (GTK_EDITABLE (self->to_entry), today);
  clinic_appointments_section_reload (self);
}

static void
clinic_appointments_section_dispose (GObject *object)
{
  ClinicAppointmentsSection *self = CLINIC_APPOINTMENTS_SECTION (object);

  gtk_widget_dispose_template (GTK_WIDGET (object), CLINIC_TYPE_APPOINTMENTS_SECTION);
  g_clear_object (&self->store);
  g_clear_pointer (&self->rows, g_hash_table_unref);
  g_clear_pointer (&self->providers, g_ptr_array_unref);
  g_clear_pointer (&self->types, g_ptr_array_unref);
  g_clear_pointer (&self->matches, g_ptr_array_unref);
  g_clear_pointer (&self->tz, g_time_zone_unref);

  G_OBJECT_CLASS (clinic_appointments_section_parent_class)->dispose (object);
}

static void
clinic_appointments_section_class_init (ClinicAppointmentsSectionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  clinic_ensure_resources ();

  object_class->dispose = clinic_appointments_section_dispose;
  CLINIC_SECTION_CLASS (klass)->session_set = clinic_appointments_section_session_set;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/com/example/Clinic/ui/clinic-appointments-section.ui");
#define BIND(name) gtk_widget_class_bind_template_child (widget_class, ClinicAppointmentsSection, name)
  BIND (staff_bar);
  BIND (from_entry);
  BIND (to_entry);
  BIND (doctor_dropdown);
  BIND (doctor_list);
  BIND (status_dropdown);
  BIND (status_list);
  BIND (print_button);
  BIND (book_button);
  BIND (error_revealer);
  BIND (error_label);
  BIND (matches_revealer);
  BIND (matches_label);
  BIND (count_label);
  BIND (stack);
  BIND (list_page);
  BIND (waitlist_page);
  BIND (mine_page);
  BIND (self_book_page);
  BIND (column_view);
  BIND (wait_chart_entry);
  BIND (wait_doctor_dropdown);
  BIND (wait_doctor_list);
  BIND (wait_type_dropdown);
  BIND (wait_type_list);
  BIND (wait_preferred_entry);
  BIND (wait_urgency_dropdown);
  BIND (wait_urgency_list);
  BIND (waitlist_list);
  BIND (mine_list);
  BIND (book_doctor_dropdown);
  BIND (book_doctor_list);
  BIND (book_type_dropdown);
  BIND (book_type_list);
  BIND (slots_list);
#undef BIND
  gtk_widget_class_bind_template_callback (widget_class, on_filter_activate);

  gtk_widget_class_install_action (widget_class, "appointments.filter", NULL, filter_action);
  gtk_widget_class_install_action (widget_class, "appointments.book", NULL, book_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_n, GDK_CONTROL_MASK, "appointments.book", NULL);
  gtk_widget_class_install_action (widget_class, "appointments.print-day-list", NULL, print_day_list_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_p, GDK_CONTROL_MASK,
                                       "appointments.print-day-list", NULL);
  for (guint i = 0; i < G_N_ELEMENTS (row_actions); i++)
    {
      g_autofree char *name = g_strconcat ("appointments.", row_actions[i].action, NULL);

      gtk_widget_class_install_action (widget_class, name, "x",
                                       row_actions[i].to == CLINIC_APPOINTMENT_CANCELLED ? cancel_action
                                                                                         : status_action);
    }
  gtk_widget_class_install_action (widget_class, "appointments.open-chart", "x", open_chart_action);
  gtk_widget_class_install_action (widget_class, "appointments.undo-cancel", "ax", undo_cancel_action);
  gtk_widget_class_install_action (widget_class, "appointments.show-matches", NULL, show_matches_action);
  gtk_widget_class_install_action (widget_class, "appointments.dismiss-matches", NULL, dismiss_matches_action);
  gtk_widget_class_install_action (widget_class, "appointments.waitlist-add", NULL, waitlist_add_action);
  gtk_widget_class_install_action (widget_class, "appointments.waitlist-remove", "x", waitlist_take_off_action);
  gtk_widget_class_install_action (widget_class, "appointments.waitlist-booked", "x", waitlist_take_off_action);
  gtk_widget_class_install_action (widget_class, "appointments.find-slots", NULL, find_slots_action);
  gtk_widget_class_install_action (widget_class, "appointments.book-slot", "(xx)", book_slot_action);
}

static void
clinic_appointments_section_init (ClinicAppointmentsSection *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  /* The bin's own child (not a template child: AdwBin unparents it). */
  self->toast_overlay = ADW_TOAST_OVERLAY (adw_bin_get_child (ADW_BIN (self)));
  self->rows = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL,
                                      (GDestroyNotify) clinic_appointment_free);
}
