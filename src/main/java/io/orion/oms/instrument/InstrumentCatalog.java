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
    BigDecimal direct = step(amount, from, to);
    if (direct != null || from.equals("USD") || to.equals("USD")) return direct;
    BigDecimal usd = step(amount, from, "USD");
    return usd == null ? null : step(usd, "USD", to);
  }

  /**
   * One conversion through a pair quoted either way: multiply by a BASE/QUOTE price, or divide by it
   * (dividing the amount itself, so that a round trip is not inflated by a rounded inverse rate).
   */
  private BigDecimal step(BigDecimal amount, String from, String to) {
    for (Instrument i : byId.values()) {
      if (!i.assetClass().equals("fx")) continue;
      if (i.baseCurrency().equals(from) && i.quoteCurrency().equals(to)) {
        return amount.multiply(i.referencePrice()).setScale(8, RoundingMode.HALF_UP);
      }
      if (i.baseCurrency().equals(to) && i.quoteCurrency().equals(from)) {
        return amount.divide(i.referencePrice(), 8, RoundingMode.HALF_UP);
      }
    }
    return null;
  }
}
