package io.orion.oms.order;

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

  /** One audit row for {@link #appendAll}. */
  public static Tuple row(Order order, AuditAction action, OrderStatus from, OrderStatus to, JsonObject details,
                          String actor, Instant now) {
    return Tuple.from(new Object[]{order.tenantId(), order.id(), order.accountId(), action.name(),
      from == null ? null : from.wire(), to == null ? null : to.wire(), details, actor, OrderRepository.utc(now)});
  }

  /** Group commit: many audit rows, of any orders, in one round trip ({@code executeBatch}). */
  public Future<Void> appendAll(SqlClient tx, java.util.List<Tuple> rows) {
    if (rows.isEmpty()) return Future.succeededFuture();
    return tx.preparedQuery(INSERT).executeBatch(rows).mapEmpty();
  }

  public Future<Void> append(SqlClient tx, Order order, AuditAction action, OrderStatus from, OrderStatus to,
                             JsonObject details, String actor, Instant now) {
    return tx.preparedQuery(INSERT).execute(Tuple.from(new Object[]{order.tenantId(), order.id(), order.accountId(),
      action.name(), from == null ? null : from.wire(), to == null ? null : to.wire(), details, actor,
      OrderRepository.utc(now)})).mapEmpty();
  }
}
