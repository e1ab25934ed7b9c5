/* clinic-visit-types-window.c — the clinic's visit types, kept up */

#include "config.h"

#include <glib/gi18n.h>

#include "clinic-app-utils.h"
#include "clinic-section.h"
#include "clinic-schedule-forms.h"
#include "clinic-schedule.h"
#include "clinic-visit-types-window.h"

struct _ClinicVisitTypesWindow
{
  AdwWindow       parent_instance;

  GtkRevealer    *error_revealer;
  GtkLabel       *error_label;
  GtkListBox     *list;
  GtkGrid        *editor;
  GtkEditable    *name_entry;
  GtkSpinButton  *duration_spin;
  GtkColorButton *color_button;
  GtkSwitch      *bookable_switch;
  GtkLabel       *status_label;
  GtkButton      *retire_button;
  GtkButton      *save_button;

  ClinicSession  *session;
  GPtrArray      *types;       /* ClinicVisitType, in the list's order */
  gint64          selected;    /* 0: none */
  char           *error;
};

enum
{
  CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (ClinicVisitTypesWindow, clinic_visit_types_window, ADW_TYPE_WINDOW)

char *
clinic_rgba_to_hex (const GdkRGBA *rgba)
{
  g_return_val_if_fail (rgba != NULL, NULL);
  return g_strdup_printf ("#%02x%02x%02x",
                          (int) (CLAMP (rgba->red, 0, 1) * 255 + 0.5),
                          (int) (CLAMP (rgba->green, 0, 1) * 255 + 0.5),
                          (int) (CLAMP (rgba->blue, 0, 1) * 255 + 0.5));
}

/* The window's inline error (clinic_section_show_error), and its text
 * for the tests. */
static void
show_error (ClinicVisitTypesWindow *self,
            const GError            *error)
{
  g_free (self->error);
  self->error = error != NULL ? g_strdup (error->message) : NULL;
  clinic_section_show_error (self->error_revealer, self->error_label, error);
}

const char *
clinic_visit_types_window_get_error (ClinicVisitTypesWindow *self)
{
  g_return_val_if_fail (CLINIC_IS_VISIT_TYPES_WINDOW (self), NULL);
  return self->error;
}

static const ClinicVisitType *
selected_type (ClinicVisitTypesWindow *self)
{
  for (guint i = 0; self->types != NULL && i < self->types->len; i++)
    if (((ClinicVisitType *) self->types->pdata[i])->id == self->selected)
      return self->types->pdata[i];
  return NULL;
}

static void
update_actions (ClinicVisitTypesWindow *self)
{
  const ClinicVisitType *t = selected_type (self);

  gtk_widget_set_sensitive (GTK_WIDGET (self->editor), t != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "visit-types.save", t != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "visit-types.toggle-active", t != NULL);
  gtk_button_set_label (self->retire_button, t != NULL && !t->active ? _("_Reactivate") : _("_Retire"));
  if (t == NULL)
    gtk_label_set_text (self->status_label, _("Choose a visit type to change it."));
  else if (t->active)
    gtk_label_set_text (self->status_label, _("Retiring it keeps it on the appointments that have it; it is no longer offered for new ones."));
  else
    gtk_label_set_text (self->status_label, _("Retired: kept on its appointments, not offered for new ones."));
}

/* The swatch: a rounded square of the type's colour. */
static void
draw_swatch (GtkDrawingArea *area,
             cairo_t        *cr,
             int             width,
             int             height,
             gpointer        data)
{
  const GdkRGBA *rgba = data;
  double r = 4;

  cairo_new_sub_path (cr);
  cairo_arc (cr, width - r, r, r, -G_PI / 2, 0);
  cairo_arc (cr, width - r, height - r, r, 0, G_PI / 2);
  cairo_arc (cr, r, height - r, r, G_PI / 2, G_PI);
  cairo_arc (cr, r, r, r, G_PI, 3 * G_PI / 2);
  cairo_close_path (cr);
  gdk_cairo_set_source_rgba (cr, rgba);
  cairo_fill (cr);
}

static char *
describe (const ClinicVisitType *t)
{
  g_autoptr(GString) text = g_string_new (NULL);

  g_string_append_printf (text, g_dngettext (GETTEXT_PACKAGE, "%d minute", "%d minutes", t->duration_min),
                          t->duration_min);
  if (t->patient_bookable)
    g_string_append_printf (text, " · %s", _("patients may book"));
  if (!t->active)
    g_string_append_printf (text, " · %s", _("retired"));
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static GtkWidget *
make_row (const ClinicVisitType *t)
{
  GtkWidget *row = gtk_list_box_row_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *texts = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *swatch = gtk_drawing_area_new ();
  GtkWidget *name = gtk_label_new (t->name);
  g_autofree char *details = describe (t);
  GtkWidget *sub = gtk_label_new (details);
  g_autofree char *accessible = g_strdup_printf ("%s, %s", t->name, details);
  GdkRGBA *rgba = g_new0 (GdkRGBA, 1);

  if (!gdk_rgba_parse (rgba, t->color))
    *rgba = (GdkRGBA) { 0.6, 0.6, 0.6, 1 };
  gtk_drawing_area_set_content_width (GTK_DRAWING_AREA (swatch), 20);
  gtk_drawing_area_set_content_height (GTK_DRAWING_AREA (swatch), 20);
  gtk_drawing_area_set_draw_func (GTK_DRAWING_AREA (swatch), draw_swatch, rgba, g_free);
  gtk_widget_set_valign (swatch, GTK_ALIGN_CENTER);
  gtk_label_set_xalign (GTK_LABEL (name), 0);
  gtk_label_set_ellipsize (GTK_LABEL (name), PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (name, "heading");
  gtk_label_set_xalign (GTK_LABEL (sub), 0);
  gtk_widget_add_css_class (sub, "dim-label");
  gtk_widget_add_css_class (sub, "caption");
  if (!t->active)
    gtk_widget_add_css_class (box, "dim-label");
  gtk_box_append (GTK_BOX (texts), name);
  gtk_box_append (GTK_BOX (texts), sub);
  gtk_box_append (GTK_BOX (box), swatch);
  gtk_box_append (GTK_BOX (box), texts);
  gtk_widget_set_margin_top (box, 6);
  gtk_widget_set_margin_bottom (box, 6);
  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
  gtk_accessible_update_property (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_PROPERTY_LABEL, accessible, -1);
  return row;
}

static void
fill_editor (ClinicVisitTypesWindow *self)
{
  const ClinicVisitType *t = selected_type (self);
  GdkRGBA rgba;

  if (t != NULL)
    {
      gtk_editable_set_text (self->name_entry, t->name);
      gtk_spin_button_set_value (self->duration_spin, t->duration_min);
      if (gdk_rgba_parse (&rgba, t->color))
        gtk_color_chooser_set_rgba (GTK_COLOR_CHOOSER (self->color_button), &rgba);
      gtk_switch_set_active (self->bookable_switch, t->patient_bookable);
    }
  update_actions (self);
}

static void
on_row_selected (ClinicVisitTypesWindow *self,
                 GtkListBoxRow          *row)
{
  int i = row != NULL ? gtk_list_box_row_get_index (row) : -1;

  /* The list empties itself as the window goes. */
  if (self->types == NULL)
    return;
  self->selected = i >= 0 && (guint) i < self->types->len ? ((ClinicVisitType *) self->types->pdata[i])->id : 0;
  show_error (self, NULL);
  fill_editor (self);
}

/* Reads the types again and selects @select (0: the first). */
static void
reload (ClinicVisitTypesWindow *self,
        gint64                  select)
{
  g_autoptr(GError) error = NULL;
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->list))) != NULL)
    gtk_list_box_remove (self->list, child);
  g_clear_pointer (&self->types, g_ptr_array_unref);
  self->types = clinic_visit_types_list (self->session, TRUE, &error);
  if (self->types == NULL)
    {
      self->types = g_ptr_array_new ();
      show_error (self, error);
    }
  for (guint i = 0; i < self->types->len; i++)
    gtk_list_box_append (self->list, make_row (self->types->pdata[i]));
  if (select == 0 && self->types->len > 0)
    select = ((ClinicVisitType *) self->types->pdata[0])->id;
  self->selected = 0;
  if (!clinic_visit_types_window_select (self, select))
    fill_editor (self);
}

gboolean
clinic_visit_types_window_select (ClinicVisitTypesWindow *self,
                                  gint64                  id)
{
  g_return_val_if_fail (CLINIC_IS_VISIT_TYPES_WINDOW (self), FALSE);

  for (guint i = 0; i < self->types->len; i++)
    if (((ClinicVisitType *) self->types->pdata[i])->id == id)
      {
        GtkListBoxRow *row = gtk_list_box_get_row_at_index (self->list, (int) i);

        gtk_list_box_select_row (self->list, row);
        /* Selecting the row already selected emits nothing. */
        if (self->selected != id)
          on_row_selected (self, row);
        return TRUE;
      }
  return FALSE;
}

/* Saves @t, shows the outcome and tells the calendar. */
static gboolean
save_type (ClinicVisitTypesWindow *self,
           const ClinicVisitType  *t)
{
  g_autoptr(GError) error = NULL;
  gint64 id = clinic_visit_types_save (self->session, t, &error);

  if (id == 0)
    {
      show_error (self, error);
      return FALSE;
    }
  show_error (self, NULL);
  reload (self, id);
  g_signal_emit (self, signals[CHANGED], 0);
  return TRUE;
}

gboolean
clinic_visit_types_window_save (ClinicVisitTypesWindow *self)
{
  const ClinicVisitType *selected;
  g_autoptr(ClinicVisitType) t = clinic_visit_type_new ();
  GdkRGBA rgba;

  g_return_val_if_fail (CLINIC_IS_VISIT_TYPES_WINDOW (self), FALSE);

  if ((selected = selected_type (self)) == NULL)
    return FALSE;
  gtk_spin_button_update (self->duration_spin);
  gtk_color_chooser_get_rgba (GTK_COLOR_CHOOSER (self->color_button), &rgba);
  t->id = selected->id;
  t->active = selected->active;
  g_free (t->name);
  t->name = g_strdup (gtk_editable_get_text (self->name_entry));
  t->duration_min = gtk_spin_button_get_value_as_int (self->duration_spin);
  g_free (t->color);
  t->color = clinic_rgba_to_hex (&rgba);
  t->patient_bookable = gtk_switch_get_active (self->bookable_switch);
  return save_type (self, t);
}

gboolean
clinic_visit_types_window_toggle_active (ClinicVisitTypesWindow *self)
{
  const ClinicVisitType *selected;
  g_autoptr(ClinicVisitType) t = clinic_visit_type_new ();

  g_return_val_if_fail (CLINIC_IS_VISIT_TYPES_WINDOW (self), FALSE);

  if ((selected = selected_type (self)) == NULL)
    return FALSE;
  /* The type as stored, so retiring does not also save half-typed edits. */
  t->id = selected->id;
  g_free (t->name);
  t->name = g_strdup (selected->name);
  t->duration_min = selected->duration_min;
  g_free (t->color);
  t->color = g_strdup (selected->color);
  t->patient_bookable = selected->patient_bookable;
  t->active = !selected->active;
  return save_type (self, t);
}

static void
save_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  clinic_visit_types_window_save (CLINIC_VISIT_TYPES_WINDOW (widget));
}

static void
toggle_active_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  clinic_visit_types_window_toggle_active (CLINIC_VISIT_TYPES_WINDOW (widget));
}

static void
on_form_closed (ClinicVisitTypesWindow *self)
{
  reload (self, self->selected);
  g_signal_emit (self, signals[CHANGED], 0);
}

static void
add_action (GtkWidget  *widget,
            const char *action_name,
            GVariant   *parameter)
{
  ClinicVisitTypesWindow *self = CLINIC_VISIT_TYPES_WINDOW (widget);
  GtkWindow *form = clinic_visit_type_form_new (GTK_WINDOW (self), self->session);

  g_signal_connect_object (form, "destroy", G_CALLBACK (on_form_closed), self, G_CONNECT_SWAPPED);
  gtk_window_present (form);
}

static void
clinic_visit_types_window_dispose (GObject *object)
{
  ClinicVisitTypesWindow *self = CLINIC_VISIT_TYPES_WINDOW (object);

  g_clear_pointer (&self->types, g_ptr_array_unref);
  g_clear_object (&self->session);
  gtk_widget_dispose_template (GTK_WIDGET (self), CLINIC_TYPE_VISIT_TYPES_WINDOW);
  G_OBJECT_CLASS (clinic_visit_types_window_parent_class)->dispose (object);
}

static void
clinic_visit_types_window_finalize (GObject *object)
{
  ClinicVisitTypesWindow *self = CLINIC_VISIT_TYPES_WINDOW (object);

  g_free (self->error);
  G_OBJECT_CLASS (clinic_visit_types_window_parent_class)->finalize (object);
}

static void
clinic_visit_types_window_class_init (ClinicVisitTypesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  clinic_ensure_resources ();
  object_class->dispose = clinic_visit_types_window_dispose;
  object_class->finalize = clinic_visit_types_window_finalize;

  /* After a visit type was added or changed: the calendar redraws. */
  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                                   NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/com/example/Clinic/ui/clinic-visit-types-window.ui");
  gtk_widget_class_bind_template_child (widget_class, ClinicVisitTypesWindow, error_revealer);
  gtk_widget_class_bind_template_child (widget_class, ClinicVisitTypesWindow, error_label);
  gtk_widget_class_bind_template_child (widget_class, ClinicVisitTypesWindow, list);
  gtk_widget_class_bind_template_child (widget_class, ClinicVisitTypesWindow, editor);
  gtk_widget_class_bind_template_child (widget_class, ClinicVisitTypesWindow, name_entry);
  gtk_widget_class_bind_template_child (widget_class, ClinicVisitTypesWindow, duration_spin);
  gtk_widget_class_bind_template_child (widget_class, ClinicVisitTypesWindow, color_button);
  gtk_widget_class_bind_template_child (widget_class, ClinicVisitTypesWindow, bookable_switch);
  gtk_widget_class_bind_template_child (widget_class, ClinicVisitTypesWindow, status_label);
  gtk_widget_class_bind_template_child (widget_class, ClinicVisitTypesWindow, retire_button);
  gtk_widget_class_bind_template_child (widget_class, ClinicVisitTypesWindow, save_button);

  gtk_widget_class_install_action (widget_class, "visit-types.add", NULL, add_action);
  gtk_widget_class_install_action (widget_class, "visit-types.save", NULL, save_action);
  gtk_widget_class_install_action (widget_class, "visit-types.toggle-active", NULL, toggle_active_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_n, GDK_CONTROL_MASK, "visit-types.add", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_s, GDK_CONTROL_MASK, "visit-types.save", NULL);
}

static void
clinic_visit_types_window_init (ClinicVisitTypesWindow *self)
{
  GtkWidget *inner;

  gtk_widget_init_template (GTK_WIDGET (self));
  clinic_window_close_on_escape (GTK_WINDOW (self));
  gtk_window_set_default_widget (GTK_WINDOW (self), GTK_WIDGET (self->save_button));
  g_signal_connect_object (self->list, "row-selected", G_CALLBACK (on_row_selected), self, G_CONNECT_SWAPPED);
  /* GTK 4.8 leaves the colour button's own name on the outer widget while
   * focus lands on the button inside it; that one needs the name too. */
  inner = gtk_widget_get_first_child (GTK_WIDGET (self->color_button));
  if (inner != NULL)
    gtk_accessible_update_property (GTK_ACCESSIBLE (inner), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Colour"), -1);
}

GtkWindow *
clinic_visit_types_window_new (GtkWindow     *parent,
                               ClinicSession *session)
{
  ClinicVisitTypesWindow *self = g_object_new (CLINIC_TYPE_VISIT_TYPES_WINDOW, NULL);

  g_return_val_if_fail (CLINIC_IS_SESSION (session), NULL);

  if (parent != NULL)
    gtk_window_set_transient_for (GTK_WINDOW (self), parent);
  self->session = g_object_ref (session);
  reload (self, 0);
  return GTK_WINDOW (self);
}
