package io.orion.oms.ratelimit;

/**
 * The answer for one request: allowed or not, and what the client is told in the headers of
 * draft-ietf-httpapi-ratelimit-headers (-08 to -10 share this syntax): {@code RateLimit-Policy:
 * "orders";q=100;w=60} and {@code RateLimit: "orders";r=42;t=17}. {@code resetMs} is the time left
 * in the current window; {@code t} and {@code Retry-After} are both that time rounded up to whole
 * seconds, so the two never disagree. {@code local} says the per-node fallback decided (Redis was
 * unreachable); {@code key} and {@code window} identify the counter, for a refund.
 */
public record RateLimitDecision(boolean allowed, OperationClass operation, int limit, int remaining, long windowMs,
                                long resetMs, boolean local, String key, long window) {

  /** Seconds until the window resets, at least 1 (a client told 0 would retry into the same window). */
  public long resetSeconds() {
    return Math.max(1, (resetMs + 999) / 1000);
  }

  public long windowSeconds() {
    return Math.max(1, (windowMs + 999) / 1000);
  }

  public String policyHeader() {
    return "\"" + operation.wire() + "\";q=" + limit + ";w=" + windowSeconds();
  }

  public String rateLimitHeader() {
    return "\"" + operation.wire() + "\";r=" + Math.max(0, remaining) + ";t=" + resetSeconds();
  }

  /** The same decision with the request given back (an answer that does not count, such as a 403). */
  public RateLimitDecision refunded() {
    return new RateLimitDecision(allowed, operation, limit, Math.min(limit, remaining + 1), windowMs, resetMs, local, key,
      window);
  }
}
