package io.portti.billing;

import io.portti.CborSerializable;

/**
 * A model's price, in nano-units per million tokens, input and output apart. maxOutputTokens is
 * what a request without max_tokens reserves for its answer; 0 leaves it to the gateway's default.
 */
public record Price(long inputPerMillionNanos, long outputPerMillionNanos, int maxOutputTokens)
    implements CborSerializable {}
