import { z } from "zod";
import type { Db } from "@/db/client";
import { authenticate } from "../../auth/caller";
import { projectParam } from "../../auth/http/parse";
import { readJson, json } from "../../http/web-handler";
import { dryRunRequest } from "../../gateway/policy-dry-run";
import { getPriceBook } from "../../pricing/price-queries";
import { MessagesRequest } from "../../simulator/request-schema";
import { getActivePolicies, type ActivePolicies } from "../active-policies";
import type { CachePolicy } from "../cache-policy-schema";
import { requirePolicyDocument } from "../policy-document";
import type { RoutingPolicy } from "../routing-policy-schema";
import { badBody, parseKind } from "./policy-http";

const Name = z.string().min(1).max(200);
const DryRunBody = z.strictObject({
  // The Messages API request as the client would send it to the gateway.
  request: MessagesRequest,
  route: Name.nullish(),
  agent: Name.nullish(),
  tags: z.record(z.string().min(1).max(100), z.string().max(200)).refine((t) => Object.keys(t).length <= 20, "at most 20 tags").optional(),
  sessionId: Name.nullish(),
  /** A draft of this kind's document; without it the live version answers. */
  document: z.unknown().optional(),
});

/**
 * POST /api/v1/policies/:kind/dry-run?project=slug { request, route?, agent?, tags?, document? }:
 * which rule matches and why, what the gateway would send and what it would cost. Nothing is
 * called or recorded, so viewers (and keys with metrics:read) may dry-run too.
 */
export async function postDryRun(db: Db, req: Request, ctx: { params: Promise<{ kind: string }> }): Promise<Response> {
  const kind = parseKind((await ctx.params).kind);
  const caller = await authenticate(db, req, { scope: "metrics:read", role: "viewer", projectSlug: projectParam(req) });
  const body = DryRunBody.safeParse(await readJson(req, 1024 * 1024));
  if (!body.success) throw badBody(body.error);
  const live = await getActivePolicies(db, caller.projectId);
  const policies: ActivePolicies = { ...live };
  const versions = { routing: live.routingVersion as number | null, cache: live.cacheVersion as number | null };
  if (body.data.document !== undefined) {
    const draft = requirePolicyDocument(kind, body.data.document);
    if (kind === "routing") policies.routing = draft as RoutingPolicy;
    else policies.cache = draft as CachePolicy;
    versions[kind] = null;
  }
  const result = dryRunRequest(
    {
      request: body.data.request as Parameters<typeof dryRunRequest>[0]["request"],
      route: body.data.route ?? null,
      agent: body.data.agent ?? null,
      tags: body.data.tags ?? {},
      sessionId: body.data.sessionId ?? null,
    },
    policies,
    { projectId: caller.projectId, prices: await getPriceBook(db, caller.projectId), now: new Date(), versions },
  );
  return json({ kind, ...result });
}
