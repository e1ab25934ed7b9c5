/* clinic-vfs.h - SQLite VFS that encrypts every page Clinic writes
 *
 * Plain C, no GLib: any program that links the core (the app, clinicctl,
 * tests, benchmarks) can use it.
 *
 * Page format: 4096-byte pages, the last 40 bytes of each reserved for a
 * 24-byte random nonce and a 16-byte Poly1305 tag
 * (XChaCha20-Poly1305, bytes 0..4055 encrypted, page number and file role
 * as associated data).  See docs/SECURITY.md, "Page format (cipher VFS)".
 */

#pragma once

#include <stddef.h>
#include <sqlite3.h>

#ifdef __cplusplus
extern "C" {
#endif

#define CLINIC_VFS_NAME      "clinic-cipher"
#define CLINIC_VFS_PAGE_SIZE 4096
#define CLINIC_VFS_RESERVE   40
#define CLINIC_VFS_KEY_BYTES 32

/* What a file is to the cipher VFS; also the role byte in the AEAD's
 * associated data for the first three. */
typedef enum
{
  CLINIC_VFS_ROLE_NONE    = 0,
  CLINIC_VFS_ROLE_MAIN_DB = 1,
  CLINIC_VFS_ROLE_JOURNAL = 2,
  CLINIC_VFS_ROLE_WAL     = 3,
  CLINIC_VFS_ROLE_TEMP    = 4,  /* temp db, sub-journal, sorter, ...: ephemeral key */
} ClinicVfsRole;

/* Which file and page failed authentication (or a page-1 format check). */
typedef struct
{
  char          path[1024];  /* file name as SQLite opened it, may be cut */
  ClinicVfsRole role;
  unsigned int  pgno;        /* database page number; 0 if unknown */
  long long     offset;      /* byte offset of the page image in that file */
  int           errcode;     /* what the VFS returned, SQLITE_IOERR_DATA mostly */
} ClinicVfsFailure;

/* Counters for the benchmark; process-wide, updated with relaxed atomics. */
typedef struct
{
  unsigned long long pages_sealed;    /* database, journal and WAL page images encrypted */
  unsigned long long pages_opened;    /* ... decrypted and authenticated */
  unsigned long long auth_failures;
  unsigned long long page1_cache_hits;
  unsigned long long temp_bytes;      /* bytes through the ephemeral stream cipher */
  unsigned long long wal_split_pages; /* WAL pages SQLite wrote in two pieces */
  unsigned long long wal_cache_hits;  /* WAL pages read back as this handle wrote them */
} ClinicVfsStats;

/* Registers "clinic-cipher" over the default VFS (never as the default).
 * Idempotent and thread-safe, but call it before threads open databases
 * anyway.  Initialises libsodium.  Returns SQLITE_OK or an SQLite error. */
int  clinic_vfs_register (void);

/* For tests: registers a cipher VFS called NAME over the VFS BASE_VFS_NAME
 * (NULL: the default VFS), e.g. over the fault-injection VFS.  Idempotent
 * for the same NAME; SQLITE_ERROR if NAME is taken by another VFS,
 * SQLITE_NOTFOUND if BASE_VFS_NAME is unknown. */
int  clinic_vfs_register_over (const char *name,
                               const char *base_vfs_name);

/* Sets the 32-byte key of the database at DB_PATH (which need not exist
 * yet); it also covers its -journal and -wal.  The key is copied into
 * sodium_malloc memory; a later call replaces it.  Files already open keep
 * the key they were opened with.  Thread-safe.  Returns SQLITE_OK,
 * SQLITE_NOMEM or SQLITE_MISUSE. */
int  clinic_vfs_set_key (const char *db_path,
                         const unsigned char key[32]);

/* Whether KEY opens the database at DB_PATH, checked on the files alone
 * before SQLite sees them: one of its first 64 pages, or a frame of its
 * WAL, must authenticate (a torn or damaged page 1 is SQLite's to report
 * as damage).  Call it before opening an existing
 * database: SQLite's WAL recovery cannot tell a wrong key from a torn log
 * and would discard every frame, so a wrong key must never reach it.
 * Returns SQLITE_OK, SQLITE_AUTH (the key does not fit), SQLITE_NOTFOUND
 * (no such file) or SQLITE_NOMEM. */
int  clinic_vfs_check_key (const char *db_path,
                           const unsigned char key[32]);

/* Removes and wipes the key of DB_PATH.  Memory still used by open files
 * is wiped when the last of them closes.  Thread-safe; unknown paths are
 * ignored. */
void clinic_vfs_forget_key (const char *db_path);

/* Everything a fresh connection on the cipher VFS needs, called right after
 * sqlite3_open_v2() and before anything else touches the database: checks
 * the "main" database really is on a cipher VFS (SQLITE_FCNTL_VFSNAME and
 * SQLITE_FCNTL_VFS_POINTER), that this SQLite honours temp_store, asks for
 * 40 reserved bytes per page, page_size 4096, temp_store=MEMORY,
 * mmap_size=0 and secure_delete=ON.  Returns SQLITE_OK or an SQLite error
 * (also logged through sqlite3_log). */
int  clinic_vfs_prepare_connection (sqlite3 *db);

/* After a call failed with SQLITE_IOERR_DATA (or a page-1 format error):
 * fills OUT with the failing file, role and page of the calling thread's
 * most recent failure and returns 1, or returns 0 if there was none since
 * the last clinic_vfs_clear_last_failure().  SQLite runs the VFS in the
 * thread that steps the statement, so this is the caller's failure. */
int  clinic_vfs_get_last_failure (ClinicVfsFailure *out);
void clinic_vfs_clear_last_failure (void);

void clinic_vfs_get_stats (ClinicVfsStats *out);
void clinic_vfs_reset_stats (void);

#ifdef __cplusplus
}
#endif
