import type Anthropic from "@anthropic-ai/sdk";
import { createRng, intBetween, pick, type Rng } from "../simulator/prng";
import {
  RESEARCH_FOLLOW_UPS,
  RESEARCH_QUESTIONS,
  RESEARCH_SYSTEM,
  RESEARCH_TOOLS,
  REVIEW_DIFFS,
  REVIEW_FOLLOW_UPS,
  REVIEW_SYSTEM,
  SUPPORT_QUESTIONS,
  SUPPORT_SYSTEM,
} from "./demo-prompts";

export const DEMO_FAULTS = ["429", "529", "500", "stream-error", "stall"] as const;
export type DemoFault = (typeof DEMO_FAULTS)[number];

/** One simulated agent session: a system prompt, its user turns, and how the calls are made. */
export type DemoTask = {
  agent: string;
  route: string;
  model: string;
  sessionId: string;
  tags: Record<string, string>;
  system: Anthropic.TextBlockParam[];
  tools?: Anthropic.Tool[];
  /** Top-level cache_control: the conversation so far is cached as it grows. */
  autoCache: boolean;
  stream: boolean;
  maxTokens: number;
  /** User messages in order; tool rounds happen between them. */
  turns: string[];
  /** x-pitwall-cache-ttl for the response cache (repeatable answers only). */
  responseCacheTtlSec?: number;
  /** An upstream fault injected on one call of the session (by x-simulator-fault). */
  fault?: { turn: number; kind: DemoFault };
};

type AgentSpec = { weight: number; build: (rng: Rng) => Omit<DemoTask, "sessionId" | "fault"> };

const AGENTS: Record<string, AgentSpec> = {
  "support-answer": {
    weight: 0.55,
    build: (rng) => ({
      agent: "support-bot",
      route: "support-answer",
      model: "claude-haiku-4-5",
      tags: { team: "support", tier: pick(rng, ["free", "pro", "business"]) },
      system: [{ type: "text", text: SUPPORT_SYSTEM, cache_control: { type: "ephemeral" } }],
      autoCache: false,
      stream: rng() < 0.4,
      maxTokens: 512,
      // A few questions make most of the traffic, so answers repeat and the response cache hits.
      turns: rng() < 0.2 ? [zipfPick(rng, SUPPORT_QUESTIONS), "Thanks. Is there anything else I should check?"] : [zipfPick(rng, SUPPORT_QUESTIONS)],
      responseCacheTtlSec: 3600,
    }),
  },
  "code-review": {
    weight: 0.27,
    build: (rng) => ({
      agent: "review-bot",
      route: "code-review",
      model: "claude-sonnet-4-6",
      tags: { team: "platform", repo: pick(rng, ["api", "web", "infra"]) },
      // The style guide changes rarely: a 1h breakpoint, then the conversation on 5m (longer TTLs first).
      system: [{ type: "text", text: REVIEW_SYSTEM, cache_control: { type: "ephemeral", ttl: "1h" } }],
      autoCache: true,
      stream: true,
      maxTokens: 1024,
      turns: [`Please review:\n${pick(rng, REVIEW_DIFFS)}`, ...sample(rng, REVIEW_FOLLOW_UPS, intBetween(rng, 0, 2))],
    }),
  },
  "research-planner": {
    weight: 0.18,
    build: (rng) => ({
      agent: "research-agent",
      route: "research-planner",
      model: "claude-opus-4-6",
      tags: { team: "strategy" },
      system: [{ type: "text", text: RESEARCH_SYSTEM, cache_control: { type: "ephemeral" } }],
      tools: RESEARCH_TOOLS,
      autoCache: true,
      stream: rng() < 0.7,
      maxTokens: 2048,
      turns: [pick(rng, RESEARCH_QUESTIONS), ...sample(rng, RESEARCH_FOLLOW_UPS, intBetween(rng, 0, 1))],
    }),
  },
};

export const DEMO_ROUTES = Object.keys(AGENTS);
/** Share of sessions that meet one upstream fault. */
export const FAULT_SESSION_RATE = 0.05;

/**
 * The demo's traffic plan: an endless, deterministic sequence of agent sessions under a seed.
 * Pure (no I/O), so tests check its mix, repeats and faults without a server.
 */
export function createScenario(seed: number): { next: () => DemoTask } {
  const rng = createRng(seed);
  const tag = (seed >>> 0).toString(36);
  let n = 0;
  return {
    next() {
      const name = weightedPick(rng, Object.entries(AGENTS).map(([key, spec]) => [key, spec.weight] as const));
      const sessionId = `demo-${name}-${tag}-${n++}`;
      const base = AGENTS[name]!.build(rng);
      const faultDraw = rng();
      const fault = faultDraw < FAULT_SESSION_RATE ? { turn: intBetween(rng, 0, base.turns.length - 1), kind: pickFault(rng, base.stream) } : undefined;
      return { ...base, sessionId, ...(fault ? { fault } : {}) };
    },
  };
}

function pickFault(rng: Rng, stream: boolean): DemoFault {
  const kind = weightedPick(rng, [
    ["429", 0.35],
    ["529", 0.3],
    ["500", 0.15],
    ["stream-error", 0.15],
    ["stall", 0.05],
  ] as const);
  // A mid-stream error needs a stream; a non-streaming call meets an overload instead.
  return kind === "stream-error" && !stream ? "529" : kind;
}

/** Zipf-like: the first items are asked far more often than the last. */
function zipfPick<T>(rng: Rng, items: readonly T[]): T {
  return weightedPick(rng, items.map((item, i) => [item, 1 / (i + 1)] as const));
}

function weightedPick<T>(rng: Rng, entries: readonly (readonly [T, number])[]): T {
  const total = entries.reduce((s, [, w]) => s + w, 0);
  let draw = rng() * total;
  for (const [item, weight] of entries) {
    draw -= weight;
    if (draw < 0) return item;
  }
  return entries.at(-1)![0];
}

function sample<T>(rng: Rng, items: readonly T[], count: number): T[] {
  const pool = [...items];
  const out: T[] = [];
  while (out.length < count && pool.length > 0) out.push(pool.splice(Math.floor(rng() * pool.length), 1)[0]!);
  return out;
}
