package io.orion.oms.lp;

import io.orion.oms.order.Side;

import java.math.BigDecimal;
import java.time.Instant;

/**
 * An LP's execution report, transport-neutral. {@code execId} is unique per LP and is the key that
 * makes applying a report idempotent; {@code lastQty}/{@code lastPx} are set on fills only.
 */
public record ExecutionReport(String lpId, String execId, String clOrdId, String origClOrdId, String lpOrderId,
                              Kind kind, LpOrderStatus status, String instrumentId, Side side, BigDecimal lastQty,
                              BigDecimal lastPx, BigDecimal cumQty, BigDecimal leavesQty, BigDecimal avgPx,
                              String text, Instant transactTime, boolean possDup) {

  /** Why the report was sent (FIX ExecType). */
  public enum Kind { NEW, TRADE, CANCELED, REPLACED, REJECTED, EXPIRED, ORDER_STATUS, PENDING_CANCEL, PENDING_REPLACE }

  /** The order's state at the LP after this report (FIX OrdStatus). */
  public enum LpOrderStatus { NEW, PARTIALLY_FILLED, FILLED, CANCELED, REJECTED, EXPIRED, PENDING_CANCEL, PENDING_REPLACE, UNKNOWN }
}
