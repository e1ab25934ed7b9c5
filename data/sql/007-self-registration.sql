-- 007: patients registering themselves at the kiosk.
--
-- One row per patient account made at the kiosk, keyed by the account:
-- the account is what waits for the front desk (it cannot sign in while
-- pending), and the account's record is users.patient_id, which a merge
-- of duplicate records moves like any other link.
CREATE TABLE self_registrations (
  user_id             INTEGER PRIMARY KEY REFERENCES users (id),
  state               TEXT    NOT NULL DEFAULT 'pending'
                              CHECK (state IN ('pending', 'confirmed', 'rejected')),
  -- The record the registration made. Deliberately no foreign key: a
  -- merge must not move it onto the record that took over (rejecting a
  -- registration makes this record inactive, never the one it was merged
  -- into).
  created_patient     INTEGER NOT NULL,
  -- A registered record looked like this one (same name and date of
  -- birth, or phone) when it was made: the front desk checks, and merges.
  possible_duplicate  INTEGER NOT NULL DEFAULT 0 CHECK (possible_duplicate IN (0, 1)),
  registered_at       INTEGER NOT NULL,
  decided_at          INTEGER,
  decided_by          INTEGER REFERENCES users (id),
  -- Why the front desk rejected it ('' otherwise).
  reason              TEXT    NOT NULL DEFAULT ''
) STRICT;

-- The waiting list (front desk) and the kiosk's rate limit both read by
-- time.
CREATE INDEX self_registrations_time ON self_registrations (registered_at);
