package io.portti.bench;

import io.portti.mock.MockBehaviour;
import java.io.PrintStream;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ForkJoinPool;
import java.util.stream.Collectors;

/** Prints the configuration of a run, then the figures of each target side by side and Portti's overhead. */
final class Report {

  // Above this, a part of the CPU table is worth a note under it.
  private static final double NOTABLE_CORES = 0.25;

  private final PrintStream out;

  Report(PrintStream out) {
    this.out = out;
  }

  void configuration(BenchOptions options, ChatCall call, String database, MockBehaviour mock) {
    out.println("Portti relay benchmark");
    line("request", "POST /v1/chat/completions, model " + ChatCall.MODEL + ", " + call.describe());
    line("mock upstream", mock.answerTokens() + " answer tokens, " + mock.chunkDelayMillis() + " ms chunk delay");
    line("load", "closed loop, concurrency " + options.concurrency() + ", " + options.warmup().toSeconds()
        + " s warm-up + " + options.measured().toSeconds() + " s measured, one target after the other");
    line("load generator", "java.net.http.HttpClient, HTTP/1.1, one client per target, one thread per worker, same JVM");
    environment(database);
    out.println();
  }

  /** Where a run happens: database, cores, JVM, OS; every benchmark's header ends with these lines. */
  void environment(String database) {
    Runtime runtime = Runtime.getRuntime();
    String collectors = ManagementFactory.getGarbageCollectorMXBeans().stream()
        .map(GarbageCollectorMXBean::getName).collect(Collectors.joining(", "));
    line("database", database);
    line("cores", String.valueOf(runtime.availableProcessors()));
    line("JVM", System.getProperty("java.vm.name") + " " + Runtime.version() + ", max heap "
        + runtime.maxMemory() / (1024 * 1024) + " MB, " + collectors
        + ", flags " + ManagementFactory.getRuntimeMXBean().getInputArguments());
    // Below 2, every CompletableFuture *Async step without an executor starts a thread of its own.
    line("common pool", "parallelism " + ForkJoinPool.getCommonPoolParallelism());
    line("OS", System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"));
  }

  void progress(String target, BenchOptions options) {
    out.printf(Locale.ROOT, "measuring %s: %d s warm-up, %d s measured...%n",
        target, options.warmup().toSeconds(), options.measured().toSeconds());
  }

  void results(LoadResult direct, LoadResult relayed) {
    List<LoadResult> results = List.of(direct, relayed);
    out.println();
    out.printf(Locale.ROOT, "%-16s %10s %9s %9s %9s %9s %9s %9s %7s%n",
        "target", "req/s", "p50 ms", "p90 ms", "p99 ms", "p99.9 ms", "max ms", "ok", "errors");
    for (LoadResult r : results) {
      out.printf(Locale.ROOT, "%-16s %10.1f %9.3f %9.3f %9.3f %9.3f %9.3f %9d %7d%n", r.target(), r.requestsPerSecond(),
          r.millisAt(50), r.millisAt(90), r.millisAt(99), r.millisAt(99.9), r.maxMillis(), r.ok(), r.errorCount());
    }
    out.println();
    for (LoadResult r : results) errors(r);
    out.println();
    cpu(direct, relayed);
    out.println();
    out.println("Portti overhead");
    line("added p50", String.format(Locale.ROOT, "%+.3f ms", relayed.millisAt(50) - direct.millisAt(50)));
    line("added p99", String.format(Locale.ROOT, "%+.3f ms", relayed.millisAt(99) - direct.millisAt(99)));
    line("throughput", String.format(Locale.ROOT, "%.3f of direct (%.1f / %.1f req/s)",
        relayed.requestsPerSecond() / direct.requestsPerSecond(), relayed.requestsPerSecond(), direct.requestsPerSecond()));
  }

  private void errors(LoadResult r) {
    String inWindow = r.errors().isEmpty() ? "none" : r.errors().entrySet().stream()
        .map(e -> e.getKey() + " x" + e.getValue()).collect(Collectors.joining(", "));
    out.printf(Locale.ROOT, "errors %-16s in window: %s; in warm-up or drain: %d; never answered: %d%n",
        r.target(), inWindow, r.errorsOutsideWindow(), r.unfinished());
  }

  private void cpu(LoadResult direct, LoadResult relayed) {
    Map<String, Double> directCores = direct.cpu().coresByPart();
    Map<String, Double> relayedCores = relayed.cpu().coresByPart();
    if (directCores.isEmpty() || relayedCores.isEmpty()) {
      out.println("CPU breakdown not available: it reads Linux's /proc");
      return;
    }
    out.printf(Locale.ROOT, "CPU in the measured window, cores busy on average (of %d)%n",
        Runtime.getRuntime().availableProcessors());
    out.printf(Locale.ROOT, "  %-48s %16s %16s%n", "", direct.target(), relayed.target());
    directCores.forEach((part, cores) ->
        out.printf(Locale.ROOT, "  %-48s %16.2f %16.2f%n", part, cores, relayedCores.get(part)));
    if (Math.max(directCores.get(CpuUsage.JIT), relayedCores.get(CpuUsage.JIT)) > NOTABLE_CORES) {
      out.println("  note: the JIT was still compiling; a longer --warmup-seconds gives steadier figures");
    }
    if (Math.max(directCores.get(CpuUsage.OUTSIDE), relayedCores.get(CpuUsage.OUTSIDE)) > NOTABLE_CORES) {
      out.println("  note: other processes took CPU (PostgreSQL counts here); on a shared machine that skews the figures");
    }
  }

  void line(String label, String value) {
    out.printf(Locale.ROOT, "  %-16s %s%n", label, value);
  }
}
