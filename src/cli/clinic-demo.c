/* clinic-demo.c — a synthetic clinic for demos and benchmarks */

#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>
#include <sodium.h>

#include "clinic-appointments.h"
#include "clinic-chart.h"
#include "clinic-db.h"
#include "clinic-demo.h"
#include "clinic-error.h"
#include "clinic-document.h"
#include "clinic-documents.h"
#include "clinic-patients.h"
#include "clinic-recurrence.h"
#include "clinic-schedule.h"
#include "clinic-settings.h"
#include "clinic-users.h"

/* Every how many patients one has a document in the chart. Each costs a
 * transaction and two fsyncs (about 7 ms here): every 50th doubled the
 * time of --patients 100000, every 500th adds a second or two. */
#define DOCUMENT_EVERY 500

static const ClinicDemoLogin logins[] = {
  { "admin",     "anna",  "Anna Keller",    "lindenhof morning coffee" },
  { "doctor",    "weber", "Dr. Lena Weber", "quiet river under old stone" },
  { "frontdesk", "jonas", "Jonas Berg",     "amber fields after summer rain" },
  { "patient",   "paula", "Paula Schmidt",  "seven lanterns over the harbour" },
};

/* A mix of the names a clinic in a German city sees. */
static const char *const family_names[] = {
  "Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz",
  "Hoffmann", "Schäfer", "Koch", "Bauer", "Richter", "Klein", "Wolf", "Schröder", "Neumann",
  "Schwarz", "Zimmermann", "Braun", "Krüger", "Hofmann", "Hartmann", "Lange", "Schmitt",
  "Werner", "Schmitz", "Krause", "Meier", "Lehmann", "Schmid", "Schulze", "Maier", "Köhler",
  "Herrmann", "König", "Walter", "Mayer", "Huber", "Kaiser", "Fuchs", "Peters", "Lang",
  "Scholz", "Möller", "Weiß", "Jung", "Hahn", "Vogel", "Friedrich", "Keller", "Günther",
  "Frank", "Berger", "Winkler", "Roth", "Beck", "Lorenz", "Baumann", "Franke", "Albrecht",
  "Yılmaz", "Kaya", "Demir", "Şahin", "Çelik", "Öztürk", "Aydın", "Arslan", "Doğan",
  "Nowak", "Kowalski", "Wiśniewski", "Wójcik", "Kamińska", "Rossi", "Russo", "Esposito",
  "Bianchi", "Romano", "Nguyen", "Tran", "Popescu", "Ionescu", "Petrović", "Jovanović",
  "Papadopoulos", "García", "Fernández", "López", "Martín", "Silva", "Santos", "Smith",
  "Johnson", "O'Brien", "Al-Hassan", "Haddad", "Ivanova", "Smirnov", "Meyer-Lansky",
  "von Bülow", "de Vries", "Jansen", "Andersson", "Nielsen", "Dubois", "Lefèvre",
};

static const char *const female_names[] = {
  "Anna", "Emma", "Mia", "Sophie", "Hannah", "Lena", "Lea", "Marie", "Laura", "Julia",
  "Sarah", "Lisa", "Katharina", "Johanna", "Clara", "Charlotte", "Ida", "Greta", "Paula",
  "Frieda", "Ursula", "Monika", "Renate", "Brigitte", "Ingrid", "Helga", "Gisela", "Petra",
  "Sabine", "Claudia", "Susanne", "Andrea", "Stefanie", "Nicole", "Zoë", "Ayşe", "Elif",
  "Zeynep", "Fatma", "Agnieszka", "Małgorzata", "Giulia", "Chiara", "Linh", "Ioana",
  "Maria José", "Ana Lucía", "Chloé", "Amélie", "Ingrid Marie",
};

static const char *const male_names[] = {
  "Lukas", "Leon", "Finn", "Paul", "Jonas", "Elias", "Felix", "Noah", "Luis", "Max",
  "Ben", "Henri", "Emil", "Anton", "Theo", "Karl", "Hans", "Peter", "Wolfgang", "Klaus",
  "Jürgen", "Dieter", "Manfred", "Uwe", "Thomas", "Michael", "Andreas", "Stefan", "Frank",
  "Markus", "Christian", "Mehmet", "Mustafa", "Ahmet", "Emre", "Piotr", "Krzysztof",
  "Marco", "Luca", "Minh", "Andrei", "José Luis", "Jean-Pierre", "Søren", "Björn",
  "Hans Peter", "Karl-Heinz", "Ömer", "Ivan", "Omar",
};

static const char *const streets[] = {
  "Lindenstraße", "Hauptstraße", "Bahnhofstraße", "Gartenweg", "Schillerstraße", "Goethestraße",
  "Am Markt", "Kirchgasse", "Bergstraße", "Rosenweg", "Mühlenweg", "Eichendorffstraße",
};

static const char *const cities[] = {
  "10115 Berlin", "10437 Berlin", "12043 Berlin", "13353 Berlin", "14467 Potsdam",
  "10969 Berlin", "12489 Berlin", "14055 Berlin",
};

static const char *const languages[] = {
  "German", "German", "German", "German", "German", "Turkish", "English", "Polish",
  "Arabic", "Russian", "Italian", "Vietnamese",
};

static const char *const treatments[] = {
  "Hypertension: ramipril, blood pressure check every 3 months",
  "Type 2 diabetes: metformin, HbA1c every 3 months",
  "Physiotherapy for lower back pain, 10 sessions",
  "Asthma: inhaled budesonide, review in spring",
  "Post-operative follow-up (knee arthroscopy)",
  "Hypothyroidism: levothyroxine, TSH yearly",
  "Smoking cessation programme",
  "Prenatal care, second trimester",
  "Atopic dermatitis: emollients, topical steroid as needed",
  "Iron deficiency anaemia: oral iron, recheck in 8 weeks",
};

static const char *const insurers[] = { "AOK", "TK", "BARMER", "DAK", "IKK", "HEK", "KKH" };

const ClinicDemoLogin *
clinic_demo_get_logins (guint *n_logins)
{
  *n_logins = G_N_ELEMENTS (logins);
  return logins;
}

#define PICK(rand, list) ((list)[g_rand_int_range ((rand), 0, G_N_ELEMENTS (list))])

static void
set_field (char       **field,
           char        *value)
{
  g_free (*field);
  *field = value;
}

/* Ages spread as a general practice sees them: children, many adults,
 * fewer of the very old. */
static char *
birth_date (GRand *rand)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  int age = g_rand_int_range (rand, 0, 100);
  GDate date;

  if (age > 85 && g_rand_boolean (rand))
    age -= 40;
  g_date_clear (&date, 1);
  g_date_set_dmy (&date, 1, 1, g_date_time_get_year (now) - age);
  g_date_add_days (&date, g_rand_int_range (rand, 0, 365));
  if (g_date_get_year (&date) >= (guint) g_date_time_get_year (now))
    g_date_subtract_years (&date, 1);
  return g_strdup_printf ("%04u-%02u-%02u", g_date_get_year (&date), g_date_get_month (&date),
                          g_date_get_day (&date));
}

static char *
phone_number (GRand *rand)
{
  switch (g_rand_int_range (rand, 0, 4))
    {
    case 0:
      return g_strdup_printf ("030 %03d %04d", g_rand_int_range (rand, 100, 1000), g_rand_int_range (rand, 0, 10000));
    case 1:
      return g_strdup_printf ("+49 (30) %03d-%04d", g_rand_int_range (rand, 100, 1000), g_rand_int_range (rand, 0, 10000));
    case 2:
      return g_strdup_printf ("0171 %07d", g_rand_int_range (rand, 0, 10000000));
    default:
      return g_strdup_printf ("0157/%03d %03d %02d", g_rand_int_range (rand, 0, 1000),
                              g_rand_int_range (rand, 0, 1000), g_rand_int_range (rand, 0, 100));
    }
}

/* ASCII for an email address: accents dropped, the rest left out. */
static char *
mail_part (const char *name)
{
  g_autofree char *decomposed = g_utf8_normalize (name, -1, G_NORMALIZE_NFKD);
  GString *out = g_string_new (NULL);

  for (const char *c = decomposed; *c; c = g_utf8_next_char (c))
    {
      gunichar u = g_utf8_get_char (c);

      if (u < 0x80 && g_ascii_isalnum ((char) u))
        g_string_append_c (out, g_ascii_tolower ((char) u));
      else if (u == 0x131)   /* dotless i */
        g_string_append_c (out, 'i');
      else if (u == 0x142)   /* ł */
        g_string_append_c (out, 'l');
      else if (u == 0xDF)    /* ß */
        g_string_append (out, "ss");
    }
  return g_string_free (out, FALSE);
}

static ClinicPatient *
make_patient (GRand *rand,
              guint  index)
{
  ClinicPatient *p = clinic_patient_new ();
  gboolean female = g_rand_boolean (rand);
  int roll = g_rand_int_range (rand, 0, 100);

  if (index == 0)
    {
      /* The patient login's own record. */
      set_field (&p->family_name, g_strdup ("Schmidt"));
      set_field (&p->given_names, g_strdup ("Paula"));
      set_field (&p->birth_date, g_strdup ("1987-04-23"));
      female = TRUE;
    }
  else
    {
      set_field (&p->family_name, g_strdup (PICK (rand, family_names)));
      set_field (&p->given_names, g_strdup (female ? PICK (rand, female_names) : PICK (rand, male_names)));
      set_field (&p->birth_date, birth_date (rand));
    }
  p->sex = female ? CLINIC_SEX_FEMALE : CLINIC_SEX_MALE;
  set_field (&p->phone, phone_number (rand));
  if (roll < 25)
    set_field (&p->phone2, phone_number (rand));
  if (roll % 3 != 0)
    {
      g_autofree char *given = mail_part (p->given_names);
      g_autofree char *family = mail_part (p->family_name);

      set_field (&p->email, g_strdup_printf ("%s.%s%u@example.org", given, family, index));
    }
  set_field (&p->address, g_strdup_printf ("%s %d\n%s", PICK (rand, streets), g_rand_int_range (rand, 1, 120),
                                           PICK (rand, cities)));
  if (roll % 4 == 0)
    set_field (&p->emergency_contact, g_strdup_printf ("%s %s, %s", PICK (rand, female_names),
                                                       p->family_name, "030 555 0100"));
  set_field (&p->language, g_strdup (PICK (rand, languages)));
  set_field (&p->insurance_id, g_strdup_printf ("%s %c%09d", PICK (rand, insurers),
                                                'A' + g_rand_int_range (rand, 0, 26),
                                                g_rand_int_range (rand, 0, 1000000000)));
  if (roll < 35)
    set_field (&p->treatment, g_strdup (PICK (rand, treatments)));
  if (index > 0 && roll >= 96)
    p->status = roll == 99 ? CLINIC_PATIENT_DECEASED : CLINIC_PATIENT_INACTIVE;
  return p;
}

/* Chart histories: the first patients get them (each entry is a
 * transaction of its own through the core, as in the window). */
#define DEMO_INSURED    2000
#define DEMO_HISTORIES  300

static const char *const allergens[] = {
  "Penicillin", "Ibuprofen", "Latex", "Pollen", "House dust mite", "Peanuts", "Sulfonamides",
  "Contrast medium", "Bee venom", "Codeine",
};

static const char *const reactions[] = {
  "Hives", "Rash", "Shortness of breath", "Swelling of the lips", "Nausea", "Anaphylaxis",
};

static const char *const conditions[] = {
  "Essential hypertension", "Type 2 diabetes mellitus", "Asthma", "Hypothyroidism",
  "Chronic low back pain", "Migraine", "Atopic dermatitis", "Iron deficiency anaemia",
  "Osteoarthritis of the knee", "Depressive episode",
};

typedef struct
{
  const char *drug;
  const char *strength;
  const char *dose;
  const char *frequency;
  const char *duration;
  const char *quantity;
} DemoDrug;

static const DemoDrug drugs[] = {
  { "Ramipril", "5 mg", "1 tablet", "once a day", "3 months", "100" },
  { "Metformin", "500 mg", "1 tablet", "twice a day", "3 months", "180" },
  { "Amoxicillin", "1000 mg", "1 tablet", "three times a day", "7 days", "21" },
  { "Ibuprofen", "400 mg", "1 tablet", "up to three times a day", "5 days", "20" },
  { "Levothyroxine", "75 µg", "1 tablet", "once a day, before breakfast", "3 months", "100" },
  { "Budesonide inhaler", "200 µg", "1 puff", "twice a day", "3 months", "1" },
  { "Pantoprazole", "20 mg", "1 tablet", "once a day", "4 weeks", "28" },
};

static const char *const complaints[] = {
  "Cough and sore throat for five days.", "Follow-up of blood pressure.", "Pain in the lower back after lifting.",
  "Headache, worse in the morning.", "Routine check-up.", "Itchy rash on both forearms.",
  "Tiredness for several weeks.", "Knee pain when climbing stairs.",
};

static const char *const assessments[] = {
  "Acute upper respiratory infection.", "Blood pressure well controlled.", "Lumbar strain.",
  "Tension-type headache.", "No abnormal findings.", "Contact dermatitis.",
  "Iron deficiency suspected; blood test ordered.", "Early osteoarthritis.",
};

static const char *const plans[] = {
  "Rest, fluids, review if not better in a week.", "Continue medication, recheck in 3 months.",
  "Physiotherapy, ibuprofen as needed.", "Headache diary, review in 4 weeks.",
  "Next check-up in a year.", "Emollients, avoid the trigger.", "Ferritin and blood count.",
  "Weight-bearing exercise, analgesia as needed.",
};

static char *
demo_date (GRand *rand,
           int    from_year,
           int    to_year)
{
  return g_strdup_printf ("%04d-%02d-%02d", g_rand_int_range (rand, from_year, to_year + 1),
                          g_rand_int_range (rand, 1, 13), g_rand_int_range (rand, 1, 29));
}

static gboolean
fill_insurance (ClinicSession  *admin,
                GRand          *rand,
                gint64          patient_id,
                GError        **error)
{
  g_autoptr(ClinicInsurancePolicy) p = clinic_insurance_policy_new ();
  int kind = g_rand_int_range (rand, 0, 10);

  p->patient_id = patient_id;
  set_field (&p->payer, g_strdup (PICK (rand, insurers)));
  set_field (&p->member_id, g_strdup_printf ("%c%09u", 'A' + g_rand_int_range (rand, 0, 26),
                                             g_rand_int_range (rand, 0, 999999999)));
  set_field (&p->valid_from, demo_date (rand, 2015, 2024));
  /* Most open-ended; some ending soon, some ended. */
  if (kind == 0)
    set_field (&p->valid_until, g_strdup ("2024-12-31"));
  else if (kind == 1)
    {
      g_autoptr(GDateTime) now = g_date_time_new_now_local ();
      g_autoptr(GDateTime) soon = g_date_time_add_days (now, g_rand_int_range (rand, 3, 28));

      set_field (&p->valid_until, g_date_time_format (soon, "%Y-%m-%d"));
    }
  p->copay_cents = g_rand_int_range (rand, 0, 3) * 500;
  return clinic_insurance_save (admin, p, error) != 0;
}

static gboolean
fill_history (ClinicSession  *doctor,
              GRand          *rand,
              gint64          patient_id,
              GError        **error)
{
  int allergy_kind = g_rand_int_range (rand, 0, 3);
  int n_notes = g_rand_int_range (rand, 1, 4);

  if (allergy_kind == 1
      && !clinic_chart_set_no_known_allergies (doctor, patient_id, error))
    return FALSE;
  if (allergy_kind == 2
      && clinic_chart_add_allergy (doctor, patient_id, PICK (rand, allergens), PICK (rand, reactions),
                                   g_rand_int_range (rand, 0, 4), error) == 0)
    return FALSE;

  if (g_rand_boolean (rand))
    {
      g_autoptr(ClinicChartItem) c = clinic_chart_item_new (CLINIC_CHART_CONDITION);

      c->patient_id = patient_id;
      set_field (&c->name, g_strdup (PICK (rand, conditions)));
      set_field (&c->start_date, demo_date (rand, 2005, 2024));
      if (clinic_chart_add_item (doctor, c, error) == 0)
        return FALSE;
    }
  if (g_rand_boolean (rand))
    {
      g_autoptr(ClinicChartItem) m = clinic_chart_item_new (CLINIC_CHART_MEDICATION);
      const DemoDrug *d = &drugs[g_rand_int_range (rand, 0, G_N_ELEMENTS (drugs))];

      m->patient_id = patient_id;
      set_field (&m->name, g_strdup_printf ("%s %s", d->drug, d->strength));
      set_field (&m->detail, g_strdup_printf ("%s %s", d->dose, d->frequency));
      set_field (&m->start_date, demo_date (rand, 2018, 2025));
      if (clinic_chart_add_item (doctor, m, error) == 0)
        return FALSE;
    }

  for (int i = 0; i < n_notes; i++)
    {
      g_autoptr(ClinicVisitNote) n = clinic_visit_note_new ();
      int k = g_rand_int_range (rand, 0, G_N_ELEMENTS (complaints));
      gboolean draft;
      gint64 id;

      n->patient_id = patient_id;
      set_field (&n->encounter_date, demo_date (rand, 2022, 2026));
      set_field (&n->subjective, g_strdup (complaints[k]));
      set_field (&n->objective, g_strdup_printf ("BP %d/%d mmHg, pulse %d/min.", g_rand_int_range (rand, 110, 160),
                                                 g_rand_int_range (rand, 65, 95), g_rand_int_range (rand, 55, 95)));
      set_field (&n->assessment, g_strdup (assessments[k]));
      set_field (&n->plan, g_strdup (plans[k]));
      id = clinic_chart_save_note (doctor, n, error);
      if (id == 0)
        return FALSE;
      /* The newest note of some patients stays a draft. */
      draft = i + 1 == n_notes && g_rand_int_range (rand, 0, 4) == 0;
      if (!draft && !clinic_chart_sign_note (doctor, id, error))
        return FALSE;
    }

  if (g_rand_int_range (rand, 0, 3) == 0)
    {
      g_autoptr(ClinicPrescription) rx = clinic_prescription_new ();
      const DemoDrug *d = &drugs[g_rand_int_range (rand, 0, G_N_ELEMENTS (drugs))];
      gint64 id;

      rx->patient_id = patient_id;
      set_field (&rx->drug, g_strdup (d->drug));
      set_field (&rx->strength, g_strdup (d->strength));
      set_field (&rx->dose, g_strdup (d->dose));
      set_field (&rx->route, g_strdup ("oral"));
      set_field (&rx->frequency, g_strdup (d->frequency));
      set_field (&rx->duration, g_strdup (d->duration));
      set_field (&rx->quantity, g_strdup (d->quantity));
      set_field (&rx->prescribed_on, demo_date (rand, 2024, 2026));
      id = clinic_chart_save_prescription (doctor, rx, error);
      if (id == 0 || !clinic_chart_sign_prescription (doctor, id, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
fill_charts (ClinicSession  *admin,
             GRand          *rand,
             guint           n_patients,
             GError        **error)
{
  g_autoptr(ClinicSession) doctor = NULL;

  doctor = clinic_session_sign_in (clinic_session_get_db (admin), logins[1].user, logins[1].password, error);
  if (doctor == NULL)
    return FALSE;
  for (guint i = 1; i <= MIN (n_patients, DEMO_INSURED); i++)
    if (g_rand_int_range (rand, 0, 10) > 0 && !fill_insurance (admin, rand, i, error))
      return FALSE;
  for (guint i = 1; i <= MIN (n_patients, DEMO_HISTORIES); i++)
    if (!fill_history (doctor, rand, i, error))
      return FALSE;
  clinic_session_sign_out (doctor);
  return TRUE;
}

/* A one-page referral letter, as a scanned document in a chart would be,
 * laid out by the document module; drawn once, attached to every patient
 * that gets one. */
#define DEMO_TYPE_LETTER (demo_letter_get_type ())
G_DECLARE_FINAL_TYPE (DemoLetter, demo_letter, DEMO, LETTER, ClinicDocument)

struct _DemoLetter
{
  ClinicDocument parent_instance;
};

G_DEFINE_FINAL_TYPE (DemoLetter, demo_letter, CLINIC_TYPE_DOCUMENT)

static void
demo_letter_build (ClinicDocument *document)
{
  clinic_document_add_letterhead (document, _("Orthopaedics at the Park"), "Parkstraße 4, 10115 Berlin",
                                  "030 555 0190");
  clinic_document_add_title (document, _("Referral letter"), NULL);
  clinic_document_add_paragraph (document, CLINIC_TEXT_BODY, _("Dear colleague,"));
  clinic_document_add_paragraph (document, CLINIC_TEXT_BODY,
                                 _("thank you for referring this patient. We saw them for recurring back pain; the findings so far are enclosed, and we suggest physiotherapy twice a week for six weeks."));
  clinic_document_add_paragraph (document, CLINIC_TEXT_BODY, _("With kind regards, Dr. Weber"));
}

static void
demo_letter_class_init (DemoLetterClass *klass)
{
  CLINIC_DOCUMENT_CLASS (klass)->build = demo_letter_build;
}

static void
demo_letter_init (DemoLetter *self)
{
}

static gint64
builtin_role (ClinicSession  *session,
              const char     *builtin,
              GError        **error)
{
  g_autoptr(GPtrArray) roles = clinic_roles_list (session, error);

  for (guint i = 0; roles != NULL && i < roles->len; i++)
    {
      ClinicRole *role = g_ptr_array_index (roles, i);

      if (g_strcmp0 (role->builtin, builtin) == 0)
        return role->id;
    }
  if (roles != NULL)
    g_set_error (error, CLINIC_ERROR, CLINIC_ERROR_NOT_FOUND, "no built-in role %s", builtin);
  return 0;
}

/* --- Schedules and appointments ------------------------------------------- */

static const struct
{
  const char *name;
  int         minutes;
  const char *color;
  gboolean    patients;
} demo_types[] = {
  { "Check-up", 20, "#2ec27e", TRUE },
  { "Consultation", 30, "#3584e4", TRUE },
  { "Follow-up", 15, "#9141ac", TRUE },
  { "Vaccination", 10, "#e5a50a", TRUE },
  { "Long consultation", 60, "#c01c28", FALSE },
  { "Physiotherapy", 45, "#986a44", FALSE },
};

static const char *const doctor_names[] = {
  "Dr. Jan Hoffmann", "Dr. Aylin Demir", "Dr. Marta Nowak", "Dr. Paul Richter", "Dr. Sofia Rossi",
  "Dr. Felix Braun", "Dr. Lea Krüger", "Dr. Minh Nguyen", "Dr. Clara Wolf", "Dr. Omar Haddad",
};

static const char *const visit_reasons[] = {
  "Cough", "Blood pressure check", "Back pain", "Headache", "Vaccination", "Prescription renewal",
  "Results", "Knee pain", "Skin rash", "Annual check-up", "",
};

/* Weekday hours: mornings for all, afternoons but one a week off; in
 * @room (0: none) all week. */
static gboolean
demo_hours (ClinicSession  *admin,
            gint64          provider,
            guint           index,
            gint64          room,
            GError        **error)
{
  g_autoptr(GArray) blocks = g_array_new (FALSE, TRUE, sizeof (ClinicHoursBlock));

  for (int day = 1; day <= 5; day++)
    {
      ClinicHoursBlock morning = { day, 8 * 60, 12 * 60, room };
      ClinicHoursBlock afternoon = { day, 13 * 60, 17 * 60, room };

      g_array_append_val (blocks, morning);
      if (day != 1 + (int) (index % 5))
        g_array_append_val (blocks, afternoon);
    }
  return clinic_schedule_set_hours (admin, provider, blocks, error);
}

/* A few recurring visits from next week on, booked before the rest of
 * the book is made up around them. */
static gboolean
demo_series (ClinicSession  *admin,
             GTimeZone      *tz,
             GRand          *rand,
             gint64          provider,
             GArray         *type_ids,
             GPtrArray      *patients,
             GError        **error)
{
  static const struct
  {
    const char   *type;
    ClinicRepeat  repeat;
    int           interval, count, weekday, minute;
    const char   *reason;
  } series[] = {
    { "Physiotherapy", CLINIC_REPEAT_WEEKLY, 1, 8, 2, 10 * 60, "Knee rehabilitation" },
    { "Follow-up", CLINIC_REPEAT_WEEKLY, 2, 6, 4, 14 * 60 + 30, "Blood pressure check" },
    { "Check-up", CLINIC_REPEAT_MONTHLY_BY_WEEKDAY, 1, 6, 3, 9 * 60, "Diabetes check" },
  };
  g_autoptr(GDateTime) now = g_date_time_new_now (tz);

  for (guint i = 0; i < G_N_ELEMENTS (series); i++)
    {
      ClinicRecurrence rule = { series[i].repeat, series[i].interval, series[i].count, NULL };
      g_autoptr(GDateTime) day = g_date_time_add_days (now, 7 - g_date_time_get_day_of_week (now) + series[i].weekday);
      ClinicBooking b = { 0 };
      guint t = 0;

      while (t < G_N_ELEMENTS (demo_types) && g_strcmp0 (demo_types[t].name, series[i].type) != 0)
        t++;
      /* An active patient (some demo records are inactive or deceased);
       * imported in order, so the n-th has ID n + 1. */
      for (int tries = 0; tries < 50 && patients->len > 1; tries++)
        {
          guint k = g_rand_int_range (rand, 1, (gint32) MIN (patients->len, G_MAXINT32));

          if (((ClinicPatient *) patients->pdata[k])->status == CLINIC_PATIENT_ACTIVE)
            {
              b.patient_id = (gint64) k + 1;
              break;
            }
        }
      if (b.patient_id == 0)
        continue;
      b.provider_id = provider;
      b.visit_type_id = g_array_index (type_ids, gint64, t);
      b.starts_at = clinic_local_to_unix (tz, g_date_time_get_year (day), g_date_time_get_month (day),
                                          g_date_time_get_day_of_month (day), series[i].minute);
      b.reason = series[i].reason;
      b.note = "";
      /* A holiday of the clinic may take a date; the rest are booked. */
      if (clinic_recurrence_book (admin, &b, &rule, TRUE, NULL, error) == 0)
        return FALSE;
    }
  return TRUE;
}

/* Whether [@start, @end) of @provider overlaps one of @booked. */
static gboolean
overlaps_booked (GPtrArray *booked,
                 gint64     provider,
                 gint64     start,
                 gint64     end)
{
  for (guint i = 0; booked != NULL && i < booked->len; i++)
    {
      const ClinicAppointment *a = booked->pdata[i];

      if (a->provider_id == provider && a->starts_at < end && start < a->ends_at)
        return TRUE;
    }
  return FALSE;
}

static gboolean
fill_schedule (ClinicSession            *admin,
               GRand                    *rand,
               const ClinicDemoOptions  *options,
               GPtrArray                *patients,
               GError                  **error)
{
  ClinicDb *db = clinic_session_get_db (admin);
  g_autoptr(GArray) providers = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) type_ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func ((GDestroyNotify) clinic_appointment_free);
  g_autoptr(GTimeZone) tz = NULL;
  g_autoptr(GDateTime) now = NULL;
  g_autoptr(GPtrArray) users = NULL;
  g_autoptr(GPtrArray) booked = NULL;
  gint64 doctor_role, weber = 0, target, per_day_estimate, days, now_s;
  gint64 room_ids[3] = { 0 };
  GDate day;

  if (!clinic_settings_set (clinic_settings_get_for_db (db), admin, "clinic.timezone", "Europe/Berlin", error))
    return FALSE;
  tz = clinic_schedule_get_timezone (db);
  now = g_date_time_new_now (tz);
  now_s = g_date_time_to_unix (now);

  for (guint i = 0; i < G_N_ELEMENTS (demo_types); i++)
    {
      g_autoptr(ClinicVisitType) t = clinic_visit_type_new ();
      gint64 id;

      set_field (&t->name, g_strdup (demo_types[i].name));
      t->duration_min = demo_types[i].minutes;
      set_field (&t->color, g_strdup (demo_types[i].color));
      t->patient_bookable = demo_types[i].patients;
      if ((id = clinic_visit_types_save (admin, t, error)) == 0)
        return FALSE;
      g_array_append_val (type_ids, id);
    }

  users = clinic_users_list (admin, error);
  if (users == NULL)
    return FALSE;
  for (guint i = 0; i < users->len; i++)
    if (g_strcmp0 (((ClinicUser *) users->pdata[i])->name, logins[1].user) == 0)
      weber = ((ClinicUser *) users->pdata[i])->id;
  doctor_role = builtin_role (admin, "doctor", error);
  if (weber == 0 || doctor_role == 0)
    return FALSE;
  g_array_append_val (providers, weber);
  for (guint i = 1; i < options->n_doctors; i++)
    {
      g_autofree char *name = g_strdup_printf ("doctor%u", i + 1);
      g_autofree char *display = i - 1 < G_N_ELEMENTS (doctor_names)
                                 ? g_strdup (doctor_names[i - 1]) : g_strdup_printf ("Dr. Demo %u", i + 1);
      char password[33];
      gint64 id;

      /* Not printed: these doctors are names on the calendar. */
      for (guint k = 0; k < 32; k++)
        password[k] = "abcdefghijkmnopqrstuvwxyz23456789"[g_rand_int_range (rand, 0, 33)];
      password[32] = '\0';
      id = clinic_users_create (admin, name, display, CLINIC_USER_STAFF, doctor_role, password, NULL, error);
      sodium_memzero (password, sizeof password);
      if (id == 0)
        return FALSE;
      g_array_append_val (providers, id);
    }
  /* A room each for the first doctors; the others, if any, have none,
   * so no two doctors' hours share a room. */
  for (guint i = 0; i < G_N_ELEMENTS (room_ids); i++)
    {
      g_autoptr(ClinicRoom) room = clinic_room_new ();

      set_field (&room->name, g_strdup_printf ("Room %u", i + 1));
      if ((room_ids[i] = clinic_rooms_save (admin, room, error)) == 0)
        return FALSE;
    }
  for (guint i = 0; i < providers->len; i++)
    {
      gint64 id = g_array_index (providers, gint64, i);

      if (!clinic_providers_set (admin, id, TRUE, error)
          || !demo_hours (admin, id, i, i < G_N_ELEMENTS (room_ids) ? room_ids[i] : 0, error))
        return FALSE;
    }
  if (options->n_patients == 0)
    return TRUE;

  /* About a year of appointments, or as many as asked, centred on today:
   * each doctor's days filled to some 70 % in 15-minute steps. */
  /* Each doctor sees about eleven patients a working day (below). */
  per_day_estimate = (gint64) providers->len * 11;
  target = options->n_appointments >= 0 ? options->n_appointments : per_day_estimate * 250;
  days = MAX (1, (target * 7 / 5) / per_day_estimate + 1);
  g_date_clear (&day, 1);
  g_date_set_dmy (&day, g_date_time_get_day_of_month (now), g_date_time_get_month (now),
                  g_date_time_get_year (now));
  g_date_subtract_days (&day, days / 2);

  /* --appointments N asks for exactly N (benchmarks, twin clinics);
   * otherwise a few series first, and the book made up around them. */
  if (options->n_appointments < 0)
    {
      if (!demo_series (admin, tz, rand, weber, type_ids, patients, error))
        return FALSE;
      booked = clinic_appointments_list (admin, now_s, now_s + 400 * 86400, weber, error);
      if (booked == NULL)
        return FALSE;
    }

  for (; (gint64) list->len < target; g_date_add_days (&day, 1))
    {
      int weekday = g_date_get_weekday (&day);

      if (weekday > 5)
        continue;
      for (guint p = 0; p < providers->len && (gint64) list->len < target; p++)
        for (int half = 0; half < 2; half++)
          {
            int minute = half == 0 ? 8 * 60 : 13 * 60;
            int stop = half == 0 ? 12 * 60 : 17 * 60;

            if (half == 1 && weekday == 1 + (int) (p % 5))
              continue;
            while ((gint64) list->len < target)
              {
                guint t = g_rand_int_range (rand, 0, type_ids->len);
                ClinicAppointment *a;
                gint64 start;

                if (minute + demo_types[t].minutes > stop)
                  break;
                if (g_rand_int_range (rand, 0, 10) < 3)
                  {
                    minute += 15;
                    continue;
                  }
                start = clinic_local_to_unix (tz, g_date_get_year (&day), g_date_get_month (&day),
                                              g_date_get_day (&day), minute);
                if (overlaps_booked (booked, g_array_index (providers, gint64, p), start,
                                     start + demo_types[t].minutes * 60))
                  {
                    minute += 15;
                    continue;
                  }
                a = g_new0 (ClinicAppointment, 1);
                /* The patient login's own record comes up now and then. */
                a->patient_id = g_rand_int_range (rand, 0, 40) == 0 ? 1
                                : g_rand_int_range (rand, 1, (gint32) MIN (options->n_patients, G_MAXINT32 - 1) + 1);
                a->provider_id = g_array_index (providers, gint64, p);
                /* Imports are taken as they are: the room of the hours, as
                 * a booking would have it. */
                a->room_id = p < G_N_ELEMENTS (room_ids) ? room_ids[p] : 0;
                a->visit_type_id = g_array_index (type_ids, gint64, t);
                a->starts_at = start;
                a->reason = g_strdup (PICK (rand, visit_reasons));
                if (start + demo_types[t].minutes * 60 < now_s)
                  {
                    int roll = g_rand_int_range (rand, 0, 100);

                    a->status = roll < 90 ? CLINIC_APPOINTMENT_COMPLETED
                                : roll < 95 ? CLINIC_APPOINTMENT_NO_SHOW : CLINIC_APPOINTMENT_CANCELLED;
                  }
                else
                  a->status = g_rand_boolean (rand) ? CLINIC_APPOINTMENT_CONFIRMED : CLINIC_APPOINTMENT_BOOKED;
                if (a->status == CLINIC_APPOINTMENT_CANCELLED)
                  a->cancel_reason = g_strdup ("Patient called to cancel");
                g_ptr_array_add (list, a);
                minute += ((demo_types[t].minutes + 14) / 15) * 15;
              }
          }
    }
  return clinic_appointments_import (admin, list, NULL, NULL, error) >= 0;
}

static gboolean
fill (ClinicSession            *admin,
      const ClinicDemoOptions  *options,
      GError                  **error)
{
  guint n_patients = options->n_patients;
  g_autoptr(GRand) rand = g_rand_new_with_seed (options->seed);
  g_autoptr(GPtrArray) patients = g_ptr_array_new_with_free_func ((GDestroyNotify) clinic_patient_free);
  gint64 doctor_role, desk_role, paula = 0;

  doctor_role = builtin_role (admin, "doctor", error);
  desk_role = doctor_role ? builtin_role (admin, "front-desk", error) : 0;
  if (desk_role == 0)
    return FALSE;

  if (!clinic_users_set_display_name (admin, clinic_session_get_user_id (admin), logins[0].display_name, error)
      || !clinic_users_create (admin, logins[1].user, logins[1].display_name, CLINIC_USER_STAFF, doctor_role,
                               logins[1].password, NULL, error)
      || !clinic_users_create (admin, logins[2].user, logins[2].display_name, CLINIC_USER_STAFF, desk_role,
                               logins[2].password, NULL, error)
      || !(paula = clinic_users_create (admin, logins[3].user, logins[3].display_name, CLINIC_USER_PATIENT, 0,
                                        logins[3].password, NULL, error)))
    return FALSE;

  for (guint i = 0; i < n_patients; i++)
    g_ptr_array_add (patients, make_patient (rand, i));
  if (clinic_patients_import (admin, patients, NULL, NULL, error) < 0)
    return FALSE;
  if (n_patients > 0 && !clinic_patients_link_account (admin, 1, paula, error))
    return FALSE;

  /* A document in the chart of every DOCUMENT_EVERY-th patient, Paula
   * Schmidt's (the first) among them. */
  if (n_patients > 0)
    {
      g_autoptr(ClinicDocument) document = g_object_new (DEMO_TYPE_LETTER, NULL);
      g_autoptr(GBytes) letter = NULL;

      clinic_document_set_title (document, _("Referral letter"));
      letter = clinic_document_render_pdf (document, CLINIC_PAPER_A4, error);
      if (letter == NULL)
        return FALSE;

      for (guint i = 0; i < n_patients; i += DOCUMENT_EVERY)
        if (clinic_documents_add (admin, (gint64) i + 1, _("Referral letter"), "application/pdf", letter,
                                  error) == 0)
          return FALSE;
    }
  return fill_charts (admin, rand, n_patients, error) && fill_schedule (admin, rand, options, patients, error);
}

char *
clinic_demo_create (const char  *path,
                    guint        n_patients,
                    guint32      seed,
                    GError     **error)
{
  ClinicDemoOptions options = { n_patients, CLINIC_DEMO_DOCTORS, -1, seed };

  return clinic_demo_create_full (path, &options, error);
}

char *
clinic_demo_create_full (const char               *path,
                         const ClinicDemoOptions  *options,
                         GError                  **error)
{
  const ClinicCredentials creds = { logins[0].user, logins[0].password, NULL, NULL };
  g_autoptr(ClinicDb) db = NULL;
  g_autoptr(ClinicSession) admin = NULL;
  char *recovery = NULL;

  db = clinic_db_create (path, _("Lindenhof Practice (demo)"), &creds, &recovery, error);
  if (db == NULL)
    return NULL;
  admin = clinic_session_start (db, error);
  if (admin == NULL || !fill (admin, options, error))
    {
      sodium_memzero (recovery, strlen (recovery));
      g_free (recovery);
      return NULL;
    }
  clinic_session_sign_out (admin);
  return recovery;
}
