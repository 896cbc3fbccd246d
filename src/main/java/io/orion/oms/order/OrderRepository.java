package io.orion.oms.order;

import io.orion.oms.auth.Caller;
import io.orion.oms.infra.UnnestColumns;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * All SQL on orders and what hangs off them (modifications, fills, audit trail). Every read is scoped
 * to the caller: its tenant, and the accounts it owns unless it sees the whole tenant.
 */
public final class OrderRepository {
  /** Inserted unless the account already has this clientOrderId: then no row comes back. */
  private static final String INSERT = """
    INSERT INTO orders (id, order_ref, tenant_id, account_id, submitted_by, client_order_id, instrument_id, side,
      order_type, time_in_force, quantity, filled_quantity, price, stop_price, peg_offset, trail_amount, expiry_date,
      routing_strategy, lp_id, status, reserved_amount, metadata, version, created_at, updated_at)
    VALUES ($1, 'ORD-' || to_char($21 AT TIME ZONE 'UTC', 'YYYYMMDD') || '-' || lpad(nextval('order_ref_seq')::text, 7, '0'),
      $2, $3, $4, $5, $6, $7, $8, $9, $10, 0, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, 0, $21, $21)
    ON CONFLICT (account_id, client_order_id) WHERE client_order_id IS NOT NULL DO NOTHING
    RETURNING *""";
  /** {@link #INSERT} for many rows in one statement (one execution on the server, not one per row). */
  private static final String INSERT_ALL = """
    INSERT INTO orders (id, order_ref, tenant_id, account_id, submitted_by, client_order_id, instrument_id, side,
      order_type, time_in_force, quantity, filled_quantity, price, stop_price, peg_offset, trail_amount, expiry_date,
      routing_strategy, lp_id, status, reserved_amount, metadata, version, created_at, updated_at)
    SELECT i, 'ORD-' || to_char($21 AT TIME ZONE 'UTC', 'YYYYMMDD') || '-' || lpad(nextval('order_ref_seq')::text, 7, '0'),
      t, a, sb, c, ins, sd, ot, tf, q::numeric, 0, p::numeric, sp::numeric, po::numeric, ta::numeric, e, rs, lp, st,
      r::numeric, m::jsonb, 0, $21, $21
    FROM unnest($1::uuid[], $2::text[], $3::uuid[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
      $9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[], $15::timestamptz[], $16::text[],
      $17::text[], $18::text[], $19::text[], $20::text[])
      AS u(i, t, a, sb, c, ins, sd, ot, tf, q, p, sp, po, ta, e, rs, lp, st, r, m)
    ON CONFLICT (account_id, client_order_id) WHERE client_order_id IS NOT NULL DO NOTHING
    RETURNING *""";
  private static final String VISIBLE = """
    SELECT o.* FROM orders o JOIN accounts a ON a.id = o.account_id
    WHERE o.tenant_id = $2 AND ($3 OR a.owner_id = $4) AND
""";
  private static final String BY_ID = VISIBLE + "o.id = $1";
  private static final String BY_REF = VISIBLE + "o.order_ref = $1";
  private static final String BY_ID_FOR_UPDATE = BY_ID + " FOR NO KEY UPDATE OF o";
  private static final String BY_CLIENT_ORDER_ID = "SELECT * FROM orders WHERE account_id = $1 AND client_order_id = $2";
  private static final String OPEN_QUANTITY = """
    SELECT coalesce(sum(quantity - filled_quantity), 0) AS open FROM orders
    WHERE account_id = $1 AND instrument_id = $2 AND side = $3
      AND status IN ('pending', 'working', 'partial_fill', 'pending_cancel', 'pending_replace')""";
  /** A modification applies only to the version it was checked against; no row back means someone got there first. */
  private static final String MODIFY = """
    UPDATE orders SET quantity = $3, price = $4, stop_price = $5, peg_offset = $6, trail_amount = $7, expiry_date = $8,
      reserved_amount = $9, version = version + 1, updated_at = $10, peg_price = $11
    WHERE id = $1 AND version = $2 RETURNING *""";
  /** Released to routing: written once, in the transaction that decides it, so a trigger fires once. */
  private static final String MARK_TRIGGERED = """
    UPDATE orders SET triggered_at = $2, peg_price = $3, version = version + 1, updated_at = $2
    WHERE id = $1 AND triggered_at IS NULL AND status = 'pending' RETURNING *""";
  /** What the trigger verticle watches: untriggered stops, and pegged orders still working. */
  private static final String HELD_WHERE = """
    order_type IN ('stop', 'stop_limit', 'trailing_stop', 'pegged')
      AND status IN ('pending', 'working', 'partial_fill', 'pending_replace')
      AND (order_type = 'pegged' OR triggered_at IS NULL)""";
  private static final String HELD_VERSIONS = "SELECT id, version FROM orders WHERE " + HELD_WHERE;
  private static final String BY_IDS = "SELECT * FROM orders WHERE id = ANY($1::uuid[])";
  /** Triggered, but the service stopped before routing wrote any leg. */
  private static final String TRIGGERED_UNROUTED = """
    SELECT o.* FROM orders o WHERE o.triggered_at IS NOT NULL AND o.status = 'pending'
      AND NOT EXISTS (SELECT 1 FROM order_legs l WHERE l.order_id = o.id)""";
  private static final String SAVE_STATE = """
    UPDATE orders SET status = $2, filled_quantity = $3, average_price = $4, reserved_amount = $5, reject_code = $6,
      reject_reason = $7, version = version + 1, updated_at = $8
    WHERE id = $1 RETURNING *""";
  private static final String LOCK_BY_ID = "SELECT * FROM orders WHERE id = $1 FOR NO KEY UPDATE";
  // A batch of reports locks all its orders first, in id order (see ExecutionApplier#applyOrders). A key is an order
  // ref, or a leg's ClOrdID when the report's ClOrdID does not start with one. ORDER BY is applied before the rows
  // are locked, so they are locked in that order. Whole rows: the reports are applied from them (nothing read twice).
  private static final String LOCK_BY_KEYS = """
    SELECT k.key, o.*
    FROM unnest($1::text[]) AS k(key)
      JOIN orders o ON o.id = coalesce((SELECT r.id FROM orders r WHERE r.order_ref = k.key),
        (SELECT l.order_id FROM order_legs l WHERE l.cl_ord_id = k.key))
    ORDER BY o.id FOR NO KEY UPDATE OF o""";
  private static final String FILLS =
    "SELECT * FROM fills WHERE order_id = $1 ORDER BY executed_at, id";
  private static final String MODIFICATIONS =
    "SELECT * FROM order_modifications WHERE order_id = $1 ORDER BY created_at, id";
  private static final String INSERT_MODIFICATION = """
    INSERT INTO order_modifications (id, order_id, tenant_id, kind, requested, previous, status, reason, requested_by,
      created_at, updated_at, plan) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10, $11)""";
  private static final String AUDIT = "SELECT * FROM execution_logs WHERE order_id = $1 ORDER BY id";
  private static final String TENANT_AUDIT = """
    SELECT * FROM execution_logs WHERE tenant_id = $1 AND created_at >= $2 AND created_at <= $3
    ORDER BY id LIMIT $4 OFFSET $5""";
  private static final String TENANT_AUDIT_COUNT =
    "SELECT count(*) AS total FROM execution_logs WHERE tenant_id = $1 AND created_at >= $2 AND created_at <= $3";

  private final Pool pool;

  public OrderRepository(Pool pool) {
    this.pool = pool;
  }

  public Pool pool() {
    return pool;
  }

  /**
   * Inside a transaction; null when the account already holds an order with this clientOrderId.
   * {@code reserved} is what the same transaction holds on the account for it.
   */
  public Future<Order> insert(SqlClient tx, UUID id, String tenant, String submittedBy, NewOrder o, BigDecimal reserved,
                              Instant now) {
    Object[] values = {id, tenant, o.accountId(), submittedBy, o.clientOrderId(), o.instrumentId(), o.side().wire(),
      o.orderType().wire(), o.timeInForce().wire(), o.quantity(), o.price(), o.stopPrice(), o.pegOffset(),
      o.trailAmount(), o.expiryDate() == null ? null : utc(o.expiryDate()), o.routingStrategy().wire(), o.lpId(),
      OrderStatus.PENDING.wire(), reserved, o.metadata(), utc(now)};
    return tx.preparedQuery(INSERT).execute(Tuple.from(values)).map(OrderRepository::first);
  }

  /**
   * Group commit: inserts several orders in one statement inside the caller's transaction. The answer is in the
   * same order as {@code rows}; an entry is null where the account already holds that clientOrderId (or an
   * earlier row of the same batch took it). Each row is {@link #insertRow}; all rows share its time.
   */
  public Future<List<Order>> insertBatch(SqlClient tx, List<Tuple> rows) {
    int n = rows.size();
    if (n == 0) return Future.succeededFuture(List.of());
    Object[] columns = UnnestColumns.of(rows, UUID.class, String.class, UUID.class, String.class, String.class,
      String.class, String.class, String.class, String.class, String.class, String.class, String.class, String.class,
      String.class, OffsetDateTime.class, String.class, String.class, String.class, String.class, String.class);
    columns = java.util.Arrays.copyOf(columns, 21);
    columns[20] = rows.get(0).getValue(20); // the batch's time
    return tx.preparedQuery(INSERT_ALL).execute(Tuple.from(columns)).map(rs -> {
      java.util.Map<UUID, Order> inserted = new java.util.HashMap<>();
      for (Row row : rs) {
        Order o = fromRow(row);
        inserted.put(o.id(), o);
      }
      List<Order> out = new ArrayList<>(n);
      for (Tuple r : rows) out.add(inserted.get(r.getUUID(0)));
      return out;
    });
  }

  /** The parameters of {@link #insert} for {@link #insertBatch}. */
  public static Tuple insertRow(UUID id, String tenant, String submittedBy, NewOrder o, BigDecimal reserved, Instant now) {
    return Tuple.from(new Object[]{id, tenant, o.accountId(), submittedBy, o.clientOrderId(), o.instrumentId(),
      o.side().wire(), o.orderType().wire(), o.timeInForce().wire(), o.quantity(), o.price(), o.stopPrice(),
      o.pegOffset(), o.trailAmount(), o.expiryDate() == null ? null : utc(o.expiryDate()), o.routingStrategy().wire(),
      o.lpId(), OrderStatus.PENDING.wire(), reserved, o.metadata(), utc(now)});
  }

  private static final String DELETE_UNCOMMITTED = "DELETE FROM orders WHERE id = $1";

  /**
   * Group commit: removes orders inserted earlier in the same, still uncommitted transaction whose funds could
   * not be held; nothing else refers to them yet and no one else has seen them.
   */
  public Future<Void> deleteUncommitted(SqlClient tx, List<UUID> ids) {
    if (ids.isEmpty()) return Future.succeededFuture();
    List<Tuple> rows = new ArrayList<>(ids.size());
    for (UUID id : ids) rows.add(Tuple.of(id));
    return tx.preparedQuery(DELETE_UNCOMMITTED).executeBatch(rows).mapEmpty();
  }

  public Future<Order> findByClientOrderId(SqlClient client, UUID accountId, String clientOrderId) {
    return client.preparedQuery(BY_CLIENT_ORDER_ID).execute(Tuple.of(accountId, clientOrderId))
      .map(OrderRepository::first);
  }

  public Future<Order> findVisible(Caller caller, UUID id) {
    return pool.preparedQuery(BY_ID).execute(scope(id, caller)).map(OrderRepository::first);
  }

  public Future<Order> findVisibleByRef(Caller caller, String orderRef) {
    return pool.preparedQuery(BY_REF).execute(scope(orderRef, caller)).map(OrderRepository::first);
  }

  /** Inside a transaction: the order locked for a state change, if the caller may see it. */
  public Future<Order> lockVisible(SqlClient tx, Caller caller, UUID id) {
    return tx.preparedQuery(BY_ID_FOR_UPDATE).execute(scope(id, caller)).map(OrderRepository::first);
  }

  private static final String EXPIRED = """
    SELECT * FROM orders WHERE status IN ('pending', 'working', 'partial_fill', 'pending_replace') AND (
      (time_in_force = 'gtd' AND expiry_date <= $1) OR (time_in_force = 'day' AND created_at < $2))
    ORDER BY created_at LIMIT 100""";

  /** Open GTD orders past their expiry and DAY orders from before the last session end. */
  public Future<List<Order>> expired(Instant now, Instant lastDayEnd) {
    return pool.preparedQuery(EXPIRED).execute(Tuple.of(utc(now), utc(lastDayEnd))).map(OrderRepository::all);
  }

  /** Marks a held order released (null if it was released, cancelled or changed meanwhile). */
  public Future<Order> markTriggered(SqlClient tx, UUID id, java.math.BigDecimal pegPrice, Instant now) {
    return tx.preparedQuery(MARK_TRIGGERED).execute(Tuple.of(id, utc(now), pegPrice)).map(OrderRepository::first);
  }

  /** Id and version of every order the trigger verticle watches (the rows themselves: {@link #byIds}). */
  public Future<Map<UUID, Long>> heldVersions(SqlClient client) {
    return client.query(HELD_VERSIONS).execute().map(rs -> {
      Map<UUID, Long> out = new HashMap<>(rs.size() * 2);
      rs.forEach(r -> out.put(r.getUUID(0), r.getLong(1)));
      return out;
    });
  }

  public Future<List<Order>> byIds(SqlClient client, List<UUID> ids) {
    return client.preparedQuery(BY_IDS).execute(Tuple.of(ids.toArray(UUID[]::new))).map(OrderRepository::all);
  }

  public Future<List<Order>> triggeredUnrouted(SqlClient client) {
    return client.query(TRIGGERED_UNROUTED).execute().map(OrderRepository::all);
  }

  public Future<Order> byId(SqlClient client, UUID id) {
    return client.preparedQuery("SELECT * FROM orders WHERE id = $1").execute(Tuple.of(id)).map(OrderRepository::first);
  }

  /** Inside a transaction: the order row locked, for the lifecycle (no caller: the LP or the service acts). */
  public Future<Order> lock(SqlClient tx, UUID id) {
    return tx.preparedQuery(LOCK_BY_ID).execute(Tuple.of(id)).map(OrderRepository::first);
  }

  /** An order locked for a batch of reports, under the key that named it. */
  public record KeyLocked(String key, Order order) {}

  /** Locks the orders {@code keys} name (order refs, or legs' ClOrdIDs), in id order; keys naming none are left out. */
  public Future<List<KeyLocked>> lockByKeys(SqlClient tx, List<String> keys) {
    return tx.preparedQuery(LOCK_BY_KEYS).execute(Tuple.of(keys.toArray(new String[0]))).map(rs -> {
      List<KeyLocked> out = new ArrayList<>(rs.size());
      for (Row r : rs) {
        out.add(new KeyLocked(r.getString("key"), fromRow(r)));
      }
      return out;
    });
  }

  /** Writes the state fields of {@code o} (status, fills, held funds, reject) and bumps the version. */
  public Future<Order> saveState(SqlClient tx, Order o, Instant now) {
    return tx.preparedQuery(SAVE_STATE).execute(Tuple.from(new Object[]{o.id(), o.status().wire(), o.filledQuantity(),
      o.averagePrice(), o.reservedAmount(), o.rejectCode(), o.rejectReason(), utc(now)})).map(OrderRepository::first);
  }

  /** Inside a transaction: the order's new terms, if it is still at {@code expectedVersion}; null otherwise. */
  public Future<Order> modify(SqlClient tx, Order o, long expectedVersion, BigDecimal reserved, Instant now) {
    return tx.preparedQuery(MODIFY).execute(Tuple.from(new Object[]{o.id(), expectedVersion, o.quantity(), o.price(),
        o.stopPrice(), o.pegOffset(), o.trailAmount(), o.expiryDate() == null ? null : utc(o.expiryDate()), reserved,
        utc(now), o.pegPrice()}))
      .map(OrderRepository::first);
  }

  public Future<Void> insertModification(SqlClient tx, UUID orderId, String tenant, String kind, JsonObject requested,
                                         JsonObject previous, String status, String reason, String by, Instant now) {
    return insertModification(tx, UUID.randomUUID(), orderId, tenant, kind, requested, previous, status, reason, by,
      null, now);
  }

  /** As above with the row's id and, for a modification waiting for LPs, its {@code plan} (funds per unit). */
  public Future<Void> insertModification(SqlClient tx, UUID id, UUID orderId, String tenant, String kind,
                                         JsonObject requested, JsonObject previous, String status, String reason,
                                         String by, JsonObject plan, Instant now) {
    return tx.preparedQuery(INSERT_MODIFICATION)
      .execute(Tuple.from(new Object[]{id, orderId, tenant, kind, requested, previous, status, reason,
        by, utc(now), plan}))
      .mapEmpty();
  }

  /** Unfilled quantity of the account's open orders on one side of an instrument. */
  public Future<BigDecimal> openQuantity(UUID accountId, String instrumentId, Side side) {
    return openQuantity(pool, accountId, instrumentId, side);
  }

  public Future<BigDecimal> openQuantity(SqlClient client, UUID accountId, String instrumentId, Side side) {
    return client.preparedQuery(OPEN_QUANTITY).execute(Tuple.of(accountId, instrumentId, side.wire()))
      .map(rs -> rs.iterator().next().getBigDecimal("open"));
  }

  /** One page of the caller's orders, newest first, and the total matching the filters. */
  public Future<Page> list(Caller caller, OrderQuery q) {
    List<Object> params = new ArrayList<>(List.of(caller.tenant(), caller.seesWholeTenant(), caller.userId()));
    StringBuilder where = new StringBuilder(" FROM orders o JOIN accounts a ON a.id = o.account_id"
      + " WHERE o.tenant_id = $1 AND ($2 OR a.owner_id = $3)");
    if (q.accountId() != null) where.append(" AND o.account_id = $").append(add(params, q.accountId()));
    if (q.instrumentId() != null) where.append(" AND o.instrument_id = $").append(add(params, q.instrumentId()));
    if (q.statuses() != null && !q.statuses().isEmpty()) {
      String[] s = q.statuses().stream().map(OrderStatus::wire).toArray(String[]::new);
      where.append(" AND o.status = ANY($").append(add(params, s)).append(")");
    }
    if (q.side() != null) where.append(" AND o.side = $").append(add(params, q.side().wire()));
    if (q.fromDate() != null) where.append(" AND o.created_at >= $").append(add(params, utc(q.fromDate())));
    if (q.toDate() != null) where.append(" AND o.created_at <= $").append(add(params, utc(q.toDate())));
    Tuple countArgs = Tuple.from(params);
    String count = "SELECT count(*) AS total" + where;
    int limitIdx = add(params, q.limit());
    int offsetIdx = add(params, (long) (q.page() - 1) * q.limit());
    String page = "SELECT o.*" + where + " ORDER BY o.created_at DESC, o.id DESC LIMIT $" + limitIdx + " OFFSET $" + offsetIdx;
    return pool.preparedQuery(count).execute(countArgs).compose(c -> {
      long total = c.iterator().next().getLong("total");
      return pool.preparedQuery(page).execute(Tuple.from(params)).map(rs -> new Page(all(rs), total));
    });
  }

  public record Page(List<Order> orders, long total) {}

  public Future<JsonArray> fills(UUID orderId) {
    return pool.preparedQuery(FILLS).execute(Tuple.of(orderId)).map(rs -> {
      JsonArray out = new JsonArray();
      rs.forEach(r -> out.add(new JsonObject().put("id", r.getUUID("id").toString())
        .put("orderId", r.getUUID("order_id").toString()).put("quantity", r.getBigDecimal("quantity"))
        .put("price", r.getBigDecimal("price")).put("fee", r.getBigDecimal("fee"))
        .put("feeCurrency", r.getString("fee_currency")).put("executedAt", time(r, "executed_at"))));
      return out;
    });
  }

  public Future<JsonArray> modifications(UUID orderId) {
    return pool.preparedQuery(MODIFICATIONS).execute(Tuple.of(orderId)).map(rs -> {
      JsonArray out = new JsonArray();
      rs.forEach(r -> out.add(new JsonObject().put("id", r.getUUID("id").toString())
        .put("orderId", r.getUUID("order_id").toString()).put("kind", r.getString("kind"))
        .put("requested", numbers(r.getJsonObject("requested"))).put("previous", numbers(r.getJsonObject("previous")))
        .put("status", r.getString("status")).put("reason", r.getString("reason"))
        .put("requestedBy", r.getString("requested_by")).put("createdAt", time(r, "created_at"))));
      return out;
    });
  }

  public Future<JsonArray> audit(UUID orderId) {
    return pool.preparedQuery(AUDIT).execute(Tuple.of(orderId)).map(OrderRepository::auditEntries);
  }

  /** A page of a whole tenant's audit trail between two instants (inclusive), oldest first, and its total. */
  public Future<JsonObject> tenantAudit(String tenant, Instant from, Instant to, int page, int limit) {
    Tuple range = Tuple.of(tenant, utc(from), utc(to));
    return pool.preparedQuery(TENANT_AUDIT_COUNT).execute(range).compose(c -> {
      long total = c.iterator().next().getLong("total");
      return pool.preparedQuery(TENANT_AUDIT).execute(Tuple.of(tenant, utc(from), utc(to), limit, (long) (page - 1) * limit))
        .map(rs -> new JsonObject().put("data", auditEntries(rs)).put("total", total));
    });
  }

  private static JsonArray auditEntries(RowSet<Row> rs) {
    JsonArray out = new JsonArray();
    rs.forEach(r -> out.add(new JsonObject().put("id", r.getLong("id")).put("orderId", r.getUUID("order_id").toString())
      .put("accountId", r.getUUID("account_id").toString())
      .put("eventType", r.getString("event_type")).put("fromStatus", r.getString("from_status"))
      .put("toStatus", r.getString("to_status")).put("details", r.getJsonObject("details"))
      .put("actor", r.getString("actor")).put("createdAt", time(r, "created_at"))));
    return out;
  }

  private static final java.util.Set<String> DECIMAL_TERMS =
    java.util.Set.of("quantity", "price", "stopPrice", "pegOffset", "trailAmount");

  /** Stored terms keep decimals as exact strings; the API shows them as numbers like everywhere else. */
  private static JsonObject numbers(JsonObject terms) {
    if (terms == null) return null;
    JsonObject out = terms.copy();
    DECIMAL_TERMS.forEach(k -> {
      if (out.getValue(k) instanceof String s) out.put(k, new BigDecimal(s));
    });
    return out;
  }

  private static int add(List<Object> params, Object value) {
    params.add(value);
    return params.size();
  }

  private static Tuple scope(Object key, Caller c) {
    return Tuple.of(key, c.tenant(), c.seesWholeTenant(), c.userId());
  }

  private static String time(Row r, String col) {
    OffsetDateTime t = r.getOffsetDateTime(col);
    return t == null ? null : t.toInstant().toString();
  }

  private static List<Order> all(RowSet<Row> rs) {
    List<Order> list = new ArrayList<>(rs.size());
    rs.forEach(r -> list.add(fromRow(r)));
    return list;
  }

  private static Order first(RowSet<Row> rs) {
    return rs.size() == 0 ? null : fromRow(rs.iterator().next());
  }

  static Order fromRow(Row r) {
    OffsetDateTime expiry = r.getOffsetDateTime("expiry_date");
    return new Order(r.getUUID("id"), r.getString("order_ref"), r.getString("tenant_id"), r.getUUID("account_id"),
      r.getString("submitted_by"), r.getString("client_order_id"), r.getString("instrument_id"),
      Side.fromWire(r.getString("side")), OrderType.fromWire(r.getString("order_type")),
      TimeInForce.fromWire(r.getString("time_in_force")), r.getBigDecimal("quantity"),
      r.getBigDecimal("filled_quantity"), r.getBigDecimal("price"), r.getBigDecimal("stop_price"),
      r.getBigDecimal("peg_offset"), r.getBigDecimal("trail_amount"), r.getBigDecimal("average_price"),
      expiry == null ? null : expiry.toInstant(), RoutingStrategy.fromWire(r.getString("routing_strategy")),
      r.getString("lp_id"), OrderStatus.fromWire(r.getString("status")), r.getString("reject_code"), r.getString("reject_reason"),
      r.getBigDecimal("reserved_amount"), r.getJsonObject("metadata"), r.getLong("version"),
      r.getOffsetDateTime("created_at").toInstant(), r.getOffsetDateTime("updated_at").toInstant(), r.getBigDecimal("peg_price"),
      r.getOffsetDateTime("triggered_at") == null ? null : r.getOffsetDateTime("triggered_at").toInstant());
  }

  static OffsetDateTime utc(Instant t) {
    return OffsetDateTime.ofInstant(t, ZoneOffset.UTC);
  }
}
