package io.portti.account;

import com.fasterxml.jackson.databind.JsonNode;
import io.portti.admin.AdminDirectives;
import io.portti.admin.AdminFields;
import io.portti.billing.Money;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.pattern.StatusReply;

/** /v1/admin/users, /v1/admin/topup (paid credit) and /v1/admin/grants (free credit that expires): answered by the Account entities. */
public final class AccountRoutes extends AdminDirectives {
  private static final int DEFAULT_FREE_DAYS = 30;
  private final ClusterSharding sharding;

  public AccountRoutes(ActorSystem<?> system) {
    this.sharding = ClusterSharding.get(system);
  }

  public Route route() {
    return concat(
        pathPrefix("users", () -> concat(
            pathEndOrSingleSlash(() -> post(() -> jsonBody(body -> {
              String name = AdminFields.requiredText(body, "name");
              String email = AdminFields.optionalText(body, "email", null);
              String group = AdminFields.optionalText(body, "group", Account.DEFAULT_GROUP);
              String id = AdminFields.newId("user_");
              return reply(sharding.entityRefFor(Account.ENTITY_KEY, id)
                  .<Account.Summary>askWithStatus(r -> new Account.Open(name, email, group, System.currentTimeMillis(), r), ASK_TIMEOUT)
                  .thenApply(summary -> json(201, view(summary))));
            }))),
            path(PathMatchers.segment(), id -> get(() -> reply(sharding.entityRefFor(Account.ENTITY_KEY, id)
                .<Account.Summary>askWithStatus(Account.Get::new, ASK_TIMEOUT)
                .thenApply(summary -> json(200, view(summary)))))))),
        path("topup", () -> post(() -> credit((userId, amount, key, transactionId, body) ->
            r -> new Account.TopUp(key, transactionId, amount, System.currentTimeMillis(), r)))),
        path("grants", () -> post(() -> credit((userId, amount, key, transactionId, body) -> {
          long now = System.currentTimeMillis();
          Long expiresAt = AdminFields.optionalInstantMillis(body, "expires_at");
          int days = AdminFields.optionalInt(body, "expires_in_days", DEFAULT_FREE_DAYS);
          if (expiresAt == null && days <= 0) {
            throw new BadInput("`expires_in_days` must be greater than zero.");
          }
          long expiry = expiresAt != null ? expiresAt : now + Duration.ofDays(days).toMillis();
          if (expiry <= now) {
            throw new BadInput("`expires_at` must be in the future.");
          }
          return r -> new Account.GrantFree(key, transactionId, amount, expiry, now, r);
        }))));
  }

  /** What a credit's body parses into: the command, given where to reply. */
  private interface CreditCommand {
    Function<ActorRef<StatusReply<Account.TopUpReceipt>>, Account.Command> of(String userId, long amount,
        String idempotencyKey, String transactionId, JsonNode body);
  }

  /** Top-ups and free grants: the same body, the same Idempotency-Key rule, the same receipt. */
  private Route credit(CreditCommand command) {
    return optionalHeaderValueByName("Idempotency-Key", idempotencyKey -> jsonBody(body -> {
      String userId = AdminFields.requiredText(body, "user_id");
      long amount = AdminFields.requiredMoney(body, "amount");
      if (amount <= 0) {
        throw new BadInput("`amount` must be greater than zero.");
      }
      String transactionId = AdminFields.newId("tx_");
      String key = idempotencyKey.orElse(transactionId);
      return reply(sharding.entityRefFor(Account.ENTITY_KEY, userId)
          .<Account.TopUpReceipt>askWithStatus(command.of(userId, amount, key, transactionId, body)::apply, ASK_TIMEOUT)
          .thenApply(receipt -> {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("success", true);
            out.put("transaction_id", receipt.transactionId());
            out.put("user_id", receipt.accountId());
            out.put("amount", Money.decimal(receipt.amountNanos()));
            out.put("new_balance", Money.decimal(receipt.newBalanceNanos()));
            out.put("timestamp", AdminFields.timestamp(receipt.at()));
            return json(200, out);
          }));
    }));
  }

  static Map<String, Object> view(Account.Summary s) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("id", s.id());
    out.put("name", s.name());
    out.put("email", s.email());
    out.put("group", s.group());
    out.put("balance", Money.decimal(s.balanceNanos()));
    out.put("paid_balance", Money.decimal(s.paidNanos()));
    out.put("free_balance", Money.decimal(s.freeNanos()));
    out.put("free_grants", s.freeGrants().stream().map(g -> {
      Map<String, Object> grant = new LinkedHashMap<>();
      grant.put("transaction_id", g.transactionId());
      grant.put("amount", Money.decimal(g.amountNanos()));
      grant.put("remaining", Money.decimal(g.remainingNanos()));
      grant.put("expires_at", AdminFields.timestamp(g.expiresAt()));
      return grant;
    }).toList());
    out.put("leased_to_keys", Money.decimal(s.leasedNanos()));
    out.put("used", Money.decimal(s.spentNanos()));
    out.put("request_count", s.requests());
    out.put("status", s.status());
    out.put("created_at", AdminFields.timestamp(s.createdAt()));
    return out;
  }
}
