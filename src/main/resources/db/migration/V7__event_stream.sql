-- The stream purges published outbox rows older than its retention window; this keeps that cheap.
CREATE INDEX events_created_at ON events (created_at);
