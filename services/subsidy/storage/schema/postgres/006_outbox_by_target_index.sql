-- PostgreSQL form of ../006_outbox_by_target_index.sql; keep the two in
-- step.
CREATE INDEX outbox_by_target
  ON outbox(target, dead, delivered_micros);
