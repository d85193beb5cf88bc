package io.portti;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.portti.mock.MockUpstream;
import io.portti.testkit.Eventually;
import io.portti.testkit.Http;
import io.portti.testkit.TestDatabase;
import io.portti.testkit.TestGateway;
import io.portti.testkit.Tenant;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Stop the gateway (right after an answer, so its charge is still queued) and start it again on
 * the same database: everything is still there, charged exactly, and the key still works.
 */
class RestartTest {
  private static final Map<String, Object> HELLO = Map.of(
      "model", Tenant.MODEL, "messages", List.of(Map.of("role", "user", "content", "hello again")));

  @ParameterizedTest
  @EnumSource(TestDatabase.Kind.class)
  void stateSurvivesARestart(TestDatabase.Kind kind) throws Exception {
    MockUpstream mock = MockUpstream.start(0);
    try (TestDatabase db = TestDatabase.create(kind)) {
      String userId;
      String key;
      String keyId;
      String channelId;
      BigDecimal balance;
      try (Gateway first = TestGateway.start(db)) {
        Tenant tenant = Tenant.create(first.httpPort(), mock.baseUrl(), "team", "3");
        Tenant.setGroupMultiplier(tenant.admin, "team", "0.8");
        userId = tenant.userId;
        key = tenant.issueKey(Map.of("rpm", 100));
        assertEquals(200, new Http(first.httpPort(), key).post("/v1/chat/completions", HELLO).status());
        keyId = Eventually.await(Duration.ofSeconds(10), () -> {
          JsonNode rows = tenant.usage().get("usage");
          assertEquals(1, rows.size());
          return rows.get(0).get("token_id").asText();
        });
        channelId = tenant.admin.get("/v1/admin/channels").json().get("channels").get(0).get("id").asText();
        BigDecimal settled = Eventually.await(Duration.ofSeconds(10), () -> {
          BigDecimal b = tenant.balance();
          assertEquals(-1, b.compareTo(new BigDecimal("3")));
          return b;
        });
        // Answered, then the node stops at once: its queued settlement must still land.
        JsonNode last = new Http(first.httpPort(), key).post("/v1/chat/completions", HELLO).json().get("usage");
        balance = settled.subtract(Tenant.expectedCost(
            last.get("prompt_tokens").asLong(), last.get("completion_tokens").asLong(), "0.8"));
      }

      try (Gateway second = TestGateway.start(db)) {
        Http admin = new Http(second.httpPort(), TestGateway.ADMIN_KEY);
        BigDecimal expected = balance;
        // The key reports the spending it recovered once it runs again.
        JsonNode user = Eventually.await(Duration.ofSeconds(10), () -> {
          JsonNode u = admin.get("/v1/admin/users/" + userId).json();
          assertEquals(0, expected.compareTo(u.get("balance").decimalValue()), u.toString());
          return u;
        });
        assertEquals("team", user.get("group").asText());
        JsonNode token = admin.get("/v1/admin/tokens/" + keyId).json();
        assertEquals(100, token.get("rpm").asInt(), token.toString());
        assertEquals(2, token.get("request_count").asInt(), token.toString());
        assertEquals(channelId, admin.get("/v1/admin/channels/" + channelId).json().get("id").asText());
        JsonNode price = admin.get("/v1/admin/pricing").json().get("pricing").get(0);
        assertEquals(0, Tenant.INPUT_PER_MILLION.compareTo(price.get("input_per_million").decimalValue()));

        Http.Reply again = new Http(second.httpPort(), key).post("/v1/chat/completions", HELLO);
        assertEquals(200, again.status(), again.body());
        JsonNode usage = again.json().get("usage");
        BigDecimal cost = Tenant.expectedCost(usage.get("prompt_tokens").asLong(), usage.get("completion_tokens").asLong(), "0.8");
        Eventually.await(Duration.ofSeconds(10), () -> {
          BigDecimal now = admin.get("/v1/admin/users/" + userId).json().get("balance").decimalValue();
          assertEquals(0, balance.subtract(cost).compareTo(now), "charged at the recovered price and multiplier");
          return null;
        });
      }
    } finally {
      mock.stop();
    }
  }
}
