package io.orion.oms.events;

import io.orion.oms.config.ConfigLoader;
import io.orion.oms.config.OrionConfig;
import io.orion.oms.infra.Database;
import io.orion.oms.metrics.MetricsRepository;
import io.orion.oms.support.TestServices;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The outbox publisher against a real PostgreSQL: it keeps its place as a stored snapshot, so what decides
 * publication is commit order, not id order. Outbox rows are written here with plain SQL (as the write path's
 * transactions do) and the publisher's bus output is read from the account addresses.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
class EventPublisherTest {
  static final String INSERT = "INSERT INTO events (tenant_id, account_id, seq, event_type, payload, created_at)"
    + " VALUES ($1, $2, $3, 'order.created', $4::jsonb, $5)";
  static String dbUrl;
  static OrionConfig.Streaming streaming;

  Pool pool;
  EventRepository repo;
  final String tenant = "t-" + UUID.randomUUID();
  final List<Long> seen = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void database() {
    dbUrl = TestServices.get().freshDatabase();
    Database.migrate(dbUrl);
    streaming = ConfigLoader.load(Map.of()).streaming();
  }

  @BeforeEach
  void pool(Vertx vertx) {
    pool = Database.pool(vertx, dbUrl, 4);
    repo = new EventRepository(pool);
  }

  @AfterEach
  void close(Vertx vertx) throws Exception {
    for (String id : vertx.deploymentIDs()) vertx.undeploy(id).await(10, TimeUnit.SECONDS);
    pool.close().await(10, TimeUnit.SECONDS);
  }

  @Test
  void aTransactionThatCommitsLateIsPublishedOnceWhenItCommits(Vertx vertx) throws Exception {
    UUID early = UUID.randomUUID();
    UUID late = UUID.randomUUID();
    listen(vertx, early);
    listen(vertx, late);
    String publisher = deploy(vertx);

    // the late transaction takes its row id first, then stays open while another commits a higher id
    SqlConnection open = pool.getConnection().await(10, TimeUnit.SECONDS);
    open.query("BEGIN").execute().await(10, TimeUnit.SECONDS);
    insert(open, late, 1).await(10, TimeUnit.SECONDS);
    insert(pool, early, 1).await(10, TimeUnit.SECONDS);
    nudge(vertx);
    awaitSeen(1);
    Thread.sleep(300); // several drains, by nudge and by the periodic poll, while the late one is still open
    assertThat(seen).as("only the committed row").containsExactly(seq(early, 1));

    open.query("COMMIT").execute().await(10, TimeUnit.SECONDS);
    open.close();
    nudge(vertx);
    awaitSeen(2);
    Thread.sleep(300);
    assertThat(seen).as("the late row published once, after its commit").containsExactly(seq(early, 1), seq(late, 1));
    vertx.undeploy(publisher).await(10, TimeUnit.SECONDS);
  }

  @Test
  void aDrainStartsNoSoonerThanTheSpacingAfterTheLastAndTakesEverythingNudgedMeanwhile(Vertx vertx) throws Exception {
    UUID account = UUID.randomUUID();
    listen(vertx, account);
    // no timer drains in this test's time: only nudges start them
    OrionConfig.Streaming spaced = ConfigLoader.load(Map.of("ORION_STREAM_DRAIN_SPACING_MS", "400",
      "ORION_STREAM_PUBLISH_INTERVAL_MS", "60000")).streaming();
    vertx.deployVerticle(new EventPublisher(repo, spaced, Clock.systemUTC())).await(10, TimeUnit.SECONDS);

    insert(pool, account, 1).await(10, TimeUnit.SECONDS);
    long sent = System.nanoTime();
    nudge(vertx);
    awaitSeen(1);
    long first = System.nanoTime();
    for (long seq = 2; seq <= 4; seq++) {
      insert(pool, account, seq).await(10, TimeUnit.SECONDS);
      nudge(vertx);
    }
    awaitSeen(4);
    long rest = System.nanoTime();
    // the first drain started after the nudge was sent; the next one 400 ms after that start at the earliest
    assertThat((rest - sent) / 1_000_000).as("ms from the first nudge to the rows nudged after it").isGreaterThanOrEqualTo(400);
    assertThat((rest - first) / 1_000_000).as("ms between the two publications").isGreaterThanOrEqualTo(200);
    Thread.sleep(100);
    assertThat(seen).as("each row once, in seq order").containsExactly(seq(account, 1), seq(account, 2),
      seq(account, 3), seq(account, 4));
  }

  @Test
  void whileAnotherProcessHoldsThePublisherLockNothingIsPublished(Vertx vertx) throws Exception {
    UUID account = UUID.randomUUID();
    listen(vertx, account);
    // another publisher process, mid-drain: it holds the lock until its transaction ends
    SqlConnection rival = holding("SELECT pg_advisory_xact_lock(" + EventRepository.PUBLISHER_LOCK + ")");
    try {
      deploy(vertx);
      insert(pool, account, 1).await(10, TimeUnit.SECONDS);
      nudge(vertx);
      Thread.sleep(300); // several drains, by nudge and by the periodic poll
      assertThat(seen).as("the lock is the rival's").isEmpty();
    } finally {
      release(rival);
    }
    nudge(vertx);
    awaitSeen(1);
    Thread.sleep(300);
    assertThat(seen).as("published once the lock is free, and once").containsExactly(seq(account, 1));
  }

  @Test
  void eachAccountsEventsGoOutInSeqOrder(Vertx vertx) throws Exception {
    UUID a = UUID.randomUUID();
    UUID b = UUID.randomUUID();
    listen(vertx, a);
    listen(vertx, b);
    // written before the publisher starts, so that one drain carries them all
    pool.withTransaction(tx -> Future.all(List.of(insert(tx, a, 1), insert(tx, b, 1), insert(tx, a, 2))))
      .await(10, TimeUnit.SECONDS);
    pool.withTransaction(tx -> Future.all(List.of(insert(tx, b, 2), insert(tx, a, 3), insert(tx, b, 3))))
      .await(10, TimeUnit.SECONDS);
    deploy(vertx);
    awaitSeen(6);
    assertThat(seen.stream().filter(s -> s / 1000 == key(a)).toList()).containsExactly(seq(a, 1), seq(a, 2), seq(a, 3));
    assertThat(seen.stream().filter(s -> s / 1000 == key(b)).toList()).containsExactly(seq(b, 1), seq(b, 2), seq(b, 3));
  }

  @Test
  void aNewPublisherStartsWhereTheLastStoppedAndTheBacklogFigureFollows(Vertx vertx) throws Exception {
    UUID account = UUID.randomUUID();
    listen(vertx, account);
    MetricsRepository metrics = new MetricsRepository(pool);
    publishFirstThenStop(vertx, account);

    insert(pool, account, 2).await(10, TimeUnit.SECONDS);
    insert(pool, account, 3).await(10, TimeUnit.SECONDS);
    MetricsRepository.OutboxBacklog backlog = metrics.outboxBacklog().await(10, TimeUnit.SECONDS);
    assertThat(backlog.pending()).as("committed and not published").isGreaterThanOrEqualTo(2);
    assertThat(backlog.oldest()).isNotNull();

    deploy(vertx);
    awaitSeen(3);
    Thread.sleep(300);
    assertThat(seen).as("nothing published twice").containsExactly(seq(account, 1), seq(account, 2), seq(account, 3));
    assertThat(metrics.outboxBacklog().await(10, TimeUnit.SECONDS).pending()).isZero();
  }

  @Test
  void purgeDeletesOnlyOldRowsThatWerePublished(Vertx vertx) throws Exception {
    UUID account = UUID.randomUUID();
    Instant old = Instant.now().minus(100, ChronoUnit.DAYS);
    insert(pool, account, 1, old).await(10, TimeUnit.SECONDS);
    listen(vertx, account);
    String publisher = deploy(vertx);
    awaitSeen(1);
    vertx.undeploy(publisher).await(10, TimeUnit.SECONDS);
    insert(pool, account, 2, old).await(10, TimeUnit.SECONDS); // as old, but not published yet

    int purged = repo.purge(Instant.now().minus(1, ChronoUnit.DAYS), 1000).await(10, TimeUnit.SECONDS);
    assertThat(purged).as("only this account's published row is that old in this test").isEqualTo(1);
    List<Long> left = pool.preparedQuery("SELECT seq FROM events WHERE account_id = $1 ORDER BY seq")
      .execute(Tuple.of(account)).await(10, TimeUnit.SECONDS).stream().map(r -> r.getLong("seq")).toList();
    assertThat(left).containsExactly(2L);
  }

  @Test
  void nothingIsPublishedBeforeItsDrainHasCommitted(Vertx vertx) throws Exception {
    // what a subscriber hears must be durable: the drain's commit is the flush, so it comes first. Here the drain
    // cannot store its place (the row is held), so it cannot commit; what it read must wait.
    UUID account = UUID.randomUUID();
    listen(vertx, account);
    SqlConnection holder = holding("SELECT * FROM event_publisher FOR UPDATE");
    try {
      deploy(vertx);
      insert(pool, account, 1).await(10, TimeUnit.SECONDS);
      nudge(vertx);
      Thread.sleep(300);
      assertThat(seen).as("read, not yet stored: not published").isEmpty();
    } finally {
      release(holder);
    }
    awaitSeen(1);
    assertThat(seen).containsExactly(seq(account, 1));
  }

  @Test
  void aPublisherThatDiedBetweenItsCommitAndItsPublicationIsCoveredByTheNext(Vertx vertx) throws Exception {
    UUID account = UUID.randomUUID();
    listen(vertx, account);
    publishFirstThenStop(vertx, account); // a clean stop: nothing of it is repeated

    // another process drains seq 2, commits its place and dies before publishing
    insert(pool, account, 2).await(10, TimeUnit.SECONDS);
    int lost = repo.publishBatch(UUID.randomUUID(), events -> Future.succeededFuture()).await(10, TimeUnit.SECONDS);
    assertThat(lost).isEqualTo(1);
    assertThat(seen).containsExactly(seq(account, 1));

    deploy(vertx);
    insert(pool, account, 3).await(10, TimeUnit.SECONDS);
    nudge(vertx);
    awaitSeen(3);
    Thread.sleep(300);
    assertThat(seen).as("the dead publisher's drain again, then the new row; nothing from before it")
      .containsExactly(seq(account, 1), seq(account, 2), seq(account, 3));
  }

  @Test
  void replayServesWhatIsPublishedAndTellsUnpublishedSeqsFromPurgedOnes(Vertx vertx) throws Exception {
    UUID account = UUID.randomUUID();
    pool.preparedQuery("INSERT INTO accounts (id, tenant_id, owner_id, name, currency, balance, event_seq, created_at,"
      + " updated_at) VALUES ($1, $2, 'u', 'a', 'USD', 0, 3, now(), now())").execute(Tuple.of(account, tenant))
      .await(10, TimeUnit.SECONDS);
    listen(vertx, account);
    publishFirstThenStop(vertx, account);
    insert(pool, account, 2).await(10, TimeUnit.SECONDS);
    insert(pool, account, 3).await(10, TimeUnit.SECONDS);

    EventRepository.Page page = repo.replay(account, 0, 10).await(10, TimeUnit.SECONDS);
    assertThat(page.events().stream().map(StreamEvent::seq).toList()).as("only the published row").containsExactly(1L);
    assertThat(page.head()).isEqualTo(3);
    page = repo.replay(account, 1, 10).await(10, TimeUnit.SECONDS);
    assertThat(page.events()).as("2 and 3 are committed, not yet published: they come live").isEmpty();
    assertThat(page.first()).as("they exist: no gap").isEqualTo(2L);

    pool.preparedQuery("DELETE FROM events WHERE account_id = $1 AND seq = 2").execute(Tuple.of(account))
      .await(10, TimeUnit.SECONDS);
    assertThat(repo.replay(account, 1, 10).await(10, TimeUnit.SECONDS).first()).as("purged: a gap").isEqualTo(3L);

    deploy(vertx);
    nudge(vertx);
    awaitSeen(2);
    assertThat(repo.replay(account, 1, 10).await(10, TimeUnit.SECONDS).events().stream().map(StreamEvent::seq).toList())
      .as("published now").containsExactly(3L);
  }

  // ------------------------------------------------------------------ helpers

  private String deploy(Vertx vertx) throws Exception {
    return vertx.deployVerticle(new EventPublisher(repo, streaming, Clock.systemUTC())).await(10, TimeUnit.SECONDS);
  }

  /** A publisher publishes the account's seq 1 (subscribed with {@link #listen}) and stops cleanly. */
  private void publishFirstThenStop(Vertx vertx, UUID account) throws Exception {
    String publisher = deploy(vertx);
    insert(pool, account, 1).await(10, TimeUnit.SECONDS);
    nudge(vertx);
    awaitSeen(1);
    vertx.undeploy(publisher).await(10, TimeUnit.SECONDS);
  }

  /** A connection in an open transaction that has run {@code sql} (and holds what it locked until released). */
  private SqlConnection holding(String sql) throws Exception {
    SqlConnection conn = pool.getConnection().await(10, TimeUnit.SECONDS);
    conn.query("BEGIN").execute().await(10, TimeUnit.SECONDS);
    conn.query(sql).execute().await(10, TimeUnit.SECONDS);
    return conn;
  }

  private static void release(SqlConnection conn) throws Exception {
    conn.query("COMMIT").execute().await(10, TimeUnit.SECONDS);
    conn.close();
  }

  private static void nudge(Vertx vertx) {
    vertx.eventBus().send(EventPublisher.NUDGE, "");
  }

  /** Records each event of the account as a number that names the account and the seq. */
  private void listen(Vertx vertx, UUID account) throws Exception {
    MessageConsumer<Object> c = vertx.eventBus().consumer(StreamEvent.accountAddress(tenant, account), m -> {
      StreamEvent e = StreamEvent.fromMessage(m);
      seen.add(seq(e.accountId(), e.seq()));
    });
    c.completion().await(10, TimeUnit.SECONDS);
  }

  private final Map<UUID, Integer> keys = new java.util.concurrent.ConcurrentHashMap<>();

  private long key(UUID account) {
    return keys.computeIfAbsent(account, a -> keys.size() + 1);
  }

  private long seq(UUID account, long seq) {
    return key(account) * 1000 + seq;
  }

  private void awaitSeen(int n) throws InterruptedException {
    long deadline = System.currentTimeMillis() + 10_000;
    while (seen.size() < n && System.currentTimeMillis() < deadline) Thread.sleep(10);
    assertThat(seen).hasSizeGreaterThanOrEqualTo(n);
  }

  private Future<?> insert(io.vertx.sqlclient.SqlClient client, UUID account, long seq) {
    return insert(client, account, seq, Instant.now());
  }

  private Future<?> insert(io.vertx.sqlclient.SqlClient client, UUID account, long seq, Instant at) {
    return client.preparedQuery(INSERT).execute(Tuple.of(tenant, account, seq, "{\"id\":\"o-" + seq + "\"}",
      OffsetDateTime.ofInstant(at, ZoneOffset.UTC)));
  }
}
