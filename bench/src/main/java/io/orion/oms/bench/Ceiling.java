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
 * database allows: {@code connections} writers, each committing {@code batch} orders per transaction, every
 * statement of a transaction queued at once (one round trip for all of them; BEGIN and COMMIT one each), one
 * multi-row statement ({@code unnest} of arrays) per table and kind of change, and an {@code executeBatch} where the
 * rows are one account's or one position's (a statement cannot change a row twice). That is the ceiling; the service pays for more transactions.
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
    BigDecimal reserve = new BigDecimal("10900");
    UUID[] ids = new UUID[batch], legIds = new UUID[batch], fillIds = new UUID[batch];
    String[] refs = new String[batch], clientIds = new String[batch], clOrdIds = new String[batch],
      tradeIds = new String[batch];
    String[] reportIds = new String[2 * batch], reportClOrdIds = new String[2 * batch], reportKinds = new String[2 * batch];
    UUID[] auditOrders = new UUID[5 * batch];
    String[] auditTypes = new String[5 * batch];
    Long[] seqs = new Long[7 * batch];
    String[] eventTypes = new String[7 * batch];
    List<Tuple> accountRows = new ArrayList<>(batch), positions = new ArrayList<>(batch);
    String[] audits = {"SUBMITTED", "VALIDATED", "ROUTED", "SENT", "FILLED"};
    String[] events = {"order.created", "balance.updated", "order.working", "trade.executed", "position.updated",
      "order.filled", "balance.updated"};
    for (int i = 0; i < batch; i++) {
      UUID id = UUID.randomUUID();
      ids[i] = id;
      refs[i] = "C-" + id;
      clientIds[i] = "b-" + id;
      legIds[i] = UUID.randomUUID();
      clOrdIds[i] = refs[i] + "-1";
      fillIds[i] = UUID.randomUUID();
      tradeIds[i] = refs[i] + "-t";
      reportIds[2 * i] = refs[i] + "-n";
      reportIds[2 * i + 1] = tradeIds[i];
      reportClOrdIds[2 * i] = reportClOrdIds[2 * i + 1] = clOrdIds[i];
      reportKinds[2 * i] = "NEW";
      reportKinds[2 * i + 1] = "TRADE";
      accountRows.add(Tuple.of(account, reserve, 7, now));
      positions.add(Tuple.of(account, qty, px, now));
      for (int a = 0; a < audits.length; a++) {
        auditOrders[5 * i + a] = id;
        auditTypes[5 * i + a] = audits[a];
      }
      for (int e = 0; e < events.length; e++) {
        seqs[7 * i + e] = ++seq[0];
        eventTypes[7 * i + e] = events[e];
      }
    }
    // every statement queued at once (the connection runs them in order, one round trip for the lot); one multi-row
    // statement per table and kind of change, except where the rows are one account's or one position's, which one
    // statement cannot change twice
    List<Future<?>> all = new ArrayList<>();
    all.add(c.preparedQuery("""
        INSERT INTO orders (id, order_ref, tenant_id, account_id, submitted_by, client_order_id, instrument_id, side,
          order_type, time_in_force, quantity, routing_strategy, status, reserved_amount, created_at, updated_at)
        SELECT i, r, 'ceiling', $4, 'ceiling', k, 'EURUSD', 'buy', 'market', 'ioc', $5::numeric, 'best', 'pending',
          $6::numeric, $7, $7 FROM unnest($1::uuid[], $2::text[], $3::text[]) AS u(i, r, k)
        ON CONFLICT (account_id, client_order_id) WHERE client_order_id IS NOT NULL DO NOTHING""")
      .execute(Tuple.of(ids, refs, clientIds, account, qty, reserve, now)));
    all.add(c.preparedQuery("""
        UPDATE accounts SET reserved = reserved + $2::numeric, event_seq = event_seq + $3, version = version + 1,
          updated_at = $4 WHERE id = $1 AND ($2::numeric = 0 OR balance - reserved >= $2::numeric)
        RETURNING balance, reserved, event_seq""").executeBatch(accountRows));
    all.add(c.preparedQuery("""
        INSERT INTO order_legs (id, order_id, tenant_id, lp_id, cl_ord_id, quantity, status, created_at, updated_at)
        SELECT i, o, 'ceiling', 'lp-alpha', k, $4::numeric, 'sent', $5, $5
        FROM unnest($1::uuid[], $2::uuid[], $3::text[]) AS u(i, o, k)""")
      .execute(Tuple.of(legIds, ids, clOrdIds, qty, now)));
    all.add(c.preparedQuery("""
        INSERT INTO routing_decisions (order_id, tenant_id, strategy, decision, created_at)
        SELECT o, 'ceiling', 'best', $2::jsonb, $3 FROM unnest($1::uuid[]) AS u(o)""")
      .execute(Tuple.of(ids, payload, now)));
    all.add(c.preparedQuery("""
        INSERT INTO execution_reports (lp_id, exec_id, cl_ord_id, kind, report, received_at)
        SELECT 'lp-alpha', e, k, d, $4::jsonb, $5 FROM unnest($1::text[], $2::text[], $3::text[]) AS u(e, k, d)""")
      .execute(Tuple.of(reportIds, reportClOrdIds, reportKinds, payload, now)));
    all.add(c.preparedQuery("""
        INSERT INTO fills (id, order_id, tenant_id, account_id, lp_id, lp_exec_id, quantity, price, fee, fee_currency,
          executed_at, created_at)
        SELECT i, o, 'ceiling', $4, 'lp-alpha', e, $5::numeric, $6::numeric, 0, 'USD', $7, $7
        FROM unnest($1::uuid[], $2::uuid[], $3::text[]) AS u(i, o, e)""")
      .execute(Tuple.of(fillIds, ids, tradeIds, account, qty, px, now)));
    all.add(c.preparedQuery("""
        INSERT INTO positions (account_id, instrument_id, tenant_id, quantity, average_price, realized_pnl, version,
          updated_at) VALUES ($1, 'EURUSD', 'ceiling', $2, $3, 0, 0, $4)
        ON CONFLICT (account_id, instrument_id) DO UPDATE SET quantity = EXCLUDED.quantity,
          average_price = EXCLUDED.average_price, version = positions.version + 1, updated_at = EXCLUDED.updated_at""")
      .executeBatch(positions));
    all.add(c.preparedQuery("""
        UPDATE orders o SET status = 'filled', filled_quantity = $2::numeric, average_price = $3::numeric,
          reserved_amount = 0, version = o.version + 1, updated_at = $4 FROM unnest($1::uuid[]) AS u(i) WHERE o.id = u.i""")
      .execute(Tuple.of(ids, qty, px, now)));
    all.add(c.preparedQuery("""
        INSERT INTO execution_logs (tenant_id, order_id, account_id, event_type, details, actor, created_at)
        SELECT 'ceiling', o, $3, t, $4::jsonb, 'system', $5 FROM unnest($1::uuid[], $2::text[]) AS u(o, t)""")
      .execute(Tuple.of(auditOrders, auditTypes, account, payload, now)));
    all.add(c.preparedQuery("""
        INSERT INTO events (tenant_id, account_id, seq, event_type, payload, created_at)
        SELECT 'ceiling', $1, s, t, $4::jsonb, $5 FROM unnest($2::bigint[], $3::text[]) AS u(s, t)""")
      .execute(Tuple.of(account, seqs, eventTypes, payload, now)));
    return Future.all(all).mapEmpty();
  }

  static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }
}
