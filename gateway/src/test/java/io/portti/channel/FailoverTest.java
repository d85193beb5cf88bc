package io.portti.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.portti.Gateway;
import io.portti.mock.MockBehaviour;
import io.portti.mock.MockUpstream;
import io.portti.testkit.Eventually;
import io.portti.testkit.Http;
import io.portti.testkit.TestDatabase;
import io.portti.testkit.TestGateway;
import io.portti.testkit.Tenant;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Three upstreams behind three channels of one model: one answers, one returns 500s, one hangs.
 * Clients see no error; the failing channels are skipped once their circuits open; a hung
 * channel holds a request no longer than the first-byte timeout; and a channel that recovers is
 * taken back by its probe, without an admin.
 */
class FailoverTest {
  private static final Duration FIRST_BYTE_TIMEOUT = Duration.ofSeconds(1);
  private static final int REQUESTS = 1_000;
  private static final int CONCURRENCY = 16;
  private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  private static MockUpstream good;
  private static MockUpstream failing;
  private static MockUpstream hung;
  private static TestDatabase db;
  private static Gateway gateway;
  private static Tenant tenant;
  private static String failingChannel;
  private static String hungChannel;

  @BeforeAll
  static void start() throws Exception {
    good = MockUpstream.start(0);
    failing = MockUpstream.start(0, MockBehaviour.defaults().withFailure(MockBehaviour.Failure.ERROR_500));
    hung = MockUpstream.start(0, MockBehaviour.defaults().withFailure(MockBehaviour.Failure.HANG));
    db = TestDatabase.create(TestDatabase.Kind.POSTGRESQL);
    gateway = TestGateway.start(db, Map.of(
        "gateway.relay.first-byte-timeout", FIRST_BYTE_TIMEOUT.toMillis() + "ms",
        "gateway.channels.probe-interval", "300ms",
        "gateway.channels.probe-timeout", "500ms"));
    tenant = Tenant.create(gateway.httpPort(), good.baseUrl(), "default", "10");
    failingChannel = channel("failing", failing);
    hungChannel = channel("hung", hung);
  }

  @AfterAll
  static void stop() throws Exception {
    gateway.close();
    db.close();
    good.stop();
    failing.stop();
    hung.stop();
  }

  private static String channel(String name, MockUpstream mock) {
    Http.Reply created = tenant.admin.post("/v1/admin/channels", Map.of("name", name, "type", "openai",
        "base_url", mock.baseUrl(), "api_key", "sk-upstream-" + name, "models", List.of(Tenant.MODEL)));
    assertEquals(201, created.status(), created.body());
    return created.json().get("id").asText();
  }

  private static JsonNode health(String channelId) {
    Http.Reply reply = tenant.admin.get("/v1/admin/channels/" + channelId);
    assertEquals(200, reply.status(), reply.body());
    return reply.json().get("health");
  }

  /** Status and milliseconds of each request, sent CONCURRENCY at a time. */
  private static List<long[]> send(String key, int count) throws Exception {
    String body = Http.JSON.writeValueAsString(Map.of("model", Tenant.MODEL, "max_tokens", 4,
        "messages", List.of(Map.of("role", "user", "content", "hi"))));
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.httpPort() + "/v1/chat/completions"))
        .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
        .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofString(body)).build();
    Semaphore slots = new Semaphore(CONCURRENCY);
    List<CompletableFuture<long[]>> all = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      slots.acquire();
      long start = System.nanoTime();
      all.add(CLIENT.sendAsync(request, HttpResponse.BodyHandlers.ofString())
          .thenApply(r -> new long[] {r.statusCode(), (System.nanoTime() - start) / 1_000_000})
          .whenComplete((r, e) -> slots.release()));
    }
    return all.stream().map(CompletableFuture::join).toList();
  }

  @Test
  void clientsSeeNoErrorsAndFailingChannelsAreSkippedThenTakenBack() throws Exception {
    String key = tenant.issueKey(Map.of());
    List<long[]> results = send(key, REQUESTS);
    long slowest = 0;
    for (long[] r : results) {
      assertEquals(200, r[0], "every request is answered by a healthy channel");
      slowest = Math.max(slowest, r[1]);
    }
    // A request that tries the hung channel waits its first-byte timeout there, then is answered elsewhere.
    assertTrue(slowest < FIRST_BYTE_TIMEOUT.toMillis() + 1_500, "slowest request took " + slowest + " ms");
    long toFailing = failing.stats().requests();
    long toHung = hung.stats().requests();
    assertTrue(toFailing < 60 && toHung < 60,
        "skipped once their circuits opened: failing got " + toFailing + ", hung got " + toHung + " of " + REQUESTS);
    assertEquals("open", health(failingChannel).get("circuit").asText().replace("half_open", "open"));
    assertEquals("open", health(hungChannel).get("circuit").asText().replace("half_open", "open"));

    JsonNode rows = Eventually.await(Duration.ofSeconds(10), () -> {
      JsonNode usage = tenant.admin.get("/v1/admin/usage?token_id=" + tokenId(key) + "&limit=1000").json();
      assertEquals(REQUESTS, usage.get("total").asInt());
      return usage.get("usage");
    });
    int retried = 0;
    for (JsonNode row : rows) {
      assertEquals("success", row.get("status").asText());
      assertFalse(row.get("channel_id").asText().equals(failingChannel) || row.get("channel_id").asText().equals(hungChannel),
          "the row names the channel that served: " + row);
      retried += row.get("tries").asInt() > 1 ? 1 : 0;
    }
    assertTrue(retried > 0, "some requests needed a second try");
    System.out.printf("failover: %d requests, slowest %d ms, %d retried; failing channel got %d, hung channel %d%n",
        REQUESTS, slowest, retried, toFailing, toHung);

    // The failing upstream recovers: its probe closes the circuit and traffic comes back, no admin involved.
    failing.setBehaviour(MockBehaviour.defaults());
    Eventually.await(Duration.ofSeconds(10), () -> {
      assertEquals("closed", health(failingChannel).get("circuit").asText());
      return null;
    });
    long before = failing.stats().requests();
    for (long[] r : send(key, 60)) {
      assertEquals(200, r[0]);
    }
    assertTrue(failing.stats().requests() > before, "the recovered channel takes traffic again");
    assertEquals("open", health(hungChannel).get("circuit").asText().replace("half_open", "open"), "the hung one stays out");
  }

  @Test
  void anAdminCanTestAChannelOnDemand() {
    String goodChannel = null;
    for (JsonNode c : tenant.admin.get("/v1/admin/channels").json().get("channels")) {
      if (c.get("name").asText().equals("mock")) {
        goodChannel = c.get("id").asText();
      }
    }
    JsonNode answered = tenant.admin.post("/v1/admin/channels/" + goodChannel + "/test", Map.of()).json();
    assertTrue(answered.get("success").asBoolean(), answered.toString());
    assertEquals(200, answered.get("status").asInt(), answered.toString());
    JsonNode silent = tenant.admin.post("/v1/admin/channels/" + hungChannel + "/test", Map.of()).json();
    assertFalse(silent.get("success").asBoolean(), silent.toString());
    assertTrue(silent.get("latency_ms").asLong() >= 500, silent.toString());
  }

  private static String tokenId(String key) {
    return io.portti.key.ApiKeySecret.idOf(io.portti.key.ApiKeySecret.hash(key));
  }

}
