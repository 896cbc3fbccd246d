package io.orion.oms.metrics;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.HashSet;
import java.util.Set;

/**
 * Samples the gauges that live in the database every {@code sampleIntervalMs}: outbox lag (age of the
 * oldest unpublished event) and orders by status and type. Every node reports the same figures: in
 * Prometheus, aggregate them with {@code max}, not {@code sum}.
 */
public final class MetricsSamplerVerticle extends VerticleBase {
  private static final Logger log = LoggerFactory.getLogger(MetricsSamplerVerticle.class);

  private final MetricsRepository repo;
  private final OmsMetrics metrics;
  private final long intervalMs;
  private final Clock clock;
  private boolean sampling;

  public MetricsSamplerVerticle(MetricsRepository repo, OmsMetrics metrics, long intervalMs, Clock clock) {
    this.repo = repo;
    this.metrics = metrics;
    this.intervalMs = intervalMs;
    this.clock = clock;
  }

  @Override
  public Future<?> start() {
    vertx.setPeriodic(intervalMs, id -> sample());
    return sample().otherwise(e -> null); // a database not ready yet must not stop start-up
  }

  private Future<Void> sample() {
    if (sampling) return Future.succeededFuture(); // one at a time, however slow the database
    sampling = true;
    Future<Void> outbox = repo.outboxBacklog().map(b -> {
      metrics.outboxSampled(b.oldest() == null ? 0 : clock.millis() - b.oldest().toEpochMilli(), b.pending());
      return null;
    });
    Future<Void> orders = repo.ordersByStatusAndType().map(list -> {
      Set<String> seen = new HashSet<>();
      list.forEach(c -> {
        metrics.ordersSampled(c.status(), c.type(), c.count());
        seen.add(c.status() + "|" + c.type());
      });
      metrics.ordersSampleDone(seen);
      return null;
    });
    return Future.join(outbox, orders).<Void>mapEmpty().onComplete(ar -> {
      sampling = false;
      if (ar.failed()) log.debug("Metrics sample failed: {}", ar.cause().getMessage());
    });
  }
}
