package io.orion.oms.common;

import java.math.BigDecimal;
import java.math.RoundingMode;

/** Conversions between JSON values and {@link BigDecimal}; money and quantities never pass through double math. */
public final class Decimals {
  private Decimals() {}

  /**
   * Reads a decimal sent as a JSON number or string. Floating JSON numbers are parsed by
   * {@link DecimalJson} as BigDecimal already; a Double can only come from elsewhere and is taken by
   * its shortest decimal form.
   */
  public static BigDecimal parse(Object value) {
    if (value == null) return null;
    BigDecimal d;
    if (value instanceof BigDecimal b) d = b;
    else if (value instanceof Integer || value instanceof Long || value instanceof Short) d = BigDecimal.valueOf(((Number) value).longValue());
    else if (value instanceof java.math.BigInteger bi) d = new BigDecimal(bi);
    else if (value instanceof Number n) d = new BigDecimal(Double.toString(n.doubleValue()));
    else d = new BigDecimal(value.toString().trim());
    return d.scale() < 0 ? d.setScale(0, RoundingMode.UNNECESSARY) : d;
  }

  /** True when {@code value} is an exact multiple of {@code step}. */
  public static boolean isMultipleOf(BigDecimal value, BigDecimal step) {
    return value.remainder(step).signum() == 0;
  }

  /** Decimals of a currency's smallest unit (2 for USD, 0 for JPY); 2 when the JDK does not know it. */
  public static int minorUnits(String currency) {
    try {
      int d = java.util.Currency.getInstance(currency).getDefaultFractionDigits();
      return d < 0 ? 2 : d;
    } catch (IllegalArgumentException e) {
      return 2;
    }
  }

  /** Money for messages: two decimals with thousands separators, e.g. 15,000.00. */
  public static String money(BigDecimal amount) {
    return String.format(java.util.Locale.ROOT, "%,.2f", amount.setScale(2, RoundingMode.HALF_UP));
  }
}
