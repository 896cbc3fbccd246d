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
 * command says a held order changed, and reconciled by version every {@code reloadIntervalMs}), kept per
 * instrument in {@link HeldOrders} so that a quote decides only the orders it can act on; every decision is
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
  /** Which instrument each held order is filed under, for removing it by id. */
  private final Map<UUID, String> instrumentOf = new HashMap<>();
  private final Map<String, HeldOrders> byInstrument = new HashMap<>();
  private final Map<String, BigDecimal> ticks = new HashMap<>();
  /** Rows read per query when the mirror is (re)loaded. */
  private static final int RELOAD_PAGE_ROWS = 500;
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

  /**
   * Reconciles the mirror with PostgreSQL: the id and version of every held order first, then the rows of the orders
   * that are new, changed, or no longer in that list (normally none: order commands announce their changes), each
   * put in or taken out by {@link #refresh}. Rows are read after the list, so an order announced meanwhile (a stop
   * just submitted) is read again rather than dropped. A book of many resting stops then costs the event loop two
   * columns per order every {@code reloadIntervalMs}, not a decode and a decision each.
   */
  private Future<Void> reloadAll() {
    return orders.heldVersions(orders.pool()).compose(versions -> {
      List<UUID> stale = new ArrayList<>();
      for (UUID id : instrumentOf.keySet()) if (!versions.containsKey(id)) stale.add(id);
      versions.forEach((id, version) -> {
        Order current = tracked(id);
        if (current == null || current.version() != version) stale.add(id);
      });
      return fetch(stale, 0);
    }).onSuccess(v -> {
      // as a quote would: a decision skipped while another was in flight, or quotes that moved while the mirror
      // was stale, are taken up here at the latest
      byInstrument.forEach((instrument, held) -> decideAtCurrentQuotes(instrument, held));
    }).onFailure(e -> log.error("Cannot load held orders", e)).mapEmpty();
  }

  private Future<Void> fetch(List<UUID> ids, int from) {
    if (from >= ids.size()) return Future.succeededFuture();
    int to = Math.min(ids.size(), from + RELOAD_PAGE_ROWS);
    List<UUID> page = ids.subList(from, to);
    return orders.byIds(orders.pool(), page).compose(list -> {
      Map<UUID, Order> read = new HashMap<>(list.size() * 2);
      for (Order o : list) read.put(o.id(), o);
      for (UUID id : page) refresh(id, read.get(id)); // not read: no such order any more
      return fetch(ids, to);
    });
  }

  /** Refreshes one order from PostgreSQL; {@code decide}: evaluate it at once against the current quotes. */
  private void reload(UUID id, boolean decide) {
    orders.byId(orders.pool(), id).onSuccess(o -> {
      if (refresh(id, o) && decide) evaluate(o);
    }).onFailure(e -> log.warn("Cannot reload held order {}: {}", id, e.getMessage()));
  }

  /**
   * Puts a row just read into the mirror, unless the mirror already holds a later version (two reads of one order
   * may answer out of order); true when the order is now held there.
   */
  private boolean refresh(UUID id, Order fresh) {
    Order current = tracked(id);
    if (current != null && fresh != null && fresh.version() < current.version()) return false;
    untrack(id);
    if (fresh == null || !watched(fresh)) return false;
    track(fresh);
    return true;
  }

  private Order tracked(UUID id) {
    String instrument = instrumentOf.get(id);
    return instrument == null ? null : byInstrument.get(instrument).get(id);
  }

  /** Untriggered stops, and pegged orders until they end (the same rule as the repository's HELD query). */
  private static boolean watched(Order o) {
    if (!o.held() || o.status().isFinal() || o.status() == io.orion.oms.order.OrderStatus.PENDING_CANCEL) return false;
    return o.orderType() == io.orion.oms.order.OrderType.PEGGED || o.triggeredAt() == null;
  }

  private void track(Order o) {
    instrumentOf.put(o.id(), o.instrumentId());
    byInstrument.computeIfAbsent(o.instrumentId(), k -> new HeldOrders()).add(o);
  }

  private void untrack(UUID id) {
    String instrument = instrumentOf.remove(id);
    if (instrument != null) byInstrument.get(instrument).remove(id);
  }

  private void onQuote(JsonObject quote) {
    var q = LpMessages.quote(quote);
    book.update(q);
    HeldOrders held = byInstrument.get(q.instrumentId());
    if (held != null) decideAtCurrentQuotes(q.instrumentId(), held);
  }

  /** Decides the orders the instrument's best bid and ask can act on (the best read once for all of them). */
  private void decideAtCurrentQuotes(String instrument, HeldOrders held) {
    if (held.isEmpty()) return;
    java.time.Instant now = clock.instant();
    BigDecimal bid = book.best(instrument, true, now, quoteMaxAgeMs);
    BigDecimal ask = book.best(instrument, false, now, quoteMaxAgeMs);
    for (Order o : held.candidates(bid, ask)) evaluate(o, bid, ask);
  }

  private void evaluate(Order o) {
    java.time.Instant now = clock.instant();
    evaluate(o, book.best(o.instrumentId(), true, now, quoteMaxAgeMs), book.best(o.instrumentId(), false, now, quoteMaxAgeMs));
  }

  private void evaluate(Order o, BigDecimal bid, BigDecimal ask) {
    if (inFlight.contains(o.id())) return;
    BigDecimal tick = ticks.get(o.instrumentId());
    if (tick == null) return;
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
