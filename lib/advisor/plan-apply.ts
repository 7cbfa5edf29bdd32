import { and, eq } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "@/db/client";
import { advisorPredictions, type PolicyKind } from "@/db/schema";
import { saveVersion, type PolicyVersion } from "../policies/policy-queries";
import { FINDING_KINDS } from "./finding-schema";
import { POLICY_PHASES } from "./plan-schema";
import { BacktestError, Figures } from "./replay/replay-schema";

/** The body of "Apply phase": the phase's document as the plan gave it, and what was predicted. */
export const ApplyPhaseBody = z.strictObject({
  phase: z.enum(POLICY_PHASES),
  title: z.string().min(1).max(200),
  kind: z.enum(["routing", "cache"]),
  document: z.unknown().refine((d) => d !== undefined, "the policy document is required"),
  finding: z.strictObject({ kind: z.enum(FINDING_KINDS), routes: z.array(z.string().max(200).nullable()).max(100), title: z.string().max(2000) }),
  predicted: Figures,
  baseline: Figures,
  backtestError: BacktestError.nullable(),
});
export type ApplyPhaseBody = z.infer<typeof ApplyPhaseBody>;

/** The draft's message: the phase, the finding, and a link back to it on the advisor page. */
export function draftComment(slug: string, body: Pick<ApplyPhaseBody, "title" | "finding">): string {
  const routes = body.finding.routes.map((r) => r ?? "all routes").join(", ");
  const link = `/p/${slug}/advisor#finding-${body.finding.kind}`;
  return `Advisor phase "${body.title}" for ${body.finding.kind} on ${routes}: ${link}`.slice(0, 500);
}

/**
 * Saves the phase's document as a draft version (saved, not live) with its prediction, in one
 * transaction: a failure anywhere leaves neither. The editor opens it with ?draft=<version>.
 */
export async function applyPhase(db: Db, params: { projectId: string; slug: string; actor: string; body: ApplyPhaseBody }): Promise<PolicyVersion> {
  const { body } = params;
  return saveVersion(db, {
    projectId: params.projectId,
    kind: body.kind,
    document: body.document,
    comment: draftComment(params.slug, body),
    createdBy: params.actor,
    activate: false,
    onSaved: async (tx, saved) => {
      await tx.insert(advisorPredictions).values({
        projectId: params.projectId,
        kind: body.kind,
        version: saved.version,
        phase: body.phase,
        finding: { kind: body.finding.kind, routes: body.finding.routes },
        predicted: body.predicted,
        baseline: body.baseline,
        backtestError: body.backtestError,
        createdBy: params.actor,
      });
    },
  });
}

export type StoredPrediction = { phase: string; finding: { kind: string; routes: (string | null)[] }; predicted: Figures; baseline: Figures; backtestError: BacktestError | null; createdAt: Date };

/** The prediction stored with a version, or null (a version no advisor phase made). */
export async function getPrediction(db: Db, params: { projectId: string; kind: PolicyKind; version: number }): Promise<StoredPrediction | null> {
  const [row] = await db
    .select()
    .from(advisorPredictions)
    .where(and(eq(advisorPredictions.projectId, params.projectId), eq(advisorPredictions.kind, params.kind), eq(advisorPredictions.version, params.version)))
    .limit(1);
  if (!row) return null;
  return { phase: row.phase, finding: row.finding, predicted: Figures.parse(row.predicted), baseline: Figures.parse(row.baseline), backtestError: row.backtestError ? BacktestError.parse(row.backtestError) : null, createdAt: row.createdAt };
}
