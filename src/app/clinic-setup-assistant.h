/* clinic-setup-assistant.h — making the clinic's database on first start */

#pragma once

#include <adwaita.h>

#include "clinic-db.h"
#include "clinic-session.h"

G_BEGIN_DECLS

#define CLINIC_TYPE_SETUP_ASSISTANT (clinic_setup_assistant_get_type ())

G_DECLARE_FINAL_TYPE (ClinicSetupAssistant, clinic_setup_assistant, CLINIC, SETUP_ASSISTANT, AdwBin)

/*
 * ClinicSetupAssistant::finished:
 * @session: the first administrator's session on the new database
 *
 * The database was made, the clinic's details written, and the recovery
 * key shown and confirmed (one group typed back). The key is wiped from
 * the assistant's memory before this is emitted.
 */

/* @path: where the database is made; @limits: Argon2id limits for the
 * administrator's key slot (NULL: MODERATE; tests pass
 * CLINIC_KDF_LIMITS_TEST), copied.
 * Returns: (transfer floating). */
GtkWidget  *clinic_setup_assistant_new             (const char            *path,
                                                    const ClinicKdfLimits *limits);

/* The step shown: "clinic", "locale", "administrator" or "recovery-key".
 * Returns: (transfer none). */
const char *clinic_setup_assistant_get_step        (ClinicSetupAssistant  *self);

/* The group of the recovery key (from 0) the person is asked to type
 * back; meaningful on the "recovery-key" step. */
guint       clinic_setup_assistant_get_check_group (ClinicSetupAssistant  *self);

/* The message shown under the step, or NULL. Returns: (transfer none). */
const char *clinic_setup_assistant_get_error       (ClinicSetupAssistant  *self);

/* TRUE while the database is being made in the worker thread. */
gboolean    clinic_setup_assistant_get_busy        (ClinicSetupAssistant  *self);

G_END_DECLS
