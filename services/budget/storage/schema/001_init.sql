-- Budget service schema, version 1.
CREATE TABLE fiscal_years (
  year INTEGER PRIMARY KEY,
  title TEXT NOT NULL,
  organization TEXT NOT NULL,
  data_version INTEGER NOT NULL DEFAULT 1,
  warnings TEXT NOT NULL DEFAULT ''  -- one warning per line: code \t numbers \t message
);

CREATE TABLE programs (
  fiscal_year INTEGER NOT NULL REFERENCES fiscal_years(year),
  number INTEGER NOT NULL,
  title TEXT NOT NULL,
  area INTEGER NOT NULL,
  funding_sources TEXT NOT NULL,  -- enum values, comma separated, plan order
  budget_yen INTEGER NOT NULL CHECK (budget_yen >= 0),
  continuity INTEGER NOT NULL,
  purpose TEXT NOT NULL,
  overview TEXT NOT NULL,
  shared_sheet TEXT NOT NULL,
  revision INTEGER NOT NULL,
  update_time_micros INTEGER NOT NULL,
  PRIMARY KEY (fiscal_year, number)
);

-- Ordered list fields of a program: kind 'department', 'agency', 'activity'.
CREATE TABLE program_list_entries (
  fiscal_year INTEGER NOT NULL,
  number INTEGER NOT NULL,
  kind TEXT NOT NULL,
  position INTEGER NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (fiscal_year, number, kind, position),
  FOREIGN KEY (fiscal_year, number) REFERENCES programs(fiscal_year, number)
);
CREATE INDEX program_departments ON program_list_entries(kind, value);

CREATE TABLE expenditures (
  sequence INTEGER PRIMARY KEY AUTOINCREMENT,
  request_id TEXT NOT NULL UNIQUE,
  fiscal_year INTEGER NOT NULL,
  program_number INTEGER NOT NULL,
  year INTEGER NOT NULL,
  month INTEGER NOT NULL,
  amount_yen INTEGER NOT NULL CHECK (amount_yen > 0),
  source_record_id TEXT NOT NULL,
  description TEXT NOT NULL,
  create_time_micros INTEGER NOT NULL,
  FOREIGN KEY (fiscal_year, program_number) REFERENCES programs(fiscal_year, number)
);
CREATE INDEX expenditures_by_program ON expenditures(fiscal_year, program_number, sequence);

CREATE TABLE envelopes (
  fiscal_year INTEGER NOT NULL,
  id TEXT NOT NULL,
  program_number INTEGER NOT NULL,
  title TEXT NOT NULL,
  amount_yen INTEGER NOT NULL CHECK (amount_yen > 0),
  reserved_yen INTEGER NOT NULL DEFAULT 0,
  CHECK (reserved_yen >= 0 AND reserved_yen <= amount_yen),
  PRIMARY KEY (fiscal_year, id),
  FOREIGN KEY (fiscal_year, program_number) REFERENCES programs(fiscal_year, number)
);

CREATE TABLE reservations (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  fiscal_year INTEGER NOT NULL,
  envelope_id TEXT NOT NULL,
  holder TEXT NOT NULL,
  amount_yen INTEGER NOT NULL CHECK (amount_yen >= 0),
  reserved_yen INTEGER NOT NULL,
  released_yen INTEGER NOT NULL DEFAULT 0,
  create_time_micros INTEGER NOT NULL,
  update_time_micros INTEGER NOT NULL,
  UNIQUE (fiscal_year, envelope_id, holder),
  FOREIGN KEY (fiscal_year, envelope_id) REFERENCES envelopes(fiscal_year, id)
);

-- AIP-155 request log (common/sql/request_log.h).
CREATE TABLE request_log (
  request_id TEXT PRIMARY KEY,
  method TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  response BLOB NOT NULL,
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ'))
);
