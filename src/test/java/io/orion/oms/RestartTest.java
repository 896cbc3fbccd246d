package io.orion.oms;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.orion.oms.events.EventPublisher;
import io.orion.oms.support.Http;
import io.orion.oms.support.TestApp;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.slf4j.LoggerFactory;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Everything the service promises to keep survives a stop and start on the same database and data
 * directory: orders, held funds, the audit trail, idempotency answers and the token signing key. The
 * service has no LPs: the open orders are of a held type (stop_limit, stop far from the market), which stay
 * pending; a limit order is rejected by routing, and that final state must survive too.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RestartTest {
  static TestApp app;

  @AfterAll
  static void stop() throws Exception {
    if (app != null) app.close();
  }

  /** An order that stays pending: a stop_limit, its stop far on the side AAPL (150.00) is not heading. */
  static JsonObject order(String accountId, String side, int qty, String price) {
    return new JsonObject().put("clientId", accountId).put("instrumentId", "AAPL").put("side", side)
      .put("orderType", "stop_limit").put("timeInForce", "gtc").put("quantity", qty).put("price", price)
      .put("stopPrice", side.equals("buy") ? "1000.00" : "1.00");
  }

  /** Polls the order until routing has rejected it (10 s at most). */
  static JsonObject awaitRejected(String id) throws InterruptedException {
    long deadline = System.nanoTime() + java.time.Duration.ofSeconds(10).toNanos();
    JsonObject now = ok(app.http.get("/api/v1/orders/" + id, trader));
    while (!"rejected".equals(now.getString("status"))) {
      assertThat(System.nanoTime()).as("order to be rejected by routing: %s", now).isLessThan(deadline);
      Thread.sleep(20);
      now = ok(app.http.get("/api/v1/orders/" + id, trader));
    }
    return now;
  }

  static BigDecimal dec(Object v) {
    return new BigDecimal(v.toString());
  }

  static JsonObject ok(Http.Res r) {
    assertThat(r.status()).as(r.toString()).isBetween(200, 201);
    return r.json();
  }

  // what was seen before the restart
  static String trader;
  static String admin;
  static String demoAccount;
  static String account;
  static JsonObject b1;
  static JsonObject b2;
  static Http.Res keyed;
  static final Map<String, JsonObject> before = new LinkedHashMap<>();
  static final Map<String, JsonArray> auditBefore = new LinkedHashMap<>();
  static final Map<String, JsonArray> historyBefore = new LinkedHashMap<>();
  static JsonObject accountBefore;
  static JsonObject demoBefore;
  static JsonObject listBefore;
  static int accountsBefore;

  /**
   * Orders of every kind (held buy, cancelled buy, sell, keyed buy, a limit buy rejected by routing) on two
   * accounts, recorded, then a restart.
   */
  @BeforeAll
  static void submitThenRestart() throws Exception {
    app = TestApp.start();
    trader = app.demoTraderToken();
    admin = app.demoAdminToken();
    demoAccount = app.demoAccountId();

    JsonObject acct = ok(app.http.post("/api/v1/accounts", admin, new JsonObject().put("ownerId", "demo-trader")
      .put("name", "restart account").put("currency", "USD").put("balance", "50000")));
    account = acct.getString("id");

    b1 = ok(app.http.post("/api/v1/orders", trader, order(account, "buy", 10, "149.50").put("clientOrderId", "r-1")));
    b2 = ok(app.http.post("/api/v1/orders", trader, order(account, "buy", 3, "101.25")));
    JsonObject s1 = ok(app.http.post("/api/v1/orders", trader, order(account, "sell", 5, "160.00")));
    JsonObject d1 = ok(app.http.post("/api/v1/orders", trader, order(demoAccount, "buy", 1, "150.00")));
    ok(app.http.delete("/api/v1/orders/" + b2.getString("id") + "?reason=restart-test", trader));
    keyed = app.http.post("/api/v1/orders", trader, order(account, "buy", 2, "100.00"),
      Map.of("Idempotency-Key", "restart-key"));
    assertThat(keyed.status()).isEqualTo(201);
    JsonObject limit = order(account, "buy", 4, "120.00").put("orderType", "limit");
    limit.remove("stopPrice");
    JsonObject l1 = ok(app.http.post("/api/v1/orders", trader, limit));
    assertThat(awaitRejected(l1.getString("id")).getString("rejectCode")).isEqualTo("NO_HEALTHY_LP");
    for (JsonObject o : List.of(b1, b2, s1, d1, keyed.json(), l1)) {
      String id = o.getString("id");
      before.put(id, ok(app.http.get("/api/v1/orders/" + id, trader)));
      auditBefore.put(id, ok(app.http.get("/api/v1/orders/" + id + "/audit", trader)).getJsonArray("data"));
      historyBefore.put(id, ok(app.http.get("/api/v1/orders/" + id + "/history", trader)).getJsonArray("data"));
    }
    assertThat(before.get(b2.getString("id")).getString("status")).isEqualTo("cancelled");
    assertThat(auditBefore.get(b2.getString("id"))).hasSize(3);
    accountBefore = ok(app.http.get("/api/v1/accounts/" + account, trader));
    demoBefore = ok(app.http.get("/api/v1/accounts/" + demoAccount, trader));
    // 10 x 149.50 + 2 x 100.00 held; the cancelled and the rejected buys released, the sell holds nothing
    assertThat(dec(accountBefore.getValue("reserved"))).isEqualByComparingTo("1695.00");
    listBefore = ok(app.http.get("/api/v1/orders?limit=100", trader));
    accountsBefore = ok(app.http.get("/api/v1/accounts", trader)).getJsonArray("data").size();

    Logger publisherLog = (Logger) LoggerFactory.getLogger(EventPublisher.class);
    ListAppender<ILoggingEvent> publisherLogs = new ListAppender<>();
    publisherLogs.start();
    publisherLog.addAppender(publisherLogs);
    try {
      app.restart();
    } finally {
      publisherLog.detachAppender(publisherLogs);
    }
    // the publisher stops before the pool closes: no drain may fail on a closed pool while the service stops
    assertThat(publisherLogs.list).filteredOn(e -> e.getLevel().isGreaterOrEqual(Level.WARN))
      .extracting(ILoggingEvent::getFormattedMessage).isEmpty();
  }

  @Test
  @Order(1)
  void aTokenIssuedBeforeTheRestartStillWorks() {
    // signed with the HS256 key that lives in the data directory
    Http.Res accounts = app.http.get("/api/v1/accounts", trader);
    assertThat(accounts.status()).as(accounts.body()).isEqualTo(200);
    assertThat(accounts.json().getJsonArray("data").size()).as("the demo tenant is not seeded twice")
      .isEqualTo(accountsBefore);
    assertThat(app.demoAccountId()).isEqualTo(demoAccount);
    assertThat(app.http.get("/api/v1/orders", admin).status()).isEqualTo(200);
    // and a token signed after it is accepted too
    assertThat(app.http.get("/api/v1/accounts", app.demoTraderToken()).status()).isEqualTo(200);
  }

  @Test
  @Order(2)
  void ordersAndTheirTrailAreStillThere() {
    for (Map.Entry<String, JsonObject> e : before.entrySet()) {
      JsonObject now = ok(app.http.get("/api/v1/orders/" + e.getKey(), trader));
      JsonObject then = e.getValue();
      assertThat(now.getString("id")).isEqualTo(then.getString("id"));
      assertThat(now.getString("orderRef")).isEqualTo(then.getString("orderRef"));
      assertThat(now.getString("status")).isEqualTo(then.getString("status"));
      assertThat(now).as("order unchanged by the restart").isEqualTo(then);
      JsonObject byRef = ok(app.http.get("/api/v1/orders/ref/" + then.getString("orderRef"), trader));
      assertThat(byRef.getString("id")).isEqualTo(e.getKey());
      assertThat(ok(app.http.get("/api/v1/orders/" + e.getKey() + "/audit", trader)).getJsonArray("data"))
        .as("audit trail of " + e.getKey()).isEqualTo(auditBefore.get(e.getKey()));
      assertThat(ok(app.http.get("/api/v1/orders/" + e.getKey() + "/history", trader)).getJsonArray("data"))
        .isEqualTo(historyBefore.get(e.getKey()));
    }
    assertThat(ok(app.http.get("/api/v1/orders?limit=100", trader))).isEqualTo(listBefore);
  }

  @Test
  @Order(3)
  void balancesAndHeldFundsAreStillThere() {
    JsonObject accountAfter = ok(app.http.get("/api/v1/accounts/" + account, trader));
    assertThat(dec(accountAfter.getValue("balance"))).isEqualByComparingTo("50000");
    assertThat(dec(accountAfter.getValue("reserved"))).isEqualByComparingTo("1695.00");
    assertThat(dec(accountAfter.getValue("available"))).isEqualByComparingTo("48305.00");
    JsonObject demoAfter = ok(app.http.get("/api/v1/accounts/" + demoAccount, trader));
    assertThat(dec(demoAfter.getValue("balance"))).isEqualByComparingTo(dec(demoBefore.getValue("balance")));
    assertThat(dec(demoAfter.getValue("reserved"))).isEqualByComparingTo("150.00");
  }

  @Test
  @Order(4)
  void idempotencyIsRememberedAcrossTheRestart() {
    Http.Res resent = app.http.post("/api/v1/orders", trader, order(account, "buy", 10, "149.50").put("clientOrderId", "r-1"));
    assertThat(resent.status()).as(resent.body()).isEqualTo(200);
    assertThat(resent.json().getString("id")).isEqualTo(b1.getString("id"));
    Http.Res replay = app.http.post("/api/v1/orders", trader, order(account, "buy", 2, "100.00"),
      Map.of("Idempotency-Key", "restart-key"));
    assertThat(replay.status()).isEqualTo(201);
    assertThat(replay.header("Idempotent-Replayed")).isEqualTo("true");
    assertThat(replay.json().getString("id")).isEqualTo(keyed.json().getString("id"));
    assertThat(dec(ok(app.http.get("/api/v1/accounts/" + account, trader)).getValue("reserved")))
      .isEqualByComparingTo("1695.00");
  }

  @Test
  @Order(5)
  void newOrdersGetNewUniqueRefsAndOldOnesCanStillBeCancelled() {
    Set<String> refs = new HashSet<>();
    before.values().forEach(o -> refs.add(o.getString("orderRef")));
    List<String> newRefs = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      Http.Res r = app.http.post("/api/v1/orders", trader, order(account, "buy", 1, "100.00"));
      assertThat(r.status()).as(r.body()).isEqualTo(201);
      assertThat(before).doesNotContainKey(r.json().getString("id"));
      newRefs.add(r.json().getString("orderRef"));
      assertThat(ok(app.http.get("/api/v1/orders/ref/" + newRefs.get(i), trader)).getString("id"))
        .isEqualTo(r.json().getString("id"));
    }
    assertThat(newRefs).doesNotHaveDuplicates().doesNotContainAnyElementsOf(refs);
    assertThat(newRefs).allSatisfy(ref -> assertThat(ref).startsWith("ORD-"));
    assertThat(dec(ok(app.http.get("/api/v1/accounts/" + account, trader)).getValue("reserved")))
      .isEqualByComparingTo("1995.00");
    assertThat(ok(app.http.get("/api/v1/orders?limit=100", trader)).getLong("total"))
      .isEqualTo(listBefore.getLong("total") + 3);

    // a cancel after the restart works on an order made before it and appends to the same trail
    Http.Res cancel = app.http.delete("/api/v1/orders/" + b1.getString("id"), trader);
    assertThat(cancel.status()).as(cancel.body()).isEqualTo(200);
    assertThat(ok(app.http.get("/api/v1/orders/" + b1.getString("id") + "/audit", trader)).getJsonArray("data"))
      .hasSize(auditBefore.get(b1.getString("id")).size() + 1);
    assertThat(dec(ok(app.http.get("/api/v1/accounts/" + account, trader)).getValue("reserved")))
      .isEqualByComparingTo("500.00");
  }
}
