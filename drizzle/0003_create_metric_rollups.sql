CREATE TABLE "cost_recompute_jobs" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"project_id" uuid NOT NULL,
	"range_from" timestamp with time zone NOT NULL,
	"range_to" timestamp with time zone NOT NULL,
	"status" text NOT NULL,
	"total" bigint NOT NULL,
	"processed" bigint DEFAULT 0 NOT NULL,
	"changed" bigint DEFAULT 0 NOT NULL,
	"delta_nano_usd" numeric DEFAULT '0' NOT NULL,
	"error" text,
	"created_by" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "metric_rollups" (
	"project_id" uuid NOT NULL,
	"grain_s" integer NOT NULL,
	"bucket" timestamp with time zone NOT NULL,
	"set_id" smallint NOT NULL,
	"kind" text NOT NULL,
	"model" text NOT NULL,
	"route" text NOT NULL,
	"agent" text NOT NULL,
	"status" text NOT NULL,
	"requests" bigint NOT NULL,
	"errors" bigint NOT NULL,
	"input_tokens" bigint NOT NULL,
	"output_tokens" bigint NOT NULL,
	"cache_read_tokens" bigint NOT NULL,
	"cache_write_5m_tokens" bigint NOT NULL,
	"cache_write_1h_tokens" bigint NOT NULL,
	"cost_nano_usd" bigint NOT NULL,
	"latency_count" bigint NOT NULL,
	"latency_sum_ms" numeric NOT NULL,
	"ttft_count" bigint NOT NULL,
	"ttft_sum_ms" numeric NOT NULL,
	"rc_hits" bigint NOT NULL,
	"rc_misses" bigint NOT NULL,
	"rc_bypass" bigint NOT NULL,
	"rc_hit_cost_nano" bigint NOT NULL,
	"rc_miss_cost_nano" bigint NOT NULL,
	"rc_hit_latency_ms" numeric NOT NULL,
	"rc_miss_latency_ms" numeric NOT NULL,
	"latency_hist" jsonb NOT NULL,
	"ttft_hist" jsonb NOT NULL,
	"tps_hist" jsonb NOT NULL,
	CONSTRAINT "metric_rollups_pk" PRIMARY KEY("project_id","grain_s","bucket","set_id","kind","model","route","agent","status")
);
--> statement-breakpoint
ALTER TABLE "cost_recompute_jobs" ADD CONSTRAINT "cost_recompute_jobs_project_id_projects_id_fk" FOREIGN KEY ("project_id") REFERENCES "public"."projects"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "metric_rollups" ADD CONSTRAINT "metric_rollups_project_id_projects_id_fk" FOREIGN KEY ("project_id") REFERENCES "public"."projects"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "cost_recompute_jobs_project_idx" ON "cost_recompute_jobs" USING btree ("project_id","created_at" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "metric_rollups_bucket_brin_idx" ON "metric_rollups" USING brin ("bucket");