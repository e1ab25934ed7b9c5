/* clinic-audit.h — the tamper-evident audit trail
 *
 * One row per event, numbered without gaps, each row's hash =
 * BLAKE2b-256 keyed with the audit sub-key of the database key, over the
 * previous row's hash and a length-prefixed encoding of every field. The
 * entry is written in the caller's BEGIN IMMEDIATE transaction, so the
 * change and its entry commit or vanish together and two writers cannot
 * fork the chain. See SECURITY.md, "Audit trail".
 *
 * Action names are dotted: "sign-in", "sign-in.failed", "sign-out", "lock",
 * "chart.opened", "settings.changed", "user.created", "backup.made", ...
 */

#pragma once

#include <gio/gio.h>

#include "clinic-db.h"
#include "clinic-session.h"

G_BEGIN_DECLS

#define CLINIC_AUDIT_ERROR (clinic_audit_error_quark ())

typedef enum
{
  CLINIC_AUDIT_ERROR_BROKEN,       /* the chain does not verify */
  CLINIC_AUDIT_ERROR_NOT_IN_WRITE, /* append outside a write transaction */
} ClinicAuditError;

GQuark clinic_audit_error_quark (void);

/* Who did it, for entries written before or without a session (sign-in
 * failures counted before the database was open, the system itself). */
typedef struct
{
  gint64      user_id;     /* 0: none */
  const char *user_name;   /* never NULL; "" is not allowed either */
} ClinicAuditActor;

typedef struct
{
  gint64  seq;
  gint64  time;            /* Unix seconds, UTC */
  gint64  user_id;
  char   *user_name;
  char   *action;
  char   *object_type;     /* nullable */
  char   *object_id;       /* nullable */
  gint64  patient_id;      /* 0: none */
  char   *old_value;       /* nullable */
  char   *new_value;       /* nullable */
} ClinicAuditEntry;

void clinic_audit_entry_free (ClinicAuditEntry *entry);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ClinicAuditEntry, clinic_audit_entry_free)

typedef struct
{
  gint64  seq;
  guint8  head[32];
} ClinicAuditAnchor;

/* Filters for the Audit view and `clinicctl audit list`; NULL/0 fields
 * match everything. Paged from SQL, newest first. */
typedef struct
{
  const char *user_name;
  gint64      patient_id;
  const char *action;      /* exact, or a prefix ending in '.' */
  gint64      from_time;   /* inclusive */
  gint64      to_time;     /* exclusive */
  /* Only entries numbered below this (0: no bound). Page by it — the last
   * seq of the page before — rather than by offset: entries written
   * meanwhile then cannot shift a page and show rows twice. */
  gint64      before_seq;
} ClinicAuditFilter;

/* Needs CLINIC_PERMISSION_AUDIT (staff only). (transfer full) A GPtrArray
 * of ClinicAuditEntry, newest first; @limit 0 means no limit. */
GPtrArray *clinic_audit_list          (ClinicSession          *session,
                                       const ClinicAuditFilter *filter,
                                       guint                   offset,
                                       guint                   limit,
                                       GError                **error);

/*
 * clinic_audit_verify:
 *
 * Needs CLINIC_PERMISSION_AUDIT (staff only). Walks the whole chain in one
 * pass, in constant memory whatever its length; checks the numbers
 * have no gaps, every hash, and that the chain passes through every anchor
 * known (the database's own, the anchor file beside it, and @extra, e.g.
 * read from a backup or typed from a printed day-close). FALSE with
 * CLINIC_AUDIT_ERROR_BROKEN naming the first bad entry or the anchor it
 * contradicts; @report (nullable, out) gets lines for a person to read
 * ("Entries checked: N", "Anchors checked: M", then the verdict). An
 * anchor file that fails its MAC is itself a problem reported.
 */
gboolean   clinic_audit_verify        (ClinicSession          *session,
                                       const ClinicAuditAnchor *extra,
                                       char                  **report,
                                       GError                **error);

/*
 * clinic_audit_export_csv:
 *
 * Needs CLINIC_PERMISSION_AUDIT and CLINIC_PERMISSION_EXPORT: the trail
 * names patients and holds old and new values. Writes the entries that
 * match @filter to @stream as RFC 4180 CSV (a header line, times in @zone),
 * paged from SQL, and audits "audit.exported" with the number of entries.
 * The caller closes @stream.
 */
gboolean   clinic_audit_export_csv    (ClinicSession          *session,
                                       const ClinicAuditFilter *filter,
                                       GTimeZone              *zone,
                                       GOutputStream          *stream,
                                       GError                **error);

G_END_DECLS
