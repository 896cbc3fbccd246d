package io.orion.oms.ratelimit;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.orion.oms.auth.Caller;
import io.orion.oms.auth.Role;
import io.orion.oms.config.OrionConfig;
import io.orion.oms.metrics.OmsMetrics;
import io.orion.oms.support.MutableClock;
import io.orion.oms.support.TestServices;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Set;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The limiter on its own, as the streaming endpoints use it: connects and subscriptions per user, the
 * shared Redis counters, the window, refunds, and the per-node fallback when Redis cannot be reached.
 */
class RateLimiterTest {
  static Vertx vertx;
  static RedisAPI redis;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    redis = RedisAPI.api(Redis.createClient(vertx, TestServices.get().redisUrl()));
  }

  @AfterAll
  static void stop() {
    vertx.close().toCompletionStage().toCompletableFuture().join();
  }

  static OrionConfig.RateLimits limits(JsonObject overrides) {
    JsonObject json = new JsonObject().put("http", new JsonObject()).put("jwt", new JsonObject().put("issuer", "i")
      .put("audience", "a")).put("rateLimits", new JsonObject().put("windowMs", 10_000).put("redisRetryMs", 0)
      .put("default", new JsonObject().put("streamConnects", 2).put("streamSubscriptions", 3))
      .put("tenants", new JsonObject().put("big", new JsonObject().put("streamConnects", 5))).mergeIn(overrides, true));
    return OrionConfig.fromJson(json).rateLimits();
  }

  static Caller user(String tenant, String id) {
    return new Caller(tenant, id, Set.of(Role.TRADER));
  }

  static RateLimitDecision take(RateLimiter l, Caller c, OperationClass op) {
    return l.tryAcquire(c, op).toCompletionStage().toCompletableFuture().join();
  }

  @Test
  void streamQuotasPerUserAndTenantSharedByEveryNode() {
    MutableClock clock = new MutableClock();
    clock.alignToWindowStart(10_000);
    String prefix = "t-" + UUID.randomUUID() + ":";
    OmsMetrics metrics = OmsMetrics.noop();
    // two limiters on one Redis and prefix: two nodes
    RateLimiter node1 = new RateLimiter(redis, limits(new JsonObject()), prefix, clock, metrics);
    RateLimiter node2 = new RateLimiter(redis, limits(new JsonObject()), prefix, clock, metrics);
    Caller alice = user("acme", "alice");
    assertThat(take(node1, alice, OperationClass.STREAM_CONNECT).allowed()).isTrue();
    assertThat(take(node2, alice, OperationClass.STREAM_CONNECT).allowed()).isTrue();
    RateLimitDecision third = take(node1, alice, OperationClass.STREAM_CONNECT);
    assertThat(third.allowed()).isFalse();
    assertThat(third.local()).isFalse();
    assertThat(third.policyHeader()).isEqualTo("\"stream-connects\";q=2;w=10");
    assertThat(third.rateLimitHeader()).matches("\"stream-connects\";r=0;t=(10|9|8)");
    // subscriptions, other users, other tenants and other prefixes count apart
    assertThat(take(node1, alice, OperationClass.STREAM_SUBSCRIBE).remaining()).isEqualTo(2);
    assertThat(take(node1, user("acme", "bob"), OperationClass.STREAM_CONNECT).allowed()).isTrue();
    assertThat(take(node1, user("big", "alice"), OperationClass.STREAM_CONNECT).limit()).isEqualTo(5);
    RateLimiter otherService = new RateLimiter(redis, limits(new JsonObject()), "other-" + prefix, clock, metrics);
    assertThat(take(otherService, alice, OperationClass.STREAM_CONNECT).allowed()).isTrue();
    assertThat(metrics.registry().counter("orion.ratelimit.rejections", "class", "stream-connects").count()).isEqualTo(1);

    // a refund gives one back; the next window starts afresh
    RateLimitDecision bobs = take(node1, user("acme", "bob"), OperationClass.STREAM_CONNECT);
    assertThat(bobs.remaining()).isZero();
    node1.refund(bobs).toCompletionStage().toCompletableFuture().join();
    assertThat(take(node2, user("acme", "bob"), OperationClass.STREAM_CONNECT).allowed()).isTrue();
    clock.advance(Duration.ofSeconds(10));
    assertThat(take(node2, alice, OperationClass.STREAM_CONNECT).remaining()).isEqualTo(1);
  }

  @Test
  void withoutRedisEachNodeCountsAlone() {
    MutableClock clock = new MutableClock();
    clock.alignToWindowStart(10_000);
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    OmsMetrics metrics = new OmsMetrics(registry);
    // nothing listens on this port
    RedisAPI dead = RedisAPI.api(Redis.createClient(vertx, "redis://127.0.0.1:" + freePort()));
    RateLimiter node = new RateLimiter(dead, limits(new JsonObject()), "p:", clock, metrics);
    Caller alice = user("acme", "alice");
    RateLimitDecision first = take(node, alice, OperationClass.STREAM_CONNECT);
    assertThat(first.allowed()).isTrue();
    assertThat(first.local()).isTrue();
    assertThat(take(node, alice, OperationClass.STREAM_CONNECT).allowed()).isTrue();
    assertThat(take(node, alice, OperationClass.STREAM_CONNECT).allowed()).isFalse();
    assertThat(registry.counter("orion.ratelimit.local.decisions", "class", "stream-connects").count()).isEqualTo(3);
    assertThat(registry.counter("orion.ratelimit.redis.outages").count()).as("one outage, counted once").isEqualTo(1);
    assertThat(registry.get("orion.ratelimit.redis.up").gauge().value()).isZero();
    // a local refund gives one back too
    node.refund(first).toCompletionStage().toCompletableFuture().join();
    assertThat(take(node, alice, OperationClass.STREAM_CONNECT).allowed()).isTrue();
  }

  static int freePort() {
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      return s.getLocalPort();
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void localCountersDropPastWindows() {
    LocalCounters c = new LocalCounters();
    assertThat(c.take("a", 1, 1).allowed()).isTrue();
    assertThat(c.take("a", 1, 1).allowed()).isFalse();
    assertThat(c.take("b", 2, 1).allowed()).isTrue();
    assertThat(c.size()).isEqualTo(1);
  }
}
