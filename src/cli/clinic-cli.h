/* clinic-cli.h — clinicctl's grammar
 *
 *   clinicctl [GLOBAL OPTIONS] COMMAND [ARGS] [GLOBAL OPTIONS]
 *
 * The global options (--database, --user, --password-stdin,
 * --recovery-key-stdin) may stand before or after the command; everything
 * else belongs to the command, which parses it with its own options.
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define CLINIC_CLI_ERROR (clinic_cli_error_quark ())

typedef enum
{
  CLINIC_CLI_ERROR_USAGE,         /* exit status 2 */
  CLINIC_CLI_ERROR_UNKNOWN_COMMAND,
  CLINIC_CLI_ERROR_FAILED,        /* exit status 1 */
} ClinicCliError;

GQuark clinic_cli_error_quark (void);

typedef struct
{
  char     *database;            /* absolute path */
  char     *user;                /* --user, or the OS login name */
  gboolean  password_stdin;
  gboolean  recovery_key_stdin;
  GOutputStream *out;            /* where results go (stdout) */
} ClinicCliContext;

/* A command gets the words after its name (argv[0] is the command name)
 * and returns FALSE with @error set on failure. */
typedef gboolean (*ClinicCliHandler) (ClinicCliContext  *context,
                                      int                argc,
                                      char             **argv,
                                      GError           **error);

typedef struct
{
  const char       *name;
  const char       *synopsis;    /* arguments, for --help */
  const char       *summary;     /* one line, translatable (N_()) */
  ClinicCliHandler  handler;
} ClinicCliCommand;

/* Parses @argv (clinicctl's own, including argv[0]), runs the command and
 * returns the process exit status: 0 on success, 1 when the command failed,
 * 2 when the words were wrong. Errors are written to @err as one sentence
 * each, results to @out. */
int  clinic_cli_run         (int            argc,
                             char         **argv,
                             GOutputStream *out,
                             GOutputStream *err);

/* Prints to the command's output. */
void clinic_cli_print       (ClinicCliContext *context,
                             const char       *format,
                             ...) G_GNUC_PRINTF (2, 3);

void clinic_cli_context_clear (ClinicCliContext *context);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (ClinicCliContext, clinic_cli_context_clear)

G_END_DECLS
