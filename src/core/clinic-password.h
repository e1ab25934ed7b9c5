/* clinic-password.h — password rules and the hashes inside the database
 *
 * Policy (SECURITY.md): a minimum length (settings), a maximum of 1024
 * characters, any characters, and libpwquality's dictionary check — no
 * rules about character classes. Hashes are Argon2id strings
 * (crypto_pwhash_str); a hash whose recorded limits are below the floor
 * is refused, except where a test asked for cheap limits explicitly
 * (clinic_keys_allow_test_limits).
 */

#pragma once

#include "clinic-keys.h"

G_BEGIN_DECLS

#define CLINIC_PASSWORD_MAX_LENGTH 1024

/* FALSE with CLINIC_ERROR_INVALID and a sentence a person understands
 * when @password is shorter than @min_length characters, longer than the
 * maximum, or found by the dictionary check (a common or dictionary
 * word; @user_name is also refused as a password). */
gboolean  clinic_password_check_policy (const char             *password,
                                        guint                   min_length,
                                        const char             *user_name,
                                        GError                **error);

/* An Argon2id hash string for @password at @limits (NULL: INTERACTIVE).
 * (transfer full) NULL with CLINIC_KEYS_ERROR_WEAK_LIMITS or _FAILED. */
char     *clinic_password_hash         (const char             *password,
                                        const ClinicKdfLimits  *limits,
                                        GError                **error);

/* TRUE when @password matches @hash and the hash's limits are at least
 * INTERACTIVE (or test limits are allowed). Passing NULL for @hash runs a
 * check of the same cost against a dummy, so an unknown user costs what a
 * known one does, and returns FALSE. */
gboolean  clinic_password_verify       (const char             *hash,
                                        const char             *password);

G_END_DECLS
