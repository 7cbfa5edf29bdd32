import { closeSync, fdatasync, ftruncateSync, mkdirSync, openSync, unlinkSync, writeSync } from "node:fs";
import path from "node:path";
import { newOwner, releaseOwner, spoolFileName, type SpooledEvent } from "./spool";

const LINES_PER_SEGMENT = 5_000;

type Segment = { file: string; fd: number | undefined; pending: number; bytes: number };

/**
 * Spool-first recording (PITWALL_RECORDING_SPOOL_FIRST=1): every event is written to a journal
 * file synchronously, in the call that records it, before it waits in memory for the database.
 * A segment is deleted once each of its events is stored (in the database or the spool). The
 * segments are ordinary spool files under an owner of their own: while this process lives the
 * spool leaves them alone, and after a crash the next start replays them (stored events are
 * skipped by id). Survives a process crash (kill -9, OOM); against a machine crash each flush
 * tick syncs the segment to disk, so at most one tick of events is at risk there.
 */
export class Journal {
  private readonly owner = newOwner();
  private seq = 0;
  private readonly segments = new Map<number, Segment>();
  private current: number | undefined;
  private lines = 0;
  private failures = 0;

  constructor(private readonly dir: string) {}

  /**
   * Writes one event; returns its segment, or undefined when the disk refused it (the event is
   * still recorded, without crash protection; logged by the caller, counted here).
   */
  append(ev: SpooledEvent): number | undefined {
    const line = Buffer.from(JSON.stringify({ p: ev.p, e: ev.e }) + "\n", "utf8");
    let seg: Segment | undefined;
    try {
      const id = this.open();
      seg = this.segments.get(id)!;
      let done = 0;
      while (done < line.length) {
        const n = writeSync(seg.fd!, line, done, line.length - done, seg.bytes + done);
        if (n <= 0) throw Object.assign(new Error("short write to the journal"), { code: "ENOSPC" });
        done += n;
      }
      seg.bytes += line.length;
      seg.pending++;
      if (++this.lines >= LINES_PER_SEGMENT) this.rotate();
      return id;
    } catch {
      this.failures++;
      // Never leave a torn line that the next append would be glued to.
      if (seg?.fd !== undefined) {
        try {
          ftruncateSync(seg.fd, seg.bytes);
        } catch {
          this.rotate();
        }
      }
      return undefined;
    }
  }

  /** Writes that failed (a full disk): those events had no crash protection. */
  get failed(): number {
    return this.failures;
  }

  /** One event of `segment` is stored elsewhere now. */
  settle(segment: number): void {
    const seg = this.segments.get(segment);
    if (!seg) return;
    seg.pending--;
    this.removeIfDone(segment);
  }

  /** Pushes the current segment to the disk, off the event loop. */
  sync(): void {
    const seg = this.current === undefined ? undefined : this.segments.get(this.current);
    if (seg?.fd !== undefined) fdatasync(seg.fd, () => {});
  }

  /** Closes; segments with events not stored anywhere else stay for the next start to replay. */
  close(): void {
    this.rotate();
    releaseOwner(this.owner);
  }

  private open(): number {
    if (this.current !== undefined) return this.current;
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const id = this.seq++;
    const file = path.join(this.dir, spoolFileName(this.owner, id));
    this.segments.set(id, { file, fd: openSync(file, "wx", 0o600), pending: 0, bytes: 0 });
    this.current = id;
    this.lines = 0;
    return id;
  }

  private rotate(): void {
    const id = this.current;
    if (id === undefined) return;
    this.current = undefined;
    const seg = this.segments.get(id)!;
    if (seg.fd !== undefined) {
      try {
        closeSync(seg.fd);
      } catch {
        /* closing cannot lose what was written */
      }
      seg.fd = undefined;
    }
    this.removeIfDone(id);
  }

  private removeIfDone(id: number): void {
    const seg = this.segments.get(id);
    if (!seg || seg.fd !== undefined || seg.pending > 0) return;
    this.segments.delete(id);
    try {
      unlinkSync(seg.file);
    } catch {
      /* already gone; or it stays and its events are skipped by id on replay */
    }
  }
}
