package io.portti.bench;

import java.time.Duration;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * What one target did in the measured window: latencies of its whole 200 answers in microseconds, and
 * every failure, counted by kind. Failures outside the window and requests that never finished are kept too.
 */
record LoadResult(String target, Duration measured, Histogram latencyMicros, Map<String, Long> errors,
    long errorsOutsideWindow, long unfinished, CpuUsage cpu) {

  long ok() {
    return latencyMicros.getTotalCount();
  }

  long errorCount() {
    return errors.values().stream().mapToLong(Long::longValue).sum();
  }

  /** Every failure of the run, in or out of the measured window, and requests left hanging at the end. */
  long allFailures() {
    return errorCount() + errorsOutsideWindow + unfinished;
  }

  double requestsPerSecond() {
    return ok() / (measured.toNanos() / 1e9);
  }

  double millisAt(double percentile) {
    return latencyMicros.getValueAtPercentile(percentile) / 1000.0;
  }

  double maxMillis() {
    return latencyMicros.getMaxValue() / 1000.0;
  }
}
