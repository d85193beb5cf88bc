package io.portti.channel;

import io.portti.CborSerializable;
import io.portti.billing.Price;
import java.util.List;
import java.util.Map;

/**
 * An upstream as admins configure it and as every node's routing table holds it. baseUrl may end
 * in /v1 (as SDKs write it) or not (as gateways write it). enabled is the admin's switch; health
 * is the channel entity's, published apart ({@link ChannelHealth}).
 */
public record ChannelConfig(
    String id,
    String name,
    String type,
    String baseUrl,
    String apiKey,
    List<String> models,
    Map<String, String> modelMapping,
    List<String> groups,
    int priority,
    int weight,
    Limits limits,
    boolean enabled,
    long createdAt) implements CborSerializable {

  /**
   * What the upstream allows and charges: requests and tokens per minute (0 for no limit), and
   * its own price (null when unknown), for the channel's spend.
   */
  public record Limits(int requestsPerMinute, long tokensPerMinute, Price upstreamPrice) implements CborSerializable {
    public static final Limits NONE = new Limits(0, 0, null);
  }

  public boolean serves(String model) {
    return enabled && models.contains(model);
  }

  /** groups empty: every group's keys may use the channel. */
  public boolean admits(String group) {
    return groups.isEmpty() || groups.contains(group);
  }

  /** The model name this channel's upstream knows the client's model by. */
  public String upstreamModel(String model) {
    return modelMapping.getOrDefault(model, model);
  }

  /** The upstream key as admins may see it: enough to recognise, not to use. */
  public String maskedApiKey() {
    if (apiKey.length() <= 8) {
      return "****";
    }
    return apiKey.substring(0, 3) + "****" + apiKey.substring(apiKey.length() - 4);
  }
}
