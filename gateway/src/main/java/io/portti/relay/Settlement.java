package io.portti.relay;

import io.portti.account.Account;
import io.portti.billing.RequestCharge;
import io.portti.key.ApiKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.pattern.Patterns;
import org.apache.pekko.stream.BoundedSourceQueue;
import org.apache.pekko.stream.QueueOfferResult;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies requests' charges to their keys and accounts. Charges arriving within a few
 * milliseconds are grouped per key, so a hot key pays one journal write per group, not one per
 * request. Both entities are idempotent on the request id, so each group is retried with backoff
 * until acknowledged, through shard moves and node restarts.
 */
public final class Settlement {
  private static final Logger log = LoggerFactory.getLogger(Settlement.class);
  private static final Duration ASK_TIMEOUT = Duration.ofSeconds(5);
  private static final Duration MIN_BACKOFF = Duration.ofMillis(100);
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(5);
  private static final int GROUP_SIZE = 256;
  private static final Duration GROUP_WINDOW = Duration.ofMillis(5);
  private static final int BUFFER = 16_384;
  private static final int GROUPS_IN_FLIGHT = 32;

  private final ActorSystem<?> system;
  private final ClusterSharding sharding;
  private final int attempts;
  private final BoundedSourceQueue<RequestCharge> queue;
  private final CompletionStage<Done> drained;

  public Settlement(ActorSystem<?> system, Duration retryFor) {
    this.system = system;
    this.sharding = ClusterSharding.get(system);
    this.attempts = (int) Math.max(10, retryFor.toMillis() / MAX_BACKOFF.toMillis());
    Pair<BoundedSourceQueue<RequestCharge>, CompletionStage<Done>> stream = Source.<RequestCharge>queue(BUFFER)
        .groupedWithin(GROUP_SIZE, GROUP_WINDOW)
        .mapConcat(Settlement::byKey)
        .mapAsyncUnordered(GROUPS_IN_FLIGHT, this::settleGroup)
        .toMat(Sink.ignore(), Keep.both())
        .run(system);
    this.queue = stream.first();
    this.drained = stream.second();
  }

  /** On a graceful stop: settles what is queued and in flight; later charges settle on their own. */
  public CompletionStage<Done> drain() {
    queue.complete();
    return drained;
  }

  /** Queues the charge; it is settled shortly, and retried until it is. */
  public void settle(RequestCharge charge) {
    if (queue.offer(charge) != QueueOfferResult.enqueued()) {
      // Never drop money: when the batcher is full or stopping, settle this one on its own.
      settleGroup(List.of(charge));
    }
  }

  private static Collection<List<RequestCharge>> byKey(List<RequestCharge> charges) {
    Map<String, List<RequestCharge>> groups = new LinkedHashMap<>();
    for (RequestCharge c : charges) {
      groups.computeIfAbsent(c.keyId(), k -> new ArrayList<>()).add(c);
    }
    return groups.values();
  }

  /** One key's charges; a key belongs to one account, so they are one account's too. */
  private CompletionStage<Done> settleGroup(List<RequestCharge> charges) {
    RequestCharge first = charges.get(0);
    CompletionStage<Done> key = retried(first, charges.size(), "key", () ->
        sharding.entityRefFor(ApiKey.ENTITY_KEY, first.keyId())
            .askWithStatus(replyTo -> new ApiKey.Settle(charges, replyTo), ASK_TIMEOUT));
    List<RequestCharge> billable = charges.stream().filter(c -> c.costNanos() != 0).toList();
    if (billable.isEmpty()) {
      return key;
    }
    CompletionStage<Done> account = retried(first, billable.size(), "account", () ->
        sharding.entityRefFor(Account.ENTITY_KEY, first.accountId())
            .askWithStatus(replyTo -> new Account.Charge(billable, replyTo), ASK_TIMEOUT));
    return key.thenCombineAsync(account, (a, b) -> Done.getInstance(), system.executionContext());
  }

  private CompletionStage<Done> retried(RequestCharge first, int count, String what, Callable<CompletionStage<Done>> attempt) {
    CompletionStage<Done> result = Patterns.retry(attempt, attempts, MIN_BACKOFF, MAX_BACKOFF, 0.2,
        system.classicSystem().scheduler(), system.executionContext());
    return result.whenCompleteAsync((done, error) -> {
      if (error != null) {
        log.error("{} charges from request {} of key {}: {} settlement gave up: {}",
            count, first.requestId(), first.keyId(), what, error.toString());
      }
    }, system.executionContext()).exceptionallyAsync(error -> Done.getInstance(), system.executionContext());
  }
}
