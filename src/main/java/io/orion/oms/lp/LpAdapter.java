package io.orion.oms.lp;

import io.vertx.core.Context;
import io.vertx.core.Future;

import java.util.List;

/**
 * The connector SPI: how the OMS talks to one liquidity provider. The FIX 4.4 adapter is the default;
 * another transport plugs in by implementing this and naming its {@code type} in the LP's config.
 * Every callback to the {@link LpListener} must be delivered on {@code context}.
 */
public interface LpAdapter {

  /** Connects (or starts connecting) and subscribes to quotes for {@code instruments}. */
  Future<Void> start(Context context, LpListener listener, List<String> instruments);

  /**
   * Sends a new order and completes with the LP's first answer to it (a NEW, TRADE or REJECTED report),
   * or fails if the session is down. The caller bounds the wait (circuit breaker timeout).
   */
  Future<ExecutionReport> send(LpOrder order);

  /** Asks the LP to cancel {@code origClOrdId}; completes with the LP's answer (CANCELED or a REJECTED report). */
  Future<ExecutionReport> cancel(String clOrdId, String origClOrdId, LpOrder original);

  /** Cancel/replace of {@code origClOrdId} with new terms under {@code replacement.clOrdId()}. */
  Future<ExecutionReport> replace(String origClOrdId, LpOrder replacement);

  /** Asks for an order's state; completes with an ORDER_STATUS report (status UNKNOWN if the LP never saw it). */
  Future<ExecutionReport> status(String clOrdId, LpOrder original);

  boolean connected();

  Future<Void> stop();
}
