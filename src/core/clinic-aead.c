/* clinic-aead.c - XChaCha20-Poly1305 (IETF) for page images
 *
 * XChaCha20-Poly1305 is ChaCha20-Poly1305 (RFC 8439) under a subkey:
 * subkey = HChaCha20 (key, nonce[0..15]), and the 12-byte nonce is four
 * zero bytes and nonce[16..23].  libsodium gives HChaCha20; libcrypto
 * the bulk of the work.  See clinic-aead.h.
 */

#include "clinic-aead.h"

#include <limits.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

_Static_assert (CLINIC_AEAD_KEY_BYTES == crypto_aead_xchacha20poly1305_ietf_KEYBYTES, "key size");
_Static_assert (CLINIC_AEAD_NONCE_BYTES == crypto_aead_xchacha20poly1305_ietf_NPUBBYTES, "nonce size");
_Static_assert (CLINIC_AEAD_TAG_BYTES == crypto_aead_xchacha20poly1305_ietf_ABYTES, "tag size");

struct _ClinicAead
{
  EVP_CIPHER_CTX *ctx;
};

static pthread_once_t cipher_once = PTHREAD_ONCE_INIT;
static EVP_CIPHER *cipher;

static void
free_cipher (void)
{
  EVP_CIPHER_free (cipher);
  cipher = NULL;
}

static void
fetch_cipher (void)
{
  /* The default provider's implementation, fetched once: a fetch by name
   * per call would cost a lookup per page. */
  cipher = EVP_CIPHER_fetch (NULL, "ChaCha20-Poly1305", NULL);
  if (cipher != NULL && atexit (free_cipher) != 0)
    {
      EVP_CIPHER_free (cipher);
      cipher = NULL;
    }
}

ClinicAead *
clinic_aead_new (void)
{
  ClinicAead *aead;

  pthread_once (&cipher_once, fetch_cipher);
  if (cipher == NULL)
    return NULL;
  aead = calloc (1, sizeof *aead);
  if (aead == NULL)
    return NULL;
  aead->ctx = EVP_CIPHER_CTX_new ();
  if (aead->ctx == NULL
      || EVP_CipherInit_ex2 (aead->ctx, cipher, NULL, NULL, 1, NULL) != 1)
    {
      clinic_aead_free (aead);
      return NULL;
    }
  return aead;
}

void
clinic_aead_free (ClinicAead *aead)
{
  if (aead == NULL)
    return;
  /* Frees and cleanses the last subkey held in the context. */
  EVP_CIPHER_CTX_free (aead->ctx);
  free (aead);
}

const char *
clinic_aead_engine (void)
{
  pthread_once (&cipher_once, fetch_cipher);
  return cipher != NULL ? "libcrypto" : "libsodium";
}

/* Subkey and 12-byte nonce; starts CTX for ENCRYPT (1) or decrypt (0). */
static int
start (ClinicAead          *aead,
       int                  encrypt,
       const unsigned char  nonce[CLINIC_AEAD_NONCE_BYTES],
       const unsigned char  key[CLINIC_AEAD_KEY_BYTES])
{
  unsigned char subkey[crypto_core_hchacha20_OUTPUTBYTES];
  unsigned char iv[12] = { 0 };
  int ok;

  crypto_core_hchacha20 (subkey, nonce, key, NULL);
  memcpy (iv + 4, nonce + crypto_core_hchacha20_INPUTBYTES, 8);
  ok = EVP_CipherInit_ex2 (aead->ctx, NULL, subkey, iv, encrypt, NULL) == 1;
  sodium_memzero (subkey, sizeof subkey);
  return ok;
}

void
clinic_aead_seal (ClinicAead          *aead,
                  unsigned char       *c,
                  unsigned char        tag[CLINIC_AEAD_TAG_BYTES],
                  const unsigned char *m,
                  size_t               len,
                  const unsigned char *ad,
                  size_t               ad_len,
                  const unsigned char  nonce[CLINIC_AEAD_NONCE_BYTES],
                  const unsigned char  key[CLINIC_AEAD_KEY_BYTES])
{
  int n, tail;

  if (aead != NULL && len <= INT_MAX && ad_len <= INT_MAX
      && start (aead, 1, nonce, key)
      && (ad_len == 0 || EVP_CipherUpdate (aead->ctx, NULL, &n, ad, (int) ad_len) == 1)
      && EVP_CipherUpdate (aead->ctx, c, &n, m, (int) len) == 1
      && EVP_CipherFinal_ex (aead->ctx, c + n, &tail) == 1
      && EVP_CIPHER_CTX_ctrl (aead->ctx, EVP_CTRL_AEAD_GET_TAG, CLINIC_AEAD_TAG_BYTES, tag) == 1)
    return;

  /* libcrypto refused a step (it does not, once the context exists):
   * the same construction from libsodium. */
  crypto_aead_xchacha20poly1305_ietf_encrypt_detached (c, tag, NULL, m, len, ad, ad_len,
                                                       NULL, nonce, key);
}

/* libsodium checks the tag before it writes M, and zeroes M on a
 * refusal, as the libcrypto path below does. */
static int
sodium_open (unsigned char       *m,
             const unsigned char *c,
             size_t               len,
             const unsigned char *tag,
             const unsigned char *ad,
             size_t               ad_len,
             const unsigned char *nonce,
             const unsigned char *key)
{
  return crypto_aead_xchacha20poly1305_ietf_decrypt_detached (m, NULL, c, len, tag, ad, ad_len,
                                                              nonce, key) == 0 ? 0 : -1;
}

int
clinic_aead_open (ClinicAead          *aead,
                  unsigned char       *m,
                  const unsigned char *c,
                  size_t               len,
                  const unsigned char  tag[CLINIC_AEAD_TAG_BYTES],
                  const unsigned char *ad,
                  size_t               ad_len,
                  const unsigned char  nonce[CLINIC_AEAD_NONCE_BYTES],
                  const unsigned char  key[CLINIC_AEAD_KEY_BYTES])
{
  unsigned char expected[CLINIC_AEAD_TAG_BYTES];
  int n, tail;

  if (aead == NULL || len > INT_MAX || ad_len > INT_MAX)
    return sodium_open (m, c, len, tag, ad, ad_len, nonce, key);

  /* libcrypto decrypts as it goes and checks the tag at the end, where
   * libsodium checks first: M holds unchecked plaintext until then, and
   * is zeroed on a refusal, as libsodium zeroes it. */
  memcpy (expected, tag, sizeof expected);   /* TAG may lie inside M */
  if (!start (aead, 0, nonce, key))
    return sodium_open (m, c, len, expected, ad, ad_len, nonce, key);
  if ((ad_len == 0 || EVP_CipherUpdate (aead->ctx, NULL, &n, ad, (int) ad_len) == 1)
      && EVP_CipherUpdate (aead->ctx, m, &n, c, (int) len) == 1
      && EVP_CIPHER_CTX_ctrl (aead->ctx, EVP_CTRL_AEAD_SET_TAG, CLINIC_AEAD_TAG_BYTES, expected) == 1
      && EVP_CipherFinal_ex (aead->ctx, m + n, &tail) == 1)
    return 0;

  sodium_memzero (m, len);
  return -1;
}
