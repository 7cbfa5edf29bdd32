/** Helpers of the policy editor page, kept here (framework-free, client-safe: zod only) so they are unit-tested. */
import { CachePolicy } from "./cache-policy-schema";
import { RoutingPolicy } from "./routing-policy-schema";

export const KINDS = ["routing", "cache"] as const;
export type Kind = (typeof KINDS)[number];

export const KIND_LABELS: Record<Kind, string> = { routing: "Routing policy", cache: "Cache policy" };

export type Issue = { path: string; message: string };
export type Checked = { ok: true; document: unknown } | { ok: false; issues: Issue[] };

/** The editor's live check: the same zod schema the API applies, so errors show before saving. */
export function checkPolicyText(kind: Kind, text: string): Checked {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    return { ok: false, issues: [{ path: "", message: `Not valid JSON: ${err instanceof Error ? err.message : String(err)}` }] };
  }
  const result = (kind === "routing" ? RoutingPolicy : CachePolicy).safeParse(parsed);
  if (result.success) return { ok: true, document: parsed };
  return { ok: false, issues: result.error.issues.slice(0, 30).map((i) => ({ path: i.path.map(String).join("."), message: i.message })) };
}

export function prettyJson(doc: unknown): string {
  return JSON.stringify(doc, null, 2);
}

