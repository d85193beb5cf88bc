package io.portti.relay;

import io.portti.account.Account;
import io.portti.billing.RequestCharge;
import io.portti.key.ApiKey;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.pattern.Patterns;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies a request's charge to its key and its account. Both are idempotent on the request id,
 * so each is retried with backoff until acknowledged, through shard moves and node restarts.
 */
public final class Settlement {
  private static final Logger log = LoggerFactory.getLogger(Settlement.class);
  private static final Duration ASK_TIMEOUT = Duration.ofSeconds(5);
  private static final Duration MIN_BACKOFF = Duration.ofMillis(100);
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(5);

  private final ActorSystem<?> system;
  private final ClusterSharding sharding;
  private final int attempts;

  public Settlement(ActorSystem<?> system, Duration retryFor) {
    this.system = system;
    this.sharding = ClusterSharding.get(system);
    this.attempts = (int) Math.max(10, retryFor.toMillis() / MAX_BACKOFF.toMillis());
  }

  public CompletionStage<Done> settle(RequestCharge charge) {
    CompletionStage<Done> key = retried(charge, "key", () -> sharding.entityRefFor(ApiKey.ENTITY_KEY, charge.keyId())
        .askWithStatus(replyTo -> new ApiKey.Settle(charge, replyTo), ASK_TIMEOUT));
    if (charge.costNanos() == 0) {
      return key;
    }
    CompletionStage<Done> account = retried(charge, "account", () -> sharding.entityRefFor(Account.ENTITY_KEY, charge.accountId())
        .askWithStatus(replyTo -> new Account.Charge(charge.requestId(), charge.costNanos(), charge.at(), replyTo), ASK_TIMEOUT));
    return key.thenCombine(account, (a, b) -> Done.getInstance());
  }

  private CompletionStage<Done> retried(RequestCharge charge, String what,
      Callable<CompletionStage<Done>> attempt) {
    CompletionStage<Done> result = Patterns.retry(attempt, attempts, MIN_BACKOFF, MAX_BACKOFF, 0.2,
        system.classicSystem().scheduler(), system.executionContext());
    return result.whenComplete((done, error) -> {
      if (error != null) {
        log.error("request {} of key {}: {} settlement gave up: {}", charge.requestId(), charge.keyId(), what, error.toString());
      }
    });
  }
}
