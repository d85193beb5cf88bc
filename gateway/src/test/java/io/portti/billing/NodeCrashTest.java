package io.portti.billing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portti.mock.MockUpstream;
import io.portti.testkit.Eventually;
import io.portti.testkit.Http;
import io.portti.testkit.Ledger;
import io.portti.testkit.StreamLoad;
import io.portti.testkit.TestCluster;
import io.portti.testkit.TestDatabase;
import io.portti.testkit.Tenant;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.sharding.ShardRegion.CurrentShardRegionState;
import org.apache.pekko.cluster.sharding.typed.ClusterShardingQuery;
import org.apache.pekko.cluster.sharding.typed.GetShardRegionState;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.junit.jupiter.api.Test;

/**
 * A node dies mid-stream, without leaving the cluster. Every request that reached the upstream
 * is charged exactly once: those relayed by the survivor for their actual use, even when their
 * key or account lived on the dead node; those relayed by the dead node in full when their
 * reservations expire. The ledger shows it.
 */
class NodeCrashTest {
  private static final int STREAMS = 40;
  private static final int KEYS = 10;
  /** 30 tokens, one every 100 ms: every stream is still running when the node dies. */
  private static final Map<String, Object> LONG_STREAM = Map.of("answer_tokens", 30, "chunk_delay_ms", 100);

  @Test
  void everyRequestThatReachedAnUpstreamIsChargedExactlyOnce() throws Exception {
    MockUpstream mock = MockUpstream.start(0);
    try (TestDatabase db = TestDatabase.create(TestDatabase.Kind.POSTGRESQL);
        // Reservations outlive the failover (about 10 s here), as they do in production (30 min against 20 s).
        TestCluster cluster = TestCluster.start(db, 2, Map.of("gateway.billing.reservation-timeout", "20s"))) {
      BigDecimal initial = new BigDecimal("1");
      Tenant tenant = Tenant.create(cluster.node(0).httpPort(), mock.baseUrl(), "default", initial.toPlainString());
      List<String> keys = new ArrayList<>();
      for (int k = 0; k < KEYS; k++) {
        keys.add(tenant.issueKey(Map.of("name", "key " + k)));
      }
      long upstreamBefore = mock.stats().requests();
      List<CompletableFuture<StreamLoad.Outcome>> survivor = new ArrayList<>();
      List<CompletableFuture<StreamLoad.Outcome>> doomed = new ArrayList<>();
      for (int i = 0; i < STREAMS; i++) {
        int node = i % 2;
        var outcome = StreamLoad.send(new StreamLoad.Call(cluster.node(node).httpPort(), keys.get(i % KEYS), 30, LONG_STREAM));
        (node == 0 ? survivor : doomed).add(outcome);
      }
      Eventually.await(Duration.ofSeconds(30), () -> {
        assertEquals(STREAMS, mock.stats().requests() - upstreamBefore, "every stream reached the upstream");
        return null;
      });

      int keysOnDeadNode = entitiesOn(cluster.node(1).system(), io.portti.key.ApiKey.ENTITY_KEY);
      int accountOnDeadNode = entitiesOn(cluster.node(1).system(), io.portti.account.Account.ENTITY_KEY);
      cluster.crash(1);

      for (var outcome : survivor) {
        StreamLoad.Outcome o = outcome.join();
        assertTrue(o.finished(), "a stream relayed by the surviving node ends normally: " + o.body());
      }
      for (var outcome : doomed) {
        assertTrue(!outcome.join().finished(), "a stream relayed by the dead node cannot end normally");
      }
      cluster.awaitUp(1);

      Http admin = new Http(cluster.node(0).httpPort(), io.portti.testkit.TestGateway.ADMIN_KEY);
      Ledger ledger = Eventually.await(Duration.ofSeconds(90), () -> {
        Ledger l = Ledger.of(admin, tenant.userId);
        assertEquals(STREAMS, l.rows(), "one usage row per request that reached the upstream: " + l.byStatus());
        assertEquals(0, initial.subtract(l.total()).compareTo(tenant.balance()), "balance = top-up - usage rows");
        return l;
      });
      assertEquals(Map.of("success", STREAMS / 2, "expired", STREAMS / 2), ledger.byStatus(),
          "the survivor's streams settle their actual use; the dead node's are charged their reservations");
      long counted = 0;
      for (String key : keys) {
        String keyId = io.portti.key.ApiKeySecret.idOf(io.portti.key.ApiKeySecret.hash(key));
        counted += admin.get("/v1/admin/tokens/" + keyId).json().get("request_count").asLong();
      }
      assertEquals(STREAMS, counted, "no key counted a request twice");
      System.out.printf("node crash: %d of %d keys and %d account lived on the dead node; ledger %s, total %s, balance %s%n",
          keysOnDeadNode, KEYS, accountOnDeadNode, ledger.byStatus(), ledger.total(), tenant.balance());
    } finally {
      mock.stop();
    }
  }

  private static int entitiesOn(ActorSystem<?> system, EntityTypeKey<?> type) throws Exception {
    CurrentShardRegionState state = AskPattern.<ClusterShardingQuery, CurrentShardRegionState>ask(
            ClusterSharding.get(system).shardState(), replyTo -> new GetShardRegionState(type, replyTo),
            Duration.ofSeconds(5), system.scheduler())
        .toCompletableFuture().get();
    return state.getShards().stream().mapToInt(shard -> shard.getEntityIds().size()).sum();
  }
}
