/* clinic-test-db.h — helpers shared by the database tests */

#pragma once

#include "clinic-db-private.h"
#include "clinic-patients.h"
#include "clinic-session.h"

G_BEGIN_DECLS

/* A new clinic, "Lindenhof Practice", in a fresh temporary folder
 * (@tmpl, e.g. "clinic-x-XXXXXX", its path in *@dir; the database is
 * clinic.db in it), created and opened again as Clinic opens it, its time
 * zone Europe/Berlin, and @creds' administrator signed in (*@admin). */
ClinicDb *clinic_test_clinic_new (const char               *tmpl,
                                  const ClinicCredentials  *creds,
                                  char                    **dir,
                                  ClinicSession           **admin);

/* Removes @dir and everything in it (one level of folders deep or more). */
void   clinic_test_remove_tree  (const char *dir);

/* Runs @sql on @db and fails the test on an error. */
void   clinic_test_exec         (ClinicDb   *db,
                                 const char *sql);

/* The first column of the first row of @sql. */
gint64 clinic_test_query_int    (ClinicDb   *db,
                                 const char *sql);

/* A patient record with these fields filled and the rest empty. */
ClinicPatient *clinic_test_patient_new (const char *family,
                                        const char *given,
                                        const char *birth_date,
                                        const char *phone);

/* Every row of every table, one line each, tables by name and rows in
 * rowid order (WITHOUT ROWID tables by key): comparing two dumps tells
 * whether anything changed. (transfer full) */
char  *clinic_test_dump_tables  (ClinicDb   *db);
/* No file in @dir (and below; a single file too) holds any of @needles
 * (NULL-terminated); fails the test naming the file and @when otherwise. */
void   clinic_test_assert_no_plaintext (const char         *dir,
                                        const char * const *needles,
                                        const char         *when);

/* The id of the built-in role @builtin ("front-desk", "doctor", ...), as
 * @admin (with the users permission) lists the roles. */
gint64 clinic_test_role_id      (ClinicSession *admin,
                                 const char    *builtin);

/* Every patient row's phone_tail_rev and phone2_tail_rev hold what the
 * duplicate check expects (the last 8 digits of phone and phone2, last
 * digit first; "" under 6 digits), worked out here on their own from the
 * phones as stored. Returns the number of rows checked. */
guint  clinic_test_assert_phone_tails (ClinicDb *db);

/* PRAGMA integrity_check says "ok". */
void   clinic_test_assert_whole (ClinicDb   *db);

G_END_DECLS
