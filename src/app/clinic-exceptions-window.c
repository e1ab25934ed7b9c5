/* clinic-exceptions-window.c — the exceptions to the doctors' weeks */

#include "config.h"

#include <string.h>
#include <glib/gi18n.h>

#include "clinic-app-utils.h"
#include "clinic-section.h"
#include "clinic-error.h"
#include "clinic-exceptions-window.h"
#include "clinic-schedule-forms.h"
#include "clinic-schedule.h"

/* The dropdown's first rows, before the doctors. */
enum
{
  ROW_ALL,
  ROW_CLINIC,
  N_FIXED_ROWS
};

struct _ClinicExceptionsWindow
{
  AdwWindow                parent_instance;

  GtkDropDown             *doctor_dropdown;
  GtkStringList           *doctor_list;
  GtkCheckButton          *past_check;
  GtkRevealer             *error_revealer;
  GtkLabel                *error_label;
  AdwToastOverlay         *toast_overlay;
  GtkListBox              *list;

  ClinicSession           *session;
  GTimeZone               *tz;
  GPtrArray               *providers;   /* ClinicProvider, as in doctor_list after the fixed rows */
  GPtrArray               *shown;       /* ClinicScheduleException, as the rows */
  gint64                   hint;        /* the doctor Add Exception… starts with */
  ClinicScheduleException *undo;        /* the last one removed */
  char                    *error;
};

enum
{
  CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (ClinicExceptionsWindow, clinic_exceptions_window, ADW_TYPE_WINDOW)

/* The window's inline error (clinic_section_show_error), and its text
 * for the tests. */
static void
show_error (ClinicExceptionsWindow *self,
            const GError            *error)
{
  g_free (self->error);
  self->error = error != NULL ? g_strdup (error->message) : NULL;
  clinic_section_show_error (self->error_revealer, self->error_label, error);
}

const char *
clinic_exceptions_window_get_error (ClinicExceptionsWindow *self)
{
  g_return_val_if_fail (CLINIC_IS_EXCEPTIONS_WINDOW (self), NULL);
  return self->error;
}

static const char *
provider_name (ClinicExceptionsWindow *self,
               gint64                  provider_id)
{
  if (provider_id == 0)
    return _("Whole clinic");
  for (guint i = 0; i < self->providers->len; i++)
    if (((ClinicProvider *) self->providers->pdata[i])->user_id == provider_id)
      return ((ClinicProvider *) self->providers->pdata[i])->display_name;
  return "";
}

/* The chosen filter: CLINIC_EXCEPTIONS_ALL, 0 or a doctor. */
static gint64
filter (ClinicExceptionsWindow *self)
{
  guint i = gtk_drop_down_get_selected (self->doctor_dropdown);

  if (i == ROW_CLINIC)
    return 0;
  if (i >= N_FIXED_ROWS && i - N_FIXED_ROWS < self->providers->len)
    return ((ClinicProvider *) self->providers->pdata[i - N_FIXED_ROWS])->user_id;
  return CLINIC_EXCEPTIONS_ALL;
}

static const char *
kind_name (ClinicExceptionKind kind)
{
  switch (kind)
    {
    case CLINIC_EXCEPTION_OFF:
      return _("Day off or holiday");
    case CLINIC_EXCEPTION_BLOCK:
      return _("Blocked time");
    case CLINIC_EXCEPTION_EXTRA:
    default:
      return _("Extra hours");
    }
}

/* When, in the clinic's zone: whole days as dates, one day's hours as
 * "2040-03-01 09:00–10:00", anything else from one time to the other. */
static char *
format_range (GTimeZone                     *tz,
              const ClinicScheduleException *e)
{
  g_autofree char *start = clinic_format_local_time (tz, e->starts_at);
  g_autofree char *end = clinic_format_local_time (tz, e->ends_at);

  if (g_str_has_suffix (start, " 00:00") && g_str_has_suffix (end, " 00:00"))
    {
      g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (e->ends_at);
      g_autoptr(GDateTime) local = g_date_time_to_timezone (utc, tz);
      g_autoptr(GDateTime) last = g_date_time_add_days (local, -1);
      g_autofree char *last_day = g_date_time_format (last, "%Y-%m-%d");

      start[10] = '\0';
      if (g_strcmp0 (start, last_day) == 0)
        return g_steal_pointer (&start);
      /* Translators: the first and the last day of a day off or holiday */
      return g_strdup_printf (_("%s to %s"), start, last_day);
    }
  if (strncmp (start, end, 10) == 0)
    /* Translators: a date with its start time, then the end time */
    return g_strdup_printf (_("%s to %s"), start, end + 11);
  return g_strdup_printf (_("%s to %s"), start, end);
}

static void
on_remove_clicked (GtkButton              *button,
                   ClinicExceptionsWindow *self)
{
  gint64 *id = g_object_get_data (G_OBJECT (button), "exception-id");

  clinic_exceptions_window_remove (self, *id);
}

static GtkWidget *
make_row (ClinicExceptionsWindow        *self,
          const ClinicScheduleException *e)
{
  GtkWidget *row = gtk_list_box_row_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *texts = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  g_autofree char *range = format_range (self->tz, e);
  g_autofree char *title = g_strdup_printf ("%s · %s", kind_name (e->kind), range);
  g_autofree char *subtitle = *e->reason != '\0'
                              ? g_strdup_printf ("%s · %s", provider_name (self, e->provider_id), e->reason)
                              : g_strdup (provider_name (self, e->provider_id));
  g_autofree char *accessible = g_strdup_printf ("%s, %s", title, subtitle);
  /* Translators: the accessible name of an exception's Remove button */
  g_autofree char *remove_name = g_strdup_printf (_("Remove %s"), accessible);
  GtkWidget *heading = gtk_label_new (title);
  GtkWidget *sub = gtk_label_new (subtitle);
  GtkWidget *remove = gtk_button_new_from_icon_name ("user-trash-symbolic");

  gtk_label_set_xalign (GTK_LABEL (heading), 0);
  gtk_widget_add_css_class (heading, "heading");
  gtk_label_set_xalign (GTK_LABEL (sub), 0);
  gtk_label_set_wrap (GTK_LABEL (sub), TRUE);
  gtk_widget_add_css_class (sub, "dim-label");
  gtk_widget_set_hexpand (texts, TRUE);
  gtk_box_append (GTK_BOX (texts), heading);
  gtk_box_append (GTK_BOX (texts), sub);

  gtk_widget_set_tooltip_text (remove, _("Remove (Delete)"));
  gtk_widget_set_valign (remove, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (remove, "flat");
  gtk_accessible_update_property (GTK_ACCESSIBLE (remove), GTK_ACCESSIBLE_PROPERTY_LABEL, remove_name, -1);
  g_object_set_data_full (G_OBJECT (remove), "exception-id", g_memdup2 (&e->id, sizeof e->id), g_free);
  g_signal_connect_object (remove, "clicked", G_CALLBACK (on_remove_clicked), self, 0);

  gtk_box_append (GTK_BOX (box), texts);
  gtk_box_append (GTK_BOX (box), remove);
  gtk_widget_set_margin_top (box, 6);
  gtk_widget_set_margin_bottom (box, 6);
  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 6);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
  gtk_accessible_update_property (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_PROPERTY_LABEL, accessible, -1);
  return row;
}

static int
compare_exceptions (gconstpointer a,
                    gconstpointer b)
{
  const ClinicScheduleException *x = *(ClinicScheduleException **) a;
  const ClinicScheduleException *y = *(ClinicScheduleException **) b;

  if (x->starts_at != y->starts_at)
    return x->starts_at < y->starts_at ? -1 : 1;
  return x->id < y->id ? -1 : x->id > y->id;
}

/* Adds @from's exceptions that are not in @into yet (a doctor's list also
 * holds the clinic's, which every doctor's list repeats). */
static void
merge (GPtrArray *into,
       GPtrArray *from)
{
  for (guint i = 0; i < from->len; i++)
    {
      ClinicScheduleException *e = from->pdata[i];
      gboolean seen = FALSE;

      for (guint j = 0; j < into->len && !seen; j++)
        seen = ((ClinicScheduleException *) into->pdata[j])->id == e->id;
      if (!seen)
        g_ptr_array_add (into, g_steal_pointer (&from->pdata[i]));
    }
}

static void
reload (ClinicExceptionsWindow *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) shown = g_ptr_array_new_with_free_func ((GDestroyNotify) clinic_schedule_exception_free);
  gint64 who = filter (self);
  gint64 from = 0;
  GtkWidget *child;

  if (!gtk_check_button_get_active (self->past_check))
    {
      g_autoptr(GDateTime) now = g_date_time_new_now (self->tz);

      from = clinic_local_to_unix (self->tz, g_date_time_get_year (now), g_date_time_get_month (now),
                                   g_date_time_get_day_of_month (now), 0);
    }
  for (guint i = 0; i <= self->providers->len; i++)
    {
      gint64 id = i < self->providers->len ? ((ClinicProvider *) self->providers->pdata[i])->user_id : 0;
      g_autoptr(GPtrArray) part = NULL;

      if (who != CLINIC_EXCEPTIONS_ALL && who != id)
        continue;
      part = clinic_schedule_list_exceptions (self->session, id, from, G_MAXINT64 / 2, &error);
      if (part == NULL)
        break;
      merge (shown, part);
    }
  g_ptr_array_sort (shown, compare_exceptions);
  show_error (self, error);

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->list))) != NULL)
    gtk_list_box_remove (self->list, child);
  g_clear_pointer (&self->shown, g_ptr_array_unref);
  self->shown = g_steal_pointer (&shown);
  for (guint i = 0; i < self->shown->len; i++)
    gtk_list_box_append (self->list, make_row (self, self->shown->pdata[i]));
}

guint
clinic_exceptions_window_get_n_rows (ClinicExceptionsWindow *self)
{
  g_return_val_if_fail (CLINIC_IS_EXCEPTIONS_WINDOW (self), 0);
  return self->shown->len;
}

gint64
clinic_exceptions_window_get_row_id (ClinicExceptionsWindow *self,
                                     guint                   index)
{
  g_return_val_if_fail (CLINIC_IS_EXCEPTIONS_WINDOW (self), 0);
  g_return_val_if_fail (index < self->shown->len, 0);
  return ((ClinicScheduleException *) self->shown->pdata[index])->id;
}

void
clinic_exceptions_window_set_filter (ClinicExceptionsWindow *self,
                                     gint64                  provider_id)
{
  guint row = provider_id == 0 ? ROW_CLINIC : ROW_ALL;

  g_return_if_fail (CLINIC_IS_EXCEPTIONS_WINDOW (self));

  for (guint i = 0; i < self->providers->len; i++)
    if (((ClinicProvider *) self->providers->pdata[i])->user_id == provider_id)
      row = N_FIXED_ROWS + i;
  if (gtk_drop_down_get_selected (self->doctor_dropdown) == row)
    reload (self);
  else
    gtk_drop_down_set_selected (self->doctor_dropdown, row);
}

void
clinic_exceptions_window_set_show_past (ClinicExceptionsWindow *self,
                                        gboolean                show_past)
{
  g_return_if_fail (CLINIC_IS_EXCEPTIONS_WINDOW (self));
  gtk_check_button_set_active (self->past_check, show_past);
}

static void
on_undo_clicked (ClinicExceptionsWindow *self)
{
  clinic_exceptions_window_undo (self);
}

gboolean
clinic_exceptions_window_remove (ClinicExceptionsWindow *self,
                                 gint64                  id)
{
  g_autoptr(GError) error = NULL;
  ClinicScheduleException *removed = NULL;
  AdwToast *toast;

  g_return_val_if_fail (CLINIC_IS_EXCEPTIONS_WINDOW (self), FALSE);

  for (guint i = 0; i < self->shown->len && removed == NULL; i++)
    if (((ClinicScheduleException *) self->shown->pdata[i])->id == id)
      removed = self->shown->pdata[i];
  if (removed == NULL || !clinic_schedule_remove_exception (self->session, id, &error))
    {
      if (error == NULL)
        g_set_error_literal (&error, CLINIC_ERROR, CLINIC_ERROR_NOT_FOUND, _("That exception is no longer listed."));
      show_error (self, error);
      return FALSE;
    }
  /* Kept for Undo: what the list read is all an exception has besides
   * who made it and when, which the audit log keeps. */
  g_clear_pointer (&self->undo, clinic_schedule_exception_free);
  self->undo = clinic_schedule_exception_copy (removed);
  reload (self);
  g_signal_emit (self, signals[CHANGED], 0);

  toast = adw_toast_new (_("Exception removed"));
  adw_toast_set_button_label (toast, _("_Undo"));
  g_signal_connect_object (toast, "button-clicked", G_CALLBACK (on_undo_clicked), self, G_CONNECT_SWAPPED);
  clinic_toast_overlay_add (self->toast_overlay, toast);
  return TRUE;
}

gboolean
clinic_exceptions_window_undo (ClinicExceptionsWindow *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClinicScheduleException) e = NULL;

  g_return_val_if_fail (CLINIC_IS_EXCEPTIONS_WINDOW (self), FALSE);

  if (self->undo == NULL)
    return FALSE;
  e = g_steal_pointer (&self->undo);
  if (clinic_schedule_add_exception (self->session, e, &error) == 0)
    {
      show_error (self, error);
      return FALSE;
    }
  reload (self);
  g_signal_emit (self, signals[CHANGED], 0);
  return TRUE;
}

static void
remove_selected_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  ClinicExceptionsWindow *self = CLINIC_EXCEPTIONS_WINDOW (widget);
  GtkListBoxRow *row = gtk_list_box_get_selected_row (self->list);
  int i = row != NULL ? gtk_list_box_row_get_index (row) : -1;

  if (i >= 0 && (guint) i < self->shown->len)
    {
      clinic_exceptions_window_remove (self, ((ClinicScheduleException *) self->shown->pdata[i])->id);
      /* The keyboard stays on the list, on the row that took its place. */
      row = gtk_list_box_get_row_at_index (self->list, MIN (i, (int) self->shown->len - 1));
      if (row != NULL)
        {
          gtk_list_box_select_row (self->list, row);
          gtk_widget_grab_focus (GTK_WIDGET (row));
        }
    }
}

static void
on_form_closed (ClinicExceptionsWindow *self)
{
  reload (self);
  g_signal_emit (self, signals[CHANGED], 0);
}

static void
add_action (GtkWidget  *widget,
            const char *action_name,
            GVariant   *parameter)
{
  ClinicExceptionsWindow *self = CLINIC_EXCEPTIONS_WINDOW (widget);
  gint64 who = filter (self);
  GtkWindow *form;

  /* The form is for one doctor, and offers the whole clinic beside. */
  if (who <= 0)
    who = self->hint;
  if (who <= 0 && self->providers->len > 0)
    who = ((ClinicProvider *) self->providers->pdata[0])->user_id;
  if (who <= 0)
    {
      g_autoptr(GError) error = g_error_new_literal (CLINIC_ERROR, CLINIC_ERROR_NOT_FOUND,
                                                     _("There is no doctor taking appointments yet."));

      show_error (self, error);
      return;
    }
  form = clinic_exception_form_new (GTK_WINDOW (self), self->session, who, provider_name (self, who));
  g_signal_connect_object (form, "destroy", G_CALLBACK (on_form_closed), self, G_CONNECT_SWAPPED);
  gtk_window_present (form);
}

static void
clinic_exceptions_window_dispose (GObject *object)
{
  ClinicExceptionsWindow *self = CLINIC_EXCEPTIONS_WINDOW (object);

  g_clear_pointer (&self->shown, g_ptr_array_unref);
  g_clear_pointer (&self->providers, g_ptr_array_unref);
  g_clear_pointer (&self->undo, clinic_schedule_exception_free);
  g_clear_pointer (&self->tz, g_time_zone_unref);
  g_clear_object (&self->session);
  gtk_widget_dispose_template (GTK_WIDGET (self), CLINIC_TYPE_EXCEPTIONS_WINDOW);
  G_OBJECT_CLASS (clinic_exceptions_window_parent_class)->dispose (object);
}

static void
clinic_exceptions_window_finalize (GObject *object)
{
  ClinicExceptionsWindow *self = CLINIC_EXCEPTIONS_WINDOW (object);

  g_free (self->error);
  G_OBJECT_CLASS (clinic_exceptions_window_parent_class)->finalize (object);
}

static void
clinic_exceptions_window_class_init (ClinicExceptionsWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  clinic_ensure_resources ();
  object_class->dispose = clinic_exceptions_window_dispose;
  object_class->finalize = clinic_exceptions_window_finalize;

  /* After an exception was removed, put back or added: the calendar redraws. */
  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                                   NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class, "/com/example/Clinic/ui/clinic-exceptions-window.ui");
  gtk_widget_class_bind_template_child (widget_class, ClinicExceptionsWindow, doctor_dropdown);
  gtk_widget_class_bind_template_child (widget_class, ClinicExceptionsWindow, doctor_list);
  gtk_widget_class_bind_template_child (widget_class, ClinicExceptionsWindow, past_check);
  gtk_widget_class_bind_template_child (widget_class, ClinicExceptionsWindow, error_revealer);
  gtk_widget_class_bind_template_child (widget_class, ClinicExceptionsWindow, error_label);
  gtk_widget_class_bind_template_child (widget_class, ClinicExceptionsWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, ClinicExceptionsWindow, list);

  gtk_widget_class_install_action (widget_class, "exceptions.add", NULL, add_action);
  gtk_widget_class_install_action (widget_class, "exceptions.remove-selected", NULL, remove_selected_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_n, GDK_CONTROL_MASK, "exceptions.add", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Delete, 0, "exceptions.remove-selected", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Delete, 0, "exceptions.remove-selected", NULL);
}

static void
clinic_exceptions_window_init (ClinicExceptionsWindow *self)
{
  GtkWidget *placeholder;

  gtk_widget_init_template (GTK_WIDGET (self));
  clinic_window_close_on_escape (GTK_WINDOW (self));
  placeholder = gtk_label_new (_("No exceptions: every doctor works the usual week."));
  gtk_widget_add_css_class (placeholder, "dim-label");
  gtk_widget_set_margin_top (placeholder, 18);
  gtk_widget_set_margin_bottom (placeholder, 18);
  gtk_list_box_set_placeholder (self->list, placeholder);
  self->shown = g_ptr_array_new_with_free_func ((GDestroyNotify) clinic_schedule_exception_free);
}

GtkWindow *
clinic_exceptions_window_new (GtkWindow     *parent,
                              ClinicSession *session,
                              gint64         provider_id)
{
  ClinicExceptionsWindow *self;
  g_autoptr(GError) error = NULL;

  g_return_val_if_fail (CLINIC_IS_SESSION (session), NULL);

  self = g_object_new (CLINIC_TYPE_EXCEPTIONS_WINDOW, NULL);
  if (parent != NULL)
    gtk_window_set_transient_for (GTK_WINDOW (self), parent);
  self->session = g_object_ref (session);
  self->tz = clinic_schedule_get_timezone (clinic_session_get_db (session));
  self->hint = provider_id > 0 ? provider_id : 0;

  /* Doctors no longer taking appointments may still have exceptions. */
  self->providers = clinic_providers_list (session, TRUE, &error);
  if (self->providers == NULL)
    {
      self->providers = g_ptr_array_new ();
      show_error (self, error);
    }
  gtk_string_list_append (self->doctor_list, _("All"));
  gtk_string_list_append (self->doctor_list, _("Whole clinic"));
  for (guint i = 0; i < self->providers->len; i++)
    gtk_string_list_append (self->doctor_list, ((ClinicProvider *) self->providers->pdata[i])->display_name);

  g_signal_connect_object (self->doctor_dropdown, "notify::selected", G_CALLBACK (reload), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->past_check, "toggled", G_CALLBACK (reload), self, G_CONNECT_SWAPPED);
  clinic_exceptions_window_set_filter (self, provider_id);
  return GTK_WINDOW (self);
}
