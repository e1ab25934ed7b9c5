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
