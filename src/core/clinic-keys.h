/* clinic-keys.h: database key, key slots file and recovery key
 *
 * Copyright 2024 The Clinic authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>
#include <sodium.h>

G_BEGIN_DECLS

#define CLINIC_KEYS_ERROR (clinic_keys_error_quark ())

/**
 * ClinicKeysError:
 * @CLINIC_KEYS_ERROR_FAILED: something outside the caller's control failed
 *   (secure memory, the operating system refused to harden the process)
 * @CLINIC_KEYS_ERROR_WRONG_CREDENTIALS: unknown user or wrong password; the
 *   two are never told apart, in words or in time
 * @CLINIC_KEYS_ERROR_SLOTS_MISSING: there is no key file beside the database;
 *   the recovery key opens the database and lets an administrator re-create it
 * @CLINIC_KEYS_ERROR_SLOTS_DAMAGED: the key file is not a Clinic key file, has
 *   an unknown version, the wrong length, or a slot failed its checks
 * @CLINIC_KEYS_ERROR_WEAK_LIMITS: Argon2id limits below the floor, asked for
 *   or recorded in a slot
 * @CLINIC_KEYS_ERROR_USER_EXISTS: the user already has a slot
 * @CLINIC_KEYS_ERROR_NO_SUCH_USER: the user has no slot (only for operations
 *   that an administrator runs with the database open, never for sign-in)
 * @CLINIC_KEYS_ERROR_INVALID_USER_NAME: the name is empty once trimmed
 * @CLINIC_KEYS_ERROR_RECOVERY_KEY_INVALID: the recovery key was mistyped
 * @CLINIC_KEYS_ERROR_WRONG_DATABASE: the key file or the recovery key belong
 *   to another database
 * @CLINIC_KEYS_ERROR_IO: the key file could not be read or written
 */
typedef enum
{
  CLINIC_KEYS_ERROR_FAILED,
  CLINIC_KEYS_ERROR_WRONG_CREDENTIALS,
  CLINIC_KEYS_ERROR_SLOTS_MISSING,
  CLINIC_KEYS_ERROR_SLOTS_DAMAGED,
  CLINIC_KEYS_ERROR_WEAK_LIMITS,
  CLINIC_KEYS_ERROR_USER_EXISTS,
  CLINIC_KEYS_ERROR_NO_SUCH_USER,
  CLINIC_KEYS_ERROR_INVALID_USER_NAME,
  CLINIC_KEYS_ERROR_RECOVERY_KEY_INVALID,
  CLINIC_KEYS_ERROR_WRONG_DATABASE,
  CLINIC_KEYS_ERROR_IO,
} ClinicKeysError;

GQuark clinic_keys_error_quark (void);

/* --- The process ------------------------------------------------------- */

/*
 * clinic_process_harden:
 *
 * Call first thing in main() of Clinic and clinicctl.  Makes the process
 * non-dumpable (no core file; other processes of the same user can no
 * longer ptrace it or read its memory through /proc), sets the core file
 * size limit to 0 and initialises libsodium.  Not thread safe:
 * call before starting threads.  Returns FALSE and sets @error
 * (CLINIC_KEYS_ERROR_FAILED) if any of the three fails.
 */
gboolean clinic_process_harden (GError **error);

/* --- Keys -------------------------------------------------------------- */

#define CLINIC_KEY_SIZE    32 /* bytes, 256 bits */
#define CLINIC_KEY_ID_SIZE 16 /* bytes, public fingerprint of a database key */

/* Contexts for clinic_key_derive(); exactly crypto_kdf_CONTEXTBYTES (8)
 * characters each.  Never change one: it would change every sub-key. */
#define CLINIC_KEY_CONTEXT_PAGES       "clnpages"
#define CLINIC_KEY_CONTEXT_ATTACHMENTS "clnattch"
#define CLINIC_KEY_CONTEXT_BACKUPS     "clnbckup"
#define CLINIC_KEY_CONTEXT_AUDIT       "clnaudit"
#define CLINIC_KEY_CONTEXT_SLOTS       "clnslots" /* key file slot MACs */

/*
 * ClinicKey:
 *
 * A 256-bit secret held in sodium_malloc() memory (locked, guarded, read-only
 * once filled) and wiped when freed.  Immutable, so a key may be shared
 * between threads for reading.
 */
typedef struct _ClinicKey ClinicKey;

GType         clinic_key_get_type       (void) G_GNUC_CONST;

/* A fresh random key (randombytes_buf).  Never NULL: running out of secure
 * memory aborts, like running out of ordinary memory does in GLib. */
ClinicKey    *clinic_key_new_random     (void);
/* A key holding a copy of the CLINIC_KEY_SIZE bytes at @data; the caller
 * wipes its own copy. */
ClinicKey    *clinic_key_new_from_data  (const guint8     *data);
ClinicKey    *clinic_key_copy           (const ClinicKey  *key);
void          clinic_key_free           (ClinicKey        *key);
/* CLINIC_KEY_SIZE bytes, read-only, valid as long as @key. */
const guint8 *clinic_key_get_data       (const ClinicKey  *key);
/* Constant time (sodium_memcmp). */
gboolean      clinic_key_equal          (const ClinicKey  *a,
                                         const ClinicKey  *b);
/* Sub-key @subkey_id in @context (one of CLINIC_KEY_CONTEXT_*), through
 * crypto_kdf_derive_from_key().  Deterministic. */
ClinicKey    *clinic_key_derive         (const ClinicKey  *key,
                                         guint64           subkey_id,
                                         const char        context[8]);
/* The key id: BLAKE2b-128 of a fixed label keyed with @key.  Public, reveals
 * nothing about the key, tells databases apart. */
void          clinic_key_get_id         (const ClinicKey  *key,
                                         guint8            id[CLINIC_KEY_ID_SIZE]);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ClinicKey, clinic_key_free)

/* --- Argon2id limits --------------------------------------------------- */

typedef struct
{
  guint64 opslimit;
  gsize   memlimit;
} ClinicKdfLimits;

/* For key slots: about a second, 256 MiB.  This is also the floor for
 * slots. */
#define CLINIC_KDF_LIMITS_MODERATE \
  ((ClinicKdfLimits) { crypto_pwhash_argon2id_OPSLIMIT_MODERATE, \
                       crypto_pwhash_argon2id_MEMLIMIT_MODERATE })
/* For checks inside the open database (lock screen, kiosk sign-in); the
 * floor for those hashes. */
#define CLINIC_KDF_LIMITS_INTERACTIVE \
  ((ClinicKdfLimits) { crypto_pwhash_argon2id_OPSLIMIT_INTERACTIVE, \
                       crypto_pwhash_argon2id_MEMLIMIT_INTERACTIVE })
/* The cheapest libsodium accepts.  Refused everywhere unless a test called
 * clinic_keys_allow_test_limits (TRUE). */
#define CLINIC_KDF_LIMITS_TEST \
  ((ClinicKdfLimits) { crypto_pwhash_argon2id_OPSLIMIT_MIN, \
                       crypto_pwhash_argon2id_MEMLIMIT_MIN })

/*
 * clinic_keys_allow_test_limits:
 *
 * For tests only, and the only way to get past the floors: while @allow is
 * TRUE, clinic_kdf_limits_check() accepts anything down to
 * CLINIC_KDF_LIMITS_TEST, so slots may be made and opened with cheap limits.
 * The program never calls this.  Process wide; not thread safe.
 */
void     clinic_keys_allow_test_limits (gboolean               allow);

/*
 * clinic_kdf_limits_check:
 *
 * Returns TRUE if @limits are at least @floor (or at least
 * CLINIC_KDF_LIMITS_TEST while test limits are allowed), else sets
 * CLINIC_KEYS_ERROR_WEAK_LIMITS.  Other modules hashing passwords use it
 * with CLINIC_KDF_LIMITS_INTERACTIVE.
 */
gboolean clinic_kdf_limits_check       (const ClinicKdfLimits *limits,
                                        const ClinicKdfLimits *floor,
                                        GError               **error);

/* For tests: how many times this process ran Argon2id for a key slot,
 * including the dummy run for an unknown user name. */
guint    clinic_keys_get_kdf_count     (void);

/*
 * clinic_user_name_normalize:
 *
 * How sign-in compares user names, here and in the lock-out file: leading
 * and trailing white space removed, Unicode NFC, case kept ("Anna" and
 * "anna" are two names).  Invalid UTF-8 is repaired with U+FFFD.  Returns a
 * newly allocated string, possibly empty.
 */
char    *clinic_user_name_normalize    (const char            *name);

/* --- Key slots file ---------------------------------------------------- */

/*
 * ClinicKeySlots:
 *
 * The contents of clinic.db.keys: one slot per staff user, each opening the
 * database key with that user's password.  Holds no secret in the clear.
 * Not thread safe; one owner at a time.
 */
typedef struct _ClinicKeySlots ClinicKeySlots;

/* An empty slots file for the database whose key is @dk (a new database, or
 * re-creating a lost file after opening with the recovery key, followed by
 * clinic_key_slots_add_user() for every staff user). */
ClinicKeySlots *clinic_key_slots_new       (const ClinicKey  *dk);
void            clinic_key_slots_free      (ClinicKeySlots   *slots);

/* Reads @path.  Errors: SLOTS_MISSING (no such file), SLOTS_DAMAGED (not a
 * key file, unknown version, wrong length, malformed slot), IO. */
ClinicKeySlots *clinic_key_slots_load      (const char       *path,
                                            GError          **error);

/* Writes @path atomically: a temporary file in the same folder (mode 0600),
 * fsync, rename over @path, fsync the folder.  On error (CLINIC_KEYS_ERROR_IO)
 * the previous file is untouched and no temporary file is left behind;
 * only if fsync of the folder fails has the file already been replaced. */
gboolean        clinic_key_slots_save      (ClinicKeySlots   *slots,
                                            const char       *path,
                                            GError          **error);

/* The public id of the database key this file belongs to. */
const guint8   *clinic_key_slots_get_key_id (ClinicKeySlots  *slots);

/* Returns TRUE if @key is the database key this file belongs to, else sets
 * WRONG_DATABASE (for a recovery key typed in while a key file exists). */
gboolean        clinic_key_slots_check_key (ClinicKeySlots   *slots,
                                            const ClinicKey  *key,
                                            GError          **error);

/* Adds a slot for @user.  @dk must be this file's database key
 * (WRONG_DATABASE otherwise).  @limits NULL means CLINIC_KDF_LIMITS_MODERATE;
 * lower than that is WEAK_LIMITS.  Other errors: USER_EXISTS,
 * INVALID_USER_NAME.  Password policy (length, dictionary) is the caller's. */
gboolean        clinic_key_slots_add_user  (ClinicKeySlots        *slots,
                                            const char            *user,
                                            const char            *password,
                                            const ClinicKey       *dk,
                                            const ClinicKdfLimits *limits,
                                            GError               **error);

/*
 * clinic_key_slots_unlock:
 *
 * Returns the database key, or NULL with WRONG_CREDENTIALS for an unknown
 * user or a wrong password alike (same message; an unknown user costs one
 * Argon2id run with the limits of the first slot, as a known user does).
 * Other errors: WEAK_LIMITS (the slot's recorded limits are below the
 * floor), SLOTS_DAMAGED (the slot was changed), WRONG_DATABASE (the slot
 * opens a key that is not this file's database key).  The caller checks
 * and records lock-outs (clinic-lockout.h) around this call.
 */
ClinicKey      *clinic_key_slots_unlock    (ClinicKeySlots   *slots,
                                            const char       *user,
                                            const char       *password,
                                            GError          **error);

/* Replaces @user's slot in place (a new key pair, salt and limits); the other
 * slots keep their bytes.  Errors as clinic_key_slots_unlock() for the old
 * password, plus WEAK_LIMITS for @limits (NULL = MODERATE). */
gboolean        clinic_key_slots_change_password (ClinicKeySlots        *slots,
                                                  const char            *user,
                                                  const char            *old_password,
                                                  const char            *new_password,
                                                  const ClinicKdfLimits *limits,
                                                  GError               **error);

/* Removes @user's slot (NO_SUCH_USER if none).  Offer a rekey afterwards. */
gboolean        clinic_key_slots_remove_user (ClinicKeySlots  *slots,
                                              const char      *user,
                                              GError         **error);
gboolean        clinic_key_slots_has_user  (ClinicKeySlots   *slots,
                                            const char       *user);
guint           clinic_key_slots_get_n_users (ClinicKeySlots *slots);

/*
 * clinic_key_slots_reseal:
 *
 * Rekey: seals @new_dk to every slot's public key, no password needed, and
 * makes @new_dk this file's database key.  @old_dk, the key the database is
 * open with, proves every slot is unchanged first (SLOTS_DAMAGED otherwise:
 * a planted public key would receive the new key) and must be this file's
 * key (WRONG_DATABASE).  On error @slots is unchanged.
 */
gboolean        clinic_key_slots_reseal    (ClinicKeySlots   *slots,
                                            const ClinicKey  *old_dk,
                                            const ClinicKey  *new_dk,
                                            GError          **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ClinicKeySlots, clinic_key_slots_free)

/* --- Recovery key ------------------------------------------------------ */

/* Groups in a recovery key, and characters in each. */
#define CLINIC_RECOVERY_KEY_N_GROUPS    14
#define CLINIC_RECOVERY_KEY_GROUP_CHARS 5

/*
 * clinic_recovery_key_format:
 *
 * @dk as 14 groups of 5 characters separated by '-', Crockford base32
 * (0-9 A-Z without I L O U).  The key and a 24-bit checksum make 4 characters
 * per group; the 5th checks its group, so a typo is found and placed.
 * Returns a newly allocated string: the caller wipes it (sodium_memzero)
 * before g_free(), since whoever reads it holds the database.
 */
char      *clinic_recovery_key_format    (const ClinicKey *dk);

/*
 * clinic_recovery_key_parse:
 *
 * Reads a recovery key as a person types it: any case, with or without
 * spaces and dashes, O read as 0 and I/L as 1.  Errors
 * (RECOVERY_KEY_INVALID): a character that cannot be part of it, the wrong
 * number of characters, a group that does not check ("typo in group N"),
 * or a checksum that does not match.
 */
ClinicKey *clinic_recovery_key_parse     (const char      *text,
                                          GError         **error);

/*
 * clinic_recovery_key_get_group:
 *
 * Group @n (0 .. CLINIC_RECOVERY_KEY_N_GROUPS - 1) of a recovery key in any
 * form clinic_recovery_key_parse() reads, in canonical form, or NULL if @text
 * has not the right number of characters.  For the set-up assistant, which
 * asks for one group to be typed back and compares the two with
 * clinic_recovery_key_group_equal().
 */
char      *clinic_recovery_key_get_group (const char      *text,
                                          guint            n);
gboolean   clinic_recovery_key_group_equal (const char    *a,
                                            const char    *b);

G_END_DECLS
