package io.orion.oms.api;

import io.orion.oms.support.Http;
import io.orion.oms.support.TestApp;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * PUT /orders/{id} on orders no LP holds yet: new terms validated, held funds follow, If-Match honoured.
 * The service has no LPs, so a limit order would be routed and rejected at once: the orders modified here are
 * of a held type (stop_limit, stop far above the market), which stay pending until triggered.
 */
class ModifyOrderTest {
  static TestApp app;
  static String admin;

  @BeforeAll
  static void start() throws Exception {
    app = TestApp.start();
    admin = app.demoAdminToken();
  }

  @AfterAll
  static void stop() throws Exception {
    app.close();
  }

  /** A fresh trader with its own account of {@code balance} USD: its token and account id. */
  private static String[] trader(String balance) {
    String user = "mod-" + UUID.randomUUID();
    Http.Res acc = app.http.post("/api/v1/accounts", admin, new JsonObject().put("ownerId", user).put("name", "m")
      .put("currency", "USD").put("balance", balance));
    assertThat(acc.status()).as(acc.body()).isEqualTo(201);
    return new String[]{app.token("demo", user, "trader"), acc.json().getString("id")};
  }

  private static JsonObject limitBuy(String account, int qty, String price) {
    return new JsonObject().put("clientId", account).put("instrumentId", "AAPL").put("side", "buy")
      .put("orderType", "limit").put("timeInForce", "gtc").put("quantity", qty).put("price", price);
  }

  /** A buy that stays pending: stop_limit, stop 1000.00 (AAPL is at 150.00); holds quantity x price. */
  private static JsonObject heldBuy(String account, int qty, String price) {
    return limitBuy(account, qty, price).put("orderType", "stop_limit").put("stopPrice", "1000.00");
  }

  private static BigDecimal reserved(String token, String account) {
    return new BigDecimal(app.http.get("/api/v1/accounts/" + account, token).json().getValue("reserved").toString());
  }

  @Test
  void newPriceAndQuantityMoveHeldFundsAndAreInHistoryAndAudit() {
    String[] t = trader("10000");
    Http.Res order = app.http.post("/api/v1/orders", t[0], heldBuy(t[1], 10, "100.00"));
    String id = order.json().getString("id");
    assertThat(reserved(t[0], t[1])).isEqualByComparingTo("1000.00");

    Http.Res mod = app.http.put("/api/v1/orders/" + id, t[0], new JsonObject().put("price", "99.50").put("quantity", 20),
      Map.of("If-Match", order.header("ETag")));
    assertThat(mod.status()).as(mod.body()).isEqualTo(200);
    assertThat(mod.json().getLong("version")).isEqualTo(order.json().getLong("version") + 1);
    assertThat(new BigDecimal(mod.json().getValue("price").toString())).isEqualByComparingTo("99.50");
    assertThat(new BigDecimal(mod.json().getValue("remainingQuantity").toString())).isEqualByComparingTo("20");
    assertThat(mod.header("ETag")).isEqualTo("\"" + mod.json().getLong("version") + "\"");
    assertThat(reserved(t[0], t[1])).isEqualByComparingTo("1990.00");

    JsonArray history = app.http.get("/api/v1/orders/" + id + "/history", t[0]).json().getJsonArray("data");
    assertThat(history).hasSize(1);
    JsonObject rec = history.getJsonObject(0);
    assertThat(rec.getString("kind")).isEqualTo("modify");
    assertThat(rec.getString("status")).isEqualTo("applied");
    assertThat(new BigDecimal(rec.getJsonObject("requested").getValue("price").toString())).isEqualByComparingTo("99.50");
    assertThat(new BigDecimal(rec.getJsonObject("previous").getValue("price").toString())).isEqualByComparingTo("100.00");

    JsonArray audit = app.http.get("/api/v1/orders/" + id + "/audit", t[0]).json().getJsonArray("data");
    assertThat(audit.stream().map(o -> ((JsonObject) o).getString("eventType"))).contains("SUBMITTED", "VALIDATED", "MODIFIED");

    // a smaller order gives funds back
    Http.Res smaller = app.http.put("/api/v1/orders/" + id, t[0], new JsonObject().put("quantity", 5), Map.of());
    assertThat(smaller.status()).as(smaller.body()).isEqualTo(200);
    assertThat(reserved(t[0], t[1])).isEqualByComparingTo("497.50");
  }

  @Test
  void staleIfMatchIs412AndChangesNothing() {
    String[] t = trader("10000");
    Http.Res order = app.http.post("/api/v1/orders", t[0], heldBuy(t[1], 10, "100.00"));
    String id = order.json().getString("id");
    assertThat(app.http.put("/api/v1/orders/" + id, t[0], new JsonObject().put("price", "101.00"), Map.of()).status())
      .isEqualTo(200);
    Http.Res stale = app.http.put("/api/v1/orders/" + id, t[0], new JsonObject().put("price", "102.00"),
      Map.of("If-Match", order.header("ETag")));
    assertThat(stale.status()).isEqualTo(412);
    assertThat(stale.json().getString("code")).isEqualTo("VERSION_MISMATCH");
    assertThat(stale.json().getLong("currentVersion")).isEqualTo(1L);
    JsonObject now = app.http.get("/api/v1/orders/" + id, t[0]).json();
    assertThat(new BigDecimal(now.getValue("price").toString())).isEqualByComparingTo("101.00");
  }

  @Test
  void badTermsAreRefusedWithTheFieldNamed() {
    String[] t = trader("10000");
    String id = app.http.post("/api/v1/orders", t[0], heldBuy(t[1], 10, "100.00")).json().getString("id");

    Http.Res offTick = app.http.put("/api/v1/orders/" + id, t[0], new JsonObject().put("price", "100.001"), Map.of());
    assertThat(offTick.status()).isEqualTo(400);
    assertThat(offTick.json().getJsonArray("errors").getJsonObject(0).getString("field")).isEqualTo("price");

    // a term the order's type does not take (a stop_limit has no trailAmount)
    Http.Res notItsType = app.http.put("/api/v1/orders/" + id, t[0], new JsonObject().put("trailAmount", "1.00"), Map.of());
    assertThat(notItsType.status()).isEqualTo(400);
    assertThat(notItsType.json().getJsonArray("errors").getJsonObject(0).getString("field")).isEqualTo("trailAmount");
    assertThat(notItsType.json().getJsonArray("errors").getJsonObject(0).getString("code")).isEqualTo("NOT_ALLOWED");

    Http.Res empty = app.http.put("/api/v1/orders/" + id, t[0], new JsonObject(), Map.of());
    assertThat(empty.status()).isEqualTo(400);
    assertThat(empty.json().getString("code")).isEqualTo("VALIDATION_FAILED");

    Http.Res tooBig = app.http.put("/api/v1/orders/" + id, t[0], new JsonObject().put("quantity", 1000), Map.of());
    assertThat(tooBig.status()).isEqualTo(400);
    assertThat(tooBig.json().getString("code")).isEqualTo("INSUFFICIENT_FUNDS");
    assertThat(tooBig.json().getString("detail")).isEqualTo("Insufficient funds for $100,000.00 order; available: $10,000.00");
    assertThat(reserved(t[0], t[1])).isEqualByComparingTo("1000.00");
    assertThat(app.http.get("/api/v1/orders/" + id, t[0]).json().getLong("version")).isEqualTo(0L);
  }

  @Test
  void finalOrdersAndOthersOrdersCannotBeModified() {
    String[] t = trader("10000");
    String id = app.http.post("/api/v1/orders", t[0], heldBuy(t[1], 10, "100.00")).json().getString("id");
    String[] other = trader("10000");
    Http.Res foreign = app.http.put("/api/v1/orders/" + id, other[0], new JsonObject().put("price", "99.00"), Map.of());
    assertThat(foreign.status()).isEqualTo(404);
    assertThat(foreign.json().getString("code")).isEqualTo("ORDER_NOT_FOUND");

    assertThat(app.http.delete("/api/v1/orders/" + id, t[0]).status()).isEqualTo(200);
    Http.Res late = app.http.put("/api/v1/orders/" + id, t[0], new JsonObject().put("price", "99.00"), Map.of());
    assertThat(late.status()).isEqualTo(400);
    assertThat(late.json().getString("code")).isEqualTo("ORDER_NOT_MODIFIABLE");
    assertThat(late.json().getString("orderStatus")).isEqualTo("cancelled");
  }

  /** A limit order that routing rejected (no LP) is final: it cannot be modified either. */
  @Test
  void aRejectedOrderCannotBeModified() throws Exception {
    String[] t = trader("10000");
    String id = app.http.post("/api/v1/orders", t[0], limitBuy(t[1], 10, "100.00")).json().getString("id");
    long deadline = System.nanoTime() + java.time.Duration.ofSeconds(10).toNanos();
    JsonObject order = app.http.get("/api/v1/orders/" + id, t[0]).json();
    while (!"rejected".equals(order.getString("status"))) {
      assertThat(System.nanoTime()).as("order to be rejected by routing: %s", order).isLessThan(deadline);
      Thread.sleep(20);
      order = app.http.get("/api/v1/orders/" + id, t[0]).json();
    }
    assertThat(order.getString("rejectCode")).isEqualTo("NO_HEALTHY_LP");
    assertThat(reserved(t[0], t[1])).isEqualByComparingTo("0");
    Http.Res late = app.http.put("/api/v1/orders/" + id, t[0], new JsonObject().put("price", "99.00"), Map.of());
    assertThat(late.status()).as(late.body()).isEqualTo(400);
    assertThat(late.json().getString("code")).isEqualTo("ORDER_NOT_MODIFIABLE");
    assertThat(late.json().getString("orderStatus")).isEqualTo("rejected");
    assertThat(reserved(t[0], t[1])).isEqualByComparingTo("0");
    assertThat(app.http.get("/api/v1/orders/" + id + "/history", t[0]).json().getJsonArray("data")).isEmpty();
  }
}
