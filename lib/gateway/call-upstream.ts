import type { Dispatcher } from "undici";
import { nextAttempt, parseRetryAfterMs, upstreamErrorCode, type AttemptFailure } from "../policies/next-attempt";
import { GatewayError } from "./anthropic-error";

/** One try at the upstream, as recorded in the call's metadata. */
export type AttemptRecord = { model: string; status?: number; error?: string; ms: number };

export type UpstreamRequest = {
  pool: Dispatcher;
  path: string;
  headers: Record<string, string>;
  /** The body to send for a given model of the chain (the routed body with that model). */
  bodyFor: (model: string) => Buffer | string;
  chain: readonly string[];
  retryBudgetMs: number;
  headersTimeoutMs: number;
  bodyTimeoutMs: number;
  signal: AbortSignal;
  now: () => number;
};

export type UpstreamResult =
  | { kind: "response"; response: Dispatcher.ResponseData; model: string; attempts: AttemptRecord[] }
  /** The upstream answered an error we relay as-is (status, its body, its headers). */
  | { kind: "upstream_error"; status: number; headers: Dispatcher.ResponseData["headers"]; body: Buffer; errorType: string; model: string; attempts: AttemptRecord[] }
  /** No answer at all (unreachable, timed out): the gateway's own error. */
  | { kind: "no_answer"; error: GatewayError; model: string; attempts: AttemptRecord[] };

const MAX_ERROR_BODY_BYTES = 256 * 1024;

/**
 * Calls the upstream, walking the fallback chain on 429/529/5xx/timeouts before the first byte
 * (see nextAttempt: retry-after honoured within the budget, spend-limit 429s never retried). A
 * successful response is returned unread, so its bytes can be piped through as they arrive.
 * Throws the abort reason if the client goes away.
 */
export async function callUpstream(req: UpstreamRequest): Promise<UpstreamResult> {
  const attempts: AttemptRecord[] = [];
  const started = req.now();
  let index = 0;
  for (;;) {
    const model = req.chain[index]!;
    const t0 = req.now();
    let failure: AttemptFailure;
    let result: UpstreamResult;
    try {
      const response = await req.pool.request({
        path: req.path,
        method: "POST",
        headers: req.headers,
        body: req.bodyFor(model),
        signal: req.signal,
        headersTimeout: req.headersTimeoutMs,
        bodyTimeout: req.bodyTimeoutMs,
      });
      if (response.statusCode < 400) {
        attempts.push({ model, status: response.statusCode, ms: req.now() - t0 });
        return { kind: "response", response, model, attempts };
      }
      const body = await readCapped(response.body, MAX_ERROR_BODY_BYTES);
      const parsed = parseJson(body);
      const errorType = String((parsed as { error?: { type?: unknown } } | undefined)?.error?.type ?? "api_error");
      attempts.push({ model, status: response.statusCode, error: errorType, ms: req.now() - t0 });
      failure = {
        status: response.statusCode,
        errorCode: upstreamErrorCode(parsed),
        retryAfterMs: parseRetryAfterMs({ retryAfterMs: one(response.headers["retry-after-ms"]), retryAfter: one(response.headers["retry-after"]) }),
      };
      result = { kind: "upstream_error", status: response.statusCode, headers: response.headers, body, errorType, model, attempts };
    } catch (err) {
      if (req.signal.aborted) throw req.signal.reason ?? err;
      const error = transportError(err);
      attempts.push({ model, error: error.type, ms: req.now() - t0 });
      failure = {};
      result = { kind: "no_answer", error, model, attempts };
    }
    const next = nextAttempt(req.chain, index, failure, { elapsedMs: req.now() - started, budgetMs: req.retryBudgetMs });
    if (!next) return result;
    if (next.delayMs > 0) await sleep(next.delayMs, req.signal);
    index = next.index;
  }
}

/** undici's failures before a response: a timeout is a 504, anything else a 502. */
function transportError(err: unknown): GatewayError {
  const code = (err as { code?: unknown })?.code;
  if (code === "UND_ERR_HEADERS_TIMEOUT" || code === "UND_ERR_CONNECT_TIMEOUT") {
    return new GatewayError(504, "timeout_error", "The upstream did not answer in time.", { cause: err });
  }
  return new GatewayError(502, "api_error", "The upstream could not be reached.", { cause: err });
}

async function readCapped(body: Dispatcher.ResponseData["body"], max: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    if (size + chunk.length > max) {
      chunks.push(chunk.subarray(0, max - size));
      body.destroy();
      break;
    }
    size += chunk.length;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString("utf8"));
  } catch {
    return undefined;
  }
}

function one(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener("abort", onAbort, { once: true });
  });
}
