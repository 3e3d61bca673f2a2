-- Subsidy service schema, version 1.
CREATE TABLE fiscal_years (
  year INTEGER PRIMARY KEY,
  data_version INTEGER NOT NULL DEFAULT 1,
  source_note TEXT NOT NULL DEFAULT ''
);

-- A scheme as a serialized shien.subsidy.v1.Scheme (reference data; its
-- rounds' windows change when announced).
CREATE TABLE schemes (
  fiscal_year INTEGER NOT NULL REFERENCES fiscal_years(year),
  id TEXT NOT NULL,
  data BLOB NOT NULL,
  revision INTEGER NOT NULL,
  PRIMARY KEY (fiscal_year, id)
);

-- An application as a serialized shien.subsidy.v1.Application, with the
-- columns queries filter and sum on.
CREATE TABLE applications (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  fiscal_year INTEGER NOT NULL,
  scheme_id TEXT NOT NULL,
  round_id TEXT NOT NULL,
  course_id TEXT NOT NULL,
  corporate_number TEXT NOT NULL,
  state INTEGER NOT NULL,
  requested_yen INTEGER NOT NULL,
  committed_yen INTEGER NOT NULL CHECK (committed_yen >= 0),
  revision INTEGER NOT NULL,
  data BLOB NOT NULL,
  FOREIGN KEY (fiscal_year, scheme_id) REFERENCES schemes(fiscal_year, id)
);
CREATE INDEX applications_by_scheme ON applications(fiscal_year, scheme_id, id);
CREATE INDEX applications_by_applicant
  ON applications(fiscal_year, scheme_id, round_id, corporate_number);

-- Calls to other services decided by a committed transaction, delivered in
-- order with retries; receivers are idempotent on request_id.
CREATE TABLE outbox (
  sequence INTEGER PRIMARY KEY AUTOINCREMENT,
  target TEXT NOT NULL,
  request_id TEXT NOT NULL,
  payload BLOB NOT NULL,
  amount_yen INTEGER NOT NULL DEFAULT 0,  -- funds a release returns
  attempts INTEGER NOT NULL DEFAULT 0,
  last_error TEXT NOT NULL DEFAULT '',
  delivered_micros INTEGER,
  dead INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX outbox_pending ON outbox(delivered_micros, dead, sequence);

-- AIP-155 request log (common/sql/request_log.h).
CREATE TABLE request_log (
  request_id TEXT PRIMARY KEY,
  method TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  response BLOB NOT NULL,
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ'))
);
