package io.orion.oms.lp;

import java.math.BigDecimal;
import java.time.Instant;

/** An LP's top of book for one instrument: what it will buy ({@code bid}) and sell ({@code ask}) at, and how much. */
public record Quote(String lpId, String instrumentId, BigDecimal bid, BigDecimal bidSize, BigDecimal ask,
                    BigDecimal askSize, Instant time) {
}
