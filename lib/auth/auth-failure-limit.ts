import type { IncomingMessage } from "node:http";
import type { RateLimiterAbstract } from "rate-limiter-flexible";
import { AppError } from "../errors";
import { log } from "../log";
import { defaultLimiters, msBeforeNext, type LimiterFactory } from "./rate-limit-store";
import { socketClientIp } from "./request-origin";

/**
 * Failed API-key authentication per client address. Each distinct junk key costs a database
 * query, so a client that keeps presenting unknown or revoked keys is cut off: past its budget of
 * failures its key requests are answered 429 before any lookup, until the window ends. Keys this
 * process already verified (the key cache) are not affected, so one bad agent behind a shared
 * address does not stop the good ones that are already running.
 * PITWALL_AUTH_FAILURES_PER_MINUTE sets the budget (default 30; 0 turns the limit off).
 */
const WINDOW_SEC = 60;
export const DEFAULT_AUTH_FAILURES_PER_MINUTE = 30;

export function authFailuresPerMinute(env: Readonly<Record<string, string | undefined>> = process.env): number {
  const raw = env.PITWALL_AUTH_FAILURES_PER_MINUTE;
  const n = raw === undefined || raw === "" ? NaN : Number(raw);
  return Number.isInteger(n) && n >= 0 ? n : DEFAULT_AUTH_FAILURES_PER_MINUTE;
}

export class AuthFailureLimiter {
  private readonly limiter: RateLimiterAbstract | null;

  constructor(factory: LimiterFactory = defaultLimiters(), perMinute: number = authFailuresPerMinute()) {
    this.limiter = perMinute > 0 ? factory({ keyPrefix: "authfail:ip", points: perMinute, duration: WINDOW_SEC }) : null;
  }

  /** 429 when this address has spent its failure budget; called before a key lookup. */
  async assertAllowed(ip: string): Promise<void> {
    if (!this.limiter) return;
    const res = await this.limiter.get(ip).catch((err: unknown) => {
      log.warn({ err }, "auth failure limiter unavailable");
      return null;
    });
    if (res && res.remainingPoints <= 0) throw tooManyFailures(res.msBeforeNext);
  }

  /** Counts one failed authentication; 429 once the budget is spent (instead of the 401). */
  async failed(ip: string): Promise<void> {
    if (!this.limiter) return;
    try {
      await this.limiter.consume(ip);
    } catch (rejection) {
      const ms = msBeforeNext(rejection);
      if (ms === null) {
        log.warn({ err: rejection }, "auth failure limiter unavailable");
        return;
      }
      throw tooManyFailures(ms);
    }
  }
}

function tooManyFailures(ms: number): AppError {
  return new AppError("rate_limited:auth_failures", "Too many requests with invalid API keys from this address; check the key and retry later.", {
    retryAfter: Math.max(1, Math.ceil(ms / 1000)),
  });
}

const KEY = Symbol.for("pitwall.authFailureLimiter");
type G = typeof globalThis & { [KEY]?: AuthFailureLimiter };

/** One limiter per process (the custom server and Next's bundle share it through globalThis). */
export function authFailureLimiter(): AuthFailureLimiter {
  const g = globalThis as G;
  return (g[KEY] ??= new AuthFailureLimiter());
}

/** For tests: replace the process limiter (e.g. with a smaller budget). */
export function setAuthFailureLimiter(limiter: AuthFailureLimiter | undefined): void {
  (globalThis as G)[KEY] = limiter;
}

/**
 * The client address of a hot-path request (gateway, ingestion, OTLP), read the way server.ts
 * stamps it for Next: the socket's peer, or the proxy's last hop with PITWALL_TRUST_PROXY=1.
 */
export function hotPathClientIp(req: IncomingMessage): string {
  return socketClientIp(req.socket?.remoteAddress, req.headers["x-forwarded-for"]);
}
