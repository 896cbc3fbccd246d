package io.orion.oms.instrument;

import io.orion.oms.common.Decimals;
import io.orion.oms.config.ConfigException;
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

  public static Instrument fromConfig(JsonObject j) {
    return fromConfig(j, "instrument");
  }

  /** From {@code conf/instruments.json}; {@code key} (e.g. "instruments[3]") names the entry in errors. */
  public static Instrument fromConfig(JsonObject j, String key) {
    String id = text(j, "id", key);
    String assetClass = text(j, "assetClass", key);
    if (!java.util.List.of("fx", "equity", "crypto").contains(assetClass)) {
      throw new ConfigException(key + ".assetClass", "must be fx, equity or crypto, got '" + assetClass + "'");
    }
    return new Instrument(id, assetClass, text(j, "baseCurrency", key), text(j, "quoteCurrency", key),
      positive(j, "tickSize", key), positive(j, "lotSize", key), positive(j, "minQuantity", key),
      positive(j, "referencePrice", key), j.getBoolean("enabled", true));
  }

  private static String text(JsonObject j, String name, String key) {
    Object v = j.getValue(name);
    if (!(v instanceof String s) || s.isBlank()) throw new ConfigException(key + "." + name, "is required");
    return s;
  }

  private static BigDecimal positive(JsonObject j, String name, String key) {
    try {
      BigDecimal d = Decimals.parse(j.getValue(name));
      if (d == null || d.signum() <= 0) throw new ConfigException(key + "." + name, "must be a number above 0");
      return d;
    } catch (NumberFormatException e) {
      throw new ConfigException(key + "." + name, "must be a decimal number, got '" + j.getValue(name) + "'");
    }
  }
}
