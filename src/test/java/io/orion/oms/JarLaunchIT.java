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

  record Started(Process process, List<String> tokens, String account) {}

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
    String account = null;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    String line;
    while (account == null && System.nanoTime() < deadline && (line = out.readLine()) != null) {
      Matcher t = TOKEN.matcher(line);
      if (t.matches()) tokens.add(t.group(1));
      Matcher a = ACCOUNT.matcher(line);
      if (a.find()) account = a.group(1);
    }
    assertThat(account).as("the banner names the demo account").isNotNull();
    Thread drain = new Thread(() -> out.lines().forEach(l -> { }));
    drain.setDaemon(true);
    drain.start();
    return new Started(p, tokens, account);
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
