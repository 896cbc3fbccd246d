package io.orion.oms.events;

import io.orion.oms.config.OrionConfig;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.EventBus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

/**
 * Publishes committed outbox rows on the event bus, to the account's address and to its tenant's, in seq
 * order per account. Each drain takes every row committed since the last one (the place is a stored PostgreSQL
 * snapshot, see {@link EventRepository#publishBatch}). It drains when nudged on {@link #NUDGE} (the write path
 * does so after its commits) and, when no drain has started for {@code publishIntervalMs}, on its timer: the
 * timer is for rows that no nudge announced (other processes' commits); under load the nudges keep it idle,
 * so it adds no transactions. Several processes may run it: a
 * PostgreSQL advisory lock lets one of them publish at a time, which also keeps each account's order.
 *
 * <p>A drain commits its place before it publishes: that commit waits for the WAL flush, which makes durable what
 * it read (execution reports commit without waiting, see {@code ExecutionApplier}), so no subscriber ever sees an
 * event a crash could take back. A publisher that dies between that commit and its publication is covered by its
 * successor, which repeats the last drain (see {@link EventRepository#publishBatch}); one that stops cleanly says
 * so ({@link EventRepository#handOver}) and nothing is repeated.
 */
public final class EventPublisher extends VerticleBase {
  private static final Logger log = LoggerFactory.getLogger(EventPublisher.class);
  /** Send anything here after committing outbox rows to have them published at once. */
  public static final String NUDGE = "oms.events.nudge";
  private static final long PURGE_INTERVAL_MS = 10 * 60 * 1000;
  private static final int PURGE_BATCH = 10_000;

  private final EventRepository repo;
  private final OrionConfig.Streaming config;
  private final Clock clock;
  private long pollTimer;
  private long purgeTimer;
  private boolean draining;
  private boolean stopped;
  /** The drain under way, or the last one (stop waits for it). */
  private Future<?> current = Future.succeededFuture();
  private boolean again;
  private long lastDrainNanos;
  /** The timer that starts a drain held back by {@code drainSpacingMs}, or -1. */
  private long spacingTimer = -1;
  /** Who stored the place: a publisher that finds another's id there repeats that one's last drain. */
  private final UUID id = UUID.randomUUID();

  public EventPublisher(EventRepository repo, OrionConfig.Streaming config, Clock clock) {
    this.repo = repo;
    this.config = config;
    this.clock = clock;
  }

  @Override
  public Future<?> start() {
    long intervalNanos = config.publishIntervalMs() * 1_000_000L;
    lastDrainNanos = System.nanoTime() - 3_600_000_000_000L; // "an hour ago": nanoTime's origin is arbitrary
    pollTimer = vertx.setPeriodic(config.publishIntervalMs(), id -> {
      if (System.nanoTime() - lastDrainNanos >= intervalNanos) drain();
    });
    purgeTimer = vertx.setPeriodic(PURGE_INTERVAL_MS, PURGE_INTERVAL_MS, id -> purge());
    return vertx.eventBus().localConsumer(NUDGE, m -> drain()).completion();
  }

  /**
   * Stops the timers and lets a drain under way finish (its commit stores the place), starting no other: an
   * undeployed publisher must not drain on with a closing pool, nor publish behind the next one's back.
   */
  @Override
  public Future<?> stop() {
    stopped = true;
    vertx.cancelTimer(pollTimer);
    vertx.cancelTimer(purgeTimer);
    if (spacingTimer != -1) vertx.cancelTimer(spacingTimer);
    return current.compose(v -> repo.handOver(id)).recover(err -> {
      log.warn("Could not record a clean hand-over of the outbox publisher; its successor repeats its last drain", err);
      return Future.succeededFuture();
    });
  }

  /**
   * One drain at a time; a nudge during a drain makes it go round once more. A drain starts no sooner than
   * {@code drainSpacingMs} after the last one started: under load a nudge comes after nearly every commit, and
   * back-to-back drains would each be a durable commit carrying a few rows, where one a moment later carries them all.
   */
  private void drain() {
    if (stopped || spacingTimer != -1) return; // a drain is set to start: it takes whatever this nudge announced
    if (draining) {
      again = true;
      return;
    }
    long waitNanos = config.drainSpacingMs() * 1_000_000L - (System.nanoTime() - lastDrainNanos);
    if (waitNanos > 0) {
      spacingTimer = vertx.setTimer(Math.max(1, waitNanos / 1_000_000), t -> {
        spacingTimer = -1;
        drain();
      });
      return;
    }
    draining = true;
    again = false;
    lastDrainNanos = System.nanoTime();
    current = repo.publishBatch(id, this::publish).andThen(ar -> {
      draining = false;
      if (ar.failed()) log.warn("Publishing outbox events failed; retrying on the next round", ar.cause());
      else if (again) drain();
    }).transform(ar -> Future.succeededFuture());
  }

  private Future<Void> publish(List<StreamEvent> events) {
    EventBus bus = vertx.eventBus();
    for (StreamEvent e : events) {
      bus.publish(StreamEvent.accountAddress(e.tenant(), e.accountId()), e.text(), e.deliveryOptions());
      bus.publish(StreamEvent.tenantAddress(e.tenant()), e.text(), e.deliveryOptions());
    }
    return Future.succeededFuture();
  }

  private void purge() {
    repo.purge(clock.instant().minus(Duration.ofHours(config.retentionHours())), PURGE_BATCH).onComplete(ar -> {
      if (ar.failed()) log.warn("Purging old outbox events failed", ar.cause());
      else if (ar.result() > 0) log.info("Purged {} outbox events older than {} h", ar.result(), config.retentionHours());
    });
  }
}
