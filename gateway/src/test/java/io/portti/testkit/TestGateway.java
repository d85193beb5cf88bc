package io.portti.testkit;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.portti.Gateway;
import java.util.HashMap;
import java.util.Map;

/** A gateway node on loopback, on any free ports, with a known management key. */
public final class TestGateway {
  public static final String ADMIN_KEY = "test-management-key";

  private TestGateway() {}

  public static Gateway start(TestDatabase db) throws Exception {
    return start(db, Map.of());
  }

  public static Gateway start(TestDatabase db, Map<String, Object> overrides) throws Exception {
    Map<String, Object> settings = new HashMap<>(db.settings());
    settings.put("gateway.http.host", "127.0.0.1");
    settings.put("gateway.http.port", 0);
    settings.put("gateway.admin-key", ADMIN_KEY);
    settings.put("pekko.remote.artery.canonical.port", 0);
    // Keys report spending and return credit quickly, so that balances settle within a test.
    settings.put("gateway.billing.key-tick", "100ms");
    settings.put("gateway.billing.lease.idle-return", "300ms");
    settings.put("gateway.billing.lease.report-interval", "300ms");
    settings.putAll(overrides);
    Config config = ConfigFactory.parseMap(settings).withFallback(ConfigFactory.load());
    return Gateway.start(config);
  }
}
