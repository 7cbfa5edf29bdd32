import { getDb } from "@/db/client";
import { webHandler } from "@/lib/http/web-handler";
import { handleTraceDetail } from "@/lib/traces/http/traces";

export const dynamic = "force-dynamic";
export const GET = webHandler((req) => handleTraceDetail(getDb(), req));
