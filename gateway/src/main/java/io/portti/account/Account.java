package io.portti.account;

import io.portti.CborSerializable;
import io.portti.billing.RecentIds;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
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
import org.apache.pekko.persistence.typed.javadsl.EffectBuilder;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;

/**
 * A user's account: its paid balance, its free grants (spent first, gone when they expire), its
 * group, and the credit it has leased to its keys. Keys spend from their leases and report what
 * they spent when they ask for more or give the rest back, so the account is asked once per
 * lease, not once per request. It never leases more than it holds.
 */
public final class Account
    extends EventSourcedBehaviorWithEnforcedReplies<Account.Command, Account.Event, Account.State> {

  public static final EntityTypeKey<Command> ENTITY_KEY = EntityTypeKey.create(Command.class, "Account");
  public static final String DEFAULT_GROUP = "default";

  public sealed interface Command extends CborSerializable {}

  public record Open(String name, String email, String group, long at, ActorRef<StatusReply<Summary>> replyTo)
      implements Command {}

  public record Get(ActorRef<StatusReply<Summary>> replyTo) implements Command {}

  /** Paid credit; never expires. Idempotent on the idempotency key. */
  public record TopUp(String idempotencyKey, String transactionId, long amountNanos, long at,
      ActorRef<StatusReply<TopUpReceipt>> replyTo) implements Command {}

  /** Free credit, spent before paid credit and gone at expiresAt. Idempotent on the idempotency key. */
  public record GrantFree(String idempotencyKey, String transactionId, long amountNanos, long expiresAt, long at,
      ActorRef<StatusReply<TopUpReceipt>> replyTo) implements Command {}

  /**
   * A key reports what it spent since its last report and asks to change its lease by deltaNanos
   * (more when positive, some back when negative). Idempotent on (keyId, seq): a repeated report
   * gets the same terms and changes nothing.
   */
  public record Reconcile(String keyId, long seq, long spentNanos, long requests, long deltaNanos,
      ActorRef<StatusReply<LeaseTerms>> replyTo) implements Command {}

  /** grantedNanos may be below what was asked, and negative when the account takes credit back. */
  public record LeaseTerms(long seq, long grantedNanos, String group, long expiresAt) implements CborSerializable {}

  public sealed interface Event extends CborSerializable {
    String accountId();
  }

  public record Opened(String accountId, String name, String email, String group, long at) implements Event {}

  public record ToppedUp(String accountId, String idempotencyKey, String transactionId, long amountNanos, long at)
      implements Event {}

  public record FreeGranted(String accountId, String idempotencyKey, String transactionId, long amountNanos,
      long expiresAt, long at) implements Event {}

  public record FreeExpired(String accountId, String transactionId, long amountNanos, long at) implements Event {}

  public record Reconciled(String accountId, String keyId, long seq, long spentNanos, long requests, long grantedNanos,
      long leaseExpiresAt, long at) implements Event {}

  public record Profile(String name, String email, String group, String status, long createdAt)
      implements CborSerializable {}

  public record FreeGrant(String transactionId, long amountNanos, long remainingNanos, long expiresAt)
      implements CborSerializable {}

  /** What a key holds of this account: its lease, and the answer to its last report. */
  public record KeyLease(long leasedNanos, LeaseTerms last) implements CborSerializable {
    static final KeyLease NONE = new KeyLease(0, new LeaseTerms(0, 0, DEFAULT_GROUP, 0));
  }

  /** The account as admins see it; balanceNanos is paid plus unexpired free credit. */
  public record Summary(String id, String name, String email, String group, String status, long balanceNanos,
      long paidNanos, long freeNanos, List<FreeGrant> freeGrants, long leasedNanos, long spentNanos, long requests,
      long createdAt) implements CborSerializable {}

  public record TopUpReceipt(String transactionId, String accountId, long amountNanos, long newBalanceNanos, long at)
      implements CborSerializable {}

  /** free is ordered by expiry, the order it is spent in. */
  public record State(Profile profile, long paidNanos, List<FreeGrant> free, Map<String, KeyLease> leases,
      long spentNanos, long requests, RecentIds<TopUpReceipt> receipts) implements CborSerializable {
    boolean isOpen() {
      return profile != null;
    }

    long freeNanos() {
      return free.stream().mapToLong(FreeGrant::remainingNanos).sum();
    }

    long leasedNanos() {
      return leases.values().stream().mapToLong(KeyLease::leasedNanos).sum();
    }

    long balanceNanos() {
      return paidNanos + freeNanos();
    }

    KeyLease lease(String keyId) {
      return leases.getOrDefault(keyId, KeyLease.NONE);
    }

    State apply(Event event, String accountId) {
      if (event instanceof Opened e) {
        return new State(new Profile(e.name(), e.email(), e.group(), "active", e.at()), 0, List.of(), Map.of(), 0, 0,
            receipts);
      }
      if (event instanceof ToppedUp e) {
        long paid = Math.addExact(paidNanos, e.amountNanos());
        return new State(profile, paid, free, leases, spentNanos, requests, receipts.with(e.idempotencyKey(),
            new TopUpReceipt(e.transactionId(), accountId, e.amountNanos(), paid + freeNanos(), e.at())));
      }
      if (event instanceof FreeGranted e) {
        List<FreeGrant> grants = new ArrayList<>(free);
        grants.add(new FreeGrant(e.transactionId(), e.amountNanos(), e.amountNanos(), e.expiresAt()));
        grants.sort(Comparator.comparingLong(FreeGrant::expiresAt));
        State next = new State(profile, paidNanos, List.copyOf(grants), leases, spentNanos, requests, receipts);
        return next.withReceipts(receipts.with(e.idempotencyKey(),
            new TopUpReceipt(e.transactionId(), accountId, e.amountNanos(), next.balanceNanos(), e.at())));
      }
      if (event instanceof FreeExpired e) {
        return new State(profile, paidNanos,
            free.stream().filter(g -> !g.transactionId().equals(e.transactionId())).toList(),
            leases, spentNanos, requests, receipts);
      }
      Reconciled e = (Reconciled) event;
      // Spend free credit first, the soonest to expire first; the rest comes from paid credit.
      long owed = e.spentNanos();
      List<FreeGrant> grants = new ArrayList<>(free.size());
      for (FreeGrant g : free) {
        long take = Math.min(owed, g.remainingNanos());
        owed -= take;
        if (g.remainingNanos() - take > 0) {
          grants.add(new FreeGrant(g.transactionId(), g.amountNanos(), g.remainingNanos() - take, g.expiresAt()));
        }
      }
      Map<String, KeyLease> nextLeases = new HashMap<>(leases);
      long leased = lease(e.keyId()).leasedNanos() - e.spentNanos() + e.grantedNanos();
      nextLeases.put(e.keyId(), new KeyLease(leased,
          new LeaseTerms(e.seq(), e.grantedNanos(), profile.group(), e.leaseExpiresAt())));
      return new State(profile, Math.subtractExact(paidNanos, owed), List.copyOf(grants), Map.copyOf(nextLeases),
          spentNanos + e.spentNanos(), requests + e.requests(), receipts);
    }

    private State withReceipts(RecentIds<TopUpReceipt> next) {
      return new State(profile, paidNanos, free, leases, spentNanos, requests, next);
    }

    Summary summary(String accountId) {
      Profile p = profile;
      return new Summary(accountId, p.name(), p.email(), p.group(), p.status(), balanceNanos(), paidNanos, freeNanos(),
          free, leasedNanos(), spentNanos, requests, p.createdAt());
    }
  }

  public static void init(ActorSystem<?> system, Duration leaseTerm) {
    ClusterSharding.get(system).init(Entity.of(ENTITY_KEY,
        ctx -> create(ctx.getEntityId(), leaseTerm, System::currentTimeMillis)));
  }

  public static Behavior<Command> create(String accountId, Duration leaseTerm, LongSupplier clock) {
    return new Account(accountId, leaseTerm, clock);
  }

  private final String accountId;
  private final long leaseTermMillis;
  private final LongSupplier clock;

  private Account(String accountId, Duration leaseTerm, LongSupplier clock) {
    super(PersistenceId.of(ENTITY_KEY.name(), accountId));
    this.accountId = accountId;
    this.leaseTermMillis = leaseTerm.toMillis();
    this.clock = clock;
  }

  @Override
  public State emptyState() {
    return new State(null, 0, List.of(), Map.of(), 0, 0, RecentIds.empty());
  }

  @Override
  public CommandHandlerWithReply<Command, Event, State> commandHandler() {
    CommandHandlerWithReplyBuilder<Command, Event, State> builder = newCommandHandlerWithReplyBuilder();
    builder.forState(state -> !state.isOpen())
        .onCommand(Open.class, (state, cmd) -> Effect()
            .persist(new Opened(accountId, cmd.name(), cmd.email(), cmd.group(), cmd.at()))
            .thenReply(cmd.replyTo(), s -> StatusReply.success(s.summary(accountId))))
        .onCommand(Get.class, (state, cmd) -> Effect().reply(cmd.replyTo(), notFound()))
        .onCommand(TopUp.class, (state, cmd) -> Effect().reply(cmd.replyTo(), notFound()))
        .onCommand(GrantFree.class, (state, cmd) -> Effect().reply(cmd.replyTo(), notFound()))
        .onCommand(Reconcile.class, (state, cmd) -> Effect().reply(cmd.replyTo(), notFound()));
    builder.forState(State::isOpen)
        .onCommand(Open.class, (state, cmd) -> Effect().reply(cmd.replyTo(), StatusReply.error("account " + accountId + " exists")))
        .onCommand(Get.class, (state, cmd) -> persisting(expiries(state))
            .thenReply(cmd.replyTo(), s -> StatusReply.success(s.summary(accountId))))
        .onCommand(TopUp.class, (state, cmd) -> credit(state, cmd.idempotencyKey(), cmd.replyTo(),
            new ToppedUp(accountId, cmd.idempotencyKey(), cmd.transactionId(), cmd.amountNanos(), cmd.at())))
        .onCommand(GrantFree.class, (state, cmd) -> credit(state, cmd.idempotencyKey(), cmd.replyTo(),
            new FreeGranted(accountId, cmd.idempotencyKey(), cmd.transactionId(), cmd.amountNanos(), cmd.expiresAt(), cmd.at())))
        .onCommand(Reconcile.class, this::onReconcile);
    return builder.build();
  }

  private ReplyEffect<Event, State> credit(State state, String idempotencyKey, ActorRef<StatusReply<TopUpReceipt>> replyTo,
      Event credited) {
    var earlier = state.receipts().get(idempotencyKey);
    if (earlier.isPresent()) {
      return Effect().reply(replyTo, StatusReply.success(earlier.get()));
    }
    List<Event> events = new ArrayList<>(expiries(state));
    events.add(credited);
    return Effect().persist(events)
        .thenReply(replyTo, s -> StatusReply.success(s.receipts().get(idempotencyKey).orElseThrow()));
  }

  private ReplyEffect<Event, State> onReconcile(State state, Reconcile cmd) {
    KeyLease previous = state.lease(cmd.keyId());
    if (cmd.seq() <= previous.last().seq()) {
      return cmd.seq() == previous.last().seq()
          ? Effect().reply(cmd.replyTo(), StatusReply.success(previous.last()))
          : Effect().reply(cmd.replyTo(), StatusReply.error("report " + cmd.seq() + " of key " + cmd.keyId() + " is stale"));
    }
    long now = clock.getAsLong();
    List<Event> events = new ArrayList<>(expiries(state));
    State current = state;
    for (Event e : events) {
      current = current.apply(e, accountId);
    }
    // What the key still holds: below zero when its requests cost more than they reserved.
    long keyBalance = previous.leasedNanos() - cmd.spentNanos();
    long available = current.balanceNanos() - cmd.spentNanos() - (current.leasedNanos() - previous.leasedNanos()) - keyBalance;
    // Never more than the account holds; when it holds less than it has leased out, take back.
    long granted = Math.max(-Math.max(0, keyBalance), Math.min(cmd.deltaNanos(), available));
    long expiresAt = now + leaseTermMillis;
    for (FreeGrant g : current.free()) {
      // A lease must not outlive the free credit that may back it.
      expiresAt = Math.min(expiresAt, g.expiresAt());
    }
    events.add(new Reconciled(accountId, cmd.keyId(), cmd.seq(), cmd.spentNanos(), cmd.requests(), granted, expiresAt, now));
    return Effect().persist(events)
        .thenReply(cmd.replyTo(), s -> StatusReply.success(s.lease(cmd.keyId()).last()));
  }

  private EffectBuilder<Event, State> persisting(List<Event> events) {
    return events.isEmpty() ? Effect().none() : Effect().persist(events);
  }

  /** Free grants past their expiry, removed with what was left of them. */
  private List<Event> expiries(State state) {
    long now = clock.getAsLong();
    return state.free().stream()
        .filter(g -> g.expiresAt() <= now)
        .<Event>map(g -> new FreeExpired(accountId, g.transactionId(), g.remainingNanos(), now))
        .toList();
  }

  private <T> StatusReply<T> notFound() {
    return StatusReply.error("account " + accountId + " not found");
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    return newEventHandlerBuilder().forAnyState().onAnyEvent((state, event) -> state.apply(event, accountId));
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(100, 2);
  }
}
