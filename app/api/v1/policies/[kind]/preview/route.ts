import { getDb } from "@/db/client";
import { webHandler } from "@/lib/http/web-handler";
import type { KindContext } from "@/lib/policies/http/policies-handlers";
import { postPreview } from "@/lib/policies/http/preview-handler";

export const dynamic = "force-dynamic";
export const POST = webHandler<KindContext>((req, ctx) => postPreview(getDb(), req, ctx));
