package io.portti.billing;

import io.portti.CborSerializable;
import io.portti.replica.LocalReplica;
import java.math.BigDecimal;
import java.util.HashMap;
import java.util.Map;
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
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * The price of every model and the multiplier of every group: one entity for the whole
 * gateway, published to a {@link LocalReplica} so that pricing a request costs no message.
 */
public final class PriceList
    extends EventSourcedBehaviorWithEnforcedReplies<PriceList.Command, PriceList.Event, PriceList.State> {

  public static final EntityTypeKey<Command> ENTITY_KEY = EntityTypeKey.create(Command.class, "PriceList");
  public static final String ENTITY_ID = "global";

  public sealed interface Command extends CborSerializable {}

  public record SetPrice(String model, Price price, ActorRef<StatusReply<Done>> replyTo) implements Command {}

  public record SetGroupMultiplier(String group, BigDecimal multiplier, ActorRef<StatusReply<Done>> replyTo)
      implements Command {}

  /** Wakes the entity so that it publishes what it recovered; replies with that. */
  public record Wake(ActorRef<State> replyTo) implements Command {}

  public sealed interface Event extends CborSerializable {}

  public record PriceSet(String model, Price price) implements Event {}

  public record GroupMultiplierSet(String group, BigDecimal multiplier) implements Event {}

  public record State(Map<String, Price> prices, Map<String, BigDecimal> groups) implements CborSerializable {
    State with(PriceSet e) {
      Map<String, Price> next = new HashMap<>(prices);
      next.put(e.model(), e.price());
      return new State(Map.copyOf(next), groups);
    }

    State with(GroupMultiplierSet e) {
      Map<String, BigDecimal> next = new HashMap<>(groups);
      next.put(e.group(), e.multiplier());
      return new State(prices, Map.copyOf(next));
    }
  }

  public static void init(ActorSystem<?> system, LocalReplica<Price> prices, LocalReplica<GroupMultiplier> groups) {
    ClusterSharding.get(system).init(Entity.of(ENTITY_KEY, ctx -> new PriceList(prices, groups)));
  }

  private final LocalReplica<Price> prices;
  private final LocalReplica<GroupMultiplier> groups;

  private PriceList(LocalReplica<Price> prices, LocalReplica<GroupMultiplier> groups) {
    super(PersistenceId.of(ENTITY_KEY.name(), ENTITY_ID));
    this.prices = prices;
    this.groups = groups;
  }

  @Override
  public State emptyState() {
    return new State(Map.of(), Map.of());
  }

  @Override
  public CommandHandlerWithReply<Command, Event, State> commandHandler() {
    return newCommandHandlerWithReplyBuilder().forAnyState()
        .onCommand(SetPrice.class, (state, cmd) -> Effect()
            .persist(new PriceSet(cmd.model(), cmd.price()))
            .thenRun(s -> prices.put(cmd.model(), cmd.price()))
            .thenReply(cmd.replyTo(), s -> StatusReply.ack()))
        .onCommand(SetGroupMultiplier.class, (state, cmd) -> Effect()
            .persist(new GroupMultiplierSet(cmd.group(), cmd.multiplier()))
            .thenRun(s -> groups.put(cmd.group(), new GroupMultiplier(cmd.multiplier())))
            .thenReply(cmd.replyTo(), s -> StatusReply.ack()))
        .onCommand(Wake.class, (state, cmd) -> Effect().reply(cmd.replyTo(), state))
        .build();
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    return newEventHandlerBuilder().forAnyState()
        .onEvent(PriceSet.class, State::with)
        .onEvent(GroupMultiplierSet.class, State::with)
        .build();
  }

  @Override
  public SignalHandler<State> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(RecoveryCompleted.instance(), state -> {
          state.prices().forEach(prices::put);
          state.groups().forEach((group, m) -> groups.put(group, new GroupMultiplier(m)));
        })
        .build();
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(100, 2);
  }
}
