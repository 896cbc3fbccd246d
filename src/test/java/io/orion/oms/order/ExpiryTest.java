package io.orion.oms.order;

import io.orion.oms.support.Await;
import io.orion.oms.support.Http;
import io.orion.oms.support.TestApp;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/** GTD orders end at their expiry, held or working at an LP, also when the expiry falls while the service is down. */
class ExpiryTest {

  private static JsonObject gtd(String account, String type, long secondsAhead) {
    JsonObject o = new JsonObject().put("clientId", account).put("timeInForce", "gtd")
      .put("expiryDate", Instant.now().plusSeconds(secondsAhead).toString()).put("side", "buy");
    return type.equals("stop")
      ? o.put("instrumentId", "AAPL").put("orderType", "stop").put("quantity", 10).put("stopPrice", "1000.00")
      : o.put("instrumentId", "EURUSD").put("orderType", "limit").put("quantity", 10_000).put("price", "1.05000");
  }

  private static JsonObject awaitExpired(TestApp app, String token, String id) throws InterruptedException {
    return Await.until(() -> {
      JsonObject o = app.http.get("/api/v1/orders/" + id, token).json();
      return "expired".equals(o.getString("status")) ? o : null;
    }, "order " + id + " to expire");
  }

  private static BigDecimal reserved(TestApp app, String token) {
    return new BigDecimal(app.http.get("/api/v1/accounts/" + app.demoAccountId(), token).json().getValue("reserved").toString());
  }

  @Test
  void heldOrderExpiresAndReleasesItsFundsAlsoAcrossARestart() throws Exception {
    try (TestApp app = TestApp.start()) {
      String token = app.demoTraderToken();
      Http.Res held = app.http.post("/api/v1/orders", token, gtd(app.demoAccountId(), "stop", 2));
      assertThat(held.status()).as(held.body()).isEqualTo(201);
      assertThat(reserved(app, token)).isEqualByComparingTo("10000.00"); // 10 x the 1000.00 stop
      JsonObject expired = awaitExpired(app, token, held.json().getString("id"));
      assertThat(expired.getString("rejectCode")).isEqualTo("ORDER_EXPIRED");
      assertThat(reserved(app, token)).isEqualByComparingTo("0");
      assertThat(app.http.get("/api/v1/orders/" + held.json().getString("id") + "/audit", token).body())
        .contains("EXPIRED");

      // an expiry that falls while the service is stopped happens when it starts again
      String later = app.http.post("/api/v1/orders", token, gtd(app.demoAccountId(), "stop", 2)).json().getString("id");
      app.restart(2500);
      awaitExpired(app, token, later);
      assertThat(reserved(app, token)).isEqualByComparingTo("0");
    }
  }

  @Test
  void workingOrderExpiresThroughItsLp() throws Exception {
    try (TestApp app = TestApp.startWithLps()) {
      String token = app.demoTraderToken();
      String id = app.http.post("/api/v1/orders", token, gtd(app.demoAccountId(), "limit", 3)).json().getString("id");
      Await.until(() -> "working".equals(app.http.get("/api/v1/orders/" + id, token).json().getString("status")) ? true : null,
        "the order to rest at an LP");
      JsonObject expired = awaitExpired(app, token, id);
      assertThat(expired.getString("rejectCode")).isEqualTo("ORDER_EXPIRED");
      assertThat(reserved(app, token)).isEqualByComparingTo("0");
    }
  }
}
