package io.portti.billing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.portti.Gateway;
import io.portti.testkit.Eventually;
import io.portti.testkit.Http;
import io.portti.testkit.Ledger;
import io.portti.testkit.StreamLoad;
import io.portti.testkit.TestCluster;
import io.portti.testkit.TestDatabase;
import io.portti.testkit.Tenant;
import io.portti.mock.MockUpstream;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * 200 concurrent streams against a balance that covers about 50: no more are served than the
 * balance pays for, and afterwards the balance is the top-up less the usage rows, to the
 * nano-unit. Once on one key of one node, once on five keys of one account over two nodes.
 */
class OverspendTest {
  private static final int REQUESTS = 200;
  private static final int AFFORDABLE = 50;
  private static final int MAX_TOKENS = 20;
  private static final Map<String, Object> SLOW_STREAM = Map.of("answer_tokens", MAX_TOKENS, "chunk_delay_ms", 20);

  private static MockUpstream mock;
  private static TestDatabase db;
  private static TestCluster cluster;

  @BeforeAll
  static void start() throws Exception {
    mock = MockUpstream.start(0);
    db = TestDatabase.create(TestDatabase.Kind.POSTGRESQL);
    cluster = TestCluster.start(db, 2, Map.of());
  }

  @AfterAll
  static void stop() throws Exception {
    cluster.close();
    db.close();
    mock.stop();
  }

  /** What one of these requests costs, from a first one's reported usage. */
  private static BigDecimal costOfOne(Gateway node) {
    Tenant probe = Tenant.create(node.httpPort(), mock.baseUrl(), "default", "1");
    String key = probe.issueKey(Map.of());
    Http.Reply reply = new Http(node.httpPort(), key).post("/v1/chat/completions", Map.of("model", Tenant.MODEL,
        "max_tokens", MAX_TOKENS, "messages", List.of(Map.of("role", "user", "content", "tell me a story"))));
    assertEquals(200, reply.status(), reply.body());
    JsonNode usage = reply.json().get("usage");
    return Tenant.expectedCost(usage.get("prompt_tokens").asLong(), usage.get("completion_tokens").asLong(), "1");
  }

  private static void assertNeverOverspent(Tenant tenant, BigDecimal initial, List<StreamLoad.Outcome> outcomes,
      long upstreamBefore) {
    int served = 0;
    for (StreamLoad.Outcome o : outcomes) {
      if (o.status() == 200) {
        assertTrue(o.finished(), o.body());
        served++;
      } else {
        assertEquals(402, o.status(), o.body());
        assertTrue(o.body().contains("\"insufficient_quota\""), o.body());
      }
    }
    assertTrue(served > 0 && served <= AFFORDABLE, "served " + served + " of " + REQUESTS + ", the balance pays for " + AFFORDABLE);
    assertEquals(served, mock.stats().requests() - upstreamBefore, "refused requests never reach an upstream");
    int expectedRows = served;
    Ledger ledger = Eventually.await(Duration.ofSeconds(20), () -> {
      Ledger l = Ledger.of(tenant.admin, tenant.userId);
      assertEquals(expectedRows, l.rows(), "one usage row per served request");
      assertEquals(0, initial.subtract(l.total()).compareTo(tenant.balance()), "balance = top-up - usage rows");
      return l;
    });
    assertTrue(ledger.total().compareTo(initial) <= 0, "spent " + ledger.total() + " of " + initial);
    System.out.printf("served %d of %d concurrent requests; spent %s of %s%n", served, REQUESTS, ledger.total(), initial);
  }

  @Test
  void oneKeyOnOneNode() {
    Gateway node = cluster.node(0);
    BigDecimal initial = costOfOne(node).multiply(BigDecimal.valueOf(AFFORDABLE)).setScale(9, RoundingMode.UNNECESSARY);
    Tenant tenant = Tenant.create(node.httpPort(), mock.baseUrl(), "default", initial.toPlainString());
    String key = tenant.issueKey(Map.of());
    long upstreamBefore = mock.stats().requests();
    List<StreamLoad.Call> calls = new ArrayList<>();
    for (int i = 0; i < REQUESTS; i++) {
      calls.add(new StreamLoad.Call(node.httpPort(), key, MAX_TOKENS, SLOW_STREAM));
    }
    assertNeverOverspent(tenant, initial, StreamLoad.sendAll(calls), upstreamBefore);
  }

  @Test
  void fiveKeysOfOneAccountOverTwoNodes() {
    BigDecimal initial = costOfOne(cluster.node(0)).multiply(BigDecimal.valueOf(AFFORDABLE));
    Tenant tenant = Tenant.create(cluster.node(0).httpPort(), mock.baseUrl(), "default", initial.toPlainString());
    List<String> keys = new ArrayList<>();
    for (int k = 0; k < 5; k++) {
      keys.add(tenant.issueKey(Map.of("name", "key " + k)));
    }
    long upstreamBefore = mock.stats().requests();
    List<StreamLoad.Call> calls = new ArrayList<>();
    for (int i = 0; i < REQUESTS; i++) {
      calls.add(new StreamLoad.Call(cluster.node(i % 2).httpPort(), keys.get(i % keys.size()), MAX_TOKENS, SLOW_STREAM));
    }
    assertNeverOverspent(tenant, initial, StreamLoad.sendAll(calls), upstreamBefore);
  }
}
