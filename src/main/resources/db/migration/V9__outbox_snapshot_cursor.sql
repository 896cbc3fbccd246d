-- The publisher keeps its place in the outbox as one PostgreSQL snapshot instead of marking every row it
-- publishes (that update doubled the outbox's writes). Each row carries the id of the transaction that wrote it;
-- a drain publishes the rows whose transaction is visible in the current snapshot and was not in the stored one,
-- then stores the current one. Commit order, not id order, decides what is visible, so a transaction that
-- commits late is still published exactly once.
ALTER TABLE events ADD COLUMN xid xid8;
-- rows published already: visible in every snapshot
UPDATE events SET xid = '1' WHERE published_at IS NOT NULL;
-- rows not yet published: written by this migration's transaction, which the stored snapshot below does not see
UPDATE events SET xid = pg_current_xact_id() WHERE published_at IS NULL;
ALTER TABLE events ALTER COLUMN xid SET DEFAULT pg_current_xact_id(), ALTER COLUMN xid SET NOT NULL;
DROP INDEX events_unpublished;
ALTER TABLE events DROP COLUMN published_at;
CREATE INDEX events_xid ON events (xid);

CREATE TABLE event_publisher (
  id         boolean     PRIMARY KEY DEFAULT true CHECK (id),
  published  pg_snapshot NOT NULL
);
-- everything before this transaction (the service does not run during migrations) counts as published
INSERT INTO event_publisher (published)
SELECT (x || ':' || x || ':')::text::pg_snapshot
FROM (SELECT least(pg_current_xact_id(), pg_snapshot_xmin(pg_current_snapshot())) AS x) t;
