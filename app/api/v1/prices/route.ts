import { getDb } from "@/db/client";
import { webHandler } from "@/lib/http/web-handler";
import { getPrices, putPrices } from "@/lib/pricing/http/prices-handlers";

export const dynamic = "force-dynamic";
export const GET = webHandler((req) => getPrices(getDb(), req));
export const PUT = webHandler((req) => putPrices(getDb(), req));
