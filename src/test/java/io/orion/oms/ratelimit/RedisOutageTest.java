package io.orion.oms.ratelimit;

import io.orion.oms.infra.EmbeddedRedisServer;
import io.orion.oms.support.Await;
import io.orion.oms.support.Http;
import io.orion.oms.support.MutableClock;
import io.orion.oms.support.TestApp;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Redis goes away under a running service (a Redis of its own, stopped and started again): orders keep
 * flowing under the node's own limiter, which still limits; readiness says Redis is down but stays 200;
 * metrics count the outage; when Redis is back the shared counters are used again.
 */
class RedisOutageTest {
  static final MutableClock clock = new MutableClock();
  static EmbeddedRedisServer redis;
  static int redisPort;
  static TestApp app;

  @BeforeAll
  static void start() throws Exception {
    redis = EmbeddedRedisServer.start(0);
    redisPort = URI.create(redis.url()).getPort();
    JsonObject overrides = TestApp.noLps()
      .put("redis", new JsonObject().put("url", redis.url()))
      .put("rateLimits", new JsonObject().put("redisRetryMs", 100).put("default", new JsonObject().put("orders", 5)));
    app = TestApp.start(overrides, clock);
  }

  @AfterAll
  static void stop() throws Exception {
    app.close();
    redis.close();
  }

  Http.Res submit() {
    return app.http.post("/api/v1/orders", app.demoTraderToken(), new JsonObject().put("clientId", app.demoAccountId())
      .put("instrumentId", "AAPL").put("side", "buy").put("orderType", "stop").put("timeInForce", "gtc")
      .put("quantity", 1).put("stopPrice", "150.00"));
  }

  String metrics() {
    return app.http.get("/metrics", null).body();
  }

  @Test
  void ordersFlowUnderTheLocalLimiterWhileRedisIsDown() throws Exception {
    clock.alignToWindowStart(60_000);
    assertThat(submit().header("RateLimit")).startsWith("\"orders\";r=4;");
    assertThat(submit().header("RateLimit")).startsWith("\"orders\";r=3;");
    assertThat(app.http.get("/api/v1/health/orders", null).json().getJsonObject("dependencies")
      .getJsonObject("redis").getString("status")).isEqualTo("up");

    redis.close();
    // the node's own counters start empty: five more, then refused, all without Redis
    for (int i = 4; i >= 0; i--) {
      Http.Res r = submit();
      assertThat(r.status()).as(r.body()).isEqualTo(201);
      assertThat(r.header("RateLimit")).startsWith("\"orders\";r=" + i + ";");
    }
    Http.Res refused = submit();
    assertThat(refused.status()).as(refused.body()).isEqualTo(429);
    assertThat(refused.header("Retry-After")).isNotNull();

    Http.Res ready = app.http.get("/api/v1/health/orders", null);
    assertThat(ready.status()).isEqualTo(200);
    assertThat(ready.json().getString("status")).isEqualTo("degraded");
    assertThat(ready.json().getJsonObject("dependencies").getJsonObject("redis").getString("status")).isEqualTo("down");
    String m = metrics();
    assertThat(m).contains("orion_ratelimit_redis_outages_total 1.0").contains("orion_ratelimit_redis_up 0.0")
      .containsPattern("orion_ratelimit_local_decisions_total\\{class=\"orders\"\\} [6-9]\\.0")
      .containsPattern("orion_ratelimit_rejections_total\\{class=\"orders\"\\} 1\\.0");

    redis = EmbeddedRedisServer.start(redisPort);
    clock.advance(Duration.ofMinutes(1));
    Await.until(() -> {
      Http.Res r = submit();
      return r.status() == 201 && metrics().contains("orion_ratelimit_redis_up 1.0") ? r : null;
    }, "the limiter to use Redis again");
    assertThat(app.http.get("/api/v1/health/orders", null).json().getString("status")).isEqualTo("ok");
    assertThat(metrics()).contains("orion_ratelimit_redis_outages_total 1.0");
  }
}
