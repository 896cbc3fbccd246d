package io.orion.oms.trigger;

import io.orion.oms.instrument.Instrument;
import io.orion.oms.lp.LpConnectorVerticle;
import io.orion.oms.lp.LpMessages;
import io.orion.oms.order.Order;
import io.orion.oms.order.OrderRepository;
import io.orion.oms.order.OrderVerticle;
import io.orion.oms.routing.QuoteBook;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.math.BigDecimal;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Holds stop, stop-limit and trailing-stop orders until their trigger, and keeps pegged orders priced
 * against the market. Its state is a mirror of PostgreSQL (loaded at start, refreshed when an order
 * command says a held order changed, and in full every {@code reloadIntervalMs}); every decision is
 * carried out by the order verticle in a transaction that checks the order again, so a stale mirror
 * or a restart can delay a trigger but never fire it twice.
 */
public final class TriggerVerticle extends VerticleBase {
  private static final Logger log = LoggerFactory.getLogger(TriggerVerticle.class);

  private final OrderRepository orders;
  private final List<Instrument> instruments;
  private final long quoteMaxAgeMs;
  private final long reloadIntervalMs;
  private final Clock clock;
  private final QuoteBook book = new QuoteBook();
  private final Map<UUID, Order> held = new HashMap<>();
  private final Map<String, Set<UUID>> byInstrument = new HashMap<>();
  private final Map<String, BigDecimal> ticks = new HashMap<>();
  /** Orders with a decision on its way to the order verticle: not decided again until it answers. */
  private final Set<UUID> inFlight = new HashSet<>();

  public TriggerVerticle(OrderRepository orders, List<Instrument> instruments, long quoteMaxAgeMs,
                         long reloadIntervalMs, Clock clock) {
    this.orders = orders;
    this.instruments = instruments;
    this.quoteMaxAgeMs = quoteMaxAgeMs;
    this.reloadIntervalMs = reloadIntervalMs;
    this.clock = clock;
  }

  @Override
  public Future<?> start() {
    List<Future<?>> ready = new ArrayList<>();
    for (Instrument i : instruments) {
      ticks.put(i.id(), i.tickSize());
      ready.add(vertx.eventBus().<JsonObject>consumer(LpConnectorVerticle.QUOTES_PREFIX + i.id(),
        m -> onQuote(m.body())).completion());
    }
    ready.add(vertx.eventBus().<JsonObject>consumer(OrderVerticle.TRIGGERS_CHANGED,
      m -> reload(UUID.fromString(m.body().getString("orderId")), true)).completion());
    if (reloadIntervalMs > 0) vertx.setPeriodic(reloadIntervalMs, reloadIntervalMs, id -> reloadAll());
    return Future.all(ready).compose(v -> reloadAll());
  }

  private Future<Void> reloadAll() {
    return orders.held(orders.pool()).onSuccess(list -> {
      held.clear();
      byInstrument.clear();
      list.forEach(this::track);
      list.forEach(this::evaluate); // quotes may have moved while the mirror was stale
    }).onFailure(e -> log.error("Cannot load held orders", e)).mapEmpty();
  }

  /** Refreshes one order from PostgreSQL; {@code decide}: evaluate it at once against the current quotes. */
  private void reload(UUID id, boolean decide) {
    orders.byId(orders.pool(), id).onSuccess(o -> {
      untrack(id);
      if (o != null && watched(o)) {
        track(o);
        if (decide) evaluate(o);
      }
    }).onFailure(e -> log.warn("Cannot reload held order {}: {}", id, e.getMessage()));
  }

  /** Untriggered stops, and pegged orders until they end (the same rule as the repository's HELD query). */
  private static boolean watched(Order o) {
    if (!o.held() || o.status().isFinal() || o.status() == io.orion.oms.order.OrderStatus.PENDING_CANCEL) return false;
    return o.orderType() == io.orion.oms.order.OrderType.PEGGED || o.triggeredAt() == null;
  }

  private void track(Order o) {
    held.put(o.id(), o);
    byInstrument.computeIfAbsent(o.instrumentId(), k -> new HashSet<>()).add(o.id());
  }

  private void untrack(UUID id) {
    Order o = held.remove(id);
    if (o != null) {
      Set<UUID> ids = byInstrument.get(o.instrumentId());
      if (ids != null) ids.remove(id);
    }
  }

  private void onQuote(JsonObject quote) {
    var q = LpMessages.quote(quote);
    book.update(q);
    Set<UUID> ids = byInstrument.get(q.instrumentId());
    if (ids == null || ids.isEmpty()) return;
    for (UUID id : List.copyOf(ids)) {
      Order o = held.get(id);
      if (o != null) evaluate(o);
    }
  }

  private void evaluate(Order o) {
    if (inFlight.contains(o.id())) return;
    BigDecimal tick = ticks.get(o.instrumentId());
    if (tick == null) return;
    java.time.Instant now = clock.instant();
    BigDecimal bid = book.best(o.instrumentId(), true, now, quoteMaxAgeMs);
    BigDecimal ask = book.best(o.instrumentId(), false, now, quoteMaxAgeMs);
    TriggerRules.Action action = TriggerRules.decide(o, bid, ask, tick);
    if (action instanceof TriggerRules.Wait) return;
    JsonObject cmd = new JsonObject().put("orderId", o.id().toString()).put("bid", dec(bid)).put("ask", dec(ask));
    if (action instanceof TriggerRules.Fire f) cmd.put("action", "fire").put("pegPrice", dec(f.pegPrice()));
    else if (action instanceof TriggerRules.MoveStop m) cmd.put("action", "move_stop").put("stopPrice", dec(m.stopPrice()));
    else if (action instanceof TriggerRules.Reprice r) cmd.put("action", "reprice").put("pegPrice", dec(r.pegPrice()));
    inFlight.add(o.id());
    vertx.eventBus().<JsonObject>request(OrderVerticle.TRIGGER, cmd).onComplete(ar -> {
      inFlight.remove(o.id());
      if (ar.failed()) log.warn("Trigger {} of order {} failed: {}", cmd.getString("action"), o.orderRef(), ar.cause().getMessage());
      else if (!ar.result().body().getBoolean("ok", false)) {
        log.info("Trigger {} of order {} not applied: {}", cmd.getString("action"), o.orderRef(),
          ar.result().body().getJsonObject("problem"));
      }
      reload(o.id(), false); // decided again at the next quote, not in a loop with a refusal
    });
  }

  private static String dec(BigDecimal d) {
    return d == null ? null : d.toPlainString();
  }
}
