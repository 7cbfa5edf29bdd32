import { getDb } from "@/db/client";
import { webHandler } from "@/lib/http/web-handler";
import { handleCacheStats } from "@/lib/metrics/http/cache";

export const dynamic = "force-dynamic";
export const GET = webHandler((req) => handleCacheStats(getDb(), req));
