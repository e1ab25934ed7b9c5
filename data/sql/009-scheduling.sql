-- 009: scheduling. Who sees patients (providers), their weekly hours and
-- exceptions, rooms, visit types, appointments with their history, and the
-- waitlist.
--
-- Instants are Unix seconds (UTC); working hours are minutes of the day in
-- the clinic's time zone (setting clinic.timezone), turned into instants
-- day by day by the core, so a DST change moves nothing a person set.

-- The staff members who take appointments.
CREATE TABLE providers (
  user_id        INTEGER PRIMARY KEY REFERENCES users (id),
  active         INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
  created_at     INTEGER NOT NULL
) STRICT;

CREATE TABLE rooms (
  id             INTEGER PRIMARY KEY,
  name           TEXT    NOT NULL UNIQUE CHECK (length (trim (name)) > 0),
  active         INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1))
) STRICT;

CREATE TABLE visit_types (
  id               INTEGER PRIMARY KEY,
  name             TEXT    NOT NULL UNIQUE COLLATE NOCASE CHECK (length (trim (name)) > 0),
  duration_min     INTEGER NOT NULL CHECK (duration_min BETWEEN 5 AND 480),
  -- "#rrggbb"
  color            TEXT    NOT NULL CHECK (color GLOB '#[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]'),
  patient_bookable INTEGER NOT NULL DEFAULT 0 CHECK (patient_bookable IN (0, 1)),
  active           INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
  created_at       INTEGER NOT NULL
) STRICT;

-- A provider's week: several blocks a day, ISO weekday 1 (Monday) to 7.
CREATE TABLE working_hours (
  id             INTEGER PRIMARY KEY,
  provider_id    INTEGER NOT NULL REFERENCES providers (user_id),
  weekday        INTEGER NOT NULL CHECK (weekday BETWEEN 1 AND 7),
  start_min      INTEGER NOT NULL CHECK (start_min BETWEEN 0 AND 1439),
  end_min        INTEGER NOT NULL CHECK (end_min BETWEEN 1 AND 1440 AND end_min > start_min),
  room_id        INTEGER REFERENCES rooms (id)
) STRICT;

CREATE INDEX working_hours_provider ON working_hours (provider_id, weekday);

-- Days off and holidays ('off'), blocked time ('block') and extra hours
-- ('extra'); provider_id NULL is the whole clinic (a public holiday).
CREATE TABLE schedule_exceptions (
  id             INTEGER PRIMARY KEY,
  provider_id    INTEGER REFERENCES providers (user_id),
  kind           TEXT    NOT NULL CHECK (kind IN ('off', 'block', 'extra')),
  starts_at      INTEGER NOT NULL,
  ends_at        INTEGER NOT NULL CHECK (ends_at > starts_at),
  reason         TEXT    NOT NULL DEFAULT '',
  room_id        INTEGER REFERENCES rooms (id),
  created_at     INTEGER NOT NULL,
  created_by     INTEGER NOT NULL REFERENCES users (id)
) STRICT;

CREATE INDEX schedule_exceptions_time ON schedule_exceptions (provider_id, starts_at);

-- A recurring series; its occurrences are ordinary appointments rows.
CREATE TABLE appointment_series (
  id             INTEGER PRIMARY KEY,
  -- RFC 5545 RRULE, expanded in the clinic's time zone.
  rrule          TEXT    NOT NULL,
  -- The first occurrence's local start, "YYYY-MM-DD HH:MM".
  first_local    TEXT    NOT NULL,
  created_at     INTEGER NOT NULL,
  created_by     INTEGER NOT NULL REFERENCES users (id)
) STRICT;

CREATE TABLE appointments (
  id              INTEGER PRIMARY KEY,
  patient_id      INTEGER NOT NULL REFERENCES patients (id),
  provider_id     INTEGER NOT NULL REFERENCES providers (user_id),
  visit_type_id   INTEGER NOT NULL REFERENCES visit_types (id),
  room_id         INTEGER REFERENCES rooms (id),
  series_id       INTEGER REFERENCES appointment_series (id),
  starts_at       INTEGER NOT NULL,
  ends_at         INTEGER NOT NULL CHECK (ends_at > starts_at AND ends_at - starts_at <= 86400),
  status          TEXT    NOT NULL DEFAULT 'booked'
                          CHECK (status IN ('booked', 'confirmed', 'arrived', 'in-progress',
                                            'completed', 'cancelled', 'no-show')),
  reason          TEXT    NOT NULL DEFAULT '',
  note            TEXT    NOT NULL DEFAULT '',
  -- Booked over a conflict or outside hours by someone allowed to: why.
  override_reason TEXT    NOT NULL DEFAULT '',
  cancel_reason   TEXT    NOT NULL DEFAULT '',
  late_cancel     INTEGER NOT NULL DEFAULT 0 CHECK (late_cancel IN (0, 1)),
  -- Imported from an .ics file: its UID, so a second import updates.
  ical_uid        TEXT,
  created_at      INTEGER NOT NULL,
  created_by      INTEGER NOT NULL REFERENCES users (id),
  updated_at      INTEGER NOT NULL
) STRICT;

-- The conflict check and the day and week views: a provider's
-- appointments by start. Active ones only take time.
CREATE INDEX appointments_provider ON appointments (provider_id, starts_at);
CREATE INDEX appointments_room ON appointments (room_id, starts_at) WHERE room_id IS NOT NULL;
CREATE INDEX appointments_patient ON appointments (patient_id, starts_at);
CREATE INDEX appointments_start ON appointments (starts_at);
CREATE INDEX appointments_series ON appointments (series_id) WHERE series_id IS NOT NULL;

-- Every change of an appointment, in order, for its history page.
CREATE TABLE appointment_history (
  id              INTEGER PRIMARY KEY,
  appointment_id  INTEGER NOT NULL REFERENCES appointments (id),
  at              INTEGER NOT NULL,
  user_id         INTEGER REFERENCES users (id),
  action          TEXT    NOT NULL,
  detail          TEXT    NOT NULL DEFAULT ''
) STRICT;

CREATE INDEX appointment_history_appointment ON appointment_history (appointment_id, at);

CREATE TABLE waitlist (
  id              INTEGER PRIMARY KEY,
  patient_id      INTEGER NOT NULL REFERENCES patients (id),
  provider_id     INTEGER REFERENCES providers (user_id),
  visit_type_id   INTEGER NOT NULL REFERENCES visit_types (id),
  -- Free text the front desk reads ("mornings", "not Fridays").
  preferred       TEXT    NOT NULL DEFAULT '',
  urgency         INTEGER NOT NULL DEFAULT 0 CHECK (urgency BETWEEN 0 AND 2),
  status          TEXT    NOT NULL DEFAULT 'waiting' CHECK (status IN ('waiting', 'booked', 'removed')),
  created_at      INTEGER NOT NULL,
  created_by      INTEGER NOT NULL REFERENCES users (id)
) STRICT;

CREATE INDEX waitlist_waiting ON waitlist (status, urgency DESC, created_at);
