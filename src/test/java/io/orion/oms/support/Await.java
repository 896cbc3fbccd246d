package io.orion.oms.support;

import java.util.function.Supplier;

/** Polls a condition until it yields a value: tests wait for asynchronous outcomes without fixed sleeps. */
public final class Await {
  private Await() {}

  /** The first non-null value of {@code probe} within 20 s; fails naming {@code what} otherwise. */
  public static <T> T until(Supplier<T> probe, String what) throws InterruptedException {
    long deadline = System.nanoTime() + 20_000_000_000L;
    while (System.nanoTime() < deadline) {
      T v = probe.get();
      if (v != null) return v;
      Thread.sleep(20);
    }
    throw new AssertionError("timed out waiting for " + what);
  }
}
