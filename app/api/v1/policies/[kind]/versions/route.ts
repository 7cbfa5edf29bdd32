import { getDb } from "@/db/client";
import { webHandler } from "@/lib/http/web-handler";
import type { KindContext } from "@/lib/policies/http/policies-handlers";
import { getVersionHistory } from "@/lib/policies/http/versions-handlers";

export const dynamic = "force-dynamic";
export const GET = webHandler<KindContext>((req, ctx) => getVersionHistory(getDb(), req, ctx));
