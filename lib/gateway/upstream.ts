import { Pool } from "undici";

export const ANTHROPIC_API_URL = "https://api.anthropic.com";

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Where the gateway sends calls. Chosen by the server's environment only: a client can never
 * name the upstream host. `anthropic` carries the provider key; `simulator` carries none.
 */
export type UpstreamConfig = {
  /** Scheme, host and port, e.g. https://api.anthropic.com */
  origin: string;
  /** Path prefix before /v1/..., e.g. "/_sim" for the in-process simulator; "" at the root. */
  basePath: string;
  kind: "anthropic" | "simulator";
  /** The provider key (ANTHROPIC_API_KEY); never logged, never sent anywhere but `origin`. */
  apiKey?: string;
  /** Waiting for response headers: a non-streaming answer only arrives after the whole generation. */
  headersTimeoutMs: number;
  /** Waiting for response headers of a stream (they come with message_start). */
  streamHeadersTimeoutMs: number;
  /** Longest silence inside a response body (streams send pings). */
  bodyTimeoutMs: number;
  /** Keep-alive connections to the upstream. */
  connections: number;
};

function envMs(env: Env, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === "") return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name} must be a positive whole number of milliseconds, got ${JSON.stringify(raw)}`);
  return n;
}

/**
 * PITWALL_UPSTREAM_URL wins (tests, a standalone simulator, a corporate proxy); else Anthropic
 * when ANTHROPIC_API_KEY is set; else the in-process simulator at `localSimulatorUrl`. Without a
 * provider key the upstream is treated as the simulator (x-simulator-* headers are forwarded).
 */
export function resolveUpstream(env: Env, opts: { localSimulatorUrl?: string } = {}): UpstreamConfig {
  const apiKey = env.ANTHROPIC_API_KEY?.trim() || undefined;
  const raw = env.PITWALL_UPSTREAM_URL?.trim() || (apiKey ? ANTHROPIC_API_URL : opts.localSimulatorUrl);
  if (!raw) throw new Error("No upstream: set ANTHROPIC_API_KEY, PITWALL_UPSTREAM_URL, or run the in-process simulator.");
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(`PITWALL_UPSTREAM_URL is not a URL: ${JSON.stringify(raw.slice(0, 200))}`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new Error("PITWALL_UPSTREAM_URL must be http or https.");
  if (url.search || url.hash || url.username || url.password) {
    throw new Error("PITWALL_UPSTREAM_URL must not carry a query, fragment or credentials.");
  }
  return {
    origin: url.origin,
    basePath: url.pathname.replace(/\/+$/, ""),
    kind: apiKey ? "anthropic" : "simulator",
    apiKey,
    headersTimeoutMs: envMs(env, "PITWALL_UPSTREAM_TIMEOUT_MS", 600_000),
    streamHeadersTimeoutMs: envMs(env, "PITWALL_UPSTREAM_STREAM_TIMEOUT_MS", 120_000),
    bodyTimeoutMs: envMs(env, "PITWALL_UPSTREAM_BODY_TIMEOUT_MS", 300_000),
    connections: envMs(env, "PITWALL_UPSTREAM_CONNECTIONS", 256),
  };
}

/** The keep-alive pool to the one upstream origin (HTTP/1.1, no pipelining: streams are long). */
export function createUpstreamPool(config: UpstreamConfig): Pool {
  return new Pool(config.origin, {
    connections: config.connections,
    pipelining: 1,
    keepAliveTimeout: 30_000,
    keepAliveMaxTimeout: 600_000,
    // Per-request timeouts are set on each request (streams and non-streams differ).
    headersTimeout: 0,
    bodyTimeout: 0,
    connect: { timeout: 10_000 },
  });
}
