/* clinic-file.h — writing the small files beside the database durably
 *
 * The key slots file, the lock-out file and the swap marker are replaced
 * whole: a temporary file beside the target, fsync, rename over it, fsync
 * of the folder. After a crash or power cut at any moment the target is
 * either the old file or the new one, never a mixture.
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Replaces @path with @len bytes of @data (mode 0600) as above. On failure
 * before the rename, @path is untouched and no temporary file is left;
 * errors are G_FILE_ERROR with the system's words, for the caller's own
 * sentence. */
gboolean clinic_file_replace     (const char   *path,
                                  const void   *data,
                                  gsize         len,
                                  GError      **error);

/* fsync of @folder, so that a rename or unlink in it survives a power cut.
 * G_FILE_ERROR on failure. */
gboolean clinic_file_sync_folder (const char   *folder,
                                  GError      **error);

/* For tests that simulate a power cut inside clinic_file_replace(): the
 * hook is called after each step with the temporary file's name; when it
 * returns TRUE the power is "cut" there: the call returns FALSE at once
 * and leaves the files as they are, for the test to reduce to what a disk
 * could hold. NULL removes the hook. Not thread safe. */
typedef enum
{
  CLINIC_FILE_STEP_WRITTEN,  /* temporary file written, not yet synced */
  CLINIC_FILE_STEP_SYNCED,   /* temporary file synced, not yet renamed */
  CLINIC_FILE_STEP_RENAMED,  /* renamed, folder not yet synced */
} ClinicFileStep;

typedef gboolean (*ClinicFileCrashHook) (const char     *path,
                                         const char     *tmp_path,
                                         ClinicFileStep  step,
                                         gpointer        user_data);

void     clinic_file_set_crash_hook_for_testing (ClinicFileCrashHook hook,
                                                 gpointer            user_data);

G_END_DECLS
