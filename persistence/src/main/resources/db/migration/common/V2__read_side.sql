-- Read side, the same SQL on PostgreSQL and H2 (PostgreSQL mode).

-- Offsets of Pekko Projection JDBC, written in the same transaction as the rows they produce.
CREATE TABLE IF NOT EXISTS pekko_projection_offset_store (
  projection_name VARCHAR(255) NOT NULL,
  projection_key VARCHAR(255) NOT NULL,
  current_offset VARCHAR(255) NOT NULL,
  manifest VARCHAR(4) NOT NULL,
  mergeable BOOLEAN NOT NULL,
  last_updated BIGINT NOT NULL,
  PRIMARY KEY (projection_name, projection_key)
);

CREATE INDEX IF NOT EXISTS projection_name_index ON pekko_projection_offset_store (projection_name);

CREATE TABLE IF NOT EXISTS pekko_projection_management (
  projection_name VARCHAR(255) NOT NULL,
  projection_key VARCHAR(255) NOT NULL,
  paused BOOLEAN NOT NULL,
  last_updated BIGINT NOT NULL,
  PRIMARY KEY (projection_name, projection_key)
);

-- One row per billed request: metadata only, never request or response content.
CREATE TABLE IF NOT EXISTS usage_log (
  request_id VARCHAR(64) PRIMARY KEY,
  user_id VARCHAR(64) NOT NULL,
  token_id VARCHAR(64) NOT NULL,
  channel_id VARCHAR(64),
  model VARCHAR(255) NOT NULL,
  endpoint VARCHAR(255) NOT NULL,
  prompt_tokens INTEGER NOT NULL,
  completion_tokens INTEGER NOT NULL,
  cost_nanos BIGINT NOT NULL,
  status VARCHAR(32) NOT NULL,
  created_at BIGINT NOT NULL
);

CREATE INDEX IF NOT EXISTS usage_log_user_idx ON usage_log (user_id, created_at);
CREATE INDEX IF NOT EXISTS usage_log_token_idx ON usage_log (token_id, created_at);
CREATE INDEX IF NOT EXISTS usage_log_created_idx ON usage_log (created_at);

-- The root management key, kept only as a hash; one row.
CREATE TABLE IF NOT EXISTS management_key (
  id INTEGER PRIMARY KEY,
  key_hash VARCHAR(64) NOT NULL,
  created_at BIGINT NOT NULL
);
