import { getDb } from "@/db/client";
import { postReplay } from "@/lib/advisor/http/replay-handler";
import { loadTrafficCached } from "@/lib/advisor/traffic-cache";
import { webHandler } from "@/lib/http/web-handler";

export const dynamic = "force-dynamic";
export const POST = webHandler((req) => postReplay(getDb(), req, { loadTraffic: loadTrafficCached }));
