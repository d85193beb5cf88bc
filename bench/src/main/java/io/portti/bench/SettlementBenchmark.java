package io.portti.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * How many settlements per second the billing path makes durable: N reserved requests on one hot key,
 * then the same N spread over many keys, each on a fresh node and database. A settlement counts once
 * its key has written it to the journal and acknowledged it.
 */
public final class SettlementBenchmark {

  /** Enough for a whole run: lease renewals are measured elsewhere, not here. */
  static final int LEASE_REQUESTS = 100_000;
  // The JVM is shared by every run: one small run first, so that the first measured one does not pay for the JIT.
  static final int WARM_UP_KEYS = 10;
  static final int WARM_UP_REQUESTS = 20_000;

  private SettlementBenchmark() {}

  public static void main(String[] args) throws Exception {
    BenchMain.run(args, SettlementOptions.USAGE, SettlementOptions::parse, SettlementBenchmark::run);
  }

  /** 0 when every key ends with exactly its share settled, 1 otherwise. */
  private static int run(SettlementOptions options) throws Exception {
    SettlementReport report = new SettlementReport(System.out);
    report.configuration(options);
    report.warmUp(WARM_UP_KEYS, WARM_UP_REQUESTS);
    SettlementRun.Result warmUp = measure(WARM_UP_KEYS, WARM_UP_REQUESTS, options).run();
    if (!warmUp.mismatches().isEmpty()) {
      warmUp.mismatches().forEach(System.out::println);
      return 1;
    }
    List<SettlementReport.Row> rows = new ArrayList<>();
    for (int keys : options.keyCounts()) {
      report.start(keys);
      rows.add(measure(keys, options.requests(), options));
    }
    report.results(rows);
    return rows.stream().allMatch(row -> row.run().mismatches().isEmpty()) ? 0 : 1;
  }

  /** On a node and database of its own. */
  private static SettlementReport.Row measure(int keys, int requests, SettlementOptions options) throws Exception {
    String adminKey = "bench-" + UUID.randomUUID();
    try (BenchDatabase database = BenchDatabase.create(options.postgres())) {
      System.out.println("  " + database.description());
      SettlementRun.Result result;
      try (BenchNode node = BenchNode.start(database, adminKey, nodeSettings())) {
        result = new SettlementRun(node, adminKey, System.out).run(keys, requests, options.openPerKey());
      }
      try (JournalTables journal = JournalTables.open(database)) {
        return new SettlementReport.Row(result, journal.settleWrites(result.issued()));
      }
    }
  }

  static Map<String, Object> nodeSettings() {
    return Map.of("gateway.billing.lease.requests", LEASE_REQUESTS);
  }
}
