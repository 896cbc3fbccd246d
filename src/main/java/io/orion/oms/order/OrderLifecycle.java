package io.orion.oms.order;

import io.orion.oms.common.BusResult;
import io.orion.oms.common.ErrorCode;
import io.orion.oms.common.Problem;
import io.orion.oms.common.ProblemException;
import io.orion.oms.events.EventPublisher;
import io.orion.oms.infra.Database;
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
  private final LegChangeRepository changes = new LegChangeRepository();
  private final RetryPolicy retry;
  private final long lpCallTimeoutMs;
  private final Clock clock;
  private final io.micrometer.core.instrument.MeterRegistry meters;
  private final ReportBatcher reports;

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
    // after a commit, the publisher is nudged to publish the outbox rows just written
    this.reports = new ReportBatcher(vertx, applier, this::afterApplied, () -> vertx.eventBus().send(EventPublisher.NUDGE, null));
  }

  /**
   * After a new order commits: market and limit orders are routed now; the held types wait for the
   * trigger verticle, which is told about them.
   */
  public void onAccepted(Order order) {
    if (order.held()) {
      heldChanged(order);
    } else {
      place(order, Set.of(), order.quantity(), null);
    }
  }

  /**
   * The trigger verticle mirrors the held orders (stops until they fire, pegged orders until they end): it
   * is told, after each commit that changed one, to read it again.
   */
  void heldChanged(Order order) {
    if (order != null && order.held()) {
      vertx.eventBus().publish(OrderVerticle.TRIGGERS_CHANGED, new JsonObject().put("orderId", order.id().toString()));
    }
  }

  /** Orders triggered just before a stop, which no routing decision followed: placed now. */
  public Future<Void> resumeTriggered() {
    return orders.triggeredUnrouted(pool).onSuccess(list -> list.forEach(o -> {
      log.info("Routing triggered order {} after a restart", o.orderRef());
      place(o, Set.of(), o.remainingQuantity(), null);
    })).mapEmpty();
  }

  /** Why quantity is being placed again: the LP failure behind it, named when nothing else can take it. */
  record Retry(ErrorCode code, String reason) {}

  /** Routes {@code quantity} of {@code order} away from {@code excluded} LPs and sends the legs. */
  void place(Order order, Set<String> excluded, BigDecimal quantity, Retry retry) {
    decide(order, excluded, quantity)
      .compose(value -> recordLegs(order, value))
      .onSuccess(placed -> placed.forEach(leg -> send(placed.order, leg, 1)))
      .onFailure(err -> {
        if (err instanceof ProblemException pe && retry != null && !excluded.isEmpty()
          && (pe.problem().code() == ErrorCode.NO_HEALTHY_LP || pe.problem().code() == ErrorCode.NO_LIQUIDITY)) {
          // the real cause is the LP that failed; that no other could take it is the consequence
          unplaced(order, retry.code(), retry.reason() + "; no other LP could take it (" + pe.problem().detail() + ")");
        } else if (err instanceof ProblemException pe) unplaced(order, pe.problem().code(), pe.problem().detail());
        else if (!(err instanceof Abandoned)) {
          Logs.order(log.atError(), order).setCause(err).log("Routing order {} failed", order.orderRef());
          unplaced(order, ErrorCode.NO_HEALTHY_LP, "Routing failed: " + err.getMessage());
        }
      });
  }

  /** The router's decision for {@code quantity} of the order, with a FOK order's all-or-nothing rule applied. */
  private Future<JsonObject> decide(Order order, Set<String> excluded, BigDecimal quantity) {
    JsonObject req = new JsonObject().put("order", order.released().toBusJson()).put("quantity", quantity.toPlainString())
      .put("excludeLps", new JsonArray(List.copyOf(excluded)));
    return vertx.eventBus().<JsonObject>request(RoutingVerticle.ROUTE, req)
      .compose(reply -> BusResult.unwrap(reply.body()))
      .compose(value -> fillOrKillCovered(order, quantity, value));
  }

  /**
   * The decision for a new market or limit order before it is written, so that its legs, the decision and
   * the ROUTED and SENT entries commit with the order itself (one transaction less per order: see
   * {@link SubmitBatcher}). Null when it cannot be routed now: the order then takes the usual path after
   * its commit ({@link #onAccepted}), which decides again and records why it could not be placed.
   */
  Future<JsonObject> decideBeforeWrite(Order draft) {
    return decide(draft, Set.of(), draft.quantity()).otherwise((JsonObject) null);
  }

  /** After the commit that wrote a new order with its legs (see {@link #decideBeforeWrite}): the legs go out. */
  void sendWritten(Order order, List<Leg> written) {
    for (Leg leg : written) send(order, leg, 1);
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

  /**
   * The router places only what the quotes show; a limit order's quantity beyond them is not dropped but
   * rests at the first LP chosen (the best-priced), at the limit, where it fills as the market comes. The
   * decision records it ({@code restingRemainder}). A market order's remainder stays unplaced.
   */
  static JsonArray withRestingRemainder(Order released, JsonObject decision, JsonArray allocations) {
    BigDecimal unfilled = new BigDecimal(decision.getString("unfilled", "0"));
    if (unfilled.signum() == 0 || released.orderType() != OrderType.LIMIT || allocations.isEmpty()) return allocations;
    JsonArray out = allocations.copy();
    JsonObject first = out.getJsonObject(0);
    first.put("quantity", new BigDecimal(first.getString("quantity")).add(unfilled).toPlainString());
    decision.put("restingRemainder", new JsonObject().put("lpId", first.getString("lpId"))
      .put("quantity", unfilled.toPlainString()));
    return out;
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
    JsonArray allocations = withRestingRemainder(order.released(), decision, routed.getJsonArray("allocations"));
    return Database.transaction(pool, tx -> {
      // the lock and the leg count go out together; the connection runs them in that order
      Future<Order> locked = orders.lock(tx, order.id());
      Future<Integer> counted = legs.count(tx, order.id());
      return Future.join(locked, counted).compose(x -> {
        Order current = locked.result();
        if (current.status().isFinal() || current.status() == OrderStatus.PENDING_CANCEL) {
          return Future.<Placed>failedFuture(new Abandoned());
        }
        List<io.vertx.sqlclient.Tuple> auditRows = new ArrayList<>(1 + allocations.size());
        Future<List<Leg>> written = writeLegs(legs, tx, current, counted.result(), decision, allocations, auditRows, now);
        return Future.join(written, audit.appendAll(tx, auditRows)).map(v -> {
          Placed placed = new Placed();
          placed.order = current;
          placed.addAll(written.result());
          return placed;
        });
      });
    });
  }

  /** The legs of a routing decision, and the decision's row for {@link LegRepository#insertDecisions}. */
  record Placement(List<Leg> legs, io.vertx.sqlclient.Tuple decision) {}

  /**
   * A routing decision for {@code order}, which has had {@code n} legs, as rows: a leg per allocation (ClOrdID
   * {@code <orderRef>-<n+1>}, ...) and the decision; the ROUTED and SENT audit entries are added to
   * {@code auditRows} for the caller to write with its own. The submission's group commit writes the
   * placements of a whole batch in one statement per table.
   */
  static Placement place(Order order, int n, JsonObject decision, JsonArray allocations,
                         List<io.vertx.sqlclient.Tuple> auditRows, Instant now) {
    Order released = order.released();
    BigDecimal price = released.orderType() == OrderType.LIMIT ? released.price() : null;
    List<Leg> out = new ArrayList<>(allocations.size());
    auditRows.add(AuditLog.row(order, AuditAction.ROUTED, order.status(), order.status(),
      new JsonObject().put("decision", decision), "system", now));
    for (int i = 0; i < allocations.size(); i++) {
      JsonObject a = allocations.getJsonObject(i);
      String lpId = a.getString("lpId");
      String clOrdId = order.orderRef() + "-" + (n + i + 1);
      BigDecimal quantity = new BigDecimal(a.getString("quantity"));
      out.add(LegRepository.fresh(order.id(), lpId, clOrdId, quantity, price));
      auditRows.add(sentRow(order, lpId, clOrdId, quantity, price, now));
    }
    return new Placement(out, LegRepository.decisionRow(order,
      decision.getString("strategy", order.routingStrategy().wire()), decision));
  }

  /** {@link #place}, written: the legs and the decision go out in one flight. */
  static Future<List<Leg>> writeLegs(LegRepository legs, io.vertx.sqlclient.SqlConnection tx, Order order, int n,
                                     JsonObject decision, JsonArray allocations,
                                     List<io.vertx.sqlclient.Tuple> auditRows, Instant now) {
    Placement p = place(order, n, decision, allocations, auditRows, now);
    return Future.join(legs.insertAll(tx, p.legs(), java.util.Collections.nCopies(p.legs().size(), order.tenantId()), now),
      legs.insertDecisions(tx, List.of(p.decision()), now)).map(v -> p.legs());
  }

  /**
   * The SENT entry of a leg, written with the leg itself: the send follows the commit at once, and its
   * failure, if any, gets its own EXECUTED entry. No extra transaction on the order path.
   */
  private static io.vertx.sqlclient.Tuple sentRow(Order order, String lpId, String clOrdId, BigDecimal quantity,
                                                  BigDecimal price, Instant now) {
    JsonObject details = new JsonObject().put("lpId", lpId).put("clOrdId", clOrdId).put("quantity", quantity)
      .put("price", price).put("retryAttempt", 0);
    return AuditLog.row(order, AuditAction.SENT, order.status(), order.status(), details, "system", now);
  }

  private void send(Order order, Leg leg, int attempt) {
    JsonObject cmd = new JsonObject().put("order", LpMessages.toJson(lpOrder(order, leg)));
    request(leg.lpId(), "send", cmd).onComplete(ar -> {
      JsonObject reply = replyOf(ar);
      if (reply.getBoolean("ok", false)) {
        applyReply(reply); // usually a duplicate of the stream's copy, ignored by ExecID
        if (attempt > 1) auditAttempt(order, leg, AuditAction.RECOVERED, attempt, null, "the LP answered the resend");
        return;
      }
      String failure = reply.getString("failure");
      auditAttempt(order, leg, AuditAction.EXECUTED, attempt, failure.toUpperCase(java.util.Locale.ROOT),
        reply.getString("detail"));
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
        Logs.leg(log.atInfo(), leg).log("Leg {} at {}: {}; retry {} of {} in {} ms", leg.clOrdId(), leg.lpId(), why, attempt, retry.maxRetries(), delay);
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
  private void auditAttempt(Order order, Leg leg, AuditAction event, int attempt, String errorCode, String detail) {
    JsonObject details = new JsonObject().put("lpId", leg.lpId()).put("clOrdId", leg.clOrdId())
      .put("retryAttempt", attempt - 1).put("errorCode", errorCode).put("detail", detail);
    Database.transaction(pool, tx -> audit.append(tx, order, event, null, null, details, "system", clock.instant()))
      .onFailure(e -> Logs.leg(log.atError(), leg).setCause(e).log("Cannot audit {} of leg {}", event, leg.clOrdId()));
  }

  private Future<Void> countAttempt(Leg leg) {
    Instant now = clock.instant();
    return Database.transaction(pool, tx -> legs.lockByClOrdId(tx, leg.clOrdId()).compose(l -> l == null ? Future.succeededFuture()
      : legs.update(tx, new Leg(l.id(), l.orderId(), l.lpId(), l.clOrdId(), l.lpOrderId(), l.quantity(), l.price(),
        l.filledQuantity(), l.averagePrice(), l.status(), l.attempts() + 1, l.lastError()), now).mapEmpty()));
  }

  /** Neither the LP nor we know: reconciliation asks again later; the quantity is not placed elsewhere meanwhile. */
  private void markUnknown(Leg leg, String why) {
    Instant now = clock.instant();
    Database.transaction(pool, tx -> legs.lockByClOrdId(tx, leg.clOrdId()).compose(l -> l == null || !l.status().open()
        ? Future.succeededFuture()
        : legs.update(tx, new Leg(l.id(), l.orderId(), l.lpId(), l.clOrdId(), l.lpOrderId(), l.quantity(), l.price(),
          l.filledQuantity(), l.averagePrice(), Leg.Status.UNKNOWN, l.attempts(), why), now).mapEmpty()))
      .onFailure(e -> Logs.leg(log.atError(), leg).setCause(e).log("Cannot mark leg {} unknown", leg.clOrdId()));
    Logs.leg(log.atWarn(), leg).log("Leg {} at {} outcome unknown ({}); left to reconciliation", leg.clOrdId(), leg.lpId(), why);
  }

  /** The leg is not at its LP and never will be: record that, then place its quantity elsewhere. */
  private void giveUp(Order order, Leg leg, String why, String cause) {
    Instant now = clock.instant();
    Database.transaction(pool, tx -> legs.lockByClOrdId(tx, leg.clOrdId()).compose(l -> {
        if (l == null || !l.status().open()) return Future.succeededFuture(false);
        Leg failed = new Leg(l.id(), l.orderId(), l.lpId(), l.clOrdId(), l.lpOrderId(), l.quantity(), l.price(),
          l.filledQuantity(), l.averagePrice(), Leg.Status.FAILED, l.attempts(), why);
        return legs.update(tx, failed, now)
          .compose(x -> audit.append(tx, order, AuditAction.LEG_FAILED, order.status(), order.status(),
            new JsonObject().put("lpId", l.lpId()).put("clOrdId", l.clOrdId()).put("reason", why), "system", now))
          .map(true);
      }))
      .onSuccess(changed -> {
        if (changed) {
          meters.counter("orion.routing.failovers", "lp", leg.lpId(), "cause", cause).increment();
          reroute(order.id(), leg.remaining(), new Retry("timeout".equals(cause) ? ErrorCode.LP_TIMEOUT
            : ErrorCode.LP_UNHEALTHY, leg.lpId() + ": " + why));
        }
      })
      .onFailure(e -> Logs.leg(log.atError(), leg).setCause(e).log("Cannot fail over leg {}", leg.clOrdId()));
  }

  /** Places {@code quantity} of the order again, avoiding every LP that already failed or refused it. */
  private void reroute(java.util.UUID orderId, BigDecimal quantity, Retry retry) {
    legs.byOrder(pool, orderId).compose(all -> orders.lock(pool, orderId).map(o -> {
      Set<String> excluded = new HashSet<>();
      all.forEach(l -> {
        if (l.status() == Leg.Status.FAILED || l.status() == Leg.Status.REJECTED) excluded.add(l.lpId());
      });
      if (!o.status().isFinal()) place(o, excluded, quantity.min(o.remainingQuantity()), retry);
      return null;
    })).onFailure(e -> log.atError().addKeyValue("orderId", orderId).setCause(e).log("Cannot re-route order {}", orderId));
  }

  /** Nowhere to place (part of) the order: it ends unless other legs are still working it. */
  private void unplaced(Order order, ErrorCode code, String reason) {
    Instant now = clock.instant();
    Database.transaction(pool, tx -> orders.lock(tx, order.id()).compose(current -> {
      if (current.status().isFinal()) return Future.succeededFuture();
      return legs.byOrder(tx, order.id()).compose(all -> {
        if (all.stream().anyMatch(l -> l.status().open())) {
          return audit.append(tx, current, AuditAction.UNPLACED, current.status(), current.status(),
            new JsonObject().put("code", code.name()).put("reason", reason), "system", now);
        }
        OrderStatus end = current.filledQuantity().signum() > 0 ? OrderStatus.CANCELLED : OrderStatus.REJECTED;
        return applier.finish(tx, current, end, code.name(), reason, now).mapEmpty();
      });
    })).onFailure(e -> Logs.order(log.atError(), order).setCause(e).log("Cannot close order {} after routing failed", order.orderRef()));
  }

  /**
   * Asks each LP holding an open leg to cancel it. Their answers arrive on the execution stream; an LP
   * that cannot be reached leaves its leg pending_cancel for reconciliation (its outcome is unknown).
   */
  public void cancelLegs(Order order, List<Leg> open) {
    for (Leg leg : open) {
      String cancelId = leg.clOrdId() + "-C" + Long.toString(clock.millis(), 36).toUpperCase();
      request(leg.lpId(), "cancel", cancelCommand(cancelId, order, leg)).onComplete(ar -> {
        if (ar.succeeded()) applyReply(ar.result()); // a cancel reject may reach only this reply
        if (ar.failed() || !ar.result().getBoolean("ok", false)) {
          Logs.orderLeg(log.atWarn(), order, leg).log("Cancel of leg {} at {} not confirmed: {}", leg.clOrdId(), leg.lpId(),
            ar.failed() ? ar.cause().getMessage() : ar.result().getString("failure"));
        }
      });
    }
  }

  /**
   * Sends a modification's leg changes: a cancel/replace (or a cancel) per leg. The LP's answer, on the
   * stream or in the reply, settles the change. A request that never left is refused here; one whose
   * outcome is unknown is resolved by asking the LP for the new ClOrdID.
   */
  public void changeLegs(Order order, List<Leg> open, List<LegChange> plan) {
    for (LegChange c : plan) {
      Leg leg = open.stream().filter(l -> l.id().equals(c.legId())).findFirst().orElseThrow();
      LpOrder original = lpOrder(order, leg);
      boolean replace = c.kind() == LegChange.Kind.REPLACE;
      JsonObject cmd = replace
        ? new JsonObject().put("origClOrdId", leg.clOrdId()).put("order", LpMessages.toJson(new LpOrder(c.clOrdId(),
          original.instrumentId(), original.side(), original.type(), c.quantity(), c.price(), original.timeInForce())))
        : cancelCommand(c.clOrdId(), order, leg);
      request(leg.lpId(), replace ? "replace" : "cancel", cmd).onComplete(ar -> {
        JsonObject reply = replyOf(ar);
        if (reply.getBoolean("ok", false)) {
          applyReply(reply);
          return;
        }
        String failure = reply.getString("failure", "error");
        String why = failure + ": " + reply.getString("detail");
        if ("circuit_open".equals(failure) || "not_connected".equals(failure)) refuseChange(leg, c, why);
        else resolveChange(order, leg, c, why);
      });
    }
  }

  /** The change never reached the LP: it is refused, and the leg works on with its terms. */
  private void refuseChange(Leg leg, LegChange c, String why) {
    onExecution(new ExecutionReport(leg.lpId(), "local-refused-" + c.clOrdId(), c.clOrdId(), leg.clOrdId(), null,
      ExecutionReport.Kind.REJECTED, ExecutionReport.LpOrderStatus.UNKNOWN, null, null, null, null, null, null, null,
      "not sent: " + why, clock.instant(), false));
  }

  /**
   * Unknown outcome of a leg change: the LP is asked. A replace is known there by its own ClOrdID if it
   * took effect; a cancel took effect if the leg is cancelled there. No answer leaves it to the next
   * reconciliation.
   */
  private void resolveChange(Order order, Leg leg, LegChange c, String why) {
    boolean replace = c.kind() == LegChange.Kind.REPLACE;
    JsonObject cmd = new JsonObject().put("clOrdId", replace ? c.clOrdId() : leg.clOrdId())
      .put("order", LpMessages.toJson(lpOrder(order, leg)));
    request(leg.lpId(), "status", cmd).onComplete(ar -> {
      if (ar.failed() || !ar.result().getBoolean("ok", false)) {
        log.warn("Change {} of leg {} at {}: outcome unknown ({}); left to reconciliation", c.clOrdId(), leg.clOrdId(),
          leg.lpId(), why);
        return;
      }
      ExecutionReport status = LpMessages.report(ar.result().getJsonObject("report"));
      ExecutionReport.LpOrderStatus s = status.status();
      if (replace && s != ExecutionReport.LpOrderStatus.UNKNOWN) {
        onExecution(new ExecutionReport(leg.lpId(), "recon-replaced-" + c.clOrdId(), c.clOrdId(), leg.clOrdId(),
          status.lpOrderId(), ExecutionReport.Kind.REPLACED, s, null, null, null, null, status.cumQty(),
          status.leavesQty(), status.avgPx(), "confirmed by status", clock.instant(), false));
      } else if (replace) {
        refuseChange(leg, c, "the LP does not know " + c.clOrdId() + " (" + why + ")");
      } else {
        applyReply(ar.result()); // a cancelled leg closes, which applies the change
        if (s != ExecutionReport.LpOrderStatus.CANCELED && s != ExecutionReport.LpOrderStatus.EXPIRED) {
          refuseChange(leg, c, "the LP still has the leg " + s.name().toLowerCase() + " (" + why + ")");
        }
      }
    });
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
        if (leg.status() == Leg.Status.PENDING_REPLACE || leg.status() == Leg.Status.PENDING_CANCEL) {
          changes.pendingForLeg(pool, leg.id()).onSuccess(c -> {
            if (c != null) resolveChange(order, leg, c, "reconciliation");
          });
        }
        if (unseen && (leg.status() == Leg.Status.SENT || leg.status() == Leg.Status.UNKNOWN
          || leg.status() == Leg.Status.NEW)) {
          giveUp(order, leg, "reconciliation: the LP does not know " + leg.clOrdId(), "reconciled");
        } else if (unseen && leg.status() == Leg.Status.PENDING_CANCEL) {
          closeUnseenCancel(leg);
        } else if (leg.status() == Leg.Status.PENDING_CANCEL && ("NEW".equals(status) || "PARTIALLY_FILLED".equals(status))) {
          resendCancel(order, leg);
        }
        return null;
      });
    }).otherwise(e -> {
      Logs.leg(log.atWarn(), leg).log("Reconciling leg {} failed: {}", leg.clOrdId(), e.getMessage());
      return null;
    });
  }

  /**
   * The LP still works a leg we asked it to cancel: the cancel was lost (or ignored). Unless the cancel
   * belongs to a modification still waiting (resolved on its own path), it is sent again.
   */
  private void resendCancel(Order order, Leg leg) {
    changes.pendingForLeg(pool, leg.id()).onSuccess(c -> {
      if (c != null) return;
      log.warn("Leg {} at {} is still live after its cancel: sending the cancel again", leg.clOrdId(), leg.lpId());
      cancelLegs(order, List.of(leg));
    });
  }

  /** A leg being cancelled that the LP never had is simply cancelled here. */
  private void closeUnseenCancel(Leg leg) {
    onExecution(new ExecutionReport(leg.lpId(), "recon-" + leg.clOrdId() + "-" + clock.millis(), leg.clOrdId(), null,
      null, ExecutionReport.Kind.CANCELED, ExecutionReport.LpOrderStatus.CANCELED, null, null, null, null,
      leg.filledQuantity(), BigDecimal.ZERO, leg.averagePrice(), "unknown at the LP", clock.instant(), false));
  }

  /** The order a ClOrdID belongs to: every ClOrdID of an order starts with its order ref. */
  static String orderKey(String clOrdId) {
    if (clOrdId == null) return "";
    java.util.regex.Matcher m = ORDER_REF.matcher(clOrdId);
    return m.lookingAt() ? m.group() : clOrdId;
  }

  private static final java.util.regex.Pattern ORDER_REF = java.util.regex.Pattern.compile("ORD-\\d{8}-\\d+");

  /** Every execution report, from every LP: applied in arrival order for each order, many orders per commit. */
  public void onExecution(ExecutionReport report) {
    reports.add(report);
  }

  /** What follows a report's transaction; true if it committed a change. */
  private boolean afterApplied(ExecutionReport report, Future<ExecutionApplier.Applied> result) {
    if (result.failed()) {
      log.atError().addKeyValue("lpId", report.lpId()).setCause(result.cause()).log("Execution report {} from {} could not be applied", report.execId(), report.lpId());
      return false;
    }
    ExecutionApplier.Applied a = result.result();
    if (a.order() == null) return false;
    // the trigger verticle re-prices working pegged orders: it must see them working, and their new price
    if (a.order().orderType() == OrderType.PEGGED) heldChanged(a.order());
    if (a.unplaced().signum() > 0) {
      meters.counter("orion.routing.failovers", "lp", report.lpId(), "cause", "rejected").increment();
      reroute(a.order().id(), a.unplaced(), new Retry(ErrorCode.LP_REJECTED, "Rejected by " + report.lpId()
        + (a.lpText() == null ? "" : ": " + a.lpText())));
    }
    return true;
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

  /** The connector's cancel command: {@code cancelId} is the request's own ClOrdID. */
  private static JsonObject cancelCommand(String cancelId, Order order, Leg leg) {
    return new JsonObject().put("clOrdId", cancelId).put("origClOrdId", leg.clOrdId())
      .put("order", LpMessages.toJson(lpOrder(order, leg)));
  }

  /** A connector's reply, or the same shape for a bus failure (no answer in time, no connector). */
  private static JsonObject replyOf(io.vertx.core.AsyncResult<JsonObject> ar) {
    return ar.succeeded() ? ar.result() : new JsonObject().put("ok", false).put("failure", "error")
      .put("detail", String.valueOf(ar.cause().getMessage()));
  }

  private Future<JsonObject> request(String lpId, String command, JsonObject body) {
    return vertx.eventBus().<JsonObject>request(LpConnectorVerticle.address(lpId, command), body,
      new DeliveryOptions().setSendTimeout(lpCallTimeoutMs + 5000)).map(m -> m.body());
  }

  static Problem problem(ErrorCode code, String detail) {
    return Problem.of(code, detail);
  }
}
