package io.orion.oms.events;

import io.orion.oms.infra.Database;
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

/**
 * All SQL of the event stream: the publisher's drain (rows committed since its stored snapshot), replay and
 * purge.
 */
public final class EventRepository {
  /** Key of the advisory lock that makes one process at a time the publisher (any 64-bit constant). */
  static final long PUBLISHER_LOCK = 0x6f6d732e65766e74L;
  // What filters need (order id, instrument) is read out of the payload once, here, not by every subscriber.
  private static final String COLUMNS = """
    seq, event_type, payload::text AS payload, created_at, payload->>'instrumentId' AS instrument_id,
    coalesce(payload->>'orderId', CASE WHEN event_type LIKE 'order.%' THEN payload->>'id' END) AS order_id""";
  // If this process gets the publisher lock: the rows whose transaction became visible since the stored snapshot
  // (the publisher's place), with the current snapshot to store next; one row of nulls and the snapshot when there
  // are none. Without the lock, one row with locked false. (Lock and read in one statement: one round trip. The
  // statement's snapshot may predate a rival's last store; then rows it published come again, and subscribers drop
  // seqs they have.) The xid range keeps it on the
  // index: a transaction the stored snapshot does not see is at least its xmin, one the current sees is below its
  // xmax. id order is seq order within an account: both are taken under the account's row lock. (The stored
  // snapshot is read as a scalar: the planner then knows it is one row and keeps the plan cheap.)
  private static final String NEWLY_VISIBLE = "SELECT s.locked, s.now::text AS snapshot, e.id, e.tenant_id,"
    + " e.account_id, " + COLUMNS
    + " FROM (SELECT pg_try_advisory_xact_lock($1) AS locked, (SELECT published FROM event_publisher) AS prev,"
    + " pg_current_snapshot() AS now) s"
    + " LEFT JOIN events e ON s.locked AND e.xid >= pg_snapshot_xmin(s.prev) AND e.xid < pg_snapshot_xmax(s.now)"
    + " AND pg_visible_in_snapshot(e.xid, s.now) AND NOT pg_visible_in_snapshot(e.xid, s.prev)"
    + " ORDER BY e.id";
  // losing this on a crash only publishes a drain again (subscribers drop seqs they have): no need to wait for the disk
  private static final String NO_SYNC = "SET LOCAL synchronous_commit = off";
  private static final String STORE = "UPDATE event_publisher SET published = $1::text::pg_snapshot";
  // head is the account's last seq; read in the same snapshot as the rows, so a gap is a real gap
  private static final String REPLAY = "SELECT a.tenant_id, a.event_seq AS head, e.* FROM accounts a LEFT JOIN LATERAL ("
    + "SELECT " + COLUMNS + " FROM events WHERE account_id = a.id AND seq > $2 ORDER BY seq LIMIT $3) e ON true"
    + " WHERE a.id = $1";
  private static final String PURGE = """
    DELETE FROM events WHERE id IN (
      SELECT id FROM events
      WHERE created_at < $1 AND pg_visible_in_snapshot(xid, (SELECT published FROM event_publisher)) LIMIT $2)""";

  /** A page of replay: the account's last seq and up to {@code limit} events after the asked one. */
  public record Page(long head, List<StreamEvent> events) {}

  private final Pool pool;

  public EventRepository(Pool pool) {
    this.pool = pool;
  }

  /**
   * In one transaction, if no other process holds the publisher lock: every outbox row committed since the
   * stored snapshot, handed to {@code publish} in id order, then the current snapshot stored as the new place.
   * Answers how many were published (0 also when the lock was busy). A crash between publishing and the commit
   * publishes them again: subscribers drop seqs they have.
   */
  public Future<Integer> publishBatch(Function<List<StreamEvent>, Future<Void>> publish) {
    Tuple lock = Tuple.of(PUBLISHER_LOCK);
    return Database.transaction(pool, tx -> tx.preparedQuery(NEWLY_VISIBLE).execute(lock).compose(rs -> {
      List<StreamEvent> events = new ArrayList<>(rs.size());
      String snapshot = null;
      for (Row r : rs) {
        if (!r.getBoolean("locked")) return Future.succeededFuture(0);
        snapshot = r.getString("snapshot");
        if (r.getValue("id") != null) events.add(event(r.getString("tenant_id"), r.getUUID("account_id"), r));
      }
      if (events.isEmpty()) return Future.succeededFuture(0); // nothing became visible: the place stays
      String next = snapshot;
      return publish.apply(events).compose(v -> store(tx, next)).map(events.size());
    }));
  }

  private static Future<Void> store(SqlConnection tx, String snapshot) {
    return Future.join(tx.query(NO_SYNC).execute(), tx.preparedQuery(STORE).execute(Tuple.of(snapshot))).mapEmpty();
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
