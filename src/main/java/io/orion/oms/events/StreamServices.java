package io.orion.oms.events;

import io.orion.oms.account.AccountRepository;
import io.orion.oms.config.OrionConfig;
import io.orion.oms.order.OrderRepository;

/** What the stream endpoints share across HTTP verticle instances: repositories, authentication, the limiter. */
public record StreamServices(EventRepository events, AccountRepository accounts, OrderRepository orders,
                             StreamAuth auth, ConnectionLimiter limiter, OrionConfig.Streaming config,
                             io.orion.oms.ratelimit.RateLimiter rateLimits) {

  /**
   * Takes one stream connect or subscribe from the caller's quota (the {@code streamConnects} and
   * {@code streamSubscriptions} rate limits, shared by every node); always allowed when limits are off.
   */
  io.vertx.core.Future<Boolean> withinQuota(io.orion.oms.auth.Caller caller, io.orion.oms.ratelimit.OperationClass op) {
    if (rateLimits == null || !rateLimits.enabled()) return io.vertx.core.Future.succeededFuture(true);
    return rateLimits.tryAcquire(caller, op).map(io.orion.oms.ratelimit.RateLimitDecision::allowed);
  }

  /** Replay pages stay well under the send queue bound, so a replay alone never trips it. */
  int replayPageSize() {
    return Math.max(1, Math.min(500, config.sendQueueMaxMessages() / 2));
  }
}
