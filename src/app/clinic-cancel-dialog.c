/* clinic-cancel-dialog.c — the question before an appointment is cancelled */

#include "config.h"

#include <glib/gi18n.h>

#include "clinic-cancel-dialog.h"
#include "clinic-error.h"

#define KEY_ID     "clinic-cancel-id"
#define KEY_REASON "clinic-cancel-reason"
#define KEY_SCOPES "clinic-cancel-scopes"

static void
on_reason_changed (GtkEditable      *entry,
                   AdwMessageDialog *dialog)
{
  g_autofree char *reason = g_strstrip (g_strdup (gtk_editable_get_text (entry)));

  adw_message_dialog_set_response_enabled (dialog, CLINIC_CANCEL_RESPONSE, *reason != '\0');
}

/* How many dates @scope takes around @id; 0 when it cannot be read. */
static guint
scope_size (ClinicSession     *session,
            gint64             id,
            ClinicSeriesScope  scope)
{
  g_autoptr(GArray) ids = clinic_recurrence_scope (session, id, scope, NULL);

  return ids != NULL ? ids->len : 0;
}

/* The choice between this one, the following and all, or NULL when the
 * appointment has no later dates in a series (nothing to choose). */
static GtkWidget *
scope_choice (ClinicSession *session,
              gint64         id,
              GPtrArray     *buttons)
{
  g_autoptr(ClinicAppointment) a = clinic_appointments_get (session, id, NULL);
  GtkWidget *box, *group = NULL;
  guint following, all;

  if (a == NULL || a->series_id == 0)
    return NULL;
  following = scope_size (session, id, CLINIC_SERIES_FOLLOWING);
  all = scope_size (session, id, CLINIC_SERIES_ALL);
  if (all <= 1)
    return NULL;

  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  gtk_accessible_update_property (GTK_ACCESSIBLE (box), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Which dates of the series"), -1);
  for (ClinicSeriesScope scope = CLINIC_SERIES_THIS; scope <= CLINIC_SERIES_ALL; scope++)
    {
      g_autofree char *label = NULL;
      GtkWidget *button;

      if (scope == CLINIC_SERIES_THIS)
        label = g_strdup (_("_Only this appointment"));
      else if (scope == CLINIC_SERIES_FOLLOWING)
        label = g_strdup_printf (ngettext ("This and the _following (%u date)",
                                           "This and the _following (%u dates)", following), following);
      else
        label = g_strdup_printf (ngettext ("_All of the series still to come (%u date)",
                                           "_All of the series still to come (%u dates)", all), all);
      button = gtk_check_button_new_with_mnemonic (label);
      if (group != NULL)
        gtk_check_button_set_group (GTK_CHECK_BUTTON (button), GTK_CHECK_BUTTON (group));
      else
        group = button;
      gtk_check_button_set_active (GTK_CHECK_BUTTON (button), scope == CLINIC_SERIES_THIS);
      gtk_box_append (GTK_BOX (box), button);
      g_ptr_array_add (buttons, button);
    }
  return box;
}

AdwMessageDialog *
clinic_cancel_dialog_new (GtkWindow     *parent,
                          ClinicSession *session,
                          gint64         id)
{
  AdwMessageDialog *dialog;
  GtkWidget *box, *entry, *choice;
  GPtrArray *buttons = g_ptr_array_new ();

  g_return_val_if_fail (CLINIC_IS_SESSION (session), NULL);

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (parent, _("Cancel the Appointment?"),
                                                       _("Give a reason; it is kept in the appointment’s history.")));
  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  entry = gtk_entry_new ();
  gtk_entry_set_placeholder_text (GTK_ENTRY (entry), _("Reason"));
  gtk_entry_set_activates_default (GTK_ENTRY (entry), TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (entry), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Reason for the cancellation"), -1);
  gtk_box_append (GTK_BOX (box), entry);
  choice = scope_choice (session, id, buttons);
  if (choice != NULL)
    {
      adw_message_dialog_set_heading (dialog, _("Cancel a Recurring Appointment?"));
      gtk_box_append (GTK_BOX (box), choice);
    }
  adw_message_dialog_set_extra_child (dialog, box);
  adw_message_dialog_add_responses (dialog, "keep", _("_Keep It"), CLINIC_CANCEL_RESPONSE, _("_Cancel Appointment"),
                                    NULL);
  adw_message_dialog_set_response_appearance (dialog, CLINIC_CANCEL_RESPONSE, ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_response_enabled (dialog, CLINIC_CANCEL_RESPONSE, FALSE);
  adw_message_dialog_set_default_response (dialog, CLINIC_CANCEL_RESPONSE);
  adw_message_dialog_set_close_response (dialog, "keep");
  g_object_set_data_full (G_OBJECT (dialog), KEY_ID, g_memdup2 (&id, sizeof id), g_free);
  g_object_set_data (G_OBJECT (dialog), KEY_REASON, entry);
  g_object_set_data_full (G_OBJECT (dialog), KEY_SCOPES, buttons, (GDestroyNotify) g_ptr_array_unref);
  g_signal_connect (entry, "changed", G_CALLBACK (on_reason_changed), dialog);
  gtk_widget_grab_focus (entry);
  return dialog;
}

gint64
clinic_cancel_dialog_get_id (AdwMessageDialog *dialog)
{
  gint64 *id = g_object_get_data (G_OBJECT (dialog), KEY_ID);

  g_return_val_if_fail (id != NULL, 0);
  return *id;
}

const char *
clinic_cancel_dialog_get_reason (AdwMessageDialog *dialog)
{
  GtkEditable *entry = g_object_get_data (G_OBJECT (dialog), KEY_REASON);

  g_return_val_if_fail (entry != NULL, NULL);
  return gtk_editable_get_text (entry);
}

ClinicSeriesScope
clinic_cancel_dialog_get_scope (AdwMessageDialog *dialog)
{
  GPtrArray *buttons = g_object_get_data (G_OBJECT (dialog), KEY_SCOPES);

  for (guint i = 0; buttons != NULL && i < buttons->len; i++)
    if (gtk_check_button_get_active (g_ptr_array_index (buttons, i)))
      return (ClinicSeriesScope) i;
  return CLINIC_SERIES_THIS;
}

gboolean
clinic_cancel_dialog_set_scope (AdwMessageDialog  *dialog,
                                ClinicSeriesScope  scope)
{
  GPtrArray *buttons = g_object_get_data (G_OBJECT (dialog), KEY_SCOPES);

  if (buttons == NULL || (guint) scope >= buttons->len)
    return FALSE;
  gtk_check_button_set_active (g_ptr_array_index (buttons, scope), TRUE);
  return TRUE;
}

GArray *
clinic_cancel_appointments (ClinicSession     *session,
                            gint64             id,
                            ClinicSeriesScope  scope,
                            const char        *reason,
                            GError           **error)
{
  g_autoptr(GArray) ids = NULL;

  if (scope == CLINIC_SERIES_THIS)
    {
      if (!clinic_appointments_cancel (session, id, reason, error))
        return NULL;
      ids = g_array_new (FALSE, FALSE, sizeof (gint64));
      g_array_append_val (ids, id);
      return g_steal_pointer (&ids);
    }
  if (!clinic_recurrence_cancel (session, id, scope, reason, &ids, error))
    return NULL;
  return g_steal_pointer (&ids);
}

gboolean
clinic_cancel_undo (ClinicSession  *session,
                    GArray         *ids,
                    GError        **error)
{
  g_autoptr(GError) first = NULL;
  guint n_failed = 0;

  for (guint i = 0; i < ids->len; i++)
    {
      g_autoptr(GError) local = NULL;

      if (!clinic_appointments_set_status (session, g_array_index (ids, gint64, i), CLINIC_APPOINTMENT_BOOKED,
                                           &local))
        {
          if (n_failed++ == 0)
            first = g_steal_pointer (&local);
        }
    }
  if (n_failed == 0)
    return TRUE;
  if (ids->len == 1)
    {
      g_propagate_error (error, g_steal_pointer (&first));
      return FALSE;
    }
  /* Translators: undoing the cancellation of several dates of a series;
   * the last %s is why the first of them could not be booked again */
  g_set_error (error, first->domain, first->code,
               ngettext ("%u of %u dates could not be booked again: %s",
                         "%u of %u dates could not be booked again: %s", n_failed),
               n_failed, ids->len, first->message);
  return FALSE;
}
