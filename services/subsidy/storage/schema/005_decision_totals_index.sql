-- The scheme's decision totals (交付決定件数/額), read in every application
-- write, from the index alone instead of every application row.
CREATE INDEX applications_committed
  ON applications(fiscal_year, scheme_id, committed_yen)
  WHERE committed_yen > 0;
