package io.orion.oms.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The service's own meters that several packages feed: one instance per process, handed to whoever
 * records (no static state, so tests get their own registry). Routing and LP meters stay with their
 * verticles. Names are Micrometer's dotted form; Prometheus shows {@code orion.order.ack} as
 * {@code orion_order_ack_seconds}.
 */
public final class OmsMetrics {
  /** A registry that keeps nothing, for code built without metrics (unit tests). */
  public static OmsMetrics noop() {
    return new OmsMetrics(new io.micrometer.core.instrument.simple.SimpleMeterRegistry());
  }

  private final MeterRegistry registry;
  private final Timer ack;
  private final Timer fill;
  private final Map<String, AtomicInteger> streamClients = new ConcurrentHashMap<>();
  private final Map<String, AtomicLong> ordersByStatusAndType = new ConcurrentHashMap<>();
  private final AtomicLong outboxLagMs = new AtomicLong();
  private final AtomicLong outboxPending = new AtomicLong();
  private final AtomicInteger redisUp = new AtomicInteger(1);
  private final AtomicInteger halted;
  private final AtomicInteger enabled;

  public OmsMetrics(MeterRegistry registry) {
    this.registry = registry;
    this.ack = latency("orion.order.ack", "From an order's acceptance (its createdAt) to its first acknowledgement by an LP (working)");
    this.fill = latency("orion.order.fill", "From an order's acceptance (its createdAt) to its complete fill");
    Gauge.builder("orion.outbox.lag", outboxLagMs, v -> v.get() / 1000.0).baseUnit("seconds")
      .description("Age of the oldest outbox event not yet published (0 when none), sampled").register(registry);
    Gauge.builder("orion.outbox.pending", outboxPending, AtomicLong::get)
      .description("Outbox events not yet published, sampled").register(registry);
    Gauge.builder("orion.ratelimit.redis.up", redisUp, AtomicInteger::get)
      .description("1 while rate limits are counted in Redis, 0 while this node falls back to its own counters")
      .register(registry);
    halted = gauge("orion.trading.halted.tenants", "Tenants whose trading is halted by an admin");
    enabled = gauge("orion.trading.execution.enabled", "0 while orders.executionEnabled halts every tenant, else 1");
    enabled.set(1);
  }

  public MeterRegistry registry() {
    return registry;
  }

  private Timer latency(String name, String description) {
    return Timer.builder(name).description(description).publishPercentileHistogram()
      .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofMinutes(10)).register(registry);
  }

  // --- orders (called by the order lifecycle after the commit of the state change) ---

  /** An order became working (or traded) for the first time: its submit-to-acknowledgement latency. */
  public void orderAcknowledged(Instant createdAt, Instant now) {
    ack.record(Duration.between(createdAt, now).abs());
  }

  /** An order became filled: its submit-to-fill latency. */
  public void orderFilled(Instant createdAt, Instant now) {
    fill.record(Duration.between(createdAt, now).abs());
  }

  /** The sampled count of orders in one status and type ({@code orion_orders}). */
  public void ordersSampled(String status, String type, long count) {
    ordersByStatusAndType.computeIfAbsent(status + "|" + type, k -> {
      AtomicLong v = new AtomicLong();
      Gauge.builder("orion.orders", v, AtomicLong::get).description("Orders by status and type, sampled from the database")
        .tags("status", status, "type", type).register(registry);
      return v;
    }).set(count);
  }

  /** Statuses and types no longer present in a sample go back to zero. */
  public void ordersSampleDone(java.util.Set<String> seen) {
    ordersByStatusAndType.forEach((k, v) -> {
      if (!seen.contains(k)) v.set(0);
    });
  }

  public void outboxSampled(long lagMs, long pending) {
    outboxLagMs.set(Math.max(0, lagMs));
    outboxPending.set(pending);
  }

  // --- rate limits ---

  public void rateLimited(String operationClass) {
    registry.counter("orion.ratelimit.rejections", "class", operationClass).increment();
  }

  /** One decision taken by this node's own counters because Redis was unreachable. */
  public void rateLimitLocalDecision(String operationClass) {
    registry.counter("orion.ratelimit.local.decisions", "class", operationClass).increment();
  }

  public void rateLimitRedisOutage() {
    registry.counter("orion.ratelimit.redis.outages").increment();
    redisUp.set(0);
  }

  public void rateLimitRedisBack() {
    redisUp.set(1);
  }

  // --- streaming (for the WebSocket and SockJS endpoints) ---

  /** A streaming client connected over {@code transport} ("websocket", "sockjs"). */
  public void streamClientConnected(String transport) {
    streamGauge(transport).incrementAndGet();
  }

  /** A streaming client over {@code transport} went away. Call once per connected client. */
  public void streamClientDisconnected(String transport) {
    streamGauge(transport).updateAndGet(v -> Math.max(0, v - 1));
  }

  public int streamClients(String transport) {
    AtomicInteger g = streamClients.get(transport);
    return g == null ? 0 : g.get();
  }

  private AtomicInteger streamGauge(String transport) {
    return streamClients.computeIfAbsent(transport, t -> {
      AtomicInteger v = new AtomicInteger();
      Gauge.builder("orion.stream.clients", v, AtomicInteger::get).description("Connected streaming clients")
        .tags("transport", t).register(registry);
      return v;
    });
  }

  // --- kill switch ---

  public void haltsSampled(int haltedTenants, boolean executionEnabled) {
    halted.set(haltedTenants);
    enabled.set(executionEnabled ? 1 : 0);
  }

  private AtomicInteger gauge(String name, String description) {
    AtomicInteger v = new AtomicInteger();
    Gauge.builder(name, v, AtomicInteger::get).description(description).register(registry);
    return v;
  }

  public Counter counter(String name, String... tags) {
    return registry.counter(name, tags);
  }
}
