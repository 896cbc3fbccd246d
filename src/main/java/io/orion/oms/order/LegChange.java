package io.orion.oms.order;

import java.math.BigDecimal;
import java.util.UUID;

/**
 * One leg's part in a modification of a routed order: a cancel/replace to {@code quantity} (the leg's new
 * total, filled part included) at {@code price}, or a cancel when a reduction empties the leg. The LP knows
 * the request by {@code clOrdId}; {@code origClOrdId} is what it knew the leg by until then.
 */
public record LegChange(UUID id, UUID modificationId, UUID orderId, UUID legId, Kind kind, String clOrdId,
                        String origClOrdId,
                        BigDecimal quantity, BigDecimal price, Status status, String reason) {

  public enum Kind { REPLACE, CANCEL }

  public enum Status { PENDING, APPLIED, REFUSED }
}
