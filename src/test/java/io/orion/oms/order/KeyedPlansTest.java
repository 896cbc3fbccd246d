package io.orion.oms.order;

import io.orion.oms.account.Account;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The report transaction's plans stay on the keys' indexes when its tables grow after the plans were made: a
 * prepared statement keeps its generic plan until the table's statistics change, and one made while the tables held
 * a handful of rows would read them whole at every report (see {@code Database.BY_KEY}).
 */
class KeyedPlansTest {
  static final String EURUSD = "EURUSD";
  static final BigDecimal PX = new BigDecimal("1.08500");
  static final BigDecimal LIMIT = new BigDecimal("1.30000");
  static final List<String> TABLES = List.of("orders", "order_legs", "positions", "accounts");
  static final int GROWTH = 3000;

  static ApplierDatabase db;

  @BeforeAll
  static void database() throws Exception {
    db = ApplierDatabase.open(1); // one session: every report's statements reuse the plans it made
  }

  @AfterAll
  static void close() throws Exception {
    if (db != null) db.close();
  }

  @Test
  void reportsReadRowsByKeyAfterTheTablesGrew() throws Exception {
    String tenant = "t-" + UUID.randomUUID();
    Account account = ApplierDatabase.await(db.accounts.create(tenant, "alice", "Alice", "USD",
      new BigDecimal("1000000.00"), null, null, Instant.now()));
    // eight reports on tiny tables: past the five custom plans, each statement has its generic plan
    for (int i = 0; i < 8; i++) fill(account, tenant);

    grow(account);
    Map<String, long[]> before = reads();
    for (int i = 0; i < 3; i++) fill(account, tenant);
    Map<String, long[]> after = reads();

    for (String table : TABLES) {
      long whole = after.get(table)[0] - before.get(table)[0];
      long byIndex = after.get(table)[1] - before.get(table)[1];
      assertThat(whole).as("%s: rows read by sequential scans in three reports", table).isZero();
      assertThat(byIndex).as("%s: index entries read in three reports (%d rows in the table)", table, GROWTH)
        .isLessThan(100);
    }
  }

  private static void fill(Account account, String tenant) throws Exception {
    String leg = db.placedLeg(account, tenant, EURUSD, new BigDecimal("1000"), LIMIT, true, Instant.now());
    List<List<ExecutionApplier.Applied>> applied = ApplierDatabase.await(db.applier.applyOrders(() ->
      List.of(List.of(ApplierDatabase.trade(leg, EURUSD, new BigDecimal("1000"), PX)))));
    assertThat(applied.get(0).get(0).order().status()).isEqualTo(OrderStatus.FILLED);
  }

  /** GROWTH more accounts, positions, orders and legs, copies of the account's with new keys. */
  private static void grow(Account account) throws Exception {
    String[] copies = {
      "INSERT INTO accounts SELECT (jsonb_populate_record(a, jsonb_build_object('id', gen_random_uuid()))).*"
        + " FROM accounts a, generate_series(1, ?) WHERE a.id = ?",
      "INSERT INTO positions SELECT (jsonb_populate_record(p, jsonb_build_object('account_id', a.id))).*"
        + " FROM positions p, accounts a WHERE p.account_id = ? AND a.id <> p.account_id LIMIT ?",
      "INSERT INTO orders SELECT (jsonb_populate_record(o, jsonb_build_object('id', gen_random_uuid(),"
        + " 'order_ref', o.order_ref || '-' || g, 'client_order_id', null))).*"
        + " FROM orders o, generate_series(1, ?) g WHERE o.id = (SELECT id FROM orders WHERE account_id = ? LIMIT 1)",
      "INSERT INTO order_legs SELECT (jsonb_populate_record(l, jsonb_build_object('id', gen_random_uuid(),"
        + " 'cl_ord_id', l.cl_ord_id || '-' || g))).*"
        + " FROM order_legs l, generate_series(1, ?) g WHERE l.id = (SELECT id FROM order_legs LIMIT 1)"};
    Object[][] args = {{GROWTH, account.id()}, {account.id(), GROWTH}, {GROWTH, account.id()}, {GROWTH}};
    for (int i = 0; i < copies.length; i++) {
      try (PreparedStatement ps = db.jdbc.prepareStatement(copies[i])) {
        for (int j = 0; j < args[i].length; j++) ps.setObject(j + 1, args[i][j]);
        assertThat(ps.executeUpdate()).as(copies[i]).isEqualTo(GROWTH);
      }
    }
  }

  /**
   * Per table: rows read by sequential scans and index entries read, as the statistics have them once both sessions
   * have reported theirs (each is told to report at its next statement's end, then runs one).
   */
  private static Map<String, long[]> reads() throws Exception {
    ApplierDatabase.await(db.pool.query("SELECT pg_stat_force_next_flush()").execute()
      .compose(v -> db.pool.query("SELECT 1").execute()));
    try (PreparedStatement flush = db.jdbc.prepareStatement("SELECT pg_stat_force_next_flush()")) {
      flush.execute();
    }
    Map<String, long[]> reads = new HashMap<>();
    try (PreparedStatement ps = db.jdbc.prepareStatement("SELECT pg_stat_clear_snapshot()")) {
      ps.execute();
    }
    try (PreparedStatement ps = db.jdbc.prepareStatement(
      "SELECT t.relname, coalesce(t.seq_tup_read, 0),"
        + " (SELECT coalesce(sum(i.idx_tup_read), 0) FROM pg_stat_user_indexes i WHERE i.relid = t.relid)"
        + " FROM pg_stat_user_tables t WHERE t.relname = ANY(?)")) {
      ps.setArray(1, db.jdbc.createArrayOf("text", TABLES.toArray()));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) reads.put(rs.getString(1), new long[] {rs.getLong(2), rs.getLong(3)});
      }
    }
    assertThat(reads).containsKeys(TABLES.toArray(String[]::new));
    return reads;
  }
}
