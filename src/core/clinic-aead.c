/* clinic-aead.c - XChaCha20-Poly1305 (IETF) for page images
 *
 * XChaCha20-Poly1305 is ChaCha20-Poly1305 (RFC 8439) under a subkey:
 * subkey = HChaCha20 (key, nonce[0..15]), and the 12-byte nonce is four
 * zero bytes and nonce[16..23].  libsodium gives HChaCha20; libcrypto
 * the bulk of the work.  See clinic-aead.h.
 *
 * Page bodies (4056 bytes, associated data of 1 to 16 bytes: empty AD
 * has no padding block) take a
 * path of their own, RFC 8439 section 2.8 step by step, because of
 * where libcrypto's vector code is fast: ChaCha20 over a whole number
 * of 64-byte blocks, and Poly1305 over exactly 4096 bytes, run in
 * 0.62 and 0.35 us, while its ChaCha20-Poly1305 over 4056 bytes
 * (63.4 blocks; 253.5 Poly1305 blocks) takes 1.5 us.  So:
 *   - the Poly1305 key is ChaCha20 block 0 (libsodium, 32 bytes);
 *   - the body is copied into a 4096-byte run, zero-padded, and
 *     encrypted with the block counter starting at 1; the first 4056
 *     bytes are the ciphertext, the 40 after it are overwritten;
 *   - the MAC input AD || pad || C || pad || le64 (ad_len) ||
 *     le64 (4056) is then exactly 16 + 4064 + 16 = 4096 bytes, in one
 *     buffer, for one Poly1305 call;
 *   - opening checks the tag (in constant time) before it decrypts,
 *     as libsodium does.
 * tests/test-aead.c holds every result to libsodium's, byte for byte.
 */

#include "clinic-aead.h"

#include <limits.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <sodium.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

_Static_assert (CLINIC_AEAD_KEY_BYTES == crypto_aead_xchacha20poly1305_ietf_KEYBYTES, "key size");
_Static_assert (CLINIC_AEAD_NONCE_BYTES == crypto_aead_xchacha20poly1305_ietf_NPUBBYTES, "nonce size");
_Static_assert (CLINIC_AEAD_TAG_BYTES == crypto_aead_xchacha20poly1305_ietf_ABYTES, "tag size");

#define PAGE_BODY   4056
#define PAGE_AD_MAX 16
#define RUN         4096     /* ChaCha20 run: 64 blocks */

struct _ClinicAead
{
  EVP_CIPHER_CTX *ctx;        /* ChaCha20-Poly1305, any length */
  EVP_CIPHER_CTX *stream;     /* ChaCha20, page bodies */
  EVP_MAC_CTX    *mac;        /* Poly1305, page bodies */
  /* Page path: [0, 16) AD and zero padding, [16, 16 + RUN) the body's
   * run; the MAC input is [0, 4096). */
  unsigned char   buf[16 + RUN];
};

static pthread_once_t cipher_once = PTHREAD_ONCE_INIT;
static EVP_CIPHER *cipher;
static EVP_CIPHER *stream_cipher;
static EVP_MAC *mac;

static void
free_cipher (void)
{
  EVP_CIPHER_free (cipher);
  EVP_CIPHER_free (stream_cipher);
  EVP_MAC_free (mac);
  cipher = stream_cipher = NULL;
  mac = NULL;
}

static void
fetch_cipher (void)
{
  /* The default provider's implementations, fetched once: a fetch by
   * name per call would cost a lookup per page. */
  cipher = EVP_CIPHER_fetch (NULL, "ChaCha20-Poly1305", NULL);
  stream_cipher = EVP_CIPHER_fetch (NULL, "ChaCha20", NULL);
  mac = EVP_MAC_fetch (NULL, "POLY1305", NULL);
  if (atexit (free_cipher) != 0)
    free_cipher ();
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
  /* Without these, page bodies take the general path. */
  if (stream_cipher != NULL && mac != NULL)
    {
      aead->stream = EVP_CIPHER_CTX_new ();
      aead->mac = EVP_MAC_CTX_new (mac);
      if (aead->stream == NULL || aead->mac == NULL
          || EVP_CipherInit_ex2 (aead->stream, stream_cipher, NULL, NULL, 1, NULL) != 1)
        {
          EVP_CIPHER_CTX_free (aead->stream);
          EVP_MAC_CTX_free (aead->mac);
          aead->stream = NULL;
          aead->mac = NULL;
        }
    }
  return aead;
}

void
clinic_aead_free (ClinicAead *aead)
{
  if (aead == NULL)
    return;
  /* Frees and cleanses the last subkeys held in the contexts. */
  EVP_CIPHER_CTX_free (aead->ctx);
  EVP_CIPHER_CTX_free (aead->stream);
  EVP_MAC_CTX_free (aead->mac);
  sodium_memzero (aead->buf, sizeof aead->buf);
  free (aead);
}

const char *
clinic_aead_engine (void)
{
  pthread_once (&cipher_once, fetch_cipher);
  return cipher != NULL ? "libcrypto" : "libsodium";
}

/* XChaCha20's ChaCha20 key and 12-byte nonce: the subkey HChaCha20 makes
 * of the key and the first 16 bytes of the nonce, and four zero bytes
 * before the last 8. */
static void
derive (const unsigned char  nonce[CLINIC_AEAD_NONCE_BYTES],
        const unsigned char  key[CLINIC_AEAD_KEY_BYTES],
        unsigned char        subkey[crypto_core_hchacha20_OUTPUTBYTES],
        unsigned char        n12[12])
{
  crypto_core_hchacha20 (subkey, nonce, key, NULL);
  memset (n12, 0, 4);
  memcpy (n12 + 4, nonce + crypto_core_hchacha20_INPUTBYTES, 8);
}

/* Starts CTX for ENCRYPT (1) or decrypt (0) under the derived key. */
static int
start (ClinicAead          *aead,
       int                  encrypt,
       const unsigned char  nonce[CLINIC_AEAD_NONCE_BYTES],
       const unsigned char  key[CLINIC_AEAD_KEY_BYTES])
{
  unsigned char subkey[crypto_core_hchacha20_OUTPUTBYTES];
  unsigned char iv[12];
  int ok;

  derive (nonce, key, subkey, iv);
  ok = EVP_CipherInit_ex2 (aead->ctx, NULL, subkey, iv, encrypt, NULL) == 1;
  sodium_memzero (subkey, sizeof subkey);
  return ok;
}

/* --- Page bodies ---------------------------------------------------------- */

static inline void
store_le64 (unsigned char *p,
            uint64_t       v)
{
  for (int i = 0; i < 8; i++)
    p[i] = (unsigned char) (v >> (8 * i));
}

/* Subkey, Poly1305 key, and the 16-byte IV of libcrypto's ChaCha20
 * (block counter 1, little-endian, then the 12-byte nonce). */
static void
page_keys (const unsigned char  nonce[CLINIC_AEAD_NONCE_BYTES],
           const unsigned char  key[CLINIC_AEAD_KEY_BYTES],
           unsigned char        subkey[32],
           unsigned char        poly_key[32],
           unsigned char        iv[16])
{
  unsigned char n12[12];

  derive (nonce, key, subkey, n12);
  crypto_stream_chacha20_ietf (poly_key, 32, n12, subkey);   /* block 0 */
  memset (iv, 0, 16);
  iv[0] = 1;
  memcpy (iv + 4, n12, 12);
}

/* AD and padding in buf[0, 16); pad and lengths after the ciphertext. */
static void
page_mac_frame (ClinicAead          *aead,
                const unsigned char *ad,
                size_t               ad_len)
{
  memset (aead->buf, 0, 16);
  if (ad_len > 0)
    memcpy (aead->buf, ad, ad_len);
  memset (aead->buf + 16 + PAGE_BODY, 0, 8);
  store_le64 (aead->buf + 16 + PAGE_BODY + 8, ad_len);
  store_le64 (aead->buf + 16 + PAGE_BODY + 16, PAGE_BODY);
}

/* ChaCha20 over the whole run in buf, in place. */
static int
page_xor_run (ClinicAead          *aead,
              const unsigned char  subkey[32],
              const unsigned char  iv[16])
{
  int n;

  return EVP_CipherInit_ex2 (aead->stream, NULL, subkey, iv, 1, NULL) == 1
         && EVP_CipherUpdate (aead->stream, aead->buf + 16, &n, aead->buf + 16, RUN) == 1
         && n == RUN;
}

static int
page_mac (ClinicAead          *aead,
          const unsigned char  poly_key[32],
          unsigned char        tag[CLINIC_AEAD_TAG_BYTES])
{
  size_t n;

  return EVP_MAC_init (aead->mac, poly_key, 32, NULL) == 1
         && EVP_MAC_update (aead->mac, aead->buf, 16 + PAGE_BODY + 24) == 1
         && EVP_MAC_final (aead->mac, tag, &n, CLINIC_AEAD_TAG_BYTES) == 1
         && n == CLINIC_AEAD_TAG_BYTES;
}

_Static_assert (16 + PAGE_BODY + 24 == 4096, "the MAC input of a page is 4096 bytes");

static int
page_seal (ClinicAead          *aead,
           unsigned char       *c,
           unsigned char        tag[CLINIC_AEAD_TAG_BYTES],
           const unsigned char *m,
           const unsigned char *ad,
           size_t               ad_len,
           const unsigned char  nonce[CLINIC_AEAD_NONCE_BYTES],
           const unsigned char  key[CLINIC_AEAD_KEY_BYTES])
{
  unsigned char subkey[32], poly_key[32], iv[16], t[CLINIC_AEAD_TAG_BYTES];
  int ok;

  page_keys (nonce, key, subkey, poly_key, iv);
  memcpy (aead->buf + 16, m, PAGE_BODY);
  memset (aead->buf + 16 + PAGE_BODY, 0, RUN - PAGE_BODY);
  ok = page_xor_run (aead, subkey, iv);
  if (ok)
    {
      page_mac_frame (aead, ad, ad_len);   /* over the key stream past the body */
      ok = page_mac (aead, poly_key, t);
    }
  if (ok)
    {
      memcpy (c, aead->buf + 16, PAGE_BODY);
      memcpy (tag, t, sizeof t);
    }
  sodium_memzero (subkey, sizeof subkey);
  sodium_memzero (poly_key, sizeof poly_key);
  return ok;
}

/* 1: opened; 0: refused (M zeroed); -1: libcrypto failed, nothing done. */
static int
page_open (ClinicAead          *aead,
           unsigned char       *m,
           const unsigned char *c,
           const unsigned char  tag[CLINIC_AEAD_TAG_BYTES],
           const unsigned char *ad,
           size_t               ad_len,
           const unsigned char  nonce[CLINIC_AEAD_NONCE_BYTES],
           const unsigned char  key[CLINIC_AEAD_KEY_BYTES])
{
  unsigned char subkey[32], poly_key[32], iv[16], t[CLINIC_AEAD_TAG_BYTES];
  int rc = -1;

  page_keys (nonce, key, subkey, poly_key, iv);
  memcpy (aead->buf + 16, c, PAGE_BODY);
  page_mac_frame (aead, ad, ad_len);
  if (page_mac (aead, poly_key, t))
    {
      if (crypto_verify_16 (t, tag) != 0)
        {
          sodium_memzero (m, PAGE_BODY);
          rc = 0;
        }
      else if (page_xor_run (aead, subkey, iv))
        {
          memcpy (m, aead->buf + 16, PAGE_BODY);
          rc = 1;
        }
    }
  sodium_memzero (subkey, sizeof subkey);
  sodium_memzero (poly_key, sizeof poly_key);
  return rc;
}

/* --- Any length ------------------------------------------------------------ */

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

  if (aead != NULL && aead->stream != NULL && len == PAGE_BODY && ad_len >= 1 && ad_len <= PAGE_AD_MAX
      && page_seal (aead, c, tag, m, ad, ad_len, nonce, key))
    return;
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
  if (aead->stream != NULL && len == PAGE_BODY && ad_len >= 1 && ad_len <= PAGE_AD_MAX)
    {
      int rc = page_open (aead, m, c, tag, ad, ad_len, nonce, key);

      if (rc >= 0)
        return rc == 1 ? 0 : -1;
    }

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
