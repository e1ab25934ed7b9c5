/* clinic-setup-assistant.c — making the clinic's database on first start
 *
 * Four steps, one page each, with Back and Next: the clinic (name,
 * address, phone), money and time (currency, time zone), the first
 * administrator, then the recovery key. Each step is checked with the
 * same validation the settings use before the next one shows.
 *
 * clinic_db_create runs Argon2id at MODERATE for the administrator's key
 * slot, about a second, so it runs in a worker thread while the form
 * waits; the database it returns is used from the main thread only.
 *
 * The recovery key is shown once, large and in groups, with the printable
 * sheet beside it. It is never logged, and it is wiped from the
 * assistant's memory as soon as one of its groups has been typed back.
 */

#include "config.h"

#include <glib/gi18n.h>
#include <sodium.h>

#include "clinic-app-utils.h"
#include "clinic-document-preview.h"
#include "clinic-password.h"
#include "clinic-recovery-sheet.h"
#include "clinic-settings.h"
#include "clinic-setup-assistant.h"
#include "clinic-users.h"

static const char *const steps[] = { "clinic", "locale", "administrator", "recovery-key" };
#define N_STEPS G_N_ELEMENTS (steps)

/* The currencies offered first; clinic_settings_validate has the rest. */
static const char *const currencies[] = {
  "EUR", "USD", "GBP", "CHF", "CAD", "AUD", "NZD", "JPY", "SEK", "NOK",
  "DKK", "PLN", "CZK", "HUF", "RON", "TRY", "INR", "ZAR", "BRL", "MXN", NULL
};

struct _ClinicSetupAssistant
{
  AdwBin                 parent_instance;

  char                  *path;
  ClinicKdfLimits        limits;
  gboolean               has_limits;
  GCancellable          *cancellable;

  guint                  step;
  gboolean               busy;

  /* The values checked so far, normalised. */
  char                  *clinic_name;
  char                  *address;
  char                  *phone;
  char                  *currency;
  char                  *timezone;

  /* Once made. */
  ClinicSession         *session;
  char                  *recovery_key;
  ClinicRecoverySheet   *sheet;
  guint                  check_group;

  /* Template widgets */
  GtkStack              *stack;
  AdwEntryRow           *name_row;
  AdwEntryRow           *address_row;
  AdwEntryRow           *phone_row;
  AdwComboRow           *currency_row;
  AdwEntryRow           *timezone_row;
  AdwEntryRow           *user_row;
  AdwEntryRow           *display_name_row;
  AdwEntryRow           *password_row;
  AdwEntryRow           *confirm_row;
  GtkWidget             *admin_group;
  GtkLabel              *key_label;
  ClinicDocumentPreview *preview;
  GtkLabel              *check_label;
  AdwEntryRow           *check_row;
  GtkRevealer           *error_revealer;
  GtkLabel              *error_label;
  GtkButton             *back_button;
  GtkLabel              *step_label;
  GtkButton             *next_button;
  GtkSpinner            *spinner;
  GtkButton             *finish_button;
};

G_DEFINE_FINAL_TYPE (ClinicSetupAssistant, clinic_setup_assistant, ADW_TYPE_BIN)

enum {
  FINISHED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
wipe_string (char **text)
{
  if (*text != NULL)
    sodium_memzero (*text, strlen (*text));
  g_clear_pointer (text, g_free);
}

static char *
dup_text (AdwEntryRow *row)
{
  return g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (row))));
}

static gboolean
row_is_empty (AdwEntryRow *row)
{
  g_autofree char *text = dup_text (row);

  return text[0] == '\0';
}

static void
show_error (ClinicSetupAssistant *self,
            const char           *message)
{
  gtk_label_set_text (self->error_label, message != NULL ? message : "");
  gtk_revealer_set_reveal_child (self->error_revealer, message != NULL);
}

static void
clinic_setup_assistant_update_actions (ClinicSetupAssistant *self)
{
  gboolean can_next = FALSE;

  switch (self->step)
    {
    case 0:
      can_next = !row_is_empty (self->name_row);
      break;
    case 1:
      can_next = !row_is_empty (self->timezone_row);
      break;
    case 2:
      can_next = !row_is_empty (self->user_row) &&
                 gtk_editable_get_text (GTK_EDITABLE (self->password_row))[0] != '\0' &&
                 gtk_editable_get_text (GTK_EDITABLE (self->confirm_row))[0] != '\0';
      break;
    default:
      break;
    }

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "setup.back",
                                 !self->busy && self->step > 0 && self->step < N_STEPS - 1);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "setup.next", !self->busy && can_next);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "setup.finish",
                                 self->step == N_STEPS - 1 && !row_is_empty (self->check_row));
}

static void
show_step (ClinicSetupAssistant *self,
           guint                 step)
{
  g_autofree char *text = NULL;
  gboolean last = step == N_STEPS - 1;

  self->step = step;
  gtk_stack_set_visible_child_name (self->stack, steps[step]);
  show_error (self, NULL);

  /* Translators: the set-up assistant's progress, "Step 2 of 4". */
  text = g_strdup_printf (_("Step %u of %u"), step + 1, (guint) N_STEPS);
  gtk_label_set_text (self->step_label, text);

  gtk_widget_set_visible (GTK_WIDGET (self->back_button), !last);
  gtk_widget_set_visible (GTK_WIDGET (self->next_button), !last);
  gtk_widget_set_visible (GTK_WIDGET (self->finish_button), last);

  clinic_setup_assistant_update_actions (self);

  switch (step)
    {
    case 0: gtk_widget_grab_focus (GTK_WIDGET (self->name_row)); break;
    case 1: gtk_widget_grab_focus (GTK_WIDGET (self->currency_row)); break;
    case 2: gtk_widget_grab_focus (GTK_WIDGET (self->user_row)); break;
    default: gtk_widget_grab_focus (GTK_WIDGET (self->check_row)); break;
    }
}

static void
set_busy (ClinicSetupAssistant *self,
          gboolean              busy)
{
  self->busy = busy;
  /* The fields are about to turn insensitive: take the focus away first,
   * so the one typed in is told it lost it. */
  if (busy && gtk_widget_get_root (GTK_WIDGET (self)) != NULL)
    gtk_root_set_focus (gtk_widget_get_root (GTK_WIDGET (self)), NULL);
  gtk_spinner_set_spinning (self->spinner, busy);
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), busy);
  gtk_widget_set_sensitive (self->admin_group, !busy);
  clinic_setup_assistant_update_actions (self);
}

/* The value of @row checked as @key would be in the settings; NULL after
 * showing why not. */
static char *
validate_row (ClinicSetupAssistant *self,
              AdwEntryRow          *row,
              const char           *key)
{
  g_autofree char *text = dup_text (row);
  g_autoptr(GError) error = NULL;
  char *value;

  value = clinic_settings_validate (key, text, &error);
  if (value == NULL)
    {
      show_error (self, error->message);
      gtk_widget_grab_focus (GTK_WIDGET (row));
    }

  return value;
}

/* --- The recovery key ------------------------------------------------------ */

static void
show_recovery_key (ClinicSetupAssistant *self)
{
  g_auto(GStrv) groups = g_strsplit (self->recovery_key, "-", -1);
  g_autoptr(GString) shown = g_string_new (NULL);
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *prompt = NULL;
  g_autofree char *title = NULL;

  /* Two lines of seven, as on the sheet. */
  for (guint i = 0; groups[i] != NULL; i++)
    {
      if (i > 0)
        g_string_append (shown, i % 7 == 0 ? "\n" : "  ");
      g_string_append (shown, groups[i]);
    }
  gtk_label_set_text (self->key_label, shown->str);
  sodium_memzero (shown->str, shown->len);
  for (guint i = 0; groups[i] != NULL; i++)
    sodium_memzero (groups[i], strlen (groups[i]));

  self->sheet = clinic_recovery_sheet_new (self->clinic_name, self->path, now,
                                           self->recovery_key);
  clinic_document_preview_set_document (self->preview, CLINIC_DOCUMENT (self->sheet));

  self->check_group = (guint) g_random_int_range (0, CLINIC_RECOVERY_KEY_N_GROUPS);
  /* Translators: %u is the number of a group of the recovery key, 1 to 14. */
  prompt = g_strdup_printf (_("To be sure the key is printed or written down, type group %u of it."),
                            self->check_group + 1);
  gtk_label_set_text (self->check_label, prompt);
  /* Translators: %u is the number of a group of the recovery key. */
  title = g_strdup_printf (_("Group %u"), self->check_group + 1);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->check_row), title);
}

static void
forget_recovery_key (ClinicSetupAssistant *self)
{
  gtk_label_set_text (self->key_label, "");
  if (self->preview != NULL)
    clinic_document_preview_set_document (self->preview, NULL);
  g_clear_object (&self->sheet);
  wipe_string (&self->recovery_key);
}

/* --- Making the database --------------------------------------------------- */

typedef struct
{
  char            *path;
  char            *clinic_name;
  char            *user;
  char            *password;
  ClinicKdfLimits  limits;
  gboolean         has_limits;
  char            *recovery_key;
} CreateData;

static void
create_data_free (gpointer data)
{
  CreateData *create = data;

  g_free (create->path);
  g_free (create->clinic_name);
  g_free (create->user);
  wipe_string (&create->password);
  wipe_string (&create->recovery_key);
  g_free (create);
}

static void
create_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  CreateData *create = task_data;
  ClinicCredentials admin = { 0 };
  GError *error = NULL;
  ClinicDb *db;

  admin.user = create->user;
  admin.password = create->password;
  admin.limits = create->has_limits ? &create->limits : NULL;

  db = clinic_db_create (create->path, create->clinic_name, &admin, &create->recovery_key,
                         &error);
  if (db == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, db, g_object_unref);
}

static void
create_done (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  ClinicSetupAssistant *self = CLINIC_SETUP_ASSISTANT (source);
  CreateData *create = g_task_get_task_data (G_TASK (result));
  g_autoptr(ClinicDb) db = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *display_name = NULL;
  ClinicSettings *settings;
  const struct { const char *key; const char *value; } initial[] = {
    { "clinic.address", self->address },
    { "clinic.phone", self->phone },
    { "clinic.currency", self->currency },
    { "clinic.timezone", self->timezone },
  };

  db = g_task_propagate_pointer (G_TASK (result), &error);
  if (g_cancellable_is_cancelled (self->cancellable))
    return;

  set_busy (self, FALSE);

  if (db == NULL)
    {
      show_error (self, error->message);
      return;
    }

  self->session = clinic_session_start (db, &error);
  if (self->session == NULL)
    {
      show_error (self, error->message);
      return;
    }

  /* The rest of the clinic's details, as its first administrator: the
   * audit trail starts with them. They were checked on their steps. */
  settings = clinic_settings_get_for_db (db);
  for (guint i = 0; i < G_N_ELEMENTS (initial); i++)
    {
      g_autoptr(GError) set_error = NULL;

      if (initial[i].value != NULL && initial[i].value[0] != '\0' &&
          !clinic_settings_set (settings, self->session, initial[i].key, initial[i].value,
                                &set_error))
        show_error (self, set_error->message);
    }

  display_name = dup_text (self->display_name_row);
  if (display_name[0] != '\0')
    {
      g_autoptr(GError) name_error = NULL;

      if (!clinic_users_set_display_name (self->session,
                                          clinic_session_get_user_id (self->session),
                                          display_name, &name_error))
        show_error (self, name_error->message);
      /* The session read the name at sign-in. */
      clinic_session_refresh (self->session, NULL);
    }

  gtk_editable_set_text (GTK_EDITABLE (self->password_row), "");
  gtk_editable_set_text (GTK_EDITABLE (self->confirm_row), "");

  self->recovery_key = g_steal_pointer (&create->recovery_key);
  show_recovery_key (self);
  show_step (self, N_STEPS - 1);
}

static void
create_database (ClinicSetupAssistant *self)
{
  g_autoptr(GTask) task = NULL;
  CreateData *create = g_new0 (CreateData, 1);

  create->path = g_strdup (self->path);
  create->clinic_name = g_strdup (self->clinic_name);
  create->user = dup_text (self->user_row);
  create->password = g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->password_row)));
  create->limits = self->limits;
  create->has_limits = self->has_limits;

  show_error (self, NULL);
  set_busy (self, TRUE);

  task = g_task_new (self, self->cancellable, create_done, NULL);
  g_task_set_source_tag (task, create_database);
  g_task_set_task_data (task, create, create_data_free);
  g_task_run_in_thread (task, create_thread);
}

static gboolean
check_administrator (ClinicSetupAssistant *self)
{
  const ClinicSettingSpec *spec = clinic_settings_lookup_spec ("security.min-password-length");
  g_autofree char *user = dup_text (self->user_row);
  const char *password = gtk_editable_get_text (GTK_EDITABLE (self->password_row));
  const char *confirm = gtk_editable_get_text (GTK_EDITABLE (self->confirm_row));
  g_autoptr(GError) error = NULL;
  guint min_length = 10;

  if (spec != NULL && spec->default_value != NULL)
    min_length = (guint) g_ascii_strtoull (spec->default_value, NULL, 10);

  if (!clinic_password_check_policy (password, min_length, user, &error))
    {
      show_error (self, error->message);
      gtk_widget_grab_focus (GTK_WIDGET (self->password_row));
      return FALSE;
    }

  if (g_strcmp0 (password, confirm) != 0)
    {
      show_error (self, _("The two passwords are not the same."));
      gtk_editable_set_text (GTK_EDITABLE (self->confirm_row), "");
      gtk_widget_grab_focus (GTK_WIDGET (self->confirm_row));
      return FALSE;
    }

  return TRUE;
}

/* --- Actions --------------------------------------------------------------- */

static void
action_next (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  ClinicSetupAssistant *self = CLINIC_SETUP_ASSISTANT (widget);

  if (self->busy)
    return;

  switch (self->step)
    {
    case 0:
      {
        g_autofree char *name = validate_row (self, self->name_row, "clinic.name");
        g_autofree char *address = NULL;
        g_autofree char *phone = NULL;

        if (name == NULL ||
            (address = validate_row (self, self->address_row, "clinic.address")) == NULL ||
            (phone = validate_row (self, self->phone_row, "clinic.phone")) == NULL)
          return;

        g_free (self->clinic_name);
        self->clinic_name = g_steal_pointer (&name);
        g_free (self->address);
        self->address = g_steal_pointer (&address);
        g_free (self->phone);
        self->phone = g_steal_pointer (&phone);
        show_step (self, 1);
      }
      break;

    case 1:
      {
        GtkStringObject *item = adw_combo_row_get_selected_item (self->currency_row);
        g_autoptr(GError) error = NULL;
        g_autofree char *currency = NULL;
        g_autofree char *timezone = NULL;

        currency = clinic_settings_validate ("clinic.currency",
                                             item != NULL ? gtk_string_object_get_string (item) : "",
                                             &error);
        if (currency == NULL)
          {
            show_error (self, error->message);
            gtk_widget_grab_focus (GTK_WIDGET (self->currency_row));
            return;
          }

        timezone = validate_row (self, self->timezone_row, "clinic.timezone");
        if (timezone == NULL)
          return;

        g_free (self->currency);
        self->currency = g_steal_pointer (&currency);
        g_free (self->timezone);
        self->timezone = g_steal_pointer (&timezone);
        show_step (self, 2);
      }
      break;

    case 2:
      if (check_administrator (self))
        create_database (self);
      break;

    default:
      break;
    }
}

static void
action_back (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  ClinicSetupAssistant *self = CLINIC_SETUP_ASSISTANT (widget);

  if (self->busy || self->step == 0 || self->step == N_STEPS - 1)
    return;

  show_step (self, self->step - 1);
}

static void
action_finish (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  ClinicSetupAssistant *self = CLINIC_SETUP_ASSISTANT (widget);
  g_autofree char *typed = dup_text (self->check_row);
  g_autofree char *expected = NULL;

  if (self->session == NULL || self->recovery_key == NULL)
    return;

  expected = clinic_recovery_key_get_group (self->recovery_key, self->check_group);
  if (expected == NULL || !clinic_recovery_key_group_equal (expected, typed))
    {
      g_autofree char *message = NULL;

      /* Translators: %u is the number of a group of the recovery key. */
      message = g_strdup_printf (_("That is not group %u of the recovery key. Compare it with the key shown above."),
                                 self->check_group + 1);
      show_error (self, message);
      gtk_widget_grab_focus (GTK_WIDGET (self->check_row));
      if (expected != NULL)
        sodium_memzero (expected, strlen (expected));
      return;
    }

  sodium_memzero (expected, strlen (expected));
  gtk_editable_set_text (GTK_EDITABLE (self->check_row), "");
  forget_recovery_key (self);

  g_signal_emit (self, signals[FINISHED], 0, self->session);
}

/* Enter moves to the next field, and from a step's last field on. */
static void
on_entry_activated (ClinicSetupAssistant *self,
                    AdwEntryRow          *row)
{
  AdwEntryRow *order[] = {
    self->name_row, self->address_row, self->phone_row, NULL,
    self->timezone_row, NULL,
    self->user_row, self->display_name_row, self->password_row, self->confirm_row, NULL,
  };

  if (row == self->check_row)
    {
      gtk_widget_activate_action (GTK_WIDGET (self), "setup.finish", NULL);
      return;
    }

  for (guint i = 0; i < G_N_ELEMENTS (order); i++)
    if (order[i] == row)
      {
        if (i + 1 < G_N_ELEMENTS (order) && order[i + 1] != NULL)
          gtk_widget_grab_focus (GTK_WIDGET (order[i + 1]));
        else
          gtk_widget_activate_action (GTK_WIDGET (self), "setup.next", NULL);
        return;
      }
}

static void
on_text_changed (ClinicSetupAssistant *self)
{
  clinic_setup_assistant_update_actions (self);
}

/* --- Public ---------------------------------------------------------------- */

GtkWidget *
clinic_setup_assistant_new (const char            *path,
                            const ClinicKdfLimits *limits)
{
  ClinicSetupAssistant *self;

  g_return_val_if_fail (path != NULL, NULL);

  self = g_object_new (CLINIC_TYPE_SETUP_ASSISTANT, NULL);
  self->path = g_strdup (path);
  self->has_limits = limits != NULL;
  if (limits != NULL)
    self->limits = *limits;

  return GTK_WIDGET (self);
}

const char *
clinic_setup_assistant_get_step (ClinicSetupAssistant *self)
{
  g_return_val_if_fail (CLINIC_IS_SETUP_ASSISTANT (self), NULL);

  return steps[self->step];
}

guint
clinic_setup_assistant_get_check_group (ClinicSetupAssistant *self)
{
  g_return_val_if_fail (CLINIC_IS_SETUP_ASSISTANT (self), 0);

  return self->check_group;
}

const char *
clinic_setup_assistant_get_error (ClinicSetupAssistant *self)
{
  g_return_val_if_fail (CLINIC_IS_SETUP_ASSISTANT (self), NULL);

  if (!gtk_revealer_get_reveal_child (self->error_revealer))
    return NULL;

  return gtk_label_get_text (self->error_label);
}

gboolean
clinic_setup_assistant_get_busy (ClinicSetupAssistant *self)
{
  g_return_val_if_fail (CLINIC_IS_SETUP_ASSISTANT (self), FALSE);

  return self->busy;
}

/* --- GObject --------------------------------------------------------------- */

static gboolean
clinic_setup_assistant_grab_focus (GtkWidget *widget)
{
  ClinicSetupAssistant *self = CLINIC_SETUP_ASSISTANT (widget);

  switch (self->step)
    {
    case 0: return gtk_widget_grab_focus (GTK_WIDGET (self->name_row));
    case 1: return gtk_widget_grab_focus (GTK_WIDGET (self->currency_row));
    case 2: return gtk_widget_grab_focus (GTK_WIDGET (self->user_row));
    default: return gtk_widget_grab_focus (GTK_WIDGET (self->check_row));
    }
}

static void
clinic_setup_assistant_dispose (GObject *object)
{
  ClinicSetupAssistant *self = CLINIC_SETUP_ASSISTANT (object);

  g_cancellable_cancel (self->cancellable);
  forget_recovery_key (self);
  g_clear_object (&self->session);
  gtk_widget_dispose_template (GTK_WIDGET (self), CLINIC_TYPE_SETUP_ASSISTANT);

  G_OBJECT_CLASS (clinic_setup_assistant_parent_class)->dispose (object);
}

static void
clinic_setup_assistant_finalize (GObject *object)
{
  ClinicSetupAssistant *self = CLINIC_SETUP_ASSISTANT (object);

  g_free (self->path);
  g_free (self->clinic_name);
  g_free (self->address);
  g_free (self->phone);
  g_free (self->currency);
  g_free (self->timezone);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (clinic_setup_assistant_parent_class)->finalize (object);
}

static void
clinic_setup_assistant_class_init (ClinicSetupAssistantClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  clinic_ensure_resources ();

  object_class->dispose = clinic_setup_assistant_dispose;
  object_class->finalize = clinic_setup_assistant_finalize;
  widget_class->grab_focus = clinic_setup_assistant_grab_focus;

  signals[FINISHED] =
    g_signal_new ("finished",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, CLINIC_TYPE_SESSION);

  g_type_ensure (CLINIC_TYPE_DOCUMENT_PREVIEW);

  gtk_widget_class_set_template_from_resource (widget_class, "/com/example/Clinic/ui/clinic-setup-assistant.ui");
  gtk_widget_class_bind_template_child (widget_class, ClinicSetupAssistant, stack);
  gtk_widget_class_bind_template_child (widget_class, ClinicSetupAssistant, name_row);
  gtk_widget_class_bind_template_child (widget_class, ClinicSetupAssistant, address_row);
  gtk_widget_class_bind_template_child (widget_class, ClinicSetupAssistant, phone_row);
  gtk_widget_class_bind_template_child (widget_class, ClinicSetupAssistant, currency_row);
  gtk_widget_class_bind_template_child (widget_class, ClinicSetupAssistant, timezone_row);
  gtk_widget_class_bind_template_child (widget_class, ClinicSetupAssistant, user_row);
  gtk_widget_class_bind_template_child (widget_class, ClinicSetupAssistant, display_name_row);
  gtk_widget_class_bind_template_child (widget_class, ClinicSetupAssistant, password_row);
  gtk_widget_class_bind_template_child (widget_class, ClinicSetupAssistant, confirm_row);
  gtk_widget_class_bind_template_child (widget_class, ClinicSetupAssistant, admin_group);
  gtk_widget_class_bind_template_child (widget_class, ClinicSetupAssistant, key_label);
  gtk_widget_class_bind_template_child (widget_class, ClinicSetupAssistant, preview);
  gtk_widget_class_bind_template_child (widget_class, ClinicSetupAssistant, check_label);
  gtk_widget_class_bind_template_child (widget_class, ClinicSetupAssistant, check_row);
  gtk_widget_class_bind_template_child (widget_class, ClinicSetupAssistant, error_revealer);
  gtk_widget_class_bind_template_child (widget_class, ClinicSetupAssistant, error_label);
  gtk_widget_class_bind_template_child (widget_class, ClinicSetupAssistant, back_button);
  gtk_widget_class_bind_template_child (widget_class, ClinicSetupAssistant, step_label);
  gtk_widget_class_bind_template_child (widget_class, ClinicSetupAssistant, next_button);
  gtk_widget_class_bind_template_child (widget_class, ClinicSetupAssistant, spinner);
  gtk_widget_class_bind_template_child (widget_class, ClinicSetupAssistant, finish_button);
  gtk_widget_class_bind_template_callback (widget_class, on_entry_activated);
  gtk_widget_class_bind_template_callback (widget_class, on_text_changed);

  gtk_widget_class_install_action (widget_class, "setup.back", NULL, action_back);
  gtk_widget_class_install_action (widget_class, "setup.next", NULL, action_next);
  gtk_widget_class_install_action (widget_class, "setup.finish", NULL, action_finish);
}

static void
clinic_setup_assistant_init (ClinicSetupAssistant *self)
{
  g_autoptr(GtkStringList) list = gtk_string_list_new ((const char *const *) currencies);
  g_autoptr(GTimeZone) local = g_time_zone_new_local ();
  const char *zone = g_time_zone_get_identifier (local);
  g_autofree char *valid_zone = NULL;

  self->cancellable = g_cancellable_new ();
  gtk_widget_init_template (GTK_WIDGET (self));

  adw_combo_row_set_model (self->currency_row, G_LIST_MODEL (list));

  /* The PC's own zone, where GLib can name it as the setting wants. */
  valid_zone = clinic_settings_validate ("clinic.timezone", zone, NULL);
  gtk_editable_set_text (GTK_EDITABLE (self->timezone_row),
                         valid_zone != NULL ? valid_zone : "");

  show_step (self, 0);
}
