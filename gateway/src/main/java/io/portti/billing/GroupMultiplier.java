package io.portti.billing;

import io.portti.CborSerializable;
import java.math.BigDecimal;

/** What a group pays relative to list price: 1 is list price, 0.8 a 20% discount. */
public record GroupMultiplier(BigDecimal multiplier) implements CborSerializable {
  public static final GroupMultiplier LIST_PRICE = new GroupMultiplier(BigDecimal.ONE);
}
