import type { ServerResponse } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import type { FaultKind } from "./faults";
import { deltaDelayMs, totalDelayMs, type ReplyTiming } from "./latency-profiles";
import type { CacheUsage } from "./prompt-cache";
import type { PlannedBlock, ReplyPlan } from "./reply-generator";
import { SseWriter } from "./sse-writer";
import { textTokens } from "./token-count";

export type ReplyContext = {
  res: ServerResponse;
  signal: AbortSignal;
  requestId: string;
  messageId: string;
  model: string;
  usage: CacheUsage;
  plan: ReplyPlan;
  timing: ReplyTiming;
  fault?: FaultKind;
};

/** Waits, unless the wait is zero (no timer at all: benchmarks at 0 ms must not pay a tick). */
export async function pause(ms: number, signal: AbortSignal): Promise<void> {
  if (ms >= 1) await sleep(ms, undefined, { signal });
}

/** Resolves only when the client goes away: a stalled upstream. */
export function untilAborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener("abort", () => resolve(), { once: true });
  });
}

export async function sendJsonReply(ctx: ReplyContext): Promise<void> {
  await pause(totalDelayMs(ctx.timing, ctx.plan.outputTokens), ctx.signal);
  const message = {
    ...messageShell(ctx),
    content: ctx.plan.blocks.map(finalBlock),
    stop_reason: ctx.plan.stopReason,
    stop_sequence: ctx.plan.stopSequence,
    usage: usageBody(ctx.usage, ctx.plan.outputTokens),
  };
  const payload = JSON.stringify(message);
  ctx.res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(payload), "request-id": ctx.requestId });
  ctx.res.end(payload);
}

/**
 * The stream, in the API's order: message_start, ping, then per block content_block_start, its
 * deltas (paced by the latency profile), content_block_stop, then message_delta with the
 * cumulative usage and message_stop. A `stream-error` or `stall` fault strikes halfway through the
 * deltas: the first sends an `error` event and ends the stream, the second goes silent.
 */
export async function sendStreamReply(ctx: ReplyContext): Promise<void> {
  const { signal, plan } = ctx;
  await pause(ctx.timing.ttftMs, signal);
  const sse = new SseWriter(ctx.res, signal);
  sse.open(ctx.requestId);
  await sse.send("message_start", {
    type: "message_start",
    message: { ...messageShell(ctx), content: [], stop_reason: null, stop_sequence: null, usage: usageBody(ctx.usage, 1) },
  });
  await sse.send("ping", { type: "ping" });

  // Profile pacing runs on a clock from the first token: each delta is due when its share of the
  // reply's characters would have been generated, so the last one lands at TTFT + output tokens x
  // ms per token, exactly when the same reply unstreamed arrives. A timer that fires late (a tick
  // is ~1 ms, a loaded event loop adds more) is caught up on the next delta instead of adding up,
  // and no per-delta rounding of tokens stretches the stream. Fixed mode keeps a pause per delta.
  const totalDeltas = plan.blocks.reduce((n, b) => n + Math.max(1, b.chunks.length), 0);
  const faultAt = ctx.fault === "stream-error" || ctx.fault === "stall" ? Math.floor(totalDeltas / 2) : -1;
  const firstTokenAt = performance.now();
  const chunkChars = plan.blocks.flatMap((b) => (b.chunks.length > 0 ? b.chunks : [""]).map((c) => c.length));
  const pacedChars = chunkChars.reduce((a, b) => a + b, 0) - (chunkChars[0] ?? 0);
  const generationMs = totalDelayMs(ctx.timing, plan.outputTokens) - ctx.timing.ttftMs;
  let charsDue = 0;
  let sent = 0;
  for (const [index, block] of plan.blocks.entries()) {
    if (index > 0) await sse.send("ping", { type: "ping" });
    await sse.send("content_block_start", { type: "content_block_start", index, content_block: startBlock(block) });
    const chunks = block.chunks.length > 0 ? block.chunks : [""];
    for (const chunk of chunks) {
      if (sent > 0) {
        if (ctx.timing.fixedDeltaMs !== undefined) await pause(deltaDelayMs(ctx.timing, Math.max(1, textTokens(chunk))), signal);
        else {
          charsDue += chunk.length;
          const due = pacedChars > 0 ? (generationMs * charsDue) / pacedChars : 0;
          await pause(firstTokenAt + due - performance.now(), signal);
        }
      }
      if (sent === faultAt) {
        if (ctx.fault === "stall") return untilAborted(signal);
        await sse.send("error", { type: "error", error: { type: "overloaded_error", message: "Overloaded (simulated stream error)." }, request_id: ctx.requestId });
        sse.end();
        return;
      }
      await sse.send("content_block_delta", { type: "content_block_delta", index, delta: delta(block, chunk) });
      sent++;
    }
    if (block.type === "thinking") {
      await sse.send("content_block_delta", { type: "content_block_delta", index, delta: { type: "signature_delta", signature: block.signature } });
    }
    await sse.send("content_block_stop", { type: "content_block_stop", index });
  }
  const u = usageBody(ctx.usage, plan.outputTokens);
  await sse.send("message_delta", {
    type: "message_delta",
    delta: { stop_reason: plan.stopReason, stop_sequence: plan.stopSequence },
    usage: {
      input_tokens: u.input_tokens,
      cache_creation_input_tokens: u.cache_creation_input_tokens,
      cache_read_input_tokens: u.cache_read_input_tokens,
      output_tokens: u.output_tokens,
    },
  });
  await sse.send("message_stop", { type: "message_stop" });
  sse.end();
}

function messageShell(ctx: ReplyContext) {
  return { id: ctx.messageId, type: "message" as const, role: "assistant" as const, model: ctx.model };
}

export function usageBody(usage: CacheUsage, outputTokens: number) {
  return {
    input_tokens: usage.inputTokens,
    cache_creation_input_tokens: usage.cacheWrite5mTokens + usage.cacheWrite1hTokens,
    cache_read_input_tokens: usage.cacheReadTokens,
    cache_creation: { ephemeral_5m_input_tokens: usage.cacheWrite5mTokens, ephemeral_1h_input_tokens: usage.cacheWrite1hTokens },
    output_tokens: outputTokens,
    service_tier: "standard" as const,
  };
}

function finalBlock(block: PlannedBlock): Record<string, unknown> {
  switch (block.type) {
    case "text":
      return { type: "text", text: block.text };
    case "thinking":
      return { type: "thinking", thinking: block.thinking, signature: block.signature };
    case "tool_use":
      return { type: "tool_use", id: block.id, name: block.name, input: block.input };
  }
}

function startBlock(block: PlannedBlock): Record<string, unknown> {
  switch (block.type) {
    case "text":
      return { type: "text", text: "" };
    case "thinking":
      return { type: "thinking", thinking: "", signature: "" };
    case "tool_use":
      return { type: "tool_use", id: block.id, name: block.name, input: {} };
  }
}

function delta(block: PlannedBlock, chunk: string): Record<string, unknown> {
  switch (block.type) {
    case "text":
      return { type: "text_delta", text: chunk };
    case "thinking":
      return { type: "thinking_delta", thinking: chunk };
    case "tool_use":
      return { type: "input_json_delta", partial_json: chunk };
  }
}
