/* fuzz-ics.c — libFuzzer target for the iCalendar reader and the
 * recurrence rules
 *
 * With clang:
 *   CC=clang meson setup build-fuzz -Db_sanitize=address,undefined -Dfuzzing=true
 *   ninja -C build-fuzz tests/fuzz-ics
 *   mkdir -p build-fuzz/ics-corpus
 *   build-fuzz/tests/fuzz-ics -max_total_time=600 build-fuzz/ics-corpus tests/fuzz/ics-corpus
 * Built without libFuzzer (gcc), the same file has a main() that runs
 * each file named on the command line once: the corpus check in the
 * test suite, and a way to replay a crash a fuzzer found.
 */

#include "config.h"

#include <stdint.h>
#include <string.h>

#include "clinic-ics.h"
#include "clinic-recurrence.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  static GTimeZone *tz = NULL;
  g_autoptr(GPtrArray) events = NULL;

  if (tz == NULL)
    tz = g_time_zone_new_identifier ("Europe/Berlin");
  events = clinic_ics_parse ((const char *) data, size, tz, NULL);
  if (events != NULL)
    for (guint i = 0; i < events->len; i++)
      {
        const ClinicIcsEvent *e = events->pdata[i];

        /* What the reader promises of every event it returns. */
        g_assert (e->uid != NULL && *e->uid != '\0');
        g_assert (e->ends_at == 0 || e->ends_at > e->starts_at);
        g_assert (g_utf8_validate (e->summary, -1, NULL));
        g_assert (g_utf8_validate (e->patient_name, -1, NULL));
        /* A date of birth is read as a valid ISO date, or not at all. */
        g_assert (*e->birth_date == '\0'
                  || (strlen (e->birth_date) == 10 && e->birth_date[4] == '-' && e->birth_date[7] == '-'));
      }

  /* Short inputs are also tried as a repetition rule. */
  if (size < 256)
    {
      g_autofree char *rule = g_strndup ((const char *) data, size);
      g_autoptr(GArray) starts = clinic_recurrence_expand (rule, "2027-01-05 09:00", tz, NULL);

      g_assert (starts == NULL || (starts->len > 0 && starts->len <= CLINIC_SERIES_MAX));
    }
  return 0;
}

#ifndef CLINIC_LIBFUZZER
int
main (int    argc,
      char **argv)
{
  for (int i = 1; i < argc; i++)
    {
      g_autofree char *data = NULL;
      gsize len = 0;

      if (!g_file_get_contents (argv[i], &data, &len, NULL))
        {
          g_printerr ("cannot read %s\n", argv[i]);
          return 1;
        }
      LLVMFuzzerTestOneInput ((const uint8_t *) data, len);
    }
  g_print ("%d inputs ran\n", argc - 1);
  return 0;
}
#endif
