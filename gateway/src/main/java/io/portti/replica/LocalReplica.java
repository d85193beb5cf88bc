package io.portti.replica;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.ddata.LWWMap;
import org.apache.pekko.cluster.ddata.Key;
import org.apache.pekko.cluster.ddata.LWWMapKey;
import org.apache.pekko.cluster.ddata.SelfUniqueAddress;
import org.apache.pekko.cluster.ddata.typed.javadsl.DistributedData;
import org.apache.pekko.cluster.ddata.typed.javadsl.Replicator;
import org.apache.pekko.cluster.ddata.typed.javadsl.ReplicatorMessageAdapter;

/**
 * A map replicated to every node with Distributed Data, readable locally without a message.
 * Entities own the entries (one writer per id) and publish them here; the hot path reads
 * {@link #entries()}. Staleness is bounded by gossip plus pekko.cluster.distributed-data
 * notify-subscribers-interval.
 */
public final class LocalReplica<V> {
  private final Key<LWWMap<String, V>> key;
  private final ActorRef<Command> actor;
  private final Queue<Waiter<V>> waiters = new ConcurrentLinkedQueue<>();
  private volatile Map<String, V> entries = Map.of();

  private LocalReplica(ActorSystem<?> system, String name) {
    this.key = LWWMapKey.create(name);
    this.actor = system.systemActorOf(behavior(), "replica-" + name, Props.empty());
  }

  public static <V> LocalReplica<V> start(ActorSystem<?> system, String name) {
    return new LocalReplica<>(system, name);
  }

  public Map<String, V> entries() {
    return entries;
  }

  public Optional<V> get(String id) {
    return Optional.ofNullable(entries.get(id));
  }

  /** Called by the entity that owns {@code id}, after it persisted the change. */
  public void put(String id, V value) {
    actor.tell(new Put<>(id, value));
  }

  /** Called by the entity that owns {@code id} when it is retired. */
  public void remove(String id) {
    actor.tell(new Put<V>(id, null));
  }

  /** Completes once this node sees an entry for {@code id} that passes {@code test}. */
  public CompletionStage<V> awaitEntry(String id, Predicate<V> test, Duration timeout) {
    return await(map -> map.containsKey(id) && test.test(map.get(id)), timeout).thenApply(map -> map.get(id));
  }

  /** Completes once this node's copy of the map passes {@code test}. */
  public CompletionStage<Map<String, V>> await(Predicate<Map<String, V>> test, Duration timeout) {
    Waiter<V> waiter = new Waiter<>(test, new CompletableFuture<>());
    waiters.add(waiter);
    waiter.tryComplete(entries);
    waiter.done.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS).whenComplete((v, e) -> waiters.remove(waiter));
    return waiter.done;
  }

  private void replace(Map<String, V> next) {
    entries = next;
    waiters.removeIf(w -> w.tryComplete(next));
  }

  private record Waiter<V>(Predicate<Map<String, V>> test, CompletableFuture<Map<String, V>> done) {
    boolean tryComplete(Map<String, V> map) {
      return test.test(map) && done.complete(map);
    }
  }

  interface Command {}

  /** value null removes the entry. */
  private record Put<V>(String id, V value) implements Command {}

  private record Changed<V>(Replicator.SubscribeResponse<LWWMap<String, V>> response) implements Command {}

  private record Updated<V>(Replicator.UpdateResponse<LWWMap<String, V>> response) implements Command {}

  @SuppressWarnings("unchecked")
  private Behavior<Command> behavior() {
    return Behaviors.setup(ctx -> DistributedData.withReplicatorMessageAdapter(
        (ReplicatorMessageAdapter<Command, LWWMap<String, V>> replicator) -> {
          SelfUniqueAddress node = DistributedData.get(ctx.getSystem()).selfUniqueAddress();
          replicator.subscribe(key, Changed::new);
          return Behaviors.receive(Command.class)
              .onMessage(Put.class, put -> {
                Put<V> p = (Put<V>) put;
                replicator.askUpdate(
                    replyTo -> new Replicator.Update<>(key, LWWMap.create(), Replicator.writeLocal(), replyTo,
                        map -> p.value() == null ? map.remove(node, p.id()) : map.put(node, p.id(), p.value())),
                    Updated::new);
                return Behaviors.same();
              })
              .onMessage(Changed.class, changed -> {
                if (changed.response() instanceof Replicator.Changed<?> c) {
                  replace(Map.copyOf(((Replicator.Changed<LWWMap<String, V>>) c).get(key).getEntries()));
                }
                return Behaviors.same();
              })
              .onMessage(Updated.class, updated -> {
                if (!(updated.response() instanceof Replicator.UpdateSuccess<?>)) {
                  ctx.getLog().warn("replica {} update failed: {}", key.id(), updated.response());
                }
                return Behaviors.same();
              })
              .build();
        }));
  }
}
