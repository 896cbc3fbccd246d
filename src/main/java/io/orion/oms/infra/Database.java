package io.orion.oms.infra;

import io.netty.handler.flush.FlushConsolidationHandler;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Transaction;
import io.vertx.sqlclient.TransactionRollbackException;
import io.vertx.sqlclient.impl.SocketConnectionBase;
import io.vertx.sqlclient.internal.Connection;
import io.vertx.sqlclient.internal.SqlConnectionInternal;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.flywaydb.core.Flyway;

/** Connection options, the schema migration and the shared pool for one PostgreSQL database. */
public final class Database {
  private Database() {}

  public static PgConnectOptions connectOptions(String url) {
    return PgConnectOptions.fromUri(url)
      .setCachePreparedStatements(true)
      .setPipeliningLimit(256);
  }

  /** Applies the Flyway migrations (blocking JDBC; run once at start-up, off the event loop). */
  public static void migrate(String url) {
    PgConnectOptions o = PgConnectOptions.fromUri(url);
    int q = url.indexOf('?');
    String jdbc = "jdbc:postgresql://" + o.getHost() + ":" + o.getPort() + "/" + o.getDatabase()
      + (q >= 0 ? url.substring(q) : "");
    Flyway.configure()
      .dataSource(jdbc, o.getUser(), o.getPassword())
      .locations("classpath:db/migration")
      .load()
      .migrate();
  }

  public static Pool pool(Vertx vertx, String url, int size) {
    return PgBuilder.pool()
      .with(new PoolOptions().setMaxSize(size).setShared(false))
      .connectingTo(connectOptions(url))
      .withConnectHandler(Database::consolidateFlushes)
      .using(vertx)
      .build();
  }

  /**
   * Like {@link Pool#withTransaction}, without the round trip for BEGIN: the connection runs its commands in the
   * order they are queued, so the work's first statements go out right behind BEGIN instead of waiting for its
   * reply. Commits when the work succeeds, rolls back when it fails.
   */
  public static <T> Future<T> transaction(Pool pool, Function<SqlConnection, Future<T>> work) {
    return pool.getConnection().compose(conn -> transaction(conn, work));
  }

  /** As {@link #transaction(Pool, Function)} on a connection already taken from the pool; gives it back after. */
  public static <T> Future<T> transaction(SqlConnection conn, Function<SqlConnection, Future<T>> work) {
    return transaction(conn, BY_KEY, work);
  }

  /**
   * As {@link #transaction(SqlConnection, Function)}, committing without waiting for the WAL to reach the disk
   * (PostgreSQL's {@code synchronous_commit = off} for this transaction only): its locks go at once instead of after
   * an {@code fsync}. For writes whose outcome nobody outside hears of from their own commit: the next durable
   * commit, by any session, flushes them too (the WAL is one sequence), and the outbox publisher's commit is such a
   * flush before anything is published (unless what it read was on disk already). The setting goes out with
   * {@link #BY_KEY} in one simple query right behind BEGIN: no round trip of its own.
   */
  public static <T> Future<T> transactionWithoutFlushWait(SqlConnection conn, Function<SqlConnection, Future<T>> work) {
    return transaction(conn, WITHOUT_FLUSH_WAIT + "; " + BY_KEY, work);
  }

  private static <T> Future<T> transaction(SqlConnection conn, String settings, Function<SqlConnection, Future<T>> work) {
    Future<Transaction> begun = conn.begin();
    conn.query(settings).execute();
    Future<T> done;
    try {
      done = work.apply(conn);
    } catch (RuntimeException e) {
      done = Future.failedFuture(e);
    }
    Future<T> result = done;
    return begun
      .compose(tx -> result.compose(res -> tx.commit().map(res),
        err -> err instanceof TransactionRollbackException ? Future.<T>failedFuture(err)
          : tx.rollback().transform(ignored -> Future.<T>failedFuture(err))))
      .onComplete(ignored -> conn.close());
  }

  /**
   * A transaction durable when its future completes, whose locks go before its WAL reaches the disk and without a
   * round trip to this service after its last statement. For transactions whose rows others queue for (a submission
   * batch holds its accounts' rows from its reservations to its commit).
   * <ul>
   *   <li>It commits without the flush wait (as {@link #transactionWithoutFlushWait} does), then the same connection makes a
   *   durable write of its own ({@link #awaitFlush}) whose flush covers the transaction: others no longer wait
   *   through its {@code fsync}. Others may read its rows before they are durable; nobody hears of them from this
   *   transaction before.</li>
   *   <li>The work is handed {@code end}, which it calls right after it queued its last statements: COMMIT and the
   *   flush mark are queued behind them at once, so the locks go as soon as PostgreSQL has run the last statement,
   *   not one more round trip to this service later, and the mark does not wait for the commit's reply either. Work
   *   that does not call {@code end} is committed once its replies are in.</li>
   * </ul>
   * A COMMIT in a transaction that a refused statement aborted rolls back without an error, so a tiny statement
   * goes just before it ({@link #STILL_OPEN}): it fails in an aborted transaction, which tells a rollback from a
   * commit. Outcomes, as {@link #transaction(Pool, Function)} reports them: rolled back by PostgreSQL, its
   * {@link io.vertx.pgclient.PgException}; committed but with a failed flush mark or work after {@code end}, an
   * {@link IllegalStateException}; not known (the connection broke), the connection's error. Only the first may be
   * taken for "nothing written".
   */
  public static <T> Future<T> transactionUnlockedBeforeFlush(Pool pool,
                                                               BiFunction<SqlConnection, Runnable, Future<T>> work) {
    return pool.getConnection().compose(conn -> {
      // BEGIN and the settings in one simple query, the work's first statements right behind it
      conn.query("BEGIN; " + WITHOUT_FLUSH_WAIT + "; " + BY_KEY).execute();
      List<Future<?>> ended = new ArrayList<>(3); // still open?, COMMIT, the flush mark
      Runnable end = () -> {
        if (!ended.isEmpty()) return;
        ended.add(conn.preparedQuery(STILL_OPEN).execute());
        ended.add(conn.query("COMMIT").execute());
        ended.add(awaitFlush(conn));
      };
      Future<T> done;
      try {
        done = work.apply(conn, end);
      } catch (RuntimeException e) {
        done = Future.failedFuture(e);
      }
      return done.transform(ar -> {
        if (ended.isEmpty()) {
          if (ar.failed()) return conn.query("ROLLBACK").execute().transform(x -> Future.<T>failedFuture(ar.cause()));
          end.run();
        }
        return Future.join(ended).transform(x -> endedAs(ar, ended.get(0), ended.get(1), ended.get(2)));
      }).onComplete(ignored -> conn.close());
    });
  }

  /**
   * Sent at the start of every transaction made here, in the same flight as its first statements: the order path's
   * transactions find their rows by key, and their plans must use the keys' indexes however small a table was when
   * the plan was made. A prepared statement keeps the generic plan PostgreSQL made for it until the table's
   * statistics change, which for a young table is about once a minute (autovacuum). Made while a table had a few
   * dozen rows, that plan reads the whole table (a sequential scan, or a hash or merge join over all its rows) and
   * keeps doing so as the table grows: on a fresh database the report transactions' order, leg, position and
   * account locks did, and after a thousand accounts were added the account and position locks read ~1,000 rows
   * each (docs/benchmarks.md). With those access paths priced out, a plan made here is a nested loop over the keys'
   * indexes at any size. The settings count when a plan is made; a statement keeps its plan whatever they are later.
   */
  private static final String BY_KEY =
    "SET LOCAL enable_seqscan = off; SET LOCAL enable_hashjoin = off; SET LOCAL enable_mergejoin = off";

  /** Fails in a transaction that a refused statement aborted (SQLSTATE 25P02); see {@link #transactionUnlockedBeforeFlush}. */
  private static final String STILL_OPEN = "SELECT 1";

  private static <T> Future<T> endedAs(AsyncResult<T> work, Future<?> open, Future<?> committed, Future<?> marked) {
    if (open.failed() || committed.failed()) {
      // rolled back (a PgException says so), or not known if the connection broke
      return Future.failedFuture(work.failed() ? work.cause() : open.failed() ? open.cause() : committed.cause());
    }
    if (work.failed()) {
      return Future.failedFuture(new IllegalStateException("Committed, but the work failed: " + work.cause().getMessage(),
        work.cause()));
    }
    if (marked.failed()) {
      return Future.failedFuture(new IllegalStateException(
        "Committed; not known to be on disk: " + marked.cause().getMessage(), marked.cause()));
    }
    return Future.succeededFuture(work.result());
  }

  // One row per server process, so that marks never wait for each other (V11__flush_marks.sql).
  private static final String FLUSH_MARK = """
    INSERT INTO wal_flush_marks AS m (pid, marks) VALUES (pg_backend_pid(), 1)
    ON CONFLICT (pid) DO UPDATE SET marks = m.marks + 1""";

  /**
   * A tiny durable write in a transaction of its own: completes once everything the server committed before it
   * is on disk, the commits made without the flush wait included.
   */
  public static Future<Void> awaitFlush(SqlClient client) {
    return client.preparedQuery(FLUSH_MARK).execute().mapEmpty();
  }

  /** See {@link #transactionWithoutFlushWait}; also sent with BEGIN by {@link #transactionUnlockedBeforeFlush}. */
  private static final String WITHOUT_FLUSH_WAIT = "SET LOCAL synchronous_commit = off";

  /**
   * The client flushes the socket after each statement it queues, so a flight of pipelined statements cost one
   * write system call (and one wake-up of the server) per statement. Netty's flush consolidation holds the
   * flushes of one event-loop task, or of one read of replies, and writes them at once.
   */
  private static void consolidateFlushes(SqlConnection conn) {
    Connection socket = ((SqlConnectionInternal) conn).unwrap().unwrap();
    if (socket instanceof SocketConnectionBase base) {
      base.socket().channelHandlerContext().pipeline()
        .addFirst("flush-consolidation", new FlushConsolidationHandler(256, true));
    }
    conn.close();
  }
}
