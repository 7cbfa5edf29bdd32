import { getDb } from "@/db/client";
import { postReplay } from "@/lib/advisor/http/replay-handler";
import { loadTraffic } from "@/lib/advisor/traffic-load";
import { webHandler } from "@/lib/http/web-handler";

export const dynamic = "force-dynamic";
export const POST = webHandler((req) => postReplay(getDb(), req, { loadTraffic }));
