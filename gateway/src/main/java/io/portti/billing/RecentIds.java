package io.portti.billing;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import scala.Tuple2;
import scala.collection.immutable.HashMap;
import scala.collection.immutable.HashMap$;
import scala.collection.immutable.Queue;
import scala.collection.immutable.Queue$;
import scala.jdk.javaapi.CollectionConverters;

/**
 * The most recent ids an entity has applied (idempotency keys), with what each
 * produced, so that a retried command is answered again instead of applied twice. Immutable,
 * because entity state is shared with the snapshot store while it serializes; persistent
 * (Scala's HAMT and queue), because copying thousands of ids per event was the hot path's cost.
 */
public final class RecentIds<V> {
  public static final int CAPACITY = 4096;

  private final HashMap<String, V> byId;
  private final Queue<String> order;

  private RecentIds(HashMap<String, V> byId, Queue<String> order) {
    this.byId = byId;
    this.order = order;
  }

  public static <V> RecentIds<V> empty() {
    return new RecentIds<>(HashMap$.MODULE$.empty(), Queue$.MODULE$.empty());
  }

  public Optional<V> get(String id) {
    return byId.contains(id) ? Optional.of(byId.apply(id)) : Optional.empty();
  }

  public RecentIds<V> with(String id, V value) {
    if (byId.contains(id)) {
      return new RecentIds<>(byId.updated(id, value), order);
    }
    HashMap<String, V> map = byId.updated(id, value);
    Queue<String> ids = order.enqueue(id);
    if (map.size() > CAPACITY) {
      Tuple2<String, Queue<String>> oldest = ids.dequeue();
      map = map.removed(oldest._1());
      ids = oldest._2();
    }
    return new RecentIds<>(map, ids);
  }

  public record Entry<V>(String id, V value) {}

  @JsonValue
  List<Entry<V>> entries() {
    List<Entry<V>> list = new ArrayList<>(byId.size());
    Iterator<String> ids = CollectionConverters.asJava(order.iterator());
    while (ids.hasNext()) {
      String id = ids.next();
      list.add(new Entry<>(id, byId.apply(id)));
    }
    return Collections.unmodifiableList(list);
  }

  @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
  static <V> RecentIds<V> of(List<Entry<V>> entries) {
    RecentIds<V> ids = empty();
    for (Entry<V> e : entries) {
      ids = ids.with(e.id(), e.value());
    }
    return ids;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RecentIds<?> other && entries().equals(other.entries());
  }

  @Override
  public int hashCode() {
    return byId.hashCode();
  }
}
