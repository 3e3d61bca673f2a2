-- PostgreSQL form of ../007_decision_totals.sql; keep the two in step.
CREATE TABLE decision_totals (
  fiscal_year INTEGER NOT NULL,
  scheme_id TEXT NOT NULL,
  decisions BIGINT NOT NULL,
  committed_yen BIGINT NOT NULL,
  PRIMARY KEY (fiscal_year, scheme_id)
);

INSERT INTO decision_totals (fiscal_year, scheme_id, decisions, committed_yen)
  SELECT fiscal_year, scheme_id, COUNT(*), SUM(committed_yen)
  FROM applications WHERE committed_yen > 0
  GROUP BY fiscal_year, scheme_id;

CREATE FUNCTION decision_totals_follow() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.committed_yen > 0 THEN
    UPDATE decision_totals
      SET decisions = decisions - 1,
          committed_yen = committed_yen - OLD.committed_yen
      WHERE fiscal_year = OLD.fiscal_year AND scheme_id = OLD.scheme_id;
    -- A scheme without decisions has no row.
    DELETE FROM decision_totals
      WHERE fiscal_year = OLD.fiscal_year AND scheme_id = OLD.scheme_id
        AND decisions = 0;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.committed_yen > 0 THEN
    INSERT INTO decision_totals (fiscal_year, scheme_id, decisions,
                                 committed_yen)
      VALUES (NEW.fiscal_year, NEW.scheme_id, 1, NEW.committed_yen)
      ON CONFLICT (fiscal_year, scheme_id) DO UPDATE SET
        decisions = decision_totals.decisions + 1,
        committed_yen = decision_totals.committed_yen + EXCLUDED.committed_yen;
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER decision_totals_follow
AFTER INSERT OR UPDATE OR DELETE ON applications
FOR EACH ROW EXECUTE FUNCTION decision_totals_follow();
