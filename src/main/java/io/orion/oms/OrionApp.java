package io.orion.oms;

import io.orion.oms.account.Account;
import io.orion.oms.account.AccountRepository;
import io.orion.oms.api.ApiVerticle;
import io.orion.oms.auth.JwtSupport;
import io.orion.oms.config.ConfigLoader;
import io.orion.oms.config.OrionConfig;
import io.orion.oms.events.ConnectionLimiter;
import io.orion.oms.events.EventPublisher;
import io.orion.oms.events.EventRepository;
import io.orion.oms.events.StreamAuth;
import io.orion.oms.events.StreamServices;
import io.orion.oms.events.StreamTickets;
import io.orion.oms.infra.Database;
import io.orion.oms.infra.EmbeddedPostgresServer;
import io.orion.oms.infra.EmbeddedRedisServer;
import io.orion.oms.instrument.Instrument;
import io.orion.oms.instrument.InstrumentRepository;
import io.orion.oms.instrument.InstrumentCatalog;
import io.orion.oms.lp.LpAdapter;
import io.orion.oms.lp.LpAdapters;
import io.orion.oms.lp.LpConnectorVerticle;
import io.orion.oms.lp.LpSettings;
import io.orion.oms.lp.sim.LpSimulator;
import io.orion.oms.lp.sim.SimulatedLpConfig;
import io.orion.oms.halt.TradingHaltRepository;
import io.orion.oms.halt.TradingHalts;
import io.orion.oms.metrics.MetricsRepository;
import io.orion.oms.metrics.MetricsSamplerVerticle;
import io.orion.oms.metrics.OmsMetrics;
import io.orion.oms.ratelimit.RateLimiter;
import io.orion.oms.order.ExecutionApplier;
import io.orion.oms.order.LegRepository;
import io.orion.oms.order.OrderCommands;
import io.orion.oms.order.OrderLifecycle;
import io.orion.oms.routing.RoutingVerticle;
import io.orion.oms.trigger.TriggerVerticle;
import io.orion.oms.order.OrderRepository;
import io.orion.oms.order.OrderVerticle;
import io.orion.oms.validation.ValidationVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.RedisOptions;
import io.vertx.sqlclient.Pool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Starts Orion OMS: embedded PostgreSQL and Redis unless servers are configured, the schema migration,
 * the configured instruments, the demo tenant, then the verticles. {@link #stop()} undoes it all.
 */
public final class OrionApp {
  private static final Logger log = LoggerFactory.getLogger(OrionApp.class);

  private final OrionConfig config;
  private final Clock clock;
  private Vertx vertx;
  private Pool pool;
  private Redis redis;
  private EmbeddedPostgresServer embeddedPg;
  private EmbeddedRedisServer embeddedRedis;
  private JWTAuth jwt;
  private int httpPort;
  private String pgUrl;
  private List<Account> demoAccounts = List.of();
  private LpSimulator simulator;
  private final io.micrometer.prometheusmetrics.PrometheusMeterRegistry registry =
    new io.micrometer.prometheusmetrics.PrometheusMeterRegistry(io.micrometer.prometheusmetrics.PrometheusConfig.DEFAULT);
  private List<Instrument> instruments;
  private OmsMetrics metrics;
  private RateLimiter limiter;
  private TradingHalts halts;
  private String apiDeployment;
  private String publisherDeployment;
  private final List<String> lpDeployments = new ArrayList<>();
  private final List<String> lpIds = new ArrayList<>();
  private boolean stopped;

  public OrionApp(OrionConfig config, Clock clock) {
    this.config = config;
    this.clock = clock;
  }

  /** Blocking: returns once the HTTP port is listening. */
  public OrionApp start() throws Exception {
    instruments = readInstruments(); // a bad file stops start-up before anything runs
    List<LpSettings> lps = lpSettings();
    Files.createDirectories(config.dataDir());
    startSimulator();
    pgUrl = startDatabase();
    String redisUrl = startRedis();
    Database.migrate(pgUrl);

    // one registry per process, handed to Vert.x (HTTP, event bus, pool metrics) and to our own meters
    vertx = Vertx.builder()
      .with(new io.vertx.core.VertxOptions()
        .setEventLoopPoolSize(config.threads().eventLoopThreads())
        .setMetricsOptions(new io.vertx.micrometer.MicrometerMetricsOptions().setEnabled(true).setJvmMetricsEnabled(true)))
      .withMetrics(new io.vertx.micrometer.MicrometerMetricsFactory(registry))
      .build();
    pool = Database.pool(vertx, pgUrl, config.database().poolSize());
    redis = Redis.createClient(vertx, new RedisOptions().setConnectionString(redisUrl).setMaxPoolSize(8)
      .setMaxPoolWaiting(64));
    jwt = JwtSupport.create(vertx, config);
    metrics = new OmsMetrics(registry);
    limiter = new RateLimiter(RedisAPI.api(redis), config.rateLimits(), config.redis().keyPrefix(), clock, metrics);
    halts = new TradingHalts(new TradingHaltRepository(pool), config.orders().executionEnabled(), clock, metrics);

    Future<Void> started = new InstrumentRepository(pool).upsertAll(instruments)
      .compose(v -> halts.start(vertx))
      .compose(v -> config.demo().enabled() ? DemoSeeder.seed(pool, config.demo(), clock) : Future.succeededFuture(List.<Account>of()))
      .compose(accounts -> {
        demoAccounts = accounts;
        return deployVerticles(lps);
      });
    started.toCompletionStage().toCompletableFuture().get();
    awaitLpSessions(lps.size(), 5000);
    return this;
  }

  /**
   * Gives the LP sessions a moment to log on, so that the first orders after start-up find their LPs;
   * an LP that is not up by then is only logged: the service starts anyway and it joins when it connects.
   */
  private void awaitLpSessions(int count, long maxWaitMs) throws InterruptedException {
    long deadline = System.currentTimeMillis() + maxWaitMs;
    while (count > 0) {
      JsonObject lps;
      try {
        lps = vertx.eventBus().<JsonObject>request(RoutingVerticle.LPS, new JsonObject()).map(m -> m.body())
          .toCompletionStage().toCompletableFuture().get();
      } catch (java.util.concurrent.ExecutionException e) {
        return;
      }
      long up = lps.getJsonObject("value").getJsonArray("data").stream()
        .filter(o -> ((JsonObject) o).getBoolean("connected", false)).count();
      if (up == count) return;
      if (System.currentTimeMillis() > deadline) {
        log.warn("{} of {} LP sessions are up after {} ms; the others join when they connect", up, count, maxWaitMs);
        return;
      }
      Thread.sleep(50);
    }
  }

  private String startDatabase() throws Exception {
    if (!config.database().embedded()) return config.database().url();
    embeddedPg = EmbeddedPostgresServer.start(config.dataDir().resolve("pg"), config.database().embeddedPort(),
      config.database().embeddedDurable());
    log.info("Embedded PostgreSQL on port {} (data in {})", embeddedPg.port(), config.dataDir().resolve("pg"));
    return embeddedPg.url("postgres");
  }

  private String startRedis() throws Exception {
    if (!config.redis().embedded()) return config.redis().url();
    embeddedRedis = EmbeddedRedisServer.start(config.redis().embeddedPort());
    log.info("Embedded Redis at {}", embeddedRedis.url());
    return embeddedRedis.url();
  }

  private static List<Instrument> readInstruments() {
    JsonObject json = ConfigLoader.readJson(ConfigLoader.confDir(System.getenv()), "instruments.json");
    List<Instrument> list = new ArrayList<>();
    var array = json.getJsonArray("instruments");
    for (int i = 0; i < array.size(); i++) list.add(Instrument.fromConfig(array.getJsonObject(i), "instruments[" + i + "]"));
    return list;
  }

  private List<LpSettings> lpSettings() {
    List<LpSettings> out = new ArrayList<>();
    for (int i = 0; i < config.lps().size(); i++) {
      LpSettings lp = LpSettings.fromJson(config.lps().get(i), "lps[" + i + "]");
      if (out.stream().anyMatch(o -> o.id().equals(lp.id()))) {
        throw new io.orion.oms.config.ConfigException("lps[" + i + "].id", "'" + lp.id() + "' is used twice");
      }
      out.add(lp);
    }
    return out;
  }

  /** The embedded LP simulator: FIX acceptors on loopback, their sessions' stores under the data directory. */
  private void startSimulator() {
    if (!config.simulator().enabled() || config.simulator().lps().isEmpty()) return;
    List<SimulatedLpConfig> sims = new ArrayList<>();
    for (int i = 0; i < config.simulator().lps().size(); i++) {
      sims.add(SimulatedLpConfig.fromJson(config.simulator().lps().get(i), "simulator.lps[" + i + "]"));
    }
    simulator = LpSimulator.start(sims, instruments, config.dataDir().resolve("fix-sim"));
    simulator.lps().forEach(lp -> log.info("Simulated LP {} on port {}", lp.id(), lp.port()));
  }

  /**
   * The adapter for one LP. An LP the embedded simulator plays, and whose FIX port is not configured,
   * connects to the simulator's actual port.
   */
  private LpAdapter adapter(LpSettings lp) {
    JsonObject fix = lp.adapter().copy().put("id", lp.id());
    if (fix.getValue("port") == null && simulator != null) {
      simulator.lps().stream().filter(s -> s.id().equals(lp.id())).findFirst().ifPresent(s -> fix.put("port", s.port()));
    }
    if (fix.getValue("storeDir") == null) fix.put("storeDir", config.dataDir().resolve("fix").resolve(lp.id()).toString());
    return LpAdapters.create(lp, fix);
  }

  private Future<Void> deployVerticles(List<LpSettings> lps) {
    InstrumentRepository instrumentRepo = new InstrumentRepository(pool);
    AccountRepository accounts = new AccountRepository(pool);
    OrderRepository orders = new OrderRepository(pool);
    RedisAPI redisApi = RedisAPI.api(redis);
    EventRepository events = new EventRepository(pool);
    StreamServices streams = new StreamServices(events, accounts, orders,
      new StreamAuth(new StreamTickets(redisApi, config.redis().keyPrefix(), config.streaming().ticketTtlMs(), clock), jwt),
      new ConnectionLimiter(config.streaming().maxConnectionsPerUser()), config.streaming(), limiter);
    ApiVerticle.Deps deps = new ApiVerticle.Deps(config, pool, redisApi, jwt, clock, registry, limiter, halts,
      streams);
    List<ApiVerticle> apis = new ArrayList<>();
    List<String> instrumentIds = instruments.stream().map(Instrument::id).toList();
    long callTimeoutMs = lps.stream().mapToLong(LpSettings::callTimeoutMs).max().orElse(2000);
    OrderLifecycle.RetryPolicy retry = new OrderLifecycle.RetryPolicy(config.orders().maxRetries(),
      config.orders().retryBackoffMs());
    Future<String> chain = vertx.deployVerticle(new RoutingVerticle(instruments, lps.stream().map(LpSettings::id).toList(),
      config.routing().quoteMaxAgeMs(), clock, registry));
    for (LpSettings lp : lps) {
      chain = chain.compose(id -> vertx.deployVerticle(new LpConnectorVerticle(lp, adapter(lp), instrumentIds, registry)))
        .map(id -> {
          lpDeployments.add(id);
          lpIds.add(lp.id());
          return id;
        });
    }
    return chain
      .compose(id -> vertx.deployVerticle(new ValidationVerticle(instrumentRepo, accounts, orders, clock,
        config.routing().quoteMaxAgeMs())))
      .compose(id -> vertx.deployVerticle(new OrderVerticle(() -> {
        LegRepository legs = new LegRepository();
        ExecutionApplier applier = new ExecutionApplier(pool, orders, legs, accounts, new InstrumentCatalog(instruments),
          clock, metrics);
        OrderLifecycle lifecycle = new OrderLifecycle(vertx, pool, orders, legs, applier, retry, callTimeoutMs, clock,
          registry);
        return new OrderCommands(vertx.eventBus(), pool, orders, accounts, legs, lifecycle, clock);
      }, config.orders().reconcileIntervalMs(), config, orders, clock)))
      .compose(id -> vertx.deployVerticle(new TriggerVerticle(orders, instruments, config.routing().quoteMaxAgeMs(),
        config.orders().triggerReloadMs(), clock)))
      .compose(id -> vertx.deployVerticle(new MetricsSamplerVerticle(new MetricsRepository(pool), metrics,
        config.metrics().sampleIntervalMs(), clock)))
      .compose(id -> vertx.deployVerticle(new EventPublisher(events, config.streaming(), clock))
        .onSuccess(publisher -> publisherDeployment = publisher))
      .compose(id -> vertx.deployVerticle(() -> {
        ApiVerticle v = new ApiVerticle(deps);
        synchronized (apis) {
          apis.add(v);
        }
        return v;
      }, new DeploymentOptions().setInstances(config.http().instances())))
      .map(id -> {
        apiDeployment = id;
        httpPort = apis.get(0).port();
        return null;
      });
  }

  public int httpPort() {
    return httpPort;
  }

  public String baseUrl() {
    if (config.http().publicUrl() != null) return config.http().publicUrl();
    String host = config.http().host().equals("0.0.0.0") ? "localhost" : config.http().host();
    return "http://" + host + ":" + httpPort;
  }

  public Vertx vertx() {
    return vertx;
  }

  public Pool pool() {
    return pool;
  }

  /** The embedded LP simulator, or null when it is off. */
  public LpSimulator simulator() {
    return simulator;
  }

  public JWTAuth jwt() {
    return jwt;
  }

  public OrionConfig config() {
    return config;
  }

  public List<Account> demoAccounts() {
    return demoAccounts;
  }

  /** A token this service accepts (HS256 only). */
  public String issueToken(String tenant, String user, List<String> roles, int ttlMinutes) {
    return JwtSupport.issue(jwt, config, tenant, user, roles, ttlMinutes);
  }

  /** The service's own meters (also what the streaming endpoints update: {@link OmsMetrics#streamClientConnected}). */
  public OmsMetrics metrics() {
    return metrics;
  }

  /** The shared rate limiter (the streaming endpoints call it for connects and subscriptions). */
  public RateLimiter rateLimiter() {
    return limiter;
  }

  /**
   * Blocking, and graceful: the HTTP servers stop accepting and finish the requests in flight (each
   * answer comes after its commit); then the order work still running gets the rest of
   * {@code shutdown.drainTimeoutMs} to finish its transactions; then the LP sessions log out; then the
   * outbox publisher stops (its last drain commits); then Vert.x and the embedded servers close. Calling it
   * again does nothing.
   */
  public synchronized void stop() throws Exception {
    if (stopped) return;
    stopped = true;
    long deadline = System.currentTimeMillis() + config.shutdown().drainTimeoutMs();
    if (vertx != null) {
      log.info("Shutting down: no new requests; finishing the work in flight (at most {} ms)",
        config.shutdown().drainTimeoutMs());
      if (apiDeployment != null) await(vertx.undeploy(apiDeployment), "stop HTTP");
      log.info("Shutdown: HTTP requests drained");
      awaitIdleDatabase(deadline);
      for (int i = lpDeployments.size() - 1; i >= 0; i--) await(vertx.undeploy(lpDeployments.get(i)), "close LP " + lpIds.get(i));
      if (!lpIds.isEmpty()) log.info("Shutdown: LP sessions closed (FIX logout): {}", String.join(", ", lpIds));
      // before Vert.x closes the pool: a drain started then would only fail ("Pool closed")
      if (publisherDeployment != null) await(vertx.undeploy(publisherDeployment), "stop the outbox publisher");
      await(vertx.close(), "close Vert.x");
    }
    if (simulator != null) simulator.close();
    if (embeddedRedis != null) embeddedRedis.close();
    if (embeddedPg != null) embeddedPg.close();
    log.info("Shutdown complete");
  }

  /**
   * Waits until no transaction holds a database connection (order work after the last answer: routing,
   * legs, execution reports), or the deadline. Read from the pool's own gauge.
   */
  private void awaitIdleDatabase(long deadline) throws InterruptedException {
    int quiet = 0;
    while (System.currentTimeMillis() < deadline && quiet < 3) {
      quiet = poolInUse() == 0 ? quiet + 1 : 0;
      Thread.sleep(20);
    }
    double left = poolInUse();
    if (left > 0) log.warn("Shutdown: {} database connections still busy at the deadline", (long) left);
    else log.info("Shutdown: order work finished");
  }

  private double poolInUse() {
    return registry.find("vertx.pool.in.use").tag("pool_type", "sql").gauges().stream()
      .mapToDouble(io.micrometer.core.instrument.Gauge::value).sum();
  }

  private static void await(Future<?> f, String what) {
    try {
      f.toCompletionStage().toCompletableFuture().get(60, java.util.concurrent.TimeUnit.SECONDS);
    } catch (Exception e) {
      log.warn("Shutdown: could not {}: {}", what, e.toString());
    }
  }

  static Map<String, String> env() {
    return System.getenv();
  }
}
