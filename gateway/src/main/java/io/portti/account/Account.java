package io.portti.account;

import io.portti.CborSerializable;
import io.portti.billing.RecentIds;
import io.portti.billing.RequestCharge;
import java.util.List;
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

/** A user's account: its prepaid wallet, its group, and the charges and top-ups applied to it. */
public final class Account
    extends EventSourcedBehaviorWithEnforcedReplies<Account.Command, Account.Event, Account.State> {

  public static final EntityTypeKey<Command> ENTITY_KEY = EntityTypeKey.create(Command.class, "Account");
  public static final String DEFAULT_GROUP = "default";

  public sealed interface Command extends CborSerializable {}

  public record Open(String name, String email, String group, long at, ActorRef<StatusReply<Summary>> replyTo)
      implements Command {}

  public record Get(ActorRef<StatusReply<Summary>> replyTo) implements Command {}

  public record TopUp(String idempotencyKey, String transactionId, long amountNanos, long at,
      ActorRef<StatusReply<TopUpReceipt>> replyTo) implements Command {}

  /** What the relay needs before forwarding: can the wallet pay, and at which group's price. */
  public record CheckFunds(ActorRef<Funds> replyTo) implements Command {}

  /** Debits settled requests in one journal write; idempotent on each requestId. */
  public record Charge(List<RequestCharge> charges, ActorRef<StatusReply<Done>> replyTo) implements Command {}

  public sealed interface Event extends CborSerializable {
    String accountId();
  }

  public record Opened(String accountId, String name, String email, String group, long at) implements Event {}

  public record ToppedUp(String accountId, String idempotencyKey, String transactionId, long amountNanos, long at)
      implements Event {}

  public record Charged(String accountId, String requestId, long amountNanos, long at) implements Event {}

  public record Summary(String id, String name, String email, String group, String status, long balanceNanos,
      long spentNanos, long requests, long createdAt) implements CborSerializable {}

  public record TopUpReceipt(String transactionId, String accountId, long amountNanos, long newBalanceNanos, long at)
      implements CborSerializable {}

  public record Funds(boolean open, long balanceNanos, String group) implements CborSerializable {}

  public record State(Summary summary, RecentIds<TopUpReceipt> topUps, RecentIds<Long> charges)
      implements CborSerializable {
    boolean isOpen() {
      return summary != null;
    }

    State apply(Event event) {
      if (event instanceof Opened e) {
        return new State(new Summary(e.accountId(), e.name(), e.email(), e.group(), "active", 0, 0, 0, e.at()), topUps, charges);
      }
      Summary s = summary;
      if (event instanceof ToppedUp e) {
        long balance = Math.addExact(s.balanceNanos(), e.amountNanos());
        TopUpReceipt receipt = new TopUpReceipt(e.transactionId(), e.accountId(), e.amountNanos(), balance, e.at());
        return new State(withBalance(balance, s.spentNanos(), s.requests()), topUps.with(e.idempotencyKey(), receipt), charges);
      }
      Charged e = (Charged) event;
      return new State(
          withBalance(Math.subtractExact(s.balanceNanos(), e.amountNanos()), s.spentNanos() + e.amountNanos(), s.requests() + 1),
          topUps, charges.with(e.requestId(), e.amountNanos()));
    }

    private Summary withBalance(long balance, long spent, long requests) {
      Summary s = summary;
      return new Summary(s.id(), s.name(), s.email(), s.group(), s.status(), balance, spent, requests, s.createdAt());
    }
  }

  public static void init(ActorSystem<?> system) {
    ClusterSharding.get(system).init(Entity.of(ENTITY_KEY, ctx -> create(ctx.getEntityId())));
  }

  public static Behavior<Command> create(String accountId) {
    return new Account(accountId);
  }

  private final String accountId;

  private Account(String accountId) {
    super(PersistenceId.of(ENTITY_KEY.name(), accountId));
    this.accountId = accountId;
  }

  @Override
  public State emptyState() {
    return new State(null, RecentIds.empty(), RecentIds.empty());
  }

  @Override
  public CommandHandlerWithReply<Command, Event, State> commandHandler() {
    CommandHandlerWithReplyBuilder<Command, Event, State> builder = newCommandHandlerWithReplyBuilder();
    builder.forState(state -> !state.isOpen())
        .onCommand(Open.class, (state, cmd) -> Effect()
            .persist(new Opened(accountId, cmd.name(), cmd.email(), cmd.group(), cmd.at()))
            .thenReply(cmd.replyTo(), s -> StatusReply.success(s.summary())))
        .onCommand(Get.class, (state, cmd) -> Effect().reply(cmd.replyTo(), notFound()))
        .onCommand(TopUp.class, (state, cmd) -> Effect().reply(cmd.replyTo(), notFound()))
        .onCommand(CheckFunds.class, (state, cmd) -> Effect().reply(cmd.replyTo(), new Funds(false, 0, DEFAULT_GROUP)))
        .onCommand(Charge.class, (state, cmd) -> Effect().reply(cmd.replyTo(), notFound()));
    builder.forState(State::isOpen)
        .onCommand(Open.class, (state, cmd) -> Effect().reply(cmd.replyTo(), StatusReply.error("account " + accountId + " exists")))
        .onCommand(Get.class, (state, cmd) -> Effect().reply(cmd.replyTo(), StatusReply.success(state.summary())))
        .onCommand(TopUp.class, this::onTopUp)
        .onCommand(CheckFunds.class, (state, cmd) -> Effect().reply(cmd.replyTo(),
            new Funds(true, state.summary().balanceNanos(), state.summary().group())))
        .onCommand(Charge.class, this::onCharge);
    return builder.build();
  }

  private ReplyEffect<Event, State> onTopUp(State state, TopUp cmd) {
    var earlier = state.topUps().get(cmd.idempotencyKey());
    if (earlier.isPresent()) {
      return Effect().reply(cmd.replyTo(), StatusReply.success(earlier.get()));
    }
    return Effect()
        .persist(new ToppedUp(accountId, cmd.idempotencyKey(), cmd.transactionId(), cmd.amountNanos(), cmd.at()))
        .thenReply(cmd.replyTo(), s -> StatusReply.success(s.topUps().get(cmd.idempotencyKey()).orElseThrow()));
  }

  private ReplyEffect<Event, State> onCharge(State state, Charge cmd) {
    List<Event> fresh = state.charges().unapplied(cmd.charges()).stream()
        .<Event>map(c -> new Charged(accountId, c.requestId(), c.costNanos(), c.at()))
        .toList();
    if (fresh.isEmpty()) {
      return Effect().reply(cmd.replyTo(), StatusReply.ack());
    }
    return Effect().persist(fresh).thenReply(cmd.replyTo(), s -> StatusReply.ack());
  }

  private <T> StatusReply<T> notFound() {
    return StatusReply.error("account " + accountId + " not found");
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    return newEventHandlerBuilder().forAnyState().onAnyEvent(State::apply);
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(100, 2);
  }
}
