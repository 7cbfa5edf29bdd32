import type { RateLimiterAbstract } from "rate-limiter-flexible";
import { AppError } from "../errors";
import { log } from "../log";
import { defaultLimiters, msBeforeNext, type LimiterFactory } from "./rate-limit-store";

/**
 * Password guessing is slowed, never turned into a lockout that anyone can trigger:
 * - per (account, client address): a few free failures, then each further attempt must wait a
 *   delay that doubles (1 s, 2 s, 4 s... up to 15 min). A successful sign-in clears it and makes
 *   the address a known client of that account (for 14 days).
 * - per account, from addresses that are not known clients: the same progressive delay with a
 *   larger free allowance, so guessing from many addresses gets slow. A known client skips this
 *   one: 50 failures from elsewhere do not keep an admin out of their own account.
 * - per address across accounts: a plain budget (password spraying).
 * Every attempt is counted before the password is checked, so parallel guesses cannot slip past.
 */
export type ProgressiveLimit = { free: number; maxDelaySec: number; /** first delay (default 1 s) */ baseDelaySec?: number };
export type LoginLimits = {
  perClient: ProgressiveLimit;
  perAccount: ProgressiveLimit;
  perIp: { points: number; duration: number };
  knownClientDays: number;
};

export const DEFAULT_LOGIN_LIMITS: LoginLimits = {
  perClient: { free: 5, maxDelaySec: 15 * 60 },
  perAccount: { free: 20, maxDelaySec: 5 * 60 },
  perIp: { points: 100, duration: 15 * 60 },
  // At most 24 days: the memory store expires keys with a timer, and timers stop at 2^31 ms.
  knownClientDays: 14,
};

/** Attempts are counted in windows of this length from the first one (then the count starts over). */
const FAILURE_MEMORY_SEC = 24 * 3600;

/** The wait after the n-th counted attempt: none while free, then 1 s doubling up to the cap. */
export function loginDelaySec(attempt: number, limit: ProgressiveLimit): number {
  const over = attempt - limit.free;
  if (over <= 0) return 0;
  return Math.min(limit.maxDelaySec, (limit.baseDelaySec ?? 1) * 2 ** Math.min(over - 1, 30));
}

class ProgressiveDelay {
  private readonly attempts: RateLimiterAbstract;
  private readonly wait: RateLimiterAbstract;

  constructor(factory: LimiterFactory, name: string, private readonly limit: ProgressiveLimit) {
    this.attempts = factory({ keyPrefix: `login:${name}:n`, points: Number.MAX_SAFE_INTEGER, duration: FAILURE_MEMORY_SEC });
    this.wait = factory({ keyPrefix: `login:${name}:wait`, points: 1, duration: 1 });
  }

  /** Counts an attempt; rejects (with the ms left) while the previous one's delay runs. */
  async take(key: string): Promise<void> {
    const n = (await this.attempts.consume(key)).consumedPoints;
    const delay = loginDelaySec(n, this.limit);
    // One point per delay window, created atomically by the store: concurrent attempts after the
    // first one in a window are refused, not just the sequential ones.
    if (delay > 0) await this.wait.consume(key, 1, { customDuration: delay });
  }

  async refund(key: string): Promise<void> {
    await this.attempts.reward(key);
  }

  async clear(key: string): Promise<void> {
    await Promise.allSettled([this.attempts.delete(key), this.wait.delete(key)]);
  }
}

export class LoginRateLimiter {
  private readonly client: ProgressiveDelay;
  private readonly account: ProgressiveDelay;
  private readonly ip: RateLimiterAbstract;
  private readonly known: RateLimiterAbstract;
  private readonly knownSec: number;

  constructor(factory: LimiterFactory = defaultLimiters(), limits: LoginLimits = DEFAULT_LOGIN_LIMITS) {
    this.client = new ProgressiveDelay(factory, "client", limits.perClient);
    this.account = new ProgressiveDelay(factory, "acct", limits.perAccount);
    this.ip = factory({ keyPrefix: "login:ip", ...limits.perIp });
    this.knownSec = Math.min(limits.knownClientDays, 24) * 86400;
    this.known = factory({ keyPrefix: "login:known", points: 1, duration: this.knownSec });
  }

  /** Counts one attempt; throws a 429 AppError with Retry-After while a delay or budget applies. */
  async consume(ip: string, email: string): Promise<void> {
    const account = email.trim().toLowerCase();
    const client = `${ip}|${account}`;
    await guard(() => this.ip.consume(ip));
    await guard(() => this.client.take(client));
    if (!(await this.isKnown(client))) await guard(() => this.account.take(account));
  }

  /** After a successful sign-in: the client's delay is cleared and it becomes a known client. */
  async succeeded(ip: string, email: string): Promise<void> {
    const account = email.trim().toLowerCase();
    const client = `${ip}|${account}`;
    const wasKnown = await this.isKnown(client);
    await Promise.allSettled([
      this.client.clear(client),
      this.ip.reward(ip),
      wasKnown ? Promise.resolve() : this.account.refund(account),
      this.known.set(client, 1, this.knownSec),
    ]);
  }

  private async isKnown(client: string): Promise<boolean> {
    try {
      return (await this.known.get(client)) !== null;
    } catch (err) {
      log.warn({ err }, "login rate limiter unavailable");
      return false;
    }
  }
}

/** Runs one limiter step: over the limit is a 429; a failing store lets the attempt through. */
async function guard(step: () => Promise<unknown>): Promise<void> {
  try {
    await step();
  } catch (rejection) {
    const ms = msBeforeNext(rejection);
    if (ms === null) {
      log.warn({ err: rejection }, "login rate limiter unavailable");
      return;
    }
    throw new AppError("rate_limited:sign_in", `Too many sign-in attempts. Wait ${waitText(ms)} and try again.`, {
      retryAfter: Math.max(1, Math.ceil(ms / 1000)),
    });
  }
}

function waitText(ms: number): string {
  const sec = Math.max(1, Math.ceil(ms / 1000));
  return sec < 90 ? `${sec} second${sec === 1 ? "" : "s"}` : `${Math.ceil(sec / 60)} minutes`;
}

const KEY = Symbol.for("pitwall.loginRateLimiter");
type G = typeof globalThis & { [KEY]?: LoginRateLimiter };

export function loginRateLimiter(): LoginRateLimiter {
  const g = globalThis as G;
  return (g[KEY] ??= new LoginRateLimiter());
}

/** For tests: replace the process limiter (e.g. with smaller budgets). */
export function setLoginRateLimiter(limiter: LoginRateLimiter | undefined): void {
  (globalThis as G)[KEY] = limiter;
}
