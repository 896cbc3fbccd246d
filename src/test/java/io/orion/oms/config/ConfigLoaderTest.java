package io.orion.oms.config;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** conf/orion.json defaults, every ORION_* override, the checks naming the bad key, and where the file comes from. */
class ConfigLoaderTest {

  private static final String PEM = "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n-----END PUBLIC KEY-----";

  // ---------------------------------------------------------------- defaults

  @Test
  void defaultsOfConfOrionJson() {
    OrionConfig c = ConfigLoader.load(Map.of());

    assertThat(c.dataDir()).isAbsolute();
    assertThat(c.dataDir()).isEqualTo(Path.of("").toAbsolutePath().resolve("data").normalize());

    assertThat(c.http().port()).isEqualTo(8080);
    assertThat(c.http().host()).isEqualTo("0.0.0.0");
    assertThat(c.http().bodyLimitBytes()).isEqualTo(65536);
    assertThat(c.http().publicUrl()).isNull();
    assertThat(c.http().instances()).isBetween(1, 64);

    assertThat(c.database().url()).isNull();
    assertThat(c.database().embedded()).isTrue();
    assertThat(c.database().embeddedDurable()).isTrue();
    assertThat(c.database().poolSize()).isEqualTo(16);
    assertThat(c.database().embeddedPort()).isZero();

    assertThat(c.redis().url()).isNull();
    assertThat(c.redis().embedded()).isTrue();
    assertThat(c.redis().keyPrefix()).isEqualTo("orion:");

    assertThat(c.jwt().algorithm()).isEqualTo("HS256");
    assertThat(c.jwt().issuer()).isEqualTo("orion-oms");
    assertThat(c.jwt().audience()).isEqualTo("orion-oms-api");
    assertThat(c.jwt().secret()).isNull();
    assertThat(c.jwt().publicKeyPem()).isNull();
    assertThat(c.jwt().leewaySeconds()).isEqualTo(5);
    assertThat(c.jwt().demoTokenTtlMinutes()).isEqualTo(720);

    assertThat(c.demo().enabled()).isTrue();
    assertThat(c.demo().tenant()).isEqualTo("demo");
    assertThat(c.demo().traderId()).isEqualTo("demo-trader");
    assertThat(c.demo().adminId()).isEqualTo("demo-admin");
    assertThat(c.demo().currency()).isEqualTo("USD");
    assertThat(c.demo().balance()).isEqualByComparingTo("1000000.00");
  }

  @Test
  void theFileInConfAndTheCopyInTheJarAreTheSame() throws Exception {
    JsonObject onDisk = new JsonObject(Files.readString(Path.of("conf", "orion.json")));
    try (InputStream in = ConfigLoader.class.getResourceAsStream("/conf/orion.json")) {
      assertThat(in).as("conf/orion.json packed on the classpath").isNotNull();
      assertThat(new JsonObject(new String(in.readAllBytes(), StandardCharsets.UTF_8))).isEqualTo(onDisk);
    }
  }

  @Test
  void relativeDataDirIsResolvedAgainstTheWorkingDirectoryAndNormalized() {
    OrionConfig c = ConfigLoader.load(Map.of("ORION_DATA_DIR", "some/./where/../data-x"));
    assertThat(c.dataDir()).isEqualTo(Path.of("").toAbsolutePath().resolve("some/data-x"));
  }

  // ---------------------------------------------------------------- env overrides

  static Stream<Arguments> overrides() {
    return Stream.of(
      ov("ORION_DATA_DIR", "/var/lib/orion-x", c -> c.dataDir(), Path.of("/var/lib/orion-x")),
      ov("ORION_HTTP_HOST", "127.0.0.1", c -> c.http().host(), "127.0.0.1"),
      ov("ORION_HTTP_PORT", "9090", c -> c.http().port(), 9090),
      ov("ORION_HTTP_PORT", " 9091 ", c -> c.http().port(), 9091),
      ov("ORION_HTTP_PORT", "0", c -> c.http().port(), 0),
      ov("ORION_HTTP_PORT", "65535", c -> c.http().port(), 65535),
      ov("ORION_HTTP_INSTANCES", "3", c -> c.http().instances(), 3),
      ov("ORION_PUBLIC_URL", "https://oms.example.com", c -> c.http().publicUrl(), "https://oms.example.com"),
      ov("ORION_PG_URL", "postgresql://u:p@db.example.com:5433/orion", c -> c.database().url(),
        "postgresql://u:p@db.example.com:5433/orion"),
      ov("ORION_PG_URL", "postgres://u@db/orion", c -> c.database().embedded(), false),
      ov("ORION_PG_URL", "", c -> c.database().embedded(), true),
      ov("ORION_PG_POOL_SIZE", "7", c -> c.database().poolSize(), 7),
      ov("ORION_PG_EMBEDDED_DURABLE", "false", c -> c.database().embeddedDurable(), false),
      ov("ORION_PG_EMBEDDED_DURABLE", "TRUE", c -> c.database().embeddedDurable(), true),
      ov("ORION_REDIS_URL", "redis://cache.example.com:6380", c -> c.redis().url(), "redis://cache.example.com:6380"),
      ov("ORION_REDIS_URL", "rediss://cache.example.com:6380", c -> c.redis().embedded(), false),
      ov("ORION_REDIS_KEY_PREFIX", "acme:", c -> c.redis().keyPrefix(), "acme:"),
      ov("ORION_JWT_ISSUER", "https://idp.example.com", c -> c.jwt().issuer(), "https://idp.example.com"),
      ov("ORION_JWT_AUDIENCE", "trading", c -> c.jwt().audience(), "trading"),
      ov("ORION_JWT_SECRET", "0123456789abcdef0123456789abcdef", c -> c.jwt().secret(), "0123456789abcdef0123456789abcdef"),
      ov("ORION_JWT_LEEWAY_SECONDS", "30", c -> c.jwt().leewaySeconds(), 30),
      ov("ORION_DEMO_ENABLED", "false", c -> c.demo().enabled(), false),
      ov("ORION_ORDER_EXECUTION_ENABLED", "false", c -> c.orders().executionEnabled(), false),
      ov("ORION_RATE_LIMITS_ENABLED", "false", c -> c.rateLimits().enabled(), false),
      ov("ORION_RATE_LIMIT_WINDOW_MS", "1000", c -> c.rateLimits().windowMs(), 1000L),
      ov("ORION_METRICS_SAMPLE_INTERVAL_MS", "500", c -> c.metrics().sampleIntervalMs(), 500L),
      ov("ORION_SHUTDOWN_DRAIN_TIMEOUT_MS", "0", c -> c.shutdown().drainTimeoutMs(), 0L),
      ov("ORION_EVENT_LOOPS", "3", c -> c.threads().eventLoopThreads(), 3),
      ov("ORION_EVENT_LOOPS", "0", c -> c.threads().eventLoopThreads(), Runtime.getRuntime().availableProcessors()));
  }

  private static Arguments ov(String var, String value, Function<OrionConfig, Object> read, Object expected) {
    return Arguments.of(var, value, read, expected);
  }

  @ParameterizedTest(name = "{0}={1}")
  @MethodSource("overrides")
  void environmentOverrideIsApplied(String var, String value, Function<OrionConfig, Object> read, Object expected) {
    assertThat(read.apply(ConfigLoader.load(Map.of(var, value)))).isEqualTo(expected);
  }

  @Test
  void asymmetricAlgorithmWithPublicKeyIsAccepted() {
    OrionConfig c = ConfigLoader.load(Map.of("ORION_JWT_ALGORITHM", "RS256", "ORION_JWT_PUBLIC_KEY_PEM", PEM));
    assertThat(c.jwt().algorithm()).isEqualTo("RS256");
    assertThat(c.jwt().publicKeyPem()).isEqualTo(PEM);
    OrionConfig es = ConfigLoader.load(Map.of("ORION_JWT_ALGORITHM", "ES256", "ORION_JWT_PUBLIC_KEY_PEM", PEM));
    assertThat(es.jwt().algorithm()).isEqualTo("ES256");
  }

  @Test
  void streamingHasDocumentedDefaultsAndEnvironmentOverrides() {
    OrionConfig.Streaming d = ConfigLoader.load(Map.of()).streaming();
    assertThat(d.ticketTtlMs()).isEqualTo(30_000);
    assertThat(d.maxConnectionsPerUser()).isEqualTo(10);
    assertThat(d.sendQueueMaxMessages()).isEqualTo(1000);
    assertThat(d.retentionHours()).isEqualTo(72);
    assertThat(d.allowedOrigins()).isEmpty();
    OrionConfig.Streaming o = ConfigLoader.load(Map.of("ORION_STREAM_MAX_CONNECTIONS_PER_USER", "3",
      "ORION_STREAM_ALLOWED_ORIGINS", "https://a.example, https://b.example")).streaming();
    assertThat(o.maxConnectionsPerUser()).isEqualTo(3);
    assertThat(o.allowedOrigins()).containsExactly("https://a.example", "https://b.example");
    assertThatThrownBy(() -> ConfigLoader.load(Map.of("ORION_STREAM_TICKET_TTL_MS", "10")))
      .hasMessageContaining("streaming.ticketTtlMs");
  }

  @Test
  void everyEnvKeyLandsAtItsJsonPath() {
    for (Map.Entry<String, String> e : ConfigLoader.ENV_KEYS.entrySet()) {
      JsonObject json = ConfigLoader.loadJson(Map.of(e.getKey(), "marker-" + e.getKey()));
      String[] parts = e.getValue().split("\\.");
      JsonObject node = json;
      for (int i = 0; i < parts.length - 1; i++) node = node.getJsonObject(parts[i]);
      assertThat(node.getValue(parts[parts.length - 1])).as(e.getKey()).isEqualTo("marker-" + e.getKey());
    }
  }

  @Test
  void everyDocumentedVariableIsKnownAndUnknownOnesAreIgnored() {
    assertThat(ConfigLoader.ENV_KEYS).containsKeys("ORION_HTTP_PORT", "ORION_DATA_DIR", "ORION_PG_URL",
      "ORION_REDIS_URL", "ORION_JWT_ALGORITHM", "ORION_JWT_ISSUER", "ORION_JWT_AUDIENCE", "ORION_JWT_SECRET",
      "ORION_JWT_PUBLIC_KEY_PEM");
    OrionConfig c = ConfigLoader.load(Map.of("ORION_NOT_A_SETTING", "x", "PATH", "/bin"));
    assertThat(c).isEqualTo(ConfigLoader.load(Map.of()));
  }

  @Test
  void severalOverridesTogether() {
    Map<String, String> env = new HashMap<>();
    env.put("ORION_HTTP_PORT", "18080");
    env.put("ORION_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres");
    env.put("ORION_REDIS_URL", "redis://127.0.0.1:6379");
    env.put("ORION_JWT_ISSUER", "iss-x");
    OrionConfig c = ConfigLoader.load(env);
    assertThat(c.http().port()).isEqualTo(18080);
    assertThat(c.database().embedded()).isFalse();
    assertThat(c.redis().embedded()).isFalse();
    assertThat(c.jwt().issuer()).isEqualTo("iss-x");
    assertThat(c.jwt().audience()).isEqualTo("orion-oms-api"); // untouched keys keep the file's value
  }

  // ---------------------------------------------------------------- bad values name the key

  static Stream<Arguments> badValues() {
    return Stream.of(
      Arguments.of(Map.of("ORION_HTTP_PORT", "abc"), "http.port"),
      Arguments.of(Map.of("ORION_HTTP_PORT", "70000"), "http.port"),
      Arguments.of(Map.of("ORION_HTTP_PORT", "-1"), "http.port"),
      Arguments.of(Map.of("ORION_HTTP_PORT", "80.5"), "http.port"),
      Arguments.of(Map.of("ORION_HTTP_INSTANCES", "0"), "http.instances"),
      Arguments.of(Map.of("ORION_HTTP_INSTANCES", "65"), "http.instances"),
      Arguments.of(Map.of("ORION_PG_URL", "mysql://x"), "database.url"),
      Arguments.of(Map.of("ORION_PG_URL", "jdbc:postgresql://h/db"), "database.url"),
      Arguments.of(Map.of("ORION_PG_POOL_SIZE", "0"), "database.poolSize"),
      Arguments.of(Map.of("ORION_PG_POOL_SIZE", "lots"), "database.poolSize"),
      Arguments.of(Map.of("ORION_PG_EMBEDDED_DURABLE", "maybe"), "database.embeddedDurable"),
      Arguments.of(Map.of("ORION_REDIS_URL", "http://cache"), "redis.url"),
      Arguments.of(Map.of("ORION_JWT_ALGORITHM", "none"), "jwt.algorithm"),
      Arguments.of(Map.of("ORION_JWT_ALGORITHM", "HS512"), "jwt.algorithm"),
      Arguments.of(Map.of("ORION_JWT_ALGORITHM", "RS256"), "jwt.publicKeyPem"),
      Arguments.of(Map.of("ORION_JWT_ALGORITHM", "ES256"), "jwt.publicKeyPem"),
      Arguments.of(Map.of("ORION_JWT_SECRET", "0123456789abcdef0123456789abcde"), "jwt.secret"), // 31 chars
      Arguments.of(Map.of("ORION_JWT_LEEWAY_SECONDS", "301"), "jwt.leewaySeconds"),
      Arguments.of(Map.of("ORION_DEMO_ENABLED", "yes"), "demo.enabled"));
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @MethodSource("badValues")
  void badValueThrowsNamingTheKey(Map<String, String> env, String key) {
    assertThatThrownBy(() -> ConfigLoader.load(env))
      .isInstanceOf(ConfigException.class)
      .hasMessageContaining("'" + key + "'");
  }

  @Test
  void shortSecretIsNotEchoedInTheMessage() {
    String secret = "tooShortButSecret-xyz";
    assertThatThrownBy(() -> ConfigLoader.load(Map.of("ORION_JWT_SECRET", secret)))
      .isInstanceOf(ConfigException.class)
      .hasMessageContaining("'jwt.secret'")
      .hasMessageNotContaining(secret);
  }

  @Test
  void badPortMessageSaysWhatWasGiven() {
    assertThatThrownBy(() -> ConfigLoader.load(Map.of("ORION_HTTP_PORT", "70000")))
      .hasMessageContaining("between 0 and 65535").hasMessageContaining("70000");
  }

  @Test
  void negativeDemoBalanceIsRefused(@TempDir Path dir) throws Exception {
    JsonObject json = ConfigLoader.loadJson(Map.of());
    json.getJsonObject("demo").put("balance", "-0.01");
    assertThatThrownBy(() -> OrionConfig.fromJson(json))
      .isInstanceOf(ConfigException.class).hasMessageContaining("'demo.balance'");

    json.getJsonObject("demo").put("balance", -5);
    Files.writeString(dir.resolve("orion.json"), json.encodePrettily());
    assertThatThrownBy(() -> ConfigLoader.load(Map.of("ORION_CONF_DIR", dir.toString())))
      .isInstanceOf(ConfigException.class).hasMessageContaining("'demo.balance'");

    json.getJsonObject("demo").put("balance", "lots");
    assertThatThrownBy(() -> OrionConfig.fromJson(json))
      .isInstanceOf(ConfigException.class).hasMessageContaining("'demo.balance'");

    json.getJsonObject("demo").put("balance", "0");
    assertThat(OrionConfig.fromJson(json).demo().balance()).isEqualByComparingTo(BigDecimal.ZERO);
  }

  @Test
  void wrongTypesInTheFileNameTheKey() {
    JsonObject json = ConfigLoader.loadJson(Map.of());
    assertThatThrownBy(() -> OrionConfig.fromJson(json.copy().put("http", 8080)))
      .isInstanceOf(ConfigException.class).hasMessageContaining("'http'");
    JsonObject badHost = json.copy();
    badHost.getJsonObject("http").put("host", 42);
    assertThatThrownBy(() -> OrionConfig.fromJson(badHost))
      .isInstanceOf(ConfigException.class).hasMessageContaining("'http.host'");
    JsonObject fractionalPort = json.copy();
    fractionalPort.getJsonObject("http").put("port", 8080.5);
    assertThatThrownBy(() -> OrionConfig.fromJson(fractionalPort))
      .isInstanceOf(ConfigException.class).hasMessageContaining("'http.port'");
    JsonObject noIssuer = json.copy();
    noIssuer.getJsonObject("jwt").remove("issuer");
    assertThatThrownBy(() -> OrionConfig.fromJson(noIssuer))
      .isInstanceOf(ConfigException.class).hasMessageContaining("'jwt.issuer'");
  }

  // ---------------------------------------------------------------- ORION_CONF_DIR

  @Test
  void confDirWithItsOwnFileIsUsed(@TempDir Path dir) throws Exception {
    JsonObject json = ConfigLoader.loadJson(Map.of());
    json.getJsonObject("http").put("port", 9191);
    json.getJsonObject("jwt").put("issuer", "from-conf-dir");
    json.put("dataDir", "/srv/orion");
    Files.writeString(dir.resolve("orion.json"), json.encodePrettily());

    OrionConfig c = ConfigLoader.load(Map.of("ORION_CONF_DIR", dir.toString()));
    assertThat(c.http().port()).isEqualTo(9191);
    assertThat(c.jwt().issuer()).isEqualTo("from-conf-dir");
    assertThat(c.dataDir()).isEqualTo(Path.of("/srv/orion"));
    assertThat(ConfigLoader.confDir(Map.of("ORION_CONF_DIR", dir.toString()))).isEqualTo(dir);

    // the environment still wins over the file
    OrionConfig overridden = ConfigLoader.load(Map.of("ORION_CONF_DIR", dir.toString(), "ORION_HTTP_PORT", "9292"));
    assertThat(overridden.http().port()).isEqualTo(9292);
    assertThat(overridden.jwt().issuer()).isEqualTo("from-conf-dir");
  }

  @Test
  void minimalFileTakesTheCodeDefaultsForEverythingElse(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("orion.json"), "{\"jwt\":{\"issuer\":\"i\",\"audience\":\"a\"}}");
    OrionConfig c = ConfigLoader.load(Map.of("ORION_CONF_DIR", dir.toString()));
    assertThat(c.http().port()).isEqualTo(8080);
    assertThat(c.database().embedded()).isTrue();
    assertThat(c.jwt().algorithm()).isEqualTo("HS256");
    assertThat(c.dataDir()).isEqualTo(Path.of("").toAbsolutePath().resolve("data"));
  }

  @Test
  void missingFileInConfDirFallsBackToTheClasspathCopy(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("instruments.json"), "{\"instruments\":[]}"); // a different file only
    OrionConfig c = ConfigLoader.load(Map.of("ORION_CONF_DIR", dir.toString()));
    assertThat(c).isEqualTo(ConfigLoader.load(Map.of()));
    assertThat(c.http().port()).isEqualTo(8080);
    assertThat(c.jwt().issuer()).isEqualTo("orion-oms");

    OrionConfig nonexistentDir = ConfigLoader.load(Map.of("ORION_CONF_DIR", dir.resolve("no/such/dir").toString()));
    assertThat(nonexistentDir.jwt().audience()).isEqualTo("orion-oms-api");

    // readJson serves the other file from the directory, not from the jar
    assertThat(ConfigLoader.readJson(dir, "instruments.json").getJsonArray("instruments")).isEmpty();
  }

  @Test
  void unknownFileNowhereNamesIt(@TempDir Path dir) {
    assertThatThrownBy(() -> ConfigLoader.readJson(dir, "nope.json"))
      .isInstanceOf(ConfigException.class).hasMessageContaining("nope.json");
  }

  @Test
  void invalidJsonNamesTheFile(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("orion.json"), "{ \"http\": { \"port\": 8080, }");
    assertThatThrownBy(() -> ConfigLoader.load(Map.of("ORION_CONF_DIR", dir.toString())))
      .isInstanceOf(ConfigException.class)
      .hasMessageContaining("orion.json")
      .hasMessageContaining("not valid JSON");

    Files.writeString(dir.resolve("orion.json"), "[1, 2]");
    assertThatThrownBy(() -> ConfigLoader.load(Map.of("ORION_CONF_DIR", dir.toString())))
      .isInstanceOf(ConfigException.class).hasMessageContaining("orion.json");
  }

  // ---------------------------------------------------------------- defaults on big machines

  /**
   * http.instances defaults to the number of processors, but only 1..64 is valid: the defaults alone
   * must never make a start-up fail, so a 128-CPU machine must still load them.
   */
  @Test
  void defaultsLoadOnAMachineWithManyProcessors(@TempDir Path dataDir) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> cmd = new ArrayList<>(List.of(java, "-XX:ActiveProcessorCount=128", "-cp",
      System.getProperty("java.class.path"), "io.orion.oms.Main", "token", "--tenant", "t", "--user", "u"));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().keySet().removeIf(k -> k.startsWith("ORION_"));
    pb.environment().put("ORION_DATA_DIR", dataDir.toString());
    pb.environment().put("ORION_LOG_LEVEL", "WARN");
    Process p = pb.start();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    p.getInputStream().transferTo(out);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out.toString(StandardCharsets.UTF_8)).isZero();
  }

  @Test
  void rateLimitsDefaultsAndPerTenantQuotas() {
    OrionConfig c = ConfigLoader.load(Map.of());
    assertThat(c.orders().executionEnabled()).isTrue();
    assertThat(c.rateLimits().windowMs()).isEqualTo(60_000);
    assertThat(c.rateLimits().quotas("any")).isEqualTo(new OrionConfig.Quotas(100, 50, 600, 10, 100));
    io.vertx.core.json.JsonObject json = ConfigLoader.loadJson(Map.of());
    json.getJsonObject("rateLimits").put("tenants", new io.vertx.core.json.JsonObject()
      .put("acme", new io.vertx.core.json.JsonObject().put("orders", 500)));
    OrionConfig acme = OrionConfig.fromJson(json);
    // a tenant entry replaces only the quotas it names
    assertThat(acme.rateLimits().quotas("acme")).isEqualTo(new OrionConfig.Quotas(500, 50, 600, 10, 100));
    assertThat(acme.rateLimits().quotas("other").orders()).isEqualTo(100);
    json.getJsonObject("rateLimits").getJsonObject("tenants").getJsonObject("acme").put("orders", 0);
    assertThatThrownBy(() -> OrionConfig.fromJson(json)).hasMessageContaining("rateLimits.tenants.acme.orders");
    json.getJsonObject("rateLimits").put("tenants", new io.vertx.core.json.JsonObject()).put("windowMs", "soon");
    assertThatThrownBy(() -> OrionConfig.fromJson(json)).hasMessageContaining("rateLimits.windowMs");
  }
}
