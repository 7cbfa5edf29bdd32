import Anthropic from "@anthropic-ai/sdk";
import { setTimeout as sleep } from "node:timers/promises";
import { SESSION_HEADER } from "../events/hint-headers";
import { log } from "../log";
import { createRng, type Rng } from "../simulator/prng";
import { createScenario, type DemoFault, type DemoTask } from "./scenario";
import { createStallGuard } from "./stall-guard";
import { toolResultFor } from "./tool-results";

export type DemoTrafficOptions = {
  /** The gateway's base URL for the SDK, e.g. http://127.0.0.1:3000/gateway. */
  baseUrl: string;
  apiKey: string;
  /** Calls per second across all agents (default 1: gentle on a small machine). */
  rate?: number;
  /** Stop after this long; default: run until stop(). */
  durationMs?: number;
  seed?: number;
  /** Sessions in flight at once (default 4). */
  concurrency?: number;
  /** Wait before the first call (default 0), e.g. to let the server warm up. */
  startDelayMs?: number;
  /** How long a stream may go without an event before the demo gives up on it (default 15 s). */
  stallTimeoutMs?: number;
};

export type DemoTrafficStats = {
  sessions: number;
  calls: number;
  ok: number;
  failed: number;
  /** Calls cut short by stop() or the end of the run. */
  aborted: number;
  toolRounds: number;
  faultsInjected: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  byRoute: Record<string, number>;
};

export type DemoTraffic = {
  stats: DemoTrafficStats;
  /** Resolves when the run ends (duration reached or stop()). */
  done: Promise<void>;
  stop: () => Promise<void>;
};

const MAX_TOOL_ROUNDS = 3;
const CALL_TIMEOUT_MS = 120_000;
/** A stalled stream never ends by itself; the demo gives up on it as an impatient agent would. */
const STALL_TIMEOUT_MS = 15_000;
const WARN_EVERY_MS = 30_000;

/**
 * Runs simulated agents through the gateway with the official SDK: sessions from the scenario,
 * paced to `rate` calls per second (exponential gaps), each with route, agent, session and tag
 * headers, tool rounds answered with fake tool results, and the scenario's occasional faults.
 */
export function startDemoTraffic(opts: DemoTrafficOptions): DemoTraffic {
  const rate = opts.rate ?? 1;
  if (!(rate > 0)) throw new Error("demo traffic rate must be above 0 calls per second");
  const seed = opts.seed ?? Date.now() % 2 ** 31;
  const concurrency = opts.concurrency ?? 4;
  const client = new Anthropic({ baseURL: opts.baseUrl, apiKey: opts.apiKey, maxRetries: 0, timeout: CALL_TIMEOUT_MS });
  const scenario = createScenario(seed);
  const pacer = new Pacer(rate, createRng(seed ^ 0x5eed));
  const controller = new AbortController();
  const signal = controller.signal;
  const stats: DemoTrafficStats = { sessions: 0, calls: 0, ok: 0, failed: 0, aborted: 0, toolRounds: 0, faultsInjected: 0, cacheReadTokens: 0, cacheWriteTokens: 0, byRoute: {} };
  const running = new Set<Promise<void>>();

  async function call(task: DemoTask, messages: Anthropic.MessageParam[], fault: DemoFault | undefined): Promise<Anthropic.Message | undefined> {
    await pacer.slot(signal);
    if (signal.aborted) return undefined;
    stats.calls++;
    stats.byRoute[task.route] = (stats.byRoute[task.route] ?? 0) + 1;
    if (fault) stats.faultsInjected++;
    const headers: Record<string, string> = {
      "x-pitwall-route": task.route,
      "x-pitwall-agent": task.agent,
      [SESSION_HEADER]: task.sessionId,
      "x-pitwall-tags": Object.entries(task.tags)
        .map(([k, v]) => `${k}=${v}`)
        .join(","),
    };
    if (task.responseCacheTtlSec !== undefined) headers["x-pitwall-cache-ttl"] = String(task.responseCacheTtlSec);
    if (fault) headers["x-simulator-fault"] = fault;
    const params: Anthropic.MessageCreateParamsNonStreaming = {
      model: task.model,
      max_tokens: task.maxTokens,
      system: task.system,
      messages: [...messages],
      ...(task.tools ? { tools: task.tools } : {}),
      ...(task.autoCache ? { cache_control: { type: "ephemeral" as const } } : {}),
    };
    try {
      const message = task.stream ? await streamGuarded(params, headers) : await client.messages.create(params, { headers, signal, timeout: fault === "stall" ? STALL_TIMEOUT_MS : CALL_TIMEOUT_MS });
      stats.ok++;
      stats.cacheReadTokens += message.usage.cache_read_input_tokens ?? 0;
      stats.cacheWriteTokens += message.usage.cache_creation_input_tokens ?? 0;
      return message;
    } catch (err) {
      if (signal.aborted) {
        stats.aborted++;
        return undefined;
      }
      stats.failed++;
      if (!fault) warnThrottled(task.route, err);
      return undefined;
    }
  }

  // The SDK's timeout stops counting once a stream's headers arrive, so a stream that stalls after
  // them needs its own guard: no event for STALL_TIMEOUT_MS, or CALL_TIMEOUT_MS in all, ends it.
  async function streamGuarded(params: Anthropic.MessageCreateParamsNonStreaming, headers: Record<string, string>): Promise<Anthropic.Message> {
    const guard = createStallGuard({ parent: signal, stallMs: opts.stallTimeoutMs ?? STALL_TIMEOUT_MS, capMs: CALL_TIMEOUT_MS });
    try {
      const stream = client.messages.stream(params, { headers, signal: guard.signal, timeout: CALL_TIMEOUT_MS });
      stream.on("streamEvent", guard.touch);
      return await stream.finalMessage();
    } finally {
      guard.dispose();
    }
  }

  // Unexpected failures (the gateway down, a bad key) are logged at most every 30 s, with a count,
  // so a misconfigured demo does not flood the server's log at one line per call.
  let lastWarnAt = 0;
  let unwarned = 0;
  function warnThrottled(route: string, err: unknown): void {
    unwarned++;
    const now = Date.now();
    if (now - lastWarnAt < WARN_EVERY_MS) return;
    log.warn({ route, failures: unwarned, err: describe(err) }, "demo traffic calls failing");
    lastWarnAt = now;
    unwarned = 0;
  }

  async function runSession(task: DemoTask): Promise<void> {
    stats.sessions++;
    const messages: Anthropic.MessageParam[] = [];
    for (const [turn, text] of task.turns.entries()) {
      appendUserText(messages, text);
      for (let round = 0; round <= MAX_TOOL_ROUNDS; round++) {
        const fault = task.fault?.turn === turn && round === 0 ? task.fault.kind : undefined;
        const message = await call(task, messages, fault);
        // An agent whose call failed gives up on the session, as most do.
        if (!message) return;
        messages.push({ role: "assistant", content: message.content });
        const toolUses = message.content.filter((b): b is Anthropic.ToolUseBlock => b.type === "tool_use");
        if (message.stop_reason !== "tool_use" || toolUses.length === 0 || round === MAX_TOOL_ROUNDS) break;
        stats.toolRounds++;
        messages.push({
          role: "user",
          content: toolUses.map((use) => ({ type: "tool_result" as const, tool_use_id: use.id, content: toolResultFor(use.name, use.input) })),
        });
      }
    }
  }

  async function loop(): Promise<void> {
    if (opts.startDelayMs) await sleep(opts.startDelayMs, undefined, { signal }).catch(() => {});
    while (!signal.aborted) {
      if (running.size >= concurrency) {
        await Promise.race(running);
        continue;
      }
      const session = runSession(scenario.next()).catch((err: unknown) => log.error({ err }, "demo session failed"));
      running.add(session);
      void session.finally(() => running.delete(session));
      // Let the new session take its pacing slot before the next one queues behind it.
      await new Promise((resolve) => setImmediate(resolve));
    }
    await Promise.allSettled(running);
  }

  const timer = opts.durationMs !== undefined ? setTimeout(() => controller.abort(), opts.durationMs) : undefined;
  const done = loop().finally(() => clearTimeout(timer));
  return {
    stats,
    done,
    stop: async () => {
      controller.abort();
      await done;
    },
  };
}

/** Consecutive user content (a tool result, then the next question) goes into one user turn. */
function appendUserText(messages: Anthropic.MessageParam[], text: string): void {
  const last = messages.at(-1);
  if (last?.role === "user" && Array.isArray(last.content)) {
    last.content = [...last.content, { type: "text", text }];
    return;
  }
  messages.push({ role: "user", content: text });
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message.slice(0, 200) : String(err).slice(0, 200);
}

/** Spaces call starts by exponential gaps averaging 1/rate seconds: a Poisson arrival process. */
class Pacer {
  private nextAt = Date.now();

  constructor(
    private readonly rate: number,
    private readonly rng: Rng,
  ) {}

  async slot(signal: AbortSignal): Promise<void> {
    const now = Date.now();
    const at = Math.max(now, this.nextAt);
    this.nextAt = at + (-Math.log(1 - this.rng()) / this.rate) * 1000;
    if (at > now) await sleep(at - now, undefined, { signal }).catch(() => {});
  }
}
