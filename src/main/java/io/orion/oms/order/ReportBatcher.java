package io.orion.oms.order;

import io.orion.oms.lp.ExecutionReport;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiPredicate;

/**
 * Group commit of execution reports, as {@link SubmitBatcher} is of submissions: the reports that arrive while
 * earlier ones are being written wait, then the reports of many orders are applied in one transaction and one
 * commit ({@link ExecutionApplier#applyOrders}). Nothing waits for a timer: a lone report goes at once; under
 * load the transactions grow by themselves while at most {@link #MAX_IN_FLIGHT} are being written.
 *
 * <p>An order's reports are applied one transaction at a time, in arrival order: two transactions of one order
 * would race for its row lock, and an IOC's CANCELED could be applied before the TRADE that came first, closing
 * the order and losing the fill. A transaction takes every report of the orders it takes that has arrived by the
 * time it has a connection, so an acknowledgement and the fill right behind it share one commit.
 *
 * <p>A transaction that fails is rolled back whole; its orders are then applied one transaction each, and an
 * order whose reports fail together has them applied one by one, so only the report at fault fails.
 *
 * <p>Runs on the order verticle's event loop only (no locking).
 */
final class ReportBatcher {
  /** Report transactions being written at once (each holds one pooled connection until its commit). */
  static final int MAX_IN_FLIGHT = 2;
  /** Orders per transaction at most. */
  static final int MAX_ORDERS = 64;
  private static final int RECENT_REPORTS = 8192;

  private final Vertx vertx;
  private final ExecutionApplier applier;
  /** What follows a report's transaction (its outcome); answers whether it committed a change. */
  private final BiPredicate<ExecutionReport, Future<ExecutionApplier.Applied>> after;
  /** Told after a transaction committed changes (the outbox rows are there to publish). */
  private final Runnable committed;

  /** Reports waiting or being applied, by order key; a key is here while it has either. */
  private final Map<String, ArrayDeque<ExecutionReport>> queued = new HashMap<>();
  /** Keys with waiting reports and no transaction under way, oldest first. */
  private final LinkedHashSet<String> ready = new LinkedHashSet<>();
  private int inFlight;
  private boolean drainScheduled;

  /**
   * LP + ExecID of reports applied lately. The LP's first report of a send comes twice (in the send's reply
   * and on the stream); the copy is dropped here instead of costing work that the primary key of
   * execution_reports would turn into a no-op anyway. An order's reports are applied one transaction after
   * another, so the copy finds the original here once it committed. Bounded: an older copy still meets the
   * primary key.
   */
  private final Map<String, Boolean> recentlyApplied = new LinkedHashMap<>(1024, 0.75f, false) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
      return size() > RECENT_REPORTS;
    }
  };

  ReportBatcher(Vertx vertx, ExecutionApplier applier,
                BiPredicate<ExecutionReport, Future<ExecutionApplier.Applied>> after, Runnable committed) {
    this.vertx = vertx;
    this.applier = applier;
    this.after = after;
    this.committed = committed;
  }

  void add(ExecutionReport report) {
    String key = OrderLifecycle.orderKey(report.clOrdId());
    ArrayDeque<ExecutionReport> waiting = queued.get(key);
    if (waiting == null) {
      waiting = new ArrayDeque<>(2);
      queued.put(key, waiting);
      ready.add(key);
    }
    waiting.add(report); // when the key is in a transaction, the next one takes it
    if (!drainScheduled) {
      // at the end of this event-loop task (and of the reports queued behind it), so that a burst goes together
      drainScheduled = true;
      vertx.runOnContext(v -> {
        drainScheduled = false;
        drain();
      });
    }
  }

  private void drain() {
    while (inFlight < MAX_IN_FLIGHT && !ready.isEmpty()) {
      inFlight++;
      List<String> keys = new ArrayList<>();
      List<List<ExecutionReport>> taken = new ArrayList<>();
      applier.applyOrders(() -> take(keys, taken))
        .transform(ar -> {
          if (ar.succeeded()) return Future.succeededFuture(results(ar.result()));
          if (taken.isEmpty()) take(keys, taken); // failed before it took anything (no connection): those fail
          return taken.size() == 1 && taken.get(0).size() == 1 ? Future.succeededFuture(failed(taken, ar.cause()))
            : alone(taken);
        })
        .onComplete(ar -> {
          inFlight--;
          done(keys, taken, ar.result());
          drain();
        });
    }
  }

  /** The ready keys' waiting reports (each report once, none applied already), up to {@link #MAX_ORDERS} orders. */
  private List<List<ExecutionReport>> take(List<String> keys, List<List<ExecutionReport>> taken) {
    Iterator<String> it = ready.iterator();
    while (it.hasNext() && keys.size() < MAX_ORDERS) {
      String key = it.next();
      it.remove();
      ArrayDeque<ExecutionReport> waiting = queued.get(key);
      List<ExecutionReport> group = new ArrayList<>(waiting.size());
      Set<String> ids = new HashSet<>();
      for (ExecutionReport r; (r = waiting.poll()) != null; ) {
        String id = reportId(r);
        if (!recentlyApplied.containsKey(id) && ids.add(id)) group.add(r); // a copy queued twice goes once
      }
      if (group.isEmpty()) {
        queued.remove(key);
        continue;
      }
      keys.add(key);
      taken.add(group);
    }
    return taken;
  }

  /** After a transaction: each report's sequel, then its orders' next reports become ready. */
  private void done(List<String> keys, List<List<ExecutionReport>> taken,
                    List<List<Future<ExecutionApplier.Applied>>> results) {
    boolean changed = false;
    for (int g = 0; g < taken.size(); g++) {
      for (int i = 0; i < taken.get(g).size(); i++) {
        ExecutionReport r = taken.get(g).get(i);
        Future<ExecutionApplier.Applied> result = results.get(g).get(i);
        if (result.succeeded()) recentlyApplied.put(reportId(r), Boolean.TRUE);
        changed |= after.test(r, result);
      }
    }
    if (changed) committed.run();
    for (String key : keys) {
      ArrayDeque<ExecutionReport> waiting = queued.get(key);
      if (waiting.isEmpty()) queued.remove(key);
      else ready.add(key);
    }
  }

  /** After a failed transaction: each order in a transaction of its own; its reports one by one if they fail together. */
  private Future<List<List<Future<ExecutionApplier.Applied>>>> alone(List<List<ExecutionReport>> taken) {
    List<Future<List<Future<ExecutionApplier.Applied>>>> each = new ArrayList<>(taken.size());
    for (List<ExecutionReport> group : taken) {
      each.add(applier.applyAll(group).transform(ar -> ar.succeeded()
        ? Future.succeededFuture(succeeded(ar.result()))
        : group.size() > 1 ? oneByOne(group) : Future.succeededFuture(List.of(Future.failedFuture(ar.cause())))));
    }
    return Future.join(each).transform(x -> {
      List<List<Future<ExecutionApplier.Applied>>> out = new ArrayList<>(each.size());
      for (Future<List<Future<ExecutionApplier.Applied>>> f : each) out.add(f.result());
      return Future.succeededFuture(out);
    });
  }

  /** Each report in a transaction of its own, one after another. */
  private Future<List<Future<ExecutionApplier.Applied>>> oneByOne(List<ExecutionReport> reports) {
    List<Future<ExecutionApplier.Applied>> out = new ArrayList<>(reports.size());
    Future<Void> chain = Future.succeededFuture();
    for (ExecutionReport r : reports) {
      chain = chain.transform(x -> applier.apply(r).transform(ar -> {
        out.add(ar.succeeded() ? Future.succeededFuture(ar.result()) : Future.failedFuture(ar.cause()));
        return Future.<Void>succeededFuture();
      }));
    }
    return chain.map(out);
  }

  private static List<List<Future<ExecutionApplier.Applied>>> results(List<List<ExecutionApplier.Applied>> applied) {
    List<List<Future<ExecutionApplier.Applied>>> out = new ArrayList<>(applied.size());
    for (List<ExecutionApplier.Applied> group : applied) out.add(succeeded(group));
    return out;
  }

  private static List<Future<ExecutionApplier.Applied>> succeeded(List<ExecutionApplier.Applied> applied) {
    List<Future<ExecutionApplier.Applied>> out = new ArrayList<>(applied.size());
    for (ExecutionApplier.Applied a : applied) out.add(Future.succeededFuture(a));
    return out;
  }

  private static List<List<Future<ExecutionApplier.Applied>>> failed(List<List<ExecutionReport>> taken, Throwable cause) {
    List<List<Future<ExecutionApplier.Applied>>> out = new ArrayList<>(taken.size());
    for (List<ExecutionReport> group : taken) {
      List<Future<ExecutionApplier.Applied>> f = new ArrayList<>(group.size());
      for (int i = 0; i < group.size(); i++) f.add(Future.failedFuture(cause));
      out.add(f);
    }
    return out;
  }

  private static String reportId(ExecutionReport r) {
    return LegRepository.reportId(r.lpId(), r.execId());
  }
}
