/* test-keys.c: database key, key slots file and recovery key
 *
 * Copyright 2024 The Clinic authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* memmem */
#endif

#include "clinic-test-db.h"
#include "clinic-keys.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#define PASSWORD_ANNA  "correct horse battery staple"
#define PASSWORD_BEN   "a different long password"

typedef struct
{
  char *dir;
  char *path; /* dir/clinic.db.keys */
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("clinic-keys-XXXXXX", &error);
  g_assert_no_error (error);
  f->path = g_build_filename (f->dir, "clinic.db.keys", NULL);

  /* Cheap Argon2id, asked for explicitly; tests of the floor switch it
   * off themselves. */
  clinic_keys_allow_test_limits (TRUE);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  clinic_keys_allow_test_limits (FALSE);
  clinic_test_remove_tree (f->dir);
  g_free (f->path);
  g_free (f->dir);
}

static const ClinicKdfLimits test_limits = {
  crypto_pwhash_argon2id_OPSLIMIT_MIN, crypto_pwhash_argon2id_MEMLIMIT_MIN
};

/* Two users, Anna and Ben, under @dk. */
static ClinicKeySlots *
make_slots (const ClinicKey *dk)
{
  g_autoptr(ClinicKeySlots) slots = clinic_key_slots_new (dk);
  g_autoptr(GError) error = NULL;

  clinic_key_slots_add_user (slots, "anna", PASSWORD_ANNA, dk, &test_limits, &error);
  g_assert_no_error (error);
  clinic_key_slots_add_user (slots, "ben", PASSWORD_BEN, dk, &test_limits, &error);
  g_assert_no_error (error);
  return g_steal_pointer (&slots);
}

static GBytes *
read_bytes (const char *path)
{
  g_autoptr(GError) error = NULL;
  char *data;
  gsize len;

  g_file_get_contents (path, &data, &len, &error);
  g_assert_no_error (error);
  return g_bytes_new_take (data, len);
}

static void
write_bytes (const char   *path,
             const guint8 *data,
             gsize         len)
{
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, (const char *) data, (gssize) len, &error);
  g_assert_no_error (error);
}

static guint
count_files (const char *dir_path)
{
  g_autoptr(GDir) dir = g_dir_open (dir_path, 0, NULL);
  guint n = 0;

  g_assert_nonnull (dir);
  while (g_dir_read_name (dir) != NULL)
    n++;
  return n;
}

static void
assert_unlocks_to (ClinicKeySlots  *slots,
                   const char      *user,
                   const char      *password,
                   const ClinicKey *expected)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClinicKey) key = clinic_key_slots_unlock (slots, user, password, &error);

  g_assert_no_error (error);
  g_assert_nonnull (key);
  g_assert_true (clinic_key_equal (key, expected));
}

static void
assert_unlock_fails (ClinicKeySlots *slots,
                     const char     *user,
                     const char     *password,
                     int             code)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClinicKey) key = clinic_key_slots_unlock (slots, user, password, &error);

  g_assert_null (key);
  g_assert_error (error, CLINIC_KEYS_ERROR, code);
}

/* --- Keys -------------------------------------------------------------- */

static void
test_key_random (void)
{
  g_autoptr(ClinicKey) a = clinic_key_new_random ();
  g_autoptr(ClinicKey) b = clinic_key_new_random ();
  g_autoptr(ClinicKey) c = clinic_key_copy (a);
  static const guint8 zero[CLINIC_KEY_SIZE] = { 0 };

  g_assert_false (clinic_key_equal (a, b));
  g_assert_cmpmem (clinic_key_get_data (a), CLINIC_KEY_SIZE, clinic_key_get_data (c), CLINIC_KEY_SIZE);
  g_assert_true (clinic_key_equal (a, c));
  g_assert_true (clinic_key_get_data (a) != clinic_key_get_data (c));
  g_assert_true (memcmp (clinic_key_get_data (a), zero, sizeof zero) != 0);
  g_assert_true (G_TYPE_IS_BOXED (clinic_key_get_type ()));
}

static void
test_key_derive (void)
{
  g_autoptr(ClinicKey) dk = clinic_key_new_random ();
  g_autoptr(ClinicKey) pages1 = clinic_key_derive (dk, 1, CLINIC_KEY_CONTEXT_PAGES);
  g_autoptr(ClinicKey) pages2 = clinic_key_derive (dk, 1, CLINIC_KEY_CONTEXT_PAGES);
  g_autoptr(ClinicKey) pages_other_id = clinic_key_derive (dk, 2, CLINIC_KEY_CONTEXT_PAGES);
  const char *contexts[] = {
    CLINIC_KEY_CONTEXT_PAGES, CLINIC_KEY_CONTEXT_ATTACHMENTS,
    CLINIC_KEY_CONTEXT_BACKUPS, CLINIC_KEY_CONTEXT_AUDIT,
    CLINIC_KEY_CONTEXT_SLOTS,
  };
  ClinicKey *sub[G_N_ELEMENTS (contexts)];

  g_assert_true (clinic_key_equal (pages1, pages2));
  g_assert_false (clinic_key_equal (pages1, pages_other_id));
  g_assert_false (clinic_key_equal (pages1, dk));

  for (guint i = 0; i < G_N_ELEMENTS (contexts); i++)
    {
      g_assert_cmpuint (strlen (contexts[i]), ==, crypto_kdf_CONTEXTBYTES);
      sub[i] = clinic_key_derive (dk, 1, contexts[i]);
      for (guint j = 0; j < i; j++)
        g_assert_false (clinic_key_equal (sub[i], sub[j]));
    }

  for (guint i = 0; i < G_N_ELEMENTS (contexts); i++)
    clinic_key_free (sub[i]);
}

static void
test_key_id (void)
{
  g_autoptr(ClinicKey) a = clinic_key_new_random ();
  g_autoptr(ClinicKey) b = clinic_key_new_random ();
  g_autoptr(ClinicKey) a2 = clinic_key_copy (a);
  guint8 id_a[CLINIC_KEY_ID_SIZE], id_a2[CLINIC_KEY_ID_SIZE], id_b[CLINIC_KEY_ID_SIZE];

  clinic_key_get_id (a, id_a);
  clinic_key_get_id (a2, id_a2);
  clinic_key_get_id (b, id_b);
  g_assert_cmpmem (id_a, sizeof id_a, id_a2, sizeof id_a2);
  g_assert_true (memcmp (id_a, id_b, sizeof id_a) != 0);
  /* The id is not a piece of the key. */
  g_assert_null (memmem (clinic_key_get_data (a), CLINIC_KEY_SIZE, id_a, 8));
}

/* --- Slots ------------------------------------------------------------- */

static void
test_slots_round_trip (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(ClinicKey) dk = clinic_key_new_random ();
  g_autoptr(ClinicKeySlots) slots = make_slots (dk);
  g_autoptr(ClinicKeySlots) loaded = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  guint8 id[CLINIC_KEY_ID_SIZE];
  GStatBuf st;

  g_assert_cmpuint (clinic_key_slots_get_n_users (slots), ==, 2);
  g_assert_true (clinic_key_slots_has_user (slots, "anna"));
  g_assert_true (clinic_key_slots_has_user (slots, "  anna\t"));
  g_assert_false (clinic_key_slots_has_user (slots, "Anna"));
  g_assert_false (clinic_key_slots_has_user (slots, "carla"));

  g_assert_true (clinic_key_slots_save (slots, f->path, &error));
  g_assert_no_error (error);

  g_assert_cmpint (g_stat (f->path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  g_assert_cmpint (st.st_size, ==, 64 + 2 * 288);

  /* Neither names nor passwords appear in the file. */
  bytes = read_bytes (f->path);
  g_assert_null (memmem (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), "anna", 4));
  g_assert_null (memmem (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), "horse", 5));
  g_assert_null (memmem (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes),
                         clinic_key_get_data (dk), 8));

  loaded = clinic_key_slots_load (f->path, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (clinic_key_slots_get_n_users (loaded), ==, 2);
  clinic_key_get_id (dk, id);
  g_assert_cmpmem (clinic_key_slots_get_key_id (loaded), CLINIC_KEY_ID_SIZE, id, sizeof id);
  g_assert_true (clinic_key_slots_check_key (loaded, dk, &error));
  g_assert_no_error (error);

  assert_unlocks_to (loaded, "anna", PASSWORD_ANNA, dk);
  assert_unlocks_to (loaded, " ben ", PASSWORD_BEN, dk);

  /* Saving over an existing file keeps it whole and 0600. */
  g_assert_cmpint (g_chmod (f->path, 0644), ==, 0);
  g_assert_true (clinic_key_slots_save (loaded, f->path, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_stat (f->path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  g_assert_cmpuint (count_files (f->dir), ==, 1);
}

static void
test_slots_password_normalised (Fixture       *f,
                                gconstpointer  data)
{
  g_autoptr(ClinicKey) dk = clinic_key_new_random ();
  g_autoptr(ClinicKeySlots) slots = clinic_key_slots_new (dk);
  g_autoptr(GError) error = NULL;

  /* "é" precomposed, then as e + combining acute. */
  clinic_key_slots_add_user (slots, "zo\xc3\xa9", "caf\xc3\xa9 au lait please", dk, &test_limits, &error);
  g_assert_no_error (error);
  assert_unlocks_to (slots, "zoe\xcc\x81", "cafe\xcc\x81 au lait please", dk);
}

static void
test_slots_wrong_credentials (Fixture       *f,
                              gconstpointer  data)
{
  g_autoptr(ClinicKey) dk = clinic_key_new_random ();
  g_autoptr(ClinicKeySlots) slots = make_slots (dk);
  g_autoptr(GError) wrong_password = NULL;
  g_autoptr(GError) unknown_user = NULL;
  g_autoptr(ClinicKey) k1 = NULL;
  g_autoptr(ClinicKey) k2 = NULL;
  guint before;

  before = clinic_keys_get_kdf_count ();
  k1 = clinic_key_slots_unlock (slots, "anna", "not her password", &wrong_password);
  g_assert_cmpuint (clinic_keys_get_kdf_count () - before, ==, 1);

  before = clinic_keys_get_kdf_count ();
  k2 = clinic_key_slots_unlock (slots, "nobody", "not her password", &unknown_user);
  /* An unknown name costs an Argon2id run, as a known one does. */
  g_assert_cmpuint (clinic_keys_get_kdf_count () - before, ==, 1);

  g_assert_null (k1);
  g_assert_null (k2);
  g_assert_error (wrong_password, CLINIC_KEYS_ERROR, CLINIC_KEYS_ERROR_WRONG_CREDENTIALS);
  g_assert_error (unknown_user, CLINIC_KEYS_ERROR, CLINIC_KEYS_ERROR_WRONG_CREDENTIALS);
  g_assert_cmpstr (wrong_password->message, ==, unknown_user->message);
  g_assert_cmpstr (wrong_password->message, ==, "The user name or password is not right.");

  /* Case matters, and an empty name is just unknown. */
  assert_unlock_fails (slots, "ANNA", PASSWORD_ANNA, CLINIC_KEYS_ERROR_WRONG_CREDENTIALS);
  assert_unlock_fails (slots, "", PASSWORD_ANNA, CLINIC_KEYS_ERROR_WRONG_CREDENTIALS);
  assert_unlock_fails (slots, "anna", "", CLINIC_KEYS_ERROR_WRONG_CREDENTIALS);
  /* Ben's password does not open Anna's slot. */
  assert_unlock_fails (slots, "anna", PASSWORD_BEN, CLINIC_KEYS_ERROR_WRONG_CREDENTIALS);

  /* An empty file (just made) still costs the run. */
  {
    g_autoptr(ClinicKeySlots) empty = clinic_key_slots_new (dk);
    g_autoptr(GError) error = NULL;
    g_autoptr(ClinicKey) k3 = NULL;

    /* With the test switch on, the run uses the test limits. */
    before = clinic_keys_get_kdf_count ();
    k3 = clinic_key_slots_unlock (empty, "anna", PASSWORD_ANNA, &error);
    g_assert_null (k3);
    g_assert_error (error, CLINIC_KEYS_ERROR, CLINIC_KEYS_ERROR_WRONG_CREDENTIALS);
    g_assert_cmpuint (clinic_keys_get_kdf_count () - before, ==, 1);
  }
}

static void
test_slots_add_errors (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(ClinicKey) dk = clinic_key_new_random ();
  g_autoptr(ClinicKey) other = clinic_key_new_random ();
  g_autoptr(ClinicKeySlots) slots = make_slots (dk);
  g_autoptr(GError) error = NULL;

  g_assert_false (clinic_key_slots_add_user (slots, " anna ", "x", dk, &test_limits, &error));
  g_assert_error (error, CLINIC_KEYS_ERROR, CLINIC_KEYS_ERROR_USER_EXISTS);
  g_clear_error (&error);

  g_assert_false (clinic_key_slots_add_user (slots, "  ", "x", dk, &test_limits, &error));
  g_assert_error (error, CLINIC_KEYS_ERROR, CLINIC_KEYS_ERROR_INVALID_USER_NAME);
  g_clear_error (&error);

  g_assert_false (clinic_key_slots_add_user (slots, "carla", "x", other, &test_limits, &error));
  g_assert_error (error, CLINIC_KEYS_ERROR, CLINIC_KEYS_ERROR_WRONG_DATABASE);
  g_clear_error (&error);

  g_assert_false (clinic_key_slots_remove_user (slots, "carla", &error));
  g_assert_error (error, CLINIC_KEYS_ERROR, CLINIC_KEYS_ERROR_NO_SUCH_USER);
  g_clear_error (&error);

  g_assert_cmpuint (clinic_key_slots_get_n_users (slots), ==, 2);
}

static void
test_slots_change_password (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(ClinicKey) dk = clinic_key_new_random ();
  g_autoptr(ClinicKeySlots) slots = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) before = NULL;
  g_autoptr(GBytes) after = NULL;
  const guint8 *b, *a;
  gsize len;

  slots = make_slots (dk);
  clinic_key_slots_add_user (slots, "carla", "carla's password", dk, &test_limits, &error);
  g_assert_no_error (error);
  clinic_key_slots_save (slots, f->path, &error);
  g_assert_no_error (error);
  before = read_bytes (f->path);

  /* A wrong old password changes nothing. */
  g_assert_false (clinic_key_slots_change_password (slots, "ben", "wrong", "new one", &test_limits, &error));
  g_assert_error (error, CLINIC_KEYS_ERROR, CLINIC_KEYS_ERROR_WRONG_CREDENTIALS);
  g_clear_error (&error);
  g_assert_false (clinic_key_slots_change_password (slots, "nobody", "wrong", "new one", &test_limits, &error));
  g_assert_error (error, CLINIC_KEYS_ERROR, CLINIC_KEYS_ERROR_WRONG_CREDENTIALS);
  g_clear_error (&error);

  g_assert_true (clinic_key_slots_change_password (slots, "ben", PASSWORD_BEN,
                                                   "Ben's brand new password", &test_limits, &error));
  g_assert_no_error (error);
  clinic_key_slots_save (slots, f->path, &error);
  g_assert_no_error (error);
  after = read_bytes (f->path);

  b = g_bytes_get_data (before, &len);
  a = g_bytes_get_data (after, NULL);
  g_assert_cmpuint (g_bytes_get_size (after), ==, len);
  g_assert_cmpuint (len, ==, 64 + 3 * 288);
  /* Header, Anna's and Carla's slots unchanged; Ben's slot rewritten
   * throughout (salt, key pair, nonce, ciphertexts, MAC), name hash kept. */
  g_assert_cmpmem (b, 64 + 288, a, 64 + 288);
  g_assert_cmpmem (b + 64 + 2 * 288, 288, a + 64 + 2 * 288, 288);
  g_assert_cmpmem (b + 64 + 288, 32, a + 64 + 288, 32);
  g_assert_true (memcmp (b + 64 + 288 + 32, a + 64 + 288 + 32, 16) != 0);  /* salt */
  g_assert_true (memcmp (b + 64 + 288 + 72, a + 64 + 288 + 72, 32) != 0);  /* public key */

  {
    g_autoptr(ClinicKeySlots) loaded = clinic_key_slots_load (f->path, &error);

    g_assert_no_error (error);
    assert_unlock_fails (loaded, "ben", PASSWORD_BEN, CLINIC_KEYS_ERROR_WRONG_CREDENTIALS);
    assert_unlocks_to (loaded, "ben", "Ben's brand new password", dk);
    assert_unlocks_to (loaded, "anna", PASSWORD_ANNA, dk);
    assert_unlocks_to (loaded, "carla", "carla's password", dk);
  }
}

static void
test_slots_remove_user (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(ClinicKey) dk = clinic_key_new_random ();
  g_autoptr(ClinicKeySlots) slots = make_slots (dk);
  g_autoptr(ClinicKeySlots) loaded = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (clinic_key_slots_remove_user (slots, "anna", &error));
  g_assert_no_error (error);
  g_assert_false (clinic_key_slots_has_user (slots, "anna"));
  g_assert_cmpuint (clinic_key_slots_get_n_users (slots), ==, 1);

  clinic_key_slots_save (slots, f->path, &error);
  g_assert_no_error (error);
  loaded = clinic_key_slots_load (f->path, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (clinic_key_slots_get_n_users (loaded), ==, 1);
  assert_unlock_fails (loaded, "anna", PASSWORD_ANNA, CLINIC_KEYS_ERROR_WRONG_CREDENTIALS);
  assert_unlocks_to (loaded, "ben", PASSWORD_BEN, dk);

  /* The name can be given a slot again. */
  clinic_key_slots_add_user (loaded, "anna", "her new password", dk, &test_limits, &error);
  g_assert_no_error (error);
  assert_unlocks_to (loaded, "anna", "her new password", dk);
}

static void
test_slots_reseal (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(ClinicKey) dk = clinic_key_new_random ();
  g_autoptr(ClinicKey) new_dk = clinic_key_new_random ();
  g_autoptr(ClinicKey) stranger = clinic_key_new_random ();
  g_autoptr(ClinicKeySlots) slots = make_slots (dk);
  g_autoptr(ClinicKeySlots) loaded = NULL;
  g_autoptr(GError) error = NULL;
  guint8 new_id[CLINIC_KEY_ID_SIZE];
  guint before;

  /* Only with the key the file belongs to. */
  g_assert_false (clinic_key_slots_reseal (slots, stranger, new_dk, &error));
  g_assert_error (error, CLINIC_KEYS_ERROR, CLINIC_KEYS_ERROR_WRONG_DATABASE);
  g_clear_error (&error);

  before = clinic_keys_get_kdf_count ();
  g_assert_true (clinic_key_slots_reseal (slots, dk, new_dk, &error));
  g_assert_no_error (error);
  /* No password was used: no Argon2id run at all. */
  g_assert_cmpuint (clinic_keys_get_kdf_count (), ==, before);

  clinic_key_get_id (new_dk, new_id);
  g_assert_cmpmem (clinic_key_slots_get_key_id (slots), CLINIC_KEY_ID_SIZE, new_id, sizeof new_id);

  clinic_key_slots_save (slots, f->path, &error);
  g_assert_no_error (error);
  loaded = clinic_key_slots_load (f->path, &error);
  g_assert_no_error (error);
  assert_unlocks_to (loaded, "anna", PASSWORD_ANNA, new_dk);
  assert_unlocks_to (loaded, "ben", PASSWORD_BEN, new_dk);

  /* The old key no longer belongs to the file. */
  g_assert_false (clinic_key_slots_check_key (loaded, dk, &error));
  g_assert_error (error, CLINIC_KEYS_ERROR, CLINIC_KEYS_ERROR_WRONG_DATABASE);
  g_clear_error (&error);

  /* Change password and add user keep working under the new key. */
  clinic_key_slots_change_password (loaded, "ben", PASSWORD_BEN, "ben again, longer", &test_limits, &error);
  g_assert_no_error (error);
  assert_unlocks_to (loaded, "ben", "ben again, longer", new_dk);
}

/* A public key planted in a slot (so a rekey would seal the new key to
 * someone else) is caught before anything is sealed. */
static void
test_slots_reseal_planted_key (Fixture       *f,
                               gconstpointer  data)
{
  g_autoptr(ClinicKey) dk = clinic_key_new_random ();
  g_autoptr(ClinicKey) new_dk = clinic_key_new_random ();
  g_autoptr(ClinicKeySlots) slots = make_slots (dk);
  g_autoptr(ClinicKeySlots) loaded = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autofree guint8 *data_copy = NULL;
  guint8 pk[crypto_box_PUBLICKEYBYTES], sk[crypto_box_SECRETKEYBYTES];
  gsize len;

  clinic_key_slots_save (slots, f->path, &error);
  g_assert_no_error (error);
  bytes = read_bytes (f->path);
  data_copy = g_memdup2 (g_bytes_get_data (bytes, &len), g_bytes_get_size (bytes));

  crypto_box_keypair (pk, sk);
  memcpy (data_copy + 64 + 288 + 72, pk, sizeof pk);   /* Ben's public key */
  write_bytes (f->path, data_copy, len);

  loaded = clinic_key_slots_load (f->path, &error);
  g_assert_no_error (error);
  g_assert_false (clinic_key_slots_reseal (loaded, dk, new_dk, &error));
  g_assert_error (error, CLINIC_KEYS_ERROR, CLINIC_KEYS_ERROR_SLOTS_DAMAGED);
  /* Unchanged on error. */
  g_assert_true (clinic_key_slots_check_key (loaded, dk, NULL));
  assert_unlocks_to (loaded, "anna", PASSWORD_ANNA, dk);
  /* Ben's password no longer matches his changed slot. */
  assert_unlock_fails (loaded, "ben", PASSWORD_BEN, CLINIC_KEYS_ERROR_WRONG_CREDENTIALS);
}

static void
test_slots_weak_limits (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(ClinicKey) dk = clinic_key_new_random ();
  g_autoptr(ClinicKeySlots) slots = make_slots (dk); /* made with the switch on */
  g_autoptr(GError) error = NULL;
  ClinicKdfLimits interactive = CLINIC_KDF_LIMITS_INTERACTIVE;
  ClinicKdfLimits moderate = CLINIC_KDF_LIMITS_MODERATE;
  ClinicKdfLimits half = { moderate.opslimit, moderate.memlimit / 2 };
  guint before;

  clinic_keys_allow_test_limits (FALSE);

  /* Asked for: refused before any work. */
  before = clinic_keys_get_kdf_count ();
  g_assert_false (clinic_key_slots_add_user (slots, "carla", "x", dk, &test_limits, &error));
  g_assert_error (error, CLINIC_KEYS_ERROR, CLINIC_KEYS_ERROR_WEAK_LIMITS);
  g_clear_error (&error);
  g_assert_false (clinic_key_slots_add_user (slots, "carla", "x", dk, &interactive, &error));
  g_assert_error (error, CLINIC_KEYS_ERROR, CLINIC_KEYS_ERROR_WEAK_LIMITS);
  g_clear_error (&error);
  g_assert_false (clinic_key_slots_add_user (slots, "carla", "x", dk, &half, &error));
  g_assert_error (error, CLINIC_KEYS_ERROR, CLINIC_KEYS_ERROR_WEAK_LIMITS);
  g_clear_error (&error);
  g_assert_false (clinic_key_slots_change_password (slots, "anna", PASSWORD_ANNA, "y", &test_limits, &error));
  g_assert_error (error, CLINIC_KEYS_ERROR, CLINIC_KEYS_ERROR_WEAK_LIMITS);
  g_clear_error (&error);
  g_assert_cmpuint (clinic_keys_get_kdf_count (), ==, before);

  /* Recorded in a slot: refused too, with the right password. */
  assert_unlock_fails (slots, "anna", PASSWORD_ANNA, CLINIC_KEYS_ERROR_WEAK_LIMITS);

  /* The floor for interactive hashes is lower. */
  g_assert_true (clinic_kdf_limits_check (&interactive, &interactive, &error));
  g_assert_no_error (error);
  g_assert_false (clinic_kdf_limits_check (&test_limits, &interactive, &error));
  g_assert_error (error, CLINIC_KEYS_ERROR, CLINIC_KEYS_ERROR_WEAK_LIMITS);
  g_clear_error (&error);

  clinic_keys_allow_test_limits (TRUE);
  assert_unlocks_to (slots, "anna", PASSWORD_ANNA, dk);
  g_assert_true (clinic_kdf_limits_check (&test_limits, &moderate, &error));
  g_assert_no_error (error);
}

/* The default limits, once, with the test switch off. */
static void
test_slots_moderate (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(ClinicKey) dk = NULL;
  g_autoptr(ClinicKeySlots) slots = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  const guint8 *b;

  if (g_getenv ("CLINIC_TEST_SKIP_SLOW_KDF") != NULL)
    {
      g_test_skip ("CLINIC_TEST_SKIP_SLOW_KDF is set");
      return;
    }

  clinic_keys_allow_test_limits (FALSE);
  dk = clinic_key_new_random ();
  slots = clinic_key_slots_new (dk);

  g_assert_true (clinic_key_slots_add_user (slots, "anna", PASSWORD_ANNA, dk, NULL, &error));
  g_assert_no_error (error);
  clinic_key_slots_save (slots, f->path, &error);
  g_assert_no_error (error);

  bytes = read_bytes (f->path);
  b = g_bytes_get_data (bytes, NULL);
  g_assert_cmpuint (GUINT64_FROM_LE (*(const guint64 *) (b + 64 + 48)), ==, crypto_pwhash_argon2id_OPSLIMIT_MODERATE);
  g_assert_cmpuint (GUINT64_FROM_LE (*(const guint64 *) (b + 64 + 56)), ==, crypto_pwhash_argon2id_MEMLIMIT_MODERATE);

  g_clear_pointer (&slots, clinic_key_slots_free);
  slots = clinic_key_slots_load (f->path, &error);
  g_assert_no_error (error);
  assert_unlocks_to (slots, "anna", PASSWORD_ANNA, dk);
}

/* Every byte of a saved file changed in turn: loading or unlocking fails,
 * or, where the byte belongs to someone else's slot, the right key comes
 * out.  Never a wrong key. */
static void
test_slots_tamper (Fixture       *f,
                   gconstpointer  data)
{
  static const guint8 flips[] = { 0xff, 0x01, 0x80 };
  g_autoptr(ClinicKey) dk = clinic_key_new_random ();
  g_autoptr(ClinicKeySlots) slots = make_slots (dk);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *tampered_path = g_build_filename (f->dir, "tampered.keys", NULL);
  const guint8 *orig;
  guint n_flips = g_getenv ("CLINIC_TEST_QUICK_TAMPER") ? 1 : G_N_ELEMENTS (flips);
  gsize len;

  clinic_key_slots_save (slots, f->path, &error);
  g_assert_no_error (error);
  bytes = read_bytes (f->path);
  orig = g_bytes_get_data (bytes, &len);

  for (gsize i = 0; i < len; i++)
    for (guint k = 0; k < n_flips; k++)
      {
        g_autofree guint8 *copy = g_memdup2 (orig, len);
        g_autoptr(ClinicKeySlots) loaded = NULL;
        g_autoptr(GError) load_error = NULL;
        const char *users[] = { "anna", "ben" };
        const char *passwords[] = { PASSWORD_ANNA, PASSWORD_BEN };

        copy[i] ^= flips[k];
        write_bytes (tampered_path, copy, len);

        loaded = clinic_key_slots_load (tampered_path, &load_error);
        if (loaded == NULL)
          {
            g_assert_error (load_error, CLINIC_KEYS_ERROR, CLINIC_KEYS_ERROR_SLOTS_DAMAGED);
            continue;
          }

        for (guint u = 0; u < 2; u++)
          {
            g_autoptr(GError) unlock_error = NULL;
            g_autoptr(ClinicKey) key = NULL;
            gboolean own_byte = i < 64 || (i >= 64 + u * 288 && i < 64 + (u + 1) * 288);

            key = clinic_key_slots_unlock (loaded, users[u], passwords[u], &unlock_error);
            if (key != NULL)
              {
                if (own_byte)
                  g_error ("byte %" G_GSIZE_FORMAT " ^ 0x%02x of %s's slot went unnoticed",
                           i, flips[k], users[u]);
                g_assert_true (clinic_key_equal (key, dk));
              }
            else if (!g_error_matches (unlock_error, CLINIC_KEYS_ERROR, CLINIC_KEYS_ERROR_SLOTS_DAMAGED) &&
                     !g_error_matches (unlock_error, CLINIC_KEYS_ERROR, CLINIC_KEYS_ERROR_WRONG_CREDENTIALS) &&
                     !g_error_matches (unlock_error, CLINIC_KEYS_ERROR, CLINIC_KEYS_ERROR_WRONG_DATABASE))
              {
                g_error ("byte %" G_GSIZE_FORMAT ": unexpected error %s", i, unlock_error->message);
              }
          }
      }
}

static void
test_slots_truncated (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(ClinicKey) dk = clinic_key_new_random ();
  g_autoptr(ClinicKeySlots) slots = make_slots (dk);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autofree guint8 *longer = NULL;
  const guint8 *orig;
  gsize len;

  clinic_key_slots_save (slots, f->path, &error);
  g_assert_no_error (error);
  bytes = read_bytes (f->path);
  orig = g_bytes_get_data (bytes, &len);

  for (gsize cut = 0; cut < len; cut++)
    {
      g_autoptr(ClinicKeySlots) loaded = NULL;

      write_bytes (f->path, orig, cut);
      loaded = clinic_key_slots_load (f->path, &error);
      g_assert_null (loaded);
      g_assert_error (error, CLINIC_KEYS_ERROR, CLINIC_KEYS_ERROR_SLOTS_DAMAGED);
      g_clear_error (&error);
    }

  longer = g_malloc0 (len + 1);
  memcpy (longer, orig, len);
  write_bytes (f->path, longer, len + 1);
  g_assert_null (clinic_key_slots_load (f->path, &error));
  g_assert_error (error, CLINIC_KEYS_ERROR, CLINIC_KEYS_ERROR_SLOTS_DAMAGED);
}

static void
test_slots_bad_header (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(ClinicKey) dk = clinic_key_new_random ();
  g_autoptr(ClinicKeySlots) slots = make_slots (dk);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autofree guint8 *copy = NULL;
  gsize len;

  /* Missing. */
  g_assert_null (clinic_key_slots_load (f->path, &error));
  g_assert_error (error, CLINIC_KEYS_ERROR, CLINIC_KEYS_ERROR_SLOTS_MISSING);
  g_clear_error (&error);

  clinic_key_slots_save (slots, f->path, &error);
  g_assert_no_error (error);
  bytes = read_bytes (f->path);
  copy = g_memdup2 (g_bytes_get_data (bytes, &len), g_bytes_get_size (bytes));

  /* Wrong magic. */
  memcpy (copy, "SQLite f", 8);
  write_bytes (f->path, copy, len);
  g_assert_null (clinic_key_slots_load (f->path, &error));
  g_assert_error (error, CLINIC_KEYS_ERROR, CLINIC_KEYS_ERROR_SLOTS_DAMAGED);
  g_assert_cmpstr (error->message, ==, "The key file is not a Clinic key file.");
  g_clear_error (&error);

  /* A newer version. */
  memcpy (copy, g_bytes_get_data (bytes, NULL), len);
  copy[8] = 2;
  write_bytes (f->path, copy, len);
  g_assert_null (clinic_key_slots_load (f->path, &error));
  g_assert_error (error, CLINIC_KEYS_ERROR, CLINIC_KEYS_ERROR_SLOTS_DAMAGED);
  g_clear_error (&error);

  /* A slot count that does not match the length. */
  memcpy (copy, g_bytes_get_data (bytes, NULL), len);
  copy[12] = 3;
  write_bytes (f->path, copy, len);
  g_assert_null (clinic_key_slots_load (f->path, &error));
  g_assert_error (error, CLINIC_KEYS_ERROR, CLINIC_KEYS_ERROR_SLOTS_DAMAGED);
  g_clear_error (&error);

  /* Two slots with the same name hash. */
  memcpy (copy, g_bytes_get_data (bytes, NULL), len);
  memcpy (copy + 64 + 288, copy + 64, 32);
  write_bytes (f->path, copy, len);
  g_assert_null (clinic_key_slots_load (f->path, &error));
  g_assert_error (error, CLINIC_KEYS_ERROR, CLINIC_KEYS_ERROR_SLOTS_DAMAGED);
  g_clear_error (&error);

  /* A folder in its place. */
  g_assert_cmpint (g_unlink (f->path), ==, 0);
  g_assert_cmpint (g_mkdir (f->path, 0700), ==, 0);
  g_assert_null (clinic_key_slots_load (f->path, &error));
  g_assert_nonnull (error);
  g_assert_true (error->domain == CLINIC_KEYS_ERROR);
}

/* A key file from another database: its header names the other database's
 * key id, or its slots open a key that is not the header's. */
static void
test_slots_other_database (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(ClinicKey) dk_a = clinic_key_new_random ();
  g_autoptr(ClinicKey) dk_b = clinic_key_new_random ();
  g_autoptr(ClinicKeySlots) slots_b = make_slots (dk_b);
  g_autoptr(ClinicKeySlots) loaded = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autofree guint8 *copy = NULL;
  guint8 id_a[CLINIC_KEY_ID_SIZE];
  gsize len;

  /* Database A finds B's key file beside it. */
  g_assert_false (clinic_key_slots_check_key (slots_b, dk_a, &error));
  g_assert_error (error, CLINIC_KEYS_ERROR, CLINIC_KEYS_ERROR_WRONG_DATABASE);
  g_assert_cmpstr (error->message, ==, "The key file belongs to another database.");
  g_clear_error (&error);

  /* B's slots under a header claiming A's key id. */
  clinic_key_slots_save (slots_b, f->path, &error);
  g_assert_no_error (error);
  bytes = read_bytes (f->path);
  copy = g_memdup2 (g_bytes_get_data (bytes, &len), g_bytes_get_size (bytes));
  clinic_key_get_id (dk_a, id_a);
  memcpy (copy + 48, id_a, sizeof id_a);
  write_bytes (f->path, copy, len);

  loaded = clinic_key_slots_load (f->path, &error);
  g_assert_no_error (error);
  assert_unlock_fails (loaded, "anna", PASSWORD_ANNA, CLINIC_KEYS_ERROR_WRONG_DATABASE);
}

static void
test_slots_rebuild_after_loss (Fixture       *f,
                               gconstpointer  data)
{
  g_autoptr(ClinicKey) dk = clinic_key_new_random ();
  g_autoptr(ClinicKeySlots) slots = make_slots (dk);
  g_autoptr(ClinicKeySlots) rebuilt = NULL;
  g_autoptr(ClinicKeySlots) loaded = NULL;
  g_autoptr(ClinicKey) recovered = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *recovery = clinic_recovery_key_format (dk);

  clinic_key_slots_save (slots, f->path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_unlink (f->path), ==, 0);

  g_assert_null (clinic_key_slots_load (f->path, &error));
  g_assert_error (error, CLINIC_KEYS_ERROR, CLINIC_KEYS_ERROR_SLOTS_MISSING);
  g_clear_error (&error);

  /* The administrator types the recovery key and re-creates the slots. */
  recovered = clinic_recovery_key_parse (recovery, &error);
  g_assert_no_error (error);
  rebuilt = clinic_key_slots_new (recovered);
  clinic_key_slots_add_user (rebuilt, "anna", "anna's reset password", recovered, &test_limits, &error);
  g_assert_no_error (error);
  clinic_key_slots_save (rebuilt, f->path, &error);
  g_assert_no_error (error);

  loaded = clinic_key_slots_load (f->path, &error);
  g_assert_no_error (error);
  assert_unlocks_to (loaded, "anna", "anna's reset password", dk);
}

static gboolean
is_root (void)
{
  return geteuid () == 0;
}

static void
test_slots_atomic_save (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(ClinicKey) dk = clinic_key_new_random ();
  g_autoptr(ClinicKeySlots) slots = make_slots (dk);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) before = NULL;
  g_autoptr(GBytes) after = NULL;
  g_autofree char *nowhere = g_build_filename (f->dir, "no-such-folder", "clinic.db.keys", NULL);
  struct rlimit saved, small;
  struct sigaction ignore = { 0 }, old_action;

  clinic_key_slots_save (slots, f->path, &error);
  g_assert_no_error (error);
  before = read_bytes (f->path);

  clinic_key_slots_add_user (slots, "carla", "carla's password", dk, &test_limits, &error);
  g_assert_no_error (error);

  /* The write fails midway: the file size limit stops it after 100 bytes,
   * as a full disk would. */
  g_assert_cmpint (getrlimit (RLIMIT_FSIZE, &saved), ==, 0);
  small = saved;
  small.rlim_cur = 100;
  ignore.sa_handler = SIG_IGN;
  g_assert_cmpint (sigaction (SIGXFSZ, &ignore, &old_action), ==, 0);
  g_assert_cmpint (setrlimit (RLIMIT_FSIZE, &small), ==, 0);

  g_assert_false (clinic_key_slots_save (slots, f->path, &error));

  g_assert_cmpint (setrlimit (RLIMIT_FSIZE, &saved), ==, 0);
  g_assert_cmpint (sigaction (SIGXFSZ, &old_action, NULL), ==, 0);
  g_assert_error (error, CLINIC_KEYS_ERROR, CLINIC_KEYS_ERROR_IO);
  g_clear_error (&error);

  after = read_bytes (f->path);
  g_assert_true (g_bytes_equal (before, after));
  g_assert_cmpuint (count_files (f->dir), ==, 1);

  /* A folder that does not exist. */
  g_assert_false (clinic_key_slots_save (slots, nowhere, &error));
  g_assert_error (error, CLINIC_KEYS_ERROR, CLINIC_KEYS_ERROR_IO);
  g_clear_error (&error);
  g_assert_cmpuint (count_files (f->dir), ==, 1);

  /* A read-only folder (root writes anyway, so only as a user). */
  if (!is_root ())
    {
      g_clear_pointer (&after, g_bytes_unref);
      g_assert_cmpint (g_chmod (f->dir, 0500), ==, 0);
      g_assert_false (clinic_key_slots_save (slots, f->path, &error));
      g_assert_cmpint (g_chmod (f->dir, 0700), ==, 0);
      g_assert_error (error, CLINIC_KEYS_ERROR, CLINIC_KEYS_ERROR_IO);
      g_clear_error (&error);
      after = read_bytes (f->path);
      g_assert_true (g_bytes_equal (before, after));
      g_assert_cmpuint (count_files (f->dir), ==, 1);
    }

  /* And when nothing stops it, the new file is in place. */
  g_assert_true (clinic_key_slots_save (slots, f->path, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count_files (f->dir), ==, 1);
  {
    g_autoptr(ClinicKeySlots) loaded = clinic_key_slots_load (f->path, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (clinic_key_slots_get_n_users (loaded), ==, 3);
  }
}

/* --- Recovery key ------------------------------------------------------ */

static const char *
expected_typo_message (guint group)
{
  static char buf[100];

  g_snprintf (buf, sizeof buf, "The recovery key has a typo in group %u.", group);
  return buf;
}

static void
test_recovery_round_trip (void)
{
  for (guint round = 0; round < 50; round++)
    {
      g_autoptr(ClinicKey) dk = clinic_key_new_random ();
      g_autofree char *text = clinic_recovery_key_format (dk);
      g_autofree char *lower = g_ascii_strdown (text, -1);
      g_auto(GStrv) groups = g_strsplit (text, "-", -1);
      g_autofree char *spaced = g_strjoinv ("  ", groups);
      g_autofree char *joined = g_strjoinv ("", groups);
      g_autofree char *confusable = g_strdup (lower);
      g_autoptr(GError) error = NULL;
      const char *variants[] = { text, lower, spaced, joined, confusable };

      g_assert_cmpuint (strlen (text), ==, 14 * 5 + 13);
      g_assert_cmpuint (g_strv_length (groups), ==, CLINIC_RECOVERY_KEY_N_GROUPS);
      for (guint g = 0; groups[g] != NULL; g++)
        {
          g_assert_cmpuint (strlen (groups[g]), ==, CLINIC_RECOVERY_KEY_GROUP_CHARS);
          for (const char *p = groups[g]; *p; p++)
            g_assert_nonnull (strchr ("0123456789ABCDEFGHJKMNPQRSTVWXYZ", *p));
        }

      /* O for 0, I or L for 1, as people misread them. */
      for (char *p = confusable; *p; p++)
        if (*p == '0')
          *p = 'O';
        else if (*p == '1')
          *p = (p - confusable) % 2 ? 'l' : 'I';

      for (guint v = 0; v < G_N_ELEMENTS (variants); v++)
        {
          g_autoptr(ClinicKey) parsed = clinic_recovery_key_parse (variants[v], &error);

          g_assert_no_error (error);
          g_assert_true (clinic_key_equal (parsed, dk));
        }
    }
}

static void
test_recovery_typo (void)
{
  static const char alphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
  g_autoptr(ClinicKey) dk = clinic_key_new_random ();
  g_autofree char *text = clinic_recovery_key_format (dk);
  gsize len = strlen (text);

  for (gsize i = 0; i < len; i++)
    {
      guint group = (guint) (i / 6) + 1;

      if (text[i] == '-')
        continue;

      /* Every single wrong character is caught, in its group. */
      for (const char *c = alphabet; *c; c++)
        {
          g_autofree char *typo = g_strdup (text);
          g_autoptr(GError) error = NULL;
          g_autoptr(ClinicKey) parsed = NULL;

          if (*c == text[i])
            continue;
          typo[i] = *c;
          parsed = clinic_recovery_key_parse (typo, &error);
          g_assert_null (parsed);
          g_assert_error (error, CLINIC_KEYS_ERROR, CLINIC_KEYS_ERROR_RECOVERY_KEY_INVALID);
          g_assert_cmpstr (error->message, ==, expected_typo_message (group));
        }

      /* And two neighbours swapped. */
      if (i + 1 < len && text[i + 1] != '-' && text[i + 1] != text[i])
        {
          g_autofree char *swapped = g_strdup (text);
          g_autoptr(GError) error = NULL;
          g_autoptr(ClinicKey) parsed = NULL;

          swapped[i] = text[i + 1];
          swapped[i + 1] = text[i];
          parsed = clinic_recovery_key_parse (swapped, &error);
          g_assert_null (parsed);
          g_assert_cmpstr (error->message, ==, expected_typo_message (group));
        }
    }

  /* Two groups swapped whole. */
  {
    g_autofree char *swapped = g_strdup (text);
    g_autoptr(GError) error = NULL;
    g_autoptr(ClinicKey) parsed = NULL;

    memcpy (swapped, text + 6, 5);
    memcpy (swapped + 6, text, 5);
    parsed = clinic_recovery_key_parse (swapped, &error);
    g_assert_null (parsed);
    g_assert_error (error, CLINIC_KEYS_ERROR, CLINIC_KEYS_ERROR_RECOVERY_KEY_INVALID);
  }
}

/* A wrong key whose groups all check still fails the checksum. */
static void
test_recovery_checksum (void)
{
  static const char alphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
  g_autoptr(ClinicKey) dk = clinic_key_new_random ();
  g_autofree char *text = clinic_recovery_key_format (dk);
  gboolean found = FALSE;

  /* Change the first group's data to another one that still checks: try
   * replacements of its first two characters plus a new check character. */
  for (guint a = 0; a < 32 && !found; a++)
    for (guint b = 0; b < 32 && !found; b++)
      for (guint c = 0; c < 32 && !found; c++)
        {
          g_autofree char *attempt = g_strdup (text);
          g_autoptr(GError) attempt_error = NULL;
          g_autoptr(ClinicKey) k = NULL;

          attempt[0] = alphabet[a];
          attempt[1] = alphabet[b];
          attempt[4] = alphabet[c];
          if (memcmp (attempt, text, 5) == 0)
            continue;
          k = clinic_recovery_key_parse (attempt, &attempt_error);
          g_assert_null (k);
          if (!g_str_has_prefix (attempt_error->message, "The recovery key has a typo"))
            {
              g_assert_error (attempt_error, CLINIC_KEYS_ERROR, CLINIC_KEYS_ERROR_RECOVERY_KEY_INVALID);
              g_assert_cmpstr (attempt_error->message, ==,
                               "The recovery key is not right. Check every group against the printed sheet.");
              found = TRUE;
            }
        }
  g_assert_true (found);
}

static void
test_recovery_length (void)
{
  g_autoptr(ClinicKey) dk = clinic_key_new_random ();
  g_autofree char *text = clinic_recovery_key_format (dk);
  g_autofree char *shorter = g_strndup (text, strlen (text) - 1);
  g_autofree char *longer = g_strconcat (text, "7", NULL);
  g_autofree char *with_u = g_strdup (text);
  g_autofree char *with_bang = g_strdup (text);
  g_autoptr(GError) error = NULL;

  g_assert_null (clinic_recovery_key_parse (shorter, &error));
  g_assert_error (error, CLINIC_KEYS_ERROR, CLINIC_KEYS_ERROR_RECOVERY_KEY_INVALID);
  g_assert_cmpstr (error->message, ==, "The recovery key has 69 characters but should have 70.");
  g_clear_error (&error);

  g_assert_null (clinic_recovery_key_parse (longer, &error));
  g_assert_error (error, CLINIC_KEYS_ERROR, CLINIC_KEYS_ERROR_RECOVERY_KEY_INVALID);
  g_clear_error (&error);

  g_assert_null (clinic_recovery_key_parse ("", &error));
  g_assert_error (error, CLINIC_KEYS_ERROR, CLINIC_KEYS_ERROR_RECOVERY_KEY_INVALID);
  g_clear_error (&error);

  with_u[0] = 'U';
  g_assert_null (clinic_recovery_key_parse (with_u, &error));
  g_assert_error (error, CLINIC_KEYS_ERROR, CLINIC_KEYS_ERROR_RECOVERY_KEY_INVALID);
  g_assert_nonnull (strstr (error->message, "“U”"));
  g_clear_error (&error);

  with_bang[3] = '!';
  g_assert_null (clinic_recovery_key_parse (with_bang, &error));
  g_assert_error (error, CLINIC_KEYS_ERROR, CLINIC_KEYS_ERROR_RECOVERY_KEY_INVALID);
  g_clear_error (&error);

  g_assert_null (clinic_recovery_key_parse ("\xff\xfe", &error));
  g_assert_error (error, CLINIC_KEYS_ERROR, CLINIC_KEYS_ERROR_RECOVERY_KEY_INVALID);
  g_clear_error (&error);
}

static void
test_recovery_group (void)
{
  g_autoptr(ClinicKey) dk = clinic_key_new_random ();
  g_autofree char *text = clinic_recovery_key_format (dk);
  g_autofree char *lower = g_ascii_strdown (text, -1);
  g_auto(GStrv) groups = g_strsplit (text, "-", -1);

  for (guint n = 0; n < CLINIC_RECOVERY_KEY_N_GROUPS; n++)
    {
      g_autofree char *group = clinic_recovery_key_get_group (lower, n);
      g_autofree char *typed = g_ascii_strdown (groups[n], -1);
      g_autofree char *spaced = g_strdup_printf (" %.2s %s ", groups[n], groups[n] + 2);

      g_assert_cmpstr (group, ==, groups[n]);
      g_assert_true (clinic_recovery_key_group_equal (group, typed));
      g_assert_true (clinic_recovery_key_group_equal (group, spaced));
      g_assert_false (clinic_recovery_key_group_equal (group, groups[(n + 1) % CLINIC_RECOVERY_KEY_N_GROUPS]));
      g_assert_false (clinic_recovery_key_group_equal (group, ""));
    }

  g_assert_null (clinic_recovery_key_get_group ("ABCD", 0));
}

static void
test_recovery_wrong_database (void)
{
  g_autoptr(ClinicKey) dk_a = clinic_key_new_random ();
  g_autoptr(ClinicKey) dk_b = clinic_key_new_random ();
  g_autoptr(ClinicKeySlots) slots_a = clinic_key_slots_new (dk_a);
  g_autofree char *text_b = clinic_recovery_key_format (dk_b);
  g_autoptr(ClinicKey) parsed = NULL;
  g_autoptr(GError) error = NULL;

  parsed = clinic_recovery_key_parse (text_b, &error);
  g_assert_no_error (error);
  g_assert_false (clinic_key_slots_check_key (slots_a, parsed, &error));
  g_assert_error (error, CLINIC_KEYS_ERROR, CLINIC_KEYS_ERROR_WRONG_DATABASE);
}

/* --- The process ------------------------------------------------------- */

static void
test_process_harden (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr(GError) error = NULL;
      struct rlimit core;

      g_assert_cmpint (prctl (PR_GET_DUMPABLE, 0, 0, 0, 0), ==, 1);
      g_assert_true (clinic_process_harden (&error));
      g_assert_no_error (error);
      g_assert_cmpint (prctl (PR_GET_DUMPABLE, 0, 0, 0, 0), ==, 0);
      g_assert_cmpint (getrlimit (RLIMIT_CORE, &core), ==, 0);
      g_assert_cmpuint (core.rlim_cur, ==, 0);
      g_assert_cmpuint (core.rlim_max, ==, 0);
      return;
    }

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/keys/key/random", test_key_random);
  g_test_add_func ("/keys/key/derive", test_key_derive);
  g_test_add_func ("/keys/key/id", test_key_id);

#define ADD(name, fn) \
  g_test_add (name, Fixture, NULL, fixture_set_up, fn, fixture_tear_down)
  ADD ("/keys/slots/round-trip", test_slots_round_trip);
  ADD ("/keys/slots/password-normalised", test_slots_password_normalised);
  ADD ("/keys/slots/wrong-credentials", test_slots_wrong_credentials);
  ADD ("/keys/slots/add-errors", test_slots_add_errors);
  ADD ("/keys/slots/change-password", test_slots_change_password);
  ADD ("/keys/slots/remove-user", test_slots_remove_user);
  ADD ("/keys/slots/reseal", test_slots_reseal);
  ADD ("/keys/slots/reseal-planted-key", test_slots_reseal_planted_key);
  ADD ("/keys/slots/weak-limits", test_slots_weak_limits);
  ADD ("/keys/slots/moderate", test_slots_moderate);
  ADD ("/keys/slots/tamper", test_slots_tamper);
  ADD ("/keys/slots/truncated", test_slots_truncated);
  ADD ("/keys/slots/bad-header", test_slots_bad_header);
  ADD ("/keys/slots/other-database", test_slots_other_database);
  ADD ("/keys/slots/rebuild-after-loss", test_slots_rebuild_after_loss);
  ADD ("/keys/slots/atomic-save", test_slots_atomic_save);
#undef ADD

  g_test_add_func ("/keys/recovery/round-trip", test_recovery_round_trip);
  g_test_add_func ("/keys/recovery/typo", test_recovery_typo);
  g_test_add_func ("/keys/recovery/checksum", test_recovery_checksum);
  g_test_add_func ("/keys/recovery/length", test_recovery_length);
  g_test_add_func ("/keys/recovery/group", test_recovery_group);
  g_test_add_func ("/keys/recovery/wrong-database", test_recovery_wrong_database);

  g_test_add_func ("/keys/process/harden", test_process_harden);

  return g_test_run ();
}
