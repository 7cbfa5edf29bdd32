import { getDb } from "@/db/client";
import { webHandler } from "@/lib/http/web-handler";
import { getCalls } from "@/lib/playground/http/experiments-handlers";

export const dynamic = "force-dynamic";
export const GET = webHandler((req) => getCalls(getDb(), req));
