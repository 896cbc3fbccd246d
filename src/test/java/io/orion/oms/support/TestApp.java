package io.orion.oms.support;

import io.orion.oms.OrionApp;
import io.orion.oms.config.ConfigLoader;
import io.orion.oms.config.OrionConfig;
import io.vertx.core.json.JsonObject;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A whole Orion OMS process for a test: its own database, data directory and Redis key prefix, HTTP on
 * a free port. {@link #restart()} stops and starts it on the same database and data directory.
 */
public final class TestApp implements AutoCloseable {
  private final OrionConfig config;
  private final Clock clock;
  private OrionApp app;
  public final Http http;

  private TestApp(OrionConfig config, Clock clock) throws Exception {
    this.config = config;
    this.clock = clock;
    this.app = new OrionApp(config, clock).start();
    this.http = new Http("http://127.0.0.1:" + app.httpPort());
  }

  /**
   * A service with no liquidity providers: orders are accepted, validated and stored as usual, then
   * market and limit orders are rejected (NO_HEALTHY_LP) by routing a moment later; held types (stop,
   * stop_limit, trailing_stop, pegged) stay pending. Right for tests of the API, not of execution.
   */
  public static TestApp start() throws Exception {
    return start(noLps(), Clock.systemUTC());
  }

  /** A service with the default simulated LPs (FIX on loopback), started once their sessions are up. */
  public static TestApp startWithLps() throws Exception {
    return startWithLps(new JsonObject());
  }

  public static TestApp startWithLps(JsonObject overrides) throws Exception {
    TestApp app = start(overrides, Clock.systemUTC());
    app.awaitLpsConnected(java.time.Duration.ofSeconds(30));
    return app;
  }

  public static JsonObject noLps() {
    return new JsonObject().put("simulator", new JsonObject().put("enabled", false)).put("lps", new io.vertx.core.json.JsonArray());
  }

  /** Waits until every configured LP reports its session up (GET /api/v1/lps). */
  public void awaitLpsConnected(java.time.Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    String token = token("probe", "probe", "viewer");
    while (System.nanoTime() < deadline) {
      Http.Res r = http.get("/api/v1/lps", token);
      if (r.status() == 200 && r.json().getJsonArray("data").stream()
        .allMatch(o -> ((JsonObject) o).getBoolean("connected", false))) {
        return;
      }
      Thread.sleep(50);
    }
    throw new IllegalStateException("LP sessions did not come up within " + timeout);
  }

  /** {@code overrides} is merged into the configuration JSON (e.g. {@code {"demo":{"enabled":false}}}). */
  public static TestApp start(JsonObject overrides, Clock clock) throws Exception {
    TestServices services = TestServices.get();
    Path dataDir = Files.createTempDirectory("orion-test-data");
    JsonObject json = ConfigLoader.loadJson(Map.of())
      .put("dataDir", dataDir.toString())
      .put("http", new JsonObject().put("host", "127.0.0.1").put("port", 0).put("instances", 1))
      .put("database", new JsonObject().put("url", services.freshDatabase()).put("poolSize", 8))
      .put("redis", new JsonObject().put("url", services.redisUrl())
        .put("keyPrefix", "orion-test-" + UUID.randomUUID() + ":"))
      // limits out of the way of tests that submit many orders; rate-limit tests set their own
      .put("rateLimits", new JsonObject().put("default", new JsonObject().put("orders", 1_000_000)
        .put("modifications", 1_000_000).put("queries", 1_000_000).put("streamConnects", 1_000_000)
        .put("streamSubscriptions", 1_000_000)))
      .put("shutdown", new JsonObject().put("drainTimeoutMs", 5000)); // bounds a stop in tests whatever is in flight
    return new TestApp(OrionConfig.fromJson(json.mergeIn(overrides, true)), clock);
  }

  public OrionApp app() {
    return app;
  }

  public OrionConfig config() {
    return config;
  }

  /** Stops the process and starts a new one on the same database and data directory. */
  public void restart() throws Exception {
    restart(0);
  }

  /** Stops, stays down for {@code downtimeMs} (time passes for expiries and LPs), starts again. */
  public void restart(long downtimeMs) throws Exception {
    app.stop();
    Thread.sleep(downtimeMs);
    app = new OrionApp(config, clock).start();
    http.baseUrl("http://127.0.0.1:" + app.httpPort());
  }

  public String token(String tenant, String user, String... roles) {
    return app.issueToken(tenant, user, List.of(roles), 30);
  }

  /** The demo trader's token and funded account, seeded at start. */
  public String demoTraderToken() {
    return token(config.demo().tenant(), config.demo().traderId(), "trader");
  }

  public String demoAdminToken() {
    return token(config.demo().tenant(), config.demo().adminId(), "admin");
  }

  public String demoAccountId() {
    return app.demoAccounts().get(0).id().toString();
  }

  @Override
  public void close() throws Exception {
    app.stop();
  }
}
