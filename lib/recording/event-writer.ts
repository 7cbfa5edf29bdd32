import type { IngestResult } from "../ingestion/ingest-batch";
import { log } from "../log";
import { readSpoolFile, removeSpoolFile, Spool, type ClaimedFile, type SpooledEvent } from "./spool";

/** Stores one project's events (ingestBatch in production; tests pass a failing one to fake outages). */
export type IngestFn = (projectId: string, events: Record<string, unknown>[]) => Promise<IngestResult>;

export type EventWriterOptions = {
  ingest: IngestFn;
  spoolDir: string;
  /** Events held in memory; past it the older half goes to the spool (dropped only if the disk fails too). */
  maxBuffered?: number;
  batchSize?: number;
  flushIntervalMs?: number;
  /** Replay backoff while the database is down: starts at min, doubles up to max. */
  retryMinMs?: number;
  retryMaxMs?: number;
};

export type WriterStats = {
  /** In memory, waiting for (or in) a database write. */
  buffered: number;
  /** On disk in the spool, waiting for the database to come back. */
  spooled: number;
  /** Lost: the memory buffer was full and the spool could not take them (fast enough). */
  dropped: number;
  written: number;
  /** Refused by validation (never retried; logged). */
  rejected: number;
  /** True while the database is considered down and new events go straight to the spool. */
  degraded: boolean;
};

/**
 * Records events off the request path: `record` only pushes to memory; a timer writes batches
 * through `ingest` (one transaction per project). When a write fails the batch goes to an
 * append-only spool on disk and the writer turns degraded: later batches go to the spool too, and
 * a replay loop with backoff retries the spool until the database takes it. Event ids are unique
 * per project and stored with ON CONFLICT DO NOTHING, so a replay that repeats events is harmless.
 */
export class EventWriter {
  private buffer: SpooledEvent[] = [];
  private inFlight = 0;
  private claimed: ClaimedFile[] = [];
  private stats_ = { dropped: 0, written: 0, rejected: 0 };
  private degraded = false;
  private spilling = false;
  private closed = false;
  private flushing: Promise<void> | undefined;
  private replaying: Promise<void> | undefined;
  private replayTimer: NodeJS.Timeout | undefined;
  private flushSoon: NodeJS.Immediate | undefined;
  private readonly timer: NodeJS.Timeout;
  private backoffMs: number;
  private readonly spool: Spool;
  private readonly maxBuffered: number;
  private readonly batchSize: number;
  private readonly retryMinMs: number;
  private readonly retryMaxMs: number;

  constructor(private readonly opts: EventWriterOptions) {
    this.spool = new Spool(opts.spoolDir);
    this.maxBuffered = opts.maxBuffered ?? 20_000;
    this.batchSize = opts.batchSize ?? 500;
    this.retryMinMs = opts.retryMinMs ?? 500;
    this.retryMaxMs = opts.retryMaxMs ?? 15_000;
    this.backoffMs = this.retryMinMs;
    this.timer = setInterval(() => void this.flush(), opts.flushIntervalMs ?? 200);
    this.timer.unref();
    // Events a previous run (or a dead process) left in the spool go in as soon as we start.
    this.scheduleReplay(0);
  }

  /** Queues one event for `projectId`. Never throws, never waits. */
  record(projectId: string, event: Record<string, unknown>): void {
    if (this.buffer.length >= this.maxBuffered) {
      if (this.spilling) {
        // Memory full and the disk still busy with the last overflow: nothing left to hold it.
        this.stats_.dropped++;
        if (this.stats_.dropped === 1 || this.stats_.dropped % 1000 === 0) {
          log.error({ dropped: this.stats_.dropped }, "event writer buffer full: dropping events");
        }
        return;
      }
      this.spill();
    }
    this.buffer.push({ p: projectId, e: event });
    if (this.buffer.length >= this.batchSize && !this.flushSoon && !this.closed) {
      this.flushSoon = setImmediate(() => {
        this.flushSoon = undefined;
        void this.flush();
      });
    }
  }

  stats(): WriterStats {
    const spooled = this.spool.unclaimed + this.claimed.reduce((n, f) => n + f.count, 0);
    return { buffered: this.buffer.length + this.inFlight, spooled, ...this.stats_, degraded: this.degraded };
  }

  /** Writes everything buffered now (to the database, or to the spool when it is down). */
  flush(): Promise<void> {
    if (this.flushing) return this.flushing;
    if (this.buffer.length === 0) return Promise.resolve();
    this.flushing = this.drain().finally(() => {
      this.flushing = undefined;
    });
    return this.flushing;
  }

  /** Stops the timers and flushes; events the database will not take stay spooled for next time. */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    clearTimeout(this.replayTimer);
    if (this.flushSoon) clearImmediate(this.flushSoon);
    await this.replaying;
    await this.flushing;
    // A few passes catch events recorded while the last one ran; whatever the database and the
    // disk both refuse is counted as dropped, never silently lost.
    for (let pass = 0; pass < 3 && this.buffer.length > 0; pass++) await this.flush();
    if (this.buffer.length > 0) {
      this.stats_.dropped += this.buffer.length;
      log.error({ dropped: this.buffer.length }, "event writer closed with events it could not store");
      this.buffer = [];
    }
    await this.spool.close();
  }

  /**
   * Memory is full (the database is slower than the traffic, or away): the older half of the
   * buffer goes to the spool, to be replayed. One spill at a time keeps memory bounded.
   */
  private spill(): void {
    const batch = this.buffer.splice(0, Math.max(1, Math.floor(this.maxBuffered / 2)));
    this.inFlight += batch.length;
    this.spilling = true;
    void this.toSpool(batch).then((ok) => {
      this.inFlight -= batch.length;
      this.spilling = false;
      if (ok) this.scheduleReplay(this.retryMinMs);
    });
  }

  /** One pass over what is buffered now; stops early when even the spool fails (retried next tick). */
  private async drain(): Promise<void> {
    let budget = this.buffer.length;
    while (budget > 0 && this.buffer.length > 0) {
      const batch = this.buffer.splice(0, Math.min(this.batchSize, budget));
      budget -= batch.length;
      this.inFlight += batch.length;
      let ok: boolean;
      try {
        ok = this.degraded ? await this.toSpool(batch) : await this.toDatabase(batch);
      } finally {
        this.inFlight -= batch.length;
      }
      if (!ok) return;
    }
  }

  private async toDatabase(batch: SpooledEvent[]): Promise<boolean> {
    let ok = true;
    for (const [projectId, items] of groupByProject(batch)) {
      if (this.degraded) {
        ok = (await this.toSpool(items)) && ok;
        continue;
      }
      try {
        this.count(await this.opts.ingest(projectId, items.map((i) => i.e)));
      } catch (err) {
        this.enterDegraded(err);
        ok = (await this.toSpool(items)) && ok;
      }
    }
    return ok;
  }

  private async toSpool(items: SpooledEvent[]): Promise<boolean> {
    try {
      await this.spool.append(items);
      return true;
    } catch (err) {
      // Disk trouble too: keep what fits in memory for the next attempt, count the rest as lost.
      const room = Math.max(0, this.maxBuffered - this.buffer.length);
      const kept = Math.min(room, items.length);
      this.buffer.unshift(...items.slice(0, kept));
      this.stats_.dropped += items.length - kept;
      log.error({ err, events: items.length, dropped: items.length - kept }, "event spool write failed");
      return false;
    }
  }

  private enterDegraded(err: unknown): void {
    if (!this.degraded) log.warn({ err }, "event writer: database write failed; spooling events to disk");
    this.degraded = true;
    this.scheduleReplay(this.backoffMs);
  }

  private scheduleReplay(delayMs: number): void {
    if (this.closed || this.replayTimer || this.replaying) return;
    this.replayTimer = setTimeout(() => {
      this.replayTimer = undefined;
      this.replaying = this.replay().then((next) => {
        this.replaying = undefined;
        if (next !== undefined) this.scheduleReplay(next);
      });
    }, delayMs);
    this.replayTimer.unref();
  }

  /**
   * Replays claimed spool files oldest first; a failure keeps the rest for the next attempt.
   * Returns the delay before the next round, or undefined when the spool is empty.
   */
  private async replay(): Promise<number | undefined> {
    try {
      // A spool directory we cannot read must not keep the writer off a database that is back.
      const fresh = await this.spool.claim().catch((err: unknown) => {
        log.error({ err }, "event writer: cannot read the spool directory");
        return [];
      });
      const known = new Set(this.claimed.map((f) => f.path));
      for (const f of fresh) if (!known.has(f.path)) this.claimed.push(f);
      while (this.claimed.length > 0) {
        const file = this.claimed[0]!;
        const events = await readSpoolFile(file.path);
        for (const [projectId, items] of groupByProject(events)) {
          for (let i = 0; i < items.length; i += this.batchSize) {
            this.count(await this.opts.ingest(projectId, items.slice(i, i + this.batchSize).map((x) => x.e)));
            // The database is back: new events go to it again while the spool catches up.
            if (this.degraded) {
              this.degraded = false;
              log.info("event writer: database reachable again; replaying the spool");
            }
          }
        }
        await removeSpoolFile(file.path);
        this.claimed.shift();
      }
      this.backoffMs = this.retryMinMs;
      // Nothing left on disk: let the next flush try the database (it re-degrades if still down).
      // This also recovers when the spool itself failed and the events waited in memory.
      this.degraded = false;
      // Events spooled while we replayed (the database came back mid-way) need another round.
      return this.spool.unclaimed > 0 ? 0 : undefined;
    } catch (err) {
      this.degraded = true;
      log.warn({ err, retryInMs: this.backoffMs }, "event writer: spool replay failed; will retry");
      const delay = this.backoffMs;
      this.backoffMs = Math.min(this.backoffMs * 2, this.retryMaxMs);
      return delay;
    }
  }

  private count(result: IngestResult): void {
    this.stats_.written += result.accepted;
    if (result.rejected.length > 0) {
      this.stats_.rejected += result.rejected.length;
      log.error({ rejected: result.rejected.slice(0, 3) }, "event writer: events rejected by validation");
    }
  }
}

function groupByProject(items: SpooledEvent[]): Map<string, SpooledEvent[]> {
  const groups = new Map<string, SpooledEvent[]>();
  for (const item of items) {
    const list = groups.get(item.p);
    if (list) list.push(item);
    else groups.set(item.p, [item]);
  }
  return groups;
}
