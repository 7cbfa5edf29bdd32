import type { Finding } from "../finding-schema";
import { decodeOne, NONE } from "../traffic";
import { confidenceOf, memo, MIN_AFFECTED, MIN_AFFECTED_SHARE, pct, percentile, round, share, type FindingContext, type RouteGroup } from "./route-groups";

/** Overlap under this is clock noise (ms timestamps, float durations), not parallel work. */
const OVERLAP_SLACK_MS = 1;

/**
 * Sequential tools: the tool spans under one parent in one trace of the route (the SDK's tool()
 * spans; a trace belongs to the route whose LLM calls it holds) that never overlap, two or more.
 * Now they take the sum of their durations; run at once, the longest one (the critical path if
 * they are independent). The rate is over the route's traces that ran two or more tools under one
 * parent. Saves time, not money.
 */
export function sequentialToolsFinding(ctx: FindingContext, g: RouteGroup): Finding | null {
  const traffic = ctx.traffic;
  const tools = traffic.tools;
  // The route's traces in first-seen order (a Set's order), marked in a per-analysis array by trace code.
  const byTrace = memo(ctx, "toolsByTrace", () => toolsByTrace(ctx));
  const seen = memo(ctx, "traceMarks", () => ({ mark: new Uint32Array(traceCodeSpace(ctx)), pass: 0 }));
  const pass = ++seen.pass;
  const traces: number[] = [];
  for (const i of g.rows) {
    const trace = traffic.llm.trace[i]!;
    if (trace === NONE || seen.mark[trace] === pass) continue;
    seen.mark[trace] = pass;
    traces.push(trace);
  }
  if (traces.length === 0) return null;
  const multi: number[][] = [];
  for (const trace of traces) for (const l of byTrace.get(trace) ?? []) if (l.length >= 2) multi.push(l);
  const sequential = multi.filter((l) => l.every((k, j) => j === 0 || tools.tsMs[k]! >= tools.tsMs[l[j - 1]!]! + tools.latencyMs[l[j - 1]!]! - OVERLAP_SLACK_MS));
  if (sequential.length < MIN_AFFECTED || share(sequential.length, multi.length) < MIN_AFFECTED_SHARE) return null;
  const sums = sequential.map((l) => l.reduce((s, k) => s + tools.latencyMs[k]!, 0));
  const critical = sequential.map((l) => Math.max(...l.map((k) => tools.latencyMs[k]!)));
  const savedPerTrace = sums.map((s, j) => s - critical[j]!);
  const meanSaved = savedPerTrace.reduce((a, b) => a + b, 0) / savedPerTrace.length;
  const rate = share(sequential.length, multi.length);
  const toolsPer = percentile(sequential.map((l) => l.length), 50);
  const exampleTraceIds = [...new Set(sequential.slice(0, 5).map((l) => decodeOne(traffic.traces, tools.trace[l[0]!]!)!))];
  return {
    kind: "sequential_tools",
    route: g.route,
    agent: g.agent,
    title: `${pct(rate)} of ${g.route ?? "unrouted"} traces run ${Math.round(toolsPer)} tools one after another`,
    recommendation: `Run independent tools at once (Promise.all): the tool time per trace would drop from ${Math.round(percentile(sums, 50))} ms (the sum) to ${Math.round(percentile(critical, 50))} ms (the longest tool).`,
    evidence: {
      requests: g.rows.length,
      affected: sequential.length,
      rate,
      exampleEventIds: sequential.slice(0, 5).map((l) => decodeOne(traffic.spans, tools.span[l[0]!]!)!),
      exampleTraceIds,
      details: {
        traces: multi.length,
        toolsPerTrace: toolsPer,
        sumMsP50: round(percentile(sums, 50)),
        criticalPathMsP50: round(percentile(critical, 50)),
        savedMsP95: round(percentile(savedPerTrace, 95)),
      },
    },
    impact: {
      p50Ms: round(percentile(sums, 50) - percentile(critical, 50)),
      p95Ms: round(percentile(sums, 95) - percentile(critical, 95)),
      ttftP95Ms: 0,
      perceivedMs: round(meanSaved),
      usdPerRequest: 0,
      usdPerDay: 0,
    },
    confidence: confidenceOf(sequential.length),
  };
}

/** One more than the largest trace code of the LLM calls. */
function traceCodeSpace(ctx: FindingContext): number {
  const t = ctx.traffic.llm;
  let max = NONE;
  for (let i = 0; i < t.length; i++) if (t.trace[i]! > max) max = t.trace[i]!;
  return max + 1;
}

/** Each trace's tool spans grouped by parent, in time order (tools are sorted): built once per analysis. */
function toolsByTrace(ctx: FindingContext): Map<number, number[][]> {
  const tools = ctx.traffic.tools;
  const groups = new Map<number, Map<number, number[]>>();
  for (let k = 0; k < tools.length; k++) {
    const trace = tools.trace[k]!;
    if (trace === NONE) continue;
    let byParent = groups.get(trace);
    if (!byParent) groups.set(trace, (byParent = new Map()));
    const list = byParent.get(tools.parent[k]!);
    if (list) list.push(k);
    else byParent.set(tools.parent[k]!, [k]);
  }
  const out = new Map<number, number[][]>();
  for (const [trace, byParent] of groups) out.set(trace, [...byParent.values()]);
  return out;
}
