package io.orion.oms.order;

import java.math.BigDecimal;
import java.util.EnumSet;
import java.util.Set;
import java.util.UUID;

/** One part of an order placed at one LP, known there by {@code clOrdId}. */
public record Leg(UUID id, UUID orderId, String lpId, String clOrdId, String lpOrderId, BigDecimal quantity,
                  BigDecimal price, BigDecimal filledQuantity, BigDecimal averagePrice, Status status, int attempts,
                  String lastError) {

  public enum Status {
    NEW, SENT, WORKING, PARTIALLY_FILLED, FILLED, CANCELLED, REJECTED, EXPIRED, UNKNOWN, FAILED, PENDING_CANCEL,
    PENDING_REPLACE;

    /** The leg can still trade at the LP (or might, when its outcome is unknown). */
    public static final Set<Status> OPEN = EnumSet.of(NEW, SENT, WORKING, PARTIALLY_FILLED, UNKNOWN, PENDING_CANCEL,
      PENDING_REPLACE);

    public boolean open() {
      return OPEN.contains(this);
    }

    public String wire() {
      return name().toLowerCase();
    }

    public static Status fromWire(String s) {
      return valueOf(s.toUpperCase());
    }
  }

  public BigDecimal remaining() {
    return quantity.subtract(filledQuantity);
  }

  /** The same leg in {@code newStatus}. */
  public Leg withStatus(Status newStatus) {
    return new Leg(id, orderId, lpId, clOrdId, lpOrderId, quantity, price, filledQuantity, averagePrice, newStatus,
      attempts, lastError);
  }

  /** What an acknowledged leg is when nothing waits on it: partially filled once anything traded, else working. */
  public Status liveStatus() {
    return filledQuantity.signum() > 0 ? Status.PARTIALLY_FILLED : Status.WORKING;
  }
}
