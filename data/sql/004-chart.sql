-- 004: the patient's chart. Insurance policies, allergies, conditions,
-- medications, visit notes with their addenda, and prescriptions.
--
-- Signed notes and prescriptions are locked here as well as in the core
-- (clinic-chart.c): the triggers refuse any change to what was signed,
-- from any program, while still letting a merge of duplicate patients move
-- the row to the surviving record (patient_id is not among the locked
-- columns).

CREATE TABLE insurance_policies (
  id             INTEGER PRIMARY KEY,
  patient_id     INTEGER NOT NULL REFERENCES patients (id),
  payer          TEXT    NOT NULL CHECK (length (trim (payer)) > 0),
  member_id      TEXT    NOT NULL CHECK (length (trim (member_id)) > 0),
  group_number   TEXT    NOT NULL DEFAULT '',
  -- ISO dates; valid_until '' is open-ended.
  valid_from     TEXT    NOT NULL CHECK (valid_from GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
  valid_until    TEXT    NOT NULL DEFAULT ''
                         CHECK (valid_until = '' OR (valid_until GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'
                                                     AND valid_until >= valid_from)),
  -- Cents of the clinic's currency.
  copay_cents    INTEGER NOT NULL DEFAULT 0 CHECK (copay_cents >= 0),
  is_primary     INTEGER NOT NULL DEFAULT 1 CHECK (is_primary IN (0, 1)),
  created_at     INTEGER NOT NULL,
  updated_at     INTEGER NOT NULL
) STRICT;

CREATE INDEX insurance_patient ON insurance_policies (patient_id, valid_from);

-- "No known allergies" is a statement someone made, not the absence of
-- rows: without it the chart says "Allergies not recorded".
ALTER TABLE patients ADD COLUMN no_known_allergies INTEGER NOT NULL DEFAULT 0
  CHECK (no_known_allergies IN (0, 1));

CREATE TABLE allergies (
  id             INTEGER PRIMARY KEY,
  patient_id     INTEGER NOT NULL REFERENCES patients (id),
  substance      TEXT    NOT NULL CHECK (length (trim (substance)) > 0),
  reaction       TEXT    NOT NULL DEFAULT '',
  severity       TEXT    NOT NULL DEFAULT 'unknown'
                         CHECK (severity IN ('unknown', 'mild', 'moderate', 'severe')),
  -- 'active', or 'entered-in-error' (kept, never deleted).
  status         TEXT    NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'entered-in-error')),
  recorded_at    INTEGER NOT NULL,
  recorded_by    INTEGER NOT NULL REFERENCES users (id)
) STRICT;

CREATE INDEX allergies_patient ON allergies (patient_id);

CREATE TABLE conditions (
  id             INTEGER PRIMARY KEY,
  patient_id     INTEGER NOT NULL REFERENCES patients (id),
  name           TEXT    NOT NULL CHECK (length (trim (name)) > 0),
  -- ISO date or ''.
  onset          TEXT    NOT NULL DEFAULT '',
  status         TEXT    NOT NULL DEFAULT 'active'
                         CHECK (status IN ('active', 'resolved', 'entered-in-error')),
  notes          TEXT    NOT NULL DEFAULT '',
  recorded_at    INTEGER NOT NULL,
  recorded_by    INTEGER NOT NULL REFERENCES users (id)
) STRICT;

CREATE INDEX conditions_patient ON conditions (patient_id);

CREATE TABLE medications (
  id             INTEGER PRIMARY KEY,
  patient_id     INTEGER NOT NULL REFERENCES patients (id),
  drug           TEXT    NOT NULL CHECK (length (trim (drug)) > 0),
  dosage         TEXT    NOT NULL DEFAULT '',
  -- ISO dates or ''.
  started        TEXT    NOT NULL DEFAULT '',
  stopped        TEXT    NOT NULL DEFAULT '',
  status         TEXT    NOT NULL DEFAULT 'active'
                         CHECK (status IN ('active', 'stopped', 'entered-in-error')),
  recorded_at    INTEGER NOT NULL,
  recorded_by    INTEGER NOT NULL REFERENCES users (id)
) STRICT;

CREATE INDEX medications_patient ON medications (patient_id);

CREATE TABLE visit_notes (
  id             INTEGER PRIMARY KEY,
  patient_id     INTEGER NOT NULL REFERENCES patients (id),
  author_id      INTEGER NOT NULL REFERENCES users (id),
  -- The day of the encounter, ISO.
  encounter_date TEXT    NOT NULL CHECK (encounter_date GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
  subjective     TEXT    NOT NULL DEFAULT '',
  objective      TEXT    NOT NULL DEFAULT '',
  assessment     TEXT    NOT NULL DEFAULT '',
  plan           TEXT    NOT NULL DEFAULT '',
  free_text      TEXT    NOT NULL DEFAULT '',
  created_at     INTEGER NOT NULL,
  updated_at     INTEGER NOT NULL,
  -- Set once, by the author; from then on the note is locked.
  signed_at      INTEGER,
  -- SHA-256 of the signed content (hex), also in the audit entry.
  signature      TEXT
) STRICT;

CREATE INDEX visit_notes_patient ON visit_notes (patient_id, encounter_date);

CREATE TRIGGER visit_notes_locked
BEFORE UPDATE OF author_id, encounter_date, subjective, objective, assessment, plan, free_text,
                 created_at, signed_at, signature ON visit_notes
WHEN OLD.signed_at IS NOT NULL BEGIN
  SELECT RAISE (ABORT, 'a signed note cannot be changed');
END;

CREATE TRIGGER visit_notes_no_delete_signed BEFORE DELETE ON visit_notes
WHEN OLD.signed_at IS NOT NULL BEGIN
  SELECT RAISE (ABORT, 'a signed note cannot be deleted');
END;

-- Corrections to a signed note: dated, signed by adding them, never
-- changed.
CREATE TABLE note_addenda (
  id             INTEGER PRIMARY KEY,
  note_id        INTEGER NOT NULL REFERENCES visit_notes (id),
  author_id      INTEGER NOT NULL REFERENCES users (id),
  created_at     INTEGER NOT NULL,
  body           TEXT    NOT NULL CHECK (length (trim (body)) > 0),
  signature      TEXT    NOT NULL
) STRICT;

CREATE INDEX note_addenda_note ON note_addenda (note_id);

CREATE TRIGGER note_addenda_locked BEFORE UPDATE ON note_addenda BEGIN
  SELECT RAISE (ABORT, 'an addendum cannot be changed');
END;

CREATE TRIGGER note_addenda_no_delete BEFORE DELETE ON note_addenda BEGIN
  SELECT RAISE (ABORT, 'an addendum cannot be deleted');
END;

CREATE TABLE prescriptions (
  id             INTEGER PRIMARY KEY,
  patient_id     INTEGER NOT NULL REFERENCES patients (id),
  prescriber_id  INTEGER NOT NULL REFERENCES users (id),
  drug           TEXT    NOT NULL CHECK (length (trim (drug)) > 0),
  strength       TEXT    NOT NULL DEFAULT '',
  dose           TEXT    NOT NULL DEFAULT '',
  route          TEXT    NOT NULL DEFAULT '',
  frequency      TEXT    NOT NULL DEFAULT '',
  duration       TEXT    NOT NULL DEFAULT '',
  quantity       TEXT    NOT NULL DEFAULT '',
  refills        INTEGER NOT NULL DEFAULT 0 CHECK (refills BETWEEN 0 AND 99),
  instructions   TEXT    NOT NULL DEFAULT '',
  -- The day it was written, ISO.
  prescribed_on  TEXT    NOT NULL CHECK (prescribed_on GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
  created_at     INTEGER NOT NULL,
  updated_at     INTEGER NOT NULL,
  signed_at      INTEGER,
  signature      TEXT
) STRICT;

CREATE INDEX prescriptions_patient ON prescriptions (patient_id, prescribed_on);

CREATE TRIGGER prescriptions_locked
BEFORE UPDATE OF prescriber_id, drug, strength, dose, route, frequency, duration, quantity,
                 refills, instructions, prescribed_on, created_at, signed_at, signature
ON prescriptions
WHEN OLD.signed_at IS NOT NULL BEGIN
  SELECT RAISE (ABORT, 'a signed prescription cannot be changed');
END;

CREATE TRIGGER prescriptions_no_delete_signed BEFORE DELETE ON prescriptions
WHEN OLD.signed_at IS NOT NULL BEGIN
  SELECT RAISE (ABORT, 'a signed prescription cannot be deleted');
END;
