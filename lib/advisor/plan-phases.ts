import type { CachePolicy, CacheRule } from "../policies/cache-policy-schema";
import type { PromptCacheTtl, RoutingAction, RoutingPolicy, RoutingRule } from "../policies/routing-policy-schema";
import type { Finding, FindingKind } from "./finding-schema";
import { PHASE_IDS, type Phase } from "./plan-schema";
import type { CodeChanges, ReplayPolicies } from "./replay/simulate";

/**
 * The plan's phases from the findings, in the reference case's order (caching first, model
 * changes last), each with the document change or the code change it stands for. Documents are
 * cumulative: phase k's document is the live one with phases 1..k applied. Pure.
 *
 * Finding details read here (written by lib/advisor/findings): response_cache
 * `recommendedTtlSec`; prompt_caching `recommendedTtl` ("5m" | "1h"); model_right_sizing
 * `candidateModel` and `maxInputTokens`; context_growth `windowTurns`.
 */

export type PhaseDraft = Omit<Phase, "projection"> & { policies: ReplayPolicies; codeChanges: CodeChanges };

const DEFAULT_RESPONSE_TTL_SEC = 600;
const DEFAULT_WINDOW_TURNS = 10;
const num = (v: unknown): number | undefined => (typeof v === "number" && Number.isFinite(v) ? v : undefined);
const text = (v: unknown): string | undefined => (typeof v === "string" && v.length > 0 ? v : undefined);
const ruleId = (prefix: string, route: string | null) => `advisor-${prefix}-${(route ?? "all").replace(/[^A-Za-z0-9_.-]/g, "-")}`.slice(0, 64);
const withoutIds = <T extends { id: string }>(rules: T[], ids: Set<string>) => rules.filter((r) => !ids.has(r.id));

const SNIPPETS: Record<"streaming" | "sequential_tools" | "context_growth" | "batch", { title: string; howTo: string; snippet: string; assumes: CodeChanges }> = {
  streaming: {
    title: "Stream responses in the client",
    howTo: "Call the Messages API with streaming and render text as it arrives: the user waits for the first token, not the whole answer. Nothing changes on the gateway.",
    snippet: `const stream = anthropic.messages.stream({ model, max_tokens, messages });\nstream.on("text", (delta) => render(delta));\nconst message = await stream.finalMessage();`,
    assumes: { stream: true },
  },
  sequential_tools: {
    title: "Run independent tools in parallel",
    howTo: "When a turn asks for several tools that do not depend on each other, run them at once and send all results back in one user message; each tool keeps its own span.",
    snippet: `const results = await Promise.all(toolUses.map((use) =>\n  pitwall.tool(use.name, () => runTool(use), { input: use.input })\n    .then((output) => ({ type: "tool_result", tool_use_id: use.id, content: output }))));\nmessages.push({ role: "user", content: results });`,
    assumes: {},
  },
  context_growth: {
    title: "Trim the context to a sliding window",
    howTo: "Keep the system prompt, the first turn (the task) and the last N turns (or a summary of the older ones) instead of the whole session history.",
    snippet: `const WINDOW = 10; // turns (user + assistant)\nconst trimmed = messages.length > 2 * WINDOW + 3 ? [...messages.slice(0, 2), ...messages.slice(-(2 * WINDOW + 1))] : messages;\nawait anthropic.messages.create({ model, max_tokens, system, messages: trimmed });`,
    assumes: {},
  },
  batch: {
    title: "Send non-interactive calls through the Message Batches API",
    howTo: "Calls nobody waits on (nightly reports, backfills) cost half through the Batches API; results arrive within 24 hours.",
    snippet: `const batch = await anthropic.messages.batches.create({\n  requests: jobs.map((job, i) => ({ custom_id: String(i), params: { model, max_tokens, messages: job.messages } })),\n});`,
    assumes: {},
  },
};

function byKind(findings: readonly Finding[]): Map<FindingKind, Finding[]> {
  const m = new Map<FindingKind, Finding[]>();
  for (const f of findings) m.set(f.kind, [...(m.get(f.kind) ?? []), f]);
  return m;
}

function summary(fs: Finding[], kind: FindingKind) {
  return { kind, routes: fs.map((f) => f.route), title: fs.map((f) => f.title).join("; ") };
}

export function buildPhases(findings: readonly Finding[], live: ReplayPolicies): PhaseDraft[] {
  const found = byKind(findings);
  const phases: PhaseDraft[] = [];
  let routing: RoutingPolicy = live.routing;
  let cache: CachePolicy = live.cache;
  const code: CodeChanges = {};
  for (const id of PHASE_IDS) {
    const fs = found.get(id);
    if (!fs || fs.length === 0) continue;
    const usdPerDaySaved = fs.reduce((s, f) => s + f.impact.usdPerDay, 0);
    const base = { id, finding: summary(fs, id), usdPerDaySaved, notes: [] as string[] };
    if (id === "response_cache") {
      const rules: CacheRule[] = fs.map((f) => ({
        id: ruleId("cache", f.route),
        description: `Advisor: ${f.title}`,
        ttlSec: Math.round(num(f.evidence.details.recommendedTtlSec) ?? DEFAULT_RESPONSE_TTL_SEC),
        scope: "project",
        match: f.route !== null ? { route: f.route } : {},
      }));
      cache = { ...cache, rules: [...rules, ...withoutIds(cache.rules, new Set(rules.map((r) => r.id)))] };
      phases.push({ ...base, type: "policy", title: "Cache exact repeats", policy: { kind: "cache", document: cache, changes: rules.map((r) => `response cache ${r.ttlSec} s on ${r.match.route ?? "every route"}`) }, code: null, policies: { routing, cache }, codeChanges: { ...code } });
    } else if (id === "prompt_caching") {
      const ttls = fs.map((f) => (f.evidence.details.recommendedTtl === "1h" ? "1h" : "5m") as PromptCacheTtl);
      const ttl: PromptCacheTtl = ttls.filter((t) => t === "1h").length > ttls.length / 2 ? "1h" : "5m";
      const on = (a: RoutingAction): RoutingAction => ({ ...a, promptCaching: { enabled: true, ttl } });
      // Caching a long system prompt is model-independent: every rule and the default turn it on.
      routing = { ...routing, rules: routing.rules.map((r) => ({ ...r, action: on(r.action) })), default: on(routing.default) };
      phases.push({ ...base, type: "policy", title: "Cache the system prompt", policy: { kind: "routing", document: routing, changes: [`prompt caching on (${ttl} TTL) for every rule and the default`] }, code: null, policies: { routing, cache }, codeChanges: { ...code } });
    } else if (id === "model_right_sizing") {
      const rules: RoutingRule[] = fs.flatMap((f) => {
        const model = text(f.evidence.details.candidateModel);
        if (!model) return [];
        const maxInput = num(f.evidence.details.maxInputTokens);
        return [{
          id: ruleId("model", f.route),
          description: `Advisor: ${f.title} (verify quality in the playground)`,
          match: { ...(f.route !== null ? { route: f.route } : {}), ...(maxInput !== undefined ? { inputTokens: { max: Math.round(maxInput) } } : {}) },
          action: { model, ...(routing.default.promptCaching ? { promptCaching: routing.default.promptCaching } : {}) },
        }];
      });
      if (rules.length === 0) continue;
      routing = { ...routing, rules: [...rules, ...withoutIds(routing.rules, new Set(rules.map((r) => r.id)))] };
      phases.push({ ...base, type: "policy", title: "Right-size the model", policy: { kind: "routing", document: routing, changes: rules.map((r) => `${r.match.route ?? "every route"}${r.match.inputTokens ? ` (≤ ${r.match.inputTokens.max} input tokens)` : ""} → ${r.action.model}`) }, code: null, policies: { routing, cache }, codeChanges: { ...code } });
    } else {
      const s = SNIPPETS[id];
      if (id === "streaming") code.stream = true;
      if (id === "context_growth") code.contextWindowTurns = Math.round(Math.max(...fs.map((f) => num(f.evidence.details.windowTurns) ?? DEFAULT_WINDOW_TURNS)));
      const notes: string[] = [];
      if (id === "sequential_tools") notes.push(`Tool time per trace: saves about ${Math.round(Math.max(...fs.map((f) => f.impact.p50Ms)))} ms per agent turn (critical path against the sum of sequential spans); the LLM calls' own latency does not change.`);
      if (id === "batch") notes.push("Batch calls are billed at 50%: the saving is the finding's estimate, not replayed (the gateway does not route to the Batches API).");
      const assumes = id === "context_growth" ? { contextWindowTurns: code.contextWindowTurns! } : s.assumes;
      const snippet = id === "context_growth" ? s.snippet.replace("WINDOW = 10", `WINDOW = ${code.contextWindowTurns}`) : s.snippet;
      phases.push({ ...base, notes, type: "code", title: s.title, policy: null, code: { howTo: s.howTo, snippet, assumes }, policies: { routing, cache }, codeChanges: { ...code } });
    }
  }
  return phases;
}
