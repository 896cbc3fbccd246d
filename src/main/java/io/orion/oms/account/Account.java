package io.orion.oms.account;

import io.orion.oms.common.Decimals;
import io.vertx.core.json.JsonObject;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.UUID;

/** A trading account: cash {@code balance}, the part {@code reserved} by open buy orders, and its risk limits. */
public record Account(UUID id, String tenantId, String ownerId, String name, String currency, BigDecimal balance,
                      BigDecimal reserved, BigDecimal maxOrderNotional, BigDecimal maxPositionQuantity,
                      Instant createdAt, Instant updatedAt) {

  /** The account as if {@code held} (an order's own held funds) were not reserved: what a change of that order may use. */
  public Account withoutHold(BigDecimal held) {
    return new Account(id, tenantId, ownerId, name, currency, balance, reserved.subtract(held).max(BigDecimal.ZERO),
      maxOrderNotional, maxPositionQuantity, createdAt, updatedAt);
  }

  public BigDecimal available() {
    return balance.subtract(reserved);
  }

  public JsonObject toApiJson() {
    return new JsonObject().put("id", id.toString()).put("ownerId", ownerId).put("name", name)
      .put("currency", currency).put("balance", balance).put("reserved", reserved).put("available", available())
      .put("riskLimits", new JsonObject().put("maxOrderNotional", maxOrderNotional)
        .put("maxPositionQuantity", maxPositionQuantity))
      .put("createdAt", createdAt.toString()).put("updatedAt", updatedAt.toString());
  }

  /** Event-bus form: decimals as strings. */
  public JsonObject toBusJson() {
    return new JsonObject().put("id", id.toString()).put("tenantId", tenantId).put("ownerId", ownerId)
      .put("name", name).put("currency", currency).put("balance", balance.toPlainString())
      .put("reserved", reserved.toPlainString())
      .put("maxOrderNotional", maxOrderNotional == null ? null : maxOrderNotional.toPlainString())
      .put("maxPositionQuantity", maxPositionQuantity == null ? null : maxPositionQuantity.toPlainString())
      .put("createdAt", createdAt.toString()).put("updatedAt", updatedAt.toString());
  }

  public static Account fromBusJson(JsonObject j) {
    return new Account(UUID.fromString(j.getString("id")), j.getString("tenantId"), j.getString("ownerId"),
      j.getString("name"), j.getString("currency"), Decimals.parse(j.getValue("balance")),
      Decimals.parse(j.getValue("reserved")), Decimals.parse(j.getValue("maxOrderNotional")),
      Decimals.parse(j.getValue("maxPositionQuantity")), Instant.parse(j.getString("createdAt")),
      Instant.parse(j.getString("updatedAt")));
  }
}
