/* clinic-test-ui.h — shared helpers for the tests that build real widgets */

#pragma once

#include <adwaita.h>

#include "clinic-application.h"
#include "clinic-calendar-section.h"

G_BEGIN_DECLS

/* g_test_init() with isolated home folders, then GTK and libadwaita.
 * Fails the test program when there is no display. */
void               clinic_test_ui_init              (int         *argc,
                                                     char      ***argv);

/* A ClinicApplication that does not claim the bus name (tests run side by
 * side), registered and activated, with its database in @database. */
ClinicApplication *clinic_test_app_new              (const char  *database);

/* Runs the main loop until @widget is mapped and a few frames are drawn. */
void               clinic_test_wait_for_draw        (GtkWidget   *widget);

/* Runs the main loop for about @ms milliseconds. */
void               clinic_test_spin                 (guint        ms);

/* Saves a PNG of @widget as NAME.png in the test output folder
 * ($CLINIC_TEST_OUTPUT, else the current folder) and returns its path. */
char              *clinic_test_save_screenshot      (GtkWidget   *widget,
                                                     const char  *name);

/* Fails the test for every focusable control under @root that has no
 * accessible name: no label property, no label relation to a named
 * widget, and no visible text of its own. With @mapped_only, controls
 * that are not on screen now (pages of a stack or leaflet not shown) are
 * passed over; otherwise every control that is not hidden is checked. */
void               clinic_test_assert_all_named     (GtkWidget   *root,
                                                     gboolean     mapped_only);

/* The first descendant of @root (depth first, @root included) of @type. */
GtkWidget         *clinic_test_find_widget          (GtkWidget   *root,
                                                     GType        type);

/* The descendant of @root whose GtkBuilder id is @id. */
GtkWidget         *clinic_test_find_widget_by_name  (GtkWidget   *root,
                                                     const char  *id);

/* The first label under @root whose text contains @text. */
GtkWidget         *clinic_test_find_label           (GtkWidget   *root,
                                                     const char  *text);

/* The first button under @root whose action is @action_name. */
GtkWidget         *clinic_test_find_button          (GtkWidget   *root,
                                                     const char  *action_name);

/* The toplevel window of @type, or NULL. */
GtkWindow         *clinic_test_find_toplevel        (GType        type);

/* Types @text into the editable @widget as if on a keyboard. */
void               clinic_test_type                 (GtkWidget   *widget,
                                                     const char  *text);

/* A calendar section of @session in a window of its own (@width ×
 * @height), on local day @date ("YYYY-MM-DD") and, when not 0, with
 * @provider_id's week and month; loaded and drawn. */
typedef struct
{
  GtkWindow             *window;
  ClinicCalendarSection *section;
  ClinicCalendarView    *view;
} ClinicTestCalendar;

void               clinic_test_calendar_open        (ClinicTestCalendar *calendar,
                                                     ClinicSession      *session,
                                                     const char         *date,
                                                     gint64              provider_id,
                                                     int                 width,
                                                     int                 height);
/* Closes it, and fails the test unless the section went with it. */
void               clinic_test_calendar_close       (ClinicTestCalendar *calendar);

G_END_DECLS
