-- The audit trail: one row per change, written in the transaction of the
-- change itself (see common/sql/audit.h).
CREATE TABLE audit_events (
  sequence INTEGER PRIMARY KEY AUTOINCREMENT,
  time_micros INTEGER NOT NULL,
  principal TEXT NOT NULL,
  method TEXT NOT NULL,
  request_id TEXT NOT NULL,
  resource TEXT NOT NULL,
  change TEXT NOT NULL
);
CREATE INDEX audit_events_by_principal ON audit_events (principal, sequence);
CREATE INDEX audit_events_by_resource ON audit_events (resource, sequence);
