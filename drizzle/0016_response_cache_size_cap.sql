ALTER TABLE "response_cache" ADD COLUMN "bytes" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE INDEX "response_cache_created_at_idx" ON "response_cache" USING btree ("created_at");--> statement-breakpoint
-- Rows stored before the cap count their bytes too.
UPDATE "response_cache" SET "bytes" = octet_length("body"::text);