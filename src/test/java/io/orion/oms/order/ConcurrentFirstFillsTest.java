package io.orion.oms.order;

import io.orion.oms.account.Account;
import io.vertx.core.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The first fills of a position, arriving for two orders at once on two connections, both count: neither
 * transaction may start from "no position yet" and then overwrite the other's row.
 */
class ConcurrentFirstFillsTest {
  static final String INSTRUMENT = "EURUSD";
  static final BigDecimal PX = new BigDecimal("1.08500");
  static final BigDecimal LIMIT = new BigDecimal("1.09000");

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
      String a = db.placedLeg(account, tenant, INSTRUMENT, new BigDecimal("1000"), LIMIT, false, now);
      String b = db.placedLeg(account, tenant, INSTRUMENT, new BigDecimal("2000"), LIMIT, false, now);
      // both transactions are under way before either commits
      Future<ExecutionApplier.Applied> first = db.applier.apply(ApplierDatabase.trade(a, INSTRUMENT, new BigDecimal("1000"), PX));
      Future<ExecutionApplier.Applied> second = db.applier.apply(ApplierDatabase.trade(b, INSTRUMENT, new BigDecimal("2000"), PX));
      ApplierDatabase.await(Future.all(first, second));

      assertThat(db.scalar("SELECT quantity FROM positions WHERE account_id = ? AND instrument_id = ?", account.id(),
        INSTRUMENT)).as("round " + round + ": position after both first fills").isEqualByComparingTo("3000");
      assertThat(db.scalar("SELECT sum(quantity) FROM fills WHERE account_id = ?", account.id()))
        .as("round " + round + ": fills").isEqualByComparingTo("3000");
    }
  }
}
