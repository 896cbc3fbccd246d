package io.orion.oms.lp.fix;

import io.orion.oms.instrument.Instrument;
import io.orion.oms.lp.ExecutionReport;
import io.orion.oms.lp.ExecutionReport.Kind;
import io.orion.oms.lp.ExecutionReport.LpOrderStatus;
import io.orion.oms.lp.LpOrder;
import io.orion.oms.lp.LpOrder.TimeInForce;
import io.orion.oms.lp.Quote;
import io.orion.oms.lp.sim.LpSimulator;
import io.orion.oms.lp.sim.SimulatedLp;
import io.orion.oms.lp.sim.SimulatedLpConfig;
import io.orion.oms.order.Side;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import quickfix.Session;
import quickfix.fix44.MarketDataRequest;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.stream.Collectors;

import static io.orion.oms.lp.fix.LpTestKit.await;
import static io.orion.oms.lp.fix.LpTestKit.holds;
import static io.orion.oms.lp.fix.LpTestKit.limit;
import static io.orion.oms.lp.fix.LpTestKit.market;
import static io.orion.oms.lp.fix.LpTestKit.newId;
import static io.orion.oms.lp.fix.LpTestKit.until;
import static org.assertj.core.api.Assertions.assertThat;

/** The FIX adapter against a simulated LP over loopback FIX sessions: quotes, fills, cancels, replaces, status. */
class FixLpAdapterTest {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final long LATENCY_MS = 5;

  @TempDir
  static Path dir;
  static Vertx vertx;
  static LpSimulator sim;
  static SimulatedLp lp;
  static FixLpAdapter adapter;
  static LpTestKit.Recorder rec;
  static Map<String, Instrument> instruments;
  /** Orders a test may leave resting: canceled after it, so they cannot trade in the next test's book. */
  final List<LpOrder> placed = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void connect() {
    vertx = Vertx.vertx();
    List<Instrument> all = LpTestKit.instruments();
    instruments = all.stream().collect(Collectors.toMap(Instrument::id, Function.identity()));
    SimulatedLpConfig c = new SimulatedLpConfig("lp-test", "Test LP", "127.0.0.1", 0, "LPTEST", "ORIONTEST",
      new BigDecimal("2"), 3, 100, LATENCY_MS, 0, 0, 0, 50, 7L);
    sim = LpSimulator.start(List.of(c), all, dir.resolve("sim"));
    lp = sim.lp("lp-test");
    adapter = new FixLpAdapter(new FixLpConfig("lp-test", "127.0.0.1", lp.port(), "ORIONTEST", "LPTEST", 1, "1",
      dir.resolve("oms"), null));
    Context ctx = vertx.getOrCreateContext();
    rec = new LpTestKit.Recorder(ctx);
    await(adapter.start(ctx, rec, List.of("EURUSD", "AAPL", "BTC-USD", "GBPUSD")));
    until(() -> adapter.connected() && rec.lastSessionState(true), WAIT, "logon");
  }

  @AfterAll
  static void close() {
    if (adapter != null) await(adapter.stop());
    if (sim != null) sim.close();
    if (vertx != null) await(vertx.close());
  }

  @AfterEach
  void reset() {
    for (LpOrder o : placed) {
      ExecutionReport r = await(adapter.status(o.clOrdId(), o));
      if (r.status() == LpOrderStatus.NEW || r.status() == LpOrderStatus.PARTIALLY_FILLED) {
        await(adapter.cancel(newId("cleanup"), o.clOrdId(), o));
      }
    }
    lp.setRejectRate(0);
    lp.setTimeoutRate(0);
    lp.setPartialFillRate(0);
    lp.setLatencyMs(LATENCY_MS);
    lp.releaseQuote("AAPL");
    lp.releaseQuote("EURUSD");
    assertThat(rec.offContextCalls).as("listener calls off the adapter's context").isEmpty();
    assertThat(adapter.sessionRejectsSent()).as("session rejects sent").isZero();
  }

  private Future<ExecutionReport> place(LpOrder o) {
    placed.add(o);
    return adapter.send(o);
  }

  private static BigDecimal dec(String s) {
    return new BigDecimal(s);
  }

  // ---------------------------------------------------------------- quotes

  @Test
  void quotesArriveForSubscribedInstrumentsOnTickAndMove() {
    for (String id : List.of("EURUSD", "AAPL", "BTC-USD")) {
      until(() -> rec.quotesFor(id).size() >= 3, WAIT, "quotes for " + id);
      Instrument ins = instruments.get(id);
      for (Quote q : rec.quotesFor(id)) {
        assertThat(q.lpId()).isEqualTo("lp-test");
        assertThat(q.bid()).isLessThan(q.ask());
        assertThat(q.bid().remainder(ins.tickSize())).isEqualByComparingTo("0");
        assertThat(q.ask().remainder(ins.tickSize())).isEqualByComparingTo("0");
        assertThat(q.bidSize()).isEqualByComparingTo(ins.lotSize().multiply(dec("100")));
        assertThat(q.askSize()).isEqualByComparingTo(ins.lotSize().multiply(dec("100")));
        assertThat(q.time()).isBetween(Instant.now().minusSeconds(30), Instant.now().plusSeconds(1));
      }
    }
    // the mid walks: a never-pinned instrument shows more than one price
    until(() -> rec.quotesFor("BTC-USD").stream().map(q -> q.bid().stripTrailingZeros()).distinct().count() >= 2, WAIT,
      "BTC-USD price moves");
    BigDecimal ref = instruments.get("BTC-USD").referencePrice();
    assertThat(rec.quotesFor("BTC-USD")).allSatisfy(q -> assertThat(q.bid()).isBetween(ref.multiply(dec("0.9")), ref.multiply(dec("1.1"))));
    assertThat(rec.quotesFor("MSFT")).as("never subscribed").isEmpty();
    assertThat(rec.quotesFor("USDJPY")).as("never subscribed").isEmpty();
  }

  @Test
  void quotesAreNotKeptInTheLpsFixStoreButExecutionReportsAre() throws Exception {
    lp.pinQuote("AAPL", dec("149.90"), dec("150.10"));
    await(place(market(newId("stored"), "AAPL", Side.BUY, "1", TimeInForce.IOC)));
    until(() -> rec.quotes.size() >= 20, WAIT, "some quotes");
    String stored;
    try (var files = java.nio.file.Files.list(dir.resolve("sim").resolve("lp-test").resolve("fix"))) {
      Path body = files.filter(f -> f.toString().endsWith(".body")).findFirst().orElseThrow();
      stored = java.nio.file.Files.readString(body, java.nio.charset.StandardCharsets.ISO_8859_1);
    }
    assertThat(stored).contains("\u000135=8\u0001").doesNotContain("\u000135=W\u0001");
  }

  @Test
  void quotesWaitingForABusyEventLoopAreConflatedToTheLatest() throws Exception {
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.CountDownLatch blocked = new java.util.concurrent.CountDownLatch(1);
    rec.context.runOnContext(v -> {
      blocked.countDown();
      try {
        release.await(); // the connector's event loop is busy: snapshots pile up behind it
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    blocked.await();
    int before = rec.quotesFor("AAPL").size();
    BigDecimal lastBid = null;
    for (int i = 1; i <= 20; i++) {
      lastBid = dec("140.00").add(dec("0.01").multiply(BigDecimal.valueOf(i)));
      lp.pinQuote("AAPL", lastBid, lastBid.add(dec("0.10")));
    }
    int sent = lp.nextSenderSeqNum();
    Session oms = Session.lookupSession(adapter.sessionId());
    until(() -> oms.getExpectedTargetNum() >= sent, WAIT, "the adapter read every snapshot");
    release.countDown();
    Quote first = until(() -> rec.quotesFor("AAPL").size() > before ? rec.quotesFor("AAPL").get(before) : null, WAIT, "a quote");
    assertThat(first.bid()).as("the first quote handed over is the newest, not the oldest waiting").isEqualByComparingTo(lastBid);
  }

  @Test
  void unsubscribeStopsQuotesForThatInstrumentOnly() throws Exception {
    until(() -> rec.quotesFor("GBPUSD").size() >= 2, WAIT, "GBPUSD quotes");
    Session.sendToTarget(marketData('2', "GBPUSD"), adapter.sessionId());
    int eur = rec.quotesFor("EURUSD").size();
    until(() -> rec.quotesFor("EURUSD").size() >= eur + 3, WAIT, "EURUSD quotes after unsubscribe");
    int gbp = rec.quotesFor("GBPUSD").size();
    int eur2 = rec.quotesFor("EURUSD").size();
    until(() -> rec.quotesFor("EURUSD").size() >= eur2 + 5, WAIT, "more EURUSD quotes");
    assertThat(rec.quotesFor("GBPUSD")).hasSize(gbp);
    Session.sendToTarget(marketData('1', "GBPUSD"), adapter.sessionId());
    until(() -> rec.quotesFor("GBPUSD").size() > gbp, WAIT, "GBPUSD quotes again after subscribing");
  }

  private static MarketDataRequest marketData(char type, String symbol) {
    MarketDataRequest v = new MarketDataRequest();
    v.setString(262, newId("md"));
    v.setChar(263, type);
    v.setInt(264, 1);
    MarketDataRequest.NoMDEntryTypes t = new MarketDataRequest.NoMDEntryTypes();
    t.setChar(269, '0');
    v.addGroup(t);
    MarketDataRequest.NoRelatedSym s = new MarketDataRequest.NoRelatedSym();
    s.setString(55, symbol);
    v.addGroup(s);
    return v;
  }

  // ---------------------------------------------------------------- fills

  @Test
  void marketBuyFillsAtThePinnedAskAndMapsEveryField() {
    lp.pinQuote("AAPL", dec("149.90"), dec("150.10"));
    String id = newId("mkt");
    Instant before = Instant.now().minusMillis(5);
    ExecutionReport r = await(place(market(id, "AAPL", Side.BUY, "10", TimeInForce.IOC)));

    assertThat(r.lpId()).isEqualTo("lp-test");
    assertThat(r.kind()).isEqualTo(Kind.TRADE);
    assertThat(r.status()).isEqualTo(LpOrderStatus.FILLED);
    assertThat(r.clOrdId()).isEqualTo(id);
    assertThat(r.origClOrdId()).isNull();
    assertThat(r.lpOrderId()).isNotBlank();
    assertThat(r.execId()).isNotBlank();
    assertThat(r.instrumentId()).isEqualTo("AAPL");
    assertThat(r.side()).isEqualTo(Side.BUY);
    assertThat(r.lastQty()).isEqualByComparingTo("10");
    assertThat(r.lastPx()).isEqualByComparingTo("150.10");
    assertThat(r.cumQty()).isEqualByComparingTo("10");
    assertThat(r.leavesQty()).isEqualByComparingTo("0");
    assertThat(r.avgPx()).isEqualByComparingTo("150.10");
    assertThat(r.transactTime()).isBetween(before, Instant.now());
    assertThat(r.possDup()).isFalse();
    assertThat(r.text()).isNull();
    // the same report reached the listener, once
    until(() -> rec.reportsFor(id).size() == 1, WAIT, "listener report");
    assertThat(rec.reportsFor(id).get(0)).isEqualTo(r);

    ExecutionReport sell = await(place(market(newId("mkt"), "AAPL", Side.SELL, "5", TimeInForce.IOC)));
    assertThat(sell.side()).isEqualTo(Side.SELL);
    assertThat(sell.lastPx()).isEqualByComparingTo("149.90");
  }

  @Test
  void marketOrderWalksTheBookAtVwap() {
    lp.pinQuote("AAPL", dec("149.90"), dec("150.10")); // 3 levels of 100 each side, one tick apart
    ExecutionReport r = await(place(market(newId("vwap"), "AAPL", Side.BUY, "150", TimeInForce.IOC)));
    assertThat(r.kind()).isEqualTo(Kind.TRADE);
    assertThat(r.lastQty()).isEqualByComparingTo("150");
    // (100 x 150.10 + 50 x 150.11) / 150
    assertThat(r.lastPx()).isEqualByComparingTo("150.10333333");
    assertThat(r.avgPx()).isEqualByComparingTo("150.10333333");
  }

  @Test
  void iocTakesWhatTheBookHasAndCancelsTheRest() {
    lp.pinQuote("AAPL", dec("149.90"), dec("150.10"));
    String id = newId("ioc");
    ExecutionReport first = await(place(market(id, "AAPL", Side.BUY, "400", TimeInForce.IOC)));
    assertThat(first.kind()).isEqualTo(Kind.TRADE);
    assertThat(first.status()).isEqualTo(LpOrderStatus.PARTIALLY_FILLED);
    assertThat(first.lastQty()).isEqualByComparingTo("300");
    ExecutionReport canceled = rec.awaitReport(id, x -> x.kind() == Kind.CANCELED, "IOC remainder canceled");
    assertThat(canceled.status()).isEqualTo(LpOrderStatus.CANCELED);
    assertThat(canceled.cumQty()).isEqualByComparingTo("300");
    assertThat(canceled.leavesQty()).isEqualByComparingTo("0");
    assertThat(canceled.lastQty()).isNull();
  }

  @Test
  void fokIsAllOrNothing() {
    lp.pinQuote("AAPL", dec("149.90"), dec("150.10"));
    String id = newId("fok");
    ExecutionReport r = await(place(market(id, "AAPL", Side.BUY, "400", TimeInForce.FOK)));
    assertThat(r.kind()).isEqualTo(Kind.CANCELED);
    assertThat(r.cumQty()).isEqualByComparingTo("0");
    assertThat(r.text()).contains("FOK");
    ExecutionReport ok = await(place(market(newId("fok"), "AAPL", Side.BUY, "300", TimeInForce.FOK)));
    assertThat(ok.status()).isEqualTo(LpOrderStatus.FILLED);
    assertThat(ok.cumQty()).isEqualByComparingTo("300");
    assertThat(rec.reportsFor(id)).noneMatch(x -> x.kind() == Kind.TRADE);
  }

  @Test
  void gtcMarketOrderLargerThanTheBookKeepsFillingOnLaterTicks() {
    lp.pinQuote("AAPL", dec("149.90"), dec("150.10"));
    String id = newId("gtc");
    ExecutionReport first = await(place(market(id, "AAPL", Side.BUY, "400", TimeInForce.GTC)));
    assertThat(first.status()).isEqualTo(LpOrderStatus.PARTIALLY_FILLED);
    assertThat(first.cumQty()).isEqualByComparingTo("300");
    ExecutionReport last = rec.awaitReport(id, x -> x.status() == LpOrderStatus.FILLED, "fill on a later tick");
    assertThat(last.cumQty()).isEqualByComparingTo("400");
    assertThat(last.lastQty()).isEqualByComparingTo("100");
    assertThat(last.lastPx()).isEqualByComparingTo("150.10");
  }

  @Test
  void limitBuyBelowTheMarketRestsThenFillsWhenThePriceCrossesIt() {
    lp.pinQuote("AAPL", dec("149.90"), dec("150.10"));
    String id = newId("lmt");
    ExecutionReport r = await(place(limit(id, "AAPL", Side.BUY, "10", "150.00", TimeInForce.GTC)));
    assertThat(r.kind()).isEqualTo(Kind.NEW);
    assertThat(r.status()).isEqualTo(LpOrderStatus.NEW);
    assertThat(r.leavesQty()).isEqualByComparingTo("10");
    assertThat(r.cumQty()).isEqualByComparingTo("0");
    assertThat(r.lastQty()).isNull();
    int quotes = rec.quotesFor("AAPL").size();
    until(() -> rec.quotesFor("AAPL").size() >= quotes + 3, WAIT, "a few ticks");
    assertThat(rec.reportsFor(id)).noneMatch(x -> x.kind() == Kind.TRADE);

    lp.pinQuote("AAPL", dec("149.80"), dec("149.95"));
    ExecutionReport fill = rec.awaitReport(id, x -> x.kind() == Kind.TRADE, "fill after the cross");
    assertThat(fill.status()).isEqualTo(LpOrderStatus.FILLED);
    assertThat(fill.lastPx()).isEqualByComparingTo("149.95"); // at the book, better than the limit
    assertThat(fill.lastQty()).isEqualByComparingTo("10");
  }

  @Test
  void rejectRateOneRejectsEveryOrder() {
    lp.setRejectRate(1);
    String id = newId("rej");
    ExecutionReport r = await(place(market(id, "AAPL", Side.BUY, "10", TimeInForce.IOC)));
    assertThat(r.kind()).isEqualTo(Kind.REJECTED);
    assertThat(r.status()).isEqualTo(LpOrderStatus.REJECTED);
    assertThat(r.text()).isEqualTo("simulated reject");
    assertThat(r.cumQty()).isEqualByComparingTo("0");
    assertThat(r.lastQty()).isNull();
  }

  @Test
  void timeoutRateOneLeavesTheOrderUnanswered() {
    lp.setTimeoutRate(1);
    long received = lp.ordersReceived();
    LpOrder o = market(newId("tmo"), "AAPL", Side.BUY, "10", TimeInForce.IOC);
    Future<ExecutionReport> f = place(o);
    until(() -> lp.ordersReceived() > received, WAIT, "the LP got the order");
    holds(() -> !f.isComplete(), Duration.ofMillis(LATENCY_MS + 500), "send future stays pending");
    assertThat(rec.reportsFor(o.clOrdId())).isEmpty();
    lp.setTimeoutRate(0);
    // the LP never booked it: reconciliation learns it is safe to send again
    assertThat(await(adapter.status(o.clOrdId(), o)).status()).isEqualTo(LpOrderStatus.UNKNOWN);
    assertThat(f.isComplete()).isFalse();
  }

  @Test
  void partialFillsComeInLotsAndSumToTheQuantity() {
    lp.setPartialFillRate(1);
    lp.pinQuote("EURUSD", dec("1.08500"), dec("1.08510"));
    String id = newId("part");
    ExecutionReport first = await(place(market(id, "EURUSD", Side.BUY, "10000", TimeInForce.IOC)));
    assertThat(first.kind()).isEqualTo(Kind.TRADE);
    assertThat(first.status()).isEqualTo(LpOrderStatus.PARTIALLY_FILLED);
    rec.awaitReport(id, x -> x.status() == LpOrderStatus.FILLED, "the last fill");
    List<ExecutionReport> fills = rec.reportsFor(id).stream().filter(x -> x.kind() == Kind.TRADE).toList();
    assertThat(fills.size()).isBetween(2, 3);
    BigDecimal lot = instruments.get("EURUSD").lotSize();
    BigDecimal sum = BigDecimal.ZERO;
    for (ExecutionReport f : fills) {
      assertThat(f.lastQty().remainder(lot)).isEqualByComparingTo("0");
      assertThat(f.lastQty()).isPositive();
      assertThat(f.lastPx()).isEqualByComparingTo("1.08510");
      sum = sum.add(f.lastQty());
      assertThat(f.cumQty()).isEqualByComparingTo(sum);
    }
    assertThat(sum).isEqualByComparingTo("10000");
    assertThat(fills.stream().map(ExecutionReport::execId).distinct()).hasSize(fills.size());
  }

  @Test
  void aRetryWithTheSameClOrdIdGetsTheOrdersStateAndNeverTradesTwice() {
    lp.pinQuote("AAPL", dec("149.90"), dec("150.10"));
    String id = newId("again");
    LpOrder o = market(id, "AAPL", Side.BUY, "10", TimeInForce.IOC);
    ExecutionReport fill = await(place(o));
    assertThat(fill.status()).isEqualTo(LpOrderStatus.FILLED);
    long received = lp.ordersReceived();
    ExecutionReport again = await(adapter.send(o)); // goes out with PossResend=Y
    assertThat(lp.ordersReceived()).isEqualTo(received + 1);
    assertThat(again.kind()).isEqualTo(Kind.ORDER_STATUS);
    assertThat(again.status()).isEqualTo(LpOrderStatus.FILLED);
    assertThat(again.cumQty()).isEqualByComparingTo("10");
    assertThat(again.lpOrderId()).isEqualTo(fill.lpOrderId());
    assertThat(rec.reportsFor(id).stream().filter(x -> x.kind() == Kind.TRADE)).hasSize(1);
    assertThat(adapter.duplicateRejects()).isZero();
  }

  @Test
  void aRetryWhileTheFirstSendIsUnansweredSharesItsAnswer() {
    lp.pinQuote("AAPL", dec("149.90"), dec("150.10"));
    lp.setTimeoutRate(1);
    long received = lp.ordersReceived();
    LpOrder o = market(newId("retry"), "AAPL", Side.BUY, "10", TimeInForce.IOC);
    Future<ExecutionReport> first = place(o);
    until(() -> lp.ordersReceived() > received, WAIT, "the first attempt reached the LP");
    lp.setTimeoutRate(0);
    ExecutionReport answer = await(adapter.send(o)); // the LP never booked the first: the resend trades
    assertThat(answer.kind()).isEqualTo(Kind.TRADE);
    assertThat(answer.status()).isEqualTo(LpOrderStatus.FILLED);
    assertThat(await(first)).isSameAs(answer);
    assertThat(rec.reportsFor(o.clOrdId()).stream().filter(x -> x.kind() == Kind.TRADE)).hasSize(1);
  }

  // ---------------------------------------------------------------- cancel, replace, status

  @Test
  void cancelOfARestingOrderCancelsTheRest() {
    lp.pinQuote("AAPL", dec("149.90"), dec("150.10"));
    LpOrder o = limit(newId("c"), "AAPL", Side.BUY, "10", "149.00", TimeInForce.GTC);
    assertThat(await(place(o)).kind()).isEqualTo(Kind.NEW);
    String cancelId = newId("cx");
    ExecutionReport r = await(adapter.cancel(cancelId, o.clOrdId(), o));
    assertThat(r.kind()).isEqualTo(Kind.CANCELED);
    assertThat(r.status()).isEqualTo(LpOrderStatus.CANCELED);
    assertThat(r.clOrdId()).isEqualTo(cancelId);
    assertThat(r.origClOrdId()).isEqualTo(o.clOrdId());
    assertThat(r.leavesQty()).isEqualByComparingTo("0");
    assertThat(r.cumQty()).isEqualByComparingTo("0");

    ExecutionReport tooLate = await(adapter.cancel(newId("cx"), o.clOrdId(), o));
    assertThat(tooLate.kind()).isEqualTo(Kind.REJECTED);
    assertThat(tooLate.status()).isEqualTo(LpOrderStatus.CANCELED);
    assertThat(tooLate.text()).contains("too late");

    LpOrder never = limit(newId("never"), "AAPL", Side.BUY, "10", "149.00", TimeInForce.GTC);
    ExecutionReport unknown = await(adapter.cancel(newId("cx"), never.clOrdId(), never));
    assertThat(unknown.kind()).isEqualTo(Kind.REJECTED);
    assertThat(unknown.status()).isEqualTo(LpOrderStatus.UNKNOWN);
    assertThat(unknown.instrumentId()).isEqualTo("AAPL");
  }

  @Test
  void replaceChangesQuantityAndPriceAndTheNewTermsTrade() {
    lp.pinQuote("AAPL", dec("149.90"), dec("150.10"));
    LpOrder o = limit(newId("r"), "AAPL", Side.BUY, "10", "149.00", TimeInForce.GTC);
    assertThat(await(place(o)).kind()).isEqualTo(Kind.NEW);
    LpOrder bigger = limit(newId("r2"), "AAPL", Side.BUY, "20", "149.50", TimeInForce.GTC);
    placed.add(bigger);
    ExecutionReport r = await(adapter.replace(o.clOrdId(), bigger));
    assertThat(r.kind()).isEqualTo(Kind.REPLACED);
    assertThat(r.status()).isEqualTo(LpOrderStatus.NEW);
    assertThat(r.clOrdId()).isEqualTo(bigger.clOrdId());
    assertThat(r.origClOrdId()).isEqualTo(o.clOrdId());
    assertThat(r.leavesQty()).isEqualByComparingTo("20");
    assertThat(r.lpOrderId()).isNotNull();

    lp.pinQuote("AAPL", dec("149.30"), dec("149.50"));
    ExecutionReport fill = rec.awaitReport(bigger.clOrdId(), x -> x.kind() == Kind.TRADE, "fill at the new price");
    assertThat(fill.cumQty()).isEqualByComparingTo("20");
    assertThat(fill.lastPx()).isEqualByComparingTo("149.50");
    assertThat(fill.lpOrderId()).isEqualTo(r.lpOrderId());

    ExecutionReport late = await(adapter.replace(bigger.clOrdId(), limit(newId("r3"), "AAPL", Side.BUY, "30", "149.50", TimeInForce.GTC)));
    assertThat(late.kind()).isEqualTo(Kind.REJECTED);
    assertThat(late.status()).isEqualTo(LpOrderStatus.FILLED);
  }

  @Test
  void replaceBelowTheFilledQuantityIsRejected() {
    lp.pinQuote("AAPL", dec("149.90"), dec("150.10"));
    // only the best level is at the limit: 100 of 400 trade, the rest rests
    LpOrder o = limit(newId("p"), "AAPL", Side.BUY, "400", "150.10", TimeInForce.GTC);
    ExecutionReport first = await(place(o));
    assertThat(first.cumQty()).isEqualByComparingTo("100");
    lp.pinQuote("AAPL", dec("150.20"), dec("150.30")); // out of reach: no more fills
    ExecutionReport r = await(adapter.replace(o.clOrdId(), limit(newId("p2"), "AAPL", Side.BUY, "50", "150.10", TimeInForce.GTC)));
    assertThat(r.kind()).isEqualTo(Kind.REJECTED);
    assertThat(r.status()).isEqualTo(LpOrderStatus.PARTIALLY_FILLED);
    assertThat(r.text()).contains("below the filled");
  }

  @Test
  void statusOfAClOrdIdTheLpNeverSawIsUnknown() {
    LpOrder o = market(newId("ghost"), "AAPL", Side.BUY, "10", TimeInForce.IOC);
    ExecutionReport r = await(adapter.status(o.clOrdId(), o));
    assertThat(r.kind()).isEqualTo(Kind.ORDER_STATUS);
    assertThat(r.status()).isEqualTo(LpOrderStatus.UNKNOWN);
    assertThat(r.clOrdId()).isEqualTo(o.clOrdId());
    assertThat(r.lpOrderId()).isNull();
  }

  @Test
  void statusOfALiveOrderReportsItsState() {
    lp.pinQuote("AAPL", dec("149.90"), dec("150.10"));
    LpOrder o = limit(newId("s"), "AAPL", Side.SELL, "7", "151.00", TimeInForce.DAY);
    ExecutionReport ack = await(place(o));
    ExecutionReport r = await(adapter.status(o.clOrdId(), o));
    assertThat(r.kind()).isEqualTo(Kind.ORDER_STATUS);
    assertThat(r.status()).isEqualTo(LpOrderStatus.NEW);
    assertThat(r.side()).isEqualTo(Side.SELL);
    assertThat(r.leavesQty()).isEqualByComparingTo("7");
    assertThat(r.lpOrderId()).isEqualTo(ack.lpOrderId());
    assertThat(r.execId()).isNotEqualTo(ack.execId());
  }

  @Test
  void badTermsAreRejectedByTheLpWithTheReason() {
    ExecutionReport lot = await(place(market(newId("lot"), "EURUSD", Side.BUY, "1500", TimeInForce.IOC)));
    assertThat(lot.kind()).isEqualTo(Kind.REJECTED);
    assertThat(lot.text()).contains("lot size");
    ExecutionReport tick = await(place(limit(newId("tick"), "AAPL", Side.BUY, "1", "150.005", TimeInForce.GTC)));
    assertThat(tick.kind()).isEqualTo(Kind.REJECTED);
    assertThat(tick.text()).contains("tick");
  }

  @Test
  void manyOrdersInFlightAllGetTheirOwnAnswer() {
    lp.pinQuote("EURUSD", dec("1.08500"), dec("1.08510"));
    int pendingBefore = adapter.pendingRequests();
    List<Future<ExecutionReport>> fs = new ArrayList<>();
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      String id = newId("many");
      ids.add(id);
      fs.add(place(market(id, "EURUSD", i % 2 == 0 ? Side.BUY : Side.SELL, "1000", TimeInForce.IOC)));
    }
    for (int i = 0; i < fs.size(); i++) {
      ExecutionReport r = await(fs.get(i));
      assertThat(r.clOrdId()).isEqualTo(ids.get(i));
      assertThat(r.status()).isEqualTo(LpOrderStatus.FILLED);
    }
    assertThat(adapter.pendingRequests()).isEqualTo(pendingBefore);
  }
}
