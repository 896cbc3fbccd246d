package io.orion.oms.bench;

import io.orion.oms.infra.Database;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;

import java.math.BigDecimal;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The database's ceiling for the rows of one filled order, written straight with vertx-pg-client into a
 * database of its own ({@code orion_ceiling}, same schema by the service's migrations) on the same
 * PostgreSQL server, so at the same durability (its fsync and synchronous_commit settings are printed).
 *
 * <p>Per order it writes what the service writes for a single-leg market order that fills: the order
 * (insert, then update to filled), one account update, one leg, one routing decision, two execution
 * reports (acknowledgement and trade), one fill, one position upsert, five audit rows (SUBMITTED,
 * VALIDATED, ROUTED, SENT, FILLED) and seven outbox events (order.created, balance.updated, order.working,
 * trade.executed, position.updated, order.filled, balance.updated). It writes them the cheapest way the
 * database allows: {@code connections} writers, each committing {@code batch} orders per transaction with
 * one {@code executeBatch} per statement. That is the ceiling; the service pays for more transactions.
 */
final class Ceiling {
  private final Vertx vertx;
  private final String serverUrl;
  private final int connections;
  private final int batch;

  Ceiling(Vertx vertx, String serverUrl, int connections, int batch) {
    this.vertx = vertx;
    this.serverUrl = serverUrl;
    this.connections = connections;
    this.batch = batch;
  }

  private static final String PAYLOAD = new JsonObject().put("id", UUID.randomUUID().toString())
    .put("orderRef", "ORD-20250101-0000001").put("clientId", UUID.randomUUID().toString()).put("instrumentId", "EURUSD")
    .put("side", "buy").put("orderType", "market").put("timeInForce", "ioc").put("quantity", 10000)
    .put("filledQuantity", 10000).put("price", null).put("averagePrice", 1.08512).put("status", "filled")
    .put("routingStrategy", "best").put("clientOrderId", "b-123456789").put("createdAt", "2025-01-01T00:00:00.000000Z")
    .put("updatedAt", "2025-01-01T00:00:00.001000Z").put("version", 3).put("metadata", new JsonObject()).encode();

  /** Runs for {@code seconds} and returns the orders' worth of rows committed per second. */
  double run(int seconds) throws Exception {
    String url = serverUrl.substring(0, serverUrl.lastIndexOf('/')) + "/orion_ceiling";
    Pool admin = PgBuilder.pool().with(new PoolOptions().setMaxSize(1)).connectingTo(PgConnectOptions.fromUri(serverUrl))
      .using(vertx).build();
    boolean exists = await(admin.query("SELECT 1 FROM pg_database WHERE datname = 'orion_ceiling'").execute()).size() > 0;
    if (!exists) await(admin.query("CREATE DATABASE orion_ceiling").execute());
    String durability = "fsync=" + await(admin.query("SHOW fsync").execute()).iterator().next().getString(0)
      + " synchronous_commit=" + await(admin.query("SHOW synchronous_commit").execute()).iterator().next().getString(0)
      + " commit_delay=" + await(admin.query("SHOW commit_delay").execute()).iterator().next().getString(0);
    await(admin.close());
    Database.migrate(url);
    Pool pool = PgBuilder.pool().with(new PoolOptions().setMaxSize(connections))
      .connectingTo(Database.connectOptions(url)).using(vertx).build();
    OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
    await(pool.query("""
      INSERT INTO instruments (id, asset_class, base_currency, quote_currency, tick_size, lot_size, min_quantity,
        reference_price) VALUES ('EURUSD', 'fx', 'EUR', 'USD', 0.00001, 1000, 1000, 1.085) ON CONFLICT DO NOTHING""")
      .execute());
    List<UUID> accounts = new ArrayList<>();
    for (int i = 0; i < connections; i++) {
      UUID id = UUID.randomUUID();
      accounts.add(id);
      await(pool.preparedQuery("""
        INSERT INTO accounts (id, tenant_id, owner_id, name, currency, balance, created_at, updated_at)
        VALUES ($1, 'ceiling', 'ceiling', 'ceiling', 'USD', 1000000000000, $2, $2)""").execute(Tuple.of(id, now)));
    }
    AtomicLong committed = new AtomicLong();
    AtomicBoolean running = new AtomicBoolean(true);
    long[] measured = new long[2];
    List<Future<Void>> writers = new ArrayList<>();
    for (int i = 0; i < connections; i++) {
      UUID account = accounts.get(i);
      long[] seq = {0};
      writers.add(pool.getConnection().compose(conn -> loop(conn, account, seq, running, committed)
        .eventually(() -> conn.close())));
    }
    Thread.sleep(2000); // warm-up
    measured[0] = committed.get();
    long t0 = System.nanoTime();
    Thread.sleep(TimeUnit.SECONDS.toMillis(seconds));
    measured[1] = committed.get();
    double secs = (System.nanoTime() - t0) / 1e9;
    running.set(false);
    Future.all(writers).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    await(pool.close());
    double rate = (measured[1] - measured[0]) / secs;
    System.out.printf(Locale.ROOT, "CEILING %s: %.0f filled orders/s (%d writers x %d orders per transaction, %.1f s,"
      + " 21 rows or updates per order) load %s%n", durability, rate, connections, batch, secs, OrderFlowBench.loadAvg());
    return rate;
  }

  private Future<Void> loop(SqlConnection conn, UUID account, long[] seq, AtomicBoolean running, AtomicLong committed) {
    if (!running.get()) return Future.succeededFuture();
    return conn.begin().compose(tx -> writeBatch(conn, account, seq).compose(v -> tx.commit()))
      .compose(v -> {
        committed.addAndGet(batch);
        return loop(conn, account, seq, running, committed);
      });
  }

  private Future<Void> writeBatch(SqlConnection c, UUID account, long[] seq) {
    OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
    JsonObject payload = new JsonObject(PAYLOAD);
    BigDecimal qty = new BigDecimal("10000");
    BigDecimal px = new BigDecimal("1.08512");
    List<Tuple> orders = new ArrayList<>(), filled = new ArrayList<>(), accountRows = new ArrayList<>(),
      legs = new ArrayList<>(), decisions = new ArrayList<>(), reports = new ArrayList<>(), fills = new ArrayList<>(),
      positions = new ArrayList<>(), audit = new ArrayList<>(), events = new ArrayList<>();
    for (int i = 0; i < batch; i++) {
      UUID id = UUID.randomUUID();
      String ref = "C-" + id;
      orders.add(Tuple.from(new Object[]{id, ref, account, "b-" + id, qty, new BigDecimal("10900"), now}));
      filled.add(Tuple.of(id, qty, px, now));
      accountRows.add(Tuple.of(account, new BigDecimal("10900"), 7, now));
      legs.add(Tuple.of(UUID.randomUUID(), id, ref + "-1", qty, now));
      decisions.add(Tuple.of(id, payload, now));
      reports.add(Tuple.of(ref + "-n", ref + "-1", "NEW", payload, now));
      reports.add(Tuple.of(ref + "-t", ref + "-1", "TRADE", payload, now));
      fills.add(Tuple.from(new Object[]{UUID.randomUUID(), id, account, ref + "-t", qty, px, now}));
      positions.add(Tuple.of(account, qty, px, now));
      for (String a : new String[]{"SUBMITTED", "VALIDATED", "ROUTED", "SENT", "FILLED"}) {
        audit.add(Tuple.of(id, account, a, payload, now));
      }
      for (String e : new String[]{"order.created", "balance.updated", "order.working", "trade.executed",
        "position.updated", "order.filled", "balance.updated"}) {
        events.add(Tuple.of(account, ++seq[0], e, payload, now));
      }
    }
    return c.preparedQuery("""
        INSERT INTO orders (id, order_ref, tenant_id, account_id, submitted_by, client_order_id, instrument_id, side,
          order_type, time_in_force, quantity, routing_strategy, status, reserved_amount, created_at, updated_at)
        VALUES ($1, $2, 'ceiling', $3, 'ceiling', $4, 'EURUSD', 'buy', 'market', 'ioc', $5, 'best', 'pending', $6, $7, $7)
        ON CONFLICT (account_id, client_order_id) WHERE client_order_id IS NOT NULL DO NOTHING""").executeBatch(orders)
      .compose(v -> c.preparedQuery("""
        UPDATE accounts SET reserved = reserved + $2::numeric, event_seq = event_seq + $3, version = version + 1,
          updated_at = $4 WHERE id = $1 AND ($2::numeric = 0 OR balance - reserved >= $2::numeric)
        RETURNING balance, reserved, event_seq""").executeBatch(accountRows))
      .compose(v -> c.preparedQuery("""
        INSERT INTO order_legs (id, order_id, tenant_id, lp_id, cl_ord_id, quantity, status, created_at, updated_at)
        VALUES ($1, $2, 'ceiling', 'lp-alpha', $3, $4, 'sent', $5, $5)""").executeBatch(legs))
      .compose(v -> c.preparedQuery("""
        INSERT INTO routing_decisions (order_id, tenant_id, strategy, decision, created_at)
        VALUES ($1, 'ceiling', 'best', $2, $3)""").executeBatch(decisions))
      .compose(v -> c.preparedQuery("""
        INSERT INTO execution_reports (lp_id, exec_id, cl_ord_id, kind, report, received_at)
        VALUES ('lp-alpha', $1, $2, $3, $4, $5)""").executeBatch(reports))
      .compose(v -> c.preparedQuery("""
        INSERT INTO fills (id, order_id, tenant_id, account_id, lp_id, lp_exec_id, quantity, price, fee, fee_currency,
          executed_at, created_at) VALUES ($1, $2, 'ceiling', $3, 'lp-alpha', $4, $5, $6, 0, 'USD', $7, $7)""")
        .executeBatch(fills))
      .compose(v -> c.preparedQuery("""
        INSERT INTO positions (account_id, instrument_id, tenant_id, quantity, average_price, realized_pnl, version,
          updated_at) VALUES ($1, 'EURUSD', 'ceiling', $2, $3, 0, 0, $4)
        ON CONFLICT (account_id, instrument_id) DO UPDATE SET quantity = EXCLUDED.quantity,
          average_price = EXCLUDED.average_price, version = positions.version + 1, updated_at = EXCLUDED.updated_at""")
        .executeBatch(positions))
      .compose(v -> c.preparedQuery("""
        UPDATE orders SET status = 'filled', filled_quantity = $2, average_price = $3, reserved_amount = 0,
          version = version + 1, updated_at = $4 WHERE id = $1""").executeBatch(filled))
      .compose(v -> c.preparedQuery("""
        INSERT INTO execution_logs (tenant_id, order_id, account_id, event_type, details, actor, created_at)
        VALUES ('ceiling', $1, $2, $3, $4, 'system', $5)""").executeBatch(audit))
      .compose(v -> c.preparedQuery("""
        INSERT INTO events (tenant_id, account_id, seq, event_type, payload, created_at)
        VALUES ('ceiling', $1, $2, $3, $4, $5)""").executeBatch(events))
      .mapEmpty();
  }

  static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }
}
