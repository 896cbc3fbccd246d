package io.orion.oms.order;

import io.orion.oms.support.Http;
import io.orion.oms.support.TestApp;
import io.orion.oms.support.TestServices;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * What the database itself guarantees, checked with plain JDBC on the service's own database after real
 * API calls: the append-only audit trail, the gap-free per-account event outbox, the once-only fill
 * constraint and exact (numeric) money columns. The service has no LPs: the orders are of a held type
 * (stop_limit, stop far from the market), which stay pending, so that only the changes made here are
 * recorded; what routing records when it rejects a limit order is checked on its own.
 */
class AuditTrailTest {
  static final String TENANT = "audit";
  static final String TRADER = "ann";

  static TestApp app;
  static String account;
  static String buyId;
  static String sellId;

  @BeforeAll
  static void start() throws Exception {
    app = TestApp.start();
    Http.Res acc = app.http.post("/api/v1/accounts", app.token(TENANT, "root", "admin"), new JsonObject()
      .put("ownerId", TRADER).put("name", "audit account").put("currency", "USD").put("balance", "100000"));
    assertThat(acc.status()).as(acc.body()).isEqualTo(201);
    account = acc.json().getString("id");

    Http.Res buy = app.http.post("/api/v1/orders", trader(), order("buy", 10, "100.00"));
    assertThat(buy.status()).as(buy.body()).isEqualTo(201);
    buyId = buy.json().getString("id");
    Http.Res cancel = app.http.delete("/api/v1/orders/" + buyId + "?reason=audit-test", trader());
    assertThat(cancel.status()).as(cancel.body()).isEqualTo(200);
    Http.Res sell = app.http.post("/api/v1/orders", trader(), order("sell", 5, "120.00"));
    assertThat(sell.status()).as(sell.body()).isEqualTo(201);
    sellId = sell.json().getString("id");
  }

  @AfterAll
  static void stop() throws Exception {
    if (app != null) app.close();
  }

  static String trader() {
    return app.token(TENANT, TRADER, "trader");
  }

  /** An order that stays pending: a stop_limit, its stop far on the side AAPL (150.00) is not heading. */
  static JsonObject order(String side, int qty, String price) {
    return new JsonObject().put("clientId", account).put("instrumentId", "AAPL").put("side", side)
      .put("orderType", "stop_limit").put("timeInForce", "gtc").put("quantity", qty).put("price", price)
      .put("stopPrice", side.equals("buy") ? "1000.00" : "1.00");
  }

  /** A limit order: routed on acceptance, and rejected (NO_HEALTHY_LP) since the service has no LP. */
  static JsonObject limitOrder(String side, int qty, String price) {
    JsonObject o = order(side, qty, price).put("orderType", "limit");
    o.remove("stopPrice");
    return o;
  }

  static Connection db() throws Exception {
    return TestServices.jdbc(app.config().database().url());
  }

  static long count(Connection c, String sql, Object... args) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < args.length; i++) ps.setObject(i + 1, args[i]);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  record Event(long seq, String type, JsonObject payload) {}

  static List<Event> events(Connection c, String accountId) throws SQLException {
    List<Event> out = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement(
      "SELECT seq, event_type, payload::text, tenant_id FROM events WHERE account_id = ? ORDER BY id")) {
      ps.setObject(1, UUID.fromString(accountId));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          assertThat(rs.getString("tenant_id")).isEqualTo(TENANT);
          out.add(new Event(rs.getLong(1), rs.getString(2), new JsonObject(rs.getString(3))));
        }
      }
    }
    return out;
  }

  /** The trigger's refusal: SQLSTATE 42501 and its message; nothing else may be the cause. */
  static void assertRefusedByTrigger(Connection c, String sql, String op) {
    SQLException e = catchThrowableOfType(SQLException.class, () -> {
      try (Statement s = c.createStatement()) {
        s.execute(sql);
      }
    });
    assertThat((Throwable) e).as(sql + " must fail").isNotNull();
    assertThat(e.getSQLState()).as(e.getMessage()).isEqualTo("42501");
    assertThat(e.getMessage()).contains("execution_logs is append-only").contains(op);
  }

  // ---------------------------------------------------------------- audit trail

  @Test
  void submitAndCancelAreInTheAuditTrail() throws Exception {
    try (Connection c = db(); PreparedStatement ps = c.prepareStatement(
      "SELECT event_type, from_status, to_status, actor, tenant_id, account_id, details::text FROM execution_logs"
        + " WHERE order_id = ? ORDER BY id")) {
      ps.setObject(1, UUID.fromString(buyId));
      List<String[]> rows = new ArrayList<>();
      List<JsonObject> details = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          rows.add(new String[]{rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
            rs.getString(6)});
          details.add(new JsonObject(rs.getString(7)));
        }
      }
      assertThat(rows).hasSize(3);
      assertThat(rows.get(0)).containsExactly("SUBMITTED", null, "pending", TRADER, TENANT, account);
      assertThat(rows.get(1)).containsExactly("VALIDATED", "pending", "pending", "system", TENANT, account);
      assertThat(rows.get(2)).containsExactly("CANCELLED", "pending", "cancelled", TRADER, TENANT, account);
      assertThat(new BigDecimal(details.get(1).getValue("reserved").toString())).isEqualByComparingTo("1000.00");
      assertThat(new BigDecimal(details.get(2).getValue("released").toString())).isEqualByComparingTo("1000.00");
      assertThat(details.get(2).getString("reason")).isEqualTo("audit-test");

      assertThat(count(c, "SELECT count(*) FROM execution_logs WHERE order_id = ?", UUID.fromString(sellId)))
        .isEqualTo(2);
    }
    // the API serves the same trail
    Http.Res audit = app.http.get("/api/v1/orders/" + buyId + "/audit", trader());
    assertThat(audit.json().getInteger("total")).isEqualTo(3);
  }

  @Test
  void theAuditTrailRefusesUpdateDeleteAndTruncate() throws Exception {
    try (Connection c = db()) {
      long before = count(c, "SELECT count(*) FROM execution_logs");
      assertThat(before).isGreaterThanOrEqualTo(3);

      assertRefusedByTrigger(c, "UPDATE execution_logs SET actor = 'mallory' WHERE order_id = '" + buyId + "'", "UPDATE");
      assertRefusedByTrigger(c, "UPDATE execution_logs SET to_status = 'filled'", "UPDATE");
      assertRefusedByTrigger(c, "DELETE FROM execution_logs WHERE order_id = '" + buyId + "'", "DELETE");
      assertRefusedByTrigger(c, "DELETE FROM execution_logs", "DELETE");
      assertRefusedByTrigger(c, "TRUNCATE execution_logs", "TRUNCATE");
      assertRefusedByTrigger(c, "TRUNCATE TABLE execution_logs CASCADE", "TRUNCATE");

      // also inside a transaction that would otherwise commit
      c.setAutoCommit(false);
      assertRefusedByTrigger(c, "DELETE FROM execution_logs WHERE order_id = '" + sellId + "'", "DELETE");
      c.rollback();
      c.setAutoCommit(true);

      assertThat(count(c, "SELECT count(*) FROM execution_logs")).isEqualTo(before);
      assertThat(count(c, "SELECT count(*) FROM execution_logs WHERE actor = 'mallory' OR to_status = 'filled'"))
        .isZero();
    }
    // and the trail still grows through the service (append is allowed)
    Http.Res o = app.http.post("/api/v1/orders", trader(), order("sell", 1, "130.00"));
    assertThat(o.status()).as(o.body()).isEqualTo(201);
    try (Connection c = db()) {
      assertThat(count(c, "SELECT count(*) FROM execution_logs WHERE order_id = ?",
        UUID.fromString(o.json().getString("id")))).isEqualTo(2);
    }
  }

  // ---------------------------------------------------------------- outbox

  @Test
  void theOutboxNumbersEachAccountsEventsWithoutGaps() throws Exception {
    // a fresh account so that only this test's events are on it
    Http.Res acc = app.http.post("/api/v1/accounts", app.token(TENANT, "root", "admin"), new JsonObject()
      .put("ownerId", TRADER).put("name", "outbox account").put("currency", "USD").put("balance", "100000"));
    assertThat(acc.status()).isEqualTo(201);
    String acct = acc.json().getString("id");
    JsonObject buy = order("buy", 10, "100.00").put("clientId", acct);
    Http.Res b = app.http.post("/api/v1/orders", trader(), buy);
    assertThat(b.status()).as(b.body()).isEqualTo(201);
    String bId = b.json().getString("id");
    assertThat(app.http.delete("/api/v1/orders/" + bId, trader()).status()).isEqualTo(200);
    Http.Res s = app.http.post("/api/v1/orders", trader(), order("sell", 5, "120.00").put("clientId", acct));
    assertThat(s.status()).as(s.body()).isEqualTo(201);
    // a rejected order takes no number
    Http.Res poor = app.http.post("/api/v1/orders", trader(), order("buy", 1000, "200.00").put("clientId", acct));
    assertThat(poor.json().getString("code")).as(poor.body()).isEqualTo("INSUFFICIENT_FUNDS");

    try (Connection c = db()) {
      List<Event> ev = events(c, acct);
      assertThat(ev).extracting(Event::type).containsExactly(
        "order.created", "balance.updated", "order.cancelled", "balance.updated", "order.created");
      assertThat(ev).extracting(Event::seq).containsExactly(1L, 2L, 3L, 4L, 5L);
      assertThat(ev.get(0).payload().getString("id")).isEqualTo(bId);
      assertThat(ev.get(0).payload().getString("status")).isEqualTo("pending");
      assertThat(new BigDecimal(ev.get(1).payload().getValue("reserved").toString())).isEqualByComparingTo("1000.00");
      assertThat(ev.get(2).payload().getString("id")).isEqualTo(bId);
      assertThat(ev.get(2).payload().getString("status")).isEqualTo("cancelled");
      assertThat(new BigDecimal(ev.get(3).payload().getValue("reserved").toString())).isEqualByComparingTo("0");
      assertThat(ev.get(4).payload().getString("id")).isEqualTo(s.json().getString("id"));
      assertThat(count(c, "SELECT event_seq FROM accounts WHERE id = ?", UUID.fromString(acct))).isEqualTo(5);
    }
    // the first account of this class, too
    try (Connection c = db()) {
      List<Event> ev = events(c, account);
      assertThat(ev).extracting(Event::type).startsWith("order.created", "balance.updated", "order.cancelled",
        "balance.updated", "order.created");
      assertGapless(ev);
    }
  }

  /** Routing's rejection is written like any other change: trail, release and events, numbered without gaps. */
  @Test
  void aRoutingRejectionIsInTheAuditTrailAndTheOutbox() throws Exception {
    Http.Res acc = app.http.post("/api/v1/accounts", app.token(TENANT, "root", "admin"), new JsonObject()
      .put("ownerId", TRADER).put("name", "rejected account").put("currency", "USD").put("balance", "100000"));
    assertThat(acc.status()).isEqualTo(201);
    String acct = acc.json().getString("id");
    Http.Res o = app.http.post("/api/v1/orders", trader(), limitOrder("buy", 10, "100.00").put("clientId", acct));
    assertThat(o.status()).as(o.body()).isEqualTo(201);
    String id = o.json().getString("id");
    long deadline = System.nanoTime() + java.time.Duration.ofSeconds(10).toNanos();
    JsonObject now = app.http.get("/api/v1/orders/" + id, trader()).json();
    while (!"rejected".equals(now.getString("status"))) {
      assertThat(System.nanoTime()).as("order to be rejected by routing: %s", now).isLessThan(deadline);
      Thread.sleep(20);
      now = app.http.get("/api/v1/orders/" + id, trader()).json();
    }
    try (Connection c = db()) {
      List<String> trail = new ArrayList<>();
      JsonObject rejectDetails = null;
      try (PreparedStatement ps = c.prepareStatement("SELECT event_type, from_status, to_status, actor, details::text"
        + " FROM execution_logs WHERE order_id = ? ORDER BY id")) {
        ps.setObject(1, UUID.fromString(id));
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            trail.add(rs.getString(1) + ":" + rs.getString(2) + "->" + rs.getString(3) + ":" + rs.getString(4));
            if ("REJECTED".equals(rs.getString(1))) rejectDetails = new JsonObject(rs.getString(5));
          }
        }
      }
      assertThat(trail).containsExactly("SUBMITTED:null->pending:" + TRADER, "VALIDATED:pending->pending:system",
        "REJECTED:pending->rejected:system");
      assertThat(rejectDetails.getString("code")).isEqualTo("NO_HEALTHY_LP");

      List<Event> ev = events(c, acct);
      assertThat(ev).extracting(Event::type).containsExactly(
        "order.created", "balance.updated", "order.rejected", "balance.updated");
      assertGapless(ev);
      assertThat(ev.get(2).payload().getString("rejectCode")).isEqualTo("NO_HEALTHY_LP");
      assertThat(new BigDecimal(ev.get(1).payload().getValue("reserved").toString())).isEqualByComparingTo("1000.00");
      assertThat(new BigDecimal(ev.get(3).payload().getValue("reserved").toString())).isEqualByComparingTo("0");
      assertThat(count(c, "SELECT event_seq FROM accounts WHERE id = ?", UUID.fromString(acct))).isEqualTo(4);
      assertThat(count(c, "SELECT count(*) FROM orders WHERE id = ? AND reserved_amount = 0 AND reject_code = 'NO_HEALTHY_LP'",
        UUID.fromString(id))).isEqualTo(1);
    }
  }

  @Test
  void concurrentSubmitsOnOneAccountStillNumberWithoutGaps() throws Exception {
    Http.Res acc = app.http.post("/api/v1/accounts", app.token(TENANT, "root", "admin"), new JsonObject()
      .put("ownerId", TRADER).put("name", "busy account").put("currency", "USD").put("balance", "100000"));
    String acct = acc.json().getString("id");
    String token = trader();
    ExecutorService pool = Executors.newFixedThreadPool(12);
    try {
      List<CompletableFuture<Http.Res>> futures = new ArrayList<>();
      for (int i = 0; i < 24; i++) {
        String side = i % 3 == 0 ? "sell" : "buy";
        JsonObject o = order(side, 1, "100.00").put("clientId", acct);
        futures.add(CompletableFuture.supplyAsync(() -> app.http.post("/api/v1/orders", token, o), pool));
      }
      for (CompletableFuture<Http.Res> f : futures) {
        Http.Res r = f.get(60, TimeUnit.SECONDS);
        assertThat(r.status()).as(r.body()).isEqualTo(201);
      }
    } finally {
      pool.shutdownNow();
    }
    try (Connection c = db()) {
      List<Event> ev = events(c, acct);
      // 16 buys (created + balance) and 8 sells (created)
      assertThat(ev).hasSize(16 * 2 + 8);
      assertGapless(ev);
      assertThat(count(c, "SELECT event_seq FROM accounts WHERE id = ?", UUID.fromString(acct))).isEqualTo(ev.size());
      assertThat(count(c, "SELECT count(DISTINCT seq) FROM events WHERE account_id = ?", UUID.fromString(acct)))
        .isEqualTo(ev.size());
    }
  }

  /** Sorted by seq, the numbers are exactly 1..n; in insertion order they only increase. */
  static void assertGapless(List<Event> ev) {
    for (int i = 0; i < ev.size(); i++) {
      assertThat(ev.get(i).seq()).as("event " + i + " of " + ev).isEqualTo(i + 1L);
    }
  }

  // ---------------------------------------------------------------- constraints and types

  @Test
  void aFillIsStoredOncePerLpExecution() throws Exception {
    try (Connection c = db()) {
      assertThat(count(c, """
        SELECT count(*) FROM pg_constraint k JOIN pg_class t ON t.oid = k.conrelid
        WHERE t.relname = 'fills' AND k.contype = 'u'
          AND (SELECT array_agg(a.attname::text ORDER BY a.attname) FROM pg_attribute a
               WHERE a.attrelid = t.oid AND a.attnum = ANY(k.conkey)) = ARRAY['lp_exec_id', 'lp_id']""")).isEqualTo(1);

      String insert = """
        INSERT INTO fills (id, order_id, tenant_id, account_id, lp_id, lp_exec_id, quantity, price, fee, fee_currency,
          executed_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, 'USD', ?, ?)""";
      Timestamp now = Timestamp.from(Instant.now());
      try (PreparedStatement ps = c.prepareStatement(insert)) {
        Object[] first = {UUID.randomUUID(), UUID.fromString(sellId), TENANT, UUID.fromString(account), "LP-A", "EX-1",
          new BigDecimal("2"), new BigDecimal("120.00"), now, now};
        for (int i = 0; i < first.length; i++) ps.setObject(i + 1, first[i]);
        assertThat(ps.executeUpdate()).isEqualTo(1);

        // the same execution report again, even with other figures, is refused
        Object[] again = {UUID.randomUUID(), UUID.fromString(sellId), TENANT, UUID.fromString(account), "LP-A", "EX-1",
          new BigDecimal("3"), new BigDecimal("121.00"), now, now};
        for (int i = 0; i < again.length; i++) ps.setObject(i + 1, again[i]);
        SQLException dup = catchThrowableOfType(SQLException.class, ps::executeUpdate);
        assertThat((Throwable) dup).isNotNull();
        assertThat(dup.getSQLState()).as(dup.getMessage()).isEqualTo("23505");

        // another LP may use the same exec id
        Object[] otherLp = {UUID.randomUUID(), UUID.fromString(sellId), TENANT, UUID.fromString(account), "LP-B", "EX-1",
          new BigDecimal("1"), new BigDecimal("120.00"), now, now};
        for (int i = 0; i < otherLp.length; i++) ps.setObject(i + 1, otherLp[i]);
        assertThat(ps.executeUpdate()).isEqualTo(1);
      }
      assertThat(count(c, "SELECT count(*) FROM fills WHERE lp_id = 'LP-A' AND lp_exec_id = 'EX-1'")).isEqualTo(1);
    }
  }

  @Test
  void moneyAndQuantitiesAreNumericNeverFloatingPoint() throws Exception {
    try (Connection c = db()) {
      List<String> floats = new ArrayList<>();
      try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("""
        SELECT table_name || '.' || column_name || ' ' || data_type FROM information_schema.columns
        WHERE table_schema = 'public' AND data_type IN ('real', 'double precision', 'money')""")) {
        while (rs.next()) floats.add(rs.getString(1));
      }
      assertThat(floats).as("float/double/real/money columns").isEmpty();

      String[] moneyColumns = {
        "accounts.balance", "accounts.reserved", "accounts.max_order_notional", "accounts.max_position_quantity",
        "orders.quantity", "orders.filled_quantity", "orders.price", "orders.stop_price", "orders.peg_offset",
        "orders.trail_amount", "orders.average_price", "orders.reserved_amount",
        "fills.quantity", "fills.price", "fills.fee",
        "positions.quantity", "positions.average_price", "positions.realized_pnl",
        "instruments.tick_size", "instruments.lot_size", "instruments.min_quantity", "instruments.reference_price"};
      for (String col : moneyColumns) {
        String[] tc = col.split("\\.");
        try (PreparedStatement ps = c.prepareStatement("SELECT data_type FROM information_schema.columns"
          + " WHERE table_schema = 'public' AND table_name = ? AND column_name = ?")) {
          ps.setString(1, tc[0]);
          ps.setString(2, tc[1]);
          try (ResultSet rs = ps.executeQuery()) {
            assertThat(rs.next()).as(col + " exists").isTrue();
            assertThat(rs.getString(1)).as(col).isEqualTo("numeric");
          }
        }
      }
      // exact arithmetic survives the round trip: 10 x 100.00 held to the cent
      assertThat(count(c, "SELECT count(*) FROM orders WHERE id = ? AND reserved_amount = 0 AND quantity = 10.000",
        UUID.fromString(buyId))).isEqualTo(1);
    }
  }
}
