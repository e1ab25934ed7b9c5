/* clinic-password.c — password rules and the hashes inside the database */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <pwquality.h>
#include <sodium.h>
#include <string.h>

#include "clinic-error.h"
#include "clinic-password.h"

/* Passwords are compared in NFKC, as the key slots do, so the same word
 * typed on another keyboard layout or input method still matches. */
static char *
normalize (const char *password)
{
  return g_utf8_normalize (password, -1, G_NORMALIZE_NFKC);
}

static pwquality_settings_t *
policy_settings (guint min_length)
{
  pwquality_settings_t *settings = pwquality_default_settings ();
  static const int off[] = {
    PWQ_SETTING_MIN_CLASS, PWQ_SETTING_DIG_CREDIT, PWQ_SETTING_UP_CREDIT,
    PWQ_SETTING_LOW_CREDIT, PWQ_SETTING_OTH_CREDIT, PWQ_SETTING_DIFF_OK,
    PWQ_SETTING_MAX_REPEAT, PWQ_SETTING_MAX_CLASS_REPEAT, PWQ_SETTING_MAX_SEQUENCE,
    PWQ_SETTING_GECOS_CHECK,
  };

  if (settings == NULL)
    return NULL;

  /* Length and the dictionary only: composition rules make passwords
   * harder to remember and no harder to guess (NIST 800-63B). */
  for (gsize i = 0; i < G_N_ELEMENTS (off); i++)
    pwquality_set_int_value (settings, off[i], 0);
  pwquality_set_int_value (settings, PWQ_SETTING_MIN_LENGTH, (int) MAX (min_length, 6));
  pwquality_set_int_value (settings, PWQ_SETTING_DICT_CHECK, 1);
  pwquality_set_int_value (settings, PWQ_SETTING_USER_CHECK, 1);

  return settings;
}

/* The password without the digits and signs around it: "Password2026!"
 * → "Password". A dictionary word with a number stuck on is still a
 * dictionary word, which cracklib alone lets through once the whole is
 * long enough. (transfer full) */
static char *
letters_core (const char *password)
{
  const char *start = password;
  const char *end = password + strlen (password);

  while (*start != '\0' && !g_unichar_isalpha (g_utf8_get_char (start)))
    start = g_utf8_next_char (start);
  while (end > start)
    {
      const char *prev = g_utf8_prev_char (end);

      if (g_unichar_isalpha (g_utf8_get_char (prev)))
        break;
      end = prev;
    }

  return g_strndup (start, (gsize) (end - start));
}

static gboolean
is_dictionary_based (pwquality_settings_t *settings,
                     const char           *password,
                     const char           *user_name)
{
  char buf[PWQ_MAX_ERROR_MESSAGE_LEN];
  void *aux = NULL;
  int score = pwquality_check (settings, password, NULL, user_name, &aux);

  /* pwquality_strerror() is what releases @aux, whatever it points to. */
  if (score < 0)
    pwquality_strerror (buf, sizeof buf, score, aux);

  return score == PWQ_ERROR_CRACKLIB_CHECK || score == PWQ_ERROR_PALINDROME ||
         score == PWQ_ERROR_USER_CHECK || score == PWQ_ERROR_BAD_WORDS;
}

gboolean
clinic_password_check_policy (const char  *password,
                              guint        min_length,
                              const char  *user_name,
                              GError     **error)
{
  g_autofree char *normal = NULL;
  g_autofree char *core = NULL;
  pwquality_settings_t *settings;
  gboolean weak;
  glong length;

  g_return_val_if_fail (password != NULL, FALSE);

  if (!g_utf8_validate (password, -1, NULL))
    {
      g_set_error_literal (error, CLINIC_ERROR, CLINIC_ERROR_INVALID,
                           _("The password contains characters that are not text."));
      return FALSE;
    }

  normal = normalize (password);
  length = g_utf8_strlen (normal, -1);
  if (length < (glong) min_length)
    {
      g_set_error (error, CLINIC_ERROR, CLINIC_ERROR_INVALID,
                   g_dngettext (GETTEXT_PACKAGE,
                                "The password is too short: use at least %u character (a few words make a good one).",
                                "The password is too short: use at least %u characters (a few words make a good one).",
                                min_length),
                   min_length);
      return FALSE;
    }

  if (length > CLINIC_PASSWORD_MAX_LENGTH)
    {
      g_set_error (error, CLINIC_ERROR, CLINIC_ERROR_INVALID,
                   _("The password is too long: use at most %d characters."),
                   CLINIC_PASSWORD_MAX_LENGTH);
      return FALSE;
    }

  settings = policy_settings (min_length);
  if (settings == NULL)
    {
      g_set_error_literal (error, CLINIC_ERROR, CLINIC_ERROR_INVALID,
                           _("The password could not be checked."));
      return FALSE;
    }

  core = letters_core (normal);
  weak = is_dictionary_based (settings, normal, user_name);
  pwquality_free_settings (settings);

  /* The core is checked without the length rule, which it need not meet. */
  if (!weak && strcmp (core, normal) != 0)
    {
      settings = policy_settings (6);
      weak = g_utf8_strlen (core, -1) < 4 ||
             (settings != NULL && is_dictionary_based (settings, core, user_name));
      if (settings != NULL)
        pwquality_free_settings (settings);
    }

  if (weak)
    {
      g_set_error_literal (error, CLINIC_ERROR, CLINIC_ERROR_INVALID,
                           _("This password is too easy to guess: it is a common or dictionary word, or contains the user name. A few unrelated words make a good one."));
      return FALSE;
    }

  /* Other answers of libpwquality (a missing dictionary) do not refuse the
   * password: the length rule above stands on its own. */
  return TRUE;
}

char *
clinic_password_hash (const char             *password,
                      const ClinicKdfLimits  *limits,
                      GError                **error)
{
  ClinicKdfLimits chosen = limits != NULL ? *limits : CLINIC_KDF_LIMITS_INTERACTIVE;
  ClinicKdfLimits floor = CLINIC_KDF_LIMITS_INTERACTIVE;
  g_autofree char *normal = NULL;
  char hash[crypto_pwhash_STRBYTES];

  g_return_val_if_fail (password != NULL, NULL);

  if (!clinic_kdf_limits_check (&chosen, &floor, error))
    return NULL;

  normal = normalize (password);
  if (crypto_pwhash_str_alg (hash, normal, strlen (normal), chosen.opslimit, chosen.memlimit,
                             crypto_pwhash_ALG_ARGON2ID13) != 0)
    {
      sodium_memzero (normal, strlen (normal));
      g_set_error_literal (error, CLINIC_KEYS_ERROR, CLINIC_KEYS_ERROR_FAILED,
                           _("There is not enough memory to check the password. Close other programs and try again."));
      return NULL;
    }
  sodium_memzero (normal, strlen (normal));

  return g_strdup (hash);
}

/* The limits a hash string records ("$argon2id$v=19$m=65536,t=2,p=1$…"). */
static gboolean
parse_limits (const char      *hash,
              ClinicKdfLimits *limits)
{
  unsigned long m = 0, t = 0, p = 0;

  if (!g_str_has_prefix (hash, "$argon2id$v=19$") ||
      sscanf (hash + strlen ("$argon2id$v=19$"), "m=%lu,t=%lu,p=%lu", &m, &t, &p) != 3)
    return FALSE;

  limits->memlimit = (gsize) m * 1024;
  limits->opslimit = t;
  return TRUE;
}

gboolean
clinic_password_verify (const char *hash,
                        const char *password)
{
  static char dummy[crypto_pwhash_STRBYTES];
  ClinicKdfLimits recorded;
  ClinicKdfLimits floor = CLINIC_KDF_LIMITS_INTERACTIVE;
  g_autofree char *normal = NULL;
  gboolean ok;

  g_return_val_if_fail (password != NULL, FALSE);

  if (hash == NULL)
    {
      /* Same work as a real check, so timing tells no one which names
       * exist. */
      if (dummy[0] == '\0' &&
          crypto_pwhash_str_alg (dummy, "clinic", 6, crypto_pwhash_OPSLIMIT_INTERACTIVE,
                                 crypto_pwhash_MEMLIMIT_INTERACTIVE, crypto_pwhash_ALG_ARGON2ID13) != 0)
        return FALSE;
      if (crypto_pwhash_str_verify (dummy, password, strlen (password)) == 0)
        g_debug ("The dummy password matched");
      return FALSE;
    }

  if (!parse_limits (hash, &recorded) || !clinic_kdf_limits_check (&recorded, &floor, NULL))
    return FALSE;

  normal = normalize (password);
  ok = crypto_pwhash_str_verify (hash, normal, strlen (normal)) == 0;
  sodium_memzero (normal, strlen (normal));

  return ok;
}
