package io.orion.oms.lp;

import java.util.Arrays;

/**
 * The last N latencies of one LP, for p50/p99 on the health view. Recording is a store into a ring
 * (no allocation on the send path); percentiles sort a copy, which happens about once a second.
 */
final class LatencyWindow {
  private final long[] micros;
  private int next;
  private int count;

  LatencyWindow(int size) {
    micros = new long[size];
  }

  void record(long nanos) {
    micros[next] = nanos / 1000;
    next = (next + 1) % micros.length;
    if (count < micros.length) count++;
  }

  /** The p-th percentile (0..100) in microseconds, or -1 with no samples. */
  long percentile(double p) {
    if (count == 0) return -1;
    long[] copy = Arrays.copyOf(micros, count);
    Arrays.sort(copy);
    int idx = (int) Math.ceil(p / 100.0 * count) - 1;
    return copy[Math.max(0, Math.min(count - 1, idx))];
  }
}
