package io.orion.oms.order;

import java.util.EnumSet;
import java.util.Set;

/** Order states; the transitions between them are decided in one place (the lifecycle state machine). */
public enum OrderStatus {
  PENDING, WORKING, PARTIAL_FILL, FILLED, CANCELLED, REJECTED, EXPIRED, PENDING_CANCEL, PENDING_REPLACE;

  public static final Set<OrderStatus> FINAL = EnumSet.of(FILLED, CANCELLED, REJECTED, EXPIRED);

  public boolean isFinal() {
    return FINAL.contains(this);
  }

  public String wire() {
    return name().toLowerCase();
  }

  public static OrderStatus fromWire(String value) {
    return valueOf(value.toUpperCase());
  }
}
