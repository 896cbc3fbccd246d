package io.orion.oms.ratelimit;

import io.orion.oms.config.OrionConfig;

/**
 * What a request counts against: each user has one quota per class and window. The wire name is the
 * policy name in the {@code RateLimit-Policy} and {@code RateLimit} headers.
 */
public enum OperationClass {
  /** {@code POST /orders}. */
  ORDERS("orders"),
  /** Modify and cancel, single or bulk. */
  MODIFICATIONS("modifications"),
  /** Every read (GET) of the API. */
  QUERIES("queries"),
  /** Opening a streaming connection (WebSocket or SockJS). */
  STREAM_CONNECT("stream-connects"),
  /** Subscribing to one stream (an account's events) on an open connection. */
  STREAM_SUBSCRIBE("stream-subscriptions");

  private final String wire;

  OperationClass(String wire) {
    this.wire = wire;
  }

  public String wire() {
    return wire;
  }

  /** The quota of this class in {@code quotas}. */
  public int limit(OrionConfig.Quotas quotas) {
    switch (this) {
      case ORDERS: return quotas.orders();
      case MODIFICATIONS: return quotas.modifications();
      case QUERIES: return quotas.queries();
      case STREAM_CONNECT: return quotas.streamConnects();
      default: return quotas.streamSubscriptions();
    }
  }
}
