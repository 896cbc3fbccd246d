package io.orion.oms.support;

import io.orion.oms.infra.EmbeddedPostgresServer;
import io.orion.oms.infra.EmbeddedRedisServer;
import io.vertx.pgclient.PgConnectOptions;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The PostgreSQL and Redis servers of one test run: the ones named by {@code ORION_TEST_PG_URL} /
 * {@code ORION_TEST_REDIS_URL}, or embedded ones started here. Every caller of {@link #freshDatabase()}
 * gets a database of its own, dropped when the run ends, so no test sees what another left.
 */
public final class TestServices {
  private static TestServices instance;

  private final String adminUrl;
  private final String redisUrl;
  private final List<String> created = new ArrayList<>();
  private EmbeddedPostgresServer embeddedPg;
  private EmbeddedRedisServer embeddedRedis;

  private TestServices() throws Exception {
    String pg = System.getenv("ORION_TEST_PG_URL");
    String redis = System.getenv("ORION_TEST_REDIS_URL");
    if (pg == null || pg.isBlank()) {
      Path dir = Files.createTempDirectory("orion-test-pg");
      embeddedPg = EmbeddedPostgresServer.start(dir, 0, false); // tests trade durability for speed
      pg = embeddedPg.url("postgres");
    }
    if (redis == null || redis.isBlank()) {
      embeddedRedis = EmbeddedRedisServer.start(0);
      redis = embeddedRedis.url();
    }
    adminUrl = pg;
    redisUrl = redis;
    Runtime.getRuntime().addShutdownHook(new Thread(this::shutdown, "test-services-shutdown"));
  }

  public static synchronized TestServices get() {
    if (instance == null) {
      try {
        instance = new TestServices();
      } catch (Exception e) {
        throw new IllegalStateException("Cannot start test PostgreSQL/Redis", e);
      }
    }
    return instance;
  }

  public boolean external() {
    return embeddedPg == null;
  }

  public String redisUrl() {
    return redisUrl;
  }

  /** A new, empty database on the test server; its URL. */
  public synchronized String freshDatabase() {
    String name = "orion_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
    try (Connection c = jdbc(adminUrl); Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE " + name);
    } catch (Exception e) {
      throw new IllegalStateException("Cannot create test database on " + adminUrl, e);
    }
    created.add(name);
    PgConnectOptions o = PgConnectOptions.fromUri(adminUrl);
    String auth = o.getUser() + (o.getPassword() == null || o.getPassword().isEmpty() ? "" : ":" + o.getPassword());
    return "postgresql://" + auth + "@" + o.getHost() + ":" + o.getPort() + "/" + name;
  }

  public static Connection jdbc(String url) throws Exception {
    PgConnectOptions o = PgConnectOptions.fromUri(url);
    return DriverManager.getConnection("jdbc:postgresql://" + o.getHost() + ":" + o.getPort() + "/" + o.getDatabase(),
      o.getUser(), o.getPassword());
  }

  private synchronized void shutdown() {
    if (embeddedPg == null) {
      try (Connection c = jdbc(adminUrl); Statement s = c.createStatement()) {
        for (String db : created) s.execute("DROP DATABASE IF EXISTS " + db + " WITH (FORCE)");
      } catch (Exception ignored) {
        // best effort: the server is the CI's own and each run uses new names anyway
      }
    }
    try {
      if (embeddedRedis != null) embeddedRedis.close();
      if (embeddedPg != null) embeddedPg.close();
    } catch (Exception ignored) {
      // exiting
    }
  }
}
