import { getDb } from "@/db/client";
import { postPlan } from "@/lib/advisor/http/plan-handlers";
import { loadTraffic } from "@/lib/advisor/traffic-load";
import { webHandler } from "@/lib/http/web-handler";

export const dynamic = "force-dynamic";
export const POST = webHandler((req) => postPlan(getDb(), req, { loadTraffic }));
