package io.orion.oms.order;

import io.orion.oms.lp.ExecutionReport;
import io.orion.oms.lp.LpMessages;
import io.orion.oms.infra.UnnestColumns;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** All SQL on order legs, execution reports and routing decisions. */
public final class LegRepository {
  /** Many legs in one statement (one execution on the server, where a batch of single-row inserts costs one each). */
  private static final String INSERT_ALL = """
    INSERT INTO order_legs (id, order_id, tenant_id, lp_id, cl_ord_id, quantity, price, status, created_at, updated_at)
    SELECT i, o, t, l, c, q::numeric, p::numeric, 'sent', $8, $8
    FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[])
      AS u(i, o, t, l, c, q, p)""";
  private static final String BY_ORDER = "SELECT * FROM order_legs WHERE order_id = $1 ORDER BY created_at, cl_ord_id";
  private static final String LOCK_BY_CL_ORD_ID = "SELECT * FROM order_legs WHERE cl_ord_id = $1 FOR NO KEY UPDATE";
  private static final String BY_CL_ORD_ID = "SELECT * FROM order_legs WHERE cl_ord_id = $1";
  /** A leg by any ClOrdID it has had: replaced legs keep their earlier ones in leg_changes. */
  private static final String BY_FORMER_CL_ORD_ID = """
    SELECT l.* FROM order_legs l JOIN leg_changes c ON c.leg_id = l.id
    WHERE c.orig_cl_ord_id = $1 OR c.cl_ord_id = $1 LIMIT 1""";
  private static final String UPDATE = """
    UPDATE order_legs SET status = $2, filled_quantity = $3, average_price = $4, lp_order_id = coalesce($5, lp_order_id),
      attempts = $6, last_error = $7, quantity = $8, price = $9, updated_at = $10, cl_ord_id = $11
    WHERE id = $1 RETURNING *""";
  private static final String COUNT_FOR_ORDER = "SELECT count(*) AS n FROM order_legs WHERE order_id = $1";
  /** Rows go in in array order; a key twice in one statement goes in once (DO NOTHING skips the second). */
  private static final String RECORD_REPORTS = """
    INSERT INTO execution_reports (lp_id, exec_id, cl_ord_id, kind, report, received_at)
    SELECT l, e, c, k, r::jsonb, $6 FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[]) AS u(l, e, c, k, r)
    ON CONFLICT (lp_id, exec_id) DO NOTHING RETURNING lp_id, exec_id""";
  /** Every leg of the orders a batch of reports locked (after them: the lock order order -> leg of every writer). */
  private static final String LOCK_BY_ORDERS =
    "SELECT * FROM order_legs WHERE order_id = ANY($1::uuid[]) ORDER BY order_id, id FOR NO KEY UPDATE";
  private static final String INSERT_FILL = """
    INSERT INTO fills (id, order_id, tenant_id, account_id, lp_id, lp_exec_id, quantity, price, fee, fee_currency,
      executed_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
    ON CONFLICT (lp_id, lp_exec_id) DO NOTHING RETURNING id""";
  private static final String INSERT_DECISIONS = """
    INSERT INTO routing_decisions (order_id, tenant_id, strategy, decision, created_at)
    SELECT o, t, s, d::jsonb, $5 FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[]) AS u(o, t, s, d)""";
  private static final String OPEN_LEGS = """
    SELECT * FROM order_legs WHERE status IN ('new', 'sent', 'unknown', 'working', 'partially_filled', 'pending_cancel',
      'pending_replace') AND updated_at < $1 ORDER BY updated_at LIMIT $2""";

  /**
   * New legs (status sent, nothing filled) of orders of tenant {@code tenants[i]}, written in one statement;
   * {@code legs} as {@link #fresh} made them.
   */
  public Future<Void> insertAll(SqlClient tx, List<Leg> legs, List<String> tenants, Instant now) {
    if (legs.isEmpty()) return Future.succeededFuture();
    List<Tuple> rows = new ArrayList<>(legs.size());
    for (int i = 0; i < legs.size(); i++) {
      Leg l = legs.get(i);
      rows.add(Tuple.from(new Object[]{l.id(), l.orderId(), tenants.get(i), l.lpId(), l.clOrdId(), l.quantity(), l.price()}));
    }
    Object[] columns = UnnestColumns.of(rows, UUID.class, UUID.class, String.class, String.class, String.class,
      String.class, String.class);
    Object[] params = java.util.Arrays.copyOf(columns, columns.length + 1);
    params[columns.length] = OrderRepository.utc(now);
    return tx.preparedQuery(INSERT_ALL).execute(Tuple.from(params)).mapEmpty();
  }

  /** A leg as {@link #insertAll} writes it: sent, nothing filled yet. */
  public static Leg fresh(UUID orderId, String lpId, String clOrdId, BigDecimal quantity, BigDecimal price) {
    return new Leg(UUID.randomUUID(), orderId, lpId, clOrdId, null, quantity, price, BigDecimal.ZERO, null,
      Leg.Status.SENT, 0, null);
  }

  /** How many legs the order has had: the next leg's ClOrdID suffix. */
  public Future<Integer> count(SqlClient client, UUID orderId) {
    return client.preparedQuery(COUNT_FOR_ORDER).execute(Tuple.of(orderId))
      .map(rs -> rs.iterator().next().getLong("n").intValue());
  }

  public Future<List<Leg>> byOrder(SqlClient client, UUID orderId) {
    return client.preparedQuery(BY_ORDER).execute(Tuple.of(orderId)).map(LegRepository::all);
  }

  public Future<Leg> lockByClOrdId(SqlClient tx, String clOrdId) {
    return tx.preparedQuery(LOCK_BY_CL_ORD_ID).execute(Tuple.of(clOrdId)).map(LegRepository::first);
  }

  public Future<Leg> byClOrdId(SqlClient client, String clOrdId) {
    return client.preparedQuery(BY_CL_ORD_ID).execute(Tuple.of(clOrdId)).map(LegRepository::first);
  }

  public Future<Leg> byFormerClOrdId(SqlClient client, String clOrdId) {
    return client.preparedQuery(BY_FORMER_CL_ORD_ID).execute(Tuple.of(clOrdId)).map(LegRepository::first);
  }

  public Future<Leg> update(SqlClient tx, Leg l, Instant now) {
    return tx.preparedQuery(UPDATE).execute(Tuple.from(new Object[]{l.id(), l.status().wire(), l.filledQuantity(),
      l.averagePrice(), l.lpOrderId(), l.attempts(), l.lastError(), l.quantity(), l.price(), OrderRepository.utc(now), l.clOrdId()}))
      .map(LegRepository::first);
  }

  /**
   * Records reports in one statement; answers the {@link #reportId}s seen for the first time (a duplicate or replay
   * of an earlier report, or a second copy in the list, is not among them).
   */
  public Future<java.util.Set<String>> recordReports(SqlClient tx, List<ExecutionReport> reports, Instant now) {
    int n = reports.size();
    String[] lp = new String[n], exec = new String[n], clOrd = new String[n], kind = new String[n], json = new String[n];
    for (int i = 0; i < n; i++) {
      ExecutionReport r = reports.get(i);
      lp[i] = r.lpId();
      exec[i] = r.execId();
      clOrd[i] = r.clOrdId();
      kind[i] = r.kind().name();
      json[i] = LpMessages.toJson(r).encode();
    }
    return tx.preparedQuery(RECORD_REPORTS).execute(Tuple.from(new Object[]{lp, exec, clOrd, kind, json,
      OrderRepository.utc(now)})).map(rs -> {
        java.util.Set<String> fresh = new java.util.HashSet<>(rs.size() * 2);
        for (Row r : rs) fresh.add(reportId(r.getString("lp_id"), r.getString("exec_id")));
        return fresh;
      });
  }

  /** A report's key: the LP and its ExecID. */
  public static String reportId(String lpId, String execId) {
    return lpId + '\u0000' + execId;
  }

  /** Locks every leg of {@code orderIds} (whose orders the caller has locked). */
  public Future<List<Leg>> lockByOrders(SqlClient tx, List<UUID> orderIds) {
    return tx.preparedQuery(LOCK_BY_ORDERS).execute(Tuple.of(orderIds.toArray(new UUID[0]))).map(LegRepository::all);
  }

  /** Books fill {@code id}; false if this LP + ExecID was already booked. */
  public Future<Boolean> insertFill(SqlClient tx, UUID id, Order o, ExecutionReport r, BigDecimal qty, BigDecimal px,
                                    BigDecimal fee, String feeCurrency, Instant now) {
    Instant at = r.transactTime() == null ? now : r.transactTime();
    return tx.preparedQuery(INSERT_FILL).execute(Tuple.from(new Object[]{id, o.id(), o.tenantId(),
        o.accountId(), r.lpId(), r.execId(), qty, px, fee, feeCurrency, OrderRepository.utc(at),
        OrderRepository.utc(now)}))
      .map(rs -> rs.size() > 0);
  }

  /** One routing decision's row for {@link #insertDecisions}. */
  public static Tuple decisionRow(Order o, String strategy, JsonObject decision) {
    return Tuple.of(o.id(), o.tenantId(), strategy, decision);
  }

  /** Routing decisions, of any orders, in one statement. */
  public Future<Void> insertDecisions(SqlClient tx, List<Tuple> rows, Instant now) {
    if (rows.isEmpty()) return Future.succeededFuture();
    Object[] columns = UnnestColumns.of(rows, UUID.class, String.class, String.class, String.class);
    Object[] params = java.util.Arrays.copyOf(columns, columns.length + 1);
    params[columns.length] = OrderRepository.utc(now);
    return tx.preparedQuery(INSERT_DECISIONS).execute(Tuple.from(params)).mapEmpty();
  }

  /** Legs not final at their LP and untouched since {@code before}: what reconciliation asks about. */
  public Future<List<Leg>> openSince(SqlClient client, Instant before, int limit) {
    return client.preparedQuery(OPEN_LEGS).execute(Tuple.of(OrderRepository.utc(before), limit)).map(LegRepository::all);
  }

  private static List<Leg> all(RowSet<Row> rs) {
    List<Leg> list = new ArrayList<>(rs.size());
    rs.forEach(r -> list.add(fromRow(r)));
    return list;
  }

  private static Leg first(RowSet<Row> rs) {
    return rs.size() == 0 ? null : fromRow(rs.iterator().next());
  }

  static Leg fromRow(Row r) {
    return new Leg(r.getUUID("id"), r.getUUID("order_id"), r.getString("lp_id"), r.getString("cl_ord_id"),
      r.getString("lp_order_id"), r.getBigDecimal("quantity"), r.getBigDecimal("price"),
      r.getBigDecimal("filled_quantity"), r.getBigDecimal("average_price"), Leg.Status.fromWire(r.getString("status")),
      r.getInteger("attempts"), r.getString("last_error"));
  }
}
