import { createHash } from "node:crypto";
import type { CacheControl } from "./request-schema";
import { countPromptTokens, type PromptBlock } from "./token-count";

export const MAX_BREAKPOINTS = 4;
/** How many block boundaries before a breakpoint the API checks for an earlier cached prefix. */
export const LOOKBACK_BLOCKS = 20;
const TTL_MS = { "5m": 5 * 60_000, "1h": 60 * 60_000 } as const;
type Ttl = keyof typeof TTL_MS;

export type CacheUsage = {
  inputTokens: number;
  cacheReadTokens: number;
  cacheWrite5mTokens: number;
  cacheWrite1hTokens: number;
};

export type Breakpoint = { index: number; ttl: Ttl };

/**
 * Where the request asks for caching: every block with cache_control, plus, for a top-level
 * cache_control (automatic caching), the last block of the prompt. Returns an error message for
 * what the API refuses: more than four breakpoints, or a 1h entry after a 5m one.
 */
export function findBreakpoints(blocks: PromptBlock[], topLevel: CacheControl | null | undefined): Breakpoint[] | string {
  const points: Breakpoint[] = [];
  blocks.forEach((block, index) => {
    if (block.cacheControl) points.push({ index, ttl: block.cacheControl.ttl ?? "5m" });
  });
  if (topLevel && blocks.length > 0) {
    const last = blocks.length - 1;
    if (points.at(-1)?.index !== last) points.push({ index: last, ttl: topLevel.ttl ?? "5m" });
  }
  if (points.length > MAX_BREAKPOINTS) {
    return `A maximum of ${MAX_BREAKPOINTS} blocks with cache_control may be provided. Found ${points.length}.`;
  }
  const first5m = points.findIndex((p) => p.ttl === "5m");
  if (first5m !== -1 && points.slice(first5m).some((p) => p.ttl === "1h")) {
    return "A cache_control block with ttl='1h' cannot come after one with ttl='5m': longer TTLs must come first.";
  }
  return points;
}

type Entry = { expiresAt: number; ttlMs: number };

/**
 * Remembers prompt prefixes per scope (API key + model), as Anthropic's prompt cache does, and
 * turns one request into usage figures: the longest cached prefix is read, every breakpoint past it
 * whose prefix reaches the model's minimum is written, and input_tokens is what remains.
 */
export class PromptCache {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly opts: { now?: () => number; maxEntries?: number } = {}) {}

  get size(): number {
    return this.entries.size;
  }

  clear(): void {
    this.entries.clear();
  }

  apply(scope: string, blocks: PromptBlock[], breakpoints: Breakpoint[], minTokens: number): CacheUsage {
    const total = countPromptTokens(blocks);
    if (breakpoints.length === 0) return { inputTokens: total, cacheReadTokens: 0, cacheWrite5mTokens: 0, cacheWrite1hTokens: 0 };
    const now = this.now();
    const lastIndex = breakpoints.at(-1)!.index;
    const hashes = prefixHashes(scope, blocks, lastIndex);
    const cumulative: number[] = [];
    let sum = 0;
    for (let i = 0; i <= lastIndex; i++) cumulative.push((sum += blocks[i]!.tokens));

    // Read: the longest cached prefix at or up to LOOKBACK_BLOCKS before any breakpoint.
    let readEnd = -1;
    for (const bp of breakpoints) {
      for (let j = bp.index; j >= Math.max(0, bp.index - LOOKBACK_BLOCKS + 1) && j > readEnd; j--) {
        if (cumulative[j]! >= minTokens && this.touch(hashes[j]!, now)) {
          readEnd = j;
          break;
        }
      }
    }
    const cacheReadTokens = readEnd === -1 ? 0 : cumulative[readEnd]!;

    // Write: each breakpoint past the read whose prefix is long enough; the tokens since the
    // previous boundary are billed at that breakpoint's TTL (1h breakpoints come first).
    let boundary = cacheReadTokens;
    const written = { "5m": 0, "1h": 0 };
    for (const bp of breakpoints) {
      if (bp.index <= readEnd || cumulative[bp.index]! < minTokens) continue;
      written[bp.ttl] += cumulative[bp.index]! - boundary;
      boundary = cumulative[bp.index]!;
      this.store(hashes[bp.index]!, TTL_MS[bp.ttl], now);
    }
    return {
      inputTokens: total - cacheReadTokens - written["5m"] - written["1h"],
      cacheReadTokens,
      cacheWrite5mTokens: written["5m"],
      cacheWrite1hTokens: written["1h"],
    };
  }

  /** A hit refreshes the entry's lifetime, as a cache read does on the real API. */
  private touch(key: string, now: number): boolean {
    const entry = this.entries.get(key);
    if (!entry) return false;
    this.entries.delete(key);
    if (entry.expiresAt <= now) return false;
    this.entries.set(key, { expiresAt: now + entry.ttlMs, ttlMs: entry.ttlMs });
    return true;
  }

  private store(key: string, ttlMs: number, now: number): void {
    const existing = this.entries.get(key);
    this.entries.delete(key);
    const keepMs = existing && existing.expiresAt > now ? Math.max(existing.ttlMs, ttlMs) : ttlMs;
    this.entries.set(key, { expiresAt: now + keepMs, ttlMs: keepMs });
    const max = this.opts.maxEntries ?? 100_000;
    if (this.entries.size > max) this.evict(now, max);
  }

  // Drops expired entries, then the least recently used (Map order) until under the cap.
  private evict(now: number, max: number): void {
    for (const [key, entry] of this.entries) if (entry.expiresAt <= now) this.entries.delete(key);
    for (const key of this.entries.keys()) {
      if (this.entries.size <= max) break;
      this.entries.delete(key);
    }
  }

  private now(): number {
    return this.opts.now ? this.opts.now() : Date.now();
  }
}

/** A rolling hash per block boundary: entry i identifies the prefix of blocks 0..i within the scope. */
function prefixHashes(scope: string, blocks: PromptBlock[], lastIndex: number): string[] {
  const out: string[] = [];
  let previous = createHash("sha256").update(scope).digest("hex");
  for (let i = 0; i <= lastIndex; i++) {
    previous = createHash("sha256").update(previous).update("\u0000").update(blocks[i]!.canonical).digest("hex");
    out.push(previous);
  }
  return out;
}
