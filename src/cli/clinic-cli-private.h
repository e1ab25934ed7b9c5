/* clinic-cli-private.h — what the command files share with clinic-cli.c */

#pragma once

#include "clinic-cli.h"
#include "clinic-session.h"

G_BEGIN_DECLS

/* Opens the database as --user (or with the recovery key) and starts
 * that user's session. */
ClinicSession *clinic_cli_start_session (ClinicCliContext  *context,
                                         GError           **error);

/* Parses the command's own options; exactly @n_positional words must be
 * left after the command's name. */
gboolean       clinic_cli_parse_options (int            *argc,
                                         char         ***argv,
                                         GOptionEntry   *entries,
                                         int             n_positional,
                                         GError        **error);

/* The scheduling commands (clinic-cli-schedule.c). */
gboolean clinic_cli_command_availability (ClinicCliContext *context, int argc, char **argv, GError **error);
gboolean clinic_cli_command_appointments (ClinicCliContext *context, int argc, char **argv, GError **error);
gboolean clinic_cli_command_visit_types  (ClinicCliContext *context, int argc, char **argv, GError **error);
gboolean clinic_cli_command_rooms        (ClinicCliContext *context, int argc, char **argv, GError **error);

/* The calendar commands (clinic-cli-calendar.c): export ics, import ics. */
gboolean clinic_cli_command_export     (ClinicCliContext *context, int argc, char **argv, GError **error);
gboolean clinic_cli_command_import_ics (ClinicCliContext *context, int argc, char **argv, GError **error);

G_END_DECLS
