package io.portti.mock;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.server.Directives;

/**
 * A fake OpenAI-compatible provider on its own ActorSystem, for tests in the same JVM, benchmarks and
 * demos. Start it, point a client at {@link #baseUrl()}, steer it with {@link #setBehaviour}.
 */
public final class MockUpstream {

  /** Local interface only, unless asked otherwise: a test fixture has no business on the network. */
  public static final String LOOPBACK = "127.0.0.1";

  private static final long BIND_TIMEOUT_SECONDS = 10;

  private final ActorSystem<Void> system;
  private final ServerBinding binding;
  private final AtomicReference<MockBehaviour> behaviour;
  private final MockStatsRecorder stats;

  private MockUpstream(
      ActorSystem<Void> system, ServerBinding binding, AtomicReference<MockBehaviour> behaviour, MockStatsRecorder stats) {
    this.system = system;
    this.binding = binding;
    this.behaviour = behaviour;
    this.stats = stats;
  }

  /** Starts on {@code port} of 127.0.0.1 (0 picks a free port) with {@link MockBehaviour#defaults()}. */
  public static MockUpstream start(int port) {
    return start(port, MockBehaviour.defaults());
  }

  public static MockUpstream start(int port, MockBehaviour initial) {
    return start(LOOPBACK, port, initial);
  }

  /** Starts on {@code host}, blocking until bound. */
  public static MockUpstream start(String host, int port, MockBehaviour initial) {
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "mock-upstream", config());
    AtomicReference<MockBehaviour> behaviour = new AtomicReference<>(initial);
    MockStatsRecorder stats = new MockStatsRecorder();
    try {
      ServerBinding binding = Http.get(system)
          .newServerAt(host, port)
          .bind(Directives.concat(
              new ChatCompletionsRoute(behaviour::get, stats, system).route(),
              new ModelsRoute(behaviour::get).route(),
              new MockControlRoute(behaviour, stats).route()))
          .toCompletableFuture()
          .get(BIND_TIMEOUT_SECONDS, TimeUnit.SECONDS);
      return new MockUpstream(system, binding, behaviour, stats);
    } catch (Exception e) {
      system.terminate();
      throw new IllegalStateException("mock upstream could not bind " + host + ":" + port, e);
    }
  }

  /**
   * The mock's own settings over Pekko's reference config only: an application.conf on the classpath
   * belongs to whatever embeds the mock (the gateway's would make this system a cluster node).
   */
  private static Config config() {
    ClassLoader loader = MockUpstream.class.getClassLoader();
    return ConfigFactory.parseResources(loader, "mock-upstream.conf")
        .withFallback(ConfigFactory.defaultReference(loader))
        .resolve();
  }

  public int port() {
    return binding.localAddress().getPort();
  }

  /** The OpenAI base URL of this mock, e.g. {@code http://127.0.0.1:9090/v1}. */
  public String baseUrl() {
    InetSocketAddress bound = binding.localAddress();
    String host = bound.getAddress().isAnyLocalAddress() ? LOOPBACK : bound.getHostString();
    return "http://" + host + ":" + bound.getPort() + "/v1";
  }

  /** Takes effect for the next request. */
  public void setBehaviour(MockBehaviour behaviour) {
    if (behaviour == null) throw new IllegalArgumentException("behaviour must be set");
    this.behaviour.set(behaviour);
  }

  public MockBehaviour behaviour() {
    return behaviour.get();
  }

  public MockStats stats() {
    return stats.snapshot();
  }

  public void resetStats() {
    stats.reset();
  }

  /** Unbinds and terminates the ActorSystem, blocking until both are done; open connections are dropped. */
  public void stop() {
    binding.unbind().toCompletableFuture().join();
    system.terminate();
    system.getWhenTerminated().toCompletableFuture().join();
  }
}
