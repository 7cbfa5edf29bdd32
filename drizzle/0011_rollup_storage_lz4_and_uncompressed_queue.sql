-- Custom SQL migration file, put your code below! --
-- The rollup flusher rewrites histogram rows every second and dashboards read them on every
-- query: pglz compression cost both more CPU than anything else in those paths (measured).
-- lz4 is several times cheaper both ways; builds without it (PGlite) keep the default.
DO $$
BEGIN
  ALTER TABLE "metric_rollups"
    ALTER COLUMN "latency_buckets" SET COMPRESSION lz4,
    ALTER COLUMN "ttft_buckets" SET COMPRESSION lz4,
    ALTER COLUMN "tps_buckets" SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported THEN
  NULL;
END $$;
--> statement-breakpoint
-- Queued events live for about a second: compressing them costs the ingest transaction CPU and
-- saves nothing worth having.
ALTER TABLE "rollup_queue" ALTER COLUMN "packed" SET STORAGE EXTERNAL;
