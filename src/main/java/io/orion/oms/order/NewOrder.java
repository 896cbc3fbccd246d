package io.orion.oms.order;

import io.orion.oms.common.Decimals;
import io.vertx.core.json.JsonObject;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.UUID;

/** A submission as the client sent it, after the contract accepted its syntax. */
public record NewOrder(UUID accountId, String instrumentId, Side side, OrderType orderType, TimeInForce timeInForce,
                       BigDecimal quantity, BigDecimal price, BigDecimal stopPrice, BigDecimal pegOffset,
                       BigDecimal trailAmount, Instant expiryDate, RoutingStrategy routingStrategy, String lpId,
                       String clientOrderId, JsonObject metadata) {

  public NewOrder {
    routingStrategy = routingStrategy == null ? RoutingStrategy.BEST : routingStrategy;
    metadata = metadata == null ? new JsonObject() : metadata;
  }

  /** From the API body (field names of the contract; decimals as numbers or strings). */
  public static NewOrder fromApi(JsonObject b) {
    String strategy = b.getString("routingStrategy");
    String expiry = b.getString("expiryDate");
    return new NewOrder(UUID.fromString(b.getString("clientId")), b.getString("instrumentId"),
      Side.fromWire(b.getString("side")), OrderType.fromWire(b.getString("orderType")),
      TimeInForce.fromWire(b.getString("timeInForce")), Decimals.parse(b.getValue("quantity")),
      Decimals.parse(b.getValue("price")), Decimals.parse(b.getValue("stopPrice")),
      Decimals.parse(b.getValue("pegOffset")), Decimals.parse(b.getValue("trailAmount")),
      expiry == null ? null : Instant.parse(expiry), strategy == null ? null : RoutingStrategy.fromWire(strategy),
      b.getString("lpId"), b.getString("clientOrderId"), b.getJsonObject("metadata"));
  }

  /** The event-bus form: decimals as strings so they cross a cluster exactly. */
  public JsonObject toBusJson() {
    return new JsonObject()
      .put("clientId", accountId.toString()).put("instrumentId", instrumentId).put("side", side.wire())
      .put("orderType", orderType.wire()).put("timeInForce", timeInForce.wire())
      .put("quantity", Json.dec(quantity)).put("price", Json.dec(price)).put("stopPrice", Json.dec(stopPrice))
      .put("pegOffset", Json.dec(pegOffset)).put("trailAmount", Json.dec(trailAmount))
      .put("expiryDate", expiryDate == null ? null : expiryDate.toString())
      .put("routingStrategy", routingStrategy.wire()).put("lpId", lpId).put("clientOrderId", clientOrderId)
      .put("metadata", metadata);
  }

  public static NewOrder fromBusJson(JsonObject j) {
    return fromApi(j);
  }
}
