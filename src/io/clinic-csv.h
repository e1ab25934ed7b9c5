/* clinic-csv.h — reading CSV files as other programs write them
 *
 * RFC 4180 with what spreadsheets add: a UTF-8 byte order mark, CRLF or
 * LF line ends, quoted fields holding separators, quotes ("") and line
 * breaks, and the separator guessed from the header line (comma,
 * semicolon as German spreadsheets write, or tab). The text must be
 * UTF-8. Errors name the line.
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define CLINIC_CSV_ERROR (clinic_csv_error_quark ())
GQuark clinic_csv_error_quark (void);

typedef enum
{
  CLINIC_CSV_ERROR_ENCODING,    /* not UTF-8 */
  CLINIC_CSV_ERROR_QUOTES,      /* a quote opened and never closed, or text after a closing quote */
  CLINIC_CSV_ERROR_EMPTY,       /* no header line */
  CLINIC_CSV_ERROR_TOO_LARGE,   /* beyond the limits below */
} ClinicCsvError;

#define CLINIC_CSV_MAX_FIELDS      256
#define CLINIC_CSV_MAX_FIELD_BYTES 65536

typedef struct
{
  GPtrArray *rows;      /* of GStrv; rows[0] is the header */
  GArray    *lines;     /* guint: the line each row starts on (1-based) */
  char       separator;
} ClinicCsv;

void       clinic_csv_free   (ClinicCsv   *csv);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ClinicCsv, clinic_csv_free)

/* Parses @len bytes of @data. Blank lines are skipped. */
ClinicCsv *clinic_csv_parse  (const char  *data,
                              gsize        len,
                              GError     **error);

G_END_DECLS
