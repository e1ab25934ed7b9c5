/* clinic-chart-window.c — one patient's chart */

#include "config.h"

#include <string.h>
#include <glib/gi18n.h>

#include "clinic-app-utils.h"
#include "clinic-chart-window.h"
#include "clinic-chart.h"
#include "clinic-document-preview.h"
#include "clinic-error.h"
#include "clinic-form-window.h"
#include "clinic-documents.h"
#include "clinic-patient-documents.h"
#include "clinic-prescription-sheet.h"
#include "clinic-settings.h"

struct _ClinicChartWindow
{
  AdwWindow             parent_instance;

  AdwToastOverlay      *toasts;
  AdwViewStack         *stack;
  AdwViewSwitcherTitle *switcher_title;
  GtkMenuButton        *menu_button;
  AdwAvatar            *avatar;
  GtkLabel             *name_label;
  GtkLabel             *identity_label;
  GtkLabel             *insurance_badge;
  GtkLabel             *status_badge;
  GtkWidget            *allergy_banner;
  GtkImage             *allergy_icon;
  GtkLabel             *allergy_label;
  GtkRevealer          *error_revealer;
  GtkLabel             *error_label;
  GtkBox               *overview_box;
  GtkBox               *notes_box;
  GtkBox               *prescriptions_box;
  GtkBox               *timeline_box;
  GtkBox               *documents_box;
  GtkWidget            *documents;     /* ClinicPatientDocuments, made on first load */
  AdwViewStackPage     *documents_page;
  AdwViewStackPage     *notes_page;
  AdwViewStackPage     *prescriptions_page;
  AdwViewStackPage     *timeline_page;

  ClinicSession        *session;
  ClinicPatient        *patient;
  ClinicChart          *chart;       /* NULL without CHART_READ */
  GPtrArray            *insurance;   /* ClinicInsurancePolicy */

  gboolean              can_chart;
  gboolean              can_write;
  gboolean              can_prescribe;
  gboolean              can_contact;
};

G_DEFINE_FINAL_TYPE (ClinicChartWindow, clinic_chart_window, ADW_TYPE_WINDOW)

/* --- Small helpers -------------------------------------------------------------- */

static void
show_error (ClinicChartWindow *self,
            const GError      *error)
{
  gtk_label_set_text (self->error_label, error != NULL ? error->message : "");
  gtk_revealer_set_reveal_child (self->error_revealer, error != NULL);
}

static void
toast (ClinicChartWindow *self,
       const char        *text)
{
  clinic_toast_overlay_add (self->toasts, adw_toast_new (text));
}

static void
clear_box (GtkBox *box)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (box))) != NULL)
    gtk_box_remove (box, child);
}

static char *
format_time (gint64 unix_time)
{
  g_autoptr(GDateTime) t = g_date_time_new_from_unix_local (unix_time);

  /* Translators: a date and time in the chart; see g_date_time_format(). */
  return t != NULL ? g_date_time_format (t, _("%Y-%m-%d %H:%M")) : g_strdup ("");
}

static char *
format_cents (gint64 cents)
{
  return g_strdup_printf ("%" G_GINT64_FORMAT ".%02d", cents / 100, (int) (cents % 100));
}

/* "10", "10.5", "10,50" → cents; FALSE for anything else. */
static gboolean
parse_cents (const char *text,
             gint64     *cents)
{
  g_autofree char *t = g_strstrip (g_strdup (text != NULL ? text : ""));
  gint64 whole = 0, frac = 0;
  int frac_digits = 0;
  const char *s = t;

  if (*s == '\0')
    {
      *cents = 0;
      return TRUE;
    }
  for (; g_ascii_isdigit (*s); s++)
    {
      whole = whole * 10 + (*s - '0');
      if (whole > 10000000)
        return FALSE;
    }
  if (*s == '.' || *s == ',')
    for (s++; g_ascii_isdigit (*s) && frac_digits < 2; s++, frac_digits++)
      frac = frac * 10 + (*s - '0');
  if (*s != '\0' || s == t)
    return FALSE;
  if (frac_digits == 1)
    frac *= 10;
  *cents = whole * 100 + frac;
  return TRUE;
}

static GtkWidget *
info_row (const char *title,
          const char *value)
{
  GtkWidget *row = adw_action_row_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row),
                               value != NULL && *value != '\0' ? value : _("Not recorded"));
  gtk_widget_add_css_class (row, "property");
  return row;
}

/* A flat button that runs @callback with @self, the id stored on it. */
static GtkWidget *
row_button (ClinicChartWindow *self,
            const char        *label,
            const char        *accessible,
            gint64             id,
            GCallback          callback)
{
  GtkWidget *button = gtk_button_new_with_mnemonic (label);

  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (button, "flat");
  g_object_set_data_full (G_OBJECT (button), "chart-id64", g_memdup2 (&id, sizeof id), g_free);
  if (accessible != NULL)
    gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, accessible, -1);
  g_signal_connect_swapped (button, "clicked", callback, self);
  return button;
}

static gint64
button_id (GtkWidget *button)
{
  gint64 *id = g_object_get_data (G_OBJECT (button), "chart-id64");

  return id != NULL ? *id : 0;
}

static AdwPreferencesGroup *
new_group (const char *title,
           const char *description)
{
  AdwPreferencesGroup *group = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());

  adw_preferences_group_set_title (group, title);
  if (description != NULL)
    adw_preferences_group_set_description (group, description);
  return group;
}

static void
group_add_header_button (AdwPreferencesGroup *group,
                         GtkWidget           *button)
{
  GtkWidget *suffix = adw_preferences_group_get_header_suffix (group);

  if (suffix == NULL)
    {
      suffix = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
      adw_preferences_group_set_header_suffix (group, suffix);
    }
  gtk_box_append (GTK_BOX (suffix), button);
}

static GtkWidget *
header_button (const char *label,
               const char *action)
{
  GtkWidget *button = gtk_button_new_with_mnemonic (label);

  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), action);
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  return button;
}

static void
add_empty_row (AdwPreferencesGroup *group,
               const char          *text)
{
  GtkWidget *row = adw_action_row_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), text);
  gtk_widget_add_css_class (row, "dim-label");
  adw_preferences_group_add (group, row);
}

/* Runs @run when the person confirms in a message dialog. */
typedef void (*ConfirmFunc) (ClinicChartWindow *self,
                             gint64             id);

typedef struct
{
  ClinicChartWindow *self;
  ConfirmFunc        run;
  gint64             id;
} Confirm;

static void
on_confirm_response (AdwMessageDialog *dialog,
                     const char       *response,
                     Confirm          *c)
{
  if (g_strcmp0 (response, "confirm") == 0)
    c->run (c->self, c->id);
  g_object_unref (c->self);
  g_free (c);
}

static void
confirm (ClinicChartWindow *self,
         const char        *heading,
         const char        *body,
         const char        *action_label,
         ConfirmFunc        run,
         gint64             id)
{
  GtkWidget *dialog = adw_message_dialog_new (GTK_WINDOW (self), heading, body);
  Confirm *c = g_new0 (Confirm, 1);

  c->self = g_object_ref (self);
  c->run = run;
  c->id = id;
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "cancel", _("_Cancel"),
                                    "confirm", action_label, NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "confirm",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect (dialog, "response", G_CALLBACK (on_confirm_response), c);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* --- Header and banner ------------------------------------------------------------ */

static void
set_badge (GtkLabel   *label,
           const char *text,
           const char *style)
{
  static const char *const styles[] = { "badge-success", "badge-warning", "badge-error", "badge-neutral" };

  for (guint i = 0; i < G_N_ELEMENTS (styles); i++)
    gtk_widget_remove_css_class (GTK_WIDGET (label), styles[i]);
  gtk_widget_add_css_class (GTK_WIDGET (label), style);
  gtk_label_set_text (label, text);
}

static void
update_header (ClinicChartWindow *self)
{
  const ClinicPatient *p = self->patient;
  g_autofree char *name = g_strdup_printf (_("%s, %s"), p->family_name, p->given_names);
  /* Translators: under the patient's name: date of birth, age, chart number */
  g_autofree char *identity = g_strdup_printf (_("Born %s (%d) · Chart %s"), p->birth_date,
                                               clinic_patient_age (p, NULL), p->chart_number);
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *today = g_date_time_format (now, "%Y-%m-%d");
  const ClinicInsurancePolicy *covering = NULL;
  ClinicInsuranceStatus status;
  g_autofree char *badge = NULL;
  static const char *const badge_styles[] = {
    [CLINIC_INSURANCE_NONE] = "badge-neutral",
    [CLINIC_INSURANCE_ACTIVE] = "badge-success",
    [CLINIC_INSURANCE_EXPIRES_SOON] = "badge-warning",
    [CLINIC_INSURANCE_EXPIRED] = "badge-error",
  };

  gtk_window_set_title (GTK_WINDOW (self), name);
  adw_view_switcher_title_set_title (self->switcher_title, name);
  adw_view_switcher_title_set_subtitle (self->switcher_title, identity);
  gtk_label_set_text (self->name_label, name);
  gtk_label_set_text (self->identity_label, identity);
  adw_avatar_set_text (self->avatar, name);
  {
    g_autoptr(GdkTexture) photo = clinic_patient_photo_texture (self->session, p->id);

    adw_avatar_set_custom_image (self->avatar, photo != NULL ? GDK_PAINTABLE (photo) : NULL);
  }

  status = clinic_insurance_status_for (self->insurance, today, &covering);
  /* Translators: the insurance badge: "Insurance: Active (AOK)" */
  badge = covering != NULL && status != CLINIC_INSURANCE_NONE
          ? g_strdup_printf (_("Insurance: %s (%s)"), clinic_insurance_status_to_string (status), covering->payer)
          : g_strdup (clinic_insurance_status_to_string (status));
  set_badge (self->insurance_badge, badge, badge_styles[status]);
  gtk_widget_set_visible (GTK_WIDGET (self->insurance_badge), self->can_contact);

  gtk_widget_set_visible (GTK_WIDGET (self->status_badge), p->status != CLINIC_PATIENT_ACTIVE);
  if (p->merged_into != NULL)
    {
      /* Translators: the status of a record merged into another; %s is a chart number */
      g_autofree char *merged = g_strdup_printf (_("Inactive, merged into %s"), p->merged_into);

      set_badge (self->status_badge, merged, "badge-warning");
    }
  else
    set_badge (self->status_badge, p->status == CLINIC_PATIENT_DECEASED ? _("Deceased") : _("Inactive"),
               p->status == CLINIC_PATIENT_DECEASED ? "badge-error" : "badge-neutral");
}

static char *
allergy_summary (GPtrArray *allergies)
{
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; i < allergies->len; i++)
    {
      const ClinicAllergy *a = allergies->pdata[i];

      if (i > 0)
        g_string_append (text, ", ");
      /* Translators: an allergy in the banner: substance (severity) */
      g_string_append_printf (text, _("%s (%s)"), a->substance, clinic_severity_to_string (a->severity));
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static void
update_banner (ClinicChartWindow *self)
{
  static const char *const classes[] = { "not-recorded", "none-known", "recorded" };
  g_autofree char *text = NULL;
  const char *icon;

  gtk_widget_set_visible (self->allergy_banner, self->chart != NULL);
  if (self->chart == NULL)
    return;

  for (guint i = 0; i < G_N_ELEMENTS (classes); i++)
    gtk_widget_remove_css_class (self->allergy_banner, classes[i]);
  gtk_widget_add_css_class (self->allergy_banner, classes[self->chart->allergy_state]);

  switch (self->chart->allergy_state)
    {
    case CLINIC_ALLERGIES_RECORDED:
      {
        g_autofree char *list = allergy_summary (self->chart->allergies);

        text = g_strdup_printf (_("Allergies: %s"), list);
        icon = "dialog-warning-symbolic";
      }
      break;
    case CLINIC_ALLERGIES_NONE_KNOWN:
      text = g_strdup (_("No known allergies"));
      icon = "emblem-ok-symbolic";
      break;
    case CLINIC_ALLERGIES_NOT_RECORDED:
    default:
      text = g_strdup (_("Allergies not recorded — ask the patient"));
      icon = "dialog-question-symbolic";
      break;
    }
  gtk_label_set_text (self->allergy_label, text);
  gtk_image_set_from_icon_name (self->allergy_icon, icon);
}

/* --- Overview ----------------------------------------------------------------------- */

static void retract_allergy (ClinicChartWindow *self, gint64 id);
static void end_item (ClinicChartWindow *self, ClinicChartItemKind kind, gint64 id, ClinicChartItemStatus status);

static void
on_retract_allergy (ClinicChartWindow *self,
                    GtkWidget         *button)
{
  confirm (self, _("Mark Allergy as Entered in Error?"),
           _("It leaves the chart; the audit trail keeps that it was recorded."),
           _("_Entered in Error"), retract_allergy, button_id (button));
}

static void
retract_condition (ClinicChartWindow *self,
                   gint64             id)
{
  end_item (self, CLINIC_CHART_CONDITION, id, CLINIC_ITEM_ENTERED_IN_ERROR);
}

static void
retract_medication (ClinicChartWindow *self,
                    gint64             id)
{
  end_item (self, CLINIC_CHART_MEDICATION, id, CLINIC_ITEM_ENTERED_IN_ERROR);
}

static void
on_resolve_condition (ClinicChartWindow *self,
                      GtkWidget         *button)
{
  end_item (self, CLINIC_CHART_CONDITION, button_id (button), CLINIC_ITEM_ENDED);
}

static void
on_stop_medication (ClinicChartWindow *self,
                    GtkWidget         *button)
{
  end_item (self, CLINIC_CHART_MEDICATION, button_id (button), CLINIC_ITEM_ENDED);
}

static void
on_retract_condition (ClinicChartWindow *self,
                      GtkWidget         *button)
{
  confirm (self, _("Mark Condition as Entered in Error?"),
           _("It leaves the chart; the audit trail keeps that it was recorded."),
           _("_Entered in Error"), retract_condition, button_id (button));
}

static void
on_retract_medication (ClinicChartWindow *self,
                       GtkWidget         *button)
{
  confirm (self, _("Mark Medication as Entered in Error?"),
           _("It leaves the chart; the audit trail keeps that it was recorded."),
           _("_Entered in Error"), retract_medication, button_id (button));
}

static void
build_details (ClinicChartWindow *self)
{
  const ClinicPatient *p = self->patient;
  AdwPreferencesGroup *group = new_group (_("Details"), NULL);
  static const char *const sexes[] = { N_("Not recorded"), N_("Female"), N_("Male"), N_("Other") };

  if (clinic_session_has_permission (self->session, CLINIC_PERMISSION_PATIENTS_CONTACT_WRITE))
    group_add_header_button (group, header_button (_("_Edit…"), "chart.edit-details"));
  adw_preferences_group_add (group, info_row (_("Sex"), _(sexes[p->sex])));
  adw_preferences_group_add (group, info_row (_("Phone"), p->phone));
  if (*p->phone2 != '\0')
    adw_preferences_group_add (group, info_row (_("Second phone"), p->phone2));
  adw_preferences_group_add (group, info_row (_("Email"), p->email));
  adw_preferences_group_add (group, info_row (_("Address"), p->address));
  adw_preferences_group_add (group, info_row (_("Emergency contact"), p->emergency_contact));
  adw_preferences_group_add (group, info_row (_("Preferred language"), p->language));
  adw_preferences_group_add (group, info_row (_("National ID"), p->national_id));
  if (*p->notes != '\0')
    adw_preferences_group_add (group, info_row (_("Notes"), p->notes));
  gtk_box_append (self->overview_box, GTK_WIDGET (group));
}

static void
build_insurance (ClinicChartWindow *self)
{
  AdwPreferencesGroup *group = new_group (_("Insurance"), NULL);
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *today = g_date_time_format (now, "%Y-%m-%d");

  if (self->can_contact)
    group_add_header_button (group, header_button (_("Add _Policy…"), "chart.add-policy"));
  if (self->insurance->len == 0)
    add_empty_row (group, _("No insurance policy recorded"));
  for (guint i = 0; i < self->insurance->len; i++)
    {
      const ClinicInsurancePolicy *p = self->insurance->pdata[i];
      g_autoptr(GPtrArray) one = g_ptr_array_new ();
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *badge = gtk_label_new (NULL);
      g_autofree char *copay = format_cents (p->copay_cents);
      g_autofree char *subtitle = NULL;
      ClinicInsuranceStatus status;

      g_ptr_array_add (one, (gpointer) p);
      status = clinic_insurance_status_for (one, today, NULL);
      /* Translators: an insurance policy: member id, group, from – until, copay */
      subtitle = g_strdup_printf (_("Member ID %s · Group %s · %s – %s · Copay %s"), p->member_id,
                                  *p->group_number != '\0' ? p->group_number : "—", p->valid_from,
                                  *p->valid_until != '\0' ? p->valid_until : _("open-ended"), copay);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), p->payer);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
      gtk_widget_add_css_class (badge, "status-badge");
      set_badge (GTK_LABEL (badge), clinic_insurance_status_to_string (status),
                 status == CLINIC_INSURANCE_ACTIVE ? "badge-success"
                 : status == CLINIC_INSURANCE_EXPIRES_SOON ? "badge-warning"
                 : status == CLINIC_INSURANCE_EXPIRED ? "badge-error" : "badge-neutral");
      gtk_widget_set_valign (badge, GTK_ALIGN_CENTER);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), badge);
      adw_preferences_group_add (group, row);
    }
  gtk_box_append (self->overview_box, GTK_WIDGET (group));
}

static void
build_allergies (ClinicChartWindow *self)
{
  AdwPreferencesGroup *group = new_group (_("Allergies"), NULL);
  GPtrArray *allergies = self->chart->allergies;

  if (self->can_write)
    {
      if (self->chart->allergy_state != CLINIC_ALLERGIES_RECORDED)
        group_add_header_button (group, header_button (_("_No Known Allergies"), "chart.no-known-allergies"));
      group_add_header_button (group, header_button (_("Add _Allergy…"), "chart.add-allergy"));
    }
  if (allergies->len == 0)
    add_empty_row (group, self->chart->allergy_state == CLINIC_ALLERGIES_NONE_KNOWN
                          ? _("No known allergies") : _("Allergies not recorded"));
  for (guint i = 0; i < allergies->len; i++)
    {
      const ClinicAllergy *a = allergies->pdata[i];
      GtkWidget *row = adw_action_row_new ();
      g_autofree char *when = format_time (a->recorded_at);
      /* Translators: an allergy: severity · reaction · recorded by, when */
      g_autofree char *subtitle = g_strdup_printf (_("%s · %s · recorded by %s, %s"),
                                                   clinic_severity_to_string (a->severity),
                                                   *a->reaction != '\0' ? a->reaction : _("reaction not recorded"),
                                                   a->recorded_by, when);

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), a->substance);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
      if (self->can_write)
        {
          g_autofree char *name = g_strdup_printf (_("Mark %s as entered in error"), a->substance);

          adw_action_row_add_suffix (ADW_ACTION_ROW (row),
                                     row_button (self, _("Entered in Error"), name, a->id,
                                                 G_CALLBACK (on_retract_allergy)));
        }
      adw_preferences_group_add (group, row);
    }
  gtk_box_append (self->overview_box, GTK_WIDGET (group));
}

static void
build_items (ClinicChartWindow   *self,
             ClinicChartItemKind  kind)
{
  gboolean condition = kind == CLINIC_CHART_CONDITION;
  GPtrArray *items = condition ? self->chart->conditions : self->chart->medications;
  AdwPreferencesGroup *group = new_group (condition ? _("Conditions") : _("Medications"), NULL);

  if (self->can_write)
    group_add_header_button (group, condition ? header_button (_("Add _Condition…"), "chart.add-condition")
                                              : header_button (_("Add _Medication…"), "chart.add-medication"));
  if (items->len == 0)
    add_empty_row (group, condition ? _("No conditions recorded") : _("No medications recorded"));
  for (guint i = 0; i < items->len; i++)
    {
      const ClinicChartItem *item = items->pdata[i];
      GtkWidget *row = adw_action_row_new ();
      g_autoptr(GString) subtitle = g_string_new (item->detail);

      if (*item->start_date != '\0')
        g_string_append_printf (subtitle, subtitle->len > 0 ? " · %s %s" : "%s %s",
                                condition ? _("since") : _("started"), item->start_date);
      if (item->status == CLINIC_ITEM_ENDED)
        {
          const char *ended = condition ? _("resolved") : _("stopped");

          g_string_append_printf (subtitle, subtitle->len > 0 ? " · %s %s" : "%s %s", ended, item->end_date);
        }
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), item->name);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle->str);
      if (item->status == CLINIC_ITEM_ENDED)
        gtk_widget_add_css_class (row, "dim-label");
      if (self->can_write && item->status == CLINIC_ITEM_ACTIVE)
        {
          g_autofree char *end_name = g_strdup_printf (condition ? _("Mark %s as resolved") : _("Stop %s"), item->name);
          g_autofree char *error_name = g_strdup_printf (_("Mark %s as entered in error"), item->name);

          adw_action_row_add_suffix (ADW_ACTION_ROW (row),
                                     row_button (self, condition ? _("Resolved") : _("Stop"), end_name, item->id,
                                                 condition ? G_CALLBACK (on_resolve_condition)
                                                           : G_CALLBACK (on_stop_medication)));
          adw_action_row_add_suffix (ADW_ACTION_ROW (row),
                                     row_button (self, _("Entered in Error"), error_name, item->id,
                                                 condition ? G_CALLBACK (on_retract_condition)
                                                           : G_CALLBACK (on_retract_medication)));
        }
      adw_preferences_group_add (group, row);
    }
  gtk_box_append (self->overview_box, GTK_WIDGET (group));
}

static void
build_treatment (ClinicChartWindow *self)
{
  AdwPreferencesGroup *group = new_group (_("Treatment Plan"), NULL);
  GtkWidget *label = gtk_label_new (*self->patient->treatment != '\0' ? self->patient->treatment
                                                                      : _("No treatment plan recorded"));

  if (self->can_write)
    group_add_header_button (group, header_button (_("Edit _Plan…"), "chart.edit-treatment"));
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_selectable (GTK_LABEL (label), TRUE);
  gtk_widget_add_css_class (label, "card");
  gtk_widget_add_css_class (label, "note-text");
  if (*self->patient->treatment == '\0')
    gtk_widget_add_css_class (label, "dim-label");
  adw_preferences_group_add (group, label);
  gtk_box_append (self->overview_box, GTK_WIDGET (group));
}

/* --- Notes ----------------------------------------------------------------------------- */

static void discard_note (ClinicChartWindow *self, gint64 id);
static ClinicFormWindow *open_note_form (ClinicChartWindow *self, const ClinicVisitNote *note);
static void open_addendum_form (ClinicChartWindow *self, gint64 note_id);

static const ClinicVisitNote *
find_note (ClinicChartWindow *self,
           gint64             id)
{
  for (guint i = 0; self->chart != NULL && i < self->chart->notes->len; i++)
    if (((ClinicVisitNote *) self->chart->notes->pdata[i])->id == id)
      return self->chart->notes->pdata[i];
  return NULL;
}

static void
on_edit_note (ClinicChartWindow *self,
              GtkWidget         *button)
{
  const ClinicVisitNote *note = find_note (self, button_id (button));

  if (note != NULL)
    open_note_form (self, note);
}

static void
on_sign_note (ClinicChartWindow *self,
              GtkWidget         *button)
{
  g_autoptr(GError) error = NULL;

  if (!clinic_chart_sign_note (self->session, button_id (button), &error))
    {
      show_error (self, error);
      return;
    }
  toast (self, _("Visit note signed"));
  clinic_chart_window_reload (self);
}

static void
on_discard_note (ClinicChartWindow *self,
                 GtkWidget         *button)
{
  confirm (self, _("Discard Draft?"), _("The draft visit note is deleted. This cannot be undone."),
           _("_Discard"), discard_note, button_id (button));
}

static void
on_addendum (ClinicChartWindow *self,
             GtkWidget         *button)
{
  open_addendum_form (self, button_id (button));
}

static void
add_section_text (GtkBox     *box,
                  const char *heading,
                  const char *text)
{
  GtkWidget *title;
  GtkWidget *body;

  if (text == NULL || *text == '\0')
    return;
  title = gtk_label_new (heading);
  body = gtk_label_new (text);
  gtk_label_set_xalign (GTK_LABEL (title), 0);
  gtk_widget_add_css_class (title, "heading");
  gtk_label_set_xalign (GTK_LABEL (body), 0);
  gtk_label_set_wrap (GTK_LABEL (body), TRUE);
  gtk_label_set_selectable (GTK_LABEL (body), TRUE);
  gtk_box_append (box, title);
  gtk_box_append (box, body);
}

static void
build_notes (ClinicChartWindow *self)
{
  GPtrArray *notes = self->chart->notes;
  gint64 me = clinic_session_get_user_id (self->session);

  if (self->can_write)
    {
      GtkWidget *button = header_button (_("_New Visit Note…"), "chart.new-note");

      gtk_widget_set_halign (button, GTK_ALIGN_START);
      gtk_widget_add_css_class (button, "suggested-action");
      gtk_box_append (self->notes_box, button);
    }
  if (notes->len == 0)
    {
      AdwPreferencesGroup *group = new_group (NULL, NULL);

      add_empty_row (group, _("No visit notes yet"));
      gtk_box_append (self->notes_box, GTK_WIDGET (group));
    }
  for (guint i = 0; i < notes->len; i++)
    {
      const ClinicVisitNote *n = notes->pdata[i];
      g_autofree char *title = g_strdup_printf (_("%s — %s"), n->encounter_date, n->author_name);
      g_autofree char *signed_at = n->signed_at != 0 ? format_time (n->signed_at) : NULL;
      g_autofree char *description = n->signed_at != 0 ? g_strdup_printf (_("Signed %s"), signed_at)
                                                       : g_strdup (_("Draft — not signed"));
      AdwPreferencesGroup *group = new_group (title, description);
      GtkWidget *body = gtk_box_new (GTK_ORIENTATION_VERTICAL, 4);

      gtk_widget_add_css_class (body, "card");
      gtk_widget_add_css_class (body, "note-text");
      add_section_text (GTK_BOX (body), _("Subjective"), n->subjective);
      add_section_text (GTK_BOX (body), _("Objective"), n->objective);
      add_section_text (GTK_BOX (body), _("Assessment"), n->assessment);
      add_section_text (GTK_BOX (body), _("Plan"), n->plan);
      add_section_text (GTK_BOX (body), _("Note"), n->free_text);
      for (guint j = 0; j < n->addenda->len; j++)
        {
          const ClinicNoteAddendum *a = n->addenda->pdata[j];
          g_autofree char *when = format_time (a->created_at);
          /* Translators: heading of an addendum: author, date and time */
          g_autofree char *heading = g_strdup_printf (_("Addendum by %s, %s"), a->author_name, when);

          add_section_text (GTK_BOX (body), heading, a->body);
        }
      adw_preferences_group_add (group, body);

      if (self->can_write && n->signed_at == 0 && n->author_id == me)
        {
          g_autofree char *edit_name = g_strdup_printf (_("Edit the draft note of %s"), n->encounter_date);
          g_autofree char *sign_name = g_strdup_printf (_("Sign the note of %s"), n->encounter_date);
          g_autofree char *discard_name = g_strdup_printf (_("Discard the draft note of %s"), n->encounter_date);

          group_add_header_button (group, row_button (self, _("_Edit…"), edit_name, n->id, G_CALLBACK (on_edit_note)));
          group_add_header_button (group, row_button (self, _("_Sign"), sign_name, n->id, G_CALLBACK (on_sign_note)));
          group_add_header_button (group, row_button (self, _("_Discard"), discard_name, n->id,
                                                      G_CALLBACK (on_discard_note)));
        }
      else if (self->can_write && n->signed_at != 0)
        {
          g_autofree char *name = g_strdup_printf (_("Add an addendum to the note of %s"), n->encounter_date);

          group_add_header_button (group, row_button (self, _("Add _Addendum…"), name, n->id,
                                                      G_CALLBACK (on_addendum)));
        }
      gtk_box_append (self->notes_box, GTK_WIDGET (group));
    }
}

/* --- Prescriptions ------------------------------------------------------------------------- */

static void discard_prescription (ClinicChartWindow *self, gint64 id);
static ClinicFormWindow *open_prescription_form (ClinicChartWindow *self, const ClinicPrescription *p);

static const ClinicPrescription *
find_prescription (ClinicChartWindow *self,
                   gint64             id)
{
  for (guint i = 0; self->chart != NULL && i < self->chart->prescriptions->len; i++)
    if (((ClinicPrescription *) self->chart->prescriptions->pdata[i])->id == id)
      return self->chart->prescriptions->pdata[i];
  return NULL;
}

static void
on_print_prescription (ClinicChartWindow *self,
                       GtkWidget         *button)
{
  clinic_chart_window_print_prescription (self, button_id (button));
}

static void
on_edit_prescription (ClinicChartWindow *self,
                      GtkWidget         *button)
{
  const ClinicPrescription *p = find_prescription (self, button_id (button));

  if (p != NULL)
    open_prescription_form (self, p);
}

static void
on_sign_prescription (ClinicChartWindow *self,
                      GtkWidget         *button)
{
  g_autoptr(GError) error = NULL;

  if (!clinic_chart_sign_prescription (self->session, button_id (button), &error))
    {
      show_error (self, error);
      return;
    }
  toast (self, _("Prescription signed"));
  clinic_chart_window_reload (self);
}

static void
on_discard_prescription (ClinicChartWindow *self,
                         GtkWidget         *button)
{
  confirm (self, _("Discard Draft?"), _("The draft prescription is deleted. This cannot be undone."),
           _("_Discard"), discard_prescription, button_id (button));
}

static void
build_prescriptions (ClinicChartWindow *self)
{
  GPtrArray *list = self->chart->prescriptions;
  AdwPreferencesGroup *group = new_group (_("Prescriptions"), NULL);
  gint64 me = clinic_session_get_user_id (self->session);

  if (self->can_prescribe)
    {
      GtkWidget *button = header_button (_("_New Prescription…"), "chart.new-prescription");

      gtk_widget_set_halign (button, GTK_ALIGN_START);
      gtk_widget_add_css_class (button, "suggested-action");
      gtk_box_append (self->prescriptions_box, button);
    }
  if (list->len == 0)
    add_empty_row (group, _("No prescriptions yet"));
  for (guint i = 0; i < list->len; i++)
    {
      const ClinicPrescription *p = list->pdata[i];
      GtkWidget *row = adw_action_row_new ();
      g_autofree char *title = g_strdup_printf ("%s %s", p->drug, p->strength);
      /* Translators: a prescription: dose, route, frequency, duration · quantity, refills · date, prescriber, state */
      g_autofree char *subtitle = g_strdup_printf (_("%s %s, %s, %s · Quantity %s, refills %d · %s, %s · %s"),
                                                   p->dose, p->route, p->frequency, p->duration,
                                                   *p->quantity != '\0' ? p->quantity : "—", p->refills,
                                                   p->prescribed_on, p->prescriber_name,
                                                   p->signed_at != 0 ? _("signed") : _("draft"));

      g_strstrip (title);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
      if (p->signed_at != 0)
        {
          g_autofree char *name = g_strdup_printf (_("Print the prescription of %s"), p->drug);

          adw_action_row_add_suffix (ADW_ACTION_ROW (row), row_button (self, _("_Print…"), name, p->id,
                                                                       G_CALLBACK (on_print_prescription)));
        }
      else if (self->can_prescribe && p->prescriber_id == me)
        {
          g_autofree char *edit = g_strdup_printf (_("Edit the draft prescription of %s"), p->drug);
          g_autofree char *sign = g_strdup_printf (_("Sign the prescription of %s"), p->drug);
          g_autofree char *discard = g_strdup_printf (_("Discard the draft prescription of %s"), p->drug);

          adw_action_row_add_suffix (ADW_ACTION_ROW (row), row_button (self, _("_Edit…"), edit, p->id,
                                                                       G_CALLBACK (on_edit_prescription)));
          adw_action_row_add_suffix (ADW_ACTION_ROW (row), row_button (self, _("_Sign"), sign, p->id,
                                                                       G_CALLBACK (on_sign_prescription)));
          adw_action_row_add_suffix (ADW_ACTION_ROW (row), row_button (self, _("_Discard"), discard, p->id,
                                                                       G_CALLBACK (on_discard_prescription)));
        }
      adw_preferences_group_add (group, row);
    }
  gtk_box_append (self->prescriptions_box, GTK_WIDGET (group));
}

/* --- Timeline ----------------------------------------------------------------------------------- */

static const char *
event_icon (ClinicEventKind kind)
{
  switch (kind)
    {
    case CLINIC_EVENT_ALLERGY:
      return "dialog-warning-symbolic";
    case CLINIC_EVENT_NOTE:
    case CLINIC_EVENT_ADDENDUM:
      return "document-edit-symbolic";
    case CLINIC_EVENT_PRESCRIPTION:
    case CLINIC_EVENT_MEDICATION:
      return "emblem-documents-symbolic";
    case CLINIC_EVENT_INSURANCE:
      return "security-high-symbolic";
    case CLINIC_EVENT_DOCUMENT:
      return "folder-documents-symbolic";
    case CLINIC_EVENT_CONDITION:
    case CLINIC_EVENT_REGISTERED:
    default:
      return "user-info-symbolic";
    }
}

static void
build_timeline (ClinicChartWindow *self)
{
  GPtrArray *events = self->chart->timeline;
  AdwPreferencesGroup *group = NULL;
  const char *year = NULL;

  for (guint i = 0; i < events->len; i++)
    {
      const ClinicTimelineEvent *e = events->pdata[i];
      GtkWidget *row = adw_action_row_new ();
      g_autofree char *title = g_strdup_printf (_("%s — %s"), e->date, e->title);

      /* One group a year keeps a long history readable. */
      if (year == NULL || strncmp (year, e->date, 4) != 0)
        {
          g_autofree char *label = g_strndup (e->date, 4);

          group = new_group (label, NULL);
          gtk_box_append (self->timeline_box, GTK_WIDGET (group));
          year = e->date;
        }
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
      if (*e->detail != '\0')
        adw_action_row_set_subtitle (ADW_ACTION_ROW (row), e->detail);
      adw_action_row_add_prefix (ADW_ACTION_ROW (row), gtk_image_new_from_icon_name (event_icon (e->kind)));
      adw_preferences_group_add (group, row);
    }
}

/* --- Loading ------------------------------------------------------------------------------------ */

void
clinic_chart_window_reload (ClinicChartWindow *self)
{
  g_autoptr(GError) error = NULL;

  g_return_if_fail (CLINIC_IS_CHART_WINDOW (self));

  g_clear_pointer (&self->chart, clinic_chart_free);
  g_clear_pointer (&self->insurance, g_ptr_array_unref);
  if (self->can_chart)
    {
      self->chart = clinic_chart_load (self->session, self->patient->id, &error);
      if (self->chart != NULL)
        self->insurance = g_ptr_array_ref (self->chart->insurance);
    }
  else if (self->can_contact)
    self->insurance = clinic_insurance_list (self->session, self->patient->id, &error);
  if (self->insurance == NULL)
    self->insurance = g_ptr_array_new_with_free_func ((GDestroyNotify) clinic_insurance_policy_free);
  show_error (self, error);

  clear_box (self->overview_box);
  clear_box (self->notes_box);
  clear_box (self->prescriptions_box);
  clear_box (self->timeline_box);

  update_header (self);
  update_banner (self);
  build_details (self);
  if (self->can_contact)
    build_insurance (self);
  if (self->chart != NULL)
    {
      build_allergies (self);
      build_items (self, CLINIC_CHART_CONDITION);
      build_items (self, CLINIC_CHART_MEDICATION);
      build_treatment (self);
      build_notes (self);
      build_prescriptions (self);
      build_timeline (self);
    }
  if (self->chart != NULL && self->documents == NULL)
    {
      self->documents = clinic_patient_documents_new (self->session, self->patient->id);
      gtk_widget_set_vexpand (self->documents, TRUE);
      gtk_box_append (self->documents_box, self->documents);
    }
  else if (self->documents != NULL)
    clinic_patient_documents_reload (CLINIC_PATIENT_DOCUMENTS (self->documents));
  adw_view_stack_page_set_visible (self->documents_page, self->chart != NULL);
  adw_view_stack_page_set_visible (self->notes_page, self->chart != NULL);
  adw_view_stack_page_set_visible (self->prescriptions_page, self->chart != NULL);
  adw_view_stack_page_set_visible (self->timeline_page, self->chart != NULL);
}

/* --- Changes ------------------------------------------------------------------------------------- */

static void
after_change (ClinicChartWindow *self,
              gboolean           ok,
              GError            *error,
              const char        *done)
{
  if (!ok)
    {
      show_error (self, error);
      return;
    }
  toast (self, done);
  clinic_chart_window_reload (self);
}

static void
retract_allergy (ClinicChartWindow *self,
                 gint64             id)
{
  g_autoptr(GError) error = NULL;
  gboolean ok = clinic_chart_retract_allergy (self->session, id, &error);

  after_change (self, ok, error, _("Allergy marked as entered in error"));
}

static void
end_item (ClinicChartWindow     *self,
          ClinicChartItemKind    kind,
          gint64                 id,
          ClinicChartItemStatus  status)
{
  g_autoptr(GError) error = NULL;
  gboolean ok = clinic_chart_end_item (self->session, kind, id, status, NULL, &error);

  after_change (self, ok, error,
                status == CLINIC_ITEM_ENTERED_IN_ERROR ? _("Marked as entered in error")
                : kind == CLINIC_CHART_CONDITION ? _("Condition resolved") : _("Medication stopped"));
}

static void
discard_note (ClinicChartWindow *self,
              gint64             id)
{
  g_autoptr(GError) error = NULL;
  gboolean ok = clinic_chart_discard_note (self->session, id, &error);

  after_change (self, ok, error, _("Draft discarded"));
}

static void
discard_prescription (ClinicChartWindow *self,
                      gint64             id)
{
  g_autoptr(GError) error = NULL;
  gboolean ok = clinic_chart_discard_prescription (self->session, id, &error);

  after_change (self, ok, error, _("Draft discarded"));
}

/* The forms: each keeps the window and the id it edits. */
typedef struct
{
  ClinicChartWindow *self;
  gint64             id;
} FormData;

static FormData *
form_data_new (ClinicChartWindow *self,
               gint64             id)
{
  FormData *d = g_new0 (FormData, 1);

  d->self = g_object_ref (self);
  d->id = id;
  return d;
}

static void
form_data_free (gpointer data)
{
  FormData *d = data;

  g_object_unref (d->self);
  g_free (d);
}

static ClinicFormWindow *
new_form (ClinicChartWindow    *self,
          const char           *title,
          const char           *action,
          ClinicFormSubmitFunc  submit,
          gint64                id)
{
  return clinic_form_window_new (GTK_WINDOW (self), title, action, submit, form_data_new (self, id),
                                 form_data_free);
}

static const char *const severity_options[] = { N_("Severity unknown"), N_("Mild"), N_("Moderate"), N_("Severe"), NULL };

static gboolean
submit_allergy (ClinicFormWindow  *form,
                gpointer           data,
                GError           **error)
{
  FormData *d = data;
  g_autofree char *substance = clinic_form_window_get_text (form, "substance");
  g_autofree char *reaction = clinic_form_window_get_text (form, "reaction");

  if (clinic_chart_add_allergy (d->self->session, d->self->patient->id, substance, reaction,
                                clinic_form_window_get_choice (form, "severity"), error) == 0)
    return FALSE;
  after_change (d->self, TRUE, NULL, _("Allergy recorded"));
  return TRUE;
}

static gboolean
submit_item (ClinicFormWindow     *form,
             ClinicChartWindow    *self,
             ClinicChartItemKind   kind,
             GError              **error)
{
  g_autoptr(ClinicChartItem) item = clinic_chart_item_new (kind);

  item->patient_id = self->patient->id;
  g_free (item->name);
  item->name = clinic_form_window_get_text (form, "name");
  g_free (item->detail);
  item->detail = clinic_form_window_get_text (form, "detail");
  g_free (item->start_date);
  item->start_date = clinic_form_window_get_text (form, "start");
  if (clinic_chart_add_item (self->session, item, error) == 0)
    return FALSE;
  after_change (self, TRUE, NULL, kind == CLINIC_CHART_CONDITION ? _("Condition recorded") : _("Medication recorded"));
  return TRUE;
}

static gboolean
submit_condition (ClinicFormWindow  *form,
                  gpointer           data,
                  GError           **error)
{
  return submit_item (form, ((FormData *) data)->self, CLINIC_CHART_CONDITION, error);
}

static gboolean
submit_medication (ClinicFormWindow  *form,
                   gpointer           data,
                   GError           **error)
{
  return submit_item (form, ((FormData *) data)->self, CLINIC_CHART_MEDICATION, error);
}

static gboolean
submit_policy (ClinicFormWindow  *form,
               gpointer           data,
               GError           **error)
{
  FormData *d = data;
  g_autoptr(ClinicInsurancePolicy) p = clinic_insurance_policy_new ();
  g_autofree char *copay = clinic_form_window_get_text (form, "copay");

  if (!parse_cents (copay, &p->copay_cents))
    {
      g_set_error (error, CLINIC_ERROR, CLINIC_ERROR_INVALID,
                   _("“%s” is not an amount. Write it like 10.00, and never below zero."), copay);
      return FALSE;
    }
  p->patient_id = d->self->patient->id;
#define TAKE(field, key) g_free (p->field); p->field = clinic_form_window_get_text (form, key)
  TAKE (payer, "payer");
  TAKE (member_id, "member");
  TAKE (group_number, "group");
  TAKE (valid_from, "from");
  TAKE (valid_until, "until");
#undef TAKE
  p->is_primary = clinic_form_window_get_check (form, "primary");
  if (clinic_insurance_save (d->self->session, p, error) == 0)
    return FALSE;
  after_change (d->self, TRUE, NULL, _("Insurance policy saved"));
  return TRUE;
}

static gboolean
submit_note (ClinicFormWindow  *form,
             gpointer           data,
             GError           **error)
{
  FormData *d = data;
  g_autoptr(ClinicVisitNote) n = clinic_visit_note_new ();

  n->id = d->id;
  n->patient_id = d->self->patient->id;
#define TAKE(field, key) g_free (n->field); n->field = clinic_form_window_get_text (form, key)
  TAKE (encounter_date, "date");
  TAKE (subjective, "subjective");
  TAKE (objective, "objective");
  TAKE (assessment, "assessment");
  TAKE (plan, "plan");
  TAKE (free_text, "text");
#undef TAKE
  if (clinic_chart_save_note (d->self->session, n, error) == 0)
    return FALSE;
  after_change (d->self, TRUE, NULL, _("Draft saved. Sign it when it is complete."));
  return TRUE;
}

static gboolean
submit_addendum (ClinicFormWindow  *form,
                 gpointer           data,
                 GError           **error)
{
  FormData *d = data;
  g_autofree char *body = clinic_form_window_get_text (form, "body");

  if (clinic_chart_add_addendum (d->self->session, d->id, body, error) == 0)
    return FALSE;
  after_change (d->self, TRUE, NULL, _("Addendum added"));
  return TRUE;
}

static gboolean
submit_prescription (ClinicFormWindow  *form,
                     gpointer           data,
                     GError           **error)
{
  FormData *d = data;
  g_autoptr(ClinicPrescription) p = clinic_prescription_new ();

  p->id = d->id;
  p->patient_id = d->self->patient->id;
#define TAKE(field, key) g_free (p->field); p->field = clinic_form_window_get_text (form, key)
  TAKE (drug, "drug");
  TAKE (strength, "strength");
  TAKE (dose, "dose");
  TAKE (route, "route");
  TAKE (frequency, "frequency");
  TAKE (duration, "duration");
  TAKE (quantity, "quantity");
  TAKE (instructions, "instructions");
  TAKE (prescribed_on, "date");
#undef TAKE
  p->refills = clinic_form_window_get_number (form, "refills");
  if (clinic_chart_save_prescription (d->self->session, p, error) == 0)
    return FALSE;
  after_change (d->self, TRUE, NULL, _("Draft prescription saved. Sign it to print it."));
  return TRUE;
}

static gboolean
submit_treatment (ClinicFormWindow  *form,
                  gpointer           data,
                  GError           **error)
{
  FormData *d = data;
  g_autoptr(ClinicPatient) p = clinic_patient_copy (d->self->patient);

  g_free (p->treatment);
  p->treatment = clinic_form_window_get_text (form, "plan");
  if (!clinic_patients_update (d->self->session, p, error))
    return FALSE;
  clinic_patient_free (d->self->patient);
  d->self->patient = g_steal_pointer (&p);
  after_change (d->self, TRUE, NULL, _("Treatment plan saved"));
  return TRUE;
}

static const char *const status_options[] = { N_("Active"), N_("Inactive"), N_("Deceased"), NULL };

static gboolean
submit_details (ClinicFormWindow  *form,
                gpointer           data,
                GError           **error)
{
  FormData *d = data;
  ClinicChartWindow *self = d->self;
  g_autoptr(ClinicPatient) p = clinic_patient_copy (self->patient);
  g_autoptr(ClinicPatient) fresh = NULL;
  ClinicPatientStatus status = clinic_form_window_get_choice (form, "status");

#define TAKE(field, key) g_free (p->field); p->field = clinic_form_window_get_text (form, key)
  TAKE (family_name, "family");
  TAKE (given_names, "given");
  TAKE (birth_date, "birth");
  TAKE (phone, "phone");
  TAKE (phone2, "phone2");
  TAKE (email, "email");
  TAKE (address, "address");
  TAKE (emergency_contact, "emergency");
  TAKE (language, "language");
  TAKE (national_id, "national");
  TAKE (insurance_id, "insurance");
  TAKE (notes, "notes");
#undef TAKE
  {
    g_autofree char *iso = clinic_patient_parse_date (p->birth_date);

    if (iso != NULL)
      {
        g_free (p->birth_date);
        p->birth_date = g_steal_pointer (&iso);
      }
  }
  /* The treatment plan is edited on its own. */
  g_clear_pointer (&p->treatment, g_free);
  if (!clinic_patients_update (self->session, p, error))
    return FALSE;
  if (status != self->patient->status
      && !clinic_patients_set_status (self->session, self->patient->id, status, error))
    return FALSE;
  fresh = clinic_patients_get (self->session, self->patient->id, error);
  if (fresh == NULL)
    return FALSE;
  clinic_patient_free (self->patient);
  self->patient = g_steal_pointer (&fresh);
  after_change (self, TRUE, NULL, _("Details saved"));
  return TRUE;
}

static const char *const *
translated (const char *const *options,
            const char        **out)
{
  guint i;

  for (i = 0; options[i] != NULL; i++)
    out[i] = _(options[i]);
  out[i] = NULL;
  return out;
}

static char *
allergies_notice (ClinicChartWindow *self)
{
  g_autofree char *list = NULL;

  if (self->chart == NULL)
    return NULL;
  switch (self->chart->allergy_state)
    {
    case CLINIC_ALLERGIES_RECORDED:
      list = allergy_summary (self->chart->allergies);
      return g_strdup_printf (_("Allergies: %s"), list);
    case CLINIC_ALLERGIES_NONE_KNOWN:
      return g_strdup (_("No known allergies"));
    case CLINIC_ALLERGIES_NOT_RECORDED:
    default:
      return g_strdup (_("Allergies not recorded — ask the patient before prescribing."));
    }
}

static ClinicFormWindow *
open_note_form (ClinicChartWindow     *self,
                const ClinicVisitNote *note)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *today = g_date_time_format (now, "%Y-%m-%d");
  ClinicFormWindow *form = new_form (self, note != NULL ? _("Edit Visit Note") : _("New Visit Note"),
                                     _("_Save Draft"), submit_note, note != NULL ? note->id : 0);

  clinic_form_window_add_notice (form, _("Notes are saved as drafts. Once signed, a note is locked: corrections are added as dated addenda."), FALSE);
  clinic_form_window_add_entry (form, "date", _("_Date of visit"), note != NULL ? note->encounter_date : today);
  clinic_form_window_add_text (form, "subjective", _("_Subjective"), note != NULL ? note->subjective : NULL);
  clinic_form_window_add_text (form, "objective", _("_Objective"), note != NULL ? note->objective : NULL);
  clinic_form_window_add_text (form, "assessment", _("_Assessment"), note != NULL ? note->assessment : NULL);
  clinic_form_window_add_text (form, "plan", _("_Plan"), note != NULL ? note->plan : NULL);
  clinic_form_window_add_text (form, "text", _("_Note"), note != NULL ? note->free_text : NULL);
  gtk_window_present (GTK_WINDOW (form));
  return form;
}

static void
open_addendum_form (ClinicChartWindow *self,
                    gint64             note_id)
{
  ClinicFormWindow *form = new_form (self, _("Add Addendum"), _("_Add and Sign"), submit_addendum, note_id);

  clinic_form_window_add_notice (form, _("An addendum is dated and signed with your name when you add it, and cannot be changed afterwards."), FALSE);
  clinic_form_window_add_text (form, "body", _("_Addendum"), NULL);
  gtk_window_present (GTK_WINDOW (form));
}

static ClinicFormWindow *
open_prescription_form (ClinicChartWindow        *self,
                        const ClinicPrescription *p)
{
  ClinicFormWindow *form = new_form (self, p != NULL ? _("Edit Prescription") : _("New Prescription"),
                                     _("_Save Draft"), submit_prescription, p != NULL ? p->id : 0);
  g_autofree char *allergies = allergies_notice (self);
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *today = g_date_time_format (now, "%Y-%m-%d");

  if (allergies != NULL)
    clinic_form_window_add_notice (form, allergies,
                                   self->chart->allergy_state != CLINIC_ALLERGIES_NONE_KNOWN);
  clinic_form_window_add_entry (form, "drug", _("_Drug"), p != NULL ? p->drug : NULL);
  clinic_form_window_add_entry (form, "strength", _("S_trength"), p != NULL ? p->strength : NULL);
  clinic_form_window_add_entry (form, "dose", _("D_ose"), p != NULL ? p->dose : NULL);
  clinic_form_window_add_entry (form, "route", _("_Route"), p != NULL ? p->route : _("oral"));
  clinic_form_window_add_entry (form, "frequency", _("_Frequency"), p != NULL ? p->frequency : NULL);
  clinic_form_window_add_entry (form, "duration", _("D_uration"), p != NULL ? p->duration : NULL);
  clinic_form_window_add_entry (form, "quantity", _("_Quantity"), p != NULL ? p->quantity : NULL);
  clinic_form_window_add_number (form, "refills", _("Re_fills"), 0, 99, p != NULL ? p->refills : 0);
  clinic_form_window_add_text (form, "instructions", _("_Instructions"), p != NULL ? p->instructions : NULL);
  clinic_form_window_add_entry (form, "date", _("D_ate"), p != NULL ? p->prescribed_on : today);
  gtk_window_present (GTK_WINDOW (form));
  return form;
}

GtkWindow *
clinic_chart_window_open_form (ClinicChartWindow *self,
                               const char        *action)
{
  const char *options[8];
  ClinicFormWindow *form = NULL;
  const ClinicPatient *p;

  g_return_val_if_fail (CLINIC_IS_CHART_WINDOW (self), NULL);
  p = self->patient;

  if (g_str_equal (action, "add-allergy"))
    {
      form = new_form (self, _("Add Allergy"), _("_Add"), submit_allergy, 0);
      clinic_form_window_add_entry (form, "substance", _("_Substance"), NULL);
      clinic_form_window_add_entry (form, "reaction", _("_Reaction"), NULL);
      clinic_form_window_add_choice (form, "severity", _("S_everity"), translated (severity_options, options), 0);
    }
  else if (g_str_equal (action, "add-condition") || g_str_equal (action, "add-medication"))
    {
      gboolean condition = g_str_equal (action, "add-condition");

      form = new_form (self, condition ? _("Add Condition") : _("Add Medication"), _("_Add"),
                       condition ? submit_condition : submit_medication, 0);
      clinic_form_window_add_entry (form, "name", condition ? _("_Condition") : _("_Drug"), NULL);
      clinic_form_window_add_entry (form, "detail", condition ? _("_Notes") : _("D_osage"), NULL);
      clinic_form_window_add_entry (form, "start", condition ? _("_Onset (date)") : _("_Started (date)"), NULL);
    }
  else if (g_str_equal (action, "add-policy"))
    {
      form = new_form (self, _("Add Insurance Policy"), _("_Save"), submit_policy, 0);
      clinic_form_window_add_entry (form, "payer", _("_Insurer"), NULL);
      clinic_form_window_add_entry (form, "member", _("_Member ID"), p->insurance_id);
      clinic_form_window_add_entry (form, "group", _("_Group number"), NULL);
      clinic_form_window_add_entry (form, "from", _("Valid _from"), NULL);
      clinic_form_window_add_entry (form, "until", _("Valid _until (empty if open-ended)"), NULL);
      clinic_form_window_add_entry (form, "copay", _("_Copay"), "0.00");
      clinic_form_window_add_check (form, "primary", _("_Primary policy"), TRUE);
    }
  else if (g_str_equal (action, "new-note"))
    return GTK_WINDOW (open_note_form (self, NULL));
  else if (g_str_equal (action, "new-prescription"))
    return GTK_WINDOW (open_prescription_form (self, NULL));
  else if (g_str_equal (action, "edit-treatment"))
    {
      form = new_form (self, _("Treatment Plan"), _("_Save"), submit_treatment, 0);
      clinic_form_window_add_text (form, "plan", _("_Plan"), p->treatment);
    }
  else if (g_str_equal (action, "edit-details"))
    {
      form = new_form (self, _("Edit Details"), _("_Save"), submit_details, 0);
      clinic_form_window_add_entry (form, "family", _("_Family name"), p->family_name);
      clinic_form_window_add_entry (form, "given", _("_Given names"), p->given_names);
      clinic_form_window_add_entry (form, "birth", _("_Date of birth"), p->birth_date);
      clinic_form_window_add_entry (form, "phone", _("_Phone"), p->phone);
      clinic_form_window_add_entry (form, "phone2", _("S_econd phone"), p->phone2);
      clinic_form_window_add_entry (form, "email", _("E_mail"), p->email);
      clinic_form_window_add_entry (form, "address", _("_Address"), p->address);
      clinic_form_window_add_entry (form, "emergency", _("Eme_rgency contact"), p->emergency_contact);
      clinic_form_window_add_entry (form, "language", _("Preferred _language"), p->language);
      clinic_form_window_add_entry (form, "national", _("_National ID"), p->national_id);
      clinic_form_window_add_entry (form, "insurance", _("_Insurance ID"), p->insurance_id);
      clinic_form_window_add_text (form, "notes", _("N_otes"), p->notes);
      clinic_form_window_add_choice (form, "status", _("_Status"), translated (status_options, options),
                                     p->status);
    }
  else
    g_return_val_if_reached (NULL);

  gtk_window_present (GTK_WINDOW (form));
  return GTK_WINDOW (form);
}

static void
on_form_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  clinic_chart_window_open_form (CLINIC_CHART_WINDOW (widget), action_name + strlen ("chart."));
}

static void
on_no_known_allergies (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  ClinicChartWindow *self = CLINIC_CHART_WINDOW (widget);
  g_autoptr(GError) error = NULL;
  gboolean ok = clinic_chart_set_no_known_allergies (self->session, self->patient->id, &error);

  after_change (self, ok, error, _("Recorded: no known allergies"));
}

static void
on_photo_chosen (GtkNativeDialog   *chooser,
                 int                response,
                 ClinicChartWindow *self)
{
  g_autoptr(GFile) file = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
  g_object_unref (chooser);
  if (file == NULL)
    {
      g_object_unref (self);
      return;
    }
  /* A photo is small (the core takes 5 MiB at most): read at once. */
  bytes = g_file_load_bytes (file, NULL, NULL, &error);
  if (bytes != NULL && g_bytes_get_size (bytes) > CLINIC_PHOTO_MAX_SIZE)
    {
      g_clear_pointer (&bytes, g_bytes_unref);
      g_set_error_literal (&error, CLINIC_ERROR, CLINIC_ERROR_INVALID,
                           _("The picture is too large for a photo. Choose one under 5 MB."));
    }
  if (bytes == NULL || !clinic_patients_set_photo (self->session, self->patient->id, bytes, &error))
    show_error (self, error);
  else
    {
      toast (self, _("Photo saved"));
      update_header (self);
    }
  g_object_unref (self);
}

static void
on_set_photo (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  ClinicChartWindow *self = CLINIC_CHART_WINDOW (widget);
  GtkFileChooserNative *chooser;
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();

  chooser = gtk_file_chooser_native_new (_("Choose a Photo"), GTK_WINDOW (self), GTK_FILE_CHOOSER_ACTION_OPEN,
                                         _("_Set Photo"), _("_Cancel"));
  gtk_file_filter_set_name (filter, _("Pictures (PNG, JPEG, WebP)"));
  gtk_file_filter_add_mime_type (filter, "image/png");
  gtk_file_filter_add_mime_type (filter, "image/jpeg");
  gtk_file_filter_add_mime_type (filter, "image/webp");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), filter);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_signal_connect (chooser, "response", G_CALLBACK (on_photo_chosen), g_object_ref (self));
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
remove_photo (ClinicChartWindow *self,
              gint64             id)
{
  g_autoptr(GError) error = NULL;

  if (!clinic_patients_set_photo (self->session, self->patient->id, NULL, &error))
    {
      show_error (self, error);
      return;
    }
  toast (self, _("Photo removed"));
  update_header (self);
}

static void
on_remove_photo (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  confirm (CLINIC_CHART_WINDOW (widget), _("Remove Photo?"),
           _("The photo helps to tell patients apart. It is deleted from this chart."),
           _("_Remove"), remove_photo, 0);
}

static void
on_reload (GtkWidget  *widget,
           const char *action_name,
           GVariant   *parameter)
{
  clinic_chart_window_reload (CLINIC_CHART_WINDOW (widget));
}

/* --- Printing --------------------------------------------------------------------------------- */

GtkWindow *
clinic_chart_window_print_prescription (ClinicChartWindow *self,
                                        gint64             id)
{
  const ClinicPrescription *p = find_prescription (self, id);
  ClinicSettings *settings;
  g_autofree char *name = NULL;
  g_autofree char *address = NULL;
  g_autofree char *phone = NULL;
  g_autoptr(ClinicPrescriptionSheet) sheet = NULL;
  ClinicLetterhead letterhead;
  GtkWidget *window, *box, *header, *preview;

  g_return_val_if_fail (CLINIC_IS_CHART_WINDOW (self), NULL);
  if (p == NULL)
    return NULL;

  settings = clinic_settings_get_for_db (clinic_session_get_db (self->session));
  name = clinic_settings_get (settings, "clinic.name");
  address = clinic_settings_get (settings, "clinic.address");
  phone = clinic_settings_get (settings, "clinic.phone");
  letterhead.name = name;
  letterhead.address = address != NULL && *address != '\0' ? address : NULL;
  letterhead.phone = phone != NULL && *phone != '\0' ? phone : NULL;
  sheet = clinic_prescription_sheet_new (&letterhead, self->patient, p, self->chart->allergies,
                                         self->chart->allergy_state);

  window = adw_window_new ();
  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  header = adw_header_bar_new ();
  preview = clinic_document_preview_new ();
  clinic_document_preview_set_document (CLINIC_DOCUMENT_PREVIEW (preview), CLINIC_DOCUMENT (sheet));
  gtk_widget_set_vexpand (preview, TRUE);
  gtk_box_append (GTK_BOX (box), header);
  gtk_box_append (GTK_BOX (box), preview);
  adw_window_set_content (ADW_WINDOW (window), box);
  gtk_window_set_title (GTK_WINDOW (window), _("Print Prescription"));
  gtk_window_set_default_size (GTK_WINDOW (window), 720, 860);
  gtk_window_set_modal (GTK_WINDOW (window), TRUE);
  gtk_window_set_transient_for (GTK_WINDOW (window), GTK_WINDOW (self));
  clinic_window_close_on_escape (GTK_WINDOW (window));
  gtk_window_present (GTK_WINDOW (window));
  return GTK_WINDOW (window);
}

/* --- The object ------------------------------------------------------------------------------ */

static void
clinic_chart_window_dispose (GObject *object)
{
  ClinicChartWindow *self = CLINIC_CHART_WINDOW (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), CLINIC_TYPE_CHART_WINDOW);
  g_clear_pointer (&self->chart, clinic_chart_free);
  g_clear_pointer (&self->insurance, g_ptr_array_unref);
  g_clear_pointer (&self->patient, clinic_patient_free);
  g_clear_object (&self->session);
  G_OBJECT_CLASS (clinic_chart_window_parent_class)->dispose (object);
}

static void
clinic_chart_window_class_init (ClinicChartWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  static const char *const forms[] = {
    "chart.add-allergy", "chart.add-condition", "chart.add-medication", "chart.add-policy",
    "chart.new-note", "chart.new-prescription", "chart.edit-treatment", "chart.edit-details",
  };

  clinic_ensure_resources ();
  object_class->dispose = clinic_chart_window_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, "/com/example/Clinic/ui/clinic-chart-window.ui");
#define BIND(name) gtk_widget_class_bind_template_child (widget_class, ClinicChartWindow, name)
  BIND (toasts);
  BIND (stack);
  BIND (switcher_title);
  BIND (menu_button);
  BIND (avatar);
  BIND (name_label);
  BIND (identity_label);
  BIND (insurance_badge);
  BIND (status_badge);
  BIND (allergy_banner);
  BIND (allergy_icon);
  BIND (allergy_label);
  BIND (error_revealer);
  BIND (error_label);
  BIND (overview_box);
  BIND (notes_box);
  BIND (prescriptions_box);
  BIND (timeline_box);
  BIND (documents_box);
  BIND (documents_page);
  BIND (notes_page);
  BIND (prescriptions_page);
  BIND (timeline_page);
#undef BIND

  for (guint i = 0; i < G_N_ELEMENTS (forms); i++)
    gtk_widget_class_install_action (widget_class, forms[i], NULL, on_form_action);
  gtk_widget_class_install_action (widget_class, "chart.no-known-allergies", NULL, on_no_known_allergies);
  gtk_widget_class_install_action (widget_class, "chart.reload", NULL, on_reload);
  gtk_widget_class_install_action (widget_class, "chart.set-photo", NULL, on_set_photo);
  gtk_widget_class_install_action (widget_class, "chart.remove-photo", NULL, on_remove_photo);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F5, 0, "chart.reload", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_n, GDK_CONTROL_MASK, "chart.new-note", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_p, GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "chart.new-prescription", NULL);
}

static void
clinic_chart_window_init (ClinicChartWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  clinic_menu_button_set_accessible_label (self->menu_button, _("Chart Menu"));
  clinic_window_close_on_escape (GTK_WINDOW (self));
}

ClinicChartWindow *
clinic_chart_window_new (GtkWindow           *parent,
                         ClinicSession       *session,
                         const ClinicPatient *patient)
{
  ClinicChartWindow *self;

  g_return_val_if_fail (CLINIC_IS_SESSION (session), NULL);
  g_return_val_if_fail (patient != NULL, NULL);

  self = g_object_new (CLINIC_TYPE_CHART_WINDOW, NULL);
  if (parent != NULL)
    gtk_window_set_transient_for (GTK_WINDOW (self), parent);
  self->session = g_object_ref (session);
  self->patient = clinic_patient_copy (patient);
  self->can_chart = clinic_session_has_permission (session, CLINIC_PERMISSION_CHART_READ)
                    && clinic_session_get_kind (session) == CLINIC_USER_STAFF;
  self->can_write = self->can_chart && clinic_session_has_permission (session, CLINIC_PERMISSION_CHART_WRITE);
  self->can_prescribe = self->can_chart && clinic_session_has_permission (session, CLINIC_PERMISSION_PRESCRIPTIONS_WRITE);
  self->can_contact = clinic_session_has_permission (session, CLINIC_PERMISSION_PATIENTS_CONTACT_WRITE)
                      || clinic_session_has_permission (session, CLINIC_PERMISSION_PATIENTS_CONTACT_READ);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "chart.edit-details",
                                 clinic_session_has_permission (session, CLINIC_PERMISSION_PATIENTS_CONTACT_WRITE));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "chart.set-photo",
                                 clinic_session_has_permission (session, CLINIC_PERMISSION_PATIENTS_CONTACT_WRITE)
                                 && clinic_session_get_kind (session) == CLINIC_USER_STAFF);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "chart.remove-photo",
                                 clinic_session_has_permission (session, CLINIC_PERMISSION_PATIENTS_CONTACT_WRITE)
                                 && clinic_session_get_kind (session) == CLINIC_USER_STAFF);
  clinic_chart_window_reload (self);
  return self;
}
