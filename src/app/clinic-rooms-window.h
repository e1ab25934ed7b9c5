/* clinic-rooms-window.h — the clinic's rooms: add, rename, retire and
 * reactivate
 *
 * A small window opened from the calendar's menu. Each change goes
 * through the core (clinic_rooms_save(), SETTINGS), and a refusal is shown
 * in the window with what was typed left in place.
 */

#pragma once

#include <adwaita.h>

#include "clinic-session.h"

G_BEGIN_DECLS

#define CLINIC_TYPE_ROOMS_WINDOW (clinic_rooms_window_get_type ())

G_DECLARE_FINAL_TYPE (ClinicRoomsWindow, clinic_rooms_window, CLINIC, ROOMS_WINDOW, AdwWindow)

/* (transfer none: the window belongs to GTK's toplevel list; present it) */
GtkWindow  *clinic_rooms_window_new        (GtkWindow          *parent,
                                            ClinicSession      *session);

/* As the Add Room button does with the typed name; the new id, or 0
 * after showing the refusal. */
gint64      clinic_rooms_window_add        (ClinicRoomsWindow  *self);
/* As a row's Rename and Retire/Reactivate buttons do. */
gboolean    clinic_rooms_window_rename     (ClinicRoomsWindow  *self,
                                            gint64              room_id,
                                            const char         *name);
gboolean    clinic_rooms_window_set_active (ClinicRoomsWindow  *self,
                                            gint64              room_id,
                                            gboolean            active);
/* The refusal shown, or NULL. */
const char *clinic_rooms_window_get_error  (ClinicRoomsWindow  *self);

G_END_DECLS
