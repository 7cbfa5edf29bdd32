import { getDb } from "@/db/client";
import { postApplyPhase } from "@/lib/advisor/http/plan-handlers";
import { webHandler } from "@/lib/http/web-handler";

export const dynamic = "force-dynamic";
export const POST = webHandler((req) => postApplyPhase(getDb(), req));
