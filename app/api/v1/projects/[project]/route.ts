import { getDb } from "@/db/client";
import { webHandler } from "@/lib/http/web-handler";
import { getProject, patchProject } from "@/lib/projects/http/projects-handlers";

type Ctx = { params: Promise<{ project: string }> };

export const dynamic = "force-dynamic";
export const GET = webHandler<Ctx>(async (req, ctx) => getProject(getDb(), req, (await ctx.params).project));
export const PATCH = webHandler<Ctx>(async (req, ctx) => patchProject(getDb(), req, (await ctx.params).project));
