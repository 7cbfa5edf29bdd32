import { getDb } from "@/db/client";
import { webHandler } from "@/lib/http/web-handler";
import { handleTimeseries } from "@/lib/metrics/http/timeseries";

export const dynamic = "force-dynamic";
export const GET = webHandler((req) => handleTimeseries(getDb(), req));
