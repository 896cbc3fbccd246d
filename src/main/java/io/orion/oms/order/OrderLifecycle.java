package io.orion.oms.order;

import io.orion.oms.common.BusResult;
import io.orion.oms.common.ErrorCode;
import io.orion.oms.common.Problem;
import io.orion.oms.common.ProblemException;
import io.orion.oms.events.EventPublisher;
import io.orion.oms.lp.ExecutionReport;
import io.orion.oms.lp.LpConnectorVerticle;
import io.orion.oms.lp.LpMessages;
import io.orion.oms.lp.LpOrder;
import io.orion.oms.routing.RoutingVerticle;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Carries an accepted order to the LPs and through their answers: asks routing where to go, records the
 * decision and the legs, sends each leg behind its LP's circuit breaker, retries a send whose outcome is
 * unknown (same ClOrdID, asking the LP first), fails over what an LP could not take, and applies every
 * execution report. The one rule behind it: quantity is never placed twice — a leg is only given up once
 * the LP has said it does not have it, or the send never left.
 */
public final class OrderLifecycle {
  private static final Logger log = LoggerFactory.getLogger(OrderLifecycle.class);

  /** Retries of a send whose outcome is unknown, and their backoff (doubling). */
  public record RetryPolicy(int maxRetries, long firstBackoffMs) {}

  private final Vertx vertx;
  private final Pool pool;
  private final OrderRepository orders;
  private final LegRepository legs;
  private final ExecutionApplier applier;
  private final AuditLog audit = new AuditLog();
  private final RetryPolicy retry;
  private final long lpCallTimeoutMs;
  private final Clock clock;
  private final io.micrometer.core.instrument.MeterRegistry meters;

  public OrderLifecycle(Vertx vertx, Pool pool, OrderRepository orders, LegRepository legs, ExecutionApplier applier,
                        RetryPolicy retry, long lpCallTimeoutMs, Clock clock,
                        io.micrometer.core.instrument.MeterRegistry meters) {
    this.meters = meters;
    this.vertx = vertx;
    this.pool = pool;
    this.orders = orders;
    this.legs = legs;
    this.applier = applier;
    this.retry = retry;
    this.lpCallTimeoutMs = lpCallTimeoutMs;
    this.clock = clock;
  }

  /** After a new order commits: market and limit orders are routed now; the other types wait for their trigger. */
  public void onAccepted(Order order) {
    if (order.orderType() == OrderType.MARKET || order.orderType() == OrderType.LIMIT) {
      place(order, Set.of(), order.quantity());
    }
  }

  /** Routes {@code quantity} of {@code order} away from {@code excluded} LPs and sends the legs. */
  void place(Order order, Set<String> excluded, BigDecimal quantity) {
    JsonObject req = new JsonObject().put("order", order.toBusJson()).put("quantity", quantity.toPlainString())
      .put("excludeLps", new JsonArray(List.copyOf(excluded)));
    vertx.eventBus().<JsonObject>request(RoutingVerticle.ROUTE, req)
      .compose(reply -> BusResult.unwrap(reply.body()))
      .compose(value -> fillOrKillCovered(order, quantity, value))
      .compose(value -> recordLegs(order, value))
      .onSuccess(placed -> placed.forEach(leg -> send(placed.order, leg, 1)))
      .onFailure(err -> {
        if (err instanceof ProblemException pe) unplaced(order, pe.problem().code(), pe.problem().detail());
        else if (!(err instanceof Abandoned)) {
          log.error("Routing order {} failed", order.orderRef(), err);
          unplaced(order, ErrorCode.NO_HEALTHY_LP, "Routing failed: " + err.getMessage());
        }
      });
  }

  /**
   * A FOK order fills completely or not at all. Legs at several LPs could not be all-or-nothing
   * together, so it goes to one LP whose quote covers the whole quantity, or it is rejected before
   * anything is sent.
   */
  private Future<JsonObject> fillOrKillCovered(Order order, BigDecimal quantity, JsonObject routed) {
    if (order.timeInForce() != TimeInForce.FOK) return Future.succeededFuture(routed);
    JsonArray allocations = routed.getJsonArray("allocations");
    String unfilled = routed.getJsonObject("decision").getString("unfilled", "0");
    if (allocations.size() == 1 && new BigDecimal(unfilled).signum() == 0) return Future.succeededFuture(routed);
    // the best-priced eligible quote that alone covers the quantity, if any
    boolean buy = order.side() == Side.BUY;
    JsonObject best = null;
    for (Object o : routed.getJsonObject("decision").getJsonArray("quotesSeen", new JsonArray())) {
      JsonObject q = (JsonObject) o;
      String px = q.getString(buy ? "ask" : "bid");
      String size = q.getString(buy ? "askSize" : "bidSize");
      if (!"eligible".equals(q.getString("status")) || px == null || size == null
        || new BigDecimal(size).compareTo(quantity) < 0) continue;
      if (best == null || (buy ? new BigDecimal(px).compareTo(new BigDecimal(best.getString("ask"))) < 0
        : new BigDecimal(px).compareTo(new BigDecimal(best.getString("bid"))) > 0)) best = q;
    }
    if (best != null) {
      JsonObject decision = routed.getJsonObject("decision").copy().put("unfilled", "0")
        .put("reason", "FOK: whole quantity at the best LP whose quote covers it");
      JsonObject only = new JsonObject().put("lpId", best.getString("lpId")).put("quantity", quantity.toPlainString())
        .put("expectedPrice", best.getString(buy ? "ask" : "bid"));
      decision.put("allocations", new JsonArray().add(only));
      return Future.succeededFuture(new JsonObject().put("decision", decision).put("allocations", new JsonArray().add(only)));
    }
    return Future.failedFuture(new ProblemException(problem(ErrorCode.NO_LIQUIDITY, "FOK order for "
      + quantity.toPlainString() + " " + order.instrumentId() + " cannot fill completely at one LP at current quotes")));
  }

  /** The legs of one placement, with the order as it was when they were written. */
  private static final class Placed extends ArrayList<Leg> {
    Order order;
  }

  /** The order ended (e.g. cancelled) while routing was being decided: nothing is sent. */
  private static final class Abandoned extends RuntimeException {
    Abandoned() {
      super(null, null, false, false);
    }
  }

  private Future<Placed> recordLegs(Order order, JsonObject routed) {
    Instant now = clock.instant();
    JsonObject decision = routed.getJsonObject("decision");
    JsonArray allocations = routed.getJsonArray("allocations");
    return pool.withTransaction(tx -> orders.lock(tx, order.id()).compose(current -> {
      if (current.status().isFinal() || current.status() == OrderStatus.PENDING_CANCEL) {
        return Future.<Placed>failedFuture(new Abandoned());
      }
      return legs.count(tx, order.id()).compose(n -> {
        Placed placed = new Placed();
        placed.order = current;
        Future<Void> chain = Future.succeededFuture();
        for (int i = 0; i < allocations.size(); i++) {
          JsonObject a = allocations.getJsonObject(i);
          String clOrdId = current.orderRef() + "-" + (n + i + 1);
          BigDecimal price = current.orderType() == OrderType.LIMIT ? current.price() : null;
          chain = chain.compose(v -> legs.insert(tx, current, a.getString("lpId"), clOrdId,
            new BigDecimal(a.getString("quantity")), price, now).map(l -> {
              placed.add(l);
              return null;
            }));
        }
        return chain
          .compose(v -> legs.insertDecision(tx, current, decision.getString("strategy", current.routingStrategy().wire()),
            decision, now))
          .compose(v -> audit.append(tx, current, "order.routed", current.status(), current.status(),
            new JsonObject().put("decision", decision), "system", now))
          .map(placed);
      });
    }));
  }

  private void send(Order order, Leg leg, int attempt) {
    JsonObject cmd = new JsonObject().put("order", LpMessages.toJson(lpOrder(order, leg)));
    request(leg.lpId(), "send", cmd).onComplete(ar -> {
      JsonObject reply = ar.succeeded() ? ar.result() : new JsonObject().put("ok", false).put("failure", "error")
        .put("detail", String.valueOf(ar.cause().getMessage()));
      if (reply.getBoolean("ok", false)) {
        applyReply(reply); // usually a duplicate of the stream's copy, ignored by ExecID
        if (attempt > 1) auditAttempt(order, leg, "order.send_recovered", attempt, null, "the LP answered the resend");
        return;
      }
      String failure = reply.getString("failure");
      auditAttempt(order, leg, "order.send_failed", attempt, "timeout".equals(failure) ? ErrorCode.LP_TIMEOUT.name()
        : failure.toUpperCase(), reply.getString("detail"));
      if ("circuit_open".equals(failure) || "not_connected".equals(failure)) {
        // never left: safe to place elsewhere at once
        giveUp(order, leg, failure + ": " + reply.getString("detail"), "unreachable");
      } else {
        askThenRetry(order, leg, attempt, reply.getString("detail"));
      }
    });
  }

  /**
   * The send's outcome is unknown (timeout). Ask the LP: if it has the leg, its status report is applied
   * from the stream; if it says it never saw it, send again with the same ClOrdID after a backoff.
   */
  private void askThenRetry(Order order, Leg leg, int attempt, String why) {
    JsonObject cmd = new JsonObject().put("clOrdId", leg.clOrdId()).put("order", LpMessages.toJson(lpOrder(order, leg)));
    request(leg.lpId(), "status", cmd).onComplete(ar -> {
      JsonObject reply = ar.succeeded() ? ar.result() : new JsonObject().put("ok", false);
      boolean known = reply.getBoolean("ok", false)
        && !ExecutionReport.LpOrderStatus.UNKNOWN.name().equals(reply.getJsonObject("report").getString("status"));
      if (known) return;
      boolean unseen = reply.getBoolean("ok", false); // the LP answered: it does not have the leg
      if (attempt <= retry.maxRetries()) {
        long delay = retry.firstBackoffMs() << (attempt - 1);
        log.info("Leg {} at {}: {}; retry {} of {} in {} ms", leg.clOrdId(), leg.lpId(), why, attempt, retry.maxRetries(), delay);
        vertx.setTimer(delay, t -> countAttempt(leg).onComplete(x -> send(order, leg, attempt + 1)));
      } else if (unseen) {
        giveUp(order, leg, "no answer after " + attempt + " attempts: " + why, "timeout");
      } else {
        markUnknown(leg, why);
      }
    });
  }

  /**
   * Off the normal path only (a send that failed, and its recovery): an audit entry per attempt with
   * its number and error code, so a timeout followed by a successful resend is visible step by step.
   */
  private void auditAttempt(Order order, Leg leg, String event, int attempt, String errorCode, String detail) {
    JsonObject details = new JsonObject().put("lpId", leg.lpId()).put("clOrdId", leg.clOrdId())
      .put("retryAttempt", attempt - 1).put("errorCode", errorCode).put("detail", detail);
    pool.withTransaction(tx -> audit.append(tx, order, event, null, null, details, "system", clock.instant()))
      .onFailure(e -> log.error("Cannot audit {} of leg {}", event, leg.clOrdId(), e));
  }

  private Future<Void> countAttempt(Leg leg) {
    Instant now = clock.instant();
    return pool.withTransaction(tx -> legs.lockByClOrdId(tx, leg.clOrdId()).compose(l -> l == null ? Future.succeededFuture()
      : legs.update(tx, new Leg(l.id(), l.orderId(), l.lpId(), l.clOrdId(), l.lpOrderId(), l.quantity(), l.price(),
        l.filledQuantity(), l.averagePrice(), l.status(), l.attempts() + 1, l.lastError()), now).mapEmpty()));
  }

  /** Neither the LP nor we know: reconciliation asks again later; the quantity is not placed elsewhere meanwhile. */
  private void markUnknown(Leg leg, String why) {
    Instant now = clock.instant();
    pool.withTransaction(tx -> legs.lockByClOrdId(tx, leg.clOrdId()).compose(l -> l == null || !l.status().open()
        ? Future.succeededFuture()
        : legs.update(tx, new Leg(l.id(), l.orderId(), l.lpId(), l.clOrdId(), l.lpOrderId(), l.quantity(), l.price(),
          l.filledQuantity(), l.averagePrice(), Leg.Status.UNKNOWN, l.attempts(), why), now).mapEmpty()))
      .onFailure(e -> log.error("Cannot mark leg {} unknown", leg.clOrdId(), e));
    log.warn("Leg {} at {} outcome unknown ({}); left to reconciliation", leg.clOrdId(), leg.lpId(), why);
  }

  /** The leg is not at its LP and never will be: record that, then place its quantity elsewhere. */
  private void giveUp(Order order, Leg leg, String why, String cause) {
    Instant now = clock.instant();
    pool.withTransaction(tx -> legs.lockByClOrdId(tx, leg.clOrdId()).compose(l -> {
        if (l == null || !l.status().open()) return Future.succeededFuture(false);
        Leg failed = new Leg(l.id(), l.orderId(), l.lpId(), l.clOrdId(), l.lpOrderId(), l.quantity(), l.price(),
          l.filledQuantity(), l.averagePrice(), Leg.Status.FAILED, l.attempts(), why);
        return legs.update(tx, failed, now)
          .compose(x -> audit.append(tx, order, "order.leg_failed", order.status(), order.status(),
            new JsonObject().put("lpId", l.lpId()).put("clOrdId", l.clOrdId()).put("reason", why), "system", now))
          .map(true);
      }))
      .onSuccess(changed -> {
        if (changed) {
          meters.counter("orion.routing.failovers", "lp", leg.lpId(), "cause", cause).increment();
          reroute(order.id(), leg.remaining());
        }
      })
      .onFailure(e -> log.error("Cannot fail over leg {}", leg.clOrdId(), e));
  }

  /** Places {@code quantity} of the order again, avoiding every LP that already failed or refused it. */
  private void reroute(java.util.UUID orderId, BigDecimal quantity) {
    legs.byOrder(pool, orderId).compose(all -> orders.lock(pool, orderId).map(o -> {
      Set<String> excluded = new HashSet<>();
      all.forEach(l -> {
        if (l.status() == Leg.Status.FAILED || l.status() == Leg.Status.REJECTED) excluded.add(l.lpId());
      });
      if (!o.status().isFinal()) place(o, excluded, quantity.min(o.remainingQuantity()));
      return null;
    })).onFailure(e -> log.error("Cannot re-route order {}", orderId, e));
  }

  /** Nowhere to place (part of) the order: it ends unless other legs are still working it. */
  private void unplaced(Order order, ErrorCode code, String reason) {
    Instant now = clock.instant();
    pool.withTransaction(tx -> orders.lock(tx, order.id()).compose(current -> {
      if (current.status().isFinal()) return Future.succeededFuture();
      return legs.byOrder(tx, order.id()).compose(all -> {
        if (all.stream().anyMatch(l -> l.status().open())) {
          return audit.append(tx, current, "order.unplaced", current.status(), current.status(),
            new JsonObject().put("code", code.name()).put("reason", reason), "system", now);
        }
        OrderStatus end = current.filledQuantity().signum() > 0 ? OrderStatus.CANCELLED : OrderStatus.REJECTED;
        return applier.finish(tx, current, end, code.name(), reason, now).mapEmpty();
      });
    })).onFailure(e -> log.error("Cannot close order {} after routing failed", order.orderRef(), e));
  }

  /**
   * Asks each LP holding an open leg to cancel it. Their answers arrive on the execution stream; an LP
   * that cannot be reached leaves its leg pending_cancel for reconciliation (its outcome is unknown).
   */
  public void cancelLegs(Order order, List<Leg> open) {
    for (Leg leg : open) {
      String cancelId = leg.clOrdId() + "-C" + Long.toString(clock.millis(), 36).toUpperCase();
      JsonObject cmd = new JsonObject().put("clOrdId", cancelId).put("origClOrdId", leg.clOrdId())
        .put("order", LpMessages.toJson(lpOrder(order, leg)));
      request(leg.lpId(), "cancel", cmd).onComplete(ar -> {
        if (ar.succeeded()) applyReply(ar.result()); // a cancel reject may reach only this reply
        if (ar.failed() || !ar.result().getBoolean("ok", false)) {
          log.warn("Cancel of leg {} at {} not confirmed: {}", leg.clOrdId(), leg.lpId(),
            ar.failed() ? ar.cause().getMessage() : ar.result().getString("failure"));
        }
      });
    }
  }

  /**
   * Asks the LPs about every leg not final and untouched for {@code quietMs}: missed fills are booked from
   * the status report (applied from the stream), a leg the LP never saw — a send lost in a crash or a
   * timeout — is given up and its quantity placed again. Runs at start-up and then periodically.
   */
  public Future<Integer> reconcile(long quietMs) {
    Instant before = clock.instant().minusMillis(quietMs);
    return legs.openSince(pool, before, 200).compose(open -> {
      List<Future<Void>> checks = new ArrayList<>();
      for (Leg leg : open) checks.add(reconcileLeg(leg));
      return Future.join(checks).map(x -> open.size());
    });
  }

  private Future<Void> reconcileLeg(Leg leg) {
    return orders.byId(pool, leg.orderId()).compose(order -> {
      JsonObject cmd = new JsonObject().put("clOrdId", leg.clOrdId()).put("order", LpMessages.toJson(lpOrder(order, leg)));
      return request(leg.lpId(), "status", cmd).<Void>map(reply -> {
        if (!reply.getBoolean("ok", false)) return null; // LP unreachable: ask again next time
        String status = reply.getJsonObject("report").getString("status");
        boolean unseen = ExecutionReport.LpOrderStatus.UNKNOWN.name().equals(status);
        if (unseen && (leg.status() == Leg.Status.SENT || leg.status() == Leg.Status.UNKNOWN
          || leg.status() == Leg.Status.NEW)) {
          giveUp(order, leg, "reconciliation: the LP does not know " + leg.clOrdId(), "reconciled");
        } else if (unseen && leg.status() == Leg.Status.PENDING_CANCEL) {
          closeUnseenCancel(leg);
        }
        return null;
      });
    }).otherwise(e -> {
      log.warn("Reconciling leg {} failed: {}", leg.clOrdId(), e.getMessage());
      return null;
    });
  }

  /** A leg being cancelled that the LP never had is simply cancelled here. */
  private void closeUnseenCancel(Leg leg) {
    onExecution(new ExecutionReport(leg.lpId(), "recon-" + leg.clOrdId() + "-" + clock.millis(), leg.clOrdId(), null,
      null, ExecutionReport.Kind.CANCELED, ExecutionReport.LpOrderStatus.CANCELED, null, null, null, null,
      leg.filledQuantity(), BigDecimal.ZERO, leg.averagePrice(), "unknown at the LP", clock.instant(), false));
  }

  /** Every execution report, from every LP, in arrival order per LP. */
  public void onExecution(ExecutionReport report) {
    applier.apply(report).onComplete(ar -> {
      vertx.eventBus().send(EventPublisher.NUDGE, null); // publish the outbox rows just committed
      if (ar.failed()) {
        log.error("Execution report {} from {} could not be applied", report.execId(), report.lpId(), ar.cause());
        return;
      }
      ExecutionApplier.Applied a = ar.result();
      if (a.order() != null && a.unplaced().signum() > 0) {
        meters.counter("orion.routing.failovers", "lp", report.lpId(), "cause", "rejected").increment();
        reroute(a.order().id(), a.unplaced());
      }
    });
  }

  private void applyReply(JsonObject reply) {
    if (reply.getBoolean("ok", false) && reply.getJsonObject("report") != null) {
      onExecution(LpMessages.report(reply.getJsonObject("report")));
    }
  }

  /** Ends an order no LP holds, releasing its funds (see {@link ExecutionApplier#finish}). */
  public Future<Order> finish(io.vertx.sqlclient.SqlConnection tx, Order order, OrderStatus end, String code,
                              String reason, Instant now) {
    return applier.finish(tx, order, end, code, reason, now);
  }

  public Future<Order> finish(io.vertx.sqlclient.SqlConnection tx, Order order, OrderStatus end, String code,
                              String reason, String actor, Instant now) {
    return applier.finish(tx, order, end, code, reason, actor, now);
  }

  /** The child order as the LP sees it. */
  static LpOrder lpOrder(Order order, Leg leg) {
    LpOrder.TimeInForce tif = switch (order.timeInForce()) {
      case IOC -> LpOrder.TimeInForce.IOC;
      case FOK -> LpOrder.TimeInForce.FOK;
      case DAY -> LpOrder.TimeInForce.DAY;
      case GTC, GTD -> LpOrder.TimeInForce.GTC; // GTD expiry is enforced by the service itself
    };
    return new LpOrder(leg.clOrdId(), order.instrumentId(), order.side(),
      leg.price() == null ? LpOrder.Type.MARKET : LpOrder.Type.LIMIT, leg.quantity(), leg.price(), tif);
  }

  private Future<JsonObject> request(String lpId, String command, JsonObject body) {
    return vertx.eventBus().<JsonObject>request(LpConnectorVerticle.address(lpId, command), body,
      new DeliveryOptions().setSendTimeout(lpCallTimeoutMs + 5000)).map(m -> m.body());
  }

  static Problem problem(ErrorCode code, String detail) {
    return Problem.of(code, detail);
  }
}
