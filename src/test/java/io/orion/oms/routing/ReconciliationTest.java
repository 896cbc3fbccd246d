package io.orion.oms.routing;

import io.orion.oms.support.Await;
import io.orion.oms.support.Http;
import io.orion.oms.support.TestApp;
import io.orion.oms.support.TestServices;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Legs whose fate at the LP is unknown (as after a crash between writing a leg and hearing from the LP)
 * are settled by asking the LP: one it has keeps working, one it never saw is placed again elsewhere.
 */
class ReconciliationTest {


  private static String query(TestApp app, String sql) {
    try (Connection c = TestServices.jdbc(app.config().database().url()); Statement s = c.createStatement()) {
      if (!sql.startsWith("SELECT")) {
        s.execute(sql);
        return null;
      }
      try (ResultSet rs = s.executeQuery(sql)) {
        return rs.next() ? rs.getString(1) : null;
      }
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void unknownLegsAreSettledWithTheirLp() throws Exception {
    try (TestApp app = TestApp.startWithLps(new JsonObject().put("orders", new JsonObject().put("reconcileIntervalMs", 300)))) {
      String token = app.demoTraderToken();
      for (var lp : app.app().simulator().lps()) {
        lp.pinQuote("EURUSD", new BigDecimal("1.08440"), new BigDecimal("1.08450"));
      }
      JsonObject limit = new JsonObject().put("clientId", app.demoAccountId()).put("instrumentId", "EURUSD")
        .put("side", "buy").put("orderType", "limit").put("timeInForce", "gtc").put("quantity", 10_000)
        .put("price", "1.08000"); // far below the ask: it rests
      String a = app.http.post("/api/v1/orders", token, limit).json().getString("id");
      String b = app.http.post("/api/v1/orders", token, limit).json().getString("id");
      for (String id : new String[]{a, b}) {
        Await.until(() -> "working".equals(app.http.get("/api/v1/orders/" + id, token).json().getString("status")) ? true : null,
          "order " + id + " working");
      }

      // a: the LP has it, we forgot what it said. b: the LP never got what we think we sent.
      query(app, "UPDATE order_legs SET status = 'unknown', updated_at = now() - interval '1 minute' WHERE order_id = '" + a + "'");
      query(app, "UPDATE order_legs SET status = 'sent', cl_ord_id = cl_ord_id || '-LOST', updated_at = now() - interval '1 minute'"
        + " WHERE order_id = '" + b + "'");

      Await.until(() -> "working".equals(query(app, "SELECT status FROM order_legs WHERE order_id = '" + a + "'")) ? true : null,
        "the known leg to be working again");
      String legsOfB = Await.until(() -> {
        String s = query(app, "SELECT string_agg(status, ',' ORDER BY created_at) FROM order_legs WHERE order_id = '" + b + "'");
        return "failed,working".equals(s) ? s : null;
      }, "the lost leg to be failed and its quantity placed again");
      assertThat(legsOfB).isEqualTo("failed,working");
      Http.Res audit = app.http.get("/api/v1/orders/" + b + "/audit", token);
      assertThat(audit.body()).contains("LEG_FAILED").contains("reconciliation");
      assertThat(app.http.get("/metrics", null).body()).containsPattern("orion_routing_failovers_total\\{cause=\"reconciled\"");
    }
  }

  @Test
  void aCancelTheLpNeverGotIsSentAgainByReconciliation() throws Exception {
    JsonObject conf = new JsonObject().put("orders", new JsonObject().put("reconcileIntervalMs", 300))
      .put("lps", new io.vertx.core.json.JsonArray(java.util.List.of("lp-alpha", "lp-beta", "lp-gamma").stream()
        .map(id -> new JsonObject().put("id", id).put("callTimeoutMs", 300)
          .put("fix", new JsonObject().put("targetCompId", "LP" + id.substring(3).toUpperCase())))
        .toList()));
    try (TestApp app = TestApp.startWithLps(conf)) {
      String token = app.demoTraderToken();
      for (var lp : app.app().simulator().lps()) {
        lp.pinQuote("EURUSD", new BigDecimal("1.08440"), new BigDecimal("1.08450"));
      }
      JsonObject limit = new JsonObject().put("clientId", app.demoAccountId()).put("instrumentId", "EURUSD")
        .put("side", "buy").put("orderType", "limit").put("timeInForce", "gtc").put("quantity", 10_000)
        .put("price", "1.08000").put("routingStrategy", "manual").put("lpId", "lp-alpha");
      String id = app.http.post("/api/v1/orders", token, limit).json().getString("id");
      Await.until(() -> "working".equals(app.http.get("/api/v1/orders/" + id, token).json().getString("status")) ? true : null,
        "order working");
      var alpha = app.app().simulator().lp("lp-alpha");
      alpha.setDropCancels(true);
      try {
        Http.Res cancel = app.http.delete("/api/v1/orders/" + id, token);
        assertThat(cancel.json().getString("status")).isEqualTo("pending_cancel");
        Thread.sleep(1000); // the cancel is lost: the order waits
        assertThat(app.http.get("/api/v1/orders/" + id, token).json().getString("status")).isEqualTo("pending_cancel");
      } finally {
        alpha.setDropCancels(false);
      }
      // reconciliation finds the leg still live at the LP and sends the cancel again
      Await.until(() -> "cancelled".equals(app.http.get("/api/v1/orders/" + id, token).json().getString("status")) ? true : null,
        "the order cancelled after the cancel was sent again");
      assertThat(query(app, "SELECT count(*) FROM order_legs WHERE order_id = '" + id + "' AND status = 'cancelled'"))
        .isEqualTo("1");
    }
  }
}
