package io.portti.bench;

import io.portti.key.ApiKey;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.HashCodeMessageExtractor;

/**
 * How long a key with a long journal takes to answer on a node that has never seen it: one key gets N
 * requests reserved and settled (one UsageSettled event each), then new nodes start on the same
 * database and the first ApiKey.Get to the key is timed, first from its latest snapshot, then, with
 * its snapshots deleted, from its whole journal. Sharding's record of running keys is deleted before
 * each start: otherwise the node restarts the key by itself while starting, and the Get finds it ready.
 */
public final class RecoveryBenchmark {

  /** Reservations the key holds at once while its journal is built, as under live traffic: snapshots stay small. */
  static final int BUILD_OPEN_PER_KEY = 1000;
  private static final int CONTROL_KEY_ATTEMPTS = 20;

  /** The two keys every cold start asks: the one with the long journal, and one with a single event. */
  private record Keys(String hot, String control) {}

  private RecoveryBenchmark() {}

  public static void main(String[] args) throws Exception {
    BenchMain.run(args, RecoveryOptions.USAGE, RecoveryOptions::parse, RecoveryBenchmark::run);
  }

  /** 0 when the key settled every request and every cold start recovered all of them, 1 otherwise. */
  private static int run(RecoveryOptions options) throws Exception {
    RecoveryReport report = new RecoveryReport(System.out);
    String adminKey = "bench-" + UUID.randomUUID();
    try (BenchDatabase database = BenchDatabase.create(options.postgres());
        JournalTables journal = JournalTables.open(database)) {
      report.configuration(options, database.description());
      Keys keys = build(database, adminKey, options.requests(), report);
      if (keys == null) return 1;
      String persistenceId = JournalTables.keyPersistenceId(keys.hot());
      List<RecoveryReport.ColdStart> starts = new ArrayList<>();
      for (int i = 1; i <= options.coldStarts(); i++) {
        report.progress("cold start " + i + " from the latest snapshot...");
        starts.add(coldStart(database, adminKey, keys, journal));
      }
      for (int i = 1; i <= options.coldStarts(); i++) {
        // A running key may have snapshotted again since: delete before every start.
        journal.deleteSnapshots(persistenceId);
        report.progress("cold start " + i + " without snapshots...");
        starts.add(coldStart(database, adminKey, keys, journal));
      }
      report.results(starts, options.requests());
      return starts.stream().allMatch(s -> s.requestsSeen() == options.requests()) ? 0 : 1;
    }
  }

  /** The long journal: every request reserved and settled on one key, on a node that then stops. Null if it went wrong. */
  private static Keys build(BenchDatabase database, String adminKey, int requests, RecoveryReport report)
      throws Exception {
    report.progress("building the journal: " + requests + " requests on one key");
    try (BenchNode node = BenchNode.start(database, adminKey, SettlementBenchmark.nodeSettings())) {
      SettlementRun.Result built = new SettlementRun(node, adminKey, System.out).run(1, requests, BUILD_OPEN_PER_KEY);
      report.built(built);
      if (!built.mismatches().isEmpty()) return null;
      String hot = built.issued().get(0).id();
      return new Keys(hot, controlKey(node, adminKey, hot));
    }
  }

  /** A key of its own user, in another shard than hot: asking it first does not start the hot key. */
  private static String controlKey(BenchNode node, String adminKey, String hot) throws Exception {
    TenantSetup tenant = new TenantSetup(node.url(), adminKey);
    String userId = tenant.fundedUser(1);
    HashCodeMessageExtractor<ApiKey.Command> shards = new HashCodeMessageExtractor<>(numberOfShards(node.gateway().system()));
    for (int attempt = 0; attempt < CONTROL_KEY_ATTEMPTS; attempt++) {
      String id = tenant.issueKey(userId).id();
      if (!shards.shardId(id).equals(shards.shardId(hot))) return id;
    }
    throw new IllegalStateException("every control key landed in the hot key's shard");
  }

  private static int numberOfShards(ActorSystem<?> system) {
    return system.settings().config().getInt("pekko.cluster.sharding.number-of-shards");
  }

  /** A new node, told of no running key: each key recovers on its first message, not in the background. */
  private static RecoveryReport.ColdStart coldStart(BenchDatabase database, String adminKey, Keys keys,
      JournalTables journal) throws Exception {
    String persistenceId = JournalTables.keyPersistenceId(keys.hot());
    journal.forgetRunningKeys();
    long events = journal.events(persistenceId);
    JournalTables.Snapshot snapshot = journal.latestSnapshot(persistenceId);
    try (BenchNode node = BenchNode.start(database, adminKey, SettlementBenchmark.nodeSettings())) {
      KeyEntities entities = new KeyEntities(node.gateway().system());
      double control = timedGet(entities, keys.control()).millis();
      TimedView first = timedGet(entities, keys.hot());
      TimedView second = timedGet(entities, keys.hot());
      return new RecoveryReport.ColdStart(events, snapshot, control, first.millis(), second.millis(),
          first.view().requests());
    }
  }

  private record TimedView(ApiKey.View view, double millis) {}

  private static TimedView timedGet(KeyEntities entities, String keyId) throws Exception {
    long start = System.nanoTime();
    ApiKey.View view = entities.view(keyId).toCompletableFuture().get();
    return new TimedView(view, (System.nanoTime() - start) / (double) TimeUnit.MILLISECONDS.toNanos(1));
  }
}
