/* clinic-patient-documents.c — the documents in a patient's chart */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "clinic-app-utils.h"
#include "clinic-document-preview.h"
#include "clinic-documents.h"
#include "clinic-patient-documents.h"
#include "clinic-pdf-document.h"

struct _ClinicPatientDocuments
{
  AdwBin           parent_instance;

  ClinicSession   *session;
  gint64           patient_id;
  GCancellable    *cancellable;

  AdwToastOverlay *toast_overlay;
  GtkWidget       *add_button;
  GtkStack        *stack;
  AdwStatusPage   *empty_page;
  GtkListBox      *list_box;
};

G_DEFINE_FINAL_TYPE (ClinicPatientDocuments, clinic_patient_documents, ADW_TYPE_BIN)

enum
{
  PROP_0,
  PROP_SESSION,
  PROP_PATIENT_ID,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

#define ROW_DOCUMENT "clinic-document"

static gboolean
may_write (ClinicPatientDocuments *self)
{
  return clinic_session_get_kind (self->session) == CLINIC_USER_STAFF
         && clinic_session_has_permission (self->session, CLINIC_PERMISSION_CHART_WRITE);
}

static void
show_toast (ClinicPatientDocuments *self,
            const char             *text)
{
  AdwToast *toast = adw_toast_new (text);

  adw_toast_set_timeout (toast, 8);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

/* "PDF", "PNG picture" … for a media type the core accepts. */
static const char *
type_name (const char *media_type)
{
  if (g_strcmp0 (media_type, "application/pdf") == 0)
    return _("PDF");
  if (g_strcmp0 (media_type, "image/png") == 0)
    return _("PNG picture");
  if (g_strcmp0 (media_type, "image/jpeg") == 0)
    return _("JPEG picture");
  if (g_strcmp0 (media_type, "image/webp") == 0)
    return _("WebP picture");
  return media_type;
}

/* --- Removing ---------------------------------------------------------- */

static void
on_remove_response (AdwMessageDialog *dialog,
                    const char       *response,
                    gpointer          user_data)
{
  g_autoptr(ClinicPatientDocuments) self = user_data;
  g_autoptr(GError) error = NULL;
  gint64 id = GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (dialog), "document-id"));

  if (g_strcmp0 (response, "remove") != 0)
    return;

  if (!clinic_documents_remove (self->session, id, &error))
    {
      g_autofree char *text = g_strdup_printf (_("The document could not be removed: %s"),
                                               error->message);

      show_toast (self, text);
      return;
    }

  clinic_patient_documents_reload (self);
  show_toast (self, _("Document removed"));
}

static void
on_remove_clicked (GtkButton *button,
                   gpointer   user_data)
{
  ClinicPatientDocuments *self = user_data;
  ClinicPatientDocument *document = g_object_get_data (G_OBJECT (button), ROW_DOCUMENT);
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  AdwMessageDialog *dialog;

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                                       _("Remove Document?"), NULL));
  adw_message_dialog_format_body (dialog,
                                  _("“%s” will be removed from the chart for good. The audit trail keeps a record of who removed it and when."),
                                  document->title);
  adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), "remove", _("_Remove"), NULL);
  adw_message_dialog_set_response_appearance (dialog, "remove", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (dialog, "cancel");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_object_set_data (G_OBJECT (dialog), "document-id", GSIZE_TO_POINTER ((gsize) document->id));
  g_signal_connect (dialog, "response", G_CALLBACK (on_remove_response), g_object_ref (self));
  gtk_window_present (GTK_WINDOW (dialog));
}

/* --- The list ---------------------------------------------------------- */

static GtkWidget *
make_row (ClinicPatientDocuments *self,
          ClinicPatientDocument  *document,
          gboolean                writable)
{
  g_autoptr(GDateTime) added = g_date_time_new_from_unix_local (document->added_at);
  g_autofree char *date = added != NULL ? g_date_time_format (added, "%x") : g_strdup ("");
  g_autofree char *size = g_format_size ((guint64) document->size);
  g_autofree char *subtitle = NULL;
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *icon;

  if (*document->added_by != '\0')
    /* Translators: type · date · size · who added the document */
    subtitle = g_strdup_printf (_("%s · %s · %s · added by %s"), type_name (document->media_type),
                                date, size, document->added_by);
  else
    subtitle = g_strdup_printf (_("%s · %s · %s"), type_name (document->media_type), date, size);

  /* Titles are typed by people: never markup. */
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), document->title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
  gtk_widget_set_tooltip_text (row, _("Open the document"));

  icon = gtk_image_new_from_icon_name (clinic_patient_document_is_pdf (document)
                                       ? "x-office-document-symbolic" : "image-x-generic-symbolic");
  gtk_accessible_update_property (GTK_ACCESSIBLE (icon), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  type_name (document->media_type), -1);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), icon);

  if (writable)
    {
      GtkWidget *remove = gtk_button_new_from_icon_name ("user-trash-symbolic");
      g_autofree char *label = g_strdup_printf (_("Remove “%s”"), document->title);

      gtk_widget_set_valign (remove, GTK_ALIGN_CENTER);
      gtk_widget_set_tooltip_text (remove, _("Remove"));
      gtk_accessible_update_property (GTK_ACCESSIBLE (remove), GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
      gtk_widget_add_css_class (remove, "flat");
      g_object_set_data_full (G_OBJECT (remove), ROW_DOCUMENT,
                              clinic_patient_document_copy (document),
                              (GDestroyNotify) clinic_patient_document_free);
      g_signal_connect (remove, "clicked", G_CALLBACK (on_remove_clicked), self);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), remove);
    }

  g_object_set_data_full (G_OBJECT (row), ROW_DOCUMENT, clinic_patient_document_copy (document),
                          (GDestroyNotify) clinic_patient_document_free);
  return row;
}

void
clinic_patient_documents_reload (ClinicPatientDocuments *self)
{
  g_autoptr(GPtrArray) documents = NULL;
  g_autoptr(GError) error = NULL;
  gboolean writable;
  GtkWidget *child;

  g_return_if_fail (CLINIC_IS_PATIENT_DOCUMENTS (self));

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->list_box))) != NULL)
    gtk_list_box_remove (self->list_box, child);

  writable = may_write (self);
  gtk_widget_set_visible (self->add_button, writable);

  documents = clinic_documents_list (self->session, self->patient_id, &error);
  if (documents == NULL)
    {
      adw_status_page_set_title (self->empty_page, _("Documents Cannot Be Shown"));
      adw_status_page_set_description (self->empty_page, error->message);
      gtk_stack_set_visible_child_name (self->stack, "empty");
      return;
    }

  for (guint i = 0; i < documents->len; i++)
    gtk_list_box_append (self->list_box, make_row (self, g_ptr_array_index (documents, i), writable));

  adw_status_page_set_title (self->empty_page, _("No Documents"));
  adw_status_page_set_description (self->empty_page,
                                   writable ? _("Letters, results and pictures attached to the chart appear here.")
                                            : NULL);
  gtk_stack_set_visible_child_name (self->stack, documents->len > 0 ? "list" : "empty");
}

/* --- Opening ----------------------------------------------------------- */

static GtkWindow *
open_document (ClinicPatientDocuments *self,
               ClinicPatientDocument  *document)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) content = NULL;
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkWidget *window;
  GtkWidget *header;
  GtkWidget *view;

  content = clinic_documents_read (self->session, document->id, &error);
  if (content != NULL && clinic_patient_document_is_pdf (document))
    {
      g_autoptr(ClinicDocument) pdf = clinic_pdf_document_new (content, document->title, &error);

      view = pdf != NULL ? clinic_document_preview_new () : NULL;
      if (view != NULL)
        clinic_document_preview_set_document (CLINIC_DOCUMENT_PREVIEW (view), pdf);
    }
  else if (content != NULL)
    {
      g_autoptr(GdkTexture) texture = gdk_texture_new_from_bytes (content, &error);

      view = texture != NULL ? gtk_picture_new_for_paintable (GDK_PAINTABLE (texture)) : NULL;
      if (view != NULL)
        {
          /* Scaled to the window, never cropped nor stretched. */
          gtk_picture_set_content_fit (GTK_PICTURE (view), GTK_CONTENT_FIT_CONTAIN);
          gtk_picture_set_alternative_text (GTK_PICTURE (view), document->title);
          gtk_widget_set_hexpand (view, TRUE);
          gtk_widget_set_vexpand (view, TRUE);
        }
    }
  else
    view = NULL;

  if (view == NULL)
    {
      g_autofree char *text = g_strdup_printf (_("“%s” cannot be opened: %s"), document->title,
                                               error->message);

      show_toast (self, text);
      return NULL;
    }

  window = gtk_window_new ();
  gtk_window_set_title (GTK_WINDOW (window), document->title);
  gtk_window_set_default_size (GTK_WINDOW (window), 820, 900);
  if (GTK_IS_WINDOW (root))
    gtk_window_set_transient_for (GTK_WINDOW (window), GTK_WINDOW (root));
  gtk_window_set_destroy_with_parent (GTK_WINDOW (window), TRUE);
  header = adw_header_bar_new ();
  gtk_window_set_titlebar (GTK_WINDOW (window), header);
  gtk_window_set_child (GTK_WINDOW (window), view);
  clinic_window_close_on_escape (GTK_WINDOW (window));
  gtk_window_present (GTK_WINDOW (window));

  return GTK_WINDOW (window);
}

static void
on_row_activated (ClinicPatientDocuments *self,
                  GtkListBoxRow          *row)
{
  ClinicPatientDocument *document = g_object_get_data (G_OBJECT (row), ROW_DOCUMENT);

  if (document != NULL)
    open_document (self, document);
}

GtkWindow *
clinic_patient_documents_open (ClinicPatientDocuments *self,
                               gint64                  document_id)
{
  g_return_val_if_fail (CLINIC_IS_PATIENT_DOCUMENTS (self), NULL);

  for (GtkWidget *row = gtk_widget_get_first_child (GTK_WIDGET (self->list_box));
       row != NULL; row = gtk_widget_get_next_sibling (row))
    {
      ClinicPatientDocument *document = g_object_get_data (G_OBJECT (row), ROW_DOCUMENT);

      if (document != NULL && document->id == document_id)
        return open_document (self, document);
    }

  return NULL;
}

/* --- Adding ------------------------------------------------------------ */

static void
on_file_loaded (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(ClinicPatientDocuments) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) content = NULL;
  g_autofree char *name = NULL;
  g_autofree char *title = NULL;
  char *dot;

  content = g_file_load_bytes_finish (G_FILE (source), result, NULL, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  name = g_file_get_basename (G_FILE (source));
  if (content == NULL)
    {
      g_autofree char *text = g_strdup_printf (_("“%s” could not be read: %s"), name, error->message);

      show_toast (self, text);
      return;
    }

  /* The file's name without its extension is the first title; it can be
   * the only one, so it must say something. */
  title = g_filename_display_name (name);
  dot = strrchr (title, '.');
  if (dot != NULL && dot != title)
    *dot = '\0';

  if (clinic_documents_add (self->session, self->patient_id, title, NULL, content, &error) == 0)
    {
      g_autofree char *text = g_strdup_printf (_("“%s” was not added: %s"), name, error->message);

      show_toast (self, text);
      return;
    }

  clinic_patient_documents_reload (self);
  show_toast (self, _("Document added"));
}

static void
on_chooser_response (GtkNativeDialog *dialog,
                     int              response,
                     gpointer         user_data)
{
  g_autoptr(ClinicPatientDocuments) self = user_data;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));

      /* Read without blocking the window; a large scan takes a moment. */
      if (file != NULL)
        g_file_load_bytes_async (file, self->cancellable, on_file_loaded, g_object_ref (self));
    }

  g_object_unref (dialog);
}

static GtkFileFilter *
make_filter (const char          *name,
             const char * const  *types,
             const char * const  *patterns)
{
  GtkFileFilter *filter = gtk_file_filter_new ();

  gtk_file_filter_set_name (filter, name);
  for (gsize i = 0; types[i] != NULL; i++)
    gtk_file_filter_add_mime_type (filter, types[i]);
  for (gsize i = 0; patterns[i] != NULL; i++)
    gtk_file_filter_add_suffix (filter, patterns[i]);

  return filter;
}

static void
on_add_clicked (ClinicPatientDocuments *self)
{
  static const char *const all_types[] = { "application/pdf", "image/png", "image/jpeg", "image/webp", NULL };
  static const char *const all_suffixes[] = { "pdf", "png", "jpg", "jpeg", "webp", NULL };
  static const char *const pdf_types[] = { "application/pdf", NULL };
  static const char *const pdf_suffixes[] = { "pdf", NULL };
  static const char *const image_suffixes[] = { "png", "jpg", "jpeg", "webp", NULL };
  g_autoptr(GtkFileFilter) all = NULL;
  g_autoptr(GtkFileFilter) pdf = NULL;
  g_autoptr(GtkFileFilter) images = NULL;
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkFileChooserNative *dialog;

  dialog = gtk_file_chooser_native_new (_("Add Document"),
                                        GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                        GTK_FILE_CHOOSER_ACTION_OPEN, _("_Add"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (dialog), TRUE);

  all = make_filter (_("PDF Documents and Pictures"), all_types, all_suffixes);
  pdf = make_filter (_("PDF Documents"), pdf_types, pdf_suffixes);
  images = make_filter (_("Pictures (PNG, JPEG, WebP)"), all_types + 1, image_suffixes);
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (dialog), all);
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (dialog), pdf);
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (dialog), images);

  g_signal_connect (dialog, "response", G_CALLBACK (on_chooser_response), g_object_ref (self));
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

/* --- The object -------------------------------------------------------- */

static void
clinic_patient_documents_constructed (GObject *object)
{
  ClinicPatientDocuments *self = CLINIC_PATIENT_DOCUMENTS (object);

  G_OBJECT_CLASS (clinic_patient_documents_parent_class)->constructed (object);

  clinic_patient_documents_reload (self);
}

static void
clinic_patient_documents_get_property (GObject    *object,
                                       guint       prop_id,
                                       GValue     *value,
                                       GParamSpec *pspec)
{
  ClinicPatientDocuments *self = CLINIC_PATIENT_DOCUMENTS (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      g_value_set_object (value, self->session);
      break;
    case PROP_PATIENT_ID:
      g_value_set_int64 (value, self->patient_id);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
clinic_patient_documents_set_property (GObject      *object,
                                       guint         prop_id,
                                       const GValue *value,
                                       GParamSpec   *pspec)
{
  ClinicPatientDocuments *self = CLINIC_PATIENT_DOCUMENTS (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      self->session = g_value_dup_object (value);
      break;
    case PROP_PATIENT_ID:
      self->patient_id = g_value_get_int64 (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
clinic_patient_documents_dispose (GObject *object)
{
  ClinicPatientDocuments *self = CLINIC_PATIENT_DOCUMENTS (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->session);
  /* No gtk_widget_dispose_template(): AdwBin unparents its child itself. */

  G_OBJECT_CLASS (clinic_patient_documents_parent_class)->dispose (object);
}

static void
clinic_patient_documents_class_init (ClinicPatientDocumentsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  clinic_ensure_resources ();

  object_class->constructed = clinic_patient_documents_constructed;
  object_class->get_property = clinic_patient_documents_get_property;
  object_class->set_property = clinic_patient_documents_set_property;
  object_class->dispose = clinic_patient_documents_dispose;

  properties[PROP_SESSION] =
    g_param_spec_object ("session", NULL, NULL, CLINIC_TYPE_SESSION,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PATIENT_ID] =
    g_param_spec_int64 ("patient-id", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/com/example/Clinic/ui/clinic-patient-documents.ui");
  gtk_widget_class_bind_template_child (widget_class, ClinicPatientDocuments, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, ClinicPatientDocuments, add_button);
  gtk_widget_class_bind_template_child (widget_class, ClinicPatientDocuments, stack);
  gtk_widget_class_bind_template_child (widget_class, ClinicPatientDocuments, empty_page);
  gtk_widget_class_bind_template_child (widget_class, ClinicPatientDocuments, list_box);
  gtk_widget_class_bind_template_callback (widget_class, on_add_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_row_activated);
}

static void
clinic_patient_documents_init (ClinicPatientDocuments *self)
{
  self->cancellable = g_cancellable_new ();
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
clinic_patient_documents_new (ClinicSession *session,
                              gint64         patient_id)
{
  g_return_val_if_fail (CLINIC_IS_SESSION (session), NULL);

  return g_object_new (CLINIC_TYPE_PATIENT_DOCUMENTS,
                       "session", session,
                       "patient-id", patient_id,
                       NULL);
}

GdkTexture *
clinic_patient_photo_texture (ClinicSession *session,
                              gint64         patient_id)
{
  g_autoptr(GBytes) photo = NULL;

  g_return_val_if_fail (CLINIC_IS_SESSION (session), NULL);

  photo = clinic_patients_dup_photo (session, patient_id, NULL);
  if (photo == NULL)
    return NULL;

  return gdk_texture_new_from_bytes (photo, NULL);
}

void
clinic_patient_avatar_update (GtkWidget           *avatar,
                              ClinicSession       *session,
                              const ClinicPatient *patient)
{
  g_autofree char *name = NULL;
  g_autoptr(GdkTexture) photo = NULL;

  g_return_if_fail (ADW_IS_AVATAR (avatar));

  if (patient == NULL)
    {
      adw_avatar_set_text (ADW_AVATAR (avatar), NULL);
      adw_avatar_set_custom_image (ADW_AVATAR (avatar), NULL);
      return;
    }
  name = g_strdup_printf ("%s %s", patient->given_names, patient->family_name);
  adw_avatar_set_text (ADW_AVATAR (avatar), name);
  /* Decrypted only for the rows that have one. */
  if (patient->has_photo && session != NULL)
    photo = clinic_patient_photo_texture (session, patient->id);
  adw_avatar_set_custom_image (ADW_AVATAR (avatar), photo != NULL ? GDK_PAINTABLE (photo) : NULL);
}

GtkWidget *
clinic_patient_avatar_new (ClinicSession       *session,
                           const ClinicPatient *patient,
                           int                  size)
{
  GtkWidget *avatar = adw_avatar_new (size, NULL, TRUE);

  gtk_widget_set_valign (avatar, GTK_ALIGN_CENTER);
  clinic_patient_avatar_update (avatar, session, patient);
  return avatar;
}
