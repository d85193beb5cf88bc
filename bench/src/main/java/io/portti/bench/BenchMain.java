package io.portti.bench;

import java.util.List;

/** What every benchmark's main does: --help, parse the flags (exit 2 on bad ones), run, exit with its status. */
final class BenchMain {

  interface Parser<O> {
    O parse(String[] args);
  }

  interface Runner<O> {
    int run(O options) throws Exception;
  }

  private BenchMain() {}

  static <O> void run(String[] args, String usage, Parser<O> parser, Runner<O> runner) throws Exception {
    if (List.of(args).contains("--help") || List.of(args).contains("-h")) {
      System.out.println(usage);
      return;
    }
    O options;
    try {
      options = parser.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.err.println(usage);
      System.exit(2);
      return;
    }
    int status = runner.run(options);
    // A library thread left behind must not keep a finished benchmark alive.
    System.exit(status);
  }
}
