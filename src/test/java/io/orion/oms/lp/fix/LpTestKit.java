package io.orion.oms.lp.fix;

import io.orion.oms.config.ConfigLoader;
import io.orion.oms.instrument.Instrument;
import io.orion.oms.lp.ExecutionReport;
import io.orion.oms.lp.LpListener;
import io.orion.oms.lp.LpOrder;
import io.orion.oms.lp.Quote;
import io.orion.oms.lp.sim.LpSimulatorCommand;
import io.orion.oms.order.Side;
import io.vertx.core.Future;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;

/** Shared by the LP tests: the real instruments, a listener that records everything, polling with deadlines. */
final class LpTestKit {
  private static final AtomicLong IDS = new AtomicLong();

  private LpTestKit() {}

  static List<Instrument> instruments() {
    return LpSimulatorCommand.instruments(ConfigLoader.readJson(Path.of("conf"), "instruments.json"));
  }

  static String newId(String prefix) {
    return prefix + "-" + System.nanoTime() + "-" + IDS.incrementAndGet();
  }

  static LpOrder market(String clOrdId, String instrument, Side side, String qty, LpOrder.TimeInForce tif) {
    return new LpOrder(clOrdId, instrument, side, LpOrder.Type.MARKET, new BigDecimal(qty), null, tif);
  }

  static LpOrder limit(String clOrdId, String instrument, Side side, String qty, String price, LpOrder.TimeInForce tif) {
    return new LpOrder(clOrdId, instrument, side, LpOrder.Type.LIMIT, new BigDecimal(qty), new BigDecimal(price), tif);
  }

  static <T> T await(Future<T> f) {
    try {
      return f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("future did not succeed: " + e, e);
    }
  }

  static void until(BooleanSupplier condition, Duration timeout, String what) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) throw new AssertionError("timed out after " + timeout + " waiting for: " + what);
      pause(10);
    }
  }

  static <T> T until(Supplier<T> value, Duration timeout, String what) {
    long deadline = System.nanoTime() + timeout.toNanos();
    T v;
    while ((v = value.get()) == null) {
      if (System.nanoTime() > deadline) throw new AssertionError("timed out after " + timeout + " waiting for: " + what);
      pause(10);
    }
    return v;
  }

  /** Asserts that {@code condition} stays true for the whole {@code period} (for "nothing happens" checks). */
  static void holds(BooleanSupplier condition, Duration period, String what) {
    long end = System.nanoTime() + period.toNanos();
    while (System.nanoTime() < end) {
      if (!condition.getAsBoolean()) throw new AssertionError("stopped holding: " + what);
      pause(10);
    }
  }

  private static void pause(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** Records every callback, and any that did not come on the adapter's context. */
  static final class Recorder implements LpListener {
    final io.vertx.core.Context context;
    final List<Quote> quotes = new CopyOnWriteArrayList<>();
    final List<ExecutionReport> executions = new CopyOnWriteArrayList<>();
    final List<Boolean> sessionStates = new CopyOnWriteArrayList<>();
    final List<String> offContextCalls = new CopyOnWriteArrayList<>();

    Recorder(io.vertx.core.Context context) {
      this.context = context;
    }

    private void checkThread(String what) {
      if (io.vertx.core.Vertx.currentContext() != context) offContextCalls.add(what + " on " + Thread.currentThread().getName());
    }

    @Override
    public void onQuote(Quote quote) {
      checkThread("onQuote");
      quotes.add(quote);
    }

    @Override
    public void onExecution(ExecutionReport report) {
      checkThread("onExecution");
      executions.add(report);
    }

    @Override
    public void onSessionState(boolean loggedOn, String detail) {
      checkThread("onSessionState");
      sessionStates.add(loggedOn);
    }

    boolean lastSessionState(boolean expected) {
      return !sessionStates.isEmpty() && sessionStates.get(sessionStates.size() - 1) == expected;
    }

    List<ExecutionReport> reportsFor(String clOrdId) {
      List<ExecutionReport> out = new ArrayList<>();
      for (ExecutionReport r : executions) if (clOrdId.equals(r.clOrdId())) out.add(r);
      return out;
    }

    ExecutionReport awaitReport(String clOrdId, Predicate<ExecutionReport> match, String what) {
      return until(() -> reportsFor(clOrdId).stream().filter(match).findFirst().orElse(null), Duration.ofSeconds(10),
        what + " for " + clOrdId);
    }

    List<Quote> quotesFor(String instrument) {
      return quotes.stream().filter(q -> q.instrumentId().equals(instrument)).toList();
    }
  }
}
