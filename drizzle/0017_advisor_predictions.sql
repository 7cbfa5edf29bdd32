CREATE TABLE "advisor_predictions" (
	"project_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"version" integer NOT NULL,
	"phase" text NOT NULL,
	"finding" jsonb NOT NULL,
	"predicted" jsonb NOT NULL,
	"baseline" jsonb NOT NULL,
	"backtest_error" jsonb,
	"created_by" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "advisor_predictions_project_id_kind_version_pk" PRIMARY KEY("project_id","kind","version")
);
--> statement-breakpoint
ALTER TABLE "advisor_predictions" ADD CONSTRAINT "advisor_predictions_project_id_projects_id_fk" FOREIGN KEY ("project_id") REFERENCES "public"."projects"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "advisor_predictions" ADD CONSTRAINT "advisor_predictions_version_fkey" FOREIGN KEY ("project_id","kind","version") REFERENCES "public"."policy_versions"("project_id","kind","version") ON DELETE cascade ON UPDATE no action;