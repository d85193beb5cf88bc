package io.portti.channel;

import com.typesafe.config.Config;
import io.portti.CborSerializable;
import io.portti.billing.Money;
import io.portti.replica.LocalReplica;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.ClusterShardingSettings;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReplyBuilder;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * One upstream channel: owns its configuration and its health, and publishes both to every
 * node's routing table. Relays tell it each request's outcome; after failureThreshold failures
 * in a row its circuit opens and routing skips it, while it probes the upstream every
 * probeInterval and closes the circuit as soon as a probe is answered.
 */
public final class Channel
    extends EventSourcedBehaviorWithEnforcedReplies<Channel.Command, Channel.Event, Channel.State> {

  public static final EntityTypeKey<Command> ENTITY_KEY = EntityTypeKey.create(Command.class, "Channel");
  private static final int MAX_SAMPLES = 1_000;
  private static final long MINUTE_MILLIS = 60_000;

  /** From gateway.channels. */
  public record Settings(int failureThreshold, Duration probeInterval, Duration probeTimeout, Duration statsWindow,
      Duration spendFlushInterval) {
    public static Settings from(Config channels) {
      return new Settings(channels.getInt("failure-threshold"), channels.getDuration("probe-interval"),
          channels.getDuration("probe-timeout"), channels.getDuration("stats-window"),
          channels.getDuration("spend-flush-interval"));
    }
  }

  public sealed interface Command extends CborSerializable {}

  public record Create(ChannelConfig config, ActorRef<StatusReply<Status>> replyTo) implements Command {}

  public record Get(ActorRef<StatusReply<Status>> replyTo) implements Command {}

  /** Null fields stay as they are. */
  public record Update(Patch patch, ActorRef<StatusReply<Status>> replyTo) implements Command {}

  public record Retire(ActorRef<StatusReply<Done>> replyTo) implements Command {}

  /** Wakes the entity so that it publishes itself (after a whole-cluster restart); replies whether it routes. */
  public record Wake(ActorRef<Boolean> replyTo) implements Command {}

  /** One request's result at this channel, told by the relay that sent it. */
  public record Outcome(boolean ok, int status, long latencyMillis, String error) implements Command {}

  /** The tokens a request served by this channel used, told when it is settled. */
  public record Used(int promptTokens, int completionTokens) implements Command {}

  /** An admin's probe: sent now, whatever the circuit. */
  public record Test(ActorRef<StatusReply<Probe.Result>> replyTo) implements Command {}

  public enum Tick implements Command { INSTANCE }

  /** replyTo is null for the entity's own probes. */
  public record Probed(Probe.Result result, ActorRef<StatusReply<Probe.Result>> replyTo) implements Command {}

  public record Patch(String name, String baseUrl, String apiKey, List<String> models, Map<String, String> modelMapping,
      List<String> groups, Integer priority, Integer weight, ChannelConfig.Limits limits, Boolean enabled)
      implements CborSerializable {
    ChannelConfig applyTo(ChannelConfig c) {
      return new ChannelConfig(c.id(), or(name, c.name()), c.type(), or(baseUrl, c.baseUrl()), or(apiKey, c.apiKey()),
          or(models, c.models()), or(modelMapping, c.modelMapping()), or(groups, c.groups()), or(priority, c.priority()),
          or(weight, c.weight()), or(limits, c.limits()), or(enabled, c.enabled()), c.createdAt());
    }

    private static <T> T or(T changed, T current) {
      return changed != null ? changed : current;
    }
  }

  /** What the last statsWindow of outcomes shows, and the last minute's use against the upstream's limits. */
  public record Stats(int requests, int failures, long averageLatencyMillis, int consecutiveFailures,
      int requestsLastMinute, long tokensLastMinute) implements CborSerializable {}

  /** What the channel served, at the upstream's price: recorded every spendFlushInterval. */
  public record Spend(long requests, long promptTokens, long completionTokens, long costNanos)
      implements CborSerializable {
    static final Spend NONE = new Spend(0, 0, 0, 0);

    Spend plus(Spend other) {
      return new Spend(requests + other.requests, promptTokens + other.promptTokens,
          completionTokens + other.completionTokens, costNanos + other.costNanos);
    }
  }

  public record Status(ChannelConfig config, ChannelHealth health, Stats stats, Spend spend) implements CborSerializable {}

  public sealed interface Event extends CborSerializable {
    String channelId();
  }

  public record Created(String channelId, ChannelConfig config) implements Event {}

  public record Updated(String channelId, ChannelConfig config) implements Event {}

  public record Retired(String channelId, long at) implements Event {}

  public record CircuitOpened(String channelId, String reason, long at) implements Event {}

  public record CircuitClosed(String channelId, long at) implements Event {}

  public record SpendRecorded(String channelId, Spend spend, long at) implements Event {}

  public record State(ChannelConfig config, boolean retired, ChannelHealth health, Spend spend)
      implements CborSerializable {
    boolean exists() {
      return config != null && !retired;
    }

    State apply(Event event) {
      if (event instanceof Created e) {
        return new State(e.config(), false, ChannelHealth.HEALTHY, Spend.NONE);
      }
      if (event instanceof Updated e) {
        return new State(e.config(), retired, health, spend);
      }
      if (event instanceof Retired) {
        return new State(config, true, health, spend);
      }
      if (event instanceof SpendRecorded e) {
        return new State(config, retired, health, spend.plus(e.spend()));
      }
      if (event instanceof CircuitOpened e) {
        return new State(config, retired, new ChannelHealth(ChannelHealth.Circuit.OPEN, e.at(), e.reason(), 0), spend);
      }
      return new State(config, retired,
          new ChannelHealth(ChannelHealth.Circuit.CLOSED, ((CircuitClosed) event).at(), null, 0), spend);
    }
  }

  /** Remembered, so that a channel with an open circuit keeps probing wherever its shard goes. */
  public static void init(ActorSystem<?> system, Settings settings, LocalReplica<ChannelConfig> routingTable,
      LocalReplica<ChannelHealth> healthTable) {
    ClusterSharding.get(system).init(Entity.of(ENTITY_KEY,
            ctx -> create(ctx.getEntityId(), settings, routingTable, healthTable))
        .withSettings(ClusterShardingSettings.create(system).withRememberEntities(true)
            .withRememberEntitiesStoreMode(ClusterShardingSettings.rememberEntitiesStoreModeEventSourced())));
  }

  public static Behavior<Command> create(String channelId, Settings settings, LocalReplica<ChannelConfig> routingTable,
      LocalReplica<ChannelHealth> healthTable) {
    return Behaviors.setup(context -> Behaviors.withTimers(timers -> {
      timers.startTimerWithFixedDelay(Tick.INSTANCE, settings.probeInterval());
      return new Channel(channelId, settings, routingTable, healthTable, context);
    }));
  }

  private final String channelId;
  private final Settings settings;
  private final LocalReplica<ChannelConfig> routingTable;
  private final LocalReplica<ChannelHealth> healthTable;
  private final ActorContext<Command> context;
  /** Recent outcomes as {at, ok (1 or 0), latency}: live health, deliberately not persisted. */
  private final ArrayDeque<long[]> samples = new ArrayDeque<>();
  /** The last minute's requests and tokens as {at, count}: use against the upstream's limits. */
  private final ArrayDeque<long[]> minuteRequests = new ArrayDeque<>();
  private final ArrayDeque<long[]> minuteTokens = new ArrayDeque<>();
  private long limitedUntil;
  private Spend unrecorded = Spend.NONE;
  private long recordedAt = System.currentTimeMillis();
  private int consecutiveFailures;
  private boolean probing;

  private Channel(String channelId, Settings settings, LocalReplica<ChannelConfig> routingTable,
      LocalReplica<ChannelHealth> healthTable, ActorContext<Command> context) {
    super(PersistenceId.of(ENTITY_KEY.name(), channelId));
    this.channelId = channelId;
    this.settings = settings;
    this.routingTable = routingTable;
    this.healthTable = healthTable;
    this.context = context;
  }

  @Override
  public State emptyState() {
    return new State(null, false, ChannelHealth.HEALTHY, Spend.NONE);
  }

  @Override
  public CommandHandlerWithReply<Command, Event, State> commandHandler() {
    CommandHandlerWithReplyBuilder<Command, Event, State> builder = newCommandHandlerWithReplyBuilder();
    builder.forState(state -> state.config() == null)
        .onCommand(Create.class, (state, cmd) -> Effect()
            .persist(new Created(channelId, cmd.config()))
            .thenRun(this::publish)
            .thenReply(cmd.replyTo(), s -> StatusReply.success(status(s))));
    builder.forState(state -> !state.exists())
        .onCommand(Create.class, (state, cmd) -> Effect().reply(cmd.replyTo(), StatusReply.error("channel " + channelId + " was retired")))
        .onCommand(Get.class, (state, cmd) -> Effect().reply(cmd.replyTo(), notFound()))
        .onCommand(Update.class, (state, cmd) -> Effect().reply(cmd.replyTo(), notFound()))
        .onCommand(Retire.class, (state, cmd) -> Effect().reply(cmd.replyTo(), notFound()))
        .onCommand(Test.class, (state, cmd) -> Effect().reply(cmd.replyTo(), notFound()))
        .onCommand(Wake.class, (state, cmd) -> Effect().reply(cmd.replyTo(), false))
        .onAnyCommand(cmd -> Effect().noReply());
    builder.forState(State::exists)
        .onCommand(Create.class, (state, cmd) -> Effect().reply(cmd.replyTo(), StatusReply.error("channel " + channelId + " exists")))
        .onCommand(Get.class, (state, cmd) -> Effect().reply(cmd.replyTo(), StatusReply.success(status(state))))
        .onCommand(Update.class, (state, cmd) -> Effect()
            .persist(new Updated(channelId, cmd.patch().applyTo(state.config())))
            .thenRun(this::publish)
            .thenReply(cmd.replyTo(), s -> StatusReply.success(status(s))))
        .onCommand(Retire.class, (state, cmd) -> Effect()
            .persist(new Retired(channelId, System.currentTimeMillis()))
            .thenRun(s -> {
              routingTable.remove(channelId);
              healthTable.remove(channelId);
            })
            .thenReply(cmd.replyTo(), s -> StatusReply.ack()))
        .onCommand(Wake.class, (state, cmd) -> Effect().reply(cmd.replyTo(), true))
        .onCommand(Outcome.class, this::onOutcome)
        .onCommand(Used.class, (state, used) -> {
          long tokens = (long) used.promptTokens() + used.completionTokens();
          count(minuteTokens, System.currentTimeMillis(), tokens);
          ChannelConfig.Limits limits = state.config().limits();
          long cost = limits.upstreamPrice() == null ? 0
              : Money.cost(used.promptTokens(), used.completionTokens(), limits.upstreamPrice(), BigDecimal.ONE);
          unrecorded = unrecorded.plus(new Spend(1, used.promptTokens(), used.completionTokens(), cost));
          checkLimits(state);
          return Effect().noReply();
        })
        .onCommand(Test.class, (state, cmd) -> {
          probe(state, cmd.replyTo());
          return Effect().noReply();
        })
        .onCommand(Tick.class, (state, tick) -> {
          if (state.health().circuit() == ChannelHealth.Circuit.OPEN && state.config().enabled() && !probing) {
            probe(state, null);
          }
          long now = System.currentTimeMillis();
          if (unrecorded.requests() > 0 && now - recordedAt >= settings.spendFlushInterval().toMillis()) {
            Spend recorded = unrecorded;
            unrecorded = Spend.NONE;
            recordedAt = now;
            return Effect().persist(new SpendRecorded(channelId, recorded, now)).thenNoReply();
          }
          return Effect().noReply();
        })
        .onCommand(Probed.class, this::onProbed);
    return builder.build();
  }

  private ReplyEffect<Event, State> onOutcome(State state, Outcome outcome) {
    long now = System.currentTimeMillis();
    samples.addLast(new long[] {now, outcome.ok() ? 1 : 0, outcome.latencyMillis()});
    if (samples.size() > MAX_SAMPLES) {
      samples.pollFirst();
    }
    count(minuteRequests, now, 1);
    checkLimits(state);
    consecutiveFailures = outcome.ok() ? 0 : consecutiveFailures + 1;
    if (!outcome.ok() && consecutiveFailures >= settings.failureThreshold()
        && state.health().circuit() == ChannelHealth.Circuit.CLOSED) {
      context.getLog().warn("channel {}: {} failures in a row, last {}; circuit opens", channelId,
          consecutiveFailures, outcome.error());
      return Effect().persist(new CircuitOpened(channelId, outcome.error(), now)).thenRun(this::publish).thenNoReply();
    }
    return Effect().noReply();
  }

  /** When the last minute reached a limit, routing skips the channel until its oldest counted use is a minute old. */
  private void checkLimits(State state) {
    long now = System.currentTimeMillis();
    ChannelConfig.Limits limits = state.config().limits();
    long until = Math.max(reachedUntil(minuteRequests, limits.requestsPerMinute(), now),
        reachedUntil(minuteTokens, limits.tokensPerMinute(), now));
    if (until > limitedUntil) {
      limitedUntil = until;
      publish(state);
    }
  }

  /** Counts per second, so that a minute's window holds at most 60 entries. */
  private static void count(ArrayDeque<long[]> window, long now, long amount) {
    long[] last = window.peekLast();
    if (last != null && last[0] / 1000 == now / 1000) {
      last[1] += amount;
    } else {
      window.addLast(new long[] {now, amount});
    }
  }

  /** limit 0 is none. */
  private static long reachedUntil(ArrayDeque<long[]> window, long limit, long now) {
    long used = lastMinute(window, now);
    return limit > 0 && used >= limit ? window.peekFirst()[0] + MINUTE_MILLIS : 0;
  }

  private static long lastMinute(ArrayDeque<long[]> window, long now) {
    while (!window.isEmpty() && window.peekFirst()[0] <= now - MINUTE_MILLIS) {
      window.pollFirst();
    }
    long used = 0;
    for (long[] entry : window) {
      used += entry[1];
    }
    return used;
  }

  private void probe(State state, ActorRef<StatusReply<Probe.Result>> replyTo) {
    probing = true;
    context.pipeToSelf(Probe.send(context.getSystem(), state.config(), settings.probeTimeout()),
        (result, error) -> new Probed(result != null ? result : new Probe.Result(false, -1, 0, String.valueOf(error)), replyTo));
  }

  private ReplyEffect<Event, State> onProbed(State state, Probed probed) {
    probing = false;
    Probe.Result result = probed.result();
    if (result.ok()) {
      consecutiveFailures = 0;
    }
    if (result.ok() && state.health().circuit() == ChannelHealth.Circuit.OPEN) {
      context.getLog().info("channel {}: probe answered in {} ms; circuit closes", channelId, result.latencyMillis());
      var closed = Effect().persist(new CircuitClosed(channelId, System.currentTimeMillis())).thenRun(this::publish);
      return probed.replyTo() == null ? closed.thenNoReply() : closed.thenReply(probed.replyTo(), s -> StatusReply.success(result));
    }
    return probed.replyTo() == null ? Effect().noReply() : Effect().reply(probed.replyTo(), StatusReply.success(result));
  }

  private void publish(State state) {
    routingTable.put(channelId, state.config());
    healthTable.put(channelId, state.health().limitedUntil(limitedUntil));
  }

  private Status status(State state) {
    long since = System.currentTimeMillis() - settings.statsWindow().toMillis();
    while (!samples.isEmpty() && samples.peekFirst()[0] < since) {
      samples.pollFirst();
    }
    int failures = 0;
    long latency = 0;
    for (long[] s : samples) {
      failures += s[1] == 0 ? 1 : 0;
      latency += s[2];
    }
    ChannelHealth health = probing && state.health().circuit() == ChannelHealth.Circuit.OPEN
        ? new ChannelHealth(ChannelHealth.Circuit.HALF_OPEN, state.health().since(), state.health().reason(), limitedUntil)
        : state.health().limitedUntil(limitedUntil);
    long now = System.currentTimeMillis();
    return new Status(state.config(), health, new Stats(samples.size(), failures,
        samples.isEmpty() ? 0 : latency / samples.size(), consecutiveFailures, (int) lastMinute(minuteRequests, now),
        lastMinute(minuteTokens, now)), state.spend().plus(unrecorded));
  }

  private <T> StatusReply<T> notFound() {
    return StatusReply.error("channel " + channelId + " not found");
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    return newEventHandlerBuilder().forAnyState().onAnyEvent(State::apply);
  }

  @Override
  public SignalHandler<State> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(RecoveryCompleted.instance(), state -> {
          if (state.exists()) {
            publish(state);
          }
        })
        .build();
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(100, 2);
  }
}
