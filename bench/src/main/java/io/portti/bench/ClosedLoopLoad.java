package io.portti.bench;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * A closed loop: each of C workers sends its next request the moment its previous one is answered, for a
 * warm-up and then a measured window. Only answers that arrive inside the window are counted.
 */
final class ClosedLoopLoad {

  private static final long HIGHEST_MICROS = TimeUnit.MINUTES.toMicros(5);
  // Requests still open when the window closes get this long past their own timeout to finish.
  private static final Duration DRAIN_GRACE = Target.REQUEST_TIMEOUT.plusSeconds(5);

  private final Target target;
  private final long windowStart;
  private final long windowEnd;
  private final Histogram latencyMicros = new ConcurrentHistogram(1, HIGHEST_MICROS, 3);
  private final Map<String, LongAdder> errors = new ConcurrentHashMap<>();
  private final LongAdder errorsOutsideWindow = new LongAdder();

  private ClosedLoopLoad(Target target, Duration warmup, Duration measured) {
    this.target = target;
    this.windowStart = System.nanoTime() + warmup.toNanos();
    this.windowEnd = windowStart + measured.toNanos();
  }

  static LoadResult run(Target target, int concurrency, Duration warmup, Duration measured) throws InterruptedException {
    return new ClosedLoopLoad(target, warmup, measured).run(concurrency, measured);
  }

  private LoadResult run(int concurrency, Duration measured) throws InterruptedException {
    List<Thread> workers = new ArrayList<>(concurrency);
    for (int i = 0; i < concurrency; i++) workers.add(target.newThread(this::work));
    workers.forEach(Thread::start);
    sleepUntil(windowStart);
    CpuSample before = CpuSample.take();
    sleepUntil(windowEnd);
    CpuSample after = CpuSample.take();
    long drainEnd = System.nanoTime() + DRAIN_GRACE.toNanos();
    for (Thread worker : workers) {
      worker.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(drainEnd - System.nanoTime())));
    }
    long unfinished = workers.stream().filter(Thread::isAlive).count();
    Map<String, Long> errorCounts = new TreeMap<>();
    errors.forEach((kind, count) -> errorCounts.put(kind, count.sum()));
    return new LoadResult(target.name(), measured, latencyMicros.copy(), errorCounts, errorsOutsideWindow.sum(),
        unfinished, CpuUsage.between(before, after));
  }

  private void work() {
    long sentAt;
    while ((sentAt = System.nanoTime()) - windowEnd < 0) {
      String failure;
      try {
        HttpResponse<String> response = target.send();
        failure = target.failureOf(response);
      } catch (IOException | RuntimeException e) {
        failure = e.getClass().getSimpleName();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      record(sentAt, System.nanoTime(), failure);
    }
  }

  private void record(long sentAt, long answeredAt, String failure) {
    boolean inWindow = answeredAt - windowStart >= 0 && answeredAt - windowEnd < 0;
    if (!inWindow) {
      if (failure != null) errorsOutsideWindow.increment();
    } else if (failure != null) {
      errors.computeIfAbsent(failure, kind -> new LongAdder()).increment();
    } else {
      // A whole answer can outlast the header timeout; clamp rather than lose it.
      latencyMicros.recordValue(Math.min(HIGHEST_MICROS, TimeUnit.NANOSECONDS.toMicros(answeredAt - sentAt)));
    }
  }

  private static void sleepUntil(long nanoTime) throws InterruptedException {
    long remaining;
    while ((remaining = nanoTime - System.nanoTime()) > 0) TimeUnit.NANOSECONDS.sleep(remaining);
  }
}
