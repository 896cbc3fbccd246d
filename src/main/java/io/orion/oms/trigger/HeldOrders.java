package io.orion.oms.trigger;

import io.orion.oms.order.Order;
import io.orion.oms.order.OrderType;
import io.orion.oms.order.Side;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.UUID;

/**
 * The held orders of one instrument, arranged so that a quote only touches the orders it can act on. Stop and
 * stop-limit orders wait in price order: a buy can only fire once the ask reaches its stop and a sell once the bid
 * falls to it, so a quote looks at the stops it went through and nothing else (a book of ten thousand resting stops
 * costs a quote one tree lookup, not ten thousand evaluations). Trailing stops and pegged orders move with every
 * quote, so each quote looks at all of them. {@link TriggerRules} still decides every candidate.
 */
final class HeldOrders {
  private final Map<UUID, Order> byId = new HashMap<>();
  private final NavigableMap<BigDecimal, Map<UUID, Order>> buyStops = new TreeMap<>();
  private final NavigableMap<BigDecimal, Map<UUID, Order>> sellStops = new TreeMap<>();
  private final Map<UUID, Order> moving = new LinkedHashMap<>();

  void add(Order o) {
    remove(o.id());
    byId.put(o.id(), o);
    NavigableMap<BigDecimal, Map<UUID, Order>> stops = stopsOf(o);
    if (stops == null) moving.put(o.id(), o);
    else stops.computeIfAbsent(o.stopPrice(), k -> new LinkedHashMap<>()).put(o.id(), o);
  }

  /** The order removed, or null when it was not held here. */
  Order remove(UUID id) {
    Order o = byId.remove(id);
    if (o == null) return null;
    NavigableMap<BigDecimal, Map<UUID, Order>> stops = stopsOf(o);
    if (stops == null) {
      moving.remove(id);
    } else {
      Map<UUID, Order> level = stops.get(o.stopPrice());
      level.remove(id);
      if (level.isEmpty()) stops.remove(o.stopPrice());
    }
    return o;
  }

  Order get(UUID id) {
    return byId.get(id);
  }

  boolean isEmpty() {
    return byId.isEmpty();
  }

  /**
   * Every order a quote at this best bid and ask may fire, move or re-price: buy stops at or below the ask, sell
   * stops at or above the bid, and every trailing stop and pegged order. A fresh list: deciding may change the book.
   */
  List<Order> candidates(BigDecimal bid, BigDecimal ask) {
    List<Order> out = new ArrayList<>(moving.values());
    if (ask != null) addAll(buyStops.headMap(ask, true).values(), out);
    if (bid != null) addAll(sellStops.tailMap(bid, true).values(), out);
    return out;
  }

  private static void addAll(Collection<Map<UUID, Order>> levels, List<Order> out) {
    for (Map<UUID, Order> level : levels) out.addAll(level.values());
  }

  /** Where a stop waits by price; null for the orders every quote must look at. */
  private NavigableMap<BigDecimal, Map<UUID, Order>> stopsOf(Order o) {
    boolean stop = o.orderType() == OrderType.STOP || o.orderType() == OrderType.STOP_LIMIT;
    if (!stop || o.stopPrice() == null) return null;
    return o.side() == Side.BUY ? buyStops : sellStops;
  }
}
