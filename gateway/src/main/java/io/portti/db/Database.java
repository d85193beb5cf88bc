package io.portti.db;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Path;
import java.util.Map;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;

/**
 * The one database behind the journal, snapshots, projection offsets and read tables: embedded
 * H2 in a data directory by default, PostgreSQL when gateway.db.url names one. Everything that
 * differs between the two is decided here, from the URL.
 */
public final class Database implements AutoCloseable {
  public enum Vendor { H2, POSTGRESQL }

  private final Vendor vendor;
  private final String url;
  private final String user;
  private final String password;
  private final HikariDataSource readSide;

  private Database(Vendor vendor, String url, String user, String password, int maxConnections) {
    this.vendor = vendor;
    this.url = url;
    this.user = user;
    this.password = password;
    HikariConfig hikari = new HikariConfig();
    hikari.setJdbcUrl(url);
    hikari.setUsername(user);
    hikari.setPassword(password);
    hikari.setMaximumPoolSize(maxConnections);
    hikari.setMinimumIdle(1);
    hikari.setPoolName("portti-read-side");
    this.readSide = new HikariDataSource(hikari);
  }

  /** Opens the database named by gateway.db and brings its schema up to date. */
  public static Database open(Config gatewayDb) {
    String configured = gatewayDb.getString("url");
    Vendor vendor;
    String url;
    if (configured.isBlank()) {
      vendor = Vendor.H2;
      Path dir = Path.of(gatewayDb.getString("data-dir")).toAbsolutePath().normalize();
      url = "jdbc:h2:file:" + dir.resolve("portti") + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE";
    } else if (configured.startsWith("jdbc:postgresql:")) {
      vendor = Vendor.POSTGRESQL;
      url = configured.contains("reWriteBatchedInserts") ? configured
          : configured + (configured.contains("?") ? "&" : "?") + "reWriteBatchedInserts=true";
    } else if (configured.startsWith("jdbc:h2:")) {
      vendor = Vendor.H2;
      url = configured;
    } else {
      throw new IllegalArgumentException("gateway.db.url must be a jdbc:postgresql: or jdbc:h2: URL, got " + configured);
    }
    Database db = new Database(vendor, url, gatewayDb.getString("user"), gatewayDb.getString("password"),
        gatewayDb.getInt("max-connections"));
    db.migrate();
    return db;
  }

  private void migrate() {
    Flyway.configure()
        .dataSource(readSide)
        .locations("classpath:db/migration/common", "classpath:db/migration/" + (vendor == Vendor.H2 ? "h2" : "postgresql"))
        .load()
        .migrate();
  }

  public Vendor vendor() {
    return vendor;
  }

  /** Connections for the read side: projections and admin queries, never the hot path. */
  public DataSource dataSource() {
    return readSide;
  }

  /** Pekko Persistence JDBC and Projection settings for this database. */
  public Config pekkoConfig() {
    boolean h2 = vendor == Vendor.H2;
    return ConfigFactory.parseMap(Map.of(
        "pekko-persistence-jdbc.shared-databases.portti.profile", h2 ? "slick.jdbc.H2Profile$" : "slick.jdbc.PostgresProfile$",
        "pekko-persistence-jdbc.shared-databases.portti.db.url", url,
        "pekko-persistence-jdbc.shared-databases.portti.db.user", user,
        "pekko-persistence-jdbc.shared-databases.portti.db.password", password,
        "pekko-persistence-jdbc.shared-databases.portti.db.driver", h2 ? "org.h2.Driver" : "org.postgresql.Driver",
        "pekko.projection.jdbc.dialect", h2 ? "h2-dialect" : "postgres-dialect"));
  }

  @Override
  public void close() {
    readSide.close();
  }
}
