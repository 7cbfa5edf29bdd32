CREATE TABLE "rollup_dead_letters" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"project_id" uuid NOT NULL,
	"queue_id" bigint,
	"payload" text,
	"packed" "bytea",
	"grain_s" integer,
	"bucket" timestamp with time zone,
	"attempts" integer NOT NULL,
	"error" text NOT NULL,
	"queued_at" timestamp with time zone,
	"failed_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "rollup_queue" ADD COLUMN "attempts" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "rollup_queue" ADD COLUMN "last_error" text;--> statement-breakpoint
ALTER TABLE "rollup_dead_letters" ADD CONSTRAINT "rollup_dead_letters_project_id_projects_id_fk" FOREIGN KEY ("project_id") REFERENCES "public"."projects"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "rollup_dead_letters_failed_idx" ON "rollup_dead_letters" USING btree ("failed_at");