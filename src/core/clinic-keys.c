/* clinic-keys.c: database key, key slots file and recovery key
 *
 * Copyright 2024 The Clinic authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The project's config.h (GETTEXT_PACKAGE) when built by meson; a hand
 * build passes -DGETTEXT_PACKAGE instead. */
#if defined __has_include
# if __has_include ("config.h")
#  include "config.h"
# endif
#endif

#include "clinic-file.h"
#include "clinic-keys.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

G_DEFINE_QUARK (clinic-keys-error-quark, clinic_keys_error)

/*
 * Key file layout, all integers little-endian.  Every slot has the same
 * size, so the file length is fully determined by the slot count.
 *
 * Header, 64 bytes:
 *    0  magic "CLINKEYS"                                  8
 *    8  version (1)                                     u16
 *   10  reserved, 0                                     u16
 *   12  number of slots                                 u32
 *   16  salt for user name hashes                        32
 *   48  database key id                                  16
 *
 * Slot, 288 bytes:
 *    0  BLAKE2b-256 (user name), keyed with the name salt 32
 *   32  Argon2id salt                                    16
 *   48  opslimit                                        u64
 *   56  memlimit                                        u64
 *   64  algorithm (crypto_pwhash_ALG_ARGON2ID13 = 2)    u32
 *   68  reserved, 0                                     u32
 *   72  X25519 public key                                32
 *  104  XChaCha20-Poly1305 nonce                         24
 *  128  X25519 secret key, encrypted (key + tag)         48
 *        key = Argon2id (password, salt, limits);
 *        associated data = slot bytes 0 .. 103, so the limits, salt and
 *        public key cannot be changed without the password failing
 *  176  database key, crypto_box_seal () to the public key    80
 *  256  BLAKE2b-256 MAC keyed with the "clnslots" sub-key of
 *       the database key, over magic, version, name salt,
 *       key id and slot bytes 0 .. 255                   32
 *
 * The MAC is what lets a rekey trust a public key it seals to without
 * anyone's password; it leaves out the slot count, so adding, changing or
 * removing one slot leaves the bytes of the others alone.
 */

#define SLOTS_MAGIC          "CLINKEYS"
#define SLOTS_MAGIC_SIZE     8
#define SLOTS_VERSION        1
#define NAME_SALT_SIZE       32
#define NAME_HASH_SIZE       32
#define MAC_SIZE             32

#define HEADER_VERSION       8
#define HEADER_RESERVED      10
#define HEADER_N_SLOTS       12
#define HEADER_NAME_SALT     16
#define HEADER_KEY_ID        48
#define HEADER_SIZE          64

#define SLOT_NAME_HASH       0
#define SLOT_PW_SALT         32
#define SLOT_OPSLIMIT        48
#define SLOT_MEMLIMIT        56
#define SLOT_ALG             64
#define SLOT_RESERVED        68
#define SLOT_PUBLIC_KEY      72
#define SLOT_NONCE           104
#define SLOT_SECRET_KEY      128
#define SLOT_SEALED_DK       176
#define SLOT_MAC             256
#define SLOT_SIZE            288

#define SLOT_AD_SIZE         SLOT_NONCE
#define SECRET_KEY_CT_SIZE   (crypto_box_SECRETKEYBYTES + crypto_aead_xchacha20poly1305_ietf_ABYTES)
#define SEALED_DK_SIZE       (CLINIC_KEY_SIZE + crypto_box_SEALBYTES)

/* Far more staff than a clinic has; bounds what a damaged count can ask. */
#define MAX_SLOTS            4096

/* Beyond these a slot is damaged, not strong: a changed limit must not make
 * the sign-in screen allocate gigabytes or spin for minutes before the
 * AEAD tag can say the slot was changed. */
#define OPSLIMIT_CEILING     64
#define MEMLIMIT_CEILING     crypto_pwhash_argon2id_MEMLIMIT_SENSITIVE

G_STATIC_ASSERT (sizeof SLOTS_MAGIC - 1 == SLOTS_MAGIC_SIZE);
G_STATIC_ASSERT (HEADER_KEY_ID + CLINIC_KEY_ID_SIZE == HEADER_SIZE);
G_STATIC_ASSERT (crypto_pwhash_SALTBYTES == SLOT_OPSLIMIT - SLOT_PW_SALT);
G_STATIC_ASSERT (crypto_box_PUBLICKEYBYTES == SLOT_NONCE - SLOT_PUBLIC_KEY);
G_STATIC_ASSERT (crypto_aead_xchacha20poly1305_ietf_NPUBBYTES == SLOT_SECRET_KEY - SLOT_NONCE);
G_STATIC_ASSERT (SECRET_KEY_CT_SIZE == SLOT_SEALED_DK - SLOT_SECRET_KEY);
G_STATIC_ASSERT (SEALED_DK_SIZE == SLOT_MAC - SLOT_SEALED_DK);
G_STATIC_ASSERT (SLOT_MAC + MAC_SIZE == SLOT_SIZE);
G_STATIC_ASSERT (crypto_kdf_CONTEXTBYTES == 8);
G_STATIC_ASSERT (crypto_kdf_KEYBYTES == CLINIC_KEY_SIZE);

static gboolean allow_test_limits;
static gint kdf_count;

static void
ensure_sodium (void)
{
  if (sodium_init () < 0)
    g_error ("libsodium could not be initialised");
}

/* Secure memory runs out only when the locked-memory limit is tiny; treat it
 * like running out of memory. */
static gpointer
secure_alloc (gsize size)
{
  gpointer p;

  ensure_sodium ();
  p = sodium_malloc (size);
  if (p == NULL)
    g_error ("Out of secure memory (%" G_GSIZE_FORMAT " bytes)", size);
  return p;
}

/* --- The process ------------------------------------------------------- */

gboolean
clinic_process_harden (GError **error)
{
  struct rlimit no_core = { 0, 0 };

  if (prctl (PR_SET_DUMPABLE, 0, 0, 0, 0) != 0)
    {
      int saved_errno = errno;
      g_set_error (error, CLINIC_KEYS_ERROR, CLINIC_KEYS_ERROR_FAILED,
                   _("Clinic could not protect its memory from other programs: %s"),
                   g_strerror (saved_errno));
      return FALSE;
    }

  if (setrlimit (RLIMIT_CORE, &no_core) != 0)
    {
      int saved_errno = errno;
      g_set_error (error, CLINIC_KEYS_ERROR, CLINIC_KEYS_ERROR_FAILED,
                   _("Clinic could not switch off core files: %s"),
                   g_strerror (saved_errno));
      return FALSE;
    }

  if (sodium_init () < 0)
    {
      g_set_error_literal (error, CLINIC_KEYS_ERROR, CLINIC_KEYS_ERROR_FAILED,
                           _("Clinic could not start its encryption library."));
      return FALSE;
    }

  return TRUE;
}

/* --- Keys -------------------------------------------------------------- */

struct _ClinicKey
{
  guint8 data[CLINIC_KEY_SIZE];
};

static ClinicKey *
clinic_key_boxed_copy (ClinicKey *key)
{
  return clinic_key_copy (key);
}

G_DEFINE_BOXED_TYPE (ClinicKey, clinic_key, clinic_key_boxed_copy, clinic_key_free)

/* Takes a key made writable by secure_alloc() and seals it read-only. */
static ClinicKey *
clinic_key_seal (ClinicKey *key)
{
  /* Failing to drop write access costs only a defence in depth. */
  sodium_mprotect_readonly (key);
  return key;
}

ClinicKey *
clinic_key_new_random (void)
{
  ClinicKey *key = secure_alloc (sizeof *key);

  randombytes_buf (key->data, sizeof key->data);
  return clinic_key_seal (key);
}

ClinicKey *
clinic_key_new_from_data (const guint8 *data)
{
  ClinicKey *key;

  g_return_val_if_fail (data != NULL, NULL);

  key = secure_alloc (sizeof *key);
  memcpy (key->data, data, sizeof key->data);
  return clinic_key_seal (key);
}

ClinicKey *
clinic_key_copy (const ClinicKey *key)
{
  g_return_val_if_fail (key != NULL, NULL);

  return clinic_key_new_from_data (key->data);
}

void
clinic_key_free (ClinicKey *key)
{
  /* sodium_free() makes the page writable again and wipes it. */
  if (key != NULL)
    sodium_free (key);
}

const guint8 *
clinic_key_get_data (const ClinicKey *key)
{
  g_return_val_if_fail (key != NULL, NULL);

  return key->data;
}

gboolean
clinic_key_equal (const ClinicKey *a,
                  const ClinicKey *b)
{
  g_return_val_if_fail (a != NULL, FALSE);
  g_return_val_if_fail (b != NULL, FALSE);

  return sodium_memcmp (a->data, b->data, CLINIC_KEY_SIZE) == 0;
}

ClinicKey *
clinic_key_derive (const ClinicKey *key,
                   guint64          subkey_id,
                   const char       context[8])
{
  ClinicKey *subkey;

  g_return_val_if_fail (key != NULL, NULL);
  g_return_val_if_fail (context != NULL, NULL);

  subkey = secure_alloc (sizeof *subkey);
  crypto_kdf_derive_from_key (subkey->data, sizeof subkey->data,
                              subkey_id, context, key->data);
  return clinic_key_seal (subkey);
}

static void
key_id_from_data (const guint8 *dk,
                  guint8        id[CLINIC_KEY_ID_SIZE])
{
  static const char label[] = "Clinic database key id, version 1";

  crypto_generichash (id, CLINIC_KEY_ID_SIZE,
                      (const guint8 *) label, sizeof label - 1,
                      dk, CLINIC_KEY_SIZE);
}

void
clinic_key_get_id (const ClinicKey *key,
                   guint8           id[CLINIC_KEY_ID_SIZE])
{
  g_return_if_fail (key != NULL);
  g_return_if_fail (id != NULL);

  ensure_sodium ();
  key_id_from_data (key->data, id);
}

/* --- Argon2id limits --------------------------------------------------- */

void
clinic_keys_allow_test_limits (gboolean allow)
{
  allow_test_limits = !!allow;
}

gboolean
clinic_kdf_limits_check (const ClinicKdfLimits *limits,
                         const ClinicKdfLimits *floor,
                         GError               **error)
{
  ClinicKdfLimits effective;

  g_return_val_if_fail (limits != NULL, FALSE);
  g_return_val_if_fail (floor != NULL, FALSE);

  effective = allow_test_limits ? CLINIC_KDF_LIMITS_TEST : *floor;

  if (limits->opslimit < effective.opslimit ||
      limits->memlimit < effective.memlimit ||
      limits->opslimit < crypto_pwhash_argon2id_OPSLIMIT_MIN ||
      limits->memlimit < crypto_pwhash_argon2id_MEMLIMIT_MIN)
    {
      g_set_error_literal (error, CLINIC_KEYS_ERROR, CLINIC_KEYS_ERROR_WEAK_LIMITS,
                           _("The password protection is weaker than Clinic allows."));
      return FALSE;
    }

  return TRUE;
}

guint
clinic_keys_get_kdf_count (void)
{
  return (guint) g_atomic_int_get (&kdf_count);
}

static gboolean
limits_within_ceiling (guint64 opslimit,
                       guint64 memlimit)
{
  return opslimit <= OPSLIMIT_CEILING && memlimit <= MEMLIMIT_CEILING;
}

/* Argon2id into @out.  Passwords are NFKC-normalised first (NIST 800-63B
 * §5.1.1.2) so the same password typed through another input method or
 * keyboard layout still matches. */
static gboolean
run_kdf (guint8       *out,
         gsize         out_len,
         const char   *password,
         const guint8 *salt,
         guint64       opslimit,
         gsize         memlimit,
         GError      **error)
{
  char *normalized;
  const char *input;
  gsize input_len;
  int rc;

  g_atomic_int_inc (&kdf_count);

  normalized = g_utf8_normalize (password, -1, G_NORMALIZE_NFKC);
  input = normalized != NULL ? normalized : password;
  input_len = strlen (input);

  rc = crypto_pwhash (out, out_len, input, input_len, salt,
                      opslimit, memlimit, crypto_pwhash_ALG_ARGON2ID13);

  if (normalized != NULL)
    {
      sodium_memzero (normalized, input_len);
      g_free (normalized);
    }

  if (rc != 0)
    {
      g_set_error_literal (error, CLINIC_KEYS_ERROR, CLINIC_KEYS_ERROR_FAILED,
                           _("There is not enough memory to check the password. Close other programs and try again."));
      return FALSE;
    }

  return TRUE;
}

char *
clinic_user_name_normalize (const char *name)
{
  g_autofree char *valid = NULL;
  g_autofree char *nfc = NULL;

  g_return_val_if_fail (name != NULL, NULL);

  valid = g_utf8_make_valid (name, -1);
  nfc = g_utf8_normalize (valid, -1, G_NORMALIZE_NFC);
  if (nfc == NULL)
    nfc = g_steal_pointer (&valid);

  g_strstrip (nfc);
  return g_steal_pointer (&nfc);
}

/* --- Little-endian helpers --------------------------------------------- */

static void
put_u16 (guint8 *p,
         guint16 v)
{
  p[0] = v & 0xff;
  p[1] = v >> 8;
}

static void
put_u32 (guint8 *p,
         guint32 v)
{
  for (guint i = 0; i < 4; i++)
    p[i] = (v >> (8 * i)) & 0xff;
}

static void
put_u64 (guint8 *p,
         guint64 v)
{
  for (guint i = 0; i < 8; i++)
    p[i] = (v >> (8 * i)) & 0xff;
}

static guint16
get_u16 (const guint8 *p)
{
  return (guint16) (p[0] | (p[1] << 8));
}

static guint32
get_u32 (const guint8 *p)
{
  guint32 v = 0;

  for (guint i = 0; i < 4; i++)
    v |= (guint32) p[i] << (8 * i);
  return v;
}

static guint64
get_u64 (const guint8 *p)
{
  guint64 v = 0;

  for (guint i = 0; i < 8; i++)
    v |= (guint64) p[i] << (8 * i);
  return v;
}

/* --- Key slots --------------------------------------------------------- */

typedef struct
{
  guint8 bytes[SLOT_SIZE];
} Slot;

struct _ClinicKeySlots
{
  guint8  name_salt[NAME_SALT_SIZE];
  guint8  key_id[CLINIC_KEY_ID_SIZE];
  GArray *slots; /* of Slot, in file order */
};

/* Everything secret an operation on one slot handles, in one guarded
 * allocation that is wiped when freed. */
typedef struct
{
  guint8 password_key[crypto_aead_xchacha20poly1305_ietf_KEYBYTES];
  guint8 secret_key[crypto_box_SECRETKEYBYTES];
  guint8 dk[CLINIC_KEY_SIZE];
  guint8 mac_key[CLINIC_KEY_SIZE];
} Secrets;

static Secrets *
secrets_new (void)
{
  Secrets *s = secure_alloc (sizeof *s);

  sodium_memzero (s, sizeof *s);
  return s;
}

static void
secrets_free (Secrets *s)
{
  sodium_free (s);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Secrets, secrets_free)

static void
set_damaged (GError **error)
{
  g_set_error_literal (error, CLINIC_KEYS_ERROR, CLINIC_KEYS_ERROR_SLOTS_DAMAGED,
                       _("The key file is damaged or has been changed. Open the database with the recovery key to make a new one."));
}

static void
set_wrong_credentials (GError **error)
{
  g_set_error_literal (error, CLINIC_KEYS_ERROR, CLINIC_KEYS_ERROR_WRONG_CREDENTIALS,
                       _("The user name or password is not right."));
}

static void
set_wrong_database (GError **error)
{
  g_set_error_literal (error, CLINIC_KEYS_ERROR, CLINIC_KEYS_ERROR_WRONG_DATABASE,
                       _("The key file belongs to another database."));
}

static ClinicKeySlots *
clinic_key_slots_alloc (void)
{
  ClinicKeySlots *self = g_new0 (ClinicKeySlots, 1);

  self->slots = g_array_new (FALSE, TRUE, sizeof (Slot));
  return self;
}

ClinicKeySlots *
clinic_key_slots_new (const ClinicKey *dk)
{
  ClinicKeySlots *self;

  g_return_val_if_fail (dk != NULL, NULL);

  ensure_sodium ();
  self = clinic_key_slots_alloc ();
  randombytes_buf (self->name_salt, sizeof self->name_salt);
  key_id_from_data (dk->data, self->key_id);
  return self;
}

void
clinic_key_slots_free (ClinicKeySlots *slots)
{
  if (slots == NULL)
    return;

  g_array_unref (slots->slots);
  g_free (slots);
}

const guint8 *
clinic_key_slots_get_key_id (ClinicKeySlots *slots)
{
  g_return_val_if_fail (slots != NULL, NULL);

  return slots->key_id;
}

guint
clinic_key_slots_get_n_users (ClinicKeySlots *slots)
{
  g_return_val_if_fail (slots != NULL, 0);

  return slots->slots->len;
}

static void
hash_user_name (ClinicKeySlots *self,
                const char     *normalized,
                guint8          hash[NAME_HASH_SIZE])
{
  crypto_generichash (hash, NAME_HASH_SIZE,
                      (const guint8 *) normalized, strlen (normalized),
                      self->name_salt, sizeof self->name_salt);
}

/* Returns the index of the slot for @user, or -1.  Name hashes are public,
 * so a plain comparison is fine. */
static int
find_slot (ClinicKeySlots *self,
           const char     *user)
{
  g_autofree char *normalized = clinic_user_name_normalize (user);
  guint8 hash[NAME_HASH_SIZE];

  if (*normalized == '\0')
    return -1;

  hash_user_name (self, normalized, hash);

  for (guint i = 0; i < self->slots->len; i++)
    {
      const Slot *slot = &g_array_index (self->slots, Slot, i);

      if (memcmp (slot->bytes + SLOT_NAME_HASH, hash, NAME_HASH_SIZE) == 0)
        return (int) i;
    }

  return -1;
}

gboolean
clinic_key_slots_has_user (ClinicKeySlots *slots,
                           const char     *user)
{
  g_return_val_if_fail (slots != NULL, FALSE);
  g_return_val_if_fail (user != NULL, FALSE);

  return find_slot (slots, user) >= 0;
}

static void
derive_mac_key (const guint8 *dk,
                guint8       *mac_key)
{
  crypto_kdf_derive_from_key (mac_key, CLINIC_KEY_SIZE, 1,
                              CLINIC_KEY_CONTEXT_SLOTS, dk);
}

static void
compute_slot_mac (ClinicKeySlots *self,
                  const guint8   *key_id,
                  const guint8   *slot_bytes,
                  const guint8   *mac_key,
                  guint8          mac[MAC_SIZE])
{
  crypto_generichash_state state;
  guint8 version[2];

  put_u16 (version, SLOTS_VERSION);

  crypto_generichash_init (&state, mac_key, CLINIC_KEY_SIZE, MAC_SIZE);
  crypto_generichash_update (&state, (const guint8 *) SLOTS_MAGIC, SLOTS_MAGIC_SIZE);
  crypto_generichash_update (&state, version, sizeof version);
  crypto_generichash_update (&state, self->name_salt, sizeof self->name_salt);
  crypto_generichash_update (&state, key_id, CLINIC_KEY_ID_SIZE);
  crypto_generichash_update (&state, slot_bytes, SLOT_MAC);
  crypto_generichash_final (&state, mac, MAC_SIZE);
  sodium_memzero (&state, sizeof state);
}

static gboolean
verify_slot_mac (ClinicKeySlots *self,
                 const Slot     *slot,
                 const guint8   *mac_key)
{
  guint8 mac[MAC_SIZE];

  compute_slot_mac (self, self->key_id, slot->bytes, mac_key, mac);
  return sodium_memcmp (mac, slot->bytes + SLOT_MAC, MAC_SIZE) == 0;
}

static ClinicKdfLimits
slot_get_limits (const Slot *slot)
{
  ClinicKdfLimits limits;

  limits.opslimit = get_u64 (slot->bytes + SLOT_OPSLIMIT);
  /* load() checked the value against the ceiling, which fits a gsize. */
  limits.memlimit = (gsize) get_u64 (slot->bytes + SLOT_MEMLIMIT);
  return limits;
}

/* Fills @slot for the user whose name hash is @name_hash: a new key pair,
 * salt and nonce, the secret key under the password, the database key
 * sealed to the public key, and the MAC.  @s->dk must hold the database
 * key; @s is used as scratch for the rest. */
static gboolean
fill_slot (ClinicKeySlots        *self,
           Slot                  *slot,
           const guint8          *name_hash,
           const char            *password,
           const ClinicKdfLimits *limits,
           Secrets               *s,
           GError               **error)
{
  guint8 *b = slot->bytes;
  unsigned long long ct_len;

  memset (b, 0, SLOT_SIZE);
  memcpy (b + SLOT_NAME_HASH, name_hash, NAME_HASH_SIZE);
  randombytes_buf (b + SLOT_PW_SALT, crypto_pwhash_SALTBYTES);
  put_u64 (b + SLOT_OPSLIMIT, limits->opslimit);
  put_u64 (b + SLOT_MEMLIMIT, limits->memlimit);
  put_u32 (b + SLOT_ALG, crypto_pwhash_ALG_ARGON2ID13);
  put_u32 (b + SLOT_RESERVED, 0);
  crypto_box_keypair (b + SLOT_PUBLIC_KEY, s->secret_key);
  randombytes_buf (b + SLOT_NONCE, crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);

  if (!run_kdf (s->password_key, sizeof s->password_key, password,
                b + SLOT_PW_SALT, limits->opslimit, limits->memlimit, error))
    return FALSE;

  crypto_aead_xchacha20poly1305_ietf_encrypt (b + SLOT_SECRET_KEY, &ct_len,
                                              s->secret_key, sizeof s->secret_key,
                                              b, SLOT_AD_SIZE,
                                              NULL, b + SLOT_NONCE,
                                              s->password_key);
  g_assert (ct_len == SECRET_KEY_CT_SIZE);

  crypto_box_seal (b + SLOT_SEALED_DK, s->dk, CLINIC_KEY_SIZE,
                   b + SLOT_PUBLIC_KEY);

  derive_mac_key (s->dk, s->mac_key);
  compute_slot_mac (self, self->key_id, b, s->mac_key, b + SLOT_MAC);
  return TRUE;
}

/* Opens @slot with @password into @s (dk and secret_key). */
static gboolean
open_slot (ClinicKeySlots *self,
           const Slot     *slot,
           const char     *password,
           Secrets        *s,
           GError        **error)
{
  const guint8 *b = slot->bytes;
  ClinicKdfLimits limits = slot_get_limits (slot);
  ClinicKdfLimits floor = CLINIC_KDF_LIMITS_MODERATE;
  guint8 id[CLINIC_KEY_ID_SIZE];

  if (!clinic_kdf_limits_check (&limits, &floor, error))
    return FALSE;

  if (!run_kdf (s->password_key, sizeof s->password_key, password,
                b + SLOT_PW_SALT, limits.opslimit, limits.memlimit, error))
    return FALSE;

  /* A wrong password and a changed ciphertext look the same here. */
  if (crypto_aead_xchacha20poly1305_ietf_decrypt (s->secret_key, NULL, NULL,
                                                  b + SLOT_SECRET_KEY, SECRET_KEY_CT_SIZE,
                                                  b, SLOT_AD_SIZE,
                                                  b + SLOT_NONCE,
                                                  s->password_key) != 0)
    {
      set_wrong_credentials (error);
      return FALSE;
    }

  /* The password was right, so from here on anything wrong is damage. */
  if (crypto_box_seal_open (s->dk, b + SLOT_SEALED_DK, SEALED_DK_SIZE,
                            b + SLOT_PUBLIC_KEY, s->secret_key) != 0)
    {
      set_damaged (error);
      return FALSE;
    }

  key_id_from_data (s->dk, id);
  if (memcmp (id, self->key_id, sizeof id) != 0)
    {
      set_wrong_database (error);
      return FALSE;
    }

  derive_mac_key (s->dk, s->mac_key);
  if (!verify_slot_mac (self, slot, s->mac_key))
    {
      set_damaged (error);
      return FALSE;
    }

  return TRUE;
}

/* Costs what opening a slot costs, for a name that has none.  Uses the
 * limits of the first slot (all slots normally share the default) and
 * otherwise the default, or the test limits while tests allow them. */
static void
spend_unknown_user_time (ClinicKeySlots *self,
                         const char     *password,
                         Secrets        *s)
{
  ClinicKdfLimits floor = CLINIC_KDF_LIMITS_MODERATE;
  ClinicKdfLimits limits = allow_test_limits ? CLINIC_KDF_LIMITS_TEST : floor;
  guint8 salt[crypto_pwhash_SALTBYTES];
  guint8 sk_scratch[crypto_box_SECRETKEYBYTES];

  if (self->slots->len > 0)
    {
      ClinicKdfLimits first = slot_get_limits (&g_array_index (self->slots, Slot, 0));

      if (clinic_kdf_limits_check (&first, &floor, NULL))
        limits = first;
    }

  memcpy (salt, self->name_salt, sizeof salt);
  run_kdf (s->password_key, sizeof s->password_key, password, salt,
           limits.opslimit, limits.memlimit, NULL);

  if (self->slots->len > 0)
    {
      const guint8 *b = g_array_index (self->slots, Slot, 0).bytes;

      /* The tag check fails, as it does for a wrong password; its result
       * means nothing here. */
      volatile int ignored;

      ignored = crypto_aead_xchacha20poly1305_ietf_decrypt (sk_scratch, NULL, NULL,
                                                            b + SLOT_SECRET_KEY, SECRET_KEY_CT_SIZE,
                                                            b, SLOT_AD_SIZE, b + SLOT_NONCE,
                                                            s->password_key);
      (void) ignored;
      sodium_memzero (sk_scratch, sizeof sk_scratch);
    }
}

ClinicKey *
clinic_key_slots_unlock (ClinicKeySlots *slots,
                         const char     *user,
                         const char     *password,
                         GError        **error)
{
  g_autoptr(Secrets) s = NULL;
  int index;

  g_return_val_if_fail (slots != NULL, NULL);
  g_return_val_if_fail (user != NULL, NULL);
  g_return_val_if_fail (password != NULL, NULL);

  s = secrets_new ();
  index = find_slot (slots, user);

  if (index < 0)
    {
      spend_unknown_user_time (slots, password, s);
      set_wrong_credentials (error);
      return NULL;
    }

  if (!open_slot (slots, &g_array_index (slots->slots, Slot, index), password, s, error))
    return NULL;

  return clinic_key_new_from_data (s->dk);
}

gboolean
clinic_key_slots_check_key (ClinicKeySlots  *slots,
                            const ClinicKey *key,
                            GError         **error)
{
  guint8 id[CLINIC_KEY_ID_SIZE];

  g_return_val_if_fail (slots != NULL, FALSE);
  g_return_val_if_fail (key != NULL, FALSE);

  clinic_key_get_id (key, id);
  if (memcmp (id, slots->key_id, sizeof id) != 0)
    {
      set_wrong_database (error);
      return FALSE;
    }

  return TRUE;
}

/* Limits asked for by a caller: NULL is the default; the floor applies, and
 * the ceiling, which tells a mistake rather than a strong choice. */
static gboolean
resolve_limits (const ClinicKdfLimits *asked,
                ClinicKdfLimits       *out,
                GError               **error)
{
  ClinicKdfLimits floor = CLINIC_KDF_LIMITS_MODERATE;

  *out = asked != NULL ? *asked : CLINIC_KDF_LIMITS_MODERATE;

  if (!clinic_kdf_limits_check (out, &floor, error))
    return FALSE;

  if (!limits_within_ceiling (out->opslimit, out->memlimit))
    {
      g_set_error_literal (error, CLINIC_KEYS_ERROR, CLINIC_KEYS_ERROR_FAILED,
                           _("These password protection settings would take too long or need too much memory."));
      return FALSE;
    }

  return TRUE;
}

gboolean
clinic_key_slots_add_user (ClinicKeySlots        *slots,
                           const char            *user,
                           const char            *password,
                           const ClinicKey       *dk,
                           const ClinicKdfLimits *limits,
                           GError               **error)
{
  g_autoptr(Secrets) s = NULL;
  g_autofree char *normalized = NULL;
  guint8 name_hash[NAME_HASH_SIZE];
  ClinicKdfLimits resolved;
  Slot slot;

  g_return_val_if_fail (slots != NULL, FALSE);
  g_return_val_if_fail (user != NULL, FALSE);
  g_return_val_if_fail (password != NULL, FALSE);
  g_return_val_if_fail (dk != NULL, FALSE);

  if (!clinic_key_slots_check_key (slots, dk, error))
    return FALSE;

  normalized = clinic_user_name_normalize (user);
  if (*normalized == '\0')
    {
      g_set_error_literal (error, CLINIC_KEYS_ERROR, CLINIC_KEYS_ERROR_INVALID_USER_NAME,
                           _("The user name is empty."));
      return FALSE;
    }

  if (find_slot (slots, normalized) >= 0)
    {
      g_set_error (error, CLINIC_KEYS_ERROR, CLINIC_KEYS_ERROR_USER_EXISTS,
                   _("There is already a user called “%s”."), normalized);
      return FALSE;
    }

  if (!resolve_limits (limits, &resolved, error))
    return FALSE;

  if (slots->slots->len >= MAX_SLOTS)
    {
      g_set_error_literal (error, CLINIC_KEYS_ERROR, CLINIC_KEYS_ERROR_FAILED,
                           _("There are too many users."));
      return FALSE;
    }

  s = secrets_new ();
  memcpy (s->dk, dk->data, CLINIC_KEY_SIZE);
  hash_user_name (slots, normalized, name_hash);

  if (!fill_slot (slots, &slot, name_hash, password, &resolved, s, error))
    return FALSE;

  g_array_append_val (slots->slots, slot);
  return TRUE;
}

gboolean
clinic_key_slots_change_password (ClinicKeySlots        *slots,
                                  const char            *user,
                                  const char            *old_password,
                                  const char            *new_password,
                                  const ClinicKdfLimits *limits,
                                  GError               **error)
{
  g_autoptr(Secrets) s = NULL;
  ClinicKdfLimits resolved;
  Slot *old_slot;
  Slot new_slot;
  int index;

  g_return_val_if_fail (slots != NULL, FALSE);
  g_return_val_if_fail (user != NULL, FALSE);
  g_return_val_if_fail (old_password != NULL, FALSE);
  g_return_val_if_fail (new_password != NULL, FALSE);

  /* Before the old password is tried, so a bad setting costs no Argon2id
   * run and no lock-out failure. */
  if (!resolve_limits (limits, &resolved, error))
    return FALSE;

  s = secrets_new ();
  index = find_slot (slots, user);
  if (index < 0)
    {
      spend_unknown_user_time (slots, old_password, s);
      set_wrong_credentials (error);
      return FALSE;
    }

  old_slot = &g_array_index (slots->slots, Slot, index);
  if (!open_slot (slots, old_slot, old_password, s, error))
    return FALSE;

  /* A new key pair too: whoever learnt the old password and kept a copy of
   * the old file must not be able to open slots resealed after a rekey. */
  if (!fill_slot (slots, &new_slot, old_slot->bytes + SLOT_NAME_HASH,
                  new_password, &resolved, s, error))
    return FALSE;

  *old_slot = new_slot;
  return TRUE;
}

gboolean
clinic_key_slots_remove_user (ClinicKeySlots *slots,
                              const char     *user,
                              GError        **error)
{
  int index;

  g_return_val_if_fail (slots != NULL, FALSE);
  g_return_val_if_fail (user != NULL, FALSE);

  index = find_slot (slots, user);
  if (index < 0)
    {
      g_autofree char *normalized = clinic_user_name_normalize (user);

      g_set_error (error, CLINIC_KEYS_ERROR, CLINIC_KEYS_ERROR_NO_SUCH_USER,
                   _("There is no user called “%s”."), normalized);
      return FALSE;
    }

  g_array_remove_index (slots->slots, (guint) index);
  return TRUE;
}

gboolean
clinic_key_slots_reseal (ClinicKeySlots  *slots,
                         const ClinicKey *old_dk,
                         const ClinicKey *new_dk,
                         GError         **error)
{
  g_autoptr(Secrets) s = NULL;
  g_autoptr(GArray) resealed = NULL;
  guint8 new_id[CLINIC_KEY_ID_SIZE];

  g_return_val_if_fail (slots != NULL, FALSE);
  g_return_val_if_fail (old_dk != NULL, FALSE);
  g_return_val_if_fail (new_dk != NULL, FALSE);

  if (!clinic_key_slots_check_key (slots, old_dk, error))
    return FALSE;

  s = secrets_new ();
  derive_mac_key (old_dk->data, s->mac_key);
  for (guint i = 0; i < slots->slots->len; i++)
    {
      if (!verify_slot_mac (slots, &g_array_index (slots->slots, Slot, i), s->mac_key))
        {
          set_damaged (error);
          return FALSE;
        }
    }

  clinic_key_get_id (new_dk, new_id);
  derive_mac_key (new_dk->data, s->mac_key);
  resealed = g_array_copy (slots->slots);

  for (guint i = 0; i < resealed->len; i++)
    {
      guint8 *b = g_array_index (resealed, Slot, i).bytes;

      crypto_box_seal (b + SLOT_SEALED_DK, new_dk->data, CLINIC_KEY_SIZE,
                       b + SLOT_PUBLIC_KEY);
      compute_slot_mac (slots, new_id, b, s->mac_key, b + SLOT_MAC);
    }

  memcpy (slots->key_id, new_id, sizeof new_id);
  g_array_unref (slots->slots);
  slots->slots = g_steal_pointer (&resealed);
  return TRUE;
}

/* --- Key slots file ---------------------------------------------------- */

static gboolean
parse_slots (ClinicKeySlots *self,
             const guint8   *data,
             gsize           len,
             GError        **error)
{
  guint32 n_slots;

  if (len < SLOTS_MAGIC_SIZE || memcmp (data, SLOTS_MAGIC, SLOTS_MAGIC_SIZE) != 0)
    {
      g_set_error_literal (error, CLINIC_KEYS_ERROR, CLINIC_KEYS_ERROR_SLOTS_DAMAGED,
                           _("The key file is not a Clinic key file."));
      return FALSE;
    }

  if (len < HEADER_SIZE)
    {
      set_damaged (error);
      return FALSE;
    }

  if (get_u16 (data + HEADER_VERSION) != SLOTS_VERSION)
    {
      if (get_u16 (data + HEADER_VERSION) > SLOTS_VERSION)
        g_set_error_literal (error, CLINIC_KEYS_ERROR, CLINIC_KEYS_ERROR_SLOTS_DAMAGED,
                             _("The key file was made by a newer version of Clinic."));
      else
        set_damaged (error);
      return FALSE;
    }

  n_slots = get_u32 (data + HEADER_N_SLOTS);
  if (get_u16 (data + HEADER_RESERVED) != 0 ||
      n_slots > MAX_SLOTS ||
      len != HEADER_SIZE + (gsize) n_slots * SLOT_SIZE)
    {
      set_damaged (error);
      return FALSE;
    }

  memcpy (self->name_salt, data + HEADER_NAME_SALT, NAME_SALT_SIZE);
  memcpy (self->key_id, data + HEADER_KEY_ID, CLINIC_KEY_ID_SIZE);

  for (guint32 i = 0; i < n_slots; i++)
    {
      const guint8 *b = data + HEADER_SIZE + (gsize) i * SLOT_SIZE;
      Slot slot;

      if (get_u32 (b + SLOT_ALG) != crypto_pwhash_ALG_ARGON2ID13 ||
          get_u32 (b + SLOT_RESERVED) != 0 ||
          get_u64 (b + SLOT_OPSLIMIT) < crypto_pwhash_argon2id_OPSLIMIT_MIN ||
          get_u64 (b + SLOT_MEMLIMIT) < crypto_pwhash_argon2id_MEMLIMIT_MIN ||
          !limits_within_ceiling (get_u64 (b + SLOT_OPSLIMIT),
                                  get_u64 (b + SLOT_MEMLIMIT)))
        {
          set_damaged (error);
          return FALSE;
        }

      for (guint32 j = 0; j < i; j++)
        {
          if (memcmp (g_array_index (self->slots, Slot, j).bytes + SLOT_NAME_HASH,
                      b + SLOT_NAME_HASH, NAME_HASH_SIZE) == 0)
            {
              set_damaged (error);
              return FALSE;
            }
        }

      memcpy (slot.bytes, b, SLOT_SIZE);
      g_array_append_val (self->slots, slot);
    }

  return TRUE;
}

ClinicKeySlots *
clinic_key_slots_load (const char *path,
                       GError    **error)
{
  g_autoptr(ClinicKeySlots) self = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *display = NULL;
  g_autofree char *data = NULL;
  GStatBuf st;
  gsize len;

  g_return_val_if_fail (path != NULL, NULL);

  ensure_sodium ();
  display = g_filename_display_name (path);

  /* Checked first so a huge file is not read into memory. */
  if (g_stat (path, &st) == 0 &&
      (!S_ISREG (st.st_mode) ||
       st.st_size > HEADER_SIZE + (goffset) MAX_SLOTS * SLOT_SIZE))
    {
      set_damaged (error);
      return NULL;
    }

  if (!g_file_get_contents (path, &data, &len, &local_error))
    {
      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        g_set_error (error, CLINIC_KEYS_ERROR, CLINIC_KEYS_ERROR_SLOTS_MISSING,
                     _("The key file “%s” is missing. Open the database with the recovery key to make a new one."),
                     display);
      else
        g_set_error (error, CLINIC_KEYS_ERROR, CLINIC_KEYS_ERROR_IO,
                     _("The key file “%s” could not be read: %s"),
                     display, local_error->message);
      return NULL;
    }

  self = clinic_key_slots_alloc ();
  if (!parse_slots (self, (const guint8 *) data, len, error))
    return NULL;

  return g_steal_pointer (&self);
}

gboolean
clinic_key_slots_save (ClinicKeySlots *slots,
                       const char     *path,
                       GError        **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree guint8 *data = NULL;
  gsize len;

  g_return_val_if_fail (slots != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  len = HEADER_SIZE + (gsize) slots->slots->len * SLOT_SIZE;
  data = g_malloc0 (len);

  memcpy (data, SLOTS_MAGIC, SLOTS_MAGIC_SIZE);
  put_u16 (data + HEADER_VERSION, SLOTS_VERSION);
  put_u16 (data + HEADER_RESERVED, 0);
  put_u32 (data + HEADER_N_SLOTS, slots->slots->len);
  memcpy (data + HEADER_NAME_SALT, slots->name_salt, NAME_SALT_SIZE);
  memcpy (data + HEADER_KEY_ID, slots->key_id, CLINIC_KEY_ID_SIZE);
  if (slots->slots->len > 0)
    memcpy (data + HEADER_SIZE, slots->slots->data, (gsize) slots->slots->len * SLOT_SIZE);

  if (!clinic_file_replace (path, data, len, &local_error))
    {
      g_autofree char *display = g_filename_display_name (path);

      g_set_error (error, CLINIC_KEYS_ERROR, CLINIC_KEYS_ERROR_IO,
                   _("The key file “%s” could not be saved: %s"),
                   display, local_error->message);
      return FALSE;
    }

  return TRUE;
}

/* --- Recovery key ------------------------------------------------------ */

/*
 * 32 key bytes and a 3-byte checksum are 280 bits, 56 base32 characters:
 * 14 groups of 4.  Each group gets a 5th character, a check over GF(32) with
 * a different weight per position plus the group number, which catches any
 * single wrong character and any swap of two neighbours in a group, and a
 * group typed in the wrong place.
 */

#define RECOVERY_CHECKSUM_SIZE 3
#define RECOVERY_DATA_SIZE     (CLINIC_KEY_SIZE + RECOVERY_CHECKSUM_SIZE)
#define RECOVERY_DATA_CHARS    4
#define RECOVERY_N_CHARS       (CLINIC_RECOVERY_KEY_N_GROUPS * CLINIC_RECOVERY_KEY_GROUP_CHARS)

G_STATIC_ASSERT (RECOVERY_DATA_SIZE * 8 == CLINIC_RECOVERY_KEY_N_GROUPS * RECOVERY_DATA_CHARS * 5);
G_STATIC_ASSERT (CLINIC_RECOVERY_KEY_GROUP_CHARS == RECOVERY_DATA_CHARS + 1);

static const char crockford[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/* Multiplication in GF(2^5) modulo x^5 + x^2 + 1. */
static guint8
gf32_mul (guint8 a,
          guint8 b)
{
  guint8 r = 0;

  while (b != 0)
    {
      if (b & 1)
        r ^= a;
      b >>= 1;
      a <<= 1;
      if (a & 0x20)
        a ^= 0x25;
    }

  return r & 0x1f;
}

static guint8
group_check (guint         group,
             const guint8 *values)
{
  guint8 check = (guint8) ((group + 1) & 0x1f);
  guint8 weight = 2;

  for (guint i = 0; i < RECOVERY_DATA_CHARS; i++)
    {
      check ^= gf32_mul (weight, values[i]);
      weight = gf32_mul (weight, 2);
    }

  return check;
}

static void
recovery_checksum (const guint8 *key,
                   guint8        checksum[RECOVERY_CHECKSUM_SIZE])
{
  static const char label[] = "Clinic recovery key checksum";
  guint8 hash[crypto_generichash_BYTES_MIN];

  crypto_generichash_state state;

  crypto_generichash_init (&state, NULL, 0, sizeof hash);
  crypto_generichash_update (&state, (const guint8 *) label, sizeof label - 1);
  crypto_generichash_update (&state, key, CLINIC_KEY_SIZE);
  crypto_generichash_final (&state, hash, sizeof hash);
  memcpy (checksum, hash, RECOVERY_CHECKSUM_SIZE);
  sodium_memzero (&state, sizeof state);
}

char *
clinic_recovery_key_format (const ClinicKey *dk)
{
  guint8 data[RECOVERY_DATA_SIZE];
  guint8 values[CLINIC_RECOVERY_KEY_N_GROUPS * RECOVERY_DATA_CHARS];
  GString *out;
  guint bit = 0;

  g_return_val_if_fail (dk != NULL, NULL);

  ensure_sodium ();
  memcpy (data, dk->data, CLINIC_KEY_SIZE);
  recovery_checksum (dk->data, data + CLINIC_KEY_SIZE);

  for (guint i = 0; i < G_N_ELEMENTS (values); i++, bit += 5)
    {
      guint v = 0;

      for (guint j = 0; j < 5; j++)
        v = (v << 1) | ((data[(bit + j) / 8] >> (7 - (bit + j) % 8)) & 1);
      values[i] = (guint8) v;
    }

  out = g_string_sized_new (RECOVERY_N_CHARS + CLINIC_RECOVERY_KEY_N_GROUPS);
  for (guint g = 0; g < CLINIC_RECOVERY_KEY_N_GROUPS; g++)
    {
      const guint8 *group = values + g * RECOVERY_DATA_CHARS;

      if (g > 0)
        g_string_append_c (out, '-');
      for (guint i = 0; i < RECOVERY_DATA_CHARS; i++)
        g_string_append_c (out, crockford[group[i]]);
      g_string_append_c (out, crockford[group_check (g, group)]);
    }

  sodium_memzero (data, sizeof data);
  sodium_memzero (values, sizeof values);
  return g_string_free (out, FALSE);
}

static int
crockford_value (gunichar c)
{
  const char *p;

  if (c >= 0x80)
    return -1;

  c = g_ascii_toupper ((char) c);
  if (c == 'O')
    c = '0';
  else if (c == 'I' || c == 'L')
    c = '1';

  p = strchr (crockford, (int) c);
  if (c == '\0' || p == NULL)
    return -1;
  return (int) (p - crockford);
}

static gboolean
is_recovery_separator (gunichar c)
{
  return g_unichar_isspace (c) || c == '-' || c == 0x2010 || c == 0x2011 ||
         c == 0x2012 || c == 0x2013 || c == 0x2014 || c == 0x2212;
}

/* Reads @text into up to @max values, returning how many characters it
 * holds in all; *@bad gets the first character that cannot be part of a
 * recovery key, or 0. */
static gsize
read_recovery_text (const char *text,
                    guint8     *values,
                    gsize       max,
                    gunichar   *bad)
{
  gsize n = 0;

  *bad = 0;

  if (!g_utf8_validate (text, -1, NULL))
    {
      *bad = 0xfffd;
      return 0;
    }

  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      int v;

      if (is_recovery_separator (c))
        continue;

      v = crockford_value (c);
      if (v < 0)
        {
          *bad = c;
          return n;
        }

      if (n < max)
        values[n] = (guint8) v;
      n++;
    }

  return n;
}

ClinicKey *
clinic_recovery_key_parse (const char *text,
                           GError    **error)
{
  guint8 values[RECOVERY_N_CHARS];
  guint8 data[RECOVERY_DATA_SIZE] = { 0 };
  guint8 checksum[RECOVERY_CHECKSUM_SIZE];
  ClinicKey *key = NULL;
  gunichar bad;
  guint bit = 0;
  gsize n;

  g_return_val_if_fail (text != NULL, NULL);

  ensure_sodium ();
  n = read_recovery_text (text, values, G_N_ELEMENTS (values), &bad);

  if (bad != 0)
    {
      char utf8[7] = { 0 };

      g_unichar_to_utf8 (bad, utf8);
      g_set_error (error, CLINIC_KEYS_ERROR, CLINIC_KEYS_ERROR_RECOVERY_KEY_INVALID,
                   _("The recovery key cannot contain “%s”. It has only digits and the letters A to Z."),
                   utf8);
      goto out;
    }

  if (n != RECOVERY_N_CHARS)
    {
      g_set_error (error, CLINIC_KEYS_ERROR, CLINIC_KEYS_ERROR_RECOVERY_KEY_INVALID,
                   g_dngettext (GETTEXT_PACKAGE,
                                "The recovery key has %u character but should have %u.",
                                "The recovery key has %u characters but should have %u.",
                                (gulong) n),
                   (guint) n, (guint) RECOVERY_N_CHARS);
      goto out;
    }

  for (guint g = 0; g < CLINIC_RECOVERY_KEY_N_GROUPS; g++)
    {
      const guint8 *group = values + g * CLINIC_RECOVERY_KEY_GROUP_CHARS;

      if (group_check (g, group) != group[RECOVERY_DATA_CHARS])
        {
          g_set_error (error, CLINIC_KEYS_ERROR, CLINIC_KEYS_ERROR_RECOVERY_KEY_INVALID,
                       _("The recovery key has a typo in group %u."), g + 1);
          goto out;
        }

      for (guint i = 0; i < RECOVERY_DATA_CHARS; i++, bit += 5)
        for (guint j = 0; j < 5; j++)
          if (group[i] & (0x10 >> j))
            data[(bit + j) / 8] |= (guint8) (0x80 >> ((bit + j) % 8));
    }

  recovery_checksum (data, checksum);
  if (sodium_memcmp (checksum, data + CLINIC_KEY_SIZE, RECOVERY_CHECKSUM_SIZE) != 0)
    {
      g_set_error_literal (error, CLINIC_KEYS_ERROR, CLINIC_KEYS_ERROR_RECOVERY_KEY_INVALID,
                           _("The recovery key is not right. Check every group against the printed sheet."));
      goto out;
    }

  key = clinic_key_new_from_data (data);

out:
  sodium_memzero (values, sizeof values);
  sodium_memzero (data, sizeof data);
  return key;
}

char *
clinic_recovery_key_get_group (const char *text,
                               guint       n)
{
  guint8 values[RECOVERY_N_CHARS];
  char group[CLINIC_RECOVERY_KEY_GROUP_CHARS + 1];
  char *result = NULL;
  gunichar bad;

  g_return_val_if_fail (text != NULL, NULL);
  g_return_val_if_fail (n < CLINIC_RECOVERY_KEY_N_GROUPS, NULL);

  if (read_recovery_text (text, values, G_N_ELEMENTS (values), &bad) == RECOVERY_N_CHARS &&
      bad == 0)
    {
      for (guint i = 0; i < CLINIC_RECOVERY_KEY_GROUP_CHARS; i++)
        group[i] = crockford[values[n * CLINIC_RECOVERY_KEY_GROUP_CHARS + i]];
      group[CLINIC_RECOVERY_KEY_GROUP_CHARS] = '\0';
      result = g_strdup (group);
    }

  sodium_memzero (values, sizeof values);
  sodium_memzero (group, sizeof group);
  return result;
}

gboolean
clinic_recovery_key_group_equal (const char *a,
                                 const char *b)
{
  guint8 va[CLINIC_RECOVERY_KEY_GROUP_CHARS];
  guint8 vb[CLINIC_RECOVERY_KEY_GROUP_CHARS];
  gunichar bad_a, bad_b;
  gboolean equal;

  g_return_val_if_fail (a != NULL, FALSE);
  g_return_val_if_fail (b != NULL, FALSE);

  equal = read_recovery_text (a, va, sizeof va, &bad_a) == CLINIC_RECOVERY_KEY_GROUP_CHARS &&
          read_recovery_text (b, vb, sizeof vb, &bad_b) == CLINIC_RECOVERY_KEY_GROUP_CHARS &&
          bad_a == 0 && bad_b == 0 &&
          memcmp (va, vb, sizeof va) == 0;

  sodium_memzero (va, sizeof va);
  sodium_memzero (vb, sizeof vb);
  return equal;
}
