package io.orion.oms.config;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** DAY orders end at the configured session end (UTC): the last one at or before now. */
class DaySessionTest {

  @Test
  void lastSessionEndIsTodaysOnceItHasPassedElseYesterdays() {
    OrionConfig.Orders orders = ConfigLoader.load(Map.of()).orders(); // default 21:00 UTC
    assertThat(orders.lastDayEnd(Instant.parse("2026-11-21T22:00:00Z"))).isEqualTo(Instant.parse("2026-11-21T21:00:00Z"));
    assertThat(orders.lastDayEnd(Instant.parse("2026-11-21T21:00:00Z"))).isEqualTo(Instant.parse("2026-11-21T21:00:00Z"));
    assertThat(orders.lastDayEnd(Instant.parse("2026-11-21T20:59:59Z"))).isEqualTo(Instant.parse("2026-11-20T21:00:00Z"));
  }

  @Test
  void aBadSessionEndNamesTheKey() {
    var json = ConfigLoader.loadJson(Map.of());
    json.getJsonObject("orders").put("dayEndUtc", "9pm");
    assertThatThrownBy(() -> OrionConfig.fromJson(json)).isInstanceOf(ConfigException.class)
      .hasMessageContaining("orders.dayEndUtc");
  }
}
