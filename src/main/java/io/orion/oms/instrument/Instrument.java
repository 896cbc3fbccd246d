package io.orion.oms.instrument;

import io.orion.oms.common.Decimals;
import io.vertx.core.json.JsonObject;

import java.math.BigDecimal;

/** A tradable instrument and its rules: prices on {@code tickSize}, quantities in multiples of {@code lotSize}. */
public record Instrument(String id, String assetClass, String baseCurrency, String quoteCurrency, BigDecimal tickSize,
                         BigDecimal lotSize, BigDecimal minQuantity, BigDecimal referencePrice, boolean enabled) {

  public JsonObject toApiJson() {
    return new JsonObject().put("id", id).put("assetClass", assetClass).put("baseCurrency", baseCurrency)
      .put("quoteCurrency", quoteCurrency).put("tickSize", tickSize).put("lotSize", lotSize)
      .put("minQuantity", minQuantity).put("referencePrice", referencePrice).put("enabled", enabled);
  }

  /** From {@code conf/instruments.json}. */
  public static Instrument fromConfig(JsonObject j) {
    return new Instrument(j.getString("id"), j.getString("assetClass"), j.getString("baseCurrency"),
      j.getString("quoteCurrency"), Decimals.parse(j.getValue("tickSize")), Decimals.parse(j.getValue("lotSize")),
      Decimals.parse(j.getValue("minQuantity")), Decimals.parse(j.getValue("referencePrice")),
      j.getBoolean("enabled", true));
  }
}
