/* clinic-merge-dialog.c — merging a duplicate patient record */

#include "config.h"

#include <glib/gi18n.h>

#include "clinic-app-utils.h"
#include "clinic-merge-dialog.h"
#include "clinic-patient-documents.h"
#include "clinic-patient-merge.h"

#define CANDIDATE_LIMIT 20

struct _ClinicMergeDialog
{
  AdwWindow            parent_instance;

  AdwWindowTitle      *window_title;
  GtkStack            *stack;
  GtkLabel            *pick_label;
  GtkSearchEntry      *search_entry;
  GtkListBox          *candidates;
  GtkGrid             *compare_grid;
  AdwPreferencesGroup *moves_group;
  GtkLabel            *fills_label;
  GtkLabel            *blocker_label;

  ClinicSession       *session;
  ClinicPatient       *keep;
  ClinicMergePreview  *preview;
  GPtrArray           *move_rows;   /* rows added to moves_group */
};

G_DEFINE_FINAL_TYPE (ClinicMergeDialog, clinic_merge_dialog, ADW_TYPE_WINDOW)

enum { MERGED, N_SIGNALS };
static guint signals[N_SIGNALS];

static char *
patient_name (const ClinicPatient *p)
{
  /* Translators: a patient: family name, given names */
  return g_strdup_printf (_("%s, %s"), p->family_name, p->given_names);
}

static char *
patient_details (const ClinicPatient *p)
{
  if (p->merged_into != NULL)
    /* Translators: a record merged into another: date of birth, chart numbers */
    return g_strdup_printf (_("Born %s · Chart %s · merged into %s"), p->birth_date, p->chart_number,
                            p->merged_into);
  /* Translators: a patient's date of birth and chart number */
  return g_strdup_printf (_("Born %s · Chart %s"), p->birth_date, p->chart_number);
}

static void
show_error (ClinicMergeDialog *self,
            const char        *message)
{
  gtk_label_set_text (self->blocker_label, message ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->blocker_label), message != NULL);
}

/* --- Picking the other record ------------------------------------------- */

static void
add_candidate (ClinicMergeDialog   *self,
               const ClinicPatient *p)
{
  GtkWidget *row;
  g_autofree char *name = NULL;
  g_autofree char *details = NULL;

  /* Neither the record itself nor one merged already can be chosen. */
  if (p->id == self->keep->id || p->merged_into != NULL)
    return;
  name = patient_name (p);
  details = patient_details (p);
  row = adw_action_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), name);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), details);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), clinic_patient_avatar_new (self->session, p, 32));
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), gtk_image_new_from_icon_name ("go-next-symbolic"));
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
  g_object_set_data_full (G_OBJECT (row), "patient-id", g_memdup2 (&p->id, sizeof p->id), g_free);
  gtk_list_box_append (self->candidates, row);
}

static void
fill_candidates (ClinicMergeDialog *self,
                 GPtrArray         *patients)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->candidates))) != NULL)
    gtk_list_box_remove (self->candidates, child);
  for (guint i = 0; patients != NULL && i < patients->len; i++)
    add_candidate (self, g_ptr_array_index (patients, i));
}

void
clinic_merge_dialog_search (ClinicMergeDialog *self,
                            const char        *query)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) found = NULL;
  ClinicPatientFilter filter;

  g_return_if_fail (CLINIC_IS_MERGE_DIALOG (self));

  if (query == NULL || *query == '\0')
    /* Nothing typed: the records that look like this one. */
    found = clinic_patients_find_duplicates (self->session, self->keep, &error);
  else
    {
      clinic_patient_filter_init (&filter);
      filter.include_inactive = TRUE;
      found = clinic_patients_search (self->session, query, &filter, 0, CANDIDATE_LIMIT, NULL, &error);
    }
  fill_candidates (self, found);
  if (error != NULL)
    gtk_label_set_text (self->pick_label, error->message);
}

static void
on_search_changed (ClinicMergeDialog *self)
{
  clinic_merge_dialog_search (self, gtk_editable_get_text (GTK_EDITABLE (self->search_entry)));
}

GtkListBox *
clinic_merge_dialog_get_candidates (ClinicMergeDialog *self)
{
  g_return_val_if_fail (CLINIC_IS_MERGE_DIALOG (self), NULL);

  return self->candidates;
}

/* --- The preview ---------------------------------------------------------- */

static void
grid_text (ClinicMergeDialog *self,
           int                column,
           int                row,
           const char        *text,
           gboolean           heading)
{
  GtkWidget *label = gtk_label_new (text && *text ? text : "—");

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_widget_set_hexpand (label, column > 0);
  gtk_widget_add_css_class (label, heading ? "heading" : column == 0 ? "dim-label" : "body");
  gtk_grid_attach (self->compare_grid, label, column, row, 1, 1);
}

/* Both records side by side: what a person checks to be sure they are one
 * person (name, date of birth) and which chart is which. */
static void
show_compare (ClinicMergeDialog *self)
{
  const ClinicPatient *keep = self->preview->keep;
  const ClinicPatient *merge = self->preview->merge;
  g_autofree char *keep_name = patient_name (keep);
  g_autofree char *merge_name = patient_name (merge);
  const struct { const char *label; const char *keep; const char *merge; } rows[] = {
    { _("Name"), keep_name, merge_name },
    { _("Date of birth"), keep->birth_date, merge->birth_date },
    { _("Chart number"), keep->chart_number, merge->chart_number },
    { _("Phone"), keep->phone, merge->phone },
    { _("Email"), keep->email, merge->email },
    { _("Address"), keep->address, merge->address },
  };
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->compare_grid))) != NULL)
    gtk_grid_remove (self->compare_grid, child);
  grid_text (self, 1, 0, _("Kept"), TRUE);
  grid_text (self, 2, 0, _("Merged away"), TRUE);
  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      grid_text (self, 0, i + 1, rows[i].label, FALSE);
      grid_text (self, 1, i + 1, rows[i].keep, FALSE);
      grid_text (self, 2, i + 1, rows[i].merge, FALSE);
    }
}

static void
add_move_row (ClinicMergeDialog *self,
              const char        *title,
              const char        *subtitle)
{
  GtkWidget *row = adw_action_row_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  adw_preferences_group_add (self->moves_group, row);
  g_ptr_array_add (self->move_rows, row);
}

static void
show_moves (ClinicMergeDialog *self)
{
  g_autoptr(GString) fills = g_string_new (NULL);

  for (guint i = 0; i < self->move_rows->len; i++)
    adw_preferences_group_remove (self->moves_group, g_ptr_array_index (self->move_rows, i));
  g_ptr_array_set_size (self->move_rows, 0);

  for (guint i = 0; i < self->preview->links->len; i++)
    {
      ClinicMergeLink *link = g_ptr_array_index (self->preview->links, i);
      g_autofree char *count = NULL;

      if (link->conflict)
        add_move_row (self, link->label, _("Both records have one: settle which is right first"));
      else if (link->count > 0)
        {
          count = g_strdup_printf (ngettext ("%d record", "%d records", (gulong) link->count), (int) link->count);
          add_move_row (self, link->label, count);
        }
    }
  if (self->move_rows->len == 0)
    add_move_row (self, _("Nothing else"), _("No visits, documents or other records are linked to the record merged away."));

  for (guint i = 0; i < self->preview->fields->len; i++)
    {
      ClinicMergeField *field = g_ptr_array_index (self->preview->fields, i);

      if (field->fill)
        g_string_append_printf (fills, "%s%s", fills->len > 0 ? ", " : "", field->label);
    }
  if (fills->len > 0)
    {
      /* Translators: the fields copied to the record kept, e.g. "Phone, Email" */
      g_autofree char *text = g_strdup_printf (_("Empty on the record kept, so copied from the other: %s. Nothing is overwritten."),
                                               fills->str);
      gtk_label_set_text (self->fills_label, text);
    }
  else
    gtk_label_set_text (self->fills_label, _("No field is copied: the record kept keeps all its details."));
}

static void
update_actions (ClinicMergeDialog *self)
{
  gboolean previewing = self->preview != NULL;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "merge.back", previewing);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "merge.swap", previewing);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "merge.confirm",
                                 previewing && self->preview->blocker == NULL);
}

static gboolean
show_preview (ClinicMergeDialog *self,
              gint64             keep_id,
              gint64             merge_id)
{
  g_autoptr(GError) error = NULL;
  ClinicMergePreview *preview = clinic_patients_merge_preview (self->session, keep_id, merge_id, &error);

  if (preview == NULL)
    {
      gtk_label_set_text (self->pick_label, error->message);
      return FALSE;
    }
  g_clear_pointer (&self->preview, clinic_merge_preview_free);
  self->preview = preview;
  show_compare (self);
  show_moves (self);
  show_error (self, preview->blocker);
  {
    g_autofree char *subtitle = g_strdup_printf (_("Chart %s into chart %s"), preview->merge->chart_number,
                                                 preview->keep->chart_number);
    adw_window_title_set_subtitle (self->window_title, subtitle);
  }
  gtk_stack_set_visible_child_name (self->stack, "preview");
  update_actions (self);
  return TRUE;
}

gboolean
clinic_merge_dialog_choose (ClinicMergeDialog *self,
                            gint64             merge_id)
{
  g_return_val_if_fail (CLINIC_IS_MERGE_DIALOG (self), FALSE);

  return show_preview (self, self->keep->id, merge_id);
}

static void
on_candidate_activated (ClinicMergeDialog *self,
                        GtkListBoxRow     *row)
{
  gint64 *id = g_object_get_data (G_OBJECT (row), "patient-id");

  if (id != NULL)
    clinic_merge_dialog_choose (self, *id);
}

static void
back_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  ClinicMergeDialog *self = CLINIC_MERGE_DIALOG (widget);

  g_clear_pointer (&self->preview, clinic_merge_preview_free);
  adw_window_title_set_subtitle (self->window_title, NULL);
  gtk_stack_set_visible_child_name (self->stack, "pick");
  update_actions (self);
  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}

static void
swap_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  ClinicMergeDialog *self = CLINIC_MERGE_DIALOG (widget);

  if (self->preview != NULL)
    show_preview (self, self->preview->merge->id, self->preview->keep->id);
}

static void
confirm_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  ClinicMergeDialog *self = CLINIC_MERGE_DIALOG (widget);
  g_autoptr(GError) error = NULL;
  gint64 keep_id, merge_id, moved;

  if (self->preview == NULL)
    return;
  keep_id = self->preview->keep->id;
  merge_id = self->preview->merge->id;
  moved = clinic_merge_preview_count_moved (self->preview);
  if (!clinic_patients_merge (self->session, keep_id, merge_id, &error))
    {
      show_error (self, error->message);
      return;
    }
  g_signal_emit (self, signals[MERGED], 0, keep_id, merge_id, moved);
  gtk_window_destroy (GTK_WINDOW (self));
}

/* --- Life ----------------------------------------------------------------- */

ClinicMergeDialog *
clinic_merge_dialog_new (GtkWindow           *parent,
                         ClinicSession       *session,
                         const ClinicPatient *keep)
{
  ClinicMergeDialog *self;
  g_autofree char *name = NULL;
  g_autofree char *details = NULL;
  g_autofree char *text = NULL;

  g_return_val_if_fail (CLINIC_IS_SESSION (session), NULL);
  g_return_val_if_fail (keep != NULL, NULL);

  self = g_object_new (CLINIC_TYPE_MERGE_DIALOG, "transient-for", parent, NULL);
  self->session = g_object_ref (session);
  self->keep = clinic_patient_copy (keep);
  name = patient_name (keep);
  details = patient_details (keep);
  /* Translators: %s is a patient's name, then date of birth and chart number */
  text = g_strdup_printf (_("Choose the other record of %s (%s). Its visits, documents and other records move "
                            "to this record; the other record stays, inactive, marked as merged."),
                          name, details);
  gtk_label_set_text (self->pick_label, text);
  clinic_merge_dialog_search (self, NULL);
  return self;
}

static void
clinic_merge_dialog_dispose (GObject *object)
{
  ClinicMergeDialog *self = CLINIC_MERGE_DIALOG (object);

  gtk_widget_dispose_template (GTK_WIDGET (object), CLINIC_TYPE_MERGE_DIALOG);
  g_clear_object (&self->session);
  g_clear_pointer (&self->keep, clinic_patient_free);
  g_clear_pointer (&self->preview, clinic_merge_preview_free);
  g_clear_pointer (&self->move_rows, g_ptr_array_unref);

  G_OBJECT_CLASS (clinic_merge_dialog_parent_class)->dispose (object);
}

static void
clinic_merge_dialog_class_init (ClinicMergeDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  clinic_ensure_resources ();

  object_class->dispose = clinic_merge_dialog_dispose;

  signals[MERGED] = g_signal_new ("merged", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                  G_TYPE_NONE, 3, G_TYPE_INT64, G_TYPE_INT64, G_TYPE_INT64);

  gtk_widget_class_set_template_from_resource (widget_class, "/com/example/Clinic/ui/clinic-merge-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, ClinicMergeDialog, window_title);
  gtk_widget_class_bind_template_child (widget_class, ClinicMergeDialog, stack);
  gtk_widget_class_bind_template_child (widget_class, ClinicMergeDialog, pick_label);
  gtk_widget_class_bind_template_child (widget_class, ClinicMergeDialog, search_entry);
  gtk_widget_class_bind_template_child (widget_class, ClinicMergeDialog, candidates);
  gtk_widget_class_bind_template_child (widget_class, ClinicMergeDialog, compare_grid);
  gtk_widget_class_bind_template_child (widget_class, ClinicMergeDialog, moves_group);
  gtk_widget_class_bind_template_child (widget_class, ClinicMergeDialog, fills_label);
  gtk_widget_class_bind_template_child (widget_class, ClinicMergeDialog, blocker_label);
  gtk_widget_class_bind_template_callback (widget_class, on_search_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_candidate_activated);

  gtk_widget_class_install_action (widget_class, "merge.back", NULL, back_action);
  gtk_widget_class_install_action (widget_class, "merge.swap", NULL, swap_action);
  gtk_widget_class_install_action (widget_class, "merge.confirm", NULL, confirm_action);
}

static void
clinic_merge_dialog_init (ClinicMergeDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->move_rows = g_ptr_array_new ();
  update_actions (self);
  clinic_window_close_on_escape (GTK_WINDOW (self));
}
