-- 005: attachments, the patient's documents and photo.
--
-- An attachment is a file in the folder beside the database
-- (clinic.db.files/), encrypted under the attachments sub-key
-- (clinic-attachments.c) and named by its id; the row says it exists.
-- A file is written (and synced) before its row is inserted, in the same
-- transaction as the record that owns it, and removed only after the
-- deletion of its row has committed: so a crash leaves at worst a file
-- without a row, which verify reports.

CREATE TABLE attachments (
  -- 128 random bits as 32 lowercase hex digits: the file's name, and the
  -- associated data of its encryption (a file cannot pass for another).
  id          TEXT    PRIMARY KEY
                      CHECK (length (id) = 32 AND id NOT GLOB '*[^0-9a-f]*'),
  -- Bytes of the content (not of the encrypted file).
  size        INTEGER NOT NULL CHECK (size >= 0),
  -- As sniffed from the content by the core ("application/pdf").
  media_type  TEXT    NOT NULL CHECK (length (media_type) > 0),
  created_at  INTEGER NOT NULL,
  created_by  INTEGER REFERENCES users (id)
) STRICT;

-- Documents in a patient's chart (a referral letter, a scanned lab
-- result). Removing one deletes its row (the audit trail keeps who and
-- when): a document filed under the wrong patient must really leave that
-- chart.
CREATE TABLE patient_documents (
  id             INTEGER PRIMARY KEY,
  patient_id     INTEGER NOT NULL REFERENCES patients (id),
  attachment_id  TEXT    NOT NULL UNIQUE REFERENCES attachments (id),
  title          TEXT    NOT NULL CHECK (length (trim (title)) > 0),
  media_type     TEXT    NOT NULL,
  added_at       INTEGER NOT NULL,
  added_by       INTEGER REFERENCES users (id)
) STRICT;

CREATE INDEX patient_documents_patient ON patient_documents (patient_id, added_at);

-- At most one photo per patient, in a table of its own rather than a
-- column of patients: replacing the photo touches no patient row, and the
-- registry's queries never read it.
CREATE TABLE patient_photos (
  patient_id     INTEGER PRIMARY KEY REFERENCES patients (id),
  attachment_id  TEXT    NOT NULL UNIQUE REFERENCES attachments (id),
  set_at         INTEGER NOT NULL,
  set_by         INTEGER REFERENCES users (id)
) STRICT;
