package io.portti.key;

import io.portti.CborSerializable;
import io.portti.billing.RecentIds;
import io.portti.billing.RequestCharge;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Set;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReplyBuilder;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;

/**
 * One client key, sharded by a prefix of its hash: its rules (status, expiry, models, IPs, rpm,
 * quota), its usage totals, and the settlements applied to it. Every relayed request asks it once
 * to authorize and tells it once to settle.
 */
public final class ApiKey
    extends EventSourcedBehaviorWithEnforcedReplies<ApiKey.Command, ApiKey.Event, ApiKey.State> {

  public static final EntityTypeKey<Command> ENTITY_KEY = EntityTypeKey.create(Command.class, "ApiKey");
  /** Usage events are spread over these tags, one projection instance each. */
  public static final List<String> USAGE_TAGS = List.of("usage-0", "usage-1", "usage-2", "usage-3");
  private static final long RATE_WINDOW_MILLIS = 60_000;

  public sealed interface Command extends CborSerializable {}

  public record Issue(Rules rules, ActorRef<StatusReply<View>> replyTo) implements Command {}

  public record Get(ActorRef<StatusReply<View>> replyTo) implements Command {}

  public record SetEnabled(boolean enabled, long at, ActorRef<StatusReply<View>> replyTo) implements Command {}

  /** model is null when the client only lists its models: no model rule, and no request counted. */
  public record Authorize(String secretHash, String model, String clientIp, long now, ActorRef<Authorization> replyTo)
      implements Command {}

  /** Records requests' costs against the key in one journal write; idempotent on each requestId. */
  public record Settle(List<RequestCharge> charges, ActorRef<StatusReply<Done>> replyTo) implements Command {}

  /** What an admin sets when issuing a key. quotaLimitNanos and expiresAt are null for none; rpm 0 for none. */
  public record Rules(String accountId, String name, String secretHash, Long quotaLimitNanos, Long expiresAt,
      List<String> models, List<String> ipWhitelist, int rpm, long createdAt) implements CborSerializable {}

  public sealed interface Authorization extends CborSerializable {}

  /** quotaRemainingNanos is -1 when the key has no quota of its own; models empty when all are allowed. */
  public record Granted(String keyId, String accountId, long quotaRemainingNanos, List<String> models)
      implements Authorization {}

  public record Denied(Denial reason, String message, long retryAfterSeconds) implements Authorization {}

  public enum Denial { INVALID_KEY, DISABLED, EXPIRED, MODEL_NOT_ALLOWED, IP_NOT_ALLOWED, QUOTA_EXHAUSTED, RATE_LIMITED }

  /** The key's live state as admins see it; never its secret or hash. */
  public record View(String id, String accountId, String name, String status, Long quotaLimitNanos, long usedNanos,
      long requests, long promptTokens, long completionTokens, Long expiresAt, List<String> models,
      List<String> ipWhitelist, int rpm, long createdAt) implements CborSerializable {}

  public sealed interface Event extends CborSerializable {
    String keyId();
  }

  public record Issued(String keyId, Rules rules) implements Event {}

  public record EnabledChanged(String keyId, boolean enabled, long at) implements Event {}

  public record UsageSettled(String keyId, RequestCharge charge) implements Event {}

  public record State(Rules rules, boolean enabled, long usedNanos, long requests, long promptTokens,
      long completionTokens, RecentIds<Boolean> settled) implements CborSerializable {
    boolean isIssued() {
      return rules != null;
    }

    State apply(Event event) {
      if (event instanceof Issued e) {
        return new State(e.rules(), true, 0, 0, 0, 0, settled);
      }
      if (event instanceof EnabledChanged e) {
        return new State(rules, e.enabled(), usedNanos, requests, promptTokens, completionTokens, settled);
      }
      RequestCharge c = ((UsageSettled) event).charge();
      return new State(rules, enabled, usedNanos + c.costNanos(), requests + 1, promptTokens + c.promptTokens(),
          completionTokens + c.completionTokens(), settled.with(c.requestId(), Boolean.TRUE));
    }

    View view(String keyId) {
      return new View(keyId, rules.accountId(), rules.name(), enabled ? "enabled" : "disabled", rules.quotaLimitNanos(),
          usedNanos, requests, promptTokens, completionTokens, rules.expiresAt(), rules.models(), rules.ipWhitelist(),
          rules.rpm(), rules.createdAt());
    }
  }

  public static void init(ActorSystem<?> system) {
    ClusterSharding.get(system).init(Entity.of(ENTITY_KEY, ctx -> create(ctx.getEntityId())));
  }

  public static String usageTag(String keyId) {
    return USAGE_TAGS.get(Math.floorMod(keyId.hashCode(), USAGE_TAGS.size()));
  }

  public static Behavior<Command> create(String keyId) {
    return new ApiKey(keyId);
  }

  private final String keyId;
  /** Start times of the requests in the last minute: live rate state, deliberately not persisted. */
  private final ArrayDeque<Long> recentRequests = new ArrayDeque<>();

  private ApiKey(String keyId) {
    super(PersistenceId.of(ENTITY_KEY.name(), keyId));
    this.keyId = keyId;
  }

  @Override
  public State emptyState() {
    return new State(null, false, 0, 0, 0, 0, RecentIds.empty());
  }

  @Override
  public CommandHandlerWithReply<Command, Event, State> commandHandler() {
    CommandHandlerWithReplyBuilder<Command, Event, State> builder = newCommandHandlerWithReplyBuilder();
    builder.forState(state -> !state.isIssued())
        .onCommand(Issue.class, (state, cmd) -> Effect()
            .persist(new Issued(keyId, cmd.rules()))
            .thenReply(cmd.replyTo(), s -> StatusReply.success(s.view(keyId))))
        .onCommand(Get.class, (state, cmd) -> Effect().reply(cmd.replyTo(), notFound()))
        .onCommand(SetEnabled.class, (state, cmd) -> Effect().reply(cmd.replyTo(), notFound()))
        .onCommand(Authorize.class, (state, cmd) -> Effect().reply(cmd.replyTo(),
            new Denied(Denial.INVALID_KEY, "Incorrect API key provided.", 0)))
        .onCommand(Settle.class, (state, cmd) -> Effect().reply(cmd.replyTo(), notFound()));
    builder.forState(State::isIssued)
        .onCommand(Issue.class, (state, cmd) -> Effect().reply(cmd.replyTo(), StatusReply.error("key exists")))
        .onCommand(Get.class, (state, cmd) -> Effect().reply(cmd.replyTo(), StatusReply.success(state.view(keyId))))
        .onCommand(SetEnabled.class, (state, cmd) -> state.enabled() == cmd.enabled()
            ? Effect().reply(cmd.replyTo(), StatusReply.success(state.view(keyId)))
            : Effect().persist(new EnabledChanged(keyId, cmd.enabled(), cmd.at()))
                .thenReply(cmd.replyTo(), s -> StatusReply.success(s.view(keyId))))
        .onCommand(Authorize.class, (state, cmd) -> Effect().reply(cmd.replyTo(), authorize(state, cmd)))
        .onCommand(Settle.class, this::onSettle);
    return builder.build();
  }

  private Authorization authorize(State state, Authorize cmd) {
    Rules rules = state.rules();
    if (!ApiKeySecret.sameHash(rules.secretHash(), cmd.secretHash())) {
      return new Denied(Denial.INVALID_KEY, "Incorrect API key provided.", 0);
    }
    if (!state.enabled()) {
      return new Denied(Denial.DISABLED, "This API key has been disabled.", 0);
    }
    if (rules.expiresAt() != null && cmd.now() >= rules.expiresAt()) {
      return new Denied(Denial.EXPIRED, "This API key has expired.", 0);
    }
    if (cmd.model() != null && !rules.models().isEmpty() && !rules.models().contains(cmd.model())) {
      return new Denied(Denial.MODEL_NOT_ALLOWED, "This API key is not allowed to use model " + cmd.model() + ".", 0);
    }
    if (!IpRules.allows(rules.ipWhitelist(), cmd.clientIp())) {
      return new Denied(Denial.IP_NOT_ALLOWED, "Requests from " + cmd.clientIp() + " are not allowed for this API key.", 0);
    }
    long quotaRemaining = -1;
    if (rules.quotaLimitNanos() != null) {
      quotaRemaining = rules.quotaLimitNanos() - state.usedNanos();
      if (quotaRemaining <= 0) {
        return new Denied(Denial.QUOTA_EXHAUSTED, "This API key has used up its quota.", 0);
      }
    }
    if (cmd.model() != null && rules.rpm() > 0) {
      while (!recentRequests.isEmpty() && recentRequests.peekFirst() <= cmd.now() - RATE_WINDOW_MILLIS) {
        recentRequests.pollFirst();
      }
      if (recentRequests.size() >= rules.rpm()) {
        long retryAfterMillis = recentRequests.peekFirst() + RATE_WINDOW_MILLIS - cmd.now();
        return new Denied(Denial.RATE_LIMITED, "Rate limit reached: " + rules.rpm() + " requests per minute for this API key.",
            Math.max(1, (retryAfterMillis + 999) / 1000));
      }
      recentRequests.addLast(cmd.now());
    }
    return new Granted(keyId, rules.accountId(), quotaRemaining, rules.models());
  }

  private ReplyEffect<Event, State> onSettle(State state, Settle cmd) {
    List<Event> fresh = state.settled().unapplied(cmd.charges()).stream()
        .<Event>map(c -> new UsageSettled(keyId, c))
        .toList();
    if (fresh.isEmpty()) {
      return Effect().reply(cmd.replyTo(), StatusReply.ack());
    }
    return Effect().persist(fresh).thenReply(cmd.replyTo(), s -> StatusReply.ack());
  }

  private <T> StatusReply<T> notFound() {
    return StatusReply.error("key " + keyId + " not found");
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    return newEventHandlerBuilder().forAnyState().onAnyEvent(State::apply);
  }

  @Override
  public Set<String> tagsFor(Event event) {
    return event instanceof UsageSettled ? Set.of(usageTag(keyId)) : Set.of();
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(100, 2);
  }
}
