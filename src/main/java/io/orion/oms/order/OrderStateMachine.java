package io.orion.oms.order;

import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

import static io.orion.oms.order.OrderStatus.*;

/**
 * The one place that says which status may follow which. Every status write goes through
 * {@link #check}; an illegal transition is refused, never applied.
 */
public final class OrderStateMachine {
  private static final Map<OrderStatus, Set<OrderStatus>> NEXT = new EnumMap<>(OrderStatus.class);

  static {
    NEXT.put(PENDING, EnumSet.of(PENDING, WORKING, PARTIAL_FILL, FILLED, CANCELLED, REJECTED, EXPIRED, PENDING_CANCEL,
      PENDING_REPLACE));
    NEXT.put(WORKING, EnumSet.of(WORKING, PARTIAL_FILL, FILLED, CANCELLED, REJECTED, EXPIRED, PENDING_CANCEL,
      PENDING_REPLACE));
    NEXT.put(PARTIAL_FILL, EnumSet.of(PARTIAL_FILL, FILLED, CANCELLED, EXPIRED, PENDING_CANCEL, PENDING_REPLACE));
    NEXT.put(PENDING_CANCEL, EnumSet.of(PENDING_CANCEL, PARTIAL_FILL, FILLED, CANCELLED, EXPIRED, WORKING, REJECTED));
    NEXT.put(PENDING_REPLACE, EnumSet.of(PENDING_REPLACE, WORKING, PARTIAL_FILL, FILLED, CANCELLED, EXPIRED,
      PENDING_CANCEL, REJECTED));
    for (OrderStatus s : OrderStatus.FINAL) NEXT.put(s, EnumSet.noneOf(OrderStatus.class));
  }

  private OrderStateMachine() {}

  public static boolean allowed(OrderStatus from, OrderStatus to) {
    return NEXT.get(from).contains(to);
  }

  /** Throws when {@code from → to} is not a legal move: a bug or a late report, never to be written. */
  public static OrderStatus check(OrderStatus from, OrderStatus to) {
    if (!allowed(from, to)) throw new IllegalTransition(from, to);
    return to;
  }

  public static final class IllegalTransition extends IllegalStateException {
    public IllegalTransition(OrderStatus from, OrderStatus to) {
      super("Illegal order transition " + from.wire() + " -> " + to.wire());
    }
  }
}
