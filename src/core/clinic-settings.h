/* clinic-settings.h — the clinic's settings, kept in its database
 *
 * One object per open database holds every clinic-wide setting; no other
 * place keeps a copy. Each setting has a type, a default, a validation
 * with a clear message, and "reset to default". A change takes effect at
 * once: it is written and audited ("settings.changed", old → new) in one
 * transaction, then "changed::KEY" is emitted to every reader. Settings of
 * this PC only (window size) are GSettings, not here.
 *
 * Keys are dotted: "clinic.name", "security.idle-lock-minutes", ... Each
 * later feature adds its own to the table in clinic-settings.c.
 */

#pragma once

#include "clinic-db.h"
#include "clinic-session.h"

G_BEGIN_DECLS

typedef enum
{
  CLINIC_SETTING_STRING,     /* free text, maybe with a maximum length */
  CLINIC_SETTING_INT,        /* whole number within a range */
  CLINIC_SETTING_BOOL,       /* "true" / "false" */
  CLINIC_SETTING_CHOICE,     /* one of a fixed list of words */
  CLINIC_SETTING_TIMEZONE,   /* an IANA zone GLib knows: "Europe/Berlin" */
  CLINIC_SETTING_CURRENCY,   /* an ISO 4217 code: "EUR" */
} ClinicSettingType;

/* What a STRING setting may hold beyond its length; the settings page
 * also picks its entry from these (multi-line, phone or e-mail input). */
typedef enum
{
  CLINIC_SETTING_FLAG_NONE       = 0,
  CLINIC_SETTING_FLAG_REQUIRED   = 1 << 0,  /* never empty */
  CLINIC_SETTING_FLAG_MULTI_LINE = 1 << 1,  /* line breaks allowed */
  CLINIC_SETTING_FLAG_PHONE      = 1 << 2,  /* digits, spaces, + - ( ) / */
  CLINIC_SETTING_FLAG_EMAIL      = 1 << 3,  /* empty or a plausible address */
} ClinicSettingFlags;

/* One setting. The texts are marked with N_(), not translated: show them
 * through g_dgettext (GETTEXT_PACKAGE, ...). */
typedef struct
{
  const char        *key;
  ClinicSettingType  type;
  const char        *default_value;   /* as text */
  const char        *title;           /* translatable, for the settings page */
  const char        *description;     /* translatable, one sentence */
  gint64             min;             /* INT: lower bound */
  gint64             max;             /* INT: upper bound; STRING: most characters (0: no limit) */
  const char *const *choices;         /* CHOICE: the words */
  ClinicSettingFlags flags;           /* STRING: what it may hold */
  const char        *invalid_message; /* translatable: why a value is refused,
                                         in the setting's own words */
} ClinicSettingSpec;

#define CLINIC_TYPE_SETTINGS (clinic_settings_get_type ())

G_DECLARE_FINAL_TYPE (ClinicSettings, clinic_settings, CLINIC, SETTINGS, GObject)

/*
 * ClinicSettings::changed:
 * @key: the setting's key (also the signal's detail: "changed::clinic.name")
 *
 * Emitted after a change has committed, so a handler reads the new value.
 * Also emitted for a change another program (clinicctl) made, when a
 * read, a change or clinic_settings_refresh() first notices it (never for
 * clinic_settings_set_initial(), which runs inside its caller's
 * transaction).
 *
 * Thread safety: like its ClinicDb, a ClinicSettings belongs to the thread
 * that opened the database (the main thread); a worker thread with a
 * connection of its own reads what it needs itself.
 */

/* The settings of @db, made on first use and kept with it. (transfer none) */
ClinicSettings          *clinic_settings_get_for_db   (ClinicDb          *db);

/* Every setting, in the order a settings page shows them; NULL for an
 * unknown key. (transfer none) */
const ClinicSettingSpec *clinic_settings_list_specs   (guint             *n_specs);
const ClinicSettingSpec *clinic_settings_lookup_spec  (const char        *key);

/* Reading needs no session: settings hold no patient data, and the window
 * needs some (idle-lock minutes, the clinic's name) before anyone signs
 * in. The value as text, or the default. A stored value that does not
 * validate (edited by hand) reads as the default, with a g_warning. An
 * unknown key, or get_int/get_boolean on a setting of another type, is a
 * programmer's mistake (g_critical). (transfer full) */
char                    *clinic_settings_get          (ClinicSettings    *self,
                                                       const char        *key);
gint64                   clinic_settings_get_int      (ClinicSettings    *self,
                                                       const char        *key);
gboolean                 clinic_settings_get_boolean  (ClinicSettings    *self,
                                                       const char        *key);
/* Re-reads the settings if another program changed the database since
 * they were last read (cheap: one PRAGMA when nothing changed), and emits
 * "changed::KEY" for each setting whose value differs. Reads do this
 * themselves; the window calls it too (say, when it is focused) so a
 * value it keeps on screen follows clinicctl's changes. */
void                     clinic_settings_refresh      (ClinicSettings    *self);

/* TRUE when the setting holds its default (never set, or reset; or its
 * stored value does not validate, so it reads as the default). */
gboolean                 clinic_settings_is_default   (ClinicSettings    *self,
                                                       const char        *key);

/* Checks @value for @key without changing anything: the normalised value
 * (trimmed, canonical case) or NULL with CLINIC_ERROR_INVALID and a
 * message a person understands ("The idle time must be between 1 and 120
 * minutes."); CLINIC_ERROR_NOT_FOUND for an unknown key. Rules between
 * two settings (the longest lock-out wait is at least the first wait)
 * need the other's value, so only set and reset check them. (transfer
 * full) */
char                    *clinic_settings_validate     (const char        *key,
                                                       const char        *value,
                                                       GError           **error);

/* Needs CLINIC_PERMISSION_SETTINGS in a staff session (a patient's role
 * never grants it). Validates, writes and audits old → new in one
 * transaction, then notifies. Setting the value it already has changes
 * nothing and audits nothing. On any error nothing changes and nothing is
 * emitted. Errors: CLINIC_ERROR_PERMISSION_DENIED or _SIGNED_OUT,
 * CLINIC_ERROR_INVALID, CLINIC_ERROR_NOT_FOUND, CLINIC_DB_ERROR_*. */
gboolean                 clinic_settings_set          (ClinicSettings    *self,
                                                       ClinicSession     *session,
                                                       const char        *key,
                                                       const char        *value,
                                                       GError           **error);

/* Needs CLINIC_PERMISSION_SETTINGS. Back to the default (the row goes),
 * audited (old → default) and notified like a change; refused like set
 * when the default clashes with a related setting. Resetting a setting
 * that holds its default changes nothing. */
gboolean                 clinic_settings_reset        (ClinicSettings    *self,
                                                       ClinicSession     *session,
                                                       const char        *key,
                                                       GError           **error);

/* Writes the initial values when a clinic is created (clinic.name,
 * address, phone, currency, time zone) inside the caller's write
 * transaction, without a session (there is none yet) and without an audit
 * entry or a signal; validation as for set. */
gboolean                 clinic_settings_set_initial  (ClinicDb          *db,
                                                       const char        *key,
                                                       const char        *value,
                                                       GError           **error);

G_END_DECLS
