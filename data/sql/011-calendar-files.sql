-- iCalendar files: the database's own name in the UIDs of exported
-- events ("appt-ID@NAME"), random so that two clinics' files never clash
-- and stable so that a calendar program updates an event instead of
-- adding it twice; and the lookup of earlier imports by their UID.
CREATE TABLE calendar_identity (
  id          INTEGER PRIMARY KEY CHECK (id = 1),
  uid_domain  TEXT    NOT NULL CHECK (length (uid_domain) > 0)
) STRICT;

INSERT INTO calendar_identity (id, uid_domain)
  VALUES (1, lower (hex (randomblob (16))) || '.clinic.invalid');

CREATE INDEX appointments_ical_uid ON appointments (ical_uid) WHERE ical_uid IS NOT NULL;
