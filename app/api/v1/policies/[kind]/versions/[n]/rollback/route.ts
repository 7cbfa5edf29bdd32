import { getDb } from "@/db/client";
import { webHandler } from "@/lib/http/web-handler";
import { postRollback, type VersionContext } from "@/lib/policies/http/versions-handlers";

export const dynamic = "force-dynamic";
export const POST = webHandler<VersionContext>((req, ctx) => postRollback(getDb(), req, ctx));
