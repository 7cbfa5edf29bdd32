CREATE TABLE "policy_audit" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"project_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"action" text NOT NULL,
	"version" integer NOT NULL,
	"previous_version" integer,
	"source_version" integer,
	"live" boolean NOT NULL,
	"actor" text,
	"comment" text,
	"at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "policy_audit" ADD CONSTRAINT "policy_audit_project_id_projects_id_fk" FOREIGN KEY ("project_id") REFERENCES "public"."projects"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "policy_audit_project_at_idx" ON "policy_audit" USING btree ("project_id","at" DESC NULLS LAST);--> statement-breakpoint
-- Versions live before the audit log existed get one marker each, at their activation time.
INSERT INTO "policy_audit" ("project_id", "kind", "action", "version", "live", "actor", "at")
SELECT "project_id", "kind", 'activate', "version", true, "activated_by", "activated_at" FROM "active_policies";
