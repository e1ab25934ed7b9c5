/* clinic-application.c — the Clinic application object
 *
 * One instance per desktop session: starting Clinic again raises the
 * window that is already open. The primary instance receives the command
 * line of every later start, so a second start naming another database can
 * be told why it did not open.
 */

#include "config.h"

#include <glib/gi18n.h>

#include "clinic-app-utils.h"
#include "clinic-application.h"
#include "clinic-paths.h"
#include "clinic-window.h"

struct _ClinicApplication
{
  AdwApplication  parent_instance;

  char           *database_path;
  ClinicDb       *db;
  ClinicKdfLimits kdf_limits;
  guint           has_kdf_limits : 1;
  guint           privacy_mode : 1;
};

G_DEFINE_FINAL_TYPE (ClinicApplication, clinic_application, ADW_TYPE_APPLICATION)

enum {
  PROP_0,
  PROP_DATABASE_PATH,
  PROP_PRIVACY_MODE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static const GOptionEntry option_entries[] = {
  { "database", 'd', G_OPTION_FLAG_NONE, G_OPTION_ARG_FILENAME, NULL,
    N_("Use the clinic database at PATH"), N_("PATH") },
  { "version", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_NONE, NULL,
    N_("Show the version and quit"), NULL },
  { NULL }
};

ClinicApplication *
clinic_application_new (void)
{
  return g_object_new (CLINIC_TYPE_APPLICATION,
                       "application-id", APPLICATION_ID,
                       "flags", G_APPLICATION_HANDLES_COMMAND_LINE,
                       "resource-base-path", "/com/example/Clinic",
                       NULL);
}

const char *
clinic_application_get_database_path (ClinicApplication *self)
{
  g_return_val_if_fail (CLINIC_IS_APPLICATION (self), NULL);

  if (self->database_path == NULL)
    self->database_path = clinic_paths_get_default_database ();

  return self->database_path;
}

void
clinic_application_set_database_path (ClinicApplication *self,
                                      const char        *path)
{
  g_return_if_fail (CLINIC_IS_APPLICATION (self));

  if (g_strcmp0 (self->database_path, path) == 0)
    return;

  g_free (self->database_path);
  self->database_path = g_strdup (path);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DATABASE_PATH]);
}

ClinicDb *
clinic_application_get_db (ClinicApplication *self)
{
  g_return_val_if_fail (CLINIC_IS_APPLICATION (self), NULL);

  return self->db;
}

void
clinic_application_set_db (ClinicApplication *self,
                           ClinicDb          *db)
{
  g_return_if_fail (CLINIC_IS_APPLICATION (self));
  g_return_if_fail (db == NULL || CLINIC_IS_DB (db));

  g_set_object (&self->db, db);
}

gboolean
clinic_application_get_privacy_mode (ClinicApplication *self)
{
  g_return_val_if_fail (CLINIC_IS_APPLICATION (self), FALSE);

  return self->privacy_mode;
}

void
clinic_application_set_privacy_mode (ClinicApplication *self,
                                     gboolean           privacy_mode)
{
  g_return_if_fail (CLINIC_IS_APPLICATION (self));

  privacy_mode = !!privacy_mode;
  if (self->privacy_mode == privacy_mode)
    return;

  self->privacy_mode = privacy_mode;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PRIVACY_MODE]);
}

const ClinicKdfLimits *
clinic_application_get_kdf_limits (ClinicApplication *self)
{
  g_return_val_if_fail (CLINIC_IS_APPLICATION (self), NULL);

  return self->has_kdf_limits ? &self->kdf_limits : NULL;
}

void
clinic_application_set_kdf_limits_for_testing (ClinicApplication     *self,
                                               const ClinicKdfLimits *limits)
{
  g_return_if_fail (CLINIC_IS_APPLICATION (self));

  self->has_kdf_limits = limits != NULL;
  if (limits != NULL)
    self->kdf_limits = *limits;
}

static void
clinic_application_show_about (GSimpleAction *action,
                               GVariant      *parameter,
                               gpointer       user_data)
{
  ClinicApplication *self = user_data;
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (self));
  static const char *developers[] = { "The Clinic developers", NULL };

  adw_show_about_window (parent,
                         "application-name", _("Clinic"),
                         "application-icon", APPLICATION_ID,
                         "version", PACKAGE_VERSION,
                         "developer-name", _("The Clinic developers"),
                         "developers", developers,
                         "copyright", "© 2026 The Clinic developers",
                         "license-type", GTK_LICENSE_GPL_3_0,
                         "comments", _("Patients, appointments, payments and reports for one clinic, kept in an encrypted database on this PC."),
                         /* Translators: put your names here, one per line. */
                         "translator-credits", _("translator-credits"),
                         NULL);
}

static void
clinic_application_quit (GSimpleAction *action,
                         GVariant      *parameter,
                         gpointer       user_data)
{
  GApplication *app = user_data;
  GList *windows = gtk_application_get_windows (GTK_APPLICATION (app));

  /* Closing the windows first lets each save its size and state. */
  for (GList *l = windows; l != NULL; )
    {
      GtkWindow *window = l->data;

      l = l->next;
      gtk_window_close (window);
    }

  g_application_quit (app);
}

static const GActionEntry app_actions[] = {
  { "about", clinic_application_show_about },
  { "quit", clinic_application_quit },
};

static void
clinic_application_startup (GApplication *app)
{
  static const char *quit_accels[] = { "<Control>q", NULL };
  static const char *help_accels[] = { "<Control>question", NULL };
  static const char *lock_accels[] = { "<Control>l", NULL };

  G_APPLICATION_CLASS (clinic_application_parent_class)->startup (app);

  g_action_map_add_action_entries (G_ACTION_MAP (app), app_actions,
                                   G_N_ELEMENTS (app_actions), app);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "win.show-help-overlay",
                                         help_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "win.lock", lock_accels);
}

static void
clinic_application_activate (GApplication *app)
{
  ClinicApplication *self = CLINIC_APPLICATION (app);
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (app));

  if (window == NULL)
    {
      GtkShortcutsWindow *overlay;

      window = GTK_WINDOW (clinic_window_new (self));
      overlay = gtk_application_window_get_help_overlay (GTK_APPLICATION_WINDOW (window));
      if (overlay != NULL)
        clinic_shortcuts_window_set_accessible_labels (overlay);
    }

  gtk_window_present (window);
}

static int
clinic_application_handle_local_options (GApplication *app,
                                         GVariantDict *options)
{
  if (g_variant_dict_contains (options, "version"))
    {
      g_print ("clinic %s\n", PACKAGE_VERSION);
      return 0;
    }

  return -1;
}

static int
clinic_application_command_line (GApplication            *app,
                                 GApplicationCommandLine *command_line)
{
  ClinicApplication *self = CLINIC_APPLICATION (app);
  GVariantDict *options = g_application_command_line_get_options_dict (command_line);
  g_autofree char *arg = NULL;

  if (g_variant_dict_lookup (options, "database", "^ay", &arg))
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *path = NULL;

      path = clinic_paths_resolve_database (arg,
                                            g_application_command_line_get_cwd (command_line),
                                            &error);
      if (path == NULL)
        {
          g_application_command_line_printerr (command_line, "%s\n", error->message);
          return 1;
        }

      if (gtk_application_get_active_window (GTK_APPLICATION (app)) != NULL &&
          g_strcmp0 (path, clinic_application_get_database_path (self)) != 0)
        {
          g_application_command_line_printerr (command_line,
                                               _("Clinic is already open with the database “%s”. Close it first to open “%s”.\n"),
                                               clinic_application_get_database_path (self),
                                               path);
          return 1;
        }

      clinic_application_set_database_path (self, path);
    }

  g_application_activate (app);

  return 0;
}

static void
clinic_application_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  ClinicApplication *self = CLINIC_APPLICATION (object);

  switch (prop_id)
    {
    case PROP_DATABASE_PATH:
      g_value_set_string (value, clinic_application_get_database_path (self));
      break;

    case PROP_PRIVACY_MODE:
      g_value_set_boolean (value, self->privacy_mode);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
clinic_application_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  ClinicApplication *self = CLINIC_APPLICATION (object);

  switch (prop_id)
    {
    case PROP_DATABASE_PATH:
      clinic_application_set_database_path (self, g_value_get_string (value));
      break;

    case PROP_PRIVACY_MODE:
      clinic_application_set_privacy_mode (self, g_value_get_boolean (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
clinic_application_finalize (GObject *object)
{
  ClinicApplication *self = CLINIC_APPLICATION (object);

  g_clear_pointer (&self->database_path, g_free);
  g_clear_object (&self->db);

  G_OBJECT_CLASS (clinic_application_parent_class)->finalize (object);
}

static void
clinic_application_class_init (ClinicApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->get_property = clinic_application_get_property;
  object_class->set_property = clinic_application_set_property;
  object_class->finalize = clinic_application_finalize;

  /* Registered by hand: the resources live in a static library, where a
   * constructor in an otherwise unreferenced object would be dropped. */
  clinic_ensure_resources ();

  app_class->startup = clinic_application_startup;
  app_class->activate = clinic_application_activate;
  app_class->handle_local_options = clinic_application_handle_local_options;
  app_class->command_line = clinic_application_command_line;

  properties[PROP_DATABASE_PATH] =
    g_param_spec_string ("database-path", NULL, NULL,
                         NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  properties[PROP_PRIVACY_MODE] =
    g_param_spec_boolean ("privacy-mode", NULL, NULL,
                          FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
clinic_application_init (ClinicApplication *self)
{
  g_application_add_main_option_entries (G_APPLICATION (self), option_entries);
  g_application_set_option_context_summary (G_APPLICATION (self),
                                            _("Patient and practice management for one clinic PC."));
}
