-- 012: the registry's filters by doctor and by visit type. The patients
-- with a visit of that doctor (and type) are looked up from these indexes
-- as one set, instead of asking each patient's appointments in turn.

CREATE INDEX appointments_filter_provider ON appointments (provider_id, visit_type_id, patient_id)
  WHERE status NOT IN ('cancelled', 'no-show');

CREATE INDEX appointments_filter_type ON appointments (visit_type_id, patient_id)
  WHERE status NOT IN ('cancelled', 'no-show');
