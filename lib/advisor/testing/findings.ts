import type { Finding, FindingKind } from "../finding-schema";

/** Test-only: a finding of `kind` on `route` with the details the plan reads. */
export function finding(kind: FindingKind, route: string | null, details: Record<string, unknown> = {}, usdPerDay = 10): Finding {
  return {
    kind,
    route,
    agent: null,
    title: `${kind} on ${route ?? "all"}`,
    recommendation: "do it",
    evidence: { requests: 100, affected: 30, rate: 0.3, exampleEventIds: [], exampleTraceIds: [], details },
    impact: { p50Ms: 100, p95Ms: 200, ttftP95Ms: 50, perceivedMs: 100, usdPerRequest: 0.01, usdPerDay },
    confidence: "high",
  };
}
