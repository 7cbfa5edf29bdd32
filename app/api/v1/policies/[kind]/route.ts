import { getDb } from "@/db/client";
import { webHandler } from "@/lib/http/web-handler";
import { getPolicy, postPolicy, putPolicy, type KindContext } from "@/lib/policies/http/policies-handlers";

export const dynamic = "force-dynamic";
export const GET = webHandler<KindContext>((req, ctx) => getPolicy(getDb(), req, ctx));
export const POST = webHandler<KindContext>((req, ctx) => postPolicy(getDb(), req, ctx));
export const PUT = webHandler<KindContext>((req, ctx) => putPolicy(getDb(), req, ctx));
