package io.orion.oms.support;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/** The system clock moved by an offset a test controls: time still flows, and a test can jump ahead. */
public final class MutableClock extends Clock {
  private volatile long offsetMs;

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    return this;
  }

  @Override
  public Instant instant() {
    return Instant.ofEpochMilli(millis());
  }

  @Override
  public long millis() {
    return System.currentTimeMillis() + offsetMs;
  }

  public void advance(Duration d) {
    offsetMs += d.toMillis();
  }

  /** Moves to just after the start of a window of {@code windowMs}: a whole window lies ahead. */
  public void alignToWindowStart(long windowMs) {
    long now = millis();
    offsetMs += (Math.floorDiv(now, windowMs) + 1) * windowMs - now + 5;
  }
}
