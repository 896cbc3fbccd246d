package io.orion.oms.events;

import java.util.concurrent.ConcurrentHashMap;

/** Stream connections per user in this process, over both transports and every HTTP verticle instance. */
public final class ConnectionLimiter {
  private final int maxPerUser;
  private final ConcurrentHashMap<String, Integer> open = new ConcurrentHashMap<>();

  public ConnectionLimiter(int maxPerUser) {
    this.maxPerUser = maxPerUser;
  }

  /** Takes a slot for {@code user}; false when the user already holds the maximum. */
  public boolean tryAcquire(String user) {
    boolean[] taken = {false};
    open.compute(user, (k, n) -> {
      int current = n == null ? 0 : n;
      if (current >= maxPerUser) return n;
      taken[0] = true;
      return current + 1;
    });
    return taken[0];
  }

  public void release(String user) {
    open.computeIfPresent(user, (k, n) -> n <= 1 ? null : n - 1);
  }

  public int count(String user) {
    return open.getOrDefault(user, 0);
  }
}
