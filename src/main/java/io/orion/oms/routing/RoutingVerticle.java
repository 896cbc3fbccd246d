package io.orion.oms.routing;

import io.orion.oms.common.BusResult;
import io.orion.oms.common.ErrorCode;
import io.orion.oms.common.Problem;
import io.orion.oms.instrument.Instrument;
import io.orion.oms.instrument.InstrumentCatalog;
import io.orion.oms.lp.LpConnectorVerticle;
import io.orion.oms.lp.LpMessages;
import io.orion.oms.order.Order;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Keeps the quote book and each LP's health, and answers routing questions:
 * {@code oms.routing.route} (where should this quantity go), {@code oms.routing.check-lp} (may a client
 * name this LP) and {@code oms.routing.lps} (the health view behind {@code GET /api/v1/lps}).
 * It decides only; the order lifecycle sends.
 */
public final class RoutingVerticle extends VerticleBase {
  public static final String ROUTE = "oms.routing.route";
  public static final String CHECK_LP = "oms.routing.check-lp";
  public static final String LPS = "oms.routing.lps";
  public static final String MARKS = "oms.routing.marks";

  private final List<Instrument> instruments;
  private final List<String> lpIds;
  private final long quoteMaxAgeMs;
  private final Clock clock;
  private final QuoteBook book = new QuoteBook();
  private final Map<String, JsonObject> health = new LinkedHashMap<>();
  private InstrumentCatalog catalog;
  private Router router;

  private final MeterRegistry meters;
  private Timer decisionTime;

  public RoutingVerticle(List<Instrument> instruments, List<String> lpIds, long quoteMaxAgeMs, Clock clock,
                         MeterRegistry meters) {
    this.meters = meters;
    this.instruments = instruments;
    this.lpIds = lpIds;
    this.quoteMaxAgeMs = quoteMaxAgeMs;
    this.clock = clock;
  }

  @Override
  public Future<?> start() {
    catalog = new InstrumentCatalog(instruments);
    decisionTime = Timer.builder("orion.routing.decision").description("Time to take one routing decision")
      .publishPercentileHistogram().register(meters);
    router = new Router(clock, lpIds);
    lpIds.forEach(id -> health.put(id, new JsonObject().put("lpId", id).put("connected", false).put("circuit", "closed")));
    List<Future<?>> ready = new ArrayList<>();
    for (Instrument i : instruments) {
      ready.add(vertx.eventBus().<JsonObject>consumer(LpConnectorVerticle.QUOTES_PREFIX + i.id(),
        m -> book.update(LpMessages.quote(m.body()))).completion());
    }
    ready.add(vertx.eventBus().<JsonObject>consumer(LpConnectorVerticle.STATE, this::onLpState).completion());
    ready.add(vertx.eventBus().<JsonObject>consumer(ROUTE, this::route).completion());
    ready.add(vertx.eventBus().<JsonObject>consumer(CHECK_LP, this::checkLp).completion());
    ready.add(vertx.eventBus().<JsonObject>consumer(LPS, this::lps).completion());
    ready.add(vertx.eventBus().<JsonObject>consumer(MARKS, this::marks).completion());
    return Future.all(ready);
  }

  private void onLpState(Message<JsonObject> m) {
    health.put(m.body().getString("lpId"), m.body());
  }

  /** An LP takes orders when its session is up and its circuit is not open (half-open lets a probe through). */
  private Set<String> healthy() {
    Set<String> out = new HashSet<>();
    health.forEach((id, s) -> {
      if (s.getBoolean("connected", false) && !"open".equals(s.getString("circuit"))) out.add(id);
    });
    return out;
  }

  /**
   * Body: {@code {order, quantity, excludeLps?}}. Value: {@code {decision, allocations:[{lpId, quantity, price}]}},
   * or a problem (NO_HEALTHY_LP, NO_LIQUIDITY, UNKNOWN_LP, LP_UNHEALTHY).
   */
  private void route(Message<JsonObject> msg) {
    Order order = Order.fromBusJson(msg.body().getJsonObject("order"));
    BigDecimal quantity = new BigDecimal(msg.body().getString("quantity"));
    Set<String> eligible = healthy();
    msg.body().getJsonArray("excludeLps", new JsonArray()).forEach(eligible::remove);
    Instrument inst = catalog.get(order.instrumentId());
    RouteRequest base = RouteRequest.of(order, inst);
    RouteRequest req = new RouteRequest(base.instrumentId(), base.side(), base.orderType(), quantity, base.limitPrice(),
      base.strategy(), base.lpId(), base.preferredLps(), base.lotSize());
    Instant now = clock.instant();
    long start = System.nanoTime();
    RouteResult result = router.decide(req, book.quotes(order.instrumentId(), now, quoteMaxAgeMs), eligible);
    decisionTime.record(System.nanoTime() - start, java.util.concurrent.TimeUnit.NANOSECONDS);
    if (result instanceof RouteRejection r) {
      meters.counter("orion.routing.rejections", "strategy", req.strategy().wire(), "code", r.code()).increment();
      msg.reply(BusResult.fail(Problem.of(ErrorCode.valueOf(r.code()), r.reason()).with("decision", r.toJson())));
    } else if (result instanceof RoutingDecision d) {
      JsonArray allocations = new JsonArray();
      d.allocations().forEach(a -> {
        allocations.add(a.toJson());
        meters.counter("orion.orders.routed", "strategy", d.strategy().wire(), "lp", a.lpId()).increment();
      });
      msg.reply(BusResult.ok(new JsonObject().put("decision", d.toJson()).put("allocations", allocations)));
    }
  }

  /** Manual routing: the named LP must exist and be able to take orders now. */
  private void checkLp(Message<JsonObject> msg) {
    String lpId = msg.body().getString("lpId");
    if (!health.containsKey(lpId)) {
      msg.reply(BusResult.fail(Problem.of(ErrorCode.UNKNOWN_LP, "Unknown liquidity provider '" + lpId + "'")
        .with("knownLps", new JsonArray(List.copyOf(health.keySet())))));
    } else if (!healthy().contains(lpId)) {
      JsonObject s = health.get(lpId);
      msg.reply(BusResult.fail(Problem.of(ErrorCode.LP_UNHEALTHY, "Liquidity provider '" + lpId + "' is unavailable ("
        + (s.getBoolean("connected", false) ? "circuit " + s.getString("circuit") : "not connected") + ")")));
    } else {
      msg.reply(BusResult.ok(new JsonObject()));
    }
  }

  /**
   * Mark prices: the mid of the best fresh bid and ask across all LPs, per instrument asked for
   * ({@code {instruments:[...]}}); an instrument without a fresh two-sided quote is left out.
   */
  private void marks(Message<JsonObject> msg) {
    Instant now = clock.instant();
    JsonObject out = new JsonObject();
    for (Object id : msg.body().getJsonArray("instruments", new JsonArray())) {
      BigDecimal bid = book.best(String.valueOf(id), true, now, quoteMaxAgeMs);
      BigDecimal ask = book.best(String.valueOf(id), false, now, quoteMaxAgeMs);
      if (bid != null && ask != null) {
        out.put(String.valueOf(id), bid.add(ask).divide(BigDecimal.valueOf(2)).toPlainString());
      }
    }
    msg.reply(BusResult.ok(new JsonObject().put("marks", out)));
  }

  /** Each LP: session, circuit, failures, send latency and the age of its freshest quote. */
  private void lps(Message<JsonObject> msg) {
    Instant now = clock.instant();
    JsonArray out = new JsonArray();
    health.forEach((id, s) -> {
      Long age = null;
      for (Instrument i : instruments) {
        var q = book.latest(i.id(), id);
        if (q != null) {
          long a = now.toEpochMilli() - q.time().toEpochMilli();
          age = age == null ? a : Math.min(age, a);
        }
      }
      out.add(s.copy().put("lastQuoteAgeMs", age).put("healthy", healthy().contains(id)));
    });
    msg.reply(BusResult.ok(new JsonObject().put("data", out)));
  }
}
