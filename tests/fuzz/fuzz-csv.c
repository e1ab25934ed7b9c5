/* fuzz-csv.c — libFuzzer target for the CSV reader and the patient mapping
 *
 * With clang:
 *   CC=clang meson setup build-fuzz -Db_sanitize=address,undefined -Dfuzzing=true
 *   ninja -C build-fuzz tests/fuzz-csv
 *   mkdir -p build-fuzz/csv-corpus
 *   build-fuzz/tests/fuzz-csv -max_total_time=600 build-fuzz/csv-corpus tests/fuzz/csv-corpus
 * (libFuzzer writes what it finds into the first folder.)
 * Built without libFuzzer (gcc), the same file has a main() that runs
 * each file named on the command line once: the corpus check in the
 * test suite, and a way to replay a crash a fuzzer found.
 */

#include "config.h"

#include <stdint.h>

#include "clinic-csv.h"
#include "clinic-patient-csv.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(ClinicCsv) csv = clinic_csv_parse ((const char *) data, size, NULL);

  if (csv != NULL)
    {
      const char *maps[] = { "a=notes", NULL };
      g_autoptr(ClinicPatientCsv) guessed = clinic_patient_csv_read (csv, NULL, NULL);
      g_autoptr(ClinicPatientCsv) mapped = clinic_patient_csv_read (csv, maps, NULL);

      (void) guessed;
      (void) mapped;
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
