-- Undelivered and dead messages to one target (the budget service's
-- releases), read before every approval and in the scheme statistics,
-- without reading the other targets' backlog.
CREATE INDEX outbox_by_target
  ON outbox(target, dead, delivered_micros);
