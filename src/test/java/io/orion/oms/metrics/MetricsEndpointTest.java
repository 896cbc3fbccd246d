package io.orion.oms.metrics;

import io.orion.oms.support.Await;
import io.orion.oms.support.Http;
import io.orion.oms.support.TestApp;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * /metrics with simulated LPs after a filled market order: every series the operations page lists is
 * there, and the order meters moved (acknowledgement and fill latency, orders by status and type,
 * outbox lag), as do the rate-limit rejections and the streaming-clients gauge.
 */
class MetricsEndpointTest {
  static TestApp app;

  @BeforeAll
  static void start() throws Exception {
    app = TestApp.startWithLps(new JsonObject().put("metrics", new JsonObject().put("sampleIntervalMs", 200))
      .put("rateLimits", new JsonObject().put("tenants", new JsonObject().put("tight", new JsonObject().put("queries", 1)))));
  }

  @AfterAll
  static void stop() throws Exception {
    app.close();
  }

  static double value(String metrics, String series) {
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " ([0-9.Ee+-]+)$").matcher(metrics);
    return m.find() ? Double.parseDouble(m.group(1)) : -1;
  }

  @Test
  void namedSeriesAreExposedAndMove() throws Exception {
    String token = app.demoTraderToken();
    Http.Res created = app.http.post("/api/v1/orders", token, new JsonObject().put("clientId", app.demoAccountId())
      .put("instrumentId", "EURUSD").put("side", "buy").put("orderType", "market").put("timeInForce", "ioc")
      .put("quantity", 1000));
    assertThat(created.status()).as(created.body()).isEqualTo(201);
    String id = created.json().getString("id");
    Await.until(() -> "filled".equals(app.http.get("/api/v1/orders/" + id, token).json().getString("status")) ? true : null,
      "the market order to fill");

    // one 429 for the rejections counter; one streaming client through the gauge the streaming code updates
    String tight = app.token("tight", "u", "viewer");
    app.http.get("/api/v1/instruments", tight);
    assertThat(app.http.get("/api/v1/instruments", tight).status()).isEqualTo(429);
    app.app().metrics().streamClientConnected("websocket");

    String m = Await.until(() -> {
      String body = app.http.get("/metrics", null).body();
      return value(body, "orion_orders{status=\"filled\",type=\"market\"}") >= 1 ? body : null;
    }, "the sampled orders gauge");
    assertThat(value(m, "orion_order_ack_seconds_count")).isGreaterThanOrEqualTo(1);
    assertThat(value(m, "orion_order_fill_seconds_count")).isGreaterThanOrEqualTo(1);
    assertThat(m).contains("orion_order_ack_seconds_bucket{le=").contains("orion_order_fill_seconds_bucket{le=");
    assertThat(value(m, "orion_outbox_pending")).as("the publisher keeps the backlog small").isGreaterThanOrEqualTo(0);
    assertThat(m).contains("orion_outbox_lag_seconds ");
    assertThat(value(m, "orion_ratelimit_rejections_total{class=\"queries\"}")).isEqualTo(1);
    assertThat(value(m, "orion_stream_clients{transport=\"websocket\"}")).isEqualTo(1);
    assertThat(value(m, "orion_ratelimit_redis_up")).isEqualTo(1);
    assertThat(value(m, "orion_trading_execution_enabled")).isEqualTo(1);
    // routing and LPs
    assertThat(m).contains("orion_routing_decision_seconds_count").contains("orion_orders_routed_total{")
      .contains("orion_lp_circuit_state{lp=\"lp-alpha\"}").contains("orion_lp_connected{lp=\"lp-alpha\"} 1.0")
      .contains("orion_lp_latency_seconds_count{lp=");
    // Vert.x: HTTP server, event bus, the PostgreSQL pool
    assertThat(m).contains("vertx_http_server_requests_total{").contains("vertx_eventbus_processed_total{")
      .contains("vertx_pool_in_use{pool_name=").contains("pool_type=\"sql\"");
    assertThat(m).containsPattern("(?m)^vertx_sql_processing_time_seconds_count [1-9]");
  }
}
