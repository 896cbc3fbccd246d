package io.orion.oms.order;

import io.orion.oms.account.Account;
import io.orion.oms.account.AccountRepository;
import io.orion.oms.auth.Caller;
import io.orion.oms.common.ProblemException;
import io.orion.oms.events.Outbox;
import io.orion.oms.infra.Database;
import io.orion.oms.validation.OrderValidator;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;

/**
 * Group commit of accepted submissions. A durable commit (fsync) costs far more than the few rows of one
 * order, so the submissions that arrive while earlier batches are being written wait in a queue and are then
 * written together: <b>one transaction, one commit, and one round trip per kind of statement</b> for the whole
 * batch: the order inserts (one statement) and the account reservations (an {@code executeBatch}), then the
 * audit and outbox rows ({@link ChangeRecord}), the legs and the routing decisions of market and limit orders
 * routed just before they were queued (each one statement for the whole batch). Each caller is answered only after the commit that holds its
 * order, so a 201 still means durable. Nothing waits for a timer: an idle service writes a lone order at once;
 * under load the batches grow by themselves (up to {@link #MAX_BATCH}) while at most {@link #MAX_IN_FLIGHT} are
 * being written.
 *
 * <p>Every order keeps the outcome it would have alone:
 * <ul>
 *   <li>a clientOrderId the account already holds (or that an earlier order of the same batch took) inserts
 *   nothing; the existing order is the answer ({@code created: false});</li>
 *   <li>funds short under the account row lock: the order row inserted earlier in the same uncommitted
 *   transaction is deleted, and that caller alone gets {@code INSUFFICIENT_FUNDS} with the true figure;</li>
 *   <li>a database error rolls the batch back, and its orders are then written one transaction each (the
 *   single path of {@link OrderCommands}), so one bad order fails only itself.</li>
 * </ul>
 * Reservations are applied sorted by account id ({@link AccountRepository#LOCK_ORDER}): concurrent batches, and
 * batches of execution reports, take account row locks in the same order and cannot deadlock one another. Orders of accounts with a position limit do not come here: that
 * limit is re-checked under the row lock with reads the batch does not do.
 *
 * <p>Runs on the order verticle's event loop only (no locking).
 */
final class SubmitBatcher {
  /** Orders per transaction at most. */
  static final int MAX_BATCH = 128;
  /**
   * Batches being written at once (each holds one pooled connection until its commit). One: batches in flight
   * together wait for each other's account rows, and more of them means smaller ones; the next batch gathers while
   * one is written. With 4, and then 2, 64 busy connections got 22%, then 12%, fewer orders through
   * (docs/benchmarks.md).
   */
  static final int MAX_IN_FLIGHT = 1;

  /** An accepted submission waiting for its commit. */
  record Pending(Caller caller, NewOrder req, Account account, OrderValidator.Accepted accepted,
                 JsonObject routed, Promise<OrderCommands.Submitted> done) {}

  private final Pool pool;
  private final OrderRepository orders;
  private final AccountRepository accounts;
  private final LegRepository legs;
  private final ChangeRecord record = new ChangeRecord();
  private final Clock clock;
  /** The one-order transaction, for the fallback after a failed batch. */
  private final Function<Pending, Future<OrderCommands.Submitted>> single;
  private final ArrayDeque<Pending> queue = new ArrayDeque<>();
  private int inFlight;

  SubmitBatcher(Pool pool, OrderRepository orders, AccountRepository accounts, LegRepository legs, Clock clock,
                Function<Pending, Future<OrderCommands.Submitted>> single) {
    this.pool = pool;
    this.orders = orders;
    this.accounts = accounts;
    this.legs = legs;
    this.clock = clock;
    this.single = single;
  }

  /** {@code routed}: the routing decision taken before the write, whose legs commit with the order; or null. */
  Future<OrderCommands.Submitted> submit(Caller caller, NewOrder req, Account account, OrderValidator.Accepted accepted,
                                         JsonObject routed) {
    Promise<OrderCommands.Submitted> done = Promise.promise();
    queue.add(new Pending(caller, req, account, accepted, routed, done));
    drain();
    return done.future();
  }

  private void drain() {
    while (inFlight < MAX_IN_FLIGHT && !queue.isEmpty()) {
      List<Pending> batch = new ArrayList<>(Math.min(queue.size(), MAX_BATCH));
      while (batch.size() < MAX_BATCH && !queue.isEmpty()) batch.add(queue.poll());
      inFlight++;
      write(batch).onComplete(ar -> {
        inFlight--;
        drain();
      });
    }
  }

  /** One order of a batch as it goes through the stages. */
  private static final class Slot {
    final Pending p;
    final UUID id = UUID.randomUUID();
    Order order;                              // inserted row; null: its clientOrderId was taken
    AccountRepository.Reservation reservation; // null: funds short
    OrderCommands.Submitted result;
    List<Leg> legs;                           // legs of the decision taken before the write, if any
    Throwable failure;

    Slot(Pending p) {
      this.p = p;
    }
  }

  private Future<Void> write(List<Pending> batch) {
    Instant now = clock.instant();
    List<Slot> slots = new ArrayList<>(batch.size());
    for (Pending p : batch) slots.add(new Slot(p));
    return Database.transactionUnlockedBeforeFlush(pool, (tx, end) -> stages(tx, slots, now, end))
      .onSuccess(v -> {
        for (Slot s : slots) {
          if (s.failure != null) s.p.done().fail(s.failure);
          else if (s.legs != null) s.p.done().complete(new OrderCommands.Submitted(s.order, true, s.legs));
          else s.p.done().complete(s.result);
        }
      })
      .recover(err -> {
        if (err instanceof PgException) {
          // rolled back by the server: nothing of the batch is written; each order on its own, so that only
          // the one at fault fails
          for (Slot s : slots) single.apply(s.p).onComplete(s.p.done());
        } else {
          // connection lost or the like: the commit's outcome is unknown, so nothing is written twice
          for (Slot s : slots) s.p.done().fail(err);
        }
        return Future.succeededFuture();
      });
  }

  /**
   * A second order of the batch with the clientOrderId of one that could not be funded was answered with that
   * (now deleted) order: alone, it would have been tried after the first rolled back, needing the same funds.
   */
  private static void sameClientOrderIdAsShort(List<Slot> slots, List<UUID> shortIds) {
    if (shortIds.isEmpty()) return;
    for (Slot s : slots) {
      if (s.order != null || s.result == null || !shortIds.contains(s.result.order().id())) continue;
      UUID taken = s.result.order().id();
      s.result = null;
      for (Slot o : slots) {
        if (o.id.equals(taken)) s.failure = o.failure;
      }
    }
  }

  /** {@code end}: queues the commit; called right behind the last statements ({@link Database#transactionUnlockedBeforeFlush}). */
  private Future<Void> stages(SqlConnection tx, List<Slot> slots, Instant now, Runnable end) {
    List<Tuple> rows = new ArrayList<>(slots.size());
    for (Slot s : slots) {
      rows.add(OrderRepository.insertRow(s.id, s.p.caller().tenant(), s.p.caller().userId(), s.p.req(),
        s.p.accepted().reserveAmount(), now));
    }
    // 1. the orders (an entry comes back null where the clientOrderId is taken)
    return orders.insertBatch(tx, rows).compose(inserted -> {
      List<Future<?>> existing = new ArrayList<>();
      for (int i = 0; i < slots.size(); i++) {
        Slot s = slots.get(i);
        s.order = inserted.get(i);
        if (s.order == null) {
          existing.add(orders.findByClientOrderId(tx, s.p.req().accountId(), s.p.req().clientOrderId())
            .onSuccess(o -> s.result = new OrderCommands.Submitted(o, false)));
        }
      }
      return Future.all(existing);
    }).compose(v -> {
      // 2. the reservations, sorted by account (lock order), each taking its events' seqs
      List<Slot> placed = slots.stream().filter(s -> s.order != null)
        .sorted(Comparator.comparing((Slot s) -> s.order.accountId(), AccountRepository.LOCK_ORDER)).toList();
      List<Tuple> reserve = new ArrayList<>(placed.size());
      for (Slot s : placed) {
        reserve.add(AccountRepository.reserveRow(s.order.accountId(), s.p.accepted().reserveAmount(),
          OrderCommands.acceptedEventCount(s.p.accepted()), now));
      }
      if (placed.isEmpty()) return Future.succeededFuture();
      return accounts.reserveBatch(tx, reserve).compose(res -> {
        List<UUID> short_ = new ArrayList<>();
        List<Future<?>> figures = new ArrayList<>();
        List<Tuple> auditRows = new ArrayList<>();
        List<Tuple> eventRows = new ArrayList<>();
        List<Leg> placedLegs = new ArrayList<>();
        List<String> legTenants = new ArrayList<>();
        List<Tuple> decisions = new ArrayList<>();
        for (int i = 0; i < placed.size(); i++) {
          Slot s = placed.get(i);
          s.reservation = res.get(i);
          if (s.reservation == null) {
            short_.add(s.id);
            Account a = s.p.account();
            figures.add(accounts.byId(tx, a.id()).onSuccess(fresh -> s.failure = new ProblemException(
              OrderValidator.insufficientFunds(a.currency(), s.p.accepted().reserveAmount(), fresh.available()))));
            continue;
          }
          auditRows.addAll(OrderCommands.acceptedAudit(s.order, s.p.accepted(), now));
          if (s.p.routed() != null) {
            // the legs, the decision and the ROUTED and SENT entries of the decision taken before the write
            JsonObject decision = s.p.routed().getJsonObject("decision");
            JsonArray allocations = OrderLifecycle.withRestingRemainder(s.order.released(), decision,
              s.p.routed().getJsonArray("allocations"));
            OrderLifecycle.Placement placement = OrderLifecycle.place(s.order, 0, decision, allocations, auditRows, now);
            s.legs = placement.legs();
            placedLegs.addAll(s.legs);
            for (int k = 0; k < s.legs.size(); k++) legTenants.add(s.order.tenantId());
            decisions.add(placement.decision());
          }
          eventRows.addAll(Outbox.rows(s.order.tenantId(), s.order.accountId(), s.reservation.lastSeq(),
            OrderCommands.acceptedEvents(s.order, s.p.account(), s.p.accepted(), s.reservation), now));
          s.result = new OrderCommands.Submitted(s.order, true);
        }
        // 3. what could not be funded goes; 4. audit and outbox (in the order the seqs were taken), legs, routing
        // decisions: three statements for the whole batch, in one flight with the commit
        return orders.deleteUncommitted(tx, short_)
          .compose(x -> Future.all(figures))
          .onSuccess(x -> sameClientOrderIdAsShort(slots, short_))
          .compose(x -> {
            Future<?> written = Future.join(record.write(tx, auditRows, eventRows),
              legs.insertAll(tx, placedLegs, legTenants, now), legs.insertDecisions(tx, decisions, now));
            end.run();
            return written;
          });
      });
    }).mapEmpty();
  }
}
