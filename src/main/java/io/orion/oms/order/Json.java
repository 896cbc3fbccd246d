package io.orion.oms.order;

import java.math.BigDecimal;
import java.time.Instant;

/** Small JSON conversions shared by the order records. */
final class Json {
  private Json() {}

  static String dec(BigDecimal d) {
    return d == null ? null : d.toPlainString();
  }

  static String time(Instant t) {
    return t == null ? null : t.toString(); // Instant always prints seconds: RFC 3339 even on whole minutes
  }
}
