-- No planner statistics for the JSON payload columns: no query filters or joins on them (the outbox reader only
-- extracts fields of the rows it has found by id), so their statistics served no plan, while autovacuum's ANALYZE
-- sorted and compared up to 30,000 sampled documents per column each time a table had grown by a tenth. Profiled
-- under load on young tables, that ANALYZE took about a sixth of PostgreSQL's CPU (docs/benchmarks.md).
ALTER TABLE events ALTER COLUMN payload SET STATISTICS 0;
ALTER TABLE execution_logs ALTER COLUMN details SET STATISTICS 0;
ALTER TABLE execution_reports ALTER COLUMN report SET STATISTICS 0;
ALTER TABLE routing_decisions ALTER COLUMN decision SET STATISTICS 0;
ALTER TABLE orders ALTER COLUMN metadata SET STATISTICS 0;
ALTER TABLE order_modifications ALTER COLUMN requested SET STATISTICS 0;
ALTER TABLE order_modifications ALTER COLUMN previous SET STATISTICS 0;
ALTER TABLE order_modifications ALTER COLUMN plan SET STATISTICS 0;
ALTER TABLE idempotency_keys ALTER COLUMN response_headers SET STATISTICS 0;
ALTER TABLE idempotency_keys ALTER COLUMN response_body SET STATISTICS 0;
