package io.orion.oms.metrics;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** The read-only SQL behind the sampled gauges. */
public final class MetricsRepository {
  public record StatusCount(String status, String type, long count) {}

  /** The oldest unpublished outbox event (null when none) and how many wait. */
  public record OutboxBacklog(Instant oldest, long pending) {}

  private final Pool pool;

  public MetricsRepository(Pool pool) {
    this.pool = pool;
  }

  public Future<List<StatusCount>> ordersByStatusAndType() {
    return pool.query("SELECT status, order_type, count(*) AS n FROM orders GROUP BY status, order_type").execute()
      .map(rows -> {
        List<StatusCount> out = new ArrayList<>();
        for (Row r : rows) out.add(new StatusCount(r.getString("status"), r.getString("order_type"), r.getLong("n")));
        return out;
      });
  }

  /**
   * Committed outbox rows the publisher's stored snapshot does not see yet; on the xid index from that snapshot's
   * xmin, so cheap however long the published history.
   */
  public Future<OutboxBacklog> outboxBacklog() {
    return pool.query("SELECT min(created_at) AS oldest, count(*) AS pending FROM events"
        + " WHERE xid >= pg_snapshot_xmin((SELECT published FROM event_publisher))"
        + " AND NOT pg_visible_in_snapshot(xid, (SELECT published FROM event_publisher))")
      .execute()
      .map(rows -> {
        Row r = rows.iterator().next();
        return new OutboxBacklog(r.getOffsetDateTime("oldest") == null ? null : r.getOffsetDateTime("oldest").toInstant(),
          r.getLong("pending"));
      });
  }
}
