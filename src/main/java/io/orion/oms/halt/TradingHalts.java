package io.orion.oms.halt;

import io.orion.oms.metrics.OmsMetrics;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.Map;

/**
 * The kill switch as the order path sees it: which tenants may not open new orders. Halts are stored in
 * PostgreSQL (all nodes, restarts); each node keeps them in memory so that the check costs no database
 * round trip, reloads them every {@link #REFRESH_MS} ms and at once when any node announces a change on
 * {@link #CHANGED} (published, so a cluster hears it too). {@code orders.executionEnabled: false} halts
 * every tenant regardless of the table.
 */
public final class TradingHalts {
  public static final String CHANGED = "oms.trading.halts.changed";
  static final long REFRESH_MS = 1000;
  private static final Logger log = LoggerFactory.getLogger(TradingHalts.class);

  private final TradingHaltRepository repo;
  private final boolean executionEnabled;
  private final Clock clock;
  private final OmsMetrics metrics;
  private final Halt configHalt;
  private volatile Map<String, Halt> halted = Map.of();
  private Vertx vertx;

  public TradingHalts(TradingHaltRepository repo, boolean executionEnabled, Clock clock, OmsMetrics metrics) {
    this.repo = repo;
    this.executionEnabled = executionEnabled;
    this.clock = clock;
    this.metrics = metrics;
    this.configHalt = executionEnabled ? null : new Halt(null,
      "Order execution is disabled for the whole service (orders.executionEnabled is false)", "config", null, "config");
  }

  /** Loads the stored halts, then keeps them fresh. */
  public Future<Void> start(Vertx vertx) {
    this.vertx = vertx;
    if (!executionEnabled) log.warn("orders.executionEnabled is false: trading is halted for every tenant");
    vertx.eventBus().<JsonObject>consumer(CHANGED, m -> refresh());
    vertx.setPeriodic(REFRESH_MS, id -> refresh());
    return refresh();
  }

  private Future<Void> refresh() {
    return repo.all().onSuccess(map -> {
      halted = Map.copyOf(map);
      metrics.haltsSampled(map.size(), executionEnabled);
    }).<Void>mapEmpty().otherwise(e -> null); // database down: keep what we know; orders fail on the database anyway
  }

  /** The halt that stops new orders of this tenant, or null. */
  public Halt haltOf(String tenant) {
    if (configHalt != null) return configHalt;
    return halted.get(tenant);
  }

  public Future<Halt> halt(String tenant, String reason, String actor) {
    return repo.halt(tenant, reason, actor, clock.instant()).compose(h -> changed(tenant).map(h))
      .onSuccess(h -> log.atWarn().addKeyValue("tenant", tenant).addKeyValue("actor", actor)
        .log("Trading halted for tenant {} by {}: {}", tenant, actor, h.reason()));
  }

  public Future<Boolean> resume(String tenant, String actor) {
    return repo.resume(tenant, actor, clock.instant()).compose(was -> changed(tenant).map(was))
      .onSuccess(was -> {
        if (was) log.atWarn().addKeyValue("tenant", tenant).addKeyValue("actor", actor)
          .log("Trading resumed for tenant {} by {}", tenant, actor);
      });
  }

  /** This node sees the change before the admin's answer; the others on the published notice. */
  private Future<Void> changed(String tenant) {
    return refresh().onSuccess(v -> vertx.eventBus().publish(CHANGED, new JsonObject().put("tenant", tenant)));
  }
}
