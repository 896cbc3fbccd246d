package io.orion.oms.ratelimit;

import io.orion.oms.auth.Caller;
import io.orion.oms.config.OrionConfig;
import io.orion.oms.metrics.OmsMetrics;
import io.vertx.core.Future;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Per-user quotas per {@link OperationClass}, counted in Redis by one Lua script so that every node
 * shares the same counters and a check-and-count is atomic. Windows are fixed and aligned on the clock
 * ({@code floor(now / windowMs)}), which lets every node agree on the window without talking, and lets
 * a test move to the next window by moving its clock. A rejected request is not counted.
 *
 * <p>When Redis does not answer (error, or slower than {@code redisTimeoutMs}) the node decides alone
 * with {@link LocalCounters} for {@code redisRetryMs}, then tries Redis again: orders keep flowing, at
 * worst each node allows the whole quota. The outage is logged once, when it starts, and when it ends.
 *
 * <p>One instance per process, shared by every HTTP event loop; also the API the streaming endpoints
 * call ({@link OperationClass#STREAM_CONNECT}, {@link OperationClass#STREAM_SUBSCRIBE}).
 */
public final class RateLimiter {
  private static final Logger log = LoggerFactory.getLogger(RateLimiter.class);

  /**
   * KEYS[1]: the counter of one user, class and window. ARGV: cost (1 takes one request, -1 gives one
   * back), the quota, and the key's lifetime in ms. Answers {allowed (1/0), count after}.
   */
  static final String SCRIPT = String.join("\n",
    "local cost = tonumber(ARGV[1])",
    "local limit = tonumber(ARGV[2])",
    "local current = tonumber(redis.call('GET', KEYS[1]) or '0')",
    "if cost < 0 then",
    "  if current > 0 then current = redis.call('DECRBY', KEYS[1], -cost) end",
    "  return {1, current}",
    "end",
    "if current + cost > limit then return {0, current} end",
    "current = redis.call('INCRBY', KEYS[1], cost)",
    "if current == cost then redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[3])) end",
    "return {1, current}");
  static final String SHA = sha1(SCRIPT);

  private final RedisAPI redis;
  private final OrionConfig.RateLimits config;
  private final String keyPrefix;
  private final Clock clock;
  private final OmsMetrics metrics;
  private final LocalCounters local = new LocalCounters();
  private volatile long redisRetryAt; // 0 while Redis is up; else when to try it again
  private volatile boolean outage;

  public RateLimiter(RedisAPI redis, OrionConfig.RateLimits config, String keyPrefix, Clock clock, OmsMetrics metrics) {
    this.redis = redis;
    this.config = config;
    this.keyPrefix = keyPrefix;
    this.clock = clock;
    this.metrics = metrics;
  }

  public boolean enabled() {
    return config.enabled();
  }

  /**
   * Takes one request of {@code op} from the caller's quota. Never fails: without Redis the node's own
   * counters decide. Allowed or not, the decision carries what the client should be told.
   */
  public Future<RateLimitDecision> tryAcquire(Caller caller, OperationClass op) {
    long now = clock.millis();
    long windowMs = config.windowMs();
    long window = Math.floorDiv(now, windowMs);
    long resetMs = (window + 1) * windowMs - now;
    int limit = op.limit(config.quotas(caller.tenant()));
    String key = key(caller, op, window);
    if (!useRedis(now)) return Future.succeededFuture(localDecision(op, key, limit, window, resetMs));
    return run(key, 1, limit, resetMs).transform(ar -> {
      if (ar.failed()) {
        redisFailed(ar.cause());
        return Future.succeededFuture(localDecision(op, key, limit, window, resetMs));
      }
      redisAnswered();
      boolean allowed = ar.result().get(0).toInteger() == 1;
      int count = ar.result().get(1).toInteger();
      return Future.succeededFuture(decided(op, limit, count, allowed, windowMs, resetMs, false, key, window));
    });
  }

  /** Gives back the request of an allowed decision (the answer did not count: 401, 403). Best effort. */
  public Future<Void> refund(RateLimitDecision d) {
    if (!d.allowed()) return Future.succeededFuture();
    if (d.local()) {
      local.giveBack(d.key(), d.window());
      return Future.succeededFuture();
    }
    return run(d.key(), -1, d.limit(), 1).<Void>mapEmpty().otherwise(e -> null);
  }

  private RateLimitDecision localDecision(OperationClass op, String key, int limit, long window, long resetMs) {
    metrics.rateLimitLocalDecision(op.wire());
    LocalCounters.Result r = local.take(key, window, limit);
    return decided(op, limit, r.count(), r.allowed(), config.windowMs(), resetMs, true, key, window);
  }

  private RateLimitDecision decided(OperationClass op, int limit, int count, boolean allowed, long windowMs,
                                    long resetMs, boolean isLocal, String key, long window) {
    if (!allowed) metrics.rateLimited(op.wire());
    return new RateLimitDecision(allowed, op, limit, limit - count, windowMs, resetMs, isLocal, key, window);
  }

  private Future<Response> run(String key, int cost, int limit, long resetMs) {
    // the key outlives its window by a little, so a late refund still finds it; then Redis drops it
    String ttl = String.valueOf(resetMs + 1000);
    List<String> args = List.of(SHA, "1", key, String.valueOf(cost), String.valueOf(limit), ttl);
    return redis.evalsha(args).recover(e -> String.valueOf(e.getMessage()).startsWith("NOSCRIPT")
        ? redis.eval(List.of(SCRIPT, "1", key, String.valueOf(cost), String.valueOf(limit), ttl))
        : Future.failedFuture(e))
      .timeout(config.redisTimeoutMs(), TimeUnit.MILLISECONDS);
  }

  private boolean useRedis(long now) {
    long retryAt = redisRetryAt;
    return retryAt == 0 || now >= retryAt;
  }

  private void redisFailed(Throwable cause) {
    redisRetryAt = clock.millis() + config.redisRetryMs();
    if (!outage) {
      synchronized (this) {
        if (outage) return;
        outage = true;
      }
      metrics.rateLimitRedisOutage();
      log.warn("Redis is unreachable for rate limits ({}); each node counts on its own until it is back",
        String.valueOf(cause.getMessage()));
    }
  }

  private void redisAnswered() {
    redisRetryAt = 0;
    if (outage) {
      synchronized (this) {
        if (!outage) return;
        outage = false;
      }
      metrics.rateLimitRedisBack();
      log.info("Redis is back: rate limits are shared again");
    }
  }

  /** {@code <prefix>rl:<class>:<tenant>:<user>:<window>}; tenant and user encoded so that a ':' in them cannot collide. */
  String key(Caller caller, OperationClass op, long window) {
    return keyPrefix + "rl:" + op.wire() + ":" + enc(caller.tenant()) + ":" + enc(caller.userId()) + ":" + window;
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  private static String sha1(String text) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
