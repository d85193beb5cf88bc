package io.portti.bench;

import java.util.ArrayList;
import java.util.List;

/** The command line of the settlement benchmark. */
record SettlementOptions(int requests, List<Integer> keyCounts, int openPerKey, boolean postgres) {

  /** No limit: each key's whole share is reserved up front and settled in one go. */
  static final int ALL = Integer.MAX_VALUE;

  static final String USAGE = "usage: bench/run settlement [--requests N] [--keys K[,K...]] [--open N] [--postgres]";

  // Upper bounds keep a typo from turning the benchmark into an endless run.
  private static final int MAX_REQUESTS = 1_000_000;
  private static final int MAX_KEYS = 100_000;

  static SettlementOptions parse(String[] args) {
    int requests = 50_000;
    List<Integer> keyCounts = List.of(1, 1000);
    int openPerKey = ALL;
    boolean postgres = false;
    for (int i = 0; i < args.length; i++) {
      String flag = args[i];
      switch (flag) {
        case "--requests" -> requests = Flags.number(args, ++i, flag, 1, MAX_REQUESTS);
        case "--keys" -> keyCounts = keyCounts(Flags.value(args, ++i, flag), flag);
        case "--open" -> openPerKey = Flags.number(args, ++i, flag, 1, MAX_REQUESTS);
        case "--postgres" -> postgres = true;
        default -> throw new IllegalArgumentException("unknown option " + flag);
      }
    }
    for (int keys : keyCounts) {
      if (keys > requests) throw new IllegalArgumentException("--keys " + keys + " is more than --requests " + requests);
    }
    return new SettlementOptions(requests, keyCounts, openPerKey, postgres);
  }

  private static List<Integer> keyCounts(String value, String flag) {
    List<Integer> counts = new ArrayList<>();
    for (String part : value.split(",")) counts.add(Flags.number(part.trim(), flag, 1, MAX_KEYS));
    return List.copyOf(counts);
  }
}
