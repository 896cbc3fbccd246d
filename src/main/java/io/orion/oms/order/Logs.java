package io.orion.oms.order;

import org.slf4j.spi.LoggingEventBuilder;

/** The structured fields of a log line about an order or a leg (JSON logs: tenant, orderId, orderRef, lpId). */
final class Logs {
  private Logs() {}

  static LoggingEventBuilder order(LoggingEventBuilder b, Order order) {
    return order == null ? b : b.addKeyValue("tenant", order.tenantId()).addKeyValue("orderId", order.id())
      .addKeyValue("orderRef", order.orderRef());
  }

  static LoggingEventBuilder orderLeg(LoggingEventBuilder b, Order order, Leg leg) {
    return leg == null ? order(b, order) : order(b, order).addKeyValue("lpId", leg.lpId()).addKeyValue("clOrdId", leg.clOrdId());
  }

  static LoggingEventBuilder leg(LoggingEventBuilder b, Leg leg) {
    return leg == null ? b : b.addKeyValue("orderId", leg.orderId()).addKeyValue("lpId", leg.lpId())
      .addKeyValue("clOrdId", leg.clOrdId());
  }
}
