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

  private static final Map<String, Object> HELLO = Map.of("model", Tenant.MODEL, "max_tokens", 4,
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
    String key = tenant.issueKey(Map.of());
    Http client = new Http(stack.port(), key);
    String channelId = null;
    for (JsonNode c : tenant.admin.get("/v1/admin/channels").json().get("channels")) {
      channelId = c.get("id").asText();
    }
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
}
