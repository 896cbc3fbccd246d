package io.orion.oms.account;

import io.vertx.core.json.JsonObject;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.UUID;

/**
 * An account's net position in one instrument: signed quantity (negative is short), average entry price
 * and the P&L realised by reducing it, in the instrument's quote currency.
 */
public record Position(UUID accountId, String instrumentId, BigDecimal quantity, BigDecimal averagePrice,
                       BigDecimal realizedPnl) {

  public static Position flat(UUID accountId, String instrumentId) {
    return new Position(accountId, instrumentId, BigDecimal.ZERO, null, BigDecimal.ZERO);
  }

  /**
   * The position after a fill of {@code signedQty} (positive buys) at {@code price}: adding to a position
   * moves the average; reducing it realises P&L against the average; crossing zero opens the other side at
   * the fill price.
   */
  public Position apply(BigDecimal signedQty, BigDecimal price) {
    BigDecimal newQty = quantity.add(signedQty);
    if (quantity.signum() == 0 || quantity.signum() == signedQty.signum()) {
      BigDecimal cost = quantity.abs().multiply(averagePrice == null ? BigDecimal.ZERO : averagePrice)
        .add(signedQty.abs().multiply(price));
      return new Position(accountId, instrumentId, newQty, cost.divide(newQty.abs(), 12, RoundingMode.HALF_EVEN)
        .stripTrailingZeros(), realizedPnl);
    }
    BigDecimal closed = signedQty.abs().min(quantity.abs());
    BigDecimal pnl = price.subtract(averagePrice).multiply(closed).multiply(BigDecimal.valueOf(quantity.signum()));
    BigDecimal avg = newQty.signum() == 0 ? null : newQty.signum() == quantity.signum() ? averagePrice : price;
    return new Position(accountId, instrumentId, newQty, avg, realizedPnl.add(pnl));
  }

  public JsonObject toApiJson() {
    return new JsonObject().put("clientId", accountId.toString()).put("instrumentId", instrumentId)
      .put("quantity", quantity).put("averagePrice", averagePrice).put("realizedPnl", realizedPnl);
  }
}
