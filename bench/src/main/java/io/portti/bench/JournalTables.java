package io.portti.bench;

import com.typesafe.config.ConfigFactory;
import io.portti.db.Database;
import io.portti.key.ApiKey;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import org.apache.pekko.persistence.typed.PersistenceId;

/**
 * What the run left in the journal and snapshot tables, read over plain JDBC beside the node: how many
 * events a key has, how many journal writes its settlements took, and its snapshots.
 */
final class JournalTables implements AutoCloseable {

  // Jackson's manifest is the event's class name.
  private static final String USAGE_SETTLED = "%" + ApiKey.UsageSettled.class.getSimpleName();

  /** One persist of several events stamps them all with the same write time, so distinct stamps count writes. */
  record SettleWrites(long events, long writes) {
    double eventsPerWrite() {
      return writes == 0 ? 0 : (double) events / writes;
    }
  }

  record Snapshot(long sequenceNr, long bytes) {}

  private final Database database;

  private JournalTables(Database database) {
    this.database = database;
  }

  /** The same database the node uses, through the gateway's own connection settings. */
  static JournalTables open(BenchDatabase bench) {
    return new JournalTables(Database.open(
        ConfigFactory.parseMap(bench.settings()).withFallback(ConfigFactory.load()).getConfig("gateway.db")));
  }

  static String keyPersistenceId(String keyId) {
    return PersistenceId.of(ApiKey.ENTITY_KEY.name(), keyId).id();
  }

  long events(String persistenceId) throws SQLException {
    return single("SELECT COUNT(*) FROM event_journal WHERE persistence_id = ?", persistenceId);
  }

  /** The journal writes that held the keys' settlements, summed over the keys. */
  SettleWrites settleWrites(List<TenantSetup.IssuedKey> keys) throws SQLException {
    long events = 0;
    long writes = 0;
    for (TenantSetup.IssuedKey key : keys) {
      String persistenceId = keyPersistenceId(key.id());
      events += single("SELECT COUNT(*) FROM event_journal WHERE persistence_id = ? AND event_ser_manifest LIKE ?",
          persistenceId, USAGE_SETTLED);
      writes += single("SELECT COUNT(DISTINCT write_timestamp) FROM event_journal"
          + " WHERE persistence_id = ? AND event_ser_manifest LIKE ?", persistenceId, USAGE_SETTLED);
    }
    return new SettleWrites(events, writes);
  }

  /** The newest snapshot, the one recovery starts from; null when there is none. */
  Snapshot latestSnapshot(String persistenceId) throws SQLException {
    try (Connection c = database.dataSource().getConnection();
        PreparedStatement s = c.prepareStatement("SELECT sequence_number, OCTET_LENGTH(snapshot_payload) FROM snapshot"
            + " WHERE persistence_id = ? ORDER BY sequence_number DESC LIMIT 1")) {
      s.setString(1, persistenceId);
      try (ResultSet rows = s.executeQuery()) {
        return rows.next() ? new Snapshot(rows.getLong(1), rows.getLong(2)) : null;
      }
    }
  }

  /** Leaves recovery nothing but the events. */
  int deleteSnapshots(String persistenceId) throws SQLException {
    try (Connection c = database.dataSource().getConnection();
        PreparedStatement s = c.prepareStatement("DELETE FROM snapshot WHERE persistence_id = ?")) {
      s.setString(1, persistenceId);
      return s.executeUpdate();
    }
  }

  /**
   * Key sharding remembers running keys in the journal (the coordinator's shards, each shard's
   * entities), so a new node on this database restarts them by itself. Without these records a key
   * recovers on its first message instead.
   */
  int forgetRunningKeys() throws SQLException {
    String rememberedKeys = "/sharding/" + ApiKey.ENTITY_KEY.name() + "%";
    int deleted = 0;
    try (Connection c = database.dataSource().getConnection()) {
      for (String table : List.of("event_journal", "snapshot")) {
        try (PreparedStatement s = c.prepareStatement("DELETE FROM " + table + " WHERE persistence_id LIKE ?")) {
          s.setString(1, rememberedKeys);
          deleted += s.executeUpdate();
        }
      }
    }
    return deleted;
  }

  private long single(String sql, String... parameters) throws SQLException {
    try (Connection c = database.dataSource().getConnection(); PreparedStatement s = c.prepareStatement(sql)) {
      for (int i = 0; i < parameters.length; i++) s.setString(i + 1, parameters[i]);
      try (ResultSet rows = s.executeQuery()) {
        rows.next();
        return rows.getLong(1);
      }
    }
  }

  @Override
  public void close() {
    database.close();
  }
}
