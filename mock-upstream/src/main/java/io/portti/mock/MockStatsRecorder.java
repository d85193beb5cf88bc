package io.portti.mock;

import java.util.concurrent.atomic.LongAdder;

/** The mutable counters behind {@link MockStats}, safe to update from any number of connections. */
final class MockStatsRecorder {

  /** Kept as one value so a snapshot never mixes the header of one request with the body of another. */
  private record LastRequest(String authorization, String model, String body) {}

  private static final LastRequest NONE = new LastRequest(null, null, null);

  private final LongAdder requests = new LongAdder();
  private final LongAdder completedStreams = new LongAdder();
  private final LongAdder cancelledStreams = new LongAdder();
  private volatile LastRequest lastRequest = NONE;

  void requestReceived(String authorization, String model, String body) {
    requests.increment();
    lastRequest = new LastRequest(authorization, model, body);
  }

  void streamCompleted() {
    completedStreams.increment();
  }

  void streamCancelled() {
    cancelledStreams.increment();
  }

  MockStats snapshot() {
    LastRequest last = lastRequest;
    return new MockStats(
        requests.sum(), completedStreams.sum(), cancelledStreams.sum(), last.authorization(), last.model(), last.body());
  }

  void reset() {
    requests.reset();
    completedStreams.reset();
    cancelledStreams.reset();
    lastRequest = NONE;
  }
}
