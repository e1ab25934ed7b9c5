/* clinic-test-ui.c — shared helpers for the tests that build real widgets */

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>
#include <locale.h>

#include "clinic-paths.h"
#include "clinic-app-utils.h"
#include "clinic-test-ui.h"

void
clinic_test_ui_init (int    *argc,
                     char ***argv)
{
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, clinic_paths_get_locale_dir (LOCALEDIR));
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  g_test_init (argc, argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  /* The isolation also hides the system's data folders, and with them the
   * MIME database that image loaders sniff with (the SVG app icon). Those
   * are read-only system files, so give them back; the user's own folders
   * stay isolated. */
  {
    g_autofree char *dirs = g_strconcat (g_getenv ("XDG_DATA_DIRS"),
                                         ":/usr/local/share:/usr/share", NULL);

    g_setenv ("XDG_DATA_DIRS", dirs, TRUE);
  }

  if (!gtk_init_check ())
    g_error ("There is no display to open windows on; run the UI tests under "
             "xvfb-run, or through ./dev.sh test.");

  adw_init ();

  /* The application's own style sheet, as ClinicApplication loads it, so
   * widgets tested without the application look as they will. */
  {
    g_autoptr(GtkCssProvider) css = gtk_css_provider_new ();

    clinic_ensure_resources ();
    gtk_css_provider_load_from_resource (css, "/com/example/Clinic/style.css");
    gtk_style_context_add_provider_for_display (gdk_display_get_default (), GTK_STYLE_PROVIDER (css),
                                                GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
  }
}

ClinicApplication *
clinic_test_app_new (const char *database)
{
  g_autoptr(GError) error = NULL;
  ClinicApplication *app = clinic_application_new ();

  g_application_set_flags (G_APPLICATION (app),
                           G_APPLICATION_HANDLES_COMMAND_LINE | G_APPLICATION_NON_UNIQUE);
  if (database != NULL)
    clinic_application_set_database_path (app, database);

  g_application_register (G_APPLICATION (app), NULL, &error);
  g_assert_no_error (error);
  g_application_activate (G_APPLICATION (app));

  return app;
}

static gboolean
on_timeout (gpointer data)
{
  gboolean *done = data;

  *done = TRUE;
  return G_SOURCE_REMOVE;
}

void
clinic_test_spin (guint ms)
{
  gboolean done = FALSE;

  g_timeout_add (ms, on_timeout, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

static void
on_frame (GdkFrameClock *clock,
          guint         *frames)
{
  (*frames)++;
}

void
clinic_test_wait_for_draw (GtkWidget *widget)
{
  GdkFrameClock *clock;
  guint frames = 0;
  gulong handler;
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  while (!gtk_widget_get_mapped (widget) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (gtk_widget_get_mapped (widget));

  clock = gtk_widget_get_frame_clock (widget);
  g_assert_nonnull (clock);
  handler = g_signal_connect (clock, "after-paint", G_CALLBACK (on_frame), &frames);
  while (frames < 3 && g_get_monotonic_time () < deadline)
    {
      gtk_widget_queue_draw (widget);
      g_main_context_iteration (NULL, TRUE);
    }
  g_signal_handler_disconnect (clock, handler);
  g_assert_cmpuint (frames, >=, 3);
}

char *
clinic_test_save_screenshot (GtkWidget  *widget,
                             const char *name)
{
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *file_name = g_strconcat (name, ".png", NULL);
  const char *dir = g_getenv ("CLINIC_TEST_OUTPUT");
  char *path;
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  GskRenderer *renderer;

  g_assert_cmpint (width, >, 0);
  g_assert_cmpint (height, >, 0);

  gdk_paintable_snapshot (paintable, snapshot, width, height);
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  g_assert_nonnull (node);

  renderer = gtk_native_get_renderer (gtk_widget_get_native (widget));
  texture = gsk_renderer_render_texture (renderer, node,
                                         &GRAPHENE_RECT_INIT (0, 0, width, height));

  if (dir == NULL)
    dir = ".";
  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  path = g_build_filename (dir, file_name, NULL);
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("Screenshot: %s", path);

  return path;
}

GtkWidget *
clinic_test_find_widget (GtkWidget *root,
                         GType      type)
{
  if (g_type_is_a (G_OBJECT_TYPE (root), type))
    return root;

  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = clinic_test_find_widget (child, type);

      if (found != NULL)
        return found;
    }

  return NULL;
}

GtkWidget *
clinic_test_find_widget_by_name (GtkWidget  *root,
                                 const char *id)
{
  if (g_strcmp0 (gtk_buildable_get_buildable_id (GTK_BUILDABLE (root)), id) == 0)
    return root;

  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = clinic_test_find_widget_by_name (child, id);

      if (found != NULL)
        return found;
    }

  return NULL;
}

GtkWidget *
clinic_test_find_label (GtkWidget  *root,
                        const char *text)
{
  if (GTK_IS_LABEL (root) && strstr (gtk_label_get_text (GTK_LABEL (root)), text) != NULL)
    return root;

  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = clinic_test_find_label (child, text);

      if (found != NULL)
        return found;
    }

  return NULL;
}

GtkWidget *
clinic_test_find_button (GtkWidget  *root,
                         const char *action_name)
{
  if (GTK_IS_ACTIONABLE (root) &&
      g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (root)), action_name) == 0)
    return root;

  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = clinic_test_find_button (child, action_name);

      if (found != NULL)
        return found;
    }

  return NULL;
}

GtkWindow *
clinic_test_find_toplevel (GType type)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, i);

      if (g_type_is_a (G_OBJECT_TYPE (window), type))
        return window;
    }

  return NULL;
}

void
clinic_test_type (GtkWidget  *widget,
                  const char *text)
{
  g_assert_true (GTK_IS_EDITABLE (widget));
  gtk_editable_set_text (GTK_EDITABLE (widget), text);
}

/* -- accessible names ------------------------------------------------- */

static void
collect_widgets (GtkWidget *root,
                 GPtrArray *out)
{
  g_ptr_array_add (out, root);
  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_widgets (child, out);
}

static gboolean
has_own_text (GtkWidget *widget)
{
  const char *text = NULL;

  if (GTK_IS_LABEL (widget))
    text = gtk_label_get_text (GTK_LABEL (widget));
  else if (GTK_IS_INSCRIPTION (widget))
    text = gtk_inscription_get_text (GTK_INSCRIPTION (widget));

  return text != NULL && text[0] != '\0';
}

/* Visible text inside @widget names it, as for a button with a label. */
static gboolean
has_visible_text (GtkWidget *widget)
{
  if (has_own_text (widget) && gtk_widget_get_visible (widget))
    return TRUE;

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (gtk_widget_get_visible (child) && has_visible_text (child))
      return TRUE;

  return FALSE;
}

static gboolean is_named (GtkWidget *widget, GPtrArray *all, guint depth);

/* GTK 4.8 has no call that returns a relation's targets, only one that
 * compares them with an expected value; so each widget of the tree is
 * tried as the single target. */
static gboolean
labelled_by_named (GtkWidget *widget,
                   GPtrArray *all,
                   guint      depth)
{
  if (!gtk_test_accessible_has_relation (GTK_ACCESSIBLE (widget),
                                         GTK_ACCESSIBLE_RELATION_LABELLED_BY))
    return FALSE;

  for (guint i = 0; i < all->len; i++)
    {
      GtkWidget *candidate = g_ptr_array_index (all, i);
      g_autofree char *mismatch = NULL;
      GList targets = { candidate, NULL, NULL };

      if (candidate == widget)
        continue;

      mismatch = gtk_test_accessible_check_relation (GTK_ACCESSIBLE (widget),
                                                     GTK_ACCESSIBLE_RELATION_LABELLED_BY,
                                                     &targets);
      if (mismatch == NULL)
        return is_named (candidate, all, depth + 1);
    }

  return FALSE;
}

static gboolean
is_named (GtkWidget *widget,
          GPtrArray *all,
          guint      depth)
{
  if (depth > 8)
    return FALSE;

  if (gtk_test_accessible_has_property (GTK_ACCESSIBLE (widget),
                                        GTK_ACCESSIBLE_PROPERTY_LABEL))
    return TRUE;

  if (labelled_by_named (widget, all, depth))
    return TRUE;

  return has_visible_text (widget);
}

/* A focusable widget inside a control that carries the name (the text
 * field of an entry row) is named by that control. */
static gboolean
is_named_by_ancestor (GtkWidget *widget,
                      GPtrArray *all)
{
  for (GtkWidget *parent = gtk_widget_get_parent (widget);
       parent != NULL;
       parent = gtk_widget_get_parent (parent))
    {
      if (GTK_IS_EDITABLE (parent) || ADW_IS_PREFERENCES_ROW (parent))
        return is_named (parent, all, 0);
      if (GTK_IS_ROOT (parent))
        break;
    }

  return FALSE;
}

void
clinic_test_assert_all_named (GtkWidget *root,
                              gboolean   mapped_only)
{
  g_autoptr(GPtrArray) all = g_ptr_array_new ();
  g_autoptr(GString) failures = g_string_new (NULL);
  guint checked = 0;

  collect_widgets (root, all);

  for (guint i = 0; i < all->len; i++)
    {
      GtkWidget *widget = g_ptr_array_index (all, i);

      if (!gtk_widget_get_focusable (widget) || !gtk_widget_get_can_focus (widget))
        continue;

      /* Hidden on purpose (not a page that is merely not shown now, which
       * is checked like any other): a person never meets it. */
      if (!gtk_widget_is_visible (widget))
        continue;
      if (mapped_only && !gtk_widget_get_mapped (widget))
        continue;

      checked++;
      if (!is_named (widget, all, 0) && !is_named_by_ancestor (widget, all))
        {
          GtkWidget *parent = gtk_widget_get_parent (widget);

          g_string_append_printf (failures, "\n  %s (in %s, css name %s)",
                                  G_OBJECT_TYPE_NAME (widget),
                                  parent != NULL ? G_OBJECT_TYPE_NAME (parent) : "-",
                                  gtk_widget_get_css_name (widget));
        }
    }

  g_test_message ("%u focusable controls checked under %s", checked, G_OBJECT_TYPE_NAME (root));
  if (failures->len > 0)
    g_error ("Focusable controls without an accessible name:%s", failures->str);
}

void
clinic_test_calendar_open (ClinicTestCalendar *v,
                           ClinicSession      *session,
                           const char         *date,
                           gint64              provider_id,
                           int                 width,
                           int                 height)
{
  v->window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_title (v->window, "Calendar");
  gtk_window_set_default_size (v->window, width, height);
  v->section = g_object_new (CLINIC_TYPE_CALENDAR_SECTION, "session", session, NULL);
  g_object_add_weak_pointer (G_OBJECT (v->section), (gpointer *) &v->section);
  v->view = clinic_calendar_section_get_view (v->section);
  gtk_window_set_child (v->window, GTK_WIDGET (v->section));
  clinic_calendar_view_set_date (v->view, date);
  if (provider_id != 0)
    clinic_calendar_view_set_provider (v->view, provider_id);
  g_assert_true (clinic_calendar_view_reload (v->view, NULL));
  gtk_window_present (v->window);
  clinic_test_wait_for_draw (GTK_WIDGET (v->window));
}

void
clinic_test_calendar_close (ClinicTestCalendar *v)
{
  gtk_window_destroy (v->window);
  clinic_test_spin (50);
  g_assert_null (v->section);
}
