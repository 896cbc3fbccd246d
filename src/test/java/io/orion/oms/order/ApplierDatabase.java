package io.orion.oms.order;

import io.orion.oms.account.Account;
import io.orion.oms.account.AccountRepository;
import io.orion.oms.config.ConfigLoader;
import io.orion.oms.infra.Database;
import io.orion.oms.instrument.Instrument;
import io.orion.oms.instrument.InstrumentCatalog;
import io.orion.oms.instrument.InstrumentRepository;
import io.orion.oms.lp.ExecutionReport;
import io.orion.oms.support.TestServices;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * A fresh, migrated database with the configured instruments, and an {@link ExecutionApplier} on it: for tests
 * that apply execution reports directly. {@code jdbc} is a plain connection for checking the books.
 */
final class ApplierDatabase implements AutoCloseable {
  final Vertx vertx = Vertx.vertx();
  final Pool pool;
  final Connection jdbc;
  final String url;
  final OrderRepository orders;
  final LegRepository legs = new LegRepository();
  final AccountRepository accounts;
  final ExecutionApplier applier;

  private ApplierDatabase(int poolSize) throws Exception {
    url = TestServices.get().freshDatabase();
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

  /** The first column of the first row {@code sql} answers (a row there must be). */
  BigDecimal scalar(String sql, Object... args) throws Exception {
    try (PreparedStatement ps = jdbc.prepareStatement(sql)) {
      for (int i = 0; i < args.length; i++) ps.setObject(i + 1, args[i]);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) throw new AssertionError("no row: " + sql);
        return rs.getBigDecimal(1);
      }
    }
  }

  /**
   * A buy limit order of {@code qty} with one leg at lp-a, as the submission writes it; its leg's ClOrdID: the
   * order ref and "-1" when {@code refClOrdId}, else one that does not start with the ref.
   */
  String placedLeg(Account account, String tenant, String instrument, BigDecimal qty, BigDecimal price,
                   boolean refClOrdId, Instant now) throws Exception {
    NewOrder req = new NewOrder(account.id(), instrument, Side.BUY, OrderType.LIMIT, TimeInForce.GTC, qty, price, null,
      null, null, null, RoutingStrategy.BEST, null, "c-" + UUID.randomUUID(), new JsonObject());
    UUID id = UUID.randomUUID();
    String[] clOrdId = new String[1];
    await(Database.transaction(pool, tx -> orders.insert(tx, id, tenant, "alice", req, BigDecimal.ZERO, now)
      .compose(o -> {
        clOrdId[0] = refClOrdId ? o.orderRef() + "-1" : "C" + id.toString().replace("-", "").substring(0, 12) + "-1";
        return legs.insertAll(tx, List.of(LegRepository.fresh(o.id(), "lp-a", clOrdId[0], qty, price)), List.of(tenant),
          now);
      })));
    return clOrdId[0];
  }

  /** The LP's fill of all of {@code qty} on leg {@code clOrdId}. */
  static ExecutionReport trade(String clOrdId, String instrument, BigDecimal qty, BigDecimal px) {
    return new ExecutionReport("lp-a", "X-" + clOrdId, clOrdId, null, "LP-" + clOrdId, ExecutionReport.Kind.TRADE,
      ExecutionReport.LpOrderStatus.FILLED, instrument, Side.BUY, qty, px, null, null, null, null, null, false);
  }

  static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  @Override
  public void close() throws Exception {
    jdbc.close();
    pool.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }
}
