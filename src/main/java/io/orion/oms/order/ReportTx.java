package io.orion.oms.order;

import io.orion.oms.account.AccountRepository;
import io.orion.oms.account.Position;
import io.orion.oms.lp.ExecutionReport;
import io.vertx.core.Future;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * One transaction of {@link ExecutionApplier}: its connection and what it keeps in memory until its end.
 *
 * <p>A batch ({@link #batch}) has locked and read, before its first report, every row its usual reports need:
 * orders, their legs by current ClOrdID, positions by account and instrument, and accounts. A usual report (an
 * acknowledgement or a fill for a leg's current ClOrdID) is applied from those rows and only writes; any other
 * report reads what it needs itself, and the rows it may have changed are dropped here ({@link #dropped}), to be
 * read again by the next report that needs them. The batch settles its accounts in memory and collects its audit
 * and outbox rows; {@link #flush} writes them at its end, one statement each, so a report costs no statement for
 * them and no wait for their answers.
 *
 * <p>Outside a batch ({@link #direct}: a cancel or an expiry finished in another writer's transaction) nothing is
 * kept: every change is written at once.
 */
final class ReportTx {
  final SqlConnection conn;
  final Map<UUID, Order> orders = new HashMap<>();
  final Map<String, Leg> legs = new HashMap<>();
  final Map<String, Position> positions = new HashMap<>();
  private final boolean batch;
  /** LP + ExecID of the reports this transaction recorded first (claimed one by one). */
  private final Set<String> fresh;
  private final Map<UUID, AccountRepository.Balance> accounts = new HashMap<>();
  private final List<Tuple> auditRows = new ArrayList<>();
  private final List<Tuple> eventRows = new ArrayList<>();

  private ReportTx(SqlConnection conn, boolean batch, Set<String> fresh) {
    this.conn = conn;
    this.batch = batch;
    this.fresh = fresh;
  }

  /** A batch whose first statement recorded {@code fresh} reports (their {@link LegRepository#reportId}s). */
  static ReportTx batch(SqlConnection conn, Set<String> fresh) {
    return new ReportTx(conn, true, fresh);
  }

  static ReportTx direct(SqlConnection conn) {
    return new ReportTx(conn, false, java.util.Collections.emptySet()); // claims nothing; removing is a no-op
  }

  static String positionKey(UUID accountId, String instrumentId) {
    return accountId + "/" + instrumentId;
  }

  /** An account locked by this batch, as it stands; settled here from now on. */
  void locked(AccountRepository.Balance account) {
    accounts.put(account.id(), account);
  }

  /** True once per report first recorded by this transaction; false for a duplicate (or its second copy). */
  boolean claim(ExecutionReport r) {
    return fresh.remove(LegRepository.reportId(r.lpId(), r.execId()));
  }

  /** After a report applied from the rows here: an acknowledgement's or fill's result is the rows' new state. */
  ExecutionApplier.Applied kept(ExecutionApplier.Applied a) {
    if (a.order() != null) {
      orders.put(a.order().id(), a.order());
      legs.put(a.leg().clOrdId(), a.leg());
    }
    return a;
  }

  /** After any other report: what it may have changed is read again when needed. */
  ExecutionApplier.Applied dropped(ExecutionApplier.Applied a) {
    Order o = a.order();
    if (o != null) {
      orders.remove(o.id());
      legs.values().removeIf(l -> l.orderId().equals(o.id()));
      positions.remove(positionKey(o.accountId(), o.instrumentId()));
    }
    return a;
  }

  /**
   * Cash in or out of the account, funds released, {@code events} seqs taken: in memory for an account this batch
   * locked, else written at once.
   */
  Future<AccountRepository.Reservation> settle(AccountRepository repo, UUID accountId, BigDecimal cash,
                                               BigDecimal release, int events, Instant now) {
    AccountRepository.Balance held = batch ? accounts.get(accountId) : null;
    if (held == null) return repo.settle(conn, accountId, cash, release, events, now);
    AccountRepository.Balance after = held.settled(cash, release, events);
    accounts.put(accountId, after);
    return Future.succeededFuture(new AccountRepository.Reservation(after.balance(), after.reserved(), after.eventSeq()));
  }

  /** Audit and outbox rows of a change: kept for {@link #flush} in a batch (in this order), else written at once. */
  Future<Void> record(ChangeRecord record, List<Tuple> audit, List<Tuple> events) {
    if (!batch) return record.write(conn, audit, events);
    auditRows.addAll(audit);
    eventRows.addAll(events);
    return Future.succeededFuture();
  }

  /** A batch's end: the accounts it settled and the rows it kept, written together (after every report). */
  Future<Void> flush(AccountRepository repo, ChangeRecord record, Instant now) {
    List<AccountRepository.Balance> settled = new ArrayList<>(accounts.size());
    for (AccountRepository.Balance b : accounts.values()) if (b.changes() > 0) settled.add(b);
    Future<Void> saved = repo.saveBalances(conn, settled, now);
    Future<Void> written = record.write(conn, auditRows, eventRows);
    return Future.join(saved, written).mapEmpty();
  }
}
