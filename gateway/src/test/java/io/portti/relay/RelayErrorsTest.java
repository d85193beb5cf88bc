package io.portti.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.errors.PermissionDeniedException;
import com.openai.errors.RateLimitException;
import com.openai.errors.UnauthorizedException;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import io.portti.key.ApiKeySecret;
import io.portti.testkit.Http;
import io.portti.testkit.TestDatabase;
import io.portti.testkit.TestStack;
import io.portti.testkit.Tenant;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Every refusal a client can meet, from a real request, in OpenAI's error body with the right status. */
class RelayErrorsTest {
  private static final Map<String, Object> HELLO = Map.of(
      "model", Tenant.MODEL, "messages", List.of(Map.of("role", "user", "content", "hello")));

  @RegisterExtension
  static final TestStack stack = new TestStack(TestDatabase.Kind.POSTGRESQL);
  private static Tenant tenant;

  @BeforeAll
  static void fundTenant() {
    tenant = stack.tenant("default", "5");
  }

  private static Http as(String key) {
    return new Http(stack.port(), key);
  }

  private static JsonNode error(Http.Reply reply, int status, String code) {
    assertEquals(status, reply.status(), reply.body());
    assertTrue(reply.raw().headers().firstValue("content-type").orElse("").startsWith("application/json"));
    JsonNode error = reply.json().get("error");
    assertFalse(error.get("message").asText().isBlank(), reply.body());
    assertTrue(error.has("type"), reply.body());
    if (code != null) {
      assertEquals(code, error.get("code").asText(), reply.body());
    }
    return error;
  }

  /** The OpenAI SDK turns the refusal into its own exception type, as it would against OpenAI. */
  private static void assertSdkRefuses(Class<? extends Throwable> expected, String key) {
    OpenAIClient sdk = OpenAIOkHttpClient.builder().baseUrl("http://127.0.0.1:" + stack.port() + "/v1")
        .apiKey(key).maxRetries(0).build();
    try {
      assertThrows(expected, () -> sdk.chat().completions().create(
          ChatCompletionCreateParams.builder().model(Tenant.MODEL).addUserMessage("hi").build()));
    } finally {
      sdk.close();
    }
  }

  @Test
  void badInputIs400() {
    String key = tenant.issueKey(Map.of());
    error(as(key).post("/v1/chat/completions", "{not json"), 400, null);
    JsonNode noModel = error(as(key).post("/v1/chat/completions", Map.of("messages", List.of())), 400, null);
    assertEquals("invalid_request_error", noModel.get("type").asText());
    error(new Http(stack.port(), null).post("/v1/chat/completions?key=" + key, HELLO), 400, "key_in_query");
    error(new Http(stack.port(), null).post("/v1/chat/completions?api_key=" + key, HELLO), 400, "key_in_query");
  }

  @Test
  void unknownMalformedDisabledAndExpiredKeysAre401() {
    error(new Http(stack.port(), null).post("/v1/chat/completions", HELLO), 401, "invalid_api_key");
    error(as("sk-not-a-real-key").post("/v1/chat/completions", HELLO), 401, "invalid_api_key");
    error(as(ApiKeySecret.generate()).post("/v1/chat/completions", HELLO), 401, "invalid_api_key");

    String key = tenant.issueKey(Map.of());
    String id = ApiKeySecret.idOf(ApiKeySecret.hash(key));
    assertEquals(200, as(key).post("/v1/chat/completions", HELLO).status());
    assertEquals(200, tenant.admin.patch("/v1/admin/tokens/" + id, Map.of("status", "disabled")).status());
    error(as(key).post("/v1/chat/completions", HELLO), 401, "invalid_api_key");
    assertEquals(200, tenant.admin.patch("/v1/admin/tokens/" + id, Map.of("status", "enabled")).status());
    assertEquals(200, as(key).post("/v1/chat/completions", HELLO).status());

    String expired = tenant.issueKey(Map.of("expires_at", Instant.now().minusSeconds(60).toString()));
    error(as(expired).post("/v1/chat/completions", HELLO), 401, "invalid_api_key");

    assertSdkRefuses(UnauthorizedException.class, ApiKeySecret.generate());
  }

  @Test
  void emptyBalanceAndSpentQuotaAre402() {
    Tenant broke = Tenant.create(stack.port(), stack.mock().baseUrl(), "default", "0");
    String key = broke.issueKey(Map.of());
    error(as(key).post("/v1/chat/completions", HELLO), 402, "insufficient_quota");

    String capped = tenant.issueKey(Map.of("quota_limit", "0.000001"));
    Map<String, Object> big = Map.of("model", Tenant.MODEL, "max_tokens", 100_000,
        "messages", List.of(Map.of("role", "user", "content", "hello")));
    error(as(capped).post("/v1/chat/completions", big), 402, "insufficient_quota");
  }

  @Test
  void modelAndIpRulesAre403() {
    String onlyGpt4o = tenant.issueKey(Map.of("models", List.of("gpt-4o")));
    error(as(onlyGpt4o).post("/v1/chat/completions", HELLO), 403, "model_not_allowed");

    String officeOnly = tenant.issueKey(Map.of("ip_whitelist", List.of("10.1.2.0/24")));
    error(as(officeOnly).post("/v1/chat/completions", HELLO), 403, "ip_not_allowed");
    String loopback = tenant.issueKey(Map.of("ip_whitelist", List.of("127.0.0.1")));
    assertEquals(200, as(loopback).post("/v1/chat/completions", HELLO).status());

    assertSdkRefuses(PermissionDeniedException.class, onlyGpt4o);
  }

  @Test
  void overRpmIs429WithRetryAfter() {
    String key = tenant.issueKey(Map.of("rpm", 2));
    assertEquals(200, as(key).post("/v1/chat/completions", HELLO).status());
    assertEquals(200, as(key).post("/v1/chat/completions", HELLO).status());
    Http.Reply limited = as(key).post("/v1/chat/completions", HELLO);
    error(limited, 429, "rate_limit_exceeded");
    long retryAfter = Long.parseLong(limited.raw().headers().firstValue("retry-after").orElseThrow());
    assertTrue(retryAfter >= 1 && retryAfter <= 60, "Retry-After " + retryAfter);

    assertSdkRefuses(RateLimitException.class, key);
  }

  @Test
  void unknownModelIs404AndModelsListsWhatTheKeyMayUse() {
    String key = tenant.issueKey(Map.of());
    Map<String, Object> unknown = Map.of("model", "no-such-model", "messages", List.of(Map.of("role", "user", "content", "hi")));
    error(as(key).post("/v1/chat/completions", unknown), 404, "model_not_found");

    Http.Reply models = as(key).get("/v1/models");
    assertEquals(200, models.status(), models.body());
    assertEquals("list", models.json().get("object").asText());
    assertEquals(Tenant.MODEL, models.json().get("data").get(0).get("id").asText());
    error(as(ApiKeySecret.generate()).get("/v1/models"), 401, "invalid_api_key");
  }

  @Test
  void managementRoutesNeedTheManagementKey() {
    error(new Http(stack.port(), "wrong").get("/v1/admin/users/" + tenant.userId), 401, "invalid_management_key");
    String key = tenant.issueKey(Map.of());
    error(as(key).get("/v1/admin/users/" + tenant.userId), 401, "invalid_management_key");
    Http.Reply channels = tenant.admin.get("/v1/admin/channels");
    assertEquals(200, channels.status());
    assertFalse(channels.body().contains("sk-upstream-channel-key"), "the upstream key is never shown whole");
  }
}
