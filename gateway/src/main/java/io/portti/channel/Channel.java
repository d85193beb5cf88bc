package io.portti.channel;

import io.portti.CborSerializable;
import io.portti.replica.LocalReplica;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
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
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/** One upstream channel: owns its configuration and publishes it to every node's routing table. */
public final class Channel
    extends EventSourcedBehaviorWithEnforcedReplies<Channel.Command, Channel.Event, Channel.State> {

  public static final EntityTypeKey<Command> ENTITY_KEY = EntityTypeKey.create(Command.class, "Channel");

  public sealed interface Command extends CborSerializable {}

  public record Create(ChannelConfig config, ActorRef<StatusReply<ChannelConfig>> replyTo) implements Command {}

  public record Get(ActorRef<StatusReply<ChannelConfig>> replyTo) implements Command {}

  /** Wakes the entity so that it publishes its configuration (after a whole-cluster restart). */
  public record Wake(ActorRef<Done> replyTo) implements Command {}

  public sealed interface Event extends CborSerializable {
    String channelId();
  }

  public record Created(String channelId, ChannelConfig config) implements Event {}

  public record State(ChannelConfig config) implements CborSerializable {
    boolean exists() {
      return config != null;
    }
  }

  public static void init(ActorSystem<?> system, LocalReplica<ChannelConfig> routingTable) {
    ClusterSharding.get(system).init(Entity.of(ENTITY_KEY, ctx -> new Channel(ctx.getEntityId(), routingTable)));
  }

  private final String channelId;
  private final LocalReplica<ChannelConfig> routingTable;

  private Channel(String channelId, LocalReplica<ChannelConfig> routingTable) {
    super(PersistenceId.of(ENTITY_KEY.name(), channelId));
    this.channelId = channelId;
    this.routingTable = routingTable;
  }

  @Override
  public State emptyState() {
    return new State(null);
  }

  @Override
  public CommandHandlerWithReply<Command, Event, State> commandHandler() {
    CommandHandlerWithReplyBuilder<Command, Event, State> builder = newCommandHandlerWithReplyBuilder();
    builder.forState(state -> !state.exists())
        .onCommand(Create.class, (state, cmd) -> Effect()
            .persist(new Created(channelId, cmd.config()))
            .thenRun(s -> routingTable.put(channelId, s.config()))
            .thenReply(cmd.replyTo(), s -> StatusReply.success(s.config())))
        .onCommand(Get.class, (state, cmd) -> Effect().reply(cmd.replyTo(), StatusReply.error("channel " + channelId + " not found")));
    builder.forState(State::exists)
        .onCommand(Create.class, (state, cmd) -> Effect().reply(cmd.replyTo(), StatusReply.error("channel " + channelId + " exists")))
        .onCommand(Get.class, (state, cmd) -> Effect().reply(cmd.replyTo(), StatusReply.success(state.config())));
    builder.forAnyState()
        .onCommand(Wake.class, (state, cmd) -> Effect().reply(cmd.replyTo(), Done.getInstance()));
    return builder.build();
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    return newEventHandlerBuilder().forAnyState()
        .onEvent(Created.class, (state, e) -> new State(e.config()))
        .build();
  }

  @Override
  public SignalHandler<State> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(RecoveryCompleted.instance(), state -> {
          if (state.exists()) {
            routingTable.put(channelId, state.config());
          }
        })
        .build();
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(100, 2);
  }
}
