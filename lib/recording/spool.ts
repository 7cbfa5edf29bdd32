import { randomBytes } from "node:crypto";
import { mkdir, open, readFile, readdir, rename, unlink, } from "node:fs/promises";
import path from "node:path";

/** One spooled record: the project it belongs to and the raw event as ingestBatch accepts it. */
export type SpooledEvent = { p: string; e: Record<string, unknown> };
export type ClaimedFile = { path: string; count: number };
/** The part of a FileHandle the spool writes through (a FileHandle is one). */
export type SpoolFileHandle = {
  write(buffer: Buffer, offset: number, length: number, position: number): Promise<{ bytesWritten: number }>;
  datasync(): Promise<void>;
  truncate(length: number): Promise<void>;
  close(): Promise<void>;
};

const ACTIVE_SUFFIX = ".jsonl";
const CLAIMED_SUFFIX = ".replaying";
const FAILED_SUFFIX = ".failed";
/** Files rotate at this many lines so a replay reads a bounded file at a time. */
const MAX_LINES_PER_FILE = 5_000;
/** Owners of the spools open in this process (see ownerAlive). */
const liveOwners = new Set<string>();

/**
 * An append-only spool on disk for events the database could not take. Each spool writes its own
 * files (one JSON line per event); replay claims whole files by renaming them, so two processes
 * sharing a directory never replay the same file, and files left by a dead process are picked up
 * by the next one. A torn last line (crash mid-write) is skipped on read.
 */
export class Spool {
  private handle: SpoolFileHandle | undefined;
  private linesInFile = 0;
  /** Length of the active file as this spool wrote it (appends write at this offset). */
  private fileBytes = 0;
  private chain: Promise<unknown> = Promise.resolve();
  private seq = 0;
  /** Events appended to files not yet claimed for replay. */
  unclaimed = 0;
  /** `<pid>-<random>`: names this spool's files; two spools in one process stay apart. */
  private readonly owner = newOwner();

  constructor(
    readonly dir: string,
    /** Opens a new spool file for writing (tests put a disk that fills up here). */
    private readonly openFile: (file: string) => Promise<SpoolFileHandle> = (file) => open(file, "wx", 0o600),
  ) {
  }

  /**
   * Appends events, durably (fdatasync); calls are serialized so lines never interleave. A failed
   * or short write (a full disk) is undone: the file is cut back to where this append began, or,
   * if even that fails, abandoned for a new one, so a torn line can only ever be a file's last
   * (skipped on read) and no later append is glued to it. The caller owns the loss it reports.
   */
  append(events: SpooledEvent[]): Promise<void> {
    if (events.length === 0) return Promise.resolve();
    return this.serialize(async () => {
      let text = "";
      for (const ev of events) text += JSON.stringify({ p: ev.p, e: ev.e }) + "\n";
      const bytes = Buffer.from(text, "utf8");
      const fh = await this.activeHandle();
      const start = this.fileBytes;
      try {
        let done = 0;
        while (done < bytes.length) {
          const { bytesWritten } = await fh.write(bytes, done, bytes.length - done, start + done);
          // Zero bytes is a full disk that did not raise ENOSPC; looping would spin.
          if (bytesWritten <= 0) throw Object.assign(new Error(`short write to the spool (${done} of ${bytes.length} bytes)`), { code: "ENOSPC" });
          done += bytesWritten;
        }
        await fh.datasync();
      } catch (err) {
        await this.undo(fh, start);
        throw err;
      }
      this.fileBytes = start + bytes.length;
      this.unclaimed += events.length;
      this.linesInFile += events.length;
      if (this.linesInFile >= MAX_LINES_PER_FILE) await this.closeActive();
    });
  }

  /**
   * Renames a claimed file that keeps failing to `….failed`: never claimed again, kept on disk for
   * a person to look at (and re-import by renaming it back to `.jsonl`).
   */
  async setAside(file: string): Promise<string> {
    const to = file.replace(/\.replaying$/, FAILED_SUFFIX);
    await rename(file, to);
    return to;
  }

  /**
   * Closes the file being written (later appends start a new one) and claims every spool file this
   * spool may replay: its own, and those of owners that are gone. Oldest first, with line counts.
   */
  claim(): Promise<ClaimedFile[]> {
    return this.serialize(async () => {
      await this.closeActive();
      let names: string[];
      try {
        names = await readdir(this.dir);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
        throw err;
      }
      const claimed: ClaimedFile[] = [];
      for (const name of names.sort()) {
        const parsed = parseName(name);
        if (!parsed) continue;
        const mine = parsed.owner === this.owner;
        if (!mine && ownerAlive(parsed.owner)) continue;
        const from = path.join(this.dir, name);
        if (mine && parsed.claimed) {
          claimed.push({ path: from, count: await countLines(from) }); // a replay of ours that failed earlier
          continue;
        }
        // Renaming is the claim: atomic, so when two processes race for a dead owner's file one wins.
        const to = path.join(this.dir, `${parsed.base}.${this.owner}${CLAIMED_SUFFIX}`);
        try {
          await rename(from, to);
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code === "ENOENT") continue;
          throw err;
        }
        claimed.push({ path: to, count: await countLines(to) });
      }
      this.unclaimed = 0;
      return claimed;
    });
  }

  async close(): Promise<void> {
    await this.serialize(() => this.closeActive());
    releaseOwner(this.owner);
  }

  private serialize<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(fn);
    this.chain = run.catch(() => {});
    return run;
  }

  /** After a failed append: cut the file back, or start a new one if that fails too. */
  private async undo(fh: SpoolFileHandle, length: number): Promise<void> {
    try {
      await fh.truncate(length);
    } catch {
      if (this.handle === fh) await this.closeActive().catch(() => {});
    }
  }

  private async activeHandle(): Promise<SpoolFileHandle> {
    if (this.handle) return this.handle;
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const file = path.join(this.dir, spoolFileName(this.owner, this.seq++));
    // Positioned writes (not "a", where Linux ignores the position): a failed one is undone by truncating.
    this.handle = await this.openFile(file);
    this.linesInFile = 0;
    this.fileBytes = 0;
    return this.handle;
  }

  private async closeActive(): Promise<void> {
    const fh = this.handle;
    this.handle = undefined;
    if (fh) await fh.close();
  }
}

/** Reads a spool file's events; unparsable lines (a torn write) are skipped. */
export async function readSpoolFile(file: string): Promise<SpooledEvent[]> {
  const text = await readFile(file, "utf8").catch((err: NodeJS.ErrnoException) => {
    if (err.code === "ENOENT") return "";
    throw err;
  });
  const out: SpooledEvent[] = [];
  for (const line of text.split("\n")) {
    if (!line) continue;
    try {
      const v = JSON.parse(line) as SpooledEvent;
      if (typeof v?.p === "string" && v.e && typeof v.e === "object") out.push(v);
    } catch {
      /* a torn line from a crash mid-append: the rest of the file is still good */
    }
  }
  return out;
}

export async function removeSpoolFile(file: string): Promise<void> {
  await unlink(file).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== "ENOENT") throw err;
  });
}

async function countLines(file: string): Promise<number> {
  return (await readSpoolFile(file)).length;
}

/**
 * `spool-<time>.<owner>.<seq>.jsonl` (being written by owner) or
 * `spool-<time>.<writer>.<seq>.<owner>.replaying` (claimed by owner). `base` drops the claim.
 */
function parseName(name: string): { owner: string; base: string; claimed: boolean } | undefined {
  if (!name.startsWith("spool-")) return undefined;
  const parts = name.split(".");
  if (name.endsWith(ACTIVE_SUFFIX) && parts.length === 4) return { owner: parts[1]!, base: parts.slice(0, 3).join("."), claimed: false };
  if (name.endsWith(CLAIMED_SUFFIX) && parts.length === 5) return { owner: parts[3]!, base: parts.slice(0, 3).join("."), claimed: true };
  return undefined;
}

/** A new owner name for this process's files (live until `releaseOwner`). */
export function newOwner(): string {
  const owner = `${process.pid}-${randomBytes(4).toString("hex")}`;
  liveOwners.add(owner);
  return owner;
}

export function releaseOwner(owner: string): void {
  liveOwners.delete(owner);
}

/** The name of a spool file being written: sortable by age, and the owner says whose file it is. */
export function spoolFileName(owner: string, seq: number): string {
  return `spool-${Date.now()}.${owner}.${seq}${ACTIVE_SUFFIX}`;
}

/**
 * A spool in this process is alive while it is open (a restarted container reuses pids, so the
 * pid alone says nothing); another process's files are free once that pid is gone.
 */
function ownerAlive(owner: string): boolean {
  const pid = Number(owner.split("-")[0]);
  if (!Number.isInteger(pid) || pid <= 0) return false;
  if (pid === process.pid) return liveOwners.has(owner);
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}
