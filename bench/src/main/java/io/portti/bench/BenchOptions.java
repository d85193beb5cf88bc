package io.portti.bench;

import java.time.Duration;

/** The command line of the relay benchmark. */
record BenchOptions(int concurrency, Duration warmup, Duration measured, boolean stream, boolean postgres) {

  static final String USAGE =
      "usage: bench/run [--concurrency N] [--warmup-seconds N] [--seconds N] [--stream] [--postgres]";

  // Upper bounds keep a typo from turning the benchmark into an endless or unbounded run.
  private static final int MAX_CONCURRENCY = 1024;
  private static final int MAX_SECONDS = 600;

  static BenchOptions parse(String[] args) {
    int concurrency = 32;
    int warmupSeconds = 5;
    int seconds = 20;
    boolean stream = false;
    boolean postgres = false;
    for (int i = 0; i < args.length; i++) {
      String flag = args[i];
      switch (flag) {
        case "--concurrency" -> concurrency = Flags.number(args, ++i, flag, 1, MAX_CONCURRENCY);
        case "--warmup-seconds" -> warmupSeconds = Flags.number(args, ++i, flag, 0, MAX_SECONDS);
        case "--seconds" -> seconds = Flags.number(args, ++i, flag, 1, MAX_SECONDS);
        case "--stream" -> stream = true;
        case "--postgres" -> postgres = true;
        default -> throw new IllegalArgumentException("unknown option " + flag);
      }
    }
    return new BenchOptions(concurrency, Duration.ofSeconds(warmupSeconds), Duration.ofSeconds(seconds), stream, postgres);
  }
}
