import { getDb } from "@/db/client";
import { webHandler } from "@/lib/http/web-handler";
import { handleSessionList } from "@/lib/traces/http/traces";

export const dynamic = "force-dynamic";
export const GET = webHandler((req) => handleSessionList(getDb(), req));
