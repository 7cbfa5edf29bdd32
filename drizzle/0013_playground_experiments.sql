CREATE TABLE "playground_experiments" (
	"id" text PRIMARY KEY NOT NULL,
	"project_id" uuid NOT NULL,
	"name" text NOT NULL,
	"config" jsonb NOT NULL,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "playground_runs" (
	"id" text PRIMARY KEY NOT NULL,
	"experiment_id" text NOT NULL,
	"project_id" uuid NOT NULL,
	"seq" integer NOT NULL,
	"config" jsonb NOT NULL,
	"n" integer NOT NULL,
	"concurrency" integer NOT NULL,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"completed_at" timestamp with time zone,
	"calls" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"verdict" text,
	CONSTRAINT "playground_runs_experiment_seq_key" UNIQUE("experiment_id","seq")
);
--> statement-breakpoint
ALTER TABLE "playground_experiments" ADD CONSTRAINT "playground_experiments_project_id_projects_id_fk" FOREIGN KEY ("project_id") REFERENCES "public"."projects"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "playground_runs" ADD CONSTRAINT "playground_runs_experiment_id_playground_experiments_id_fk" FOREIGN KEY ("experiment_id") REFERENCES "public"."playground_experiments"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "playground_runs" ADD CONSTRAINT "playground_runs_project_id_projects_id_fk" FOREIGN KEY ("project_id") REFERENCES "public"."projects"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "playground_experiments_project_updated_idx" ON "playground_experiments" USING btree ("project_id","updated_at" DESC NULLS LAST);