package io.orion.oms.api;

import io.orion.oms.support.Http;
import io.orion.oms.support.TestApp;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The order, account, instrument and health endpoints end to end: real HTTP against a whole service on a
 * fresh database. Every test works on accounts of its own (a new owner per test), so tests do not see
 * each other's orders and can run in any order.
 *
 * <p>The service runs with no LPs: market and limit orders are accepted (201, pending) and then rejected by
 * routing (NO_HEALTHY_LP) a moment later. Tests that need an order to stay open (held funds, cancel, reads
 * of a pending order) submit a held type instead (stop, stop_limit: never routed until triggered), its stop
 * far on the side the market is not going (e.g. buy AAPL, reference 150.00, stop at 1000.00).
 */
class OrderApiTest {
  static final String ORDERS = "/api/v1/orders";
  static final String ACCOUNTS = "/api/v1/accounts";
  static final String ORDER_REF = "ORD-\\d{8}-\\d{7}";
  /** RFC 3339 date-time, as the contract's {@code format: date-time} demands: seconds are not optional. */
  static final String RFC3339 = "\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?(Z|[+-]\\d{2}:\\d{2})";

  static TestApp app;

  @BeforeAll
  static void start() throws Exception {
    app = TestApp.start();
  }

  @AfterAll
  static void stop() throws Exception {
    if (app != null) app.close();
  }

  // ---------------------------------------------------------------------------------------------- submit

  @Test
  void submitsMarketOrder() {
    Trader t = newTrader("100000");
    JsonObject body = order(t, "AAPL", "buy", "market").put("quantity", 10);
    JsonObject o = assertCreated(t, body);
    assertThat(o.getValue("price")).isNull();
    assertThat(o.getValue("stopPrice")).isNull();
    // market orders hold quantity x reference price (150.00) when accepted
    assertThat(dec(createdAudit(t, o).getJsonObject("details"), "reserved")).isEqualByComparingTo("1500.00");
    // with no LP, routing rejects it and the held funds come back
    JsonObject rejected = awaitStatus(t, id(o), "rejected");
    assertThat(rejected.getString("rejectCode")).isEqualTo("NO_HEALTHY_LP");
    JsonObject acc = account(t);
    assertThat(dec(acc, "reserved")).isEqualByComparingTo("0");
    assertThat(dec(acc, "available")).isEqualByComparingTo("100000");
  }

  @Test
  void submitsLimitOrder() {
    Trader t = newTrader("100000");
    JsonObject body = order(t, "AAPL", "buy", "limit").put("quantity", "10").put("price", "149.50")
      .put("clientOrderId", "lim-" + UUID.randomUUID()).put("metadata", new JsonObject().put("desk", "eq-1").put("n", 7));
    JsonObject o = assertCreated(t, body);
    assertThat(dec(o, "price")).isEqualByComparingTo("149.50");
    assertThat(o.getString("clientOrderId")).isEqualTo(body.getString("clientOrderId"));
    assertThat(o.getJsonObject("metadata")).isEqualTo(new JsonObject().put("desk", "eq-1").put("n", 7));
    // accepted holding quantity x limit price
    assertThat(dec(createdAudit(t, o).getJsonObject("details"), "reserved")).isEqualByComparingTo("1495.00");
    // with no LP, routing rejects it; the order keeps its terms and the funds come back
    JsonObject rejected = awaitStatus(t, id(o), "rejected");
    assertThat(rejected.getString("rejectCode")).isEqualTo("NO_HEALTHY_LP");
    assertThat(rejected.getString("rejectReason")).isNotBlank();
    assertThat(dec(rejected, "price")).isEqualByComparingTo("149.50");
    assertThat(dec(rejected, "filledQuantity")).isEqualByComparingTo("0");
    assertThat(rejected.getString("clientOrderId")).isEqualTo(body.getString("clientOrderId"));
    JsonObject acc = account(t);
    assertThat(dec(acc, "reserved")).isEqualByComparingTo("0");
    assertThat(dec(acc, "available")).isEqualByComparingTo("100000");
    assertThat(dec(acc, "balance")).isEqualByComparingTo("100000");
    // the trail says who ended it and why; the order is final
    JsonArray audit = app.http.get(ORDERS + "/" + id(o) + "/audit", t.token()).json().getJsonArray("data");
    JsonObject last = audit.getJsonObject(audit.size() - 1);
    assertThat(last.getString("eventType")).isEqualTo("REJECTED");
    assertThat(last.getString("fromStatus")).isEqualTo("pending");
    assertThat(last.getString("toStatus")).isEqualTo("rejected");
    assertThat(last.getString("actor")).isEqualTo("system");
    assertThat(last.getJsonObject("details").getString("code")).isEqualTo("NO_HEALTHY_LP");
    assertThat(ids(listOrders(t, "statuses=rejected"))).containsExactly(id(o));
    assertThat(ids(listOrders(t, "statuses=pending"))).isEmpty();
    Http.Res cancel = app.http.delete(ORDERS + "/" + id(o), t.token());
    assertThat(cancel.status()).as(cancel.body()).isEqualTo(400);
    assertThat(cancel.json().getString("code")).isEqualTo("ORDER_NOT_CANCELLABLE");
    assertThat(cancel.json().getString("orderStatus")).isEqualTo("rejected");
  }

  @Test
  void submitsStopOrder() {
    Trader t = newTrader("100000");
    JsonObject o = assertCreated(t, order(t, "AAPL", "buy", "stop").put("quantity", 10).put("stopPrice", "155.00"));
    assertThat(dec(o, "stopPrice")).isEqualByComparingTo("155.00");
    assertThat(o.getValue("price")).isNull();
    // a buy stop triggers at or above its stop: held at max(stop, reference) = 155.00
    assertThat(dec(account(t), "reserved")).isEqualByComparingTo("1550.00");
  }

  @Test
  void submitsStopLimitOrder() {
    Trader t = newTrader("100000");
    JsonObject o = assertCreated(t, order(t, "AAPL", "buy", "stop_limit").put("quantity", 10)
      .put("stopPrice", "155.00").put("price", "156.00"));
    assertThat(dec(o, "stopPrice")).isEqualByComparingTo("155.00");
    assertThat(dec(o, "price")).isEqualByComparingTo("156.00");
    JsonObject acc = account(t);
    assertThat(dec(acc, "reserved")).isEqualByComparingTo("1560.00");
    assertThat(dec(acc, "available")).isEqualByComparingTo("98440.00");
    assertThat(dec(acc, "balance")).isEqualByComparingTo("100000");
  }

  @Test
  void submitsPeggedOrderWithNegativeOffset() {
    Trader t = newTrader("100000");
    JsonObject o = assertCreated(t, order(t, "AAPL", "buy", "pegged").put("quantity", 10).put("pegOffset", "-0.05"));
    assertThat(dec(o, "pegOffset")).isEqualByComparingTo("-0.05");
    assertThat(dec(account(t), "reserved")).isEqualByComparingTo("1499.50"); // (150.00 - 0.05) x 10
  }

  @Test
  void submitsTrailingStopOrder() {
    Trader t = newTrader("100000");
    JsonObject o = assertCreated(t, order(t, "AAPL", "buy", "trailing_stop").put("quantity", 10).put("trailAmount", "1.50"));
    assertThat(dec(o, "trailAmount")).isEqualByComparingTo("1.50");
    assertThat(dec(account(t), "reserved")).isEqualByComparingTo("1515.00"); // (150.00 + 1.50) x 10
  }

  @Test
  void submitsSellOrderWithoutHoldingFunds() {
    Trader t = newTrader("100000");
    // a held sell (stop_limit, stop far below the market), so the account is read while the order is open
    JsonObject o = assertCreated(t, heldSell(t, "MSFT", 5, "411.25"));
    assertThat(o.getString("side")).isEqualTo("sell");
    assertThat(dec(account(t), "reserved")).isEqualByComparingTo("0");
    assertThat(app.http.get(ORDERS + "/" + id(o), t.token()).json().getString("status")).isEqualTo("pending");
  }

  @Test
  void submitsGoodTillDateOrder() {
    Trader t = newTrader("100000");
    Instant expiry = Instant.now().plus(2, ChronoUnit.DAYS).truncatedTo(ChronoUnit.MILLIS).plusMillis(123);
    JsonObject o = assertCreated(t, heldBuy(t, "AAPL", 10, "149.50").put("timeInForce", "gtd")
      .put("expiryDate", expiry.toString()));
    assertThat(o.getString("timeInForce")).isEqualTo("gtd");
    assertThat(OffsetDateTime.parse(o.getString("expiryDate")).toInstant()).isEqualTo(expiry);
    assertThat(dec(account(t), "reserved")).isEqualByComparingTo("1495.00");
  }

  /** Timestamps served must be RFC 3339 date-times (the contract's format), e.g. readable back as a filter. */
  @Test
  void timestampsInResponsesAreRfc3339EvenOnWholeMinutes() {
    Trader t = newTrader("100000");
    String expiry = Instant.now().plus(3, ChronoUnit.DAYS).truncatedTo(ChronoUnit.DAYS).toString(); // ...T00:00:00Z
    JsonObject o = assertCreated(t, order(t, "AAPL", "buy", "limit").put("timeInForce", "gtd")
      .put("quantity", 1).put("price", "149.50").put("expiryDate", expiry));
    assertThat(OffsetDateTime.parse(o.getString("expiryDate")).toInstant()).isEqualTo(Instant.parse(expiry));
    assertThat(o.getString("expiryDate")).as("expiryDate of %s", o).matches(RFC3339);
    assertThat(o.getString("createdAt")).matches(RFC3339);
    // what the service serves, the service takes back
    Http.Res list = app.http.get(ORDERS + "?toDate=" + enc(o.getString("expiryDate")), t.token());
    assertThat(list.status()).as(list.body()).isEqualTo(200);
  }

  @Test
  void decimalsMayBeSentAsStringsOrNumbersAndStayExact() {
    Trader t = newTrader("100000");
    // held orders (stop_limit, stop far above the market): their funds stay held while the account is read
    JsonObject eurusd = order(t, "EURUSD", "buy", "stop_limit").put("stopPrice", "2.00000");
    JsonObject btcUsd = order(t, "BTC-USD", "buy", "stop_limit").put("stopPrice", "1000000.00");
    JsonObject asStrings = assertCreated(t, eurusd.copy().put("quantity", "1000").put("price", "1.08501"));
    JsonObject asNumbers = assertCreated(t, withRaw(eurusd, "\"quantity\":1000,\"price\":1.08501"));
    for (JsonObject o : List.of(asStrings, asNumbers)) {
      assertThat(o.getValue("quantity")).isInstanceOf(Number.class);
      assertThat(o.getValue("price")).isInstanceOf(Number.class);
      assertThat(dec(o, "quantity")).isEqualByComparingTo("1000");
      assertThat(dec(o, "price")).isEqualByComparingTo("1.08501");
    }
    // 0.3 is no multiple of 0.0001 in binary floating point; as a decimal it is
    JsonObject btc = assertCreated(t, withRaw(btcUsd, "\"quantity\":0.3,\"price\":\"65000.01\""));
    assertThat(dec(btc, "quantity")).isEqualByComparingTo("0.3");
    JsonObject btcString = assertCreated(t, btcUsd.copy().put("quantity", "0.0005").put("price", 65000.01));
    assertThat(dec(btcString, "quantity")).isEqualByComparingTo("0.0005");
    // 2 x 1085.01 + 0.3 x 65000.01 (19500.003 -> 19500.01, held rounded up) + 0.0005 x 65000.01 (32.500005 -> 32.51)
    assertThat(dec(account(t), "reserved")).isEqualByComparingTo("21702.54");
  }

  @Test
  void resendingClientOrderIdReturnsTheOriginalOrder() {
    Trader t = newTrader("100000");
    JsonObject body = heldBuy(t, "AAPL", 10, "149.50").put("clientOrderId", "dup-" + UUID.randomUUID());
    JsonObject first = assertCreated(t, body);
    Http.Res again = app.http.post(ORDERS, t.token(), body.copy().put("quantity", 20));
    assertThat(again.status()).as(again.body()).isEqualTo(200);
    assertThat(again.json().getString("id")).isEqualTo(first.getString("id"));
    assertThat(dec(again.json(), "quantity")).isEqualByComparingTo("10");
    assertThat(listOrders(t, "clientId=" + t.accountId()).getLong("total")).isEqualTo(1);
    assertThat(dec(account(t), "reserved")).isEqualByComparingTo("1495.00");
  }

  /**
   * The service keeps accounts after their first read; a risk refusal is decided again on the balance of now. Here
   * the kept figure is older than a release of funds: without that second look the order would be refused.
   */
  @Test
  void fundsReleasedSinceTheAccountWasLastReadAreUsable() {
    Trader t = newTrader("5000");
    JsonObject held = assertCreated(t, heldBuy(t, "AAPL", 20, "150.00")); // holds 3,000.00
    // refused on the figures of now (available 2,000.00): the service has read them
    Http.Res tooBig = app.http.post(ORDERS, t.token(), heldBuy(t, "AAPL", 40, "150.00"));
    assertThat(tooBig.status()).as(tooBig.body()).isEqualTo(400);
    assertThat(dec(tooBig.json(), "available")).isEqualByComparingTo("2000");
    assertThat(app.http.delete(ORDERS + "/" + id(held), t.token()).status()).isEqualTo(200);
    // 3,000.00 fits the 5,000.00 available now, not the 2,000.00 last read
    JsonObject again = assertCreated(t, heldBuy(t, "AAPL", 20, "150.00"));
    assertThat(dec(account(t), "reserved")).isEqualByComparingTo("3000");
    assertThat(dec(createdAudit(t, again).getJsonObject("details"), "reserved")).isEqualByComparingTo("3000.00");
  }

  /** A resent order whose funds its first sending now holds is answered with that order, not refused. */
  @Test
  void resendingClientOrderIdWhenItsFundsAreHeldByTheFirstReturnsTheFirst() {
    Trader t = newTrader("5000");
    JsonObject body = heldBuy(t, "AAPL", 20, "150.00").put("clientOrderId", "held-" + UUID.randomUUID());
    JsonObject first = assertCreated(t, body); // holds 3,000.00 of 5,000.00
    // a refusal makes the service read the account's figures of now: the resend below is checked against them
    assertThat(app.http.post(ORDERS, t.token(), heldBuy(t, "AAPL", 40, "150.00")).status()).isEqualTo(400);
    Http.Res again = app.http.post(ORDERS, t.token(), body);
    assertThat(again.status()).as(again.body()).isEqualTo(200);
    assertThat(again.json().getString("id")).isEqualTo(first.getString("id"));
    assertThat(listOrders(t, "clientId=" + t.accountId()).getLong("total")).isEqualTo(1);
    assertThat(dec(account(t), "reserved")).isEqualByComparingTo("3000");
  }

  @Test
  void concurrentResubmissionsOfOneClientOrderIdCreateOneOrder() throws Exception {
    Trader t = newTrader("100000");
    JsonObject body = heldBuy(t, "AAPL", 10, "149.50").put("clientOrderId", "race-" + UUID.randomUUID());
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(8);
    List<Http.Res> all = new ArrayList<>();
    try {
      java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
      List<java.util.concurrent.Future<Http.Res>> futures = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        futures.add(pool.submit(() -> {
          go.await();
          return app.http.post(ORDERS, t.token(), body);
        }));
      }
      go.countDown();
      for (java.util.concurrent.Future<Http.Res> f : futures) all.add(f.get(30, java.util.concurrent.TimeUnit.SECONDS));
    } finally {
      pool.shutdownNow();
    }
    assertThat(all).extracting(Http.Res::status).containsOnly(200, 201);
    assertThat(all).filteredOn(r -> r.status() == 201).hasSize(1);
    assertThat(all.stream().map(r -> r.json().getString("id")).distinct()).hasSize(1);
    assertThat(listOrders(t, "clientId=" + t.accountId()).getLong("total")).isEqualTo(1);
    assertThat(dec(account(t), "reserved")).isEqualByComparingTo("1495.00");
  }

  @Test
  void idempotencyKeyReplaysTheFirstResponse() {
    Trader t = newTrader("100000");
    JsonObject body = heldBuy(t, "AAPL", 10, "149.50");
    Map<String, String> key = Map.of("Idempotency-Key", "idem-" + UUID.randomUUID());
    Http.Res first = app.http.post(ORDERS, t.token(), body, key);
    assertThat(first.status()).as(first.body()).isEqualTo(201);
    Http.Res replay = app.http.post(ORDERS, t.token(), body, key);
    assertThat(replay.status()).as(replay.body()).isEqualTo(201);
    assertThat(replay.header("Idempotent-Replayed")).isEqualTo("true");
    assertThat(replay.json()).isEqualTo(first.json());
    assertThat(listOrders(t, "clientId=" + t.accountId()).getLong("total")).isEqualTo(1);
    assertThat(dec(account(t), "reserved")).isEqualByComparingTo("1495.00");
    // the replay is the first response: its Location too
    assertThat(replay.header("Location")).isEqualTo(first.header("Location"));
  }

  // ------------------------------------------------------------------------------------------------ list

  @Test
  void listShowsOnlyTheCallersOrdersNewestFirstAndFilters() {
    Trader t = newTrader("1000000");
    String second = createAccount(t.userId(), "USD", "50000", null).getString("id");
    // held types only, so that every order is still pending when listed by status
    JsonObject a = assertCreated(t, heldBuy(t, "AAPL", 1, "149.00"));
    JsonObject b = assertCreated(t, heldSell(t, "MSFT", 2, "411.00"));
    JsonObject c = assertCreated(t, order(t, "AAPL", "sell", "stop").put("quantity", 3).put("stopPrice", "100.00"));
    JsonObject d = assertCreated(t, order(t, "BTC-USD", "buy", "stop").put("clientId", second).put("quantity", "0.01")
      .put("stopPrice", "1000000.00"));
    Trader other = newTrader("100000");
    assertCreated(other, heldBuy(other, "AAPL", 1, "149.00"));

    JsonObject all = listOrders(t, "");
    assertThat(ids(all)).containsExactly(id(d), id(c), id(b), id(a));
    assertThat(all.getLong("total")).isEqualTo(4);
    assertThat(all.getInteger("page")).isEqualTo(1);
    assertThat(all.getInteger("limit")).isEqualTo(50);
    assertThat(all.getInteger("totalPages")).isEqualTo(1);
    JsonObject first = all.getJsonArray("data").getJsonObject(0);
    assertThat(first.getString("orderRef")).matches(ORDER_REF);
    assertThat(first.getString("status")).isEqualTo("pending");

    assertThat(ids(listOrders(t, "clientId=" + t.accountId()))).containsExactly(id(c), id(b), id(a));
    assertThat(ids(listOrders(t, "clientId=" + second))).containsExactly(id(d));
    assertThat(ids(listOrders(t, "instrumentId=AAPL"))).containsExactly(id(c), id(a));
    assertThat(ids(listOrders(t, "side=sell"))).containsExactly(id(c), id(b));
    assertThat(ids(listOrders(t, "side=buy"))).containsExactly(id(d), id(a));
    assertThat(ids(listOrders(t, "instrumentId=AAPL&side=sell&clientId=" + t.accountId()))).containsExactly(id(c));
    assertThat(ids(listOrders(t, "statuses=pending"))).containsExactly(id(d), id(c), id(b), id(a));
    assertThat(ids(listOrders(t, "statuses=pending,cancelled"))).hasSize(4);
    JsonObject none = listOrders(t, "statuses=working,partial_fill,filled,rejected");
    assertThat(ids(none)).isEmpty();
    assertThat(none.getLong("total")).isZero();
    assertThat(none.getInteger("totalPages")).isZero();
    assertThat(ids(listOrders(t, "instrumentId=EURUSD"))).isEmpty();
    // another owner's account is not a way into its orders
    assertThat(ids(listOrders(t, "clientId=" + other.accountId()))).isEmpty();
    // an admin sees the whole tenant
    assertThat(ids(listOrders(app.demoAdminToken(), "clientId=" + other.accountId()))).hasSize(1);
  }

  @Test
  void listPages() {
    Trader t = newTrader("1000000");
    List<String> created = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      created.add(id(assertCreated(t, order(t, "AAPL", "buy", "limit").put("quantity", i + 1).put("price", "149.00"))));
    }
    JsonObject p1 = listOrders(t, "limit=2");
    assertThat(ids(p1)).containsExactly(created.get(4), created.get(3));
    assertThat(p1.getLong("total")).isEqualTo(5);
    assertThat(p1.getInteger("page")).isEqualTo(1);
    assertThat(p1.getInteger("limit")).isEqualTo(2);
    assertThat(p1.getInteger("totalPages")).isEqualTo(3);
    JsonObject p2 = listOrders(t, "limit=2&page=2");
    assertThat(ids(p2)).containsExactly(created.get(2), created.get(1));
    assertThat(p2.getInteger("page")).isEqualTo(2);
    JsonObject p3 = listOrders(t, "limit=2&page=3");
    assertThat(ids(p3)).containsExactly(created.get(0));
    assertThat(p3.getLong("total")).isEqualTo(5);
    JsonObject p4 = listOrders(t, "limit=2&page=4");
    assertThat(ids(p4)).isEmpty();
    assertThat(p4.getLong("total")).isEqualTo(5);
    assertThat(p4.getInteger("totalPages")).isEqualTo(3);
    JsonObject filtered = listOrders(t, "limit=4&side=buy&instrumentId=AAPL");
    assertThat(filtered.getInteger("totalPages")).isEqualTo(2);
    assertThat(filtered.getJsonArray("data")).hasSize(4);
  }

  @Test
  void listFiltersByCreationTime() {
    Trader t = newTrader("1000000");
    JsonObject a = assertCreated(t, order(t, "AAPL", "buy", "limit").put("quantity", 1).put("price", "149.00"));
    sleep(5);
    JsonObject b = assertCreated(t, order(t, "AAPL", "buy", "limit").put("quantity", 2).put("price", "149.00"));
    sleep(5);
    JsonObject c = assertCreated(t, order(t, "AAPL", "buy", "limit").put("quantity", 3).put("price", "149.00"));
    String ab = midpoint(a, b);
    String bc = midpoint(b, c);
    assertThat(ids(listOrders(t, "fromDate=" + enc(ab)))).containsExactly(id(c), id(b));
    assertThat(ids(listOrders(t, "toDate=" + enc(bc)))).containsExactly(id(b), id(a));
    assertThat(ids(listOrders(t, "fromDate=" + enc(ab) + "&toDate=" + enc(bc)))).containsExactly(id(b));
    assertThat(ids(listOrders(t, "toDate=" + enc(ab)))).containsExactly(id(a));
    // fromDate is inclusive ("created at or after")
    assertThat(ids(listOrders(t, "fromDate=" + enc(created(b).toString())))).containsExactly(id(c), id(b));
    // an offset other than Z names the same instant
    String abMinus5 = OffsetDateTime.parse(ab).withOffsetSameInstant(java.time.ZoneOffset.ofHours(-5)).toString();
    assertThat(ids(listOrders(t, "fromDate=" + enc(abMinus5)))).containsExactly(id(c), id(b));
    String future = Instant.now().plus(1, ChronoUnit.DAYS).toString();
    assertThat(ids(listOrders(t, "fromDate=" + enc(future)))).isEmpty();
  }

  /** Any RFC 3339 offset is a date-time, "+02:00" (sent percent-encoded as %2B) as much as "-05:00". */
  @Test
  void listAcceptsDateTimesWithPositiveOffsets() {
    Trader t = newTrader("1000000");
    JsonObject a = assertCreated(t, order(t, "AAPL", "buy", "limit").put("quantity", 1).put("price", "149.00"));
    String before = created(a).minusSeconds(60).atOffset(java.time.ZoneOffset.ofHours(2)).toString();
    String after = created(a).plusSeconds(60).atOffset(java.time.ZoneOffset.ofHours(2)).toString();
    assertThat(before).contains("+02:00");
    assertThat(ids(listOrders(t, "fromDate=" + enc(before)))).containsExactly(id(a));
    assertThat(ids(listOrders(t, "fromDate=" + enc(after)))).isEmpty();
  }

  /** The contract: fromDate is "at or after" and toDate "at or before" the instant, both inclusive. */
  @Test
  void listDateBoundsAreInclusive() {
    Trader t = newTrader("1000000");
    JsonObject a = assertCreated(t, order(t, "AAPL", "buy", "limit").put("quantity", 1).put("price", "149.00"));
    sleep(5);
    JsonObject b = assertCreated(t, order(t, "AAPL", "buy", "limit").put("quantity", 2).put("price", "149.00"));
    sleep(5);
    JsonObject c = assertCreated(t, order(t, "AAPL", "buy", "limit").put("quantity", 3).put("price", "149.00"));
    String atB = enc(created(b).toString());
    assertThat(ids(listOrders(t, "toDate=" + atB))).containsExactly(id(b), id(a));
    assertThat(ids(listOrders(t, "fromDate=" + atB))).containsExactly(id(c), id(b));
    assertThat(ids(listOrders(t, "fromDate=" + atB + "&toDate=" + atB))).containsExactly(id(b));
  }

  // ------------------------------------------------------------------------------------- reads of one order

  @Test
  void getsOrderByIdAndByRef() {
    Trader t = newTrader("100000");
    JsonObject o = assertCreated(t, heldBuy(t, "AAPL", 10, "149.50").put("clientOrderId", "get-" + UUID.randomUUID()));
    Http.Res byId = app.http.get(ORDERS + "/" + id(o), t.token());
    assertThat(byId.status()).as(byId.body()).isEqualTo(200);
    assertThat(byId.json()).isEqualTo(o);
    assertThat(byId.header("ETag")).isEqualTo("\"0\"");
    Http.Res byRef = app.http.get(ORDERS + "/ref/" + o.getString("orderRef"), t.token());
    assertThat(byRef.status()).as(byRef.body()).isEqualTo(200);
    assertThat(byRef.json()).isEqualTo(o);
    // an admin of the tenant reads it too
    Http.Res asAdmin = app.http.get(ORDERS + "/" + id(o), app.demoAdminToken());
    assertThat(asAdmin.status()).as(asAdmin.body()).isEqualTo(200);
    assertThat(asAdmin.json().getString("orderRef")).isEqualTo(o.getString("orderRef"));
  }

  @Test
  void newOrderHasAnAuditEntryAndNoFillsNorHistory() {
    Trader t = newTrader("100000");
    JsonObject o = assertCreated(t, heldBuy(t, "AAPL", 10, "149.50"));
    Http.Res fills = app.http.get(ORDERS + "/" + id(o) + "/fills", t.token());
    assertThat(fills.status()).as(fills.body()).isEqualTo(200);
    assertThat(fills.json().getJsonArray("data")).isEmpty();
    Http.Res history = app.http.get(ORDERS + "/" + id(o) + "/history", t.token());
    assertThat(history.status()).as(history.body()).isEqualTo(200);
    assertThat(history.json().getJsonArray("data")).isEmpty();
    Http.Res audit = app.http.get(ORDERS + "/" + id(o) + "/audit", t.token());
    assertThat(audit.status()).as(audit.body()).isEqualTo(200);
    assertThat(audit.json().getInteger("total")).isEqualTo(2);
    JsonObject submitted = audit.json().getJsonArray("data").getJsonObject(0);
    assertThat(submitted.getString("eventType")).isEqualTo("SUBMITTED");
    assertThat(submitted.getString("actor")).isEqualTo(t.userId());
    JsonObject created = audit.json().getJsonArray("data").getJsonObject(1);
    assertThat(created.getString("eventType")).isEqualTo("VALIDATED");
    assertThat(created.getString("orderId")).isEqualTo(id(o));
    assertThat(submitted.getValue("fromStatus")).isNull();
    assertThat(created.getString("toStatus")).isEqualTo("pending");
    assertThat(dec(created.getJsonObject("details"), "reserved")).isEqualByComparingTo("1495.00");
    assertThat(created.getString("createdAt")).isNotBlank();
  }

  // ---------------------------------------------------------------------------------------------- cancel

  @Test
  void cancelWithDeleteReleasesFundsAndIsRecorded() {
    Trader t = newTrader("100000");
    JsonObject o = assertCreated(t, heldBuy(t, "AAPL", 10, "149.50"));
    JsonObject keep = assertCreated(t, heldBuy(t, "AAPL", 1, "100.00"));
    assertThat(dec(account(t), "reserved")).isEqualByComparingTo("1595.00");

    Http.Res res = app.http.delete(ORDERS + "/" + id(o) + "?reason=" + enc("client asked"), t.token());
    assertThat(res.status()).as(res.body()).isEqualTo(200);
    assertThat(res.json().getString("status")).isEqualTo("cancelled");
    assertThat(res.json().getLong("version")).isEqualTo(1);
    assertThat(res.header("ETag")).isEqualTo("\"1\"");
    JsonObject acc = account(t);
    assertThat(dec(acc, "reserved")).isEqualByComparingTo("100.00");
    assertThat(dec(acc, "available")).isEqualByComparingTo("99900.00");

    Http.Res now = app.http.get(ORDERS + "/" + id(o), t.token());
    assertThat(now.json().getString("status")).isEqualTo("cancelled");
    assertThat(ids(listOrders(t, "statuses=cancelled"))).containsExactly(id(o));
    assertThat(ids(listOrders(t, "statuses=pending"))).containsExactly(id(keep));

    JsonArray history = app.http.get(ORDERS + "/" + id(o) + "/history", t.token()).json().getJsonArray("data");
    assertThat(history).hasSize(1);
    JsonObject rec = history.getJsonObject(0);
    assertThat(rec.getString("kind")).isEqualTo("cancel");
    assertThat(rec.getString("status")).isEqualTo("applied");
    assertThat(rec.getString("reason")).isEqualTo("client asked");
    assertThat(rec.getString("requestedBy")).isEqualTo(t.userId());
    assertThat(rec.getString("orderId")).isEqualTo(id(o));
    assertThat(rec.getJsonObject("previous").getString("status")).isEqualTo("pending");

    JsonObject audit = app.http.get(ORDERS + "/" + id(o) + "/audit", t.token()).json();
    assertThat(audit.getInteger("total")).isEqualTo(3);
    JsonObject cancelled = audit.getJsonArray("data").getJsonObject(2);
    assertThat(audit.getJsonArray("data").getJsonObject(0).getString("eventType")).isEqualTo("SUBMITTED");
    assertThat(audit.getJsonArray("data").getJsonObject(1).getString("eventType")).isEqualTo("VALIDATED");
    assertThat(cancelled.getString("eventType")).isEqualTo("CANCELLED");
    assertThat(cancelled.getString("fromStatus")).isEqualTo("pending");
    assertThat(cancelled.getString("toStatus")).isEqualTo("cancelled");
    assertThat(cancelled.getString("actor")).isEqualTo(t.userId());
    assertThat(dec(cancelled.getJsonObject("details"), "released")).isEqualByComparingTo("1495.00");
  }

  @Test
  void cancelWithPostAndReasonInBody() {
    Trader t = newTrader("100000");
    JsonObject o = assertCreated(t, order(t, "BTC-USD", "buy", "stop_limit").put("quantity", "0.01").put("price", "64000.00")
      .put("stopPrice", "1000000.00"));
    assertThat(dec(account(t), "reserved")).isEqualByComparingTo("640.00");
    Http.Res res = app.http.post(ORDERS + "/" + id(o) + "/cancel", t.token(), new JsonObject().put("reason", "fat finger"));
    assertThat(res.status()).as(res.body()).isEqualTo(200);
    assertThat(res.json().getString("status")).isEqualTo("cancelled");
    assertThat(dec(account(t), "reserved")).isEqualByComparingTo("0");
    JsonObject rec = app.http.get(ORDERS + "/" + id(o) + "/history", t.token()).json().getJsonArray("data").getJsonObject(0);
    assertThat(rec.getString("kind")).isEqualTo("cancel");
    assertThat(rec.getString("reason")).isEqualTo("fat finger");
  }

  /** The contract makes the POST form's body optional. */
  @Test
  void cancelWithPostWithoutBody() {
    Trader t = newTrader("100000");
    JsonObject o = assertCreated(t, heldBuy(t, "AAPL", 10, "149.50"));
    Http.Res res = app.http.post(ORDERS + "/" + id(o) + "/cancel", t.token(), null);
    assertThat(res.status()).as(res.body()).isEqualTo(200);
    assertThat(res.json().getString("status")).isEqualTo("cancelled");
    assertThat(dec(account(t), "reserved")).isEqualByComparingTo("0");
  }

  /** A reason is free text: '+' and '%' arrive as sent (percent-encoded in the query). */
  @Test
  void cancelReasonInQueryKeepsPlusAndPercent() {
    Trader t = newTrader("100000");
    JsonObject o = assertCreated(t, heldBuy(t, "AAPL", 10, "149.50"));
    String reason = "50% done, 1+1 left";
    Http.Res res = app.http.delete(ORDERS + "/" + id(o) + "?reason=" + enc(reason), t.token());
    assertThat(res.status()).as(res.body()).isEqualTo(200);
    JsonObject rec = app.http.get(ORDERS + "/" + id(o) + "/history", t.token()).json().getJsonArray("data").getJsonObject(0);
    assertThat(rec.getString("reason")).isEqualTo(reason);
  }

  @Test
  void adminCancelsAnOrderOfItsTenant() {
    Trader t = newTrader("100000");
    JsonObject o = assertCreated(t, heldBuy(t, "AAPL", 10, "149.50"));
    Http.Res res = app.http.delete(ORDERS + "/" + id(o) + "?reason=risk", app.demoAdminToken());
    assertThat(res.status()).as(res.body()).isEqualTo(200);
    assertThat(res.json().getString("status")).isEqualTo("cancelled");
    assertThat(dec(account(t), "reserved")).isEqualByComparingTo("0");
    JsonObject rec = app.http.get(ORDERS + "/" + id(o) + "/history", t.token()).json().getJsonArray("data").getJsonObject(0);
    assertThat(rec.getString("requestedBy")).isEqualTo(app.config().demo().adminId());
  }

  @Test
  void bulkCancelAnswersPerOrder() {
    Trader t = newTrader("100000");
    JsonObject a = assertCreated(t, heldBuy(t, "AAPL", 10, "149.50"));
    JsonObject b = assertCreated(t, heldBuy(t, "AAPL", 1, "100.00"));
    JsonObject done = assertCreated(t, heldBuy(t, "AAPL", 2, "100.00"));
    assertThat(app.http.delete(ORDERS + "/" + id(done), t.token()).status()).isEqualTo(200);
    String unknown = UUID.randomUUID().toString();
    assertThat(dec(account(t), "reserved")).isEqualByComparingTo("1595.00");

    Http.Res res = app.http.delete(ORDERS + "?ids=" + id(a) + "," + unknown + "," + id(done) + "," + id(b)
      + "&reason=" + enc("end of day"), t.token());
    assertThat(res.status()).as(res.body()).isEqualTo(200);
    JsonArray results = res.json().getJsonArray("results");
    assertThat(results).hasSize(4);
    JsonObject ra = results.getJsonObject(0);
    assertThat(ra.getString("orderId")).isEqualTo(id(a));
    assertThat(ra.getBoolean("ok")).isTrue();
    assertThat(ra.getString("status")).isEqualTo("cancelled");
    JsonObject ru = results.getJsonObject(1);
    assertThat(ru.getString("orderId")).isEqualTo(unknown);
    assertThat(ru.getBoolean("ok")).isFalse();
    assertThat(ru.getString("code")).isEqualTo("ORDER_NOT_FOUND");
    assertThat(ru.getString("detail")).isNotBlank();
    JsonObject rd = results.getJsonObject(2);
    assertThat(rd.getString("orderId")).isEqualTo(id(done));
    assertThat(rd.getBoolean("ok")).isFalse();
    assertThat(rd.getString("code")).isEqualTo("ORDER_NOT_CANCELLABLE");
    JsonObject rb = results.getJsonObject(3);
    assertThat(rb.getString("orderId")).isEqualTo(id(b));
    assertThat(rb.getBoolean("ok")).isTrue();
    // the summary form: what was cancelled, and why each other id was not
    assertThat(res.json().getJsonArray("cancelled").getList()).containsExactly(id(a), id(b));
    JsonArray failed = res.json().getJsonArray("failed");
    assertThat(failed.getJsonObject(0).getString("orderId")).isEqualTo(unknown);
    assertThat(failed.getJsonObject(0).getString("code")).isEqualTo("ORDER_NOT_FOUND");
    assertThat(failed.getJsonObject(1).getString("orderId")).isEqualTo(id(done));
    assertThat(failed.getJsonObject(1).getString("reason")).isNotBlank();

    assertThat(dec(account(t), "reserved")).isEqualByComparingTo("0");
    assertThat(ids(listOrders(t, "statuses=cancelled"))).containsExactlyInAnyOrder(id(a), id(b), id(done));
    JsonObject rec = app.http.get(ORDERS + "/" + id(a) + "/history", t.token()).json().getJsonArray("data").getJsonObject(0);
    assertThat(rec.getString("reason")).isEqualTo("end of day");
  }

  // -------------------------------------------------------------------------------------------- accounts

  @Test
  void adminCreatesAccountsAndTradersSeeTheirOwn() {
    String owner = "acc-" + UUID.randomUUID();
    Http.Res res = app.http.post(ACCOUNTS, app.demoAdminToken(), new JsonObject().put("ownerId", owner)
      .put("name", "Alice USD").put("currency", "USD").put("balance", "250000.50")
      .put("riskLimits", new JsonObject().put("maxOrderNotional", "100000").put("maxPositionQuantity", 5000)));
    assertThat(res.status()).as(res.body()).isEqualTo(201);
    JsonObject acc = res.json();
    String id = acc.getString("id");
    assertThat(res.header("Location")).isEqualTo(ACCOUNTS + "/" + id);
    assertThat(acc.getString("ownerId")).isEqualTo(owner);
    assertThat(acc.getString("name")).isEqualTo("Alice USD");
    assertThat(acc.getString("currency")).isEqualTo("USD");
    assertThat(dec(acc, "balance")).isEqualByComparingTo("250000.50");
    assertThat(dec(acc, "reserved")).isEqualByComparingTo("0");
    assertThat(dec(acc, "available")).isEqualByComparingTo("250000.50");
    assertThat(dec(acc.getJsonObject("riskLimits"), "maxOrderNotional")).isEqualByComparingTo("100000");
    assertThat(dec(acc.getJsonObject("riskLimits"), "maxPositionQuantity")).isEqualByComparingTo("5000");
    assertThat(acc.getString("createdAt")).isNotBlank();

    JsonObject noLimits = createAccount(owner, "EUR", null, null);
    assertThat(dec(noLimits, "balance")).isEqualByComparingTo("0");
    assertThat(noLimits.getJsonObject("riskLimits").getValue("maxOrderNotional")).isNull();
    assertThat(noLimits.getJsonObject("riskLimits").getValue("maxPositionQuantity")).isNull();

    String trader = app.token("demo", owner, "trader");
    Http.Res mine = app.http.get(ACCOUNTS, trader);
    assertThat(mine.status()).as(mine.body()).isEqualTo(200);
    assertThat(mine.json().getJsonArray("data").stream().map(o -> ((JsonObject) o).getString("id")))
      .containsExactly(id, noLimits.getString("id"));
    Http.Res one = app.http.get(ACCOUNTS + "/" + id, trader);
    assertThat(one.status()).as(one.body()).isEqualTo(200);
    assertThat(one.json().getString("id")).isEqualTo(id);
    assertThat(dec(one.json(), "balance")).isEqualByComparingTo("250000.50");

    Http.Res all = app.http.get(ACCOUNTS, app.demoAdminToken());
    assertThat(all.json().getJsonArray("data").stream().map(o -> ((JsonObject) o).getString("id")))
      .contains(id, noLimits.getString("id"), app.demoAccountId());
    // another user of the tenant does not see them
    Http.Res others = app.http.get(ACCOUNTS, app.token("demo", "nobody-" + UUID.randomUUID(), "trader"));
    assertThat(others.json().getJsonArray("data")).isEmpty();
  }

  @Test
  void demoTraderSeesItsSeededAccount() {
    Http.Res res = app.http.get(ACCOUNTS + "/" + app.demoAccountId(), app.demoTraderToken());
    assertThat(res.status()).as(res.body()).isEqualTo(200);
    assertThat(res.json().getString("ownerId")).isEqualTo(app.config().demo().traderId());
    assertThat(dec(res.json(), "balance")).isEqualByComparingTo("1000000.00");
  }

  // --------------------------------------------------------------------------------- instruments, health

  @Test
  void listsInstruments() {
    Http.Res res = app.http.get("/api/v1/instruments", app.demoTraderToken());
    assertThat(res.status()).as(res.body()).isEqualTo(200);
    JsonArray data = res.json().getJsonArray("data");
    assertThat(data.stream().map(o -> ((JsonObject) o).getString("id")))
      .containsExactlyInAnyOrder("EURUSD", "GBPUSD", "USDJPY", "AAPL", "MSFT", "BTC-USD");
    JsonObject aapl = data.stream().map(o -> (JsonObject) o).filter(o -> o.getString("id").equals("AAPL")).findFirst().orElseThrow();
    assertThat(aapl.getString("assetClass")).isEqualTo("equity");
    assertThat(aapl.getString("quoteCurrency")).isEqualTo("USD");
    assertThat(dec(aapl, "referencePrice")).isEqualByComparingTo("150.00");
    assertThat(dec(aapl, "tickSize")).isEqualByComparingTo("0.01");
    assertThat(dec(aapl, "lotSize")).isEqualByComparingTo("1");
    assertThat(dec(aapl, "minQuantity")).isEqualByComparingTo("1");
    assertThat(aapl.getBoolean("enabled")).isTrue();
    JsonObject eurusd = data.stream().map(o -> (JsonObject) o).filter(o -> o.getString("id").equals("EURUSD")).findFirst().orElseThrow();
    assertThat(eurusd.getString("assetClass")).isEqualTo("fx");
    assertThat(dec(eurusd, "tickSize")).isEqualByComparingTo("0.00001");
    assertThat(dec(eurusd, "lotSize")).isEqualByComparingTo("1000");
  }

  @Test
  void healthNeedsNoToken() {
    Http.Res res = app.http.get("/api/v1/health", null);
    assertThat(res.status()).as(res.body()).isEqualTo(200);
    assertThat(res.json().getString("status")).isEqualTo("ok");
    assertThat(Instant.parse(res.json().getString("timestamp"))).isCloseTo(Instant.now(), withinSeconds(60));
  }

  @Test
  void ordersHealthReportsDependencies() {
    Http.Res res = app.http.get("/api/v1/health/orders", null);
    assertThat(res.status()).as(res.body()).isEqualTo(200);
    JsonObject h = res.json();
    assertThat(h.getString("status")).isEqualTo("ok");
    assertThat(h.getString("timestamp")).isNotBlank();
    JsonObject deps = h.getJsonObject("dependencies");
    assertThat(deps.getJsonObject("database").getString("status")).isEqualTo("up");
    assertThat(deps.getJsonObject("database").getInteger("latencyMs")).isGreaterThanOrEqualTo(0);
    assertThat(deps.getJsonObject("redis").getString("status")).isEqualTo("up");
    assertThat(h.getJsonArray("lps")).isNotNull();
    assertThat(res.header("Cache-Control")).isEqualTo("no-store");
  }

  // ------------------------------------------------------------------------------------ contract and docs

  @Test
  void servesTheContract() {
    Http.Res res = app.http.get("/openapi.yaml", null);
    assertThat(res.status()).isEqualTo(200);
    assertThat(res.header("Content-Type")).startsWith("application/yaml");
    assertThat(res.body()).startsWith("openapi: 3.1.0").contains("operationId: submitOrder")
      .contains("operationId: bulkCancelOrders").contains("operationId: getOrdersHealth");
  }

  @Test
  void servesSwaggerUiFromTheJar() {
    Http.Res redirect = app.http.get("/api/docs", null);
    assertThat(redirect.status()).isBetween(301, 308);
    assertThat(redirect.header("Location")).isEqualTo("/api/docs/");

    Http.Res page = app.http.get("/api/docs/", null);
    assertThat(page.status()).isEqualTo(200);
    assertThat(page.header("Content-Type")).startsWith("text/html");
    assertThat(page.body()).contains("<div id=\"swagger-ui\">").contains("/api/docs/swagger-ui-bundle.js")
      .contains("url: \"/openapi.yaml\"");

    Http.Res js = app.http.get("/api/docs/swagger-ui-bundle.js", null);
    assertThat(js.status()).isEqualTo(200);
    assertThat(js.header("Content-Type")).contains("javascript");
    assertThat(js.body().length()).isGreaterThan(100_000);
    assertThat(js.body()).contains("SwaggerUIBundle");
    Http.Res preset = app.http.get("/api/docs/swagger-ui-standalone-preset.js", null);
    assertThat(preset.status()).isEqualTo(200);
    Http.Res css = app.http.get("/api/docs/swagger-ui.css", null);
    assertThat(css.status()).isEqualTo(200);
    assertThat(css.header("Content-Type")).startsWith("text/css");
  }

  /** The docs page's own name must show this service's contract, not Swagger UI's sample (the Petstore). */
  @Test
  void docsIndexHtmlShowsThisContract() {
    Http.Res page = app.http.get("/api/docs/index.html", null);
    assertThat(page.status()).isEqualTo(200);
    assertThat(page.body()).contains("/openapi.yaml").doesNotContain("swagger-initializer.js");
  }

  // --------------------------------------------------------------------------------------------- helpers

  /** A user of the demo tenant with the trader role and a USD account of its own. */
  record Trader(String userId, String token, String accountId) {}

  static Trader newTrader(String balance) {
    String user = "t-" + UUID.randomUUID();
    String account = createAccount(user, "USD", balance, null).getString("id");
    return new Trader(user, app.token("demo", user, "trader"), account);
  }

  static JsonObject createAccount(String owner, String currency, String balance, JsonObject riskLimits) {
    JsonObject body = new JsonObject().put("ownerId", owner).put("name", owner + " " + currency).put("currency", currency);
    if (balance != null) body.put("balance", balance);
    if (riskLimits != null) body.put("riskLimits", riskLimits);
    Http.Res res = app.http.post(ACCOUNTS, app.demoAdminToken(), body);
    assertThat(res.status()).as(res.body()).isEqualTo(201);
    return res.json();
  }

  static JsonObject order(Trader t, String instrument, String side, String type) {
    return new JsonObject().put("clientId", t.accountId()).put("instrumentId", instrument).put("side", side)
      .put("orderType", type).put("timeInForce", "gtc");
  }

  /**
   * A buy that stays pending: a stop_limit is held for its trigger, never routed on acceptance, and its stop
   * (1000.00) is far above AAPL's and MSFT's reference prices. It holds quantity x price, like a limit buy.
   */
  static JsonObject heldBuy(Trader t, String instrument, int quantity, String price) {
    return order(t, instrument, "buy", "stop_limit").put("quantity", quantity).put("price", price)
      .put("stopPrice", "1000.00");
  }

  /** A sell that stays pending: a stop_limit whose stop (100.00) is far below the market. A sell holds nothing. */
  static JsonObject heldSell(Trader t, String instrument, int quantity, String price) {
    return order(t, instrument, "sell", "stop_limit").put("quantity", quantity).put("price", price)
      .put("stopPrice", "100.00");
  }

  /** Polls the order until it reaches {@code status} (10 s at most) and returns it. */
  static JsonObject awaitStatus(Trader t, String orderId, String status) {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (true) {
      Http.Res res = app.http.get(ORDERS + "/" + orderId, t.token());
      assertThat(res.status()).as(res.body()).isEqualTo(200);
      if (status.equals(res.json().getString("status"))) return res.json();
      assertThat(System.nanoTime()).as("order %s to become %s; it is %s", orderId, status, res.body()).isLessThan(deadline);
      sleep(20);
    }
  }

  /** The VALIDATED entry of the order's audit trail (its details carry the funds held at acceptance). */
  static JsonObject createdAudit(Trader t, JsonObject order) {
    Http.Res res = app.http.get(ORDERS + "/" + id(order) + "/audit", t.token());
    assertThat(res.status()).as(res.body()).isEqualTo(200);
    JsonObject created = res.json().getJsonArray("data").getJsonObject(1);
    assertThat(created.getString("eventType")).isEqualTo("VALIDATED");
    assertThat(created.getString("toStatus")).isEqualTo("pending");
    return created;
  }

  /** Submits and checks what every accepted order answers: 201, pending, Location, orderRef, the fields sent. */
  static JsonObject assertCreated(Trader t, JsonObject body) {
    return assertCreated(t, body.encode());
  }

  /** A body as exact text: numbers written as given, never through a double. */
  static String withRaw(JsonObject body, String members) {
    String json = body.encode();
    return json.substring(0, json.length() - 1) + "," + members + "}";
  }

  static JsonObject assertCreated(Trader t, String rawBody) {
    JsonObject body = new JsonObject(rawBody);
    Http.Res res = app.http.post(ORDERS, t.token(), rawBody);
    assertThat(res.status()).as(res.body()).isEqualTo(201);
    assertThat(res.header("Content-Type")).startsWith("application/json");
    JsonObject o = res.json();
    assertThat(UUID.fromString(o.getString("id"))).isNotNull();
    assertThat(res.header("Location")).isEqualTo(ORDERS + "/" + o.getString("id"));
    assertThat(res.header("ETag")).isEqualTo("\"" + o.getLong("version") + "\"");
    assertThat(o.getString("status")).isEqualTo("pending");
    assertThat(o.getString("orderRef")).matches(ORDER_REF);
    assertThat(o.getString("clientId")).isEqualTo(body.getString("clientId"));
    assertThat(o.getString("instrumentId")).isEqualTo(body.getString("instrumentId"));
    assertThat(o.getString("side")).isEqualTo(body.getString("side"));
    assertThat(o.getString("orderType")).isEqualTo(body.getString("orderType"));
    assertThat(o.getString("timeInForce")).isEqualTo(body.getString("timeInForce"));
    assertThat(o.getString("routingStrategy")).isEqualTo(body.getString("routingStrategy", "best"));
    assertThat(dec(o, "quantity")).isEqualByComparingTo(new BigDecimal(body.getValue("quantity").toString()));
    assertThat(dec(o, "filledQuantity")).isEqualByComparingTo("0");
    assertThat(dec(o, "remainingQuantity")).isEqualByComparingTo(dec(o, "quantity"));
    for (String f : List.of("price", "stopPrice", "pegOffset", "trailAmount")) {
      if (body.getValue(f) == null) assertThat(o.getValue(f)).as(f).isNull();
      else assertThat(dec(o, f)).as(f).isEqualByComparingTo(new BigDecimal(body.getValue(f).toString()));
    }
    assertThat(o.getValue("averagePrice")).isNull();
    assertThat(o.getLong("version")).isZero();
    assertThat(o.getJsonObject("metadata")).isNotNull();
    assertThat(created(o)).isCloseTo(Instant.now(), withinSeconds(60));
    assertThat(o.getString("updatedAt")).isNotBlank();
    return o;
  }

  static JsonObject listOrders(Trader t, String query) {
    return listOrders(t.token(), query);
  }

  static JsonObject listOrders(String token, String query) {
    Http.Res res = app.http.get(ORDERS + (query.isEmpty() ? "" : "?" + query), token);
    assertThat(res.status()).as(query + " -> " + res.body()).isEqualTo(200);
    return res.json();
  }

  static JsonObject account(Trader t) {
    Http.Res res = app.http.get(ACCOUNTS + "/" + t.accountId(), t.token());
    assertThat(res.status()).as(res.body()).isEqualTo(200);
    return res.json();
  }

  static List<String> ids(JsonObject page) {
    return page.getJsonArray("data").stream().map(o -> ((JsonObject) o).getString("id")).toList();
  }

  static String id(JsonObject o) {
    return o.getString("id");
  }

  static BigDecimal dec(JsonObject o, String field) {
    Object v = o.getValue(field);
    assertThat(v).as("%s in %s", field, o).isNotNull();
    return new BigDecimal(v.toString());
  }

  static Instant created(JsonObject o) {
    return OffsetDateTime.parse(o.getString("createdAt")).toInstant();
  }

  static String midpoint(JsonObject a, JsonObject b) {
    Instant x = created(a);
    Instant y = created(b);
    assertThat(y).isAfter(x);
    return x.plus(Duration.between(x, y).dividedBy(2)).toString();
  }

  static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  static org.assertj.core.data.TemporalUnitOffset withinSeconds(long seconds) {
    return org.assertj.core.api.Assertions.within(seconds, ChronoUnit.SECONDS);
  }

  static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
