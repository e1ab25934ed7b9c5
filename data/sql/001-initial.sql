-- 001: the clinic itself. The settings object (issue "settings") takes
-- this row over; until then it holds what `clinicctl init` was told.
CREATE TABLE clinic_info (
  id          INTEGER PRIMARY KEY CHECK (id = 1),
  name        TEXT    NOT NULL CHECK (length (trim (name)) > 0),
  created_at  INTEGER NOT NULL
) STRICT;
