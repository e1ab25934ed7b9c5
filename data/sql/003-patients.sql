-- 003: the patient registry. Patients are never deleted: they become
-- inactive or deceased and stay findable with a filter.

CREATE TABLE patients (
  id                INTEGER PRIMARY KEY,
  -- The clinic's chart number, "C" and six digits or more, never reused.
  chart_number      TEXT    NOT NULL UNIQUE,
  family_name       TEXT    NOT NULL CHECK (length (trim (family_name)) > 0),
  given_names       TEXT    NOT NULL CHECK (length (trim (given_names)) > 0),
  -- Family and given names without accents, case-folded: the order of the
  -- registry (Özdemir between Mueller and Schmidt), kept by the core.
  sort_key          TEXT    NOT NULL,
  -- ISO 8601 calendar date; validated in clinic-patients.c.
  birth_date        TEXT    NOT NULL CHECK (birth_date GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
  sex               TEXT    NOT NULL DEFAULT 'unknown'
                            CHECK (sex IN ('female', 'male', 'other', 'unknown')),
  phone             TEXT    NOT NULL DEFAULT '',
  phone2            TEXT    NOT NULL DEFAULT '',
  -- Digits of phone and phone2, kept by the core for the search.
  phone_digits      TEXT    NOT NULL DEFAULT '',
  email             TEXT    NOT NULL DEFAULT '',
  address           TEXT    NOT NULL DEFAULT '',
  emergency_contact TEXT    NOT NULL DEFAULT '',
  language          TEXT    NOT NULL DEFAULT '',
  notes             TEXT    NOT NULL DEFAULT '',
  national_id       TEXT    NOT NULL DEFAULT '',
  insurance_id      TEXT    NOT NULL DEFAULT '',
  treatment         TEXT    NOT NULL DEFAULT '',
  status            TEXT    NOT NULL DEFAULT 'active'
                            CHECK (status IN ('active', 'inactive', 'deceased')),
  created_at        INTEGER NOT NULL,
  updated_at        INTEGER NOT NULL
) STRICT;

CREATE INDEX patients_birth ON patients (birth_date);
CREATE INDEX patients_sort ON patients (sort_key);
CREATE INDEX patients_status ON patients (status);

-- Search: name parts by prefix, without accents ("muller" finds Müller).
-- External content: the text lives once, in patients.
CREATE VIRTUAL TABLE patients_names_fts USING fts5 (
  family_name, given_names,
  content = 'patients', content_rowid = 'id',
  tokenize = 'unicode61 remove_diacritics 2',
  prefix = '1 2 3'
);

-- Any three or more digits of either phone number, whatever its
-- formatting: phone_digits (both numbers' digits, a space between),
-- indexed by trigrams.
CREATE VIRTUAL TABLE patients_phone_fts USING fts5 (
  phone_digits,
  content = 'patients', content_rowid = 'id',
  tokenize = 'trigram'
);

-- The core keeps both indexes in the transaction that changes a patient
-- (clinic-patients.c): triggers cannot, since Clinic runs with
-- trusted_schema=OFF and FTS5 tables may not be written from the schema.

-- Patients are never deleted: the core has no call for it, and this
-- refuses it from anywhere else.
CREATE TRIGGER patients_no_delete BEFORE DELETE ON patients BEGIN
  SELECT RAISE (ABORT, 'patients are never deleted');
END;

-- Patient accounts point at their record.
CREATE INDEX users_patient ON users (patient_id) WHERE patient_id IS NOT NULL;
