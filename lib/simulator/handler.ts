import { createHash, randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { HotHandler } from "../http/hot-router";
import { readBody } from "../http/read-body";
import { AppError } from "../errors";
import { LRUCache } from "lru-cache";
import { log } from "../log";
import { minCacheTokens } from "./cache-minimums";
import { faultError, pickFault } from "./faults";
import { drawTiming, planTiming } from "./latency-profiles";
import type { SimulatorOptions } from "./options";
import { createRng, seedFrom } from "./prng";
import { findBreakpoints, PromptCache } from "./prompt-cache";
import { nestsDeeperThan } from "../json-depth";
import { generateReply, replyKey } from "./reply-generator";
import { requestedOutputTokens } from "./reply-length";
import { sendJsonReply, sendStreamReply, untilAborted } from "./reply-writer";
import { CountTokensRequest, describeIssue, MessagesRequest } from "./request-schema";
import { sendSimulatorError, SimulatorError } from "./simulator-error";
import { countPromptTokens, promptBlocks } from "./token-count";

export const ANTHROPIC_VERSIONS = ["2023-06-01", "2026-10-21"] as const;
/** The version from which the API refuses temperature, top_p and top_k. */
const NO_SAMPLING_VERSION = "2026-10-21";
const SAMPLING_PARAMS = ["temperature", "top_p", "top_k"] as const;
/** Far beyond any real prompt or tool schema, far below what recursion over the body can take. */
const MAX_NESTING = 256;

export type SimulatorStats = { requests: number; inFlight: number; completed: number; aborted: number; faults: number };

export type Simulator = HotHandler & {
  readonly stats: SimulatorStats;
  readonly promptCache: PromptCache;
  /** Ends every open request (stalled streams included), e.g. before closing the server. */
  close(): void;
};

/**
 * The simulated Anthropic upstream as a node:http handler: answers any path ending in
 * /v1/messages or /v1/messages/count_tokens, so it can sit under a prefix (/_sim) or at a root.
 */
export function createSimulator(options: SimulatorOptions = {}): Simulator {
  const seed = options.seed ?? 0;
  // Drawn faults follow the request sequence; replies and latencies follow the request content.
  const sequence = createRng(seedFrom("sequence", seed));
  // Occurrences per request content, for the timing draws (bounded: a long run forgets old requests).
  const occurrences = new LRUCache<string, number>({ max: 50_000 });
  const promptCache = new PromptCache({ now: options.now });
  const open = new Map<AbortController, ServerResponse>();
  const stats: SimulatorStats = { requests: 0, inFlight: 0, completed: 0, aborted: 0, faults: 0 };

  async function serve(req: IncomingMessage, res: ServerResponse, requestId: string, signal: AbortSignal): Promise<void> {
    const path = (req.url ?? "/").split("?")[0]!.replace(/\/+$/, "");
    const endpoint = path.endsWith("/v1/messages/count_tokens") ? "count_tokens" : path.endsWith("/v1/messages") ? "messages" : undefined;
    if (!endpoint) throw new SimulatorError(404, "not_found_error", `Not found: ${path.slice(0, 100)}`);
    if (req.method !== "POST") throw new SimulatorError(405, "invalid_request_error", `Method ${req.method} not allowed; use POST.`);
    const apiKey = readApiKey(req);
    const version = readVersion(req);
    const raw = await readJson(req, options.maxBodyBytes ?? 32 * 1024 * 1024);

    if (endpoint === "count_tokens") {
      const parsed = CountTokensRequest.safeParse(raw, { reportInput: true });
      if (!parsed.success) throw SimulatorError.invalidRequest(describeIssue(parsed.error));
      const blocks = promptBlocks(parsed.data);
      const breakpoints = findBreakpoints(blocks, parsed.data.cache_control);
      if (typeof breakpoints === "string") throw SimulatorError.invalidRequest(breakpoints);
      return sendJson(res, requestId, { input_tokens: countPromptTokens(blocks) });
    }

    if (version === NO_SAMPLING_VERSION) {
      const given = SAMPLING_PARAMS.filter((p) => (raw as Record<string, unknown>)[p] !== undefined);
      if (given.length > 0) {
        throw SimulatorError.invalidRequest(
          `${given.join(", ")}: sampling parameters are not supported with anthropic-version ${NO_SAMPLING_VERSION}; remove temperature, top_p and top_k.`,
        );
      }
    }
    const parsed = MessagesRequest.safeParse(raw, { reportInput: true });
    if (!parsed.success) throw SimulatorError.invalidRequest(describeIssue(parsed.error));
    const request = parsed.data;
    // Anthropic answers 404 not_found_error for a model it does not serve; every Claude id starts so.
    if (!request.model.startsWith("claude-")) throw new SimulatorError(404, "not_found_error", `model: ${request.model.slice(0, 100)}`);
    const choice = request.tool_choice;
    if (choice?.type === "tool" && !(request.tools ?? []).some((t) => t.name === choice.name)) {
      throw SimulatorError.invalidRequest(`tool_choice.name: Tool '${choice.name}' not found in tools.`);
    }
    const blocks = promptBlocks(request);
    const breakpoints = findBreakpoints(blocks, request.cache_control);
    if (typeof breakpoints === "string") throw SimulatorError.invalidRequest(breakpoints);

    const streaming = request.stream === true;
    const outputTokens = requestedOutputTokens(req);
    const fault = pickFault(req, request.model, options.faultRates ?? {}, sequence);
    const key = replyKey(request);
    // The timing draw follows the request and how many times it came before, not its place in
    // the arrival order: a rerun of a workload draws the same noise for the same request however
    // its concurrent calls interleave, so two runs differ only by what was changed between them.
    const keyHash = createHash("sha256").update(key).digest("base64");
    const seen = (occurrences.get(keyHash) ?? 0) + 1;
    occurrences.set(keyHash, seen);
    const draw = drawTiming(createRng(seedFrom(seed, "timing", keyHash, seen)));
    if (fault) {
      stats.faults++;
      const error = faultError(fault, streaming);
      if (error) throw error;
      if (fault === "stall" && !streaming) return untilAborted(signal);
    }

    const scope = `${createHash("sha256").update(apiKey).digest("hex").slice(0, 16)}|${request.model}`;
    const usage = promptCache.apply(scope, blocks, breakpoints, minCacheTokens(request.model, options.minCacheTokens));
    const ctx = { res, signal, requestId, messageId: `msg_01${randomId(22)}`, model: request.model, usage, plan: generateReply(request, seed, { outputTokens, key }), timing: planTiming(request.model, options, draw, usage), fault };
    await (streaming ? sendStreamReply(ctx) : sendJsonReply(ctx));
  }

  const handler = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const requestId = `req_011C${randomId(20)}`;
    const controller = new AbortController();
    open.set(controller, res);
    stats.requests++;
    stats.inFlight++;
    // The client hanging up (or the simulator closing) stops the reply: no more frames, no timers.
    res.on("close", () => {
      if (!res.writableFinished) controller.abort();
    });
    try {
      await serve(req, res, requestId, controller.signal);
    } catch (err) {
      if (!controller.signal.aborted) {
        if (!(err instanceof SimulatorError)) log.error({ err }, "simulator failed");
        req.resume();
        sendSimulatorError(res, err instanceof SimulatorError ? err : SimulatorError.internal(), requestId);
      }
    } finally {
      open.delete(controller);
      stats.inFlight--;
      if (controller.signal.aborted) {
        stats.aborted++;
        if (!res.destroyed) res.destroy();
      } else stats.completed++;
    }
  };

  return Object.assign(handler, {
    stats,
    promptCache,
    close() {
      for (const [controller, res] of open) {
        controller.abort();
        res.destroy();
      }
    },
  });
}

function readApiKey(req: IncomingMessage): string {
  const xKey = header(req, "x-api-key")?.trim();
  if (xKey) return xKey;
  const auth = header(req, "authorization");
  if (auth !== undefined) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(auth);
    if (match) return match[1]!;
    throw new SimulatorError(401, "authentication_error", "invalid x-api-key");
  }
  throw new SimulatorError(401, "authentication_error", "x-api-key header is required");
}

function readVersion(req: IncomingMessage): string {
  const version = header(req, "anthropic-version")?.trim();
  if (!version) throw SimulatorError.invalidRequest("anthropic-version: header is required");
  if (!(ANTHROPIC_VERSIONS as readonly string[]).includes(version)) {
    throw SimulatorError.invalidRequest(`anthropic-version: "${version.slice(0, 40)}" is not a valid version (use ${ANTHROPIC_VERSIONS.join(" or ")})`);
  }
  return version;
}

async function readJson(req: IncomingMessage, maxBytes: number): Promise<Record<string, unknown>> {
  let body: Buffer;
  try {
    body = await readBody(req, maxBytes);
  } catch (err) {
    if (err instanceof AppError && err.status === 413) throw new SimulatorError(413, "request_too_large", err.message);
    throw SimulatorError.invalidRequest(err instanceof AppError ? err.message : "The request body could not be read.");
  }
  let json: unknown;
  try {
    json = JSON.parse(body.toString("utf8"));
  } catch {
    throw SimulatorError.invalidRequest("The request body is not valid JSON.");
  }
  if (json === null || typeof json !== "object" || Array.isArray(json)) throw SimulatorError.invalidRequest("The request body must be a JSON object.");
  if (nestsDeeperThan(json, MAX_NESTING)) throw SimulatorError.invalidRequest(`The request body nests deeper than ${MAX_NESTING} levels.`);
  return json as Record<string, unknown>;
}

function sendJson(res: ServerResponse, requestId: string, body: unknown): void {
  const payload = JSON.stringify(body);
  res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(payload), "request-id": requestId });
  res.end(payload);
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
function randomId(length: number): string {
  const bytes = randomBytes(length);
  let out = "";
  for (let i = 0; i < length; i++) out += ALPHABET[bytes[i]! % ALPHABET.length];
  return out;
}
