import { getDb } from "@/db/client";
import { webHandler } from "@/lib/http/web-handler";
import { postDryRun } from "@/lib/policies/http/dry-run-handler";
import type { KindContext } from "@/lib/policies/http/policies-handlers";

export const dynamic = "force-dynamic";
export const POST = webHandler<KindContext>((req, ctx) => postDryRun(getDb(), req, ctx));
