package io.orion.oms.routing;

import io.orion.oms.lp.Quote;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The latest quote per (instrument, LP).
 *
 * <p>Not thread-safe, on purpose: the RoutingVerticle owns one book and touches it only from its own event
 * loop (quote updates and routing requests are both messages to that verticle), so a lock would only add
 * cost to the routing path. Do not share an instance across verticles or worker threads.
 */
public final class QuoteBook {
  private final Map<String, Map<String, Quote>> byInstrument = new HashMap<>();

  /**
   * Records {@code quote} as its LP's latest for its instrument. A quote older than the one held is ignored:
   * event-bus delivery from several connectors does not guarantee order, and a late stale quote must not
   * replace a fresher one.
   */
  public void update(Quote quote) {
    Objects.requireNonNull(quote.lpId(), "lpId");
    Objects.requireNonNull(quote.instrumentId(), "instrumentId");
    Objects.requireNonNull(quote.time(), "time");
    Map<String, Quote> lps = byInstrument.computeIfAbsent(quote.instrumentId(), k -> new HashMap<>());
    Quote held = lps.get(quote.lpId());
    if (held == null || !quote.time().isBefore(held.time())) lps.put(quote.lpId(), quote);
  }

  /**
   * The quotes for {@code instrumentId} at most {@code maxAgeMs} old at {@code now}; older ones are skipped
   * (kept in the book: a newer quote replaces them). A quote stamped slightly in the future (LP clock ahead
   * of ours) counts as fresh. At most one quote per LP, in no particular order.
   */
  public List<Quote> quotes(String instrumentId, Instant now, long maxAgeMs) {
    Map<String, Quote> lps = byInstrument.get(instrumentId);
    if (lps == null || lps.isEmpty()) return List.of();
    long nowMs = now.toEpochMilli();
    List<Quote> fresh = new ArrayList<>(lps.size());
    for (Quote q : lps.values()) {
      if (nowMs - q.time().toEpochMilli() <= maxAgeMs) fresh.add(q);
    }
    return fresh;
  }

  /** Drops every quote of {@code lpId}: once its session is down its prices are no longer firm. */
  /** The best fresh bid (highest) or ask (lowest) across LPs, or null when no fresh quote has that side. */
  public java.math.BigDecimal best(String instrumentId, boolean bid, Instant now, long maxAgeMs) {
    java.math.BigDecimal best = null;
    for (Quote q : quotes(instrumentId, now, maxAgeMs)) {
      java.math.BigDecimal p = bid ? q.bid() : q.ask();
      if (p == null || p.signum() <= 0) continue;
      if (best == null || (bid ? p.compareTo(best) > 0 : p.compareTo(best) < 0)) best = p;
    }
    return best;
  }

  public void removeLp(String lpId) {
    for (Map<String, Quote> lps : byInstrument.values()) lps.remove(lpId);
  }

  /** The latest quote of {@code lpId} for {@code instrumentId} however old, or null. */
  public Quote latest(String instrumentId, String lpId) {
    Map<String, Quote> lps = byInstrument.get(instrumentId);
    return lps == null ? null : lps.get(lpId);
  }
}
