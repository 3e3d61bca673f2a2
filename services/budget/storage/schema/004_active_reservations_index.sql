-- An envelope's count of active reservations, read in every reservation,
-- from this index alone instead of every reservation of the envelope.
CREATE INDEX reservations_active
  ON reservations(fiscal_year, envelope_id, amount_yen)
  WHERE amount_yen > 0;
