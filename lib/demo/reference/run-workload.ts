import Anthropic from "@anthropic-ai/sdk";
import { setMaxListeners } from "node:events";
import { setTimeout as sleep } from "node:timers/promises";
import { createPitwall, type Pitwall } from "../../sdk/pitwall";
import { OUTPUT_TOKENS_HEADER } from "../../simulator/reply-length";
import type { WorkloadVariant } from "./manifest";
import { planWorkload, windowedMessages, type PlannedJob, type WorkloadOptions, type WorkloadPlan } from "./workload-plan";

export type ReferenceWorkloadInput = {
  /** Pitwall's base URL (http://127.0.0.1:3000): the gateway is under /gateway, events under /api/v1/events. */
  baseUrl: string;
  /** A project key with the gateway and ingest scopes (tool spans go through the SDK's ingest). */
  apiKey: string;
  /** Overrides: where the Anthropic client and the Pitwall SDK point, when not under baseUrl. */
  gatewayUrl?: string;
  eventsUrl?: string;
  /** A separate ingest key for the tool spans (default: apiKey). */
  ingestKey?: string;
  variant?: WorkloadVariant;
  seed?: number;
  /** LLM requests in the run. Default 300. */
  requests?: number;
  /** Sessions in flight at once. Default 64: above what the default arrival rate keeps busy, so arrivals keep their planned gaps. */
  concurrency?: number;
  /**
   * Compresses workload time: arrival gaps and tool durations are multiplied by it, as the
   * simulator's latencyScale multiplies model latencies (set both to the same figure). Default 1.
   */
  latencyScale?: number;
  /** Sessions starting per second of workload time. Default 2. */
  arrivalsPerSec?: number;
  options?: WorkloadOptions;
  signal?: AbortSignal;
  /** Called after each finished LLM call (progress bars, the settings page's counter). */
  onCall?: (done: number, planned: number) => void;
};

export type RouteCounts = {
  requests: number;
  ok: number;
  failed: number;
  /** Calls that repeat an earlier call's prompt exactly. */
  repeats: number;
  streamed: number;
  sessions: number;
  traces: number;
  toolSpans: number;
};

export type ReferenceWorkloadResult = {
  variant: WorkloadVariant;
  seed: number;
  latencyScale: number;
  options: WorkloadOptions;
  planned: number;
  sent: number;
  ok: number;
  failed: number;
  /** Calls not made because the run was aborted. */
  skipped: number;
  byRoute: Record<string, RouteCounts>;
  /** Gateway request ids (x-pitwall-request-id) of the calls, in the order they finished. */
  requestIds: string[];
  startedAt: string;
  endedAt: string;
  wallMs: number;
  /** The SDK's delivery of the tool spans (sent, rejected, dropped...). */
  toolDelivery: Pitwall["stats"];
};

const CALL_TIMEOUT_MS = 10 * 60_000;

/**
 * Runs the reference (or clean) agent fleet through a Pitwall gateway with the official SDK and
 * records tool spans with the Pitwall SDK: the traffic the advisor's findings, replay and bench
 * are checked on. Resolves when every planned call has finished and the spans are delivered.
 */
export async function runReferenceWorkload(input: ReferenceWorkloadInput): Promise<ReferenceWorkloadResult> {
  const scale = input.latencyScale ?? 1;
  if (!(scale > 0)) throw new Error("latencyScale must be above 0 (it compresses time; 0 would collapse it)");
  const concurrency = input.concurrency ?? 64;
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new Error("concurrency must be a whole number above 0");
  const options = input.options ?? {};
  const plan: WorkloadPlan = planWorkload({ variant: input.variant ?? "reference", seed: input.seed ?? 1, requests: input.requests ?? 300, arrivalsPerSec: input.arrivalsPerSec, options });
  const root = input.baseUrl.replace(/\/+$/, "");
  const client = new Anthropic({ baseURL: input.gatewayUrl ?? `${root}/gateway`, apiKey: input.apiKey, maxRetries: 0, timeout: CALL_TIMEOUT_MS });
  const pitwall = createPitwall({ baseUrl: input.eventsUrl ?? root, apiKey: input.ingestKey ?? input.apiKey, flushOnExit: false });

  const byRoute: Record<string, RouteCounts> = {};
  for (const [route] of Object.entries(plan.requestsByRoute)) byRoute[route] = { requests: 0, ok: 0, failed: 0, repeats: 0, streamed: 0, sessions: 0, traces: 0, toolSpans: 0 };
  const requestIds: string[] = [];
  const totals = { sent: 0, ok: 0, failed: 0 };
  const signal = input.signal;
  // Every call and tool in flight listens on the run's signal.
  if (signal) setMaxListeners(concurrency * 8 + 16, signal);
  const startedWall = Date.now();
  const started = performance.now();

  async function call(job: PlannedJob, messages: Anthropic.MessageParam[], traceHeaders: Record<string, string>): Promise<Anthropic.Message | undefined> {
    const counts = byRoute[job.route]!;
    counts.requests++;
    totals.sent++;
    if (job.repeatOf !== null) counts.repeats++;
    if (job.stream) counts.streamed++;
    const headers: Record<string, string> = {
      "x-pitwall-route": job.route,
      "x-pitwall-agent": job.agent,
      "x-pitwall-session": job.sessionId,
      "x-pitwall-tags": Object.entries(job.tags)
        .map(([k, v]) => `${k}=${v}`)
        .join(","),
      [OUTPUT_TOKENS_HEADER]: String(job.outputTokens),
      ...traceHeaders,
    };
    const params = { model: job.model, max_tokens: job.maxTokens, system: job.system, messages };
    try {
      const { data, response } = job.stream
        ? await (async () => {
            const stream = client.messages.stream(params, { headers, signal });
            const message = await stream.finalMessage();
            const { response } = await stream.withResponse();
            return { data: message, response };
          })()
        : await client.messages.create(params, { headers, signal }).withResponse();
      const id = response.headers.get("x-pitwall-request-id");
      if (id) requestIds.push(id);
      counts.ok++;
      totals.ok++;
      return data;
    } catch {
      counts.failed++;
      totals.failed++;
      return undefined;
    } finally {
      input.onCall?.(totals.sent, plan.requests);
    }
  }

  async function runTools(job: PlannedJob, tools: string[]): Promise<void> {
    const run = (name: string) => pitwall.tool(name, () => sleep(job.toolMs * scale));
    if (job.toolsParallel) await Promise.all(tools.map(run));
    else for (const name of tools) await run(name);
    byRoute[job.route]!.toolSpans += tools.length;
  }

  async function runSession(job: PlannedJob): Promise<void> {
    byRoute[job.route]!.sessions++;
    const history: Anthropic.MessageParam[] = [];
    for (const turn of job.turns) {
      if (signal?.aborted) return;
      history.push({ role: "user", content: turn.userText });
      const messages = windowedMessages(history, job.contextWindowTurns);
      let reply: Anthropic.Message | undefined;
      if (turn.tools.length > 0) {
        byRoute[job.route]!.traces++;
        reply = await pitwall.trace(
          `${job.route}-turn`,
          async () => {
            await runTools(job, turn.tools);
            return call(job, messages, pitwall.traceHeaders());
          },
          { sessionId: job.sessionId },
        );
      } else {
        reply = await call(job, messages, {});
      }
      // An agent whose call failed gives up on the session.
      if (!reply) return;
      history.push({ role: "assistant", content: reply.content.filter((b) => b.type === "text").map((b) => ({ type: "text" as const, text: b.text })) });
    }
  }

  // Sessions start at their planned (compressed) arrival time, at most `concurrency` at once.
  const running = new Set<Promise<void>>();
  let sessionError: unknown;
  for (const job of plan.jobs) {
    if (signal?.aborted) break;
    const wait = job.arrivalMs * scale - (performance.now() - started);
    if (wait >= 1) await sleep(wait, undefined, { signal }).catch(() => undefined);
    while (running.size >= concurrency) await Promise.race(running);
    if (signal?.aborted) break;
    // A session that throws (not a failed call: those are counted) ends the run once the others
    // are done; caught here so no rejection goes unhandled while the loop waits.
    const session = runSession(job)
      .catch((err: unknown) => void (sessionError ??= err))
      .finally(() => running.delete(session));
    running.add(session);
  }
  await Promise.allSettled(running);
  if (sessionError !== undefined) {
    await pitwall.shutdown(5_000);
    throw sessionError;
  }
  await pitwall.flush();
  await pitwall.shutdown(5_000);
  const endedWall = Date.now();
  return {
    variant: plan.variant,
    seed: plan.seed,
    latencyScale: scale,
    options,
    planned: plan.requests,
    sent: totals.sent,
    ok: totals.ok,
    failed: totals.failed,
    skipped: plan.requests - totals.sent,
    byRoute,
    requestIds,
    startedAt: new Date(startedWall).toISOString(),
    endedAt: new Date(endedWall).toISOString(),
    wallMs: endedWall - startedWall,
    toolDelivery: pitwall.stats,
  };
}
