/* clinic-rooms-window.c — the clinic's rooms: add, rename, retire and
 * reactivate */

#include "config.h"

#include <glib/gi18n.h>

#include "clinic-app-utils.h"
#include "clinic-section.h"
#include "clinic-rooms-window.h"
#include "clinic-schedule.h"

struct _ClinicRoomsWindow
{
  AdwWindow      parent_instance;

  ClinicSession *session;
  GPtrArray     *rooms;     /* ClinicRoom, retired ones too */
  char          *error;

  GtkRevealer   *error_revealer;
  GtkLabel      *error_label;
  GtkEntry      *new_entry;
  GtkListBox    *list_box;
};

G_DEFINE_FINAL_TYPE (ClinicRoomsWindow, clinic_rooms_window, ADW_TYPE_WINDOW)

/* The window's inline error (clinic_section_show_error), and its text
 * for the tests. */
static void
show_error (ClinicRoomsWindow *self,
            const GError       *error)
{
  g_free (self->error);
  self->error = error != NULL ? g_strdup (error->message) : NULL;
  clinic_section_show_error (self->error_revealer, self->error_label, error);
}

const char *
clinic_rooms_window_get_error (ClinicRoomsWindow *self)
{
  g_return_val_if_fail (CLINIC_IS_ROOMS_WINDOW (self), NULL);
  return self->error;
}

static const ClinicRoom *
room_by_id (ClinicRoomsWindow *self,
            gint64             room_id)
{
  for (guint i = 0; self->rooms != NULL && i < self->rooms->len; i++)
    if (((ClinicRoom *) self->rooms->pdata[i])->id == room_id)
      return self->rooms->pdata[i];
  return NULL;
}

static gint64
room_id_of (gpointer widget)
{
  gint64 *id = g_object_get_data (G_OBJECT (widget), "room-id");

  return id != NULL ? *id : 0;
}

static void
set_room_id (gpointer widget,
             gint64   room_id)
{
  g_object_set_data_full (G_OBJECT (widget), "room-id", g_memdup2 (&room_id, sizeof room_id), g_free);
}

static void
on_rename_clicked (GtkButton         *button,
                   ClinicRoomsWindow *self)
{
  GtkEditable *entry = g_object_get_data (G_OBJECT (button), "entry");

  clinic_rooms_window_rename (self, room_id_of (button), gtk_editable_get_text (entry));
}

static void
on_name_activate (GtkEntry          *entry,
                  ClinicRoomsWindow *self)
{
  clinic_rooms_window_rename (self, room_id_of (entry), gtk_editable_get_text (GTK_EDITABLE (entry)));
}

static void
on_retire_clicked (GtkButton         *button,
                   ClinicRoomsWindow *self)
{
  const ClinicRoom *room = room_by_id (self, room_id_of (button));

  if (room != NULL)
    clinic_rooms_window_set_active (self, room->id, !room->active);
}

/* One row: the name, editable in place, Rename, and Retire or
 * Reactivate. */
static GtkWidget *
room_row (ClinicRoomsWindow *self,
          const ClinicRoom  *room)
{
  GtkWidget *row = gtk_list_box_row_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *entry = gtk_entry_new ();
  GtkWidget *rename = gtk_button_new_with_label (_("Rename"));
  GtkWidget *retire = gtk_button_new_with_label (room->active ? _("Retire") : _("Reactivate"));
  /* Translators: the accessible name of a room's name field */
  g_autofree char *name_label = g_strdup_printf (_("Name of room %s"), room->name);
  /* Translators: the accessible names of a room's buttons */
  g_autofree char *rename_label = g_strdup_printf (_("Rename room %s"), room->name);
  g_autofree char *retire_label = g_strdup_printf (room->active ? _("Retire room %s") : _("Reactivate room %s"),
                                                   room->name);

  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), FALSE);
  gtk_widget_set_margin_top (box, 6);
  gtk_widget_set_margin_bottom (box, 6);
  gtk_widget_set_margin_start (box, 6);
  gtk_widget_set_margin_end (box, 6);

  gtk_editable_set_text (GTK_EDITABLE (entry), room->name);
  gtk_widget_set_hexpand (entry, TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (entry), GTK_ACCESSIBLE_PROPERTY_LABEL, name_label, -1);
  set_room_id (entry, room->id);
  g_signal_connect (entry, "activate", G_CALLBACK (on_name_activate), self);
  gtk_box_append (GTK_BOX (box), entry);

  if (!room->active)
    {
      GtkWidget *retired = gtk_label_new (_("Retired"));

      gtk_widget_add_css_class (retired, "dim-label");
      gtk_box_append (GTK_BOX (box), retired);
    }

  gtk_accessible_update_property (GTK_ACCESSIBLE (rename), GTK_ACCESSIBLE_PROPERTY_LABEL, rename_label, -1);
  set_room_id (rename, room->id);
  g_object_set_data (G_OBJECT (rename), "entry", entry);
  g_signal_connect (rename, "clicked", G_CALLBACK (on_rename_clicked), self);
  gtk_box_append (GTK_BOX (box), rename);

  gtk_accessible_update_property (GTK_ACCESSIBLE (retire), GTK_ACCESSIBLE_PROPERTY_LABEL, retire_label, -1);
  set_room_id (retire, room->id);
  g_signal_connect (retire, "clicked", G_CALLBACK (on_retire_clicked), self);
  gtk_box_append (GTK_BOX (box), retire);

  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
  return row;
}

static void
reload (ClinicRoomsWindow *self)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *rooms = clinic_rooms_list (self->session, TRUE, &error);
  GtkWidget *child;

  if (rooms == NULL)
    {
      show_error (self, error);
      return;
    }
  g_clear_pointer (&self->rooms, g_ptr_array_unref);
  self->rooms = rooms;
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->list_box))) != NULL)
    gtk_list_box_remove (self->list_box, child);
  for (guint i = 0; i < rooms->len; i++)
    gtk_list_box_append (self->list_box, room_row (self, rooms->pdata[i]));
}

/* Saves @room; shows the refusal, or clears it and lists the rooms again. */
static gint64
save (ClinicRoomsWindow *self,
      const ClinicRoom  *room)
{
  g_autoptr(GError) error = NULL;
  gint64 id = clinic_rooms_save (self->session, room, &error);
  GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (self));

  show_error (self, error);
  if (id != 0)
    {
      gboolean in_list = focus != NULL && gtk_widget_is_ancestor (focus, GTK_WIDGET (self->list_box));

      reload (self);
      /* The row that had the focus is gone with the old list. */
      if (in_list)
        gtk_widget_grab_focus (GTK_WIDGET (self->new_entry));
    }
  return id;
}

gint64
clinic_rooms_window_add (ClinicRoomsWindow *self)
{
  g_autoptr(ClinicRoom) room = clinic_room_new ();
  gint64 id;

  g_return_val_if_fail (CLINIC_IS_ROOMS_WINDOW (self), 0);

  g_free (room->name);
  room->name = g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->new_entry)));
  id = save (self, room);
  if (id != 0)
    gtk_editable_set_text (GTK_EDITABLE (self->new_entry), "");
  return id;
}

/* Saves room @room_id with @name (NULL: as it is) and @active. */
static gboolean
change (ClinicRoomsWindow *self,
        gint64             room_id,
        const char        *name,
        gboolean           active)
{
  const ClinicRoom *room = room_by_id (self, room_id);
  ClinicRoom changed = { 0 };

  if (room == NULL)
    return FALSE;
  changed.id = room->id;
  changed.name = (char *) (name != NULL ? name : room->name);
  changed.active = active;
  return save (self, &changed) != 0;
}

gboolean
clinic_rooms_window_rename (ClinicRoomsWindow *self,
                            gint64             room_id,
                            const char        *name)
{
  const ClinicRoom *room;

  g_return_val_if_fail (CLINIC_IS_ROOMS_WINDOW (self), FALSE);
  g_return_val_if_fail (name != NULL, FALSE);

  room = room_by_id (self, room_id);
  return room != NULL && change (self, room_id, name, room->active);
}

gboolean
clinic_rooms_window_set_active (ClinicRoomsWindow *self,
                                gint64             room_id,
                                gboolean           active)
{
  g_return_val_if_fail (CLINIC_IS_ROOMS_WINDOW (self), FALSE);
  return change (self, room_id, NULL, active);
}

static void
on_new_activate (ClinicRoomsWindow *self)
{
  clinic_rooms_window_add (self);
}

static void
add_action (GtkWidget  *widget,
            const char *action_name,
            GVariant   *parameter)
{
  clinic_rooms_window_add (CLINIC_ROOMS_WINDOW (widget));
}

static void
clinic_rooms_window_dispose (GObject *object)
{
  ClinicRoomsWindow *self = CLINIC_ROOMS_WINDOW (object);

  gtk_widget_dispose_template (GTK_WIDGET (object), CLINIC_TYPE_ROOMS_WINDOW);
  g_clear_object (&self->session);
  g_clear_pointer (&self->rooms, g_ptr_array_unref);
  g_clear_pointer (&self->error, g_free);

  G_OBJECT_CLASS (clinic_rooms_window_parent_class)->dispose (object);
}

static void
clinic_rooms_window_class_init (ClinicRoomsWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  clinic_ensure_resources ();
  object_class->dispose = clinic_rooms_window_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, "/com/example/Clinic/ui/clinic-rooms-window.ui");
  gtk_widget_class_bind_template_child (widget_class, ClinicRoomsWindow, error_revealer);
  gtk_widget_class_bind_template_child (widget_class, ClinicRoomsWindow, error_label);
  gtk_widget_class_bind_template_child (widget_class, ClinicRoomsWindow, new_entry);
  gtk_widget_class_bind_template_child (widget_class, ClinicRoomsWindow, list_box);
  gtk_widget_class_bind_template_callback (widget_class, on_new_activate);

  gtk_widget_class_install_action (widget_class, "rooms.add", NULL, add_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
clinic_rooms_window_init (ClinicRoomsWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWindow *
clinic_rooms_window_new (GtkWindow     *parent,
                         ClinicSession *session)
{
  ClinicRoomsWindow *self;

  g_return_val_if_fail (CLINIC_IS_SESSION (session), NULL);

  self = g_object_new (CLINIC_TYPE_ROOMS_WINDOW, "transient-for", parent, NULL);
  self->session = g_object_ref (session);
  reload (self);
  gtk_widget_grab_focus (GTK_WIDGET (self->new_entry));
  return GTK_WINDOW (self);
}
