import { promptChars, tokensFromChars } from "./estimate-tokens";
import type { PromptCacheTtl } from "./routing-policy-schema";

export { minCacheableTokens, DEFAULT_MIN_CACHEABLE_TOKENS } from "./min-cacheable-tokens";

type Block = Record<string, unknown>;
/** The parts of a Messages request this module reads; every other field is carried over as-is. */
export type CacheableRequest = {
  system?: unknown;
  tools?: unknown;
  messages?: unknown;
  cache_control?: unknown;
  [field: string]: unknown;
};

export type PromptCachingResult<T> = {
  /** The request to send: a new object when breakpoints were added, else the input itself. */
  body: T;
  /** Where breakpoints were added, in prefix order. */
  added: ("tools" | "system")[];
};

/** Anthropic accepts at most four breakpoints per request; this module adds at most two. */
export const MAX_CACHE_BREAKPOINTS = 4;

function isBlock(v: unknown): v is Block {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

function blocksHaveCacheControl(blocks: unknown): boolean {
  if (!Array.isArray(blocks)) return false;
  for (const b of blocks) {
    if (!isBlock(b)) continue;
    if (b.cache_control !== undefined) return true;
    // tool_result blocks carry their own content blocks, which may hold breakpoints too.
    if (Array.isArray(b.content) && blocksHaveCacheControl(b.content)) return true;
  }
  return false;
}

/** True when the client already manages caching anywhere in the request. */
export function hasCacheControl(body: CacheableRequest): boolean {
  if (body.cache_control !== undefined) return true;
  if (blocksHaveCacheControl(body.system) || blocksHaveCacheControl(body.tools)) return true;
  if (Array.isArray(body.messages)) {
    for (const m of body.messages) if (isBlock(m) && blocksHaveCacheControl(m.content)) return true;
  }
  return false;
}

function systemChars(system: unknown): number {
  if (typeof system === "string") return system.length;
  if (!Array.isArray(system)) return 0;
  let n = 0;
  for (const b of system) n += isBlock(b) && typeof b.text === "string" ? b.text.length : promptChars(b);
  return n;
}

/**
 * Automatic prompt caching: marks the last tool and the last system block with
 * `cache_control: { type: "ephemeral", ttl }` when the prompt prefix up to that point (tools, then
 * system, Anthropic's prefix order) reaches `minTokens`, estimated at ~4 characters per token. A
 * string system prompt becomes one text block. Requests that already carry any cache_control are
 * returned untouched: the client's own breakpoints are deliberate and may already use all four.
 */
export function applyPromptCaching<T extends CacheableRequest>(body: T, opts: { ttl: PromptCacheTtl; minTokens: number }): PromptCachingResult<T> {
  if (hasCacheControl(body)) return { body, added: [] };
  const marker = { type: "ephemeral", ttl: opts.ttl };
  const added: PromptCachingResult<T>["added"] = [];
  const out: CacheableRequest = { ...body };

  const tools = Array.isArray(body.tools) ? body.tools : [];
  const toolChars = tools.length > 0 ? promptChars(tools) : 0;
  const lastTool = tools[tools.length - 1];
  if (isBlock(lastTool) && tokensFromChars(toolChars) >= opts.minTokens) {
    out.tools = [...tools.slice(0, -1), { ...lastTool, cache_control: marker }];
    added.push("tools");
  }

  const sysChars = systemChars(body.system);
  if (sysChars > 0 && tokensFromChars(toolChars + sysChars) >= opts.minTokens) {
    if (typeof body.system === "string") {
      out.system = [{ type: "text", text: body.system, cache_control: marker }];
      added.push("system");
    } else if (Array.isArray(body.system)) {
      const last = body.system[body.system.length - 1];
      if (isBlock(last)) {
        out.system = [...body.system.slice(0, -1), { ...last, cache_control: marker }];
        added.push("system");
      }
    }
  }

  return added.length > 0 ? { body: out as T, added } : { body, added };
}
