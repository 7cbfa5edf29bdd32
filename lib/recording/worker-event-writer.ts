import { Worker } from "node:worker_threads";
import { log } from "../log";
import { workerSource } from "../worker-source";
import type { EventWriter, WriterStats } from "./event-writer";
import type { SpooledEvent } from "./spool";
import type { RollupFolder } from "../metrics/start-metrics";
import type { FromWorker, ToWorker, WorkerSettings } from "./worker-messages";

/** The writer surface the gateway and the server use (EventWriter in-thread, or this in a worker). */
export type Recorder = Pick<EventWriter, "record" | "stats" | "flush" | "close">;

/** Events are handed to the worker in small batches: one message per few milliseconds of calls. */
const POST_EVERY_MS = 5;
const POST_AT = 256;

/**
 * An event writer whose work happens on a worker thread: `record` only queues the event, and a
 * batch is posted to the worker every few milliseconds; the worker validates, prices and stores
 * them with its own EventWriter (spool and replay included) over its own Postgres pool. The
 * gateway's event loop keeps only the structured clone of each batch. Should the worker die, a
 * fallback writer in this thread takes the events recorded from then on (what the worker held in
 * memory is lost, as in a process crash, and logged).
 */
export class WorkerEventWriter implements Recorder {
  private readonly worker: Worker;
  private pending: SpooledEvent[] = [];
  private timer: NodeJS.Timeout | undefined;
  private posted = 0;
  private received = 0;
  private last: WriterStats = { buffered: 0, spooled: 0, dropped: 0, written: 0, rejected: 0, setAside: 0, degraded: false };
  private readonly flushes = new Map<number, () => void>();
  private flushSeq = 0;
  private closing: Promise<void> | undefined;
  private closed: (() => void) | undefined;
  private fallback: Recorder | undefined;
  private rollups: Record<string, unknown> | undefined;
  private flusherLost: (() => void) | undefined;

  constructor(
    private readonly settings: WorkerSettings,
    private readonly makeFallback: () => Recorder,
  ) {
    this.worker = new Worker(workerSource(new URL("./recorder-worker.ts", import.meta.url)), { eval: true, workerData: settings });
    this.worker.unref();
    this.worker.on("message", (m: FromWorker) => this.onMessage(m));
    this.worker.on("error", (err) => log.error({ err }, "recorder worker failed"));
    this.worker.on("exit", (code) => this.onExit(code));
  }

  record(projectId: string, event: Record<string, unknown>): void {
    if (this.fallback) return this.fallback.record(projectId, event);
    this.pending.push({ p: projectId, e: event });
    if (this.pending.length >= POST_AT) this.post();
    else if (!this.timer) {
      this.timer = setTimeout(() => this.post(), POST_EVERY_MS);
      this.timer.unref();
    }
  }

  stats(): WriterStats {
    const own = this.fallback?.stats();
    const inTransit = this.pending.length + Math.max(0, this.posted - this.received);
    const s: WriterStats = { ...this.last, buffered: this.last.buffered + inTransit };
    if (!own) return s;
    return {
      buffered: s.buffered + own.buffered,
      spooled: s.spooled + own.spooled,
      dropped: s.dropped + own.dropped,
      written: s.written + own.written,
      rejected: s.rejected + own.rejected,
      setAside: s.setAside + own.setAside,
      degraded: own.degraded,
    };
  }

  /** True while the worker runs the rollup flusher (the main thread must then run none). */
  get foldsRollups(): boolean {
    return this.settings.rollupFlusher && !this.fallback;
  }

  /** The worker's rollup flusher as the metrics engine sees it (see startMetrics). */
  rollupFolder(): RollupFolder | undefined {
    if (!this.foldsRollups) return undefined;
    return {
      stats: () => this.rollups ?? {},
      onLost: (takeOver) => {
        this.flusherLost = takeOver;
      },
    };
  }

  /** Resolves once the worker has written (or spooled) everything recorded before the call. */
  async flush(): Promise<void> {
    if (this.fallback) return this.fallback.flush();
    this.post();
    const id = ++this.flushSeq;
    await new Promise<void>((resolve) => {
      this.flushes.set(id, resolve);
      this.send({ type: "flush", id });
    });
  }

  close(opts: { hurry?: AbortSignal } = {}): Promise<void> {
    this.closing ??= (async () => {
      this.post();
      if (this.worker.threadId !== -1 && !this.fallback) {
        const done = new Promise<void>((resolve) => (this.closed = resolve));
        this.send({ type: "close", hurry: opts.hurry?.aborted ?? false });
        opts.hurry?.addEventListener("abort", () => this.send({ type: "hurry" }), { once: true });
        await done;
      }
      await this.fallback?.close(opts);
      await this.worker.terminate().catch(() => 0);
    })();
    return this.closing;
  }

  private post(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.length === 0) return;
    const events = this.pending;
    this.pending = [];
    if (this.fallback) {
      for (const item of events) this.fallback.record(item.p, item.e);
      return;
    }
    this.posted += events.length;
    this.send({ type: "events", events });
  }

  private send(m: ToWorker): void {
    try {
      this.worker.postMessage(m);
    } catch (err) {
      log.error({ err }, "recorder worker: a message could not be sent");
    }
  }

  /** The worker's kernel thread id once it runs at its lowered priority (null: not lowered, or not ready yet). */
  loweredThreadId: number | null = null;

  private onMessage(m: FromWorker): void {
    if (m.type === "ready") this.loweredThreadId = m.threadId;
    if (m.type === "stats" || m.type === "closed") {
      this.last = m.stats;
      this.received = m.received;
    }
    if (m.type === "stats" && m.rollups) this.rollups = m.rollups;
    if (m.type === "flushed") {
      this.flushes.get(m.id)?.();
      this.flushes.delete(m.id);
    }
    if (m.type === "closed") this.closed?.();
  }

  private onExit(code: number): void {
    if (this.closed) {
      this.closed();
      return;
    }
    // Died without being asked to close: record in this thread from now on.
    const lost = Math.max(0, this.posted - this.received) + this.last.buffered;
    log.error({ code, lost }, "recorder worker exited; recording in the main thread from now on (events it held are lost)");
    this.last = { ...this.last, buffered: 0, dropped: this.last.dropped + lost };
    this.posted = this.received;
    this.fallback = this.makeFallback();
    if (this.settings.rollupFlusher) this.flusherLost?.();
    for (const resolve of this.flushes.values()) resolve();
    this.flushes.clear();
    const held = this.pending;
    this.pending = [];
    for (const item of held) this.fallback.record(item.p, item.e);
  }
}
