import { getDb } from "@/db/client";
import { webHandler } from "@/lib/http/web-handler";
import { getChangeDeltas } from "@/lib/policies/http/versions-handlers";

export const dynamic = "force-dynamic";
export const GET = webHandler((req) => getChangeDeltas(getDb(), req));
