package io.orion.oms.instrument;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The instruments in memory, for validation on the order path without a database read. Also converts
 * amounts between currencies with the FX pairs' reference prices (direct, inverse, or through USD).
 */
public final class InstrumentCatalog {
  private final Map<String, Instrument> byId;

  public InstrumentCatalog(List<Instrument> instruments) {
    this.byId = instruments.stream().collect(Collectors.toUnmodifiableMap(Instrument::id, Function.identity()));
  }

  public Instrument get(String id) {
    return byId.get(id);
  }

  public List<Instrument> all() {
    return byId.values().stream().sorted((a, b) -> a.id().compareTo(b.id())).toList();
  }

  /** {@code amount} in {@code from} expressed in {@code to}, or null when no rate is known. */
  public BigDecimal convert(BigDecimal amount, String from, String to) {
    if (from.equals(to)) return amount;
    BigDecimal rate = rate(from, to);
    if (rate == null && !from.equals("USD") && !to.equals("USD")) {
      BigDecimal a = rate(from, "USD");
      BigDecimal b = rate("USD", to);
      if (a != null && b != null) rate = a.multiply(b);
    }
    return rate == null ? null : amount.multiply(rate).setScale(8, RoundingMode.HALF_UP);
  }

  private BigDecimal rate(String from, String to) {
    for (Instrument i : byId.values()) {
      if (!i.assetClass().equals("fx")) continue;
      if (i.baseCurrency().equals(from) && i.quoteCurrency().equals(to)) return i.referencePrice();
      if (i.baseCurrency().equals(to) && i.quoteCurrency().equals(from)) {
        return BigDecimal.ONE.divide(i.referencePrice(), 12, RoundingMode.HALF_UP);
      }
    }
    return null;
  }
}
