package io.portti.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.portti.key.ApiKeySecret;
import io.portti.testkit.Eventually;
import io.portti.testkit.Http;
import io.portti.testkit.TestDatabase;
import io.portti.testkit.TestStack;
import io.portti.testkit.Tenant;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Streams over raw HTTP: usage hidden unless asked, and streams that end early are charged for what was delivered. */
class StreamingRelayTest {
  private static final HttpClient CLIENT = HttpClient.newHttpClient();

  @RegisterExtension
  static final TestStack stack = new TestStack(TestDatabase.Kind.POSTGRESQL);
  private static Tenant tenant;

  @BeforeAll
  static void fundTenant() {
    tenant = stack.tenant("default", "5");
  }

  private static HttpRequest streamRequest(String key, Map<String, Object> mockOptions) throws Exception {
    Map<String, Object> body = Map.of("model", Tenant.MODEL, "stream", true,
        "messages", List.of(Map.of("role", "user", "content", "tell me a story")), "mock", mockOptions);
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + stack.port() + "/v1/chat/completions"))
        .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(Http.JSON.writeValueAsString(body))).build();
  }

  private static List<String> dataLines(String sse) {
    List<String> data = new ArrayList<>();
    for (String line : sse.split("\n")) {
      if (line.startsWith("data: ")) {
        data.add(line.substring(6));
      }
    }
    return data;
  }

  private static JsonNode usageRowOf(String key, int expectedRows) {
    String tokenId = ApiKeySecret.idOf(ApiKeySecret.hash(key));
    return Eventually.await(Duration.ofSeconds(10), () -> {
      JsonNode rows = tenant.admin.get("/v1/admin/usage?token_id=" + tokenId).json().get("usage");
      assertEquals(expectedRows, rows.size(), rows.toString());
      return rows.get(0);
    });
  }

  @Test
  void usageTheClientDidNotAskForIsHiddenButStillBilled() throws Exception {
    String key = tenant.issueKey(Map.of());
    HttpResponse<String> response = CLIENT.send(streamRequest(key, Map.of("answer_tokens", 7)), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, response.statusCode());
    assertTrue(response.headers().firstValue("content-type").orElse("").startsWith("text/event-stream"));
    List<String> data = dataLines(response.body());
    assertEquals("[DONE]", data.get(data.size() - 1));
    assertFalse(response.body().contains("\"prompt_tokens\""), "no usage chunk: the client did not ask");
    assertTrue(stack.mock().stats().lastRequestBody().contains("include_usage"), "the gateway asked the upstream for usage");

    JsonNode row = usageRowOf(key, 1);
    assertEquals(7, row.get("completion_tokens").asInt());
    assertEquals("success", row.get("status").asText());
    assertEquals(0, Tenant.expectedCost(row.get("prompt_tokens").asLong(), 7, "1").compareTo(row.get("cost").decimalValue()));
  }

  @Test
  void streamCutByTheUpstreamEndsCleanlyAndIsChargedForWhatArrived() throws Exception {
    String key = tenant.issueKey(Map.of());
    // A second channel the relay could fail over to, were it to retry.
    assertEquals(201, tenant.admin.post("/v1/admin/channels", Map.of("name", "second", "base_url", stack.mock().baseUrl(),
        "api_key", "sk-second", "models", List.of(Tenant.MODEL))).status());
    long upstreamBefore = stack.mock().stats().requests();
    HttpResponse<String> response = CLIENT.send(
        streamRequest(key, Map.of("answer_tokens", 20, "failure", "CUT_STREAM", "cut_after_chunks", 3)),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, response.statusCode());
    List<String> data = dataLines(response.body());
    assertTrue(data.get(data.size() - 1).contains("\"error\""), "ends with an error event: " + data);
    assertEquals(1, stack.mock().stats().requests() - upstreamBefore, "bytes reached the client: never retried");

    JsonNode row = usageRowOf(key, 1);
    assertEquals("upstream_error", row.get("status").asText());
    assertEquals(1, row.get("tries").asInt());
    int delivered = row.get("completion_tokens").asInt();
    assertTrue(delivered >= 1 && delivered < 20, "charged for the delivered part only: " + delivered);
  }

  @Test
  void clientDisconnectCancelsTheUpstreamAndChargesWhatWasDelivered() throws Exception {
    String key = tenant.issueKey(Map.of());
    long cancelledBefore = stack.mock().stats().cancelledStreams();
    BigDecimal before = tenant.balance();
    HttpResponse<InputStream> response = CLIENT.send(
        streamRequest(key, Map.of("answer_tokens", 200, "chunk_delay_ms", 50)), HttpResponse.BodyHandlers.ofInputStream());
    try (BufferedReader reader = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
      int events = 0;
      while (events < 4) {
        String line = reader.readLine();
        if (line != null && line.startsWith("data: ")) {
          events++;
        }
      }
    }
    Eventually.await(Duration.ofSeconds(10), () -> {
      assertTrue(stack.mock().stats().cancelledStreams() > cancelledBefore, "the upstream saw the cancel");
      return null;
    });
    JsonNode row = usageRowOf(key, 1);
    assertEquals("cancelled", row.get("status").asText());
    int delivered = row.get("completion_tokens").asInt();
    assertTrue(delivered >= 1 && delivered < 200, "charged for the delivered part only: " + delivered);
    Eventually.await(Duration.ofSeconds(10), () -> {
      assertEquals(0, before.subtract(row.get("cost").decimalValue()).compareTo(tenant.balance()));
      return null;
    });
  }
}
