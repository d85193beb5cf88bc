package io.portti.bench;

import io.portti.billing.GroupMultiplier;
import io.portti.billing.Money;
import io.portti.billing.Price;
import io.portti.billing.RequestCharge;
import io.portti.key.ApiKey;
import io.portti.relay.Settlement;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * N requests spread evenly over K new keys of one funded user: requests are reserved (Authorize, in
 * lists, untimed), then their charges all go to the node's Settlement at once, and the time until
 * every one is acknowledged, that is written to the journal, is measured. By default every request
 * is reserved up front and settled in one go; with a limit on open reservations per key, that
 * happens in rounds and the rounds' settling times add up. Afterwards each key must show exactly
 * its share of requests, no open reservation, and its share of the cost.
 */
final class SettlementRun {

  /** Reserved for each request; its charge has the same prompt and a shorter answer, so it costs a bit less. */
  static final int PROMPT_TOKENS = 200;
  static final int RESERVED_COMPLETION_TOKENS = 100;
  static final int CHARGED_COMPLETION_TOKENS = 80;
  static final int RESERVE_LIST = 500;
  private static final int ASKS_IN_FLIGHT = 32;
  private static final Duration SETTLE_TIMEOUT = Duration.ofMinutes(15);
  private static final long POLL_MILLIS = 1;

  record Result(int keys, int requests, int rounds, Duration elapsed, CpuUsage cpu, List<TenantSetup.IssuedKey> issued,
      List<String> mismatches) {

    double settlementsPerSecond() {
      return requests / (elapsed.toNanos() / 1e9);
    }
  }

  private final BenchNode node;
  private final String adminKey;
  private final PrintStream progress;

  SettlementRun(BenchNode node, String adminKey, PrintStream progress) {
    this.node = node;
    this.adminKey = adminKey;
    this.progress = progress;
  }

  /** openPerKey: the most reservations a key holds at once; at least a key's share settles all in one round. */
  Result run(int keys, int requests, int openPerKey) throws Exception {
    TenantSetup tenant = new TenantSetup(node.url(), adminKey);
    Price price = tenant.price(ChatCall.MODEL);
    String userId = tenant.fundedUser(TenantSetup.MONEY);
    List<TenantSetup.IssuedKey> issued = new ArrayList<>(keys);
    for (int k = 0; k < keys; k++) issued.add(tenant.issueKey(userId));

    KeyEntities entities = new KeyEntities(node.gateway().system());
    ApiKey.Estimate estimate = new ApiKey.Estimate(PROMPT_TOKENS, RESERVED_COMPLETION_TOKENS, price);
    long cost = Money.cost(PROMPT_TOKENS, CHARGED_COMPLETION_TOKENS, price, GroupMultiplier.LIST_PRICE.multiplier());
    Settlement settlement = node.gateway().settlement();
    int largestShare = share(0, keys, requests);
    int perRound = Math.min(openPerKey, largestShare);
    int rounds = (largestShare + perRound - 1) / perRound;
    progress.printf(Locale.ROOT, "  keys issued; reserving and settling %d requests in %d %s...%n", requests, rounds,
        rounds == 1 ? "round" : "rounds");

    List<Duration> settling = new ArrayList<>(rounds);
    List<CpuUsage> cpu = new ArrayList<>(rounds);
    for (int from = 0; from < largestShare; from += perRound) {
      int to = from + perRound;
      reserve(entities, issued, requests, from, to, estimate);
      List<RequestCharge> charges = chargesRoundRobin(userId, issued, requests, from, to, cost);
      CpuSample before = CpuSample.take();
      long start = System.nanoTime();
      charges.forEach(settlement::settle);
      if (rounds == 1) {
        settlement.drain().toCompletableFuture().get(SETTLE_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      } else {
        // drain() serves once, for a graceful stop: between rounds, watch the keys' totals instead.
        awaitSettled(entities, issued, requests, to);
      }
      settling.add(Duration.ofNanos(System.nanoTime() - start));
      cpu.add(CpuUsage.between(before, CpuSample.take()));
    }
    Duration elapsed = settling.stream().reduce(Duration.ZERO, Duration::plus);
    return new Result(keys, requests, rounds, elapsed, CpuUsage.overWindows(cpu, settling), issued,
        check(entities, issued, requests, cost));
  }

  /** Key k's share: requests / keys, the first requests % keys keys one more. */
  static int share(int k, int keys, int requests) {
    return requests / keys + (k < requests % keys ? 1 : 0);
  }

  private static String requestId(int k, int i) {
    return "bench-" + k + "-" + i;
  }

  /** Requests from (inclusive) to (exclusive) of each key's share. */
  private static void reserve(KeyEntities entities, List<TenantSetup.IssuedKey> issued, int requests, int from, int to,
      ApiKey.Estimate estimate) throws InterruptedException {
    BoundedAsks asks = new BoundedAsks(ASKS_IN_FLIGHT);
    for (int k = 0; k < issued.size(); k++) {
      int end = Math.min(to, share(k, issued.size(), requests));
      for (int first = from; first < end; first += RESERVE_LIST) {
        List<String> ids = new ArrayList<>(RESERVE_LIST);
        for (int i = first; i < Math.min(end, first + RESERVE_LIST); i++) ids.add(requestId(k, i));
        TenantSetup.IssuedKey key = issued.get(k);
        asks.send(() -> entities.reserve(key, ids, ChatCall.MODEL, estimate));
      }
    }
    asks.awaitAll();
  }

  /** Request i of every key, then request i + 1 of every key: many keys' charges arrive interleaved, as live traffic does. */
  private static List<RequestCharge> chargesRoundRobin(String userId, List<TenantSetup.IssuedKey> issued, int requests,
      int from, int to, long cost) {
    List<RequestCharge> charges = new ArrayList<>();
    long now = System.currentTimeMillis();
    for (int i = from; i < to; i++) {
      for (int k = 0; k < issued.size(); k++) {
        if (i < share(k, issued.size(), requests)) {
          charges.add(new RequestCharge(requestId(k, i), userId, issued.get(k).id(), null, ChatCall.MODEL,
              KeyEntities.ENDPOINT, PROMPT_TOKENS, CHARGED_COMPLETION_TOKENS, cost, "success", 1, now));
        }
      }
    }
    return charges;
  }

  /** Until every key counts its requests below upTo as settled. */
  private static void awaitSettled(KeyEntities entities, List<TenantSetup.IssuedKey> issued, int requests, int upTo)
      throws InterruptedException, TimeoutException {
    long deadline = System.nanoTime() + SETTLE_TIMEOUT.toNanos();
    List<Integer> waiting = new ArrayList<>();
    for (int k = 0; k < issued.size(); k++) waiting.add(k);
    while (!waiting.isEmpty()) {
      if (System.nanoTime() - deadline > 0) throw new TimeoutException(waiting.size() + " keys not settled in time");
      BoundedAsks asks = new BoundedAsks(ASKS_IN_FLIGHT);
      List<CompletableFuture<ApiKey.View>> views = new ArrayList<>(waiting.size());
      for (int k : waiting) views.add(asks.send(() -> entities.view(issued.get(k).id())));
      asks.awaitAll();
      List<Integer> still = new ArrayList<>();
      for (int j = 0; j < waiting.size(); j++) {
        int k = waiting.get(j);
        if (views.get(j).join().requests() < Math.min(upTo, share(k, issued.size(), requests))) still.add(k);
      }
      waiting = still;
      if (!waiting.isEmpty()) TimeUnit.MILLISECONDS.sleep(POLL_MILLIS);
    }
  }

  private static List<String> check(KeyEntities entities, List<TenantSetup.IssuedKey> issued, int requests, long cost)
      throws InterruptedException {
    BoundedAsks asks = new BoundedAsks(ASKS_IN_FLIGHT);
    List<CompletableFuture<ApiKey.View>> views = new ArrayList<>(issued.size());
    for (TenantSetup.IssuedKey key : issued) views.add(asks.send(() -> entities.view(key.id())));
    asks.awaitAll();
    List<String> mismatches = new ArrayList<>();
    for (int k = 0; k < issued.size(); k++) {
      ApiKey.View view = views.get(k).join();
      long share = share(k, issued.size(), requests);
      if (view.requests() != share || view.openReservations() != 0 || view.usedNanos() != share * cost) {
        mismatches.add(String.format(Locale.ROOT, "key %s: %d requests, %d open reservations, %d nano-units used;"
                + " expected %d, 0, %d", view.id(), view.requests(), view.openReservations(), view.usedNanos(), share,
            share * cost));
      }
    }
    return mismatches;
  }
}
