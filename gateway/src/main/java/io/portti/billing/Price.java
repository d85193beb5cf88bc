package io.portti.billing;

import io.portti.CborSerializable;

/** A model's price, in nano-units per million tokens, input and output apart. */
public record Price(long inputPerMillionNanos, long outputPerMillionNanos) implements CborSerializable {}
