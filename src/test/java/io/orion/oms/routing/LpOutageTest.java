package io.orion.oms.routing;

import io.orion.oms.lp.sim.SimulatedLp;
import io.orion.oms.support.Await;
import io.orion.oms.support.Http;
import io.orion.oms.support.TestApp;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

/** An LP that goes away: its circuit opens, orders keep filling elsewhere, and it is used again when back. */
class LpOutageTest {


  @Test
  void stoppedLpOpensItsCircuitAndOrdersFillOnTheOthers() throws Exception {
    JsonArray lps = new JsonArray();
    for (String id : new String[]{"lp-alpha", "lp-beta", "lp-gamma"}) {
      lps.add(new JsonObject().put("id", id).put("circuit", new JsonObject().put("resetTimeoutMs", 1000))
        .put("fix", new JsonObject().put("targetCompId", "LP" + id.substring(3).toUpperCase()).put("heartbeatSeconds", 1)
          .put("reconnectInterval", "1")));
    }
    try (TestApp app = TestApp.startWithLps(new JsonObject().put("lps", lps))) {
      String token = app.demoTraderToken();
      SimulatedLp alpha = app.app().simulator().lp("lp-alpha");
      alpha.pinQuote("EURUSD", new BigDecimal("1.08440"), new BigDecimal("1.08450")); // alpha is the best ask
      app.app().simulator().lp("lp-beta").pinQuote("EURUSD", new BigDecimal("1.08430"), new BigDecimal("1.08470"));
      app.app().simulator().lp("lp-gamma").pinQuote("EURUSD", new BigDecimal("1.08420"), new BigDecimal("1.08490"));
      Supplier<JsonObject> alphaState = () -> app.http.get("/api/v1/lps", token).json().getJsonArray("data").stream()
        .map(o -> (JsonObject) o).filter(o -> o.getString("lpId").equals("lp-alpha")).findFirst().orElseThrow();

      alpha.stop();
      JsonObject down = Await.until(() -> {
        JsonObject s = alphaState.get();
        return "open".equals(s.getString("circuit")) && !s.getBoolean("connected") ? s : null;
      }, "alpha disconnected and its circuit open");
      assertThat(down.getBoolean("connected")).isFalse();
      assertThat(down.getBoolean("healthy")).isFalse();
      JsonObject health = app.http.get("/api/v1/health/orders", null).json();
      assertThat(health.getString("status")).isEqualTo("ok"); // two LPs still trade

      JsonObject order = new JsonObject().put("clientId", app.demoAccountId()).put("instrumentId", "EURUSD")
        .put("side", "buy").put("orderType", "market").put("timeInForce", "ioc").put("quantity", 10_000);
      for (int i = 0; i < 3; i++) {
        String id = app.http.post("/api/v1/orders", token, order).json().getString("id");
        JsonObject filled = Await.until(() -> {
          JsonObject o = app.http.get("/api/v1/orders/" + id, token).json();
          return "filled".equals(o.getString("status")) ? o : null;
        }, "order to fill without alpha");
        assertThat(new BigDecimal(filled.getValue("averagePrice").toString())).isEqualByComparingTo("1.08470");
      }

      alpha.start();
      Await.until(() -> alphaState.get().getBoolean("connected") && !"open".equals(alphaState.get().getString("circuit"))
        ? true : null, "alpha back and its circuit half-open");
      alpha.pinQuote("EURUSD", new BigDecimal("1.08440"), new BigDecimal("1.08450"));
      String probe = app.http.post("/api/v1/orders", token, order).json().getString("id");
      JsonObject filled = Await.until(() -> {
        JsonObject o = app.http.get("/api/v1/orders/" + probe, token).json();
        return "filled".equals(o.getString("status")) ? o : null;
      }, "order to fill at alpha again");
      assertThat(new BigDecimal(filled.getValue("averagePrice").toString())).isEqualByComparingTo("1.08450");
      Await.until(() -> "closed".equals(alphaState.get().getString("circuit")) ? true : null, "alpha's circuit to close");
    }
  }
}
