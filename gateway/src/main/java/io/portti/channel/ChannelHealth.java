package io.portti.channel;

import io.portti.CborSerializable;

/**
 * A channel's circuit, as its entity publishes it to every node's routing table: CLOSED takes
 * traffic; OPEN (failing) is skipped while its entity probes it; HALF_OPEN is a probe in flight.
 */
public record ChannelHealth(Circuit circuit, long since, String reason) implements CborSerializable {
  public enum Circuit { CLOSED, OPEN, HALF_OPEN }

  public static final ChannelHealth HEALTHY = new ChannelHealth(Circuit.CLOSED, 0, null);

  public boolean takesTraffic() {
    return circuit == Circuit.CLOSED;
  }
}
