package io.orion.oms.infra;

import io.orion.oms.support.TestServices;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * The order path's child rows carry no foreign keys (V12: the writers keep those references), but the parent side of
 * each former key holds as before: a referenced account, instrument or order cannot be deleted (a foreign key's
 * SQLSTATE, 23503), and no id of theirs can change nor their tables be truncated.
 */
class ReferenceGuardTest {
  static String url;

  @BeforeAll
  static void database() {
    url = TestServices.get().freshDatabase();
    Database.migrate(url);
  }

  @Test
  void everyFormerForeignKeyStillProtectsItsParent() throws Exception {
    try (Connection c = TestServices.jdbc(url)) {
      // one child of each former foreign key at a time: each alone must keep its parent
      UUID account = account(c);
      String instrument = instrument(c);
      UUID order = order(c, account, instrument);
      assertRefused(c, "DELETE FROM accounts WHERE id = '" + account + "'", "orders.account_id");
      assertRefused(c, "DELETE FROM instruments WHERE id = '" + instrument + "'", "orders.instrument_id");

      UUID leg = UUID.randomUUID();
      exec(c, "INSERT INTO order_legs (id, order_id, tenant_id, lp_id, cl_ord_id, quantity, status, created_at, updated_at)"
        + " VALUES ('" + leg + "', '" + order + "', 't', 'lp-a', 'c-" + leg + "', 1, 'sent', now(), now())");
      assertRefused(c, "DELETE FROM orders WHERE id = '" + order + "'", "order_legs.order_id");
      exec(c, "DELETE FROM order_legs WHERE id = '" + leg + "'");

      exec(c, "INSERT INTO routing_decisions (order_id, tenant_id, strategy, decision, created_at)"
        + " VALUES ('" + order + "', 't', 'best', '{}', now())");
      assertRefused(c, "DELETE FROM orders WHERE id = '" + order + "'", "routing_decisions.order_id");
      exec(c, "DELETE FROM routing_decisions WHERE order_id = '" + order + "'");

      UUID other = order(c, account(c), instrument(c)); // a fill of another account's order names this account
      exec(c, "INSERT INTO fills (id, order_id, tenant_id, account_id, lp_id, lp_exec_id, quantity, price, fee_currency,"
        + " executed_at, created_at) VALUES (gen_random_uuid(), '" + other + "', 't', '" + account + "', 'lp-a', 'x-"
        + UUID.randomUUID() + "', 1, 1, 'USD', now(), now())");
      assertRefused(c, "DELETE FROM orders WHERE id = '" + other + "'", "fills.order_id");

      // the order goes (nothing refers to it: a submission batch's unfunded order), the fill still holds the account
      exec(c, "DELETE FROM orders WHERE id = '" + order + "'");
      assertThat(count(c, "SELECT count(*) FROM orders WHERE id = '" + order + "'")).isZero();
      assertRefused(c, "DELETE FROM accounts WHERE id = '" + account + "'", "fills.account_id");
      exec(c, "DELETE FROM fills WHERE account_id = '" + account + "'");

      exec(c, "INSERT INTO positions (account_id, instrument_id, tenant_id, quantity, updated_at)"
        + " VALUES ('" + account + "', '" + instrument + "', 't', 1, now())");
      assertRefused(c, "DELETE FROM accounts WHERE id = '" + account + "'", "positions.account_id");
      assertRefused(c, "DELETE FROM instruments WHERE id = '" + instrument + "'", "positions.instrument_id");
      exec(c, "DELETE FROM positions WHERE account_id = '" + account + "'");

      // nothing refers to them any more: they go as they would have with the foreign keys
      exec(c, "DELETE FROM accounts WHERE id = '" + account + "'");
      exec(c, "DELETE FROM instruments WHERE id = '" + instrument + "'");
      assertThat(count(c, "SELECT count(*) FROM accounts WHERE id = '" + account + "'")).isZero();
    }
  }

  @Test
  void theParentTablesCannotBeTruncatedNorTheirIdsChanged() throws Exception {
    try (Connection c = TestServices.jdbc(url)) {
      UUID account = account(c);
      UUID order = order(c, account, instrument(c));
      for (String table : new String[]{"orders", "accounts", "instruments"}) {
        assertRefused(c, "TRUNCATE " + table + " CASCADE", "23503", "TRUNCATE of " + table);
      }
      assertRefused(c, "UPDATE orders SET id = gen_random_uuid() WHERE id = '" + order + "'", "23001",
        "UPDATE of orders.id");
      assertRefused(c, "UPDATE accounts SET id = gen_random_uuid() WHERE id = '" + account + "'", "23001",
        "UPDATE of accounts.id");
      assertRefused(c, "UPDATE instruments SET id = id || 'x'", "23001", "UPDATE of instruments.id");
      // every other update goes through
      exec(c, "UPDATE orders SET status = 'working' WHERE id = '" + order + "'");
      assertThat(count(c, "SELECT count(*) FROM orders WHERE id = '" + order + "' AND status = 'working'")).isOne();
    }
  }

  private static UUID account(Connection c) throws SQLException {
    UUID id = UUID.randomUUID();
    exec(c, "INSERT INTO accounts (id, tenant_id, owner_id, name, currency, balance, created_at, updated_at)"
      + " VALUES ('" + id + "', 't', 'u', 'n', 'USD', 100, now(), now())");
    return id;
  }

  private static String instrument(Connection c) throws SQLException {
    String id = "I" + UUID.randomUUID().toString().substring(0, 8);
    exec(c, "INSERT INTO instruments (id, asset_class, base_currency, quote_currency, tick_size, lot_size, min_quantity,"
      + " reference_price) VALUES ('" + id + "', 'equity', 'XYZ', 'USD', 0.01, 1, 1, 10)");
    return id;
  }

  private static UUID order(Connection c, UUID account, String instrument) throws SQLException {
    UUID id = UUID.randomUUID();
    exec(c, "INSERT INTO orders (id, order_ref, tenant_id, account_id, submitted_by, instrument_id, side, order_type,"
      + " time_in_force, quantity, routing_strategy, status, created_at, updated_at) VALUES ('" + id + "', 'R-" + id
      + "', 't', '" + account + "', 'u', '" + instrument + "', 'buy', 'market', 'ioc', 1, 'best', 'pending', now(), now())");
    return id;
  }

  private static void assertRefused(Connection c, String sql, String names) {
    assertRefused(c, sql, "23503", names);
  }

  private static void assertRefused(Connection c, String sql, String state, String names) {
    SQLException e = catchThrowableOfType(SQLException.class, () -> exec(c, sql));
    assertThat((Throwable) e).as(sql + " must fail").isNotNull();
    assertThat(e.getSQLState()).as(e.getMessage()).isEqualTo(state);
    assertThat(e.getMessage()).contains(names);
  }

  private static void exec(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }

  private static long count(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
