-- How many channels a request tried; the row's channel_id is the one that served (or failed last).
ALTER TABLE usage_log ADD COLUMN tries INTEGER NOT NULL DEFAULT 1;
