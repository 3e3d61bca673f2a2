-- PostgreSQL form of ../003_measurement_requests.sql; keep the two in step.
-- Request ids of rows that stored nothing because they repeated the current
-- value: remembered so that a later retry of the same row stays a
-- duplicate (and a different row under the same id is refused), even after
-- the value has been corrected since.
CREATE TABLE measurement_requests (
  request_id TEXT PRIMARY KEY,
  fiscal_year BIGINT NOT NULL,
  program_number BIGINT NOT NULL,
  indicator_id TEXT NOT NULL,
  period_key TEXT NOT NULL,
  kind BIGINT NOT NULL,
  value BIGINT NOT NULL
);
