package io.orion.oms.lp.fix;

import io.orion.oms.config.ConfigException;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import quickfix.FieldMap;
import quickfix.FieldNotFound;
import quickfix.Log;
import quickfix.LogFactory;
import quickfix.SessionID;
import quickfix.UtcTimestampPrecision;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;

/**
 * What the FIX adapter and the LP simulator share: decimal and time conversions that never go through
 * double, a QuickFIX/J log that keeps messages at DEBUG, and key-naming reads of JSON configuration.
 */
public final class FixSupport {
  private FixSupport() {}

  /** A decimal field as written on the wire; QuickFIX/J's generated price fields are doubles, so we go by string. */
  public static BigDecimal decimal(FieldMap m, int tag) {
    if (!m.isSetField(tag)) return null;
    try {
      return new BigDecimal(m.getString(tag).trim());
    } catch (FieldNotFound e) {
      return null;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("tag " + tag + " is not a decimal", e);
    }
  }

  public static void setDecimal(FieldMap m, int tag, BigDecimal value) {
    if (value != null) m.setString(tag, value.toPlainString());
  }

  public static String string(FieldMap m, int tag) {
    try {
      return m.isSetField(tag) ? m.getString(tag) : null;
    } catch (FieldNotFound e) {
      return null;
    }
  }

  public static Character character(FieldMap m, int tag) {
    String s = string(m, tag);
    return s == null || s.isEmpty() ? null : s.charAt(0);
  }

  public static Instant timestamp(FieldMap m, int tag) {
    try {
      return m.isSetField(tag) ? m.getUtcTimeStamp(tag).toInstant(ZoneOffset.UTC) : null;
    } catch (FieldNotFound | RuntimeException e) {
      return null;
    }
  }

  /** TransactTime and friends with microseconds: {@code TimeStampPrecision} only changes header times. */
  public static void setMicros(FieldMap m, int tag, Instant t) {
    LocalDateTime utc = LocalDateTime.ofInstant(t.truncatedTo(ChronoUnit.MICROS), ZoneOffset.UTC);
    m.setUtcTimeStamp(tag, utc, UtcTimestampPrecision.MICROS);
  }

  /** QuickFIX/J log: session events at INFO, errors at WARN, every message at DEBUG (quotes would flood INFO). */
  public static LogFactory logFactory(String category) {
    return sessionId -> new Slf4jLog(LoggerFactory.getLogger(category), sessionId);
  }

  private record Slf4jLog(Logger log, SessionID session) implements Log {
    @Override
    public void clear() {
      // nothing is kept
    }

    @Override
    public void onIncoming(String message) {
      if (log.isDebugEnabled()) log.debug("{} <- {}", session, message.replace('\u0001', '|'));
    }

    @Override
    public void onOutgoing(String message) {
      if (log.isDebugEnabled()) log.debug("{} -> {}", session, message.replace('\u0001', '|'));
    }

    @Override
    public void onEvent(String text) {
      log.info("{}: {}", session, text);
    }

    @Override
    public void onErrorEvent(String text) {
      log.warn("{}: {}", session, text);
    }
  }
}
