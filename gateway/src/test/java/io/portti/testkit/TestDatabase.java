package io.portti.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * A fresh database for one test: its own schema in the local PostgreSQL (database test), or its
 * own directory for the embedded H2. Dropped afterwards.
 */
public final class TestDatabase implements AutoCloseable {
  public enum Kind { POSTGRESQL, H2 }

  private static final String PG_ADMIN_URL = "jdbc:postgresql://127.0.0.1:5432/test";
  private static final String PG_USER = "postgres";

  private final Kind kind;
  private final String schema;
  private final Path dataDir;

  private TestDatabase(Kind kind, String schema, Path dataDir) {
    this.kind = kind;
    this.schema = schema;
    this.dataDir = dataDir;
  }

  public static TestDatabase create(Kind kind) {
    try {
      if (kind == Kind.H2) {
        return new TestDatabase(kind, null, Files.createTempDirectory("portti-h2-"));
      }
      String schema = "portti_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
      try (Connection c = DriverManager.getConnection(PG_ADMIN_URL, PG_USER, "");
          Statement s = c.createStatement()) {
        s.execute("CREATE SCHEMA " + schema);
      }
      return new TestDatabase(kind, schema, null);
    } catch (IOException | SQLException e) {
      throw new IllegalStateException("cannot create a test database (is PostgreSQL up on 127.0.0.1:5432?)", e);
    }
  }

  /** The gateway.db.* settings that point a node at this database. */
  public Map<String, Object> settings() {
    Map<String, Object> settings = new HashMap<>();
    if (kind == Kind.H2) {
      settings.put("gateway.db.url", "");
      settings.put("gateway.db.data-dir", dataDir.toString());
    } else {
      settings.put("gateway.db.url", PG_ADMIN_URL + "?currentSchema=" + schema);
      settings.put("gateway.db.user", PG_USER);
      settings.put("gateway.db.password", "");
    }
    return settings;
  }


  @Override
  public void close() throws Exception {
    if (kind == Kind.H2) {
      try (Stream<Path> files = Files.walk(dataDir)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
      return;
    }
    try (Connection c = DriverManager.getConnection(PG_ADMIN_URL, PG_USER, "");
        Statement s = c.createStatement()) {
      s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
    }
  }
}
