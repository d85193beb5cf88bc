package io.portti.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.portti.mock.MockUpstream;
import io.portti.testkit.Http;
import io.portti.testkit.TestDatabase;
import io.portti.testkit.TestStack;
import io.portti.testkit.Tenant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Admins change and retire channels; the next request already routes by the change. Bad base URLs are refused. */
class ChannelAdminTest {
  @RegisterExtension
  static final TestStack stack = new TestStack(TestDatabase.Kind.POSTGRESQL);

  private static final Map<String, Object> HELLO = Map.of("model", "patched-model", "max_tokens", 4,
      "messages", List.of(Map.of("role", "user", "content", "hello")));

  @Test
  void metadataAndLinkLocalAddressesAreRefused() {
    Http admin = new Http(stack.port(), io.portti.testkit.TestGateway.ADMIN_KEY);
    for (String url : List.of("http://169.254.169.254/latest", "http://metadata.google.internal/v1",
        "http://[fe80::1]:8080/v1", "http://0.0.0.0:8080", "ftp://example.com/v1", "not a url")) {
      Http.Reply refused = admin.post("/v1/admin/channels", Map.of("name", "x", "base_url", url, "api_key", "k",
          "models", List.of("m")));
      assertEquals(400, refused.status(), url + ": " + refused.body());
      assertTrue(refused.json().get("error").get("message").asText().contains("base_url"), refused.body());
    }
  }

  @Test
  void patchAndDeleteTakeEffectOnTheNextRequest() {
    Tenant tenant = stack.tenant("default", "1");
    Http client = new Http(stack.port(), tenant.issueKey(Map.of()));
    String channelId = tenant.admin.post("/v1/admin/channels", Map.of("name", "patched", "base_url",
        stack.mock().baseUrl(), "api_key", "k", "models", List.of("patched-model"))).json().get("id").asText();
    tenant.admin.put("/v1/admin/pricing/patched-model", Map.of("input_per_million", 1, "output_per_million", 1));
    MockUpstream second = MockUpstream.start(0);
    try {
      Http.Reply moved = tenant.admin.patch("/v1/admin/channels/" + channelId,
          Map.of("base_url", second.baseUrl(), "weight", 5, "priority", 2, "api_key", "sk-rotated-upstream-key"));
      assertEquals(200, moved.status(), moved.body());
      assertEquals(5, moved.json().get("weight").asInt());
      assertEquals(2, moved.json().get("priority").asInt());
      assertEquals("sk-****-key", moved.json().get("api_key").asText());
      assertEquals(200, client.post("/v1/chat/completions", HELLO).status());
      assertEquals("Bearer sk-rotated-upstream-key", second.stats().lastAuthorization(), "the new key and URL are used");

      Http.Reply disabled = tenant.admin.patch("/v1/admin/channels/" + channelId, Map.of("status", "disabled"));
      assertEquals("disabled", disabled.json().get("status").asText());
      assertEquals(404, client.post("/v1/chat/completions", HELLO).status(), "no enabled channel serves the model");
      tenant.admin.patch("/v1/admin/channels/" + channelId, Map.of("status", "enabled"));
      assertEquals(200, client.post("/v1/chat/completions", HELLO).status());

      assertEquals(400, tenant.admin.patch("/v1/admin/channels/" + channelId, Map.of("status", "maybe")).status());
      assertEquals(200, tenant.admin.delete("/v1/admin/channels/" + channelId).status());
      assertEquals(404, tenant.admin.get("/v1/admin/channels/" + channelId).status());
      assertEquals(404, tenant.admin.delete("/v1/admin/channels/" + channelId).status());
      assertEquals(404, client.post("/v1/chat/completions", HELLO).status(), "a retired channel takes no traffic");
    } finally {
      second.stop();
    }
  }

  @Test
  void aChannelAtItsUpstreamLimitIsSkippedAndItsSpendIsCounted() {
    Tenant tenant = stack.tenant("default", "1");
    Http client = new Http(stack.port(), tenant.issueKey(Map.of()));
    MockUpstream limited = MockUpstream.start(0);
    MockUpstream backup = MockUpstream.start(0);
    try {
      String limitedId = tenant.admin.post("/v1/admin/channels", Map.of("name", "limited", "base_url", limited.baseUrl(),
          "api_key", "k1", "models", List.of("limited-model"), "rpm_limit", 3, "input_cost_per_million", 1,
          "output_cost_per_million", 2)).json().get("id").asText();
      tenant.admin.post("/v1/admin/channels", Map.of("name", "backup", "base_url", backup.baseUrl(), "api_key", "k2",
          "models", List.of("limited-model"), "priority", 1));
      tenant.admin.put("/v1/admin/pricing/limited-model", Map.of("input_per_million", 1, "output_per_million", 1));
      Map<String, Object> ask = Map.of("model", "limited-model", "max_tokens", 4,
          "messages", List.of(Map.of("role", "user", "content", "hello")));
      for (int i = 0; i < 3; i++) {
        assertEquals(200, client.post("/v1/chat/completions", ask).status());
      }
      assertEquals(3, limited.stats().requests());
      io.portti.testkit.Eventually.await(java.time.Duration.ofSeconds(5), () -> {
        // The list is this node's routing table: what the relay routes by.
        for (JsonNode c : tenant.admin.get("/v1/admin/channels").json().get("channels")) {
          if (c.get("id").asText().equals(limitedId)) {
            assertTrue(!c.get("health").get("limited_until").isNull(), c.toString());
            return null;
          }
        }
        throw new AssertionError("channel not listed");
      });
      for (int i = 0; i < 3; i++) {
        assertEquals(200, client.post("/v1/chat/completions", ask).status());
      }
      assertEquals(3, limited.stats().requests(), "skipped at its limit");
      assertEquals(3, backup.stats().requests());
      JsonNode channel = tenant.admin.get("/v1/admin/channels/" + limitedId).json();
      assertEquals(3, channel.get("health").get("requests_last_minute").asInt(), channel.toString());
      JsonNode spend = channel.get("spend");
      assertEquals(3, spend.get("requests").asInt(), channel.toString());
      long prompt = spend.get("prompt_tokens").asLong();
      long completion = spend.get("completion_tokens").asLong();
      assertEquals(0, java.math.BigDecimal.valueOf(prompt + 2 * completion).movePointLeft(6)
          .compareTo(spend.get("cost").decimalValue()), "spend at the upstream's price: " + spend);
    } finally {
      limited.stop();
      backup.stop();
    }
  }

  @Test
  void aChannelForSomeGroupsServesOnlyTheirKeys() {
    Tenant vip = stack.tenant("vip", "1");
    Tenant other = stack.tenant("default", "1");
    assertEquals(201, vip.admin.post("/v1/admin/channels", Map.of("name", "vip-only", "base_url", stack.mock().baseUrl(),
        "api_key", "k", "models", List.of("vip-model"), "groups", List.of("vip"))).status());
    vip.admin.put("/v1/admin/pricing/vip-model", Map.of("input_per_million", 1, "output_per_million", 1));
    Map<String, Object> ask = Map.of("model", "vip-model", "max_tokens", 4,
        "messages", List.of(Map.of("role", "user", "content", "hello")));
    Http vipClient = new Http(stack.port(), vip.issueKey(Map.of()));
    Http otherClient = new Http(stack.port(), other.issueKey(Map.of()));
    assertTrue(vipClient.get("/v1/models").body().contains("\"vip-model\""));
    assertTrue(!otherClient.get("/v1/models").body().contains("\"vip-model\""));
    assertEquals(200, vipClient.post("/v1/chat/completions", ask).status());
    Http.Reply refused = otherClient.post("/v1/chat/completions", ask);
    assertEquals(404, refused.status(), refused.body());
  }
}
