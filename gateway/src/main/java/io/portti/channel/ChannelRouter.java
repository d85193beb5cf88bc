package io.portti.channel;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.random.RandomGenerator;

/**
 * Orders the channels that serve a model to a key's group: channels whose circuit is closed and
 * that are within their upstream's limits first, then, as a last resort, the others; within each, the lowest
 * priority number first, weighted random within a priority.
 */
public final class ChannelRouter {
  private ChannelRouter() {}

  public static List<ChannelConfig> candidates(Collection<ChannelConfig> channels, Map<String, ChannelHealth> health,
      String model, String group, RandomGenerator random) {
    long now = System.currentTimeMillis();
    List<ChannelConfig> healthy = new ArrayList<>();
    List<ChannelConfig> failing = new ArrayList<>();
    for (ChannelConfig c : channels) {
      if (c.serves(model) && c.admits(group)) {
        (health.getOrDefault(c.id(), ChannelHealth.HEALTHY).takesTraffic(now) ? healthy : failing).add(c);
      }
    }
    List<ChannelConfig> ordered = byPriority(healthy, random);
    ordered.addAll(byPriority(failing, random));
    return ordered;
  }

  /** Whether any channel serves the model at all, whatever its health or groups. */
  public static boolean anyServes(Collection<ChannelConfig> channels, String model) {
    return channels.stream().anyMatch(c -> c.serves(model));
  }

  private static List<ChannelConfig> byPriority(List<ChannelConfig> channels, RandomGenerator random) {
    Map<Integer, List<ChannelConfig>> byPriority = new TreeMap<>();
    for (ChannelConfig c : channels) {
      byPriority.computeIfAbsent(c.priority(), p -> new ArrayList<>()).add(c);
    }
    List<ChannelConfig> ordered = new ArrayList<>();
    for (List<ChannelConfig> tier : byPriority.values()) {
      tier.sort(Comparator.comparing(ChannelConfig::id));
      ordered.addAll(weightedShuffle(tier, random));
    }
    return ordered;
  }

  /** Repeated weighted draws without replacement; a weight below 1 counts as 1. */
  private static List<ChannelConfig> weightedShuffle(List<ChannelConfig> tier, RandomGenerator random) {
    List<ChannelConfig> left = new ArrayList<>(tier);
    List<ChannelConfig> out = new ArrayList<>(tier.size());
    while (!left.isEmpty()) {
      long total = 0;
      for (ChannelConfig c : left) {
        total += Math.max(1, c.weight());
      }
      long pick = random.nextLong(total);
      for (int i = 0; i < left.size(); i++) {
        pick -= Math.max(1, left.get(i).weight());
        if (pick < 0) {
          out.add(left.remove(i));
          break;
        }
      }
    }
    return out;
  }
}
