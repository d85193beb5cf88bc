package io.portti.bench;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Prints what the settlement benchmark does, then one line per key count and where the CPU went. */
final class SettlementReport {

  /** One key count's figures: the timed settlement, and the journal writes it took. */
  record Row(SettlementRun.Result run, JournalTables.SettleWrites writes) {}

  private final PrintStream out;
  private final Report report;

  SettlementReport(PrintStream out) {
    this.out = out;
    this.report = new Report(out);
  }

  void configuration(SettlementOptions options) {
    out.println("Portti settlement benchmark");
    report.line("requests", options.requests() + " per run, spread evenly over the run's keys (" + options.keyCounts()
        + "), one funded user");
    report.line("reserved", (options.openPerKey() == SettlementOptions.ALL ? "all up front"
        : "at most " + options.openPerKey() + " open per key, in rounds") + ", untimed: Authorize asks of "
        + SettlementRun.RESERVE_LIST + " requests, " + SettlementRun.PROMPT_TOKENS + " prompt + "
        + SettlementRun.RESERVED_COMPLETION_TOKENS + " completion tokens each");
    report.line("timed", "every charge (" + SettlementRun.PROMPT_TOKENS + " + " + SettlementRun.CHARGED_COMPLETION_TOKENS
        + " tokens) given to the node's Settlement, keys interleaved, until all are acknowledged");
    report.line("node", "one, gateway.billing.lease.requests = " + SettlementBenchmark.LEASE_REQUESTS
        + " (one lease covers a run)");
    report.environment(options.postgres() ? "PostgreSQL, a fresh schema for each run" : "H2 unless GATEWAY_DB_URL is set,"
        + " fresh for each run");
    out.println();
  }

  void warmUp(int keys, int requests) {
    out.printf(Locale.ROOT, "warm-up, not reported: %d requests on %d keys%n", requests, keys);
  }

  void start(int keys) {
    out.printf(Locale.ROOT, "%d %s%n", keys, keys == 1 ? "key" : "keys");
  }

  void results(List<Row> rows) {
    out.println();
    out.printf(Locale.ROOT, "%6s %9s %7s %10s %14s %14s %10s  %s%n",
        "keys", "requests", "rounds", "seconds", "settlements/s", "journal writes", "per write", "check");
    for (Row row : rows) {
      SettlementRun.Result r = row.run();
      out.printf(Locale.ROOT, "%6d %9d %7d %10.3f %14.1f %14d %10.1f  %s%n", r.keys(), r.requests(), r.rounds(),
          r.elapsed().toNanos() / 1e9, r.settlementsPerSecond(), row.writes().writes(), row.writes().eventsPerWrite(),
          r.mismatches().isEmpty() ? "ok" : r.mismatches().size() + " keys wrong");
    }
    for (Row row : rows) {
      row.run().mismatches().stream().limit(10).forEach(m -> out.println("  " + m));
    }
    out.println();
    cpu(rows);
  }

  private void cpu(List<Row> rows) {
    if (rows.stream().anyMatch(row -> row.run().cpu().coresByPart().isEmpty())) {
      out.println("CPU breakdown not available: it reads Linux's /proc");
      return;
    }
    out.printf(Locale.ROOT, "CPU while settling, cores busy on average (of %d)%n", Runtime.getRuntime().availableProcessors());
    out.printf(Locale.ROOT, "  %-48s", "keys");
    rows.forEach(row -> out.printf(Locale.ROOT, " %10d", row.run().keys()));
    out.println();
    Map<String, Double> first = rows.get(0).run().cpu().coresByPart();
    for (String part : first.keySet()) {
      // Nothing of the relay benchmark's load generator or mock runs here.
      if (part.equals(CpuUsage.LOAD_GENERATOR) || part.equals(CpuUsage.MOCK)) continue;
      out.printf(Locale.ROOT, "  %-48s", part);
      rows.forEach(row -> out.printf(Locale.ROOT, " %10.2f", row.run().cpu().coresByPart().get(part)));
      out.println();
    }
  }
}
