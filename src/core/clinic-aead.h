/* clinic-aead.h - XChaCha20-Poly1305 (IETF) for page images
 *
 * The construction is libsodium's crypto_aead_xchacha20poly1305_ietf,
 * byte for byte: a page sealed here opens with libsodium and the other
 * way round (tests/test-aead.c checks both ways).  The subkey comes from
 * libsodium's HChaCha20; ChaCha20 and Poly1305 over the page run in
 * OpenSSL's libcrypto, whose vector code seals a page body in 1.3 us
 * where libsodium 1.0.18 takes 3.3 us on the machines Clinic runs on
 * (tests/bench/storage prints both).  Where libcrypto cannot give the
 * algorithms (no provider, no memory), the same call runs in libsodium.
 *
 * Plain C with no GLib, as the VFS that uses it.
 */

#pragma once

#include <stddef.h>

#define CLINIC_AEAD_KEY_BYTES   32
#define CLINIC_AEAD_NONCE_BYTES 24
#define CLINIC_AEAD_TAG_BYTES   16

typedef struct _ClinicAead ClinicAead;

/* A context for one thread or one file at a time.  NULL (no memory, or
 * libcrypto without ChaCha20-Poly1305) is a valid context: the calls
 * below then use libsodium. */
ClinicAead *clinic_aead_new  (void);
void        clinic_aead_free (ClinicAead *aead);

/* Encrypts LEN bytes of M into C (C may be M) and writes the tag. */
void clinic_aead_seal (ClinicAead          *aead,
                       unsigned char       *c,
                       unsigned char        tag[CLINIC_AEAD_TAG_BYTES],
                       const unsigned char *m,
                       size_t               len,
                       const unsigned char *ad,
                       size_t               ad_len,
                       const unsigned char  nonce[CLINIC_AEAD_NONCE_BYTES],
                       const unsigned char  key[CLINIC_AEAD_KEY_BYTES]);

/* Decrypts C into M (M may be C) when the tag is right: returns 0.
 * Otherwise returns -1 and M is zeroed (libsodium's behaviour). */
int clinic_aead_open (ClinicAead          *aead,
                      unsigned char       *m,
                      const unsigned char *c,
                      size_t               len,
                      const unsigned char  tag[CLINIC_AEAD_TAG_BYTES],
                      const unsigned char *ad,
                      size_t               ad_len,
                      const unsigned char  nonce[CLINIC_AEAD_NONCE_BYTES],
                      const unsigned char  key[CLINIC_AEAD_KEY_BYTES]);

/* "libcrypto" when contexts run in OpenSSL, else "libsodium". */
const char *clinic_aead_engine (void);
