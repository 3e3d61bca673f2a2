-- Request ids of rows that stored nothing because they repeated the current
-- value: remembered so that a later retry of the same row stays a
-- duplicate (and a different row under the same id is refused), even after
-- the value has been corrected since.
CREATE TABLE measurement_requests (
  request_id TEXT PRIMARY KEY,
  fiscal_year INTEGER NOT NULL,
  program_number INTEGER NOT NULL,
  indicator_id TEXT NOT NULL,
  period_key TEXT NOT NULL,
  kind INTEGER NOT NULL,
  value INTEGER NOT NULL
);
