import type { Finding } from "../finding-schema";
import type { Traffic } from "../traffic";
import { beforeOf, confidenceOf, examples, impactOf, MIN_AFFECTED, pct, share, tagged, unpricedShare, type FindingContext, type RouteGroup } from "./route-groups";

/** The tag a route that nobody waits on carries (x-pitwall-tags: interactive=false). */
export const NON_INTERACTIVE = { key: "interactive", value: "false" } as const;
/** Route names that say "job, not conversation": the inference when the tag is missing. */
const JOB_ROUTE = /(^|[-_.\/])(batch|nightly|cron|backfill|offline|etl|report|digest)([-_.\/]|$)/i;
/** The Message Batches API's price: half of the standard rate, input and output. */
export const BATCH_DISCOUNT = 0.5;

export function isNonInteractive(traffic: Traffic, i: number): boolean {
  return tagged(traffic, i, NON_INTERACTIVE.key, NON_INTERACTIVE.value);
}

/**
 * Batch eligibility: routes nobody waits on, tagged interactive=false, or inferred: never
 * streamed, no session or user, and a name that says job (nightly, report, batch, ...). Through
 * the Message Batches API these calls cost half; results take up to 24 h, so latency is no saving.
 */
export function batchFinding(ctx: FindingContext, g: RouteGroup): Finding | null {
  const traffic = ctx.traffic;
  const t = traffic.llm;
  const n = g.rows.length;
  const taggedRows = g.rows.filter((i) => isNonInteractive(traffic, i));
  const inferred =
    taggedRows.length === 0 &&
    JOB_ROUTE.test(g.route ?? "") &&
    g.rows.every((i) => !t.streamed[i] && t.session[i] === -1 && t.user[i] === -1);
  const eligible = inferred ? g.rows : taggedRows;
  if (eligible.length < MIN_AFFECTED || share(eligible.length, n) < 0.5) return null;
  let savedNano = 0;
  for (const i of eligible) if (!t.unpriced[i]) savedNano += t.costNano[i]! * BATCH_DISCOUNT;
  const timings = beforeOf(ctx, g);
  const impact = impactOf(timings, timings, savedNano, ctx, n);
  const unpriced = unpricedShare(traffic, eligible);
  const rate = share(eligible.length, n);
  return {
    kind: "batch",
    route: g.route,
    agent: g.agent,
    title: `${g.route ?? "unrouted"} is not interactive (${pct(rate)} of requests ${inferred ? "look like a job" : "tagged interactive=false"}): eligible for the Batches API`,
    recommendation: `Send these calls through the Message Batches API at 50% of the price. Results arrive within 24 hours, usually much sooner.${unpriced > 0 ? " Some calls have no price: their cost is not counted." : ""}`,
    evidence: {
      requests: n,
      affected: eligible.length,
      rate,
      ...examples(traffic, eligible),
      details: { signal: inferred ? "inferred from the route name, no streaming, no session or user" : "tag interactive=false", discount: BATCH_DISCOUNT, priced: unpriced === 0 },
    },
    impact,
    confidence: inferred ? "low" : confidenceOf(eligible.length),
  };
}
