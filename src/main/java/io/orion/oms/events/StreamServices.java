package io.orion.oms.events;

import io.orion.oms.account.AccountRepository;
import io.orion.oms.config.OrionConfig;
import io.orion.oms.order.OrderRepository;

/** What the stream endpoints share across HTTP verticle instances: repositories, authentication, the limiter. */
public record StreamServices(EventRepository events, AccountRepository accounts, OrderRepository orders,
                             StreamAuth auth, ConnectionLimiter limiter, OrionConfig.Streaming config) {

  /** Replay pages stay well under the send queue bound, so a replay alone never trips it. */
  int replayPageSize() {
    return Math.max(1, Math.min(500, config.sendQueueMaxMessages() / 2));
  }
}
