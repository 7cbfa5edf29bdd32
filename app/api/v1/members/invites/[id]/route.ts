import { getDb } from "@/db/client";
import { webHandler } from "@/lib/http/web-handler";
import { deleteInvite } from "@/lib/projects/http/members-handlers";

type Ctx = { params: Promise<{ id: string }> };

export const dynamic = "force-dynamic";
export const DELETE = webHandler<Ctx>(async (req, ctx) => deleteInvite(getDb(), req, (await ctx.params).id));
