/* clinic-shell.c — the view a signed-in user works in
 *
 * The sidebar lists the sections the session's permissions allow, in the
 * order of the one table below; the stack beside it shows the chosen one.
 * Built-in roles are only permission sets here: nothing in this file asks
 * which role a user has.
 */

#include "config.h"

#include <glib/gi18n.h>

#include "clinic-account-section.h"
#include "clinic-app-utils.h"
#include "clinic-appointments-section.h"
#include "clinic-audit-section.h"
#include "clinic-calendar-section.h"
#include "clinic-dashboard-section.h"
#include "clinic-patients-section.h"
#include "clinic-placeholder-section.h"
#include "clinic-profile-section.h"
#include "clinic-profiles-section.h"
#include "clinic-settings-section.h"
#include "clinic-shell.h"
#include "clinic-users-section.h"

/* Who a section is for. */
typedef enum
{
  FOR_STAFF    = 1 << 0,
  FOR_PATIENTS = 1 << 1,
  FOR_ALL      = FOR_STAFF | FOR_PATIENTS,
} Audience;

#define NO_PERMISSION CLINIC_N_PERMISSIONS

typedef struct
{
  const char       *id;
  const char       *title;        /* N_() */
  const char       *icon_name;
  /* The section shows when the session has either permission
   * (NO_PERMISSION: needs none). */
  ClinicPermission  permission;
  ClinicPermission  or_permission;
  Audience          audience;
  GType           (*get_type) (void);
  /* For placeholder sections: the one sentence of the empty state. */
  const char       *placeholder;  /* N_() */
} SectionInfo;

static const SectionInfo sections[] = {
  { "dashboard", N_("Dashboard"), "user-home-symbolic",
    NO_PERMISSION, NO_PERMISSION, FOR_STAFF,
    clinic_dashboard_section_get_type, NULL },
  { "profile", N_("Profile"), "avatar-default-symbolic",
    NO_PERMISSION, NO_PERMISSION, FOR_PATIENTS,
    clinic_profile_section_get_type, NULL },
  { "profiles", N_("Profiles"), "preferences-system-privacy-symbolic",
    CLINIC_PERMISSION_USERS, NO_PERMISSION, FOR_STAFF,
    clinic_profiles_section_get_type, NULL },
  { "users", N_("Users"), "system-users-symbolic",
    CLINIC_PERMISSION_USERS, NO_PERMISSION, FOR_STAFF,
    clinic_users_section_get_type, NULL },
  { "patients", N_("Patients"), "x-office-address-book-symbolic",
    CLINIC_PERMISSION_PATIENTS_CONTACT_READ, NO_PERMISSION, FOR_STAFF,
    clinic_patients_section_get_type, NULL },
  { "appointments", N_("Appointments"), "document-open-recent-symbolic",
    CLINIC_PERMISSION_SCHEDULE_OWN, CLINIC_PERMISSION_SCHEDULE_ALL, FOR_ALL,
    clinic_appointments_section_get_type, NULL },
  { "reminders", N_("Reminders"), "alarm-symbolic",
    CLINIC_PERMISSION_SCHEDULE_OWN, CLINIC_PERMISSION_SCHEDULE_ALL, FOR_STAFF,
    clinic_placeholder_section_get_type,
    N_("Appointment reminders arrive with a later version of Clinic.") },
  { "calendar", N_("Calendar"), "x-office-calendar-symbolic",
    CLINIC_PERMISSION_SCHEDULE_OWN, CLINIC_PERMISSION_SCHEDULE_ALL, FOR_STAFF,
    clinic_calendar_section_get_type, NULL },
  { "payments", N_("Payments"), "x-office-spreadsheet-symbolic",
    CLINIC_PERMISSION_BILLING, NO_PERMISSION, FOR_ALL,
    clinic_placeholder_section_get_type,
    N_("Invoices and payments arrive with a later version of Clinic.") },
  { "messages", N_("Messages"), "mail-unread-symbolic",
    CLINIC_PERMISSION_MESSAGES, NO_PERMISSION, FOR_ALL,
    clinic_placeholder_section_get_type,
    N_("Messages between patients and the clinic arrive with a later version of Clinic.") },
  { "reports", N_("Reports"), "x-office-presentation-symbolic",
    CLINIC_PERMISSION_REPORTS, NO_PERMISSION, FOR_STAFF,
    clinic_placeholder_section_get_type,
    N_("Reports on appointments and revenue arrive with a later version of Clinic.") },
  { "audit", N_("Audit"), "security-high-symbolic",
    CLINIC_PERMISSION_AUDIT, NO_PERMISSION, FOR_STAFF,
    clinic_audit_section_get_type, NULL },
  { "settings", N_("System Settings"), "emblem-system-symbolic",
    CLINIC_PERMISSION_SETTINGS, NO_PERMISSION, FOR_STAFF,
    clinic_settings_section_get_type, NULL },
  { "account", N_("Account"), "user-info-symbolic",
    NO_PERMISSION, NO_PERMISSION, FOR_ALL,
    clinic_account_section_get_type, NULL },
};

struct _ClinicShell
{
  AdwBin          parent_instance;

  ClinicSession  *session;
  /* The ids shown, in order, NULL-terminated; the strings are the table's. */
  GPtrArray      *shown;
  gboolean        kiosk;

  /* Template widgets */
  /* Not bound to the template: in libadwaita 1.2 a leaflet, header bar
   * or window title that outlives its dispose (the template's reference)
   * crashes as it is finalized. Looked up in init instead. */
  AdwLeaflet     *leaflet;
  GtkWidget      *content;
  AdwWindowTitle *user_title;
  AdwWindowTitle *section_title;
  GtkMenuButton  *menu_button;
  GtkListBox     *sidebar_list;
  GtkStack       *stack;
  GtkWidget      *done_button;
  GMenu          *kiosk_section;
};

enum
{
  PROP_0,
  PROP_SESSION,
  PROP_SECTION,
  PROP_KIOSK,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (ClinicShell, clinic_shell, ADW_TYPE_BIN)

static gboolean
section_allowed (const SectionInfo *info,
                 ClinicSession     *session)
{
  Audience audience = clinic_session_get_kind (session) == CLINIC_USER_PATIENT
                      ? FOR_PATIENTS : FOR_STAFF;

  if ((info->audience & audience) == 0)
    return FALSE;
  if (info->permission == NO_PERMISSION)
    return TRUE;

  return clinic_session_has_permission (session, info->permission) ||
         (info->or_permission != NO_PERMISSION &&
          clinic_session_has_permission (session, info->or_permission));
}

static const SectionInfo *
lookup_section (const char *id)
{
  for (guint i = 0; i < G_N_ELEMENTS (sections); i++)
    if (g_strcmp0 (sections[i].id, id) == 0)
      return &sections[i];

  return NULL;
}

static const char *
role_title (ClinicSession *session)
{
  const char *builtin = clinic_session_get_role_builtin (session);

  if (clinic_session_is_recovery (session))
    return _("Recovery Session");
  if (g_strcmp0 (builtin, "administrator") == 0)
    return _("Administrator");
  if (g_strcmp0 (builtin, "doctor") == 0)
    return _("Doctor");
  if (g_strcmp0 (builtin, "front-desk") == 0)
    return _("Front Desk");
  if (g_strcmp0 (builtin, "patient") == 0)
    return _("Patient");

  return clinic_session_get_kind (session) == CLINIC_USER_PATIENT
         ? _("Patient") : _("Staff");
}

static GtkWidget *
make_sidebar_row (const SectionInfo *info,
                  guint              index)
{
  GtkWidget *row = gtk_list_box_row_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *image = gtk_image_new_from_icon_name (info->icon_name);
  GtkWidget *label = gtk_label_new (_(info->title));

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_accessible_update_property (GTK_ACCESSIBLE (image),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, "", -1);
  gtk_box_append (GTK_BOX (box), image);
  gtk_box_append (GTK_BOX (box), label);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
  gtk_widget_set_name (row, info->id);
  gtk_accessible_update_property (GTK_ACCESSIBLE (row),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _(info->title),
                                  -1);
  if (index < 9)
    {
      /* Translators: a tooltip; %u is a digit key (Ctrl+1 … Ctrl+9). */
      g_autofree char *tip = g_strdup_printf (_("Ctrl+%u"), index + 1);

      gtk_widget_set_tooltip_text (row, tip);
    }

  return row;
}

static GtkWidget *
make_section (const SectionInfo *info,
              ClinicSession     *session)
{
  if (info->placeholder != NULL)
    return clinic_placeholder_section_new (session, _(info->title), info->icon_name,
                                           _(info->placeholder));

  return g_object_new (info->get_type (), "session", session, NULL);
}

static void
clinic_shell_build (ClinicShell *self)
{
  adw_window_title_set_title (self->user_title,
                              clinic_session_get_display_name (self->session));
  adw_window_title_set_subtitle (self->user_title, role_title (self->session));

  for (guint i = 0; i < G_N_ELEMENTS (sections); i++)
    {
      const SectionInfo *info = &sections[i];
      GtkStackPage *page;

      if (!section_allowed (info, self->session))
        continue;

      gtk_list_box_append (self->sidebar_list, make_sidebar_row (info, self->shown->len));
      page = gtk_stack_add_named (self->stack, make_section (info, self->session), info->id);
      gtk_stack_page_set_title (page, _(info->title));
      gtk_stack_page_set_icon_name (page, info->icon_name);
      g_ptr_array_add (self->shown, (gpointer) info->id);
    }
  g_ptr_array_add (self->shown, NULL);

  if (clinic_session_has_permission (self->session, CLINIC_PERMISSION_KIOSK_START) &&
      clinic_session_get_kind (self->session) == CLINIC_USER_STAFF)
    g_menu_append (self->kiosk_section, _("Start Patient _Kiosk"), "win.start-kiosk");
}

const char *
clinic_shell_get_section (ClinicShell *self)
{
  g_return_val_if_fail (CLINIC_IS_SHELL (self), NULL);

  return gtk_stack_get_visible_child_name (self->stack);
}

void
clinic_shell_set_section (ClinicShell *self,
                          const char  *section)
{
  const SectionInfo *info;
  GtkListBoxRow *row;
  guint index;

  g_return_if_fail (CLINIC_IS_SHELL (self));

  if (self->shown->len <= 1)
    return;

  /* The last slot is the NULL that ends the list. */
  for (index = 0; index + 1 < self->shown->len; index++)
    if (g_strcmp0 (g_ptr_array_index (self->shown, index), section) == 0)
      break;
  if (index + 1 >= self->shown->len)
    index = 0;

  info = lookup_section (g_ptr_array_index (self->shown, index));
  if (info == NULL)
    return;
  row = gtk_list_box_get_row_at_index (self->sidebar_list, index);
  gtk_list_box_select_row (self->sidebar_list, row);
  adw_window_title_set_title (self->section_title, _(info->title));

  if (g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), info->id) != 0)
    {
      gtk_stack_set_visible_child_name (self->stack, info->id);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SECTION]);
    }
}

const char *const *
clinic_shell_get_sections (ClinicShell *self)
{
  g_return_val_if_fail (CLINIC_IS_SHELL (self), NULL);

  return (const char *const *) self->shown->pdata;
}

ClinicSession *
clinic_shell_get_session (ClinicShell *self)
{
  g_return_val_if_fail (CLINIC_IS_SHELL (self), NULL);

  return self->session;
}

void
clinic_shell_set_kiosk (ClinicShell *self,
                        gboolean     kiosk)
{
  g_return_if_fail (CLINIC_IS_SHELL (self));

  kiosk = !!kiosk;
  if (self->kiosk == kiosk)
    return;

  self->kiosk = kiosk;
  /* The patient's own pages stay reachable; the menu leads out of them. */
  gtk_widget_set_visible (GTK_WIDGET (self->menu_button), !kiosk);
  gtk_widget_set_visible (self->done_button, kiosk);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_KIOSK]);
}

gboolean
clinic_shell_get_kiosk (ClinicShell *self)
{
  g_return_val_if_fail (CLINIC_IS_SHELL (self), FALSE);

  return self->kiosk;
}

ClinicShell *
clinic_shell_new (ClinicSession *session)
{
  g_return_val_if_fail (CLINIC_IS_SESSION (session), NULL);

  return g_object_new (CLINIC_TYPE_SHELL, "session", session, NULL);
}

static void
on_row_activated (ClinicShell   *self,
                  GtkListBoxRow *row)
{
  guint index = gtk_list_box_row_get_index (row);

  clinic_shell_set_section (self, g_ptr_array_index (self->shown, index));
  adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_FORWARD);
}

static void
clinic_shell_show_index (GtkWidget  *widget,
                         const char *action_name,
                         GVariant   *parameter)
{
  ClinicShell *self = CLINIC_SHELL (widget);
  int index = g_variant_get_int32 (parameter);

  if (index < 0 || (guint) index + 1 >= self->shown->len)
    return;

  clinic_shell_set_section (self, g_ptr_array_index (self->shown, index));
  adw_leaflet_set_visible_child (self->leaflet, self->content);
}

static void
clinic_shell_back (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  ClinicShell *self = CLINIC_SHELL (widget);

  adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_BACK);
}

static void
clinic_shell_constructed (GObject *object)
{
  ClinicShell *self = CLINIC_SHELL (object);

  G_OBJECT_CLASS (clinic_shell_parent_class)->constructed (object);

  clinic_shell_build (self);
  clinic_shell_set_section (self, NULL);
  clinic_menu_button_set_accessible_label (self->menu_button, _("Main Menu"));
}

static gboolean
clinic_shell_grab_focus (GtkWidget *widget)
{
  ClinicShell *self = CLINIC_SHELL (widget);
  GtkListBoxRow *row = gtk_list_box_get_selected_row (self->sidebar_list);

  if (row != NULL && gtk_widget_get_mapped (GTK_WIDGET (row)))
    return gtk_widget_grab_focus (GTK_WIDGET (row));

  return GTK_WIDGET_CLASS (clinic_shell_parent_class)->grab_focus (widget);
}

static void
clinic_shell_dispose (GObject *object)
{
  ClinicShell *self = CLINIC_SHELL (object);

  self->leaflet = NULL;
  self->content = NULL;
  self->user_title = self->section_title = NULL;
  gtk_widget_dispose_template (GTK_WIDGET (object), CLINIC_TYPE_SHELL);
  g_clear_object (&self->session);

  G_OBJECT_CLASS (clinic_shell_parent_class)->dispose (object);
}

static void
clinic_shell_finalize (GObject *object)
{
  ClinicShell *self = CLINIC_SHELL (object);

  g_ptr_array_unref (self->shown);

  G_OBJECT_CLASS (clinic_shell_parent_class)->finalize (object);
}

static void
clinic_shell_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  ClinicShell *self = CLINIC_SHELL (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      g_value_set_object (value, self->session);
      break;

    case PROP_SECTION:
      g_value_set_string (value, clinic_shell_get_section (self));
      break;

    case PROP_KIOSK:
      g_value_set_boolean (value, self->kiosk);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
clinic_shell_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  ClinicShell *self = CLINIC_SHELL (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      self->session = g_value_dup_object (value);
      break;

    case PROP_SECTION:
      clinic_shell_set_section (self, g_value_get_string (value));
      break;

    case PROP_KIOSK:
      clinic_shell_set_kiosk (self, g_value_get_boolean (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
clinic_shell_class_init (ClinicShellClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  clinic_ensure_resources ();

  object_class->constructed = clinic_shell_constructed;
  object_class->dispose = clinic_shell_dispose;
  object_class->finalize = clinic_shell_finalize;
  object_class->get_property = clinic_shell_get_property;
  object_class->set_property = clinic_shell_set_property;
  widget_class->grab_focus = clinic_shell_grab_focus;

  properties[PROP_SESSION] =
    g_param_spec_object ("session", NULL, NULL,
                         CLINIC_TYPE_SESSION,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));
  properties[PROP_SECTION] =
    g_param_spec_string ("section", NULL, NULL,
                         NULL,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_KIOSK] =
    g_param_spec_boolean ("kiosk", NULL, NULL,
                          FALSE,
                          (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, "/com/example/Clinic/ui/clinic-shell.ui");
  gtk_widget_class_bind_template_child (widget_class, ClinicShell, menu_button);
  gtk_widget_class_bind_template_child (widget_class, ClinicShell, sidebar_list);
  gtk_widget_class_bind_template_child (widget_class, ClinicShell, stack);
  gtk_widget_class_bind_template_child (widget_class, ClinicShell, done_button);
  gtk_widget_class_bind_template_child (widget_class, ClinicShell, kiosk_section);
  gtk_widget_class_bind_template_callback (widget_class, on_row_activated);

  gtk_widget_class_install_action (widget_class, "shell.show-index", "i",
                                   clinic_shell_show_index);
  gtk_widget_class_install_action (widget_class, "shell.back", NULL,
                                   clinic_shell_back);
  for (int i = 0; i < 9; i++)
    gtk_widget_class_add_binding_action (widget_class, GDK_KEY_1 + i, GDK_CONTROL_MASK,
                                         "shell.show-index", "i", i);
}

static void
clinic_shell_init (ClinicShell *self)
{
  GtkWidget *sidebar;

  self->shown = g_ptr_array_new ();
  gtk_widget_init_template (GTK_WIDGET (self));

  self->leaflet = ADW_LEAFLET (adw_bin_get_child (ADW_BIN (self)));
  sidebar = adw_leaflet_get_child_by_name (self->leaflet, "sidebar");
  self->content = adw_leaflet_get_child_by_name (self->leaflet, "content");
  self->user_title = ADW_WINDOW_TITLE (adw_header_bar_get_title_widget (
    ADW_HEADER_BAR (gtk_widget_get_first_child (sidebar))));
  self->section_title = ADW_WINDOW_TITLE (adw_header_bar_get_title_widget (
    ADW_HEADER_BAR (gtk_widget_get_first_child (self->content))));
}
