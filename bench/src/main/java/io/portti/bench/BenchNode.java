package io.portti.bench;

import com.typesafe.config.ConfigFactory;
import io.portti.Gateway;
import java.util.HashMap;
import java.util.Map;

/** One Portti node for a benchmark: on the run's database, on free ports, with the management key the run chose. */
final class BenchNode implements AutoCloseable {

  private final Gateway gateway;

  private BenchNode(Gateway gateway) {
    this.gateway = gateway;
  }

  /** extraSettings override the node's defaults, e.g. gateway.billing.*. */
  static BenchNode start(BenchDatabase database, String adminKey, Map<String, Object> extraSettings) throws Exception {
    Map<String, Object> settings = new HashMap<>(database.settings());
    settings.put("gateway.http.host", "127.0.0.1");
    settings.put("gateway.http.port", 0);
    settings.put("gateway.admin-key", adminKey);
    settings.put("pekko.remote.artery.canonical.port", 0);
    settings.putAll(extraSettings);
    return new BenchNode(Gateway.start(ConfigFactory.parseMap(settings).withFallback(ConfigFactory.load())));
  }

  Gateway gateway() {
    return gateway;
  }

  String url() {
    return "http://127.0.0.1:" + gateway.httpPort();
  }

  @Override
  public void close() {
    gateway.close();
  }
}
