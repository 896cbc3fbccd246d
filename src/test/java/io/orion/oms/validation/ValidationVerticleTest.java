package io.orion.oms.validation;

import io.orion.oms.account.Account;
import io.orion.oms.account.AccountRepository;
import io.orion.oms.common.Decimals;
import io.orion.oms.config.ConfigLoader;
import io.orion.oms.infra.Database;
import io.orion.oms.instrument.Instrument;
import io.orion.oms.instrument.InstrumentRepository;
import io.orion.oms.order.NewOrder;
import io.orion.oms.order.OrderRepository;
import io.orion.oms.order.OrderType;
import io.orion.oms.order.RoutingStrategy;
import io.orion.oms.order.Side;
import io.orion.oms.order.TimeInForce;
import io.orion.oms.support.TestServices;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/** oms.validation.check over the event bus, with instruments, positions and open orders in PostgreSQL. */
@ExtendWith(VertxExtension.class)
class ValidationVerticleTest {
  /** The verticle's clock: far from the wall clock, so a test can tell which one is used. */
  static final Instant NOW = Instant.parse("2030-06-15T12:00:00Z");

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

  @BeforeEach
  void deploy(Vertx vertx, VertxTestContext ctx) {
    pool = Database.pool(vertx, dbUrl, 4);
    accounts = new AccountRepository(pool);
    orders = new OrderRepository(pool);
    InstrumentRepository instruments = new InstrumentRepository(pool);
    List<Instrument> all = new ArrayList<>(confInstruments);
    all.add(new Instrument("OFF", "equity", "OFF", "USD", d("0.01"), d("1"), d("1"), d("10.00"), false));
    instruments.upsertAll(all)
      .compose(v -> vertx.deployVerticle(new ValidationVerticle(instruments, accounts, orders, Clock.fixed(NOW, ZoneOffset.UTC))))
      .onComplete(ctx.succeedingThenComplete());
  }

  // ------------------------------------------------------------------ helpers

  static BigDecimal d(String s) {
    return new BigDecimal(s);
  }

  static NewOrder order(UUID account, String instrument, Side side, OrderType type, String qty, String price) {
    return new NewOrder(account, instrument, side, type, TimeInForce.GTC, d(qty), price == null ? null : d(price),
      null, null, null, null, null, null, null, null);
  }

  static NewOrder limitBuy(UUID account, String qty, String price) {
    return order(account, "AAPL", Side.BUY, OrderType.LIMIT, qty, price);
  }

  static Account memAccount(String currency, String balance, String maxNotional, String maxPosition) {
    return new Account(UUID.randomUUID(), "acme", "alice", "mem", currency, d(balance), BigDecimal.ZERO,
      maxNotional == null ? null : d(maxNotional), maxPosition == null ? null : d(maxPosition), NOW, NOW);
  }

  static Future<JsonObject> check(Vertx vertx, NewOrder order, Account account) {
    JsonObject body = new JsonObject().put("order", order.toBusJson()).put("account", account.toBusJson());
    return vertx.eventBus().<JsonObject>request(ValidationVerticle.CHECK, body).map(Message::body);
  }

  static void assertOk(JsonObject reply, String notional, String reserve) {
    assertThat(reply.getBoolean("ok")).as(reply.encode()).isTrue();
    JsonObject v = reply.getJsonObject("value");
    assertThat(v.getValue("notional")).isInstanceOf(String.class);
    assertThat(v.getValue("reserveAmount")).isInstanceOf(String.class);
    assertThat(new BigDecimal(v.getString("notional"))).isEqualByComparingTo(notional);
    assertThat(new BigDecimal(v.getString("reserveAmount"))).isEqualByComparingTo(reserve);
  }

  static JsonObject problem(JsonObject reply, String code) {
    assertThat(reply.getBoolean("ok")).as(reply.encode()).isFalse();
    assertThat(reply.containsKey("value")).isFalse();
    JsonObject p = reply.getJsonObject("problem");
    assertThat(p.getString("code")).as(p.encode()).isEqualTo(code);
    return p;
  }

  static List<org.assertj.core.groups.Tuple> fieldErrors(JsonObject problem) {
    List<org.assertj.core.groups.Tuple> out = new ArrayList<>();
    for (Object o : problem.getJsonArray("errors", new JsonArray())) {
      JsonObject e = (JsonObject) o;
      assertThat(e.getString("message")).isNotBlank();
      out.add(tuple(e.getString("field"), e.getString("code")));
    }
    return out;
  }

  static BigDecimal ext(JsonObject problem, String member) {
    return Decimals.parse(problem.getJsonObject("extensions").getValue(member));
  }

  // ------------------------------------------------------------------ accepted

  @Test
  void acceptedOrdersReplyNotionalAndReserveAsStrings(Vertx vertx, VertxTestContext ctx) {
    Account acct = memAccount("USD", "100000", null, null);
    Future.all(
        check(vertx, limitBuy(acct.id(), "10", "149.99"), acct),
        check(vertx, order(acct.id(), "AAPL", Side.SELL, OrderType.MARKET, "20", null), acct),
        check(vertx, order(acct.id(), "BTC-USD", Side.BUY, OrderType.LIMIT, "0.0003", "65000.01"), acct),
        check(vertx, order(acct.id(), "EURUSD", Side.BUY, OrderType.MARKET, "10000", null), acct))
      .onComplete(ctx.succeeding(all -> ctx.verify(() -> {
        assertOk(all.resultAt(0), "1499.90", "1499.90");
        JsonObject v = ((JsonObject) all.resultAt(0)).getJsonObject("value");
        assertThat(v.getString("notional")).isEqualTo("1499.90");
        assertThat(v.getString("reserveAmount")).isEqualTo("1499.90");
        assertOk(all.resultAt(1), "3000.00", "0");
        assertOk(all.resultAt(2), "19.51", "19.51");
        assertOk(all.resultAt(3), "10850.00", "10850.00");
        ctx.completeNow();
      })));
  }

  @Test
  void nonUsdAccountIsConvertedAndUnknownCurrencyIsRefused(Vertx vertx, VertxTestContext ctx) {
    Account eur = memAccount("EUR", "100000", null, null);
    Account chf = memAccount("CHF", "100000", null, null);
    Future.all(check(vertx, limitBuy(eur.id(), "10", "150.00"), eur), check(vertx, limitBuy(chf.id(), "10", "150.00"), chf))
      .onComplete(ctx.succeeding(all -> ctx.verify(() -> {
        assertOk(all.resultAt(0), "1382.49", "1382.49");
        JsonObject p = problem(all.resultAt(1), "UNSUPPORTED_CURRENCY");
        assertThat(p.getString("detail")).contains("CHF");
        ctx.completeNow();
      })));
  }

  // ------------------------------------------------------------------ field problems

  @Test
  void fieldProblemsComeBackTogetherWithTheirFields(Vertx vertx, VertxTestContext ctx) {
    Account acct = memAccount("USD", "100000", null, null);
    NewOrder bad = new NewOrder(acct.id(), "AAPL", Side.BUY, OrderType.LIMIT, TimeInForce.DAY, d("10.5"), d("149.555"),
      d("150.00"), null, null, NOW.plusSeconds(3600), RoutingStrategy.BEST, "lp-1", "c-1", null);
    NewOrder unknown = order(acct.id(), "TSLA", Side.BUY, OrderType.MARKET, "1", null);
    NewOrder disabled = order(acct.id(), "OFF", Side.BUY, OrderType.MARKET, "1", null);
    Future.all(check(vertx, bad, acct), check(vertx, unknown, acct), check(vertx, disabled, acct))
      .onComplete(ctx.succeeding(all -> ctx.verify(() -> {
        JsonObject p = problem(all.resultAt(0), "VALIDATION_FAILED");
        assertThat(fieldErrors(p)).containsExactlyInAnyOrder(
          tuple("quantity", "NOT_LOT_MULTIPLE"),
          tuple("price", "NOT_ON_TICK"),
          tuple("stopPrice", "NOT_ALLOWED"),
          tuple("expiryDate", "NOT_ALLOWED"),
          tuple("lpId", "NOT_ALLOWED"));
        assertThat(p.getString("detail")).isEqualTo("The order has 5 invalid fields");
        assertThat(fieldErrors(problem(all.resultAt(1), "VALIDATION_FAILED")))
          .containsExactly(tuple("instrumentId", "UNKNOWN_INSTRUMENT"));
        assertThat(fieldErrors(problem(all.resultAt(2), "VALIDATION_FAILED")))
          .as("a disabled instrument in the database").containsExactly(tuple("instrumentId", "UNKNOWN_INSTRUMENT"));
        ctx.completeNow();
      })));
  }

  @Test
  void fieldsAreCheckedBeforeFunds(Vertx vertx, VertxTestContext ctx) {
    Account broke = memAccount("USD", "0", "1", null);
    check(vertx, limitBuy(broke.id(), "10.5", "149.99"), broke).onComplete(ctx.succeeding(r -> ctx.verify(() -> {
      assertThat(fieldErrors(problem(r, "VALIDATION_FAILED"))).containsExactly(tuple("quantity", "NOT_LOT_MULTIPLE"));
      ctx.completeNow();
    })));
  }

  @Test
  void gtdExpiryIsJudgedByTheVerticlesClock(Vertx vertx, VertxTestContext ctx) {
    Account acct = memAccount("USD", "100000", null, null);
    // still in the future for the wall clock, but before the verticle's 2030-06-15
    Instant beforeClock = Instant.parse("2030-06-15T11:59:59Z");
    Instant afterClock = Instant.parse("2030-06-15T12:00:01Z");
    NewOrder past = new NewOrder(acct.id(), "AAPL", Side.BUY, OrderType.LIMIT, TimeInForce.GTD, d("1"), d("150.00"),
      null, null, null, beforeClock, null, null, null, null);
    NewOrder future = new NewOrder(acct.id(), "AAPL", Side.BUY, OrderType.LIMIT, TimeInForce.GTD, d("1"), d("150.00"),
      null, null, null, afterClock, null, null, null, null);
    NewOrder missing = new NewOrder(acct.id(), "AAPL", Side.BUY, OrderType.LIMIT, TimeInForce.GTD, d("1"), d("150.00"),
      null, null, null, null, null, null, null, null);
    Future.all(check(vertx, past, acct), check(vertx, future, acct), check(vertx, missing, acct))
      .onComplete(ctx.succeeding(all -> ctx.verify(() -> {
        assertThat(fieldErrors(problem(all.resultAt(0), "VALIDATION_FAILED")))
          .containsExactly(tuple("expiryDate", "MUST_BE_FUTURE"));
        assertOk(all.resultAt(1), "150.00", "150.00");
        assertThat(fieldErrors(problem(all.resultAt(2), "VALIDATION_FAILED")))
          .containsExactly(tuple("expiryDate", "REQUIRED"));
        ctx.completeNow();
      })));
  }

  @Test
  void manualRoutingNeedsAnLp(Vertx vertx, VertxTestContext ctx) {
    Account acct = memAccount("USD", "100000", null, null);
    NewOrder noLp = new NewOrder(acct.id(), "AAPL", Side.BUY, OrderType.MARKET, TimeInForce.IOC, d("1"), null,
      null, null, null, null, RoutingStrategy.MANUAL, null, null, null);
    NewOrder withLp = new NewOrder(acct.id(), "AAPL", Side.BUY, OrderType.MARKET, TimeInForce.IOC, d("1"), null,
      null, null, null, null, RoutingStrategy.MANUAL, "lp-alpha", null, null);
    Future.all(check(vertx, noLp, acct), check(vertx, withLp, acct)).onComplete(ctx.succeeding(all -> ctx.verify(() -> {
      assertThat(fieldErrors(problem(all.resultAt(0), "VALIDATION_FAILED"))).containsExactly(tuple("lpId", "REQUIRED"));
      assertOk(all.resultAt(1), "150.00", "150.00");
      ctx.completeNow();
    })));
  }

  // ------------------------------------------------------------------ risk

  @Test
  void insufficientFundsAndOrderNotionalLimit(Vertx vertx, VertxTestContext ctx) {
    Account small = memAccount("USD", "5000", null, null);
    Account limited = memAccount("USD", "1000000", "10000", null);
    Account reservedMost = new Account(UUID.randomUUID(), "acme", "alice", "r", "USD", d("20000"), d("15000.01"),
      null, null, NOW, NOW);
    NewOrder market100 = order(small.id(), "AAPL", Side.BUY, OrderType.MARKET, "100", null);
    Future.all(check(vertx, market100, small), check(vertx, market100, limited), check(vertx, market100, reservedMost))
      .onComplete(ctx.succeeding(all -> ctx.verify(() -> {
        JsonObject funds = problem(all.resultAt(0), "INSUFFICIENT_FUNDS");
        assertThat(funds.getString("detail")).isEqualTo("Insufficient funds for $15,000.00 order; available: $5,000.00");
        assertThat(ext(funds, "required")).isEqualByComparingTo("15000.00");
        assertThat(ext(funds, "available")).isEqualByComparingTo("5000");
        assertThat(funds.getJsonObject("extensions").getString("currency")).isEqualTo("USD");
        assertThat(funds.getJsonArray("errors")).isEmpty();

        JsonObject limit = problem(all.resultAt(1), "RISK_LIMIT_EXCEEDED");
        assertThat(limit.getJsonObject("extensions").getString("limit")).isEqualTo("maxOrderNotional");
        assertThat(ext(limit, "limitValue")).isEqualByComparingTo("10000");
        assertThat(ext(limit, "requested")).isEqualByComparingTo("15000.00");
        assertThat(limit.getString("detail")).contains("maxOrderNotional");

        JsonObject reserved = problem(all.resultAt(2), "INSUFFICIENT_FUNDS");
        assertThat(reserved.getString("detail")).endsWith("available: $4,999.99");
        ctx.completeNow();
      })));
  }

  @Test
  void positionLimitCountsPositionAndOpenSameSideOrders(Vertx vertx, VertxTestContext ctx) {
    Instant t = Instant.now();
    String tenant = "t-" + UUID.randomUUID();
    accounts.create(tenant, "alice", "Limited", "USD", d("1000000"), null, d("100"), t).compose(acct -> {
      UUID id = acct.id();
      List<JsonObject> replies = new ArrayList<>();
      return check(vertx, limitBuy(id, "100", "150.00"), acct).map(replies::add)
        // an open buy of 60 AAPL, and orders that must not count: another instrument, sells, a finished one
        .compose(v -> pool.withTransaction(tx -> orders.insert(tx, UUID.randomUUID(), tenant, "alice",
            limitBuy(id, "60", "150.00"), BigDecimal.ZERO, t)
          .compose(o -> orders.insert(tx, UUID.randomUUID(), tenant, "alice",
            order(id, "MSFT", Side.BUY, OrderType.LIMIT, "90", "400.00"), BigDecimal.ZERO, t))
          .compose(o -> orders.insert(tx, UUID.randomUUID(), tenant, "alice",
            order(id, "AAPL", Side.SELL, OrderType.LIMIT, "70", "151.00"), BigDecimal.ZERO, t))
          .compose(o -> orders.insert(tx, UUID.randomUUID(), tenant, "alice", limitBuy(id, "80", "149.00"), BigDecimal.ZERO, t))
          .compose(done -> tx.preparedQuery("UPDATE orders SET status = 'cancelled' WHERE id = $1")
            .execute(Tuple.of(done.id())))))
        .compose(v -> check(vertx, limitBuy(id, "41", "150.00"), acct)).map(replies::add)   // 60 + 41 = 101
        .compose(v -> check(vertx, limitBuy(id, "40", "150.00"), acct)).map(replies::add)   // 60 + 40 = 100
        .compose(v -> check(vertx, order(id, "AAPL", Side.SELL, OrderType.LIMIT, "30", "150.00"), acct)).map(replies::add) // |-(30+70)| = 100
        .compose(v -> check(vertx, order(id, "AAPL", Side.SELL, OrderType.LIMIT, "31", "150.00"), acct)).map(replies::add) // 101
        // a long position of 30 held: 30 + 60 open + 10 = 100, + 11 = 101; selling 31 leaves |30 - 101| = 71
        .compose(v -> pool.preparedQuery("INSERT INTO positions (account_id, instrument_id, tenant_id, quantity, updated_at)"
          + " VALUES ($1, 'AAPL', $2, 30, $3)").execute(Tuple.of(id, tenant, OffsetDateTime.now(ZoneOffset.UTC))))
        .compose(v -> check(vertx, limitBuy(id, "10", "150.00"), acct)).map(replies::add)
        .compose(v -> check(vertx, limitBuy(id, "11", "150.00"), acct)).map(replies::add)
        .compose(v -> check(vertx, order(id, "AAPL", Side.SELL, OrderType.LIMIT, "31", "150.00"), acct)).map(replies::add)
        .map(v -> replies);
    }).onComplete(ctx.succeeding(r -> ctx.verify(() -> {
      assertOk(r.get(0), "15000.00", "15000.00");
      JsonObject over = problem(r.get(1), "RISK_LIMIT_EXCEEDED");
      assertThat(over.getJsonObject("extensions").getString("limit")).isEqualTo("maxPositionQuantity");
      assertThat(ext(over, "requested")).isEqualByComparingTo("101");
      assertThat(ext(over, "limitValue")).isEqualByComparingTo("100");
      assertOk(r.get(2), "6000.00", "6000.00");
      assertOk(r.get(3), "4500.00", "0");
      assertThat(ext(problem(r.get(4), "RISK_LIMIT_EXCEEDED"), "requested")).isEqualByComparingTo("101");
      assertOk(r.get(5), "1500.00", "1500.00");
      assertThat(ext(problem(r.get(6), "RISK_LIMIT_EXCEEDED"), "requested")).isEqualByComparingTo("101");
      assertOk(r.get(7), "4650.00", "0");
      ctx.completeNow();
    })));
  }

  @Test
  void manyConcurrentChecksGetTheirOwnAnswers(Vertx vertx, VertxTestContext ctx) {
    Account acct = memAccount("USD", "3000", null, null);
    List<Future<JsonObject>> all = new ArrayList<>();
    for (int i = 1; i <= 60; i++) all.add(check(vertx, limitBuy(acct.id(), String.valueOf(i), "100.00"), acct));
    Future.all(all).onComplete(ctx.succeeding(done -> ctx.verify(() -> {
      for (int i = 1; i <= 60; i++) {
        JsonObject r = all.get(i - 1).result();
        if (i * 100 <= 3000) assertOk(r, i * 100 + ".00", i * 100 + ".00");
        else problem(r, "INSUFFICIENT_FUNDS");
      }
      ctx.completeNow();
    })));
  }
}
