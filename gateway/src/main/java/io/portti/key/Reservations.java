package io.portti.key;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import io.portti.CborSerializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import scala.collection.immutable.HashMap;
import scala.collection.immutable.HashMap$;
import scala.jdk.javaapi.CollectionConverters;

/**
 * A key's open reservations by request id, and their sum. Immutable, because entity state is
 * shared with the snapshot store while it serializes; persistent (Scala's HAMT), because a hot
 * key changes it on every event.
 */
public final class Reservations {
  /** What one request may cost at most, held from authorization until settlement or expiry. */
  public record Reservation(String requestId, String endpoint, String model, int promptTokens, int completionTokens, long amountNanos,
      long at, long expiresAt) implements CborSerializable {}

  private static final Reservations EMPTY = new Reservations(HashMap$.MODULE$.empty(), 0);

  private final HashMap<String, Reservation> byId;
  private final long totalNanos;

  private Reservations(HashMap<String, Reservation> byId, long totalNanos) {
    this.byId = byId;
    this.totalNanos = totalNanos;
  }

  public static Reservations empty() {
    return EMPTY;
  }

  public long totalNanos() {
    return totalNanos;
  }

  public boolean isEmpty() {
    return byId.isEmpty();
  }

  public int size() {
    return byId.size();
  }

  public Optional<Reservation> get(String requestId) {
    return byId.contains(requestId) ? Optional.of(byId.apply(requestId)) : Optional.empty();
  }

  public Reservations with(Reservation r) {
    return new Reservations(byId.updated(r.requestId(), r), totalNanos + r.amountNanos());
  }

  public Reservations without(String requestId) {
    return get(requestId).map(r -> new Reservations(byId.removed(requestId), totalNanos - r.amountNanos())).orElse(this);
  }

  public List<Reservation> expiredAt(long now) {
    List<Reservation> due = new ArrayList<>();
    CollectionConverters.asJava(byId.valuesIterator()).forEachRemaining(r -> {
      if (r.expiresAt() <= now) {
        due.add(r);
      }
    });
    return due;
  }

  @JsonValue
  List<Reservation> list() {
    List<Reservation> list = new ArrayList<>(byId.size());
    CollectionConverters.asJava(byId.valuesIterator()).forEachRemaining(list::add);
    return Collections.unmodifiableList(list);
  }

  @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
  static Reservations of(List<Reservation> list) {
    Reservations all = EMPTY;
    for (Reservation r : list) {
      all = all.with(r);
    }
    return all;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Reservations other && byId.equals(other.byId);
  }

  @Override
  public int hashCode() {
    return byId.hashCode();
  }
}
