/* test-csv.c — the CSV reader, and a patient list read from CSV */

#include "config.h"

#include <locale.h>
#include <string.h>

#include "clinic-csv.h"
#include "clinic-error.h"
#include "clinic-patient-csv.h"

static ClinicCsv *
parse_ok (const char *text)
{
  g_autoptr(GError) error = NULL;
  ClinicCsv *csv = clinic_csv_parse (text, strlen (text), &error);

  g_assert_no_error (error);
  g_assert_nonnull (csv);
  return csv;
}

#define FIELD(csv, r, c) (((char **) g_ptr_array_index ((csv)->rows, (r)))[(c)])

static void
test_rfc4180 (void)
{
  g_autoptr(ClinicCsv) csv = parse_ok ("a,b,c\r\n1,\"x, y\",\"say \"\"hi\"\"\"\r\n\"two\nlines\",,3\r\n\r\nlast,row,\n");

  g_assert_cmpint (csv->separator, ==, ',');
  g_assert_cmpuint (csv->rows->len, ==, 4);
  g_assert_cmpstr (FIELD (csv, 1, 1), ==, "x, y");
  g_assert_cmpstr (FIELD (csv, 1, 2), ==, "say \"hi\"");
  g_assert_cmpstr (FIELD (csv, 2, 0), ==, "two\nlines");
  g_assert_cmpstr (FIELD (csv, 2, 1), ==, "");
  g_assert_cmpstr (FIELD (csv, 3, 2), ==, "");
  g_assert_null (FIELD (csv, 3, 3));
  /* The line each row starts on, blank lines skipped. */
  g_assert_cmpuint (g_array_index (csv->lines, guint, 2), ==, 3);
  g_assert_cmpuint (g_array_index (csv->lines, guint, 3), ==, 6);
}

static void
test_spreadsheet_habits (void)
{
  /* A byte order mark and semicolons (German spreadsheets). */
  g_autoptr(ClinicCsv) semi = parse_ok ("\xEF\xBB\xBFName;Vorname\nMüller;Hans, Peter");
  g_autoptr(ClinicCsv) tabs = parse_ok ("a\tb\n1\t2");

  g_assert_cmpint (semi->separator, ==, ';');
  g_assert_cmpstr (FIELD (semi, 0, 0), ==, "Name");
  g_assert_cmpstr (FIELD (semi, 1, 1), ==, "Hans, Peter");
  g_assert_cmpint (tabs->separator, ==, '\t');
  g_assert_cmpstr (FIELD (tabs, 1, 1), ==, "2");
}

static void
test_bad_files (void)
{
  struct { const char *text; gsize len; int code; const char *says; } cases[] = {
    { "", 0, CLINIC_CSV_ERROR_EMPTY, "empty" },
    { "\n\r\n", 3, CLINIC_CSV_ERROR_EMPTY, "empty" },
    { "a,b\n1,\"open\n2,3\n", 16, CLINIC_CSV_ERROR_QUOTES, "line 2" },
    { "a,b\n\"x\"y,2\n", 11, CLINIC_CSV_ERROR_QUOTES, "Line 2" },
    { "a,b\n1,\xff\xfe\n", 8, CLINIC_CSV_ERROR_ENCODING, "Line 2" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(ClinicCsv) csv = clinic_csv_parse (cases[i].text, cases[i].len, &error);

      g_assert_null (csv);
      g_assert_error (error, CLINIC_CSV_ERROR, cases[i].code);
      if (strstr (error->message, cases[i].says) == NULL)
        g_error ("case %u: \"%s\" does not say \"%s\"", i, error->message, cases[i].says);
    }

  /* Too many columns. */
  {
    g_autoptr(GString) wide = g_string_new ("a");
    g_autoptr(GError) error = NULL;
    g_autoptr(ClinicCsv) csv = NULL;

    for (guint i = 0; i < CLINIC_CSV_MAX_FIELDS + 1; i++)
      g_string_append (wide, ",a");
    csv = clinic_csv_parse (wide->str, wide->len, &error);
    g_assert_error (error, CLINIC_CSV_ERROR, CLINIC_CSV_ERROR_TOO_LARGE);
  }
}

static void
test_patient_mapping (void)
{
  const char *text =
    "Nachname;Vorname;Geburtsdatum;Telefon;Geschlecht;Versichertennummer;Lieblingsfarbe\n"
    "Meier;Karl;1950-03-04;030 111 2222;m;AOK 1;blau\n"
    "Schulze;Eva;1961-13-01;;w;;grün\n"
    "Braun;Ute;02/01/1972;12ab;w;;rot\n"
    ";Anna;1990-01-01;;;;gelb\n"
    "Kaya;Ayşe;1985-06-07;;divers;;\n";
  g_autoptr(GError) error = NULL;
  g_autoptr(ClinicCsv) csv = parse_ok (text);
  g_autoptr(ClinicPatientCsv) read = clinic_patient_csv_read (csv, NULL, &error);
  ClinicCsvRowError *e;
  ClinicPatient *p;

  g_assert_no_error (error);
  g_assert_cmpstr (read->mapping[0], ==, "family_name");
  g_assert_cmpstr (read->mapping[5], ==, "insurance_id");
  g_assert_null (read->mapping[6]);
  g_assert_cmpuint (read->patients->len, ==, 2);
  p = g_ptr_array_index (read->patients, 0);
  g_assert_cmpstr (p->family_name, ==, "Meier");
  g_assert_cmpint (p->sex, ==, CLINIC_SEX_MALE);
  g_assert_cmpstr (p->insurance_id, ==, "AOK 1");
  p = g_ptr_array_index (read->patients, 1);
  g_assert_cmpint (p->sex, ==, CLINIC_SEX_OTHER);

  /* Every bad row, with its line, column and reason. */
  g_assert_cmpuint (read->errors->len, ==, 3);
  e = g_ptr_array_index (read->errors, 0);
  g_assert_cmpuint (e->line, ==, 3);
  g_assert_cmpstr (e->column, ==, "Geburtsdatum");
  g_assert_nonnull (strstr (e->reason, "1961-13-01"));
  e = g_ptr_array_index (read->errors, 1);
  g_assert_cmpuint (e->line, ==, 4);
  g_assert_cmpstr (e->column, ==, "Telefon");
  e = g_ptr_array_index (read->errors, 2);
  g_assert_cmpuint (e->line, ==, 5);
  g_assert_nonnull (strstr (e->reason, "family name"));
}

/* A row is checked as a whole, and read again column by column only when
 * something is wrong: the fault named is still the first column at
 * fault, in the file's order, and a field that two columns give takes
 * the last one, after both were checked. */
static void
test_first_fault_named (void)
{
  const char *text =
    "Name;Telefon;Vorname;Geschlecht;E-Mail;DOB;Phone\n"
    "Ok;12;Ida;w;ida@example.org;1966-06-06;040 2222222\n"
    "Zwei;12ab;Ida;w;kaputt;1966-06-06;040 2222222\n"
    "Drei;030 1234;Ida;q;kaputt;1966-06-06;040 2222222\n"
    "Vier;030 1234;Ida;w;kaputt;1966-06-06;040 2222222\n"
    "Fuenf;030 1234;;w;;1966-06-06;\n"
    "Sechs;030 1234;Ida;w;;1966-06-06;\n";
  const char *expected[][2] = {
    { "2", "Telefon" }, { "3", "Telefon" }, { "4", "Geschlecht" }, { "5", "E-Mail" }, { "6", "Vorname" },
  };
  const char *maps[] = { "Telefon=-", NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(ClinicCsv) csv = parse_ok (text);
  g_autoptr(ClinicPatientCsv) read = clinic_patient_csv_read (csv, NULL, &error);
  g_autoptr(ClinicPatientCsv) other = NULL;
  ClinicPatient *p;

  g_assert_no_error (error);
  g_assert_cmpstr (read->mapping[1], ==, "phone");
  g_assert_cmpstr (read->mapping[6], ==, "phone");
  /* Line 2: the later column would give a good phone; the first is
   * checked all the same. */
  g_assert_cmpuint (read->errors->len, ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      ClinicCsvRowError *e = g_ptr_array_index (read->errors, i);
      g_autofree char *line = g_strdup_printf ("%u", e->line);

      g_assert_cmpstr (line, ==, expected[i][0]);
      g_assert_cmpstr (e->column, ==, expected[i][1]);
    }
  /* Line 7: the last column gives the phone (empty). */
  g_assert_cmpuint (read->patients->len, ==, 1);
  p = g_ptr_array_index (read->patients, 0);
  g_assert_cmpstr (p->family_name, ==, "Sechs");
  g_assert_cmpstr (p->phone, ==, "");

  /* The first phone column left out: line 2 is fine, with the other
   * column's phone. */
  other = clinic_patient_csv_read (csv, maps, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (other->patients->len, ==, 2);
  p = g_ptr_array_index (other->patients, 0);
  g_assert_cmpstr (p->family_name, ==, "Ok");
  g_assert_cmpstr (p->phone, ==, "040 2222222");
  g_assert_cmpint (p->sex, ==, CLINIC_SEX_FEMALE);
  g_assert_cmpstr (p->birth_date, ==, "1966-06-06");
  g_assert_cmpstr (((ClinicCsvRowError *) g_ptr_array_index (other->errors, 0))->column, ==, "E-Mail");
}

static void
test_overrides (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClinicCsv) csv = parse_ok ("Surname,Given,Born,Colour\nMeier,Karl,1950-03-04,blue\n");
  g_autoptr(ClinicPatientCsv) missing = clinic_patient_csv_read (csv, NULL, &error);
  const char *maps[] = { "Given=given_names", "Born=birth_date", "Colour=notes", NULL };
  const char *bad_field[] = { "Given=favourite_colour", NULL };
  const char *bad_header[] = { "Nope=notes", NULL };
  g_autoptr(ClinicPatientCsv) read = NULL;

  /* "Given" and "Born" are not recognised: the required fields are missing. */
  g_assert_null (missing);
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_INVALID);
  g_clear_error (&error);

  g_assert_null (clinic_patient_csv_read (csv, bad_field, &error));
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_null (clinic_patient_csv_read (csv, bad_header, &error));
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_INVALID);
  g_clear_error (&error);

  read = clinic_patient_csv_read (csv, maps, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (read->patients->len, ==, 1);
  g_assert_cmpstr (((ClinicPatient *) read->patients->pdata[0])->notes, ==, "blue");
}

static void
count_calls (guint    done,
             guint    total,
             gpointer user_data)
{
  guint *calls = user_data;

  g_assert_cmpuint (done, <=, total);
  (*calls)++;
}

/* The import dialog's way: every column's field chosen, a few rows for a
 * preview, all rows with progress, and cancelling. */
static void
test_mapped (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) text = g_string_new ("Last,First,Born,Mail,Colour\n");
  g_autoptr(ClinicCsv) csv = NULL;
  g_autoptr(ClinicPatientCsv) preview = NULL;
  g_autoptr(ClinicPatientCsv) all = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  const char *mapping[] = { "family_name", "given_names", "birth_date", "email", NULL };
  const char *twice[] = { "family_name", "given_names", "birth_date", "family_name", NULL };
  const char *unknown[] = { "family_name", "given_names", "birth_date", "shoe_size", NULL };
  const char *no_birth[] = { "family_name", "given_names", "", "email", NULL };
  ClinicCsvRowError *e;
  guint calls = 0;

  for (guint i = 0; i < 2500; i++)
    g_string_append_printf (text, "Name%u,Ida,1970-01-%02u,%s,red\n", i, 1 + i % 28,
                            i % 1000 == 7 ? "not-an-address" : "ida@example.org");
  csv = clinic_csv_parse (text->str, text->len, &error);
  g_assert_no_error (error);

  /* A wrong mapping is a sentence for the person choosing it. */
  g_assert_null (clinic_patient_csv_read_mapped (csv, twice, 0, NULL, NULL, NULL, &error));
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "“Last” and “Mail”"));
  g_assert_nonnull (strstr (error->message, "Family name"));
  g_clear_error (&error);
  g_assert_null (clinic_patient_csv_read_mapped (csv, unknown, 0, NULL, NULL, NULL, &error));
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_null (clinic_patient_csv_read_mapped (csv, no_birth, 0, NULL, NULL, NULL, &error));
  g_assert_error (error, CLINIC_ERROR, CLINIC_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "Date of birth"));
  g_clear_error (&error);

  /* A preview: the first rows only; the column left out is not read. */
  preview = clinic_patient_csv_read_mapped (csv, mapping, 20, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (preview->patients->len + preview->errors->len, ==, 20);
  g_assert_cmpuint (preview->errors->len, ==, 1);
  e = g_ptr_array_index (preview->errors, 0);
  g_assert_cmpuint (e->line, ==, 9);
  g_assert_cmpstr (e->column, ==, "Mail");
  g_assert_null (preview->mapping[4]);
  g_assert_cmpuint (preview->lines->len, ==, preview->patients->len);
  g_assert_cmpuint (g_array_index (preview->lines, guint, 7), ==, 10);
  g_assert_cmpstr (((ClinicPatient *) preview->patients->pdata[7])->family_name, ==, "Name8");
  g_assert_cmpstr (((ClinicPatient *) preview->patients->pdata[7])->notes, ==, "");
  g_assert_cmpstr (clinic_patient_csv_field_value (preview->patients->pdata[7], "birth_date"), ==, "1970-01-09");
  g_assert_cmpstr (clinic_patient_csv_field_value (preview->patients->pdata[7], "sex"), ==, "");
  g_assert_null (clinic_patient_csv_field_value (preview->patients->pdata[7], "shoe_size"));

  /* All of it, with progress every 1000 rows and at the end. */
  all = clinic_patient_csv_read_mapped (csv, mapping, 0, count_calls, &calls, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (calls, ==, 3);
  g_assert_cmpuint (all->patients->len, ==, 2497);
  g_assert_cmpuint (all->errors->len, ==, 3);
  g_assert_cmpuint (g_array_index (all->lines, guint, all->lines->len - 1), ==, 2501);

  g_cancellable_cancel (cancellable);
  g_assert_null (clinic_patient_csv_read_mapped (csv, mapping, 0, NULL, NULL, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

  g_assert_cmpstr (clinic_patient_csv_field_title ("insurance_id"), ==, "Insurance id");
  g_assert_null (clinic_patient_csv_field_title ("shoe_size"));
  for (const char *const *f = clinic_patient_csv_fields (); *f != NULL; f++)
    g_assert_nonnull (clinic_patient_csv_field_title (*f));
}

/* The fuzz target's seed corpus parses without crashing (the fuzzer
 * itself runs by hand, see tests/fuzz/fuzz-csv.c). */
static void
test_corpus (void)
{
  g_autofree char *dir = g_test_build_filename (G_TEST_DIST, "fuzz", "csv-corpus", NULL);
  g_autoptr(GDir) folder = g_dir_open (dir, 0, NULL);
  const char *name;
  guint n = 0;

  g_assert_nonnull (folder);
  while ((name = g_dir_read_name (folder)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_autofree char *data = NULL;
      g_autoptr(ClinicCsv) csv = NULL;
      gsize len;

      g_assert_true (g_file_get_contents (path, &data, &len, NULL));
      csv = clinic_csv_parse (data, len, NULL);
      if (csv != NULL)
        {
          g_autoptr(ClinicPatientCsv) read = clinic_patient_csv_read (csv, NULL, NULL);
          (void) read;
        }
      n++;
    }
  g_assert_cmpuint (n, >=, 5);
}

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "C.UTF-8");
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/csv/rfc4180", test_rfc4180);
  g_test_add_func ("/csv/spreadsheet-habits", test_spreadsheet_habits);
  g_test_add_func ("/csv/bad-files", test_bad_files);
  g_test_add_func ("/csv/patients/mapping-and-row-errors", test_patient_mapping);
  g_test_add_func ("/csv/patients/overrides", test_overrides);
  g_test_add_func ("/csv/patients/first-fault-named", test_first_fault_named);
  g_test_add_func ("/csv/patients/mapped", test_mapped);
  g_test_add_func ("/csv/corpus", test_corpus);
  return g_test_run ();
}
