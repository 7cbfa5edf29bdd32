import { log } from "../log";
import type { ServerDrain } from "./server-drain";
import type { ShutdownSettings } from "./shutdown-settings";

export type ShutdownHooks = {
  drain: ServerDrain;
  /** This process's own clients of itself (demo traffic): stopped first, so they start no new calls. */
  stopClients?: () => void;
  /** At the end of the grace period: end the calls still in flight in a way their clients understand. */
  endCalls: () => Promise<void>;
  /**
   * Flushes and closes everything (recorder, metrics, database). When `hurry` aborts (the flush
   * deadline, or a later second signal) it must stop waiting on the database and write the spool.
   */
  close: (hurry: AbortSignal) => Promise<void>;
};

/** Signals this close to the first are the same request (a terminal and a wrapper both signalling). */
export const REPEAT_WINDOW_MS = 1_000;
/** Past the flush deadline, this long again for the spool before the process gives up waiting. */
const SPOOL_MARGIN_MS = 2_000;

/**
 * One shutdown, in phases: drain (stop accepting, let calls finish for `graceMs`), end what is
 * still running, then flush under `flushMs`. A repeated signal within a second is ignored; a later
 * one skips the rest of the grace period and hurries the flush to the spool, so nothing buffered is
 * lost either way. `done` resolves with the exit code.
 */
export class GracefulShutdown {
  private firstAt: number | undefined;
  private readonly hurry = new AbortController();
  private forceNow: () => void = () => {};
  private readonly forced = new Promise<void>((resolve) => (this.forceNow = resolve));
  private resolveDone: (code: number) => void = () => {};
  readonly done = new Promise<number>((resolve) => (this.resolveDone = resolve));

  constructor(
    private readonly hooks: ShutdownHooks,
    private readonly settings: ShutdownSettings,
    private readonly now: () => number = Date.now,
  ) {}

  get started(): boolean {
    return this.firstAt !== undefined;
  }

  request(signal: string): void {
    const t = this.now();
    if (this.firstAt === undefined) {
      this.firstAt = t;
      void this.run(signal).then(this.resolveDone, (err: unknown) => {
        log.error({ err }, "shutdown failed");
        this.resolveDone(1);
      });
      return;
    }
    if (t - this.firstAt < REPEAT_WINDOW_MS || this.hurry.signal.aborted) return;
    log.warn({ signal }, "second stop signal: skipping the grace period; buffered events go to the spool");
    this.forceNow();
    this.hurry.abort();
  }

  private async run(signal: string): Promise<number> {
    const { drain } = this.hooks;
    const { graceMs, flushMs } = this.settings;
    log.info({ signal, graceMs, inFlight: drain.inFlight }, "shutting down: no new connections; waiting for calls in flight");
    this.hooks.stopClients?.();
    drain.begin();
    const drained = await drain.waitIdle(graceMs, this.forced);
    if (!drained) {
      log.warn({ inFlight: drain.inFlight }, "shutdown: ending the calls still in flight");
      await this.hooks.endCalls();
      // Ended calls answer at once; anything else (a page render) gets a moment, then its socket goes.
      if (!(await drain.waitIdle(1_000))) drain.destroyAll();
    }
    const flushTimer = setTimeout(() => this.hurry.abort(), flushMs);
    let giveUp: NodeJS.Timeout | undefined;
    const gaveUp = new Promise<boolean>((resolve) => {
      giveUp = setTimeout(() => resolve(false), flushMs + SPOOL_MARGIN_MS);
    });
    const closed = await Promise.race([this.hooks.close(this.hurry.signal).then(() => true), gaveUp]);
    clearTimeout(flushTimer);
    clearTimeout(giveUp);
    if (!closed) log.error({ flushMs }, "shutdown: closing did not finish in time; exiting anyway");
    else log.info("shutdown complete");
    return closed ? 0 : 1;
  }
}

/** SIGTERM and SIGINT (every time, not once) go to `shutdown`; the process exits when it is done. */
export function exitOnStopSignals(shutdown: GracefulShutdown): void {
  for (const sig of ["SIGTERM", "SIGINT"] as const) process.on(sig, () => shutdown.request(sig));
  void shutdown.done.then((code) => process.exit(code));
}
