-- Report transactions commit without waiting for the WAL flush, so the publisher's drain is the flush that makes
-- what it read durable: it commits its place first and publishes after. A publisher that dies between its commit
-- and its publication must not lose that drain: the next one (another process, or this one restarted) republishes
-- from the place before it. leader names the publisher that stored the place; previous is the place before.
ALTER TABLE event_publisher ADD COLUMN previous pg_snapshot, ADD COLUMN leader uuid;
UPDATE event_publisher SET previous = published;
ALTER TABLE event_publisher ALTER COLUMN previous SET NOT NULL;
