/* clinic-patients-section.c — the patient registry */

#include "config.h"

#include <glib/gi18n.h>

#include "clinic-app-utils.h"
#include "clinic-chart-window.h"
#include "clinic-merge-dialog.h"
#include "clinic-registration.h"
#include "clinic-registrations-window.h"
#include "clinic-patient-documents.h"
#include "clinic-patient-form.h"
#include "clinic-patient-import.h"
#include "clinic-patient-model.h"
#include "clinic-patients-section.h"
#include "clinic-schedule.h"

typedef enum
{
  COLUMN_NAME,
  COLUMN_AGE,
  COLUMN_PHONE,
  COLUMN_TREATMENT,
  COLUMN_BIRTH_DATE,
  COLUMN_CHART_NUMBER,
  COLUMN_LAST_VISIT,
  COLUMN_NEXT_VISIT,
  COLUMN_VISIT_TYPE,
} Column;

struct _ClinicPatientsSection
{
  ClinicSection        parent_instance;

  GtkSearchEntry      *search_entry;
  GtkDropDown         *status_dropdown;
  GtkSpinButton       *min_age;
  GtkSpinButton       *max_age;
  GtkEntry            *treatment_entry;
  GtkDropDown         *sort_dropdown;
  GtkToggleButton     *descending_toggle;
  GtkRevealer         *error_revealer;
  GtkLabel            *error_label;
  GtkLabel            *count_label;
  GtkStack            *view_stack;
  GtkColumnView       *column_view;
  GtkWidget           *new_button;
  GtkWidget           *merge_button;
  GtkRevealer         *registrations_revealer;
  GtkLabel            *registrations_label;
  AdwToastOverlay     *toast_overlay;
  GtkWidget           *import_button;
  AdwStatusPage       *empty_page;
  GtkStringList       *sort_list;
  GtkDropDown         *doctor_filter;
  GtkStringList       *doctor_filter_list;
  GtkDropDown         *type_filter;
  GtkStringList       *type_filter_list;

  ClinicPatientModel  *model;
  GtkSingleSelection  *selection;
  gboolean             chart;      /* the session may read the clinical chart */
  /* The visit columns and filters (sessions that may read the schedule): */
  GTimeZone           *tz;
  GPtrArray           *providers;  /* ClinicProvider, after "All doctors" */
  GPtrArray           *types;      /* ClinicVisitType, after "All visit types" */
};

G_DEFINE_FINAL_TYPE (ClinicPatientsSection, clinic_patients_section, CLINIC_TYPE_SECTION)

static char *
cell_text (gpointer  item,
           int       column,
           gpointer  data)
{
  const ClinicPatient *p = clinic_patient_row_get_patient (item);

  if (p == NULL)
    return g_strdup ("…");

  switch ((Column) column)
    {
    case COLUMN_NAME:
      if (p->merged_into != NULL)
        /* Translators: a merged record in the registry: family name, given names, chart number */
        return g_strdup_printf (_("%s, %s (merged into %s)"), p->family_name, p->given_names, p->merged_into);
      if (p->status != CLINIC_PATIENT_ACTIVE)
        /* Translators: a patient in the registry: family name, given names (status) */
        return g_strdup_printf (_("%s, %s (%s)"), p->family_name, p->given_names,
                                p->status == CLINIC_PATIENT_DECEASED ? _("deceased") : _("inactive"));
      /* Translators: a patient in the registry: family name, given names */
      return g_strdup_printf (_("%s, %s"), p->family_name, p->given_names);
    case COLUMN_AGE:
      return g_strdup_printf ("%d", clinic_patient_age (p, NULL));
    case COLUMN_PHONE:
      return g_strdup (p->phone);
    case COLUMN_TREATMENT:
      return g_strdup (p->treatment);
    case COLUMN_BIRTH_DATE:
      return g_strdup (p->birth_date);
    case COLUMN_CHART_NUMBER:
      return g_strdup (p->chart_number);
    case COLUMN_LAST_VISIT:
    case COLUMN_NEXT_VISIT:
      {
        ClinicPatientsSection *self = data;
        gint64 t = column == COLUMN_LAST_VISIT ? p->last_visit : p->next_visit;
        g_autofree char *text = NULL;

        if (t == 0 || self->tz == NULL)
          return g_strdup ("");
        text = clinic_format_local_time (self->tz, t);
        /* The last visit by its day; the next one with its time. */
        return column == COLUMN_LAST_VISIT ? g_strndup (text, 10) : g_steal_pointer (&text);
      }
    case COLUMN_VISIT_TYPE:
      return g_strdup (p->visit_type != NULL ? p->visit_type : "");
    default:
      return NULL;
    }
}

static void
add_column (ClinicPatientsSection *self,
            Column                 column,
            const char            *title,
            gboolean               expand)
{
  clinic_column_view_add_text_column (self->column_view, title, column, expand, column == COLUMN_TREATMENT,
                                      cell_text, self);
}

/* The photo beside the name (initials without one): the wrong-patient
 * check at a glance. */
static void
photo_cell_setup (GtkSignalListItemFactory *factory,
                  GtkListItem              *item,
                  gpointer                  data)
{
  gtk_list_item_set_child (item, clinic_patient_avatar_new (NULL, NULL, 24));
}

static void
photo_cell_bind (GtkSignalListItemFactory *factory,
                 GtkListItem              *item,
                 ClinicPatientsSection    *self)
{
  gpointer row = gtk_list_item_get_item (item);

  clinic_patient_avatar_update (gtk_list_item_get_child (item),
                                clinic_section_get_session (CLINIC_SECTION (self)),
                                row != NULL ? clinic_patient_row_get_patient (row) : NULL);
}

static void
add_photo_column (ClinicPatientsSection *self)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
  g_autoptr(GtkColumnViewColumn) column = NULL;

  g_signal_connect (factory, "setup", G_CALLBACK (photo_cell_setup), NULL);
  g_signal_connect_object (factory, "bind", G_CALLBACK (photo_cell_bind), self, 0);
  column = gtk_column_view_column_new (_("Photo"), factory);
  gtk_column_view_column_set_fixed_width (column, 56);
  gtk_column_view_append_column (self->column_view, column);
}

static void
read_filter (ClinicPatientsSection *self,
             ClinicPatientFilter   *filter)
{
  static const ClinicPatientSort sorts[] = {
    CLINIC_PATIENT_SORT_RELEVANCE, CLINIC_PATIENT_SORT_NAME, CLINIC_PATIENT_SORT_AGE,
    CLINIC_PATIENT_SORT_BIRTH_DATE, CLINIC_PATIENT_SORT_PHONE, CLINIC_PATIENT_SORT_CHART_NUMBER,
    CLINIC_PATIENT_SORT_TREATMENT,
  };
  guint status = gtk_drop_down_get_selected (self->status_dropdown);
  guint sort = gtk_drop_down_get_selected (self->sort_dropdown);
  int min = gtk_spin_button_get_value_as_int (self->min_age);
  int max = gtk_spin_button_get_value_as_int (self->max_age);
  const char *treatment = gtk_editable_get_text (GTK_EDITABLE (self->treatment_entry));

  clinic_patient_filter_init (filter);
  filter->include_inactive = status >= 1;
  filter->include_deceased = status >= 2;
  filter->min_age = min > 0 ? min : -1;
  filter->max_age = max < 130 ? max : -1;
  filter->treatment = self->chart && *treatment != '\0' ? treatment : NULL;
  filter->sort = sort < G_N_ELEMENTS (sorts) ? sorts[sort] : CLINIC_PATIENT_SORT_RELEVANCE;
  filter->descending = gtk_toggle_button_get_active (self->descending_toggle);
  if (self->providers != NULL)
    {
      guint doctor = gtk_drop_down_get_selected (self->doctor_filter);
      guint type = gtk_drop_down_get_selected (self->type_filter);

      /* The first entries are "All doctors" and "All visit types". */
      if (doctor != GTK_INVALID_LIST_POSITION && doctor > 0 && doctor <= self->providers->len)
        filter->provider_id = ((ClinicProvider *) g_ptr_array_index (self->providers, doctor - 1))->user_id;
      if (type != GTK_INVALID_LIST_POSITION && type > 0 && type <= self->types->len)
        filter->visit_type_id = ((ClinicVisitType *) g_ptr_array_index (self->types, type - 1))->id;
    }
}

static void
update_count (ClinicPatientsSection *self)
{
  gboolean more = FALSE;
  guint n = clinic_patient_model_get_count (self->model, &more);
  g_autofree char *text = NULL;

  if (more)
    /* Translators: the registry found more patients than it counted */
    text = g_strdup_printf (_("More than %u patients"), n);
  else
    text = g_strdup_printf (ngettext ("%u patient", "%u patients", n), n);
  gtk_label_set_text (self->count_label, text);
  gtk_stack_set_visible_child_name (self->view_stack, n > 0 ? "list" : "empty");
  if (n == 0)
    {
      ClinicPatientFilter filter;
      gboolean searching;

      read_filter (self, &filter);
      searching = *gtk_editable_get_text (GTK_EDITABLE (self->search_entry)) != '\0'
                  || filter.min_age >= 0 || filter.max_age >= 0 || filter.treatment != NULL
                  || filter.provider_id != 0 || filter.visit_type_id != 0;
      adw_status_page_set_icon_name (self->empty_page, searching ? "edit-find-symbolic"
                                                                 : "x-office-address-book-symbolic");
      adw_status_page_set_title (self->empty_page, searching ? _("No Patients Found") : _("No Patients Yet"));
      adw_status_page_set_description (self->empty_page,
                                       searching ? _("Try part of a name, three or more digits of a phone number, a chart number or a date of birth.")
                                                 : _("Registered patients are listed here."));
    }
}

static void
run_search (ClinicPatientsSection *self)
{
  g_autoptr(GError) error = NULL;
  ClinicPatientFilter filter;

  if (self->model == NULL)
    return;
  read_filter (self, &filter);
  clinic_patient_model_search (self->model, gtk_editable_get_text (GTK_EDITABLE (self->search_entry)),
                               &filter, &error);
  clinic_section_show_error (self->error_revealer, self->error_label, error);
  update_count (self);
}

static void
on_search_changed (ClinicPatientsSection *self)
{
  run_search (self);
}

static void
on_filter_changed (ClinicPatientsSection *self)
{
  run_search (self);
}

GtkWindow *
clinic_patients_section_open_chart (ClinicPatientsSection *self,
                                    guint                  position)
{
  g_autoptr(ClinicPatientRow) row = NULL;
  g_autoptr(ClinicPatient) patient = NULL;
  g_autoptr(GError) error = NULL;
  const ClinicPatient *listed;
  GtkWindow *window;

  g_return_val_if_fail (CLINIC_IS_PATIENTS_SECTION (self), NULL);

  row = g_list_model_get_item (G_LIST_MODEL (self->model), position);
  listed = row ? clinic_patient_row_get_patient (row) : NULL;
  if (listed == NULL)
    return NULL;

  /* Read again: opening a chart is an event of its own in the audit trail. */
  patient = clinic_patients_get (clinic_section_get_session (CLINIC_SECTION (self)), listed->id, &error);
  clinic_section_show_error (self->error_revealer, self->error_label, error);
  if (patient == NULL)
    return NULL;

  window = GTK_WINDOW (clinic_chart_window_new (GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))),
                                                clinic_section_get_session (CLINIC_SECTION (self)),
                                                patient));
  gtk_window_present (window);
  return window;
}

static void
on_row_activate (ClinicPatientsSection *self,
                 guint                  position)
{
  clinic_patients_section_open_chart (self, position);
}

static void
on_search_activate (ClinicPatientsSection *self)
{
  guint position = gtk_single_selection_get_selected (self->selection);

  if (position != GTK_INVALID_LIST_POSITION)
    clinic_patients_section_open_chart (self, position);
}

/* Down from the search box goes to the list; typing in the list goes
 * back to the search box (the key capture below). */
static gboolean
on_search_key (GtkEventControllerKey *controller,
               guint                  keyval,
               guint                  keycode,
               GdkModifierType        state,
               ClinicPatientsSection *self)
{
  if (keyval != GDK_KEY_Down && keyval != GDK_KEY_KP_Down)
    return FALSE;
  if (g_list_model_get_n_items (G_LIST_MODEL (self->model)) == 0)
    return FALSE;
  gtk_widget_grab_focus (GTK_WIDGET (self->column_view));
  return TRUE;
}

static void
on_registered (ClinicPatientForm     *form,
               gint64                 id,
               ClinicPatientsSection *self)
{
  g_autoptr(ClinicPatient) p = clinic_patients_get (clinic_section_get_session (CLINIC_SECTION (self)), id, NULL);

  /* The new patient, found by chart number. */
  if (p != NULL)
    clinic_patients_section_search (self, p->chart_number);
}

GtkWindow *
clinic_patients_section_new_patient (ClinicPatientsSection *self)
{
  GtkWidget *root = gtk_widget_get_ancestor (GTK_WIDGET (self), GTK_TYPE_WINDOW);
  ClinicPatientForm *form;

  g_return_val_if_fail (CLINIC_IS_PATIENTS_SECTION (self), NULL);

  form = clinic_patient_form_new (root ? GTK_WINDOW (root) : NULL, clinic_section_get_session (CLINIC_SECTION (self)));
  g_signal_connect_object (form, "registered", G_CALLBACK (on_registered), self, 0);
  gtk_window_present (GTK_WINDOW (form));
  return GTK_WINDOW (form);
}

static void
on_merged (ClinicMergeDialog     *dialog,
           gint64                 keep_id,
           gint64                 merge_id,
           gint64                 moved,
           ClinicPatientsSection *self)
{
  g_autoptr(ClinicPatient) kept = clinic_patients_get (clinic_section_get_session (CLINIC_SECTION (self)),
                                                       keep_id, NULL);
  g_autofree char *message = NULL;

  if (kept == NULL)
    return;
  /* Translators: a toast after a merge: rows moved, chart number kept */
  message = g_strdup_printf (ngettext ("Duplicate merged: %d record moved to chart %s",
                                       "Duplicate merged: %d records moved to chart %s",
                                       (gulong) moved), (int) moved, kept->chart_number);
  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (message));
  /* The list as it is now: the record kept, the other one gone from it. */
  clinic_patients_section_search (self, kept->chart_number);
}

GtkWindow *
clinic_patients_section_merge_duplicate (ClinicPatientsSection *self)
{
  GtkWidget *root = gtk_widget_get_ancestor (GTK_WIDGET (self), GTK_TYPE_WINDOW);
  g_autoptr(ClinicPatientRow) row = NULL;
  const ClinicPatient *listed;
  ClinicMergeDialog *dialog;
  guint position;

  g_return_val_if_fail (CLINIC_IS_PATIENTS_SECTION (self), NULL);

  position = gtk_single_selection_get_selected (self->selection);
  if (position == GTK_INVALID_LIST_POSITION)
    return NULL;
  row = g_list_model_get_item (G_LIST_MODEL (self->model), position);
  listed = row ? clinic_patient_row_get_patient (row) : NULL;
  if (listed == NULL)
    return NULL;

  dialog = clinic_merge_dialog_new (root ? GTK_WINDOW (root) : NULL,
                                    clinic_section_get_session (CLINIC_SECTION (self)), listed);
  g_signal_connect_object (dialog, "merged", G_CALLBACK (on_merged), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
  return GTK_WINDOW (dialog);
}

static void
merge_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  clinic_patients_section_merge_duplicate (CLINIC_PATIENTS_SECTION (widget));
}

static void
new_patient_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  clinic_patients_section_new_patient (CLINIC_PATIENTS_SECTION (widget));
}

static void
on_imported (ClinicPatientImport   *dialog,
             guint                  count,
             ClinicPatientsSection *self)
{
  /* The registry shows the newcomers at once. */
  run_search (self);
}

GtkWindow *
clinic_patients_section_import (ClinicPatientsSection *self)
{
  GtkWidget *root = gtk_widget_get_ancestor (GTK_WIDGET (self), GTK_TYPE_WINDOW);
  ClinicPatientImport *dialog;

  g_return_val_if_fail (CLINIC_IS_PATIENTS_SECTION (self), NULL);

  dialog = clinic_patient_import_new (root ? GTK_WINDOW (root) : NULL,
                                      clinic_section_get_session (CLINIC_SECTION (self)));
  g_signal_connect_object (dialog, "imported", G_CALLBACK (on_imported), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
  return GTK_WINDOW (dialog);
}

static void
import_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  clinic_patients_section_import (CLINIC_PATIENTS_SECTION (widget));
}

GListModel *
clinic_patients_section_get_model (ClinicPatientsSection *self)
{
  g_return_val_if_fail (CLINIC_IS_PATIENTS_SECTION (self), NULL);

  return G_LIST_MODEL (self->model);
}

void
clinic_patients_section_search (ClinicPatientsSection *self,
                                const char            *query)
{
  g_return_if_fail (CLINIC_IS_PATIENTS_SECTION (self));

  /* Blocks the delayed signal: the search runs once, now. */
  g_signal_handlers_block_by_func (self->search_entry, on_search_changed, self);
  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), query);
  g_signal_handlers_unblock_by_func (self->search_entry, on_search_changed, self);
  run_search (self);
}

/* "N registrations waiting" from the kiosk, for those who may confirm
 * them; a count reads no patient. */
static void
update_registrations (ClinicPatientsSection *self)
{
  ClinicSession *session = clinic_section_get_session (CLINIC_SECTION (self));
  g_autofree char *text = NULL;
  guint n = 0;

  if (!clinic_session_has_permission (session, CLINIC_PERMISSION_PATIENTS_CONTACT_WRITE) ||
      clinic_session_get_kind (session) != CLINIC_USER_STAFF ||
      !clinic_registrations_count_pending (session, &n, NULL))
    n = 0;

  text = g_strdup_printf (ngettext ("%u registration from the kiosk is waiting for confirmation.",
                                    "%u registrations from the kiosk are waiting for confirmation.", n),
                          n);
  gtk_label_set_text (self->registrations_label, text);
  gtk_revealer_set_reveal_child (self->registrations_revealer, n > 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "patients.registrations", n > 0);
}

static void
on_registrations_changed (ClinicPatientsSection *self)
{
  update_registrations (self);
  run_search (self);
}

static void
registrations_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  ClinicPatientsSection *self = CLINIC_PATIENTS_SECTION (widget);
  GtkRoot *root = gtk_widget_get_root (widget);
  GtkWidget *window;

  window = clinic_registrations_window_new (root ? GTK_WINDOW (root) : NULL,
                                            clinic_section_get_session (CLINIC_SECTION (self)));
  g_signal_connect_object (window, "changed", G_CALLBACK (on_registrations_changed), self,
                           G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (window));
}

static void
clinic_patients_section_session_set (ClinicSection *section)
{
  ClinicPatientsSection *self = CLINIC_PATIENTS_SECTION (section);
  ClinicSession *session = clinic_section_get_session (section);

  self->chart = clinic_session_has_permission (session, CLINIC_PERMISSION_CHART_READ);
  gtk_widget_set_visible (GTK_WIDGET (self->treatment_entry), self->chart);
  /* The core refuses a registration without the permission; the button
   * is not offered either. */
  gtk_widget_set_visible (self->new_button,
                          clinic_session_has_permission (session, CLINIC_PERMISSION_PATIENTS_CONTACT_WRITE));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "patients.new",
                                 clinic_session_has_permission (session, CLINIC_PERMISSION_PATIENTS_CONTACT_WRITE));
  gtk_widget_set_visible (self->merge_button,
                          clinic_session_has_permission (session, CLINIC_PERMISSION_PATIENTS_MERGE));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "patients.merge",
                                 clinic_session_has_permission (session, CLINIC_PERMISSION_PATIENTS_MERGE));
  /* The same for an import, which registers patients too. */
  gtk_widget_set_visible (self->import_button,
                          clinic_session_has_permission (session, CLINIC_PERMISSION_PATIENTS_CONTACT_WRITE));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "patients.import",
                                 clinic_session_has_permission (session, CLINIC_PERMISSION_PATIENTS_CONTACT_WRITE));
  /* Sorting by the treatment plan would show its order to those who may
   * not read it (the core sorts by name instead); the choice goes. */
  if (!self->chart)
    gtk_string_list_remove (self->sort_list, CLINIC_PATIENT_SORT_TREATMENT);

  /* The visit columns and filters need the schedule; without it (a
   * records clerk) they are not offered. */
  self->providers = clinic_providers_list (session, FALSE, NULL);
  self->types = self->providers != NULL ? clinic_visit_types_list (session, FALSE, NULL) : NULL;
  if (self->types == NULL)
    g_clear_pointer (&self->providers, g_ptr_array_unref);
  if (self->providers != NULL)
    {
      self->tz = clinic_schedule_get_timezone (clinic_session_get_db (session));
      gtk_string_list_append (self->doctor_filter_list, _("All doctors"));
      for (guint i = 0; i < self->providers->len; i++)
        gtk_string_list_append (self->doctor_filter_list,
                                ((ClinicProvider *) g_ptr_array_index (self->providers, i))->display_name);
      gtk_string_list_append (self->type_filter_list, _("All visit types"));
      for (guint i = 0; i < self->types->len; i++)
        gtk_string_list_append (self->type_filter_list,
                                ((ClinicVisitType *) g_ptr_array_index (self->types, i))->name);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->doctor_filter), self->providers != NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->type_filter), self->providers != NULL);

  self->model = clinic_patient_model_new (session);
  /* The count grows as the view nears the end of what was counted. */
  g_signal_connect_object (self->model, "notify::n-items", G_CALLBACK (update_count), self,
                           G_CONNECT_SWAPPED);
  self->selection = gtk_single_selection_new (g_object_ref (G_LIST_MODEL (self->model)));
  gtk_single_selection_set_autoselect (self->selection, TRUE);
  gtk_column_view_set_model (self->column_view, GTK_SELECTION_MODEL (self->selection));

  add_photo_column (self);
  add_column (self, COLUMN_NAME, _("Name"), TRUE);
  add_column (self, COLUMN_AGE, _("Age"), FALSE);
  add_column (self, COLUMN_PHONE, _("Phone"), FALSE);
  if (self->chart)
    add_column (self, COLUMN_TREATMENT, _("Treatment"), TRUE);
  add_column (self, COLUMN_BIRTH_DATE, _("Date of Birth"), FALSE);
  add_column (self, COLUMN_CHART_NUMBER, _("Chart No."), FALSE);
  if (self->providers != NULL)
    {
      add_column (self, COLUMN_LAST_VISIT, _("Last Visit"), FALSE);
      add_column (self, COLUMN_NEXT_VISIT, _("Next Visit"), FALSE);
      add_column (self, COLUMN_VISIT_TYPE, _("Visit Type"), FALSE);
    }

  update_registrations (self);
  run_search (self);
}

static void
clinic_patients_section_map (GtkWidget *widget)
{
  ClinicPatientsSection *self = CLINIC_PATIENTS_SECTION (widget);

  GTK_WIDGET_CLASS (clinic_patients_section_parent_class)->map (widget);
  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}

static void
clinic_patients_section_dispose (GObject *object)
{
  ClinicPatientsSection *self = CLINIC_PATIENTS_SECTION (object);

  gtk_widget_dispose_template (GTK_WIDGET (object), CLINIC_TYPE_PATIENTS_SECTION);
  g_clear_object (&self->selection);
  g_clear_object (&self->model);
  g_clear_pointer (&self->providers, g_ptr_array_unref);
  g_clear_pointer (&self->types, g_ptr_array_unref);
  g_clear_pointer (&self->tz, g_time_zone_unref);

  G_OBJECT_CLASS (clinic_patients_section_parent_class)->dispose (object);
}

static void
clinic_patients_section_class_init (ClinicPatientsSectionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  clinic_ensure_resources ();

  object_class->dispose = clinic_patients_section_dispose;
  widget_class->map = clinic_patients_section_map;
  CLINIC_SECTION_CLASS (klass)->session_set = clinic_patients_section_session_set;

  gtk_widget_class_set_template_from_resource (widget_class, "/com/example/Clinic/ui/clinic-patients-section.ui");
  gtk_widget_class_bind_template_child (widget_class, ClinicPatientsSection, search_entry);
  gtk_widget_class_bind_template_child (widget_class, ClinicPatientsSection, status_dropdown);
  gtk_widget_class_bind_template_child (widget_class, ClinicPatientsSection, min_age);
  gtk_widget_class_bind_template_child (widget_class, ClinicPatientsSection, max_age);
  gtk_widget_class_bind_template_child (widget_class, ClinicPatientsSection, treatment_entry);
  gtk_widget_class_bind_template_child (widget_class, ClinicPatientsSection, sort_dropdown);
  gtk_widget_class_bind_template_child (widget_class, ClinicPatientsSection, descending_toggle);
  gtk_widget_class_bind_template_child (widget_class, ClinicPatientsSection, error_revealer);
  gtk_widget_class_bind_template_child (widget_class, ClinicPatientsSection, error_label);
  gtk_widget_class_bind_template_child (widget_class, ClinicPatientsSection, count_label);
  gtk_widget_class_bind_template_child (widget_class, ClinicPatientsSection, view_stack);
  gtk_widget_class_bind_template_child (widget_class, ClinicPatientsSection, column_view);
  gtk_widget_class_bind_template_child (widget_class, ClinicPatientsSection, empty_page);
  gtk_widget_class_bind_template_child (widget_class, ClinicPatientsSection, new_button);
  gtk_widget_class_bind_template_child (widget_class, ClinicPatientsSection, merge_button);
  gtk_widget_class_bind_template_child (widget_class, ClinicPatientsSection, registrations_revealer);
  gtk_widget_class_bind_template_child (widget_class, ClinicPatientsSection, registrations_label);
  gtk_widget_class_bind_template_child (widget_class, ClinicPatientsSection, import_button);
  gtk_widget_class_bind_template_child (widget_class, ClinicPatientsSection, sort_list);
  gtk_widget_class_bind_template_child (widget_class, ClinicPatientsSection, doctor_filter);
  gtk_widget_class_bind_template_child (widget_class, ClinicPatientsSection, doctor_filter_list);
  gtk_widget_class_bind_template_child (widget_class, ClinicPatientsSection, type_filter);
  gtk_widget_class_bind_template_child (widget_class, ClinicPatientsSection, type_filter_list);
  gtk_widget_class_bind_template_callback (widget_class, on_search_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_search_activate);
  gtk_widget_class_bind_template_callback (widget_class, on_filter_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_row_activate);

  gtk_widget_class_install_action (widget_class, "patients.new", NULL, new_patient_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_n, GDK_CONTROL_MASK, "patients.new", NULL);
  gtk_widget_class_install_action (widget_class, "patients.merge", NULL, merge_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_M, GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "patients.merge", NULL);
  gtk_widget_class_install_action (widget_class, "patients.import", NULL, import_action);
  gtk_widget_class_install_action (widget_class, "patients.registrations", NULL, registrations_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_i, GDK_CONTROL_MASK, "patients.import", NULL);
}

static void
clinic_patients_section_init (ClinicPatientsSection *self)
{
  GtkEventController *keys = gtk_event_controller_key_new ();

  gtk_widget_init_template (GTK_WIDGET (self));
  /* The bin's own child (not a template child: AdwBin unparents it). */
  self->toast_overlay = ADW_TOAST_OVERLAY (adw_bin_get_child (ADW_BIN (self)));
  g_signal_connect (keys, "key-pressed", G_CALLBACK (on_search_key), self);
  gtk_widget_add_controller (GTK_WIDGET (self->search_entry), keys);
  /* Type to search, wherever the focus is in the section. */
  gtk_search_entry_set_key_capture_widget (self->search_entry, GTK_WIDGET (self));
}
