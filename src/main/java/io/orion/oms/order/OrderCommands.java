package io.orion.oms.order;

import io.orion.oms.account.Account;
import io.orion.oms.account.AccountCache;
import io.orion.oms.account.AccountRepository;
import io.orion.oms.auth.Caller;
import io.orion.oms.auth.Role;
import io.orion.oms.common.BusResult;
import io.orion.oms.common.Decimals;
import io.orion.oms.common.ErrorCode;
import io.orion.oms.common.FieldError;
import io.orion.oms.common.Problem;
import io.orion.oms.common.ProblemException;
import io.orion.oms.events.Outbox;
import io.orion.oms.infra.Database;
import io.orion.oms.validation.OrderValidator;
import io.orion.oms.routing.RoutingVerticle;
import io.orion.oms.validation.ValidationVerticle;
import io.vertx.core.Future;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The order state changes. Each one is a single PostgreSQL transaction that changes the order, the
 * account's held funds, the audit trail and the event outbox together.
 */
public final class OrderCommands {
  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(OrderCommands.class);
  /** Accounts kept by {@link AccountCache}: enough for every active trader of a large desk; a miss costs one read. */
  private static final int ACCOUNT_CACHE_ENTRIES = 100_000;
  private final EventBus bus;
  private final Pool pool;
  private final OrderRepository orders;
  private final AccountRepository accounts;
  private final AuditLog audit = new AuditLog();
  private final Outbox outbox = new Outbox();
  private final LegRepository legs;
  private final LegChangeRepository changes = new LegChangeRepository();
  private final OrderLifecycle lifecycle;
  private final Clock clock;
  private final SubmitBatcher batcher;
  private final AccountCache accountCache;

  public OrderCommands(EventBus bus, Pool pool, OrderRepository orders, AccountRepository accounts, LegRepository legs,
                       OrderLifecycle lifecycle, Clock clock) {
    this.bus = bus;
    this.pool = pool;
    this.orders = orders;
    this.accounts = accounts;
    this.legs = legs;
    this.lifecycle = lifecycle;
    this.clock = clock;
    this.accountCache = new AccountCache(accounts, pool, ACCOUNT_CACHE_ENTRIES);
    this.batcher = new SubmitBatcher(pool, orders, accounts, legs, clock,
      p -> insertAlone(p.caller(), p.req(), p.account(), p.accepted()));
  }

  public OrderLifecycle lifecycle() {
    return lifecycle;
  }

  /**
   * The order just submitted and whether it is new (false: the clientOrderId was already used); {@code legs}:
   * the legs written with it, to be sent once it is committed (null: it is routed after its commit).
   */
  public record Submitted(Order order, boolean created, List<Leg> legs) {
    public Submitted(Order order, boolean created) {
      this(order, created, null);
    }
  }

  public Future<Submitted> submit(Caller caller, NewOrder req) {
    // no read of the account per order (AccountCache), none for the clientOrderId: the write finds a taken one
    return accountCache.findVisible(caller, req.accountId())
      .compose(found -> tradable(caller, req.accountId(), found))
      .compose(account -> accept(caller, req, account)
        // whatever stopped it, a clientOrderId the account already holds answers with that order (a retry)
        .recover(err -> earlierWithClientOrderId(req, err)))
      .onSuccess(s -> {
        // after the commit: no LP sees an uncommitted order
        if (s.created() && s.legs() != null) lifecycle.sendWritten(s.order(), s.legs());
        else if (s.created()) lifecycle.onAccepted(s.order());
      });
  }

  private Future<Submitted> accept(Caller caller, NewOrder req, Account account) {
    return validate(req, account)
      .recover(err -> risk(err)
        ? accountCache.refresh(account.id()).compose(fresh -> validate(req, fresh))
        : Future.failedFuture(err))
      .compose(accepted -> manualLpAvailable(req).map(accepted)) // field errors first, then the named LP
      .compose(accepted -> insert(caller, req, account, accepted));
  }

  /** A risk rejection decided on a cached account's balance is decided again on the balance of now. */
  private static boolean risk(Throwable err) {
    return err instanceof ProblemException p && p.problem().code().stage() == ErrorCode.Stage.RISK;
  }

  private Future<Submitted> earlierWithClientOrderId(NewOrder req, Throwable err) {
    if (req.clientOrderId() == null) return Future.failedFuture(err);
    // found: it may be one a submission batch committed a moment ago, not on disk yet; answered once it is
    return orders.findByClientOrderId(pool, req.accountId(), req.clientOrderId()).transform(found ->
      found.succeeded() && found.result() != null
        ? Database.awaitFlush(pool).map(v -> new Submitted(found.result(), false))
        : Future.failedFuture(err));
  }

  /** Manual routing names an LP: it must exist and be up now, or the client hears so at once (400). */
  private Future<Void> manualLpAvailable(NewOrder req) {
    if (req.routingStrategy() != RoutingStrategy.MANUAL) return Future.succeededFuture();
    return bus.<JsonObject>request(RoutingVerticle.CHECK_LP, new JsonObject().put("lpId", req.lpId()))
      .compose(reply -> BusResult.unwrap(reply.body())).mapEmpty();
  }

  /** Only the owner, holding the trader role, trades an account; others get 404 (not visible) or 403. */
  private Future<Account> tradable(Caller caller, UUID accountId, Account account) {
    if (account == null) {
      return failed(Problem.of(ErrorCode.ACCOUNT_NOT_FOUND, "No account " + accountId));
    }
    if (!caller.has(Role.TRADER) || !account.ownerId().equals(caller.userId())) {
      return failed(Problem.of(ErrorCode.FORBIDDEN, "Only the account's owner with the trader role may trade it"));
    }
    return Future.succeededFuture(account);
  }

  private Future<OrderValidator.Accepted> validate(NewOrder req, Account account) {
    return validate(new JsonObject().put("order", req.toBusJson()).put("account", account.toBusJson()));
  }

  private Future<OrderValidator.Accepted> validate(JsonObject body) {
    return bus.<JsonObject>request(ValidationVerticle.CHECK, body)
      .compose(reply -> BusResult.unwrap(reply.body()))
      .map(v -> new OrderValidator.Accepted(Decimals.parse(v.getValue("notional")),
        Decimals.parse(v.getValue("reserveAmount"))));
  }

  private Future<Submitted> insert(Caller caller, NewOrder req, Account account, OrderValidator.Accepted accepted) {
    // group commit (SubmitBatcher); a position limit is re-checked under the row lock on the single path only
    if (account.maxPositionQuantity() != null) return insertAlone(caller, req, account, accepted);
    if (req.orderType() != OrderType.MARKET && req.orderType() != OrderType.LIMIT) {
      return batcher.submit(caller, req, account, accepted, null); // held until its trigger: not routed now
    }
    // routed first, so that the legs commit with the order (the decision sees the quotes of this moment)
    return lifecycle.decideBeforeWrite(draft(caller, req, accepted))
      .compose(routed -> batcher.submit(caller, req, account, accepted, routed));
  }

  /** A new order as it will be written, for the routing decision taken before the write. */
  private Order draft(Caller caller, NewOrder req, OrderValidator.Accepted accepted) {
    Instant now = clock.instant();
    return new Order(new UUID(0, 0), "", caller.tenant(), req.accountId(), caller.userId(), req.clientOrderId(),
      req.instrumentId(), req.side(), req.orderType(), req.timeInForce(), req.quantity(), BigDecimal.ZERO, req.price(),
      req.stopPrice(), req.pegOffset(), req.trailAmount(), null, req.expiryDate(), req.routingStrategy(), req.lpId(),
      OrderStatus.PENDING, null, null, accepted.reserveAmount(), req.metadata(), 0, now, now, null, null);
  }

  /** One order in its own transaction: orders with a position limit, and the fallback of a failed batch. */
  private Future<Submitted> insertAlone(Caller caller, NewOrder req, Account account, OrderValidator.Accepted accepted) {
    Instant now = clock.instant();
    UUID id = UUID.randomUUID();
    return Database.transaction(pool, tx -> orders.insert(tx, id, caller.tenant(), caller.userId(), req, accepted.reserveAmount(), now)
      .compose(inserted -> inserted == null
        // lost a race on the same clientOrderId: the winner's order is the answer
        ? orders.findByClientOrderId(tx, req.accountId(), req.clientOrderId()).map(o -> new Submitted(o, false))
        : holdFunds(tx, inserted, account, accepted, now).map(o -> new Submitted(o, true))));
  }

  /** Events of an accepted order: order.created, and balance.updated when funds were held. */
  static int acceptedEventCount(OrderValidator.Accepted accepted) {
    return accepted.reserveAmount().signum() > 0 ? 2 : 1;
  }

  static List<Outbox.Event> acceptedEvents(Order order, Account account, OrderValidator.Accepted accepted,
                                           AccountRepository.Reservation res) {
    List<Outbox.Event> events = new ArrayList<>(2);
    events.add(new Outbox.Event("order.created", order.toApiJson()));
    if (accepted.reserveAmount().signum() > 0) events.add(new Outbox.Event("balance.updated", balance(account, res)));
    return events;
  }

  /** The audit rows of an accepted order: SUBMITTED then VALIDATED. */
  static List<io.vertx.sqlclient.Tuple> acceptedAudit(Order order, OrderValidator.Accepted accepted, Instant now) {
    JsonObject submitted = new JsonObject().put("clientOrderId", order.clientOrderId())
      .put("routingStrategy", order.routingStrategy().wire()).put("lpId", order.lpId());
    JsonObject validated = new JsonObject().put("notional", accepted.notional()).put("reserved", accepted.reserveAmount());
    return List.of(
      AuditLog.row(order, AuditAction.SUBMITTED, null, OrderStatus.PENDING, submitted, order.submittedBy(), now),
      AuditLog.row(order, AuditAction.VALIDATED, OrderStatus.PENDING, OrderStatus.PENDING, validated, "system", now));
  }

  private Future<Order> holdFunds(SqlConnection tx, Order order, Account account, OrderValidator.Accepted accepted,
                                  Instant now) {
    BigDecimal amount = accepted.reserveAmount();
    int eventCount = acceptedEventCount(accepted);
    return accounts.reserve(tx, order.accountId(), amount, eventCount, now).compose(res -> {
      if (res == null) {
        // funds moved since validation: the row lock now gives the true figure
        // read on the transaction's own connection: waiting for another pooled one could exhaust the pool
        return accounts.byId(tx, account.id()).compose(fresh ->
          failed(OrderValidator.insufficientFunds(account.currency(), amount, fresh.available())));
      }
      return positionLimitHolds(tx, order, account)
        .compose(v -> audit.appendAll(tx, acceptedAudit(order, accepted, now)))
        .compose(x -> outbox.append(tx, order.tenantId(), order.accountId(), res.lastSeq(),
          acceptedEvents(order, account, accepted, res), now))
        .map(order);
    });
  }

  /**
   * The position limit checked again under the account's row lock (taken by the reservation), with this
   * order counted as open: concurrent submissions cannot together pass a check each passed alone.
   */
  private Future<Void> positionLimitHolds(SqlConnection tx, Order order, Account account) {
    BigDecimal limit = account.maxPositionQuantity();
    if (limit == null) return Future.succeededFuture();
    return accounts.positionQuantity(tx, order.accountId(), order.instrumentId())
      .compose(pos -> orders.openQuantity(tx, order.accountId(), order.instrumentId(), order.side()).compose(open -> {
        BigDecimal projected = OrderValidator.projectedPosition(order.side(), pos, open);
        return projected.compareTo(limit) > 0
          ? failed(OrderValidator.positionLimit(order.instrumentId(), projected, limit)) : Future.succeededFuture();
      }));
  }

  /**
   * Cancels an order that no LP holds yet (status pending): the held funds are released at once. Orders
   * already at an LP are cancelled through the LP by the lifecycle (pending_cancel until it answers).
   */
  public Future<Order> cancel(Caller caller, UUID orderId, String reason) {
    Instant now = clock.instant();
    return Database.transaction(pool, tx -> orders.lockVisible(tx, caller, orderId).compose(order -> {
      if (order == null) return failed(Problem.of(ErrorCode.ORDER_NOT_FOUND, "No order " + orderId));
      return mayChange(caller, order).compose(v -> cancelPending(tx, caller, order, reason, now));
    })).onSuccess(lifecycle::heldChanged);
  }

  /**
   * An order no LP holds is cancelled at once; one with legs at LPs becomes pending_cancel, the LPs are
   * asked to cancel, and their answers close it (cancelled, or filled if a fill won the race).
   */
  private Future<Order> cancelPending(SqlConnection tx, Caller caller, Order order, String reason, Instant now) {
    UUID orderId = order.id();
    if (order.status().isFinal() || order.status() == OrderStatus.PENDING_CANCEL) {
      return failed(Problem.of(ErrorCode.ORDER_NOT_CANCELLABLE, "Order " + order.orderRef() + " is "
        + order.status().wire() + " and cannot be cancelled").with("orderStatus", order.status().wire()));
    }
    return legs.byOrder(tx, orderId).compose(all -> {
      List<Leg> open = all.stream().filter(l -> l.status().open()).toList();
      if (!open.isEmpty()) return requestCancel(tx, caller, order, open, null, reason, now);
      return cancelHeld(tx, caller, order, reason, now);
    });
  }

  private Future<Order> requestCancel(SqlConnection tx, Caller caller, Order order, List<Leg> open, String code,
                                      String reason, Instant now) {
    Order pending = order.withState(OrderStatus.PENDING_CANCEL, order.filledQuantity(), order.averagePrice(),
      order.reservedAmount(), code, reason == null ? "Cancelled by " + caller.userId() : reason);
    JsonObject requested = new JsonObject().put("reason", reason);
    Future<Void> chain = Future.succeededFuture();
    for (Leg l : open) {
      chain = chain.compose(v -> legs.update(tx, l.withStatus(Leg.Status.PENDING_CANCEL), now).mapEmpty());
    }
    return chain.compose(v -> orders.saveState(tx, pending, now))
      .compose(saved -> accounts.release(tx, order.accountId(), BigDecimal.ZERO, 1, now).compose(res ->
        orders.insertModification(tx, order.id(), order.tenantId(), "cancel", requested,
            new JsonObject().put("status", order.status().wire()), "requested", reason, caller.userId(), now)
          .compose(x -> audit.append(tx, saved, AuditAction.CANCEL_REQUESTED, order.status(), OrderStatus.PENDING_CANCEL,
            requested, caller.userId(), now))
          .compose(x -> outbox.append(tx, order.tenantId(), order.accountId(), res.lastSeq(),
            List.of(new Outbox.Event("order.pending_cancel", saved.toApiJson())), now))
          .map(saved)))
      .onSuccess(saved -> tx.transaction().completion().onSuccess(x -> lifecycle.cancelLegs(saved, open)));
  }

  /**
   * Ends an order whose time is up (GTD expiry, DAY session end): held ones at once, routed ones by
   * cancelling their legs at the LPs, after which they end {@code expired}. Runs from the expiry sweep,
   * so an expiry that fell while the service was down happens at start-up.
   */
  public Future<Void> expire(Order stale, String reason) {
    Instant now = clock.instant();
    Caller system = new Caller(stale.tenantId(), "system", java.util.Set.of(Role.ADMIN));
    return Database.transaction(pool, tx -> orders.lock(tx, stale.id()).compose(order -> {
      if (order.status().isFinal() || order.status() == OrderStatus.PENDING_CANCEL) return Future.succeededFuture();
      return legs.byOrder(tx, order.id()).compose(all -> {
        List<Leg> open = all.stream().filter(l -> l.status().open()).toList();
        if (!open.isEmpty()) {
          return requestCancel(tx, system, order, open, ErrorCode.ORDER_EXPIRED.name(), reason, now).mapEmpty();
        }
        return lifecycle.finish(tx, order, OrderStatus.EXPIRED, ErrorCode.ORDER_EXPIRED.name(), reason, now).mapEmpty();
      });
    }));
  }

  /** No LP holds any part of the order (pending, or held for a trigger): it ends here and its funds come back. */
  private Future<Order> cancelHeld(SqlConnection tx, Caller caller, Order order, String reason, Instant now) {
    if (order.status() != OrderStatus.PENDING) {
      return failed(Problem.of(ErrorCode.ORDER_NOT_CANCELLABLE, "Order " + order.orderRef() + " is "
        + order.status().wire() + " and cannot be cancelled").with("orderStatus", order.status().wire()));
    }
    JsonObject requested = new JsonObject().put("reason", reason);
    return orders.insertModification(tx, order.id(), order.tenantId(), "cancel", requested,
        new JsonObject().put("status", order.status().wire()), "applied", reason, caller.userId(), now)
      .compose(v -> lifecycle.finish(tx, order, OrderStatus.CANCELLED, null, reason, caller.userId(), now));
  }


  /** New terms asked for an order: null fields stay as they are. */
  public record Modification(BigDecimal quantity, BigDecimal price, BigDecimal stopPrice, BigDecimal pegOffset,
                             BigDecimal trailAmount, Instant expiryDate) {
    public JsonObject toJson() {
      return new JsonObject().put("quantity", Json.dec(quantity)).put("price", Json.dec(price))
        .put("stopPrice", Json.dec(stopPrice)).put("pegOffset", Json.dec(pegOffset))
        .put("trailAmount", Json.dec(trailAmount)).put("expiryDate", expiryDate == null ? null : expiryDate.toString());
    }

    public static Modification fromJson(JsonObject j) {
      String expiry = j.getString("expiryDate");
      return new Modification(Decimals.parse(j.getValue("quantity")), Decimals.parse(j.getValue("price")),
        Decimals.parse(j.getValue("stopPrice")), Decimals.parse(j.getValue("pegOffset")),
        Decimals.parse(j.getValue("trailAmount")), expiry == null ? null : Instant.parse(expiry));
    }
  }

  /**
   * Modifies an open order. Its new terms are validated like a new order for what would still be open
   * (its own held funds and open quantity count as available) and apply only to the version they were
   * checked against; {@code expectedVersion} is the client's If-Match (null: no precondition). An order no LP
   * holds changes at once; one that LPs hold becomes pending_replace while each leg it changes is
   * cancel/replaced at its LP, and settles (modified, or modify_rejected) when they have all answered.
   */
  public Future<Order> modify(Caller caller, UUID orderId, Modification change, Long expectedVersion) {
    return orders.findVisible(caller, orderId).compose(order -> {
      if (order == null) return failed(Problem.of(ErrorCode.ORDER_NOT_FOUND, "No order " + orderId));
      return mayChange(caller, order).compose(v -> modifyVisible(caller, order, change, expectedVersion));
    }).onSuccess(lifecycle::heldChanged);
  }

  private Future<Order> modifyVisible(Caller caller, Order order, Modification change, Long expectedVersion) {
    if (expectedVersion != null && expectedVersion != order.version()) return failed(versionMismatch(order));
    Problem refused = notModifiable(order);
    if (refused != null) return failed(refused);
    Order changed = order.withTerms(change.quantity(), change.price(), change.stopPrice(), change.pegOffset(),
      change.trailAmount(), change.expiryDate());
    boolean routed = order.status() != OrderStatus.PENDING;
    // a routed order keeps something open: to stop the rest, cancel it
    if (changed.quantity().compareTo(order.filledQuantity()) < 0
      || (routed && changed.quantity().compareTo(order.filledQuantity()) == 0)) {
      return failed(Problem.invalid(ErrorCode.VALIDATION_FAILED, "quantity must be above the filled quantity "
        + order.filledQuantity().toPlainString(), List.of(new FieldError("quantity", "BELOW_FILLED",
        "quantity must be above the filled quantity " + order.filledQuantity().toPlainString()
          + "; to stop the rest, cancel the order"))));
    }
    return accounts.findVisible(systemView(order.tenantId()), order.accountId()).compose(account ->
      validateStillOpen(order, changed, account)
        .compose(accepted -> applyModification(caller, order, changed, change, accepted, account)));
  }

  /**
   * The checks of a new order for what {@code changed} would leave open (its quantity less the filled), with
   * the order's own held funds and open quantity counting as available, so nothing is counted twice.
   */
  private Future<OrderValidator.Accepted> validateStillOpen(Order order, Order changed, Account account) {
    Order stillOpen = changed.withTerms(changed.quantity().subtract(order.filledQuantity()), null, null, null, null, null);
    return validate(new JsonObject().put("order", stillOpen.asNewOrder().toBusJson())
      .put("account", account.withoutHold(order.reservedAmount()).toBusJson())
      .put("replacesQuantity", Json.dec(order.remainingQuantity())));
  }

  /** Every open leg acknowledged by its LP (none still being sent, cancelled or replaced): legs can be changed. */
  private static boolean allAcknowledged(List<Leg> open) {
    return open.stream().allMatch(l -> l.status() == Leg.Status.WORKING || l.status() == Leg.Status.PARTIALLY_FILLED);
  }

  private static Problem notModifiable(Order order) {
    OrderStatus s = order.status();
    if (s.isFinal()) {
      return Problem.of(ErrorCode.ORDER_NOT_MODIFIABLE, "Order " + order.orderRef() + " is " + s.wire()
        + " and cannot be modified").with("orderStatus", s.wire());
    }
    if (s == OrderStatus.PENDING_CANCEL || s == OrderStatus.PENDING_REPLACE) {
      return Problem.of(ErrorCode.ORDER_NOT_MODIFIABLE, "Order " + order.orderRef() + " is " + s.wire()
        + ": the liquidity providers have not answered the previous request yet").with("orderStatus", s.wire());
    }
    return null;
  }

  private Future<Order> applyModification(Caller caller, Order order, Order changed, Modification change,
                                          OrderValidator.Accepted accepted, Account account) {
    Instant now = clock.instant();
    // lock order then account: the same order as cancel and fills, so they cannot deadlock
    return Database.transaction(pool, tx -> orders.lock(tx, order.id()).compose(locked -> {
      if (locked == null || locked.version() != order.version()) return failed(versionMismatch(locked == null ? order : locked));
      return legs.byOrder(tx, order.id()).compose(all -> {
        List<Leg> open = all.stream().filter(l -> l.status().open()).toList();
        if (!allAcknowledged(open)) {
          return failed(Problem.of(ErrorCode.ORDER_NOT_MODIFIABLE, "Order " + order.orderRef() + " is still being "
            + "placed at a liquidity provider; try again once it is working").with("orderStatus", locked.status().wire()));
        }
        UUID modificationId = UUID.randomUUID();
        // a limit's price goes to its legs; a pegged order's price is only its cap (its legs follow the market)
        BigDecimal newPrice = locked.released().orderType() == OrderType.LIMIT && locked.orderType() != OrderType.PEGGED
          ? change.price() : null;
        List<LegChange> plan = planLegChanges(locked, changed.quantity(), newPrice, open, modificationId, now);
        if (plan.isEmpty()) return modifyInPlace(tx, caller, locked, changed, change, accepted, account, now);
        JsonObject requested = requested(change);
        JsonObject terms = change.toJson().put("quantity", Json.dec(changed.quantity()));
        return requestLegChanges(tx, caller.userId(), "modify", locked, changed, requested, previous(locked, requested),
          terms, accepted, account, open, plan, modificationId, now);
      });
    }));
  }

  /** No LP has to change anything (the order is unrouted, or only terms the service keeps changed): applied now. */
  private Future<Order> modifyInPlace(SqlConnection tx, Caller caller, Order order, Order changed, Modification change,
                                      OrderValidator.Accepted accepted, Account account, Instant now) {
    BigDecimal delta = accepted.reserveAmount().subtract(order.reservedAmount());
    int eventCount = delta.signum() != 0 ? 2 : 1;
    return (delta.signum() >= 0
        ? accounts.reserve(tx, order.accountId(), delta, eventCount, now)
        : accounts.release(tx, order.accountId(), delta.negate(), eventCount, now)).compose(res -> {
      if (res == null) return failed(OrderValidator.insufficientFunds(account.currency(), delta, account.available()));
      return orders.modify(tx, changed, order.version(), accepted.reserveAmount(), now).compose(updated -> {
        if (updated == null) return failed(versionMismatch(order));
        JsonObject requested = requested(change);
        JsonObject previous = previous(order, requested);
        List<Outbox.Event> events = new ArrayList<>();
        events.add(new Outbox.Event("order.modified", updated.toApiJson()));
        if (delta.signum() != 0) events.add(new Outbox.Event("balance.updated", balance(account, res)));
        JsonObject details = new JsonObject().put("requested", requested).put("previous", previous)
          .put("reserved", accepted.reserveAmount());
        return orders.insertModification(tx, order.id(), order.tenantId(), "modify", requested, previous, "applied",
            null, caller.userId(), now)
          .compose(v -> audit.append(tx, updated, AuditAction.MODIFIED, order.status(), updated.status(), details,
            caller.userId(), now))
          .compose(v -> outbox.append(tx, order.tenantId(), order.accountId(), res.lastSeq(), events, now))
          .map(updated);
      });
    });
  }

  /**
   * Which legs change, and how, for the order's new open quantity and price. Growth goes to the first leg;
   * a reduction comes off the last legs first, and a leg it empties is cancelled rather than replaced.
   */
  static List<LegChange> planLegChanges(Order order, BigDecimal newQuantity, BigDecimal newPrice, List<Leg> open,
                                        UUID modificationId, Instant now) {
    BigDecimal target = newQuantity.subtract(order.filledQuantity());
    BigDecimal[] remaining = new BigDecimal[open.size()];
    BigDecimal sum = BigDecimal.ZERO;
    for (int i = 0; i < open.size(); i++) {
      remaining[i] = open.get(i).remaining();
      sum = sum.add(remaining[i]);
    }
    if (!open.isEmpty() && target.compareTo(sum) >= 0) {
      remaining[0] = remaining[0].add(target.subtract(sum));
    } else {
      BigDecimal cut = sum.subtract(target);
      for (int i = open.size() - 1; i >= 0 && cut.signum() > 0; i--) {
        BigDecimal c = cut.min(remaining[i]);
        remaining[i] = remaining[i].subtract(c);
        cut = cut.subtract(c);
      }
    }
    List<LegChange> plan = new ArrayList<>();
    String stamp = Long.toString(now.toEpochMilli(), 36).toUpperCase();
    for (int i = 0; i < open.size(); i++) {
      Leg l = open.get(i);
      String base = l.clOrdId().replaceFirst("-[RC][0-9A-Z]+$", "");
      String suffix = stamp + i;
      boolean repriced = newPrice != null && l.price() != null && newPrice.compareTo(l.price()) != 0;
      if (remaining[i].signum() == 0) {
        plan.add(new LegChange(UUID.randomUUID(), modificationId, order.id(), l.id(), LegChange.Kind.CANCEL,
          base + "-C" + suffix, l.clOrdId(), l.filledQuantity(), l.price(), LegChange.Status.PENDING, null));
      } else if (remaining[i].compareTo(l.remaining()) != 0 || repriced) {
        plan.add(new LegChange(UUID.randomUUID(), modificationId, order.id(), l.id(), LegChange.Kind.REPLACE,
          base + "-R" + suffix, l.clOrdId(), l.filledQuantity().add(remaining[i]), repriced ? newPrice : l.price(),
          LegChange.Status.PENDING, null));
      }
    }
    return plan;
  }

  /**
   * Asks the LPs holding the order to change their legs: the order is pending_replace until they answer;
   * funds for a larger order are held now, funds freed by a smaller one only once the LPs confirmed it.
   */
  private Future<Order> requestLegChanges(SqlConnection tx, String actor, String kind, Order order, Order changed,
                                          JsonObject requested, JsonObject previous, JsonObject terms,
                                          OrderValidator.Accepted accepted, Account account,
                                          List<Leg> open, List<LegChange> plan, UUID modificationId, Instant now) {
    BigDecimal newReserve = accepted.reserveAmount();
    BigDecimal more = newReserve.subtract(order.reservedAmount()).max(BigDecimal.ZERO);
    int eventCount = more.signum() > 0 ? 2 : 1;
    return accounts.reserve(tx, order.accountId(), more, eventCount, now).compose(res -> {
      if (res == null) return failed(OrderValidator.insufficientFunds(account.currency(), more, account.available()));
      BigDecimal openNew = changed.quantity().subtract(order.filledQuantity());
      JsonObject funds = new JsonObject().put("kind", kind)
        .put("oldPerUnit", Json.dec(perUnit(order.reservedAmount(), order.remainingQuantity())))
        .put("newPerUnit", Json.dec(perUnit(newReserve, openNew))).put("terms", terms);
      Order pending = order.withState(OrderStatus.PENDING_REPLACE, order.filledQuantity(), order.averagePrice(),
        order.reservedAmount().add(more), order.rejectCode(), order.rejectReason());
      JsonArray legPlan = new JsonArray();
      Future<Void> chain = orders.insertModification(tx, modificationId, order.id(), order.tenantId(), kind,
        requested, previous, "requested", null, actor, funds, now);
      for (LegChange c : plan) {
        Leg l = open.stream().filter(x -> x.id().equals(c.legId())).findFirst().orElseThrow();
        legPlan.add(new JsonObject().put("lpId", l.lpId()).put("clOrdId", c.clOrdId()).put("origClOrdId", l.clOrdId())
          .put("kind", c.kind().name().toLowerCase()).put("quantity", c.quantity()).put("price", c.price()));
        Leg.Status waiting = c.kind() == LegChange.Kind.CANCEL ? Leg.Status.PENDING_CANCEL : Leg.Status.PENDING_REPLACE;
        chain = chain.compose(v -> changes.insert(tx, c, now))
          .compose(v -> legs.update(tx, l.withStatus(waiting), now).mapEmpty());
      }
      JsonObject details = new JsonObject().put("requested", requested).put("previous", previous).put("legs", legPlan);
      return chain.compose(v -> orders.saveState(tx, pending, now)).compose(saved -> {
        List<Outbox.Event> events = new ArrayList<>();
        events.add(new Outbox.Event("order.pending_replace", saved.toApiJson()));
        if (more.signum() > 0) events.add(new Outbox.Event("balance.updated", balance(account, res)));
        AuditAction action = "reprice".equals(kind) ? AuditAction.REPRICE_REQUESTED : AuditAction.MODIFY_REQUESTED;
        return audit.append(tx, saved, action, order.status(), OrderStatus.PENDING_REPLACE, details, actor, now)
          .compose(v -> outbox.append(tx, order.tenantId(), order.accountId(), res.lastSeq(), events, now))
          .map(saved);
      }).onSuccess(saved -> tx.transaction().completion()
        .onSuccess(x -> lifecycle.changeLegs(saved, open, plan)));
    });
  }

  private static BigDecimal perUnit(BigDecimal amount, BigDecimal quantity) {
    return quantity.signum() == 0 ? BigDecimal.ZERO
      : amount.divide(quantity, 12, java.math.RoundingMode.UP).stripTrailingZeros();
  }

  private static JsonObject requested(Modification change) {
    JsonObject requested = change.toJson();
    requested.fieldNames().removeIf(k -> requested.getValue(k) == null);
    return requested;
  }

  private static JsonObject previous(Order order, JsonObject requested) {
    JsonObject previous = new Modification(order.quantity(), order.price(), order.stopPrice(), order.pegOffset(),
      order.trailAmount(), order.expiryDate()).toJson();
    previous.fieldNames().removeIf(k -> !requested.containsKey(k));
    return previous;
  }

  // ------------------------------------------------------------------ held orders (trigger verticle)

  /**
   * Releases a held order to routing: in one transaction it is marked triggered (once: the row says so),
   * audited with the quote that fired it and announced ({@code order.triggered}); after the commit it is
   * routed as what it has become (a market order, or a limit at its price or peg price).
   */
  public Future<Void> fire(UUID orderId, BigDecimal pegPrice, BigDecimal bid, BigDecimal ask) {
    Instant now = clock.instant();
    return Database.transaction(pool, tx -> orders.lock(tx, orderId).compose(o -> {
      if (o == null || o.status() != OrderStatus.PENDING || o.triggeredAt() != null) return Future.<Order>succeededFuture();
      return orders.markTriggered(tx, orderId, pegPrice, now).compose(t -> t == null ? Future.<Order>succeededFuture()
        : accounts.release(tx, t.accountId(), BigDecimal.ZERO, 1, now).compose(res -> {
          JsonObject details = new JsonObject().put("bid", bid).put("ask", ask).put("stopPrice", t.stopPrice())
            .put("pegPrice", t.pegPrice()).put("releasedAs", t.released().orderType().wire());
          return audit.append(tx, t, AuditAction.TRIGGERED, o.status(), t.status(), details, "system", now)
            .compose(v -> outbox.append(tx, t.tenantId(), t.accountId(), res.lastSeq(),
              List.of(new Outbox.Event("order.triggered", t.toApiJson())), now))
            .map(t);
        }));
    })).onSuccess(t -> {
      if (t != null) lifecycle.place(t, java.util.Set.of(), t.remainingQuantity(), null);
    }).mapEmpty();
  }

  /** A trailing stop's level follows the market: only ever in the order's favour, never back. */
  public Future<Void> moveStop(UUID orderId, BigDecimal stop, BigDecimal bid, BigDecimal ask) {
    Instant now = clock.instant();
    return Database.transaction(pool, tx -> orders.lock(tx, orderId).compose(o -> {
      if (o == null || o.orderType() != OrderType.TRAILING_STOP || o.status() != OrderStatus.PENDING
        || o.triggeredAt() != null) return Future.<Void>succeededFuture();
      boolean buy = o.side() == Side.BUY;
      if (o.stopPrice() != null && (buy ? stop.compareTo(o.stopPrice()) >= 0 : stop.compareTo(o.stopPrice()) <= 0)) {
        return Future.<Void>succeededFuture();
      }
      return orders.modify(tx, o.withLevels(null, stop), o.version(), o.reservedAmount(), now)
        .compose(u -> accounts.release(tx, u.accountId(), BigDecimal.ZERO, 1, now).compose(res -> {
          JsonObject details = new JsonObject().put("field", "stopPrice").put("from", o.stopPrice()).put("to", stop)
            .put("bid", bid).put("ask", ask);
          return audit.append(tx, u, AuditAction.REPRICED, o.status(), u.status(), details, "system", now)
            .compose(v -> outbox.append(tx, u.tenantId(), u.accountId(), res.lastSeq(),
              List.of(new Outbox.Event("order.repriced", u.toApiJson())), now));
        }));
    }));
  }

  /**
   * A working pegged order follows the market: its legs are cancel/replaced at the new price, the same way
   * as a client's modification (funds checked, one change in flight at a time), recorded as a reprice.
   * An order busy with another change, or not working, is left for the next quote.
   */
  public Future<Void> reprice(UUID orderId, BigDecimal pegPrice, BigDecimal bid, BigDecimal ask) {
    return orders.byId(pool, orderId).compose(order -> {
      if (order == null || order.orderType() != OrderType.PEGGED || order.pegPrice() == null
        || (order.status() != OrderStatus.WORKING && order.status() != OrderStatus.PARTIAL_FILL)
        || pegPrice.compareTo(order.pegPrice()) == 0) return Future.<Order>succeededFuture();
      Order changed = order.withLevels(pegPrice, null);
      return accounts.findVisible(systemView(order.tenantId()), order.accountId()).compose(account ->
        // checked as the limit order the LPs will work at the new price
        validateStillOpen(order, changed.released(), account).compose(accepted -> {
          Instant now = clock.instant();
          return Database.transaction(pool, tx -> orders.lock(tx, orderId).compose(locked -> {
            if (locked.version() != order.version()) return Future.<Order>succeededFuture(); // changed: next quote
            return legs.byOrder(tx, orderId).compose(all -> {
              List<Leg> open = all.stream().filter(l -> l.status().open()).toList();
              if (open.isEmpty() || !allAcknowledged(open)) return Future.<Order>succeededFuture();
              UUID modificationId = UUID.randomUUID();
              List<LegChange> plan = planLegChanges(locked, locked.quantity(), pegPrice, open, modificationId, now);
              if (plan.isEmpty()) return Future.<Order>succeededFuture();
              JsonObject requested = new JsonObject().put("pegPrice", Json.dec(pegPrice)).put("bid", Json.dec(bid))
                .put("ask", Json.dec(ask));
              JsonObject previous = new JsonObject().put("pegPrice", Json.dec(locked.pegPrice()));
              JsonObject terms = new JsonObject().put("quantity", Json.dec(locked.quantity()));
              return requestLegChanges(tx, "system", "reprice", locked, changed, requested, previous, terms, accepted,
                account, open, plan, modificationId, now);
            });
          }));
        }));
    }).recover(e -> {
      // not enough funds at the new price, say: the order keeps working where it is
      if (e instanceof ProblemException pe) {
        log.info("Pegged order {} not re-priced: {}", orderId, pe.problem().detail());
        return Future.succeededFuture();
      }
      return Future.failedFuture(e);
    }).mapEmpty();
  }

  private static Problem versionMismatch(Order current) {
    return Problem.of(ErrorCode.VERSION_MISMATCH, "Order " + current.orderRef() + " is at version " + current.version()
      + "; fetch it again and retry").with("currentVersion", current.version());
  }

  /**
   * Traders change orders of the accounts they own, even when another role (compliance) lets them see
   * more; admins may change any order of their tenant. Viewers and compliance only read.
   */
  private Future<Void> mayChange(Caller caller, Order order) {
    if (caller.has(Role.ADMIN)) return Future.succeededFuture();
    Problem denied = Problem.of(ErrorCode.FORBIDDEN, "Only the account's owner (trader) or an admin may change order "
      + order.orderRef());
    if (!caller.has(Role.TRADER)) return failed(denied);
    if (!caller.seesWholeTenant()) return Future.succeededFuture(); // visible to a plain trader means owned
    return accounts.findVisible(caller, order.accountId()).compose(a ->
      a != null && a.ownerId().equals(caller.userId()) ? Future.succeededFuture() : failed(denied));
  }

  private static JsonObject balance(Account account, AccountRepository.Reservation res) {
    return new JsonObject().put("clientId", account.id().toString()).put("currency", account.currency())
      .put("balance", res.balance()).put("reserved", res.reserved()).put("available", res.available());
  }

  /** A view of one whole tenant, for reading an account the command has already been allowed to touch. */
  private static Caller systemView(String tenant) {
    return new Caller(tenant, "system", java.util.Set.of(Role.ADMIN));
  }



  private static <T> Future<T> failed(Problem p) {
    return Future.failedFuture(new ProblemException(p));
  }
}
