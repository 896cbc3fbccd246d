package io.orion.oms.trigger;

import io.orion.oms.order.Order;
import io.orion.oms.order.OrderStatus;
import io.orion.oms.order.OrderType;
import io.orion.oms.order.RoutingStrategy;
import io.orion.oms.order.Side;
import io.orion.oms.order.TimeInForce;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

class TriggerRulesTest {
  static final BigDecimal TICK = new BigDecimal("0.00001");

  static Order order(OrderType type, Side side, String price, String stop, String offset, String trail) {
    Instant t = Instant.parse("2026-11-22T10:00:00Z");
    return new Order(UUID.randomUUID(), "ORD-1", "acme", UUID.randomUUID(), "alice", null, "EURUSD", side, type,
      TimeInForce.GTC, new BigDecimal("100000"), BigDecimal.ZERO, d(price), d(stop), d(offset), d(trail), null, null,
      RoutingStrategy.BEST, null, OrderStatus.PENDING, null, null, BigDecimal.ZERO, new JsonObject(), 0, t, t, null, null);
  }

  static BigDecimal d(String s) {
    return s == null ? null : new BigDecimal(s);
  }

  static TriggerRules.Action at(Order o, String bid, String ask) {
    return TriggerRules.decide(o, d(bid), d(ask), TICK);
  }

  static Order triggered(Order o, OrderStatus status, String pegPrice) {
    return new Order(o.id(), o.orderRef(), o.tenantId(), o.accountId(), o.submittedBy(), o.clientOrderId(),
      o.instrumentId(), o.side(), o.orderType(), o.timeInForce(), o.quantity(), o.filledQuantity(), o.price(),
      o.stopPrice(), o.pegOffset(), o.trailAmount(), o.averagePrice(), o.expiryDate(), o.routingStrategy(), o.lpId(),
      status, null, null, o.reservedAmount(), o.metadata(), 1, o.createdAt(), o.updatedAt(), d(pegPrice), o.createdAt());
  }

  @Test
  void aBuyStopFiresWhenTheAskReachesItAndNotBefore() {
    Order o = order(OrderType.STOP, Side.BUY, null, "1.08600", null, null);
    assertThat(at(o, "1.08580", "1.08599")).isInstanceOf(TriggerRules.Wait.class);
    assertThat(at(o, "1.08610", null)).as("no ask, no trigger").isInstanceOf(TriggerRules.Wait.class);
    assertThat(at(o, "1.08590", "1.08600")).isEqualTo(new TriggerRules.Fire(null));
    assertThat(at(o, "1.09000", "1.09010")).as("through the stop fires too").isEqualTo(new TriggerRules.Fire(null));
    assertThat(at(triggered(o, OrderStatus.WORKING, null), "1.08590", "1.08600")).as("fires once")
      .isInstanceOf(TriggerRules.Wait.class);
  }

  @Test
  void aSellStopLimitFiresWhenTheBidFallsToIt() {
    Order o = order(OrderType.STOP_LIMIT, Side.SELL, "1.08300", "1.08400", null, null);
    assertThat(at(o, "1.08401", "1.08420")).isInstanceOf(TriggerRules.Wait.class);
    assertThat(at(o, "1.08400", "1.08420")).isEqualTo(new TriggerRules.Fire(null));
  }

  @Test
  void aSellTrailingStopRisesWithTheBidNeverFallsAndFiresOnTheWayDown() {
    Order o = order(OrderType.TRAILING_STOP, Side.SELL, null, null, null, "0.00100");
    assertThat(at(o, "1.08440", "1.08450")).isEqualTo(new TriggerRules.MoveStop(new BigDecimal("1.08340")));
    o = o.withLevels(null, new BigDecimal("1.08340"));
    assertThat(at(o, "1.08500", "1.08510")).isEqualTo(new TriggerRules.MoveStop(new BigDecimal("1.08400")));
    o = o.withLevels(null, new BigDecimal("1.08400"));
    assertThat(at(o, "1.08450", "1.08460")).as("a falling bid leaves the stop").isInstanceOf(TriggerRules.Wait.class);
    assertThat(at(o, "1.08401", "1.08460")).isInstanceOf(TriggerRules.Wait.class);
    assertThat(at(o, "1.08400", "1.08460")).isEqualTo(new TriggerRules.Fire(null));
  }

  @Test
  void aBuyTrailingStopFollowsTheAskDown() {
    Order o = order(OrderType.TRAILING_STOP, Side.BUY, null, "1.08700", null, "0.00100");
    assertThat(at(o, "1.08440", "1.08450")).isEqualTo(new TriggerRules.MoveStop(new BigDecimal("1.08550")));
    o = o.withLevels(null, new BigDecimal("1.08550"));
    assertThat(at(o, "1.08500", "1.08520")).as("a rising ask leaves the stop").isInstanceOf(TriggerRules.Wait.class);
    assertThat(at(o, "1.08540", "1.08550")).isEqualTo(new TriggerRules.Fire(null));
  }

  @Test
  void aPeggedBuyFollowsTheBidWithinItsLimitAndIsRepricedByATickOrMore() {
    Order o = order(OrderType.PEGGED, Side.BUY, "1.08460", null, "-0.00010", null);
    assertThat(at(o, null, "1.08450")).as("needs its same-side quote").isInstanceOf(TriggerRules.Wait.class);
    assertThat(at(o, "1.08440", "1.08450")).isEqualTo(new TriggerRules.Fire(new BigDecimal("1.08430")));
    Order working = triggered(o, OrderStatus.WORKING, "1.08430");
    assertThat(at(working, "1.08440", "1.08470")).isInstanceOf(TriggerRules.Wait.class);
    assertThat(at(working, "1.08460", "1.08470")).isEqualTo(new TriggerRules.Reprice(new BigDecimal("1.08450")));
    assertThat(at(working, "1.08500", "1.08510")).as("never above its limit")
      .isEqualTo(new TriggerRules.Reprice(new BigDecimal("1.08460")));
    assertThat(at(triggered(o, OrderStatus.PENDING_REPLACE, "1.08430"), "1.08460", "1.08470"))
      .as("one change at a time").isInstanceOf(TriggerRules.Wait.class);
  }

  @Test
  void aPeggedSellFollowsTheAskRoundedUpToTheTick() {
    Order o = order(OrderType.PEGGED, Side.SELL, null, null, "0.000015", null);
    assertThat(at(o, "1.08440", "1.08450")).isEqualTo(new TriggerRules.Fire(new BigDecimal("1.08452")));
  }
}
