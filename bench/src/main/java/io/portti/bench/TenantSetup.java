package io.portti.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** What an admin sets up through the management API before a client can call: channel, price, user, money, key. */
final class TenantSetup {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private final String gatewayUrl;
  private final String adminKey;

  TenantSetup(String gatewayUrl, String adminKey) {
    this.gatewayUrl = gatewayUrl;
    this.adminKey = adminKey;
  }

  /** A channel to the mock serving {@code model} at a price, and a well-funded user; returns the user's new API key. */
  String issueKey(String mockBaseUrl, String model, String upstreamKey) throws IOException, InterruptedException {
    call("POST", "/v1/admin/channels", 201, Map.of(
        "name", "mock", "type", "openai", "base_url", mockBaseUrl, "api_key", upstreamKey, "models", List.of(model)));
    call("PUT", "/v1/admin/pricing/" + model, 200, Map.of("input_per_million", 0.15, "output_per_million", 0.6));
    String userId = call("POST", "/v1/admin/users", 201, Map.of("name", "bench")).get("id").asText();
    call("POST", "/v1/admin/topup", 200, Map.of("user_id", userId, "amount", 1_000_000));
    return call("POST", "/v1/admin/tokens", 201, Map.of("user_id", userId, "name", "bench")).get("key").asText();
  }

  private JsonNode call(String method, String path, int expectedStatus, Map<String, Object> body)
      throws IOException, InterruptedException {
    HttpRequest request = HttpRequest.newBuilder(URI.create(gatewayUrl + path))
        .timeout(TIMEOUT)
        .header("Authorization", "Bearer " + adminKey)
        .header("Content-Type", "application/json")
        .method(method, HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)))
        .build();
    HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != expectedStatus) {
      throw new IllegalStateException(method + " " + path + " answered " + response.statusCode()
          + " instead of " + expectedStatus + ": " + response.body());
    }
    return JSON.readTree(response.body());
  }
}
