/* clinic-settings.c — the clinic's settings, kept in its database
 *
 * The table below is every setting there is; a row in the settings table
 * exists only for a setting that differs from its default (or was set to
 * it on purpose), so a later Clinic with a better default reaches every
 * clinic that never chose.
 *
 * The object keeps the valid stored values of its database in memory.
 * Its own writes update that copy after they commit; a change by another
 * connection (clinicctl, a second window) shows as a new PRAGMA
 * data_version, and the next read re-reads the table, which is small.
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <stdlib.h>
#include <string.h>

#include "clinic-audit-private.h"
#include "clinic-db-private.h"
#include "clinic-error.h"
#include "clinic-settings.h"

#define SETTINGS_DATA_KEY "clinic-settings"

#define KEY_LOCKOUT_WAIT     "security.lockout-wait-minutes"
#define KEY_LOCKOUT_MAX_WAIT "security.lockout-max-wait-minutes"

struct _ClinicSettings
{
  GObject     parent_instance;

  ClinicDb   *db;            /* weak: the database owns this object */

  /* spec->key → the stored value, validated and normalised; a setting
   * that is absent reads as its default. */
  GHashTable *values;
  gboolean    loaded;
  gint64      data_version;  /* of the connection when @values was read */

  /* spec->key → the stored value that failed validation and was warned
   * about, so a bad row warns once, not at every re-read. */
  GHashTable *bad_values;
};

G_DEFINE_FINAL_TYPE (ClinicSettings, clinic_settings, G_TYPE_OBJECT)

enum {
  CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* --- The settings ------------------------------------------------------ */

static const char *const paper_choices[] = { "a4", "letter", NULL };
static const char *const calendar_detail_choices[] = { "busy", "initials", "full", NULL };

#define MINUTES_MAX (24 * 60)

/* Not const: the time zone's default is the computer's own zone, filled
 * in once by ensure_specs(). */
static ClinicSettingSpec specs[] = {
  {
    .key = "clinic.name",
    .type = CLINIC_SETTING_STRING,
    .default_value = "",
    .title = N_("Clinic name"),
    .description = N_("The name shown in the window and printed on letters and invoices."),
    .max = 120,
    .flags = CLINIC_SETTING_FLAG_REQUIRED,
    .invalid_message = N_("The clinic’s name cannot be empty and can have at most 120 characters."),
  },
  {
    .key = "clinic.address",
    .type = CLINIC_SETTING_STRING,
    .default_value = "",
    .title = N_("Address"),
    .description = N_("The clinic’s postal address, printed on letters and invoices."),
    .max = 500,
    .flags = CLINIC_SETTING_FLAG_MULTI_LINE,
    .invalid_message = N_("The address can have at most 500 characters."),
  },
  {
    .key = "clinic.phone",
    .type = CLINIC_SETTING_STRING,
    .default_value = "",
    .title = N_("Phone number"),
    .description = N_("The number patients call, printed on letters and reminders."),
    .max = 40,
    .flags = CLINIC_SETTING_FLAG_PHONE,
    .invalid_message = N_("A phone number can have only digits, spaces and the signs + - ( ) /, and at most 40 characters."),
  },
  {
    .key = "clinic.email",
    .type = CLINIC_SETTING_STRING,
    .default_value = "",
    .title = N_("E-mail address"),
    .description = N_("The address patients write to, printed on letters and reminders."),
    .max = 254,
    .flags = CLINIC_SETTING_FLAG_EMAIL,
    .invalid_message = N_("The e-mail address does not look right; it should look like name@example.com."),
  },
  {
    .key = "clinic.currency",
    .type = CLINIC_SETTING_CURRENCY,
    .default_value = "EUR",
    .title = N_("Currency"),
    .description = N_("The currency of every price, invoice and payment."),
    .invalid_message = N_("The currency must be a three-letter code such as EUR, USD or CHF."),
  },
  {
    .key = "clinic.timezone",
    .type = CLINIC_SETTING_TIMEZONE,
    .default_value = NULL,
    .title = N_("Time zone"),
    .description = N_("The time zone of working hours and appointments."),
    .invalid_message = N_("The time zone must be one Clinic knows, written like “Europe/Berlin”."),
  },
  {
    .key = "appointments.late-cancel-hours",
    .type = CLINIC_SETTING_INT,
    .default_value = "24",
    .title = N_("Late cancellation (hours)"),
    .description = N_("A cancellation this many hours or fewer before the visit is marked as late."),
    .min = 0,
    .max = 168,
    .invalid_message = N_("The hours for a late cancellation must be between 0 and 168."),
  },
  {
    .key = "appointments.patient-cancel-hours",
    .type = CLINIC_SETTING_INT,
    .default_value = "24",
    .title = N_("Patients cancel up to (hours before)"),
    .description = N_("Patients can cancel their own appointment at the kiosk until this many hours before it; later, only the front desk can."),
    .min = 0,
    .max = 168,
    .invalid_message = N_("The hours before which patients may cancel must be between 0 and 168."),
  },
  {
    .key = "calendar.export-folder",
    .type = CLINIC_SETTING_STRING,
    .default_value = "",
    .title = N_("Calendar folder"),
    .description = N_("After every change to the appointment book, each doctor’s calendar is written to this folder as an .ics file (empty: never), for calendar programs to subscribe to."),
    .max = 1024,
    .invalid_message = N_("The calendar folder’s path can have at most 1024 characters."),
  },
  {
    .key = "calendar.export-detail",
    .type = CLINIC_SETTING_CHOICE,
    .default_value = "busy",
    .title = N_("Calendar folder shows"),
    .description = N_("What the calendars in the folder show of each appointment: busy only, the visit type and the patient’s initials, or everything; the folder leaves the clinic."),
    .choices = calendar_detail_choices,
    .invalid_message = N_("The calendar detail must be busy, initials or full."),
  },
  {
    .key = "documents.paper",
    .type = CLINIC_SETTING_CHOICE,
    .default_value = "a4",
    .title = N_("Paper size"),
    .description = N_("The paper that letters, invoices and reports are printed on."),
    .choices = paper_choices,
    .invalid_message = N_("The paper size must be A4 or Letter."),
  },
  {
    .key = "security.idle-lock-minutes",
    .type = CLINIC_SETTING_INT,
    .default_value = "5",
    .title = N_("Lock after idle minutes"),
    .description = N_("Clinic locks its window when nobody has used it for this many minutes."),
    .min = 1,
    .max = 120,
    .invalid_message = N_("The idle time before locking must be between 1 and 120 minutes."),
  },
  {
    .key = "security.lock-with-desktop",
    .type = CLINIC_SETTING_BOOL,
    .default_value = "true",
    .title = N_("Lock with the desktop"),
    .description = N_("Clinic also locks when the computer’s screen locks."),
    .invalid_message = N_("“Lock with the desktop” must be on or off."),
  },
  {
    .key = "security.min-password-length",
    .type = CLINIC_SETTING_INT,
    .default_value = "10",
    .title = N_("Shortest staff password"),
    .description = N_("The fewest characters a staff member’s new password may have."),
    .min = 8,
    .max = 64,
    .invalid_message = N_("The shortest password for staff must be between 8 and 64 characters."),
  },
  {
    .key = "security.min-patient-password-length",
    .type = CLINIC_SETTING_INT,
    .default_value = "8",
    .title = N_("Shortest patient password"),
    .description = N_("The fewest characters a patient’s new password may have."),
    .min = 6,
    .max = 64,
    .invalid_message = N_("The shortest password for patients must be between 6 and 64 characters."),
  },
  {
    .key = "security.lockout-failures",
    .type = CLINIC_SETTING_INT,
    .default_value = "5",
    .title = N_("Failed sign-ins before a lock-out"),
    .description = N_("After this many wrong passwords in a row, the account has to wait."),
    .min = 3,
    .max = 20,
    .invalid_message = N_("The number of failed sign-ins before a lock-out must be between 3 and 20."),
  },
  {
    .key = "security.lockout-window-minutes",
    .type = CLINIC_SETTING_INT,
    .default_value = "15",
    .title = N_("Minutes in which failures count"),
    .description = N_("Failed sign-ins count towards a lock-out only within this many minutes."),
    .min = 1,
    .max = MINUTES_MAX,
    .invalid_message = N_("The time in which failed sign-ins are counted must be between 1 and 1440 minutes."),
  },
  {
    .key = KEY_LOCKOUT_WAIT,
    .type = CLINIC_SETTING_INT,
    .default_value = "15",
    .title = N_("Wait after a lock-out"),
    .description = N_("How many minutes a locked-out account waits the first time."),
    .min = 1,
    .max = MINUTES_MAX,
    .invalid_message = N_("The wait after a lock-out must be between 1 and 1440 minutes."),
  },
  {
    .key = KEY_LOCKOUT_MAX_WAIT,
    .type = CLINIC_SETTING_INT,
    .default_value = "60",
    .title = N_("Longest wait after lock-outs"),
    .description = N_("The wait doubles with each lock-out in a row, up to this many minutes."),
    .min = 1,
    .max = MINUTES_MAX,
    .invalid_message = N_("The longest wait after repeated lock-outs must be between 1 and 1440 minutes."),
  },
  {
    .key = "security.kiosk-idle-minutes",
    .type = CLINIC_SETTING_INT,
    .default_value = "2",
    .title = N_("Kiosk starts over after idle minutes"),
    .description = N_("The patient kiosk signs the patient out when untouched for this many minutes."),
    .min = 1,
    .max = 30,
    .invalid_message = N_("The idle time before the kiosk starts over must be between 1 and 30 minutes."),
  },
  /* Patients registering themselves at the kiosk (clinic-registration.h). */
  {
    .key = "registration.self-service",
    .type = CLINIC_SETTING_BOOL,
    .default_value = "true",
    .title = N_("Patients can register at the kiosk"),
    .description = N_("The kiosk offers new patients a form to register themselves."),
    .invalid_message = N_("“Patients can register at the kiosk” must be on or off."),
  },
  {
    .key = "registration.requires-confirmation",
    .type = CLINIC_SETTING_BOOL,
    .default_value = "true",
    .title = N_("Front desk confirms registrations"),
    .description = N_("A patient who registered at the kiosk can sign in only after the front desk has confirmed the registration."),
    .invalid_message = N_("“Front desk confirms registrations” must be on or off."),
  },
  /* Kept by the Dashboard's "Back Up Now", not edited on the settings page. */
  {
    .key = "backup.last-time",
    .type = CLINIC_SETTING_INT,
    .default_value = "0",
    .title = N_("Last backup"),
    .description = N_("When the last backup from this window was made, in seconds since 1970; 0 means never."),
    .min = 0,
    .max = G_GINT64_CONSTANT (4102444800),  /* 2100-01-01 */
    .invalid_message = N_("The time of the last backup must be between 0 and 4102444800 seconds since 1970."),
  },
  {
    .key = "backup.last-result",
    .type = CLINIC_SETTING_STRING,
    .default_value = "",
    .title = N_("Result of the last backup"),
    .description = N_("Where the last backup went, or why it failed."),
    .max = 1000,
    .invalid_message = N_("The result of the last backup can have at most 1000 characters."),
  },
};

/* Active ISO 4217 codes of money a clinic can bill in (no funds, metals
 * or testing codes), sorted for bsearch(). */
static const char currencies[][4] = {
  "AED", "AFN", "ALL", "AMD", "AOA", "ARS", "AUD", "AWG", "AZN", "BAM",
  "BBD", "BDT", "BGN", "BHD", "BIF", "BMD", "BND", "BOB", "BRL", "BSD",
  "BTN", "BWP", "BYN", "BZD", "CAD", "CDF", "CHF", "CLP", "CNY", "COP",
  "CRC", "CUP", "CVE", "CZK", "DJF", "DKK", "DOP", "DZD", "EGP", "ERN",
  "ETB", "EUR", "FJD", "FKP", "GBP", "GEL", "GHS", "GIP", "GMD", "GNF",
  "GTQ", "GYD", "HKD", "HNL", "HTG", "HUF", "IDR", "ILS", "INR", "IQD",
  "IRR", "ISK", "JMD", "JOD", "JPY", "KES", "KGS", "KHR", "KMF", "KPW",
  "KRW", "KWD", "KYD", "KZT", "LAK", "LBP", "LKR", "LRD", "LSL", "LYD",
  "MAD", "MDL", "MGA", "MKD", "MMK", "MNT", "MOP", "MRU", "MUR", "MVR",
  "MWK", "MXN", "MYR", "MZN", "NAD", "NGN", "NIO", "NOK", "NPR", "NZD",
  "OMR", "PAB", "PEN", "PGK", "PHP", "PKR", "PLN", "PYG", "QAR", "RON",
  "RSD", "RUB", "RWF", "SAR", "SBD", "SCR", "SDG", "SEK", "SGD", "SHP",
  "SLE", "SOS", "SRD", "SSP", "STN", "SVC", "SYP", "SZL", "THB", "TJS",
  "TMT", "TND", "TOP", "TRY", "TTD", "TWD", "TZS", "UAH", "UGX", "USD",
  "UYU", "UZS", "VED", "VES", "VND", "VUV", "WST", "XAF", "XCD", "XCG",
  "XOF", "XPF", "YER", "ZAR", "ZMW", "ZWG",
};

static char *validate_spec (const ClinicSettingSpec  *spec,
                            const char               *value,
                            GError                  **error);

/* The computer's zone if GLib can name it in a form the setting accepts,
 * else UTC. Interned: it lives as long as the table. */
static const char *
local_zone_identifier (const ClinicSettingSpec *spec)
{
  g_autoptr(GTimeZone) local = g_time_zone_new_local ();
  g_autofree char *normal = NULL;

  normal = validate_spec (spec, g_time_zone_get_identifier (local), NULL);

  return g_intern_string (normal != NULL ? normal : "UTC");
}

static void
ensure_specs (void)
{
  static gsize done = 0;

  if (g_once_init_enter (&done))
    {
      for (gsize i = 0; i < G_N_ELEMENTS (specs); i++)
        if (specs[i].type == CLINIC_SETTING_TIMEZONE && specs[i].default_value == NULL)
          specs[i].default_value = local_zone_identifier (&specs[i]);

      g_once_init_leave (&done, 1);
    }
}

const ClinicSettingSpec *
clinic_settings_list_specs (guint *n_specs)
{
  ensure_specs ();

  if (n_specs != NULL)
    *n_specs = G_N_ELEMENTS (specs);

  return specs;
}

const ClinicSettingSpec *
clinic_settings_lookup_spec (const char *key)
{
  g_return_val_if_fail (key != NULL, NULL);

  ensure_specs ();

  for (gsize i = 0; i < G_N_ELEMENTS (specs); i++)
    if (strcmp (specs[i].key, key) == 0)
      return &specs[i];

  return NULL;
}

static const ClinicSettingSpec *
find_spec (const char  *key,
           GError     **error)
{
  const ClinicSettingSpec *spec = clinic_settings_lookup_spec (key);

  if (spec == NULL)
    g_set_error (error, CLINIC_ERROR, CLINIC_ERROR_NOT_FOUND,
                 _("There is no setting called “%s”."), key);

  return spec;
}

/* --- Validation -------------------------------------------------------- */

static void
refuse (const ClinicSettingSpec  *spec,
        GError                  **error)
{
  g_set_error_literal (error, CLINIC_ERROR, CLINIC_ERROR_INVALID,
                       _(spec->invalid_message));
}

/* Line breaks become "\n"; any other control character (a tab, a stray
 * escape from a paste) is refused, as is a line break in a one-line text. */
static char *
normalise_text (const char  *text,
                gboolean     multi_line,
                GError     **error)
{
  g_autoptr(GString) out = g_string_sized_new (strlen (text));

  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (multi_line && c == '\r')
        {
          if (p[1] != '\n')
            g_string_append_c (out, '\n');
          continue;
        }
      if ((c == '\n' && !multi_line) || (c != '\n' && g_unichar_iscntrl (c)))
        {
          g_set_error_literal (error, CLINIC_ERROR, CLINIC_ERROR_INVALID,
                               _("The text contains a line break or another invisible character that cannot be used here."));
          return NULL;
        }
      g_string_append_unichar (out, c);
    }

  return g_string_free (g_steal_pointer (&out), FALSE);
}

static gboolean
is_plausible_phone (const char *text)
{
  gboolean digit = FALSE;

  for (const char *p = text; *p != '\0'; p++)
    {
      if (g_ascii_isdigit (*p))
        digit = TRUE;
      else if (strchr (" +-()/", *p) == NULL)
        return FALSE;
    }

  return digit;
}

/* Not RFC 5322, which allows far more than anyone types: one "@", a local
 * part, and a domain with a dot that is not at either end of a label. */
static gboolean
is_plausible_email (const char *text)
{
  const char *at = strchr (text, '@');
  const char *domain;
  gsize local_len;

  if (at == NULL || strchr (at + 1, '@') != NULL)
    return FALSE;

  local_len = at - text;
  domain = at + 1;
  if (local_len == 0 || local_len > 64)
    return FALSE;

  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_isspace (c) || (c < 0x80 && strchr ("\"(),:;<>[\\]", (int) c) != NULL))
        return FALSE;
    }

  if (strchr (domain, '.') == NULL || strstr (domain, "..") != NULL ||
      strstr (domain, ".-") != NULL || strstr (domain, "-.") != NULL ||
      domain[0] == '.' || domain[0] == '-' ||
      g_str_has_suffix (domain, ".") || g_str_has_suffix (domain, "-"))
    return FALSE;

  /* The last label, the top-level domain, has at least two letters. */
  return strlen (strrchr (domain, '.') + 1) >= 2;
}

static char *
validate_string (const ClinicSettingSpec  *spec,
                 const char               *text,
                 GError                  **error)
{
  g_autofree char *normal = NULL;

  normal = normalise_text (text, (spec->flags & CLINIC_SETTING_FLAG_MULTI_LINE) != 0, error);
  if (normal == NULL)
    return NULL;

  if ((spec->max > 0 && g_utf8_strlen (normal, -1) > spec->max) ||
      ((spec->flags & CLINIC_SETTING_FLAG_REQUIRED) && normal[0] == '\0') ||
      ((spec->flags & CLINIC_SETTING_FLAG_PHONE) && normal[0] != '\0' &&
       !is_plausible_phone (normal)) ||
      ((spec->flags & CLINIC_SETTING_FLAG_EMAIL) && normal[0] != '\0' &&
       !is_plausible_email (normal)))
    {
      refuse (spec, error);
      return NULL;
    }

  if ((spec->flags & CLINIC_SETTING_FLAG_EMAIL) && normal[0] != '\0')
    {
      /* Domains are case-blind; the local part, strictly, is not. */
      char *at = strchr (normal, '@');
      g_autofree char *domain = g_utf8_strdown (at + 1, -1);

      *at = '\0';
      return g_strconcat (normal, "@", domain, NULL);
    }

  return g_steal_pointer (&normal);
}

static char *
validate_int (const ClinicSettingSpec  *spec,
              const char               *text,
              GError                  **error)
{
  gint64 number;

  if (!g_ascii_string_to_signed (text, 10, spec->min, spec->max, &number, NULL))
    {
      refuse (spec, error);
      return NULL;
    }

  return g_strdup_printf ("%" G_GINT64_FORMAT, number);
}

static char *
validate_bool (const ClinicSettingSpec  *spec,
               const char               *text,
               GError                  **error)
{
  static const char *const yes[] = { "true", "yes", "on", "1" };
  static const char *const no[] = { "false", "no", "off", "0" };

  for (gsize i = 0; i < G_N_ELEMENTS (yes); i++)
    {
      if (g_ascii_strcasecmp (text, yes[i]) == 0)
        return g_strdup ("true");
      if (g_ascii_strcasecmp (text, no[i]) == 0)
        return g_strdup ("false");
    }

  refuse (spec, error);
  return NULL;
}

static char *
validate_choice (const ClinicSettingSpec  *spec,
                 const char               *text,
                 GError                  **error)
{
  for (gsize i = 0; spec->choices != NULL && spec->choices[i] != NULL; i++)
    if (g_ascii_strcasecmp (text, spec->choices[i]) == 0)
      return g_strdup (spec->choices[i]);

  refuse (spec, error);
  return NULL;
}

static char *
validate_timezone (const ClinicSettingSpec  *spec,
                   const char               *text,
                   GError                  **error)
{
  g_autoptr(GTimeZone) zone = NULL;

  /* Only names as the IANA database writes them ("America/Port-au-Prince",
   * "Etc/GMT+5"): GLib would also take a file path or a POSIX rule such
   * as "CET-1CEST", which is no place's name and follows no rule changes. */
  if (text[0] == '\0' || text[0] == '/' ||
      strspn (text, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/_+-") != strlen (text) ||
      strstr (text, "//") != NULL)
    {
      refuse (spec, error);
      return NULL;
    }

  zone = g_time_zone_new_identifier (text);
  if (zone == NULL)
    {
      refuse (spec, error);
      return NULL;
    }

  return g_strdup (text);
}

static int
compare_currency (const void *a,
                  const void *b)
{
  return strcmp (a, b);
}

static char *
validate_currency (const ClinicSettingSpec  *spec,
                   const char               *text,
                   GError                  **error)
{
  g_autofree char *code = g_ascii_strup (text, -1);

  if (strlen (code) != 3 ||
      bsearch (code, currencies, G_N_ELEMENTS (currencies), sizeof currencies[0],
               compare_currency) == NULL)
    {
      refuse (spec, error);
      return NULL;
    }

  return g_steal_pointer (&code);
}

static char *
validate_spec (const ClinicSettingSpec  *spec,
               const char               *value,
               GError                  **error)
{
  g_autofree char *text = NULL;

  if (value == NULL)
    value = "";

  if (!g_utf8_validate (value, -1, NULL))
    {
      g_set_error_literal (error, CLINIC_ERROR, CLINIC_ERROR_INVALID,
                           _("The text contains a line break or another invisible character that cannot be used here."));
      return NULL;
    }

  text = g_strstrip (g_strdup (value));

  switch (spec->type)
    {
    case CLINIC_SETTING_STRING:
      return validate_string (spec, text, error);
    case CLINIC_SETTING_INT:
      return validate_int (spec, text, error);
    case CLINIC_SETTING_BOOL:
      return validate_bool (spec, text, error);
    case CLINIC_SETTING_CHOICE:
      return validate_choice (spec, text, error);
    case CLINIC_SETTING_TIMEZONE:
      return validate_timezone (spec, text, error);
    case CLINIC_SETTING_CURRENCY:
      return validate_currency (spec, text, error);
    default:
      g_assert_not_reached ();
    }

  return NULL;
}

char *
clinic_settings_validate (const char  *key,
                          const char  *value,
                          GError     **error)
{
  const ClinicSettingSpec *spec;

  g_return_val_if_fail (key != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  spec = find_spec (key, error);
  if (spec == NULL)
    return NULL;

  return validate_spec (spec, value, error);
}

/* --- Rows -------------------------------------------------------------- */

/* The row of @key as stored, or NULL in @value when there is none. */
static gboolean
read_row (ClinicDb    *db,
          const char  *key,
          char       **value,
          GError     **error)
{
  sqlite3_stmt *stmt;
  int rc;

  *value = NULL;
  stmt = clinic_db_prepare (db, "SELECT value FROM settings WHERE key = ?1", error);
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_text (stmt, 1, key, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    *value = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_reset (stmt);

  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      clinic_db_set_error (db, rc, error);
      return FALSE;
    }

  return TRUE;
}

/* The value @spec has in the database now, as a reader would get it. */
static gboolean
read_int_in_db (ClinicDb                 *db,
                const ClinicSettingSpec  *spec,
                gint64                   *number,
                GError                  **error)
{
  g_autofree char *stored = NULL;
  g_autofree char *normal = NULL;

  if (!read_row (db, spec->key, &stored, error))
    return FALSE;

  if (stored != NULL)
    normal = validate_spec (spec, stored, NULL);
  *number = g_ascii_strtoll (normal != NULL ? normal : spec->default_value, NULL, 10);

  return TRUE;
}

/* Rules between settings, checked inside the write transaction so they
 * hold against a change another program made a moment ago. */
static gboolean
check_related (ClinicDb                 *db,
               const ClinicSettingSpec  *spec,
               const char               *value,
               GError                  **error)
{
  gint64 wait;
  gint64 max_wait;

  if (strcmp (spec->key, KEY_LOCKOUT_WAIT) == 0)
    {
      wait = g_ascii_strtoll (value, NULL, 10);
      if (!read_int_in_db (db, clinic_settings_lookup_spec (KEY_LOCKOUT_MAX_WAIT), &max_wait, error))
        return FALSE;
    }
  else if (strcmp (spec->key, KEY_LOCKOUT_MAX_WAIT) == 0)
    {
      max_wait = g_ascii_strtoll (value, NULL, 10);
      if (!read_int_in_db (db, clinic_settings_lookup_spec (KEY_LOCKOUT_WAIT), &wait, error))
        return FALSE;
    }
  else
    {
      return TRUE;
    }

  if (max_wait < wait)
    {
      g_set_error_literal (error, CLINIC_ERROR, CLINIC_ERROR_INVALID,
                           _("The longest wait after repeated lock-outs cannot be shorter than the wait after a lock-out."));
      return FALSE;
    }

  return TRUE;
}

static gboolean
write_row (ClinicDb    *db,
           const char  *key,
           const char  *value,
           gint64       user_id,
           GError     **error)
{
  sqlite3_stmt *stmt;
  int rc;

  if (value != NULL)
    stmt = clinic_db_prepare (db,
                              "INSERT INTO settings (key, value, changed_at, changed_by)"
                              " VALUES (?1, ?2, ?3, ?4)"
                              " ON CONFLICT (key) DO UPDATE SET value = excluded.value,"
                              " changed_at = excluded.changed_at, changed_by = excluded.changed_by",
                              error);
  else
    stmt = clinic_db_prepare (db, "DELETE FROM settings WHERE key = ?1", error);
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_text (stmt, 1, key, -1, SQLITE_STATIC);
  if (value != NULL)
    {
      sqlite3_bind_text (stmt, 2, value, -1, SQLITE_STATIC);
      sqlite3_bind_int64 (stmt, 3, g_get_real_time () / G_USEC_PER_SEC);
      if (user_id > 0)
        sqlite3_bind_int64 (stmt, 4, user_id);
      else
        sqlite3_bind_null (stmt, 4);
    }

  rc = sqlite3_step (stmt);
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      clinic_db_set_error (db, rc, error);
      return FALSE;
    }

  return TRUE;
}

/* --- The in-memory copy ------------------------------------------------ */

static const char *
current_value (ClinicSettings          *self,
               const ClinicSettingSpec *spec)
{
  const char *value = g_hash_table_lookup (self->values, spec->key);

  return value != NULL ? value : spec->default_value;
}

static gboolean
read_data_version (ClinicSettings  *self,
                   gint64          *version,
                   GError         **error)
{
  sqlite3_stmt *stmt = clinic_db_prepare (self->db, "PRAGMA data_version", error);
  int rc;

  if (stmt == NULL)
    return FALSE;

  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    *version = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);

  if (rc != SQLITE_ROW)
    {
      clinic_db_set_error (self->db, rc, error);
      return FALSE;
    }

  return TRUE;
}

/* Reads every row into a new table; a row that no longer validates (a
 * hand edit, a range narrowed by a later Clinic) is left out, so it reads
 * as the default, and is warned about once. */
static GHashTable *
read_values (ClinicSettings  *self,
             GError         **error)
{
  g_autoptr(GHashTable) values = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  g_autoptr(GHashTable) bad_values = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  sqlite3_stmt *stmt;
  int rc;

  stmt = clinic_db_prepare (self->db, "SELECT key, value FROM settings", error);
  if (stmt == NULL)
    return NULL;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *key = (const char *) sqlite3_column_text (stmt, 0);
      const char *stored = (const char *) sqlite3_column_text (stmt, 1);
      const ClinicSettingSpec *spec = clinic_settings_lookup_spec (key);
      g_autoptr(GError) local_error = NULL;
      char *normal;

      /* A setting this Clinic does not know: a newer Clinic's. */
      if (spec == NULL)
        continue;

      normal = validate_spec (spec, stored, &local_error);
      if (normal != NULL)
        {
          g_hash_table_insert (values, (gpointer) spec->key, normal);
          continue;
        }

      if (g_strcmp0 (g_hash_table_lookup (self->bad_values, spec->key), stored) != 0)
        g_warning ("The setting “%s” holds “%s”, which is not valid (%s); using its default “%s”.",
                   spec->key, stored, local_error->message, spec->default_value);
      g_hash_table_insert (bad_values, (gpointer) spec->key, g_strdup (stored));
    }
  sqlite3_reset (stmt);

  if (rc != SQLITE_DONE)
    {
      clinic_db_set_error (self->db, rc, error);
      return NULL;
    }

  g_clear_pointer (&self->bad_values, g_hash_table_unref);
  self->bad_values = g_steal_pointer (&bad_values);

  return g_steal_pointer (&values);
}

static void
emit_changed (ClinicSettings          *self,
              const ClinicSettingSpec *spec)
{
  g_signal_emit (self, signals[CHANGED], g_quark_from_static_string (spec->key), spec->key);
}

/* Makes the copy current: read at first use, and again whenever another
 * connection has committed since (our own commits leave data_version
 * alone, and update the copy themselves). */
static void
refresh (ClinicSettings *self)
{
  g_autoptr(GHashTable) old_values = NULL;
  g_autoptr(GHashTable) values = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) changed = NULL;
  gboolean was_loaded = self->loaded;
  gint64 version = 0;

  /* After a change of keys that could not finish, the connection is gone
   * and the window asks for a restart; the copy serves until then. */
  if (!clinic_db_ensure_open (self->db, NULL))
    return;

  if (!read_data_version (self, &version, &error))
    goto failed;

  if (self->loaded && version == self->data_version)
    return;

  values = read_values (self, &error);
  if (values == NULL)
    goto failed;

  old_values = g_steal_pointer (&self->values);
  self->values = g_steal_pointer (&values);
  self->data_version = version;
  self->loaded = TRUE;

  if (!was_loaded)
    return;

  /* Emitted once the copy is whole, so a handler reads the new values. */
  changed = g_ptr_array_new ();
  for (gsize i = 0; i < G_N_ELEMENTS (specs); i++)
    {
      const char *old_value = g_hash_table_lookup (old_values, specs[i].key);

      if (g_strcmp0 (old_value != NULL ? old_value : specs[i].default_value,
                     current_value (self, &specs[i])) != 0)
        g_ptr_array_add (changed, &specs[i]);
    }

  g_object_ref (self);
  for (guint i = 0; i < changed->len; i++)
    emit_changed (self, g_ptr_array_index (changed, i));
  g_object_unref (self);

  return;

failed:
  /* The copy (or the defaults) stays; the next read tries again. */
  g_warning ("The clinic’s settings could not be read: %s", error->message);
}

/* --- Reading ----------------------------------------------------------- */

static const ClinicSettingSpec *
lookup_for_reading (ClinicSettings *self,
                    const char     *key)
{
  const ClinicSettingSpec *spec;

  g_return_val_if_fail (CLINIC_IS_SETTINGS (self), NULL);
  g_return_val_if_fail (self->db != NULL, NULL);
  g_return_val_if_fail (key != NULL, NULL);

  spec = clinic_settings_lookup_spec (key);
  if (spec == NULL)
    {
      g_critical ("There is no setting called “%s”", key);
      return NULL;
    }
  refresh (self);

  return spec;
}

char *
clinic_settings_get (ClinicSettings *self,
                     const char     *key)
{
  const ClinicSettingSpec *spec = lookup_for_reading (self, key);

  if (spec == NULL)
    return NULL;

  return g_strdup (current_value (self, spec));
}

gint64
clinic_settings_get_int (ClinicSettings *self,
                         const char     *key)
{
  const ClinicSettingSpec *spec = lookup_for_reading (self, key);

  g_return_val_if_fail (spec == NULL || spec->type == CLINIC_SETTING_INT, 0);
  if (spec == NULL)
    return 0;

  /* The copy holds validated values only, so this parses. */
  return g_ascii_strtoll (current_value (self, spec), NULL, 10);
}

gboolean
clinic_settings_get_boolean (ClinicSettings *self,
                             const char     *key)
{
  const ClinicSettingSpec *spec = lookup_for_reading (self, key);

  g_return_val_if_fail (spec == NULL || spec->type == CLINIC_SETTING_BOOL, FALSE);
  if (spec == NULL)
    return FALSE;

  return strcmp (current_value (self, spec), "true") == 0;
}

gboolean
clinic_settings_is_default (ClinicSettings *self,
                            const char     *key)
{
  const ClinicSettingSpec *spec = lookup_for_reading (self, key);

  if (spec == NULL)
    return FALSE;

  return !g_hash_table_contains (self->values, spec->key);
}

void
clinic_settings_refresh (ClinicSettings *self)
{
  g_return_if_fail (CLINIC_IS_SETTINGS (self));
  g_return_if_fail (self->db != NULL);

  refresh (self);
}

/* --- Changing ---------------------------------------------------------- */

/* Writes @value (NULL: back to the default) with its audit entry in one
 * transaction, then updates the copy and notifies. */
static gboolean
change (ClinicSettings           *self,
        ClinicSession            *session,
        const ClinicSettingSpec  *spec,
        const char               *value,
        GError                  **error)
{
  g_autofree char *stored = NULL;
  const char *new_value = value != NULL ? value : spec->default_value;

  if (!clinic_db_begin_write (self->db, error))
    return FALSE;

  /* What is there now decides, not the copy: another program may have
   * written since the copy was read. */
  if (!read_row (self->db, spec->key, &stored, error))
    goto fail;

  if (value == NULL ? stored == NULL
                    : g_strcmp0 (stored, value) == 0 ||
                      (stored == NULL && strcmp (value, spec->default_value) == 0))
    {
      clinic_db_rollback (self->db);
      return TRUE;
    }

  if (!check_related (self->db, spec, new_value, error) ||
      !write_row (self->db, spec->key, value, clinic_session_get_user_id (session), error) ||
      !clinic_audit_append (self->db, session, NULL, 0, "settings.changed", "setting", spec->key, 0,
                            stored != NULL ? stored : spec->default_value, new_value, error))
    goto fail;

  if (!clinic_db_commit (self->db, error))
    return FALSE;

  if (value != NULL)
    g_hash_table_insert (self->values, (gpointer) spec->key, g_strdup (value));
  else
    g_hash_table_remove (self->values, spec->key);
  g_hash_table_remove (self->bad_values, spec->key);

  emit_changed (self, spec);

  return TRUE;

fail:
  clinic_db_rollback (self->db);
  return FALSE;
}

static gboolean
check_session (ClinicSettings  *self,
               ClinicSession   *session,
               GError         **error)
{
  /* Settings are staff work whatever a patient's role says. */
  return clinic_session_require_staff (session, CLINIC_PERMISSION_SETTINGS, error);
}

gboolean
clinic_settings_set (ClinicSettings  *self,
                     ClinicSession   *session,
                     const char      *key,
                     const char      *value,
                     GError         **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *normal = NULL;
  const ClinicSettingSpec *spec;

  g_return_val_if_fail (CLINIC_IS_SETTINGS (self), FALSE);
  g_return_val_if_fail (self->db != NULL, FALSE);
  g_return_val_if_fail (CLINIC_IS_SESSION (session), FALSE);
  g_return_val_if_fail (clinic_session_get_db (session) == self->db, FALSE);
  g_return_val_if_fail (key != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!check_session (self, session, error))
    return FALSE;

  spec = find_spec (key, error);
  if (spec == NULL)
    return FALSE;

  normal = validate_spec (spec, value, error);
  if (normal == NULL)
    return FALSE;

  /* Nothing to do, without taking the write lock; a stored value that
   * failed validation reads as the default but is still replaced. */
  refresh (self);
  if (strcmp (current_value (self, spec), normal) == 0 &&
      !g_hash_table_contains (self->bad_values, spec->key))
    return TRUE;

  return change (self, session, spec, normal, error);
}

gboolean
clinic_settings_reset (ClinicSettings  *self,
                       ClinicSession   *session,
                       const char      *key,
                       GError         **error)
{
  const ClinicSettingSpec *spec;

  g_return_val_if_fail (CLINIC_IS_SETTINGS (self), FALSE);
  g_return_val_if_fail (self->db != NULL, FALSE);
  g_return_val_if_fail (CLINIC_IS_SESSION (session), FALSE);
  g_return_val_if_fail (clinic_session_get_db (session) == self->db, FALSE);
  g_return_val_if_fail (key != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!check_session (self, session, error))
    return FALSE;

  spec = find_spec (key, error);
  if (spec == NULL)
    return FALSE;

  refresh (self);
  if (!g_hash_table_contains (self->values, spec->key) &&
      !g_hash_table_contains (self->bad_values, spec->key))
    return TRUE;

  return change (self, session, spec, NULL, error);
}

gboolean
clinic_settings_set_initial (ClinicDb    *db,
                             const char  *key,
                             const char  *value,
                             GError     **error)
{
  g_autofree char *normal = NULL;
  const ClinicSettingSpec *spec;
  ClinicSettings *self;

  g_return_val_if_fail (CLINIC_IS_DB (db), FALSE);
  g_return_val_if_fail (clinic_db_get_handle (db) != NULL &&
                        !sqlite3_get_autocommit (clinic_db_get_handle (db)), FALSE);
  g_return_val_if_fail (key != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  spec = find_spec (key, error);
  if (spec == NULL)
    return FALSE;

  normal = validate_spec (spec, value, error);
  if (normal == NULL)
    return FALSE;

  if (!check_related (db, spec, normal, error) ||
      !write_row (db, spec->key, normal, 0, error))
    return FALSE;

  /* The caller's transaction may still roll back: read afresh next time
   * rather than trust a value that may never commit. */
  self = g_object_get_data (G_OBJECT (db), SETTINGS_DATA_KEY);
  if (self != NULL)
    self->loaded = FALSE;

  return TRUE;
}

/* --- Object ------------------------------------------------------------ */

ClinicSettings *
clinic_settings_get_for_db (ClinicDb *db)
{
  ClinicSettings *self;

  g_return_val_if_fail (CLINIC_IS_DB (db), NULL);

  self = g_object_get_data (G_OBJECT (db), SETTINGS_DATA_KEY);
  if (self == NULL)
    {
      self = g_object_new (CLINIC_TYPE_SETTINGS, NULL);
      /* Weak: the database holds the only strong reference, and a
       * settings object kept past its database must not reach a freed
       * one (its calls then fail their checks). */
      g_set_weak_pointer (&self->db, db);
      g_object_set_data_full (G_OBJECT (db), SETTINGS_DATA_KEY, self, g_object_unref);
    }

  return self;
}

static void
clinic_settings_dispose (GObject *object)
{
  ClinicSettings *self = CLINIC_SETTINGS (object);

  g_clear_weak_pointer (&self->db);

  G_OBJECT_CLASS (clinic_settings_parent_class)->dispose (object);
}

static void
clinic_settings_finalize (GObject *object)
{
  ClinicSettings *self = CLINIC_SETTINGS (object);

  g_clear_pointer (&self->values, g_hash_table_unref);
  g_clear_pointer (&self->bad_values, g_hash_table_unref);

  G_OBJECT_CLASS (clinic_settings_parent_class)->finalize (object);
}

static void
clinic_settings_class_init (ClinicSettingsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = clinic_settings_dispose;
  object_class->finalize = clinic_settings_finalize;

  /**
   * ClinicSettings::changed:
   * @self: the settings
   * @key: the setting that changed; also the detail
   *
   * Emitted after the change has committed.
   */
  signals[CHANGED] =
    g_signal_new ("changed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST | G_SIGNAL_DETAILED,
                  0,
                  NULL, NULL,
                  g_cclosure_marshal_VOID__STRING,
                  G_TYPE_NONE, 1,
                  G_TYPE_STRING | G_SIGNAL_TYPE_STATIC_SCOPE);
  g_signal_set_va_marshaller (signals[CHANGED],
                              G_TYPE_FROM_CLASS (klass),
                              g_cclosure_marshal_VOID__STRINGv);
}

static void
clinic_settings_init (ClinicSettings *self)
{
  self->values = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  self->bad_values = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
}
