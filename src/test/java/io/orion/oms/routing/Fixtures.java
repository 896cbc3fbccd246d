package io.orion.oms.routing;

import io.orion.oms.lp.Quote;
import io.orion.oms.order.OrderType;
import io.orion.oms.order.RoutingStrategy;
import io.orion.oms.order.Side;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;

/** Quotes and requests for the routing tests, on EURUSD (lot 1,000) unless told otherwise. */
final class Fixtures {
  static final Instant NOW = Instant.parse("2025-03-03T10:00:00Z");
  static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
  static final String EURUSD = "EURUSD";
  static final BigDecimal LOT = new BigDecimal("1000");

  private Fixtures() {}

  static BigDecimal d(String s) {
    return new BigDecimal(s);
  }

  /** A two-sided quote 100 ms old. */
  static Quote quote(String lp, String bid, String bidSize, String ask, String askSize) {
    return quote(lp, bid, bidSize, ask, askSize, 100);
  }

  static Quote quote(String lp, String bid, String bidSize, String ask, String askSize, long ageMs) {
    return new Quote(lp, EURUSD, bid == null ? null : d(bid), bidSize == null ? null : d(bidSize),
      ask == null ? null : d(ask), askSize == null ? null : d(askSize), NOW.minusMillis(ageMs));
  }

  /** An ask-only quote, for buys. */
  static Quote ask(String lp, String ask, String size) {
    return quote(lp, null, null, ask, size);
  }

  /** A bid-only quote, for sells. */
  static Quote bid(String lp, String bid, String size) {
    return quote(lp, bid, size, null, null);
  }

  static RouteRequest market(Side side, String qty, RoutingStrategy s) {
    return new RouteRequest(EURUSD, side, OrderType.MARKET, d(qty), null, s, null, List.of(), LOT);
  }

  static RouteRequest limit(Side side, String qty, String limit, RoutingStrategy s) {
    return new RouteRequest(EURUSD, side, OrderType.LIMIT, d(qty), d(limit), s, null, List.of(), LOT);
  }

  static RouteRequest sequential(Side side, OrderType type, String qty, String limit, List<String> preferred) {
    return new RouteRequest(EURUSD, side, type, d(qty), limit == null ? null : d(limit), RoutingStrategy.SEQUENTIAL,
      null, preferred, LOT);
  }

  static RouteRequest manual(Side side, OrderType type, String qty, String limit, String lpId) {
    return new RouteRequest(EURUSD, side, type, d(qty), limit == null ? null : d(limit), RoutingStrategy.MANUAL, lpId,
      List.of(), LOT);
  }

  static Router router(String... knownLps) {
    return new Router(CLOCK, Set.of(knownLps));
  }
}
