package io.orion.oms.order;

import io.orion.oms.infra.UnnestColumns;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.time.Instant;
import java.util.UUID;

/** Appends to the audit trail ({@code execution_logs}); the database refuses updates and deletes. */
public final class AuditLog {
  private static final String INSERT = """
    INSERT INTO execution_logs (tenant_id, order_id, account_id, event_type, from_status, to_status, details, actor,
      created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)""";
  /** Many rows in one statement: one execution on the server, where a batch of single-row inserts costs one each. */
  private static final String INSERT_ALL = """
    INSERT INTO execution_logs (tenant_id, order_id, account_id, event_type, from_status, to_status, details, actor,
      created_at)
    SELECT t, o, a, e, f, s, d::jsonb, w, c
    FROM unnest($1::text[], $2::uuid[], $3::uuid[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
      $9::timestamptz[]) AS u(t, o, a, e, f, s, d, w, c)""";

  /** One audit row for {@link #appendAll}. */
  public static Tuple row(Order order, AuditAction action, OrderStatus from, OrderStatus to, JsonObject details,
                          String actor, Instant now) {
    return Tuple.from(new Object[]{order.tenantId(), order.id(), order.accountId(), action.name(),
      from == null ? null : from.wire(), to == null ? null : to.wire(), details, actor, OrderRepository.utc(now)});
  }

  /** Group commit: many audit rows, of any orders, in one round trip ({@code executeBatch}). */
  public Future<Void> appendAll(SqlClient tx, java.util.List<Tuple> rows) {
    if (rows.isEmpty()) return Future.succeededFuture();
    if (rows.size() == 1) return tx.preparedQuery(INSERT).execute(rows.get(0)).mapEmpty();
    return tx.preparedQuery(INSERT_ALL).execute(Tuple.from(columns(rows))).mapEmpty();
  }

  /** The parameters of the multi-row insert: one array per column, for statements that write audit rows with others. */
  static Object[] columns(java.util.List<Tuple> rows) {
    return UnnestColumns.of(rows, String.class, UUID.class, UUID.class, String.class, String.class, String.class,
      String.class, String.class, java.time.OffsetDateTime.class);
  }

  public Future<Void> append(SqlClient tx, Order order, AuditAction action, OrderStatus from, OrderStatus to,
                             JsonObject details, String actor, Instant now) {
    return tx.preparedQuery(INSERT).execute(Tuple.from(new Object[]{order.tenantId(), order.id(), order.accountId(),
      action.name(), from == null ? null : from.wire(), to == null ? null : to.wire(), details, actor,
      OrderRepository.utc(now)})).mapEmpty();
  }
}
