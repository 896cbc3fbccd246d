-- A submission batch commits without waiting for the WAL flush, so that the account rows it locked go at once;
-- then the same session writes here, durably: that commit's flush covers the batch (the WAL is one sequence), and
-- only then does anyone hear of the batch's orders. One row per server process (session), so that these writes
-- never wait for one another; a row of a session gone is reused by the next that gets its pid.
CREATE TABLE wal_flush_marks (
  pid   integer PRIMARY KEY,
  marks bigint  NOT NULL
);
