-- 008: the ends of the phone numbers, for the duplicate check.
--
-- Two phone numbers count as the same when one ends in the other's last
-- 8 digits (clinic-patients.c). The trigram index answers that for one
-- number at a time; an import checks 100,000, so each number's last 8
-- digits are kept read backwards: "ends in 12345678" is then a range of
-- an ordinary index ('87654321' up to '87654321:', ':' coming after
-- '9'). A number of fewer than 6 digits never counts and keeps ''. The
-- core keeps both columns on every write, as it keeps phone_digits.
ALTER TABLE patients ADD COLUMN phone_tail_rev TEXT NOT NULL DEFAULT '';
ALTER TABLE patients ADD COLUMN phone2_tail_rev TEXT NOT NULL DEFAULT '';

-- The rows already there. A stored phone holds only digits and the
-- punctuation the core lets in (" +()-./").
UPDATE patients
SET phone_tail_rev = CASE WHEN length (d.d1) < 6 THEN '' ELSE
      substr (d.d1, -1, 1) || substr (d.d1, -2, 1) || substr (d.d1, -3, 1) || substr (d.d1, -4, 1)
      || substr (d.d1, -5, 1) || substr (d.d1, -6, 1) || substr (d.d1, -7, 1) || substr (d.d1, -8, 1) END,
    phone2_tail_rev = CASE WHEN length (d.d2) < 6 THEN '' ELSE
      substr (d.d2, -1, 1) || substr (d.d2, -2, 1) || substr (d.d2, -3, 1) || substr (d.d2, -4, 1)
      || substr (d.d2, -5, 1) || substr (d.d2, -6, 1) || substr (d.d2, -7, 1) || substr (d.d2, -8, 1) END
FROM (SELECT id,
             replace (replace (replace (replace (replace (replace (replace (
               phone, ' ', ''), '+', ''), '(', ''), ')', ''), '-', ''), '.', ''), '/', '') AS d1,
             replace (replace (replace (replace (replace (replace (replace (
               phone2, ' ', ''), '+', ''), '(', ''), ')', ''), '-', ''), '.', ''), '/', '') AS d2
      FROM patients) AS d
WHERE patients.id = d.id;

CREATE INDEX patients_phone_tail ON patients (phone_tail_rev);
CREATE INDEX patients_phone2_tail ON patients (phone2_tail_rev);
