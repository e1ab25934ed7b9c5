/* clinic-schedule-forms.h — the forms that set up the appointment book:
 * a doctor's week, an exception (day off, blocked time, extra hours) and
 * a visit type. Each is a ClinicFormWindow; the core checks and refuses
 * with its sentence, which the form shows. */

#pragma once

#include <adwaita.h>

#include "clinic-schedule.h"

G_BEGIN_DECLS

/* One line per weekday, "08:00-12:00 Room 1, 13:00-17:00" (empty: not
 * working; a room's name after a block's hours puts it there). */
GtkWindow *clinic_hours_form_new       (GtkWindow      *parent,
                                        ClinicSession  *session,
                                        gint64          provider_id,
                                        const char     *provider_name);

/* Parses one weekday's line into @blocks, naming rooms of @rooms
 * (ClinicRoom, any case; NULL: none); FALSE with CLINIC_ERROR_INVALID. */
gboolean   clinic_hours_parse_day      (const char     *text,
                                        int             weekday,
                                        GPtrArray      *rooms,
                                        GArray         *blocks,
                                        GError        **error);

GtkWindow *clinic_exception_form_new   (GtkWindow      *parent,
                                        ClinicSession  *session,
                                        gint64          provider_id,
                                        const char     *provider_name);

GtkWindow *clinic_visit_type_form_new  (GtkWindow      *parent,
                                        ClinicSession  *session);

G_END_DECLS
