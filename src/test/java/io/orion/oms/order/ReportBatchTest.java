package io.orion.oms.order;

import io.orion.oms.account.Account;
import io.orion.oms.account.AccountRepository;
import io.orion.oms.lp.ExecutionReport;
import io.orion.oms.support.Await;
import io.orion.oms.support.TestServices;
import io.vertx.core.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Execution reports of many orders at once. In one transaction ({@link ExecutionApplier#applyOrders},
 * {@link ReportBatcher}): they commit together, each as it would alone; the rows are locked in the global order
 * (orders, legs, positions, accounts) before any report is applied; a report after one that changed the rows
 * itself sees its changes; a report that fails fails alone. In concurrent
 * transactions: the first fills of one position both count.
 */
class ReportBatchTest {
  static final String EURUSD = "EURUSD";
  static final String GBPUSD = "GBPUSD";
  static final BigDecimal PX = new BigDecimal("1.08500");
  static final BigDecimal LIMIT = new BigDecimal("1.30000");

  static ApplierDatabase db;

  @BeforeAll
  static void database() throws Exception {
    db = ApplierDatabase.open(8);
  }

  @AfterAll
  static void close() throws Exception {
    if (db != null) db.close();
  }

  @Test
  void fillsOfSeveralOrdersAndAccountsCommitTogetherEachAsAlone() throws Exception {
    Instant now = Instant.now();
    String tenant = "t-" + UUID.randomUUID();
    Account a = account(tenant), b = account(tenant), c = account(tenant);
    String a1 = db.placedLeg(a, tenant, EURUSD, new BigDecimal("1000"), LIMIT, true, now);
    String a2 = db.placedLeg(a, tenant, EURUSD, new BigDecimal("2000"), LIMIT, true, now);
    String b1 = db.placedLeg(b, tenant, GBPUSD, new BigDecimal("500"), LIMIT, false, now);
    String c1 = db.placedLeg(c, tenant, EURUSD, new BigDecimal("700"), LIMIT, true, now);
    ExecutionReport ack = new ExecutionReport("lp-a", "N-" + c1, c1, null, "LP-" + c1, ExecutionReport.Kind.NEW,
      ExecutionReport.LpOrderStatus.NEW, EURUSD, Side.BUY, null, null, null, null, null, null, null, false);

    List<List<ExecutionApplier.Applied>> applied = ApplierDatabase.await(db.applier.applyOrders(() -> List.of(
      List.of(trade(a1, "1000")), List.of(trade(b1, "500")), List.of(trade(a2, "2000")),
      List.of(ack, trade(c1, "700")))));

    assertThat(applied).hasSize(4);
    assertThat(applied.get(3)).hasSize(2);
    assertThat(applied.get(3).get(0).order().status()).isEqualTo(OrderStatus.WORKING);
    for (List<ExecutionApplier.Applied> group : applied) {
      assertThat(group.get(group.size() - 1).order().status()).isEqualTo(OrderStatus.FILLED);
    }
    assertThat(db.scalar("SELECT count(DISTINCT xmin::text) FROM fills WHERE account_id IN (?, ?, ?)", a.id(), b.id(),
      c.id())).as("transactions that wrote the four fills").isEqualByComparingTo("1");
    assertThat(db.scalar("SELECT quantity FROM positions WHERE account_id = ? AND instrument_id = ?", a.id(), EURUSD))
      .as("both fills of one position count").isEqualByComparingTo("3000");
    assertThat(db.scalar("SELECT balance FROM accounts WHERE id = ?", a.id()))
      .isEqualByComparingTo(new BigDecimal("1000000.00").subtract(PX.multiply(new BigDecimal("3000"))));
    assertThat(db.scalar("SELECT balance FROM accounts WHERE id = ?", b.id()))
      .isEqualByComparingTo(new BigDecimal("1000000.00").subtract(PX.multiply(new BigDecimal("500"))));
    assertThat(db.scalar("SELECT count(*) FROM events WHERE account_id = ? AND event_type = 'order.working'", c.id()))
      .isEqualByComparingTo("1");
    // each account's event seqs stay gapless and unique, however the accounts' reports interleaved
    assertThat(db.scalar("SELECT max(seq) - min(seq) + 1 - count(DISTINCT seq) FROM events WHERE account_id = ?", a.id()))
      .isEqualByComparingTo("0");
    // each balance event shows the balance after its own fill
    String balanceEvent = "SELECT (payload->>'balance')::numeric FROM events WHERE account_id = ?"
      + " AND event_type = 'balance.updated' ORDER BY seq OFFSET ? LIMIT 1";
    assertThat(db.scalar(balanceEvent, a.id(), 0)).isEqualByComparingTo("998915.00");
    assertThat(db.scalar(balanceEvent, a.id(), 1)).isEqualByComparingTo("996745.00");
    // the account keeps its last seq given (the next transaction's seqs follow on) and was settled twice
    assertThat(db.scalar("SELECT event_seq FROM accounts WHERE id = ?", a.id()))
      .isEqualByComparingTo(db.scalar("SELECT max(seq) FROM events WHERE account_id = ?", a.id()));
    assertThat(db.scalar("SELECT version FROM accounts WHERE id = ?", a.id()))
      .isEqualByComparingTo(db.scalar("SELECT version + 0 FROM accounts WHERE id = ?", b.id()).add(BigDecimal.ONE));
    // an order's audit entries in the order they happened, however the transaction wrote them
    assertThat(db.scalar("SELECT count(*) FROM (SELECT event_type, row_number() OVER (ORDER BY id) AS n"
      + " FROM execution_logs WHERE account_id = ?) x WHERE (n = 1 AND event_type = 'ACKNOWLEDGED')"
      + " OR (n = 2 AND event_type = 'FILLED')", c.id())).isEqualByComparingTo("2");
  }

  @Test
  void ordersLegsPositionsThenAccountsInLockOrderAreLockedBeforeAnyReport() throws Exception {
    Instant now = Instant.now();
    String tenant = "t-" + UUID.randomUUID();
    Account x = account(tenant), y = account(tenant);
    Account low = AccountRepository.LOCK_ORDER.compare(x.id(), y.id()) < 0 ? x : y;
    Account high = low == x ? y : x;
    String lowLeg = db.placedLeg(low, tenant, EURUSD, new BigDecimal("100"), LIMIT, false, now);
    String highLeg = db.placedLeg(high, tenant, EURUSD, new BigDecimal("200"), LIMIT, true, now);

    // the high account's position exists already (a new one's row, uncommitted, would be invisible to the probe)
    execute(db.jdbc, "INSERT INTO positions (account_id, instrument_id, tenant_id, quantity, realized_pnl, version,"
      + " updated_at) VALUES (?, ?, ?, 0, 0, 0, now())", high.id(), EURUSD, tenant);
    try (Connection holder = TestServices.jdbc(db.url); Connection probe = TestServices.jdbc(db.url)) {
      holder.setAutoCommit(false);
      // as a writer holds it (an update of its balance)
      execute(holder, "SELECT 1 FROM accounts WHERE id = ? FOR NO KEY UPDATE", low.id());
      // the report of the high account's order comes first: applied as it comes, it would lock that account first
      Future<List<List<ExecutionApplier.Applied>>> batch = db.applier.applyOrders(() -> List.of(
        List.of(trade(highLeg, "200")), List.of(trade(lowLeg, "100"))));
      Await.until(() -> lockWaits() > 0 ? true : null, "the batch waits for the held account");

      for (String leg : List.of(lowLeg, highLeg)) {
        UUID order = uuid("SELECT order_id FROM order_legs WHERE cl_ord_id = ?", leg);
        assertThatThrownBy(() -> execute(probe, "SELECT 1 FROM orders WHERE id = ? FOR NO KEY UPDATE NOWAIT", order))
          .as("order of " + leg + " locked before the accounts").isInstanceOf(SQLException.class);
        assertThatThrownBy(() -> execute(probe, "SELECT 1 FROM order_legs WHERE cl_ord_id = ? FOR NO KEY UPDATE NOWAIT",
          leg)).as("leg " + leg + " locked before the accounts").isInstanceOf(SQLException.class);
      }
      assertThatThrownBy(() -> execute(probe, "SELECT 1 FROM positions WHERE account_id = ? AND instrument_id = ?"
        + " FOR NO KEY UPDATE NOWAIT", high.id(), EURUSD)).as("position (created and) locked before the accounts")
        .isInstanceOf(SQLException.class);
      execute(probe, "SELECT 1 FROM accounts WHERE id = ? FOR NO KEY UPDATE NOWAIT", high.id()); // not taken before the lower one
      assertThat(batch.isComplete()).isFalse();

      holder.rollback();
      List<List<ExecutionApplier.Applied>> applied = ApplierDatabase.await(batch);
      assertThat(applied.get(0).get(0).order().status()).isEqualTo(OrderStatus.FILLED);
      assertThat(applied.get(1).get(0).order().status()).isEqualTo(OrderStatus.FILLED);
    }
  }

  @Test
  void theBatcherCommitsReportsOfManyOrdersTogetherAndAFailingOneFailsAlone() throws Exception {
    Instant now = Instant.now();
    String tenant = "t-" + UUID.randomUUID();
    List<Account> accounts = List.of(account(tenant), account(tenant), account(tenant));
    List<ExecutionReport> reports = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      String leg = db.placedLeg(accounts.get(i % 3), tenant, EURUSD, new BigDecimal("100"), LIMIT, i % 2 == 0, now);
      reports.add(trade(leg, "100"));
    }
    String badLeg = db.placedLeg(accounts.get(0), tenant, GBPUSD, new BigDecimal("100"), LIMIT, true, now);
    ExecutionReport noPrice = ApplierDatabase.trade(badLeg, GBPUSD, new BigDecimal("100"), null); // fails to apply
    reports.add(3, noPrice);

    Map<String, Boolean> outcomes = new ConcurrentHashMap<>();
    AtomicInteger commits = new AtomicInteger();
    db.vertx.getOrCreateContext().runOnContext(v -> {
      ReportBatcher batcher = new ReportBatcher(db.vertx, db.applier, (r, result) -> {
        outcomes.put(r.clOrdId(), result.succeeded());
        return result.succeeded();
      }, commits::incrementAndGet);
      reports.forEach(batcher::add); // all in one event-loop task, as a burst from the LPs
    });
    Await.until(() -> outcomes.size() == reports.size() ? true : null, "every report's outcome");

    assertThat(outcomes.get(badLeg)).as("the report that cannot be applied").isFalse();
    assertThat(outcomes.values().stream().filter(ok -> ok).count()).isEqualTo(6);
    assertThat(commits.get()).isPositive();
    assertThat(db.scalar("SELECT count(*) FROM fills WHERE account_id IN (?, ?, ?)", accounts.get(0).id(),
      accounts.get(1).id(), accounts.get(2).id())).isEqualByComparingTo("6");
    assertThat(db.scalar("SELECT count(*) FROM orders WHERE account_id IN (?, ?, ?) AND status = 'filled'",
      accounts.get(0).id(), accounts.get(1).id(), accounts.get(2).id())).isEqualByComparingTo("6");

    // a burst that applies cleanly: one transaction
    Map<String, Boolean> second = new ConcurrentHashMap<>();
    List<ExecutionReport> burst = new ArrayList<>();
    List<UUID> ids = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      Account acc = account(tenant);
      ids.add(acc.id());
      burst.add(trade(db.placedLeg(acc, tenant, EURUSD, new BigDecimal("100"), LIMIT, true, now), "100"));
    }
    db.vertx.getOrCreateContext().runOnContext(v -> {
      ReportBatcher batcher = new ReportBatcher(db.vertx, db.applier, (r, result) -> {
        second.put(r.clOrdId(), result.succeeded());
        return true;
      }, () -> {});
      burst.forEach(batcher::add);
    });
    Await.until(() -> second.size() == burst.size() ? true : null, "every report of the second burst");
    assertThat(second.values()).containsOnly(true);
    assertThat(db.scalar("SELECT count(DISTINCT xmin::text) FROM fills WHERE account_id = ANY(?::uuid[])",
      (Object) ids.stream().map(UUID::toString).toArray(String[]::new)))
      .as("transactions for six fills arriving at once").isEqualByComparingTo("1");
  }

  /**
   * A usual report is applied from the rows the transaction locked first; a report of another kind changes them
   * itself, and whatever comes after it must see its changes: here a status report books a fill the LP says we
   * missed (order, leg and position move), then the leg's last fill and another order's fill of the same position
   * follow in the same transaction.
   */
  @Test
  void reportsAfterOneOfAnotherKindSeeWhatItChanged() throws Exception {
    Instant now = Instant.now();
    String tenant = "t-" + UUID.randomUUID();
    Account a = account(tenant);
    String x = db.placedLeg(a, tenant, EURUSD, new BigDecimal("1000"), LIMIT, true, now);
    String y = db.placedLeg(a, tenant, EURUSD, new BigDecimal("500"), LIMIT, true, now);
    ExecutionReport ack = new ExecutionReport("lp-a", "N-" + x, x, null, "LP-" + x, ExecutionReport.Kind.NEW,
      ExecutionReport.LpOrderStatus.NEW, EURUSD, Side.BUY, null, null, null, null, null, null, null, false);
    ExecutionReport status = new ExecutionReport("lp-a", "S-" + x, x, null, "LP-" + x, ExecutionReport.Kind.ORDER_STATUS,
      ExecutionReport.LpOrderStatus.PARTIALLY_FILLED, EURUSD, Side.BUY, null, null, new BigDecimal("700"),
      new BigDecimal("300"), PX, null, null, false);

    List<List<ExecutionApplier.Applied>> applied = ApplierDatabase.await(db.applier.applyOrders(() -> List.of(
      List.of(ack, fill(x, "F1-", "400"), status, fill(x, "F2-", "300")), List.of(trade(y, "500")))));

    assertThat(applied.get(0).get(2).order().filledQuantity()).as("the status report's missed fill")
      .isEqualByComparingTo("700");
    assertThat(applied.get(0).get(3).order().status()).as("the last fill completes the order")
      .isEqualTo(OrderStatus.FILLED);
    assertThat(applied.get(0).get(3).leg().filledQuantity()).isEqualByComparingTo("1000");
    assertThat(applied.get(1).get(0).order().status()).isEqualTo(OrderStatus.FILLED);
    assertThat(db.scalar("SELECT quantity FROM positions WHERE account_id = ? AND instrument_id = ?", a.id(), EURUSD))
      .as("every fill of the position counts, the status report's too").isEqualByComparingTo("1500");
    assertThat(db.scalar("SELECT sum(quantity) FROM fills WHERE account_id = ?", a.id())).isEqualByComparingTo("1500");
    assertThat(db.scalar("SELECT filled_quantity FROM order_legs WHERE cl_ord_id = ?", x)).isEqualByComparingTo("1000");
  }

  /** An LP that sends one ExecID for two orders in one transaction: the first is applied, the second is a duplicate. */
  @Test
  void oneExecIdTwiceInATransactionIsAppliedOnce() throws Exception {
    Instant now = Instant.now();
    String tenant = "t-" + UUID.randomUUID();
    Account a = account(tenant), b = account(tenant);
    String x = db.placedLeg(a, tenant, EURUSD, new BigDecimal("100"), LIMIT, true, now);
    String y = db.placedLeg(b, tenant, EURUSD, new BigDecimal("100"), LIMIT, true, now);
    ExecutionReport first = fill(x, "SAME", "100");
    ExecutionReport second = new ExecutionReport("lp-a", first.execId(), y, null, "LP-" + y, ExecutionReport.Kind.TRADE,
      ExecutionReport.LpOrderStatus.FILLED, EURUSD, Side.BUY, new BigDecimal("100"), PX, null, null, null, null, null,
      false);

    List<List<ExecutionApplier.Applied>> applied = ApplierDatabase.await(db.applier.applyOrders(() -> List.of(
      List.of(first), List.of(second))));

    assertThat(applied.get(0).get(0).order().status()).isEqualTo(OrderStatus.FILLED);
    assertThat(applied.get(1).get(0).order()).as("the copy changes nothing").isNull();
    assertThat(db.scalar("SELECT filled_quantity FROM orders WHERE id = (SELECT order_id FROM order_legs"
      + " WHERE cl_ord_id = ?)", y)).isEqualByComparingTo("0");
    assertThat(db.scalar("SELECT count(*) FROM execution_reports WHERE exec_id = ?", first.execId()))
      .isEqualByComparingTo("1");
  }

  /** A fill of {@code qty} on leg {@code clOrdId} with its own ExecID ({@code prefix} + ClOrdID). */
  private static ExecutionReport fill(String clOrdId, String prefix, String qty) {
    return new ExecutionReport("lp-a", prefix + clOrdId, clOrdId, null, "LP-" + clOrdId, ExecutionReport.Kind.TRADE,
      ExecutionReport.LpOrderStatus.PARTIALLY_FILLED, EURUSD, Side.BUY, new BigDecimal(qty), PX, null, null, null, null,
      null, false);
  }

  private static int lockWaits() {
    try {
      return db.scalar("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
        + " AND wait_event_type = 'Lock'").intValue();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * The first fills of a position, arriving for two orders at once in two transactions, both count: neither may
   * start from "no position yet" and then overwrite the other's row.
   */
  @Test
  void twoFirstFillsOfOnePositionAtOnceBothCount() throws Exception {
    for (int round = 0; round < 20; round++) {
      Instant now = Instant.now();
      String tenant = "t-" + UUID.randomUUID();
      Account account = account(tenant);
      String a = db.placedLeg(account, tenant, EURUSD, new BigDecimal("1000"), LIMIT, false, now);
      String b = db.placedLeg(account, tenant, EURUSD, new BigDecimal("2000"), LIMIT, false, now);
      // both transactions are under way before either commits
      Future<ExecutionApplier.Applied> first = db.applier.apply(trade(a, "1000"));
      Future<ExecutionApplier.Applied> second = db.applier.apply(trade(b, "2000"));
      ApplierDatabase.await(Future.all(first, second));

      assertThat(db.scalar("SELECT quantity FROM positions WHERE account_id = ? AND instrument_id = ?", account.id(),
        EURUSD)).as("round " + round + ": position after both first fills").isEqualByComparingTo("3000");
      assertThat(db.scalar("SELECT sum(quantity) FROM fills WHERE account_id = ?", account.id()))
        .as("round " + round + ": fills").isEqualByComparingTo("3000");
    }
  }

  private static ExecutionReport trade(String clOrdId, String qty) {
    return ApplierDatabase.trade(clOrdId, EURUSD, new BigDecimal(qty), PX);
  }

  private static Account account(String tenant) throws Exception {
    return ApplierDatabase.await(db.accounts.create(tenant, "alice", "Alice", "USD", new BigDecimal("1000000.00"), null,
      null, Instant.now()));
  }

  private static void execute(Connection c, String sql, Object... args) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < args.length; i++) ps.setObject(i + 1, args[i]);
      ps.execute();
    }
  }

  private static UUID uuid(String sql, Object arg) throws SQLException {
    try (PreparedStatement ps = db.jdbc.prepareStatement(sql)) {
      ps.setObject(1, arg);
      try (var rs = ps.executeQuery()) {
        rs.next();
        return (UUID) rs.getObject(1);
      }
    }
  }
}
