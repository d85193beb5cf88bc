package io.portti.billing;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Optional;

/**
 * The most recent ids an entity has applied (request ids, idempotency keys), with what each
 * produced, so that a retried command is answered again instead of applied twice. Immutable:
 * entity state is shared with the snapshot store while it serializes.
 */
public final class RecentIds<V> {
  public static final int CAPACITY = 4096;

  private final LinkedHashMap<String, V> byId;

  private RecentIds(LinkedHashMap<String, V> byId) {
    this.byId = byId;
  }

  public static <V> RecentIds<V> empty() {
    return new RecentIds<>(new LinkedHashMap<>());
  }

  public Optional<V> get(String id) {
    return Optional.ofNullable(byId.get(id));
  }

  public RecentIds<V> with(String id, V value) {
    LinkedHashMap<String, V> next = new LinkedHashMap<>(byId);
    next.put(id, value);
    if (next.size() > CAPACITY) {
      next.remove(next.keySet().iterator().next());
    }
    return new RecentIds<>(next);
  }

  public record Entry<V>(String id, V value) {}

  @JsonValue
  List<Entry<V>> entries() {
    List<Entry<V>> list = new ArrayList<>(byId.size());
    byId.forEach((id, v) -> list.add(new Entry<>(id, v)));
    return Collections.unmodifiableList(list);
  }

  @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
  static <V> RecentIds<V> of(List<Entry<V>> entries) {
    LinkedHashMap<String, V> map = new LinkedHashMap<>();
    entries.forEach(e -> map.put(e.id(), e.value()));
    return new RecentIds<>(map);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RecentIds<?> other && byId.equals(other.byId);
  }

  @Override
  public int hashCode() {
    return byId.hashCode();
  }
}
