package io.orion.oms.order;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

/** All SQL on the per-leg changes of a modification (cancel/replace at the LPs) and the modification rows they settle. */
public final class LegChangeRepository {
  private static final String INSERT = """
    INSERT INTO leg_changes (id, modification_id, order_id, leg_id, kind, cl_ord_id, orig_cl_ord_id, quantity, price,
      status, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'pending', $10, $10)""";
  private static final String PENDING_BY_CL_ORD_ID =
    "SELECT * FROM leg_changes WHERE cl_ord_id = $1 AND status = 'pending' FOR NO KEY UPDATE";
  private static final String RESOLVE = "UPDATE leg_changes SET status = $2, reason = $3, updated_at = $4 WHERE id = $1";
  private static final String OF_MODIFICATION = "SELECT * FROM leg_changes WHERE modification_id = $1 ORDER BY created_at, cl_ord_id";
  private static final String PENDING_FOR_LEG = "SELECT * FROM leg_changes WHERE leg_id = $1 AND status = 'pending'";
  private static final String MODIFICATION = "SELECT plan, requested_by, status FROM order_modifications WHERE id = $1";
  private static final String SETTLE_MODIFICATION =
    "UPDATE order_modifications SET status = $2, reason = $3, updated_at = $4 WHERE id = $1";

  public Future<Void> insert(SqlClient tx, LegChange c, Instant now) {
    return tx.preparedQuery(INSERT).execute(Tuple.from(new Object[]{c.id(), c.modificationId(), c.orderId(), c.legId(),
      c.kind().name().toLowerCase(Locale.ROOT), c.clOrdId(), c.origClOrdId(), c.quantity(), c.price(), OrderRepository.utc(now)})).mapEmpty();
  }

  /** The change the LP's answer with this ClOrdID resolves, locked; null when none waits for it. */
  public Future<LegChange> lockPending(SqlClient tx, String clOrdId) {
    return clOrdId == null ? Future.succeededFuture()
      : tx.preparedQuery(PENDING_BY_CL_ORD_ID).execute(Tuple.of(clOrdId)).map(LegChangeRepository::first);
  }

  public Future<Void> resolve(SqlClient tx, UUID id, LegChange.Status status, String reason, Instant now) {
    return tx.preparedQuery(RESOLVE).execute(Tuple.of(id, status.name().toLowerCase(Locale.ROOT), reason,
      OrderRepository.utc(now))).mapEmpty();
  }

  public Future<List<LegChange>> ofModification(SqlClient tx, UUID modificationId) {
    return tx.preparedQuery(OF_MODIFICATION).execute(Tuple.of(modificationId)).map(rs -> {
      List<LegChange> list = new ArrayList<>(rs.size());
      rs.forEach(r -> list.add(fromRow(r)));
      return list;
    });
  }

  /** The change of this leg still waiting for its LP, or null. */
  public Future<LegChange> pendingForLeg(SqlClient client, UUID legId) {
    return client.preparedQuery(PENDING_FOR_LEG).execute(Tuple.of(legId)).map(LegChangeRepository::first);
  }

  /** A modification's {@code {plan, requestedBy, status}}. */
  public Future<JsonObject> modification(SqlClient tx, UUID id) {
    return tx.preparedQuery(MODIFICATION).execute(Tuple.of(id)).map(rs -> {
      Row r = rs.iterator().next();
      JsonObject plan = r.getJsonObject("plan");
      return new JsonObject().put("plan", plan == null ? new JsonObject() : plan)
        .put("requestedBy", r.getString("requested_by")).put("status", r.getString("status"));
    });
  }

  public Future<Void> settleModification(SqlClient tx, UUID id, String status, String reason, Instant now) {
    return tx.preparedQuery(SETTLE_MODIFICATION).execute(Tuple.of(id, status, reason, OrderRepository.utc(now))).mapEmpty();
  }

  private static LegChange first(RowSet<Row> rs) {
    return rs.size() == 0 ? null : fromRow(rs.iterator().next());
  }

  private static LegChange fromRow(Row r) {
    return new LegChange(r.getUUID("id"), r.getUUID("modification_id"), r.getUUID("order_id"), r.getUUID("leg_id"),
      LegChange.Kind.valueOf(r.getString("kind").toUpperCase(Locale.ROOT)), r.getString("cl_ord_id"),
      r.getString("orig_cl_ord_id"), r.getBigDecimal("quantity"), r.getBigDecimal("price"),
      LegChange.Status.valueOf(r.getString("status").toUpperCase(Locale.ROOT)), r.getString("reason"));
  }
}
