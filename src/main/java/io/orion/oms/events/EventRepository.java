package io.orion.oms.events;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
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
  // One statement, run on its own (its own transaction): if this process gets the publisher lock, the rows whose
  // transaction became visible since the stored snapshot (the publisher's place), and, when there are any, the
  // current snapshot stored as the new place; one row of nulls when there are none. Without the lock, one row with
  // locked false. A publisher that did not store the place itself ($2 is its id; both values are written in by
  // drainStatement) starts from the place before: the one that stored it may have died between its commit and its
  // publication, so its last drain goes out again (subscribers drop seqs they have). (The statement's snapshot may
  // predate a rival's last store; then rows it published come again, as well.) The xid range keeps it on the index:
  // a transaction the stored snapshot does not see is at least its xmin, one the current sees is below its xmax. id
  // order is seq order within an account: both are taken under the account's row lock. (The stored snapshot is read
  // as a scalar: the planner then knows it is one row and keeps the plan cheap. s and e are read twice, so each is
  // computed once.)
  // The commit waits for the WAL flush (the server's default, synchronous_commit on), and that flush makes every
  // row the drain read durable, since their commits came before it in the WAL: execution reports commit without
  // waiting (ExecutionApplier), and nothing of theirs is published before this commit. Unless all it read is on disk
  // already (quiet): every WAL record written before the snapshot was taken is flushed (all that wrote since the
  // last flush waited for it); evaluated after pg_current_snapshot(), so the commits the snapshot sees are before
  // the insert position read. Then its commit need not wait again: set_config(..., true) turns the wait off for
  // this statement's own transaction (checked against pg_stat_wal: 200 such inserts made 1 WAL sync, 200 without it
  // made 200). quiet is selected too, so that it is computed whatever the planner does. (When no row became visible
  // nothing is written and the commit has nothing to wait for.)
  private static final String DRAIN = "WITH s AS (SELECT pg_try_advisory_xact_lock($1) AS locked,"
    + " (SELECT CASE WHEN leader IS NOT DISTINCT FROM $2 THEN published ELSE previous END FROM event_publisher) AS prev,"
    + " pg_current_snapshot() AS now, CASE WHEN pg_current_wal_flush_lsn() >= pg_current_wal_insert_lsn()"
    + " THEN set_config('synchronous_commit', 'off', true) END AS quiet),"
    + " e AS (SELECT e.id, e.tenant_id, e.account_id, " + COLUMNS + " FROM s JOIN events e ON s.locked"
    + " AND e.xid >= pg_snapshot_xmin(s.prev) AND e.xid < pg_snapshot_xmax(s.now)"
    + " AND pg_visible_in_snapshot(e.xid, s.now) AND NOT pg_visible_in_snapshot(e.xid, s.prev)),"
    + " stored AS (UPDATE event_publisher SET previous = published, published = (SELECT now FROM s), leader = $2"
    + " WHERE EXISTS (SELECT 1 FROM e))"
    + " SELECT s.locked, s.quiet, e.* FROM s LEFT JOIN e ON true ORDER BY e.id";
  // A publisher that stops cleanly has published all it stored: its successor need not repeat its last drain.
  private static final String HAND_OVER = "UPDATE event_publisher SET previous = published WHERE leader = $1";
  // Replay serves only what the publisher has stored as published, all of it durable (see DRAIN); what came
  // after arrives live. head: the account's last seq; first: the lowest seq after the asked one that exists at all
  // (published or not), so that a purged range tells itself apart from one not yet published. Read in the same
  // snapshot as the rows, so a gap is a real gap.
  private static final String REPLAY = "SELECT a.tenant_id, a.event_seq AS head,"
    + " (SELECT min(seq) FROM events WHERE account_id = a.id AND seq > $2) AS first, e.*"
    + " FROM accounts a LEFT JOIN LATERAL (SELECT " + COLUMNS + " FROM events"
    + " WHERE account_id = a.id AND seq > $2 AND pg_visible_in_snapshot(xid, (SELECT published FROM event_publisher))"
    + " ORDER BY seq LIMIT $3) e ON true WHERE a.id = $1";
  private static final String PURGE = """
    DELETE FROM events WHERE id IN (
      SELECT id FROM events
      WHERE created_at < $1 AND pg_visible_in_snapshot(xid, (SELECT published FROM event_publisher)) LIMIT $2)""";
  /**
   * A page of replay: the account's last seq, the lowest seq after the asked one that exists (published or not;
   * null when none does) and up to {@code limit} published events after the asked one.
   */
  public record Page(long head, Long first, List<StreamEvent> events) {}

  private final Pool pool;
  /** The drain's statement for the last publisher id asked for (one publisher per process). */
  private volatile DrainStatement drainStatement;

  public EventRepository(Pool pool) {
    this.pool = pool;
  }

  /**
   * In one statement, if no other process holds the publisher lock: every outbox row committed since the stored
   * snapshot (or since the one before, when {@code leader} did not store it), in id order, and the current snapshot
   * stored as the new place; after its commit (which makes them durable, see {@link #DRAIN}) they are handed to
   * {@code publish}. Answers how many were published (0 also when the lock was busy). A crash between the commit
   * and the publication is covered by the next publisher, which starts from the place before.
   */
  public Future<Integer> publishBatch(UUID leader, Function<List<StreamEvent>, Future<Void>> publish) {
    return pool.preparedQuery(drainStatement(leader)).execute().map(rs -> {
      List<StreamEvent> events = new ArrayList<>(rs.size());
      for (Row r : rs) {
        if (!r.getBoolean("locked")) return List.<StreamEvent>of();
        if (r.getValue("id") != null) events.add(event(r.getString("tenant_id"), r.getUUID("account_id"), r));
      }
      return events;
    }).compose(events -> events.isEmpty() ? Future.succeededFuture(0) : publish.apply(events).map(events.size()));
  }

  /**
   * {@link #DRAIN} with its two values written in: the lock key is a constant and the leader the publisher's own id
   * (a uuid, never input). Without parameters PostgreSQL plans it once per connection; with them it made a fresh
   * custom plan at every drain (two thirds of the drain's time in PostgreSQL at 4 connections). Its answer comes once
   * the server is ready for the next query, that is after the statement's own commit (and its flush).
   */
  private String drainStatement(UUID leader) {
    DrainStatement known = drainStatement;
    if (known == null || !known.leader().equals(leader)) {
      known = new DrainStatement(leader, DRAIN.replace("$1", PUBLISHER_LOCK + "::bigint")
        .replace("$2", "'" + leader + "'::uuid"));
      drainStatement = known;
    }
    return known.sql();
  }

  private record DrainStatement(UUID leader, String sql) {}

  /** Called by a publisher that stops with everything it stored published; its successor then repeats nothing. */
  public Future<Void> handOver(UUID leader) {
    return pool.preparedQuery(HAND_OVER).execute(Tuple.of(leader)).mapEmpty();
  }

  /** Events of one account after {@code afterSeq}, oldest first; null when the account does not exist. */
  public Future<Page> replay(UUID accountId, long afterSeq, int limit) {
    return pool.preparedQuery(REPLAY).execute(Tuple.of(accountId, afterSeq, limit)).map(rs -> {
      if (rs.size() == 0) return null;
      List<StreamEvent> events = new ArrayList<>();
      long head = 0;
      Long first = null;
      for (Row r : rs) {
        head = r.getLong("head");
        first = r.getLong("first");
        if (r.getValue("seq") != null) events.add(event(r.getString("tenant_id"), accountId, r));
      }
      return new Page(head, first, events);
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
