package io.orion.oms.order;

import io.orion.oms.account.Account;
import io.orion.oms.lp.ExecutionReport;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The first fills of a position, arriving for two orders at once on two connections, both count: neither
 * transaction may start from "no position yet" and then overwrite the other's row.
 */
class ConcurrentFirstFillsTest {
  static final String INSTRUMENT = "EURUSD";
  static final BigDecimal PX = new BigDecimal("1.08500");

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
  void twoFirstFillsOfOnePositionAtOnceBothCount() throws Exception {
    for (int round = 0; round < 20; round++) {
      Instant now = Instant.now();
      String tenant = "t-" + UUID.randomUUID();
      Account account = ApplierDatabase.await(db.accounts.create(tenant, "alice", "Alice", "USD", new BigDecimal("1000000.00"), null,
        null, now));
      String a = placedLeg(account, tenant, new BigDecimal("1000"), now);
      String b = placedLeg(account, tenant, new BigDecimal("2000"), now);
      // both transactions are under way before either commits
      Future<ExecutionApplier.Applied> first = db.applier.apply(trade(a, new BigDecimal("1000")));
      Future<ExecutionApplier.Applied> second = db.applier.apply(trade(b, new BigDecimal("2000")));
      ApplierDatabase.await(Future.all(first, second));

      assertThat(db.scalar("SELECT quantity FROM positions WHERE account_id = ? AND instrument_id = ?", account.id(),
        INSTRUMENT)).as("round " + round + ": position after both first fills").isEqualByComparingTo("3000");
      assertThat(db.scalar("SELECT sum(quantity) FROM fills WHERE account_id = ?", account.id()))
        .as("round " + round + ": fills").isEqualByComparingTo("3000");
    }
  }

  /** A buy limit order with one leg at lp-a, as the submission writes it; its leg's ClOrdID. */
  private static String placedLeg(Account account, String tenant, BigDecimal qty, Instant now) throws Exception {
    NewOrder req = new NewOrder(account.id(), INSTRUMENT, Side.BUY, OrderType.LIMIT, TimeInForce.GTC, qty,
      new BigDecimal("1.09000"), null, null, null, null, RoutingStrategy.BEST, null, "c-" + UUID.randomUUID(),
      new JsonObject());
    UUID id = UUID.randomUUID();
    String clOrdId = "C" + id.toString().replace("-", "").substring(0, 12) + "-1";
    ApplierDatabase.await(db.pool.withTransaction(tx -> db.orders.insert(tx, id, tenant, "alice", req, BigDecimal.ZERO, now)
      .compose(o -> db.legs.insertAll(tx, List.of(LegRepository.fresh(o.id(), "lp-a", clOrdId, qty, req.price())),
        List.of(tenant), now))));
    return clOrdId;
  }

  private static ExecutionReport trade(String clOrdId, BigDecimal qty) {
    return new ExecutionReport("lp-a", "X-" + clOrdId, clOrdId, null, "LP-" + clOrdId, ExecutionReport.Kind.TRADE,
      ExecutionReport.LpOrderStatus.FILLED, INSTRUMENT, Side.BUY, qty, PX, null, null, null, null, null, false);
  }

}
