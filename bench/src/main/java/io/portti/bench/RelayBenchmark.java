package io.portti.bench;

import io.portti.mock.MockUpstream;
import java.util.Map;
import java.util.UUID;

/**
 * Plain chat completions at a fixed concurrency, first straight to the mock upstream, then through a
 * Portti node relaying to that same mock: what the gateway adds in latency and costs in throughput.
 */
public final class RelayBenchmark {

  private static final String UPSTREAM_KEY = "sk-upstream";

  private RelayBenchmark() {}

  public static void main(String[] args) throws Exception {
    BenchMain.run(args, BenchOptions.USAGE, BenchOptions::parse, RelayBenchmark::run);
  }

  /** 0 when every request of both targets got a whole 200 answer, 1 otherwise. */
  private static int run(BenchOptions options) throws Exception {
    ChatCall call = new ChatCall(options.stream());
    Report report = new Report(System.out);
    String adminKey = "bench-" + UUID.randomUUID();
    try (BenchDatabase database = BenchDatabase.create(options.postgres())) {
      MockUpstream mock = MockUpstream.start(0);
      try (BenchNode node = BenchNode.start(database, adminKey, Map.of())) {
        String gatewayUrl = node.url();
        String apiKey = new TenantSetup(gatewayUrl, adminKey).issueKey(mock.baseUrl(), ChatCall.MODEL, UPSTREAM_KEY);
        report.configuration(options, call, database.description(), mock.behaviour());
        LoadResult direct = measure(Target.create("direct to mock", mock.baseUrl(), UPSTREAM_KEY, call), options, report);
        LoadResult relayed = measure(Target.create("through Portti", gatewayUrl + "/v1", apiKey, call), options, report);
        report.results(direct, relayed);
        return direct.allFailures() + relayed.allFailures() == 0 ? 0 : 1;
      } finally {
        mock.stop();
      }
    }
  }

  private static LoadResult measure(Target target, BenchOptions options, Report report) throws Exception {
    try (target) {
      target.probe();
      report.progress(target.name(), options);
      return ClosedLoopLoad.run(target, options.concurrency(), options.warmup(), options.measured());
    }
  }
}
