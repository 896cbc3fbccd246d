package io.orion.oms.order;

/**
 * The closed vocabulary of the audit trail ({@code execution_logs.event_type}): one entry per step of an
 * order's life. The event stream uses its own lower-case names ({@code order.filled}); {@link #of} maps them.
 */
public enum AuditAction {
  /** The request as received (after its syntax was checked). */
  SUBMITTED,
  /** Instrument, balance and risk checks passed; funds held. */
  VALIDATED,
  /** A routing decision, with the quotes it saw and the allocations it made. */
  ROUTED,
  /** A leg handed to its LP's connector. */
  SENT,
  /** A send attempt that failed, with {@code errorCode} and {@code retryAttempt} (0 = the first send). */
  EXECUTED,
  /** The LP answered a resend: the order is at the LP exactly once. */
  RECOVERED,
  /** The trigger fired (a stop reached, a pegged order's first price): the held order goes to routing. */
  TRIGGERED,
  /** A trailing stop's level moved, or a pegged order's re-price took effect. */
  REPRICED,
  /** A pegged order's re-price was sent to its LPs (cancel/replace). */
  REPRICE_REQUESTED,
  /** Every LP refused a pegged order's re-price: it keeps its price. */
  REPRICE_REJECTED,
  /** An LP acknowledged the order: it is working. */
  ACKNOWLEDGED,
  PARTIALLY_FILLED,
  FILLED,
  /** A modification of a routed order asked of its LPs (cancel/replace), pending their answers. */
  MODIFY_REQUESTED,
  MODIFIED,
  /** Every LP refused the modification: the order keeps its terms. */
  MODIFY_REJECTED,
  CANCEL_REQUESTED,
  /** The LPs refused the cancel (the order filled first, usually): it works on. */
  CANCEL_REJECTED,
  CANCELLED,
  REJECTED,
  EXPIRED,
  /** A leg that never reached its LP (unreachable, or unknown there after the retries): placed elsewhere. */
  LEG_FAILED,
  /** An LP refused a leg; its quantity is placed elsewhere when another LP can take it. */
  LEG_REJECTED,
  /** Part of the quantity found no LP to take it while other legs still work. */
  UNPLACED,
  /** An LP refused a cancel or replace request about a leg (the leg is unchanged). */
  REQUEST_REFUSED;

  /** The audit action for an event-stream name such as {@code order.partially_filled}. */
  public static AuditAction of(String eventType) {
    switch (eventType) {
      case "order.working": return ACKNOWLEDGED;
      case "order.cancel_rejected": return CANCEL_REJECTED;
      default:
        return valueOf(eventType.substring(eventType.indexOf('.') + 1).toUpperCase(java.util.Locale.ROOT));
    }
  }
}
