/* clinic-form-window.c — a small modal form: fields, Cancel and one action */

#include "config.h"

#include <glib/gi18n.h>

#include "clinic-app-utils.h"
#include "clinic-form-window.h"

struct _ClinicFormWindow
{
  AdwWindow             parent_instance;

  GtkRevealer          *error_revealer;
  GtkLabel             *error_label;
  GtkButton            *action_button;
  GtkBox               *notices;
  GtkGrid              *grid;

  GHashTable           *fields;     /* key → widget */
  int                   rows;
  GtkWidget            *first;      /* focused when shown */
  char                 *error;

  ClinicFormSubmitFunc  submit;
  gpointer              user_data;
  GDestroyNotify        destroy;
};

G_DEFINE_FINAL_TYPE (ClinicFormWindow, clinic_form_window, ADW_TYPE_WINDOW)

static void
show_error (ClinicFormWindow *self,
            const char       *message)
{
  g_free (self->error);
  self->error = g_strdup (message);
  gtk_label_set_text (self->error_label, message != NULL ? message : "");
  gtk_revealer_set_reveal_child (self->error_revealer, message != NULL);
}

void
clinic_form_window_submit (ClinicFormWindow *self)
{
  g_autoptr(GError) error = NULL;

  g_return_if_fail (CLINIC_IS_FORM_WINDOW (self));

  if (self->submit == NULL || self->submit (self, self->user_data, &error))
    {
      show_error (self, NULL);
      gtk_window_destroy (GTK_WINDOW (self));
      return;
    }
  show_error (self, error != NULL ? error->message : _("That did not work."));
}

const char *
clinic_form_window_get_error (ClinicFormWindow *self)
{
  g_return_val_if_fail (CLINIC_IS_FORM_WINDOW (self), NULL);
  return self->error;
}

static void
on_submit (GtkWidget  *widget,
           const char *action,
           GVariant   *parameter)
{
  clinic_form_window_submit (CLINIC_FORM_WINDOW (widget));
}

static GtkWidget *
field (ClinicFormWindow *self,
       const char       *key)
{
  GtkWidget *widget = g_hash_table_lookup (self->fields, key);

  if (widget == NULL)
    g_critical ("The form “%s” has no field “%s”", gtk_window_get_title (GTK_WINDOW (self)), key);
  return widget;
}

/* Puts @widget in the next row of the grid under a label that names it,
 * for sight and for screen readers. */
static void
add_row (ClinicFormWindow *self,
         const char       *key,
         const char       *label_text,
         GtkWidget        *widget,
         GtkWidget        *named)
{
  GtkWidget *label = gtk_label_new_with_mnemonic (label_text);
  g_autofree char *plain = NULL;

  gtk_label_set_xalign (GTK_LABEL (label), 1);
  gtk_widget_set_valign (label, GTK_IS_SCROLLED_WINDOW (widget) ? GTK_ALIGN_START : GTK_ALIGN_CENTER);
  if (GTK_IS_SCROLLED_WINDOW (widget))
    gtk_widget_set_margin_top (label, 6);
  gtk_widget_add_css_class (label, "dim-label");
  gtk_label_set_mnemonic_widget (GTK_LABEL (label), named);
  plain = g_strdup (gtk_label_get_text (GTK_LABEL (label)));
  gtk_accessible_update_property (GTK_ACCESSIBLE (named), GTK_ACCESSIBLE_PROPERTY_LABEL, plain, -1);
  if (widget != named)
    gtk_accessible_update_property (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_PROPERTY_LABEL, plain, -1);
  gtk_widget_set_hexpand (widget, TRUE);

  gtk_grid_attach (self->grid, label, 0, self->rows, 1, 1);
  gtk_grid_attach (self->grid, widget, 1, self->rows, 1, 1);
  self->rows++;
  g_hash_table_insert (self->fields, g_strdup (key), named);
  if (self->first == NULL)
    {
      self->first = named;
      gtk_window_set_focus (GTK_WINDOW (self), named);
    }
}

void
clinic_form_window_add_notice (ClinicFormWindow *self,
                               const char       *text,
                               gboolean          warning)
{
  GtkWidget *label = gtk_label_new (text);

  g_return_if_fail (CLINIC_IS_FORM_WINDOW (self));

  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_add_css_class (label, warning ? "inline-error" : "form-notice");
  gtk_box_append (self->notices, label);
}

void
clinic_form_window_add_entry (ClinicFormWindow *self,
                              const char       *key,
                              const char       *label,
                              const char       *value)
{
  GtkWidget *entry = gtk_entry_new ();

  g_return_if_fail (CLINIC_IS_FORM_WINDOW (self));

  gtk_editable_set_text (GTK_EDITABLE (entry), value != NULL ? value : "");
  gtk_entry_set_activates_default (GTK_ENTRY (entry), TRUE);
  add_row (self, key, label, entry, entry);
}

void
clinic_form_window_add_text (ClinicFormWindow *self,
                             const char       *key,
                             const char       *label,
                             const char       *value)
{
  GtkWidget *scrolled = gtk_scrolled_window_new ();
  GtkWidget *view = gtk_text_view_new ();

  g_return_if_fail (CLINIC_IS_FORM_WINDOW (self));

  gtk_text_view_set_wrap_mode (GTK_TEXT_VIEW (view), GTK_WRAP_WORD_CHAR);
  gtk_text_view_set_accepts_tab (GTK_TEXT_VIEW (view), FALSE);
  gtk_text_view_set_top_margin (GTK_TEXT_VIEW (view), 6);
  gtk_text_view_set_bottom_margin (GTK_TEXT_VIEW (view), 6);
  gtk_text_view_set_left_margin (GTK_TEXT_VIEW (view), 6);
  gtk_text_view_set_right_margin (GTK_TEXT_VIEW (view), 6);
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (GTK_TEXT_VIEW (view)), value != NULL ? value : "", -1);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), view);
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_min_content_height (GTK_SCROLLED_WINDOW (scrolled), 72);
  gtk_widget_add_css_class (scrolled, "card");
  add_row (self, key, label, scrolled, view);
}

void
clinic_form_window_add_choice (ClinicFormWindow  *self,
                               const char        *key,
                               const char        *label,
                               const char *const *options,
                               guint              active)
{
  GtkWidget *drop = gtk_drop_down_new_from_strings (options);

  g_return_if_fail (CLINIC_IS_FORM_WINDOW (self));

  gtk_drop_down_set_selected (GTK_DROP_DOWN (drop), active);
  add_row (self, key, label, drop, drop);
}

void
clinic_form_window_add_number (ClinicFormWindow *self,
                               const char       *key,
                               const char       *label,
                               int               min,
                               int               max,
                               int               value)
{
  GtkWidget *spin = gtk_spin_button_new_with_range (min, max, 1);

  g_return_if_fail (CLINIC_IS_FORM_WINDOW (self));

  gtk_spin_button_set_value (GTK_SPIN_BUTTON (spin), value);
  gtk_widget_set_halign (spin, GTK_ALIGN_START);
  add_row (self, key, label, spin, spin);
}

void
clinic_form_window_add_check (ClinicFormWindow *self,
                              const char       *key,
                              const char       *label,
                              gboolean          active)
{
  GtkWidget *check = gtk_check_button_new ();

  g_return_if_fail (CLINIC_IS_FORM_WINDOW (self));

  gtk_check_button_set_active (GTK_CHECK_BUTTON (check), active);
  add_row (self, key, label, check, check);
}

char *
clinic_form_window_get_text (ClinicFormWindow *self,
                             const char       *key)
{
  GtkWidget *widget;

  g_return_val_if_fail (CLINIC_IS_FORM_WINDOW (self), NULL);

  widget = field (self, key);
  if (GTK_IS_TEXT_VIEW (widget))
    {
      GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (widget));
      GtkTextIter start, end;

      gtk_text_buffer_get_bounds (buffer, &start, &end);
      return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
    }
  if (GTK_IS_EDITABLE (widget))
    return g_strdup (gtk_editable_get_text (GTK_EDITABLE (widget)));
  return g_strdup ("");
}

void
clinic_form_window_set_text (ClinicFormWindow *self,
                             const char       *key,
                             const char       *value)
{
  GtkWidget *widget;

  g_return_if_fail (CLINIC_IS_FORM_WINDOW (self));

  widget = field (self, key);
  if (GTK_IS_TEXT_VIEW (widget))
    gtk_text_buffer_set_text (gtk_text_view_get_buffer (GTK_TEXT_VIEW (widget)), value, -1);
  else if (GTK_IS_EDITABLE (widget))
    gtk_editable_set_text (GTK_EDITABLE (widget), value);
}

guint
clinic_form_window_get_choice (ClinicFormWindow *self,
                               const char       *key)
{
  GtkWidget *widget;

  g_return_val_if_fail (CLINIC_IS_FORM_WINDOW (self), 0);

  widget = field (self, key);
  return GTK_IS_DROP_DOWN (widget) ? gtk_drop_down_get_selected (GTK_DROP_DOWN (widget)) : 0;
}

int
clinic_form_window_get_number (ClinicFormWindow *self,
                               const char       *key)
{
  GtkWidget *widget;

  g_return_val_if_fail (CLINIC_IS_FORM_WINDOW (self), 0);

  widget = field (self, key);
  if (!GTK_IS_SPIN_BUTTON (widget))
    return 0;
  gtk_spin_button_update (GTK_SPIN_BUTTON (widget));
  return gtk_spin_button_get_value_as_int (GTK_SPIN_BUTTON (widget));
}

gboolean
clinic_form_window_get_check (ClinicFormWindow *self,
                              const char       *key)
{
  GtkWidget *widget;

  g_return_val_if_fail (CLINIC_IS_FORM_WINDOW (self), FALSE);

  widget = field (self, key);
  return GTK_IS_CHECK_BUTTON (widget) && gtk_check_button_get_active (GTK_CHECK_BUTTON (widget));
}

static void
clinic_form_window_dispose (GObject *object)
{
  ClinicFormWindow *self = CLINIC_FORM_WINDOW (object);

  if (self->destroy != NULL && self->user_data != NULL)
    self->destroy (self->user_data);
  self->user_data = NULL;
  self->destroy = NULL;
  gtk_widget_dispose_template (GTK_WIDGET (self), CLINIC_TYPE_FORM_WINDOW);
  G_OBJECT_CLASS (clinic_form_window_parent_class)->dispose (object);
}

static void
clinic_form_window_finalize (GObject *object)
{
  ClinicFormWindow *self = CLINIC_FORM_WINDOW (object);

  g_hash_table_unref (self->fields);
  g_free (self->error);
  G_OBJECT_CLASS (clinic_form_window_parent_class)->finalize (object);
}

static void
clinic_form_window_class_init (ClinicFormWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  clinic_ensure_resources ();
  object_class->dispose = clinic_form_window_dispose;
  object_class->finalize = clinic_form_window_finalize;

  gtk_widget_class_set_template_from_resource (widget_class, "/com/example/Clinic/ui/clinic-form-window.ui");
  gtk_widget_class_bind_template_child (widget_class, ClinicFormWindow, error_revealer);
  gtk_widget_class_bind_template_child (widget_class, ClinicFormWindow, error_label);
  gtk_widget_class_bind_template_child (widget_class, ClinicFormWindow, action_button);
  gtk_widget_class_bind_template_child (widget_class, ClinicFormWindow, notices);
  gtk_widget_class_bind_template_child (widget_class, ClinicFormWindow, grid);

  gtk_widget_class_install_action (widget_class, "form.submit", NULL, on_submit);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Return, GDK_CONTROL_MASK, "form.submit", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Enter, GDK_CONTROL_MASK, "form.submit", NULL);
}

static void
clinic_form_window_init (ClinicFormWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->fields = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  clinic_window_close_on_escape (GTK_WINDOW (self));
}

ClinicFormWindow *
clinic_form_window_new (GtkWindow            *parent,
                        const char           *title,
                        const char           *action_label,
                        ClinicFormSubmitFunc  submit,
                        gpointer              user_data,
                        GDestroyNotify        destroy)
{
  ClinicFormWindow *self = g_object_new (CLINIC_TYPE_FORM_WINDOW, "title", title, NULL);

  if (parent != NULL)
    gtk_window_set_transient_for (GTK_WINDOW (self), parent);
  gtk_button_set_label (self->action_button, action_label);
  gtk_window_set_default_widget (GTK_WINDOW (self), GTK_WIDGET (self->action_button));
  self->submit = submit;
  self->user_data = user_data;
  self->destroy = destroy;
  return self;
}
