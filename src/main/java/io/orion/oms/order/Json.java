package io.orion.oms.order;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/** Small JSON conversions shared by the order records. */
final class Json {
  private Json() {}

  static String dec(BigDecimal d) {
    return d == null ? null : d.toPlainString();
  }

  static String time(Instant t) {
    return t == null ? null : OffsetDateTime.ofInstant(t, ZoneOffset.UTC).toString();
  }
}
