/* test-aead.c - the VFS's XChaCha20-Poly1305 against libsodium's
 *
 * clinic-aead.c puts libsodium's HChaCha20 in front of libcrypto's
 * ChaCha20-Poly1305; whatever it seals must be exactly what libsodium's
 * crypto_aead_xchacha20poly1305_ietf seals, and open what libsodium
 * sealed.  libsodium is the reference here: the file format is its
 * construction, so any program with libsodium reads a Clinic page.
 */

#include "clinic-aead.h"

#include <glib.h>
#include <sodium.h>
#include <string.h>

static const gsize lengths[] = { 0, 1, 15, 16, 63, 64, 65, 255, 1000, 4055, 4056, 4057, 4096, 65536 + 7 };
static const gsize ad_lengths[] = { 0, 1, 5, 13, 15, 16, 17, 64 };

static void
check_against_libsodium (ClinicAead *aead)
{
  for (guint l = 0; l < G_N_ELEMENTS (lengths); l++)
    for (guint a = 0; a < G_N_ELEMENTS (ad_lengths); a++)
      {
        gsize len = lengths[l], ad_len = ad_lengths[a];
        g_autofree guint8 *m = g_malloc (len + 1), *ours = g_malloc (len + 1), *theirs = g_malloc (len + 1);
        g_autofree guint8 *back = g_malloc (len + 1);
        guint8 key[32], nonce[24], ad[64], tag_ours[16], tag_theirs[16];

        randombytes_buf (m, len + 1);
        randombytes_buf (key, sizeof key);
        randombytes_buf (nonce, sizeof nonce);
        randombytes_buf (ad, sizeof ad);

        clinic_aead_seal (aead, ours, tag_ours, m, len, ad, ad_len, nonce, key);
        crypto_aead_xchacha20poly1305_ietf_encrypt_detached (theirs, tag_theirs, NULL, m, len, ad, ad_len,
                                                             NULL, nonce, key);
        g_assert_cmpmem (ours, len, theirs, len);
        g_assert_cmpmem (tag_ours, 16, tag_theirs, 16);

        /* Each opens the other's. */
        g_assert_cmpint (crypto_aead_xchacha20poly1305_ietf_decrypt_detached (back, NULL, ours, len, tag_ours,
                                                                              ad, ad_len, nonce, key), ==, 0);
        g_assert_cmpmem (back, len, m, len);
        memset (back, 0xee, len);
        g_assert_cmpint (clinic_aead_open (aead, back, theirs, len, tag_theirs, ad, ad_len, nonce, key), ==, 0);
        g_assert_cmpmem (back, len, m, len);

        /* In place, both ways. */
        memcpy (back, m, len);
        clinic_aead_seal (aead, back, tag_ours, back, len, ad, ad_len, nonce, key);
        g_assert_cmpmem (back, len, theirs, len);
        g_assert_cmpint (clinic_aead_open (aead, back, back, len, tag_ours, ad, ad_len, nonce, key), ==, 0);
        g_assert_cmpmem (back, len, m, len);
      }
}

static void
test_same_as_libsodium (void)
{
  ClinicAead *aead = clinic_aead_new ();

  /* On Debian 12 libcrypto has the cipher: the fast path is the one the
   * VFS takes, and the one checked here. */
  g_assert_nonnull (aead);
  g_assert_cmpstr (clinic_aead_engine (), ==, "libcrypto");
  check_against_libsodium (aead);
  clinic_aead_free (aead);
}

/* The page path (a 4056-byte body, 1 to 16 bytes of associated data:
 * what the VFS seals) on many random pages, and pages of all zeros and
 * all ones, each way. */
static void
test_pages (void)
{
  ClinicAead *aead = clinic_aead_new ();
  guint8 key[32], nonce[24], ad[16], m[4056], ours[4056], theirs[4056], back[4056], t1[16], t2[16];

  for (int i = 0; i < 3000; i++)
    {
      gsize ad_len = 1 + i % 16;

      randombytes_buf (key, sizeof key);
      randombytes_buf (nonce, sizeof nonce);
      randombytes_buf (ad, sizeof ad);
      if (i % 100 == 1)
        memset (m, i % 200 == 1 ? 0x00 : 0xff, sizeof m);
      else
        randombytes_buf (m, sizeof m);
      clinic_aead_seal (aead, ours, t1, m, sizeof m, ad, ad_len, nonce, key);
      crypto_aead_xchacha20poly1305_ietf_encrypt_detached (theirs, t2, NULL, m, sizeof m, ad, ad_len,
                                                           NULL, nonce, key);
      g_assert_cmpmem (ours, sizeof ours, theirs, sizeof theirs);
      g_assert_cmpmem (t1, 16, t2, 16);
      g_assert_cmpint (clinic_aead_open (aead, back, theirs, sizeof theirs, t2, ad, ad_len, nonce, key), ==, 0);
      g_assert_cmpmem (back, sizeof back, m, sizeof m);
      /* The last byte of the body and of the AD are covered. */
      theirs[sizeof theirs - 1] ^= 0x40;
      g_assert_cmpint (clinic_aead_open (aead, back, theirs, sizeof theirs, t2, ad, ad_len, nonce, key), ==, -1);
      theirs[sizeof theirs - 1] ^= 0x40;
      ad[ad_len - 1] ^= 0x01;
      g_assert_cmpint (clinic_aead_open (aead, back, theirs, sizeof theirs, t2, ad, ad_len, nonce, key), ==, -1);
    }
  clinic_aead_free (aead);
}

static void
test_fallback_same (void)
{
  /* No context: libsodium does it, with the same results. */
  check_against_libsodium (NULL);
}

/* Every kind of change is refused, and the output is zeroed, in place
 * or not, on both paths: no unchecked plaintext reaches a caller. */
static void
test_refusals (gconstpointer data)
{
  ClinicAead *aead = GPOINTER_TO_INT (data) ? clinic_aead_new () : NULL;
  guint8 key[32], nonce[24], ad[5] = { 7, 0, 0, 0, 1 }, m[4056], c[4056], tag[16], out[4056];
  guint8 zero[4056] = { 0 };

  randombytes_buf (key, sizeof key);
  randombytes_buf (nonce, sizeof nonce);
  randombytes_buf (m, sizeof m);
  clinic_aead_seal (aead, c, tag, m, sizeof m, ad, sizeof ad, nonce, key);

  for (int what = 0; what < 5; what++)
    {
      guint8 k2[32], n2[24], ad2[5], c2[4056], t2[16];

      memcpy (k2, key, 32);
      memcpy (n2, nonce, 24);
      memcpy (ad2, ad, 5);
      memcpy (c2, c, sizeof c);
      memcpy (t2, tag, 16);
      switch (what)
        {
        case 0: c2[g_random_int_range (0, sizeof c2)] ^= 1 << g_random_int_range (0, 8); break;
        case 1: t2[g_random_int_range (0, 16)] ^= 0x80; break;
        case 2: ad2[4] = 3; break;                       /* another file role */
        case 3: n2[23] ^= 0x01; break;
        default: k2[0] ^= 0x01; break;
        }
      memset (out, 0xaa, sizeof out);
      g_assert_cmpint (clinic_aead_open (aead, out, c2, sizeof c2, t2, ad2, sizeof ad2, n2, k2), ==, -1);
      g_assert_cmpmem (out, sizeof out, zero, sizeof zero);

      g_assert_cmpint (clinic_aead_open (aead, c2, c2, sizeof c2, t2, ad2, sizeof ad2, n2, k2), ==, -1);
      g_assert_cmpmem (c2, sizeof c2, zero, sizeof zero);
    }
  /* And the untouched one still opens. */
  g_assert_cmpint (clinic_aead_open (aead, out, c, sizeof c, tag, ad, sizeof ad, nonce, key), ==, 0);
  g_assert_cmpmem (out, sizeof out, m, sizeof m);
  clinic_aead_free (aead);
}

/* Contexts in several threads at once, each its own. */
static gpointer
thread_body (gpointer data)
{
  ClinicAead *aead = clinic_aead_new ();
  guint8 key[32], nonce[24], ad[5], m[4056], c[4056], tag[16], tag2[16], c2[4056];

  for (int i = 0; i < 2000; i++)
    {
      randombytes_buf (key, sizeof key);
      randombytes_buf (nonce, sizeof nonce);
      randombytes_buf (ad, sizeof ad);
      randombytes_buf (m, sizeof m);
      clinic_aead_seal (aead, c, tag, m, sizeof m, ad, sizeof ad, nonce, key);
      crypto_aead_xchacha20poly1305_ietf_encrypt_detached (c2, tag2, NULL, m, sizeof m, ad, sizeof ad, NULL, nonce, key);
      if (memcmp (c, c2, sizeof c) != 0 || memcmp (tag, tag2, 16) != 0)
        {
          clinic_aead_free (aead);
          return GINT_TO_POINTER (0);
        }
    }
  clinic_aead_free (aead);
  return GINT_TO_POINTER (1);
}

static void
test_threads (void)
{
  GThread *threads[4];

  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    threads[i] = g_thread_new ("aead", thread_body, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    g_assert_true (GPOINTER_TO_INT (g_thread_join (threads[i])));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  if (sodium_init () < 0)
    g_error ("libsodium");
  g_test_add_func ("/aead/same-as-libsodium", test_same_as_libsodium);
  g_test_add_func ("/aead/pages", test_pages);
  g_test_add_func ("/aead/fallback-same", test_fallback_same);
  g_test_add_data_func ("/aead/refusals/libcrypto", GINT_TO_POINTER (1), test_refusals);
  g_test_add_data_func ("/aead/refusals/libsodium", GINT_TO_POINTER (0), test_refusals);
  g_test_add_func ("/aead/threads", test_threads);
  return g_test_run ();
}
