package io.orion.oms.routing;

import io.vertx.core.json.JsonObject;

import java.math.BigDecimal;

/** A quote the router looked at, how old it was and whether it could be used, for the audit trail. */
public record QuoteSeen(String lpId, BigDecimal bid, BigDecimal bidSize, BigDecimal ask, BigDecimal askSize,
                        long ageMs, Status status) {

  /** Why a quote was or was not usable for this order. */
  public enum Status {
    /** Healthy LP, priced on the order's side, within the limit, at least one lot: the strategies may use it. */
    ELIGIBLE,
    /** The LP's circuit is open (or it is not connected). */
    UNHEALTHY,
    /** No price on the side the order takes (asks for a buy, bids for a sell). */
    NO_PRICE,
    /** Priced through the order's limit (buy: ask above it; sell: bid below it). */
    THROUGH_LIMIT,
    /** Less than one lot on the order's side. */
    NO_SIZE;

    public String wire() {
      return name().toLowerCase();
    }
  }

  public JsonObject toJson() {
    return new JsonObject().put("lpId", lpId).put("bid", str(bid)).put("bidSize", str(bidSize))
      .put("ask", str(ask)).put("askSize", str(askSize)).put("ageMs", ageMs).put("status", status.wire());
  }

  static String str(BigDecimal d) {
    return d == null ? null : d.toPlainString();
  }
}
