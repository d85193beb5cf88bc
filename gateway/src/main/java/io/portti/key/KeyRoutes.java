package io.portti.key;

import io.portti.account.Account;
import io.portti.admin.AdminDirectives;
import io.portti.admin.AdminFields;
import io.portti.billing.Money;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;

/** /v1/admin/tokens: issue client keys (the secret is shown once), read and enable or disable them. */
public final class KeyRoutes extends AdminDirectives {
  private final ClusterSharding sharding;

  public KeyRoutes(ActorSystem<?> system) {
    this.sharding = ClusterSharding.get(system);
  }

  public Route route() {
    return pathPrefix("tokens", () -> concat(
        pathEndOrSingleSlash(() -> post(() -> jsonBody(body -> {
          String userId = AdminFields.requiredText(body, "user_id");
          String name = AdminFields.optionalText(body, "name", "default");
          Long quota = AdminFields.optionalMoney(body, "quota_limit");
          Long expiresAt = AdminFields.optionalInstantMillis(body, "expires_at");
          List<String> models = AdminFields.optionalTextList(body, "models");
          List<String> ips = AdminFields.optionalTextList(body, "ip_whitelist");
          String badIp = IpRules.invalidEntry(ips);
          if (badIp != null) {
            throw new BadInput(badIp);
          }
          int rpm = AdminFields.optionalInt(body, "rpm", 0);
          if (rpm < 0) {
            throw new BadInput("`rpm` must not be negative.");
          }
          String secret = ApiKeySecret.generate();
          String hash = ApiKeySecret.hash(secret);
          long now = System.currentTimeMillis();
          return reply(sharding.entityRefFor(Account.ENTITY_KEY, userId)
              .<Account.Summary>askWithStatus(Account.Get::new, ASK_TIMEOUT)
              .thenCompose(owner -> sharding.entityRefFor(ApiKey.ENTITY_KEY, ApiKeySecret.idOf(hash))
                  .<ApiKey.View>askWithStatus(r -> new ApiKey.Issue(new ApiKey.Rules(userId, owner.group(), name, hash,
                      quota, expiresAt, models, ips, rpm, now), r), ASK_TIMEOUT))
              .thenApply(key -> {
                Map<String, Object> out = view(key);
                out.put("key", secret);
                return json(201, out);
              }));
        }))),
        path(PathMatchers.segment(), id -> concat(
            get(() -> reply(sharding.entityRefFor(ApiKey.ENTITY_KEY, id)
                .<ApiKey.View>askWithStatus(ApiKey.Get::new, ASK_TIMEOUT)
                .thenApply(key -> json(200, view(key))))),
            patch(() -> jsonBody(body -> {
              boolean enabled = switch (AdminFields.requiredText(body, "status")) {
                case "enabled", "active" -> true;
                case "disabled" -> false;
                default -> throw new BadInput("`status` must be \"enabled\" or \"disabled\".");
              };
              return reply(sharding.entityRefFor(ApiKey.ENTITY_KEY, id)
                  .<ApiKey.View>askWithStatus(r -> new ApiKey.SetEnabled(enabled, System.currentTimeMillis(), r), ASK_TIMEOUT)
                  .thenApply(key -> json(200, view(key))));
            }))))));
  }

  private static Map<String, Object> view(ApiKey.View k) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("id", k.id());
    out.put("user_id", k.accountId());
    out.put("name", k.name());
    out.put("status", k.status());
    out.put("quota_limit", k.quotaLimitNanos() == null ? null : Money.decimal(k.quotaLimitNanos()));
    out.put("used", Money.decimal(k.usedNanos()));
    out.put("request_count", k.requests());
    out.put("prompt_tokens", k.promptTokens());
    out.put("completion_tokens", k.completionTokens());
    out.put("reserved", Money.decimal(k.reservedNanos()));
    out.put("open_reservations", k.openReservations());
    out.put("leased_credit", Money.decimal(k.leaseNanos()));
    out.put("expires_at", k.expiresAt() == null ? null : AdminFields.timestamp(k.expiresAt()));
    out.put("models", k.models());
    out.put("ip_whitelist", k.ipWhitelist());
    out.put("rpm", k.rpm());
    out.put("created_at", AdminFields.timestamp(k.createdAt()));
    return out;
  }
}
