import { getDb } from "@/db/client";
import { webHandler } from "@/lib/http/web-handler";
import { activatePolicy, type KindContext } from "@/lib/policies/http/policies-handlers";

export const dynamic = "force-dynamic";
export const POST = webHandler<KindContext>((req, ctx) => activatePolicy(getDb(), req, ctx));
