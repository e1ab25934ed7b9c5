/* clinic-section.h — what every section of the shell has in common
 *
 * A section is one page beside the shell's sidebar (Dashboard, Users,
 * Audit, …). It is built for one session and keeps it for its life; the
 * core checks that session's permissions on every call the section makes.
 */

#pragma once

#include <adwaita.h>

#include "clinic-session.h"

G_BEGIN_DECLS

#define CLINIC_TYPE_SECTION (clinic_section_get_type ())

G_DECLARE_DERIVABLE_TYPE (ClinicSection, clinic_section, CLINIC, SECTION, AdwBin)

struct _ClinicSectionClass
{
  AdwBinClass parent_class;

  /* Called once the session is set (at construction). */
  void (*session_set) (ClinicSection *self);
};

/* (transfer none) */
ClinicSession *clinic_section_get_session (ClinicSection *self);

/* Shows @error's message in @label (revealing @revealer), or hides it
 * when @error is NULL. The shared inline error style of every section. */
void           clinic_section_show_error  (GtkRevealer   *revealer,
                                           GtkLabel      *label,
                                           const GError  *error);

G_END_DECLS
