import { z } from "zod";
import type { Db } from "@/db/client";
import { authenticate } from "../../auth/caller";
import { projectParam } from "../../auth/http/parse";
import { AppError } from "../../errors";
import { json, readJson } from "../../http/web-handler";
import { getPriceBook } from "../../pricing/price-queries";
import { getActivePolicies } from "../active-policies";
import { estimateImpact } from "../impact-estimate";
import { loadPreviewEvents } from "../impact-queries";
import { requirePolicyDocument } from "../policy-document";
import { badBody, parseKind } from "./policy-http";

const DAY_MS = 86_400_000;
const PreviewBody = z.strictObject({
  document: z.unknown().refine((d) => d !== undefined, "the draft document is required"),
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
});

/**
 * POST /api/v1/policies/:kind/preview?project=slug { document, from?, to? }: the draft run over
 * the recorded calls of the window (the last 7 days by default), per rule next to the live
 * version, with the model mix, estimated against actual cost, and for cache rules the TTL mix.
 * Says whether the figures come from every call or a sample, and how large.
 */
export async function postPreview(db: Db, req: Request, ctx: { params: Promise<{ kind: string }> }): Promise<Response> {
  const kind = parseKind((await ctx.params).kind);
  const caller = await authenticate(db, req, { scope: "metrics:read", role: "viewer", projectSlug: projectParam(req) });
  const body = PreviewBody.safeParse(await readJson(req, 1024 * 1024));
  if (!body.success) throw badBody(body.error);
  const draft = requirePolicyDocument(kind, body.data.document);
  const to = body.data.to ? new Date(body.data.to) : new Date();
  const from = body.data.from ? new Date(body.data.from) : new Date(to.getTime() - 7 * DAY_MS);
  if (from >= to) throw new AppError("bad_request:range", "from must be before to.");
  if (to.getTime() - from.getTime() > 90 * DAY_MS) throw new AppError("bad_request:range", "The preview window is at most 90 days.");
  const started = performance.now();
  const [live, prices, loaded] = await Promise.all([getActivePolicies(db, caller.projectId), getPriceBook(db, caller.projectId), loadPreviewEvents(db, { projectId: caller.projectId, from, to })]);
  const scale = loaded.events.length > 0 ? loaded.totalEvents / loaded.events.length : 1;
  const result = estimateImpact(kind, draft, kind === "routing" ? live.routing : live.cache, loaded.events, prices, loaded.sampled ? scale : 1);
  return json({
    ...result,
    liveVersion: kind === "routing" ? live.routingVersion : live.cacheVersion,
    window: { from: from.toISOString(), to: to.toISOString() },
    basis: { totalEvents: loaded.totalEvents, sampled: loaded.sampled, sampleSize: loaded.events.length },
    tookMs: Math.round(performance.now() - started),
  });
}
