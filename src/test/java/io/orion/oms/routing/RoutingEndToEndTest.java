package io.orion.oms.routing;

import io.orion.oms.lp.sim.SimulatedLp;
import io.orion.oms.support.Await;
import io.orion.oms.support.Http;
import io.orion.oms.support.TestApp;
import io.orion.oms.support.TestServices;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.UUID;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Orders through the whole path to simulated FIX LPs over loopback: routing by price, the circuit
 * breaker and failover, limits never crossed. Quotes are pinned so that every expectation is exact.
 */
class RoutingEndToEndTest {
  static TestApp app;
  static String token;
  static String account;

  @BeforeAll
  static void start() throws Exception {
    // short timeouts so that a silent LP is noticed in a test's time; no retries: a timeout fails over at once
    JsonArray lps = new JsonArray();
    for (String id : new String[]{"lp-alpha", "lp-beta", "lp-gamma"}) {
      lps.add(new JsonObject().put("id", id).put("callTimeoutMs", 400)
        .put("circuit", new JsonObject().put("maxFailures", 5).put("resetTimeoutMs", 1500))
        .put("fix", new JsonObject().put("targetCompId", "LP" + id.substring(3).toUpperCase()).put("heartbeatSeconds", 2)));
    }
    app = TestApp.startWithLps(new JsonObject().put("lps", lps)
      .put("orders", new JsonObject().put("maxRetries", 0).put("retryBackoffMs", 50)));
    token = app.demoTraderToken();
    account = app.demoAccountId();
  }

  @AfterAll
  static void stop() throws Exception {
    app.close();
  }

  @BeforeEach
  void pinPrices() {
    // alpha is the cheapest to buy from and the best to sell to; gamma the worst
    pin("lp-alpha", "1.08440", "1.08450");
    pin("lp-beta", "1.08430", "1.08470");
    pin("lp-gamma", "1.08420", "1.08490");
    for (SimulatedLp lp : app.app().simulator().lps()) {
      lp.setTimeoutRate(0);
      lp.setRejectRate(0);
      lp.setPartialFillRate(0);
    }
  }

  private static void pin(String lp, String bid, String ask) {
    app.app().simulator().lp(lp).pinQuote("EURUSD", new BigDecimal(bid), new BigDecimal(ask));
  }

  private static JsonObject eurusd(String side, String type, long qty) {
    return new JsonObject().put("clientId", account).put("instrumentId", "EURUSD").put("side", side)
      .put("orderType", type).put("timeInForce", "gtc").put("quantity", qty).put("clientOrderId", UUID.randomUUID().toString());
  }

  private static JsonObject submit(JsonObject order) {
    Http.Res r = app.http.post("/api/v1/orders", token, order);
    assertThat(r.status()).as(r.body()).isEqualTo(201);
    return r.json();
  }

  private static JsonObject awaitOrder(String id, String... statuses) throws Exception {
    try {
      return Await.until(() -> {
        JsonObject o = app.http.get("/api/v1/orders/" + id, token).json();
        return java.util.List.of(statuses).contains(o.getString("status")) ? o : null;
      }, "order " + id + " to become " + String.join("|", statuses));
    } catch (AssertionError e) {
      throw new AssertionError(e.getMessage() + "; it is " + app.http.get("/api/v1/orders/" + id, token).body()
        + " with legs " + legLps(id) + " and audit " + app.http.get("/api/v1/orders/" + id + "/audit", token).body());
    }
  }


  private static JsonObject lp(String id) {
    for (Object o : app.http.get("/api/v1/lps", token).json().getJsonArray("data")) {
      if (((JsonObject) o).getString("lpId").equals(id)) return (JsonObject) o;
    }
    throw new AssertionError("no LP " + id);
  }

  /** LP ids that traded this order, from its legs. */
  private static String legLps(String orderId) throws Exception {
    try (Connection c = TestServices.jdbc(app.config().database().url()); Statement s = c.createStatement();
         ResultSet rs = s.executeQuery("SELECT string_agg(lp_id || ':' || status, ',' ORDER BY created_at) FROM order_legs"
           + " WHERE order_id = '" + orderId + "'")) {
      rs.next();
      return rs.getString(1);
    }
  }

  private static BigDecimal dec(JsonObject o, String field) {
    return new BigDecimal(o.getValue(field).toString());
  }

  @Test
  void marketBuyFillsAtTheBestAskAndTheDecisionIsAudited() throws Exception {
    JsonObject order = submit(eurusd("buy", "market", 100_000));
    JsonObject filled = awaitOrder(order.getString("id"), "filled");
    assertThat(dec(filled, "averagePrice")).isEqualByComparingTo("1.08450");
    assertThat(legLps(order.getString("id"))).isEqualTo("lp-alpha:filled");

    JsonArray fills = app.http.get("/api/v1/orders/" + order.getString("id") + "/fills", token).json().getJsonArray("data");
    assertThat(fills).hasSize(1);
    assertThat(dec(fills.getJsonObject(0), "price")).isEqualByComparingTo("1.08450");

    JsonArray audit = app.http.get("/api/v1/orders/" + order.getString("id") + "/audit", token).json().getJsonArray("data");
    JsonObject routed = audit.stream().map(o -> (JsonObject) o).filter(e -> e.getString("eventType").equals("ROUTED"))
      .findFirst().orElseThrow();
    JsonObject decision = routed.getJsonObject("details").getJsonObject("decision");
    assertThat(decision.getString("strategy")).isEqualTo("best");
    assertThat(decision.getJsonArray("allocations").getJsonObject(0).getString("lpId")).isEqualTo("lp-alpha");
  }

  @Test
  void buyingPowerOfAMarketOrderUsesTheLiveAsk() {
    String admin = app.demoAdminToken();
    String user = "bp-" + UUID.randomUUID();
    String acc = app.http.post("/api/v1/accounts", admin, new JsonObject().put("ownerId", user).put("name", "small")
      .put("currency", "USD").put("balance", "1000")).json().getString("id");
    Http.Res r = app.http.post("/api/v1/orders", app.token("demo", user, "trader"), new JsonObject().put("clientId", acc)
      .put("instrumentId", "EURUSD").put("side", "buy").put("orderType", "market").put("timeInForce", "ioc")
      .put("quantity", 10_000));
    assertThat(r.status()).isEqualTo(400);
    // 10,000 at alpha's ask of 1.08450, not at the reference price of 1.08500
    assertThat(r.json().getString("detail")).isEqualTo("Insufficient funds for $10,845.00 order; available: $1,000.00");
  }

  @Test
  void positionsBalanceAndPnlFollowTheFills() throws Exception {
    String user = "pos-" + UUID.randomUUID();
    String acc = app.http.post("/api/v1/accounts", app.demoAdminToken(), new JsonObject().put("ownerId", user)
      .put("name", "positions").put("currency", "USD").put("balance", "100000")).json().getString("id");
    String t = app.token("demo", user, "trader");
    JsonObject buy = new JsonObject().put("clientId", acc).put("instrumentId", "EURUSD").put("side", "buy")
      .put("orderType", "market").put("timeInForce", "ioc").put("quantity", 10_000);
    String b = app.http.post("/api/v1/orders", t, buy).json().getString("id");
    Await.until(() -> "filled".equals(app.http.get("/api/v1/orders/" + b, t).json().getString("status")) ? true : null, "buy");
    String s = app.http.post("/api/v1/orders", t, buy.copy().put("side", "sell").put("quantity", 4_000)).json().getString("id");
    Await.until(() -> "filled".equals(app.http.get("/api/v1/orders/" + s, t).json().getString("status")) ? true : null, "sell");

    JsonObject p = app.http.get("/api/v1/accounts/" + acc + "/positions", t).json().getJsonArray("data").getJsonObject(0);
    assertThat(p.getString("instrumentId")).isEqualTo("EURUSD");
    assertThat(dec(p, "quantity")).isEqualByComparingTo("6000");
    assertThat(dec(p, "averagePrice")).isEqualByComparingTo("1.08450");        // bought at alpha's ask
    assertThat(dec(p, "realizedPnl")).isEqualByComparingTo("-0.4");           // 4,000 sold at 1.08440
    assertThat(dec(p, "markPrice")).isEqualByComparingTo("1.08445");          // mid of best bid and ask
    assertThat(dec(p, "unrealizedPnl")).isEqualByComparingTo("-0.3");
    // cash: -10,845.00 for the buy, +4,337.60 for the sell; nothing left held
    JsonObject account = app.http.get("/api/v1/accounts/" + acc, t).json();
    assertThat(dec(account, "balance")).isEqualByComparingTo("93492.60");
    assertThat(dec(account, "reserved")).isEqualByComparingTo("0");
    assertThat(app.http.get("/api/v1/accounts/" + acc + "/positions", token).status()).isEqualTo(404); // not the demo trader's
  }

  @Test
  void fillOrKillGoesWholeToOneLpThatCoversItOrIsRejected() throws Exception {
    String user = "fok-" + UUID.randomUUID();
    String acc = app.http.post("/api/v1/accounts", app.demoAdminToken(), new JsonObject().put("ownerId", user)
      .put("name", "fok").put("currency", "USD").put("balance", "10000000")).json().getString("id");
    String t = app.token("demo", user, "trader");
    JsonObject fok = new JsonObject().put("clientId", acc).put("instrumentId", "EURUSD").put("side", "buy")
      .put("orderType", "market").put("timeInForce", "fok");
    // alpha (best ask) quotes 500,000 and beta 1,000,000: only gamma's 2,000,000 covers 1,500,000 alone
    String big = app.http.post("/api/v1/orders", t, fok.copy().put("quantity", 1_500_000)).json().getString("id");
    JsonObject filled = Await.until(() -> {
      JsonObject o = app.http.get("/api/v1/orders/" + big, t).json();
      return "filled".equals(o.getString("status")) ? o : null;
    }, "the FOK order to fill");
    assertThat(legLps(big)).isEqualTo("lp-gamma:filled");
    assertThat(dec(filled, "averagePrice")).isEqualByComparingTo("1.08490");

    String tooBig = app.http.post("/api/v1/orders", t, fok.copy().put("quantity", 3_000_000)).json().getString("id");
    JsonObject rejected = Await.until(() -> {
      JsonObject o = app.http.get("/api/v1/orders/" + tooBig, t).json();
      return "rejected".equals(o.getString("status")) ? o : null;
    }, "the uncoverable FOK order to be rejected");
    assertThat(rejected.getString("rejectCode")).isEqualTo("NO_LIQUIDITY");
    assertThat(legLps(tooBig)).isNull(); // nothing was sent anywhere
  }

  @Test
  void aRoutableOrderIsWrittenWithItsLegAndDecisionInOneTransaction() throws Exception {
    // resting away from the market, so no report changes the rows read below
    JsonObject order = submit(eurusd("buy", "limit", 100_000).put("price", "1.08000"));
    String id = order.getString("id");
    // read at once after the 201: the leg, the decision and the ROUTED and SENT entries are already there,
    // written by the transaction that wrote the order (the same xmin as its SUBMITTED entry)
    try (Connection c = TestServices.jdbc(app.config().database().url()); Statement s = c.createStatement();
         ResultSet rs = s.executeQuery("SELECT (SELECT string_agg(event_type, ',' ORDER BY id) FROM execution_logs"
           + " WHERE order_id = '" + id + "'),"
           + " (SELECT xmin::text FROM execution_logs WHERE order_id = '" + id + "' AND event_type = 'SUBMITTED')"
           + "   = (SELECT xmin::text FROM routing_decisions WHERE order_id = '" + id + "'),"
           + " (SELECT count(*) FROM order_legs WHERE order_id = '" + id + "')")) {
      rs.next();
      assertThat(rs.getString(1)).startsWith("SUBMITTED,VALIDATED,ROUTED,SENT");
      assertThat(rs.getBoolean(2)).as("decision written by the order's own transaction").isTrue();
      assertThat(rs.getInt(3)).isEqualTo(1);
    }
    app.http.delete("/api/v1/orders/" + id, token);
  }

  @Test
  void marketSellGoesToTheHighestBid() throws Exception {
    JsonObject order = submit(eurusd("sell", "market", 50_000));
    JsonObject filled = awaitOrder(order.getString("id"), "filled");
    assertThat(dec(filled, "averagePrice")).isEqualByComparingTo("1.08440");
    assertThat(legLps(order.getString("id"))).isEqualTo("lp-alpha:filled");
  }

  @Test
  void limitPricesAreNeverCrossed() throws Exception {
    JsonObject resting = submit(eurusd("buy", "limit", 100_000).put("price", "1.08300"));
    JsonObject working = awaitOrder(resting.getString("id"), "working");
    assertThat(dec(working, "filledQuantity")).isEqualByComparingTo("0");

    // marketable at one LP only: fills there at the quote, never worse than the limit
    JsonObject marketable = submit(eurusd("buy", "limit", 100_000).put("price", "1.08460"));
    JsonObject filled = awaitOrder(marketable.getString("id"), "filled");
    assertThat(dec(filled, "averagePrice")).isLessThanOrEqualTo(new BigDecimal("1.08460"));
    assertThat(legLps(marketable.getString("id"))).isEqualTo("lp-alpha:filled");

    Http.Res cancel = app.http.delete("/api/v1/orders/" + resting.getString("id"), token);
    assertThat(cancel.status()).as(cancel.body()).isEqualTo(200);
    assertThat(cancel.json().getString("status")).isEqualTo("pending_cancel");
    awaitOrder(resting.getString("id"), "cancelled");
  }

  @Test
  void manualRoutingToAnUnknownLpIsAClear400() {
    Http.Res r = app.http.post("/api/v1/orders", token, eurusd("buy", "market", 1000).put("routingStrategy", "manual")
      .put("lpId", "lp-nowhere"));
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.json().getString("code")).isEqualTo("UNKNOWN_LP");
  }

  @Test
  void silentLpOpensItsCircuitItsOrdersFailOverAndItRecovers() throws Exception {
    SimulatedLp alpha = app.app().simulator().lp("lp-alpha");
    alpha.setTimeoutRate(1.0);
    // a manual order insists on its LP: when alpha does not answer it is rejected, not sent elsewhere
    JsonObject insisted = submit(eurusd("buy", "market", 10_000).put("routingStrategy", "manual").put("lpId", "lp-alpha"));
    JsonObject rejected = awaitOrder(insisted.getString("id"), "rejected");
    assertThat(rejected.getString("rejectCode")).isEqualTo("LP_UNHEALTHY");
    // four more orders go to alpha (best price), time out there and fail over to the next best LP (beta)
    for (int i = 0; i < 4; i++) {
      JsonObject o = submit(eurusd("buy", "market", 10_000));
      JsonObject filled = awaitOrder(o.getString("id"), "filled");
      assertThat(legLps(o.getString("id"))).isEqualTo("lp-alpha:failed,lp-beta:filled");
      assertThat(dec(filled, "averagePrice")).isEqualByComparingTo("1.08470");
    }
    JsonObject open = Await.until(() -> "open".equals(lp("lp-alpha").getString("circuit")) ? lp("lp-alpha") : null,
      "alpha's circuit to open");
    assertThat(open.getBoolean("healthy")).isFalse();

    // while open, best price skips alpha without even trying it
    JsonObject skipped = submit(eurusd("buy", "market", 10_000));
    awaitOrder(skipped.getString("id"), "filled");
    assertThat(legLps(skipped.getString("id"))).isEqualTo("lp-beta:filled");

    // after the reset timeout a probe goes through and, now that alpha answers, the circuit closes
    alpha.setTimeoutRate(0);
    Await.until(() -> "half_open".equals(lp("lp-alpha").getString("circuit")) ? true : null, "alpha half-open");
    JsonObject probe = submit(eurusd("buy", "market", 10_000));
    awaitOrder(probe.getString("id"), "filled");
    assertThat(legLps(probe.getString("id"))).isEqualTo("lp-alpha:filled");
    Await.until(() -> "closed".equals(lp("lp-alpha").getString("circuit")) ? true : null, "alpha's circuit to close");
  }

  @Test
  void anLpRejectFailsOverToTheNextBest() throws Exception {
    app.app().simulator().lp("lp-alpha").setRejectRate(1.0);
    JsonObject o = submit(eurusd("buy", "market", 20_000));
    JsonObject filled = awaitOrder(o.getString("id"), "filled");
    assertThat(legLps(o.getString("id"))).isEqualTo("lp-alpha:rejected,lp-beta:filled");
    assertThat(dec(filled, "averagePrice")).isEqualByComparingTo("1.08470");
  }

  @Test
  void whenEveryLpRejectsTheOrderIsRejectedWithTheLpsReasonAndNeverResent() throws Exception {
    long[] before = new long[3];
    String[] ids = {"lp-alpha", "lp-beta", "lp-gamma"};
    for (int i = 0; i < 3; i++) {
      app.app().simulator().lp(ids[i]).setRejectRate(1.0);
      before[i] = app.app().simulator().lp(ids[i]).ordersReceived();
    }
    JsonObject o = submit(eurusd("buy", "market", 20_000));
    JsonObject rejected = awaitOrder(o.getString("id"), "rejected");
    assertThat(rejected.getString("rejectCode")).isEqualTo("LP_REJECTED");
    assertThat(rejected.getString("rejectReason")).startsWith("Rejected by lp-gamma");
    assertThat(legLps(o.getString("id"))).isEqualTo("lp-alpha:rejected,lp-beta:rejected,lp-gamma:rejected");
    for (int i = 0; i < 3; i++) {
      assertThat(app.app().simulator().lp(ids[i]).ordersReceived() - before[i]).as("orders sent to " + ids[i]).isEqualTo(1);
    }
    JsonArray audit = app.http.get("/api/v1/orders/" + o.getString("id") + "/audit", token).json().getJsonArray("data");
    assertThat(audit.stream().map(e -> ((JsonObject) e).getString("eventType")))
      .containsSubsequence("SENT", "LEG_REJECTED", "SENT", "LEG_REJECTED", "SENT", "LEG_REJECTED", "REJECTED")
      .doesNotContain("EXECUTED");
  }

  @Test
  void routingIsVisibleInPrometheusMetrics() throws Exception {
    JsonObject order = submit(eurusd("buy", "market", 10_000));
    awaitOrder(order.getString("id"), "filled");
    String metrics = app.http.get("/metrics", null).body();
    assertThat(metrics).containsPattern("orion_orders_routed_total\\{lp=\"lp-alpha\",strategy=\"best\"} [1-9]");
    assertThat(metrics).containsPattern("orion_routing_decision_seconds_count [1-9]");
    assertThat(metrics).contains("orion_lp_circuit_state{lp=\"lp-beta\"}");
    assertThat(metrics).containsPattern("orion_lp_latency_seconds_count\\{lp=\"lp-alpha\"} [1-9]");
    assertThat(metrics).contains("vertx_http_server_requests_total");
  }

  @Test
  void lpsEndpointShowsEachLpsState() {
    JsonArray data = app.http.get("/api/v1/lps", token).json().getJsonArray("data");
    assertThat(data).hasSize(3);
    JsonObject beta = lp("lp-beta");
    assertThat(beta.getBoolean("connected")).isTrue();
    assertThat(beta.getLong("lastQuoteAgeMs")).isNotNull().isLessThan(5000L);
    assertThat(beta.getString("circuit")).isIn("closed", "half_open", "open");
  }
}
