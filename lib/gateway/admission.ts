import { log } from "../log";
import { GatewayError } from "./anthropic-error";

type Env = Readonly<Record<string, string | undefined>>;

/** What one gateway process takes on at once (README "Gateway" > "Limits"). */
export type GatewayLimits = {
  /** Calls in progress in this process (PITWALL_GATEWAY_MAX_IN_FLIGHT). */
  maxInFlight: number;
  /** Calls in progress for one project key (PITWALL_GATEWAY_MAX_IN_FLIGHT_PER_KEY). */
  maxInFlightPerKey: number;
  /** Request body bytes held in memory across all calls (PITWALL_GATEWAY_MAX_BUFFERED_MB). */
  maxBufferedBytes: number;
};

export const DEFAULT_GATEWAY_LIMITS: GatewayLimits = {
  maxInFlight: 1024,
  maxInFlightPerKey: 256,
  maxBufferedBytes: 128 * 1024 * 1024,
};

function positiveInt(env: Env, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === "") return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name} must be a positive whole number, got ${JSON.stringify(raw)}`);
  return n;
}

export function gatewayLimitsFromEnv(env: Env): GatewayLimits {
  const d = DEFAULT_GATEWAY_LIMITS;
  return {
    maxInFlight: positiveInt(env, "PITWALL_GATEWAY_MAX_IN_FLIGHT", d.maxInFlight),
    maxInFlightPerKey: positiveInt(env, "PITWALL_GATEWAY_MAX_IN_FLIGHT_PER_KEY", d.maxInFlightPerKey),
    maxBufferedBytes: positiveInt(env, "PITWALL_GATEWAY_MAX_BUFFERED_MB", d.maxBufferedBytes / 1024 / 1024) * 1024 * 1024,
  };
}

/** One call's share of the limits, given back whole by `release` when the call ends. */
export type Lease = {
  /** Counts the call against its key's cap; a 429 past it. */
  enterKey(keyId: string): void;
  /** Takes `bytes` of the body budget; a 503 when the process holds too much already. */
  reserve(bytes: number): void;
  release(): void;
};

const RETRY_AFTER_SEC = 1;

/**
 * The gateway's admission control. Every call holds its whole request body until it ends (the
 * bytes go upstream once per fallback attempt), so without a ceiling a burst of large uploads
 * grows the heap until the process dies and takes every stream with it. Past a limit the call is
 * refused at once, in Anthropic's shape with Retry-After, which the SDK retries with backoff.
 * The cap on calls in flight also bounds undici's queue to the upstream (one request per call).
 */
export class Admission {
  private inFlight = 0;
  private buffered = 0;
  private readonly perKey = new Map<string, number>();
  private lastWarnAt = 0;

  constructor(readonly limits: GatewayLimits = DEFAULT_GATEWAY_LIMITS) {}

  get active(): number {
    return this.inFlight;
  }

  get bufferedBytes(): number {
    return this.buffered;
  }

  /** Admits one call to the process or throws the 503 that refuses it. */
  enter(): Lease {
    if (this.inFlight >= this.limits.maxInFlight) {
      throw this.overloaded(`The gateway has ${this.limits.maxInFlight} calls in progress (PITWALL_GATEWAY_MAX_IN_FLIGHT); retry shortly.`);
    }
    this.inFlight++;
    let key: string | null = null;
    let bytes = 0;
    let released = false;
    return {
      enterKey: (keyId) => {
        const n = this.perKey.get(keyId) ?? 0;
        if (n >= this.limits.maxInFlightPerKey) {
          this.warn("per-key in-flight cap reached");
          throw new GatewayError(
            429,
            "rate_limit_error",
            `This key has ${this.limits.maxInFlightPerKey} calls in progress (PITWALL_GATEWAY_MAX_IN_FLIGHT_PER_KEY); retry shortly.`,
            { retryAfterSec: RETRY_AFTER_SEC },
          );
        }
        this.perKey.set(keyId, n + 1);
        key = keyId;
      },
      reserve: (n) => {
        if (this.buffered + n > this.limits.maxBufferedBytes) {
          const mb = Math.round(this.limits.maxBufferedBytes / 1024 / 1024);
          throw this.overloaded(`The gateway holds ${mb} MB of request bodies (PITWALL_GATEWAY_MAX_BUFFERED_MB); retry shortly.`);
        }
        this.buffered += n;
        bytes += n;
      },
      release: () => {
        if (released) return;
        released = true;
        this.inFlight--;
        this.buffered -= bytes;
        if (key !== null) {
          const n = (this.perKey.get(key) ?? 1) - 1;
          if (n <= 0) this.perKey.delete(key);
          else this.perKey.set(key, n);
        }
      },
    };
  }

  private overloaded(message: string): GatewayError {
    this.warn(message);
    return new GatewayError(503, "overloaded_error", message, { retryAfterSec: RETRY_AFTER_SEC });
  }

  private warn(message: string): void {
    if (Date.now() - this.lastWarnAt < 10_000) return;
    this.lastWarnAt = Date.now();
    log.warn({ inFlight: this.inFlight, bufferedBytes: this.buffered, limits: this.limits }, `gateway: refusing calls: ${message}`);
  }
}
