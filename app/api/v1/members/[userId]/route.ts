import { getDb } from "@/db/client";
import { webHandler } from "@/lib/http/web-handler";
import { deleteMember, patchMember } from "@/lib/projects/http/members-handlers";

type Ctx = { params: Promise<{ userId: string }> };

export const dynamic = "force-dynamic";
export const PATCH = webHandler<Ctx>(async (req, ctx) => patchMember(getDb(), req, (await ctx.params).userId));
export const DELETE = webHandler<Ctx>(async (req, ctx) => deleteMember(getDb(), req, (await ctx.params).userId));
