import { getDb } from "@/db/client";
import { postPlan } from "@/lib/advisor/http/plan-handlers";
import { loadTrafficCached } from "@/lib/advisor/traffic-cache";
import { webHandler } from "@/lib/http/web-handler";

export const dynamic = "force-dynamic";
export const POST = webHandler((req) => postPlan(getDb(), req, { loadTraffic: loadTrafficCached }));
