import { getDb } from "@/db/client";
import { webHandler } from "@/lib/http/web-handler";
import { deleteKey } from "@/lib/auth/http/keys-handlers";

type Ctx = { params: Promise<{ id: string }> };

export const dynamic = "force-dynamic";
export const DELETE = webHandler<Ctx>(async (req, ctx) => deleteKey(getDb(), req, (await ctx.params).id));
