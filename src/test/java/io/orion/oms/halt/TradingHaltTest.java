package io.orion.oms.halt;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.orion.oms.support.Http;
import io.orion.oms.support.TestApp;
import io.orion.oms.support.TestServices;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.ResultSet;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The kill switch: an admin halts the tenant's trading (stored: it survives a restart), new orders get
 * 503 TRADING_HALTED while cancels and quantity reductions still work, other tenants trade on, and the
 * 503 is logged with its errorId and tenant but never with the token.
 */
class TradingHaltTest {
  static TestApp app;

  @BeforeAll
  static void start() throws Exception {
    app = TestApp.start();
  }

  @AfterAll
  static void stop() throws Exception {
    app.close();
  }

  static JsonObject stopOrder(String account, int qty) {
    return new JsonObject().put("clientId", account).put("instrumentId", "AAPL").put("side", "buy")
      .put("orderType", "stop").put("timeInForce", "gtc").put("quantity", qty).put("stopPrice", "150.00");
  }

  @Test
  void haltedTenantCannotSubmitButCanCancelAndTheHaltSurvivesARestart() throws Exception {
    String trader = app.demoTraderToken();
    String admin = app.demoAdminToken();
    String account = app.demoAccountId();
    String held = app.http.post("/api/v1/orders", trader, stopOrder(account, 10)).json().getString("id");
    String other = app.http.post("/api/v1/orders", trader, stopOrder(account, 10)).json().getString("id");

    assertThat(app.http.post("/api/v1/admin/trading-halt", trader, new JsonObject()).status()).as("traders may not")
      .isEqualTo(403);
    Http.Res halt = app.http.post("/api/v1/admin/trading-halt", admin, new JsonObject().put("reason", "Market data outage"));
    assertThat(halt.status()).as(halt.body()).isEqualTo(200);
    assertThat(halt.json().getBoolean("halted")).isTrue();
    assertThat(halt.json().getString("source")).isEqualTo("admin");
    assertThat(halt.json().getString("haltedBy")).isEqualTo(app.config().demo().adminId());

    ListAppender<ILoggingEvent> logs = capture();
    Http.Res refused = app.http.post("/api/v1/orders", trader, stopOrder(account, 1));
    assertThat(refused.status()).as(refused.body()).isEqualTo(503);
    assertThat(refused.header("Content-Type")).isEqualTo("application/problem+json");
    assertThat(refused.json().getString("code")).isEqualTo("TRADING_HALTED");
    assertThat(refused.json().getString("haltSource")).isEqualTo("admin");
    assertThat(refused.json().getString("detail")).contains("Market data outage").contains("cancels still work");
    String errorId = refused.json().getString("errorId");
    assertThat(errorId).isNotBlank();
    ILoggingEvent line = logs.list.stream().filter(e -> e.getFormattedMessage().contains(errorId)).findFirst().orElseThrow();
    Map<String, Object> fields = line.getKeyValuePairs().stream().collect(Collectors.toMap(k -> k.key, k -> k.value));
    assertThat(fields).containsEntry("errorId", errorId).containsEntry("tenant", app.config().demo().tenant())
      .containsEntry("userId", app.config().demo().traderId()).containsEntry("code", "TRADING_HALTED");
    assertThat(logs.list).allSatisfy(e -> assertThat(e.getFormattedMessage() + e.getKeyValuePairs())
      .doesNotContain(trader));

    // an order may shrink, not grow or change otherwise; cancels work
    Http.Res grow = app.http.put("/api/v1/orders/" + held, trader, new JsonObject().put("quantity", 11), Map.of());
    assertThat(grow.status()).as(grow.body()).isEqualTo(503);
    assertThat(grow.json().getString("code")).isEqualTo("TRADING_HALTED");
    Http.Res reprice = app.http.put("/api/v1/orders/" + held, trader, new JsonObject().put("stopPrice", "151.00"), Map.of());
    assertThat(reprice.status()).isEqualTo(503);
    Http.Res shrink = app.http.put("/api/v1/orders/" + held, trader, new JsonObject().put("quantity", 4), Map.of());
    assertThat(shrink.status()).as(shrink.body()).isEqualTo(200);
    assertThat(shrink.json().getInteger("quantity")).isEqualTo(4);
    Http.Res cancel = app.http.delete("/api/v1/orders/" + held, trader);
    assertThat(cancel.status()).as(cancel.body()).isEqualTo(200);
    assertThat(cancel.json().getString("status")).isEqualTo("cancelled");

    // another tenant trades on
    String acmeAdmin = app.token("acme", "root", "admin");
    String acmeAccount = app.http.post("/api/v1/accounts", acmeAdmin, new JsonObject().put("ownerId", "carol")
      .put("name", "Carol").put("currency", "USD").put("balance", "100000")).json().getString("id");
    assertThat(app.http.post("/api/v1/orders", app.token("acme", "carol", "trader"), stopOrder(acmeAccount, 1)).status())
      .isEqualTo(201);
    assertThat(app.http.get("/metrics", null).body()).contains("orion_trading_halted_tenants 1.0");

    // stored: every node and the next start see it
    app.restart();
    assertThat(app.http.post("/api/v1/orders", trader, stopOrder(account, 1)).status()).isEqualTo(503);
    assertThat(app.http.get("/api/v1/admin/trading-halt", admin).json().getString("reason")).isEqualTo("Market data outage");

    Http.Res resumed = app.http.delete("/api/v1/admin/trading-halt", admin);
    assertThat(resumed.status()).as(resumed.body()).isEqualTo(200);
    assertThat(resumed.json().getBoolean("halted")).isFalse();
    assertThat(app.http.post("/api/v1/orders", trader, stopOrder(account, 1)).status()).isEqualTo(201);
    assertThat(app.http.get("/api/v1/orders/" + other, trader).json().getString("status")).as("untouched by the halt")
      .isEqualTo("pending");
    try (Connection c = TestServices.jdbc(app.config().database().url());
         ResultSet rs = c.createStatement().executeQuery("SELECT action, actor FROM trading_halt_log ORDER BY id")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getString(1)).isEqualTo("halt");
      assertThat(rs.next()).isTrue();
      assertThat(rs.getString(1)).isEqualTo("resume");
      assertThat(rs.next()).isFalse();
    }
  }

  @Test
  void executionDisabledByConfigHaltsEveryTenantButCancelsWork() throws Exception {
    String db;
    String orderId;
    String account;
    try (TestApp before = TestApp.start()) {
      db = before.config().database().url();
      account = before.demoAccountId();
      orderId = before.http.post("/api/v1/orders", before.demoTraderToken(), stopOrder(account, 5)).json().getString("id");
    }
    JsonObject overrides = TestApp.noLps().put("database", new JsonObject().put("url", db))
      .put("orders", new JsonObject().put("executionEnabled", false));
    try (TestApp halted = TestApp.start(overrides, java.time.Clock.systemUTC())) {
      String trader = halted.demoTraderToken();
      Http.Res refused = halted.http.post("/api/v1/orders", trader, stopOrder(account, 1));
      assertThat(refused.status()).as(refused.body()).isEqualTo(503);
      assertThat(refused.json().getString("code")).isEqualTo("TRADING_HALTED");
      assertThat(refused.json().getString("haltSource")).isEqualTo("config");
      Http.Res state = halted.http.get("/api/v1/admin/trading-halt", halted.demoAdminToken());
      assertThat(state.json().getString("source")).isEqualTo("config");
      // an admin resume cannot lift the configuration's halt
      assertThat(halted.http.delete("/api/v1/admin/trading-halt", halted.demoAdminToken()).json().getBoolean("halted"))
        .isTrue();
      Http.Res cancel = halted.http.delete("/api/v1/orders/" + orderId, trader);
      assertThat(cancel.status()).as(cancel.body()).isEqualTo(200);
      assertThat(cancel.json().getString("status")).isEqualTo("cancelled");
      assertThat(halted.http.get("/metrics", null).body()).contains("orion_trading_execution_enabled 0.0");
    }
  }

  private static ListAppender<ILoggingEvent> capture() {
    Logger logger = (Logger) LoggerFactory.getLogger("io.orion.oms.api.Endpoints");
    ListAppender<ILoggingEvent> appender = new ListAppender<>();
    appender.start();
    logger.addAppender(appender);
    return appender;
  }

  @Test
  void theHaltLogRefusesUpdateDeleteAndTruncate() throws Exception {
    Http.Res halt = app.http.post("/api/v1/admin/trading-halt", app.demoAdminToken(),
      new JsonObject().put("reason", "append-only check"));
    assertThat(halt.status()).as(halt.body()).isIn(200, 201);
    app.http.delete("/api/v1/admin/trading-halt", app.demoAdminToken());
    try (Connection c = TestServices.jdbc(app.config().database().url())) {
      for (String sql : new String[]{"UPDATE trading_halt_log SET actor = 'mallory'", "DELETE FROM trading_halt_log",
        "TRUNCATE trading_halt_log"}) {
        try (var st = c.createStatement()) {
          st.execute(sql);
          throw new AssertionError(sql + " was allowed");
        } catch (java.sql.SQLException e) {
          assertThat(e.getMessage()).as(sql).contains("trading_halt_log is append-only");
        }
      }
      try (var st = c.createStatement(); ResultSet rs = st.executeQuery(
        "SELECT count(*) FROM trading_halt_log WHERE reason = 'append-only check' OR action = 'resume'")) {
        rs.next();
        assertThat(rs.getInt(1)).as("the halt and the resume are still there").isGreaterThanOrEqualTo(2);
      }
    }
  }
}
