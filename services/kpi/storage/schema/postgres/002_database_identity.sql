-- PostgreSQL form of ../002_database_identity.sql; keep the two in step.
-- A random identity of this database, made once. Instances sharing the
-- database share it; the view cache puts it in its keys so that two
-- databases never read each other's cached views, whatever their data
-- versions.
CREATE TABLE database_identity (
  singleton BIGINT PRIMARY KEY CHECK (singleton = 1),
  id TEXT NOT NULL
);
INSERT INTO database_identity (singleton, id)
  VALUES (1, md5(random()::text || clock_timestamp()::text));
