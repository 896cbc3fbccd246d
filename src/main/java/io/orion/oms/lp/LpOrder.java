package io.orion.oms.lp;

import io.orion.oms.order.Side;

import java.math.BigDecimal;

/**
 * One child order as sent to an LP. {@code clOrdId} is ours and stays the same on every retry, so an
 * LP can recognise a resend; {@code type} is market or limit (stop and pegged orders are held by the
 * service and released as one of these).
 */
public record LpOrder(String clOrdId, String instrumentId, Side side, Type type, BigDecimal quantity, BigDecimal price,
                      TimeInForce timeInForce) {

  public enum Type { MARKET, LIMIT }

  /** What LPs are asked for; the service's own gtd/day handling maps onto gtc at the LP. */
  public enum TimeInForce { GTC, IOC, FOK, DAY }
}
