package io.portti.testkit;

import io.portti.Gateway;
import io.portti.mock.MockUpstream;

/** A mock upstream, a fresh database and a gateway node on it: what most relay tests run against. */
public final class TestStack implements AutoCloseable {
  public final MockUpstream mock;
  public final TestDatabase db;
  public final Gateway gateway;

  private TestStack(MockUpstream mock, TestDatabase db, Gateway gateway) {
    this.mock = mock;
    this.db = db;
    this.gateway = gateway;
  }

  public static TestStack start(TestDatabase.Kind kind) throws Exception {
    MockUpstream mock = MockUpstream.start(0);
    TestDatabase db = TestDatabase.create(kind);
    return new TestStack(mock, db, TestGateway.start(db));
  }

  public Tenant tenant(String group, String balance) {
    return Tenant.create(gateway.httpPort(), mock.baseUrl(), group, balance);
  }

  @Override
  public void close() throws Exception {
    gateway.close();
    db.close();
    mock.stop();
  }
}
