package io.orion.oms.api;

import io.orion.oms.infra.EmbeddedPostgresServer;
import io.orion.oms.support.Await;
import io.orion.oms.support.Http;
import io.orion.oms.support.TestApp;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Readiness against a PostgreSQL of its own, stopped and started under the running service: 503 with
 * the database reported down while it is away (liveness stays 200), and ready again once it is back.
 */
class ReadinessTest {
  static Path pgDir;
  static EmbeddedPostgresServer pg;
  static TestApp app;

  @BeforeAll
  static void start() throws Exception {
    pgDir = Files.createTempDirectory("orion-readiness-pg");
    pg = EmbeddedPostgresServer.start(pgDir, 0, false);
    app = TestApp.start(TestApp.noLps().put("database", new JsonObject().put("url", pg.url("postgres"))),
      java.time.Clock.systemUTC());
  }

  @AfterAll
  static void stop() throws Exception {
    app.close();
    pg.close();
  }

  @Test
  void answers503WhileTheDatabaseIsDownAndRecovers() throws Exception {
    Http.Res ready = app.http.get("/api/v1/health/orders", null);
    assertThat(ready.status()).as(ready.body()).isEqualTo(200);
    JsonObject deps = ready.json().getJsonObject("dependencies");
    assertThat(deps.getJsonObject("database").getString("status")).isEqualTo("up");
    assertThat(deps.getJsonObject("redis").getString("status")).isEqualTo("up");
    assertThat(ready.header("Cache-Control")).isEqualTo("no-store");

    int port = pg.port();
    pg.close();
    Http.Res down = Await.until(() -> {
      Http.Res r = app.http.get("/api/v1/health/orders", null);
      return r.status() == 503 ? r : null;
    }, "readiness to answer 503");
    assertThat(down.json().getString("status")).isEqualTo("down");
    assertThat(down.json().getJsonObject("dependencies").getJsonObject("database").getString("status")).isEqualTo("down");
    assertThat(down.json().getJsonObject("dependencies").getJsonObject("redis").getString("status")).isEqualTo("up");
    assertThat(app.http.get("/api/v1/health", null).status()).as("liveness").isEqualTo(200);

    pg = EmbeddedPostgresServer.start(pgDir, port, false);
    Await.until(() -> app.http.get("/api/v1/health/orders", null).status() == 200 ? true : null, "readiness to recover");
    Http.Res order = app.http.post("/api/v1/orders", app.demoTraderToken(), new JsonObject()
      .put("clientId", app.demoAccountId()).put("instrumentId", "AAPL").put("side", "buy").put("orderType", "stop")
      .put("timeInForce", "gtc").put("quantity", 1).put("stopPrice", "150.00"));
    assertThat(order.status()).as(order.body()).isEqualTo(201);
  }
}
