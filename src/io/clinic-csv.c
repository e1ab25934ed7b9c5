/* clinic-csv.c — reading CSV files as other programs write them */

#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "clinic-csv.h"

G_DEFINE_QUARK (clinic-csv-error-quark, clinic_csv_error)

void
clinic_csv_free (ClinicCsv *csv)
{
  if (csv == NULL)
    return;
  g_ptr_array_unref (csv->rows);
  g_array_unref (csv->lines);
  g_free (csv);
}

/* The separator of the header line: the most frequent of , ; and tab
 * outside quotes (a comma when there is none). */
static char
guess_separator (const char *p,
                 const char *end)
{
  guint comma = 0, semicolon = 0, tab = 0;
  gboolean quoted = FALSE;

  for (; p < end && (quoted || (*p != '\n' && *p != '\r')); p++)
    {
      if (*p == '"')
        quoted = !quoted;
      else if (!quoted)
        {
          comma += *p == ',';
          semicolon += *p == ';';
          tab += *p == '\t';
        }
    }
  if (tab > comma && tab > semicolon)
    return '\t';
  if (semicolon > comma)
    return ';';
  return ',';
}

static gboolean
row_is_blank (GPtrArray *fields)
{
  return fields->len == 1 && *(const char *) g_ptr_array_index (fields, 0) == '\0';
}

ClinicCsv *
clinic_csv_parse (const char  *data,
                  gsize        len,
                  GError     **error)
{
  g_autoptr(ClinicCsv) csv = g_new0 (ClinicCsv, 1);
  g_autoptr(GPtrArray) fields = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GString) field = g_string_new (NULL);
  const char *p = data, *end = data + len, *bad = NULL;
  guint line = 1, row_line = 1;

  csv->rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  csv->lines = g_array_new (FALSE, FALSE, sizeof (guint));

  if (!g_utf8_validate_len (data, len, &bad))
    {
      guint at = 1;

      for (const char *q = data; q < bad; q++)
        at += *q == '\n';
      g_set_error (error, CLINIC_CSV_ERROR, CLINIC_CSV_ERROR_ENCODING,
                   _("Line %u is not UTF-8 text; save the file as “CSV UTF-8”."), at);
      return NULL;
    }
  if (len >= 3 && memcmp (p, "\xEF\xBB\xBF", 3) == 0)
    p += 3;
  csv->separator = guess_separator (p, end);

  while (p < end || fields->len > 0 || field->len > 0)
    {
      gboolean end_of_row = FALSE;

      if (p < end && *p == '"' && field->len == 0)
        {
          /* A quoted field: up to the quote that is not doubled. */
          guint opened = line;

          for (p++;; p++)
            {
              if (p >= end)
                {
                  g_set_error (error, CLINIC_CSV_ERROR, CLINIC_CSV_ERROR_QUOTES,
                               _("The quote opened on line %u is never closed."), opened);
                  return NULL;
                }
              if (*p == '"')
                {
                  if (p + 1 < end && p[1] == '"')
                    p++;
                  else
                    break;
                }
              if (*p == '\n')
                line++;
              g_string_append_c (field, *p);
              if (field->len > CLINIC_CSV_MAX_FIELD_BYTES)
                goto too_large;
            }
          p++;
          if (p < end && *p != csv->separator && *p != '\n' && *p != '\r')
            {
              g_set_error (error, CLINIC_CSV_ERROR, CLINIC_CSV_ERROR_QUOTES,
                           _("Line %u has text after a closing quote."), line);
              return NULL;
            }
        }
      else
        {
          while (p < end && *p != csv->separator && *p != '\n' && *p != '\r')
            {
              g_string_append_c (field, *p++);
              if (field->len > CLINIC_CSV_MAX_FIELD_BYTES)
                goto too_large;
            }
        }

      g_ptr_array_add (fields, g_strndup (field->str, field->len));
      g_string_truncate (field, 0);
      if (fields->len > CLINIC_CSV_MAX_FIELDS)
        goto too_large;

      if (p >= end)
        end_of_row = TRUE;
      else if (*p == csv->separator)
        p++;
      else
        {
          if (*p == '\r' && p + 1 < end && p[1] == '\n')
            p++;
          p++;
          line++;
          end_of_row = TRUE;
        }

      if (end_of_row)
        {
          if (!row_is_blank (fields))
            {
              g_ptr_array_add (fields, NULL);
              /* Stealing leaves @fields empty, ready for the next row. */
              g_ptr_array_add (csv->rows, g_ptr_array_steal (fields, NULL));
              g_array_append_val (csv->lines, row_line);
            }
          else
            g_ptr_array_set_size (fields, 0);
          row_line = line;
          if (p >= end)
            break;
        }
    }

  if (csv->rows->len == 0)
    {
      g_set_error_literal (error, CLINIC_CSV_ERROR, CLINIC_CSV_ERROR_EMPTY,
                           _("The file is empty: it needs a header line naming the columns."));
      return NULL;
    }
  return g_steal_pointer (&csv);

too_large:
  g_set_error (error, CLINIC_CSV_ERROR, CLINIC_CSV_ERROR_TOO_LARGE,
               _("Line %u has more than %d columns or a field longer than %d bytes."),
               line, CLINIC_CSV_MAX_FIELDS, CLINIC_CSV_MAX_FIELD_BYTES);
  return NULL;
}
