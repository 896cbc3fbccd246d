package io.orion.oms.infra;

import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import org.flywaydb.core.Flyway;

/** Connection options, the schema migration and the shared pool for one PostgreSQL database. */
public final class Database {
  private Database() {}

  public static PgConnectOptions connectOptions(String url) {
    return PgConnectOptions.fromUri(url)
      .setCachePreparedStatements(true)
      .setPipeliningLimit(256);
  }

  /** Applies the Flyway migrations (blocking JDBC; run once at start-up, off the event loop). */
  public static void migrate(String url) {
    PgConnectOptions o = PgConnectOptions.fromUri(url);
    int q = url.indexOf('?');
    String jdbc = "jdbc:postgresql://" + o.getHost() + ":" + o.getPort() + "/" + o.getDatabase()
      + (q >= 0 ? url.substring(q) : "");
    Flyway.configure()
      .dataSource(jdbc, o.getUser(), o.getPassword())
      .locations("classpath:db/migration")
      .load()
      .migrate();
  }

  public static Pool pool(Vertx vertx, String url, int size) {
    return PgBuilder.pool()
      .with(new PoolOptions().setMaxSize(size).setShared(false))
      .connectingTo(connectOptions(url))
      .using(vertx)
      .build();
  }
}
