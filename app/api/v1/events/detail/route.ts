import { getDb } from "@/db/client";
import { webHandler } from "@/lib/http/web-handler";
import { handleEventDetail } from "@/lib/metrics/http/events";

export const dynamic = "force-dynamic";
export const GET = webHandler((req) => handleEventDetail(getDb(), req));
