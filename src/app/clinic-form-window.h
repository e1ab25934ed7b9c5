/* clinic-form-window.h — a small modal form: fields, Cancel and one action
 *
 * For the many short forms of the chart (an allergy, a policy, a visit
 * note, a prescription): fields are added by key, the action runs a
 * callback, and a refusal from the core is shown in the window, which
 * stays open with everything typed still there. Enter in a one-line field
 * and Ctrl+Enter anywhere run the action; Escape cancels.
 */

#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define CLINIC_TYPE_FORM_WINDOW (clinic_form_window_get_type ())

G_DECLARE_FINAL_TYPE (ClinicFormWindow, clinic_form_window, CLINIC, FORM_WINDOW, AdwWindow)

/* Runs the action; TRUE closes the form, FALSE with @error shows
 * @error's message in the form. */
typedef gboolean (*ClinicFormSubmitFunc) (ClinicFormWindow  *form,
                                          gpointer           user_data,
                                          GError           **error);

ClinicFormWindow *clinic_form_window_new         (GtkWindow            *parent,
                                                  const char           *title,
                                                  const char           *action_label,
                                                  ClinicFormSubmitFunc  submit,
                                                  gpointer              user_data,
                                                  GDestroyNotify        destroy);

/* A line of text above the fields; @warning shows it in the error colour. */
void              clinic_form_window_add_notice  (ClinicFormWindow     *self,
                                                  const char           *text,
                                                  gboolean              warning);
/* A one-line field; @label may hold a mnemonic ("_Drug"). */
void              clinic_form_window_add_entry   (ClinicFormWindow     *self,
                                                  const char           *key,
                                                  const char           *label,
                                                  const char           *value);
/* A field of several lines. */
void              clinic_form_window_add_text    (ClinicFormWindow     *self,
                                                  const char           *key,
                                                  const char           *label,
                                                  const char           *value);
/* A choice among @options (NULL-terminated, shown as given). */
void              clinic_form_window_add_choice  (ClinicFormWindow     *self,
                                                  const char           *key,
                                                  const char           *label,
                                                  const char *const    *options,
                                                  guint                 active);
/* A whole number from @min to @max. */
void              clinic_form_window_add_number  (ClinicFormWindow     *self,
                                                  const char           *key,
                                                  const char           *label,
                                                  int                   min,
                                                  int                   max,
                                                  int                   value);
/* A check box. */
void              clinic_form_window_add_check   (ClinicFormWindow     *self,
                                                  const char           *key,
                                                  const char           *label,
                                                  gboolean              active);

/* The values; the text is newly allocated. */
char             *clinic_form_window_get_text    (ClinicFormWindow     *self,
                                                  const char           *key);
guint             clinic_form_window_get_choice  (ClinicFormWindow     *self,
                                                  const char           *key);
int               clinic_form_window_get_number  (ClinicFormWindow     *self,
                                                  const char           *key);
gboolean          clinic_form_window_get_check   (ClinicFormWindow     *self,
                                                  const char           *key);
/* Sets the text of a one-line or several-line field (tests, defaults). */
void              clinic_form_window_set_text    (ClinicFormWindow     *self,
                                                  const char           *key,
                                                  const char           *value);

/* Runs the action as the button does. */
void              clinic_form_window_submit      (ClinicFormWindow     *self);
/* The message shown after a refusal, or NULL. */
const char       *clinic_form_window_get_error   (ClinicFormWindow     *self);

G_END_DECLS
