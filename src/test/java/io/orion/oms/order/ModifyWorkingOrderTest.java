package io.orion.oms.order;

import io.orion.oms.lp.sim.SimulatedLp;
import io.orion.oms.support.Await;
import io.orion.oms.support.Http;
import io.orion.oms.support.QuietMarket;
import io.orion.oms.support.QuietMarket.Trader;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * PUT /orders/{id} on orders the LPs hold: cancel/replace at the FIX simulator, the order pending_replace
 * until the LP answers, then working with the new terms (or its old ones when the LP could not be asked),
 * funds following, and the whole exchange in /history and the audit trail. Quotes are pinned so that
 * resting orders rest and crossing ones fill exactly.
 */
class ModifyWorkingOrderTest {
  static TestApp app;
  static String admin;

  @BeforeAll
  static void start() throws Exception {
    app = TestApp.startWithLps(QuietMarket.overrides(500));
    admin = app.demoAdminToken();
  }

  @AfterAll
  static void stop() throws Exception {
    app.close();
  }

  @BeforeEach
  void pinPrices() {
    QuietMarket.noFaults(app);
    // lp-alpha quotes the best ask: single-LP orders rest there
    pin("lp-alpha", "1.08440", "1.08450");
    pin("lp-beta", "1.08430", "1.08470");
    pin("lp-gamma", "1.08420", "1.08490");
  }

  private static void pin(String lp, String bid, String ask) {
    QuietMarket.pin(app, lp, "EURUSD", bid, ask);
  }

  private static Trader trader(String balance) {
    return QuietMarket.trader(app, balance);
  }

  private static JsonObject limitBuy(Trader t, long qty, String price) {
    return new JsonObject().put("clientId", t.account()).put("instrumentId", "EURUSD").put("side", "buy")
      .put("orderType", "limit").put("timeInForce", "gtc").put("quantity", qty).put("price", price);
  }

  private static JsonObject submit(Trader t, JsonObject order) {
    Http.Res r = app.http.post("/api/v1/orders", t.token(), order);
    assertThat(r.status()).as(r.body()).isEqualTo(201);
    return r.json();
  }

  private static JsonObject awaitOrder(Trader t, String id, String... statuses) throws Exception {
    try {
      return Await.until(() -> {
        JsonObject o = app.http.get("/api/v1/orders/" + id, t.token()).json();
        return List.of(statuses).contains(o.getString("status")) ? o : null;
      }, "order " + id + " to become " + String.join("|", statuses));
    } catch (AssertionError e) {
      throw new AssertionError(e.getMessage() + "; it is " + app.http.get("/api/v1/orders/" + id, t.token()).body()
        + " with legs " + legs(id) + " and audit " + app.http.get("/api/v1/orders/" + id + "/audit", t.token()).body());
    }
  }

  private static Http.Res modify(Trader t, JsonObject order, JsonObject change) {
    return app.http.put("/api/v1/orders/" + order.getString("id"), t.token(), change,
      Map.of("If-Match", "\"" + order.getLong("version") + "\""));
  }

  /** The order's legs as lpId:status:quantity:price:clOrdId, oldest first. */
  private static List<String> legs(String orderId) {
    List<String> out = new ArrayList<>();
    try (Connection c = TestServices.jdbc(app.config().database().url()); Statement s = c.createStatement();
         ResultSet rs = s.executeQuery("SELECT lp_id, status, quantity, price, cl_ord_id FROM order_legs WHERE order_id = '"
           + orderId + "' ORDER BY created_at, cl_ord_id")) {
      while (rs.next()) {
        out.add(rs.getString(1) + ":" + rs.getString(2) + ":" + rs.getBigDecimal(3).stripTrailingZeros().toPlainString()
          + ":" + (rs.getBigDecimal(4) == null ? "-" : rs.getBigDecimal(4).stripTrailingZeros().toPlainString())
          + ":" + rs.getString(5));
      }
    } catch (Exception e) {
      throw new AssertionError(e);
    }
    return out;
  }

  private static BigDecimal dec(JsonObject o, String field) {
    return new BigDecimal(o.getValue(field).toString());
  }

  private static JsonObject account(Trader t) {
    return app.http.get("/api/v1/accounts/" + t.account(), t.token()).json();
  }

  private static List<String> auditTrail(Trader t, String id) {
    List<String> out = new ArrayList<>();
    for (Object o : app.http.get("/api/v1/orders/" + id + "/audit", t.token()).json().getJsonArray("data")) {
      out.add(((JsonObject) o).getString("eventType"));
    }
    return out;
  }

  @Test
  void aWorkingLimitIsCancelReplacedAtItsLpAndFillsOnItsNewTerms() throws Exception {
    Trader t = trader("1000000");
    JsonObject o = submit(t, limitBuy(t, 100_000, "1.08000"));
    String id = o.getString("id");
    JsonObject working = awaitOrder(t, id, "working");
    assertThat(dec(account(t), "reserved")).isEqualByComparingTo("108000.00");
    String firstClOrdId = legs(id).get(0).split(":")[4];

    Http.Res mod = modify(t, working, new JsonObject().put("quantity", 200_000).put("price", "1.08100"));
    assertThat(mod.status()).as(mod.body()).isEqualTo(200);
    assertThat(mod.json().getString("status")).as("the LP has not answered yet").isEqualTo("pending_replace");
    assertThat(mod.header("ETag")).isEqualTo("\"" + mod.json().getLong("version") + "\"");

    JsonObject replaced = awaitOrder(t, id, "working");
    assertThat(dec(replaced, "quantity")).isEqualByComparingTo("200000");
    assertThat(dec(replaced, "remainingQuantity")).isEqualByComparingTo("200000");
    assertThat(dec(replaced, "price")).isEqualByComparingTo("1.08100");
    // one leg, same LP, new ClOrdID and terms
    List<String> legs = legs(id);
    assertThat(legs).hasSize(1);
    String[] leg = legs.get(0).split(":");
    assertThat(leg[0]).isEqualTo("lp-alpha");
    assertThat(leg[1]).isEqualTo("working");
    assertThat(leg[2]).isEqualTo("200000");
    assertThat(leg[3]).isEqualTo("1.081");
    assertThat(leg[4]).isNotEqualTo(firstClOrdId).startsWith(firstClOrdId + "-R");
    assertThat(dec(account(t), "reserved")).as("held for 200,000 at 1.081").isEqualByComparingTo("216200.00");

    JsonArray history = app.http.get("/api/v1/orders/" + id + "/history", t.token()).json().getJsonArray("data");
    assertThat(history).hasSize(1);
    JsonObject rec = history.getJsonObject(0);
    assertThat(rec.getString("kind")).isEqualTo("modify");
    assertThat(rec.getString("status")).isEqualTo("applied");
    assertThat(dec(rec.getJsonObject("requested"), "price")).isEqualByComparingTo("1.081");
    assertThat(dec(rec.getJsonObject("previous"), "quantity")).isEqualByComparingTo("100000");
    assertThat(auditTrail(t, id)).containsSubsequence("SUBMITTED", "VALIDATED", "ROUTED", "SENT", "ACKNOWLEDGED",
      "MODIFY_REQUESTED", "MODIFIED");

    // the LP works the new terms: an ask at the new limit fills all 200,000 there
    pin("lp-alpha", "1.08000", "1.08100");
    JsonObject filled = awaitOrder(t, id, "filled");
    assertThat(dec(filled, "filledQuantity")).isEqualByComparingTo("200000");
    assertThat(dec(filled, "averagePrice")).isEqualByComparingTo("1.08100");
    JsonArray fills = app.http.get("/api/v1/orders/" + id + "/fills", t.token()).json().getJsonArray("data");
    assertThat(fills.stream().map(f -> dec((JsonObject) f, "quantity")).reduce(BigDecimal.ZERO, BigDecimal::add))
      .isEqualByComparingTo("200000");
    JsonObject acc = account(t);
    assertThat(dec(acc, "reserved")).isEqualByComparingTo("0");
    assertThat(dec(acc, "balance")).isEqualByComparingTo("783800.00");
  }

  @Test
  void aSmallerOrderFreesItsFundsOnlyOnceTheLpConfirmed() throws Exception {
    Trader t = trader("1000000");
    JsonObject o = submit(t, limitBuy(t, 300_000, "1.08000"));
    String id = o.getString("id");
    JsonObject working = awaitOrder(t, id, "working");
    assertThat(dec(account(t), "reserved")).isEqualByComparingTo("324000.00");

    Http.Res mod = modify(t, working, new JsonObject().put("quantity", 100_000));
    assertThat(mod.status()).as(mod.body()).isEqualTo(200);
    JsonObject smaller = awaitOrder(t, id, "working");
    assertThat(dec(smaller, "quantity")).isEqualByComparingTo("100000");
    assertThat(dec(smaller, "price")).as("price untouched").isEqualByComparingTo("1.08000");
    assertThat(legs(id).get(0)).contains(":working:100000:1.08:");
    assertThat(dec(account(t), "reserved")).isEqualByComparingTo("108000.00");

    // the cancel goes to the replaced leg and releases the rest
    Http.Res cancel = app.http.delete("/api/v1/orders/" + id, t.token());
    assertThat(cancel.status()).as(cancel.body()).isEqualTo(200);
    awaitOrder(t, id, "cancelled");
    assertThat(dec(account(t), "reserved")).isEqualByComparingTo("0");
    assertThat(legs(id).get(0)).contains(":cancelled:");
  }

  @Test
  void aPartlyFilledOrderKeepsItsFillsAndCannotShrinkBelowThem() throws Exception {
    Trader t = trader("1000000");
    // lp-alpha offers 500,000 at 1.08450 and nothing beyond: a limit there for 700,000 fills 500,000 and rests
    JsonObject o = submit(t, limitBuy(t, 700_000, "1.08450").put("routingStrategy", "manual").put("lpId", "lp-alpha"));
    String id = o.getString("id");
    JsonObject partial = awaitOrder(t, id, "partial_fill");
    BigDecimal filled = dec(partial, "filledQuantity");
    assertThat(filled).isEqualByComparingTo("500000");

    Http.Res tooSmall = modify(t, partial, new JsonObject().put("quantity", filled.longValue()));
    assertThat(tooSmall.status()).as(tooSmall.body()).isEqualTo(400);
    assertThat(tooSmall.json().getString("code")).isEqualTo("VALIDATION_FAILED");
    assertThat(tooSmall.json().getJsonArray("errors").getJsonObject(0).getString("field")).isEqualTo("quantity");

    long bigger = filled.longValue() + 150_000;
    partial = app.http.get("/api/v1/orders/" + id, t.token()).json();
    Http.Res mod = modify(t, partial, new JsonObject().put("quantity", bigger));
    assertThat(mod.status()).as(mod.body()).isEqualTo(200);
    JsonObject grown = awaitOrder(t, id, "partial_fill");
    assertThat(dec(grown, "quantity")).isEqualByComparingTo(BigDecimal.valueOf(bigger));
    assertThat(dec(grown, "filledQuantity")).isEqualByComparingTo(filled);
    assertThat(dec(grown, "remainingQuantity")).isEqualByComparingTo("150000");
    assertThat(dec(account(t), "reserved")).as("held for the 150,000 still open at 1.0845")
      .isEqualByComparingTo("162675.00");
  }

  @Test
  void anLpThatCannotBeAskedLeavesTheOrderOnItsOldTerms() throws Exception {
    Trader t = trader("1000000");
    JsonObject o = submit(t, limitBuy(t, 100_000, "1.08000"));
    String id = o.getString("id");
    JsonObject working = awaitOrder(t, id, "working");
    SimulatedLp alpha = app.app().simulator().lp("lp-alpha");
    alpha.stop();
    try {
      Await.until(() -> lpConnected("lp-alpha") ? null : true, "lp-alpha to be seen down");
      Http.Res mod = modify(t, working, new JsonObject().put("quantity", 150_000).put("price", "1.07900"));
      assertThat(mod.status()).as(mod.body()).isEqualTo(200);
      JsonObject back = awaitOrder(t, id, "working");
      assertThat(dec(back, "quantity")).isEqualByComparingTo("100000");
      assertThat(dec(back, "price")).isEqualByComparingTo("1.08000");
      assertThat(dec(account(t), "reserved")).as("the extra hold is given back").isEqualByComparingTo("108000.00");
      JsonObject rec = app.http.get("/api/v1/orders/" + id + "/history", t.token()).json().getJsonArray("data")
        .getJsonObject(0);
      assertThat(rec.getString("status")).isEqualTo("rejected");
      assertThat(rec.getString("reason")).contains("not sent");
      assertThat(auditTrail(t, id)).containsSubsequence("MODIFY_REQUESTED", "REQUEST_REFUSED", "MODIFY_REJECTED");
      assertThat(legs(id).get(0)).contains(":working:100000:1.08:");
    } finally {
      alpha.start();
      Await.until(() -> lpConnected("lp-alpha") ? true : null, "lp-alpha to come back");
    }
  }

  @Test
  void finalAndPendingOrdersAreRefusedClearly() throws Exception {
    Trader t = trader("1000000");
    JsonObject o = submit(t, limitBuy(t, 100_000, "1.08000"));
    String id = o.getString("id");
    JsonObject working = awaitOrder(t, id, "working");
    // a second change while the first waits for the LP: slow the LP so the first is still pending
    app.app().simulator().lp("lp-alpha").setLatencyMs(800);
    try {
      Http.Res first = modify(t, working, new JsonObject().put("price", "1.07990"));
      assertThat(first.status()).as(first.body()).isEqualTo(200);
      Http.Res second = app.http.put("/api/v1/orders/" + id, t.token(), new JsonObject().put("price", "1.07980"), Map.of());
      assertThat(second.status()).as(second.body()).isEqualTo(400);
      assertThat(second.json().getString("code")).isEqualTo("ORDER_NOT_MODIFIABLE");
      assertThat(second.json().getString("detail")).contains("pending_replace");
      // a stale version is 412 whatever the state
      Http.Res stale = modify(t, working, new JsonObject().put("price", "1.07980"));
      assertThat(stale.status()).as(stale.body()).isEqualTo(412);
    } finally {
      app.app().simulator().lp("lp-alpha").setLatencyMs(0);
    }
    awaitOrder(t, id, "working");
    assertThat(app.http.delete("/api/v1/orders/" + id, t.token()).status()).isEqualTo(200);
    JsonObject cancelled = awaitOrder(t, id, "cancelled");
    Http.Res late = modify(t, cancelled, new JsonObject().put("price", "1.07000"));
    assertThat(late.status()).as(late.body()).isEqualTo(400);
    assertThat(late.json().getString("code")).isEqualTo("ORDER_NOT_MODIFIABLE");
  }

  private static boolean lpConnected(String lpId) {
    for (Object o : app.http.get("/api/v1/lps", admin).json().getJsonArray("data")) {
      JsonObject lp = (JsonObject) o;
      if (lp.getString("lpId").equals(lpId)) return lp.getBoolean("connected", false);
    }
    return false;
  }
}
