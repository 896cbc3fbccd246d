package io.orion.oms.order;

import io.orion.oms.lp.sim.SimulatedLp;
import io.orion.oms.support.Await;
import io.orion.oms.support.Http;
import io.orion.oms.support.QuietMarket;
import io.orion.oms.support.QuietMarket.Trader;
import io.orion.oms.support.TestApp;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The seed scenarios of an order's life, through the public API against the FIX simulator: an immediate
 * market fill, insufficient funds, partial fills, a cancellation, and a round trip that closes the
 * position; after each, positions and balances are checked against the fills. (Timeouts with recovery,
 * modification and expiry have their own classes.) Quotes move only when pinned here.
 */
class LifecycleScenariosTest {
  static TestApp app;
  static String admin;

  @BeforeAll
  static void start() throws Exception {
    app = TestApp.startWithLps(QuietMarket.overrides(100));
    admin = app.demoAdminToken();
  }

  @AfterAll
  static void stop() throws Exception {
    app.close();
  }

  @BeforeEach
  void pinPrices() {
    QuietMarket.noFaults(app);
    // AAPL: alpha offers 100 at 150.00, the others are worse
    pin("lp-alpha", "149.99", "150.00");
    pin("lp-beta", "149.95", "150.05");
    pin("lp-gamma", "149.90", "150.10");
  }

  private static void pin(String lp, String bid, String ask) {
    QuietMarket.pin(app, lp, "AAPL", bid, ask);
  }

  private static Trader trader(String balance) {
    return QuietMarket.trader(app, balance);
  }

  private static JsonObject order(Trader t, String side, String type, long qty) {
    return new JsonObject().put("clientId", t.account()).put("instrumentId", "AAPL").put("side", side)
      .put("orderType", type).put("timeInForce", "market".equals(type) ? "ioc" : "gtc").put("quantity", qty);
  }

  private static JsonObject submit(Trader t, JsonObject order) {
    Http.Res r = app.http.post("/api/v1/orders", t.token(), order);
    assertThat(r.status()).as(r.body()).isEqualTo(201);
    return r.json();
  }

  private static JsonObject awaitOrder(Trader t, String id, String status) throws Exception {
    return Await.until(() -> {
      JsonObject o = app.http.get("/api/v1/orders/" + id, t.token()).json();
      return status.equals(o.getString("status")) ? o : null;
    }, "order " + id + " to become " + status);
  }

  private static BigDecimal dec(JsonObject o, String field) {
    return new BigDecimal(o.getValue(field).toString());
  }

  private static JsonObject account(Trader t) {
    return app.http.get("/api/v1/accounts/" + t.account(), t.token()).json();
  }

  private static JsonObject position(Trader t) {
    JsonArray all = app.http.get("/api/v1/accounts/" + t.account() + "/positions", t.token()).json().getJsonArray("data");
    return all.stream().map(o -> (JsonObject) o).filter(p -> "AAPL".equals(p.getString("instrumentId"))).findFirst()
      .orElse(null);
  }

  private static JsonArray fills(Trader t, String id) {
    return app.http.get("/api/v1/orders/" + id + "/fills", t.token()).json().getJsonArray("data");
  }

  private static List<String> audit(Trader t, String id) {
    List<String> out = new ArrayList<>();
    app.http.get("/api/v1/orders/" + id + "/audit", t.token()).json().getJsonArray("data")
      .forEach(e -> out.add(((JsonObject) e).getString("eventType")));
    return out;
  }

  @Test
  void aMarketBuyOf100AaplWith15000AvailableFillsAtTheQuotedPrice() throws Exception {
    Trader t = trader("15000");
    JsonObject o = submit(t, order(t, "buy", "market", 100));
    JsonObject filled = awaitOrder(t, o.getString("id"), "filled");
    assertThat(dec(filled, "averagePrice")).isEqualByComparingTo("150.00");
    assertThat(dec(filled, "filledQuantity")).isEqualByComparingTo("100");
    assertThat(dec(filled, "remainingQuantity")).isEqualByComparingTo("0");
    JsonArray fills = fills(t, o.getString("id"));
    assertThat(fills).hasSize(1);
    assertThat(dec(fills.getJsonObject(0), "quantity")).isEqualByComparingTo("100");
    assertThat(dec(fills.getJsonObject(0), "price")).isEqualByComparingTo("150.00");
    assertThat(audit(t, o.getString("id"))).containsExactly("SUBMITTED", "VALIDATED", "ROUTED", "SENT", "FILLED");

    JsonObject acc = account(t);
    assertThat(dec(acc, "balance")).isEqualByComparingTo("0");
    assertThat(dec(acc, "reserved")).isEqualByComparingTo("0");
    JsonObject pos = position(t);
    assertThat(dec(pos, "quantity")).isEqualByComparingTo("100");
    assertThat(dec(pos, "averagePrice")).isEqualByComparingTo("150.00");
    // marked at the latest mid (149.995 at alpha): 100 x -0.005
    assertThat(dec(pos, "unrealizedPnl")).isEqualByComparingTo("-0.50");
  }

  @Test
  void insufficientFundsIsAClear400AndNothingIsSent() throws Exception {
    Trader t = trader("5000");
    long sent = app.app().simulator().lps().stream().mapToLong(SimulatedLp::ordersReceived).sum();
    Http.Res r = app.http.post("/api/v1/orders", t.token(), order(t, "buy", "market", 100));
    assertThat(r.status()).as(r.body()).isEqualTo(400);
    assertThat(r.json().getString("code")).isEqualTo("INSUFFICIENT_FUNDS");
    assertThat(r.json().getString("detail")).isEqualTo("Insufficient funds for $15,000.00 order; available: $5,000.00");
    assertThat(app.http.get("/api/v1/orders", t.token()).json().getLong("total")).isZero();
    assertThat(app.app().simulator().lps().stream().mapToLong(SimulatedLp::ordersReceived).sum()).isEqualTo(sent);
    assertThat(dec(account(t), "reserved")).isEqualByComparingTo("0");
  }

  @Test
  void partialFillsAddUpAndTheRestFillsWhenTheMarketComes() throws Exception {
    Trader t = trader("100000");
    // 250 at 150.00, manual to alpha, which offers 100 there: 100 now, the rest rests
    JsonObject o = submit(t, order(t, "buy", "limit", 250).put("price", "150.00").put("routingStrategy", "manual")
      .put("lpId", "lp-alpha"));
    String id = o.getString("id");
    JsonObject partial = awaitOrder(t, id, "partial_fill");
    assertThat(dec(partial, "filledQuantity")).isEqualByComparingTo("100");
    assertThat(dec(partial, "remainingQuantity")).isEqualByComparingTo("150");
    assertThat(dec(account(t), "reserved")).as("held for the 150 still open").isEqualByComparingTo("22500.00");
    assertThat(dec(account(t), "balance")).isEqualByComparingTo("85000.00");

    // a fresh book at 149.98 (100) fills another 100 below the limit, then one more refresh the last 50
    pin("lp-alpha", "149.97", "149.98");
    Await.until(() -> dec(app.http.get("/api/v1/orders/" + id, t.token()).json(), "filledQuantity")
      .compareTo(new BigDecimal("200")) == 0 ? true : null, "200 filled");
    pin("lp-alpha", "149.98", "149.99");
    JsonObject filled = awaitOrder(t, id, "filled");
    JsonArray fills = fills(t, id);
    assertThat(fills).hasSize(3);
    BigDecimal qty = BigDecimal.ZERO;
    BigDecimal notional = BigDecimal.ZERO;
    for (Object f : fills) {
      qty = qty.add(dec((JsonObject) f, "quantity"));
      notional = notional.add(dec((JsonObject) f, "quantity").multiply(dec((JsonObject) f, "price")));
    }
    assertThat(qty).isEqualByComparingTo("250");
    assertThat(notional).isEqualByComparingTo("37497.50"); // 100 x 150.00 + 100 x 149.98 + 50 x 149.99
    assertThat(dec(filled, "averagePrice")).isEqualByComparingTo("149.99");
    assertThat(audit(t, id)).containsSubsequence("SUBMITTED", "VALIDATED", "ROUTED", "SENT", "PARTIALLY_FILLED",
      "PARTIALLY_FILLED", "FILLED");
    JsonObject acc = account(t);
    assertThat(dec(acc, "balance")).isEqualByComparingTo("62502.50");
    assertThat(dec(acc, "reserved")).isEqualByComparingTo("0");
    assertThat(dec(position(t), "quantity")).isEqualByComparingTo("250");
    assertThat(dec(position(t), "averagePrice")).isEqualByComparingTo("149.99");
  }

  @Test
  void aLimitLargerThanTheQuotedSizeTakesWhatIsThereAndRestsTheRest() throws Exception {
    Trader t = trader("100000");
    // best price: only alpha's 100 at 150.00 is within the limit; the other 150 rests there at the limit
    JsonObject o = submit(t, order(t, "buy", "limit", 250).put("price", "150.00"));
    String id = o.getString("id");
    JsonObject partial = awaitOrder(t, id, "partial_fill");
    assertThat(dec(partial, "filledQuantity")).isEqualByComparingTo("100");
    JsonObject routed = app.http.get("/api/v1/orders/" + id + "/audit", t.token()).json().getJsonArray("data").stream()
      .map(e -> (JsonObject) e).filter(e -> "ROUTED".equals(e.getString("eventType"))).findFirst().orElseThrow();
    JsonObject rest = routed.getJsonObject("details").getJsonObject("decision").getJsonObject("restingRemainder");
    assertThat(rest.getString("lpId")).isEqualTo("lp-alpha");
    assertThat(new BigDecimal(rest.getString("quantity"))).isEqualByComparingTo("150");
    // the market comes to it: the rest fills at alpha
    pin("lp-alpha", "149.98", "149.99");
    Await.until(() -> dec(app.http.get("/api/v1/orders/" + id, t.token()).json(), "filledQuantity")
      .compareTo(new BigDecimal("200")) >= 0 ? true : null, "more filled at alpha");
    pin("lp-alpha", "149.98", "149.99");
    JsonObject filled = awaitOrder(t, id, "filled");
    assertThat(dec(filled, "filledQuantity")).isEqualByComparingTo("250");
    assertThat(dec(account(t), "reserved")).isEqualByComparingTo("0");
  }

  @Test
  void aRestingLimitCancelledWhileWorkingEndsCancelledWithItsFundsBack() throws Exception {
    Trader t = trader("100000");
    JsonObject o = submit(t, order(t, "buy", "limit", 50).put("price", "149.00"));
    String id = o.getString("id");
    awaitOrder(t, id, "working");
    assertThat(dec(account(t), "reserved")).isEqualByComparingTo("7450.00");
    Http.Res cancel = app.http.post("/api/v1/orders/" + id + "/cancel", t.token(), new JsonObject().put("reason", "changed my mind"));
    assertThat(cancel.status()).as(cancel.body()).isEqualTo(200);
    assertThat(cancel.json().getString("status")).isEqualTo("pending_cancel");
    JsonObject cancelled = awaitOrder(t, id, "cancelled");
    assertThat(dec(cancelled, "filledQuantity")).isEqualByComparingTo("0");
    assertThat(dec(account(t), "reserved")).isEqualByComparingTo("0");
    assertThat(dec(account(t), "available")).isEqualByComparingTo("100000");
    assertThat(audit(t, id)).containsSubsequence("SENT", "ACKNOWLEDGED", "CANCEL_REQUESTED", "CANCELLED");
    assertThat(position(t)).isNull();
    // a final order cannot be cancelled again
    Http.Res again = app.http.delete("/api/v1/orders/" + id, t.token());
    assertThat(again.status()).isEqualTo(400);
    assertThat(again.json().getString("code")).isEqualTo("ORDER_NOT_CANCELLABLE");
  }

  @Test
  void iocFillsWhatItCanAtOnceAndCancelsTheRest() throws Exception {
    Trader t = trader("100000");
    // alpha offers 100 at 150.00: an IOC for 250 there takes the 100, the LP cancels the other 150
    JsonObject o = submit(t, order(t, "buy", "limit", 250).put("price", "150.00").put("timeInForce", "ioc")
      .put("routingStrategy", "manual").put("lpId", "lp-alpha"));
    JsonObject done = awaitOrder(t, o.getString("id"), "cancelled");
    assertThat(dec(done, "filledQuantity")).isEqualByComparingTo("100");
    assertThat(dec(done, "remainingQuantity")).isEqualByComparingTo("150");
    assertThat(fills(t, o.getString("id"))).hasSize(1);
    JsonObject acc = account(t);
    assertThat(dec(acc, "reserved")).as("nothing held for the cancelled rest").isEqualByComparingTo("0");
    assertThat(dec(acc, "balance")).isEqualByComparingTo("85000.00");
    // and the book refilled later does not fill it: it is over
    pin("lp-alpha", "149.98", "149.99");
    Thread.sleep(300);
    assertThat(dec(app.http.get("/api/v1/orders/" + o.getString("id"), t.token()).json(), "filledQuantity"))
      .isEqualByComparingTo("100");
  }

  @Test
  void fokFillsCompletelyAtOneLpOrIsRejectedBeforeAnythingIsSent() throws Exception {
    Trader t = trader("100000");
    long sent = app.app().simulator().lps().stream().mapToLong(SimulatedLp::ordersReceived).sum();
    // no LP quotes 250 on its own
    JsonObject tooBig = submit(t, order(t, "buy", "market", 250).put("timeInForce", "fok"));
    JsonObject rejected = awaitOrder(t, tooBig.getString("id"), "rejected");
    assertThat(rejected.getString("rejectCode")).isEqualTo("NO_LIQUIDITY");
    assertThat(dec(rejected, "filledQuantity")).isEqualByComparingTo("0");
    assertThat(app.app().simulator().lps().stream().mapToLong(SimulatedLp::ordersReceived).sum()).isEqualTo(sent);
    assertThat(dec(account(t), "reserved")).isEqualByComparingTo("0");

    JsonObject fits = submit(t, order(t, "buy", "market", 100).put("timeInForce", "fok"));
    JsonObject filled = awaitOrder(t, fits.getString("id"), "filled");
    assertThat(dec(filled, "averagePrice")).isEqualByComparingTo("150.00");
    assertThat(fills(t, fits.getString("id"))).hasSize(1);
  }

  @Test
  void aRoundTripClosesThePositionWithItsRealizedPnl() throws Exception {
    Trader t = trader("100000");
    String buy = submit(t, order(t, "buy", "market", 100)).getString("id");
    awaitOrder(t, buy, "filled");
    pin("lp-alpha", "151.00", "151.01");
    String sell = submit(t, order(t, "sell", "market", 100)).getString("id");
    JsonObject sold = awaitOrder(t, sell, "filled");
    assertThat(dec(sold, "averagePrice")).isEqualByComparingTo("151.00");
    JsonObject pos = position(t);
    assertThat(dec(pos, "quantity")).isEqualByComparingTo("0");
    assertThat(dec(pos, "realizedPnl")).isEqualByComparingTo("100.00");
    JsonObject acc = account(t);
    assertThat(dec(acc, "balance")).isEqualByComparingTo("100100.00");
    assertThat(dec(acc, "reserved")).isEqualByComparingTo("0");
  }
}
