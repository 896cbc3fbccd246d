package io.orion.oms.lp.fix;

import io.orion.oms.instrument.Instrument;
import io.orion.oms.lp.ExecutionReport;
import io.orion.oms.lp.ExecutionReport.Kind;
import io.orion.oms.lp.ExecutionReport.LpOrderStatus;
import io.orion.oms.lp.LpOrder;
import io.orion.oms.lp.LpOrder.TimeInForce;
import io.orion.oms.lp.sim.LpSimulator;
import io.orion.oms.lp.sim.SimulatedLp;
import io.orion.oms.lp.sim.SimulatedLpConfig;
import io.orion.oms.order.Side;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import quickfix.Session;
import quickfix.fix44.NewOrderSingle;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static io.orion.oms.lp.fix.LpTestKit.await;
import static io.orion.oms.lp.fix.LpTestKit.limit;
import static io.orion.oms.lp.fix.LpTestKit.market;
import static io.orion.oms.lp.fix.LpTestKit.newId;
import static io.orion.oms.lp.fix.LpTestKit.until;
import static org.assertj.core.api.Assertions.assertThat;

/** An LP that goes away and comes back, and an OMS that does: sessions, sequence numbers, nothing lost or doubled. */
class FixLpRestartTest {
  private static final Duration WAIT = Duration.ofSeconds(10);

  @TempDir
  Path dir;
  Vertx vertx;
  List<Instrument> instruments;
  final List<AutoCloseable> toClose = new ArrayList<>();
  final List<FixLpAdapter> adapters = new ArrayList<>();

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
    instruments = LpTestKit.instruments();
  }

  @AfterEach
  void tearDown() throws Exception {
    for (FixLpAdapter a : adapters) await(a.stop());
    for (AutoCloseable c : toClose) c.close();
    await(vertx.close());
  }

  /** Quotes every 60 s only: the sequence numbers stay still unless orders move them. */
  private SimulatedLpConfig lpConfig(String comp, int port) {
    return new SimulatedLpConfig("lp-" + comp.toLowerCase(), comp, "127.0.0.1", port, comp, "ORION" + comp,
      new BigDecimal("2"), 3, 100, 1, 0, 0, 0, 60_000, 1L);
  }

  private LpSimulator simulator(SimulatedLpConfig c) {
    LpSimulator sim = LpSimulator.start(List.of(c), instruments, dir.resolve("sim"));
    toClose.add(sim);
    return sim;
  }

  private FixLpAdapter adapter(SimulatedLp lp, LpTestKit.Recorder rec) {
    SimulatedLpConfig c = lp.config();
    FixLpAdapter a = new FixLpAdapter(new FixLpConfig(c.id(), "127.0.0.1", lp.port(), c.omsCompId(), c.lpCompId(), 1,
      "1", dir.resolve("oms"), null));
    adapters.add(a);
    await(a.start(rec.context, rec, List.of("AAPL")));
    until(() -> a.connected() && rec.lastSessionState(true), WAIT, "logon");
    return a;
  }

  private static String bootPrefix(String execId) {
    return execId.substring(0, execId.indexOf("-E"));
  }

  @Test
  void stoppedLpReportsTheSessionDownAndSendFailsFastUntilItIsBack() {
    SimulatedLp lp = simulator(lpConfig("LPSTOP", 0)).lp("lp-lpstop");
    LpTestKit.Recorder rec = new LpTestKit.Recorder(vertx.getOrCreateContext());
    FixLpAdapter a = adapter(lp, rec);

    lp.stop();
    until(() -> rec.lastSessionState(false), WAIT, "onSessionState(false)");
    assertThat(a.connected()).isFalse();
    long t0 = System.nanoTime();
    Future<ExecutionReport> f = a.send(market(newId("down"), "AAPL", Side.BUY, "1", TimeInForce.IOC));
    assertThat(f.failed()).as("failed on return, not after a timeout").isTrue();
    assertThat(f.cause()).hasMessageContaining("not logged on");
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofMillis(100));
    assertThat(a.status("x", market("x", "AAPL", Side.BUY, "1", TimeInForce.IOC)).failed()).isTrue();

    lp.start();
    until(() -> a.connected() && rec.lastSessionState(true), WAIT, "logon after the LP came back");
    assertThat(rec.sessionStates).containsExactly(true, false, true);
    lp.pinQuote("AAPL", new BigDecimal("99.90"), new BigDecimal("100.10"));
    assertThat(await(a.send(market(newId("up"), "AAPL", Side.BUY, "1", TimeInForce.IOC))).lastPx()).isEqualByComparingTo("100.10");
    assertThat(rec.offContextCalls).isEmpty();
  }

  @Test
  void aSimulatorRestartedOnTheSameStoreContinuesSequenceNumbersOrdersAndFreshExecIds() throws Exception {
    SimulatedLpConfig config = lpConfig("LPRST", 0);
    LpSimulator sim = simulator(config);
    SimulatedLp lp = sim.lp(config.id());
    int port = lp.port();
    LpTestKit.Recorder rec = new LpTestKit.Recorder(vertx.getOrCreateContext());
    FixLpAdapter a = adapter(lp, rec);

    lp.pinQuote("AAPL", new BigDecimal("149.90"), new BigDecimal("150.10"));
    ExecutionReport before = await(a.send(market(newId("b"), "AAPL", Side.BUY, "10", TimeInForce.IOC)));
    LpOrder resting = limit(newId("rest"), "AAPL", Side.BUY, "5", "140.00", TimeInForce.GTC);
    ExecutionReport restingAck = await(a.send(resting));
    assertThat(restingAck.kind()).isEqualTo(Kind.NEW);
    int lpSender = lp.nextSenderSeqNum();
    int lpTarget = lp.nextTargetSeqNum();
    Session oms = Session.lookupSession(a.sessionId());
    int omsSender = oms.getExpectedSenderNum();
    assertThat(lpSender).isGreaterThan(3);

    sim.close();
    until(() -> rec.lastSessionState(false), WAIT, "session down");
    SimulatedLp lp2 = simulator(config.withPort(port)).lp(config.id());
    until(() -> a.connected() && rec.lastSessionState(true), WAIT, "logon to the restarted LP");

    // no reset on either side: both stores went on from where they were (a reset LP would refuse the logon)
    assertThat(lp2.nextTargetSeqNum()).isGreaterThan(lpTarget);
    assertThat(lp2.nextSenderSeqNum()).isGreaterThan(lpSender);
    assertThat(oms.getExpectedSenderNum()).isGreaterThan(omsSender);
    assertThat(oms.getExpectedTargetNum()).isGreaterThan(lpSender);

    // the resting order survived the restart and trades with an ExecID of the new boot
    lp2.pinQuote("AAPL", new BigDecimal("139.90"), new BigDecimal("140.00"));
    ExecutionReport fill = rec.awaitReport(resting.clOrdId(), r -> r.kind() == Kind.TRADE, "resting order fills after restart");
    assertThat(fill.lpOrderId()).isEqualTo(restingAck.lpOrderId());
    ExecutionReport after = await(a.send(market(newId("a"), "AAPL", Side.BUY, "10", TimeInForce.IOC)));
    assertThat(bootPrefix(after.execId())).isNotEqualTo(bootPrefix(before.execId()));
    assertThat(bootPrefix(fill.execId())).isEqualTo(bootPrefix(after.execId()));
    assertThat(rec.executions.stream().map(ExecutionReport::execId).distinct().count()).isEqualTo(rec.executions.size());
    // the LP still knows ClOrdIDs from before the restart: a resend gets that order's state, no new trade
    ExecutionReport known = await(a.send(market(before.clOrdId(), "AAPL", Side.BUY, "10", TimeInForce.IOC)));
    assertThat(known.kind()).isEqualTo(Kind.ORDER_STATUS);
    assertThat(known.status()).isEqualTo(LpOrderStatus.FILLED);
    assertThat(known.lpOrderId()).isEqualTo(before.lpOrderId());
    assertThat(a.sessionRejectsSent()).isZero();
  }

  @Test
  void aFillWhileTheOmsWasAwayIsReplayedWithPossDupAfterItsLogon() {
    SimulatedLp lp = simulator(lpConfig("LPREPLAY", 0)).lp("lp-lpreplay");
    LpTestKit.Recorder rec1 = new LpTestKit.Recorder(vertx.getOrCreateContext());
    FixLpAdapter first = adapter(lp, rec1);
    lp.pinQuote("AAPL", new BigDecimal("149.90"), new BigDecimal("150.10"));
    LpOrder o = limit(newId("away"), "AAPL", Side.BUY, "10", "149.00", TimeInForce.GTC);
    assertThat(await(first.send(o)).kind()).isEqualTo(Kind.NEW);

    await(first.stop());
    adapters.remove(first);
    until(() -> !lp.loggedOn(), WAIT, "OMS logged off");
    lp.pinQuote("AAPL", new BigDecimal("148.90"), new BigDecimal("149.00")); // fills while nobody listens

    LpTestKit.Recorder rec2 = new LpTestKit.Recorder(vertx.getOrCreateContext());
    adapter(lp, rec2); // same store: the gap is seen at logon and the LP resends
    ExecutionReport replayed = rec2.awaitReport(o.clOrdId(), r -> r.kind() == Kind.TRADE, "replayed fill");
    assertThat(replayed.possDup()).isTrue();
    assertThat(replayed.lastQty()).isEqualByComparingTo("10");
    assertThat(replayed.lastPx()).isEqualByComparingTo("149.00");
    assertThat(rec1.reportsFor(o.clOrdId())).noneMatch(r -> r.kind() == Kind.TRADE);
  }

  @Test
  void aDuplicateClOrdIdIsRejectedByTheLpAndTheSendIsAnsweredWithTheOrdersState() {
    SimulatedLp lp = simulator(lpConfig("LPDUP", 0)).lp("lp-lpdup");
    LpTestKit.Recorder rec1 = new LpTestKit.Recorder(vertx.getOrCreateContext());
    FixLpAdapter first = adapter(lp, rec1);
    lp.pinQuote("AAPL", new BigDecimal("149.90"), new BigDecimal("150.10"));
    LpOrder o = market(newId("dup"), "AAPL", Side.BUY, "10", TimeInForce.IOC);
    ExecutionReport fill = await(first.send(o));
    assertThat(fill.status()).isEqualTo(LpOrderStatus.FILLED);
    await(first.stop());
    adapters.remove(first);

    // a restarted OMS does not know it sent this ClOrdID: it goes out as a plain new order, a duplicate to the LP
    LpTestKit.Recorder rec2 = new LpTestKit.Recorder(vertx.getOrCreateContext());
    FixLpAdapter second = adapter(lp, rec2);
    long received = lp.ordersReceived();
    ExecutionReport answer = await(second.send(o));
    assertThat(lp.ordersReceived()).isEqualTo(received + 1);
    assertThat(second.duplicateRejects()).isEqualTo(1);
    assertThat(answer.kind()).isEqualTo(Kind.ORDER_STATUS);
    assertThat(answer.status()).isEqualTo(LpOrderStatus.FILLED);
    assertThat(answer.cumQty()).isEqualByComparingTo("10");
    assertThat(answer.lpOrderId()).isEqualTo(fill.lpOrderId());
    // the listener never hears a "rejected" about the filled order
    assertThat(rec2.reportsFor(o.clOrdId())).allMatch(r -> r.kind() == Kind.ORDER_STATUS);
    assertThat(rec2.reportsFor(o.clOrdId()).stream().filter(r -> r.kind() == Kind.TRADE)).isEmpty();
  }

  @Test
  void anOrderStoredWhileLoggedOffIsNeverResentAsASecondOrder() throws Exception {
    SimulatedLp lp = simulator(lpConfig("LPGAP", 0)).lp("lp-lpgap");
    LpTestKit.Recorder rec = new LpTestKit.Recorder(vertx.getOrCreateContext());
    FixLpAdapter a = adapter(lp, rec);
    lp.stop();
    until(() -> rec.lastSessionState(false), WAIT, "session down");

    // what a send racing a disconnect does: QuickFIX/J stores it and would resend it after the next logon
    String id = newId("stored");
    NewOrderSingle d = new NewOrderSingle();
    d.setString(11, id);
    d.setString(55, "AAPL");
    d.setChar(54, '1');
    FixSupport.setMicros(d, 60, Instant.now());
    d.setString(38, "10");
    d.setChar(40, '1');
    assertThat(Session.sendToTarget(d, a.sessionId())).as("not written while logged off").isFalse();
    int storedSeq = Session.lookupSession(a.sessionId()).getExpectedSenderNum() - 1;
    long received = lp.ordersReceived();

    lp.start();
    until(() -> a.connected() && rec.lastSessionState(true), WAIT, "logon");
    // the LP has dealt with the gap (its next expected number is past the stored message's) before the status
    // request goes: one sent while the LP still awaits the gap fill could be queued behind it on a slow machine
    until(() -> lp.nextTargetSeqNum() > storedSeq, WAIT, "gap dealt with");
    LpOrder same = market(id, "AAPL", Side.BUY, "10", TimeInForce.IOC);
    assertThat(await(a.status(id, same)).status()).isEqualTo(LpOrderStatus.UNKNOWN);
    assertThat(lp.nextTargetSeqNum()).isGreaterThan(storedSeq);
    assertThat(lp.ordersReceived()).isEqualTo(received);
    assertThat(rec.reportsFor(id)).noneMatch(r -> r.kind() != Kind.ORDER_STATUS);
  }
}
