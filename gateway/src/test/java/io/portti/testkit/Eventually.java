package io.portti.testkit;

import java.time.Duration;
import java.util.function.Supplier;

/** Waits for a condition with a deadline; never a fixed sleep as synchronisation. */
public final class Eventually {
  private Eventually() {}

  public static <T> T await(Duration within, Supplier<T> attempt) {
    long deadline = System.nanoTime() + within.toNanos();
    AssertionError last = null;
    while (System.nanoTime() < deadline) {
      try {
        return attempt.get();
      } catch (AssertionError e) {
        last = e;
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
    throw last != null ? last : new AssertionError("condition not met within " + within);
  }
}
