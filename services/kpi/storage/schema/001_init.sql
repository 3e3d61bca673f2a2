-- KPI service schema, version 1.
CREATE TABLE fiscal_years (
  year INTEGER PRIMARY KEY,
  data_version INTEGER NOT NULL DEFAULT 1,
  source_note TEXT NOT NULL DEFAULT ''
);

CREATE TABLE indicators (
  fiscal_year INTEGER NOT NULL REFERENCES fiscal_years(year),
  program_number INTEGER NOT NULL,
  id TEXT NOT NULL,
  title TEXT NOT NULL,
  unit TEXT NOT NULL,
  measure INTEGER NOT NULL,
  kind INTEGER NOT NULL,
  aggregation INTEGER NOT NULL,
  target_state INTEGER NOT NULL,
  target_value INTEGER NOT NULL,
  target_note TEXT NOT NULL,
  multi_first INTEGER,  -- NULL: no multi-year target
  multi_last INTEGER,
  multi_value INTEGER,
  parent_id TEXT NOT NULL,
  parts_bounded INTEGER NOT NULL,
  position INTEGER NOT NULL,
  note TEXT NOT NULL,
  revision INTEGER NOT NULL,
  update_time_micros INTEGER NOT NULL,
  PRIMARY KEY (fiscal_year, program_number, id)
);

-- Every version of every measurement; the current one has no supersede time.
CREATE TABLE measurements (
  sequence INTEGER PRIMARY KEY AUTOINCREMENT,
  request_id TEXT NOT NULL UNIQUE,
  fiscal_year INTEGER NOT NULL,
  program_number INTEGER NOT NULL,
  indicator_id TEXT NOT NULL,
  is_month INTEGER NOT NULL,
  period_key TEXT NOT NULL,  -- 2026-05 or 2026-05-31
  period_year INTEGER NOT NULL,
  period_month INTEGER NOT NULL,
  period_day INTEGER NOT NULL,
  kind INTEGER NOT NULL,
  value INTEGER NOT NULL CHECK (value >= 0),
  unit TEXT NOT NULL,
  previous_value INTEGER,
  recorded_by TEXT NOT NULL,
  record_time_micros INTEGER NOT NULL,
  supersede_time_micros INTEGER,
  FOREIGN KEY (fiscal_year, program_number, indicator_id)
    REFERENCES indicators(fiscal_year, program_number, id)
);
CREATE UNIQUE INDEX measurements_current
  ON measurements(fiscal_year, program_number, indicator_id, period_key, kind)
  WHERE supersede_time_micros IS NULL;
CREATE INDEX measurements_by_indicator
  ON measurements(fiscal_year, program_number, indicator_id, sequence);

-- AIP-155 request log (common/sql/request_log.h).
CREATE TABLE request_log (
  request_id TEXT PRIMARY KEY,
  method TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  response BLOB NOT NULL,
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ'))
);
