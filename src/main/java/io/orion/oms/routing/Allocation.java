package io.orion.oms.routing;

import io.vertx.core.json.JsonObject;

import java.math.BigDecimal;

/**
 * One child order the router chose: {@code quantity} to {@code lpId}, expected to execute at
 * {@code expectedPrice} (the LP's quoted price, or the order's limit price when the order is placed to rest).
 */
public record Allocation(String lpId, BigDecimal quantity, BigDecimal expectedPrice) {

  public JsonObject toJson() {
    return new JsonObject().put("lpId", lpId).put("quantity", quantity.toPlainString())
      .put("expectedPrice", expectedPrice.toPlainString());
  }
}
