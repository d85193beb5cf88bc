package io.portti.channel;

import com.fasterxml.jackson.databind.JsonNode;
import io.portti.admin.AdminDirectives;
import io.portti.admin.AdminFields;
import io.portti.billing.Money;
import io.portti.billing.Price;
import io.portti.replica.LocalReplica;
import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * /v1/admin/channels: create, read, change, test and retire upstream channels. Changes reach
 * every node's routing table within a second; the upstream key is never shown whole.
 */
public final class ChannelRoutes extends AdminDirectives {
  private static final List<String> TYPES = List.of("openai");
  private static final Duration VISIBLE_WITHIN = Duration.ofSeconds(5);
  private static final List<String> LIMIT_FIELDS =
      List.of("rpm_limit", "tpm_limit", "input_cost_per_million", "output_cost_per_million");

  private final ClusterSharding sharding;
  private final LocalReplica<ChannelConfig> routingTable;
  private final LocalReplica<ChannelHealth> healthTable;
  private final boolean allowPrivateUpstreams;
  private final Duration probeTimeout;

  public ChannelRoutes(ActorSystem<?> system, LocalReplica<ChannelConfig> routingTable,
      LocalReplica<ChannelHealth> healthTable, boolean allowPrivateUpstreams, Duration probeTimeout) {
    this.sharding = ClusterSharding.get(system);
    this.routingTable = routingTable;
    this.healthTable = healthTable;
    this.allowPrivateUpstreams = allowPrivateUpstreams;
    this.probeTimeout = probeTimeout;
  }

  public Route route() {
    return pathPrefix("channels", () -> concat(
        pathEndOrSingleSlash(() -> concat(
            get(() -> complete(json(200, Map.of("channels", routingTable.entries().values().stream()
                .sorted(Comparator.comparing(ChannelConfig::id))
                .map(c -> view(c, healthTable.get(c.id()).orElse(ChannelHealth.HEALTHY), null)).toList())))),
            post(() -> jsonBody(body -> {
              ChannelConfig config = parse(AdminFields.newId("ch_"), body);
              // Reply once this node routes to it, so the next request can use it.
              return reply(channel(config.id())
                  .<Channel.Status>askWithStatus(r -> new Channel.Create(config, r), ASK_TIMEOUT)
                  .thenCompose(created -> routingTable.awaitEntry(created.config().id(), c -> true, VISIBLE_WITHIN)
                      .thenApply(visible -> json(201, view(created)))));
            })))),
        pathPrefix(PathMatchers.segment(), id -> concat(
            pathEnd(() -> concat(
                get(() -> reply(channel(id)
                    .<Channel.Status>askWithStatus(Channel.Get::new, ASK_TIMEOUT)
                    .thenApply(status -> json(200, view(status))))),
                patch(() -> jsonBody(body -> {
                  Channel.Patch changes = parsePatch(body);
                  return reply(channel(id)
                      .<Channel.Status>askWithStatus(r -> new Channel.Update(changes, r), ASK_TIMEOUT)
                      .thenCompose(updated -> routingTable.awaitEntry(id, updated.config()::equals, VISIBLE_WITHIN)
                          .thenApply(visible -> json(200, view(updated)))));
                })),
                delete(() -> reply(channel(id)
                    .<Done>askWithStatus(Channel.Retire::new, ASK_TIMEOUT)
                    .thenCompose(done -> routingTable.await(m -> !m.containsKey(id), VISIBLE_WITHIN))
                    .thenApply(gone -> json(200, Map.of("id", id, "deleted", true))))))),
            path("test", () -> post(() -> reply(channel(id)
                .<Probe.Result>askWithStatus(Channel.Test::new, probeTimeout.plus(ASK_TIMEOUT))
                .thenApply(result -> {
                  Map<String, Object> out = new LinkedHashMap<>();
                  out.put("success", result.ok());
                  out.put("status", result.status() < 0 ? null : result.status());
                  out.put("latency_ms", result.latencyMillis());
                  out.put("error", result.error());
                  return json(200, out);
                }))))))));
  }

  private EntityRef<Channel.Command> channel(String id) {
    return sharding.entityRefFor(Channel.ENTITY_KEY, id);
  }

  private ChannelConfig parse(String id, JsonNode body) {
    String type = AdminFields.optionalText(body, "type", "openai");
    if (!TYPES.contains(type)) {
      throw new BadInput("`type` must be one of " + TYPES + ".");
    }
    List<String> models = AdminFields.optionalTextList(body, "models");
    if (models.isEmpty()) {
      throw new BadInput("`models` must name at least one model.");
    }
    return new ChannelConfig(id, AdminFields.optionalText(body, "name", id), type,
        checkedBaseUrl(AdminFields.requiredText(body, "base_url")), AdminFields.requiredText(body, "api_key"), models,
        AdminFields.optionalTextMap(body, "model_mapping"), AdminFields.optionalTextList(body, "groups"),
        AdminFields.optionalInt(body, "priority", 0), weight(AdminFields.optionalInt(body, "weight", 1)),
        limits(body, ChannelConfig.Limits.NONE), true, System.currentTimeMillis());
  }

  private Channel.Patch parsePatch(JsonNode body) {
    Boolean enabled = null;
    if (body.has("status")) {
      enabled = switch (AdminFields.requiredText(body, "status")) {
        case "enabled", "active" -> true;
        case "disabled" -> false;
        default -> throw new BadInput("`status` must be \"enabled\" or \"disabled\".");
      };
    }
    List<String> models = body.has("models") ? AdminFields.optionalTextList(body, "models") : null;
    if (models != null && models.isEmpty()) {
      throw new BadInput("`models` must name at least one model.");
    }
    return new Channel.Patch(
        body.has("name") ? AdminFields.requiredText(body, "name") : null,
        body.has("base_url") ? checkedBaseUrl(AdminFields.requiredText(body, "base_url")) : null,
        body.has("api_key") ? AdminFields.requiredText(body, "api_key") : null,
        models,
        body.has("model_mapping") ? AdminFields.optionalTextMap(body, "model_mapping") : null,
        body.has("groups") ? AdminFields.optionalTextList(body, "groups") : null,
        body.has("priority") ? AdminFields.optionalInt(body, "priority", 0) : null,
        body.has("weight") ? weight(AdminFields.optionalInt(body, "weight", 1)) : null,
        LIMIT_FIELDS.stream().anyMatch(body::has) ? limits(body, null) : null,
        enabled);
  }

  /**
   * rpm_limit, tpm_limit (0: none) and the upstream's own input/output_cost_per_million. A PATCH
   * (current null) replaces all four: those it leaves out are cleared.
   */
  private static ChannelConfig.Limits limits(JsonNode body, ChannelConfig.Limits current) {
    int rpm = AdminFields.optionalInt(body, "rpm_limit", 0);
    int tpm = AdminFields.optionalInt(body, "tpm_limit", 0);
    if (rpm < 0 || tpm < 0) {
      throw new BadInput("`rpm_limit` and `tpm_limit` must not be negative.");
    }
    Long input = AdminFields.optionalMoney(body, "input_cost_per_million");
    Long output = AdminFields.optionalMoney(body, "output_cost_per_million");
    Price cost = input == null && output == null ? null
        : new Price(input == null ? 0 : input, output == null ? 0 : output, 0);
    return new ChannelConfig.Limits(rpm, tpm, cost);
  }

  private String checkedBaseUrl(String baseUrl) {
    String refusal = UpstreamAddress.refusal(baseUrl, allowPrivateUpstreams);
    if (refusal != null) {
      throw new BadInput(refusal);
    }
    return baseUrl;
  }

  private static int weight(int weight) {
    if (weight < 0) {
      throw new BadInput("`weight` must not be negative.");
    }
    return weight;
  }

  private static Map<String, Object> view(Channel.Status status) {
    Map<String, Object> out = view(status.config(), status.health(), status.stats());
    Channel.Spend spend = status.spend();
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("requests", spend.requests());
    s.put("prompt_tokens", spend.promptTokens());
    s.put("completion_tokens", spend.completionTokens());
    s.put("cost", Money.decimal(spend.costNanos()));
    out.put("spend", s);
    return out;
  }

  /** stats null: the list, read from the routing table, has no live statistics. */
  private static Map<String, Object> view(ChannelConfig c, ChannelHealth health, Channel.Stats stats) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("id", c.id());
    out.put("name", c.name());
    out.put("type", c.type());
    out.put("base_url", c.baseUrl());
    out.put("api_key", c.maskedApiKey());
    out.put("models", c.models());
    out.put("model_mapping", c.modelMapping());
    out.put("groups", c.groups());
    out.put("priority", c.priority());
    out.put("weight", c.weight());
    ChannelConfig.Limits limits = c.limits();
    out.put("rpm_limit", limits.requestsPerMinute());
    out.put("tpm_limit", limits.tokensPerMinute());
    out.put("input_cost_per_million", limits.upstreamPrice() == null ? null : Money.decimal(limits.upstreamPrice().inputPerMillionNanos()));
    out.put("output_cost_per_million", limits.upstreamPrice() == null ? null : Money.decimal(limits.upstreamPrice().outputPerMillionNanos()));
    out.put("status", c.enabled() ? "enabled" : "disabled");
    Map<String, Object> h = new LinkedHashMap<>();
    h.put("circuit", health.circuit().name().toLowerCase(Locale.ROOT));
    h.put("since", health.since() == 0 ? null : AdminFields.timestamp(health.since()));
    h.put("reason", health.reason());
    h.put("limited_until", health.limitedUntil() <= System.currentTimeMillis() ? null : AdminFields.timestamp(health.limitedUntil()));
    if (stats != null) {
      h.put("requests", stats.requests());
      h.put("failures", stats.failures());
      h.put("error_rate", stats.requests() == 0 ? 0 : (double) stats.failures() / stats.requests());
      h.put("average_latency_ms", stats.averageLatencyMillis());
      h.put("consecutive_failures", stats.consecutiveFailures());
      h.put("requests_last_minute", stats.requestsLastMinute());
      h.put("tokens_last_minute", stats.tokensLastMinute());
    }
    out.put("health", h);
    out.put("created_at", AdminFields.timestamp(c.createdAt()));
    return out;
  }
}
