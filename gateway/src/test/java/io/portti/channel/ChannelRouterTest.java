package io.portti.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ChannelRouterTest {
  private static ChannelConfig channel(String id, int priority, int weight, boolean enabled, String... models) {
    return new ChannelConfig(id, id, "openai", "http://127.0.0.1", "k", List.of(models), Map.of(), priority, weight, enabled, 0);
  }

  @Test
  void lowerPriorityNumberComesFirstAndOnlyServingEnabledChannelsCount() {
    List<ChannelConfig> all = List.of(
        channel("backup", 1, 100, true, "m"),
        channel("main", 0, 1, true, "m"),
        channel("off", 0, 100, false, "m"),
        channel("other", 0, 100, true, "x"));
    List<ChannelConfig> order = ChannelRouter.candidates(all, "m", new SplittableRandom(1));
    assertEquals(List.of("main", "backup"), order.stream().map(ChannelConfig::id).toList());
  }

  @Test
  void sharesFollowWeightsOverTenThousandChoices() {
    List<ChannelConfig> all = List.of(channel("a", 0, 1, true, "m"), channel("b", 0, 3, true, "m"), channel("c", 0, 6, true, "m"));
    SplittableRandom random = new SplittableRandom(42);
    Map<String, Integer> firsts = new HashMap<>();
    int n = 10_000;
    for (int i = 0; i < n; i++) {
      firsts.merge(ChannelRouter.candidates(all, "m", random).get(0).id(), 1, Integer::sum);
    }
    assertShare(firsts.get("a"), 0.1, n);
    assertShare(firsts.get("b"), 0.3, n);
    assertShare(firsts.get("c"), 0.6, n);
  }

  private static void assertShare(int count, double expected, int n) {
    double share = (double) count / n;
    assertTrue(Math.abs(share - expected) < 0.02, "share " + share + " vs weight share " + expected);
  }
}
