package io.portti.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.portti.mock.MockUpstream;
import io.portti.testkit.Eventually;
import io.portti.testkit.Http;
import io.portti.testkit.TestCluster;
import io.portti.testkit.TestDatabase;
import io.portti.testkit.TestGateway;
import io.portti.testkit.Tenant;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** An admin's change to a channel, made on one node, is what every other node routes by within a second. */
class ClusterRoutingTest {

  private static String statusSeenBy(Http admin, String channelId) {
    for (JsonNode c : admin.get("/v1/admin/channels").json().get("channels")) {
      if (c.get("id").asText().equals(channelId)) {
        return c.get("status").asText();
      }
    }
    return "absent";
  }

  @Test
  void changesReachEveryNodeWithinASecond() throws Exception {
    MockUpstream mock = MockUpstream.start(0);
    try (TestDatabase db = TestDatabase.create(TestDatabase.Kind.POSTGRESQL);
        TestCluster cluster = TestCluster.start(db, 2, Map.of())) {
      Tenant tenant = Tenant.create(cluster.node(0).httpPort(), mock.baseUrl(), "default", "1");
      Http here = new Http(cluster.node(0).httpPort(), TestGateway.ADMIN_KEY);
      Http there = new Http(cluster.node(1).httpPort(), TestGateway.ADMIN_KEY);
      String channelId = here.get("/v1/admin/channels").json().get("channels").get(0).get("id").asText();
      Eventually.await(Duration.ofSeconds(5), () -> {
        assertEquals("enabled", statusSeenBy(there, channelId));
        return null;
      });

      long start = System.nanoTime();
      assertEquals(200, here.patch("/v1/admin/channels/" + channelId, Map.of("status", "disabled")).status());
      Eventually.await(Duration.ofSeconds(5), () -> {
        assertEquals("disabled", statusSeenBy(there, channelId));
        return null;
      });
      long disabledMillis = (System.nanoTime() - start) / 1_000_000;

      start = System.nanoTime();
      assertEquals(200, here.delete("/v1/admin/channels/" + channelId).status());
      Eventually.await(Duration.ofSeconds(5), () -> {
        assertEquals("absent", statusSeenBy(there, channelId));
        return null;
      });
      long retiredMillis = (System.nanoTime() - start) / 1_000_000;
      System.out.printf("routing table: a PATCH reached the other node in %d ms, a DELETE in %d ms%n",
          disabledMillis, retiredMillis);
      assertTrue(disabledMillis < 1_000 && retiredMillis < 1_000, disabledMillis + " ms, " + retiredMillis + " ms");
      assertEquals(404, new Http(cluster.node(1).httpPort(), tenant.issueKey(Map.of()))
          .post("/v1/chat/completions", Map.of("model", Tenant.MODEL, "messages",
              java.util.List.of(Map.of("role", "user", "content", "hi")))).status());
    } finally {
      mock.stop();
    }
  }
}
