import { getDb } from "@/db/client";
import { webHandler } from "@/lib/http/web-handler";
import { handleSummary } from "@/lib/metrics/http/summary";

export const dynamic = "force-dynamic";
export const GET = webHandler((req) => handleSummary(getDb(), req));
