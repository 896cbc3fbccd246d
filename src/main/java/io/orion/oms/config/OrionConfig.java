package io.orion.oms.config;

import io.vertx.core.json.JsonObject;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.List;

/**
 * The whole configuration, one typed record per area. Defaults live in {@code conf/orion.json};
 * {@link ConfigLoader} applies {@code ORION_*} environment overrides before these records are built,
 * and every check names the key it rejects.
 */
public record OrionConfig(Path dataDir, Http http, Database database, Redis redis, Jwt jwt, Demo demo, Orders orders,
                          Routing routing, Simulator simulator, List<JsonObject> lps, RateLimits rateLimits,
                          Metrics metrics, Shutdown shutdown, Streaming streaming, Threads threads) {

  /**
   * Requests per user, operation class and window of {@code windowMs} (fixed windows aligned on the
   * clock, counted in Redis so every node shares them). {@code defaults} apply to every tenant; an entry
   * of {@code tenants} replaces the quotas it names for that tenant. A Redis call slower than
   * {@code redisTimeoutMs} counts as an outage: the node then decides alone for {@code redisRetryMs}
   * before it asks Redis again.
   */
  public record RateLimits(boolean enabled, long windowMs, Quotas defaults, java.util.Map<String, Quotas> tenants,
                           long redisTimeoutMs, long redisRetryMs) {
    static RateLimits from(Conf c) {
      Quotas defaults = Quotas.from(c.section("default"), Quotas.BUILT_IN);
      Conf tenantsConf = c.section("tenants");
      java.util.Map<String, Quotas> tenants = new java.util.TreeMap<>();
      for (String tenant : tenantsConf.names()) tenants.put(tenant, Quotas.from(tenantsConf.section(tenant), defaults));
      return new RateLimits(c.bool("enabled", true), c.longValue("windowMs", 60_000, 100, 86_400_000), defaults,
        java.util.Map.copyOf(tenants), c.longValue("redisTimeoutMs", 1000, 1, 60_000),
        c.longValue("redisRetryMs", 1000, 0, 600_000));
    }

    /** The quotas of one tenant. */
    public Quotas quotas(String tenant) {
      return tenants.getOrDefault(tenant, defaults);
    }
  }

  /** Requests allowed per window, one per operation class (see {@code ratelimit.OperationClass}). */
  public record Quotas(int orders, int modifications, int queries, int streamConnects, int streamSubscriptions) {
    static final Quotas BUILT_IN = new Quotas(100, 50, 600, 10, 100);

    static Quotas from(Conf c, Quotas base) {
      int max = 1_000_000_000;
      return new Quotas(c.integer("orders", base.orders, 1, max), c.integer("modifications", base.modifications, 1, max),
        c.integer("queries", base.queries, 1, max), c.integer("streamConnects", base.streamConnects, 1, max),
        c.integer("streamSubscriptions", base.streamSubscriptions, 1, max));
    }
  }

  /** Gauges read from the database (outbox lag, orders by status and type) are sampled every {@code sampleIntervalMs}. */
  public record Metrics(long sampleIntervalMs) {
    static Metrics from(Conf c) {
      return new Metrics(c.longValue("sampleIntervalMs", 15_000, 100, 3_600_000));
    }
  }

  /**
   * Threads of the process. {@code eventLoops} is the number of Vert.x event loops; 0 means one per CPU core.
   * Vert.x's own default is two per core; measured on a 2-core machine with PostgreSQL beside the service, one
   * per core carries about a fifth more orders per second (fewer threads to wake and switch between on
   * every event-bus hop and database reply). See docs/benchmarks.md.
   */
  public record Threads(int eventLoops) {
    static Threads from(Conf c) {
      return new Threads(c.integer("eventLoops", 0, 0, 256));
    }

    /** The event loop count to give Vert.x. */
    public int eventLoopThreads() {
      return eventLoops > 0 ? eventLoops : Runtime.getRuntime().availableProcessors();
    }
  }

  /** On SIGTERM: how long in-flight requests and order work may take before the service closes anyway. */
  public record Shutdown(long drainTimeoutMs) {
    static Shutdown from(Conf c) {
      return new Shutdown(c.longValue("drainTimeoutMs", 20_000, 0, 600_000));
    }
  }

  /**
   * Real-time event streams (SockJS bridge and WebSocket). A stream ticket lives {@code ticketTtlMs}; a user
   * holds at most {@code maxConnectionsPerUser} stream connections per process; a connection with more than
   * {@code sendQueueMaxMessages} events not yet written to its socket is closed as a slow consumer.
   * {@code allowedOrigins} lists the browser origins that may connect besides the service's own ("*": any).
   * Outbox rows older than {@code retentionHours} are purged once published; a replay that would need them
   * answers resync_required, and so does one longer than {@code replayMaxEvents}.
   */
  public record Streaming(int ticketTtlMs, int maxConnectionsPerUser, int sendQueueMaxMessages, int heartbeatIntervalMs,
                          int retentionHours, int replayMaxEvents, int publishIntervalMs, int drainSpacingMs,
                          List<String> allowedOrigins) {
    static Streaming from(Conf c) {
      return new Streaming(c.integer("ticketTtlMs", 30_000, 1000, 600_000),
        c.integer("maxConnectionsPerUser", 10, 1, 10_000), c.integer("sendQueueMaxMessages", 1000, 2, 1_000_000),
        c.integer("heartbeatIntervalMs", 25_000, 100, 600_000), c.integer("retentionHours", 72, 1, 24 * 365),
        c.integer("replayMaxEvents", 10_000, 1, 10_000_000), c.integer("publishIntervalMs", 10, 1, 60_000),
        c.integer("drainSpacingMs", 2, 0, 1000),
        c.strings("allowedOrigins", List.of()).stream().filter(o -> !o.isBlank()).toList());
    }
  }

  /**
   * Order lifecycle: a send whose outcome is unknown is retried {@code maxRetries} times, waiting
   * {@code retryBackoffMs} then doubling; open legs untouched for {@code reconcileIntervalMs} are checked with their LP.
   */
  public record Orders(int maxRetries, int retryBackoffMs, int reconcileIntervalMs, int expirySweepMs,
                       java.time.LocalTime dayEndUtc, int triggerReloadMs, boolean executionEnabled) {

    static Orders from(Conf c) {
      String dayEnd = c.string("dayEndUtc", "21:00");
      java.time.LocalTime end;
      try {
        end = java.time.LocalTime.parse(dayEnd);
      } catch (java.time.format.DateTimeParseException e) {
        throw new ConfigException(c.key("dayEndUtc"), "must be a time of day like 21:00, got '" + dayEnd + "'");
      }
      return new Orders(c.integer("maxRetries", 3, 0, 10), c.integer("retryBackoffMs", 1000, 1, 600_000),
        c.integer("reconcileIntervalMs", 30_000, 100, 3_600_000), c.integer("expirySweepMs", 1000, 50, 600_000), end,
        c.integer("triggerReloadMs", 5000, 100, 3_600_000), c.bool("executionEnabled", true));
    }

    /** The most recent session end at or before {@code now}: DAY orders created before it have expired. */
    public java.time.Instant lastDayEnd(java.time.Instant now) {
      java.time.ZonedDateTime t = now.atZone(java.time.ZoneOffset.UTC).with(dayEndUtc);
      if (t.toInstant().isAfter(now)) t = t.minusDays(1);
      return t.toInstant();
    }
  }

  /** Routing: quotes older than {@code quoteMaxAgeMs} are not used. */
  public record Routing(int quoteMaxAgeMs) {
    static Routing from(Conf c) {
      return new Routing(c.integer("quoteMaxAgeMs", 5000, 10, 3_600_000));
    }
  }

  /** The LP simulator started inside the service (the default), as the entries of {@code lps} (FIX acceptors). */
  public record Simulator(boolean enabled, List<JsonObject> lps) {
    static Simulator from(Conf c) {
      return new Simulator(c.bool("enabled", true), c.objects("lps"));
    }
  }

  /** HTTP listener. {@code publicUrl} is what start-up prints; by default derived from host and port. */
  public record Http(String host, int port, int instances, int bodyLimitBytes, String publicUrl) {
    static Http from(Conf c) {
      return new Http(c.string("host", "0.0.0.0"), c.integer("port", 8080, 0, 65535),
        c.integer("instances", Math.max(1, Runtime.getRuntime().availableProcessors()), 1, 64),
        c.integer("bodyLimitBytes", 65536, 1024, 16 * 1024 * 1024), c.string("publicUrl", null));
    }
  }

  /**
   * PostgreSQL. With no {@code url} the service starts an embedded server under the data directory on a
   * free port, durable ({@code fsync} and {@code synchronous_commit} on) unless {@code embeddedDurable} is false.
   */
  public record Database(String url, int poolSize, boolean embeddedDurable, int embeddedPort) {
    static Database from(Conf c) {
      String url = c.string("url", null);
      if (url != null && !url.matches("^(postgres|postgresql)://.+")) {
        throw new ConfigException(c.key("url"), "must be a postgresql:// URL, got '" + url + "'");
      }
      return new Database(url, c.integer("poolSize", 16, 1, 512), c.bool("embeddedDurable", true),
        c.integer("embeddedPort", 0, 0, 65535));
    }

    public boolean embedded() {
      return url == null;
    }
  }

  /** Redis (rate-limit counters, latest quotes: nothing that loses an order if lost). */
  public record Redis(String url, String keyPrefix, int embeddedPort) {
    static Redis from(Conf c) {
      String url = c.string("url", null);
      if (url != null && !url.matches("^rediss?://.+")) {
        throw new ConfigException(c.key("url"), "must be a redis:// URL, got '" + url + "'");
      }
      return new Redis(url, c.string("keyPrefix", "orion:"), c.integer("embeddedPort", 0, 0, 65535));
    }

    public boolean embedded() {
      return url == null;
    }
  }

  /**
   * JWT bearer tokens. {@code algorithm} is pinned: HS256 with a secret (from {@code secret}, else a key
   * generated once into the data directory), or RS256/ES256 with {@code publicKeyPem} (verification only).
   */
  public record Jwt(String algorithm, String issuer, String audience, String secret, String publicKeyPem,
                    int leewaySeconds, int demoTokenTtlMinutes) {
    static Jwt from(Conf c) {
      String alg = c.string("algorithm", "HS256");
      if (!List.of("HS256", "RS256", "ES256").contains(alg)) {
        throw new ConfigException(c.key("algorithm"), "must be HS256, RS256 or ES256, got '" + alg + "'");
      }
      String pem = c.string("publicKeyPem", null);
      if (!alg.equals("HS256") && pem == null) {
        throw new ConfigException(c.key("publicKeyPem"), "is required when jwt.algorithm is " + alg);
      }
      String secret = c.string("secret", null);
      if (secret != null && secret.length() < 32) {
        throw new ConfigException(c.key("secret"), "must be at least 32 characters");
      }
      return new Jwt(alg, c.requiredString("issuer"), c.requiredString("audience"), secret, pem,
        c.integer("leewaySeconds", 5, 0, 300), c.integer("demoTokenTtlMinutes", 720, 1, 525600));
    }
  }

  /** The demo tenant seeded on first start: a trader with a funded account and an admin. */
  public record Demo(boolean enabled, String tenant, String traderId, String adminId, String accountName,
                     String currency, BigDecimal balance) {
    static Demo from(Conf c) {
      BigDecimal balance = c.decimal("balance", new BigDecimal("1000000.00"));
      if (balance.signum() < 0) throw new ConfigException(c.key("balance"), "must not be negative");
      return new Demo(c.bool("enabled", true), c.string("tenant", "demo"), c.string("traderId", "demo-trader"),
        c.string("adminId", "demo-admin"), c.string("accountName", "Demo trading account"),
        c.string("currency", "USD"), balance);
    }
  }

  public static OrionConfig fromJson(JsonObject json) {
    Conf root = new Conf(json, "");
    Path dataDir = Path.of(root.string("dataDir", "./data")).toAbsolutePath().normalize();
    return new OrionConfig(dataDir, Http.from(root.section("http")), Database.from(root.section("database")),
      Redis.from(root.section("redis")), Jwt.from(root.section("jwt")), Demo.from(root.section("demo")),
      Orders.from(root.section("orders")), Routing.from(root.section("routing")), Simulator.from(root.section("simulator")),
      root.objects("lps"), RateLimits.from(root.section("rateLimits")), Metrics.from(root.section("metrics")),
      Shutdown.from(root.section("shutdown")), Streaming.from(root.section("streaming")),
      Threads.from(root.section("threads")));
  }
}
