package io.orion.oms.ratelimit;

import java.util.concurrent.ConcurrentHashMap;

/**
 * The per-node fallback while Redis is unreachable: the same fixed windows and keys as the Redis
 * counters, kept in memory. Entries of past windows are dropped as windows go by.
 */
final class LocalCounters {
  record Result(boolean allowed, int count) {}

  private record Slot(long window, int count) {}

  private final ConcurrentHashMap<String, Slot> slots = new ConcurrentHashMap<>();
  private volatile long lastPurged = Long.MIN_VALUE;

  Result take(String key, long window, int limit) {
    purge(window);
    boolean[] allowed = new boolean[1];
    Slot s = slots.compute(key, (k, old) -> {
      int count = old == null || old.window() != window ? 0 : old.count();
      allowed[0] = count + 1 <= limit;
      return new Slot(window, allowed[0] ? count + 1 : count);
    });
    return new Result(allowed[0], s.count());
  }

  void giveBack(String key, long window) {
    slots.computeIfPresent(key, (k, old) -> old.window() == window && old.count() > 0
      ? new Slot(window, old.count() - 1) : old);
  }

  private void purge(long window) {
    if (lastPurged >= window) return;
    lastPurged = window;
    slots.values().removeIf(s -> s.window() < window);
  }

  int size() {
    return slots.size();
  }
}
