import { z } from "zod";
import { AppError } from "../../errors";
import type { PolicyKind } from "@/db/schema";
import { parsePolicyDocument, type PolicyDocument, type PolicyIssue } from "../../policies/policy-document";

/** The code changes a replay may assume (the plan's code phases); pure, shared with the page. */
export const CodeChangesSchema = z.strictObject({
  stream: z.boolean().optional(),
  contextWindowTurns: z.number().int().min(1).max(1000).optional(),
});

export const ReplayBody = z.strictObject({
  routing: z.unknown().optional(),
  cache: z.unknown().optional(),
  code: CodeChangesSchema.optional(),
});
export type ReplayBody = z.infer<typeof ReplayBody>;

/**
 * The candidate's documents, validated with the policy API's own schemas. A failing document is
 * a 400 whose message names the field (`routing.rules.0.action.model: ...`), issues in details.
 */
export function parseCandidate(body: ReplayBody): { routing?: PolicyDocument<"routing">; cache?: PolicyDocument<"cache"> } {
  const out: { routing?: PolicyDocument<"routing">; cache?: PolicyDocument<"cache"> } = {};
  const issues: PolicyIssue[] = [];
  for (const kind of ["routing", "cache"] as const satisfies PolicyKind[]) {
    if (body[kind] === undefined) continue;
    const parsed = parsePolicyDocument(kind, body[kind]);
    if (parsed.ok) (out as Record<string, unknown>)[kind] = parsed.document;
    else issues.push(...parsed.issues.map((i) => ({ path: i.path ? `${kind}.${i.path}` : kind, message: i.message })));
  }
  if (issues.length > 0) throw new AppError("bad_request:policy", `Invalid candidate policy: ${issues[0]!.path}: ${issues[0]!.message}`, { details: { issues } });
  return out;
}
