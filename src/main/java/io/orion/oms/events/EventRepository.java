package io.orion.oms.events;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;

/** All SQL of the event stream: claiming unpublished outbox rows, marking them published, replay and purge. */
public final class EventRepository {
  /** Key of the advisory lock that makes one process at a time the publisher (any 64-bit constant). */
  static final long PUBLISHER_LOCK = 0x6f6d732e65766e74L;
  private static final String TRY_LOCK = "SELECT pg_try_advisory_xact_lock($1) AS locked";
  // What filters need (order id, instrument) is read out of the payload once, here, not by every subscriber.
  private static final String COLUMNS = """
    seq, event_type, payload::text AS payload, created_at, payload->>'instrumentId' AS instrument_id,
    coalesce(payload->>'orderId', CASE WHEN event_type LIKE 'order.%' THEN payload->>'id' END) AS order_id""";
  // id order is seq order within an account: both are taken under the account's row lock
  private static final String UNPUBLISHED = "SELECT id, tenant_id, account_id, " + COLUMNS
    + " FROM events WHERE published_at IS NULL ORDER BY id LIMIT $1 FOR UPDATE";
  private static final String MARK = "UPDATE events SET published_at = $1 WHERE id = ANY($2::bigint[])";
  // head is the account's last seq; read in the same snapshot as the rows, so a gap is a real gap
  private static final String REPLAY = "SELECT a.tenant_id, a.event_seq AS head, e.* FROM accounts a LEFT JOIN LATERAL ("
    + "SELECT " + COLUMNS + " FROM events WHERE account_id = a.id AND seq > $2 ORDER BY seq LIMIT $3) e ON true"
    + " WHERE a.id = $1";
  private static final String PURGE = """
    DELETE FROM events WHERE id IN (
      SELECT id FROM events WHERE created_at < $1 AND published_at IS NOT NULL LIMIT $2)""";

  /** A page of replay: the account's last seq and up to {@code limit} events after the asked one. */
  public record Page(long head, List<StreamEvent> events) {}

  private final Pool pool;

  public EventRepository(Pool pool) {
    this.pool = pool;
  }

  /**
   * In one transaction, if no other process holds the publisher lock: the oldest unpublished events (locked),
   * handed to {@code publish}, then marked published. Answers how many were published (0 also when the lock
   * was busy). A crash between publishing and the commit publishes them again: subscribers drop seqs they have.
   */
  public Future<Integer> publishBatch(int limit, Instant now, Function<List<StreamEvent>, Future<Void>> publish) {
    return pool.withTransaction(tx -> tx.preparedQuery(TRY_LOCK).execute(Tuple.of(PUBLISHER_LOCK)).compose(lock -> {
      if (!lock.iterator().next().getBoolean("locked")) return Future.succeededFuture(0);
      return tx.preparedQuery(UNPUBLISHED).execute(Tuple.of(limit)).compose(rs -> {
        if (rs.size() == 0) return Future.succeededFuture(0);
        List<StreamEvent> events = new ArrayList<>(rs.size());
        Long[] ids = new Long[rs.size()];
        int i = 0;
        for (Row r : rs) {
          ids[i++] = r.getLong("id");
          events.add(event(r.getString("tenant_id"), r.getUUID("account_id"), r));
        }
        return publish.apply(events).compose(v -> mark(tx, ids, now)).map(events.size());
      });
    }));
  }

  private static Future<Void> mark(SqlConnection tx, Long[] ids, Instant now) {
    return tx.preparedQuery(MARK).execute(Tuple.of(utc(now)).addValue(ids)).mapEmpty();
  }

  /** Events of one account after {@code afterSeq}, oldest first; null when the account does not exist. */
  public Future<Page> replay(UUID accountId, long afterSeq, int limit) {
    return pool.preparedQuery(REPLAY).execute(Tuple.of(accountId, afterSeq, limit)).map(rs -> {
      if (rs.size() == 0) return null;
      List<StreamEvent> events = new ArrayList<>();
      long head = 0;
      for (Row r : rs) {
        head = r.getLong("head");
        if (r.getValue("seq") != null) events.add(event(r.getString("tenant_id"), accountId, r));
      }
      return new Page(head, events);
    });
  }

  /** Deletes up to {@code limit} published events created before {@code before}; how many went. */
  public Future<Integer> purge(Instant before, int limit) {
    return pool.preparedQuery(PURGE).execute(Tuple.of(utc(before), limit)).map(rs -> rs.rowCount());
  }

  private static StreamEvent event(String tenant, UUID accountId, Row r) {
    return StreamEvent.of(tenant, accountId, r.getLong("seq"), r.getString("event_type"), r.getString("order_id"),
      r.getString("instrument_id"), r.getOffsetDateTime("created_at").toInstant(), r.getString("payload"));
  }

  private static OffsetDateTime utc(Instant t) {
    return OffsetDateTime.ofInstant(t, ZoneOffset.UTC);
  }
}
