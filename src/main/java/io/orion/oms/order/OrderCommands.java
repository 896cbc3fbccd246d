package io.orion.oms.order;

import io.orion.oms.account.Account;
import io.orion.oms.account.AccountRepository;
import io.orion.oms.auth.Caller;
import io.orion.oms.auth.Role;
import io.orion.oms.common.BusResult;
import io.orion.oms.common.Decimals;
import io.orion.oms.common.ErrorCode;
import io.orion.oms.common.Problem;
import io.orion.oms.common.ProblemException;
import io.orion.oms.events.Outbox;
import io.orion.oms.validation.OrderValidator;
import io.orion.oms.validation.ValidationVerticle;
import io.vertx.core.Future;
import io.vertx.core.eventbus.EventBus;
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
  private final EventBus bus;
  private final Pool pool;
  private final OrderRepository orders;
  private final AccountRepository accounts;
  private final AuditLog audit = new AuditLog();
  private final Outbox outbox = new Outbox();
  private final Clock clock;

  public OrderCommands(EventBus bus, Pool pool, OrderRepository orders, AccountRepository accounts, Clock clock) {
    this.bus = bus;
    this.pool = pool;
    this.orders = orders;
    this.accounts = accounts;
    this.clock = clock;
  }

  /** The order just submitted and whether it is new (false: the clientOrderId was already used). */
  public record Submitted(Order order, boolean created) {}

  public Future<Submitted> submit(Caller caller, NewOrder req) {
    return tradableAccount(caller, req.accountId())
      .compose(account -> existingByClientOrderId(req)
        .compose(existing -> existing != null
          ? Future.succeededFuture(new Submitted(existing, false))
          : validate(req, account).compose(accepted -> insert(caller, req, account, accepted))));
  }

  /** Only the owner, holding the trader role, trades an account; others get 404 (not visible) or 403. */
  private Future<Account> tradableAccount(Caller caller, UUID accountId) {
    return accounts.findVisible(caller, accountId).compose(account -> {
      if (account == null) {
        return failed(Problem.of(ErrorCode.ACCOUNT_NOT_FOUND, "No account " + accountId));
      }
      if (!caller.has(Role.TRADER) || !account.ownerId().equals(caller.userId())) {
        return failed(Problem.of(ErrorCode.FORBIDDEN, "Only the account's owner with the trader role may trade it"));
      }
      return Future.succeededFuture(account);
    });
  }

  private Future<Order> existingByClientOrderId(NewOrder req) {
    return req.clientOrderId() == null ? Future.succeededFuture()
      : orders.findByClientOrderId(pool, req.accountId(), req.clientOrderId());
  }

  private Future<OrderValidator.Accepted> validate(NewOrder req, Account account) {
    JsonObject body = new JsonObject().put("order", req.toBusJson()).put("account", account.toBusJson());
    return bus.<JsonObject>request(ValidationVerticle.CHECK, body)
      .compose(reply -> BusResult.unwrap(reply.body()))
      .map(v -> new OrderValidator.Accepted(Decimals.parse(v.getValue("notional")),
        Decimals.parse(v.getValue("reserveAmount"))));
  }

  private Future<Submitted> insert(Caller caller, NewOrder req, Account account, OrderValidator.Accepted accepted) {
    Instant now = clock.instant();
    UUID id = UUID.randomUUID();
    return pool.withTransaction(tx -> orders.insert(tx, id, caller.tenant(), caller.userId(), req, now)
      .compose(inserted -> inserted == null
        // lost a race on the same clientOrderId: the winner's order is the answer
        ? orders.findByClientOrderId(tx, req.accountId(), req.clientOrderId()).map(o -> new Submitted(o, false))
        : holdFunds(tx, inserted, account, accepted, now).map(o -> new Submitted(o, true))));
  }

  private Future<Order> holdFunds(SqlConnection tx, Order order, Account account, OrderValidator.Accepted accepted,
                                  Instant now) {
    BigDecimal amount = accepted.reserveAmount();
    List<Outbox.Event> events = new ArrayList<>();
    int eventCount = amount.signum() > 0 ? 2 : 1;
    return accounts.reserve(tx, order.accountId(), amount, eventCount, now).compose(res -> {
      if (res == null) {
        // funds moved since validation: the row lock now gives the true figure
        return accounts.findVisible(systemView(account), account.id()).compose(fresh ->
          failed(OrderValidator.insufficientFunds(account.currency(), amount, fresh.available())));
      }
      Future<Order> stored = amount.signum() > 0 ? orders.setReserved(tx, order, amount) : Future.succeededFuture(order);
      return stored.compose(o -> {
        events.add(new Outbox.Event("order.created", o.toApiJson()));
        if (amount.signum() > 0) events.add(new Outbox.Event("balance.updated", balance(account, res)));
        JsonObject details = new JsonObject().put("notional", accepted.notional()).put("reserved", amount);
        return audit.append(tx, o, "order.created", null, OrderStatus.PENDING, details, o.submittedBy(), now)
          .compose(v -> outbox.append(tx, o.tenantId(), o.accountId(), res.lastSeq(), events, now))
          .map(o);
      });
    });
  }

  /**
   * Cancels an order that no LP holds yet (status pending): the held funds are released at once. Orders
   * already at an LP are cancelled through the LP by the lifecycle (pending_cancel until it answers).
   */
  public Future<Order> cancel(Caller caller, UUID orderId, String reason) {
    Instant now = clock.instant();
    return pool.withTransaction(tx -> orders.lockVisible(tx, caller, orderId).compose(order -> {
      if (order == null) return failed(Problem.of(ErrorCode.ORDER_NOT_FOUND, "No order " + orderId));
      Problem denied = mayChange(caller, order);
      if (denied != null) return failed(denied);
      if (order.status() != OrderStatus.PENDING) {
        return failed(Problem.of(ErrorCode.ORDER_NOT_CANCELLABLE, "Order " + order.orderRef() + " is "
          + order.status().wire() + " and cannot be cancelled").with("status", order.status().wire()));
      }
      BigDecimal held = order.reservedAmount();
      int eventCount = held.signum() > 0 ? 2 : 1;
      JsonObject requested = new JsonObject().put("reason", reason);
      return accounts.release(tx, order.accountId(), held, eventCount, now)
        .compose(res -> orders.setStatus(tx, orderId, OrderStatus.CANCELLED, BigDecimal.ZERO, now)
          .compose(cancelled -> {
            List<Outbox.Event> events = new ArrayList<>();
            events.add(new Outbox.Event("order.cancelled", cancelled.toApiJson().put("reason", reason)));
            if (held.signum() > 0) {
              events.add(new Outbox.Event("balance.updated", new JsonObject().put("clientId", order.accountId().toString())
                .put("balance", res.balance()).put("reserved", res.reserved()).put("available", res.available())));
            }
            return orders.insertModification(tx, orderId, order.tenantId(), "cancel", requested, new JsonObject()
                .put("status", order.status().wire()), "applied", reason, caller.userId(), now)
              .compose(v -> audit.append(tx, cancelled, "order.cancelled", order.status(), OrderStatus.CANCELLED,
                requested.copy().put("released", held), caller.userId(), now))
              .compose(v -> outbox.append(tx, order.tenantId(), order.accountId(), res.lastSeq(), events, now))
              .map(cancelled);
          }));
    }));
  }

  /**
   * Traders change orders of the accounts they own (an order is only visible to a trader if it owns the
   * account); admins may cancel any order of their tenant. Viewers and compliance only read.
   */
  private static Problem mayChange(Caller caller, Order order) {
    if (caller.has(Role.ADMIN) || caller.has(Role.TRADER)) return null;
    return Problem.of(ErrorCode.FORBIDDEN, "Your role may not change order " + order.orderRef());
  }

  private static JsonObject balance(Account account, AccountRepository.Reservation res) {
    return new JsonObject().put("clientId", account.id().toString()).put("currency", account.currency())
      .put("balance", res.balance()).put("reserved", res.reserved()).put("available", res.available());
  }

  /** A view that sees the account's own tenant, for re-reading it after a lost reservation race. */
  private static Caller systemView(Account account) {
    return new Caller(account.tenantId(), account.ownerId(), java.util.Set.of(Role.ADMIN));
  }

  private static <T> Future<T> failed(Problem p) {
    return Future.failedFuture(new ProblemException(p));
  }
}
