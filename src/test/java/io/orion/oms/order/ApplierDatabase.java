package io.orion.oms.order;

import io.orion.oms.account.AccountRepository;
import io.orion.oms.config.ConfigLoader;
import io.orion.oms.infra.Database;
import io.orion.oms.instrument.Instrument;
import io.orion.oms.instrument.InstrumentCatalog;
import io.orion.oms.instrument.InstrumentRepository;
import io.orion.oms.support.TestServices;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;

import java.nio.file.Path;
import java.sql.Connection;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A fresh, migrated database with the configured instruments, and an {@link ExecutionApplier} on it: for tests
 * that apply execution reports directly. {@code jdbc} is a plain connection for checking the books.
 */
final class ApplierDatabase implements AutoCloseable {
  final Vertx vertx = Vertx.vertx();
  final Pool pool;
  final Connection jdbc;
  final OrderRepository orders;
  final LegRepository legs = new LegRepository();
  final AccountRepository accounts;
  final ExecutionApplier applier;

  private ApplierDatabase(int poolSize) throws Exception {
    String url = TestServices.get().freshDatabase();
    Database.migrate(url);
    List<Instrument> instruments = new ArrayList<>();
    ConfigLoader.readJson(Path.of("conf"), "instruments.json").getJsonArray("instruments")
      .forEach(o -> instruments.add(Instrument.fromConfig((JsonObject) o)));
    pool = Database.pool(vertx, url, poolSize);
    new InstrumentRepository(pool).upsertAll(instruments).toCompletionStage().toCompletableFuture()
      .get(30, TimeUnit.SECONDS);
    orders = new OrderRepository(pool);
    accounts = new AccountRepository(pool);
    applier = new ExecutionApplier(pool, orders, legs, accounts, new InstrumentCatalog(instruments), Clock.systemUTC());
    jdbc = TestServices.jdbc(url);
  }

  static ApplierDatabase open(int poolSize) throws Exception {
    return new ApplierDatabase(poolSize);
  }

  @Override
  public void close() throws Exception {
    jdbc.close();
    pool.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }
}
