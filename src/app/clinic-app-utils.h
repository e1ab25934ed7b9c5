/* clinic-app-utils.h — small helpers shared by the widgets */

#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

/* Registers the application's resources (templates, style, icons) once;
 * every template widget calls it in class_init, so a widget works without
 * the application object around it (tests, other programs). */
void clinic_ensure_resources (void);

/* In GTK 4.8 a menu button's accessible label stays on the outer widget,
 * while keyboard focus and screen readers land on the toggle button inside
 * it, whose only content is an icon. This copies @label to that inner
 * button. (GTK 4.10 does this itself.) */
void clinic_menu_button_set_accessible_label (GtkMenuButton *button,
                                              const char    *label);

/* GtkShortcutsWindow in GTK 4.8 has icon-only buttons (search, the
 * section menu) with no accessible name; this names them. */
/* The text of @column for @item (a row of the view's model); freed by
 * the caller. */
typedef char *(*ClinicCellTextFunc) (gpointer item,
                                     int      column,
                                     gpointer user_data);

/* Appends a resizable column of ellipsized, start-aligned labels whose
 * text comes from @text_func; with @tooltip, a cell's text is also its
 * tooltip (for columns that are often cut short). */
void clinic_column_view_add_text_column (GtkColumnView      *view,
                                         const char         *title,
                                         int                 column,
                                         gboolean            expand,
                                         gboolean            tooltip,
                                         ClinicCellTextFunc  text_func,
                                         gpointer            user_data);

/* Shows @toast (taking it) over @overlay. libadwaita 1.2 leaves the
 * toast's close button without an accessible name; this gives it one. */
void clinic_toast_overlay_add (AdwToastOverlay *overlay,
                               AdwToast        *toast);

/* Escape closes @window (a dialog-like window of our own). */
void clinic_window_close_on_escape (GtkWindow *window);

void clinic_shortcuts_window_set_accessible_labels (GtkShortcutsWindow *window);

G_END_DECLS
