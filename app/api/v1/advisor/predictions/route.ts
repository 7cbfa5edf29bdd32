import { getDb } from "@/db/client";
import { getVersionPrediction } from "@/lib/advisor/http/plan-handlers";
import { webHandler } from "@/lib/http/web-handler";

export const dynamic = "force-dynamic";
export const GET = webHandler((req) => getVersionPrediction(getDb(), req));
