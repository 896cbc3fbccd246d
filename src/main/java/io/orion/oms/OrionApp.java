package io.orion.oms;

import io.orion.oms.account.Account;
import io.orion.oms.account.AccountRepository;
import io.orion.oms.api.ApiVerticle;
import io.orion.oms.auth.JwtSupport;
import io.orion.oms.config.ConfigLoader;
import io.orion.oms.config.OrionConfig;
import io.orion.oms.infra.Database;
import io.orion.oms.infra.EmbeddedPostgresServer;
import io.orion.oms.infra.EmbeddedRedisServer;
import io.orion.oms.instrument.Instrument;
import io.orion.oms.instrument.InstrumentRepository;
import io.orion.oms.order.OrderCommands;
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

  public OrionApp(OrionConfig config, Clock clock) {
    this.config = config;
    this.clock = clock;
  }

  /** Blocking: returns once the HTTP port is listening. */
  public OrionApp start() throws Exception {
    List<Instrument> instruments = readInstruments(); // a bad file stops start-up before anything runs
    Files.createDirectories(config.dataDir());
    pgUrl = startDatabase();
    String redisUrl = startRedis();
    Database.migrate(pgUrl);

    vertx = Vertx.vertx();
    pool = Database.pool(vertx, pgUrl, config.database().poolSize());
    redis = Redis.createClient(vertx, new RedisOptions().setConnectionString(redisUrl).setMaxPoolSize(8)
      .setMaxPoolWaiting(64));
    jwt = JwtSupport.create(vertx, config);

    Future<Void> started = new InstrumentRepository(pool).upsertAll(instruments)
      .compose(v -> config.demo().enabled() ? DemoSeeder.seed(pool, config.demo(), clock) : Future.succeededFuture(List.<Account>of()))
      .compose(accounts -> {
        demoAccounts = accounts;
        return deployVerticles();
      });
    started.toCompletionStage().toCompletableFuture().get();
    return this;
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

  private Future<Void> deployVerticles() {
    InstrumentRepository instruments = new InstrumentRepository(pool);
    AccountRepository accounts = new AccountRepository(pool);
    OrderRepository orders = new OrderRepository(pool);
    ApiVerticle.Deps deps = new ApiVerticle.Deps(config, pool, RedisAPI.api(redis), jwt, clock);
    List<ApiVerticle> apis = new ArrayList<>();
    return vertx.deployVerticle(new ValidationVerticle(instruments, accounts, orders, clock))
      .compose(id -> vertx.deployVerticle(new OrderVerticle(() -> new OrderCommands(vertx.eventBus(), pool, orders,
        accounts, clock))))
      .compose(id -> vertx.deployVerticle(() -> {
        ApiVerticle v = new ApiVerticle(deps);
        synchronized (apis) {
          apis.add(v);
        }
        return v;
      }, new DeploymentOptions().setInstances(config.http().instances())))
      .map(id -> {
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

  /** Blocking: closes Vert.x (HTTP, pools) and the embedded servers. */
  public void stop() throws Exception {
    if (vertx != null) vertx.close().toCompletionStage().toCompletableFuture().get();
    if (embeddedRedis != null) embeddedRedis.close();
    if (embeddedPg != null) embeddedPg.close();
  }

  static Map<String, String> env() {
    return System.getenv();
  }
}
