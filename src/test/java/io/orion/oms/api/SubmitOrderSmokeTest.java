package io.orion.oms.api;

import io.orion.oms.support.Http;
import io.orion.oms.support.TestApp;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The README's promise in one test: a token, an account, an accepted order in the list, a clear error for a
 * bad one. This service has no LPs, so the limit order, accepted as pending, is then rejected by routing
 * (NO_HEALTHY_LP) and its held funds released.
 */
class SubmitOrderSmokeTest {
  static TestApp app;

  @BeforeAll
  static void start() throws Exception {
    app = TestApp.start();
  }

  @AfterAll
  static void stop() throws Exception {
    app.close();
  }

  @Test
  void acceptedOrderIsListedAndBadOneIsExplained() throws Exception {
    String token = app.demoTraderToken();
    JsonObject order = new JsonObject().put("clientId", app.demoAccountId()).put("instrumentId", "AAPL")
      .put("side", "buy").put("orderType", "limit").put("timeInForce", "gtc").put("quantity", 10).put("price", "149.99");
    Http.Res created = app.http.post("/api/v1/orders", token, order);
    assertThat(created.status()).as(created.body()).isEqualTo(201);
    assertThat(created.json().getString("status")).isEqualTo("pending");
    assertThat(created.json().getString("orderRef")).startsWith("ORD-");

    Http.Res list = app.http.get("/api/v1/orders", token);
    assertThat(list.json().getJsonArray("data").getJsonObject(0).getString("id")).isEqualTo(created.json().getString("id"));

    String id = created.json().getString("id");
    // accepted holding 10 x 149.99
    Http.Res audit = app.http.get("/api/v1/orders/" + id + "/audit", token);
    assertThat(audit.json().getJsonArray("data").getJsonObject(0).getString("eventType")).isEqualTo("SUBMITTED");
    JsonObject accepted = audit.json().getJsonArray("data").getJsonObject(1);
    assertThat(accepted.getString("eventType")).isEqualTo("VALIDATED");
    assertThat(new java.math.BigDecimal(accepted.getJsonObject("details").getValue("reserved").toString()))
      .isEqualByComparingTo("1499.90");
    // no LP to route to: rejected, funds back
    long deadline = System.nanoTime() + java.time.Duration.ofSeconds(10).toNanos();
    JsonObject now = app.http.get("/api/v1/orders/" + id, token).json();
    while (!"rejected".equals(now.getString("status"))) {
      assertThat(System.nanoTime()).as("order to be rejected by routing: %s", now).isLessThan(deadline);
      Thread.sleep(20);
      now = app.http.get("/api/v1/orders/" + id, token).json();
    }
    assertThat(now.getString("rejectCode")).isEqualTo("NO_HEALTHY_LP");
    Http.Res account = app.http.get("/api/v1/accounts/" + app.demoAccountId(), token);
    assertThat(new java.math.BigDecimal(account.json().getValue("reserved").toString())).isEqualByComparingTo("0");

    Http.Res bad = app.http.post("/api/v1/orders", token, order.copy().put("price", "149.999").put("quantity", 0));
    assertThat(bad.status()).isEqualTo(400);
    assertThat(bad.header("Content-Type")).isEqualTo("application/problem+json");
    assertThat(bad.json().getString("code")).isEqualTo("VALIDATION_FAILED");
  }
}
