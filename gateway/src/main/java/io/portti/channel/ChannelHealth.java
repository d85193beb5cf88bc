package io.portti.channel;

import io.portti.CborSerializable;

/**
 * A channel's health, as its entity publishes it to every node's routing table: CLOSED takes
 * traffic; OPEN (failing) is skipped while its entity probes it; HALF_OPEN is a probe in flight.
 * limitedUntil: the channel has used its upstream's requests or tokens per minute until then.
 */
public record ChannelHealth(Circuit circuit, long since, String reason, long limitedUntil) implements CborSerializable {
  public enum Circuit { CLOSED, OPEN, HALF_OPEN }

  public static final ChannelHealth HEALTHY = new ChannelHealth(Circuit.CLOSED, 0, null, 0);

  public boolean takesTraffic(long now) {
    return circuit == Circuit.CLOSED && now >= limitedUntil;
  }

  ChannelHealth limitedUntil(long until) {
    return new ChannelHealth(circuit, since, reason, until);
  }
}
