package io.portti.bench;

/** The command line of the recovery benchmark. */
record RecoveryOptions(int requests, int coldStarts, boolean postgres) {

  static final String USAGE = "usage: bench/run recovery [--requests N] [--cold-starts N] [--postgres]";

  // Upper bounds keep a typo from turning the benchmark into an endless run.
  private static final int MAX_REQUESTS = 1_000_000;
  private static final int MAX_COLD_STARTS = 20;

  static RecoveryOptions parse(String[] args) {
    int requests = 100_000;
    int coldStarts = 3;
    boolean postgres = false;
    for (int i = 0; i < args.length; i++) {
      String flag = args[i];
      switch (flag) {
        case "--requests" -> requests = Flags.number(args, ++i, flag, 1, MAX_REQUESTS);
        case "--cold-starts" -> coldStarts = Flags.number(args, ++i, flag, 1, MAX_COLD_STARTS);
        case "--postgres" -> postgres = true;
        default -> throw new IllegalArgumentException("unknown option " + flag);
      }
    }
    return new RecoveryOptions(requests, coldStarts, postgres);
  }
}
