-- 006: merging duplicate patients.
--
-- A record merged into another stays (patients are never deleted), made
-- inactive, and points at the record that took over its rows, so whoever
-- opens it (for the audit, an old printout) sees where it went.
ALTER TABLE patients ADD COLUMN merged_into INTEGER REFERENCES patients (id);

CREATE INDEX patients_merged_into ON patients (merged_into) WHERE merged_into IS NOT NULL;

-- A merged record has nothing left of its own to be active with.
CREATE TRIGGER patients_merged_stay_inactive BEFORE UPDATE OF status ON patients
  WHEN OLD.merged_into IS NOT NULL AND NEW.status != 'inactive'
BEGIN
  SELECT RAISE (ABORT, 'a merged patient record stays inactive');
END;
