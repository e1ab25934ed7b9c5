/* clinic-file.c — writing the small files beside the database durably */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <unistd.h>

#include "clinic-file.h"

static ClinicFileCrashHook crash_hook;
static gpointer crash_hook_data;

void
clinic_file_set_crash_hook_for_testing (ClinicFileCrashHook hook,
                                        gpointer            user_data)
{
  crash_hook = hook;
  crash_hook_data = user_data;
}

static gboolean
set_errno_error (GError **error,
                 int      saved_errno)
{
  g_set_error_literal (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                       g_strerror (saved_errno));
  return FALSE;
}

static gboolean
power_cut (const char      *path,
           const char      *tmp_path,
           ClinicFileStep   step,
           GError         **error)
{
  if (crash_hook == NULL || !crash_hook (path, tmp_path, step, crash_hook_data))
    return FALSE;

  g_set_error_literal (error, G_FILE_ERROR, G_FILE_ERROR_IO, "simulated power cut");
  return TRUE;
}

gboolean
clinic_file_sync_folder (const char  *folder,
                         GError     **error)
{
  int fd = open (folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

  if (fd < 0 || fsync (fd) != 0)
    {
      int saved_errno = errno;

      if (fd >= 0)
        close (fd);
      return set_errno_error (error, saved_errno);
    }

  close (fd);
  return TRUE;
}

gboolean
clinic_file_replace (const char  *path,
                     const void  *data,
                     gsize        len,
                     GError     **error)
{
  g_autofree char *tmp_path = g_strconcat (path, ".XXXXXX", NULL);
  g_autofree char *folder = g_path_get_dirname (path);
  const guint8 *bytes = data;
  gsize done = 0;
  int saved_errno = 0;
  int fd;

  fd = g_mkstemp_full (tmp_path, O_WRONLY | O_CLOEXEC, 0600);
  if (fd < 0)
    return set_errno_error (error, errno);

  while (done < len)
    {
      gssize n = write (fd, bytes + done, len - done);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          saved_errno = n < 0 ? errno : ENOSPC;
          break;
        }
      done += (gsize) n;
    }

  if (saved_errno == 0 && power_cut (path, tmp_path, CLINIC_FILE_STEP_WRITTEN, error))
    {
      close (fd);
      return FALSE;
    }

  if (saved_errno == 0 && fsync (fd) != 0)
    saved_errno = errno;
  if (close (fd) != 0 && saved_errno == 0)
    saved_errno = errno;

  if (saved_errno == 0 && power_cut (path, tmp_path, CLINIC_FILE_STEP_SYNCED, error))
    return FALSE;

  if (saved_errno == 0 && rename (tmp_path, path) != 0)
    saved_errno = errno;

  if (saved_errno != 0)
    {
      g_unlink (tmp_path);
      return set_errno_error (error, saved_errno);
    }

  if (power_cut (path, tmp_path, CLINIC_FILE_STEP_RENAMED, error))
    return FALSE;

  return clinic_file_sync_folder (folder, error);
}
