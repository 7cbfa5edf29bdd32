ALTER TABLE "metric_rollups" ADD COLUMN "latency_buckets" "bytea" DEFAULT ''::bytea NOT NULL;--> statement-breakpoint
ALTER TABLE "metric_rollups" ADD COLUMN "ttft_buckets" "bytea" DEFAULT ''::bytea NOT NULL;--> statement-breakpoint
ALTER TABLE "metric_rollups" ADD COLUMN "tps_buckets" "bytea" DEFAULT ''::bytea NOT NULL;