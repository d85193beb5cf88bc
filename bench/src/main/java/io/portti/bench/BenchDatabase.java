package io.portti.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.UUID;

/**
 * The gateway's database for one run: a fresh embedded H2 directory, a fresh schema in the local
 * PostgreSQL, or whatever GATEWAY_DB_URL points at. What the run created is removed on close.
 */
final class BenchDatabase implements AutoCloseable {

  private static final String PG_URL = "jdbc:postgresql://127.0.0.1:5432/test";
  private static final String PG_USER = "postgres";

  private final String description;
  private final Map<String, Object> settings;
  private final Path h2Dir;
  private final String pgSchema;

  private BenchDatabase(String description, Map<String, Object> settings, Path h2Dir, String pgSchema) {
    this.description = description;
    this.settings = settings;
    this.h2Dir = h2Dir;
    this.pgSchema = pgSchema;
  }

  static BenchDatabase create(boolean freshPostgres) throws IOException, SQLException {
    if (freshPostgres) return freshPostgresSchema();
    String url = System.getenv("GATEWAY_DB_URL");
    if (url != null && !url.isBlank()) {
      return new BenchDatabase("from GATEWAY_DB_URL " + url, Map.of(
          "gateway.db.url", url,
          "gateway.db.user", envOrEmpty("GATEWAY_DB_USER"),
          "gateway.db.password", envOrEmpty("GATEWAY_DB_PASSWORD")), null, null);
    }
    Path dir = Files.createTempDirectory("portti-bench-h2-");
    return new BenchDatabase("H2, embedded, fresh in " + dir,
        Map.of("gateway.db.url", "", "gateway.db.data-dir", dir.toString()), dir, null);
  }

  private static BenchDatabase freshPostgresSchema() throws SQLException {
    String schema = "bench_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    try (Connection c = DriverManager.getConnection(PG_URL, PG_USER, ""); Statement s = c.createStatement()) {
      s.execute("CREATE SCHEMA " + schema);
    }
    String url = PG_URL + "?currentSchema=" + schema;
    return new BenchDatabase("PostgreSQL, fresh schema " + schema + " at " + PG_URL,
        Map.of("gateway.db.url", url, "gateway.db.user", PG_USER, "gateway.db.password", ""), null, schema);
  }

  private static String envOrEmpty(String name) {
    String value = System.getenv(name);
    return value == null ? "" : value;
  }

  String description() {
    return description;
  }

  /** The gateway.db.* settings that point a node at this database. */
  Map<String, Object> settings() {
    return settings;
  }

  @Override
  public void close() throws IOException, SQLException {
    if (h2Dir != null) {
      TempDirectory.delete(h2Dir);
    }
    if (pgSchema != null) {
      try (Connection c = DriverManager.getConnection(PG_URL, PG_USER, ""); Statement s = c.createStatement()) {
        s.execute("DROP SCHEMA IF EXISTS " + pgSchema + " CASCADE");
      }
    }
  }
}
