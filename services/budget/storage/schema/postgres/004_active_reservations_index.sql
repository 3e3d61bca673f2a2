-- PostgreSQL form of ../004_active_reservations_index.sql; keep the two in
-- step.
CREATE INDEX reservations_active
  ON reservations(fiscal_year, envelope_id, amount_yen)
  WHERE amount_yen > 0;
