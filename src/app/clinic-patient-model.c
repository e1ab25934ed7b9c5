/* clinic-patient-model.c — the registry as a list model that pages itself */

#include "config.h"

#include "clinic-patient-model.h"

#define PAGE_SIZE   100
#define MAX_PAGES   12      /* pages kept; the rest are read again when shown */
#define FIRST_LIMIT 1000    /* matches counted on a keystroke */

/* --- ClinicPatientRow ----------------------------------------------------- */

struct _ClinicPatientRow
{
  GObject        parent_instance;

  ClinicPatient *patient;
};

G_DEFINE_FINAL_TYPE (ClinicPatientRow, clinic_patient_row, G_TYPE_OBJECT)

static void
clinic_patient_row_finalize (GObject *object)
{
  g_clear_pointer (&CLINIC_PATIENT_ROW (object)->patient, clinic_patient_free);

  G_OBJECT_CLASS (clinic_patient_row_parent_class)->finalize (object);
}

static void
clinic_patient_row_class_init (ClinicPatientRowClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = clinic_patient_row_finalize;
}

static void
clinic_patient_row_init (ClinicPatientRow *self)
{
}

const ClinicPatient *
clinic_patient_row_get_patient (ClinicPatientRow *self)
{
  g_return_val_if_fail (CLINIC_IS_PATIENT_ROW (self), NULL);

  return self->patient;
}

static ClinicPatientRow *
row_new (ClinicPatient *patient)
{
  ClinicPatientRow *row = g_object_new (CLINIC_TYPE_PATIENT_ROW, NULL);

  row->patient = patient;
  return row;
}

/* --- ClinicPatientModel --------------------------------------------------- */

struct _ClinicPatientModel
{
  GObject              parent_instance;

  ClinicSession       *session;
  char                *query;
  ClinicPatientFilter  filter;
  char                *treatment;      /* owned copy of filter.treatment */
  guint                n_items;
  gboolean             more;           /* the count stopped at filter.count_limit */
  GHashTable          *pages;          /* page number → GPtrArray of ClinicPatientRow */
  guint                grow_source;
};

static void clinic_patient_model_list_model_init (GListModelInterface *iface);

enum { PROP_0, PROP_N_ITEMS, N_PROPS };
static GParamSpec *props[N_PROPS];

G_DEFINE_FINAL_TYPE_WITH_CODE (ClinicPatientModel, clinic_patient_model, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL,
                                                      clinic_patient_model_list_model_init))

static GType
clinic_patient_model_get_item_type (GListModel *model)
{
  return CLINIC_TYPE_PATIENT_ROW;
}

static guint
clinic_patient_model_get_n_items (GListModel *model)
{
  return CLINIC_PATIENT_MODEL (model)->n_items;
}

/* The rows of a page; takes the patients out of @patients. */
static GPtrArray *
rows_from (GPtrArray *patients)
{
  GPtrArray *rows = g_ptr_array_new_full (patients->len, g_object_unref);

  g_ptr_array_set_free_func (patients, NULL);
  for (guint i = 0; i < patients->len; i++)
    g_ptr_array_add (rows, row_new (g_ptr_array_index (patients, i)));
  g_ptr_array_set_size (patients, 0);
  return rows;
}

/* Reads page @page (never audited: the search run it belongs to is). */
static GPtrArray *
read_page (ClinicPatientModel *self,
           guint               page)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) patients = NULL;

  patients = clinic_patients_search (self->session, self->query, &self->filter,
                                     page * PAGE_SIZE, PAGE_SIZE, NULL, &error);
  if (patients == NULL)
    {
      g_debug ("Could not read page %u of the registry: %s", page, error->message);
      return g_ptr_array_new_with_free_func (g_object_unref);
    }
  return rows_from (patients);
}

static gboolean
grow_in_idle (gpointer data)
{
  ClinicPatientModel *self = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) first = NULL;
  guint before = self->n_items, total = 0;

  self->grow_source = 0;
  /* Ten times as many as counted so far; offset 1 so it is not a new
   * search run in the audit trail. */
  self->filter.count_limit = MAX (self->filter.count_limit * 10, FIRST_LIMIT);
  first = clinic_patients_search (self->session, self->query, &self->filter, 1, 1, &total, &error);
  if (first == NULL)
    {
      g_debug ("Could not count the registry: %s", error->message);
      return G_SOURCE_REMOVE;
    }
  self->more = total > self->filter.count_limit;
  self->n_items = MIN (total, self->filter.count_limit);
  if (self->n_items > before)
    g_list_model_items_changed (G_LIST_MODEL (self), before, 0, self->n_items - before);
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_N_ITEMS]);

  return G_SOURCE_REMOVE;
}

static gpointer
clinic_patient_model_get_item (GListModel *model,
                               guint       position)
{
  ClinicPatientModel *self = CLINIC_PATIENT_MODEL (model);
  guint page = position / PAGE_SIZE;
  GPtrArray *rows;

  if (position >= self->n_items)
    return NULL;

  rows = g_hash_table_lookup (self->pages, GUINT_TO_POINTER (page));
  if (rows == NULL)
    {
      /* Page 0 stays: reading it again would count as a new search run
       * in the audit trail. */
      if (g_hash_table_size (self->pages) >= MAX_PAGES)
        {
          GPtrArray *first = g_hash_table_lookup (self->pages, GUINT_TO_POINTER (0));

          if (first != NULL)
            g_hash_table_steal (self->pages, GUINT_TO_POINTER (0));
          g_hash_table_remove_all (self->pages);
          if (first != NULL)
            g_hash_table_insert (self->pages, GUINT_TO_POINTER (0), first);
        }
      rows = read_page (self, page);
      g_hash_table_insert (self->pages, GUINT_TO_POINTER (page), rows);
    }

  /* Near the end of what was counted: count further, soon (a list model
   * must not change while it is being read). */
  if (self->more && self->grow_source == 0 && position + PAGE_SIZE >= self->n_items)
    self->grow_source = g_idle_add (grow_in_idle, self);

  if (position % PAGE_SIZE < rows->len)
    return g_object_ref (g_ptr_array_index (rows, position % PAGE_SIZE));
  /* Rows that went away since the count (or a failed read). */
  return row_new (NULL);
}

static void
clinic_patient_model_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = clinic_patient_model_get_item_type;
  iface->get_n_items = clinic_patient_model_get_n_items;
  iface->get_item = clinic_patient_model_get_item;
}

static void
clinic_patient_model_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  switch (prop_id)
    {
    case PROP_N_ITEMS:
      g_value_set_uint (value, CLINIC_PATIENT_MODEL (object)->n_items);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
clinic_patient_model_finalize (GObject *object)
{
  ClinicPatientModel *self = CLINIC_PATIENT_MODEL (object);

  g_clear_handle_id (&self->grow_source, g_source_remove);
  g_clear_object (&self->session);
  g_clear_pointer (&self->query, g_free);
  g_clear_pointer (&self->treatment, g_free);
  g_clear_pointer (&self->pages, g_hash_table_unref);

  G_OBJECT_CLASS (clinic_patient_model_parent_class)->finalize (object);
}

static void
clinic_patient_model_class_init (ClinicPatientModelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = clinic_patient_model_finalize;
  object_class->get_property = clinic_patient_model_get_property;

  props[PROP_N_ITEMS] = g_param_spec_uint ("n-items", NULL, NULL, 0, G_MAXUINT, 0,
                                           G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, props);
}

static void
clinic_patient_model_init (ClinicPatientModel *self)
{
  self->pages = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) g_ptr_array_unref);
  clinic_patient_filter_init (&self->filter);
}

ClinicPatientModel *
clinic_patient_model_new (ClinicSession *session)
{
  ClinicPatientModel *self = g_object_new (CLINIC_TYPE_PATIENT_MODEL, NULL);

  self->session = g_object_ref (session);
  return self;
}

gboolean
clinic_patient_model_search (ClinicPatientModel         *self,
                             const char                 *query,
                             const ClinicPatientFilter  *filter,
                             GError                    **error)
{
  g_autoptr(GPtrArray) patients = NULL;
  guint before = self->n_items, total = 0;

  g_return_val_if_fail (CLINIC_IS_PATIENT_MODEL (self), FALSE);

  g_clear_handle_id (&self->grow_source, g_source_remove);
  g_hash_table_remove_all (self->pages);
  g_free (self->query);
  self->query = g_strdup (query ? query : "");
  g_free (self->treatment);
  if (filter != NULL)
    self->filter = *filter;
  else
    clinic_patient_filter_init (&self->filter);
  self->treatment = g_strdup (self->filter.treatment);
  self->filter.treatment = self->treatment;
  self->filter.count_limit = FIRST_LIMIT;

  patients = clinic_patients_search (self->session, self->query, &self->filter, 0, PAGE_SIZE, &total, error);
  if (patients == NULL)
    {
      self->n_items = 0;
      self->more = FALSE;
    }
  else
    {
      self->more = total > self->filter.count_limit;
      self->n_items = MIN (total, self->filter.count_limit);
      g_hash_table_insert (self->pages, GUINT_TO_POINTER (0), rows_from (patients));
    }

  g_list_model_items_changed (G_LIST_MODEL (self), 0, before, self->n_items);
  if (before != self->n_items)
    g_object_notify_by_pspec (G_OBJECT (self), props[PROP_N_ITEMS]);
  return patients != NULL;
}

guint
clinic_patient_model_get_count (ClinicPatientModel *self,
                                gboolean           *more)
{
  g_return_val_if_fail (CLINIC_IS_PATIENT_MODEL (self), 0);

  if (more != NULL)
    *more = self->more;
  return self->n_items;
}
