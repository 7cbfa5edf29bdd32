-- Custom SQL migration file, put your code below! --
-- Histograms move from jsonb {key: count} to packed bytes: per bucket a big-endian int4 key then
-- an int8 count, sorted by key (lib/metrics/hist-codec.ts). Existing rollups keep their buckets.
UPDATE "metric_rollups" SET
  "latency_buckets" = coalesce((select string_agg(int4send(key::int) || int8send(value::bigint), ''::bytea order by key::int) from jsonb_each_text("latency_hist")), ''::bytea),
  "ttft_buckets" = coalesce((select string_agg(int4send(key::int) || int8send(value::bigint), ''::bytea order by key::int) from jsonb_each_text("ttft_hist")), ''::bytea),
  "tps_buckets" = coalesce((select string_agg(int4send(key::int) || int8send(value::bigint), ''::bytea order by key::int) from jsonb_each_text("tps_hist")), ''::bytea);
