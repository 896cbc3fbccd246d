package io.orion.oms.trigger;

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
 * Stop, stop-limit, trailing-stop and pegged orders held by the service and released by the trigger
 * verticle, against the FIX simulator driven to chosen prices (quotes move only when pinned here).
 */
class TriggerEndToEndTest {
  static final int RELOAD_MS = 1_000;
  static TestApp app;
  static String admin;

  @BeforeAll
  static void start() throws Exception {
    app = TestApp.startWithLps(QuietMarket.overrides(500)
      .put("orders", new JsonObject().put("triggerReloadMs", RELOAD_MS)));
    admin = app.demoAdminToken();
  }

  @AfterAll
  static void stop() throws Exception {
    app.close();
  }

  @BeforeEach
  void pinPrices() {
    QuietMarket.noFaults(app);
    market("1.08440", "1.08450");
    try {
      settle(); // the pinned quotes reach every verticle before the test submits
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** alpha quotes the best bid and ask; beta and gamma quote one and two ticks worse on each side. */
  private static void market(String bid, String ask) {
    BigDecimal b = new BigDecimal(bid);
    BigDecimal a = new BigDecimal(ask);
    BigDecimal tick = new BigDecimal("0.00010");
    app.app().simulator().lp("lp-alpha").pinQuote("EURUSD", b, a);
    app.app().simulator().lp("lp-beta").pinQuote("EURUSD", b.subtract(tick), a.add(tick));
    app.app().simulator().lp("lp-gamma").pinQuote("EURUSD", b.subtract(tick).subtract(tick), a.add(tick).add(tick));
  }

  private static Trader trader() {
    return QuietMarket.trader(app, "1000000");
  }

  private static JsonObject order(Trader t, String side, String type) {
    return new JsonObject().put("clientId", t.account()).put("instrumentId", "EURUSD").put("side", side)
      .put("orderType", type).put("timeInForce", "gtc").put("quantity", 100_000);
  }

  private static String submit(Trader t, JsonObject order) {
    Http.Res r = app.http.post("/api/v1/orders", t.token(), order);
    assertThat(r.status()).as(r.body()).isEqualTo(201);
    assertThat(r.json().getString("status")).isEqualTo("pending");
    return r.json().getString("id");
  }

  private static JsonObject get(Trader t, String id) {
    return app.http.get("/api/v1/orders/" + id, t.token()).json();
  }

  private static JsonObject awaitOrder(Trader t, String id, String status) throws Exception {
    try {
      return Await.until(() -> {
        JsonObject o = get(t, id);
        return status.equals(o.getString("status")) ? o : null;
      }, "order " + id + " to become " + status);
    } catch (AssertionError e) {
      throw new AssertionError(e.getMessage() + "; it is " + get(t, id) + ", audit " + audit(t, id));
    }
  }

  private static List<String> audit(Trader t, String id) {
    List<String> out = new ArrayList<>();
    app.http.get("/api/v1/orders/" + id + "/audit", t.token()).json().getJsonArray("data")
      .forEach(e -> out.add(((JsonObject) e).getString("eventType")));
    return out;
  }

  private static long count(List<String> trail, String what) {
    return trail.stream().filter(what::equals).count();
  }

  private static BigDecimal dec(JsonObject o, String field) {
    Object v = o.getValue(field);
    return v == null ? null : new BigDecimal(v.toString());
  }

  private static int legs(String orderId) throws Exception {
    try (Connection c = TestServices.jdbc(app.config().database().url()); Statement s = c.createStatement();
         ResultSet rs = s.executeQuery("SELECT count(*) FROM order_legs WHERE order_id = '" + orderId + "'")) {
      rs.next();
      return rs.getInt(1);
    }
  }

  private static String legPrices(String orderId) throws Exception {
    try (Connection c = TestServices.jdbc(app.config().database().url()); Statement s = c.createStatement();
         ResultSet rs = s.executeQuery("SELECT string_agg(status || '@' || coalesce(trim_scale(price)::text, '-'), ','"
           + " ORDER BY created_at) FROM order_legs WHERE order_id = '" + orderId + "'")) {
      rs.next();
      return rs.getString(1);
    }
  }

  /** Lets quotes reach the trigger verticle and anything it would do happen. */
  private static void settle() throws InterruptedException {
    Thread.sleep(400);
  }

  @Test
  void aBuyStopFiresOnceWhenTheAskReachesItAndFillsAsAMarketOrder() throws Exception {
    Trader t = trader();
    String id = submit(t, order(t, "buy", "stop").put("stopPrice", "1.08600"));
    settle();
    market("1.08580", "1.08590"); // one tick short
    settle();
    assertThat(get(t, id).getString("status")).isEqualTo("pending");
    assertThat(legs(id)).isZero();

    market("1.08590", "1.08600");
    JsonObject filled = awaitOrder(t, id, "filled");
    assertThat(dec(filled, "averagePrice")).isEqualByComparingTo("1.08600");
    assertThat(filled.getString("triggeredAt")).isNotNull();
    market("1.08700", "1.08710"); // further moves change nothing
    settle();
    assertThat(legs(id)).isEqualTo(1);
    List<String> trail = audit(t, id);
    assertThat(trail).containsSubsequence("SUBMITTED", "VALIDATED", "TRIGGERED", "ROUTED", "SENT", "FILLED");
    assertThat(count(trail, "TRIGGERED")).isEqualTo(1);
  }

  @Test
  void aSellStopLimitFiresWhenTheBidFallsAndRestsAsALimit() throws Exception {
    Trader t = trader();
    String id = submit(t, order(t, "sell", "stop_limit").put("stopPrice", "1.08300").put("price", "1.08350"));
    settle();
    market("1.08301", "1.08310");
    settle();
    assertThat(get(t, id).getString("status")).isEqualTo("pending");
    market("1.08300", "1.08310");
    JsonObject working = awaitOrder(t, id, "working"); // a sell limit at 1.08350 above the bid rests
    assertThat(legPrices(id)).isEqualTo("working@1.0835");
    assertThat(dec(working, "filledQuantity")).isEqualByComparingTo("0");
    assertThat(app.http.delete("/api/v1/orders/" + id, t.token()).status()).isEqualTo(200);
    awaitOrder(t, id, "cancelled");
  }

  @Test
  void aSellTrailingStopTrailsARisingBidAndFiresOnTheFall() throws Exception {
    Trader t = trader();
    String id = submit(t, order(t, "sell", "trailing_stop").put("trailAmount", "0.00100"));
    Await.until(() -> dec(get(t, id), "stopPrice") != null ? true : null, "the first trail level");
    assertThat(dec(get(t, id), "stopPrice")).isEqualByComparingTo("1.08340");

    market("1.08500", "1.08510");
    Await.until(() -> dec(get(t, id), "stopPrice").compareTo(new BigDecimal("1.08400")) == 0 ? true : null,
      "the stop to rise with the bid");
    market("1.08450", "1.08460"); // falling, but above the stop: the stop stays
    settle();
    JsonObject held = get(t, id);
    assertThat(held.getString("status")).isEqualTo("pending");
    assertThat(dec(held, "stopPrice")).isEqualByComparingTo("1.08400");

    market("1.08400", "1.08410");
    JsonObject filled = awaitOrder(t, id, "filled");
    assertThat(dec(filled, "averagePrice")).isEqualByComparingTo("1.08400");
    List<String> trail = audit(t, id);
    assertThat(count(trail, "TRIGGERED")).isEqualTo(1);
    // every level move is audited, and the levels only ever rose
    List<BigDecimal> levels = new ArrayList<>();
    app.http.get("/api/v1/orders/" + id + "/audit", t.token()).json().getJsonArray("data").forEach(e -> {
      JsonObject entry = (JsonObject) e;
      if ("REPRICED".equals(entry.getString("eventType"))) levels.add(dec(entry.getJsonObject("details"), "to"));
    });
    assertThat(levels).hasSizeGreaterThanOrEqualTo(2).isSortedAccordingTo(BigDecimal::compareTo);
    // (the three LPs' quotes arrive one by one, so a level in between may be seen on the way up)
    assertThat(levels.get(0)).isEqualByComparingTo("1.08340");
    assertThat(levels.get(levels.size() - 1)).isEqualByComparingTo("1.08400");
  }

  @Test
  void aPeggedBuyFollowsTheBidByCancelReplace() throws Exception {
    Trader t = trader();
    String id = submit(t, order(t, "buy", "pegged").put("pegOffset", "-0.00010"));
    JsonObject working = awaitOrder(t, id, "working");
    assertThat(dec(working, "pegPrice")).isEqualByComparingTo("1.08430");
    assertThat(legPrices(id)).isEqualTo("working@1.0843");

    market("1.08460", "1.08480");
    try {
    Await.until(() -> {
      JsonObject o = get(t, id);
      return "working".equals(o.getString("status")) && dec(o, "pegPrice").compareTo(new BigDecimal("1.08450")) == 0
        ? o : null;
    }, "the pegged order to be re-priced");
    } catch (AssertionError e) {
      throw new AssertionError(e.getMessage() + ": " + get(t, id) + " audit " + app.http.get("/api/v1/orders/" + id
        + "/audit", t.token()).body() + " history " + app.http.get("/api/v1/orders/" + id + "/history", t.token()).body());
    }
    assertThat(legPrices(id)).isEqualTo("working@1.0845");
    assertThat(audit(t, id)).containsSubsequence("TRIGGERED", "ROUTED", "SENT", "ACKNOWLEDGED", "REPRICE_REQUESTED",
      "REPRICED");
    JsonArray history = app.http.get("/api/v1/orders/" + id + "/history", t.token()).json().getJsonArray("data");
    assertThat(history.getJsonObject(0).getString("kind")).isEqualTo("reprice");
    assertThat(history.getJsonObject(0).getString("status")).isEqualTo("applied");
    // the ask comes down to it: it fills at its pegged price
    market("1.08440", "1.08450");
    JsonObject filled = awaitOrder(t, id, "filled");
    assertThat(dec(filled, "averagePrice")).isEqualByComparingTo("1.08450");
  }

  @Test
  void cancelAndModifyOfAnUntriggeredOrderActOnTheHeldOrderOnly() throws Exception {
    Trader t = trader();
    String cancelled = submit(t, order(t, "buy", "stop").put("stopPrice", "1.08600"));
    String moved = submit(t, order(t, "buy", "stop").put("stopPrice", "1.08600"));
    long sent = app.app().simulator().lps().stream().mapToLong(SimulatedLp::ordersReceived).sum();
    assertThat(app.http.delete("/api/v1/orders/" + cancelled, t.token()).json().getString("status")).isEqualTo("cancelled");
    Http.Res mod = app.http.put("/api/v1/orders/" + moved, t.token(), new JsonObject().put("stopPrice", "1.08700"), Map.of());
    assertThat(mod.status()).as(mod.body()).isEqualTo(200);
    assertThat(app.app().simulator().lps().stream().mapToLong(SimulatedLp::ordersReceived).sum()).isEqualTo(sent);

    market("1.08600", "1.08650"); // through the old stop, short of the new one
    settle();
    assertThat(get(t, cancelled).getString("status")).isEqualTo("cancelled");
    assertThat(get(t, moved).getString("status")).isEqualTo("pending");
    assertThat(legs(cancelled) + legs(moved)).isZero();
    market("1.08690", "1.08700");
    awaitOrder(t, moved, "filled");
    assertThat(legs(cancelled)).isZero();
  }

  @Test
  void aRestartBetweenSubmissionAndTriggerLosesNothingAndFiresOnce() throws Exception {
    Trader t = trader();
    String id = submit(t, order(t, "buy", "stop").put("stopPrice", "1.08600"));
    settle();
    app.restart();
    app.awaitLpsConnected(java.time.Duration.ofSeconds(30));
    market("1.08440", "1.08450");
    settle();
    assertThat(get(t, id).getString("status")).as("still held after the restart").isEqualTo("pending");
    assertThat(legs(id)).isZero();

    market("1.08590", "1.08600");
    awaitOrder(t, id, "filled");
    market("1.08700", "1.08710");
    settle();
    assertThat(legs(id)).isEqualTo(1);
    assertThat(count(audit(t, id), "TRIGGERED")).isEqualTo(1);
  }

  @Test
  void aStopAlreadyThroughTheMarketIsAcceptedAndFiresOnTheNextQuote() throws Exception {
    Trader t = trader();
    String id = submit(t, order(t, "buy", "stop").put("stopPrice", "1.08000"));
    market("1.08440", "1.08450");
    JsonObject filled = awaitOrder(t, id, "filled");
    assertThat(dec(filled, "averagePrice")).isEqualByComparingTo("1.08450");
  }

  /** The periodic reload reads only changed rows (by version), so it must see a change no command announced. */
  @Test
  void aHeldOrderChangedBehindTheMirrorIsTakenUpAtTheNextReload() throws Exception {
    Trader t = trader();
    String moved = submit(t, order(t, "buy", "stop").put("stopPrice", "1.08600"));
    String untouched = submit(t, order(t, "buy", "stop").put("stopPrice", "1.08620"));
    settle();
    try (Connection c = TestServices.jdbc(app.config().database().url()); Statement s = c.createStatement()) {
      // through the current ask, with no quote to come: only a reload can fire it
      assertThat(s.executeUpdate("UPDATE orders SET stop_price = 1.08450, version = version + 1 WHERE id = '"
        + moved + "'")).isEqualTo(1);
    }
    awaitOrder(t, moved, "filled");
    Thread.sleep(2 * RELOAD_MS);
    assertThat(get(t, untouched).getString("status")).isEqualTo("pending");
    assertThat(legs(untouched)).isZero();
    market("1.08610", "1.08620");
    awaitOrder(t, untouched, "filled");
  }
}
