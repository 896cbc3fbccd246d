package io.orion.oms.order;

import io.orion.oms.events.Outbox;
import io.vertx.core.Future;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.util.List;

/**
 * The record a change leaves: its audit rows ({@link AuditLog#row}) and its outbox events ({@link Outbox#rows}),
 * written in one statement. Both tables are append-only; one statement instead of two saves a server execution
 * and a reply on every change of the order path.
 */
public final class ChangeRecord {
  private static final String INSERT = """
    WITH audit AS (
      INSERT INTO execution_logs (tenant_id, order_id, account_id, event_type, from_status, to_status, details, actor,
        created_at)
      SELECT t, o, a, e, f, s, d::jsonb, w, c
      FROM unnest($1::text[], $2::uuid[], $3::uuid[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
        $9::timestamptz[]) AS u(t, o, a, e, f, s, d, w, c))
    INSERT INTO events (tenant_id, account_id, seq, event_type, payload, created_at)
    SELECT t, a, s, e, p::jsonb, c
    FROM unnest($10::text[], $11::uuid[], $12::int8[], $13::text[], $14::text[], $15::timestamptz[])
      AS u(t, a, s, e, p, c)""";

  /** Event rows must come in the order their seqs were taken (ids follow seqs within each account). */
  public Future<Void> write(SqlClient tx, List<Tuple> auditRows, List<Tuple> eventRows) {
    if (auditRows.isEmpty() && eventRows.isEmpty()) return Future.succeededFuture();
    Object[] audit = AuditLog.columns(auditRows);
    Object[] events = Outbox.columns(eventRows);
    Object[] params = new Object[audit.length + events.length];
    System.arraycopy(audit, 0, params, 0, audit.length);
    System.arraycopy(events, 0, params, audit.length, events.length);
    return tx.preparedQuery(INSERT).execute(Tuple.from(params)).mapEmpty();
  }
}
