package io.orion.oms.order;

import io.orion.oms.account.Account;
import io.orion.oms.account.AccountRepository;
import io.orion.oms.auth.Caller;
import io.orion.oms.auth.Role;
import io.orion.oms.config.ConfigLoader;
import io.orion.oms.infra.Database;
import io.orion.oms.instrument.Instrument;
import io.orion.oms.instrument.InstrumentCatalog;
import io.orion.oms.instrument.InstrumentRepository;
import io.orion.oms.routing.RoutingVerticle;
import io.orion.oms.support.TestServices;
import io.orion.oms.validation.ValidationVerticle;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * oms.orders.submit and oms.orders.cancel against a real database, with the routing (no LPs) and validation
 * verticles deployed. Orders that must stay open are of a held type (stop_limit, stop), which routing never
 * sees until a trigger fires; a limit order is routed at once and, with no LP, rejected.
 */
@ExtendWith(VertxExtension.class)
class OrderVerticleTest {
  static final int POOL_SIZE = 4;
  static String dbUrl;
  static List<Instrument> confInstruments;

  Pool pool;
  AccountRepository accounts;
  OrderRepository orders;

  @BeforeAll
  static void database() {
    dbUrl = TestServices.get().freshDatabase();
    Database.migrate(dbUrl);
    confInstruments = new ArrayList<>();
    ConfigLoader.readJson(Path.of("conf"), "instruments.json").getJsonArray("instruments")
      .forEach(o -> confInstruments.add(Instrument.fromConfig((JsonObject) o)));
  }

  /**
   * As OrionApp.deployVerticles with no LPs configured: routing (no LP, so it answers NO_HEALTHY_LP),
   * validation, then the order verticle with its commands.
   */
  @BeforeEach
  void deploy(Vertx vertx, VertxTestContext ctx) {
    pool = Database.pool(vertx, dbUrl, POOL_SIZE);
    accounts = new AccountRepository(pool);
    orders = new OrderRepository(pool);
    InstrumentRepository instruments = new InstrumentRepository(pool);
    Clock clock = Clock.systemUTC();
    instruments.upsertAll(confInstruments)
      .compose(v -> vertx.deployVerticle(new RoutingVerticle(confInstruments, List.of(), 5000, clock,
        new io.micrometer.core.instrument.simple.SimpleMeterRegistry())))
      .compose(id -> vertx.deployVerticle(new ValidationVerticle(instruments, accounts, orders, clock)))
      .compose(id -> vertx.deployVerticle(new OrderVerticle(() -> commands(vertx, pool, orders, accounts, clock))))
      .onComplete(ctx.succeedingThenComplete());
  }

  /** OrderCommands wired as OrionApp.deployVerticles does: legs, the execution applier and the order lifecycle. */
  static OrderCommands commands(Vertx vertx, Pool pool, OrderRepository orders, AccountRepository accounts, Clock clock) {
    LegRepository legs = new LegRepository();
    ExecutionApplier applier = new ExecutionApplier(pool, orders, legs, accounts, new InstrumentCatalog(confInstruments),
      clock);
    OrderLifecycle lifecycle = new OrderLifecycle(vertx, pool, orders, legs, applier,
      new OrderLifecycle.RetryPolicy(3, 100), 2000, clock,
      new io.micrometer.core.instrument.simple.SimpleMeterRegistry());
    return new OrderCommands(vertx.eventBus(), pool, orders, accounts, legs, lifecycle, clock);
  }

  // ------------------------------------------------------------------ helpers

  static BigDecimal d(String s) {
    return new BigDecimal(s);
  }

  /** A tenant of its own per test, so no test sees another's rows. */
  record Fixture(String tenant, Account account, Caller trader) {
    Caller as(String user, Role... roles) {
      return new Caller(tenant, user, roles.length == 0 ? Set.of() : Set.of(roles));
    }
  }

  Future<Fixture> fixture(String balance) {
    String tenant = "t-" + UUID.randomUUID();
    return accounts.create(tenant, "alice", "Alice USD", "USD", d(balance), null, null, Instant.now())
      .map(a -> new Fixture(tenant, a, new Caller(tenant, "alice", Set.of(Role.TRADER))));
  }

  /** A limit buy: routed as soon as it is accepted (and rejected here, where no LP is configured). */
  static NewOrder limitBuy(UUID account, String qty, String price, String clientOrderId) {
    return new NewOrder(account, "AAPL", Side.BUY, OrderType.LIMIT, TimeInForce.GTC, d(qty), d(price), null, null,
      null, null, null, null, clientOrderId, new JsonObject().put("strategy", "unit-test"));
  }

  /**
   * A buy that stays pending: a stop_limit is held for its trigger (never routed on acceptance), and a stop
   * at 1000.00 is far above AAPL's 150.00. It holds quantity x price, like a limit buy at that price.
   */
  static NewOrder heldBuy(UUID account, String qty, String price, String clientOrderId) {
    return new NewOrder(account, "AAPL", Side.BUY, OrderType.STOP_LIMIT, TimeInForce.GTC, d(qty), d(price),
      d("1000.00"), null, null, null, null, null, clientOrderId, new JsonObject().put("strategy", "unit-test"));
  }

  /** A sell that stays pending: a stop far below the market (held for its trigger). A sell holds no funds. */
  static NewOrder heldSell(UUID account, String qty, String clientOrderId) {
    return new NewOrder(account, "AAPL", Side.SELL, OrderType.STOP, TimeInForce.DAY, d(qty), null, d("100.00"), null,
      null, null, null, null, clientOrderId, null);
  }

  static Future<JsonObject> submit(Vertx vertx, Caller caller, NewOrder order) {
    return vertx.eventBus().<JsonObject>request(OrderVerticle.SUBMIT,
      new JsonObject().put("caller", caller.toJson()).put("order", order.toBusJson()),
      new DeliveryOptions().setSendTimeout(10_000)).map(Message::body);
  }

  static Future<JsonObject> cancel(Vertx vertx, Caller caller, String orderId, String reason) {
    return vertx.eventBus().<JsonObject>request(OrderVerticle.CANCEL,
      new JsonObject().put("caller", caller.toJson()).put("orderId", orderId).put("reason", reason),
      new DeliveryOptions().setSendTimeout(10_000)).map(Message::body);
  }

  static JsonObject value(JsonObject reply) {
    assertThat(reply.getBoolean("ok")).as(reply.encode()).isTrue();
    return reply.getJsonObject("value");
  }

  static JsonObject problem(JsonObject reply, String code) {
    assertThat(reply.getBoolean("ok")).as(reply.encode()).isFalse();
    assertThat(reply.getJsonObject("problem").getString("code")).as(reply.encode()).isEqualTo(code);
    return reply.getJsonObject("problem");
  }

  static String orderId(JsonObject reply) {
    return value(reply).getJsonObject("order").getString("id");
  }

  Future<Account> reload(Fixture f) {
    return accounts.findVisible(f.as("system", Role.ADMIN), f.account().id());
  }

  record Ev(long seq, String type, JsonObject payload) {}

  Future<List<Ev>> events(UUID accountId) {
    return pool.preparedQuery("SELECT seq, event_type, payload FROM events WHERE account_id = $1 ORDER BY seq")
      .execute(Tuple.of(accountId)).map(rs -> {
        List<Ev> out = new ArrayList<>();
        for (Row r : rs) out.add(new Ev(r.getLong("seq"), r.getString("event_type"), r.getJsonObject("payload")));
        return out;
      });
  }

  Future<Long> count(String sql, Object... params) {
    return pool.preparedQuery(sql).execute(Tuple.from(params)).map(rs -> rs.iterator().next().getLong(0));
  }

  Future<Long> eventSeq(UUID accountId) {
    return count("SELECT event_seq FROM accounts WHERE id = $1", accountId);
  }

  /** The order's row once it reaches {@code status}; fails when it has not within {@code timeoutMs}. */
  Future<Row> awaitStatus(Vertx vertx, UUID orderId, String status, long timeoutMs) {
    return awaitStatusUntil(vertx, orderId, status, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs));
  }

  private Future<Row> awaitStatusUntil(Vertx vertx, UUID orderId, String status, long deadline) {
    return pool.preparedQuery("SELECT status, reject_code, reject_reason, reserved_amount, version FROM orders WHERE id = $1")
      .execute(Tuple.of(orderId)).compose(rs -> {
        Row r = rs.iterator().next();
        if (status.equals(r.getString("status"))) return Future.succeededFuture(r);
        if (System.nanoTime() > deadline) {
          return Future.failedFuture(new AssertionError("order " + orderId + " is still " + r.getString("status")
            + ", expected " + status));
        }
        return vertx.timer(20, TimeUnit.MILLISECONDS).compose(t -> awaitStatusUntil(vertx, orderId, status, deadline));
      });
  }

  static void assertConsecutive(List<Ev> events) {
    for (int i = 0; i < events.size(); i++) {
      assertThat(events.get(i).seq()).as("seq of event " + i + " " + events).isEqualTo(i + 1L);
    }
  }

  // ------------------------------------------------------------------ submit

  @Test
  void submitCreatesOnceAndReturnsTheSameOrderForTheSameClientOrderId(Vertx vertx, VertxTestContext ctx) {
    List<JsonObject> replies = new ArrayList<>();
    List<Account> states = new ArrayList<>();
    fixture("100000").compose(f -> submit(vertx, f.trader(), heldBuy(f.account().id(), "10", "149.99", "co-1"))
        .map(replies::add)
        .compose(v -> reload(f)).map(states::add)
        // same clientOrderId, different content: the first order is the answer
        .compose(v -> submit(vertx, f.trader(), heldBuy(f.account().id(), "20", "150.00", "co-1"))).map(replies::add)
        .compose(v -> reload(f)).map(states::add)
        .compose(v -> count("SELECT count(*) FROM orders WHERE account_id = $1", f.account().id()))
        .map(n -> {
          ctx.verify(() -> assertThat(n).as("orders stored").isEqualTo(1L));
          return f;
        }))
      .onComplete(ctx.succeeding(f -> ctx.verify(() -> {
        JsonObject first = value(replies.get(0));
        assertThat(first.getBoolean("created")).isTrue();
        JsonObject order = first.getJsonObject("order");
        assertThat(order.getString("status")).isEqualTo("pending");
        assertThat(order.getString("orderType")).isEqualTo("stop_limit");
        assertThat(order.getString("orderRef")).startsWith("ORD-");
        assertThat(order.getString("tenantId")).isEqualTo(f.tenant());
        assertThat(order.getString("accountId")).isEqualTo(f.account().id().toString());
        assertThat(order.getString("submittedBy")).isEqualTo("alice");
        assertThat(order.getString("clientOrderId")).isEqualTo("co-1");
        assertThat(order.getString("routingStrategy")).isEqualTo("best");
        assertThat(order.getJsonObject("metadata").getString("strategy")).isEqualTo("unit-test");
        assertThat(d(order.getString("quantity"))).isEqualByComparingTo("10");
        assertThat(d(order.getString("price"))).isEqualByComparingTo("149.99");
        assertThat(d(order.getString("reservedAmount"))).isEqualByComparingTo("1499.90");
        assertThat(order.getLong("version")).isZero();

        JsonObject second = value(replies.get(1));
        assertThat(second.getBoolean("created")).isFalse();
        assertThat(second.getJsonObject("order").getString("id")).isEqualTo(order.getString("id"));
        assertThat(d(second.getJsonObject("order").getString("quantity"))).isEqualByComparingTo("10");

        assertThat(states.get(0).reserved()).isEqualByComparingTo("1499.90");
        assertThat(states.get(0).balance()).isEqualByComparingTo("100000");
        assertThat(states.get(0).available()).isEqualByComparingTo("98500.10");
        assertThat(states.get(1).reserved()).as("nothing held twice").isEqualByComparingTo("1499.90");
        ctx.completeNow();
      })));
  }

  @Test
  void ordersWithoutClientOrderIdAreAlwaysNew(Vertx vertx, VertxTestContext ctx) {
    List<JsonObject> replies = new ArrayList<>();
    fixture("100000").compose(f -> submit(vertx, f.trader(), heldBuy(f.account().id(), "1", "100.00", null))
        .map(replies::add)
        .compose(v -> submit(vertx, f.trader(), heldBuy(f.account().id(), "1", "100.00", null))).map(replies::add)
        .compose(v -> reload(f)))
      .onComplete(ctx.succeeding(acct -> ctx.verify(() -> {
        assertThat(value(replies.get(0)).getBoolean("created")).isTrue();
        assertThat(value(replies.get(1)).getBoolean("created")).isTrue();
        assertThat(orderId(replies.get(0))).isNotEqualTo(orderId(replies.get(1)));
        assertThat(acct.reserved()).isEqualByComparingTo("200.00");
        ctx.completeNow();
      })));
  }

  @Test
  void reservedFollowsBuysAndCancelsButNotSells(Vertx vertx, VertxTestContext ctx) {
    List<JsonObject> replies = new ArrayList<>();
    List<Account> states = new ArrayList<>();
    fixture("10000").compose(f -> submit(vertx, f.trader(), heldBuy(f.account().id(), "10", "149.99", "b1"))
        .map(replies::add)                                                                             // 0
        .compose(v -> reload(f)).map(states::add)                                                      // s0
        .compose(v -> submit(vertx, f.trader(), heldSell(f.account().id(), "5", "s1"))).map(replies::add) // 1
        .compose(v -> reload(f)).map(states::add)                                                      // s1
        .compose(v -> cancel(vertx, f.trader(), orderId(replies.get(0)), "changed my mind")).map(replies::add) // 2
        .compose(v -> reload(f)).map(states::add)                                                      // s2
        .compose(v -> cancel(vertx, f.trader(), orderId(replies.get(0)), "again")).map(replies::add)    // 3
        .compose(v -> cancel(vertx, f.trader(), orderId(replies.get(1)), "sell too")).map(replies::add) // 4
        .compose(v -> reload(f)).map(states::add))                                                     // s3
      .onComplete(ctx.succeeding(v -> ctx.verify(() -> {
        assertThat(states.get(0).reserved()).isEqualByComparingTo("1499.90");
        assertThat(d(value(replies.get(1)).getJsonObject("order").getString("reservedAmount"))).isEqualByComparingTo("0");
        assertThat(states.get(1).reserved()).as("a sell holds nothing").isEqualByComparingTo("1499.90");

        JsonObject cancelled = value(replies.get(2)).getJsonObject("order");
        assertThat(cancelled.getString("status")).isEqualTo("cancelled");
        assertThat(d(cancelled.getString("reservedAmount"))).isEqualByComparingTo("0");
        assertThat(cancelled.getLong("version")).isEqualTo(1L);
        assertThat(states.get(2).reserved()).isEqualByComparingTo("0");
        assertThat(states.get(2).balance()).isEqualByComparingTo("10000");

        JsonObject again = problem(replies.get(3), "ORDER_NOT_CANCELLABLE");
        assertThat(again.getJsonObject("extensions").getString("orderStatus")).isEqualTo("cancelled");
        assertThat(again.getString("detail")).contains(cancelled.getString("orderRef"));

        assertThat(value(replies.get(4)).getJsonObject("order").getString("status")).isEqualTo("cancelled");
        assertThat(states.get(3).reserved()).isEqualByComparingTo("0");
        ctx.completeNow();
      })));
  }

  /**
   * A limit order is routed as soon as it commits; with no LP, routing refuses it: the order ends rejected
   * (NO_HEALTHY_LP), its held funds come back, and the outbox and audit trail record it in order.
   */
  @Test
  @Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
  void aLimitOrderNoLpCanTakeIsRejectedAndItsFundsReleased(Vertx vertx, VertxTestContext ctx) {
    List<JsonObject> replies = new ArrayList<>();
    List<Account> states = new ArrayList<>();
    List<Row> rows = new ArrayList<>();
    fixture("10000").compose(f -> submit(vertx, f.trader(), limitBuy(f.account().id(), "10", "149.99", "l1"))
        .map(replies::add)
        .compose(v -> awaitStatus(vertx, UUID.fromString(orderId(replies.get(0))), "rejected", 10_000)).map(rows::add)
        .compose(v -> reload(f)).map(states::add)
        .compose(v -> cancel(vertx, f.trader(), orderId(replies.get(0)), "too late")).map(replies::add)
        .compose(v -> Future.all(events(f.account().id()), eventSeq(f.account().id()),
          pool.preparedQuery("SELECT event_type, from_status, to_status, actor, details FROM execution_logs"
            + " WHERE order_id = $1 ORDER BY id").execute(Tuple.of(UUID.fromString(orderId(replies.get(0))))))))
      .onComplete(ctx.succeeding(all -> ctx.verify(() -> {
        JsonObject created = value(replies.get(0)).getJsonObject("order");
        assertThat(value(replies.get(0)).getBoolean("created")).isTrue();
        assertThat(created.getString("status")).as("accepted first").isEqualTo("pending");
        assertThat(d(created.getString("reservedAmount"))).isEqualByComparingTo("1499.90");

        Row rejected = rows.get(0);
        assertThat(rejected.getString("reject_code")).isEqualTo("NO_HEALTHY_LP");
        assertThat(rejected.getString("reject_reason")).isNotBlank();
        assertThat(rejected.getBigDecimal("reserved_amount")).isEqualByComparingTo("0");
        assertThat(states.get(0).reserved()).as("held funds released").isEqualByComparingTo("0");
        assertThat(states.get(0).balance()).isEqualByComparingTo("10000");

        JsonObject late = problem(replies.get(1), "ORDER_NOT_CANCELLABLE");
        assertThat(late.getJsonObject("extensions").getString("orderStatus")).isEqualTo("rejected");

        List<Ev> events = all.resultAt(0);
        assertThat(events).extracting(Ev::type).containsExactly(
          "order.created", "balance.updated", "order.rejected", "balance.updated");
        assertConsecutive(events);
        assertThat((Long) all.resultAt(1)).isEqualTo(4L);
        assertThat(d(events.get(1).payload().getValue("reserved").toString())).as("held on acceptance")
          .isEqualByComparingTo("1499.90");
        assertThat(events.get(2).payload().getString("status")).isEqualTo("rejected");
        assertThat(events.get(2).payload().getString("rejectCode")).isEqualTo("NO_HEALTHY_LP");
        assertThat(d(events.get(3).payload().getValue("reserved").toString())).isEqualByComparingTo("0");

        io.vertx.sqlclient.RowSet<Row> audit = all.resultAt(2);
        List<String> trail = new ArrayList<>();
        for (Row r : audit) trail.add(r.getString("event_type") + ":" + r.getString("from_status") + "->"
          + r.getString("to_status") + ":" + r.getString("actor"));
        assertThat(trail).containsExactly("SUBMITTED:null->pending:alice", "VALIDATED:pending->pending:system",
          "REJECTED:pending->rejected:system");
        ctx.completeNow();
      })));
  }

  @Test
  void everyChangeWritesOutboxEventsWithConsecutiveSeqAndAnAuditTrail(Vertx vertx, VertxTestContext ctx) {
    List<JsonObject> replies = new ArrayList<>();
    fixture("10000").compose(f -> submit(vertx, f.trader(), heldBuy(f.account().id(), "10", "149.99", "e1"))
        .map(replies::add)
        .compose(v -> submit(vertx, f.trader(), heldSell(f.account().id(), "5", "e2"))).map(replies::add)
        .compose(v -> submit(vertx, f.trader(), heldBuy(f.account().id(), "10", "149.99", "e1"))).map(replies::add) // replay
        .compose(v -> submit(vertx, f.trader(), heldBuy(f.account().id(), "10.5", "149.99", "bad"))).map(replies::add) // refused
        .compose(v -> cancel(vertx, f.trader(), orderId(replies.get(0)), "done")).map(replies::add)
        .compose(v -> cancel(vertx, f.trader(), orderId(replies.get(0)), "twice")).map(replies::add) // refused
        .compose(v -> cancel(vertx, f.trader(), orderId(replies.get(1)), "sell")).map(replies::add)
        .compose(v -> Future.all(events(f.account().id()), eventSeq(f.account().id()),
          pool.preparedQuery("SELECT event_type, from_status, to_status, actor, details FROM execution_logs"
            + " WHERE order_id = $1 ORDER BY id").execute(Tuple.of(UUID.fromString(orderId(replies.get(0))))),
          count("SELECT count(*) FROM order_modifications WHERE order_id = $1 AND kind = 'cancel' AND status = 'applied'",
            UUID.fromString(orderId(replies.get(0)))))))
      .onComplete(ctx.succeeding(all -> ctx.verify(() -> {
        List<Ev> events = all.resultAt(0);
        assertThat(events).extracting(Ev::type).containsExactly(
          "order.created", "balance.updated",   // buy: order and held funds
          "order.created",                      // sell: nothing held
          "order.cancelled", "balance.updated", // cancel the buy: funds released
          "order.cancelled");                   // cancel the sell
        assertConsecutive(events);
        assertThat((Long) all.resultAt(1)).as("the account's last seq").isEqualTo(6L);

        String buyId = orderId(replies.get(0));
        assertThat(events.get(0).payload().getString("id")).isEqualTo(buyId);
        assertThat(events.get(0).payload().getString("status")).isEqualTo("pending");
        assertThat(events.get(0).payload().containsKey("tenantId")).as("public view only").isFalse();
        assertThat(d(events.get(1).payload().getValue("reserved").toString())).isEqualByComparingTo("1499.90");
        assertThat(d(events.get(1).payload().getValue("available").toString())).isEqualByComparingTo("8500.10");
        assertThat(events.get(3).payload().getString("id")).isEqualTo(buyId);
        assertThat(events.get(3).payload().getString("status")).isEqualTo("cancelled");
        assertThat(events.get(3).payload().getString("rejectReason")).isEqualTo("done");
        assertThat(d(events.get(4).payload().getValue("reserved").toString())).isEqualByComparingTo("0");
        assertThat(events.get(5).payload().getString("id")).isEqualTo(orderId(replies.get(1)));

        io.vertx.sqlclient.RowSet<Row> audit = all.resultAt(2);
        List<String> trail = new ArrayList<>();
        for (Row r : audit) trail.add(r.getString("event_type") + ":" + r.getString("from_status") + "->"
          + r.getString("to_status") + ":" + r.getString("actor"));
        assertThat(trail).containsExactly("SUBMITTED:null->pending:alice", "VALIDATED:pending->pending:system",
          "CANCELLED:pending->cancelled:alice");
        assertThat((Long) all.resultAt(3)).isEqualTo(1L);
        ctx.completeNow();
      })));
  }

  // ------------------------------------------------------------------ who may trade

  @Test
  void onlyTheOwningTraderMaySubmit(Vertx vertx, VertxTestContext ctx) {
    List<JsonObject> replies = new ArrayList<>();
    fixture("100000").compose(f -> {
      NewOrder o = heldBuy(f.account().id(), "1", "150.00", "x");
      return submit(vertx, new Caller("other-" + f.tenant(), "alice", Set.of(Role.TRADER)), o).map(replies::add) // other tenant
        .compose(v -> submit(vertx, f.as("bob", Role.TRADER), o)).map(replies::add)          // not the owner
        .compose(v -> submit(vertx, f.as("alice", Role.VIEWER), o)).map(replies::add)        // owner, viewer
        .compose(v -> submit(vertx, f.as("root", Role.ADMIN), o)).map(replies::add)          // admin sees, does not trade
        .compose(v -> submit(vertx, f.as("alice"), o)).map(replies::add)                     // owner without roles
        .compose(v -> submit(vertx, f.as("carol", Role.COMPLIANCE), o)).map(replies::add)
        .compose(v -> submit(vertx, f.trader(), heldBuy(UUID.randomUUID(), "1", "150.00", "x"))).map(replies::add)
        .compose(v -> Future.all(reload(f), events(f.account().id()),
          count("SELECT count(*) FROM orders WHERE account_id = $1", f.account().id())));
    }).onComplete(ctx.succeeding(all -> ctx.verify(() -> {
      problem(replies.get(0), "ACCOUNT_NOT_FOUND");
      problem(replies.get(1), "ACCOUNT_NOT_FOUND");
      problem(replies.get(2), "FORBIDDEN");
      problem(replies.get(3), "FORBIDDEN");
      problem(replies.get(4), "FORBIDDEN");
      problem(replies.get(5), "FORBIDDEN");
      problem(replies.get(6), "ACCOUNT_NOT_FOUND");
      assertThat(((Account) all.resultAt(0)).reserved()).isEqualByComparingTo("0");
      assertThat((List<?>) all.resultAt(1)).isEmpty();
      assertThat((Long) all.resultAt(2)).isZero();
      ctx.completeNow();
    })));
  }

  @Test
  void whoMayCancel(Vertx vertx, VertxTestContext ctx) {
    List<JsonObject> replies = new ArrayList<>();
    fixture("100000").compose(f -> submit(vertx, f.trader(), heldBuy(f.account().id(), "2", "150.00", "c1"))
        .map(replies::add)
        .compose(v -> {
          String id = orderId(replies.get(0));
          return cancel(vertx, new Caller("other-" + f.tenant(), "alice", Set.of(Role.ADMIN)), id, "x").map(replies::add) // 1
            .compose(x -> cancel(vertx, f.as("bob", Role.TRADER), id, "x")).map(replies::add)     // 2 not visible
            .compose(x -> cancel(vertx, f.as("alice", Role.VIEWER), id, "x")).map(replies::add)   // 3 visible, read-only
            .compose(x -> cancel(vertx, f.as("carol", Role.COMPLIANCE), id, "x")).map(replies::add) // 4 read-only
            .compose(x -> cancel(vertx, f.trader(), UUID.randomUUID().toString(), "x")).map(replies::add) // 5 no such
            .compose(x -> cancel(vertx, f.as("dave", Role.TRADER, Role.COMPLIANCE), id, "x")).map(replies::add) // 6 reads all, owns nothing
            .compose(x -> reload(f)).map(a -> {
              ctx.verify(() -> assertThat(a.reserved()).as("still held").isEqualByComparingTo("300.00"));
              return a;
            })
            .compose(x -> cancel(vertx, f.as("root", Role.ADMIN), id, "risk desk")).map(replies::add) // 7 admin
            .compose(x -> reload(f));
        }))
      .onComplete(ctx.succeeding(acct -> ctx.verify(() -> {
        problem(replies.get(1), "ORDER_NOT_FOUND");
        problem(replies.get(2), "ORDER_NOT_FOUND");
        problem(replies.get(3), "FORBIDDEN");
        // compliance reads the whole tenant but never changes orders (refused as forbidden or as not found)
        assertThat(replies.get(4).getBoolean("ok")).as(replies.get(4).encode()).isFalse();
        assertThat(replies.get(4).getJsonObject("problem").getString("code")).isIn("FORBIDDEN", "ORDER_NOT_FOUND");
        problem(replies.get(5), "ORDER_NOT_FOUND");
        // a trader who may read the whole tenant (compliance) still changes only orders of accounts it owns
        assertThat(replies.get(6).getBoolean("ok")).as(replies.get(6).encode()).isFalse();
        assertThat(replies.get(6).getJsonObject("problem").getString("code")).isIn("FORBIDDEN", "ORDER_NOT_FOUND");
        JsonObject byAdmin = value(replies.get(7)).getJsonObject("order");
        assertThat(byAdmin.getString("status")).isEqualTo("cancelled");
        assertThat(byAdmin.getLong("version")).as("untouched until the admin cancelled it").isEqualTo(1L);
        assertThat(acct.reserved()).isEqualByComparingTo("0");
        ctx.completeNow();
      })));
  }

  // ------------------------------------------------------------------ validation through the verticle

  @Test
  void refusedOrdersLeaveNoTrace(Vertx vertx, VertxTestContext ctx) {
    List<JsonObject> replies = new ArrayList<>();
    fixture("1000").compose(f -> submit(vertx, f.trader(), heldBuy(f.account().id(), "10.5", "149.555", "bad"))
        .map(replies::add)
        .compose(v -> submit(vertx, f.trader(), heldBuy(f.account().id(), "10", "149.99", "poor"))).map(replies::add)
        // the refused clientOrderId is free to use afterwards
        .compose(v -> submit(vertx, f.trader(), heldBuy(f.account().id(), "5", "150.00", "poor"))).map(replies::add)
        .compose(v -> Future.all(reload(f), events(f.account().id()),
          count("SELECT count(*) FROM orders WHERE account_id = $1", f.account().id()))))
      .onComplete(ctx.succeeding(all -> ctx.verify(() -> {
        JsonObject fields = problem(replies.get(0), "VALIDATION_FAILED");
        assertThat(fields.getJsonArray("errors").stream().map(o -> ((JsonObject) o).getString("field")).collect(Collectors.toSet()))
          .containsExactlyInAnyOrder("quantity", "price");
        JsonObject funds = problem(replies.get(1), "INSUFFICIENT_FUNDS");
        assertThat(funds.getString("detail")).isEqualTo("Insufficient funds for $1,499.90 order; available: $1,000.00");
        assertThat(value(replies.get(2)).getBoolean("created")).isTrue();
        assertThat(((Account) all.resultAt(0)).reserved()).isEqualByComparingTo("750.00");
        assertThat((List<Ev>) all.resultAt(1)).extracting(Ev::type).containsExactly("order.created", "balance.updated");
        assertThat((Long) all.resultAt(2)).isEqualTo(1L);
        ctx.completeNow();
      })));
  }

  // ------------------------------------------------------------------ concurrency

  @Test
  @Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
  void concurrentSubmitsOfOneClientOrderIdCreateOneOrder(Vertx vertx, VertxTestContext ctx) {
    fixture("100000").compose(f -> {
      List<Future<JsonObject>> all = new ArrayList<>();
      for (int i = 0; i < 8; i++) all.add(submit(vertx, f.trader(), heldBuy(f.account().id(), "10", "149.99", "same")));
      return Future.all(all).compose(v -> Future.all(reload(f), events(f.account().id()))).map(v -> {
        ctx.verify(() -> {
          long created = all.stream().filter(r -> value(r.result()).getBoolean("created")).count();
          assertThat(created).isEqualTo(1);
          assertThat(all.stream().map(r -> orderId(r.result())).distinct()).hasSize(1);
          assertThat(((Account) v.resultAt(0)).reserved()).isEqualByComparingTo("1499.90");
          List<Ev> events = v.resultAt(1);
          assertThat(events).hasSize(2);
          assertConsecutive(events);
        });
        return v;
      });
    }).onComplete(ctx.succeedingThenComplete());
  }

  /**
   * More orders than the balance covers, sent at once and more of them than the pool has connections:
   * exactly the affordable ones are accepted, the others refused for funds, every one answered.
   */
  @Test
  @Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
  void concurrentOrdersNeverHoldMoreThanTheBalance(Vertx vertx, VertxTestContext ctx) {
    int n = POOL_SIZE * 3;
    fixture("3000").compose(f -> {
      List<Future<JsonObject>> all = new ArrayList<>();
      for (int i = 0; i < n; i++) all.add(submit(vertx, f.trader(), heldBuy(f.account().id(), "10", "149.99", "o" + i)));
      return Future.join(all).transform(ar -> Future.all(reload(f), events(f.account().id()),
        count("SELECT count(*) FROM orders WHERE account_id = $1", f.account().id()))).map(v -> {
        ctx.verify(() -> {
          List<String> failures = new ArrayList<>();
          for (Future<JsonObject> r : all) if (r.failed()) failures.add(String.valueOf(r.cause()));
          assertThat(failures).as("every submit answered").isEmpty();
          long ok = all.stream().filter(r -> r.result().getBoolean("ok")).count();
          assertThat(ok).isEqualTo(2);
          all.stream().filter(r -> !r.result().getBoolean("ok")).forEach(r -> problem(r.result(), "INSUFFICIENT_FUNDS"));
          assertThat(((Account) v.resultAt(0)).reserved()).isEqualByComparingTo("2999.80");
          List<Ev> events = v.resultAt(1);
          assertThat(events).hasSize(4);
          assertConsecutive(events);
          assertThat((Long) v.resultAt(2)).isEqualTo(2L);
        });
        return v;
      });
    }).onComplete(ctx.succeedingThenComplete());
  }
}
