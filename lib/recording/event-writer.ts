import { isDatabaseUnavailable } from "../errors";
import type { IngestResult } from "../ingestion/ingest-batch";
import { log } from "../log";
import { Journal } from "./journal";
import { readSpoolFile, removeSpoolFile, Spool, type ClaimedFile, type SpooledEvent, type SpoolFileHandle } from "./spool";

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
  /** Replays of one spool file that fail for a reason other than an outage before it is set aside. */
  maxReplayAttempts?: number;
  /** Write every event to a journal on disk as it is recorded (zero loss on a process crash). */
  spoolFirst?: boolean;
  /** Opens spool files (tests put a disk that fills up here). */
  openSpoolFile?: (file: string) => Promise<SpoolFileHandle>;
};

export type WriterStats = {
  /** In memory, waiting for (or in) a database write. */
  buffered: number;
  /** On disk in the spool, waiting for the database to come back. */
  spooled: number;
  /** Lost: the memory buffer was full and the spool could not take them (fast enough), or a full disk. */
  dropped: number;
  written: number;
  /** Refused by validation (never retried; logged). */
  rejected: number;
  /** In spool files that kept failing and were set aside as `*.failed` (kept on disk, not replayed). */
  setAside: number;
  /** True while the database is considered down and new events go straight to the spool. */
  degraded: boolean;
  /** Spool-first only: journal writes the disk refused (those events had no crash protection). */
  journalFailed?: number;
};

/** One event on its way; `seg` is its journal segment (spool-first), settled once it is stored. */
type Pending = SpooledEvent & { seg?: number };

/**
 * Records events off the request path: `record` only pushes to memory (and, spool-first, writes a
 * journal line); a timer writes batches through `ingest` (one transaction per project).
 *
 * Only a database-unavailable error (connection refused or lost, the server shutting down) turns
 * the writer degraded: that batch and later ones go to an append-only spool on disk, and a replay
 * loop with backoff retries the spool until the database takes it. Any other failure is about the
 * events, not the database: the batch is retried one event at a time so the rest go in, and the
 * events that still fail go to the spool, whose files are set aside after `maxReplayAttempts`.
 * Event ids are unique per project and stored with ON CONFLICT DO NOTHING, so a replay that
 * repeats events is harmless.
 */
export class EventWriter {
  private buffer: Pending[] = [];
  /** Batches handed to the database or the spool and not settled yet (a hurried close spools them). */
  private readonly inFlight = new Set<Pending[]>();
  private claimed: ClaimedFile[] = [];
  private readonly replayFailures = new Map<string, number>();
  private stats_ = { dropped: 0, written: 0, rejected: 0, setAside: 0 };
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
  private readonly journal: Journal | undefined;
  private readonly maxBuffered: number;
  private readonly batchSize: number;
  private readonly retryMinMs: number;
  private readonly retryMaxMs: number;
  private readonly maxReplayAttempts: number;

  constructor(private readonly opts: EventWriterOptions) {
    this.spool = new Spool(opts.spoolDir, opts.openSpoolFile);
    this.journal = opts.spoolFirst ? new Journal(opts.spoolDir) : undefined;
    this.maxBuffered = opts.maxBuffered ?? 20_000;
    this.batchSize = opts.batchSize ?? 500;
    this.retryMinMs = opts.retryMinMs ?? 500;
    this.retryMaxMs = opts.retryMaxMs ?? 15_000;
    this.maxReplayAttempts = opts.maxReplayAttempts ?? 5;
    this.backoffMs = this.retryMinMs;
    this.timer = setInterval(() => {
      this.journal?.sync();
      void this.flush();
    }, opts.flushIntervalMs ?? 200);
    this.timer.unref();
    // Events a previous run (or a dead process) left in the spool go in as soon as we start.
    this.scheduleReplay(0);
  }

  /** Queues one event for `projectId`. Never throws, never waits. */
  record(projectId: string, event: Record<string, unknown>): void {
    const item: Pending = { p: projectId, e: event };
    if (this.journal) {
      item.seg = this.journal.append(item);
      if (item.seg === undefined && (this.journal.failed === 1 || this.journal.failed % 1000 === 0)) {
        log.error({ failed: this.journal.failed }, "event writer: the journal write failed (disk full?); events are kept in memory only");
      }
    }
    if (this.buffer.length >= this.maxBuffered) {
      if (this.spilling) {
        // Memory full and the disk still busy with the last overflow: nothing left to hold it.
        // (Spool-first: its journal line stays on disk, so the next start still stores it.)
        this.stats_.dropped++;
        if (this.stats_.dropped === 1 || this.stats_.dropped % 1000 === 0) {
          log.error({ dropped: this.stats_.dropped }, "event writer buffer full: dropping events");
        }
        return;
      }
      this.spill();
    }
    this.buffer.push(item);
    if (this.buffer.length >= this.batchSize && !this.flushSoon && !this.closed) {
      this.flushSoon = setImmediate(() => {
        this.flushSoon = undefined;
        void this.flush();
      });
    }
  }

  stats(): WriterStats {
    const spooled = this.spool.unclaimed + this.claimed.reduce((n, f) => n + f.count, 0);
    let inFlight = 0;
    for (const b of this.inFlight) inFlight += b.length;
    const out: WriterStats = { buffered: this.buffer.length + inFlight, spooled, ...this.stats_, degraded: this.degraded };
    if (this.journal) out.journalFailed = this.journal.failed;
    return out;
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

  /**
   * Stops the timers and flushes; events the database will not take stay spooled for next time.
   * When `hurry` aborts (a shutdown deadline) the writer stops waiting on the database: whatever
   * is buffered or in a write not yet confirmed goes to the spool (a repeat is skipped by id).
   */
  async close(opts: { hurry?: AbortSignal } = {}): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    clearTimeout(this.replayTimer);
    if (this.flushSoon) clearImmediate(this.flushSoon);
    const orderly = (async () => {
      await this.replaying;
      await this.flushing;
      // A few passes catch events recorded while the last one ran.
      for (let pass = 0; pass < 3 && this.buffer.length > 0 && !opts.hurry?.aborted; pass++) await this.flush();
    })();
    await (opts.hurry ? Promise.race([orderly, aborted(opts.hurry)]) : orderly);
    if (opts.hurry?.aborted) {
      const pending = [...[...this.inFlight].flat(), ...this.buffer];
      this.buffer = [];
      this.degraded = true;
      if (pending.length > 0) {
        log.warn({ events: pending.length }, "event writer: shutdown deadline; spooling what the database has not confirmed");
        await this.toSpool(pending);
      }
    }
    // Whatever the database and the disk both refuse is counted as dropped, never silently lost.
    if (this.buffer.length > 0) {
      this.stats_.dropped += this.buffer.length;
      log.error({ dropped: this.buffer.length }, "event writer closed with events it could not store");
      this.buffer = [];
    }
    await this.spool.close();
    this.journal?.close();
  }

  /**
   * Memory is full (the database is slower than the traffic, or away): the older half of the
   * buffer goes to the spool, to be replayed. One spill at a time keeps memory bounded.
   */
  private spill(): void {
    const batch = this.buffer.splice(0, Math.max(1, Math.floor(this.maxBuffered / 2)));
    this.inFlight.add(batch);
    this.spilling = true;
    void this.toSpool(batch).then((ok) => {
      this.inFlight.delete(batch);
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
      this.inFlight.add(batch);
      let ok: boolean;
      try {
        ok = this.degraded ? await this.toSpool(batch) : await this.toDatabase(batch);
      } finally {
        this.inFlight.delete(batch);
      }
      if (!ok) return;
    }
  }

  private async toDatabase(batch: Pending[]): Promise<boolean> {
    let ok = true;
    for (const [projectId, items] of groupByProject(batch)) {
      if (this.degraded) {
        ok = (await this.toSpool(items)) && ok;
        continue;
      }
      try {
        this.count(await this.opts.ingest(projectId, items.map((i) => i.e)));
        this.settle(items);
      } catch (err) {
        if (isDatabaseUnavailable(err)) {
          this.enterDegraded(err);
          ok = (await this.toSpool(items)) && ok;
        } else {
          ok = (await this.oneByOne(projectId, items, err)) && ok;
        }
      }
    }
    return ok;
  }

  /**
   * A batch failed for a reason that is not an outage (a bug, an event the database refuses):
   * each event alone, so one bad event cannot hold up the others. What still fails is spooled
   * and retried by the replay loop, which sets its file aside if it keeps failing.
   */
  private async oneByOne(projectId: string, items: Pending[], batchErr: unknown): Promise<boolean> {
    log.error({ err: batchErr, events: items.length }, "event writer: a batch failed (not an outage); retrying its events one by one");
    const failed: Pending[] = [];
    for (const item of items) {
      if (this.degraded) {
        failed.push(item);
        continue;
      }
      try {
        this.count(await this.opts.ingest(projectId, [item.e]));
        this.settle([item]);
      } catch (err) {
        if (isDatabaseUnavailable(err)) this.enterDegraded(err);
        failed.push(item);
      }
    }
    if (failed.length === 0) return true;
    const ok = await this.toSpool(failed);
    if (ok) this.scheduleReplay(this.backoffMs);
    return ok;
  }

  private async toSpool(items: Pending[]): Promise<boolean> {
    try {
      await this.spool.append(items);
      this.settle(items);
      return true;
    } catch (err) {
      // Disk trouble too (a full disk): keep what fits in memory for the next attempt, count the rest as lost.
      const room = this.closed ? 0 : Math.max(0, this.maxBuffered - this.buffer.length);
      const kept = Math.min(room, items.length);
      this.buffer.unshift(...items.slice(0, kept));
      this.stats_.dropped += items.length - kept;
      log.error({ err, events: items.length, dropped: items.length - kept }, "event spool write failed");
      return false;
    }
  }

  /** Stored (database or spool): their journal lines are no longer needed. */
  private settle(items: Pending[]): void {
    if (!this.journal) return;
    for (const item of items) {
      if (item.seg === undefined) continue;
      this.journal.settle(item.seg);
      item.seg = undefined;
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
   * Replays claimed spool files oldest first. An outage stops the round (the rest waits for the
   * next attempt, with backoff); a file that fails otherwise is skipped this round and set aside
   * after `maxReplayAttempts` such rounds, so it never blocks the files behind it.
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
      const retryLater: ClaimedFile[] = [];
      while (this.claimed.length > 0) {
        const file = this.claimed[0]!;
        const failure = await this.replayFile(file);
        this.claimed.shift();
        if (failure === undefined) {
          this.replayFailures.delete(file.path);
          await removeSpoolFile(file.path);
        } else if (!(await this.noteReplayFailure(file, failure))) {
          retryLater.push(file);
        }
      }
      this.claimed.push(...retryLater);
      if (retryLater.length > 0) {
        const delay = this.backoffMs;
        this.backoffMs = Math.min(this.backoffMs * 2, this.retryMaxMs);
        return delay;
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

  /**
   * One file into the database; throws on an outage. Returns the first other error if any event
   * failed (after isolating them, so the good ones are stored), or undefined when all went in.
   */
  private async replayFile(file: ClaimedFile): Promise<unknown> {
    let failure: unknown;
    const events = await readSpoolFile(file.path);
    for (const [projectId, items] of groupByProject(events)) {
      for (let i = 0; i < items.length; i += this.batchSize) {
        const batch = items.slice(i, i + this.batchSize).map((x) => x.e);
        try {
          this.count(await this.opts.ingest(projectId, batch));
        } catch (err) {
          if (isDatabaseUnavailable(err)) throw err;
          for (const e of batch) {
            try {
              this.count(await this.opts.ingest(projectId, [e]));
            } catch (one) {
              if (isDatabaseUnavailable(one)) throw one;
              failure ??= one;
            }
          }
        }
        // The database is back: new events go to it again while the spool catches up.
        if (this.degraded) {
          this.degraded = false;
          log.info("event writer: database reachable again; replaying the spool");
        }
      }
    }
    return failure;
  }

  /** Counts a failed replay of `file`; sets it aside (returns true) once it has failed too often. */
  private async noteReplayFailure(file: ClaimedFile, err: unknown): Promise<boolean> {
    const attempts = (this.replayFailures.get(file.path) ?? 0) + 1;
    this.replayFailures.set(file.path, attempts);
    if (attempts < this.maxReplayAttempts) {
      log.warn({ err, file: file.path, attempts }, "event writer: a spool file failed to replay (not an outage); will retry");
      return false;
    }
    this.replayFailures.delete(file.path);
    try {
      const to = await this.spool.setAside(file.path);
      this.stats_.setAside += file.count;
      log.error({ err, file: to, events: file.count, attempts }, "event writer: spool file set aside after repeated failures; its events are kept there, not replayed");
    } catch (renameErr) {
      log.error({ err: renameErr, file: file.path }, "event writer: cannot set a failing spool file aside");
    }
    return true;
  }

  private count(result: IngestResult): void {
    this.stats_.written += result.accepted;
    if (result.rejected.length > 0) {
      this.stats_.rejected += result.rejected.length;
      log.error({ rejected: result.rejected.slice(0, 3) }, "event writer: events rejected by validation");
    }
  }
}

function groupByProject<T extends SpooledEvent>(items: T[]): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const list = groups.get(item.p);
    if (list) list.push(item);
    else groups.set(item.p, [item]);
  }
  return groups;
}

function aborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
}
