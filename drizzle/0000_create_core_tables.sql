CREATE TABLE "projects" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"slug" text NOT NULL,
	"name" text NOT NULL,
	"settings" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "projects_slug_unique" UNIQUE("slug")
);
--> statement-breakpoint
CREATE TABLE "api_keys" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"project_id" uuid NOT NULL,
	"name" text NOT NULL,
	"lookup_id" text NOT NULL,
	"display_prefix" text NOT NULL,
	"salt" text NOT NULL,
	"secret_hash" text NOT NULL,
	"scopes" text[] NOT NULL,
	"created_by" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_used_at" timestamp with time zone,
	"revoked_at" timestamp with time zone,
	CONSTRAINT "api_keys_lookup_id_unique" UNIQUE("lookup_id")
);
--> statement-breakpoint
CREATE TABLE "events" (
	"project_id" uuid NOT NULL,
	"id" text NOT NULL,
	"ts" timestamp with time zone NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	"kind" text NOT NULL,
	"agent" text,
	"route" text,
	"session_id" text,
	"trace_id" text,
	"parent_id" text,
	"user_id" text,
	"provider" text NOT NULL,
	"model" text,
	"requested_model" text,
	"status" text NOT NULL,
	"error_type" text,
	"http_status" integer,
	"latency_ms" double precision,
	"ttft_ms" double precision,
	"streamed" boolean NOT NULL,
	"input_tokens" integer NOT NULL,
	"output_tokens" integer NOT NULL,
	"cache_read_tokens" integer NOT NULL,
	"cache_write_5m_tokens" integer NOT NULL,
	"cache_write_1h_tokens" integer NOT NULL,
	"response_cache" text NOT NULL,
	"cost_nano_usd" bigint NOT NULL,
	"cost_source" text NOT NULL,
	"prompt_hash" text,
	"system_hash" text,
	"system_tokens" integer,
	"message_count" integer,
	"tool_count" integer,
	"policy_version" integer,
	"tags" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"metadata" jsonb DEFAULT '{}'::jsonb NOT NULL,
	CONSTRAINT "events_project_id_id_pk" PRIMARY KEY("project_id","id")
);
--> statement-breakpoint
CREATE TABLE "model_prices" (
	"id" serial PRIMARY KEY NOT NULL,
	"project_id" uuid NOT NULL,
	"model" text NOT NULL,
	"effective_from" timestamp with time zone NOT NULL,
	"min_prompt_tokens" integer DEFAULT 0 NOT NULL,
	"input_nano" bigint NOT NULL,
	"cache_write_5m_nano" bigint NOT NULL,
	"cache_write_1h_nano" bigint NOT NULL,
	"cache_read_nano" bigint NOT NULL,
	"output_nano" bigint NOT NULL,
	"verified" boolean DEFAULT true NOT NULL,
	"source" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_project_id_projects_id_fk" FOREIGN KEY ("project_id") REFERENCES "public"."projects"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "events" ADD CONSTRAINT "events_project_id_projects_id_fk" FOREIGN KEY ("project_id") REFERENCES "public"."projects"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "model_prices" ADD CONSTRAINT "model_prices_project_id_projects_id_fk" FOREIGN KEY ("project_id") REFERENCES "public"."projects"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "api_keys_project_idx" ON "api_keys" USING btree ("project_id");--> statement-breakpoint
CREATE INDEX "events_project_ts_idx" ON "events" USING btree ("project_id","ts" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "events_project_model_ts_idx" ON "events" USING btree ("project_id","model","ts");--> statement-breakpoint
CREATE INDEX "events_project_route_ts_idx" ON "events" USING btree ("project_id","route","ts");--> statement-breakpoint
CREATE INDEX "events_ts_brin_idx" ON "events" USING brin ("ts");--> statement-breakpoint
CREATE INDEX "events_project_prompt_hash_idx" ON "events" USING btree ("project_id","prompt_hash") WHERE "events"."prompt_hash" is not null;--> statement-breakpoint
CREATE INDEX "model_prices_project_model_idx" ON "model_prices" USING btree ("project_id","model","effective_from");