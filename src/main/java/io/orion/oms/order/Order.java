package io.orion.oms.order;

import io.orion.oms.common.Decimals;
import io.vertx.core.json.JsonObject;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.UUID;

/** An order as stored. Immutable: every change produces a new version in PostgreSQL. */
public record Order(UUID id, String orderRef, String tenantId, UUID accountId, String submittedBy, String clientOrderId,
                    String instrumentId, Side side, OrderType orderType, TimeInForce timeInForce,
                    BigDecimal quantity, BigDecimal filledQuantity, BigDecimal price, BigDecimal stopPrice,
                    BigDecimal pegOffset, BigDecimal trailAmount, BigDecimal averagePrice, Instant expiryDate,
                    RoutingStrategy routingStrategy, String lpId, OrderStatus status, String rejectCode, String rejectReason,
                    BigDecimal reservedAmount, JsonObject metadata, long version, Instant createdAt,
                    Instant updatedAt, BigDecimal pegPrice, Instant triggeredAt) {

  public BigDecimal remainingQuantity() {
    return quantity.subtract(filledQuantity);
  }

  /** The order as a submission with its current terms: what validation checks a modification against. */
  public NewOrder asNewOrder() {
    return new NewOrder(accountId, instrumentId, side, orderType, timeInForce, quantity, price, stopPrice, pegOffset,
      trailAmount, expiryDate, routingStrategy, lpId, clientOrderId, metadata);
  }

  /** The same order with new terms; fields given as null keep their value. */
  public Order withTerms(BigDecimal newQuantity, BigDecimal newPrice, BigDecimal newStopPrice, BigDecimal newPegOffset,
                         BigDecimal newTrailAmount, Instant newExpiryDate) {
    return new Order(id, orderRef, tenantId, accountId, submittedBy, clientOrderId, instrumentId, side, orderType,
      timeInForce, or(newQuantity, quantity), filledQuantity, or(newPrice, price), or(newStopPrice, stopPrice),
      or(newPegOffset, pegOffset), or(newTrailAmount, trailAmount), averagePrice,
      newExpiryDate != null ? newExpiryDate : expiryDate, routingStrategy, lpId, status, rejectCode, rejectReason, reservedAmount,
      metadata, version, createdAt, updatedAt, pegPrice, triggeredAt);
  }

  /** The same order in a new state (the state machine has checked the move). */
  public Order withState(OrderStatus newStatus, BigDecimal newFilled, BigDecimal newAverage, BigDecimal newReserved,
                         String newRejectCode, String newRejectReason) {
    return new Order(id, orderRef, tenantId, accountId, submittedBy, clientOrderId, instrumentId, side, orderType,
      timeInForce, quantity, newFilled, price, stopPrice, pegOffset, trailAmount, newAverage, expiryDate,
      routingStrategy, lpId, OrderStateMachine.check(status, newStatus), newRejectCode, newRejectReason, newReserved,
      metadata, version, createdAt, updatedAt, pegPrice, triggeredAt);
  }

  /** A pegged order's working price, or a trailing stop's level moved ({@code stopPrice}); null keeps it. */
  public Order withLevels(BigDecimal newPegPrice, BigDecimal newStopPrice) {
    return new Order(id, orderRef, tenantId, accountId, submittedBy, clientOrderId, instrumentId, side, orderType,
      timeInForce, quantity, filledQuantity, price, or(newStopPrice, stopPrice), pegOffset, trailAmount, averagePrice,
      expiryDate, routingStrategy, lpId, status, rejectCode, rejectReason, reservedAmount, metadata, version, createdAt,
      updatedAt, or(newPegPrice, pegPrice), triggeredAt);
  }

  /**
   * The same order working at {@code limit} at its LPs after a cancel/replace: a pegged order's
   * {@code pegPrice} (its {@code price} is the cap the client set), any other order's {@code price}.
   */
  public Order withWorkingPrice(BigDecimal limit) {
    return orderType == OrderType.PEGGED ? withLevels(limit, null) : withTerms(null, limit, null, null, null, null);
  }

  /** Held types (stop, stop-limit, trailing stop, pegged) wait for the trigger before any LP sees them. */
  public boolean held() {
    return orderType != OrderType.MARKET && orderType != OrderType.LIMIT;
  }

  /**
   * The order as routing and the LPs see it once released: a stop or trailing stop as a market order, a
   * stop-limit as a limit at {@code price}, a pegged order as a limit at its {@code pegPrice}.
   */
  public Order released() {
    OrderType type;
    BigDecimal limit;
    switch (orderType) {
      case LIMIT: case STOP_LIMIT: type = OrderType.LIMIT; limit = price; break;
      case PEGGED: type = OrderType.LIMIT; limit = pegPrice; break;
      default: type = OrderType.MARKET; limit = null;
    }
    if (type == orderType && java.util.Objects.equals(limit, price)) return this;
    // a plain market or limit order: the held type's own terms stay with the held order
    return new Order(id, orderRef, tenantId, accountId, submittedBy, clientOrderId, instrumentId, side, type,
      timeInForce, quantity, filledQuantity, limit, null, null, null, averagePrice, expiryDate,
      routingStrategy, lpId, status, rejectCode, rejectReason, reservedAmount, metadata, version, createdAt, updatedAt,
      pegPrice, triggeredAt);
  }

  public Order withStatus(OrderStatus newStatus) {
    return withState(newStatus, filledQuantity, averagePrice, reservedAmount, rejectCode, rejectReason);
  }

  private static BigDecimal or(BigDecimal a, BigDecimal b) {
    return a != null ? a : b;
  }

  /** The public view served by the API and carried by events: decimals as JSON numbers. */
  public JsonObject toApiJson() {
    return new JsonObject()
      .put("id", id.toString()).put("orderRef", orderRef).put("clientOrderId", clientOrderId)
      .put("clientId", accountId.toString()).put("instrumentId", instrumentId).put("side", side.wire())
      .put("orderType", orderType.wire()).put("timeInForce", timeInForce.wire())
      .put("quantity", quantity).put("filledQuantity", filledQuantity).put("remainingQuantity", remainingQuantity())
      .put("price", price).put("stopPrice", stopPrice).put("pegOffset", pegOffset).put("trailAmount", trailAmount)
      .put("averagePrice", averagePrice).put("expiryDate", Json.time(expiryDate))
      .put("routingStrategy", routingStrategy.wire()).put("lpId", lpId).put("status", status.wire())
      .put("rejectCode", rejectCode).put("rejectReason", rejectReason).put("metadata", metadata).put("version", version)
      .put("createdAt", Json.time(createdAt)).put("updatedAt", Json.time(updatedAt))
      .put("pegPrice", pegPrice).put("triggeredAt", Json.time(triggeredAt));
  }

  /** The event-bus form: everything, decimals as strings. */
  public JsonObject toBusJson() {
    return new JsonObject()
      .put("id", id.toString()).put("orderRef", orderRef).put("tenantId", tenantId)
      .put("accountId", accountId.toString()).put("submittedBy", submittedBy).put("clientOrderId", clientOrderId)
      .put("instrumentId", instrumentId).put("side", side.wire()).put("orderType", orderType.wire())
      .put("timeInForce", timeInForce.wire()).put("quantity", Json.dec(quantity))
      .put("filledQuantity", Json.dec(filledQuantity)).put("price", Json.dec(price))
      .put("stopPrice", Json.dec(stopPrice)).put("pegOffset", Json.dec(pegOffset))
      .put("trailAmount", Json.dec(trailAmount)).put("averagePrice", Json.dec(averagePrice))
      .put("expiryDate", expiryDate == null ? null : expiryDate.toString())
      .put("routingStrategy", routingStrategy.wire()).put("lpId", lpId).put("status", status.wire())
      .put("rejectCode", rejectCode).put("rejectReason", rejectReason).put("reservedAmount", Json.dec(reservedAmount)).put("metadata", metadata)
      .put("version", version).put("createdAt", createdAt.toString()).put("updatedAt", updatedAt.toString())
      .put("pegPrice", Json.dec(pegPrice)).put("triggeredAt", triggeredAt == null ? null : triggeredAt.toString());
  }

  public static Order fromBusJson(JsonObject j) {
    String expiry = j.getString("expiryDate");
    return new Order(UUID.fromString(j.getString("id")), j.getString("orderRef"), j.getString("tenantId"),
      UUID.fromString(j.getString("accountId")), j.getString("submittedBy"), j.getString("clientOrderId"),
      j.getString("instrumentId"), Side.fromWire(j.getString("side")), OrderType.fromWire(j.getString("orderType")),
      TimeInForce.fromWire(j.getString("timeInForce")), Decimals.parse(j.getValue("quantity")),
      Decimals.parse(j.getValue("filledQuantity")), Decimals.parse(j.getValue("price")),
      Decimals.parse(j.getValue("stopPrice")), Decimals.parse(j.getValue("pegOffset")),
      Decimals.parse(j.getValue("trailAmount")), Decimals.parse(j.getValue("averagePrice")),
      expiry == null ? null : Instant.parse(expiry), RoutingStrategy.fromWire(j.getString("routingStrategy")),
      j.getString("lpId"), OrderStatus.fromWire(j.getString("status")), j.getString("rejectCode"), j.getString("rejectReason"),
      Decimals.parse(j.getValue("reservedAmount")), j.getJsonObject("metadata", new JsonObject()),
      j.getLong("version"), Instant.parse(j.getString("createdAt")), Instant.parse(j.getString("updatedAt")),
      Decimals.parse(j.getValue("pegPrice")), j.getString("triggeredAt") == null ? null : Instant.parse(j.getString("triggeredAt")));
  }
}
