/* clinic-audit.c — the tamper-evident audit trail
 *
 * hash(n) = BLAKE2b-256, keyed with the audit sub-key of the database key,
 * over hash(n - 1) (32 zero bytes for entry 1) followed by the canonical
 * encoding of row n. The canonical encoding takes every column in a fixed
 * order (seq, time, user_id, user_name, action, object_type, object_id,
 * patient_id, old_value, new_value), each as
 *
 *   0x00                                   NULL
 *   0x01  int64, 8 bytes big-endian        INTEGER
 *   0x02  length, 8 bytes big-endian, the bytes   TEXT
 *   0x03  length, 8 bytes big-endian, the bytes   BLOB (never written here)
 *   0x04  IEEE double, 8 bytes big-endian  REAL (never written here)
 *
 * so NULL and "" (and NULL and 0) differ, and no two rows share an
 * encoding. The verifier hashes the row as SQLite stores it, with its
 * storage classes, so changing a value's type is a change too.
 *
 * An anchor is a (seq, head) pair handed out of the database: a row in
 * audit_anchors, the anchor file beside the database, a backup, a printed
 * day-close. A chain rebuilt by someone holding the key (see SECURITY.md,
 * the honest limit) still has to pass through every anchor, and a tail cut
 * off, or an older copy of the database put back, falls short of the
 * newest one.
 *
 * The anchor file is text so a person can read it:
 *
 *   Clinic audit anchor 1
 *   seq 52
 *   head <64 hex digits>
 *   time <Unix seconds>
 *   kind backup
 *   mac <64 hex digits>
 *
 * where mac = BLAKE2b-256 keyed with the audit sub-key over
 * "clinic-audit-anchor" NUL and every byte of the file before "mac ".
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <sodium.h>
#include <string.h>

#include "clinic-audit-private.h"
#include "clinic-file.h"

#define HASH_SIZE 32

#define AUDIT_KEY_DATA "clinic-audit-key"
#define AUDIT_SUBKEY_ID 1

#define ANCHOR_FILE_SUFFIX  ".anchor"
#define ANCHOR_FILE_MAGIC   "Clinic audit anchor 1\n"
#define ANCHOR_MAC_LABEL    "clinic-audit-anchor"
#define ANCHOR_FILE_MAX     4096

G_DEFINE_QUARK (clinic-audit-error-quark, clinic_audit_error)

void
clinic_audit_entry_free (ClinicAuditEntry *entry)
{
  if (entry == NULL)
    return;

  g_free (entry->user_name);
  g_free (entry->action);
  g_free (entry->object_type);
  g_free (entry->object_id);
  g_free (entry->old_value);
  g_free (entry->new_value);
  g_free (entry);
}

/* --- The audit sub-key ------------------------------------------------- */

/* The chain's MAC key is a random key kept inside the encrypted database
 * (table secrets, made by the migration), not a sub-key of the database
 * key: a rekey must not break the chain, nor the anchors handed out before
 * it. Read once per ClinicDb and kept on it in sodium memory. */
static const ClinicKey *
get_audit_key (ClinicDb *db)
{
  ClinicKey *key = g_object_get_data (G_OBJECT (db), AUDIT_KEY_DATA);
  sqlite3_stmt *stmt;

  if (key != NULL)
    return key;

  stmt = clinic_db_prepare (db, "SELECT value FROM secrets WHERE name = 'audit'", NULL);
  if (stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW &&
      sqlite3_column_bytes (stmt, 0) == CLINIC_KEY_SIZE)
    key = clinic_key_new_from_data (sqlite3_column_blob (stmt, 0));
  if (stmt != NULL)
    sqlite3_reset (stmt);

  if (key == NULL)
    {
      /* Only a database changed behind Clinic's back lacks it; the chain
       * then fails to verify, which is what it should do. */
      g_warning ("The audit key of %s is missing", clinic_db_get_path (db));
      key = clinic_key_derive (clinic_db_get_key (db), AUDIT_SUBKEY_ID, CLINIC_KEY_CONTEXT_AUDIT);
    }

  g_object_set_data_full (G_OBJECT (db), AUDIT_KEY_DATA, key, (GDestroyNotify) clinic_key_free);
  return key;
}

/* --- Canonical encoding and hashing ------------------------------------ */

enum
{
  FIELD_SEQ,
  FIELD_TIME,
  FIELD_USER_ID,
  FIELD_USER_NAME,
  FIELD_ACTION,
  FIELD_OBJECT_TYPE,
  FIELD_OBJECT_ID,
  FIELD_PATIENT_ID,
  FIELD_OLD_VALUE,
  FIELD_NEW_VALUE,
  N_FIELDS
};

/* One column's value, as bound or as read back; SQLite's storage class. */
typedef struct
{
  int           type;   /* SQLITE_NULL, SQLITE_INTEGER, SQLITE_TEXT, ... */
  gint64        i;
  double        d;
  const guint8 *bytes;
  gsize         len;
} Field;

static void
put_u64 (guint8  out[8],
         guint64 value)
{
  for (int i = 7; i >= 0; i--)
    {
      out[i] = value & 0xff;
      value >>= 8;
    }
}

static void
hash_field (crypto_generichash_state *state,
            const Field              *field)
{
  guint8 buf[9];

  switch (field->type)
    {
    case SQLITE_INTEGER:
      buf[0] = 0x01;
      put_u64 (buf + 1, (guint64) field->i);
      crypto_generichash_update (state, buf, 9);
      break;

    case SQLITE_TEXT:
    case SQLITE_BLOB:
      buf[0] = field->type == SQLITE_TEXT ? 0x02 : 0x03;
      put_u64 (buf + 1, field->len);
      crypto_generichash_update (state, buf, 9);
      if (field->len > 0)
        crypto_generichash_update (state, field->bytes, field->len);
      break;

    case SQLITE_FLOAT:
      {
        guint64 bits;

        G_STATIC_ASSERT (sizeof bits == sizeof field->d);
        memcpy (&bits, &field->d, sizeof bits);
        buf[0] = 0x04;
        put_u64 (buf + 1, bits);
        crypto_generichash_update (state, buf, 9);
      }
      break;

    default:
      buf[0] = 0x00;
      crypto_generichash_update (state, buf, 1);
      break;
    }
}

static void
hash_entry (const ClinicKey *key,
            const guint8     prev[HASH_SIZE],
            const Field      fields[N_FIELDS],
            guint8           out[HASH_SIZE])
{
  crypto_generichash_state state;

  crypto_generichash_init (&state, clinic_key_get_data (key), CLINIC_KEY_SIZE, HASH_SIZE);
  crypto_generichash_update (&state, prev, HASH_SIZE);
  for (guint i = 0; i < N_FIELDS; i++)
    hash_field (&state, &fields[i]);
  crypto_generichash_final (&state, out, HASH_SIZE);
  sodium_memzero (&state, sizeof state);
}

static Field
field_int (gint64 value)
{
  return (Field) { .type = SQLITE_INTEGER, .i = value };
}

/* 0 means "none" in the API and is stored as NULL. */
static Field
field_id (gint64 value)
{
  return value != 0 ? field_int (value) : (Field) { .type = SQLITE_NULL };
}

static Field
field_text (const char *value)
{
  if (value == NULL)
    return (Field) { .type = SQLITE_NULL };

  return (Field) { .type = SQLITE_TEXT, .bytes = (const guint8 *) value, .len = strlen (value) };
}

static Field
field_from_column (sqlite3_stmt *stmt,
                   int           column)
{
  Field field = { .type = sqlite3_column_type (stmt, column) };

  switch (field.type)
    {
    case SQLITE_INTEGER:
      field.i = sqlite3_column_int64 (stmt, column);
      break;
    case SQLITE_FLOAT:
      field.d = sqlite3_column_double (stmt, column);
      break;
    case SQLITE_TEXT:
      field.bytes = sqlite3_column_text (stmt, column);
      field.len = (gsize) sqlite3_column_bytes (stmt, column);
      break;
    case SQLITE_BLOB:
      field.bytes = sqlite3_column_blob (stmt, column);
      field.len = (gsize) sqlite3_column_bytes (stmt, column);
      break;
    default:
      break;
    }

  return field;
}

static void
bind_field (sqlite3_stmt *stmt,
            int           index,
            const Field  *field)
{
  switch (field->type)
    {
    case SQLITE_INTEGER:
      sqlite3_bind_int64 (stmt, index, field->i);
      break;
    case SQLITE_TEXT:
      sqlite3_bind_text (stmt, index, (const char *) field->bytes, (int) field->len, SQLITE_STATIC);
      break;
    default:
      sqlite3_bind_null (stmt, index);
      break;
    }
}

/* --- Appending --------------------------------------------------------- */

static gboolean
set_db_error (ClinicDb  *db,
              int        rc,
              GError   **error)
{
  clinic_db_set_error (db, rc, error);
  return FALSE;
}

/* The newest entry's seq and hash; 0 and zeros when there is none. */
static gboolean
read_head (ClinicDb  *db,
           gint64    *seq,
           guint8     head[HASH_SIZE],
           GError   **error)
{
  sqlite3_stmt *stmt;
  int rc;

  stmt = clinic_db_prepare (db, "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1", error);
  if (stmt == NULL)
    return FALSE;

  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    {
      *seq = 0;
      memset (head, 0, HASH_SIZE);
    }
  else if (rc == SQLITE_ROW)
    {
      *seq = sqlite3_column_int64 (stmt, 0);
      if (sqlite3_column_bytes (stmt, 1) != HASH_SIZE)
        {
          sqlite3_reset (stmt);
          g_set_error (error, CLINIC_AUDIT_ERROR, CLINIC_AUDIT_ERROR_BROKEN,
                       _("Entry %lld of the audit trail has no valid hash."),
                       (long long) *seq);
          return FALSE;
        }
      memcpy (head, sqlite3_column_blob (stmt, 1), HASH_SIZE);
    }
  else
    {
      sqlite3_reset (stmt);
      return set_db_error (db, rc, error);
    }

  sqlite3_reset (stmt);
  return TRUE;
}

gboolean
clinic_audit_append (ClinicDb               *db,
                     ClinicSession          *session,
                     const ClinicAuditActor *actor,
                     gint64                  time,
                     const char             *action,
                     const char             *object_type,
                     const char             *object_id,
                     gint64                  patient_id,
                     const char             *old_value,
                     const char             *new_value,
                     GError                **error)
{
  sqlite3 *handle;
  sqlite3_stmt *stmt;
  Field fields[N_FIELDS];
  guint8 prev[HASH_SIZE];
  guint8 hash[HASH_SIZE];
  const char *user_name;
  gint64 user_id;
  gint64 last_seq;
  int rc;

  g_return_val_if_fail (CLINIC_IS_DB (db), FALSE);
  g_return_val_if_fail (session == NULL || CLINIC_IS_SESSION (session), FALSE);
  g_return_val_if_fail (session != NULL || actor != NULL, FALSE);
  g_return_val_if_fail (action != NULL && action[0] != '\0', FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  handle = clinic_db_get_handle (db);

  /* BEGIN IMMEDIATE holds the one write lock from its start, so the seq
   * read below is still the last when the row goes in. A deferred
   * transaction that has not written yet does not hold it. */
  if (sqlite3_txn_state (handle, "main") != SQLITE_TXN_WRITE)
    {
      g_set_error_literal (error, CLINIC_AUDIT_ERROR, CLINIC_AUDIT_ERROR_NOT_IN_WRITE,
                           _("An audit entry can only be written together with the change it records."));
      return FALSE;
    }

  /* An explicit actor wins: it is how the system, or a sign-in failure
   * counted before the database was open, is named. */
  if (actor != NULL)
    {
      user_id = actor->user_id;
      user_name = actor->user_name;
    }
  else
    {
      user_id = clinic_session_get_user_id (session);
      user_name = clinic_session_get_user_name (session);
    }

  if (user_name == NULL || user_name[0] == '\0')
    {
      g_set_error_literal (error, CLINIC_ERROR, CLINIC_ERROR_INVALID,
                           _("An audit entry needs the name of who acted."));
      return FALSE;
    }

  if (time == 0)
    time = g_get_real_time () / G_USEC_PER_SEC;

  if (!read_head (db, &last_seq, prev, error))
    return FALSE;

  fields[FIELD_SEQ] = field_int (last_seq + 1);
  fields[FIELD_TIME] = field_int (time);
  fields[FIELD_USER_ID] = field_id (user_id);
  fields[FIELD_USER_NAME] = field_text (user_name);
  fields[FIELD_ACTION] = field_text (action);
  fields[FIELD_OBJECT_TYPE] = field_text (object_type);
  fields[FIELD_OBJECT_ID] = field_text (object_id);
  fields[FIELD_PATIENT_ID] = field_id (patient_id);
  fields[FIELD_OLD_VALUE] = field_text (old_value);
  fields[FIELD_NEW_VALUE] = field_text (new_value);

  hash_entry (get_audit_key (db), prev, fields, hash);

  stmt = clinic_db_prepare (db,
                            "INSERT INTO audit_log (seq, time, user_id, user_name, action, "
                            "object_type, object_id, patient_id, old_value, new_value, hash) "
                            "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                            error);
  if (stmt == NULL)
    return FALSE;

  for (guint i = 0; i < N_FIELDS; i++)
    bind_field (stmt, (int) i + 1, &fields[i]);
  sqlite3_bind_blob (stmt, N_FIELDS + 1, hash, HASH_SIZE, SQLITE_STATIC);

  rc = sqlite3_step (stmt);
  sqlite3_reset (stmt);
  /* The bindings point at the caller's strings and our stack. */
  sqlite3_clear_bindings (stmt);
  if (rc != SQLITE_DONE)
    return set_db_error (db, rc, error);

  return TRUE;
}

gboolean
clinic_audit_record (ClinicDb               *db,
                     ClinicSession          *session,
                     const ClinicAuditActor *actor,
                     const char             *action,
                     const char             *object_type,
                     const char             *object_id,
                     gint64                  patient_id,
                     const char             *old_value,
                     const char             *new_value,
                     GError                **error)
{
  g_return_val_if_fail (CLINIC_IS_DB (db), FALSE);

  if (!clinic_db_begin_write (db, error))
    return FALSE;

  if (!clinic_audit_append (db, session, actor, 0, action, object_type, object_id,
                            patient_id, old_value, new_value, error))
    {
      clinic_db_rollback (db);
      return FALSE;
    }

  return clinic_db_commit (db, error);
}

gboolean
clinic_audit_get_head (ClinicDb  *db,
                       gint64    *seq,
                       guint8     head[32],
                       GError   **error)
{
  gint64 local_seq;
  guint8 local_head[HASH_SIZE];

  g_return_val_if_fail (CLINIC_IS_DB (db), FALSE);

  if (!read_head (db, &local_seq, local_head, error))
    return FALSE;

  if (seq != NULL)
    *seq = local_seq;
  if (head != NULL)
    memcpy (head, local_head, HASH_SIZE);

  return TRUE;
}

/* --- Anchors ----------------------------------------------------------- */

char *
clinic_audit_get_anchor_file (ClinicDb *db)
{
  g_return_val_if_fail (CLINIC_IS_DB (db), NULL);

  return g_strconcat (clinic_db_get_path (db), ANCHOR_FILE_SUFFIX, NULL);
}

static void
anchor_file_mac (const ClinicKey *key,
                 const char      *text,
                 gsize            len,
                 guint8           mac[HASH_SIZE])
{
  crypto_generichash_state state;

  crypto_generichash_init (&state, clinic_key_get_data (key), CLINIC_KEY_SIZE, HASH_SIZE);
  crypto_generichash_update (&state, (const guint8 *) ANCHOR_MAC_LABEL, sizeof ANCHOR_MAC_LABEL);
  crypto_generichash_update (&state, (const guint8 *) text, len);
  crypto_generichash_final (&state, mac, HASH_SIZE);
  sodium_memzero (&state, sizeof state);
}

static char *
hex_encode (const guint8 *data,
            gsize         len)
{
  char *hex = g_malloc (len * 2 + 1);

  sodium_bin2hex (hex, len * 2 + 1, data, len);
  return hex;
}

static gboolean
write_anchor_file (ClinicDb    *db,
                   gint64       seq,
                   const guint8 head[HASH_SIZE],
                   gint64       time,
                   const char  *kind,
                   GError     **error)
{
  g_autofree char *path = clinic_audit_get_anchor_file (db);
  g_autofree char *head_hex = hex_encode (head, HASH_SIZE);
  g_autofree char *mac_hex = NULL;
  g_autoptr(GString) text = g_string_new (ANCHOR_FILE_MAGIC);
  g_autoptr(GError) local_error = NULL;
  guint8 mac[HASH_SIZE];

  g_string_append_printf (text, "seq %" G_GINT64_FORMAT "\n", seq);
  g_string_append_printf (text, "head %s\n", head_hex);
  g_string_append_printf (text, "time %" G_GINT64_FORMAT "\n", time);
  g_string_append_printf (text, "kind %s\n", kind);
  anchor_file_mac (get_audit_key (db), text->str, text->len, mac);
  mac_hex = hex_encode (mac, HASH_SIZE);
  g_string_append_printf (text, "mac %s\n", mac_hex);

  if (!clinic_file_replace (path, text->str, text->len, &local_error))
    {
      g_set_error (error, CLINIC_DB_ERROR, CLINIC_DB_ERROR_FAILED,
                   _("The audit anchor “%s” could not be written: %s."), path, local_error->message);
      return FALSE;
    }

  return TRUE;
}

gboolean
clinic_audit_make_anchor (ClinicDb           *db,
                          const char         *kind,
                          ClinicAuditAnchor  *anchor,
                          GError            **error)
{
  sqlite3_stmt *stmt;
  gint64 seq;
  guint8 head[HASH_SIZE];
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  int rc;

  g_return_val_if_fail (CLINIC_IS_DB (db), FALSE);
  g_return_val_if_fail (g_strcmp0 (kind, "backup") == 0 || g_strcmp0 (kind, "day-close") == 0, FALSE);
  /* The anchor must describe committed entries only: one the caller might
   * still roll back would later read as a cut-off tail. */
  g_return_val_if_fail (sqlite3_get_autocommit (clinic_db_get_handle (db)), FALSE);

  /* The write lock keeps other writers out until the file is in place, so
   * the file always holds the newest anchor, and the head it names is
   * already committed whatever happens to this transaction. */
  if (!clinic_db_begin_write (db, error))
    return FALSE;

  if (!read_head (db, &seq, head, error) ||
      !write_anchor_file (db, seq, head, now, kind, error))
    goto fail;

  stmt = clinic_db_prepare (db,
                            "INSERT INTO audit_anchors (seq, head, time, kind) VALUES (?1, ?2, ?3, ?4)",
                            error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_int64 (stmt, 1, seq);
  sqlite3_bind_blob (stmt, 2, head, HASH_SIZE, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 3, now);
  sqlite3_bind_text (stmt, 4, kind, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
  if (rc != SQLITE_DONE)
    {
      set_db_error (db, rc, error);
      goto fail;
    }

  if (!clinic_db_commit (db, error))
    return FALSE;

  if (anchor != NULL)
    {
      anchor->seq = seq;
      memcpy (anchor->head, head, HASH_SIZE);
    }

  return TRUE;

fail:
  clinic_db_rollback (db);
  return FALSE;
}

/* --- Verifying --------------------------------------------------------- */

typedef enum
{
  ANCHOR_IN_DATABASE,
  ANCHOR_IN_FILE,
  ANCHOR_GIVEN,
} AnchorSource;

typedef struct
{
  gint64       seq;
  guint8       head[HASH_SIZE];
  gint64       time;
  char        *kind;   /* "backup", "day-close"; NULL for ANCHOR_GIVEN */
  AnchorSource source;
} Anchor;

static void
anchor_free (gpointer data)
{
  Anchor *anchor = data;

  g_free (anchor->kind);
  g_free (anchor);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Anchor, anchor_free)

static char *
format_day (gint64 time)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_local (time);

  return dt != NULL ? g_date_time_format (dt, "%Y-%m-%d") : g_strdup ("?");
}

/* "a backup on 2026-11-20": who saw the chain, for the sentences below. */
static char *
describe_anchor (const Anchor *anchor)
{
  g_autofree char *day = NULL;
  g_autofree char *what = NULL;

  if (anchor->source == ANCHOR_GIVEN)
    return g_strdup (_("the anchor given"));

  day = format_day (anchor->time);
  if (g_strcmp0 (anchor->kind, "day-close") == 0)
    what = g_strdup_printf (_("the day-close on %s"), day);
  else
    what = g_strdup_printf (_("a backup on %s"), day);

  if (anchor->source == ANCHOR_IN_FILE)
    /* Translators: %s is "a backup on 2026-11-20" or "the day-close on …" */
    return g_strdup_printf (_("the anchor file beside the database (%s)"), what);

  return g_steal_pointer (&what);
}

static gboolean
parse_int64_line (const char  *line,
                  const char  *name,
                  gint64      *value)
{
  gsize n = strlen (name);
  guint64 v;

  if (strncmp (line, name, n) != 0 || line[n] != ' ' ||
      !g_ascii_string_to_unsigned (line + n + 1, 10, 0, G_MAXINT64, &v, NULL))
    return FALSE;

  *value = (gint64) v;
  return TRUE;
}

static gboolean
parse_hex_line (const char  *line,
                const char  *name,
                guint8       out[HASH_SIZE])
{
  gsize n = strlen (name);
  const char *hex = line + n + 1;
  gsize bin_len = 0;

  if (strncmp (line, name, n) != 0 || line[n] != ' ' || strlen (hex) != HASH_SIZE * 2)
    return FALSE;
  for (const char *p = hex; *p != '\0'; p++)
    if (!g_ascii_isxdigit (*p) || g_ascii_isupper (*p))
      return FALSE;

  return sodium_hex2bin (out, HASH_SIZE, hex, HASH_SIZE * 2, NULL, &bin_len, NULL) == 0 &&
         bin_len == HASH_SIZE;
}

/* Reads the anchor file; *@anchor stays NULL when there is none. A file
 * that is there but does not parse or does not carry our MAC is a problem
 * to report: someone wrote it who does not hold the key. */
static gboolean
read_anchor_file (ClinicDb  *db,
                  Anchor   **anchor,
                  GError   **error)
{
  g_autofree char *path = clinic_audit_get_anchor_file (db);
  g_autofree char *contents = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(Anchor) parsed = NULL;
  g_auto(GStrv) lines = NULL;
  const char *mac_line;
  guint8 mac[HASH_SIZE];
  guint8 expected[HASH_SIZE];
  gsize len = 0;
  gsize signed_len;

  *anchor = NULL;

  if (!g_file_get_contents (path, &contents, &len, &local_error))
    {
      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return TRUE;
      g_set_error (error, CLINIC_AUDIT_ERROR, CLINIC_AUDIT_ERROR_BROKEN,
                   _("The audit anchor file “%s” could not be read: %s."), path,
                   local_error->message);
      return FALSE;
    }

  parsed = g_new0 (Anchor, 1);
  parsed->source = ANCHOR_IN_FILE;

  mac_line = len <= ANCHOR_FILE_MAX && strlen (contents) == len
             ? g_strrstr (contents, "\nmac ") : NULL;
  if (mac_line == NULL || !g_str_has_prefix (contents, ANCHOR_FILE_MAGIC))
    goto damaged;
  signed_len = (gsize) (mac_line - contents) + 1;
  lines = g_strsplit (contents, "\n", -1);

  /* magic, seq, head, time, kind, mac, and the empty rest after the last
   * newline */
  if (g_strv_length (lines) != 7 || lines[6][0] != '\0' ||
      !parse_int64_line (lines[1], "seq", &parsed->seq) ||
      !parse_hex_line (lines[2], "head", parsed->head) ||
      !parse_int64_line (lines[3], "time", &parsed->time) ||
      !g_str_has_prefix (lines[4], "kind ") ||
      !parse_hex_line (lines[5], "mac", mac))
    goto damaged;

  parsed->kind = g_strdup (lines[4] + strlen ("kind "));
  if (g_strcmp0 (parsed->kind, "backup") != 0 && g_strcmp0 (parsed->kind, "day-close") != 0)
    goto damaged;

  anchor_file_mac (get_audit_key (db), contents, signed_len, expected);
  if (sodium_memcmp (mac, expected, HASH_SIZE) != 0)
    goto damaged;

  *anchor = g_steal_pointer (&parsed);
  return TRUE;

damaged:
  g_set_error (error, CLINIC_AUDIT_ERROR, CLINIC_AUDIT_ERROR_BROKEN,
               _("The audit anchor file “%s” fails its check: it was changed or damaged, or written by someone without the database key."),
               path);
  return FALSE;
}

static gboolean
read_database_anchors (ClinicDb   *db,
                       GPtrArray  *anchors,
                       GError    **error)
{
  sqlite3_stmt *stmt;
  int rc;

  stmt = clinic_db_prepare (db, "SELECT seq, head, time, kind FROM audit_anchors ORDER BY seq", error);
  if (stmt == NULL)
    return FALSE;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      Anchor *anchor = g_new0 (Anchor, 1);

      anchor->source = ANCHOR_IN_DATABASE;
      anchor->seq = sqlite3_column_int64 (stmt, 0);
      /* The CHECK constraint keeps it 32 bytes; a copy of fewer would
       * only ever fail to match. */
      if (sqlite3_column_bytes (stmt, 1) == HASH_SIZE)
        memcpy (anchor->head, sqlite3_column_blob (stmt, 1), HASH_SIZE);
      anchor->time = sqlite3_column_int64 (stmt, 2);
      anchor->kind = g_strdup ((const char *) sqlite3_column_text (stmt, 3));
      g_ptr_array_add (anchors, anchor);
    }
  sqlite3_reset (stmt);

  if (rc != SQLITE_DONE)
    return set_db_error (db, rc, error);

  return TRUE;
}

static gint
compare_anchor_seq (gconstpointer a,
                    gconstpointer b)
{
  const Anchor *x = *(const Anchor * const *) a;
  const Anchor *y = *(const Anchor * const *) b;

  return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static gboolean
broken (GError     **error,
        char       **problem,
        const char  *format,
        ...) G_GNUC_PRINTF (3, 4);

static gboolean
broken (GError     **error,
        char       **problem,
        const char  *format,
        ...)
{
  va_list args;

  va_start (args, format);
  *problem = g_strdup_vprintf (format, args);
  va_end (args);

  g_set_error_literal (error, CLINIC_AUDIT_ERROR, CLINIC_AUDIT_ERROR_BROKEN, *problem);
  return FALSE;
}

/* Checks the anchors at @seq (sorted, from *@next on) against @hash. */
static gboolean
check_anchors_at (GPtrArray     *anchors,
                  guint         *next,
                  gint64         seq,
                  const guint8   hash[HASH_SIZE],
                  guint         *n_checked,
                  char         **problem,
                  GError       **error)
{
  for (; *next < anchors->len; (*next)++)
    {
      const Anchor *anchor = g_ptr_array_index (anchors, *next);

      if (anchor->seq > seq)
        break;

      if (anchor->seq < seq || sodium_memcmp (anchor->head, hash, HASH_SIZE) != 0)
        {
          g_autofree char *who = describe_anchor (anchor);

          if (anchor->seq < 0)
            return broken (error, problem,
                           _("%s names entry %lld, which cannot exist."),
                           who, (long long) anchor->seq);
          if (anchor->seq == 0)
            return broken (error, problem,
                           _("The trail does not match %s, taken when it was empty: the trail was rewritten."),
                           who);
          return broken (error, problem,
                         _("Entry %lld does not match what %s saw: the trail was rewritten from there or before."),
                         (long long) anchor->seq, who);
        }

      (*n_checked)++;
    }

  return TRUE;
}

static gboolean
walk_chain (ClinicDb   *db,
            GPtrArray  *anchors,
            gint64     *n_entries,
            guint      *n_anchors,
            char      **problem,
            GError    **error)
{
  const ClinicKey *key = get_audit_key (db);
  sqlite3_stmt *stmt;
  guint8 prev[HASH_SIZE] = { 0 };
  guint8 hash[HASH_SIZE];
  gint64 last = 0;
  guint next_anchor = 0;
  gboolean ok = TRUE;
  int rc;

  g_ptr_array_sort (anchors, compare_anchor_seq);

  /* Anchors taken while the trail was empty point at the zeros. */
  if (!check_anchors_at (anchors, &next_anchor, 0, prev, n_anchors, problem, error))
    return FALSE;

  stmt = clinic_db_prepare (db,
                            "SELECT seq, time, user_id, user_name, action, object_type, object_id, "
                            "patient_id, old_value, new_value, hash FROM audit_log ORDER BY seq",
                            error);
  if (stmt == NULL)
    return FALSE;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      Field fields[N_FIELDS];
      gint64 seq = sqlite3_column_int64 (stmt, 0);

      if (seq != last + 1)
        {
          if (last == 0 && seq > 1)
            ok = broken (error, problem,
                         _("Entry 1 is missing: the trail starts at entry %lld."),
                         (long long) seq);
          else if (seq > last + 1)
            ok = broken (error, problem,
                         _("Entry %lld is missing: the trail goes from entry %lld to entry %lld."),
                         (long long) (last + 1), (long long) last, (long long) seq);
          else
            ok = broken (error, problem,
                         _("Entry %lld is out of place: the trail must start at entry 1."),
                         (long long) seq);
          break;
        }

      for (guint i = 0; i < N_FIELDS; i++)
        fields[i] = field_from_column (stmt, (int) i);
      hash_entry (key, prev, fields, hash);

      if (sqlite3_column_type (stmt, N_FIELDS) != SQLITE_BLOB ||
          sqlite3_column_bytes (stmt, N_FIELDS) != HASH_SIZE ||
          sodium_memcmp (sqlite3_column_blob (stmt, N_FIELDS), hash, HASH_SIZE) != 0)
        {
          ok = broken (error, problem,
                       _("Entry %lld: its hash does not match (it was changed, or an entry before it was removed)."),
                       (long long) seq);
          break;
        }

      (*n_entries)++;
      last = seq;
      memcpy (prev, hash, HASH_SIZE);

      if (!check_anchors_at (anchors, &next_anchor, seq, hash, n_anchors, problem, error))
        {
          ok = FALSE;
          break;
        }
    }
  sqlite3_reset (stmt);

  if (!ok)
    return FALSE;
  if (rc != SQLITE_DONE && rc != SQLITE_ROW)
    return set_db_error (db, rc, error);

  /* What is left was seen reaching further than the trail now goes. */
  if (next_anchor < anchors->len)
    {
      const Anchor *anchor = g_ptr_array_index (anchors, next_anchor);
      g_autofree char *who = describe_anchor (anchor);

      return broken (error, problem,
                     _("The trail ends at entry %lld, but %s saw it reach entry %lld: entries were removed or an older copy of the database was put back."),
                     (long long) last, who, (long long) anchor->seq);
    }

  return TRUE;
}

gboolean
clinic_audit_verify_db (ClinicDb                 *db,
                        const ClinicAuditAnchor  *extra,
                        char                    **report,
                        GError                  **error)
{
  g_autoptr(GPtrArray) anchors = g_ptr_array_new_with_free_func (anchor_free);
  g_autoptr(GError) local_error = NULL;
  g_autofree char *problem = NULL;
  Anchor *file_anchor = NULL;
  gboolean own_transaction;
  gint64 n_entries = 0;
  guint n_anchors = 0;
  gboolean ok;

  g_return_val_if_fail (CLINIC_IS_DB (db), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  /* The file first, then the snapshot: whatever head the file names was
   * committed before it was written, so the snapshot holds it. */
  ok = read_anchor_file (db, &file_anchor, &local_error);
  if (!ok)
    problem = g_strdup (local_error->message);
  else if (file_anchor != NULL)
    g_ptr_array_add (anchors, file_anchor);

  if (ok && extra != NULL)
    {
      Anchor *anchor = g_new0 (Anchor, 1);

      anchor->source = ANCHOR_GIVEN;
      anchor->seq = extra->seq;
      memcpy (anchor->head, extra->head, HASH_SIZE);
      g_ptr_array_add (anchors, anchor);
    }

  own_transaction = sqlite3_get_autocommit (clinic_db_get_handle (db));
  if (ok && own_transaction && !clinic_db_exec (db, "BEGIN", error))
    return FALSE;

  if (ok && !read_database_anchors (db, anchors, error))
    {
      if (own_transaction)
        clinic_db_rollback (db);
      return FALSE;
    }

  if (ok && !walk_chain (db, anchors, &n_entries, &n_anchors, &problem, &local_error))
    {
      ok = FALSE;
      if (problem == NULL)
        {
          /* Not a broken link: the database could not be read. */
          if (own_transaction)
            clinic_db_rollback (db);
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
    }

  if (own_transaction)
    clinic_db_rollback (db);  /* read only: nothing to keep */

  if (report != NULL)
    {
      g_autoptr(GString) text = g_string_new (NULL);

      g_string_append_printf (text, _("Entries checked: %lld"), (long long) n_entries);
      g_string_append_c (text, '\n');
      g_string_append_printf (text, _("Anchors checked: %u"), n_anchors);
      g_string_append_c (text, '\n');
      if (ok)
        g_string_append (text, _("The audit trail is whole."));
      else
        g_string_append_printf (text, _("Problem: %s"), problem);
      g_string_append_c (text, '\n');
      *report = g_string_free (g_steal_pointer (&text), FALSE);
    }

  if (!ok)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  return TRUE;
}

gboolean
clinic_audit_verify (ClinicSession            *session,
                     const ClinicAuditAnchor  *extra,
                     char                    **report,
                     GError                  **error)
{
  g_return_val_if_fail (CLINIC_IS_SESSION (session), FALSE);

  if (!clinic_session_require_staff (session, CLINIC_PERMISSION_AUDIT, error))
    return FALSE;

  return clinic_audit_verify_db (clinic_session_get_db (session), extra, report, error);
}

/* --- Listing ----------------------------------------------------------- */

static char *
dup_column_text (sqlite3_stmt *stmt,
                 int           column)
{
  if (sqlite3_column_type (stmt, column) == SQLITE_NULL)
    return NULL;

  return g_strndup ((const char *) sqlite3_column_text (stmt, column),
                    (gsize) sqlite3_column_bytes (stmt, column));
}

static void
bind_named_text (sqlite3_stmt *stmt,
                 const char   *name,
                 const char   *value)
{
  int index = sqlite3_bind_parameter_index (stmt, name);

  if (index > 0)
    sqlite3_bind_text (stmt, index, value, -1, SQLITE_TRANSIENT);
}

static void
bind_named_int (sqlite3_stmt *stmt,
                const char   *name,
                gint64        value)
{
  int index = sqlite3_bind_parameter_index (stmt, name);

  if (index > 0)
    sqlite3_bind_int64 (stmt, index, value);
}

GPtrArray *
clinic_audit_list (ClinicSession            *session,
                   const ClinicAuditFilter  *filter,
                   guint                     offset,
                   guint                     limit,
                   GError                  **error)
{
  static const ClinicAuditFilter everything = { NULL, 0, NULL, 0, 0, 0 };
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GString) sql = NULL;
  g_autofree char *prefix_end = NULL;
  gboolean prefix;
  ClinicDb *db;
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (CLINIC_IS_SESSION (session), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!clinic_session_require_staff (session, CLINIC_PERMISSION_AUDIT, error))
    return NULL;

  if (filter == NULL)
    filter = &everything;
  db = clinic_session_get_db (session);

  /* One text per combination of filters, so the statement cache holds at
   * most 2^6 of them; each uses the index its filter names (user, patient,
   * action) or the time index, and seq for the order. */
  sql = g_string_new ("SELECT seq, time, user_id, user_name, action, object_type, object_id, "
                      "patient_id, old_value, new_value FROM audit_log WHERE 1");
  if (filter->user_name != NULL)
    g_string_append (sql, " AND user_name = :user");
  if (filter->patient_id != 0)
    g_string_append (sql, " AND patient_id = :patient");

  prefix = filter->action != NULL && g_str_has_suffix (filter->action, ".");
  if (prefix)
    {
      /* A range rather than LIKE: exact bytes, no wildcards, and the
       * (action, seq) index serves it. '.' + 1 is '/'. */
      prefix_end = g_strdup (filter->action);
      prefix_end[strlen (prefix_end) - 1] = '/';
      g_string_append (sql, " AND action >= :action AND action < :action_end");
    }
  else if (filter->action != NULL)
    g_string_append (sql, " AND action = :action");

  if (filter->from_time != 0)
    g_string_append (sql, " AND time >= :from");
  if (filter->to_time != 0)
    g_string_append (sql, " AND time < :to");
  if (filter->before_seq != 0)
    g_string_append (sql, " AND seq < :before");
  g_string_append (sql, " ORDER BY seq DESC LIMIT :limit OFFSET :offset");

  stmt = clinic_db_prepare (db, sql->str, error);
  if (stmt == NULL)
    return NULL;

  bind_named_text (stmt, ":user", filter->user_name);
  bind_named_int (stmt, ":patient", filter->patient_id);
  bind_named_text (stmt, ":action", filter->action);
  bind_named_text (stmt, ":action_end", prefix_end);
  bind_named_int (stmt, ":from", filter->from_time);
  bind_named_int (stmt, ":to", filter->to_time);
  bind_named_int (stmt, ":before", filter->before_seq);
  bind_named_int (stmt, ":limit", limit != 0 ? (gint64) limit : -1);
  bind_named_int (stmt, ":offset", offset);

  entries = g_ptr_array_new_with_free_func ((GDestroyNotify) clinic_audit_entry_free);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      ClinicAuditEntry *entry = g_new0 (ClinicAuditEntry, 1);

      entry->seq = sqlite3_column_int64 (stmt, 0);
      entry->time = sqlite3_column_int64 (stmt, 1);
      entry->user_id = sqlite3_column_int64 (stmt, 2);  /* NULL reads as 0 */
      entry->user_name = dup_column_text (stmt, 3);
      entry->action = dup_column_text (stmt, 4);
      entry->object_type = dup_column_text (stmt, 5);
      entry->object_id = dup_column_text (stmt, 6);
      entry->patient_id = sqlite3_column_int64 (stmt, 7);
      entry->old_value = dup_column_text (stmt, 8);
      entry->new_value = dup_column_text (stmt, 9);
      g_ptr_array_add (entries, entry);
    }
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);

  if (rc != SQLITE_DONE)
    {
      set_db_error (db, rc, error);
      return NULL;
    }

  return g_steal_pointer (&entries);
}

/* --- Export ------------------------------------------------------------ */

/* RFC 4180: a field with a comma, quote or line break is quoted, and its
 * quotes doubled. */
static void
csv_field (GString    *line,
           const char *field,
           gboolean    last)
{
  if (field == NULL)
    field = "";

  if (strpbrk (field, ",\"\r\n") != NULL)
    {
      g_string_append_c (line, '"');
      for (const char *p = field; *p != '\0'; p++)
        {
          if (*p == '"')
            g_string_append_c (line, '"');
          g_string_append_c (line, *p);
        }
      g_string_append_c (line, '"');
    }
  else
    g_string_append (line, field);

  g_string_append (line, last ? "\r\n" : ",");
}

gboolean
clinic_audit_export_csv (ClinicSession            *session,
                         const ClinicAuditFilter  *filter,
                         GTimeZone                *zone,
                         GOutputStream            *stream,
                         GError                  **error)
{
  g_autoptr(GString) text = g_string_new (NULL);
  g_autofree char *count = NULL;
  ClinicAuditFilter page = { NULL, };
  gint64 written = 0;

  /* The trail names patients and holds old and new values: exporting it
   * is an export of patient data. */
  if (!clinic_session_require_staff (session, CLINIC_PERMISSION_AUDIT, error) ||
      !clinic_session_require_staff (session, CLINIC_PERMISSION_EXPORT, error))
    return FALSE;

  g_string_append (text, "seq,time,user_id,user,action,object_type,object_id,patient_id,old_value,new_value\r\n");
  if (filter != NULL)
    page = *filter;

  /* A window at a time, so a long trail never sits in memory whole; each
   * window starts below the last one's oldest entry, so entries written
   * meanwhile (this export's own audit entry among them) shift nothing. */
  for (;;)
    {
      g_autoptr(GPtrArray) entries = clinic_audit_list (session, &page, 0, 1000, error);

      if (entries == NULL)
        return FALSE;

      for (guint i = 0; i < entries->len; i++)
        {
          const ClinicAuditEntry *entry = g_ptr_array_index (entries, i);
          g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (entry->time);
          g_autoptr(GDateTime) local = g_date_time_to_timezone (utc, zone);
          g_autofree char *time = g_date_time_format (local, "%Y-%m-%d %H:%M:%S");
          g_autofree char *seq = g_strdup_printf ("%" G_GINT64_FORMAT, entry->seq);
          g_autofree char *user_id = entry->user_id != 0
                                     ? g_strdup_printf ("%" G_GINT64_FORMAT, entry->user_id) : NULL;
          g_autofree char *patient_id = entry->patient_id != 0
                                        ? g_strdup_printf ("%" G_GINT64_FORMAT, entry->patient_id) : NULL;

          csv_field (text, seq, FALSE);
          csv_field (text, time, FALSE);
          csv_field (text, user_id, FALSE);
          csv_field (text, entry->user_name, FALSE);
          csv_field (text, entry->action, FALSE);
          csv_field (text, entry->object_type, FALSE);
          csv_field (text, entry->object_id, FALSE);
          csv_field (text, patient_id, FALSE);
          csv_field (text, entry->old_value, FALSE);
          csv_field (text, entry->new_value, TRUE);
        }
      written += entries->len;

      if (!g_output_stream_write_all (stream, text->str, text->len, NULL, NULL, error))
        return FALSE;
      g_string_truncate (text, 0);

      if (entries->len < 1000)
        break;
      page.before_seq = ((ClinicAuditEntry *) g_ptr_array_index (entries, entries->len - 1))->seq;
    }

  count = g_strdup_printf ("%" G_GINT64_FORMAT, written);
  return clinic_audit_record (clinic_session_get_db (session), session, NULL, "audit.exported",
                              "audit", NULL, 0, NULL, count, error);
}
