/* test-permissions.c — every core entry point guards itself
 *
 * The list of entry points is generated from the public headers
 * (list-entry-points.py: every function taking a ClinicSession), and this
 * file has one row per entry point: the permission it needs and a call.
 * A function without a row fails the suite. Each row is called with a
 * session whose role has every permission but that one, and with a
 * patient's session; both must get CLINIC_ERROR_PERMISSION_DENIED and
 * leave the database (every row of every table) and the files beside it
 * exactly as they were.
 */

#include "config.h"

#include <string.h>
#include <glib/gstdio.h>
#include <sodium.h>

#include "clinic-audit.h"
#include "clinic-schedule.h"
#include "clinic-appointments.h"
#include "clinic-chart.h"
#include "clinic-documents.h"
#include "clinic-ics.h"
#include "clinic-settings.h"
#include "clinic-patient-merge.h"
#include "clinic-patients.h"
#include "clinic-registration.h"
#include "clinic-recurrence.h"
#include "clinic-storage.h"
#include "clinic-test-db.h"
#include "clinic-users.h"
#include "clinic-waitlist.h"

#include "entry-points.h"

#define PASSWORD "quiet river under old stone"
#define OTHER_PASSWORD "amber lantern over the bay"

typedef struct
{
  char          *dir;
  char          *path;
  ClinicDb      *db;
  ClinicSession *admin;
  gint64         clerk_role;
  gint64         doctor_id;
  gint64         patient_id;
  gint64         other_patient_id;   /* a duplicate of patient_id */
  gint64         document_id;
  gint64         visit_type_id;
  gint64         appointment_id;
  gint64         exception_id;
  gint64         registered_user_id; /* a registration from the kiosk, pending */
  gint64         waitlist_id;
} Fixture;

/* Enough of a PDF and of a PNG for the content to tell their types. */
#define SOME_PDF "%PDF-1.4\n% a document for the permission test\n"
#define SOME_PNG "\x89PNG\r\n\x1a\n\0\0\0\rIHDR a photo for the permission test"

typedef gboolean (*EntryCall) (Fixture *f, ClinicSession *session, GError **error);

/* "Self": any active session may call it for itself (its own password);
 * the row then checks that an ended session is refused instead. */
#define SELF ((ClinicPermission) -1)

/* Any schedule permission (SCHEDULE_OWN or SCHEDULE_ALL) lets the call in;
 * the core then scopes it (a doctor's own, a patient's own). The row is
 * called with a session lacking both, which must be refused, and with a
 * patient's session (not linked to the fixture's patient), which may
 * read what patients read but must change nothing. */
#define SCHEDULE_ANY ((ClinicPermission) -2)

typedef struct
{
  const char       *name;
  ClinicPermission  permission;
  EntryCall         call;
} Row;

static const ClinicCredentials admin_creds = { "admin", PASSWORD, NULL, &CLINIC_KDF_LIMITS_TEST };

/* --- The calls --------------------------------------------------------- */

static gboolean
call_chart_add_addendum (Fixture *f, ClinicSession *s, GError **error)
{
  return clinic_chart_add_addendum (s, 1, "Correction", error) != 0;
}

static gboolean
call_chart_add_allergy (Fixture *f, ClinicSession *s, GError **error)
{
  return clinic_chart_add_allergy (s, f->patient_id, "Latex", "", CLINIC_SEVERITY_MILD, error) != 0;
}

static gboolean
call_chart_add_item (Fixture *f, ClinicSession *s, GError **error)
{
  g_autoptr(ClinicChartItem) item = clinic_chart_item_new (CLINIC_CHART_CONDITION);

  item->patient_id = f->patient_id;
  g_free (item->name);
  item->name = g_strdup ("Asthma");
  return clinic_chart_add_item (s, item, error) != 0;
}

static gboolean
call_chart_discard_note (Fixture *f, ClinicSession *s, GError **error)
{
  return clinic_chart_discard_note (s, 1, error);
}

static gboolean
call_chart_discard_prescription (Fixture *f, ClinicSession *s, GError **error)
{
  return clinic_chart_discard_prescription (s, 1, error);
}

static gboolean
call_chart_end_item (Fixture *f, ClinicSession *s, GError **error)
{
  return clinic_chart_end_item (s, CLINIC_CHART_MEDICATION, 1, CLINIC_ITEM_ENDED, NULL, error);
}

static gboolean
call_chart_list_allergies (Fixture *f, ClinicSession *s, GError **error)
{
  g_autoptr(GPtrArray) list = clinic_chart_list_allergies (s, f->patient_id, NULL, error);

  return list != NULL;
}

static gboolean
call_chart_load (Fixture *f, ClinicSession *s, GError **error)
{
  g_autoptr(ClinicChart) chart = clinic_chart_load (s, f->patient_id, error);

  return chart != NULL;
}

static gboolean
call_chart_retract_allergy (Fixture *f, ClinicSession *s, GError **error)
{
  return clinic_chart_retract_allergy (s, 1, error);
}

static gboolean
call_chart_save_note (Fixture *f, ClinicSession *s, GError **error)
{
  g_autoptr(ClinicVisitNote) n = clinic_visit_note_new ();

  n->patient_id = f->patient_id;
  g_free (n->encounter_date);
  n->encounter_date = g_strdup ("2026-11-20");
  return clinic_chart_save_note (s, n, error) != 0;
}

static gboolean
call_chart_save_prescription (Fixture *f, ClinicSession *s, GError **error)
{
  g_autoptr(ClinicPrescription) p = clinic_prescription_new ();

  p->patient_id = f->patient_id;
  g_free (p->drug);
  p->drug = g_strdup ("Ibuprofen");
  g_free (p->dose);
  p->dose = g_strdup ("400 mg");
  g_free (p->frequency);
  p->frequency = g_strdup ("twice a day");
  return clinic_chart_save_prescription (s, p, error) != 0;
}

static gboolean
call_chart_set_no_known_allergies (Fixture *f, ClinicSession *s, GError **error)
{
  return clinic_chart_set_no_known_allergies (s, f->patient_id, error);
}

static gboolean
call_chart_sign_note (Fixture *f, ClinicSession *s, GError **error)
{
  return clinic_chart_sign_note (s, 1, error);
}

static gboolean
call_chart_sign_prescription (Fixture *f, ClinicSession *s, GError **error)
{
  return clinic_chart_sign_prescription (s, 1, error);
}

static gboolean
call_insurance_list (Fixture *f, ClinicSession *s, GError **error)
{
  g_autoptr(GPtrArray) list = clinic_insurance_list (s, f->patient_id, error);

  return list != NULL;
}

static gboolean
call_insurance_save (Fixture *f, ClinicSession *s, GError **error)
{
  g_autoptr(ClinicInsurancePolicy) p = clinic_insurance_policy_new ();

  p->patient_id = f->patient_id;
  g_free (p->payer);
  p->payer = g_strdup ("AOK");
  g_free (p->member_id);
  p->member_id = g_strdup ("A1");
  g_free (p->valid_from);
  p->valid_from = g_strdup ("2026-01-01");
  return clinic_insurance_save (s, p, error) != 0;
}

static gboolean
call_insurance_status (Fixture *f, ClinicSession *s, GError **error)
{
  GError *local = NULL;

  clinic_insurance_status (s, f->patient_id, NULL, &local);
  if (local == NULL)
    return TRUE;
  g_propagate_error (error, local);
  return FALSE;
}

static gboolean
call_audit_list (Fixture *f, ClinicSession *s, GError **error)
{
  g_autoptr(GPtrArray) entries = clinic_audit_list (s, NULL, 0, 10, error);

  return entries != NULL;
}

static gboolean
call_audit_verify (Fixture *f, ClinicSession *s, GError **error)
{
  g_autofree char *report = NULL;

  return clinic_audit_verify (s, NULL, &report, error);
}

static gboolean
call_kiosk_start (Fixture *f, ClinicSession *s, GError **error)
{
  g_autoptr(ClinicKiosk) kiosk = clinic_kiosk_start (s, error);

  return kiosk != NULL;
}

static gboolean
call_registrations_confirm (Fixture *f, ClinicSession *s, GError **error)
{
  return clinic_registrations_confirm (s, f->registered_user_id, error);
}

static gboolean
call_registrations_count_pending (Fixture *f, ClinicSession *s, GError **error)
{
  guint n = 0;

  return clinic_registrations_count_pending (s, &n, error);
}

static gboolean
call_registrations_list_pending (Fixture *f, ClinicSession *s, GError **error)
{
  g_autoptr(GPtrArray) list = clinic_registrations_list_pending (s, error);

  return list != NULL;
}

static gboolean
call_registrations_reject (Fixture *f, ClinicSession *s, GError **error)
{
  return clinic_registrations_reject (s, f->registered_user_id, "Not a patient here", error);
}

static gboolean
call_roles_create (Fixture *f, ClinicSession *s, GError **error)
{
  return clinic_roles_create (s, "Billing clerks", error) != 0;
}

static gboolean
call_roles_delete (Fixture *f, ClinicSession *s, GError **error)
{
  return clinic_roles_delete (s, f->clerk_role, error);
}

static gboolean
call_roles_list (Fixture *f, ClinicSession *s, GError **error)
{
  g_autoptr(GPtrArray) roles = clinic_roles_list (s, error);

  return roles != NULL;
}

static gboolean
call_roles_rename (Fixture *f, ClinicSession *s, GError **error)
{
  return clinic_roles_rename (s, f->clerk_role, "Renamed", error);
}

static gboolean
call_roles_set_permission (Fixture *f, ClinicSession *s, GError **error)
{
  return clinic_roles_set_permission (s, f->clerk_role, CLINIC_PERMISSION_REPORTS, TRUE, error);
}

static gboolean
call_settings_set (Fixture *f, ClinicSession *s, GError **error)
{
  return clinic_settings_set (clinic_settings_get_for_db (f->db), s,
                              "security.idle-lock-minutes", "9", error);
}

static gboolean
call_settings_reset (Fixture *f, ClinicSession *s, GError **error)
{
  return clinic_settings_reset (clinic_settings_get_for_db (f->db), s, "clinic.name", error);
}

static gboolean
call_storage_backup (Fixture *f, ClinicSession *s, GError **error)
{
  g_autofree char *file = g_build_filename (f->dir, "denied.clinicbackup", NULL);

  return clinic_storage_backup (s, file, NULL, error);
}

static gboolean
call_storage_rekey (Fixture *f, ClinicSession *s, GError **error)
{
  g_autofree char *key = NULL;

  return clinic_storage_rekey (s, &key, error);
}

static gboolean
call_storage_verify (Fixture *f, ClinicSession *s, GError **error)
{
  g_autofree char *report = NULL;

  return clinic_storage_verify (s, &report, error);
}

static gboolean
call_users_change_own_password (Fixture *f, ClinicSession *s, GError **error)
{
  return clinic_users_change_own_password (s, PASSWORD, OTHER_PASSWORD, &CLINIC_KDF_LIMITS_TEST,
                                           error);
}

static gboolean
call_users_create (Fixture *f, ClinicSession *s, GError **error)
{
  return clinic_users_create (s, "intruder", "Intruder", CLINIC_USER_STAFF, f->clerk_role,
                              OTHER_PASSWORD, &CLINIC_KDF_LIMITS_TEST, error) != 0;
}

static gboolean
call_users_list (Fixture *f, ClinicSession *s, GError **error)
{
  g_autoptr(GPtrArray) users = clinic_users_list (s, error);

  return users != NULL;
}

static gboolean
call_users_lookup_by_name (Fixture *f, ClinicSession *s, GError **error)
{
  g_autoptr(ClinicUser) user = clinic_users_lookup_by_name (s, "doctor", error);

  return user != NULL;
}

static gboolean
call_users_reset_password (Fixture *f, ClinicSession *s, GError **error)
{
  return clinic_users_reset_password (s, f->doctor_id, OTHER_PASSWORD, &CLINIC_KDF_LIMITS_TEST,
                                      error);
}

static gboolean
call_users_set_disabled (Fixture *f, ClinicSession *s, GError **error)
{
  return clinic_users_set_disabled (s, f->doctor_id, TRUE, NULL, &CLINIC_KDF_LIMITS_TEST, error);
}

static gboolean
call_users_set_display_name (Fixture *f, ClinicSession *s, GError **error)
{
  return clinic_users_set_display_name (s, f->doctor_id, "Dr. Renamed", error);
}

static gboolean
call_users_set_role (Fixture *f, ClinicSession *s, GError **error)
{
  return clinic_users_set_role (s, f->doctor_id, f->clerk_role, error);
}

static gboolean
call_users_clear_lockout (Fixture *f, ClinicSession *s, GError **error)
{
  return clinic_users_clear_lockout (s, f->doctor_id, error);
}

static gint64
booking_start (void)
{
  /* A Wednesday morning two years on, inside the fixture's hours. */
  g_autoptr(GTimeZone) tz = g_time_zone_new_local ();
  g_autoptr(GDateTime) now = g_date_time_new_now (tz);
  int year = g_date_time_get_year (now) + 2;
  g_autoptr(GDateTime) day = g_date_time_new (tz, year, 1, 1, 10, 0, 0);
  int weekday = g_date_time_get_day_of_week (day);
  g_autoptr(GDateTime) wednesday = g_date_time_add_days (day, (3 - weekday + 7) % 7);

  return g_date_time_to_unix (wednesday);
}

static gboolean
call_appointments_book (Fixture *f, ClinicSession *s, GError **error)
{
  ClinicBooking b = { f->patient_id, f->doctor_id, f->visit_type_id, 0, booking_start () + 3600, 0, NULL, NULL, NULL };

  return clinic_appointments_book (s, &b, error) != 0;
}

#define ICS_EVENT \
  "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//EN\r\nBEGIN:VEVENT\r\nUID:perm@x\r\n" \
  "DTSTART:20400104T090000Z\r\nSUMMARY:Away\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"

static gboolean
call_ics_export (Fixture *f, ClinicSession *s, GError **error)
{
  g_autofree char *path = g_build_filename (f->dir, "calendar.ics", NULL);

  return clinic_ics_export (s, 0, 0, G_MAXINT32, CLINIC_ICS_BUSY, path, error) >= 0;
}

static gboolean
call_ics_import (Fixture *f, ClinicSession *s, GError **error)
{
  ClinicIcsImport options = { f->doctor_id, 0, 0, TRUE };

  return clinic_ics_import (s, ICS_EVENT, strlen (ICS_EVENT), &options, error) > 0;
}

static gboolean
call_ics_preview (Fixture *f, ClinicSession *s, GError **error)
{
  ClinicIcsImport options = { f->doctor_id, 0, 0, TRUE };
  g_autoptr(GPtrArray) events = clinic_ics_preview (s, ICS_EVENT, strlen (ICS_EVENT), &options, error);

  return events != NULL;
}

static gboolean
call_recurrence_book (Fixture *f, ClinicSession *s, GError **error)
{
  ClinicBooking b = { f->patient_id, f->doctor_id, f->visit_type_id, 0, booking_start () + 3600, 0, NULL, NULL, NULL };
  ClinicRecurrence weekly = { CLINIC_REPEAT_WEEKLY, 1, 2, NULL };

  return clinic_recurrence_book (s, &b, &weekly, FALSE, NULL, error) != 0;
}

static gboolean
call_recurrence_cancel (Fixture *f, ClinicSession *s, GError **error)
{
  return clinic_recurrence_cancel (s, f->appointment_id, CLINIC_SERIES_ALL, "Ill", NULL, error);
}

static gboolean
call_recurrence_preview (Fixture *f, ClinicSession *s, GError **error)
{
  ClinicBooking b = { f->patient_id, f->doctor_id, f->visit_type_id, 0, booking_start () + 3600, 0, NULL, NULL, NULL };
  ClinicRecurrence weekly = { CLINIC_REPEAT_WEEKLY, 1, 2, NULL };
  g_autoptr(GPtrArray) list = clinic_recurrence_preview (s, &b, &weekly, error);

  return list != NULL;
}

static gboolean
call_recurrence_reschedule (Fixture *f, ClinicSession *s, GError **error)
{
  return clinic_recurrence_reschedule (s, f->appointment_id, CLINIC_SERIES_FOLLOWING, 7, -1, error);
}

static gboolean
call_recurrence_scope (Fixture *f, ClinicSession *s, GError **error)
{
  g_autoptr(GArray) ids = clinic_recurrence_scope (s, f->appointment_id, CLINIC_SERIES_THIS, error);

  return ids != NULL;
}

static gboolean
call_appointments_cancel (Fixture *f, ClinicSession *s, GError **error)
{
  return clinic_appointments_cancel (s, f->appointment_id, "Ill", error);
}

static gboolean
call_appointments_edit (Fixture *f, ClinicSession *s, GError **error)
{
  return clinic_appointments_edit (s, f->appointment_id, "Cough", "", error);
}

static gboolean
call_appointments_set_room (Fixture *f, ClinicSession *s, GError **error)
{
  g_autoptr(ClinicRoom) room = clinic_rooms_lookup (f->admin, "Room 1", error);

  return room != NULL && clinic_appointments_set_room (s, f->appointment_id, room->id, error);
}

static gboolean
call_appointments_for_patient (Fixture *f, ClinicSession *s, GError **error)
{
  g_autoptr(GPtrArray) list = clinic_appointments_for_patient (s, f->patient_id, error);

  return list != NULL;
}

static gboolean
call_appointments_get (Fixture *f, ClinicSession *s, GError **error)
{
  g_autoptr(ClinicAppointment) a = clinic_appointments_get (s, f->appointment_id, error);

  return a != NULL;
}

static gboolean
call_appointments_history (Fixture *f, ClinicSession *s, GError **error)
{
  g_autoptr(GPtrArray) list = clinic_appointments_history (s, f->appointment_id, error);

  return list != NULL;
}

static gboolean
call_appointments_import (Fixture *f, ClinicSession *s, GError **error)
{
  g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func ((GDestroyNotify) clinic_appointment_free);
  ClinicAppointment *a = g_new0 (ClinicAppointment, 1);

  a->patient_id = f->patient_id;
  a->provider_id = f->doctor_id;
  a->visit_type_id = f->visit_type_id;
  a->starts_at = 1500000000;
  a->status = CLINIC_APPOINTMENT_COMPLETED;
  g_ptr_array_add (list, a);
  return clinic_appointments_import (s, list, NULL, NULL, error) > 0;
}

static gboolean
call_appointments_list (Fixture *f, ClinicSession *s, GError **error)
{
  g_autoptr(GPtrArray) list = clinic_appointments_list (s, 0, G_MAXINT64, 0, error);

  return list != NULL;
}

static gboolean
call_appointments_reschedule (Fixture *f, ClinicSession *s, GError **error)
{
  return clinic_appointments_reschedule (s, f->appointment_id, booking_start () + 7200, 0, 0, NULL, error);
}

static gboolean
call_appointments_set_status (Fixture *f, ClinicSession *s, GError **error)
{
  return clinic_appointments_set_status (s, f->appointment_id, CLINIC_APPOINTMENT_CONFIRMED, error);
}

static gboolean
call_providers_list (Fixture *f, ClinicSession *s, GError **error)
{
  g_autoptr(GPtrArray) list = clinic_providers_list (s, FALSE, error);

  return list != NULL;
}

static gboolean
call_providers_lookup (Fixture *f, ClinicSession *s, GError **error)
{
  return clinic_providers_lookup (s, "doctor", error) != 0;
}

static gboolean
call_providers_set (Fixture *f, ClinicSession *s, GError **error)
{
  return clinic_providers_set (s, f->doctor_id, FALSE, error);
}

static gboolean
call_schedule_add_exception (Fixture *f, ClinicSession *s, GError **error)
{
  ClinicScheduleException e = { 0, f->doctor_id, CLINIC_EXCEPTION_BLOCK, booking_start (),
                                booking_start () + 3600, (char *) "Meeting" };

  return clinic_schedule_add_exception (s, &e, error) != 0;
}

static gboolean
call_schedule_availability (Fixture *f, ClinicSession *s, GError **error)
{
  g_autoptr(GArray) slots = clinic_schedule_availability (s, f->doctor_id, f->visit_type_id, "2040-01-04",
                                                          "2040-01-04", error);

  return slots != NULL;
}

static gboolean
call_schedule_get_hours (Fixture *f, ClinicSession *s, GError **error)
{
  g_autoptr(GArray) hours = clinic_schedule_get_hours (s, f->doctor_id, error);

  return hours != NULL;
}

static gboolean
call_schedule_room_at (Fixture *f, ClinicSession *s, GError **error)
{
  return clinic_schedule_room_at (s, f->doctor_id, booking_start (), error) >= 0;
}

static gboolean
call_schedule_list_exceptions (Fixture *f, ClinicSession *s, GError **error)
{
  g_autoptr(GPtrArray) list = clinic_schedule_list_exceptions (s, f->doctor_id, 0, G_MAXINT64 / 2, error);

  return list != NULL;
}

static gboolean
call_schedule_remove_exception (Fixture *f, ClinicSession *s, GError **error)
{
  return clinic_schedule_remove_exception (s, f->exception_id, error);
}

static gboolean
call_schedule_set_hours (Fixture *f, ClinicSession *s, GError **error)
{
  g_autoptr(GArray) blocks = g_array_new (FALSE, TRUE, sizeof (ClinicHoursBlock));
  ClinicHoursBlock b = { 1, 9 * 60, 10 * 60, 0 };

  g_array_append_val (blocks, b);
  return clinic_schedule_set_hours (s, f->doctor_id, blocks, error);
}

static gboolean
call_visit_types_list (Fixture *f, ClinicSession *s, GError **error)
{
  g_autoptr(GPtrArray) list = clinic_visit_types_list (s, TRUE, error);

  return list != NULL;
}

static gboolean
call_visit_types_lookup (Fixture *f, ClinicSession *s, GError **error)
{
  g_autoptr(ClinicVisitType) t = clinic_visit_types_lookup (s, "Check-up", error);

  return t != NULL;
}

static gboolean
call_visit_types_save (Fixture *f, ClinicSession *s, GError **error)
{
  g_autoptr(ClinicVisitType) t = clinic_visit_type_new ();

  g_free (t->name);
  t->name = g_strdup ("Vaccination");
  return clinic_visit_types_save (s, t, error) != 0;
}

static gboolean
call_rooms_list (Fixture *f, ClinicSession *s, GError **error)
{
  g_autoptr(GPtrArray) list = clinic_rooms_list (s, TRUE, error);

  return list != NULL;
}

static gboolean
call_rooms_lookup (Fixture *f, ClinicSession *s, GError **error)
{
  g_autoptr(ClinicRoom) room = clinic_rooms_lookup (s, "Room 1", error);

  return room != NULL;
}

static gboolean
call_rooms_save (Fixture *f, ClinicSession *s, GError **error)
{
  g_autoptr(ClinicRoom) room = clinic_room_new ();

  g_free (room->name);
  room->name = g_strdup ("Room 2");
  return clinic_rooms_save (s, room, error) != 0;
}

static gboolean
call_audit_export_csv (Fixture *f, ClinicSession *s, GError **error)
{
  g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();
  g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();

  return clinic_audit_export_csv (s, NULL, utc, out, error);
}


static gboolean
call_patients_create (Fixture *f, ClinicSession *s, GError **error)
{
  g_autoptr(ClinicPatient) p = clinic_test_patient_new ("Neumann", "Otto", "1971-05-06", "030 555 0101");

  return clinic_patients_create (s, p, FALSE, error) != 0;
}

static gboolean
call_patients_find_duplicates (Fixture *f, ClinicSession *s, GError **error)
{
  g_autoptr(ClinicPatient) p = clinic_test_patient_new ("Müller", "Hans", "1980-02-03", "");
  g_autoptr(GPtrArray) found = clinic_patients_find_duplicates (s, p, error);

  return found != NULL;
}

static gboolean
call_patients_get (Fixture *f, ClinicSession *s, GError **error)
{
  g_autoptr(ClinicPatient) p = clinic_patients_get (s, f->patient_id, error);

  return p != NULL;
}

static gboolean
call_patients_get_by_chart_number (Fixture *f, ClinicSession *s, GError **error)
{
  g_autoptr(ClinicPatient) p = clinic_patients_get_by_chart_number (s, "C000001", error);

  return p != NULL;
}

static gboolean
call_patients_import (Fixture *f, ClinicSession *s, GError **error)
{
  g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func ((GDestroyNotify) clinic_patient_free);

  g_ptr_array_add (list, clinic_test_patient_new ("Imported", "Ida", "1966-06-06", ""));
  return clinic_patients_import (s, list, NULL, NULL, error) == 1;
}

static gboolean
call_patients_import_full (Fixture *f, ClinicSession *s, GError **error)
{
  g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func ((GDestroyNotify) clinic_patient_free);

  g_ptr_array_add (list, clinic_test_patient_new ("Imported", "Ida", "1966-06-06", ""));
  return clinic_patients_import_full (s, list, CLINIC_IMPORT_SKIP_REGISTERED, NULL, NULL, NULL, NULL, error) == 1;
}

static gboolean
call_patients_find_registered (Fixture *f, ClinicSession *s, GError **error)
{
  g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func ((GDestroyNotify) clinic_patient_free);
  g_autoptr(GArray) found = NULL;

  g_ptr_array_add (list, clinic_test_patient_new ("Müller", "Hans", "1980-02-03", ""));
  found = clinic_patients_find_registered (s, list, NULL, NULL, NULL, error);
  return found != NULL;
}

static gboolean
call_patients_link_account (Fixture *f, ClinicSession *s, GError **error)
{
  g_autoptr(ClinicUser) user = clinic_users_lookup_by_name (f->admin, "patient", NULL);

  return clinic_patients_link_account (s, f->patient_id, user->id, error);
}

static gboolean
call_patients_merge (Fixture *f, ClinicSession *s, GError **error)
{
  return clinic_patients_merge (s, f->patient_id, f->other_patient_id, error);
}

static gboolean
call_patients_merge_preview (Fixture *f, ClinicSession *s, GError **error)
{
  g_autoptr(ClinicMergePreview) preview = clinic_patients_merge_preview (s, f->patient_id,
                                                                         f->other_patient_id, error);

  return preview != NULL;
}

static gboolean
call_patients_search (Fixture *f, ClinicSession *s, GError **error)
{
  g_autoptr(GPtrArray) found = clinic_patients_search (s, "mül", NULL, 0, 20, NULL, error);

  return found != NULL;
}

static gboolean
call_patients_set_status (Fixture *f, ClinicSession *s, GError **error)
{
  return clinic_patients_set_status (s, f->patient_id, CLINIC_PATIENT_INACTIVE, error);
}

static gboolean
call_patients_update (Fixture *f, ClinicSession *s, GError **error)
{
  g_autoptr(ClinicPatient) p = clinic_test_patient_new ("Müller", "Hans", "1980-02-03", "030 555 0199");

  p->id = f->patient_id;
  g_clear_pointer (&p->treatment, g_free);
  return clinic_patients_update (s, p, error);
}

static gboolean
call_documents_add (Fixture *f, ClinicSession *s, GError **error)
{
  g_autoptr(GBytes) pdf = g_bytes_new_static (SOME_PDF, sizeof SOME_PDF - 1);

  return clinic_documents_add (s, f->patient_id, "Lab result", NULL, pdf, error) != 0;
}

static gboolean
call_documents_list (Fixture *f, ClinicSession *s, GError **error)
{
  g_autoptr(GPtrArray) list = clinic_documents_list (s, f->patient_id, error);

  return list != NULL;
}

static gboolean
call_documents_read (Fixture *f, ClinicSession *s, GError **error)
{
  g_autoptr(GBytes) content = clinic_documents_read (s, f->document_id, error);

  return content != NULL;
}

static gboolean
call_documents_remove (Fixture *f, ClinicSession *s, GError **error)
{
  return clinic_documents_remove (s, f->document_id, error);
}

static gboolean
call_patients_set_photo (Fixture *f, ClinicSession *s, GError **error)
{
  return clinic_patients_set_photo (s, f->patient_id, NULL, error);
}

static gboolean
call_patients_dup_photo (Fixture *f, ClinicSession *s, GError **error)
{
  g_autoptr(GBytes) photo = clinic_patients_dup_photo (s, f->patient_id, error);

  return photo != NULL;
}

static gboolean
call_waitlist_add (Fixture *f, ClinicSession *s, GError **error)
{
  g_autoptr(ClinicWaitlistEntry) e = clinic_waitlist_entry_new ();

  e->patient_id = f->patient_id;
  e->visit_type_id = f->visit_type_id;
  e->urgency = CLINIC_WAITLIST_URGENT;
  return clinic_waitlist_add (s, e, error) != 0;
}

static gboolean
call_waitlist_list (Fixture *f, ClinicSession *s, GError **error)
{
  g_autoptr(GPtrArray) list = clinic_waitlist_list (s, error);

  return list != NULL;
}

static gboolean
call_waitlist_mark_booked (Fixture *f, ClinicSession *s, GError **error)
{
  return clinic_waitlist_mark_booked (s, f->waitlist_id, error);
}

static gboolean
call_waitlist_matches_for (Fixture *f, ClinicSession *s, GError **error)
{
  g_autoptr(GPtrArray) list = clinic_waitlist_matches_for (s, f->appointment_id, error);

  return list != NULL;
}

static gboolean
call_waitlist_remove (Fixture *f, ClinicSession *s, GError **error)
{
  return clinic_waitlist_remove (s, f->waitlist_id, error);
}

static const Row rows[] = {
  { "clinic_appointments_book",         SCHEDULE_ANY, call_appointments_book },
  { "clinic_appointments_cancel",       SCHEDULE_ANY, call_appointments_cancel },
  { "clinic_appointments_edit",         SCHEDULE_ANY, call_appointments_edit },
  { "clinic_appointments_for_patient",  SCHEDULE_ANY, call_appointments_for_patient },
  { "clinic_appointments_get",          SCHEDULE_ANY, call_appointments_get },
  { "clinic_appointments_history",      SCHEDULE_ANY, call_appointments_history },
  { "clinic_appointments_import",       CLINIC_PERMISSION_SCHEDULE_ALL, call_appointments_import },
  { "clinic_appointments_list",         SCHEDULE_ANY, call_appointments_list },
  { "clinic_appointments_reschedule",   SCHEDULE_ANY, call_appointments_reschedule },
  { "clinic_appointments_set_room",     SCHEDULE_ANY, call_appointments_set_room },
  { "clinic_appointments_set_status",   SCHEDULE_ANY, call_appointments_set_status },
  { "clinic_audit_export_csv",          CLINIC_PERMISSION_EXPORT,   call_audit_export_csv },
  { "clinic_audit_list",                CLINIC_PERMISSION_AUDIT,    call_audit_list },
  { "clinic_audit_verify",              CLINIC_PERMISSION_AUDIT,    call_audit_verify },
  { "clinic_chart_add_addendum",        CLINIC_PERMISSION_CHART_WRITE, call_chart_add_addendum },
  { "clinic_chart_add_allergy",         CLINIC_PERMISSION_CHART_WRITE, call_chart_add_allergy },
  { "clinic_chart_add_item",            CLINIC_PERMISSION_CHART_WRITE, call_chart_add_item },
  { "clinic_chart_discard_note",        CLINIC_PERMISSION_CHART_WRITE, call_chart_discard_note },
  { "clinic_chart_discard_prescription", CLINIC_PERMISSION_PRESCRIPTIONS_WRITE, call_chart_discard_prescription },
  { "clinic_chart_end_item",            CLINIC_PERMISSION_CHART_WRITE, call_chart_end_item },
  { "clinic_chart_list_allergies",      CLINIC_PERMISSION_CHART_READ,  call_chart_list_allergies },
  { "clinic_chart_load",                CLINIC_PERMISSION_CHART_READ,  call_chart_load },
  { "clinic_chart_retract_allergy",     CLINIC_PERMISSION_CHART_WRITE, call_chart_retract_allergy },
  { "clinic_chart_save_note",           CLINIC_PERMISSION_CHART_WRITE, call_chart_save_note },
  { "clinic_chart_save_prescription",   CLINIC_PERMISSION_PRESCRIPTIONS_WRITE, call_chart_save_prescription },
  { "clinic_chart_set_no_known_allergies", CLINIC_PERMISSION_CHART_WRITE, call_chart_set_no_known_allergies },
  { "clinic_chart_sign_note",           CLINIC_PERMISSION_CHART_WRITE, call_chart_sign_note },
  { "clinic_chart_sign_prescription",   CLINIC_PERMISSION_PRESCRIPTIONS_WRITE, call_chart_sign_prescription },
  { "clinic_ics_export",                SCHEDULE_ANY, call_ics_export },
  { "clinic_ics_import",                CLINIC_PERMISSION_SCHEDULE_ALL, call_ics_import },
  { "clinic_ics_preview",               CLINIC_PERMISSION_SCHEDULE_ALL, call_ics_preview },
  { "clinic_insurance_list",            CLINIC_PERMISSION_PATIENTS_CONTACT_READ, call_insurance_list },
  { "clinic_insurance_save",            CLINIC_PERMISSION_PATIENTS_CONTACT_WRITE, call_insurance_save },
  { "clinic_insurance_status",          CLINIC_PERMISSION_PATIENTS_CONTACT_READ, call_insurance_status },
  { "clinic_documents_add",             CLINIC_PERMISSION_CHART_WRITE, call_documents_add },
  { "clinic_documents_list",            CLINIC_PERMISSION_CHART_READ,  call_documents_list },
  { "clinic_documents_read",            CLINIC_PERMISSION_CHART_READ,  call_documents_read },
  { "clinic_documents_remove",          CLINIC_PERMISSION_CHART_WRITE, call_documents_remove },
  { "clinic_kiosk_start",               CLINIC_PERMISSION_KIOSK_START, call_kiosk_start },
  { "clinic_patients_create",           CLINIC_PERMISSION_PATIENTS_CONTACT_WRITE, call_patients_create },
  { "clinic_patients_dup_photo",        CLINIC_PERMISSION_PATIENTS_CONTACT_READ,  call_patients_dup_photo },
  { "clinic_patients_find_duplicates",  CLINIC_PERMISSION_PATIENTS_CONTACT_READ,  call_patients_find_duplicates },
  { "clinic_patients_find_registered",  CLINIC_PERMISSION_PATIENTS_CONTACT_READ,  call_patients_find_registered },
  { "clinic_patients_get",              CLINIC_PERMISSION_PATIENTS_CONTACT_READ,  call_patients_get },
  { "clinic_patients_get_by_chart_number", CLINIC_PERMISSION_PATIENTS_CONTACT_READ, call_patients_get_by_chart_number },
  { "clinic_patients_import",           CLINIC_PERMISSION_PATIENTS_CONTACT_WRITE, call_patients_import },
  { "clinic_patients_import_full",      CLINIC_PERMISSION_PATIENTS_CONTACT_WRITE, call_patients_import_full },
  { "clinic_patients_link_account",     CLINIC_PERMISSION_USERS,                  call_patients_link_account },
  { "clinic_patients_merge",            CLINIC_PERMISSION_PATIENTS_MERGE,         call_patients_merge },
  { "clinic_patients_merge_preview",    CLINIC_PERMISSION_PATIENTS_MERGE,         call_patients_merge_preview },
  { "clinic_patients_search",           CLINIC_PERMISSION_PATIENTS_CONTACT_READ,  call_patients_search },
  { "clinic_patients_set_photo",        CLINIC_PERMISSION_PATIENTS_CONTACT_WRITE, call_patients_set_photo },
  { "clinic_patients_set_status",       CLINIC_PERMISSION_PATIENTS_CONTACT_WRITE, call_patients_set_status },
  { "clinic_patients_update",           CLINIC_PERMISSION_PATIENTS_CONTACT_WRITE, call_patients_update },
  { "clinic_registrations_confirm",     CLINIC_PERMISSION_PATIENTS_CONTACT_WRITE, call_registrations_confirm },
  { "clinic_registrations_count_pending", CLINIC_PERMISSION_PATIENTS_CONTACT_WRITE, call_registrations_count_pending },
  { "clinic_registrations_list_pending", CLINIC_PERMISSION_PATIENTS_CONTACT_WRITE, call_registrations_list_pending },
  { "clinic_registrations_reject",      CLINIC_PERMISSION_PATIENTS_CONTACT_WRITE, call_registrations_reject },
  { "clinic_roles_create",              CLINIC_PERMISSION_USERS,    call_roles_create },
  { "clinic_roles_delete",              CLINIC_PERMISSION_USERS,    call_roles_delete },
  { "clinic_roles_list",                CLINIC_PERMISSION_USERS,    call_roles_list },
  { "clinic_roles_rename",              CLINIC_PERMISSION_USERS,    call_roles_rename },
  { "clinic_recurrence_book",           SCHEDULE_ANY, call_recurrence_book },
  { "clinic_recurrence_cancel",         SCHEDULE_ANY, call_recurrence_cancel },
  { "clinic_recurrence_preview",        SCHEDULE_ANY, call_recurrence_preview },
  { "clinic_recurrence_reschedule",     SCHEDULE_ANY, call_recurrence_reschedule },
  { "clinic_recurrence_scope",          SCHEDULE_ANY, call_recurrence_scope },
  { "clinic_roles_set_permission",      CLINIC_PERMISSION_USERS,    call_roles_set_permission },
  { "clinic_settings_reset",            CLINIC_PERMISSION_SETTINGS, call_settings_reset },
  { "clinic_settings_set",              CLINIC_PERMISSION_SETTINGS, call_settings_set },
  { "clinic_providers_list",            SCHEDULE_ANY, call_providers_list },
  { "clinic_providers_lookup",          SCHEDULE_ANY, call_providers_lookup },
  { "clinic_providers_set",             CLINIC_PERMISSION_USERS, call_providers_set },
  { "clinic_rooms_list",                SCHEDULE_ANY, call_rooms_list },
  { "clinic_rooms_lookup",              SCHEDULE_ANY, call_rooms_lookup },
  { "clinic_rooms_save",                CLINIC_PERMISSION_SETTINGS, call_rooms_save },
  { "clinic_schedule_add_exception",    SCHEDULE_ANY, call_schedule_add_exception },
  { "clinic_schedule_availability",     SCHEDULE_ANY, call_schedule_availability },
  { "clinic_schedule_get_hours",        SCHEDULE_ANY, call_schedule_get_hours },
  { "clinic_schedule_list_exceptions",  SCHEDULE_ANY, call_schedule_list_exceptions },
  { "clinic_schedule_remove_exception", SCHEDULE_ANY, call_schedule_remove_exception },
  { "clinic_schedule_room_at",          SCHEDULE_ANY, call_schedule_room_at },
  { "clinic_schedule_set_hours",        SCHEDULE_ANY, call_schedule_set_hours },
  { "clinic_storage_backup",            CLINIC_PERMISSION_BACKUPS,  call_storage_backup },
  { "clinic_storage_rekey",             CLINIC_PERMISSION_BACKUPS,  call_storage_rekey },
  { "clinic_storage_verify",            CLINIC_PERMISSION_BACKUPS,  call_storage_verify },
  { "clinic_users_change_own_password", SELF,                       call_users_change_own_password },
  { "clinic_users_clear_lockout",       CLINIC_PERMISSION_USERS,    call_users_clear_lockout },
  { "clinic_users_create",              CLINIC_PERMISSION_USERS,    call_users_create },
  { "clinic_users_list",                CLINIC_PERMISSION_USERS,    call_users_list },
  { "clinic_users_lookup_by_name",      CLINIC_PERMISSION_USERS,    call_users_lookup_by_name },
  { "clinic_users_reset_password",      CLINIC_PERMISSION_USERS,    call_users_reset_password },
  { "clinic_users_set_disabled",        CLINIC_PERMISSION_USERS,    call_users_set_disabled },
  { "clinic_users_set_display_name",    CLINIC_PERMISSION_USERS,    call_users_set_display_name },
  { "clinic_users_set_role",            CLINIC_PERMISSION_USERS,    call_users_set_role },
  { "clinic_visit_types_list",          SCHEDULE_ANY, call_visit_types_list },
  { "clinic_visit_types_lookup",        SCHEDULE_ANY, call_visit_types_lookup },
  { "clinic_visit_types_save",          CLINIC_PERMISSION_SETTINGS, call_visit_types_save },
  { "clinic_waitlist_add",              CLINIC_PERMISSION_SCHEDULE_ALL, call_waitlist_add },
  { "clinic_waitlist_list",             CLINIC_PERMISSION_SCHEDULE_ALL, call_waitlist_list },
  { "clinic_waitlist_mark_booked",      CLINIC_PERMISSION_SCHEDULE_ALL, call_waitlist_mark_booked },
  { "clinic_waitlist_matches_for",      CLINIC_PERMISSION_SCHEDULE_ALL, call_waitlist_matches_for },
  { "clinic_waitlist_remove",           CLINIC_PERMISSION_SCHEDULE_ALL, call_waitlist_remove },
};

/* --- The state of everything ------------------------------------------ */

static int
compare_lines (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

/* A digest of every row of every table and of every file beside the
 * database: what "unchanged" means here. */
static char *
snapshot (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GDir) dir = NULL;
  guint8 digest[crypto_generichash_BYTES];
  crypto_generichash_state state;
  const char *name;

  {
    /* Every row of every table (clinic_test_dump_tables), a line each. */
    g_autofree char *dump = clinic_test_dump_tables (f->db);
    g_auto(GStrv) row_lines = g_strsplit (dump, "\n", -1);

    for (guint i = 0; row_lines[i] != NULL; i++)
      g_ptr_array_add (lines, g_strdup (row_lines[i]));
  }

  /* The key file, the anchor file, whether a backup appeared, and the
   * attachments (their folder, one level down). */
  dir = g_dir_open (f->dir, 0, &error);
  g_assert_no_error (error);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *file = g_build_filename (f->dir, name, NULL);
      g_autofree char *contents = NULL;
      gsize len = 0;

      if (g_file_test (file, G_FILE_TEST_IS_DIR))
        {
          g_autoptr(GDir) sub = g_dir_open (file, 0, &error);
          const char *child;

          g_assert_no_error (error);
          while ((child = g_dir_read_name (sub)) != NULL)
            {
              g_autofree char *child_path = g_build_filename (file, child, NULL);
              g_autofree char *child_contents = NULL;
              gsize child_len = 0;

              g_assert_true (g_file_get_contents (child_path, &child_contents, &child_len, NULL));
              g_ptr_array_add (lines, g_strdup_printf ("file %s/%s %" G_GSIZE_FORMAT, name, child,
                                                       child_len));
              g_ptr_array_add (lines, g_base64_encode ((const guchar *) child_contents, child_len));
            }
          continue;
        }

      /* The database's own files are covered by the rows above; the lock
       * and lock-out files change with every sign-in. */
      if (g_str_has_suffix (name, ".db") || g_str_has_suffix (name, "-wal") ||
          g_str_has_suffix (name, "-shm") || g_str_has_suffix (name, ".lock") ||
          strstr (name, ".lockout") != NULL)
        continue;
      g_assert_true (g_file_get_contents (file, &contents, &len, NULL));
      g_ptr_array_add (lines, g_strdup_printf ("file %s %" G_GSIZE_FORMAT, name, len));
      g_ptr_array_add (lines, g_base64_encode ((const guchar *) contents, len));
    }

  g_ptr_array_sort (lines, compare_lines);
  crypto_generichash_init (&state, NULL, 0, sizeof digest);
  for (guint i = 0; i < lines->len; i++)
    {
      const char *line = g_ptr_array_index (lines, i);

      crypto_generichash_update (&state, (const guint8 *) line, strlen (line) + 1);
    }
  crypto_generichash_final (&state, digest, sizeof digest);

  return g_base64_encode (digest, sizeof digest);
}

/* --- Sessions ---------------------------------------------------------- */

static ClinicSession *
sign_in (Fixture    *f,
         const char *user)
{
  g_autoptr(GError) error = NULL;
  ClinicSession *session = clinic_session_sign_in (f->db, user, PASSWORD, &error);

  g_assert_no_error (error);
  g_assert_nonnull (session);
  return session;
}

/* A role with every permission but @missing, and a user holding it. */
static ClinicSession *
session_lacking (Fixture          *f,
                 ClinicPermission  missing)
{
  g_autoptr(GError) error = NULL;
  const char *id = missing == SCHEDULE_ANY ? "schedule" : clinic_permission_get_id (missing);
  g_autofree char *role_name = g_strdup_printf ("Without %s", id);
  g_autofree char *user = g_strdup_printf ("lacks-%s", id);
  gint64 role;

  role = clinic_roles_create (f->admin, role_name, &error);
  g_assert_no_error (error);
  for (guint p = 0; p < CLINIC_N_PERMISSIONS; p++)
    if (p != missing
        && !(missing == SCHEDULE_ANY && (p == CLINIC_PERMISSION_SCHEDULE_OWN || p == CLINIC_PERMISSION_SCHEDULE_ALL)))
      {
        clinic_roles_set_permission (f->admin, role, p, TRUE, &error);
        g_assert_no_error (error);
      }
  clinic_users_create (f->admin, user, user, CLINIC_USER_STAFF, role, PASSWORD,
                       &CLINIC_KDF_LIMITS_TEST, &error);
  g_assert_no_error (error);

  return sign_in (f, user);
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *recovery = NULL;
  g_autoptr(GPtrArray) roles = NULL;
  gint64 doctor_role = 0;
  ClinicDb *created;

  f->dir = g_dir_make_tmp ("clinic-permissions-XXXXXX", &error);
  g_assert_no_error (error);
  f->path = g_build_filename (f->dir, "clinic.db", NULL);
  created = clinic_db_create (f->path, "Lindenhof Practice", &admin_creds, &recovery, &error);
  g_assert_no_error (error);
  g_object_unref (created);

  f->db = clinic_db_open (f->path, &admin_creds, &error);
  g_assert_no_error (error);
  f->admin = clinic_session_start (f->db, &error);
  g_assert_no_error (error);

  f->clerk_role = clinic_roles_create (f->admin, "Clerks", &error);
  g_assert_no_error (error);
  roles = clinic_roles_list (f->admin, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < roles->len; i++)
    {
      ClinicRole *role = g_ptr_array_index (roles, i);

      if (g_strcmp0 (role->builtin, "doctor") == 0)
        doctor_role = role->id;
    }
  g_assert_cmpint (doctor_role, >, 0);
  f->doctor_id = clinic_users_create (f->admin, "doctor", "Dr. Weber", CLINIC_USER_STAFF,
                                      doctor_role, PASSWORD, &CLINIC_KDF_LIMITS_TEST, &error);
  g_assert_no_error (error);
  clinic_users_create (f->admin, "patient", "Paula Patient", CLINIC_USER_PATIENT, 0, PASSWORD,
                       &CLINIC_KDF_LIMITS_TEST, &error);
  g_assert_no_error (error);

  {
    g_autoptr(ClinicPatient) p = clinic_test_patient_new ("Müller", "Hans", "1980-02-03", "030 555 0100");

    f->patient_id = clinic_patients_create (f->admin, p, FALSE, &error);
    g_assert_no_error (error);
    f->other_patient_id = clinic_patients_create (f->admin, p, TRUE, &error);
    g_assert_no_error (error);
  }

  /* A doctor taking appointments (Monday to Friday 8–18), a visit type,
   * an appointment and a blocked hour, for the scheduling rows. */
  {
    g_autoptr(ClinicVisitType) t = clinic_visit_type_new ();
    g_autoptr(GArray) hours = g_array_new (FALSE, TRUE, sizeof (ClinicHoursBlock));
    ClinicBooking b = { 0 };
    ClinicScheduleException e = { 0 };

    g_assert_true (clinic_providers_set (f->admin, f->doctor_id, TRUE, &error));
    for (int d = 1; d <= 5; d++)
      {
        ClinicHoursBlock block = { d, 8 * 60, 18 * 60, 0 };

        g_array_append_val (hours, block);
      }
    g_assert_true (clinic_schedule_set_hours (f->admin, f->doctor_id, hours, &error));
    g_free (t->name);
    t->name = g_strdup ("Check-up");
    t->patient_bookable = TRUE;
    f->visit_type_id = clinic_visit_types_save (f->admin, t, &error);
    g_assert_no_error (error);
    {
      g_autoptr(ClinicRoom) room = clinic_room_new ();

      g_free (room->name);
      room->name = g_strdup ("Room 1");
      g_assert_cmpint (clinic_rooms_save (f->admin, room, &error), >, 0);
      g_assert_no_error (error);
    }
    b.patient_id = f->patient_id;
    b.provider_id = f->doctor_id;
    b.visit_type_id = f->visit_type_id;
    b.starts_at = booking_start ();
    f->appointment_id = clinic_appointments_book (f->admin, &b, &error);
    g_assert_no_error (error);
    e.provider_id = f->doctor_id;
    e.kind = CLINIC_EXCEPTION_BLOCK;
    e.starts_at = booking_start () + 4 * 3600;
    e.ends_at = e.starts_at + 3600;
    e.reason = (char *) "Meeting";
    f->exception_id = clinic_schedule_add_exception (f->admin, &e, &error);
    g_assert_no_error (error);
    {
      g_autoptr(ClinicWaitlistEntry) w = clinic_waitlist_entry_new ();

      w->patient_id = f->other_patient_id;
      w->visit_type_id = f->visit_type_id;
      f->waitlist_id = clinic_waitlist_add (f->admin, w, &error);
      g_assert_no_error (error);
    }
  }

  /* A document and a photo for the rows that read or remove them. */
  {
    g_autoptr(GBytes) pdf = g_bytes_new_static (SOME_PDF, sizeof SOME_PDF - 1);
    g_autoptr(GBytes) png = g_bytes_new_static (SOME_PNG, sizeof SOME_PNG - 1);

    f->document_id = clinic_documents_add (f->admin, f->patient_id, "Referral", NULL, pdf, &error);
    g_assert_no_error (error);
    clinic_patients_set_photo (f->admin, f->patient_id, png, &error);
    g_assert_no_error (error);
  }

  /* A patient who registered at the kiosk and waits for the front desk:
   * what confirm and reject would change. */
  {
    g_autoptr(ClinicPatient) p = clinic_test_patient_new ("Keller", "Jana", "1991-07-08", "030 555 0177");
    g_autoptr(ClinicKiosk) kiosk = clinic_kiosk_start (f->admin, &error);
    g_autoptr(ClinicUser) user = NULL;

    g_assert_no_error (error);
    g_assert_true (clinic_patients_self_register (kiosk, p, "jana", PASSWORD, &CLINIC_KDF_LIMITS_TEST,
                                                  NULL, &error));
    g_assert_no_error (error);
    user = clinic_users_lookup_by_name (f->admin, "jana", &error);
    g_assert_no_error (error);
    f->registered_user_id = user->id;
  }
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_clear_object (&f->admin);
  g_clear_object (&f->db);
  clinic_test_remove_tree (f->dir);
  g_free (f->path);
  g_free (f->dir);
}

/* --- Tests ------------------------------------------------------------- */

static void
test_every_entry_point_has_a_row (void)
{
  g_autoptr(GString) missing = g_string_new (NULL);
  g_autoptr(GString) stale = g_string_new (NULL);
  guint n = 0;

  for (guint i = 0; generated_entry_points[i] != NULL; i++, n++)
    {
      gboolean found = FALSE;

      for (gsize r = 0; r < G_N_ELEMENTS (rows) && !found; r++)
        found = g_str_equal (rows[r].name, generated_entry_points[i]);
      if (!found)
        g_string_append_printf (missing, " %s", generated_entry_points[i]);
    }

  for (gsize r = 0; r < G_N_ELEMENTS (rows); r++)
    {
      gboolean found = FALSE;

      for (guint i = 0; generated_entry_points[i] != NULL && !found; i++)
        found = g_str_equal (rows[r].name, generated_entry_points[i]);
      if (!found)
        g_string_append_printf (stale, " %s", rows[r].name);
    }

  if (missing->len > 0)
    g_error ("Core entry points without a row in tests/test-permissions.c:%s", missing->str);
  if (stale->len > 0)
    g_error ("Rows for functions that are no longer entry points:%s", stale->str);
  g_test_message ("%u entry points, each with a row", n);
  g_assert_cmpuint (n, ==, G_N_ELEMENTS (rows));
}

static void
expect_refused (Fixture       *f,
                const Row     *row,
                ClinicSession *session,
                const char    *who,
                ClinicError    code)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *before = snapshot (f);
  g_autofree char *after = NULL;
  gboolean ok;

  ok = row->call (f, session, &error);
  if (ok || !g_error_matches (error, CLINIC_ERROR, code))
    g_error ("%s with %s: expected %s, got %s", row->name, who,
             code == CLINIC_ERROR_PERMISSION_DENIED ? "PERMISSION_DENIED" : "SIGNED_OUT",
             ok ? "success" : error->message);

  after = snapshot (f);
  if (g_strcmp0 (before, after) != 0)
    g_error ("%s with %s changed the database or its files although it was refused",
             row->name, who);
}

/* A patient's session may read what patients read (doctors, visit
 * types, free times, their own appointments), and must change nothing of
 * anyone else's. */
static void
expect_harmless (Fixture       *f,
                 const Row     *row,
                 ClinicSession *session,
                 const char    *who)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *before = snapshot (f);
  g_autofree char *after = NULL;
  gboolean ok;

  ok = row->call (f, session, &error);
  if (!ok && !g_error_matches (error, CLINIC_ERROR, CLINIC_ERROR_PERMISSION_DENIED))
    g_error ("%s with %s: expected success or PERMISSION_DENIED, got %s", row->name, who, error->message);
  after = snapshot (f);
  if (g_strcmp0 (before, after) != 0)
    g_error ("%s with %s changed the database or its files", row->name, who);
}

static void
test_row (Fixture       *f,
          gconstpointer  data)
{
  const Row *row = data;
  g_autoptr(ClinicSession) patient = sign_in (f, "patient");

  if (row->permission == SELF)
    {
      g_autoptr(ClinicSession) ended = sign_in (f, "doctor");

      clinic_session_sign_out (ended);
      expect_refused (f, row, ended, "a signed-out session", CLINIC_ERROR_SIGNED_OUT);
    }
  else
    {
      g_autoptr(ClinicSession) lacking = session_lacking (f, row->permission);

      expect_refused (f, row, lacking, "a session lacking the permission",
                      CLINIC_ERROR_PERMISSION_DENIED);
      if (row->permission == SCHEDULE_ANY)
        expect_harmless (f, row, patient, "a patient's session");
      else
        expect_refused (f, row, patient, "a patient's session", CLINIC_ERROR_PERMISSION_DENIED);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_assert_true (sodium_init () >= 0);
  clinic_keys_allow_test_limits (TRUE);

  g_test_add_func ("/permissions/every-entry-point-has-a-row", test_every_entry_point_has_a_row);
  for (gsize r = 0; r < G_N_ELEMENTS (rows); r++)
    {
      g_autofree char *path = g_strdup_printf ("/permissions/%s", rows[r].name);

      g_test_add (path, Fixture, &rows[r], fixture_set_up, test_row, fixture_tear_down);
    }

  return g_test_run ();
}
