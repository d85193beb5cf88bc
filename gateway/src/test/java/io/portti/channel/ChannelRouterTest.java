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
    return grouped(id, priority, weight, enabled, List.of(), models);
  }

  private static ChannelConfig grouped(String id, int priority, int weight, boolean enabled, List<String> groups,
      String... models) {
    return new ChannelConfig(id, id, "openai", "http://127.0.0.1", "k", List.of(models), Map.of(), groups, priority,
        weight, ChannelConfig.Limits.NONE, enabled, 0);
  }

  private static List<String> ids(List<ChannelConfig> channels) {
    return channels.stream().map(ChannelConfig::id).toList();
  }

  @Test
  void lowerPriorityNumberComesFirstAndOnlyServingEnabledChannelsCount() {
    List<ChannelConfig> all = List.of(
        channel("backup", 1, 100, true, "m"),
        channel("main", 0, 1, true, "m"),
        channel("off", 0, 100, false, "m"),
        channel("other", 0, 100, true, "x"));
    assertEquals(List.of("main", "backup"), ids(ChannelRouter.candidates(all, Map.of(), "m", "default", new SplittableRandom(1))));
  }

  @Test
  void openCircuitsAndChannelsAtTheirLimitGoLastAndGroupsRestrict() {
    List<ChannelConfig> all = List.of(
        channel("failing", 0, 100, true, "m"),
        channel("backup", 1, 1, true, "m"),
        grouped("vip-only", 0, 100, true, List.of("vip"), "m"));
    Map<String, ChannelHealth> health = Map.of("failing", new ChannelHealth(ChannelHealth.Circuit.OPEN, 1, "HTTP 500", 0),
        "backup", new ChannelHealth(ChannelHealth.Circuit.CLOSED, 1, null, Long.MAX_VALUE));
    Map<String, ChannelHealth> failingOnly = Map.of("failing", health.get("failing"));
    assertEquals(List.of("backup", "failing"), ids(ChannelRouter.candidates(all, failingOnly, "m", "default", new SplittableRandom(1))));
    assertEquals(List.of("vip-only", "backup", "failing"),
        ids(ChannelRouter.candidates(all, failingOnly, "m", "vip", new SplittableRandom(1))));
    assertEquals(List.of("failing", "backup"), ids(ChannelRouter.candidates(all, health, "m", "default", new SplittableRandom(1))),
        "a channel at its upstream's limit goes last too");
  }

  @Test
  void sharesFollowWeightsOverTenThousandChoices() {
    List<ChannelConfig> all = List.of(channel("a", 0, 1, true, "m"), channel("b", 0, 3, true, "m"), channel("c", 0, 6, true, "m"));
    SplittableRandom random = new SplittableRandom(42);
    Map<String, Integer> firsts = new HashMap<>();
    int n = 10_000;
    for (int i = 0; i < n; i++) {
      firsts.merge(ChannelRouter.candidates(all, Map.of(), "m", "default", random).get(0).id(), 1, Integer::sum);
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
