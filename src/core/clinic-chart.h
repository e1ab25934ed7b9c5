/* clinic-chart.h — the patient's chart: insurance, allergies, conditions,
 * medications, visit notes with addenda, prescriptions, and the timeline
 *
 * Reading the clinical chart needs CHART_READ and is audited once per
 * clinic_chart_load() ("chart.opened"). Writing needs CHART_WRITE,
 * prescriptions PRESCRIPTIONS_WRITE. Insurance is the front desk's: it is
 * read with PATIENTS_CONTACT_READ (a patient reads their own) and written
 * with PATIENTS_CONTACT_WRITE by staff.
 *
 * Notes and prescriptions start as drafts that only their author may
 * change or discard; the author signs them, which stores the SHA-256 of the
 * signed content and locks the row (the core refuses, and triggers in the
 * schema refuse too). A signed note is corrected by dated addenda.
 */

#pragma once

#include "clinic-session.h"

G_BEGIN_DECLS

/* --- Insurance ---------------------------------------------------------- */

typedef enum
{
  CLINIC_INSURANCE_NONE,          /* no policy covers the day */
  CLINIC_INSURANCE_ACTIVE,
  CLINIC_INSURANCE_EXPIRES_SOON,  /* covered, ends within CLINIC_INSURANCE_SOON_DAYS */
  CLINIC_INSURANCE_EXPIRED,       /* a policy ended before the day, none covers it */
} ClinicInsuranceStatus;

#define CLINIC_INSURANCE_SOON_DAYS 30

typedef struct
{
  gint64    id;             /* 0 for a new policy */
  gint64    patient_id;
  char     *payer;
  char     *member_id;
  char     *group_number;   /* "" when none */
  char     *valid_from;     /* ISO date */
  char     *valid_until;    /* ISO date, "" when open-ended */
  gint64    copay_cents;
  gboolean  is_primary;
} ClinicInsurancePolicy;

ClinicInsurancePolicy *clinic_insurance_policy_new  (void);
void                   clinic_insurance_policy_free (ClinicInsurancePolicy *policy);

/* The status on @date (ISO) from @policies (of one patient); @covering is
 * set to the policy that decides it (the primary one first), or NULL. */
ClinicInsuranceStatus  clinic_insurance_status_for  (GPtrArray                    *policies,
                                                     const char                   *date,
                                                     const ClinicInsurancePolicy **covering);
/* "Active", "Expires soon", "Expired", "No insurance", translated. */
const char            *clinic_insurance_status_to_string (ClinicInsuranceStatus status);

/* The patient's policies, newest first. */
GPtrArray             *clinic_insurance_list        (ClinicSession                *session,
                                                     gint64                        patient_id,
                                                     GError                      **error);
/* The status on @date (ISO; NULL is today in local time), for the front
 * desk's badge and for an appointment's day. */
ClinicInsuranceStatus  clinic_insurance_status      (ClinicSession                *session,
                                                     gint64                        patient_id,
                                                     const char                   *date,
                                                     GError                      **error);
/* Adds (id 0) or changes a policy; returns its id, 0 on error. Audited. */
gint64                 clinic_insurance_save        (ClinicSession                *session,
                                                     const ClinicInsurancePolicy  *policy,
                                                     GError                      **error);

/* --- Allergies ----------------------------------------------------------- */

typedef enum
{
  CLINIC_ALLERGIES_NOT_RECORDED,  /* nobody has asked */
  CLINIC_ALLERGIES_NONE_KNOWN,    /* asked: no known allergies */
  CLINIC_ALLERGIES_RECORDED,      /* at least one active allergy */
} ClinicAllergyState;

typedef enum
{
  CLINIC_SEVERITY_UNKNOWN,
  CLINIC_SEVERITY_MILD,
  CLINIC_SEVERITY_MODERATE,
  CLINIC_SEVERITY_SEVERE,
} ClinicSeverity;

const char *clinic_severity_to_string (ClinicSeverity severity); /* translated */

typedef struct
{
  gint64          id;
  gint64          patient_id;
  char           *substance;
  char           *reaction;
  ClinicSeverity  severity;
  gint64          recorded_at;   /* Unix seconds */
  char           *recorded_by;   /* display name */
} ClinicAllergy;

void clinic_allergy_free (ClinicAllergy *allergy);

/* Records an allergy (which ends "no known allergies"); returns its id. */
gint64   clinic_chart_add_allergy           (ClinicSession   *session,
                                             gint64           patient_id,
                                             const char      *substance,
                                             const char      *reaction,
                                             ClinicSeverity   severity,
                                             GError         **error);
/* Marks an allergy "entered in error": it leaves the chart, the row stays. */
gboolean clinic_chart_retract_allergy       (ClinicSession   *session,
                                             gint64           allergy_id,
                                             GError         **error);
/* States "no known allergies"; refused while an allergy is recorded. */
gboolean clinic_chart_set_no_known_allergies (ClinicSession  *session,
                                             gint64           patient_id,
                                             GError         **error);

/* --- Conditions and medications ------------------------------------------- */

typedef enum
{
  CLINIC_CHART_CONDITION,
  CLINIC_CHART_MEDICATION,
} ClinicChartItemKind;

typedef enum
{
  CLINIC_ITEM_ACTIVE,
  CLINIC_ITEM_ENDED,             /* a condition resolved, a medication stopped */
  CLINIC_ITEM_ENTERED_IN_ERROR,
} ClinicChartItemStatus;

/* A condition (name, notes, onset) or a medication (drug, dosage, started,
 * stopped). */
typedef struct
{
  gint64                 id;
  gint64                 patient_id;
  ClinicChartItemKind    kind;
  char                  *name;
  char                  *detail;
  char                  *start_date;   /* ISO or "" */
  char                  *end_date;     /* ISO or "" (medications only) */
  ClinicChartItemStatus  status;
  gint64                 recorded_at;
  char                  *recorded_by;
} ClinicChartItem;

ClinicChartItem *clinic_chart_item_new  (ClinicChartItemKind kind);
void             clinic_chart_item_free (ClinicChartItem *item);

/* Adds @item (its id is ignored); returns the new id. */
gint64   clinic_chart_add_item  (ClinicSession          *session,
                                 const ClinicChartItem  *item,
                                 GError                **error);
/* Resolves a condition / stops a medication on @date (ISO; NULL today), or
 * marks either entered in error. */
gboolean clinic_chart_end_item  (ClinicSession          *session,
                                 ClinicChartItemKind     kind,
                                 gint64                  item_id,
                                 ClinicChartItemStatus   status,
                                 const char             *date,
                                 GError                **error);

/* --- Visit notes ------------------------------------------------------------ */

typedef struct
{
  gint64  id;
  gint64  note_id;
  gint64  author_id;
  char   *author_name;
  gint64  created_at;
  char   *body;
} ClinicNoteAddendum;

void clinic_note_addendum_free (ClinicNoteAddendum *addendum);

typedef struct
{
  gint64     id;              /* 0 for a new note */
  gint64     patient_id;
  gint64     author_id;       /* set by the core */
  char      *author_name;
  char      *encounter_date;  /* ISO */
  char      *subjective;
  char      *objective;
  char      *assessment;
  char      *plan;
  char      *free_text;
  gint64     created_at;
  gint64     signed_at;       /* 0: draft */
  char      *signature;       /* hex SHA-256, NULL for a draft */
  GPtrArray *addenda;         /* ClinicNoteAddendum, oldest first */
} ClinicVisitNote;

ClinicVisitNote *clinic_visit_note_new  (void);
void             clinic_visit_note_free (ClinicVisitNote *note);

/* Saves a draft: a new one (id 0), or the author's own unsigned draft.
 * Returns the note's id. */
gint64   clinic_chart_save_note     (ClinicSession          *session,
                                     const ClinicVisitNote  *note,
                                     GError                **error);
/* The author signs their draft; it is locked from then on. */
gboolean clinic_chart_sign_note     (ClinicSession          *session,
                                     gint64                  note_id,
                                     GError                **error);
/* The author throws away their unsigned draft. */
gboolean clinic_chart_discard_note  (ClinicSession          *session,
                                     gint64                  note_id,
                                     GError                **error);
/* A dated correction to a signed note, signed by adding it. */
gint64   clinic_chart_add_addendum  (ClinicSession          *session,
                                     gint64                  note_id,
                                     const char             *body,
                                     GError                **error);

/* --- Prescriptions -------------------------------------------------------------- */

typedef struct
{
  gint64  id;                /* 0 for a new prescription */
  gint64  patient_id;
  gint64  prescriber_id;     /* set by the core */
  char   *prescriber_name;
  char   *drug;
  char   *strength;
  char   *dose;
  char   *route;
  char   *frequency;
  char   *duration;
  char   *quantity;
  int     refills;
  char   *instructions;
  char   *prescribed_on;     /* ISO; "" or NULL is today */
  gint64  signed_at;         /* 0: draft */
  char   *signature;
} ClinicPrescription;

ClinicPrescription *clinic_prescription_new  (void);
ClinicPrescription *clinic_prescription_copy (const ClinicPrescription *prescription);
void                clinic_prescription_free (ClinicPrescription *prescription);

gint64   clinic_chart_save_prescription    (ClinicSession             *session,
                                            const ClinicPrescription  *prescription,
                                            GError                   **error);
gboolean clinic_chart_sign_prescription    (ClinicSession             *session,
                                            gint64                     prescription_id,
                                            GError                   **error);
gboolean clinic_chart_discard_prescription (ClinicSession             *session,
                                            gint64                     prescription_id,
                                            GError                   **error);

/* --- The whole chart ---------------------------------------------------------- */

typedef enum
{
  CLINIC_EVENT_REGISTERED,
  CLINIC_EVENT_INSURANCE,
  CLINIC_EVENT_ALLERGY,
  CLINIC_EVENT_CONDITION,
  CLINIC_EVENT_MEDICATION,
  CLINIC_EVENT_NOTE,
  CLINIC_EVENT_ADDENDUM,
  CLINIC_EVENT_PRESCRIPTION,
  CLINIC_EVENT_DOCUMENT,
} ClinicEventKind;

typedef struct
{
  char            *date;      /* ISO day the event belongs to */
  gint64           time;      /* Unix seconds, orders events of one day */
  ClinicEventKind  kind;
  gint64           ref_id;    /* the row of the note, prescription… */
  char            *title;     /* "Visit note", "Penicillin", … */
  char            *detail;    /* one line */
} ClinicTimelineEvent;

void clinic_timeline_event_free (ClinicTimelineEvent *event);

typedef struct
{
  gint64              patient_id;
  ClinicAllergyState  allergy_state;
  GPtrArray          *allergies;      /* ClinicAllergy, active only */
  GPtrArray          *conditions;     /* ClinicChartItem, not entered in error */
  GPtrArray          *medications;    /* ClinicChartItem, not entered in error */
  GPtrArray          *notes;          /* ClinicVisitNote, newest encounter first */
  GPtrArray          *prescriptions;  /* ClinicPrescription, newest first */
  GPtrArray          *insurance;      /* ClinicInsurancePolicy, newest first */
  GPtrArray          *timeline;       /* ClinicTimelineEvent, newest first */
} ClinicChart;

void         clinic_chart_free (ClinicChart *chart);

/* Everything of one patient's chart, read in one transaction. Audited
 * "chart.opened". */
ClinicChart *clinic_chart_load (ClinicSession  *session,
                                gint64          patient_id,
                                GError        **error);

/* The active allergies of a patient and whether they were recorded, for
 * the prescription form (CHART_READ; not audited, the chart it belongs to
 * is). */
GPtrArray   *clinic_chart_list_allergies (ClinicSession       *session,
                                          gint64               patient_id,
                                          ClinicAllergyState  *state,
                                          GError             **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ClinicInsurancePolicy, clinic_insurance_policy_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ClinicAllergy, clinic_allergy_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ClinicChartItem, clinic_chart_item_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ClinicVisitNote, clinic_visit_note_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ClinicPrescription, clinic_prescription_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ClinicChart, clinic_chart_free)

G_END_DECLS
