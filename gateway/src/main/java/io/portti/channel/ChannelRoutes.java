package io.portti.channel;

import com.fasterxml.jackson.databind.JsonNode;
import io.portti.admin.AdminDirectives;
import io.portti.admin.AdminFields;
import io.portti.replica.LocalReplica;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;

/** /v1/admin/channels: create upstream channels and read them; the upstream key is never shown whole. */
public final class ChannelRoutes extends AdminDirectives {
  private static final List<String> TYPES = List.of("openai");
  private static final Duration VISIBLE_WITHIN = Duration.ofSeconds(5);

  private final ClusterSharding sharding;
  private final LocalReplica<ChannelConfig> routingTable;

  public ChannelRoutes(ActorSystem<?> system, LocalReplica<ChannelConfig> routingTable) {
    this.sharding = ClusterSharding.get(system);
    this.routingTable = routingTable;
  }

  public Route route() {
    return pathPrefix("channels", () -> concat(
        pathEndOrSingleSlash(() -> concat(
            get(() -> complete(json(200, Map.of("channels", routingTable.entries().values().stream()
                .sorted(Comparator.comparing(ChannelConfig::id)).map(ChannelRoutes::view).toList())))),
            post(() -> jsonBody(body -> {
              ChannelConfig config = parse(AdminFields.newId("ch_"), body);
              // Reply once this node routes to it, so the next request can use it.
              return reply(sharding.entityRefFor(Channel.ENTITY_KEY, config.id())
                  .<ChannelConfig>askWithStatus(r -> new Channel.Create(config, r), ASK_TIMEOUT)
                  .thenCompose(created -> routingTable.awaitEntry(created.id(), c -> true, VISIBLE_WITHIN))
                  .thenApply(created -> json(201, view(created))));
            })))),
        path(PathMatchers.segment(), id -> get(() -> reply(sharding.entityRefFor(Channel.ENTITY_KEY, id)
            .<ChannelConfig>askWithStatus(Channel.Get::new, ASK_TIMEOUT)
            .thenApply(config -> json(200, view(config))))))));
  }

  private static ChannelConfig parse(String id, JsonNode body) {
    String type = AdminFields.optionalText(body, "type", "openai");
    if (!TYPES.contains(type)) {
      throw new BadInput("`type` must be one of " + TYPES + ".");
    }
    String baseUrl = AdminFields.requiredText(body, "base_url");
    try {
      URI uri = new URI(baseUrl);
      if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
        throw new BadInput("`base_url` must be an http or https URL.");
      }
    } catch (URISyntaxException e) {
      throw new BadInput("`base_url` is not a valid URL.");
    }
    List<String> models = AdminFields.optionalTextList(body, "models");
    if (models.isEmpty()) {
      throw new BadInput("`models` must name at least one model.");
    }
    return new ChannelConfig(id, AdminFields.optionalText(body, "name", id), type, baseUrl,
        AdminFields.requiredText(body, "api_key"), models, AdminFields.optionalTextMap(body, "model_mapping"),
        AdminFields.optionalInt(body, "priority", 0), AdminFields.optionalInt(body, "weight", 1), true,
        System.currentTimeMillis());
  }

  private static Map<String, Object> view(ChannelConfig c) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("id", c.id());
    out.put("name", c.name());
    out.put("type", c.type());
    out.put("base_url", c.baseUrl());
    out.put("api_key", c.maskedApiKey());
    out.put("models", c.models());
    out.put("model_mapping", c.modelMapping());
    out.put("priority", c.priority());
    out.put("weight", c.weight());
    out.put("status", c.enabled() ? "enabled" : "disabled");
    out.put("created_at", AdminFields.timestamp(c.createdAt()));
    return out;
  }
}
