import { createRng, intBetween, pick, seedFrom, type Rng } from "./prng";
import type { MessagesRequest, ToolParam } from "./request-schema";
import { canonicalJson } from "../canonical-json";
import { textTokens } from "./token-count";
import { fakeValue } from "./schema-values";

export type StopReason = "end_turn" | "max_tokens" | "stop_sequence" | "tool_use";

/** One content block of the reply, with the pieces a stream sends as deltas. */
export type PlannedBlock =
  | { type: "thinking"; thinking: string; signature: string; chunks: string[] }
  | { type: "text"; text: string; chunks: string[] }
  | { type: "tool_use"; id: string; name: string; input: Record<string, unknown>; chunks: string[] };

export type ReplyPlan = {
  blocks: PlannedBlock[];
  stopReason: StopReason;
  stopSequence: string | null;
  outputTokens: number;
};

/**
 * Writes the simulated model's reply. It depends only on the simulator seed and the request's
 * content (not `stream`, `metadata` or cache_control), so a repeat of a request, streamed or not,
 * gets the very same reply: what response-cache tests compare.
 */
export function generateReply(request: MessagesRequest, seed: number, opts: { outputTokens?: number; key?: string } = {}): ReplyPlan {
  const rng = createRng(seedFrom(seed, opts.key ?? replyKey(request)));
  const lastUser = [...request.messages].reverse().find((m) => m.role === "user");
  const blocks = typeof lastUser?.content === "string" ? [{ type: "text", text: lastUser.content }] : (lastUser?.content ?? []);
  const userText = blocks
    .filter((b) => b.type === "text")
    .map((b) => String((b as { text?: unknown }).text ?? ""))
    .join(" ");
  const afterToolResult = blocks.some((b) => b.type === "tool_result");

  const planned: PlannedBlock[] = [];
  const thinkingType = request.thinking?.type;
  if (thinkingType === "enabled" || thinkingType === "adaptive") {
    const thinking = sentences(rng, intBetween(rng, 2, 4));
    planned.push({ type: "thinking", thinking, signature: `sig_${seedFrom(thinking).toString(16)}`, chunks: wordChunks(rng, thinking) });
  }

  const tool = chooseTool(request, userText, afterToolResult, rng);
  let text: string;
  if (tool) {
    text = request.tool_choice?.type === "auto" || request.tool_choice === undefined ? `I'll use the ${tool.name} tool to look into this.` : "";
  } else {
    const opening = afterToolResult ? "Based on the tool results, here is the answer." : `You asked about ${topicOf(userText)}.`;
    const drawn = intBetween(rng, 40, 300);
    const target = opts.outputTokens ?? drawn;
    text = opening;
    while (textTokens(text) < target) text += " " + sentence(rng);
    // An asked-for length is met exactly (a sentence overshoots by a few tokens).
    if (opts.outputTokens !== undefined) text = text.slice(0, target * 4);
  }

  let stopReason: StopReason = tool ? "tool_use" : "end_turn";
  let stopSequence: string | null = null;
  const cut = firstStopSequence(text, request.stop_sequences ?? []);
  if (cut && !tool) {
    text = text.slice(0, cut.at);
    stopReason = "stop_sequence";
    stopSequence = cut.sequence;
  }

  let toolBlock: PlannedBlock | undefined;
  if (tool) {
    const input = fakeValue(tool.input_schema ?? { type: "object" }, rng) as Record<string, unknown>;
    const id = `toolu_01${base62(rng, 22)}`;
    toolBlock = { type: "tool_use", id, name: tool.name, input, chunks: jsonChunks(rng, JSON.stringify(input)) };
  }

  // max_tokens: the reply is cut where the budget ends, and a cut tool call is dropped (its JSON
  // would be incomplete), as the API stops generating mid-block.
  const thinkingTokens = planned.reduce((n, b) => n + (b.type === "thinking" ? textTokens(b.thinking) : 0), 0);
  const toolTokens = toolBlock?.type === "tool_use" ? textTokens(toolBlock.name) + textTokens(JSON.stringify(toolBlock.input)) : 0;
  const budget = request.max_tokens - thinkingTokens;
  if (budget <= 0 || textTokens(text) + toolTokens > budget) {
    text = text.slice(0, Math.max(0, budget) * 4);
    toolBlock = undefined;
    stopReason = "max_tokens";
    stopSequence = null;
  }

  if (text.length > 0 || !toolBlock) planned.push({ type: "text", text, chunks: wordChunks(rng, text) });
  if (toolBlock) planned.push(toolBlock);

  const outputTokens = Math.max(1, thinkingTokens + textTokens(text) + (toolBlock ? toolTokens : 0));
  return { blocks: planned, stopReason, stopSequence, outputTokens: Math.min(outputTokens, request.max_tokens) };
}

/** What makes two requests the same request for the reply (and its timing draw): all but stream, metadata and cache_control. */
export function replyKey(request: MessagesRequest): string {
  return canonicalJson(stripKeys({ ...request, stream: undefined, metadata: undefined }, "cache_control"));
}

function stripKeys(value: unknown, key: string): unknown {
  if (Array.isArray(value)) return value.map((v) => stripKeys(v, key));
  if (value === null || typeof value !== "object") return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (k !== key) out[k] = stripKeys(v, key);
  return out;
}

/** Custom tools only: server tools (web search...) run on Anthropic's side, not as tool_use turns. */
function chooseTool(request: MessagesRequest, userText: string, afterToolResult: boolean, rng: Rng): ToolParam | undefined {
  const draw = rng();
  const tools = (request.tools ?? []).filter((t) => t.input_schema !== undefined);
  const choice = request.tool_choice;
  if (tools.length === 0 || choice?.type === "none") return undefined;
  if (choice?.type === "tool") return tools.find((t) => t.name === choice.name);
  const lower = userText.toLowerCase();
  const mentioned = tools.find((t) => lower.includes(t.name.toLowerCase()));
  if (choice?.type === "any") return mentioned ?? pick(rng, tools);
  // auto: an agent loop ends, because a turn that carries tool results is answered in text.
  if (afterToolResult) return undefined;
  if (mentioned) return mentioned;
  return draw < 0.5 ? pick(rng, tools) : undefined;
}

function firstStopSequence(text: string, sequences: string[]): { at: number; sequence: string } | undefined {
  let best: { at: number; sequence: string } | undefined;
  for (const sequence of sequences) {
    const at = text.indexOf(sequence);
    if (at !== -1 && (!best || at < best.at)) best = { at, sequence };
  }
  return best;
}

function topicOf(userText: string): string {
  const words = userText.replace(/\s+/g, " ").trim().split(" ").filter(Boolean);
  if (words.length === 0) return "this";
  const topic = words.slice(0, 12).join(" ");
  return words.length > 12 ? `"${topic}…"` : `"${topic}"`;
}

/** Text deltas of one to three words, each keeping its leading space, as the API streams them. */
function wordChunks(rng: Rng, text: string): string[] {
  const words = text.match(/\s*\S+/g) ?? [];
  const chunks: string[] = [];
  for (let i = 0; i < words.length; ) {
    const n = intBetween(rng, 1, 3);
    chunks.push(words.slice(i, i + n).join(""));
    i += n;
  }
  return chunks;
}

/** input_json_delta pieces: an empty first piece (as the API sends), then 8-24 character slices. */
function jsonChunks(rng: Rng, json: string): string[] {
  const chunks = [""];
  for (let i = 0; i < json.length; ) {
    const n = intBetween(rng, 8, 24);
    chunks.push(json.slice(i, i + n));
    i += n;
  }
  return chunks;
}

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
function base62(rng: Rng, length: number): string {
  let out = "";
  for (let i = 0; i < length; i++) out += ALPHABET[Math.floor(rng() * ALPHABET.length)];
  return out;
}

const SUBJECTS = ["The cache layer", "This request path", "The retry budget", "Each worker", "The session store", "A smaller model", "The tool call", "The queue consumer", "Our latency target", "The prompt prefix", "The billing job", "This endpoint"];
const VERBS = ["should reuse", "can batch", "must validate", "tends to amplify", "will absorb", "quietly drops", "needs to bound", "can stream", "should log", "may duplicate", "helps isolate", "must not block"];
const OBJECTS = ["the upstream errors", "the shared system prompt", "each partial response", "the slowest dependency", "the token budget", "repeated questions", "the p99 latency", "every tool result", "the connection pool", "stale entries", "the cold start", "concurrent sessions"];
const TAILS = ["under load", "before the first byte", "within the time budget", "across sessions", "when the queue backs up", "for most users", "at the edge", "after a deploy", "without extra cost", "in the common case"];

function sentence(rng: Rng): string {
  return `${pick(rng, SUBJECTS)} ${pick(rng, VERBS)} ${pick(rng, OBJECTS)} ${pick(rng, TAILS)}.`;
}

function sentences(rng: Rng, n: number): string {
  return Array.from({ length: n }, () => sentence(rng)).join(" ");
}
