package io.portti.channel;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.random.RandomGenerator;

/** Orders the channels that serve a model: lowest priority number first, weighted random within a priority. */
public final class ChannelRouter {
  private ChannelRouter() {}

  public static List<ChannelConfig> candidates(Collection<ChannelConfig> channels, String model, RandomGenerator random) {
    Map<Integer, List<ChannelConfig>> byPriority = new TreeMap<>();
    for (ChannelConfig c : channels) {
      if (c.serves(model)) {
        byPriority.computeIfAbsent(c.priority(), p -> new ArrayList<>()).add(c);
      }
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
