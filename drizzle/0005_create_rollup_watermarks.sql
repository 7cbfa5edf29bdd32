CREATE TABLE "rollup_watermarks" (
	"grain_s" integer PRIMARY KEY NOT NULL,
	"sealed_until" timestamp with time zone NOT NULL
);
