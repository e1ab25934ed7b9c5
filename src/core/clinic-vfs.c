/* clinic-vfs.c - SQLite VFS shim that encrypts pages with XChaCha20-Poly1305
 *
 * A shim over an unmodified libsqlite3 (Debian 12: 3.40.1): SQLite hands
 * us plaintext pages, we seal them on the way to the real VFS and open
 * them on the way back.  Everything here follows from what SQLite does at
 * the file level, see docs/VFS-NOTES.md (section 4) for the reasoning and
 * the bugs other shims had; the comments below name the numbers.
 *
 * Layout of every 4096-byte page image (main db, journal record, WAL frame):
 *   0 .. 4055     ciphertext of the page's first 4056 bytes
 *   4056 .. 4079  random nonce, new on every write
 *   4080 .. 4095  Poly1305 tag
 * Associated data: page number (4 bytes LE) and a role byte, so an image
 * cannot move to another page, nor between database, journal and WAL.
 *
 * Files SQLite opens without a name of its own (temp db, statement
 * journal, sorter, VACUUM scratch, super-journal) are XORed with an
 * XChaCha20 stream under a key made at start-up for this process and a
 * nonce per file; the stream counter is the byte offset / 64, so any
 * offset and length works (memjournal spills in odd chunks).
 */

#include "clinic-vfs.h"

#include "clinic-aead.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#define PAGE      CLINIC_VFS_PAGE_SIZE
#define RESERVE   CLINIC_VFS_RESERVE
#define NONCE_LEN crypto_aead_xchacha20poly1305_ietf_NPUBBYTES   /* 24 */
#define TAG_LEN   crypto_aead_xchacha20poly1305_ietf_ABYTES      /* 16 */
#define BODY_LEN  (PAGE - RESERVE)                               /* 4056 */
#define AD_LEN    5

#define WAL_HDR        32
#define WAL_FRAME_HDR  24
#define WAL_FRAME      (WAL_FRAME_HDR + PAGE)

/* Rollback journal header magic (pager.c aJournalMagic). */
static const unsigned char journal_magic[8] = {
  0xd9, 0xd5, 0x05, 0xf9, 0x20, 0xa1, 0x63, 0xd7
};

_Static_assert (NONCE_LEN + TAG_LEN == RESERVE, "reserve must hold nonce and tag");

#define ROUND8(x) (((x) + 7) & ~(size_t) 7)

/* ------------------------------------------------------------------ */
/* Keys                                                                */

typedef struct _CipherKey CipherKey;
struct _CipherKey
{
  CipherKey     *next;
  char          *path;        /* as the base VFS's xFullPathname gives it */
  unsigned char *bytes;       /* sodium_malloc, CLINIC_VFS_KEY_BYTES */
  int            refs;        /* registry + open files */
  int            registered;
};

static pthread_mutex_t key_lock = PTHREAD_MUTEX_INITIALIZER;
static CipherKey *key_list;

/* Process-wide key for nameless files; made once, never stored. */
static unsigned char *temp_key;

/* ------------------------------------------------------------------ */
/* VFS and file                                                        */

typedef struct _CipherVfs CipherVfs;
struct _CipherVfs
{
  sqlite3_vfs  base;
  sqlite3_vfs *real;
  CipherVfs   *next;
  char         name[64];
};

/* A WAL frame as this handle wrote it.  The checkpoint reads back every
 * page it copies into the database, and a reader whose page cache
 * dropped a page reads its frame: both would decrypt what this handle
 * sealed moments before.  Direct-mapped by frame number; an entry is
 * used only when the 40 bytes of nonce and tag now on disk are the ones
 * written with it: a fresh random nonce per write means any other write
 * to that frame (another connection or process, a restarted log, a
 * change on disk) misses and is decrypted and checked as before.  The
 * plaintext held is what SQLite's own page cache holds; it is wiped when
 * the log is truncated and when the file closes.
 *
 * 4096 frames: the log grows to the auto-checkpoint's 1000 pages plus the
 * transaction that crossed it, and with 1024 slots a transaction of some
 * hundred pages pushed frames out before the checkpoint read them (a
 * third of all WAL reads in tests/bench/storage were decrypted again).
 * The slots come in chunks of 256 (about 1 MiB), allocated as the log
 * reaches them and freed when it is truncated, so a log of a few frames
 * costs one chunk. */
#define WAL_CACHE_FRAMES 4096
#define WAL_CACHE_CHUNK  256
#define WAL_CACHE_CHUNKS (WAL_CACHE_FRAMES / WAL_CACHE_CHUNK)

/* Each slot a page as written: the plaintext body, then the 40 bytes of
 * nonce and tag sealed with it; 4096-byte slots, 64-byte aligned, so a
 * hit or a store is one aligned copy, and a new chunk only zeroes its
 * frame numbers. */
struct WalCacheChunk
{
  unsigned char  page[WAL_CACHE_CHUNK][PAGE];
  sqlite3_int64  frame[WAL_CACHE_CHUNK];   /* 0: empty */
  uint32_t       pgno[WAL_CACHE_CHUNK];
};

typedef struct
{
  sqlite3_file   base;
  sqlite3_file  *real;
  CipherVfs     *vfs;
  ClinicVfsRole  role;
  CipherKey     *key;
  ClinicAead    *aead;               /* NULL: libsodium does the AEAD */
  char          *path;               /* for failure reports */

  /* Rollback journal: SQLite writes a record as 4-byte pgno, page,
   * 4-byte checksum (pagerAddPageToRollbackJournal), and plays it back
   * the same way.  We follow offsets, not sizes. */
  sqlite3_int64  jrnl_pgno_end;      /* offset right after the last pgno write */
  uint32_t       jrnl_pgno;
  sqlite3_int64  jrnl_page_end;      /* end of the last page image written */
  sqlite3_int64  jrnl_read_end;      /* same for the last 4-byte read */
  uint32_t       jrnl_read_pgno;
  int            jrnl_wrote;         /* this handle wrote records: not a hot journal */

  /* WAL: pgno of the frame header written last, and the pieces of a page
   * that walWriteToLog split at the sync point (VFS-NOTES #175 item 3). */
  sqlite3_int64  wal_hdr_frame;
  uint32_t       wal_hdr_pgno;
  sqlite3_int64  wal_split_frame;
  int            wal_split_lo, wal_split_hi;
  unsigned char *wal_split_buf;

  /* Nameless files: per-file stream nonce and a write buffer. */
  unsigned char  temp_nonce[24];
  unsigned char *temp_buf;
  size_t         temp_buf_len;

  /* Main db: the last page 1 we decrypted or wrote, keyed by its nonce and
   * tag on disk.  Rollback mode reads 16 bytes of page 1 at every read
   * transaction; comparing 40 raw bytes is far cheaper than an AEAD open,
   * and keying by what is on disk stays right when another connection or
   * process rewrote page 1. */
  int            p1_valid;
  unsigned char  p1_tail[RESERVE];
  unsigned char  p1_plain[PAGE];

  /* WAL: the plaintext of frames this handle wrote, keyed by frame and
   * by the nonce and tag it wrote there (see wal_cache_lookup). */
  struct WalCacheChunk *wal_cache[WAL_CACHE_CHUNKS];
  unsigned char *wal_frame_buf;      /* one whole frame, header and page */

  /* Nonces for seal_page(), drawn from the kernel 64 at a time: one
   * getrandom() per page written was a system call per page, a tenth of
   * the cost of sealing it.  Each nonce is still fresh random bytes,
   * used once; the fork generation keeps a forked child from reusing
   * what the parent drew. */
  unsigned char  nonce_pool[NONCE_LEN * 64];
  unsigned int   nonce_used;
  unsigned int   nonce_generation;

  unsigned char  scratch[PAGE];
} CipherFile;

static pthread_mutex_t vfs_lock = PTHREAD_MUTEX_INITIALIZER;
static CipherVfs *vfs_list;
static pthread_once_t init_once = PTHREAD_ONCE_INIT;
/* Starts at 1 (a new file's pool, zeroed, has generation 0: drawn on
 * first use) and grows in every child of fork(). */
static unsigned int fork_generation = 1;

static void
on_fork_child (void)
{
  __atomic_add_fetch (&fork_generation, 1, __ATOMIC_RELEASE);
}
static int init_rc = SQLITE_OK;

static struct
{
  unsigned long long sealed, opened, failures, p1_hits, temp_bytes, wal_splits, wal_hits;
} stats;

#define STAT_ADD(field, n) __atomic_fetch_add (&stats.field, (n), __ATOMIC_RELAXED)

static _Thread_local ClinicVfsFailure last_failure;
static _Thread_local int has_last_failure;

static const sqlite3_io_methods cipher_io_methods;

/* ------------------------------------------------------------------ */
/* Small helpers                                                       */

static inline uint32_t
get_be32 (const unsigned char *p)
{
  return ((uint32_t) p[0] << 24) | ((uint32_t) p[1] << 16)
         | ((uint32_t) p[2] << 8) | (uint32_t) p[3];
}

static inline uint32_t
get_le32 (const unsigned char *p)
{
  return ((uint32_t) p[3] << 24) | ((uint32_t) p[2] << 16)
         | ((uint32_t) p[1] << 8) | (uint32_t) p[0];
}

static void
record_failure (CipherFile    *f,
                uint32_t       pgno,
                sqlite3_int64  offset,
                int            errcode)
{
  memset (&last_failure, 0, sizeof last_failure);
  if (f->path != NULL)
    snprintf (last_failure.path, sizeof last_failure.path, "%s", f->path);
  last_failure.role = f->role;
  last_failure.pgno = pgno;
  last_failure.offset = offset;
  last_failure.errcode = errcode;
  has_last_failure = 1;
  STAT_ADD (failures, 1);
  sqlite3_log (errcode, "clinic-cipher: page %u of %s (role %d, offset %lld) "
               "failed authentication or format check",
               pgno, f->path ? f->path : "(temp)", (int) f->role, (long long) offset);
}

/* Page 1 must say 4096-byte pages and 40 reserved bytes, whatever wrote
 * it: a backup from a plain database (#158) or VACUUM after a page_size
 * change (#164) would otherwise leave pages with no room for nonce and
 * tag, or overwrite content with them. */
static inline int
page1_format_ok (const unsigned char *page)
{
  return page[16] == (PAGE >> 8) && page[17] == (PAGE & 0xff) && page[20] == RESERVE;
}

static inline void
make_ad (unsigned char ad[AD_LEN],
         uint32_t      pgno,
         ClinicVfsRole role)
{
  ad[0] = pgno & 0xff;
  ad[1] = (pgno >> 8) & 0xff;
  ad[2] = (pgno >> 16) & 0xff;
  ad[3] = (pgno >> 24) & 0xff;
  ad[4] = (unsigned char) role;
}

/* A fresh random nonce into OUT, from the file's pool. */
static void
next_nonce (CipherFile    *f,
            unsigned char *out)
{
  unsigned int generation = __atomic_load_n (&fork_generation, __ATOMIC_ACQUIRE);

  if (f->nonce_used >= sizeof f->nonce_pool || f->nonce_generation != generation)
    {
      randombytes_buf (f->nonce_pool, sizeof f->nonce_pool);
      f->nonce_used = 0;
      f->nonce_generation = generation;
    }
  memcpy (out, f->nonce_pool + f->nonce_used, NONCE_LEN);
  /* A nonce handed out is gone from the pool. */
  sodium_memzero (f->nonce_pool + f->nonce_used, NONCE_LEN);
  f->nonce_used += NONCE_LEN;
}

/* Encrypts page IN into OUT (OUT != IN: the pager keeps the plaintext). */
static void
seal_page (CipherFile          *f,
           unsigned char       *out,
           const unsigned char *in,
           uint32_t             pgno)
{
  unsigned char ad[AD_LEN];

  make_ad (ad, pgno, f->role);
  next_nonce (f, out + BODY_LEN);
  clinic_aead_seal (f->aead, out, out + BODY_LEN + NONCE_LEN, in, BODY_LEN, ad, AD_LEN,
                    out + BODY_LEN, f->key->bytes);
  STAT_ADD (sealed, 1);
}

/* Decrypts the image IN into OUT (may be the same buffer).  Returns 0 when
 * the tag is right.  OUT's reserved tail then reads as zeros, as SQLite
 * left it: the WAL frame checksum covers the whole 4096 bytes, reserve
 * included, and was computed over SQLite's page with a zero tail; handing
 * back nonce and tag there makes recovery reject every frame and silently
 * drop committed transactions (the #39/#40 failure). */
static int
open_page (const CipherFile    *f,
           unsigned char       *out,
           const unsigned char *in,
           uint32_t             pgno)
{
  unsigned char ad[AD_LEN];
  int rc;

  make_ad (ad, pgno, f->role);
  rc = clinic_aead_open (f->aead, out, in, BODY_LEN, in + BODY_LEN + NONCE_LEN, ad, AD_LEN,
                         in + BODY_LEN, f->key->bytes);
  if (rc == 0)
    {
      memset (out + BODY_LEN, 0, RESERVE);
      STAT_ADD (opened, 1);
    }
  return rc;
}

/* XOR with the per-file stream at any byte offset. */
static void
temp_xor (const CipherFile    *f,
          unsigned char       *out,
          const unsigned char *in,
          size_t               len,
          sqlite3_int64        offset)
{
  uint64_t block = (uint64_t) offset / 64;
  size_t skip = (size_t) ((uint64_t) offset % 64);

  if (skip != 0 && len > 0)
    {
      unsigned char ks[64] = { 0 };
      size_t n = 64 - skip < len ? 64 - skip : len;

      crypto_stream_xchacha20_xor_ic (ks, ks, sizeof ks, f->temp_nonce, block, temp_key);
      for (size_t i = 0; i < n; i++)
        out[i] = in[i] ^ ks[skip + i];
      sodium_memzero (ks, sizeof ks);
      out += n;
      in += n;
      len -= n;
      block++;
    }
  if (len > 0)
    crypto_stream_xchacha20_xor_ic (out, in, len, f->temp_nonce, block, temp_key);
}

static int
real_read (CipherFile    *f,
           void          *buf,
           int            amt,
           sqlite3_int64  off)
{
  return f->real->pMethods->xRead (f->real, buf, amt, off);
}

static int
real_write (CipherFile    *f,
            const void    *buf,
            int            amt,
            sqlite3_int64  off)
{
  return f->real->pMethods->xWrite (f->real, buf, amt, off);
}

/* ------------------------------------------------------------------ */
/* Main database                                                       */

/* Reads page PGNO whole into BUF (the caller's buffer or our scratch) and
 * decrypts it in place.  A short read is returned at once with a zeroed
 * buffer: never decrypt a zero-filled tail, and never hand ciphertext up
 * as if it were a page. */
static int
main_read_page (CipherFile    *f,
                unsigned char *buf,
                uint32_t       pgno)
{
  sqlite3_int64 off = (sqlite3_int64) (pgno - 1) * PAGE;
  int rc;

  rc = real_read (f, buf, PAGE, off);
  if (rc == SQLITE_IOERR_SHORT_READ)
    {
      memset (buf, 0, PAGE);
      return rc;
    }
  if (rc != SQLITE_OK)
    return rc;   /* PR #272: never swallow a real read error */

  if (pgno == 1)
    {
      if (f->p1_valid && memcmp (f->p1_tail, buf + BODY_LEN, RESERVE) == 0)
        {
          memcpy (buf, f->p1_plain, PAGE);
          STAT_ADD (p1_hits, 1);
          return SQLITE_OK;
        }
      f->p1_valid = 0;
      memcpy (f->p1_tail, buf + BODY_LEN, RESERVE);
    }

  if (open_page (f, buf, buf, pgno) != 0)
    {
      sodium_memzero (buf, PAGE);
      record_failure (f, pgno, off, SQLITE_IOERR_DATA);
      return SQLITE_IOERR_DATA;
    }

  if (pgno == 1)
    {
      if (!page1_format_ok (buf))
        {
          sodium_memzero (buf, PAGE);
          record_failure (f, 1, 0, SQLITE_IOERR_DATA);
          return SQLITE_IOERR_DATA;
        }
      memcpy (f->p1_plain, buf, PAGE);
      f->p1_valid = 1;
    }
  return SQLITE_OK;
}

/* Rollback mode reads the 16 bytes at offset 24 of page 1 at every read
 * transaction.  When the 40 bytes of nonce and tag on disk are those of
 * the page 1 we hold, the slice comes from it: 40 bytes read instead of a
 * page read and a page copy.  Returns SQLITE_OK (served), a read error,
 * or -1 (not held or changed on disk: read and open the page). */
static int
page1_slice_cached (CipherFile    *f,
                    unsigned char *buf,
                    int            in_page,
                    int            n)
{
  unsigned char tail[RESERVE];
  int rc;

  if (!f->p1_valid)
    return -1;
  rc = real_read (f, tail, RESERVE, BODY_LEN);
  if (rc == SQLITE_IOERR_SHORT_READ)
    return -1;
  if (rc != SQLITE_OK)
    return rc;
  if (memcmp (tail, f->p1_tail, RESERVE) != 0)
    return -1;
  memcpy (buf, f->p1_plain + in_page, n);
  STAT_ADD (p1_hits, 1);
  return SQLITE_OK;
}

static int
main_read (CipherFile    *f,
           unsigned char *buf,
           int            amt,
           sqlite3_int64  off)
{
  while (amt > 0)
    {
      uint32_t pgno = (uint32_t) (off / PAGE) + 1;
      int in_page = (int) (off % PAGE);
      int n = PAGE - in_page < amt ? PAGE - in_page : amt;
      int rc;

      if (in_page == 0 && n == PAGE)
        {
          rc = main_read_page (f, buf, pgno);
        }
      else if (off == 0)
        {
          /* sqlite3BtreeOpen peeks at the 100-byte header before taking
           * any lock, so before a hot journal is rolled back or the WAL
           * recovered.  After a power cut during a commit or checkpoint
           * page 1 in the file may be torn while the journal or WAL holds
           * the good copy; plain SQLite then just falls back to defaults.
           * Do the same: zeros, no error.  The pager's real read of page 1
           * comes later and fails hard if the damage is real. */
          ClinicVfsFailure saved = last_failure;
          int had_failure = has_last_failure;

          rc = main_read_page (f, f->scratch, 1);
          if (rc == SQLITE_OK || rc == SQLITE_IOERR_SHORT_READ)
            {
              memcpy (buf, f->scratch, n);
            }
          else if (rc == SQLITE_IOERR_DATA)
            {
              memset (buf, 0, n);
              last_failure = saved;
              has_last_failure = had_failure;
              rc = SQLITE_OK;
            }
        }
      else if (pgno == 1 && (rc = page1_slice_cached (f, buf, in_page, n)) >= 0)
        {
          /* Served from the page 1 we hold, or a read error. */
        }
      else
        {
          /* The 16 bytes at offset 24 that rollback mode reads per
           * transaction, overflow reads of usable-size bytes (VFS-NOTES
           * #3, §4.5): whole page, then the slice. */
          rc = main_read_page (f, f->scratch, pgno);
          if (rc == SQLITE_OK || rc == SQLITE_IOERR_SHORT_READ)
            memcpy (buf, f->scratch + in_page, n);
          if (pgno != 1)
            sodium_memzero (f->scratch, PAGE);
        }
      if (rc != SQLITE_OK)
        {
          if (rc == SQLITE_IOERR_SHORT_READ)
            memset (buf, 0, amt);
          return rc;
        }
      buf += n;
      off += n;
      amt -= n;
    }
  return SQLITE_OK;
}

static int
main_write (CipherFile          *f,
            const unsigned char *buf,
            int                  amt,
            sqlite3_int64        off)
{
  uint32_t pgno;

  if (amt != PAGE || off % PAGE != 0)
    {
      sqlite3_log (SQLITE_IOERR_WRITE, "clinic-cipher: refused a %d-byte write at %lld "
                   "to %s: not a whole %d-byte page", amt, (long long) off, f->path, PAGE);
      return SQLITE_IOERR_WRITE;
    }
  pgno = (uint32_t) (off / PAGE) + 1;
  if (pgno == 1 && !page1_format_ok (buf))
    {
      sqlite3_log (SQLITE_IOERR_WRITE, "clinic-cipher: refused page 1 of %s: page size %u, "
                   "reserve %u (need %d, %d)", f->path,
                   (unsigned) (buf[16] << 8 | buf[17]), (unsigned) buf[20], PAGE, RESERVE);
      record_failure (f, 1, 0, SQLITE_IOERR_WRITE);
      return SQLITE_IOERR_WRITE;
    }

  seal_page (f, f->scratch, buf, pgno);
  if (pgno == 1)
    {
      int rc = real_write (f, f->scratch, PAGE, off);

      /* Remember what we wrote only if it reached the file. */
      f->p1_valid = 0;
      if (rc == SQLITE_OK)
        {
          memcpy (f->p1_plain, buf, BODY_LEN);
          memset (f->p1_plain + BODY_LEN, 0, RESERVE);
          memcpy (f->p1_tail, f->scratch + BODY_LEN, RESERVE);
          f->p1_valid = 1;
        }
      return rc;
    }
  return real_write (f, f->scratch, PAGE, off);
}

/* ------------------------------------------------------------------ */
/* Rollback journal                                                    */

/* pager_cksum(): cksumInit plus every 200th byte, from the end. */
static uint32_t
journal_cksum (uint32_t             init,
               const unsigned char *page)
{
  uint32_t sum = init;

  for (int i = PAGE - 200; i > 0; i -= 200)
    sum += page[i];
  return sum;
}

/* The cksumInit of the journal header that governs the record at
 * REC_OFF: headers sit at sector-size multiples and records follow a
 * whole header sector. */
static int
journal_find_cksum_init (CipherFile    *f,
                         sqlite3_int64  rec_off,
                         uint32_t      *init)
{
  unsigned char b[8];
  sqlite3_int64 sector, h;
  int rc;

  rc = real_read (f, b, 4, 20);
  if (rc != SQLITE_OK)
    return rc;
  sector = get_be32 (b);
  if (sector < 32 || sector > 65536 || (sector & (sector - 1)) != 0)
    return SQLITE_CORRUPT;

  for (h = ((rec_off - sector) / sector) * sector; h >= 0; h -= sector)
    {
      rc = real_read (f, b, 8, h);
      if (rc != SQLITE_OK)
        return rc;
      if (memcmp (b, journal_magic, 8) == 0)
        {
          rc = real_read (f, b, 4, h + 12);
          if (rc == SQLITE_OK)
            *init = get_be32 (b);
          return rc;
        }
    }
  return SQLITE_CORRUPT;
}

static int
journal_read (CipherFile    *f,
              unsigned char *buf,
              int            amt,
              sqlite3_int64  off)
{
  unsigned char b[4];
  uint32_t pgno;
  int rc;

  rc = real_read (f, buf, amt, off);
  if (rc != SQLITE_OK)
    return rc;

  if (amt == 4)
    {
      /* Probably a record's pgno; remember it for the page read. */
      f->jrnl_read_end = off + 4;
      f->jrnl_read_pgno = get_be32 (buf);
      return SQLITE_OK;
    }
  /* Only whole records' pages are encrypted; headers, checksums and the
   * super-journal name are read in pieces that pass through. */
  if (amt != PAGE || off < 4 + 32)
    return SQLITE_OK;

  if (f->jrnl_read_end == off)
    {
      pgno = f->jrnl_read_pgno;
    }
  else
    {
      rc = real_read (f, b, 4, off - 4);
      if (rc != SQLITE_OK)
        return rc;
      pgno = get_be32 (b);
    }
  f->jrnl_read_end = -1;

  if (open_page (f, buf, buf, pgno) == 0)
    {
      if (pgno == 1 && !page1_format_ok (buf))
        {
          sodium_memzero (buf, PAGE);
          record_failure (f, 1, off, SQLITE_IOERR_DATA);
          return SQLITE_IOERR_DATA;
        }
      return SQLITE_OK;
    }

  if (f->jrnl_wrote)
    {
      /* Our own transaction's journal (ROLLBACK, ROLLBACK TO): SQLite does
       * not check checksums on savepoint playback, so anything but an
       * error would write garbage into the database. */
      sodium_memzero (buf, PAGE);
      record_failure (f, pgno, off, SQLITE_IOERR_DATA);
      return SQLITE_IOERR_DATA;
    }

  /* Hot journal left by a crash.  A record torn by power loss (possible
   * within nRec under synchronous=NORMAL) must look torn to SQLite: it
   * stops playback at a record whose checksum fails (SQLITE_DONE), and at
   * that point the database was not yet written.  Return the raw bytes,
   * nudged so the weak 20-byte-sum checksum cannot match by chance
   * (~1/800 otherwise).  Tampering here is no worse than deleting the
   * journal, which an attacker with the file can do anyway. */
  {
    uint32_t init, stored;

    rc = journal_find_cksum_init (f, off - 4, &init);
    if (rc == SQLITE_OK)
      rc = real_read (f, b, 4, off + PAGE);
    if (rc != SQLITE_OK)
      {
        sodium_memzero (buf, PAGE);
        record_failure (f, pgno, off, SQLITE_IOERR_DATA);
        return SQLITE_IOERR_DATA;
      }
    stored = get_be32 (b);
    rc = real_read (f, buf, PAGE, off);
    if (rc != SQLITE_OK)
      return rc;
    if (journal_cksum (init, buf) == stored)
      buf[PAGE - 200] ^= 1;
    sqlite3_log (SQLITE_NOTICE, "clinic-cipher: hot journal %s: record at %lld does not "
                 "authenticate, treated as torn", f->path, (long long) off);
    return SQLITE_OK;
  }
}

static int
journal_write (CipherFile          *f,
               const unsigned char *buf,
               int                  amt,
               sqlite3_int64        off)
{
  int rc;

  if (amt == 4)
    {
      if (off == f->jrnl_page_end)
        {
          f->jrnl_page_end = -1;          /* the record's checksum */
        }
      else
        {
          f->jrnl_pgno_end = off + 4;
          f->jrnl_pgno = get_be32 (buf);
        }
      return real_write (f, buf, amt, off);
    }

  if (amt == PAGE && off == f->jrnl_pgno_end)
    {
      uint32_t pgno = f->jrnl_pgno;

      f->jrnl_pgno_end = -1;
      if (pgno == 1 && !page1_format_ok (buf))
        {
          record_failure (f, 1, off, SQLITE_IOERR_WRITE);
          return SQLITE_IOERR_WRITE;
        }
      seal_page (f, f->scratch, buf, pgno);
      rc = real_write (f, f->scratch, PAGE, off);
      if (rc == SQLITE_OK)
        {
          f->jrnl_page_end = off + PAGE;
          f->jrnl_wrote = 1;
        }
      return rc;
    }

  /* Journal headers, nRec updates, the super-journal name. */
  f->jrnl_pgno_end = -1;
  return real_write (f, buf, amt, off);
}

/* ------------------------------------------------------------------ */
/* WAL                                                                 */

/* walChecksumBytes(): the magic's low bit says big-endian words. */
static void
wal_checksum (int                  big_endian,
              const unsigned char *a,
              size_t               n,
              uint32_t             s[2])
{
  uint32_t s1 = s[0], s2 = s[1];

  for (size_t i = 0; i + 8 <= n; i += 8)
    {
      uint32_t x0 = big_endian ? get_be32 (a + i) : get_le32 (a + i);
      uint32_t x1 = big_endian ? get_be32 (a + i + 4) : get_le32 (a + i + 4);

      s1 += x0 + s2;
      s2 += x1 + s1;
    }
  s[0] = s1;
  s[1] = s2;
}

static inline sqlite3_int64
wal_frame_offset (sqlite3_int64 frame)   /* frames count from 1 */
{
  return WAL_HDR + (frame - 1) * WAL_FRAME;
}

/* Recovery read a frame (header + page) whose page does not authenticate.
 * Torn or tampered?  Decision (VFS-NOTES #39/#40, §4.2): a frame with a
 * stale salt is garbage from an earlier log, and SQLite stops there by
 * itself.  A frame with the current salt is taken as torn unless the log
 * shows a *later* transaction committed after the one holding it: walk on
 * from its stored checksum, verifying each frame as SQLite would (salt,
 * AEAD, checksum chain), and count commit frames.  Two commits at or after
 * the frame (its own transaction's and a later one) mean its transaction
 * was synced before the next was written (synchronous=FULL), so it cannot
 * be torn: that is tampering, and dropping it would silently lose every
 * later committed transaction.  Limit: a frame of the *last* transaction
 * that fails is indistinguishable from a torn one; that transaction is
 * dropped as after a power cut.  Under synchronous=NORMAL a power cut can
 * reorder unsynced writes and surface here as a (false) tamper error.
 * Returns 1 for tampered, 0 for torn, or a negative SQLite-ish failure. */
static int
wal_frame_is_tampered (CipherFile          *f,
                       sqlite3_int64        frame,
                       const unsigned char *hdr)
{
  unsigned char whdr[WAL_HDR];
  unsigned char *buf;
  uint32_t chain[2];
  sqlite3_int64 size = 0;
  int big_endian, commits, rc;

  if (real_read (f, whdr, WAL_HDR, 0) != SQLITE_OK)
    return 0;
  if (memcmp (hdr + 8, whdr + 16, 8) != 0)
    return 0;
  if (f->real->pMethods->xFileSize (f->real, &size) != SQLITE_OK)
    return 0;

  big_endian = get_be32 (whdr) & 1;
  chain[0] = get_be32 (hdr + 16);
  chain[1] = get_be32 (hdr + 20);
  commits = get_be32 (hdr + 4) != 0 ? 1 : 0;

  buf = sqlite3_malloc (WAL_FRAME);
  if (buf == NULL)
    return -1;
  for (sqlite3_int64 i = frame + 1;
       wal_frame_offset (i) + WAL_FRAME <= size && commits < 2;
       i++)
    {
      uint32_t sum[2];

      rc = real_read (f, buf, WAL_FRAME, wal_frame_offset (i));
      if (rc != SQLITE_OK || memcmp (buf + 8, whdr + 16, 8) != 0)
        break;
      if (open_page (f, buf + WAL_FRAME_HDR, buf + WAL_FRAME_HDR, get_be32 (buf)) != 0)
        break;
      sum[0] = chain[0];
      sum[1] = chain[1];
      wal_checksum (big_endian, buf, 8, sum);
      wal_checksum (big_endian, buf + WAL_FRAME_HDR, PAGE, sum);
      if (sum[0] != get_be32 (buf + 16) || sum[1] != get_be32 (buf + 20))
        break;
      chain[0] = sum[0];
      chain[1] = sum[1];
      if (get_be32 (buf + 4) != 0)
        commits++;
    }
  sodium_memzero (buf, WAL_FRAME);
  sqlite3_free (buf);
  return commits >= 2;
}

/* Reads the pgno of FRAME from its header on disk (an in-place overwrite
 * of a frame in the same transaction comes with no header write).  Only a
 * writer may trust the header it wrote last: it holds the WAL write lock
 * for its transaction.  A reader or checkpointer must read the header,
 * since another connection may have restarted the log and written that
 * frame anew since (the cached pgno would then open the page under the
 * wrong associated data and report tampering that is not there). */
static int
wal_frame_pgno (CipherFile    *f,
                sqlite3_int64  frame,
                int            writing,
                uint32_t      *pgno)
{
  unsigned char b[4];
  int rc;

  if (writing && frame == f->wal_hdr_frame)
    {
      *pgno = f->wal_hdr_pgno;
      return SQLITE_OK;
    }
  rc = real_read (f, b, 4, wal_frame_offset (frame));
  if (rc == SQLITE_OK)
    *pgno = get_be32 (b);
  return rc;
}

/* The chunk pointer that holds FRAME's slot, and the slot in it. */
static struct WalCacheChunk **
wal_cache_chunk (CipherFile    *f,
                 sqlite3_int64  frame,
                 int           *slot)
{
  *slot = (int) (frame % WAL_CACHE_CHUNK);
  return &f->wal_cache[(frame % WAL_CACHE_FRAMES) / WAL_CACHE_CHUNK];
}

/* Serves the page of FRAME into OUT from the cache when IMAGE (the page
 * as on disk) carries the nonce and tag this handle wrote with it. */
static int
wal_cache_lookup (CipherFile          *f,
                  sqlite3_int64        frame,
                  uint32_t             pgno,
                  const unsigned char *image,
                  unsigned char       *out)
{
  int i;
  const struct WalCacheChunk *chunk = *wal_cache_chunk (f, frame, &i);

  if (chunk == NULL || chunk->frame[i] != frame || chunk->pgno[i] != pgno
      || memcmp (chunk->page[i] + BODY_LEN, image + BODY_LEN, RESERVE) != 0)
    return 0;
  memcpy (out, chunk->page[i], BODY_LEN);
  memset (out + BODY_LEN, 0, RESERVE);
  STAT_ADD (wal_hits, 1);
  return 1;
}

/* Remembers the page PLAIN just written to FRAME as SEALED. */
static void
wal_cache_store (CipherFile          *f,
                 sqlite3_int64        frame,
                 uint32_t             pgno,
                 const unsigned char *plain,
                 const unsigned char *sealed)
{
  int i;
  struct WalCacheChunk **chunk = wal_cache_chunk (f, frame, &i);

  if (*chunk == NULL)
    {
      void *p = NULL;

      if (posix_memalign (&p, 64, sizeof (struct WalCacheChunk)) != 0)
        return;   /* no cache, no harm: reads decrypt */
      *chunk = p;
      memset ((*chunk)->frame, 0, sizeof (*chunk)->frame);
    }
  (*chunk)->frame[i] = frame;
  (*chunk)->pgno[i] = pgno;
  memcpy ((*chunk)->page[i], plain, BODY_LEN);
  memcpy ((*chunk)->page[i] + BODY_LEN, sealed + BODY_LEN, RESERVE);
}

static void
wal_cache_forget (CipherFile    *f,
                  sqlite3_int64  frame)
{
  int i;
  struct WalCacheChunk *chunk = *wal_cache_chunk (f, frame, &i);

  if (chunk != NULL && chunk->frame[i] == frame)
    chunk->frame[i] = 0;
}

/* Wipes and frees every chunk. */
static void
wal_cache_wipe (CipherFile *f)
{
  for (int i = 0; i < WAL_CACHE_CHUNKS; i++)
    if (f->wal_cache[i] != NULL)
      {
        sodium_memzero (f->wal_cache[i], sizeof (struct WalCacheChunk));
        free (f->wal_cache[i]);
        f->wal_cache[i] = NULL;
      }
}

static int
wal_read (CipherFile    *f,
          unsigned char *buf,
          int            amt,
          sqlite3_int64  off)
{
  sqlite3_int64 frame, pos;
  uint32_t pgno;
  int rc;

  if (off < WAL_HDR)
    {
      /* The WAL header: in clear (its checksums are SQLite's). */
      if (off + amt <= WAL_HDR)
        return real_read (f, buf, amt, off);
      return SQLITE_IOERR_READ;   /* SQLite never does this */
    }
  frame = (off - WAL_HDR) / WAL_FRAME + 1;
  pos = (off - WAL_HDR) % WAL_FRAME;

  if (pos == 0 && amt == WAL_FRAME)
    {
      /* walIndexRecover, walRewriteChecksums: header and page together. */
      rc = real_read (f, buf, amt, off);
      if (rc != SQLITE_OK)
        return rc;
      pgno = get_be32 (buf);
      if (open_page (f, buf + WAL_FRAME_HDR, buf + WAL_FRAME_HDR, pgno) == 0)
        {
          if (pgno == 1 && !page1_format_ok (buf + WAL_FRAME_HDR))
            {
              record_failure (f, 1, off + WAL_FRAME_HDR, SQLITE_IOERR_DATA);
              return SQLITE_IOERR_DATA;
            }
          return SQLITE_OK;
        }
      rc = wal_frame_is_tampered (f, frame, buf);
      if (rc != 0)
        {
          sodium_memzero (buf, amt);
          record_failure (f, pgno, off + WAL_FRAME_HDR, SQLITE_IOERR_DATA);
          return rc < 0 ? SQLITE_NOMEM : SQLITE_IOERR_DATA;
        }
      /* Torn: hand back the ciphertext as it lies on disk; SQLite's
       * checksum over it fails and the log ends before this frame. */
      sqlite3_log (SQLITE_NOTICE, "clinic-cipher: %s frame %lld does not authenticate; "
                   "treated as a torn tail", f->path, (long long) frame);
      return SQLITE_OK;
    }

  if (pos < WAL_FRAME_HDR)
    {
      if (pos + amt <= WAL_FRAME_HDR)
        return real_read (f, buf, amt, off);    /* a frame header, clear */
      return SQLITE_IOERR_READ;
    }

  /* Page part of a frame (reader, checkpoint): whole page in place, or a
   * slice from a decrypted copy. */
  if (pos - WAL_FRAME_HDR + amt > PAGE)
    return SQLITE_IOERR_READ;
  if (pos == WAL_FRAME_HDR && amt == PAGE)
    {
      const unsigned char *image;

      /* Header and page in one read: the header names the page (another
       * connection may have written this frame since), the page's tail
       * says whether it is the one this handle wrote. */
      if (f->wal_frame_buf == NULL)
        {
          f->wal_frame_buf = sqlite3_malloc (WAL_FRAME);
          if (f->wal_frame_buf == NULL)
            return SQLITE_NOMEM;
        }
      rc = real_read (f, f->wal_frame_buf, WAL_FRAME, wal_frame_offset (frame));
      if (rc != SQLITE_OK)
        return rc;
      pgno = get_be32 (f->wal_frame_buf);
      image = f->wal_frame_buf + WAL_FRAME_HDR;
      if (wal_cache_lookup (f, frame, pgno, image, buf))
        return SQLITE_OK;
      if (open_page (f, buf, image, pgno) != 0
          || (pgno == 1 && !page1_format_ok (buf)))
        {
          sodium_memzero (buf, PAGE);
          record_failure (f, pgno, off, SQLITE_IOERR_DATA);
          return SQLITE_IOERR_DATA;
        }
      return SQLITE_OK;
    }
  rc = wal_frame_pgno (f, frame, 0, &pgno);
  if (rc != SQLITE_OK)
    return rc;
  rc = real_read (f, f->scratch, PAGE, wal_frame_offset (frame) + WAL_FRAME_HDR);
  if (rc != SQLITE_OK)
    return rc;
  if (open_page (f, f->scratch, f->scratch, pgno) != 0)
    {
      sodium_memzero (f->scratch, PAGE);
      record_failure (f, pgno, off, SQLITE_IOERR_DATA);
      return SQLITE_IOERR_DATA;
    }
  memcpy (buf, f->scratch + (pos - WAL_FRAME_HDR), amt);
  sodium_memzero (f->scratch, PAGE);
  return SQLITE_OK;
}

static int
wal_write_page (CipherFile          *f,
                sqlite3_int64        frame,
                const unsigned char *page)
{
  uint32_t pgno;
  int rc;

  rc = wal_frame_pgno (f, frame, 1, &pgno);
  if (rc != SQLITE_OK)
    return rc;
  if (pgno == 0 || (pgno == 1 && !page1_format_ok (page)))
    {
      record_failure (f, pgno, wal_frame_offset (frame) + WAL_FRAME_HDR, SQLITE_IOERR_WRITE);
      return SQLITE_IOERR_WRITE;
    }
  /* SQLite's frame checksum covers the reserve, which we cannot store
   * (nonce and tag live there) and read back as zeros.  SQLite never
   * writes into the reserve, so it is zero; if that ever changed, fail
   * loudly here rather than have recovery drop the frame later. */
  for (int i = BODY_LEN; i < PAGE; i++)
    if (page[i] != 0)
      {
        sqlite3_log (SQLITE_IOERR_WRITE, "clinic-cipher: %s: page %u has non-zero reserved "
                     "bytes; refusing a WAL frame recovery could not verify", f->path, pgno);
        return SQLITE_IOERR_WRITE;
      }
  seal_page (f, f->scratch, page, pgno);
  rc = real_write (f, f->scratch, PAGE, wal_frame_offset (frame) + WAL_FRAME_HDR);
  if (rc == SQLITE_OK)
    wal_cache_store (f, frame, pgno, page, f->scratch);
  else
    wal_cache_forget (f, frame);   /* what is on disk now is unknown */
  return rc;
}

/* One piece of a page that walWriteToLog split at its sync point.  It only
 * splits a padding frame (a copy of the commit frame written after the
 * real one), so holding the first piece back until the page is whole does
 * not weaken durability: if we die in between, the padding frame is torn
 * and recovery ends the log right after the synced commit. */
static int
wal_write_piece (CipherFile          *f,
                 sqlite3_int64        frame,
                 int                  lo,
                 const unsigned char *buf,
                 int                  len)
{
  int rc;

  if (f->wal_split_buf == NULL)
    {
      f->wal_split_buf = sqlite3_malloc (PAGE);
      if (f->wal_split_buf == NULL)
        return SQLITE_NOMEM;
    }
  if (f->wal_split_frame != frame
      || (lo != f->wal_split_hi && lo + len != f->wal_split_lo))
    {
      f->wal_split_frame = frame;
      f->wal_split_lo = lo;
      f->wal_split_hi = lo;
    }
  memcpy (f->wal_split_buf + lo, buf, len);
  if (lo < f->wal_split_lo)
    f->wal_split_lo = lo;
  if (lo + len > f->wal_split_hi)
    f->wal_split_hi = lo + len;
  if (f->wal_split_lo > 0 || f->wal_split_hi < PAGE)
    return SQLITE_OK;

  f->wal_split_frame = -1;
  STAT_ADD (wal_splits, 1);
  rc = wal_write_page (f, frame, f->wal_split_buf);
  sodium_memzero (f->wal_split_buf, PAGE);
  return rc;
}

static int
wal_write (CipherFile          *f,
           const unsigned char *buf,
           int                  amt,
           sqlite3_int64        off)
{
  /* Walk the write region by region: WAL header, frame headers (clear),
   * page parts (sealed).  Usually this is one 24-byte header or one page. */
  while (amt > 0)
    {
      sqlite3_int64 frame, pos;
      int n, rc;

      if (off < WAL_HDR)
        {
          n = WAL_HDR - off < amt ? (int) (WAL_HDR - off) : amt;
          rc = real_write (f, buf, n, off);
        }
      else
        {
          frame = (off - WAL_HDR) / WAL_FRAME + 1;
          pos = (off - WAL_HDR) % WAL_FRAME;
          if (pos < WAL_FRAME_HDR)
            {
              n = WAL_FRAME_HDR - pos < amt ? (int) (WAL_FRAME_HDR - pos) : amt;
              if (pos == 0 && n >= 4)
                {
                  f->wal_hdr_frame = frame;
                  f->wal_hdr_pgno = get_be32 (buf);
                }
              else if (frame == f->wal_hdr_frame)
                {
                  f->wal_hdr_frame = -1;   /* partial header: read it from disk */
                }
              rc = real_write (f, buf, n, off);
            }
          else
            {
              int lo = (int) (pos - WAL_FRAME_HDR);

              n = PAGE - lo < amt ? PAGE - lo : amt;
              if (lo == 0 && n == PAGE)
                rc = wal_write_page (f, frame, buf);
              else
                rc = wal_write_piece (f, frame, lo, buf, n);
            }
        }
      if (rc != SQLITE_OK)
        return rc;
      buf += n;
      off += n;
      amt -= n;
    }
  return SQLITE_OK;
}

/* ------------------------------------------------------------------ */
/* Nameless files                                                      */

static int
temp_read (CipherFile    *f,
           unsigned char *buf,
           int            amt,
           sqlite3_int64  off)
{
  int rc = real_read (f, buf, amt, off);

  if (rc == SQLITE_OK)
    {
      temp_xor (f, buf, buf, amt, off);
    }
  else if (rc == SQLITE_IOERR_SHORT_READ)
    {
      /* Only the bytes that exist are ciphertext; the rest must stay the
       * zeros SQLite expects. */
      sqlite3_int64 size = 0;

      if (f->real->pMethods->xFileSize (f->real, &size) == SQLITE_OK && size > off)
        {
          sqlite3_int64 valid = size - off < amt ? size - off : amt;

          temp_xor (f, buf, buf, (size_t) valid, off);
        }
    }
  STAT_ADD (temp_bytes, amt);
  return rc;
}

static int
temp_write (CipherFile          *f,
            const unsigned char *buf,
            int                  amt,
            sqlite3_int64        off)
{
  int rc;

  if ((size_t) amt > f->temp_buf_len)
    {
      size_t len = amt < PAGE ? PAGE : (size_t) amt;
      unsigned char *nbuf = sqlite3_realloc64 (f->temp_buf, len);

      if (nbuf == NULL)
        return SQLITE_NOMEM;
      f->temp_buf = nbuf;
      f->temp_buf_len = len;
    }
  temp_xor (f, f->temp_buf, buf, amt, off);
  rc = real_write (f, f->temp_buf, amt, off);
  STAT_ADD (temp_bytes, amt);
  return rc;
}

/* ------------------------------------------------------------------ */
/* io methods                                                          */

static void
key_free (CipherKey *k)
{
  if (k == NULL)
    return;
  sodium_free (k->bytes);   /* zeroes before freeing */
  sqlite3_free (k->path);
  sqlite3_free (k);
}

/* Drops a file's reference; the last one wipes the key. */
static void
key_unref (CipherKey *k)
{
  int last;

  if (k == NULL)
    return;
  pthread_mutex_lock (&key_lock);
  last = --k->refs == 0;
  pthread_mutex_unlock (&key_lock);
  if (last)
    key_free (k);
}

static int
cipher_close (sqlite3_file *file)
{
  CipherFile *f = (CipherFile *) file;
  int rc = f->real->pMethods->xClose (f->real);

  key_unref (f->key);
  f->key = NULL;
  clinic_aead_free (f->aead);
  f->aead = NULL;
  if (f->wal_split_buf != NULL)
    {
      sodium_memzero (f->wal_split_buf, PAGE);
      sqlite3_free (f->wal_split_buf);
    }
  if (f->temp_buf != NULL)
    {
      sodium_memzero (f->temp_buf, f->temp_buf_len);
      sqlite3_free (f->temp_buf);
    }
  wal_cache_wipe (f);
  if (f->wal_frame_buf != NULL)
    {
      sodium_memzero (f->wal_frame_buf, WAL_FRAME);
      sqlite3_free (f->wal_frame_buf);
    }
  sqlite3_free (f->path);
  sodium_memzero (f->p1_plain, sizeof f->p1_plain);
  sodium_memzero (f->scratch, sizeof f->scratch);
  f->base.pMethods = NULL;
  return rc;
}

static int
cipher_read (sqlite3_file  *file,
             void          *buf,
             int            amt,
             sqlite3_int64  off)
{
  CipherFile *f = (CipherFile *) file;

  switch (f->role)
    {
    case CLINIC_VFS_ROLE_MAIN_DB:
      return main_read (f, buf, amt, off);
    case CLINIC_VFS_ROLE_JOURNAL:
      return journal_read (f, buf, amt, off);
    case CLINIC_VFS_ROLE_WAL:
      return wal_read (f, buf, amt, off);
    case CLINIC_VFS_ROLE_TEMP:
      return temp_read (f, buf, amt, off);
    case CLINIC_VFS_ROLE_NONE:
    default:
      return SQLITE_IOERR_READ;
    }
}

static int
cipher_write (sqlite3_file  *file,
              const void    *buf,
              int            amt,
              sqlite3_int64  off)
{
  CipherFile *f = (CipherFile *) file;

  switch (f->role)
    {
    case CLINIC_VFS_ROLE_MAIN_DB:
      return main_write (f, buf, amt, off);
    case CLINIC_VFS_ROLE_JOURNAL:
      return journal_write (f, buf, amt, off);
    case CLINIC_VFS_ROLE_WAL:
      return wal_write (f, buf, amt, off);
    case CLINIC_VFS_ROLE_TEMP:
      return temp_write (f, buf, amt, off);
    case CLINIC_VFS_ROLE_NONE:
    default:
      return SQLITE_IOERR_WRITE;
    }
}

static int
cipher_truncate (sqlite3_file  *file,
                 sqlite3_int64  size)
{
  CipherFile *f = (CipherFile *) file;

  f->p1_valid = 0;
  f->wal_hdr_frame = -1;
  f->wal_split_frame = -1;
  wal_cache_wipe (f);
  f->jrnl_pgno_end = f->jrnl_page_end = f->jrnl_read_end = -1;
  return f->real->pMethods->xTruncate (f->real, size);
}

static int
cipher_sync (sqlite3_file *file,
             int           flags)
{
  CipherFile *f = (CipherFile *) file;

  return f->real->pMethods->xSync (f->real, flags);
}

static int
cipher_file_size (sqlite3_file  *file,
                  sqlite3_int64 *size)
{
  CipherFile *f = (CipherFile *) file;

  return f->real->pMethods->xFileSize (f->real, size);
}

static int
cipher_lock (sqlite3_file *file,
             int           level)
{
  CipherFile *f = (CipherFile *) file;

  return f->real->pMethods->xLock (f->real, level);
}

static int
cipher_unlock (sqlite3_file *file,
               int           level)
{
  CipherFile *f = (CipherFile *) file;

  return f->real->pMethods->xUnlock (f->real, level);
}

static int
cipher_check_reserved_lock (sqlite3_file *file,
                            int          *out)
{
  CipherFile *f = (CipherFile *) file;

  return f->real->pMethods->xCheckReservedLock (f->real, out);
}

static int
cipher_file_control (sqlite3_file *file,
                     int           op,
                     void         *arg)
{
  CipherFile *f = (CipherFile *) file;
  int rc = f->real->pMethods->xFileControl (f->real, op, arg);

  if (op == SQLITE_FCNTL_VFSNAME && rc == SQLITE_OK)
    *(char **) arg = sqlite3_mprintf ("%s/%z", f->vfs->base.zName, *(char **) arg);
  return rc;
}

static int
cipher_sector_size (sqlite3_file *file)
{
  CipherFile *f = (CipherFile *) file;

  return f->real->pMethods->xSectorSize (f->real);
}

static int
cipher_device_characteristics (sqlite3_file *file)
{
  CipherFile *f = (CipherFile *) file;

  return f->real->pMethods->xDeviceCharacteristics (f->real);
}

static int
cipher_shm_map (sqlite3_file  *file,
                int            page,
                int            size,
                int            extend,
                void volatile **out)
{
  CipherFile *f = (CipherFile *) file;

  if (f->real->pMethods->iVersion < 2 || f->real->pMethods->xShmMap == NULL)
    return SQLITE_IOERR_SHMMAP;
  return f->real->pMethods->xShmMap (f->real, page, size, extend, out);
}

static int
cipher_shm_lock (sqlite3_file *file,
                 int           offset,
                 int           n,
                 int           flags)
{
  CipherFile *f = (CipherFile *) file;

  return f->real->pMethods->xShmLock (f->real, offset, n, flags);
}

static void
cipher_shm_barrier (sqlite3_file *file)
{
  CipherFile *f = (CipherFile *) file;

  f->real->pMethods->xShmBarrier (f->real);
}

static int
cipher_shm_unmap (sqlite3_file *file,
                  int           delete_flag)
{
  CipherFile *f = (CipherFile *) file;

  if (f->real->pMethods->iVersion < 2 || f->real->pMethods->xShmUnmap == NULL)
    return SQLITE_OK;
  return f->real->pMethods->xShmUnmap (f->real, delete_flag);
}

/* Version 2: no xFetch/xUnfetch, so the pager never maps the file and
 * never sees ciphertext through mmap (#119, #156), whatever mmap_size says. */
static const sqlite3_io_methods cipher_io_methods = {
  2,
  cipher_close,
  cipher_read,
  cipher_write,
  cipher_truncate,
  cipher_sync,
  cipher_file_size,
  cipher_lock,
  cipher_unlock,
  cipher_check_reserved_lock,
  cipher_file_control,
  cipher_sector_size,
  cipher_device_characteristics,
  cipher_shm_map,
  cipher_shm_lock,
  cipher_shm_barrier,
  cipher_shm_unmap,
  NULL,
  NULL,
};

/* ------------------------------------------------------------------ */
/* VFS methods                                                         */

/* Takes a reference to the key registered for PATH, or returns NULL. */
static CipherKey *
key_ref (const char *path)
{
  CipherKey *k;

  pthread_mutex_lock (&key_lock);
  for (k = key_list; k != NULL; k = k->next)
    if (strcmp (k->path, path) == 0)
      {
        k->refs++;
        break;
      }
  pthread_mutex_unlock (&key_lock);
  return k;
}

static int
cipher_open (sqlite3_vfs  *vfs,
             const char   *name,
             sqlite3_file *file,
             int           flags,
             int          *out_flags)
{
  CipherVfs *cv = (CipherVfs *) vfs;
  CipherFile *f = (CipherFile *) file;
  ClinicVfsRole role;
  const char *db_name = NULL;
  int rc;

  memset (f, 0, sizeof *f);
  f->real = (sqlite3_file *) ((char *) f + ROUND8 (sizeof (CipherFile)));
  f->vfs = cv;
  f->jrnl_pgno_end = f->jrnl_page_end = f->jrnl_read_end = -1;
  f->wal_hdr_frame = f->wal_split_frame = -1;

  /* By open flags, as SQLite states them; a main db without a name is
   * SQLite's own temp file and gets the ephemeral key. */
  if ((flags & SQLITE_OPEN_MAIN_DB) && name != NULL)
    {
      role = CLINIC_VFS_ROLE_MAIN_DB;
      db_name = name;
    }
  else if ((flags & (SQLITE_OPEN_MAIN_JOURNAL | SQLITE_OPEN_WAL)) && name != NULL)
    {
      role = (flags & SQLITE_OPEN_WAL) ? CLINIC_VFS_ROLE_WAL : CLINIC_VFS_ROLE_JOURNAL;
      db_name = sqlite3_filename_database (name);
    }
  else
    {
      role = CLINIC_VFS_ROLE_TEMP;
    }
  f->role = role;

  if (role == CLINIC_VFS_ROLE_TEMP)
    {
      randombytes_buf (f->temp_nonce, sizeof f->temp_nonce);
    }
  else
    {
      f->key = db_name != NULL ? key_ref (db_name) : NULL;
      if (f->key == NULL)
        {
          /* Never fall back to plaintext. */
          sqlite3_log (SQLITE_AUTH, "clinic-cipher: no key set for %s; refusing to open %s",
                       db_name ? db_name : "(unknown database)", name);
          return SQLITE_AUTH;
        }
      f->aead = clinic_aead_new ();
    }
  if (name != NULL)
    {
      f->path = sqlite3_mprintf ("%s", name);
      if (f->path == NULL)
        {
          rc = SQLITE_NOMEM;
          goto fail;
        }
    }

  rc = cv->real->xOpen (cv->real, name, f->real, flags, out_flags);
  if (rc != SQLITE_OK)
    {
      if (f->real->pMethods != NULL)
        f->real->pMethods->xClose (f->real);
      goto fail;
    }
  f->base.pMethods = &cipher_io_methods;
  return SQLITE_OK;

fail:
  clinic_aead_free (f->aead);
  f->aead = NULL;
  key_unref (f->key);
  sqlite3_free (f->path);
  f->path = NULL;
  f->key = NULL;
  return rc;
}

#define REAL(vfs) (((CipherVfs *) (vfs))->real)

static int
cipher_delete (sqlite3_vfs *vfs,
               const char  *name,
               int          sync_dir)
{
  return REAL (vfs)->xDelete (REAL (vfs), name, sync_dir);
}

static int
cipher_access (sqlite3_vfs *vfs,
               const char  *name,
               int          flags,
               int         *out)
{
  return REAL (vfs)->xAccess (REAL (vfs), name, flags, out);
}

static int
cipher_full_pathname (sqlite3_vfs *vfs,
                      const char  *name,
                      int          n,
                      char        *out)
{
  return REAL (vfs)->xFullPathname (REAL (vfs), name, n, out);
}

static void *
cipher_dl_open (sqlite3_vfs *vfs,
                const char  *name)
{
  return REAL (vfs)->xDlOpen (REAL (vfs), name);
}

static void
cipher_dl_error (sqlite3_vfs *vfs,
                 int          n,
                 char        *msg)
{
  REAL (vfs)->xDlError (REAL (vfs), n, msg);
}

static void (*cipher_dl_sym (sqlite3_vfs *vfs,
                             void        *handle,
                             const char  *sym)) (void)
{
  return REAL (vfs)->xDlSym (REAL (vfs), handle, sym);
}

static void
cipher_dl_close (sqlite3_vfs *vfs,
                 void        *handle)
{
  REAL (vfs)->xDlClose (REAL (vfs), handle);
}

static int
cipher_randomness (sqlite3_vfs *vfs,
                   int          n,
                   char        *out)
{
  return REAL (vfs)->xRandomness (REAL (vfs), n, out);
}

static int
cipher_sleep (sqlite3_vfs *vfs,
              int          usec)
{
  return REAL (vfs)->xSleep (REAL (vfs), usec);
}

static int
cipher_current_time (sqlite3_vfs *vfs,
                     double      *out)
{
  return REAL (vfs)->xCurrentTime (REAL (vfs), out);
}

static int
cipher_get_last_error (sqlite3_vfs *vfs,
                       int          n,
                       char        *out)
{
  if (REAL (vfs)->xGetLastError == NULL)
    return 0;
  return REAL (vfs)->xGetLastError (REAL (vfs), n, out);
}

static int
cipher_current_time_int64 (sqlite3_vfs   *vfs,
                           sqlite3_int64 *out)
{
  return REAL (vfs)->xCurrentTimeInt64 (REAL (vfs), out);
}

/* ------------------------------------------------------------------ */
/* Public API                                                          */

static void
init_once_cb (void)
{
  if (sodium_init () < 0)
    {
      init_rc = SQLITE_ERROR;
      return;
    }
  temp_key = sodium_malloc (crypto_stream_xchacha20_KEYBYTES);
  if (temp_key == NULL)
    {
      init_rc = SQLITE_NOMEM;
      return;
    }
  randombytes_buf (temp_key, crypto_stream_xchacha20_KEYBYTES);
  sodium_mprotect_readonly (temp_key);
  if (pthread_atfork (NULL, NULL, on_fork_child) != 0)
    {
      init_rc = SQLITE_ERROR;
      return;
    }
  init_rc = sqlite3_initialize ();
}

int
clinic_vfs_register_over (const char *name,
                          const char *base_vfs_name)
{
  sqlite3_vfs *existing, *real;
  CipherVfs *cv;
  int rc;

  if (name == NULL || strlen (name) >= sizeof cv->name)
    return SQLITE_MISUSE;
  pthread_once (&init_once, init_once_cb);
  if (init_rc != SQLITE_OK)
    return init_rc;

  pthread_mutex_lock (&vfs_lock);
  existing = sqlite3_vfs_find (name);
  if (existing != NULL)
    {
      rc = existing->xOpen == cipher_open ? SQLITE_OK : SQLITE_ERROR;
      goto out;
    }
  real = sqlite3_vfs_find (base_vfs_name);
  if (real == NULL)
    {
      rc = SQLITE_NOTFOUND;
      goto out;
    }

  cv = sqlite3_malloc (sizeof *cv);
  if (cv == NULL)
    {
      rc = SQLITE_NOMEM;
      goto out;
    }
  memset (cv, 0, sizeof *cv);
  snprintf (cv->name, sizeof cv->name, "%s", name);
  cv->real = real;
  cv->base.iVersion = real->iVersion >= 2 ? 2 : 1;
  cv->base.szOsFile = (int) ROUND8 (sizeof (CipherFile)) + real->szOsFile;
  cv->base.mxPathname = real->mxPathname;
  cv->base.zName = cv->name;
  cv->base.pAppData = cv;
  cv->base.xOpen = cipher_open;
  cv->base.xDelete = cipher_delete;
  cv->base.xAccess = cipher_access;
  cv->base.xFullPathname = cipher_full_pathname;
  cv->base.xDlOpen = cipher_dl_open;
  cv->base.xDlError = cipher_dl_error;
  cv->base.xDlSym = cipher_dl_sym;
  cv->base.xDlClose = cipher_dl_close;
  cv->base.xRandomness = cipher_randomness;
  cv->base.xSleep = cipher_sleep;
  cv->base.xCurrentTime = cipher_current_time;
  cv->base.xGetLastError = cipher_get_last_error;
  if (cv->base.iVersion >= 2)
    cv->base.xCurrentTimeInt64 = cipher_current_time_int64;

  rc = sqlite3_vfs_register (&cv->base, 0);
  if (rc != SQLITE_OK)
    {
      sqlite3_free (cv);
      goto out;
    }
  cv->next = vfs_list;
  vfs_list = cv;

out:
  pthread_mutex_unlock (&vfs_lock);
  return rc;
}

int
clinic_vfs_register (void)
{
  return clinic_vfs_register_over (CLINIC_VFS_NAME, NULL);
}

/* The same spelling SQLite passes to xOpen: the base VFS's full path name
 * (resolves relative paths and, on unix, symbolic links). */
static char *
normalise_path (const char *path)
{
  sqlite3_vfs *vfs = sqlite3_vfs_find ("unix");
  char *out;

  if (vfs == NULL)
    vfs = sqlite3_vfs_find (NULL);
  if (vfs == NULL)
    return NULL;
  out = sqlite3_malloc (vfs->mxPathname + 1);
  if (out == NULL)
    return NULL;
  if (vfs->xFullPathname (vfs, path, vfs->mxPathname + 1, out) != SQLITE_OK)
    {
      sqlite3_free (out);
      return NULL;
    }
  return out;
}

static void
key_unregister_locked (const char *path,
                       CipherKey **to_free)
{
  CipherKey **link;

  *to_free = NULL;
  for (link = &key_list; *link != NULL; link = &(*link)->next)
    {
      CipherKey *k = *link;

      if (strcmp (k->path, path) == 0)
        {
          *link = k->next;
          k->next = NULL;
          k->registered = 0;
          if (--k->refs == 0)
            *to_free = k;
          return;
        }
    }
}

int
clinic_vfs_set_key (const char          *db_path,
                    const unsigned char  key[32])
{
  CipherKey *k, *old;
  int rc;

  if (db_path == NULL || key == NULL)
    return SQLITE_MISUSE;
  pthread_once (&init_once, init_once_cb);
  if (init_rc != SQLITE_OK)
    return init_rc;

  k = sqlite3_malloc (sizeof *k);
  if (k == NULL)
    return SQLITE_NOMEM;
  memset (k, 0, sizeof *k);
  k->path = normalise_path (db_path);
  k->bytes = sodium_malloc (CLINIC_VFS_KEY_BYTES);
  if (k->path == NULL || k->bytes == NULL)
    {
      rc = k->path == NULL ? SQLITE_CANTOPEN : SQLITE_NOMEM;
      if (k->bytes != NULL)
        sodium_free (k->bytes);
      sqlite3_free (k->path);
      sqlite3_free (k);
      return rc;
    }
  memcpy (k->bytes, key, CLINIC_VFS_KEY_BYTES);
  k->refs = 1;
  k->registered = 1;

  pthread_mutex_lock (&key_lock);
  key_unregister_locked (k->path, &old);
  k->next = key_list;
  key_list = k;
  pthread_mutex_unlock (&key_lock);
  key_free (old);
  return SQLITE_OK;
}

/* Tries KEY on one page image at OFFSET of FP, as page PGNO in ROLE. */
static int
image_opens (ClinicAead          *aead,
             FILE                *fp,
             long long            offset,
             uint32_t             pgno,
             ClinicVfsRole        role,
             const unsigned char *key,
             unsigned char       *buf,
             unsigned char       *out)
{
  unsigned char ad[AD_LEN];

  if (fseeko (fp, (off_t) offset, SEEK_SET) != 0 || fread (buf, 1, PAGE, fp) != PAGE)
    return 0;

  make_ad (ad, pgno, role);
  return clinic_aead_open (aead, out, buf, BODY_LEN, buf + BODY_LEN + NONCE_LEN, ad, AD_LEN,
                           buf + BODY_LEN, key) == 0;
}

int
clinic_vfs_check_key (const char          *db_path,
                      const unsigned char  key[32])
{
  unsigned char *buf;
  unsigned char *out;
  char *wal_path;
  ClinicAead *aead;
  FILE *fp;
  int fits = 0;

  if (db_path == NULL || key == NULL)
    return SQLITE_MISUSE;

  fp = fopen (db_path, "rbe");
  if (fp == NULL)
    return SQLITE_NOTFOUND;

  buf = sodium_malloc (2 * PAGE);
  if (buf == NULL)
    {
      fclose (fp);
      return SQLITE_NOMEM;
    }
  out = buf + PAGE;
  aead = clinic_aead_new ();

  /* Any page that opens proves the key: page 1 may be torn by a power cut
   * (its good copy then waits in the WAL or the journal) or damaged, which
   * is for SQLite's first read to report as damage, not as a wrong key. */
  for (uint32_t pgno = 1; pgno <= 64 && !fits; pgno++)
    {
      if (fseeko (fp, (off_t) (pgno - 1) * PAGE, SEEK_SET) != 0)
        break;
      fits = image_opens (aead, fp, (long long) (pgno - 1) * PAGE, pgno, CLINIC_VFS_ROLE_MAIN_DB,
                          key, buf, out);
      if (!fits && feof (fp))
        break;
    }
  fclose (fp);

  if (!fits)
    {
      size_t len = strlen (db_path);

      wal_path = sqlite3_malloc64 (len + 5);
      if (wal_path != NULL)
        {
          memcpy (wal_path, db_path, len);
          memcpy (wal_path + len, "-wal", 5);
          fp = fopen (wal_path, "rbe");
          sqlite3_free (wal_path);
          if (fp != NULL)
            {
              unsigned char head[4];

              for (long long frame = 1; !fits; frame++)
                {
                  long long offset = WAL_HDR + (frame - 1) * (long long) WAL_FRAME;

                  if (fseeko (fp, (off_t) offset, SEEK_SET) != 0 || fread (head, 1, 4, fp) != 4)
                    break;
                  fits = image_opens (aead, fp, offset + WAL_FRAME_HDR, get_be32 (head),
                                      CLINIC_VFS_ROLE_WAL, key, buf, out);
                }
              fclose (fp);
            }
        }
    }

  clinic_aead_free (aead);
  sodium_free (buf);
  return fits ? SQLITE_OK : SQLITE_AUTH;
}

void
clinic_vfs_forget_key (const char *db_path)
{
  CipherKey *old = NULL;
  char *path;

  if (db_path == NULL)
    return;
  path = normalise_path (db_path);
  if (path == NULL)
    return;
  pthread_mutex_lock (&key_lock);
  key_unregister_locked (path, &old);
  pthread_mutex_unlock (&key_lock);
  key_free (old);
  sqlite3_free (path);
}

static int
is_cipher_vfs_name (const char *name,
                    size_t      len)
{
  int found = 0;

  pthread_mutex_lock (&vfs_lock);
  for (CipherVfs *cv = vfs_list; cv != NULL && !found; cv = cv->next)
    found = strlen (cv->name) == len && strncmp (cv->name, name, len) == 0;
  pthread_mutex_unlock (&vfs_lock);
  return found;
}

static int
exec_checked (sqlite3    *db,
              const char *sql)
{
  int rc = sqlite3_exec (db, sql, NULL, NULL, NULL);

  if (rc != SQLITE_OK)
    sqlite3_log (rc, "clinic-cipher: \"%s\" failed: %s", sql, sqlite3_errmsg (db));
  return rc;
}

int
clinic_vfs_prepare_connection (sqlite3 *db)
{
  sqlite3_vfs *vfs = NULL;
  sqlite3_stmt *stmt = NULL;
  char *vfs_name = NULL;
  int reserve = RESERVE;
  int rc;

  if (db == NULL)
    return SQLITE_MISUSE;

  /* #194: a race once put databases on the default, plaintext VFS.  Look
   * at what the connection really uses, by pointer and by name. */
  rc = sqlite3_file_control (db, "main", SQLITE_FCNTL_VFS_POINTER, &vfs);
  if (rc != SQLITE_OK || vfs == NULL || vfs->xOpen != cipher_open)
    {
      sqlite3_log (SQLITE_MISUSE, "clinic-cipher: database is not on a cipher VFS");
      return SQLITE_MISUSE;
    }
  rc = sqlite3_file_control (db, "main", SQLITE_FCNTL_VFSNAME, &vfs_name);
  if (rc != SQLITE_OK || vfs_name == NULL
      || !is_cipher_vfs_name (vfs_name, strcspn (vfs_name, "/")))
    {
      sqlite3_log (SQLITE_MISUSE, "clinic-cipher: VFS name \"%s\" is not a cipher VFS",
                   vfs_name ? vfs_name : "(none)");
      sqlite3_free (vfs_name);
      return SQLITE_MISUSE;
    }
  sqlite3_free (vfs_name);

  /* With SQLITE_TEMP_STORE=0 the pragma below is silently ignored. */
  rc = sqlite3_prepare_v2 (db, "PRAGMA compile_options", -1, &stmt, NULL);
  if (rc != SQLITE_OK)
    return rc;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *opt = (const char *) sqlite3_column_text (stmt, 0);

      if (opt != NULL && strcmp (opt, "TEMP_STORE=0") == 0)
        {
          sqlite3_finalize (stmt);
          sqlite3_log (SQLITE_MISUSE, "clinic-cipher: SQLite built with TEMP_STORE=0");
          return SQLITE_MISUSE;
        }
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    return rc;

  /* Handled by SQLite itself (never reaches the VFS); only takes effect
   * before page 1 exists, so before journal_mode or anything that writes. */
  sqlite3_file_control (db, "main", SQLITE_FCNTL_RESERVE_BYTES, &reserve);

  if ((rc = exec_checked (db, "PRAGMA page_size=4096")) != SQLITE_OK
      || (rc = exec_checked (db, "PRAGMA temp_store=MEMORY")) != SQLITE_OK
      || (rc = exec_checked (db, "PRAGMA mmap_size=0")) != SQLITE_OK
      || (rc = exec_checked (db, "PRAGMA secure_delete=ON")) != SQLITE_OK)
    return rc;
  return SQLITE_OK;
}

int
clinic_vfs_get_last_failure (ClinicVfsFailure *out)
{
  if (!has_last_failure)
    return 0;
  if (out != NULL)
    *out = last_failure;
  return 1;
}

void
clinic_vfs_clear_last_failure (void)
{
  has_last_failure = 0;
  memset (&last_failure, 0, sizeof last_failure);
}

void
clinic_vfs_get_stats (ClinicVfsStats *out)
{
  out->pages_sealed = __atomic_load_n (&stats.sealed, __ATOMIC_RELAXED);
  out->pages_opened = __atomic_load_n (&stats.opened, __ATOMIC_RELAXED);
  out->auth_failures = __atomic_load_n (&stats.failures, __ATOMIC_RELAXED);
  out->page1_cache_hits = __atomic_load_n (&stats.p1_hits, __ATOMIC_RELAXED);
  out->temp_bytes = __atomic_load_n (&stats.temp_bytes, __ATOMIC_RELAXED);
  out->wal_split_pages = __atomic_load_n (&stats.wal_splits, __ATOMIC_RELAXED);
  out->wal_cache_hits = __atomic_load_n (&stats.wal_hits, __ATOMIC_RELAXED);
}

void
clinic_vfs_reset_stats (void)
{
  __atomic_store_n (&stats.sealed, 0, __ATOMIC_RELAXED);
  __atomic_store_n (&stats.opened, 0, __ATOMIC_RELAXED);
  __atomic_store_n (&stats.failures, 0, __ATOMIC_RELAXED);
  __atomic_store_n (&stats.p1_hits, 0, __ATOMIC_RELAXED);
  __atomic_store_n (&stats.temp_bytes, 0, __ATOMIC_RELAXED);
  __atomic_store_n (&stats.wal_splits, 0, __ATOMIC_RELAXED);
  __atomic_store_n (&stats.wal_hits, 0, __ATOMIC_RELAXED);
}
