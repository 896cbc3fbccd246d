package io.orion.oms.order;

import io.orion.oms.account.AccountRepository;
import io.orion.oms.account.Position;
import io.orion.oms.account.PositionRepository;
import io.orion.oms.common.Decimals;
import io.orion.oms.common.ErrorCode;
import io.orion.oms.events.Outbox;
import io.orion.oms.infra.Database;
import io.orion.oms.instrument.InstrumentCatalog;
import io.orion.oms.lp.ExecutionReport;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Applies LP execution reports: each report is recorded first (LP + ExecID is the primary key, so a duplicate or
 * replay changes nothing), then the leg, the order, the fill, the position, the balance, the audit trail and the
 * outbox move together, in the report's transaction ({@link ReportTx} says what it keeps in memory until its end).
 * One report ({@link #apply}), an order's reports ({@link #applyAll}) or the reports of many orders
 * ({@link #applyOrders}) share a transaction. Locks go order → leg → position → account, the same order as every
 * other writer.
 */
public final class ExecutionApplier {
  private static final Logger log = LoggerFactory.getLogger(ExecutionApplier.class);

  /**
   * What happened. {@code unplaced} is quantity that left the LP without trading because the LP refused
   * it (a reject): the lifecycle tries to place it elsewhere. Null order: nothing applied (duplicate, or
   * a report for no leg of ours).
   */
  public record Applied(Order order, Leg leg, BigDecimal unplaced, String lpText) {
    static final Applied NOTHING = new Applied(null, null, BigDecimal.ZERO, null);
  }

  private final Pool pool;
  private final OrderRepository orders;
  private final LegRepository legs;
  private final AccountRepository accounts;
  private final PositionRepository positions = new PositionRepository();
  private final LegChangeRepository changes = new LegChangeRepository();
  private final ChangeRecord record = new ChangeRecord();
  private final InstrumentCatalog catalog;
  private final Clock clock;

  private final io.orion.oms.metrics.OmsMetrics metrics;

  public ExecutionApplier(Pool pool, OrderRepository orders, LegRepository legs, AccountRepository accounts,
                          InstrumentCatalog catalog, Clock clock) {
    this(pool, orders, legs, accounts, catalog, clock, io.orion.oms.metrics.OmsMetrics.noop());
  }

  /** {@code metrics} hears of acknowledgements and fills once they are committed (see {@link #recordLatency}). */
  public ExecutionApplier(Pool pool, OrderRepository orders, LegRepository legs, AccountRepository accounts,
                          InstrumentCatalog catalog, Clock clock, io.orion.oms.metrics.OmsMetrics metrics) {
    this.metrics = metrics;
    this.pool = pool;
    this.orders = orders;
    this.legs = legs;
    this.accounts = accounts;
    this.catalog = catalog;
    this.clock = clock;
  }

  public Future<Applied> apply(ExecutionReport r) {
    return applyAll(List.of(r)).map(all -> all.get(0));
  }

  /** Reports of one order, applied one after another in one transaction, each as it would be alone; in order. */
  public Future<List<Applied>> applyAll(List<ExecutionReport> reports) {
    if (reports.isEmpty()) return Future.succeededFuture(List.of());
    return applyOrders(() -> List.of(reports)).map(all -> all.get(0));
  }

  /**
   * The reports of several orders in one transaction and one commit: each inner list is one order's reports (its
   * key: {@link OrderLifecycle#orderKey}), applied one after another as {@link #applyAll} would. {@code take} is asked
   * for them once a connection is free; when it gives none, no transaction is begun. One result list per order
   * taken, in order.
   *
   * <p>Two rounds come first, each of statements sent at once: every report is recorded (one statement; LP + ExecID
   * is the primary key, so a duplicate or replay is known here) and every order the reports name is locked (by id);
   * then their legs, the positions their fills may touch (by account and instrument, created flat where missing)
   * and the accounts (by {@link AccountRepository#LOCK_ORDER}). That is the order every other writer takes locks in
   * (orders, legs, positions, accounts; submission batches lock accounts in the same order), so batches cannot
   * deadlock with each other or with anything else. A usual report (an acknowledgement or a fill for a leg's
   * current ClOrdID) is then applied from the rows those rounds read ({@link ReportTx}) and only writes; the
   * accounts' new balances and every audit and outbox row are written at the end, one statement each. Orders of
   * different accounts are applied side by side (their statements pipelined on the one connection); an account's
   * orders one after another, since a fill's position is computed from the row as the last fill left it. A key
   * that names no order (a ClOrdID not of ours) is applied after all others.
   */
  public Future<List<List<Applied>>> applyOrders(java.util.function.Supplier<List<List<ExecutionReport>>> take) {
    return pool.getConnection().compose(conn -> {
      List<List<ExecutionReport>> groups;
      try {
        groups = take.get();
      } catch (RuntimeException e) {
        conn.close();
        return Future.failedFuture(e);
      }
      if (groups.isEmpty()) {
        conn.close();
        return Future.succeededFuture(List.<List<Applied>>of());
      }
      Instant now = clock.instant();
      List<List<OrderStatus>> before = new ArrayList<>(groups.size());
      List<List<Applied>> applied = new ArrayList<>(groups.size());
      for (int i = 0; i < groups.size(); i++) {
        before.add(new ArrayList<>(2));
        applied.add(new ArrayList<>(groups.get(i).size()));
      }
      return Database.transactionWithoutFlushWait(conn, tx -> applyGroups(tx, groups, now, before, applied)).map(v -> {
        for (int g = 0; g < groups.size(); g++) recordLatencies(before.get(g), applied.get(g), now);
        return applied;
      });
    });
  }

  private Future<Void> applyGroups(SqlConnection conn, List<List<ExecutionReport>> groups, Instant now,
                                   List<List<OrderStatus>> before, List<List<Applied>> applied) {
    List<String> keys = new ArrayList<>(groups.size());
    List<ExecutionReport> reports = new ArrayList<>(groups.size() * 2);
    for (List<ExecutionReport> g : groups) {
      keys.add(OrderLifecycle.orderKey(g.get(0).clOrdId()));
      reports.addAll(g);
    }
    // first round: every report recorded (one statement) and every order locked, sent at once
    Future<java.util.Set<String>> recorded = legs.recordReports(conn, reports, now);
    Future<List<OrderRepository.KeyLocked>> lockedF = orders.lockByKeys(conn, keys);
    return Future.join(recorded, lockedF).compose(x -> {
      ReportTx tx = ReportTx.batch(conn, recorded.result());
      java.util.Map<String, Order> byKey = new java.util.HashMap<>();
      java.util.TreeSet<UUID> accountIds = new java.util.TreeSet<>(AccountRepository.LOCK_ORDER);
      java.util.Set<String> positionKeys = new java.util.HashSet<>();
      List<UUID> posAccounts = new ArrayList<>();
      List<String> posInstruments = new ArrayList<>();
      List<String> posTenants = new ArrayList<>();
      for (OrderRepository.KeyLocked k : lockedF.result()) {
        byKey.putIfAbsent(k.key(), k.order());
        tx.orders.put(k.order().id(), k.order());
        accountIds.add(k.order().accountId());
      }
      for (int g = 0; g < groups.size(); g++) {
        Order o = byKey.get(keys.get(g));
        if (o == null || !mayTrade(groups.get(g))) continue;
        if (positionKeys.add(ReportTx.positionKey(o.accountId(), o.instrumentId()))) {
          posAccounts.add(o.accountId());
          posInstruments.add(o.instrumentId());
          posTenants.add(o.tenantId());
        }
      }
      // second round, sent at once behind the order locks and run in this order: legs, positions, accounts (the
      // lock order of every writer); the reports are then applied from these rows
      List<Future<?>> lockRound = new ArrayList<>(3);
      if (!tx.orders.isEmpty()) {
        lockRound.add(legs.lockByOrders(conn, new ArrayList<>(tx.orders.keySet())).map(ls -> {
          for (Leg l : ls) tx.legs.put(l.clOrdId(), l);
          return null;
        }));
      }
      if (!posAccounts.isEmpty()) {
        lockRound.add(positions.lockAll(conn, posAccounts, posInstruments, posTenants, now).map(ps -> {
          for (Position p : ps) tx.positions.put(ReportTx.positionKey(p.accountId(), p.instrumentId()), p);
          return null;
        }));
      }
      if (!accountIds.isEmpty()) {
        lockRound.add(accounts.lockAll(conn, accountIds).map(bs -> {
          bs.forEach(tx::locked);
          return null;
        }));
      }
      return Future.join(lockRound).compose(y -> {
        java.util.Map<UUID, Future<Void>> byAccount = new java.util.HashMap<>();
        List<Integer> unknown = new ArrayList<>();
        for (int g = 0; g < groups.size(); g++) {
          Order o = byKey.get(keys.get(g));
          if (o == null) {
            unknown.add(g);
            continue;
          }
          int group = g;
          Future<Void> prev = byAccount.getOrDefault(o.accountId(), Future.succeededFuture());
          byAccount.put(o.accountId(), prev.compose(v -> applyGroup(tx, groups.get(group), now, before.get(group),
            applied.get(group))));
        }
        // every chain runs to its end before the commit or rollback (Future.join), so no statement of the
        // transaction can go out after it ended
        return Future.join(new ArrayList<>(byAccount.values())).compose(v -> {
          Future<Void> rest = Future.succeededFuture();
          for (int g : unknown) rest = rest.compose(z -> applyGroup(tx, groups.get(g), now, before.get(g), applied.get(g)));
          return rest;
        }).compose(v -> tx.flush(accounts, record, now));
      });
    });
  }

  /** A fill may come of it: a trade, or the LP's status of a leg (which books fills we missed). */
  private static boolean mayTrade(List<ExecutionReport> reports) {
    for (ExecutionReport r : reports) {
      if (r.kind() == ExecutionReport.Kind.TRADE || r.kind() == ExecutionReport.Kind.ORDER_STATUS) return true;
    }
    return false;
  }

  /** One order's reports, one after another. */
  private Future<Void> applyGroup(ReportTx tx, List<ExecutionReport> reports, Instant now, List<OrderStatus> before,
                                  List<Applied> applied) {
    Future<Void> chain = Future.succeededFuture();
    for (ExecutionReport r : reports) {
      chain = chain.compose(v -> applyIn(tx, r, now, before)).map(a -> {
        applied.add(a);
        return null;
      });
    }
    return chain;
  }

  /** A usual report (see {@link ReportTx}) from the rows locked already; any other reads its own. */
  private Future<Applied> applyIn(ReportTx tx, ExecutionReport r, Instant now, List<OrderStatus> before) {
    boolean recorded = tx.claim(r);
    Leg leg = tx.legs.get(r.clOrdId());
    Order order = leg == null ? null : tx.orders.get(leg.orderId());
    if (!recorded || order == null || !leg.lpId().equals(r.lpId())) {
      return applyByAnyClOrdId(tx, r, now, before, recorded).map(tx::dropped);
    }
    before.add(order.status());
    return switch (r.kind()) {
      case TRADE -> trade(tx, order, leg, r, r.lastQty(), r.lastPx(), now, true).map(tx::kept);
      case NEW -> acknowledged(tx, order, leg, r, now).map(tx::kept);
      default -> onReport(tx, order, leg, r, now).map(tx::dropped);
    };
  }

  /**
   * A report whose ClOrdID is not a leg's current one (a cancel or replace request's, or a replaced leg's
   * earlier one), or that is a duplicate or for no leg of this LP.
   */
  private Future<Applied> applyByAnyClOrdId(ReportTx tx, ExecutionReport r, Instant now, List<OrderStatus> before,
                                            boolean recorded) {
    if (!recorded) {
      before.add(null);
      return Future.succeededFuture(Applied.NOTHING);
    }
    Future<Leg> lookup = findLeg(tx, r);
    return lookup.compose(x -> {
      Leg found = lookup.result();
      if (found == null || !found.lpId().equals(r.lpId())) {
        log.atWarn().addKeyValue("lpId", r.lpId()).log("Execution report {} from {} for unknown ClOrdID {}", r.execId(), r.lpId(), r.clOrdId());
        before.add(null);
        return Future.succeededFuture(Applied.NOTHING);
      }
      // order first, then its leg: the lock order of cancel and modify too, so they cannot deadlock. Both are
      // sent at once; the connection runs them in that order.
      Future<Order> orderLocked = orders.lock(tx.conn, found.orderId());
      Future<Leg> legLocked = legs.lockByClOrdId(tx.conn, found.clOrdId());
      return Future.join(orderLocked, legLocked).compose(y -> {
        before.add(orderLocked.result().status());
        return onReport(tx, orderLocked.result(), legLocked.result(), r, now);
      });
    });
  }

  private void recordLatencies(List<OrderStatus> before, List<Applied> applied, Instant now) {
    for (int i = 0; i < applied.size(); i++) recordLatency(before.get(i), applied.get(i).order(), now);
  }

  /** Metrics only, after the commit: the first acknowledgement (pending to anything live) and the fill. */
  private void recordLatency(OrderStatus before, Order after, Instant now) {
    if (before == null || after == null || before == after.status()) return;
    if (before == OrderStatus.PENDING && (after.status() == OrderStatus.WORKING
      || after.status() == OrderStatus.PARTIAL_FILL || after.status() == OrderStatus.FILLED)) {
      metrics.orderAcknowledged(after.createdAt(), now);
    }
    if (after.status() == OrderStatus.FILLED) metrics.orderFilled(after.createdAt(), now);
  }

  /**
   * Reports about a cancel or replace carry the request's own ClOrdID; the leg is the original one. A
   * replaced leg is known by its newest ClOrdID, and by the earlier ones through its changes.
   */
  private Future<Leg> findLeg(ReportTx tx, ExecutionReport r) {
    return legs.byClOrdId(tx.conn, r.clOrdId())
      .compose(leg -> leg != null || r.origClOrdId() == null ? Future.succeededFuture(leg)
        : legs.byClOrdId(tx.conn, r.origClOrdId()))
      .compose(leg -> leg != null ? Future.succeededFuture(leg) : legs.byFormerClOrdId(tx.conn, r.clOrdId()))
      .compose(leg -> leg != null || r.origClOrdId() == null ? Future.succeededFuture(leg)
        : legs.byFormerClOrdId(tx.conn, r.origClOrdId()));
  }

  private Future<Applied> onReport(ReportTx tx, Order order, Leg leg, ExecutionReport r, Instant now) {
    return switch (r.kind()) {
      case NEW, PENDING_CANCEL, PENDING_REPLACE -> acknowledged(tx, order, leg, r, now);
      case TRADE -> trade(tx, order, leg, r, r.lastQty(), r.lastPx(), now, false);
      case CANCELED, EXPIRED -> legClosed(tx, order, leg, r, now);
      case REJECTED -> r.clOrdId().equals(leg.clOrdId()) ? rejected(tx, order, leg, r, now)
        : requestRefused(tx, order, leg, r, now);
      case ORDER_STATUS -> status(tx, order, leg, r, now);
      case REPLACED -> replaced(tx, order, leg, r, now);
    };
  }

  /** The LP has the leg: it is working there; the order is working once any leg is. */
  private Future<Applied> acknowledged(ReportTx tx, Order order, Leg leg, ExecutionReport r, Instant now) {
    if (!leg.status().open()) return Future.succeededFuture(new Applied(order, leg, BigDecimal.ZERO, null)); // late
    Leg.Status next = leg.liveStatus();
    Leg updated = withLeg(leg, waiting(leg) ? leg.status() : next, leg.filledQuantity(),
      leg.averagePrice(), r.lpOrderId(), null);
    Future<Leg> savedLeg = legs.update(tx.conn, updated, now);
    if (order.status() != OrderStatus.PENDING) return savedLeg.map(l -> new Applied(order, l, BigDecimal.ZERO, null));
    Order working = order.withStatus(OrderStatus.WORKING);
    Future<Order> saved = saveWithEvents(tx, order, working, "order.working", List.of(), r, now); // same flight
    return Future.join(savedLeg, saved).map(v -> new Applied(saved.result(), savedLeg.result(), BigDecimal.ZERO, null));
  }

  /**
   * A fill: booked with the leg, the position, the order and the account in one flight, then its audit entry and
   * events. {@code heldPosition}: the position is taken from (and its new state kept in) the rows the transaction
   * locked first (when it is not there, or false: it is locked here, created flat if new).
   */
  private Future<Applied> trade(ReportTx tx, Order order, Leg leg, ExecutionReport r, BigDecimal qtyIn,
                                BigDecimal px, Instant now, boolean heldPosition) {
    BigDecimal qty = qtyIn.min(leg.remaining()).min(order.remainingQuantity());
    if (qty.signum() <= 0) {
      Logs.orderLeg(log.atError(), order, leg).log("Overfill ignored: {} on leg {} (order {}) has no quantity left", r.execId(), leg.clOrdId(), order.orderRef());
      return Future.succeededFuture(new Applied(order, leg, BigDecimal.ZERO, null));
    }
    Future<String> currency = currency(tx, order);
    String positionKey = ReportTx.positionKey(order.accountId(), order.instrumentId());
    Position held = heldPosition ? tx.positions.get(positionKey) : null;
    Future<Position> locked = held != null ? Future.succeededFuture(held)
      : positions.lock(tx.conn, order.tenantId(), order.accountId(), order.instrumentId(), now);
    return Future.join(currency, locked).compose(x -> {
      String ccy = currency.result();
      UUID fillId = UUID.randomUUID();
      BigDecimal legFilled = leg.filledQuantity().add(qty);
      Leg.Status legStatus = legFilled.compareTo(leg.quantity()) == 0 ? Leg.Status.FILLED : Leg.Status.PARTIALLY_FILLED;
      if (waiting(leg) && legStatus != Leg.Status.FILLED) legStatus = leg.status();
      Leg newLeg = withLeg(leg, legStatus, legFilled, average(leg.averagePrice(), leg.filledQuantity(), px, qty),
        r.lpOrderId(), null);

      BigDecimal filled = order.filledQuantity().add(qty);
      boolean complete = filled.compareTo(order.quantity()) == 0;
      BigDecimal release = complete ? order.reservedAmount()
        : order.reservedAmount().multiply(qty).divide(order.remainingQuantity(), Decimals.minorUnits(ccy), RoundingMode.DOWN);
      BigDecimal cash = cash(order, ccy, qty, px);
      OrderStatus status = complete ? OrderStatus.FILLED
        : order.status() == OrderStatus.PENDING_CANCEL || order.status() == OrderStatus.PENDING_REPLACE
        ? order.status() : OrderStatus.PARTIAL_FILL;
      Order next = order.withState(status, filled, average(order.averagePrice(), order.filledQuantity(), px, qty),
        order.reservedAmount().subtract(release), null, null);
      BigDecimal signed = order.side() == Side.BUY ? qty : qty.negate();
      Position before = locked.result();
      Position after = before.apply(signed, px);
      if (heldPosition) tx.positions.put(positionKey, after);
      List<Outbox.Event> extra = new ArrayList<>();
      extra.add(new Outbox.Event("trade.executed", new JsonObject().put("fillId", fillId.toString())
        .put("orderId", order.id().toString()).put("orderRef", order.orderRef())
        .put("clientId", order.accountId().toString()).put("instrumentId", order.instrumentId())
        .put("side", order.side().wire()).put("quantity", qty).put("price", px).put("fee", BigDecimal.ZERO)
        .put("executedAt", (r.transactTime() == null ? now : r.transactTime()).toString())));
      extra.add(new Outbox.Event(positionEvent(before, after), after.toApiJson()));
      // all sent at once (the report was recorded new, so its fill is too: LP + ExecID is unique in both)
      Future<Boolean> booked = legs.insertFill(tx.conn, fillId, order, r, qty, px, BigDecimal.ZERO, ccy, now);
      Future<Leg> legSaved = legs.update(tx.conn, newLeg, now);
      Future<Void> positionSaved = positions.save(tx.conn, order.tenantId(), after, now);
      Future<Order> saved = settleAndSave(tx, order, next, complete ? "order.filled" : "order.partially_filled",
        extra, cash, release, r, now, new JsonObject().put("fillId", fillId.toString()).put("lpId", r.lpId())
          .put("execId", r.execId()).put("quantity", qty).put("price", px), null);
      return Future.join(booked, legSaved, positionSaved, saved).compose(y -> booked.result()
        ? closeIfDone(tx, saved.result(), newLeg, now)
        : Future.failedFuture(new IllegalStateException("Fill " + r.lpId() + "/" + r.execId() + " is booked already")));
    });
  }

  /** The LP cancelled or expired the leg (on our request, or its own: an IOC remainder). */
  private Future<Applied> legClosed(ReportTx tx, Order order, Leg leg, ExecutionReport r, Instant now) {
    Leg.Status s = r.kind() == ExecutionReport.Kind.EXPIRED ? Leg.Status.EXPIRED : Leg.Status.CANCELLED;
    Leg closed = withLeg(leg, s, leg.filledQuantity(), leg.averagePrice(), r.lpOrderId(), r.text());
    return legs.update(tx.conn, closed, now).compose(l -> changes.pendingForLeg(tx.conn, l.id()).compose(c -> {
      if (c == null) return closeIfDone(tx, order, l, now);
      if (c.kind() == LegChange.Kind.REPLACE) {
        // closed before the replace took effect: the replace can no longer apply
        return changes.resolve(tx.conn, c.id(), LegChange.Status.REFUSED, "the leg closed first", now)
          .compose(v -> settleModification(tx, order, c.modificationId(), r, now))
          .compose(o -> closeIfDone(tx, o, l, now));
      }
      // a reduction that emptied this leg: the order shrinks by what the leg left open
      BigDecimal smaller = order.quantity().subtract(l.remaining()).max(order.filledQuantity());
      Future<Order> shrunk = smaller.signum() > 0 && smaller.compareTo(order.quantity()) != 0
        ? orders.modify(tx.conn, order.withTerms(smaller, null, null, null, null, null), order.version(),
          order.reservedAmount(), now)
        : Future.succeededFuture(order);
      return changes.resolve(tx.conn, c.id(), LegChange.Status.APPLIED, null, now)
        .compose(v -> shrunk)
        .compose(o -> settleModification(tx, o, c.modificationId(), r, now))
        .compose(o -> closeIfDone(tx, o, l, now));
    }));
  }

  /** The leg waits for the LP's answer to a cancel or a cancel/replace. */
  private static boolean waiting(Leg leg) {
    return leg.status() == Leg.Status.PENDING_CANCEL || leg.status() == Leg.Status.PENDING_REPLACE;
  }

  /**
   * The LP took a cancel/replace: the leg carries the new ClOrdID and terms from now on, and the order's
   * quantity moves by as much as the leg's. A REPLACED no change waits for is only an acknowledgement.
   */
  private Future<Applied> replaced(ReportTx tx, Order order, Leg leg, ExecutionReport r, Instant now) {
    return changes.lockPending(tx.conn, r.clOrdId()).compose(c -> {
      if (c == null || c.kind() != LegChange.Kind.REPLACE || !c.legId().equals(leg.id())) {
        return acknowledged(tx, order, leg, r, now);
      }
      BigDecimal qty = c.quantity().max(leg.filledQuantity());
      Leg.Status status = leg.filledQuantity().compareTo(qty) >= 0 ? Leg.Status.FILLED
        : leg.status() == Leg.Status.PENDING_CANCEL ? Leg.Status.PENDING_CANCEL : leg.liveStatus();
      Leg updated = new Leg(leg.id(), leg.orderId(), leg.lpId(), c.clOrdId(),
        r.lpOrderId() != null ? r.lpOrderId() : leg.lpOrderId(), qty, c.price(), leg.filledQuantity(),
        leg.averagePrice(), status, leg.attempts(), leg.lastError());
      Order terms = order.withTerms(order.quantity().add(qty.subtract(leg.quantity())), null, null, null, null, null)
        .withWorkingPrice(c.price());
      return legs.update(tx.conn, updated, now)
        .compose(l -> changes.resolve(tx.conn, c.id(), LegChange.Status.APPLIED, null, now))
        .compose(v -> orders.modify(tx.conn, terms, order.version(), order.reservedAmount(), now))
        .compose(o -> settleModification(tx, o, c.modificationId(), r, now))
        .map(o -> new Applied(o, updated, BigDecimal.ZERO, null));
    });
  }

  /** The LP refused a leg's change (or it never reached the LP): the leg works on with its old terms. */
  private Future<Applied> changeRefused(ReportTx tx, Order order, Leg leg, LegChange c, ExecutionReport r,
                                        Instant now) {
    Leg.Status back = leg.liveStatus();
    boolean restore = waiting(leg) && order.status() != OrderStatus.PENDING_CANCEL;
    Leg restored = restore ? withLeg(leg, back, leg.filledQuantity(), leg.averagePrice(), null, r.text()) : leg;
    JsonObject details = new JsonObject().put("lpId", r.lpId()).put("request", c.clOrdId())
      .put("kind", c.kind().name().toLowerCase()).put("text", r.text());
    return legs.update(tx.conn, restored, now)
      .compose(l -> changes.resolve(tx.conn, c.id(), LegChange.Status.REFUSED, r.text(), now))
      .compose(v -> appendAudit(tx, order, AuditAction.REQUEST_REFUSED, order.status(), order.status(), details,
        "lp:" + r.lpId(), now))
      .compose(v -> settleModification(tx, order, c.modificationId(), r, now))
      .map(o -> new Applied(o, restored, BigDecimal.ZERO, null));
  }

  /**
   * Once no leg change of the modification waits any more, it is settled: all applied, the order takes
   * the requested terms; none, it keeps its own (modify_rejected); some, it keeps what the LPs did.
   * The order leaves pending_replace, and funds held beyond what its open quantity needs are released.
   */
  private Future<Order> settleModification(ReportTx tx, Order order, UUID modificationId, ExecutionReport r,
                                           Instant now) {
    return changes.ofModification(tx.conn, modificationId).compose(all -> {
      if (all.stream().anyMatch(c -> c.status() == LegChange.Status.PENDING)) return Future.succeededFuture(order);
      long applied = all.stream().filter(c -> c.status() == LegChange.Status.APPLIED).count();
      long refused = all.size() - applied;
      String outcome = refused == 0 ? "applied" : applied == 0 ? "rejected" : "partially_applied";
      String reasons = all.stream().filter(c -> c.status() == LegChange.Status.REFUSED)
        .map(c -> c.reason() == null ? "refused" : c.reason()).distinct().reduce((a, b) -> a + "; " + b).orElse(null);
      return changes.modification(tx.conn, modificationId).compose(mod -> {
        JsonObject plan = mod.getJsonObject("plan");
        JsonObject terms = plan.getJsonObject("terms", new JsonObject());
        Future<Order> withTerms = Future.succeededFuture(order);
        if (applied > 0) {
          // the terms the service keeps itself (the LPs changed quantity and price leg by leg); the requested
          // quantity only when every leg took its change
          OrderCommands.Modification m = OrderCommands.Modification.fromJson(terms);
          Order t = order.withTerms(refused == 0 ? m.quantity() : null, null, m.stopPrice(), m.pegOffset(),
            m.trailAmount(), m.expiryDate());
          withTerms = orders.modify(tx.conn, t, order.version(), order.reservedAmount(), now);
        }
        return withTerms.compose(o -> changes.settleModification(tx.conn, modificationId, outcome, reasons, now).compose(v -> {
          if (o.status() != OrderStatus.PENDING_REPLACE) return Future.succeededFuture(o); // it ended, or is being cancelled
          return currency(tx, o).compose(ccy -> {
            BigDecimal oldUnit = Decimals.parse(plan.getValue("oldPerUnit"));
            BigDecimal newUnit = Decimals.parse(plan.getValue("newPerUnit"));
            BigDecimal unit = refused == 0 ? newUnit : applied == 0 ? oldUnit : oldUnit.max(newUnit);
            boolean complete = o.filledQuantity().compareTo(o.quantity()) >= 0;
            BigDecimal target = complete ? BigDecimal.ZERO
              : unit.multiply(o.remainingQuantity()).setScale(Decimals.minorUnits(ccy), RoundingMode.UP);
            BigDecimal release = o.reservedAmount().subtract(target).max(BigDecimal.ZERO);
            OrderStatus next = complete ? OrderStatus.FILLED
              : o.filledQuantity().signum() > 0 ? OrderStatus.PARTIAL_FILL : OrderStatus.WORKING;
            Order after = o.withState(next, o.filledQuantity(), o.averagePrice(), o.reservedAmount().subtract(release),
              null, null);
            JsonObject details = new JsonObject().put("outcome", outcome).put("reason", reasons)
              .put("modificationId", modificationId.toString()).put("released", release);
            boolean reprice = "reprice".equals(plan.getString("kind"));
            String event = reprice ? (applied > 0 ? "order.repriced" : "order.reprice_rejected")
              : applied > 0 ? "order.modified" : "order.modify_rejected";
            return settleAndSave(tx, o, after, event, List.of(),
              BigDecimal.ZERO, release, r, now, details, mod.getString("requestedBy"));
          });
        }));
      });
    });
  }

  /**
   * The LP refused a cancel or replace of the leg (it is filled already, or the LP will not): the leg keeps
   * working as it was, and so does the order once no other leg waits for a cancel.
   */
  private Future<Applied> requestRefused(ReportTx tx, Order order, Leg leg, ExecutionReport r, Instant now) {
    return changes.lockPending(tx.conn, r.clOrdId()).compose(c -> c != null ? changeRefused(tx, order, leg, c, r, now)
      : cancelRefused(tx, order, leg, r, now));
  }

  private Future<Applied> cancelRefused(ReportTx tx, Order order, Leg leg, ExecutionReport r, Instant now) {
    JsonObject details = new JsonObject().put("lpId", r.lpId()).put("request", r.clOrdId()).put("text", r.text());
    if (leg.status() != Leg.Status.PENDING_CANCEL && leg.status() != Leg.Status.PENDING_REPLACE) {
      return appendAudit(tx, order, AuditAction.REQUEST_REFUSED, order.status(), order.status(), details, "lp:" + r.lpId(), now)
        .map(new Applied(order, leg, BigDecimal.ZERO, null));
    }
    Leg.Status back = leg.liveStatus();
    Leg restored = withLeg(leg, back, leg.filledQuantity(), leg.averagePrice(), null, r.text());
    return legs.update(tx.conn, restored, now).compose(l -> legs.byOrder(tx.conn, order.id())).compose(all -> {
      boolean stillWaiting = all.stream().anyMatch(x -> x.status() == Leg.Status.PENDING_CANCEL
        || x.status() == Leg.Status.PENDING_REPLACE);
      if (stillWaiting || (order.status() != OrderStatus.PENDING_CANCEL && order.status() != OrderStatus.PENDING_REPLACE)) {
        return appendAudit(tx, order, AuditAction.REQUEST_REFUSED, order.status(), order.status(), details, "lp:" + r.lpId(), now)
          .map(new Applied(order, restored, BigDecimal.ZERO, null));
      }
      OrderStatus resumed = order.filledQuantity().signum() > 0 ? OrderStatus.PARTIAL_FILL : OrderStatus.WORKING;
      Order next = order.withState(resumed, order.filledQuantity(), order.averagePrice(), order.reservedAmount(), null, null);
      return settleAndSave(tx, order, next, "order.cancel_rejected", List.of(), BigDecimal.ZERO, BigDecimal.ZERO, r, now,
        details, null).map(o -> new Applied(o, restored, BigDecimal.ZERO, null));
    });
  }

  /** The LP refused the leg: nothing traded there; the lifecycle may place the quantity elsewhere. */
  private Future<Applied> rejected(ReportTx tx, Order order, Leg leg, ExecutionReport r, Instant now) {
    if (!leg.status().open()) return Future.succeededFuture(new Applied(order, leg, BigDecimal.ZERO, null));
    Leg closed = withLeg(leg, Leg.Status.REJECTED, leg.filledQuantity(), leg.averagePrice(), r.lpOrderId(), r.text());
    JsonObject details = new JsonObject().put("lpId", r.lpId()).put("clOrdId", leg.clOrdId()).put("text", r.text());
    return legs.update(tx.conn, closed, now)
      .compose(l -> appendAudit(tx, order, AuditAction.LEG_REJECTED, order.status(), order.status(), details, "lp", now))
      .map(v -> new Applied(order, closed, leg.remaining(), r.text()));
  }

  /**
   * The LP's view of a leg, asked for after a timeout or at reconciliation. Fills we missed are booked
   * from the difference in cumulative quantity at the implied price; a final state closes the leg.
   */
  private Future<Applied> status(ReportTx tx, Order order, Leg leg, ExecutionReport r, Instant now) {
    BigDecimal cum = r.cumQty() == null ? BigDecimal.ZERO : r.cumQty();
    BigDecimal missing = cum.subtract(leg.filledQuantity());
    Future<Applied> filled = Future.succeededFuture(new Applied(order, leg, BigDecimal.ZERO, null));
    if (missing.signum() > 0 && r.avgPx() != null) {
      BigDecimal known = leg.averagePrice() == null ? BigDecimal.ZERO : leg.averagePrice().multiply(leg.filledQuantity());
      BigDecimal px = r.avgPx().multiply(cum).subtract(known).divide(missing, 10, RoundingMode.HALF_EVEN).stripTrailingZeros();
      filled = trade(tx, order, leg, r, missing, px, now, false);
    }
    return filled.compose(a -> {
      Order o = a.order() == null ? order : a.order();
      Leg l = a.leg() == null ? leg : a.leg();
      if (!l.status().open()) return Future.succeededFuture(a);
      return switch (r.status()) {
        case CANCELED, EXPIRED -> legClosed(tx, o, l, r, now);
        case REJECTED -> rejected(tx, o, l, r, now);
        case NEW, PARTIALLY_FILLED, PENDING_CANCEL, PENDING_REPLACE -> acknowledged(tx, o, l, r, now);
        case FILLED, UNKNOWN -> Future.succeededFuture(new Applied(o, l, BigDecimal.ZERO, null));
      };
    });
  }

  /**
   * When no leg is open any more and the order is not filled, the remainder will not trade: the order
   * ends cancelled (expired if the LP expired it) and what it still holds is released.
   */
  private Future<Applied> closeIfDone(ReportTx tx, Order order, Leg changed, Instant now) {
    if (order.status().isFinal()) return Future.succeededFuture(new Applied(order, changed, BigDecimal.ZERO, null));
    return legs.byOrder(tx.conn, order.id()).compose(all -> {
      boolean open = all.stream().anyMatch(l -> l.status().open());
      if (open || order.filledQuantity().compareTo(order.quantity()) == 0) {
        return Future.succeededFuture(new Applied(order, changed, BigDecimal.ZERO, null));
      }
      boolean expiring = ErrorCode.ORDER_EXPIRED.name().equals(order.rejectCode());
      OrderStatus end = changed.status() == Leg.Status.EXPIRED || expiring ? OrderStatus.EXPIRED : OrderStatus.CANCELLED;
      BigDecimal placed = all.stream().filter(l -> l.status() != Leg.Status.FAILED && l.status() != Leg.Status.REJECTED)
        .map(Leg::quantity).reduce(BigDecimal.ZERO, BigDecimal::add);
      String reason = order.status() == OrderStatus.PENDING_CANCEL ? order.rejectReason()
        : placed.compareTo(order.quantity()) < 0 && changed.status() == Leg.Status.FILLED
        ? "No liquidity at any healthy LP for the remaining " + order.quantity().subtract(placed).toPlainString()
        : "Remaining quantity cancelled by the liquidity provider" + (changed.lastError() == null ? "" : ": " + changed.lastError());
      return finish(tx, order, end, expiring ? order.rejectCode() : null, reason, "system", now)
        .map(o -> new Applied(o, changed, BigDecimal.ZERO, null));
    });
  }

  /** Ends an order that will not trade any more, releasing its held funds (used for cancels, rejects and expiry). */
  public Future<Order> finish(SqlConnection tx, Order order, OrderStatus end, String code, String reason, Instant now) {
    return finish(ReportTx.direct(tx), order, end, code, reason, "system", now);
  }

  /** As above, recording {@code actor} (the user who cancelled, or "system") in the audit trail. */
  public Future<Order> finish(SqlConnection tx, Order order, OrderStatus end, String code, String reason, String actor,
                              Instant now) {
    return finish(ReportTx.direct(tx), order, end, code, reason, actor, now);
  }

  private Future<Order> finish(ReportTx tx, Order order, OrderStatus end, String code, String reason, String actor,
                               Instant now) {
    Order done = order.withState(end, order.filledQuantity(), order.averagePrice(), BigDecimal.ZERO, code, reason);
    return settleAndSave(tx, order, done, "order." + end.wire(), List.of(), BigDecimal.ZERO, order.reservedAmount(),
      null, now, new JsonObject().put("reason", reason).put("code", code).put("released", order.reservedAmount()), actor);
  }

  private Future<Order> saveWithEvents(ReportTx tx, Order before, Order after, String event,
                                       List<Outbox.Event> extra, ExecutionReport r, Instant now) {
    return settleAndSave(tx, before, after, event, extra, BigDecimal.ZERO, BigDecimal.ZERO, r, now, new JsonObject(), null);
  }

  /**
   * Writes the order's new state with its audit entry and events; when cash moves or funds are released
   * the account is settled in the same transaction and a balance event follows.
   */
  private Future<Order> settleAndSave(ReportTx tx, Order before, Order after, String event, List<Outbox.Event> extra,
                                      BigDecimal cash, BigDecimal release, ExecutionReport r, Instant now,
                                      JsonObject details, String actorOrNull) {
    boolean moneyMoves = cash.signum() != 0 || release.signum() != 0;
    int count = 1 + extra.size() + (moneyMoves ? 1 : 0);
    // independent statements go out together (pipelined on the transaction's connection): one wait, not two
    Future<Order> savedF = orders.saveState(tx.conn, after, now);
    Future<AccountRepository.Reservation> settledF = tx.settle(accounts, before.accountId(), cash, release, count, now);
    return Future.join(savedF, settledF).compose(x -> {
      Order saved = savedF.result();
      AccountRepository.Reservation res = settledF.result();
      List<Outbox.Event> events = new ArrayList<>(extra);
      events.add(new Outbox.Event(event, saved.toApiJson()));
      if (moneyMoves) {
        events.add(new Outbox.Event("balance.updated", new JsonObject().put("clientId", before.accountId().toString())
          .put("balance", res.balance()).put("reserved", res.reserved()).put("available", res.available())));
      }
      if (r != null) details.put("lpId", r.lpId()).put("execId", r.execId());
      String actor = actorOrNull != null ? actorOrNull : r == null ? "system" : "lp:" + r.lpId();
      return tx.record(record,
          List.of(AuditLog.row(saved, AuditAction.of(event), before.status(), saved.status(), details, actor, now)),
          Outbox.rows(before.tenantId(), before.accountId(), res.lastSeq(), events, now))
        .map(saved);
    });
  }

  /** An audit entry without events, written with the transaction's others (see {@link ReportTx#record}). */
  private Future<Void> appendAudit(ReportTx tx, Order order, AuditAction action, OrderStatus from, OrderStatus to,
                                   JsonObject details, String actor, Instant now) {
    return tx.record(record, List.of(AuditLog.row(order, action, from, to, details, actor, now)), List.of());
  }

  /** Cash of a fill in the account's currency: paid for a buy (negative), received for a sell. */
  private BigDecimal cash(Order order, String currency, BigDecimal qty, BigDecimal px) {
    String quote = catalog.get(order.instrumentId()).quoteCurrency();
    BigDecimal amount = catalog.convert(qty.multiply(px), quote, currency);
    if (amount == null) amount = qty.multiply(px); // validation refused orders without a rate; keep books moving
    amount = amount.setScale(Decimals.minorUnits(currency), RoundingMode.HALF_EVEN); // cash moves in whole minor units
    return order.side() == Side.BUY ? amount.negate() : amount;
  }

  /** An account's currency never changes, so it is read once. */
  private Future<String> currency(ReportTx tx, Order order) {
    String known = currencies.get(order.accountId());
    if (known != null) return Future.succeededFuture(known);
    return accounts.currency(tx.conn, order.accountId()).onSuccess(c -> currencies.put(order.accountId(), c));
  }

  private final java.util.Map<UUID, String> currencies = new java.util.concurrent.ConcurrentHashMap<>();

  private static String positionEvent(Position before, Position after) {
    if (before.quantity().signum() == 0) return "position.opened";
    if (after.quantity().signum() == 0) return "position.closed";
    return "position.updated";
  }

  private static BigDecimal average(BigDecimal avg, BigDecimal filled, BigDecimal px, BigDecimal qty) {
    BigDecimal total = filled.add(qty);
    BigDecimal notional = (avg == null ? BigDecimal.ZERO : avg.multiply(filled)).add(px.multiply(qty));
    return notional.divide(total, 10, RoundingMode.HALF_EVEN).stripTrailingZeros();
  }

  private static Leg withLeg(Leg l, Leg.Status status, BigDecimal filled, BigDecimal avg, String lpOrderId, String error) {
    return new Leg(l.id(), l.orderId(), l.lpId(), l.clOrdId(), lpOrderId != null ? lpOrderId : l.lpOrderId(),
      l.quantity(), l.price(), filled, avg, status, l.attempts(), error != null ? error : l.lastError());
  }
}
