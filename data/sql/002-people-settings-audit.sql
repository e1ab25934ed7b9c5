-- 002: who may do what (roles, their permissions, users), the clinic's
-- settings, and the audit trail.

CREATE TABLE roles (
  id          INTEGER PRIMARY KEY,
  name        TEXT    NOT NULL UNIQUE COLLATE NOCASE CHECK (length (trim (name)) > 0),
  -- 'administrator', 'doctor', 'front-desk' or 'patient' for the built-in
  -- roles (which can be renamed, and whose permissions can be edited, but
  -- not deleted); NULL for a custom role.
  builtin     TEXT    UNIQUE,
  created_at  INTEGER NOT NULL
) STRICT;

CREATE TABLE role_permissions (
  role_id     INTEGER NOT NULL REFERENCES roles (id) ON DELETE CASCADE,
  permission  TEXT    NOT NULL,
  PRIMARY KEY (role_id, permission)
) STRICT, WITHOUT ROWID;

CREATE TABLE users (
  id             INTEGER PRIMARY KEY,
  -- The sign-in name as clinic_user_name_normalize() leaves it.
  name           TEXT    NOT NULL UNIQUE,
  display_name   TEXT    NOT NULL,
  role_id        INTEGER NOT NULL REFERENCES roles (id),
  kind           TEXT    NOT NULL CHECK (kind IN ('staff', 'patient')),
  -- Argon2id (crypto_pwhash_str, INTERACTIVE or stronger): the check
  -- inside the open database (lock screen, kiosk). Staff also have a key
  -- slot in the key file, rewritten together with this hash.
  password_hash  TEXT    NOT NULL,
  disabled       INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
  created_at     INTEGER NOT NULL,
  -- The patient record a patient account belongs to (patients come later).
  patient_id     INTEGER
) STRICT;

CREATE INDEX users_role ON users (role_id);

CREATE TABLE settings (
  key         TEXT    PRIMARY KEY,
  value       TEXT    NOT NULL,
  changed_at  INTEGER NOT NULL,
  changed_by  INTEGER REFERENCES users (id)
) STRICT, WITHOUT ROWID;

-- The clinic's name moves into the settings.
INSERT INTO settings (key, value, changed_at)
  SELECT 'clinic.name', name, created_at FROM clinic_info;
DROP TABLE clinic_info;

-- Keys that live inside the encrypted database, so they outlast a change
-- of the database key. The audit chain's MAC key is one: were it derived
-- from the database key, every rekey would break the chain and every
-- anchor handed out before it. randomblob() draws from SQLite's ChaCha20
-- generator, seeded from the system's random source.
CREATE TABLE secrets (
  name   TEXT PRIMARY KEY,
  value  BLOB NOT NULL CHECK (length (value) = 32)
) STRICT, WITHOUT ROWID;

INSERT INTO secrets (name, value) VALUES ('audit', randomblob (32));

-- One row per event, numbered without gaps; hash chains each row to the
-- one before (clinic-audit.c).
CREATE TABLE audit_log (
  seq          INTEGER PRIMARY KEY,
  time         INTEGER NOT NULL,
  user_id      INTEGER,
  user_name    TEXT    NOT NULL,
  action       TEXT    NOT NULL,
  object_type  TEXT,
  object_id    TEXT,
  patient_id   INTEGER,
  old_value    TEXT,
  new_value    TEXT,
  hash         BLOB    NOT NULL CHECK (length (hash) = 32)
) STRICT;

CREATE INDEX audit_log_user ON audit_log (user_name, seq);
CREATE INDEX audit_log_patient ON audit_log (patient_id, seq) WHERE patient_id IS NOT NULL;
CREATE INDEX audit_log_action ON audit_log (action, seq);
CREATE INDEX audit_log_time ON audit_log (time);

-- Heads of the chain handed out (in a backup, a printed day-close): the
-- chain must still lead through each of them.
CREATE TABLE audit_anchors (
  id          INTEGER PRIMARY KEY,
  seq         INTEGER NOT NULL,
  head        BLOB    NOT NULL CHECK (length (head) = 32),
  time        INTEGER NOT NULL,
  kind        TEXT    NOT NULL CHECK (kind IN ('backup', 'day-close'))
) STRICT;

-- The built-in roles and what they may do by default (the catalogue of
-- permissions is in clinic-permissions.c; an administrator edits these).
INSERT INTO roles (id, name, builtin, created_at) VALUES
  (1, 'Administrator', 'administrator', strftime ('%s', 'now')),
  (2, 'Doctor',        'doctor',        strftime ('%s', 'now')),
  (3, 'Front desk',    'front-desk',    strftime ('%s', 'now')),
  (4, 'Patient',       'patient',       strftime ('%s', 'now'));

INSERT INTO role_permissions (role_id, permission)
  SELECT 1, value FROM json_each ('[
    "patients.contact.read", "patients.contact.write", "chart.read", "chart.write",
    "prescriptions.write", "patients.merge", "patients.all", "schedule.own",
    "schedule.all", "schedule.override", "billing", "reports", "messages",
    "settings", "users", "audit", "export", "backups", "kiosk.start"]');

INSERT INTO role_permissions (role_id, permission)
  SELECT 2, value FROM json_each ('[
    "patients.contact.read", "chart.read", "chart.write", "prescriptions.write",
    "schedule.own", "billing", "reports", "messages", "export"]');

-- The front desk sees contact details and everyone's schedule, never the
-- clinical chart.
INSERT INTO role_permissions (role_id, permission)
  SELECT 3, value FROM json_each ('[
    "patients.contact.read", "patients.contact.write", "patients.all",
    "schedule.all", "billing", "messages", "kiosk.start"]');

-- A patient's session is scoped to their own rows; these say which of
-- their own pages they reach.
INSERT INTO role_permissions (role_id, permission)
  SELECT 4, value FROM json_each ('[
    "patients.contact.read", "patients.contact.write", "schedule.own",
    "billing", "messages"]');
