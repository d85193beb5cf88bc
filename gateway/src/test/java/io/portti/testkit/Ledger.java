package io.portti.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.util.Map;
import java.util.TreeMap;

/** A user's usage rows as an admin reads them: one per request, and what they add up to. */
public record Ledger(int rows, BigDecimal total, Map<String, Integer> byStatus) {

  public static Ledger of(Http admin, String userId) {
    Http.Reply reply = admin.get("/v1/admin/usage?user_id=" + userId + "&limit=1000");
    assertEquals(200, reply.status(), reply.body());
    BigDecimal total = BigDecimal.ZERO;
    Map<String, Integer> byStatus = new TreeMap<>();
    JsonNode usage = reply.json().get("usage");
    for (JsonNode row : usage) {
      total = total.add(row.get("cost").decimalValue());
      byStatus.merge(row.get("status").asText(), 1, Integer::sum);
    }
    assertEquals(usage.size(), reply.json().get("total").asInt(), "all rows on one page");
    return new Ledger(usage.size(), total, byStatus);
  }
}
