package io.orion.oms.api;

import io.orion.oms.support.Http;
import io.orion.oms.support.TestApp;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Compliance reads the tenant's whole audit trail by date range, as JSON pages or CSV; nobody else does. */
class TenantAuditTest {
  static TestApp app;

  @BeforeAll
  static void start() throws Exception {
    app = TestApp.start();
  }

  @AfterAll
  static void stop() throws Exception {
    app.close();
  }

  private static String range(Instant from, Instant to) {
    return "fromDate=" + URLEncoder.encode(from.toString(), StandardCharsets.UTF_8) + "&toDate="
      + URLEncoder.encode(to.toString(), StandardCharsets.UTF_8);
  }

  @Test
  void complianceListsTheTenantsTrailByDateAsJsonAndCsv() {
    Instant before = Instant.now().minusSeconds(1);
    JsonObject held = new JsonObject().put("clientId", app.demoAccountId()).put("instrumentId", "AAPL").put("side", "buy")
      .put("orderType", "stop").put("timeInForce", "gtc").put("quantity", 1).put("stopPrice", "1000.00")
      .put("metadata", new JsonObject().put("note", "a, \"quoted\" note"));
    String id = app.http.post("/api/v1/orders", app.demoTraderToken(), held).json().getString("id");
    app.http.delete("/api/v1/orders/" + id, app.demoTraderToken());
    Instant after = Instant.now().plusSeconds(1);
    String compliance = app.token("demo", "carol", "compliance");

    Http.Res page = app.http.get("/api/v1/audit?" + range(before, after) + "&limit=10", compliance);
    assertThat(page.status()).as(page.body()).isEqualTo(200);
    JsonArray data = page.json().getJsonArray("data");
    assertThat(data.stream().map(o -> ((JsonObject) o).getString("eventType")))
      .containsSubsequence("SUBMITTED", "VALIDATED", "CANCELLED");
    assertThat(data.getJsonObject(0).getString("accountId")).isEqualTo(app.demoAccountId());
    assertThat(page.json().getLong("total")).isGreaterThanOrEqualTo(2L);

    // a range before anything happened is empty
    assertThat(app.http.get("/api/v1/audit?" + range(before.minusSeconds(3600), before.minusSeconds(1800)), compliance)
      .json().getLong("total")).isEqualTo(0L);
    // another tenant's compliance sees none of it
    assertThat(app.http.get("/api/v1/audit?" + range(before, after), app.token("other", "olga", "compliance"))
      .json().getLong("total")).isEqualTo(0L);

    Http.Res csv = app.http.send("GET", "/api/v1/audit?" + range(before, after), compliance, null,
      Map.of("Accept", "text/csv"));
    assertThat(csv.status()).isEqualTo(200);
    assertThat(csv.header("Content-Type")).startsWith("text/csv");
    String[] lines = csv.body().split("\r\n");
    assertThat(lines[0]).isEqualTo("id,createdAt,orderId,accountId,eventType,fromStatus,toStatus,actor,details");
    assertThat(lines).anyMatch(l -> l.contains("," + id + ",") && l.contains(",CANCELLED,"));
    assertThat(lines.length).isEqualTo(1 + data.size());
  }

  @Test
  void tradersCannotReadTheTenantsTrail() {
    Http.Res r = app.http.get("/api/v1/audit?" + range(Instant.now().minusSeconds(60), Instant.now()),
      app.demoTraderToken());
    assertThat(r.status()).isEqualTo(403);
    assertThat(r.json().getString("code")).isEqualTo("FORBIDDEN");
  }
}
