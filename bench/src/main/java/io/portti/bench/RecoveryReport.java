package io.portti.bench;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;

/** Prints what the recovery benchmark does, the journal it built, then one line per cold start and the medians. */
final class RecoveryReport {

  /**
   * One new node: the key's journal and latest snapshot (null when there is none) as it started, the
   * control key's first Get, the key's first Get (its recovery) and second Get, and the requests the key then showed.
   */
  record ColdStart(long events, JournalTables.Snapshot snapshot, double controlMillis, double firstGetMillis,
      double secondGetMillis, long requestsSeen) {

    long replayed() {
      return snapshot == null ? events : events - snapshot.sequenceNr();
    }
  }

  private final PrintStream out;
  private final Report report;

  RecoveryReport(PrintStream out) {
    this.out = out;
    this.report = new Report(out);
  }

  void configuration(RecoveryOptions options, String database) {
    out.println("Portti recovery benchmark");
    report.line("journal", "one key, " + options.requests() + " requests reserved (at most "
        + RecoveryBenchmark.BUILD_OPEN_PER_KEY + " open) and settled through Settlement: a UsageSettled event each");
    report.line("snapshots", "ApiKey snapshots every 100 events and keeps the last 2");
    report.line("cold start", "a new node on the same database; sharding's record of running keys deleted first, so"
        + " no key restarts by itself; timed: the first ApiKey.Get");
    report.line("control", "a key with one event, asked first on each new node: shard allocation and a short recovery");
    report.line("runs", options.coldStarts() + " cold starts from the latest snapshot, then " + options.coldStarts()
        + " with the key's snapshots deleted (the whole journal replayed)");
    report.environment(database);
    out.println();
  }

  void progress(String step) {
    out.println(step);
  }

  void built(SettlementRun.Result built) {
    out.printf(Locale.ROOT, "  built in %d rounds, %.1f settlements/s; check %s%n", built.rounds(),
        built.settlementsPerSecond(), built.mismatches().isEmpty() ? "ok" : String.join("; ", built.mismatches()));
  }

  void results(List<ColdStart> starts, int requests) {
    out.println();
    out.printf(Locale.ROOT, "%-16s %14s %10s %12s %11s %13s %14s %10s%n", "recovery from", "journal events",
        "replayed", "snapshot kB", "control ms", "first Get ms", "second Get ms", "requests");
    for (ColdStart s : starts) {
      out.printf(Locale.ROOT, "%-16s %14d %10d %12s %11.1f %13.1f %14.1f %10d%s%n",
          s.snapshot() == null ? "whole journal" : "latest snapshot", s.events(), s.replayed(),
          s.snapshot() == null ? "-" : String.format(Locale.ROOT, "%.1f", s.snapshot().bytes() / 1024.0),
          s.controlMillis(), s.firstGetMillis(), s.secondGetMillis(), s.requestsSeen(),
          s.requestsSeen() == requests ? "" : "  WRONG, expected " + requests);
    }
    out.println();
    List<ColdStart> fromSnapshot = starts.stream().filter(s -> s.snapshot() != null).toList();
    List<ColdStart> wholeJournal = starts.stream().filter(s -> s.snapshot() == null).toList();
    if (!fromSnapshot.isEmpty()) {
      out.printf(Locale.ROOT, "from the latest snapshot: first Get %.1f ms (median of %d)%n",
          median(fromSnapshot.stream().map(ColdStart::firstGetMillis).toList()), fromSnapshot.size());
    }
    if (!wholeJournal.isEmpty()) {
      double millis = median(wholeJournal.stream().map(ColdStart::firstGetMillis).toList());
      long replayed = wholeJournal.get(0).replayed();
      out.printf(Locale.ROOT, "whole journal: first Get %.1f ms (median of %d), about %.0f events/s replayed%n",
          millis, wholeJournal.size(), replayed / (millis / 1000));
    }
  }

  private static double median(List<Double> values) {
    List<Double> sorted = values.stream().sorted().toList();
    int mid = sorted.size() / 2;
    return sorted.size() % 2 == 1 ? sorted.get(mid) : (sorted.get(mid - 1) + sorted.get(mid)) / 2;
  }
}
