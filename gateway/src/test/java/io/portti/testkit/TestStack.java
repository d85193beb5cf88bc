package io.portti.testkit;

import io.portti.Gateway;
import io.portti.mock.MockUpstream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A mock upstream, a fresh database and a gateway node on it, for one test class:
 * {@code @RegisterExtension static final TestStack stack = new TestStack(Kind.POSTGRESQL);}
 */
public final class TestStack implements BeforeAllCallback, AfterAllCallback {
  private final TestDatabase.Kind kind;
  private MockUpstream mock;
  private TestDatabase db;
  private Gateway gateway;

  public TestStack(TestDatabase.Kind kind) {
    this.kind = kind;
  }

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    mock = MockUpstream.start(0);
    db = TestDatabase.create(kind);
    gateway = TestGateway.start(db);
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    gateway.close();
    db.close();
    mock.stop();
  }

  public MockUpstream mock() {
    return mock;
  }

  public int port() {
    return gateway.httpPort();
  }

  public Tenant tenant(String group, String balance) {
    return Tenant.create(gateway.httpPort(), mock.baseUrl(), group, balance);
  }
}
