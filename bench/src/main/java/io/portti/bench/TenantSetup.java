package io.portti.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.portti.billing.Money;
import io.portti.billing.Price;
import io.portti.key.ApiKeySecret;
import java.io.IOException;
import java.math.BigDecimal;
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
  /** Units of money a benchmark user starts with: more than any run spends. */
  static final long MONEY = 1_000_000;
  private static final BigDecimal INPUT_PER_MILLION = new BigDecimal("0.15");
  private static final BigDecimal OUTPUT_PER_MILLION = new BigDecimal("0.6");

  private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private final String gatewayUrl;
  private final String adminKey;

  TenantSetup(String gatewayUrl, String adminKey) {
    this.gatewayUrl = gatewayUrl;
    this.adminKey = adminKey;
  }

  /** A key the admin API issued: its public id, and its secret as only the client sees it. */
  record IssuedKey(String id, String secret) {
    String secretHash() {
      return ApiKeySecret.hash(secret);
    }
  }

  /** A channel to the mock serving {@code model} at a price, and a well-funded user; returns the user's new API key. */
  String issueKey(String mockBaseUrl, String model, String upstreamKey) throws IOException, InterruptedException {
    call("POST", "/v1/admin/channels", 201, Map.of(
        "name", "mock", "type", "openai", "base_url", mockBaseUrl, "api_key", upstreamKey, "models", List.of(model)));
    price(model);
    String userId = fundedUser(MONEY);
    return issueKey(userId).secret();
  }

  /** The model's list price, the same for every benchmark; returns it as the gateway holds it. */
  Price price(String model) throws IOException, InterruptedException {
    call("PUT", "/v1/admin/pricing/" + model, 200,
        Map.of("input_per_million", INPUT_PER_MILLION, "output_per_million", OUTPUT_PER_MILLION));
    return new Price(Money.nanos(INPUT_PER_MILLION), Money.nanos(OUTPUT_PER_MILLION), 0);
  }

  /** A new user topped up with {@code amount} units of money; returns its id. */
  String fundedUser(long amount) throws IOException, InterruptedException {
    String userId = call("POST", "/v1/admin/users", 201, Map.of("name", "bench")).get("id").asText();
    call("POST", "/v1/admin/topup", 200, Map.of("user_id", userId, "amount", amount));
    return userId;
  }

  IssuedKey issueKey(String userId) throws IOException, InterruptedException {
    JsonNode key = call("POST", "/v1/admin/tokens", 201, Map.of("user_id", userId, "name", "bench"));
    return new IssuedKey(key.get("id").asText(), key.get("key").asText());
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
