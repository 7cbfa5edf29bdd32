import { getDb } from "@/db/client";
import { webHandler } from "@/lib/http/web-handler";
import { handleRecomputeStatus, handleStartRecompute } from "@/lib/metrics/http/recompute";

export const dynamic = "force-dynamic";
export const GET = webHandler((req) => handleRecomputeStatus(getDb(), req));
export const POST = webHandler((req) => handleStartRecompute(getDb(), req));
