package io.portti.usage;

import io.portti.admin.AdminDirectives;
import io.portti.admin.AdminFields;
import io.portti.billing.Money;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import javax.sql.DataSource;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.http.javadsl.server.Route;

/** GET /v1/admin/usage: the usage rows, filtered and paged, newest first. */
public final class UsageRoutes extends AdminDirectives {
  private static final int MAX_LIMIT = 1000;

  private final DataSource dataSource;
  private final Executor blocking;

  public UsageRoutes(ActorSystem<?> system, DataSource dataSource) {
    this.dataSource = dataSource;
    this.blocking = system.dispatchers().lookup(DispatcherSelector.blocking());
  }

  record Filter(Optional<String> userId, Optional<String> tokenId, Optional<String> model, Optional<Long> from,
      Optional<Long> until, int page, int limit) {}

  public Route route() {
    return path("usage", () -> get(() -> parameterMap(params -> {
      Filter filter;
      try {
        int page = positive(params.get("page"), 1, "page");
        int limit = Math.min(positive(params.get("limit"), 20, "limit"), MAX_LIMIT);
        filter = new Filter(Optional.ofNullable(params.get("user_id")), Optional.ofNullable(params.get("token_id")),
            Optional.ofNullable(params.get("model")), Optional.ofNullable(params.get("start_date")).map(d -> instant(d, false)),
            Optional.ofNullable(params.get("end_date")).map(d -> instant(d, true)), page, limit);
      } catch (BadInput e) {
        return complete(error(400, "invalid_request_error", "invalid_value", e.getMessage()));
      }
      return reply(CompletableFuture.supplyAsync(() -> json(200, query(filter)), blocking));
    })));
  }

  private Map<String, Object> query(Filter f) {
    StringBuilder where = new StringBuilder(" WHERE 1=1");
    List<Object> args = new ArrayList<>();
    f.userId().ifPresent(v -> { where.append(" AND user_id = ?"); args.add(v); });
    f.tokenId().ifPresent(v -> { where.append(" AND token_id = ?"); args.add(v); });
    f.model().ifPresent(v -> { where.append(" AND model = ?"); args.add(v); });
    f.from().ifPresent(v -> { where.append(" AND created_at >= ?"); args.add(v); });
    f.until().ifPresent(v -> { where.append(" AND created_at < ?"); args.add(v); });
    try (Connection c = dataSource.getConnection()) {
      long total;
      try (PreparedStatement count = prepare(c, "SELECT COUNT(*) FROM usage_log" + where, args);
          ResultSet rs = count.executeQuery()) {
        rs.next();
        total = rs.getLong(1);
      }
      List<Object> pageArgs = new ArrayList<>(args);
      pageArgs.add(f.limit());
      pageArgs.add((long) (f.page() - 1) * f.limit());
      List<Map<String, Object>> rows = new ArrayList<>();
      try (PreparedStatement select = prepare(c, "SELECT request_id, user_id, token_id, channel_id, model, endpoint,"
              + " prompt_tokens, completion_tokens, cost_nanos, status, tries, created_at FROM usage_log" + where
              + " ORDER BY created_at DESC, request_id LIMIT ? OFFSET ?", pageArgs);
          ResultSet rs = select.executeQuery()) {
        while (rs.next()) {
          Map<String, Object> row = new LinkedHashMap<>();
          row.put("id", rs.getString("request_id"));
          row.put("user_id", rs.getString("user_id"));
          row.put("token_id", rs.getString("token_id"));
          row.put("channel_id", rs.getString("channel_id"));
          row.put("model", rs.getString("model"));
          row.put("endpoint", rs.getString("endpoint"));
          row.put("prompt_tokens", rs.getInt("prompt_tokens"));
          row.put("completion_tokens", rs.getInt("completion_tokens"));
          row.put("cost", Money.decimal(rs.getLong("cost_nanos")));
          row.put("status", rs.getString("status"));
          row.put("tries", rs.getInt("tries"));
          row.put("timestamp", AdminFields.timestamp(rs.getLong("created_at")));
          rows.add(row);
        }
      }
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("usage", rows);
      out.put("total", total);
      out.put("page", f.page());
      out.put("limit", f.limit());
      return out;
    } catch (SQLException e) {
      throw new IllegalStateException("usage query failed", e);
    }
  }

  private static PreparedStatement prepare(Connection c, String sql, List<Object> args) throws SQLException {
    PreparedStatement statement = c.prepareStatement(sql);
    for (int i = 0; i < args.size(); i++) {
      statement.setObject(i + 1, args.get(i));
    }
    return statement;
  }

  private static int positive(String value, int orElse, String name) {
    if (value == null) {
      return orElse;
    }
    try {
      int n = Integer.parseInt(value);
      if (n < 1) {
        throw new BadInput("`" + name + "` must be at least 1.");
      }
      return n;
    } catch (NumberFormatException e) {
      throw new BadInput("`" + name + "` must be a whole number.");
    }
  }

  /** A date (whole UTC day; an end date includes its day), an ISO-8601 instant, or epoch seconds. */
  private static long instant(String value, boolean end) {
    try {
      if (value.matches("\\d+")) {
        return Long.parseLong(value) * 1000;
      }
      if (value.length() == 10) {
        LocalDate day = LocalDate.parse(value);
        return (end ? day.plusDays(1) : day).atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
      }
      return Instant.parse(value).toEpochMilli();
    } catch (DateTimeParseException e) {
      throw new BadInput("dates must be YYYY-MM-DD, an ISO-8601 instant, or epoch seconds: " + value);
    }
  }
}
