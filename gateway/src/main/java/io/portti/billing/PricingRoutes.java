package io.portti.billing;

import io.portti.admin.AdminDirectives;
import io.portti.admin.AdminFields;
import io.portti.replica.LocalReplica;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;

/** /v1/admin/pricing and /v1/admin/groups: model prices per million tokens and group multipliers. */
public final class PricingRoutes extends AdminDirectives {
  private static final Duration VISIBLE_WITHIN = Duration.ofSeconds(5);

  private final EntityRef<PriceList.Command> priceList;
  private final LocalReplica<Price> prices;
  private final LocalReplica<GroupMultiplier> groups;

  public PricingRoutes(ActorSystem<?> system, LocalReplica<Price> prices, LocalReplica<GroupMultiplier> groups) {
    this.priceList = ClusterSharding.get(system).entityRefFor(PriceList.ENTITY_KEY, PriceList.ENTITY_ID);
    this.prices = prices;
    this.groups = groups;
  }

  public Route route() {
    return concat(
        pathPrefix("pricing", () -> concat(
            pathEndOrSingleSlash(() -> get(() -> {
              Map<String, Object> all = new TreeMap<>();
              prices.entries().forEach((model, price) -> all.put(model, view(model, price)));
              return complete(json(200, Map.of("pricing", all.values())));
            })),
            path(PathMatchers.remaining(), model -> put(() -> jsonBody(body -> {
              int maxOutputTokens = AdminFields.optionalInt(body, "max_output_tokens", 0);
              if (maxOutputTokens < 0) {
                throw new BadInput("`max_output_tokens` must not be negative.");
              }
              Price price = new Price(AdminFields.requiredMoney(body, "input_per_million"),
                  AdminFields.requiredMoney(body, "output_per_million"), maxOutputTokens);
              return reply(priceList.<Done>askWithStatus(r -> new PriceList.SetPrice(model, price, r), ASK_TIMEOUT)
                  .thenCompose(done -> prices.awaitEntry(model, price::equals, VISIBLE_WITHIN))
                  .thenApply(p -> json(200, view(model, p))));
            }))))),
        path(PathMatchers.segment("groups").slash(PathMatchers.segment()), group -> put(() -> jsonBody(body -> {
          BigDecimal multiplier = AdminFields.requiredDecimal(body, "multiplier");
          if (multiplier.signum() < 0 || multiplier.scale() > 6) {
            throw new BadInput("`multiplier` must be a non-negative number with at most 6 decimals.");
          }
          return reply(priceList.<Done>askWithStatus(r -> new PriceList.SetGroupMultiplier(group, multiplier, r), ASK_TIMEOUT)
              .thenCompose(done -> groups.awaitEntry(group, m -> m.multiplier().compareTo(multiplier) == 0, VISIBLE_WITHIN))
              .thenApply(m -> json(200, Map.of("name", group, "multiplier", m.multiplier()))));
        }))));
  }

  private static Map<String, Object> view(String model, Price price) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("model", model);
    out.put("input_per_million", Money.decimal(price.inputPerMillionNanos()));
    out.put("output_per_million", Money.decimal(price.outputPerMillionNanos()));
    out.put("max_output_tokens", price.maxOutputTokens() == 0 ? null : price.maxOutputTokens());
    return out;
  }
}
