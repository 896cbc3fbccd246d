package io.orion.oms.routing;

import io.orion.oms.lp.sim.SimulatedLp;
import io.orion.oms.support.Await;
import io.orion.oms.support.TestApp;
import io.orion.oms.support.TestServices;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A send lost once: the LP is asked, says it never saw the order, and the resend with the same ClOrdID
 * fills it. Exactly one order at the LP and one fill; the failed attempt and the recovery are audited.
 */
class RetryRecoveryTest {

  @Test
  void aTimedOutSendIsResentWithTheSameClOrdIdAndFillsOnce() throws Exception {
    JsonArray lps = new JsonArray();
    for (String id : new String[]{"lp-alpha", "lp-beta", "lp-gamma"}) {
      lps.add(new JsonObject().put("id", id).put("callTimeoutMs", 400)
        .put("fix", new JsonObject().put("targetCompId", "LP" + id.substring(3).toUpperCase())));
    }
    try (TestApp app = TestApp.startWithLps(new JsonObject().put("lps", lps)
      .put("orders", new JsonObject().put("maxRetries", 3).put("retryBackoffMs", 300)))) {
      SimulatedLp alpha = app.app().simulator().lp("lp-alpha");
      alpha.pinQuote("EURUSD", new BigDecimal("1.08440"), new BigDecimal("1.08450")); // alpha is the best ask
      app.app().simulator().lp("lp-beta").pinQuote("EURUSD", new BigDecimal("1.08430"), new BigDecimal("1.08470"));
      app.app().simulator().lp("lp-gamma").pinQuote("EURUSD", new BigDecimal("1.08420"), new BigDecimal("1.08490"));
      alpha.setTimeoutRate(1.0);
      Thread.sleep(500); // the pinned quotes reach the router before the order does
      long before = alpha.ordersReceived();
      String token = app.demoTraderToken();
      String id = app.http.post("/api/v1/orders", token, new JsonObject().put("clientId", app.demoAccountId())
        .put("instrumentId", "EURUSD").put("side", "buy").put("orderType", "market").put("timeInForce", "ioc")
        .put("quantity", 10_000)).json().getString("id");
      // once the first attempt has timed out (it is in the audit), the next one gets through
      try {
        Await.until(() -> app.http.get("/api/v1/orders/" + id + "/audit", token).body().contains("EXECUTED")
          ? true : null, "the first send to time out");
      } catch (AssertionError e) {
        throw new AssertionError(e.getMessage() + "; the order: " + app.http.get("/api/v1/orders/" + id, token).body()
          + ", its audit: " + app.http.get("/api/v1/orders/" + id + "/audit", token).body(), e);
      }
      alpha.setTimeoutRate(0);

      JsonObject filled = Await.until(() -> {
        JsonObject o = app.http.get("/api/v1/orders/" + id, token).json();
        return "filled".equals(o.getString("status")) ? o : null;
      }, "the order to fill after the resend");
      assertThat(new BigDecimal(filled.getValue("averagePrice").toString())).isEqualByComparingTo("1.08450");
      assertThat(app.http.get("/api/v1/orders/" + id + "/fills", token).json().getJsonArray("data")).hasSize(1);
      assertThat(alpha.ordersReceived() - before).isEqualTo(2); // the lost one and its resend, nothing more

      try (Connection c = TestServices.jdbc(app.config().database().url()); Statement s = c.createStatement();
           ResultSet rs = s.executeQuery("SELECT lp_id, status, attempts FROM order_legs WHERE order_id = '" + id + "'")) {
        assertThat(rs.next()).isTrue();
        assertThat(List.of(rs.getString(1), rs.getString(2), rs.getInt(3))).containsExactly("lp-alpha", "filled", 1);
        assertThat(rs.next()).as("one leg: no failover, no second ClOrdID").isFalse();
      }
      JsonArray audit = Await.until(() -> {
        JsonArray a = app.http.get("/api/v1/orders/" + id + "/audit", token).json().getJsonArray("data");
        return a.stream().anyMatch(o -> "RECOVERED".equals(((JsonObject) o).getString("eventType"))) ? a : null;
      }, "the recovery in the audit");
      JsonObject failed = audit.stream().map(o -> (JsonObject) o)
        .filter(o -> "EXECUTED".equals(o.getString("eventType"))).findFirst().orElseThrow();
      assertThat(failed.getJsonObject("details").getInteger("retryAttempt")).isEqualTo(0);
      assertThat(failed.getJsonObject("details").getString("errorCode")).isEqualTo("TIMEOUT");
    }
  }
}
