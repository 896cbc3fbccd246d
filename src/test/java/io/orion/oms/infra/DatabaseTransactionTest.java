package io.orion.oms.infra;

import io.orion.oms.support.TestServices;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link Database#transaction}: the work's statements go out behind BEGIN without waiting for it, and the pool's
 * connections coalesce their flushes; {@link Database#transactionUnlockedBeforeFlush} also commits without the flush
 * wait and right behind the work's last statements. None of it may change what a transaction means.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
class DatabaseTransactionTest {
  static String url;
  Pool pool;

  @BeforeAll
  static void database() {
    url = TestServices.get().freshDatabase();
    Database.migrate(url); // the flush marks' table
  }

  @BeforeEach
  void pool(Vertx vertx) throws Exception {
    pool = Database.pool(vertx, url, 4);
    pool.query("CREATE TABLE IF NOT EXISTS tx_probe (k text PRIMARY KEY, v int)").execute().await(10, TimeUnit.SECONDS);
    pool.query("TRUNCATE tx_probe").execute().await(10, TimeUnit.SECONDS);
  }

  @AfterEach
  void close() throws Exception {
    pool.close().await(10, TimeUnit.SECONDS);
  }

  @Test
  void theFirstStatementsRunInsideTheTransactionAndCommitTogether() throws Exception {
    // issued at once, before BEGIN's reply: all must see one transaction id
    List<Long> xids = Database.transaction(pool, tx -> {
      List<Future<Long>> ids = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        ids.add(tx.preparedQuery("INSERT INTO tx_probe VALUES ($1, $2) RETURNING txid_current() AS x")
          .execute(Tuple.of("k" + i, i)).map(rs -> rs.iterator().next().getLong("x")));
      }
      return Future.all(ids).map(all -> all.<Long>list());
    }).await(10, TimeUnit.SECONDS);
    assertThat(xids).hasSize(3).containsOnly(xids.get(0));
    assertThat(count()).isEqualTo(3);
  }

  @Test
  void withoutFlushWaitHoldsForItsTransactionOnly(Vertx vertx) throws Exception {
    // one connection, so the next transaction is on the same session: a session-wide setting would make later
    // transactions on it (a submission's, whose 201 promises a durable commit) skip the flush as well
    Pool one = Database.pool(vertx, url, 1);
    try {
      one.query("SET synchronous_commit = on").execute().await(10, TimeUnit.SECONDS); // as a durable server has it
      String inside = one.getConnection().compose(conn -> Database.transactionWithoutFlushWait(conn, tx ->
        tx.preparedQuery("INSERT INTO tx_probe VALUES ($1, $2)").execute(Tuple.of("async", 1))
          .compose(v -> tx.query("SHOW synchronous_commit").execute()).map(rs -> setting(rs.iterator().next()))))
        .await(10, TimeUnit.SECONDS);
      String after = setting(one.query("SHOW synchronous_commit").execute().await(10, TimeUnit.SECONDS).iterator().next());
      assertThat(inside).isEqualTo("off");
      assertThat(after).as("back to waiting for the flush after the commit").isEqualTo("on");
      assertThat(count()).as("committed").isEqualTo(1);
    } finally {
      one.close().await(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void everyTransactionPlansByKeyForItselfOnly(Vertx vertx) throws Exception {
    // the three ways in: each prices whole-table reads out while it lasts, and the session keeps its defaults after
    Pool one = Database.pool(vertx, url, 1);
    String planners = "SELECT current_setting('enable_seqscan') || current_setting('enable_hashjoin')"
      + " || current_setting('enable_mergejoin') || current_setting('synchronous_commit') AS s";
    try {
      one.query("SET synchronous_commit = on").execute().await(10, TimeUnit.SECONDS); // as a durable server has it
      String plain = Database.transaction(one, tx -> tx.query(planners).execute()
        .map(rs -> rs.iterator().next().getString("s"))).await(10, TimeUnit.SECONDS);
      String withoutFlushWait = one.getConnection().compose(conn -> Database.transactionWithoutFlushWait(conn,
        tx -> tx.query(planners).execute().map(rs -> rs.iterator().next().getString("s")))).await(10, TimeUnit.SECONDS);
      String unlocked = Database.transactionUnlockedBeforeFlush(one, (tx, end) -> tx.query(planners).execute()
        .map(rs -> rs.iterator().next().getString("s"))).await(10, TimeUnit.SECONDS);
      String after = one.query(planners).execute().await(10, TimeUnit.SECONDS).iterator().next().getString("s");
      assertThat(plain).isEqualTo("offoffoffon");
      assertThat(withoutFlushWait).isEqualTo("offoffoffoff");
      assertThat(unlocked).isEqualTo("offoffoffoff");
      assertThat(after).as("the session's own settings after the commits").isEqualTo("onononon");
    } finally {
      one.close().await(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void aTransactionUnlockedBeforeFlushIsOnDiskWhenItCompletes(Vertx vertx) throws Exception {
    Pool one = Database.pool(vertx, url, 1);
    try {
      one.query("SET synchronous_commit = on").execute().await(10, TimeUnit.SECONDS); // as a durable server has it
      // its work does not call end: committed once the replies are in
      Row inside = Database.transactionUnlockedBeforeFlush(one, (tx, end) ->
        tx.preparedQuery("INSERT INTO tx_probe VALUES ($1, $2)").execute(Tuple.of("early", 1))
          .compose(v -> tx.query("SELECT current_setting('synchronous_commit') AS s, pg_backend_pid() AS pid, "
            + "pg_current_wal_insert_lsn()::text AS lsn").execute()).map(rs -> rs.iterator().next()))
        .await(10, TimeUnit.SECONDS);
      assertThat(inside.getString("s")).as("its commit does not wait for the disk").isEqualTo("off");
      // once it completes, the WAL up to its commit is flushed: the mark's own durable commit came after it
      Row disk = pool.preparedQuery("SELECT pg_current_wal_flush_lsn() >= $1::pg_lsn AS flushed, "
          + "(SELECT marks FROM wal_flush_marks WHERE pid = $2) AS marks")
        .execute(Tuple.of(inside.getString("lsn"), inside.getInteger("pid"))).await(10, TimeUnit.SECONDS).iterator().next();
      assertThat(disk.getBoolean("flushed")).isTrue();
      assertThat(disk.getLong("marks")).as("the mark is written by the same session, after it").isEqualTo(1);
      assertThat(count()).isEqualTo(1);
    } finally {
      one.close().await(10, TimeUnit.SECONDS);
    }
  }

  /** A failed mark must not read as a rollback (a caller would write the work again): the commit stands. */
  @Test
  void aTransactionWhoseFlushMarkFailsIsNotReportedAsRolledBack() throws Exception {
    pool.query("ALTER TABLE wal_flush_marks RENAME TO wal_flush_marks_away").execute().await(10, TimeUnit.SECONDS);
    try {
      Future<Object> done = Database.transactionUnlockedBeforeFlush(pool, (tx, end) -> {
        Future<Object> inserted = tx.preparedQuery("INSERT INTO tx_probe VALUES ($1, $2)").execute(Tuple.of("kept", 1))
          .map(v -> null);
        end.run();
        return inserted;
      });
      assertThatThrownBy(() -> done.await(10, TimeUnit.SECONDS))
        .isNotInstanceOf(io.vertx.pgclient.PgException.class).hasMessageContaining("not known to be on disk");
      assertThat(count()).as("committed all the same").isEqualTo(1);
    } finally {
      pool.query("ALTER TABLE wal_flush_marks_away RENAME TO wal_flush_marks").execute().await(10, TimeUnit.SECONDS);
    }
  }

  /**
   * The COMMIT goes right behind the statements queued before {@code end}, not after their replies: a session that
   * waits for the transaction's row lock gets it while the work is still waiting for that session. Were the commit
   * sent after the work's replies, each would wait for the other until the lock timeout.
   */
  @Test
  void aTransactionEndedBehindItsStatementsReleasesItsLocksBeforeTheirRepliesAreRead(Vertx vertx) throws Exception {
    pool.preparedQuery("INSERT INTO tx_probe VALUES ($1, $2)").execute(Tuple.of("held", 0)).await(10, TimeUnit.SECONDS);
    Pool other = Database.pool(vertx, url, 1);
    try {
      Integer seen = Database.transactionUnlockedBeforeFlush(pool, (tx, end) -> {
        Future<?> updated = tx.preparedQuery("UPDATE tx_probe SET v = 7 WHERE k = $1").execute(Tuple.of("held"));
        end.run();
        return updated.compose(v -> other.withTransaction(c -> c.query("SET LOCAL lock_timeout = '5s'").execute()
          .compose(x -> c.preparedQuery("SELECT v FROM tx_probe WHERE k = $1 FOR UPDATE").execute(Tuple.of("held")))
          .map(rs -> rs.iterator().next().getInteger("v"))));
      }).await(20, TimeUnit.SECONDS);
      assertThat(seen).as("read under the lock once the transaction committed").isEqualTo(7);
    } finally {
      other.close().await(10, TimeUnit.SECONDS);
    }
  }

  /**
   * A refused statement aborts the transaction, and a COMMIT after it rolls back without an error: work that went on
   * regardless must still hear of a rollback, as PostgreSQL's error, or its caller would take the work as written.
   */
  @Test
  void aTransactionEndedBehindARefusedStatementReportsTheRollback() throws Exception {
    pool.preparedQuery("INSERT INTO tx_probe VALUES ($1, $2)").execute(Tuple.of("taken", 0)).await(10, TimeUnit.SECONDS);
    Future<Object> done = Database.transactionUnlockedBeforeFlush(pool, (tx, end) -> {
      Future<?> first = tx.preparedQuery("INSERT INTO tx_probe VALUES ($1, $2)").execute(Tuple.of("new", 1));
      Future<?> refused = tx.preparedQuery("INSERT INTO tx_probe VALUES ($1, $2)").execute(Tuple.of("taken", 2));
      end.run();
      return Future.join(first, refused).otherwiseEmpty().map(v -> null); // the work ignores the refusal
    });
    assertThatThrownBy(() -> done.await(10, TimeUnit.SECONDS)).isInstanceOf(io.vertx.pgclient.PgException.class);
    assertThat(count()).as("nothing of the transaction").isEqualTo(1);
  }

  /** Work that fails after its commit was queued: the commit may stand, so the failure must not read as a rollback. */
  @Test
  void workThatFailsAfterEndingItsTransactionIsNotReportedAsRolledBack() throws Exception {
    Future<Object> done = Database.transactionUnlockedBeforeFlush(pool, (tx, end) -> {
      Future<?> inserted = tx.preparedQuery("INSERT INTO tx_probe VALUES ($1, $2)").execute(Tuple.of("d", 1));
      end.run();
      return inserted.compose(v -> Future.failedFuture(new IllegalArgumentException("bad reply")));
    });
    assertThatThrownBy(() -> done.await(10, TimeUnit.SECONDS))
      .isNotInstanceOf(io.vertx.pgclient.PgException.class).hasMessageContaining("Committed, but the work failed");
    assertThat(count()).isEqualTo(1);
  }

  @Test
  void workThatFailsBeforeEndingItsTransactionRollsBackAndReturnsTheConnection() throws Exception {
    for (int i = 0; i < 6; i++) { // more rounds than the pool has connections: each one must come back
      Future<Object> failed = Database.transactionUnlockedBeforeFlush(pool, (tx, end) ->
        tx.preparedQuery("INSERT INTO tx_probe VALUES ($1, $2)").execute(Tuple.of("e", 1))
          .compose(v -> Future.failedFuture(new IllegalStateException("refused by the caller"))));
      assertThatThrownBy(() -> failed.await(10, TimeUnit.SECONDS)).hasMessageContaining("refused by the caller");
    }
    assertThat(count()).isZero();
  }

  private static String setting(Row r) {
    return r.getString(0);
  }

  @Test
  void aFailedStatementRollsBackTheStatementsBeforeIt() throws Exception {
    Future<Object> failed = Database.transaction(pool, tx -> tx.preparedQuery("INSERT INTO tx_probe VALUES ($1, $2)")
      .execute(Tuple.of("a", 1))
      .compose(v -> tx.preparedQuery("INSERT INTO tx_probe VALUES ($1, $2)").execute(Tuple.of("a", 2)))
      .map(v -> null));
    assertThatThrownBy(() -> failed.await(10, TimeUnit.SECONDS)).hasMessageContaining("duplicate key");
    assertThat(count()).isZero();
  }

  @Test
  void workThatFailsWithoutSqlErrorRollsBackToo() throws Exception {
    Future<Object> failed = Database.transaction(pool, tx -> tx.preparedQuery("INSERT INTO tx_probe VALUES ($1, $2)")
      .execute(Tuple.of("b", 1))
      .compose(v -> Future.failedFuture(new IllegalStateException("refused by the caller"))));
    assertThatThrownBy(() -> failed.await(10, TimeUnit.SECONDS)).hasMessageContaining("refused by the caller");
    assertThat(count()).isZero();
  }

  @Test
  void workThatThrowsRollsBackAndReturnsTheConnection() throws Exception {
    for (int i = 0; i < 6; i++) { // more rounds than the pool has connections: each one must come back
      Future<Object> failed = Database.transaction(pool, tx -> {
        tx.preparedQuery("INSERT INTO tx_probe VALUES ($1, $2)").execute(Tuple.of("c", 1));
        throw new IllegalArgumentException("bad input");
      });
      assertThatThrownBy(() -> failed.await(10, TimeUnit.SECONDS)).hasMessageContaining("bad input");
    }
    assertThat(count()).isZero();
  }

  private long count() throws Exception {
    Row r = pool.query("SELECT count(*) AS n FROM tx_probe").execute().await(10, TimeUnit.SECONDS).iterator().next();
    return r.getLong("n");
  }
}
