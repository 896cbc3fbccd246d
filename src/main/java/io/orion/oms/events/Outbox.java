package io.orion.oms.events;

import io.orion.oms.infra.UnnestColumns;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The transactional outbox: events are written in the transaction of the change they describe, numbered
 * by the account's own {@code seq}. {@link EventPublisher} publishes them after commit; the rows stay the
 * complete, ordered record that subscribers replay from.
 */
public final class Outbox {
  /**
   * All rows in one statement (one execution on the server however many rows, where a batch of single-row
   * inserts costs one each). Ids are drawn in array order, so they follow the seqs as the rows were given.
   */
  private static final String INSERT = """
    INSERT INTO events (tenant_id, account_id, seq, event_type, payload, created_at)
    SELECT t, a, s, e, p::jsonb, c
    FROM unnest($1::text[], $2::uuid[], $3::int8[], $4::text[], $5::text[], $6::timestamptz[]) AS u(t, a, s, e, p, c)""";

  /** One event to append; {@code payload} is the public view (never routing or LP internals). */
  public record Event(String type, JsonObject payload) {}

  /**
   * Appends events numbered {@code lastSeq - events.size() + 1 .. lastSeq}: the caller took those numbers
   * from the account row in the same transaction, so seqs never collide or skip.
   */
  public Future<Void> append(SqlClient tx, String tenant, UUID accountId, long lastSeq, List<Event> events,
                             Instant now) {
    return appendAll(tx, rows(tenant, accountId, lastSeq, events, now));
  }

  /** The rows {@link #append} writes, for {@link #appendAll}: numbered {@code lastSeq - events.size() + 1 .. lastSeq}. */
  public static List<Tuple> rows(String tenant, UUID accountId, long lastSeq, List<Event> events, Instant now) {
    long seq = lastSeq - events.size() + 1;
    OffsetDateTime at = OffsetDateTime.ofInstant(now, ZoneOffset.UTC);
    List<Tuple> rows = new ArrayList<>(events.size());
    for (Event e : events) {
      rows.add(Tuple.of(tenant, accountId, seq++, e.type(), e.payload(), at));
    }
    return rows;
  }

  /**
   * Group commit: the events of several changes (several accounts) in one round trip. Rows must come in the
   * order their seqs were taken, so that ids follow seqs within each account (the publisher reads by id).
   */
  public Future<Void> appendAll(SqlClient tx, List<Tuple> rows) {
    if (rows.isEmpty()) return Future.succeededFuture();
    return tx.preparedQuery(INSERT).execute(Tuple.from(columns(rows))).mapEmpty();
  }

  /**
   * The parameters of the multi-row insert: one array per column ({@code tenant_id, account_id, seq, event_type,
   * payload as text, created_at}), for statements that write the events with other rows.
   */
  public static Object[] columns(List<Tuple> rows) {
    return UnnestColumns.of(rows, String.class, UUID.class, Long.class, String.class, String.class, OffsetDateTime.class);
  }
}
