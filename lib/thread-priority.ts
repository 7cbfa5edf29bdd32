import { readlinkSync } from "node:fs";
import os from "node:os";

/**
 * Lowers the scheduling priority of the calling thread (a nice value, 1-19), on Linux only:
 * there setpriority(PRIO_PROCESS, tid) applies to one thread, and /proc/thread-self names it.
 * Worker threads whose work only has to keep up, not answer (the recorder's, the advisor's
 * segment keeper's), use it so that, when the cores are busy, the kernel runs the gateway's
 * request path first and them in the gaps.
 * Returns the thread id it changed, or null where it can't (another OS, no /proc, not allowed).
 */
export function lowerThreadPriority(nice: number): number | null {
  if (process.platform !== "linux" || !(nice > 0)) return null;
  try {
    const tid = Number(readlinkSync("/proc/thread-self").split("/").pop());
    if (!Number.isInteger(tid) || tid <= 0) return null;
    os.setPriority(tid, Math.min(19, Math.round(nice)));
    return tid;
  } catch {
    return null;
  }
}
