package io.portti.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** What an admin sets up through the management API before a client can call: channel, price, user, money, key. */
public final class Tenant {
  public static final String MODEL = "gpt-4o-mini";
  public static final BigDecimal INPUT_PER_MILLION = new BigDecimal("0.15");
  public static final BigDecimal OUTPUT_PER_MILLION = new BigDecimal("0.60");

  public final Http admin;
  public final String userId;

  private Tenant(Http admin, String userId) {
    this.admin = admin;
    this.userId = userId;
  }

  /** A channel to the mock, a price for MODEL, and a user of the given group with this balance. */
  public static Tenant create(int gatewayPort, String mockBaseUrl, String group, String balance) {
    Http admin = new Http(gatewayPort, TestGateway.ADMIN_KEY);
    Http.Reply channel = admin.post("/v1/admin/channels", Map.of(
        "name", "mock", "type", "openai", "base_url", mockBaseUrl, "api_key", "sk-upstream-channel-key",
        "models", List.of(MODEL)));
    assertEquals(201, channel.status(), channel.body());
    Http.Reply price = admin.put("/v1/admin/pricing/" + MODEL, Map.of(
        "input_per_million", INPUT_PER_MILLION, "output_per_million", OUTPUT_PER_MILLION));
    assertEquals(200, price.status(), price.body());
    Http.Reply user = admin.post("/v1/admin/users", Map.of("name", "alice", "email", "alice@example.com", "group", group));
    assertEquals(201, user.status(), user.body());
    Tenant tenant = new Tenant(admin, user.json().get("id").asText());
    if (new BigDecimal(balance).signum() > 0) {
      Http.Reply topUp = admin.post("/v1/admin/topup", Map.of("user_id", tenant.userId, "amount", new BigDecimal(balance)));
      assertEquals(200, topUp.status(), topUp.body());
    }
    return tenant;
  }

  public static void setGroupMultiplier(Http admin, String group, String multiplier) {
    Http.Reply reply = admin.put("/v1/admin/groups/" + group, Map.of("multiplier", new BigDecimal(multiplier)));
    assertEquals(200, reply.status(), reply.body());
  }

  /** Issues a key for this tenant's user; returns the secret. */
  public String issueKey(Map<String, Object> rules) {
    Map<String, Object> body = new HashMap<>(rules);
    body.put("user_id", userId);
    body.putIfAbsent("name", "test key");
    Http.Reply key = admin.post("/v1/admin/tokens", body);
    assertEquals(201, key.status(), key.body());
    return key.json().get("key").asText();
  }

  public BigDecimal balance() {
    Http.Reply user = admin.get("/v1/admin/users/" + userId);
    assertEquals(200, user.status(), user.body());
    return user.json().get("balance").decimalValue();
  }

  public JsonNode usage() {
    Http.Reply usage = admin.get("/v1/admin/usage?user_id=" + userId + "&limit=100");
    assertEquals(200, usage.status(), usage.body());
    return usage.json();
  }

  /** (prompt x input + completion x output) / 1e6 x multiplier, to the nano-unit. */
  public static BigDecimal expectedCost(long prompt, long completion, String multiplier) {
    return BigDecimal.valueOf(prompt).multiply(INPUT_PER_MILLION)
        .add(BigDecimal.valueOf(completion).multiply(OUTPUT_PER_MILLION))
        .multiply(new BigDecimal(multiplier))
        .movePointLeft(6)
        .setScale(9, java.math.RoundingMode.HALF_UP);
  }
}
