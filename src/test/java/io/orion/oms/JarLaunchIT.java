package io.orion.oms;

import io.orion.oms.support.Http;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The README's first command, for real: the fat jar started as its own process with its embedded
 * defaults, used with the token and account it prints, stopped, started again with every order kept.
 */
class JarLaunchIT {
  private static final Pattern TOKEN = Pattern.compile("^\\s+(eyJ[\\w-]+\\.[\\w-]+\\.[\\w-]+)\\s*$");
  private static final Pattern ACCOUNT = Pattern.compile("Demo account: ([0-9a-f-]{36})");

  /** {@code output}: every line the process printed so far (kept growing by a reader thread). */
  record Started(Process process, List<String> tokens, String account, List<String> output) {}

  private static Started launch(Path dataDir, int port) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(java(), "-jar", System.getProperty("orion.jar"))
      .redirectErrorStream(true);
    pb.environment().putAll(Map.of("ORION_DATA_DIR", dataDir.toString(), "ORION_HTTP_PORT", String.valueOf(port),
      "ORION_HTTP_INSTANCES", "1"));
    pb.environment().remove("ORION_PG_URL");
    pb.environment().remove("ORION_REDIS_URL");
    Process p = pb.start();
    BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    List<String> tokens = new ArrayList<>();
    List<String> output = java.util.Collections.synchronizedList(new ArrayList<>());
    String account = null;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    String line;
    while (account == null && System.nanoTime() < deadline && (line = out.readLine()) != null) {
      output.add(line);
      Matcher t = TOKEN.matcher(line);
      if (t.matches()) tokens.add(t.group(1));
      Matcher a = ACCOUNT.matcher(line);
      if (a.find()) account = a.group(1);
    }
    if (account == null) p.destroyForcibly();
    assertThat(account).as("the banner names the demo account; the process %s and printed:%n%s",
      p.isAlive() ? "is running" : "exited", String.join("\n", output)).isNotNull();
    Thread drain = new Thread(() -> {
      try {
        out.lines().forEach(output::add);
      } catch (java.io.UncheckedIOException closed) {
        // Process.destroy() closes the stream: nothing more to read
      }
    });
    drain.setDaemon(true);
    drain.start();
    return new Started(p, tokens, account, output);
  }

  private static String java() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  private static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  @Test
  void startsWithEmbeddedDefaultsAndKeepsOrdersAcrossRestart() throws Exception {
    Path dataDir = Files.createTempDirectory("orion-it");
    int port = freePort();
    Started first = launch(dataDir, port);
    String orderId;
    try {
      assertThat(first.tokens()).hasSize(2);
      Http http = new Http("http://127.0.0.1:" + port);
      String trader = first.tokens().get(0);
      Http.Res created = http.post("/api/v1/orders", trader, new JsonObject().put("clientId", first.account())
        .put("instrumentId", "EURUSD").put("side", "buy").put("orderType", "limit").put("timeInForce", "gtc")
        .put("quantity", 10000).put("price", "1.05000")); // far below the market: it rests at an LP
      assertThat(created.status()).as(created.body()).isEqualTo(201);
      orderId = created.json().getString("id");
      assertThat(http.get("/api/v1/orders", trader).json().getLong("total")).isEqualTo(1L);
      Http.Res bad = http.post("/api/v1/orders", trader, new JsonObject().put("clientId", first.account())
        .put("instrumentId", "EURUSD").put("side", "buy").put("orderType", "limit").put("timeInForce", "gtc")
        .put("quantity", 10500).put("price", "1.050001"));
      assertThat(bad.status()).isEqualTo(400);
      assertThat(bad.json().getJsonArray("errors")).hasSize(2);
    } finally {
      first.process().destroy(); // SIGTERM, as an operator would
      assertThat(first.process().waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(first.process().exitValue()).isZero();
    }
    // the seeded tenant is not seeded twice, and the key in the data dir still signs valid tokens
    Started second = launch(dataDir, port);
    try {
      Http http = new Http("http://127.0.0.1:" + port);
      assertThat(second.account()).isEqualTo(first.account());
      Http.Res again = http.get("/api/v1/orders/" + orderId, first.tokens().get(0));
      assertThat(again.status()).as(again.body()).isEqualTo(200);
      // accepted, routed to a simulated LP and resting there, before and after the restart
      assertThat(again.json().getString("status")).isEqualTo("working");
    } finally {
      second.process().destroy();
      second.process().waitFor(60, TimeUnit.SECONDS);
    }
  }

  /**
   * SIGTERM while orders are being submitted: the process drains and exits 0, says so in JSON log
   * lines (FIX sessions logged out), and every order it acknowledged is there after a restart.
   */
  @Test
  void sigtermFinishesInFlightOrdersAndExitsCleanly() throws Exception {
    Path dataDir = Files.createTempDirectory("orion-it-stop");
    int port = freePort();
    Started first = launch(dataDir, port);
    String trader = first.tokens().get(0);
    Http http = new Http("http://127.0.0.1:" + port);
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(8);
    List<java.util.concurrent.Future<String>> sent = new ArrayList<>();
    java.util.concurrent.CountDownLatch firstAnswer = new java.util.concurrent.CountDownLatch(1);
    for (int i = 0; i < 40; i++) {
      sent.add(pool.submit(() -> {
        try {
          Http.Res r = http.post("/api/v1/orders", trader, new JsonObject().put("clientId", first.account())
            .put("instrumentId", "EURUSD").put("side", "buy").put("orderType", "limit").put("timeInForce", "gtc")
            .put("quantity", 1000).put("price", "1.05000"));
          return r.status() == 201 ? r.json().getString("id") : null;
        } catch (IllegalStateException refused) {
          return null; // not accepted: the server had stopped taking connections
        } finally {
          firstAnswer.countDown();
        }
      }));
    }
    assertThat(firstAnswer.await(30, TimeUnit.SECONDS)).isTrue();
    // SIGTERM, as an orchestrator sends it; Process.destroy() would too, but also closes our end of its output
    assertThat(new ProcessBuilder("kill", "-TERM", String.valueOf(first.process().pid())).start().waitFor()).isZero();
    assertThat(first.process().waitFor(60, TimeUnit.SECONDS)).as("exits within the drain time").isTrue();
    assertThat(first.process().exitValue()).as("a clean exit after SIGTERM").isZero();
    List<String> acknowledged = new ArrayList<>();
    for (java.util.concurrent.Future<String> f : sent) {
      String id = f.get(30, TimeUnit.SECONDS);
      if (id != null) acknowledged.add(id);
    }
    pool.shutdown();
    assertThat(acknowledged).as("some orders were acknowledged").isNotEmpty();

    Thread.sleep(500); // the reader thread drains the last lines
    List<JsonObject> logs;
    synchronized (first.output()) {
      logs = first.output().stream().filter(l -> l.startsWith("{")).map(JsonObject::new).toList();
      assertThat(first.output().stream().filter(l -> l.startsWith("{")))
        .as("tokens never reach the log").noneMatch(l -> l.contains("eyJ"));
    }
    assertThat(logs).as("JSON log lines with timestamp, level, logger").isNotEmpty()
      .allSatisfy(j -> assertThat(j.fieldNames()).contains("@timestamp", "level", "logger_name", "message"));
    List<String> messages = logs.stream().map(j -> j.getString("message")).toList();
    assertThat(messages).anyMatch(m -> m.startsWith("Shutting down"))
      .anyMatch(m -> m.equals("Shutdown: HTTP requests drained"))
      .anyMatch(m -> m.startsWith("Shutdown: LP sessions closed (FIX logout): lp-alpha"))
      .anyMatch(m -> m.equals("Shutdown complete"));

    Started second = launch(dataDir, port);
    try {
      for (String id : acknowledged) {
        Http.Res r = http.get("/api/v1/orders/" + id, trader);
        assertThat(r.status()).as("acknowledged order %s kept: %s", id, r.body()).isEqualTo(200);
      }
    } finally {
      second.process().destroy();
      second.process().waitFor(60, TimeUnit.SECONDS);
    }
  }

  @Test
  void badConfigurationStopsStartUpNamingTheKey() throws Exception {
    ProcessBuilder pb = new ProcessBuilder(java(), "-jar", System.getProperty("orion.jar")).redirectErrorStream(true);
    pb.environment().put("ORION_DATA_DIR", Files.createTempDirectory("orion-it-bad").toString());
    pb.environment().put("ORION_HTTP_PORT", "eighty");
    Process p = pb.start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).isEqualTo(2);
    assertThat(output).contains("http.port").contains("eighty");
  }
}
