package io.portti;

/** Marker for every command, event, reply and state that Pekko serializes (Jackson CBOR). */
public interface CborSerializable {}
