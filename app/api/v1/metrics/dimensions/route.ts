import { getDb } from "@/db/client";
import { webHandler } from "@/lib/http/web-handler";
import { handleDimensions } from "@/lib/metrics/http/dimensions";

export const dynamic = "force-dynamic";
export const GET = webHandler((req) => handleDimensions(getDb(), req));
