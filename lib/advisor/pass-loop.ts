/**
 * Runs `run` after `firstAfterMs`, then again `everyMs` after each run ends (never two at once).
 * `now` starts one at once unless one is running; `close` cancels the one running (through the
 * signal) and waits for it.
 */
export class PassLoop {
  private readonly stop = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly run: (signal: AbortSignal) => Promise<void>,
    firstAfterMs: number,
    private readonly everyMs: number,
  ) {
    this.schedule(firstAfterMs);
  }

  now(): void {
    if (this.running || this.stop.signal.aborted) return;
    if (this.timer) clearTimeout(this.timer);
    this.schedule(0);
  }

  async close(): Promise<void> {
    this.stop.abort();
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  private schedule(ms: number): void {
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.running = this.run(this.stop.signal).finally(() => {
        this.running = undefined;
        if (!this.stop.signal.aborted) this.schedule(this.everyMs);
      });
    }, ms);
    this.timer.unref();
  }
}
