-- PostgreSQL form of ../004_outbox_lease.sql; keep the two in step.
-- Which instance delivers the outbox: one at a time, so deliveries keep
-- their order per receiver when several instances share the database. The
-- holder renews its lease while it works; another takes over once it
-- expires.
CREATE TABLE outbox_lease (
  singleton BIGINT PRIMARY KEY CHECK (singleton = 1),
  holder TEXT NOT NULL,
  expires_micros BIGINT NOT NULL
);
