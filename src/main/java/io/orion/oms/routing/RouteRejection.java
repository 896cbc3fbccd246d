package io.orion.oms.routing;

import io.orion.oms.order.RoutingStrategy;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;

/** The order cannot be routed: {@code code} is one of the constants below, {@code reason} says why to a human. */
public record RouteRejection(RoutingStrategy strategy, RouteRequest request, String code, String reason,
                             List<QuoteSeen> quotesSeen) implements RouteResult {

  /** No LP is healthy (every circuit open): nothing can be sent anywhere. */
  public static final String NO_HEALTHY_LP = "NO_HEALTHY_LP";
  public static final String NO_HEALTHY_LP_REASON = "No healthy LPs available";
  /** Manual routing named an LP that is not configured. */
  public static final String UNKNOWN_LP = "UNKNOWN_LP";
  /** Manual routing named an LP whose circuit is open. */
  public static final String LP_UNHEALTHY = "LP_UNHEALTHY";
  /** A market order found no fresh, priced quote of at least one lot at any healthy LP (or at the named one). */
  public static final String NO_LIQUIDITY = "NO_LIQUIDITY";

  public RouteRejection {
    quotesSeen = List.copyOf(quotesSeen);
  }

  @Override
  public JsonObject toJson() {
    return new JsonObject().put("outcome", "rejected").put("strategy", strategy.wire())
      .put("request", request.toJson()).put("code", code).put("reason", reason)
      .put("quotesSeen", quotesJson(quotesSeen));
  }

  static JsonArray quotesJson(List<QuoteSeen> quotes) {
    JsonArray a = new JsonArray();
    for (QuoteSeen q : quotes) a.add(q.toJson());
    return a;
  }
}
