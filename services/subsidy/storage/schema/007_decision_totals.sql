-- The schemes' decision totals (交付決定件数/額), kept by the database on
-- every change of an application's committed amount: a decision reads one
-- row instead of every committed application of its scheme. Derived from
-- `applications` alone (shien_dbcopy rebuilds it rather than copy it): a
-- scheme without decisions has no row.
CREATE TABLE decision_totals (
  fiscal_year INTEGER NOT NULL,
  scheme_id TEXT NOT NULL,
  decisions INTEGER NOT NULL,
  committed_yen INTEGER NOT NULL,
  PRIMARY KEY (fiscal_year, scheme_id)
);

INSERT INTO decision_totals (fiscal_year, scheme_id, decisions, committed_yen)
  SELECT fiscal_year, scheme_id, COUNT(*), SUM(committed_yen)
  FROM applications WHERE committed_yen > 0
  GROUP BY fiscal_year, scheme_id;

CREATE TRIGGER decision_totals_insert AFTER INSERT ON applications
WHEN NEW.committed_yen > 0
BEGIN
  INSERT INTO decision_totals (fiscal_year, scheme_id, decisions, committed_yen)
    VALUES (NEW.fiscal_year, NEW.scheme_id, 1, NEW.committed_yen)
    ON CONFLICT (fiscal_year, scheme_id) DO UPDATE SET
      decisions = decisions + 1,
      committed_yen = committed_yen + excluded.committed_yen;
END;

CREATE TRIGGER decision_totals_update
AFTER UPDATE OF fiscal_year, scheme_id, committed_yen ON applications
WHEN OLD.committed_yen > 0 OR NEW.committed_yen > 0
BEGIN
  UPDATE decision_totals
    SET decisions = decisions - 1, committed_yen = committed_yen - OLD.committed_yen
    WHERE OLD.committed_yen > 0 AND fiscal_year = OLD.fiscal_year
      AND scheme_id = OLD.scheme_id;
  DELETE FROM decision_totals
    WHERE fiscal_year = OLD.fiscal_year AND scheme_id = OLD.scheme_id
      AND decisions = 0;
  INSERT INTO decision_totals (fiscal_year, scheme_id, decisions, committed_yen)
    SELECT NEW.fiscal_year, NEW.scheme_id, 1, NEW.committed_yen
    WHERE NEW.committed_yen > 0
    ON CONFLICT (fiscal_year, scheme_id) DO UPDATE SET
      decisions = decisions + 1,
      committed_yen = committed_yen + excluded.committed_yen;
END;

CREATE TRIGGER decision_totals_delete AFTER DELETE ON applications
WHEN OLD.committed_yen > 0
BEGIN
  UPDATE decision_totals
    SET decisions = decisions - 1, committed_yen = committed_yen - OLD.committed_yen
    WHERE fiscal_year = OLD.fiscal_year AND scheme_id = OLD.scheme_id;
  DELETE FROM decision_totals
    WHERE fiscal_year = OLD.fiscal_year AND scheme_id = OLD.scheme_id
      AND decisions = 0;
END;
