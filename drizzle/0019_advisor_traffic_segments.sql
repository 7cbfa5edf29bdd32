CREATE TABLE "advisor_traffic_segments" (
	"project_id" uuid NOT NULL,
	"start_at" timestamp with time zone NOT NULL,
	"end_at" timestamp with time zone NOT NULL,
	"format" integer NOT NULL,
	"hours" jsonb NOT NULL,
	"data" "bytea" NOT NULL,
	"built_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "advisor_traffic_segments_project_id_start_at_pk" PRIMARY KEY("project_id","start_at")
);
--> statement-breakpoint
ALTER TABLE "advisor_traffic_segments" ADD CONSTRAINT "advisor_traffic_segments_project_id_projects_id_fk" FOREIGN KEY ("project_id") REFERENCES "public"."projects"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
-- A segment is read whole by every analysis of its hours: uncompressed, reading one is a copy
-- (pglz would cost the read more CPU than the bytes it saves on loopback).
ALTER TABLE "advisor_traffic_segments" ALTER COLUMN "data" SET STORAGE EXTERNAL;
