import { getDb } from "@/db/client";
import { webHandler } from "@/lib/http/web-handler";
import { handleEventExport } from "@/lib/metrics/http/events";

export const dynamic = "force-dynamic";
export const GET = webHandler((req) => handleEventExport(getDb(), req));
