import { getDb } from "@/db/client";
import { getFindings } from "@/lib/advisor/http/findings-handler";
import { loadTrafficCached } from "@/lib/advisor/traffic-cache";
import { webHandler } from "@/lib/http/web-handler";

export const dynamic = "force-dynamic";
export const GET = webHandler((req) => getFindings(getDb(), req, { loadTraffic: loadTrafficCached }));
