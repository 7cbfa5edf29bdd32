import { mergeUsage, ZERO_USAGE, type CallUsage } from "../gateway/usage";

/**
 * One pane's live call as the browser sees it: the gateway's SSE stream parsed frame by frame
 * into the text, the usage by kind and the timing. Pure and mutable (the page keeps it in a ref
 * and paints once per animation frame), tested without a browser.
 */
export type PaneStatus = "idle" | "waiting" | "streaming" | "done" | "error" | "aborted";

export type PaneLive = {
  status: PaneStatus;
  text: string;
  /** The gateway's call id (x-pitwall-request-id): the recorded event's id. */
  eventId: string | null;
  servedModel: string | null;
  /** The response-cache status as recorded (x-pitwall-cache-status; else x-pitwall-cache lowercased). */
  responseCache: string | null;
  /** The gateway's TTFT for this call, carried in the stream (event pitwall_timing). */
  gatewayTtftMs: number | null;
  /** Client clock (performance.now) at send, at the response head, at the first delta, at the end. */
  sentAt: number;
  headAt: number | null;
  firstDeltaAt: number | null;
  lastDeltaAt: number | null;
  endedAt: number | null;
  /** x-pitwall-elapsed-ms: gateway time from the call's arrival to the response head. */
  gatewayElapsedAtHead: number | null;
  usage: CallUsage;
  /** Characters of output seen (a token estimate before the final usage arrives). */
  outputChars: number;
  /** Arrival of each delta, ms after the first one, with its size in characters. */
  arrivals: { atMs: number; chars: number }[];
  error: string | null;
  /** Unparsed tail of the stream (a frame split across chunks). */
  buffer: string;
};

export function newPaneLive(sentAt: number): PaneLive {
  return {
    status: "waiting",
    text: "",
    eventId: null,
    servedModel: null,
    responseCache: null,
    gatewayTtftMs: null,
    sentAt,
    headAt: null,
    firstDeltaAt: null,
    lastDeltaAt: null,
    endedAt: null,
    gatewayElapsedAtHead: null,
    usage: { ...ZERO_USAGE },
    outputChars: 0,
    arrivals: [],
    error: null,
    buffer: "",
  };
}

type HeaderGetter = { get(name: string): string | null };

/** The response head arrived: ids, served model, cache status and the gateway's elapsed time. */
export function onHead(p: PaneLive, headers: HeaderGetter, now: number): void {
  p.headAt = now;
  p.eventId = headers.get("x-pitwall-request-id");
  p.servedModel = headers.get("x-pitwall-model");
  p.responseCache = headers.get("x-pitwall-cache-status") ?? headers.get("x-pitwall-cache")?.toLowerCase() ?? null;
  const elapsed = Number(headers.get("x-pitwall-elapsed-ms"));
  p.gatewayElapsedAtHead = headers.get("x-pitwall-elapsed-ms") !== null && Number.isFinite(elapsed) ? elapsed : null;
  p.status = "streaming";
}

/** Feeds a decoded chunk of the SSE body; complete frames are applied, a partial one waits. */
export function pushChunk(p: PaneLive, chunk: string, now: number): void {
  p.buffer += chunk;
  let end: number;
  while ((end = p.buffer.indexOf("\n\n")) !== -1) {
    const frame = p.buffer.slice(0, end);
    p.buffer = p.buffer.slice(end + 2);
    applyFrame(p, frame, now);
  }
}

function applyFrame(p: PaneLive, frame: string, now: number): void {
  let event = "";
  let data = "";
  for (const line of frame.split("\n")) {
    if (line.startsWith("event:")) event = line.slice(6).trim();
    else if (line.startsWith("data:")) data += line.slice(5).trim();
  }
  if (!data) return;
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(data) as Record<string, unknown>;
  } catch {
    return;
  }
  const type = event || String(json.type ?? "");
  if (type === "message_start") {
    const message = json.message as { usage?: unknown; model?: unknown } | undefined;
    mergeUsage(p.usage, message?.usage);
    if (typeof message?.model === "string" && !p.servedModel) p.servedModel = message.model;
  } else if (type === "content_block_delta") {
    const delta = json.delta as { type?: string; text?: string; partial_json?: string; thinking?: string } | undefined;
    const piece = delta?.type === "text_delta" ? delta.text : delta?.type === "input_json_delta" ? delta.partial_json : delta?.type === "thinking_delta" ? delta.thinking : undefined;
    p.firstDeltaAt ??= now;
    p.lastDeltaAt = now;
    if (typeof piece === "string") {
      p.text += piece;
      p.outputChars += piece.length;
      p.arrivals.push({ atMs: now - p.firstDeltaAt, chars: piece.length });
    }
  } else if (type === "content_block_start") {
    const block = json.content_block as { type?: string; name?: string } | undefined;
    if (block?.type === "tool_use" && block.name) p.text += `${p.text ? "\n" : ""}[tool_use ${block.name}] `;
  } else if (type === "pitwall_timing") {
    const ttft = Number(json.ttft_ms);
    if (json.ttft_ms !== undefined && Number.isFinite(ttft)) p.gatewayTtftMs = ttft;
  } else if (type === "message_delta") {
    mergeUsage(p.usage, json.usage);
  } else if (type === "error") {
    const err = json.error as { type?: string; message?: string } | undefined;
    p.error = `${err?.type ?? "error"}: ${err?.message ?? "the stream failed"}`;
    p.status = "error";
  } else if (type === "message_stop" && p.status === "streaming") {
    p.status = "done";
  }
}

/** The body ended (or was cut): close the state. */
export function finish(p: PaneLive, now: number): void {
  p.endedAt = now;
  if (p.status === "streaming" || p.status === "waiting") {
    p.status = p.error ? "error" : p.firstDeltaAt === null && p.usage.outputTokens === 0 ? "error" : "done";
    if (p.status === "error" && !p.error) p.error = "The stream ended before an answer.";
  }
}

/** An error answer (JSON, not a stream) or a network failure: the upstream's message is the pane's. */
export function fail(p: PaneLive, message: string, now: number): void {
  p.status = "error";
  p.error = message;
  p.endedAt = now;
}

export function abort(p: PaneLive, now: number): void {
  if (p.status === "waiting" || p.status === "streaming") {
    p.status = "aborted";
    p.endedAt = now;
  }
}

/** The message of an error answer: Anthropic's `{error:{type,message}}` or Pitwall's `{error:{code,message}}`. */
export function errorMessageOf(status: number, body: string): string {
  try {
    const json = JSON.parse(body) as { error?: { type?: string; code?: string; message?: string } };
    if (json.error?.message) return `${status} ${json.error.type ?? json.error.code ?? "error"}: ${json.error.message}`;
  } catch {
    // not JSON: fall through
  }
  return `${status}: ${body.slice(0, 200) || "the call failed"}`;
}

export type PaneFigures = {
  /**
   * The gateway's TTFT, as it records it: carried in the stream; without it (another upstream
   * path), the gateway's elapsed time at the head plus what the browser saw from head to first delta.
   */
  ttftMs: number | null;
  /** What the browser itself saw from sending to the first delta (its scheduling delay included). */
  browserTtftMs: number | null;
  elapsedMs: number;
  /** Output tokens: the reported count, else ~4 characters a token while streaming. */
  outputTokens: number;
  outputTokensPerSec: number | null;
  /** The longest pause between two deltas (a stall shows here). */
  maxGapMs: number | null;
};

export function figuresOf(p: PaneLive, now: number): PaneFigures {
  const head = p.headAt;
  const ttftMs = p.firstDeltaAt === null || head === null ? null : (p.gatewayTtftMs ?? (p.gatewayElapsedAtHead ?? head - p.sentAt) + (p.firstDeltaAt - head));
  const browserTtftMs = p.firstDeltaAt === null ? null : p.firstDeltaAt - p.sentAt;
  const end = p.endedAt ?? now;
  const elapsedMs = Math.max(0, end - p.sentAt);
  const outputTokens = Math.max(p.usage.outputTokens, Math.ceil(p.outputChars / 4));
  const span = p.firstDeltaAt === null ? 0 : (p.status === "streaming" ? now : (p.lastDeltaAt ?? now)) - p.firstDeltaAt;
  const outputTokensPerSec = span > 0 ? (outputTokens / span) * 1000 : null;
  let maxGapMs: number | null = null;
  for (let i = 1; i < p.arrivals.length; i++) maxGapMs = Math.max(maxGapMs ?? 0, p.arrivals[i]!.atMs - p.arrivals[i - 1]!.atMs);
  return { ttftMs, browserTtftMs, elapsedMs, outputTokens, outputTokensPerSec, maxGapMs };
}
