package io.portti.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.portti.Gateway;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;

/**
 * Several gateway nodes, each its own ActorSystem on its own port, in one cluster on one
 * database. The first node is the seed and has the lowest port, so that when a two-node
 * cluster splits, the split-brain resolver keeps the first node.
 */
public final class TestCluster implements AutoCloseable {
  private final List<Gateway> nodes = new ArrayList<>();
  private final List<Boolean> crashed = new ArrayList<>();

  private TestCluster() {}

  /** Failure detection and downing tuned for a test: a dead node is gone within about ten seconds. */
  public static TestCluster start(TestDatabase db, int size, Map<String, Object> overrides) throws Exception {
    List<Integer> ports = freePorts(size);
    String seed = "pekko://portti@127.0.0.1:" + ports.get(0);
    TestCluster cluster = new TestCluster();
    try {
      for (int port : ports) {
        Map<String, Object> settings = new HashMap<>(overrides);
        settings.put("pekko.remote.artery.canonical.port", port);
        settings.put("gateway.cluster.seed-nodes", seed);
        settings.put("pekko.cluster.split-brain-resolver.stable-after", "3s");
        // A crashed node must not leave gracefully: its system is terminated as a kill would.
        settings.put("pekko.coordinated-shutdown.run-by-actor-system-terminate", "off");
        cluster.nodes.add(TestGateway.start(db, settings));
        cluster.crashed.add(false);
      }
      cluster.awaitUp(size);
      return cluster;
    } catch (Exception e) {
      cluster.close();
      throw e;
    }
  }

  private static List<Integer> freePorts(int count) throws IOException {
    List<ServerSocket> sockets = new ArrayList<>();
    try {
      for (int i = 0; i < count; i++) {
        sockets.add(new ServerSocket(0));
      }
      return sockets.stream().map(ServerSocket::getLocalPort).sorted().toList();
    } finally {
      for (ServerSocket s : sockets) {
        s.close();
      }
    }
  }

  public Gateway node(int i) {
    return nodes.get(i);
  }

  public int size() {
    return nodes.size();
  }

  /** Until every live node sees this many members up. */
  public void awaitUp(int members) {
    Eventually.await(Duration.ofSeconds(60), () -> {
      for (int i = 0; i < nodes.size(); i++) {
        if (!crashed.get(i)) {
          List<Member> seen = new ArrayList<>();
          Cluster.get(nodes.get(i).system()).state().getMembers().forEach(seen::add);
          assertEquals(members, seen.size(), "members seen by node " + i);
          for (Member m : seen) {
            assertEquals(MemberStatus.up(), m.status(), "node " + i + " sees " + m);
          }
        }
      }
      return null;
    });
  }

  /** Kills node i: its actor system stops without leaving the cluster, its streams die mid-flight. */
  public void crash(int i) {
    crashed.set(i, true);
    nodes.get(i).system().terminate();
  }

  @Override
  public void close() {
    for (int i = nodes.size() - 1; i >= 0; i--) {
      // A crashed node's database pool is left to the JVM's end, as a killed process's would be.
      if (!crashed.get(i)) {
        nodes.get(i).close();
      }
    }
  }
}
