/* clinic-app-utils.c — small helpers shared by the widgets */

#include "config.h"

#include <glib/gi18n.h>

#include "clinic-app-utils.h"
#include "clinic-resources.h"

void
clinic_ensure_resources (void)
{
  static gsize done = 0;

  if (g_once_init_enter (&done))
    {
      clinic_register_resource ();
      g_once_init_leave (&done, 1);
    }
}

void
clinic_menu_button_set_accessible_label (GtkMenuButton *button,
                                         const char    *label)
{
  g_return_if_fail (GTK_IS_MENU_BUTTON (button));
  g_return_if_fail (label != NULL);

  gtk_accessible_update_property (GTK_ACCESSIBLE (button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, label,
                                  -1);

  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (button));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (GTK_IS_TOGGLE_BUTTON (child))
      gtk_accessible_update_property (GTK_ACCESSIBLE (child),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, label,
                                      -1);
}

static void
name_shortcuts_buttons (GtkWidget *widget)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      if (GTK_IS_MENU_BUTTON (child))
        {
          clinic_menu_button_set_accessible_label (GTK_MENU_BUTTON (child),
                                                   _("Shortcut Sections"));
          continue;
        }

      if (GTK_IS_TOGGLE_BUTTON (child))
        gtk_accessible_update_property (GTK_ACCESSIBLE (child),
                                        GTK_ACCESSIBLE_PROPERTY_LABEL, _("Search Shortcuts"),
                                        -1);

      name_shortcuts_buttons (child);
    }
}

void
clinic_shortcuts_window_set_accessible_labels (GtkShortcutsWindow *window)
{
  g_return_if_fail (GTK_IS_SHORTCUTS_WINDOW (window));

  name_shortcuts_buttons (GTK_WIDGET (window));

  /* The header bar is the window's titlebar, outside its child tree. */
  if (gtk_window_get_titlebar (GTK_WINDOW (window)) != NULL)
    name_shortcuts_buttons (gtk_window_get_titlebar (GTK_WINDOW (window)));
}

void
clinic_window_close_on_escape (GtkWindow *window)
{
  GtkEventController *controller = gtk_shortcut_controller_new ();

  gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (controller),
                                        gtk_shortcut_new (gtk_keyval_trigger_new (GDK_KEY_Escape, 0),
                                                          gtk_named_action_new ("window.close")));
  gtk_widget_add_controller (GTK_WIDGET (window), controller);
}

typedef struct
{
  int                column;
  gboolean           tooltip;
  ClinicCellTextFunc text_func;
  gpointer           user_data;
} TextColumn;

static void
text_cell_setup (GtkSignalListItemFactory *factory,
                 GtkListItem              *item,
                 gpointer                  data)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_list_item_set_child (item, label);
}

static void
text_cell_bind (GtkSignalListItemFactory *factory,
                GtkListItem              *item,
                TextColumn               *spec)
{
  g_autofree char *text = spec->text_func (gtk_list_item_get_item (item), spec->column, spec->user_data);
  GtkWidget *label = gtk_list_item_get_child (item);

  gtk_label_set_text (GTK_LABEL (label), text ? text : "");
  gtk_widget_set_tooltip_text (label, spec->tooltip && text != NULL && text[0] != '\0' ? text : NULL);
}

void
clinic_column_view_add_text_column (GtkColumnView      *view,
                                    const char         *title,
                                    int                 column,
                                    gboolean            expand,
                                    gboolean            tooltip,
                                    ClinicCellTextFunc  text_func,
                                    gpointer            user_data)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
  g_autoptr(GtkColumnViewColumn) view_column = NULL;
  TextColumn *spec = g_new0 (TextColumn, 1);

  spec->column = column;
  spec->tooltip = tooltip;
  spec->text_func = text_func;
  spec->user_data = user_data;
  g_object_set_data_full (G_OBJECT (factory), "clinic-text-column", spec, g_free);
  g_signal_connect (factory, "setup", G_CALLBACK (text_cell_setup), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (text_cell_bind), spec);
  view_column = gtk_column_view_column_new (title, factory);
  gtk_column_view_column_set_expand (view_column, expand);
  gtk_column_view_column_set_resizable (view_column, TRUE);
  gtk_column_view_append_column (view, view_column);
}

/* Names the unnamed icon buttons inside libadwaita's toast widgets. */
static void
name_toast_buttons (GtkWidget *widget,
                    gboolean   in_toast)
{
  in_toast = in_toast || g_str_equal (G_OBJECT_TYPE_NAME (widget), "AdwToastWidget");
  if (in_toast && GTK_IS_BUTTON (widget) && gtk_button_get_label (GTK_BUTTON (widget)) == NULL)
    gtk_accessible_update_property (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                    _("Dismiss"), -1);
  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    name_toast_buttons (child, in_toast);
}

void
clinic_toast_overlay_add (AdwToastOverlay *overlay,
                          AdwToast        *toast)
{
  g_return_if_fail (ADW_IS_TOAST_OVERLAY (overlay));

  adw_toast_overlay_add_toast (overlay, toast);
  name_toast_buttons (GTK_WIDGET (overlay), FALSE);
}
