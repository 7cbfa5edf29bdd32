import type { RateLimiterAbstract } from "rate-limiter-flexible";
import { AppError } from "../errors";
import { log } from "../log";
import { defaultLimiters, msBeforeNext, type LimiterFactory } from "./rate-limit-store";

/**
 * Password guessing is limited three ways, all counted before the password is checked so
 * parallel guesses cannot slip past: per (address, account), per address, and per account from
 * anywhere (so rotating addresses does not help). A successful sign-in refunds its attempt and
 * clears the (address, account) counter.
 */
export type LoginLimits = {
  perAccountAndIp: { points: number; duration: number };
  perIp: { points: number; duration: number };
  perAccount: { points: number; duration: number };
};

export const DEFAULT_LOGIN_LIMITS: LoginLimits = {
  perAccountAndIp: { points: 10, duration: 15 * 60 },
  perIp: { points: 100, duration: 15 * 60 },
  perAccount: { points: 50, duration: 15 * 60 },
};

export class LoginRateLimiter {
  private readonly accountAndIp: RateLimiterAbstract;
  private readonly ip: RateLimiterAbstract;
  private readonly account: RateLimiterAbstract;

  constructor(factory: LimiterFactory = defaultLimiters(), limits: LoginLimits = DEFAULT_LOGIN_LIMITS) {
    this.accountAndIp = factory({ keyPrefix: "login:acct-ip", ...limits.perAccountAndIp });
    this.ip = factory({ keyPrefix: "login:ip", ...limits.perIp });
    this.account = factory({ keyPrefix: "login:acct", ...limits.perAccount });
  }

  /** Counts one attempt; throws a 429 AppError with Retry-After when any budget is spent. */
  async consume(ip: string, email: string): Promise<void> {
    const account = email.trim().toLowerCase();
    for (const [limiter, key] of [
      [this.accountAndIp, `${ip}|${account}`],
      [this.ip, ip],
      [this.account, account],
    ] as const) {
      try {
        await limiter.consume(key);
      } catch (rejection) {
        const ms = msBeforeNext(rejection);
        if (ms === null) {
          log.warn({ err: rejection }, "login rate limiter unavailable");
          continue;
        }
        throw new AppError("rate_limited:sign_in", "Too many sign-in attempts. Wait a while and try again.", {
          retryAfter: Math.max(1, Math.ceil(ms / 1000)),
        });
      }
    }
  }

  /** After a successful sign-in: the attempt does not count against the address or account. */
  async succeeded(ip: string, email: string): Promise<void> {
    const account = email.trim().toLowerCase();
    await Promise.allSettled([this.accountAndIp.delete(`${ip}|${account}`), this.ip.reward(ip), this.account.reward(account)]);
  }
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
