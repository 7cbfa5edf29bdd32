ALTER TABLE "metric_rollups" DROP COLUMN "latency_hist";--> statement-breakpoint
ALTER TABLE "metric_rollups" DROP COLUMN "ttft_hist";--> statement-breakpoint
ALTER TABLE "metric_rollups" DROP COLUMN "tps_hist";