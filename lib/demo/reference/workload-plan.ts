import type Anthropic from "@anthropic-ai/sdk";
import { createRng, type Rng } from "../../simulator/prng";
import { fillerText } from "./filler-text";
import { NON_INTERACTIVE_TAG, WORKLOAD_MANIFESTS, type RouteManifest, type WorkloadVariant } from "./manifest";

/** The code-change phases of the advisor's plan, as options of the agents' code. */
export type WorkloadOptions = {
  /** Stream every call (the client change the streaming finding asks for). */
  stream?: boolean;
  /** Run a trace's tools at once (Promise.all) instead of one after another. */
  parallelTools?: boolean;
  /** Sliding window: a session's calls carry its first turn (the task) and only its last N turns. */
  contextWindowTurns?: number;
};

export type PlanInput = {
  variant: WorkloadVariant;
  seed: number;
  /** LLM requests to plan (research sessions come whole, so a route's count rounds to its turns). */
  requests: number;
  /** Sessions (jobs) starting per second of workload time, as a Poisson process. Default 2. */
  arrivalsPerSec?: number;
  options?: WorkloadOptions;
};

export type PlannedTurn = {
  /** The user message this turn adds to the session (task or follow-up, plus the tool results). */
  userText: string;
  /** Tool spans run before the call, in order; their results are already in userText. */
  tools: string[];
};

/** One agent session: its turns run one after another, each an LLM call. */
export type PlannedJob = {
  /** Position in the run (arrival order). */
  index: number;
  route: string;
  agent: string;
  model: string;
  sessionId: string;
  /** Workload time of the session's start, ms from the run's start (real time = this x latencyScale). */
  arrivalMs: number;
  system: Anthropic.TextBlockParam[];
  maxTokens: number;
  outputTokens: number;
  stream: boolean;
  tags: Record<string, string>;
  turns: PlannedTurn[];
  toolMs: number;
  toolsParallel: boolean;
  contextWindowTurns: number | null;
  /** The earlier job this one repeats exactly (same prompt), or null for a fresh prompt. */
  repeatOf: number | null;
};

export type WorkloadPlan = {
  variant: WorkloadVariant;
  seed: number;
  requests: number;
  jobs: PlannedJob[];
  /** Planned LLM requests per route. */
  requestsByRoute: Record<string, number>;
};

const TOOL_NAMES = ["search_docs", "fetch_page", "run_sql", "read_ticket_history", "check_inventory"];
const TEAMS: Record<string, string> = { "ticket-triage": "support", "support-chat": "support", research: "strategy", "nightly-report": "finance" };
/** A repeat copies one of this many most recent fresh prompts of its route: gaps of seconds, well inside any TTL. */
const REPEAT_RECENCY = 8;

/**
 * The workload as data: pure and seeded, so the same input gives the same requests (the test
 * compares two plans) and the bench can count what was planted before anything runs.
 */
export function planWorkload(input: PlanInput): WorkloadPlan {
  if (!Number.isInteger(input.requests) || input.requests < 1) throw new Error("requests must be a whole number above 0");
  const window = input.options?.contextWindowTurns;
  if (window !== undefined && (!Number.isInteger(window) || window < 1)) throw new Error("contextWindowTurns must be a whole number of turns above 0");
  const manifest = WORKLOAD_MANIFESTS[input.variant];
  const rng = createRng(input.seed);
  const counts = requestCounts(manifest.routes, input.requests);

  // Each route's sessions in order (a repeat after its original), then merged at random.
  const perRoute = manifest.routes.map((r) => routeSessions(r, counts[r.route]!, input, rng));
  const jobs: PlannedJob[] = [];
  const cursors = perRoute.map(() => 0);
  const rate = input.arrivalsPerSec ?? 2;
  let at = 0;
  const indexOf = new Map<string, number>();
  for (;;) {
    const remaining = perRoute.map((list, i) => list.length - cursors[i]!);
    const total = remaining.reduce((a, b) => a + b, 0);
    if (total === 0) break;
    let draw = rng() * total;
    let routeIndex = remaining.findIndex((n) => (draw -= n) < 0);
    if (routeIndex === -1) routeIndex = remaining.findIndex((n) => n > 0);
    const draft = perRoute[routeIndex]![cursors[routeIndex]!++]!;
    if (jobs.length > 0) at += (-Math.log(1 - rng()) / rate) * 1000;
    const index = jobs.length;
    indexOf.set(draft.sessionId, index);
    jobs.push({ ...draft.job, index, arrivalMs: Math.round(at), repeatOf: draft.repeatOfSession ? indexOf.get(draft.repeatOfSession)! : null });
  }
  return { variant: input.variant, seed: input.seed, requests: jobs.reduce((n, j) => n + j.turns.length, 0), jobs, requestsByRoute: counts };
}

/** Requests per route from the shares; sessions come whole; what rounding leaves goes to the largest route. */
function requestCounts(routes: readonly RouteManifest[], requests: number): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of routes) counts[r.route] = Math.round((requests * r.requestShare) / r.turnsPerSession) * r.turnsPerSession;
  const largest = [...routes].filter((r) => r.turnsPerSession === 1).sort((a, b) => b.requestShare - a.requestShare)[0];
  const sum = Object.values(counts).reduce((a, b) => a + b, 0);
  if (largest) counts[largest.route] = Math.max(0, counts[largest.route]! + requests - sum);
  return counts;
}

type Draft = { sessionId: string; repeatOfSession: string | null; job: Omit<PlannedJob, "index" | "arrivalMs" | "repeatOf"> };

function routeSessions(r: RouteManifest, requests: number, input: PlanInput, rng: Rng): Draft[] {
  const sessions = Math.floor(requests / r.turnsPerSession);
  const repeats = pickRepeats(sessions, r.repeatShare, rng);
  const tag = `${input.variant === "reference" ? "ref" : "clean"}-${(input.seed >>> 0).toString(36)}`;
  const drafts: Draft[] = [];
  const fresh: Draft[] = [];
  for (let n = 0; n < sessions; n++) {
    const sessionId = `${tag}-${r.route}-${n}`;
    if (repeats.has(n)) {
      const source = fresh[fresh.length - 1 - Math.floor(rng() * Math.min(REPEAT_RECENCY, fresh.length))]!;
      drafts.push({ sessionId, repeatOfSession: source.sessionId, job: { ...source.job, sessionId } });
      continue;
    }
    const stream = input.options?.stream === true || rng() < r.streamedShare;
    const draft: Draft = { sessionId, repeatOfSession: null, job: sessionJob(r, sessionId, `${tag}-${n}`, input, stream) };
    fresh.push(draft);
    drafts.push(draft);
  }
  return drafts;
}

/** Exactly round(n x share) of the sessions, never the first, repeat an earlier prompt. */
function pickRepeats(n: number, share: number, rng: Rng): Set<number> {
  const k = Math.min(Math.max(0, n - 1), Math.round(n * share));
  const positions = Array.from({ length: Math.max(0, n - 1) }, (_, i) => i + 1);
  for (let i = 0; i < k; i++) {
    const j = i + Math.floor(rng() * (positions.length - i));
    [positions[i], positions[j]] = [positions[j]!, positions[i]!];
  }
  return new Set(positions.slice(0, k));
}

function sessionJob(r: RouteManifest, sessionId: string, unique: string, input: PlanInput, stream: boolean): Draft["job"] {
  const system: Anthropic.TextBlockParam = { type: "text", text: systemPrompt(r) };
  const cacheSystem = r.uncachedSystemShare === 0 && r.systemTokens >= 1024;
  const tags: Record<string, string> = { team: TEAMS[r.route] ?? "agents", interactive: r.interactive ? "true" : NON_INTERACTIVE_TAG.value };
  return {
    route: r.route,
    agent: r.agent,
    model: r.model,
    sessionId,
    system: [cacheSystem ? { ...system, cache_control: { type: "ephemeral" } } : system],
    maxTokens: Math.max(64, r.outputTokens * 2),
    outputTokens: r.outputTokens,
    stream,
    tags,
    turns: Array.from({ length: r.turnsPerSession }, (_, t) => plannedTurn(r, unique, t)),
    toolMs: r.toolMs,
    toolsParallel: input.options?.parallelTools === true || !r.toolsSequential,
    contextWindowTurns: input.options?.contextWindowTurns ?? null,
  };
}

/** The route's system prompt: the same text on every request of the route, whatever the seed. */
function systemPrompt(r: RouteManifest): string {
  const head = `You are ${r.agent}, the ${r.route} agent. `;
  return head + fillerText(r.systemTokens - Math.ceil(head.length / 4), "system", r.route);
}

/**
 * The user message of one turn, sized so the session's context grows by contextGrowthPerTurn:
 * what the tools returned, plus the model's reply of the previous turn (outputTokens).
 */
function plannedTurn(r: RouteManifest, unique: string, turn: number): PlannedTurn {
  const intro = turn === 0 ? `${taskLine(r)} [${unique}]` : `Turn ${turn + 1}: continue with the next step. [${unique}]`;
  if (r.toolsPerTrace === 0) {
    const body = r.maxContextTokens - r.systemTokens - Math.ceil(intro.length / 4);
    return { userText: `${intro}\n${fillerText(Math.max(8, body), "user", r.route, unique, turn)}`, tools: [] };
  }
  const tools = TOOL_NAMES.slice(0, r.toolsPerTrace);
  const perTool = Math.max(16, Math.floor((r.contextGrowthPerTurn - r.outputTokens) / tools.length) - 8);
  const results = tools.map((name) => `[${name}] ${fillerText(perTool, "tool", name, unique, turn)}`);
  return { userText: `${intro}\nTool results:\n${results.join("\n")}`, tools };
}

function taskLine(r: RouteManifest): string {
  switch (r.route) {
    case "ticket-triage":
      return "Classify this ticket as billing, shipping, account or other, and give a priority:";
    case "support-chat":
      return "A customer asks:";
    case "research":
      return "Research task: find why the latency budget is exceeded and propose a fix.";
    case "nightly-report":
      return "Write tonight's operations report from these figures:";
    default:
      return "Handle this request:";
  }
}

/**
 * The messages of a session's next call: every turn so far (user, assistant), or under a sliding
 * window of N turns the first turn (the task) and the last N.
 */
export function windowedMessages(history: Anthropic.MessageParam[], window: number | null): Anthropic.MessageParam[] {
  // history ends with the current user message: turns are (user, assistant) pairs before it.
  const pairs = (history.length - 1) / 2;
  if (window === null || pairs <= window) return [...history];
  return [...history.slice(0, 2), ...history.slice(history.length - 1 - 2 * window)];
}
