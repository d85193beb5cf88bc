package io.portti.account;

import io.portti.admin.AdminDirectives;
import io.portti.admin.AdminFields;
import io.portti.billing.Money;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;

/** /v1/admin/users and /v1/admin/topup: answered by the Account entities. */
public final class AccountRoutes extends AdminDirectives {
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
        path("topup", () -> post(() -> optionalHeaderValueByName("Idempotency-Key", idempotencyKey -> jsonBody(body -> {
          String userId = AdminFields.requiredText(body, "user_id");
          long amount = AdminFields.requiredMoney(body, "amount");
          if (amount <= 0) {
            throw new BadInput("`amount` must be greater than zero.");
          }
          String transactionId = AdminFields.newId("tx_");
          String key = idempotencyKey.orElse(transactionId);
          return reply(sharding.entityRefFor(Account.ENTITY_KEY, userId)
              .<Account.TopUpReceipt>askWithStatus(r -> new Account.TopUp(key, transactionId, amount, System.currentTimeMillis(), r), ASK_TIMEOUT)
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
        })))));
  }

  static Map<String, Object> view(Account.Summary s) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("id", s.id());
    out.put("name", s.name());
    out.put("email", s.email());
    out.put("group", s.group());
    out.put("balance", Money.decimal(s.balanceNanos()));
    out.put("used", Money.decimal(s.spentNanos()));
    out.put("request_count", s.requests());
    out.put("status", s.status());
    out.put("created_at", AdminFields.timestamp(s.createdAt()));
    return out;
  }
}
