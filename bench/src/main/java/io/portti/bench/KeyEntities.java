package io.portti.bench;

import io.portti.key.ApiKey;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;

/**
 * Asks ApiKey entities directly, as the relay does but without HTTP or an upstream: reserve money for
 * a list of requests, read a key's totals.
 */
final class KeyEntities {

  static final String ENDPOINT = "/v1/chat/completions";
  private static final String CLIENT_IP = "127.0.0.1";
  // Generous: a key's first ask may replay a long journal or wait for its account's lease.
  private static final Duration ASK_TIMEOUT = Duration.ofSeconds(120);

  private final ClusterSharding sharding;

  KeyEntities(ActorSystem<?> system) {
    this.sharding = ClusterSharding.get(system);
  }

  /** One Authorize for all of requestIds, each estimated alike; fails unless every one is granted. */
  CompletionStage<Void> reserve(TenantSetup.IssuedKey key, List<String> requestIds, String model, ApiKey.Estimate estimate) {
    String secretHash = key.secretHash();
    List<ApiKey.Request> requests = requestIds.stream()
        .map(id -> new ApiKey.Request(id, ENDPOINT, secretHash, model, CLIENT_IP, estimate))
        .toList();
    return sharding.entityRefFor(ApiKey.ENTITY_KEY, key.id())
        .<ApiKey.Decisions>ask(replyTo -> new ApiKey.Authorize(requests, replyTo), ASK_TIMEOUT)
        .thenAccept(answer -> answer.decisions().stream()
            .filter(ApiKey.Denied.class::isInstance)
            .findFirst()
            .ifPresent(denied -> {
              throw new IllegalStateException("key " + key.id() + " refused a reservation: " + denied);
            }));
  }

  CompletionStage<ApiKey.View> view(String keyId) {
    return sharding.entityRefFor(ApiKey.ENTITY_KEY, keyId).askWithStatus(ApiKey.Get::new, ASK_TIMEOUT);
  }
}
