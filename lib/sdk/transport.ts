import type { SdkEvent } from "./event";

export type TransportOptions = {
  baseUrl: string;
  apiKey: string;
  /** Events per request (the server takes up to 1000). */
  maxBatch?: number;
  /** How long an event may wait for its batch to fill. */
  flushIntervalMs?: number;
  /** Events held at most; past it new events are dropped and counted. */
  maxQueue?: number;
  /** Attempts per batch for retryable failures before it is given up (and counted as failed). */
  maxAttempts?: number;
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  /** A single request's timeout; a timeout is retried like a network error. */
  requestTimeoutMs?: number;
  fetch?: typeof fetch;
  onError?: (error: Error) => void;
};

export type TransportStats = {
  queued: number;
  sent: number;
  duplicates: number;
  rejected: number;
  dropped: number;
  failed: number;
  retries: number;
};

class Retryable extends Error {
  constructor(
    message: string,
    readonly retryAfterMs: number | null,
  ) {
    super(message);
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Batches events (up to `maxBatch` or `flushIntervalMs`) and delivers them with retries: network
 * errors, timeouts, 429 and 5xx are retried with exponential backoff and full jitter, never less
 * than the server's Retry-After; other 4xx are final. A batch keeps its event ids on every
 * attempt, so the server's deduplication makes delivery exactly once.
 */
export class Transport {
  readonly stats: TransportStats = { queued: 0, sent: 0, duplicates: 0, rejected: 0, dropped: 0, failed: 0, retries: 0 };
  private readonly queue: SdkEvent[] = [];
  private timer: ReturnType<typeof setTimeout> | null = null;
  private sending: Promise<void> | null = null;
  private closed = false;
  private readonly o: Required<Omit<TransportOptions, "onError">> & Pick<TransportOptions, "onError">;

  constructor(options: TransportOptions) {
    this.o = {
      maxBatch: 100,
      flushIntervalMs: 1000,
      maxQueue: 10_000,
      maxAttempts: 10,
      backoffBaseMs: 200,
      backoffMaxMs: 30_000,
      requestTimeoutMs: 10_000,
      fetch: globalThis.fetch.bind(globalThis),
      ...options,
      baseUrl: options.baseUrl.replace(/\/+$/, ""),
    };
  }

  enqueue(event: SdkEvent): boolean {
    if (this.closed || this.queue.length >= this.o.maxQueue) {
      this.stats.dropped++;
      return false;
    }
    this.queue.push(event);
    this.stats.queued = this.queue.length;
    if (this.queue.length >= this.o.maxBatch) this.kick();
    else if (!this.timer && !this.sending) {
      this.timer = setTimeout(() => this.kick(), this.o.flushIntervalMs);
      // The batch timer alone never keeps a process alive; the exit hook flushes instead.
      (this.timer as { unref?: () => void }).unref?.();
    }
    return true;
  }

  get pending(): number {
    return this.queue.length;
  }

  /** Resolves once every event queued before the call was delivered or given up. */
  async flush(): Promise<void> {
    while (this.queue.length > 0 || this.sending) {
      this.kick();
      await this.sending;
    }
  }

  /** Stops taking events, then flushes what is queued (bounded by `timeoutMs`). */
  async shutdown(timeoutMs = 10_000): Promise<void> {
    this.closed = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deadline = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)));
    await Promise.race([this.flush(), deadline]);
    clearTimeout(timer);
  }

  private kick(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.sending || this.queue.length === 0) return;
    this.sending = this.drain().finally(() => {
      this.sending = null;
      if (this.queue.length > 0 && !this.timer) this.kick();
    });
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.o.maxBatch);
      this.stats.queued = this.queue.length;
      await this.deliver(batch);
    }
  }

  private async deliver(batch: SdkEvent[]): Promise<void> {
    const body = JSON.stringify({ events: batch });
    for (let attempt = 1; ; attempt++) {
      try {
        await this.post(body, batch.length);
        return;
      } catch (err) {
        if (!(err instanceof Retryable) || attempt >= this.o.maxAttempts) {
          this.stats.failed += batch.length;
          this.o.onError?.(err instanceof Error ? err : new Error(String(err)));
          return;
        }
        this.stats.retries++;
        const ceiling = Math.min(this.o.backoffMaxMs, this.o.backoffBaseMs * 2 ** (attempt - 1));
        const jittered = Math.random() * ceiling;
        await sleep(Math.max(jittered, err.retryAfterMs ?? 0));
      }
    }
  }

  private async post(body: string, count: number): Promise<void> {
    const controller = new AbortController();
    const timeout = setTimeout(() => controller.abort(), this.o.requestTimeoutMs);
    let res: Response;
    try {
      res = await this.o.fetch(`${this.o.baseUrl}/api/v1/events`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${this.o.apiKey}` },
        body,
        signal: controller.signal,
      });
    } catch (err) {
      throw new Retryable(`Pitwall unreachable: ${(err as Error).message}`, null);
    } finally {
      clearTimeout(timeout);
    }
    let text = "";
    try {
      text = await res.text();
    } catch (err) {
      // The answer was cut off: the batch may or may not be stored; ids make a resend safe.
      throw new Retryable(`Pitwall's answer was cut off: ${(err as Error).message}`, null);
    }
    if (res.status === 429 || res.status >= 500) {
      throw new Retryable(`Pitwall answered ${res.status}`, retryAfterMs(res.headers.get("retry-after")));
    }
    if (res.status === 200 || res.status === 207 || res.status === 400) {
      const result = parseResult(text);
      if (result) {
        this.stats.sent += result.accepted;
        this.stats.duplicates += result.duplicates;
        this.stats.rejected += result.rejected.length;
        if (result.rejected.length > 0) {
          this.o.onError?.(new Error(`Pitwall rejected ${result.rejected.length} of ${count} events: ${result.rejected[0]!.error}`));
        }
        return;
      }
    }
    // Any other 4xx (bad key, too large, bad envelope) would fail again: never retried.
    this.stats.rejected += count;
    this.o.onError?.(new Error(`Pitwall refused ${count} events (${res.status}): ${text.slice(0, 300)}`));
  }
}

type IngestAnswer = { accepted: number; duplicates: number; rejected: { error: string }[] };

function parseResult(text: string): IngestAnswer | null {
  try {
    const r = JSON.parse(text) as Partial<IngestAnswer>;
    return typeof r.accepted === "number" && typeof r.duplicates === "number" && Array.isArray(r.rejected) ? (r as IngestAnswer) : null;
  } catch {
    return null;
  }
}

/** Retry-After as delta-seconds or an HTTP date, capped at 5 minutes. */
function retryAfterMs(header: string | null): number | null {
  if (!header) return null;
  const seconds = Number(header);
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(header) - Date.now();
  return Number.isFinite(ms) ? Math.min(Math.max(0, ms), 300_000) : null;
}
