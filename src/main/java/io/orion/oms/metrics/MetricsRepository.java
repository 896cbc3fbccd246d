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

  /** Uses the partial index {@code events_unpublished}: cheap however long the published history. */
  public Future<OutboxBacklog> outboxBacklog() {
    return pool.query("SELECT (SELECT created_at FROM events WHERE published_at IS NULL ORDER BY id LIMIT 1) AS oldest, "
        + "(SELECT count(*) FROM events WHERE published_at IS NULL) AS pending").execute()
      .map(rows -> {
        Row r = rows.iterator().next();
        return new OutboxBacklog(r.getOffsetDateTime("oldest") == null ? null : r.getOffsetDateTime("oldest").toInstant(),
          r.getLong("pending"));
      });
  }
}
