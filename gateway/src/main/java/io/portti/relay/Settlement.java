package io.portti.relay;

import io.portti.billing.RequestCharge;
import io.portti.key.ApiKey;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.pattern.Patterns;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Replaces requests' reservations by what they cost. A key's charges travel in batches, one in
 * flight at a time, so a hot key pays one journal write per batch. The key is idempotent on the
 * request id, so each batch is retried with backoff until acknowledged, through shard moves and
 * node restarts; a charge that never arrives is covered by its reservation's expiry.
 */
public final class Settlement {
  private static final Logger log = LoggerFactory.getLogger(Settlement.class);
  private static final Duration MIN_BACKOFF = Duration.ofMillis(100);
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(5);

  private final ActorSystem<?> system;
  private final ClusterSharding sharding;
  private final Duration askTimeout;
  private final int attempts;
  private final Coalescer<RequestCharge, Done> batches;

  public Settlement(ActorSystem<?> system, Duration askTimeout, Duration retryFor) {
    this.system = system;
    this.sharding = ClusterSharding.get(system);
    this.askTimeout = askTimeout;
    this.attempts = (int) Math.max(10, retryFor.toMillis() / MAX_BACKOFF.toMillis());
    this.batches = new Coalescer<>(this::settleBatch, system.executionContext());
  }

  /** On a graceful stop: completes once every charge given so far is acknowledged or given up. */
  public CompletionStage<Void> drain() {
    return batches.drain();
  }

  /** Settles the charge shortly, retrying until its key acknowledges it. */
  public void settle(RequestCharge charge) {
    batches.submit(charge.keyId(), charge);
  }

  private CompletionStage<List<Done>> settleBatch(String keyId, List<RequestCharge> charges) {
    CompletionStage<Done> settled = Patterns.retry(
        () -> sharding.entityRefFor(ApiKey.ENTITY_KEY, keyId)
            .<Done>askWithStatus(replyTo -> new ApiKey.Settle(charges, replyTo), askTimeout),
        attempts, MIN_BACKOFF, MAX_BACKOFF, 0.2, system.classicSystem().scheduler(), system.executionContext());
    return settled.handleAsync((done, error) -> {
      if (error != null) {
        log.error("{} charges of key {} (first: request {}) not acknowledged; their reservations will expire: {}",
            charges.size(), keyId, charges.get(0).requestId(), error.toString());
      }
      return Collections.nCopies(charges.size(), Done.getInstance());
    }, system.executionContext());
  }
}
