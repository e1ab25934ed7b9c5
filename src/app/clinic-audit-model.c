/* clinic-audit-model.c — the audit trail as a list that pages itself */

#include "config.h"

#include "clinic-audit-model.h"

/* --- ClinicAuditRow ---------------------------------------------------- */

struct _ClinicAuditRow
{
  GObject           parent_instance;

  ClinicAuditEntry *entry;
};

G_DEFINE_FINAL_TYPE (ClinicAuditRow, clinic_audit_row, G_TYPE_OBJECT)

static void
clinic_audit_row_finalize (GObject *object)
{
  ClinicAuditRow *self = CLINIC_AUDIT_ROW (object);

  g_clear_pointer (&self->entry, clinic_audit_entry_free);

  G_OBJECT_CLASS (clinic_audit_row_parent_class)->finalize (object);
}

static void
clinic_audit_row_class_init (ClinicAuditRowClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = clinic_audit_row_finalize;
}

static void
clinic_audit_row_init (ClinicAuditRow *self)
{
}

const ClinicAuditEntry *
clinic_audit_row_get_entry (ClinicAuditRow *self)
{
  g_return_val_if_fail (CLINIC_IS_AUDIT_ROW (self), NULL);

  return self->entry;
}

/* --- ClinicAuditModel -------------------------------------------------- */

struct _ClinicAuditModel
{
  GObject        parent_instance;

  ClinicSession *session;
  guint          window;
  GPtrArray     *rows;          /* ClinicAuditRow */
  gboolean       more;
  guint          fetch_source;

  /* The filter, owning its strings. */
  char          *user_name;
  char          *action;
  gint64         patient_id;
  gint64         from_time;
  gint64         to_time;
};

static void clinic_audit_model_list_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (ClinicAuditModel, clinic_audit_model, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL,
                                                      clinic_audit_model_list_model_init))

static GType
clinic_audit_model_get_item_type (GListModel *model)
{
  return CLINIC_TYPE_AUDIT_ROW;
}

static guint
clinic_audit_model_get_n_items (GListModel *model)
{
  return CLINIC_AUDIT_MODEL (model)->rows->len;
}

static gboolean
fetch_in_idle (gpointer data)
{
  ClinicAuditModel *self = data;
  g_autoptr(GError) error = NULL;

  self->fetch_source = 0;
  clinic_audit_model_fetch_more (self, &error);
  if (error != NULL)
    g_debug ("Could not read more audit entries: %s", error->message);

  return G_SOURCE_REMOVE;
}

static gpointer
clinic_audit_model_get_item (GListModel *model,
                             guint       position)
{
  ClinicAuditModel *self = CLINIC_AUDIT_MODEL (model);

  if (position >= self->rows->len)
    return NULL;

  /* The view asks for rows near the end: read the next window soon (not
   * now, since a list model must not change while it is being read). */
  if (self->more && self->fetch_source == 0 &&
      position + self->window / 4 >= self->rows->len)
    self->fetch_source = g_idle_add (fetch_in_idle, self);

  return g_object_ref (g_ptr_array_index (self->rows, position));
}

static void
clinic_audit_model_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = clinic_audit_model_get_item_type;
  iface->get_n_items = clinic_audit_model_get_n_items;
  iface->get_item = clinic_audit_model_get_item;
}

guint
clinic_audit_model_fetch_more (ClinicAuditModel *self,
                               GError          **error)
{
  ClinicAuditFilter filter = {
    .user_name = self->user_name,
    .action = self->action,
    .patient_id = self->patient_id,
    .from_time = self->from_time,
    .to_time = self->to_time,
  };
  g_autoptr(GPtrArray) entries = NULL;
  g_autofree gpointer *taken = NULL;
  guint before;
  guint n;

  g_return_val_if_fail (CLINIC_IS_AUDIT_MODEL (self), 0);

  if (!self->more)
    return 0;

  /* Each window starts below the oldest row held, not at an offset, so
   * entries written meanwhile (a lock and an unlock, clinicctl) cannot
   * shift it and show rows twice; they appear when the filter is applied
   * again. */
  if (self->rows->len > 0)
    filter.before_seq = ((ClinicAuditRow *) g_ptr_array_index (self->rows, self->rows->len - 1))->entry->seq;
  entries = clinic_audit_list (self->session, &filter, 0, self->window, error);
  if (entries == NULL)
    {
      self->more = FALSE;
      return 0;
    }

  before = self->rows->len;
  n = entries->len;
  taken = g_ptr_array_steal (entries, NULL);
  for (gsize i = 0; i < n; i++)
    {
      ClinicAuditRow *row = g_object_new (CLINIC_TYPE_AUDIT_ROW, NULL);

      row->entry = taken[i];
      g_ptr_array_add (self->rows, row);
    }
  self->more = n == self->window;

  if (n > 0)
    g_list_model_items_changed (G_LIST_MODEL (self), before, 0, n);

  return n;
}

gboolean
clinic_audit_model_has_more (ClinicAuditModel *self)
{
  g_return_val_if_fail (CLINIC_IS_AUDIT_MODEL (self), FALSE);

  return self->more;
}

gboolean
clinic_audit_model_set_filter (ClinicAuditModel        *self,
                               const ClinicAuditFilter *filter,
                               GError                 **error)
{
  guint removed;
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (CLINIC_IS_AUDIT_MODEL (self), FALSE);

  g_clear_handle_id (&self->fetch_source, g_source_remove);
  g_clear_pointer (&self->user_name, g_free);
  g_clear_pointer (&self->action, g_free);
  self->patient_id = self->from_time = self->to_time = 0;
  if (filter != NULL)
    {
      self->user_name = g_strdup (filter->user_name);
      self->action = g_strdup (filter->action);
      self->patient_id = filter->patient_id;
      self->from_time = filter->from_time;
      self->to_time = filter->to_time;
    }

  removed = self->rows->len;
  g_ptr_array_set_size (self->rows, 0);
  if (removed > 0)
    g_list_model_items_changed (G_LIST_MODEL (self), 0, removed, 0);

  self->more = TRUE;
  clinic_audit_model_fetch_more (self, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  return TRUE;
}

ClinicAuditModel *
clinic_audit_model_new (ClinicSession *session,
                        guint          window)
{
  ClinicAuditModel *self;

  g_return_val_if_fail (CLINIC_IS_SESSION (session), NULL);
  g_return_val_if_fail (window > 0, NULL);

  self = g_object_new (CLINIC_TYPE_AUDIT_MODEL, NULL);
  self->session = g_object_ref (session);
  self->window = window;

  return self;
}

static void
clinic_audit_model_dispose (GObject *object)
{
  ClinicAuditModel *self = CLINIC_AUDIT_MODEL (object);

  g_clear_handle_id (&self->fetch_source, g_source_remove);
  g_clear_object (&self->session);

  G_OBJECT_CLASS (clinic_audit_model_parent_class)->dispose (object);
}

static void
clinic_audit_model_finalize (GObject *object)
{
  ClinicAuditModel *self = CLINIC_AUDIT_MODEL (object);

  g_ptr_array_unref (self->rows);
  g_free (self->user_name);
  g_free (self->action);

  G_OBJECT_CLASS (clinic_audit_model_parent_class)->finalize (object);
}

static void
clinic_audit_model_class_init (ClinicAuditModelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = clinic_audit_model_dispose;
  object_class->finalize = clinic_audit_model_finalize;
}

static void
clinic_audit_model_init (ClinicAuditModel *self)
{
  self->rows = g_ptr_array_new_with_free_func (g_object_unref);
}
