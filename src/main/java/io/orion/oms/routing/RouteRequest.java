package io.orion.oms.routing;

import io.orion.oms.instrument.Instrument;
import io.orion.oms.order.Order;
import io.orion.oms.order.OrderType;
import io.orion.oms.order.RoutingStrategy;
import io.orion.oms.order.Side;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What the router needs to know about an order. Only market and limit orders reach routing: stop, pegged and
 * trailing orders are held by the service and released as one of these.
 *
 * <p>Lots: every allocation is a whole number of {@code lotSize}, with no exception, because an LP rejects an
 * off-lot child order and a rejected child is worse than a smaller one. {@code quantity} must therefore be a
 * lot multiple itself (validation guarantees it for orders; this constructor checks it). A quote's size is
 * rounded down to whole lots before use (1,500 at lot 1,000 offers 1 lot); a quote with less than one lot is
 * unusable. Proportional split rounds each share down to whole lots and hands the remainder (a lot multiple,
 * since quantity and every share are) to the best-priced LPs that still have size, best first.
 *
 * @param quantity    what to route now: the order's remaining quantity
 * @param limitPrice  the limit for a limit order, null for a market order
 * @param lpId        the LP named by the client, for {@link RoutingStrategy#MANUAL} only
 * @param preferredLps LPs in order of preference for {@link RoutingStrategy#SEQUENTIAL}, from {@code metadata.preferredLps}
 * @param lotSize     the instrument's lot size; positive
 */
public record RouteRequest(String instrumentId, Side side, OrderType orderType, BigDecimal quantity,
                           BigDecimal limitPrice, RoutingStrategy strategy, String lpId, List<String> preferredLps,
                           BigDecimal lotSize) {

  /** Quantities above this many lots are refused, which keeps the lot arithmetic in {@code long}. */
  static final long MAX_LOTS = 1_000_000_000_000_000L;

  public RouteRequest {
    Objects.requireNonNull(instrumentId, "instrumentId");
    Objects.requireNonNull(side, "side");
    Objects.requireNonNull(orderType, "orderType");
    Objects.requireNonNull(quantity, "quantity");
    Objects.requireNonNull(strategy, "strategy");
    Objects.requireNonNull(lotSize, "lotSize");
    if (orderType != OrderType.MARKET && orderType != OrderType.LIMIT) {
      throw new IllegalArgumentException("only market and limit orders are routed, not " + orderType.wire());
    }
    if ((orderType == OrderType.LIMIT) != (limitPrice != null)) {
      throw new IllegalArgumentException("a limit order needs a limit price and a market order has none");
    }
    if (limitPrice != null && limitPrice.signum() <= 0) throw new IllegalArgumentException("limitPrice must be positive");
    if (lotSize.signum() <= 0) throw new IllegalArgumentException("lotSize must be positive");
    if (quantity.signum() <= 0) throw new IllegalArgumentException("quantity must be positive");
    if (quantity.remainder(lotSize).signum() != 0) {
      throw new IllegalArgumentException("quantity " + quantity.toPlainString() + " is not a multiple of lot size "
        + lotSize.toPlainString());
    }
    if (quantity.divideToIntegralValue(lotSize).compareTo(BigDecimal.valueOf(MAX_LOTS)) > 0) {
      throw new IllegalArgumentException("quantity is too large");
    }
    if (strategy == RoutingStrategy.MANUAL && lpId == null) throw new IllegalArgumentException("manual routing needs an lpId");
    List<String> prefs = new ArrayList<>(preferredLps == null ? 0 : preferredLps.size());
    if (preferredLps != null) for (String p : preferredLps) if (p != null) prefs.add(p);
    preferredLps = List.copyOf(prefs);
  }

  /**
   * The request for what remains of {@code order} on {@code instrument}. {@code metadata.preferredLps} is
   * free-form client data: string entries are taken in order, anything else is ignored.
   */
  public static RouteRequest of(Order order, Instrument instrument) {
    return new RouteRequest(order.instrumentId(), order.side(), order.orderType(), order.remainingQuantity(),
      order.orderType() == OrderType.LIMIT ? order.price() : null, order.routingStrategy(), order.lpId(),
      preferredLps(order.metadata()), instrument.lotSize());
  }

  static List<String> preferredLps(JsonObject metadata) {
    Object v = metadata == null ? null : metadata.getValue("preferredLps");
    List<?> raw = v instanceof JsonArray a ? a.getList() : v instanceof List<?> l ? l : List.of();
    List<String> out = new ArrayList<>(raw.size());
    for (Object o : raw) if (o instanceof String s && !s.isEmpty()) out.add(s);
    return out;
  }

  public boolean isBuy() {
    return side == Side.BUY;
  }

  public JsonObject toJson() {
    JsonObject j = new JsonObject().put("instrumentId", instrumentId).put("side", side.wire())
      .put("orderType", orderType.wire()).put("quantity", quantity.toPlainString())
      .put("limitPrice", QuoteSeen.str(limitPrice)).put("lotSize", lotSize.toPlainString());
    if (strategy == RoutingStrategy.MANUAL) j.put("lpId", lpId);
    if (!preferredLps.isEmpty()) j.put("preferredLps", new JsonArray(new ArrayList<>(preferredLps)));
    return j;
  }
}
