/* clinic-registrations-window.c — the front desk confirms or rejects
 * the registrations made at the kiosk
 *
 * Each row carries what tells one person from another (name, date of
 * birth, chart number, phone) and, where the kiosk's record looked like
 * a registered patient's, says so: the front desk merges first (Merge
 * Duplicate), then confirms. Rejecting asks why, in a message dialog
 * with an entry, since the reason goes into the audit trail.
 */

#include "config.h"

#include <glib/gi18n.h>

#include "clinic-app-utils.h"
#include "clinic-registration.h"
#include "clinic-registrations-window.h"

struct _ClinicRegistrationsWindow
{
  AdwWindow        parent_instance;

  ClinicSession   *session;
  guint            n_listed;

  /* Template widgets */
  AdwToastOverlay *toast_overlay;
  GtkStack        *stack;
  GtkListBox      *list_box;
};

G_DEFINE_FINAL_TYPE (ClinicRegistrationsWindow, clinic_registrations_window, ADW_TYPE_WINDOW)

enum {
  CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static GtkWidget *
make_button (const char *label,
             const char *action,
             gint64      user_id,
             const char *accessible_name)
{
  GtkWidget *button = gtk_button_new_with_mnemonic (label);

  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), action);
  gtk_actionable_set_action_target (GTK_ACTIONABLE (button), "x", user_id);
  /* "Confirm" alone, read out of context, does not say whose. */
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  accessible_name, -1);
  return button;
}

static GtkWidget *
make_row (const ClinicRegistration *r)
{
  const ClinicPatient *p = r->patient;
  g_autoptr(GDateTime) when = g_date_time_new_from_unix_local (r->registered_at);
  g_autofree char *registered = g_date_time_format (when, "%x %H:%M");
  g_autofree char *title = NULL;
  g_autofree char *subtitle = NULL;
  g_autofree char *confirm_name = NULL;
  g_autofree char *reject_name = NULL;
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *button;

  /* Translators: a registration from the kiosk: family name, given names */
  title = g_strdup_printf (_("%s, %s"), p->family_name, p->given_names);
  /* Translators: date of birth, chart number, phone, when registered */
  subtitle = g_strdup_printf (_("Born %s · Chart %s · Phone %s · Registered %s"),
                              p->birth_date, p->chart_number,
                              p->phone[0] != '\0' ? p->phone : _("none"), registered);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);

  if (r->possible_duplicate)
    {
      GtkWidget *label = gtk_label_new (_("Possible duplicate: check with Merge Duplicate"));

      gtk_label_set_wrap (GTK_LABEL (label), TRUE);
      gtk_widget_add_css_class (label, "warning");
      gtk_widget_add_css_class (label, "caption");
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), label);
    }

  /* Translators: the accessible name of a button; %s is the patient's name */
  confirm_name = g_strdup_printf (_("Confirm the registration of %s"), title);
  reject_name = g_strdup_printf (_("Reject the registration of %s"), title);
  button = make_button (_("_Reject…"), "registrations.reject", r->user_id, reject_name);
  gtk_widget_add_css_class (button, "destructive-action");
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
  button = make_button (_("_Confirm"), "registrations.confirm", r->user_id, confirm_name);
  gtk_widget_add_css_class (button, "suggested-action");
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);

  return row;
}

static void
reload (ClinicRegistrationsWindow *self)
{
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(GError) error = NULL;
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->list_box))) != NULL)
    gtk_list_box_remove (self->list_box, child);

  list = clinic_registrations_list_pending (self->session, &error);
  if (list == NULL)
    {
      self->n_listed = 0;
      clinic_toast_overlay_add (self->toast_overlay, adw_toast_new (error->message));
      gtk_stack_set_visible_child_name (self->stack, "empty");
      return;
    }

  for (guint i = 0; i < list->len; i++)
    gtk_list_box_append (self->list_box, make_row (g_ptr_array_index (list, i)));
  self->n_listed = list->len;
  gtk_stack_set_visible_child_name (self->stack, list->len > 0 ? "list" : "empty");
}

static void
decided (ClinicRegistrationsWindow *self,
         const char                *message)
{
  clinic_toast_overlay_add (self->toast_overlay, adw_toast_new (message));
  reload (self);
  g_signal_emit (self, signals[CHANGED], 0);
}

static void
confirm_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  ClinicRegistrationsWindow *self = CLINIC_REGISTRATIONS_WINDOW (widget);
  g_autoptr(GError) error = NULL;

  if (!clinic_registrations_confirm (self->session, g_variant_get_int64 (parameter), &error))
    {
      clinic_toast_overlay_add (self->toast_overlay, adw_toast_new (error->message));
      return;
    }
  decided (self, _("Registration confirmed: the patient can sign in at the kiosk now"));
}

static void
on_reject_response (AdwMessageDialog *dialog,
                    const char       *response,
                    gpointer          user_data)
{
  ClinicRegistrationsWindow *self = CLINIC_REGISTRATIONS_WINDOW (user_data);
  GtkEditable *entry = GTK_EDITABLE (adw_message_dialog_get_extra_child (dialog));
  gint64 user_id = *(const gint64 *) g_object_get_data (G_OBJECT (dialog), "user-id");
  g_autoptr(GError) error = NULL;

  if (g_strcmp0 (response, "reject") != 0)
    return;

  if (!clinic_registrations_reject (self->session, user_id, gtk_editable_get_text (entry), &error))
    {
      clinic_toast_overlay_add (self->toast_overlay, adw_toast_new (error->message));
      return;
    }
  decided (self, _("Registration rejected: the account is disabled and the record inactive"));
}

static void
on_reason_changed (GtkEditable      *entry,
                   AdwMessageDialog *dialog)
{
  g_autofree char *reason = g_strstrip (g_strdup (gtk_editable_get_text (entry)));

  adw_message_dialog_set_response_enabled (dialog, "reject", reason[0] != '\0');
}

static void
reject_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  ClinicRegistrationsWindow *self = CLINIC_REGISTRATIONS_WINDOW (widget);
  gint64 user_id = g_variant_get_int64 (parameter);
  GtkWidget *dialog;
  GtkWidget *entry;

  dialog = adw_message_dialog_new (GTK_WINDOW (self), _("Reject This Registration?"),
                                   _("The account is disabled and the record made at the kiosk becomes inactive. Say why, for the audit trail."));
  entry = gtk_entry_new ();
  gtk_entry_set_max_length (GTK_ENTRY (entry), 500);
  gtk_entry_set_activates_default (GTK_ENTRY (entry), TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (entry), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Reason"), -1);
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), entry);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "reject", _("_Reject"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "reject",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_response_enabled (ADW_MESSAGE_DIALOG (dialog), "reject", FALSE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "reject");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data_full (G_OBJECT (dialog), "user-id", g_memdup2 (&user_id, sizeof user_id), g_free);
  g_signal_connect (entry, "changed", G_CALLBACK (on_reason_changed), dialog);
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_reject_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
  gtk_widget_grab_focus (entry);
}

guint
clinic_registrations_window_get_n_listed (ClinicRegistrationsWindow *self)
{
  g_return_val_if_fail (CLINIC_IS_REGISTRATIONS_WINDOW (self), 0);

  return self->n_listed;
}

static void
clinic_registrations_window_dispose (GObject *object)
{
  ClinicRegistrationsWindow *self = CLINIC_REGISTRATIONS_WINDOW (object);

  g_clear_object (&self->session);
  gtk_widget_dispose_template (GTK_WIDGET (object), CLINIC_TYPE_REGISTRATIONS_WINDOW);

  G_OBJECT_CLASS (clinic_registrations_window_parent_class)->dispose (object);
}

static void
clinic_registrations_window_class_init (ClinicRegistrationsWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  clinic_ensure_resources ();

  object_class->dispose = clinic_registrations_window_dispose;

  signals[CHANGED] =
    g_signal_new ("changed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class, "/com/example/Clinic/ui/clinic-registrations-window.ui");
  gtk_widget_class_bind_template_child (widget_class, ClinicRegistrationsWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, ClinicRegistrationsWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, ClinicRegistrationsWindow, list_box);

  gtk_widget_class_install_action (widget_class, "registrations.confirm", "x", confirm_action);
  gtk_widget_class_install_action (widget_class, "registrations.reject", "x", reject_action);
}

static void
clinic_registrations_window_init (ClinicRegistrationsWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  clinic_window_close_on_escape (GTK_WINDOW (self));
}

GtkWidget *
clinic_registrations_window_new (GtkWindow     *parent,
                                 ClinicSession *session)
{
  ClinicRegistrationsWindow *self;

  g_return_val_if_fail (CLINIC_IS_SESSION (session), NULL);

  self = g_object_new (CLINIC_TYPE_REGISTRATIONS_WINDOW, "transient-for", parent, NULL);
  self->session = g_object_ref (session);
  reload (self);
  return GTK_WIDGET (self);
}
