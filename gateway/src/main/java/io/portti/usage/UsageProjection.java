package io.portti.usage;

import io.portti.billing.RequestCharge;
import io.portti.key.ApiKey;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.List;
import javax.sql.DataSource;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ShardedDaemonProcess;
import org.apache.pekko.persistence.jdbc.query.javadsl.JdbcReadJournal;
import org.apache.pekko.persistence.query.Offset;
import org.apache.pekko.projection.ProjectionBehavior;
import org.apache.pekko.projection.ProjectionId;
import org.apache.pekko.projection.eventsourced.EventEnvelope;
import org.apache.pekko.projection.eventsourced.javadsl.EventSourcedProvider;
import org.apache.pekko.projection.javadsl.GroupedProjection;
import org.apache.pekko.projection.javadsl.SourceProvider;
import org.apache.pekko.projection.jdbc.javadsl.JdbcHandler;
import org.apache.pekko.projection.jdbc.javadsl.JdbcProjection;

/**
 * Writes one usage_log row per settled request, from the ApiKey journal, in batches: one
 * projection instance per usage tag, spread over the cluster by a sharded daemon process.
 * Exactly once: rows and offset commit in one transaction, and each request settles once per key.
 */
public final class UsageProjection {
  private static final String INSERT = """
      INSERT INTO usage_log (request_id, user_id, token_id, channel_id, model, endpoint, prompt_tokens,
        completion_tokens, cost_nanos, status, tries, created_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""";

  private UsageProjection() {}

  public static void init(ActorSystem<?> system, DataSource dataSource) {
    List<String> tags = ApiKey.USAGE_TAGS;
    ShardedDaemonProcess.get(system).init(ProjectionBehavior.Command.class, "usage-projection", tags.size(),
        i -> ProjectionBehavior.create(projection(system, dataSource, tags.get(i))),
        ProjectionBehavior.stopMessage());
  }

  private static GroupedProjection<Offset, EventEnvelope<ApiKey.Event>> projection(
      ActorSystem<?> system, DataSource dataSource, String tag) {
    SourceProvider<Offset, EventEnvelope<ApiKey.Event>> source =
        EventSourcedProvider.eventsByTag(system, JdbcReadJournal.Identifier(), tag);
    return JdbcProjection.groupedWithin(ProjectionId.of("usage", tag), source,
            () -> new UsageSession(dataSource), () -> new UsageRowWriter(), system)
        .withGroup(200, Duration.ofMillis(100));
  }

  /** Writes a batch of settled requests in the projection's transaction. */
  static final class UsageRowWriter extends JdbcHandler<List<EventEnvelope<ApiKey.Event>>, UsageSession> {
    @Override
    public void process(UsageSession session, List<EventEnvelope<ApiKey.Event>> envelopes) throws Exception {
      session.withConnection(connection -> {
        try (PreparedStatement insert = connection.prepareStatement(INSERT)) {
          for (EventEnvelope<ApiKey.Event> envelope : envelopes) {
            if (envelope.event() instanceof ApiKey.UsageSettled settled) {
              RequestCharge c = settled.charge();
              insert.setString(1, c.requestId());
              insert.setString(2, c.accountId());
              insert.setString(3, c.keyId());
              insert.setString(4, c.channelId());
              insert.setString(5, c.model());
              insert.setString(6, c.endpoint());
              insert.setInt(7, c.promptTokens());
              insert.setInt(8, c.completionTokens());
              insert.setLong(9, c.costNanos());
              insert.setString(10, c.status());
              insert.setInt(11, c.tries());
              insert.setLong(12, c.at());
              insert.addBatch();
            }
          }
          insert.executeBatch();
        }
        return null;
      });
    }
  }
}
