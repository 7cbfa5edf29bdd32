import { getDb } from "@/db/client";
import { webHandler } from "@/lib/http/web-handler";
import { handleEventList } from "@/lib/metrics/http/events";

export const dynamic = "force-dynamic";
export const GET = webHandler((req) => handleEventList(getDb(), req));
