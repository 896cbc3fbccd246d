package io.orion.oms.bench;

import io.orion.oms.OrionApp;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Keeps the load generator working: a whole service (embedded PostgreSQL and Redis, simulated FIX LPs) and a
 * few seconds of the open model at a low rate, then a short ceiling run. Every order must be answered and
 * filled, with its event. About 30 s; run with {@code mvn -B -f bench/pom.xml verify}.
 */
class OrderFlowBenchSmokeTest {
  @Test
  void openModelRunsCleanAgainstAService() throws Exception {
    OrionApp app = SmokeService.start();
    try {
      awaitLps(app);
      int exit = OrderFlowBench.run(Map.of("mode", "open", "url", "http://127.0.0.1:" + app.httpPort(),
        "data-dir", app.config().dataDir().toString(), "traders", "3", "rate", "20", "seconds", "3", "warmup", "1",
        "ceiling-seconds", "1", "ceiling-connections", "2", "ceiling-batch", "4"));
      assertEquals(0, exit, "the run must end with no errors and no lost events");
    } finally {
      app.stop();
    }
  }

  private static void awaitLps(OrionApp app) throws Exception {
    String token = app.issueToken("smoke", "probe", List.of("viewer"), 10);
    HttpClient http = HttpClient.newHttpClient();
    long deadline = System.nanoTime() + 60_000_000_000L;
    while (System.nanoTime() < deadline) {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.httpPort()
        + "/api/v1/lps")).header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() == 200 && new JsonObject(r.body()).getJsonArray("data").stream()
        .allMatch(o -> ((JsonObject) o).getBoolean("connected", false))) {
        return;
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException("LP sessions did not come up");
  }
}
