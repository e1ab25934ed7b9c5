/* clinic-demo.c — a synthetic clinic for demos and benchmarks */

#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>
#include <sodium.h>

#include "clinic-db.h"
#include "clinic-demo.h"
#include "clinic-error.h"
#include "clinic-document.h"
#include "clinic-documents.h"
#include "clinic-patients.h"
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

static gboolean
fill (ClinicSession  *admin,
      guint           n_patients,
      guint32         seed,
      GError        **error)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
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
  return TRUE;
}

char *
clinic_demo_create (const char  *path,
                    guint        n_patients,
                    guint32      seed,
                    GError     **error)
{
  const ClinicCredentials creds = { logins[0].user, logins[0].password, NULL, NULL };
  g_autoptr(ClinicDb) db = NULL;
  g_autoptr(ClinicSession) admin = NULL;
  char *recovery = NULL;

  db = clinic_db_create (path, _("Lindenhof Practice (demo)"), &creds, &recovery, error);
  if (db == NULL)
    return NULL;
  admin = clinic_session_start (db, error);
  if (admin == NULL || !fill (admin, n_patients, seed, error))
    {
      sodium_memzero (recovery, strlen (recovery));
      g_free (recovery);
      return NULL;
    }
  clinic_session_sign_out (admin);
  return recovery;
}
