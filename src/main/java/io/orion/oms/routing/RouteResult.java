package io.orion.oms.routing;

import io.orion.oms.order.RoutingStrategy;
import io.vertx.core.json.JsonObject;

import java.util.List;

/** What the router answers: a {@link RoutingDecision} to execute, or a {@link RouteRejection} to reject the order with. */
public sealed interface RouteResult permits RoutingDecision, RouteRejection {

  RoutingStrategy strategy();

  List<QuoteSeen> quotesSeen();

  String reason();

  /** The form stored in {@code routing_decisions.decision}: decimals as strings so that none is rounded. */
  JsonObject toJson();
}
