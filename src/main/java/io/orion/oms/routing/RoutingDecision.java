package io.orion.oms.routing;

import io.orion.oms.order.RoutingStrategy;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.math.BigDecimal;
import java.util.List;

/**
 * Where to send an order: {@code allocations} best-priced first, lot multiples summing to the request's
 * quantity minus {@code unfilled}. {@code unfilled} is what no healthy quote can take now (best and split
 * never allocate beyond a quote's size); the caller decides its fate: cancel it for a market order, keep it
 * to route again on the next quote for a limit order.
 */
public record RoutingDecision(RoutingStrategy strategy, RouteRequest request, List<Allocation> allocations,
                              List<QuoteSeen> quotesSeen, BigDecimal unfilled, String reason) implements RouteResult {

  public RoutingDecision {
    allocations = List.copyOf(allocations);
    quotesSeen = List.copyOf(quotesSeen);
  }

  public BigDecimal allocated() {
    BigDecimal sum = BigDecimal.ZERO;
    for (Allocation a : allocations) sum = sum.add(a.quantity());
    return sum;
  }

  @Override
  public JsonObject toJson() {
    JsonArray allocs = new JsonArray();
    for (Allocation a : allocations) allocs.add(a.toJson());
    return new JsonObject().put("outcome", "routed").put("strategy", strategy.wire()).put("request", request.toJson())
      .put("allocations", allocs).put("unfilled", unfilled.toPlainString()).put("reason", reason)
      .put("quotesSeen", RouteRejection.quotesJson(quotesSeen));
  }
}
