package io.portti.billing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.portti.testkit.Eventually;
import io.portti.testkit.Http;
import io.portti.testkit.TestDatabase;
import io.portti.testkit.TestStack;
import io.portti.testkit.Tenant;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Free credit: granted by an admin, spent before paid credit, gone when it expires; top-ups stay. */
class FreeCreditTest {
  @RegisterExtension
  static final TestStack stack = new TestStack(TestDatabase.Kind.POSTGRESQL);

  @Test
  void freeCreditIsSpentFirstAndExpires() {
    Tenant tenant = stack.tenant("default", "1");
    Http.Reply refused = tenant.admin.post("/v1/admin/grants",
        Map.of("user_id", tenant.userId, "amount", new BigDecimal("0.001"), "expires_in_days", 0));
    assertEquals(400, refused.status(), refused.body());

    Instant expiry = Instant.now().plusSeconds(4);
    Map<String, Object> grant = Map.of("user_id", tenant.userId, "amount", new BigDecimal("0.001"),
        "expires_at", expiry.toString());
    Http.Reply granted = tenant.admin.post("/v1/admin/grants", grant, Map.of("Idempotency-Key", "welcome-" + tenant.userId));
    assertEquals(200, granted.status(), granted.body());
    assertEquals(0, new BigDecimal("1.001").compareTo(granted.json().get("new_balance").decimalValue()));
    Http.Reply again = tenant.admin.post("/v1/admin/grants", grant, Map.of("Idempotency-Key", "welcome-" + tenant.userId));
    assertEquals(granted.json().get("transaction_id"), again.json().get("transaction_id"), "granted once");

    String key = tenant.issueKey(Map.of());
    Http.Reply answer = new Http(stack.port(), key).post("/v1/chat/completions", Map.of("model", Tenant.MODEL,
        "max_tokens", 16, "messages", List.of(Map.of("role", "user", "content", "hello"))));
    assertEquals(200, answer.status(), answer.body());
    JsonNode usage = answer.json().get("usage");
    BigDecimal cost = Tenant.expectedCost(usage.get("prompt_tokens").asLong(), usage.get("completion_tokens").asLong(), "1");

    Eventually.await(Duration.ofSeconds(10), () -> {
      JsonNode user = tenant.admin.get("/v1/admin/users/" + tenant.userId).json();
      assertEquals(0, new BigDecimal("0.001").subtract(cost).compareTo(user.get("free_balance").decimalValue()), user.toString());
      assertEquals(0, BigDecimal.ONE.compareTo(user.get("paid_balance").decimalValue()), "paid credit untouched: " + user);
      return null;
    });
    Eventually.await(Duration.ofSeconds(15), () -> {
      JsonNode user = tenant.admin.get("/v1/admin/users/" + tenant.userId).json();
      assertEquals(0, BigDecimal.ONE.compareTo(user.get("balance").decimalValue()), "what expired is gone: " + user);
      assertEquals(0, user.get("free_grants").size(), user.toString());
      return null;
    });
  }
}
