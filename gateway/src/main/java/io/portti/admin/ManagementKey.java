package io.portti.admin;

import io.portti.key.ApiKeySecret;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import javax.sql.DataSource;

/**
 * The root management key. Set with gateway.admin-key, or generated at the first start of a
 * database, printed once, and kept only as its hash.
 */
public final class ManagementKey {

  private final String hash;

  private ManagementKey(String hash) {
    this.hash = hash;
  }

  public static ManagementKey load(DataSource dataSource, String configuredKey) throws SQLException {
    if (!configuredKey.isBlank()) {
      return new ManagementKey(ApiKeySecret.hash(configuredKey));
    }
    try (Connection c = dataSource.getConnection()) {
      String stored = storedHash(c);
      if (stored != null) {
        return new ManagementKey(stored);
      }
      String generated = ApiKeySecret.generate("sk-admin-");
      try (PreparedStatement insert = c.prepareStatement(
          "INSERT INTO management_key (id, key_hash, created_at) VALUES (1, ?, ?)")) {
        insert.setString(1, ApiKeySecret.hash(generated));
        insert.setLong(2, System.currentTimeMillis());
        insert.executeUpdate();
        // Printed, not logged: it is shown this once and never kept in clear.
        System.out.println("""

            ================================================================
            Portti management key (shown once, only its hash is kept):
              %s
            Use it as: Authorization: Bearer <key> on /v1/admin/*
            ================================================================
            """.formatted(generated));
      } catch (SQLException e) {
        if (e.getSQLState() == null || !e.getSQLState().startsWith("23")) {
          throw e;
        }
        // another node generated one first: use that one
      }
      return new ManagementKey(storedHash(c));
    }
  }

  private static String storedHash(Connection c) throws SQLException {
    try (PreparedStatement select = c.prepareStatement("SELECT key_hash FROM management_key WHERE id = 1");
        ResultSet rs = select.executeQuery()) {
      return rs.next() ? rs.getString(1) : null;
    }
  }

  public boolean matches(String presented) {
    return presented != null && ApiKeySecret.sameHash(hash, ApiKeySecret.hash(presented));
  }
}
